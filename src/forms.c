/* forms.c: installed forms, and filling one in with a durable draft. */
#include "config.h"
#include "forms.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agenda.h"
#include "caseform.h"
#include "cases.h"
#include "event.h"
#include "store.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The *.xml file names of the forms folder, sorted (caller frees each and
 * the array).  No folder is no forms; a folder that cannot be read, or
 * running out of memory, is an error (never a shorter list).
 */
static int form_files(hw_ws *ws, char ***out, size_t *n)
{
	DIR *d = opendir(ws_forms_dir(ws));
	struct dirent *e;
	char **names = NULL;
	size_t count = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : hw_error_set(ws_err(ws), HW_ERROR, "cannot read the folder %s: %s",
							  ws_forms_dir(ws), strerror(errno));
	errno = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char **p;

		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0 ||
		    e->d_type == DT_DIR)
			continue;   /* forms/<id>/ folders hold a published form's files */
		if (!(p = realloc(names, (count + 1) * sizeof(char *)))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			break;
		}
		names = p;
		if (!(names[count] = hw_path_join(ws_forms_dir(ws), e->d_name)))
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		else
			count++;
		errno = 0;
	}
	if (rc == 0 && errno)
		rc = hw_error_set(ws_err(ws), HW_ERROR, "cannot read the folder %s: %s",
				  ws_forms_dir(ws), strerror(errno));
	closedir(d);
	if (rc < 0) {
		free_names(names, count);
		return rc;
	}
	if (count)
		qsort(names, count, sizeof(char *), name_cmp);
	*out = names;
	*n = count;
	return 0;
}

