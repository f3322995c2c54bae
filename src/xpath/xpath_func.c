/*
 * xpath_func.c: the function library: XPath 1.0 core functions and the
 * ODK XForms additions, with ODK's arities and JavaRosa's behaviour where
 * the specification leaves room.
 *
 * Each function evaluates its own arguments, which keeps if() and
 * coalesce() lazy and lets node-set arguments be read in place.  This is
 * the only file that includes pcre2.h.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "util.h"
#include "xpath_internal.h"

#define IMPL(name) static int name(xpath_value *out, const xp_node *call, const xp_cx *cx)

/* Out of memory during evaluation. */
static int oom(const xp_cx *cx)
{
	return hw_error_set(cx->st->err, HW_ERROR, "out of memory");
}

/* Evaluate argument i into v (v may hold an earlier value). */
static int arg(xpath_value *v, const xp_node *call, size_t i, const xp_cx *cx)
{
	return xp_eval_node(v, call->args[i], cx);
}

/* Call cb for every string in args from..end, node-sets giving each node's value. */
typedef int (*item_fn)(const char *s, size_t len, void *payload);

static int each_item(const xp_node *call, size_t from, const xp_cx *cx, item_fn fn, void *payload)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	size_t i, k, len;
	const char *s = "";
	int rc = 0;

	for (i = from; i < call->nargs && rc == 0; i++) {
		rc = arg(&v, call, i, cx);
		if (rc < 0)
			break;
		if (v.type == XPATH_NODESET) {
			for (k = 0; k < v.nnodes && rc == 0; k++)
				rc = fn(v.nodes[k]->value, v.nodes[k]->value_len, payload);
		} else {
			s = xp_value_view(&v, &len, buf);
			rc = fn(s, len, payload);
		}
	}
	xpath_value_free(&v);
	return rc;
}

/* ---- booleans and conversions ------------------------------------------ */

IMPL(fn_true) { xp_set_boolean(out, 1); return 0; }
IMPL(fn_false) { xp_set_boolean(out, 0); return 0; }

IMPL(fn_not)
{
	int b;
	int rc = xp_arg_boolean(&b, call, 0, cx);

	if (rc == 0)
		xp_set_boolean(out, !b);
	return rc;
}

IMPL(fn_boolean)
{
	int b;
	int rc = xp_arg_boolean(&b, call, 0, cx);

	if (rc == 0)
		xp_set_boolean(out, b);
	return rc;
}

/* "true" and "1" are true, anything else false. */
IMPL(fn_boolean_from_string)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	size_t len = 0;
	const char *s = "";
	int rc = arg(&v, call, 0, cx);

	if (rc == 0) {
		s = xp_value_view(&v, &len, buf);
		xp_set_boolean(out, (len == 4 && strncasecmp(s, "true", 4) == 0) || (len == 1 && s[0] == '1'));
	}
	xpath_value_free(&v);
	return rc;
}

/* string(x): the context node's value when called without an argument. */
IMPL(fn_string)
{
	char buf[XPATH_NUMBER_MAX];
	size_t len = 0;
	const char *s = "";
	int rc;

	if (call->nargs == 0) {
		xp_set_string_borrowed(out, cx->node->value, cx->node->value_len);
		return 0;
	}
	rc = arg(out, call, 0, cx);
	if (rc < 0 || out->type == XPATH_STRING)
		return rc;
	s = xp_value_view(out, &len, buf);
	if (out->type == XPATH_NODESET) {
		/* The view borrows from the tree, not from out's node array. */
		xp_set_string_borrowed(out, s, len);
		return 0;
	}
	return xp_set_string_copy(out, s, len) < 0 ? oom(cx) : 0;
}

IMPL(fn_number)
{
	double d;
	int rc;

	if (call->nargs == 0) {
		xp_set_number(out, xp_string_number_n(cx->node->value, cx->node->value_len));
		return 0;
	}
	rc = xp_arg_number(&d, call, 0, cx);
	if (rc == 0)
		xp_set_number(out, d);
	return rc;
}

/* ---- strings ----------------------------------------------------------- */

/* Decode one UTF-8 character at s[*i] (invalid bytes decode as themselves). */
static unsigned long utf8_next(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	unsigned long cp;
	int extra, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		cp = c & 0x1F;
		extra = 1;
	} else if ((c & 0xF0) == 0xE0) {
		cp = c & 0x0F;
		extra = 2;
	} else if ((c & 0xF8) == 0xF0) {
		cp = c & 0x07;
		extra = 3;
	} else {
		(*i)++;
		return 0x110000 + c;   /* a stray byte: a value no real character has */
	}
	if (*i + (size_t)extra >= len) {
		(*i)++;
		return 0x110000 + c;   /* truncated sequence */
	}
	for (k = 1; k <= extra; k++) {
		unsigned char cc = (unsigned char)s[*i + (size_t)k];
		if ((cc & 0xC0) != 0x80) {
			(*i)++;
			return 0x110000 + c;
		}
		cp = (cp << 6) | (cc & 0x3F);
	}
	*i += (size_t)extra + 1;
	return cp;
}

typedef struct concat_acc {
	hw_buf buf;
	const char *sep;
	size_t seplen;
	size_t n;
} concat_acc;

static int concat_item(const char *s, size_t len, void *payload)
{
	concat_acc *a = payload;

	if (a->n++ && a->seplen && hw_buf_add(&a->buf, a->sep, a->seplen) < 0)
		return HW_ERROR;
	return hw_buf_add(&a->buf, s, len);
}

/* Finish a concat/join accumulator into out. */
static int concat_finish(xpath_value *out, concat_acc *a, int rc, const xp_cx *cx)
{
	size_t len = a->buf.len;
	char *s;

	if (rc < 0) {
		hw_buf_free(&a->buf);
		return cx->st->err && cx->st->err->code ? rc : oom(cx);
	}
	s = hw_buf_detach(&a->buf);
	if (!s)
		return oom(cx);
	xp_set_string_owned(out, s, len);
	return 0;
}

/* concat(...): every argument, node-sets contributing all their nodes (as ODK does). */
IMPL(fn_concat)
{
	concat_acc a = { HW_BUF_INIT, NULL, 0, 0 };

	return concat_finish(out, &a, each_item(call, 0, cx, concat_item, &a), cx);
}

