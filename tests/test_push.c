/*
 * test_push.c: the push to a server (src/sync/push.c) against a real
 * `git daemon` on 127.0.0.1, whose receive-pack checks that every object
 * arrived (and `git fsck` afterwards), and against a hostile server
 * (tests/fake-receive-pack.py) that breaks git's protocol in every way
 * the push must survive with a message.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/alloc.h>

#include "sync/push.h"
#include "sync/repo.h"
#include "util.h"

static char tmp[4096];
static hw_error err;
static pid_t server_pid;

static void setup(void)
{
	static int n;
	const char *base = getenv("HOMEWARD_TEST_TMP");

	signal(SIGPIPE, SIG_IGN);
	snprintf(tmp, sizeof(tmp), "%s/push-%d-%d", base ? base : "/tmp", (int)getpid(), ++n);
	cr_assert_eq(hw_mkdir_p(tmp, NULL), 0);
	hw_error_clear(&err);
}

/* Stop the server this test started, by its pid. */
static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

static const char *at(const char *name)
{
	static char bufs[8][4096];
	static int i;
	char *b = bufs[i++ % 8];

	cr_assert_lt(snprintf(b, 4096, "%s/%s", tmp, name), 4096);
	return b;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

/* Wait (5 s at most) until something listens on port. */
static void wait_listening(int port)
{
	int i;

	for (i = 0; i < 100; i++) {
		struct sockaddr_in a;
		int s = socket(AF_INET, SOCK_STREAM, 0), ok;
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((unsigned short)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(s);
		if (ok)
			return;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("the server did not start");
}

static void start_daemon(const char *base, int port)
{
	char base_arg[4200], port_arg[32];

	snprintf(base_arg, sizeof(base_arg), "--base-path=%s", base);
	snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
	server_pid = fork();
	cr_assert_neq(server_pid, -1);
	if (server_pid == 0) {
		execlp("git", "git", "daemon", "--reuseaddr", base_arg, "--export-all",
		       "--enable=receive-pack", "--listen=127.0.0.1", port_arg, (char *)NULL);
		_exit(127);
	}
	wait_listening(port);
}

/*
 * Start the hostile server for one connection.  It listens before it
 * accepts, so a probe would use up its one connection: wait for the port
 * to be bound by trying to bind it ourselves instead.
 */
static void start_fake(int port, const char *mode)
{
	char port_arg[32];
	int i;

	snprintf(port_arg, sizeof(port_arg), "%d", port);
	server_pid = fork();
	cr_assert_neq(server_pid, -1);
	if (server_pid == 0) {
		execlp("python3", "python3", TOP_SRCDIR "/tests/fake-receive-pack.py", port_arg, mode,
		       (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		struct sockaddr_in a;
		int s = socket(AF_INET, SOCK_STREAM, 0), taken;
		struct timespec ts = { 0, 25 * 1000 * 1000 };

		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = htons((unsigned short)port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		taken = bind(s, (struct sockaddr *)&a, sizeof(a)) != 0;
		close(s);
		if (taken)
			return;
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("the fake server did not start");
}

/* Objects the last push sent, from its progress. */
static int on_progress(const repo_progress *p, void *payload)
{
	size_t *total = payload;

	if (p->stage == REPO_PROGRESS_PUSH)
		*total = p->total;
	return 0;
}

static char *event_path(int c, int e)
{
	char *p = malloc(200);

	cr_assert_not_null(p);
	snprintf(p, 200, "cases/%02x/%02x%06d-0000-4000-8000-000000000000/events/%08d-0000-4000-8000-%012d.json",
		 c % 256, c % 256, c, e, c);
	return p;
}

/* git fsck on the server's repository: every object there and connected. */
static void assert_fsck(const char *git_dir)
{
	char cmd[5000];

	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' fsck --full --strict >/dev/null 2>&1", git_dir);
	cr_assert_eq(system(cmd), 0, "git fsck failed on %s", git_dir);
}

TestSuite(push, .init = setup, .fini = stop_server);

Test(push, a_push_sends_only_what_is_new_and_the_server_has_every_object)
{
	hw_repo *sup = NULL, *dev = NULL, *central = NULL;
	repo_file *files = calloc(300, sizeof(*files));
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	const char *main_spec[] = { "refs/heads/main:refs/heads/main" };
	const char *dev_spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1" };
	const char *fetch_main[] = { "+refs/heads/main:refs/heads/main" };
	const char *fetch_dev[] = { "+refs/heads/devices/*:refs/remotes/central/devices/*" };
	char m1[41], d1[41], d2[41], merged[41], tip[41], url[200];
	size_t total = 0;
	int created, port = free_port(), i;

	cr_assert_eq(repo_open(&central, at("srv/central.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&sup, at("sup/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	start_daemon(at("srv"), port);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/central.git", port);
	opts.progress = on_progress;
	opts.payload = &total;

	/* A main of 300 cases, pushed to an empty server: everything goes. */
	for (i = 0; i < 300; i++) {
		files[i].path = event_path(i, i);
		files[i].data = files[i].path;
		files[i].len = strlen(files[i].path);
	}
	cr_assert_eq(repo_commit_files(m1, &created, sup, "refs/heads/main", NULL, files, 300, NULL,
				       &err), 0, "%s", err.msg);
	cr_assert_eq(repo_push(sup, url, main_spec, 1, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(total, 1 + 1 + 1 + 256 + 300 * 3, "sent %zu objects", total);
	assert_fsck(at("srv/central.git"));

	/*
	 * A device branch starting from main, with one new event in an
	 * existing case: the commit, five folders on its path and the file.
	 */
	cr_assert_eq(repo_fetch(dev, url, fetch_main, 1, NULL, &err), 0, "%s", err.msg);
	{
		char *p = event_path(7, 1000);
		repo_file f = { p, "new", 3, NULL };

		cr_assert_eq(repo_commit_files(d1, &created, dev, "refs/heads/devices/d1", m1, &f, 1,
					       NULL, &err), 0, "%s", err.msg);
		free(p);
	}
	total = 0;
	cr_assert_eq(repo_push(dev, url, dev_spec, 1, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(total, 7, "sent %zu objects", total);
	assert_fsck(at("srv/central.git"));

	/* Its next commit: the same again, whatever the size of the archive. */
	{
		char *p = event_path(8, 1001);
		repo_file f = { p, "newer", 5, NULL };

		cr_assert_eq(repo_commit_files(d2, &created, dev, "refs/heads/devices/d1", d1, &f, 1,
					       NULL, &err), 0, "%s", err.msg);
		free(p);
	}
	total = 0;
	cr_assert_eq(repo_push(dev, url, dev_spec, 1, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(total, 7, "sent %zu objects", total);
	assert_fsck(at("srv/central.git"));
	cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
	cr_assert_str_eq(tip, d2);

	/*
	 * The supervisor merges: a commit on main with the device tip as a
	 * second parent.  Its tree is the device's (the device started from
	 * this main), which the server has: only the commit travels.
	 */
	cr_assert_eq(repo_fetch(sup, url, fetch_dev, 1, NULL, &err), 0, "%s", err.msg);
	{
		char tree[41];
		const char *parents[] = { d2 };
		repo_commit_opts co = REPO_COMMIT_OPTS_INIT;

		co.parents = parents;
		co.nparents = 1;
		co.message = "Merge";
		cr_assert_eq(repo_commit_tree(tree, sup, d2, &err), 0, "%s", err.msg);
		cr_assert_eq(repo_commit_create(merged, sup, "refs/heads/main", tree, m1, &co, &err), 0,
			     "%s", err.msg);
	}
	total = 0;
	cr_assert_eq(repo_push(sup, url, main_spec, 1, &opts, &err), 0, "%s", err.msg);
	cr_assert_eq(total, 1, "sent %zu objects", total);
	assert_fsck(at("srv/central.git"));
	cr_assert_eq(repo_ref_get(tip, central, "refs/heads/main", &err), 0);
	cr_assert_str_eq(tip, merged);

	/* A device whose branch the server moved on is told so (non-fast-forward). */
	{
		repo_file f = { "cases/zz/1/events/x.json", "x", 1, NULL };
		char other[41];

		cr_assert_eq(repo_commit_files(other, &created, sup, "refs/heads/devices/d1", m1, &f, 1,
					       NULL, &err), 0, "%s", err.msg);
		cr_assert_eq(repo_push(sup, url, dev_spec, 1, &opts, &err), REPO_ENONFASTFORWARD,
			     "%d %s", err.code, err.msg);
		cr_assert_eq(repo_ref_get(tip, central, "refs/heads/devices/d1", &err), 0);
		cr_assert_str_eq(tip, d2);
	}

	/* Pushing what the server already has sends nothing and succeeds. */
	cr_assert_eq(repo_push(dev, url, dev_spec, 1, &opts, &err), 0, "%s", err.msg);
	for (i = 0; i < 300; i++)
		free((char *)files[i].path);
	free(files);
	repo_free(sup);
	repo_free(dev);
	repo_free(central);
}

/* What a push to the hostile server in mode says: its code and message. */
static int push_to_fake(const char *mode, char *msg, size_t size)
{
	hw_repo *dev = NULL;
	repo_file f = { "cases/aa/1/events/x.json", "x", 1, NULL };
	const char *spec[] = { "refs/heads/devices/d1:refs/heads/devices/d1" };
	char c1[41], url[200];
	int created, port = free_port(), rc, status = 0;

	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	cr_assert_eq(repo_commit_files(c1, &created, dev, "refs/heads/devices/d1", NULL, &f, 1, NULL,
				       &err), 0);
	start_fake(port, mode);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/central.git", port);
	hw_error_clear(&err);
	rc = repo_push(dev, url, spec, 1, NULL, &err);
	snprintf(msg, size, "%s", err.msg);
	repo_free(dev);
	/* The server ends by itself once the connection is gone. */
	cr_assert_eq(waitpid(server_pid, &status, 0), server_pid);
	server_pid = 0;
	return rc;
}

#define HOSTILE(name, mode, code, words)                                                      \
	Test(push, name)                                                                          \
	{                                                                                         \
		char msg[1024];                                                                       \
		int rc = push_to_fake(mode, msg, sizeof(msg));                                        \
                                                                                                  \
		cr_assert_eq(rc, code, "%s: %d %s", mode, rc, msg);                                   \
		cr_assert(strstr(msg, words), "%s: %s", mode, msg);                                   \
		cr_assert(strstr(msg, "central.git"), "%s: %s", mode, msg);                           \
	}

HOSTILE(a_truncated_packet_is_a_cut_connection, "truncated", HW_ENETWORK, "connection was cut")
HOSTILE(a_length_that_is_not_hex_is_refused, "zzzz", HW_ENETWORK, "\"zzzz\", not a length")
HOSTILE(a_length_over_git_s_limit_is_refused_before_reading, "huge", HW_ENETWORK,
	"packet of 65535 bytes")
HOSTILE(a_65_kb_reference_name_is_refused, "longname", HW_ENETWORK, "too many bytes")
HOSTILE(an_endless_advertisement_stops_at_the_cap, "endless", HW_ENETWORK,
	"more than 20000 references")
HOSTILE(silence_then_close_is_a_cut_connection, "silence", HW_ENETWORK, "connection was cut")
HOSTILE(a_ref_refused_by_the_server_is_rejected_with_its_words, "ng", HW_EREJECTED,
	"the hook said no")
HOSTILE(side_band_3_in_the_report_stops_with_the_server_s_words, "fatal", HW_ENETWORK,
	"the disk of the server is full")
HOSTILE(a_pack_the_server_cannot_unpack_is_an_error, "unpackerr", HW_ENETWORK,
	"could not unpack what was sent: index-pack abnormal exit")
HOSTILE(a_report_that_does_not_name_the_ref_is_an_error, "noreport", HW_ENETWORK,
	"did not say whether it took refs/heads/devices/d1")

/* ---- the fetch's transport (src/sync/fetch.c) ----------------------------- */

/* fetch_drop_thin_pack on text (NUL written as "\0" in C), as text again. */
static const char *drop(const char *line, size_t len)
{
	static char buf[512];

	cr_assert_lt(len, sizeof(buf));
	memcpy(buf, line, len);
	len = fetch_drop_thin_pack(buf, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = '|';
	return buf;
}

#define L(s) s, sizeof(s) - 1

/*
 * libgit2's heap, counted: every allocation of libgit2 goes through these
 * (GIT_OPT_SET_ALLOCATOR), so a test can see the most it held at once.
 */
static long long heap_now, heap_peak;

static void heap_add(void *p, long long sign)
{
	if (p) {
		heap_now += sign * (long long)malloc_usable_size(p);
		if (heap_now > heap_peak)
			heap_peak = heap_now;
	}
}

static void *h_malloc(size_t n, const char *file, int line)
{
	void *p = malloc(n);

	(void)file;
	(void)line;
	heap_add(p, 1);
	return p;
}

static void *h_calloc(size_t m, size_t n, const char *file, int line)
{
	void *p = calloc(m, n);

	(void)file;
	(void)line;
	heap_add(p, 1);
	return p;
}

static void *h_realloc(void *old, size_t n, const char *file, int line)
{
	void *p;

	(void)file;
	(void)line;
	heap_add(old, -1);
	p = realloc(old, n);
	if (!p && n) {
		heap_add(old, 1);   /* realloc failed: the old block stays */
		return NULL;
	}
	heap_add(p, 1);
	return p;
}

static void *h_reallocarray(void *old, size_t m, size_t n, const char *file, int line)
{
	if (n && m > (size_t)-1 / n)
		return NULL;
	return h_realloc(old, m * n, file, line);
}

static void *h_mallocarray(size_t m, size_t n, const char *file, int line)
{
	return h_reallocarray(NULL, m, n, file, line);
}

static char *h_substrdup(const char *s, size_t n, const char *file, int line)
{
	char *p = h_malloc(n + 1, file, line);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static char *h_strndup(const char *s, size_t n, const char *file, int line)
{
	return h_substrdup(s, strnlen(s, n), file, line);
}

static char *h_strdup(const char *s, const char *file, int line)
{
	return h_substrdup(s, strlen(s), file, line);
}

static void h_free(void *p)
{
	heap_add(p, -1);
	free(p);
}

static git_allocator counting = {
	h_malloc, h_calloc, h_strdup, h_strndup, h_substrdup, h_realloc, h_reallocarray,
	h_mallocarray, h_free
};

/* The most libgit2 held above what it held when this was called. */
static long long heap_mark;
static void heap_reset(void)
{
	heap_mark = heap_now;
	heap_peak = heap_now;
}
static long long heap_grew(void)
{
	return heap_peak - heap_mark;
}

Test(push, neither_the_commit_nor_the_push_holds_the_whole_pack_in_memory)
{
	enum { NFILES = 4000, SIZE = 8192 };
	hw_repo *sup = NULL, *central = NULL;
	repo_file *files = calloc(NFILES, sizeof(*files));
	char *data = malloc((size_t)NFILES * SIZE);
	const char *main_spec[] = { "refs/heads/main:refs/heads/main" };
	char m1[41], url[200];
	unsigned long long x = 88172645463325252ULL;
	long long bytes = (long long)NFILES * SIZE;
	int created, port = free_port(), i;
	size_t k;

	cr_assert_not_null(files);
	cr_assert_not_null(data);
	cr_assert_eq(git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &counting), 0);
	cr_assert_eq(repo_open(&central, at("srv/central.git"), 1, &err), 0);
	cr_assert_eq(repo_open(&sup, at("sup/repo.git"), 1, &err), 0);
	start_daemon(at("srv"), port);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/central.git", port);

	/* 32 MB that does not compress: the pack is as large as the files. */
	for (k = 0; k < (size_t)NFILES * SIZE; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[k] = (char)x;
	}
	for (i = 0; i < NFILES; i++) {
		files[i].path = event_path(i, i);
		files[i].data = data + (size_t)i * SIZE;
		files[i].len = SIZE;
	}

	/*
	 * The commit keeps the new files in memory until they are packed
	 * (one pack for the commit); the pack itself goes to the indexer as it
	 * is written, so the commit never holds the files twice.
	 */
	heap_reset();
	cr_assert_eq(repo_commit_files(m1, &created, sup, "refs/heads/main", NULL, files, NFILES, NULL,
				       &err), 0, "%s", err.msg);
	cr_assert_lt(heap_grew(), bytes * 3 / 2, "the commit held %lld MB for %lld MB of files",
		     heap_grew() >> 20, bytes >> 20);

	/*
	 * The push sends the pack as it is written: what it holds is the
	 * packbuilder's list and a few objects at a time (8 MB here), never the
	 * pack (before, the pack and a copy of it: more than twice its size).
	 */
	heap_reset();
	cr_assert_eq(repo_push(sup, url, main_spec, 1, NULL, &err), 0, "%s", err.msg);
	cr_assert_lt(heap_grew(), bytes / 2, "the push held %lld MB for a pack of %lld MB",
		     heap_grew() >> 20, bytes >> 20);
	assert_fsck(at("srv/central.git"));

	for (i = 0; i < NFILES; i++)
		free((char *)files[i].path);
	free(files);
	free(data);
	repo_free(sup);
	repo_free(central);
	git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, NULL);
}

Test(push, the_fetch_transport_takes_thin_pack_out_of_the_capabilities)
{
	/* Middle, first, last, alone, twice; the length digits follow. */
	cr_assert_str_eq(drop(L("0026abc HEAD\0ofs-delta thin-pack side\n")),
			 "001cabc HEAD|ofs-delta side\n");
	cr_assert_str_eq(drop(L("001cabc HEAD\0thin-pack side\n")), "0012abc HEAD|side\n");
	cr_assert_str_eq(drop(L("001cabc HEAD\0side thin-pack\n")), "0012abc HEAD|side\n");
	cr_assert_str_eq(drop(L("0017abc HEAD\0thin-pack\n")), "000eabc HEAD|\n");
	cr_assert_str_eq(drop(L("0023abc HEAD\0thin-pack a thin-pack\n")), "000fabc HEAD|a\n");
	/* Other words that contain it, lines without capabilities: untouched. */
	cr_assert_str_eq(drop(L("0025abc HEAD\0thin-packs no-thin-pack\n")),
			 "0025abc HEAD|thin-packs no-thin-pack\n");
	cr_assert_str_eq(drop(L("0017abc HEAD thin-pack\n")), "0017abc HEAD thin-pack\n");
	cr_assert_str_eq(drop(L("00")), "00");
	cr_assert_str_eq(drop(L("0004")), "0004");
	/* No newline at the end. */
	cr_assert_str_eq(drop(L("0018abc HEAD\0a thin-pack")), "000eabc HEAD|a");
}

/* A fetch asking for a whole pack from the hostile server in mode: its code and message. */
static int fetch_from_fake(const char *mode, char *msg, size_t size)
{
	hw_repo *dev = NULL;
	const char *spec[] = { "+refs/heads/main:refs/remotes/central/main" };
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	char url[200];
	int port = free_port(), rc, status = 0;

	opts.whole_pack = 1;
	cr_assert_eq(repo_open(&dev, at("dev/repo.git"), 1, &err), 0);
	start_fake(port, mode);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/central.git", port);
	hw_error_clear(&err);
	rc = repo_fetch(dev, url, spec, 1, &opts, &err);
	snprintf(msg, size, "%s", err.msg);
	repo_free(dev);
	cr_assert_eq(waitpid(server_pid, &status, 0), server_pid);
	server_pid = 0;
	return rc;
}

#define HOSTILE_FETCH(name, mode)                                                             \
	Test(push, name)                                                                          \
	{                                                                                         \
		char msg[1024];                                                                       \
		int rc = fetch_from_fake(mode, msg, sizeof(msg));                                     \
                                                                                                  \
		cr_assert_lt(rc, 0, "%s: %d %s", mode, rc, msg);                                      \
		cr_assert(strstr(msg, "central.git"), "%s: %s", mode, msg);                           \
	}

HOSTILE_FETCH(a_fetch_whose_first_packet_is_truncated_fails_with_a_message, "truncated")
HOSTILE_FETCH(a_fetch_whose_first_length_is_not_hex_fails_with_a_message, "zzzz")
HOSTILE_FETCH(a_fetch_whose_first_length_is_over_the_limit_fails_with_a_message, "huge")
HOSTILE_FETCH(a_fetch_from_a_silent_server_fails_with_a_message, "silence")
