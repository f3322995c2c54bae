/* agenda_text.c: appointments and family links in words (agenda_text.h). */
#include "config.h"
#include "agenda_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

const char *agenda_channel_text(const char *channel)
{
	if (!channel || !strcmp(channel, "in_person"))
		return _("in person");
	if (!strcmp(channel, "phone"))
		return _("phone");
	if (!strcmp(channel, "video"))
		return _("video");
	return channel;
}

char *agenda_purpose_text(const store_appointment *a)
{
	char buf[256];

	if (a->purpose && *a->purpose)
		return strdup(a->purpose);
	if (a->round && a->round[0] == 'm') {
		int months = atoi(a->round + 1);

		snprintf(buf, sizeof(buf), P_("Follow-up, %d month",
					      "Follow-up, %d months", months), months);
		return strdup(buf);
	}
	return strdup(_("Appointment"));
}

char *agenda_due_text(const store_appointment *a, const char *today)
{
	char buf[128];
	long days;

	if (a->status && !strcmp(a->status, "done"))
		snprintf(buf, sizeof(buf), _("done %s"), a->status_date ? a->status_date : "");
	else if (a->status && !strcmp(a->status, "missed"))
		snprintf(buf, sizeof(buf), _("missed %s"), a->status_date ? a->status_date : "");
	else if (a->status && !strcmp(a->status, "rescheduled"))
		snprintf(buf, sizeof(buf), "%s", _("rescheduled"));
	else if ((days = agenda_days_between(a->date, today)) > 0)
		snprintf(buf, sizeof(buf), P_("%ld day overdue", "%ld days overdue", days), days);
	else if (days == 0)
		snprintf(buf, sizeof(buf), "%s", _("today"));
	else
		snprintf(buf, sizeof(buf), P_("in %ld day", "in %ld days", -days), -days);
	return strdup(buf);
}

const char *agenda_relation_text(const char *relation)
{
	static const struct { const char *word, *text; } names[] = {
		{ "parent", N_("parent") }, { "child", N_("son or daughter") }, { "spouse", N_("spouse") },
		{ "sibling", N_("sibling") }, { "guardian", N_("guardian") },
		/* TRANSLATORS: a child or person in the care of a guardian. */
		{ "ward", N_("ward") }, { "other", N_("other relative") },
	};

	for (size_t i = 0; relation && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].word, relation))
			return _(names[i].text);
	return relation ? relation : "";
}
