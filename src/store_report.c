/*
 * store_report.c: what reports read from the database in one pass
 * (src/report.c): every case with its case work, and the events of a type.
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
	int rc = sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading cases for a report");
	/* A minor against today, as every read of a case counts it (store.c). */
	hw_now_iso(today);
	today[10] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_report_case c;
		int stop;

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
		if ((stop = cb(&c, payload)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading cases for a report");
}

int store_events_of_type(hw_store *st, const char *type,
			 int (*cb)(const char *case_id, const char *json, void *payload),
			 void *payload, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st), "SELECT case_id, json FROM events WHERE type = ? ORDER BY seq",
				    -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading events");
	store_bind_text(s, 1, type);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop = cb((const char *)sqlite3_column_text(s, 0),
			      (const char *)sqlite3_column_text(s, 1), payload);

		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading events");
}
