/*
 * verify.c: the server's own check of a push (`homeward verify-push` in a
 * pre-receive hook): main moves only forward, along commits that each carry
 * the signature of a supervisor of the team.  See docs/security.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/repo.h"
#include "sync/sync.h"
#include "sync_int.h"
#include "team.h"
#include "util.h"

#define ZERO_OID "0000000000000000000000000000000000000000"

/* Roster files of a commit, read into memory. */
typedef struct roster_read {
	hw_repo *repo;
	team_file *files;
	size_t n, cap;
	hw_error *err;
} roster_read;

static int take_entry(const char *path, const char *blob, void *payload)
{
	roster_read *rr = payload;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!team_path_ok(path))
		return 0;
	if ((rc = repo_blob_size(&len, rr->repo, blob, rr->err)) < 0)
		return rc;
	if (len > TEAM_ENTRY_MAX)
		return 0;   /* never an entry: not read */
	if ((rc = repo_blob_read(&data, &len, rr->repo, blob, rr->err)) < 0)
		return rc;
	if (rr->n == rr->cap) {
		size_t cap = rr->cap ? rr->cap * 2 : 16;
		team_file *g = realloc(rr->files, cap * sizeof(*g));

		if (!g) {
			free(data);
			return hw_error_set(rr->err, HW_ERROR, "out of memory");
		}
		rr->files = g;
		rr->cap = cap;
	}
	rr->files[rr->n].path = hw_strdup(path);
	rr->files[rr->n].data = data;
	rr->files[rr->n].len = len;
	if (!rr->files[rr->n].path) {
		free(data);
		return hw_error_set(rr->err, HW_ERROR, "out of memory");
	}
	rr->n++;
	return 0;
}

int sync_verify_push(const char *repo_dir, const unsigned char root[KEYS_SIGN_PUBLIC],
		     const char *old, const char *new, const char *ref, hw_error *err)
{
	hw_repo *repo = NULL;
	team_roster *roster = NULL;
	roster_read rr;
	char commit[REPO_OID_HEX + 1], parent[REPO_OID_HEX + 1];
	size_t walked = 0;
	int rc, reached = 0;

	memset(&rr, 0, sizeof(rr));
	if (strcmp(ref, MAIN_REF) != 0)
		return 0;   /* device branches are checked file by file when merged */
	if (strlen(new) != REPO_OID_HEX || strlen(old) != REPO_OID_HEX)
		return hw_error_set(err, HW_EREJECTED, "not a commit id");
	if (strcmp(new, ZERO_OID) == 0)
		return hw_error_set(err, HW_EREJECTED, "main is never deleted");
	if ((rc = repo_open(&repo, repo_dir, 0, err)) < 0)
		return rc;
	rr.repo = repo;
	rr.err = err;
	/* The roster as the new main holds it, checked against the pinned root. */
	if ((rc = repo_folder_files(repo, new, "team", TEAM_MAX_ENTRIES, take_entry, &rr, err)) < 0 ||
	    (rc = team_roster_build(&roster, root, rr.files, rr.n, err)) < 0)
		goto cleanup;
	snprintf(commit, sizeof(commit), "%s", new);
	while (commit[0]) {
		char *sig = NULL, *data = NULL, at[HW_TIME_LEN + 1];
		size_t len = 0;
		long long when = 0;

		if (strcmp(commit, old) == 0) {
			reached = 1;
			break;
		}
		if (++walked > REPO_MAX_WALK) {
			rc = hw_error_set(err, HW_EREJECTED, "main gains more than %d commits at once", REPO_MAX_WALK);
			goto cleanup;
		}
		if ((rc = repo_commit_parent(parent, NULL, &when, repo, commit, err)) < 0)
			goto cleanup;
		rc = repo_commit_signature(&sig, &data, &len, repo, commit, err);
		hw_time_iso((time_t)when, at);
		if (rc == 0)
			rc = team_commit_check(roster, sig, data, len, at, NULL, 0, err);
		free(sig);
		free(data);
		if (rc == HW_EINVALID || rc == HW_ENOTFOUND) {
			hw_error_prefix(err, "commit %.12s of main: no supervisor of the team signed it", commit);
			rc = HW_EREJECTED;
			err->code = rc;
			goto cleanup;
		}
		if (rc < 0)
			goto cleanup;
		memcpy(commit, parent, sizeof(parent));
	}
	if (!reached && strcmp(old, ZERO_OID) != 0)
		rc = hw_error_set(err, HW_EREJECTED, "main may only move forward: the pushed main does not contain %.12s", old);
cleanup:
	team_files_free(rr.files, rr.n);
	team_roster_free(roster);
	repo_free(repo);
	return rc;
}
