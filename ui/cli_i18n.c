/*
 * cli_i18n.c: `homeward form i18n extract|merge|coverage`, the tools that
 * turn a source form into a translation template, merge the translations
 * into a multilingual form, and report how complete the translations are.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csv.h"
#include "formi18n.h"
#include "i18n.h"
#include "util.h"

/* At most this many ids are listed in one warning. */
#define LIST_MAX 12

/* Print the usage of `form i18n`; returns status. */
static int usage(FILE *fp, int status)
{
	fputs(_("Usage: homeward form i18n extract FORM.xml [-o FILE.pot]\n"
		"       homeward form i18n merge FORM.xml PODIR -o OUT.xml [--langs nl,fr,...]\n"
		"       homeward form i18n coverage [--require LANGS] [--child-forms IDS] PODIR...\n"
		"A data file (FILE.csv) is extracted and merged like a form; --columns\n"
		"names its translated columns (default: label,description).\n"),
		fp);
	return status;
}

/* A list of words split at commas or spaces. */
typedef struct wordlist {
	char **w;
	size_t n;
} wordlist;

/* Add the words of s to l (duplicates skipped); 0 or HW_ERROR. */
static int words_add(wordlist *l, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, ", ");
		int dup = 0;

		for (size_t i = 0; n && i < l->n; i++)
			dup |= strlen(l->w[i]) == n && strncmp(l->w[i], s, n) == 0;
		if (n && !dup) {
			char **w = realloc(l->w, (l->n + 1) * sizeof(*w));
			hw_buf b = HW_BUF_INIT;

			if (!w)
				return HW_ERROR;
			l->w = w;
			hw_buf_add(&b, s, n);
			if (!(l->w[l->n] = hw_buf_detach(&b)))
				return HW_ERROR;
			l->n++;
		}
		s += n;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return 0;
}

/* True if word is in l. */
static int words_has(const wordlist *l, const char *word)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->w[i], word) == 0)
			return 1;
	return 0;
}

/* Free a word list. */
static void words_free(wordlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->w[i]);
	free(l->w);
	l->w = NULL;
	l->n = 0;
}

/* qsort comparison of strings. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the languages of the LANG.po files in dir, in alphabetical order. */
static int po_langs(wordlist *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	wordlist found = { NULL, 0 };
	int rc = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		hw_buf b = HW_BUF_INIT;
		char *code;

		if (n <= 3 || strcmp(de->d_name + n - 3, ".po") != 0 || de->d_name[0] == '.')
			continue;
		hw_buf_add(&b, de->d_name, n - 3);
		code = hw_buf_detach(&b);
		rc = code ? words_add(&found, code) : HW_ERROR;
		free(code);
		if (rc < 0)
			break;
	}
	closedir(d);
	if (found.n)
		qsort(found.w, found.n, sizeof(*found.w), cmp_str);
	for (size_t i = 0; rc == 0 && i < found.n; i++)
		rc = words_add(l, found.w[i]);
	words_free(&found);
	return rc;
}

/* Print "label: id, id, ... (and N more)" on stderr. */
static void print_ids(const char *label, char **ids, size_t n)
{
	fprintf(stderr, "  %s:", label);
	for (size_t i = 0; i < n && i < LIST_MAX; i++)
		fprintf(stderr, "%s %s", i ? "," : "", ids[i]);
	if (n > LIST_MAX)
		fprintf(stderr, _(" (and %zu more)"), n - LIST_MAX);
	fputc('\n', stderr);
}

/* Write data to path, or to stdout when path is NULL or "-". */
static int write_out(const char *path, const char *data, size_t len)
{
	hw_error err = { 0, "" };
	char *dir, *slash;

	if (!path || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cli_error(_("cannot write the output"));
		return 0;
	}
	dir = hw_strdup(path);
	slash = dir ? strrchr(dir, '/') : NULL;
	if (slash && slash != dir) {
		*slash = '\0';
		if (hw_mkdir_p(dir, &err) < 0) {
			free(dir);
			return cli_fail(&err);
		}
	}
	free(dir);
	if (hw_write_file_atomic(path, data, len, &err) < 0)
		return cli_fail(&err);
	return 0;
}

/* True if path names a CSV data file rather than a form. */
static int is_csv(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcmp(path + n - 4, ".csv") == 0;
}

/* The id of a data file: its name without folder and ".csv"; caller frees. */
static char *csv_id(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	hw_buf b = HW_BUF_INIT;

	hw_buf_add(&b, base, strlen(base) - (is_csv(base) ? 4 : 0));
	return hw_buf_detach(&b);
}

