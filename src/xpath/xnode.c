/*
 * xnode.c: the instance tree.
 *
 * Children and attributes live in arrays so that positional access and
 * name scans are cache-friendly; each node remembers its slot (index) so
 * detaching is O(siblings) without a search.  Document order is a pre-order
 * number per node, recomputed lazily for the whole tree the first time an
 * order comparison follows a structural change: adding a repeat instance
 * costs nothing until someone sorts a node-set.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xpath/xnode.h"

/* Tree ids only order nodes of different trees consistently; a counter is enough. */
static unsigned next_tree_id = 1;

/*
 * Structure generations let the evaluator cache where a name sits among a
 * parent's children: a (parent, generation) pair is never seen twice, even
 * if a freed node's memory is reused.
 */
static uint64_t next_gen = 1;

/* FNV-1a over the local name. */
uint32_t xnode_name_hash(const char *local)
{
	uint32_t h = 2166136261u;

	for (; *local; local++) {
		h ^= (unsigned char)*local;
		h *= 16777619u;
	}
	return h;
}

/* The part of qname after its first colon, or qname. */
const char *xnode_local_name(const char *qname)
{
	const char *c = strchr(qname, ':');

	return c ? c + 1 : qname;
}

/* Allocate a node of kind with a copy of name. */
static xnode *node_alloc(xnode_kind kind, const char *name)
{
	xnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->name = strdup(name ? name : "");
	n->value = strdup("");
	if (!n->name || !n->value) {
		free(n->name);
		free(n->value);
		free(n);
		return NULL;
	}
	n->local = xnode_local_name(n->name);
	n->hash = xnode_name_hash(n->local);
	n->tree_id_ = next_tree_id++;
	n->order_dirty_ = 1;
	n->gen_ = next_gen++;
	return n;
}

/* A new empty document node. */
int xnode_new_document(xnode **out)
{
	*out = node_alloc(XNODE_DOCUMENT, "");
	return *out ? 0 : HW_ERROR;
}

/* A new detached element. */
int xnode_new_element(xnode **out, const char *name)
{
	*out = node_alloc(XNODE_ELEMENT, name);
	return *out ? 0 : HW_ERROR;
}

/* The topmost ancestor. */
xnode *xnode_top(const xnode *n)
{
	while (n->parent)
		n = n->parent;
	return (xnode *)n;
}

/* Mark the tree n belongs to as needing new order keys. */
static void mark_dirty(xnode *n)
{
	xnode_top(n)->order_dirty_ = 1;
}

/* Free n's subtree without touching its parent. */
static void free_subtree(xnode *n)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++)
		free_subtree(n->children[i]);
	for (i = 0; i < n->nattrs; i++)
		free_subtree(n->attrs[i]);
	free(n->children);
	free(n->attrs);
	free(n->name);
	free(n->value);
	free(n);
}

/* Detach from the parent's children or attributes array. */
void xnode_detach(xnode *n)
{
	xnode *p;
	xnode **arr;
	size_t *len, i;

	if (!n || !n->parent)
		return;
	p = n->parent;
	if (n->kind == XNODE_ATTRIBUTE) {
		arr = p->attrs;
		len = &p->nattrs;
	} else {
		arr = p->children;
		len = &p->nchildren;
	}
	mark_dirty(p);
	p->gen_ = next_gen++;
	for (i = n->index + 1; i < *len; i++) {
		arr[i - 1] = arr[i];
		arr[i - 1]->index = i - 1;
	}
	(*len)--;
	n->parent = NULL;
	n->index = 0;
	n->order_dirty_ = 1;
	n->tree_id_ = next_tree_id++;
}

/* Free n and its subtree, detaching it first. */
void xnode_free(xnode *n)
{
	if (!n)
		return;
	xnode_detach(n);
	free_subtree(n);
}

