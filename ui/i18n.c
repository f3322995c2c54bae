/* i18n.c: gettext set-up and run-time language switching. */
#include "config.h"
#include "i18n.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Where the catalogues are: $HOMEWARD_LOCALEDIR, else share/locale beside
 * the running program (the build tree, where `make` puts the compiled
 * catalogues), else the installed LOCALEDIR.
 */
static const char *locale_dir(void)
{
	static char beside[PATH_MAX];
	const char *d = getenv("HOMEWARD_LOCALEDIR");
	struct stat st;
	ssize_t n;
	char *slash;

	if (d && *d)
		return d;
	n = readlink("/proc/self/exe", beside, sizeof beside - 1);
	if (n > 0) {
		beside[n] = 0;
		slash = strrchr(beside, '/');
		if (slash && (size_t)(slash - beside) + sizeof "/share/locale" < sizeof beside) {
			strcpy(slash, "/share/locale");
			if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode))
				return beside;
		}
	}
	return LOCALEDIR;
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
