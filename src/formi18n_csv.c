/*
 * formi18n_csv.c: translation of the CSV data files forms read as
 * secondary instances (the assistance inventory), through the same
 * catalogues as the forms.  Conventions in formi18n.h and docs/forms.md.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "formi18n.h"
#include "util.h"

/*
 * The msgctxt of the text in row r, column c (caller frees): "<name>:<col>",
 * or "<name>/<country>:<col>" when the first row with that name has another
 * text there (the line of the row when there is no country column).
 */
static char *ctxt_of(const hw_csv *t, size_t r, int c, int name_col, int country_col)
{
	const char *name = hw_csv_get(t, r, name_col);
	hw_buf b = HW_BUF_INIT;
	size_t first = r;

	for (size_t k = 0; k < r; k++)
		if (strcmp(hw_csv_get(t, k, name_col), name) == 0) {
			first = k;
			break;
		}
	if (first == r || strcmp(hw_csv_get(t, first, c), hw_csv_get(t, r, c)) == 0)
		hw_buf_printf(&b, "%s:%s", name, t->head[c]);
	else if (country_col >= 0)
		hw_buf_printf(&b, "%s/%s:%s", name, hw_csv_get(t, r, country_col), t->head[c]);
	else
		hw_buf_printf(&b, "%s/%d:%s", name, t->lines ? t->lines[r] : (int)r + 2, t->head[c]);
	return hw_buf_detach(&b);
}

/* The translator's comment for the text of row r, column c. */
static char *comment_of(const hw_csv *t, size_t r, int c, const char *countries)
{
	hw_buf b = HW_BUF_INIT;
	const char *name = hw_csv_get(t, r, hw_csv_col(t, "name"));
	const char *kind = hw_csv_get(t, r, hw_csv_col(t, "kind"));

	if (strcmp(t->head[c], "label") == 0)
		hw_buf_printf(&b, "Label of the item \"%s\"%s%s%s: one short line shown to the "
			"counsellor in lists.", name, *kind ? " (" : "", kind, *kind ? ")" : "");
	else if (strcmp(t->head[c], "description") == 0)
		hw_buf_printf(&b, "Description of the item \"%s\"%s%s%s: what it is, who provides "
			"it, its limits.", name, *kind ? " (" : "", kind, *kind ? ")" : "");
	else
		hw_buf_printf(&b, "Column \"%s\" of the item \"%s\".", t->head[c], name);
	if (*countries)
		hw_buf_printf(&b, "\nCountries: %s.", countries);
	return hw_buf_detach(&b);
}