/* The template of a data file, as PO text into *text (caller frees). */
static int csv_template(char **text, const char *path, const char *ref, const wordlist *cols,
	hw_error *err)
{
	hw_csv *t = NULL;
	formi18n_catalog *cat = NULL;
	char *id = csv_id(path);
	int rc;

	*text = NULL;
	if (!id)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if ((rc = hw_csv_load(&t, path, err)) == 0
		&& (rc = formi18n_catalog_from_csv(&cat, t, id, ref ? ref : path,
			(const char *const *)cols->w, cols->n, err)) == 0)
		rc = formi18n_po_write(text, cat, err);
	formi18n_catalog_free(cat);
	hw_csv_free(t);
	free(id);
	return rc;
}

/* `extract FORM.xml [-o FILE.pot] [--ref NAME]`. */
static int cmd_extract(int argc, char **argv)
{
	const char *form_path = NULL, *out_path = NULL, *ref = NULL;
	formi18n_form *form = NULL;
	formi18n_catalog *cat = NULL;
	wordlist cols = { NULL, 0 };
	char *text = NULL;
	hw_error err = { 0, "" };
	int status = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc)
			ref = argv[++i];
		else if (strcmp(argv[i], "--columns") == 0 && i + 1 < argc) {
			if (words_add(&cols, argv[++i]) < 0) {
				status = cli_error(_("out of memory"));
				goto cleanup;
			}
		} else if ((argv[i][0] == '-' && argv[i][1]) || form_path) {
			status = usage(stderr, 2);
			goto cleanup;
		} else
			form_path = argv[i];
	}
	if (!form_path) {
		status = usage(stderr, 2);
		goto cleanup;
	}
	if (is_csv(form_path)) {
		if ((!cols.n && words_add(&cols, FORMI18N_CSV_COLUMNS) < 0
			&& hw_error_set(&err, HW_ERROR, "out of memory") < 0)
			|| csv_template(&text, form_path, ref, &cols, &err) < 0) {
			status = cli_fail(&err);
			goto cleanup;
		}
	} else if (formi18n_form_load(&form, form_path, &err) < 0
		|| formi18n_catalog_from_form(&cat, form, ref, &err) < 0
		|| formi18n_po_write(&text, cat, &err) < 0) {
		status = cli_fail(&err);
		goto cleanup;
	}
	status = write_out(out_path, text, strlen(text));
cleanup:
	free(text);
	formi18n_catalog_free(cat);
	formi18n_form_free(form);
	words_free(&cols);
	return status;
}

/* `merge FORM.xml PODIR -o OUT.xml [--langs LANGS]`. */
static int cmd_merge(int argc, char **argv)
{
	const char *form_path = NULL, *podir = NULL, *out_path = NULL;
	wordlist langs = { NULL, 0 }, cols = { NULL, 0 };
	formi18n_form *form = NULL;
	hw_csv *table = NULL;
	char *id = NULL;
	formi18n_catalog **pos = NULL;
	formi18n_lang *ml = NULL;
	formi18n_coverage *cov = NULL;
	char *xml = NULL;
	size_t xml_len = 0;
	hw_error err = { 0, "" };
	int status = 1, have_langs = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out_path = argv[++i];
		} else if (strcmp(argv[i], "--langs") == 0 && i + 1 < argc) {
			have_langs = 1;
			if (words_add(&langs, argv[++i]) < 0)
				goto oom;
		} else if (strcmp(argv[i], "--columns") == 0 && i + 1 < argc) {
			if (words_add(&cols, argv[++i]) < 0)
				goto oom;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = usage(stderr, 2);
			goto cleanup;
		} else if (!form_path) {
			form_path = argv[i];
		} else if (!podir) {
			podir = argv[i];
		} else {
			status = usage(stderr, 2);
			goto cleanup;
		}
	}
	if (!form_path || !podir || !out_path) {
		status = usage(stderr, 2);
		goto cleanup;
	}
	if (!have_langs && po_langs(&langs, podir) < 0)
		goto oom;
	if (!cols.n && words_add(&cols, FORMI18N_CSV_COLUMNS) < 0)
		goto oom;
	if (is_csv(form_path) ? hw_csv_load(&table, form_path, &err) < 0
		: formi18n_form_load(&form, form_path, &err) < 0) {
		status = cli_fail(&err);
		goto cleanup;
	}
	if (!(id = form ? hw_strdup(formi18n_form_id(form)) : csv_id(form_path)))
		goto oom;
	pos = calloc(langs.n + 1, sizeof(*pos));
	ml = calloc(langs.n + 1, sizeof(*ml));
	cov = calloc(langs.n + 1, sizeof(*cov));
	if (!pos || !ml || !cov)
		goto oom;
	for (size_t l = 0; l < langs.n; l++) {
		char *name = NULL, *path;
		hw_buf b = HW_BUF_INIT;

		hw_buf_printf(&b, "%s.po", langs.w[l]);
		name = hw_buf_detach(&b);
		path = name ? hw_path_join(podir, name) : NULL;
		free(name);
		if (!path)
			goto oom;
		if (hw_exists(path) && formi18n_po_load(&pos[l], path, &err) < 0) {
			free(path);
			status = cli_fail(&err);
			goto cleanup;
		}
		free(path);
		ml[l].code = langs.w[l];
		ml[l].po = pos[l];
	}
	if (table ? formi18n_merge_csv(table, cov, id, (const char *const *)cols.w, cols.n,
			ml, langs.n, &err) < 0 || hw_csv_write(&xml, table, &err) < 0
		: formi18n_merge(&xml, &xml_len, cov, form, ml, langs.n, &err) < 0) {
		status = cli_fail(&err);
		goto cleanup;
	}
	if (table)
		xml_len = strlen(xml);
	for (size_t l = 0; l < langs.n; l++) {
		size_t bad = cov[l].missing + cov[l].fuzzy;

		if (!bad)
			continue;
		fprintf(stderr, _("homeward: warning: %s: %s: %zu of %zu texts not translated, "
			"English used\n"), id, langs.w[l], bad, cov[l].total);
		if (cov[l].missing)
			print_ids(_("missing"), cov[l].missing_ids, cov[l].missing);
		if (cov[l].fuzzy)
			print_ids(_("fuzzy or outdated"), cov[l].fuzzy_ids, cov[l].fuzzy);
	}
	status = write_out(out_path, xml, xml_len);
	goto cleanup;
