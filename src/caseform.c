/*
 * caseform.c: the case a form is filled for (docs/form-entities.md).  The
 * form engine knows nothing of cases; this module turns a case into
 * instance('case') and says which forms apply to it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseform.h"
#include "cases.h"
#include "event.h"
#include "forms.h"
#include "util.h"

const char *const caseform_fields[] = {
	"name", "label", "__version", "given_name", "family_name", "birth_date", "birth_year",
	"age", "minor", "sex", "nationality", "return_country", "language", "vulnerability",
	"stage", "decision", "decision_date", "departure_planned", "departed_on", "return_type",
	"arrived_on", "follow_up_on", "follow_up_round", "closed_on", "assigned_to", "family", NULL
};

/* The nodes of each family/member of the item: the linked cases of the return file. */
static const char *const member_fields[] = {
	"name", "label", "relation", "age", "minor", "sex", NULL
};

const char *const caseform_saveto_fields[] = {
	"given_name", "family_name", "birth_date", "birth_year", "sex", "nationality",
	"return_country", "language", "vulnerability", NULL
};

/* True if word is in the NULL-terminated list. */
static int in_list(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(word, *list))
			return 1;
	return 0;
}

void caseform_age_minor(const store_case_row *row, char age[16], int *minor)
{
	char now[HW_TIME_LEN + 1];
	int by, bm, bd, ty, tm, td, a = -1;

	age[0] = '\0';
	*minor = row->minor;
	hw_now_iso(now);
	if (sscanf(now, "%d-%d-%d", &ty, &tm, &td) != 3)
		return;
	/* Both against today's date, not the day the events were folded. */
	now[10] = '\0';
	if (row->birth_date || row->birth_year > 0)
		*minor = case_is_minor(row->birth_date, row->birth_year, now);
	if (row->birth_date && sscanf(row->birth_date, "%d-%d-%d", &by, &bm, &bd) == 3)
		a = ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
	else if (row->birth_year > 0)
		a = ty - row->birth_year;
	if (a >= 0)
		snprintf(age, 16, "%d", a);
}

/* Append <name>value</name> with XML escapes (an empty element for NULL or ""). */
static void element(hw_buf *b, const char *name, const char *value)
{
	if (!value || !*value) {
		hw_buf_printf(b, "<%s/>", name);
		return;
	}
	hw_buf_printf(b, "<%s>", name);
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case '<': hw_buf_puts(b, "&lt;"); break;
		case '>': hw_buf_puts(b, "&gt;"); break;
		case '&': hw_buf_puts(b, "&amp;"); break;
		default: hw_buf_add(b, p, 1);
		}
	}
	hw_buf_printf(b, "</%s>", name);
}

/*
 * The case's return file as <family><member>...</member></family>: each
 * linked case with its id, names, relation (what the member is to this
 * case), age and minor today, and sex.  A member whose case is not on this
 * device has only its id and relation (label is the id).
 */
static int family_xml(hw_ws *ws, const store_case_work *work, hw_buf *b)
{
	char age[16];
	int minor, rc;

	if (!work->nfamily) {
		hw_buf_puts(b, "<family/>");
		return 0;
	}
	hw_buf_puts(b, "<family>");
	for (size_t i = 0; i < work->nfamily; i++) {
		const store_family_link *f = &work->family[i];
		store_case_row m;
		hw_buf label = HW_BUF_INIT;

		memset(&m, 0, sizeof(m));
		if ((rc = case_get(ws, f->member, &m)) == HW_ENOTFOUND) {
			hw_error_clear(ws_err(ws));
		} else if (rc < 0) {
			store_case_row_clear(&m);
			return rc;
		}
		hw_buf_puts(b, "<member>");
		element(b, "name", f->member);
		if (rc == 0) {
			hw_buf_printf(&label, "%s%s%s", m.given_name ? m.given_name : "",
				      m.given_name && m.family_name ? " " : "",
				      m.family_name ? m.family_name : "");
			caseform_age_minor(&m, age, &minor);
		}
		element(b, "label", label.len ? label.ptr : f->member);
		element(b, "relation", f->relation);
		element(b, "age", rc == 0 ? age : NULL);
		element(b, "minor", rc == 0 ? (minor ? "true" : "false") : NULL);
		element(b, "sex", rc == 0 ? m.sex : NULL);
		hw_buf_puts(b, "</member>");
		hw_buf_free(&label);
		store_case_row_clear(&m);
	}
	hw_buf_puts(b, "</family>");
	return 0;
}

/* Form properties: name and latest value, in first-seen order. */
typedef struct props {
	char **names, **values;
	size_t n;
	int oom;
} props;

