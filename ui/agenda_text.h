/*
 * agenda_text.h: the words the screen and the command line both use for
 * appointments and family links (translated): the purpose of an
 * appointment, how far it is due or overdue, a channel, a relation.
 */
#ifndef HW_UI_AGENDA_TEXT_H
#define HW_UI_AGENDA_TEXT_H

#include "agenda.h"

/* The channel's name ("in person", "phone", "video"); borrowed. */
const char *agenda_channel_text(const char *channel);

/* What an appointment is for: its purpose, the follow-up round it is, or "Appointment". Caller frees. */
char *agenda_purpose_text(const store_appointment *a);

/*
 * Where an appointment stands against today (YYYY-MM-DD): "3 days overdue",
 * "today", "in 4 days", or done, missed, rescheduled.  Caller frees.
 */
char *agenda_due_text(const store_appointment *a, const char *today);

/* A relation's name ("parent", "guardian", ...), translated; borrowed. */
const char *agenda_relation_text(const char *relation);

#endif
