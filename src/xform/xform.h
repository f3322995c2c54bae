/*
 * xform.h: the ODK XForms engine.
 *
 * Two handles:
 *
 *   xform          a loaded form (model, binds, body, itext, secondary
 *                  instances, compiled expressions, dependency graph).  It
 *                  is immutable after xform_load() and may be shared by any
 *                  number of sessions; free it after its last session.
 *   xform_session  one filled-in instance of a form: the primary instance
 *                  tree, the computed state (relevant, required, readonly),
 *                  the chosen language.  Not thread-safe; one per thread.
 *
 * Paths are absolute instance paths written as strings, with repeat
 * instances 1-based: "/data/household[2]/name".  A step without an index is
 * its first instance.
 *
 * Every function that can fail returns 0 or a negative code of error.h and
 * writes an English detail into the hw_error given (which may be NULL).
 * Strings returned through `char **` are owned by the caller (free());
 * strings returned as `const char *` are borrowed from the handle and stay
 * valid until the next call that changes it.
 */
#ifndef HW_XFORM_H
#define HW_XFORM_H

#include <stddef.h>
#include <time.h>

#include "error.h"

typedef struct xform xform;
typedef struct xform_session xform_session;

/* ---------------------------------------------------------------- forms */

enum xform_severity { XFORM_WARNING = 1, XFORM_ERROR = 2 };

/* One problem found while loading: file, line (0 if unknown), message. */
typedef void (*xform_diag_fn)(const char *file, int line, int severity,
			      const char *message, void *payload);

typedef struct xform_load_options {
	unsigned version;
	xform_diag_fn diag;    /* called for every warning and the error; may be NULL */
	void *payload;
} xform_load_options;

#define XFORM_LOAD_OPTIONS_VERSION 1
#define XFORM_LOAD_OPTIONS_INIT { XFORM_LOAD_OPTIONS_VERSION, NULL, NULL }

/*
 * Load the form at path (external instances jr://file/NAME are read from the
 * same folder).  On failure *out is NULL, the code is HW_EINVALID (bad form)
 * or HW_ENOTFOUND / HW_ERROR, and err holds "FILE:LINE: problem".
 * Caller frees *out with xform_free().
 */
int xform_load(xform **out, const char *path, hw_error *err);

/* The same with options (diagnostics callback for warnings). */
int xform_load_ext(xform **out, const char *path,
		   const xform_load_options *opts, hw_error *err);

/* Free a form; NULL is fine.  Its sessions must be freed first. */
void xform_free(xform *form);

/* The form's id (id attribute of the primary instance's root), "" if none. */
const char *xform_id(const xform *form);

/* The form's version attribute, "" if none. */
const char *xform_version(const xform *form);

/* The h:title text, "" if none. */
const char *xform_title(const xform *form);

/* The path the form was loaded from. */
const char *xform_path(const xform *form);

/* Number of itext languages (0 for a form without itext). */
size_t xform_language_count(const xform *form);

/* Code ("en", "en-x-child", or the whole name when it has no parentheses)
 * and full name ("English (en)") of language i; NULL when out of range. */
const char *xform_language_code(const xform *form, size_t i);
const char *xform_language_name(const xform *form, size_t i);

/* The code of the default language, NULL for a form without itext. */
const char *xform_default_language(const xform *form);

/* ------------------------------------------------------------- sessions */

typedef struct xform_session_options {
	unsigned version;
	const char *language;  /* code (or full name); NULL: the form's default */
	int minor;             /* the returnee is a child: prefer -x-child texts */
	const char *deviceid;  /* for jr:preload="property" deviceid; NULL: "" */
	const char *username;  /* for jr:preload="property" username; NULL: "" */
	time_t now;            /* fixed clock for now()/today()/timeStart; 0: real */
	const char *case_xml;  /* instance('case'): the case worked on, as XML
				  (<root><item>...</item></root>, docs/form-entities.md);
				  NULL: the form's own (empty) one.  Copied. */
	size_t case_len;       /* bytes of case_xml; 0: strlen */
} xform_session_options;

