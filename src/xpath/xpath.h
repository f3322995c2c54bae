/*
 * xpath.h: the ODK XPath expression language: compile once, list the nodes
 * an expression reads, evaluate over xnode trees.
 *
 * The grammar is XPath 1.0 as ODK forms use it (operators, paths with
 * predicates, the axes child, parent, self, attribute and
 * descendant-or-self via "//", function calls with prefixes such as
 * jr:choice-name, current(), instance('id')/root/item).  Semantics follow
 * the ODK XForms specification and, where tools disagree, JavaRosa: node
 * values are strings, a date or dateTime used as a number is days since
 * 1970-01-01, if(), coalesce(), 2-argument round() and the other ODK
 * functions exist with ODK's arities.
 *
 * Where JavaRosa departs from XPath 1.0, this engine follows JavaRosa:
 *  - an absolute path evaluated inside a repeat instance refers to that
 *    instance: with context /data/rep[2]/a, "/data/rep/b" is
 *    /data/rep[2]/b (and count(/data/rep) is 1 there; use a relative path
 *    such as ../../rep to count them all);
 *  - a node-set of one node stands for its value: in =, != and boolean()
 *    (so relevant="/data/x" means "x is answered"); an empty node-set is ""
 *    in = and != ("/data/missing = ''" is true);
 *  - round() rounds half away from zero on the number's shortest decimal
 *    form (round(2.675, 2) is 2.68).
 * Node-sets of several nodes keep XPath 1.0's meaning where JavaRosa would
 * refuse them (comparisons hold if any node satisfies them).
 *
 * Compile errors (syntax, unknown function, wrong number of arguments) are
 * found by xpath_compile, so a form with a broken expression fails to load
 * rather than failing when a counsellor reaches the question.
 */
#ifndef HW_XPATH_H
#define HW_XPATH_H

#include <stddef.h>

#include "error.h"
#include "xpath/xnode.h"

/* A compiled expression; immutable after compilation except for internal caches. */
typedef struct xpath_expr xpath_expr;

typedef enum xpath_type {
	XPATH_NODESET = 1,
	XPATH_BOOLEAN = 2,
	XPATH_NUMBER = 3,
	XPATH_STRING = 4,
} xpath_type;

/*
 * The result of an evaluation.  Free with xpath_value_free.
 *
 * For XPATH_STRING, str may borrow (from a node's value or from the
 * expression's literals): it stays valid until the tree is changed or the
 * expression is freed, whichever comes first.  Copy it (xpath_value_string)
 * to keep it longer.
 */
typedef struct xpath_value {
	xpath_type type;
	int boolean;          /* XPATH_BOOLEAN: 0 or 1 */
	double number;        /* XPATH_NUMBER */
	const char *str;      /* XPATH_STRING: never NULL; equals owned_ when owned */
	size_t str_len;       /* XPATH_STRING: bytes */
	char *owned_;         /* private: the string buffer when owned */
	xnode **nodes;        /* XPATH_NODESET: nodes in document order, no duplicates; array owned, nodes borrowed */
	size_t nnodes;
	size_t nodes_cap_;    /* private */
} xpath_value;

#define XPATH_VALUE_INIT { 0, 0, 0.0, NULL, 0, NULL, NULL, 0, 0 }

/*
 * What the evaluator asks of its surroundings (the form model).  Any
 * callback may be NULL: instance() and itext() then fail with a clear
 * error, choice_name() yields "", now() uses the clock.  Callbacks return 0
 * or a negative code (HW_ENOTFOUND for an unknown id); strings they return
 * are borrowed and must stay valid until the evaluation returns.
 */
typedef struct xpath_env {
	/* instance('id'): the document node of the secondary instance id. */
	int (*instance)(xnode **out, const char *id, void *payload);
	/* jr:itext('id'): the text of id in the current language (child variant when it applies). */
	int (*itext)(const char **out, const char *id, void *payload);
	/*
	 * jr:choice-name(value, path): the label, in the current language, of the
	 * choice value of the select question bound at node.  Set *out to NULL
	 * (and return 0) if there is no such choice; the function then gives "".
	 */
	int (*choice_name)(const char **out, const char *value, const xnode *node, void *payload);
	/*
	 * today() and now(): the current time as seconds since the epoch (UTC)
	 * and the local offset from UTC in minutes, so tests can fix the clock.
	 */
	int (*now)(double *epoch_seconds, int *utc_offset_minutes, void *payload);
	void *payload;
} xpath_env;

/* Where an expression is evaluated. */
typedef struct xpath_ctx {
	xnode *node;          /* context node (required) */
	xnode *current;       /* current(); NULL means node */
	size_t position;      /* 1-based context position; 0 means 1 */
	size_t size;          /* context size; 0 means 1 */
	xnode *root;          /* the primary instance's document: absolute paths start here,
	                         also inside predicates over secondary instances; NULL means
	                         the top of node's tree */
	const xpath_env *env; /* may be NULL */
} xpath_ctx;

