/*
 * xform_scenario.c: the headless scenario runner.  A steps file drives a
 * fresh session (answer, clear, repeats, language) and checks expectations;
 * every expectation is reported through a callback so the front end
 * decides how to print it.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xform_int.h"

#define MAX_TOKENS 256

/* Split a line into tokens; double quotes group words ("" is an empty token). */
static size_t tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line, *w;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			w = ++p;
			while (*p && *p != '"')
				p++;
			if (*p)
				*p++ = '\0';
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				p++;
			if (*p)
				*p++ = '\0';
		}
		tok[n++] = w;
	}
	return n;
}

/* The run's state while walking the file. */
typedef struct run {
	const char *steps;
	xform_scenario_fn cb;
	void *payload;
	xform_scenario_summary *sum;
} run;

/* Report one result. */
static void report(run *r, int line, int ok, const char *expected, const char *actual)
{
	xform_scenario_result res;

	res.steps_file = r->steps;
	res.line = line;
	res.passed = ok;
	res.expected = expected ? expected : "";
	res.actual = actual ? actual : "";
	if (ok)
		r->sum->passed++;
	else
		r->sum->failed++;
	if (r->cb)
		r->cb(&res, r->payload);
}

/* Compare and report a string expectation. */
static void expect_str(run *r, int line, const char *what, const char *want, const char *got)
{
	hw_buf e = HW_BUF_INIT, a = HW_BUF_INIT;

	hw_buf_printf(&e, "%s \"%s\"", what, want);
	hw_buf_printf(&a, "\"%s\"", got);
	report(r, line, strcmp(want, got) == 0, e.ptr, a.ptr);
	hw_buf_free(&e);
	hw_buf_free(&a);
}

