/*
 * xform_table.c: a form's submissions read as tables (xform.h, "tables"):
 * the layout is worked out once from the form's model, then each
 * submission's XML is parsed and its values picked by that layout, without
 * a session or any evaluation, so reading many submissions stays cheap.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform/xform_int.h"

/* One choice of a select question, with the label it is written as. */
typedef struct tab_choice {
	char *value;
	char *label;
} tab_choice;

/* A question: where its value is, below its table's node. */
typedef struct tab_question {
	char **steps;          /* local names from the table's node */
	size_t nsteps;
	int multi;             /* select-multiple: 0/1 columns follow its own */
	int select;            /* select1 or select: labels can replace values */
	tab_choice *choices;
	size_t nchoices;
} tab_question;

typedef struct tab_table {
	char *name;
	size_t parent;
	char **steps;          /* from the parent table's node to the repeat's element */
	size_t nsteps;
	char *keypath;         /* steps joined by "/" (for keys) */
	tab_question *qs;
	size_t nqs;
	char **cols;           /* column names */
	unsigned char *choice; /* by column: a choice's 0/1 column */
	size_t ncols;
	size_t *children;      /* tables whose parent this is */
	size_t nchildren;
} tab_table;

struct xform_tables {
	const xform *form;
	int labels;            /* write select answers as labels */
	tab_table *t;
	size_t n;
	/* What the last read lent out. */
	xnode *doc;
	xform_table_row *rows;
	size_t nrows, rows_cap;
	char **pool;           /* strings made for the last read */
	size_t npool, pool_cap;
};

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Forget what the last read lent out. */
static void release(xform_tables *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free((void *)t->rows[i].values);
	t->nrows = 0;
	for (size_t i = 0; i < t->npool; i++)
		free(t->pool[i]);
	t->npool = 0;
	xnode_free(t->doc);
	t->doc = NULL;
}

void xform_tables_free(xform_tables *t)
{
	if (!t)
		return;
	release(t);
	free(t->rows);
	free(t->pool);
	for (size_t i = 0; i < t->n; i++) {
		tab_table *tb = &t->t[i];

		free(tb->name);
		free_strv(tb->steps, tb->nsteps);
		free(tb->keypath);
		for (size_t q = 0; q < tb->nqs; q++) {
			free_strv(tb->qs[q].steps, tb->qs[q].nsteps);
			for (size_t c = 0; c < tb->qs[q].nchoices; c++) {
				free(tb->qs[q].choices[c].value);
				free(tb->qs[q].choices[c].label);
			}
			free(tb->qs[q].choices);
		}
		free(tb->qs);
		free_strv(tb->cols, tb->ncols);
		free(tb->choice);
		free(tb->children);
	}
	free(t->t);
	free(t);
}

/* The local names from def `from` (exclusive) down to `to` (inclusive). */
static int steps_between(const xf_def *from, const xf_def *to, char ***out, size_t *n)
{
	size_t k = 0;
	char **v;

	for (const xf_def *d = to; d && d != from; d = d->parent)
		k++;
	if (!(v = calloc(k ? k : 1, sizeof(*v))))
		return HW_ERROR;
	*out = v;
	*n = k;
	for (const xf_def *d = to; d && d != from; d = d->parent)
		if (!(v[--k] = strdup(d->local)))
			return HW_ERROR;
	return 0;
}

static char *join(char **steps, size_t n, const char *sep)
{
	hw_buf b = HW_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			hw_buf_puts(&b, sep);
		hw_buf_puts(&b, steps[i]);
	}
	if (!n)
		hw_buf_puts(&b, "");
	return hw_buf_oom(&b) ? (hw_buf_free(&b), NULL) : hw_buf_detach(&b);
}

static int add_col(tab_table *tb, char *name, int choice)
{
	unsigned char *f;
	char **c;

	if (!name)
		return HW_ERROR;
	if (!(f = realloc(tb->choice, tb->ncols + 1))) {
		free(name);
		return HW_ERROR;
	}
	tb->choice = f;
	if (!(c = realloc(tb->cols, (tb->ncols + 1) * sizeof(*c)))) {
		free(name);
		return HW_ERROR;
	}
	tb->cols = c;
	tb->choice[tb->ncols] = (unsigned char)choice;
	tb->cols[tb->ncols++] = name;
	return 0;
}