/* join(separator, ...): the values of the other arguments, separated. */
IMPL(fn_join)
{
	concat_acc a = { HW_BUF_INIT, NULL, 0, 0 };
	char *sep = NULL;
	int rc = xp_arg_string(&sep, call, 0, cx);

	if (rc < 0)
		return rc;
	a.sep = sep;
	a.seplen = strlen(sep);
	rc = concat_finish(out, &a, each_item(call, 1, cx, concat_item, &a), cx);
	free(sep);
	return rc;
}

/* Argument 0 as a string view kept alive by v (or the context node's value when absent). */
static int arg_view(xpath_value *v, const char **s, size_t *len, char buf[XPATH_NUMBER_MAX],
                    const xp_node *call, size_t i, const xp_cx *cx)
{
	int rc;

	if (i >= call->nargs) {
		*s = cx->node->value;
		*len = cx->node->value_len;
		return 0;
	}
	rc = arg(v, call, i, cx);
	if (rc == 0)
		*s = xp_value_view(v, len, buf);
	return rc;
}

/* string-length(s): characters, not bytes. */
IMPL(fn_string_length)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "";
	size_t len = 0;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx);

	if (rc == 0)
		xp_set_number(out, (double)xp_utf8_len(s, len));
	xpath_value_free(&v);
	return rc;
}

/* Find needle in hay (byte strings); returns offset or -1. */
static long find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return 0;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return (long)i;
	return -1;
}

/* The two string arguments of contains() and friends. */
typedef struct two_strings {
	xpath_value v1, v2;
	char b1[XPATH_NUMBER_MAX], b2[XPATH_NUMBER_MAX];
	const char *s1, *s2;
	size_t l1, l2;
} two_strings;

static int two_args(two_strings *t, const xp_node *call, const xp_cx *cx)
{
	int rc;

	memset(&t->v1, 0, sizeof(t->v1));
	memset(&t->v2, 0, sizeof(t->v2));
	rc = arg_view(&t->v1, &t->s1, &t->l1, t->b1, call, 0, cx);
	if (rc == 0)
		rc = arg_view(&t->v2, &t->s2, &t->l2, t->b2, call, 1, cx);
	return rc;
}

static void two_free(two_strings *t)
{
	xpath_value_free(&t->v1);
	xpath_value_free(&t->v2);
}

IMPL(fn_contains)
{
	two_strings t;
	int rc = two_args(&t, call, cx);

	if (rc == 0)
		xp_set_boolean(out, find_bytes(t.s1, t.l1, t.s2, t.l2) >= 0);
	two_free(&t);
	return rc;
}

IMPL(fn_starts_with)
{
	two_strings t;
	int rc = two_args(&t, call, cx);

	if (rc == 0)
		xp_set_boolean(out, t.l2 <= t.l1 && memcmp(t.s1, t.s2, t.l2) == 0);
	two_free(&t);
	return rc;
}

IMPL(fn_ends_with)
{
	two_strings t;
	int rc = two_args(&t, call, cx);

	if (rc == 0)
		xp_set_boolean(out, t.l2 <= t.l1 && memcmp(t.s1 + t.l1 - t.l2, t.s2, t.l2) == 0);
	two_free(&t);
	return rc;
}

IMPL(fn_substring_before)
{
	two_strings t;
	long at;
	int rc = two_args(&t, call, cx);

	if (rc == 0) {
		at = find_bytes(t.s1, t.l1, t.s2, t.l2);
		if (xp_set_string_copy(out, t.s1, at < 0 ? 0 : (size_t)at) < 0)
			rc = oom(cx);
	}
	two_free(&t);
	return rc;
}

IMPL(fn_substring_after)
{
	two_strings t;
	long at;
	int rc = two_args(&t, call, cx);

	if (rc == 0) {
		at = find_bytes(t.s1, t.l1, t.s2, t.l2);
		if (at < 0)
			rc = xp_set_string_copy(out, "", 0);
		else
			rc = xp_set_string_copy(out, t.s1 + at + t.l2, t.l1 - (size_t)at - t.l2);
		if (rc < 0)
			rc = oom(cx);
	}
	two_free(&t);
	return rc;
}

static int is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

IMPL(fn_normalize_space)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX], *o, *res;
	const char *s = "";
	size_t len, i;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx), space = 0;

	if (rc < 0)
		goto cleanup;
	res = o = malloc(len + 1);
	if (!res) {
		rc = oom(cx);
		goto cleanup;
	}
	for (i = 0; i < len; i++) {
		if (is_xml_space(s[i])) {
			space = o != res;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = s[i];
	}
	*o = '\0';
	xp_set_string_owned(out, res, (size_t)(o - res));
cleanup:
	xpath_value_free(&v);
	return rc;
}

/* Set out to characters [from, to) of s (character indices, clamped). */
static int set_char_range(xpath_value *out, const char *s, size_t len, size_t from, size_t to, const xp_cx *cx)
{
	size_t b0, b1;

	if (to <= from)
		return xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
	b0 = xp_utf8_offset(s, len, from);
	b1 = xp_utf8_offset(s, len, to);
	return xp_set_string_copy(out, s + b0, b1 - b0) < 0 ? oom(cx) : 0;
}

/* substring(s, start, length?): XPath 1.0, 1-based with its rounding rules. */
IMPL(fn_substring)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "";
	size_t len, n;
	double start, count = INFINITY, first, last;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx);

	if (rc < 0 || (rc = xp_arg_number(&start, call, 1, cx)) < 0 ||
	    (call->nargs > 2 && (rc = xp_arg_number(&count, call, 2, cx)) < 0))
		goto cleanup;
	n = xp_utf8_len(s, len);
	/* Characters at positions p with round(start) <= p < round(start) + round(count). */
	first = floor(start + 0.5);
	last = call->nargs > 2 ? first + floor(count + 0.5) : INFINITY;
	if (isnan(first) || isnan(last) || last <= 1 || first > (double)n || last <= first) {
		rc = set_char_range(out, s, len, 0, 0, cx);
	} else {
		double f = first < 1 ? 1 : first;
		double l = last > (double)n + 1 ? (double)n + 1 : last;
		rc = set_char_range(out, s, len, (size_t)f - 1, (size_t)l - 1, cx);
	}
