/*
 * xform_nav.c: validation of a whole instance and the flattened navigation
 * list the TUI and the CLI walk (controls in form order, repeat instances
 * expanded, texts in the current language).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

void xform_failure_list_free(xform_failure_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].path);
		free(list->items[i].message);
	}
	free(list->items);
	free(list);
}

/* Append a failure for node n. */
static int fail_add(xform_failure_list *l, xnode *n, int kind, char *msg)
{
	xform_failure *f = realloc(l->items, (l->count + 1) * sizeof(*f));
	char *path = NULL;

	if (!f || xnode_path(&path, n, XNODE_PATH_INDEXED) < 0) {
		free(msg);
		if (f)
			l->items = f;
		return HW_ERROR;
	}
	l->items = f;
	f[l->count].path = path;
	f[l->count].kind = kind;
	f[l->count].message = msg;
	l->count++;
	return 0;
}

/* Check n and below in document order. */
static int validate_node(xform_session *s, xnode *n, xform_failure_list *l)
{
	xf_nstate *st = n->data;
	size_t i;

	if (!xf_relevant(n))
		return 0;   /* a non-relevant node and all below it are neither required nor checked */
	if (st && st->def && n->nchildren == 0) {
		const xf_def *d = st->def;
		const char *v = xnode_value(n);
		char *msg = NULL;

		if (!*v && st->req) {
			if (d->required_msg.kind != XF_L_NONE)
				xf_label_render(&msg, s, &d->required_msg, n);
			if (fail_add(l, n, XFORM_FAIL_REQUIRED, msg ? msg : strdup("This question is required.")) < 0)
				return HW_ERROR;
		} else if (*v && d->constraint) {
			xpath_ctx ctx;
			int ok = 0;

			xf_ctx(s, &ctx, n);
			s->evals++;
			if (xpath_eval_boolean(&ok, d->constraint, &ctx, &s->scratch) < 0)
				ok = 0;
			if (!ok) {
				if (d->constraint_msg.kind != XF_L_NONE)
					xf_label_render(&msg, s, &d->constraint_msg, n);
				if (fail_add(l, n, XFORM_FAIL_CONSTRAINT,
					     msg ? msg : strdup("This answer is not allowed.")) < 0)
					return HW_ERROR;
			}
		}
	}
	for (i = 0; i < n->nchildren; i++)
		if (validate_node(s, n->children[i], l) < 0)
			return HW_ERROR;
	return 0;
}

int xform_validate(xform_failure_list **out, xform_session *s, hw_error *err)
{
	xform_failure_list *l = calloc(1, sizeof(*l));
	xnode *root = xnode_document_element(s->doc);

	*out = NULL;
	if (!l)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (root && validate_node(s, root, l) < 0) {
		xform_failure_list_free(l);
		return hw_error_set(err, HW_ERROR, "out of memory validating");
	}
	*out = l;
	return 0;
}

/* ------------------------------------------------------------ navigation */

void xform_nav_free(xform_nav *nav)
{
	size_t i;

	if (!nav)
		return;
	for (i = 0; i < nav->count; i++) {
		xform_nav_item *it = &nav->items[i];
		size_t k;

		free(it->path);
		free(it->label);
		free(it->hint);
		free(it->appearance);
		free(it->value);
		free(it->constraint_msg);
		free(it->unsupported);
		for (k = 0; k < it->choices.count; k++) {
			free(it->choices.items[k].value);
			free(it->choices.items[k].label);
		}
		free(it->choices.items);
	}
	free(nav->items);
	free(nav);
}

/* Append a blank item and return it (NULL when out of memory). */
static xform_nav_item *nav_add(xform_nav *nav)
{
	xform_nav_item *n = realloc(nav->items, (nav->count + 1) * sizeof(*n));

	if (!n)
		return NULL;
	nav->items = n;
	memset(&n[nav->count], 0, sizeof(*n));
	n[nav->count].field_list = -1;
	return &n[nav->count++];
}

static int nav_ctrl(xform_nav *nav, xform_session *s, const xf_ctrl *c, xnode *ctx, int depth, int fl,
		    int parent_relevant);

/* The children of a group or repeat instance. */
static int nav_children(xform_nav *nav, xform_session *s, const xf_ctrl *c, xnode *ctx, int depth,
			int fl, int rel)
{
	size_t i;

	for (i = 0; i < c->nchildren; i++)
		if (nav_ctrl(nav, s, c->children[i], ctx, depth, fl, rel) < 0)
			return HW_ERROR;
	return 0;
}

