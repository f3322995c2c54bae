/*
 * agenda.c: appointments, follow-up rounds and return files (docs/agenda.md):
 * recording them as events, folding them (agenda_apply, called by the case
 * fold) and reading the agenda.
 */
#include "config.h"
#include "agenda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "team.h"
#include "util.h"

/* --- dates ----------------------------------------------------------------- */

static int is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date of a day count since 1970-01-01. */
static void civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Write y-m-d as YYYY-MM-DD into out (years past 9999 do not occur: dates are checked). */
static void format_date(long y, int m, int d, char out[11])
{
	char tmp[48];

	snprintf(tmp, sizeof(tmp), "%04ld-%02d-%02d", y % 10000, m % 100, d % 100);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

/* Parse a date already known valid (event_date_valid). */
static int split_date(const char *s, long *y, int *m, int *d)
{
	if (!event_date_valid(s))
		return HW_EINVALID;
	*y = atol(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return 0;
}

long agenda_days_between(const char *a, const char *b)
{
	long ya, yb;
	int ma, mb, da, db;

	if (split_date(a, &ya, &ma, &da) < 0 || split_date(b, &yb, &mb, &db) < 0)
		return 0;
	return days_from_civil(yb, mb, db) - days_from_civil(ya, ma, da);
}

int agenda_add_days(const char *date, long days, char out[11])
{
	long y;
	int m, d;

	if (split_date(date, &y, &m, &d) < 0)
		return HW_EINVALID;
	civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
	format_date(y, m, d, out);
	return 0;
}

/* date plus months, the day kept or, in a shorter month, its last day (31 Jan + 1 = 28/29 Feb). */
static int add_months(const char *date, int months, char out[11])
{
	long y;
	int m, d, total;

	if (split_date(date, &y, &m, &d) < 0)
		return HW_EINVALID;
	total = (int)(y * 12 + (m - 1)) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	format_date(y, m, d, out);
	return 0;
}

void agenda_today(char out[11])
{
	char now[HW_TIME_LEN + 1];

	hw_now_iso(now);
	memcpy(out, now, 10);
	out[10] = '\0';
}

/* --- the fold -------------------------------------------------------------- */

/* A member of an event's data (caller frees; NULL when absent). */
static char *dget(const hw_event *ev, const char *key)
{
	char *v = NULL;

	event_data_get(&v, ev->data, key);
	return v;
}

/* Replace *slot with v (taken). */
static void put(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

static store_appointment *find_appointment(store_case_work *w, const char *id)
{
	for (size_t i = 0; id && i < w->nappointments; i++)
		if (!strcmp(w->appointments[i].id, id))
			return &w->appointments[i];
	return NULL;
}

static store_family_link *find_member(store_case_work *w, const char *member)
{
	for (size_t i = 0; member && i < w->nfamily; i++)
		if (!strcmp(w->family[i].member, member))
			return &w->family[i];
	return NULL;
}

/* The date part of an event's time (a new string). */
static char *ev_day(const hw_event *ev)
{
	char *d = malloc(11);

	if (d) {
		memcpy(d, ev->at, 10);
		d[10] = '\0';
	}
	return d;
}

/* Apply appointment.set. */
static int apply_set(store_case_work *w, const hw_event *ev)
{
	store_appointment *a, *old;
	char *replaces = dget(ev, "replaces");
	void *p = realloc(w->appointments, (w->nappointments + 1) * sizeof(*a));

	if (!p) {
		free(replaces);
		return HW_ERROR;
	}
	w->appointments = p;
	a = &w->appointments[w->nappointments++];
	memset(a, 0, sizeof(*a));
	a->id = strdup(ev->id);
	a->case_id = strdup(ev->case_id);
	a->date = dget(ev, "date");
	a->time = dget(ev, "time");
	a->channel = dget(ev, "channel");
	if (!a->channel)
		a->channel = strdup("in_person");
	a->place = dget(ev, "place");
	a->assigned = dget(ev, "assigned");
	if (!a->assigned)
		a->assigned = strdup(ev->device);
	a->purpose = dget(ev, "purpose");
	a->round = dget(ev, "round");
	a->form = dget(ev, "form");
	a->status = strdup("planned");
	a->set_at = strdup(ev->at);
	a->set_by = strdup(ev->device);
	/* Rescheduling: the appointment it replaces is no longer planned. */
	if ((old = find_appointment(w, replaces)) != NULL && old != a &&
	    !strcmp(old->status, "planned")) {
		put(&old->status, strdup("rescheduled"));
		put(&old->status_date, ev_day(ev));
		put(&old->status_note, strdup(ev->id));
		put(&old->status_by, strdup(ev->device));
	}
	free(replaces);
	return a->id && a->case_id && a->date && a->channel && a->assigned && a->status &&
	       a->set_at && a->set_by ? 0 : HW_ERROR;
}

/* Apply appointment.done or .missed: the latest word on it stands. */
static int apply_status(store_case_work *w, const hw_event *ev, const char *status)
{
	char *id = dget(ev, "appointment");
	store_appointment *a = find_appointment(w, id);

	free(id);
	if (!a)   /* an appointment of another case: ignored, as the fold never fails on data */
		return 0;
	put(&a->status, strdup(status));
	put(&a->status_date, dget(ev, "date"));
	put(&a->status_note, dget(ev, "note"));
	put(&a->status_by, strdup(ev->device));
	return a->status && a->status_by ? 0 : HW_ERROR;
}

/* A follow-up form for a round does the round's planned appointment (the earliest, if several). */
static int apply_form(store_case_work *w, const hw_event *ev)
{
	char *milestone = dget(ev, "milestone"), *round = dget(ev, "follow_up_round");
	int rc = 0;

	if (milestone && round && !strcmp(milestone, "follow_up")) {
		for (size_t i = 0; i < w->nappointments; i++) {
			store_appointment *a = &w->appointments[i];

			if (!a->round || strcmp(a->round, round) || strcmp(a->status, "planned"))
				continue;
			put(&a->status, strdup("done"));
			put(&a->status_date, ev_day(ev));
			put(&a->status_note, NULL);
			put(&a->status_by, strdup(ev->device));
			rc = a->status && a->status_date && a->status_by ? 0 : HW_ERROR;
			break;
		}
	}
	free(milestone);
	free(round);
	return rc;
}

static int apply_link(store_case_work *w, const hw_event *ev)
{
	char *member = dget(ev, "member");
	store_family_link *f;

	if (!member || !strcmp(member, ev->case_id)) {   /* a case is not its own family */
		free(member);
		return 0;
	}
	if (!(f = find_member(w, member))) {
		void *p = realloc(w->family, (w->nfamily + 1) * sizeof(*f));

		if (!p) {
			free(member);
			return HW_ERROR;
		}
		w->family = p;
		f = &w->family[w->nfamily++];
		memset(f, 0, sizeof(*f));
		f->member = member;
	} else {
		free(member);
	}
	put(&f->relation, dget(ev, "relation"));
	put(&f->since, ev_day(ev));
	put(&f->linked_by, strdup(ev->device));
	put(&f->note, dget(ev, "note"));
	return f->relation && f->since && f->linked_by ? 0 : HW_ERROR;
}

static int apply_unlink(store_case_work *w, const hw_event *ev)
{
	char *member = dget(ev, "member");
	store_family_link *f = find_member(w, member);
	size_t i;

	free(member);
	if (!f)
		return 0;
	i = (size_t)(f - w->family);
	free(f->member); free(f->relation); free(f->since); free(f->linked_by); free(f->note);
	memmove(f, f + 1, (w->nfamily - i - 1) * sizeof(*f));
	w->nfamily--;
	return 0;
}

int agenda_apply(store_case_work *w, const hw_event *ev)
{
	if (!strcmp(ev->type, EV_APPOINTMENT_SET))
		return apply_set(w, ev);
	if (!strcmp(ev->type, EV_APPOINTMENT_DONE))
		return apply_status(w, ev, "done");
	if (!strcmp(ev->type, EV_APPOINTMENT_MISSED))
		return apply_status(w, ev, "missed");
	if (!strcmp(ev->type, EV_FAMILY_LINKED))
		return apply_link(w, ev);
	if (!strcmp(ev->type, EV_FAMILY_UNLINKED))
		return apply_unlink(w, ev);
	if (!strcmp(ev->type, EV_FORM_SUBMITTED))
		return apply_form(w, ev);
	return 0;
}

/* --- recording ------------------------------------------------------------- */

/* "a, b or c" of a vocabulary, for messages. */
static void vocab_text(char *out, size_t size, const char *const *list)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; list[i] && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", list[i]);
}

/* Free text: at most max bytes, no control characters (newline and tab when multiline). */
static int text_check(hw_ws *ws, const char *field, const char *v, size_t max, int multiline)
{
	const char *problem;

	if (!v)
		return 0;
	if (strlen(v) > max)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s is too long (at most %zu bytes)", field, max);
	for (const char *p = v; *p; p++)
		if (((unsigned char)*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
			return hw_error_set(ws_err(ws), HW_EINVALID, "%s contains control characters", field);
	/* Invalid UTF-8 and bidi overrides, line by line (the newlines were allowed above). */
	if (multiline) {
		char *copy = strdup(v);

		if (!copy)
			return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		for (char *p = copy; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		problem = hw_text_problem(copy);
		free(copy);
	} else {
		problem = hw_text_problem(v);
	}
	if (problem)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s %s", field, problem);
	return 0;
}

/* A person the team knows: this device's, or one seen in this workspace's events. */
static int person_check(hw_ws *ws, const char *field, const char *person)
{
	size_t n = strlen(person);

	if (n == 0 || n > 200 || strcspn(person, " ,\t\n\r") != n)
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s \"%.60s\" must be one word (a person's device id)",
				    field, person);
	if (strcmp(person, ws_device_id(ws)) && !store_device_known(ws_store(ws), person))
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "%s \"%s\" is not known here (a person is named by the device id they work on, "
				    "as seen in synced events)", field, person);
	return 0;
}

/* The case's work, refusing a closed case. */
static int open_case_work(hw_ws *ws, const char *case_id, store_case_work *w)
{
	int rc = case_work_get(ws, case_id, w);

	if (rc == 0 && !strcmp(w->stage, "closed"))
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "case %.8s is closed (reopen it first: homeward case reopen ID --reason TEXT)",
				  case_id);
	return rc;
}

int appointment_set(hw_ws *ws, const char *case_id, const appointment_opts *o,
		    char out_id[HW_UUID_LEN + 1])
{
	store_appointment old;
	store_case_work w;
	store_case_row row;
	const char *round = o->round, *form = o->form;
	char words[200], *data = NULL;
	const char *kv[24];
	size_t k = 0;
	int rc;

	memset(&old, 0, sizeof(old));
	memset(&w, 0, sizeof(w));
	memset(&row, 0, sizeof(row));
	if (!o->date)
		return hw_error_set(ws_err(ws), HW_EINVALID, "appointment date is required (--date YYYY-MM-DD)");
	if (!event_date_valid(o->date))
		return hw_error_set(ws_err(ws), HW_EINVALID, "appointment date \"%.40s\" is not a date (YYYY-MM-DD)",
				    o->date);
	if (o->time && !event_time_valid(o->time))
		return hw_error_set(ws_err(ws), HW_EINVALID, "appointment time \"%.40s\" is not a time (HH:MM, 00:00 to 23:59)",
				    o->time);
	if (o->channel && !event_word_in(o->channel, event_channels)) {
		vocab_text(words, sizeof(words), event_channels);
		return hw_error_set(ws_err(ws), HW_EINVALID, "channel \"%.40s\" is not one of: %s", o->channel, words);
	}
	if ((rc = text_check(ws, "place", o->place, 200, 0)) < 0 ||
	    (rc = text_check(ws, "purpose", o->purpose, 2000, 1)) < 0)
		return rc;
	if (o->assigned && (rc = person_check(ws, "assigned", o->assigned)) < 0)
		return rc;
	if (o->round) {   /* the event's own rule for a round: m and a number of months */
		const char *rkv[] = { "date", "2000-01-01", "round", o->round, NULL };
		char *probe = event_data_build(rkv);

		rc = probe ? event_check_data(EV_APPOINTMENT_SET, probe, ws_err(ws)) : HW_ERROR;
		free(probe);
		if (rc < 0)
			return rc;
	}
	if ((rc = case_get(ws, case_id, &row)) < 0 || (rc = open_case_work(ws, case_id, &w)) < 0)
		goto cleanup;
	if (o->replaces) {
		if ((rc = appointment_get(ws, o->replaces, &old)) < 0)
			goto cleanup;
		if (strcmp(old.case_id, case_id)) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "appointment %.8s is not one of case %.8s",
					  old.id, case_id);
			goto cleanup;
		}
		if (strcmp(old.status, "planned")) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "appointment %.8s is %s, not planned",
					  old.id, old.status);
			goto cleanup;
		}
		/* A follow-up round moved is still that round, done by its form. */
		if (!round)
			round = old.round;
		if (!form)
			form = old.form;
	}
	kv[k++] = "date"; kv[k++] = o->date;
	if (o->time) { kv[k++] = "time"; kv[k++] = o->time; }
	if (o->channel) { kv[k++] = "channel"; kv[k++] = o->channel; }
	if (o->place && *o->place) { kv[k++] = "place"; kv[k++] = o->place; }
	if (o->purpose && *o->purpose) { kv[k++] = "purpose"; kv[k++] = o->purpose; }
	kv[k++] = "assigned"; kv[k++] = o->assigned ? o->assigned : ws_device_id(ws);
	if (round) { kv[k++] = "round"; kv[k++] = round; }
	if (form) { kv[k++] = "form"; kv[k++] = form; }
	if (o->replaces) { kv[k++] = "replaces"; kv[k++] = old.id; }
	kv[k] = NULL;
	if (!(data = event_data_build(kv))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	rc = case_record(ws, case_id, EV_APPOINTMENT_SET, data, out_id);
cleanup:
	free(data);
	store_appointment_clear(&old);
	store_case_work_clear(&w);
	store_case_row_clear(&row);
	return rc;
}

