/*
 * sync_int.h: the run machinery shared by device sync (sync.c), supervisor
 * merge (merge.c) and form publishing (publish.c).  Not for other modules:
 * their door is sync.h.
 */
#ifndef HW_SYNC_INT_H
#define HW_SYNC_INT_H

#include <stddef.h>

#include "error.h"
#include "seal.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"

#define DEVICE_REF_PREFIX "refs/heads/devices/"
#define MAIN_REF "refs/heads/main"

/* One run of sync, merge or publish. */
typedef struct run {
	hw_ws *ws;
	hw_store *st;
	hw_error *err;
	hw_repo *repo;
	const sync_opts *opts;
	char *remote;
	char *ca_file;              /* the sync.ca_file setting, or NULL */
	const char *device;
	char device_ref[300];       /* refs/heads/devices/<device> */
	char tracking_ref[300];     /* refs/remotes/central/devices/<device> */
	repo_remote_opts ropts;
	int step;                   /* the step under way, for transfer progress */
	int format;                 /* the format of main being imported */
	struct sync_sealer *sealer; /* NULL: nothing is sealed (no keys or no roster) */
	size_t keys_wrapped, keys_made;  /* by the last commit */
	int lock_fd;                /* the workspace's run lock, while locked */
	int locked;
	size_t locks_removed;       /* stale lock files removed from repo.git */
	char lock_note[300];        /* the first of them (its path inside repo.git) */
	int signed_mode;            /* the workspace has device keys: files are signed and checked */
	struct team_roster *roster; /* signed mode: the roster as last loaded (sync_roster) */
	char main_trusted[REPO_OID_HEX + 1];  /* signed mode: main as far as supervisors signed it */
	int main_forged;            /* main has commits above main_trusted that no supervisor signed */
	int own_fetched;            /* this run fetched the remote's copy of this device's branch */
	int main_peeked;            /* the last push saw main on the server: 1 at main_peek, 0 absent, -1 not known */
	char main_peek[REPO_OID_HEX + 1];
	merge_pruned *pruned;       /* device branches a fetch dropped (the server no longer has them) */
	size_t npruned;
} run;

/* A growing list of files to add to a tree; sync_list_free frees. */
typedef struct file_list {
	repo_file *items;
	char **owned;               /* strings to free (paths, blob ids, contents) */
	size_t n, cap, nowned, capowned;
	size_t nevents, nsubmissions;
	int format;                 /* the repository format the paths are laid out in */
	size_t nkeys;               /* wrap files added */
	size_t nsealed;             /* sealed envelopes added */
	size_t rotations;           /* new case keys made */
} file_list;

/* Append a file (path and content or blob are taken over by the list). */
int sync_list_add(file_list *l, char *path, char *data, size_t len, char *blob);

/* Free a file list's contents (the list itself is the caller's). */
void sync_list_free(file_list *l);

/* A new string of printf output (caller frees; NULL when out of memory). */
char *sync_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Copy src into dst of size bytes, cut short if it must be. */
void sync_copy_cut(char *dst, size_t size, const char *src);

/* Tell the front end; a non-zero answer cancels the run (HW_ERROR). */
int sync_report_progress(run *r, int step, int starting, size_t current, size_t total,
			 const char *text, size_t text_len);

/* True if id can name a branch: letters, digits, '.', '_', '-', not starting with '.'. */
int sync_device_id_ok(const char *id);

/* Prepare a run: the remote, the device id and the repository; sync_run_close releases. */
int sync_run_open(run *r, hw_ws *ws, const sync_opts *opts);

/* Release what a run holds (also after a failed sync_run_open). */
void sync_run_close(run *r);

/*
 * The workspace's run lock (locks.c): one sync, merge or publish at a time.
 * sync_lock_take: HW_EBUSY when another process holds it.  The kernel drops
 * it when the process dies, however it dies.
 */
int sync_lock_take(run *r);
void sync_lock_release(run *r);

/* With the run lock held: remove lock files left in repo.git by a run that died. */
void sync_clear_stale_locks(run *r);

