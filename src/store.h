/*
 * store.h: the SQLite database of a workspace.  The only module that
 * includes sqlite3.h.  Every write is one transaction with synchronous=FULL,
 * so what a call returned 0 for survives a power cut.
 *
 * Tables (see src/store.c for the schema and migrations): settings, events
 * (every event, with its sync state), cases (the fold of the events),
 * case_fts (the trigram search index over cases.search), submissions,
 * drafts and draft_ops.
 */
#ifndef HW_STORE_H
#define HW_STORE_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"
#include "event.h"

typedef struct hw_store hw_store;

/* Sync state of an event or submission. */
enum {
	STORE_LOCAL = 0,     /* recorded here, not yet in the device branch */
	STORE_COMMITTED = 1, /* in a commit of the device branch, not yet pushed */
	STORE_PUSHED = 2,    /* pushed to the remote */
	STORE_IMPORTED = 3,  /* came from the remote */
};

enum {
	STORE_CREATE = 1 << 0,    /* create the file if it is missing */
	STORE_READONLY = 1 << 1,  /* only read: no migration, nothing written */
};

/*
 * Open the database file (flags: STORE_*), migrate, and check its integrity
 * (PRAGMA quick_check) when it may be damaged: on the first open after a
 * session that did not close cleanly, when the file changed since the last
 * clean close, and at least once a day (a marker file beside it, PATH-check,
 * says when the check last passed).  A damaged file is HW_ECORRUPT and is
 * left exactly as it was.  Read-only, a database of an older schema is
 * HW_EINVALID (upgrading would write).
 *
 * key (CRYPTO_KEY_BYTES) is the database key: every page of the file, its
 * -wal and its journal is sealed with it (src/store_vfs.h); a page that
 * fails its seal is HW_ECORRUPT.  A new database gets room in each page for
 * the seal.  A plain (unencrypted) file opened with a key is HW_EINVALID,
 * saying to run `homeward migrate workspace`.  key NULL opens a plain file
 * only (an encrypted one is HW_EAUTH): what the migration reads from.
 */
int store_open(hw_store **out, const char *path, unsigned flags, const hw_secret *key,
	       hw_error *err);

/*
 * Copy the plain database plain into a new encrypted one at out, sealed
 * with key (its log first folded into it).  plain is checked first; out
 * must not exist.  0, or a code with err set; out is then incomplete.
 */
int store_encrypt_copy(const char *plain, const char *out, const hw_secret *key, hw_error *err);

/*
 * The SQLite connection under st (borrowed), for tests that change a
 * database below its schema, as an older program or a damaged disk would.
 */
struct sqlite3;
struct sqlite3 *store_connection(hw_store *st);

/* True if the file at path is a plain (unencrypted) SQLite database. */
int store_file_is_plain(const char *path);

/* True if opening st ran the integrity check (tests and benchmarks). */
int store_checked_on_open(const hw_store *st);

/*
 * Let the file grow by at most pages pages from now on (< 0: no cap): makes a
 * full disk reproducible, so tests can show that nothing already saved is
 * lost when the next write fails.
 */
int store_cap_growth(hw_store *st, long pages, hw_error *err);
void store_free(hw_store *st);

/* Settings. */
int store_setting_get(hw_store *st, const char *key, char **out, hw_error *err);
int store_setting_set(hw_store *st, const char *key, const char *value, hw_error *err);

/*
 * Explicit transactions around several calls.  They nest: an inner begin
 * joins the outer transaction, an inner rollback makes the outer commit fail.
 */
/*
 * The most memory SQLite keeps pages of the database in, in KiB (0: the
 * default, STORE_PAGE_CACHE_KIB).  Pages beyond a smaller size are let go.
 */
#define STORE_PAGE_CACHE_KIB 32768
int store_page_cache(hw_store *st, int kib, hw_error *err);

int store_begin(hw_store *st, hw_error *err);
int store_commit(hw_store *st, hw_error *err);
void store_rollback(hw_store *st);

/*
 * Insert an event unless one with its id is already there (then *inserted
 * is 0 and nothing changes: importing is idempotent).  json is its canonical
 * text; state one of STORE_*.
 */
int store_event_put(hw_store *st, const hw_event *ev, const char *json,
		    int state, int *inserted, hw_error *err);

/* True if the event id is known. */
int store_event_exists(hw_store *st, const char *id);

/*
 * The stored JSON of an event (caller frees); HW_ENOTFOUND when the id is
 * not known.
 */
int store_event_json(hw_store *st, const char *id, char **json, hw_error *err);

/* All events of a case in recording order: cb(json) for each. */
int store_case_events(hw_store *st, const char *case_id,
		      int (*cb)(const char *json, void *payload), void *payload,
		      hw_error *err);

