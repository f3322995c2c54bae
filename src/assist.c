/* assist.c: the assistance inventory for the screens (see assist.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assist.h"
#include "csv.h"
#include "util.h"

void assist_free(assist_list *list)
{
	if (!list)
		return;
	free(list->items);
	hw_csv_free(list->table);
	free(list);
}

/* The column "<base>_<lang>" when lang is not English and t has it, else base; -1 if neither. */
static int column_in(const hw_csv *t, const char *base, const char *lang)
{
	char name[64];
	int c = -1;

	if (lang && *lang && strcmp(lang, "en") != 0
	    && snprintf(name, sizeof name, "%s_%s", base, lang) < (int)sizeof name)
		c = hw_csv_col(t, name);
	return c >= 0 ? c : hw_csv_col(t, base);
}

/* A text in its language's column, else English where that is empty. */
static const char *text_of(const hw_csv *t, size_t r, int col, int en_col)
{
	const char *s = hw_csv_get(t, r, col);

	return *s ? s : hw_csv_get(t, r, en_col);
}

int assist_load_file(const char *path, const char *country, const char *lang, assist_list **out,
	hw_error *err)
{
	static const char *const required[] = { "name", "label", "country", "kind", "minors_only",
		"description" };
	const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	assist_list *l = calloc(1, sizeof(*l));
	hw_csv *t = NULL;
	int c_name, c_label, c_country, c_kind, c_minors, c_desc, c_amount, c_label_l, c_desc_l;
	int rc;

	*out = NULL;
	if (!l)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!hw_exists(path)) {
		rc = hw_error_set(err, HW_ENOTFOUND, "%s: no assistance inventory is installed", path);
		goto cleanup;
	}
	if ((rc = hw_csv_load(&t, path, err)) < 0)
		goto cleanup;
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (hw_csv_col(t, required[i]) < 0) {
			rc = hw_error_set(err, HW_EINVALID, "%s:1: no column '%s' (docs/assistance-inventory.md)",
				file, required[i]);
			goto cleanup;
		}
	c_name = hw_csv_col(t, "name");
	c_label = hw_csv_col(t, "label");
	c_country = hw_csv_col(t, "country");
	c_kind = hw_csv_col(t, "kind");
	c_minors = hw_csv_col(t, "minors_only");
	c_desc = hw_csv_col(t, "description");
	c_amount = hw_csv_col(t, "max_amount_eur");
	c_label_l = column_in(t, "label", lang);
	c_desc_l = column_in(t, "description", lang);
	if (!(l->items = calloc(t->nrows + 1, sizeof(*l->items)))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t r = 0; r < t->nrows; r++) {
		const char *minors = hw_csv_get(t, r, c_minors);
		assist_item *it;

		if (strcmp(minors, "yes") != 0 && strcmp(minors, "no") != 0) {
			rc = hw_error_set(err, HW_EINVALID, "%s:%d: minors_only is '%s', not yes or no",
				file, t->lines[r], minors);
			goto cleanup;
		}
		if (country && strcasecmp(hw_csv_get(t, r, c_country), country) != 0)
			continue;
		it = &l->items[l->count++];
		it->name = hw_csv_get(t, r, c_name);
		it->country = hw_csv_get(t, r, c_country);
		it->kind = hw_csv_get(t, r, c_kind);
		it->label = text_of(t, r, c_label_l, c_label);
		it->description = text_of(t, r, c_desc_l, c_desc);
		it->max_amount = hw_csv_get(t, r, c_amount);
		it->minors_only = strcmp(minors, "yes") == 0;
		it->line = t->lines[r];
	}
	l->table = t;
	t = NULL;
	*out = l;
	l = NULL;
	rc = 0;
cleanup:
	hw_csv_free(t);
	assist_free(l);
	return rc;
}

int assist_load(hw_ws *ws, const char *country, const char *lang, assist_list **out)
{
	char *path = hw_path_join(ws_forms_dir(ws), "assistance.csv"), *data = NULL;
	int rc;

	*out = NULL;
	if (path && !hw_exists(path)) {
		free(path);
		data = ws_data_dir();
		path = data ? hw_path_join(data, "forms/assistance.csv") : NULL;
	}
	rc = path ? assist_load_file(path, country, lang, out, ws_err(ws))
		: hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	free(path);
	free(data);
	return rc;
}
