/*
 * xform_csv.c: small pieces of the form engine that need no XML library:
 * the string map used for paths and ids, and external CSV instances
 * (jr://file/NAME.csv), read as ODK does: a header row of column names,
 * one <item> a row.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

/* ------------------------------------------------------------ the map */

/* FNV-1a hash of a string. */
static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

int xf_map_put(xf_map *m, const char *key, int val)
{
	size_t i, mask;

	if ((m->len + 1) * 2 > m->cap) {
		xf_map bigger = { NULL, NULL, m->cap ? m->cap * 2 : 16, 0 };

		bigger.keys = calloc(bigger.cap, sizeof(char *));
		bigger.vals = calloc(bigger.cap, sizeof(int));
		if (!bigger.keys || !bigger.vals) {
			free(bigger.keys);
			free(bigger.vals);
			return HW_ERROR;
		}
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t j = str_hash(m->keys[i]) & (bigger.cap - 1);

				while (bigger.keys[j])
					j = (j + 1) & (bigger.cap - 1);
				bigger.keys[j] = m->keys[i];
				bigger.vals[j] = m->vals[i];
				bigger.len++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = bigger;
	}
	mask = m->cap - 1;
	i = str_hash(key) & mask;
	while (m->keys[i]) {
		if (strcmp(m->keys[i], key) == 0) {
			m->vals[i] = val;
			return 0;
		}
		i = (i + 1) & mask;
	}
	if (!(m->keys[i] = strdup(key)))
		return HW_ERROR;
	m->vals[i] = val;
	m->len++;
	return 0;
}

int xf_map_get(const xf_map *m, const char *key)
{
	size_t i, mask;

	if (!m->cap || !key)
		return -1;
	mask = m->cap - 1;
	i = str_hash(key) & mask;
	while (m->keys[i]) {
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
		i = (i + 1) & mask;
	}
	return -1;
}

void xf_map_free(xf_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void free_fields(char **f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++)
		free(f[i]);
	free(f);
}

/*
 * Split one CSV record starting at *p (RFC 4180 quotes); advances *p.
 * Returns 0 or HW_ERROR (out of memory; nothing to free).
 */
static int csv_record(char ***fields, size_t *n, const char **p)
{
	const char *s = *p;
	hw_buf cur = HW_BUF_INIT;
	char **f = NULL;
	size_t cnt = 0;

	for (;;) {
		int quoted = 0;

		hw_buf_add(&cur, "", 0);
		if (*s == '"') {
			quoted = 1;
			s++;
			while (*s) {
				if (*s == '"' && s[1] == '"') {
					hw_buf_add(&cur, "\"", 1);
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					hw_buf_add(&cur, s++, 1);
				}
			}
		}
		while (*s && *s != ',' && *s != '\n' && *s != '\r') {
			hw_buf_add(&cur, s++, 1);
		}
		(void)quoted;
		{
			char **nf = realloc(f, (cnt + 1) * sizeof(char *));

			if (!nf || !(nf[cnt] = hw_buf_detach(&cur))) {
				free_fields(nf ? nf : f, cnt);
				hw_buf_free(&cur);
				*fields = NULL;
				*n = 0;
				return HW_ERROR;
			}
			f = nf;
			cnt++;
		}
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
		break;
	}
	hw_buf_free(&cur);
	*p = s;
	*fields = f;
	*n = cnt;
	return 0;
}


/* True if s is a usable XML element name. */
static int name_ok(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* Turn CSV text into a document <root><item><col>v</col>...</item>...</root>. */
int xf_csv_to_doc(xnode **out, const char *data, char *msg, size_t msglen)
{
	char **head = NULL, **row = NULL;
	size_t nhead = 0, nrow = 0, i, rows = 0;
	const char *p = data;
	xnode *doc = NULL, *root = NULL, *item, *cell;
	int rc = HW_ERROR;

	*out = NULL;
	snprintf(msg, msglen, "out of memory");
	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3;
	if (csv_record(&head, &nhead, &p) < 0)
		goto cleanup;
	for (i = 0; i < nhead; i++) {
		if (!name_ok(head[i])) {
			snprintf(msg, msglen, "bad column name '%s'", head[i]);
			rc = HW_EINVALID;
			goto cleanup;
		}
	}
	if (xnode_new_document(&doc) < 0 || xnode_new_element(&root, "root") < 0)
		goto cleanup;
	if (xnode_append(doc, root) < 0) {
		xnode_free(root);
		goto cleanup;
	}
	while (*p) {
		if (++rows > XFORM_CSV_MAX_ROWS) {
			snprintf(msg, msglen, "more than %d rows, the limit", XFORM_CSV_MAX_ROWS);
			rc = HW_EINVALID;
			goto cleanup;
		}
		if (csv_record(&row, &nrow, &p) < 0)
			goto cleanup;
		if (nrow == 1 && row[0][0] == '\0') {
			free_fields(row, nrow);
			row = NULL;
			nrow = 0;
			continue;
		}
		if (xnode_new_element(&item, "item") < 0)
			goto cleanup;
		if (xnode_append(root, item) < 0) {
			xnode_free(item);
			goto cleanup;
		}
		for (i = 0; i < nhead; i++) {
			if (xnode_new_element(&cell, head[i]) < 0)
				goto cleanup;
			if (xnode_set_value(cell, i < nrow ? row[i] : "") < 0 ||
			    xnode_append(item, cell) < 0) {
				xnode_free(cell);
				goto cleanup;
			}
		}
		free_fields(row, nrow);
		row = NULL;
		nrow = 0;
	}
	*out = doc;
	doc = NULL;
	rc = 0;
cleanup:
	free_fields(head, nhead);
	free_fields(row, nrow);
	xnode_free(doc);
	return rc;
}
