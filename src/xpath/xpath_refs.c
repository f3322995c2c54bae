/*
 * xpath_refs.c: which nodes does an expression read?
 *
 * The form's dependency graph needs, for each bind, the generic paths its
 * expressions read.  Paths are resolved statically: relative steps against
 * the bind's own path, ".." climbing, predicates against the node they
 * filter, current() against the bind.  Steps that cannot be followed
 * statically ("//", "*") end the path with the subtree flag, which over-
 * approximates: the graph may recompute a little more, never less.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xpath_internal.h"

#define RP_MAX 128

/* A path being resolved: components from the instance root down. */
typedef struct rpath {
	const char *inst;          /* NULL: primary instance */
	const char *comp[RP_MAX];  /* local names, borrowed from the tree or the context path copy */
	unsigned char attr[RP_MAX];/* component is an attribute */
	size_t n;
	int valid;                 /* 0 once it climbed above the root or cannot be followed */
	int subtree;               /* a "//" or "*" step was met: stop here, anything below */
} rpath;

typedef struct walker {
	xpath_refs *refs;
	const rpath *orig;         /* the context node's path: what current() means */
	hw_error *err;
} walker;

/* Append a ref unless an equal one is there. */
static int refs_add(xpath_refs *refs, const char *inst, const char *path, int subtree)
{
	size_t i;
	xpath_ref *r;

	for (i = 0; i < refs->len; i++) {
		r = &refs->refs[i];
		if (r->subtree == subtree && strcmp(r->path, path) == 0 &&
		    ((!r->instance && !inst) || (r->instance && inst && strcmp(r->instance, inst) == 0)))
			return 0;
	}
	if (refs->len == refs->cap) {
		size_t ncap = refs->cap ? refs->cap * 2 : 8;
		xpath_ref *nr = realloc(refs->refs, ncap * sizeof(*nr));
		if (!nr)
			return HW_ERROR;
		refs->refs = nr;
		refs->cap = ncap;
	}
	r = &refs->refs[refs->len];
	r->path = strdup(path);
	r->instance = inst ? strdup(inst) : NULL;
	r->subtree = subtree;
	if (!r->path || (inst && !r->instance)) {
		free(r->path);
		free(r->instance);
		return HW_ERROR;
	}
	refs->len++;
	return 0;
}

/* Report p as read. */
static int emit(walker *w, const rpath *p)
{
	hw_buf b = HW_BUF_INIT;
	size_t i;
	int rc = 0;

	if (!p->valid || (p->n == 0 && !p->subtree && !p->inst))
		return 0;
	if (p->n == 0)
		rc = hw_buf_puts(&b, "/");
	for (i = 0; i < p->n && rc == 0; i++)
		rc = hw_buf_printf(&b, "/%s%s", p->attr[i] ? "@" : "", p->comp[i]);
	if (rc == 0)
		rc = refs_add(w->refs, p->inst, b.ptr, p->subtree);
	hw_buf_free(&b);
	if (rc < 0)
		return hw_error_set(w->err, HW_ERROR, "out of memory");
	return 0;
}

static int walk(walker *w, const xp_node *n, const rpath *ctx);

/* Push a component. */
static void push(rpath *p, const char *name, int attr)
{
	if (p->n >= RP_MAX) {
		p->valid = 0;
		return;
	}
	p->comp[p->n] = name;
	p->attr[p->n] = (unsigned char)attr;
	p->n++;
}

/* Follow one step statically. */
static void follow(rpath *p, const xp_step *s)
{
	if (!p->valid || p->subtree)
		return;
	switch (s->axis) {
	case XA_SELF:
		return;
	case XA_PARENT:
		if (p->n == 0)
			p->valid = 0;
		else
			p->n--;
		return;
	case XA_CHILD:
		if (s->test == XT_NAME)
			push(p, s->name, 0);
		else if (s->test == XT_TEXT)
			return;
		else
			p->subtree = 1;
		return;
	case XA_ATTRIBUTE:
		if (s->test == XT_NAME)
			push(p, s->name, 1);
		else
			p->subtree = 1;
		return;
	case XA_DESCENDANT:
	case XA_DESC_OR_SELF:
		p->subtree = 1;
		return;
	case XA_FOLLOWING_SIB:
	case XA_PRECEDING_SIB:
		if (p->n == 0) {
			p->valid = 0;
			return;
		}
		p->n--;
		if (s->test == XT_NAME)
			push(p, s->name, 0);
		else
			p->subtree = 1;
		return;
	case XA_ANCESTOR:
	case XA_ANC_OR_SELF:
		/* Ancestors are groups and repeats, whose own values forms do not read. */
		p->valid = 0;
		return;
	}
}

