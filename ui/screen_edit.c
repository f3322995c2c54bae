/*
 * screen_edit.c: correcting the details of a case.  The fields start with
 * the case's current values; saving records one case.updated event for each
 * field whose value changed, and nothing for the others.
 *
 * The updates of one save go into one store transaction: when the core
 * refuses a value (case_update names the field), none of the others is
 * recorded either, so what the counsellor sees on the screen is either all
 * saved or not saved at all.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "curses.h"
#include "i18n.h"
#include "store.h"
#include "text.h"
#include "util.h"
#include "view.h"

enum {
	F_GIVEN, F_FAMILY, F_BIRTH_DATE, F_BIRTH_YEAR, F_SEX, F_NATIONALITY,
	F_RETURN, F_LANGUAGE, NFIELDS
};

typedef struct field_def {
	const char *key;      /* the case field */
	const char *label;    /* N_() */
	const char *problem;  /* N_(): what to write instead, shown under it */
} field_def;

/* The same labels and advice as the new-case screen, so both read alike. */
static const field_def fields[NFIELDS] = {
	{ "given_name", N_("Given name"), N_("Give a given name or a family name.") },
	{ "family_name", N_("Family name"), N_("Give a given name or a family name.") },
	{ "birth_date", N_("Date of birth (YYYY-MM-DD)"),
	  N_("Write the date as YYYY-MM-DD (e.g. 2009-03-21), not in the future.") },
	{ "birth_year", N_("Or estimated birth year"),
	  N_("Write a year of four digits, not in the future.") },
	{ "sex", N_("Sex"), N_("Choose with Left and Right.") },
	{ "nationality", N_("Nationality (country code)"),
	  N_("Write the two-letter country code (e.g. SY, NG, AF).") },
	{ "return_country", N_("Country of return (code)"),
	  N_("Write the two-letter country code (e.g. SY, NG, AF).") },
	{ "language", N_("Preferred language (code)"),
	  N_("Write a language code (e.g. ar, fa, fr, ti).") },
};

/* The choices of the sex field: values and their labels. */
static const char *const sex_values[] = { "", "female", "male", "other", "unknown" };
static const char *const sex_labels[] = {
	N_("(not given)"), N_("female"), N_("male"), N_("other"), N_("unknown")
};
#define NSEX 5

typedef struct edit_view {
	char id[HW_UUID_LEN + 1];
	char *name;                /* the case's name, for the title */
	text_edit edit[NFIELDS];
	char *orig[NFIELDS];       /* the values the fields started with ("" none) */
	int sex, orig_sex;
	int focus;
	int bad;                   /* field with a problem, -1 none */
} edit_view;

static const ui_binding edit_bindings[] = {
	{ '\t', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_DOWN), ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_BTAB), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_UP), ACT_PREV_FIELD },
	{ '\r', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_F(2)), ACT_SAVE },
	{ UI_KEY_ESC, ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap edit_keymap = { "edit-case", edit_bindings };

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
	for (i = 0; i < NFIELDS; i++) {
		text_edit_free(&e->edit[i]);
		free(e->orig[i]);
	}
	free(e->name);
	free(e);
}

/* Start field i with value (NULL: empty) and remember it as the original. */
static int prefill(edit_view *e, int i, const char *value)
{
	e->orig[i] = strdup(value ? value : "");
	if (!e->orig[i] || text_edit_set(&e->edit[i], e->orig[i]) < 0)
		return HW_ERROR;
	return 0;
}

static int edit_open(ui_view *v, tui *t, void *arg)
{
	edit_view *e = calloc(1, sizeof *e);
	store_case_row r;
	char year[16] = "";
	size_t len;
	int rc, i;

	if (!e)
		return HW_ERROR;
	memset(&r, 0, sizeof r);
	v->data = e;
	e->bad = -1;
	snprintf(e->id, sizeof e->id, "%s", (const char *)arg);
	if ((rc = case_get(tui_ws(t), e->id, &r)) < 0)
		goto fail;
	if (r.birth_year > 0)
		snprintf(year, sizeof year, "%d", r.birth_year);
	rc = HW_ERROR;
	if (prefill(e, F_GIVEN, r.given_name) < 0 || prefill(e, F_FAMILY, r.family_name) < 0 ||
	    prefill(e, F_BIRTH_DATE, r.birth_date) < 0 || prefill(e, F_BIRTH_YEAR, year) < 0 ||
	    prefill(e, F_SEX, r.sex) < 0 || prefill(e, F_NATIONALITY, r.nationality) < 0 ||
	    prefill(e, F_RETURN, r.return_country) < 0 || prefill(e, F_LANGUAGE, r.language) < 0)
		goto fail;
	for (i = 1; i < NSEX; i++)
		if (strcmp(e->orig[F_SEX], sex_values[i]) == 0)
			e->sex = e->orig_sex = i;
	len = strlen(e->orig[F_GIVEN]) + strlen(e->orig[F_FAMILY]) + 2;
	if (!(e->name = malloc(len)))
		goto fail;
	snprintf(e->name, len, "%s %s", e->orig[F_GIVEN], e->orig[F_FAMILY]);
	store_case_row_clear(&r);
	return 0;
fail:
	store_case_row_clear(&r);
	edit_close(v, t);
	v->data = NULL;
	return rc;
}

