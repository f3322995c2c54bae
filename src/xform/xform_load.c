/*
 * xform_load.c: read an XForm with libxml2 into the engine's structures:
 * instances (primary, internal and external secondary), binds, body
 * controls, itext and actions.  Elements are matched by local name only,
 * so forms that leave out the default XForms namespace still load.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util.h"
#include "xform_int.h"

/* Loader state: the form being built and where problems are reported. */
typedef struct loader {
	xform *f;
	const xform_load_options *opts;
	hw_error *err;
	xmlNode *primary_el;      /* the primary instance's root element */
	char *media_dir;          /* <dir>/<id>/<version>: a published form's own files, or NULL */
} loader;

/* ------------------------------------------------------------ helpers */

/* Report a problem at line; an error also goes into the error slot. */
static int problem(loader *ld, int severity, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int problem(loader *ld, int severity, int line, const char *fmt, ...)
{
	char msg[HW_ERROR_MAX - 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->opts && ld->opts->diag)
		ld->opts->diag(ld->f->path, line, severity, msg, ld->opts->payload);
	if (severity == XFORM_ERROR)
		return hw_error_set(ld->err, HW_EINVALID, "%s:%d: %s", ld->f->path, line, msg);
	return 0;
}

/* Line of an XML node, as an int. */
static int line_of(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;

	return l > 0 && l < 0x7fffffff ? (int)l : 0;
}

/* Local name of an element, never NULL. */
static const char *lname(const xmlNode *n)
{
	return n && n->name ? (const char *)n->name : "";
}

static int is_el(const xmlNode *n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp(lname(n), local) == 0;
}

/* First child element with that local name. */
static xmlNode *child_el(const xmlNode *n, const char *local)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, local))
			return c;
	return NULL;
}

/* An attribute by local name regardless of namespace (caller frees with xmlFree). */
static char *attr(const xmlNode *n, const char *local)
{
	xmlAttr *a;

	for (a = n->properties; a; a = a->next) {
		if (a->name && strcmp((const char *)a->name, local) == 0)
			return (char *)xmlNodeGetContent((xmlNode *)a);
	}
	return NULL;
}

/* Same, as a malloc'd string (free()), or NULL. */
static char *attr_dup(const xmlNode *n, const char *local)
{
	char *x = attr(n, local), *r;

	if (!x)
		return NULL;
	r = strdup(x);
	xmlFree(x);
	return r;
}

/* Copy s without leading and trailing white space. */
static char *trim_dup(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

/* The direct text of an element, trimmed (malloc'd; NULL when out of memory). */
static char *text_of(const xmlNode *n)
{
	hw_buf b = HW_BUF_INIT;
	xmlNode *c;
	char *r;

	for (c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			hw_buf_puts(&b, (const char *)c->content);
	r = hw_buf_oom(&b) ? NULL : trim_dup(b.ptr ? b.ptr : "", b.len);
	hw_buf_free(&b);
	return r;
}

/* "a:b/c:d" -> "b/d": each path step's prefix dropped, spaces removed. */
char *xf_local_path(const char *path)
{
	hw_buf b = HW_BUF_INIT;
	const char *p = path, *step;

	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '/') {
			hw_buf_add(&b, "/", 1);
			p++;
			continue;
		}
		step = p;
		while (*p && *p != '/' && !isspace((unsigned char)*p))
			p++;
		{
			const char *colon = memchr(step, ':', (size_t)(p - step));
			const char *br = memchr(step, '[', (size_t)(p - step));

			if (colon && (!br || colon < br) && step[0] != '@')
				step = colon + 1;
			else if (colon && step[0] == '@' && (!br || colon < br)) {
				hw_buf_add(&b, "@", 1);
				step = colon + 1;
			}
		}
		hw_buf_add(&b, step, (size_t)(p - step));
	}
	return hw_buf_detach(&b);
}

/* Resolve ref against base into a normalised absolute local path (malloc'd; NULL: out of memory). */
static char *resolve_ref(const char *base, const char *ref)
{
	char *joined, *local, *out = NULL, *p, *save = NULL, *tok;
	char **steps = NULL;
	size_t n = 0, i;
	hw_buf b = HW_BUF_INIT;

	while (*ref && isspace((unsigned char)*ref))
		ref++;
	if (ref[0] == '/')
		joined = strdup(ref);
	else {
		hw_buf j = HW_BUF_INIT;

		hw_buf_printf(&j, "%s/%s", base ? base : "", ref);
		joined = hw_buf_detach(&j);
	}
	local = joined ? xf_local_path(joined) : NULL;
	free(joined);
	if (!local || !(steps = calloc(strlen(local) + 1, sizeof(char *))))
		goto cleanup;
	for (tok = strtok_r(local, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n)
				n--;
			continue;
		}
		/* Predicates in a bind or control ref are rare; the generic path drops them. */
		if ((p = strchr(tok, '[')))
			*p = '\0';
		steps[n++] = tok;
	}
	for (i = 0; i < n; i++)
		hw_buf_printf(&b, "/%s", steps[i]);
	out = n ? hw_buf_detach(&b) : strdup("/");
cleanup:
	hw_buf_free(&b);
	free(steps);
	free(local);
	return out;
}

xf_def *xf_def_by_path(const xform *f, const char *generic)
{
	int i = xf_map_get(&f->def_map, generic);

	return i < 0 ? NULL : f->defs[i];
}

void xf_text_free(xf_text *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nsegs; i++) {
		free(t->segs[i].text);
		xpath_expr_free(t->segs[i].expr);
	}
	free(t->segs);
	free(t->flat);
	memset(t, 0, sizeof(*t));
}

void xf_label_free(xf_label *l)
{
	if (!l)
		return;
	xf_text_free(&l->lit);
	free(l->itext_id);
	xpath_expr_free(l->expr);
	memset(l, 0, sizeof(*l));
}

/* Where a non-portable construct was found, for the warning. */
typedef struct port_site {
	loader *ld;
	int line;
	const char *what;
} port_site;

/* Warn about a construct other ODK engines cannot evaluate, with what to write instead. */
static void port_warn(const xpath_nonportable *np, void *payload)
{
	const port_site *ps = payload;

	problem(ps->ld, XFORM_WARNING, ps->line,
		"%s: %s (character %zu) works only in Homeward, not in %s; portable: %s",
		ps->what, np->construct, np->pos, np->engines, np->alternative);
}

/* Compile src, reporting an error at line with what it belongs to, and
 * warning about constructs that other ODK engines cannot evaluate. */
static int compile(loader *ld, xpath_expr **out, const char *src, int line, const char *what)
{
	hw_error e = { 0, "" };
	port_site ps = { ld, line, what };

	*out = NULL;
	if (!src)
		return 0;
	if (xpath_compile(out, src, &e) < 0)
		return problem(ld, XFORM_ERROR, line, "%s \"%s\": %s", what, src, e.msg);
	if (ld->opts && ld->opts->diag)
		xpath_portability(*out, port_warn, &ps);
	return 0;
}

