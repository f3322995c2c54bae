/* test_entity.c: the engine's side of forms that know the case: instance('case'),
 * entities:saveto, meta/entity, homeward:applies-to and the `case` scenario step. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xform/xform.h"

#define HEAD \
	"<?xml version=\"1.0\"?>\n" \
	"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\"\n" \
	" xmlns:jr=\"http://openrosa.org/javarosa\"\n" \
	" xmlns:entities=\"http://www.opendatakit.org/xforms/entities\"\n" \
	" xmlns:homeward=\"https://homeward.example/xforms\">\n" \
	"<h:head><h:title>T</h:title>\n"

/* A form that shows the case's return country and lets it be corrected. */
#define FORM \
	HEAD "<model homeward:applies-to=\"minor\">\n" \
	"<instance><d id=\"x\"><rc/><rc_ok/><rc_fix/><age/><meta><instanceID/>" \
	"<entity dataset=\"case\" id=\"\" update=\"1\" baseVersion=\"\"/></meta></d></instance>\n" \
	"<instance id=\"case\" src=\"jr://file-csv/case.csv\"/>\n" \
	"<bind nodeset=\"/d/rc\" calculate=\"if(/d/rc_fix != '', /d/rc_fix, instance('case')/root/item/return_country)\"/>\n" \
	"<bind nodeset=\"/d/rc_ok\" type=\"select1\"/>\n" \
	"<bind nodeset=\"/d/rc_fix\" relevant=\"/d/rc_ok = 'no'\" entities:saveto=\"return_country\"/>\n" \
	"<bind nodeset=\"/d/age\" calculate=\"instance('case')/root/item/age\"/>\n" \
	"<bind nodeset=\"/d/meta/instanceID\" preload=\"uid\"/>\n" \
	"</model></h:head><h:body>\n" \
	"<select1 ref=\"/d/rc_ok\"><label>Return to <output value=\"instance('case')/root/item/return_country\"/>?</label>" \
	"<item><label>Yes</label><value>yes</value></item><item><label>No</label><value>no</value></item></select1>\n" \
	"<input ref=\"/d/rc_fix\"><label>Country</label></input>\n" \
	"</h:body></h:html>\n"

#define CASE_MINOR "<root><item><name>c-1</name><__version>7</__version><return_country>NG</return_country>" \
	"<age>12</age><minor>true</minor></item></root>"
#define CASE_ADULT "<root><item><name>c-2</name><__version>3</__version><return_country>SN</return_country>" \
	"<age>42</age><minor>false</minor></item></root>"

static const char *write_file(const char *name, const char *text)
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

static xform *load(const char *text)
{
	hw_error err = { 0, "" };
	xform *f = NULL;

	cr_assert_eq(xform_load(&f, write_file("e.xml", text), &err), 0, "load failed: %s", err.msg);
	return f;
}

static xform_session *start(const xform *f, const char *case_xml)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	xform_session *s = NULL;
	hw_error err = { 0, "" };

	o.now = 1764000000;
	o.case_xml = case_xml;
	cr_assert_eq(xform_session_new(&s, f, &o, &err), 0, "%s", err.msg);
	return s;
}

static void expect_value(xform_session *s, const char *path, const char *want)
{
	const char *v = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(xform_value(&v, s, path, &err), 0, "%s: %s", path, err.msg);
	cr_expect_str_eq(v, want, "%s is '%s', not '%s'", path, v, want);
}

Test(entity, the_case_instance_fills_calculations_and_labels)
{
	xform *f = load(FORM);
	xform_session *s = start(f, CASE_MINOR);
	char *label = NULL;
	hw_error err = { 0, "" };

	cr_expect(xform_has_case(f));
	expect_value(s, "/d/rc", "NG");
	expect_value(s, "/d/age", "12");
	cr_assert_eq(xform_label(&label, s, "/d/rc_ok", &err), 0, "%s", err.msg);
	cr_expect_str_eq(label, "Return to NG?");
	free(label);
	/* A correction replaces the case's value in the form. */
	cr_assert_eq(xform_answer(s, "/d/rc_ok", "no", &err), 0, "%s", err.msg);
	cr_assert_eq(xform_answer(s, "/d/rc_fix", "GH", &err), 0, "%s", err.msg);
	expect_value(s, "/d/rc", "GH");
	xform_session_free(s);

	/* Without a case (form check, a scenario without case steps): empty values, no error. */
	s = start(f, NULL);
	expect_value(s, "/d/rc", "");
	xform_session_free(s);
	xform_free(f);
}

