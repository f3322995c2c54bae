/*
 * export.h: data leaving the system (docs/reports.md).  The core gives the
 * rows; front ends write them as CSV or JSON.  Every export is recorded in
 * the workspace's audit log before its data is written anywhere: what, how
 * many, when and who, never any of the content.
 */
#ifndef HW_EXPORT_H
#define HW_EXPORT_H

#include <stddef.h>

#include "workspace.h"

/* The columns of `export cases`, in order (NULL-terminated). */
extern const char *const export_case_columns[];

/*
 * Call cb with each case, oldest first by opening time: values holds one
 * string per column of export_case_columns (borrowed, "" for none).  A
 * non-zero return from cb stops the walk and is returned.
 */
int export_cases_each(hw_ws *ws, int (*cb)(const char *const *values, void *payload),
		      void *payload);

/*
 * The audit log: the file "audit.log" in the workspace (0600), one line an
 * export, appended and synced to disk.  It is not a case: it never appears
 * in case lists, reports on cases or exports of cases.
 */
typedef struct audit_entry {
	const char *at;       /* UTC time, 2026-11-29T10:00:00Z */
	const char *device;   /* the device id of the workspace */
	const char *person;   /* the counsellor's name */
	const char *what;     /* "export cases", ... */
	const char *format;   /* csv, json */
	long count;           /* how many records left */
} audit_entry;

/*
 * Append an entry (at, device and person come from the clock and the
 * workspace).  Tabs, line breaks and other control characters in the
 * values are written as spaces: one entry is always one line.
 */
int audit_record(hw_ws *ws, const char *what, const char *format, long count);

/*
 * Call cb with each entry, oldest first (borrowed).  Lines that are not
 * entries (a damaged or edited file) are skipped and counted in *skipped
 * (may be NULL).  No log yet is no entries.
 */
int audit_each(hw_ws *ws, int (*cb)(const audit_entry *e, void *payload), void *payload,
	       size_t *skipped);

/* --- exports written by the core ------------------------------------------ */

enum export_format { EXPORT_CSV = 1, EXPORT_JSON, EXPORT_XLSX };

typedef struct export_options {
	int format;            /* enum export_format */
	const char *out;       /* the file, written whole or not at all (0600); NULL: out_fd */
	int out_fd;            /* where the export goes without out (standard output) */
	const char *tmpdir;    /* for tables waiting to be zipped or a workbook going to
				  out_fd; NULL: the folder of out */
	const char *version;   /* export submissions: only this form version; NULL: all */
	const char *labels;    /* export submissions: select answers as labels in this
				  language; NULL: as values */
} export_options;

#define EXPORT_OPTIONS_INIT { EXPORT_CSV, NULL, 1, NULL, NULL, NULL }

typedef struct export_result {
	long count;            /* records written (submissions, cases) */
	long unreadable;       /* submissions left out: their XML did not read */
	long repeat_rows;      /* rows of the repeat tables */
	int zipped;            /* CSV written as a zip of one file a table */
	long cut;              /* XLSX cells cut to a spreadsheet cell's 32,767 characters */
} export_result;

/* The fixed columns of `export submissions` before the questions, and after them. */
extern const char *const export_submission_meta[];

/*
 * `export submissions`: every submission of the installed form form_id
 * (docs/exports.md), in o->format: CSV (a zip of one CSV a table when the
 * form has repeats), JSON (repeats nested), XLSX (one sheet a table).  The
 * export is recorded in the audit log before anything is written.  A
 * submission whose XML does not read is left out and counted in
 * r->unreadable.  HW_ENOTFOUND when the form is not installed.
 */
int export_submissions(hw_ws *ws, const char *form_id, const export_options *o,
		       export_result *r);

/*
 * `export riat`: one CSV row a case with the fields of the map file (the
 * reintegration assistance tool's key moments as Homeward reads them,
 * docs/exports.md), to o->out.  A map naming a column or a form that does
 * not exist is HW_EINVALID naming its line.
 */
int export_riat(hw_ws *ws, const char *map, const export_options *o, export_result *r);

/* `export cases --format xlsx`: the columns of export_case_columns, one sheet. */
int export_cases_xlsx(hw_ws *ws, const export_options *o, export_result *r);

#endif
