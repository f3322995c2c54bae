/*
 * screen_case.c: one case: its details (stage, minor, vulnerability,
 * conflicts), then a list to act on: fill a form, resume a draft, its case
 * work (milestones, decision, assignees, consents, referrals with their
 * status and age), its submissions (Enter reads one) and its history of
 * events.  Capital letters record a step of case work (F4 lists them).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "agenda_text.h"
#include "caseform.h"
#include "cases.h"
#include "curses.h"
#include "event.h"
#include "forms.h"
#include "i18n.h"
#include "text.h"
#include "providers.h"
#include "util.h"
#include "view.h"
#include "work.h"

enum item_kind { IT_FILL, IT_DRAFT, IT_HEADER, IT_SUBMISSION, IT_EVENT, IT_WORK, IT_REFERRAL,
		 IT_APPOINTMENT, IT_MEMBER };

typedef struct case_item {
	enum item_kind kind;
	char *text;      /* shown */
	char *form_id;   /* drafts: the form to resume; submissions: the instance id;
			    referrals: the referral id; appointments: the appointment id;
			    family members: their case id */
} case_item;

typedef struct case_view {
	hw_ws *ws;
	char id[HW_UUID_LEN + 1];
	store_case_row row;
	store_case_work work;
	hw_provider_list *providers;   /* for the names of referrals' providers; may be NULL */
	char today[11];
	case_conflict *conflicts;
	size_t nconflicts;
	case_item *items;
	int count, sel, top, visible;
	/* Installed forms, for titles and the picker. */
	char **form_ids, **form_titles;
	int nforms;
} case_view;