Test(entity, savetos_list_only_relevant_answered_questions)
{
	xform *f = load(FORM);
	xform_session *s = start(f, CASE_MINOR);
	xform_saveto_list *l = NULL;
	hw_error err = { 0, "" };
	const char *path = NULL, *prop = NULL;

	cr_expect_eq(xform_saveto_count(f), 1);
	cr_assert_eq(xform_saveto_at(f, 0, &path, &prop, NULL), 0);
	cr_expect_str_eq(path, "/d/rc_fix");
	cr_expect_str_eq(prop, "return_country");
	cr_expect_eq(xform_saveto_at(f, 1, &path, &prop, NULL), HW_ENOTFOUND);

	cr_assert_eq(xform_savetos(&l, s, &err), 0, "%s", err.msg);
	cr_expect_eq(l->count, 0, "nothing corrected, nothing saved");
	xform_saveto_list_free(l);

	cr_assert_eq(xform_answer(s, "/d/rc_ok", "no", &err), 0);
	cr_assert_eq(xform_answer(s, "/d/rc_fix", "GH", &err), 0);
	cr_assert_eq(xform_savetos(&l, s, &err), 0, "%s", err.msg);
	cr_assert_eq(l->count, 1);
	cr_expect_str_eq(l->items[0].property, "return_country");
	cr_expect_str_eq(l->items[0].value, "GH");
	xform_saveto_list_free(l);

	/* Said right again: the correction is no longer relevant and not saved. */
	cr_assert_eq(xform_answer(s, "/d/rc_ok", "yes", &err), 0);
	cr_assert_eq(xform_savetos(&l, s, &err), 0, "%s", err.msg);
	cr_expect_eq(l->count, 0);
	xform_saveto_list_free(l);
	xform_session_free(s);
	xform_free(f);
}

Test(entity, meta_entity_gets_the_case_id_and_base_version)
{
	xform *f = load(FORM);
	xform_session *s = start(f, CASE_MINOR);
	char *xml = NULL;
	hw_error err = { 0, "" };

	cr_expect_str_eq(xform_entity_base_version(s), "7");
	cr_assert_eq(xform_submission(&xml, NULL, s, &err), 0, "%s", err.msg);
	cr_expect(strstr(xml, "id=\"c-1\"") != NULL, "no entity id in %s", xml);
	cr_expect(strstr(xml, "baseVersion=\"7\"") != NULL, "no baseVersion in %s", xml);
	cr_expect(strstr(xml, "update=\"1\"") != NULL, "no update in %s", xml);
	free(xml);
	xform_session_free(s);
	xform_free(f);
}