int forms_list(hw_ws *ws, int (*cb)(const forms_entry *f, void *payload),
	       void (*bad)(const char *path, const char *message, void *payload),
	       void *payload)
{
	char **files;
	size_t n;
	int rc;

	if ((rc = form_files(ws, &files, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		xform *form = NULL;
		hw_error err = { 0, "" };

		if (rc == 0 && xform_load(&form, files[i], &err) == 0) {
			forms_entry f = { xform_id(form), xform_version(form), xform_title(form), files[i] };
			rc = cb(&f, payload);
		} else if (rc == 0 && bad) {
			bad(files[i], err.msg, payload);
		}
		xform_free(form);
		free(files[i]);
	}
	free(files);
	return rc;
}

typedef struct find_ctx {
	const char *id;
	char *path;
	hw_error *err;
} find_ctx;

static int find_cb(const forms_entry *f, void *payload)
{
	find_ctx *c = payload;

	if (strcmp(f->id, c->id) == 0) {
		c->path = strdup(f->path);
		return c->path ? 1 : hw_error_set(c->err, HW_ERROR, "out of memory");
	}
	return 0;
}

int forms_drafts_of_case(hw_ws *ws, const char *case_id,
			 int (*cb)(const char *draft_id, const char *form_id,
				   const char *updated_at, void *payload),
			 void *payload)
{
	return store_drafts_of_case(ws_store(ws), case_id, cb, payload, ws_err(ws));
}

int forms_find(hw_ws *ws, const char *form_id, char **path)
{
	find_ctx c = { form_id, NULL, ws_err(ws) };
	char *name, *direct;
	size_t n = strlen(form_id);
	int rc;

	*path = NULL;
	/* The usual case: the file is named after the form id. */
	name = malloc(n + 5);
	if (!name)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	snprintf(name, n + 5, "%s.xml", form_id);
	direct = strchr(form_id, '/') ? NULL : hw_path_join(ws_forms_dir(ws), name);
	free(name);
	if (direct && hw_exists(direct)) {
		*path = direct;
		return 0;
	}
	free(direct);
	if ((rc = forms_list(ws, find_cb, NULL, &c)) < 0)
		return rc;
	if (!c.path)
		return hw_error_set(ws_err(ws), HW_ENOTFOUND,
				    "no form \"%s\" is installed (see: homeward form list)", form_id);
	*path = c.path;
	return 0;
}

struct hw_fill {
	hw_ws *ws;
	char *case_xml;         /* instance('case') for the form (docs/form-entities.md) */
	int base_version;       /* the case's version when the draft was started */
	char case_id[HW_UUID_LEN + 1];
	char *form_path;
	char *draft_id;        /* NULL until the first change */
	char *lang;            /* language asked for at open */
	int minor;
	int resumed;
	xform *form;
	xform_session *session;
	char *base_xml;         /* a correction: the submission it corrects, else NULL */
	size_t base_len;
	/* Text typed but not accepted as an answer (fill_keep_typed), by path. */
	char **typed_paths, **typed_texts;
	size_t ntyped;
};

/* Forget the typed text of path (all of it when path is NULL). */
static void typed_drop(hw_fill *f, const char *path)
{
	size_t i = 0;

	while (i < f->ntyped) {
		if (path && strcmp(f->typed_paths[i], path) != 0) {
			i++;
			continue;
		}
		free(f->typed_paths[i]);
		free(f->typed_texts[i]);
		f->ntyped--;
		f->typed_paths[i] = f->typed_paths[f->ntyped];
		f->typed_texts[i] = f->typed_texts[f->ntyped];
	}
	if (f->ntyped == 0) {
		free(f->typed_paths);
		free(f->typed_texts);
		f->typed_paths = f->typed_texts = NULL;
	}
}

/* Remember text typed for path (replacing what was); 0 or HW_ERROR. */
static int typed_set(hw_fill *f, const char *path, const char *text)
{
	char **paths, **texts, *p, *t;

	typed_drop(f, path);
	p = strdup(path);
	t = strdup(text ? text : "");
	paths = realloc(f->typed_paths, (f->ntyped + 1) * sizeof(*paths));
	if (paths)
		f->typed_paths = paths;
	texts = paths ? realloc(f->typed_texts, (f->ntyped + 1) * sizeof(*texts)) : NULL;
	if (texts)
		f->typed_texts = texts;
	if (!p || !t || !paths || !texts) {
		free(p);
		free(t);
		return HW_ERROR;
	}
	f->typed_paths[f->ntyped] = p;
	f->typed_texts[f->ntyped] = t;
	f->ntyped++;
	return 0;
}

/* Map a stored op name to the engine's. */
static int op_kind(const char *op)
{
	if (!strcmp(op, "answer")) return XFORM_OP_ANSWER;
	if (!strcmp(op, "clear")) return XFORM_OP_CLEAR;
	if (!strcmp(op, "add-repeat")) return XFORM_OP_ADD_REPEAT;
	if (!strcmp(op, "remove-repeat")) return XFORM_OP_REMOVE_REPEAT;
	if (!strcmp(op, "language")) return XFORM_OP_LANGUAGE;
	return 0;
}

typedef struct replay_ctx {
	hw_fill *f;
	int count;
} replay_ctx;

/*
 * Apply one stored op.  An op the form no longer accepts (the form was
 * updated since: no such question, a value it refuses) is skipped; it
 * stays in the draft store, so nothing typed is ever thrown away.  Any
 * other failure (out of memory) stops the replay with an error: a session
 * silently missing an answer could be finalised without it.
 */
static int replay_one(const char *op, const char *path, const char *value, void *payload)
{
	replay_ctx *c = payload;
	xform_op o = { op_kind(op), path, value };
	hw_error e = { 0, "" };
	int rc = 0;

	if (!strcmp(op, "typed") && typed_set(c->f, path, value) < 0)
		return HW_ERROR;
	if (o.kind == XFORM_OP_ANSWER || o.kind == XFORM_OP_CLEAR)
		typed_drop(c->f, path);
	if (o.kind)
		rc = xform_replay(c->f->session, &o, 1, NULL, &e);
	c->count++;
	if (rc == HW_EINVALID || rc == HW_ENOTFOUND)
		return 0;
	if (rc < 0)
		return hw_error_set(ws_err(c->f->ws), rc, "resuming the draft, step %d (%s %s): %s",
				    c->count, op, path, e.msg[0] ? e.msg : "failed");
	return 0;
}

/* The "base" op of a draft: the case's version when the draft was started. */
static int find_base(const char *op, const char *path, const char *value, void *payload)
{
	hw_fill *f = payload;

	(void)path;
	if (!strcmp(op, "base") && value && !f->base_version)
		f->base_version = atoi(value);
	return 0;
}

/* The "correct" op of a draft: load the submission it corrects. */
static int find_correct(const char *op, const char *path, const char *value, void *payload)
{
	hw_fill *f = payload;

	(void)path;
	if (strcmp(op, "correct") || !value || f->base_xml)
		return 0;
	return store_submission_get_xml(ws_store(f->ws), value, &f->base_xml, &f->base_len,
					ws_err(f->ws)) < 0 ? HW_ENOTFOUND : 0;
}

/* (Re)build the session from the form and the stored ops. */
static int build_session(hw_fill *f)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	replay_ctx c = { f, 0 };
	int rc;

	xform_session_free(f->session);
	f->session = NULL;
	typed_drop(f, NULL);
	o.language = f->lang;
	o.minor = f->minor;
	o.deviceid = ws_device_id(f->ws);
	o.username = ws_author(f->ws);
	o.now = hw_clock_fixed();
	o.case_xml = f->case_xml;
	/* A draft that corrects a submission starts from it (its first op names it). */
	if (f->draft_id && !f->base_xml &&
	    (rc = store_draft_ops(ws_store(f->ws), f->draft_id, find_correct, f, ws_err(f->ws))) < 0)
		return rc;
	if (f->base_xml) {
		/* A correction: a new instance whose meta/deprecatedID names the old one. */
		if ((rc = xform_session_edit(&f->session, f->form, f->base_xml, f->base_len, &o,
					     ws_err(f->ws))) < 0)
			return rc;
	} else {
		if ((rc = xform_session_new(&f->session, f->form, &o, ws_err(f->ws))) < 0)
			return rc;
	}
	if (f->draft_id &&
	    (rc = store_draft_ops(ws_store(f->ws), f->draft_id, replay_one, &c, ws_err(f->ws))) < 0)
		return rc;
	f->resumed = c.count > 0;
	return 0;
}

/* The form language to start with: asked, else the case's, else the default. */
static char *pick_language(const xform *form, const char *asked, const char *preferred)
{
	size_t n = xform_language_count(form);

	if (asked && *asked)
		return strdup(asked);
	for (size_t i = 0; preferred && i < n; i++)
		if (strcmp(xform_language_code(form, i), preferred) == 0)
			return strdup(preferred);
	return NULL;
}

int fill_open(hw_fill **out, hw_ws *ws, const char *case_id, const char *form_id,
	      const char *lang)
{
	hw_fill *f = calloc(1, sizeof(*f));
	store_case_row row;
	int rc, now_version = 0;

	*out = NULL;
	memset(&row, 0, sizeof(row));
	if (!f)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	f->ws = ws;
	if ((rc = case_get(ws, case_id, &row)) < 0)
		goto fail;
	snprintf(f->case_id, sizeof(f->case_id), "%s", case_id);
	{
		char age[16];

		caseform_age_minor(&row, age, &f->minor);
	}
	if ((rc = forms_find(ws, form_id, &f->form_path)) < 0)
		goto fail;
	if ((rc = xform_load(&f->form, f->form_path, ws_err(ws))) < 0)
		goto fail;
	f->lang = pick_language(f->form, lang, row.language);
	rc = store_draft_find(ws_store(ws), case_id, xform_id(f->form), &f->draft_id, ws_err(ws));
	if (rc < 0 && rc != HW_ENOTFOUND)
		goto fail;
	/* A draft compares against the case as it was when it was started. */
	if (f->draft_id &&
	    (rc = store_draft_ops(ws_store(ws), f->draft_id, find_base, f, ws_err(ws))) < 0)
		goto fail;
	if (xform_has_case(f->form) &&
	    (rc = caseform_xml(ws, case_id, f->base_version, &f->case_xml, &now_version)) < 0)
		goto fail;
	if (!f->base_version)
		f->base_version = now_version;
	if ((rc = build_session(f)) < 0)
		goto fail;
	store_case_row_clear(&row);
	*out = f;
	return 0;
fail:
	store_case_row_clear(&row);
	fill_free(f);
	return rc;
}

void fill_free(hw_fill *f)
{
	if (!f)
		return;
	xform_session_free(f->session);
	xform_free(f->form);
	free(f->form_path);
	free(f->draft_id);
	free(f->lang);
	free(f->case_xml);
	typed_drop(f, NULL);
	free(f->base_xml);
	free(f);
}

xform_session *fill_session(hw_fill *f) { return f->session; }
const xform *fill_form(hw_fill *f) { return f->form; }
const char *fill_case_id(const hw_fill *f) { return f->case_id; }
int fill_resumed(const hw_fill *f) { return f->resumed; }

/* Save one op durably, creating the draft on the first change. */
static int save_op(hw_fill *f, const char *op, const char *path, const char *value)
{
	hw_store *st = ws_store(f->ws);
	char id[HW_UUID_LEN + 1], *copy = NULL;
	int rc;

	/*
	 * The new draft's id is copied before anything is written: once the
	 * draft is committed, not knowing its id would start a second draft
	 * with the next answer.
	 */
	if (!f->draft_id && (hw_uuid(id) < 0 || !(copy = strdup(id))))
		return hw_error_set(ws_err(f->ws), HW_ERROR, "cannot make a draft id (out of memory)");
	if ((rc = store_begin(st, ws_err(f->ws))) < 0) {
		free(copy);
		return rc;
	}
	if (!f->draft_id) {
		char base[32];

		snprintf(base, sizeof(base), "%d", f->base_version);
		if ((rc = store_draft_create(st, id, f->case_id, xform_id(f->form),
					     xform_language(f->session), ws_err(f->ws))) < 0 ||
		    (xform_has_case(f->form) &&
		     (rc = store_draft_op(st, id, "base", "/", base, ws_err(f->ws))) < 0)) {
			store_rollback(st);
			free(copy);
			return rc;
		}
	}
	if ((rc = store_draft_op(st, f->draft_id ? f->draft_id : id, op, path, value,
				 ws_err(f->ws))) < 0) {
		store_rollback(st);
		free(copy);
		return rc;
	}
	if ((rc = store_commit(st, ws_err(f->ws))) < 0) {
		free(copy);
		return rc;
	}
	if (!f->draft_id)
		f->draft_id = copy;
	return 0;
}

/*
 * Apply a change to the engine, then save it.  If saving fails (a full
 * disk), the session is rebuilt from what is saved, so the screen never
 * shows an answer that would not survive a restart.
 */
static int change(hw_fill *f, int kind, const char *op, const char *path, const char *value)
{
	hw_error *err = ws_err(f->ws);
	int rc;

	/* The engine's own calls, so its messages reach the user unprefixed. */
	switch (kind) {
	case XFORM_OP_ANSWER: rc = xform_answer(f->session, path, value, err); break;
	case XFORM_OP_CLEAR: rc = xform_clear(f->session, path, err); break;
	case XFORM_OP_ADD_REPEAT: rc = xform_repeat_add(f->session, path, NULL, err); break;
	case XFORM_OP_REMOVE_REPEAT: rc = xform_repeat_remove(f->session, path, err); break;
	default: rc = hw_error_set(err, HW_EINVALID, "unknown change");
	}
	if (rc < 0)
		return rc;
	if ((rc = save_op(f, op, path, value)) < 0) {
		hw_error keep = *ws_err(f->ws);
		build_session(f);
		*ws_err(f->ws) = keep;
		return rc;
	}
	if (kind == XFORM_OP_ANSWER || kind == XFORM_OP_CLEAR)
		typed_drop(f, path);
	return rc;
}

int fill_keep_typed(hw_fill *f, const char *path, const char *text)
{
	int rc;

	if ((rc = save_op(f, "typed", path, text ? text : "")) < 0)
		return rc;
	if (typed_set(f, path, text) < 0)
		return hw_error_set(ws_err(f->ws), HW_ERROR, "out of memory");
	return 0;
}

const char *fill_typed(const hw_fill *f, const char *path)
{
	size_t i;

	for (i = 0; path && i < f->ntyped; i++)
		if (!strcmp(f->typed_paths[i], path))
			return f->typed_texts[i];
	return NULL;
}

int fill_open_correction(hw_fill **out, hw_ws *ws, const char *instance_id, const char *lang)
{
	store_submission sub;
	char *full = NULL, *xml = NULL;
	size_t len = 0;
	hw_fill *f = NULL;
	int rc;

	*out = NULL;
	memset(&sub, 0, sizeof(sub));
	full = malloc(strlen(instance_id) + 6);
	if (!full)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	sprintf(full, "%s%s", strncmp(instance_id, "uuid:", 5) ? "uuid:" : "", instance_id);
	if ((rc = store_submission_get(ws_store(ws), full, &sub, ws_err(ws))) < 0) {
		if (rc == HW_ENOTFOUND)
			hw_error_set(ws_err(ws), HW_ENOTFOUND, "instance id \"%s\" is not a submission here",
				     instance_id);
		goto cleanup;
	}
	if ((rc = store_submission_get_xml(ws_store(ws), sub.instance_id, &xml, &len, ws_err(ws))) < 0 ||
	    (rc = fill_open(&f, ws, sub.case_id, sub.form_id, lang)) < 0)
		goto cleanup;
	if (f->base_xml && strcmp(f->base_xml, xml)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "a correction of another %s submission is in progress for this case; finalise or discard it first",
				  sub.form_id);
		goto cleanup;
	}
	if (!f->base_xml && f->draft_id) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "a draft of %s is in progress for this case; finalise or discard it first",
				  sub.form_id);
		goto cleanup;
	}
	if (!f->base_xml) {
		f->base_xml = xml;
		f->base_len = len;
		xml = NULL;
		if ((rc = build_session(f)) < 0 ||
		    (rc = save_op(f, "correct", "/", sub.instance_id)) < 0)
			goto cleanup;
	}
	*out = f;
	f = NULL;