/* A text with <output value=".."/> parts, from an element's mixed content. */
static int parse_text(loader *ld, xf_text *t, const xmlNode *el)
{
	xmlNode *c;
	hw_buf flat = HW_BUF_INIT;
	int rc = 0;

	for (c = el->children; c; c = c->next) {
		xf_seg seg = { NULL, NULL };

		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
			if (!(seg.text = strdup((const char *)c->content))) {
				rc = hw_error_set(ld->err, HW_ERROR, "out of memory");
				break;
			}
			hw_buf_puts(&flat, seg.text);
		} else if (is_el(c, "output")) {
			char *v = attr(c, "value");

			if (!v)
				v = attr(c, "ref") ;
			if (!v)
				continue;
			rc = compile(ld, &seg.expr, v, line_of(c), "output");
			xmlFree(v);
			if (rc < 0)
				break;
		} else {
			continue;
		}
		{
			xf_seg *ns = realloc(t->segs, (t->nsegs + 1) * sizeof(*ns));

			if (!ns) {
				free(seg.text);
				xpath_expr_free(seg.expr);
				rc = hw_error_set(ld->err, HW_ERROR, "out of memory");
				break;
			}
			t->segs = ns;
			t->segs[t->nsegs++] = seg;
		}
	}
	/* Trim the outer white space of pretty-printed labels. */
	if (t->nsegs && t->segs[0].text) {
		char *s = t->segs[0].text, *p = s;

		while (isspace((unsigned char)*p))
			p++;
		memmove(s, p, strlen(p) + 1);
	}
	if (t->nsegs && t->segs[t->nsegs - 1].text) {
		char *s = t->segs[t->nsegs - 1].text;
		size_t l = strlen(s);

		while (l && isspace((unsigned char)s[l - 1]))
			s[--l] = '\0';
	}
	if (rc == 0 && (hw_buf_oom(&flat) || !(t->flat = trim_dup(flat.ptr ? flat.ptr : "", flat.len))))
		rc = hw_error_set(ld->err, HW_ERROR, "out of memory");
	hw_buf_free(&flat);
	return rc;
}

/* If src is jr:itext('id') with a literal id, return the id (malloc'd). */
static char *itext_literal(const char *src)
{
	const char *p = src, *q;
	char quote;

	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "jr:itext", 8) != 0)
		return NULL;
	p += 8;
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '(')
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\'' && *p != '"')
		return NULL;
	quote = *p++;
	if (!(q = strchr(p, quote)))
		return NULL;
	{
		const char *r = q + 1;

		while (isspace((unsigned char)*r))
			r++;
		if (*r != ')')
			return NULL;
		r++;
		while (isspace((unsigned char)*r))
			r++;
		if (*r)
			return NULL;
	}
	return strndup(p, (size_t)(q - p));
}

/* Record a reference to an itext id, warning when no language has it. */
static void check_itext(loader *ld, const char *id, int line)
{
	if (xf_map_get(&ld->f->itext_ids, id) < 0)
		problem(ld, XFORM_WARNING, line, "no itext text with id '%s'", id);
}

/* A <label>/<hint> element: ref="jr:itext('id')", ref="expr", or mixed text. */
static int parse_label(loader *ld, xf_label *l, const xmlNode *el)
{
	char *ref;
	int rc = 0;

	if (!el)
		return 0;
	ref = attr(el, "ref");
	if (ref) {
		char *id = itext_literal(ref);

		if (id) {
			l->kind = XF_L_ITEXT;
			l->itext_id = id;
			check_itext(ld, id, line_of(el));
		} else {
			l->kind = XF_L_EXPR;
			rc = compile(ld, &l->expr, ref, line_of(el), "label");
		}
		xmlFree(ref);
		return rc;
	}
	l->kind = XF_L_LITERAL;
	return parse_text(ld, &l->lit, el);
}

/* A message attribute (jr:constraintMsg): jr:itext('id') or literal text. */
static int parse_msg(loader *ld, xf_label *l, const char *v, int line)
{
	char *id;

	if (!v)
		return 0;
	if ((id = itext_literal(v))) {
		l->kind = XF_L_ITEXT;
		l->itext_id = id;
		check_itext(ld, id, line);
		return 0;
	}
	l->kind = XF_L_LITERAL;
	l->lit.segs = calloc(1, sizeof(xf_seg));
	if (!l->lit.segs)
		return HW_ERROR;
	l->lit.segs[0].text = strdup(v);
	l->lit.nsegs = 1;
	l->lit.flat = strdup(v);
	return 0;
}

/* -------------------------------------------------------- instances */

/* Build an xnode element from an XML element (attributes, children, text). */
static int xml_to_xnode(xnode **out, const xmlNode *el)
{
	xnode *n = NULL, *child;
	xmlNode *c;
	xmlAttr *a;
	hw_buf name = HW_BUF_INIT;
	int has_children = 0, rc = HW_ERROR;

	*out = NULL;
	if (el->ns && el->ns->prefix)
		hw_buf_printf(&name, "%s:%s", el->ns->prefix, lname(el));
	else
		hw_buf_puts(&name, lname(el));
	if (hw_buf_oom(&name) || xnode_new_element(&n, name.ptr) < 0)
		goto cleanup;
	for (a = el->properties; a; a = a->next) {
		char *v = (char *)xmlNodeGetContent((xmlNode *)a);
		hw_buf an = HW_BUF_INIT;

		if (a->ns && a->ns->prefix)
			hw_buf_printf(&an, "%s:%s", a->ns->prefix, (const char *)a->name);
		else
			hw_buf_puts(&an, (const char *)a->name);
		rc = hw_buf_oom(&an) ? HW_ERROR : xnode_set_attr(NULL, n, an.ptr, v ? v : "");
		hw_buf_free(&an);
		xmlFree(v);
		if (rc < 0)
			goto cleanup;
		rc = HW_ERROR;
	}
	for (c = el->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		has_children = 1;
		if (xml_to_xnode(&child, c) < 0)
			goto cleanup;
		if (xnode_append(n, child) < 0) {
			xnode_free(child);
			goto cleanup;
		}
	}
	if (!has_children) {
		char *t = text_of(el);

		rc = t ? xnode_set_value(n, t) : HW_ERROR;
		free(t);
		if (rc < 0)
			goto cleanup;
	}
	*out = n;
	n = NULL;
	rc = 0;
cleanup:
	hw_buf_free(&name);
	xnode_free(n);
	return rc;
}

/* A document holding a copy of el. */
static int xml_to_doc(xnode **out, const xmlNode *el)
{
	xnode *doc = NULL, *root = NULL;

	*out = NULL;
	if (xnode_new_document(&doc) < 0)
		return HW_ERROR;
	if (el) {
		if (xml_to_xnode(&root, el) < 0 || xnode_append(doc, root) < 0) {
			xnode_free(root);
			xnode_free(doc);
			return HW_ERROR;
		}
	}
	*out = doc;
	return 0;
}

/* Read a CSV file into <root><item><col>v</col>...</item>...</root> (as ODK does). */
static int load_csv(loader *ld, xnode **out, const char *file, int line)
{
	char *data = NULL, msg[300];
	hw_error e = { 0, "" };
	struct stat sb;
	int rc;

	/* Refused before it is read: a huge file would cost seconds and memory. */
	if (stat(file, &sb) == 0 && sb.st_size > XFORM_CSV_MAX_BYTES)
		return problem(ld, XFORM_ERROR, line,
			       "external instance %s is %lld bytes, over the limit of 16 MiB",
			       file, (long long)sb.st_size);
	if (hw_read_file(file, &data, NULL, &e) < 0)
		return problem(ld, XFORM_ERROR, line, "external instance %s: %s", file, e.msg);
	rc = xf_csv_to_doc(out, data, msg, sizeof(msg));
	free(data);
	if (rc < 0)
		return problem(ld, XFORM_ERROR, line, "external instance %s: %s", file, msg);
	return 0;
}

