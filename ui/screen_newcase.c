/*
 * screen_newcase.c: opening a new case.  The core validates (case_open);
 * its refusal names the field, and the screen shows a translated message
 * under that field and puts the cursor there.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "case_form.h"
#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "util.h"
#include "view.h"

typedef struct newcase {
	case_form form;
	char detail[HW_ERROR_MAX];
} newcase;

/*
 * A new case left half-filled when the program ended (F10, Ctrl-C, a
 * signal): its fields, separated by US (0x1f), which no typed text holds.
 * The next new-case form starts from it.
 */
#define KEPT_SETTING "ui.new_case_kept"
#define KEPT_SEP '\x1f'

static const ui_keymap newcase_keymap = { "new-case", case_form_bindings };

static const ui_hint newcase_hints[] = {
	{ ACT_SAVE, N_("Save") },
	{ ACT_NEXT_FIELD, N_("Next") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

/* True when nothing is typed or chosen. */
static int is_empty(const case_form *f)
{
	int i;

	for (i = 0; i < CF_NFIELDS; i++)
		if (i != CF_SEX && text_edit_str(&f->edit[i])[0])
			return 0;
	return f->sex == 0;
}

/* Fill the form from a kept new case; 1 if there was one. */
static int restore_kept(newcase *n, tui *t)
{
	hw_ws *ws = tui_ws(t);
	char *kept = NULL, *p, *sep;
	int i;

	if (ws_get(ws, KEPT_SETTING, &kept) < 0 || !kept || !*kept) {
		free(kept);
		return 0;
	}
	for (i = 0, p = kept; i < CF_NFIELDS && p; i++, p = sep ? sep + 1 : NULL) {
		sep = strchr(p, KEPT_SEP);
		if (sep)
			*sep = 0;
		case_form_set(&n->form, i, p);
	}
	free(kept);
	n->form.focus = 0;
	return 1;
}

/* Start an empty form, or the one left half-filled last time. */
static int newcase_open(ui_view *v, tui *t, void *arg)
{
	newcase *n = calloc(1, sizeof *n);

	if (!n)
		return HW_ERROR;
	case_form_init(&n->form);
	v->data = n;
	if (restore_kept(n, t))
		tui_message(t, ROLE_INFO, "%s",
			    _("The new case typed before the program closed is back: save it with F2."));
	return 0;
}

/* The program is ending: keep a half-filled new case for the next time. */
static void newcase_keep(ui_view *v, tui *t)
{
	newcase *n = v->data;
	hw_buf b = HW_BUF_INIT;
	char *kept;
	int i, rc;

	if (!n || is_empty(&n->form))
		return;
	for (i = 0; i < CF_NFIELDS; i++) {
		char *val = i == CF_SEX ? case_form_value(&n->form, i)
				       : strdup(text_edit_str(&n->form.edit[i]));

		hw_buf_printf(&b, "%s%c", val ? val : "", KEPT_SEP);
		free(val);
	}
	kept = hw_buf_detach(&b);
	rc = kept ? ws_set(tui_ws(t), KEPT_SETTING, kept) : HW_ERROR;
	if (rc < 0)
		tui_error(t, rc);
	free(kept);
}

/* The kept new case is saved or thrown away: forget it. */
static void forget_kept(tui *t)
{
	char *kept = NULL;

	if (ws_get(tui_ws(t), KEPT_SETTING, &kept) == 0 && kept)
		ws_set(tui_ws(t), KEPT_SETTING, NULL);
	free(kept);
}

/* Esc on a half-filled new case: leave it only when the counsellor says so. */
static void leave_answered(tui *t, int yes, void *payload)
{
	(void)payload;
	if (!yes)
		return;
	forget_kept(t);
	tui_pop(t);
	tui_message(t, ROLE_INFO, "%s", _("The new case was not saved."));
}

/* Free the form. */
static void newcase_close(ui_view *v, tui *t)
{
	newcase *n = v->data;

	if (!n)
		return;
	case_form_free(&n->form);
	free(n);
}

/* The title, the hints, a line of advice and the form. */
static void newcase_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	newcase *n = v->data;

	tui_set_title(t, _("New case"));
	tui_set_hints(t, &newcase_keymap, newcase_hints);
	ui_put_block(t, top, 1, cols - 2, 1,
		     _("Fill in what is known; everything can be completed later."), ROLE_HINT, 0);
	case_form_draw(&n->form, t, top + 1, rows - 1, cols);
}

/* A field's value for case_open: NULL when empty (caller frees). */
static char *value_of(newcase *n, int i)
{
	char *v = case_form_value(&n->form, i);

	if (v && !*v) {
		free(v);
		return NULL;
	}
	return v;
}

/* Open the case; on a refusal, mark the field it names. */
static int save(newcase *n, tui *t)
{
	case_fields f = CASE_FIELDS_INIT;
	char *v[CF_NFIELDS] = { NULL };
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = tui_ws(t);
	int rc, i;

	for (i = 0; i < CF_NFIELDS; i++)
		v[i] = value_of(n, i);
	f.given_name = v[CF_GIVEN];
	f.family_name = v[CF_FAMILY];
	f.birth_date = v[CF_BIRTH_DATE];
	f.birth_year = v[CF_BIRTH_YEAR];
	f.sex = v[CF_SEX];
	f.nationality = v[CF_NATIONALITY];
	f.return_country = v[CF_RETURN];
	f.language = v[CF_LANGUAGE];
	rc = case_open(ws, &f, id);
	for (i = 0; i < CF_NFIELDS; i++)
		free(v[i]);
	if (rc == HW_EINVALID) {
		n->form.bad = case_form_field_of_message(ws_error(ws)->msg);
		if (n->form.bad >= 0) {
			n->form.focus = n->form.bad;
			tui_message(t, ROLE_ERROR, "%s", _("The case was not saved: correct the field marked below."));
		} else {
			tui_error(t, rc);
		}
		return UI_HANDLED | UI_REDRAW;
	}
	if (rc < 0) {
		tui_error(t, rc);
		return UI_HANDLED | UI_REDRAW;
	}
	forget_kept(t);
	tui_pop(t);
	tui_message(t, ROLE_INFO, "%s", _("Case saved."));
	tui_push(t, &ui_screen_case, id);
	return UI_HANDLED;
}

/* Moving between fields, saving, leaving; other keys go to the field. */
static int newcase_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	newcase *n = v->data;
	case_form *f = &n->form;

	switch (act) {
	case ACT_NEXT_FIELD:
		if (key == '\r' && f->focus == CF_NFIELDS - 1)
			return save(n, t);
		f->focus = (f->focus + 1) % CF_NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_PREV_FIELD:
		f->focus = (f->focus + CF_NFIELDS - 1) % CF_NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_SAVE:
		return save(n, t);
	case ACT_BACK:
		if (is_empty(f)) {
			forget_kept(t);
			return UI_CLOSE;
		}
		tui_confirm(t, _("Leave without saving this new case? Enter: leave and lose it, "
				 "any other key: go on typing."), leave_answered, NULL);
		return UI_HANDLED | UI_REDRAW;
	case ACT_NONE:
		break;
	default:
		return UI_IGNORED;
	}
	return case_form_key(f, key);
}

const ui_view_ops ui_screen_newcase = {
	"new-case", &newcase_keymap, newcase_open, newcase_draw, newcase_key, NULL, NULL,
	newcase_close, newcase_keep,
};
