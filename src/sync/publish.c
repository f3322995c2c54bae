/*
 * publish.c: a supervisor publishes a form on main (forms/<id>/<version>.xml
 * and the files it references), with the run machinery of sync.c
 * (sync_int.h); devices install it when they import main.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sync/repo.h"
#include "sync/sync.h"
#include "sync_int.h"
#include "util.h"
#include "workspace.h"
#include "xform/xform.h"

/*
 * Add to names (paths of a file_list, no content) every NAME the form text
 * references as jr://file/NAME or jr://file-csv/NAME, once each.  The
 * loader reads exactly these from the form's folder.
 */
static int referenced_files(const char *xml, file_list *names)
{
	static const char *const schemes[] = { "jr://file/", "jr://file-csv/", NULL };
	size_t i, k;

	for (i = 0; schemes[i]; i++) {
		const char *p = xml;

		while ((p = strstr(p, schemes[i])) != NULL) {
			const char *q;
			char *name;
			int seen = 0;

			p += strlen(schemes[i]);
			for (q = p; *q && !strchr("\"'<>() \t\r\n", *q); q++)
				;
			if (q == p || !(name = strndup(p, (size_t)(q - p))))
				continue;
			for (k = 0; k < names->n && !seen; k++)
				seen = strcmp(names->items[k].path, name) == 0;
			if (seen) {
				free(name);
				continue;
			}
			if (sync_list_add(names, name, NULL, 0, NULL) < 0)
				return HW_ERROR;
		}
	}
	return 0;
}

/*
 * Load the form to publish and gather its files: forms/<id>/<version>.xml
 * and forms/<id>/<version>/<name> for each referenced file that lies beside
 * it (the form loaded, so every external instance it needs is there).
 */
static int publish_prepare(run *r, const char *form_path, file_list *files,
			   sync_publish_result *res)
{
	xform *form = NULL;
	hw_error e = { 0, "" };
	file_list names = { 0 };
	char *xml = NULL, *dir = NULL, *path = NULL;
	const char *id, *version, *slash;
	size_t xlen = 0, i;
	int rc;

	if ((rc = xform_load(&form, form_path, &e)) < 0) {
		rc = hw_error_set(r->err, rc == HW_ENOTFOUND ? HW_ENOTFOUND : HW_EINVALID, "%s", e.msg);
		goto cleanup;
	}
	id = xform_id(form);
	version = xform_version(form);
	if (!*id || !*version) {
		rc = hw_error_set(r->err, HW_EINVALID,
				  "%s: the form has no %s: a published form needs an id and a version "
				  "(attributes of its primary instance's root), and every new publication "
				  "of it a higher version", form_path, *id ? "version" : "id");
		goto cleanup;
	}
	if (!sync_device_id_ok(id) || !sync_device_id_ok(version)) {
		rc = hw_error_set(r->err, HW_EINVALID,
				  "%s: the form's %s \"%s\" cannot name a file: use letters, digits, '.', '_' and '-'",
				  form_path, sync_device_id_ok(id) ? "version" : "id",
				  sync_device_id_ok(id) ? version : id);
		goto cleanup;
	}
	sync_copy_cut(res->form_id, sizeof(res->form_id), id);
	sync_copy_cut(res->version, sizeof(res->version), version);

	if ((rc = hw_read_file(form_path, &xml, &xlen, r->err)) < 0)
		goto cleanup;
	if (referenced_files(xml, &names) < 0)
		goto oom;
	slash = strrchr(form_path, '/');
	if (!(dir = slash ? strndup(form_path, (size_t)(slash - form_path + 1)) : hw_strdup("./")))
		goto oom;
	if (sync_list_add(files, sync_fmt("forms/%s/%s.xml", id, version), xml, xlen, NULL) < 0) {
		xml = NULL;
		goto oom;
	}
	xml = NULL;
	for (i = 0; i < names.n; i++) {
		const char *name = names.items[i].path;
		char *data = NULL;
		size_t len = 0;

		/* Names the loader would not read (folders, "..") are not ours to send. */
		free(path);
		if (!(path = sync_fmt("%s%s", dir, name)))
			goto oom;
		if (!sync_device_id_ok(name) || !hw_exists(path))
			continue;
		if ((rc = hw_read_file(path, &data, &len, r->err)) < 0)
			goto cleanup;
		if (sync_list_add(files, sync_fmt("forms/%s/%s/%s", id, version, name), data, len,
				  NULL) < 0)
			goto oom;
	}
	res->files = files->n;
	rc = 0;
	goto cleanup;
oom:
	rc = hw_error_set(r->err, HW_ERROR, "out of memory");
cleanup:
	xform_free(form);
	sync_list_free(&names);
	free(xml);
	free(dir);
	free(path);
	return rc;
}

/*
 * One attempt: add the files on top of central main as fetched, commit and
 * push main.  REPO_ENONFASTFORWARD when main moved on meanwhile.
 */