static const ui_binding case_bindings[] = {
	{ UI_KEY_FN(KEY_UP), ACT_UP },
	{ UI_KEY_FN(KEY_DOWN), ACT_DOWN },
	{ UI_KEY_FN(KEY_PPAGE), ACT_PAGE_UP },
	{ UI_KEY_FN(KEY_NPAGE), ACT_PAGE_DOWN },
	{ '\r', ACT_OPEN },
	{ UI_KEY_FN(KEY_F(3)), ACT_FILL_FORM },
	{ 'f', ACT_FILL_FORM },
	{ 'r', ACT_RESUME },
	{ 'e', ACT_EDIT_CASE },
	{ 'd', ACT_DECIDE_CONFLICT },
	{ 'a', ACT_ASSISTANCE },
	{ UI_KEY_FN(KEY_F(4)), ACT_WORK_MENU },
	{ 'D', ACT_DECIDE },
	{ 'P', ACT_DEPART },
	{ 'A', ACT_ARRIVE },
	{ 'T', ACT_ASSIGN },
	{ 'C', ACT_CONSENT },
	{ 'W', ACT_WITHDRAW_CONSENT },
	{ 'R', ACT_REFER },
	{ 'U', ACT_UPDATE_REFERRAL },
	{ 'X', ACT_CLOSE_CASE },
	{ 'N', ACT_APPOINTMENT },
	{ 'O', ACT_APPOINTMENT_OUTCOME },
	{ 'M', ACT_RESCHEDULE },
	{ 'L', ACT_LINK_FAMILY },
	{ 'J', ACT_NEXT_MEMBER },
	{ 'V', ACT_WHICH_HOLDS },
	{ UI_KEY_ESC, ACT_BACK },
	{ UI_KEY_FN(KEY_LEFT), ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_note case_notes[] = {
	/* TRANSLATORS: help line of the case screen. */
	{ N_("Enter"), N_("On a submitted form: read it; on a referral: record where it stands") },
	{ NULL, NULL },
};
static const ui_keymap case_keymap = { "case", case_bindings, case_notes };

static const ui_hint case_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_FILL_FORM, N_("Fill a form") },
	/* TRANSLATORS: key hint: the list of case-work steps (decision, departure, ...). */
	{ ACT_WORK_MENU, N_("Case work") },
	{ ACT_EDIT_CASE, N_("Edit") },
	{ ACT_ASSISTANCE, N_("Assistance") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

/* With conflicts, deciding them comes first. */
static const ui_hint case_conflict_hints[] = {
	/* TRANSLATORS: key hint: decide a conflict between two devices' edits. */
	{ ACT_DECIDE_CONFLICT, N_("Decide conflict") },
	{ ACT_FILL_FORM, N_("Fill a form") },
	{ ACT_WORK_MENU, N_("Case work") },
	{ ACT_EDIT_CASE, N_("Edit") },
	{ ACT_BACK, N_("Back") },
	{ ACT_HELP, N_("Help") },
	{ ACT_QUIT, N_("Quit") },
	{ ACT_NONE, NULL },
};

static void items_free(case_view *c)
{
	int i;

	for (i = 0; i < c->count; i++) {
		free(c->items[i].text);
		free(c->items[i].form_id);
	}
	free(c->items);
	c->items = NULL;
	c->count = 0;
}

/* Add a line to the list; HW_ERROR when out of memory (the list would have a gap). */
static int add_item(case_view *c, enum item_kind kind, const char *text, const char *form_id)
{
	case_item *grown = realloc(c->items, (size_t)(c->count + 1) * sizeof *grown);

	if (!grown)
		return HW_ERROR;
	c->items = grown;
	grown[c->count].kind = kind;
	grown[c->count].text = strdup(text);
	grown[c->count].form_id = form_id ? strdup(form_id) : NULL;
	if (!grown[c->count].text || (form_id && !grown[c->count].form_id)) {
		free(grown[c->count].text);
		free(grown[c->count].form_id);
		return HW_ERROR;
	}
	c->count++;
	return 0;
}

/* The title of an installed form, or its id. */
static const char *form_title(case_view *c, const char *id)
{
	int i;

	for (i = 0; i < c->nforms; i++)
		if (strcmp(c->form_ids[i], id) == 0)
			return c->form_titles[i][0] ? c->form_titles[i] : id;
	return id;
}

static int add_form(const forms_entry *f, void *payload)
{
	case_view *c = payload;
	char **ids = realloc(c->form_ids, (size_t)(c->nforms + 1) * sizeof *ids);
	char **titles;

	if (!ids)
		return HW_ERROR;
	c->form_ids = ids;
	titles = realloc(c->form_titles, (size_t)(c->nforms + 1) * sizeof *titles);
	if (!titles)
		return HW_ERROR;
	c->form_titles = titles;
	ids[c->nforms] = strdup(f->id);
	titles[c->nforms] = strdup(f->title ? f->title : "");
	if (!ids[c->nforms] || !titles[c->nforms]) {
		free(ids[c->nforms]);
		free(titles[c->nforms]);
		return HW_ERROR;
	}
	c->nforms++;
	return 0;
}

/* "2026-11-29T10:42:07Z" as "2026-11-29 10:42". */
static void short_time(char out[17], const char *iso)
{
	snprintf(out, 17, "%.16s", iso ? iso : "");
	if (strlen(out) > 10)
		out[10] = ' ';
}

static int add_draft(const char *draft_id, const char *form_id, const char *updated_at, void *payload)
{
	case_view *c = payload;
	char buf[512], when[17];

	short_time(when, updated_at);
	snprintf(buf, sizeof buf, _("Draft: %s (last answer %s)"), form_title(c, form_id), when);
	return add_item(c, IT_DRAFT, buf, form_id);
}

static int add_submission(const store_submission *s, void *payload)
{
	case_view *c = payload;
	char buf[512], when[17];

	short_time(when, s->created_at);
	snprintf(buf, sizeof buf, "%s  %s  %s", when, form_title(c, s->form_id), s->instance_id);
	return add_item(c, IT_SUBMISSION, buf, s->instance_id);
}

/* A translated name of an event type. */
static const char *event_name(const char *type)
{
	if (!strcmp(type, EV_CASE_OPENED)) return _("case opened");
	if (!strcmp(type, EV_CASE_UPDATED)) return _("case updated");
	if (!strcmp(type, EV_CASE_ASSIGNED)) return _("case assigned");
	if (!strcmp(type, EV_CONSENT_RECORDED)) return _("consent recorded");
	if (!strcmp(type, EV_FORM_SUBMITTED)) return _("form submitted");
	if (!strcmp(type, EV_REFERRAL_SENT)) return _("referral sent");
	if (!strcmp(type, EV_CASE_CLOSED)) return _("case closed");
	if (!strcmp(type, EV_CASE_REOPENED)) return _("case reopened");
	if (!strcmp(type, EV_CONFLICT_RESOLVED)) return _("conflict resolved");
	/* TRANSLATORS: event names in a case's history; at most 20 columns. */
	if (!strcmp(type, EV_CASE_DECIDED)) return _("decision recorded");
	if (!strcmp(type, EV_CASE_DEPARTED)) return _("departure recorded");
	if (!strcmp(type, EV_CASE_ARRIVED)) return _("arrival recorded");
	if (!strcmp(type, EV_CONSENT_WITHDRAWN)) return _("consent withdrawn");
	if (!strcmp(type, EV_REFERRAL_UPDATED)) return _("referral updated");
	return type;
}

static int add_event(const char *json, void *payload)
{
	case_view *c = payload;
	hw_event *ev = NULL;
	char buf[512], when[17], *name;
	int rc;

	if ((rc = event_parse(&ev, json, strlen(json), NULL)) < 0)
		return rc == HW_EINVALID ? 0 : rc;
	short_time(when, ev->at);
	/* Pad by columns, not bytes: translated names are not ASCII. */
	name = text_pad(event_name(ev->type), 20);
	snprintf(buf, sizeof buf, "%s  %s %s", when, name ? name : ev->type, ev->author ? ev->author : "");
	free(name);
	rc = add_item(c, IT_EVENT, buf, NULL);
	event_free(ev);
	return rc;
}

/*
 * A line of case work: a label padded to a column, then the text; without
 * a label, the text two columns in (consents and referrals are long).
 */
static int add_work(case_view *c, enum item_kind kind, const char *label, const char *text,
		    const char *ref)
{
	char *padded = *label || !*text ? text_pad(label, 18) : strdup(" "), *line;
	int rc;

	if (!padded)
		return HW_ERROR;
	line = malloc(strlen(padded) + strlen(text) + 2);
	if (!line) {
		free(padded);
		return HW_ERROR;
	}
	sprintf(line, "%s %s", padded, text);
	rc = add_item(c, kind, line, ref);
	free(padded);
	free(line);
	return rc;
}

/* A comma-separated (or space-separated) list of codes as their names, "Cash, Travel". */
static void word_list(char *out, size_t n, const ui_word *words, const char *codes)
{
	size_t len = 0;

	out[0] = 0;
	for (const char *p = codes; p && *p && len < n;) {
		size_t k = strcspn(p, ", ");
		char code[64];

		if (k && k < sizeof code) {
			snprintf(code, sizeof code, "%.*s", (int)k, p);
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "",
						ui_word_label(words, code));
		}
		p += k;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

/* "today", "1 day ago", "12 days ago" from an ISO time. */
static void age_text(char *out, size_t n, const char *iso, const char *today)
{
	int days = ui_days_between(iso, today);

	if (days <= 0)
		snprintf(out, n, "%s", days == 0 ? _("today") : "");
	else
		/* TRANSLATORS: how long ago something happened. */
		snprintf(out, n, P_("%d day ago", "%d days ago", days), days);
}

/* The appointments (planned first, in date order as set) and the return file's members. */
static int add_agenda_items(case_view *c)
{
	hw_ws *ws = c->ws;
	store_case_work *w = &c->work;
	char buf[1024];
	int rc = 0, pass, shown = 0;
	size_t i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < w->nappointments; i++) {
			const store_appointment *a = &w->appointments[i];
			char *what, *due;

			if ((pass == 0) != !strcmp(a->status, "planned"))
				continue;
			what = agenda_purpose_text(a);
			due = agenda_due_text(a, c->today);
			/* TRANSLATORS: an appointment on the case screen: date, time, how
			 * far due, what for, how or where, who meets the person. */
			snprintf(buf, sizeof buf, _("%s %s  %s: %s, %s (%s)"), a->date, a->time ? a->time : "",
				 due ? due : "", what ? what : "",
				 a->place && *a->place ? a->place : agenda_channel_text(a->channel),
				 a->assigned ? a->assigned : "");
			free(what);
			free(due);
			if ((!shown++ && (rc = add_work(c, IT_WORK, _("Appointments:"), "", NULL)) < 0) ||
			    (rc = add_work(c, IT_APPOINTMENT, "", buf, a->id)) < 0)
				return rc;
		}
	for (i = 0; i < w->nfamily; i++) {
		const store_family_link *f = &w->family[i];
		store_case_row m;

		memset(&m, 0, sizeof m);
		if (case_get(ws, f->member, &m) < 0)
			hw_error_clear(ws_err(ws));   /* a member whose case is not here yet: its id */
		/* TRANSLATORS: a family member on the case screen: relation, name, short id. */
		snprintf(buf, sizeof buf, _("%s: %s %s (%.8s)"), agenda_relation_text(f->relation),
			 m.given_name ? m.given_name : "", m.family_name ? m.family_name : "", f->member);
		store_case_row_clear(&m);
		if ((!i && (rc = add_work(c, IT_WORK, _("Family:"), "", NULL)) < 0) ||
		    (rc = add_work(c, IT_MEMBER, "", buf, f->member)) < 0)
			return rc;
	}
	return 0;
}

/* The case's work as list lines: milestones, assignees, consents, referrals. */
static int add_work_items(case_view *c)
{
	store_case_work *w = &c->work;
	char buf[1024], list[512], age[64];
	int rc = 0;
	size_t i;

	if ((rc = add_item(c, IT_HEADER, _("Case work"), NULL)) < 0)
		return rc;
	if (w->decision) {
		snprintf(buf, sizeof buf, "%s, %s", ui_word_label(ui_decisions, w->decision),
			 w->decision_date ? w->decision_date : "");
		if ((rc = add_work(c, IT_WORK, _("Decision"), buf, NULL)) < 0)
			return rc;
		for (i = 0; w->ndecisions > 1 && i + 1 < w->ndecisions; i++) {
			/* TRANSLATORS: an earlier decision, superseded: decision, date, who. */
			snprintf(buf, sizeof buf, _("earlier: %s, %s (%s)"),
				 ui_word_label(ui_decisions, w->decisions[i].decision),
				 w->decisions[i].date ? w->decisions[i].date : "",
				 w->decisions[i].author ? w->decisions[i].author : "");
			if ((rc = add_work(c, IT_WORK, "", buf, NULL)) < 0)
				return rc;
		}
	}
	if (w->departure_planned && !w->departed_on &&
	    (rc = add_work(c, IT_WORK, _("Departure planned"), w->departure_planned, NULL)) < 0)
		return rc;
	if (w->departed_on) {
		snprintf(buf, sizeof buf, "%s, %s", w->departed_on, ui_word_label(ui_return_types, w->return_type));
		if (w->assistance_granted) {
			word_list(list, sizeof list, ui_kinds, w->assistance);
			/* TRANSLATORS: after the departure: the kinds of assistance granted. */
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), _("; assistance: %s"), list);
		}
		if ((rc = add_work(c, IT_WORK, _("Departed"), buf, NULL)) < 0)
			return rc;
	}
	if (w->arrived_on) {
		/* TRANSLATORS: the arrival date and who confirmed it. */
		snprintf(buf, sizeof buf, _("%s, confirmed by %s"), w->arrived_on,
			 w->arrival_confirmed_by ? w->arrival_confirmed_by : "-");
		if ((rc = add_work(c, IT_WORK, _("Arrived"), buf, NULL)) < 0)
			return rc;
	}
	if (w->follow_up_on) {
		/* TRANSLATORS: the date of the first follow-up and its round. */
		snprintf(buf, sizeof buf, _("%s (round %s)"), w->follow_up_on,
			 w->follow_up_round ? w->follow_up_round : "-");
		if ((rc = add_work(c, IT_WORK, _("First follow-up"), buf, NULL)) < 0)
			return rc;
	}
	if (w->closed_on) {
		snprintf(buf, sizeof buf, "%s, %s%s%s", w->closed_on, ui_word_label(ui_close_reasons, w->close_reason),
			 w->close_note ? ": " : "", w->close_note ? w->close_note : "");
		if ((rc = add_work(c, IT_WORK, _("Closed"), buf, NULL)) < 0)
			return rc;
	}
	if (w->reopened_on && (rc = add_work(c, IT_WORK, _("Reopened"), w->reopened_on, NULL)) < 0)
		return rc;
	for (i = 0; i < w->nassignees; i++) {
		const store_assignee *a = &w->assignees[i];

		snprintf(buf, sizeof buf, "%s (%s%s%s)", a->person, ui_word_label(ui_roles, a->role),
			 a->organisation ? ", " : "", a->organisation ? a->organisation : "");
		if ((rc = add_work(c, IT_WORK, i ? "" : _("Assigned to:"), buf, NULL)) < 0)
			return rc;
	}
	for (i = 0; i < w->nconsents; i++) {
		const store_consent *k = &w->consents[i];

		word_list(list, sizeof list, ui_present, k->present);
		snprintf(buf, sizeof buf, "%s %s: %s%s%s%s%s%s",
			 k->withdrawn_on ? _("withdrawn") : k->granted ? _("granted") : _("refused"),
			 k->withdrawn_on ? k->withdrawn_on : k->date ? k->date : "",
			 ui_word_label(ui_purposes, k->purpose),
			 k->recipient && *k->recipient ? " \xe2\x86\x92 " : "", k->recipient ? k->recipient : "",
			 list[0] ? " (" : "", list, list[0] ? ")" : "");
		if ((!i && (rc = add_work(c, IT_WORK, _("Consents:"), "", NULL)) < 0) ||
		    (rc = add_work(c, IT_WORK, "", buf, NULL)) < 0)
			return rc;
	}
	for (i = 0; i < w->nreferrals; i++) {
		const store_referral *r = &w->referrals[i];
		const hw_provider *p = providers_find(c->providers, r->provider);

		age_text(age, sizeof age, r->sent_at, c->today);
		word_list(list, sizeof list, ui_kinds, r->kinds);
		/* TRANSLATORS: a referral on the case screen: status, since when,
		 * how long ago it was sent, the provider, the kinds asked for. */
		snprintf(buf, sizeof buf, _("%s %.10s (sent %s): %s; %s%s"),
			 ui_word_label(ui_referral_statuses, r->status), r->status_at ? r->status_at : "",
			 age, p ? p->name : r->provider, list,
			 r->urgency && !strcmp(r->urgency, "urgent") ? _("  URGENT") : "");
		if ((!i && (rc = add_work(c, IT_WORK, _("Referrals:"), "", NULL)) < 0) ||
		    (rc = add_work(c, IT_REFERRAL, "", buf, r->id)) < 0)
			return rc;
	}
	return add_agenda_items(c);
}

