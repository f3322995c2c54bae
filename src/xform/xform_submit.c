/*
 * xform_submit.c: the submission (ODK instance XML) of a session, and the
 * edit of a finalised submission.  Non-relevant nodes are left out, as ODK
 * tools do; the text is escaped by hand since the tree holds only elements,
 * attributes and text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

/* Append s with XML escapes (attr: also quotes). */
static void escape(hw_buf *b, const char *s, int attr)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': hw_buf_puts(b, "&lt;"); break;
		case '>': hw_buf_puts(b, "&gt;"); break;
		case '&': hw_buf_puts(b, "&amp;"); break;
		case '"': hw_buf_puts(b, attr ? "&quot;" : "\""); break;
		case '\r': hw_buf_puts(b, "&#13;"); break;
		case '\n': hw_buf_puts(b, attr ? "&#10;" : "\n"); break;
		case '\t': hw_buf_puts(b, attr ? "&#9;" : "\t"); break;
		default:
			/* Control characters are not allowed in XML 1.0: drop them. */
			if ((unsigned char)*s >= 0x20)
				hw_buf_add(b, s, 1);
		}
	}
}

/* The namespace of a well-known prefix, or NULL. */
static const char *ns_of(const char *name)
{
	if (!strncmp(name, "orx:", 4))
		return "http://openrosa.org/xforms";
	if (!strncmp(name, "jr:", 3))
		return "http://openrosa.org/javarosa";
	if (!strncmp(name, "odk:", 4))
		return "http://www.opendatakit.org/xforms";
	if (!strncmp(name, "h:", 2))
		return "http://www.w3.org/1999/xhtml";
	return NULL;
}

/* The name to write: the qualified name for known prefixes, else the local one. */
static const char *out_name(const xnode *n)
{
	return ns_of(n->name) ? n->name : n->local;
}

/* Record the prefixes used at and below n (bit per known prefix). */
static void prefixes(const xnode *n, unsigned *mask)
{
	static const char *const p[] = { "orx:", "jr:", "odk:", "h:" };
	size_t i, k;

	for (k = 0; k < 4; k++)
		if (!strncmp(n->name, p[k], strlen(p[k])))
			*mask |= 1u << k;
	for (i = 0; i < n->nattrs; i++)
		for (k = 0; k < 4; k++)
			if (!strncmp(n->attrs[i]->name, p[k], strlen(p[k])))
				*mask |= 1u << k;
	for (i = 0; i < n->nchildren; i++)
		prefixes(n->children[i], mask);
}

/* Write n and below, skipping what is not relevant. */
static void write_node(hw_buf *b, const xnode *n, int root, unsigned mask)
{
	size_t i;

	if (!xf_relevant(n))
		return;
	hw_buf_printf(b, "<%s", out_name(n));
	if (root) {
		static const char *const p[] = { "orx", "jr", "odk", "h" };
		static const char *const u[] = { "http://openrosa.org/xforms", "http://openrosa.org/javarosa",
			"http://www.opendatakit.org/xforms", "http://www.w3.org/1999/xhtml" };
		size_t k;

		for (k = 0; k < 4; k++)
			if (mask & (1u << k))
				hw_buf_printf(b, " xmlns:%s=\"%s\"", p[k], u[k]);
	}
	for (i = 0; i < n->nattrs; i++) {
		const xnode *a = n->attrs[i];

		if (!strncmp(a->name, "xmlns", 5) || !strcmp(a->local, "template"))
			continue;
		hw_buf_printf(b, " %s=\"", out_name(a));
		escape(b, xnode_value(a), 1);
		hw_buf_puts(b, "\"");
	}
	if (n->nchildren == 0 && !*xnode_value(n)) {
		hw_buf_puts(b, "/>");
		return;
	}
	hw_buf_puts(b, ">");
	if (n->nchildren == 0)
		escape(b, xnode_value(n), 0);
	for (i = 0; i < n->nchildren; i++)
		write_node(b, n->children[i], 0, mask);
	hw_buf_printf(b, "</%s>", out_name(n));
}

int xform_submission(char **out, size_t *len, xform_session *s, hw_error *err)
{
	hw_buf b = HW_BUF_INIT;
	xnode *root = xnode_document_element(s->doc);
	unsigned mask = 0;

	*out = NULL;
	if (len)
		*len = 0;
	if (!root)
		return hw_error_set(err, HW_EINVALID, "the instance is empty");
	if (xf_finalise(s) < 0)
		return hw_error_set(err, HW_ERROR, "cannot make an instanceID");
	prefixes(root, &mask);
	hw_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	write_node(&b, root, 1, mask);
	hw_buf_puts(&b, "\n");
	/* One check for every append above: a document is whole or not at all. */
	if (hw_buf_check(&b, err) < 0) {
		hw_buf_free(&b);
		return HW_ERROR;
	}
	if (len)
		*len = b.len;
	*out = hw_buf_detach(&b);
	return 0;
}

int xform_session_edit(xform_session **out, const xform *form, const char *submission_xml, size_t len,
		       const xform_session_options *opts, hw_error *err)
{
	xnode *doc = NULL;
	int rc;

	*out = NULL;
	if ((rc = xf_parse_instance(&doc, submission_xml, len, err)) < 0)
		return rc;
	rc = xf_session_edit_doc(out, form, doc, opts, err);
	xnode_free(doc);
	return rc;
}