/* Events and submissions with the given state: cb(id, case_id, content, len). */
typedef int (*store_item_cb)(const char *id, const char *case_id,
			     const char *content, size_t len, void *payload);
int store_events_with_state(hw_store *st, int state, store_item_cb cb, void *payload, hw_error *err);
int store_submissions_with_state(hw_store *st, int state, store_item_cb cb, void *payload, hw_error *err);

/* Move events/submissions from one sync state to another (all of them). */
int store_events_set_state(hw_store *st, int from, int to, hw_error *err);
int store_submissions_set_state(hw_store *st, int from, int to, hw_error *err);
/* Set the sync state of one event or submission by its id. */
int store_event_set_state_id(hw_store *st, const char *id, int to, hw_error *err);
int store_submission_set_state_id(hw_store *st, const char *instance_id, int to, hw_error *err);

/* Number of events and submissions not yet pushed (for the status line). */
int store_pending_count(hw_store *st, int *out, hw_error *err);

/* A submission: stored once, immutable. */
typedef struct store_submission {
	char *instance_id;   /* "uuid:..." */
	char *case_id;
	char *form_id;
	char *form_version;
	char *created_at;
	char *sha256;
} store_submission;

int store_submission_put(hw_store *st, const store_submission *s, const char *xml,
			 size_t len, int state, int *inserted, hw_error *err);
int store_submission_get_xml(hw_store *st, const char *instance_id, char **xml,
			     size_t *len, hw_error *err);
/* The submission's bookkeeping (out's strings are new; free with store_submission_clear). */
int store_submission_get(hw_store *st, const char *instance_id, store_submission *out, hw_error *err);
void store_submission_clear(store_submission *s);
int store_case_submissions(hw_store *st, const char *case_id,
			   int (*cb)(const store_submission *s, void *payload),
			   void *payload, hw_error *err);

/* The materialised case row, written by the case fold (src/cases.c). */
typedef struct store_case_row {
	char *id;
	char *given_name, *family_name;
	char *birth_date;       /* YYYY-MM-DD or NULL */
	int birth_year;         /* estimated year when no date, else 0 */
	char *sex, *nationality, *return_country, *language;
	int minor;              /* under 18 today: computed when read, never stored */
	int age;                /* years today, -1 unknown: computed when read */
	char *vulnerability;    /* space-separated flags */
	char *status;           /* open | closed */
	char *assigned_to;
	int conflicts;          /* fields with unresolved concurrent values */
	char *opened_at, *updated_at;
	int nevents;
	char *stage;            /* from the case work (docs/case-work.md), "identified"
				   when it has none: read with the row, never written by
				   store_case_put */
} store_case_row;

void store_case_row_clear(store_case_row *r);

int store_case_put(hw_store *st, const store_case_row *r, hw_error *err);
int store_case_get(hw_store *st, const char *id, store_case_row *out, hw_error *err);

/*
 * The full id of the case whose id starts with prefix (lower-case hex):
 * *count is 0 (none, out is ""), 1 (out is the id) or 2 (more than one).
 */
int store_case_id_prefix(hw_store *st, const char *prefix, char out[HW_UUID_LEN + 1],
			 int *count, hw_error *err);

/* Orders of the case list. */
enum {
	STORE_SORT_CHANGED = 0,  /* last change first */
	STORE_SORT_NAME,         /* by name (folded: case and accents ignored) */
	STORE_SORT_AGE,          /* youngest first; unknown ages last */
	STORE_SORT_STAGE,        /* by stage, in the order a case goes through them
				    (closed last), then by last change */
};

/*
 * Which cases to list.  search: NULL or "" for all; else every word must
 * occur in a case's first id group, names, countries, birth date or
 * vulnerability flags, folded as src/fold.h says (Øster is found by "oster",
 * الأحمد by "احمد").  Words of three characters or more match anywhere,
 * also inside a word; shorter ones match the start of a word.  Nothing in
 * search is query syntax: quotes, operators and brackets are plain text.
 */
typedef struct store_case_query {
	const char *search;
	int sort;            /* STORE_SORT_* */
	int limit;           /* at most this many rows; 0 = all */
} store_case_query;

#define STORE_CASE_QUERY_INIT { NULL, STORE_SORT_CHANGED, 0 }

/*
 * Call cb with each case of q in its order (a borrowed row); a non-zero
 * return from cb stops the listing and is returned.
 */
int store_case_query_each(hw_store *st, const store_case_query *q,
			  int (*cb)(const store_case_row *r, void *payload),
			  void *payload, hw_error *err);

/* As store_case_query_each with the default order. */
int store_case_list(hw_store *st, const char *search, int limit,
		    int (*cb)(const store_case_row *r, void *payload),
		    void *payload, hw_error *err);

/*
 * Case work, derived by the fold (src/cases.c) and stored beside the case
 * row: the stage and its milestones, the decisions (all of them, latest
 * last), the assignees, the consents as they stand per purpose and
 * recipient, and the referrals with their current status.
 */
