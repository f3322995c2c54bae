/*
 * xform_session.c: one instance of a form: creation (defaults, preloads,
 * first-load actions, first evaluation), answers with typed parsing, the
 * incremental recompute over the dependency graph, repeats, and the small
 * queries (value, state, eval) built on them.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

#define XF_MAX_COUNT 1000   /* jr:count above this is capped: a typo must not hang the screen */

xf_nstate *xf_state(const xnode *n)
{
	return n ? (xf_nstate *)n->data : NULL;
}

/* Hang a state on n and its descendants, matching them to defs (d may be NULL). */
static int attach(xnode *n, xf_def *d)
{
	xf_nstate *st;
	size_t i, k;

	if (!n->data) {
		if (!(st = calloc(1, sizeof(*st))))
			return HW_ERROR;
		st->rel = 1;
		n->data = st;
	}
	st = n->data;
	st->def = d;
	for (i = 0; i < n->nchildren; i++) {
		xf_def *cd = NULL;

		for (k = 0; d && k < d->nchildren; k++)
			if (strcmp(d->children[k]->local, n->children[i]->local) == 0) {
				cd = d->children[k];
				break;
			}
		if (attach(n->children[i], cd) < 0)
			return HW_ERROR;
	}
	return 0;
}

/* Free the states hung on n and below. */
static void detach_states(xnode *n)
{
	size_t i;

	free(n->data);
	n->data = NULL;
	for (i = 0; i < n->nchildren; i++)
		detach_states(n->children[i]);
}

int xf_relevant(const xnode *n)
{
	for (; n && n->kind == XNODE_ELEMENT; n = n->parent) {
		const xf_nstate *st = n->data;

		if (st && !st->rel)
			return 0;
	}
	return 1;
}

int xf_readonly(const xnode *n)
{
	for (; n && n->kind == XNODE_ELEMENT; n = n->parent) {
		const xf_nstate *st = n->data;

		if (st && st->ro)
			return 1;
	}
	return 0;
}

int xf_required(const xnode *n)
{
	const xf_nstate *st = n ? n->data : NULL;

	return st && st->req && xf_relevant(n);
}

/* ------------------------------------------------------ environment */

const char *xf_lend(xform_session *s, char *str)
{
	free(s->ring[s->ring_pos]);
	s->ring[s->ring_pos] = str;
	s->ring_pos = (s->ring_pos + 1) % XF_RING;
	return str;
}

static int env_instance(xnode **out, const char *id, void *payload)
{
	xform_session *s = payload;
	size_t i;

	if (s->case_doc && strcmp(id, XF_CASE_ID) == 0) {
		*out = s->case_doc;
		return 0;
	}
	for (i = 0; i < s->form->nsecondary; i++)
		if (strcmp(s->form->secondary[i].id, id) == 0) {
			*out = s->form->secondary[i].doc;
			return 0;
		}
	return HW_ENOTFOUND;
}

static int env_now(double *secs, int *offset, void *payload)
{
	xform_session *s = payload;

	*secs = (double)(s->now ? s->now : time(NULL));
	*offset = 0;
	return 0;
}

void xf_ctx(xform_session *s, xpath_ctx *ctx, xnode *node)
{
	xpath_ctx init = XPATH_CTX_INIT;

	*ctx = init;
	ctx->node = node ? node : s->doc;
	ctx->root = s->doc;
	ctx->env = &s->env;
}

/* ------------------------------------------------------ finding nodes */

/* Collect into a growable array the nodes of def at or below scope. */
static int nodes_below(xnode *scope, const xf_def *scope_def, const xf_def *def,
		       xnode ***out, size_t *n, size_t *cap)
{
	const xf_def *chain[64];
	size_t depth = 0, i;
	const xf_def *d;
	xnode **cur = NULL, **next = NULL;
	size_t ncur = 0, nnext = 0, ccur = 0, cnext = 0;
	int rc = 0;

	for (d = def; d && d != scope_def; d = d->parent) {
		if (depth == 64)
			return 0;
		chain[depth++] = d;
	}
	if (d != scope_def)
		return 0;
	if (!(cur = malloc(sizeof(xnode *))))
		return HW_ERROR;
	cur[0] = scope;
	ncur = ccur = 1;
	while (depth > 0 && ncur > 0) {
		const xf_def *want = chain[--depth];

		nnext = 0;
		for (i = 0; i < ncur; i++) {
			size_t k;

			for (k = 0; k < cur[i]->nchildren; k++) {
				xnode *c = cur[i]->children[k];
				xf_nstate *st = c->data;

				if (!st || st->def != want)
					continue;
				if (nnext == cnext) {
					xnode **g = realloc(next, (cnext = cnext * 2 + 4) * sizeof(*g));

					if (!g) {
						rc = HW_ERROR;
						goto done;
					}
					next = g;
				}
				next[nnext++] = c;
			}
		}
		{
			xnode **t = cur;
			size_t tc = ccur;

			cur = next;
			ncur = nnext;
			ccur = cnext;
			next = t;
			cnext = tc;
		}
	}
	for (i = 0; i < ncur; i++) {
		if (*n == *cap) {
			xnode **g = realloc(*out, (*cap = *cap * 2 + 4) * sizeof(*g));

			if (!g) {
				rc = HW_ERROR;
				goto done;
			}
			*out = g;
		}
		(*out)[(*n)++] = cur[i];
	}
done:
	free(cur);
	free(next);
	return rc;
}

