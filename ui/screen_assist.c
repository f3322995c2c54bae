/*
 * screen_assist.c: the assistance available in a case's country of return,
 * outside any form: the inventory's items for that country (kind, label,
 * amount ceiling, children only), in the language of the program, with the
 * selected item's description below, and a filter by kind.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assist.h"
#include "curses.h"
#include "i18n.h"
#include "view.h"

/* Rows under the list for the selected item's description. */
#define DESC_ROWS 4

typedef struct assist_view {
	char country[16];
	char kind[32];          /* the kind shown, "" for all */
	assist_list *list;
	int *shown;             /* indexes into list->items that pass the filter */
	int count, sel, top, visible;
} assist_view;

static const ui_binding assist_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ 'k', ACT_FILTER_KIND },
	{ UI_KEY_FN(KEY_F(4)), ACT_FILTER_KIND },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap assist_keymap = { "assistance", assist_bindings };

static const ui_hint assist_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_FILTER_KIND, N_("Kind") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

/* The kinds of docs/assistance-inventory.md, in the order of the forms' list. */
static const struct {
	const char *code, *name;
} kinds[] = {
	/* TRANSLATORS: kinds of assistance, as a column of the assistance
	 * list: at most 16 columns each. */
	{ "cash", N_("Cash") },
	{ "in_kind", N_("In kind") },
	{ "business", N_("Business") },
	{ "housing", N_("Housing") },
	{ "employment", N_("Employment") },
	{ "training", N_("Training") },
	{ "education", N_("Education") },
	{ "medical", N_("Medical") },
	{ "psychosocial", N_("Psychosocial") },
	{ "legal", N_("Legal, documents") },
	{ "family", N_("Family") },
	{ "travel", N_("Travel") },
	{ "reception", N_("Reception") },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The translated name of a kind; an unknown kind as written. */
static const char *kind_name(const char *code)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].code, code) == 0)
			return _(kinds[i].name);
	return code;
}

/* Rebuild the list of shown items from the filter. */
static void apply_filter(assist_view *a)
{
	a->count = 0;
	for (size_t i = 0; a->list && i < a->list->count; i++)
		if (!a->kind[0] || strcmp(a->list->items[i].kind, a->kind) == 0)
			a->shown[a->count++] = (int)i;
	ui_list_clamp(&a->sel, &a->top, a->count, a->visible);
}

/* (Re)read the inventory in the program's current language. */
static int load(assist_view *a, tui *t)
{
	assist_list *l = NULL;
	int *shown;
	int rc;

	if ((rc = assist_load(tui_ws(t), a->country, ui_i18n_language(), &l)) < 0)
		return rc;
	if (!(shown = calloc(l->count + 1, sizeof(*shown)))) {
		assist_free(l);
		return HW_ERROR;
	}
	assist_free(a->list);
	free(a->shown);
	a->list = l;
	a->shown = shown;
	apply_filter(a);
	return 0;
}

static void assist_close(ui_view *v, tui *t)
{
	assist_view *a = v->data;

	(void)t;
	if (!a)
		return;
	assist_free(a->list);
	free(a->shown);
	free(a);
}

static int assist_open(ui_view *v, tui *t, void *arg)
{
	const char *country = arg;
	assist_view *a = calloc(1, sizeof *a);
	int rc;

	if (!a)
		return HW_ERROR;
	v->data = a;
	snprintf(a->country, sizeof a->country, "%s", country ? country : "");
	if ((rc = load(a, t)) < 0) {
		assist_close(v, t);
		v->data = NULL;
	}
	return rc;
}

static void assist_resize(ui_view *v, tui *t, int rows, int cols)
{
	assist_view *a = v->data;

	(void)t;
	(void)cols;
	a->visible = rows - 3 - DESC_ROWS;
	if (a->visible < 1)
		a->visible = 1;
	ui_list_clamp(&a->sel, &a->top, a->count, a->visible);
}

/* Back on top (after the kind picker or F9): the language may have changed. */
static void assist_resume(ui_view *v, tui *t)
{
	assist_view *a = v->data;
	int rc;

	if ((rc = load(a, t)) < 0)
		tui_error(t, rc);
}

