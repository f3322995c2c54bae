/*
 * case_form.c: the fields of a case as a form: their labels and advice, the
 * sex chooser, drawing, and the values as the core takes them.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_form.h"
#include "curses.h"
#include "i18n.h"
#include "util.h"

typedef struct field_def {
	const char *key;      /* the case field */
	const char *label;    /* N_() */
	const char *problem;  /* N_(): what to write instead, shown under it */
} field_def;

static const field_def fields[CF_NFIELDS] = {
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

/* The keys of a case form. */
const ui_binding case_form_bindings[] = {
	{ '\t', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_DOWN), ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_BTAB), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_UP), ACT_PREV_FIELD },
	{ '\r', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_F(2)), ACT_SAVE },
	{ UI_KEY_ESC, ACT_BACK },
	{ 0, ACT_NONE },
};

/* Start an empty form. */
void case_form_init(case_form *f)
{
	memset(f, 0, sizeof *f);
	f->bad = -1;
}

/* Free the typed text of f. */
void case_form_free(case_form *f)
{
	int i;

	if (!f)
		return;
	for (i = 0; i < CF_NFIELDS; i++)
		text_edit_free(&f->edit[i]);
}

/* Put value into a field, or choose the sex whose value it is. */
int case_form_set(case_form *f, int field, const char *value)
{
	int i;

	if (field == CF_SEX) {
		f->sex = 0;
		for (i = 1; i < NSEX; i++)
			if (value && strcmp(value, sex_values[i]) == 0)
				f->sex = i;
		return 0;
	}
	return text_edit_set(&f->edit[field], value ? value : "") < 0 ? HW_ERROR : 0;
}

/* Draw the labels, fields and the advice under the field marked bad. */
void case_form_draw(const case_form *f, tui *t, int top, int rows, int cols)
{
	int i, y = top, lw = 30, fw = cols - lw - 4;

	if (fw > 40)
		fw = 40;
	for (i = 0; i < CF_NFIELDS && y < top + rows; i++) {
		ui_put(t, y, 2, lw - 1, _(fields[i].label), i == f->focus ? ROLE_HEADER : ROLE_NORMAL, 1);
		if (i == CF_SEX) {
			char buf[128];

			snprintf(buf, sizeof buf, "< %s >", _(sex_labels[f->sex]));
			ui_put(t, y, lw + 2, fw, buf, i == f->focus ? ROLE_SELECTED : ROLE_INPUT, 0);
		} else {
			ui_put_field(t, y, lw + 2, fw, &f->edit[i], i == f->focus);
		}
		y++;
		if (i == f->bad && y < top + rows)
			y += ui_put_block(t, y, lw + 2, cols - lw - 3, 2, _(fields[i].problem),
					  ROLE_ERROR, 0);
	}
}

/* Left, Right, Space or a first letter on the sex chooser: 1 if used. */
static int sex_key(case_form *f, int key)
{
	int i;

	if (key == UI_KEY_FN(KEY_RIGHT) || key == ' ')
		f->sex = (f->sex + 1) % NSEX;
	else if (key == UI_KEY_FN(KEY_LEFT))
		f->sex = (f->sex + NSEX - 1) % NSEX;
	else if (!UI_KEY_IS_FN(key) && key > ' ') {
		/* The first letter of a translated label picks it. */
		for (i = 1; i < NSEX; i++) {
			uint32_t cp;
			const char *l = _(sex_labels[i]);

			text_decode(l, strlen(l), &cp);
			if (cp == (uint32_t)key ||
			    (cp < 128 && key < 128 && tolower((int)cp) == tolower(key)))
				f->sex = i;
		}
	} else
		return 0;
	return 1;
}

/* A key on the focused field: UI_IGNORED or UI_HANDLED | UI_REDRAW. */
int case_form_key(case_form *f, int key)
{
	if (f->focus == CF_SEX) {
		if (!sex_key(f, key))
			return UI_IGNORED;
	} else if (ui_edit_key(&f->edit[f->focus], key) == 0) {
		return UI_IGNORED;
	}
	if (f->bad == f->focus)
		f->bad = -1;
	return UI_HANDLED | UI_REDRAW;
}

/* s without surrounding blanks, with the case of codes fixed (caller frees). */
char *case_form_normalise(const char *s, int field)
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
		if (field == CF_NATIONALITY || field == CF_RETURN)
			*p = (char)toupper((unsigned char)*p);
		else if (field == CF_LANGUAGE)
			*p = (char)tolower((unsigned char)*p);
	}
	return v;
}

/* A field's value as the core takes it ("" when empty; caller frees). */
char *case_form_value(const case_form *f, int field)
{
	if (field == CF_SEX)
		return strdup(sex_values[f->sex]);
	return case_form_normalise(text_edit_str(&f->edit[field]), field);
}

/* The case field of a form field. */
const char *case_form_field_key(int field)
{
	return fields[field].key;
}

/* Which field an English refusal of the core is about (-1 unknown). */
int case_form_field_of_message(const char *msg)
{
	static const struct { const char *prefix; int field; } map[] = {
		{ "birth date", CF_BIRTH_DATE }, { "birth_date", CF_BIRTH_DATE },
		{ "estimated birth year", CF_BIRTH_YEAR }, { "birth_year", CF_BIRTH_YEAR },
		{ "nationality", CF_NATIONALITY }, { "country of return", CF_RETURN },
		{ "return_country", CF_RETURN }, { "language", CF_LANGUAGE }, { "sex", CF_SEX },
		{ "given_name", CF_GIVEN }, { "family_name", CF_FAMILY },
		{ "a case needs a given name", CF_GIVEN },
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].field;
	return -1;
}
