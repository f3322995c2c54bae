/*
 * screen_form.c: filling in a form, one question a screen (or one
 * field-list group a screen), then a review before finalising.
 *
 * Every answer goes to the fill module as soon as it is given (a choice
 * when it is chosen, typed text when the counsellor leaves the field), and
 * the fill module saves it durably before it returns.  After each change
 * the navigation list is rebuilt from the engine, since relevance and
 * labels may depend on the answer; the screen keeps its place by path.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curses.h"
#include "forms.h"
#include "i18n.h"
#include "text.h"
#include "util.h"
#include "view.h"
#include "xform/xform.h"

/* A question of the current page. */
typedef struct fq {
	char *path;
	text_edit edit;    /* typed answers */
	int cursor;        /* selects: the highlighted choice */
	char *error;       /* shown under it; NULL when fine */
	char *error2;      /* the same in the counsellor's language (bilingual); NULL when none */
	int top_line;      /* multi-line answers: the first line shown */
} fq;

typedef struct form_view {
	char case_id[HW_UUID_LEN + 1];
	hw_fill *fill;
	xform_nav *nav;
	int *pages;        /* nav index of each page */
	int npages;
	int page;          /* == npages: the review */
	fq *q;
	int nq, focus;
	int bilingual;     /* show the counsellor's language beneath */
	char *ui_code;     /* the form language matching the UI language, or NULL */
	xform_failure_list *failures;   /* of the last review */
	int rsel, rtop, rvisible;       /* review list */
	int body_rows;
} form_view;

static const ui_binding form_bindings[] = {
	{ UI_KEY_FN(KEY_NPAGE), ACT_NEXT_QUESTION },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PREV_QUESTION },
	{ '\t', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_BTAB), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ '\r', ACT_OPEN },
	{ ' ', ACT_TOGGLE },
	{ UI_KEY_FN(KEY_F(4)), ACT_JUMP },
	{ UI_KEY_FN(KEY_F(5)), ACT_ADD_REPEAT },
	{ UI_KEY_FN(KEY_F(6)), ACT_FORM_LANGUAGE },
	{ UI_KEY_FN(KEY_F(7)), ACT_BILINGUAL },
	{ UI_KEY_FN(KEY_F(8)), ACT_REVIEW },
	{ UI_KEY_FN(KEY_F(2)), ACT_FINALISE },
	{ UI_KEY_CTRL('k'), ACT_CLEAR_ANSWER },
	{ UI_KEY_ESC, ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_note form_notes[] = {
	{ N_("Typing"), N_("Answer a text question") },
	/* TRANSLATORS: help line: the digits 1 to 9 pick a numbered choice. */
	{ N_("1 ... 9"), N_("Pick the choice with that number") },
	{ NULL, NULL },
};
static const ui_keymap form_keymap = { "form", form_bindings, form_notes };

static const ui_hint form_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_PREV_QUESTION, N_("Prev") },
	{ ACT_NEXT_QUESTION, N_("Next") },
	{ ACT_REVIEW, N_("Review") },
	{ ACT_JUMP, N_("Jump") },
	{ ACT_FORM_LANGUAGE, N_("Form lang") },
	{ ACT_BILINGUAL, N_("Bilingual") },
	{ ACT_BACK, N_("Close") },
	{ ACT_NONE, NULL },
};

static const ui_hint review_hints[] = {
	{ ACT_FINALISE, N_("Finalise") },
	{ ACT_OPEN, N_("Go to question") },
	{ ACT_PREV_QUESTION, N_("Prev") },
	{ ACT_BACK, N_("Close") },
	{ ACT_NONE, NULL },
};

/* ------------------------------------------------------------ model */

static int is_question(int kind)
{
	return kind == XFORM_INPUT || kind == XFORM_SELECT1 || kind == XFORM_SELECT ||
	       kind == XFORM_TRIGGER || kind == XFORM_NOTE || kind == XFORM_UNSUPPORTED;
}

/*
 * A text answered in a multi-line editor: a string question with
 * appearance "multiline", or one whose text already has line breaks.
 */
static int is_multiline(const xform_nav_item *it, const fq *q)
{
	return it->kind == XFORM_INPUT && !it->readonly && it->type == XFORM_T_STRING &&
	       (strstr(it->appearance, "multiline") || strchr(it->value, '\n') ||
		(q && strchr(text_edit_str(&q->edit), '\n')));
}

static int is_field_list(const xform_nav_item *it)
{
	return it->kind == XFORM_GROUP && strstr(it->appearance, "field-list") != NULL;
}

static void page_free(form_view *f)
{
	int i;

	for (i = 0; i < f->nq; i++) {
		free(f->q[i].path);
		text_edit_free(&f->q[i].edit);
		free(f->q[i].error);
		free(f->q[i].error2);
	}
	free(f->q);
	f->q = NULL;
	f->nq = 0;
}

/* The nav item of a path in the current list, NULL if gone. */
static xform_nav_item *item_of(form_view *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->nav->count; i++)
		if (strcmp(f->nav->items[i].path, path) == 0)
			return &f->nav->items[i];
	return NULL;
}

/* Add a page for nav index i (pages are kept in form order). */
static void add_page(form_view *f, int i)
{
	int *p = realloc(f->pages, (size_t)(f->npages + 1) * sizeof *p);

	if (!p)
		return;
	f->pages = p;
	p[f->npages++] = i;
}

