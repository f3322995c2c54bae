/*
 * screen_pick.c: choose one item from a list (languages, forms, questions).
 * Typing finds: the selection moves to the first item whose label holds
 * the typed text, so a long list is chosen from by name, not by counting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "i18n.h"
#include "text.h"
#include "view.h"

typedef struct pick {
	char *title;
	char **labels, **values;
	int count, sel, top, rows;
	text_edit find;             /* what has been typed to find an item */
	int found;                  /* whether an item holds it */
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
static const ui_note pick_notes[] = {
	/* TRANSLATORS: help line: typing letters in a list to choose from finds an item. */
	{ N_("Typing"), N_("Go to the first item whose name holds what is typed") },
	{ N_("Esc"), N_("Clear what is typed; once more, cancel") },
	{ NULL, NULL },
};
static const ui_keymap pick_keymap = { "pick", pick_bindings, pick_notes };

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
	text_edit_free(&p->find);
	free(p);
}

/* Whether s holds what, ignoring the case of ASCII letters. */
static int holds(const char *s, const char *what)
{
	size_t n = strlen(what), i;

	for (; *s; s++) {
		for (i = 0; i < n; i++) {
			unsigned char a = (unsigned char)s[i], b = (unsigned char)what[i];

			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* Select the first item that holds what is typed; the selection stays when none does. */
static void find_item(pick *p)
{
	const char *what = text_edit_str(&p->find);
	int i;

	p->found = 1;
	if (!*what)
		return;
	for (i = 0; i < p->count; i++)
		if (holds(p->labels[i], what)) {
			p->sel = i;
			ui_list_clamp(&p->sel, &p->top, p->count, p->rows);
			return;
		}
	p->found = 0;
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
	p->found = 1;
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
	if (text_edit_str(&p->find)[0]) {
		/* TRANSLATORS: before the text typed to find an item in a list; at most 12 columns. */
		const char *label = _("Find:");
		int lw = text_width(label) + 1;

		ui_put(t, top + 1, 3, lw, label, ROLE_HINT, 0);
		ui_put_field(t, top + 1, 3 + lw, cols / 2, &p->find, 1);
		if (!p->found)
			ui_put(t, top + 1, 4 + lw + cols / 2, cols / 2 - lw - 6,
			       _("nothing holds this"), ROLE_ERROR, 1);
	}
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

	if (ui_list_nav(&p->sel, &p->top, p->count, p->rows, act)) {
		text_edit_set(&p->find, "");
		p->found = 1;
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == UI_KEY_ESC && text_edit_str(&p->find)[0]) {
		text_edit_set(&p->find, "");
		p->found = 1;
		return UI_HANDLED | UI_REDRAW;
	}
	if (act == ACT_BACK)
		return UI_CLOSE;
	if (act == ACT_NONE) {
		/* Letters, digits, spaces and Backspace edit what is typed. */
		if (UI_KEY_IS_FN(key) ? key != UI_KEY_FN(KEY_BACKSPACE) : key < 32 && key != 8)
			return UI_IGNORED;
		if (ui_edit_key(&p->find, key) != 2)
			return UI_IGNORED;
		find_item(p);
		return UI_HANDLED | UI_REDRAW;
	}
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
