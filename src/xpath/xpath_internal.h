/*
 * xpath_internal.h: what the parts of the XPath engine share (syntax tree,
 * function table, value helpers, dates).  Not for use outside xpath_*.c.
 */
#ifndef HW_XPATH_INTERNAL_H
#define HW_XPATH_INTERNAL_H

#include <stdint.h>

#include "xpath/xpath.h"

/* Nesting deeper than this is refused, so hostile input cannot exhaust the stack. */
#define XP_MAX_DEPTH 256
/*
 * Work allowed for one evaluation (expression nodes evaluated plus nodes
 * visited).  Nested predicates over "//" grow exponentially; a form must not
 * be able to freeze the counsellor's screen, so such an evaluation stops
 * with an error.  Real forms stay far below: a cascading select over a
 * 50,000-row list needs well under a million.
 */
#define XP_WORK_MAX 5000000UL
/* Longest operator chain ("1+1+...") a tree may hold, for the same reason. */
#define XP_MAX_HEIGHT 2000

typedef enum xp_op {
	XP_OR, XP_AND, XP_EQ, XP_NE, XP_LT, XP_LE, XP_GT, XP_GE,
	XP_ADD, XP_SUB, XP_MUL, XP_DIV, XP_MOD, XP_NEG, XP_UNION,
	XP_NUM,               /* number literal */
	XP_STR,               /* string literal */
	XP_CALL,              /* function call */
	XP_PATH,              /* location path, possibly after a filter expression */
} xp_op;

typedef enum xp_axis {
	XA_CHILD, XA_DESCENDANT, XA_DESC_OR_SELF, XA_PARENT, XA_ANCESTOR,
	XA_ANC_OR_SELF, XA_FOLLOWING_SIB, XA_PRECEDING_SIB, XA_ATTRIBUTE, XA_SELF,
} xp_axis;

typedef enum xp_test {
	XT_NAME,              /* a (local) name */
	XT_ANY,               /* "*" or "prefix:*" */
	XT_NODE,              /* node() */
	XT_TEXT,              /* text(): the element itself when it has text */
} xp_test;

typedef struct xp_node xp_node;
typedef struct xp_func xp_func;
typedef struct xp_cx xp_cx;

typedef struct xp_step {
	xp_axis axis;
	xp_test test;
	char *name;           /* local name for XT_NAME; owned */
	uint32_t hash;        /* xnode_name_hash(name) */
	xp_node **preds;      /* owned */
	size_t npreds;
	/* Child-name steps remember where the name sits among the last parent's children. */
	const xnode *c_parent;
	uint64_t c_gen;
	size_t c_first, c_end;
} xp_step;

struct xp_node {
	xp_op op;
	size_t pos;           /* byte offset in the source, for messages */
	xp_node *a, *b;       /* operands */
	double num;           /* XP_NUM */
	char *str;            /* XP_STR: the literal; XP_CALL: the name as written; owned */
	size_t len;           /* XP_STR: bytes */
	const xp_func *fn;    /* XP_CALL */
	xp_node **args;       /* XP_CALL; owned */
	size_t nargs;
	xp_node *filter;      /* XP_PATH: primary expression before the steps, or NULL */
	xp_node **fpreds;     /* XP_PATH: predicates on the filter expression; owned */
	size_t nfpreds;
	int absolute;         /* XP_PATH: starts at the root */
	xp_step *steps;       /* XP_PATH; owned */
	size_t nsteps;
	void *cache;          /* per-call cache (compiled regex, compiled path string) */
	void (*cache_free)(void *);
	unsigned height;      /* longest chain of nodes below, bounded so recursion stays shallow */
};

struct xpath_expr {
	char *src;
	xp_node *root;
};

/* State shared by one evaluation. */
typedef struct xp_state {
	const xpath_ctx *ctx;
	xnode *root;          /* document absolute paths start at */
	xnode *current;       /* current() */
	hw_error *err;
	unsigned long work;   /* counts towards XP_WORK_MAX */
} xp_state;

/* The dynamic context: changes inside predicates. */
struct xp_cx {
	xnode *node;
	size_t pos, size;
	xp_state *st;
};

/* A function's implementation: evaluates its own arguments (so if() is lazy). */
typedef int (*xp_fn_impl)(xpath_value *out, const xp_node *call, const xp_cx *cx);

