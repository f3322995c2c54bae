/*
 * screen_help.c: the keys of a screen, generated from its keymap and the
 * action table, then the screen's notes ("typing": search) and the notes
 * every screen shares (Esc-digit, Ctrl-C).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "text.h"
#include "view.h"

/* One line of help: the keys of an action (or a note's keys) and what it does. */
typedef struct help_line {
	enum ui_action action;  /* a binding's action; ACT_NONE for a note */
	char bound[48];         /* the keys bound to it ("F2, ^N") */
	const char *keys;       /* a note's keys (N_) */
	const char *help;       /* N_ */
} help_line;

typedef struct help {
	help_line *lines;
	int count;
	int top, rows;
} help;

static const ui_binding help_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_ESC, ACT_BACK },
	{ 'q', ACT_BACK },
	{ '\r', ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap help_keymap = { "help", help_bindings, NULL };

static const ui_hint help_hints[] = {
	{ ACT_BACK, N_("Back") },
	{ ACT_NONE, NULL },
};

/*
 * Append a line (the array has room for every binding and note); a key of
 * an action listed already joins its line, so each action takes one line.
 */
static void add(help *h, int key, enum ui_action action, const char *keys, const char *text)
{
	help_line *l;
	size_t len;

	for (int i = 0; key && i < h->count; i++) {
		l = &h->lines[i];
		len = strlen(l->bound);
		if (l->action == action && len + 2 + strlen(ui_key_name(key)) < sizeof l->bound) {
			snprintf(l->bound + len, sizeof l->bound - len, ", %s", ui_key_name(key));
			return;
		}
	}
	l = &h->lines[h->count];
	l->action = key ? action : ACT_NONE;
	if (key)
		snprintf(l->bound, sizeof l->bound, "%s", ui_key_name(key));
	l->keys = keys;
	l->help = text;
	h->count++;
}

/* The screen's bindings, the global ones it does not override, then the notes. */
static int help_open(ui_view *v, tui *t, void *arg)
{
	const ui_keymap *km = arg;
	const ui_binding *b;
	const ui_note *n;
	help *h = calloc(1, sizeof *h);
	size_t room = 0;

	if (!h)
		return HW_ERROR;
	for (b = km ? km->bindings : NULL; b && b->key; b++)
		room++;
	for (b = ui_keymap_global.bindings; b->key; b++)
		room++;
	for (n = km ? km->notes : NULL; n && n->keys; n++)
		room++;
	for (n = ui_notes_global; n->keys; n++)
		room++;
	h->lines = calloc(room + 1, sizeof *h->lines);
	if (!h->lines) {
		free(h);
		return HW_ERROR;
	}
	for (b = km ? km->bindings : NULL; b && b->key; b++)
		add(h, b->key, b->action, NULL, ui_action_get(b->action)->help);
	for (b = ui_keymap_global.bindings; b->key; b++)
		if (!km || (ui_action_for_key(km, b->key) == b->action &&
			    ui_key_for_action(km, b->action) == b->key))
			add(h, b->key, b->action, NULL, ui_action_get(b->action)->help);
	for (n = km ? km->notes : NULL; n && n->keys; n++)
		add(h, 0, ACT_NONE, n->keys, n->help);
	for (n = ui_notes_global; n->keys; n++)
		add(h, 0, ACT_NONE, n->keys, n->help);
	v->data = h;
	return 0;
}

static void help_resize(ui_view *v, tui *t, int rows, int cols)
{
	help *h = v->data;

	h->rows = rows - 2;
	if (h->top > h->count - h->rows)
		h->top = h->count - h->rows;
	if (h->top < 0)
		h->top = 0;
}

static void help_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	help *h = v->data;
	int i, y;

	tui_set_title(t, _("Help"));
	tui_set_hints(t, &help_keymap, help_hints);
	ui_put(t, top, 1, cols - 2, _("Keys of this screen"), ROLE_HEADER, 1);
	for (i = h->top, y = top + 2; i < h->count && y < top + rows; i++, y++) {
		help_line *l = &h->lines[i];

		ui_put(t, y, 2, 15, l->bound[0] ? l->bound : _(l->keys), ROLE_KEYS, 0);
		ui_put(t, y, 18, cols - 19, _(l->help), ROLE_NORMAL, 1);
	}
}

static int help_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	help *h = v->data;
	int sel;

	if (act == ACT_BACK || act == ACT_HELP)
		return UI_CLOSE;
	if (act == ACT_UP || act == ACT_DOWN || act == ACT_PAGE_UP || act == ACT_PAGE_DOWN) {
		sel = act == ACT_UP ? h->top : h->top + h->rows - 1;
		ui_list_nav(&sel, &h->top, h->count, h->rows, act);
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_IGNORED;
}

static void help_close(ui_view *v, tui *t)
{
	help *h = v->data;

	if (h)
		free(h->lines);
	free(h);
}

const ui_view_ops ui_screen_help = {
	"help", &help_keymap, help_open, help_draw, help_key, help_resize, NULL, help_close,
};
