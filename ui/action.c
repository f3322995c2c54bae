/* action.c: the action table, the global keymap and key names. */
#include "config.h"
#include "action.h"

#include <stdio.h>

#include "curses.h"
#include "i18n.h"
#include "text.h"

/* In enum order; the help screen lists them in this order too. */
static const ui_action_info actions[ACT_COUNT] = {
	{ ACT_NONE, "none", "" },
	{ ACT_QUIT, "quit", N_("Quit Homeward (everything is already saved)") },
	{ ACT_HELP, "help", N_("Show the keys of this screen") },
	{ ACT_BACK, "back", N_("Go back to the previous screen") },
	{ ACT_UP, "up", N_("Move up") },
	{ ACT_DOWN, "down", N_("Move down") },
	{ ACT_PAGE_UP, "page-up", N_("Move up one page") },
	{ ACT_PAGE_DOWN, "page-down", N_("Move down one page") },
	{ ACT_FIRST, "first", N_("Go to the first line") },
	{ ACT_LAST, "last", N_("Go to the last line") },
	{ ACT_OPEN, "open", N_("Open the selected item") },
	{ ACT_NEW_CASE, "new-case", N_("Open a new case") },
	{ ACT_SYNC, "sync", N_("Send and receive cases (sync)") },
	{ ACT_UI_LANGUAGE, "ui-language", N_("Change the language of the program") },
	{ ACT_REDRAW, "redraw", N_("Redraw the screen") },
	{ ACT_NEXT_FIELD, "next-field", N_("Go to the next field") },
	{ ACT_PREV_FIELD, "previous-field", N_("Go to the previous field") },
	{ ACT_SAVE, "save", N_("Save") },
	{ ACT_FILL_FORM, "fill-form", N_("Fill in a form for this case") },
	{ ACT_RESUME, "resume", N_("Resume the selected draft") },
	{ ACT_PREV_QUESTION, "previous-question", N_("Go to the previous question") },
	{ ACT_NEXT_QUESTION, "next-question", N_("Go to the next question") },
	{ ACT_JUMP, "jump", N_("Jump to a question from the list") },
	{ ACT_FORM_LANGUAGE, "form-language", N_("Change the returnee's form language") },
	{ ACT_BILINGUAL, "bilingual", N_("Show or hide the text in your own language") },
	{ ACT_CLEAR_ANSWER, "clear-answer", N_("Clear the answer") },
	{ ACT_ADD_REPEAT, "add-repeat", N_("Add another entry to this group") },
	{ ACT_REVIEW, "review", N_("Review all answers before finalising") },
	{ ACT_FINALISE, "finalise", N_("Finalise the form (it cannot be changed after)") },
	{ ACT_TOGGLE, "toggle", N_("Select or unselect the choice") },
	{ ACT_EDIT_CASE, "edit-case", N_("Correct the details of this case") },
	{ ACT_DECIDE_CONFLICT, "decide-conflict", N_("Decide which of two devices' edits of a field is right") },
	{ ACT_ASSISTANCE, "assistance", N_("Show the assistance offered in the case's country of return") },
	{ ACT_FILTER_KIND, "filter-kind", N_("Show one kind of assistance only, or all") },
	{ ACT_SORT, "sort", N_("Sort the list by last change, name, age or stage (each press the next)") },
	{ ACT_WORK_MENU, "case-work", N_("Record a step of case work (a list of them all)") },
	{ ACT_DECIDE, "decide", N_("Record the person's decision") },
	{ ACT_DEPART, "depart", N_("Record the departure") },
	{ ACT_ARRIVE, "arrive", N_("Record the arrival in the country of return") },
	{ ACT_ASSIGN, "assign", N_("Assign the case to a person, or transfer it") },
	{ ACT_CONSENT, "consent", N_("Record a consent, given or refused") },
	{ ACT_WITHDRAW_CONSENT, "withdraw-consent", N_("Record that a consent was withdrawn") },
	{ ACT_REFER, "refer", N_("Refer the case to a reintegration provider") },
	{ ACT_UPDATE_REFERRAL, "update-referral", N_("Record where a referral stands") },
	{ ACT_CLOSE_CASE, "close-case", N_("Close the case, or reopen it when it is closed") },
	{ ACT_MY_CASES, "my-cases", N_("Show only the cases assigned to you, or every case") },
	{ ACT_FILTER, "filter", N_("Filter the list by stage, assignee, country of return or vulnerability") },
	{ ACT_REFERRALS, "referrals", N_("Show the referrals of every case, waiting longest first") },
	{ ACT_RECORD, "record", N_("Record it, after a confirmation") },
	{ ACT_REPORTS, "reports", N_("Show the reports: caseload and returns, as charts") },
	{ ACT_NEXT_REPORT, "next-report", N_("Show the next report") },
	{ ACT_EXACT_COUNTS, "exact-counts", N_("Show counts under the threshold exactly, on this screen only, or as <5 again") },
	{ ACT_TEAM, "team", N_("Show the team's device branches and every conflict (supervisors)") },
	{ ACT_CHECK_BRANCHES, "check-branches", N_("Fetch the device branches and check them again, merging nothing") },
	{ ACT_MERGE, "merge", N_("Merge the device branches into main (Esc cancels it without harm)") },
	{ ACT_AGENDA, "agenda", N_("Show the agenda: appointments in date order, what is overdue") },
	{ ACT_APPOINTMENT, "appointment", N_("Set an appointment with the person") },
	{ ACT_APPOINTMENT_OUTCOME, "appointment-outcome", N_("Record that an appointment took place, or was missed") },
	{ ACT_RESCHEDULE, "reschedule", N_("Move a planned appointment to another day or time") },
	{ ACT_LINK_FAMILY, "link-family", N_("Link a family member's case into this return file") },
	{ ACT_NEXT_MEMBER, "next-member", N_("Go to the next family member's case") },
	{ ACT_WHICH_HOLDS, "which-holds", N_("Say which holds when a form's flags and the case's data disagree") },
};