cleanup:
	fill_free(f);
	free(xml);
	free(full);
	free(sub.instance_id); free(sub.case_id); free(sub.form_id); free(sub.form_version);
	free(sub.created_at); free(sub.sha256);
	return rc;
}

int fill_answer(hw_fill *f, const char *path, const char *value)
{
	return change(f, XFORM_OP_ANSWER, "answer", path, value ? value : "");
}

int fill_clear(hw_fill *f, const char *path)
{
	return change(f, XFORM_OP_CLEAR, "clear", path, NULL);
}

int fill_repeat_add(hw_fill *f, const char *path)
{
	return change(f, XFORM_OP_ADD_REPEAT, "add-repeat", path, NULL);
}

int fill_repeat_remove(hw_fill *f, const char *path)
{
	return change(f, XFORM_OP_REMOVE_REPEAT, "remove-repeat", path, NULL);
}

int fill_set_language(hw_fill *f, const char *code)
{
	int rc = xform_set_language(f->session, code, ws_err(f->ws));

	/* Remembered in the draft, so a resumed form speaks the same language. */
	if (rc == 0 && f->draft_id)
		rc = save_op(f, "language", "/", code);
	return rc;
}

/*
 * The form contract (docs/case-work.md): nodes with these names carry case
 * work.  A node's value counts when it is relevant and answered; a node
 * outside the body (a calculate) counts by its value.  Caller frees.
 */
