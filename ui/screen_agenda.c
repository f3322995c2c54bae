/*
 * screen_agenda.c: the agenda (docs/agenda.md): planned appointments in
 * date order, each line with its date and time, how far it is due or
 * overdue, the case, what it is for and where.  F4 chooses what to show
 * (overdue, today, this week with what is overdue, everything planned), F3 the signed-in
 * person's or everyone's, F6 date order or by assignee.  Enter opens the
 * case and, when the appointment names an installed form (a follow-up
 * round), that form on top of it.
 *
 * The list is read a page at a time (agenda_list with a limit and an
 * offset), so the first screen costs the same with 300,000 appointments
 * as with ten.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "agenda_text.h"
#include "cases.h"
#include "curses.h"
#include "forms.h"
#include "i18n.h"
#include "text.h"
#include "util.h"
#include "view.h"

/* What the agenda shows. */
enum { SHOW_OVERDUE, SHOW_TODAY, SHOW_WEEK, SHOW_ALL, SHOW_COUNT };

/* Rows read around the first one shown: a page and then some, for scrolling without a query. */
#define WINDOW 200
/*
 * The most the title counts: counting walks every entry it counts, and
 * 120,000 overdue appointments are no list to scroll but one to filter.
 */
#define COUNT_CAP 10000

typedef struct ag_row {
	char case_id[HW_UUID_LEN + 1];
	char *form;        /* the form to open with the case, or NULL */
	char *when;        /* "2026-12-03 09:15" */
	char *due;         /* "3 days overdue", "today", "in 4 days" */
	char *text;        /* the case, the purpose, the place */
	char *who;         /* the assignee */
	int overdue;
} ag_row;

typedef struct ag_view {
	hw_ws *ws;
	int show, mine, by_assignee;
	char today[11], week_end[11];
	long total;        /* rows the current choice lists */
	ag_row *rows;      /* rows [first, first + count) of the list */
	long first;
	int count;
	int sel, top, visible;   /* in list positions (sel, top: 0 .. total - 1) */
} ag_view;

static const ui_binding ag_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\r', ACT_OPEN },
	{ UI_KEY_FN(KEY_F(3)), ACT_MY_CASES },
	{ UI_KEY_FN(KEY_F(4)), ACT_FILTER },
	{ UI_KEY_FN(KEY_F(6)), ACT_SORT },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_note ag_notes[] = {
	/* TRANSLATORS: help lines of the agenda. */
	{ N_("F4"), N_("Show what is overdue, today's, this week's, or everything planned") },
	{ N_("F6"), N_("Date order, or grouped by the person who meets the returnee") },
	{ NULL, NULL },
};
static const ui_keymap ag_keymap = { "agenda", ag_bindings, ag_notes };