/* Keep the first failure (code and detail) of a series of calls in *first. */
static void note_failure(hw_ws *ws, int rc, hw_error *first)
{
	if (rc >= 0 || first->code)
		return;
	*first = *ws_error(ws);
	if (!first->msg[0])   /* a callback's own failure: out of memory */
		hw_error_set(first, rc, "out of memory");
	first->code = rc;
}

/*
 * (Re)read the case and everything listed under it.  Every call reports
 * into the workspace's error slot; a list that cannot be read is left out
 * and the first failure is returned (with its detail back in the slot), so
 * the screen says so instead of showing a list with a silent gap.
 */
static int load(case_view *c, tui *t)
{
	hw_ws *ws = tui_ws(t);
	hw_error first = { 0, "" };
	int rc, i, first_event;

	char now[HW_TIME_LEN + 1];

	items_free(c);
	store_case_row_clear(&c->row);
	store_case_work_clear(&c->work);
	case_conflicts_free(c->conflicts, c->nconflicts);
	c->conflicts = NULL;
	c->nconflicts = 0;
	hw_error_clear(ws_err(ws));
	hw_now_iso(now);
	snprintf(c->today, sizeof c->today, "%.10s", now);
	if ((rc = case_get(ws, c->id, &c->row)) < 0)
		return rc;
	note_failure(ws, case_conflicts(ws, c->id, &c->conflicts, &c->nconflicts), &first);
	if (!c->form_ids)
		note_failure(ws, forms_list(ws, add_form, NULL, c), &first);
	/* The providers' names are a nicety: without the file, referrals show ids. */
	if (!c->providers && providers_load(ws, &c->providers) < 0)
		hw_error_clear(ws_err(ws));
	note_failure(ws, add_item(c, IT_FILL, _("Fill in a form..."), NULL), &first);
	note_failure(ws, forms_drafts_of_case(ws, c->id, add_draft, c), &first);
	rc = case_work_get(ws, c->id, &c->work);
	note_failure(ws, rc, &first);
	if (rc == 0)
		note_failure(ws, add_work_items(c), &first);
	note_failure(ws, add_item(c, IT_HEADER, _("Submitted forms"), NULL), &first);
	i = c->count;
	note_failure(ws, rc = case_submissions(ws, c->id, add_submission, c), &first);
	if (c->count == i && rc == 0)
		note_failure(ws, add_item(c, IT_HEADER, _("  (none yet)"), NULL), &first);
	note_failure(ws, add_item(c, IT_HEADER, _("History"), NULL), &first);
	first_event = c->count;
	note_failure(ws, case_events(ws, c->id, add_event, c), &first);
	/* Newest first. */
	for (i = 0; i < (c->count - first_event) / 2; i++) {
		case_item tmp = c->items[first_event + i];

		c->items[first_event + i] = c->items[c->count - 1 - i];
		c->items[c->count - 1 - i] = tmp;
	}
	ui_list_clamp(&c->sel, &c->top, c->count, c->visible);
	if (first.code) {
		*ws_err(ws) = first;
		return first.code;
	}
	return 0;
}