/* Fill the common fields of an item for control c at node n. */
static int nav_fill(xform_nav_item *it, xform_session *s, const xf_ctrl *c, xnode *n, int depth,
		    int fl, int rel)
{
	it->kind = c->kind;
	it->type = c->def ? c->def->type : XFORM_T_STRING;
	it->depth = depth;
	it->line = c->line;
	it->field_list = fl;
	if (n && xnode_path(&it->path, n, XNODE_PATH_INDEXED) < 0)
		return HW_ERROR;
	if (!it->path)
		it->path = strdup("");
	xf_label_render(&it->label, s, &c->label, n);
	xf_label_render(&it->hint, s, &c->hint, n);
	it->appearance = strdup(c->appearance ? c->appearance : "");
	it->unsupported = strdup(c->kind == XFORM_UNSUPPORTED && c->element ? c->element : "");
	it->relevant = rel && (!n || xf_relevant(n));
	it->required = n ? xf_required(n) : 0;
	it->readonly = n ? xf_readonly(n) : 0;
	it->value = strdup(n && c->kind != XFORM_GROUP && c->kind != XFORM_REPEAT ? xnode_value(n) : "");
	if (n && c->def && c->def->constraint_msg.kind != XF_L_NONE)
		xf_label_render(&it->constraint_msg, s, &c->def->constraint_msg, n);
	else
		it->constraint_msg = strdup("");
	if (c->kind == XFORM_INPUT && it->readonly)
		it->kind = XFORM_NOTE;
	if ((c->kind == XFORM_SELECT1 || c->kind == XFORM_SELECT) && n) {
		xform_choice_list *l = NULL;

		int rc = xf_choices(&l, s, c, n);

		if (rc == 0) {
			it->choices = *l;
			free(l);
		} else if (rc != HW_EINVALID) {
			return HW_ERROR;   /* out of memory: not an empty list of choices */
		}
	}
	return it->label && it->hint && it->appearance && it->value && it->constraint_msg &&
		it->unsupported ? 0 : HW_ERROR;
}

static int nav_ctrl(xform_nav *nav, xform_session *s, const xf_ctrl *c, xnode *ctx, int depth, int fl,
		    int rel)
{
	xform_nav_item *it;
	xnode *n = c->def ? xf_resolve(s, ctx, c->def) : NULL;
	size_t idx;

	/*
	 * Inside a repeat with no instance here there is nothing to show, except
	 * the group that wraps a repeat (<group ref="/r"><repeat nodeset="/r">,
	 * what pyxform writes): without it the first instance could never be added.
	 */
	if (c->def && !n && c->kind != XFORM_REPEAT && !(c->kind == XFORM_GROUP && c->def->is_repeat))
		return 0;
	if (c->kind == XFORM_REPEAT) {
		xnode **inst = NULL, *parent;
		size_t k, count = 0;
		int rrel;

		if (!c->def)
			return 0;
		/* Instances live under the node of the repeat's parent def. */
		parent = c->def->parent ? xf_resolve(s, ctx, c->def->parent) : NULL;
		if (!(it = nav_add(nav)))
			return HW_ERROR;
		idx = nav->count - 1;
		if (nav_fill(it, s, c, NULL, depth, fl, rel) < 0)
			return HW_ERROR;
		if (parent) {
			char *pp = NULL;

			hw_buf b = HW_BUF_INIT;

			free(it->path);
			it->path = NULL;
			if (xnode_path(&pp, parent, XNODE_PATH_INDEXED) < 0)
				return HW_ERROR;
			hw_buf_printf(&b, "%s/%s", strcmp(pp, "/") ? pp : "", c->def->local);
			free(pp);
			if (!(it->path = hw_buf_detach(&b)))
				return HW_ERROR;
			it->relevant = rel && xf_relevant(parent);
		}
		it->can_add = it->can_remove = !c->def->jr_count && !c->def->noaddremove;
		rrel = it->relevant;
		if (!parent)
			return 0;
		inst = calloc(parent->nchildren + 1, sizeof(*inst));
		if (!inst)
			return HW_ERROR;
		for (k = 0; k < parent->nchildren; k++)
			if (parent->children[k]->data &&
			    ((xf_nstate *)parent->children[k]->data)->def == c->def)
				inst[count++] = parent->children[k];
		for (k = 0; k < count; k++) {
			xform_nav_item *row = nav_add(nav);

			if (!row || nav_fill(row, s, c, inst[k], depth + 1, fl, rrel) < 0) {
				free(inst);
				return HW_ERROR;
			}
			row->kind = XFORM_GROUP;
			row->repeat_instance = (int)(k + 1);
			row->can_remove = nav->items[idx].can_add;
			if (nav_children(nav, s, c, inst[k], depth + 2, fl, row->relevant) < 0) {
				free(inst);
				return HW_ERROR;
			}
		}
		free(inst);
		return 0;
	}
	if (!(it = nav_add(nav)))
		return HW_ERROR;
	idx = nav->count - 1;
	if (nav_fill(it, s, c, n, depth, fl, rel) < 0)
		return HW_ERROR;
	if (c->kind == XFORM_GROUP) {
		int child_fl = fl >= 0 ? fl : (c->field_list ? (int)idx : -1);

		return nav_children(nav, s, c, n ? n : ctx, depth + 1, child_fl, nav->items[idx].relevant);
	}
	return 0;
}

int xform_nav_build(xform_nav **out, xform_session *s, hw_error *err)
{
	xform_nav *nav = calloc(1, sizeof(*nav));

	*out = NULL;
	if (!nav)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (nav_children(nav, s, s->form->body, xnode_document_element(s->doc), 0, -1, 1) < 0) {
		xform_nav_free(nav);
		return hw_error_set(err, HW_ERROR, "out of memory building the question list");
	}
	*out = nav;
	return 0;
}