/* The choices of a select question as a fresh session offers them. */
static int question_choices(tab_question *q, xform_session *s, const xf_def *d)
{
	xform_choice_list *l = NULL;
	xnode **nodes = NULL, *node;
	size_t n = 0;
	int rc;

	if ((rc = xf_nodes_of(s, d, &nodes, &n)) < 0)
		return rc;
	node = n ? nodes[0] : xnode_document_element(s->doc);
	free(nodes);
	/* An itemset that cannot be worked out here (it reads a repeat that
	 * has no instance yet) offers no choices: the one column stays. */
	if ((rc = xf_choices(&l, s, d->ctrl, node)) == HW_EINVALID)
		return 0;
	if (rc < 0)
		return rc;
	if (l->count && !(q->choices = calloc(l->count, sizeof(*q->choices)))) {
		xform_choice_list_free(l);
		return HW_ERROR;
	}
	for (size_t i = 0; i < l->count; i++) {
		size_t k;

		for (k = 0; k < q->nchoices && strcmp(q->choices[k].value, l->items[i].value); k++)
			;
		if (k < q->nchoices || !*l->items[i].value)
			continue;   /* the same value twice: one column */
		q->choices[q->nchoices].value = l->items[i].value;
		q->choices[q->nchoices].label = l->items[i].label;
		l->items[i].value = l->items[i].label = NULL;
		q->nchoices++;
	}
	xform_choice_list_free(l);
	return 0;
}

static int add_table(xform_tables *t, const char *name, size_t parent, const xf_def *from,
		     const xf_def *to, size_t *out);

/* Columns (and repeat tables) of the defs below d, for table ti. */
static int walk(xform_tables *t, size_t ti, const xf_def *top, const xf_def *d, xform_session *s)
{
	for (size_t i = 0; i < d->nchildren; i++) {
		const xf_def *c = d->children[i];
		int rc;

		if (c->is_repeat) {
			size_t ci;

			if ((rc = add_table(t, c->local, ti, top, c, &ci)) < 0 ||
			    (rc = walk(t, ci, c, c, s)) < 0)
				return rc;
		} else if (c->nchildren) {
			if ((rc = walk(t, ti, top, c, s)) < 0)
				return rc;
		} else {
			tab_table *tb = &t->t[ti];
			tab_question *q = realloc(tb->qs, (tb->nqs + 1) * sizeof(*q));
			char *name;

			if (!q)
				return HW_ERROR;
			tb->qs = q;
			q = &tb->qs[tb->nqs++];
			memset(q, 0, sizeof(*q));
			if (steps_between(top, c, &q->steps, &q->nsteps) < 0 ||
			    add_col(tb, join(q->steps, q->nsteps, "-"), 0) < 0)
				return HW_ERROR;
			name = tb->cols[tb->ncols - 1];
			if (c->ctrl && (c->ctrl->kind == XFORM_SELECT || c->ctrl->kind == XFORM_SELECT1)) {
				q->select = 1;
				q->multi = c->ctrl->kind == XFORM_SELECT;
				if ((rc = question_choices(q, s, c)) < 0)
					return rc;
			}
			for (size_t k = 0; q->multi && k < q->nchoices; k++) {
				hw_buf b = HW_BUF_INIT;

				hw_buf_printf(&b, "%s/%s", name, q->choices[k].value);
				if (add_col(tb, hw_buf_oom(&b) ? NULL : hw_buf_detach(&b), 1) < 0) {
					hw_buf_free(&b);
					return HW_ERROR;
				}
			}
		}
	}
	return 0;
}

