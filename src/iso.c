/* iso.c: looking up ISO 3166-1 and ISO 639 codes (iso.h). */
#include "config.h"
#include "iso.h"

#include <stdlib.h>
#include <string.h>

#include "iso_tables.h"

static int cmp_entry(const void *key, const void *e)
{
	return strcmp(key, ((const iso_entry *)e)->code);
}

/* The entry for code in a sorted table, or NULL. */
static const iso_entry *find(const iso_entry *table, size_t n, const char *code)
{
	return code ? bsearch(code, table, n, sizeof(*table), cmp_entry) : NULL;
}

const char *iso_country_name(const char *code)
{
	const iso_entry *e = find(iso_countries, iso_countries_count, code);

	return e ? e->name : NULL;
}

const char *iso_language_name(const char *tag)
{
	char first[4];
	size_t n = tag ? strcspn(tag, "-") : 0;
	const iso_entry *e;

	if (n < 2 || n > 3)
		return NULL;
	memcpy(first, tag, n);
	first[n] = '\0';
	e = find(iso_languages, iso_languages_count, first);
	return e ? e->name : NULL;
}
