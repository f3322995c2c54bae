/*
 * xpath_eval.c: values, conversions, comparisons and location paths.
 *
 * Strings are passed around as views wherever possible: a node's value or
 * a literal is borrowed, not copied, so comparing an answer with a constant
 * allocates nothing.  Numbers are parsed and printed without the C library's
 * locale-dependent conversions, because the front end calls setlocale() and
 * a French locale would otherwise turn "3.5" into 3.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xpath_internal.h"

/* ---- UTF-8 ------------------------------------------------------------- */

/* Characters in s: every byte that is not a continuation byte starts one. */
size_t xp_utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Byte offset of character ci. */
size_t xp_utf8_offset(const char *s, size_t len, size_t ci)
{
	size_t i = 0;

	while (i < len && ci > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		ci--;
	}
	return i;
}

/* ---- values ------------------------------------------------------------ */

/* Free what v owns. */
void xpath_value_free(xpath_value *v)
{
	if (!v)
		return;
	free(v->owned_);
	free(v->nodes);
	memset(v, 0, sizeof(*v));
}

/* Reset v, keeping its node array for reuse when it becomes a node-set again. */
static void value_clear(xpath_value *v)
{
	free(v->owned_);
	v->owned_ = NULL;
	v->str = NULL;
	v->str_len = 0;
	v->nnodes = 0;
}

void xp_set_number(xpath_value *v, double d)
{
	value_clear(v);
	v->type = XPATH_NUMBER;
	v->number = d;
}

void xp_set_boolean(xpath_value *v, int b)
{
	value_clear(v);
	v->type = XPATH_BOOLEAN;
	v->boolean = b != 0;
}

void xp_set_string_borrowed(xpath_value *v, const char *s, size_t len)
{
	value_clear(v);
	v->type = XPATH_STRING;
	v->str = s;
	v->str_len = len;
}

void xp_set_string_owned(xpath_value *v, char *s, size_t len)
{
	value_clear(v);
	v->type = XPATH_STRING;
	v->owned_ = s;
	v->str = s;
	v->str_len = len;
}

int xp_set_string_copy(xpath_value *v, const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (!c)
		return HW_ERROR;
	memcpy(c, s, len);
	c[len] = '\0';
	xp_set_string_owned(v, c, len);
	return 0;
}

void xp_set_nodeset(xpath_value *v)
{
	value_clear(v);
	v->type = XPATH_NODESET;
}

int xp_nodeset_add(xpath_value *v, xnode *n)
{
	if (v->nnodes == v->nodes_cap_) {
		size_t ncap = v->nodes_cap_ ? v->nodes_cap_ * 2 : 8;
		xnode **nn = realloc(v->nodes, ncap * sizeof(*nn));
		if (!nn)
			return HW_ERROR;
		v->nodes = nn;
		v->nodes_cap_ = ncap;
	}
	v->nodes[v->nnodes++] = n;
	return 0;
}

static int order_cmp_qsort(const void *a, const void *b)
{
	return xnode_order_cmp(*(xnode *const *)a, *(xnode *const *)b);
}

/* Sort into document order and drop duplicates; skips the sort when already ordered. */
void xp_nodeset_sort(xpath_value *v)
{
	size_t i, j;
	int sorted = 1;

	if (v->nnodes < 2)
		return;
	for (i = 1; i < v->nnodes && sorted; i++)
		if (xnode_order_cmp(v->nodes[i - 1], v->nodes[i]) >= 0)
			sorted = 0;
	if (sorted)
		return;
	qsort(v->nodes, v->nnodes, sizeof(*v->nodes), order_cmp_qsort);
	for (i = 1, j = 1; i < v->nnodes; i++)
		if (v->nodes[i] != v->nodes[j - 1])
			v->nodes[j++] = v->nodes[i];
	v->nnodes = j;
}

/* Record an evaluation error in the state's slot. */
int xp_fail(const xp_cx *cx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hw_error_vset(cx->st->err, HW_EINVALID, fmt, ap);
	va_end(ap);
	return HW_EINVALID;
}

/* ---- numbers ----------------------------------------------------------- */