#define XPATH_CTX_INIT { NULL, NULL, 0, 0, NULL, NULL }

/*
 * Compile src into *out (caller frees with xpath_expr_free).  On a syntax
 * error the message gives the 1-based character position ("at 7: expected
 * ')'"); an unknown function or a wrong number of arguments names the
 * function ("unknown function nope()").  Returns 0 or HW_EINVALID.
 */
int xpath_compile(xpath_expr **out, const char *src, hw_error *err);

/* Free a compiled expression; NULL is fine. */
void xpath_expr_free(xpath_expr *e);

/* The source text the expression was compiled from (borrowed). */
const char *xpath_expr_source(const xpath_expr *e);

/*
 * Evaluate e in ctx into *out (initialised by the call; free with
 * xpath_value_free).  Runtime problems (instance('x') that does not exist,
 * a path step on a string, a bad regex) return HW_EINVALID with detail.
 */
int xpath_eval(xpath_value *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err);

/* Evaluate and convert as XPath's string(); *out is a new string the caller frees. */
int xpath_eval_string(char **out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err);

/* Evaluate and convert as XPath's boolean() (relevant, required, constraint). */
int xpath_eval_boolean(int *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err);

/* Evaluate and convert as XPath's number() with ODK's date rule. */
int xpath_eval_number(double *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err);

/* Free what v owns and reset it to XPATH_VALUE_INIT; NULL is fine. */
void xpath_value_free(xpath_value *v);

/* v as XPath's string(), in a new string (caller frees). */
int xpath_value_string(char **out, const xpath_value *v);

/* v as XPath's number(); date and dateTime strings are days since 1970. */
double xpath_value_number(const xpath_value *v);

/*
 * v as XPath's boolean(): a non-empty string, a non-zero non-NaN number; a
 * node-set of one node by its value (as JavaRosa: an unanswered question is
 * false), of several nodes true, empty false.
 */
int xpath_value_boolean(const xpath_value *v);

#define XPATH_NUMBER_MAX 400  /* bytes enough for any formatted double */

/* Format d as XPath's string() does ("3", "0.5", "NaN", "-Infinity", no exponent); returns buf. */
char *xpath_number_format(char buf[XPATH_NUMBER_MAX], double d);

/* Parse s as XPath's number() does with ODK's date rule (NaN if not a number). */
double xpath_string_number(const char *s);

/*
 * One node an expression reads, for the dependency graph.  path is generic
 * and absolute ("/data/rep/q", attributes ".../@a").  instance is NULL for
 * the primary instance, else the id given to instance().  subtree is set
 * when the expression may read anything below path ("//" or "*" steps).
 */
typedef struct xpath_ref {
	char *instance;       /* owned; NULL for the primary instance */
	char *path;           /* owned */
	int subtree;
} xpath_ref;

typedef struct xpath_refs {
	xpath_ref *refs;      /* owned; no duplicates, in first-seen order */
	size_t len;
	size_t cap;
} xpath_refs;

#define XPATH_REFS_INIT { NULL, 0, 0 }

/*
 * Add to *refs every node e reads, given the generic absolute path of the
 * context node (context_path, e.g. "/data/rep/q"; NULL or "/" for the
 * document).  Relative paths are resolved against it, ".." climbs, paths
 * inside predicates are resolved against the nodes the predicate filters,
 * current() is the context node.  Paths that climb above the root are
 * dropped (they select nothing when evaluated).  Returns 0 or HW_ERROR.
 */
int xpath_refs_collect(xpath_refs *refs, const xpath_expr *e, const char *context_path, hw_error *err);

/* Free the entries and reset refs to XPATH_REFS_INIT; NULL is fine. */
void xpath_refs_free(xpath_refs *refs);

/*
 * A construct that only Homeward evaluates: JavaRosa (ODK Collect) or ODK
 * Web Forms refuse it.  The strings are static English.
 */
typedef struct xpath_nonportable {
	const char *construct;    /* "the node-set union '|'", "floor()" */
	const char *engines;      /* which ODK engines cannot evaluate it */
	const char *alternative;  /* what to write instead */
	size_t pos;               /* 1-based character position in the source */
} xpath_nonportable;

typedef void (*xpath_nonportable_fn)(const xpath_nonportable *np, void *payload);

/*
 * Call fn (may be NULL) for each kind of non-portable construct in e, once
 * per kind, at its first place; returns how many kinds were found.
 */
size_t xpath_portability(const xpath_expr *e, xpath_nonportable_fn fn, void *payload);

#endif