/* Parse true/false. */
static int boolean_arg(const char *s)
{
	return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

/* Run one step of a loaded form. */
static void step(run *r, xform_session *s, int line, char **t, size_t n)
{
	hw_error err = { 0, "" };
	const char *v = n > 2 ? t[2] : "";
	char buf[64];

#define NEED(k) do { if (n < (k)) { report(r, line, 0, "a well-formed step", t[0]); return; } } while (0)
#define STEP_FAIL() report(r, line, 0, t[0], err.msg)

	if (!strcmp(t[0], "lang")) {
		NEED(2);
		if (xform_set_language(s, t[1], &err) < 0)
			STEP_FAIL();
	} else if (!strcmp(t[0], "answer")) {
		NEED(2);
		if (xform_answer(s, t[1], v, &err) < 0)
			STEP_FAIL();
	} else if (!strcmp(t[0], "clear")) {
		NEED(2);
		if (xform_clear(s, t[1], &err) < 0)
			STEP_FAIL();
	} else if (!strcmp(t[0], "add-repeat")) {
		NEED(2);
		if (xform_repeat_add(s, t[1], NULL, &err) < 0)
			STEP_FAIL();
	} else if (!strcmp(t[0], "remove-repeat")) {
		NEED(2);
		if (xform_repeat_remove(s, t[1], &err) < 0)
			STEP_FAIL();
	} else if (!strcmp(t[0], "expect-value")) {
		const char *got = NULL;

		NEED(2);
		if (xform_value(&got, s, t[1], &err) < 0)
			report(r, line, 0, v, err.msg);
		else
			expect_str(r, line, "value", v, got);
	} else if (!strcmp(t[0], "expect-relevant") || !strcmp(t[0], "expect-required") ||
		   !strcmp(t[0], "expect-readonly")) {
		xform_node_state st;
		int got;

		NEED(3);
		if (xform_state(&st, s, t[1], &err) < 0) {
			report(r, line, 0, t[2], err.msg);
			return;
		}
		got = !strcmp(t[0], "expect-relevant") ? st.relevant :
			!strcmp(t[0], "expect-required") ? st.required : st.readonly;
		snprintf(buf, sizeof(buf), "%s %s", t[0] + 7, t[2]);
		report(r, line, got == boolean_arg(t[2]), buf, got ? "true" : "false");
	} else if (!strcmp(t[0], "expect-choices")) {
		xform_choice_list *l = NULL;
		hw_buf want = HW_BUF_INIT, got = HW_BUF_INIT;
		size_t i;

		NEED(2);
		for (i = 2; i < n; i++)
			hw_buf_printf(&want, "%s%s", i > 2 ? " " : "", t[i]);
		if (xform_choices(&l, s, t[1], &err) < 0) {
			report(r, line, 0, want.ptr ? want.ptr : "", err.msg);
		} else {
			for (i = 0; i < l->count; i++)
				hw_buf_printf(&got, "%s%s", i ? " " : "", l->items[i].value);
			if (hw_buf_oom(&want) || hw_buf_oom(&got))   /* never pass on two empty lists */
				report(r, line, 0, "choices", "out of memory");
			else
				expect_str(r, line, "choices", want.ptr ? want.ptr : "", got.ptr ? got.ptr : "");
		}
		xform_choice_list_free(l);
		hw_buf_free(&want);
		hw_buf_free(&got);
	} else if (!strcmp(t[0], "expect-label") || !strcmp(t[0], "expect-constraint-message")) {
		char *got = NULL;
		int rc;

		NEED(3);
		rc = t[0][7] == 'l' ? xform_label(&got, s, t[1], &err) :
			xform_constraint_message(&got, s, t[1], &err);
		if (rc < 0)
			report(r, line, 0, t[2], err.msg);
		else
			expect_str(r, line, t[0][7] == 'l' ? "label" : "constraint message", t[2], got);
		free(got);
	} else if (!strcmp(t[0], "expect-count")) {
		size_t cnt = 0;

		NEED(3);
		if (xform_repeat_count(s, t[1], &cnt, &err) < 0) {
			report(r, line, 0, t[2], err.msg);
			return;
		}
		snprintf(buf, sizeof(buf), "%zu", cnt);
		expect_str(r, line, "count", t[2], buf);
	} else if (!strcmp(t[0], "expect-valid") || !strcmp(t[0], "expect-invalid")) {
		xform_failure_list *l = NULL;
		hw_buf got = HW_BUF_INIT;
		size_t i;
		int found = 0;

		if (!strcmp(t[0], "expect-invalid"))
			NEED(2);
		if (xform_validate(&l, s, &err) < 0) {
			report(r, line, 0, t[0], err.msg);
			return;
		}
		for (i = 0; i < l->count; i++) {
			char *lp = xf_local_path(l->items[i].path);

			hw_buf_printf(&got, "%s%s (%s)", i ? ", " : "", l->items[i].path,
				      l->items[i].kind == XFORM_FAIL_REQUIRED ? "required" : "constraint");
			if (n > 1) {
				char *want = xf_local_path(t[1]);

				/* "/data/rep/q" and "/data/rep[1]/q" name the same node. */
				if (want && lp && !strcmp(want, lp))
					found = 1;
				else {
					xnode *a = NULL, *b = NULL;

					if (xf_node_at(&a, s, t[1], NULL) == 0 &&
					    xf_node_at(&b, s, l->items[i].path, NULL) == 0 && a == b)
						found = 1;
				}
				free(want);
			}
			free(lp);
		}
		if (!strcmp(t[0], "expect-valid"))
			report(r, line, l->count == 0, "valid", got.ptr ? got.ptr : "valid");
		else {
			hw_buf e = HW_BUF_INIT;

			hw_buf_printf(&e, "invalid at %s", t[1]);
			report(r, line, found, e.ptr, got.ptr ? got.ptr : "valid");
			hw_buf_free(&e);
		}
		hw_buf_free(&got);
		xform_failure_list_free(l);
	} else if (!strcmp(t[0], "expect-eval")) {
		char *got = NULL;

		NEED(3);
		if (xform_eval(&got, s, t[1], &err) < 0)
			report(r, line, 0, t[2], err.msg);
		else
			expect_str(r, line, "eval", t[2], got);
		free(got);
	} else if (!strcmp(t[0], "expect-load-error")) {
		report(r, line, 0, "a load error", "the form loaded");
	} else {
		report(r, line, 0, "a known step", t[0]);
	}
#undef NEED
#undef STEP_FAIL
}

/*
 * A field of the scenario's case (`case FIELD VALUE`), or a member of its
 * return file (`case-member RELATION LABEL [AGE]`): name "", value
 * "RELATION\tLABEL\tAGE".
 */
typedef struct case_field {
	char *name, *value;
} case_field;

/* Append s with XML escapes. */
static void xml_escape(hw_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': hw_buf_puts(b, "&lt;"); break;
		case '>': hw_buf_puts(b, "&gt;"); break;
		case '&': hw_buf_puts(b, "&amp;"); break;
		default: hw_buf_add(b, s, 1);
		}
	}
}

