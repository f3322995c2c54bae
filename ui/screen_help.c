/* screen_help.c: the keys of a screen, generated from its keymap and the action table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "text.h"
#include "view.h"

typedef struct help {
	const ui_keymap *km;
	int top, rows;
	int count;
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
static const ui_keymap help_keymap = { "help", help_bindings };

static const ui_hint help_hints[] = {
	{ ACT_BACK, N_("Back") },
	{ ACT_NONE, NULL },
};

/* Call fn for each binding of the screen, then the global ones it does not override. */
static int each_binding(const ui_keymap *km, void (*fn)(const ui_binding *b, int i, void *p), void *p)
{
	const ui_binding *b;
	int n = 0;

	if (km)
		for (b = km->bindings; b->key; b++)
			fn(b, n++, p);
	for (b = ui_keymap_global.bindings; b->key; b++)
		if (!km || ui_action_for_key(km, b->key) == b->action)
			if (!km || ui_key_for_action(km, b->action) == b->key)
				fn(b, n++, p);
	return n;
}

static void count_one(const ui_binding *b, int i, void *p)
{
	(void)b, (void)i, (void)p;
}

static int help_open(ui_view *v, tui *t, void *arg)
{
	help *h = calloc(1, sizeof *h);

	if (!h)
		return HW_ERROR;
	h->km = arg;
	h->count = each_binding(h->km, count_one, NULL);
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

typedef struct draw_ctx {
	tui *t;
	help *h;
	int y0, rows, cols;
} draw_ctx;

static void draw_one(const ui_binding *b, int i, void *p)
{
	draw_ctx *d = p;
	int y = d->y0 + i - d->h->top;

	if (i < d->h->top || y >= d->y0 + d->rows)
		return;
	ui_put(d->t, y, 2, 12, ui_key_name(b->key), ROLE_KEYS, 0);
	ui_put(d->t, y, 15, d->cols - 16, _(ui_action_get(b->action)->help), ROLE_NORMAL, 1);
}

static void help_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	help *h = v->data;
	draw_ctx d = { t, h, top + 2, rows - 2, cols };

	tui_set_title(t, _("Help"));
	tui_set_hints(t, &help_keymap, help_hints);
	ui_put(t, top, 1, cols - 2, _("Keys of this screen"), ROLE_HEADER, 1);
	each_binding(h->km, draw_one, &d);
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
	free(v->data);
}

const ui_view_ops ui_screen_help = {
	"help", &help_keymap, help_open, help_draw, help_key, help_resize, NULL, help_close,
};