const ui_action_info *ui_action_get(enum ui_action id)
{
	return id >= 0 && id < ACT_COUNT ? &actions[id] : &actions[ACT_NONE];
}

static const ui_binding global_bindings[] = {
	{ UI_KEY_FN(KEY_F(1)), ACT_HELP },
	{ UI_KEY_FN(KEY_F(9)), ACT_UI_LANGUAGE },
	{ UI_KEY_FN(KEY_F(10)), ACT_QUIT },
	{ UI_KEY_CTRL('l'), ACT_REDRAW },
	{ 0, ACT_NONE },
};

const ui_keymap ui_keymap_global = { "global", global_bindings, NULL };

const ui_note ui_notes_global[] = {
	/* TRANSLATORS: help line: Esc, then a digit, does what F1 ... F10 do. */
	{ N_("Esc 1 ... Esc 0"), N_("Same as F1 ... F10 (Esc 0 quits)") },
	{ N_("Ctrl-C"), N_("Quit; what is typed is kept") },
	{ NULL, NULL },
};

enum ui_action ui_action_for_key(const ui_keymap *km, int key)
{
	const ui_binding *b;

	if (km)
		for (b = km->bindings; b->key; b++)
			if (b->key == key)
				return b->action;
	for (b = ui_keymap_global.bindings; b->key; b++)
		if (b->key == key)
			return b->action;
	return ACT_NONE;
}

int ui_key_for_action(const ui_keymap *km, enum ui_action action)
{
	const ui_binding *b;

	if (km)
		for (b = km->bindings; b->key; b++)
			if (b->action == action)
				return b->key;
	for (b = ui_keymap_global.bindings; b->key; b++)
		if (b->action == action)
			return b->key;
	return 0;
}

const char *ui_key_name(int key)
{
	static char buf[16];
	char enc[5] = { 0 };
	int code;

	if (UI_KEY_IS_FN(key)) {
		code = key & ~0x40000000;
		if (code >= KEY_F(1) && code <= KEY_F(24)) {
			snprintf(buf, sizeof buf, "F%d", code - KEY_F0);
			return buf;
		}
		switch (code) {
		/* TRANSLATORS: key names in the help screen; keep them short. */
		case KEY_UP: return _("Up");
		case KEY_DOWN: return _("Down");
		case KEY_LEFT: return _("Left");
		case KEY_RIGHT: return _("Right");
		case KEY_PPAGE: return _("PgUp");
		case KEY_NPAGE: return _("PgDn");
		case KEY_HOME: return _("Home");
		case KEY_END: return _("End");
		case KEY_BTAB: return _("Shift-Tab");
		case KEY_DC: return _("Del");
		case KEY_ENTER: return _("Enter");
		default: return "?";
		}
	}
	switch (key) {
	case '\r': case '\n': return _("Enter");
	case '\t': return _("Tab");
	case UI_KEY_ESC: return _("Esc");
	case ' ': return _("Space");
	default: break;
	}
	if (key > 0 && key < 32) {
		snprintf(buf, sizeof buf, "^%c", key + '@');
		return buf;
	}
	text_encode((uint32_t)key, enc);
	snprintf(buf, sizeof buf, "%s", enc);
	return buf;
}