int xf_nodes_of(xform_session *s, const xf_def *def, xnode ***out, size_t *n)
{
	xnode *root = xnode_document_element(s->doc);
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!root || !root->data)
		return 0;
	if (def == ((xf_nstate *)root->data)->def) {
		if (!(*out = malloc(sizeof(xnode *))))
			return HW_ERROR;
		(*out)[0] = root;
		*n = 1;
		return 0;
	}
	return nodes_below(root, ((xf_nstate *)root->data)->def, def, out, n, &cap);
}

xnode *xf_resolve(xform_session *s, xnode *context, const xf_def *def)
{
	xnode *n = context ? context : xnode_document_element(s->doc);
	xnode **found = NULL, *r = NULL;
	size_t cnt = 0, cap = 0;

	/* Climb until n's def is an ancestor-or-self of def, then descend. */
	while (n && n->kind == XNODE_ELEMENT) {
		xf_nstate *st = n->data;
		const xf_def *d;

		for (d = def; d && st && d != st->def; d = d->parent)
			;
		if (d && st) {
			if (st->def == def)
				return n;
			nodes_below(n, st->def, def, &found, &cnt, &cap);
			r = cnt ? found[0] : NULL;
			free(found);
			return r;
		}
		n = n->parent;
	}
	return NULL;
}

