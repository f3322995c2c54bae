/*
 * formi18n.h: translation of forms through gettext catalogues.
 *
 * A source form holds its texts (itext) in English and in child wording
 * (en-x-child).  Translators work on one PO catalogue per form and language:
 * msgctxt is the itext id, msgid the English text; child wording has the
 * context "<id>@child" and the en-x-child text as msgid.  This module reads
 * the itext of a source form, turns it into a template (POT), parses PO
 * files, measures how much of a template a catalogue covers, and merges the
 * catalogues into one multilingual XForm.  The conventions are in
 * docs/forms.md.
 *
 * Texts are plain strings: whitespace runs folded to one space, and an
 * <output value="..."/> element inside a value written as that markup.
 */
#ifndef HW_FORMI18N_H
#define HW_FORMI18N_H

#include <stddef.h>

#include "error.h"

/* The suffix of a child-wording context ("consent:label@child"). */
#define FORMI18N_CHILD_SUFFIX "@child"

/* What a text is, for the translator. */
enum formi18n_kind {
	FORMI18N_OTHER = 0,    /* not referenced literally from the body */
	FORMI18N_LABEL,        /* label of a question, note or group */
	FORMI18N_HINT,         /* hint: guidance for the counsellor */
	FORMI18N_CHOICE,       /* label of a choice */
	FORMI18N_CONSTRAINT,   /* jr:constraintMsg of a bind */
	FORMI18N_REQUIRED,     /* jr:requiredMsg of a bind */
};

/* One itext id of a source form. */
typedef struct formi18n_text {
	char *id;            /* itext id */
	char *en;            /* English text; NULL when only child wording exists */
	char *child;         /* en-x-child text, or NULL when there is none */
	int line;            /* line of the English <text>, 0 if none */
	int child_line;      /* line of the child <text>, 0 if none */
	int kind;            /* enum formi18n_kind */
	char *control;       /* ref/nodeset of the question it belongs to, or NULL */
	char *control_type;  /* element name of that control ("select1"), or NULL */
	char *choice_value;  /* value of the choice, for FORMI18N_CHOICE */
} formi18n_text;

/* A loaded source form (opaque). */
typedef struct formi18n_form formi18n_form;

/*
 * Load the source form at path and read its itext.  Fails with HW_EINVALID
 * ("FILE:LINE: ...") for XML that does not parse, a form without itext, a
 * duplicate text id, or a translation other than en and en-x-child.  Caller
 * frees *out with formi18n_form_free.
 */
int formi18n_form_load(formi18n_form **out, const char *path, hw_error *err);

/* Free a form; NULL is fine. */
void formi18n_form_free(formi18n_form *form);

/* The form id (root id attribute), version ("" if none) and title; borrowed. */
const char *formi18n_form_id(const formi18n_form *form);
const char *formi18n_form_version(const formi18n_form *form);
const char *formi18n_form_title(const formi18n_form *form);

/* Number of itext ids and the i-th one, in the order of the English itext; borrowed. */
size_t formi18n_form_count(const formi18n_form *form);
const formi18n_text *formi18n_form_text(const formi18n_form *form, size_t i);

/* One catalogue entry. */
typedef struct formi18n_entry {
	char *ctxt;       /* msgctxt, or NULL */
	char *msgid;
	char *msgstr;     /* "" when untranslated */
	char *comments;   /* extracted comments ("#."), lines joined by '\n', or NULL */
	char *refs;       /* reference ("#:"), or NULL */
	int fuzzy;        /* "#, fuzzy" */
	int line;         /* line where the entry starts in its file, 0 if built */
} formi18n_entry;

/* A PO or POT catalogue (opaque). */
typedef struct formi18n_catalog formi18n_catalog;

/*
 * Build the template of a form: one entry per English text and one per
 * child text, with comments for translators.  ref_path is the file name
 * written in "#:" references (NULL: the path the form was loaded from).
 * Caller frees *out with formi18n_catalog_free.
 */
int formi18n_catalog_from_form(formi18n_catalog **out, const formi18n_form *form,
	const char *ref_path, hw_error *err);

/*
 * Parse a PO or POT file held in memory; name is used in messages
 * ("nl.po:12: unterminated string").  Plural entries are refused, obsolete
 * ("#~") entries skipped.  Caller frees *out with formi18n_catalog_free.
 */
int formi18n_po_parse(formi18n_catalog **out, const char *name,
	const char *data, size_t len, hw_error *err);

/* Read and parse the PO or POT file at path. */
int formi18n_po_load(formi18n_catalog **out, const char *path, hw_error *err);

/* Serialise a catalogue as PO text into *out (caller frees). */
int formi18n_po_write(char **out, const formi18n_catalog *cat, hw_error *err);

/*
 * A new catalogue without entries; header is the msgstr of the header entry
 * (NULL: none; a template's header is marked fuzzy) and comments the
 * translator comments above it (NULL: none).  Caller frees.
 */
