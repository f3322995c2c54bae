/*
 * cases.h: cases as event logs.  Every change records an event; the case
 * the user sees is the fold of its events (store_case_row), recomputed from
 * the events whenever one is added or imported.
 */
#ifndef HW_CASES_H
#define HW_CASES_H

#include "error.h"
#include "event.h"
#include "store.h"
#include "workspace.h"

/* Fields a counsellor gives when opening a case (NULL = not given). */
typedef struct case_fields {
	const char *given_name;
	const char *family_name;
	const char *birth_date;     /* YYYY-MM-DD */
	const char *birth_year;     /* estimated year, when the date is unknown */
	const char *sex;            /* female | male | other | unknown */
	const char *nationality;    /* ISO 3166-1 alpha-2 */
	const char *return_country; /* ISO 3166-1 alpha-2 */
	const char *language;       /* preferred language, BCP 47 ("ar", "fa") */
	const char *vulnerability;  /* space-separated flags */
} case_fields;

#define CASE_FIELDS_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* Names of the case fields carried in events (NULL-terminated). */
extern const char *const case_field_names[];

/*
 * Validate and record a case.opened event; out_id gets the new case id.
 * Invalid fields (a bad date, a country that is not two letters) are
 * HW_EINVALID with a message naming the field.
 */
int case_open(hw_ws *ws, const case_fields *f, char out_id[HW_UUID_LEN + 1]);

/* Record a case.updated event with one changed field (value NULL clears it). */
int case_update(hw_ws *ws, const char *case_id, const char *field, const char *value);

/* One changed field: value NULL or "" clears it. */
typedef struct case_change {
	const char *field;
	const char *value;
} case_change;

/*
 * Record one case.updated event changing n fields at once: either all of
 * them are recorded or none.  A field named twice, one that cannot be
 * edited or an invalid value is HW_EINVALID with a message naming the field,
 * and *bad (may be NULL) gets its index in changes (else it is set to n).
 * A case keeps at least one name: clearing both is HW_EINVALID too.
 */
int case_update_fields(hw_ws *ws, const char *case_id, const case_change *changes, size_t n,
		       size_t *bad);

/*
 * The same, recorded as made when this device held the case's first base
 * events (its version then, 0: now): a change made since to one of the
 * fields becomes a conflict of the case, not a silent overwrite (forms
 * saving to the case, docs/form-entities.md).
 */
int case_update_fields_at(hw_ws *ws, const char *case_id, const case_change *changes, size_t n,
			  size_t base, size_t *bad);

/*
 * Record any other event type on a case with data (a JSON object text or
 * NULL); parents are this device's latest events of the case.
 */
int case_record(hw_ws *ws, const char *case_id, const char *type, const char *data_json,
		char out_event_id[HW_UUID_LEN + 1]);

/* Settle a conflicting field: a conflict.resolved event covering both sides. */
int case_resolve(hw_ws *ws, const char *case_id, const char *field, const char *value);

/*
 * Import an event that came from elsewhere (sync): validated, stored once
 * (a known id is skipped, *imported = 0) and the case re-folded.
 */
int case_import_event(hw_ws *ws, const char *json, size_t len, int *imported);

/*
 * Import within the caller's transaction without folding, for a batch: the
 * caller folds each touched case once (case_refold) before committing.
 * expect_case and expect_id (may be NULL) are what the file's path says;
 * an event that says otherwise is HW_EINVALID.  A known id with other
 * content is HW_ECONFLICT (never silently dropped); case_id receives the
 * event's case.
 */
int case_import_event_unfolded(hw_ws *ws, const char *json, size_t len, const char *expect_case,
			       const char *expect_id, int *imported, char case_id[HW_UUID_LEN + 1]);

/*
 * The checks an event from elsewhere passes beyond event_parse, the same as
 * for events recorded here: case fields as case_open and case_update check
 * them (dates, country codes, lengths, no control characters, bidi
 * overrides or invalid UTF-8), and a time at most a day ahead of the clock.
 */
int case_check_event(const hw_event *ev, hw_error *err);

/* Re-fold one case from its events and store the result. */
int case_refold(hw_ws *ws, const char *case_id);

/* Fetch a case (out is cleared first; free with store_case_row_clear). */
int case_get(hw_ws *ws, const char *case_id, store_case_row *out);

/*
 * Cases matching search (NULL or "" for all; see store_case_query for how
 * words match), most recently updated first, at most limit (0 = no limit).
 * cb gets a borrowed row; a non-zero return from it stops the walk and is
 * returned.
 */
