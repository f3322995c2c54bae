/*
 * xpath_parse.c: lexer and recursive-descent parser for ODK XPath.
 *
 * The lexer applies XPath 1.0's disambiguation rule (section 3.7): after a
 * token that can end an operand, "*" is multiplication and a name such as
 * "div" is an operator; elsewhere they are a name test and a name.  The
 * parser builds the tree in xpath_internal.h and resolves each function
 * name and arity at once, so that a form with a typo fails when it loads.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xpath_internal.h"

typedef enum tok_type {
	T_END, T_NUM, T_STR, T_NAME, T_STAR_TEST, T_FUNC, T_NODETYPE, T_AXIS, T_VAR,
	T_OP, T_SLASH, T_DSLASH, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
	T_DOT, T_DDOT, T_AT, T_COMMA,
} tok_type;

typedef struct tok {
	tok_type type;
	int op;               /* T_OP: an xp_op */
	size_t pos, len;      /* bytes in the source (for T_STR: the content, without quotes) */
	size_t start;         /* byte offset where the token begins, for messages */
} tok;

typedef struct parser {
	const char *src;
	size_t srclen;
	tok *toks;
	size_t ntoks, cap, i;
	int depth;
	hw_error *err;
	int failed;
} parser;

/* 1-based character position of byte offset off, for messages. */
static size_t char_pos(const char *src, size_t off)
{
	return xp_utf8_len(src, off) + 1;
}

/* Record a syntax error at byte offset off. */
static int syntax_error(parser *p, size_t off, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (p->failed)
		return HW_EINVALID;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hw_error_set(p->err, HW_EINVALID, "at %zu: %s in \"%s\"", char_pos(p->src, off), msg, p->src);
}

/* Can c start an XML name?  Bytes of multi-byte UTF-8 sequences count as letters. */
static int name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/* Can c continue an XML name? */
static int name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Length of the NCName at s (0 if none). */
static size_t ncname_len(const char *s, size_t max)
{
	size_t n = 0;

	if (max == 0 || !name_start((unsigned char)s[0]))
		return 0;
	while (n < max && name_char((unsigned char)s[n]))
		n++;
	return n;
}

/* Add a token. */
static int push_tok(parser *p, tok_type type, int op, size_t start, size_t pos, size_t len)
{
	if (p->ntoks == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		tok *nt = realloc(p->toks, ncap * sizeof(*nt));
		if (!nt)
			return hw_error_set(p->err, HW_ERROR, "out of memory");
		p->toks = nt;
		p->cap = ncap;
	}
	p->toks[p->ntoks].type = type;
	p->toks[p->ntoks].op = op;
	p->toks[p->ntoks].start = start;
	p->toks[p->ntoks].pos = pos;
	p->toks[p->ntoks].len = len;
	p->ntoks++;
	return 0;
}

/* True if the previous token leaves us where an operand is expected (XPath 3.7). */
static int operand_expected(const parser *p)
{
	tok_type t;

	if (p->ntoks == 0)
		return 1;
	t = p->toks[p->ntoks - 1].type;
	return t == T_AT || t == T_AXIS || t == T_LPAREN || t == T_LBRACK ||
	       t == T_COMMA || t == T_OP || t == T_SLASH || t == T_DSLASH;
}

