/* test_xform.c: unit tests of the XForms engine (load errors, graph, texts, values, submission). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"
#include "xform/xform.h"

#define HEAD \
	"<?xml version=\"1.0\"?>\n" \
	"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\"\n" \
	" xmlns:jr=\"http://openrosa.org/javarosa\">\n" \
	"<h:head><h:title>T</h:title><model>\n"

/* Write text to a fresh file in the test's temporary folder; returns its path (static buffer). */
static const char *write_form(const char *name, const char *text)
{
	static char path[4096];
	const char *dir = getenv("HOMEWARD_TEST_TMP");
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text as a form, expecting success. */
static xform *load_ok(const char *text)
{
	hw_error err = { 0, "" };
	xform *f = NULL;
	int rc = xform_load(&f, write_form("ok.xml", text), &err);

	cr_assert_eq(rc, 0, "load failed: %s", err.msg);
	return f;
}

static xform_session *start(const xform *f, int minor)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	xform_session *s = NULL;
	hw_error err = { 0, "" };

	o.minor = minor;
	o.now = 1764000000;
	cr_assert_eq(xform_session_new(&s, f, &o, &err), 0, "%s", err.msg);
	return s;
}

struct load_case {
	const char *name;
	const char *xml;
	const char *want;   /* substring of the message */
	int line;           /* expected line, 0 to skip */
};

static const struct load_case load_cases[] = {
	{ "unknown function",
	  HEAD "<instance><d id=\"x\"><a/></d></instance>\n"
	  "<bind nodeset=\"/d/a\" calculate=\"nope(1)\"/>\n"
	  "</model></h:head><h:body/></h:html>\n", "nope", 6 },
	{ "cycle of two",
	  HEAD "<instance><d id=\"x\"><a/><b/></d></instance>\n"
	  "<bind nodeset=\"/d/a\" calculate=\"/d/b + 1\"/>\n"
	  "<bind nodeset=\"/d/b\" calculate=\"/d/a + 1\"/>\n"
	  "</model></h:head><h:body/></h:html>\n", "cycle: /d/", 0 },
	{ "self cycle",
	  HEAD "<instance><d id=\"x\"><a/></d></instance>\n"
	  "<bind nodeset=\"/d/a\" calculate=\". + 1\"/>\n"
	  "</model></h:head><h:body/></h:html>\n", "cycle: /d/a -> /d/a", 6 },
	{ "empty select",
	  HEAD "<instance><d id=\"x\"><a/></d></instance>\n"
	  "</model></h:head><h:body>\n"
	  "<select1 ref=\"/d/a\"><label>First</label></select1>\n"
	  "</h:body></h:html>\n", "has no choices", 7 },
	{ "syntax error",
	  HEAD "<instance><d id=\"x\"><a/></d></instance>\n"
	  "<bind nodeset=\"/d/a\" relevant=\"1 +\"/>\n"
	  "</model></h:head><h:body/></h:html>\n", "relevant of /d/a", 6 },
	{ "not XML",
	  HEAD "<instance><d id=\"x\"><a></d></instance>\n", "XML", 0 },
	{ "no model",
	  "<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:head/></h:html>", "model", 0 },
	{ "missing external instance",
	  HEAD "<instance><d id=\"x\"><a/></d></instance>\n"
	  "<instance id=\"c\" src=\"jr://file/nothere.csv\"/>\n"
	  "</model></h:head><h:body/></h:html>\n", "nothere.csv", 6 },
};

Test(xform_load, errors_name_file_line_and_problem)
{
	size_t i;

	for (i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
		const struct load_case *c = &load_cases[i];
		hw_error err = { 0, "" };
		xform *f = NULL;
		const char *path = write_form("bad.xml", c->xml);
		char where[4200];

		cr_expect_lt(xform_load(&f, path, &err), 0, "%s: loaded", c->name);
		cr_expect_null(f);
		cr_expect(strstr(err.msg, c->want) != NULL, "%s: message '%s' lacks '%s'", c->name,
			  err.msg, c->want);
		cr_expect(strncmp(err.msg, path, strlen(path)) == 0, "%s: no file in '%s'", c->name, err.msg);
		if (c->line) {
			snprintf(where, sizeof(where), "%s:%d:", path, c->line);
			cr_expect(strncmp(err.msg, where, strlen(where)) == 0, "%s: '%s' not at line %d",
				  c->name, err.msg, c->line);
		}
		xform_free(f);
	}
}

