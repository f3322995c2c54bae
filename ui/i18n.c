/* i18n.c: gettext set-up and run-time language switching. */
#include "config.h"
#include "i18n.h"
#include "iso.h"

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

const char *ui_country_name(const char *code)
{
	const char *en = iso_country_name(code);

	return en ? dgettext("iso_3166-1", en) : code ? code : "";
}

const char *ui_language_name(const char *tag)
{
	const char *en = iso_language_name(tag), *t;

	if (!en)
		return tag ? tag : "";
	/* Two-letter codes' names are in the 639-2 catalogue, the others in 639-3's. */
	t = dgettext("iso_639-2", en);
	return t != en ? t : dgettext("iso_639-3", en);
}

const char *ui_ctx_gettext(const char *ctx_and_s)
{
	const char *t = gettext(ctx_and_s), *eot;

	/* No translation: gettext gives the key back, context and all. */
	if (t == ctx_and_s && (eot = strchr(ctx_and_s, '\004')) != NULL)
		return eot + 1;
	return t;
}

void ui_i18n_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, locale_dir());
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	/* The catalogues of country and language names, where the system keeps them. */
	bind_textdomain_codeset("iso_3166-1", "UTF-8");
	bind_textdomain_codeset("iso_639-2", "UTF-8");
	bind_textdomain_codeset("iso_639-3", "UTF-8");
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
