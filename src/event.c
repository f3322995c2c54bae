/* event.c: the event codec (canonical JSON through jansson). */
#include "config.h"
#include "event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_types[] = {
	EV_CASE_OPENED, EV_CASE_UPDATED, EV_CASE_ASSIGNED, EV_CONSENT_RECORDED,
	EV_FORM_SUBMITTED, EV_REFERRAL_SENT, EV_CASE_CLOSED, EV_CASE_REOPENED,
	EV_CONFLICT_RESOLVED, NULL
};

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

void event_free(hw_event *ev)
{
	if (!ev)
		return;
	free(ev->author);
	free(ev->device);
	for (size_t i = 0; i < ev->nparents; i++)
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
		ev->parents[i] = strdup(json_string_value(v));
	}
	data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		hw_error_set(err, HW_EINVALID, "event member \"data\" is missing or not an object");
		goto cleanup;
	}
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
		ev->parents[i] = strdup(parents[i]);
	data = json_loads(data_json ? data_json : "{}", 0, &jerr);
	if (!json_is_object(data)) {
		json_decref(data);
		event_free(ev);
		return hw_error_set(err, HW_EINVALID, "event data is not a JSON object");
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