/*
 * XPath's Number production: optional whitespace, an optional minus,
 * digits with an optional fraction, whitespace.  The digits are handed to
 * strtod as "DIGITSe-N", a form with no decimal point, so the locale cannot
 * interfere and the result is correctly rounded.
 */
double xp_parse_number(const char *s, size_t len)
{
	char buf[128], *d = buf;
	size_t i = 0, ndig = 0;
	long frac = 0;
	int neg = 0, dot = 0, any = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i < len && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			any = 1;
			if (ndig == 0 && c == '0') {
				if (dot)
					frac++;
				continue;   /* leading zeros carry no information */
			}
			if (ndig < 40) {
				*d++ = c;
				ndig++;
				if (dot)
					frac++;
			} else if (!dot) {
				frac--;     /* digits beyond precision still scale the integer part */
			}
		} else if (c == '.' && !dot) {
			dot = 1;
		} else {
			break;
		}
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (!any || i != len)
		return NAN;
	if (ndig == 0)
		return neg ? -0.0 : 0.0;
	snprintf(d, sizeof(buf) - (size_t)(d - buf), "e%ld", -frac);
	return neg ? -strtod(buf, NULL) : strtod(buf, NULL);
}

/* number() of a string with ODK's rule that dates are days since 1970. */
double xp_string_number_n(const char *s, size_t len)
{
	double d = xp_parse_number(s, len);
	xp_time t;

	if (!isnan(d) || len < 10 || len > 64)
		return d;
	if (xp_time_parse(&t, s, len) == 0 && t.has_date)
		return xp_time_days(&t);
	return NAN;
}

double xpath_string_number(const char *s)
{
	return s ? xp_string_number_n(s, strlen(s)) : NAN;
}

/*
 * Shortest decimal digits of d that read back as d (at most 17), with the
 * decimal exponent: d = 0.DIGITS * 10^exp.  %e output is read for its
 * digits only, so a locale's decimal comma does no harm.
 */
static void shortest_digits(double d, char digits[32], int *exp10)
{
	char tmp[64], back[64];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		char *e, *p, *o = digits;
		int ex;

		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		e = strchr(tmp, 'e');
		if (!e)
			break;
		ex = atoi(e + 1);
		for (p = tmp; p < e; p++)
			if (*p >= '0' && *p <= '9')
				*o++ = *p;
		*o = '\0';
		snprintf(back, sizeof(back), "%se%d", digits, ex - (int)strlen(digits) + 1);
		if (strtod(back, NULL) == d || prec == 17) {
			/* Drop trailing zeros: 1.50 -> digits "15". */
			while (o > digits + 1 && o[-1] == '0')
				*--o = '\0';
			*exp10 = ex + 1;
			return;
		}
	}
	strcpy(digits, "0");
	*exp10 = 1;
}

/* Format d as XPath's string(). */
char *xpath_number_format(char buf[XPATH_NUMBER_MAX], double d)
{
	char digits[32];
	int ex, nd, i;
	char *o = buf;

	if (isnan(d))
		return strcpy(buf, "NaN");
	if (isinf(d))
		return strcpy(buf, d > 0 ? "Infinity" : "-Infinity");
	if (d == 0)
		return strcpy(buf, "0");
	if (d < 0) {
		*o++ = '-';
		d = -d;
	}
	shortest_digits(d, digits, &ex);
	nd = (int)strlen(digits);
	if (ex <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -ex; i++)
			*o++ = '0';
		memcpy(o, digits, (size_t)nd);
		o += nd;
	} else if (ex >= nd) {
		memcpy(o, digits, (size_t)nd);
		o += nd;
		for (i = nd; i < ex; i++)
			*o++ = '0';
	} else {
		memcpy(o, digits, (size_t)ex);
		o += ex;
		*o++ = '.';
		memcpy(o, digits + ex, (size_t)(nd - ex));
		o += nd - ex;
	}
	*o = '\0';
	return buf;
}

/* ---- conversions -------------------------------------------------------- */

