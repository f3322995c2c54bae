/*
 * screen_work.c: one step of case work as a short form (docs/case-work.md):
 * a decision, the departure, the arrival, an assignment or transfer, a
 * consent or its withdrawal, a referral or its new status, closing and
 * reopening.  Saving asks for a confirmation, then records through the
 * same core call as the command line (case_decide, case_depart, ...): the
 * core checks everything, and when it refuses, nothing is recorded, the
 * field it names is marked and an error line says why.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "agenda_text.h"
#include "cases.h"
#include "curses.h"
#include "forms.h"
#include "i18n.h"
#include "providers.h"
#include "text.h"
#include "util.h"
#include "view.h"
#include "work.h"

enum wf_kind { WF_CHOICE, WF_MULTI, WF_TEXT };

typedef struct wf_opt {
	char *value;
	char *label;      /* shown, already translated */
} wf_opt;

typedef struct wf_field {
	enum wf_kind kind;
	const char *label;  /* N_ */
	const char *core;   /* what the core calls the field in its messages */
	const char *hint;   /* N_, shown under the focused field; may be NULL */
	wf_opt *opts;
	int nopts;
	int pos;            /* CHOICE, MULTI: the option under the cursor */
	int chosen;         /* CHOICE: the chosen option, -1 none */
	unsigned char *on;  /* MULTI: the chosen options */
	text_edit edit;     /* TEXT */
} wf_field;

#define WF_MAX 8
#define LABEL_COLS 22

typedef struct work_view {
	char case_id[HW_UUID_LEN + 1];
	enum ui_work_step step;
	store_case_row row;
	store_case_work work;
	wf_field f[WF_MAX];
	int n;
	int focus;
	int bad;                  /* the field the core refused, -1 none */
	char error[HW_ERROR_MAX + 256];   /* the error line, "" none */
	int first;                /* the first field shown (scrolling) */
} work_view;

static const ui_binding work_bindings[] = {
	{ '\t', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_DOWN), ACT_NEXT_FIELD },
	{ '\r', ACT_NEXT_FIELD },
	{ UI_KEY_FN(KEY_BTAB), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_UP), ACT_PREV_FIELD },
	{ UI_KEY_FN(KEY_F(2)), ACT_RECORD },
	{ UI_KEY_ESC, ACT_BACK },
	{ 0, ACT_NONE },
};
static const ui_note work_notes[] = {
	/* TRANSLATORS: help lines of the case-work forms. */
	{ N_("Left, Right"), N_("Choose among the choices of a field") },
	{ N_("Space"), N_("Select or unselect the choice under the cursor") },
	{ N_("Enter"), N_("Go to the next field; on the last one, record") },
	{ NULL, NULL },
};
static const ui_keymap work_keymap = { "case-work", work_bindings, work_notes };

static const ui_hint work_hints[] = {
	/* TRANSLATORS: key hints on the bottom row, after the key name;
	 * keep each to one or two short words: they share 80 columns. */
	{ ACT_RECORD, N_("Record") },
	{ ACT_NEXT_FIELD, N_("Next") },
	{ ACT_BACK, N_("Cancel") },
	{ ACT_HELP, N_("Help") },
	{ ACT_NONE, NULL },
};

/* The title of each step. */
static const char *step_title(enum ui_work_step step)
{
	switch (step) {
	/* TRANSLATORS: titles of the case-work forms. */
	case WORK_DECIDE: return _("Record the decision");
	case WORK_DEPART: return _("Record the departure");
	case WORK_ARRIVE: return _("Record the arrival");
	case WORK_ASSIGN: return _("Assign or transfer the case");
	case WORK_CONSENT: return _("Record a consent");
	case WORK_WITHDRAW: return _("Withdraw a consent");
	case WORK_REFER: return _("Refer to a provider");
	case WORK_UPDATE_REFERRAL: return _("Update a referral");
	case WORK_CLOSE: return _("Close the case");
	case WORK_REOPEN: return _("Reopen the case");
	case WORK_APPOINTMENT: return _("Set an appointment");
	case WORK_APPOINTMENT_OUTCOME: return _("Record how an appointment went");
	case WORK_LINK: return _("Link a family member");
	case WORK_RESCHEDULE: return _("Move an appointment to another day");
	}
	return "";
}

/* ------------------------------------------------------------ fields */