/* Copy the count and first path of the removed lock files into res. */
void sync_note_locks(const run *r, sync_result *res);
/*
 * At the end of a sync or merge that went through: note when (SYNC_LAST_OK,
 * for homeward doctor), then roll the small packs of repo.git into one
 * (repo_rollup; a failure of that is noted in res, not returned).
 */
int sync_finished(run *r, sync_result *res);

/* The test hook: behave as if the run had been cut right after step. */
int sync_stop_here(run *r, int step);

/* HW_EINVALID, saying what is for supervisors, unless the workspace's role is supervisor. */
int sync_require_supervisor(hw_ws *ws, const char *what);

/*
 * True when the workspace belongs to a team: it has device keys and a
 * pinned trust root.  Its files are signed and checked against the roster,
 * and the roster says who is a supervisor (the role setting plays no part).
 */
int sync_team_mode(hw_ws *ws);

/* (Re)load the roster of the workspace into r->roster (signed mode). */
int sync_roster(run *r);

/*
 * Fetch main (with devices, every device branch in the same connection)
 * and keep the roster entries main holds, then reload the roster (signed
 * mode).
 */
int sync_refresh_roster(run *r, int devices);

/* The commit signing callback of signed mode (payload: the run). */
int sync_sign_commit(char **out, const char *data, size_t len, void *payload);

/*
 * Fetch main, and with devices every device branch (with own, this
 * device's), from the remote.  With devices, the copies of device branches
 * the remote no longer has are dropped and noted in r->pruned.
 */
int sync_step_fetch(run *r, int devices, int own);

/* Move what r->pruned holds to *out and *n (the caller frees it with sync_pruned_free). */
void sync_take_pruned(run *r, merge_pruned **out, size_t *n);

/* Free a list of pruned branches (NULL is fine). */
void sync_pruned_free(merge_pruned *p, size_t n);

/*
 * Import every event and submission that main gained since the last import,
 * and install the forms it gained, then record main's commit; counts go to res.
 */
int sync_step_import(run *r, sync_result *res);

/* Commit pending items and push the device branch; counts go to res. */
int sync_send_pending(run *r, sync_result *res);

/*
 * The repository format (migrate.c): the format of the tree of commit
 * into *format (no commit: the newest format; no format file: 1).
 * HW_ECORRUPT when the file is not a format number.
 */
int sync_format_of(run *r, const char *commit, int *format);

/*
 * The format a new main (or a branch with no main) starts in: the newest,
 * unless a step this workspace cannot run yet (sealing without a roster)
 * keeps it at the format before that step.
 */
int sync_format_new(run *r);

/* HW_EINVALID, saying to update the program, when format is newer than this program knows. */
int sync_format_check(run *r, int format);

/* Fill f with the format file saying format (its text in buf). */
int sync_format_file(repo_file *f, char buf[16], int format);

/* The folder of a case in the layout of format ("cases/..../<id>"), or NULL for a bad id. */
char *sync_case_dir(int format, const char *case_id);

/* The layout of format in words, for messages. */
const char *sync_case_layout(int format);

/*
 * When path is a file inside a case folder of format's layout (the shard
 * folders matching the id), copy the case id and return what follows the
 * case folder ("events/x.json"); else NULL.
 */
const char *sync_case_split(int format, const char *path, char case_id[HW_UUID_LEN + 1]);

/*
 * After main was fetched: refuse a main newer than this program knows, and
 * when main is in another format than this device's branch, move the branch
 * to main: every own event and submission that main lacks is pending again,
 * the branch restarts at main and is committed and pushed (replacing the
 * old branch on the remote).  Nothing recorded here is lost.
 */
int sync_step_follow(run *r, sync_result *res);

/*
 * A migration step takes every file of main in format `from` and emits the
 * files of format from + 1 (migrate.c keeps the ordered list).  Each file
 * of main goes through file() (NULL: passed on as it is); what it emits
 * goes on to the next step, and what the last step emits is the new main.
 * begin() may make a state, finish() may emit more files at the end, free()
 * frees the state; each may be NULL.  The format file is written by the
 * migration, never by a step.
 */