int formi18n_catalog_from_csv(formi18n_catalog **out, const hw_csv *t, const char *id,
	const char *ref_path, const char *const *cols, size_t ncols, hw_error *err)
{
	formi18n_catalog *cat = NULL;
	formi18n_entry e;
	hw_buf b = HW_BUF_INIT;
	char *header = NULL, *comments = NULL;
	int name_col = hw_csv_col(t, "name"), country_col = hw_csv_col(t, "country");
	int rc;

	memset(&e, 0, sizeof(e));
	*out = NULL;
	if (name_col < 0)
		return hw_error_set(err, HW_EINVALID,
			"%s: a translated data file needs a column 'name'", ref_path);
	hw_buf_printf(&b, "Project-Id-Version: homeward-forms %s\n"
		"Report-Msgid-Bugs-To: \n"
		"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\n"
		"Last-Translator: FULL NAME <EMAIL@ADDRESS>\n"
		"Language-Team: LANGUAGE <LL@li.org>\n"
		"Language: \n"
		"MIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=UTF-8\n"
		"Content-Transfer-Encoding: 8bit\n"
		"X-Homeward-Data: %s\n", id, id);
	header = hw_buf_detach(&b);
	hw_buf_printf(&b, "Translations of the Homeward data file \"%s\".\n"
		"msgctxt is the item's name and the column (\"cash_grant:label\").\n"
		"See docs/forms.md for the conventions.", ref_path);
	comments = hw_buf_detach(&b);
	if (!header || !comments) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = formi18n_catalog_new(&cat, header, comments, err)) < 0)
		goto cleanup;
	/* Row by row, so a translator reads an item's label and description together. */
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t k = 0; k < ncols; k++) {
			int c = hw_csv_col(t, cols[k]);
			hw_buf refs = HW_BUF_INIT, countries = HW_BUF_INIT;

			if (c < 0 || !*hw_csv_get(t, r, c))
				continue;
			if (!(e.ctxt = ctxt_of(t, r, c, name_col, country_col)))
				goto oom;
			if (formi18n_catalog_find(cat, e.ctxt)) {   /* already there */
				free(e.ctxt);
				e.ctxt = NULL;
				continue;
			}
			/* The first row is the reference; the comment names every country. */
			hw_buf_printf(&refs, "%s:%d", ref_path, t->lines ? t->lines[r] : (int)r + 2);
			for (size_t q = r; q < t->nrows; q++) {
				char *cq;

				if (strcmp(hw_csv_get(t, q, name_col), hw_csv_get(t, r, name_col)) != 0)
					continue;
				if (!(cq = ctxt_of(t, q, c, name_col, country_col))) {
					hw_buf_free(&refs);
					hw_buf_free(&countries);
					goto oom;
				}
				if (strcmp(cq, e.ctxt) == 0 && country_col >= 0)
					hw_buf_printf(&countries, "%s%s", countries.len ? ", " : "",
						hw_csv_get(t, q, country_col));
				free(cq);
			}
			hw_buf_puts(&countries, "");
			e.msgid = (char *)hw_csv_get(t, r, c);
			e.msgstr = (char *)"";
			e.refs = hw_buf_detach(&refs);
			e.comments = hw_buf_oom(&countries) ? NULL : comment_of(t, r, c, countries.ptr);
			hw_buf_free(&countries);
			rc = e.refs && e.comments ? formi18n_catalog_add(cat, &e, err) : HW_ERROR;
			free(e.ctxt);
			free(e.refs);
			free(e.comments);
			memset(&e, 0, sizeof(e));
			if (rc < 0)
				goto oom;
		}
	}
	*out = cat;
	cat = NULL;
	rc = 0;
	goto cleanup;
oom:
	free(e.ctxt);
	rc = hw_error_set(err, HW_ERROR, "out of memory");
cleanup:
	formi18n_catalog_free(cat);
	free(header);
	free(comments);
	return rc;
}

int formi18n_merge_csv(hw_csv *t, formi18n_coverage *coverage, const char *id,
	const char *const *cols, size_t ncols, const formi18n_lang *langs, size_t nlangs,
	hw_error *err)
{
	formi18n_catalog *tmpl = NULL;
	const char **values = NULL;
	int name_col = hw_csv_col(t, "name"), country_col = hw_csv_col(t, "country");
	int rc;

	if (coverage)
		for (size_t l = 0; l < nlangs; l++)
			memset(&coverage[l], 0, sizeof(coverage[l]));
	if ((rc = formi18n_catalog_from_csv(&tmpl, t, id, id, cols, ncols, err)) < 0)
		return rc;
	if (!(values = calloc(t->nrows + 1, sizeof(*values)))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t l = 0; l < nlangs; l++) {
		if (coverage && (rc = formi18n_coverage_compute(&coverage[l], tmpl, langs[l].po, err)) < 0)
			goto cleanup;
		for (size_t k = 0; k < ncols; k++) {
			int c = hw_csv_col(t, cols[k]);
			char *colname;
			hw_buf b = HW_BUF_INIT;

			if (c < 0)
				continue;
			for (size_t r = 0; r < t->nrows; r++) {
				const char *en = hw_csv_get(t, r, c);
				char *ctxt = *en ? ctxt_of(t, r, c, name_col, country_col) : NULL;
				const formi18n_entry *e = ctxt ? formi18n_catalog_find(langs[l].po, ctxt) : NULL;

				free(ctxt);
				if (*en && !ctxt) {
					rc = hw_error_set(err, HW_ERROR, "out of memory");
					goto cleanup;
				}
				values[r] = e && !e->fuzzy && e->msgstr && *e->msgstr
					&& strcmp(e->msgid, en) == 0 ? e->msgstr : en;
			}
			hw_buf_printf(&b, "%s_%s", t->head[c], langs[l].code);
			if (!(colname = hw_buf_detach(&b))) {
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			rc = hw_csv_add_column(t, colname, values, err);
			free(colname);
			if (rc < 0)
				goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(values);
	formi18n_catalog_free(tmpl);
	return rc;
}