/* Skip XML whitespace from i. */
static size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Split the whole source into tokens. */
static int lex(parser *p)
{
	const char *s = p->src;
	size_t n = p->srclen, i = 0;

	for (;;) {
		size_t st;
		unsigned char c;
		int rc = 0;

		i = skip_ws(s, i, n);
		if (i >= n)
			return push_tok(p, T_END, 0, i, i, 0);
		st = i;
		c = (unsigned char)s[i];
		if (c == '\0')
			return syntax_error(p, i, "unexpected NUL byte");
		if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')) {
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			if (i < n && s[i] == '.') {
				i++;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
			}
			rc = push_tok(p, T_NUM, 0, st, st, i - st);
		} else if (c == '"' || c == '\'') {
			const char *q = memchr(s + i + 1, c, n - i - 1);
			if (!q)
				return syntax_error(p, i, "unterminated string");
			rc = push_tok(p, T_STR, 0, st, i + 1, (size_t)(q - s) - i - 1);
			i = (size_t)(q - s) + 1;
		} else if (c == '*') {
			i++;
			if (operand_expected(p))
				rc = push_tok(p, T_STAR_TEST, 0, st, st, 0);
			else
				rc = push_tok(p, T_OP, XP_MUL, st, st, 1);
		} else if (c == '$') {
			size_t l = ncname_len(s + i + 1, n - i - 1);
			if (!l)
				return syntax_error(p, i, "expected a variable name after '$'");
			i += 1 + l;
			rc = push_tok(p, T_VAR, 0, st, st + 1, l);
		} else if (name_start(c)) {
			size_t l = ncname_len(s + i, n - i), j;
			int is_star = 0;

			/* QName "prefix:local" or "prefix:*", but not "axis::". */
			if (i + l + 1 < n && s[i + l] == ':' && s[i + l + 1] != ':') {
				size_t l2 = ncname_len(s + i + l + 1, n - i - l - 1);
				if (l2)
					l += 1 + l2;
				else if (s[i + l + 1] == '*') {
					l += 2;
					is_star = 1;
				}
			}
			i += l;
			if (!operand_expected(p) && !is_star) {
				int op = -1;
				if (l == 3 && memcmp(s + st, "and", 3) == 0)
					op = XP_AND;
				else if (l == 2 && memcmp(s + st, "or", 2) == 0)
					op = XP_OR;
				else if (l == 3 && memcmp(s + st, "div", 3) == 0)
					op = XP_DIV;
				else if (l == 3 && memcmp(s + st, "mod", 3) == 0)
					op = XP_MOD;
				if (op < 0)
					return syntax_error(p, st, "expected an operator, found '%.*s'", (int)l, s + st);
				rc = push_tok(p, T_OP, op, st, st, l);
			} else if (is_star) {
				rc = push_tok(p, T_STAR_TEST, 0, st, st, l);
			} else {
				j = skip_ws(s, i, n);
				if (j + 1 < n && s[j] == ':' && s[j + 1] == ':') {
					rc = push_tok(p, T_AXIS, 0, st, st, l);
					i = j + 2;
				} else if (j < n && s[j] == '(') {
					int nodetype = (l == 4 && memcmp(s + st, "node", 4) == 0) ||
					               (l == 4 && memcmp(s + st, "text", 4) == 0) ||
					               (l == 7 && memcmp(s + st, "comment", 7) == 0) ||
					               (l == 22 && memcmp(s + st, "processing-instruction", 22) == 0);
					rc = push_tok(p, nodetype ? T_NODETYPE : T_FUNC, 0, st, st, l);
				} else {
					rc = push_tok(p, T_NAME, 0, st, st, l);
				}
			}
		} else {
			tok_type t = T_OP;
			int op = -1;
			size_t l = 1;

			switch (c) {
			case '/':
				if (i + 1 < n && s[i + 1] == '/') {
					t = T_DSLASH;
					l = 2;
				} else {
					t = T_SLASH;
				}
				break;
			case '(': t = T_LPAREN; break;
			case ')': t = T_RPAREN; break;
			case '[': t = T_LBRACK; break;
			case ']': t = T_RBRACK; break;
			case ',': t = T_COMMA; break;
			case '@': t = T_AT; break;
			case '.':
				if (i + 1 < n && s[i + 1] == '.') {
					t = T_DDOT;
					l = 2;
				} else {
					t = T_DOT;
				}
				break;
			case '|': op = XP_UNION; break;
			case '+': op = XP_ADD; break;
			case '-': op = XP_SUB; break;
			case '=': op = XP_EQ; break;
			case '!':
				if (i + 1 < n && s[i + 1] == '=') {
					op = XP_NE;
					l = 2;
					break;
				}
				return syntax_error(p, i, "unexpected '!'");
			case '<':
				if (i + 1 < n && s[i + 1] == '=') {
					op = XP_LE;
					l = 2;
				} else {
					op = XP_LT;
				}
				break;
			case '>':
				if (i + 1 < n && s[i + 1] == '=') {
					op = XP_GE;
					l = 2;
				} else {
					op = XP_GT;
				}
				break;
			default:
				if (c >= 0x20 && c < 0x7f)
					return syntax_error(p, i, "unexpected character '%c'", c);
				return syntax_error(p, i, "unexpected byte 0x%02x", c);
			}
			i += l;
			rc = push_tok(p, t, op, st, st, l);
		}
		if (rc < 0)
			return rc;
	}
}

