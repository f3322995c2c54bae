/*
 * screen_team.c: the Team screen, for supervisors.  Each device branch of
 * the central repository with its owner, when it was last synced, what it
 * brings that main lacks (events, submissions, cases) and the result of
 * validating it, with every refused file and the reason; then the
 * conflicts of every case, each opening the decision screen.  The branches
 * are fetched and checked when the screen opens (merge_review: nothing is
 * merged); F6 merges them, with the steps, counts and an estimate shown
 * as it runs, and Esc cancels without harm (what is done stays done, the
 * next merge carries on).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cli.h"
#include "curses.h"
#include "i18n.h"
#include "run_progress.h"
#include "sync/sync.h"
#include "team.h"
#include "text.h"
#include "util.h"
#include "view.h"
#include "work.h"

enum { ROW_HEADING, ROW_NOTE, ROW_BRANCH, ROW_DETAIL, ROW_REJECTED, ROW_CONFLICT };

typedef struct team_row {
	int kind;
	char *text;                    /* the line */
	char *right;                   /* at the right end (when the branch was synced), may be NULL */
	enum ui_role role;
	char case_id[HW_UUID_LEN + 1]; /* ROW_CONFLICT: the case */
	char *field;                   /* ROW_CONFLICT: the field to decide */
	char *full;                    /* ROW_REJECTED: the whole path and reason, for Enter */
} team_row;

typedef struct team_view {
	team_row *rows;
	int count, sel, top, visible;
	merge_result res;              /* the last review or merge */
	int have_res;                  /* res holds one */
	int merged;                    /* res is a merge's (else a review's) */
	char checked[HW_TIME_LEN + 1]; /* when it ran */
	hw_ws *ws;
} team_view;

static const ui_binding team_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\r', ACT_OPEN },
	{ UI_KEY_FN(KEY_F(5)), ACT_CHECK_BRANCHES },
	{ UI_KEY_FN(KEY_F(6)), ACT_MERGE },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap team_keymap = { "team", team_bindings, NULL };