static void count_warnings(const char *file, int line, int sev, const char *msg, void *payload)
{
	if (sev == XFORM_WARNING && strstr(msg, "nosuch"))
		(*(int *)payload)++;
}

Test(xform_load, missing_itext_is_a_warning_and_shows_the_id)
{
	xform_load_options o = XFORM_LOAD_OPTIONS_INIT;
	hw_error err = { 0, "" };
	xform *f = NULL;
	xform_session *s;
	int warnings = 0;
	char *label = NULL;

	o.diag = count_warnings;
	o.payload = &warnings;
	cr_assert_eq(xform_load_ext(&f, write_form("w.xml", HEAD
		"<itext><translation lang=\"English (en)\"><text id=\"a\"><value>A</value></text>"
		"</translation></itext>\n"
		"<instance><d id=\"x\"><a/></d></instance>\n"
		"</model></h:head><h:body><input ref=\"/d/a\"><label ref=\"jr:itext('nosuch')\"/></input>"
		"</h:body></h:html>\n"), &o, &err), 0, "%s", err.msg);
	cr_expect_eq(warnings, 1);
	s = start(f, 0);
	cr_assert_eq(xform_label(&label, s, "/d/a", &err), 0);
	cr_expect_str_eq(label, "nosuch");
	free(label);
	xform_session_free(s);
	xform_free(f);
}

#define GRAPH_FORM HEAD \
	"<instance><d id=\"g\"><a/><b/><c1/><c2/><c3/><r/></d></instance>\n" \
	"<bind nodeset=\"/d/a\" type=\"int\"/>\n" \
	"<bind nodeset=\"/d/b\" type=\"int\"/>\n" \
	"<bind nodeset=\"/d/c2\" calculate=\"/d/c1 * 2\"/>\n" \
	"<bind nodeset=\"/d/c1\" calculate=\"/d/a + 1\"/>\n" \
	"<bind nodeset=\"/d/c3\" calculate=\"/d/b + 1\"/>\n" \
	"<bind nodeset=\"/d/r\" relevant=\"/d/c2 &gt; 4\"/>\n" \
	"</model></h:head><h:body><input ref=\"/d/a\"><label>A</label></input>" \
	"<input ref=\"/d/b\"><label>B</label></input><input ref=\"/d/r\"><label>R</label></input>" \
	"</h:body></h:html>\n"

Test(xform_graph, an_answer_recomputes_only_what_depends_on_it)
{
	xform *f = load_ok(GRAPH_FORM);
	xform_session *s = start(f, 0);
	hw_error err = { 0, "" };
	unsigned long before;
	const char *v;
	xform_node_state st;

	before = xform_eval_count(s);
	cr_assert_eq(xform_answer(s, "/d/a", "2", &err), 0, "%s", err.msg);
	/* c1, c2 and r's relevance: three evaluations, c3 untouched. */
	cr_expect_eq(xform_eval_count(s) - before, 3);
	xform_value(&v, s, "/d/c2", &err);
	cr_expect_str_eq(v, "6");
	xform_state(&st, s, "/d/r", &err);
	cr_expect(st.relevant);
	before = xform_eval_count(s);
	cr_assert_eq(xform_answer(s, "/d/b", "1", &err), 0);
	cr_expect_eq(xform_eval_count(s) - before, 1);
	xform_value(&v, s, "/d/c3", &err);
	cr_expect_str_eq(v, "2");
	/* The same answer again changes nothing and computes nothing. */
	before = xform_eval_count(s);
	cr_assert_eq(xform_answer(s, "/d/b", "1", &err), 0);
	cr_expect_eq(xform_eval_count(s) - before, 0);
	xform_session_free(s);
	xform_free(f);
}

#define LANG_FORM HEAD \
	"<itext>\n" \
	"<translation lang=\"English (en)\"><text id=\"q\"><value>Where will you live?</value></text>" \
	"<text id=\"h\"><value>Town or village</value></text></translation>\n" \
	"<translation lang=\"English, for children (en-x-child)\" default=\"\">" \
	"<text id=\"q\"><value>Where will your home be?</value></text></translation>\n" \
	"<translation lang=\"Dari\"><text id=\"q\"><value>D</value></text></translation>\n" \
	"</itext>\n" \
	"<instance><d id=\"l\"><q/></d></instance>\n" \
	"</model></h:head><h:body><input ref=\"/d/q\"><label ref=\"jr:itext('q')\"/>" \
	"<hint ref=\"jr:itext('h')\"/></input></h:body></h:html>\n"