typedef struct migrate_ctx migrate_ctx;
typedef struct migrate_step {
	int from;
	const char *what;    /* one English line: what changes, for --dry-run and the commit */
	int (*begin)(migrate_ctx *m, void **state);
	int (*file)(migrate_ctx *m, const char *path, const char *blob, void *state);
	int (*finish)(migrate_ctx *m, void *state);
	void (*free)(void *state);
	int (*ready)(run *r);  /* NULL, or whether this workspace can run the step now;
				  when it cannot, the migration stops at the format before it */
} migrate_step;

/* Emit a file of the next format: its content, or a blob already in the repository. */
int migrate_emit(migrate_ctx *m, const char *path, const void *data, size_t len);
int migrate_emit_blob(migrate_ctx *m, const char *path, const char *blob);

/* Read a blob of main (caller frees *data; limits as repo_blob_read). */
int migrate_read(migrate_ctx *m, const char *blob, char **data, size_t *len);

/* The run (workspace, store, repository, error slot) of a migration. */
run *migrate_run(migrate_ctx *m);
/* --- Sealing (seal_sync.c) ----------------------------------------------- */

typedef struct sync_sealer sync_sealer;

/*
 * A sealer for run r: it seals with the workspace's unlocked keys for the
 * recipients that roster (with roster_payload) and each case's work name.
 * Caller frees with sync_sealer_free.
 */
int sync_sealer_new(sync_sealer **out, run *r, seal_roster_fn roster, void *roster_payload);
void sync_sealer_free(sync_sealer *s);

/* True when commits are sealed: the keys are unlocked and a roster names the recipients. */
int sync_sealer_active(const sync_sealer *s);

/* One file of a commit, before it is sealed. */
typedef struct sync_plain_item {
	const char *path;           /* where it goes in the tree */
	const char *name;           /* its own name: the envelope's name */
	const char *data;           /* clear content */
	size_t len;
} sync_plain_item;

/*
 * Seal the new files of one case (in the layout of files->format) for a commit on top of commits (the trees
 * that show the case's keys: the branch's parent and central main; ""
 * entries ignored) and add them to files, with the wrap files the case's
 * recipients lack, or a new key wrapped for all of them when an existing
 * key reaches someone who is no longer a recipient.
 */
int sync_seal_case(sync_sealer *s, const char *const *commits, size_t n, const char *case_id,
		   const sync_plain_item *items, size_t nitems, file_list *files);

/*
 * Seal every file of plain (clear events and submissions, paths of the
 * layout) for a commit on top of parent (NULL or "": none) into out, case
 * by case with sync_seal_case (central main's tree shows keys too).  A
 * file the parent already holds is taken as it is there.
 */
int sync_seal_commit(sync_sealer *s, const char *parent, const file_list *plain, file_list *out);

/*
 * Open the envelope data (a file of case_id named name) found with the
 * trees of commits: *plain (caller frees, NUL-terminated) is its body in
 * clear; *sealed says whether it was sealed.  HW_ENOTFOUND (no detail)
 * when it is sealed under a key not wrapped for this device;
 * HW_EINVALID when it is not an envelope of this file or does not open.
 */
int sync_seal_open(sync_sealer *s, int format, const char *const *commits, size_t n,
		   const char *case_id, const char *name, const char *data, size_t len,
		   char **plain, size_t *plen, int *sealed);

/*
 * The migration step that seals an existing main (format 2 to 3): every
 * event and submission in clear (or signed in clear) is sealed, case by
 * case, for the case's recipients as this supervisor's workspace folds
 * them; everything else is carried as it is.  It can run only with the
 * keys unlocked and a roster (sync_seal_migrate_ready): without, the
 * migration stops at the format before it.
 */
int sync_seal_migrate_ready(run *r);
int sync_seal_migrate_begin(migrate_ctx *m, void **state);
int sync_seal_migrate_file(migrate_ctx *m, const char *path, const char *blob, void *state);
int sync_seal_migrate_finish(migrate_ctx *m, void *state);
void sync_seal_migrate_free(void *state);

#endif
