/*
 * formi18n.c: itext extraction, PO parsing, coverage and merging of form
 * translations (see formi18n.h and docs/forms.md).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "formi18n.h"
#include "util.h"

#define JR_NS "http://openrosa.org/javarosa"

struct formi18n_form {
	char *path;
	char *id;
	char *version;
	char *title;
	xmlDocPtr doc;
	formi18n_text *texts;
	size_t ntexts;
	size_t cap;
};

struct formi18n_catalog {
	char *header;            /* msgstr of the header entry, or NULL */
	char *header_comments;   /* translator comments above the header (POT) */
	int header_fuzzy;
	formi18n_entry *entries;
	size_t n;
	size_t cap;
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

/* True if node is an element with this local name. */
static int is_elem(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* An attribute without namespace as a new string, or NULL. */
static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s = v ? hw_strdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

/* Fold whitespace runs of s (in place) to one space and trim both ends. */
static void fold_space(char *s)
{
	char *w = s;
	int space = 0;

	for (const char *r = s; *r; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			space = 1;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* Append s to b escaping it as an XML attribute value (without quotes). */
static int buf_attr_escape(hw_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		case '<': rep = "&lt;"; break;
		default: break;
		}
		if ((rep ? hw_buf_puts(b, rep) : hw_buf_add(b, s, 1)) < 0)
			return HW_ERROR;
	}
	return 0;
}

/* The text of a plain <value>: its text and <output/> markup, whitespace folded. */
static char *value_text(xmlNodePtr value)
{
	hw_buf b = HW_BUF_INIT;
	char *s;

	hw_buf_puts(&b, "");
	for (xmlNodePtr c = value->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			hw_buf_puts(&b, (const char *)c->content);
		} else if (is_elem(c, "output")) {
			hw_buf_puts(&b, "<output");
			for (xmlAttrPtr a = c->properties; a; a = a->next) {
				xmlChar *raw = xmlGetNoNsProp(c, a->name);

				hw_buf_printf(&b, " %s=\"", (const char *)a->name);
				buf_attr_escape(&b, raw ? (const char *)raw : "");
				hw_buf_puts(&b, "\"");
				xmlFree(raw);
			}
			hw_buf_puts(&b, "/>");
		} else if (c->type == XML_ELEMENT_NODE) {
			xmlChar *t = xmlNodeGetContent(c);

			hw_buf_puts(&b, t ? (const char *)t : "");
			xmlFree(t);
		}
	}
	s = hw_buf_detach(&b);
	if (s)
		fold_space(s);
	return s;
}

/* The language code of an itext translation: the tag in parentheses, else the name. */
static char *lang_code(const char *lang)
{
	const char *open = strrchr(lang, '(');
	const char *close = open ? strchr(open, ')') : NULL;
	hw_buf b = HW_BUF_INIT;

	if (open && close && close > open + 1)
		hw_buf_add(&b, open + 1, (size_t)(close - open - 1));
	else
		hw_buf_puts(&b, lang);
	return hw_buf_detach(&b);
}

/* The id inside "jr:itext('ID')" (quotes ' or "), or NULL; caller frees. */
static char *itext_ref(const char *expr)
{
	const char *p = expr, *end;
	char q;
	hw_buf b = HW_BUF_INIT;

	while (*p == ' ')
		p++;
	if (strncmp(p, "jr:itext", 8) != 0)
		return NULL;
	p += 8;
	while (*p == ' ')
		p++;
	if (*p++ != '(')
		return NULL;
	while (*p == ' ')
		p++;
	q = *p;
	if (q != '\'' && q != '"')
		return NULL;
	end = strchr(++p, q);
	if (!end)
		return NULL;
	hw_buf_add(&b, p, (size_t)(end - p));
	return hw_buf_detach(&b);
}