static int publish_once(run *r, const file_list *files, sync_publish_result *res)
{
	char mtip[REPO_OID_HEX + 1] = "", base[REPO_OID_HEX + 1] = "";
	char tree[REPO_OID_HEX + 1], commit[REPO_OID_HEX + 1];
	char *message = NULL, *email = NULL;
	repo_commit_opts co = REPO_COMMIT_OPTS_INIT;
	const char *spec[1] = { MAIN_REF ":" MAIN_REF };
	int rc;

	rc = repo_ref_get(mtip, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		mtip[0] = '\0';
		hw_error_clear(r->err);
	} else if (rc < 0) {
		return rc;
	} else if ((rc = repo_commit_tree(base, r->repo, mtip, r->err)) < 0) {
		return rc;
	}
	if (!mtip[0]) {
		/* The first main says its format. */
		repo_file ff;
		char fbuf[16];

		sync_format_file(&ff, fbuf, sync_format_new(r));
		if ((rc = repo_tree_add(base, r->repo, NULL, &ff, 1, r->err)) < 0)
			return rc;
	}
	rc = repo_tree_add(tree, r->repo, base[0] ? base : NULL, files->items, files->n, r->err);
	if (rc == HW_ECONFLICT) {
		r->err->code = HW_EEXISTS;
		hw_error_prefix(r->err, "form %s version %s is already published with other content: "
				"a published version never changes, publish it with a higher version",
				res->form_id, res->version);
		return HW_EEXISTS;
	}
	if (rc < 0)
		return rc;
	if (mtip[0] && strcmp(tree, base) == 0) {
		/* Exactly this version is there already. */
		res->published = 0;
		memcpy(res->main_tip, mtip, sizeof(mtip));
		return 0;
	}

	message = sync_fmt("Publish form %s version %s", res->form_id, res->version);
	email = sync_fmt("%s@devices.homeward.invalid", r->device);
	if (!message || !email) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	co.author_name = *ws_author(r->ws) ? ws_author(r->ws) : r->device;
	co.author_email = email;
	co.message = message;
	if (r->signed_mode) {
		/* Main is signed by a supervisor, commit by commit. */
		co.sign = sync_sign_commit;
		co.sign_payload = r;
	}
	if ((rc = repo_commit_create(commit, r->repo, MAIN_REF, tree, mtip[0] ? mtip : NULL, &co,
				     r->err)) < 0)
		goto cleanup;
	r->step = SYNC_STEP_PUSH;
	if ((rc = sync_report_progress(r, SYNC_STEP_PUSH, 1, 0, 0, NULL, 0)) < 0)
		goto cleanup;
	rc = repo_push(r->repo, r->remote, spec, 1, &r->ropts, r->err);
	if (rc == HW_EREJECTED && (strstr(r->err->msg, "non-fast-forward") ||
				   strstr(r->err->msg, "fetch first")))
		rc = REPO_ENONFASTFORWARD;
	if (rc < 0)
		goto cleanup;
	if ((rc = repo_ref_set(r->repo, SYNC_REMOTE_MAIN, commit, r->err)) < 0)
		goto cleanup;
	res->published = 1;
	memcpy(res->main_tip, commit, sizeof(commit));

cleanup:
	free(message);
	free(email);
	return rc;
}

int sync_publish_form(hw_ws *ws, const char *form_path, const sync_opts *opts,
		      sync_publish_result *out)
{
	sync_publish_result res;
	file_list files = { 0 };
	run r;
	int rc, attempt, max;

	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	hw_error_clear(ws_err(ws));
	/* Refused before anything is read or fetched: devices never publish. */
	if ((rc = sync_require_supervisor(ws, "publishing forms")) < 0)
		goto cleanup;
	rc = sync_run_open(&r, ws, opts);
	sync_note_locks(&r, &res.sync);
	if (rc < 0)
		goto cleanup;
	if ((rc = publish_prepare(&r, form_path, &files, &res)) < 0)
		goto cleanup;

	max = r.opts->max_retries > 0 ? r.opts->max_retries : 5;
	for (attempt = 0;; attempt++) {
		if ((rc = sync_step_fetch(&r, 0, 0)) < 0)
			goto cleanup;
		rc = publish_once(&r, &files, &res);
		if (rc != REPO_ENONFASTFORWARD || attempt >= max)
			break;
		/* Another supervisor pushed main first: add the form on top of theirs. */
		res.retries = attempt + 1;
		hw_error_clear(r.err);
	}
	if (rc == REPO_ENONFASTFORWARD) {
		r.err->code = rc = HW_ECONFLICT;
		hw_error_prefix(r.err, "main kept moving while publishing (%d attempts): try again later",
				attempt + 1);
	}
	if (rc < 0 || (rc = sync_stop_here(&r, SYNC_STEP_PUSH)) < 0)
		goto cleanup;
	/* This workspace installs the form like every device, by importing main. */
	rc = sync_step_import(&r, &res.sync);

cleanup:
	sync_list_free(&files);
	sync_run_close(&r);
	if (out)
		*out = res;
	return rc;
}
