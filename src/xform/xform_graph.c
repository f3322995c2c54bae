/*
 * xform_graph.c: the dependency graph of a form, built once at load.
 *
 * A vertex is one computation: a bind's calculate, relevant, required or
 * readonly, a select's itemset (which may clear the answer), a repeat's
 * jr:count.  A vertex reads the nodes its expression names (as
 * xpath_refs_collect reports them) and writes its target (calculate,
 * itemset, jr:count).  Vertices are stored in topological order, so a
 * recompute is one pass from the first vertex touched by a change; a cycle
 * is a load error that names the nodes on it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

/* Append v to a growable int array unless it is already the last element. */
static int push(int **a, size_t *n, int v)
{
	int *na;

	if (*n && (*a)[*n - 1] == v)
		return 0;
	if (!(na = realloc(*a, (*n + 1) * sizeof(int))))
		return HW_ERROR;
	*a = na;
	na[(*n)++] = v;
	return 0;
}

/* Add def d (and with subtree, all below it) to the vertex's reads. */
static int add_read(xf_vertex *v, const xf_def *d, int subtree)
{
	size_t i;

	if (push(&v->reads, &v->nreads, d->id) < 0)
		return HW_ERROR;
	if (subtree)
		for (i = 0; i < d->nchildren; i++)
			if (add_read(v, d->children[i], 1) < 0)
				return HW_ERROR;
	return 0;
}

/* Collect the defs expr reads from context path ctx into v->reads. */
static int collect(const xform *f, xf_vertex *v, const xpath_expr *e, const char *ctx, hw_error *err)
{
	xpath_refs refs = XPATH_REFS_INIT;
	size_t i;
	int rc = 0;

	if (!e)
		return 0;
	if (xpath_refs_collect(&refs, e, ctx, err) < 0) {
		xpath_refs_free(&refs);
		return HW_ERROR;
	}
	for (i = 0; i < refs.len && rc == 0; i++) {
		char *lp;
		xf_def *d;

		if (refs.refs[i].instance)
			continue;   /* secondary instances never change */
		if (!(lp = xf_local_path(refs.refs[i].path))) {
			rc = HW_ERROR;   /* not a dependency silently left out */
			break;
		}
		if ((d = xf_def_by_path(f, lp)))
			rc = add_read(v, d, refs.refs[i].subtree);
		free(lp);
	}
	xpath_refs_free(&refs);
	return rc;
}

/* Add a vertex of kind for def (and ctrl) computing expr. */
static int add_vertex(xf_vertex **vs, size_t *n, int kind, xf_def *d, xf_ctrl *c,
		      const xpath_expr *e, int line)
{
	xf_vertex *nv = realloc(*vs, (*n + 1) * sizeof(*nv));

	if (!nv)
		return HW_ERROR;
	*vs = nv;
	memset(&nv[*n], 0, sizeof(*nv));
	nv[*n].kind = kind;
	nv[*n].def = d;
	nv[*n].ctrl = c;
	nv[*n].expr = e;
	nv[*n].line = line;
	(*n)++;
	return 0;
}

/* Gather the itemset vertices of the body. */
static int itemsets(xf_vertex **vs, size_t *n, xf_ctrl *c)
{
	size_t i;

	if (c->itemset && c->def) {
		c->vertex = (int)*n;
		if (add_vertex(vs, n, XV_ITEMSET, c->def, c, c->itemset, c->line) < 0)
			return HW_ERROR;
	}
	for (i = 0; i < c->nchildren; i++)
		if (itemsets(vs, n, c->children[i]) < 0)
			return HW_ERROR;
	return 0;
}

/* Does vertex kind write its def's value (or structure)? */
static int writes(int kind)
{
	return kind == XV_CALC || kind == XV_ITEMSET || kind == XV_COUNT;
}