cleanup:
	xpath_value_free(&v);
	return rc;
}

/* substr(s, start, end?): ODK's 0-based slice; negative indices count from the end. */
IMPL(fn_substr)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "";
	size_t len = 0;
	double ds, de;
	long n, start, end;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx);

	if (rc < 0 || (rc = xp_arg_number(&ds, call, 1, cx)) < 0)
		goto cleanup;
	n = (long)xp_utf8_len(s, len);
	de = (double)n;
	if (call->nargs > 2 && (rc = xp_arg_number(&de, call, 2, cx)) < 0)
		goto cleanup;
	if (isnan(ds))
		ds = 0;
	if (isnan(de))
		de = 0;
	start = ds > 1e9 ? 1000000000L : ds < -1e9 ? -1000000000L : (long)ds;
	end = de > 1e9 ? 1000000000L : de < -1e9 ? -1000000000L : (long)de;
	if (start < 0)
		start += n;
	if (end < 0)
		end += n;
	if (end > n)
		end = n;
	if (start < 0)
		start = 0;
	if (end < 0)
		end = 0;
	rc = set_char_range(out, s, len, (size_t)start, start <= end ? (size_t)end : 0, cx);
cleanup:
	xpath_value_free(&v);
	return rc;
}

/* translate(s, from, to): map characters of from to those of to, dropping the extra ones. */
IMPL(fn_translate)
{
	xpath_value v[3] = { XPATH_VALUE_INIT, XPATH_VALUE_INIT, XPATH_VALUE_INIT };
	char buf[3][XPATH_NUMBER_MAX];
	const char *s[3];
	size_t len[3], i, k;
	hw_buf b = HW_BUF_INIT;
	int rc = 0;

	for (k = 0; k < 3 && rc == 0; k++)
		rc = arg_view(&v[k], &s[k], &len[k], buf[k], call, k, cx);
	if (rc < 0)
		goto cleanup;
	if (hw_buf_puts(&b, "") < 0)
		goto nomem;
	for (i = 0; i < len[0];) {
		size_t c0 = i, fi = 0, ti = 0, idx = 0, found = 0, tstart = 0, tend = 0;
		unsigned long cp = utf8_next(s[0], len[0], &i);

		/* Position of cp in from (first occurrence wins). */
		while (fi < len[1]) {
			if (utf8_next(s[1], len[1], &fi) == cp) {
				found = 1;
				break;
			}
			idx++;
		}
		if (!found) {
			if (hw_buf_add(&b, s[0] + c0, i - c0) < 0)
				goto nomem;
			continue;
		}
		/* The idx-th character of to, if any; none means the character is dropped. */
		found = 0;
		for (k = 0; ti < len[2] && !found; k++) {
			tstart = ti;
			utf8_next(s[2], len[2], &ti);
			tend = ti;
			found = k == idx;
		}
		if (found && hw_buf_add(&b, s[2] + tstart, tend - tstart) < 0)
			goto nomem;
	}
	{
		size_t l = b.len;
		char *r = hw_buf_detach(&b);
		if (!r)
			goto nomem;
		xp_set_string_owned(out, r, l);
	}
	goto cleanup;
nomem:
	rc = oom(cx);
cleanup:
	hw_buf_free(&b);
	for (k = 0; k < 3; k++)
		xpath_value_free(&v[k]);
	return rc;
}

/* ---- control ----------------------------------------------------------- */

/* if(cond, a, b): only the chosen branch is evaluated. */
IMPL(fn_if)
{
	int b;
	int rc = xp_arg_boolean(&b, call, 0, cx);

	if (rc < 0)
		return rc;
	return arg(out, call, b ? 1 : 2, cx);
}

/* coalesce(a, b): a if its string value is not empty, else b. */
IMPL(fn_coalesce)
{
	char buf[XPATH_NUMBER_MAX];
	size_t len = 0;
	const char *s = "";
	int rc = arg(out, call, 0, cx);

	if (rc < 0)
		return rc;
	s = xp_value_view(out, &len, buf);
	if (len == 0)
		rc = arg(out, call, 1, cx);
	if (rc < 0)
		return rc;
	s = xp_value_view(out, &len, buf);
	if (out->type == XPATH_NODESET)
		xp_set_string_borrowed(out, s, len);
	else if (out->type != XPATH_STRING && xp_set_string_copy(out, s, len) < 0)
		return oom(cx);
	return 0;
}

/* once(x): the context node's value if it has one, else x (a value set only once). */
IMPL(fn_once)
{
	if (cx->node->value_len) {
		xp_set_string_borrowed(out, cx->node->value, cx->node->value_len);
		return 0;
	}
	return arg(out, call, 0, cx);
}

/* ---- select answers ---------------------------------------------------- */

/* Next space-separated token of list from *i; 0 at the end. */
static int next_token(const char *s, size_t len, size_t *i, const char **tok, size_t *tlen)
{
	while (*i < len && is_xml_space(s[*i]))
		(*i)++;
	if (*i >= len)
		return 0;
	*tok = s + *i;
	while (*i < len && !is_xml_space(s[*i]))
		(*i)++;
	*tlen = (size_t)(s + *i - *tok);
	return 1;
}

/* selected(list, value): value is one of the space-separated choices in list. */
IMPL(fn_selected)
{
	two_strings t;
	const char *tok, *want;
	size_t tlen, wlen, i = 0;
	int rc = two_args(&t, call, cx), found = 0;

	if (rc < 0)
		goto cleanup;
	want = t.s2;
	wlen = t.l2;
	while (wlen && is_xml_space(*want))
		want++, wlen--;
	while (wlen && is_xml_space(want[wlen - 1]))
		wlen--;
	while (wlen && !found && next_token(t.s1, t.l1, &i, &tok, &tlen))
		found = tlen == wlen && memcmp(tok, want, wlen) == 0;
	xp_set_boolean(out, found);
cleanup:
	two_free(&t);
	return rc;
}

IMPL(fn_count_selected)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "", *tok;
	size_t len, tlen, i = 0, n = 0;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx);

	if (rc == 0) {
		while (next_token(s, len, &i, &tok, &tlen))
			n++;
		xp_set_number(out, (double)n);
	}
	xpath_value_free(&v);
	return rc;
}