/* Find the first element with this local name below n (depth first). */
static xmlNodePtr find_elem(xmlNodePtr n, const char *name)
{
	for (; n; n = n->next) {
		xmlNodePtr f;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(n, name))
			return n;
		if ((f = find_elem(n->children, name)))
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Source forms                                                         */

/* The text with this id, or NULL. */
static formi18n_text *form_find(formi18n_form *f, const char *id)
{
	for (size_t i = 0; i < f->ntexts; i++)
		if (strcmp(f->texts[i].id, id) == 0)
			return &f->texts[i];
	return NULL;
}

/* Add a text id (or return the existing one). */
static formi18n_text *form_add(formi18n_form *f, const char *id)
{
	formi18n_text *t = form_find(f, id);

	if (t)
		return t;
	if (f->ntexts == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		formi18n_text *n = realloc(f->texts, cap * sizeof(*n));

		if (!n)
			return NULL;
		f->texts = n;
		f->cap = cap;
	}
	t = &f->texts[f->ntexts];
	memset(t, 0, sizeof(*t));
	if (!(t->id = hw_strdup(id)))
		return NULL;
	f->ntexts++;
	return t;
}

/* Read the <text> elements of one translation into the form (child or not). */
static int read_translation(formi18n_form *f, xmlNodePtr tr, int child, hw_error *err)
{
	for (xmlNodePtr t = tr->children; t; t = t->next) {
		char *id;
		formi18n_text *text;
		char **slot;

		if (!is_elem(t, "text"))
			continue;
		id = attr(t, "id");
		if (!id && xmlHasProp(t, (const xmlChar *)"id"))   /* there, but not copied */
			return hw_error_set(err, HW_ERROR, "out of memory");
		if (!id || !*id) {
			free(id);
			return hw_error_set(err, HW_EINVALID, "%s:%ld: <text> without id",
				f->path, xmlGetLineNo(t));
		}
		text = form_add(f, id);
		if (!text) {
			free(id);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		slot = child ? &text->child : &text->en;
		if (*slot) {
			hw_error_set(err, HW_EINVALID, "%s:%ld: text id '%s' appears twice in one translation",
				f->path, xmlGetLineNo(t), id);
			free(id);
			return HW_EINVALID;
		}
		free(id);
		for (xmlNodePtr v = t->children; v; v = v->next) {
			xmlChar *form;

			if (!is_elem(v, "value"))
				continue;
			form = xmlGetNoNsProp(v, (const xmlChar *)"form");
			if (!form) {
				char *vt = value_text(v);

				if (!vt)
					return hw_error_set(err, HW_ERROR, "out of memory");
				free(*slot);
				*slot = vt;
				if (child)
					text->child_line = (int)xmlGetLineNo(t);
				else
					text->line = (int)xmlGetLineNo(t);
			}
			xmlFree(form);
		}
		if (!*slot && !(*slot = hw_strdup("")))   /* only media: nothing to translate */
			return hw_error_set(err, HW_ERROR, "out of memory");
	}
	return 0;
}

/* Record what body element or bind uses a text, for the translators' comments. */
static void note_use(formi18n_form *f, const char *id, int kind, xmlNodePtr control,
	const char *value)
{
	formi18n_text *t = form_find(f, id);

	if (!t || t->kind != FORMI18N_OTHER)
		return;
	t->kind = kind;
	if (control) {
		t->control = attr(control, "ref");
		if (!t->control)
			t->control = attr(control, "nodeset");
		t->control_type = hw_strdup((const char *)control->name);
	}
	t->choice_value = hw_strdup(value);
}

/* Walk the document and classify the texts by where they are referenced. */
static void classify(formi18n_form *f, xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_elem(n, "bind")) {
			static const struct { const char *name; int kind; } msgs[] = {
				{ "constraintMsg", FORMI18N_CONSTRAINT },
				{ "requiredMsg", FORMI18N_REQUIRED },
			};
			for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
				xmlChar *v = xmlGetNsProp(n, (const xmlChar *)msgs[i].name,
					(const xmlChar *)JR_NS);
				char *id = v ? itext_ref((const char *)v) : NULL;

				if (id)
					note_use(f, id, msgs[i].kind, n, NULL);
				free(id);
				xmlFree(v);
			}
		} else if (is_elem(n, "label") || is_elem(n, "hint")) {
			char *ref = attr(n, "ref");
			char *id = ref ? itext_ref(ref) : NULL;
			xmlNodePtr parent = n->parent;

			if (id && parent && is_elem(parent, "item")) {
				xmlNodePtr val = NULL;
				xmlChar *vs = NULL;

				for (xmlNodePtr c = parent->children; c; c = c->next)
					if (is_elem(c, "value"))
						val = c;
				vs = val ? xmlNodeGetContent(val) : NULL;
				if (vs)
					fold_space((char *)vs);
				note_use(f, id, FORMI18N_CHOICE, parent->parent, (const char *)vs);
				xmlFree(vs);
			} else if (id) {
				note_use(f, id, is_elem(n, "label") ? FORMI18N_LABEL : FORMI18N_HINT,
					parent, NULL);
			}
			free(id);
			free(ref);
		}
		classify(f, n->children);
	}
}