static char *contract_value(hw_fill *f, const xform_nav *nav, const char *name)
{
	size_t n = strlen(name);
	char expr[160], *v = NULL;

	for (size_t i = 0; nav && i < nav->count; i++) {
		const char *p = nav->items[i].path;
		size_t len = strlen(p);

		if (len > n && p[len - n - 1] == '/' && !strcmp(p + len - n, name))
			return nav->items[i].relevant && *nav->items[i].value ? strdup(nav->items[i].value) : NULL;
	}
	snprintf(expr, sizeof(expr), "normalize-space((//%s)[1])", name);
	if (xform_eval(&v, f->session, expr, NULL) < 0 || !*v) {
		free(v);
		return NULL;
	}
	return v;
}

/* The form.submitted data: what identifies the submission, and the milestones the form records. */
static char *submitted_data(hw_fill *f, const xform_nav *nav, const store_submission *sub)
{
	const char *kv[24];
	char *dep = contract_value(f, nav, "deprecatedID"), *vals[5] = { NULL };
	char *count = NULL, *data;
	size_t k = 0;

	kv[k++] = "form_id"; kv[k++] = sub->form_id;
	kv[k++] = "form_version"; kv[k++] = sub->form_version;
	kv[k++] = "instance_id"; kv[k++] = sub->instance_id;
	kv[k++] = "sha256"; kv[k++] = sub->sha256;
	if (dep) {
		kv[k++] = "deprecated_id"; kv[k++] = dep;
	}
	if (xform_eval(&count, f->session, "count(//departure_date)", NULL) == 0 && strcmp(count, "0")) {
		kv[k++] = "milestone"; kv[k++] = "pre_departure";
		if ((vals[0] = contract_value(f, nav, "departure_date")) && event_date_valid(vals[0])) {
			kv[k++] = "departure_date"; kv[k++] = vals[0];
		}
		if ((vals[1] = contract_value(f, nav, "return_type")) &&
		    event_word_in(vals[1], event_return_types)) {
			kv[k++] = "return_type"; kv[k++] = vals[1];
		}
	} else if ((vals[2] = contract_value(f, nav, "visit_round")) ||
		   (vals[2] = contract_value(f, nav, "follow_up_round"))) {
		kv[k++] = "milestone"; kv[k++] = "follow_up";
		kv[k++] = "follow_up_round"; kv[k++] = vals[2];
		if ((vals[3] = contract_value(f, nav, "arrival_date")) && event_date_valid(vals[3])) {
			kv[k++] = "arrival_date"; kv[k++] = vals[3];
		}
	}
	kv[k] = NULL;
	data = event_data_build(kv);
	free(dep);
	free(count);
	for (int i = 0; i < 5; i++)
		free(vals[i]);
	return data;
}