Test(xform_text, languages_codes_and_child_variant)
{
	xform *f = load_ok(LANG_FORM);
	xform_session *s;
	hw_error err = { 0, "" };
	char *t = NULL;

	cr_assert_eq(xform_language_count(f), 3);
	cr_expect_str_eq(xform_language_code(f, 0), "en");
	cr_expect_str_eq(xform_language_name(f, 0), "English (en)");
	cr_expect_str_eq(xform_language_code(f, 1), "en-x-child");
	cr_expect_str_eq(xform_language_code(f, 2), "Dari");
	cr_expect_str_eq(xform_default_language(f), "en-x-child");

	s = start(f, 1);   /* a minor */
	cr_assert_eq(xform_set_language(s, "en", &err), 0);
	xform_label(&t, s, "/d/q", &err);
	cr_expect_str_eq(t, "Where will your home be?");
	free(t);
	/* The child variant lacks the hint: the plain language gives it. */
	xform_hint(&t, s, "/d/q", &err);
	cr_expect_str_eq(t, "Town or village");
	free(t);
	xform_set_minor(s, 0);
	xform_label(&t, s, "/d/q", &err);
	cr_expect_str_eq(t, "Where will you live?");
	free(t);
	cr_expect_eq(xform_set_language(s, "Dari", &err), 0);
	xform_label(&t, s, "/d/q", &err);
	cr_expect_str_eq(t, "D");
	free(t);
	cr_expect_eq(xform_set_language(s, "xx", &err), HW_ENOTFOUND);
	xform_session_free(s);
	xform_free(f);
}

#define BILINGUAL_FORM HEAD \
	"<itext>\n" \
	"<translation lang=\"English (en)\" default=\"\"><text id=\"q\"><value>Where?</value></text>" \
	"<text id=\"h\"><value>Town</value></text><text id=\"c\"><value>Too short</value></text>" \
	"<text id=\"r\"><value>Say where</value></text><text id=\"n\"><value>You said <output value=\"/d/q\"/></value></text>" \
	"<text id=\"y\"><value>Yes</value></text></translation>\n" \
	"<translation lang=\"Dari (prs)\"><text id=\"q\"><value>Koja?</value></text>" \
	"<text id=\"h\"><value>Shahr</value></text><text id=\"c\"><value>Kotah</value></text>" \
	"<text id=\"r\"><value>Begoyed</value></text><text id=\"n\"><value>Goftid <output value=\"/d/q\"/></value></text>" \
	"<text id=\"y\"><value>Bale</value></text></translation>\n" \
	"</itext>\n" \
	"<instance><d id=\"b\"><q/><t/><s/><n/></d></instance>\n" \
	"<bind nodeset=\"/d/q\" required=\"true()\" constraint=\"string-length(.) &gt; 2\"" \
	" jr:constraintMsg=\"jr:itext('c')\" jr:requiredMsg=\"jr:itext('r')\"/>\n" \
	"<bind nodeset=\"/d/t\" calculate=\"jr:itext('y')\"/>\n" \
	"<bind nodeset=\"/d/n\" readonly=\"true()\"/>\n" \
	"</model></h:head><h:body><input ref=\"/d/q\"><label ref=\"jr:itext('q')\"/>" \
	"<hint ref=\"jr:itext('h')\"/></input>" \
	"<select1 ref=\"/d/s\"><label>S</label><item><label ref=\"jr:itext('y')\"/><value>y</value></item></select1>" \
	"<input ref=\"/d/n\"><label ref=\"jr:itext('n')\"/></input>" \
	"</h:body></h:html>\n"

