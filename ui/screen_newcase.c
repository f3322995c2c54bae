/*
 * screen_newcase.c: opening a new case.  The core validates (case_open);
 * its refusal names the field, and the screen shows a translated message
 * under that field and puts the cursor there.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "curses.h"
#include "i18n.h"
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

typedef struct newcase {
	text_edit edit[NFIELDS];
	int sex;
	int focus;
	int bad;             /* field with a problem, -1 none */
	char detail[HW_ERROR_MAX];
} newcase;

static const ui_binding newcase_bindings[] = {
	{ '\t', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_DOWN), ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_BTAB), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_UP), ACT_PREV_FIELD },
	{ '\r', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_F(2)), ACT_SAVE },
	{ UI_KEY_ESC, ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_keymap newcase_keymap = { "new-case", newcase_bindings };

static const ui_hint newcase_hints[] = {
	{ ACT_SAVE, N_("Save") },
	{ ACT_NEXT_FIELD, N_("Next") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

static int newcase_open(ui_view *v, tui *t, void *arg)
{
	newcase *n = calloc(1, sizeof *n);
	int i;

	if (!n)
		return HW_ERROR;
	for (i = 0; i < NFIELDS; i++)
		text_edit_set(&n->edit[i], "");
	n->bad = -1;
	v->data = n;
	return 0;
}

static void newcase_close(ui_view *v, tui *t)
{
	newcase *n = v->data;
	int i;

	if (!n)
		return;
	for (i = 0; i < NFIELDS; i++)
		text_edit_free(&n->edit[i]);
	free(n);
}

static void newcase_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	newcase *n = v->data;
	int i, y = top + 1, lw = 30, fw = cols - lw - 4;

	tui_set_title(t, _("New case"));
	tui_set_hints(t, &newcase_keymap, newcase_hints);
	ui_put_block(t, top, 1, cols - 2, 1,
		     _("Fill in what is known; everything can be completed later."), ROLE_HINT, 0);
	if (fw > 40)
		fw = 40;
	for (i = 0; i < NFIELDS && y < top + rows; i++) {
		ui_put(t, y, 2, lw - 1, _(fields[i].label), i == n->focus ? ROLE_HEADER : ROLE_NORMAL, 1);
		if (i == F_SEX) {
			char buf[128];

			snprintf(buf, sizeof buf, "< %s >", _(sex_labels[n->sex]));
			ui_put(t, y, lw + 2, fw, buf, i == n->focus ? ROLE_SELECTED : ROLE_INPUT, 0);
		} else {
			ui_put_field(t, y, lw + 2, fw, &n->edit[i], i == n->focus);
		}
		y++;
		if (i == n->bad && y < top + rows) {
			y += ui_put_block(t, y, lw + 2, cols - lw - 3, 2, _(fields[i].problem),
					  ROLE_ERROR, 0);
		}
	}
}

/* Which field an English refusal of case_open is about (-1 unknown). */
static int field_of_message(const char *msg)
{
	static const struct { const char *prefix; int field; } map[] = {
		{ "birth date", F_BIRTH_DATE }, { "birth_date", F_BIRTH_DATE },
		{ "estimated birth year", F_BIRTH_YEAR }, { "birth_year", F_BIRTH_YEAR },
		{ "nationality", F_NATIONALITY }, { "country of return", F_RETURN },
		{ "return_country", F_RETURN }, { "language", F_LANGUAGE }, { "sex", F_SEX },
		{ "given_name", F_GIVEN }, { "family_name", F_FAMILY },
		{ "a case needs a given name", F_GIVEN },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].field;
	return -1;
}

/* A field's text, trimmed, NULL when empty (caller frees). */
static char *value_of(newcase *n, int i, int upper, int lower)
{
	const char *s = text_edit_str(&n->edit[i]);
	size_t len;
	char *v, *p;

	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0)
		return NULL;
	v = strndup(s, len);
	/* Country and language codes are ASCII: fix their case for the user. */
	for (p = v; p && *p; p++) {
		if (upper)
			*p = (char)toupper((unsigned char)*p);
		else if (lower)
			*p = (char)tolower((unsigned char)*p);
	}
	return v;
}

static int save(newcase *n, tui *t)
{
	case_fields f = CASE_FIELDS_INIT;
	char *v[NFIELDS] = { NULL };
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = tui_ws(t);
	int rc, i;

	for (i = 0; i < NFIELDS; i++)
		if (i != F_SEX)
			v[i] = value_of(n, i, i == F_NATIONALITY || i == F_RETURN, i == F_LANGUAGE);
	f.given_name = v[F_GIVEN];
	f.family_name = v[F_FAMILY];
	f.birth_date = v[F_BIRTH_DATE];
	f.birth_year = v[F_BIRTH_YEAR];
	f.sex = n->sex ? sex_values[n->sex] : NULL;
	f.nationality = v[F_NATIONALITY];
	f.return_country = v[F_RETURN];
	f.language = v[F_LANGUAGE];
	rc = case_open(ws, &f, id);
	for (i = 0; i < NFIELDS; i++)
		free(v[i]);
	if (rc == HW_EINVALID) {
		n->bad = field_of_message(ws_error(ws)->msg);
		if (n->bad >= 0) {
			n->focus = n->bad;
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
	tui_pop(t);
	tui_message(t, ROLE_INFO, "%s", _("Case saved."));
	tui_push(t, &ui_screen_case, id);
	return UI_HANDLED;
}

static int newcase_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	newcase *n = v->data;
	text_edit *e = &n->edit[n->focus];

	switch (act) {
	case ACT_NEXT_FIELD:
		if (key == '\r' && n->focus == NFIELDS - 1)
			return save(n, t);
		n->focus = (n->focus + 1) % NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_PREV_FIELD:
		n->focus = (n->focus + NFIELDS - 1) % NFIELDS;
		return UI_HANDLED | UI_REDRAW;
	case ACT_SAVE:
		return save(n, t);
	case ACT_BACK:
		return UI_CLOSE;
	case ACT_NONE:
		break;
	default:
		return UI_IGNORED;
	}
	if (n->focus == F_SEX) {
		int i;

		if (key == UI_KEY_FN(KEY_RIGHT) || key == ' ')
			n->sex = (n->sex + 1) % NSEX;
		else if (key == UI_KEY_FN(KEY_LEFT))
			n->sex = (n->sex + NSEX - 1) % NSEX;
		else if (!UI_KEY_IS_FN(key) && key > ' ') {
			/* The first letter of a translated label picks it. */
			for (i = 1; i < NSEX; i++) {
				uint32_t cp;
				const char *l = _(sex_labels[i]);

				text_decode(l, strlen(l), &cp);
				if (cp == (uint32_t)key || (cp < 128 && key < 128 &&
							    tolower((int)cp) == tolower(key)))
					n->sex = i;
			}
		} else
			return UI_IGNORED;
		return UI_HANDLED | UI_REDRAW;
	}
	if (ui_edit_key(e, key) == 0)
		return UI_IGNORED;
	if (n->bad == n->focus)
		n->bad = -1;
	return UI_HANDLED | UI_REDRAW;
}

const ui_view_ops ui_screen_newcase = {
	"new-case", &newcase_keymap, newcase_open, newcase_draw, newcase_key, NULL, NULL,
	newcase_close,
};
