/*
 * screen_list.c: the case list, the first screen.  Typing filters it (the
 * store's search); Enter opens a case.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "sync/sync.h"
#include "text.h"
#include "util.h"
#include "view.h"


#define LIST_LIMIT 1000

typedef struct list_row {
	char id[HW_UUID_LEN + 1];
	char *name;
	char age[16];
	int minor;
	char *countries;
	int closed;
	int conflicts;
} list_row;

typedef struct case_list {
	text_edit search;
	list_row *rows;
	int count, sel, top, visible;
	int truncated;              /* more matches than LIST_LIMIT */
	int matches, total;         /* cases the search finds, cases there are */
	int order;                  /* index into list_orders */
	char today[11];
} case_list;

/* The orders the sort key goes through, and how the title names each. */
static const struct {
	int sort;
	const char *label;
} list_orders[] = {
	/* TRANSLATORS: the order of the case list, shown in the title bar. */
	{ STORE_SORT_CHANGED, N_("sorted by last change") },
	{ STORE_SORT_NAME, N_("sorted by name") },
	{ STORE_SORT_AGE, N_("sorted by age") },
	{ STORE_SORT_STAGE, N_("sorted by stage") },
};
#define NORDERS ((int)(sizeof(list_orders) / sizeof(list_orders[0])))

static const ui_binding list_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ '\r', ACT_OPEN },
	{ UI_KEY_FN(KEY_F(2)), ACT_NEW_CASE },
	{ UI_KEY_CTRL('n'), ACT_NEW_CASE },
	{ UI_KEY_FN(KEY_F(5)), ACT_SYNC },
	{ UI_KEY_FN(KEY_F(6)), ACT_SORT },
	{ UI_KEY_CTRL('o'), ACT_SORT },
	{ 0, ACT_NONE },
};
static const ui_note list_notes[] = {
	/* TRANSLATORS: help line: typing letters on the case list searches. */
	{ N_("Typing"), N_("Search the cases: names, id, countries") },
	{ N_("Esc"), N_("Clear the search") },
	{ NULL, NULL },
};
static const ui_keymap list_keymap = { "case-list", list_bindings, list_notes };

