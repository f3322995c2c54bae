/*
 * view.h: screens of the TUI as small vtables on a stack, and the drawing
 * helpers they share.
 *
 * The screen is laid out by tui.c, in one place, on start and on every
 * resize:
 *
 *   row 0              title bar (program, screen title, demo marker)
 *   rows 1 .. h        the body, drawn by the view on top of the stack
 *   row LINES - 3      a message (error, confirmation, question); a long
 *                      one wraps upwards over the bottom rows of the body
 *   row LINES - 2      the key hints, always shown
 *   row LINES - 1      the status line (waiting for sync, counsellor, role)
 *
 * A view never calls refresh() or getch(): the main loop reads keys, maps
 * them to actions with the view's keymap, and draws after handling.
 */
#ifndef HW_UI_VIEW_H
#define HW_UI_VIEW_H

#include <stdarg.h>

#include "action.h"
#include "colors.h"
#include "text.h"
#include "workspace.h"

typedef struct tui tui;
typedef struct ui_view ui_view;

/* What a key handler did (flags). */
enum {
	UI_IGNORED = 0,
	UI_HANDLED = 1 << 0,  /* the key was used */
	UI_REDRAW = 1 << 1,   /* the view's content changed */
	UI_CLOSE = 1 << 2,    /* pop this view */
	UI_QUIT = 1 << 3,     /* leave the program */
};

typedef struct ui_view_ops {
	const char *name;
	const ui_keymap *keymap;
	/* Set up v->data from arg; returns 0 or a negative code (view not shown). */
	int (*open)(ui_view *v, tui *t, void *arg);
	/* Draw the body: rows [top, top + rows), all columns. */
	void (*draw)(ui_view *v, tui *t, int top, int rows, int cols);
	/* A key and the action it is bound to (ACT_NONE if unbound): UI_* flags. */
	int (*handle_key)(ui_view *v, tui *t, int key, enum ui_action action);
	/* The body changed size (may be NULL). */
	void (*resize)(ui_view *v, tui *t, int rows, int cols);
	/* Back on top after the view above it closed (may be NULL): reload data. */
	void (*resume)(ui_view *v, tui *t);
	/* Free v->data (may be NULL). */
	void (*close)(ui_view *v, tui *t);
	/*
	 * The program is ending (F10, Ctrl-C, SIGTERM, SIGHUP): keep what was
	 * typed and not yet saved (may be NULL).  Called for every view on the
	 * stack, top first, before they are closed; nothing is drawn after.
	 */
	void (*keep)(ui_view *v, tui *t);
} ui_view_ops;

struct ui_view {
	const ui_view_ops *ops;
	void *data;           /* the view's own state */
	ui_view *below;
};

/* The open workspace (borrowed). */
hw_ws *tui_ws(tui *t);

/* The credentials the front end was given for syncing (borrowed; may be NULL). */
const struct sync_secrets *tui_secrets(tui *t);

/* Open a view on top; returns 0 or the code open() returned. */
int tui_push(tui *t, const ui_view_ops *ops, void *arg);

/* Close the top view (the one below is resumed). */
void tui_pop(tui *t);

/* Body size of the current layout. */
int tui_rows(tui *t);
int tui_cols(tui *t);

/* True when the UI speaks a right-to-left language and lays text out so. */
int tui_is_rtl(tui *t);

/* Layout flags for text (TEXT_BIDI | TEXT_SHAPE unless ui.bidi=off). */
unsigned tui_text_flags(tui *t);

