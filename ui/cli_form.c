/* cli_form.c: `form check FORM...` and `form scenario FORM STEPS`. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseform.h"
#include "cli.h"
#include "i18n.h"
#include "xform/xform.h"

/* Counts of one `form check` run. */
typedef struct check_counts {
	int warnings;
} check_counts;

/* Print a warning as FILE:LINE: warning: MESSAGE (errors come from the error slot). */
static void on_diag(const char *file, int line, int severity, const char *message, void *payload)
{
	check_counts *c = payload;

	if (severity != XFORM_WARNING)
		return;
	c->warnings++;
	printf("%s:%d: %s: %s\n", file, line, _("warning"), message);
}

/*
 * Print a load error.  The core's detail is "FILE:LINE: problem"; the word
 * "error" goes between so editors and grep find it like a compiler's.
 */
static void print_load_error(const char *path, const hw_error *err)
{
	size_t l = strlen(path);
	const char *m = err->msg;

	if (strncmp(m, path, l) == 0 && m[l] == ':') {
		const char *p = m + l + 1;
		int line = atoi(p);

		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == ':')
			p++;
		while (*p == ' ')
			p++;
		printf("%s:%d: %s: %s\n", path, line, _("error"), p);
	} else {
		printf("%s:0: %s: %s\n", path, _("error"), m[0] ? m : hw_error_name(err->code));
	}
}

/* A problem with a form's use of the case: FILE:LINE: error: MESSAGE. */
static void on_case_problem(int line, const char *message, void *payload)
{
	printf("%s:%d: %s: %s\n", (const char *)payload, line, _("error"), message);
}

int cli_form_check(int argc, char **argv, const cli_globals *g)
{
	int i, errors = 0;
	xform **forms;

	(void)g;
	if (argc < 2)
		return cli_usage(_("usage: homeward form check FORM..."));
	if (!(forms = calloc((size_t)argc, sizeof(*forms)))) {
		hw_error oom = { HW_ERROR, "" };

		return cli_fail(&oom);
	}
	for (i = 1; i < argc; i++) {
		xform_load_options opts = XFORM_LOAD_OPTIONS_INIT;
		check_counts counts = { 0 };
		hw_error err = { 0, "" };

		opts.diag = on_diag;
		opts.payload = &counts;
		if (xform_load_ext(&forms[i - 1], argv[i], &opts, &err) < 0) {
			print_load_error(argv[i], &err);
			errors++;
		}
	}
	/* Saveto targets and references into instance('case'): a property one
	 * form reads, another form checked with it may save. */
	for (i = 1; i < argc; i++) {
		if (!forms[i - 1])
			continue;
		if (caseform_check(forms[i - 1], (const xform *const *)forms, (size_t)argc - 1,
				   on_case_problem, argv[i]) > 0)
			errors++;
	}
	for (i = 0; i < argc; i++)
		xform_free(forms[i]);
	free(forms);
	fflush(stdout);
	return errors ? 1 : 0;
}

/* Print one failed expectation: STEPS:LINE: expected ..., got ... */
static void on_result(const xform_scenario_result *r, void *payload)
{
	(void)payload;
	if (r->passed)
		return;
	printf(_("%s:%d: expected %s, got %s\n"), r->steps_file, r->line, r->expected, r->actual);
}

int cli_form_scenario(int argc, char **argv, const cli_globals *g)
{
	xform_scenario_summary sum = { 0, 0 };
	hw_error err = { 0, "" };

	(void)g;
	if (argc != 3)
		return cli_usage(_("usage: homeward form scenario FORM STEPS"));
	if (xform_scenario_run(&sum, argv[1], argv[2], on_result, NULL, &err) < 0)
		return cli_fail(&err);
	printf(_("%d passed, %d failed\n"), sum.passed, sum.failed);
	fflush(stdout);
	return sum.failed ? 1 : 0;
}