/* Compute the pages from the navigation list. */
static void make_pages(form_view *f)
{
	size_t i;
	int depth;

	free(f->pages);
	f->pages = NULL;
	f->npages = 0;
	for (i = 0; i < f->nav->count; i++) {
		xform_nav_item *it = &f->nav->items[i];

		if (!it->relevant)
			continue;
		if (it->field_list >= 0 && (size_t)it->field_list != i)
			continue;           /* shown on its group's page */
		if (is_field_list(it) || is_question(it->kind))
			add_page(f, (int)i);
		/* Its "add another" page, moved after its instances below. */
		if (it->kind == XFORM_REPEAT && it->can_add)
			add_page(f, -(int)i - 1);
	}
	/* Move each repeat page after the pages of its instances. */
	for (i = 0; i < (size_t)f->npages; i++) {
		int r, end, k;

		if (f->pages[i] >= 0)
			continue;
		r = -f->pages[i] - 1;
		depth = f->nav->items[r].depth;
		for (end = r + 1; (size_t)end < f->nav->count && f->nav->items[end].depth > depth; end++)
			;
		for (k = (int)i; k + 1 < f->npages && f->pages[k + 1] >= 0 && f->pages[k + 1] < end; k++) {
			int tmp = f->pages[k];

			f->pages[k] = f->pages[k + 1];
			f->pages[k + 1] = tmp;
		}
		i = (size_t)k;
	}
}

/* The nav index of page p (a repeat page is stored negated). */
static int page_item(form_view *f, int p)
{
	int i = f->pages[p];

	return i >= 0 ? i : -i - 1;
}

/* Set up the questions of the current page; keep typed text of known paths. */
static void load_page(form_view *f)
{
	fq *old = f->q;
	int nold = f->nq, i, k, j;
	size_t n;
	xform_nav_item *head;

	f->q = NULL;
	f->nq = 0;
	if (f->page < f->npages) {
		int hi = page_item(f, f->page);

		head = &f->nav->items[hi];
		f->q = calloc(f->nav->count + 1, sizeof *f->q);
		if (!f->q)
			return;
		if (f->pages[f->page] < 0 || !is_field_list(head)) {
			f->q[f->nq++].path = strdup(head->path);
		} else {
			for (n = (size_t)hi + 1; n < f->nav->count; n++) {
				xform_nav_item *it = &f->nav->items[n];

				if (it->field_list == hi && it->relevant && is_question(it->kind))
					f->q[f->nq++].path = strdup(it->path);
			}
		}
		for (k = 0; k < f->nq; k++) {
			xform_nav_item *it = item_of(f, f->q[k].path);
			const char *typed = fill_typed(f->fill, f->q[k].path);

			text_edit_set(&f->q[k].edit, it ? it->value : "");
			/* Text kept when the form was left with it unsaved. */
			if (typed && it && strcmp(typed, it->value) != 0) {
				text_edit_set(&f->q[k].edit, typed);
				free(f->q[k].error);
				f->q[k].error = strdup(_("Typed before the form was closed, not saved as the answer yet: press Enter to save it."));
			}
			for (j = 0; j < nold; j++) {
				if (old[j].path && strcmp(old[j].path, f->q[k].path) == 0) {
					text_edit_set(&f->q[k].edit, text_edit_str(&old[j].edit));
					f->q[k].edit.cursor = old[j].edit.cursor;
					f->q[k].cursor = old[j].cursor;
					f->q[k].error = old[j].error;
					old[j].error = NULL;
					f->q[k].error2 = old[j].error2;
					old[j].error2 = NULL;
				}
			}
			/* A select starts on its chosen value. */
			if (it && it->kind == XFORM_SELECT1 && j == nold)
				for (i = 0; (size_t)i < it->choices.count; i++)
					if (strcmp(it->choices.items[i].value, it->value) == 0)
						f->q[k].cursor = i;
		}
	}
	for (j = 0; j < nold; j++) {
		free(old[j].path);
		text_edit_free(&old[j].edit);
		free(old[j].error);
		free(old[j].error2);
	}
	free(old);
	if (f->focus >= f->nq)
		f->focus = f->nq > 0 ? f->nq - 1 : 0;
}

/* Rebuild the navigation after a change; stay on the page showing keep_path. */
static int rebuild(form_view *f, tui *t)
{
	char *keep = NULL;
	int rc, p, keep_line = 0, review = f->page >= f->npages && f->npages > 0;

	/* A page is known by its path and its line in the form (a group
	 * without a ref has an empty path). */
	if (f->nav && f->page < f->npages) {
		keep = strdup(f->nav->items[page_item(f, f->page)].path);
		keep_line = f->nav->items[page_item(f, f->page)].line;
	}
	xform_nav_free(f->nav);
	f->nav = NULL;
	rc = xform_nav_build(&f->nav, fill_session(f->fill), ws_err(tui_ws(t)));
	if (rc < 0) {
		free(keep);
		return rc;
	}
	make_pages(f);
	if (review) {
		f->page = f->npages;
	} else if (keep) {
		for (p = 0; p < f->npages; p++)
			if (strcmp(f->nav->items[page_item(f, p)].path, keep) == 0 &&
			    (keep[0] || f->nav->items[page_item(f, p)].line == keep_line))
				break;
		if (p < f->npages)
			f->page = p;
		else if (f->page > f->npages)
			f->page = f->npages;
	}
	free(keep);
	load_page(f);
	return 0;
}

/* True when the counsellor's language is shown beside the returnee's. */
static int showing_second(form_view *f)
{
	const char *cur = xform_language(fill_session(f->fill));

	return f->bilingual && f->ui_code && cur && strcmp(cur, f->ui_code) != 0;
}

/*
 * A text of the question at path (enum xform_text_kind) in the counsellor's
 * language, when bilingual and it says something else than shown (caller
 * frees; NULL otherwise).  Read without switching the session's language:
 * drawing changes nothing.
 */
static char *second_text(form_view *f, const char *path, int which, const char *shown)
{
	char *text = NULL;

	if (!showing_second(f) ||
	    xform_text_lang(&text, fill_session(f->fill), path, which, f->ui_code, NULL) < 0)
		return NULL;
	if (!*text || (shown && strcmp(text, shown) == 0)) {
		free(text);
		return NULL;
	}
	return text;
}

/* Set the error of q (and its counsellor-language version, taken, may be NULL). */
static void set_error(fq *q, const char *error, char *error2)
{
	free(q->error);
	free(q->error2);
	q->error = error ? strdup(error) : NULL;
	q->error2 = error2;
}