static void case_close(ui_view *v, tui *t)
{
	case_view *c = v->data;
	int i;

	if (!c)
		return;
	items_free(c);
	store_case_row_clear(&c->row);
	store_case_work_clear(&c->work);
	providers_free(c->providers);
	case_conflicts_free(c->conflicts, c->nconflicts);
	for (i = 0; i < c->nforms; i++) {
		free(c->form_ids[i]);
		free(c->form_titles[i]);
	}
	free(c->form_ids);
	free(c->form_titles);
	free(c);
}

static int case_open_view(ui_view *v, tui *t, void *arg)
{
	case_view *c = calloc(1, sizeof *c);
	int rc;

	if (!c)
		return HW_ERROR;
	v->data = c;
	snprintf(c->id, sizeof c->id, "%s", (const char *)arg);
	c->ws = tui_ws(t);
	c->visible = 10;
	if ((rc = load(c, t)) < 0) {
		if (!c->row.id) {   /* no case to show */
			case_close(v, t);
			v->data = NULL;
			return rc;
		}
		tui_error(t, rc);   /* the case, and a message saying what could not be read */
	}
	return 0;
}

static void case_resume(ui_view *v, tui *t)
{
	int rc = load(v->data, t);

	if (rc < 0)
		tui_error(t, rc);
}

/*
 * A minor with no parent or guardian linked, and not recorded as an
 * unaccompanied minor either: someone has to find out (docs/agenda.md).
 */
