/*
 * export.c: the rows of `export cases` and the workspace's audit log of
 * exports.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "export.h"
#include "util.h"

const char *const export_case_columns[] = {
	"id", "given_name", "family_name", "birth_date", "birth_year", "sex",
	"nationality", "return_country", "language", "vulnerability", "minor",
	"assigned_to", "opened_at", "updated_at", "conflicts",
	"stage", "decision", "decision_date", "departure_planned", "departed_on",
	"return_type", "assistance_granted", "assistance", "arrived_on",
	"follow_up_on", "follow_up_round", "closed_on", "close_reason", "reopened_on",
	NULL
};

#define NCOLS (sizeof(export_case_columns) / sizeof(export_case_columns[0]) - 1)

typedef struct collect {
	hw_ws *ws;
	char **rows;     /* NCOLS strings a case, one after another */
	size_t n, cap;
} collect;

static char *num(long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return strdup(buf);
}

static int collect_case(const store_case_row *r, void *payload)
{
	collect *c = payload;
	store_case_work w;
	char **v;
	int rc;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		char **p = realloc(c->rows, cap * NCOLS * sizeof(char *));

		if (!p)
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		c->rows = p;
		c->cap = cap;
	}
	memset(&w, 0, sizeof(w));
	if ((rc = case_work_get(c->ws, r->id, &w)) < 0)
		return rc;
	v = &c->rows[c->n * NCOLS];
	{
		const char *s[NCOLS] = {
			r->id, r->given_name, r->family_name, r->birth_date, NULL, r->sex,
			r->nationality, r->return_country, r->language, r->vulnerability,
			r->minor ? "true" : "false", r->assigned_to, r->opened_at, r->updated_at,
			NULL, w.stage, w.decision, w.decision_date, w.departure_planned,
			w.departed_on, w.return_type,
			w.departed_on ? (w.assistance_granted ? "true" : "false") : NULL,
			w.assistance, w.arrived_on, w.follow_up_on, w.follow_up_round,
			w.closed_on, w.close_reason, w.reopened_on,
		};

		rc = 0;
		for (size_t k = 0; k < NCOLS; k++) {
			if (k == 4)
				v[k] = r->birth_year ? num(r->birth_year) : strdup("");
			else if (k == 14)
				v[k] = num(r->conflicts);
			else
				v[k] = strdup(s[k] ? s[k] : "");
			if (!v[k])
				rc = HW_ERROR;
		}
	}
	c->n++;   /* even half made: the cleanup frees what is there */
	store_case_work_clear(&w);
	return rc < 0 ? hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory") : 0;
}

/* Oldest first by opening time, then by id. */
static int by_opening(const void *a, const void *b)
{
	char *const *x = a, *const *y = b;
	int d = strcmp(x[12], y[12]);

	return d ? d : strcmp(x[0], y[0]);
}