/* The form language that matches the UI language, if the form has it. */
static void find_ui_language(form_view *f)
{
	const xform *form = fill_form(f->fill);
	const char *ui = ui_i18n_language();
	size_t i, n = xform_language_count(form);

	free(f->ui_code);
	f->ui_code = NULL;
	for (i = 0; i < n; i++)
		if (strcmp(xform_language_code(form, i), ui) == 0)
			f->ui_code = strdup(ui);
}

static void form_close(ui_view *v, tui *t)
{
	form_view *f = v->data;

	if (!f)
		return;
	page_free(f);
	xform_nav_free(f->nav);
	xform_failure_list_free(f->failures);
	fill_free(f->fill);
	free(f->pages);
	free(f->ui_code);
	free(f);
}

static int form_open(ui_view *v, tui *t, void *arg)
{
	const ui_form_arg *a = arg;
	form_view *f = calloc(1, sizeof *f);
	hw_ws *ws = tui_ws(t);
	int rc;
	size_t i;

	if (!f)
		return HW_ERROR;
	v->data = f;
	snprintf(f->case_id, sizeof f->case_id, "%s", a->case_id);
	if ((rc = fill_open(&f->fill, ws, a->case_id, a->form_id, NULL)) < 0 ||
	    (rc = rebuild(f, t)) < 0) {
		form_close(v, t);
		v->data = NULL;
		return rc;
	}
	f->bilingual = 1;
	find_ui_language(f);
	/* A resumed draft opens at the first question without an answer. */
	if (fill_resumed(f->fill)) {
		for (f->page = 0; f->page < f->npages; f->page++) {
			xform_nav_item *it = &f->nav->items[page_item(f, f->page)];

			if (is_question(it->kind) && it->kind != XFORM_NOTE &&
			    it->kind != XFORM_TRIGGER && !it->value[0] && !it->readonly)
				break;
		}
		if (f->page >= f->npages)
			f->page = 0;
		load_page(f);
		tui_message(t, ROLE_INFO, "%s", _("Draft resumed: earlier answers are kept."));
	}
	(void)i;
	return 0;
}

/* ------------------------------------------------------------ changes */

/* After a change: message, rebuild, and the change's own error if any. */
static int after_change(form_view *f, tui *t, fq *q, int rc)
{
	hw_ws *ws = tui_ws(t);
	char *path = q ? strdup(q->path) : NULL;
	int k;

	if (rc == HW_EINVALID && q) {
		const char *msg = ws_error(ws)->msg, *colon;
		size_t len;

		xform_nav_item *it = item_of(f, q->path);
		char *text;

		/* The engine's sentence, without the replay's "replaying step N: ". */
		if (strncmp(msg, "replaying step", 14) == 0 && (colon = strstr(msg, ": ")) != NULL)
			msg = colon + 2;
		len = strlen(msg) + 256;
		text = malloc(len);
		if (text)
			snprintf(text, len, "%s %s", _("Not accepted:"), msg);
		/* The form's own message for a broken constraint, in the counsellor's language too. */
		set_error(q, text, it && it->constraint_msg[0] && strstr(msg, it->constraint_msg)
			  ? second_text(f, q->path, XFORM_TEXT_CONSTRAINT, it->constraint_msg) : NULL);
		free(text);
		free(path);
		return UI_HANDLED | UI_REDRAW;
	}
	if (rc < 0) {
		tui_error(t, rc);
		free(path);
		return UI_HANDLED | UI_REDRAW;
	}
	if (q)
		set_error(q, NULL, NULL);
	if (rebuild(f, t) < 0)
		tui_error(t, ws_error(ws)->code);
	else
		tui_message(t, ROLE_INFO, "%s", _("Saved."));
	/* The rebuilt page holds the edit as saved: put the cursor at its end. */
	for (k = 0; path && k < f->nq; k++)
		if (strcmp(f->q[k].path, path) == 0)
			text_edit_end(&f->q[k].edit);
	free(path);
	return UI_HANDLED | UI_REDRAW;
}

/* Save a typed answer if it changed; returns 0 or a negative code (error shown). */
static int commit_text(form_view *f, tui *t, fq *q)
{
	xform_nav_item *it = item_of(f, q->path);
	const char *typed = text_edit_str(&q->edit);
	int rc;

	if (!it || it->kind != XFORM_INPUT || it->readonly || strcmp(typed, it->value) == 0)
		return 0;
	rc = *typed ? fill_answer(f->fill, q->path, typed) : fill_clear(f->fill, q->path);
	after_change(f, t, q, rc);
	return rc;
}

/* Save every typed answer of the page; 0 when all were accepted. */
static int commit_page(form_view *f, tui *t)
{
	int k, bad = 0;

	for (k = 0; k < f->nq; k++) {
		if (commit_text(f, t, &f->q[k]) < 0) {
			f->focus = k;
			bad = 1;
		}
	}
	return bad ? HW_EINVALID : 0;
}

/*
 * Leaving the form (Esc, F10, Ctrl-C, a signal): keep every typed answer of
 * the page, as an answer when the form takes it, else as typed text that
 * comes back the next time.  Nothing is redrawn.
 */
static void keep_page(form_view *f, tui *t)
{
	int k, rc;

	for (k = 0; k < f->nq; k++) {
		fq *q = &f->q[k];
		xform_nav_item *it = item_of(f, q->path);
		const char *typed = text_edit_str(&q->edit);

		if (!it || it->kind != XFORM_INPUT || it->readonly)
			continue;
		if (strcmp(typed, it->value) == 0 && !fill_typed(f->fill, q->path))
			continue;
		rc = *typed ? fill_answer(f->fill, q->path, typed) : fill_clear(f->fill, q->path);
		if (rc == HW_EINVALID)
			rc = fill_keep_typed(f->fill, q->path, typed);
		if (rc < 0)
			tui_error(t, rc);
	}
}

static void form_keep(ui_view *v, tui *t)
{
	if (v->data)
		keep_page(v->data, t);
}

