/* cli_fill.c: `form list` and `form submit` (filling a form from a file). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseform.h"
#include "cases.h"
#include "cli.h"
#include "forms.h"
#include "i18n.h"
#include "workspace.h"

static int list_one(const forms_entry *f, void *payload)
{
	(void)payload;
	printf("%-28s %-12s %s\n", f->id, f->version, f->title);
	return 0;
}

static void list_bad(const char *path, const char *message, void *payload)
{
	(void)payload;
	(void)path;
	cli_error(_("skipping a form that does not load: %s"), message);
}

/* Why a form is or is not for a case, translated. */
static const char *why_text(const caseform_entry *e)
{
	switch (e->why) {
	case CASEFORM_FOR_MINORS: return _("for minors only");
	case CASEFORM_FOR_ADULTS: return _("for adults only");
	case CASEFORM_FOR_EXPR: return _("for cases where the form's condition holds");
	default: return "";
	}
}

typedef struct list_case {
	int all;
	int shown;
} list_case;

/* One line of `form list --case`: the forms that apply, or every form with --all. */
static int list_for_case(const caseform_entry *e, void *payload)
{
	list_case *l = payload;

	if (!e->applies && !l->all)
		return 0;
	l->shown++;
	if (e->applies)
		printf("%-28s %-12s %s%s%s\n", e->id, e->version, e->title,
		       e->why != CASEFORM_FOR_ALL ? "  -- " : "", why_text(e));
	else {
		printf("%-28s %-12s %s  -- ", e->id, e->version, e->title);
		/* TRANSLATORS: after a form's title; %s says whom the form is for. */
		printf(_("does not apply: %s"), why_text(e));
		putchar('\n');
	}
	if (!e->applies && e->expr)
		printf("%-28s %-12s    %s\n", "", "", e->expr);
	return 0;
}

int cli_form_list(int argc, char **argv, const cli_globals *g)
{
	const char *case_arg = NULL;
	char case_id[HW_UUID_LEN + 1];
	list_case l = { 0, 0 };
	hw_ws *ws = NULL;
	int st, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--case") && i + 1 < argc)
			case_arg = argv[++i];
		else if (!strcmp(argv[i], "--all"))
			l.all = 1;
		else
			break;
	}
	if (i < argc || (l.all && !case_arg))
		return cli_usage(_("usage: homeward form list [--case ID [--all]]"));
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	if (!case_arg)
		st = forms_list(ws, list_one, list_bad, NULL) < 0 ? cli_fail(ws_error(ws)) : 0;
	else if (case_resolve_id(ws, case_arg, case_id) < 0 ||
		 caseform_forms(ws, case_id, list_for_case, &l) < 0)
		st = cli_fail(ws_error(ws));
	else
		st = 0;
	ws_free(ws);
	return st;
}

/*
 * Split a line into at most max words: spaces separate, a word in double
 * quotes may hold spaces, '#' outside quotes starts a comment.  Modifies
 * line; returns the number of words or -1 for an unclosed quote.
 */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return n;
		if (*p == '"') {
			char *end = strchr(p + 1, '"');
			if (!end)
				return -1;
			*end = '\0';
			words[n++] = p + 1;
			p = end + 1;
		} else {
			words[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
			if (*p)
				*p++ = '\0';
		}
	}
	return n;
}

/* Apply the answers file to f; prints the first problem with its line. */
static int apply_answers(hw_fill *f, hw_ws *ws, const char *file)
{
	FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char line[8192], *w[3];
	int lineno = 0, n, rc = 0;

	if (!in)
		return cli_error(_("cannot read %s"), file);
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		lineno++;
		n = split_words(line, w, 3);
		if (n == 0)
			continue;
		if (n < 0) {
			rc = cli_error(_("%s:%d: unclosed quote"), file, lineno);
		} else if (!strcmp(w[0], "answer") && n == 3) {
			if (fill_answer(f, w[1], w[2]) < 0)
				rc = cli_error("%s:%d: %s", file, lineno, ws_error(ws)->msg);
		} else if (!strcmp(w[0], "answer") && n == 2) {
			if (fill_clear(f, w[1]) < 0)
				rc = cli_error("%s:%d: %s", file, lineno, ws_error(ws)->msg);
		} else if (!strcmp(w[0], "clear") && n == 2) {
			if (fill_clear(f, w[1]) < 0)
				rc = cli_error("%s:%d: %s", file, lineno, ws_error(ws)->msg);
		} else if (!strcmp(w[0], "add-repeat") && n == 2) {
			if (fill_repeat_add(f, w[1]) < 0)
				rc = cli_error("%s:%d: %s", file, lineno, ws_error(ws)->msg);
		} else if (!strcmp(w[0], "lang") && n == 2) {
			if (fill_set_language(f, w[1]) < 0)
				rc = cli_error("%s:%d: %s", file, lineno, ws_error(ws)->msg);
		} else {
			rc = cli_error(_("%s:%d: expected `answer PATH VALUE`"), file, lineno);
		}
	}
	if (in != stdin)
		fclose(in);
	return rc;
}

int cli_form_submit(int argc, char **argv, const cli_globals *g)
{
	char id[HW_UUID_LEN + 1], *instance = NULL;
	xform_failure_list *fails = NULL;
	hw_fill *f = NULL;
	hw_ws *ws = NULL;
	int st;

	/* --corrects INSTANCE: a new instance that corrects a finalised one. */
	if (argc != 4 && !(argc == 6 && !strcmp(argv[4], "--corrects")))
		return cli_usage(_("usage: homeward form submit CASE_ID FORM_ID ANSWERS [--corrects INSTANCE]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (case_resolve_id(ws, argv[1], id) < 0 ||
	    (argc == 6 ? fill_open_correction(&f, ws, argv[5], NULL) : fill_open(&f, ws, id, argv[2], NULL)) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (argc == 6 && (strcmp(fill_case_id(f), id) || strcmp(xform_id(fill_form(f)), argv[2]))) {
		st = cli_error(_("instance %s is a %s submission of case %.8s, not of %s for this case"),
			       argv[5], xform_id(fill_form(f)), fill_case_id(f), argv[2]);
		fill_discard(f);   /* the correction just started: leave nothing behind */
		goto done;
	}
	/* Answers are kept as a draft as they are applied: a failure leaves it to resume. */
	if ((st = apply_answers(f, ws, argv[3])) != 0)
		goto done;
	if (fill_finalise(f, &instance, &fails) < 0) {
		if (fails) {
			for (size_t i = 0; i < fails->count; i++)
				cli_error("%s: %s", fails->items[i].path, fails->items[i].message);
			st = cli_error("%s", _("the form is not complete; the answers are kept as a draft"));
		} else {
			st = cli_fail(ws_error(ws));
		}
		goto done;
	}
	printf("%s\n", instance);
	st = 0;
done:
	xform_failure_list_free(fails);
	free(instance);
	fill_free(f);
	ws_free(ws);
	return st;
}