int formi18n_form_load(formi18n_form **out, const char *path, hw_error *err)
{
	formi18n_form *f = NULL;
	xmlParserCtxtPtr ctxt = NULL;
	xmlNodePtr root, itext, data, title;
	int found_en = 0, rc = HW_ERROR;

	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))) || !(f->path = hw_strdup(path))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!(ctxt = xmlNewParserCtxt())) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	f->doc = xmlCtxtReadFile(ctxt, path, NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!f->doc) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);

		if (e && e->message) {
			char *m = hw_strdup(e->message);

			if (m)
				fold_space(m);
			rc = hw_error_set(err, HW_EINVALID, "%s:%d: %s", path, e->line,
				m ? m : "invalid XML");
			free(m);
		} else {
			rc = hw_error_set(err, HW_EINVALID, "%s: cannot read the form", path);
		}
		goto cleanup;
	}
	root = xmlDocGetRootElement(f->doc);
	data = NULL;
	{
		xmlNodePtr inst = find_elem(root, "instance");

		for (xmlNodePtr c = inst ? inst->children : NULL; c && !data; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				data = c;
	}
	if (!data) {
		rc = hw_error_set(err, HW_EINVALID, "%s: no primary instance", path);
		goto cleanup;
	}
	f->id = attr(data, "id");
	f->version = attr(data, "version");
	if (!f->id || !*f->id) {
		rc = hw_error_set(err, HW_EINVALID, "%s:%ld: the instance root has no id attribute",
			path, xmlGetLineNo(data));
		goto cleanup;
	}
	if (!f->version)
		f->version = hw_strdup("");
	title = find_elem(root, "title");
	{
		xmlChar *t = title ? xmlNodeGetContent(title) : NULL;

		f->title = hw_strdup(t ? (const char *)t : f->id);
		xmlFree(t);
		if (f->title)
			fold_space(f->title);
	}
	itext = find_elem(root, "itext");
	if (!itext) {
		rc = hw_error_set(err, HW_EINVALID, "%s: the form has no itext", path);
		goto cleanup;
	}
	/* English first, so that the order of the texts is the English order. */
	for (int pass = 0; pass < 2; pass++) {
		for (xmlNodePtr tr = itext->children; tr; tr = tr->next) {
			char *lang, *code;
			int is_child, is_en;

			if (!is_elem(tr, "translation"))
				continue;
			lang = attr(tr, "lang");
			if (!(code = lang_code(lang ? lang : ""))) {
				free(lang);
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			is_en = strcmp(code, "en") == 0;
			is_child = strcmp(code, "en-x-child") == 0;
			if (!is_en && !is_child) {
				hw_error_set(err, HW_EINVALID,
					"%s:%ld: translation '%s': a source form holds only en and "
					"en-x-child, other languages come from the catalogues",
					path, xmlGetLineNo(tr), lang ? lang : "");
				free(lang);
				free(code);
				rc = HW_EINVALID;
				goto cleanup;
			}
			free(lang);
			free(code);
			if ((pass == 0) != is_en)
				continue;
			found_en |= is_en;
			if ((rc = read_translation(f, tr, is_child, err)) < 0)
				goto cleanup;
		}
	}
	if (!found_en) {
		rc = hw_error_set(err, HW_EINVALID, "%s:%ld: the itext has no English (en) translation",
			path, xmlGetLineNo(itext));
		goto cleanup;
	}
	classify(f, root);
	*out = f;
	f = NULL;
	rc = 0;
cleanup:
	xmlFreeParserCtxt(ctxt);
	formi18n_form_free(f);
	return rc;
}

void formi18n_form_free(formi18n_form *form)
{
	if (!form)
		return;
	for (size_t i = 0; i < form->ntexts; i++) {
		formi18n_text *t = &form->texts[i];

		free(t->id);
		free(t->en);
		free(t->child);
		free(t->control);
		free(t->control_type);
		free(t->choice_value);
	}
	free(form->texts);
	xmlFreeDoc(form->doc);
	free(form->path);
	free(form->id);
	free(form->version);
	free(form->title);
	free(form);
}

const char *formi18n_form_id(const formi18n_form *form)
{
	return form->id;
}

const char *formi18n_form_version(const formi18n_form *form)
{
	return form->version;
}

const char *formi18n_form_title(const formi18n_form *form)
{
	return form->title;
}

size_t formi18n_form_count(const formi18n_form *form)
{
	return form->ntexts;
}

const formi18n_text *formi18n_form_text(const formi18n_form *form, size_t i)
{
	return i < form->ntexts ? &form->texts[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Catalogues                                                           */

/* Append an entry (taking ownership of the strings); 0 or HW_ERROR. */
static int cat_add(formi18n_catalog *cat, formi18n_entry *e)
{
	if (cat->n == cat->cap) {
		size_t cap = cat->cap ? cat->cap * 2 : 64;
		formi18n_entry *n = realloc(cat->entries, cap * sizeof(*n));

		if (!n)
			return HW_ERROR;
		cat->entries = n;
		cat->cap = cap;
	}
	cat->entries[cat->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* Free the strings of an entry. */
static void entry_clear(formi18n_entry *e)
{
	free(e->ctxt);
	free(e->msgid);
	free(e->msgstr);
	free(e->comments);
	free(e->refs);
	memset(e, 0, sizeof(*e));
}

int formi18n_catalog_new(formi18n_catalog **out, const char *header, const char *comments,
	hw_error *err)
{
	formi18n_catalog *cat = calloc(1, sizeof(*cat));

	*out = NULL;
	if (!cat)
		return hw_error_set(err, HW_ERROR, "out of memory");
	cat->header = hw_strdup(header);
	cat->header_comments = hw_strdup(comments);
	cat->header_fuzzy = header != NULL;
	if ((header && !cat->header) || (comments && !cat->header_comments)) {
		formi18n_catalog_free(cat);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	*out = cat;
	return 0;
}

int formi18n_catalog_add(formi18n_catalog *cat, const formi18n_entry *e, hw_error *err)
{
	formi18n_entry c;

	memset(&c, 0, sizeof(c));
	c.ctxt = hw_strdup(e->ctxt);
	c.msgid = hw_strdup(e->msgid ? e->msgid : "");
	c.msgstr = hw_strdup(e->msgstr ? e->msgstr : "");
	c.comments = hw_strdup(e->comments);
	c.refs = hw_strdup(e->refs);
	c.fuzzy = e->fuzzy;
	c.line = e->line;
	if ((e->ctxt && !c.ctxt) || !c.msgid || !c.msgstr || (e->comments && !c.comments)
		|| (e->refs && !c.refs) || cat_add(cat, &c) < 0) {
		entry_clear(&c);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	return 0;
}

/* The translator's comment for a text. */
static char *text_comment(const formi18n_text *t, int child)
{
	hw_buf b = HW_BUF_INIT;
	const char *ctl = t->control ? t->control : "?";
	const char *type = t->control_type ? t->control_type : "?";

	switch (t->kind) {
	case FORMI18N_LABEL:
		if (strcmp(type, "group") == 0 || strcmp(type, "repeat") == 0)
			hw_buf_printf(&b, "Title of the section %s.", ctl);
		else
			hw_buf_printf(&b, "Label of the question or note %s (%s): said or shown to the person.",
				ctl, type);
		break;
	case FORMI18N_HINT:
		hw_buf_printf(&b, "Hint of %s: guidance for the counsellor.", ctl);
		break;
	case FORMI18N_CHOICE:
		hw_buf_printf(&b, "Choice \"%s\" of the question %s.",
			t->choice_value ? t->choice_value : "", ctl);
		break;
	case FORMI18N_CONSTRAINT:
		hw_buf_printf(&b, "Message shown when the answer to %s is not accepted.", ctl);
		break;
	case FORMI18N_REQUIRED:
		hw_buf_printf(&b, "Message shown when %s is required but empty.", ctl);
		break;
	default:
		hw_buf_puts(&b, "Text used by an expression of the form.");
		break;
	}
	if (child)
		hw_buf_puts(&b, "\nChild wording: addressed to a child. Use short sentences and "
			"everyday words a child understands.");
	if (t->en && strstr(t->en, "<output") && !child)
		hw_buf_puts(&b, "\nKeep each <output .../> element: it shows an answer.");
	else if (child && t->child && strstr(t->child, "<output"))
		hw_buf_puts(&b, "\nKeep each <output .../> element: it shows an answer.");
	return hw_buf_detach(&b);
}

int formi18n_catalog_from_form(formi18n_catalog **out, const formi18n_form *form,
	const char *ref_path, hw_error *err)
{
	formi18n_catalog *cat = calloc(1, sizeof(*cat));
	formi18n_entry e;
	hw_buf h = HW_BUF_INIT;
	int rc = HW_ERROR;

	memset(&e, 0, sizeof(e));
	*out = NULL;
	if (!cat)
		goto oom;
	if (!ref_path)
		ref_path = form->path;
	hw_buf_printf(&h, "Project-Id-Version: homeward-forms %s %s\n"
		"Report-Msgid-Bugs-To: \n"
		"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\n"
		"Last-Translator: FULL NAME <EMAIL@ADDRESS>\n"
		"Language-Team: LANGUAGE <LL@li.org>\n"
		"Language: \n"
		"MIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=UTF-8\n"
		"Content-Transfer-Encoding: 8bit\n"
		"X-Homeward-Form: %s\n", form->id, form->version, form->id);
	cat->header = hw_buf_detach(&h);
	hw_buf_printf(&h, "Translations of the Homeward form \"%s\" (%s).\n"
		"msgctxt is the text id of the form; \"@child\" marks child wording.\n"
		"See docs/forms.md for the conventions.", form->title, form->id);
	cat->header_comments = hw_buf_detach(&h);
	cat->header_fuzzy = 1;
	if (!cat->header || !cat->header_comments)
		goto oom;
	/* Each child text right after its plain text: translators see both. */
	for (size_t i = 0; i < form->ntexts; i++) {
		for (int child = 0; child < 2; child++) {
			const formi18n_text *t = &form->texts[i];
			const char *text = child ? t->child : t->en;
			int line = child ? t->child_line : t->line;

			if (!text || !*text)
				continue;
			hw_buf_printf(&h, "%s%s", t->id, child ? FORMI18N_CHILD_SUFFIX : "");
			e.ctxt = hw_buf_detach(&h);
			e.msgid = hw_strdup(text);
			e.msgstr = hw_strdup("");
			e.comments = text_comment(t, child);
			hw_buf_printf(&h, "%s:%d", ref_path, line);
			e.refs = hw_buf_detach(&h);
			if (!e.ctxt || !e.msgid || !e.msgstr || !e.comments || !e.refs)
				goto oom;
			if (cat_add(cat, &e) < 0)
				goto oom;
		}
	}
	*out = cat;
	return 0;
oom:
	entry_clear(&e);
	formi18n_catalog_free(cat);
	rc = hw_error_set(err, HW_ERROR, "out of memory");
	return rc;
}

/* A PO parser's state. */
typedef struct po_parser {
	const char *name;
	formi18n_catalog *cat;
	formi18n_entry cur;
	int has_id, has_str, has_ctxt;
	int fuzzy;
	int start_line;
	char **last;       /* string the next continuation line extends */
	hw_error *err;
} po_parser;

/* Parse a quoted C-like string at p (after leading spaces) and append it to *dst. */
static int po_string(po_parser *ps, const char *p, const char *end, int line, char **dst)
{
	hw_buf b = HW_BUF_INIT;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '"')
		return hw_error_set(ps->err, HW_EINVALID, "%s:%d: a string in double quotes expected",
			ps->name, line);
	if (*dst)
		hw_buf_puts(&b, *dst);
	else
		hw_buf_puts(&b, "");
	for (p++; ; p++) {
		char c;

		if (p >= end) {
			hw_buf_free(&b);
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: unterminated string",
				ps->name, line);
		}
		if (*p == '"')
			break;
		if (*p != '\\') {
			hw_buf_add(&b, p, 1);
			continue;
		}
		if (++p >= end) {
			hw_buf_free(&b);
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: unterminated string",
				ps->name, line);
		}
		switch (*p) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'v': c = '\v'; break;
		case '"': c = '"'; break;
		case '\'': c = '\''; break;
		case '?': c = '?'; break;
		case '\\': c = '\\'; break;
		default:
			if (*p >= '0' && *p <= '7') {
				int v = 0;

				for (int k = 0; k < 3 && p < end && *p >= '0' && *p <= '7'; k++, p++)
					v = v * 8 + (*p - '0');
				p--;
				c = (char)v;
				break;
			}
			if (*p == 'x') {
				int v = 0, k = 0;

				for (p++; p < end && isxdigit((unsigned char)*p); p++, k++)
					v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0'
						: (tolower((unsigned char)*p) - 'a' + 10));
				p--;
				if (k == 0) {
					hw_buf_free(&b);
					return hw_error_set(ps->err, HW_EINVALID,
						"%s:%d: \\x without hex digits", ps->name, line);
				}
				c = (char)v;
				break;
			}
			hw_buf_free(&b);
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: unknown escape \\%c",
				ps->name, line, *p);
		}
		hw_buf_add(&b, &c, 1);
	}
	for (p++; p < end; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\r') {
			hw_buf_free(&b);
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: text after the closing quote",
				ps->name, line);
		}
	}
	free(*dst);
	*dst = hw_buf_detach(&b);
	return *dst ? 0 : hw_error_set(ps->err, HW_ERROR, "out of memory");
}