const char *xp_value_view(const xpath_value *v, size_t *len, char buf[XPATH_NUMBER_MAX])
{
	const char *s;

	switch (v->type) {
	case XPATH_NODESET:
		if (v->nnodes == 0) {
			*len = 0;
			return "";
		}
		*len = v->nodes[0]->value_len;
		return v->nodes[0]->value;
	case XPATH_BOOLEAN:
		s = v->boolean ? "true" : "false";
		*len = strlen(s);
		return s;
	case XPATH_NUMBER:
		xpath_number_format(buf, v->number);
		*len = strlen(buf);
		return buf;
	case XPATH_STRING:
		*len = v->str_len;
		return v->str ? v->str : "";
	}
	*len = 0;
	return "";
}

int xpath_value_string(char **out, const xpath_value *v)
{
	char buf[XPATH_NUMBER_MAX];
	size_t len;
	const char *s = xp_value_view(v, &len, buf);

	*out = malloc(len + 1);
	if (!*out)
		return HW_ERROR;
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return 0;
}

double xpath_value_number(const xpath_value *v)
{
	switch (v->type) {
	case XPATH_NODESET:
		return v->nnodes ? xp_string_number_n(v->nodes[0]->value, v->nodes[0]->value_len) : NAN;
	case XPATH_BOOLEAN:
		return v->boolean ? 1 : 0;
	case XPATH_NUMBER:
		return v->number;
	case XPATH_STRING:
		return xp_string_number_n(v->str, v->str_len);
	}
	return NAN;
}

int xpath_value_boolean(const xpath_value *v)
{
	switch (v->type) {
	case XPATH_NODESET:
		/*
		 * JavaRosa reads a single node as its value, so relevant="${name}"
		 * means "name is answered", as form authors expect; XPath 1.0
		 * would call any existing node true.  Several nodes are true.
		 */
		if (v->nnodes == 1)
			return v->nodes[0]->value_len > 0;
		return v->nnodes > 1;
	case XPATH_BOOLEAN:
		return v->boolean;
	case XPATH_NUMBER:
		return v->number != 0 && !isnan(v->number);
	case XPATH_STRING:
		return v->str_len > 0;
	}
	return 0;
}

/* ---- comparisons -------------------------------------------------------- */

/* One side of a comparison after unpacking node-sets. */
typedef struct item {
	xpath_type type;      /* BOOLEAN, NUMBER or STRING */
	const char *s;
	size_t len;
	double num;
	int b;
} item;

static double item_number(const item *it)
{
	if (it->type == XPATH_NUMBER)
		return it->num;
	if (it->type == XPATH_BOOLEAN)
		return it->b;
	return xp_string_number_n(it->s, it->len);
}

static int item_boolean(const item *it)
{
	if (it->type == XPATH_BOOLEAN)
		return it->b;
	if (it->type == XPATH_NUMBER)
		return it->num != 0 && !isnan(it->num);
	return it->len > 0;
}

/* Compare two scalars with op, by XPath 1.0's type rules (3.4). */
static int item_cmp(xp_op op, const item *a, const item *b)
{
	double x, y;

	if (op == XP_EQ || op == XP_NE) {
		int eq;
		if (a->type == XPATH_BOOLEAN || b->type == XPATH_BOOLEAN)
			eq = item_boolean(a) == item_boolean(b);
		else if (a->type == XPATH_NUMBER || b->type == XPATH_NUMBER)
			eq = item_number(a) == item_number(b);
		else
			eq = a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
		return op == XP_EQ ? eq : !eq;
	}
	x = item_number(a);
	y = item_number(b);
	switch (op) {
	case XP_LT: return x < y;
	case XP_LE: return x <= y;
	case XP_GT: return x > y;
	case XP_GE: return x >= y;
	default: return 0;
	}
}

/* The scalar for a non-node-set value. */
static void scalar_item(item *it, const xpath_value *v)
{
	memset(it, 0, sizeof(*it));
	it->type = v->type;
	it->b = v->boolean;
	it->num = v->number;
	it->s = v->str;
	it->len = v->str_len;
}

/* The string item for node n. */
static void node_item(item *it, const xnode *n)
{
	memset(it, 0, sizeof(*it));
	it->type = XPATH_STRING;
	it->s = n->value;
	it->len = n->value_len;
}