/* Required and constraint problems of the questions of this page, shown under them. */
static int check_page(form_view *f, tui *t)
{
	xform_failure_list *fl = NULL;
	size_t i;
	int k, bad = 0;

	if (xform_validate(&fl, fill_session(f->fill), NULL) < 0)
		return 0;
	for (k = 0; k < f->nq; k++) {
		for (i = 0; i < fl->count; i++) {
			if (strcmp(fl->items[i].path, f->q[k].path) != 0)
				continue;
			if (fl->items[i].kind == XFORM_FAIL_REQUIRED)
				set_error(&f->q[k], _("This question needs an answer."), NULL);
			else
				set_error(&f->q[k], fl->items[i].message,
					  second_text(f, f->q[k].path, XFORM_TEXT_CONSTRAINT,
						      fl->items[i].message));
			if (!bad)
				f->focus = k;
			bad = 1;
		}
	}
	xform_failure_list_free(fl);
	return bad;
}

static void go_page(form_view *f, int p)
{
	if (p < 0)
		p = 0;
	if (p > f->npages)
		p = f->npages;
	f->page = p;
	f->focus = 0;
	page_free(f);
	load_page(f);
}

/* Next page, after saving and checking this one. */
static int next_page(form_view *f, tui *t)
{
	if (f->page >= f->npages)
		return UI_HANDLED;
	if (commit_page(f, t) < 0 || check_page(f, t))
		return UI_HANDLED | UI_REDRAW;
	go_page(f, f->page + 1);
	if (f->page == f->npages)
		tui_message(t, ROLE_INFO, "%s", _("All questions seen: check the answers, then finalise."));
	return UI_HANDLED | UI_REDRAW;
}

/* Choose the highlighted choice of a select question. */
static int choose(form_view *f, tui *t, fq *q, xform_nav_item *it)
{
	const char *v;
	char *vals, *tok, *save, *out;
	hw_buf b = HW_BUF_INIT;
	int found = 0, rc;

	if (q->cursor < 0 || (size_t)q->cursor >= it->choices.count || it->readonly)
		return UI_HANDLED;
	v = it->choices.items[q->cursor].value;
	if (it->kind == XFORM_SELECT1)
		return after_change(f, t, q, fill_answer(f->fill, q->path, v));
	/* A multiple choice: toggle v in the space-separated list. */
	vals = strdup(it->value);
	for (tok = vals ? strtok_r(vals, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, v) == 0) {
			found = 1;
			continue;
		}
		hw_buf_printf(&b, "%s%s", b.len ? " " : "", tok);
	}
	if (!found)
		hw_buf_printf(&b, "%s%s", b.len ? " " : "", v);
	out = vals ? hw_buf_detach(&b) : (hw_buf_free(&b), NULL);
	free(vals);
	if (!out)   /* never save a list that lost a choice on the way */
		rc = hw_error_set(ws_err(tui_ws(t)), HW_ERROR, "out of memory");
	else
		rc = *out ? fill_answer(f->fill, q->path, out) : fill_clear(f->fill, q->path);
	free(out);
	return after_change(f, t, q, rc);
}

static void jump_chosen(tui *t, const char *value, void *payload)
{
	form_view *f = payload;

	go_page(f, atoi(value));
}

static void jump_list(form_view *f, tui *t)
{
	ui_pick_item *items = calloc((size_t)f->npages + 1, sizeof *items);
	char **texts = calloc((size_t)f->npages + 1, sizeof *texts);
	char **values = calloc((size_t)f->npages + 1, sizeof *values);
	ui_pick_args a;
	int p;

	if (!items || !texts || !values)
		goto out;
	for (p = 0; p <= f->npages; p++) {
		hw_buf b = HW_BUF_INIT;

		if (p == f->npages) {
			hw_buf_printf(&b, "%s", _("Review and finalise"));
		} else {
			xform_nav_item *it = &f->nav->items[page_item(f, p)];

			if (f->pages[p] < 0)
				hw_buf_printf(&b, "%d. + %s", p + 1, it->label);
			else
				hw_buf_printf(&b, "%d. %s%s%s%s", p + 1, it->label,
					      it->value[0] ? "  [" : "", it->value, it->value[0] ? "]" : "");
		}
		texts[p] = hw_buf_detach(&b);
		values[p] = malloc(16);
		if (!texts[p] || !values[p])
			goto out;   /* no list rather than a list with holes */
		snprintf(values[p], 16, "%d", p);
		items[p].label = texts[p];
		items[p].value = values[p];
	}
	memset(&a, 0, sizeof a);
	a.title = _("Jump to a question");
	a.items = items;
	a.count = f->npages + 1;
	a.selected = f->page;
	a.chosen = jump_chosen;
	a.payload = f;
	tui_push(t, &ui_screen_pick, &a);
out:
	for (p = 0; texts && values && p <= f->npages; p++) {
		free(texts[p]);
		free(values[p]);
	}
	free(texts);
	free(values);
	free(items);
}

static void language_chosen(tui *t, const char *value, void *payload)
{
	form_view *f = payload;
	int rc = fill_set_language(f->fill, value);

	if (rc < 0)
		tui_error(t, rc);
	else if (rebuild(f, t) < 0)
		tui_error(t, ws_error(tui_ws(t))->code);
}

static void form_language(form_view *f, tui *t)
{
	const xform *form = fill_form(f->fill);
	size_t i, n = xform_language_count(form);
	ui_pick_item *items;
	ui_pick_args a;
	const char *cur = xform_language(fill_session(f->fill));

	if (n == 0) {
		tui_message(t, ROLE_INFO, "%s", _("This form has only one language."));
		return;
	}
	items = calloc(n, sizeof *items);
	if (!items)
		return;
	memset(&a, 0, sizeof a);
	for (i = 0; i < n; i++) {
		items[i].label = xform_language_name(form, i);
		items[i].value = xform_language_code(form, i);
		if (cur && strcmp(cur, items[i].value) == 0)
			a.selected = (int)i;
	}
	a.title = _("Language of the returnee's form");
	a.items = items;
	a.count = (int)n;
	a.chosen = language_chosen;
	a.payload = f;
	tui_push(t, &ui_screen_pick, &a);
	free(items);
}