oom:
	status = cli_error(_("out of memory"));
cleanup:
	for (size_t l = 0; l < langs.n; l++) {
		if (pos)
			formi18n_catalog_free(pos[l]);
		if (cov)
			formi18n_coverage_clear(&cov[l]);
	}
	free(pos);
	free(ml);
	free(cov);
	free(xml);
	free(id);
	formi18n_form_free(form);
	hw_csv_free(table);
	words_free(&langs);
	words_free(&cols);
	return status;
}

/* The last path component of dir, without trailing slashes; caller frees. */
static char *dir_base(const char *dir)
{
	char *s = hw_strdup(dir), *slash;
	size_t n = s ? strlen(s) : 0;

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	slash = s ? strrchr(s, '/') : NULL;
	if (slash) {
		char *b = hw_strdup(slash + 1);

		free(s);
		return b;
	}
	return s;
}

/* Totals of one language over all forms. */
typedef struct lang_total {
	size_t total, translated, fuzzy, missing, child_total, child_translated;
} lang_total;

/* Print one row of the coverage table. */
static void print_row(const char *form, const char *lang, const lang_total *t)
{
	unsigned pct = t->total ? (unsigned)(t->translated * 100 / t->total) : 100;

	printf("%-26s %-6s %5zu/%-5zu %4u%% %6zu %8zu %7zu/%zu\n", form, lang, t->translated,
		t->total, pct, t->fuzzy, t->missing, t->child_translated, t->child_total);
}

