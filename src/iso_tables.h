/* iso_tables.h: the generated tables behind src/iso.c (private to it). */
#ifndef HW_ISO_TABLES_H
#define HW_ISO_TABLES_H

#include <stddef.h>

typedef struct iso_entry {
	const char *code;   /* "NG"; "ha", "prs" */
	const char *name;   /* the English name */
} iso_entry;

/* Sorted by code (strcmp order). */
extern const iso_entry iso_countries[];
extern const size_t iso_countries_count;
extern const iso_entry iso_languages[];
extern const size_t iso_languages_count;

#endif
