/*
 * sync_int.h: the run machinery shared by device sync (sync.c), supervisor
 * merge (merge.c) and form publishing (publish.c).  Not for other modules:
 * their door is sync.h.
 */
#ifndef HW_SYNC_INT_H
#define HW_SYNC_INT_H

#include <stddef.h>

#include "error.h"
#include "sync/repo.h"
#include "sync/sync.h"
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
	const char *device;
	char device_ref[300];       /* refs/heads/devices/<device> */
	char tracking_ref[300];     /* refs/remotes/central/devices/<device> */
	repo_remote_opts ropts;
	int step;                   /* the step under way, for transfer progress */
} run;

/* A growing list of files to add to a tree; sync_list_free frees. */
typedef struct file_list {
	repo_file *items;
	char **owned;               /* strings to free (paths, blob ids, contents) */
	size_t n, cap, nowned, capowned;
	size_t nevents, nsubmissions;
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

/* The test hook: behave as if the run had been cut right after step. */
int sync_stop_here(run *r, int step);

/* HW_EINVALID, saying what is for supervisors, unless the workspace's role is supervisor. */
int sync_require_supervisor(hw_ws *ws, const char *what);

/* Fetch main, and with devices every device branch (with own, this device's), from the remote. */
int sync_step_fetch(run *r, int devices, int own);

/*
 * Import every event and submission that main gained since the last import,
 * and install the forms it gained, then record main's commit; counts go to res.
 */
int sync_step_import(run *r, sync_result *res);

/* Commit pending items and push the device branch; counts go to res. */
int sync_send_pending(run *r, sync_result *res);

#endif
