/*
 * bench_open.c: how long opening a workspace takes when its database holds
 * 100k cases, with the integrity check (PRAGMA quick_check, which reads
 * every page: what every open did before, and what the first open after an
 * unclean shutdown still does) and without it (a clean, unchanged file
 * checked less than a day ago).
 *
 *   bench/bench_open [DIR] [CASES]       (default: a temp dir; 100000)
 *
 * The cases are made through the core library (case_open), in batches of
 * one transaction each.  A DIR that already holds a workspace is reused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "../tests/testkey.h"

#define BATCH 2000     /* cases per transaction while generating */
#define ROUNDS 9       /* measured opens per kind (odd: a clean median) */

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
	fprintf(stderr, "bench_open: %s: %s\n", what, err->msg);
	return 1;
}

/* Add cases to ws until it holds ncases. */
static int generate(hw_ws *ws, size_t have, size_t ncases)
{
	static const char *const given[] = { "Amina", "Yusuf", "Layla", "Karim", "Elene", "Omar" };
	static const char *const family[] = { "Okafor", "Haddad", "Rahimi", "Bello", "Sample" };
	static const char *const country[] = { "NG", "IQ", "AF", "MA", "GE", "SY" };
	char id[HW_UUID_LEN + 1], birth[11];
	double t0 = now();
	size_t i;

	for (i = have; i < ncases; i++) {
		case_fields f = CASE_FIELDS_INIT;

		if (i % BATCH == 0 && (i > have && store_commit(ws_store(ws), ws_err(ws)) < 0))
			return fail("committing", ws_error(ws));
		if ((i == have || i % BATCH == 0) && store_begin(ws_store(ws), ws_err(ws)) < 0)
			return fail("beginning", ws_error(ws));
		snprintf(birth, sizeof birth, "%04zu-%02zu-%02zu", 1950 + i % 60, 1 + i % 12, 1 + i % 28);
		f.given_name = given[i % 6];
		f.family_name = family[i % 5];
		f.birth_date = birth;
		f.sex = i % 2 ? "female" : "male";
		f.nationality = f.return_country = country[i % 6];
		f.language = "ar";
		if (case_open(ws, &f, id) < 0)
			return fail("opening a case", ws_error(ws));
		if ((i + 1) % 20000 == 0)
			fprintf(stderr, "  %zu cases (%.0f s)\n", i + 1, now() - t0);
	}
	if (ncases > have && store_commit(ws_store(ws), ws_err(ws)) < 0)
		return fail("committing", ws_error(ws));
	return 0;
}

/* Median seconds of ROUNDS opens; with check set, the marker is removed first. */
static int measure(const char *dir, const char *marker, int check, double *median)
{
	double t[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		hw_error err = { 0, "" };
		hw_ws *ws = NULL;
		double t0;

		if (check)
			unlink(marker);
		t0 = now();
		if (ws_open(&ws, dir, 0, test_key(), &err) < 0)
			return fail("opening", &err);
		t[r] = now() - t0;
		if (store_checked_on_open(ws_store(ws)) != check) {
			fprintf(stderr, "bench_open: the check %s when it should%s\n",
				check ? "did not run" : "ran", check ? "" : " not");
			ws_free(ws);
			return 1;
		}
		ws_free(ws);
	}
	qsort(t, ROUNDS, sizeof t[0], cmp_double);
	*median = t[ROUNDS / 2];
	return 0;
}

/* How many cases ws holds. */
static int count_one(const store_case_row *r, void *payload)
{
	(void)r;
	(*(size_t *)payload)++;
	return 0;
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/homeward-bench-open-XXXXXX";
	const char *base = argc > 1 ? argv[1] : NULL;
	size_t ncases = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000, have = 0;
	char *dir, *db, *marker;
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	double with, without;
	struct stat sb;

	if (!base && !(base = mkdtemp(tmpl)))
		return 1;
	dir = hw_path_join(base, "ws");
	db = hw_path_join(dir, "homeward.db");
	marker = hw_path_join(dir, "homeward.db-check");
	if (!dir || !db || !marker)
		return 1;
	if (ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err) < 0)
		return fail("creating the workspace", &err);
	if (!ws_is_initialised(ws) && ws_init(ws, "bench", "Bench", "counsellor", NULL) < 0)
		return fail("initialising", ws_error(ws));
	if (case_search(ws, NULL, 0, count_one, &have) < 0)
		return fail("counting", ws_error(ws));
	if (have < ncases)
		fprintf(stderr, "bench_open: making %zu cases in %s\n", ncases - have, dir);
	if (generate(ws, have, ncases) != 0)
		return 1;
	ws_free(ws);
	if (stat(db, &sb) < 0)
		return 1;
	/* Warm: the file is in the page cache for both kinds, as on a device in use. */
	if (measure(dir, marker, 1, &with) != 0 || measure(dir, marker, 0, &without) != 0)
		return 1;
	printf("%zu cases, database %.1f MB (%s)\n", ncases > have ? ncases : have,
	       (double)sb.st_size / 1e6, dir);
	printf("  open with quick_check (before; after an unclean shutdown): %8.1f ms\n", with * 1e3);
	printf("  open without (clean close, checked less than a day ago):   %8.1f ms\n", without * 1e3);
	free(dir);
	free(db);
	free(marker);
	return 0;
}
