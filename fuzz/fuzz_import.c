/*
 * fuzz_import.c: libFuzzer target for the merge validator and the
 * importer.  Each input is a set of files that a hostile device puts on
 * its branch and a hostile main carries; a supervisor merges (validating
 * every commit of the branch) and imports main, and a counsellor syncs.
 *
 * An input is records separated by a NUL byte, each "PATH\nCONTENT":
 *   - PATH "E": an event; its path is made from the "id" and "case" the
 *     content names (so the validator's deeper checks are reached);
 *   - PATH starting with "!": the file goes onto main directly;
 *   - any other PATH: the file as it is (paths the repository module
 *     refuses are dropped);
 *   - a record "-" starts a second commit on the branch, which deletes
 *     the first file of the first one (history the tip does not show).
 *
 * Build and run: make fuzz-import (FUZZ_TIME seconds, default 1200).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"
#include "../tests/testkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], central[300];
static hw_ws *sup, *dev;
static int runs;

/* Everything an iteration uses, made afresh every few hundred inputs so state stays small. */
static void setup(void)
{
	char path[400];
	hw_repo *r = NULL;
	hw_error err;
	const char *base = getenv("TMPDIR");

	if (sup) {
		ws_free(sup);
		ws_free(dev);
		snprintf(path, sizeof(path), "rm -rf '%s'", dir);
		if (system(path) != 0)
			abort();
	}
	snprintf(dir, sizeof(dir), "%s/fuzz-import-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(central, sizeof(central), "%s/central.git", dir);
	repo_set_fsync(0);
	if (repo_open(&r, central, 1, &err) < 0)
		abort();
	repo_free(r);
	snprintf(path, sizeof(path), "%s/sup", dir);
	if (ws_open(&sup, path, WS_OPEN_CREATE, test_key(), &err) < 0 ||
	    ws_init(sup, "sup", "Sup", "supervisor", central) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/dev", dir);
	if (ws_open(&dev, path, WS_OPEN_CREATE, test_key(), &err) < 0 ||
	    ws_init(dev, "dev", "Dev", "counsellor", central) < 0)
		abort();
}

/* The value of "key":"..." in s (36 characters), or 0. */
static int member(const char *s, const char *key, char out[HW_UUID_LEN + 1])
{
	const char *p = strstr(s, key);

	if (!p || strlen(p) < strlen(key) + HW_UUID_LEN)
		return 0;
	memcpy(out, p + strlen(key), HW_UUID_LEN);
	out[HW_UUID_LEN] = '\0';
	return strchr(out, '/') == NULL;
}

/* Commit files on top of ref (or main, or nothing); 0 when done. */
static int commit(const char *ref, repo_file *f, size_t n, char tip[41])
{
	hw_repo *r = NULL;
	hw_error err;
	char parent[41], out[41];
	int created, rc;

	if (repo_open(&r, central, 0, &err) < 0)
		abort();
	if (!tip[0] && repo_ref_get(parent, r, ref, &err) < 0 &&
	    repo_ref_get(parent, r, "refs/heads/main", &err) < 0)
		parent[0] = '\0';
	if (tip[0])
		memcpy(parent, tip, 41);
	rc = repo_commit_files(out, &created, r, ref, parent[0] ? parent : NULL, f, n, NULL, &err);
	if (rc == 0)
		memcpy(tip, out, 41);
	repo_free(r);
	return rc;
}

/* The second commit: the branch as it was before the first. */
static void commit_back(const char *ref, const char *before, const char *tip)
{
	hw_repo *r = NULL;
	hw_error err;
	char tree[41], out[41];

	if (!before[0] || repo_open(&r, central, 0, &err) < 0)
		return;
	if (repo_commit_tree(tree, r, before, &err) == 0)
		repo_commit_create(out, r, ref, tree, tip, NULL, &err);
	repo_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	repo_file branch[64], onmain[64];
	char *copy, *rec, *next, *owned[128];
	size_t nb = 0, nm = 0, no = 0, i;
	char before[41] = "", tip[41] = "", mtip[41] = "";
	int second = 0;
	merge_result m;
	sync_result s;

	if (!sup || ++runs % 300 == 0)
		setup();
	if (!(copy = malloc(size + 1)))
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (rec = copy; rec && nb < 64 && nm < 64 && no < 120; rec = next) {
		char *nl, *path;
		size_t len;

		next = memchr(rec, '\0', (size_t)(copy + size - rec));
		len = next ? (size_t)(next - rec) : strlen(rec);
		if (next)
			next = next + 1 <= copy + size ? next + 1 : NULL;
		if (len == 1 && rec[0] == '-') {
			second = 1;
			continue;
		}
		if (!(nl = memchr(rec, '\n', len)))
			continue;
		*nl = '\0';
		path = rec;
		if (strcmp(path, "E") == 0) {
			char id[HW_UUID_LEN + 1], cs[HW_UUID_LEN + 1];

			if (!member(nl + 1, "\"id\":\"", id) || !member(nl + 1, "\"case\":\"", cs))
				continue;
			if (asprintf(&path, "cases/%.2s/%s/events/%s.json", cs, cs, id) < 0)
				continue;
			owned[no++] = path;
		}
		if (path[0] == '!') {
			onmain[nm].path = path + 1;
			onmain[nm].data = nl + 1;
			onmain[nm].len = len - (size_t)(nl + 1 - rec);
			onmain[nm++].blob = NULL;
		} else {
			branch[nb].path = path;
			branch[nb].data = nl + 1;
			branch[nb].len = len - (size_t)(nl + 1 - rec);
			branch[nb++].blob = NULL;
		}
	}

	/* The device branch starts from main each time. */
	{
		hw_repo *r = NULL;
		hw_error err;

		if (repo_open(&r, central, 0, &err) == 0) {
			if (repo_ref_get(before, r, "refs/heads/main", &err) == 0)
				repo_ref_set(r, "refs/heads/devices/dev-f", before, &err);
			repo_free(r);
		}
	}
	memcpy(tip, before, sizeof(tip));
	if (nb && commit("refs/heads/devices/dev-f", branch, nb, tip) == 0 && second)
		commit_back("refs/heads/devices/dev-f", before, tip);
	if (nm)
		commit("refs/heads/main", onmain, nm, mtip);

	memset(&m, 0, sizeof(m));
	merge_run(sup, NULL, &m);
	merge_result_free(&m);
	sync_run(dev, NULL, &s);

	for (i = 0; i < no; i++)
		free(owned[i]);
	free(copy);
	return 0;
}
