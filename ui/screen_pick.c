/* screen_pick.c: choose one item from a list (languages, forms, questions). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "view.h"

typedef struct pick {
	char *title;
	char **labels, **values;
	int count, sel, top, rows;
	void (*chosen)(tui *t, const char *value, void *payload);
	void *payload;
} pick;

static const ui_binding pick_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ '\r', ACT_OPEN },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap pick_keymap = { "pick", pick_bindings };

static const ui_hint pick_hints[] = {
	{ ACT_OPEN, N_("Choose") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

static void pick_close(ui_view *v, tui *t)
{
	pick *p = v->data;
	int i;

	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		free(p->labels[i]);
		free(p->values[i]);
	}
	free(p->labels);
	free(p->values);
	free(p->title);
	free(p);
}

static int pick_open(ui_view *v, tui *t, void *arg)
{
	const ui_pick_args *a = arg;
	pick *p = calloc(1, sizeof *p);
	int i;

	if (!p)
		return HW_ERROR;
	v->data = p;
	p->title = strdup(a->title ? a->title : "");
	p->labels = calloc((size_t)a->count + 1, sizeof *p->labels);
	p->values = calloc((size_t)a->count + 1, sizeof *p->values);
	if (!p->title || !p->labels || !p->values) {
		pick_close(v, t);
		return HW_ERROR;
	}
	for (i = 0; i < a->count; i++) {
		p->labels[i] = strdup(a->items[i].label ? a->items[i].label : "");
		p->values[i] = strdup(a->items[i].value ? a->items[i].value : "");
		p->count++;
	}
	p->sel = a->selected;
	p->chosen = a->chosen;
	p->payload = a->payload;
	return 0;
}

static void pick_resize(ui_view *v, tui *t, int rows, int cols)
{
	pick *p = v->data;

	p->rows = rows - 2;
	ui_list_clamp(&p->sel, &p->top, p->count, p->rows);
}

static void pick_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	pick *p = v->data;
	int i, y;

	tui_set_title(t, p->title);
	tui_set_hints(t, &pick_keymap, pick_hints);
	ui_put(t, top, 1, cols - 2, p->title, ROLE_HEADER, 1);
	for (i = p->top, y = top + 2; i < p->count && y < top + rows; i++, y++) {
		enum ui_role role = i == p->sel ? ROLE_SELECTED : ROLE_NORMAL;

		ui_blank(y, 2, cols - 4, role);
		ui_put(t, y, 3, cols - 6, p->labels[i], role, 1);
	}
}

static int pick_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	pick *p = v->data;
	void (*chosen)(tui *, const char *, void *);
	void *payload;
	char *value;

	if (ui_list_nav(&p->sel, &p->top, p->count, p->rows, act))
		return UI_HANDLED | UI_REDRAW;
	if (act == ACT_BACK)
		return UI_CLOSE;
	if (act != ACT_OPEN || p->count == 0)
		return UI_IGNORED;
	/* The callback may push a view: close the picker first. */
	value = strdup(p->values[p->sel]);
	chosen = p->chosen;
	payload = p->payload;
	tui_pop(t);
	if (value && chosen)
		chosen(t, value, payload);
	free(value);
	return UI_HANDLED;
}

const ui_view_ops ui_screen_pick = {
	"pick", &pick_keymap, pick_open, pick_draw, pick_key, pick_resize, NULL, pick_close,
};

/* ------------------------------------------------------------ UI language */

static void ui_language_chosen(tui *t, const char *value, void *payload)
{
	(void)payload;
	tui_set_language(t, value);
	/* The views keep no translated text: the next draw speaks the new language. */
	tui_message(t, ROLE_INFO, "%s", _("Language changed."));
}

void ui_pick_ui_language(tui *t)
{
	/* Each language by its own name, so anyone can find theirs. */
	static const ui_pick_item langs[] = {
		{ "English", "en" },
		{ "Nederlands", "nl" },
		{ "Fran\xc3\xa7" "ais", "fr" },
		{ "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9", "ar" },
		{ "\xd9\x81\xd8\xa7\xd8\xb1\xd8\xb3\xdb\x8c", "fa" },
	};
	ui_pick_args a;
	const char *cur = ui_i18n_language();
	int i;

	memset(&a, 0, sizeof a);
	a.title = _("Language of the program");
	a.items = langs;
	a.count = (int)(sizeof langs / sizeof langs[0]);
	for (i = 0; i < a.count; i++)
		if (strcmp(langs[i].value, cur) == 0)
			a.selected = i;
	a.chosen = ui_language_chosen;
	tui_push(t, &ui_screen_pick, &a);
}
