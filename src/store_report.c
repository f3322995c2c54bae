/*
 * store_report.c: what reports read from the database in one pass
 * (src/report.c): every case with its case work, and the follow-up scores.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int store_report_cases(hw_store *st, int (*cb)(const store_report_case *c, void *payload),
		       void *payload, hw_error *err)
{
	/*
	 * One query for every case and its case work: reports read 100k cases
	 * in one pass instead of five queries a case.
	 */
	static const char sql[] =
		"SELECT c.id, c.return_country, c.assigned_to, c.vulnerability, c.minor, c.opened_at,"
		" w.stage, w.decision, w.decision_date, w.departed_on, w.return_type, w.assistance,"
		" w.assistance_granted, w.arrived_on, w.follow_up_on, w.closed_on,"
		" c.birth_date, c.birth_year"
		" FROM cases c LEFT JOIN case_work w ON w.case_id = c.id";
	sqlite3_stmt *s = NULL;
	char today[HW_TIME_LEN + 1];
	int stop = 0, rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading cases for a report");
	/*
	 * Each case's work is found by its id, all over its table: with the
	 * usual 32 MiB cache a 100k-case database reads and decrypts the same
	 * pages again and again.  For this pass the cache may hold both
	 * tables (allocated as used, given back after).
	 */
	sqlite3_exec(store_db(st), "PRAGMA cache_size=-262144", NULL, NULL, NULL);
	/* A minor against today, as every read of a case counts it (store.c). */
	hw_now_iso(today);
	today[10] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_report_case c;

#define T(i) ((const char *)sqlite3_column_text(s, (i)))
		c.id = T(0);
		c.return_country = T(1);
		c.assigned_to = T(2);
		c.vulnerability = T(3);
		c.minor = hw_minor_on(T(16), sqlite3_column_int(s, 17), today);
		c.opened_at = T(5);
		c.stage = T(6) ? T(6) : "identified";
		c.decision = T(7);
		c.decision_date = T(8);
		c.departed_on = T(9);
		c.return_type = T(10);
		c.assistance = T(11);
		c.assistance_granted = sqlite3_column_int(s, 12);
		c.arrived_on = T(13);
		c.follow_up_on = T(14);
		c.closed_on = T(15);
#undef T
		if ((stop = cb(&c, payload)) != 0)
			break;
	}
	sqlite3_finalize(s);
	sqlite3_exec(store_db(st), "PRAGMA cache_size=-32768", NULL, NULL, NULL);
	if (rc == SQLITE_ROW)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading cases for a report");
}

int store_follow_ups(hw_store *st, int (*cb)(const store_follow_up *f, void *payload),
		     void *payload, hw_error *err)
{
	static const char sql[] =
		"SELECT instance_id, case_id, submitted_at, round, deprecated_id,"
		" economic, social, psychosocial, composite FROM follow_up_scores";
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading follow-up forms");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_follow_up f;
		int stop;

#define T(i) ((const char *)sqlite3_column_text(s, (i)))
		f.instance_id = T(0);
		f.case_id = T(1);
		f.submitted_at = T(2);
		f.round = T(3);
		f.deprecated_id = T(4);
		for (int d = 0; d < 4; d++)
			f.score[d] = T(5 + d);
#undef T
		if ((stop = cb(&f, payload)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading follow-up forms");
}

int store_report_rounds(hw_store *st, int (*cb)(const store_appointment *a, void *payload),
			void *payload, hw_error *err)
{
	/* The appointments table alone, in its order: no join, no sort. */
	static const char sql[] =
		"SELECT id, case_id, date, round, status FROM appointments"
		" WHERE round IS NOT NULL AND round <> ''";
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading the follow-up rounds");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_appointment a;
		int stop;

		memset(&a, 0, sizeof(a));
#define T(i) ((char *)sqlite3_column_text(s, (i)))
		a.id = T(0);
		a.case_id = T(1);
		a.date = T(2);
		a.round = T(3);
		a.status = T(4);
#undef T
		if (!a.status)
			a.status = "";
		if ((stop = cb(&a, payload)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading the follow-up rounds");
}
