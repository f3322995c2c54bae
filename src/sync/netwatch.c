/*
 * netwatch.c: a limit on how long the repository module waits for a server.
 *
 * libgit2 1.5 has no timeout on its connections.  A server that hangs, or
 * a mobile network that drops a link without a reset, leaves a read that
 * never returns: a field officer's sync, or a supervisor's merge, would
 * wait for ever, and the screen with it.
 *
 * The transports bracket each wait on the network (connect, read, write)
 * with netwatch_enter and netwatch_leave.  While an operation is armed, a
 * thread looks every 100 ms at the wait in progress; when one has lasted
 * longer than the limit, it shuts down (shutdown(2)) every TCP socket of
 * the process.  The blocked call then returns as if the server had closed
 * the connection, libgit2 unwinds through its ordinary error paths, and the
 * transport reports the silence, naming the limit.  The time between waits
 * (indexing a pack as it arrives, building one to send) is local work and
 * never counts; a slow link that keeps delivering is never cut.
 *
 * Why every TCP socket and not one: libgit2 does not hand out the sockets
 * of its git, ssh and https transports, and a custom socket stream would
 * break its ssh transport, which reaches into the default stream's
 * structure.  The only TCP sockets of a Homeward process are those
 * transports' (the ssh agent is reached through a Unix socket, which is
 * left alone), and they are cut only while an operation is stuck.  A
 * connect(2) in progress is aborted by shutdown(2) too on Linux.  Should a
 * wait be inside name resolution, the thread goes on cutting every 100 ms
 * until the wait ends, so the connect that follows fails at once.
 */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sync/netwatch.h"

#define TICK_NS 100000000L   /* how often the thread looks: 100 ms */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running;             /* the thread exists in this process */
static unsigned limit;          /* seconds; 0: nothing is armed */
static int waiting;             /* between netwatch_enter and netwatch_leave */
static int held;                /* between netwatch_hold and netwatch_resume */
static struct timespec since;   /* when the wait began (or resumed), monotonic */
static int cut;                 /* the connections of this operation were cut */

static void mono(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* Shut fd down if it is a TCP socket. */
static void cut_one(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss), tl;
	struct stat st;
	int type;

	if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
		return;
	tl = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM)
		return;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	shutdown(fd, SHUT_RDWR);
}

static void cut_connections(void)
{
	DIR *d = opendir("/proc/self/fd");
	long fd, max;

	if (d) {
		struct dirent *e;
		int own = dirfd(d);

		while ((e = readdir(d)) != NULL) {
			char *end;

			fd = strtol(e->d_name, &end, 10);
			if (end == e->d_name || *end || fd < 0 || fd == own || fd > 0x7fffffffL)
				continue;
			cut_one((int)fd);
		}
		closedir(d);
		return;
	}
	/* Without /proc: every descriptor up to a bound. */
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 0; fd < max; fd++)
		cut_one((int)fd);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (limit) {
		struct timespec now, tick = { 0, TICK_NS };

		if (waiting && !held) {
			mono(&now);
			if (cut || now.tv_sec > since.tv_sec + (time_t)limit ||
			    (now.tv_sec == since.tv_sec + (time_t)limit && now.tv_nsec >= since.tv_nsec)) {
				cut = 1;
				cut_connections();
			}
		}
		pthread_mutex_unlock(&lock);
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&lock);
	}
	running = 0;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* A forked child has no watch thread, whatever the parent had. */
static void before_fork(void)
{
	pthread_mutex_lock(&lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void after_fork_child(void)
{
	running = 0;
	pthread_mutex_unlock(&lock);
}

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void fork_init(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

void netwatch_arm(unsigned seconds)
{
	pthread_once(&fork_once, fork_init);
	pthread_mutex_lock(&lock);
	limit = seconds;
	waiting = held = cut = 0;
	if (limit && !running) {
		pthread_attr_t a;
		pthread_t t;

		/*
		 * Without a thread (the system refuses one) the operation runs
		 * unwatched, as libgit2 alone would.
		 */
		if (pthread_attr_init(&a) == 0) {
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			if (pthread_create(&t, &a, watch, NULL) == 0)
				running = 1;
			pthread_attr_destroy(&a);
		}
	}
	pthread_mutex_unlock(&lock);
}

void netwatch_disarm(void)
{
	pthread_mutex_lock(&lock);
	limit = 0;
	waiting = held = cut = 0;
	pthread_mutex_unlock(&lock);
}

unsigned netwatch_enter(void)
{
	unsigned rc = 0;

	pthread_mutex_lock(&lock);
	if (cut) {
		rc = limit;
	} else {
		waiting = 1;
		mono(&since);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

unsigned netwatch_leave(void)
{
	unsigned r;

	pthread_mutex_lock(&lock);
	waiting = 0;
	r = cut ? limit : 0;
	pthread_mutex_unlock(&lock);
	return r;
}

unsigned netwatch_cut(void)
{
	unsigned r;

	pthread_mutex_lock(&lock);
	r = cut ? limit : 0;
	pthread_mutex_unlock(&lock);
	return r;
}

void netwatch_hold(void)
{
	pthread_mutex_lock(&lock);
	held++;
	pthread_mutex_unlock(&lock);
}

void netwatch_resume(void)
{
	pthread_mutex_lock(&lock);
	if (held > 0)
		held--;
	mono(&since);
	pthread_mutex_unlock(&lock);
}
