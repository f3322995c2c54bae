/*
 * test_formi18n.c: form translation through gettext catalogues: extracting
 * a template, parsing PO files (and refusing bad ones with FILE:LINE),
 * coverage with fuzzy and missing entries, merging into a multilingual
 * XForm, and child wording in the shipped scripts.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "formi18n.h"
#include "util.h"

/* A small form with every kind of text: label, hint, choices, messages, output, media. */
static const char *FORM =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\"\n"
	"    xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:odk=\"http://www.opendatakit.org/xforms\">\n"
	"  <h:head>\n"
	"    <h:title>Tiny</h:title>\n"
	"    <model odk:xforms-version=\"1.0.0\">\n"
	"      <itext>\n"
	"        <translation lang=\"English (en)\" default=\"true()\">\n"
	"          <text id=\"name:label\"><value>What is your\n"
	"              name?</value></text>\n"
	"          <text id=\"name:hint\"><value>Ask gently &amp; wait.</value></text>\n"
	"          <text id=\"ok:label\"><value>Do you agree?</value></text>\n"
	"          <text id=\"ok:constraintMsg\"><value>Say \"yes\" or \"no\".</value></text>\n"
	"          <text id=\"yes_no-yes:label\"><value>Yes</value>"
	"<value form=\"image\">jr://images/yes.png</value></text>\n"
	"          <text id=\"yes_no-no:label\"><value>No</value></text>\n"
	"          <text id=\"bye:label\"><value>Goodbye <output value=\" /data/name \"/>!</value></text>\n"
	"        </translation>\n"
	"        <translation lang=\"English, for children (en-x-child)\">\n"
	"          <text id=\"ok:label\"><value>Is that OK for you?</value></text>\n"
	"        </translation>\n"
	"      </itext>\n"
	"      <instance><data id=\"tiny\" version=\"3\"><name/><ok/><bye/>"
	"<meta><instanceID/></meta></data></instance>\n"
	"      <bind nodeset=\"/data/ok\" type=\"string\" constraint=\". != ''\"\n"
	"        jr:constraintMsg=\"jr:itext('ok:constraintMsg')\"/>\n"
	"    </model>\n"
	"  </h:head>\n"
	"  <h:body>\n"
	"    <input ref=\"/data/name\"><label ref=\"jr:itext('name:label')\"/>"
	"<hint ref=\"jr:itext('name:hint')\"/></input>\n"
	"    <select1 ref=\"/data/ok\"><label ref=\"jr:itext('ok:label')\"/>\n"
	"      <item><label ref=\"jr:itext('yes_no-yes:label')\"/><value>yes</value></item>\n"
	"      <item><label ref=\"jr:itext('yes_no-no:label')\"/><value>no</value></item>\n"
	"    </select1>\n"
	"    <input ref=\"/data/bye\"><label ref=\"jr:itext('bye:label')\"/></input>\n"
	"  </h:body>\n"
	"</h:html>\n";

/* A Dutch catalogue: all translated, with a child text and multi-line strings. */
static const char *PO_NL =
	"# Dutch\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Language: nl\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\n"
	"msgctxt \"name:label\"\n"
	"msgid \"What is your name?\"\n"
	"msgstr \"Hoe \"\n"
	"\"heet u?\"\n"
	"\n"
	"msgctxt \"name:hint\"\n"
	"msgid \"Ask gently & wait.\"\n"
	"msgstr \"Vraag rustig & wacht.\"\n"
	"\n"
	"msgctxt \"ok:label\"\n"
	"msgid \"Do you agree?\"\n"
	"msgstr \"Gaat u akkoord?\"\n"
	"\n"
	"msgctxt \"ok:constraintMsg\"\n"
	"msgid \"Say \\\"yes\\\" or \\\"no\\\".\"\n"
	"msgstr \"Zeg \\\"ja\\\" of \\\"nee\\\".\"\n"
	"\n"
	"msgctxt \"yes_no-yes:label\"\n"
	"msgid \"Yes\"\n"
	"msgstr \"Ja\"\n"
	"\n"
	"msgctxt \"yes_no-no:label\"\n"
	"msgid \"No\"\n"
	"msgstr \"Nee\"\n"
	"\n"
	"msgctxt \"bye:label\"\n"
	"msgid \"Goodbye <output value=\\\" /data/name \\\"/>!\"\n"
	"msgstr \"Dag <output value=\\\" /data/name \\\"/>!\"\n"
	"\n"
	"msgctxt \"ok:label@child\"\n"
	"msgid \"Is that OK for you?\"\n"
	"msgstr \"Is dat goed voor jou?\"\n"
	"\n"
	"#~ msgctxt \"old:label\"\n"
	"#~ msgid \"Old\"\n"
	"#~ msgstr \"Oud\"\n";