/* selected-at(list, n): the 0-based nth choice, or "". */
IMPL(fn_selected_at)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "", *tok = "";
	size_t len, tlen = 0, i = 0;
	double want;
	long k = 0;
	int rc = arg_view(&v, &s, &len, buf, call, 0, cx), hit = 0;

	if (rc < 0 || (rc = xp_arg_number(&want, call, 1, cx)) < 0)
		goto cleanup;
	/* Compare as doubles: a huge index must not overflow a cast. */
	while (!isnan(want) && want >= 0 && want < 1e15 && next_token(s, len, &i, &tok, &tlen)) {
		if ((double)k++ == floor(want)) {
			hit = 1;
			break;
		}
	}
	if (xp_set_string_copy(out, hit ? tok : "", hit ? tlen : 0) < 0)
		rc = oom(cx);
cleanup:
	xpath_value_free(&v);
	return rc;
}

/* ---- node-sets --------------------------------------------------------- */

/* Argument i, which must be a node-set. */
static int arg_nodes(xpath_value *v, const xp_node *call, size_t i, const xp_cx *cx)
{
	int rc = arg(v, call, i, cx);

	if (rc == 0 && v->type != XPATH_NODESET)
		return xp_fail(cx, "%s() needs a node-set (a path) as argument %zu", call->str, i + 1);
	return rc;
}

IMPL(fn_count)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc = arg_nodes(&v, call, 0, cx);

	if (rc == 0)
		xp_set_number(out, (double)v.nnodes);
	xpath_value_free(&v);
	return rc;
}

IMPL(fn_count_non_empty)
{
	xpath_value v = XPATH_VALUE_INIT;
	size_t i, n = 0;
	int rc = arg_nodes(&v, call, 0, cx);

	if (rc == 0) {
		for (i = 0; i < v.nnodes; i++)
			n += v.nodes[i]->value_len > 0;
		xp_set_number(out, (double)n);
	}
	xpath_value_free(&v);
	return rc;
}

IMPL(fn_sum)
{
	xpath_value v = XPATH_VALUE_INIT;
	double sum = 0;
	size_t i;
	int rc = arg(&v, call, 0, cx);

	if (rc < 0)
		goto cleanup;
	if (v.type != XPATH_NODESET)
		sum = xpath_value_number(&v);
	for (i = 0; v.type == XPATH_NODESET && i < v.nnodes; i++)
		sum += xp_string_number_n(v.nodes[i]->value, v.nodes[i]->value_len);
	xp_set_number(out, sum);
cleanup:
	xpath_value_free(&v);
	return rc;
}

typedef struct minmax {
	double acc;
	size_t n;
	int want_max;
} minmax;

static int minmax_item(const char *s, size_t len, void *payload)
{
	minmax *m = payload;
	double d = xp_string_number_n(s, len);

	if (m->n++ == 0 || isnan(d) || isnan(m->acc))
		m->acc = m->n == 1 || isnan(d) ? d : m->acc;
	else if (m->want_max ? d > m->acc : d < m->acc)
		m->acc = d;
	return 0;
}

/* min(...)/max(...): over all values; NaN if any is not a number or there are none. */
static int do_minmax(xpath_value *out, const xp_node *call, const xp_cx *cx, int want_max)
{
	minmax m = { NAN, 0, want_max };
	int rc = each_item(call, 0, cx, minmax_item, &m);

	if (rc == 0)
		xp_set_number(out, m.n ? m.acc : NAN);
	return rc;
}

IMPL(fn_min) { return do_minmax(out, call, cx, 0); }
IMPL(fn_max) { return do_minmax(out, call, cx, 1); }

/* position(): the context position; position(node): its index among same-named siblings. */
IMPL(fn_position)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc;

	if (call->nargs == 0) {
		xp_set_number(out, (double)cx->pos);
		return 0;
	}
	rc = arg_nodes(&v, call, 0, cx);
	if (rc == 0)
		xp_set_number(out, v.nnodes ? (double)xnode_position(v.nodes[0]) : NAN);
	xpath_value_free(&v);
	return rc;
}

/* name(), local-name(): of the first node of the argument, else of the context node. */
static int do_name(xpath_value *out, const xp_node *call, const xp_cx *cx, int local)
{
	xpath_value v = XPATH_VALUE_INIT;
	const xnode *n = cx->node;
	int rc = 0;

	if (call->nargs == 1) {
		if ((rc = arg_nodes(&v, call, 0, cx)) < 0)
			return rc;
		n = v.nnodes ? v.nodes[0] : NULL;
	}
	if (!n || !n->name)
		xp_set_string_borrowed(out, "", 0);
	else if (xp_set_string_copy(out, local ? n->local : n->name,
				    strlen(local ? n->local : n->name)) < 0)
		rc = oom(cx);
	xpath_value_free(&v);
	return rc;
}

IMPL(fn_name) { return do_name(out, call, cx, 0); }
IMPL(fn_local_name) { return do_name(out, call, cx, 1); }

IMPL(fn_last)
{
	xp_set_number(out, (double)cx->size);
	return 0;
}

IMPL(fn_current)
{
	xp_set_nodeset(out);
	return xp_nodeset_add(out, cx->st->current) < 0 ? oom(cx) : 0;
}

/* instance('id'): the document of a secondary instance, from the environment. */
IMPL(fn_instance)
{
	const xpath_env *env = cx->st->ctx->env;
	char *id = NULL;
	xnode *doc = NULL;
	int rc = xp_arg_string(&id, call, 0, cx);

	if (rc < 0)
		return rc;
	if (!env || !env->instance)
		rc = xp_fail(cx, "instance('%s') is not available here", id);
	else if (env->instance(&doc, id, env->payload) < 0 || !doc)
		rc = xp_fail(cx, "no instance '%s' in this form", id);
	else {
		xp_set_nodeset(out);
		if (xp_nodeset_add(out, doc) < 0)
			rc = oom(cx);
	}
	free(id);
	return rc;
}

/*
 * indexed-repeat(node, repeat1, index1, [repeat2, index2, ...]): node inside
 * the index1-th instance of repeat1 (and the index2-th of repeat2 inside
 * that, ...).  Each repeat's instances are counted within the one chosen
 * before, so nested repeats work.
 */
