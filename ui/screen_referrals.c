/*
 * screen_referrals.c: the referrals of the whole caseload, waiting longest
 * first (by the time of their last status), with the case, the provider,
 * the status and how long it has been waiting.  Enter opens the case.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "providers.h"
#include "text.h"
#include "util.h"
#include "view.h"
#include "work.h"

typedef struct ref_row {
	char case_id[HW_UUID_LEN + 1];
	char *text;       /* the line, without the waiting time */
	char waiting[32];
	char *status;     /* translated, copied */
	int finished;     /* delivered or closed: nothing to wait for */
} ref_row;

typedef struct ref_view {
	ref_row *rows;
	int count, sel, top, visible;
	int open_only;    /* leave out delivered and closed referrals */
	hw_provider_list *providers;
	char today[11];
	hw_ws *ws;
} ref_view;

static const ui_binding ref_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\r', ACT_OPEN },
	{ UI_KEY_FN(KEY_F(4)), ACT_FILTER },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap ref_keymap = { "referrals", ref_bindings };

static const ui_hint ref_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_OPEN, N_("Open case") },
	/* TRANSLATORS: key hint: show the open referrals only, or all. */
	{ ACT_FILTER, N_("Open/all") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void rows_free(ref_view *r)
{
	for (int i = 0; i < r->count; i++) {
		free(r->rows[i].text);
		free(r->rows[i].status);
	}
	free(r->rows);
	r->rows = NULL;
	r->count = 0;
}

static int add_ref(const store_referral *ref, void *payload)
{
	ref_view *r = payload;
	const hw_provider *p = providers_find(r->providers, ref->provider);
	store_case_row row;
	ref_row *grown, *x;
	char buf[1024];
	int days, finished = !strcmp(ref->status, "service_delivered") || !strcmp(ref->status, "closed");

	if (r->open_only && finished)
		return 0;
	memset(&row, 0, sizeof row);
	if (case_get(r->ws, ref->case_id, &row) < 0)
		hw_error_clear(ws_err(r->ws));   /* a referral of a case not here: show the id */
	grown = realloc(r->rows, (size_t)(r->count + 1) * sizeof *grown);
	if (!grown) {
		store_case_row_clear(&row);
		return HW_ERROR;
	}
	r->rows = grown;
	x = &grown[r->count];
	memset(x, 0, sizeof *x);
	snprintf(x->case_id, sizeof x->case_id, "%s", ref->case_id);
	snprintf(buf, sizeof buf, "%s %s \xc2\xb7 %s%s", row.given_name ? row.given_name : "",
		 row.family_name ? row.family_name : (row.given_name ? "" : ref->case_id),
		 p ? p->name : ref->provider,
		 ref->urgency && !strcmp(ref->urgency, "urgent") ? _("  URGENT") : "");
	store_case_row_clear(&row);
	days = ui_days_between(ref->status_at, r->today);
	if (days >= 0)
		/* TRANSLATORS: how long a referral has waited since its last status; at most 9 columns. */
		snprintf(x->waiting, sizeof x->waiting, P_("%d day", "%d days", days), days);
	x->text = strdup(buf);
	x->status = strdup(ui_word_label(ui_referral_statuses, ref->status));
	x->finished = finished;
	if (!x->text || !x->status) {
		free(x->text);
		free(x->status);
		return HW_ERROR;
	}
	r->count++;
	return 0;
}

static void reload(ref_view *r, tui *t)
{
	char now[HW_TIME_LEN + 1];
	int rc;

	rows_free(r);
	hw_now_iso(now);
	snprintf(r->today, sizeof r->today, "%.10s", now);
	rc = case_referrals(r->ws, NULL, add_ref, r);
	if (rc < 0)
		tui_error(t, rc);
	ui_list_clamp(&r->sel, &r->top, r->count, r->visible);
}

static void ref_close(ui_view *v, tui *t)
{
	ref_view *r = v->data;

	(void)t;
	if (!r)
		return;
	rows_free(r);
	providers_free(r->providers);
	free(r);
}

static int ref_open(ui_view *v, tui *t, void *arg)
{
	ref_view *r = calloc(1, sizeof *r);

	(void)arg;
	if (!r)
		return HW_ERROR;
	v->data = r;
	r->ws = tui_ws(t);
	r->visible = 10;
	r->open_only = 1;
	if (providers_load(r->ws, &r->providers) < 0)
		hw_error_clear(ws_err(r->ws));   /* names are a nicety: ids do */
	reload(r, t);
	return 0;
}

static void ref_resume(ui_view *v, tui *t)
{
	reload(v->data, t);
}

enum { W_WAIT = 10, W_STATUS = 19 };

static void ref_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	ref_view *r = v->data;
	char title[256];
	int y = top, i;

	snprintf(title, sizeof title, "%s \xc2\xb7 %s", _("Referrals"),
		 r->open_only ? _("waiting (not delivered or closed)") : _("all"));
	tui_set_title(t, title);
	tui_set_hints(t, &ref_keymap, ref_hints);
	ui_blank(y, 0, cols, ROLE_HEADER);
	/* TRANSLATORS: column headers of the referral list: waiting time (9
	 * columns), status (18 columns), then the case and the provider. */
	ui_put(t, y, 1, W_WAIT - 1, _("Waiting"), ROLE_HEADER, 0);
	ui_put(t, y, 1 + W_WAIT, W_STATUS - 1, _("Status"), ROLE_HEADER, 0);
	ui_put(t, y, 1 + W_WAIT + W_STATUS, cols - W_WAIT - W_STATUS - 2, _("Case and provider"), ROLE_HEADER, 0);
	y++;
	r->visible = rows - 1;
	ui_list_clamp(&r->sel, &r->top, r->count, r->visible);
	if (r->count == 0) {
		ui_put_block(t, y + 1, 2, cols - 4, 2, _("No referrals."), ROLE_HINT, 0);
		return;
	}
	for (i = r->top; i < r->count && y < top + rows; i++, y++) {
		ref_row *x = &r->rows[i];
		enum ui_role role = i == r->sel ? ROLE_SELECTED : x->finished ? ROLE_DIM : ROLE_NORMAL;

		ui_blank(y, 0, cols, role);
		ui_put(t, y, 1, W_WAIT - 1, x->waiting, role, 0);
		ui_put(t, y, 1 + W_WAIT, W_STATUS - 1, x->status, role, 0);
		ui_put(t, y, 1 + W_WAIT + W_STATUS, cols - W_WAIT - W_STATUS - 2, x->text, role, 0);
	}
}

static int ref_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	ref_view *r = v->data;
	char id[HW_UUID_LEN + 1];
	int rc;

	(void)key;
	if (ui_list_nav(&r->sel, &r->top, r->count, r->visible, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN:
		if (r->count == 0)
			return UI_HANDLED;
		snprintf(id, sizeof id, "%s", r->rows[r->sel].case_id);
		if ((rc = tui_push(t, &ui_screen_case, id)) < 0)
			tui_error(t, rc);
		return UI_HANDLED;
	case ACT_FILTER:
		r->open_only = !r->open_only;
		r->sel = r->top = 0;
		reload(r, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_referrals = {
	"referrals", &ref_keymap, ref_open, ref_draw, ref_key, NULL, ref_resume, ref_close,
};