static int possibly_unaccompanied(const case_view *c)
{
	const char *v = c->row.vulnerability ? c->row.vulnerability : "";
	size_t n = strlen("unaccompanied_minor");

	for (const char *p = strstr(v, "unaccompanied_minor"); p; p = strstr(p + 1, "unaccompanied_minor"))
		if ((p == v || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
			return 0;
	for (size_t i = 0; i < c->work.nfamily; i++)
		if (!strcmp(c->work.family[i].relation, "parent") ||
		    !strcmp(c->work.family[i].relation, "guardian"))
			return 0;
	return 1;
}

/* The date the case reached its stage, when a milestone gives it (NULL otherwise). */
static const char *stage_date(const store_case_work *w)
{
	const char *st = w->stage ? w->stage : "";

	if (!strcmp(st, "decided")) return w->decision_date;
	if (!strcmp(st, "pre-departure")) return w->departure_planned;
	if (!strcmp(st, "departed")) return w->departed_on;
	if (!strcmp(st, "arrived")) return w->arrived_on;
	if (!strcmp(st, "follow-up")) return w->follow_up_on;
	if (!strcmp(st, "closed")) return w->closed_on;
	if (!strcmp(st, "reopened")) return w->reopened_on;
	return NULL;
}

/* The details of a case on one line: sex and age, countries, language. */
static void details_line(char *buf, size_t n, const store_case_row *r)
{
	const char *sex = r->sex ? r->sex : "";
	size_t len = 0;

	buf[0] = 0;
	if (*sex)
		len += (size_t)snprintf(buf + len, n - len, "%s", !strcmp(sex, "female") ? _("female")
					: !strcmp(sex, "male") ? _("male")
					: !strcmp(sex, "other") ? _("other") : _("unknown"));
	if (len < n && r->birth_date)
		len += (size_t)snprintf(buf + len, n - len, "%s", len ? ", " : "");
	if (len < n && r->birth_date)
		len += (size_t)snprintf(buf + len, n - len, _("born %s"), r->birth_date);
	else if (len < n && r->birth_year)
		len += (size_t)snprintf(buf + len, n - len, "%s", len ? ", " : "");
	if (len < n && !r->birth_date && r->birth_year)
		len += (size_t)snprintf(buf + len, n - len, _("born about %d"), r->birth_year);
	if (len < n) {
		/* Names, in the reader's language, and the code: "Nigeria (NG)", not just "NG". */
		char nat[160] = "-", ret[160] = "-", lang[160] = "-";

		if (r->nationality)
			snprintf(nat, sizeof nat, "%s (%s)", ui_country_name(r->nationality), r->nationality);
		if (r->return_country)
			snprintf(ret, sizeof ret, "%s (%s)", ui_country_name(r->return_country), r->return_country);
		if (r->language)
			snprintf(lang, sizeof lang, "%s (%s)", ui_language_name(r->language), r->language);
		snprintf(buf + len, n - len, "%s%s: %s  %s: %s  %s: %s", len ? "  " : "",
			 _("Nationality"), nat, _("Return to"), ret, _("Language"), lang);
	}
}

static void case_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	case_view *c = v->data;
	store_case_row *r = &c->row;
	char buf[1024];
	int y = top, i, used;
	size_t k;

	snprintf(buf, sizeof buf, "%s %s", r->given_name ? r->given_name : "",
		 r->family_name ? r->family_name : "");
	tui_set_title(t, buf);
	tui_set_hints(t, &case_keymap, c->nconflicts ? case_conflict_hints : case_hints);

	ui_put(t, y, 1, cols - 14, buf, ROLE_HEADER, 0);
	snprintf(buf, sizeof buf, "%.8s", c->id);
	ui_put(t, y, cols - 12, 11, buf, ROLE_DIM, 0);
	y++;
	details_line(buf, sizeof buf, r);
	y += ui_put_block(t, y, 1, cols - 2, 2, buf, ROLE_NORMAL, 0);
	/* The stage, with the date of its milestone when it has one. */
	snprintf(buf, sizeof buf, "%s: %s%s%s", _("Stage"), ui_word_label(ui_stages, c->work.stage),
		 stage_date(&c->work) ? "  " : "", stage_date(&c->work) ? stage_date(&c->work) : "");
	ui_put(t, y++, 1, cols - 2, buf, ROLE_HEADER, 0);
	if (r->minor) {
		/* TRANSLATORS: a banner on the case screen of a child. */
		ui_put(t, y++, 1, cols - 2, _("CHILD: use the child-friendly wording; a guardian must be present."),
		       ROLE_MINOR, 0);
		if (possibly_unaccompanied(c))
			/* TRANSLATORS: a banner on the case screen of a child with no linked parent or guardian. */
			y += ui_put_block(t, y, 1, cols - 2, 2,
					  _("POSSIBLY UNACCOMPANIED: no parent or guardian is linked to this case. "
					    "Link one (L), or record unaccompanied_minor in the vulnerability (e)."),
					  ROLE_CONFLICT, 0);
	}
	if (r->vulnerability && *r->vulnerability) {
		snprintf(buf, sizeof buf, "%s: %s", _("Vulnerability"), r->vulnerability);
		y += ui_put_block(t, y, 1, cols - 2, 2, buf, ROLE_CONFLICT, 0);
	}
	{
		int age;
		const char *flag = case_flag_disagreement(r, &age);

		if (flag) {
			/* TRANSLATORS: a vulnerability flag (a form's) that the case's birth
			 * date contradicts: the flag, then the age the birth date gives. */
			snprintf(buf, sizeof buf, _("DISAGREEMENT: the vulnerability says \"%s\", but the birth date "
						    "makes the person %d. Which holds? Press V."), flag, age);
			y += ui_put_block(t, y, 1, cols - 2, 2, buf, ROLE_CONFLICT, 0);
		}
	}
	for (k = 0; k < c->nconflicts && y < top + rows - 4; k++) {
		case_conflict *cf = &c->conflicts[k];
		size_t j, len;

		len = (size_t)snprintf(buf, sizeof buf, _("CONFLICT in %s: "),
				     ui_case_field_label(cf->field));
		for (j = 0; j < cf->nvalues && len < sizeof buf; j++)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", j ? " / " : "",
						cf->values[j]);
		if (len < sizeof buf)
			snprintf(buf + len, sizeof buf - len, _(" (showing %s until someone decides: press d)"),
				 cf->provisional ? cf->provisional : "");
		y += ui_put_block(t, y, 1, cols - 2, 2, buf, ROLE_CONFLICT, 0);
	}
	y++;
	used = y - top;
	c->visible = rows - used;
	ui_list_clamp(&c->sel, &c->top, c->count, c->visible);
	for (i = c->top; i < c->count && y < top + rows; i++, y++) {
		case_item *it = &c->items[i];
		enum ui_role role = it->kind == IT_HEADER ? ROLE_HEADER
				    : it->kind == IT_EVENT || it->kind == IT_SUBMISSION || it->kind == IT_WORK ||
				      it->kind == IT_REFERRAL || it->kind == IT_APPOINTMENT ||
				      it->kind == IT_MEMBER ? ROLE_NORMAL
				    : ROLE_KEYS;

		if (i == c->sel)
			role = ROLE_SELECTED;
		ui_blank(y, 0, cols, i == c->sel ? ROLE_SELECTED : ROLE_NORMAL);
		ui_put(t, y, it->kind == IT_HEADER ? 1 : 3, cols - 4, it->text, role, 0);
	}
}

static void holds_chosen(tui *t, const char *value, void *payload)
{
	case_view *c = payload;
	int rc;

	if (!strcmp(value, "data")) {
		if ((rc = case_drop_contradicted_flags(tui_ws(t), c->id)) < 0)
			tui_error(t, rc);
		else
			tui_message(t, ROLE_INFO, "%s", _("Recorded: the flag is removed. It is sent with the next sync."));
		if ((rc = load(c, t)) < 0)
			tui_error(t, rc);
	} else if ((rc = tui_push(t, &ui_screen_edit, c->id)) < 0) {
		tui_error(t, rc);
	}
}