/* Finish the entry being read, if any. */
static int po_flush(po_parser *ps, int line)
{
	formi18n_entry *e = &ps->cur;

	if (!ps->has_id && !ps->has_str && !ps->has_ctxt) {
		ps->fuzzy = 0;
		return 0;
	}
	if (!ps->has_id || !ps->has_str)
		return hw_error_set(ps->err, HW_EINVALID, "%s:%d: entry without %s", ps->name,
			ps->start_line, ps->has_id ? "msgstr" : "msgid");
	(void)line;
	e->fuzzy = ps->fuzzy;
	e->line = ps->start_line;
	if (!e->ctxt && e->msgid[0] == '\0') {
		if (ps->cat->header)
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: a second header entry",
				ps->name, ps->start_line);
		ps->cat->header = e->msgstr;
		ps->cat->header_fuzzy = ps->fuzzy;
		e->msgstr = NULL;
		entry_clear(e);
	} else {
		for (size_t i = 0; i < ps->cat->n; i++) {
			const formi18n_entry *o = &ps->cat->entries[i];

			if (((!o->ctxt && !e->ctxt) || (o->ctxt && e->ctxt && strcmp(o->ctxt, e->ctxt) == 0))
				&& strcmp(o->msgid, e->msgid) == 0)
				return hw_error_set(ps->err, HW_EINVALID,
					"%s:%d: duplicate entry '%s' (first at line %d)", ps->name,
					ps->start_line, e->ctxt ? e->ctxt : e->msgid, o->line);
		}
		if (cat_add(ps->cat, e) < 0)
			return hw_error_set(ps->err, HW_ERROR, "out of memory");
	}
	ps->has_id = ps->has_str = ps->has_ctxt = 0;
	ps->fuzzy = 0;
	ps->start_line = 0;
	ps->last = NULL;
	return 0;
}

/* True if the line at p starts with the keyword kw followed by a space or quote. */
static int keyword(const char *p, const char *end, const char *kw)
{
	size_t n = strlen(kw);

	return (size_t)(end - p) > n && strncmp(p, kw, n) == 0
		&& (p[n] == ' ' || p[n] == '\t' || p[n] == '"');
}