/* Swallow libxml2's generic messages: the core never prints (errors come back in err). */
static void quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* Parse XML text with libxml2, network and entity expansion off. */
static xmlDoc *parse_xml(const char *data, size_t len, const char *name, char *msg, size_t msglen)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	xmlGenericErrorFunc old = xmlGenericError;
	void *old_ctx = xmlGenericErrorContext;

	xmlSetGenericErrorFunc(NULL, quiet);
	ctxt = xmlNewParserCtxt();

	if (!ctxt) {
		snprintf(msg, msglen, "out of memory");
		xmlSetGenericErrorFunc(old_ctx, old);
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctxt, data, len > 0x7fffffff ? 0x7fffffff : (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char m[512];
		size_t l;

		snprintf(m, sizeof(m), "%s", e && e->message ? e->message : "not well-formed XML");
		l = strlen(m);
		while (l && (m[l - 1] == '\n' || m[l - 1] == ' '))
			m[--l] = '\0';
		snprintf(msg, msglen, "%d: XML: %s", e ? e->line : 0, m);
	}
	xmlFreeParserCtxt(ctxt);
	xmlSetGenericErrorFunc(old_ctx, old);
	return doc;
}

/* Read an external XML instance file. */
static int load_xml_instance(loader *ld, xnode **out, const char *file, int line)
{
	char *data = NULL, msg[600];
	size_t len = 0;
	xmlDoc *doc;
	hw_error e = { 0, "" };
	int rc;

	if (hw_read_file(file, &data, &len, &e) < 0)
		return problem(ld, XFORM_ERROR, line, "external instance %s: %s", file, e.msg);
	doc = parse_xml(data, len, file, msg, sizeof(msg));
	free(data);
	if (!doc)
		return problem(ld, XFORM_ERROR, line, "external instance %s:%s", file, msg);
	rc = xml_to_doc(out, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return rc < 0 ? hw_error_set(ld->err, HW_ERROR, "out of memory") : 0;
}

/* True if s can be one part of a path: letters, digits, '-', '_', '.', not "." first. */
static int path_part_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 128 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/*
 * Where the files of a published form are: <dir>/<id>/<version>, from the
 * id and version of the primary instance (read here, before the secondary
 * instances need them).  Left NULL for ids and versions that cannot be a
 * folder name.  Returns HW_ERROR only when out of memory.
 */
static int media_dir_of(loader *ld, const xmlNode *model)
{
	const xmlNode *k, *root = NULL;
	char *id = NULL, *version = NULL, *sub = NULL;
	int rc = 0;

	for (k = model->children; k; k = k->next) {
		char *iid;
		int primary;

		if (!is_el(k, "instance"))
			continue;
		iid = attr(k, "id");
		primary = !iid || !*iid;
		xmlFree(iid);
		if (primary) {
			for (root = k->children; root && root->type != XML_ELEMENT_NODE; root = root->next)
				;
			break;
		}
	}
	if (!root)
		return 0;
	id = attr(root, "id");
	version = attr(root, "version");
	if (path_part_ok(id) && path_part_ok(version)) {
		if (!(sub = hw_path_join(id, version)) || !(ld->media_dir = hw_path_join(ld->f->dir, sub)))
			rc = HW_ERROR;
	}
	free(sub);
	xmlFree(id);
	xmlFree(version);
	return rc;
}

/* A secondary instance: inline content or src="jr://file/NAME". */
static int load_secondary(loader *ld, const xmlNode *inst, const char *id)
{
	xform *f = ld->f;
	char *src = attr_dup(inst, "src");
	xnode *doc = NULL;
	int rc = 0;
	xf_secondary *ns;

	if (strcmp(id, XF_CASE_ID) == 0) {
		/*
		 * The case being worked on: the program gives it to each session
		 * (xform_session_options.case_xml).  A src (jr://file-csv/case.csv,
		 * for other ODK tools) is not read; inline content is what a session
		 * without a case sees, else an empty <root/>.
		 */
		xmlNode *c = NULL;

		f->has_case = 1;
		for (c = src && *src ? NULL : inst->children; c && c->type != XML_ELEMENT_NODE; c = c->next)
			;
		if (c) {
			rc = xml_to_doc(&doc, c);
		} else if ((rc = xnode_new_document(&doc)) == 0) {
			xnode *r = NULL;

			if ((rc = xnode_new_element(&r, "root")) == 0 && (rc = xnode_append(doc, r)) < 0)
				xnode_free(r);
		}
		if (rc < 0)
			rc = HW_ERROR;
	} else if (src && *src) {
		const char *name = NULL;

		if (strncmp(src, "jr://file-csv/", 14) == 0)
			name = src + 14;
		else if (strncmp(src, "jr://file/", 10) == 0)
			name = src + 10;
		if (!name || !*name || strstr(name, "..") || strchr(name, '/')) {
			problem(ld, XFORM_WARNING, line_of(inst),
				"external instance '%s' with source %s is not supported", id, src);
			rc = xml_to_doc(&doc, NULL);
		} else {
			/* The form's own folder first (docs/forms.md), then beside the form. */
			char *own = ld->media_dir ? hw_path_join(ld->media_dir, name) : NULL;
			char *file = own && hw_exists(own) ? own : hw_path_join(f->dir, name);
			size_t l = strlen(name);

			if (file != own)
				free(own);

			if (l > 4 && strcasecmp(name + l - 4, ".csv") == 0)
				rc = load_csv(ld, &doc, file, line_of(inst));
			else
				rc = load_xml_instance(ld, &doc, file, line_of(inst));
			free(file);
		}
	} else {
		xmlNode *c;

		for (c = inst->children; c && c->type != XML_ELEMENT_NODE; c = c->next)
			;
		rc = xml_to_doc(&doc, c);
	}
	free(src);
	if (rc < 0)
		return rc;
	ns = realloc(f->secondary, (f->nsecondary + 1) * sizeof(*ns));
	if (!ns) {
		xnode_free(doc);
		return HW_ERROR;
	}
	f->secondary = ns;
	ns[f->nsecondary].id = strdup(id);
	ns[f->nsecondary].doc = doc;
	f->nsecondary++;
	return 0;
}

/* ------------------------------------------------------------- defs */

/* The def for the node n of the form's primary instance, created on first sight. */
static xf_def *def_for(xform *f, xf_def *parent, const xnode *n)
{
	hw_buf b = HW_BUF_INIT;
	xf_def *d, **nd;
	int i;

	if (hw_buf_printf(&b, "%s/%s", parent ? parent->path : "", n->local) < 0)
		return NULL;
	if ((i = xf_map_get(&f->def_map, b.ptr)) >= 0) {
		hw_buf_free(&b);
		return f->defs[i];
	}
	if (!(d = calloc(1, sizeof(*d)))) {
		hw_buf_free(&b);
		return NULL;
	}
	d->path = hw_buf_detach(&b);
	d->local = strrchr(d->path, '/') + 1;
	d->parent = parent;
	d->id = (int)f->ndefs;
	nd = realloc(f->defs, (f->ndefs + 1) * sizeof(*nd));
	if (!nd || xf_map_put(&f->def_map, d->path, d->id) < 0) {
		free(d->path);
		free(d);
		if (nd)
			f->defs = nd;
		return NULL;
	}
	f->defs = nd;
	f->defs[f->ndefs++] = d;
	if (parent) {
		xf_def **pc = realloc(parent->children, (parent->nchildren + 1) * sizeof(*pc));

		if (!pc)
			return NULL;
		parent->children = pc;
		pc[parent->nchildren++] = d;
	}
	return d;
}

/* Walk the primary instance making a def for every element. */
static int make_defs(xform *f, xf_def *parent, const xnode *n)
{
	xf_def *d = def_for(f, parent, n);
	size_t i;

	if (!d)
		return HW_ERROR;
	for (i = 0; i < n->nchildren; i++)
		if (make_defs(f, d, n->children[i]) < 0)
			return HW_ERROR;
	return 0;
}

/* Type name -> enum xform_type. */
static int type_of(const char *t)
{
	const char *l;

	if (!t)
		return XFORM_T_STRING;
	l = strchr(t, ':') ? strchr(t, ':') + 1 : t;
	if (!strcmp(l, "string") || !strcmp(l, "barcode"))
		return XFORM_T_STRING;
	if (!strcmp(l, "int") || !strcmp(l, "integer") || !strcmp(l, "long") || !strcmp(l, "short"))
		return XFORM_T_INT;
	if (!strcmp(l, "decimal") || !strcmp(l, "double") || !strcmp(l, "float"))
		return XFORM_T_DECIMAL;
	if (!strcmp(l, "date"))
		return XFORM_T_DATE;
	if (!strcmp(l, "time"))
		return XFORM_T_TIME;
	if (!strcmp(l, "dateTime"))
		return XFORM_T_DATETIME;
	if (!strcmp(l, "select1"))
		return XFORM_T_SELECT1;
	if (!strcmp(l, "select"))
		return XFORM_T_SELECT;
	if (!strcmp(l, "boolean"))
		return XFORM_T_STRING;
	return XFORM_T_OTHER;
}

/*
 * entities:saveto="property" on a bind: the question's value is written back
 * to that property of the case on finalising (docs/form-entities.md).  As in
 * ODK's entities specification, the names "name" and "label" and names
 * starting with "__" are reserved, and a question inside a repeat cannot save
 * to the one case.
 */
static int saveto_of(loader *ld, xf_def *d, const char *v, int line)
{
	size_t n = strlen(v);

	if (n == 0 || n > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
	    (v[0] >= '0' && v[0] <= '9'))
		return problem(ld, XFORM_ERROR, line,
			       "saveto \"%.64s\" of %s: a case property is lower-case letters, digits and _",
			       v, d->path);
	if (!strcmp(v, "name") || !strcmp(v, "label") || !strncmp(v, "__", 2))
		return problem(ld, XFORM_ERROR, line, "saveto \"%s\" of %s: that property name is reserved",
			       v, d->path);
	free(d->saveto);
	return (d->saveto = strdup(v)) ? 0 : HW_ERROR;
}

/* Apply one <bind> to the defs its nodeset names. */
static int parse_bind(loader *ld, const xmlNode *b)
{
	xform *f = ld->f;
	char *ns = attr(b, "nodeset"), *path = NULL, *v, *id;
	xf_def *d;
	int line = line_of(b), rc = 0;
	static const char *const props[] = { "calculate", "relevant", "required", "readonly", "constraint" };
	size_t i;

	if (!ns)
		ns = attr(b, "ref");
	if (!ns) {
		problem(ld, XFORM_WARNING, line, "bind without nodeset ignored");
		return 0;
	}
	path = resolve_ref(f->ndefs ? f->defs[0]->path : "", (char *)ns);
	xmlFree(ns);
	if (!path)
		return HW_ERROR;
	if (!(d = xf_def_by_path(f, path))) {
		problem(ld, XFORM_WARNING, line, "bind for %s: no such node in the instance", path);
		free(path);
		return 0;
	}
	free(path);
	if ((id = attr(b, "id"))) {
		xf_map_put(&f->bind_ids, id, d->id);
		xmlFree(id);
	}
	d->bind_line = line;
	if ((v = attr(b, "type"))) {
		d->type = type_of(v);
		free(d->type_name);
		d->type_name = strdup(v);
		xmlFree(v);
	}
	for (i = 0; i < sizeof(props) / sizeof(props[0]) && rc == 0; i++) {
		xpath_expr **slot = i == 0 ? &d->calculate : i == 1 ? &d->relevant :
			i == 2 ? &d->required : i == 3 ? &d->readonly : &d->constraint;
		char what[64];

		if (!(v = attr(b, props[i])))
			continue;
		snprintf(what, sizeof(what), "%s of %s", props[i], d->path);
		xpath_expr_free(*slot);
		rc = compile(ld, slot, v, line, what);
		xmlFree(v);
	}
	if (rc == 0 && (v = attr(b, "constraintMsg"))) {
		xf_label_free(&d->constraint_msg);
		rc = parse_msg(ld, &d->constraint_msg, v, line);
		xmlFree(v);
	}
	if (rc == 0 && (v = attr(b, "requiredMsg"))) {
		xf_label_free(&d->required_msg);
		rc = parse_msg(ld, &d->required_msg, v, line);
		xmlFree(v);
	}
	if (rc == 0 && (v = attr(b, "saveto"))) {
		rc = saveto_of(ld, d, v, line);
		xmlFree(v);
	}
	if (rc == 0 && (v = attr(b, "preload"))) {
		free(d->preload);
		d->preload = strdup(v);
		xmlFree(v);
		free(d->preload_params);
		d->preload_params = attr_dup(b, "preloadParams");
	}
	return rc;
}

/* ------------------------------------------------------------- itext */

/* "English (en)" -> "en"; "English" -> "English". */
static char *lang_code(const char *name)
{
	const char *o = strrchr(name, '('), *c;

	if (o && (c = strchr(o, ')')) && c > o + 1)
		return trim_dup(o + 1, (size_t)(c - o - 1));
	return trim_dup(name, strlen(name));
}

/* Pick a text element's default value (no form, else long, else short). */
static const xmlNode *text_value(const xmlNode *t)
{
	const xmlNode *c, *best = NULL;
	int best_rank = 0;

	for (c = t->children; c; c = c->next) {
		char *form;
		int rank;

		if (!is_el(c, "value"))
			continue;
		form = attr(c, "form");
		rank = !form ? 3 : !strcmp(form, "long") ? 2 : !strcmp(form, "short") ? 1 : 0;
		xmlFree(form);
		if (rank > best_rank) {
			best = c;
			best_rank = rank;
		}
	}
	return best;
}

/* Parse <itext>: languages and their texts. */
static int parse_itext(loader *ld, const xmlNode *itext)
{
	xform *f = ld->f;
	const xmlNode *tr, *t;
	size_t i, j;
	int rc = 0;

	/* First pass: ids, so every language's table has one slot per id. */
	for (tr = itext->children; tr; tr = tr->next) {
		if (!is_el(tr, "translation"))
			continue;
		for (t = tr->children; t; t = t->next) {
			char *id;

			if (!is_el(t, "text") || !(id = attr(t, "id")))
				continue;
			if (xf_map_get(&f->itext_ids, id) < 0 &&
			    xf_map_put(&f->itext_ids, id, (int)f->nitext++) < 0)
				rc = HW_ERROR;
			xmlFree(id);
			if (rc < 0)
				return rc;
		}
	}
	for (tr = itext->children; tr && rc == 0; tr = tr->next) {
		xf_lang *nl, *L;
		char *name, *def;

		if (!is_el(tr, "translation"))
			continue;
		if (!(name = attr(tr, "lang")))
			name = (char *)xmlStrdup((const xmlChar *)"default");
		nl = realloc(f->langs, (f->nlangs + 1) * sizeof(*nl));
		if (!nl) {
			xmlFree(name);
			return HW_ERROR;
		}
		f->langs = nl;
		L = &nl[f->nlangs];
		memset(L, 0, sizeof(*L));
		L->name = strdup(name);
		L->code = lang_code(name);
		L->child = L->base = -1;
		L->texts = calloc(f->nitext ? f->nitext : 1, sizeof(xf_text *));
		xmlFree(name);
		f->nlangs++;   /* counted first, so the form frees what was made */
		if (!L->name || !L->code || !L->texts)
			return HW_ERROR;
		if ((def = attr(tr, "default"))) {
			f->default_lang = (int)f->nlangs - 1;
			xmlFree(def);
		}
		for (t = tr->children; t && rc == 0; t = t->next) {
			char *id;
			const xmlNode *val;
			int k;

			if (!is_el(t, "text") || !(id = attr(t, "id")))
				continue;
			k = xf_map_get(&f->itext_ids, id);
			xmlFree(id);
			if (k < 0 || L->texts[k] || !(val = text_value(t)))
				continue;
			if (!(L->texts[k] = calloc(1, sizeof(xf_text))))
				return HW_ERROR;
			rc = parse_text(ld, L->texts[k], val);
		}
	}
	/* Pair each "L-x-child" with "L". */
	for (i = 0; i < f->nlangs; i++) {
		const char *c = f->langs[i].code;
		size_t l = strlen(c);

		if (l > 8 && strcmp(c + l - 8, "-x-child") == 0) {
			for (j = 0; j < f->nlangs; j++) {
				if (j != i && strlen(f->langs[j].code) == l - 8 &&
				    strncmp(f->langs[j].code, c, l - 8) == 0) {
					f->langs[j].child = (int)i;
					f->langs[i].base = (int)j;
				}
			}
		}
	}
	return rc;
}

/* ------------------------------------------------------------- body */

static int parse_controls(loader *ld, xf_ctrl *parent, const xmlNode *el, const char *base);

/* Add c as the last child of p. */
static int ctrl_add(xf_ctrl *p, xf_ctrl *c)
{
	xf_ctrl **n = realloc(p->children, (p->nchildren + 1) * sizeof(*n));

	if (!n)
		return HW_ERROR;
	p->children = n;
	n[p->nchildren++] = c;
	c->parent = p;
	return 0;
}

/* Add an action to the form's list. */
static int action_add(xform *f, xf_action *a)
{
	xf_action **n = realloc(f->actions, (f->nactions + 1) * sizeof(*n));

	if (!n)
		return HW_ERROR;
	f->actions = n;
	n[f->nactions++] = a;
	return 0;
}

/* A <setvalue>: events, target (ref or bind), value expression or literal. */
static int parse_setvalue(loader *ld, const xmlNode *el, const char *base, xf_def *owner)
{
	xform *f = ld->f;
	xf_action *a = calloc(1, sizeof(*a));
	char *ev = attr(el, "event"), *ref = attr(el, "ref"), *bind = attr(el, "bind"), *val;
	int rc = 0, line = line_of(el);

	if (!a)
		return HW_ERROR;
	a->line = line;
	if (ev) {
		if (strstr(ev, "odk-instance-first-load") || strstr(ev, "xforms-ready"))
			a->events |= XF_EV_FIRST_LOAD;
		if (strstr(ev, "odk-new-repeat") || strstr(ev, "jr-insert"))
			a->events |= XF_EV_NEW_REPEAT;
		if (strstr(ev, "xforms-value-changed"))
			a->events |= XF_EV_CHANGED;
	}
	if (ref)
		a->target = resolve_ref(base, ref);
	else if (bind && xf_map_get(&f->bind_ids, bind) >= 0)
		a->target = strdup(f->defs[xf_map_get(&f->bind_ids, bind)]->path);
	if (!a->target && (ref || (bind && xf_map_get(&f->bind_ids, bind) >= 0))) {
		rc = HW_ERROR;   /* out of memory, not a missing target */
		goto drop;
	}
	if (!a->target || !(a->tdef = xf_def_by_path(f, a->target))) {
		problem(ld, XFORM_WARNING, line, "setvalue without a target node ignored");
		goto drop;
	}
	if (!a->events) {
		problem(ld, XFORM_WARNING, line, "setvalue event '%s' is not supported", ev ? ev : "");
		goto drop;
	}
	if ((val = attr(el, "value"))) {
		rc = compile(ld, &a->value, val, line, "setvalue");
		xmlFree(val);
	} else if (!(a->literal = text_of(el))) {
		rc = HW_ERROR;
	}
	if (rc < 0 || (rc = action_add(f, a)) < 0)
		goto drop;
	/*
	 * The form owns a from here.  An action that cannot be listed where it
	 * runs would be silently dropped: out of memory fails the load instead.
	 */
	if ((a->events & XF_EV_CHANGED) && owner) {
		xf_action **n = realloc(owner->changed, (owner->nchanged + 1) * sizeof(*n));

		if (!n)
			rc = HW_ERROR;
		else {
			owner->changed = n;
			n[owner->nchanged++] = a;
		}
	}
	if (rc == 0 && (a->events & XF_EV_NEW_REPEAT)) {
		/* The action belongs to the nearest repeat at or above its target. */
		xf_def *r = a->tdef;

		while (r && !r->is_repeat)
			r = r->parent;
		if (r) {
			xf_action **n = realloc(r->new_repeat, (r->nnew_repeat + 1) * sizeof(*n));

			if (!n)
				rc = HW_ERROR;
			else {
				r->new_repeat = n;
				n[r->nnew_repeat++] = a;
			}
		}
	}
	xmlFree(ev);
	xmlFree(ref);
	xmlFree(bind);
	return rc;
drop:
	xmlFree(ev);
	xmlFree(ref);
	xmlFree(bind);
	xpath_expr_free(a->value);
	free(a->literal);
	free(a->target);
	free(a);
	return rc;
}

/* The control kind for a body element name, or 0 for elements that are not controls. */
static int kind_of(const char *name)
{
	static const char *const unsupported[] = { "upload", "range", "rank", "secret",
		"textarea", "output", "submit", "setgeopoint", "recordaudio", NULL };
	size_t i;

	if (!strcmp(name, "input"))
		return XFORM_INPUT;
	if (!strcmp(name, "select1"))
		return XFORM_SELECT1;
	if (!strcmp(name, "select"))
		return XFORM_SELECT;
	if (!strcmp(name, "trigger"))
		return XFORM_TRIGGER;
	if (!strcmp(name, "group"))
		return XFORM_GROUP;
	if (!strcmp(name, "repeat"))
		return XFORM_REPEAT;
	for (i = 0; unsupported[i]; i++)
		if (!strcmp(name, unsupported[i]))
			return XFORM_UNSUPPORTED;
	return 0;
}

/* True if s is a plain element name (a CSV column such as "label"). */
static int column_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* Items and itemset of a select. */
static int parse_choices(loader *ld, xf_ctrl *c, const xmlNode *el)
{
	const xmlNode *k;
	int rc = 0;

	for (k = el->children; k && rc == 0; k = k->next) {
		if (is_el(k, "item")) {
			xf_item *ni = realloc(c->items, (c->nitems + 1) * sizeof(*ni));
			const xmlNode *v = child_el(k, "value");

			if (!ni)
				return HW_ERROR;
			c->items = ni;
			memset(&ni[c->nitems], 0, sizeof(*ni));
			ni[c->nitems].value = v ? text_of(v) : strdup("");
			rc = parse_label(ld, &ni[c->nitems].label, child_el(k, "label"));
			if (!ni[c->nitems].value)
				rc = HW_ERROR;
			c->nitems++;
		} else if (is_el(k, "itemset")) {
			char *ns = attr(k, "nodeset"), *vr;
			const xmlNode *v = child_el(k, "value"), *l = child_el(k, "label");

			if (!ns)
				return problem(ld, XFORM_ERROR, line_of(k), "itemset without nodeset");
			if (c->itemset) {
				/* A second itemset replaces the first (only one can be shown). */
				problem(ld, XFORM_WARNING, line_of(k), "second itemset in one select: it replaces the first");
				xpath_expr_free(c->itemset);
				xpath_expr_free(c->iset_value);
				xf_label_free(&c->iset_label);
				c->itemset = c->iset_value = NULL;
			}
			rc = compile(ld, &c->itemset, ns, line_of(k), "itemset");
			xmlFree(ns);
			if (rc < 0)
				return rc;
			vr = v ? attr(v, "ref") : NULL;
			rc = compile(ld, &c->iset_value, vr ? vr : ".", line_of(k), "itemset value");
			xmlFree(vr);
			if (rc == 0 && l) {
				char *lr = attr(l, "ref");

				c->iset_label.kind = XF_L_EXPR;
				rc = compile(ld, &c->iset_label.expr, lr ? lr : ".", line_of(l), "itemset label");
				/* A label read from one column may have translated columns. */
				if (rc == 0 && lr && column_name(lr) && !(c->iset_label_col = strdup(lr)))
					rc = HW_ERROR;
				xmlFree(lr);
			}
		}
	}
	return rc;
}

/* One body element that is a control; base is the enclosing group's path. */
static int parse_control(loader *ld, xf_ctrl *parent, const xmlNode *el, const char *base)
{
	xform *f = ld->f;
	xf_ctrl *c = calloc(1, sizeof(*c));
	char *ref, *bind, *app;
	int rc = 0, line = line_of(el);

	if (!c)
		return HW_ERROR;
	c->kind = kind_of(lname(el));
	c->line = line;
	c->vertex = -1;
	c->element = strdup(lname(el));
	if (!c->element || ctrl_add(parent, c) < 0) {
		free(c->element);
		free(c);
		return HW_ERROR;
	}
	ref = attr(el, c->kind == XFORM_REPEAT ? "nodeset" : "ref");
	bind = attr(el, "bind");
	if (ref)
		c->ref = resolve_ref(base, ref);
	else if (bind && xf_map_get(&f->bind_ids, bind) >= 0)
		c->ref = strdup(f->defs[xf_map_get(&f->bind_ids, bind)]->path);
	if (!c->ref && (ref || (bind && xf_map_get(&f->bind_ids, bind) >= 0))) {
		xmlFree(ref);
		xmlFree(bind);
		return HW_ERROR;   /* out of memory: not a control without a node */
	}
	xmlFree(ref);
	xmlFree(bind);
	if ((app = attr(el, "appearance"))) {
		c->appearance = strdup(app);
		c->field_list = c->kind == XFORM_GROUP && strstr(app, "field-list") != NULL;
		xmlFree(app);
		if (!c->appearance)
			return HW_ERROR;
	}
	if (c->ref) {
		c->def = xf_def_by_path(f, c->ref);
		if (!c->def && c->kind != XFORM_GROUP)
			return problem(ld, XFORM_ERROR, line, "%s refers to %s, which is not in the instance",
				       lname(el), c->ref);
		if (c->def && !c->def->ctrl && c->kind != XFORM_REPEAT && c->kind != XFORM_GROUP)
			c->def->ctrl = c;
		if (c->def && c->kind == XFORM_GROUP && !c->def->ctrl)
			c->def->ctrl = c;
	} else if (c->kind != XFORM_GROUP) {
		return problem(ld, XFORM_ERROR, line, "%s without ref", lname(el));
	}
	if ((rc = parse_label(ld, &c->label, child_el(el, "label"))) < 0)
		return rc;
	if ((rc = parse_label(ld, &c->hint, child_el(el, "hint"))) < 0)
		return rc;
	if (c->kind == XFORM_UNSUPPORTED) {
		problem(ld, XFORM_WARNING, line, "control <%s> is not supported: shown but not answerable",
			lname(el));
		return 0;
	}
	if (c->kind == XFORM_INPUT && c->def && c->def->type == XFORM_T_OTHER) {
		c->kind = XFORM_UNSUPPORTED;
		problem(ld, XFORM_WARNING, line, "input of type %s (%s) is not supported",
			c->def->type_name ? c->def->type_name : "?", c->ref);
		return 0;
	}
	if (c->kind == XFORM_SELECT1 || c->kind == XFORM_SELECT) {
		if ((rc = parse_choices(ld, c, el)) < 0)
			return rc;
		if (!c->nitems && !c->itemset) {
			char *lt = NULL;

			if (c->label.kind == XF_L_LITERAL && c->label.lit.flat)
				lt = c->label.lit.flat;
			return problem(ld, XFORM_ERROR, line, "select question '%s' (%s) has no choices",
				       lt ? lt : c->ref, c->ref);
		}
		if (c->def && (c->def->type == XFORM_T_STRING || c->def->type == XFORM_T_OTHER))
			c->def->type = c->kind == XFORM_SELECT1 ? XFORM_T_SELECT1 : XFORM_T_SELECT;
	}
	if (c->kind == XFORM_REPEAT) {
		char *cnt = attr(el, "count"), *nar = attr(el, "noAddRemove");

		if (c->def) {
			c->def->is_repeat = 1;
			c->def->repeat = c;
			if (cnt) {
				xpath_expr_free(c->def->jr_count);
				c->def->jr_count = NULL;
				rc = compile(ld, &c->def->jr_count, cnt, line, "jr:count");
			}
			if (nar && strstr(nar, "true"))
				c->def->noaddremove = 1;
		}
		xmlFree(cnt);
		xmlFree(nar);
		if (rc < 0)
			return rc;
	}
	if (c->kind == XFORM_GROUP || c->kind == XFORM_REPEAT)
		return parse_controls(ld, c, el, c->ref ? c->ref : base);
	/* setvalue children of a question (xforms-value-changed). */
	{
		const xmlNode *k;

		for (k = el->children; k && rc == 0; k = k->next)
			if (is_el(k, "setvalue"))
				rc = parse_setvalue(ld, k, base, c->def);
	}
	return rc;
}

/* The controls inside el. */
static int parse_controls(loader *ld, xf_ctrl *parent, const xmlNode *el, const char *base)
{
	const xmlNode *k;
	int rc = 0;

	for (k = el->children; k && rc == 0; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(k, "setvalue"))
			rc = parse_setvalue(ld, k, base, NULL);
		else if (kind_of(lname(k)))
			rc = parse_control(ld, parent, k, base);
		else if (!is_el(k, "label") && !is_el(k, "hint") && !is_el(k, "item") &&
			 !is_el(k, "itemset") && !is_el(k, "value"))
			problem(ld, XFORM_WARNING, line_of(k), "unknown element <%s> ignored", lname(k));
	}
	return rc;
}