typedef struct store_assignee {
	char *person, *role, *organisation, *since, *note;
} store_assignee;

typedef struct store_consent {
	char *purpose;
	char *recipient;        /* "" when the purpose has none */
	int granted;
	char *date, *present, *language, *override_reason, *recorded_by;
	char *withdrawn_on;     /* NULL while it stands */
} store_consent;

typedef struct store_referral {
	char *id;               /* the id of its referral.sent event */
	char *case_id, *provider, *kinds, *submissions, *urgency, *note;
	char *sent_at, *sent_by;
	char *status;           /* sent | accepted | declined | in_progress | service_delivered | closed */
	char *status_at, *status_note, *status_by;
	char *accepted_at;      /* when it was first accepted, NULL if never (the reports' time to acceptance) */
} store_referral;

typedef struct store_decision {
	char *event_id, *decision, *date, *author, *at;
} store_decision;

/*
 * An appointment (docs/agenda.md): set by appointment.set, whose id it
 * takes; done, missed or rescheduled (replaced by a later one) by later
 * events.  A follow-up round (round "m3": three months after the arrival)
 * is an appointment the arrival scheduled.
 */
typedef struct store_appointment {
	char *id;               /* the id of its appointment.set event */
	char *case_id;
	char *date;             /* YYYY-MM-DD */
	char *time;             /* HH:MM, or NULL: some time that day */
	char *channel;          /* in_person | phone | video */
	char *place, *assigned, *purpose;
	char *round;            /* m3, m6, m12 for a follow-up round; NULL otherwise */
	char *form;             /* the form to fill at it (a form id), or NULL */
	char *status;           /* planned | done | missed | rescheduled */
	char *status_date, *status_note, *status_by;
	char *set_at, *set_by;  /* when and on which device it was set */
	/* Filled by the agenda queries only (store_agenda_each): the case's names. */
	char *given_name, *family_name;
} store_appointment;

/* A family link: another case of the same return file, and what that person is to this case. */
typedef struct store_family_link {
	char *member;           /* the other case's id */
	char *relation;         /* parent | child | spouse | sibling | guardian | ward | other */
	char *since;            /* the date it was linked */
	char *linked_by;        /* the device that linked it */
	char *note;
} store_family_link;

typedef struct store_case_work {
	char *stage;
	char *decision, *decision_date;
	char *departure_planned, *departed_on, *return_type, *assistance;
	int assistance_granted;
	char *arrived_on, *arrival_confirmed_by;
	char *follow_up_on, *follow_up_round;
	char *closed_on, *close_reason, *close_note, *reopened_on;
	store_assignee *assignees;
	size_t nassignees;
	store_consent *consents;
	size_t nconsents;
	store_referral *referrals;
	size_t nreferrals;
	store_decision *decisions;
	size_t ndecisions;
	store_appointment *appointments;    /* in the order they were set */
	size_t nappointments;
	store_family_link *family;          /* in the order they were linked */
	size_t nfamily;
} store_case_work;

void store_case_work_clear(store_case_work *w);
void store_referral_clear(store_referral *r);

/* Replace what is stored for the case with w (one transaction). */
int store_case_work_put(hw_store *st, const char *case_id, const store_case_work *w, hw_error *err);

/* Read it back (w is cleared first; a case never folded has stage "identified"). */
int store_case_work_get(hw_store *st, const char *case_id, store_case_work *w, hw_error *err);

/*
 * Referrals of every case, waiting longest first (by the time of their last
 * status); status NULL for all.  cb gets a borrowed referral.
 */
int store_referrals(hw_store *st, const char *status,
		    int (*cb)(const store_referral *r, void *payload), void *payload, hw_error *err);

void store_appointment_clear(store_appointment *a);

/*
 * Which appointments the agenda lists (docs/agenda.md).  Only planned
 * appointments of open cases unless all is set; dates are YYYY-MM-DD and
 * inclusive.
 */
typedef struct store_agenda_query {
	const char *from, *to;     /* NULL: no bound */
	const char *before;        /* only those dated before this day (overdue); NULL: any */
	const char *assigned;      /* only this person's; NULL: everyone's */
	const char *case_id;       /* only this case's; NULL: every case */
	int all;                   /* also done, missed and rescheduled ones, and closed cases' */
	int by_assignee;           /* grouped by the person who meets them, then in date order */
	int limit, offset;         /* a page of the list: at most limit rows (0: all) after offset */
} store_agenda_query;

#define STORE_AGENDA_QUERY_INIT { NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0 }

/*
 * The appointments of q in date order (date, then time, a day's untimed
 * ones first, then id): cb gets each one borrowed, with the case's names; a
 * non-zero return stops the walk and is returned.
 */