/* The current value of a case field on row ("" when empty). */
static const char *row_field(const store_case_row *r, const char *field)
{
	static char year[16];
	const char *v = NULL;

	if (!strcmp(field, "given_name")) v = r->given_name;
	else if (!strcmp(field, "family_name")) v = r->family_name;
	else if (!strcmp(field, "birth_date")) v = r->birth_date;
	else if (!strcmp(field, "sex")) v = r->sex;
	else if (!strcmp(field, "nationality")) v = r->nationality;
	else if (!strcmp(field, "return_country")) v = r->return_country;
	else if (!strcmp(field, "language")) v = r->language;
	else if (!strcmp(field, "vulnerability")) v = r->vulnerability;
	else if (!strcmp(field, "birth_year") && r->birth_year > 0) {
		snprintf(year, sizeof(year), "%d", r->birth_year);
		v = year;
	}
	return v ? v : "";
}

/*
 * What the form saves to the case (entities:saveto, docs/form-entities.md):
 * the case fields it changes, recorded as one case.updated event made at
 * the version the form was opened at (so a change made since becomes a
 * conflict of the case), and the other properties as a JSON object for the
 * form.submitted event (*props, NULL when none; caller frees).
 */
static int save_to_case(hw_fill *f, char **props)
{
	hw_ws *ws = f->ws;
	xform_saveto_list *l = NULL;
	store_case_row row;
	case_change *changes = NULL;
	const char **kv = NULL;
	size_t n = 0, k = 0, bad = 0;
	int rc;

	*props = NULL;
	memset(&row, 0, sizeof(row));
	if ((rc = xform_savetos(&l, f->session, ws_err(ws))) < 0 || l->count == 0)
		goto cleanup;
	if ((rc = case_get(ws, f->case_id, &row)) < 0)
		goto cleanup;
	changes = calloc(l->count, sizeof(*changes));
	kv = calloc(2 * l->count + 1, sizeof(*kv));
	if (!changes || !kv) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < l->count; i++) {
		const xform_saveto *sv = &l->items[i];
		int field = 0;

		for (size_t j = 0; caseform_saveto_fields[j]; j++)
			field |= !strcmp(caseform_saveto_fields[j], sv->property);
		if (!field) {
			kv[k++] = sv->property;
			kv[k++] = sv->value;
		} else if (strcasecmp(row_field(&row, sv->property), sv->value) != 0) {
			changes[n].field = sv->property;
			changes[n].value = sv->value;
			n++;
		}
	}
	if (n && (rc = case_update_fields_at(ws, f->case_id, changes, n, (size_t)f->base_version,
					     &bad)) < 0) {
		if (rc == HW_EINVALID && bad < n)
			hw_error_prefix(ws_err(ws), "saving %s to the case", changes[bad].field);
		goto cleanup;
	}
	if (k && !(*props = event_data_build(kv)))
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
cleanup:
	xform_saveto_list_free(l);
	store_case_row_clear(&row);
	free(changes);
	free(kv);
	return rc;
}

