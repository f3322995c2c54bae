/*
 * screen_decide.c: deciding a conflict.  When two devices changed the same
 * field of a case before they synced, the case holds competing values and
 * shows one of them provisionally.  This screen lists the values of one
 * such field; choosing one records a conflict.resolved event (case_resolve),
 * which settles the field on every device once it is synced.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "util.h"
#include "view.h"

typedef struct decide_view {
	char id[HW_UUID_LEN + 1];
	char *field;          /* the case field ("return_country") */
	char **values;        /* the competing values ("" for a cleared field) */
	int count, sel, top, rows;
	int provisional;      /* index of the value shown until decided, -1 none */
} decide_view;

static const ui_binding decide_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\r', ACT_DECIDE_CONFLICT },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap decide_keymap = { "decide-conflict", decide_bindings };

static const ui_hint decide_hints[] = {
	/* TRANSLATORS: key hint: record the selected value as the decision. */
	{ ACT_DECIDE_CONFLICT, N_("Decide") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

const char *ui_case_field_label(const char *field)
{
	static const struct { const char *key, *label; } labels[] = {
		{ "given_name", N_("Given name") },
		{ "family_name", N_("Family name") },
		{ "birth_date", N_("Date of birth") },
		{ "birth_year", N_("Estimated birth year") },
		{ "sex", N_("Sex") },
		{ "nationality", N_("Nationality") },
		{ "return_country", N_("Country of return") },
		{ "language", N_("Preferred language") },
		{ "vulnerability", N_("Vulnerabilities") },
		{ "status", N_("Status") },
		{ "assigned_to", N_("Assigned to") },
	};
	size_t i;

	for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(field, labels[i].key) == 0)
			return _(labels[i].label);
	return field;
}

static void decide_close(ui_view *v, tui *t)
{
	decide_view *d = v->data;
	int i;

	(void)t;
	if (!d)
		return;
	for (i = 0; i < d->count; i++)
		free(d->values[i]);
	free(d->values);
	free(d->field);
	free(d);
}

static int decide_open(ui_view *v, tui *t, void *arg)
{
	const ui_decide_arg *a = arg;
	hw_ws *ws = tui_ws(t);
	decide_view *d = calloc(1, sizeof *d);
	case_conflict *cf = NULL;
	size_t ncf = 0, k, j;
	int rc;

	if (!d)
		return HW_ERROR;
	v->data = d;
	d->provisional = -1;
	snprintf(d->id, sizeof d->id, "%s", a->case_id);
	if ((rc = case_conflicts(ws, d->id, &cf, &ncf)) < 0)
		goto fail;
	for (k = 0; k < ncf && strcmp(cf[k].field, a->field) != 0; k++)
		;
	if (k == ncf) {
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "%s has no conflict", a->field);
		goto fail;
	}
	rc = HW_ERROR;
	if (!(d->field = strdup(a->field)) ||
	    !(d->values = calloc(cf[k].nvalues + 1, sizeof *d->values)))
		goto fail;
	for (j = 0; j < cf[k].nvalues; j++) {
		if (!(d->values[d->count] = strdup(cf[k].values[j] ? cf[k].values[j] : "")))
			goto fail;
		if (cf[k].provisional && strcmp(cf[k].provisional, d->values[d->count]) == 0)
			d->provisional = d->count;
		d->count++;
	}
	case_conflicts_free(cf, ncf);
	return 0;
fail:
	case_conflicts_free(cf, ncf);
	decide_close(v, t);
	v->data = NULL;
	return rc;
}

static void decide_resize(ui_view *v, tui *t, int rows, int cols)
{
	decide_view *d = v->data;

	(void)t;
	(void)cols;
	/* The explanation above the list takes about nine rows. */
	d->rows = rows - 9 > 1 ? rows - 9 : 1;
	ui_list_clamp(&d->sel, &d->top, d->count, d->rows);
}

/* A value as the person deciding reads it. */
static const char *shown_value(const char *value)
{
	/* TRANSLATORS: a competing value of a conflict that is a cleared field. */
	return *value ? value : _("(empty)");
}

static void decide_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	decide_view *d = v->data;
	const char *label = ui_case_field_label(d->field);
	char buf[1024];
	int i, y = top;

	/* TRANSLATORS: the title of the screen deciding a conflict; %s is a
	 * field such as "Country of return". */
	snprintf(buf, sizeof buf, _("Decide a conflict: %s"), label);
	tui_set_title(t, buf);
	tui_set_hints(t, &decide_keymap, decide_hints);
	/* TRANSLATORS: %s is a field such as "Country of return". */
	snprintf(buf, sizeof buf, _("%s: which value is right?"), label);
	ui_put(t, y, 1, cols - 2, buf, ROLE_HEADER, 1);
	y += 2;
	snprintf(buf, sizeof buf,
		 P_("This field was changed on different devices before they synced, so the case "
		    "holds %d value for it. Choose the right one.",
		    "This field was changed on different devices before they synced, so the case "
		    "holds %d values for it. Choose the right one.", d->count), d->count);
	y += ui_put_block(t, y, 1, cols - 2, 3, buf, ROLE_NORMAL, 0) + 1;
	y += ui_put_block(t, y, 1, cols - 2, 3,
			  _("Your decision is recorded in the case's history under your name and "
			    "replaces the other values on every device after the next sync."),
			  ROLE_HINT, 0);
	y++;
	d->rows = top + rows - y > 1 ? top + rows - y : 1;
	ui_list_clamp(&d->sel, &d->top, d->count, d->rows);
	for (i = d->top; i < d->count && y < top + rows; i++, y++) {
		enum ui_role role = i == d->sel ? ROLE_SELECTED : ROLE_NORMAL;

		if (i == d->provisional)
			/* TRANSLATORS: after the value the case shows until someone decides. */
			snprintf(buf, sizeof buf, _("%s   (shown for now)"), shown_value(d->values[i]));
		else
			snprintf(buf, sizeof buf, "%s", shown_value(d->values[i]));
		ui_blank(y, 2, cols - 4, role);
		ui_put(t, y, 3, cols - 6, buf, role, 0);
	}
}

/* Record the selected value as the decision; closes the screen when saved. */
static int decide(decide_view *d, tui *t)
{
	hw_ws *ws = tui_ws(t);
	const char *value = d->values[d->sel];
	char *label = NULL, *shown = NULL;
	int rc;

	/* An empty value is a field someone cleared: deciding for it clears it. */
	rc = case_resolve(ws, d->id, d->field, *value ? value : NULL);
	if (rc < 0) {
		tui_error(t, rc);
		return UI_HANDLED | UI_REDRAW;
	}
	/* Copies: the view and its strings go when it closes. */
	label = strdup(ui_case_field_label(d->field));
	shown = strdup(shown_value(value));
	tui_pop(t);
	tui_message(t, ROLE_INFO, _("Decided: %s is %s. Recorded; it is sent with the next sync."),
		    label ? label : "", shown ? shown : "");
	free(label);
	free(shown);
	return UI_HANDLED;
}

static int decide_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	decide_view *d = v->data;

	(void)key;
	if (ui_list_nav(&d->sel, &d->top, d->count, d->rows, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_DECIDE_CONFLICT:
		if (d->count == 0)
			return UI_HANDLED;
		return decide(d, t);
	case ACT_BACK:
		tui_message(t, ROLE_INFO, "%s", _("Not decided: the conflict stays open."));
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_decide = {
	"decide-conflict", &decide_keymap, decide_open, decide_draw, decide_key, decide_resize,
	NULL, decide_close,
};
