/*
 * xform_entity.c: the case a form is filled for, after ODK's entities
 * conventions (docs/form-entities.md): instance('case') given by the
 * program, entities:saveto on binds, meta/entity's id and baseVersion, and
 * homeward:applies-to, whom the form is for.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

/* The item of a case document (/root/item), or NULL. */
static xnode *case_item(const xnode *doc)
{
	xnode *root = doc ? xnode_document_element(doc) : NULL;

	return root ? xnode_child(root, "item") : NULL;
}

/* Parse the case XML the program gave into s->case_doc. */
int xf_case_load(xform_session *s, const xform_session_options *opts, hw_error *err)
{
	xnode *doc = NULL;
	int rc;

	if (!opts || !opts->case_xml || !s->form->has_case)
		return 0;
	if ((rc = xf_parse_instance(&doc, opts->case_xml,
				    opts->case_len ? opts->case_len : strlen(opts->case_xml), err)) < 0)
		return rc == HW_EINVALID ? hw_error_set(err, HW_EINVALID, "instance('case'): %s",
							  err ? err->msg : "not XML") : rc;
	s->case_doc = doc;
	return 0;
}

/* Set attribute name of el to value (when el has it or force). */
static int set_attr(xnode *el, const char *name, const char *value)
{
	xnode *a = NULL;

	return xnode_set_attr(&a, el, name, value) < 0 ? HW_ERROR : 0;
}

/*
 * meta/entity of a form that updates the case: its id is the case's id and
 * its baseVersion the case's version when the form was opened, as ODK's
 * entities specification has a form compute them with binds (Homeward has no
 * binds on attributes, so the engine fills them).
 */
int xf_entity_fill(xform_session *s)
{
	xnode *root = xnode_document_element(s->doc), *meta, *ent, *item, *v;
	int rc = 0;

	if (!s->case_doc || !root || !(meta = xnode_child(root, "meta")) ||
	    !(ent = xnode_child(meta, "entity")) || !(item = case_item(s->case_doc)))
		return 0;
	if (!xnode_attr(ent, "dataset") || !*xnode_value(xnode_attr(ent, "dataset")))
		rc = set_attr(ent, "dataset", XF_CASE_ID);
	if (rc == 0 && (v = xnode_child(item, "name")))
		rc = set_attr(ent, "id", xnode_value(v));
	if (rc == 0 && (v = xnode_child(item, "__version")))
		rc = set_attr(ent, "baseVersion", xnode_value(v));
	return rc;
}

int xform_property_name_ok(const char *v)
{
	size_t n = v ? strlen(v) : 0;

	return n > 0 && n <= 64 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
		!(v[0] >= '0' && v[0] <= '9') && strcmp(v, "name") && strcmp(v, "label") &&
		strncmp(v, "__", 2);
}

int xform_has_case(const xform *f)
{
	return f && f->has_case;
}

const char *xform_applies_to(const xform *f)
{
	return f ? f->applies_to : NULL;
}

/* instance() for xform_applies: only the case. */
static int applies_instance(xnode **out, const char *id, void *payload)
{
	if (strcmp(id, XF_CASE_ID))
		return HW_ENOTFOUND;
	*out = payload;
	return 0;
}

int xform_applies(int *out, const xform *f, const char *case_xml, size_t len, hw_error *err)
{
	xnode *doc = NULL;
	xpath_env env;
	xpath_ctx ctx = XPATH_CTX_INIT;
	int rc;

	*out = 1;
	if (!f || !f->applies_expr)
		return 0;
	if ((rc = xf_parse_instance(&doc, case_xml ? case_xml : "<root/>",
				    case_xml ? (len ? len : strlen(case_xml)) : 7, err)) < 0)
		return rc;
	memset(&env, 0, sizeof(env));
	env.instance = applies_instance;
	env.payload = doc;
	ctx.node = doc;
	ctx.root = doc;
	ctx.env = &env;
	rc = xpath_eval_boolean(out, f->applies_expr, &ctx, err);
	if (rc < 0)
		*out = 0;
	xnode_free(doc);
	return rc;
}

size_t xform_saveto_count(const xform *f)
{
	size_t n = 0;

	for (size_t i = 0; f && i < f->ndefs; i++)
		n += f->defs[i]->saveto != NULL;
	return n;
}

int xform_saveto_at(const xform *f, size_t k, const char **path, const char **property, int *line)
{
	for (size_t i = 0; f && i < f->ndefs; i++) {
		if (!f->defs[i]->saveto || k--)
			continue;
		if (path)
			*path = f->defs[i]->path;
		if (property)
			*property = f->defs[i]->saveto;
		if (line)
			*line = f->defs[i]->bind_line;
		return 0;
	}
	return HW_ENOTFOUND;
}

void xform_saveto_list_free(xform_saveto_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].property);
		free(l->items[i].path);
		free(l->items[i].value);
	}
	free(l->items);
	free(l);
}