/* Handle one line of a PO file. */
static int po_line(po_parser *ps, const char *p, const char *end, int line)
{
	const char *s = p;
	int rc;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end)
		return po_flush(ps, line);
	if (*s == '#') {
		if (ps->has_str && (rc = po_flush(ps, line)) < 0)
			return rc;
		if (s + 1 < end && s[1] == ',') {
			/* Flags: look for the word "fuzzy". */
			for (const char *q = s + 2; q < end; ) {
				const char *w;

				while (q < end && (*q == ' ' || *q == ',' || *q == '\t' || *q == '\r'))
					q++;
				w = q;
				while (q < end && *q != ' ' && *q != ',' && *q != '\t' && *q != '\r')
					q++;
				if (q - w == 5 && strncmp(w, "fuzzy", 5) == 0)
					ps->fuzzy = 1;
			}
		}
		if (!ps->start_line && !(s + 1 < end && s[1] == '~'))
			ps->start_line = line;
		return 0;
	}
	if (keyword(s, end, "msgid_plural") || (end - s > 7 && strncmp(s, "msgstr[", 7) == 0))
		return hw_error_set(ps->err, HW_EINVALID, "%s:%d: plural entries are not supported",
			ps->name, line);
	if (keyword(s, end, "msgctxt")) {
		if (ps->has_str && (rc = po_flush(ps, line)) < 0)
			return rc;
		if (ps->has_ctxt || ps->has_id)
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: msgctxt in the wrong place",
				ps->name, line);
		if (!ps->start_line)
			ps->start_line = line;
		ps->has_ctxt = 1;
		ps->last = &ps->cur.ctxt;
		return po_string(ps, s + 7, end, line, ps->last);
	}
	if (keyword(s, end, "msgid")) {
		if (ps->has_str && (rc = po_flush(ps, line)) < 0)
			return rc;
		if (ps->has_id)
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: msgid in the wrong place",
				ps->name, line);
		if (!ps->start_line)
			ps->start_line = line;
		ps->has_id = 1;
		ps->last = &ps->cur.msgid;
		return po_string(ps, s + 5, end, line, ps->last);
	}
	if (keyword(s, end, "msgstr")) {
		if (!ps->has_id || ps->has_str)
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: msgstr without msgid",
				ps->name, line);
		ps->has_str = 1;
		ps->last = &ps->cur.msgstr;
		return po_string(ps, s + 6, end, line, ps->last);
	}
	if (*s == '"') {
		if (!ps->last)
			return hw_error_set(ps->err, HW_EINVALID, "%s:%d: string outside an entry",
				ps->name, line);
		return po_string(ps, s, end, line, ps->last);
	}
	return hw_error_set(ps->err, HW_EINVALID, "%s:%d: unexpected text", ps->name, line);
}

/* The line (1-based) of the first byte that is not valid UTF-8, or 0. */
static int bad_utf8_line(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	int line = 1;

	while (p < end) {
		size_t n;

		if (*p < 0x80) {
			if (*p == '\n')
				line++;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 1;
		else if ((*p & 0xf0) == 0xe0)
			n = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 3;
		else
			return line;
		if ((size_t)(end - p) <= n)
			return line;
		for (size_t k = 1; k <= n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return line;
		p += n + 1;
	}
	return 0;
}

int formi18n_po_parse(formi18n_catalog **out, const char *name,
	const char *data, size_t len, hw_error *err)
{
	po_parser ps;
	const char *p = data, *end = data + len;
	int line = 0, rc, bad;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.name = name;
	ps.err = err;
	if ((bad = bad_utf8_line(data, len)))
		return hw_error_set(err, HW_EINVALID, "%s:%d: not valid UTF-8", name, bad);
	if (!(ps.cat = calloc(1, sizeof(*ps.cat))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		line++;
		if ((rc = po_line(&ps, p, le, line)) < 0)
			goto fail;
		p = nl ? nl + 1 : end;
	}
	if ((rc = po_flush(&ps, line + 1)) < 0)
		goto fail;
	*out = ps.cat;
	return 0;
fail:
	entry_clear(&ps.cur);
	formi18n_catalog_free(ps.cat);
	return rc;
}

int formi18n_po_load(formi18n_catalog **out, const char *path, hw_error *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = hw_read_file(path, &data, &len, err)) < 0)
		return rc;
	rc = formi18n_po_parse(out, path, data, len, err);
	free(data);
	return rc;
}

/* Write a PO keyword and its string, split after each "\n". */
static void po_put(hw_buf *b, const char *kw, const char *s)
{
	const char *nl = strchr(s, '\n');
	int multi = nl && nl[1] != '\0';

	hw_buf_printf(b, "%s \"", kw);
	if (multi)
		hw_buf_puts(b, "\"\n\"");
	for (; *s; s++) {
		switch (*s) {
		case '"': hw_buf_puts(b, "\\\""); break;
		case '\\': hw_buf_puts(b, "\\\\"); break;
		case '\t': hw_buf_puts(b, "\\t"); break;
		case '\r': hw_buf_puts(b, "\\r"); break;
		case '\n':
			hw_buf_puts(b, "\\n");
			if (multi && s[1])
				hw_buf_puts(b, "\"\n\"");
			break;
		default:
			hw_buf_add(b, s, 1);
		}
	}
	hw_buf_puts(b, "\"\n");
}

/* Write each line of text with a comment prefix ("# ", "#. "). */
static void put_comment(hw_buf *b, const char *prefix, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		hw_buf_puts(b, prefix);
		hw_buf_add(b, text, n);
		hw_buf_puts(b, "\n");
		text += n + (nl ? 1 : 0);
	}
}