int case_search(hw_ws *ws, const char *search, int limit,
	      int (*cb)(const store_case_row *r, void *payload), void *payload);

/* The events of a case in recording order: cb gets each one's JSON (borrowed). */
int case_events(hw_ws *ws, const char *case_id,
		int (*cb)(const char *json, void *payload), void *payload);

/* The submissions of a case, oldest first: cb gets each one (borrowed). */
int case_submissions(hw_ws *ws, const char *case_id,
		     int (*cb)(const store_submission *s, void *payload), void *payload);

/* Resolve a unique prefix of a case id (at least 4 characters) to the full id. */
int case_resolve_id(hw_ws *ws, const char *prefix, char out_id[HW_UUID_LEN + 1]);

/*
 * The cases of q (search, order, limit: see store_case_query) in order:
 * cb gets a borrowed row; a non-zero return stops the listing and is returned.
 */
int case_query(hw_ws *ws, const store_case_query *q,
	       int (*cb)(const store_case_row *r, void *payload), void *payload);

/* How many cases match search (NULL or "" for all), and how many there are. */
int case_count(hw_ws *ws, const char *search, int *matches, int *total);

/* A conflict: the field and the competing values (in a deterministic order). */
typedef struct case_conflict {
	char *field;
	char **values;
	size_t nvalues;
	char *provisional;     /* the value shown until it is settled */
} case_conflict;

/*
 * The unresolved conflicts of a case: an array (caller frees with
 * case_conflicts_free).
 */
int case_conflicts(hw_ws *ws, const char *case_id, case_conflict **out, size_t *n);
void case_conflicts_free(case_conflict *c, size_t n);

/* --- case work (docs/case-work.md) ---------------------------------------- */

/* The stages, in their usual order, then closed and reopened (NULL-terminated). */
extern const char *const case_stages[];

/* What the fold derived for a case: stage, milestones, assignees, consents, referrals. */
int case_work_get(hw_ws *ws, const char *case_id, store_case_work *out);

/*
 * Record case work.  Each validates its input first and records nothing on
 * bad input: HW_EINVALID with a one-line message naming the field and the
 * value (an unknown decision, a date in the future or before an earlier
 * milestone, a departure before a decision to return, a referral without
 * the consent it needs, an unknown provider or submission).  Dates are
 * YYYY-MM-DD; "today" comes from the clock (HOMEWARD_NOW in tests).
 * Lists are comma-separated.
 */
int case_decide(hw_ws *ws, const char *case_id, const char *decision, const char *date,
		const char *note);
int case_depart(hw_ws *ws, const char *case_id, const char *date, const char *return_type,
		const char *assistance);
int case_arrive(hw_ws *ws, const char *case_id, const char *date);
int case_assign(hw_ws *ws, const char *case_id, const char *person, const char *role,
		const char *organisation, const char *note, const char *unassign);
int case_close_with_reason(hw_ws *ws, const char *case_id, const char *reason, const char *note);
int case_reopen(hw_ws *ws, const char *case_id, const char *reason);

/* Consent for a purpose (and recipient, for sharing); minors need present=guardian or an override. */
int consent_record(hw_ws *ws, const char *case_id, const char *purpose, int granted,
		   const char *recipient, const char *present, const char *language,
		   const char *override_reason);
int consent_withdraw(hw_ws *ws, const char *case_id, const char *purpose, const char *recipient);

/*
 * Refer a case to a provider (an id of providers.csv) for kinds of
 * assistance, with the submissions that travel with it; needs a granted,
 * not withdrawn share_with_provider consent for that provider.  out_id (may
 * be NULL) receives the referral's id.
 */
int referral_send(hw_ws *ws, const char *case_id, const char *provider, const char *kinds,
		  const char *submissions, const char *urgency, const char *note,
		  char out_id[HW_UUID_LEN + 1]);

/* Referrals of every case, waiting longest first; status NULL for all (cb gets borrowed ones). */
int case_referrals(hw_ws *ws, const char *status,
		   int (*cb)(const store_referral *r, void *payload), void *payload);

/* The referral with this id or unique prefix (out is cleared first; free with store_referral_clear). */
int referral_get(hw_ws *ws, const char *referral_id, store_referral *out);

/* Record a referral's new status (the id or a unique prefix of at least 4 characters). */
int referral_update(hw_ws *ws, const char *referral_id, const char *status, const char *note);

/* True if a person born on birth_date (or in birth_year) is under 18 on today (YYYY-MM-DD). */
int case_is_minor(const char *birth_date, int birth_year, const char *today);

#endif
