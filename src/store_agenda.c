/*
 * store_agenda.c: the appointments and family links of cases in the
 * database (docs/agenda.md): written by the fold with the rest of the case
 * work, read by the agenda, the case screen and `case list --family`.
 */
#include "config.h"
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void store_appointment_clear(store_appointment *a)
{
	if (!a)
		return;
	free(a->id); free(a->case_id); free(a->date); free(a->time); free(a->channel);
	free(a->place); free(a->assigned); free(a->purpose); free(a->round); free(a->form);
	free(a->status); free(a->status_date); free(a->status_note); free(a->status_by);
	free(a->set_at); free(a->set_by); free(a->given_name); free(a->family_name);
	memset(a, 0, sizeof(*a));
}

/* Run a cached statement bound to case_id only. */
static int exec_case(hw_store *st, const char *sql, const char *case_id, hw_error *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	store_bind_text(s, 1, case_id);
	return store_step_done(st, s, err, "saving case work");
}

int store_agenda_work_put(hw_store *st, const char *case_id, const store_case_work *w,
			  hw_error *err)
{
	static const char del_appointments[] = "DELETE FROM appointments WHERE case_id = ?";
	static const char del_family[] = "DELETE FROM case_family WHERE case_id = ?";
	static const char ins_appointment[] =
		"INSERT OR REPLACE INTO appointments (id, case_id, seq, date, time, channel, place, "
		"assigned, purpose, round, form, status, status_date, status_note, status_by, set_at, "
		"set_by, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char ins_family[] =
		"INSERT OR REPLACE INTO case_family (case_id, member, seq, relation, since, linked_by, "
		"note) VALUES (?, ?, ?, ?, ?, ?, ?)";
	int open = !w->stage || strcmp(w->stage, "closed") != 0;
	sqlite3_stmt *s;
	int rc;

	if ((rc = exec_case(st, del_appointments, case_id, err)) < 0 ||
	    (rc = exec_case(st, del_family, case_id, err)) < 0)
		return rc;
	for (size_t i = 0; i < w->nappointments; i++) {
		const store_appointment *a = &w->appointments[i];

		if (!(s = store_stmt(st, ins_appointment, err)))
			return err ? err->code : HW_ERROR;
		store_bind_text(s, 1, a->id);
		store_bind_text(s, 2, case_id);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
		store_bind_text(s, 4, a->date);
		store_bind_text(s, 5, a->time);
		store_bind_text(s, 6, a->channel ? a->channel : "in_person");
		store_bind_text(s, 7, a->place);
		store_bind_text(s, 8, a->assigned);
		store_bind_text(s, 9, a->purpose);
		store_bind_text(s, 10, a->round);
		store_bind_text(s, 11, a->form);
		store_bind_text(s, 12, a->status ? a->status : "planned");
		store_bind_text(s, 13, a->status_date);
		store_bind_text(s, 14, a->status_note);
		store_bind_text(s, 15, a->status_by);
		store_bind_text(s, 16, a->set_at);
		store_bind_text(s, 17, a->set_by);
		sqlite3_bind_int(s, 18, open && (!a->status || !strcmp(a->status, "planned")));
		if ((rc = store_step_done(st, s, err, "saving case work")) < 0)
			return rc;
	}
	for (size_t i = 0; i < w->nfamily; i++) {
		const store_family_link *f = &w->family[i];

		if (!(s = store_stmt(st, ins_family, err)))
			return err ? err->code : HW_ERROR;
		store_bind_text(s, 1, case_id);
		store_bind_text(s, 2, f->member);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
		store_bind_text(s, 4, f->relation);
		store_bind_text(s, 5, f->since);
		store_bind_text(s, 6, f->linked_by);
		store_bind_text(s, 7, f->note);
		if ((rc = store_step_done(st, s, err, "saving case work")) < 0)
			return rc;
	}
	return 0;
}

#define APPOINTMENT_COLUMNS "a.id, a.case_id, a.date, a.time, a.channel, a.place, a.assigned, " \
	"a.purpose, a.round, a.form, a.status, a.status_date, a.status_note, a.status_by, a.set_at, " \
	"a.set_by"