/* One consent the form answered yes or no: a consent.recorded event. */
static int record_consent(hw_fill *f, const xform_nav *nav, const char *node, const char *purpose,
			  const char *recipient, const char *present)
{
	char *answer = contract_value(f, nav, node), *data = NULL, now[HW_TIME_LEN + 1];
	hw_buf b = HW_BUF_INIT;
	int rc = 0;

	if (!answer || (strcmp(answer, "yes") && strcmp(answer, "no")) ||
	    (!strcmp(purpose, "share_with_provider") && !recipient)) {
		free(answer);
		return 0;
	}
	hw_now_iso(now);
	now[10] = '\0';
	{
		const char *kv[] = { "purpose", purpose, "date", now, recipient ? "recipient" : NULL, recipient, NULL };
		data = event_data_build(kv);
	}
	/* granted and present are not strings: splice them into the object. */
	if (data) {
		data[strlen(data) - 1] = '\0';
		hw_buf_printf(&b, "%s,\"granted\":%s", data, strcmp(answer, "yes") ? "false" : "true");
		if (present && *present) {
			hw_buf_puts(&b, ",\"present\":[");
			for (const char *p = present; *p;) {
				size_t len = strcspn(p, " ");
				hw_buf_printf(&b, "%s\"%.*s\"", p == present ? "" : ",", (int)len, p);
				p += len;
				while (*p == ' ')
					p++;
			}
			hw_buf_puts(&b, "]");
		}
		hw_buf_puts(&b, "}");
		rc = case_record(f->ws, f->case_id, EV_CONSENT_RECORDED, b.ptr, NULL);
	}
	hw_buf_free(&b);
	free(data);
	free(answer);
	return rc;
}

/* The consents a first-contact or pre-departure form records (docs/case-work.md). */
static int record_consents(hw_fill *f, const xform_nav *nav)
{
	char *guardian = contract_value(f, nav, "guardian_present"),
	     *guardian2 = contract_value(f, nav, "consent_guardian"),
	     *interpreter = contract_value(f, nav, "interpreter_present"),
	     *recipient = contract_value(f, nav, "consent_recipient");
	char present[64] = "";
	int rc;

	if (!recipient)
		recipient = contract_value(f, nav, "provider_name");
	if ((guardian && !strcmp(guardian, "yes")) || (guardian2 && !strcmp(guardian2, "yes")))
		strcat(present, "guardian");
	if (interpreter && !strcmp(interpreter, "yes"))
		strcat(present, *present ? " interpreter" : "interpreter");
	if ((rc = record_consent(f, nav, "consent_counselling", "counselling", NULL, present)) == 0 &&
	    (rc = record_consent(f, nav, "consent_data", "data_processing", NULL, present)) == 0 &&
	    (rc = record_consent(f, nav, "consent_share", "share_with_provider", recipient, present)) == 0 &&
	    (rc = record_consent(f, nav, "consent_health", "health_data", recipient, present)) == 0)
		rc = record_consent(f, nav, "consent_family", "contact_family", NULL, present);
	free(guardian);
	free(guardian2);
	free(interpreter);
	free(recipient);
	return rc;
}

/*
 * The form contract's next_appointment (a date, docs/agenda.md): an
 * appointment on the case with this device's person, unless the case is
 * closed (a form about a closed case sets nothing on its agenda).
 */
static int record_next_appointment(hw_fill *f, const xform_nav *nav)
{
	char *date = contract_value(f, nav, "next_appointment");
	appointment_opts o = APPOINTMENT_OPTS_INIT;
	store_case_work w;
	int rc = 0;

	if (date && event_date_valid(date) && case_work_get(f->ws, f->case_id, &w) == 0) {
		if (strcmp(w.stage, "closed")) {
			o.date = date;
			rc = appointment_set(f->ws, f->case_id, &o, NULL);
		}
		store_case_work_clear(&w);
	}
	free(date);
	return rc;
}

