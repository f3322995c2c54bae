/*
 * xnode.h: the instance tree that forms are filled into and that XPath
 * expressions are evaluated over.
 *
 * A tree is a document node with one root element below it (the instance's
 * <data> element); elements have a name, a text value, ordered children and
 * attributes.  Attributes are nodes too (kind XNODE_ATTRIBUTE) whose parent
 * is their element, so "../@id" and paths of attributes work the same way.
 *
 * Names keep their prefix as written in the XML ("orx:meta", "jr:template");
 * name tests compare local names only (the part after the colon), as ODK
 * tools do.  Values are always strings: ODK gives every node a string value
 * and an element's value is its own text, not the concatenation of its
 * descendants' text.
 *
 * The struct is public so that the evaluator and the form model can read it
 * without a call per field; change it only through the functions below,
 * which keep parents, indices and the document-order keys right.
 */
#ifndef HW_XNODE_H
#define HW_XNODE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum xnode_kind {
	XNODE_DOCUMENT = 1,   /* the root of a tree; its child is the instance root element */
	XNODE_ELEMENT = 2,
	XNODE_ATTRIBUTE = 3,
} xnode_kind;

typedef struct xnode xnode;

struct xnode {
	xnode_kind kind;
	char *name;           /* qualified name as written ("orx:meta"); "" for a document; owned */
	const char *local;    /* local part of name (after any "prefix:"); points into name */
	uint32_t hash;        /* hash of local, so name tests rarely need strcmp */
	char *value;          /* text value, never NULL ("" when empty); owned */
	size_t value_len;     /* bytes in value, without the NUL */
	xnode *parent;        /* NULL for a detached node or a document; an attribute's element */
	xnode **children;     /* elements, in document order; owned */
	size_t nchildren;
	size_t children_cap;
	xnode **attrs;        /* attributes, in the order they were set; owned */
	size_t nattrs;
	size_t attrs_cap;
	size_t index;         /* 0-based slot in parent->children (or parent->attrs) */
	void *data;           /* for the owner (the form model); never read or freed here */

	/* Private to xnode.c: document-order keys, renumbered lazily after changes. */
	uint64_t order_;      /* pre-order number within the tree */
	unsigned order_dirty_;/* on a tree's topmost node: keys need renumbering */
	unsigned tree_id_;    /* on a tree's topmost node: orders different trees */
	uint64_t gen_;        /* changes whenever children are added or removed; never reused */
};

/* Path formats for xnode_path(). */
typedef enum xnode_path_mode {
	XNODE_PATH_GENERIC = 0,  /* "/data/meta/q": no indices, local names (as xpath_refs_collect reports) */
	XNODE_PATH_INDEXED = 1,  /* "/data/rep[2]/q": [n] on every step whose name repeats among its siblings */
	XNODE_PATH_ALL = 2,      /* "/data[1]/rep[2]/q[1]": [n] on every element step */
} xnode_path_mode;

/* A new empty document node in *out; caller frees with xnode_free. */
int xnode_new_document(xnode **out);

/* A new detached element named name ("prefix:local" allowed) with value "". */
int xnode_new_element(xnode **out, const char *name);

/*
 * Free n and everything below it.  If n is attached to a parent it is
 * detached first, so freeing a repeat instance removes it.  NULL is fine.
 */
void xnode_free(xnode *n);

/* Append child (detached, not a document) as the last child of parent; parent takes ownership. */
int xnode_append(xnode *parent, xnode *child);

/*
 * Insert child (detached) at 0-based position pos among parent's children
 * (pos > nchildren appends).  Used to put a new repeat instance after the
 * last existing one.  HW_EINVALID if child is attached or is a document.
 */
int xnode_insert(xnode *parent, size_t pos, xnode *child);

/* Insert child (detached) right after sibling, which must have a parent. */
int xnode_insert_after(xnode *sibling, xnode *child);

/* Detach n (element or attribute) from its parent; the caller then owns it. */
void xnode_detach(xnode *n);

/*
 * Deep copy of src (value, attributes, children) into *out, detached.
 * The copies' data fields are NULL.  A repeat instance is a clone of its template.
 */
int xnode_clone(xnode **out, const xnode *src);

/* Set n's value to a copy of value (NULL means ""); value may point into n's own value. */
int xnode_set_value(xnode *n, const char *value);

/* Same with an explicit length (value need not be NUL-terminated). */
int xnode_set_valuen(xnode *n, const char *value, size_t len);

/* n's value, never NULL; borrowed, valid until n's value changes or n is freed. */
const char *xnode_value(const xnode *n);

/* Create or replace the attribute name on element el; *out (may be NULL) gets the attribute node. */
int xnode_set_attr(xnode **out, xnode *el, const char *name, const char *value);

/* The attribute of el whose local name is local, or NULL. */
xnode *xnode_attr(const xnode *el, const char *local);

/* The first child element of el whose local name is local, or NULL. */
xnode *xnode_child(const xnode *el, const char *local);

/* The nth (1-based) child element of el whose local name is local, or NULL. */
xnode *xnode_child_nth(const xnode *el, const char *local, size_t nth);

/* The number of child elements of el whose local name is local. */
size_t xnode_count_named(const xnode *el, const char *local);

/* 1-based position of n among its parent's children of the same local name (1 if detached). */
size_t xnode_position(const xnode *n);

/* The topmost ancestor of n (its document when attached to one); n itself if detached. */
xnode *xnode_top(const xnode *n);

/* The document's root element (its first element child), or NULL. */
xnode *xnode_document_element(const xnode *doc);

/*
 * Compare a and b in document order: negative if a comes first, 0 if the
 * same node, positive after.  An element comes before its attributes, which
 * come before its children.  Nodes of different trees get a stable order.
 */
int xnode_order_cmp(const xnode *a, const xnode *b);

/*
 * The path of n from its tree's root element, in a new string (caller
 * frees): "/data/rep[2]/q", attributes as "/data/@id".  A document is "/".
 * Indexed paths keep prefixes as written ("/data/orx:meta"); generic ones
 * use local names ("/data/meta").
 */
int xnode_path(char **out, const xnode *n, xnode_path_mode mode);

/*
 * Find the node at an absolute path under doc (a document, or any node whose
 * tree is searched from its top): "/data/rep[2]/q", a missing index means
 * [1], a last step "@name" selects an attribute.  HW_ENOTFOUND if there is no
 * such node, HW_EINVALID for a malformed path; err may be NULL.
 */
int xnode_find(xnode **out, const xnode *doc, const char *path, hw_error *err);

/* Hash of a local name, as stored in xnode.hash (for callers that cache name tests). */
uint32_t xnode_name_hash(const char *local);

/* The local part of a qualified name ("jr:template" -> "template"). */
const char *xnode_local_name(const char *qname);

#endif