/* Call fn for every def vertex v writes: its target, and for a repeat count all below. */
static void written_defs(const xf_def *d, int subtree, int *out, size_t *n)
{
	size_t i;

	out[(*n)++] = d->id;
	if (subtree)
		for (i = 0; i < d->nchildren; i++)
			written_defs(d->children[i], 1, out, n);
}

int xf_graph_build(xform *f, hw_error *err)
{
	xf_vertex *vs = NULL;
	size_t nv = 0, i, j, k, qh = 0, qt = 0, done = 0;
	int **succ = NULL;
	size_t *nsucc = NULL;
	int *indeg = NULL, *queue = NULL, *newpos = NULL, *wbuf = NULL, *seen = NULL;
	int rc = HW_ERROR;

	for (i = 0; i < f->ndefs; i++) {
		xf_def *d = f->defs[i];

		if (d->calculate && add_vertex(&vs, &nv, XV_CALC, d, NULL, d->calculate, d->bind_line) < 0)
			goto cleanup;
		if (d->relevant && add_vertex(&vs, &nv, XV_REL, d, NULL, d->relevant, d->bind_line) < 0)
			goto cleanup;
		if (d->required && add_vertex(&vs, &nv, XV_REQ, d, NULL, d->required, d->bind_line) < 0)
			goto cleanup;
		if (d->readonly && add_vertex(&vs, &nv, XV_RO, d, NULL, d->readonly, d->bind_line) < 0)
			goto cleanup;
		if (d->jr_count && add_vertex(&vs, &nv, XV_COUNT, d, d->repeat, d->jr_count,
					      d->repeat ? d->repeat->line : 0) < 0)
			goto cleanup;
	}
	if (itemsets(&vs, &nv, f->body) < 0)
		goto cleanup;
	for (i = 0; i < nv; i++) {
		const char *ctx = vs[i].def->path;
		const char *src = xpath_expr_source(vs[i].expr);

		vs[i].lang = src && (strstr(src, "choice-name") || strstr(src, "itext"));

		if (vs[i].kind == XV_COUNT)
			ctx = vs[i].def->parent ? vs[i].def->parent->path : "/";
		if (collect(f, &vs[i], vs[i].expr, ctx, err) < 0) {
			hw_error_prefix(err, "%s:%d", f->path, vs[i].line);
			rc = HW_EINVALID;
			goto cleanup;
		}
		if (vs[i].kind == XV_ITEMSET) {
			/* The value and label refs are read per item node: secondary, mostly. */
			if (collect(f, &vs[i], vs[i].ctrl->iset_value, ctx, err) < 0 ||
			    (vs[i].ctrl->iset_label.expr &&
			     collect(f, &vs[i], vs[i].ctrl->iset_label.expr, ctx, err) < 0))
				goto cleanup;
		}
	}
	/* Readers per def (temporary indices), then successor lists. */
	for (i = 0; i < nv; i++)
		for (j = 0; j < vs[i].nreads; j++) {
			xf_def *d = f->defs[vs[i].reads[j]];

			if (push(&d->readers, &d->nreaders, (int)i) < 0)
				goto cleanup;
		}
	succ = calloc(nv ? nv : 1, sizeof(int *));
	nsucc = calloc(nv ? nv : 1, sizeof(size_t));
	indeg = calloc(nv ? nv : 1, sizeof(int));
	queue = calloc(nv ? nv : 1, sizeof(int));
	newpos = calloc(nv ? nv : 1, sizeof(int));
	seen = calloc(nv ? nv : 1, sizeof(int));
	wbuf = calloc(f->ndefs ? f->ndefs : 1, sizeof(int));
	if (!succ || !nsucc || !indeg || !queue || !newpos || !seen || !wbuf)
		goto cleanup;
	for (i = 0; i < nv; i++) {
		size_t nw = 0;

		if (!writes(vs[i].kind))
			continue;
		written_defs(vs[i].def, vs[i].kind == XV_COUNT, wbuf, &nw);
		for (j = 0; j < nw; j++) {
			xf_def *d = f->defs[wbuf[j]];

			for (k = 0; k < d->nreaders; k++) {
				int r = d->readers[k];

				if (seen[r] == (int)i + 1)
					continue;
				seen[r] = (int)i + 1;
				if (push(&succ[i], &nsucc[i], r) < 0)
					goto cleanup;
				indeg[r]++;
			}
		}
	}
	/* Kahn's algorithm; vertices left over lie on or behind a cycle. */
	for (i = 0; i < nv; i++)
		if (indeg[i] == 0)
			queue[qt++] = (int)i;
	while (qh < qt) {
		int v = queue[qh++];

		newpos[v] = (int)done++;
		for (j = 0; j < nsucc[v]; j++)
			if (--indeg[succ[v][j]] == 0)
				queue[qt++] = succ[v][j];
	}
	if (done < nv) {
		/* Walk back through predecessors still on the cycle until one repeats. */
		int *path = queue, v = -1;
		size_t plen = 0, start = 0;
		hw_buf msg = HW_BUF_INIT;

		for (i = 0; i < nv; i++)
			if (indeg[i] > 0) {
				v = (int)i;
				break;
			}
		memset(seen, 0, nv * sizeof(int));
		while (v >= 0 && !seen[v]) {
			int pred = -1;

			seen[v] = (int)plen + 1;
			path[plen++] = v;
			for (j = 0; j < nv && pred < 0; j++) {
				if (indeg[j] <= 0)
					continue;
				for (k = 0; k < nsucc[j]; k++)
					if (succ[j][k] == v) {
						pred = (int)j;
						break;
					}
			}
			v = pred;
		}
		if (v >= 0)
			start = (size_t)seen[v] - 1;
		hw_buf_puts(&msg, "cycle: ");
		/* path holds the cycle backwards: print it in the direction values flow. */
		for (i = plen; i > start; i--)
			hw_buf_printf(&msg, "%s -> ", vs[path[i - 1]].def->path);
		hw_buf_puts(&msg, vs[path[plen - 1]].def->path);
		rc = hw_error_set(err, HW_EINVALID, "%s:%d: %s", f->path, vs[path[plen - 1]].line,
				  hw_buf_oom(&msg) ? "a cycle (out of memory naming it)" : msg.ptr);
		hw_buf_free(&msg);
		goto cleanup;
	}
	/* Store the vertices in topological order and index readers and writers. */
	if (!(f->vertices = calloc(nv ? nv : 1, sizeof(xf_vertex))))
		goto cleanup;
	for (i = 0; i < nv; i++) {
		f->vertices[newpos[i]] = vs[i];
		vs[i].reads = NULL;
		if (vs[i].kind == XV_ITEMSET)
			vs[i].ctrl->vertex = newpos[i];
	}
	f->nvertices = nv;
	for (i = 0; i < f->ndefs; i++) {
		f->defs[i]->nreaders = 0;
	}
	for (i = 0; i < nv; i++) {
		xf_vertex *v = &f->vertices[i];

		for (j = 0; j < v->nreads; j++) {
			xf_def *d = f->defs[v->reads[j]];

			if (push(&d->readers, &d->nreaders, (int)i) < 0)
				goto cleanup;
		}
		if (writes(v->kind)) {
			if (push(&v->def->vertices, &v->def->nvertices, (int)i) < 0)
				goto cleanup;
		} else if (push(&v->def->state_vertices, &v->def->nstate_vertices, (int)i) < 0) {
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	if (rc < 0 && err && err->msg[0] == '\0')
		hw_error_set(err, HW_ERROR, "%s: out of memory building the dependency graph", f->path);
	if (rc < 0 && rc != HW_EINVALID && err && err->code == HW_EINVALID)
		rc = HW_EINVALID;
	for (i = 0; i < nv; i++) {
		free(vs[i].reads);
		if (succ)
			free(succ[i]);
	}
	free(vs);
	free(succ);
	free(nsucc);
	free(indeg);
	free(queue);
	free(newpos);
	free(seen);
	free(wbuf);
	return rc;
}