static int add_table(xform_tables *t, const char *name, size_t parent, const xf_def *from,
		     const xf_def *to, size_t *out)
{
	tab_table *nt = realloc(t->t, (t->n + 1) * sizeof(*nt)), *tb;
	size_t *ch;

	if (!nt)
		return HW_ERROR;
	t->t = nt;
	tb = &t->t[t->n];
	memset(tb, 0, sizeof(*tb));
	tb->parent = parent;
	*out = t->n++;
	if (to && steps_between(from, to, &tb->steps, &tb->nsteps) < 0)
		return HW_ERROR;
	if (!(tb->keypath = join(tb->steps, tb->nsteps, "/")))
		return HW_ERROR;
	/* Two repeats of the same name (in different groups): the second gets
	 * its whole path. */
	for (size_t i = 1; i < *out && name && !tb->name; i++)
		if (!strcmp(t->t[i].name, name)) {
			char **all = NULL;
			size_t nall = 0;

			if (steps_between(t->form->defs[0], to, &all, &nall) == 0)
				tb->name = join(all, nall, "-");
			free_strv(all, nall);
			if (!tb->name)
				return HW_ERROR;
		}
	if (!tb->name && !(tb->name = strdup(name ? name : "")))
		return HW_ERROR;
	if (*out == 0)
		return 0;
	if (!(ch = realloc(t->t[parent].children, (t->t[parent].nchildren + 1) * sizeof(*ch))))
		return HW_ERROR;
	t->t[parent].children = ch;
	ch[t->t[parent].nchildren++] = *out;
	return 0;
}

int xform_tables_new(xform_tables **out, const xform *form, const char *lang, hw_error *err)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	xform_session *s = NULL;
	xform_tables *t;
	size_t root;
	int rc;

	*out = NULL;
	if (!(t = calloc(1, sizeof(*t))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	t->form = form;
	t->labels = lang != NULL;
	o.language = lang;
	if (form->nlangs && lang && xf_lang_find(form, lang) < 0) {
		rc = hw_error_set(err, HW_ENOTFOUND, "the form %s has no language %s", form->id, lang);
		goto cleanup;
	}
	if (!form->nlangs)
		o.language = NULL;
	if ((rc = xform_session_new(&s, form, &o, err)) < 0)
		goto cleanup;
	if (!form->ndefs) {
		rc = hw_error_set(err, HW_EINVALID, "the form %s has no instance", form->id);
		goto cleanup;
	}
	if ((rc = add_table(t, NULL, 0, NULL, NULL, &root)) < 0 ||
	    (rc = walk(t, root, form->defs[0], form->defs[0], s)) < 0) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	*out = t;
	t = NULL;
cleanup:
	xform_session_free(s);
	xform_tables_free(t);
	return rc;
}

size_t xform_tables_count(const xform_tables *t)
{
	return t->n;
}

const char *xform_tables_name(const xform_tables *t, size_t i)
{
	return i < t->n ? t->t[i].name : NULL;
}

size_t xform_tables_parent(const xform_tables *t, size_t i)
{
	return i < t->n ? t->t[i].parent : 0;
}

size_t xform_tables_columns(const xform_tables *t, size_t i, const char *const **names)
{
	if (i >= t->n) {
		*names = NULL;
		return 0;
	}
	*names = (const char *const *)t->t[i].cols;
	return t->t[i].ncols;
}

int xform_tables_is_choice(const xform_tables *t, size_t i, size_t col)
{
	return i < t->n && col < t->t[i].ncols && t->t[i].choice[col];
}

/* Keep s until the next read; NULL when s is NULL or it could not be kept. */
static const char *lend(xform_tables *t, char *s)
{
	if (!s)
		return NULL;
	if (t->npool == t->pool_cap) {
		size_t cap = t->pool_cap ? t->pool_cap * 2 : 64;
		char **p = realloc(t->pool, cap * sizeof(*p));

		if (!p) {
			free(s);
			return NULL;
		}
		t->pool = p;
		t->pool_cap = cap;
	}
	t->pool[t->npool++] = s;
	return s;
}

/* The element reached from n by steps (first of each name), or NULL. */
static xnode *follow(xnode *n, char **steps, size_t nsteps)
{
	for (size_t i = 0; n && i < nsteps; i++)
		n = xnode_child(n, steps[i]);
	return n;
}

static const char *choice_label(const tab_question *q, const char *v, size_t len)
{
	for (size_t k = 0; k < q->nchoices; k++)
		if (strlen(q->choices[k].value) == len && !memcmp(q->choices[k].value, v, len))
			return q->choices[k].label;
	return NULL;
}

/* Whether the space-separated list v holds value. */
static int has_value(const char *v, const char *value)
{
	size_t len = strlen(value);

	for (const char *p = v; *p;) {
		size_t w;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		w = strcspn(p, " \t\n\r");
		if (w == len && w && !memcmp(p, value, w))
			return 1;
		p += w;
	}
	return 0;
}

/* A select answer written with its choices' labels (unknown values as they are). */
static const char *labelled(xform_tables *t, const tab_question *q, const char *v)
{
	hw_buf b = HW_BUF_INIT;
	int first = 1;

	for (const char *p = v; *p;) {
		const char *l;
		size_t w;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!(w = strcspn(p, " \t\n\r")))
			break;
		if (!first)
			hw_buf_puts(&b, "; ");
		first = 0;
		if ((l = choice_label(q, p, w)) && *l)
			hw_buf_puts(&b, l);
		else
			hw_buf_add(&b, p, w);
		p += w;
	}
	hw_buf_puts(&b, "");
	return hw_buf_oom(&b) ? (hw_buf_free(&b), NULL) : lend(t, hw_buf_detach(&b));
}