static void edit_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	edit_view *e = v->data;
	char buf[512];
	int i, y = top + 1, lw = 30, fw = cols - lw - 4;

	/* TRANSLATORS: the title of the screen that corrects a case; %s is the
	 * person's name. */
	snprintf(buf, sizeof buf, _("Edit details: %s"), e->name);
	tui_set_title(t, buf);
	tui_set_hints(t, &edit_keymap, edit_hints);
	ui_put_block(t, top, 1, cols - 2, 1,
		     _("Correct what is wrong; only the fields you change are recorded."), ROLE_HINT, 0);
	if (fw > 40)
		fw = 40;
	for (i = 0; i < NFIELDS && y < top + rows; i++) {
		ui_put(t, y, 2, lw - 1, _(fields[i].label), i == e->focus ? ROLE_HEADER : ROLE_NORMAL, 1);
		if (i == F_SEX) {
			snprintf(buf, sizeof buf, "< %s >", _(sex_labels[e->sex]));
			ui_put(t, y, lw + 2, fw, buf, i == e->focus ? ROLE_SELECTED : ROLE_INPUT, 0);
		} else {
			ui_put_field(t, y, lw + 2, fw, &e->edit[i], i == e->focus);
		}
		y++;
		if (i == e->bad && y < top + rows)
			y += ui_put_block(t, y, lw + 2, cols - lw - 3, 2, _(fields[i].problem),
					  ROLE_ERROR, 0);
	}
}

/* s without surrounding blanks, with the case of codes fixed (caller frees). */
static char *normalise(const char *s, int field)
{
	size_t len;
	char *v, *p;

	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (!(v = strndup(s, len)))
		return NULL;
	/* Country and language codes are ASCII: fix their case for the user. */
	for (p = v; *p; p++) {
		if (field == F_NATIONALITY || field == F_RETURN)
			*p = (char)toupper((unsigned char)*p);
		else if (field == F_LANGUAGE)
			*p = (char)tolower((unsigned char)*p);
	}
	return v;
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
	if (i == F_SEX) {
		if (e->sex == e->orig_sex)
			return 0;
		return (*out = strdup(sex_values[e->sex])) ? 1 : -1;
	}
	if (strcmp(text_edit_str(&e->edit[i]), e->orig[i]) == 0)
		return 0;
	now = normalise(text_edit_str(&e->edit[i]), i);
	was = normalise(e->orig[i], i);
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
	char *val[NFIELDS] = { NULL };
	int changed[NFIELDS] = { 0 };
	int i, n = 0, rc = 0, failed_field = -1;
	const char *given, *family;

	for (i = 0; i < NFIELDS; i++) {
		if ((changed[i] = changed_value(e, i, &val[i])) < 0) {
			rc = HW_ERROR;
			goto cleanup;
		}
		n += changed[i];
	}
	/* The core lets each name be cleared alone; a case keeps at least one. */
	given = changed[F_GIVEN] ? val[F_GIVEN] : e->orig[F_GIVEN];
	family = changed[F_FAMILY] ? val[F_FAMILY] : e->orig[F_FAMILY];
	if (!given[strspn(given, " ")] && !family[strspn(family, " ")]) {
		e->bad = e->focus = changed[F_GIVEN] ? F_GIVEN : F_FAMILY;
		tui_message(t, ROLE_ERROR, "%s", _("Nothing was saved: correct the field marked below."));
		goto cleanup;
	}
	if (n == 0) {
		tui_pop(t);
		tui_message(t, ROLE_INFO, "%s", _("Nothing was changed."));
		goto cleanup;
	}
	if ((rc = store_begin(ws_store(ws), ws_err(ws))) < 0)
		goto cleanup;
	for (i = 0; i < NFIELDS && rc == 0; i++)
		if (changed[i] && (rc = case_update(ws, e->id, fields[i].key,
						     *val[i] ? val[i] : NULL)) < 0)
			failed_field = i;
	if (rc < 0)
		store_rollback(ws_store(ws));
	else
		rc = store_commit(ws_store(ws), ws_err(ws));
	if (rc == HW_EINVALID && failed_field >= 0) {
		e->bad = e->focus = failed_field;
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
	for (i = 0; i < NFIELDS; i++)
		free(val[i]);
	if (rc < 0)
		tui_error(t, rc);
	return UI_HANDLED | UI_REDRAW;
}

/* Left, Right, Space or a first letter on the sex field. */
static int sex_key(edit_view *e, int key)
{
	int i;

	if (key == UI_KEY_FN(KEY_RIGHT) || key == ' ')
		e->sex = (e->sex + 1) % NSEX;
	else if (key == UI_KEY_FN(KEY_LEFT))
		e->sex = (e->sex + NSEX - 1) % NSEX;
	else if (!UI_KEY_IS_FN(key) && key > ' ') {
		/* The first letter of a translated label picks it. */
		for (i = 1; i < NSEX; i++) {
			uint32_t cp;
			const char *l = _(sex_labels[i]);

			text_decode(l, strlen(l), &cp);
			if (cp == (uint32_t)key ||
			    (cp < 128 && key < 128 && tolower((int)cp) == tolower(key)))
				e->sex = i;
		}
	} else
		return UI_IGNORED;
	if (e->bad == F_SEX)
		e->bad = -1;
	return UI_HANDLED | UI_REDRAW;
}

static int edit_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	edit_view *e = v->data;

	switch (act) {
	case ACT_NEXT_FIELD:
		if (key == '\r' && e->focus == NFIELDS - 1)
			return save(e, t);
		e->focus = (e->focus + 1) % NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_PREV_FIELD:
		e->focus = (e->focus + NFIELDS - 1) % NFIELDS;
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
	if (e->focus == F_SEX)
		return sex_key(e, key);
	if (ui_edit_key(&e->edit[e->focus], key) == 0)
		return UI_IGNORED;
	if (e->bad == e->focus)
		e->bad = -1;
	return UI_HANDLED | UI_REDRAW;
}

const ui_view_ops ui_screen_edit = {
	"edit-case", &edit_keymap, edit_open, edit_draw, edit_key, NULL, NULL, edit_close,
};