static int prop_set(const char *key, const char *value, void *payload)
{
	props *p = payload;
	char *v = hw_strdup(value ? value : ""), **nn, **nv;
	size_t i;

	if (!v)
		return HW_ERROR;
	/* A property never shadows a case field (an event from elsewhere could try). */
	if (in_list(key, caseform_fields) || !xform_property_name_ok(key)) {
		free(v);
		return 0;
	}
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], key)) {
			free(p->values[i]);
			p->values[i] = v;
			return 0;
		}
	nn = realloc(p->names, (p->n + 1) * sizeof(*nn));
	if (nn)
		p->names = nn;
	nv = nn ? realloc(p->values, (p->n + 1) * sizeof(*nv)) : NULL;
	if (nv)
		p->values = nv;
	if (!nn || !nv || !(p->names[p->n] = strdup(key))) {
		free(v);
		return HW_ERROR;
	}
	p->values[p->n++] = v;
	return 0;
}

/* The properties of one form.submitted event. */
static int props_of_event(const char *json, void *payload)
{
	hw_event *ev = NULL;
	char *obj = NULL;
	int rc = 0;

	if (!strstr(json, "\"properties\""))
		return 0;   /* most events: not worth parsing */
	if (event_parse(&ev, json, strlen(json), NULL) < 0)
		return 0;   /* stored events were checked when they came in */
	if (!strcmp(ev->type, EV_FORM_SUBMITTED) && event_data_get(&obj, ev->data, "properties") == 0 &&
	    obj && *obj == '{')
		rc = event_data_each(obj, prop_set, payload);
	free(obj);
	event_free(ev);
	return rc == HW_EINVALID ? 0 : rc;
}

static void props_free(props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
}

int caseform_xml(hw_ws *ws, const char *case_id, int version, char **out, int *out_version)
{
	store_case_row row;
	store_case_work work;
	props p = { NULL, NULL, 0, 0 };
	hw_buf b = HW_BUF_INIT, names = HW_BUF_INIT, who = HW_BUF_INIT;
	char age[16], num[32];
	int minor, rc;

	*out = NULL;
	memset(&row, 0, sizeof(row));
	memset(&work, 0, sizeof(work));
	if ((rc = case_get(ws, case_id, &row)) < 0 || (rc = case_work_get(ws, case_id, &work)) < 0 ||
	    (rc = case_events(ws, case_id, props_of_event, &p)) < 0)
		goto cleanup;
	if (out_version)
		*out_version = row.nevents;
	caseform_age_minor(&row, age, &minor);
	hw_buf_printf(&names, "%s%s%s", row.given_name ? row.given_name : "",
		      row.given_name && row.family_name ? " " : "", row.family_name ? row.family_name : "");
	for (size_t i = 0; i < work.nassignees; i++)
		hw_buf_printf(&who, "%s%s", i ? " " : "", work.assignees[i].person);
	hw_buf_puts(&b, "<root><item>");
	element(&b, "name", row.id);
	element(&b, "label", names.ptr);
	snprintf(num, sizeof(num), "%d", version > 0 ? version : row.nevents);
	element(&b, "__version", num);
	element(&b, "given_name", row.given_name);
	element(&b, "family_name", row.family_name);
	element(&b, "birth_date", row.birth_date);
	snprintf(num, sizeof(num), "%d", row.birth_year);
	element(&b, "birth_year", row.birth_year > 0 ? num : NULL);
	element(&b, "age", age);
	element(&b, "minor", minor ? "true" : "false");
	element(&b, "sex", row.sex);
	element(&b, "nationality", row.nationality);
	element(&b, "return_country", row.return_country);
	element(&b, "language", row.language);
	element(&b, "vulnerability", row.vulnerability);
	element(&b, "stage", work.stage);
	element(&b, "decision", work.decision);
	element(&b, "decision_date", work.decision_date);
	element(&b, "departure_planned", work.departure_planned);
	element(&b, "departed_on", work.departed_on);
	element(&b, "return_type", work.return_type);
	element(&b, "arrived_on", work.arrived_on);
	element(&b, "follow_up_on", work.follow_up_on);
	element(&b, "follow_up_round", work.follow_up_round);
	element(&b, "closed_on", work.closed_on);
	element(&b, "assigned_to", who.len ? who.ptr : row.assigned_to);
	if ((rc = family_xml(ws, &work, &b)) < 0)
		goto cleanup;
	for (size_t i = 0; i < p.n; i++)
		element(&b, p.names[i], p.values[i]);
	hw_buf_puts(&b, "</item></root>");
	if (hw_buf_oom(&b) || hw_buf_oom(&names) || hw_buf_oom(&who)) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	*out = hw_buf_detach(&b);
cleanup:
	if (rc == HW_ERROR && !ws_err(ws)->msg[0])
		hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	hw_buf_free(&b);
	hw_buf_free(&names);
	hw_buf_free(&who);
	props_free(&p);
	store_case_row_clear(&row);
	store_case_work_clear(&work);
	return rc;
}