Test(entity, applies_to_minor_and_an_expression)
{
	xform *f = load(FORM);
	hw_error err = { 0, "" };
	int yes = -1;

	cr_expect_str_eq(xform_applies_to(f), "minor");
	cr_assert_eq(xform_applies(&yes, f, CASE_MINOR, 0, &err), 0, "%s", err.msg);
	cr_expect_eq(yes, 1, "a child form applies to a minor");
	cr_assert_eq(xform_applies(&yes, f, CASE_ADULT, 0, &err), 0, "%s", err.msg);
	cr_expect_eq(yes, 0, "a child form does not apply to an adult");
	cr_assert_eq(xform_applies(&yes, f, NULL, 0, &err), 0, "%s", err.msg);
	cr_expect_eq(yes, 0, "nor to a case it knows nothing of");
	xform_free(f);

	f = load(HEAD "<model homeward:applies-to=\"instance('case')/root/item/return_country = 'SN' and "
		 "instance('case')/root/item/age &gt;= 18\">\n"
		 "<instance><d id=\"x\"><a/></d></instance>\n"
		 "<instance id=\"case\"><root/></instance>\n"
		 "</model></h:head><h:body/></h:html>\n");
	cr_assert_eq(xform_applies(&yes, f, CASE_ADULT, 0, &err), 0, "%s", err.msg);
	cr_expect_eq(yes, 1);
	cr_assert_eq(xform_applies(&yes, f, CASE_MINOR, 0, &err), 0, "%s", err.msg);
	cr_expect_eq(yes, 0);
	cr_expect_lt(xform_applies(&yes, f, "<root><item>", 0, &err), 0, "broken case XML is an error");
	xform_free(f);

	/* A form without applies-to is for every case. */
	f = load(HEAD "<model><instance><d id=\"x\"><a/></d></instance>\n"
		 "</model></h:head><h:body/></h:html>\n");
	cr_expect_null(xform_applies_to(f));
	cr_assert_eq(xform_applies(&yes, f, CASE_ADULT, 0, &err), 0);
	cr_expect_eq(yes, 1);
	xform_free(f);
}

struct refs { char seen[1024]; };

static void collect_ref(const char *path, int line, void *payload)
{
	struct refs *r = payload;

	(void)line;
	if (!strstr(r->seen, path)) {
		strncat(r->seen, path, sizeof(r->seen) - strlen(r->seen) - 2);
		strcat(r->seen, " ");
	}
}

Test(entity, the_references_into_the_case_are_listed)
{
	xform *f = load(FORM);
	struct refs r = { "" };
	hw_error err = { 0, "" };

	cr_assert_eq(xform_instance_refs(f, "case", collect_ref, &r, &err), 0, "%s", err.msg);
	cr_expect(strstr(r.seen, "/root/item/return_country") != NULL, "%s", r.seen);
	cr_expect(strstr(r.seen, "/root/item/age") != NULL, "%s", r.seen);
	cr_expect(strstr(r.seen, "/root/item/minor") != NULL, "applies-to is read too: %s", r.seen);
	xform_free(f);
}

struct bad { const char *name, *xml, *want; };

static const struct bad bad_forms[] = {
	{ "reserved property",
	  HEAD "<model><instance><d id=\"x\"><a/></d></instance><instance id=\"case\"><root/></instance>\n"
	  "<bind nodeset=\"/d/a\" entities:saveto=\"name\"/></model></h:head><h:body/></h:html>\n",
	  "reserved" },
	{ "not a property name",
	  HEAD "<model><instance><d id=\"x\"><a/></d></instance><instance id=\"case\"><root/></instance>\n"
	  "<bind nodeset=\"/d/a\" entities:saveto=\"Return Country\"/></model></h:head><h:body/></h:html>\n",
	  "lower-case" },
	{ "saveto in a repeat",
	  HEAD "<model><instance><d id=\"x\"><r><a/></r></d></instance><instance id=\"case\"><root/></instance>\n"
	  "<bind nodeset=\"/d/r/a\" entities:saveto=\"sex\"/></model></h:head><h:body>"
	  "<repeat nodeset=\"/d/r\"><input ref=\"/d/r/a\"><label>A</label></input></repeat></h:body></h:html>\n",
	  "inside a repeat" },
	{ "saveto without the case",
	  HEAD "<model><instance><d id=\"x\"><a/></d></instance>\n"
	  "<bind nodeset=\"/d/a\" entities:saveto=\"sex\"/></model></h:head><h:body/></h:html>\n",
	  "needs <instance id=\"case\">" },
	{ "two questions save to one property",
	  HEAD "<model><instance><d id=\"x\"><a/><b/></d></instance><instance id=\"case\"><root/></instance>\n"
	  "<bind nodeset=\"/d/a\" entities:saveto=\"sex\"/><bind nodeset=\"/d/b\" entities:saveto=\"sex\"/>"
	  "</model></h:head><h:body/></h:html>\n",
	  "both" },
	{ "applies-to without the case",
	  HEAD "<model homeward:applies-to=\"minor\"><instance><d id=\"x\"><a/></d></instance>\n"
	  "</model></h:head><h:body/></h:html>\n",
	  "applies-to needs" },
	{ "applies-to that does not compile",
	  HEAD "<model homeward:applies-to=\"instance('case')/root/item/age &gt;\"><instance><d id=\"x\"><a/></d></instance>\n"
	  "<instance id=\"case\"><root/></instance></model></h:head><h:body/></h:html>\n",
	  "applies-to" },
};