static const ui_hint team_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_MERGE, N_("Merge") },
	/* TRANSLATORS: key hint: fetch the device branches and check them again. */
	{ ACT_CHECK_BRANCHES, N_("Check again") },
	{ ACT_OPEN, N_("Decide") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void rows_free(team_view *v)
{
	for (int i = 0; i < v->count; i++) {
		free(v->rows[i].text);
		free(v->rows[i].right);
		free(v->rows[i].field);
		free(v->rows[i].full);
	}
	free(v->rows);
	v->rows = NULL;
	v->count = 0;
}

/* Append a row (text copied); the new row, or NULL when out of memory. */
static team_row *add_row(team_view *v, int kind, enum ui_role role, const char *text)
{
	team_row *grown = realloc(v->rows, (size_t)(v->count + 1) * sizeof *grown), *r;

	if (!grown)
		return NULL;
	v->rows = grown;
	r = &grown[v->count];
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->role = role;
	if (!(r->text = strdup(text ? text : "")))
		return NULL;
	v->count++;
	return r;
}

/*
 * A refused file's path as the list shows it: from its folder inside the
 * case ("events/0b8e5a9e….json"), a long name cut; Enter shows it whole.
 */
static void short_path(char *buf, size_t size, const char *path)
{
	static const char *const parts[] = { "/events/", "/submissions/", "/keys/", NULL };
	const char *p = path, *hit, *dot;

	for (int i = 0; parts[i]; i++)
		if ((hit = strstr(path, parts[i])) != NULL) {
			p = hit + 1;
			break;
		}
	dot = strrchr(p, '.');
	if (p != path && strlen(p) > 24 && strchr(p, '/'))
		snprintf(buf, size, "%.*s\xe2\x80\xa6%s", (int)(strchr(p, '/') - p + 9), p,
			 dot && strlen(dot) < 6 ? dot : "");
	else
		snprintf(buf, size, "%s", p);
}

/* "3 events, 1 submission in 2 cases" into buf. */
static const char *new_counts(char *buf, size_t size, const merge_branch_info *b)
{
	char ev[64], sub[64], cases[64];

	snprintf(ev, sizeof ev, P_("%zu event", "%zu events", b->events), b->events);
	snprintf(sub, sizeof sub, P_("%zu submission", "%zu submissions", b->submissions),
		 b->submissions);
	/* TRANSLATORS: follows "3 events, 1 submission". */
	snprintf(cases, sizeof cases, P_("in %zu case", "in %zu cases", b->cases), b->cases);
	/* TRANSLATORS: "3 events, 1 submission in 2 cases". */
	snprintf(buf, size, _("%s, %s %s"), ev, sub, cases);
	return buf;
}

/* The line under a branch: where it stands and what it brings. */
static void branch_state(char *buf, size_t size, const team_view *v, const merge_branch_info *b)
{
	char counts[256];

	switch (b->state) {
	case MERGE_BRANCH_GOOD:
		new_counts(counts, sizeof counts, b);
		if (v->merged)
			/* TRANSLATORS: a device branch the merge just took into main. */
			snprintf(buf, size, _("merged: %s"), counts);
		else
			/* TRANSLATORS: a device branch that passed every check. */
			snprintf(buf, size, _("new, valid, ready to merge: %s"), counts);
		break;
	case MERGE_BRANCH_REJECTED:
		snprintf(buf, size, P_("REJECTED, nothing of it is merged: %zu file refused",
				       "REJECTED, nothing of it is merged: %zu files refused",
				       b->offending), b->offending);
		break;
	case MERGE_BRANCH_WAITING:
		snprintf(buf, size, "%s",
			 _("waits: its device is not on the team roster; homeward team add takes it in"));
		break;
	case MERGE_BRANCH_BEHIND:
		snprintf(buf, size, "%s",
			 _("waits: its device has not synced since main changed format"));
		break;
	default:
		snprintf(buf, size, "%s", _("nothing new: everything is on main"));
		break;
	}
}

/* One row per field in conflict of one case. */
static int conflict_case(const store_case_row *row, void *payload)
{
	team_view *v = payload;
	case_conflict *c = NULL;
	size_t n = 0;
	int rc;

	if (!row->conflicts)
		return 0;
	if ((rc = case_conflicts(v->ws, row->id, &c, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		hw_buf b = HW_BUF_INIT;
		team_row *r;

		hw_buf_printf(&b, "%s %s \xc2\xb7 %s:", row->given_name ? row->given_name : "",
			      row->family_name ? row->family_name : "", ui_case_field_label(c[i].field));
		for (size_t k = 0; k < c[i].nvalues; k++)
			hw_buf_printf(&b, "%s %s", k ? " /" : "",
				      *c[i].values[k] ? c[i].values[k] : _("(empty)"));
		if (hw_buf_oom(&b) || !(r = add_row(v, ROW_CONFLICT, ROLE_CONFLICT, b.ptr)) ||
		    !(r->field = strdup(c[i].field)))
			rc = HW_ERROR;
		else
			snprintf(r->case_id, sizeof r->case_id, "%s", row->id);
		hw_buf_free(&b);
	}
	case_conflicts_free(c, n);
	return rc;
}

/*
 * Who a device is: the roster's name and role for it ("Amina K.,
 * counsellor"), said when it left the team; without a roster, the name
 * its last commit carries.
 */
static void owner_of(char *buf, size_t size, const team_roster *roster,
		     const merge_branch_info *b)
{
	const team_member *m = roster ? team_member_get(roster, b->device) : NULL;

	if (m && m->removed)
		/* TRANSLATORS: a device's owner as the team roster says: "Amina K., counsellor". */
		snprintf(buf, size, _("%s, %s, removed from the team"), m->name,
			 ui_word_label(ui_roles, m->role));
	else if (m)
		snprintf(buf, size, _("%s, %s"), m->name, ui_word_label(ui_roles, m->role));
	else if (roster)
		snprintf(buf, size, "%s", _("(not on the team roster)"));
	else
		snprintf(buf, size, "%s", *b->author ? b->author : _("(no name)"));
}

/* Lay the branches and the conflicts out as rows. */
static void rebuild(team_view *v, tui *t)
{
	store_case_query q = STORE_CASE_QUERY_INIT;
	char line[1024], state[512], owner[512];
	team_roster *roster = NULL;
	int rc = 0, first_conflict;

	/* Names and roles come from the roster, never from what a device says of itself. */
	if (team_load(v->ws, &roster) < 0) {
		hw_error_clear(ws_err(v->ws));
		roster = NULL;
	}

	rows_free(v);
	if (!add_row(v, ROW_HEADING, ROLE_HEADER, _("Device branches")))
		goto oom;
	if (!v->have_res) {
		if (!add_row(v, ROW_NOTE, ROLE_HINT,
			     _("Not checked yet: F5 fetches the device branches and checks them.")))
			goto oom;
	} else if (v->res.nbranches == 0) {
		if (!add_row(v, ROW_NOTE, ROLE_HINT, _("No device has synced yet.")))
			goto oom;
	}
	for (size_t i = 0; v->have_res && i < v->res.nbranches; i++) {
		const merge_branch_info *b = &v->res.branches[i];
		team_row *r;
		enum ui_role role = b->state == MERGE_BRANCH_REJECTED ? ROLE_ERROR
				    : b->state == MERGE_BRANCH_GOOD ? ROLE_INFO : ROLE_DIM;

		owner_of(owner, sizeof owner, roster, b);
		/* TRANSLATORS: a device branch: who the device is, then its id. */
		snprintf(line, sizeof line, _("%s \xc2\xb7 device %s"), owner, b->device);
		if (!(r = add_row(v, ROW_BRANCH, ROLE_NORMAL, line)))
			goto oom;
		if (b->committed_at[0]) {
			/* TRANSLATORS: when a device last synced: "synced 2026-12-01 10:42". */
			snprintf(line, sizeof line, _("synced %.10s %.5s"), b->committed_at,
				 b->committed_at + 11);
			if (!(r->right = strdup(line)))
				goto oom;
		}
		branch_state(state, sizeof state, v, b);
		snprintf(line, sizeof line, "  %s", state);
		if (!add_row(v, ROW_DETAIL, role, line))
			goto oom;
		for (size_t k = 0; k < v->res.nrejections; k++) {
			const merge_rejection *m = &v->res.rejections[k];

			if (strcmp(m->device, b->device) != 0)
				continue;
			char shown[128];
			team_row *x;

			short_path(shown, sizeof shown, m->path);
			if (*m->path)
				snprintf(line, sizeof line, "    %s: %s", shown, m->reason);
			else
				snprintf(line, sizeof line, "    %s", m->reason);
			if (!(x = add_row(v, ROW_REJECTED, ROLE_ERROR, line)))
				goto oom;
			if (*m->path)
				snprintf(line, sizeof line, "%s: %s", m->path, m->reason);
			if (!(x->full = strdup(line + strspn(line, " "))))
				goto oom;
		}
	}
	if (!add_row(v, ROW_NOTE, ROLE_NORMAL, "") ||
	    !add_row(v, ROW_HEADING, ROLE_HEADER, _("Conflicts to decide, in every case")))
		goto oom;
	first_conflict = v->count;
	rc = case_query(v->ws, &q, conflict_case, v);
	if (rc < 0) {
		tui_error(t, rc);
	} else if (v->count == first_conflict &&
		   !add_row(v, ROW_NOTE, ROLE_HINT, _("No conflicts: nothing to decide."))) {
		goto oom;
	}
	ui_list_clamp(&v->sel, &v->top, v->count, v->visible);
	team_roster_free(roster);
	return;
oom:
	team_roster_free(roster);
	tui_error(t, HW_ERROR);
}

/* Why the last run's credentials failed, for its message. */
static repo_auth_note auth_note;

/* Sync options for a run on this screen, with its progress box. */
static void run_opts(sync_opts *o, tui *t, ui_run *u)
{
	o->progress = ui_run_progress;
	o->payload = u;
	o->secrets = tui_secrets(t);
	o->auth = &auth_note;
	memset(&auth_note, 0, sizeof auth_note);
}

/* A failed run: what the server did not accept in the person's language, else the code. */
static void run_error(tui *t, int rc)
{
	char text[4096];

	if (rc == HW_EAUTH && cli_auth_text(&auth_note, text, sizeof text) == 0)
		tui_message(t, ROLE_ERROR, "%s (%s)", tui_error_text(rc), text);
	else
		tui_error(t, rc);
}

/* Fetch the device branches and check them, merging nothing. */
static void review(team_view *v, tui *t)
{
	sync_opts o = SYNC_OPTS_INIT;
	merge_result res;
	ui_run *u;
	int rc;

	if (tui_unlock(t) < 0)
		return;
	if (!(u = ui_run_new(t, UI_RUN_REVIEW))) {
		tui_error(t, HW_ERROR);
		return;
	}
	run_opts(&o, t, u);
	memset(&res, 0, sizeof res);
	rc = merge_review(v->ws, &o, &res);
	if (rc < 0) {
		merge_result_free(&res);
		if (ui_run_cancelled(u))
			tui_message(t, ROLE_INFO, "%s", _("Check cancelled: nothing was changed."));
		else
			run_error(t, rc);
	} else {
		merge_result_free(&v->res);
		v->res = res;
		v->have_res = 1;
		v->merged = 0;
		hw_now_iso(v->checked);
	}
	ui_run_free(u);
	rebuild(v, t);
}

/* Merge the device branches into main, following the run in the box. */
static void merge(team_view *v, tui *t)
{
	sync_opts o = SYNC_OPTS_INIT;
	merge_result res;
	ui_run *u;
	int rc;

	if (tui_unlock(t) < 0)
		return;
	if (!(u = ui_run_new(t, UI_RUN_MERGE))) {
		tui_error(t, HW_ERROR);
		return;
	}
	run_opts(&o, t, u);
	memset(&res, 0, sizeof res);
	rc = merge_run(v->ws, &o, &res);
	if (rc < 0 && ui_run_cancelled(u)) {
		tui_message(t, ROLE_INFO, "%s",
			    _("Merge cancelled. Nothing is lost: what was done stays done, and the next merge carries on."));
		merge_result_free(&res);
	} else if (rc < 0) {
		run_error(t, rc);
		merge_result_free(&res);
	} else {
		merge_result_free(&v->res);
		v->res = res;
		v->have_res = 1;
		v->merged = 1;
		hw_now_iso(v->checked);
		char ev[64], sub[64], both[160];

		snprintf(ev, sizeof ev, P_("%zu event", "%zu events", res.events_merged), res.events_merged);
		snprintf(sub, sizeof sub, P_("%zu submission", "%zu submissions", res.submissions_merged),
			 res.submissions_merged);
		snprintf(both, sizeof both, _("%s, %s"), ev, sub);
		if (res.nrejections)
			/* TRANSLATORS: "Merged 1 of 2 device branches: 3 events, 0 submissions added to main. ..." */
			tui_message(t, ROLE_ERROR, _("Merged %zu of %zu device branches: %s added to main. Some files were refused: see why below."),
				    res.devices_merged, res.devices, both);
		else
			tui_message(t, ROLE_INFO, _("Merged %zu of %zu device branches: %s added to main."),
				    res.devices_merged, res.devices, both);
	}
	ui_run_free(u);
	rebuild(v, t);
}

static void merge_answered(tui *t, int yes, void *payload)
{
	if (yes)
		merge(payload, t);
	else
		tui_message(t, ROLE_INFO, "%s", _("Not merged."));
}

static int team_open(ui_view *vw, tui *t, void *arg)
{
	team_view *v = calloc(1, sizeof *v);

	(void)arg;
	if (!v)
		return HW_ERROR;
	vw->data = v;
	v->ws = tui_ws(t);
	v->visible = 10;
	rebuild(v, t);
	/* What the supervisor opens this screen for: where each device stands. */
	review(v, t);
	return 0;
}

static void team_close(ui_view *vw, tui *t)
{
	team_view *v = vw->data;

	(void)t;
	if (!v)
		return;
	rows_free(v);
	merge_result_free(&v->res);
	free(v);
}

static void team_resume(ui_view *vw, tui *t)
{
	/* A conflict may have been decided. */
	rebuild(vw->data, t);
}

static void team_draw(ui_view *vw, tui *t, int top, int rows, int cols)
{
	team_view *v = vw->data;
	int rtl = tui_is_rtl(t), y = top, i;

	tui_set_title(t, _("Team: device branches and conflicts"));
	tui_set_hints(t, &team_keymap, team_hints);
	v->visible = rows;
	ui_list_clamp(&v->sel, &v->top, v->count, v->visible);
	for (i = v->top; i < v->count && y < top + rows; i++, y++) {
		const team_row *r = &v->rows[i];
		enum ui_role role = i == v->sel ? ROLE_SELECTED : r->role;
		int rw = r->right ? text_width(r->right) : 0;

		ui_blank(y, 0, cols, r->kind == ROW_HEADING && i != v->sel ? ROLE_HEADER : role);
		if (r->right && rw < cols / 2) {
			ui_put(t, y, rtl ? 1 : cols - 1 - rw, rw, r->right, role, 0);
			ui_put(t, y, rtl ? rw + 2 : 1, cols - rw - 3, r->text, role, rtl);
		} else {
			ui_put(t, y, 1, cols - 2, r->text, role, rtl);
		}
	}
}

static int team_key(ui_view *vw, tui *t, int key, enum ui_action act)
{
	team_view *v = vw->data;
	const team_row *r = v->count ? &v->rows[v->sel] : NULL;

	(void)key;
	if (ui_list_nav(&v->sel, &v->top, v->count, v->visible, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN:
		if (r && r->kind == ROW_CONFLICT) {
			ui_decide_arg a = { r->case_id, r->field };
			int rc = tui_push(t, &ui_screen_decide, &a);

			if (rc < 0)
				tui_error(t, rc);
		} else if (r && (r->kind == ROW_REJECTED || r->kind == ROW_DETAIL)) {
			/* The whole line, wrapped, when it is longer than the screen. */
			tui_message(t, r->role, "%s", r->full ? r->full : r->text + strspn(r->text, " "));
		}
		return UI_HANDLED;
	case ACT_CHECK_BRANCHES:
		review(v, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_MERGE:
		tui_confirm(t, _("Merge the device branches into main now? Enter: merge, any other key: not now."),
			    merge_answered, v);
		return UI_HANDLED;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_team = {
	"team", &team_keymap, team_open, team_draw, team_key, NULL, team_resume, team_close,
};