static const ui_hint list_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_HELP, N_("Help") },
	{ ACT_NEW_CASE, N_("New case") },
	{ ACT_OPEN, N_("Open") },
	{ ACT_SYNC, N_("Sync") },
	{ ACT_UI_LANGUAGE, N_("Language") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void rows_free(case_list *l)
{
	int i;

	for (i = 0; i < l->count; i++) {
		free(l->rows[i].name);
		free(l->rows[i].countries);
	}
	free(l->rows);
	l->rows = NULL;
	l->count = 0;
}

/* Age in whole years on day (YYYY-MM-DD) from a birth date or year; -1 unknown. */
static int age_of(const store_case_row *r, const char *day)
{
	int ty = atoi(day), tm = atoi(day + 5), td = atoi(day + 8);
	int by, bm, bd;

	if (r->birth_date && sscanf(r->birth_date, "%d-%d-%d", &by, &bm, &bd) == 3)
		return ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
	if (r->birth_year > 0)
		return ty - r->birth_year;
	return -1;
}

static int add_row(const store_case_row *r, void *payload)
{
	case_list *l = payload;
	list_row *row, *grown;
	int age;

	grown = realloc(l->rows, (size_t)(l->count + 1) * sizeof *grown);
	if (!grown)
		return HW_ERROR;
	l->rows = grown;
	row = &l->rows[l->count];
	memset(row, 0, sizeof *row);
	snprintf(row->id, sizeof row->id, "%s", r->id);
	row->name = malloc(strlen(r->given_name ? r->given_name : "") +
			   strlen(r->family_name ? r->family_name : "") + 2);
	row->countries = malloc(32);
	if (!row->name || !row->countries) {
		free(row->name);
		free(row->countries);
		return HW_ERROR;
	}
	sprintf(row->name, "%s%s%s", r->given_name ? r->given_name : "",
		r->given_name && r->family_name ? " " : "",
		r->family_name ? r->family_name : "");
	snprintf(row->countries, 32, "%s \xe2\x86\x92 %s",
		 r->nationality && *r->nationality ? r->nationality : "??",
		 r->return_country && *r->return_country ? r->return_country : "??");
	age = age_of(r, l->today);
	if (age >= 0)
		snprintf(row->age, sizeof row->age, "%s%d", r->birth_date ? "" : "~", age);
	row->minor = r->minor;
	row->closed = r->status && strcmp(r->status, "closed") == 0;
	row->conflicts = r->conflicts;
	l->count++;
	return l->count >= LIST_LIMIT ? 1 : 0;
}

/* Run the search again; keep the selection on the same case when it is still there. */
static void reload(case_list *l, tui *t)
{
	char keep[HW_UUID_LEN + 1] = "";
	char now[HW_TIME_LEN + 1];
	store_case_query q = STORE_CASE_QUERY_INIT;
	int rc, i;

	if (l->sel < l->count)
		snprintf(keep, sizeof keep, "%s", l->rows[l->sel].id);
	rows_free(l);
	hw_now_iso(now);
	memcpy(l->today, now, 10);
	l->today[10] = 0;
	q.search = text_edit_str(&l->search);
	q.sort = list_orders[l->order].sort;
	q.limit = LIST_LIMIT;
	rc = case_query(tui_ws(t), &q, add_row, l);
	if (rc >= 0)
		rc = case_count(tui_ws(t), q.search, &l->matches, &l->total);
	if (rc < 0)
		tui_error(t, rc);
	l->truncated = l->count >= LIST_LIMIT;
	l->sel = 0;
	for (i = 0; keep[0] && i < l->count; i++)
		if (strcmp(l->rows[i].id, keep) == 0)
			l->sel = i;
	ui_list_clamp(&l->sel, &l->top, l->count, l->visible);
}

static int list_open(ui_view *v, tui *t, void *arg)
{
	case_list *l = calloc(1, sizeof *l);

	if (!l)
		return HW_ERROR;
	v->data = l;
	text_edit_set(&l->search, "");
	reload(l, t);
	return 0;
}

static void list_close(ui_view *v, tui *t)
{
	case_list *l = v->data;

	if (!l)
		return;
	rows_free(l);
	text_edit_free(&l->search);
	free(l);
}

static void list_resize(ui_view *v, tui *t, int rows, int cols)
{
	case_list *l = v->data;

	l->visible = rows - 3;
	ui_list_clamp(&l->sel, &l->top, l->count, l->visible);
}

static void list_resume(ui_view *v, tui *t)
{
	reload(v->data, t);
}

/* Column widths: the name takes what the others leave. */
enum { W_AGE = 10, W_COUNTRIES = 10, W_STATUS = 9, W_CONFLICT = 9 };

/* The title: how many cases (match), in which order, and the key that changes it. */
static void set_title(case_list *l, tui *t)
{
	char count[128], title[400];
	const char *key = ui_key_name(ui_key_for_action(&list_keymap, ACT_SORT));

	if (text_edit_str(&l->search)[0])
		/* TRANSLATORS: in the title bar while searching: matches, all cases. */
		snprintf(count, sizeof count, P_("%d of %d matches", "%d of %d match", l->matches),
			 l->matches, l->total);
	else
		/* TRANSLATORS: in the title bar: how many cases the workspace holds. */
		snprintf(count, sizeof count, P_("%d case", "%d cases", l->total), l->total);
	snprintf(title, sizeof title, "%s \xc2\xb7 %s \xc2\xb7 %s (%s)", _("Cases"), count,
		 _(list_orders[l->order].label), key);
	tui_set_title(t, title);
}

static void list_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	case_list *l = v->data;
	/* TRANSLATORS: label before the search field of the case list; at most 12 columns. */
	const char *label = _("Search:");
	int lw = text_width(label) + 1, wname, x, i, y;

	set_title(l, t);
	tui_set_hints(t, &list_keymap, list_hints);
	ui_put(t, top, 1, lw, label, ROLE_HEADER, 0);
	ui_put_field(t, top, 1 + lw, cols - lw - 2, &l->search, 1);

	wname = cols - 2 - W_AGE - W_COUNTRIES - W_STATUS - W_CONFLICT;
	x = 1;
	y = top + 1;
	ui_blank(y, 0, cols, ROLE_HEADER);
	/* TRANSLATORS: column headers of the case list: Name (wide), Age (8
	 * columns), Countries (nationality -> return country, 8 columns),
	 * Status (8 columns), Conflict (9 columns). */
	ui_put(t, y, x, wname - 1, _("Name"), ROLE_HEADER, 0);
	ui_put(t, y, x += wname, W_AGE - 1, _("Age"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_AGE, W_COUNTRIES - 1, _("Countries"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_COUNTRIES, W_STATUS - 1, _("Status"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_STATUS, W_CONFLICT - 1, _("Conflict"), ROLE_HEADER, 0);

	if (l->count == 0) {
		ui_put_block(t, top + 3, 2, cols - 4, 2,
			     text_edit_str(&l->search)[0]
			     ? _("No case matches the search.")
			     : _("No cases yet: press F2 to open the first one."),
			     ROLE_HINT, 0);
		return;
	}
	for (i = l->top, y = top + 2; i < l->count && y < top + rows; i++, y++) {
		list_row *r = &l->rows[i];
		int sel = i == l->sel;
		enum ui_role base = sel ? ROLE_SELECTED : ROLE_NORMAL;
		char age[64];

		ui_blank(y, 0, cols, base);
		x = 1;
		ui_put(t, y, x, wname - 1, r->name, base, 0);
		snprintf(age, sizeof age, "%s", r->age);
		ui_put(t, y, x += wname, 4, age, base, 0);
		if (r->minor)
			/* TRANSLATORS: marks a minor after the age in the case list; at most 5 columns. */
			ui_put(t, y, x + 4, W_AGE - 5, _("child"), sel ? base : ROLE_MINOR, 0);
		ui_put(t, y, x += W_AGE, W_COUNTRIES - 1, r->countries, base, 0);
		ui_put(t, y, x += W_COUNTRIES, W_STATUS - 1,
		       r->closed ? _("closed") : _("open"), base, 0);
		if (r->conflicts)
			ui_put(t, y, x += W_STATUS, W_CONFLICT - 1, _("CONFLICT"),
			       sel ? base : ROLE_CONFLICT, 0);
	}
	if (l->truncated && y < top + rows)
		ui_put(t, y, 2, cols - 4, _("More cases match: type to narrow the search."),
		       ROLE_HINT, 0);
}

/* Show each step of a sync as it begins. */
static int sync_progress_shown(const sync_progress *p, void *payload)
{
	tui *t = payload;
	const char *what = NULL;

	if (!p->starting)
		return 0;
	switch (p->step) {
	case SYNC_STEP_COMMIT: what = _("Sync: preparing what was recorded here..."); break;
	case SYNC_STEP_PUSH: what = _("Sync: sending..."); break;
	case SYNC_STEP_FETCH: what = _("Sync: receiving..."); break;
	case SYNC_STEP_IMPORT: what = _("Sync: adding what was received..."); break;
	default: break;
	}
	if (what)
		tui_progress(t, what);
	return 0;
}

/* Run a sync in the foreground, with progress on the message row. */
static void list_sync(tui *t)
{
	sync_opts o = SYNC_OPTS_INIT;
	sync_result r;
	hw_ws *ws = tui_ws(t);
	int rc;

	memset(&r, 0, sizeof r);
	o.progress = sync_progress_shown;
	o.payload = t;
	o.secrets = tui_secrets(t);
	if (tui_unlock(t) < 0)
		return;
	tui_progress(t, _("Sync: starting..."));
	rc = sync_run(ws, &o, &r);
	if (rc == HW_EINVALID) {
		tui_message(t, ROLE_ERROR, "%s (%s)", _("Sync is not set up for this workspace."),
			    ws_error(ws)->msg);
		return;
	}
	if (rc == HW_ENOTFOUND) {
		/* The remote is a folder that is not there: most often a USB
		 * stick that is not mounted. */
		char *remote = NULL;
		const char *folder;

		ws_get(ws, WS_REMOTE, &remote);
		folder = remote ? remote : "";
		if (strncmp(folder, "file://", 7) == 0)
			folder += 7;
		/* TRANSLATORS: %s is a folder such as /media/usb/homeward.git. */
		tui_message(t, ROLE_ERROR, _("Sync: the folder %s does not exist (is the USB stick mounted?)"),
			    folder);
		free(remote);
		return;
	}
	if (rc < 0) {
		tui_error(t, rc);
		return;
	}
	for (size_t i = 0; i < r.nforms; i++) {
		if (r.forms[i].problem[0]) {
			/* TRANSLATORS: after a sync; a published form was not installed. */
			tui_message(t, ROLE_ERROR, _("Sync done, but a form from the central repository does not load: %s %s was not installed."),
				    r.forms[i].id, r.forms[i].version);
			return;
		}
	}
	if (r.forms_installed) {
		/* TRANSLATORS: after a sync: changes sent, changes received, new forms. */
		tui_message(t, ROLE_INFO, P_("Sync done: %zu sent, %zu received, %zu new form installed.",
					     "Sync done: %zu sent, %zu received, %zu new forms installed.",
					     r.forms_installed),
			    r.events_sent + r.submissions_sent, r.events_received + r.submissions_received,
			    r.forms_installed);
		return;
	}
	/* TRANSLATORS: after a sync: changes sent, changes received. */
	tui_message(t, ROLE_INFO, _("Sync done: %zu sent, %zu received."),
		    r.events_sent + r.submissions_sent, r.events_received + r.submissions_received);
}

static void open_case(tui *t, const char *id)
{
	char copy[HW_UUID_LEN + 1];

	snprintf(copy, sizeof copy, "%s", id);
	if (tui_push(t, &ui_screen_case, copy) < 0)
		tui_error(t, ws_error(tui_ws(t))->code);
}

static int list_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	case_list *l = v->data;

	if (ui_list_nav(&l->sel, &l->top, l->count, l->visible, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN:
		if (l->count > 0)
			open_case(t, l->rows[l->sel].id);
		return UI_HANDLED;
	case ACT_NEW_CASE:
		tui_push(t, &ui_screen_newcase, NULL);
		return UI_HANDLED;
	case ACT_SYNC:
		list_sync(t);
		reload(l, t);
		return UI_HANDLED;
	case ACT_SORT:
		l->order = (l->order + 1) % NORDERS;
		reload(l, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_NONE:
		break;
	default:
		return UI_IGNORED;
	}
	/* Everything else edits the search field. */
	if (key == UI_KEY_ESC) {
		if (!text_edit_str(&l->search)[0])
			return UI_HANDLED;
		text_edit_set(&l->search, "");
	} else {
		switch (ui_edit_key(&l->search, key)) {
		case 0: return UI_IGNORED;
		case 1: return UI_HANDLED | UI_REDRAW;
		default: break;
		}
	}
	reload(l, t);
	return UI_HANDLED | UI_REDRAW;
}

const ui_view_ops ui_screen_list = {
	"case-list", &list_keymap, list_open, list_draw, list_key, list_resize, list_resume,
	list_close,
};
