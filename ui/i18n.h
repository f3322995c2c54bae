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

/*
 * NC_(context, s) marks s for translation in a context, for one English
 * word that other languages say in two ways ("Closed" of a case and of a
 * referral: "Clôturé", "Clôturée"); it is "context\004s", gettext's key
 * for a string with a context.  CTX_() translates such a string, or gives
 * back s without its context when there is no translation.
 */
#define NC_(ctx, s) ctx "\004" s
const char *ui_ctx_gettext(const char *ctx_and_s);
#define CTX_(ctx_and_s) ui_ctx_gettext(ctx_and_s)

/* Set the locale from the environment and bind the "homeward" domain. */
void ui_i18n_init(void);

/* Switch the UI language at run time ("fr", "fa", "" for the environment's). */
void ui_i18n_set_language(const char *code);

/* The language code the UI currently speaks ("en" when untranslated). */
const char *ui_i18n_language(void);

/*
 * The name of a country code ("NG") or a language tag ("prs") in the
 * language of the interface: ISO 3166-1 and ISO 639 give the English name,
 * the iso-codes package's catalogues (when installed) the translation
 * ("Nigéria", "نیجریه").  The code itself when it is not one; borrowed.
 */
const char *ui_country_name(const char *code);
const char *ui_language_name(const char *tag);

#endif