int fill_finalise(hw_fill *f, char **out_instance_id, xform_failure_list **failures)
{
	hw_ws *ws = f->ws;
	hw_store *st = ws_store(ws);
	xform_failure_list *fl = NULL;
	xform_nav *nav = NULL;
	store_submission sub;
	char *xml = NULL, *data = NULL, *props = NULL;
	char sha[HW_SHA256_HEX + 1], now[HW_TIME_LEN + 1];
	size_t len = 0;
	int rc;

	if (out_instance_id)
		*out_instance_id = NULL;
	if (failures)
		*failures = NULL;
	if ((rc = xform_validate(&fl, f->session, ws_err(ws))) < 0)
		goto cleanup;
	if (fl->count) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID, "%s: %s", fl->items[0].path,
				  fl->items[0].message);
		if (failures) {
			*failures = fl;
			fl = NULL;
		}
		goto cleanup;
	}
	if ((rc = xform_submission(&xml, &len, f->session, ws_err(ws))) < 0)
		goto cleanup;
	hw_sha256_hex(xml, len, sha);
	hw_now_iso(now);
	sub.instance_id = (char *)xform_instance_id(f->session);
	sub.case_id = f->case_id;
	sub.form_id = (char *)xform_id(f->form);
	sub.form_version = (char *)xform_version(f->form);
	sub.created_at = now;
	sub.sha256 = sha;
	if (!*sub.instance_id) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "form %s has no meta/instanceID, so its submission cannot be kept",
				  sub.form_id);
		goto cleanup;
	}
	if ((rc = xform_nav_build(&nav, f->session, ws_err(ws))) < 0)
		goto cleanup;
	data = submitted_data(f, nav, &sub);
	if (!data) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = store_begin(st, ws_err(ws))) < 0)
		goto cleanup;
	if ((rc = store_submission_put(st, &sub, xml, len, STORE_LOCAL, NULL, ws_err(ws))) < 0 ||
	    (rc = save_to_case(f, &props)) < 0)
		goto rollback;
	if (props) {
		/* The form properties go with the submission's event. */
		hw_buf b = HW_BUF_INIT;

		hw_buf_printf(&b, "%.*s,\"properties\":%s}", (int)strlen(data) - 1, data, props);
		free(data);
		if (!(data = hw_buf_detach(&b))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto rollback;
		}
	}
	if ((rc = case_record(ws, f->case_id, EV_FORM_SUBMITTED, data, NULL)) < 0 ||
	    (rc = record_consents(f, nav)) < 0 ||
	    (rc = record_next_appointment(f, nav)) < 0)
		goto rollback;
	if (f->draft_id && (rc = store_draft_delete(st, f->draft_id, ws_err(ws))) < 0)
		goto rollback;
	if ((rc = store_commit(st, ws_err(ws))) < 0)
		goto cleanup;
	free(f->draft_id);
	f->draft_id = NULL;
	if (out_instance_id)
		*out_instance_id = strdup(sub.instance_id);
	goto cleanup;
rollback:
	store_rollback(st);
cleanup:
	xform_nav_free(nav);
	xform_failure_list_free(fl);
	free(xml);
	free(data);
	free(props);
	return rc;
}

int fill_discard(hw_fill *f)
{
	int rc = 0;

	if (f->draft_id && (rc = store_draft_delete(ws_store(f->ws), f->draft_id, ws_err(f->ws))) == 0) {
		free(f->draft_id);
		f->draft_id = NULL;
		/* A new start sees the case as it is now. */
		f->base_version = 0;
		if (xform_has_case(f->form)) {
			free(f->case_xml);
			f->case_xml = NULL;
			rc = caseform_xml(f->ws, f->case_id, 0, &f->case_xml, &f->base_version);
		}
		if (rc == 0)
			rc = build_session(f);
	}
	return rc;
}

/* --- reading a submission back ------------------------------------------- */

void submission_view_free(submission_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++) {
		free(v->items[i].path);
		free(v->items[i].label);
		free(v->items[i].value);
		free(v->items[i].display);
	}
	free(v->items);
	free(v->instance_id); free(v->case_id); free(v->form_id); free(v->form_version);
	free(v->form_title); free(v->created_at); free(v->language); free(v->xml);
	free(v);
}

char *forms_title(hw_ws *ws, const char *form_id)
{
	char *path = NULL, *title = NULL;
	xform *form = NULL;
	hw_error err = { 0, "" };

	(void)err;
	if (forms_find(ws, form_id, &path) == 0 && xform_load(&form, path, NULL) == 0)
		title = hw_strdup(xform_title(form));
	xform_free(form);
	free(path);
	return title;
}

