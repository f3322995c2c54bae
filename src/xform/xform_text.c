/*
 * xform_text.c: what a session shows: itext in the current language with
 * the child-variant rule, labels and hints with <output/> substituted, the
 * choices a select offers (static items or an itemset), and the two
 * evaluator callbacks that need them (jr:itext, jr:choice-name).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

int xf_lang_find(const xform *f, const char *code)
{
	size_t i;

	if (!code)
		return -1;
	for (i = 0; i < f->nlangs; i++)
		if (strcmp(f->langs[i].code, code) == 0)
			return (int)i;
	for (i = 0; i < f->nlangs; i++)
		if (strcmp(f->langs[i].name, code) == 0)
			return (int)i;
	return -1;
}

/*
 * The text of id in the session's language.  For a minor, the language's
 * "-x-child" variant wins where it has the text; a child variant chosen
 * directly falls back to its plain language.
 */
const xf_text *xf_itext(const xform_session *s, const char *id)
{
	const xform *f = s->form;
	const xf_lang *L;
	int k;

	if (s->lang < 0 || (k = xf_map_get(&f->itext_ids, id)) < 0)
		return NULL;
	L = &f->langs[s->lang];
	if (s->minor && L->child >= 0 && f->langs[L->child].texts[k])
		return f->langs[L->child].texts[k];
	if (L->texts[k])
		return L->texts[k];
	if (L->base >= 0 && f->langs[L->base].texts[k])
		return f->langs[L->base].texts[k];
	return NULL;
}

int xf_env_itext(const char **out, const char *id, void *payload)
{
	const xf_text *t = xf_itext(payload, id);

	*out = t ? t->flat : id;
	return 0;
}

/*
 * Append the value of an output to b: an expression that fails at run time
 * shows nothing, but running out of memory is an error (HW_ERROR).
 */
static int render_expr(hw_buf *b, xform_session *s, const xpath_expr *e, xnode *ctx_node)
{
	xpath_ctx ctx;
	char *v = NULL;
	int rc;

	xf_ctx(s, &ctx, ctx_node);
	rc = xpath_eval_string(&v, e, &ctx, &s->scratch);
	if (rc == 0)
		rc = hw_buf_puts(b, v);
	free(v);
	return rc == HW_EINVALID ? 0 : rc;
}

/* Render a text, evaluating its outputs with ctx as context node. */
static int render_text(hw_buf *b, xform_session *s, const xf_text *t, xnode *ctx_node)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < t->nsegs && rc == 0; i++) {
		if (t->segs[i].text)
			rc = hw_buf_puts(b, t->segs[i].text);
		else if (t->segs[i].expr)
			rc = render_expr(b, s, t->segs[i].expr, ctx_node);
	}
	return rc;
}

int xf_label_render(char **out, xform_session *s, const xf_label *l, xnode *ctx_node)
{
	hw_buf b = HW_BUF_INIT;
	int rc = 0;

	*out = NULL;
	switch (l->kind) {
	case XF_L_LITERAL:
		rc = render_text(&b, s, &l->lit, ctx_node);
		break;
	case XF_L_ITEXT: {
		const xf_text *t = xf_itext(s, l->itext_id);

		if (t)
			rc = render_text(&b, s, t, ctx_node);
		else
			rc = hw_buf_puts(&b, l->itext_id);   /* a missing text shows its id */
		break;
	}
	case XF_L_EXPR:
		rc = render_expr(&b, s, l->expr, ctx_node);
		break;
	default:
		break;
	}
	if (rc < 0) {
		hw_buf_free(&b);
		return HW_ERROR;
	}
	*out = hw_buf_detach(&b);
	return *out ? 0 : HW_ERROR;
}

void xform_choice_list_free(xform_choice_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].value);
		free(list->items[i].label);
	}
	free(list->items);
	free(list);
}

/* Append a choice. */
static int choice_add(xform_choice_list *l, char *value, char *label)
{
	xform_choice *n = realloc(l->items, (l->count + 1) * sizeof(*n));

	if (n)
		l->items = n;   /* the old block may be gone even if value or label is missing */
	if (!n || !value || !label) {
		free(value);
		free(label);
		return HW_ERROR;
	}
	l->items = n;
	n[l->count].value = value;
	n[l->count].label = label;
	l->count++;
	return 0;
}

/*
 * An itemset label read from one column ("label") of a secondary instance
 * is shown from the column "label_<lang>" of the same item when it has one
 * that is not empty: the build adds such columns to the translated data
 * files (docs/assistance-inventory.md).  For a child variant the plain
 * language's column serves.  NULL when the label is read as written.
 */