int appointment_get(hw_ws *ws, const char *appointment_id, store_appointment *out)
{
	return store_appointment_find(ws_store(ws), appointment_id, out, ws_err(ws));
}

/* Record done or missed. */
static int appointment_close(hw_ws *ws, const char *appointment_id, const char *date,
			     const char *note, const char *type)
{
	store_appointment a;
	store_case_work w;
	char day[11], *data = NULL;
	int rc;

	memset(&w, 0, sizeof(w));
	agenda_today(day);
	if (date && !event_date_valid(date))
		return hw_error_set(ws_err(ws), HW_EINVALID, "date \"%.40s\" is not a date (YYYY-MM-DD)", date);
	if (date && strcmp(date, day) > 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "date %s is in the future (today is %s)", date, day);
	if ((rc = text_check(ws, "note", note, 2000, 1)) < 0)
		return rc;
	if ((rc = appointment_get(ws, appointment_id, &a)) < 0)
		return rc;
	if (strcmp(a.status, "planned")) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "appointment %.8s is already %s%s%s, not planned",
				  a.id, a.status, a.status_date ? " on " : "", a.status_date ? a.status_date : "");
		goto cleanup;
	}
	if ((rc = open_case_work(ws, a.case_id, &w)) < 0)
		goto cleanup;
	{
		const char *kv[] = { "appointment", a.id, "date", date ? date : day,
				     note && *note ? "note" : NULL, note, NULL };

		if (!(data = event_data_build(kv))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
	}
	rc = case_record(ws, a.case_id, type, data, NULL);
cleanup:
	free(data);
	store_appointment_clear(&a);
	store_case_work_clear(&w);
	return rc;
}