#define XFORM_SESSION_OPTIONS_VERSION 1
#define XFORM_SESSION_OPTIONS_INIT { XFORM_SESSION_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL, 0 }

/*
 * Start a fresh instance of form: defaults, preloads, odk-instance-first-load
 * actions, jr:count repeats, first full evaluation.  Caller frees *out with
 * xform_session_free(); form must outlive it.
 */
int xform_session_new(xform_session **out, const xform *form,
		      const xform_session_options *opts, hw_error *err);

/*
 * Start an edit of a finalised submission (its XML): the answers are taken
 * from it, a new meta/instanceID is made and meta/deprecatedID holds the old.
 */
int xform_session_edit(xform_session **out, const xform *form,
		       const char *submission_xml, size_t len,
		       const xform_session_options *opts, hw_error *err);

/* Free a session; NULL is fine. */
void xform_session_free(xform_session *s);

/* The form a session runs. */
const xform *xform_session_form(const xform_session *s);

/* Switch the form language (code or full name); HW_ENOTFOUND if unknown. */
int xform_set_language(xform_session *s, const char *code, hw_error *err);

/* The current language code, NULL for a form without itext. */
const char *xform_language(const xform_session *s);

/* Tell whether the returnee is a minor (child variants used when present). */
void xform_set_minor(xform_session *s, int minor);

/*
 * Answer the question at path.  value is the raw text: typed by the bind
 * (int, decimal, date YYYY-MM-DD, time HH:MM[:SS], dateTime), a choice value
 * for select1, space-separated choice values for select.  A bad value is
 * HW_EINVALID with a message fit to show; the node is left unchanged.
 * HW_ENOTFOUND when no node has that path; HW_EINVALID if it is readonly.
 */
int xform_answer(xform_session *s, const char *path, const char *value, hw_error *err);

/* Clear an answer (same as answering ""). */
int xform_clear(xform_session *s, const char *path, hw_error *err);

/* Add an instance at the end of the repeat at path; *out_index (may be NULL)
 * receives its 1-based index. */
int xform_repeat_add(xform_session *s, const char *path, size_t *out_index, hw_error *err);

/* Remove the repeat instance at path ("/data/rep[2]"). */
int xform_repeat_remove(xform_session *s, const char *path, hw_error *err);

/* Number of instances of the repeat at path. */
int xform_repeat_count(xform_session *s, const char *path, size_t *out, hw_error *err);

/* The value of the node at path (borrowed, "" when empty). */
int xform_value(const char **out, xform_session *s, const char *path, hw_error *err);

/* Computed state of a node. */
typedef struct xform_node_state {
	int relevant;   /* itself and all its ancestors */
	int required;   /* required and relevant */
	int readonly;   /* readonly, or under a readonly group */
} xform_node_state;

int xform_state(xform_node_state *out, xform_session *s, const char *path, hw_error *err);

/* Evaluate expr with the primary instance's root as context; *out is its
 * XPath string() value (caller frees). */
int xform_eval(char **out, xform_session *s, const char *expr, hw_error *err);

/* A choice on offer: value and label in the current language. */
typedef struct xform_choice {
	char *value;
	char *label;
} xform_choice;

typedef struct xform_choice_list {
	size_t count;
	xform_choice *items;
} xform_choice_list;

/* The choices currently offered by the select at path (caller frees the list). */
int xform_choices(xform_choice_list **out, xform_session *s, const char *path, hw_error *err);
void xform_choice_list_free(xform_choice_list *list);

/* Label, hint and constraint message of the control bound to path, in the
 * current language with outputs substituted (caller frees; "" when none). */
int xform_label(char **out, xform_session *s, const char *path, hw_error *err);
int xform_hint(char **out, xform_session *s, const char *path, hw_error *err);
int xform_constraint_message(char **out, xform_session *s, const char *path, hw_error *err);