/* ------------------------------------------------------------- repeats */

/* Remove every jr:template instance below n, keeping one clean copy as its def's template. */
static int take_templates(xform *f, xnode *n, xf_def *d)
{
	size_t i = 0;

	while (i < n->nchildren) {
		xnode *c = n->children[i];
		xf_def *cd = NULL;
		size_t k;

		for (k = 0; k < d->nchildren; k++)
			if (strcmp(d->children[k]->local, c->local) == 0)
				cd = d->children[k];
		if (!cd) {
			i++;
			continue;
		}
		if (xnode_attr(c, "template")) {
			cd->is_repeat = 1;
			cd->has_template = 1;
			if (!cd->template_) {
				xnode *t = c->attrs ? xnode_attr(c, "template") : NULL;

				xnode_detach(c);
				if (t) {
					xnode_detach(t);
					xnode_free(t);
				}
				if (take_templates(f, c, cd) < 0)
					return HW_ERROR;
				cd->template_ = c;
			} else {
				xnode_free(c);
			}
			continue;
		}
		if (take_templates(f, c, cd) < 0)
			return HW_ERROR;
		if (cd->is_repeat && !cd->template_) {
			/* No jr:template: the first instance, emptied, serves as one. */
			xnode *t = NULL;

			if (xnode_clone(&t, c) < 0)
				return HW_ERROR;
			cd->template_ = t;
		}
		i++;
	}
	return 0;
}

