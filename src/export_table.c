/*
 * export_table.c: exports written by the core (docs/exports.md): a form's
 * submissions as CSV (a zip of tables when the form has repeats), JSON or
 * XLSX, and the cases as XLSX.  Everything is streamed: one submission is
 * in memory at a time, tables waiting to be zipped wait in unlinked
 * temporary files, and a workbook's rows go to disk as they are added.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "export.h"
#include "forms.h"
#include "store.h"
#include "util.h"
#include "xform/xform.h"
#include "xlsx.h"
#include "zip.h"

const char *const export_submission_meta[] = {
	"instance_id", "case_id", "submitted_at", "author", "device", NULL
};
#define NMETA 5

/* --- buffered output to a file descriptor --------------------------------- */

typedef struct wbuf {
	int fd;
	char buf[65536];
	size_t len;
	int err;               /* errno of the first failure, sticky */
	unsigned long long total;
} wbuf;

static void wb_flush(wbuf *w)
{
	size_t done = 0;

	while (!w->err && done < w->len) {
		ssize_t n = write(w->fd, w->buf + done, w->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			w->err = errno;
		else
			done += (size_t)n;
	}
	w->len = 0;
}

static void wb_add(wbuf *w, const char *s, size_t len)
{
	w->total += len;
	while (len && !w->err) {
		size_t room = sizeof(w->buf) - w->len, k = len < room ? len : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		len -= k;
		if (w->len == sizeof(w->buf))
			wb_flush(w);
	}
}

static void wb_puts(wbuf *w, const char *s)
{
	wb_add(w, s, strlen(s));
}

/* One CSV cell (RFC 4180); a cell that a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) gets a leading ' so it
 * stays text: values come from other devices (docs/reports.md). */
static void csv_cell(wbuf *w, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		wb_add(w, "\"", 1);
	if (*s && strchr("=+-@\t\r", *s))
		wb_add(w, "'", 1);
	for (const char *p = s; *p;) {
		size_t k = strcspn(p, "\"");

		wb_add(w, p, k);
		p += k;
		if (*p == '"') {
			wb_add(w, "\"\"", 2);
			p++;
		}
	}
	if (quote)
		wb_add(w, "\"", 1);
}

static void csv_row(wbuf *w, const char *const *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (k)
			wb_add(w, ",", 1);
		csv_cell(w, v[k] ? v[k] : "");
	}
	wb_add(w, "\r\n", 2);
}

static void json_str(wbuf *w, const char *s)
{
	char esc[8];

	wb_add(w, "\"", 1);
	for (const char *p = s; *p;) {
		size_t k = 0;

		while (p[k] && p[k] != '"' && p[k] != '\\' && (unsigned char)p[k] >= 0x20 && p[k] != 0x7f)
			k++;
		wb_add(w, p, k);
		p += k;
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*p);
		wb_puts(w, esc);
		p++;
	}
	wb_add(w, "\"", 1);
}

/* --- the destination: a file written whole or not at all, or a descriptor -- */

typedef struct dest {
	const char *out;       /* the file asked for, or NULL */
	char *tmp;             /* the temporary file beside it */
	int fd;
	int own;               /* fd is ours to close */
} dest;

static int io_fail(hw_ws *ws, int e, const char *what, const char *path)
{
	return hw_error_set(ws_err(ws), e == ENOSPC ? HW_ENOSPACE : HW_ERROR, "%s %s: %s", what,
			    path ? path : "the output", strerror(e));
}

/* A new private temporary file named after base ("<base>.XXXXXX") in *path. */
static int temp_file(hw_ws *ws, const char *base, char **path, int *fd)
{
	size_t len = strlen(base) + 8;

	*fd = -1;
	if (!(*path = malloc(len)))
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	snprintf(*path, len, "%s.XXXXXX", base);
	if ((*fd = mkstemp(*path)) < 0) {
		int e = errno;

		free(*path);
		*path = NULL;
		return io_fail(ws, e, "cannot write", base);
	}
	fchmod(*fd, 0600);
	return 0;
}

/* An unlinked temporary file in dir (for a table waiting to be zipped). */
static int anon_file(hw_ws *ws, const char *dir, int *fd)
{
	char *base = hw_path_join(dir, "homeward-export"), *path = NULL;
	int rc;

	if (!base)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	if ((rc = temp_file(ws, base, &path, fd)) == 0)
		unlink(path);
	free(path);
	free(base);
	return rc;
}