/* Which text of a question xform_text_lang() reads. */
enum xform_text_kind {
	XFORM_TEXT_LABEL = 1,
	XFORM_TEXT_HINT,
	XFORM_TEXT_CONSTRAINT,  /* the constraint message (constraintMsg) */
	XFORM_TEXT_REQUIRED,    /* the required message (requiredMsg) */
};

/*
 * One text (enum xform_text_kind) of the question at path in language lang
 * (a code or full name; NULL: the session's language), read without
 * switching the session's language: nothing is recomputed, no answer
 * changes, xform_language() stays the same.  Outputs are substituted and the
 * child-variant rule applies; a value computed from jr:itext() stays in the
 * session's language.  *out is "" when the question has no such text; for a
 * form without languages lang is ignored.  HW_ENOTFOUND for an unknown
 * language or path.  Caller frees *out.
 */
int xform_text_lang(char **out, xform_session *s, const char *path, int which,
		    const char *lang, hw_error *err);

/* The label of the question at path in language lang (as xform_text_lang()). */
int xform_label_lang(char **out, xform_session *s, const char *path,
		     const char *lang, hw_error *err);

/* The choices offered by the select at path, labelled in language lang: the
 * same values in the same order as xform_choices() (caller frees the list). */
int xform_choices_lang(xform_choice_list **out, xform_session *s, const char *path,
		       const char *lang, hw_error *err);

/* ----------------------------------------------------------- validation */

enum xform_failure_kind { XFORM_FAIL_REQUIRED = 1, XFORM_FAIL_CONSTRAINT = 2 };

typedef struct xform_failure {
	char *path;        /* "/data/rep[2]/q" */
	int kind;          /* enum xform_failure_kind */
	char *message;     /* requiredMsg / constraintMsg in the current language,
			      or an English default */
} xform_failure;

typedef struct xform_failure_list {
	size_t count;
	xform_failure *items;
} xform_failure_list;

/* Validate the whole instance; *out lists the failures in form order (count 0
 * when valid).  Caller frees with xform_failure_list_free(). */
int xform_validate(xform_failure_list **out, xform_session *s, hw_error *err);
void xform_failure_list_free(xform_failure_list *list);

/* ----------------------------------------------------------- navigation */

enum xform_kind {
	XFORM_INPUT = 1,
	XFORM_SELECT1,
	XFORM_SELECT,
	XFORM_TRIGGER,
	XFORM_NOTE,         /* a read-only input: text only */
	XFORM_GROUP,
	XFORM_REPEAT,       /* the repeat itself; its instances are GROUP-like rows */
	XFORM_UNSUPPORTED,  /* upload, geopoint, ...: shown, never answered */
};

enum xform_type {
	XFORM_T_STRING = 0, XFORM_T_INT, XFORM_T_DECIMAL, XFORM_T_DATE, XFORM_T_TIME,
	XFORM_T_DATETIME, XFORM_T_SELECT1, XFORM_T_SELECT, XFORM_T_OTHER,
};

typedef struct xform_nav_item {
	char *path;            /* instance path with repeat indices */
	int kind;              /* enum xform_kind */
	int type;              /* enum xform_type of the bound node */
	int depth;             /* nesting: 0 at the body's top level */
	char *label;           /* current language, outputs substituted, child rule */
	char *hint;            /* "" when none */
	char *appearance;      /* "" when none */
	char *value;           /* current value ("" when empty or a group) */
	char *constraint_msg;  /* "" when none */
	char *unsupported;     /* element name for XFORM_UNSUPPORTED, else "" */
	xform_choice_list choices;  /* selects: currently offered */
	int required, readonly, relevant;
	int field_list;        /* index of the enclosing field-list group item, -1 if none */
	int repeat_instance;   /* for a repeat instance row: its 1-based index, else 0 */
	int can_add, can_remove;  /* repeats: user may add / remove instances */
	int line;              /* line in the form file */
} xform_nav_item;

typedef struct xform_nav {
	size_t count;
	xform_nav_item *items;
} xform_nav;