IMPL(fn_indexed_repeat)
{
	xpath_value target = XPATH_VALUE_INIT, reps = XPATH_VALUE_INIT;
	xnode *scope = NULL;
	size_t k, i;
	int rc;

	if (call->nargs % 2 == 0)
		return xp_fail(cx, "indexed-repeat() takes a node and then repeat/index pairs");
	rc = arg_nodes(&target, call, 0, cx);
	for (k = 1; rc == 0 && k + 1 < call->nargs; k += 2) {
		double idx;
		size_t seen = 0;
		xnode *pick = NULL;

		if ((rc = arg_nodes(&reps, call, k, cx)) < 0 || (rc = xp_arg_number(&idx, call, k + 1, cx)) < 0)
			break;
		for (i = 0; i < reps.nnodes && !pick; i++) {
			xnode *r = reps.nodes[i], *p;
			if (scope) {
				for (p = r->parent; p && p != scope; p = p->parent)
					;
				if (!p)
					continue;
			}
			if ((double)++seen == idx)
				pick = r;
		}
		scope = pick;
		if (!scope)
			break;
	}
	if (rc == 0) {
		xp_set_nodeset(out);
		for (i = 0; scope && i < target.nnodes; i++) {
			xnode *p;
			for (p = target.nodes[i]; p && p != scope; p = p->parent)
				;
			if (p) {
				if (xp_nodeset_add(out, target.nodes[i]) < 0)
					rc = oom(cx);
				break;
			}
		}
	}
	xpath_value_free(&target);
	xpath_value_free(&reps);
	return rc;
}

/* ---- numbers ----------------------------------------------------------- */

/*
 * Round half away from zero at places decimals, on the shortest decimal
 * form of x, as JavaRosa does with BigDecimal: round(2.675, 2) is 2.68
 * even though the double nearest 2.675 is slightly below it.
 */
static double round_decimal(double x, double places)
{
	char s[XPATH_NUMBER_MAX], digs[XPATH_NUMBER_MAX + 2], num[XPATH_NUMBER_MAX + 32];
	const char *p;
	int nd = 0, point = -1, r, i, neg = x < 0;
	double res;

	if (isnan(x) || isinf(x) || isnan(places))
		return x;
	if (places > 400)
		return x;
	if (places < -400)
		return 0;
	xpath_number_format(s, fabs(x));
	for (p = s; *p; p++) {
		if (*p == '.')
			point = nd;
		else
			digs[nd++] = *p;
	}
	if (point < 0)
		point = nd;
	r = point + (int)places;
	if (r >= nd)
		return x;
	if (r < 0)
		return neg ? -0.0 : 0.0;
	{
		int up = digs[r] >= '5';
		nd = r;
		if (up) {
			for (i = r - 1; i >= 0 && digs[i] == '9'; i--)
				digs[i] = '0';
			if (i < 0) {
				memmove(digs + 1, digs, (size_t)nd);
				digs[0] = '1';
				nd++;
				point++;
			} else {
				digs[i]++;
			}
		}
	}
	if (nd == 0)
		return neg ? -0.0 : 0.0;
	digs[nd] = '\0';
	snprintf(num, sizeof(num), "%se%d", digs, point - nd);
	res = strtod(num, NULL);
	return neg ? -res : res;
}

IMPL(fn_round)
{
	double x, places = 0;
	int rc = xp_arg_number(&x, call, 0, cx);

	if (rc == 0 && call->nargs > 1)
		rc = xp_arg_number(&places, call, 1, cx);
	if (rc == 0)
		xp_set_number(out, round_decimal(x, trunc(places)));
	return rc;
}

/* The one-number-in, one-number-out functions, by table. */
typedef double (*math1)(double);

static double d_int(double x) { return trunc(x); }
static double d_exp10(double x) { return pow(10, x); }

static int do_math1(xpath_value *out, const xp_node *call, const xp_cx *cx, math1 f)
{
	double x;
	int rc = xp_arg_number(&x, call, 0, cx);

	if (rc == 0)
		xp_set_number(out, f(x));
	return rc;
}

#define MATH1(name, f) IMPL(name) { return do_math1(out, call, cx, f); }
MATH1(fn_int, d_int)
MATH1(fn_abs, fabs)
MATH1(fn_floor, floor)
MATH1(fn_ceiling, ceil)
MATH1(fn_log, log)
MATH1(fn_log10, log10)
MATH1(fn_exp, exp)
MATH1(fn_exp10, d_exp10)
MATH1(fn_sqrt, sqrt)
MATH1(fn_sin, sin)
MATH1(fn_cos, cos)
MATH1(fn_tan, tan)
MATH1(fn_asin, asin)
MATH1(fn_acos, acos)
MATH1(fn_atan, atan)

IMPL(fn_pow)
{
	double x, y;
	int rc = xp_arg_number(&x, call, 0, cx);

	if (rc == 0 && (rc = xp_arg_number(&y, call, 1, cx)) == 0)
		xp_set_number(out, pow(x, y));
	return rc;
}

IMPL(fn_atan2)
{
	double y, x;
	int rc = xp_arg_number(&y, call, 0, cx);

	if (rc == 0 && (rc = xp_arg_number(&x, call, 1, cx)) == 0)
		xp_set_number(out, atan2(y, x));
	return rc;
}

IMPL(fn_pi)
{
	xp_set_number(out, M_PI);
	return 0;
}

/* Random bytes from the kernel (never blocks once the system is up). */
static int random_fill(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom((char *)buf + got, n - got, 0);
		if (r <= 0)
			return HW_ERROR;
		got += (size_t)r;
	}
	return 0;
}

IMPL(fn_random)
{
	uint64_t r;

	if (random_fill(&r, sizeof(r)) < 0)
		return xp_fail(cx, "no random numbers available");
	xp_set_number(out, (double)(r >> 11) / 9007199254740992.0);
	return 0;
}