int caseform_applies(hw_ws *ws, const xform *form, const char *case_xml, int *applies, int *why)
{
	const char *to = xform_applies_to(form);

	if (why)
		*why = !to ? CASEFORM_FOR_ALL : !strcmp(to, "minor") ? CASEFORM_FOR_MINORS :
			!strcmp(to, "adult") ? CASEFORM_FOR_ADULTS : CASEFORM_FOR_EXPR;
	return xform_applies(applies, form, case_xml, 0, ws_err(ws));
}

typedef struct forms_walk {
	hw_ws *ws;
	const char *case_xml;
	int (*cb)(const caseform_entry *e, void *payload);
	void *payload;
} forms_walk;

static int walk_form(const forms_entry *fe, void *payload)
{
	forms_walk *w = payload;
	caseform_entry e = { fe->id, fe->version, fe->title, fe->path, 1, CASEFORM_FOR_ALL, NULL };
	xform *form = NULL;
	int rc;

	if (xform_load(&form, fe->path, NULL) == 0) {
		if (caseform_applies(w->ws, form, w->case_xml, &e.applies, &e.why) < 0)
			hw_error_clear(ws_err(w->ws));
		if (e.why == CASEFORM_FOR_EXPR)
			e.expr = xform_applies_to(form);
	}
	rc = w->cb(&e, w->payload);
	xform_free(form);
	return rc;
}

int caseform_forms(hw_ws *ws, const char *case_id,
		   int (*cb)(const caseform_entry *e, void *payload), void *payload)
{
	forms_walk w = { ws, NULL, cb, payload };
	char *xml = NULL;
	int rc;

	if ((rc = caseform_xml(ws, case_id, 0, &xml, NULL)) < 0)
		return rc;
	w.case_xml = xml;
	rc = forms_list(ws, walk_form, NULL, &w);
	free(xml);
	return rc;
}

/* --- form check ------------------------------------------------------------ */

typedef struct check {
	const xform *form;
	const xform *const *known;
	size_t nknown;
	caseform_problem_fn fn;
	void *payload;
	int count;
	hw_buf seen;    /* " name " of every node already reported */
} check;

/* True if some form (this one or a known one) saves to property. */
static int saved_by_a_form(const check *c, const char *property)
{
	const char *p;

	for (size_t k = 0; k <= c->nknown; k++) {
		const xform *f = k == 0 ? c->form : c->known[k - 1];

		for (size_t i = 0; f && xform_saveto_at(f, i, NULL, &p, NULL) == 0; i++)
			if (!strcmp(p, property))
				return 1;
	}
	return 0;
}

static void problem(check *c, int line, const char *msg)
{
	c->count++;
	if (c->fn)
		c->fn(line, msg, c->payload);
}

static void check_ref(const char *path, int line, void *payload)
{
	check *c = payload;
	const char *name;
	char key[200], msg[300];

	if (!strcmp(path, "/root") || !strcmp(path, "/root/item"))
		return;
	snprintf(key, sizeof(key), " %s ", path);
	if (c->seen.ptr && strstr(c->seen.ptr, key))
		return;
	hw_buf_puts(&c->seen, key);
	if (!strcmp(path, "/root/item/family/member") ||
	    (!strncmp(path, "/root/item/family/member/", 25) && in_list(path + 25, member_fields)))
		return;
	if (strncmp(path, "/root/item/", 11) || strchr(path + 11, '/')) {
		snprintf(msg, sizeof(msg), "instance('case') has no node %.100s: the case is /root/item/NAME",
			 path);
		problem(c, line, msg);
		return;
	}
	name = path + 11;
	if (in_list(name, caseform_fields) || saved_by_a_form(c, name))
		return;
	snprintf(msg, sizeof(msg),
		 "instance('case') has no \"%.100s\": not a case field, and no form checked with it saves to it",
		 name);
	problem(c, line, msg);
}

int caseform_check(const xform *form, const xform *const *known, size_t nknown,
		   caseform_problem_fn fn, void *payload)
{
	check c = { form, known, nknown, fn, payload, 0, HW_BUF_INIT };
	const char *path, *prop;
	int line;

	for (size_t i = 0; xform_saveto_at(form, i, &path, &prop, &line) == 0; i++) {
		char msg[300];

		if (!in_list(prop, caseform_fields) || in_list(prop, caseform_saveto_fields))
			continue;
		snprintf(msg, sizeof(msg), "saveto \"%s\" of %.100s: that case field follows from the "
			 "case's events and cannot be saved by a form", prop, path);
		problem(&c, line, msg);
	}
	if (xform_has_case(form))
		xform_instance_refs(form, "case", check_ref, &c, NULL);
	hw_buf_free(&c.seen);
	return c.count;
}
