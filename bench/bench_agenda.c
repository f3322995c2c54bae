/*
 * bench_agenda.c: how long the agenda's first screen takes with 100,000
 * cases and 300,000 appointments (docs/agenda.md): the count and the first
 * page of each view the screen offers, and the status line's overdue count.
 * Goal: under 50 ms for a first screen.  The screen counts up to 10,000
 * (its title then says "10000+"): the exact count of a large selection is
 * measured too, as what that would cost.
 *
 *   bench/bench_agenda [DIR] [CASES] [APPOINTMENTS]   (default: a temp dir; 100000; 300000)
 *
 * The cases and their appointments are written as the fold writes them
 * (store_case_put, store_case_work_put), in batches of one transaction:
 * recording 300,000 events one by one would measure the fold, not the
 * agenda.  Dates spread over a year before and after the fixed "today";
 * fifty people share the appointments.  A DIR that already holds the
 * workspace is reused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "cases.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "../tests/testkey.h"

#define BATCH 5000     /* cases per transaction while generating */
#define ROUNDS 9       /* measured runs per query (odd: a clean median) */
#define PAGE 22        /* the rows of an 80x24 screen's list */
#define TODAY "2026-11-29"

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
	fprintf(stderr, "bench_agenda: %s: %s\n", what, err->msg);
	return 1;
}

/* Write ncases cases with napp appointments spread over them. */
static int generate(hw_ws *ws, size_t ncases, size_t napp)
{
	static const char *const given[] = { "Amina", "Yusuf", "Layla", "Karim", "Elene", "Omar" };
	static const char *const family[] = { "Okafor", "Haddad", "Rahimi", "Bello", "Sample" };
	static const char *const purpose[] = { NULL, "Business plan", "Check the housing", NULL };
	hw_store *st = ws_store(ws);
	size_t per = (napp + ncases - 1) / ncases, made = 0;
	double t0 = now();
	char id[HW_UUID_LEN + 1], aid[8][HW_UUID_LEN + 1], date[8][11], who[8][32], round[8][8];
	char birth[11];

	if (per > 8)
		per = 8;
	for (size_t i = 0; i < ncases; i++) {
		store_case_row r;
		store_case_work w;
		store_appointment a[8];
		size_t k;

		if (i % BATCH == 0 && ((i && store_commit(st, ws_err(ws)) < 0) ||
				       store_begin(st, ws_err(ws)) < 0))
			return fail("a transaction", ws_error(ws));
		memset(&r, 0, sizeof r);
		memset(&w, 0, sizeof w);
		memset(a, 0, sizeof a);
		hw_uuid(id);
		snprintf(birth, sizeof birth, "%04zu-%02zu-%02zu", 1950 + i % 60, 1 + i % 12, 1 + i % 28);
		r.id = id;
		r.given_name = (char *)given[i % 6];
		r.family_name = (char *)family[i % 5];
		r.birth_date = birth;
		r.status = (char *)"open";
		r.opened_at = r.updated_at = (char *)"2026-01-01T10:00:00Z";
		r.nevents = 4;
		w.stage = (char *)(i % 20 == 0 ? "closed" : "arrived");
		for (k = 0; k < per && made < napp; k++, made++) {
			/* A day within a year either side of today, a spread that changes with each one. */
			long offset = (long)((i * 7919 + k * 104729) % 731) - 365;

			hw_uuid(aid[k]);
			agenda_add_days(TODAY, offset, date[k]);
			snprintf(who[k], sizeof who[k], "device-%02zu", (i + k) % 50);
			snprintf(round[k], sizeof round[k], "m%d", k == 0 ? 3 : k == 1 ? 6 : 12);
			a[k].id = aid[k];
			a[k].case_id = id;
			a[k].date = date[k];
			a[k].time = k == 1 ? "10:30" : NULL;
			a[k].channel = k == 2 ? "phone" : "in_person";
			a[k].assigned = who[k];
			a[k].purpose = (char *)purpose[(i + k) % 4];
			a[k].round = k < 3 ? round[k] : NULL;
			a[k].status = offset < -200 && k == 0 ? "done" : "planned";
			a[k].set_at = "2026-01-01T10:00:00Z";
			a[k].set_by = who[k];
		}
		w.appointments = a;
		w.nappointments = k;
		if (store_case_put(st, &r, ws_err(ws)) < 0 || store_case_work_put(st, id, &w, ws_err(ws)) < 0)
			return fail("writing a case", ws_error(ws));
		if ((i + 1) % 20000 == 0)
			fprintf(stderr, "  %zu cases, %zu appointments (%.0f s)\n", i + 1, made, now() - t0);
	}
	if (store_commit(st, ws_err(ws)) < 0)
		return fail("committing", ws_error(ws));
	fprintf(stderr, "generated %zu cases and %zu appointments in %.1f s\n", ncases, made, now() - t0);
	return 0;
}

