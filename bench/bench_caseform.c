/*
 * bench_caseform.c: what instance('case') costs when a form opens.  A case
 * with 50 events and 10 submissions; the needs assessment is opened (load,
 * session, first evaluation) without the case and with it (building
 * instance('case') from the case's row, case work and events, then the
 * session with it).  Goal: under 5 ms more (docs/form-entities.md).
 *
 *   bench/bench_caseform DATADIR     (the folder holding forms/, e.g. share)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caseform.h"
#include "cases.h"
#include "forms.h"
#include "util.h"
#include "workspace.h"
#include "xform/xform.h"
#include "../tests/testkey.h"

#define ROUNDS 41     /* odd: a clean median */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fail(const char *what, const hw_error *err)
{
	fprintf(stderr, "bench_caseform: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

/* One round: load the form and start a session, with the case (ws, id) or without. */
static int open_once(hw_ws *ws, const char *path, const char *case_id, double *secs)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	xform *form = NULL;
	xform_session *s = NULL;
	char *xml = NULL;
	hw_error err = { 0, "" };
	double t0 = now();
	int rc;

	if ((rc = xform_load(&form, path, &err)) < 0)
		return fail("loading the form", &err);
	if (case_id && (rc = caseform_xml(ws, case_id, 0, &xml, NULL)) < 0)
		return fail("building instance('case')", ws_error(ws));
	o.case_xml = xml;
	if ((rc = xform_session_new(&s, form, &o, &err)) < 0)
		return fail("starting a session", &err);
	*secs = now() - t0;
	xform_session_free(s);
	xform_free(form);
	free(xml);
	return 0;
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/bench-caseform.XXXXXX", *dir, id[HW_UUID_LEN + 1], *path = NULL;
	double with[ROUNDS], without[ROUNDS];
	hw_ws *ws = NULL;
	hw_error err = { 0, "" };
	case_fields f = CASE_FIELDS_INIT;
	store_case_row row;
	int i;

	if (argc != 2)
		return fprintf(stderr, "usage: bench_caseform DATADIR\n"), 2;
	if (!(dir = mkdtemp(tmpl)))
		return fail("making a temporary folder", NULL);
	if (ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err) < 0)
		return fail("opening a workspace", &err);
	if (ws_init(ws, "bench", "Bench", "counsellor", NULL) < 0 || ws_install_forms(ws, argv[1]) < 0)
		return fail("initialising", ws_error(ws));
	f.given_name = "Amina";
	f.family_name = "Bench";
	f.birth_date = "1984-03-10";
	f.return_country = "NG";
	f.language = "en";
	if (case_open(ws, &f, id) < 0)
		return fail("opening a case", ws_error(ws));
	/* Ten submissions, each a form.submitted event (a score saved as a property). */
	for (i = 0; i < 10; i++) {
		hw_fill *fill = NULL;

		if (fill_open(&fill, ws, id, "needs-assessment", NULL) < 0 ||
		    fill_answer(fill, "/data/summary", "A summary of the needs.") < 0 ||
		    fill_finalise(fill, NULL, NULL) < 0)
			return fail("submitting a form", ws_error(ws));
		fill_free(fill);
	}
	memset(&row, 0, sizeof row);
	if (case_get(ws, id, &row) < 0)
		return fail("reading the case", ws_error(ws));
	for (i = row.nevents; i < 50; i++)
		if (case_update(ws, id, "language", i % 2 ? "fr" : "en") < 0)
			return fail("updating the case", ws_error(ws));
	store_case_row_clear(&row);
	case_get(ws, id, &row);
	if (forms_find(ws, "needs-assessment", &path) < 0)
		return fail("finding the form", ws_error(ws));
	for (i = 0; i < ROUNDS; i++) {
		if (open_once(ws, path, NULL, &without[i]) || open_once(ws, path, id, &with[i]))
			return 1;
	}
	qsort(with, ROUNDS, sizeof(double), cmp_double);
	qsort(without, ROUNDS, sizeof(double), cmp_double);
	printf("instance('case'): needs-assessment, a case with %d events and 10 submissions, median of %d\n",
	       row.nevents, ROUNDS);
	printf("  open without the case   %8.2f ms\n", without[ROUNDS / 2] * 1e3);
	printf("  open with the case      %8.2f ms\n", with[ROUNDS / 2] * 1e3);
	printf("  more                    %8.2f ms   (goal: under 5 ms)\n",
	       (with[ROUNDS / 2] - without[ROUNDS / 2]) * 1e3);
	store_case_row_clear(&row);
	free(path);
	ws_free(ws);
	{
		char cmd[256];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_caseform: could not remove %s\n", dir);
	}
	return 0;
}
