/*
 * xlsx.c: workbooks through libxlsxwriter in constant-memory mode.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "util.h"
#include "xlsx.h"

#define SHEET_NAME_MAX 31
#define CELL_MAX 32767

typedef struct xsheet {
	lxw_worksheet *ws;
	char *name;
	lxw_row_t row;         /* the next row */
} xsheet;

struct hw_xlsx {
	lxw_workbook *wb;
	xsheet *s;
	size_t n;
	long cut;
	char *tmpdir;
};

int hw_xlsx_new(hw_xlsx **out, const char *path, const char *tmpdir, hw_error *err)
{
	lxw_workbook_options o = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE };
	hw_xlsx *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x || (tmpdir && !(x->tmpdir = strdup(tmpdir)))) {
		free(x);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	o.tmpdir = x->tmpdir;
	if (!(x->wb = workbook_new_opt(path, &o))) {
		free(x->tmpdir);
		free(x);
		return hw_error_set(err, HW_ERROR, "cannot start the workbook %s", path);
	}
	*out = x;
	return 0;
}

/* Bytes of s's first max characters (UTF-8). */
static size_t utf8_prefix(const char *s, size_t max, int *longer)
{
	size_t i = 0, chars = 0;

	*longer = 0;
	while (s[i]) {
		if (chars == max) {
			*longer = 1;
			break;
		}
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

int hw_xlsx_sheet(hw_xlsx *x, const char *name, size_t *index, hw_error *err)
{
	char base[4 * SHEET_NAME_MAX + 1], cand[4 * SHEET_NAME_MAX + 16];
	xsheet *ns;
	size_t len;
	int longer;

	len = utf8_prefix(name, SHEET_NAME_MAX, &longer);
	memcpy(base, name, len);
	base[len] = '\0';
	for (char *p = base; *p; p++)
		if (strchr("[]:*?/\\'", *p) || (unsigned char)*p < 0x20)
			*p = '_';
	if (!*base)
		strcpy(base, "sheet");
	snprintf(cand, sizeof(cand), "%s", base);
	for (int k = 2;; k++) {
		size_t i;

		for (i = 0; i < x->n && strcasecmp(x->s[i].name, cand); i++)
			;
		if (i == x->n)
			break;
		/* "~2" at the end, the name cut to leave it room */
		len = utf8_prefix(base, SHEET_NAME_MAX - 4, &longer);
		snprintf(cand, sizeof(cand), "%.*s~%d", (int)len, base, k);
	}
	if (!(ns = realloc(x->s, (x->n + 1) * sizeof(*ns))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	x->s = ns;
	memset(&ns[x->n], 0, sizeof(ns[x->n]));
	if (!(ns[x->n].name = strdup(cand)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!(ns[x->n].ws = workbook_add_worksheet(x->wb, cand))) {
		free(ns[x->n].name);
		return hw_error_set(err, HW_ERROR, "cannot add the sheet %s", cand);
	}
	*index = x->n++;
	return 0;
}

int hw_xlsx_row(hw_xlsx *x, size_t i, const char *const *cells, size_t n, hw_error *err)
{
	xsheet *s = &x->s[i];
	char *buf = NULL;
	size_t cap = 0;
	int rc = 0;

	if (s->row >= LXW_ROW_MAX)
		return hw_error_set(err, HW_EINVALID, "the sheet %s would pass %d rows, the most a "
				    "spreadsheet holds", s->name, LXW_ROW_MAX);
	if (n > LXW_COL_MAX)
		return hw_error_set(err, HW_EINVALID, "the sheet %s would pass %d columns, the most a "
				    "spreadsheet holds", s->name, LXW_COL_MAX);
	for (size_t k = 0; k < n; k++) {
		const char *v = cells[k] ? cells[k] : "";
		int formula = *v && strchr("=+-@\t\r", *v), longer;
		size_t len = utf8_prefix(v, CELL_MAX - (size_t)formula, &longer), need = len + 2;
		lxw_error e;

		if (!*v)
			continue;
		if (!formula && !longer) {
			e = worksheet_write_string(s->ws, s->row, (lxw_col_t)k, v, NULL);
		} else {
			if (need > cap) {
				char *nb = realloc(buf, need);

				if (!nb) {
					rc = hw_error_set(err, HW_ERROR, "out of memory");
					break;
				}
				buf = nb;
				cap = need;
			}
			buf[0] = '\'';
			memcpy(buf + formula, v, len);
			buf[formula + len] = '\0';
			x->cut += longer;
			e = worksheet_write_string(s->ws, s->row, (lxw_col_t)k, buf, NULL);
		}
		if (e != LXW_NO_ERROR) {
			rc = hw_error_set(err, HW_ERROR, "writing the sheet %s: %s", s->name, lxw_strerror(e));
			break;
		}
	}
	free(buf);
	s->row++;
	return rc;
}

long hw_xlsx_cut(const hw_xlsx *x)
{
	return x->cut;
}

static void drop(hw_xlsx *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->s[i].name);
	free(x->s);
	free(x->tmpdir);
	free(x);
}

int hw_xlsx_close(hw_xlsx *x, hw_error *err)
{
	lxw_error e = workbook_close(x->wb);

	drop(x);
	if (e != LXW_NO_ERROR)
		return hw_error_set(err, HW_ERROR, "writing the workbook: %s", lxw_strerror(e));
	return 0;
}

void hw_xlsx_free(hw_xlsx *x)
{
	if (!x)
		return;
	/* libxlsxwriter has no way to abandon a workbook: it is written, and
	 * the caller removes the file. */
	workbook_close(x->wb);
	drop(x);
}