int xform_savetos(xform_saveto_list **out, xform_session *s, hw_error *err)
{
	xform_saveto_list *l = calloc(1, sizeof(*l));
	const xform *f = s->form;
	size_t n = xform_saveto_count(f);

	*out = NULL;
	if (!l || (n && !(l->items = calloc(n, sizeof(*l->items))))) {
		free(l);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	for (size_t i = 0; i < f->ndefs; i++) {
		const xf_def *d = f->defs[i];
		xnode **nodes = NULL;
		size_t nn = 0;
		xform_saveto *it;

		if (!d->saveto)
			continue;
		if (xf_nodes_of(s, d, &nodes, &nn) < 0) {
			xform_saveto_list_free(l);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		/* Not relevant or not answered: the property is left as it is. */
		if (nn == 0 || !xf_relevant(nodes[0]) || !*xnode_value(nodes[0])) {
			free(nodes);
			continue;
		}
		it = &l->items[l->count];
		it->property = strdup(d->saveto);
		it->path = strdup(d->path);
		it->value = strdup(xnode_value(nodes[0]));
		free(nodes);
		l->count++;
		if (!it->property || !it->path || !it->value) {
			xform_saveto_list_free(l);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	*out = l;
	return 0;
}

const char *xform_entity_base_version(xform_session *s)
{
	xnode *root = s ? xnode_document_element(s->doc) : NULL, *meta, *ent, *a;

	if (!root || !(meta = xnode_child(root, "meta")) || !(ent = xnode_child(meta, "entity")) ||
	    !(a = xnode_attr(ent, "baseVersion")))
		return "";
	return xnode_value(a);
}

/* --- what a form reads of instance('case') ---------------------------------- */

typedef struct refs_walk {
	const char *id;
	xform_ref_fn fn;
	void *payload;
	hw_error *err;
} refs_walk;

/* Report the refs of e to the instance asked for. */
static int walk_expr(refs_walk *w, const xpath_expr *e, const char *context, int line)
{
	xpath_refs refs = XPATH_REFS_INIT;
	int rc;

	if (!e)
		return 0;
	if ((rc = xpath_refs_collect(&refs, e, context, w->err)) < 0)
		return rc;
	for (size_t i = 0; i < refs.len; i++)
		if (refs.refs[i].instance && !strcmp(refs.refs[i].instance, w->id))
			w->fn(refs.refs[i].path, line, w->payload);
	xpath_refs_free(&refs);
	return 0;
}

static int walk_text(refs_walk *w, const xf_text *t, const char *context, int line)
{
	int rc = 0;

	for (size_t i = 0; t && i < t->nsegs && rc == 0; i++)
		rc = walk_expr(w, t->segs[i].expr, context, line);
	return rc;
}

static int walk_label(refs_walk *w, const xf_label *l, const char *context, int line)
{
	int rc = walk_text(w, &l->lit, context, line);

	return rc < 0 ? rc : walk_expr(w, l->expr, context, line);
}

static int walk_ctrl(refs_walk *w, const xf_ctrl *c)
{
	const char *ctx = c->ref ? c->ref : "/";
	int rc;

	if ((rc = walk_label(w, &c->label, ctx, c->line)) < 0 ||
	    (rc = walk_label(w, &c->hint, ctx, c->line)) < 0 ||
	    (rc = walk_expr(w, c->itemset, ctx, c->line)) < 0)
		return rc;
	for (size_t i = 0; i < c->nchildren; i++)
		if ((rc = walk_ctrl(w, c->children[i])) < 0)
			return rc;
	return 0;
}

int xform_instance_refs(const xform *f, const char *instance_id, xform_ref_fn fn, void *payload,
			hw_error *err)
{
	refs_walk w = { instance_id, fn, payload, err };
	int rc = 0;

	for (size_t i = 0; i < f->ndefs && rc == 0; i++) {
		const xf_def *d = f->defs[i];
		const xpath_expr *es[] = { d->calculate, d->relevant, d->required, d->readonly,
					   d->constraint, d->jr_count };

		for (size_t k = 0; k < sizeof(es) / sizeof(es[0]) && rc == 0; k++)
			rc = walk_expr(&w, es[k], d->path, d->bind_line);
	}
	for (size_t i = 0; i < f->nactions && rc == 0; i++)
		rc = walk_expr(&w, f->actions[i]->value, f->actions[i]->target, f->actions[i]->line);
	for (size_t l = 0; l < f->nlangs && rc == 0; l++)
		for (size_t i = 0; f->langs[l].texts && i < f->nitext && rc == 0; i++)
			rc = walk_text(&w, f->langs[l].texts[i], "/", 0);
	if (rc == 0 && f->body)
		rc = walk_ctrl(&w, f->body);
	if (rc == 0)
		rc = walk_expr(&w, f->applies_expr, "/", f->applies_line);
	return rc;
}