/* A form's flag against the case's birth date: ask which holds. */
static void which_holds(case_view *c, tui *t)
{
	ui_pick_item items[2];
	ui_pick_args a;
	char first[300];
	int age;
	const char *flag = case_flag_disagreement(&c->row, &age);

	if (!flag) {
		tui_message(t, ROLE_INFO, "%s", _("The case's flags and its data agree."));
		return;
	}
	/* TRANSLATORS: the first answer to "which holds?": the flag is removed. */
	snprintf(first, sizeof first, _("The birth date holds: remove \"%s\" from the vulnerability"), flag);
	items[0].label = first;
	items[0].value = "data";
	/* TRANSLATORS: the second answer: the counsellor corrects the birth date. */
	items[1].label = _("The vulnerability holds: correct the birth date");
	items[1].value = "form";
	memset(&a, 0, sizeof a);
	a.title = _("The vulnerability and the birth date disagree: which holds?");
	a.items = items;
	a.count = 2;
	a.chosen = holds_chosen;
	a.payload = c;   /* lives as long as this view, which stays below */
	tui_push(t, &ui_screen_pick, &a);
}

/* Open a family member's case over this one. */
static void open_member(tui *t, const char *member)
{
	char id[HW_UUID_LEN + 1];
	int rc;

	snprintf(id, sizeof id, "%s", member);
	if ((rc = tui_push(t, &ui_screen_case, id)) < 0)
		tui_error(t, rc);
}

/*
 * Go to the next member of the return file (in the order of their ids,
 * round): this case's screen gives way to theirs, so going round a family
 * does not pile screens up.
 */
static void next_member(case_view *c, tui *t)
{
	hw_ws *ws = tui_ws(t);
	char **ids = NULL, next[HW_UUID_LEN + 1] = "";
	size_t n = 0, i;
	int rc;

	if ((rc = family_file(ws, c->id, &ids, &n)) < 0) {
		tui_error(t, rc);
		return;
	}
	for (i = 1; i < n; i++)   /* the first is this case; the others in id order */
		if (strcmp(ids[i], c->id) > 0) {
			snprintf(next, sizeof next, "%s", ids[i]);
			break;
		}
	if (!next[0] && n > 1)
		snprintf(next, sizeof next, "%s", ids[1]);
	family_ids_free(ids, n);
	if (!next[0]) {
		tui_message(t, ROLE_INFO, "%s", _("No family member is linked to this case (L links one)."));
		return;
	}
	tui_pop(t);
	if ((rc = tui_push(t, &ui_screen_case, next)) < 0)
		tui_error(t, rc);
}

static void open_form(tui *t, const char *case_id, const char *form_id)
{
	ui_form_arg a = { case_id, form_id };
	int rc = tui_push(t, &ui_screen_form, &a);

	if (rc < 0)
		tui_error(t, rc);
}

/* The value of the picker's last row, "show every form": never a form id (ids are file names). */
#define ALL_FORMS "/all"

static void pick_form(case_view *c, tui *t, int all);

static void form_chosen(tui *t, const char *value, void *payload)
{
	case_view *c = payload;

	if (!strcmp(value, ALL_FORMS))
		pick_form(c, t, 1);
	else
		open_form(t, c->id, value);
}

/* Why a form is or is not for this case, translated. */
static const char *form_for_text(int why)
{
	switch (why) {
	case CASEFORM_FOR_MINORS: return _("for minors only");
	case CASEFORM_FOR_ADULTS: return _("for adults only");
	case CASEFORM_FOR_EXPR: return _("for cases where the form's condition holds");
	default: return "";
	}
}

/* The picker's rows as they are built: labels owned, values borrowed from the view. */
typedef struct form_rows {
	case_view *c;
	ui_pick_item *items;
	char **labels;
	int n, hidden, all, oom;
} form_rows;

static int add_form_row(const caseform_entry *e, void *payload)
{
	form_rows *r = payload;
	ui_pick_item *items;
	char **labels;
	hw_buf b = HW_BUF_INIT;
	int i;

	if (!e->applies && !r->all) {
		r->hidden++;
		return 0;
	}
	/* The value must outlive this call: the view's copy of the id. */
	for (i = 0; i < r->c->nforms && strcmp(r->c->form_ids[i], e->id); i++)
		;
	if (i == r->c->nforms)
		return 0;
	hw_buf_puts(&b, e->title && *e->title ? e->title : e->id);
	if (!e->applies) {
		hw_buf_puts(&b, "  -- ");
		/* TRANSLATORS: after a form's title in the form picker; %s says whom the form is for. */
		hw_buf_printf(&b, _("does not apply: %s"), form_for_text(e->why));
	}
	items = realloc(r->items, (size_t)(r->n + 2) * sizeof *items);
	labels = items ? realloc(r->labels, (size_t)(r->n + 2) * sizeof *labels) : NULL;
	if (items)
		r->items = items;
	if (labels)
		r->labels = labels;
	if (!items || !labels || hw_buf_oom(&b)) {
		hw_buf_free(&b);
		r->oom = 1;
		return HW_ERROR;
	}
	r->labels[r->n] = hw_buf_detach(&b);
	r->items[r->n].label = r->labels[r->n];
	r->items[r->n].value = r->c->form_ids[i];
	r->n++;
	return 0;
}

/*
 * The forms that apply to this case (homeward:applies-to, worked out now:
 * the case may have changed), and a last row to see them all; with all,
 * every form, those that do not apply saying why.
 */
static void pick_form(case_view *c, tui *t, int all)
{
	form_rows r = { c, NULL, NULL, 0, 0, all, 0 };
	char more[200];
	ui_pick_args a;
	int rc;

	if (c->nforms == 0) {
		tui_message(t, ROLE_ERROR, "%s", _("No forms are installed in this workspace."));
		return;
	}
	rc = caseform_forms(tui_ws(t), c->id, add_form_row, &r);
	if (rc < 0 || r.oom) {
		tui_error(t, rc < 0 ? rc : HW_ERROR);
		goto cleanup;
	}
	if (r.hidden) {
		/* add_form_row left room for one more row. */
		snprintf(more, sizeof more, "%s", _("Show every form, also those that do not apply..."));
		if (!r.items && !(r.items = calloc(1, sizeof *r.items)))
			goto cleanup;
		r.items[r.n].label = more;
		r.items[r.n].value = ALL_FORMS;
		r.n++;
	}
	memset(&a, 0, sizeof a);
	a.title = all ? _("Which form? (all forms)") : _("Which form?");
	a.items = r.items;
	a.count = r.n;
	a.chosen = form_chosen;
	a.payload = c;   /* lives as long as this view, which stays below */
	tui_push(t, &ui_screen_pick, &a);
cleanup:
	for (int i = 0; i < r.n && r.labels; i++)
		if (r.items[i].label != more)
			free(r.labels[i]);
	free(r.labels);
	free(r.items);
}

