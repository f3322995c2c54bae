/*
 * work.h: the words of case work (docs/case-work.md) as the screens show
 * them.  The core keeps the codes ("stay_in_procedure"); the screens show
 * translated names and offer the codes' lists as choices.
 */
#ifndef HW_UI_WORK_H
#define HW_UI_WORK_H

/* A code and its name (N_, shown through _()); lists end with { NULL, NULL }. */
typedef struct ui_word {
	const char *code;
	const char *label;
} ui_word;

extern const ui_word ui_stages[];
extern const ui_word ui_vulnerabilities[];
extern const ui_word ui_minors[];            /* the caseload report's rows of minors */
extern const ui_word ui_decisions[];
extern const ui_word ui_return_types[];
extern const ui_word ui_close_reasons[];
extern const ui_word ui_roles[];
extern const ui_word ui_purposes[];
extern const ui_word ui_present[];
extern const ui_word ui_referral_statuses[];  /* with "sent" first */
extern const ui_word ui_kinds[];              /* the assistance inventory's kinds */

/* The translated name of code in list; code itself when unknown, "" for NULL. */
const char *ui_word_label(const ui_word *list, const char *code);

/* The label of one entry of a word list, translated (with its context, if any). */
const char *ui_word_text(const ui_word *w);

/*
 * Whole days from an ISO time or date (its first ten characters) to today
 * (YYYY-MM-DD); -1 when either is not a date.
 */
int ui_days_between(const char *from, const char *today);

#endif