/* The failure message for a path from the last finalise attempt, or NULL. */
static const char *failure_of(form_view *f, const char *path)
{
	size_t i;

	for (i = 0; f->failures && i < f->failures->count; i++)
		if (strcmp(f->failures->items[i].path, path) == 0)
			return f->failures->items[i].kind == XFORM_FAIL_REQUIRED
			       ? _("needs an answer") : f->failures->items[i].message;
	return NULL;
}

/* Show why the form cannot be finalised: the answers marked in the review. */
static void show_failures(form_view *f, tui *t, xform_failure_list *fl)
{
	int p;

	xform_failure_list_free(f->failures);
	f->failures = fl;
	go_page(f, f->npages);
	/* The first answer that needs attention is selected, so it shows. */
	for (p = 0; p < f->npages; p++)
		if (failure_of(f, f->nav->items[page_item(f, p)].path)) {
			f->rsel = p;
			break;
		}
	tui_message(t, ROLE_ERROR, P_("Not finalised: %zu answer needs attention (marked below).",
				      "Not finalised: %zu answers need attention (marked below).",
				      fl->count), fl->count);
}

static void finalise_answered(tui *t, int yes, void *payload);

/*
 * F2 on the review: answers that need attention are shown at once;
 * otherwise finalising, which cannot be undone, is asked first.
 */
static int ask_finalise(form_view *f, tui *t)
{
	xform_failure_list *fl = NULL;

	if (commit_page(f, t) < 0)
		return UI_HANDLED | UI_REDRAW;
	if (xform_validate(&fl, fill_session(f->fill), ws_err(tui_ws(t))) == 0 && fl->count) {
		show_failures(f, t, fl);
		return UI_HANDLED | UI_REDRAW;
	}
	xform_failure_list_free(fl);
	tui_confirm(t, _("Finalise this form now? It cannot be changed afterwards. "
			 "Enter: finalise, any other key: not yet."), finalise_answered, f);
	return UI_HANDLED | UI_REDRAW;
}

static int finalise(form_view *f, tui *t)
{
	char *iid = NULL;
	xform_failure_list *fl = NULL;
	int rc;

	if (commit_page(f, t) < 0)
		return UI_HANDLED | UI_REDRAW;
	rc = fill_finalise(f->fill, &iid, &fl);
	if (rc == HW_EINVALID && fl) {
		show_failures(f, t, fl);
		return UI_HANDLED | UI_REDRAW;
	}
	if (rc < 0) {
		tui_error(t, rc);
		return UI_HANDLED | UI_REDRAW;
	}
	free(iid);
	tui_pop(t);
	tui_message(t, ROLE_INFO, "%s", _("Form finalised and saved; it will be sent at the next sync."));
	return UI_HANDLED;
}

static void finalise_answered(tui *t, int yes, void *payload)
{
	form_view *f = payload;

	if (yes)
		finalise(f, t);
	else
		tui_message(t, ROLE_INFO, "%s", _("Not finalised: the answers can still be changed."));
}

/* ------------------------------------------------------------ drawing */

/*
 * A choice's label as "returnee text / counsellor text" when the second
 * list has the choice at i labelled differently (caller frees; NULL when
 * the label alone will do).
 */
static char *both_labels(const char *label, const xform_choice_list *second, size_t i)
{
	hw_buf b = HW_BUF_INIT;

	if (!second || i >= second->count || !second->items[i].label[0] ||
	    strcmp(second->items[i].label, label) == 0)
		return NULL;
	hw_buf_printf(&b, "%s / %s", label, second->items[i].label);
	return hw_buf_detach(&b);
}