/* The bilingual view reads texts in a second language: the session's language stays. */
Test(xform_text, texts_in_another_language_change_nothing)
{
	xform *f = load_ok(BILINGUAL_FORM);
	xform_session *s = start(f, 0);
	xform_choice_list *cl = NULL;
	hw_error err = { 0, "" };
	unsigned long before;
	const char *v;
	char *t = NULL;

	cr_assert_eq(xform_answer(s, "/d/q", "Herat", &err), 0, "%s", err.msg);
	before = xform_eval_count(s);
	cr_assert_eq(xform_label_lang(&t, s, "/d/q", "prs", &err), 0, "%s", err.msg);
	cr_expect_str_eq(t, "Koja?");
	free(t);
	cr_assert_eq(xform_text_lang(&t, s, "/d/q", XFORM_TEXT_HINT, "Dari (prs)", &err), 0);
	cr_expect_str_eq(t, "Shahr");
	free(t);
	cr_assert_eq(xform_text_lang(&t, s, "/d/q", XFORM_TEXT_CONSTRAINT, "prs", &err), 0);
	cr_expect_str_eq(t, "Kotah");
	free(t);
	cr_assert_eq(xform_text_lang(&t, s, "/d/q", XFORM_TEXT_REQUIRED, "prs", &err), 0);
	cr_expect_str_eq(t, "Begoyed");
	free(t);
	/* Outputs are substituted in the other language's text. */
	cr_assert_eq(xform_label_lang(&t, s, "/d/n", "prs", &err), 0);
	cr_expect_str_eq(t, "Goftid Herat");
	free(t);
	cr_assert_eq(xform_choices_lang(&cl, s, "/d/s", "prs", &err), 0, "%s", err.msg);
	cr_assert_eq(cl->count, 1);
	cr_expect_str_eq(cl->items[0].value, "y");
	cr_expect_str_eq(cl->items[0].label, "Bale");
	xform_choice_list_free(cl);
	/* A question without a hint gives "", NULL is the session's language. */
	cr_assert_eq(xform_text_lang(&t, s, "/d/s", XFORM_TEXT_HINT, "prs", &err), 0);
	cr_expect_str_eq(t, "");
	free(t);
	cr_assert_eq(xform_label_lang(&t, s, "/d/q", NULL, &err), 0);
	cr_expect_str_eq(t, "Where?");
	free(t);
	cr_expect_eq(xform_label_lang(&t, s, "/d/q", "xx", &err), HW_ENOTFOUND);
	cr_expect_null(t);
	cr_expect_eq(xform_label_lang(&t, s, "/d/nope", "prs", &err), HW_ENOTFOUND);

	/* Nothing was switched or recomputed. */
	cr_expect_str_eq(xform_language(s), "en");
	cr_expect_eq(xform_eval_count(s), before);
	xform_value(&v, s, "/d/t", &err);
	cr_expect_str_eq(v, "Yes");
	xform_label(&t, s, "/d/q", &err);
	cr_expect_str_eq(t, "Where?");
	free(t);
	xform_session_free(s);
	xform_free(f);
}

#define ITEMSET_LANG_FORM HEAD \
	"<itext>\n" \
	"<translation lang=\"English (en)\" default=\"\"><text id=\"q\"><value>Offer</value></text></translation>\n" \
	"<translation lang=\"Dari (prs)\"><text id=\"q\"><value>Komak</value></text></translation>\n" \
	"</itext>\n" \
	"<instance><d id=\"i\"><o/></d></instance>\n" \
	"<instance id=\"offers\"><root>" \
	"<item><name>cash</name><label>Cash grant</label><label_prs>Komak naqdi</label_prs></item>" \
	"<item><name>job</name><label>Job training</label><label_prs></label_prs></item>" \
	"</root></instance>\n" \
	"</model></h:head><h:body><select1 ref=\"/d/o\"><label ref=\"jr:itext('q')\"/>" \
	"<itemset nodeset=\"instance('offers')/root/item\"><value ref=\"name\"/><label ref=\"label\"/></itemset>" \
	"</select1></h:body></h:html>\n"

/* The bilingual view of a list read from a data file: its translated column, without switching. */
Test(xform_text, itemset_choices_in_another_language)
{
	xform *f = load_ok(ITEMSET_LANG_FORM);
	xform_session *s = start(f, 0);
	xform_choice_list *cl = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(xform_choices_lang(&cl, s, "/d/o", "prs", &err), 0, "%s", err.msg);
	cr_assert_eq(cl->count, 2);
	cr_expect_str_eq(cl->items[0].value, "cash");
	cr_expect_str_eq(cl->items[0].label, "Komak naqdi");
	cr_expect_str_eq(cl->items[1].label, "Job training");   /* no translation: as written */
	xform_choice_list_free(cl);
	cr_assert_eq(xform_choices(&cl, s, "/d/o", &err), 0, "%s", err.msg);
	cr_expect_str_eq(cl->items[0].label, "Cash grant");
	xform_choice_list_free(cl);
	cr_expect_str_eq(xform_language(s), "en");
	xform_session_free(s);
	xform_free(f);
}