static wf_field *add_field(work_view *w, enum wf_kind kind, const char *label, const char *core,
			   const char *hint)
{
	wf_field *f;

	if (w->n >= WF_MAX)
		return NULL;
	f = &w->f[w->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->label = label;
	f->core = core;
	f->hint = hint;
	f->chosen = -1;
	if (kind == WF_TEXT)
		text_edit_set(&f->edit, "");
	return f;
}

/* Add a choice to a field (copied); HW_ERROR when out of memory. */
static int add_opt(wf_field *f, const char *value, const char *label)
{
	wf_opt *grown = realloc(f->opts, (size_t)(f->nopts + 1) * sizeof *grown);
	unsigned char *on;

	if (!grown)
		return HW_ERROR;
	f->opts = grown;
	on = realloc(f->on, (size_t)(f->nopts + 1));
	if (!on)
		return HW_ERROR;
	f->on = on;
	on[f->nopts] = 0;
	grown[f->nopts].value = strdup(value);
	grown[f->nopts].label = strdup(label);
	if (!grown[f->nopts].value || !grown[f->nopts].label) {
		free(grown[f->nopts].value);
		free(grown[f->nopts].label);
		return HW_ERROR;
	}
	f->nopts++;
	return 0;
}

/* A field whose choices are a vocabulary, the one coded def chosen (NULL: none). */
static int add_words(work_view *w, enum wf_kind kind, const char *label, const char *core,
		     const ui_word *words, const char *def)
{
	wf_field *f = add_field(w, kind, label, core, NULL);

	if (!f)
		return HW_ERROR;
	for (; words->code; words++) {
		if (add_opt(f, words->code, ui_word_text(words)) < 0)
			return HW_ERROR;
		if (def && !strcmp(def, words->code))
			f->chosen = f->pos = f->nopts - 1;
	}
	return 0;
}

static int add_text(work_view *w, const char *label, const char *core, const char *hint,
		    const char *initial)
{
	wf_field *f = add_field(w, WF_TEXT, label, core, hint);

	if (!f)
		return HW_ERROR;
	return initial ? text_edit_set(&f->edit, initial) : 0;
}

/* The field's value as the core takes it (caller frees; NULL when empty or out of memory). */
static char *field_value(const wf_field *f)
{
	hw_buf b = HW_BUF_INIT;
	const char *s;
	size_t len;
	int i;

	switch (f->kind) {
	case WF_CHOICE:
		return f->chosen >= 0 && *f->opts[f->chosen].value ? strdup(f->opts[f->chosen].value) : NULL;
	case WF_MULTI:
		for (i = 0; i < f->nopts; i++)
			if (f->on[i]) {
				if (b.len)
					hw_buf_puts(&b, ",");
				hw_buf_puts(&b, f->opts[i].value);
			}
		return b.len ? hw_buf_detach(&b) : (hw_buf_free(&b), NULL);
	case WF_TEXT:
		s = text_edit_str(&f->edit);
		while (*s == ' ')
			s++;
		len = strlen(s);
		while (len && s[len - 1] == ' ')
			len--;
		return len ? strndup(s, len) : NULL;
	}
	return NULL;
}

/* The value as shown in the confirmation ("" when empty; caller frees). */
static char *field_shown(const wf_field *f)
{
	hw_buf b = HW_BUF_INIT;
	int i;

	if (f->kind == WF_CHOICE)
		return strdup(f->chosen >= 0 ? f->opts[f->chosen].label : "");
	if (f->kind == WF_TEXT)
		return strdup(text_edit_str(&f->edit));
	for (i = 0; i < f->nopts; i++)
		if (f->on[i]) {
			if (b.len)
				hw_buf_puts(&b, ", ");
			hw_buf_puts(&b, f->opts[i].label);
		}
	return b.len ? hw_buf_detach(&b) : (hw_buf_free(&b), strdup(""));
}

static void fields_free(work_view *w)
{
	int i, k;

	for (i = 0; i < w->n; i++) {
		for (k = 0; k < w->f[i].nopts; k++) {
			free(w->f[i].opts[k].value);
			free(w->f[i].opts[k].label);
		}
		free(w->f[i].opts);
		free(w->f[i].on);
		text_edit_free(&w->f[i].edit);
	}
	w->n = 0;
}

/* ------------------------------------------------------------ the steps */

/* The providers working in the case's country of return (all of them when it has none). */
static int add_providers(work_view *w, wf_field *f, hw_ws *ws)
{
	hw_provider_list *pl = NULL;
	const char *cc = w->row.return_country;
	char label[512];
	int rc;
	size_t i;

	if ((rc = providers_load(ws, &pl)) < 0)
		return rc;
	for (i = 0; i < pl->count && rc == 0; i++) {
		const hw_provider *p = &pl->items[i];

		if (cc && *cc && strcasecmp(cc, p->country))
			continue;
		snprintf(label, sizeof label, "%s (%s)", p->name, p->id);
		rc = add_opt(f, p->id, label);
	}
	providers_free(pl);
	return rc;
}

typedef struct sub_ctx {
	wf_field *f;
	hw_ws *ws;
} sub_ctx;

static int add_submission_opt(const store_submission *s, void *payload)
{
	sub_ctx *c = payload;
	char *title = forms_title(c->ws, s->form_id);
	char label[512];
	int rc;

	snprintf(label, sizeof label, "%s %.10s", title ? title : s->form_id, s->created_at ? s->created_at : "");
	rc = add_opt(c->f, s->instance_id, label);
	free(title);
	return rc;
}

/* The fields of each step, with today's date where a date is asked. */
static int build(work_view *w, tui *t, const char *referral_id)
{
	hw_ws *ws = tui_ws(t);
	char now[HW_TIME_LEN + 1], today[11], label[512];
	wf_field *f;
	size_t i;
	int rc = 0;

	hw_now_iso(now);
	snprintf(today, sizeof today, "%.10s", now);
	switch (w->step) {
	case WORK_DECIDE:
		/* TRANSLATORS: field labels of the case-work forms; at most 21 columns. */
		if ((rc = add_words(w, WF_CHOICE, N_("Decision"), "decision", ui_decisions, NULL)) < 0 ||
		    (rc = add_text(w, N_("Date"), "decision date", N_("YYYY-MM-DD, not in the future"), today)) < 0 ||
		    (rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	case WORK_DEPART:
		if ((rc = add_text(w, N_("Date"), "departure date", N_("YYYY-MM-DD, not before the decision"), today)) < 0 ||
		    (rc = add_words(w, WF_CHOICE, N_("Type of return"), "type of return", ui_return_types, NULL)) < 0 ||
		    (rc = add_words(w, WF_MULTI, N_("Assistance granted"), "assistance", ui_kinds, NULL)) < 0)
			return rc;
		break;
	case WORK_ARRIVE:
		if ((rc = add_text(w, N_("Date"), "arrival date", N_("YYYY-MM-DD, not before the departure"), today)) < 0)
			return rc;
		break;
	case WORK_ASSIGN:
		if ((rc = add_text(w, N_("Person"), "person",
				   N_("The device id the person works on, as seen in synced events"), NULL)) < 0 ||
		    (rc = add_words(w, WF_CHOICE, N_("Role"), "role", ui_roles, NULL)) < 0 ||
		    (rc = add_text(w, N_("Organisation"), "organisation", NULL, NULL)) < 0)
			return rc;
		if (w->work.nassignees) {
			if (!(f = add_field(w, WF_MULTI, N_("Take off the case"), "unassign",
					    N_("For a transfer: the people the case passes from"))))
				return HW_ERROR;
			for (i = 0; i < w->work.nassignees; i++)
				if ((rc = add_opt(f, w->work.assignees[i].person, w->work.assignees[i].person)) < 0)
					return rc;
		}
		if ((rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	case WORK_CONSENT:
		if ((rc = add_words(w, WF_CHOICE, N_("Purpose"), "purpose", ui_purposes, NULL)) < 0)
			return rc;
		if (!(f = add_field(w, WF_CHOICE, N_("Answer"), "granted", NULL)) ||
		    add_opt(f, "1", _("granted")) < 0 || add_opt(f, "0", _("refused")) < 0)
			return HW_ERROR;
		f->chosen = 0;
		if (!(f = add_field(w, WF_CHOICE, N_("Recipient"), "recipient",
				    N_("For sharing: the provider the consent is for"))))
			return HW_ERROR;
		/* TRANSLATORS: the choice of no recipient for a consent. */
		if ((rc = add_opt(f, "", _("nobody"))) < 0 || (rc = add_providers(w, f, ws)) < 0)
			return rc;
		f->chosen = 0;
		if ((rc = add_words(w, WF_MULTI, N_("Present"), "present", ui_present, NULL)) < 0 ||
		    (rc = add_text(w, N_("Override reason"), "override reason",
				   N_("For a child without a guardian present: why it is in the child's best interests"),
				   NULL)) < 0)
			return rc;
		break;
	case WORK_WITHDRAW:
		if (!(f = add_field(w, WF_CHOICE, N_("Consent"), "purpose", NULL)))
			return HW_ERROR;
		for (i = 0; i < w->work.nconsents; i++) {
			const store_consent *c = &w->work.consents[i];
			char value[512];

			if (!c->granted || c->withdrawn_on)
				continue;
			snprintf(value, sizeof value, "%s\x1f%s", c->purpose, c->recipient ? c->recipient : "");
			snprintf(label, sizeof label, "%s%s%s", ui_word_label(ui_purposes, c->purpose),
				 c->recipient && *c->recipient ? " \xe2\x86\x92 " : "", c->recipient ? c->recipient : "");
			if ((rc = add_opt(f, value, label)) < 0)
				return rc;
		}
		if (f->nopts == 1)
			f->chosen = 0;
		break;
	case WORK_REFER: {
		sub_ctx sc;

		if (!(f = add_field(w, WF_CHOICE, N_("Provider"), "provider", NULL)))
			return HW_ERROR;
		if ((rc = add_providers(w, f, ws)) < 0)
			return rc;
		if (f->nopts == 1)
			f->chosen = 0;
		if ((rc = add_words(w, WF_MULTI, N_("Kinds of assistance"), "kinds", ui_kinds, NULL)) < 0)
			return rc;
		if (!(f = add_field(w, WF_MULTI, N_("Forms sent with it"), "submission",
				    N_("The submissions that travel with the referral: the summary of needs"))))
			return HW_ERROR;
		sc.f = f;
		sc.ws = ws;
		if ((rc = case_submissions(ws, w->case_id, add_submission_opt, &sc)) < 0)
			return rc;
		if (!(f = add_field(w, WF_CHOICE, N_("Urgency"), "urgency", NULL)) ||
		    add_opt(f, "normal", _("normal")) < 0 || add_opt(f, "urgent", _("urgent")) < 0)
			return HW_ERROR;
		f->chosen = 0;
		if ((rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	}
	case WORK_UPDATE_REFERRAL:
		if (!(f = add_field(w, WF_CHOICE, N_("Referral"), "referral", NULL)))
			return HW_ERROR;
		for (i = 0; i < w->work.nreferrals; i++) {
			const store_referral *r = &w->work.referrals[i];

			if (!strcmp(r->status, "closed"))
				continue;
			snprintf(label, sizeof label, "%s (%s, %.10s)", r->provider,
				 ui_word_label(ui_referral_statuses, r->status), r->sent_at ? r->sent_at : "");
			if ((rc = add_opt(f, r->id, label)) < 0)
				return rc;
			if ((referral_id && !strcmp(referral_id, r->id)) || f->nopts == 1)
				f->chosen = f->pos = f->nopts - 1;
		}
		if (!(f = add_field(w, WF_CHOICE, N_("Status"), "status", NULL)))
			return HW_ERROR;
		for (i = 1; ui_referral_statuses[i].code; i++)   /* "sent" is not a new status */
			if ((rc = add_opt(f, ui_referral_statuses[i].code, ui_word_text(&ui_referral_statuses[i]))) < 0)
				return rc;
		if ((rc = add_text(w, N_("Note"), "note", N_("Required when declined: the reason"), NULL)) < 0)
			return rc;
		break;
	case WORK_CLOSE:
		if ((rc = add_words(w, WF_CHOICE, N_("Reason"), "reason", ui_close_reasons, NULL)) < 0 ||
		    (rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	case WORK_REOPEN:
		if ((rc = add_text(w, N_("Reason"), "reason", N_("Why the case is opened again"), NULL)) < 0)
			return rc;
		break;
	case WORK_APPOINTMENT: {
		char week[11];

		agenda_add_days(today, 7, week);
		if ((rc = add_text(w, N_("Date"), "appointment date", N_("YYYY-MM-DD"), week)) < 0 ||
		    (rc = add_text(w, N_("Time"), "appointment time", N_("HH:MM, or empty for some time that day"),
				   NULL)) < 0)
			return rc;
		if (!(f = add_field(w, WF_CHOICE, N_("How"), "channel", NULL)))
			return HW_ERROR;
		for (i = 0; event_channels[i]; i++)
			if ((rc = add_opt(f, event_channels[i], agenda_channel_text(event_channels[i]))) < 0)
				return rc;
		f->chosen = 0;
		if ((rc = add_text(w, N_("Place"), "place", NULL, NULL)) < 0 ||
		    (rc = add_text(w, N_("Purpose"), "purpose", N_("What it is for: no names, it may go to a calendar"),
				   NULL)) < 0 ||
		    (rc = add_text(w, N_("Who meets them"), "assigned",
				   N_("The device id of the person who meets the returnee"), ws_device_id(ws))) < 0)
			return rc;
		break;
	}
	case WORK_RESCHEDULE:
	case WORK_APPOINTMENT_OUTCOME: {
		const char *keep_time = NULL;   /* the time of the appointment chosen first */

		if (!(f = add_field(w, WF_CHOICE, N_("Appointment"), "appointment", NULL)))
			return HW_ERROR;
		for (i = 0; i < w->work.nappointments; i++) {
			const store_appointment *a = &w->work.appointments[i];
			char *what;

			if (strcmp(a->status, "planned"))
				continue;
			what = agenda_purpose_text(a);
			snprintf(label, sizeof label, "%s %s %s", a->date, a->time ? a->time : "", what ? what : "");
			free(what);
			if ((rc = add_opt(f, a->id, label)) < 0)
				return rc;
			if ((referral_id && !strcmp(referral_id, a->id)) || f->nopts == 1) {
				f->chosen = f->pos = f->nopts - 1;
				keep_time = a->time;
			}
		}
		if (w->step == WORK_RESCHEDULE) {
			char week[11];

			/* Where, how, who and what for stay those of the appointment moved. */
			agenda_add_days(today, 7, week);
			if ((rc = add_text(w, N_("New date"), "appointment date", N_("YYYY-MM-DD"), week)) < 0 ||
			    (rc = add_text(w, N_("Time"), "appointment time",
					   N_("HH:MM, or empty for some time that day"), keep_time)) < 0)
				return rc;
			break;
		}
		if (!(f = add_field(w, WF_CHOICE, N_("Outcome"), "outcome", NULL)) ||
		    add_opt(f, "done", _("took place")) < 0 || add_opt(f, "missed", _("missed")) < 0)
			return HW_ERROR;
		f->chosen = 0;
		if ((rc = add_text(w, N_("Date"), "date", N_("YYYY-MM-DD, not in the future"), today)) < 0 ||
		    (rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	}
	case WORK_LINK:
		if ((rc = add_text(w, N_("Family member"), "case",
				   N_("Their case: the first characters of its id, or their full name"), NULL)) < 0)
			return rc;
		if (!(f = add_field(w, WF_CHOICE, N_("Who they are"), "relation",
				    N_("What the family member is to this person"))))
			return HW_ERROR;
		for (i = 0; event_relations[i]; i++)
			if (strcmp(event_relations[i], "ward") &&
			    (rc = add_opt(f, event_relations[i], agenda_relation_text(event_relations[i]))) < 0)
				return rc;
		if ((rc = add_text(w, N_("Note"), "note", NULL, NULL)) < 0)
			return rc;
		break;
	}
	return rc;
}

typedef struct one_case {
	char id[HW_UUID_LEN + 1];
	int n;
} one_case;

static int one_case_cb(const store_case_row *r, void *payload)
{
	one_case *o = payload;

	if (o->n++ == 0)
		snprintf(o->id, sizeof o->id, "%s", r->id);
	return 0;
}

/* A case named by an id prefix or, failing that, by words that find exactly one case. */
static int find_case(hw_ws *ws, const char *text, char out[HW_UUID_LEN + 1])
{
	one_case o = { "", 0 };
	int rc;

	if (!text || !*text)
		return hw_error_set(ws_err(ws), HW_EINVALID, "case: give the family member's case");
	if (case_resolve_id(ws, text, out) == 0)
		return 0;
	hw_error_clear(ws_err(ws));
	if ((rc = case_search(ws, text, 2, one_case_cb, &o)) < 0)
		return rc;
	if (o.n == 1) {
		memcpy(out, o.id, sizeof o.id);
		return 0;
	}
	return hw_error_set(ws_err(ws), HW_EINVALID, o.n ? "case \"%s\" fits several cases: give more of the name, or the id"
						  : "case \"%s\" finds no case", text);
}

/* Record the step through the core: 0 or its refusal (detail in the workspace's error slot). */
static int record_step(work_view *w, tui *t)
{
	hw_ws *ws = tui_ws(t);
	char *v[WF_MAX] = { NULL };
	char *sep;
	int i, rc = HW_ERROR;

	for (i = 0; i < w->n; i++)
		v[i] = field_value(&w->f[i]);
	hw_error_clear(ws_err(ws));
	switch (w->step) {
	case WORK_DECIDE:
		rc = case_decide(ws, w->case_id, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2]);
		break;
	case WORK_DEPART:
		rc = case_depart(ws, w->case_id, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2]);
		break;
	case WORK_ARRIVE:
		rc = case_arrive(ws, w->case_id, v[0] ? v[0] : "");
		break;
	case WORK_ASSIGN:
		if (w->work.nassignees)
			rc = case_assign(ws, w->case_id, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2], v[4], v[3]);
		else
			rc = case_assign(ws, w->case_id, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2], v[3], NULL);
		break;
	case WORK_CONSENT:
		rc = consent_record(ws, w->case_id, v[0] ? v[0] : "", v[1] && !strcmp(v[1], "1"), v[2],
				    v[3], NULL, v[4]);
		break;
	case WORK_WITHDRAW:
		if (!v[0]) {
			rc = consent_withdraw(ws, w->case_id, "", NULL);
			break;
		}
		sep = strchr(v[0], '\x1f');
		if (sep)
			*sep++ = 0;
		rc = consent_withdraw(ws, w->case_id, v[0], sep && *sep ? sep : NULL);
		break;
	case WORK_REFER:
		rc = referral_send(ws, w->case_id, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2], v[3], v[4], NULL);
		break;
	case WORK_UPDATE_REFERRAL:
		rc = referral_update(ws, v[0] ? v[0] : "", v[1] ? v[1] : "", v[2]);
		break;
	case WORK_CLOSE:
		rc = case_close_with_reason(ws, w->case_id, v[0] ? v[0] : "", v[1]);
		break;
	case WORK_REOPEN:
		rc = case_reopen(ws, w->case_id, v[0] ? v[0] : "");
		break;
	case WORK_APPOINTMENT: {
		appointment_opts o = APPOINTMENT_OPTS_INIT;

		o.date = v[0] ? v[0] : "";
		o.time = v[1];
		o.channel = v[2];
		o.place = v[3];
		o.purpose = v[4];
		o.assigned = v[5];
		rc = appointment_set(ws, w->case_id, &o, NULL);
		break;
	}
	case WORK_APPOINTMENT_OUTCOME:
		if (!v[0])
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "appointment: choose one (a planned one of this case)");
		else if (v[1] && !strcmp(v[1], "missed"))
			rc = appointment_missed(ws, v[0], v[2], v[3]);
		else
			rc = appointment_done(ws, v[0], v[2], v[3]);
		break;
	case WORK_RESCHEDULE: {
		appointment_opts o = APPOINTMENT_OPTS_INIT;
		store_appointment old;

		memset(&old, 0, sizeof old);
		if (!v[0]) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID, "appointment: choose one (a planned one of this case)");
			break;
		}
		/* The new appointment is the old one on another day: the rest is kept. */
		if ((rc = appointment_get(ws, v[0], &old)) == 0) {
			o.date = v[1] ? v[1] : "";
			o.time = v[2];
			o.channel = old.channel;
			o.place = old.place;
			o.purpose = old.purpose;
			o.assigned = old.assigned;
			o.round = old.round;
			o.form = old.form;
			o.replaces = old.id;
			rc = appointment_set(ws, w->case_id, &o, NULL);
		}
		store_appointment_clear(&old);
		break;
	}
	case WORK_LINK: {
		char other[HW_UUID_LEN + 1];

		if ((rc = find_case(ws, v[0], other)) == 0)
			rc = family_link(ws, w->case_id, other, v[1] ? v[1] : "", v[2]);
		break;
	}
	}
	for (i = 0; i < w->n; i++)
		free(v[i]);
	return rc;
}

/* Which field a refusal of the core is about: the longest name it starts with (-1 none). */
static int field_of_message(const work_view *w, const char *msg)
{
	size_t best = 0;
	int i, which = -1;

	for (i = 0; i < w->n; i++) {
		size_t n = strlen(w->f[i].core);

		if (n > best && !strncmp(msg, w->f[i].core, n) &&
		    (msg[n] == ' ' || msg[n] == ':')) {
			best = n;
			which = i;
		}
	}
	return which;
}

/* ------------------------------------------------------------ the view */

static void work_close(ui_view *v, tui *t)
{
	work_view *w = v->data;

	(void)t;
	if (!w)
		return;
	fields_free(w);
	store_case_row_clear(&w->row);
	store_case_work_clear(&w->work);
	free(w);
}

static int work_open(ui_view *v, tui *t, void *arg)
{
	const ui_work_arg *a = arg;
	hw_ws *ws = tui_ws(t);
	work_view *w = calloc(1, sizeof *w);
	int rc;

	if (!w)
		return HW_ERROR;
	v->data = w;
	snprintf(w->case_id, sizeof w->case_id, "%s", a->case_id);
	w->step = a->step;
	w->bad = -1;
	if ((rc = case_get(ws, w->case_id, &w->row)) < 0 ||
	    (rc = case_work_get(ws, w->case_id, &w->work)) < 0)
		goto fail;
	if ((rc = build(w, t, a->referral_id)) < 0) {
		if (!ws_error(ws)->msg[0])
			hw_error_set(ws_err(ws), rc, "out of memory");
		goto fail;
	}
	return 0;
fail:
	work_close(v, t);
	v->data = NULL;
	return rc;
}

/* The token of option i of a choice field: "(•) Label", "[x] Label". */
static void token(const wf_field *f, int i, char *out, size_t n)
{
	if (f->kind == WF_CHOICE)
		snprintf(out, n, "%s %s", i == f->chosen ? "(\xe2\x80\xa2)" : "( )", f->opts[i].label);
	else
		snprintf(out, n, "%s %s", f->on[i] ? "[x]" : "[ ]", f->opts[i].label);
}

/*
 * Lay out (and draw unless measure) the field's choices as tokens that
 * wrap in width columns from (y, x); returns the rows used (at least 1).
 */
static int draw_choices(tui *t, const wf_field *f, int focused, int y, int x, int width,
			int bottom, int measure)
{
	char buf[600];
	int i, col = 0, row = 0;

	if (f->nopts == 0) {
		if (!measure && y < bottom)
			/* TRANSLATORS: a choice field with nothing to choose from. */
			ui_put(t, y, x, width, _("(nothing to choose from)"), ROLE_HINT, 0);
		return 1;
	}
	for (i = 0; i < f->nopts; i++) {
		int w;

		token(f, i, buf, sizeof buf);
		w = text_width(buf);
		if (w > width)
			w = width;
		if (col && col + w > width) {
			row++;
			col = 0;
		}
		if (!measure && y + row < bottom)
			ui_put(t, y + row, x + col, w, buf,
			       focused && i == f->pos ? ROLE_SELECTED
			       : (f->kind == WF_CHOICE ? i == f->chosen : f->on[i]) ? ROLE_KEYS : ROLE_NORMAL, 0);
		col += w + 2;
	}
	return row + 1;
}

/* Rows a field takes (its choices or one line, and the hint when focused). */
static int field_rows(tui *t, const work_view *w, int i, int width)
{
	const wf_field *f = &w->f[i];
	int rows = f->kind == WF_TEXT ? 1 : draw_choices(t, f, 0, 0, 0, width, 0, 1);

	return rows + (i == w->focus && f->hint ? 1 : 0);
}

static void work_draw(ui_view *v, tui *t, int top, int rows, int cols)
{
	work_view *w = v->data;
	int fx = LABEL_COLS + 2, fw = cols - fx - 2, y, i, bottom = top + rows, need, errrows;
	char buf[1024];

	tui_set_title(t, step_title(w->step));
	tui_set_hints(t, &work_keymap, work_hints);
	snprintf(buf, sizeof buf, "%s %s  \xc2\xb7  %s: %s", w->row.given_name ? w->row.given_name : "",
		 w->row.family_name ? w->row.family_name : "", _("Stage"),
		 ui_word_label(ui_stages, w->work.stage));
	ui_put(t, top, 1, cols - 2, buf, ROLE_HEADER, 0);
	errrows = w->error[0] ? ui_put_block(t, 0, 1, cols - 2, 3, w->error, ROLE_ERROR, 1) + 1 : 0;
	/* Scroll so that the focused field shows whole. */
	if (w->first > w->focus)
		w->first = w->focus;
	for (;;) {
		need = 0;
		for (i = w->first; i <= w->focus; i++)
			need += field_rows(t, w, i, fw) + 1;
		if (w->first >= w->focus || top + 2 + need <= bottom - errrows)
			break;
		w->first++;
	}
	y = top + 2;
	for (i = w->first; i < w->n && y < bottom - errrows; i++) {
		wf_field *f = &w->f[i];
		int focused = i == w->focus;

		ui_put(t, y, 1, LABEL_COLS, _(f->label), i == w->bad ? ROLE_ERROR : focused ? ROLE_HEADER : ROLE_NORMAL, 0);
		if (f->kind == WF_TEXT) {
			ui_put_field(t, y, fx, fw, &f->edit, focused);
			y++;
		} else {
			y += draw_choices(t, f, focused, y, fx, fw, bottom - errrows, 0);
		}
		if (focused && f->hint && y < bottom - errrows)
			ui_put(t, y++, fx, fw, _(f->hint), ROLE_HINT, 0);
		y++;
	}
	if (w->error[0])
		ui_put_block(t, bottom - errrows + 1, 1, cols - 2, 3, w->error, ROLE_ERROR, 0);
	/* Keep the cursor in the focused text field (drawing the others moved it). */
	if (w->focus >= w->first && w->f[w->focus].kind == WF_TEXT) {
		for (i = w->first, y = top + 2; i < w->focus; i++)
			y += field_rows(t, w, i, fw) + 1;
		if (y < bottom - errrows)
			ui_put_field(t, y, fx, fw, &w->f[w->focus].edit, 1);
	}
}

/* After the confirmation: record, or say that nothing was. */
static void record_answered(tui *t, int yes, void *payload)
{
	work_view *w = payload;
	hw_ws *ws = tui_ws(t);
	char title[256];
	int rc, which;

	if (!yes) {
		tui_message(t, ROLE_INFO, "%s", _("Not recorded: change the fields or press Esc to leave."));
		return;
	}
	rc = record_step(w, t);
	if (rc < 0) {
		const char *msg = ws_error(ws)->msg;

		which = msg[0] ? field_of_message(w, msg) : -1;
		w->bad = which;
		if (which >= 0) {
			char *shown = field_shown(&w->f[which]);

			w->focus = which;
			/* TRANSLATORS: the error line of a case-work form: the field, its
			 * value, then what the core said. */
			snprintf(w->error, sizeof w->error, _("%s \"%s\" is not accepted, nothing was recorded: %s"),
				 _(w->f[which].label), shown ? shown : "", msg);
			free(shown);
		} else {
			/* TRANSLATORS: the error line of a case-work form: what the core said. */
			snprintf(w->error, sizeof w->error, _("Nothing was recorded: %s"),
				 msg[0] ? msg : tui_error_text(rc));
		}
		return;
	}
	snprintf(title, sizeof title, "%s", step_title(w->step));
	tui_pop(t);
	/* TRANSLATORS: %s is the step, such as "Close the case". */
	tui_message(t, ROLE_INFO, _("Recorded: %s. It is sent with the next sync."), title);
}

/* Ask before recording, with what will be recorded. */
static void ask_record(work_view *w, tui *t)
{
	hw_buf b = HW_BUF_INIT;
	char *q;
	int i, first = 1;

	hw_buf_printf(&b, "%s: ", step_title(w->step));
	for (i = 0; i < w->n; i++) {
		char *shown = field_shown(&w->f[i]);

		if (shown && *shown) {
			hw_buf_printf(&b, "%s%s: %s", first ? "" : "; ", _(w->f[i].label), shown);
			first = 0;
		}
		free(shown);
	}
	q = hw_buf_detach(&b);
	{
		char question[1400];

		/* TRANSLATORS: the confirmation of a case-work form; %s is what is recorded. */
		snprintf(question, sizeof question, _("%s. Record this? Enter: record, any other key: not yet."),
			 q ? q : "");
		tui_confirm(t, question, record_answered, w);
	}
	free(q);
}

static int work_key(ui_view *v, tui *t, int key, enum ui_action act)
{
	work_view *w = v->data;
	wf_field *f = w->n ? &w->f[w->focus] : NULL;
	int changed = 0;

	switch (act) {
	case ACT_NEXT_FIELD:
		if (key == '\r' && w->focus == w->n - 1) {
			ask_record(w, t);
			return UI_HANDLED | UI_REDRAW;
		}
		if (w->focus < w->n - 1)
			w->focus++;
		return UI_HANDLED | UI_REDRAW;
	case ACT_PREV_FIELD:
		if (w->focus > 0)
			w->focus--;
		return UI_HANDLED | UI_REDRAW;
	case ACT_RECORD:
		ask_record(w, t);
		return UI_HANDLED | UI_REDRAW;
	case ACT_BACK:
		tui_message(t, ROLE_INFO, "%s", _("Left without recording anything."));
		return UI_CLOSE;
	default:
		break;
	}
	if (!f)
		return UI_IGNORED;
	if (f->kind == WF_TEXT) {
		switch (ui_edit_key(&f->edit, key)) {
		case 0: return UI_IGNORED;
		case 1: return UI_HANDLED | UI_REDRAW;
		default: changed = 1; break;
		}
	} else if (f->nopts && (key == UI_KEY_FN(KEY_LEFT) || key == UI_KEY_FN(KEY_RIGHT))) {
		/* Nothing chosen yet: the first move chooses where the cursor is. */
		if (f->kind != WF_CHOICE || f->chosen >= 0)
			f->pos = (f->pos + (key == UI_KEY_FN(KEY_RIGHT) ? 1 : f->nopts - 1)) % f->nopts;
		if (f->kind == WF_CHOICE) {
			f->chosen = f->pos;
			changed = 1;
		}
	} else if (f->nopts && key == ' ') {
		if (f->kind == WF_CHOICE)
			f->chosen = f->pos;
		else
			f->on[f->pos] = !f->on[f->pos];
		changed = 1;
	} else {
		return UI_IGNORED;
	}
	if (changed && w->bad == w->focus) {
		w->bad = -1;
		w->error[0] = 0;
	}
	return UI_HANDLED | UI_REDRAW;
}

const ui_view_ops ui_screen_work = {
	"case-work", &work_keymap, work_open, work_draw, work_key, NULL, NULL, work_close,
};