/* uuid(): a version 4 UUID; uuid(n): n random letters and digits. */
IMPL(fn_uuid)
{
	static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char u[HW_UUID_LEN + 1], *s;
	unsigned char *rb;
	double n;
	size_t i, len;
	int rc;

	if (call->nargs == 0) {
		if (hw_uuid(u) < 0)
			return xp_fail(cx, "no random numbers available");
		return xp_set_string_copy(out, u, strlen(u)) < 0 ? oom(cx) : 0;
	}
	rc = xp_arg_number(&n, call, 0, cx);
	if (rc < 0)
		return rc;
	if (isnan(n) || n < 0 || n > 4096)
		return xp_fail(cx, "uuid() length must be between 0 and 4096");
	len = (size_t)n;
	s = malloc(len + 1);
	rb = malloc(len + 1);
	if (!s || !rb || random_fill(rb, len + 1) < 0) {
		free(s);
		free(rb);
		return oom(cx);
	}
	for (i = 0; i < len; i++)
		s[i] = alnum[rb[i] % 62];
	s[len] = '\0';
	free(rb);
	xp_set_string_owned(out, s, len);
	return 0;
}

static int within(double count, double min, double max)
{
	return (min < 0 || count >= min) && (max < 0 || count <= max);
}

/*
 * checklist(min, max, v...): how many values are true lies within [min, max]
 * (-1: no bound).  Each value counts by XPath's boolean(), as in JavaRosa:
 * false() and 0 are false, a non-empty string is true; a node-set argument
 * counts each of its nodes that has a value.
 */
IMPL(fn_checklist)
{
	xpath_value v = XPATH_VALUE_INIT;
	double min, max, count = 0;
	size_t i, k;
	int rc = xp_arg_number(&min, call, 0, cx);

	if (rc == 0)
		rc = xp_arg_number(&max, call, 1, cx);
	for (i = 2; i < call->nargs && rc == 0; i++) {
		if ((rc = arg(&v, call, i, cx)) < 0)
			break;
		if (v.type == XPATH_NODESET) {
			for (k = 0; k < v.nnodes; k++)
				count += v.nodes[k]->value_len > 0;
		} else {
			count += xpath_value_boolean(&v);
		}
	}
	if (rc == 0)
		xp_set_boolean(out, within(count, min, max));
	xpath_value_free(&v);
	return rc;
}

/* weighted-checklist(min, max, v1, w1, v2, w2, ...) or (min, max, values, weights). */
IMPL(fn_weighted_checklist)
{
	xpath_value v = XPATH_VALUE_INIT, w = XPATH_VALUE_INIT;
	double min, max, sum = 0;
	size_t i;
	int rc = xp_arg_number(&min, call, 0, cx);

	if (rc == 0)
		rc = xp_arg_number(&max, call, 1, cx);
	if (rc < 0)
		goto cleanup;
	if (call->nargs % 2) {
		rc = xp_fail(cx, "weighted-checklist() needs value/weight pairs after min and max");
		goto cleanup;
	}
	if (call->nargs == 4) {
		if ((rc = arg(&v, call, 2, cx)) < 0 || (rc = arg(&w, call, 3, cx)) < 0)
			goto cleanup;
		if (v.type == XPATH_NODESET && w.type == XPATH_NODESET) {
			if (v.nnodes != w.nnodes) {
				rc = xp_fail(cx, "weighted-checklist(): %zu values but %zu weights", v.nnodes, w.nnodes);
				goto cleanup;
			}
			for (i = 0; i < v.nnodes; i++)
				if (v.nodes[i]->value_len)
					sum += xp_string_number_n(w.nodes[i]->value, w.nodes[i]->value_len);
			xp_set_boolean(out, within(sum, min, max));
			goto cleanup;
		}
	}
	for (i = 2; i + 1 < call->nargs; i += 2) {
		int b;
		double weight;
		if ((rc = xp_arg_boolean(&b, call, i, cx)) < 0 || (rc = xp_arg_number(&weight, call, i + 1, cx)) < 0)
			goto cleanup;
		if (b)
			sum += weight;
	}
	xp_set_boolean(out, within(sum, min, max));
cleanup:
	xpath_value_free(&v);
	xpath_value_free(&w);
	return rc;
}

/* ---- text and choices -------------------------------------------------- */

IMPL(fn_itext)
{
	const xpath_env *env = cx->st->ctx->env;
	const char *text = NULL;
	char *id = NULL;
	int rc = xp_arg_string(&id, call, 0, cx), r;

	if (rc < 0)
		return rc;
	if (!env || !env->itext) {
		rc = xp_fail(cx, "jr:itext('%s'): no translations available", id);
		goto cleanup;
	}
	r = env->itext(&text, id, env->payload);
	if (r == HW_ENOTFOUND || (r == 0 && !text))
		text = id;   /* a missing text shows its id, as other ODK tools do */
	else if (r < 0) {
		rc = xp_fail(cx, "jr:itext('%s') failed", id);
		goto cleanup;
	}
	if (xp_set_string_copy(out, text, strlen(text)) < 0)
		rc = oom(cx);
cleanup:
	free(id);
	return rc;
}

static void expr_cache_free(void *p)
{
	xpath_expr_free(p);
}

/*
 * jr:choice-name(value, 'path'): the label of choice value of the select
 * at path.  The path is a string holding an expression; when it is a
 * literal it is compiled once and kept with the call.
 */
IMPL(fn_choice_name)
{
	const xpath_env *env = cx->st->ctx->env;
	xp_node *mut = (xp_node *)call;
	xpath_expr *pe = NULL, *tmp = NULL;
	xpath_value nodes = XPATH_VALUE_INIT;
	const char *label = NULL;
	char *value = NULL, *path = NULL;
	int rc = xp_arg_string(&value, call, 0, cx);

	if (rc < 0)
		goto cleanup;
	if (!*value || !env || !env->choice_name) {
		rc = xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
		goto cleanup;
	}
	if (call->args[1]->op == XP_STR && call->cache) {
		pe = call->cache;
	} else {
		if ((rc = xp_arg_string(&path, call, 1, cx)) < 0)
			goto cleanup;
		if (xpath_compile(&tmp, path, cx->st->err) < 0) {
			rc = HW_EINVALID;
			hw_error_prefix(cx->st->err, "jr:choice-name(): ");
			goto cleanup;
		}
		pe = tmp;
		if (call->args[1]->op == XP_STR) {
			mut->cache = tmp;
			mut->cache_free = expr_cache_free;
			tmp = NULL;
		}
	}
	if ((rc = xp_eval_node(&nodes, pe->root, cx)) < 0)
		goto cleanup;
	if (nodes.type != XPATH_NODESET || nodes.nnodes == 0) {
		rc = xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
		goto cleanup;
	}
	if (env->choice_name(&label, value, nodes.nodes[0], env->payload) < 0)
		label = NULL;
	if (!label)
		label = "";
	rc = xp_set_string_copy(out, label, strlen(label)) < 0 ? oom(cx) : 0;
cleanup:
	xpath_expr_free(tmp);
	xpath_value_free(&nodes);
	free(value);
	free(path);
	return rc;
}