#define TYPES_FORM HEAD \
	"<instance><d id=\"t\"><i/><n/><dt/><tm/><dtm/><s/></d></instance>\n" \
	"<bind nodeset=\"/d/i\" type=\"int\"/><bind nodeset=\"/d/n\" type=\"decimal\"/>" \
	"<bind nodeset=\"/d/dt\" type=\"date\"/><bind nodeset=\"/d/tm\" type=\"time\"/>" \
	"<bind nodeset=\"/d/dtm\" type=\"dateTime\"/>\n" \
	"</model></h:head><h:body><select ref=\"/d/s\"><label>S</label>" \
	"<item><label>A</label><value>a</value></item><item><label>B</label><value>b</value></item>" \
	"</select></h:body></h:html>\n"

Test(xform_values, typed_answers_are_checked)
{
	static const struct { const char *path, *value, *stored, *msg; } cases[] = {
		{ "/d/i", "42", "42", NULL },
		{ "/d/i", " -7 ", "-7", NULL },
		{ "/d/i", "4.5", NULL, "not a whole number" },
		{ "/d/i", "abc", NULL, "not a whole number" },
		{ "/d/i", "99999999999", NULL, "not a whole number" },
		{ "/d/n", "3.25", "3.25", NULL },
		{ "/d/n", "3,25", NULL, "not a number" },
		{ "/d/dt", "2024-02-29", "2024-02-29", NULL },
		{ "/d/dt", "2025-02-29", NULL, "not a date" },
		{ "/d/dt", "29/02/2024", NULL, "not a date" },
		{ "/d/tm", "09:30", "09:30", NULL },
		{ "/d/tm", "25:00", NULL, "not a time" },
		{ "/d/dtm", "2026-11-29T10:42:07Z", "2026-11-29T10:42:07Z", NULL },
		{ "/d/dtm", "2026-11-29", NULL, "not a date and time" },
		{ "/d/s", "a b", "a b", NULL },
		{ "/d/s", "a c", NULL, "'c' is not a choice" },
		{ "/d/nothere", "1", NULL, "no node" },
	};
	xform *f = load_ok(TYPES_FORM);
	xform_session *s = start(f, 0);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hw_error err = { 0, "" };
		int rc = xform_answer(s, cases[i].path, cases[i].value, &err);
		const char *v = NULL;

		if (cases[i].stored) {
			cr_expect_eq(rc, 0, "%s=%s: %s", cases[i].path, cases[i].value, err.msg);
			xform_value(&v, s, cases[i].path, &err);
			cr_expect_str_eq(v, cases[i].stored);
		} else {
			cr_expect_lt(rc, 0, "%s=%s accepted", cases[i].path, cases[i].value);
			cr_expect(strstr(err.msg, cases[i].msg) != NULL, "'%s' lacks '%s'", err.msg,
				  cases[i].msg);
		}
	}
	xform_session_free(s);
	xform_free(f);
}

#define SUB_FORM HEAD \
	"<instance><d id=\"sub\" version=\"3\"><a/><g><b/></g><c/>" \
	"<orx:meta xmlns:orx=\"http://openrosa.org/xforms\"><orx:instanceID/></orx:meta></d></instance>\n" \
	"<bind nodeset=\"/d/g\" relevant=\"/d/a = 'yes'\"/>\n" \
	"<bind nodeset=\"/d/c\" relevant=\"false()\" required=\"true()\"/>\n" \
	"</model></h:head><h:body><input ref=\"/d/a\"><label>A</label></input>" \
	"<group ref=\"/d/g\"><input ref=\"/d/g/b\"><label>B</label></input></group>" \
	"<input ref=\"/d/c\"><label>C</label></input></h:body></h:html>\n"