int formi18n_po_write(char **out, const formi18n_catalog *cat, hw_error *err)
{
	hw_buf b = HW_BUF_INIT;

	*out = NULL;
	hw_buf_puts(&b, "");
	if (cat->header) {
		put_comment(&b, "# ", cat->header_comments);
		if (cat->header_fuzzy)
			hw_buf_puts(&b, "#, fuzzy\n");
		po_put(&b, "msgid", "");
		po_put(&b, "msgstr", cat->header);
	}
	for (size_t i = 0; i < cat->n; i++) {
		const formi18n_entry *e = &cat->entries[i];

		hw_buf_puts(&b, "\n");
		put_comment(&b, "#. ", e->comments);
		put_comment(&b, "#: ", e->refs);
		if (e->fuzzy)
			hw_buf_puts(&b, "#, fuzzy\n");
		if (e->ctxt)
			po_put(&b, "msgctxt", e->ctxt);
		po_put(&b, "msgid", e->msgid);
		po_put(&b, "msgstr", e->msgstr ? e->msgstr : "");
	}
	if (!(*out = hw_buf_detach(&b)))   /* a catalogue is written whole or not at all */
		return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}

void formi18n_catalog_free(formi18n_catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++)
		entry_clear(&cat->entries[i]);
	free(cat->entries);
	free(cat->header);
	free(cat->header_comments);
	free(cat);
}

size_t formi18n_catalog_count(const formi18n_catalog *cat)
{
	return cat->n;
}

const formi18n_entry *formi18n_catalog_entry(const formi18n_catalog *cat, size_t i)
{
	return i < cat->n ? &cat->entries[i] : NULL;
}

const formi18n_entry *formi18n_catalog_find(const formi18n_catalog *cat, const char *ctxt)
{
	if (!cat || !ctxt)
		return NULL;
	for (size_t i = 0; i < cat->n; i++)
		if (cat->entries[i].ctxt && strcmp(cat->entries[i].ctxt, ctxt) == 0)
			return &cat->entries[i];
	return NULL;
}

char *formi18n_catalog_header(const formi18n_catalog *cat, const char *field)
{
	size_t n = strlen(field);

	for (const char *p = cat ? cat->header : NULL; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > n && strncmp(p, field, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			hw_buf b = HW_BUF_INIT;

			while (*v == ' ')
				v++;
			hw_buf_add(&b, v, len - (size_t)(v - p));
			hw_buf_puts(&b, "");
			return hw_buf_detach(&b);
		}
		p += len + (nl ? 1 : 0);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Coverage                                                             */

/* The <output .../> tokens of s, sorted and joined, for comparison; caller frees; NULL: out of memory. */
static char *markup_key(const char *s)
{
	char **tok = NULL;
	size_t n = 0;
	hw_buf b = HW_BUF_INIT;
	int failed = 0;   /* a key that lost a token would compare wrongly */

	for (const char *p = strstr(s, "<output"); p && !failed; p = strstr(p + 1, "<output")) {
		const char *e = strstr(p, "/>");
		char **nt;

		if (!e)
			break;
		if (!(nt = realloc(tok, (n + 1) * sizeof(*tok)))) {
			failed = 1;
			break;
		}
		tok = nt;
		hw_buf_add(&b, p, (size_t)(e + 2 - p));
		if (!(tok[n] = hw_buf_detach(&b)))
			failed = 1;
		else
			n++;
	}
	for (size_t i = 1; i < n && !failed; i++)
		for (size_t j = i; j > 0 && strcmp(tok[j - 1], tok[j]) > 0; j--) {
			char *t = tok[j];

			tok[j] = tok[j - 1];
			tok[j - 1] = t;
		}
	hw_buf_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		hw_buf_puts(&b, tok[i]);
		free(tok[i]);
	}
	free(tok);
	if (failed) {
		hw_buf_free(&b);
		return NULL;
	}
	return hw_buf_detach(&b);
}

/*
 * *state: 1 if the translation of tmpl entry t in po is usable, 0 missing,
 * -1 fuzzy/outdated.  Returns 0 or HW_ERROR (out of memory).
 */
static int entry_state(const formi18n_entry *t, const formi18n_catalog *po,
	const formi18n_entry **found, int *state)
{
	const formi18n_entry *e = formi18n_catalog_find(po, t->ctxt);
	char *k1, *k2;
	int rc = 0;

	*found = NULL;
	*state = 0;
	if (!e || !e->msgstr || !*e->msgstr)
		return 0;
	*state = -1;
	if (e->fuzzy || strcmp(e->msgid, t->msgid) != 0)
		return 0;
	k1 = markup_key(t->msgid);
	k2 = markup_key(e->msgstr);
	if (!k1 || !k2)
		rc = HW_ERROR;
	else if (strcmp(k1, k2) == 0) {
		*state = 1;
		*found = e;
	}
	free(k1);
	free(k2);
	return rc;
}

/* Append a copy of s to a NULL-free list of n strings. */
static int list_add(char ***list, size_t n, const char *s)
{
	char **l = realloc(*list, (n + 1) * sizeof(**list));

	if (!l)
		return HW_ERROR;
	*list = l;
	l[n] = hw_strdup(s);
	return l[n] ? 0 : HW_ERROR;
}

int formi18n_coverage_compute(formi18n_coverage *out, const formi18n_catalog *tmpl,
	const formi18n_catalog *po, hw_error *err)
{
	formi18n_coverage_clear(out);
	for (size_t i = 0; i < tmpl->n; i++) {
		const formi18n_entry *t = &tmpl->entries[i], *e;
		int child, st, rc = 0;
		size_t cl;

		if (!t->ctxt)
			continue;
		cl = strlen(t->ctxt);
		child = cl > strlen(FORMI18N_CHILD_SUFFIX)
			&& strcmp(t->ctxt + cl - strlen(FORMI18N_CHILD_SUFFIX), FORMI18N_CHILD_SUFFIX) == 0;
		out->total++;
		out->child_total += child;
		if (entry_state(t, po, &e, &st) < 0) {
			formi18n_coverage_clear(out);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		if (st > 0) {
			out->translated++;
			out->child_translated += child;
		} else if (st < 0) {
			rc = list_add(&out->fuzzy_ids, out->fuzzy++, t->ctxt);
		} else {
			rc = list_add(&out->missing_ids, out->missing++, t->ctxt);
		}
		if (rc < 0) {
			formi18n_coverage_clear(out);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	}
	return 0;
}

void formi18n_coverage_clear(formi18n_coverage *cov)
{
	for (size_t i = 0; cov->fuzzy_ids && i < cov->fuzzy; i++)
		free(cov->fuzzy_ids[i]);
	for (size_t i = 0; cov->missing_ids && i < cov->missing; i++)
		free(cov->missing_ids[i]);
	free(cov->fuzzy_ids);
	free(cov->missing_ids);
	memset(cov, 0, sizeof(*cov));
}

/* ------------------------------------------------------------------ */
/* Merging                                                              */

static const struct {
	const char *code;
	const char *name;
	const char *child;
} lang_names[] = {
	{ "en", "English", "English, for children" },
	{ "nl", "Nederlands", "Nederlands, voor kinderen" },
	{ "fr", "Français", "Français, pour les enfants" },
	{ "ar", "العربية", "العربية، للأطفال" },
	{ "fa", "فارسی", "فارسی، برای کودکان" },
	{ "de", "Deutsch", "Deutsch, für Kinder" },
	{ "es", "Español", "Español, para niños" },
	{ "ps", "پښتو", "پښتو، د ماشومانو لپاره" },
	{ "ur", "اردو", "اردو، بچوں کے لیے" },
	{ "ti", "ትግርኛ", "ትግርኛ፡ ንቖልዑ" },
	{ "ru", "Русский", "Русский, для детей" },
};

char *formi18n_language_name(const char *code, int child, const formi18n_catalog *po)
{
	char *over = formi18n_catalog_header(po, child ? "X-Child-Language-Name" : "X-Language-Name");
	const char *name = NULL;
	hw_buf b = HW_BUF_INIT;

	for (size_t i = 0; i < sizeof(lang_names) / sizeof(lang_names[0]) && !name; i++)
		if (strcmp(lang_names[i].code, code) == 0)
			name = child ? lang_names[i].child : lang_names[i].name;
	if (over && *over)
		name = over;
	if (name)
		hw_buf_printf(&b, "%s (%s%s)", name, code, child ? "-x-child" : "");
	else
		hw_buf_printf(&b, "%s%s (%s%s)", code, child ? ", child" : "", code,
			child ? "-x-child" : "");
	free(over);
	return hw_buf_detach(&b);
}

/* Decode the XML entities of an attribute value written by value_text(). */
static char *attr_unescape(const char *s, size_t n)
{
	hw_buf b = HW_BUF_INIT;
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&quot;", '"' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&apos;", '\'' },
	};

	hw_buf_puts(&b, "");
	for (size_t i = 0; i < n; ) {
		size_t k;

		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].ent);

			if (n - i >= el && strncmp(s + i, ents[k].ent, el) == 0) {
				hw_buf_add(&b, &ents[k].c, 1);
				i += el;
				break;
			}
		}
		if (k == sizeof(ents) / sizeof(ents[0]))
			hw_buf_add(&b, s + i++, 1);
	}
	return hw_buf_detach(&b);
}