/* ------------------------------------------------------------- top */

static void free_ctrl(xf_ctrl *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nchildren; i++)
		free_ctrl(c->children[i]);
	free(c->children);
	for (i = 0; i < c->nitems; i++) {
		free(c->items[i].value);
		xf_label_free(&c->items[i].label);
	}
	free(c->items);
	free(c->ref);
	free(c->appearance);
	free(c->element);
	xf_label_free(&c->label);
	xf_label_free(&c->hint);
	xf_label_free(&c->iset_label);
	free(c->iset_label_col);
	xpath_expr_free(c->itemset);
	xpath_expr_free(c->iset_value);
	free(c);
}

void xform_free(xform *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; i < f->ndefs; i++) {
		xf_def *d = f->defs[i];

		free(d->path);
		free(d->children);
		free(d->type_name);
		xpath_expr_free(d->calculate);
		xpath_expr_free(d->relevant);
		xpath_expr_free(d->required);
		xpath_expr_free(d->readonly);
		xpath_expr_free(d->constraint);
		xpath_expr_free(d->jr_count);
		xf_label_free(&d->constraint_msg);
		xf_label_free(&d->required_msg);
		free(d->preload);
		free(d->preload_params);
		free(d->saveto);
		xnode_free(d->template_);
		free(d->readers);
		free(d->vertices);
		free(d->state_vertices);
		free(d->new_repeat);
		free(d->changed);
		free(d);
	}
	free(f->defs);
	xf_map_free(&f->def_map);
	xf_map_free(&f->bind_ids);
	for (i = 0; i < f->nactions; i++) {
		free(f->actions[i]->target);
		free(f->actions[i]->literal);
		xpath_expr_free(f->actions[i]->value);
		free(f->actions[i]);
	}
	free(f->actions);
	free_ctrl(f->body);
	for (i = 0; i < f->nlangs; i++) {
		for (j = 0; f->langs[i].texts && j < f->nitext; j++) {
			xf_text_free(f->langs[i].texts[j]);
			free(f->langs[i].texts[j]);
		}
		free(f->langs[i].texts);
		free(f->langs[i].name);
		free(f->langs[i].code);
	}
	free(f->langs);
	xf_map_free(&f->itext_ids);
	for (i = 0; i < f->nsecondary; i++) {
		free(f->secondary[i].id);
		xnode_free(f->secondary[i].doc);
	}
	free(f->secondary);
	free(f->applies_to);
	xpath_expr_free(f->applies_expr);
	for (i = 0; i < f->nvertices; i++)
		free(f->vertices[i].reads);
	free(f->vertices);
	xnode_free(f->primary);
	free(f->path);
	free(f->dir);
	free(f->id);
	free(f->version);
	free(f->title);
	free(f);
}