/* Draw one question from row y; returns the rows used. */
static int draw_question(form_view *f, tui *t, fq *q, int focused, int y, int bottom, int cols)
{
	xform_nav_item *it = item_of(f, q->path);
	xform_choice_list *second_choices = NULL;
	int y0 = y, i, room;
	char *second, *choice;
	char mark[8];

	if (!it)
		return 0;
	y += ui_put_block(t, y, 1, cols - 2, bottom - y, it->label[0] ? it->label : it->path,
			  focused ? ROLE_HEADER : ROLE_NORMAL, 0);
	if (it->required && y > y0)
		ui_put(t, y0, 0, 1, "*", ROLE_ERROR, 0);
	second = second_text(f, q->path, XFORM_TEXT_LABEL, it->label);
	if (second && y < bottom)
		y += ui_put_block(t, y, 3, cols - 4, bottom - y, second, ROLE_DIM, 0);
	free(second);
	if (it->hint[0] && y < bottom)
		y += ui_put_block(t, y, 3, cols - 4, 3, it->hint, ROLE_HINT, 0);
	second = it->hint[0] ? second_text(f, q->path, XFORM_TEXT_HINT, it->hint) : NULL;
	if (second && y < bottom)
		y += ui_put_block(t, y, 3, cols - 4, 3, second, ROLE_DIM, 0);
	free(second);
	if (y >= bottom)
		return y - y0;
	switch (it->kind) {
	case XFORM_INPUT:
		if (it->readonly) {
			/* A long value (a note, a calculated text) wraps. */
			y += ui_put_block(t, y, 3, cols - 4, bottom - y, it->value, ROLE_NORMAL, 0);
			break;
		}
		ui_put(t, y, 1, 2, ">", focused ? ROLE_KEYS : ROLE_DIM, 0);
		if (is_multiline(it, q)) {
			/* Up to 8 rows, fewer on a small screen; room kept for the advice. */
			room = bottom - y - 2 - (q->error ? 1 : 0);
			room = room > 8 ? 8 : room < 1 ? 1 : room;
			ui_put_editor(t, y, 3, cols - 6, room, &q->edit, &q->top_line, focused);
			y += room;
			if (focused && y < bottom)
				ui_put(t, y++, 3, cols - 4,
				       _("Enter starts a new line; Tab or PgDn goes on."), ROLE_DIM, 0);
			break;
		}
		ui_put_field(t, y++, 3, cols - 6 < 50 ? cols - 6 : 50, &q->edit, focused);
		if (it->type == XFORM_T_DATE && y < bottom)
			ui_put(t, y++, 3, cols - 4, _("Write the date as YYYY-MM-DD."), ROLE_DIM, 0);
		break;
	case XFORM_SELECT1:
	case XFORM_SELECT:
		if (showing_second(f))
			xform_choices_lang(&second_choices, fill_session(f->fill), q->path,
					   f->ui_code, NULL);
		room = bottom - y - (q->error ? 1 : 0);
		/* A long list scrolls so that the highlighted choice shows. */
		i = focused && q->cursor >= room ? q->cursor - room + 1 : 0;
		for (; (size_t)i < it->choices.count && room > 0; i++, room--) {
			const char *v = it->choices.items[i].value;
			int chosen = 0;

			if (it->kind == XFORM_SELECT1) {
				chosen = strcmp(it->value, v) == 0;
				snprintf(mark, sizeof mark, "(%s)", chosen ? "*" : " ");
			} else {
				size_t n = strlen(v);
				const char *p = it->value;

				while ((p = strstr(p, v)) != NULL) {
					if ((p == it->value || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
						chosen = 1;
					p += n;
				}
				snprintf(mark, sizeof mark, "[%s]", chosen ? "x" : " ");
			}
			/* Digits pick the first nine choices of the focused question. */
			if (focused && i < 9 && !it->readonly) {
				char num[4];

				snprintf(num, sizeof num, "%d", i + 1);
				ui_put(t, y, 3, 2, num, ROLE_KEYS, 0);
			}
			ui_put(t, y, 5, 4, mark, focused && i == q->cursor ? ROLE_SELECTED : ROLE_NORMAL, 0);
			choice = both_labels(it->choices.items[i].label, second_choices, (size_t)i);
			ui_put(t, y, 9, cols - 10, choice ? choice : it->choices.items[i].label,
			       focused && i == q->cursor ? ROLE_SELECTED : ROLE_NORMAL, 0);
			free(choice);
			y++;
		}
		xform_choice_list_free(second_choices);
		second_choices = NULL;
		if (it->choices.count == 0)
			ui_put(t, y++, 3, cols - 4, _("(no choices apply)"), ROLE_DIM, 0);
		break;
	case XFORM_TRIGGER:
		ui_put(t, y++, 3, cols - 4, it->value[0] ? _("[x] Done") : _("[ ] Press Space when done"),
		       focused ? ROLE_SELECTED : ROLE_NORMAL, 0);
		break;
	case XFORM_UNSUPPORTED:
		{
			char buf[256];

			snprintf(buf, sizeof buf, _("This kind of question (%s) cannot be answered here."),
				 it->unsupported);
			y += ui_put_block(t, y, 3, cols - 4, bottom - y, buf, ROLE_DIM, 0);
		}
		break;
	default:
		break;
	}
	if (q->error && y < bottom)
		y += ui_put_block(t, y, 3, cols - 4, bottom - y, q->error, ROLE_ERROR, 0);
	if (q->error && q->error2 && y < bottom)
		y += ui_put_block(t, y, 3, cols - 4, bottom - y, q->error2, ROLE_ERROR, 0);
	return y - y0;
}

/* The repeat page: how many entries, and the offer to add one. */
static void draw_repeat(form_view *f, tui *t, xform_nav_item *it, int y, int cols)
{
	char buf[512];
	size_t n = 0;

	xform_repeat_count(fill_session(f->fill), it->path, &n, NULL);
	y += ui_put_block(t, y, 1, cols - 2, 3, it->label[0] ? it->label : it->path, ROLE_HEADER, 0);
	snprintf(buf, sizeof buf, P_("%zu entry so far.", "%zu entries so far.", n), n);
	ui_put(t, ++y, 3, cols - 4, buf, ROLE_NORMAL, 0);
	snprintf(buf, sizeof buf, _("Press %s to add another entry, %s to go on."),
		 ui_key_of(&form_keymap, ACT_ADD_REPEAT), _("Enter"));
	ui_put_block(t, y + 2, 3, cols - 4, 2, buf, ROLE_HINT, 0);
}

/* The answer as shown: choice labels for selects, the value otherwise (caller frees). */
static char *shown_answer(const xform_nav_item *it, const xform_choice_list *second)
{
	hw_buf b = HW_BUF_INIT;
	char *vals, *tok, *save, *both;
	size_t i;

	if (it->kind != XFORM_SELECT1 && it->kind != XFORM_SELECT)
		return strdup(it->value);
	vals = strdup(it->value);
	for (tok = vals ? strtok_r(vals, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save)) {
		const char *label = tok;

		both = NULL;
		for (i = 0; i < it->choices.count; i++)
			if (strcmp(it->choices.items[i].value, tok) == 0) {
				label = it->choices.items[i].label;
				both = both_labels(label, second, i);
			}
		hw_buf_printf(&b, "%s%s", b.len ? ", " : "", both ? both : label);
		free(both);
	}
	free(vals);
	return hw_buf_detach(&b);
}


/*
 * One entry of the review from row y, not below bottom: its number, its
 * label wrapped in the left half (the counsellor's beneath it when
 * bilingual), the answer or the problem wrapped in the right half.
 * Returns the rows it takes; with skip set only measures.
 */
static int review_entry(form_view *f, tui *t, int p, int y, int bottom, int cols, int skip)
{
	xform_nav_item *it = &f->nav->items[page_item(f, p)];
	const char *bad = failure_of(f, it->path);
	int half = (cols - 4) / 2, sel = p == f->rsel, left, right = 0, rows;
	enum ui_role role = sel ? ROLE_SELECTED : ROLE_NORMAL;
	xform_choice_list *second_choices = NULL;
	char *second = NULL, *shown = NULL;
	const char *answer = NULL;
	enum ui_role arole = role;
	char num[16];

	if (is_question(it->kind) || it->kind == XFORM_GROUP)
		second = second_text(f, it->path, XFORM_TEXT_LABEL, it->label);
	if (bad) {
		answer = bad;
		arole = sel ? role : ROLE_ERROR;
	} else if (is_question(it->kind) && it->kind != XFORM_NOTE) {
		if ((it->kind == XFORM_SELECT1 || it->kind == XFORM_SELECT) && showing_second(f))
			xform_choices_lang(&second_choices, fill_session(f->fill), it->path,
					   f->ui_code, NULL);
		shown = shown_answer(it, second_choices);
		answer = shown ? (*shown ? shown : _("(no answer)")) : it->value;
		arole = sel ? role : (it->value[0] ? ROLE_INFO : ROLE_DIM);
	}
	/*
	 * Measure first, so the selected entry is highlighted on all its rows.
	 * Labels (long notes) take two rows at most; answers are never cut.
	 */
	left = ui_put_block(t, y, 5, half - 1, 2, it->label, role, 1) +
	       (second ? ui_put_block(t, y, 7, half - 3, 2, second, role, 1) : 0);
	if (answer)
		right = ui_put_block(t, y, 5 + half, cols - 6 - half, 0, answer, arole, 1);
	rows = left > right ? left : right;
	if (rows < 1)
		rows = 1;
	if (!skip) {
		int i, ly;

		for (i = 0; i < rows && y + i < bottom; i++)
			ui_blank(y + i, 0, cols, role);
		snprintf(num, sizeof num, "%d.", p + 1);
		ui_put(t, y, 1, 4, num, role, 0);
		ly = y + ui_put_block(t, y, 5, half - 1, bottom - y < 2 ? bottom - y : 2, it->label,
				      role, 0);
		if (second && ly < bottom)
			ui_put_block(t, ly, 7, half - 3, bottom - ly < 2 ? bottom - ly : 2, second,
				     sel ? role : ROLE_DIM, 0);
		if (answer)
			ui_put_block(t, y, 5 + half, cols - 6 - half, bottom - y, answer, arole, 0);
	}
	xform_choice_list_free(second_choices);
	free(second);
	free(shown);
	return rows;
}

/* The review: every page's label and answer, wrapped, the selected one kept in view. */
static void draw_review(form_view *f, tui *t, int top, int rows, int cols)
{
	int y = top + 1, p, used, bottom = top + rows;

	ui_put(t, top, 1, cols - 2, _("Review: check every answer, then press F2 to finalise."),
	       ROLE_HEADER, 1);
	if (f->rsel >= f->npages)
		f->rsel = f->npages - 1;
	if (f->rsel < 0)
		f->rsel = 0;
	if (f->rtop > f->rsel)
		f->rtop = f->rsel;
	/* Scroll down until the selected entry fits below the first one shown. */
	for (;;) {
		for (used = 0, p = f->rtop; p <= f->rsel && p < f->npages; p++)
			used += review_entry(f, t, p, y, bottom, cols, 1);
		if (used <= rows - 1 || f->rtop >= f->rsel)
			break;
		f->rtop++;
	}
	for (p = f->rtop, f->rvisible = 0; p < f->npages && y < bottom; p++, f->rvisible++)
		y += review_entry(f, t, p, y, bottom, cols, 0);
	if (f->rvisible < 1)
		f->rvisible = 1;
}

static void form_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	form_view *f = v->data;
	char buf[512];
	int y, k, first, bottom = top + rows;

	snprintf(buf, sizeof buf, "%s  [%s]", xform_title(fill_form(f->fill)),
		 xform_language(fill_session(f->fill)) ? xform_language(fill_session(f->fill)) : "-");
	tui_set_title(t, buf);
	if (f->page >= f->npages) {
		tui_set_hints(t, &form_keymap, review_hints);
		draw_review(f, t, top, rows, cols);
		return;
	}
	tui_set_hints(t, &form_keymap, form_hints);
	/* TRANSLATORS: progress in a form: question 3 of 12. */
	snprintf(buf, sizeof buf, _("Question %d of %d"), f->page + 1, f->npages);
	ui_put(t, top, cols - 1 - text_width(buf), text_width(buf), buf, ROLE_DIM, 0);
	y = top + 1;
	if (f->pages[f->page] < 0) {
		draw_repeat(f, t, &f->nav->items[page_item(f, f->page)], y, cols);
		return;
	}
	if (f->nq > 1)
		y += ui_put_block(t, y, 1, cols - 2, 2,
				  f->nav->items[page_item(f, f->page)].label, ROLE_HEADER, 0);
	/* On a long field-list page, start so that the focused question shows. */
	first = f->focus > 0 && f->nq > 3 ? f->focus - 1 : 0;
	for (k = first; k < f->nq && y < bottom; k++) {
		y += draw_question(f, t, &f->q[k], k == f->focus, y, bottom, cols);
		y++;
	}
}

/* ------------------------------------------------------------ keys */

static int form_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	form_view *f = v->data;
	fq *q = f->nq > 0 ? &f->q[f->focus] : NULL;
	xform_nav_item *it = q ? item_of(f, q->path) : NULL;
	int typing = it && it->kind == XFORM_INPUT && !it->readonly;

	if (f->page >= f->npages) {
		/* The review. */
		if (ui_list_nav(&f->rsel, &f->rtop, f->npages, f->rvisible, act))
			return UI_HANDLED | UI_REDRAW;
		switch (act) {
		case ACT_OPEN:
			if (f->npages > 0)
				go_page(f, f->rsel);
			return UI_HANDLED | UI_REDRAW;
		case ACT_PREV_QUESTION:
			go_page(f, f->npages - 1);
			return UI_HANDLED | UI_REDRAW;
		case ACT_FINALISE:
			return ask_finalise(f, t);
		default:
			break;
		}
	}
	switch (act) {
	case ACT_NEXT_QUESTION:
		return next_page(f, t);
	case ACT_PREV_QUESTION:
		if (commit_page(f, t) < 0)
			return UI_HANDLED | UI_REDRAW;
		go_page(f, f->page - 1);
		return UI_HANDLED | UI_REDRAW;
	case ACT_NEXT_FIELD:
	case ACT_PREV_FIELD:
		if (q && commit_text(f, t, q) < 0)
			return UI_HANDLED | UI_REDRAW;
		if (f->nq > 1)
			f->focus = (f->focus + (act == ACT_NEXT_FIELD ? 1 : f->nq - 1)) % f->nq;
		else if (act == ACT_NEXT_FIELD)
			return next_page(f, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_UP:
	case ACT_DOWN:
		if (typing && is_multiline(it, q) &&
		    text_edit_vertical(&q->edit, tui_cols(t) - 7, act == ACT_DOWN ? 1 : -1))
			return UI_HANDLED | UI_REDRAW;
		if (it && (it->kind == XFORM_SELECT1 || it->kind == XFORM_SELECT) &&
		    (act == ACT_DOWN ? (size_t)q->cursor + 1 < it->choices.count : q->cursor > 0)) {
			q->cursor += act == ACT_DOWN ? 1 : -1;
			return UI_HANDLED | UI_REDRAW;
		}
		if (f->nq > 1) {
			if (commit_text(f, t, q) < 0)
				return UI_HANDLED | UI_REDRAW;
			if (act == ACT_DOWN && f->focus + 1 < f->nq)
				f->focus++;
			else if (act == ACT_UP && f->focus > 0)
				f->focus--;
		}
		return UI_HANDLED | UI_REDRAW;
	case ACT_TOGGLE:
		if (typing)
			break;     /* a space typed in the text */
		if (it && (it->kind == XFORM_SELECT1 || it->kind == XFORM_SELECT))
			return choose(f, t, q, it);
		if (it && it->kind == XFORM_TRIGGER)
			return after_change(f, t, q, fill_answer(f->fill, q->path, "OK"));
		return UI_HANDLED;
	case ACT_OPEN:
		if (f->pages[f->page] < 0)
			return next_page(f, t);
		if (typing && is_multiline(it, q)) {
			text_edit_insert(&q->edit, '\n');
			return UI_HANDLED | UI_REDRAW;
		}
		if (it && it->kind == XFORM_SELECT1) {
			if (it->choices.count && strcmp(it->value, it->choices.items[q->cursor].value) != 0) {
				choose(f, t, q, it);
				/* Stay when the choice was refused, else go on. */
				if (f->nq > 0 && f->q[f->focus].error)
					return UI_HANDLED | UI_REDRAW;
			}
		}
		if (f->nq > 1 && f->focus + 1 < f->nq) {
			if (commit_text(f, t, &f->q[f->focus]) < 0)
				return UI_HANDLED | UI_REDRAW;
			f->focus++;
			return UI_HANDLED | UI_REDRAW;
		}
		return next_page(f, t);
	case ACT_CLEAR_ANSWER:
		if (it && !it->readonly && is_question(it->kind)) {
			text_edit_set(&q->edit, "");
			return after_change(f, t, q, fill_clear(f->fill, q->path));
		}
		return UI_HANDLED;
	case ACT_ADD_REPEAT:
		if (f->pages[f->page] < 0) {
			xform_nav_item *r = &f->nav->items[page_item(f, f->page)];
			int rc = fill_repeat_add(f->fill, r->path);

			char *rpath = strdup(r->path);
			size_t n = 0, i;
			int p, row = -1;

			if (rc == 0)
				xform_repeat_count(fill_session(f->fill), rpath, &n, NULL);
			after_change(f, t, NULL, rc);
			/*
			 * Go to the first question of the new entry: the row of
			 * instance n after the repeat, then the first page after it.
			 */
			for (i = 0; rc == 0 && rpath && i < f->nav->count; i++) {
				xform_nav_item *x = &f->nav->items[i];

				if (x->kind == XFORM_REPEAT && strcmp(x->path, rpath) == 0)
					row = (int)i;
				else if (row >= 0 && x->repeat_instance == (int)n) {
					row = (int)i;
					break;
				}
			}
			for (p = 0; row >= 0 && p < f->npages; p++) {
				if (f->pages[p] > row) {
					go_page(f, p);
					break;
				}
			}
			free(rpath);
			return UI_HANDLED | UI_REDRAW;
		}
		tui_message(t, ROLE_INFO, "%s", _("Entries are added on the page after a group's questions."));
		return UI_HANDLED;
	case ACT_JUMP:
		if (commit_page(f, t) < 0)
			return UI_HANDLED | UI_REDRAW;
		jump_list(f, t);
		return UI_HANDLED;
	case ACT_FORM_LANGUAGE:
		form_language(f, t);
		return UI_HANDLED;
	case ACT_BILINGUAL:
		f->bilingual = !f->bilingual;
		find_ui_language(f);
		if (f->bilingual && !f->ui_code)
			tui_message(t, ROLE_INFO, "%s", _("This form has no text in the language of the program."));
		return UI_HANDLED | UI_REDRAW;
	case ACT_REVIEW:
		if (commit_page(f, t) < 0)
			return UI_HANDLED | UI_REDRAW;
		go_page(f, f->npages);
		return UI_HANDLED | UI_REDRAW;
	case ACT_FINALISE:
		tui_message(t, ROLE_INFO, "%s", _("Finalise from the review (F8)."));
		return UI_HANDLED;
	case ACT_BACK:
		keep_page(f, t);
		tui_pop(t);
		tui_message(t, ROLE_INFO, "%s", _("The draft is kept: resume it from the case."));
		return UI_HANDLED;
	default:
		break;
	}
	if (typing) {
		int r = ui_edit_key(&q->edit, key);

		if (r == 2 && q->error) {
			free(q->error);
			q->error = NULL;
		}
		if (r)
			return UI_HANDLED | UI_REDRAW;
	} else if (it && (it->kind == XFORM_SELECT1 || it->kind == XFORM_SELECT) &&
		   key >= '1' && key <= '9' && (size_t)(key - '1') < it->choices.count) {
		/* A digit picks that choice. */
		q->cursor = key - '1';
		return choose(f, t, q, it);
	}
	return act == ACT_NONE ? UI_HANDLED : UI_IGNORED;
}

static void form_resume(ui_view *v, tui *t)
{
	form_view *f = v->data;

	/* Back from a picker: the UI language may have changed. */
	find_ui_language(f);
}

const ui_view_ops ui_screen_form = {
	"form", &form_keymap, form_open, form_draw, form_key, NULL, form_resume, form_close,
	form_keep,
};