static void assist_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	assist_view *a = v->data;
	char buf[256];
	/* Columns: kind, label, amount, children-only mark. */
	int wk = 17, wa = 11, wc = 7, wl = cols - 2 - wk - wa - wc;
	int y, i, list_end = top + 2 + a->visible;

	/* TRANSLATORS: the title of the assistance list; %s is a country code. */
	snprintf(buf, sizeof buf, _("Assistance in %s"), a->country);
	tui_set_title(t, buf);
	tui_set_hints(t, &assist_keymap, assist_hints);
	/* TRANSLATORS: the filter line of the assistance list; %s is a kind of
	 * assistance ("Cash") or "All kinds". */
	snprintf(buf, sizeof buf, _("Kind: %s"), a->kind[0] ? kind_name(a->kind) : _("All kinds"));
	ui_put(t, top, 1, cols - 2, buf, ROLE_HEADER, 1);
	/* TRANSLATORS: column headers of the assistance list: Kind (16
	 * columns), Assistance (wide), Up to (amount in euro, 10 columns). */
	ui_put(t, top + 1, 1, wk - 1, _("Kind"), ROLE_HEADER, 1);
	ui_put(t, top + 1, 1 + wk, wl - 1, _("Assistance"), ROLE_HEADER, 1);
	ui_put(t, top + 1, 1 + wk + wl, wa - 1, _("Up to EUR"), ROLE_HEADER, 1);
	if (a->count == 0) {
		if (a->kind[0])
			snprintf(buf, sizeof buf, _("No assistance of this kind is listed for %s."), a->country);
		else
			snprintf(buf, sizeof buf, _("No assistance is listed for %s in the inventory."), a->country);
		ui_put_block(t, top + 3, 2, cols - 4, 0, buf, ROLE_DIM, 0);
		return;
	}
	for (i = a->top, y = top + 2; i < a->count && y < list_end; i++, y++) {
		const assist_item *it = &a->list->items[a->shown[i]];
		enum ui_role role = i == a->sel ? ROLE_SELECTED : ROLE_NORMAL;

		ui_blank(y, 0, cols, role);
		ui_put(t, y, 1, wk - 1, kind_name(it->kind), role, 1);
		ui_put(t, y, 1 + wk, wl - 1, it->label, role, 1);
		ui_put(t, y, 1 + wk + wl, wa - 1, it->max_amount, role, 0);
		ui_put(t, y, 1 + wk + wl + wa, wc - 1, it->minors_only ? _("child") : "",
		       i == a->sel ? ROLE_SELECTED : ROLE_MINOR, 1);
	}
	/* The selected item in full. */
	if (rows > 2 + a->visible) {
		const assist_item *it = &a->list->items[a->shown[a->sel]];

		ui_blank(list_end, 0, cols, ROLE_NORMAL);
		ui_put_block(t, list_end + 1, 2, cols - 4, top + rows - list_end - 1,
			     it->description, ROLE_NORMAL, 0);
	}
}

/* The kind picked in the list of kinds. */
static void kind_chosen(tui *t, const char *value, void *payload)
{
	assist_view *a = payload;

	(void)t;
	snprintf(a->kind, sizeof a->kind, "%s", value);
	a->sel = a->top = 0;
	apply_filter(a);
}

/* Offer the kinds this country has, "all kinds" first. */
static void pick_kind(assist_view *a, tui *t)
{
	ui_pick_item items[NKINDS + 2];
	ui_pick_args p;
	int n = 0;

	memset(&p, 0, sizeof p);
	items[n].label = _("All kinds");
	items[n++].value = "";
	for (size_t k = 0; k < NKINDS; k++)
		for (size_t i = 0; a->list && i < a->list->count; i++)
			if (strcmp(a->list->items[i].kind, kinds[k].code) == 0) {
				if (strcmp(a->kind, kinds[k].code) == 0)
					p.selected = n;
				items[n].label = _(kinds[k].name);
				items[n++].value = kinds[k].code;
				break;
			}
	p.title = _("Show which kind of assistance?");
	p.items = items;
	p.count = n;
	p.chosen = kind_chosen;
	p.payload = a;   /* lives as long as this view, which stays below */
	tui_push(t, &ui_screen_pick, &p);
}

static int assist_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	assist_view *a = v->data;

	(void)key;
	if (ui_list_nav(&a->sel, &a->top, a->count, a->visible, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_FILTER_KIND:
		pick_kind(a, t);
		return UI_HANDLED;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_assist = {
	"assistance", &assist_keymap, assist_open, assist_draw, assist_key, assist_resize,
	assist_resume, assist_close, NULL,
};