/*
 * Parse one "<output a="v" .../>" at s into a new element; *len gets its
 * length.  NULL if s does not start well-formed output markup.
 */
static xmlNodePtr parse_output(xmlDocPtr doc, xmlNsPtr ns, const char *s, size_t *len)
{
	const char *p = s + 7;
	xmlNodePtr el = xmlNewDocNode(doc, ns, (const xmlChar *)"output", NULL);

	for (;;) {
		const char *name, *q;
		char *nm, *val;

		while (*p == ' ')
			p++;
		if (p[0] == '/' && p[1] == '>') {
			*len = (size_t)(p + 2 - s);
			return el;
		}
		name = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == ':')
			p++;
		if (p == name || p[0] != '=' || p[1] != '"')
			break;
		q = strchr(p + 2, '"');
		if (!q)
			break;
		{
			hw_buf b = HW_BUF_INIT;

			hw_buf_add(&b, name, (size_t)(p - name));
			nm = hw_buf_detach(&b);
		}
		val = attr_unescape(p + 2, (size_t)(q - p - 2));
		if (!nm || !val) {
			free(nm);
			free(val);
			break;
		}
		xmlNewProp(el, (const xmlChar *)nm, (const xmlChar *)val);
		free(nm);
		free(val);
		p = q + 1;
	}
	xmlFreeNode(el);
	return NULL;
}

/* Fill a <value> element with text and <output/> markup. */
static void fill_value(xmlNodePtr value, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *o = strstr(p, "<output ");
		xmlNodePtr out = NULL;
		size_t olen = 0;

		if (o)
			out = parse_output(value->doc, value->ns, o, &olen);
		if (o && !out) {
			/* Not markup after all: keep it as text, go on after it. */
			xmlNodeAddContentLen(value, (const xmlChar *)p, (int)(o + 1 - p));
			p = o + 1;
			continue;
		}
		if (!o) {
			xmlNodeAddContent(value, (const xmlChar *)p);
			break;
		}
		if (o > p)
			xmlNodeAddContentLen(value, (const xmlChar *)p, (int)(o - p));
		xmlAddChild(value, out);
		p = o + olen;
	}
}

/* Add a text node with indentation before a new child. */
static void indent(xmlNodePtr parent, int depth)
{
	char buf[64];
	int n = depth * 2 < 60 ? depth * 2 : 60;

	buf[0] = '\n';
	memset(buf + 1, ' ', (size_t)n);
	buf[n + 1] = '\0';
	xmlAddChild(parent, xmlNewDocText(parent->doc, (const xmlChar *)buf));
}

/* The original <text> element with this id in the English translation (for media values). */
static xmlNodePtr english_text(xmlNodePtr itext, const char *id)
{
	for (xmlNodePtr tr = itext->children; tr; tr = tr->next) {
		char *lang, *code;
		int en;

		if (!is_elem(tr, "translation"))
			continue;
		lang = attr(tr, "lang");
		code = lang_code(lang ? lang : "");
		en = code && strcmp(code, "en") == 0;
		free(lang);
		free(code);
		if (!en)
			continue;
		for (xmlNodePtr t = tr->children; t; t = t->next) {
			char *tid;
			int same;

			if (!is_elem(t, "text"))
				continue;
			tid = attr(t, "id");
			same = tid && strcmp(tid, id) == 0;
			free(tid);
			if (same)
				return t;
		}
	}
	return NULL;
}

