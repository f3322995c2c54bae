/*
 * i18n.h: the one place that includes gettext.  The user interface speaks
 * through _() (a translated string), N_() (marks a string for translation
 * where it is defined, translated where it is shown) and P_() (plural).
 */
#ifndef HW_UI_I18N_H
#define HW_UI_I18N_H

#include <libintl.h>
#include <locale.h>

#define _(s) gettext(s)
#define N_(s) (s)
#define P_(one, many, n) ngettext((one), (many), (n))

/* Set the locale from the environment and bind the "homeward" domain. */
void ui_i18n_init(void);

/* Switch the UI language at run time ("fr", "fa", "" for the environment's). */
void ui_i18n_set_language(const char *code);

/* The language code the UI currently speaks ("en" when untranslated). */
const char *ui_i18n_language(void);

#endif