static const char *column_in_language(const xform_session *s, const xf_ctrl *c, const xnode *item)
{
	const xform *f = s->form;
	char name[160];
	const xnode *cell;
	int k;

	if (!c->iset_label_col || s->lang < 0)
		return NULL;
	for (k = s->lang; k >= 0; k = f->langs[k].base) {
		const char *code = f->langs[k].code;

		if (!code || snprintf(name, sizeof name, "%s_%s", c->iset_label_col, code) >= (int)sizeof name)
			continue;
		if ((cell = xnode_child(item, name)) && xnode_value(cell) && *xnode_value(cell))
			return xnode_value(cell);
		if (f->langs[k].base == k)
			break;
	}
	return NULL;
}

int xf_choices(xform_choice_list **out, xform_session *s, const xf_ctrl *c, xnode *node)
{
	xform_choice_list *l = calloc(1, sizeof(*l));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!l)
		return HW_ERROR;
	for (i = 0; i < c->nitems && rc == 0; i++) {
		char *label = NULL;

		xf_label_render(&label, s, &c->items[i].label, node);
		rc = choice_add(l, strdup(c->items[i].value), label);
	}
	if (c->itemset && rc == 0) {
		xpath_ctx ctx;
		xpath_value set = XPATH_VALUE_INIT;

		xf_ctx(s, &ctx, node);
		s->evals++;
		if ((rc = xpath_eval(&set, c->itemset, &ctx, &s->scratch)) == 0 && set.type != XPATH_NODESET)
			rc = HW_EINVALID;
		for (i = 0; rc == 0 && i < set.nnodes; i++) {
			xpath_ctx ic = ctx;
			char *value = NULL, *label = NULL;

			ic.node = set.nodes[i];
			ic.current = node;
			ic.position = i + 1;
			ic.size = set.nnodes;
			/* A value or label that fails to evaluate is ""; out of memory is an error. */
			if ((rc = xpath_eval_string(&value, c->iset_value, &ic, &s->scratch)) == HW_EINVALID)
				value = strdup("");
			if (rc == HW_ERROR)
				break;
			if (c->iset_label.expr) {
				const char *tr = column_in_language(s, c, set.nodes[i]);

				if (tr)
					label = strdup(tr);
				else if ((rc = xpath_eval_string(&label, c->iset_label.expr, &ic, &s->scratch)) ==
				    HW_EINVALID)
					label = strdup("");
				if (rc == HW_ERROR) {
					free(value);
					break;
				}
			} else {
				label = strdup(value ? value : "");
			}
			rc = choice_add(l, value, label);
		}
		xpath_value_free(&set);
	}
	if (rc < 0) {
		xform_choice_list_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int xf_itemset_offers(xform_session *s, xnode *node, const char *value)
{
	xf_nstate *st = node->data;
	xform_choice_list *l = NULL;
	size_t i;
	int found = 0;

	int rc;

	if (!st || !st->def || !st->def->ctrl)
		return 1;
	if ((rc = xf_choices(&l, s, st->def->ctrl, node)) < 0)
		return rc == HW_EINVALID ? 0 : rc;
	for (i = 0; i < l->count && !found; i++)
		found = strcmp(l->items[i].value, value) == 0;
	xform_choice_list_free(l);
	return found;
}

int xf_env_choice_name(const char **out, const char *value, const xnode *node, void *payload)
{
	xform_session *s = payload;
	xf_nstate *st = node ? node->data : NULL;
	xform_choice_list *l = NULL;
	size_t i;

	*out = NULL;
	if (!st || !st->def || !st->def->ctrl)
		return 0;
	if (xf_choices(&l, s, st->def->ctrl, (xnode *)node) < 0)
		return 0;
	for (i = 0; i < l->count; i++)
		if (strcmp(l->items[i].value, value) == 0) {
			*out = xf_lend(s, l->items[i].label);
			l->items[i].label = NULL;
			break;
		}
	xform_choice_list_free(l);
	return 0;
}

/* The control bound to path and its node. */
static int ctrl_at(const xf_ctrl **c, xnode **n, xform_session *s, const char *path, hw_error *err)
{
	xf_nstate *st;
	int rc;

	if ((rc = xf_node_at(n, s, path, err)) < 0)
		return rc;
	st = (*n)->data;
	*c = st && st->def ? (st->def->ctrl ? st->def->ctrl : st->def->repeat) : NULL;
	if (!*c)
		return hw_error_set(err, HW_ENOTFOUND, "no control shows %s", path);
	return 0;
}

int xform_choices(xform_choice_list **out, xform_session *s, const char *path, hw_error *err)
{
	const xf_ctrl *c = NULL;
	xnode *n = NULL;
	int rc;

	*out = NULL;
	if ((rc = ctrl_at(&c, &n, s, path, err)) < 0)
		return rc;
	if (c->kind != XFORM_SELECT1 && c->kind != XFORM_SELECT)
		return hw_error_set(err, HW_EINVALID, "%s is not a select", path);
	if ((rc = xf_choices(out, s, c, n)) < 0)
		return hw_error_set(err, rc, "choices of %s: %s", path, s->scratch.msg);
	return 0;
}

int xform_label(char **out, xform_session *s, const char *path, hw_error *err)
{
	const xf_ctrl *c = NULL;
	xnode *n = NULL;
	int rc;

	*out = NULL;
	if ((rc = ctrl_at(&c, &n, s, path, err)) < 0)
		return rc;
	return xf_label_render(out, s, &c->label, n);
}

int xform_hint(char **out, xform_session *s, const char *path, hw_error *err)
{
	const xf_ctrl *c = NULL;
	xnode *n = NULL;
	int rc;

	*out = NULL;
	if ((rc = ctrl_at(&c, &n, s, path, err)) < 0)
		return rc;
	return xf_label_render(out, s, &c->hint, n);
}

int xform_constraint_message(char **out, xform_session *s, const char *path, hw_error *err)
{
	xnode *n = NULL;
	xf_nstate *st;
	int rc;

	*out = NULL;
	if ((rc = xf_node_at(&n, s, path, err)) < 0)
		return rc;
	st = n->data;
	if (!st || !st->def || st->def->constraint_msg.kind == XF_L_NONE) {
		*out = strdup("");
		return 0;
	}
	return xf_label_render(out, s, &st->def->constraint_msg, n);
}

/*
 * Point the session at language lang for reading texts only; *saved gets
 * the index to put back.  Unlike xform_set_language() nothing is marked for
 * recomputation: the instance is the same in every language.
 */
static int lang_borrow(xform_session *s, const char *lang, int *saved, hw_error *err)
{
	int i;

	*saved = s->lang;
	if (!lang || s->form->nlangs == 0)
		return 0;
	if ((i = xf_lang_find(s->form, lang)) < 0)
		return hw_error_set(err, HW_ENOTFOUND, "the form has no language '%s'", lang);
	s->lang = i;
	return 0;
}

int xform_text_lang(char **out, xform_session *s, const char *path, int which,
		    const char *lang, hw_error *err)
{
	const xf_ctrl *c = NULL;
	const xf_label *l = NULL;
	xnode *n = NULL;
	xf_nstate *st;
	int rc, saved;

	*out = NULL;
	if (which == XFORM_TEXT_LABEL || which == XFORM_TEXT_HINT) {
		if ((rc = ctrl_at(&c, &n, s, path, err)) < 0)
			return rc;
		l = which == XFORM_TEXT_LABEL ? &c->label : &c->hint;
	} else if (which == XFORM_TEXT_CONSTRAINT || which == XFORM_TEXT_REQUIRED) {
		if ((rc = xf_node_at(&n, s, path, err)) < 0)
			return rc;
		st = n->data;
		if (st && st->def)
			l = which == XFORM_TEXT_CONSTRAINT ? &st->def->constraint_msg
							   : &st->def->required_msg;
	} else {
		return hw_error_set(err, HW_EINVALID, "no text of kind %d", which);
	}
	if ((rc = lang_borrow(s, lang, &saved, err)) < 0)
		return rc;
	if (!l || l->kind == XF_L_NONE) {
		*out = strdup("");
		rc = *out ? 0 : HW_ERROR;
	} else {
		rc = xf_label_render(out, s, l, n);
	}
	s->lang = saved;
	return rc;
}

int xform_label_lang(char **out, xform_session *s, const char *path,
		     const char *lang, hw_error *err)
{
	return xform_text_lang(out, s, path, XFORM_TEXT_LABEL, lang, err);
}

int xform_choices_lang(xform_choice_list **out, xform_session *s, const char *path,
		       const char *lang, hw_error *err)
{
	int rc, saved;

	*out = NULL;
	if ((rc = lang_borrow(s, lang, &saved, err)) < 0)
		return rc;
	rc = xform_choices(out, s, path, err);
	s->lang = saved;
	return rc;
}
