/*
 * bench_push.c: what a push to a server costs on an archive of 1k, 10k or
 * 100k cases, with libgit2's own push and with the push that sends only
 * what is new (src/sync/push.c), side by side.
 *
 *   bench/bench_push [CASES...]      (default: 1000 10000 100000)
 *
 * For each size: a central repository whose main holds that many cases
 * (one event each, in format 2's layout), served by `git daemon` on
 * 127.0.0.1; a device (a local clone) pushes its branch: the first push
 * (a new branch starting from main), then ROUNDS pushes of one new event
 * each; then a supervisor pushes a merge commit of main with the device
 * tip as second parent.  For each: wall time, processor time of this
 * process (the client) and bytes of the pack, medians for the rounds.
 * Needs git; the archives are generated with fsync off and removed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync/repo.h"
#include "util.h"

#define BATCH 5000
#define ROUNDS 7

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A case.opened-like event in format 2's layout. */
static void make_event(char *path, size_t psize, char *json, size_t jsize)
{
	char cid[HW_UUID_LEN + 1], eid[HW_UUID_LEN + 1];

	hw_uuid(cid);
	hw_uuid(eid);
	snprintf(path, psize, "cases/%c/%c/%c/%s/events/%s.json", cid[0], cid[1], cid[2], cid, eid);
	snprintf(json, jsize,
		 "{\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"Bench\",\"case\":\"%s\","
		 "\"data\":{\"family_name\":\"Okafor\",\"given_name\":\"Amina\"},"
		 "\"device\":\"bench\",\"id\":\"%s\",\"parents\":[],\"type\":\"case.opened\"}", cid, eid);
}

static int generate(hw_repo *r, size_t ncases, char out[REPO_OID_HEX + 1], hw_error *err)
{
	repo_file *files = calloc(BATCH, sizeof(*files));
	char (*paths)[160] = calloc(BATCH, sizeof(*paths));
	char (*jsons)[600] = calloc(BATCH, sizeof(*jsons));
	char tree[REPO_OID_HEX + 1] = "";
	size_t done = 0, i, n;
	int rc = 0;

	if (!files || !paths || !jsons) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	while (done < ncases) {
		n = ncases - done < BATCH ? ncases - done : BATCH;
		for (i = 0; i < n; i++) {
			make_event(paths[i], sizeof(paths[i]), jsons[i], sizeof(jsons[i]));
			files[i].path = paths[i];
			files[i].data = jsons[i];
			files[i].len = strlen(jsons[i]);
			files[i].blob = NULL;
		}
		if ((rc = repo_tree_add(tree, r, tree[0] ? tree : NULL, files, n, err)) < 0)
			goto cleanup;
		done += n;
	}
	rc = repo_commit_create(out, r, "refs/heads/main", tree, NULL, NULL, err);
cleanup:
	free(files);
	free(paths);
	free(jsons);
	return rc;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

static pid_t start_daemon(const char *base, int port)
{
	char base_arg[4300], port_arg[32];
	pid_t pid;
	int i;

	snprintf(base_arg, sizeof(base_arg), "--base-path=%s", base);
	snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
	if ((pid = fork()) == 0) {
		execlp("git", "git", "daemon", "--reuseaddr", base_arg, "--export-all",
		       "--enable=receive-pack", "--listen=127.0.0.1", port_arg, (char *)NULL);
		_exit(127);
	}
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
			return pid;
		nanosleep(&ts, NULL);
	}
	return pid;
}

static int on_progress(const repo_progress *p, void *payload)
{
	size_t *bytes = payload;

	if (p->stage == REPO_PROGRESS_PUSH)
		*bytes = p->bytes;
	return 0;
}