/*
 * The controls in form order, flattened: each group, then its children; each
 * repeat, then for each instance a GROUP row (repeat_instance = n) and its
 * children.  Non-relevant items are listed with relevant = 0 (and their
 * children too).  Caller frees with xform_nav_free().
 */
int xform_nav_build(xform_nav **out, xform_session *s, hw_error *err);
void xform_nav_free(xform_nav *nav);

/* ----------------------------------------------------------- submission */

/*
 * Finalise and serialise the primary instance as ODK instance XML: sets
 * timeEnd preloads, leaves out non-relevant nodes, keeps meta/instanceID
 * ("uuid:...").  *out is NUL-terminated, caller frees; *len may be NULL.
 */
int xform_submission(char **out, size_t *len, xform_session *s, hw_error *err);

/* The session's meta/instanceID ("uuid:..."), "" if the form has none. */
const char *xform_instance_id(xform_session *s);

/* ----------------------------------------- the case (ODK entities) */

/*
 * A form reads the case it is filled for as the secondary instance
 * instance('case') (one item, /root/item, as ODK's entity lists), writes
 * answers back with entities:saveto="property" on binds, and says whom it
 * is for with homeward:applies-to on <model> (docs/form-entities.md).
 */

/* True if name can be a case property of entities:saveto: 1 to 64
 * lower-case letters, digits and _, not starting with a digit, not the
 * reserved name, label or __anything. */
int xform_property_name_ok(const char *name);

/* True if the form declares <instance id="case">. */
int xform_has_case(const xform *form);

/* homeward:applies-to as written ("minor", or an XPath expression), NULL if
 * the form is for every case. */
const char *xform_applies_to(const xform *form);

/* Whether the form applies to the case given as XML (case_xml as in
 * xform_session_options; NULL: an empty case): *out 1 or 0.  A form without
 * applies-to applies to every case.  HW_EINVALID when the XML is not XML or
 * the expression fails (then *out is 0). */
int xform_applies(int *out, const xform *form, const char *case_xml, size_t len, hw_error *err);

/* The questions that save to the case: how many, and the i-th one's generic
 * path, property and bind line (borrowed from the form); HW_ENOTFOUND when
 * out of range.  Any out pointer may be NULL. */
size_t xform_saveto_count(const xform *form);
int xform_saveto_at(const xform *form, size_t i, const char **path, const char **property,
		    int *line);

/* One value a session writes back to the case. */
typedef struct xform_saveto {
	char *property;
	char *path;
	char *value;
} xform_saveto;

typedef struct xform_saveto_list {
	size_t count;
	xform_saveto *items;
} xform_saveto_list;

/* The savetos of the session that are relevant and answered, in form order
 * (a question left empty or not relevant leaves the property as it is).
 * Caller frees with xform_saveto_list_free(). */
int xform_savetos(xform_saveto_list **out, xform_session *s, hw_error *err);
void xform_saveto_list_free(xform_saveto_list *list);

/* meta/entity/@baseVersion of the session (borrowed; "" when none). */
const char *xform_entity_base_version(xform_session *s);

/* A node a form reads in a secondary instance: its generic path
 * ("/root/item/age") and the line of what reads it (0 if unknown). */
typedef void (*xform_ref_fn)(const char *path, int line, void *payload);

/* Call fn for every reference of the form's expressions (binds, actions,
 * texts, itemsets, applies-to) into instance(instance_id); a path may come
 * more than once. */
int xform_instance_refs(const xform *form, const char *instance_id, xform_ref_fn fn,
			void *payload, hw_error *err);

/* ---------------------------------------------------------------- replay */

enum xform_op_kind {
	XFORM_OP_ANSWER = 1,   /* path, value */
	XFORM_OP_CLEAR,        /* path */
	XFORM_OP_ADD_REPEAT,   /* path of the repeat */
	XFORM_OP_REMOVE_REPEAT,/* path of the instance */
	XFORM_OP_LANGUAGE,     /* value = code */
};

typedef struct xform_op {
	int kind;              /* enum xform_op_kind */
	const char *path;
	const char *value;
} xform_op;