static int count_row(const store_appointment *a, void *payload)
{
	(void)a;
	(*(int *)payload)++;
	return 0;
}

/* The median time of a first screen of q: the count and the first page, in ms. */
static int measure(hw_ws *ws, const char *label, store_agenda_query q)
{
	double t[ROUNDS];
	long total = 0;
	int rows = 0;

	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now();

		rows = 0;
		q.limit = 10000;   /* the screen's COUNT_CAP */
		q.offset = 0;
		if (agenda_count(ws, &q, &total) < 0)
			return fail(label, ws_error(ws));
		q.limit = PAGE;
		if (agenda_list(ws, &q, count_row, &rows) < 0)
			return fail(label, ws_error(ws));
		t[r] = (now() - t0) * 1000;
	}
	qsort(t, ROUNDS, sizeof t[0], cmp_double);
	printf("  %-36s %8ld listed, %2d shown: %7.2f ms (median of %d; max %.2f)%s\n", label, total,
	       rows, t[ROUNDS / 2], ROUNDS, t[ROUNDS - 1], t[ROUNDS / 2] < 50 ? "" : "  OVER 50 ms");
	return t[ROUNDS / 2] < 50 ? 0 : 2;
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/homeward-bench-agenda.XXXXXX";
	const char *dir = argc > 1 && *argv[1] ? argv[1] : NULL;
	size_t ncases = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t napp = argc > 3 ? strtoul(argv[3], NULL, 10) : 300000;
	store_agenda_query q = STORE_AGENDA_QUERY_INIT;
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	char week[11];
	int rc = 0, fresh = 0;
	long late = 0;
	double t0, t[ROUNDS];

	if (!dir) {
		if (!mkdtemp(tmp))
			return 1;
		dir = tmp;
	}
	/* "Today" fixed, so that the overdue counts are the same on every run. */
	{
		time_t fixed;

		hw_time_parse(TODAY "T09:00:00Z", &fixed);
		hw_clock_fix(fixed);
	}
	if (ws_open(&ws, dir, 0, test_key(), &err) < 0) {
		if (ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err) < 0)
			return fail("opening the workspace", &err);
		if (ws_init(ws, "device-00", "Bench", "counsellor", NULL) < 0)
			return fail("initialising", ws_error(ws));
		fresh = 1;
	}
	if (fresh && generate(ws, ncases, napp) != 0)
		return 1;
	printf("agenda with %zu cases, %zu appointments (first screen: count + %d rows):\n", ncases, napp, PAGE);
	agenda_add_days(TODAY, 6, week);
	rc |= measure(ws, "everything planned, date order", q);
	q.by_assignee = 1;
	rc |= measure(ws, "everything planned, by assignee", q);
	q.by_assignee = 0;
	q.before = TODAY;
	rc |= measure(ws, "overdue, everyone's", q);
	q.assigned = "device-00";
	rc |= measure(ws, "overdue, one person's", q);
	q.before = NULL;
	q.from = TODAY;
	q.to = week;
	rc |= measure(ws, "this week, one person's", q);
	q.assigned = NULL;
	rc |= measure(ws, "this week, everyone's", q);
	q.from = q.to = TODAY;
	rc |= measure(ws, "today, everyone's", q);
	q = (store_agenda_query)STORE_AGENDA_QUERY_INIT;
	for (int r = 0; r < ROUNDS; r++) {
		t0 = now();
		if (agenda_count(ws, &q, &late) < 0)
			return fail("counting everything", ws_error(ws));
		t[r] = (now() - t0) * 1000;
	}
	qsort(t, ROUNDS, sizeof t[0], cmp_double);
	printf("  %-36s %8ld planned:        %7.2f ms (median; an exact count, which the screen caps)\n",
	       "every planned appointment, counted", late, t[ROUNDS / 2]);
	for (int r = 0; r < ROUNDS; r++) {
		t0 = now();
		if (agenda_overdue_count(ws, "device-00", &late) < 0)
			return fail("the status line's count", ws_error(ws));
		t[r] = (now() - t0) * 1000;
	}
	qsort(t, ROUNDS, sizeof t[0], cmp_double);
	printf("  %-36s %8ld overdue:        %7.2f ms (median of %d)\n", "status line, one person's", late,
	       t[ROUNDS / 2], ROUNDS);
	ws_free(ws);
	if (dir == tmp) {   /* a workspace of its own: 200 MB not to leave behind */
		char cmd[sizeof tmp + 16];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_agenda: could not remove %s\n", tmp);
	}
	return rc ? 1 : 0;
}