/* Show a message until the next key (printf-style, already translated); a long one wraps. */
void tui_message(tui *t, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Ask a yes/no question on the message row (already translated; say which
 * keys answer).  The next key answers it: Enter is yes, any other key is
 * no; answered(t, yes, payload) is called with the view still open.
 */
void tui_confirm(tui *t, const char *question,
		 void (*answered)(tui *t, int yes, void *payload), void *payload);

/*
 * A key pressed during a long call, without waiting (0: none); Esc when
 * the program was asked to end (Ctrl-C, SIGTERM), so that the call is
 * cancelled and the main loop ends after it.
 */
int tui_poll_key(tui *t);

/* Show a progress message at once (during a long call, e.g. a sync). */
void tui_progress(tui *t, const char *text);

/* Show the workspace's last error as a translated message with its detail. */
void tui_error(tui *t, int code);

/*
 * Unlock the device keys once for this start, before a sync: the demo's
 * fixed passphrase, the --passphrase-fd one, or asked on the terminal with
 * the screen set aside.  0, or -1 with the reason on the message row.
 */
int tui_unlock(tui *t);

/* A translated sentence for an error code. */
const char *tui_error_text(int code);

/* Set the title shown in the top bar (copied). */
void tui_set_title(tui *t, const char *title);

/* Switch the UI language (code, "" for the environment's) and save it. */
void tui_set_language(tui *t, const char *code);

/* ------------------------------------------------------------ drawing */

/*
 * Draw s on row y from column x in exactly width columns (truncated,
 * reordered, padded) with the role's attribute.  A right-to-left text is
 * right-aligned in its cell when align_rtl is set.
 */
void ui_put(tui *t, int y, int x, int width, const char *s, enum ui_role role, int align_rtl);

/*
 * Draw s word-wrapped in a box from (y, x), width columns wide, at most
 * max_rows rows (max_rows <= 0: no limit); right-to-left paragraphs are
 * right-aligned.  Returns the rows it used (or would use, when skip is set:
 * measure only).
 */
int ui_put_block(tui *t, int y, int x, int width, int max_rows, const char *s,
		 enum ui_role role, int skip);

/*
 * Apply a line-editing key (characters, Backspace, Delete, Left, Right,
 * Home, End) to e: 0 if the key is not one, 1 if only the cursor moved, 2 if
 * the text changed.
 */
int ui_edit_key(text_edit *e, int key);

/* Fill row y from column x with width blanks of a role. */
void ui_blank(int y, int x, int width, enum ui_role role);

/*
 * Draw an edited line in a field width columns wide and, when focused,
 * place the terminal cursor in it.
 */
void ui_put_field(tui *t, int y, int x, int width, const text_edit *e, int focused);

/*
 * Draw a multi-line editor in a box of rows x width from (y, x): the text
 * word-wrapped (by columns, each line laid out right to left when it is
 * so), scrolled so that the cursor's line shows (*top is the first line
 * shown, kept between calls), and, when focused, the terminal cursor in it.
 */
void ui_put_editor(tui *t, int y, int x, int width, int rows, const text_edit *e,
		   int *top, int focused);

/*
 * Move the selection *sel of a list of count items shown rows at a time,
 * keeping it visible (*top is the first shown).  Returns 1 if act was a
 * movement (up, down, pages, first, last), else 0.
 */
int ui_list_nav(int *sel, int *top, int count, int rows, enum ui_action act);

/* Keep *sel inside the list and visible after the list or rows changed. */
void ui_list_clamp(int *sel, int *top, int count, int rows);

/* A string of the key bound to action on the current screen ("F2"), "" if none. */
const char *ui_key_of(const ui_keymap *km, enum ui_action action);

/*
 * Hints for the message row: pairs of action ids, ACT_NONE-terminated, shown
 * as "F2 New  F5 Sync ..." with labels given as the second of each pair's
 * texts.  Views set their hints on open and when their state changes.
 */
typedef struct ui_hint {
	enum ui_action action;
	const char *label;   /* N_() text, shown translated */
} ui_hint;
void tui_set_hints(tui *t, const ui_keymap *km, const ui_hint *hints);

/* ------------------------------------------------------------ screens */

/* The case list (arg unused). */
extern const ui_view_ops ui_screen_list;
/* The new-case form (arg unused). */
extern const ui_view_ops ui_screen_newcase;
/* One case (arg: the case id, a string, copied). */
extern const ui_view_ops ui_screen_case;
/* Filling a form for a case (arg: a ui_form_arg; strings copied). */
typedef struct ui_form_arg {
	const char *case_id;
	const char *form_id;
} ui_form_arg;
extern const ui_view_ops ui_screen_form;
/*
 * Correcting the details of a case (arg: the case id, a string, copied).
 * Saving records one case.updated event per changed field, all or none.
 */
extern const ui_view_ops ui_screen_edit;
/*
 * Deciding one conflicting field of a case (arg: a ui_decide_arg; strings
 * copied).  Opening fails with HW_ENOTFOUND when the field has no conflict.
 */
typedef struct ui_decide_arg {
	const char *case_id;
	const char *field;    /* a case field name ("return_country") */
} ui_decide_arg;
extern const ui_view_ops ui_screen_decide;
/* The translated name of a case field ("Country of return"); the name itself if unknown. */
const char *ui_case_field_label(const char *field);
/*
 * The assistance inventory for one country of return (arg: the country
 * code, a string, copied), in the language of the program.
 */
extern const ui_view_ops ui_screen_assist;
/*
 * A submitted form, read-only (arg: a ui_submission_arg; strings copied):
 * labels in the program's language when the form has it, the returnee's
 * language beneath.
 */
typedef struct ui_submission_arg {
	const char *instance_id;
	const char *language;   /* the returnee's form language (the case's), may be NULL */
} ui_submission_arg;
extern const ui_view_ops ui_screen_submission;
/*
 * One step of case work as a short form (arg: a ui_work_arg; strings
 * copied): checked by the same core call as the command line, recorded
 * after a confirmation.
 */
enum ui_work_step {
	WORK_DECIDE, WORK_DEPART, WORK_ARRIVE, WORK_ASSIGN, WORK_CONSENT, WORK_WITHDRAW,
	WORK_REFER, WORK_UPDATE_REFERRAL, WORK_CLOSE, WORK_REOPEN,
	WORK_APPOINTMENT, WORK_APPOINTMENT_OUTCOME, WORK_LINK, WORK_RESCHEDULE
};
typedef struct ui_work_arg {
	const char *case_id;
	enum ui_work_step step;
	const char *referral_id;   /* WORK_UPDATE_REFERRAL: the one to update first;
				      WORK_APPOINTMENT_OUTCOME, WORK_RESCHEDULE: the
				      appointment; may be NULL */
} ui_work_arg;
extern const ui_view_ops ui_screen_work;
/* The referrals of every case, waiting longest first (arg unused). */
extern const ui_view_ops ui_screen_referrals;
/*
 * The Team screen (arg unused): every device branch checked, its rejected
 * files and why, the conflicts of every case; merging from it.
 */
extern const ui_view_ops ui_screen_team;
/* The agenda: appointments in date order, what is overdue first (arg unused). */
extern const ui_view_ops ui_screen_agenda;
/* Reports as charts: caseload and returns (arg unused). */
extern const ui_view_ops ui_screen_reports;
/* The help of the view below (arg: the keymap of that screen). */
extern const ui_view_ops ui_screen_help;

/* A list to pick one item from (arg: a ui_pick_args). */
typedef struct ui_pick_item {
	const char *label;    /* shown (copied) */
	const char *value;    /* given to the callback (copied) */
} ui_pick_item;

typedef struct ui_pick_args {
	const char *title;
	const ui_pick_item *items;
	int count;
	int selected;         /* initially selected item */
	/* Called with the chosen value; the picker closes itself first. */
	void (*chosen)(tui *t, const char *value, void *payload);
	void *payload;
} ui_pick_args;
extern const ui_view_ops ui_screen_pick;

/* The UI language picker (sets and saves ui.language). */
void ui_pick_ui_language(tui *t);

#endif