/* Free a syntax tree. */
static void node_free(xp_node *n)
{
	size_t i, j;

	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	for (i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	node_free(n->filter);
	for (i = 0; i < n->nfpreds; i++)
		node_free(n->fpreds[i]);
	free(n->fpreds);
	for (i = 0; i < n->nsteps; i++) {
		for (j = 0; j < n->steps[i].npreds; j++)
			node_free(n->steps[i].preds[j]);
		free(n->steps[i].preds);
		free(n->steps[i].name);
	}
	free(n->steps);
	free(n->str);
	if (n->cache && n->cache_free)
		n->cache_free(n->cache);
	free(n);
}

/* A new node of op at source offset pos. */
static xp_node *node_new(parser *p, xp_op op, size_t pos)
{
	xp_node *n = calloc(1, sizeof(*n));

	if (!n) {
		hw_error_set(p->err, HW_ERROR, "out of memory");
		p->failed = 1;
		return NULL;
	}
	n->op = op;
	n->pos = pos;
	return n;
}

/* Append x to a growable pointer array. */
static int ptr_push(parser *p, xp_node ***arr, size_t *len, xp_node *x)
{
	xp_node **na = realloc(*arr, (*len + 1) * sizeof(*na));

	if (!na) {
		p->failed = 1;
		return hw_error_set(p->err, HW_ERROR, "out of memory");
	}
	na[(*len)++] = x;
	*arr = na;
	return 0;
}

static tok *peek(parser *p)
{
	return &p->toks[p->i];
}

static xp_node *parse_expr(parser *p);
static int set_height(parser *p, xp_node *n);

/* Describe a token for an error message. */
static void tok_desc(const parser *p, const tok *t, char *buf, size_t size)
{
	if (t->type == T_END)
		snprintf(buf, size, "end of expression");
	else
		snprintf(buf, size, "'%.*s'", (int)(t->len > 20 ? 20 : t->len ? t->len : 1), p->src + t->start);
}

/* Require a token of type t. */
static int expect(parser *p, tok_type t, const char *what)
{
	char d[40];

	if (peek(p)->type == t) {
		p->i++;
		return 0;
	}
	tok_desc(p, peek(p), d, sizeof(d));
	return syntax_error(p, peek(p)->start, "expected %s, found %s", what, d);
}

/* Predicates "[expr]" into arr. */
static int parse_predicates(parser *p, xp_node ***arr, size_t *len)
{
	while (peek(p)->type == T_LBRACK) {
		xp_node *e;
		p->i++;
		e = parse_expr(p);
		if (!e)
			return HW_EINVALID;
		if (ptr_push(p, arr, len, e) < 0) {
			node_free(e);
			return HW_ERROR;
		}
		if (expect(p, T_RBRACK, "']'") < 0)
			return HW_EINVALID;
	}
	return 0;
}

/* Add an empty step to path n; returns it or NULL. */
static xp_step *add_step(parser *p, xp_node *n, xp_axis axis, xp_test test)
{
	xp_step *ns = realloc(n->steps, (n->nsteps + 1) * sizeof(*ns));

	if (!ns) {
		p->failed = 1;
		hw_error_set(p->err, HW_ERROR, "out of memory");
		return NULL;
	}
	n->steps = ns;
	memset(&ns[n->nsteps], 0, sizeof(*ns));
	ns[n->nsteps].axis = axis;
	ns[n->nsteps].test = test;
	return &ns[n->nsteps++];
}

/* True if t can begin a step. */
static int starts_step(tok_type t)
{
	return t == T_NAME || t == T_STAR_TEST || t == T_AT || t == T_DOT || t == T_DDOT ||
	       t == T_AXIS || t == T_NODETYPE;
}

/* The axis named by the token, or -1. */
static int axis_of(const parser *p, const tok *t)
{
	static const struct { const char *name; xp_axis axis; } axes[] = {
		{ "child", XA_CHILD }, { "descendant", XA_DESCENDANT },
		{ "descendant-or-self", XA_DESC_OR_SELF }, { "parent", XA_PARENT },
		{ "ancestor", XA_ANCESTOR }, { "ancestor-or-self", XA_ANC_OR_SELF },
		{ "following-sibling", XA_FOLLOWING_SIB }, { "preceding-sibling", XA_PRECEDING_SIB },
		{ "attribute", XA_ATTRIBUTE }, { "self", XA_SELF },
	};
	size_t k;

	for (k = 0; k < sizeof(axes) / sizeof(axes[0]); k++)
		if (strlen(axes[k].name) == t->len && memcmp(axes[k].name, p->src + t->pos, t->len) == 0)
			return (int)axes[k].axis;
	return -1;
}

/* One step: ".", "..", or [axis::|@] node-test predicates. */
static int parse_step(parser *p, xp_node *path)
{
	tok *t = peek(p);
	xp_axis axis = XA_CHILD;
	xp_step *s;

	if (t->type == T_DOT || t->type == T_DDOT) {
		p->i++;
		s = add_step(p, path, t->type == T_DOT ? XA_SELF : XA_PARENT, XT_NODE);
		if (!s)
			return HW_ERROR;
		if (peek(p)->type == T_LBRACK)
			return syntax_error(p, peek(p)->start, "a predicate cannot follow '.' or '..'");
		return 0;
	}
	if (t->type == T_AT) {
		axis = XA_ATTRIBUTE;
		p->i++;
	} else if (t->type == T_AXIS) {
		int a = axis_of(p, t);
		if (a < 0)
			return syntax_error(p, t->start, "unsupported axis '%.*s'", (int)t->len, p->src + t->pos);
		axis = (xp_axis)a;
		p->i++;
	}
	t = peek(p);
	if (t->type == T_NAME) {
		const char *name = p->src + t->pos;
		const char *colon = memchr(name, ':', t->len);
		size_t off = colon ? (size_t)(colon - name) + 1 : 0;

		s = add_step(p, path, axis, XT_NAME);
		if (!s)
			return HW_ERROR;
		s->name = strndup(name + off, t->len - off);
		if (!s->name) {
			p->failed = 1;
			return hw_error_set(p->err, HW_ERROR, "out of memory");
		}
		s->hash = xnode_name_hash(s->name);
		p->i++;
	} else if (t->type == T_STAR_TEST) {
		s = add_step(p, path, axis, XT_ANY);
		if (!s)
			return HW_ERROR;
		p->i++;
	} else if (t->type == T_NODETYPE) {
		int is_node = t->len == 4 && memcmp(p->src + t->pos, "node", 4) == 0;
		int is_text = t->len == 4 && memcmp(p->src + t->pos, "text", 4) == 0;
		if (!is_node && !is_text)
			return syntax_error(p, t->start, "unsupported node test %.*s()", (int)t->len, p->src + t->pos);
		s = add_step(p, path, axis, is_node ? XT_NODE : XT_TEXT);
		if (!s)
			return HW_ERROR;
		p->i++;
		if (expect(p, T_LPAREN, "'('") < 0 || expect(p, T_RPAREN, "')'") < 0)
			return HW_EINVALID;
	} else {
		char d[40];
		tok_desc(p, t, d, sizeof(d));
		return syntax_error(p, t->start, "expected a node name, found %s", d);
	}
	return parse_predicates(p, &path->steps[path->nsteps - 1].preds, &path->steps[path->nsteps - 1].npreds);
}

/* RelativeLocationPath: step (('/' | '//') step)*. */
static int parse_relative(parser *p, xp_node *path)
{
	if (!starts_step(peek(p)->type)) {
		char d[40];
		tok_desc(p, peek(p), d, sizeof(d));
		return syntax_error(p, peek(p)->start, "expected a path step, found %s", d);
	}
	if (parse_step(p, path) < 0)
		return HW_EINVALID;
	for (;;) {
		tok_type t = peek(p)->type;
		if (t == T_SLASH) {
			p->i++;
		} else if (t == T_DSLASH) {
			p->i++;
			if (!add_step(p, path, XA_DESC_OR_SELF, XT_NODE))
				return HW_ERROR;
		} else {
			return 0;
		}
		if (parse_step(p, path) < 0)
			return HW_EINVALID;
	}
}

/* A function call; the name token is current. */
static xp_node *parse_call(parser *p)
{
	tok *t = peek(p);
	xp_node *n = node_new(p, XP_CALL, t->start);

	if (!n)
		return NULL;
	n->str = strndup(p->src + t->pos, t->len);
	if (!n->str) {
		p->failed = 1;
		hw_error_set(p->err, HW_ERROR, "out of memory");
		goto fail;
	}
	n->fn = xp_func_lookup(n->str, t->len);
	if (!n->fn) {
		syntax_error(p, t->start, "unknown function %s()", n->str);
		/* The message leads with the function, which is what a form author needs. */
		hw_error_set(p->err, HW_EINVALID, "unknown function %s() at %zu in \"%s\"",
		             n->str, char_pos(p->src, t->start), p->src);
		goto fail;
	}
	p->i++;
	if (expect(p, T_LPAREN, "'('") < 0)
		goto fail;
	if (peek(p)->type != T_RPAREN) {
		for (;;) {
			xp_node *a = parse_expr(p);
			if (!a || ptr_push(p, &n->args, &n->nargs, a) < 0) {
				node_free(a);
				goto fail;
			}
			if (peek(p)->type != T_COMMA)
				break;
			p->i++;
		}
	}
	if (expect(p, T_RPAREN, "')' or ','") < 0)
		goto fail;
	if ((int)n->nargs < n->fn->min || (n->fn->max >= 0 && (int)n->nargs > n->fn->max)) {
		char want[64];
		if (n->fn->max < 0)
			snprintf(want, sizeof(want), "at least %d", n->fn->min);
		else if (n->fn->min == n->fn->max)
			snprintf(want, sizeof(want), "%d", n->fn->min);
		else
			snprintf(want, sizeof(want), "%d to %d", n->fn->min, n->fn->max);
		p->failed = 1;
		hw_error_set(p->err, HW_EINVALID, "function %s() takes %s argument%s, not %zu, at %zu in \"%s\"",
		             n->str, want, strcmp(want, "1") == 0 ? "" : "s", n->nargs,
		             char_pos(p->src, t->start), p->src);
		goto fail;
	}
	if (set_height(p, n) < 0)
		goto fail;
	return n;
fail:
	node_free(n);
	return NULL;
}

/* PrimaryExpr: literal, number, '(' expr ')', function call, $variable (refused). */
static xp_node *parse_primary(parser *p)
{
	tok *t = peek(p);
	xp_node *n;

	switch (t->type) {
	case T_NUM:
		n = node_new(p, XP_NUM, t->start);
		if (n)
			n->num = xp_parse_number(p->src + t->pos, t->len);
		p->i++;
		return n;
	case T_STR:
		n = node_new(p, XP_STR, t->start);
		if (!n)
			return NULL;
		n->str = strndup(p->src + t->pos, t->len);
		n->len = t->len;
		p->i++;
		if (!n->str) {
			p->failed = 1;
			hw_error_set(p->err, HW_ERROR, "out of memory");
			node_free(n);
			return NULL;
		}
		return n;
	case T_LPAREN:
		p->i++;
		n = parse_expr(p);
		if (n && expect(p, T_RPAREN, "')'") < 0) {
			node_free(n);
			return NULL;
		}
		return n;
	case T_FUNC:
		return parse_call(p);
	case T_VAR:
		syntax_error(p, t->start, "variables ($%.*s) are not supported", (int)t->len, p->src + t->pos);
		return NULL;
	default: {
		char d[40];
		tok_desc(p, t, d, sizeof(d));
		syntax_error(p, t->start, "expected an expression, found %s", d);
		return NULL;
	}
	}
}

/* PathExpr: LocationPath | FilterExpr [('/' | '//') RelativeLocationPath]. */
static xp_node *parse_path_inner(parser *p)
{
	tok *t = peek(p);
	xp_node *n = NULL, *prim;

	if (t->type == T_SLASH || t->type == T_DSLASH || starts_step(t->type)) {
		n = node_new(p, XP_PATH, t->start);
		if (!n)
			return NULL;
		if (t->type == T_SLASH) {
			n->absolute = 1;
			p->i++;
			/* A lone "/" is the root; a step may follow. */
			if (starts_step(peek(p)->type) && parse_relative(p, n) < 0)
				goto fail;
			return n;
		}
		if (t->type == T_DSLASH) {
			n->absolute = 1;
			p->i++;
			if (!add_step(p, n, XA_DESC_OR_SELF, XT_NODE))
				goto fail;
		}
		if (parse_relative(p, n) < 0)
			goto fail;
		return n;
	}
	prim = parse_primary(p);
	if (!prim)
		return NULL;
	t = peek(p);
	if (t->type != T_LBRACK && t->type != T_SLASH && t->type != T_DSLASH)
		return prim;
	n = node_new(p, XP_PATH, prim->pos);
	if (!n) {
		node_free(prim);
		return NULL;
	}
	n->filter = prim;
	if (parse_predicates(p, &n->fpreds, &n->nfpreds) < 0)
		goto fail;
	t = peek(p);
	if (t->type == T_SLASH || t->type == T_DSLASH) {
		p->i++;
		if (t->type == T_DSLASH && !add_step(p, n, XA_DESC_OR_SELF, XT_NODE))
			goto fail;
		if (parse_relative(p, n) < 0)
			goto fail;
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

/* Compute n's height from its children; refuse trees too tall to walk recursively. */
static int set_height(parser *p, xp_node *n)
{
	unsigned h = 0;
	size_t i, j;

#define H(x) do { if ((x) && (x)->height > h) h = (x)->height; } while (0)
	H(n->a);
	H(n->b);
	H(n->filter);
	for (i = 0; i < n->nargs; i++)
		H(n->args[i]);
	for (i = 0; i < n->nfpreds; i++)
		H(n->fpreds[i]);
	for (i = 0; i < n->nsteps; i++)
		for (j = 0; j < n->steps[i].npreds; j++)
			H(n->steps[i].preds[j]);
#undef H
	n->height = h + 1;
	if (n->height > XP_MAX_HEIGHT)
		return syntax_error(p, n->pos, "expression too long or nested too deeply");
	return 0;
}

/* A path expression with its height recorded. */
static xp_node *parse_path(parser *p)
{
	xp_node *n = parse_path_inner(p);

	if (n && n->op == XP_PATH && set_height(p, n) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* Build a binary node, taking a and b. */
static xp_node *binary(parser *p, xp_op op, size_t pos, xp_node *a, xp_node *b)
{
	xp_node *n = node_new(p, op, pos);

	if (!n) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->a = a;
	n->b = b;
	if (set_height(p, n) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* UnionExpr: PathExpr ('|' PathExpr)*. */
static xp_node *parse_union(parser *p)
{
	xp_node *a = parse_path(p);

	while (a && peek(p)->type == T_OP && peek(p)->op == XP_UNION) {
		size_t pos = peek(p)->start;
		xp_node *b;
		p->i++;
		b = parse_path(p);
		if (!b) {
			node_free(a);
			return NULL;
		}
		a = binary(p, XP_UNION, pos, a, b);
	}
	return a;
}

/* UnaryExpr: '-'* UnionExpr. */
static xp_node *parse_unary(parser *p)
{
	if (peek(p)->type == T_OP && peek(p)->op == XP_SUB) {
		size_t pos = peek(p)->start;
		xp_node *a;
		if (++p->depth > XP_MAX_DEPTH) {
			syntax_error(p, pos, "expression nested too deeply");
			return NULL;
		}
		p->i++;
		a = parse_unary(p);
		p->depth--;
		return a ? binary(p, XP_NEG, pos, a, NULL) : NULL;
	}
	return parse_union(p);
}

/* One left-associative level of binary operators between ops[0] and ops[1]. */
static xp_node *parse_level(parser *p, int level);

static const struct { int lo, hi; } levels[] = {
	{ XP_OR, XP_OR }, { XP_AND, XP_AND }, { XP_EQ, XP_NE }, { XP_LT, XP_GE },
	{ XP_ADD, XP_SUB }, { XP_MUL, XP_MOD },
};

/* Parse operators of precedence level (0 = or ... 5 = multiplicative). */
static xp_node *parse_level(parser *p, int level)
{
	xp_node *a;

	if (level >= (int)(sizeof(levels) / sizeof(levels[0])))
		return parse_unary(p);
	a = parse_level(p, level + 1);
	while (a && peek(p)->type == T_OP && peek(p)->op >= levels[level].lo && peek(p)->op <= levels[level].hi) {
		tok *t = peek(p);
		xp_node *b;
		p->i++;
		b = parse_level(p, level + 1);
		if (!b) {
			node_free(a);
			return NULL;
		}
		a = binary(p, (xp_op)t->op, t->start, a, b);
	}
	return a;
}

/* Expr, with a depth guard for parentheses, predicates and arguments. */
static xp_node *parse_expr(parser *p)
{
	xp_node *n;

	if (++p->depth > XP_MAX_DEPTH) {
		syntax_error(p, peek(p)->start, "expression nested too deeply");
		return NULL;
	}
	n = parse_level(p, 0);
	p->depth--;
	return n;
}

/* Compile src. */
int xpath_compile(xpath_expr **out, const char *src, hw_error *err)
{
	parser p;
	xpath_expr *e = NULL;
	xp_node *root = NULL;
	int rc = HW_EINVALID;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (!src)
		return hw_error_set(err, HW_EINVALID, "no expression");
	p.src = src;
	p.srclen = strlen(src);
	p.err = err;
	if (lex(&p) < 0)
		goto cleanup;
	if (p.ntoks == 1)
		goto empty;
	root = parse_expr(&p);
	if (!root)
		goto cleanup;
	if (peek(&p)->type != T_END) {
		char d[40];
		tok_desc(&p, peek(&p), d, sizeof(d));
		syntax_error(&p, peek(&p)->start, "unexpected %s", d);
		goto cleanup;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->src = strdup(src))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	e->root = root;
	root = NULL;
	*out = e;
	e = NULL;
	rc = 0;
	goto cleanup;
empty:
	rc = hw_error_set(err, HW_EINVALID, "empty expression");
cleanup:
	if (rc < 0 && err && err->code == HW_OK)
		hw_error_set(err, rc, "invalid expression \"%s\"", src);
	node_free(root);
	if (e) {
		free(e->src);
		free(e);
	}
	free(p.toks);
	return rc;
}

/* Free a compiled expression. */
void xpath_expr_free(xpath_expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e->src);
	free(e);
}

/* The source text. */
const char *xpath_expr_source(const xpath_expr *e)
{
	return e ? e->src : "";
}
