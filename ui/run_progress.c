/*
 * run_progress.c: a run followed on the screen (run_progress.h).  The core
 * tells each step as it begins and its counts within it (sync.h); this
 * file maps them to the steps a person sees and draws them in a box.
 */
#include "config.h"
#include "run_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "curses.h"
#include "i18n.h"
#include "progress.h"
#include "text.h"

/* The steps a person sees, in order. */
enum { ST_SEND, ST_FETCH, ST_VALIDATE, ST_MERGE, ST_PUSH, ST_IMPORT, NSTAGES };

/* TRANSLATORS: the steps of a sync or a merge, as the progress box lists them. */
static const char *const stage_names[NSTAGES] = {
	N_("Send what was recorded here"), N_("Fetch from the central repository"),
	N_("Validate the device branches"), N_("Merge the good ones into main"),
	N_("Push main"), N_("Import into this workspace"),
};

struct ui_run {
	tui *t;
	enum ui_run_kind kind;
	int stage;               /* ST_* under way, -1 before the first */
	int done[NSTAGES];       /* steps finished */
	size_t current, total;   /* counts of the step under way */
	char detail[256];        /* what the step is doing ("device laptop-2") */
	double stage_start, last_draw, last_poll;
	int cancelled;
};

/* Which steps a kind of run has. */
static int has_stage(enum ui_run_kind kind, int stage)
{
	switch (kind) {
	case UI_RUN_SYNC: return stage == ST_SEND || stage == ST_FETCH || stage == ST_IMPORT;
	case UI_RUN_REVIEW: return stage == ST_FETCH || stage == ST_VALIDATE;
	default: return 1;
	}
}

ui_run *ui_run_new(tui *t, enum ui_run_kind kind)
{
	ui_run *u = calloc(1, sizeof *u);

	if (!u)
		return NULL;
	u->t = t;
	u->kind = kind;
	u->stage = -1;
	u->stage_start = ui_progress_now();
	return u;
}

void ui_run_free(ui_run *u)
{
	free(u);
}

int ui_run_cancelled(const ui_run *u)
{
	return u && u->cancelled;
}

/* The step of the run a progress call belongs to, or -1 for none. */
static int stage_of(const ui_run *u, const sync_progress *p)
{
	switch (p->step) {
	case SYNC_STEP_COMMIT:
		return ST_SEND;
	case SYNC_STEP_PUSH:
		/* A merge pushes its own branch first, main after validating. */
		return u->kind == UI_RUN_MERGE && u->stage >= ST_VALIDATE ? ST_PUSH : ST_SEND;
	case SYNC_STEP_FETCH:
		return ST_FETCH;
	case SYNC_STEP_MERGE:
		/* Every branch checked: what is left is writing the merge. */
		if (u->kind == UI_RUN_MERGE && !p->starting && p->total && p->current >= p->total)
			return ST_MERGE;
		return ST_VALIDATE;
	case SYNC_STEP_IMPORT:
		/* A merge imports main before validating: part of fetching it. */
		return u->kind == UI_RUN_MERGE && u->stage < ST_VALIDATE ? ST_FETCH : ST_IMPORT;
	default:
		return -1;
	}
}

/* The box's title. */
static const char *run_title(const ui_run *u)
{
	switch (u->kind) {
	case UI_RUN_SYNC: return _("Sync");
	case UI_RUN_REVIEW: return _("Fetching and checking the device branches");
	default: return _("Merging the device branches into main");
	}
}