int appointment_done(hw_ws *ws, const char *appointment_id, const char *date, const char *note)
{
	return appointment_close(ws, appointment_id, date, note, EV_APPOINTMENT_DONE);
}

int appointment_missed(hw_ws *ws, const char *appointment_id, const char *date, const char *note)
{
	return appointment_close(ws, appointment_id, date, note, EV_APPOINTMENT_MISSED);
}

/* Parse a list of month counts into months[] (at most max); the count, or HW_EINVALID. */
static int parse_rounds(const char *text, int *months, int max)
{
	int n = 0, last = 0;
	const char *p = text;

	if (!text || !*text)
		return HW_EINVALID;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 1 || v > 120 || v <= last || n == max)
			return HW_EINVALID;
		months[n++] = (int)v;
		last = (int)v;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == ',') {
			p++;
			while (*p == ' ')
				p++;
			if (!*p)
				return HW_EINVALID;
		} else if (*p) {
			return HW_EINVALID;
		}
	}
	return n;
}

int agenda_rounds_check(const char *text)
{
	int months[24];

	return parse_rounds(text, months, 24) < 0 ? HW_EINVALID : 0;
}

int agenda_schedule_rounds(hw_ws *ws, const char *case_id, const char *arrival_date)
{
	hw_store *st = ws_store(ws);
	store_case_work w;
	const char *who = NULL;
	char *setting = NULL, date[11], round[8];
	int months[24], n, rc;

	memset(&w, 0, sizeof(w));
	if (team_setting_value(ws, AGENDA_ROUNDS_SETTING, &setting) < 0)
		setting = NULL;
	if ((n = parse_rounds(setting ? setting : AGENDA_ROUNDS_DEFAULT, months, 24)) < 0) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "the setting %s \"%s\" is not a list of month counts (e.g. 3,6,12)",
				  AGENDA_ROUNDS_SETTING, setting ? setting : "");
		free(setting);
		return rc;
	}
	free(setting);
	if ((rc = case_work_get(ws, case_id, &w)) < 0)
		return rc;
	/* The field officer in the country of return meets the person; else whoever recorded it. */
	for (size_t i = 0; i < w.nassignees && !who; i++)
		if (!strcmp(w.assignees[i].role, "field_officer"))
			who = w.assignees[i].person;
	if ((rc = store_begin(st, ws_err(ws))) < 0)
		goto cleanup;
	for (int i = 0; rc == 0 && i < n; i++) {
		appointment_opts o = APPOINTMENT_OPTS_INIT;
		int have = 0;

		snprintf(round, sizeof(round), "m%d", months[i]);
		for (size_t k = 0; k < w.nappointments && !have; k++)
			have = w.appointments[k].round && !strcmp(w.appointments[k].round, round) &&
			       strcmp(w.appointments[k].status, "rescheduled");
		if (have)
			continue;
		if ((rc = add_months(arrival_date, months[i], date)) < 0) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "arrival date \"%.40s\" is not a date",
					  arrival_date);
			break;
		}
		o.date = date;
		o.round = round;
		o.form = AGENDA_FOLLOW_UP_FORM;
		o.assigned = who;
		rc = appointment_set(ws, case_id, &o, NULL);
	}
	if (rc == 0)
		rc = store_commit(st, ws_err(ws));
	else
		store_rollback(st);