/*
 * Replay ops in order on s (a draft restored from storage).  Stops at the
 * first op that fails, with *failed_at (may be NULL) set to its index; on
 * success *failed_at = n.  The same ops on the same form always give the
 * same instance (except the generated instanceID and times).
 */
int xform_replay(xform_session *s, const xform_op *ops, size_t n,
		 size_t *failed_at, hw_error *err);

/* ------------------------------------------------------------- scenarios */

/* One expectation result of a scenario run. */
typedef struct xform_scenario_result {
	const char *steps_file;
	int line;
	int passed;
	const char *expected;  /* what the step expected (for a failure) */
	const char *actual;    /* what was found */
} xform_scenario_result;

typedef void (*xform_scenario_fn)(const xform_scenario_result *r, void *payload);

typedef struct xform_scenario_summary {
	int passed;
	int failed;
} xform_scenario_summary;

/*
 * Run the steps file against a fresh instance of the form at form_path, as
 * the "Scenario files" format says.  cb (may be NULL) is called for every
 * expectation, and for a step that could not be run (counted as failed).
 * Returns 0 when the run happened (even with failures), a negative code when
 * the steps file could not be read.
 */
int xform_scenario_run(xform_scenario_summary *out, const char *form_path,
		       const char *steps_path, xform_scenario_fn cb, void *payload,
		       hw_error *err);

/* Evaluation counter of a session (for tests of the dependency graph): the
 * number of bind expressions evaluated since it started. */
unsigned long xform_eval_count(const xform_session *s);

/* ---------------------------------------------------------------- tables */

/*
 * A form's submissions as tables, the way ODK Central exports them: one
 * table for the form (one row a submission) and one for each repeat (one
 * row a repeat instance, linked to its parent row by keys).  A column per
 * question, named by its path below the table's node with the steps joined
 * by "-" ("household-size"); a select-multiple question has its column (the
 * values separated by spaces) and one 0/1 column per choice the form offers
 * ("colours/red").  Table 0 is the form's; a repeat's table is named by the
 * repeat (its path joined by "-" when two repeats share a name).
 */
typedef struct xform_tables xform_tables;

/*
 * The tables of form.  lang (NULL: none) asks for select answers written as
 * the choices' labels in that language instead of their values (the column
 * names stay the same); HW_ENOTFOUND for a language the form lacks.
 * Caller frees *out with xform_tables_free(); form must outlive it.
 */
int xform_tables_new(xform_tables **out, const xform *form, const char *lang, hw_error *err);
void xform_tables_free(xform_tables *t);

/* Number of tables (1 + the number of repeats). */
size_t xform_tables_count(const xform_tables *t);

/* Table i's name ("" for table 0) and its parent table (0 for table 0). */
const char *xform_tables_name(const xform_tables *t, size_t i);
size_t xform_tables_parent(const xform_tables *t, size_t i);

/* Table i's column names (borrowed); returns how many. */
size_t xform_tables_columns(const xform_tables *t, size_t i, const char *const **names);

/* Whether column col of table i is a choice's 0/1 column ("1", "0", "" unanswered). */
int xform_tables_is_choice(const xform_tables *t, size_t i, size_t col);

/* One row read from a submission. */
typedef struct xform_table_row {
	size_t table;               /* its table */
	size_t parent;              /* index of its parent row; (size_t)-1 for the form's row */
	const char *key;            /* the form's row: the key given; a repeat instance: its
				       parent's key + "/" + path + "[n]" (ODK Central's KEY) */
	const char *const *values;  /* one per column of its table, "" when not there */
} xform_table_row;

/*
 * Read one submission's XML into rows: the form's row first, then each
 * repeat instance after its parent (document order).  The rows and their
 * strings are borrowed until the next call or xform_tables_free().  XML
 * that does not parse, or whose root is not the form's, is HW_EINVALID.
 */
int xform_tables_read(xform_tables *t, const char *xml, size_t len, const char *key,
		      const xform_table_row **rows, size_t *nrows, hw_error *err);

#endif