/* Write text to a file in the test's temporary folder; returns the path (caller frees). */
static char *write_tmp(const char *name, const char *text)
{
	const char *dir = getenv("HOMEWARD_TEST_TMP");
	char *path = hw_path_join(dir ? dir : "/tmp", name);
	FILE *fp;

	cr_assert_not_null(path);
	fp = fopen(path, "w");

	cr_assert_not_null(fp, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load the tiny form. */
static formi18n_form *load_tiny(void)
{
	char *path = write_tmp("tiny.xml", FORM);
	formi18n_form *f = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(formi18n_form_load(&f, path, &err), 0, "%s", err.msg);
	free(path);
	return f;
}

/* Parse a PO text or fail the test. */
static formi18n_catalog *parse(const char *name, const char *text)
{
	formi18n_catalog *cat = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(formi18n_po_parse(&cat, name, text, strlen(text), &err), 0, "%s", err.msg);
	return cat;
}

/* The string value of an XPath over the merged document (caller frees). */
static char *xpath_str(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj;
	char *s;

	xmlXPathRegisterNs(ctx, (const xmlChar *)"x", (const xmlChar *)"http://www.w3.org/2002/xforms");
	obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	cr_assert_not_null(obj, "bad xpath %s", expr);
	{
		xmlChar *v = xmlXPathCastToString(obj);

		s = strdup((const char *)v);
		xmlFree(v);
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return s;
}

/* Assert that XPath expr over doc has the string value want. */
static void expect_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xpath_str(doc, expr);

	cr_expect_str_eq(got, want, "%s", expr);
	free(got);
}

Test(formi18n, reads_itext_with_kinds_and_folded_space)
{
	formi18n_form *f = load_tiny();
	const formi18n_text *t;

	cr_assert_str_eq(formi18n_form_id(f), "tiny");
	cr_assert_str_eq(formi18n_form_version(f), "3");
	cr_assert_eq(formi18n_form_count(f), 7);
	t = formi18n_form_text(f, 0);
	cr_expect_str_eq(t->id, "name:label");
	cr_expect_str_eq(t->en, "What is your name?");
	cr_expect_eq(t->kind, FORMI18N_LABEL);
	cr_expect_str_eq(t->control, "/data/name");
	cr_expect_null(t->child);
	cr_expect_eq(formi18n_form_text(f, 1)->kind, FORMI18N_HINT);
	t = formi18n_form_text(f, 2);
	cr_expect_str_eq(t->child, "Is that OK for you?");
	cr_expect_eq(formi18n_form_text(f, 3)->kind, FORMI18N_CONSTRAINT);
	t = formi18n_form_text(f, 4);
	cr_expect_eq(t->kind, FORMI18N_CHOICE);
	cr_expect_str_eq(t->choice_value, "yes");
	cr_expect_str_eq(t->en, "Yes");
	cr_expect_str_eq(formi18n_form_text(f, 6)->en, "Goodbye <output value=\" /data/name \"/>!");
	formi18n_form_free(f);
}

Test(formi18n, template_round_trips_through_po_text)
{
	formi18n_form *f = load_tiny();
	formi18n_catalog *pot = NULL, *back;
	hw_error err = { 0, "" };
	char *text = NULL;

	cr_assert_eq(formi18n_catalog_from_form(&pot, f, "data/forms/tiny.xml", &err), 0, "%s", err.msg);
	/* 7 English texts and one child text. */
	cr_assert_eq(formi18n_catalog_count(pot), 8);
	cr_assert_eq(formi18n_po_write(&text, pot, &err), 0);
	cr_expect_not_null(strstr(text, "msgctxt \"ok:label@child\"\nmsgid \"Is that OK for you?\"\n"));
	cr_expect_not_null(strstr(text, "#. Choice \"yes\" of the question /data/ok."));
	cr_expect_not_null(strstr(text, "#: data/forms/tiny.xml:9\n"));
	cr_expect_not_null(strstr(text, "Child wording"));
	cr_expect_not_null(strstr(text, "msgid \"Say \\\"yes\\\" or \\\"no\\\".\""));
	back = parse("tiny.pot", text);
	cr_assert_eq(formi18n_catalog_count(back), 8);
	for (size_t i = 0; i < 8; i++) {
		const formi18n_entry *a = formi18n_catalog_entry(pot, i);
		const formi18n_entry *b = formi18n_catalog_entry(back, i);

		cr_expect_str_eq(a->ctxt, b->ctxt);
		cr_expect_str_eq(a->msgid, b->msgid);
		cr_expect_str_eq(b->msgstr, "");
	}
	{
		char *v = formi18n_catalog_header(back, "X-Homeward-Form");

		cr_expect_str_eq(v, "tiny");
		free(v);
	}
	free(text);
	formi18n_catalog_free(back);
	formi18n_catalog_free(pot);
	formi18n_form_free(f);
}

Test(formi18n, po_strings_escapes_and_obsolete_entries)
{
	formi18n_catalog *po = parse("nl.po", PO_NL);
	const formi18n_entry *e;
	char *lang = formi18n_catalog_header(po, "Language");

	cr_expect_str_eq(lang, "nl");
	free(lang);
	cr_assert_eq(formi18n_catalog_count(po), 8);
	e = formi18n_catalog_find(po, "name:label");
	cr_assert_not_null(e);
	cr_expect_str_eq(e->msgstr, "Hoe heet u?");
	cr_expect_eq(e->line, 7);
	e = formi18n_catalog_find(po, "ok:constraintMsg");
	cr_expect_str_eq(e->msgstr, "Zeg \"ja\" of \"nee\".");
	cr_expect_null(formi18n_catalog_find(po, "old:label"));
	formi18n_catalog_free(po);

	po = parse("esc.po", "msgid \"a\\tb\\nc\\\\\\101\\x42\"\nmsgstr \"\"\n\"x\"\n");
	cr_expect_str_eq(formi18n_catalog_entry(po, 0)->msgid, "a\tb\nc\\AB");
	cr_expect_str_eq(formi18n_catalog_entry(po, 0)->msgstr, "x");
	formi18n_catalog_free(po);
}

/* Parse bad PO text and expect an error naming the file and line. */
static void expect_po_error(const char *text, const char *where, const char *what)
{
	formi18n_catalog *cat = NULL;
	hw_error err = { 0, "" };

	cr_expect_eq(formi18n_po_parse(&cat, "bad.po", text, strlen(text), &err), HW_EINVALID,
		"accepted: %s", text);
	cr_expect_null(cat);
	cr_expect_not_null(strstr(err.msg, where), "message '%s' lacks '%s'", err.msg, where);
	cr_expect_not_null(strstr(err.msg, what), "message '%s' lacks '%s'", err.msg, what);
}

Test(formi18n, bad_po_input_names_file_and_line)
{
	expect_po_error("msgid \"a\"\nmsgstr \"b\n", "bad.po:2:", "unterminated");
	expect_po_error("msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"b\"\n", "bad.po:2:", "plural");
	expect_po_error("\nmsgstr \"b\"\n", "bad.po:2:", "without msgid");
	expect_po_error("msgctxt \"c\"\nmsgid \"a\"\n\nmsgid \"z\"\nmsgstr \"\"\n", "bad.po:1:",
		"without msgstr");
	expect_po_error("msgctxt \"c\"\nmsgid \"a\"\nmsgstr \"b\"\n\nmsgctxt \"c\"\nmsgid \"a\"\n"
		"msgstr \"d\"\n", "bad.po:5:", "duplicate");
	expect_po_error("msgid \"a\\q\"\nmsgstr \"\"\n", "bad.po:1:", "escape");
	expect_po_error("msgid \"a\"\nmsgstr \"b\"\nnonsense\n", "bad.po:3:", "unexpected");
	expect_po_error("msgid \"a\" x\nmsgstr \"b\"\n", "bad.po:1:", "after the closing quote");
	expect_po_error("msgid \"a\"\nmsgstr \"\xff\"\n", "bad.po:2:", "UTF-8");
	expect_po_error("\"a\"\n", "bad.po:1:", "outside");
}

Test(formi18n, bad_forms_name_file_and_line)
{
	char *path = write_tmp("broken.xml", "<h:html xmlns:h=\"x\">\n<h:head>\n</h:html>\n");
	formi18n_form *f = NULL;
	hw_error err = { 0, "" };
	char *other;
	const char *p;

	cr_expect_eq(formi18n_form_load(&f, path, &err), HW_EINVALID);
	cr_expect_not_null(strstr(err.msg, "broken.xml:4:"), "%s", err.msg);
	free(path);

	/* A third language in a source form is refused: translations come from PO files. */
	p = strstr(FORM, "English, for children (en-x-child)");
	other = malloc(strlen(FORM) + 16);
	cr_assert_not_null(other);
	sprintf(other, "%.*sFrançais (fr)%s", (int)(p - FORM), FORM,
		p + strlen("English, for children (en-x-child)"));
	path = write_tmp("three.xml", other);
	cr_expect_eq(formi18n_form_load(&f, path, &err), HW_EINVALID);
	cr_expect_not_null(strstr(err.msg, "three.xml:18:"), "%s", err.msg);
	free(path);
	free(other);
}

Test(formi18n, coverage_counts_fuzzy_missing_outdated_and_broken_markup)
{
	formi18n_form *f = load_tiny();
	formi18n_catalog *pot = NULL, *po;
	formi18n_coverage cov = FORMI18N_COVERAGE_INIT;
	hw_error err = { 0, "" };
	const char *bad =
		"msgctxt \"name:label\"\nmsgid \"What is your name?\"\nmsgstr \"Hoe heet u?\"\n\n"
		"#, fuzzy, c-format\nmsgctxt \"name:hint\"\nmsgid \"Ask gently & wait.\"\nmsgstr \"Vraag.\"\n\n"
		"msgctxt \"ok:label\"\nmsgid \"Do you agree?\"\nmsgstr \"\"\n\n"
		"msgctxt \"yes_no-yes:label\"\nmsgid \"Yes!\"\nmsgstr \"Ja!\"\n\n"
		"msgctxt \"bye:label\"\nmsgid \"Goodbye <output value=\\\" /data/name \\\"/>!\"\n"
		"msgstr \"Dag!\"\n";

	cr_assert_eq(formi18n_catalog_from_form(&pot, f, NULL, &err), 0);
	po = parse("bad.po", bad);
	cr_assert_eq(formi18n_coverage_compute(&cov, pot, po, &err), 0);
	cr_expect_eq(cov.total, 8);
	cr_expect_eq(cov.translated, 1);
	/* fuzzy flag, English changed ("Yes" -> "Yes!"), <output/> dropped. */
	cr_expect_eq(cov.fuzzy, 3);
	cr_expect_str_eq(cov.fuzzy_ids[0], "name:hint");
	cr_expect_str_eq(cov.fuzzy_ids[1], "yes_no-yes:label");
	cr_expect_str_eq(cov.fuzzy_ids[2], "bye:label");
	/* empty msgstr and absent entries. */
	cr_expect_eq(cov.missing, 4);
	cr_expect_str_eq(cov.missing_ids[0], "ok:label");
	cr_expect_str_eq(cov.missing_ids[1], "ok:label@child");
	cr_expect_eq(cov.child_total, 1);
	cr_expect_eq(cov.child_translated, 0);
	formi18n_coverage_clear(&cov);

	/* No catalogue at all: everything missing. */
	cr_assert_eq(formi18n_coverage_compute(&cov, pot, NULL, &err), 0);
	cr_expect_eq(cov.missing, 8);
	formi18n_coverage_clear(&cov);
	formi18n_catalog_free(po);

	po = parse("nl.po", PO_NL);
	cr_assert_eq(formi18n_coverage_compute(&cov, pot, po, &err), 0);
	cr_expect_eq(cov.translated, 8);
	cr_expect_eq(cov.child_translated, 1);
	formi18n_coverage_clear(&cov);
	formi18n_catalog_free(po);
	formi18n_catalog_free(pot);
	formi18n_form_free(f);
}

Test(formi18n, merge_builds_every_language_with_child_variants_and_fallbacks)
{
	formi18n_form *f = load_tiny();
	formi18n_catalog *nl = parse("nl.po", PO_NL);
	formi18n_catalog *fr = parse("fr.po",
		"msgid \"\"\nmsgstr \"X-Language-Name: Frans\\n\"\n\n"
		"msgctxt \"ok:label\"\nmsgid \"Do you agree?\"\nmsgstr \"Êtes-vous d'accord ?\"\n\n"
		"#, fuzzy\nmsgctxt \"yes_no-no:label\"\nmsgid \"No\"\nmsgstr \"Nope\"\n");
	formi18n_lang langs[] = { { "nl", nl }, { "fr", fr }, { "ar", NULL } };
	formi18n_coverage cov[3];
	hw_error err = { 0, "" };
	char *xml = NULL;
	size_t len = 0;
	xmlDocPtr doc;

	cr_assert_eq(formi18n_merge(&xml, &len, cov, f, langs, 3, &err), 0, "%s", err.msg);
	cr_assert_eq(len, strlen(xml));
	doc = xmlReadMemory(xml, (int)len, "merged.xml", NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "merged form is not XML");
	expect_xpath(doc, "count(//x:itext/x:translation)", "8");
	expect_xpath(doc, "//x:translation[1]/@lang", "English (en)");
	expect_xpath(doc, "//x:translation[1]/@default", "true()");
	expect_xpath(doc, "//x:translation[2]/@lang", "English, for children (en-x-child)");
	expect_xpath(doc, "//x:translation[4]/@lang", "Nederlands, voor kinderen (nl-x-child)");
	expect_xpath(doc, "//x:translation[5]/@lang", "Frans (fr)");
	expect_xpath(doc, "//x:translation[7]/@lang", "العربية (ar)");
	/* Every translation has every id. */
	expect_xpath(doc, "count(//x:translation/x:text)", "56");
	/* Child wording where it exists, the plain text elsewhere. */
	expect_xpath(doc, "//x:translation[2]/x:text[@id='ok:label']/x:value", "Is that OK for you?");
	expect_xpath(doc, "//x:translation[2]/x:text[@id='name:label']/x:value", "What is your name?");
	expect_xpath(doc, "//x:translation[3]/x:text[@id='name:label']/x:value", "Hoe heet u?");
	expect_xpath(doc, "//x:translation[3]/x:text[@id='name:hint']/x:value", "Vraag rustig & wacht.");
	expect_xpath(doc, "//x:translation[4]/x:text[@id='ok:label']/x:value", "Is dat goed voor jou?");
	expect_xpath(doc, "//x:translation[4]/x:text[@id='yes_no-no:label']/x:value", "Nee");
	/* The output element survives as an element. */
	expect_xpath(doc, "//x:translation[3]/x:text[@id='bye:label']/x:value/x:output/@value",
		" /data/name ");
	expect_xpath(doc, "string(//x:translation[3]/x:text[@id='bye:label']/x:value)", "Dag !");
	/* Media values are copied to every language. */
	expect_xpath(doc, "count(//x:text[@id='yes_no-yes:label']/x:value[@form='image'])", "8");
	/* French: translated plain text; the child variant falls back to it, not to English. */
	expect_xpath(doc, "//x:translation[5]/x:text[@id='ok:label']/x:value", "Êtes-vous d'accord ?");
	expect_xpath(doc, "//x:translation[6]/x:text[@id='ok:label']/x:value", "Êtes-vous d'accord ?");
	/* A fuzzy entry is not used. */
	expect_xpath(doc, "//x:translation[5]/x:text[@id='yes_no-no:label']/x:value", "No");
	/* No catalogue: English, and English child wording. */
	expect_xpath(doc, "//x:translation[7]/x:text[@id='ok:label']/x:value", "Do you agree?");
	expect_xpath(doc, "//x:translation[8]/x:text[@id='ok:label']/x:value", "Is that OK for you?");
	/* The rest of the form is untouched. */
	expect_xpath(doc, "//x:bind/@constraint", ". != ''");
	expect_xpath(doc, "//x:instance/x:data/@id", "tiny");

	cr_expect_eq(cov[0].translated, 8);
	cr_expect_eq(cov[1].translated, 1);
	cr_expect_eq(cov[1].fuzzy, 1);
	cr_expect_eq(cov[1].missing, 6);
	cr_expect_eq(cov[2].missing, 8);
	for (int i = 0; i < 3; i++)
		formi18n_coverage_clear(&cov[i]);
	xmlFreeDoc(doc);
	free(xml);
	formi18n_catalog_free(nl);
	formi18n_catalog_free(fr);
	formi18n_form_free(f);
}

Test(formi18n, language_names)
{
	char *s = formi18n_language_name("fr", 1, NULL);

	cr_expect_str_eq(s, "Français, pour les enfants (fr-x-child)");
	free(s);
	s = formi18n_language_name("fa", 0, NULL);
	cr_expect_str_eq(s, "فارسی (fa)");
	free(s);
	s = formi18n_language_name("xx", 0, NULL);
	cr_expect_str_eq(s, "xx (xx)");
	free(s);
}

/* Scripts 1, 3 and 4 speak to children: their source forms carry child wording. */
Test(formi18n, shipped_child_forms_have_child_wording)
{
	static const char *forms[] = { "first-contact", "needs-assessment", "child-best-interests" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char name[256];
		char *path;
		formi18n_form *f = NULL;
		hw_error err = { 0, "" };
		size_t child = 0, labels = 0;

		snprintf(name, sizeof(name), "data/forms/%s.xml", forms[i]);
		path = hw_path_join(TOP_SRCDIR, name);
		if (!hw_exists(path)) {   /* not written yet */
			free(path);
			continue;
		}
		cr_assert_eq(formi18n_form_load(&f, path, &err), 0, "%s", err.msg);
		for (size_t k = 0; k < formi18n_form_count(f); k++) {
			const formi18n_text *t = formi18n_form_text(f, k);

			labels += t->kind == FORMI18N_LABEL;
			if (t->child) {
				child++;
				cr_expect_not_null(t->en, "%s: %s has child wording only", name, t->id);
				cr_expect_neq(t->kind, FORMI18N_HINT,
					"%s: %s: hints are for the counsellor, not the child", name, t->id);
			}
		}
		/* At least a third of the labels have child wording. */
		cr_expect_geq(child * 3, labels, "%s: %zu child texts for %zu labels", name, child, labels);
		formi18n_form_free(f);
		free(path);
	}
}