struct xp_func {
	const char *name;     /* as written in forms, with any prefix */
	int min, max;         /* arity; max -1 = any number */
	xp_fn_impl impl;
};

/* The function table lookup (xpath_func.c); NULL if unknown. */
const xp_func *xp_func_lookup(const char *name, size_t len);

/* Evaluate n in cx (xpath_eval.c). */
int xp_eval_node(xpath_value *out, const xp_node *n, const xp_cx *cx);

/* Evaluate argument i of call and convert. */
int xp_arg_string(char **out, const xp_node *call, size_t i, const xp_cx *cx);
int xp_arg_number(double *out, const xp_node *call, size_t i, const xp_cx *cx);
int xp_arg_boolean(int *out, const xp_node *call, size_t i, const xp_cx *cx);

/* Value setters: free whatever v held, then set. */
void xp_set_number(xpath_value *v, double d);
void xp_set_boolean(xpath_value *v, int b);
int xp_set_string_copy(xpath_value *v, const char *s, size_t len);
void xp_set_string_owned(xpath_value *v, char *s, size_t len);
void xp_set_string_borrowed(xpath_value *v, const char *s, size_t len);
void xp_set_nodeset(xpath_value *v);
int xp_nodeset_add(xpath_value *v, xnode *n);

/* Sort a node-set into document order and drop duplicates. */
void xp_nodeset_sort(xpath_value *v);

/*
 * A string view of v without allocation: nodes give the first node's value,
 * numbers are formatted into buf.  The view is valid while v and buf are.
 */
const char *xp_value_view(const xpath_value *v, size_t *len, char buf[XPATH_NUMBER_MAX]);

/* Record an evaluation error. */
int xp_fail(const xp_cx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* XPath number() with ODK's date rule, of len bytes at s. */
double xp_string_number_n(const char *s, size_t len);

/* XPath number() of len bytes at s, without the date rule, whatever the C locale. */
double xp_parse_number(const char *s, size_t len);

/* Length in Unicode characters of UTF-8 s (invalid bytes count one each). */
size_t xp_utf8_len(const char *s, size_t len);

/* Byte offset of character index ci in UTF-8 s (len if beyond). */
size_t xp_utf8_offset(const char *s, size_t len, size_t ci);

/* Dates (xpath_date.c). */
typedef struct xp_time {
	int64_t days;         /* days since 1970-01-01 of the (local) calendar date */
	double ms;            /* milliseconds into that day, local time */
	int has_date, has_time;
	int has_tz;
	int tz_minutes;       /* offset of the written time from UTC, when has_tz */
	int from_number;      /* came from a number of days (an instant in UTC), not a string */
} xp_time;

/* Parse "YYYY-MM-DD", a dateTime, or a time ("HH:MM[:SS[.sss]][Z|+hh:mm]"); 0 or -1. */
int xp_time_parse(xp_time *out, const char *s, size_t len);

/* The same where JavaRosa reads a date given to a function (date(),
 * format-date(), ...): month and day may have one digit ("2020-1-2"). */
int xp_time_parse_loose(xp_time *out, const char *s, size_t len);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t xp_days_from_civil(int64_t y, unsigned m, unsigned d);
void xp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* A parsed date/dateTime as (fractional, UTC) days since the epoch, for number(). */
double xp_time_days(const xp_time *t);

/* The clock: seconds since the epoch and the local offset in minutes. */
void xp_now(const xp_cx *cx, double *secs, int *offset_min);

/* Format epoch milliseconds (UTC) as a local date or dateTime with offset. */
int xp_format_date(char **out, double days_utc, int offset_min, int with_time);

/* The ODK format-date() pattern language over a local time. */
int xp_format_pattern(char **out, const xp_time *t, const char *fmt);

/* The date functions of the library (xpath_date.c). */
int xp_fn_today(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_now(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_date(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_date_time(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_decimal_date_time(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_decimal_time(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_format_date(xpath_value *out, const xp_node *call, const xp_cx *cx);
/* The geographic functions (xpath_geo.c). */
int xp_fn_distance(xpath_value *out, const xp_node *call, const xp_cx *cx);
int xp_fn_area(xpath_value *out, const xp_node *call, const xp_cx *cx);

#endif