Test(entity, bad_savetos_and_applies_to_are_load_errors)
{
	for (size_t i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++) {
		hw_error err = { 0, "" };
		xform *f = NULL;

		cr_expect_lt(xform_load(&f, write_file("bad.xml", bad_forms[i].xml), &err), 0,
			     "%s: loaded", bad_forms[i].name);
		cr_expect(strstr(err.msg, bad_forms[i].want) != NULL, "%s: '%s' lacks '%s'",
			  bad_forms[i].name, err.msg, bad_forms[i].want);
		xform_free(f);
	}
}

Test(entity, hostile_case_xml_is_refused_not_crashed_on)
{
	xform *f = load(FORM);
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	xform_session *s = NULL;
	hw_error err = { 0, "" };

	o.case_xml = "<root><item><return_country>NG</item></root>";
	cr_expect_eq(xform_session_new(&s, f, &o, &err), HW_EINVALID);
	cr_expect_null(s);
	cr_expect(strstr(err.msg, "instance('case')") != NULL, "%s", err.msg);
	xform_free(f);
}

struct tally { int passed, failed; char last[512]; };

static void on_result(const xform_scenario_result *r, void *payload)
{
	struct tally *t = payload;

	if (!r->passed)
		snprintf(t->last, sizeof(t->last), "line %d: expected %s, got %s", r->line, r->expected,
			 r->actual);
}

Test(entity, scenario_case_steps_set_the_case)
{
	const char *form = write_file("sf.xml", FORM);
	char fpath[4096];
	xform_scenario_summary sum;
	struct tally t = { 0, 0, "" };
	hw_error err = { 0, "" };
	const char *steps;

	snprintf(fpath, sizeof(fpath), "%s", form);
	steps = write_file("s.steps",
		"case return_country NG\n"
		"case birth_date 2015-03-01\n"
		"expect-value /d/rc NG\n"
		"expect-value /d/age 10\n"
		"expect-eval \"instance('case')/root/item/minor\" true\n"
		"answer /d/rc_ok no\n"
		"answer /d/rc_fix GH\n"
		"expect-value /d/rc GH\n");
	cr_assert_eq(xform_scenario_run(&sum, fpath, steps, on_result, &t, &err), 0, "%s", err.msg);
	cr_expect_eq(sum.failed, 0, "%s", t.last);
	cr_expect_eq(sum.passed, 4);

	/* The step can fail: a wrong expectation is reported, and a case step after an answer. */
	steps = write_file("s2.steps",
		"case birth_date 1983-05-01\n"
		"expect-value /d/age 12\n"
		"answer /d/rc_ok yes\n"
		"case sex female\n");
	cr_assert_eq(xform_scenario_run(&sum, fpath, steps, on_result, &t, &err), 0, "%s", err.msg);
	cr_expect_eq(sum.failed, 2, "age 42 is not 12, and a late case step fails");
}

#include "event.h"

Test(entity, form_properties_from_elsewhere_are_checked)
{
	static const char *const bad[] = {
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":[\"score\"]}",
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":{\"__version\":\"9\"}}",
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":{\"Score\":\"9\"}}",
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":{\"score\":12}}",
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":{\"score\":\"\\u001b[2J\"}}",
	};
	hw_error err = { 0, "" };

	cr_expect_eq(event_check_data(EV_FORM_SUBMITTED,
		"{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:1\",\"sha256\":\"x\","
		"\"properties\":{\"last_score\":\"12\"}}", &err), 0, "%s", err.msg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(event_check_data(EV_FORM_SUBMITTED, bad[i], &err), HW_EINVALID,
			     "accepted: %s", bad[i]);
}