int export_cases_each(hw_ws *ws, int (*cb)(const char *const *values, void *payload),
		      void *payload)
{
	store_case_query q = STORE_CASE_QUERY_INIT;
	collect c = { ws, NULL, 0, 0 };
	char **sorted = NULL;
	int rc;

	if ((rc = case_query(ws, &q, collect_case, &c)) < 0)
		goto cleanup;
	/* Sort pointers to each case's first column, then walk them. */
	if (c.n && !(sorted = malloc(c.n * NCOLS * sizeof(char *)))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (c.n) {
		memcpy(sorted, c.rows, c.n * NCOLS * sizeof(char *));
		qsort(sorted, c.n, NCOLS * sizeof(char *), by_opening);
	}
	for (size_t i = 0; i < c.n; i++)
		if ((rc = cb((const char *const *)&sorted[i * NCOLS], payload)) != 0)
			goto cleanup;
cleanup:
	for (size_t i = 0; i < c.n * NCOLS; i++)
		free(c.rows[i]);
	free(c.rows);
	free(sorted);
	return rc;
}

/* --- the audit log ---------------------------------------------------------- */

#define AUDIT_FILE "audit.log"
#define AUDIT_FIELDS 6
/* A longer line is not one this program wrote. */
#define AUDIT_LINE_MAX 4096

/* s with tabs, line breaks and other control characters as spaces. */
static void put_field(hw_buf *b, const char *s)
{
	for (; s && *s; s++)
		hw_buf_add(b, (unsigned char)*s < 0x20 || *s == 0x7f ? " " : s, 1);
}

int audit_record(hw_ws *ws, const char *what, const char *format, long count)
{
	char at[HW_TIME_LEN + 1], *path = hw_path_join(ws_dir(ws), AUDIT_FILE);
	hw_buf b = HW_BUF_INIT;
	int fd = -1, rc = 0, e;
	size_t done = 0;

	if (!path)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	hw_now_iso(at);
	hw_buf_puts(&b, at);
	hw_buf_puts(&b, "\t");
	put_field(&b, ws_device_id(ws));
	hw_buf_puts(&b, "\t");
	put_field(&b, ws_author(ws));
	hw_buf_puts(&b, "\t");
	put_field(&b, what);
	hw_buf_puts(&b, "\t");
	put_field(&b, format);
	hw_buf_printf(&b, "\t%ld\n", count);
	if ((rc = hw_buf_check(&b, ws_err(ws))) < 0)
		goto cleanup;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto io_error;
	while (done < b.len) {
		ssize_t n = write(fd, b.ptr + done, b.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_error;
		done += (size_t)n;
	}
	if (fsync(fd) < 0)
		goto io_error;
	goto cleanup;
io_error:
	e = errno;
	rc = hw_error_set(ws_err(ws), e == ENOSPC ? HW_ENOSPACE : HW_ERROR,
			  "cannot record the export in %s: %s", path, strerror(e));
	/* Half a line would join the next entry: take it back. */
	if (fd >= 0 && done > 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && st.st_size >= (off_t)done &&
		    ftruncate(fd, st.st_size - (off_t)done) < 0)
			rc = hw_error_set(ws_err(ws), HW_ERROR, "cannot record the export in %s: %s",
					  path, strerror(errno));
	}
cleanup:
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = hw_error_set(ws_err(ws), HW_ERROR, "cannot record the export in %s: %s",
				  path, strerror(errno));
	hw_buf_free(&b);
	free(path);
	return rc;
}

/* Split line (NUL-terminated, no newline) at tabs into f; 0 if it is an entry. */
static int audit_parse(char *line, audit_entry *out)
{
	char *f[AUDIT_FIELDS], *end;
	size_t k = 0;

	for (char *p = line; k < AUDIT_FIELDS; k++) {
		f[k] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
		if (k == AUDIT_FIELDS - 1)
			return -1;   /* too many fields */
	}
	if (k != AUDIT_FIELDS - 1)
		return -1;
	for (k = 0; k < AUDIT_FIELDS; k++)
		if (hw_text_problem(f[k]))
			return -1;
	if (strlen(f[0]) != HW_TIME_LEN || !*f[3] || f[5][0] < '0' || f[5][0] > '9')
		return -1;
	errno = 0;
	out->count = strtol(f[5], &end, 10);
	if (*end || errno || out->count < 0)
		return -1;
	out->at = f[0];
	out->device = f[1];
	out->person = f[2];
	out->what = f[3];
	out->format = f[4];
	return 0;
}

int audit_each(hw_ws *ws, int (*cb)(const audit_entry *e, void *payload), void *payload,
	       size_t *skipped)
{
	char *path = hw_path_join(ws_dir(ws), AUDIT_FILE), *data = NULL, *line, *next;
	size_t len = 0, bad = 0;
	audit_entry e;
	int rc = 0;

	if (!path)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	if (!hw_exists(path))
		goto cleanup;
	if ((rc = hw_read_file(path, &data, &len, ws_err(ws))) < 0)
		goto cleanup;
	for (line = data; line < data + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(data + len - line));

		next = nl ? nl + 1 : data + len;
		if (nl)
			*nl = '\0';
		else
			line[data + len - line] = '\0';   /* hw_read_file leaves room for it */
		if (next - line > AUDIT_LINE_MAX || memchr(line, '\0', (size_t)(next - line - (nl != NULL))) ||
		    audit_parse(line, &e) < 0) {
			bad++;
			continue;
		}
		if ((rc = cb(&e, payload)) != 0)
			goto cleanup;
	}
cleanup:
	if (skipped)
		*skipped = bad;
	free(data);
	free(path);
	return rc;
}
