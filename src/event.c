/* event.c: the event codec (canonical JSON through jansson). */
#include "config.h"
#include "event.h"
#include "iso.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_types[] = {
	EV_CASE_OPENED, EV_CASE_UPDATED, EV_CASE_ASSIGNED, EV_CONSENT_RECORDED,
	EV_FORM_SUBMITTED, EV_REFERRAL_SENT, EV_CASE_CLOSED, EV_CASE_REOPENED,
	EV_CONFLICT_RESOLVED, EV_CASE_DECIDED, EV_CASE_DEPARTED, EV_CASE_ARRIVED,
	EV_CONSENT_WITHDRAWN, EV_REFERRAL_UPDATED, EV_APPOINTMENT_SET, EV_APPOINTMENT_DONE,
	EV_APPOINTMENT_MISSED, EV_FAMILY_LINKED, EV_FAMILY_UNLINKED, NULL
};

const char *const event_decisions[] = {
	"return", "stay_in_procedure", "undecided", "withdrawn", NULL
};
const char *const event_return_types[] = {
	"assisted_voluntary", "independent_voluntary", "forced", NULL
};
const char *const event_close_reasons[] = {
	"reintegration_completed", "lost_contact", "declined_assistance",
	"transferred_out", "deceased", "other", NULL
};
const char *const event_roles[] = { "counsellor", "field_officer", "supervisor", NULL };
const char *const event_purposes[] = {
	"counselling", "data_processing", "share_with_provider", "health_data",
	"contact_family", NULL
};
const char *const event_present[] = {
	"guardian", "interpreter", "legal_representative", "social_worker", "family_member", NULL
};
const char *const event_referral_statuses[] = {
	"accepted", "declined", "in_progress", "service_delivered", "closed", NULL
};
static const char *const form_milestones[] = { "pre_departure", "follow_up", NULL };
const char *const event_urgencies[] = { "normal", "urgent", NULL };
/* The kinds of docs/assistance-inventory.md. */
const char *const event_assistance_kinds[] = {
	"cash", "in_kind", "business", "housing", "employment", "training", "education",
	"medical", "psychosocial", "legal", "family", "travel", "reception", NULL
};
/* How an appointment takes place (docs/agenda.md). */
const char *const event_channels[] = { "in_person", "phone", "video", NULL };
/*
 * What a linked member is to the case the event is on; ward is the other
 * side of guardian (the guardian's case says its member is its ward).
 */
const char *const event_relations[] = {
	"parent", "child", "spouse", "sibling", "guardian", "ward", "other", NULL
};

int event_word_in(const char *word, const char *const *list)
{
	for (size_t i = 0; word && list[i]; i++)
		if (strcmp(word, list[i]) == 0)
			return 1;
	return 0;
}

int event_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

int event_time_valid(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return 0;
	return (s[0] - '0') * 10 + (s[1] - '0') < 24;
}

/* Canonical form: sorted keys, compact, UTF-8 as is. */
#define CANON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT)

int event_type_known(const char *type)
{
	for (size_t i = 0; known_types[i]; i++)
		if (strcmp(type, known_types[i]) == 0)
			return 1;
	return 0;
}

/* True if s looks like "YYYY-MM-DDTHH:MM:SSZ". */
static int time_valid(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != HW_TIME_LEN)
		return 0;
	for (size_t i = 0; i < HW_TIME_LEN; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	}
	return 1;
}

/* A short identifier (device id, author): printable, no control characters. */
static int ident_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* --- the schemas of event data ----------------------------------------- */

