/*
 * bench_forms.c: how fast the form engine loads, first evaluates and
 * recomputes large real forms.  Prints figures; it is not a timed test.
 *
 *   bench_forms FORM...
 *
 * For each form: the median of load + first full evaluation over several
 * runs, then the median and worst time of one answer with its recompute,
 * over the answerable questions of the form (in form order).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xform/xform.h"

/* Monotonic time in milliseconds. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of n values (sorts them). */
static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Benchmark one form; returns 0 or 1 on a failure. */
static int bench(const char *path)
{
	enum { RUNS = 7, MAX_ANSWERS = 400 };
	double load[RUNS], ans[MAX_ANSWERS], t0, t1;
	size_t nans = 0, i;
	hw_error err = { 0, "" };
	xform *f = NULL;
	xform_session *s = NULL;
	xform_nav *nav = NULL;
	int r;

	for (r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if (xform_load(&f, path, &err) < 0 || xform_session_new(&s, f, NULL, &err) < 0) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			xform_free(f);
			return 1;
		}
		t1 = now_ms();
		load[r] = t1 - t0;
		if (r < RUNS - 1) {
			xform_session_free(s);
			xform_free(f);
			s = NULL;
			f = NULL;
		}
	}
	if (xform_nav_build(&nav, s, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return 1;
	}
	for (i = 0; i < nav->count && nans < MAX_ANSWERS; i++) {
		const xform_nav_item *it = &nav->items[i];
		const char *v = NULL;

		if (it->readonly)
			continue;
		if (it->kind == XFORM_SELECT1 || it->kind == XFORM_SELECT)
			v = it->choices.count ? it->choices.items[0].value : NULL;
		else if (it->kind == XFORM_INPUT && (it->type == XFORM_T_INT || it->type == XFORM_T_DECIMAL))
			v = "3";
		else if (it->kind == XFORM_INPUT && it->type == XFORM_T_STRING)
			v = "text";
		else if (it->kind == XFORM_INPUT && it->type == XFORM_T_DATE)
			v = "2020-01-01";
		if (!v)
			continue;
		t0 = now_ms();
		if (xform_answer(s, it->path, v, &err) < 0)
			continue;
		ans[nans++] = now_ms() - t0;
	}
	{
		double worst = 0;

		for (i = 0; i < nans; i++)
			if (ans[i] > worst)
				worst = ans[i];
		printf("%s\n  load + first evaluation: median %.1f ms (%d runs)\n"
		       "  answer + recompute:      median %.3f ms, worst %.3f ms (%zu answers)\n",
		       path, median(load, RUNS), RUNS, median(ans, nans), worst, nans);
	}
	xform_nav_free(nav);
	xform_session_free(s);
	xform_free(f);
	return 0;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_forms FORM...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		rc |= bench(argv[i]);
	return rc;
}
