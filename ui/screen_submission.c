/*
 * screen_submission.c: a submitted form, read-only.  It reads the
 * submission back through its installed form with the same core call as
 * `homeward submission show` (submission_read): every relevant question
 * with its answer, repeats as numbered groups.  Labels are in the
 * counsellor's language when the form has it; in the bilingual view the
 * returnee's language is shown beneath.  Long texts wrap; the view scrolls.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "forms.h"
#include "i18n.h"
#include "view.h"

typedef struct sub_view {
	submission_view *main;     /* in the counsellor's language */
	submission_view *second;   /* in the returnee's, or NULL when the same or absent */
	int bilingual;
	int top;                   /* first item shown */
	int shown;                 /* items the last draw showed */
} sub_view;

static const ui_binding sub_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ UI_KEY_FN(KEY_HOME), ACT_FIRST },
	{ UI_KEY_FN(KEY_END), ACT_LAST },
	{ UI_KEY_FN(KEY_F(7)), ACT_BILINGUAL },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap sub_keymap = { "submission", sub_bindings };

static const ui_hint sub_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_PAGE_DOWN, N_("Scroll") },
	{ ACT_BILINGUAL, N_("Two languages") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void sub_close(ui_view *v, tui *t)
{
	sub_view *s = v->data;

	(void)t;
	if (!s)
		return;
	submission_view_free(s->main);
	submission_view_free(s->second);
	free(s);
}

/*
 * Read in the counsellor's language when the form has it, else in the
 * form's default; then in the returnee's language when that is another
 * one the form has.  A second reading that does not line up item by item
 * with the first is dropped (it cannot: relevance does not depend on the
 * language, but the screen must not pair the wrong labels).
 */
static int sub_open(ui_view *v, tui *t, void *arg)
{
	const ui_submission_arg *a = arg;
	hw_ws *ws = tui_ws(t);
	sub_view *s = calloc(1, sizeof *s);
	int rc;

	if (!s)
		return HW_ERROR;
	v->data = s;
	s->bilingual = 1;
	rc = submission_read(ws, a->instance_id, ui_i18n_language(), &s->main);
	if (rc == HW_EINVALID)   /* the form does not speak the program's language */
		rc = submission_read(ws, a->instance_id, NULL, &s->main);
	if (rc < 0)
		goto fail;
	if (a->language && *a->language && strcmp(a->language, s->main->language ? s->main->language : "") &&
	    submission_read(ws, a->instance_id, a->language, &s->second) == 0) {
		int same = s->second->count == s->main->count;

		for (size_t i = 0; same && i < s->main->count; i++)
			same = strcmp(s->main->items[i].path, s->second->items[i].path) == 0;
		if (!same) {
			submission_view_free(s->second);
			s->second = NULL;
		}
	}
	hw_error_clear(ws_err(ws));
	return 0;
fail:
	sub_close(v, t);
	v->data = NULL;
	return rc;
}

/* "2026-11-29T10:42:07Z" as "2026-11-29 10:42". */
static void short_time(char out[17], const char *iso)
{
	snprintf(out, 17, "%.16s", iso ? iso : "");
	if (strlen(out) > 10)
		out[10] = ' ';
}

/*
 * The heading of a repeat's entry: its number and its label, which may name
 * what the entry is about (the child form's linked adults: "1. Yusuf
 * Example (parent)"); an entry without a label is "Entry 1".
 */
static void entry_heading(char *buf, size_t size, const submission_item *it)
{
	if (*it->label)
		snprintf(buf, size, "%d. %s", it->repeat_index, it->label);
	else
		snprintf(buf, size, _("Entry %d"), it->repeat_index);
}

/* Draw item i from row y (not below bottom); returns the rows it took. */
static int draw_item(sub_view *s, tui *t, size_t i, int y, int bottom, int cols)
{
	const submission_item *it = &s->main->items[i];
	const submission_item *two = s->bilingual && s->second ? &s->second->items[i] : NULL;
	int x = 1 + 2 * (it->depth > 8 ? 8 : it->depth), w = cols - x - 1, used = 0;
	char buf[1024];

	if (w < 10)
		w = 10;
	if (two && strcmp(two->label, it->label) == 0)
		two = NULL;
	if (it->kind == XFORM_GROUP || it->kind == XFORM_REPEAT) {
		if (it->kind == XFORM_REPEAT)
			entry_heading(buf, sizeof buf, it);
		else
			snprintf(buf, sizeof buf, "%s", it->label);
		used += ui_put_block(t, y + used, x, w, bottom - y - used, buf, ROLE_HEADER, 0);
		if (two && y + used < bottom) {
			if (it->kind == XFORM_REPEAT)
				entry_heading(buf, sizeof buf, two);
			else
				snprintf(buf, sizeof buf, "%s", two->label);
			used += ui_put_block(t, y + used, x, w, bottom - y - used, buf, ROLE_DIM, 0);
		}
		return used;
	}
	used += ui_put_block(t, y + used, x, w, bottom - y - used, it->label, ROLE_NORMAL, 0);
	if (two && y + used < bottom)
		used += ui_put_block(t, y + used, x, w, bottom - y - used, two->label, ROLE_DIM, 0);
	if (y + used < bottom) {
		const char *answer = it->display[0] ? it->display : _("(no answer)");

		used += ui_put_block(t, y + used, x + 2, w - 2, bottom - y - used, answer,
				     it->display[0] ? ROLE_KEYS : ROLE_HINT, 0);
	}
	if (two && two->display[0] && strcmp(two->display, it->display) && y + used < bottom)
		used += ui_put_block(t, y + used, x + 2, w - 2, bottom - y - used, two->display,
				     ROLE_DIM, 0);
	return used;
}

static void sub_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	sub_view *s = v->data;
	submission_view *m = s->main;
	char buf[1024], when[17];
	int y = top, bottom = top + rows;
	size_t i;

	/* TRANSLATORS: the title of a submitted form read back; %s is its title. */
	snprintf(buf, sizeof buf, _("Submitted: %s"), m->form_title && *m->form_title ? m->form_title : m->form_id);
	tui_set_title(t, buf);
	tui_set_hints(t, &sub_keymap, sub_hints);
	short_time(when, m->created_at);
	/* TRANSLATORS: under the title of a submitted form: when, its instance id, read-only. */
	snprintf(buf, sizeof buf, _("%s  %s  (read-only)"), when, m->instance_id);
	ui_put(t, y++, 1, cols - 2, buf, ROLE_DIM, 0);
	if (s->second && s->bilingual)
		/* TRANSLATORS: the two language codes of a submitted form read back. */
		snprintf(buf, sizeof buf, _("Labels in %s, the returnee's language (%s) beneath"),
			 m->language ? m->language : "-", s->second->language ? s->second->language : "-");
	else
		snprintf(buf, sizeof buf, _("Labels in %s"), m->language ? m->language : "-");
	ui_put(t, y++, 1, cols - 2, buf, ROLE_HINT, 0);
	y++;
	if (m->count == 0) {
		ui_put(t, y, 2, cols - 4, _("This submission has no answers to show."), ROLE_HINT, 0);
		s->shown = 0;
		return;
	}
	if (s->top >= (int)m->count)
		s->top = (int)m->count - 1;
	if (s->top < 0)
		s->top = 0;
	for (i = (size_t)s->top; i < m->count && y < bottom; i++)
		y += draw_item(s, t, i, y, bottom, cols) + 1;
	s->shown = (int)i - s->top;
	if (s->shown < 1)
		s->shown = 1;
}

static int sub_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	sub_view *s = v->data;
	int last = s->main->count ? (int)s->main->count - 1 : 0;

	(void)key;
	switch (act) {
	case ACT_UP: s->top--; break;
	case ACT_DOWN: s->top++; break;
	case ACT_PAGE_UP: s->top -= s->shown > 1 ? s->shown - 1 : 1; break;
	case ACT_PAGE_DOWN: s->top += s->shown > 1 ? s->shown - 1 : 1; break;
	case ACT_FIRST: s->top = 0; break;
	case ACT_LAST: s->top = last; break;
	case ACT_BILINGUAL:
		s->bilingual = !s->bilingual;
		if (!s->second)
			tui_message(t, ROLE_INFO, "%s",
				    _("The returnee's language is the same as yours here, or the form does not have it."));
		break;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
	if (s->top > last)
		s->top = last;
	if (s->top < 0)
		s->top = 0;
	return UI_HANDLED | UI_REDRAW;
}

const ui_view_ops ui_screen_submission = {
	"submission", &sub_keymap, sub_open, sub_draw, sub_key, NULL, NULL, sub_close,
};