/* Make room for one more pointer in *arr. */
static int grow(xnode ***arr, size_t len, size_t *cap)
{
	size_t ncap;
	xnode **na;

	if (len < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	na = realloc(*arr, ncap * sizeof(*na));
	if (!na)
		return HW_ERROR;
	*arr = na;
	*cap = ncap;
	return 0;
}

/* Insert child at pos among parent's children. */
int xnode_insert(xnode *parent, size_t pos, xnode *child)
{
	size_t i;

	if (!parent || !child || child->parent || child->kind != XNODE_ELEMENT ||
	    parent->kind == XNODE_ATTRIBUTE || child == xnode_top(parent))
		return HW_EINVALID;
	if (grow(&parent->children, parent->nchildren, &parent->children_cap) < 0)
		return HW_ERROR;
	if (pos > parent->nchildren)
		pos = parent->nchildren;
	for (i = parent->nchildren; i > pos; i--) {
		parent->children[i] = parent->children[i - 1];
		parent->children[i]->index = i;
	}
	parent->children[pos] = child;
	parent->nchildren++;
	child->index = pos;
	child->parent = parent;
	parent->gen_ = next_gen++;
	mark_dirty(parent);
	return 0;
}

/* Append child as the last child. */
int xnode_append(xnode *parent, xnode *child)
{
	return xnode_insert(parent, parent ? parent->nchildren : 0, child);
}

/* Insert child right after sibling. */
int xnode_insert_after(xnode *sibling, xnode *child)
{
	if (!sibling || !sibling->parent || sibling->kind != XNODE_ELEMENT)
		return HW_EINVALID;
	return xnode_insert(sibling->parent, sibling->index + 1, child);
}

/* Set value from len bytes; copies first so value may alias n->value. */
int xnode_set_valuen(xnode *n, const char *value, size_t len)
{
	char *v = malloc(len + 1);

	if (!v)
		return HW_ERROR;
	if (len)
		memcpy(v, value, len);
	v[len] = '\0';
	free(n->value);
	n->value = v;
	n->value_len = len;
	return 0;
}

/* Set value from a string (NULL = ""). */
int xnode_set_value(xnode *n, const char *value)
{
	if (!value)
		value = "";
	return xnode_set_valuen(n, value, strlen(value));
}

/* The value, never NULL. */
const char *xnode_value(const xnode *n)
{
	return n->value;
}

/* The attribute of el with local name local. */
xnode *xnode_attr(const xnode *el, const char *local)
{
	uint32_t h = xnode_name_hash(local);
	size_t i;

	for (i = 0; i < el->nattrs; i++)
		if (el->attrs[i]->hash == h && strcmp(el->attrs[i]->local, local) == 0)
			return el->attrs[i];
	return NULL;
}

/* Create or replace an attribute. */
int xnode_set_attr(xnode **out, xnode *el, const char *name, const char *value)
{
	xnode *a;

	if (out)
		*out = NULL;
	if (!el || el->kind != XNODE_ELEMENT || !name)
		return HW_EINVALID;
	a = xnode_attr(el, xnode_local_name(name));
	if (!a) {
		if (grow(&el->attrs, el->nattrs, &el->attrs_cap) < 0)
			return HW_ERROR;
		a = node_alloc(XNODE_ATTRIBUTE, name);
		if (!a)
			return HW_ERROR;
		a->parent = el;
		a->index = el->nattrs;
		el->attrs[el->nattrs++] = a;
		mark_dirty(el);
	}
	if (xnode_set_value(a, value) < 0)
		return HW_ERROR;
	if (out)
		*out = a;
	return 0;
}

/* The nth child named local. */
xnode *xnode_child_nth(const xnode *el, const char *local, size_t nth)
{
	uint32_t h = xnode_name_hash(local);
	size_t i;

	for (i = 0; i < el->nchildren; i++) {
		xnode *c = el->children[i];
		if (c->hash == h && strcmp(c->local, local) == 0 && --nth == 0)
			return c;
	}
	return NULL;
}

/* The first child named local. */
xnode *xnode_child(const xnode *el, const char *local)
{
	return xnode_child_nth(el, local, 1);
}

/* How many children are named local. */
size_t xnode_count_named(const xnode *el, const char *local)
{
	uint32_t h = xnode_name_hash(local);
	size_t i, n = 0;

	for (i = 0; i < el->nchildren; i++)
		if (el->children[i]->hash == h && strcmp(el->children[i]->local, local) == 0)
			n++;
	return n;
}

/* 1-based position among same-named siblings. */
size_t xnode_position(const xnode *n)
{
	size_t i, pos = 1;

	if (!n->parent || n->kind != XNODE_ELEMENT)
		return 1;
	for (i = 0; i < n->index; i++) {
		const xnode *s = n->parent->children[i];
		if (s->hash == n->hash && strcmp(s->local, n->local) == 0)
			pos++;
	}
	return pos;
}

/* The first element child of a document. */
xnode *xnode_document_element(const xnode *doc)
{
	return doc && doc->nchildren ? doc->children[0] : NULL;
}

/* Deep copy. */
int xnode_clone(xnode **out, const xnode *src)
{
	xnode *n = NULL, *c = NULL;
	size_t i;
	int rc = HW_ERROR;

	*out = NULL;
	n = node_alloc(src->kind, src->name);
	if (!n)
		goto cleanup;
	if (xnode_set_valuen(n, src->value, src->value_len) < 0)
		goto cleanup;
	for (i = 0; i < src->nattrs; i++)
		if (xnode_set_attr(NULL, n, src->attrs[i]->name, src->attrs[i]->value) < 0)
			goto cleanup;
	for (i = 0; i < src->nchildren; i++) {
		if (xnode_clone(&c, src->children[i]) < 0)
			goto cleanup;
		if (xnode_append(n, c) < 0)
			goto cleanup;
		c = NULL;
	}
	*out = n;
	n = NULL;
	rc = 0;
cleanup:
	xnode_free(c);
	xnode_free(n);
	return rc;
}

/* Give every node under n its pre-order number, starting at *next. */
static void renumber(xnode *n, uint64_t *next)
{
	size_t i;

	n->order_ = (*next)++;
	for (i = 0; i < n->nattrs; i++)
		n->attrs[i]->order_ = (*next)++;
	for (i = 0; i < n->nchildren; i++)
		renumber(n->children[i], next);
}

/* Compare in document order. */
int xnode_order_cmp(const xnode *a, const xnode *b)
{
	xnode *ta, *tb;

	if (a == b)
		return 0;
	ta = xnode_top(a);
	tb = xnode_top(b);
	if (ta != tb)
		return ta->tree_id_ < tb->tree_id_ ? -1 : 1;
	if (ta->order_dirty_) {
		uint64_t next = 0;
		renumber(ta, &next);
		ta->order_dirty_ = 0;
	}
	return a->order_ < b->order_ ? -1 : 1;
}

/* Append one step of n's path to b. */
static int path_step(hw_buf *b, const xnode *n, xnode_path_mode mode)
{
	/* Generic paths are for matching against expressions, where prefixes do not count. */
	const char *name = mode == XNODE_PATH_GENERIC ? n->local : n->name;

	if (n->kind == XNODE_ATTRIBUTE)
		return hw_buf_printf(b, "/@%s", name);
	if (hw_buf_printf(b, "/%s", name) < 0)
		return HW_ERROR;
	if (mode == XNODE_PATH_ALL ||
	    (mode == XNODE_PATH_INDEXED && n->parent && xnode_count_named(n->parent, n->local) > 1))
		return hw_buf_printf(b, "[%zu]", xnode_position(n));
	return 0;
}

/* Path of n as a new string. */
int xnode_path(char **out, const xnode *n, xnode_path_mode mode)
{
	hw_buf b = HW_BUF_INIT;
	const xnode **chain = NULL;
	const xnode *p;
	size_t depth = 0, i;
	int rc = HW_ERROR;

	*out = NULL;
	for (p = n; p && p->kind != XNODE_DOCUMENT; p = p->parent)
		depth++;
	if (depth == 0) {
		*out = strdup("/");
		return *out ? 0 : HW_ERROR;
	}
	chain = malloc(depth * sizeof(*chain));
	if (!chain)
		goto cleanup;
	for (i = depth, p = n; i > 0; p = p->parent)
		chain[--i] = p;
	for (i = 0; i < depth; i++)
		if (path_step(&b, chain[i], mode) < 0)
			goto cleanup;
	*out = hw_buf_detach(&b);
	rc = *out ? 0 : HW_ERROR;
cleanup:
	free(chain);
	hw_buf_free(&b);
	return rc;
}

/* Find the node at an absolute path. */
int xnode_find(xnode **out, const xnode *doc, const char *path, hw_error *err)
{
	const xnode *cur;
	const char *p = path, *end, *br;
	char name[256];
	int first = 1;

	*out = NULL;
	if (!doc || !path || path[0] != '/')
		return hw_error_set(err, HW_EINVALID, "not an absolute path: %s", path ? path : "(null)");
	cur = xnode_top(doc);
	while (*p == '/') {
		size_t nth = 1, len;
		const xnode *next = NULL;

		p++;
		end = p + strcspn(p, "/");
		br = memchr(p, '[', (size_t)(end - p));
		len = (size_t)((br ? br : end) - p);
		if (len == 0 || len >= sizeof(name))
			return hw_error_set(err, HW_EINVALID, "malformed path %s", path);
		memcpy(name, p, len);
		name[len] = '\0';
		if (br) {
			char *e;
			unsigned long v = strtoul(br + 1, &e, 10);
			if (e == br + 1 || *e != ']' || e + 1 != end || v == 0)
				return hw_error_set(err, HW_EINVALID, "malformed index in path %s", path);
			nth = v;
		}
		if (name[0] == '@') {
			if (*end || br || cur->kind != XNODE_ELEMENT)
				return hw_error_set(err, HW_EINVALID, "malformed path %s", path);
			next = xnode_attr(cur, xnode_local_name(name + 1));
		} else if (first && cur->kind == XNODE_ELEMENT) {
			/* A detached tree without a document: the first step names its top. */
			if (strcmp(cur->local, xnode_local_name(name)) == 0 && nth == 1)
				next = cur;
		} else {
			next = xnode_child_nth(cur, xnode_local_name(name), nth);
		}
		if (!next)
			return hw_error_set(err, HW_ENOTFOUND, "no node at %s", path);
		cur = next;
		first = 0;
		p = end;
	}
	if (*p || first)
		return hw_error_set(err, HW_EINVALID, "malformed path %s", path);
	*out = (xnode *)cur;
	return 0;
}