/* ---- regex ------------------------------------------------------------- */

typedef struct regex_cache {
	char *pattern;        /* the pattern code was compiled from */
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
} regex_cache;

static void regex_cache_free(void *p)
{
	regex_cache *c = p;

	if (!c)
		return;
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mc);
	pcre2_code_free(c->code);
	free(c->pattern);
	free(c);
}

/*
 * regex(value, pattern): does pattern match anywhere in value (as Java's
 * find() in JavaRosa).  The compiled pattern is kept with the call and
 * reused while the pattern string stays the same.  Match limits stop a
 * pathological pattern from hanging the counsellor's screen.
 */
IMPL(fn_regex)
{
	xp_node *mut = (xp_node *)call;
	regex_cache *c = call->cache;
	char *value = NULL, *pattern = NULL;
	int rc = xp_arg_string(&value, call, 0, cx), m;

	if (rc < 0 || (rc = xp_arg_string(&pattern, call, 1, cx)) < 0)
		goto cleanup;
	if (!c || strcmp(c->pattern, pattern) != 0) {
		int errcode;
		PCRE2_SIZE erroff;
		regex_cache *nc = calloc(1, sizeof(*nc));

		if (!nc) {
			rc = oom(cx);
			goto cleanup;
		}
		nc->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
		                         &errcode, &erroff, NULL);
		if (!nc->code) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(errcode, msg, sizeof(msg));
			regex_cache_free(nc);
			rc = xp_fail(cx, "regex(): bad pattern '%s' at %zu: %s", pattern, (size_t)erroff + 1, (char *)msg);
			goto cleanup;
		}
		nc->md = pcre2_match_data_create_from_pattern(nc->code, NULL);
		nc->mc = pcre2_match_context_create(NULL);
		nc->pattern = pattern;
		pattern = NULL;
		if (!nc->md || !nc->mc) {
			regex_cache_free(nc);
			rc = oom(cx);
			goto cleanup;
		}
		pcre2_set_match_limit(nc->mc, 1000000);
		pcre2_set_depth_limit(nc->mc, 10000);
		regex_cache_free(c);
		mut->cache = c = nc;
		mut->cache_free = regex_cache_free;
	}
	m = pcre2_match(c->code, (PCRE2_SPTR)value, strlen(value), 0, 0, c->md, c->mc);
	if (m >= 0 || m == PCRE2_ERROR_NOMATCH) {
		xp_set_boolean(out, m >= 0);
	} else {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(m, msg, sizeof(msg));
		rc = xp_fail(cx, "regex(): %s", (char *)msg);
	}
cleanup:
	free(value);
	free(pattern);
	return rc;
}

/* ---- digest ------------------------------------------------------------ */