static void open_decide(tui *t, const char *case_id, const char *field)
{
	ui_decide_arg a = { case_id, field };
	int rc = tui_push(t, &ui_screen_decide, &a);

	if (rc < 0)
		tui_error(t, rc);
}

static void conflict_chosen(tui *t, const char *value, void *payload)
{
	open_decide(t, (const char *)payload, value);
}

/* Decide the case's conflict, asking which one first when there are several. */
static void decide_conflict(case_view *c, tui *t)
{
	ui_pick_item *items;
	char **labels;
	ui_pick_args a;
	size_t k, j, len;

	if (c->nconflicts == 0) {
		tui_message(t, ROLE_INFO, "%s", _("This case has no conflict to decide."));
		return;
	}
	if (c->nconflicts == 1) {
		open_decide(t, c->id, c->conflicts[0].field);
		return;
	}
	items = calloc(c->nconflicts, sizeof *items);
	labels = calloc(c->nconflicts, sizeof *labels);
	if (!items || !labels)
		goto cleanup;
	for (k = 0; k < c->nconflicts; k++) {
		case_conflict *cf = &c->conflicts[k];
		char buf[512];

		/* "Country of return: SY / AF", as on the case screen. */
		len = (size_t)snprintf(buf, sizeof buf, "%s: ", ui_case_field_label(cf->field));
		for (j = 0; j < cf->nvalues && len < sizeof buf; j++)
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", j ? " / " : "",
						cf->values[j]);
		labels[k] = strdup(buf);
		items[k].label = labels[k];
		items[k].value = cf->field;
	}
	memset(&a, 0, sizeof a);
	a.title = _("Which conflict do you want to decide?");
	a.items = items;
	a.count = (int)c->nconflicts;
	a.chosen = conflict_chosen;
	a.payload = c->id;   /* lives as long as this view, which stays below */
	tui_push(t, &ui_screen_pick, &a);
cleanup:
	for (k = 0; labels && k < c->nconflicts; k++)
		free(labels[k]);
	free(labels);
	free(items);
}

/* Read a submitted form, with the case's language as the returnee's. */
static void open_submission(case_view *c, tui *t, const char *instance_id)
{
	ui_submission_arg a = { instance_id, c->row.language };
	int rc = tui_push(t, &ui_screen_submission, &a);

	if (rc < 0)
		tui_error(t, rc);
}

/* Open the short form of a step of case work. */
static void open_work(tui *t, const char *case_id, enum ui_work_step step, const char *referral_id)
{
	ui_work_arg a = { case_id, step, referral_id };
	int rc = tui_push(t, &ui_screen_work, &a);

	if (rc < 0)
		tui_error(t, rc);
}

/* A step that has something to act on: a consent to withdraw, a referral to update. */
static int step_applies(const case_view *c, tui *t, enum ui_work_step step)
{
	size_t i;

	if (step == WORK_WITHDRAW) {
		for (i = 0; i < c->work.nconsents; i++)
			if (c->work.consents[i].granted && !c->work.consents[i].withdrawn_on)
				return 1;
		tui_message(t, ROLE_INFO, "%s", _("This case has no granted consent to withdraw."));
		return 0;
	}
	if (step == WORK_APPOINTMENT_OUTCOME || step == WORK_RESCHEDULE) {
		for (i = 0; i < c->work.nappointments; i++)
			if (!strcmp(c->work.appointments[i].status, "planned"))
				return 1;
		tui_message(t, ROLE_INFO, "%s", _("This case has no planned appointment."));
		return 0;
	}
	if (step == WORK_UPDATE_REFERRAL) {
		for (i = 0; i < c->work.nreferrals; i++)
			if (strcmp(c->work.referrals[i].status, "closed"))
				return 1;
		tui_message(t, ROLE_INFO, "%s", _("This case has no open referral to update."));
		return 0;
	}
	return 1;
}

/* The steps of case work, in the order of the menu, with the action whose key records each. */
static const struct {
	enum ui_work_step step;
	enum ui_action action;
	const char *label;
} work_steps[] = {
	/* TRANSLATORS: the case-work menu of the case screen. */
	{ WORK_DECIDE, ACT_DECIDE, N_("Decision") },
	{ WORK_DEPART, ACT_DEPART, N_("Departure") },
	{ WORK_ARRIVE, ACT_ARRIVE, N_("Arrival") },
	{ WORK_ASSIGN, ACT_ASSIGN, N_("Assign or transfer") },
	{ WORK_CONSENT, ACT_CONSENT, N_("Consent") },
	{ WORK_WITHDRAW, ACT_WITHDRAW_CONSENT, N_("Withdraw a consent") },
	{ WORK_REFER, ACT_REFER, N_("Refer to a provider") },
	{ WORK_UPDATE_REFERRAL, ACT_UPDATE_REFERRAL, N_("Update a referral") },
	{ WORK_APPOINTMENT, ACT_APPOINTMENT, N_("Set an appointment") },
	{ WORK_APPOINTMENT_OUTCOME, ACT_APPOINTMENT_OUTCOME, N_("How an appointment went") },
	{ WORK_RESCHEDULE, ACT_RESCHEDULE, N_("Move an appointment") },
	{ WORK_LINK, ACT_LINK_FAMILY, N_("Link a family member") },
	{ WORK_CLOSE, ACT_CLOSE_CASE, N_("Close the case") },
	{ WORK_REOPEN, ACT_CLOSE_CASE, N_("Reopen the case") },
};
#define NSTEPS ((int)(sizeof work_steps / sizeof work_steps[0]))

/* True when the case is closed (its stage, as folded). */
static int is_closed(const case_view *c)
{
	return c->work.stage && strcmp(c->work.stage, "closed") == 0;
}

/* The referral under the cursor, or NULL. */
static const char *selected_referral(const case_view *c)
{
	return c->count && c->items[c->sel].kind == IT_REFERRAL ? c->items[c->sel].form_id : NULL;
}

static void step_chosen(tui *t, const char *value, void *payload)
{
	case_view *c = payload;
	enum ui_work_step step = (enum ui_work_step)atoi(value);

	if (step_applies(c, t, step))
		open_work(t, c->id, step, NULL);
}