/*
 * homeward:applies-to on <model>: whom the form is for, "minor" or an XPath
 * expression over instance('case') (docs/form-entities.md).
 */
static int applies_of(loader *ld, const xmlNode *model)
{
	xform *f = ld->f;
	char *v = attr(model, "applies-to");
	const char *src;
	int rc;

	if (!v)
		return 0;
	f->applies_to = strdup(v);
	xmlFree(v);
	if (!f->applies_to)
		return HW_ERROR;
	f->applies_line = line_of(model);
	if (!f->has_case)
		return problem(ld, XFORM_ERROR, f->applies_line,
			       "applies-to needs <instance id=\"case\"> in the model");
	src = !strcmp(f->applies_to, "minor") ? "instance('case')/root/item/minor = 'true'" :
		!strcmp(f->applies_to, "adult") ? "instance('case')/root/item/minor = 'false'" : f->applies_to;
	rc = compile(ld, &f->applies_expr, src, f->applies_line, "applies-to");
	return rc;
}

/*
 * Saveto targets (known once the body has marked the repeats) and meta/entity:
 * only updates of the case being worked on are supported.
 */
static int entity_of(loader *ld)
{
	xnode *root = xnode_document_element(ld->f->primary), *meta, *ent;
	xnode *create;

	for (size_t i = 0; i < ld->f->ndefs; i++) {
		const xf_def *d = ld->f->defs[i], *up;

		if (!d->saveto)
			continue;
		if (!ld->f->has_case)
			return problem(ld, XFORM_ERROR, d->bind_line,
				       "saveto \"%s\" of %s needs <instance id=\"case\"> in the model",
				       d->saveto, d->path);
		if (d->nchildren || d->is_repeat)
			return problem(ld, XFORM_ERROR, d->bind_line,
				       "saveto \"%s\" on %s: only a question can save to the case",
				       d->saveto, d->path);
		for (up = d->parent; up; up = up->parent)
			if (up->is_repeat)
				return problem(ld, XFORM_ERROR, d->bind_line,
					       "saveto \"%s\" of %s: a question inside a repeat cannot save to the one case",
					       d->saveto, d->path);
		for (size_t j = 0; j < i; j++)
			if (ld->f->defs[j]->saveto && !strcmp(ld->f->defs[j]->saveto, d->saveto))
				return problem(ld, XFORM_ERROR, d->bind_line,
					       "saveto \"%s\" is given by both %s and %s",
					       d->saveto, ld->f->defs[j]->path, d->path);
	}
	if (!root || !(meta = xnode_child(root, "meta")) || !(ent = xnode_child(meta, "entity")))
		return 0;
	create = xnode_attr(ent, "create");
	if (create && *xnode_value(create) && strcmp(xnode_value(create), "0") &&
	    strcmp(xnode_value(create), "false()"))
		problem(ld, XFORM_WARNING, 0,
			"meta/entity create: a form cannot open a case here; the entity is only updated");
	if (!ld->f->has_case)
		return problem(ld, XFORM_ERROR, 0, "meta/entity needs <instance id=\"case\"> in the model");
	return 0;
}

