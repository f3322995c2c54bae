/*
 * caseform.h: the case a form is filled for, as the form sees it
 * (docs/form-entities.md): instance('case') built from the case, whom a
 * form applies to, and the answers a form saves back to the case.
 */
#ifndef HW_CASEFORM_H
#define HW_CASEFORM_H

#include <stddef.h>

#include "error.h"
#include "store.h"
#include "workspace.h"
#include "xform/xform.h"

/*
 * The case's fields a form may read from instance('case')/root/item, in
 * the order they are written (NULL-terminated).  Other names are form
 * properties, saved by a form's entities:saveto.
 */
extern const char *const caseform_fields[];

/* The case fields a form may write with entities:saveto (NULL-terminated). */
extern const char *const caseform_saveto_fields[];

/*
 * Age in whole years today and whether the person is a minor, for a case
 * row: the one place forms get them from.  age is "" when neither birth
 * date nor year is known.
 */
void caseform_age_minor(const store_case_row *row, char age[16], int *minor);

/*
 * instance('case') for case_id as XML (<root><item>...</item></root>):
 * the fields above and the latest value of every form property.  version
 * (> 0) is written as __version instead of the case's event count (a draft
 * keeps the version it was opened at); *out_version (may be NULL) gets the
 * case's event count now.  Caller frees *out.
 */
int caseform_xml(hw_ws *ws, const char *case_id, int version, char **out, int *out_version);

/* Why a form does or does not apply to a case. */
enum caseform_for {
	CASEFORM_FOR_ALL = 0,   /* no applies-to */
	CASEFORM_FOR_MINORS,    /* applies-to="minor" */
	CASEFORM_FOR_ADULTS,    /* applies-to="adult" */
	CASEFORM_FOR_EXPR,      /* an expression (xform_applies_to() gives it) */
};

/*
 * Whether form applies to the case whose instance('case') is case_xml:
 * *applies 1 or 0, *why (may be NULL) an enum caseform_for.  A form whose
 * expression fails to evaluate does not apply (HW_EINVALID, detail in the
 * workspace's error slot).
 */
int caseform_applies(hw_ws *ws, const xform *form, const char *case_xml, int *applies, int *why);

/* An installed form and whether it applies to a case. */
typedef struct caseform_entry {
	const char *id, *version, *title, *path;   /* as forms_list gives them */
	int applies;          /* 1 or 0 */
	int why;              /* enum caseform_for */
	const char *expr;     /* applies-to as written, for CASEFORM_FOR_EXPR; else NULL */
} caseform_entry;

/*
 * Every installed form that loads, in forms_list's order, with whether it
 * applies to case_id: cb gets a borrowed entry; a non-zero return stops
 * and is returned.  A form whose applies-to fails on this case counts as
 * not applying.
 */
int caseform_forms(hw_ws *ws, const char *case_id,
		   int (*cb)(const caseform_entry *e, void *payload), void *payload);

/* One problem form check finds with a form's use of the case. */
typedef void (*caseform_problem_fn)(int line, const char *message, void *payload);

/*
 * Check a form's savetos (a case field that cannot be written, such as
 * status or age) and its references into instance('case') (a node that is
 * neither a case field nor a property saved by one of known, the forms
 * checked with it; known may be NULL).  Calls fn for each; returns how many.
 */
int caseform_check(const xform *form, const xform *const *known, size_t nknown,
		   caseform_problem_fn fn, void *payload);

#endif