cleanup:
	store_case_work_clear(&w);
	return rc;
}

/* --- reading the agenda ----------------------------------------------------- */

int agenda_list(hw_ws *ws, const store_agenda_query *q,
		int (*cb)(const store_appointment *a, void *payload), void *payload)
{
	return store_agenda_each(ws_store(ws), q, cb, payload, ws_err(ws));
}

int agenda_count(hw_ws *ws, const store_agenda_query *q, long *out)
{
	return store_agenda_count(ws_store(ws), q, out, ws_err(ws));
}

int agenda_overdue_count(hw_ws *ws, const char *person, long *out)
{
	store_agenda_query q = STORE_AGENDA_QUERY_INIT;
	char day[11];

	agenda_today(day);
	q.assigned = person;
	q.before = day;
	return agenda_count(ws, &q, out);
}

/* --- return files ------------------------------------------------------------ */

const char *family_inverse(const char *relation)
{
	static const char *const pairs[][2] = {
		{ "parent", "child" }, { "child", "parent" }, { "spouse", "spouse" },
		{ "sibling", "sibling" }, { "guardian", "ward" }, { "ward", "guardian" },
		{ "other", "other" },
	};

	for (size_t i = 0; relation && i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (!strcmp(pairs[i][0], relation))
			return pairs[i][1];
	return NULL;
}

/* The link case_id holds to member, or NULL (borrowed from w). */
static const store_family_link *link_of(const store_case_work *w, const char *member)
{
	for (size_t i = 0; i < w->nfamily; i++)
		if (!strcmp(w->family[i].member, member))
			return &w->family[i];
	return NULL;
}

/* Record one family event on each side, both or neither. */
static int record_pair(hw_ws *ws, const char *type, const char *a, const char *b,
		       const char *rel_ab, const char *rel_ba, const char *note)
{
	hw_store *st = ws_store(ws);
	char *d1 = NULL, *d2 = NULL;
	int rc;
	const char *kv1[] = { "member", b, rel_ab ? "relation" : NULL, rel_ab,
			      note && *note ? "note" : NULL, note, NULL };
	const char *kv2[] = { "member", a, rel_ba ? "relation" : NULL, rel_ba,
			      note && *note ? "note" : NULL, note, NULL };

	/* event_data_build stops at the first NULL key: drop the absent pairs first. */
	if (!rel_ab) {
		kv1[2] = kv1[4]; kv1[3] = kv1[5]; kv1[4] = NULL;
		kv2[2] = kv2[4]; kv2[3] = kv2[5]; kv2[4] = NULL;
	}
	if (!(d1 = event_data_build(kv1)) || !(d2 = event_data_build(kv2))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = store_begin(st, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = case_record(ws, a, type, d1, NULL)) < 0 ||
	    (rc = case_record(ws, b, type, d2, NULL)) < 0) {
		store_rollback(st);
		goto cleanup;
	}
	rc = store_commit(st, ws_err(ws));
cleanup:
	free(d1);
	free(d2);
	return rc;
}

int family_link(hw_ws *ws, const char *case_id, const char *other_id, const char *relation,
		const char *note)
{
	store_case_work w;
	store_case_row other;
	const store_family_link *l;
	char words[200];
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&other, 0, sizeof(other));
	if (!relation || !family_inverse(relation)) {
		vocab_text(words, sizeof(words), event_relations);
		return hw_error_set(ws_err(ws), HW_EINVALID, "relation \"%.40s\" is not one of: %s",
				    relation ? relation : "", words);
	}
	if ((rc = text_check(ws, "note", note, 2000, 1)) < 0)
		return rc;
	if (!strcmp(case_id, other_id))
		return hw_error_set(ws_err(ws), HW_EINVALID, "a case cannot be linked to itself (%.8s)", case_id);
	if ((rc = case_get(ws, other_id, &other)) < 0 || (rc = case_work_get(ws, case_id, &w)) < 0)
		goto cleanup;
	if ((l = link_of(&w, other_id)) != NULL && !strcmp(l->relation, relation)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "case %.8s is already linked to %.8s as %s",
				  case_id, other_id, relation);
		goto cleanup;
	}
	rc = record_pair(ws, EV_FAMILY_LINKED, case_id, other_id, relation, family_inverse(relation), note);