/* The answer as shown: choice labels for selects, else the value. */
static char *display_value(const xform_nav_item *it)
{
	hw_buf b = HW_BUF_INIT;
	const char *p = it->value;

	if (it->kind != XFORM_SELECT1 && it->kind != XFORM_SELECT)
		return strdup(it->value);
	while (*p) {
		size_t len = strcspn(p, " ");
		const char *label = NULL;

		for (size_t c = 0; c < it->choices.count; c++)
			if (strlen(it->choices.items[c].value) == len &&
			    !strncmp(it->choices.items[c].value, p, len))
				label = it->choices.items[c].label;
		if (len) {
			if (b.len)
				hw_buf_puts(&b, it->kind == XFORM_SELECT ? "; " : " ");
			if (label && *label)
				hw_buf_puts(&b, label);
			else
				hw_buf_add(&b, p, len);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return hw_buf_detach(&b);
}

int submission_read(hw_ws *ws, const char *instance_id, const char *lang, submission_view **out)
{
	xform_session_options o = XFORM_SESSION_OPTIONS_INIT;
	submission_view *v = calloc(1, sizeof(*v));
	store_submission sub;
	char *case_xml = NULL;
	xform_session *session = NULL;
	xform_nav *nav = NULL;
	xform *form = NULL;
	char *full = NULL, *path = NULL;
	int rc;

	*out = NULL;
	memset(&sub, 0, sizeof(sub));
	if (!v)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	full = malloc(strlen(instance_id) + 6);
	if (!full) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	sprintf(full, "%s%s", strncmp(instance_id, "uuid:", 5) ? "uuid:" : "", instance_id);
	if ((rc = store_submission_get(ws_store(ws), full, &sub, ws_err(ws))) < 0 &&
	    (rc != HW_ENOTFOUND ||
	     (rc = store_submission_get(ws_store(ws), instance_id, &sub, ws_err(ws))) < 0)) {
		if (rc == HW_ENOTFOUND)
			hw_error_set(ws_err(ws), HW_ENOTFOUND, "instance id \"%s\" is not a submission here",
				     instance_id);
		goto cleanup;
	}
	if ((rc = store_submission_get_xml(ws_store(ws), sub.instance_id, &v->xml, &v->xml_len,
					   ws_err(ws))) < 0)
		goto cleanup;
	v->instance_id = sub.instance_id; sub.instance_id = NULL;
	v->case_id = sub.case_id; sub.case_id = NULL;
	v->form_id = sub.form_id; sub.form_id = NULL;
	v->form_version = sub.form_version; sub.form_version = NULL;
	v->created_at = sub.created_at; sub.created_at = NULL;
	if ((rc = forms_find(ws, v->form_id, &path)) < 0 ||
	    (rc = xform_load(&form, path, ws_err(ws))) < 0)
		goto cleanup;
	v->form_title = hw_strdup(xform_title(form));
	if (lang) {
		int known = 0;

		for (size_t i = 0; i < xform_language_count(form); i++)
			known |= !strcmp(xform_language_code(form, i), lang);
		if (!known) {
			rc = hw_error_set(ws_err(ws), HW_EINVALID,
					  "language \"%s\" is not one of the form's languages", lang);
			goto cleanup;
		}
	}
	o.language = lang;
	/* What the form took from the case decides what it asked (a case gone
	 * from this device reads as one that knows nothing). */
	if (xform_has_case(form) && caseform_xml(ws, v->case_id, 0, &case_xml, NULL) < 0)
		hw_error_clear(ws_err(ws));
	o.case_xml = case_xml;
	if ((rc = xform_session_edit(&session, form, v->xml, v->xml_len, &o, ws_err(ws))) < 0 ||
	    (rc = xform_nav_build(&nav, session, ws_err(ws))) < 0)
		goto cleanup;
	v->language = hw_strdup(xform_language(session));
	v->items = calloc(nav->count ? nav->count : 1, sizeof(*v->items));
	if (!v->items) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < nav->count; i++) {
		const xform_nav_item *it = &nav->items[i];
		submission_item *x;

		/* Notes and buttons are not answers; what is not relevant was not asked. */
		if (!it->relevant || it->kind == XFORM_NOTE || it->kind == XFORM_TRIGGER ||
		    it->kind == XFORM_UNSUPPORTED || (it->kind == XFORM_REPEAT))
			continue;
		x = &v->items[v->count++];
		x->kind = it->kind == XFORM_GROUP && it->repeat_instance ? XFORM_REPEAT : it->kind;
		x->depth = it->depth;
		x->repeat_index = it->repeat_instance;
		x->path = hw_strdup(it->path);
		x->label = hw_strdup(it->label);
		x->value = hw_strdup(it->value);
		x->display = it->kind == XFORM_GROUP ? strdup("") : display_value(it);
		if (!x->path || !x->label || !x->value || !x->display) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
	}
	*out = v;
	v = NULL;
	rc = 0;
cleanup:
	free(case_xml);
	free(sub.instance_id); free(sub.case_id); free(sub.form_id); free(sub.form_version);
	free(sub.created_at); free(sub.sha256);
	xform_nav_free(nav);
	xform_session_free(session);
	xform_free(form);
	free(path);
	free(full);
	submission_view_free(v);
	return rc;
}