static const ui_hint ag_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_OPEN, N_("Open case") },
	{ ACT_FILTER, N_("Show") },
	{ ACT_MY_CASES, N_("Mine/all") },
	/* TRANSLATORS: key hint: date order or by assignee. */
	{ ACT_SORT, N_("Order") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

/* The names of what is shown, for the title. */
static const char *show_label(int show)
{
	switch (show) {
	/* TRANSLATORS: what the agenda shows, in its title. */
	case SHOW_OVERDUE: return _("overdue");
	case SHOW_TODAY: return _("today");
	case SHOW_WEEK: return _("this week and overdue");
	default: return _("everything planned");
	}
}

static void rows_free(ag_view *a)
{
	for (int i = 0; i < a->count; i++) {
		free(a->rows[i].form);
		free(a->rows[i].when);
		free(a->rows[i].due);
		free(a->rows[i].text);
		free(a->rows[i].who);
	}
	free(a->rows);
	a->rows = NULL;
	a->count = 0;
}

/* The query of the current choice. */
static void query_of(const ag_view *a, store_agenda_query *q)
{
	store_agenda_query init = STORE_AGENDA_QUERY_INIT;

	*q = init;
	q->assigned = a->mine ? ws_device_id(a->ws) : NULL;
	q->by_assignee = a->by_assignee;
	switch (a->show) {
	case SHOW_OVERDUE: q->before = a->today; break;
	case SHOW_TODAY: q->from = q->to = a->today; break;
	/* What is overdue is work for this week too: it comes first, not in another view. */
	case SHOW_WEEK: q->to = a->week_end; break;
	default: break;
	}
}

static int add_row(const store_appointment *ap, void *payload)
{
	ag_view *a = payload;
	ag_row *grown = realloc(a->rows, (size_t)(a->count + 1) * sizeof *grown), *x;
	char buf[1024], *what;

	if (!grown)
		return HW_ERROR;
	a->rows = grown;
	x = &grown[a->count];
	memset(x, 0, sizeof *x);
	snprintf(x->case_id, sizeof x->case_id, "%s", ap->case_id);
	what = agenda_purpose_text(ap);
	snprintf(buf, sizeof buf, "%s %s \xc2\xb7 %s%s%s", ap->given_name ? ap->given_name : "",
		 ap->family_name ? ap->family_name : (ap->given_name ? "" : ap->case_id),
		 what ? what : "", " \xc2\xb7 ",
		 ap->place && *ap->place ? ap->place : agenda_channel_text(ap->channel));
	free(what);
	x->text = strdup(buf);
	snprintf(buf, sizeof buf, "%s %s", ap->date, ap->time ? ap->time : "");
	x->when = strdup(buf);
	x->due = agenda_due_text(ap, a->today);
	x->who = strdup(ap->assigned ? ap->assigned : "");
	x->form = ap->form ? strdup(ap->form) : NULL;
	x->overdue = agenda_days_between(ap->date, a->today) > 0;
	if (!x->text || !x->when || !x->due || !x->who || (ap->form && !x->form)) {
		free(x->text); free(x->when); free(x->due); free(x->who); free(x->form);
		return HW_ERROR;
	}
	a->count++;
	return 0;
}

/* Read the rows around position pos (a window starting a little before it). */
static int load_window(ag_view *a, long pos)
{
	store_agenda_query q;
	long start = pos - WINDOW / 4;

	if (start < 0)
		start = 0;
	rows_free(a);
	query_of(a, &q);
	q.limit = WINDOW;
	q.offset = (int)start;
	a->first = start;
	return agenda_list(a->ws, &q, add_row, a);
}

/* Count, then read the first window; keeps the selection's position when it can. */
static void reload(ag_view *a, tui *t)
{
	store_agenda_query q;
	char now[HW_TIME_LEN + 1];
	int rc;

	hw_now_iso(now);
	snprintf(a->today, sizeof a->today, "%.10s", now);
	agenda_add_days(a->today, 6, a->week_end);
	query_of(a, &q);
	q.limit = COUNT_CAP;
	rc = agenda_count(a->ws, &q, &a->total);
	if (rc == 0) {
		if (a->sel >= a->total)
			a->sel = a->total > 0 ? (int)a->total - 1 : 0;
		rc = load_window(a, a->top);
	}
	if (rc < 0) {
		rows_free(a);
		a->total = 0;
		tui_error(t, rc);
	}
	ui_list_clamp(&a->sel, &a->top, (int)a->total, a->visible);
}

/* The row at list position pos, reading another window when it is outside this one. */
static ag_row *row_at(ag_view *a, tui *t, long pos)
{
	if (pos < a->first || pos >= a->first + a->count) {
		int rc = load_window(a, pos);

		if (rc < 0) {
			tui_error(t, rc);
			return NULL;
		}
	}
	if (pos < a->first || pos >= a->first + a->count)
		return NULL;
	return &a->rows[pos - a->first];
}

static int ag_open(ui_view *v, tui *t, void *arg)
{
	ag_view *a = calloc(1, sizeof *a);
	char *role = NULL;

	(void)arg;
	if (!a)
		return HW_ERROR;
	v->data = a;
	a->ws = tui_ws(t);
	a->visible = 10;
	a->show = SHOW_WEEK;
	/* A counsellor's own agenda first, as the case list; a supervisor sees everyone's. */
	if (ws_get(a->ws, WS_ROLE, &role) == 0 && role && strcmp(role, "supervisor"))
		a->mine = 1;
	free(role);
	hw_error_clear(ws_err(a->ws));
	reload(a, t);
	return 0;
}

static void ag_close(ui_view *v, tui *t)
{
	ag_view *a = v->data;

	(void)t;
	if (!a)
		return;
	rows_free(a);
	free(a);
}

static void ag_resume(ui_view *v, tui *t)
{
	reload(v->data, t);
}

static void ag_resize(ui_view *v, tui *t, int rows, int cols)
{
	ag_view *a = v->data;

	(void)t;
	(void)cols;
	a->visible = rows - 1;
	ui_list_clamp(&a->sel, &a->top, (int)a->total, a->visible);
}

enum { W_WHEN = 17, W_DUE = 17, W_WHO = 14 };

static void ag_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	ag_view *a = v->data;
	char title[400], count[64];
	int y = top, text_w = cols - W_WHEN - W_DUE - 3 - (a->by_assignee ? W_WHO : 0);
	long i;

	if (a->total >= COUNT_CAP)
		/* TRANSLATORS: in the agenda's title: more appointments than it counts. */
		snprintf(count, sizeof count, _("%ld+ appointments"), a->total);
	else
		/* TRANSLATORS: in the agenda's title: how many appointments it lists. */
		snprintf(count, sizeof count, P_("%ld appointment", "%ld appointments", a->total), a->total);
	snprintf(title, sizeof title, "%s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s%s", _("Agenda"),
		 show_label(a->show), a->mine ? _("mine") : _("everyone's"), count,
		 a->by_assignee ? _(" \xc2\xb7 by assignee") : "");
	tui_set_title(t, title);
	tui_set_hints(t, &ag_keymap, ag_hints);
	ui_blank(y, 0, cols, ROLE_HEADER);
	/* TRANSLATORS: column headers of the agenda: when (16 columns), how
	 * far due (18 columns), then the case, what for and where. */
	ui_put(t, y, 1, W_WHEN - 1, _("When"), ROLE_HEADER, 0);
	ui_put(t, y, 1 + W_WHEN, W_DUE - 1, _("Due"), ROLE_HEADER, 0);
	if (a->by_assignee)
		ui_put(t, y, 1 + W_WHEN + W_DUE, W_WHO - 1, _("Who"), ROLE_HEADER, 0);
	ui_put(t, y, cols - text_w - 1, text_w, _("Case, purpose and place"), ROLE_HEADER, 0);
	y++;
	a->visible = rows - 1;
	ui_list_clamp(&a->sel, &a->top, (int)a->total, a->visible);
	if (a->total == 0) {
		ui_put_block(t, y + 1, 2, cols - 4, 2,
			     a->show == SHOW_OVERDUE ? _("Nothing is overdue.") : _("No appointments."),
			     ROLE_HINT, 0);
		return;
	}
	for (i = a->top; i < a->total && y < top + rows; i++, y++) {
		ag_row *x = row_at(a, t, i);
		enum ui_role role;

		if (!x)
			break;
		role = i == a->sel ? ROLE_SELECTED : x->overdue ? ROLE_ERROR : ROLE_NORMAL;
		ui_blank(y, 0, cols, role);
		ui_put(t, y, 1, W_WHEN - 1, x->when, role, 0);
		ui_put(t, y, 1 + W_WHEN, W_DUE - 1, x->due, role, 0);
		if (a->by_assignee)
			ui_put(t, y, 1 + W_WHEN + W_DUE, W_WHO - 1, x->who, role, 0);
		ui_put(t, y, cols - text_w - 1, text_w, x->text, role, 0);
	}
}