/* Draw the box over the body and show it at once. */
static void draw(ui_run *u)
{
	tui *t = u->t;
	int ascii = !chart_utf8_locale(), rtl = tui_is_rtl(t);
	int nst = 0, w, h, x, y, i, row, pct = 0;
	char line[512], eta[128], *bar = NULL;
	double now = ui_progress_now();

	for (i = 0; i < NSTAGES; i++)
		nst += has_stage(u->kind, i);
	w = COLS - 4 < 66 ? COLS - 4 : 66;
	h = nst + 7;
	if (w < 20 || LINES < h + 2)
		return;
	x = (COLS - w) / 2;
	y = 1 + (LINES - 4 - h) / 2;
	if (y < 1)
		y = 1;
	ui_blank(y, x, w, ROLE_TITLE);
	ui_put(t, y, x + 1, w - 2, run_title(u), ROLE_TITLE, rtl);
	for (row = 1; row < h; row++)
		ui_blank(y + row, x, w, ROLE_NORMAL);
	row = 2;
	for (i = 0; i < NSTAGES; i++) {
		const char *mark;
		enum ui_role role;

		if (!has_stage(u->kind, i))
			continue;
		if (i == u->stage) {
			mark = ascii ? ">" : "\xe2\x96\xb6";        /* ▶ */
			role = ROLE_SELECTED;
		} else if (u->done[i]) {
			mark = ascii ? "+" : "\xe2\x9c\x93";        /* ✓ */
			role = ROLE_INFO;
		} else {
			mark = " ";
			role = ROLE_DIM;
		}
		if (i == u->stage && u->detail[0])
			snprintf(line, sizeof line, "%s %s: %s", mark, _(stage_names[i]), u->detail);
		else
			snprintf(line, sizeof line, "%s %s", mark, _(stage_names[i]));
		ui_put(t, y + row++, x + 2, w - 4, line, role, rtl);
	}
	row++;
	if (u->total && u->current <= u->total) {
		int bw = w - 4 - 2 - 6;

		pct = (int)(100.0 * (double)u->current / (double)u->total);
		bar = chart_bar((long)u->current, (long)u->total, bw, ascii ? CHART_ASCII : 0);
		ui_put(t, y + row, x + 2, 1, "[", ROLE_NORMAL, 0);
		if (bar)
			ui_put(t, y + row, x + 3, text_width(bar), bar, ROLE_INFO, 0);
		ui_put(t, y + row, x + 3 + bw, 1, "]", ROLE_NORMAL, 0);
		snprintf(line, sizeof line, "%3d%%", pct);
		ui_put(t, y + row, x + 3 + bw + 2, 4, line, ROLE_NORMAL, 0);
		free(bar);
		row++;
		/* TRANSLATORS: counts of the step under way: "120 of 300". */
		snprintf(line, sizeof line, _("%zu of %zu"), u->current, u->total);
		ui_progress_estimate(eta, sizeof eta, now - u->stage_start, u->current, u->total);
		if (eta[0]) {
			size_t len = strlen(line);

			snprintf(line + len, sizeof line - len, ", %s", eta);
		}
		ui_put(t, y + row, x + 2, w - 4, line, ROLE_NORMAL, rtl);
	}
	ui_put(t, y + h - 1, x + 2, w - 4,
	       _("Esc cancels: what is done stays done, and the next run carries on."), ROLE_HINT, rtl);
	curs_set(0);
	refresh();
	u->last_draw = now;
}

int ui_run_progress(const sync_progress *p, void *payload)
{
	ui_run *u = payload;
	double now = ui_progress_now();
	int stage = stage_of(u, p), changed = 0, key;

	if (stage >= 0 && stage != u->stage) {
		for (int i = 0; i < NSTAGES; i++)
			u->done[i] = i < stage;
		u->stage = stage;
		u->stage_start = now;
		u->current = u->total = 0;
		u->detail[0] = '\0';
		changed = 1;
	}
	if (stage >= 0 && (p->total || p->current)) {
		u->current = p->current;
		u->total = p->total;
	}
	if (stage >= 0 && p->step == SYNC_STEP_MERGE && p->starting && p->text) {
		char *clean = text_sanitize(p->text, p->text_len, 0, NULL);

		/* TRANSLATORS: the device branch being validated. */
		snprintf(u->detail, sizeof u->detail, _("device %s"), clean ? clean : "");
		free(clean);
		changed = 1;
	}
	/* Keys are looked at every 20 ms, and always when a step begins. */
	if (changed || p->starting || now - u->last_poll >= 0.02) {
		u->last_poll = now;
		while (!u->cancelled && (key = tui_poll_key(u->t)) != 0)
			if (key == UI_KEY_ESC)
				u->cancelled = 1;
	}
	if (u->cancelled)
		return 1;
	if (changed || now - u->last_draw >= 0.1)
		draw(u);
	return 0;
}