/*
 * Compare a and b.  As JavaRosa does, a node-set of at most one node stands
 * for its value ("" when empty, so an empty path equals ''); a larger
 * node-set compares existentially as in XPath 1.0, where JavaRosa would
 * refuse: true if any of its nodes satisfies the comparison.
 */
static int compare(xp_op op, const xpath_value *a, const xpath_value *b)
{
	item ia, ib;
	size_t na, nb, i, j;
	int multi_a = a->type == XPATH_NODESET && a->nnodes > 1;
	int multi_b = b->type == XPATH_NODESET && b->nnodes > 1;

	if ((op == XP_EQ || op == XP_NE) && ((multi_a && b->type == XPATH_BOOLEAN) ||
	                                     (multi_b && a->type == XPATH_BOOLEAN))) {
		int eq = xpath_value_boolean(a) == xpath_value_boolean(b);
		return op == XP_EQ ? eq : !eq;
	}
	na = multi_a ? a->nnodes : 1;
	nb = multi_b ? b->nnodes : 1;
	for (i = 0; i < na; i++) {
		if (a->type == XPATH_NODESET) {
			if (a->nnodes)
				node_item(&ia, a->nodes[i]);
			else
				memset(&ia, 0, sizeof(ia)), ia.type = XPATH_STRING, ia.s = "";
		} else {
			scalar_item(&ia, a);
		}
		for (j = 0; j < nb; j++) {
			if (b->type == XPATH_NODESET) {
				if (b->nnodes)
					node_item(&ib, b->nodes[j]);
				else
					memset(&ib, 0, sizeof(ib)), ib.type = XPATH_STRING, ib.s = "";
			} else {
				scalar_item(&ib, b);
			}
			if (item_cmp(op, &ia, &ib))
				return 1;
		}
	}
	return 0;
}

/* ---- location paths ----------------------------------------------------- */

/* The error for an evaluation that exceeded its work budget. */
static int too_costly(const xp_cx *cx)
{
	/* Keep the first message: the budget stays exceeded on the way out. */
	if (cx->st->err && cx->st->err->code == HW_EINVALID && strstr(cx->st->err->msg, "too costly"))
		return HW_EINVALID;
	return xp_fail(cx, "expression too costly to evaluate (more than %lu steps)", XP_WORK_MAX);
}

/* Does n pass the step's node test (for the axis' principal node type)? */
static int test_node(const xp_step *s, const xnode *n)
{
	xnode_kind principal = s->axis == XA_ATTRIBUTE ? XNODE_ATTRIBUTE : XNODE_ELEMENT;

	switch (s->test) {
	case XT_NODE:
		return 1;
	case XT_ANY:
		return n->kind == principal;
	case XT_NAME:
		return n->kind == principal && n->hash == s->hash && strcmp(n->local, s->name) == 0;
	case XT_TEXT:
		return 0;
	}
	return 0;
}

/* Add the descendants of n that pass the test, in document order. */
static int add_descendants(xpath_value *out, const xp_step *s, xnode *n)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++) {
		xnode *c = n->children[i];
		if (test_node(s, c) && xp_nodeset_add(out, c) < 0)
			return HW_ERROR;
		if (c->nchildren && add_descendants(out, s, c) < 0)
			return HW_ERROR;
	}
	return 0;
}