static int dest_open(hw_ws *ws, const export_options *o, dest *d)
{
	memset(d, 0, sizeof(*d));
	d->fd = o->out_fd;
	d->out = o->out;
	if (!o->out)
		return 0;
	d->own = 1;
	return temp_file(ws, o->out, &d->tmp, &d->fd);
}

/* Put the file in place (fsync, rename, fsync of the folder). */
static int dest_commit(hw_ws *ws, dest *d)
{
	char *dir;
	int dfd, rc = 0;

	if (!d->out)
		return 0;
	if (fsync(d->fd) < 0 || close(d->fd) < 0) {
		d->fd = -1;
		return io_fail(ws, errno, "cannot write", d->out);
	}
	d->fd = -1;
	if (rename(d->tmp, d->out) < 0)
		return io_fail(ws, errno, "cannot write", d->out);
	free(d->tmp);
	d->tmp = NULL;
	if ((dir = strdup(d->out))) {
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			if (fsync(dfd) < 0)
				rc = io_fail(ws, errno, "cannot write", d->out);
			close(dfd);
		}
		free(dir);
	}
	return rc;
}

/* Remove what was half written (nothing when it was committed). */
static void dest_abort(dest *d)
{
	if (d->own && d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->tmp)
		unlink(d->tmp);
	free(d->tmp);
	d->tmp = NULL;
}

/* The folder of o->out, or o->tmpdir. */
static char *work_dir(const export_options *o)
{
	char *dir, *copy;

	if (o->tmpdir || !o->out)
		return strdup(o->tmpdir ? o->tmpdir : "/tmp");
	if (!(copy = strdup(o->out)))
		return NULL;
	dir = strdup(dirname(copy));
	free(copy);
	return dir;
}

/* --- export submissions ---------------------------------------------------- */

typedef struct sub_export {
	hw_ws *ws;
	const export_options *o;
	export_result *r;
	xform_tables *tabs;
	size_t ntab;
	const char *form_id;
	wbuf **w;              /* CSV: one writer a table; JSON: w[0] */
	hw_xlsx *x;
	size_t *sheet;         /* XLSX: the sheet of each table */
	const char **cells;    /* a row being put together */
	size_t ncells;
	int rc;
} sub_export;

/* Column names of table i, with the fixed ones, into e->cells; returns how many. */
static size_t header(sub_export *e, size_t i)
{
	const char *const *cols;
	size_t n = xform_tables_columns(e->tabs, i, &cols), k = 0;

	if (i == 0)
		for (; k < NMETA; k++)
			e->cells[k] = export_submission_meta[k];
	for (size_t c = 0; c < n; c++)
		e->cells[k++] = cols[c];
	if (i != 0)
		e->cells[k++] = "PARENT_KEY";
	e->cells[k++] = "KEY";
	return k;
}

/* The cells of a row (borrowed) into e->cells; returns how many. */
static size_t row_cells(sub_export *e, const store_form_sub *s, const xform_table_row *rows,
			size_t i)
{
	const xform_table_row *r = &rows[i];
	const char *const *cols;
	size_t n = xform_tables_columns(e->tabs, r->table, &cols), k = 0;

	if (r->table == 0) {
		const char *meta[NMETA] = { s->instance_id, s->case_id, s->created_at, s->author,
					    s->device };

		for (; k < NMETA; k++)
			e->cells[k] = meta[k] ? meta[k] : "";
	}
	for (size_t c = 0; c < n; c++)
		e->cells[k++] = r->values[c];
	if (r->table != 0)
		e->cells[k++] = rows[r->parent].key;
	e->cells[k++] = r->key;
	return k;
}

/* "name":, with a comma before all but the first member. */
static void json_key(wbuf *w, int *first, const char *name)
{
	if (!*first)
		wb_add(w, ",", 1);
	*first = 0;
	json_str(w, name);
	wb_add(w, ":", 1);
}

