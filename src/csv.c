/* csv.c: RFC 4180 tables (see csv.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* Free n strings and the array. */
static void free_strs(char **s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void hw_csv_free(hw_csv *t)
{
	if (!t)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		free_strs(t->rows[r], t->ncols);
	free(t->rows);
	free(t->lines);
	free_strs(t->head, t->ncols);
	free(t);
}

/* A record being read: its fields so far. */
typedef struct record {
	char **f;
	size_t n, cap;
} record;

static int record_add(record *rec, hw_buf *field)
{
	char *s;

	if (rec->n == rec->cap) {
		size_t cap = rec->cap ? rec->cap * 2 : 8;
		char **nf = realloc(rec->f, cap * sizeof(*nf));

		if (!nf)
			return HW_ERROR;
		rec->f = nf;
		rec->cap = cap;
	}
	if (!(s = hw_buf_detach(field)))
		return HW_ERROR;
	rec->f[rec->n++] = s;
	return 0;
}

/*
 * Read one record starting at *p (before end), advancing *p past its line
 * end and *line by the lines it spans.  0, HW_ERROR or HW_EINVALID (with
 * the message in err).
 */
static int read_record(record *rec, const char **p, const char *end, int *line,
	const char *name, hw_error *err)
{
	hw_buf field = HW_BUF_INIT;
	const char *s = *p;
	int start = *line;

	rec->n = 0;
	for (;;) {
		if (s < end && *s == '"') {
			s++;
			for (;;) {
				if (s >= end) {
					hw_buf_free(&field);
					return hw_error_set(err, HW_EINVALID,
						"%s:%d: a quoted field is not closed", name, start);
				}
				if (*s == '"' && s + 1 < end && s[1] == '"') {
					hw_buf_add(&field, "\"", 1);
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					if (*s == '\n')
						(*line)++;
					hw_buf_add(&field, s, 1);
					s++;
				}
			}
			if (s < end && *s != ',' && *s != '\n' && *s != '\r') {
				hw_buf_free(&field);
				return hw_error_set(err, HW_EINVALID,
					"%s:%d: text after the closing quote of a field", name, *line);
			}
		} else {
			const char *f = s;

			while (s < end && *s != ',' && *s != '\n' && *s != '\r')
				s++;
			if (hw_buf_add(&field, f, (size_t)(s - f)) < 0 || hw_buf_puts(&field, "") < 0) {
				hw_buf_free(&field);
				return hw_error_set(err, HW_ERROR, "out of memory");
			}
		}
		if (hw_buf_puts(&field, "") < 0 || record_add(rec, &field) < 0) {
			hw_buf_free(&field);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		break;
	}
	if (s < end && *s == '\r')
		s++;
	if (s < end && *s == '\n')
		s++;
	(*line)++;
	*p = s;
	return 0;
}

int hw_csv_parse(hw_csv **out, const char *name, const char *data, size_t len, hw_error *err)
{
	hw_csv *t = calloc(1, sizeof(*t));
	record rec = { NULL, 0, 0 };
	const char *p = data, *end = data + len;
	size_t cap = 0;
	int line = 1, rc = 0;

	*out = NULL;
	if (!t)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (memchr(data, '\0', len)) {
		rc = hw_error_set(err, HW_EINVALID, "%s: not a text file (it holds a NUL byte)", name);
		goto cleanup;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if ((rc = read_record(&rec, &p, end, &line, name, err)) < 0)
		goto cleanup;
	for (size_t i = 0; i < rec.n; i++) {
		if (!rec.f[i][0]) {
			rc = hw_error_set(err, HW_EINVALID, "%s:1: column %zu has no name", name, i + 1);
			goto cleanup;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(rec.f[i], rec.f[j]) == 0) {
				rc = hw_error_set(err, HW_EINVALID, "%s:1: two columns are named '%s'",
					name, rec.f[i]);
				goto cleanup;
			}
	}
	t->head = rec.f;
	t->ncols = rec.n;
	rec.f = NULL;
	rec.n = rec.cap = 0;
	while (p < end) {
		int at = line;

		if (*p == '\n' || *p == '\r') {   /* an empty line */
			p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
			line++;
			continue;
		}
		if ((rc = read_record(&rec, &p, end, &line, name, err)) < 0)
			goto cleanup;
		if (rec.n > t->ncols) {
			rc = hw_error_set(err, HW_EINVALID, "%s:%d: %zu fields, but the header names %zu",
				name, at, rec.n, t->ncols);
			goto cleanup;
		}
		while (rec.n < t->ncols) {
			hw_buf empty = HW_BUF_INIT;

			if (hw_buf_puts(&empty, "") < 0 || record_add(&rec, &empty) < 0) {
				hw_buf_free(&empty);
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
		}
		if (t->nrows == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char ***nr = realloc(t->rows, nc * sizeof(*nr));
			int *nl;

			if (nr)
				t->rows = nr;
			nl = nr ? realloc(t->lines, nc * sizeof(*nl)) : NULL;
			if (!nl) {
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			t->lines = nl;
			cap = nc;
		}
		t->rows[t->nrows] = rec.f;
		t->lines[t->nrows++] = at;
		rec.f = NULL;
		rec.n = rec.cap = 0;
	}
	*out = t;
	t = NULL;
cleanup:
	free_strs(rec.f, rec.n);
	hw_csv_free(t);
	return rc;
}

int hw_csv_load(hw_csv **out, const char *path, hw_error *err)
{
	char *data = NULL;
	size_t len = 0;
	const char *name = strrchr(path, '/');
	int rc;

	*out = NULL;
	if ((rc = hw_read_file(path, &data, &len, err)) < 0)
		return rc;
	rc = hw_csv_parse(out, name ? name + 1 : path, data, len, err);
	free(data);
	return rc;
}

int hw_csv_col(const hw_csv *t, const char *name)
{
	for (size_t i = 0; t && i < t->ncols; i++)
		if (strcmp(t->head[i], name) == 0)
			return (int)i;
	return -1;
}

const char *hw_csv_get(const hw_csv *t, size_t r, int c)
{
	if (!t || c < 0 || (size_t)c >= t->ncols || r >= t->nrows)
		return "";
	return t->rows[r][c];
}

int hw_csv_add_column(hw_csv *t, const char *name, const char *const *values, hw_error *err)
{
	char **nh;

	if (hw_csv_col(t, name) >= 0)
		return hw_error_set(err, HW_EEXISTS, "a column named '%s' is already there", name);
	/* Grow every row first, so a failure leaves the table as it was. */
	for (size_t r = 0; r < t->nrows; r++) {
		char **nr = realloc(t->rows[r], (t->ncols + 1) * sizeof(*nr));

		if (!nr)
			return hw_error_set(err, HW_ERROR, "out of memory");
		t->rows[r] = nr;
		nr[t->ncols] = NULL;
	}
	if (!(nh = realloc(t->head, (t->ncols + 1) * sizeof(*nh))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	t->head = nh;
	if (!(nh[t->ncols] = hw_strdup(name)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	for (size_t r = 0; r < t->nrows; r++) {
		if (!(t->rows[r][t->ncols] = hw_strdup(values && values[r] ? values[r] : ""))) {
			for (size_t k = 0; k < r; k++) {
				free(t->rows[k][t->ncols]);
				t->rows[k][t->ncols] = NULL;
			}
			free(nh[t->ncols]);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	t->ncols++;
	return 0;
}

/* Append one field, quoted when it must be. */
static void put_field(hw_buf *b, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		hw_buf_puts(b, s);
		return;
	}
	hw_buf_puts(b, "\"");
	for (; *s; s++)
		hw_buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	hw_buf_puts(b, "\"");
}

int hw_csv_write(char **out, const hw_csv *t, hw_error *err)
{
	hw_buf b = HW_BUF_INIT;

	*out = NULL;
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			hw_buf_puts(&b, ",");
		put_field(&b, t->head[c]);
	}
	hw_buf_puts(&b, "\n");
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				hw_buf_puts(&b, ",");
			put_field(&b, t->rows[r][c]);
		}
		hw_buf_puts(&b, "\n");
	}
	if (!(*out = hw_buf_detach(&b)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}