/* Candidates of one context node along the axis, in axis order (reverse axes nearest first). */
static int axis_nodes(xpath_value *out, const xp_step *s, xnode *c)
{
	size_t i;
	xnode *p;

	switch (s->axis) {
	case XA_CHILD:
		if (s->test == XT_TEXT) {
			/* The tree keeps text as the element's value: text() stands for it. */
			if (c->kind == XNODE_ELEMENT && c->value_len && c->nchildren == 0)
				return xp_nodeset_add(out, c);
			return 0;
		}
		if (s->test == XT_NAME) {
			/*
			 * A form's root has hundreds of children and every bind
			 * names some of them: find the span of matches once per
			 * structure change instead of scanning on every evaluation.
			 */
			xp_step *ms = (xp_step *)s;
			size_t end;
			if (ms->c_parent != c || ms->c_gen != c->gen_) {
				ms->c_first = ms->c_end = 0;
				for (i = 0; i < c->nchildren; i++) {
					if (!test_node(s, c->children[i]))
						continue;
					if (ms->c_end == 0)
						ms->c_first = i;
					ms->c_end = i + 1;
				}
				ms->c_parent = c;
				ms->c_gen = c->gen_;
			}
			end = ms->c_end;
			for (i = ms->c_first; i < end; i++)
				if (test_node(s, c->children[i]) && xp_nodeset_add(out, c->children[i]) < 0)
					return HW_ERROR;
			return 0;
		}
		for (i = 0; i < c->nchildren; i++)
			if (test_node(s, c->children[i]) && xp_nodeset_add(out, c->children[i]) < 0)
				return HW_ERROR;
		return 0;
	case XA_DESCENDANT:
		return add_descendants(out, s, c);
	case XA_DESC_OR_SELF:
		if (test_node(s, c) && xp_nodeset_add(out, c) < 0)
			return HW_ERROR;
		return add_descendants(out, s, c);
	case XA_PARENT:
		if (c->parent && test_node(s, c->parent))
			return xp_nodeset_add(out, c->parent);
		return 0;
	case XA_ANC_OR_SELF:
		if (test_node(s, c) && xp_nodeset_add(out, c) < 0)
			return HW_ERROR;
		/* fall through */
	case XA_ANCESTOR:
		for (p = c->parent; p; p = p->parent)
			if (test_node(s, p) && xp_nodeset_add(out, p) < 0)
				return HW_ERROR;
		return 0;
	case XA_FOLLOWING_SIB:
		if (!c->parent || c->kind != XNODE_ELEMENT)
			return 0;
		for (i = c->index + 1; i < c->parent->nchildren; i++)
			if (test_node(s, c->parent->children[i]) && xp_nodeset_add(out, c->parent->children[i]) < 0)
				return HW_ERROR;
		return 0;
	case XA_PRECEDING_SIB:
		if (!c->parent || c->kind != XNODE_ELEMENT)
			return 0;
		for (i = c->index; i > 0; i--)
			if (test_node(s, c->parent->children[i - 1]) && xp_nodeset_add(out, c->parent->children[i - 1]) < 0)
				return HW_ERROR;
		return 0;
	case XA_ATTRIBUTE:
		for (i = 0; i < c->nattrs; i++)
			if (test_node(s, c->attrs[i]) && xp_nodeset_add(out, c->attrs[i]) < 0)
				return HW_ERROR;
		return 0;
	case XA_SELF:
		if (test_node(s, c))
			return xp_nodeset_add(out, c);
		return 0;
	}
	return 0;
}

/*
 * Keep the nodes of set[from..] that pass each predicate in turn; positions
 * count within that slice, in the order the nodes were added (axis order).
 */
static int filter_predicates(xpath_value *set, size_t from, xp_node *const *preds, size_t npreds, const xp_cx *cx)
{
	size_t k, i, j;
	xpath_value pv = XPATH_VALUE_INIT;
	int rc = 0;

	for (k = 0; k < npreds && set->nnodes > from; k++) {
		const xp_node *pred = preds[k];
		size_t size = set->nnodes - from;

		if (pred->op == XP_NUM) {
			/* [3]: pick by position without evaluating anything per node. */
			double want = pred->num;
			if (want >= 1 && want <= (double)size && want == floor(want)) {
				set->nodes[from] = set->nodes[from + (size_t)want - 1];
				set->nnodes = from + 1;
			} else {
				set->nnodes = from;
			}
			continue;
		}
		for (i = 0, j = from; i < size; i++) {
			xp_cx sub = { set->nodes[from + i], i + 1, size, cx->st };
			int keep;

			rc = xp_eval_node(&pv, pred, &sub);
			if (rc < 0)
				goto cleanup;
			if (pv.type == XPATH_NUMBER)
				keep = pv.number == (double)(i + 1);
			else
				keep = xpath_value_boolean(&pv);
			if (keep)
				set->nodes[j++] = set->nodes[from + i];
		}
		set->nnodes = j;
	}
cleanup:
	xpath_value_free(&pv);
	return rc;
}