cleanup:
	store_case_work_clear(&w);
	store_case_row_clear(&other);
	return rc;
}

int family_unlink(hw_ws *ws, const char *case_id, const char *other_id)
{
	store_case_work w, wo;
	int rc, here, there;

	memset(&w, 0, sizeof(w));
	memset(&wo, 0, sizeof(wo));
	if ((rc = case_work_get(ws, case_id, &w)) < 0 || (rc = case_work_get(ws, other_id, &wo)) < 0)
		goto cleanup;
	here = link_of(&w, other_id) != NULL;
	there = link_of(&wo, case_id) != NULL;
	if (!here && !there) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "cases %.8s and %.8s are not linked", case_id, other_id);
		goto cleanup;
	}
	rc = record_pair(ws, EV_FAMILY_UNLINKED, case_id, other_id, NULL, NULL, NULL);
cleanup:
	store_case_work_clear(&w);
	store_case_work_clear(&wo);
	return rc;
}

void family_ids_free(char **ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

typedef struct file_walk {
	char **ids;
	size_t n;
	int oom;
} file_walk;

static int file_add(const char *member, const char *relation, void *payload)
{
	file_walk *f = payload;
	char **p;

	(void)relation;
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->ids[i], member))
			return 0;
	if (!(p = realloc(f->ids, (f->n + 1) * sizeof(char *))) || !(p[f->n] = strdup(member))) {
		if (p)
			f->ids = p;
		f->oom = 1;
		return HW_ERROR;
	}
	f->ids = p;
	f->n++;
	return 0;
}

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int family_file(hw_ws *ws, const char *case_id, char ***ids, size_t *n)
{
	file_walk f = { NULL, 0, 0 };
	int rc = file_add(case_id, NULL, &f);

	*ids = NULL;
	*n = 0;
	/* Breadth first: each member's links are read once; ids grows as it goes. */
	for (size_t i = 0; rc == 0 && i < f.n; i++)
		rc = store_family_members(ws_store(ws), f.ids[i], file_add, &f, ws_err(ws));
	if (rc < 0) {
		if (f.oom)
			hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		family_ids_free(f.ids, f.n);
		return rc;
	}
	if (f.n > 2)
		qsort(f.ids + 1, f.n - 1, sizeof(char *), cmp_ids);
	*ids = f.ids;
	*n = f.n;
	return 0;
}