/* One JSON object for row i, its repeats nested under their tables' names. */
static void json_row(sub_export *e, const store_form_sub *s, const xform_table_row *rows,
		     size_t nrows, size_t i)
{
	const xform_table_row *r = &rows[i];
	const char *const *cols;
	size_t n = xform_tables_columns(e->tabs, r->table, &cols);
	wbuf *w = e->w[0];
	int first = 1;

	wb_add(w, "{", 1);
	if (r->table == 0) {
		const char *meta[NMETA] = { s->instance_id, s->case_id, s->created_at, s->author,
					    s->device };

		for (size_t k = 0; k < NMETA; k++) {
			json_key(w, &first, export_submission_meta[k]);
			if (meta[k])
				json_str(w, meta[k]);
			else
				wb_puts(w, "null");
		}
	}
	for (size_t c = 0; c < n; c++) {
		const char *v = r->values[c];

		json_key(w, &first, cols[c]);
		/* A choice's 0/1 column is a number, null when the question is unanswered. */
		if (xform_tables_is_choice(e->tabs, r->table, c))
			wb_puts(w, *v ? v : "null");
		else
			json_str(w, v);
	}
	if (r->table != 0) {
		json_key(w, &first, "PARENT_KEY");
		json_str(w, rows[r->parent].key);
	}
	json_key(w, &first, "KEY");
	json_str(w, r->key);
	for (size_t c = 1; c < e->ntab; c++) {
		int one = 1;

		if (xform_tables_parent(e->tabs, c) != r->table)
			continue;
		json_key(w, &first, xform_tables_name(e->tabs, c));
		wb_add(w, "[", 1);
		for (size_t j = i + 1; j < nrows; j++)
			if (rows[j].parent == i && rows[j].table == c) {
				if (!one)
					wb_add(w, ",", 1);
				one = 0;
				json_row(e, s, rows, nrows, j);
			}
		wb_add(w, "]", 1);
	}
	wb_add(w, "}", 1);
}

static int sub_row(const store_form_sub *s, void *payload)
{
	sub_export *e = payload;
	const xform_table_row *rows;
	size_t nrows;
	hw_error scratch = { 0, "" };
	int rc;

	rc = xform_tables_read(e->tabs, s->xml, s->xml_len, s->instance_id, &rows, &nrows, &scratch);
	if (rc == HW_EINVALID) {
		e->r->unreadable++;
		return 0;
	}
	if (rc < 0)
		return hw_error_set(ws_err(e->ws), rc, "%s", scratch.msg);
	if (e->o->format == EXPORT_JSON) {
		if (e->r->count)
			wb_add(e->w[0], ",\n", 2);
		json_row(e, s, rows, nrows, 0);
	} else {
		for (size_t i = 0; i < nrows; i++) {
			size_t n = row_cells(e, s, rows, i);

			if (e->o->format == EXPORT_CSV)
				csv_row(e->w[rows[i].table], e->cells, n);
			else if ((rc = hw_xlsx_row(e->x, e->sheet[rows[i].table], e->cells, n,
						   ws_err(e->ws))) < 0)
				return rc;
		}
	}
	e->r->count++;
	e->r->repeat_rows += (long)nrows - 1;
	for (size_t t = 0; e->w && t < e->ntab; t++)
		if (e->w[t] && e->w[t]->err)
			return io_fail(e->ws, e->w[t]->err, "cannot write", e->o->out);
	return 0;
}

/* Zip the tables waiting in e->w[*] (temporary files) into d. */
typedef struct zip_out {
	wbuf *w;
} zip_out;

static int zip_put(const void *data, size_t len, void *payload)
{
	zip_out *z = payload;

	wb_add(z->w, data, len);
	return z->w->err ? HW_ERROR : 0;
}