/* True when a step can be merged with a preceding "//" into one descendant step. */
static int mergeable_descendant(const xp_step *dslash, const xp_step *next)
{
	return dslash->axis == XA_DESC_OR_SELF && dslash->test == XT_NODE && dslash->npreds == 0 &&
	       next->axis == XA_CHILD && next->test != XT_TEXT && next->npreds == 0;
}

/* Apply step s (or the descendant shortcut) to every node of cur, into next. */
static int apply_step(xpath_value *next, const xpath_value *cur, const xp_step *s, int as_descendant, const xp_cx *cx)
{
	size_t i;
	xp_step d;
	int rc;

	if (as_descendant) {
		d = *s;
		d.axis = XA_DESCENDANT;
		s = &d;
	}
	xp_set_nodeset(next);
	for (i = 0; i < cur->nnodes; i++) {
		size_t from = next->nnodes;
		if (axis_nodes(next, s, cur->nodes[i]) < 0)
			return hw_error_set(cx->st->err, HW_ERROR, "out of memory");
		cx->st->work += 1 + next->nnodes - from;
		if (cx->st->work > XP_WORK_MAX)
			return too_costly(cx);
		if (s->npreds) {
			rc = filter_predicates(next, from, s->preds, s->npreds, cx);
			if (rc < 0)
				return rc;
		}
	}
	if (cur->nnodes > 1 || s->axis == XA_ANCESTOR || s->axis == XA_ANC_OR_SELF ||
	    s->axis == XA_PRECEDING_SIB)
		xp_nodeset_sort(next);
	return 0;
}

#define XP_PIN_MAX 64

/*
 * JavaRosa reads an absolute path inside a repeat as referring to the
 * context's own repeat instance: with context /data/rep[2]/a, "/data/rep/b"
 * means /data/rep[2]/b.  Each step whose name agrees with the context's
 * ancestor at that depth takes that ancestor's position, unless the step
 * has a predicate; the first step whose name differs ends this.  Leading
 * pinned steps are consumed here (cur becomes the pinned node, the count is
 * returned); later ones get their position in pin[] (0: not pinned).
 */
static size_t contextualize(xpath_value *cur, size_t pin[XP_PIN_MAX], const xp_node *n, const xp_cx *cx)
{
	xnode *chain[XP_PIN_MAX];
	size_t depth = 0, i, lead = 0;
	int leading = 1;
	xnode *p = cx->node;

	memset(pin, 0, XP_PIN_MAX * sizeof(*pin));
	if (!p || xnode_top(p) != cx->st->root)
		return 0;
	if (p->kind == XNODE_ATTRIBUTE)
		p = p->parent;
	for (; p && p->kind == XNODE_ELEMENT; p = p->parent) {
		if (depth == XP_PIN_MAX)
			return 0;
		chain[depth++] = p;
	}
	/* chain[depth-1] is the document element, matched by step 0. */
	for (i = 0; i < n->nsteps && i < depth; i++) {
		const xp_step *s = &n->steps[i];
		xnode *a = chain[depth - 1 - i];
		if (s->axis != XA_CHILD || s->test != XT_NAME || a->hash != s->hash || strcmp(a->local, s->name) != 0)
			break;
		if (s->npreds) {
			leading = 0;
			continue;
		}
		if (leading)
			lead = i + 1;
		else
			pin[i] = xnode_position(a);
	}
	if (lead > 0) {
		cur->nnodes = 0;
		xp_nodeset_add(cur, chain[depth - lead]);
	}
	return lead;
}

/* Keep the nodes of v at 1-based position pos among their same-named siblings. */
static void keep_position(xpath_value *v, size_t pos)
{
	size_t i, j = 0;

	for (i = 0; i < v->nnodes; i++)
		if (xnode_position(v->nodes[i]) == pos)
			v->nodes[j++] = v->nodes[i];
	v->nnodes = j;
}