/* Everything after parsing the XML: the model, then the body, then the graph. */
static int load_doc(loader *ld, xmlDoc *doc)
{
	xform *f = ld->f;
	xmlNode *html = xmlDocGetRootElement(doc), *head, *model, *body, *k, *primary = NULL, *title;
	xnode *root;
	int rc = 0;

	head = child_el(html, "head");
	model = child_el(head, "model");
	body = child_el(html, "body");
	if (!model)
		return problem(ld, XFORM_ERROR, line_of(html), "no <model> in <head>");
	if ((title = child_el(head, "title")))
		if (!(f->title = text_of(title)))
			return HW_ERROR;
	if (media_dir_of(ld, model) < 0)
		return hw_error_set(ld->err, HW_ERROR, "out of memory");
	/* Instances: the first without an id (or the first at all) is primary. */
	for (k = model->children; k; k = k->next) {
		char *id;

		if (!is_el(k, "instance"))
			continue;
		id = attr(k, "id");
		if (!primary && (!id || !*id)) {
			primary = k;
		} else if (id && *id) {
			rc = load_secondary(ld, k, id);
		}
		xmlFree(id);
		if (rc < 0)
			return rc;
	}
	if (!primary)
		return problem(ld, XFORM_ERROR, line_of(model), "no primary <instance> in the model");
	for (k = primary->children; k && k->type != XML_ELEMENT_NODE; k = k->next)
		;
	if (!k)
		return problem(ld, XFORM_ERROR, line_of(primary), "the primary instance is empty");
	ld->primary_el = k;
	if (xml_to_doc(&f->primary, k) < 0)
		return hw_error_set(ld->err, HW_ERROR, "out of memory");
	root = xnode_document_element(f->primary);
	f->id = strdup(xnode_attr(root, "id") ? xnode_value(xnode_attr(root, "id")) : "");
	f->version = strdup(xnode_attr(root, "version") ? xnode_value(xnode_attr(root, "version")) : "");
	if (!f->id || !f->version || make_defs(f, NULL, root) < 0)
		return hw_error_set(ld->err, HW_ERROR, "out of memory");
	if ((k = child_el(model, "itext")) && (rc = parse_itext(ld, k)) < 0)
		return rc;
	for (k = model->children; k && rc == 0; k = k->next)
		if (is_el(k, "bind"))
			rc = parse_bind(ld, k);
	if (rc < 0)
		return rc;
	if (!(f->body = calloc(1, sizeof(xf_ctrl))))
		return HW_ERROR;
	f->body->kind = XFORM_GROUP;
	f->body->vertex = -1;
	if (body && (rc = parse_controls(ld, f->body, body, xf_def_by_path(f, "/") ? "" :
					 f->defs[0]->path)) < 0)
		return rc;
	/* Model-level actions come after the body so repeats are known. */
	for (k = model->children; k && rc == 0; k = k->next)
		if (is_el(k, "setvalue"))
			rc = parse_setvalue(ld, k, f->defs[0]->path, NULL);
	for (k = model->children; k && rc == 0; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !is_el(k, "setvalue") && !is_el(k, "bind") &&
		    !is_el(k, "instance") && !is_el(k, "itext") && !is_el(k, "submission"))
			problem(ld, XFORM_WARNING, line_of(k), "model element <%s> is not supported", lname(k));
	if (rc < 0)
		return rc;
	/* Repeats named only in the model (a jr:template without a <repeat>) are repeats too. */
	if (take_templates(f, root, f->defs[0]) < 0)
		return HW_ERROR;
	if ((rc = applies_of(ld, model)) < 0 || (rc = entity_of(ld)) < 0)
		return rc;
	return xf_graph_build(f, ld->err);
}