/* Build one <translation> with every text; texts[i] is the text of the i-th id. */
static xmlNodePtr build_translation(xmlNodePtr itext, const formi18n_form *f, const char *name,
	int is_default, const char **texts, xmlNodePtr *media_src)
{
	xmlNodePtr tr = xmlNewDocNode(itext->doc, itext->ns, (const xmlChar *)"translation", NULL);

	xmlNewProp(tr, (const xmlChar *)"lang", (const xmlChar *)name);
	if (is_default)
		xmlNewProp(tr, (const xmlChar *)"default", (const xmlChar *)"true()");
	for (size_t i = 0; i < f->ntexts; i++) {
		xmlNodePtr t = xmlNewDocNode(itext->doc, itext->ns, (const xmlChar *)"text", NULL);
		xmlNodePtr v;

		xmlNewProp(t, (const xmlChar *)"id", (const xmlChar *)f->texts[i].id);
		indent(tr, 5);
		xmlAddChild(tr, t);
		if (texts[i] && *texts[i]) {
			v = xmlNewDocNode(itext->doc, itext->ns, (const xmlChar *)"value", NULL);
			indent(t, 6);
			xmlAddChild(t, v);
			fill_value(v, texts[i]);
		}
		for (xmlNodePtr m = media_src[i] ? media_src[i]->children : NULL; m; m = m->next) {
			xmlChar *form = is_elem(m, "value") ? xmlGetNoNsProp(m, (const xmlChar *)"form") : NULL;

			if (form) {
				indent(t, 6);
				xmlAddChild(t, xmlDocCopyNode(m, itext->doc, 1));
			}
			xmlFree(form);
		}
		indent(t, 5);
	}
	indent(tr, 4);
	return tr;
}

int formi18n_merge(char **out, size_t *out_len, formi18n_coverage *coverage,
	const formi18n_form *form, const formi18n_lang *langs, size_t nlangs,
	hw_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr itext, c, next;
	xmlNodePtr *media = NULL;
	const char **texts = NULL;
	formi18n_catalog *tmpl = NULL;
	xmlChar *mem = NULL;
	int memlen = 0, rc = HW_ERROR;
	hw_buf ctx = HW_BUF_INIT;
	size_t n = form->ntexts;

	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (coverage)
		for (size_t l = 0; l < nlangs; l++)
			memset(&coverage[l], 0, sizeof(coverage[l]));
	if ((rc = formi18n_catalog_from_form(&tmpl, form, NULL, err)) < 0)
		goto cleanup;
	rc = HW_ERROR;
	if (!(doc = xmlCopyDoc(form->doc, 1)))
		goto oom;
	itext = find_elem(xmlDocGetRootElement(doc), "itext");
	media = calloc(n + 1, sizeof(*media));
	texts = calloc(n + 1, sizeof(*texts));
	if (!itext || !media || !texts)
		goto oom;
	for (size_t i = 0; i < n; i++)
		media[i] = english_text(itext, form->texts[i].id);
	/* Keep the media values: copy them before removing the old translations. */
	for (size_t i = 0; i < n; i++)
		if (media[i])
			media[i] = xmlCopyNode(media[i], 1);
	for (c = itext->children; c; c = next) {
		next = c->next;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}

	for (size_t l = 0; l <= nlangs; l++) {
		const formi18n_catalog *po = l ? langs[l - 1].po : NULL;
		const char *code = l ? langs[l - 1].code : "en";

		for (int child = 0; child < 2; child++) {
			char *name = formi18n_language_name(code, child, po);

			if (!name)
				goto oom;
			for (size_t i = 0; i < n; i++) {
				const formi18n_text *t = &form->texts[i];
				const formi18n_entry *e = NULL, *ec = NULL;
				const formi18n_entry *tp, *tc;
				int st, bad = 0;

				if (!l) {
					texts[i] = child && t->child && *t->child ? t->child
						: (t->en ? t->en : t->child);
					continue;
				}
				hw_buf_printf(&ctx, "%s", t->id);
				tp = formi18n_catalog_find(tmpl, ctx.ptr);
				hw_buf_puts(&ctx, FORMI18N_CHILD_SUFFIX);
				tc = formi18n_catalog_find(tmpl, ctx.ptr);
				bad = hw_buf_oom(&ctx);   /* else a lost lookup would fall back to English */
				hw_buf_free(&ctx);
				if (tp)
					bad |= entry_state(tp, po, &e, &st) < 0;
				if (tc)
					bad |= entry_state(tc, po, &ec, &st) < 0;
				if (bad) {
					free(name);
					goto oom;
				}
				if (!child)
					texts[i] = e ? e->msgstr : (t->en ? t->en : t->child);
				else if (ec)
					texts[i] = ec->msgstr;
				else if (e)
					texts[i] = e->msgstr;
				else
					texts[i] = t->child && *t->child ? t->child : t->en;
			}
			indent(itext, 4);
			xmlAddChild(itext, build_translation(itext, form, name, !l && !child,
				texts, media));
			free(name);
		}
		if (l && coverage && formi18n_coverage_compute(&coverage[l - 1], tmpl, po, err) < 0)
			goto cleanup;
	}
	indent(itext, 3);
	xmlDocDumpMemoryEnc(doc, &mem, &memlen, "UTF-8");
	if (!mem)
		goto oom;
	if (!(*out = malloc((size_t)memlen + 1)))
		goto oom;
	memcpy(*out, mem, (size_t)memlen);
	(*out)[memlen] = '\0';
	if (out_len)
		*out_len = (size_t)memlen;
	rc = 0;
	goto cleanup;
oom:
	rc = hw_error_set(err, HW_ERROR, "out of memory");
cleanup:
	if (rc < 0 && coverage)
		for (size_t l = 0; l < nlangs; l++)
			formi18n_coverage_clear(&coverage[l]);
	for (size_t i = 0; media && i < n; i++)
		xmlFreeNode(media[i]);
	free(media);
	free(texts);
	xmlFree(mem);
	xmlFreeDoc(doc);
	formi18n_catalog_free(tmpl);
	return rc;
}