/* The value of the case field name, NULL when not set. */
static const char *case_get(const case_field *c, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(c[i].name, name))
			return c[i].value;
	return NULL;
}

/* True if a member follows entry i. */
static int case_has_member_after(const case_field *c, size_t n, size_t i)
{
	while (++i < n)
		if (!c[i].name[0])
			return 1;
	return 0;
}

/*
 * The scenario's case as instance('case') XML.  A birth date gives the age
 * (whole years on the scenario's fixed day, 2025-11-24) and minor, unless
 * the steps set them; a case always has a name and a version.
 */
static char *case_xml(const case_field *c, size_t n)
{
	hw_buf b = HW_BUF_INIT;
	const char *bd = case_get(c, n, "birth_date");
	int y, m, d, age = -1;

	hw_buf_puts(&b, "<root><item>");
	if (!case_get(c, n, "name"))
		hw_buf_puts(&b, "<name>scenario-case</name>");
	if (!case_get(c, n, "__version"))
		hw_buf_puts(&b, "<__version>1</__version>");
	if (bd && sscanf(bd, "%d-%d-%d", &y, &m, &d) == 3)
		age = 2025 - y - (m > 11 || (m == 11 && d > 24));
	if (!case_get(c, n, "age")) {
		if (age >= 0)
			hw_buf_printf(&b, "<age>%d</age>", age);
		else
			hw_buf_puts(&b, "<age/>");
	}
	if (!case_get(c, n, "minor"))
		hw_buf_printf(&b, "<minor>%s</minor>", age < 0 ? "false" : age < 18 ? "true" : "false");
	for (size_t i = 0, nm = 0; i < n; i++) {
		const char *rel, *label, *mage;
		int a;

		if (c[i].name[0])
			continue;
		/* A member: <family><member>name label relation age minor</member>... */
		rel = c[i].value;
		label = strchr(rel, '\t') + 1;
		mage = strchr(label, '\t') + 1;
		a = *mage ? atoi(mage) : -1;
		nm++;
		hw_buf_printf(&b, "%s<member><name>scenario-member-%zu</name><label>", nm > 1 ? "" : "<family>", nm);
		hw_buf_add(&b, label, (size_t)(mage - 1 - label));
		hw_buf_puts(&b, "</label><relation>");
		hw_buf_add(&b, rel, (size_t)(label - 1 - rel));
		hw_buf_puts(&b, "</relation>");
		if (a >= 0)
			hw_buf_printf(&b, "<age>%d</age><minor>%s</minor>", a, a < 18 ? "true" : "false");
		else
			hw_buf_puts(&b, "<age/><minor/>");
		hw_buf_puts(&b, "</member>");
		if (i == n - 1 || !case_has_member_after(c, n, i))
			hw_buf_puts(&b, "</family>");
	}
	for (size_t i = 0; i < n; i++) {
		if (!c[i].name[0] || case_get(c, n, c[i].name) != c[i].value)
			continue;   /* a member, or set again later: the last one counts */
		hw_buf_printf(&b, "<%s>", c[i].name);
		xml_escape(&b, c[i].value);
		hw_buf_printf(&b, "</%s>", c[i].name);
	}
	hw_buf_puts(&b, "</item></root>");
	if (hw_buf_oom(&b)) {
		hw_buf_free(&b);
		return NULL;
	}
	return b.ptr;
}

/* A case field name: an XML name made of letters, digits and _ (no path). */
static int case_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 64 && !(s[0] >= '0' && s[0] <= '9') &&
		strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* The session of a run, started at its first step other than `case`. */