enum {
	M_TEXT = 1,    /* free text: at most 2000 bytes, no control characters but tab and newline */
	M_IDENT,       /* a short name or id: 1..200 bytes, no control characters */
	M_DATE,        /* YYYY-MM-DD */
	M_WORD,        /* one word of the member's vocabulary */
	M_WORDS,       /* a list of distinct words of the vocabulary */
	M_IDENTS,      /* a list of distinct identifiers */
	M_PROPS,       /* an object of form properties: name -> text (docs/form-entities.md) */
	M_BOOL,
	M_UUID,        /* an event id */
	M_LANG,        /* a language code: ar, fa, en-GB */
	M_TIME,        /* HH:MM */
	M_ANY,         /* not checked here */
};

typedef struct member_schema {
	const char *name;
	int kind;
	int required;
	const char *const *vocab;
} member_schema;

typedef struct event_schema {
	const char *type;
	member_schema members[12];
} event_schema;

static const event_schema schemas[] = {
	{ EV_CASE_DECIDED, {
		{ "decision", M_WORD, 1, event_decisions },
		{ "date", M_DATE, 1, NULL },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_CASE_DEPARTED, {
		{ "date", M_DATE, 1, NULL },
		{ "return_type", M_WORD, 1, event_return_types },
		{ "assistance_granted", M_BOOL, 1, NULL },
		{ "assistance", M_WORDS, 0, event_assistance_kinds } } },
	{ EV_CASE_ARRIVED, {
		{ "date", M_DATE, 1, NULL },
		{ "confirmed_by", M_IDENT, 1, NULL } } },
	{ EV_CASE_CLOSED, {
		{ "reason", M_WORD, 1, event_close_reasons },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_CASE_REOPENED, {
		{ "reason", M_TEXT, 1, NULL } } },
	{ EV_CASE_ASSIGNED, {
		{ "assignee", M_IDENT, 1, NULL },
		{ "role", M_WORD, 1, event_roles },
		{ "organisation", M_IDENT, 0, NULL },
		{ "note", M_TEXT, 0, NULL },
		{ "unassign", M_IDENTS, 0, NULL } } },
	{ EV_CONSENT_RECORDED, {
		{ "purpose", M_WORD, 1, event_purposes },
		{ "granted", M_BOOL, 1, NULL },
		{ "recipient", M_IDENT, 0, NULL },
		{ "language", M_LANG, 0, NULL },
		{ "present", M_WORDS, 0, event_present },
		{ "date", M_DATE, 1, NULL },
		{ "override_reason", M_TEXT, 0, NULL } } },
	{ EV_CONSENT_WITHDRAWN, {
		{ "purpose", M_WORD, 1, event_purposes },
		{ "recipient", M_IDENT, 0, NULL },
		{ "date", M_DATE, 1, NULL } } },
	{ EV_REFERRAL_SENT, {
		{ "provider", M_IDENT, 1, NULL },
		{ "kinds", M_WORDS, 1, event_assistance_kinds },
		{ "submissions", M_IDENTS, 0, NULL },
		{ "urgency", M_WORD, 0, event_urgencies },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_REFERRAL_UPDATED, {
		{ "referral", M_UUID, 1, NULL },
		{ "status", M_WORD, 1, event_referral_statuses },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_FORM_SUBMITTED, {
		{ "form_id", M_IDENT, 1, NULL },
		{ "form_version", M_ANY, 1, NULL },
		{ "instance_id", M_IDENT, 1, NULL },
		{ "sha256", M_ANY, 1, NULL },
		{ "deprecated_id", M_IDENT, 0, NULL },
		{ "departure_date", M_DATE, 0, NULL },
		{ "return_type", M_WORD, 0, event_return_types },
		{ "follow_up_round", M_IDENT, 0, NULL },
		{ "arrival_date", M_DATE, 0, NULL },
		{ "milestone", M_WORD, 0, form_milestones },
		{ "properties", M_PROPS, 0, NULL } } },
	{ EV_APPOINTMENT_SET, {
		{ "date", M_DATE, 1, NULL },
		{ "time", M_TIME, 0, NULL },
		{ "channel", M_WORD, 0, event_channels },
		{ "place", M_TEXT, 0, NULL },
		{ "assigned", M_IDENT, 0, NULL },
		{ "purpose", M_TEXT, 0, NULL },
		{ "round", M_IDENT, 0, NULL },
		{ "form", M_IDENT, 0, NULL },
		{ "replaces", M_UUID, 0, NULL } } },
	{ EV_APPOINTMENT_DONE, {
		{ "appointment", M_UUID, 1, NULL },
		{ "date", M_DATE, 1, NULL },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_APPOINTMENT_MISSED, {
		{ "appointment", M_UUID, 1, NULL },
		{ "date", M_DATE, 1, NULL },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_FAMILY_LINKED, {
		{ "member", M_UUID, 1, NULL },
		{ "relation", M_WORD, 1, event_relations },
		{ "note", M_TEXT, 0, NULL } } },
	{ EV_FAMILY_UNLINKED, {
		{ "member", M_UUID, 1, NULL },
		{ "note", M_TEXT, 0, NULL } } },
};

/* A string free of control characters (tab and newline allowed in text). */
static int clean_string(const char *s, size_t min, size_t max, int text)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(text && (c == '\n' || c == '\t'))) || c == 0x7f)
			return 0;
	}
	return 1;
}

static int lang_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");

	if (n < 2 || n > 3 || !iso_language_name(s))
		return 0;
	for (s += n; *s; s++)
		if (!(*s == '-' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/*
 * Form properties saved by entities:saveto: at most 64, each named like a
 * saveto property (lower-case letters, digits and _, not starting with a
 * digit, not name, label or __...) with a text value.
 */
static int check_props(const char *type, const member_schema *m, json_t *v, hw_error *err)
{
	const char *key;
	json_t *e;

	if (!json_is_object(v) || json_object_size(v) > 64)
		return hw_error_set(err, HW_EINVALID, "%s: %s must be an object of at most 64 texts",
				    type, m->name);
	json_object_foreach(v, key, e) {
		size_t n = strlen(key);

		if (n == 0 || n > 64 || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
		    (key[0] >= '0' && key[0] <= '9') || !strcmp(key, "name") || !strcmp(key, "label") ||
		    !strncmp(key, "__", 2))
			return hw_error_set(err, HW_EINVALID, "%s: %s: \"%.60s\" is not a property name",
					    type, m->name, key);
		if (!json_is_string(e) || !clean_string(json_string_value(e), 0, 2000, 1))
			return hw_error_set(err, HW_EINVALID, "%s: %s: %s is not a text of at most 2000 bytes "
					    "without control characters", type, m->name, key);
	}
	return 0;
}

/* Check one member's value; 0 or HW_EINVALID naming it. */
static int check_member(const char *type, const member_schema *m, json_t *v, hw_error *err)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t i, j;
	json_t *e;

	switch (m->kind) {
	case M_ANY:
		return 0;
	case M_PROPS:
		return check_props(type, m, v, err);
	case M_BOOL:
		if (json_is_boolean(v))
			return 0;
		return hw_error_set(err, HW_EINVALID, "%s: %s must be true or false", type, m->name);
	case M_WORDS:
	case M_IDENTS:
		if (!json_is_array(v))
			return hw_error_set(err, HW_EINVALID, "%s: %s must be a list", type, m->name);
		if (m->required && json_array_size(v) == 0)
			return hw_error_set(err, HW_EINVALID, "%s: %s must not be empty", type, m->name);
		json_array_foreach(v, i, e) {
			const char *w = json_is_string(e) ? json_string_value(e) : NULL;

			if (!w || !clean_string(w, 1, 200, 0) ||
			    (m->kind == M_WORDS && !event_word_in(w, m->vocab)))
				return hw_error_set(err, HW_EINVALID, "%s: %s \"%.60s\" is not allowed",
						    type, m->name, w ? w : "(not a string)");
			for (j = 0; j < i; j++)
				if (!strcmp(w, json_string_value(json_array_get(v, j))))
					return hw_error_set(err, HW_EINVALID, "%s: %s lists \"%.60s\" twice",
							    type, m->name, w);
		}
		return 0;
	default:
		break;
	}
	if (!s)
		return hw_error_set(err, HW_EINVALID, "%s: %s must be a string", type, m->name);
	switch (m->kind) {
	case M_TEXT:
		if (!clean_string(s, m->required ? 1 : 0, 2000, 1))
			return hw_error_set(err, HW_EINVALID, "%s: %s is empty, too long or has control characters",
					    type, m->name);
		return 0;
	case M_IDENT:
		if (!clean_string(s, 1, 200, 0))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.60s\" is empty, too long or malformed",
					    type, m->name, s);
		return 0;
	case M_DATE:
		if (!event_date_valid(s))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.40s\" is not a date (YYYY-MM-DD)",
					    type, m->name, s);
		return 0;
	case M_WORD:
		if (!event_word_in(s, m->vocab))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.60s\" is not one of the known values",
					    type, m->name, s);
		return 0;
	case M_UUID:
		if (!hw_uuid_valid(s))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.40s\" is not an id", type, m->name, s);
		return 0;
	case M_TIME:
		if (!event_time_valid(s))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.40s\" is not a time (HH:MM)",
					    type, m->name, s);
		return 0;
	case M_LANG:
		if (!lang_valid(s))
			return hw_error_set(err, HW_EINVALID, "%s: %s \"%.40s\" is not a language code",
					    type, m->name, s);
		return 0;
	}
	return 0;
}

