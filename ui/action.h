/*
 * action.h: everything a user can ask for, in one table (id, name used in
 * settings, help text), and the keymaps that bind keys to actions per
 * screen.  The help screen is generated from these tables, so a key and its
 * description cannot drift apart.
 */
#ifndef HW_UI_ACTION_H
#define HW_UI_ACTION_H

#include <stddef.h>

/*
 * A key: a Unicode code point for a character (control keys are 1..31), or
 * UI_KEY_FN(code) for a curses function key (KEY_F(1), KEY_UP, ...).
 */
#define UI_KEY_FN(code) (0x40000000 | (code))
#define UI_KEY_IS_FN(key) (((key) & 0x40000000) != 0)
#define UI_KEY_CTRL(c) ((c) & 0x1f)
#define UI_KEY_ESC 27

enum ui_action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_HELP,
	ACT_BACK,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_FIRST,
	ACT_LAST,
	ACT_OPEN,
	ACT_NEW_CASE,
	ACT_SYNC,
	ACT_UI_LANGUAGE,
	ACT_REDRAW,
	ACT_NEXT_FIELD,
	ACT_PREV_FIELD,
	ACT_SAVE,
	ACT_FILL_FORM,
	ACT_RESUME,
	ACT_PREV_QUESTION,
	ACT_NEXT_QUESTION,
	ACT_JUMP,
	ACT_FORM_LANGUAGE,
	ACT_BILINGUAL,
	ACT_CLEAR_ANSWER,
	ACT_ADD_REPEAT,
	ACT_REVIEW,
	ACT_FINALISE,
	ACT_TOGGLE,
	ACT_EDIT_CASE,
	ACT_DECIDE_CONFLICT,
	ACT_ASSISTANCE,
	ACT_FILTER_KIND,
	ACT_SORT,
	ACT_WORK_MENU,
	ACT_DECIDE,
	ACT_DEPART,
	ACT_ARRIVE,
	ACT_ASSIGN,
	ACT_CONSENT,
	ACT_WITHDRAW_CONSENT,
	ACT_REFER,
	ACT_UPDATE_REFERRAL,
	ACT_CLOSE_CASE,
	ACT_MY_CASES,
	ACT_FILTER,
	ACT_REFERRALS,
	ACT_RECORD,
	ACT_REPORTS,
	ACT_NEXT_REPORT,
	ACT_EXACT_COUNTS,
	ACT_TEAM,
	ACT_CHECK_BRANCHES,
	ACT_MERGE,
	ACT_AGENDA,
	ACT_APPOINTMENT,
	ACT_APPOINTMENT_OUTCOME,
	ACT_RESCHEDULE,
	ACT_LINK_FAMILY,
	ACT_NEXT_MEMBER,
	ACT_WHICH_HOLDS,
	ACT_COUNT
};

typedef struct ui_action_info {
	enum ui_action id;
	const char *name;   /* stable name, for settings and docs ("new-case") */
	const char *help;   /* untranslated (N_); shown through _() */
} ui_action_info;

/* The entry of an action (never NULL for a valid id). */
const ui_action_info *ui_action_get(enum ui_action id);

/* One binding. */
typedef struct ui_binding {
	int key;
	enum ui_action action;
} ui_binding;

/*
 * A line of help for what is not one key ("typing", "1 ... 9"): both
 * texts N_(), shown translated.
 */
typedef struct ui_note {
	const char *keys;
	const char *help;
} ui_note;

/* A screen's keymap: its bindings, ended by { 0, ACT_NONE }. */
typedef struct ui_keymap {
	const char *name;            /* "case-list", "form", ... */
	const ui_binding *bindings;
	const ui_note *notes;        /* help lines, ended by { NULL, NULL }; may be NULL */
} ui_keymap;

/* Help lines for every screen (Esc-digit keys, Ctrl-C), ended by { NULL, NULL }. */
extern const ui_note ui_notes_global[];

/* Bindings valid on every screen (help, quit, language, redraw). */
extern const ui_keymap ui_keymap_global;

/*
 * The action bound to key on a screen (its keymap first, then the global
 * one); ACT_NONE when unbound.
 */
enum ui_action ui_action_for_key(const ui_keymap *km, int key);

/* The first key bound to action in km or the global map, 0 if none. */
int ui_key_for_action(const ui_keymap *km, enum ui_action action);

/* A short name of a key for hints and help ("F2", "Enter", "^S"). Returns a
 * static buffer for characters: copy before calling again. */
const char *ui_key_name(int key);

#endif
