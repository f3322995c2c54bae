/*
 * run_progress.h: a sync, a merge or a review of the device branches
 * followed on the screen: a box over the body with the steps of the run
 * (done, under way, to come), a bar with the counts of the step under way
 * and an estimate of the time left.  Esc (or Ctrl-C) cancels the run: the
 * core stops at the next progress call, where everything done so far is
 * recorded and the next run carries on.
 */
#ifndef HW_UI_RUN_PROGRESS_H
#define HW_UI_RUN_PROGRESS_H

#include "sync/sync.h"
#include "view.h"

enum ui_run_kind {
	UI_RUN_SYNC,     /* sync_run: send, receive, import */
	UI_RUN_MERGE,    /* merge_run: send, receive, validate, merge, push, import */
	UI_RUN_REVIEW,   /* merge_review: receive, validate */
};

typedef struct ui_run ui_run;

/* Follow a run of this kind on t's screen; NULL when out of memory. */
ui_run *ui_run_new(tui *t, enum ui_run_kind kind);

/*
 * The progress callback (sync_opts.progress) with the ui_run as payload:
 * draws the box (at most ten times a second) and returns 1, which cancels
 * the run, once Esc or Ctrl-C was pressed.
 */
int ui_run_progress(const sync_progress *p, void *payload);

/* True when the user cancelled the run. */
int ui_run_cancelled(const ui_run *u);

/* Free; NULL is fine.  The box goes with the next drawing of the screen. */
void ui_run_free(ui_run *u);

#endif