/* Evaluate a location path or filter-then-path expression. */
static int eval_path(xpath_value *out, const xp_node *n, const xp_cx *cx)
{
	xpath_value a = XPATH_VALUE_INIT, b = XPATH_VALUE_INIT;
	xpath_value *cur = &a, *nxt = &b, *tmp;
	size_t i = 0, pin[XP_PIN_MAX];
	int rc = 0, pinned = 0;

	if (n->filter) {
		rc = xp_eval_node(cur, n->filter, cx);
		if (rc < 0)
			goto cleanup;
		if (cur->type != XPATH_NODESET) {
			rc = xp_fail(cx, "a path or predicate is applied to a %s, not to nodes, in %s",
			             cur->type == XPATH_STRING ? "string" : cur->type == XPATH_NUMBER ? "number" : "boolean",
			             n->filter->op == XP_CALL ? n->filter->str : "an expression");
			goto cleanup;
		}
		if (n->nfpreds && (rc = filter_predicates(cur, 0, n->fpreds, n->nfpreds, cx)) < 0)
			goto cleanup;
	} else if (n->absolute) {
		xp_set_nodeset(cur);
		if (xp_nodeset_add(cur, cx->st->root) < 0) {
			rc = hw_error_set(cx->st->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		i = contextualize(cur, pin, n, cx);
		pinned = 1;
	} else {
		xp_set_nodeset(cur);
		if (xp_nodeset_add(cur, cx->node) < 0) {
			rc = hw_error_set(cx->st->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
	}
	for (; i < n->nsteps && cur->nnodes; i++) {
		int merge = i + 1 < n->nsteps && mergeable_descendant(&n->steps[i], &n->steps[i + 1]);
		if (merge)
			i++;
		rc = apply_step(nxt, cur, &n->steps[i], merge, cx);
		if (rc < 0)
			goto cleanup;
		if (pinned && i < XP_PIN_MAX && pin[i])
			keep_position(nxt, pin[i]);
		tmp = cur;
		cur = nxt;
		nxt = tmp;
	}
	xpath_value_free(out);
	*out = *cur;
	memset(cur, 0, sizeof(*cur));
	if (out->type != XPATH_NODESET)
		out->type = XPATH_NODESET;
cleanup:
	xpath_value_free(&a);
	xpath_value_free(&b);
	return rc;
}

/* ---- expressions -------------------------------------------------------- */

/* Evaluate n in cx into out (out may hold an earlier value; it is replaced). */
int xp_eval_node(xpath_value *out, const xp_node *n, const xp_cx *cx)
{
	xpath_value a = XPATH_VALUE_INIT, b = XPATH_VALUE_INIT;
	int rc = 0;
	double x, y;

	if (++cx->st->work > XP_WORK_MAX)
		return too_costly(cx);

	switch (n->op) {
	case XP_NUM:
		xp_set_number(out, n->num);
		return 0;
	case XP_STR:
		xp_set_string_borrowed(out, n->str, n->len);
		return 0;
	case XP_CALL:
		return n->fn->impl(out, n, cx);
	case XP_PATH:
		return eval_path(out, n, cx);
	case XP_OR:
	case XP_AND:
		if ((rc = xp_eval_node(&a, n->a, cx)) < 0)
			goto cleanup;
		if (xpath_value_boolean(&a) == (n->op == XP_OR)) {
			xp_set_boolean(out, n->op == XP_OR);
			goto cleanup;
		}
		if ((rc = xp_eval_node(&b, n->b, cx)) < 0)
			goto cleanup;
		xp_set_boolean(out, xpath_value_boolean(&b));
		goto cleanup;
	case XP_NEG:
		if ((rc = xp_eval_node(&a, n->a, cx)) < 0)
			goto cleanup;
		xp_set_number(out, -xpath_value_number(&a));
		goto cleanup;
	default:
		break;
	}
	if ((rc = xp_eval_node(&a, n->a, cx)) < 0 || (rc = xp_eval_node(&b, n->b, cx)) < 0)
		goto cleanup;
	switch (n->op) {
	case XP_EQ: case XP_NE: case XP_LT: case XP_LE: case XP_GT: case XP_GE:
		xp_set_boolean(out, compare(n->op, &a, &b));
		break;
	case XP_UNION: {
		size_t i;
		if (a.type != XPATH_NODESET || b.type != XPATH_NODESET) {
			rc = xp_fail(cx, "'|' joins node-sets only");
			goto cleanup;
		}
		for (i = 0; i < b.nnodes; i++)
			if (xp_nodeset_add(&a, b.nodes[i]) < 0) {
				rc = hw_error_set(cx->st->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
		xp_nodeset_sort(&a);
		xpath_value_free(out);
		*out = a;
		memset(&a, 0, sizeof(a));
		break;
	}
	default:
		x = xpath_value_number(&a);
		y = xpath_value_number(&b);
		switch (n->op) {
		case XP_ADD: x += y; break;
		case XP_SUB: x -= y; break;
		case XP_MUL: x *= y; break;
		case XP_DIV: x /= y; break;
		case XP_MOD: x = fmod(x, y); break;
		default: x = NAN; break;
		}
		xp_set_number(out, x);
		break;
	}
cleanup:
	xpath_value_free(&a);
	xpath_value_free(&b);
	return rc;
}

/* Evaluate argument i of a call into a fresh value. */
static int eval_arg(xpath_value *v, const xp_node *call, size_t i, const xp_cx *cx)
{
	return xp_eval_node(v, call->args[i], cx);
}

int xp_arg_string(char **out, const xp_node *call, size_t i, const xp_cx *cx)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc;

	*out = NULL;
	rc = eval_arg(&v, call, i, cx);
	if (rc == 0 && xpath_value_string(out, &v) < 0)
		rc = hw_error_set(cx->st->err, HW_ERROR, "out of memory");
	xpath_value_free(&v);
	return rc;
}

int xp_arg_number(double *out, const xp_node *call, size_t i, const xp_cx *cx)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc = eval_arg(&v, call, i, cx);

	*out = rc == 0 ? xpath_value_number(&v) : NAN;
	xpath_value_free(&v);
	return rc;
}

int xp_arg_boolean(int *out, const xp_node *call, size_t i, const xp_cx *cx)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc = eval_arg(&v, call, i, cx);

	*out = rc == 0 ? xpath_value_boolean(&v) : 0;
	xpath_value_free(&v);
	return rc;
}

/* ---- public entry points ------------------------------------------------ */

int xpath_eval(xpath_value *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err)
{
	xp_state st;
	xp_cx cx;
	xpath_value v = XPATH_VALUE_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!e || !ctx || !ctx->node)
		return hw_error_set(err, HW_EINVALID, "evaluation needs an expression and a context node");
	st.ctx = ctx;
	st.root = ctx->root ? ctx->root : xnode_top(ctx->node);
	st.current = ctx->current ? ctx->current : ctx->node;
	st.err = err;
	st.work = 0;
	cx.node = ctx->node;
	cx.pos = ctx->position ? ctx->position : 1;
	cx.size = ctx->size ? ctx->size : 1;
	cx.st = &st;
	rc = xp_eval_node(&v, e->root, &cx);
	if (rc < 0) {
		xpath_value_free(&v);
		if (err && err->code != HW_OK)
			hw_error_prefix(err, "evaluating \"%s\": ", e->src);
		return rc;
	}
	*out = v;
	return 0;
}

int xpath_eval_string(char **out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc;

	*out = NULL;
	rc = xpath_eval(&v, e, ctx, err);
	if (rc == 0 && xpath_value_string(out, &v) < 0)
		rc = hw_error_set(err, HW_ERROR, "out of memory");
	xpath_value_free(&v);
	return rc;
}

int xpath_eval_boolean(int *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc = xpath_eval(&v, e, ctx, err);

	*out = rc == 0 ? xpath_value_boolean(&v) : 0;
	xpath_value_free(&v);
	return rc;
}

int xpath_eval_number(double *out, const xpath_expr *e, const xpath_ctx *ctx, hw_error *err)
{
	xpath_value v = XPATH_VALUE_INIT;
	int rc = xpath_eval(&v, e, ctx, err);

	*out = rc == 0 ? xpath_value_number(&v) : NAN;
	xpath_value_free(&v);
	return rc;
}
