/* providers.c: reading providers.csv (RFC 4180, UTF-8, a header row). */
#include "config.h"
#include "providers.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void providers_free(hw_provider_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		hw_provider *p = &l->items[i];
		free(p->id); free(p->name); free(p->country); free(p->services); free(p->contact);
	}
	free(l->items);
	free(l);
}

const hw_provider *providers_find(const hw_provider_list *l, const char *id)
{
	for (size_t i = 0; l && id && i < l->count; i++)
		if (!strcmp(l->items[i].id, id))
			return &l->items[i];
	return NULL;
}

/*
 * Split one CSV record starting at *pp into at most max fields (new
 * strings); advances *pp past the record.  Returns the field count, or -1
 * for an unclosed quote.
 */
static int csv_record(const char **pp, char **fields, int max)
{
	const char *p = *pp;
	int n = 0;

	for (;;) {
		hw_buf b = HW_BUF_INIT;

		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					hw_buf_free(&b);
					return -1;
				}
				if (*p == '"' && p[1] == '"') {
					hw_buf_add(&b, "\"", 1);
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					hw_buf_add(&b, p++, 1);
				}
			}
		}
		while (*p && *p != ',' && *p != '\n' && *p != '\r')
			hw_buf_add(&b, p++, 1);
		if (n < max)
			fields[n++] = hw_buf_detach(&b);
		else
			hw_buf_free(&b);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
		break;
	}
	*pp = p;
	return n;
}

int providers_load(hw_ws *ws, hw_provider_list **out)
{
	char *path = hw_path_join(ws_forms_dir(ws), "providers.csv"), *text = NULL, *data = NULL;
	hw_provider_list *l = calloc(1, sizeof(*l));
	const char *p;
	int rc = 0, line = 1;

	*out = NULL;
	if (!path || !l) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!hw_exists(path)) {
		free(path);
		data = ws_data_dir();
		path = data ? hw_path_join(data, "forms/providers.csv") : NULL;
		if (!path || !hw_exists(path))
			goto done;
	}
	if ((rc = hw_read_file(path, &text, NULL, ws_err(ws))) < 0)
		goto cleanup;
	p = text;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	{
		char *h[5] = { 0 };
		int n = csv_record(&p, h, 5);

		if (n < 5 || strcmp(h[0], "id") || strcmp(h[1], "name") || strcmp(h[2], "country") ||
		    strcmp(h[3], "services") || strcmp(h[4], "contact"))
			rc = hw_error_set(ws_err(ws), HW_EINVALID,
					  "%s:1: the header must be id,name,country,services,contact", path);
		for (int i = 0; i < 5; i++)
			free(h[i]);
		if (rc < 0)
			goto cleanup;
	}
	while (*p) {
		char *f[5] = { 0 };
		int n = csv_record(&p, f, 5);
		hw_provider *x;

		line++;
		if (n == 1 && !*f[0]) {
			free(f[0]);
			continue;
		}
		if (n < 5 || !*f[0] || !*f[1] || strlen(f[2]) != 2) {
			for (int i = 0; i < 5; i++)
				free(f[i]);
			rc = hw_error_set(ws_err(ws), HW_EINVALID,
					  "%s:%d: a provider needs an id, a name and a two-letter country", path, line);
			goto cleanup;
		}
		x = realloc(l->items, (l->count + 1) * sizeof(*x));
		if (!x) {
			for (int i = 0; i < 5; i++)
				free(f[i]);
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		l->items = x;
		x = &l->items[l->count++];
		x->id = f[0];
		x->name = f[1];
		x->country = f[2];
		x->services = f[3];
		x->contact = f[4];
	}
done:
	*out = l;
	l = NULL;
cleanup:
	providers_free(l);
	free(path);
	free(text);
	free(data);
	return rc;
}