/* `coverage [--require LANGS] [--child-forms IDS] PODIR...`. */
static int cmd_coverage(int argc, char **argv)
{
	wordlist req = { NULL, 0 }, child_forms = { NULL, 0 }, all_langs = { NULL, 0 };
	wordlist seen_forms = { NULL, 0 };
	char **dirs = NULL;
	size_t ndirs = 0;
	lang_total *totals = NULL;
	hw_error err = { 0, "" };
	int status = 0, failed = 0;

	dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	if (!dirs)
		goto oom;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--require") == 0 && i + 1 < argc) {
			if (words_add(&req, argv[++i]) < 0)
				goto oom;
		} else if (strcmp(argv[i], "--child-forms") == 0 && i + 1 < argc) {
			if (words_add(&child_forms, argv[++i]) < 0)
				goto oom;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = usage(stderr, 2);
			goto cleanup;
		} else {
			dirs[ndirs++] = argv[i];
		}
	}
	if (!ndirs) {
		status = usage(stderr, 2);
		goto cleanup;
	}
	for (size_t i = 0; i < req.n; i++)
		if (words_add(&all_langs, req.w[i]) < 0)
			goto oom;
	for (size_t d = 0; d < ndirs; d++)
		if (po_langs(&all_langs, dirs[d]) < 0)
			goto oom;
	totals = calloc(all_langs.n + 1, sizeof(*totals));
	if (!totals)
		goto oom;

	/* TRANSLATORS: column heads of the coverage table; keep the widths. */
	printf("%-26s %-6s %11s %5s %6s %8s %9s\n", _("FORM"), _("LANG"), _("TRANSLATED"),
		"%", _("FUZZY"), _("MISSING"), _("CHILD"));
	for (size_t d = 0; d < ndirs; d++) {
		char *id = dir_base(dirs[d]), *potname = NULL, *potpath = NULL;
		formi18n_catalog *pot = NULL;
		hw_buf b = HW_BUF_INIT;
		size_t child_entries = 0;

		if (!id)
			goto oom;
		words_add(&seen_forms, id);
		hw_buf_printf(&b, "%s.pot", id);
		potname = hw_buf_detach(&b);
		potpath = potname ? hw_path_join(dirs[d], potname) : NULL;
		free(potname);
		if (!potpath || formi18n_po_load(&pot, potpath, &err) < 0) {
			if (potpath)
				cli_fail(&err);
			free(potpath);
			free(id);
			failed = 1;
			continue;
		}
		free(potpath);
		for (size_t i = 0; i < formi18n_catalog_count(pot); i++) {
			const char *c = formi18n_catalog_entry(pot, i)->ctxt;

			child_entries += c && strstr(c, FORMI18N_CHILD_SUFFIX) != NULL;
		}
		if (words_has(&child_forms, id) && child_entries == 0) {
			cli_error(_("%s: a form for children has no child wording (en-x-child)"), id);
			failed = 1;
		}
		for (size_t l = 0; l < all_langs.n; l++) {
			const char *lang = all_langs.w[l];
			formi18n_catalog *po = NULL;
			formi18n_coverage cov = FORMI18N_COVERAGE_INIT;
			lang_total row;
			char *name, *path;
			int required = words_has(&req, lang);

			hw_buf_printf(&b, "%s.po", lang);
			name = hw_buf_detach(&b);
			path = name ? hw_path_join(dirs[d], name) : NULL;
			free(name);
			if (!path)
				goto oom;
			if (!hw_exists(path) && !required) {
				free(path);
				continue;
			}
			if (hw_exists(path) && formi18n_po_load(&po, path, &err) < 0) {
				cli_fail(&err);
				free(path);
				failed = 1;
				continue;
			}
			free(path);
			if (formi18n_coverage_compute(&cov, pot, po, &err) < 0) {
				formi18n_catalog_free(po);
				cli_fail(&err);
				failed = 1;
				continue;
			}
			row.total = cov.total;
			row.translated = cov.translated;
			row.fuzzy = cov.fuzzy;
			row.missing = cov.missing;
			row.child_total = cov.child_total;
			row.child_translated = cov.child_translated;
			print_row(id, lang, &row);
			totals[l].total += row.total;
			totals[l].translated += row.translated;
			totals[l].fuzzy += row.fuzzy;
			totals[l].missing += row.missing;
			totals[l].child_total += row.child_total;
			totals[l].child_translated += row.child_translated;
			if (required && (cov.fuzzy || cov.missing)) {
				failed = 1;
				fprintf(stderr, _("homeward: %s: %s: %zu required translations missing "
					"or fuzzy\n"), id, lang, cov.fuzzy + cov.missing);
				if (cov.missing)
					print_ids(_("missing"), cov.missing_ids, cov.missing);
				if (cov.fuzzy)
					print_ids(_("fuzzy or outdated"), cov.fuzzy_ids, cov.fuzzy);
			}
			formi18n_coverage_clear(&cov);
			formi18n_catalog_free(po);
		}
		formi18n_catalog_free(pot);
		free(id);
	}
	for (size_t i = 0; i < child_forms.n; i++) {
		if (!words_has(&seen_forms, child_forms.w[i])) {
			cli_error(_("%s: form named in --child-forms not found among the folders"),
				child_forms.w[i]);
			failed = 1;
		}
	}
	if (ndirs > 1)
		for (size_t l = 0; l < all_langs.n; l++)
			print_row(_("(all forms)"), all_langs.w[l], &totals[l]);
	status = failed;
	goto cleanup;
oom:
	status = cli_error(_("out of memory"));
cleanup:
	free(dirs);
	free(totals);
	words_free(&req);
	words_free(&child_forms);
	words_free(&all_langs);
	words_free(&seen_forms);
	return status;
}

int cli_form_i18n(int argc, char **argv, const cli_globals *g)
{
	(void)g;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(argc < 2 ? stderr : stdout, argc < 2 ? 2 : 0);
	if (strcmp(argv[1], "extract") == 0)
		return cmd_extract(argc - 1, argv + 1);
	if (strcmp(argv[1], "merge") == 0)
		return cmd_merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "coverage") == 0)
		return cmd_coverage(argc - 1, argv + 1);
	cli_error(_("unknown form i18n command '%s'"), argv[1]);
	return usage(stderr, 2);
}
