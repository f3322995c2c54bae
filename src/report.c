/*
 * report.c: caseload and returns figures from the cases' rows and the case
 * work the fold derived (src/cases.c).  Reports never write: they work on a
 * workspace opened read-only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cases.h"
#include "event.h"
#include "report.h"
#include "util.h"

static const char *const caseload_columns[] = { "measure", "value", NULL };
static const char *const returns_columns[] = {
	"month", "country", "type_of_return", "assistance_kind", NULL
};

/* The measures of the caseload report, in the order they are listed. */
static const char *const measures[] = {
	"total", "stage", "assignee", "country", "vulnerability", "minors", NULL
};

void report_clear(report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t k = 0; k < r->nkeys; k++)
			free(r->rows[i].keys[k]);
		free(r->rows[i].keys);
	}
	free(r->rows);
	r->rows = NULL;
	r->nrows = 0;
}

int report_filter_check(const report_filter *f, hw_error *err)
{
	if (!f)
		return 0;
	if (f->from && !event_date_valid(f->from))
		return hw_error_set(err, HW_EINVALID, "--from \"%s\" is not a date (YYYY-MM-DD)", f->from);
	if (f->to && !event_date_valid(f->to))
		return hw_error_set(err, HW_EINVALID, "--to \"%s\" is not a date (YYYY-MM-DD)", f->to);
	if (f->from && f->to && strcmp(f->from, f->to) > 0)
		return hw_error_set(err, HW_EINVALID, "--from %s is after --to %s", f->from, f->to);
	if (f->country && (strlen(f->country) != 2 ||
			   !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", f->country[0]) ||
			   !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", f->country[1])))
		return hw_error_set(err, HW_EINVALID,
				    "--country \"%s\" is not a two-letter country code (ISO 3166, e.g. NG)",
				    f->country);
	return 0;
}

/* The value of a report.min_count text, or -1 when it is not 1 to 1000. */
static long min_count_value(const char *text)
{
	char *end = NULL;
	long n;

	if (!text || *text < '0' || *text > '9')
		return -1;
	n = strtol(text, &end, 10);
	return *end || n < 1 || n > 1000 ? -1 : n;
}

int report_min_count_check(const char *text)
{
	return min_count_value(text) < 0 ? HW_EINVALID : 0;
}

int report_min_count(hw_ws *ws, long *out)
{
	char *v = NULL;
	long n;
	int rc;

	*out = REPORT_MIN_COUNT_DEFAULT;
	rc = ws_get(ws, REPORT_MIN_COUNT, &v);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((n = min_count_value(v)) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "setting %s \"%s\" is not a whole number from 1 to 1000",
				  REPORT_MIN_COUNT, v);
	} else {
		*out = n;
	}
	free(v);
	return rc;
}

int report_count_hidden(const report *r, long count)
{
	return count > 0 && count < r->min_count;
}

const char *report_count_text(const report *r, long count, char buf[32])
{
	if (report_count_hidden(r, count))
		snprintf(buf, 32, "<%ld", r->min_count);
	else
		snprintf(buf, 32, "%ld", count);
	return buf;
}

/* Add n to the row with these keys, making it (count 0) when there is none. */
static int tally(report *r, const char *const *keys, long n, hw_error *err)
{
	report_row *row;
	size_t i, k;

	for (i = 0; i < r->nrows; i++) {
		for (k = 0; k < r->nkeys && !strcmp(r->rows[i].keys[k], keys[k] ? keys[k] : ""); k++)
			;
		if (k == r->nkeys) {
			r->rows[i].count += n;
			return 0;
		}
	}
	row = realloc(r->rows, (r->nrows + 1) * sizeof(*row));
	if (!row)
		return hw_error_set(err, HW_ERROR, "out of memory");
	r->rows = row;
	row = &r->rows[r->nrows];
	row->count = n;
	if (!(row->keys = calloc(r->nkeys, sizeof(char *))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	r->nrows++;
	for (k = 0; k < r->nkeys; k++)
		if (!(row->keys[k] = strdup(keys[k] ? keys[k] : "")))
			return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}

/* tally once for each word of a space-separated list; empty ("" key) when none. */
static int tally_words(report *r, const char *measure, const char *list, int none_too,
		       hw_error *err)
{
	const char *keys[2] = { measure, "" };
	char word[256];
	int rc, any = 0;

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len) {
			snprintf(word, sizeof(word), "%.*s", (int)(len < 255 ? len : 255), p);
			keys[1] = word;
			if ((rc = tally(r, keys, 1, err)) < 0)
				return rc;
			any = 1;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	keys[1] = "";
	return !any && none_too ? tally(r, keys, 1, err) : 0;
}

/* True if the space-separated list holds word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

typedef struct walk {
	hw_ws *ws;
	const report_filter *f;
	report *r;
	int rc;
} walk;

/* The case work of a case the filter's country and person keep (else 1). */
static int kept(walk *c, const store_case_row *row, store_case_work *w)
{
	const report_filter *f = c->f;
	int rc;

	if (f->country && (!row->return_country || strcasecmp(row->return_country, f->country)))
		return 1;
	if (f->assigned && !has_word(row->assigned_to, f->assigned))
		return 1;
	if ((rc = case_work_get(c->ws, row->id, w)) < 0) {
		c->rc = rc;
		return rc;
	}
	return 0;
}

static int caseload_case(const store_case_row *row, void *payload)
{
	walk *c = payload;
	const report_filter *f = c->f;
	const char *keys[2];
	store_case_work w;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((rc = kept(c, row, &w)) != 0)
		return rc < 0 ? rc : 0;
	/* Active in the period: opened by its end, not closed before its start. */
	if (f->to && row->opened_at && strncmp(row->opened_at, f->to, 10) > 0)
		goto done;
	if (f->from && w.stage && !strcmp(w.stage, "closed") && w.closed_on &&
	    strncmp(w.closed_on, f->from, 10) < 0)
		goto done;
	keys[0] = "total", keys[1] = "";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		goto done;
	keys[0] = "stage", keys[1] = w.stage ? w.stage : "identified";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0 ||
	    (rc = tally_words(c->r, "assignee", row->assigned_to, 1, ws_err(c->ws))) < 0)
		goto done;
	keys[0] = "country", keys[1] = row->return_country;
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0 ||
	    (rc = tally_words(c->r, "vulnerability", row->vulnerability, 0, ws_err(c->ws))) < 0)
		goto done;
	keys[0] = "minors";
	keys[1] = "all";
	if (row->minor && (rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		goto done;
	keys[1] = "unaccompanied";
	if (has_word(row->vulnerability, "unaccompanied_minor") &&
	    (rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		goto done;
done:
	store_case_work_clear(&w);
	if (rc < 0)
		c->rc = rc;
	return rc;
}

static size_t rank(const char *const *list, const char *word)
{
	size_t i;

	for (i = 0; list[i] && strcmp(list[i], word); i++)
		;
	return i;
}

/* Measures in their order; stages in theirs; other values by their text. */
static int caseload_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	size_t mx = rank(measures, x->keys[0]), my = rank(measures, y->keys[0]);

	if (mx != my)
		return mx < my ? -1 : 1;
	if (!strcmp(x->keys[0], "stage")) {
		mx = rank(case_stages, x->keys[1]);
		my = rank(case_stages, y->keys[1]);
		if (mx != my)
			return mx < my ? -1 : 1;
	}
	return strcmp(x->keys[1], y->keys[1]);
}

static int start(hw_ws *ws, const report_filter *f, report *out, const char *const *columns)
{
	int rc;

	report_clear(out);
	out->columns = columns;
	for (out->nkeys = 0; columns[out->nkeys]; out->nkeys++)
		;
	if ((rc = report_filter_check(f, ws_err(ws))) < 0)
		return rc;
	return report_min_count(ws, &out->min_count);
}

int report_caseload(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	store_case_query q = STORE_CASE_QUERY_INIT;
	walk c = { ws, f ? f : &all, out, 0 };
	const char *keys[2] = { "total", "" };
	int rc;

	if ((rc = start(ws, c.f, out, caseload_columns)) < 0)
		goto cleanup;
	/* Every stage is listed, also when no case is in it. */
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	keys[0] = "stage";
	for (size_t i = 0; case_stages[i]; i++) {
		keys[1] = case_stages[i];
		if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
			goto cleanup;
	}
	keys[0] = "minors";
	keys[1] = "all";
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	keys[1] = "unaccompanied";
	if ((rc = tally(out, keys, 0, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = case_query(ws, &q, caseload_case, &c)) < 0)
		goto cleanup;
	qsort(out->rows, out->nrows, sizeof(*out->rows), caseload_order);
cleanup:
	if (rc < 0)
		report_clear(out);
	return rc;
}

static int returns_case(const store_case_row *row, void *payload)
{
	walk *c = payload;
	const report_filter *f = c->f;
	const char *keys[4];
	char month[8];
	store_case_work w;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((rc = kept(c, row, &w)) != 0)
		return rc < 0 ? rc : 0;
	if (!w.departed_on || !w.return_type || strlen(w.departed_on) < 10 ||
	    (f->from && strncmp(w.departed_on, f->from, 10) < 0) ||
	    (f->to && strncmp(w.departed_on, f->to, 10) > 0))
		goto done;
	snprintf(month, sizeof(month), "%.7s", w.departed_on);
	keys[0] = month;
	keys[1] = row->return_country;
	keys[2] = w.return_type;
	keys[3] = "";
	if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
		goto done;
	if (!w.assistance_granted)
		goto done;
	for (const char *p = w.assistance; p && *p;) {
		size_t len = strcspn(p, " ");
		char kind[64];

		if (len && len < sizeof(kind)) {
			snprintf(kind, sizeof(kind), "%.*s", (int)len, p);
			keys[3] = kind;
			if ((rc = tally(c->r, keys, 1, ws_err(c->ws))) < 0)
				goto done;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
done:
	store_case_work_clear(&w);
	if (rc < 0)
		c->rc = rc;
	return rc;
}

static int returns_order(const void *a, const void *b)
{
	const report_row *x = a, *y = b;
	int d = 0;

	for (size_t k = 0; k < 4 && !d; k++)
		d = strcmp(x->keys[k], y->keys[k]);
	return d;
}

int report_returns(hw_ws *ws, const report_filter *f, report *out)
{
	static const report_filter all = REPORT_FILTER_INIT;
	store_case_query q = STORE_CASE_QUERY_INIT;
	walk c = { ws, f ? f : &all, out, 0 };
	int rc;

	if ((rc = start(ws, c.f, out, returns_columns)) < 0)
		goto cleanup;
	if ((rc = case_query(ws, &q, returns_case, &c)) < 0)
		goto cleanup;
	qsort(out->rows, out->nrows, sizeof(*out->rows), returns_order);
cleanup:
	if (rc < 0)
		report_clear(out);
	return rc;
}