int xform_load_ext(xform **out, const char *path, const xform_load_options *opts, hw_error *err)
{
	loader ld = { NULL, opts, err, NULL };
	char *data = NULL, msg[700];
	size_t len = 0;
	xmlDoc *doc = NULL;
	int rc;

	*out = NULL;
	if (!path)
		return hw_error_set(err, HW_EINVALID, "no form path given");
	if (!(ld.f = calloc(1, sizeof(xform))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	ld.f->path = strdup(path);
	{
		const char *slash = strrchr(path, '/');

		ld.f->dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
	}
	if (!ld.f->path || !ld.f->dir) {
		rc = hw_error_set(err, HW_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	if ((rc = hw_read_file(path, &data, &len, err)) < 0) {
		if (opts && opts->diag)
			opts->diag(path, 0, XFORM_ERROR, err ? err->msg : "cannot read", opts->payload);
		goto cleanup;
	}
	if (!(doc = parse_xml(data, len, path, msg, sizeof(msg)))) {
		char *colon = strchr(msg, ':');
		int line = atoi(msg);

		rc = problem(&ld, XFORM_ERROR, line, "%s", colon ? colon + 2 : msg);
		goto cleanup;
	}
	if ((rc = load_doc(&ld, doc)) < 0) {
		if (err && err->msg[0] == '\0')
			hw_error_set(err, rc, "%s: out of memory", path);
		goto cleanup;
	}
	*out = ld.f;
	ld.f = NULL;
cleanup:
	xmlFreeDoc(doc);
	free(data);
	free(ld.media_dir);
	xform_free(ld.f);
	return rc;
}

int xform_load(xform **out, const char *path, hw_error *err)
{
	return xform_load_ext(out, path, NULL, err);
}

const char *xform_id(const xform *f) { return f && f->id ? f->id : ""; }
const char *xform_version(const xform *f) { return f && f->version ? f->version : ""; }
const char *xform_title(const xform *f) { return f && f->title ? f->title : ""; }
const char *xform_path(const xform *f) { return f ? f->path : ""; }
size_t xform_language_count(const xform *f) { return f ? f->nlangs : 0; }

const char *xform_language_code(const xform *f, size_t i)
{
	return f && i < f->nlangs ? f->langs[i].code : NULL;
}

const char *xform_language_name(const xform *f, size_t i)
{
	return f && i < f->nlangs ? f->langs[i].name : NULL;
}

const char *xform_default_language(const xform *f)
{
	return f && f->nlangs ? f->langs[f->default_lang].code : NULL;
}

int xf_parse_instance(xnode **out, const char *xml, size_t len, hw_error *err)
{
	char msg[700];
	xmlDoc *doc;
	int rc;

	*out = NULL;
	if (!(doc = parse_xml(xml, len, "submission", msg, sizeof(msg))))
		return hw_error_set(err, HW_EINVALID, "submission: line %s", msg);
	rc = xml_to_doc(out, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return rc < 0 ? hw_error_set(err, HW_ERROR, "out of memory") : 0;
}