Test(xform_submit, non_relevant_left_out_ids_and_edit)
{
	xform *f = load_ok(SUB_FORM);
	xform_session *s = start(f, 0), *e = NULL;
	hw_error err = { 0, "" };
	xform_failure_list *fails = NULL;
	char *xml = NULL, *xml2 = NULL, old[128];
	size_t len = 0;

	cr_expect_str_eq(xform_id(f), "sub");
	cr_expect_str_eq(xform_version(f), "3");
	cr_assert_eq(xform_answer(s, "/d/a", "no", &err), 0);
	/* c is required but not relevant: not required. */
	cr_assert_eq(xform_validate(&fails, s, &err), 0);
	cr_expect_eq(fails->count, 0);
	xform_failure_list_free(fails);
	cr_assert_eq(xform_submission(&xml, &len, s, &err), 0, "%s", err.msg);
	cr_expect(strstr(xml, "<a>no</a>") != NULL, "%s", xml);
	cr_expect(strstr(xml, "<g>") == NULL && strstr(xml, "<g/>") == NULL, "%s", xml);
	cr_expect(strstr(xml, "<c") == NULL, "%s", xml);
	cr_expect(strstr(xml, "<orx:instanceID>uuid:") != NULL, "%s", xml);
	cr_expect(strstr(xml, "xmlns:orx=\"http://openrosa.org/xforms\"") != NULL, "%s", xml);
	snprintf(old, sizeof(old), "%s", xform_instance_id(s));
	cr_expect_eq(strncmp(old, "uuid:", 5), 0);

	cr_assert_eq(xform_session_edit(&e, f, xml, len, NULL, &err), 0, "%s", err.msg);
	cr_expect_str_neq(xform_instance_id(e), old);
	cr_assert_eq(xform_answer(e, "/d/a", "yes", &err), 0);
	cr_assert_eq(xform_answer(e, "/d/g/b", "x&y", &err), 0);
	cr_assert_eq(xform_submission(&xml2, NULL, e, &err), 0);
	cr_expect(strstr(xml2, "<b>x&amp;y</b>") != NULL, "%s", xml2);
	{
		char want[200];

		snprintf(want, sizeof(want), "<deprecatedID>%s</deprecatedID>", old);
		cr_expect(strstr(xml2, want) != NULL, "%s", xml2);
	}
	free(xml);
	free(xml2);
	xform_session_free(e);
	xform_session_free(s);
	xform_free(f);
}

Test(xform_nav, list_in_form_order_with_repeats_and_field_lists)
{
	char path[4096];
	hw_error err = { 0, "" };
	xform *f = NULL;
	xform_session *s;
	xform_nav *nav = NULL;
	size_t i;
	int saw_upload = 0, saw_fl = 0, saw_row2 = 0, saw_members = 0;

	snprintf(path, sizeof(path), "%s/tests/forms/household.xml", TOP_SRCDIR);
	cr_assert_eq(xform_load(&f, path, &err), 0, "%s", err.msg);
	s = start(f, 0);
	cr_assert_eq(xform_answer(s, "/hh/nkids", "2", &err), 0, "%s", err.msg);
	cr_assert_eq(xform_nav_build(&nav, s, &err), 0);
	cr_assert_gt(nav->count, 10);
	cr_expect_eq(nav->items[0].kind, XFORM_GROUP);
	cr_expect_str_eq(nav->items[0].label, "About you");
	for (i = 0; i < nav->count; i++) {
		const xform_nav_item *it = &nav->items[i];

		if (it->kind == XFORM_UNSUPPORTED)
			saw_upload = !strcmp(it->unsupported, "upload");
		if (!strcmp(it->path, "/hh/age") && it->field_list == 0)
			saw_fl = 1;
		if (!strcmp(it->path, "/hh/kid[2]/kname"))
			saw_row2 = !strcmp(it->label, "Name of child 2");
		if (!strcmp(it->path, "/hh/country"))
			cr_expect_eq(it->choices.count, 4);
		if (!strcmp(it->path, "/hh/adult/job"))
			cr_expect_not(it->relevant);
		/* A repeat wrapped in a group is offered before it has any entry. */
		if (it->kind == XFORM_REPEAT && !strcmp(it->path, "/hh/member"))
			saw_members = it->can_add;
	}
	cr_expect(saw_members, "the empty repeat inside a group is not offered");
	cr_expect(saw_upload);
	cr_expect(saw_fl);
	cr_expect(saw_row2);
	xform_nav_free(nav);
	xform_session_free(s);
	xform_free(f);
}

