/*
 * agenda.h: appointments, follow-up rounds and return files (docs/agenda.md).
 *
 * Appointments are events on a case (appointment.set, .done, .missed),
 * folded with the rest of the case work into store_case_work.appointments
 * and an indexed table the agenda reads in date order.  Follow-up rounds
 * are appointments the arrival schedules (agenda.follow_up_months after the
 * arrival date, 3, 6 and 12 by default), recorded as events, so every device
 * sees the same rounds and the fold never reads the clock.  Family links
 * (family.linked, .unlinked) join cases into a return file; each link is
 * recorded on both cases.
 *
 * "Today" (overdue, the status line) comes from the clock, which
 * HOMEWARD_NOW fixes in tests (hw_clock_fix).
 */
#ifndef HW_AGENDA_H
#define HW_AGENDA_H

#include "error.h"
#include "event.h"
#include "store.h"
#include "workspace.h"

/* The setting with the months after arrival of the follow-up rounds ("3,6,12"). */
#define AGENDA_ROUNDS_SETTING "agenda.follow_up_months"
#define AGENDA_ROUNDS_DEFAULT "3,6,12"
/* The form a follow-up round is filled with (when it is installed). */
#define AGENDA_FOLLOW_UP_FORM "reintegration-follow-up"

/* What an appointment is (NULL = not given). */
typedef struct appointment_opts {
	const char *date;       /* YYYY-MM-DD; required */
	const char *time;       /* HH:MM, or NULL: some time that day */
	const char *channel;    /* in_person (the default), phone or video */
	const char *place;      /* where (one line) */
	const char *purpose;    /* what it is for (text) */
	const char *assigned;   /* who meets the person; NULL: this device's person */
	const char *round;      /* m3, m6, m12: a follow-up round */
	const char *form;       /* the form to fill at it (a form id) */
	const char *replaces;   /* an appointment (id or prefix) this one reschedules */
} appointment_opts;

#define APPOINTMENT_OPTS_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Set an appointment on an open case: an appointment.set event.  Bad input
 * is HW_EINVALID with a one-line message naming the field and the value
 * (a date that is not one, a time that is not HH:MM, an unknown channel, a
 * person the team does not know), and nothing is recorded.  out_id (may be
 * NULL) receives the appointment's id.
 */
int appointment_set(hw_ws *ws, const char *case_id, const appointment_opts *o,
		    char out_id[HW_UUID_LEN + 1]);

/*
 * Record that a planned appointment (id or a unique prefix of at least 4
 * characters) took place (done) or did not (missed), on date (NULL: today;
 * never in the future), with an optional note.  An appointment that is no
 * longer planned is HW_EINVALID saying what became of it.
 */
int appointment_done(hw_ws *ws, const char *appointment_id, const char *date, const char *note);
int appointment_missed(hw_ws *ws, const char *appointment_id, const char *date, const char *note);

/* The appointment with this id or unique prefix (out is cleared first; free with store_appointment_clear). */
int appointment_get(hw_ws *ws, const char *appointment_id, store_appointment *out);

/*
 * Schedule the follow-up rounds of a case that arrived on arrival_date
 * (YYYY-MM-DD): one appointment per month count of the workspace setting
 * agenda.follow_up_months, for the case's field officer (else this
 * device's person), with the follow-up form.  A round the case already has
 * is not scheduled again.  case_arrive calls it.
 */
int agenda_schedule_rounds(hw_ws *ws, const char *case_id, const char *arrival_date);

/* Check a agenda.follow_up_months value: month counts 1 to 120, comma-separated, increasing. */
int agenda_rounds_check(const char *text);

/*
 * The appointments q selects, in date order (see store_agenda_query): cb
 * gets each one borrowed, with the case's names; a non-zero return from cb
 * stops the walk and is returned.
 */
int agenda_list(hw_ws *ws, const store_agenda_query *q,
		int (*cb)(const store_appointment *a, void *payload), void *payload);

/*
 * How many appointments q selects; with q->limit set, at most that many
 * (what a screen needs, at a cost that does not grow with the table).
 */
int agenda_count(hw_ws *ws, const store_agenda_query *q, long *out);

/* How many planned appointments of open cases for person are overdue (dated before today). */
int agenda_overdue_count(hw_ws *ws, const char *person, long *out);

/* Today's date (YYYY-MM-DD) by the clock. */
void agenda_today(char out[11]);

/* Days from a to b (both YYYY-MM-DD): positive when b is later; 0 when either is not a date. */
long agenda_days_between(const char *a, const char *b);

/* date plus days, into out (YYYY-MM-DD); HW_EINVALID when date is not a date. */
int agenda_add_days(const char *date, long days, char out[11]);

/* --- return files --------------------------------------------------------- */

/*
 * Link two cases into one return file: other_id is the relation of case_id
 * (parent, child, spouse, sibling, guardian, ward, other).  One
 * family.linked event on each case (the other side with the inverse
 * relation: a parent's case lists the child), both or neither.  Linking a
 * case to itself, an unknown relation or a link that is already there is
 * HW_EINVALID.
 */
int family_link(hw_ws *ws, const char *case_id, const char *other_id, const char *relation,
		const char *note);

/* Undo a link, on both cases; HW_EINVALID when they are not linked. */
int family_unlink(hw_ws *ws, const char *case_id, const char *other_id);

/* The relation seen from the other side (parent -> child, guardian -> ward, ...). */
const char *family_inverse(const char *relation);

/*
 * The return file of a case: the case and every case linked to it, directly
 * or through others, in a stable order (the case first, then by id).
 * *ids is an array of *n ids; caller frees with family_ids_free.
 */
int family_file(hw_ws *ws, const char *case_id, char ***ids, size_t *n);
void family_ids_free(char **ids, size_t n);

/* --- case data that stays true -------------------------------------------------- */

/*
 * A vulnerability flag a form computed that the case's own data
 * contradicts: "minor" or "unaccompanied_minor" on a person the birth date
 * makes an adult, "elderly" on one it makes younger than 60.  Returns the
 * flag (borrowed, static) and *age, or NULL when nothing disagrees (or the
 * age is unknown).  r as case_get gives it (age computed today).
 */
const char *case_flag_disagreement(const store_case_row *r, int *age);

/*
 * Settle a disagreement for the case's own data: the vulnerability flags
 * without the contradicted flag (and, for an adult, without any minor's
 * flag), recorded as one case.updated.
 */
int case_drop_contradicted_flags(hw_ws *ws, const char *case_id);

/* --- for the fold (src/cases.c) ----------------------------------------------- */

/*
 * Apply an appointment or family event, or a follow-up form.submitted (it
 * does its round's planned appointment), to the case work in causal order.
 * Pure: reads nothing but ev.
 */
int agenda_apply(store_case_work *w, const hw_event *ev);

#endif
