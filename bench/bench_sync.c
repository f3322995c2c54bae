/*
 * bench_sync.c: how long committing one new event takes when the
 * repository already holds 1k, 10k or 100k cases, and how long finding it
 * again (the diff an import does) takes.  Both should stay flat: only the
 * folders on the new file's path are rewritten or read.
 *
 *   bench/bench_sync [DIR] [CASES...]      (default: a temp dir; 1000 10000 100000)
 *
 * The archives are generated with fsync off (they are thrown away).  Each
 * size is measured without fsync (the work itself) and with it (as on a
 * device, where the disk dominates).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync/repo.h"
#include "util.h"

#define BATCH 5000     /* files per generated tree update */
#define ROUNDS 21      /* measured commits per size (odd: a clean median) */

/* Seconds since an arbitrary point, as a double. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A plausible case.opened event for case c; path into path, JSON into json. */
static void make_event(char *path, size_t psize, char *json, size_t jsize)
{
	char cid[HW_UUID_LEN + 1], eid[HW_UUID_LEN + 1];

	hw_uuid(cid);
	hw_uuid(eid);
	snprintf(path, psize, "cases/%.2s/%s/events/%s.json", cid, cid, eid);
	snprintf(json, jsize,
		 "{\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"Bench\",\"case\":\"%s\","
		 "\"data\":{\"birth_date\":\"1990-04-01\",\"family_name\":\"Okafor\","
		 "\"given_name\":\"Amina\",\"language\":\"en\",\"nationality\":\"NG\","
		 "\"return_country\":\"NG\"},\"device\":\"bench\",\"id\":\"%s\",\"parents\":[],"
		 "\"type\":\"case.opened\"}", cid, eid);
}

/* Build a commit holding ncases cases of one event each; its id into out. */
static int generate(hw_repo *r, size_t ncases, char out[REPO_OID_HEX + 1], hw_error *err)
{
	repo_file *files = calloc(BATCH, sizeof(*files));
	char (*paths)[128] = calloc(BATCH, sizeof(*paths));
	char (*jsons)[600] = calloc(BATCH, sizeof(*jsons));
	char tree[REPO_OID_HEX + 1] = "";
	size_t done = 0, i, n;
	int rc = 0;

	if (!files || !paths || !jsons)
		return hw_error_set(err, HW_ERROR, "out of memory");
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

/* Counts the files of a diff. */
static int count(int kind, const char *path, const char *blob, void *payload)
{
	(*(int *)payload)++;
	return 0;
}

/* qsort comparator for doubles. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Generate one archive of ncases and time ROUNDS single-event commits on it. */
static int bench_size(const char *dir, size_t ncases)
{
	char path[4200], tip[REPO_OID_HEX + 1], next[REPO_OID_HEX + 1];
	char fpath[128], json[600];
	double t0, gen, commits[2 * ROUNDS], diffs[2 * ROUNDS];
	hw_repo *r = NULL;
	hw_error err = { 0, "" };
	int i, created, nfiles;

	snprintf(path, sizeof(path), "%s/repo-%zu.git", dir, ncases);
	if (repo_open(&r, path, 1, &err) < 0)
		goto fail;
	repo_set_fsync(0);
	t0 = now();
	if (generate(r, ncases, tip, &err) < 0)
		goto fail;
	gen = now() - t0;
	/* Flush the generated archive now, so its writeback is not billed to the commits. */
	sync();

	for (i = 0; i < 2 * ROUNDS; i++) {
		repo_file f;

		/* First rounds without fsync (the work itself), then with it (as on a device). */
		repo_set_fsync(i >= ROUNDS);
		make_event(fpath, sizeof(fpath), json, sizeof(json));
		f.path = fpath;
		f.data = json;
		f.len = strlen(json);
		f.blob = NULL;
		t0 = now();
		if (repo_commit_files(next, &created, r, "refs/heads/main", tip, &f, 1, NULL, &err) < 0)
			goto fail;
		commits[i] = now() - t0;
		nfiles = 0;
		t0 = now();
		if (repo_diff(r, tip, next, count, &nfiles, &err) < 0)
			goto fail;
		diffs[i] = now() - t0;
		if (nfiles != 1) {
			hw_error_set(&err, HW_ERROR, "diff found %d files, expected 1", nfiles);
			goto fail;
		}
		memcpy(tip, next, sizeof(tip));
	}
	qsort(commits, ROUNDS, sizeof(double), cmp_double);
	qsort(commits + ROUNDS, ROUNDS, sizeof(double), cmp_double);
	qsort(diffs, 2 * ROUNDS, sizeof(double), cmp_double);
	printf("%8zu cases (generated in %5.1f s)  commit 1 event: %6.2f ms without fsync, "
	       "%6.2f ms with fsync (max %6.2f)  diff: %5.3f ms  (medians)\n",
	       ncases, gen, commits[ROUNDS / 2] * 1e3, commits[ROUNDS + ROUNDS / 2] * 1e3,
	       commits[2 * ROUNDS - 1] * 1e3, diffs[ROUNDS] * 1e3);
	fflush(stdout);
	repo_free(r);
	return 0;
fail:
	fprintf(stderr, "bench_sync: %zu cases: %s\n", ncases, err.msg);
	repo_free(r);
	return 1;
}

int main(int argc, char **argv)
{
	static const size_t defaults[] = { 1000, 10000, 100000 };
	char tmpl[4096];
	const char *dir = NULL;
	int i, first = 1, status = 0, own = 0;

	if (argc > 1 && !(argv[1][0] >= '0' && argv[1][0] <= '9')) {
		dir = argv[1];
		first = 2;
	}
	if (!dir) {
		snprintf(tmpl, sizeof(tmpl), "%s/homeward-bench.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!(dir = mkdtemp(tmpl))) {
			perror("bench_sync: mkdtemp");
			return 1;
		}
		own = 1;
	}
	printf("commit of 1 new event with tree builders (%d rounds each), in %s\n", ROUNDS, dir);
	if (first < argc) {
		for (i = first; i < argc; i++)
			status |= bench_size(dir, (size_t)strtoul(argv[i], NULL, 10));
	} else {
		for (i = 0; i < 3; i++)
			status |= bench_size(dir, defaults[i]);
	}
	if (own) {
		char cmd[4200];

		/* The generated archives are large and of no further use. */
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_sync: could not remove %s\n", dir);
	}
	return status;
}