static int start_session(xform_session **s, const xform *form, xform_session_options *opts,
			 const case_field *cases, size_t ncases, hw_error *err)
{
	char *xml = NULL;
	int rc;

	if (ncases && !(xml = case_xml(cases, ncases)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	opts->case_xml = xml;
	rc = xform_session_new(s, form, opts, err);
	opts->case_xml = NULL;
	free(xml);
	return rc;
}

int xform_scenario_run(xform_scenario_summary *out, const char *form_path, const char *steps_path,
		       xform_scenario_fn cb, void *payload, hw_error *err)
{
	char *data = NULL, *line, *next;
	xform *form = NULL;
	xform_session *s = NULL;
	hw_error lerr = { 0, "" };
	int lineno = 0, rc, loaded;
	run r;
	xform_session_options opts = XFORM_SESSION_OPTIONS_INIT;
	case_field *cases = NULL;
	size_t ncases = 0;

	memset(out, 0, sizeof(*out));
	r.steps = steps_path;
	r.cb = cb;
	r.payload = payload;
	r.sum = out;
	if ((rc = hw_read_file(steps_path, &data, NULL, err)) < 0)
		return rc;
	loaded = xform_load(&form, form_path, &lerr) == 0;
	/* A fixed clock and device make runs repeatable. */
	opts.now = 1764000000;
	opts.deviceid = "scenario";
	opts.username = "scenario";
	for (line = data; line; line = next) {
		char *tok[MAX_TOKENS];
		size_t n;

		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!(n = tokenize(line, tok, MAX_TOKENS)))
			continue;
		if (!strcmp(tok[0], "expect-load-error")) {
			regex_t re;
			int ok = 0;

			if (n < 2 || regcomp(&re, tok[1], REG_EXTENDED | REG_NOSUB) != 0) {
				report(&r, lineno, 0, "a valid regular expression", n > 1 ? tok[1] : "");
				continue;
			}
			if (!loaded)
				ok = regexec(&re, lerr.msg, 0, NULL, 0) == 0;
			regfree(&re);
			{
				hw_buf e = HW_BUF_INIT;

				hw_buf_printf(&e, "load error matching /%s/", tok[1]);
				report(&r, lineno, ok, e.ptr, loaded ? "the form loaded" : lerr.msg);
				hw_buf_free(&e);
			}
			continue;
		}
		if (!loaded) {
			report(&r, lineno, 0, tok[0], lerr.msg);
			continue;
		}
		if (!strcmp(tok[0], "case")) {
			case_field *nc;

			if (s) {
				report(&r, lineno, 0, "case steps before the others", tok[0]);
			} else if (n != 3 || !case_name_ok(tok[1])) {
				report(&r, lineno, 0, "case FIELD VALUE", n > 1 ? tok[1] : tok[0]);
			} else if ((nc = realloc(cases, (ncases + 1) * sizeof(*nc)))) {
				cases = nc;
				nc[ncases].name = strdup(tok[1]);
				nc[ncases].value = strdup(tok[2]);
				if (nc[ncases].name && nc[ncases].value) {
					ncases++;
				} else {
					free(nc[ncases].name);
					free(nc[ncases].value);
					report(&r, lineno, 0, tok[0], "out of memory");
				}
			} else {
				report(&r, lineno, 0, tok[0], "out of memory");
			}
			continue;
		}
		if (!strcmp(tok[0], "case-member")) {
			case_field *nc;
			hw_buf v = HW_BUF_INIT;

			if (s) {
				report(&r, lineno, 0, "case steps before the others", tok[0]);
			} else if ((n != 3 && n != 4) || !case_name_ok(tok[1]) || !*tok[2] ||
				   strpbrk(tok[2], "<>&\t") ||
				   (n == 4 && strspn(tok[3], "0123456789") != strlen(tok[3]))) {
				report(&r, lineno, 0, "case-member RELATION LABEL [AGE]", n > 1 ? tok[1] : tok[0]);
			} else if (hw_buf_printf(&v, "%s\t%s\t%s", tok[1], tok[2], n == 4 ? tok[3] : "") == 0 &&
				   (nc = realloc(cases, (ncases + 1) * sizeof(*nc)))) {
				cases = nc;
				nc[ncases].name = strdup("");
				nc[ncases].value = hw_buf_detach(&v);
				if (nc[ncases].name && nc[ncases].value) {
					ncases++;
				} else {
					free(nc[ncases].name);
					free(nc[ncases].value);
					report(&r, lineno, 0, tok[0], "out of memory");
				}
			} else {
				report(&r, lineno, 0, tok[0], "out of memory");
			}
			hw_buf_free(&v);
			continue;
		}
		if (!s && start_session(&s, form, &opts, cases, ncases, &lerr) < 0) {
			loaded = 0;
			report(&r, lineno, 0, tok[0], lerr.msg);
			continue;
		}
		step(&r, s, lineno, tok, n);
	}
	for (size_t i = 0; i < ncases; i++) {
		free(cases[i].name);
		free(cases[i].value);
	}
	free(cases);
	xform_session_free(s);
	xform_free(form);
	free(data);
	return 0;
}