int formi18n_catalog_new(formi18n_catalog **out, const char *header, const char *comments,
	hw_error *err);

/* Append a copy of entry e. */
int formi18n_catalog_add(formi18n_catalog *cat, const formi18n_entry *e, hw_error *err);

/* Free a catalogue; NULL is fine. */
void formi18n_catalog_free(formi18n_catalog *cat);

/* Number of entries (the header not counted) and the i-th one; borrowed. */
size_t formi18n_catalog_count(const formi18n_catalog *cat);
const formi18n_entry *formi18n_catalog_entry(const formi18n_catalog *cat, size_t i);

/* The entry with this msgctxt, or NULL; borrowed. */
const formi18n_entry *formi18n_catalog_find(const formi18n_catalog *cat, const char *ctxt);

/* A header field's value ("Language"), or NULL if absent; caller frees. */
char *formi18n_catalog_header(const formi18n_catalog *cat, const char *field);

/* How much of a template one catalogue covers. */
typedef struct formi18n_coverage {
	size_t total;             /* entries in the template */
	size_t translated;        /* translated, not fuzzy, for the current English */
	size_t fuzzy;             /* fuzzy, written for older English, or broken markup */
	size_t missing;           /* absent or empty msgstr */
	size_t child_total;       /* of total: child-wording entries */
	size_t child_translated;  /* of translated: child-wording entries */
	char **fuzzy_ids;         /* contexts of the fuzzy entries (fuzzy of them) */
	char **missing_ids;       /* contexts of the missing entries (missing of them) */
} formi18n_coverage;

#define FORMI18N_COVERAGE_INIT { 0, 0, 0, 0, 0, 0, NULL, NULL }

/*
 * Compare catalogue po (NULL: no catalogue at all) with template tmpl.  An
 * entry counts as translated when po has its context with the same msgid, a
 * non-empty msgstr, no fuzzy flag, and the same <output/> markup.  out must
 * be initialised; free its lists with formi18n_coverage_clear.
 */
int formi18n_coverage_compute(formi18n_coverage *out, const formi18n_catalog *tmpl,
	const formi18n_catalog *po, hw_error *err);

/* Free the lists of a coverage and zero it. */
void formi18n_coverage_clear(formi18n_coverage *cov);

/* One target language of a merge. */
typedef struct formi18n_lang {
	const char *code;               /* "nl" */
	const formi18n_catalog *po;     /* its catalogue, or NULL; borrowed */
} formi18n_lang;

/*
 * Merge a source form with the catalogues of langs into a multilingual
 * XForm: translations en, en-x-child, then for each language L and
 * L-x-child, each holding every text id.  A missing translation falls back
 * to English (a child text to L's plain text first).  *out is the XML
 * (caller frees) and *out_len its length.  When coverage is not NULL it
 * receives one initialised coverage per language (nlangs of them, each to
 * be cleared by the caller) telling what fell back.
 */
int formi18n_merge(char **out, size_t *out_len, formi18n_coverage *coverage,
	const formi18n_form *form, const formi18n_lang *langs, size_t nlangs,
	hw_error *err);

/*
 * The name of a language in a built form: "Français (fr)" or, for child
 * wording, "Français, pour les enfants (fr-x-child)".  po's header fields
 * X-Language-Name and X-Child-Language-Name override the built-in names.
 * Caller frees.
 */
char *formi18n_language_name(const char *code, int child, const formi18n_catalog *po);

/*
 * Data files (formi18n_csv.c).  A CSV file read as a secondary instance
 * (the assistance inventory) is translated like a form: one catalogue per
 * file and language, msgctxt "<name>:<column>" where name is the row's
 * `name` column ("cash_grant:label").  Rows that share a name and a text
 * share one entry; a row whose text differs from the first row of its name
 * gets "<name>/<country>:<column>" (the row's line without a country
 * column).  The merge appends a column "<column>_<lang>" for each
 * translated column and language, after the existing ones.
 */

/* The columns translated when none are named. */
#define FORMI18N_CSV_COLUMNS "label,description"

/*
 * The template of table t: one entry per distinct text of the columns cols
 * (ncols of them; a column the table lacks is skipped).  id names the file
 * in the header ("assistance"); ref_path is written in "#:" references.
 * HW_EINVALID when the table has no `name` column.  Caller frees *out.
 */
struct hw_csv;
int formi18n_catalog_from_csv(formi18n_catalog **out, const struct hw_csv *t, const char *id,
	const char *ref_path, const char *const *cols, size_t ncols, hw_error *err);

/*
 * Add the translated columns of langs to table t (changed in place): for
 * each column of cols and each language, "<column>_<lang>" holding the
 * translation, or the English text where it is missing or fuzzy.  coverage
 * as for formi18n_merge.  HW_EEXISTS when t already has such a column.
 */
int formi18n_merge_csv(struct hw_csv *t, formi18n_coverage *coverage, const char *id,
	const char *const *cols, size_t ncols, const formi18n_lang *langs, size_t nlangs,
	hw_error *err);

#endif