static int read_row(xform_tables *t, size_t ti, xnode *node, size_t parent, const char *key)
{
	tab_table *tb = &t->t[ti];
	const char **v = calloc(tb->ncols ? tb->ncols : 1, sizeof(*v));
	size_t col = 0, me;
	int rc;

	if (!v)
		return HW_ERROR;
	for (size_t q = 0; q < tb->nqs; q++) {
		const tab_question *qu = &tb->qs[q];
		xnode *n = follow(node, qu->steps, qu->nsteps);
		const char *val = n ? xnode_value(n) : "";

		v[col++] = t->labels && qu->select && *val ? labelled(t, qu, val) : val;
		if (!v[col - 1]) {
			free(v);
			return HW_ERROR;
		}
		for (size_t k = 0; qu->multi && k < qu->nchoices; k++)
			v[col++] = !*val ? "" : has_value(val, qu->choices[k].value) ? "1" : "0";
	}
	if (t->nrows == t->rows_cap) {
		size_t cap = t->rows_cap ? t->rows_cap * 2 : 16;
		xform_table_row *r = realloc(t->rows, cap * sizeof(*r));

		if (!r) {
			free(v);
			return HW_ERROR;
		}
		t->rows = r;
		t->rows_cap = cap;
	}
	me = t->nrows++;
	t->rows[me].table = ti;
	t->rows[me].parent = parent;
	t->rows[me].key = key;
	t->rows[me].values = v;
	for (size_t c = 0; c < tb->nchildren; c++) {
		tab_table *ct = &t->t[tb->children[c]];
		xnode *box = follow(node, ct->steps, ct->nsteps - 1);
		const char *name = ct->steps[ct->nsteps - 1];
		size_t nth = 0;

		for (size_t i = 0; box && i < box->nchildren; i++) {
			xnode *inst = box->children[i];
			hw_buf kb = HW_BUF_INIT;
			const char *ck;

			if (strcmp(inst->local, name) || xnode_attr(inst, "template"))
				continue;
			nth++;
			hw_buf_printf(&kb, "%s/%s[%zu]", key, ct->keypath, nth);
			if (!(ck = hw_buf_oom(&kb) ? NULL : lend(t, hw_buf_detach(&kb)))) {
				hw_buf_free(&kb);
				return HW_ERROR;
			}
			if ((rc = read_row(t, tb->children[c], inst, me, ck)) < 0)
				return rc;
		}
	}
	return 0;
}

int xform_tables_read(xform_tables *t, const char *xml, size_t len, const char *key,
		      const xform_table_row **rows, size_t *nrows, hw_error *err)
{
	xnode *root;
	int rc;

	*rows = NULL;
	*nrows = 0;
	release(t);
	if ((rc = xf_parse_instance(&t->doc, xml, len, err)) < 0)
		return rc;
	root = xnode_document_element(t->doc);
	if (!root || strcmp(root->local, t->form->defs[0]->local))
		return hw_error_set(err, HW_EINVALID, "not a submission of the form %s (its root is %s)",
				    t->form->id, root ? root->local : "missing");
	if (!(key = lend(t, strdup(key ? key : ""))) || read_row(t, 0, root, (size_t)-1, key) < 0)
		return hw_error_set(err, HW_ERROR, "out of memory");
	*rows = t->rows;
	*nrows = t->nrows;
	return 0;
}
