/* i18n.c: gettext set-up and run-time language switching. */
#include "config.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* Where the catalogues are: the build tree when run from it, else LOCALEDIR. */
static const char *locale_dir(void)
{
	const char *d = getenv("HOMEWARD_LOCALEDIR");

	return d && *d ? d : LOCALEDIR;
}

void ui_i18n_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, locale_dir());
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}

void ui_i18n_set_language(const char *code)
{
	if (code && *code)
		setenv("LANGUAGE", code, 1);
	else
		unsetenv("LANGUAGE");
	/* glibc re-reads LANGUAGE only when the domain is set again. */
	textdomain(PACKAGE);
}

const char *ui_i18n_language(void)
{
	/* TRANSLATORS: the code of the language of this catalogue, e.g. "fr". */
	const char *code = gettext("ui-language-code");

	return strcmp(code, "ui-language-code") == 0 ? "en" : code;
}