/* strcmp where NULL equals nothing. */
static int hw_strcmp0(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) : 1;
}

/* A string member, or NULL. */
static const char *str_member(json_t *data, const char *key)
{
	json_t *v = json_object_get(data, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Rules across members (required members are known to be there). */
static int check_rules(const char *type, json_t *data, hw_error *err)
{
	const char *s;
	json_t *v;

#define STR(k) str_member(data, k)
	if (!strcmp(type, EV_CASE_DEPARTED)) {
		v = json_object_get(data, "assistance");
		if (v && json_array_size(v) && !json_is_true(json_object_get(data, "assistance_granted")))
			return hw_error_set(err, HW_EINVALID,
					    "%s: assistance is listed but assistance_granted is false", type);
	} else if (!strcmp(type, EV_CASE_CLOSED)) {
		s = STR("note");
		if (!hw_strcmp0(STR("reason"), "other") && (!s || !*s))
			return hw_error_set(err, HW_EINVALID, "%s: the reason \"other\" needs a note", type);
	} else if (!strcmp(type, EV_CASE_ASSIGNED)) {
		size_t i;

		json_array_foreach(json_object_get(data, "unassign"), i, v)
			if (!hw_strcmp0(json_string_value(v), STR("assignee")))
				return hw_error_set(err, HW_EINVALID, "%s: %s is both assigned and unassigned",
						    type, STR("assignee"));
	} else if (!strcmp(type, EV_CONSENT_RECORDED) || !strcmp(type, EV_CONSENT_WITHDRAWN)) {
		if (!hw_strcmp0(STR("purpose"), "share_with_provider") && !STR("recipient"))
			return hw_error_set(err, HW_EINVALID,
					    "%s: sharing with a provider needs the recipient", type);
	} else if (!strcmp(type, EV_APPOINTMENT_SET)) {
		/* A follow-up round: m and a number of months after the arrival (m3, m12). */
		s = STR("round");
		if (s && (s[0] != 'm' || strlen(s) < 2 || strlen(s) > 4 ||
			  strspn(s + 1, "0123456789") != strlen(s) - 1))
			return hw_error_set(err, HW_EINVALID, "%s: round \"%.20s\" is not m and a number of months",
					    type, s);
	} else if (!strcmp(type, EV_REFERRAL_UPDATED)) {
		s = STR("note");
		if (!hw_strcmp0(STR("status"), "declined") && (!s || !*s))
			return hw_error_set(err, HW_EINVALID, "%s: a declined referral needs the reason as a note",
					    type);
	}
#undef STR
	return 0;
}

static int check_data(const char *type, json_t *data, hw_error *err)
{
	const event_schema *sc = NULL;
	const char *key;
	json_t *v;

	for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++)
		if (!strcmp(schemas[i].type, type))
			sc = &schemas[i];
	if (!sc)
		return 0;   /* case.opened, case.updated, conflict.resolved: checked by their modules */
	json_object_foreach(data, key, v) {
		const member_schema *m = NULL;
		int rc;

		for (size_t k = 0; k < 12 && sc->members[k].name; k++)
			if (!strcmp(sc->members[k].name, key))
				m = &sc->members[k];
		if (!m)
			return hw_error_set(err, HW_EINVALID, "%s: unknown member \"%.60s\"", type, key);
		if ((rc = check_member(type, m, v, err)) < 0)
			return rc;
	}
	for (size_t k = 0; k < 12 && sc->members[k].name; k++)
		if (sc->members[k].required && !json_object_get(data, sc->members[k].name))
			return hw_error_set(err, HW_EINVALID, "%s: %s is missing", type, sc->members[k].name);
	return check_rules(type, data, err);
}

int event_check_data(const char *type, const char *data_json, hw_error *err)
{
	json_error_t jerr;
	json_t *data = json_loads(data_json ? data_json : "{}", JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!json_is_object(data)) {
		json_decref(data);
		return hw_error_set(err, HW_EINVALID, "%s: data is not a JSON object", type);
	}
	rc = check_data(type, data, err);
	json_decref(data);
	return rc;
}

void event_free(hw_event *ev)
{
	if (!ev)
		return;
	free(ev->author);
	free(ev->device);
	for (size_t i = 0; ev->parents && i < ev->nparents; i++)
		free(ev->parents[i]);
	free(ev->parents);
	free(ev->data);
	free(ev);
}

int event_parse(hw_event **out, const char *json, size_t len, hw_error *err)
{
	json_t *root = NULL, *v, *parents, *data;
	json_error_t jerr;
	hw_event *ev = NULL;
	const char *s;
	int rc = HW_EINVALID;
	static const char *const members[] = { "id", "case", "type", "at", "author", "device", NULL };

	*out = NULL;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		hw_error_set(err, HW_EINVALID, "event is not valid JSON (line %d: %s)", jerr.line, jerr.text);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		hw_error_set(err, HW_EINVALID, "event is not a JSON object");
		goto cleanup;
	}
	for (size_t i = 0; members[i]; i++) {
		if (!json_is_string(json_object_get(root, members[i]))) {
			hw_error_set(err, HW_EINVALID, "event member \"%s\" is missing or not a string", members[i]);
			goto cleanup;
		}
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	s = json_string_value(json_object_get(root, "id"));
	if (!hw_uuid_valid(s)) {
		hw_error_set(err, HW_EINVALID, "event id \"%.40s\" is not a UUID", s);
		goto cleanup;
	}
	memcpy(ev->id, s, HW_UUID_LEN + 1);
	s = json_string_value(json_object_get(root, "case"));
	if (!hw_uuid_valid(s)) {
		hw_error_set(err, HW_EINVALID, "case id \"%.40s\" is not a UUID", s);
		goto cleanup;
	}
	memcpy(ev->case_id, s, HW_UUID_LEN + 1);
	s = json_string_value(json_object_get(root, "type"));
	if (!event_type_known(s)) {
		hw_error_set(err, HW_EINVALID, "unknown event type \"%.40s\"", s);
		goto cleanup;
	}
	snprintf(ev->type, sizeof(ev->type), "%s", s);
	s = json_string_value(json_object_get(root, "at"));
	if (!time_valid(s)) {
		hw_error_set(err, HW_EINVALID, "event time \"%.40s\" is not ISO 8601 UTC", s);
		goto cleanup;
	}
	memcpy(ev->at, s, HW_TIME_LEN + 1);
	s = json_string_value(json_object_get(root, "author"));
	if (!ident_valid(s, 200)) {
		hw_error_set(err, HW_EINVALID, "event author is empty or malformed");
		goto cleanup;
	}
	ev->author = strdup(s);
	s = json_string_value(json_object_get(root, "device"));
	if (!ident_valid(s, 100)) {
		hw_error_set(err, HW_EINVALID, "event device is empty or malformed");
		goto cleanup;
	}
	ev->device = strdup(s);
	parents = json_object_get(root, "parents");
	if (!json_is_array(parents)) {
		hw_error_set(err, HW_EINVALID, "event member \"parents\" is missing or not a list");
		goto cleanup;
	}
	ev->nparents = json_array_size(parents);
	ev->parents = calloc(ev->nparents ? ev->nparents : 1, sizeof(char *));
	if (!ev->parents) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < ev->nparents; i++) {
		v = json_array_get(parents, i);
		if (!json_is_string(v) || !hw_uuid_valid(json_string_value(v))) {
			hw_error_set(err, HW_EINVALID, "event parent %zu is not an event id", i + 1);
			goto cleanup;
		}
		if (!(ev->parents[i] = strdup(json_string_value(v)))) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto cleanup;
		}
	}
	data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		hw_error_set(err, HW_EINVALID, "event member \"data\" is missing or not an object");
		goto cleanup;
	}
	if (check_data(ev->type, data, err) < 0)
		goto cleanup;
	ev->data = json_dumps(data, CANON_FLAGS);
	if (json_object_size(root) != 8) {
		hw_error_set(err, HW_EINVALID, "event has unknown members");
		goto cleanup;
	}
	if (!ev->author || !ev->device || !ev->data) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	*out = ev;
	ev = NULL;
	rc = 0;
