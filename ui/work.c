/* work.c: the names of the case-work vocabularies. */
#include "config.h"
#include "work.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

/* TRANSLATORS: the stages of a case (docs/case-work.md), shown in the case
 * list (at most 13 columns) and on the case screen. */
const ui_word ui_stages[] = {
	{ "identified", N_("identified") },
	{ "counselling", N_("counselling") },
	{ "decided", N_("decided") },
	{ "pre-departure", N_("pre-departure") },
	{ "departed", N_("departed") },
	{ "arrived", N_("arrived") },
	{ "follow-up", N_("follow-up") },
	{ "closed", N_("closed") },
	{ "reopened", N_("reopened") },
	{ NULL, NULL },
};

/* TRANSLATORS: the person's decision about returning. */
const ui_word ui_decisions[] = {
	{ "return", N_("Return") },
	{ "stay_in_procedure", N_("Stay in the procedure") },
	{ "undecided", N_("Undecided") },
	{ "withdrawn", N_("Withdrawn from return") },
	{ NULL, NULL },
};

/* TRANSLATORS: types of return, as Regulation (EU) 2020/851 counts them. */
const ui_word ui_return_types[] = {
	{ "assisted_voluntary", N_("Assisted voluntary") },
	{ "independent_voluntary", N_("Independent voluntary") },
	{ "forced", N_("Forced") },
	{ NULL, NULL },
};

/* TRANSLATORS: why a case is closed. */
const ui_word ui_close_reasons[] = {
	{ "reintegration_completed", N_("Reintegration completed") },
	{ "lost_contact", N_("Lost contact") },
	{ "declined_assistance", N_("Declined assistance") },
	{ "transferred_out", N_("Transferred out") },
	{ "deceased", N_("Deceased") },
	{ "other", N_("Other (say why in the note)") },
	{ NULL, NULL },
};

/* TRANSLATORS: vulnerability flags of a case (the vulnerability screening), in reports. */
const ui_word ui_vulnerabilities[] = {
	{ "minor", N_("Minor") },
	{ "unaccompanied_minor", N_("Unaccompanied minor") },
	{ "disability", N_("Disability") },
	{ "elderly", N_("Elderly (65 or older)") },
	{ "pregnant", N_("Pregnant") },
	{ "single_parent", N_("Single parent") },
	{ "violence_survivor", N_("Survivor of violence") },
	{ "trafficking", N_("Signs of trafficking") },
	{ "medical", N_("Medical needs") },
	{ "mental_health", N_("Mental health needs") },
	{ "unfit_to_travel", N_("Unfit to travel") },
	{ NULL, NULL },
};

/* TRANSLATORS: the two rows of the caseload report that count minors: every
 * minor, and those with the flag "Unaccompanied minor". */
const ui_word ui_minors[] = {
	{ "all", N_("All minors") },
	{ "unaccompanied", N_("Unaccompanied minors") },
	{ NULL, NULL },
};

/* TRANSLATORS: roles of the people working on a case. */
const ui_word ui_roles[] = {
	{ "counsellor", N_("Counsellor") },
	{ "field_officer", N_("Field officer") },
	{ "supervisor", N_("Supervisor") },
	{ NULL, NULL },
};

/* TRANSLATORS: what a consent is given for. */
const ui_word ui_purposes[] = {
	{ "counselling", N_("Counselling") },
	{ "data_processing", N_("Data processing") },
	{ "share_with_provider", N_("Share with a provider") },
	{ "health_data", N_("Health data") },
	{ "contact_family", N_("Contact the family") },
	{ NULL, NULL },
};

/* TRANSLATORS: who was present when consent was given. */
const ui_word ui_present[] = {
	{ "guardian", N_("Guardian") },
	{ "interpreter", N_("Interpreter") },
	{ "legal_representative", N_("Legal representative") },
	{ "social_worker", N_("Social worker") },
	{ "family_member", N_("Family member") },
	{ NULL, NULL },
};

/* TRANSLATORS: where a referral to a provider stands. */
const ui_word ui_referral_statuses[] = {
	{ "sent", N_("Sent") },
	{ "accepted", N_("Accepted") },
	{ "declined", N_("Declined") },
	{ "in_progress", N_("In progress") },
	{ "service_delivered", N_("Service delivered") },
	{ "closed", NC_("referral status", "Closed") },
	{ NULL, NULL },
};

/* The same names as the assistance screen's. */
const ui_word ui_kinds[] = {
	{ "cash", N_("Cash") },
	{ "in_kind", N_("In kind") },
	{ "business", N_("Business") },
	{ "housing", N_("Housing") },
	{ "employment", N_("Employment") },
	{ "training", N_("Training") },
	{ "education", N_("Education") },
	{ "medical", N_("Medical") },
	{ "psychosocial", N_("Psychosocial") },
	{ "legal", N_("Legal, documents") },
	{ "family", N_("Family") },
	{ "travel", N_("Travel") },
	{ "reception", N_("Reception") },
	{ NULL, NULL },
};

const char *ui_word_label(const ui_word *list, const char *code)
{
	if (!code)
		return "";
	for (; list->code; list++)
		if (strcmp(list->code, code) == 0)
			return ui_word_text(list);
	return code;
}

const char *ui_word_text(const ui_word *w)
{
	/* A label with a context (NC_) carries it before a \004. */
	return strchr(w->label, '\004') ? CTX_(w->label) : _(w->label);
}

/* Days since 1970-01-01 of a YYYY-MM-DD date (proleptic Gregorian); -1 if not one. */
static long day_number(const char *s)
{
	int y, m, d;
	long era, yoe, doy, doe;

	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int ui_days_between(const char *from, const char *today)
{
	long a = day_number(from), b = day_number(today);

	return a < 0 || b < 0 ? -1 : (int)(b - a);
}
