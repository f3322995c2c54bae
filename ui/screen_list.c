/*
 * screen_list.c: the case list, the first screen.  Typing filters it (the
 * store's search); Enter opens a case.  A counsellor sees the cases
 * assigned to them first (F3 shows every case); F4 filters by stage,
 * assignee, country of return or vulnerability; F7 lists the referrals of
 * the whole caseload.
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


#define LIST_LIMIT 1000

typedef struct list_row {
	char id[HW_UUID_LEN + 1];
	char *name;
	char age[16];
	int minor;
	char *countries;
	char *stage;                /* the stage code, as folded */
	int conflicts;
} list_row;

/* What the list can be filtered by (besides the search). */
enum { FILTER_STAGE, FILTER_ASSIGNEE, FILTER_COUNTRY, FILTER_VULNERABILITY, NFILTERS };

typedef struct case_list {
	text_edit search;
	list_row *rows;
	int count, sel, top, visible;
	int truncated;              /* more matches than LIST_LIMIT */
	int matches, total;         /* cases the search finds, cases there are */
	int order;                  /* index into list_orders */
	char today[11];
	int mine;                   /* only the cases assigned to this device */
	char *filter[NFILTERS];     /* a value each, NULL for any */
	int filter_kind;            /* the filter being chosen */
	hw_ws *ws;
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
	{ UI_KEY_FN(KEY_F(3)), ACT_MY_CASES },
	{ UI_KEY_FN(KEY_F(4)), ACT_FILTER },
	{ UI_KEY_FN(KEY_F(7)), ACT_REFERRALS },
	{ UI_KEY_FN(KEY_F(8)), ACT_AGENDA },
	{ UI_KEY_CTRL('r'), ACT_REPORTS },
	{ UI_KEY_CTRL('t'), ACT_TEAM },
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
	/* TRANSLATORS: key hint: my cases only, or all cases. */
	{ ACT_MY_CASES, N_("Mine/all") },
	{ ACT_FILTER, N_("Filter") },
	{ ACT_SYNC, N_("Sync") },
	{ ACT_AGENDA, N_("Agenda") },
	{ ACT_REFERRALS, N_("Referrals") },
	{ ACT_REPORTS, N_("Reports") },
	{ ACT_TEAM, N_("Team") },
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
		free(l->rows[i].stage);
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

/* True if the space-separated list holds word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* The stage of a case (caller frees; NULL when it cannot be read). */
static char *stage_of(hw_ws *ws, const char *id)
{
	store_case_work w;
	char *stage = NULL;

	if (case_work_get(ws, id, &w) == 0) {
		stage = w.stage;
		w.stage = NULL;
		store_case_work_clear(&w);
	}
	return stage;
}

static int add_row(const store_case_row *r, void *payload)
{
	case_list *l = payload;
	list_row *row, *grown;
	const char *me = ws_device_id(l->ws);
	char *stage;
	int age;

	if (l->mine && !(me && has_word(r->assigned_to, me)))
		return 0;
	if (l->filter[FILTER_ASSIGNEE] && !has_word(r->assigned_to, l->filter[FILTER_ASSIGNEE]))
		return 0;
	if (l->filter[FILTER_COUNTRY] &&
	    (!r->return_country || strcasecmp(r->return_country, l->filter[FILTER_COUNTRY])))
		return 0;
	if (l->filter[FILTER_VULNERABILITY] && !has_word(r->vulnerability, l->filter[FILTER_VULNERABILITY]))
		return 0;
	stage = stage_of(l->ws, r->id);
	if (l->filter[FILTER_STAGE] && (!stage || strcmp(stage, l->filter[FILTER_STAGE]))) {
		free(stage);
		return 0;
	}

	grown = realloc(l->rows, (size_t)(l->count + 1) * sizeof *grown);
	if (!grown) {
		free(stage);
		return HW_ERROR;
	}
	l->rows = grown;
	row = &l->rows[l->count];
	memset(row, 0, sizeof *row);
	row->stage = stage;
	snprintf(row->id, sizeof row->id, "%s", r->id);
	row->name = malloc(strlen(r->given_name ? r->given_name : "") +
			   strlen(r->family_name ? r->family_name : "") + 2);
	row->countries = malloc(32);
	if (!row->name || !row->countries) {
		free(row->name);
		free(row->countries);
		free(row->stage);
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
	row->conflicts = r->conflicts;
	l->count++;
	return l->count >= LIST_LIMIT ? 1 : 0;
}

static char *filters_text(const case_list *l);

/* True when "my cases" or a filter leaves cases out. */
static int filtered(const case_list *l)
{
	int i;

	for (i = 0; i < NFILTERS; i++)
		if (l->filter[i])
			return 1;
	return l->mine;
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
	/* With filters the count is what the list holds; the search's count is without them. */
	if (rc >= 0 && filtered(l))
		l->matches = l->count;
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
	char *role = NULL;

	if (!l)
		return HW_ERROR;
	v->data = l;
	l->ws = tui_ws(t);
	text_edit_set(&l->search, "");
	/* A counsellor starts with their own cases; a supervisor with all. */
	if (ws_get(l->ws, WS_ROLE, &role) == 0 && role && !strcmp(role, "counsellor"))
		l->mine = 1;
	free(role);
	hw_error_clear(ws_err(l->ws));
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
	for (int i = 0; i < NFILTERS; i++)
		free(l->filter[i]);
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
enum { W_AGE = 10, W_COUNTRIES = 10, W_STATUS = 14, W_CONFLICT = 9 };

/* The title: how many cases (match), in which order, and the key that changes it. */
static void set_title(case_list *l, tui *t)
{
	char count[128], title[400];
	const char *key = ui_key_name(ui_key_for_action(&list_keymap, ACT_SORT));

	if (text_edit_str(&l->search)[0] || (filtered(l) && l->matches != l->total))
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
	if (filtered(l)) {
		/* The filters take the right part of the search row. */
		char *desc = filters_text(l);
		int fw = cols - lw - 26;

		ui_put(t, top, cols - fw - 1, fw, desc ? desc : "", ROLE_HINT, 0);
		free(desc);
		ui_put_field(t, top, 1 + lw, cols - lw - fw - 4, &l->search, 1);
	} else {
		ui_put_field(t, top, 1 + lw, cols - lw - 2, &l->search, 1);
	}

	wname = cols - 2 - W_AGE - W_COUNTRIES - W_STATUS - W_CONFLICT;
	x = 1;
	y = top + 1;
	ui_blank(y, 0, cols, ROLE_HEADER);
	/* TRANSLATORS: column headers of the case list: Name (wide), Age (8
	 * columns), Countries (nationality -> return country, 8 columns),
	 * Stage (13 columns), Conflict (9 columns). */
	ui_put(t, y, x, wname - 1, _("Name"), ROLE_HEADER, 0);
	ui_put(t, y, x += wname, W_AGE - 1, _("Age"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_AGE, W_COUNTRIES - 1, _("Countries"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_COUNTRIES, W_STATUS - 1, _("Stage"), ROLE_HEADER, 0);
	ui_put(t, y, x += W_STATUS, W_CONFLICT - 1, _("Conflict"), ROLE_HEADER, 0);

	if (l->count == 0) {
		ui_put_block(t, top + 3, 2, cols - 4, 2,
			     text_edit_str(&l->search)[0]
			     ? _("No case matches the search.")
			     : filtered(l) && l->total
			     ? _("No case here: F3 shows every case, F4 changes the filters.")
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
		       r->stage ? ui_word_label(ui_stages, r->stage) : "", base, 0);
		if (r->conflicts)
			ui_put(t, y, x += W_STATUS, W_CONFLICT - 1, _("CONFLICT"),
			       sel ? base : ROLE_CONFLICT, 0);
	}
	if (l->truncated && y < top + rows)
		ui_put(t, y, 2, cols - 4, _("More cases match: type to narrow the search."),
		       ROLE_HINT, 0);
}

/*
 * Run a sync in the foreground, its steps, counts and an estimate in a box
 * over the list; Esc cancels it.
 */
static void list_sync(tui *t)
{
	sync_opts o = SYNC_OPTS_INIT;
	sync_result r;
	repo_auth_note auth;
	hw_ws *ws = tui_ws(t);
	ui_run *u;
	char text[4096];
	int rc;

	memset(&r, 0, sizeof r);
	memset(&auth, 0, sizeof auth);
	{
		unsigned char root[KEYS_SIGN_PUBLIC];

		/* Nothing travels outside a team: the roster says who signs what. */
		if (team_root(ws, root) < 0) {
			tui_message(t, ROLE_ERROR, "%s", _("This device has not joined a team yet: join one first with homeward team join FINGERPRINT."));
			return;
		}
	}
	if (tui_unlock(t) < 0)
		return;
	if (!(u = ui_run_new(t, UI_RUN_SYNC))) {
		tui_error(t, HW_ERROR);
		return;
	}
	o.progress = ui_run_progress;
	o.payload = u;
	o.secrets = tui_secrets(t);
	o.auth = &auth;
	tui_progress(t, _("Sync: starting..."));
	rc = sync_run(ws, &o, &r);
	if (rc < 0 && ui_run_cancelled(u)) {
		ui_run_free(u);
		tui_message(t, ROLE_INFO, "%s", _("Sync cancelled. Nothing is lost: what was done stays done, and the next sync carries on."));
		return;
	}
	ui_run_free(u);
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
	if (rc == HW_EAUTH && cli_auth_text(&auth, text, sizeof text) == 0) {
		/* What the server did not accept, in the person's language. */
		tui_message(t, ROLE_ERROR, "%s (%s)", tui_error_text(rc), text);
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

/* The filters in force, as a line ("stage: departed · country: NG"); caller frees. */
static char *filters_text(const case_list *l)
{
	hw_buf b = HW_BUF_INIT;

	if (l->mine)
		/* TRANSLATORS: the filters of the case list, shown on the search row. */
		hw_buf_printf(&b, "%s", _("assigned to me"));
	if (l->filter[FILTER_STAGE])
		hw_buf_printf(&b, "%s%s: %s", b.len ? " \xc2\xb7 " : "", _("stage"),
			      ui_word_label(ui_stages, l->filter[FILTER_STAGE]));
	if (l->filter[FILTER_ASSIGNEE])
		hw_buf_printf(&b, "%s%s: %s", b.len ? " \xc2\xb7 " : "", _("assignee"), l->filter[FILTER_ASSIGNEE]);
	if (l->filter[FILTER_COUNTRY])
		hw_buf_printf(&b, "%s%s: %s", b.len ? " \xc2\xb7 " : "", _("country"), l->filter[FILTER_COUNTRY]);
	if (l->filter[FILTER_VULNERABILITY])
		hw_buf_printf(&b, "%s%s: %s", b.len ? " \xc2\xb7 " : "", _("vulnerability"),
			      l->filter[FILTER_VULNERABILITY]);
	return hw_buf_detach(&b);
}

/* The values seen in the cases for a filter: assignees, countries or flags. */
typedef struct seen {
	char **values;
	int count;
	int kind;
} seen;

static int seen_add(seen *s, const char *v, size_t len)
{
	char **grown;
	int i;

	for (i = 0; i < s->count; i++)
		if (strlen(s->values[i]) == len && !strncmp(s->values[i], v, len))
			return 0;
	grown = realloc(s->values, (size_t)(s->count + 1) * sizeof *grown);
	if (!grown)
		return HW_ERROR;
	s->values = grown;
	if (!(grown[s->count] = strndup(v, len)))
		return HW_ERROR;
	s->count++;
	return 0;
}

static int seen_row(const store_case_row *r, void *payload)
{
	seen *s = payload;
	const char *list = s->kind == FILTER_ASSIGNEE ? r->assigned_to
			   : s->kind == FILTER_COUNTRY ? r->return_country : r->vulnerability;
	int rc = 0;

	for (const char *p = list; p && *p && rc == 0;) {
		size_t len = strcspn(p, " ");

		if (len)
			rc = seen_add(s, p, len);
		p += len;
		while (*p == ' ')
			p++;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void value_chosen(tui *t, const char *value, void *payload)
{
	case_list *l = payload;

	free(l->filter[l->filter_kind]);
	l->filter[l->filter_kind] = *value ? strdup(value) : NULL;
	l->sel = l->top = 0;
	reload(l, t);
}

/* Offer the values of one filter, "any" first. */
static void pick_value(case_list *l, tui *t, int kind)
{
	store_case_query q = STORE_CASE_QUERY_INIT;
	seen s = { NULL, 0, kind };
	ui_pick_item *items = NULL;
	ui_pick_args a;
	int i, n = 0, rc = 0;

	l->filter_kind = kind;
	if (kind == FILTER_STAGE) {
		for (i = 0; ui_stages[i].code && rc == 0; i++)
			rc = seen_add(&s, ui_stages[i].code, strlen(ui_stages[i].code));
	} else {
		rc = case_query(l->ws, &q, seen_row, &s);
		if (rc == 0 && s.count)
			qsort(s.values, (size_t)s.count, sizeof *s.values, cmp_str);
	}
	if (rc < 0) {
		tui_error(t, rc);
		goto cleanup;
	}
	if (!(items = calloc((size_t)s.count + 1, sizeof *items)))
		goto cleanup;
	/* TRANSLATORS: the first choice of a filter: no filter. */
	items[n].label = _("any");
	items[n++].value = "";
	for (i = 0; i < s.count; i++) {
		items[n].label = kind == FILTER_STAGE ? ui_word_label(ui_stages, s.values[i]) : s.values[i];
		items[n++].value = s.values[i];
	}
	memset(&a, 0, sizeof a);
	a.title = kind == FILTER_STAGE ? _("Show the cases at which stage?")
		  : kind == FILTER_ASSIGNEE ? _("Show the cases assigned to whom?")
		  : kind == FILTER_COUNTRY ? _("Show the cases returning to which country?")
		  : _("Show the cases with which vulnerability?");
	a.items = items;
	a.count = n;
	a.chosen = value_chosen;
	a.payload = l;   /* the list stays below the picker */
	tui_push(t, &ui_screen_pick, &a);
cleanup:
	for (i = 0; i < s.count; i++)
		free(s.values[i]);
	free(s.values);
	free(items);
}

static void kind_chosen(tui *t, const char *value, void *payload)
{
	case_list *l = payload;
	int kind = atoi(value);

	if (kind < 0) {
		for (int i = 0; i < NFILTERS; i++) {
			free(l->filter[i]);
			l->filter[i] = NULL;
		}
		reload(l, t);
		return;
	}
	pick_value(l, t, kind);
}

/* Which filter to set, then its value. */
static void pick_filter(case_list *l, tui *t)
{
	/* TRANSLATORS: the filters the case list offers (F4). */
	ui_pick_item items[] = {
		{ _("Stage..."), "0" },
		{ _("Assignee..."), "1" },
		{ _("Country of return..."), "2" },
		{ _("Vulnerability..."), "3" },
		{ _("No filters"), "-1" },
	};
	ui_pick_args a;

	memset(&a, 0, sizeof a);
	a.title = _("Filter the cases by");
	a.items = items;
	a.count = (int)(sizeof items / sizeof items[0]);
	a.chosen = kind_chosen;
	a.payload = l;
	tui_push(t, &ui_screen_pick, &a);
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
	case ACT_MY_CASES:
		l->mine = !l->mine;
		l->sel = l->top = 0;
		reload(l, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_FILTER:
		pick_filter(l, t);
		return UI_HANDLED;
	case ACT_TEAM:
		if (tui_push(t, &ui_screen_team, NULL) < 0)
			tui_error(t, ws_error(tui_ws(t))->code);
		return UI_HANDLED;
	case ACT_REPORTS:
		if (tui_push(t, &ui_screen_reports, NULL) < 0)
			tui_error(t, ws_error(tui_ws(t))->code);
		return UI_HANDLED;
	case ACT_REFERRALS:
		if (tui_push(t, &ui_screen_referrals, NULL) < 0)
			tui_error(t, ws_error(tui_ws(t))->code);
		return UI_HANDLED;
	case ACT_AGENDA:
		if (tui_push(t, &ui_screen_agenda, NULL) < 0)
			tui_error(t, ws_error(tui_ws(t))->code);
		return UI_HANDLED;
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