cleanup:
	event_free(ev);
	json_decref(root);
	return rc;
}

int event_to_json(char **out, const hw_event *ev, hw_error *err)
{
	json_t *root = json_object(), *parents = json_array(), *data = NULL;
	json_error_t jerr;
	int rc = HW_ERROR;

	*out = NULL;
	if (!root || !parents)
		goto oom;
	data = json_loads(ev->data ? ev->data : "{}", 0, &jerr);
	if (!json_is_object(data)) {
		rc = hw_error_set(err, HW_EINVALID, "event data is not a JSON object");
		goto cleanup;
	}
	for (size_t i = 0; i < ev->nparents; i++)
		json_array_append_new(parents, json_string(ev->parents[i]));
	json_object_set_new(root, "id", json_string(ev->id));
	json_object_set_new(root, "case", json_string(ev->case_id));
	json_object_set_new(root, "type", json_string(ev->type));
	json_object_set_new(root, "at", json_string(ev->at));
	json_object_set_new(root, "author", json_string(ev->author ? ev->author : ""));
	json_object_set_new(root, "device", json_string(ev->device ? ev->device : ""));
	json_object_set(root, "parents", parents);
	json_object_set(root, "data", data);
	*out = json_dumps(root, CANON_FLAGS);
	if (!*out)
		goto oom;
	rc = 0;
	goto cleanup;
oom:
	rc = hw_error_set(err, HW_ERROR, "out of memory");
cleanup:
	json_decref(data);
	json_decref(parents);
	json_decref(root);
	return rc;
}