/* Is n a call of the function named name? */
static int is_call(const xp_node *n, const char *name)
{
	return n && n->op == XP_CALL && strcmp(n->fn->name, name) == 0;
}

/* Walk a path expression. */
static int walk_path(walker *w, const xp_node *n, const rpath *ctx)
{
	rpath p;
	size_t i, k;
	int rc;

	if (n->filter) {
		if (is_call(n->filter, "instance") && n->filter->args[0]->op == XP_STR) {
			memset(&p, 0, sizeof(p));
			p.inst = n->filter->args[0]->str;
			p.valid = 1;
		} else if (is_call(n->filter, "current")) {
			p = *w->orig;
		} else {
			if ((rc = walk(w, n->filter, ctx)) < 0)
				return rc;
			memset(&p, 0, sizeof(p));
			p.valid = 0;
		}
		for (k = 0; k < n->nfpreds; k++)
			if ((rc = walk(w, n->fpreds[k], &p)) < 0)
				return rc;
	} else if (n->absolute) {
		memset(&p, 0, sizeof(p));
		p.valid = 1;
	} else {
		p = *ctx;
	}
	for (i = 0; i < n->nsteps; i++) {
		follow(&p, &n->steps[i]);
		for (k = 0; k < n->steps[i].npreds; k++)
			if ((rc = walk(w, n->steps[i].preds[k], &p)) < 0)
				return rc;
	}
	return emit(w, &p);
}

/* Walk any expression. */
static int walk(walker *w, const xp_node *n, const rpath *ctx)
{
	size_t i;
	int rc;

	if (!n)
		return 0;
	switch (n->op) {
	case XP_NUM:
	case XP_STR:
		return 0;
	case XP_PATH:
		return walk_path(w, n, ctx);
	case XP_CALL:
		if (is_call(n, "current"))
			return emit(w, w->orig);
		if (is_call(n, "once") || is_call(n, "string") || is_call(n, "number") ||
		    is_call(n, "string-length") || is_call(n, "normalize-space")) {
			/* These read the context node when called without an argument (once() always). */
			if (n->nargs == 0 || is_call(n, "once"))
				if ((rc = emit(w, ctx)) < 0)
					return rc;
		}
		for (i = 0; i < n->nargs; i++)
			if ((rc = walk(w, n->args[i], ctx)) < 0)
				return rc;
		return 0;
	default:
		if ((rc = walk(w, n->a, ctx)) < 0)
			return rc;
		return walk(w, n->b, ctx);
	}
}

/* Split a generic context path into p, keeping the copy in buf alive. */
static int parse_context(rpath *p, char *buf)
{
	char *s = buf, *tok;

	memset(p, 0, sizeof(*p));
	p->valid = 1;
	while ((tok = strsep(&s, "/")) != NULL) {
		char *br;
		const char *colon;
		int attr = 0;

		if (!*tok)
			continue;
		br = strchr(tok, '[');
		if (br)
			*br = '\0';
		if (*tok == '@') {
			attr = 1;
			tok++;
		}
		colon = strchr(tok, ':');
		push(p, colon ? colon + 1 : tok, attr);
	}
	return p->valid ? 0 : HW_EINVALID;
}

/* List the nodes e reads. */
int xpath_refs_collect(xpath_refs *refs, const xpath_expr *e, const char *context_path, hw_error *err)
{
	walker w;
	rpath ctx;
	char *buf = NULL;
	int rc;

	if (!refs || !e)
		return hw_error_set(err, HW_EINVALID, "no expression");
	buf = strdup(context_path ? context_path : "/");
	if (!buf)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (parse_context(&ctx, buf) < 0) {
		free(buf);
		return hw_error_set(err, HW_EINVALID, "context path too deep: %s", context_path);
	}
	w.refs = refs;
	w.orig = &ctx;
	w.err = err;
	rc = walk(&w, e->root, &ctx);
	free(buf);
	return rc;
}

/* Free the list. */
void xpath_refs_free(xpath_refs *refs)
{
	size_t i;

	if (!refs)
		return;
	for (i = 0; i < refs->len; i++) {
		free(refs->refs[i].path);
		free(refs->refs[i].instance);
	}
	free(refs->refs);
	refs->refs = NULL;
	refs->len = refs->cap = 0;
}
