/*
 * byteproxy.c: a loopback TCP proxy that counts the bytes it carries, for
 * measuring what a sync puts on the wire.
 *
 *   bench/byteproxy TARGET_PORT COUNT_FILE SECONDS
 *
 * Listens on 127.0.0.1 at a free port (printed on stdout, then flushed),
 * forwards every connection to 127.0.0.1:TARGET_PORT, and after each
 * connection closes rewrites COUNT_FILE with "<bytes to the server>
 * <bytes from the server>" in total so far.  Stops by itself after SECONDS
 * (at most a day), or on SIGTERM.  Only loopback addresses are used.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN 64

typedef struct conn {
	int client, server;
} conn;

static volatile sig_atomic_t stop;
static unsigned long long up, down;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void write_counts(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "%llu %llu\n", up, down);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* Move what is readable from one side to the other; 0 when that side closed. */
static int pump(int from, int to, unsigned long long *count)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf)), off = 0;

	if (n <= 0)
		return n < 0 && errno == EINTR ? 1 : 0;
	*count += (unsigned long long)n;
	while (off < n) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		off += w;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	conn c[MAX_CONN];
	struct pollfd p[1 + 2 * MAX_CONN];
	int lfd, target, nc = 0, i, one = 1;
	long seconds;
	time_t end;

	if (argc != 4) {
		fprintf(stderr, "Usage: byteproxy TARGET_PORT COUNT_FILE SECONDS\n");
		return 2;
	}
	target = atoi(argv[1]);
	seconds = atol(argv[3]);
	if (target <= 0 || target > 65535 || seconds <= 0 || seconds > 86400) {
		fprintf(stderr, "byteproxy: bad port or duration\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	end = time(NULL) + seconds;
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 16) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
		perror("byteproxy");
		return 1;
	}
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	write_counts(argv[2]);

	while (!stop && time(NULL) < end) {
		int n = 0;

		p[n].fd = lfd;
		p[n++].events = POLLIN;
		for (i = 0; i < nc; i++) {
			p[n].fd = c[i].client;
			p[n++].events = POLLIN;
			p[n].fd = c[i].server;
			p[n++].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, 1000) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = nc - 1; i >= 0; i--) {
			struct pollfd *pc = &p[1 + 2 * i], *ps = &p[2 + 2 * i];
			int alive = 1;

			if (pc->revents & (POLLIN | POLLHUP | POLLERR))
				alive = pump(c[i].client, c[i].server, &up);
			if (alive && (ps->revents & (POLLIN | POLLHUP | POLLERR)))
				alive = pump(c[i].server, c[i].client, &down);
			if (!alive) {
				close(c[i].client);
				close(c[i].server);
				c[i] = c[--nc];
				write_counts(argv[2]);
			}
		}
		if ((p[0].revents & POLLIN) && nc < MAX_CONN) {
			int cl = accept(lfd, NULL, NULL), sv;
			struct sockaddr_in t;

			if (cl < 0)
				continue;
			memset(&t, 0, sizeof(t));
			t.sin_family = AF_INET;
			t.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			t.sin_port = htons((unsigned short)target);
			if ((sv = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
			    connect(sv, (struct sockaddr *)&t, sizeof(t)) < 0) {
				if (sv >= 0)
					close(sv);
				close(cl);
				continue;
			}
			c[nc].client = cl;
			c[nc++].server = sv;
		}
	}
	for (i = 0; i < nc; i++) {
		close(c[i].client);
		close(c[i].server);
	}
	close(lfd);
	write_counts(argv[2]);
	return 0;
}
