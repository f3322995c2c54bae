/*
 * forms.h: the forms installed in a workspace (its forms/ folder), and
 * filling one in for a case: every answer is kept in the draft store the
 * moment it is given, so a crash or power cut loses nothing, and a draft is
 * resumed by replaying its answers.
 */
#ifndef HW_FORMS_H
#define HW_FORMS_H

#include <stddef.h>

#include "error.h"
#include "util.h"
#include "workspace.h"
#include "xform/xform.h"

/* An installed form. */
typedef struct forms_entry {
	const char *id;
	const char *version;
	const char *title;
	const char *path;
} forms_entry;

/*
 * Call cb for every form in the workspace's forms/ folder that loads, in
 * file-name order.  Forms that do not load are reported through bad (may be
 * NULL) with the loader's message.  Returns 0, what cb returned if not 0,
 * or an error (the folder cannot be read, out of memory) with detail in
 * the workspace's error slot: never a shorter list.
 */
int forms_list(hw_ws *ws, int (*cb)(const forms_entry *f, void *payload),
	       void (*bad)(const char *path, const char *message, void *payload),
	       void *payload);

/*
 * The drafts of a case (forms being filled), most recent first: cb gets
 * each draft's id, form id and time of its last change (borrowed).
 */
int forms_drafts_of_case(hw_ws *ws, const char *case_id,
			 int (*cb)(const char *draft_id, const char *form_id,
				   const char *updated_at, void *payload),
			 void *payload);

/* The path of the installed form with this id (caller frees). */
int forms_find(hw_ws *ws, const char *form_id, char **path);

typedef struct hw_fill hw_fill;

/*
 * Open form_id for a case: resume its draft if there is one, else start a
 * new draft.  The form language is lang if given, else the case's preferred
 * language when the form has it, else the form's default; child wording is
 * used when the case is a minor.
 */
int fill_open(hw_fill **out, hw_ws *ws, const char *case_id, const char *form_id,
	      const char *lang);

/*
 * Open a correction of a finalised submission (instance id with or without
 * "uuid:"): a new instance of its form with its answers, whose
 * meta/deprecatedID names it (the ODK convention).  The correction is a
 * draft like any other and is resumed as a correction.  A draft of that
 * form already in progress for the case is HW_EINVALID.
 */
int fill_open_correction(hw_fill **out, hw_ws *ws, const char *instance_id, const char *lang);

/* Close (the draft stays); NULL is fine. */
void fill_free(hw_fill *f);

/* The engine session (borrowed): read it freely, change it only through fill_*. */
xform_session *fill_session(hw_fill *f);

/* The case being filled for (borrowed). */
const char *fill_case_id(const hw_fill *f);

/* The form (borrowed). */
const xform *fill_form(hw_fill *f);

/* True if this fill resumed a draft that had answers. */
int fill_resumed(const hw_fill *f);

/*
 * Change the instance; the change is saved durably before these return 0.
 * A value the form refuses is HW_EINVALID (nothing saved, nothing changed).
 */
int fill_answer(hw_fill *f, const char *path, const char *value);
int fill_clear(hw_fill *f, const char *path);
int fill_repeat_add(hw_fill *f, const char *path);
int fill_repeat_remove(hw_fill *f, const char *path);
int fill_set_language(hw_fill *f, const char *code);

/*
 * Keep text typed for path that is not (yet) an answer: the form refused
 * it, or the counsellor left before it was given.  It is saved durably in
 * the draft as a "typed" operation, changes nothing in the instance, and
 * comes back through fill_typed() until an answer to or a clearing of path
 * replaces it.  Returns 0 or a negative code.
 */
int fill_keep_typed(hw_fill *f, const char *path, const char *text);

/* The text kept for path by fill_keep_typed (borrowed; NULL when none). */
const char *fill_typed(const hw_fill *f, const char *path);

/*
 * Validate, then store the submission and a form.submitted event and remove
 * the draft, all in one transaction.  When the instance fails validation,
 * HW_EINVALID and *failures (if not NULL) lists why (caller frees).  A form
 * with a vulnerability_flags node also updates the case's flags.
 * out_instance_id (may be NULL) receives "uuid:...".
 */
int fill_finalise(hw_fill *f, char **out_instance_id, xform_failure_list **failures);

/* Throw the draft away. */
int fill_discard(hw_fill *f);

/* --- reading a submission back ----------------------------------------- */

/* One line of a submission as read back: a group, a repeat instance or a question. */
typedef struct submission_item {
	int kind;            /* XFORM_GROUP, XFORM_REPEAT (an instance), else a question */
	int depth;           /* nesting: 0 at the top */
	int repeat_index;    /* 1-based for a repeat instance, else 0 */
	char *path;          /* instance path */
	char *label;         /* in the language asked for */
	char *value;         /* the stored value */
	char *display;       /* the answer as the form shows it (choice labels); "" when unanswered */
} submission_item;

typedef struct submission_view {
	char *instance_id, *case_id, *form_id, *form_version, *form_title, *created_at;
	char *language;      /* the language of the labels */
	char *xml;           /* the submission as stored */
	size_t xml_len;
	submission_item *items;
	size_t count;
} submission_view;

/*
 * Read a stored submission (instance id with or without "uuid:") through its
 * installed form: every relevant question with its answer, labels in lang
 * (NULL: the form's default), repeats as numbered groups.  A submission
 * whose form is not installed is HW_ENOTFOUND naming the form; an unknown
 * language is HW_EINVALID naming it.
 */
int submission_read(hw_ws *ws, const char *instance_id, const char *lang, submission_view **out);
void submission_view_free(submission_view *v);

/* The title of the installed form (caller frees; NULL when it is not installed). */
char *forms_title(hw_ws *ws, const char *form_id);

#endif
