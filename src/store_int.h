/*
 * store_int.h: what the store's own files share (src/store*.c): the cached
 * statements, binding and reading columns, transactions that join the
 * caller's, and SQLite codes turned into ours.  Private to the store: the
 * rest of the program reaches the database through store.h.
 */
#ifndef HW_STORE_INT_H
#define HW_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* A cached prepared statement for a static SQL string (compared by address), reset and unbound. */
sqlite3_stmt *store_stmt(hw_store *st, const char *sql, hw_error *err);

/* Bind text, or NULL when v is NULL. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);

/* A copy of column i, NULL for SQL NULL. */
char *store_col_dup(sqlite3_stmt *s, int i);

/* Run a statement that returns no rows; 0 or a code naming what. */
int store_step_done(hw_store *st, sqlite3_stmt *s, hw_error *err, const char *what);

/* An SQLite result code as ours (busy, full disk, damaged), its message into err. */
int store_db_fail(hw_store *st, hw_error *err, int src, const char *what);

/* Begin a transaction, joining the caller's; end it (commit or roll back by rc). */
int store_tx_begin(hw_store *st, int *own, hw_error *err);
int store_tx_end(hw_store *st, int own, int rc, hw_error *err);

/* The connection (borrowed). */
sqlite3 *store_db(hw_store *st);

/* The appointments and family links of a case (src/store_agenda.c), for store_case_work_put/get. */
int store_agenda_work_put(hw_store *st, const char *case_id, const store_case_work *w,
			  hw_error *err);
int store_agenda_work_get(hw_store *st, const char *case_id, store_case_work *w, hw_error *err);

#endif