int store_agenda_each(hw_store *st, const store_agenda_query *q,
		      int (*cb)(const store_appointment *a, void *payload), void *payload,
		      hw_error *err);

/* How many appointments q lists (at most q->limit when it is set: offset does not apply). */
int store_agenda_count(hw_store *st, const store_agenda_query *q, long *out, hw_error *err);

/* The appointment whose id starts with prefix (unique, at least 4 characters); out is cleared first. */
int store_appointment_find(hw_store *st, const char *prefix, store_appointment *out, hw_error *err);

/* The cases linked to case_id (either way round), one level: cb gets each member's id. */
int store_family_members(hw_store *st, const char *case_id,
			 int (*cb)(const char *member, const char *relation, void *payload),
			 void *payload, hw_error *err);

/*
 * What reports read of a case (borrowed strings, valid during the call; NULL
 * when not known): its row and the milestones of its case work.
 */
typedef struct store_report_case {
	const char *id, *return_country, *assigned_to, *vulnerability, *opened_at;
	int minor;
	const char *stage;      /* "identified" for a case never folded */
	const char *decision, *decision_date, *departed_on, *return_type, *assistance;
	int assistance_granted;
	const char *arrived_on, *follow_up_on, *closed_on;
} store_report_case;

/* Call cb with every case, in one pass; a non-zero return stops and is returned. */
int store_report_cases(hw_store *st, int (*cb)(const store_report_case *c, void *payload),
		       void *payload, hw_error *err);

/*
 * A follow-up form as stored (the table follow_up_scores): borrowed
 * strings, NULL when the instance does not say; scores as the form wrote
 * them (economic, social, psychosocial, composite), unchecked.
 */
typedef struct store_follow_up {
	const char *instance_id, *case_id, *submitted_at, *round, *deprecated_id;
	const char *score[4];
} store_follow_up;

/*
 * Call cb with every follow-up round appointment (round set), without the
 * case's names: only id, case_id, date, round and status are filled
 * (borrowed, valid during the call).  A non-zero return stops and is returned.
 */
int store_report_rounds(hw_store *st, int (*cb)(const store_appointment *a, void *payload),
			void *payload, hw_error *err);

/* Call cb with every follow-up form stored; a non-zero return stops and is returned. */
int store_follow_ups(hw_store *st, int (*cb)(const store_follow_up *f, void *payload),
		     void *payload, hw_error *err);

/* True if some event here was made on this device (a person the team knows). */
int store_device_known(hw_store *st, const char *device);

/* The referral whose id starts with prefix (unique); out is cleared first. */
int store_referral_find(hw_store *st, const char *prefix, store_referral *out, hw_error *err);

/* How many cases match search (as in store_case_query), and how many there are. */
int store_case_count(hw_store *st, const char *search, int *matches, int *total,
		     hw_error *err);

/* Drafts: a form being filled for a case; every operation is kept. */
int store_draft_find(hw_store *st, const char *case_id, const char *form_id,
		     char **draft_id, hw_error *err);
int store_draft_create(hw_store *st, const char *draft_id, const char *case_id,
		       const char *form_id, const char *lang, hw_error *err);
int store_draft_op(hw_store *st, const char *draft_id, const char *op,
		   const char *path, const char *value, hw_error *err);
int store_draft_ops(hw_store *st, const char *draft_id,
		    int (*cb)(const char *op, const char *path, const char *value, void *payload),
		    void *payload, hw_error *err);
int store_draft_delete(hw_store *st, const char *draft_id, hw_error *err);
int store_drafts_of_case(hw_store *st, const char *case_id,
			 int (*cb)(const char *draft_id, const char *form_id,
				   const char *updated_at, void *payload),
			 void *payload, hw_error *err);

/*
 * Whether the database file is encrypted at rest: *out 1 or 0.  (The
 * plaintext store says 0; the encrypted store says what it opened.)
 */
int store_is_encrypted(hw_store *st, int *out, hw_error *err);

/* A submission of one form, as an export reads it (strings borrowed for the call). */
typedef struct store_form_sub {
	const char *instance_id, *case_id, *form_version, *created_at;
	const char *device;    /* who recorded it: the form.submitted event's device, NULL if none */
	const char *author;    /* and its author */
	const char *xml;
	size_t xml_len;
} store_form_sub;

/*
 * Every submission of form_id (of that version only when version is not
 * NULL), oldest first by creation time then in the order they were
 * stored here: cb gets each
 * one with its XML.  Only one submission's XML is in memory at a time.
 */
int store_form_submissions(hw_store *st, const char *form_id, const char *version,
			   int (*cb)(const store_form_sub *s, void *payload), void *payload,
			   hw_error *err);

/* How many submissions store_form_submissions would give. */
int store_form_submission_count(hw_store *st, const char *form_id, const char *version,
				long *out, hw_error *err);

#endif
