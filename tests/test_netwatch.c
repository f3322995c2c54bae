/*
 * test_netwatch.c: the watch on waits for a server (src/sync/netwatch.c),
 * on real TCP connections over 127.0.0.1.
 *
 * What counts is only time inside a wait: a read that gets nothing for
 * longer than the limit is ended by the watch, while the same time spent
 * between waits, or inside a wait on a person (netwatch_hold), is not.
 * These tests wait a second or two of real time on purpose: the limit is
 * in seconds.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <criterion/criterion.h>

#include "sync/netwatch.h"

static int listener = -1;

/* A connected TCP pair over 127.0.0.1: *client and *server. */
static void tcp_pair(int *client, int *server)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listener < 0) {
		cr_assert((listener = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
		cr_assert(bind(listener, (struct sockaddr *)&a, sizeof(a)) == 0);
		cr_assert(listen(listener, 4) == 0);
	}
	cr_assert(getsockname(listener, (struct sockaddr *)&a, &len) == 0);
	cr_assert((*client = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	cr_assert(connect(*client, (struct sockaddr *)&a, sizeof(a)) == 0);
	cr_assert((*server = accept(listener, NULL, NULL)) >= 0);
}

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* True when fd is still open both ways: nothing to read yet, and not ended. */
static int alive(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Test(netwatch, a_silent_read_is_ended_after_the_limit)
{
	int c, s;
	char buf[16];
	double t0, took;
	ssize_t got;

	tcp_pair(&c, &s);
	netwatch_arm(1);
	cr_assert_eq(netwatch_enter(), 0);
	t0 = now_s();
	got = recv(c, buf, sizeof(buf), 0);   /* the server says nothing */
	took = now_s() - t0;
	cr_assert_eq(netwatch_leave(), 1, "the watch names its limit");
	cr_assert(got <= 0, "the read ended without data");
	cr_assert(took >= 0.9 && took < 10, "ended after %.2f s for a limit of 1 s", took);
	/* The operation stays cut: no further wait is begun. */
	cr_assert_eq(netwatch_enter(), 1);
	netwatch_disarm();
	/* The next operation starts clean. */
	netwatch_arm(1);
	cr_assert_eq(netwatch_enter(), 0);
	cr_assert_eq(netwatch_leave(), 0);
	netwatch_disarm();
	close(c);
	close(s);
}

Test(netwatch, data_before_the_limit_is_no_cut)
{
	int c, s;
	char buf[16];

	tcp_pair(&c, &s);
	netwatch_arm(1);
	cr_assert_eq(netwatch_enter(), 0);
	cr_assert_eq(send(s, "x", 1, 0), 1);
	cr_assert_eq(recv(c, buf, sizeof(buf), 0), 1);
	cr_assert_eq(netwatch_leave(), 0);
	pause_ms(1500);   /* local work between waits: not the server's silence */
	cr_assert_eq(netwatch_enter(), 0);
	cr_assert_eq(send(s, "y", 1, 0), 1);
	cr_assert_eq(recv(c, buf, sizeof(buf), 0), 1);
	cr_assert_eq(netwatch_leave(), 0);
	cr_assert(alive(c));
	netwatch_disarm();
	close(c);
	close(s);
}

Test(netwatch, a_wait_on_a_person_is_not_counted)
{
	int c, s;

	tcp_pair(&c, &s);
	netwatch_arm(1);
	cr_assert_eq(netwatch_enter(), 0);
	netwatch_hold();
	pause_ms(1500);   /* a token typed at a prompt while connecting */
	netwatch_resume();
	cr_assert(alive(c), "the connection was not cut during the prompt");
	cr_assert_eq(netwatch_leave(), 0);
	netwatch_disarm();
	close(c);
	close(s);
}

Test(netwatch, nothing_is_cut_when_disarmed)
{
	int c, s;

	tcp_pair(&c, &s);
	netwatch_arm(1);
	netwatch_disarm();
	cr_assert_eq(netwatch_enter(), 0);
	pause_ms(1500);
	cr_assert(alive(c));
	cr_assert_eq(netwatch_leave(), 0);
	close(c);
	close(s);
}

Test(netwatch, unix_sockets_are_left_alone)
{
	int c, s, u[2];
	char buf[4];

	tcp_pair(&c, &s);
	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, u) == 0);   /* as the ssh agent's */
	netwatch_arm(1);
	cr_assert_eq(netwatch_enter(), 0);
	cr_assert(recv(c, buf, sizeof(buf), 0) <= 0);
	cr_assert_eq(netwatch_leave(), 1);
	cr_assert(alive(u[0]), "the Unix socket still works");
	cr_assert_eq(send(u[1], "ok", 2, 0), 2);
	cr_assert_eq(recv(u[0], buf, sizeof(buf), 0), 2);
	netwatch_disarm();
	close(u[0]);
	close(u[1]);
	close(c);
	close(s);
}
