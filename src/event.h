/*
 * event.h: case events, the unit of everything Homeward records and syncs.
 *
 * An event is immutable canonical JSON (UTF-8, sorted keys, no spaces), one
 * file per event in the repository.  Only this module includes jansson.
 */
#ifndef HW_EVENT_H
#define HW_EVENT_H

#include <stddef.h>

#include "error.h"
#include "util.h"

/* Event types. */
#define EV_CASE_OPENED "case.opened"
#define EV_CASE_UPDATED "case.updated"
#define EV_CASE_ASSIGNED "case.assigned"
#define EV_CONSENT_RECORDED "consent.recorded"
#define EV_FORM_SUBMITTED "form.submitted"
#define EV_REFERRAL_SENT "referral.sent"
#define EV_CASE_CLOSED "case.closed"
#define EV_CASE_REOPENED "case.reopened"
#define EV_CONFLICT_RESOLVED "conflict.resolved"
#define EV_CASE_DECIDED "case.decided"
#define EV_CASE_DEPARTED "case.departed"
#define EV_CASE_ARRIVED "case.arrived"
#define EV_CONSENT_WITHDRAWN "consent.withdrawn"
#define EV_REFERRAL_UPDATED "referral.updated"
#define EV_APPOINTMENT_SET "appointment.set"
#define EV_APPOINTMENT_DONE "appointment.done"
#define EV_APPOINTMENT_MISSED "appointment.missed"
#define EV_FAMILY_LINKED "family.linked"
#define EV_FAMILY_UNLINKED "family.unlinked"

/*
 * The closed vocabularies of case work (docs/case-work.md), each a
 * NULL-terminated list: what the event validation accepts and what front
 * ends offer.
 */
extern const char *const event_decisions[];      /* return, stay_in_procedure, ... */
extern const char *const event_return_types[];   /* assisted_voluntary, ... */
extern const char *const event_close_reasons[];  /* reintegration_completed, ... */
extern const char *const event_roles[];          /* counsellor, field_officer, supervisor */
extern const char *const event_purposes[];       /* counselling, data_processing, ... */
extern const char *const event_present[];        /* guardian, interpreter, ... */
extern const char *const event_referral_statuses[]; /* accepted, declined, ... */
extern const char *const event_urgencies[];      /* normal, urgent */
extern const char *const event_assistance_kinds[]; /* the inventory's kind codes */
extern const char *const event_channels[];       /* in_person, phone, video */
extern const char *const event_relations[];      /* parent, child, spouse, sibling, guardian, ward, other */

/* True if word is in the NULL-terminated list. */
int event_word_in(const char *word, const char *const *list);

/* True if s is a calendar date YYYY-MM-DD. */
int event_date_valid(const char *s);

/* True if s is a time of day HH:MM (00:00 to 23:59). */
int event_time_valid(const char *s);

typedef struct hw_event {
	char id[HW_UUID_LEN + 1];
	char case_id[HW_UUID_LEN + 1];
	char type[32];
	char at[HW_TIME_LEN + 1];
	char *author;        /* counsellor name; owned */
	char *device;        /* device id; owned */
	char **parents;      /* event ids; owned */
	size_t nparents;
	char *data;          /* canonical JSON object text of the "data" member; owned */
} hw_event;

/* True if type is one of the known event types. */
int event_type_known(const char *type);

/*
 * Check the "data" of an event of the given type against its schema
 * (docs/case-work.md): required members present, values of the right type
 * and vocabulary, no unknown members.  The one place where event contents
 * are validated: event_parse (import, merge, fold) and event_new (local
 * recording) both call it.  HW_EINVALID with a message naming the member
 * and the value.
 */
int event_check_data(const char *type, const char *data_json, hw_error *err);

/*
 * Parse and validate event JSON: all members present with the right types,
 * ids are UUIDs, time is ISO UTC, type known, data an object that passes
 * event_check_data.  On success
 * *out is a new event (caller frees with event_free).
 */
int event_parse(hw_event **out, const char *json, size_t len, hw_error *err);

/* Serialise ev as canonical JSON (caller frees). */
int event_to_json(char **out, const hw_event *ev, hw_error *err);

/*
 * Build a new event with a fresh id and the current time.  data_json is a
 * JSON object text (NULL for {}), re-serialised canonically.
 */
int event_new(hw_event **out, const char *case_id, const char *type,
	      const char *author, const char *device,
	      const char *const *parents, size_t nparents,
	      const char *data_json, hw_error *err);

/* Free an event; NULL is fine. */
void event_free(hw_event *ev);

/*
 * Read one member of a JSON object text as a string: strings as they are,
 * numbers/booleans printed, arrays of strings joined with spaces.  *out is
 * NULL when absent or null.  Caller frees.  Returns 0, HW_EINVALID (not
 * an object) or HW_ERROR (out of memory).
 */
int event_data_get(char **out, const char *data_json, const char *key);

/*
 * Iterate the members of a JSON object text: cb(key, value-as-string-or-NULL).
 * Returns 0, what cb returned if not 0, HW_EINVALID or HW_ERROR (out of memory).
 */
int event_data_each(const char *data_json,
		    int (*cb)(const char *key, const char *value, void *payload),
		    void *payload);

/* Build a JSON object text from NULL-terminated key/value pairs (value NULL = null). */
char *event_data_build(const char *const *kv);

#endif
