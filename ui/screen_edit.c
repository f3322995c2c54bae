/*
 * screen_edit.c: correcting the details of a case.  The fields start with
 * the case's current values; saving records one case.updated event with the
 * fields whose value changed, and nothing for the others.
 *
 * The core records the changes of one save together (case_update_fields):
 * when it refuses a value, it names the field and none of the others is
 * recorded either, so what the counsellor sees on the screen is either all
 * saved or not saved at all.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_form.h"
#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "text.h"
#include "util.h"
#include "view.h"

typedef struct edit_view {
	char id[HW_UUID_LEN + 1];
	char *name;                /* the case's name, for the title */
	case_form form;
	char *orig[CF_NFIELDS];    /* the values the fields started with ("" none) */
	int orig_sex;              /* the sex chosen at the start */
} edit_view;

static const ui_keymap edit_keymap = { "edit-case", case_form_bindings };

static const ui_hint edit_hints[] = {
	{ ACT_SAVE, N_("Save") },
	{ ACT_NEXT_FIELD, N_("Next") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

static void edit_close(ui_view *v, tui *t)
{
	edit_view *e = v->data;
	int i;

	(void)t;
	if (!e)
		return;
	case_form_free(&e->form);
	for (i = 0; i < CF_NFIELDS; i++)
		free(e->orig[i]);
	free(e->name);
	free(e);
}

/* Start field i with value (NULL: empty) and remember it as the original. */
static int prefill(edit_view *e, int i, const char *value)
{
	e->orig[i] = strdup(value ? value : "");
	if (!e->orig[i] || case_form_set(&e->form, i, e->orig[i]) < 0)
		return HW_ERROR;
	return 0;
}

static int edit_open(ui_view *v, tui *t, void *arg)
{
	edit_view *e = calloc(1, sizeof *e);
	store_case_row r;
	char year[16] = "";
	size_t len;
	int rc;

	if (!e)
		return HW_ERROR;
	memset(&r, 0, sizeof r);
	v->data = e;
	case_form_init(&e->form);
	snprintf(e->id, sizeof e->id, "%s", (const char *)arg);
	if ((rc = case_get(tui_ws(t), e->id, &r)) < 0)
		goto fail;
	if (r.birth_year > 0)
		snprintf(year, sizeof year, "%d", r.birth_year);
	rc = HW_ERROR;
	if (prefill(e, CF_GIVEN, r.given_name) < 0 || prefill(e, CF_FAMILY, r.family_name) < 0 ||
	    prefill(e, CF_BIRTH_DATE, r.birth_date) < 0 || prefill(e, CF_BIRTH_YEAR, year) < 0 ||
	    prefill(e, CF_SEX, r.sex) < 0 || prefill(e, CF_NATIONALITY, r.nationality) < 0 ||
	    prefill(e, CF_RETURN, r.return_country) < 0 || prefill(e, CF_LANGUAGE, r.language) < 0)
		goto fail;
	e->orig_sex = e->form.sex;
	len = strlen(e->orig[CF_GIVEN]) + strlen(e->orig[CF_FAMILY]) + 2;
	if (!(e->name = malloc(len)))
		goto fail;
	snprintf(e->name, len, "%s %s", e->orig[CF_GIVEN], e->orig[CF_FAMILY]);
	store_case_row_clear(&r);
	return 0;
fail:
	store_case_row_clear(&r);
	edit_close(v, t);
	v->data = NULL;
	return rc;
}

/* The title with the case's name, the hints, a line of advice and the form. */
static void edit_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	edit_view *e = v->data;
	char buf[512];

	/* TRANSLATORS: the title of the screen that corrects a case; %s is the
	 * person's name. */
	snprintf(buf, sizeof buf, _("Edit details: %s"), e->name);
	tui_set_title(t, buf);
	tui_set_hints(t, &edit_keymap, edit_hints);
	ui_put_block(t, top, 1, cols - 2, 1,
		     _("Correct what is wrong; only the fields you change are recorded."), ROLE_HINT, 0);
	case_form_draw(&e->form, t, top + 1, rows - 1, cols);
}

/*
 * The new value of field i when the counsellor changed it: *out gets it
 * ("" to clear; caller frees).  Returns 1 if changed, 0 if not, -1 out of
 * memory.  A field typed back to what it was, or only re-cased ("ng" for
 * "NG"), is not a change.
 */
static int changed_value(edit_view *e, int i, char **out)
{
	char *now, *was;
	int differs;

	*out = NULL;
	if (i == CF_SEX) {
		if (e->form.sex == e->orig_sex)
			return 0;
		return (*out = case_form_value(&e->form, i)) ? 1 : -1;
	}
	if (strcmp(text_edit_str(&e->form.edit[i]), e->orig[i]) == 0)
		return 0;
	now = case_form_value(&e->form, i);
	was = case_form_normalise(e->orig[i], i);
	if (!now || !was) {
		free(now);
		free(was);
		return -1;
	}
	differs = strcmp(now, was) != 0;
	free(was);
	if (!differs) {
		free(now);
		return 0;
	}
	*out = now;
	return 1;
}

/* Record the changed fields; closes the screen when they are saved. */
static int save(edit_view *e, tui *t)
{
	hw_ws *ws = tui_ws(t);
	char *val[CF_NFIELDS] = { NULL };
	int changed[CF_NFIELDS] = { 0 }, field_of[CF_NFIELDS];
	case_change ch[CF_NFIELDS];
	int i, n = 0, rc = 0;
	size_t bad = CF_NFIELDS;
	const char *given, *family;

	for (i = 0; i < CF_NFIELDS; i++) {
		if ((changed[i] = changed_value(e, i, &val[i])) < 0) {
			rc = HW_ERROR;
			goto cleanup;
		}
		if (changed[i]) {
			ch[n].field = case_form_field_key(i);
			ch[n].value = *val[i] ? val[i] : NULL;
			field_of[n++] = i;
		}
	}
	/* Said here too, so the mark goes on the name the counsellor emptied. */
	given = changed[CF_GIVEN] ? val[CF_GIVEN] : e->orig[CF_GIVEN];
	family = changed[CF_FAMILY] ? val[CF_FAMILY] : e->orig[CF_FAMILY];
	if (!given[strspn(given, " ")] && !family[strspn(family, " ")]) {
		e->form.bad = e->form.focus = changed[CF_GIVEN] ? CF_GIVEN : CF_FAMILY;
		tui_message(t, ROLE_ERROR, "%s", _("Nothing was saved: correct the field marked below."));
		goto cleanup;
	}
	if (n == 0) {
		tui_pop(t);
		tui_message(t, ROLE_INFO, "%s", _("Nothing was changed."));
		goto cleanup;
	}
	rc = case_update_fields(ws, e->id, ch, (size_t)n, &bad);
	if (rc == HW_EINVALID && bad < (size_t)n) {
		e->form.bad = e->form.focus = field_of[bad];
		rc = 0;
		tui_message(t, ROLE_ERROR, "%s", _("Nothing was saved: correct the field marked below."));
		goto cleanup;
	}
	if (rc == 0) {
		tui_pop(t);
		tui_message(t, ROLE_INFO,
			    P_("%d change recorded; it is sent with the next sync.",
			       "%d changes recorded; they are sent with the next sync.", n), n);
	}
cleanup:
	for (i = 0; i < CF_NFIELDS; i++)
		free(val[i]);
	if (rc < 0)
		tui_error(t, rc);
	return UI_HANDLED | UI_REDRAW;
}

/* Moving between fields, saving, leaving; other keys go to the field. */
static int edit_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	edit_view *e = v->data;

	switch (act) {
	case ACT_NEXT_FIELD:
		if (key == '\r' && e->form.focus == CF_NFIELDS - 1)
			return save(e, t);
		e->form.focus = (e->form.focus + 1) % CF_NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_PREV_FIELD:
		e->form.focus = (e->form.focus + CF_NFIELDS - 1) % CF_NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_SAVE:
		return save(e, t);
	case ACT_BACK:
		/* Nothing is recorded before saving: leaving is cancelling. */
		tui_message(t, ROLE_INFO, "%s", _("Not saved: the case is unchanged."));
		return UI_CLOSE;
	case ACT_NONE:
		break;
	default:
		return UI_IGNORED;
	}
	return case_form_key(&e->form, key);
}

const ui_view_ops ui_screen_edit = {
	"edit-case", &edit_keymap, edit_open, edit_draw, edit_key, NULL, NULL, edit_close,
};