/* The menu of case-work steps, each with its key. */
static void work_menu(case_view *c, tui *t)
{
	ui_pick_item items[NSTEPS];
	char labels[NSTEPS][160], values[NSTEPS][8];
	ui_pick_args a;
	int i, n = 0;

	for (i = 0; i < NSTEPS; i++) {
		if ((work_steps[i].step == WORK_CLOSE && is_closed(c)) ||
		    (work_steps[i].step == WORK_REOPEN && !is_closed(c)))
			continue;
		snprintf(labels[n], sizeof labels[n], "%-3s %s",
			 ui_key_name(ui_key_for_action(&case_keymap, work_steps[i].action)),
			 _(work_steps[i].label));
		snprintf(values[n], sizeof values[n], "%d", (int)work_steps[i].step);
		items[n].label = labels[n];
		items[n].value = values[n];
		n++;
	}
	memset(&a, 0, sizeof a);
	/* TRANSLATORS: the title of the case-work menu. */
	a.title = _("Record which step of case work?");
	a.items = items;
	a.count = n;
	a.chosen = step_chosen;
	a.payload = c;   /* lives as long as this view, which stays below */
	tui_push(t, &ui_screen_pick, &a);
}

static int case_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	case_view *c = v->data;
	int i;

	if (ui_list_nav(&c->sel, &c->top, c->count, c->visible, act))
		return UI_HANDLED | UI_REDRAW;
	switch (act) {
	case ACT_OPEN:
		if (c->count == 0)
			return UI_HANDLED;
		if (c->items[c->sel].kind == IT_FILL)
			pick_form(c, t, 0);
		else if (c->items[c->sel].kind == IT_DRAFT)
			open_form(t, c->id, c->items[c->sel].form_id);
		else if (c->items[c->sel].kind == IT_SUBMISSION)
			open_submission(c, t, c->items[c->sel].form_id);
		else if (c->items[c->sel].kind == IT_REFERRAL)
			open_work(t, c->id, WORK_UPDATE_REFERRAL, c->items[c->sel].form_id);
		else if (c->items[c->sel].kind == IT_APPOINTMENT && step_applies(c, t, WORK_APPOINTMENT_OUTCOME))
			open_work(t, c->id, WORK_APPOINTMENT_OUTCOME, c->items[c->sel].form_id);
		else if (c->items[c->sel].kind == IT_MEMBER)
			open_member(t, c->items[c->sel].form_id);
		return UI_HANDLED;
	case ACT_APPOINTMENT:
		open_work(t, c->id, WORK_APPOINTMENT, NULL);
		return UI_HANDLED;
	case ACT_APPOINTMENT_OUTCOME:
		if (step_applies(c, t, WORK_APPOINTMENT_OUTCOME))
			open_work(t, c->id, WORK_APPOINTMENT_OUTCOME,
				  c->count && c->items[c->sel].kind == IT_APPOINTMENT ? c->items[c->sel].form_id : NULL);
		return UI_HANDLED;
	case ACT_RESCHEDULE:
		if (step_applies(c, t, WORK_RESCHEDULE))
			open_work(t, c->id, WORK_RESCHEDULE,
				  c->count && c->items[c->sel].kind == IT_APPOINTMENT ? c->items[c->sel].form_id : NULL);
		return UI_HANDLED;
	case ACT_LINK_FAMILY:
		open_work(t, c->id, WORK_LINK, NULL);
		return UI_HANDLED;
	case ACT_NEXT_MEMBER:
		next_member(c, t);
		return UI_HANDLED;
	case ACT_WHICH_HOLDS:
		which_holds(c, t);
		return UI_HANDLED;
	case ACT_WORK_MENU:
		work_menu(c, t);
		return UI_HANDLED;
	case ACT_DECIDE:
		open_work(t, c->id, WORK_DECIDE, NULL);
		return UI_HANDLED;
	case ACT_DEPART:
		open_work(t, c->id, WORK_DEPART, NULL);
		return UI_HANDLED;
	case ACT_ARRIVE:
		open_work(t, c->id, WORK_ARRIVE, NULL);
		return UI_HANDLED;
	case ACT_ASSIGN:
		open_work(t, c->id, WORK_ASSIGN, NULL);
		return UI_HANDLED;
	case ACT_CONSENT:
		open_work(t, c->id, WORK_CONSENT, NULL);
		return UI_HANDLED;
	case ACT_WITHDRAW_CONSENT:
		if (step_applies(c, t, WORK_WITHDRAW))
			open_work(t, c->id, WORK_WITHDRAW, NULL);
		return UI_HANDLED;
	case ACT_REFER:
		open_work(t, c->id, WORK_REFER, NULL);
		return UI_HANDLED;
	case ACT_UPDATE_REFERRAL:
		if (step_applies(c, t, WORK_UPDATE_REFERRAL))
			open_work(t, c->id, WORK_UPDATE_REFERRAL, selected_referral(c));
		return UI_HANDLED;
	case ACT_CLOSE_CASE:
		open_work(t, c->id, is_closed(c) ? WORK_REOPEN : WORK_CLOSE, NULL);
		return UI_HANDLED;
	case ACT_FILL_FORM:
		pick_form(c, t, 0);
		return UI_HANDLED;
	case ACT_RESUME:
		for (i = 0; i < c->count; i++)
			if (c->items[i].kind == IT_DRAFT && (c->items[c->sel].kind != IT_DRAFT || i == c->sel)) {
				open_form(t, c->id, c->items[i].form_id);
				return UI_HANDLED;
			}
		tui_message(t, ROLE_INFO, "%s", _("This case has no draft."));
		return UI_HANDLED;
	case ACT_EDIT_CASE:
		if ((i = tui_push(t, &ui_screen_edit, c->id)) < 0)
			tui_error(t, i);
		return UI_HANDLED;
	case ACT_DECIDE_CONFLICT:
		decide_conflict(c, t);
		return UI_HANDLED;
	case ACT_ASSISTANCE:
		if (!c->row.return_country || !*c->row.return_country)
			tui_message(t, ROLE_INFO, "%s",
				    _("This case has no country of return yet: add it with Edit."));
		else if ((i = tui_push(t, &ui_screen_assist, c->row.return_country)) < 0)
			tui_error(t, i);
		return UI_HANDLED;
	case ACT_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const ui_view_ops ui_screen_case = {
	"case", &case_keymap, case_open_view, case_draw, case_key, NULL, case_resume, case_close,
};