/* Fill a from a row of APPOINTMENT_COLUMNS (and the case's names when names); new strings. */
static int appointment_from_row(sqlite3_stmt *s, store_appointment *a, int names)
{
	char **slots[] = { &a->id, &a->case_id, &a->date, &a->time, &a->channel, &a->place,
			   &a->assigned, &a->purpose, &a->round, &a->form, &a->status,
			   &a->status_date, &a->status_note, &a->status_by, &a->set_at, &a->set_by,
			   &a->given_name, &a->family_name };
	int n = names ? 18 : 16;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < n; i++) {
		if (sqlite3_column_type(s, i) == SQLITE_NULL)
			continue;
		if (!(*slots[i] = store_col_dup(s, i))) {
			store_appointment_clear(a);
			return HW_ERROR;
		}
	}
	return 0;
}

/* Append a zeroed element to a growable array (NULL when out of memory). */
static void *grow(void **arr, size_t *n, size_t size)
{
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

int store_agenda_work_get(hw_store *st, const char *case_id, store_case_work *w, hw_error *err)
{
	static const char sel_appointments[] =
		"SELECT " APPOINTMENT_COLUMNS " FROM appointments a WHERE a.case_id = ? ORDER BY a.seq";
	static const char sel_family[] =
		"SELECT member, relation, since, linked_by, note FROM case_family WHERE case_id = ? "
		"ORDER BY seq";
	sqlite3_stmt *s;
	int rc;

	if (!(s = store_stmt(st, sel_appointments, err)))
		return err ? err->code : HW_ERROR;
	store_bind_text(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_appointment *a = grow((void **)&w->appointments, &w->nappointments, sizeof(*a));

		if (!a || appointment_from_row(s, a, 0) < 0) {
			sqlite3_reset(s);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_db_fail(st, err, rc, "reading case work");
	if (!(s = store_stmt(st, sel_family, err)))
		return err ? err->code : HW_ERROR;
	store_bind_text(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_family_link *f = grow((void **)&w->family, &w->nfamily, sizeof(*f));

		if (!f) {
			sqlite3_reset(s);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		f->member = store_col_dup(s, 0);
		f->relation = store_col_dup(s, 1);
		f->since = store_col_dup(s, 2);
		f->linked_by = store_col_dup(s, 3);
		f->note = store_col_dup(s, 4);
		if (!f->member || !f->relation) {
			sqlite3_reset(s);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading case work");
}

/*
 * The WHERE clause of q and its parameters, in order.  Each bound is written
 * as a range on the indexed columns (rather than "?1 IS NULL OR ..."), so
 * that SQLite walks the index from the first row the page needs.
 */
static void agenda_where(const store_agenda_query *q, hw_buf *b, const char **args, int *nargs)
{
	*nargs = 0;
	hw_buf_puts(b, q->all ? " WHERE 1" : " WHERE a.due = 1");
	if (q->assigned) {
		hw_buf_puts(b, " AND a.assigned = ?");
		args[(*nargs)++] = q->assigned;
	}
	if (q->case_id) {
		hw_buf_puts(b, " AND a.case_id = ?");
		args[(*nargs)++] = q->case_id;
	}
	if (q->from) {
		hw_buf_puts(b, " AND a.date >= ?");
		args[(*nargs)++] = q->from;
	}
	if (q->to) {
		hw_buf_puts(b, " AND a.date <= ?");
		args[(*nargs)++] = q->to;
	}
	if (q->before) {
		hw_buf_puts(b, " AND a.date < ?");
		args[(*nargs)++] = q->before;
	}
}

/* Prepare the query text of b with its arguments bound. */
static int agenda_prepare(hw_store *st, hw_buf *b, const char **args, int nargs,
			  sqlite3_stmt **out, hw_error *err)
{
	int rc;

	*out = NULL;
	if (hw_buf_oom(b))
		return hw_error_set(err, HW_ERROR, "out of memory");
	rc = sqlite3_prepare_v2(store_db(st), b->ptr, -1, out, NULL);
	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading the agenda");
	for (int i = 0; i < nargs; i++)
		store_bind_text(*out, i + 1, args[i]);
	return 0;
}

int store_agenda_each(hw_store *st, const store_agenda_query *q,
		      int (*cb)(const store_appointment *a, void *payload), void *payload,
		      hw_error *err)
{
	hw_buf b = HW_BUF_INIT;
	const char *args[8];
	sqlite3_stmt *s = NULL;
	int rc, nargs;

	hw_buf_puts(&b, "SELECT " APPOINTMENT_COLUMNS ", c.given_name, c.family_name "
		    "FROM appointments a");
	/*
	 * By assignee, the planner would rather filter by the due index and
	 * sort everything; the assignee index gives the order, so a first page
	 * stops after a page.
	 */
	if (q->by_assignee)
		hw_buf_puts(&b, q->all || q->assigned ? " INDEXED BY appointments_assigned"
						      : " INDEXED BY appointments_due_assigned");
	hw_buf_puts(&b, " LEFT JOIN cases c ON c.id = a.case_id");
	agenda_where(q, &b, args, &nargs);
	/* Orders an index gives (appointments_due, appointments_assigned): no sort of the whole table. */
	if (q->by_assignee)
		hw_buf_puts(&b, " ORDER BY a.assigned, a.date, a.time, a.id");
	else
		hw_buf_puts(&b, " ORDER BY a.date, a.time, a.id");
	if (q->limit > 0)
		hw_buf_printf(&b, " LIMIT %d OFFSET %d", q->limit, q->offset > 0 ? q->offset : 0);
	if ((rc = agenda_prepare(st, &b, args, nargs, &s, err)) < 0)
		goto cleanup;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_appointment a;

		if (appointment_from_row(s, &a, 1) < 0) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		rc = cb(&a, payload);
		store_appointment_clear(&a);
		if (rc != 0)
			goto cleanup;
	}
	rc = rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading the agenda");
cleanup:
	sqlite3_finalize(s);
	hw_buf_free(&b);
	return rc;
}

int store_agenda_count(hw_store *st, const store_agenda_query *q, long *out, hw_error *err)
{
	hw_buf b = HW_BUF_INIT;
	const char *args[8];
	sqlite3_stmt *s = NULL;
	int rc, nargs;

	*out = 0;
	/* With a limit, count no further: a count walks every index entry it counts. */
	hw_buf_puts(&b, q->limit > 0 ? "SELECT count(*) FROM (SELECT 1 FROM appointments a"
				     : "SELECT count(*) FROM appointments a");
	agenda_where(q, &b, args, &nargs);
	if (q->limit > 0)
		hw_buf_printf(&b, " LIMIT %d)", q->limit);
	if ((rc = agenda_prepare(st, &b, args, nargs, &s, err)) < 0)
		goto cleanup;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_db_fail(st, err, rc, "counting the agenda");
	}
cleanup:
	sqlite3_finalize(s);
	hw_buf_free(&b);
	return rc;
}

int store_appointment_find(hw_store *st, const char *prefix, store_appointment *out, hw_error *err)
{
	static const char sql[] = "SELECT " APPOINTMENT_COLUMNS ", c.given_name, c.family_name "
				  "FROM appointments a LEFT JOIN cases c ON c.id = a.case_id "
				  "WHERE a.id >= ?1 AND a.id < ?1 || 'g' ORDER BY a.id LIMIT 2";
	sqlite3_stmt *s;
	int rc, n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(prefix) < 4 || strlen(prefix) > HW_UUID_LEN ||
	    strspn(prefix, "0123456789abcdef-") != strlen(prefix))
		return hw_error_set(err, HW_ENOTFOUND, "no appointment %.40s", prefix);
	if (!(s = store_stmt(st, sql, err)))
		return err ? err->code : HW_ERROR;
	store_bind_text(s, 1, prefix);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0 && appointment_from_row(s, out, 1) < 0) {
			sqlite3_reset(s);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_appointment_clear(out);
		return store_db_fail(st, err, rc, "reading an appointment");
	}
	if (n == 0)
		return hw_error_set(err, HW_ENOTFOUND, "no appointment %s", prefix);
	if (n > 1) {
		store_appointment_clear(out);
		return hw_error_set(err, HW_EINVALID, "appointment id %s is ambiguous", prefix);
	}
	return 0;
}

int store_family_members(hw_store *st, const char *case_id,
			 int (*cb)(const char *member, const char *relation, void *payload),
			 void *payload, hw_error *err)
{
	/*
	 * Both sides: a link is recorded on each member's case, but a device
	 * may hold only one side for a while (the other case's event not yet
	 * received).
	 */
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(store_db(st),
		"SELECT member, relation FROM case_family WHERE case_id = ?1 "
		"UNION SELECT case_id, NULL FROM case_family WHERE member = ?1 "
		"AND case_id NOT IN (SELECT member FROM case_family WHERE case_id = ?1)", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_db_fail(st, err, rc, "reading family links");
	store_bind_text(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop = cb((const char *)sqlite3_column_text(s, 0),
			      (const char *)sqlite3_column_text(s, 1), payload);

		if (stop) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_db_fail(st, err, rc, "reading family links");
}