static int zip_tables(sub_export *e, int fd)
{
	wbuf *out = calloc(1, sizeof(*out));
	zip_out zo = { out };
	hw_zip *z = NULL;
	char *chunk = malloc(65536);
	int rc;

	if (!out || !chunk) {
		rc = hw_error_set(ws_err(e->ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	out->fd = fd;
	if ((rc = hw_zip_new(&z, hw_clock_now(), zip_put, &zo, ws_err(e->ws))) < 0)
		goto cleanup;
	for (size_t t = 0; t < e->ntab; t++) {
		hw_buf name = HW_BUF_INIT;
		ssize_t n;

		wb_flush(e->w[t]);
		if (e->w[t]->err) {
			rc = io_fail(e->ws, e->w[t]->err, "cannot write", "a temporary file");
			goto cleanup;
		}
		if (t == 0)
			hw_buf_printf(&name, "%s.csv", e->form_id);
		else
			hw_buf_printf(&name, "%s-%s.csv", e->form_id, xform_tables_name(e->tabs, t));
		if (hw_buf_oom(&name)) {
			rc = hw_error_set(ws_err(e->ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		rc = hw_zip_begin(z, name.ptr);
		hw_buf_free(&name);
		if (rc < 0 || lseek(e->w[t]->fd, 0, SEEK_SET) < 0) {
			if (rc == 0)
				rc = io_fail(e->ws, errno, "cannot read", "a temporary file");
			goto cleanup;
		}
		while ((n = read(e->w[t]->fd, chunk, 65536)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				rc = io_fail(e->ws, errno, "cannot read", "a temporary file");
				goto cleanup;
			}
			if ((rc = hw_zip_write(z, chunk, (size_t)n)) < 0)
				goto cleanup;
		}
		if ((rc = hw_zip_end(z)) < 0)
			goto cleanup;
	}
	if ((rc = hw_zip_finish(z)) < 0)
		goto cleanup;
	wb_flush(out);
cleanup:
	if (out && out->err && rc >= 0)
		rc = io_fail(e->ws, out->err, "cannot write", e->o->out);
	else if (out && out->err)
		io_fail(e->ws, out->err, "cannot write", e->o->out);
	hw_zip_free(z);
	free(chunk);
	free(out);
	return rc;
}

/* Copy the file at path to fd (a workbook made for standard output). */
static int copy_to(hw_ws *ws, const char *path, int fd)
{
	wbuf *w = calloc(1, sizeof(*w));
	char *chunk = malloc(65536);
	int in = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (!w || !chunk) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (in < 0) {
		rc = io_fail(ws, errno, "cannot read", path);
		goto cleanup;
	}
	w->fd = fd;
	while ((n = read(in, chunk, 65536)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = io_fail(ws, errno, "cannot read", path);
			goto cleanup;
		}
		wb_add(w, chunk, (size_t)n);
	}
	wb_flush(w);
	if (w->err)
		rc = io_fail(ws, w->err, "cannot write", NULL);
cleanup:
	if (in >= 0)
		close(in);
	free(chunk);
	free(w);
	return rc;
}

static const char *format_name(int f)
{
	return f == EXPORT_JSON ? "json" : f == EXPORT_XLSX ? "xlsx" : "csv";
}

int export_submissions(hw_ws *ws, const char *form_id, const export_options *o,
		       export_result *r)
{
	sub_export e = { ws, o, r, NULL, 0, form_id, NULL, NULL, NULL, NULL, 0, 0 };
	char *form_path = NULL, *dir = NULL, *xpath = NULL, *what = NULL;
	xform *form = NULL;
	dest d = { NULL, NULL, -1, 0 };
	long count = 0;
	size_t maxcols = 0;
	int rc, xfd = -1, dest_opened = 0;

	memset(r, 0, sizeof(*r));
	if ((rc = forms_find(ws, form_id, &form_path)) < 0)
		goto cleanup;
	if ((rc = xform_load(&form, form_path, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = xform_tables_new(&e.tabs, form, o->labels, ws_err(ws))) < 0)
		goto cleanup;
	e.ntab = xform_tables_count(e.tabs);
	for (size_t t = 0; t < e.ntab; t++) {
		const char *const *cols;
		size_t n = xform_tables_columns(e.tabs, t, &cols) + NMETA + 2;

		if (n > maxcols)
			maxcols = n;
	}
	if (!(e.cells = calloc(maxcols, sizeof(*e.cells))) ||
	    !(e.w = calloc(e.ntab, sizeof(*e.w))) || !(e.sheet = calloc(e.ntab, sizeof(*e.sheet))) ||
	    !(dir = work_dir(o))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	e.ncells = maxcols;
	if (o->format == EXPORT_CSV && e.ntab > 1 && !o->out && isatty(o->out_fd)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "the form %s has repeats: its export is a "
				  "zip of tables, not written to a terminal (give --out FILE)", form_id);
		goto cleanup;
	}
	if ((rc = store_form_submission_count(ws_store(ws), form_id, o->version, &count,
					      ws_err(ws))) < 0)
		goto cleanup;
	/* The trail first: an export that cannot be recorded does not happen. */
	if (!(what = malloc(strlen(form_id) + 32))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	sprintf(what, "export submissions %s", form_id);
	if ((rc = audit_record(ws, what, format_name(o->format), count)) < 0)
		goto cleanup;
	if ((rc = dest_open(ws, o, &d)) < 0)
		goto cleanup;
	dest_opened = 1;
	r->zipped = o->format == EXPORT_CSV && e.ntab > 1;
	if (o->format == EXPORT_XLSX) {
		/* The workbook is written by path: beside --out, or in the temporary folder. */
		if (d.tmp) {
			rc = hw_xlsx_new(&e.x, d.tmp, dir, ws_err(ws));
		} else {
			char *base = hw_path_join(dir, "homeward-export");

			rc = base ? temp_file(ws, base, &xpath, &xfd)
				  : hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			free(base);
			if (rc == 0)
				rc = hw_xlsx_new(&e.x, xpath, dir, ws_err(ws));
		}
		for (size_t t = 0; rc == 0 && t < e.ntab; t++) {
			hw_buf name = HW_BUF_INIT;

			if (t == 0)
				hw_buf_puts(&name, form_id);
			else
				hw_buf_printf(&name, "%s", xform_tables_name(e.tabs, t));
			rc = hw_buf_check(&name, ws_err(ws));
			if (rc == 0)
				rc = hw_xlsx_sheet(e.x, name.ptr, &e.sheet[t], ws_err(ws));
			if (rc == 0)
				rc = hw_xlsx_row(e.x, e.sheet[t], e.cells, header(&e, t), ws_err(ws));
			hw_buf_free(&name);
		}
		if (rc < 0)
			goto cleanup;
	} else {
		size_t nw = o->format == EXPORT_CSV ? e.ntab : 1;

		for (size_t t = 0; t < nw; t++) {
			if (!(e.w[t] = calloc(1, sizeof(*e.w[t])))) {
				rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				goto cleanup;
			}
			e.w[t]->fd = -1;
			if (r->zipped) {
				if ((rc = anon_file(ws, dir, &e.w[t]->fd)) < 0)
					goto cleanup;
			} else {
				e.w[t]->fd = d.fd;
			}
			if (o->format == EXPORT_CSV)
				csv_row(e.w[t], e.cells, header(&e, t));
		}
		if (o->format == EXPORT_JSON)
			wb_add(e.w[0], "[", 1);
	}
	if ((rc = store_form_submissions(ws_store(ws), form_id, o->version, sub_row, &e,
					 ws_err(ws))) < 0)
		goto cleanup;
	if (o->format == EXPORT_JSON)
		wb_add(e.w[0], "]\n", 2);
	if (o->format == EXPORT_XLSX) {
		r->cut = hw_xlsx_cut(e.x);
		rc = hw_xlsx_close(e.x, ws_err(ws));
		e.x = NULL;
		if (rc == 0 && xpath)
			rc = copy_to(ws, xpath, d.fd);
	} else if (r->zipped) {
		rc = zip_tables(&e, d.fd);
	} else {
		wb_flush(e.w[0]);
		if (e.w[0]->err)
			rc = io_fail(ws, e.w[0]->err, "cannot write", o->out);
	}
	if (rc < 0)
		goto cleanup;
	rc = dest_commit(ws, &d);
cleanup:
	if (e.x)
		hw_xlsx_free(e.x);
	if (xpath) {
		unlink(xpath);
		close(xfd);
	}
	if (dest_opened && rc < 0)
		dest_abort(&d);
	for (size_t t = 0; e.w && t < e.ntab; t++) {
		if (e.w[t] && r->zipped && e.w[t]->fd >= 0)
			close(e.w[t]->fd);
		free(e.w[t]);
	}
	free(e.w);
	free(e.sheet);
	free(e.cells);
	xform_tables_free(e.tabs);
	xform_free(form);
	free(form_path);
	free(dir);
	free(xpath);
	free(what);
	return rc;
}

/* --- export cases as a workbook ---------------------------------------------- */

typedef struct case_xlsx {
	hw_xlsx *x;
	hw_ws *ws;
	long n;
} case_xlsx;

static int case_row(const char *const *values, void *payload)
{
	case_xlsx *c = payload;
	size_t n = 0;

	while (export_case_columns[n])
		n++;
	c->n++;
	return hw_xlsx_row(c->x, 0, values, n, ws_err(c->ws));
}

static int count_case(const char *const *values, void *payload)
{
	(void)values;
	(*(long *)payload)++;
	return 0;
}

int export_cases_xlsx(hw_ws *ws, const export_options *o, export_result *r)
{
	case_xlsx c = { NULL, ws, 0 };
	dest d = { NULL, NULL, -1, 0 };
	char *dir = NULL, *xpath = NULL;
	size_t sheet, n = 0;
	long count = 0;
	int rc, xfd = -1, opened = 0;

	memset(r, 0, sizeof(*r));
	while (export_case_columns[n])
		n++;
	if (!(dir = work_dir(o)))
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	if ((rc = export_cases_each(ws, count_case, &count)) < 0)
		goto cleanup;
	if ((rc = audit_record(ws, "export cases", "xlsx", count)) < 0)
		goto cleanup;
	if ((rc = dest_open(ws, o, &d)) < 0)
		goto cleanup;
	opened = 1;
	if (d.tmp) {
		rc = hw_xlsx_new(&c.x, d.tmp, dir, ws_err(ws));
	} else {
		char *base = hw_path_join(dir, "homeward-export");

		rc = base ? temp_file(ws, base, &xpath, &xfd)
			  : hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		free(base);
		if (rc == 0)
			rc = hw_xlsx_new(&c.x, xpath, dir, ws_err(ws));
	}
	if (rc < 0 || (rc = hw_xlsx_sheet(c.x, "cases", &sheet, ws_err(ws))) < 0 ||
	    (rc = hw_xlsx_row(c.x, sheet, export_case_columns, n, ws_err(ws))) < 0 ||
	    (rc = export_cases_each(ws, case_row, &c)) < 0)
		goto cleanup;
	r->count = c.n;
	r->cut = hw_xlsx_cut(c.x);
	rc = hw_xlsx_close(c.x, ws_err(ws));
	c.x = NULL;
	if (rc == 0 && xpath)
		rc = copy_to(ws, xpath, d.fd);
	if (rc == 0)
		rc = dest_commit(ws, &d);
cleanup:
	if (c.x)
		hw_xlsx_free(c.x);
	if (xpath) {
		unlink(xpath);
		close(xfd);
	}
	if (opened && rc < 0)
		dest_abort(&d);
	free(xpath);
	free(dir);
	return rc;
}

/* --- export riat ----------------------------------------------------------------- */

#define RIAT_MAX_LINES 512
#define RIAT_MAX_SOURCES 8
#define RIAT_MAX_FORMS 16

/* One source of a field: a column of `export cases`, or a form's column. */
typedef struct riat_source {
	int form;              /* index into riat.forms, or -1 for a case column */
	size_t col;            /* the column in export_case_columns or the form's table 0 */
} riat_source;

typedef struct riat_line {
	char *name;            /* "KM1.country_of_return" */
	riat_source src[RIAT_MAX_SOURCES];
	size_t nsrc;
} riat_line;

typedef struct riat_form {
	char *id;
	xform *form;
	xform_tables *tabs;
	char *instance;        /* the case's latest submission of it, while a case is written */
	char **values;         /* its row's values, copied */
	size_t ncols;
} riat_form;

typedef struct riat {
	hw_ws *ws;
	riat_line *lines;
	size_t n;
	riat_form forms[RIAT_MAX_FORMS];
	size_t nforms;
	wbuf *w;
	const char **cells;
	long count;
} riat;

static int riat_word_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_-./", *s)))
			return 0;
	return 1;
}

/* The form named id among m's forms, loaded on first sight. */
static int riat_form_index(riat *m, const char *id, const char *map, int lineno)
{
	riat_form *f;
	char *path = NULL;
	int rc;

	for (size_t i = 0; i < m->nforms; i++)
		if (!strcmp(m->forms[i].id, id))
			return (int)i;
	if (m->nforms == RIAT_MAX_FORMS)
		return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: more than %d forms", map, lineno,
				    RIAT_MAX_FORMS);
	f = &m->forms[m->nforms];
	memset(f, 0, sizeof(*f));
	if (!(f->id = strdup(id)))
		return hw_error_set(ws_err(m->ws), HW_ERROR, "out of memory");
	m->nforms++;
	if ((rc = forms_find(m->ws, id, &path)) < 0) {
		hw_error_set(ws_err(m->ws), rc, "%s:%d: the form %s is not installed", map, lineno, id);
		return rc;
	}
	rc = xform_load(&f->form, path, ws_err(m->ws));
	free(path);
	if (rc < 0 || (rc = xform_tables_new(&f->tabs, f->form, NULL, ws_err(m->ws))) < 0)
		return rc;
	{
		const char *const *cols;

		f->ncols = xform_tables_columns(f->tabs, 0, &cols);
	}
	return (int)(m->nforms - 1);
}

/* Parse the map (docs/exports.md, "The reintegration assistance tool"). */
static int riat_parse(riat *m, const char *map, char *text)
{
	char *line, *next;
	int lineno = 0, rc;

	for (line = text; line && *line; line = next) {
		char *w[4], *p, *save = NULL, *alt;
		riat_line *l;
		int k = 0;

		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if ((p = strchr(line, '#')))
			*p = '\0';
		for (p = strtok_r(line, " \t\r", &save); p && k < 4; p = strtok_r(NULL, " \t\r", &save))
			w[k++] = p;
		if (k == 0)
			continue;
		if (k != 3 || !riat_word_ok(w[0]) || !riat_word_ok(w[1]))
			return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: expected KEY_MOMENT FIELD "
					    "SOURCE[|SOURCE...]", map, lineno);
		if (m->n == RIAT_MAX_LINES)
			return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: more than %d fields", map,
					    lineno, RIAT_MAX_LINES);
		l = &m->lines[m->n];
		memset(l, 0, sizeof(*l));
		if (!(l->name = malloc(strlen(w[0]) + strlen(w[1]) + 2)))
			return hw_error_set(ws_err(m->ws), HW_ERROR, "out of memory");
		m->n++;
		sprintf(l->name, "%s.%s", w[0], w[1]);
		save = NULL;
		for (alt = strtok_r(w[2], "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
			riat_source *s = &l->src[l->nsrc];
			const char *const *cols;
			size_t c, nc;

			if (l->nsrc == RIAT_MAX_SOURCES)
				return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: more than %d sources",
						    map, lineno, RIAT_MAX_SOURCES);
			if (!strncmp(alt, "case.", 5)) {
				s->form = -1;
				for (c = 0; export_case_columns[c] && strcmp(export_case_columns[c], alt + 5); c++)
					;
				if (!export_case_columns[c])
					return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: %s is not a column "
							    "of export cases", map, lineno, alt + 5);
				s->col = c;
			} else if (!strncmp(alt, "form.", 5) && (p = strchr(alt + 5, '.')) && p[1]) {
				*p = '\0';
				if ((rc = riat_form_index(m, alt + 5, map, lineno)) < 0)
					return rc;
				s->form = rc;
				nc = xform_tables_columns(m->forms[rc].tabs, 0, &cols);
				for (c = 0; c < nc && strcmp(cols[c], p + 1); c++)
					;
				if (c == nc)
					return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: the form %s has no "
							    "column %s", map, lineno, alt + 5, p + 1);
				s->col = c;
			} else {
				return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: a source is case.COLUMN "
						    "or form.FORM_ID.COLUMN, not %s", map, lineno, alt);
			}
			l->nsrc++;
		}
		if (!l->nsrc)
			return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s:%d: no source", map, lineno);
	}
	if (!m->n)
		return hw_error_set(ws_err(m->ws), HW_EINVALID, "%s: no fields", map);
	return 0;
}

/* Remember the latest submission of each form of the map (oldest first: the last wins). */
static int riat_sub(const store_submission *s, void *payload)
{
	riat *m = payload;

	for (size_t i = 0; i < m->nforms; i++)
		if (!strcmp(m->forms[i].id, s->form_id)) {
			free(m->forms[i].instance);
			if (!(m->forms[i].instance = strdup(s->instance_id)))
				return hw_error_set(ws_err(m->ws), HW_ERROR, "out of memory");
		}
	return 0;
}

static void riat_forget(riat *m)
{
	for (size_t i = 0; i < m->nforms; i++) {
		riat_form *f = &m->forms[i];

		for (size_t c = 0; f->values && c < f->ncols; c++)
			free(f->values[c]);
		free(f->values);
		f->values = NULL;
		free(f->instance);
		f->instance = NULL;
	}
}

static int riat_case(const char *const *values, void *payload)
{
	riat *m = payload;
	int rc;

	riat_forget(m);
	if ((rc = case_submissions(m->ws, values[0], riat_sub, m)) < 0)
		return rc;
	for (size_t i = 0; i < m->nforms; i++) {
		riat_form *f = &m->forms[i];
		const xform_table_row *rows;
		hw_error scratch = { 0, "" };
		size_t nrows, len;
		char *xml = NULL;

		if (!f->instance)
			continue;
		if ((rc = store_submission_get_xml(ws_store(m->ws), f->instance, &xml, &len,
						   ws_err(m->ws))) < 0)
			return rc;
		rc = xform_tables_read(f->tabs, xml, len, f->instance, &rows, &nrows, &scratch);
		free(xml);
		if (rc == HW_EINVALID)
			continue;   /* a submission that does not read gives nothing */
		if (rc < 0)
			return hw_error_set(ws_err(m->ws), rc, "%s", scratch.msg);
		if (!(f->values = calloc(f->ncols ? f->ncols : 1, sizeof(*f->values))))
			return hw_error_set(ws_err(m->ws), HW_ERROR, "out of memory");
		for (size_t c = 0; c < f->ncols; c++)
			if (!(f->values[c] = strdup(rows[0].values[c])))
				return hw_error_set(ws_err(m->ws), HW_ERROR, "out of memory");
	}
	for (size_t k = 0; k < m->n; k++) {
		const riat_line *l = &m->lines[k];

		m->cells[k] = "";
		for (size_t s = 0; s < l->nsrc && !*m->cells[k]; s++) {
			const riat_source *src = &l->src[s];

			if (src->form < 0)
				m->cells[k] = values[src->col] ? values[src->col] : "";
			else if (m->forms[src->form].values)
				m->cells[k] = m->forms[src->form].values[src->col];
		}
	}
	csv_row(m->w, m->cells, m->n);
	m->count++;
	return m->w->err ? io_fail(m->ws, m->w->err, "cannot write", NULL) : 0;
}

int export_riat(hw_ws *ws, const char *map, const export_options *o, export_result *r)
{
	riat m;
	dest d = { NULL, NULL, -1, 0 };
	char *text = NULL;
	size_t len;
	long count = 0;
	int rc, opened = 0;

	memset(r, 0, sizeof(*r));
	memset(&m, 0, sizeof(m));
	m.ws = ws;
	if (!(m.lines = calloc(RIAT_MAX_LINES, sizeof(*m.lines))) ||
	    !(m.cells = calloc(RIAT_MAX_LINES, sizeof(*m.cells))) || !(m.w = calloc(1, sizeof(*m.w)))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = hw_read_file(map, &text, &len, ws_err(ws))) < 0 || (rc = riat_parse(&m, map, text)) < 0)
		goto cleanup;
	if ((rc = export_cases_each(ws, count_case, &count)) < 0)
		goto cleanup;
	if ((rc = audit_record(ws, "export riat", "csv", count)) < 0)
		goto cleanup;
	if ((rc = dest_open(ws, o, &d)) < 0)
		goto cleanup;
	opened = 1;
	m.w->fd = d.fd;
	for (size_t k = 0; k < m.n; k++)
		m.cells[k] = m.lines[k].name;
	csv_row(m.w, m.cells, m.n);
	if ((rc = export_cases_each(ws, riat_case, &m)) < 0)
		goto cleanup;
	wb_flush(m.w);
	if (m.w->err) {
		rc = io_fail(ws, m.w->err, "cannot write", o->out);
		goto cleanup;
	}
	r->count = m.count;
	rc = dest_commit(ws, &d);
cleanup:
	if (opened && rc < 0)
		dest_abort(&d);
	riat_forget(&m);
	for (size_t i = 0; i < m.nforms; i++) {
		free(m.forms[i].id);
		xform_tables_free(m.forms[i].tabs);
		xform_free(m.forms[i].form);
	}
	for (size_t k = 0; m.lines && k < m.n; k++)
		free(m.lines[k].name);
	free(m.lines);
	free(m.cells);
	free(m.w);
	free(text);
	return rc;
}
