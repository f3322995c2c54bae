/*
 * csv.h: comma-separated tables as the forms' data files use them (RFC
 * 4180): a header row of column names, then one record a row; a field that
 * holds a comma, a double quote or a line break is quoted, a quote inside it
 * doubled.  Used for the assistance inventory and its translations; the form
 * engine reads CSV instances with its own loader.
 */
#ifndef HW_CSV_H
#define HW_CSV_H

#include <stddef.h>

#include "error.h"

/* A table: every row has exactly ncols fields. */
typedef struct hw_csv {
	char **head;     /* column names, ncols of them */
	size_t ncols;
	char ***rows;    /* rows[r][c]; owned */
	int *lines;      /* the line each row starts on in the source, 0 if built */
	size_t nrows;
} hw_csv;

/*
 * Parse CSV text of len bytes; name is used in messages ("assistance.csv:12:
 * ...").  A UTF-8 byte order mark is skipped, CRLF is accepted, and empty
 * lines are skipped.  HW_EINVALID for an unterminated quote, text after a
 * closing quote, a row with more fields than the header, an empty or
 * duplicate column name, or a NUL byte.  Rows with fewer fields are padded
 * with "".  Caller frees *out with hw_csv_free.
 */
int hw_csv_parse(hw_csv **out, const char *name, const char *data, size_t len, hw_error *err);

/* Read and parse the file at path (messages name its last component). */
int hw_csv_load(hw_csv **out, const char *path, hw_error *err);

/* Free a table; NULL is fine. */
void hw_csv_free(hw_csv *t);

/* The index of column name, or -1. */
int hw_csv_col(const hw_csv *t, const char *name);

/* The field of row r in column c; "" when c is negative; borrowed. */
const char *hw_csv_get(const hw_csv *t, size_t r, int c);

/*
 * Append a column (name must be new) holding values[r] for each row (copied;
 * values may be NULL for an empty column).  HW_EEXISTS if the name is taken.
 */
int hw_csv_add_column(hw_csv *t, const char *name, const char *const *values, hw_error *err);

/* Serialise as CSV text, quoting only where needed, "\n" line ends (caller frees). */
int hw_csv_write(char **out, const hw_csv *t, hw_error *err);

#endif