struct measure {
	double wall, cpu;
	size_t bytes;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Push spec from r to url, measured into m. */
static int timed_push(hw_repo *r, const char *url, const char *spec, struct measure *m,
		      hw_error *err)
{
	repo_remote_opts opts = REPO_REMOTE_OPTS_INIT;
	const char *specs[] = { spec };
	double w = now(), c = cpu();
	int rc;

	m->bytes = 0;
	opts.progress = on_progress;
	opts.payload = &m->bytes;
	rc = repo_push(r, url, specs, 1, &opts, err);
	m->wall = now() - w;
	m->cpu = cpu() - c;
	return rc;
}

/* One event on the device branch, on top of *tip; *tip becomes the new commit. */
static int one_event(hw_repo *dev, const char *branch, char tip[REPO_OID_HEX + 1], hw_error *err)
{
	char path[160], json[600], out[REPO_OID_HEX + 1];
	repo_file f;
	int created, rc;

	make_event(path, sizeof(path), json, sizeof(json));
	f.path = path;
	f.data = json;
	f.len = strlen(json);
	f.blob = NULL;
	if ((rc = repo_commit_files(out, &created, dev, branch, tip, &f, 1, NULL, err)) < 0)
		return rc;
	memcpy(tip, out, sizeof(out));
	return 0;
}

static int bench_mode(const char *dir, const char *url, size_t ncases, const char *main_tip,
		      int libgit2, const char *name)
{
	char path[4200], cmd[9000], branch[64], spec[160], tip[REPO_OID_HEX + 1];
	char tree[REPO_OID_HEX + 1], merged[REPO_OID_HEX + 1];
	double walls[ROUNDS], cpus[ROUNDS];
	size_t bytes[ROUNDS];
	struct measure first, m, merge;
	hw_repo *dev = NULL, *sup = NULL;
	hw_error err = { 0 };
	int rc, i;

	repo_set_libgit2_push(libgit2);
	snprintf(path, sizeof(path), "%s/%s-%zu.git", dir, name, ncases);
	snprintf(cmd, sizeof(cmd), "git clone -q --bare -l '%s/srv/%zu.git' '%s'", dir, ncases, path);
	if (system(cmd) != 0)
		return fprintf(stderr, "bench_push: %s failed\n", cmd), 1;
	if ((rc = repo_open(&dev, path, 0, &err)) < 0)
		goto fail;
	snprintf(branch, sizeof(branch), "refs/heads/devices/%s", name);
	snprintf(spec, sizeof(spec), "%s:%s", branch, branch);
	memcpy(tip, main_tip, sizeof(tip));
	if ((rc = one_event(dev, branch, tip, &err)) < 0 ||
	    (rc = timed_push(dev, url, spec, &first, &err)) < 0)
		goto fail;
	for (i = 0; i < ROUNDS; i++) {
		if ((rc = one_event(dev, branch, tip, &err)) < 0 ||
		    (rc = timed_push(dev, url, spec, &m, &err)) < 0)
			goto fail;
		walls[i] = m.wall;
		cpus[i] = m.cpu;
		bytes[i] = m.bytes;
	}
	/* The supervisor merges the device: main's tree is the device's, two parents. */
	snprintf(path, sizeof(path), "%s/sup-%s-%zu.git", dir, name, ncases);
	snprintf(cmd, sizeof(cmd), "git clone -q --bare -l '%s/srv/%zu.git' '%s'", dir, ncases, path);
	if (system(cmd) != 0)
		return fprintf(stderr, "bench_push: %s failed\n", cmd), 1;
	if ((rc = repo_open(&sup, path, 0, &err)) < 0)
		goto fail;
	{
		const char *fetch[] = { "+refs/heads/*:refs/heads/*" };
		const char *parents[] = { tip };
		repo_commit_opts co = REPO_COMMIT_OPTS_INIT;
		char cur[REPO_OID_HEX + 1];

		co.parents = parents;
		co.nparents = 1;
		co.message = "Merge";
		if ((rc = repo_fetch(sup, url, fetch, 1, NULL, &err)) < 0 ||
		    (rc = repo_ref_get(cur, sup, "refs/heads/main", &err)) < 0 ||
		    (rc = repo_commit_tree(tree, sup, tip, &err)) < 0 ||
		    (rc = repo_commit_create(merged, sup, "refs/heads/main", tree, cur, &co, &err)) < 0 ||
		    (rc = timed_push(sup, url, "refs/heads/main:refs/heads/main", &merge, &err)) < 0)
			goto fail;
	}
	qsort(walls, ROUNDS, sizeof(double), cmp_double);
	qsort(cpus, ROUNDS, sizeof(double), cmp_double);
	printf("%8zu  %-8s  first %6.3f s %6.3f cpu %8zu B | one event %6.3f s %6.3f cpu %6zu B"
	       " | merge %6.3f s %6.3f cpu %6zu B\n",
	       ncases, name, first.wall, first.cpu, first.bytes, walls[ROUNDS / 2], cpus[ROUNDS / 2],
	       bytes[ROUNDS / 2], merge.wall, merge.cpu, merge.bytes);
	fflush(stdout);
	repo_free(dev);
	repo_free(sup);
	return 0;
fail:
	fprintf(stderr, "bench_push: %s at %zu: %s\n", name, ncases, err.msg);
	repo_free(dev);
	repo_free(sup);
	return 1;
}

static int bench_size(const char *dir, size_t ncases, int port)
{
	char path[4200], url[200], main_tip[REPO_OID_HEX + 1];
	hw_repo *srv = NULL;
	hw_error err = { 0 };
	int status = 0;

	snprintf(path, sizeof(path), "%s/srv/%zu.git", dir, ncases);
	repo_set_fsync(0);
	if (repo_open(&srv, path, 1, &err) < 0 || generate(srv, ncases, main_tip, &err) < 0) {
		fprintf(stderr, "bench_push: %s\n", err.msg);
		repo_free(srv);
		return 1;
	}
	repo_free(srv);
	repo_set_fsync(1);
	snprintf(url, sizeof(url), "git://127.0.0.1:%d/%zu.git", port, ncases);
	/* Alternate, so that both see the server in the same state. */
	status |= bench_mode(dir, url, ncases, main_tip, 1, "libgit2");
	status |= bench_mode(dir, url, ncases, main_tip, 0, "own");
	return status;
}

int main(int argc, char **argv)
{
	static const size_t defaults[] = { 1000, 10000, 100000 };
	char tmpl[4096], srv[4200], cmd[4300];
	const char *dir;
	int i, status = 0, port = free_port();
	pid_t daemon;

	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpl, sizeof(tmpl), "%s/homeward-push.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!(dir = mkdtemp(tmpl)))
		return perror("bench_push: mkdtemp"), 1;
	snprintf(srv, sizeof(srv), "%s/srv", dir);
	if (hw_mkdir_p(srv, NULL) < 0)
		return 1;
	daemon = start_daemon(srv, port);
	printf("push of a device branch and of a merge, through git daemon (medians of %d)\n", ROUNDS);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			status |= bench_size(dir, (size_t)strtoul(argv[i], NULL, 10), port);
	} else {
		for (i = 0; i < 3; i++)
			status |= bench_size(dir, defaults[i], port);
	}
	kill(daemon, SIGTERM);
	waitpid(daemon, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_push: could not remove %s\n", dir);
	return status;
}