Test(xform_replay, replay_restores_the_same_answers)
{
	static const xform_op ops[] = {
		{ XFORM_OP_ANSWER, "/d/a", "3" },
		{ XFORM_OP_ANSWER, "/d/b", "5" },
		{ XFORM_OP_CLEAR, "/d/b", NULL },
		{ XFORM_OP_ANSWER, "/d/b", "4" },
	};
	static const xform_op bad[] = {
		{ XFORM_OP_ANSWER, "/d/a", "3" },
		{ XFORM_OP_ANSWER, "/d/a", "three" },
	};
	xform *f = load_ok(GRAPH_FORM);
	xform_session *s = start(f, 0);
	hw_error err = { 0, "" };
	size_t at = 99;
	const char *v;

	cr_assert_eq(xform_replay(s, ops, 4, &at, &err), 0, "%s", err.msg);
	cr_expect_eq(at, 4);
	xform_value(&v, s, "/d/c2", &err);
	cr_expect_str_eq(v, "8");
	xform_value(&v, s, "/d/c3", &err);
	cr_expect_str_eq(v, "5");
	cr_expect_lt(xform_replay(s, bad, 2, &at, &err), 0);
	cr_expect_eq(at, 1);
	xform_session_free(s);
	xform_free(f);
}

Test(xform_validate, messages_in_the_current_language_and_kinds_in_nav)
{
	char path[4096];
	hw_error err = { 0, "" };
	xform *f = NULL;
	xform_session *s;
	xform_failure_list *l = NULL;
	xform_nav *nav = NULL;

	snprintf(path, sizeof(path), "%s/tests/forms/actions.xml", TOP_SRCDIR);
	cr_assert_eq(xform_load(&f, path, &err), 0, "%s", err.msg);
	s = start(f, 0);
	cr_assert_eq(xform_validate(&l, s, &err), 0);
	cr_assert_eq(l->count, 1);
	cr_expect_str_eq(l->items[0].path, "/case/consent");
	cr_expect_eq(l->items[0].kind, XFORM_FAIL_REQUIRED);
	cr_expect_str_eq(l->items[0].message, "Consent must be recorded");
	xform_failure_list_free(l);
	cr_assert_eq(xform_set_language(s, "ar", &err), 0);
	cr_assert_eq(xform_validate(&l, s, &err), 0);
	cr_expect_str_eq(l->items[0].message, "يجب تسجيل الموافقة");
	xform_failure_list_free(l);
	cr_assert_eq(xform_nav_build(&nav, s, &err), 0);
	cr_assert_geq(nav->count, 3);
	cr_expect_eq(nav->items[0].kind, XFORM_NOTE);
	cr_expect_eq(nav->items[1].kind, XFORM_SELECT1);
	cr_expect_eq(nav->items[1].required, 1);
	cr_expect_eq(nav->items[2].kind, XFORM_TRIGGER);
	xform_nav_free(nav);
	xform_session_free(s);
	xform_free(f);
}

/*
 * A submission is whole or an error: with each allocation in turn made to
 * fail, xform_submission either reports "out of memory" and gives nothing,
 * or gives exactly the document it gives with memory to spare.  (A buffer
 * that dropped a failed append and carried on would return a cut document.)
 */
Test(xform_submit, out_of_memory_never_gives_a_cut_document)
{
	xform *f = load_ok(SUB_FORM);
	xform_session *s = start(f, 0);
	hw_error err = { 0, "" };
	char *want = NULL, *got = NULL, answer[600];
	size_t wantlen = 0, gotlen = 0;
	unsigned long n, failed = 0;

	memset(answer, 'x', sizeof(answer) - 1);
	answer[sizeof(answer) - 1] = '\0';
	memcpy(answer + 100, "a & b < c", 9);
	cr_assert_eq(xform_answer(s, "/d/a", "yes", &err), 0, "%s", err.msg);
	cr_assert_eq(xform_answer(s, "/d/g/b", answer, &err), 0, "%s", err.msg);
	cr_assert_eq(xform_submission(&want, &wantlen, s, &err), 0, "%s", err.msg);
	for (n = 1; n < 200; n++) {
		int rc;

		err.code = 0;
		err.msg[0] = '\0';
		failalloc_fail_nth(n);
		rc = xform_submission(&got, &gotlen, s, &err);
		failalloc_fail_nth(0);
		if (rc < 0) {
			cr_expect_null(got, "allocation %lu: an error and a document", n);
			cr_expect(strstr(err.msg, "out of memory") != NULL, "allocation %lu: %s", n, err.msg);
			failed++;
		} else {
			cr_assert_eq(gotlen, wantlen, "allocation %lu: %zu bytes, not %zu", n, gotlen, wantlen);
			cr_assert_str_eq(got, want, "allocation %lu", n);
		}
		free(got);
		got = NULL;
	}
	cr_expect_gt(failed, 2, "the buffer grew %lu times only", failed);
	free(want);
	xform_session_free(s);
	xform_free(f);
}
