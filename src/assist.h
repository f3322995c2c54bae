/*
 * assist.h: the assistance inventory (assistance.csv, described in
 * docs/assistance-inventory.md) as the screens read it outside any form:
 * the items for one country of return, with their label and description in
 * one language (the columns label_<lang> and description_<lang> the build
 * adds, else the English ones).
 */
#ifndef HW_ASSIST_H
#define HW_ASSIST_H

#include <stddef.h>

#include "error.h"
#include "workspace.h"

/* One item of assistance; the strings belong to the list. */
typedef struct assist_item {
	const char *name;         /* value stored in submissions ("cash_grant") */
	const char *country;      /* ISO 3166-1 alpha-2, as in the file */
	const char *kind;         /* "cash", "in_kind", ... (docs/assistance-inventory.md) */
	const char *label;        /* in the language asked for, else English */
	const char *description;  /* in the language asked for, else English */
	const char *max_amount;   /* max_amount_eur, "" when none */
	int minors_only;          /* only for children */
	int line;                 /* line of the row in the file */
} assist_item;

typedef struct assist_list {
	size_t count;
	assist_item *items;       /* in file order */
	void *table;              /* the parsed file, owning the strings */
} assist_list;

/*
 * The items for country (compared without case; NULL: every country) in
 * language lang ("fr"; NULL or "en": English), read from the workspace's
 * forms/assistance.csv, else the shipped one.  HW_ENOTFOUND when neither
 * exists; HW_EINVALID (with the file and line) when a required column is
 * missing or minors_only is neither yes nor no.  Detail in the workspace's
 * error slot.  Caller frees *out with assist_free.
 */
int assist_load(hw_ws *ws, const char *country, const char *lang, assist_list **out);

/* The same from the file at path, with the detail in err. */
int assist_load_file(const char *path, const char *country, const char *lang, assist_list **out,
	hw_error *err);

/* Free a list; NULL is fine. */
void assist_free(assist_list *list);

#endif