int event_new(hw_event **out, const char *case_id, const char *type,
	      const char *author, const char *device,
	      const char *const *parents, size_t nparents,
	      const char *data_json, hw_error *err)
{
	hw_event *ev = calloc(1, sizeof(*ev));
	json_t *data = NULL;
	json_error_t jerr;

	*out = NULL;
	if (!ev)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!event_type_known(type)) {
		event_free(ev);
		return hw_error_set(err, HW_EINVALID, "unknown event type \"%s\"", type);
	}
	if (hw_uuid(ev->id) < 0) {
		event_free(ev);
		return hw_error_set(err, HW_ERROR, "cannot read random bytes for an id");
	}
	snprintf(ev->case_id, sizeof(ev->case_id), "%s", case_id);
	snprintf(ev->type, sizeof(ev->type), "%s", type);
	hw_now_iso(ev->at);
	ev->author = strdup(author && *author ? author : "unknown");
	ev->device = strdup(device && *device ? device : "unknown");
	ev->parents = calloc(nparents ? nparents : 1, sizeof(char *));
	ev->nparents = nparents;
	for (size_t i = 0; ev->parents && i < nparents; i++)
		if (!(ev->parents[i] = strdup(parents[i]))) {
			event_free(ev);
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
	data = json_loads(data_json ? data_json : "{}", 0, &jerr);
	if (!json_is_object(data)) {
		json_decref(data);
		event_free(ev);
		return hw_error_set(err, HW_EINVALID, "event data is not a JSON object");
	}
	{
		int rc = check_data(type, data, err);

		if (rc < 0) {
			json_decref(data);
			event_free(ev);
			return rc;
		}
	}
	ev->data = json_dumps(data, CANON_FLAGS);
	json_decref(data);
	if (!ev->author || !ev->device || !ev->parents || !ev->data) {
		event_free(ev);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	*out = ev;
	return 0;
}

/*
 * A JSON value as the string the fold stores, in *out (NULL for null/absent;
 * caller frees).  Returns 0 or HW_ERROR (out of memory): a value is never
 * silently read as null or cut short.
 */
static int value_string(json_t *v, char **out)
{
	hw_buf b = HW_BUF_INIT;
	char num[64];

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = strdup(num);
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		*out = strdup(num);
	} else if (json_is_boolean(v)) {
		*out = strdup(json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach(v, i, e) {
			char *s;

			if (value_string(e, &s) < 0) {
				hw_buf_free(&b);
				return HW_ERROR;
			}
			if (s) {
				if (b.len)
					hw_buf_puts(&b, " ");
				hw_buf_puts(&b, s);
				free(s);
			}
		}
		*out = hw_buf_detach(&b);
	} else {
		*out = json_dumps(v, CANON_FLAGS);
	}
	return *out ? 0 : HW_ERROR;
}

int event_data_get(char **out, const char *data_json, const char *key)
{
	json_error_t jerr;
	json_t *root = json_loads(data_json ? data_json : "{}", 0, &jerr);
	int rc;

	*out = NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		return HW_EINVALID;
	}
	rc = value_string(json_object_get(root, key), out);
	json_decref(root);
	return rc;
}

int event_data_each(const char *data_json,
		    int (*cb)(const char *key, const char *value, void *payload),
		    void *payload)
{
	json_error_t jerr;
	json_t *root = json_loads(data_json ? data_json : "{}", 0, &jerr), *v;
	const char *key;
	int rc = 0;

	if (!json_is_object(root)) {
		json_decref(root);
		return HW_EINVALID;
	}
	json_object_foreach(root, key, v) {
		char *s;

		rc = value_string(v, &s);
		if (rc < 0)
			break;
		rc = cb(key, s, payload);
		free(s);
		if (rc)
			break;
	}
	json_decref(root);
	return rc;
}

char *event_data_build(const char *const *kv)
{
	json_t *root = json_object();
	char *s;

	for (size_t i = 0; kv && kv[i]; i += 2)
		json_object_set_new(root, kv[i], kv[i + 1] ? json_string(kv[i + 1]) : json_null());
	s = json_dumps(root, CANON_FLAGS);
	json_decref(root);
	return s;
}