/* True if the form is installed here. */
static int form_installed(hw_ws *ws, const char *form_id)
{
	char *path = NULL;
	int ok = forms_find(ws, form_id, &path) == 0;

	free(path);
	hw_error_clear(ws_err(ws));
	return ok;
}

static int ag_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	ag_view *a = v->data;
	char id[HW_UUID_LEN + 1], form[256];
	ag_row *x;
	int rc, sel = a->sel, top = a->top;

	(void)key;
	if (ui_list_nav(&sel, &top, (int)a->total, a->visible, act)) {
		a->sel = sel;
		a->top = top;
		return UI_HANDLED | UI_REDRAW;
	}
	switch (act) {
	case ACT_OPEN:
		if (a->total == 0 || !(x = row_at(a, t, a->sel)))
			return UI_HANDLED;
		snprintf(id, sizeof id, "%s", x->case_id);
		snprintf(form, sizeof form, "%s", x->form ? x->form : "");
		if ((rc = tui_push(t, &ui_screen_case, id)) < 0) {
			tui_error(t, rc);
			return UI_HANDLED;
		}
		/* At the right form: a follow-up round opens its form over the case. */
		if (form[0] && form_installed(a->ws, form)) {
			ui_form_arg fa = { id, form };

			if ((rc = tui_push(t, &ui_screen_form, &fa)) < 0)
				tui_error(t, rc);
		}
		return UI_HANDLED;
	case ACT_FILTER:
		a->show = (a->show + 1) % SHOW_COUNT;
		a->sel = a->top = 0;
		reload(a, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_MY_CASES:
		a->mine = !a->mine;
		a->sel = a->top = 0;
		reload(a, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_SORT:
		a->by_assignee = !a->by_assignee;
		a->sel = a->top = 0;
		reload(a, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_agenda = {
	"agenda", &ag_keymap, ag_open, ag_draw, ag_key, ag_resize, ag_resume, ag_close, NULL,
};
