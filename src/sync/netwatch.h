/*
 * netwatch.h: a limit on how long the repository module waits for a server.
 *
 * libgit2 1.5 reads and writes its connections with no timeout, so a server
 * or a network that keeps a connection open and says nothing would hold a
 * sync for ever.  The transports (fetch.c) bracket every connect, read and
 * write with netwatch_enter and netwatch_leave; a wait longer than the limit
 * set by netwatch_arm is ended by shutting the process's TCP connections
 * down (see netwatch.c for why that is safe).  Only time spent waiting on
 * the network counts: work between reads (indexing a pack, building one) and
 * time a person takes to answer a prompt (netwatch_hold) do not.
 */
#ifndef HW_NETWATCH_H
#define HW_NETWATCH_H

/* A network operation begins: any wait on it longer than seconds is cut (0: no limit). */
void netwatch_arm(unsigned seconds);

/* The operation is over: nothing is watched until the next netwatch_arm. */
void netwatch_disarm(void);

/*
 * A connect, read or write is about to wait on the server.  Returns 0, or
 * the limit in seconds when the watch already cut this operation: the
 * caller does not wait again and fails as netwatch_leave's caller does.
 */
unsigned netwatch_enter(void);

/*
 * The wait of netwatch_enter returned.  Returns 0, or the limit in seconds
 * when the watch cut the connection during this operation: whatever the
 * call returned is then the effect of the cut, and the caller reports the
 * server's silence instead.
 */
unsigned netwatch_leave(void);

/* The limit in seconds when the watch cut the armed operation, else 0. */
unsigned netwatch_cut(void);

/*
 * Around a wait on a person inside a wait on the server (a prompt for a
 * token while connecting): that time is not counted, and the wait starts
 * anew after it.
 */
void netwatch_hold(void);
void netwatch_resume(void);

/* The limit of a sync when the workspace sets none (setting sync.timeout). */
#define NETWATCH_DEFAULT_SECONDS 120
#define NETWATCH_MAX_SECONDS 86400

#endif