/* --- case data that stays true ---------------------------------------------------- */

/* True if the space-separated list holds word. */
static int has_flag(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

const char *case_flag_disagreement(const store_case_row *r, int *age)
{
	*age = r->age;
	if (r->age < 0 || !r->vulnerability)
		return NULL;
	if (r->age >= 18 && has_flag(r->vulnerability, "minor"))
		return "minor";
	if (r->age >= 18 && has_flag(r->vulnerability, "unaccompanied_minor"))
		return "unaccompanied_minor";
	if (r->age < 60 && has_flag(r->vulnerability, "elderly"))
		return "elderly";
	return NULL;
}

int case_drop_contradicted_flags(hw_ws *ws, const char *case_id)
{
	store_case_row r;
	hw_buf b = HW_BUF_INIT;
	const char *flag;
	int age, rc;

	if ((rc = case_get(ws, case_id, &r)) < 0)
		return rc;
	if (!(flag = case_flag_disagreement(&r, &age))) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "case %.8s: its flags and its data agree", case_id);
		goto cleanup;
	}
	for (const char *p = r.vulnerability; *p;) {
		size_t len = strcspn(p, " ");
		int drop = (len == strlen(flag) && !strncmp(p, flag, len)) ||
			   (age >= 18 && ((len == 5 && !strncmp(p, "minor", 5)) ||
					  (len == 19 && !strncmp(p, "unaccompanied_minor", 19))));

		if (len && !drop)
			hw_buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	if ((rc = hw_buf_check(&b, ws_err(ws))) == 0)
		rc = case_update(ws, case_id, "vulnerability", b.len ? b.ptr : NULL);
cleanup:
	hw_buf_free(&b);
	store_case_row_clear(&r);
	return rc;
}
