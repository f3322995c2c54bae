/*
 * xpath_port.c: which parts of an expression only Homeward evaluates?
 *
 * Organisations move forms between ODK tools, so a form should use only
 * what JavaRosa (ODK Collect) and ODK Web Forms evaluate too.  Our engine
 * is a complete XPath 1.0 engine and accepts more; this walk finds what the
 * others refuse at run time, so `form check` can say so before a form
 * travels.  What JavaRosa lacks was read from its sources: its function
 * table (XPathFuncExpr), XPathUnionExpr and XPathFilterExpr, which throw
 * "unsupported" when evaluated, and the axes its steps accept.
 */
#include "config.h"

#include <string.h>

#include "xpath_internal.h"

/* Kinds of construct, each reported once per expression. */
enum {
	NP_UNION, NP_FILTER, NP_AXIS, NP_FLOOR, NP_CEILING, NP_SUBSTRING,
	NP_LAST, NP_NAME, NP_NOARG, NP_COUNT
};

static const xpath_nonportable rules[NP_COUNT] = {
	[NP_UNION] = { "the node-set union '|'", "ODK Web Forms or JavaRosa (ODK Collect)",
		"a sum of if(x != '', number(x), 0) terms, a count of if(x != '', 1, 0) terms, "
		"or count-non-empty() of one path", 0 },
	[NP_FILTER] = { "a predicate or path after an expression other than instance() or current()",
		"JavaRosa (ODK Collect)", "predicates on the steps of a path (/data/a[. != ''])", 0 },
	[NP_AXIS] = { "an axis other than child, parent, self and attribute", "JavaRosa (ODK Collect)",
		"a path of names and '..'", 0 },
	[NP_FLOOR] = { "floor()", "JavaRosa (ODK Collect)", "if(x = int(x) or x > 0, int(x), int(x) - 1)", 0 },
	[NP_CEILING] = { "ceiling()", "JavaRosa (ODK Collect)", "if(x = int(x) or x < 0, int(x), int(x) + 1)", 0 },
	[NP_SUBSTRING] = { "substring()", "JavaRosa (ODK Collect)",
		"substr(s, start - 1, start - 1 + length) (0-based start, end not included)", 0 },
	[NP_LAST] = { "last()", "JavaRosa (ODK Collect)", "count() of the same node-set", 0 },
	[NP_NAME] = { "name() and local-name()", "JavaRosa (ODK Collect)", "the name written as a string", 0 },
	[NP_NOARG] = { "number() or string() without an argument", "JavaRosa (ODK Collect)",
		"number(.) or string(.)", 0 },
};

typedef struct port_walk {
	unsigned seen;             /* bit per kind already reported */
	size_t found;
	xpath_nonportable_fn fn;
	void *payload;
} port_walk;

/* Report kind k at source offset pos, once. */
static void report(port_walk *w, int k, size_t pos)
{
	xpath_nonportable np;

	if (w->seen & (1u << k))
		return;
	w->seen |= 1u << k;
	w->found++;
	np = rules[k];
	np.pos = pos + 1;
	if (w->fn)
		w->fn(&np, w->payload);
}

/* True if n is a call of the function named name. */
static int call_of(const xp_node *n, const char *name)
{
	return n && n->op == XP_CALL && n->fn && strcmp(n->fn->name, name) == 0;
}

static void walk(port_walk *w, const xp_node *n)
{
	size_t i, k;

	if (!n)
		return;
	/* Operands first, so that a chain "a | b | c" is reported at its first '|'. */
	walk(w, n->a);
	walk(w, n->b);
	switch (n->op) {
	case XP_UNION:
		report(w, NP_UNION, n->pos);
		break;
	case XP_CALL:
		if (call_of(n, "floor"))
			report(w, NP_FLOOR, n->pos);
		else if (call_of(n, "ceiling"))
			report(w, NP_CEILING, n->pos);
		else if (call_of(n, "substring"))
			report(w, NP_SUBSTRING, n->pos);
		else if (call_of(n, "last"))
			report(w, NP_LAST, n->pos);
		else if (call_of(n, "name") || call_of(n, "local-name"))
			report(w, NP_NAME, n->pos);
		else if ((call_of(n, "number") || call_of(n, "string")) && n->nargs == 0)
			report(w, NP_NOARG, n->pos);
		for (i = 0; i < n->nargs; i++)
			walk(w, n->args[i]);
		break;
	case XP_PATH:
		if (n->filter && (n->nfpreds > 0 ||
				  (n->nsteps > 0 && !call_of(n->filter, "instance") &&
				   !call_of(n->filter, "current"))))
			report(w, NP_FILTER, n->pos);
		walk(w, n->filter);
		for (i = 0; i < n->nfpreds; i++)
			walk(w, n->fpreds[i]);
		for (i = 0; i < n->nsteps; i++) {
			const xp_step *s = &n->steps[i];

			/* "//" is descendant-or-self, which the ODK specification lists. */
			if (s->axis != XA_CHILD && s->axis != XA_PARENT && s->axis != XA_SELF &&
			    s->axis != XA_ATTRIBUTE && s->axis != XA_DESC_OR_SELF)
				report(w, NP_AXIS, n->pos);
			for (k = 0; k < s->npreds; k++)
				walk(w, s->preds[k]);
		}
		break;
	default:
		break;
	}
}

size_t xpath_portability(const xpath_expr *e, xpath_nonportable_fn fn, void *payload)
{
	port_walk w = { 0, 0, fn, payload };

	if (e)
		walk(&w, e->root);
	return w.found;
}