int xf_node_at(xnode **out, xform_session *s, const char *path, hw_error *err)
{
	char *lp;
	int rc;

	*out = NULL;
	if (!path || path[0] != '/')
		return hw_error_set(err, HW_EINVALID, "'%s' is not an absolute path", path ? path : "");
	if (!(lp = xf_local_path(path)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	rc = xnode_find(out, s->doc, lp, NULL);
	free(lp);
	if (rc == HW_ERROR)
		return hw_error_set(err, rc, "out of memory");
	if (rc < 0 || !*out)
		return hw_error_set(err, rc == HW_EINVALID ? HW_EINVALID : HW_ENOTFOUND,
				    "no node %s in the instance", path);
	return 0;
}

/* ------------------------------------------------------ recompute */

static int add_instance(xform_session *s, xnode *parent, xf_def *rd, xnode **out, int fire);

/* Mark the vertices that read d (and with subtree, anything below d). */
static void mark_readers(xform_session *s, const xf_def *d, int subtree, size_t *lo)
{
	size_t i;

	for (i = 0; i < d->nreaders; i++) {
		s->marks[d->readers[i]] = s->epoch;
		if ((size_t)d->readers[i] < *lo)
			*lo = (size_t)d->readers[i];
	}
	if (subtree)
		for (i = 0; i < d->nchildren; i++)
			mark_readers(s, d->children[i], 1, lo);
}

/* Set n's value; 1 if it changed, 0 if not, negative on failure. */
static int set_value(xnode *n, const char *v)
{
	if (strcmp(xnode_value(n), v) == 0)
		return 0;
	return xnode_set_value(n, v) < 0 ? HW_ERROR : 1;
}

/* A calculate's result as text for a node of type t (ints are truncated as JavaRosa does). */
static char *calc_text(const xpath_value *v, int t)
{
	char buf[XPATH_NUMBER_MAX], *str = NULL;

	if (t == XFORM_T_INT || t == XFORM_T_DECIMAL) {
		double d = xpath_value_number(v);

		if (v->type == XPATH_STRING && v->str_len == 0)
			return strdup("");
		if (v->type == XPATH_NODESET && v->nnodes == 0)
			return strdup("");
		if (isnan(d) || isinf(d))
			return strdup("");
		if (t == XFORM_T_INT)
			d = trunc(d);
		return strdup(xpath_number_format(buf, d));
	}
	if (v->type == XPATH_BOOLEAN)
		return strdup(v->boolean ? "true" : "false");
	if (xpath_value_string(&str, v) < 0)
		return NULL;
	return str;
}

/* Remove from node's answer the choices its itemset no longer offers; 1 if it changed. */
static int prune_choices(xform_session *s, xnode *node, const xf_ctrl *c)
{
	const char *v = xnode_value(node);
	xform_choice_list *list = NULL;
	hw_buf keep = HW_BUF_INIT;
	const char *p = v;
	int rc;

	if (!*v)
		return 0;
	if ((rc = xf_choices(&list, s, c, node)) < 0)   /* an itemset that fails to evaluate */
		return rc == HW_EINVALID ? 0 : rc;         /* offers nothing new: keep the answer */
	while (*p) {
		const char *q;
		size_t i;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		q = p;
		while (*q && *q != ' ')
			q++;
		for (i = 0; i < list->count; i++)
			if (strlen(list->items[i].value) == (size_t)(q - p) &&
			    memcmp(list->items[i].value, p, (size_t)(q - p)) == 0) {
				if (keep.len)
					hw_buf_add(&keep, " ", 1);
				hw_buf_add(&keep, p, (size_t)(q - p));
				break;
			}
		if (c->kind == XFORM_SELECT1)
			break;
		p = q;
	}
	rc = hw_buf_oom(&keep) ? HW_ERROR : set_value(node, keep.ptr ? keep.ptr : "");
	hw_buf_free(&keep);
	xform_choice_list_free(list);
	return rc;
}

/* Make the repeat rd under parent have want instances; 1 if the count changed. */
static int fit_count(xform_session *s, xnode *parent, xf_def *rd, size_t want)
{
	size_t have = 0, i;
	int changed = 0;

	for (i = 0; i < parent->nchildren; i++)
		if (parent->children[i]->data && ((xf_nstate *)parent->children[i]->data)->def == rd)
			have++;
	while (have > want) {
		xnode *last = NULL;

		for (i = 0; i < parent->nchildren; i++)
			if (parent->children[i]->data && ((xf_nstate *)parent->children[i]->data)->def == rd)
				last = parent->children[i];
		detach_states(last);
		xnode_free(last);
		have--;
		changed = 1;
	}
	while (have < want) {
		if (add_instance(s, parent, rd, NULL, 1) < 0)
			return HW_ERROR;
		have++;
		changed = 1;
	}
	return changed;
}

/* Evaluate vertex v for each of its nodes at or below scope (NULL: everywhere). */
static int eval_vertex(xform_session *s, const xf_vertex *v, xnode *scope, int *changed)
{
	xnode **nodes = NULL;
	size_t n = 0, cap = 0, i;
	const xf_def *target = v->kind == XV_COUNT ? v->def->parent : v->def;
	int rc = 0;

	*changed = 0;
	if (!target)
		return 0;
	if (scope)
		rc = nodes_below(scope, ((xf_nstate *)scope->data)->def, target, &nodes, &n, &cap);
	else
		rc = xf_nodes_of(s, target, &nodes, &n);
	for (i = 0; i < n && rc >= 0; i++) {
		xpath_ctx ctx;
		xf_nstate *st = nodes[i]->data;
		int b = 0, r = 0;

		xf_ctx(s, &ctx, nodes[i]);
		s->evals++;
		switch (v->kind) {
		case XV_CALC: {
			xpath_value val = XPATH_VALUE_INIT;
			char *t;

			if (xpath_eval(&val, v->expr, &ctx, &s->scratch) < 0) {
				xpath_value_free(&val);
				r = set_value(nodes[i], "");
				break;
			}
			t = calc_text(&val, v->def->type);
			xpath_value_free(&val);
			r = t ? set_value(nodes[i], t) : HW_ERROR;
			free(t);
			break;
		}
		case XV_REL:
		case XV_REQ:
		case XV_RO:
			if (xpath_eval_boolean(&b, v->expr, &ctx, &s->scratch) < 0)
				b = v->kind == XV_REL;
			if (v->kind == XV_REL)
				st->rel = (unsigned char)b;
			else if (v->kind == XV_REQ)
				st->req = (unsigned char)b;
			else
				st->ro = (unsigned char)b;
			break;
		case XV_ITEMSET:
			r = prune_choices(s, nodes[i], v->ctrl);
			break;
		case XV_COUNT: {
			double d = 0;

			if (xpath_eval_number(&d, v->expr, &ctx, &s->scratch) < 0 || isnan(d) || d < 0)
				d = 0;
			if (d > XF_MAX_COUNT)
				d = XF_MAX_COUNT;
			r = fit_count(s, nodes[i], v->def, (size_t)d);
			break;
		}
		}
		if (r < 0)
			rc = r;
		else if (r > 0)
			*changed = 1;
	}
	free(nodes);
	return rc;
}

/* Evaluate, in order, the marked vertices from lo on, marking what their changes touch. */
static int run_marked(xform_session *s, size_t lo)
{
	const xform *f = s->form;
	size_t i;

	for (i = lo; i < f->nvertices; i++) {
		const xf_vertex *v = &f->vertices[i];
		int changed = 0;

		if (s->marks[i] != s->epoch)
			continue;
		if (eval_vertex(s, v, NULL, &changed) < 0)
			return HW_ERROR;
		if (changed) {
			size_t dummy = i;

			mark_readers(s, v->def, v->kind == XV_COUNT, &dummy);
		}
	}
	return 0;
}

/* Start a new batch of marks. */
static void new_epoch(xform_session *s)
{
	if (++s->epoch == 0) {
		memset(s->marks, 0, s->form->nvertices * sizeof(uint32_t));
		s->epoch = 1;
	}
}

/* Recompute what depends on d (subtree: a structural change below d). */
static int recompute(xform_session *s, const xf_def *d, int subtree)
{
	size_t lo = s->form->nvertices;

	new_epoch(s);
	mark_readers(s, d, subtree, &lo);
	return run_marked(s, lo);
}

/* Run one setvalue action with target node t; recomputes what depends on it. */
static int run_action(xform_session *s, const xf_action *a, xnode *t)
{
	char *v = NULL;
	int r;

	if (!t)
		return 0;
	if (a->value) {
		xpath_ctx ctx;
		xpath_value val = XPATH_VALUE_INIT;

		xf_ctx(s, &ctx, t);
		if (xpath_eval(&val, a->value, &ctx, &s->scratch) < 0) {
			xpath_value_free(&val);
			return 0;
		}
		v = calc_text(&val, a->tdef->type);
		xpath_value_free(&val);
	} else {
		v = strdup(a->literal ? a->literal : "");
	}
	if (!v)
		return HW_ERROR;
	r = set_value(t, v);
	free(v);
	if (r > 0)
		return recompute(s, a->tdef, 0);
	return r;
}

/* A fresh instance of repeat rd appended after parent's last one; evaluates it. */
static int add_instance(xform_session *s, xnode *parent, xf_def *rd, xnode **out, int fire)
{
	const xform *f = s->form;
	xnode *inst = NULL;
	size_t pos = parent->nchildren, i;
	int changed;

	if (!rd->template_) {
		if (xnode_new_element(&inst, rd->local) < 0)
			return HW_ERROR;
	} else if (xnode_clone(&inst, rd->template_) < 0) {
		return HW_ERROR;
	}
	/* After the last existing instance, or where the def order puts it. */
	for (i = 0; i < parent->nchildren; i++)
		if (parent->children[i]->data && ((xf_nstate *)parent->children[i]->data)->def == rd)
			pos = i + 1;
	if (pos == parent->nchildren) {
		size_t k;
		const xf_def *pd = ((xf_nstate *)parent->data)->def;
		int after = 0;

		/* No instance yet: before the first sibling whose def comes later. */
		for (i = 0; i < parent->nchildren && !after; i++) {
			xf_nstate *st = parent->children[i]->data;

			for (k = 0; st && st->def && pd && k < pd->nchildren; k++) {
				if (pd->children[k] == rd)
					break;
				if (pd->children[k] == st->def)
					break;
			}
			if (st && st->def && pd && k < pd->nchildren && pd->children[k] == rd &&
			    st->def != rd) {
				pos = i;
				after = 1;
			}
		}
	}
	if (xnode_insert(parent, pos, inst) < 0) {
		xnode_free(inst);
		return HW_ERROR;
	}
	if (attach(inst, rd) < 0)
		return HW_ERROR;
	/* Its own computations, in graph order, only for the new nodes. */
	for (i = 0; i < f->nvertices; i++) {
		const xf_vertex *v = &f->vertices[i];
		const xf_def *d;

		for (d = v->kind == XV_COUNT ? v->def->parent : v->def; d && d != rd; d = d->parent)
			;
		if (d && eval_vertex(s, v, inst, &changed) < 0)
			return HW_ERROR;
	}
	if (fire) {
		for (i = 0; i < rd->nnew_repeat; i++) {
			const xf_action *a = rd->new_repeat[i];
			xnode **t = NULL;
			size_t nt = 0, cap = 0;

			nodes_below(inst, rd, a->tdef, &t, &nt, &cap);
			if (nt && run_action(s, a, t[0]) < 0) {
				free(t);
				return HW_ERROR;
			}
			free(t);
		}
	}
	if (out)
		*out = inst;
	return 0;
}

/* ------------------------------------------------------ typed values */

/* Days in a month. */
static int mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Parse YYYY-MM-DD at p; returns characters used or 0. */
static int parse_date(const char *p)
{
	int y, m, d, n = 0;

	if (sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return 0;
	return n;
}

/* Parse HH:MM[:SS[.fff]][Z|+HH:MM] at p; returns characters used or 0. */
static int parse_time(const char *p)
{
	int h, mi, n = 0, k;
	const char *q;

	if (sscanf(p, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5 || h > 23 || mi > 59 || h < 0 || mi < 0)
		return 0;
	q = p + n;
	if (*q == ':') {
		if (!isdigit((unsigned char)q[1]) || !isdigit((unsigned char)q[2]) ||
		    (q[1] - '0') * 10 + (q[2] - '0') > 59)
			return 0;
		q += 3;
		if (*q == '.') {
			q++;
			for (k = 0; isdigit((unsigned char)*q); k++)
				q++;
			if (!k)
				return 0;
		}
	}
	if (*q == 'Z')
		q++;
	else if ((*q == '+' || *q == '-') && isdigit((unsigned char)q[1])) {
		if (sscanf(q + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return 0;
		q += 6;
	}
	return (int)(q - p);
}

/* Check and normalise value for type t; *out is the text to store (caller frees). */
static int typed(char **out, const char *value, int t, hw_error *err)
{
	char *v = NULL, *end;
	size_t l;

	*out = NULL;
	while (isspace((unsigned char)*value))
		value++;
	v = strdup(value);
	if (!v)
		return hw_error_set(err, HW_ERROR, "out of memory");
	l = strlen(v);
	while (l && isspace((unsigned char)v[l - 1]))
		v[--l] = '\0';
	if (!*v) {
		*out = v;
		return 0;
	}
	switch (t) {
	case XFORM_T_INT: {
		const char *p = v + (*v == '-' || *v == '+');
		long long n;

		if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 18)
			goto bad_int;
		n = strtoll(v, NULL, 10);
		if (n > 2147483647LL || n < -2147483648LL)
			goto bad_int;
		snprintf(v, l + 1, "%lld", n);
		break;
	bad_int:
		hw_error_set(err, HW_EINVALID, "'%s' is not a whole number", v);
		free(v);
		return HW_EINVALID;
	}
	case XFORM_T_DECIMAL: {
		double d;

		if (strspn(v, "0123456789+-.eE") != l)
			goto bad_dec;
		d = strtod(v, &end);
		if (*end || isnan(d) || isinf(d))
			goto bad_dec;
		break;
	bad_dec:
		hw_error_set(err, HW_EINVALID, "'%s' is not a number", v);
		free(v);
		return HW_EINVALID;
	}
	case XFORM_T_DATE:
		if (parse_date(v) != (int)l) {
			hw_error_set(err, HW_EINVALID, "'%s' is not a date (YYYY-MM-DD)", v);
			free(v);
			return HW_EINVALID;
		}
		break;
	case XFORM_T_TIME:
		if (parse_time(v) != (int)l) {
			hw_error_set(err, HW_EINVALID, "'%s' is not a time (HH:MM or HH:MM:SS)", v);
			free(v);
			return HW_EINVALID;
		}
		break;
	case XFORM_T_DATETIME: {
		int d = parse_date(v);

		if (!d || (v[d] != 'T' && v[d] != ' ') || parse_time(v + d + 1) != (int)l - d - 1) {
			hw_error_set(err, HW_EINVALID,
				     "'%s' is not a date and time (YYYY-MM-DDTHH:MM:SS)", v);
			free(v);
			return HW_EINVALID;
		}
		v[d] = 'T';
		break;
	}
	default:
		break;
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------ public */

/* The preloads of a new instance (timestamp start, properties, uid, today). */
static int preloads(xform_session *s)
{
	const xform *f = s->form;
	size_t i, j;
	char now[HW_TIME_LEN + 1], uuid[HW_UUID_LEN + 1];

	hw_time_iso(s->now ? s->now : time(NULL), now);
	for (i = 0; i < f->ndefs; i++) {
		const xf_def *d = f->defs[i];
		const char *p = d->preload_params ? d->preload_params : "";
		char *v = NULL;
		xnode **nodes = NULL;
		size_t n = 0;
		int rc = 0;

		if (!d->preload)
			continue;
		if (!strcmp(d->preload, "timestamp") && !strcmp(p, "start"))
			v = strdup(now);
		else if (!strcmp(d->preload, "date") && !strcmp(p, "today"))
			v = strndup(now, 10);
		else if (!strcmp(d->preload, "property") && !strcmp(p, "deviceid"))
			v = strdup(s->deviceid ? s->deviceid : "");
		else if (!strcmp(d->preload, "property") && !strcmp(p, "username"))
			v = strdup(s->username ? s->username : "");
		else if (!strcmp(d->preload, "uid")) {
			hw_buf b = HW_BUF_INIT;

			if (hw_uuid(uuid) < 0)
				return HW_ERROR;
			hw_buf_printf(&b, "uuid:%s", uuid);
			if (!(v = hw_buf_detach(&b)))
				return HW_ERROR;
		} else {
			continue;   /* a preload this engine does not fill */
		}
		if (!v)
			return HW_ERROR;
		rc = xf_nodes_of(s, d, &nodes, &n);
		for (j = 0; rc == 0 && j < n; j++)
			rc = xnode_set_value(nodes[j], v);
		free(nodes);
		free(v);
		if (rc < 0)
			return HW_ERROR;
	}
	return 0;
}

/* Fill meta/instanceID when nothing else does. */
static int ensure_instance_id(xform_session *s, int force)
{
	xnode *root = xnode_document_element(s->doc), *meta, *iid;
	char uuid[HW_UUID_LEN + 1];
	hw_buf b = HW_BUF_INIT;
	int rc;

	if (!root || !(meta = xnode_child(root, "meta")) || !(iid = xnode_child(meta, "instanceID")))
		return 0;
	if (!force && *xnode_value(iid))
		return 0;
	if (hw_uuid(uuid) < 0)
		return HW_ERROR;
	hw_buf_printf(&b, "uuid:%s", uuid);
	rc = hw_buf_oom(&b) ? HW_ERROR : xnode_set_value(iid, b.ptr);
	hw_buf_free(&b);
	return rc;
}

/* Shared set-up of a session around an existing document. */
static int session_start(xform_session **out, const xform *form, xnode *doc,
			 const xform_session_options *opts, int fresh, hw_error *err)
{
	xform_session *s = calloc(1, sizeof(*s));
	xnode *root;
	size_t i;
	int rc = HW_ERROR;

	*out = NULL;
	if (!s) {
		xnode_free(doc);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	s->form = form;
	s->doc = doc;
	s->lang = form->nlangs ? form->default_lang : -1;
	s->env.instance = env_instance;
	s->env.itext = xf_env_itext;
	s->env.choice_name = xf_env_choice_name;
	s->env.now = env_now;
	s->env.payload = s;
	s->epoch = 1;
	if (!(s->marks = calloc(form->nvertices ? form->nvertices : 1, sizeof(uint32_t))))
		goto cleanup;
	if (opts) {
		s->minor = opts->minor;
		s->deviceid = hw_strdup(opts->deviceid);
		s->username = hw_strdup(opts->username);
		s->now = opts->now;
		if (opts->language && (rc = xform_set_language(s, opts->language, err)) < 0)
			goto cleanup;
		if ((rc = xf_case_load(s, opts, err)) < 0)
			goto cleanup;
		rc = HW_ERROR;
	}
	root = xnode_document_element(doc);
	if (!root || strcmp(root->local, form->defs[0]->local) != 0) {
		rc = hw_error_set(err, HW_EINVALID, "the instance's root is not <%s>", form->defs[0]->local);
		goto cleanup;
	}
	if (attach(root, form->defs[0]) < 0)
		goto cleanup;
	if (fresh && preloads(s) < 0)
		goto cleanup;
	/* First full evaluation, in graph order. */
	for (i = 0; i < form->nvertices; i++) {
		int changed;

		if (eval_vertex(s, &form->vertices[i], NULL, &changed) < 0)
			goto cleanup;
	}
	if (fresh) {
		for (i = 0; i < form->nactions; i++) {
			const xf_action *a = form->actions[i];
			xnode **t = NULL;
			size_t nt = 0, k;

			if (!(a->events & XF_EV_FIRST_LOAD))
				continue;
			xf_nodes_of(s, a->tdef, &t, &nt);
			for (k = 0; k < nt; k++)
				if (run_action(s, a, t[k]) < 0) {
					free(t);
					goto cleanup;
				}
			free(t);
		}
		if (ensure_instance_id(s, 0) < 0)
			goto cleanup;
	}
	if (xf_entity_fill(s) < 0)
		goto cleanup;
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	if (rc < 0 && err && !err->msg[0])
		hw_error_set(err, rc, "out of memory starting a session");
	xform_session_free(s);
	return rc;
}

int xform_session_new(xform_session **out, const xform *form,
		      const xform_session_options *opts, hw_error *err)
{
	xnode *doc = NULL, *root = NULL;

	*out = NULL;
	if (!form)
		return hw_error_set(err, HW_EINVALID, "no form");
	if (xnode_new_document(&doc) < 0 ||
	    xnode_clone(&root, xnode_document_element(form->primary)) < 0 ||
	    xnode_append(doc, root) < 0) {
		xnode_free(root);
		xnode_free(doc);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	return session_start(out, form, doc, opts, 1, err);
}


void xform_session_free(xform_session *s)
{
	size_t i;

	if (!s)
		return;
	if (s->doc) {
		xnode *root = xnode_document_element(s->doc);

		if (root)
			detach_states(root);
		xnode_free(s->doc);
	}
	for (i = 0; i < XF_RING; i++)
		free(s->ring[i]);
	free(s->marks);
	free(s->deviceid);
	free(s->username);
	free(s->instance_id_cache);
	xnode_free(s->case_doc);
	free(s);
}

const xform *xform_session_form(const xform_session *s)
{
	return s ? s->form : NULL;
}

unsigned long xform_eval_count(const xform_session *s)
{
	return s ? s->evals : 0;
}

void xform_set_minor(xform_session *s, int minor)
{
	if (s)
		s->minor = minor;
}

int xform_set_language(xform_session *s, const char *code, hw_error *err)
{
	int i = xf_lang_find(s->form, code);

	if (i < 0)
		return hw_error_set(err, HW_ENOTFOUND, "the form has no language '%s'", code ? code : "");
	if (i != s->lang) {
		size_t k, lo = s->form->nvertices;

		s->lang = i;
		/* Calculations that show texts (jr:choice-name, jr:itext) follow the language. */
		new_epoch(s);
		for (k = 0; k < s->form->nvertices; k++)
			if (s->form->vertices[k].lang) {
				s->marks[k] = s->epoch;
				if (k < lo)
					lo = k;
			}
		if (run_marked(s, lo) < 0)
			return hw_error_set(err, HW_ERROR, "recomputing after a language switch failed");
	}
	return 0;
}

const char *xform_language(const xform_session *s)
{
	return s && s->lang >= 0 ? s->form->langs[s->lang].code : NULL;
}

int xform_answer(xform_session *s, const char *path, const char *value, hw_error *err)
{
	xnode *n = NULL;
	xf_nstate *st;
	char *v = NULL;
	int rc;
	size_t i;

	if ((rc = xf_node_at(&n, s, path, err)) < 0)
		return rc;
	st = n->data;
	if (n->nchildren > 0 || (st && st->def && st->def->is_repeat))
		return hw_error_set(err, HW_EINVALID, "%s is a group, not a question", path);
	if (xf_readonly(n) || (st && st->def && st->def->calculate && value && *value))
		return hw_error_set(err, HW_EINVALID, "%s is read-only", path);
	if ((rc = typed(&v, value ? value : "", st && st->def ? st->def->type : XFORM_T_STRING, err)) < 0)
		return rc;
	if (*v && st && st->def && st->def->ctrl &&
	    (st->def->ctrl->kind == XFORM_SELECT1 || st->def->ctrl->kind == XFORM_SELECT)) {
		/* Each value must be on offer now; multi-select values are space-separated. */
		char *copy = strdup(v), *tok, *save = NULL;
		hw_buf norm = HW_BUF_INIT;
		int count = 0, offered;

		if (!copy) {
			free(v);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if ((offered = xf_itemset_offers(s, n, tok)) < 0) {
				rc = hw_error_set(err, offered, "out of memory");
				break;
			}
			if (!offered) {
				rc = hw_error_set(err, HW_EINVALID, "'%s' is not a choice of %s", tok, path);
				break;
			}
			if (norm.len)
				hw_buf_add(&norm, " ", 1);
			hw_buf_puts(&norm, tok);
			count++;
		}
		free(copy);
		if (rc == 0 && count > 1 && st->def->ctrl->kind == XFORM_SELECT1)
			rc = hw_error_set(err, HW_EINVALID, "%s takes one choice only", path);
		if (rc < 0) {
			hw_buf_free(&norm);
			free(v);
			return rc;
		}
		free(v);
		if (!(v = hw_buf_detach(&norm)))
			return hw_error_set(err, HW_ERROR, "out of memory");
	}
	rc = set_value(n, v);
	free(v);
	if (rc < 0)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (rc == 0 || !st || !st->def)
		return 0;
	if (recompute(s, st->def, 0) < 0)
		return hw_error_set(err, HW_ERROR, "recomputing after %s failed", path);
	for (i = 0; i < st->def->nchanged; i++) {
		const xf_action *a = st->def->changed[i];

		if (run_action(s, a, xf_resolve(s, n, a->tdef)) < 0)
			return hw_error_set(err, HW_ERROR, "a setvalue action after %s failed", path);
	}
	return 0;
}

int xform_clear(xform_session *s, const char *path, hw_error *err)
{
	return xform_answer(s, path, "", err);
}

/* The parent node under which instances of the repeat at path live, and its def. */
static int repeat_parent(xnode **parent, xf_def **rd, xform_session *s, const char *path, hw_error *err)
{
	char *lp = xf_local_path(path), *slash;
	xnode *n = NULL;
	xf_def *d;
	char *generic;
	int rc;

	if (!lp)
		return hw_error_set(err, HW_ERROR, "out of memory");
	slash = strrchr(lp, '/');
	if (!slash || slash == lp) {
		free(lp);
		return hw_error_set(err, HW_EINVALID, "%s is not a repeat", path);
	}
	*slash = '\0';
	rc = xnode_find(&n, s->doc, lp, NULL);
	if (rc < 0 || !n || !n->data) {
		free(lp);
		return hw_error_set(err, HW_ENOTFOUND, "no node %s in the instance", path);
	}
	{
		hw_buf b = HW_BUF_INIT;
		char *step = slash + 1, *br = strchr(step, '[');

		if (br)
			*br = '\0';
		hw_buf_printf(&b, "%s/%s", ((xf_nstate *)n->data)->def->path, step);
		if (!(generic = hw_buf_detach(&b))) {
			free(lp);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	d = xf_def_by_path(s->form, generic);
	free(generic);
	free(lp);
	if (!d || !d->is_repeat)
		return hw_error_set(err, HW_EINVALID, "%s is not a repeat", path);
	*parent = n;
	*rd = d;
	return 0;
}

int xform_repeat_add(xform_session *s, const char *path, size_t *out_index, hw_error *err)
{
	xnode *parent = NULL, *inst = NULL;
	xf_def *rd = NULL;
	int rc;

	if ((rc = repeat_parent(&parent, &rd, s, path, err)) < 0)
		return rc;
	if (rd->jr_count || rd->noaddremove)
		return hw_error_set(err, HW_EINVALID, "%s cannot be added to: its count is fixed", path);
	if (add_instance(s, parent, rd, &inst, 1) < 0)
		return hw_error_set(err, HW_ERROR, "out of memory adding to %s", path);
	if (out_index)
		*out_index = xnode_position(inst);
	if (recompute(s, rd, 1) < 0)
		return hw_error_set(err, HW_ERROR, "recomputing after adding to %s failed", path);
	return 0;
}

int xform_repeat_remove(xform_session *s, const char *path, hw_error *err)
{
	xnode *n = NULL;
	xf_nstate *st;
	xf_def *rd;
	int rc;

	if ((rc = xf_node_at(&n, s, path, err)) < 0)
		return rc;
	st = n->data;
	if (!st || !st->def || !st->def->is_repeat)
		return hw_error_set(err, HW_EINVALID, "%s is not a repeat instance", path);
	rd = st->def;
	if (rd->jr_count || rd->noaddremove)
		return hw_error_set(err, HW_EINVALID, "%s cannot be removed: its count is fixed", path);
	detach_states(n);
	xnode_free(n);
	if (recompute(s, rd, 1) < 0)
		return hw_error_set(err, HW_ERROR, "recomputing after removing %s failed", path);
	return 0;
}

int xform_repeat_count(xform_session *s, const char *path, size_t *out, hw_error *err)
{
	xnode *parent = NULL;
	xf_def *rd = NULL;
	size_t i;
	int rc;

	*out = 0;
	if ((rc = repeat_parent(&parent, &rd, s, path, err)) < 0)
		return rc;
	for (i = 0; i < parent->nchildren; i++)
		if (parent->children[i]->data && ((xf_nstate *)parent->children[i]->data)->def == rd)
			(*out)++;
	return 0;
}

int xform_value(const char **out, xform_session *s, const char *path, hw_error *err)
{
	xnode *n = NULL;
	int rc;

	*out = "";
	if ((rc = xf_node_at(&n, s, path, err)) < 0)
		return rc;
	*out = xnode_value(n);
	return 0;
}

int xform_state(xform_node_state *out, xform_session *s, const char *path, hw_error *err)
{
	xnode *n = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = xf_node_at(&n, s, path, err)) < 0)
		return rc;
	out->relevant = xf_relevant(n);
	out->required = xf_required(n);
	out->readonly = xf_readonly(n);
	return 0;
}

int xform_eval(char **out, xform_session *s, const char *expr, hw_error *err)
{
	xpath_expr *e = NULL;
	xpath_ctx ctx;
	int rc;

	*out = NULL;
	if ((rc = xpath_compile(&e, expr, err)) < 0)
		return rc;
	xf_ctx(s, &ctx, xnode_document_element(s->doc));
	rc = xpath_eval_string(out, e, &ctx, err);
	xpath_expr_free(e);
	return rc;
}

const char *xform_instance_id(xform_session *s)
{
	xnode *root = xnode_document_element(s->doc), *meta, *iid;

	if (!root || !(meta = xnode_child(root, "meta")) || !(iid = xnode_child(meta, "instanceID")))
		return "";
	return xnode_value(iid);
}

/* Set timeEnd preloads (at finalisation). */
int xf_finalise(xform_session *s)
{
	const xform *f = s->form;
	char now[HW_TIME_LEN + 1];
	size_t i, j;

	hw_time_iso(s->now ? s->now : time(NULL), now);
	for (i = 0; i < f->ndefs; i++) {
		const xf_def *d = f->defs[i];
		xnode **nodes = NULL;
		size_t n = 0;

		if (!d->preload || strcmp(d->preload, "timestamp") || !d->preload_params ||
		    strcmp(d->preload_params, "end"))
			continue;
		if (xf_nodes_of(s, d, &nodes, &n) == 0)
			for (j = 0; j < n; j++)
				xnode_set_value(nodes[j], now);
		free(nodes);
	}
	return ensure_instance_id(s, 0);
}

/* Give an edited instance a new instanceID and keep the old one as deprecatedID. */
static int xf_renew_id(xform_session *s, hw_error *err)
{
	xnode *root = xnode_document_element(s->doc), *meta, *iid, *dep = NULL;
	char *old;

	if (!root || !(meta = xnode_child(root, "meta")) || !(iid = xnode_child(meta, "instanceID")))
		return hw_error_set(err, HW_EINVALID, "the form has no meta/instanceID to edit by");
	old = strdup(xnode_value(iid));
	if (!(dep = xnode_child(meta, "deprecatedID"))) {
		if (xnode_new_element(&dep, "deprecatedID") < 0 || xnode_append(meta, dep) < 0) {
			xnode_free(dep);
			free(old);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		attach(dep, NULL);
	}
	xnode_set_value(dep, old);
	free(old);
	return ensure_instance_id(s, 1);
}

int xform_replay(xform_session *s, const xform_op *ops, size_t n, size_t *failed_at, hw_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		switch (ops[i].kind) {
		case XFORM_OP_ANSWER:
			rc = xform_answer(s, ops[i].path, ops[i].value, err);
			break;
		case XFORM_OP_CLEAR:
			rc = xform_clear(s, ops[i].path, err);
			break;
		case XFORM_OP_ADD_REPEAT:
			rc = xform_repeat_add(s, ops[i].path, NULL, err);
			break;
		case XFORM_OP_REMOVE_REPEAT:
			rc = xform_repeat_remove(s, ops[i].path, err);
			break;
		case XFORM_OP_LANGUAGE:
			rc = xform_set_language(s, ops[i].value, err);
			break;
		default:
			rc = hw_error_set(err, HW_EINVALID, "unknown replay operation %d", ops[i].kind);
		}
		if (rc < 0) {
			if (failed_at)
				*failed_at = i;
			hw_error_prefix(err, "replaying step %zu", i + 1);
			return rc;
		}
	}
	if (failed_at)
		*failed_at = n;
	return 0;
}

/* Copy the values of src's subtree onto dst's, adding repeat instances as needed. */
static int merge(xform_session *s, xnode *dst, const xnode *src)
{
	size_t i;

	if (src->nchildren == 0)
		return xnode_set_value(dst, xnode_value(src));
	for (i = 0; i < src->nchildren; i++) {
		const xnode *sc = src->children[i];
		size_t nth = xnode_position(sc);
		xnode *dc = xnode_child_nth(dst, sc->local, nth);

		if (!dc) {
			xf_nstate *st = dst->data;
			xf_def *rd = NULL;
			size_t k;

			for (k = 0; st && st->def && k < st->def->nchildren; k++)
				if (!strcmp(st->def->children[k]->local, sc->local))
					rd = st->def->children[k];
			if (!rd || !rd->is_repeat)
				continue;   /* not in this form version: dropped */
			if (add_instance(s, dst, rd, &dc, 0) < 0)
				return HW_ERROR;
		}
		if (merge(s, dc, sc) < 0)
			return HW_ERROR;
	}
	return 0;
}

int xf_session_edit_doc(xform_session **out, const xform *form, const xnode *sub,
			const xform_session_options *opts, hw_error *err)
{
	xform_session *s = NULL;
	xnode *root, *sroot = xnode_document_element(sub);
	size_t i;
	int rc, changed;

	*out = NULL;
	if ((rc = xform_session_new(&s, form, opts, err)) < 0)
		return rc;
	root = xnode_document_element(s->doc);
	if (!sroot || strcmp(sroot->local, root->local) != 0) {
		xform_session_free(s);
		return hw_error_set(err, HW_EINVALID, "the submission is not an instance of this form");
	}
	/* Repeats start from what the submission has, not from the form's defaults. */
	for (i = 0; i < form->ndefs; i++) {
		const xf_def *d = form->defs[i];
		xnode **nodes = NULL;
		size_t n = 0, k;

		if (!d->is_repeat || d->jr_count)
			continue;
		xf_nodes_of(s, d, &nodes, &n);
		for (k = 0; k < n; k++) {
			detach_states(nodes[k]);
			xnode_free(nodes[k]);
		}
		free(nodes);
	}
	if (merge(s, root, sroot) < 0) {
		xform_session_free(s);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	for (i = 0; i < form->nvertices; i++)
		eval_vertex(s, &form->vertices[i], NULL, &changed);
	if ((rc = xf_renew_id(s, err)) < 0) {
		xform_session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
