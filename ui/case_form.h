/*
 * case_form.h: the details of a case as a form of fields, shared by the
 * new-case and the edit-details screens so that both read and behave alike.
 *
 * The form holds what the counsellor typed and chose; the screen keeps its
 * own title, hints, keys between fields and what saving means.
 */
#ifndef HW_UI_CASE_FORM_H
#define HW_UI_CASE_FORM_H

#include "text.h"
#include "view.h"

/* The fields, in the order they are shown. */
enum case_form_field {
	CF_GIVEN, CF_FAMILY, CF_BIRTH_DATE, CF_BIRTH_YEAR, CF_SEX, CF_NATIONALITY,
	CF_RETURN, CF_LANGUAGE, CF_NFIELDS
};

typedef struct case_form {
	text_edit edit[CF_NFIELDS];  /* the typed fields (CF_SEX's unused) */
	int sex;                     /* the chosen sex, an index (0: not given) */
	int focus;                   /* the field with the cursor */
	int bad;                     /* field with a problem, -1 none */
} case_form;

/*
 * The keys of a case form, for the screens' keymaps: Tab, Down and Enter to
 * the next field, Shift-Tab and Up to the previous one, F2 to save, Esc to
 * leave (the screen decides what Enter on the last field does).
 */
extern const ui_binding case_form_bindings[];

/* Start an empty form (nothing to free yet, but free it with case_form_free). */
void case_form_init(case_form *f);

/* Free the typed text of f (f itself belongs to the caller; NULL is fine). */
void case_form_free(case_form *f);

/*
 * Put value (NULL: empty) into a field; for CF_SEX the choice whose case
 * value it is (not given if none).  Returns 0 or HW_ERROR (out of memory).
 */
int case_form_set(case_form *f, int field, const char *value);

/*
 * Draw the fields from row top, not below top + rows, cols wide: a label
 * column, the chooser or text field, and the advice under the field marked
 * bad.  Places the terminal cursor in the focused text field.
 */
void case_form_draw(const case_form *f, tui *t, int top, int rows, int cols);

/*
 * A key on the focused field (the sex chooser or a text field); a used key
 * clears that field's problem.  Returns UI_IGNORED or UI_HANDLED | UI_REDRAW.
 */
int case_form_key(case_form *f, int key);

/*
 * s without surrounding blanks, with the case of the codes of field fixed
 * (caller frees; NULL when out of memory).
 */
char *case_form_normalise(const char *s, int field);

/*
 * A field's value as the core takes it: the typed text normalised, or the
 * chosen sex ("" when empty or not given; caller frees; NULL when out of
 * memory).
 */
char *case_form_value(const case_form *f, int field);

/* The case field of a form field ("given_name"; static). */
const char *case_form_field_key(int field);

/* Which field an English refusal of the core is about (-1 unknown). */
int case_form_field_of_message(const char *msg);

#endif