/* digest(data, 'SHA-256', encoding?): only SHA-256 is offered; base64 (default) or hex. */
IMPL(fn_digest)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *data = NULL, *alg = NULL, *enc = NULL, hex[HW_SHA256_HEX + 1], res[64];
	unsigned char raw[32];
	size_t i, o = 0;
	int rc = xp_arg_string(&data, call, 0, cx);

	if (rc < 0 || (rc = xp_arg_string(&alg, call, 1, cx)) < 0 ||
	    (call->nargs > 2 && (rc = xp_arg_string(&enc, call, 2, cx)) < 0))
		goto cleanup;
	if (strcasecmp(alg, "SHA-256") != 0) {
		rc = xp_fail(cx, "digest(): algorithm '%s' is not supported (use SHA-256)", alg);
		goto cleanup;
	}
	hw_sha256_hex(data, strlen(data), hex);
	if (enc && strcasecmp(enc, "hex") == 0) {
		rc = xp_set_string_copy(out, hex, HW_SHA256_HEX) < 0 ? oom(cx) : 0;
		goto cleanup;
	}
	if (enc && strcasecmp(enc, "base64") != 0) {
		rc = xp_fail(cx, "digest(): encoding '%s' is not supported (use base64 or hex)", enc);
		goto cleanup;
	}
	for (i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	for (i = 0; i < 32; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (i + 1 < 32 ? (unsigned)raw[i + 1] << 8 : 0) |
		             (i + 2 < 32 ? raw[i + 2] : 0);
		res[o++] = b64[v >> 18 & 63];
		res[o++] = b64[v >> 12 & 63];
		res[o++] = i + 1 < 32 ? b64[v >> 6 & 63] : '=';
		res[o++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	rc = xp_set_string_copy(out, res, o) < 0 ? oom(cx) : 0;
cleanup:
	free(data);
	free(alg);
	free(enc);
	return rc;
}

/* ---- base64-decode ----------------------------------------------------- */

/* The value of base64 digit c, -1 for any other character. */
static int b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Decode base64 text s into raw (room for len * 3 / 4 bytes); *n gets the
 * byte count.  Whitespace is skipped; the digits must come in groups of
 * four, padded with '=' at the very end.  -1 for anything else.
 */
static int b64_decode(unsigned char *raw, size_t *n, const char *s, size_t len)
{
	unsigned acc = 0;
	size_t i, digits = 0, pad = 0, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int d;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || (d = b64_digit(c)) < 0)
			return -1;   /* a digit after padding, or not base64 */
		acc = acc << 6 | (unsigned)d;
		if (++digits % 4 == 0) {
			raw[o++] = (unsigned char)(acc >> 16);
			raw[o++] = (unsigned char)(acc >> 8);
			raw[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if ((digits + pad) % 4 != 0 || pad > 2 || (pad && pad != 4 - digits % 4))
		return -1;
	if (digits % 4 == 2) {
		raw[o++] = (unsigned char)(acc >> 4);
	} else if (digits % 4 == 3) {
		raw[o++] = (unsigned char)(acc >> 10);
		raw[o++] = (unsigned char)(acc >> 2);
	}
	*n = o;
	return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t want, k;
	unsigned cp;

	if (p[0] > 0 && p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		want = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		want = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		want = 4, cp = p[0] & 0x07u;
	else
		return 0;   /* NUL (XML cannot hold it), a continuation byte, or never valid */
	if (n < want)
		return 0;
	for (k = 1; k < want; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3fu);
	}
	if ((want == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (want == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;   /* overlong, a surrogate, or beyond Unicode */
	return want;
}

/*
 * base64-decode(text): the bytes base64 text stands for, read as UTF-8
 * (ODK's definition).  Text that is not base64 gives "", as in JavaRosa;
 * bytes that are not UTF-8, and NUL, become U+FFFD.
 */
IMPL(fn_base64_decode)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	unsigned char *raw = NULL;
	hw_buf b = HW_BUF_INIT;
	size_t len = 0, n = 0, i, k;
	const char *s;
	char *str;
	int rc = arg(&v, call, 0, cx);

	if (rc < 0)
		goto cleanup;
	s = xp_value_view(&v, &len, buf);
	if (!(raw = malloc(len / 4 * 3 + 3))) {
		rc = oom(cx);
		goto cleanup;
	}
	if (b64_decode(raw, &n, s, len) < 0)
		n = 0;
	for (i = 0; i < n && rc == 0; i += k) {
		if ((k = utf8_seq(raw + i, n - i)) > 0) {
			rc = hw_buf_add(&b, (const char *)raw + i, k);
		} else {
			rc = hw_buf_puts(&b, "\xef\xbf\xbd");
			k = 1;
		}
	}
	if (rc < 0 || !(str = hw_buf_detach(&b))) {
		rc = oom(cx);
		goto cleanup;
	}
	xp_set_string_owned(out, str, strlen(str));
cleanup:
	hw_buf_free(&b);
	free(raw);
	xpath_value_free(&v);
	return rc;
}

/* ---- the table --------------------------------------------------------- */

static const xp_func funcs[] = {
	{ "abs", 1, 1, fn_abs },
	{ "acos", 1, 1, fn_acos },
	{ "area", 1, 1, xp_fn_area },
	{ "asin", 1, 1, fn_asin },
	{ "atan", 1, 1, fn_atan },
	{ "atan2", 2, 2, fn_atan2 },
	{ "base64-decode", 1, 1, fn_base64_decode },
	{ "boolean", 1, 1, fn_boolean },
	{ "boolean-from-string", 1, 1, fn_boolean_from_string },
	{ "ceiling", 1, 1, fn_ceiling },
	{ "checklist", 2, -1, fn_checklist },
	{ "coalesce", 2, 2, fn_coalesce },
	{ "concat", 0, -1, fn_concat },
	{ "contains", 2, 2, fn_contains },
	{ "cos", 1, 1, fn_cos },
	{ "count", 1, 1, fn_count },
	{ "count-non-empty", 1, 1, fn_count_non_empty },
	{ "count-selected", 1, 1, fn_count_selected },
	{ "current", 0, 0, fn_current },
	{ "date", 1, 1, xp_fn_date },
	{ "date-time", 1, 1, xp_fn_date_time },
	{ "decimal-date-time", 1, 1, xp_fn_decimal_date_time },
	{ "decimal-time", 1, 1, xp_fn_decimal_time },
	{ "digest", 2, 3, fn_digest },
	{ "distance", 1, 1, xp_fn_distance },
	{ "ends-with", 2, 2, fn_ends_with },
	{ "exp", 1, 1, fn_exp },
	{ "exp10", 1, 1, fn_exp10 },
	{ "false", 0, 0, fn_false },
	{ "floor", 1, 1, fn_floor },
	{ "format-date", 2, 2, xp_fn_format_date },
	{ "format-date-time", 2, 2, xp_fn_format_date },
	{ "if", 3, 3, fn_if },
	{ "indexed-repeat", 3, -1, fn_indexed_repeat },
	{ "instance", 1, 1, fn_instance },
	{ "int", 1, 1, fn_int },
	{ "join", 1, -1, fn_join },
	{ "jr:choice-name", 2, 2, fn_choice_name },
	{ "jr:itext", 1, 1, fn_itext },
	{ "last", 0, 0, fn_last },
	{ "local-name", 0, 1, fn_local_name },
	{ "log", 1, 1, fn_log },
	{ "log10", 1, 1, fn_log10 },
	{ "max", 1, -1, fn_max },
	{ "min", 1, -1, fn_min },
	{ "name", 0, 1, fn_name },
	{ "normalize-space", 0, 1, fn_normalize_space },
	{ "not", 1, 1, fn_not },
	{ "now", 0, 0, xp_fn_now },
	{ "number", 0, 1, fn_number },
	{ "once", 1, 1, fn_once },
	{ "pi", 0, 0, fn_pi },
	{ "position", 0, 1, fn_position },
	{ "pow", 2, 2, fn_pow },
	{ "random", 0, 0, fn_random },
	{ "regex", 2, 2, fn_regex },
	{ "round", 1, 2, fn_round },
	{ "selected", 2, 2, fn_selected },
	{ "selected-at", 2, 2, fn_selected_at },
	{ "sin", 1, 1, fn_sin },
	{ "sqrt", 1, 1, fn_sqrt },
	{ "starts-with", 2, 2, fn_starts_with },
	{ "string", 0, 1, fn_string },
	{ "string-length", 0, 1, fn_string_length },
	{ "substr", 2, 3, fn_substr },
	{ "substring", 2, 3, fn_substring },
	{ "substring-after", 2, 2, fn_substring_after },
	{ "substring-before", 2, 2, fn_substring_before },
	{ "sum", 1, 1, fn_sum },
	{ "tan", 1, 1, fn_tan },
	{ "today", 0, 0, xp_fn_today },
	{ "translate", 3, 3, fn_translate },
	{ "true", 0, 0, fn_true },
	{ "uuid", 0, 1, fn_uuid },
	{ "weighted-checklist", 2, -1, fn_weighted_checklist },
};

/* Find a function by its name as written; the table is sorted for bsearch. */
const xp_func *xp_func_lookup(const char *name, size_t len)
{
	size_t lo = 0, hi = sizeof(funcs) / sizeof(funcs[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(funcs[mid].name, name, len);
		if (c == 0 && funcs[mid].name[len] != '\0')
			c = 1;
		if (c == 0)
			return &funcs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
