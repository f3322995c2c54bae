/*
 * migrate.c: the format of the central repository.  The number in the file
 * SYNC_FORMAT_FILE at the root of main says how main is laid out (no file:
 * format 1); the case layout of each format; and `homeward migrate
 * repository`, which takes main from its format to the newest one this
 * program knows through an ordered list of steps, each from format N to
 * N+1, in one rewrite of main.  See docs/sync.md.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "sync_int.h"
#include "util.h"
#include "workspace.h"

/* Format 2: cases/a/b/c/<case id>/... (three levels of 16). */
static int step_fanout(migrate_ctx *m, const char *path, const char *blob, void *state);

/*
 * The steps, in order: steps[i] takes format i + 1 to i + 2.  A new step
 * goes at the end, with the next number.
 */
static const migrate_step steps[] = {
	{ 1, "case folders move from cases/<first 2 of id>/<case id>/ to "
	     "cases/<1st>/<2nd>/<3rd character of id>/<case id>/, so that a sync rewrites a few "
	     "small folders whatever the size of the archive",
	  NULL, step_fanout, NULL, NULL, NULL },
	{ 2, "every event and submission is sealed to its case's recipients (a case key wrapped "
	     "for each of them under the case's keys/ folder)",
	  sync_seal_migrate_begin, sync_seal_migrate_file, sync_seal_migrate_finish,
	  sync_seal_migrate_free, sync_seal_migrate_ready },
};

#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

int sync_format_current(void)
{
	return (int)NSTEPS + 1;
}

int sync_format_new(run *r)
{
	size_t i;

	for (i = 0; i < NSTEPS; i++)
		if (steps[i].ready && !steps[i].ready(r))
			return steps[i].from;
	return sync_format_current();
}

const char *sync_format_step(int from)
{
	size_t i;

	for (i = 0; i < NSTEPS; i++)
		if (steps[i].from == from)
			return steps[i].what;
	return NULL;
}

/* ---- the format file and the layouts ---- */

int sync_format_parse(const char *data, size_t len, int *format)
{
	size_t i;
	int n = 0;

	/* "N\n": digits, one newline, nothing else; at most 6 digits. */
	if (len < 2 || len > 7 || data[len - 1] != '\n' || data[0] == '0')
		return HW_EINVALID;
	for (i = 0; i + 1 < len; i++) {
		if (data[i] < '0' || data[i] > '9')
			return HW_EINVALID;
		n = n * 10 + (data[i] - '0');
	}
	*format = n;
	return 0;
}

int sync_format_of(run *r, const char *commit, int *format)
{
	char blob[REPO_OID_HEX + 1], *data = NULL;
	size_t len = 0;
	int rc;

	*format = sync_format_new(r);
	if (!commit || !*commit)
		return 0;
	rc = repo_file_get(blob, r->repo, commit, SYNC_FORMAT_FILE, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		*format = 1;
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((rc = repo_blob_size(&len, r->repo, blob, r->err)) < 0)
		return rc;
	if (len > 16)
		return hw_error_set(r->err, HW_ECORRUPT, "the file %s of commit %.12s is not a format "
				    "number", SYNC_FORMAT_FILE, commit);
	if ((rc = repo_blob_read(&data, &len, r->repo, blob, r->err)) < 0)
		return rc;
	if (sync_format_parse(data, len, format) < 0)
		rc = hw_error_set(r->err, HW_ECORRUPT, "the file %s of commit %.12s is not a format "
				  "number", SYNC_FORMAT_FILE, commit);
	free(data);
	return rc;
}

int sync_format_check(run *r, int format)
{
	if (format > sync_format_current())
		return hw_error_set(r->err, HW_EINVALID,
				    "the central repository is in format %d, newer than this program "
				    "knows (%d): update Homeward on this device", format,
				    sync_format_current());
	return 0;
}

int sync_format_file(repo_file *f, char buf[16], int format)
{
	snprintf(buf, 16, "%d\n", format);
	f->path = SYNC_FORMAT_FILE;
	f->data = buf;
	f->len = strlen(buf);
	f->blob = NULL;
	return 0;
}

char *sync_case_dir(int format, const char *case_id)
{
	if (!case_id || !hw_uuid_valid(case_id))
		return NULL;
	if (format <= 1)
		return sync_fmt("cases/%.2s/%s", case_id, case_id);
	return sync_fmt("cases/%c/%c/%c/%s", case_id[0], case_id[1], case_id[2], case_id);
}

const char *sync_case_layout(int format)
{
	return format <= 1 ? "cases/<first 2 of id>/<case id>/"
			   : "cases/<1st>/<2nd>/<3rd character of id>/<case id>/";
}

/* True if s[0..n) is a lower-case UUID. */
static int uuid_at(const char *s, size_t n)
{
	char id[HW_UUID_LEN + 1];

	if (n != HW_UUID_LEN)
		return 0;
	memcpy(id, s, n);
	id[n] = '\0';
	return hw_uuid_valid(id);
}

const char *sync_case_split(int format, const char *path, char case_id[HW_UUID_LEN + 1])
{
	const char *p, *id;
	size_t nshard = format <= 1 ? 1 : 3, i;

	if (strncmp(path, "cases/", 6) != 0)
		return NULL;
	p = path + 6;
	if (format <= 1) {
		/* cases/ab/<id>/ */
		if (strlen(p) < 3 || p[2] != '/')
			return NULL;
		id = p + 3;
	} else {
		/* cases/a/b/c/<id>/ */
		for (i = 0; i < nshard; i++)
			if (!p[2 * i] || p[2 * i + 1] != '/')
				return NULL;
		id = p + 2 * nshard;
	}
	if (strlen(id) < HW_UUID_LEN + 1 || id[HW_UUID_LEN] != '/' || !uuid_at(id, HW_UUID_LEN))
		return NULL;
	if (format <= 1 ? strncmp(p, id, 2) != 0
			: (p[0] != id[0] || p[2] != id[1] || p[4] != id[2]))
		return NULL;
	memcpy(case_id, id, HW_UUID_LEN);
	case_id[HW_UUID_LEN] = '\0';
	return id + HW_UUID_LEN + 1;
}

/* ---- migration ---- */

struct migrate_ctx {
	run *r;
	const migrate_step *steps;   /* the pending steps */
	size_t nsteps, stage;        /* stage: the step being fed */
	void **state;                /* each step's own state */
	file_list out;               /* what the last step emitted */
	size_t left_out;             /* entries of main that cannot be carried */
};

run *migrate_run(migrate_ctx *m)
{
	return m->r;
}

int migrate_read(migrate_ctx *m, const char *blob, char **data, size_t *len)
{
	return repo_blob_read(data, len, m->r->repo, blob, m->r->err);
}

/* Feed a file to the step at stage, or keep it when every step has seen it. */
static int feed(migrate_ctx *m, size_t stage, const char *path, const char *blob)
{
	const migrate_step *s;
	size_t saved = m->stage;
	int rc;

	if (stage >= m->nsteps) {
		char *p = hw_strdup(path), *b = hw_strdup(blob);

		if (!p || !b || sync_list_add(&m->out, p, NULL, 0, b) < 0) {
			if (!p || !b) {
				free(p);
				free(b);
			}
			return hw_error_set(m->r->err, HW_ERROR, "out of memory");
		}
		return 0;
	}
	s = &m->steps[stage];
	if (!s->file)
		return feed(m, stage + 1, path, blob);
	m->stage = stage;
	rc = s->file(m, path, blob, m->state[stage]);
	m->stage = saved;
	return rc;
}

int migrate_emit_blob(migrate_ctx *m, const char *path, const char *blob)
{
	return feed(m, m->stage + 1, path, blob);
}

int migrate_emit(migrate_ctx *m, const char *path, const void *data, size_t len)
{
	char blob[REPO_OID_HEX + 1];
	int rc;

	if ((rc = repo_blob_write(blob, m->r->repo, data, len, m->r->err)) < 0)
		return rc;
	return migrate_emit_blob(m, path, blob);
}

/* Every file of main goes through the first step (the format file excepted). */
static int migrate_collect(int kind, const char *path, const char *blob, void *payload)
{
	migrate_ctx *m = payload;

	if (kind == REPO_BAD_ENTRY) {
		m->left_out++;   /* a link, a gitlink or beyond the limits: never read */
		return 0;
	}
	if (strcmp(path, SYNC_FORMAT_FILE) == 0)
		return 0;
	return feed(m, 0, path, blob);
}

/* Format 1 to 2: the case folder moves from one level of 256 to three of 16. */
static int step_fanout(migrate_ctx *m, const char *path, const char *blob, void *state)
{
	char case_id[HW_UUID_LEN + 1], *dir, *moved;
	const char *rest = sync_case_split(1, path, case_id);
	int rc;

	(void)state;
	if (!rest)
		return migrate_emit_blob(m, path, blob);   /* not a case file: as it was */
	if (!(dir = sync_case_dir(2, case_id)) || !(moved = sync_fmt("%s/%s", dir, rest))) {
		free(dir);
		return hw_error_set(m->r->err, HW_ERROR, "out of memory");
	}
	rc = migrate_emit_blob(m, moved, blob);
	free(dir);
	free(moved);
	return rc;
}

/*
 * One attempt: rewrite main as fetched through the pending steps, commit
 * the result on top of it (unless dry) and push it.  REPO_ENONFASTFORWARD
 * when main moved on meanwhile.
 */
static int migrate_once(run *r, int dry, migrate_result *res)
{
	migrate_ctx m;
	char mtip[REPO_OID_HEX + 1] = "", tree[REPO_OID_HEX + 1], commit[REPO_OID_HEX + 1];
	char fbuf[16], *message = NULL, *email = NULL;
	repo_file ff;
	repo_commit_opts co = REPO_COMMIT_OPTS_INIT;
	const char *spec[1] = { MAIN_REF ":" MAIN_REF };
	hw_buf msg = { 0 };
	size_t i, first;
	int rc, from, bulk = 0;

	memset(&m, 0, sizeof(m));
	m.r = r;
	rc = repo_ref_get(mtip, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		/* Nothing to migrate: a new main starts in the newest format. */
		hw_error_clear(r->err);
		res->from = res->to = sync_format_new(r);
		return 0;
	}
	if (rc < 0)
		return rc;
	if ((rc = sync_format_of(r, mtip, &from)) < 0 || (rc = sync_format_check(r, from)) < 0)
		return rc;
	res->from = from;
	res->to = sync_format_current();
	memcpy(res->main_tip, mtip, sizeof(mtip));
	if (from == res->to)
		return 0;

	for (first = 0; first < NSTEPS && steps[first].from < from; first++)
		;
	m.steps = steps + first;
	m.nsteps = NSTEPS - first;
	/* A step this workspace cannot run yet (sealing needs the roster) waits, and those after it. */
	for (i = 0; i < m.nsteps; i++)
		if (m.steps[i].ready && !m.steps[i].ready(r))
			m.nsteps = i;
	res->to = from + (int)m.nsteps;
	if (from == res->to)
		return 0;
	if (!(m.state = calloc(m.nsteps, sizeof(*m.state)))) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < m.nsteps; i++) {
		m.stage = i;
		if (m.steps[i].begin && (rc = m.steps[i].begin(&m, &m.state[i])) < 0)
			goto cleanup;
	}
	/* Every new object of the rewrite goes into one pack. */
	if ((rc = repo_bulk_begin(r->repo, r->err)) < 0)
		goto cleanup;
	bulk = 1;
	rc = repo_diff(r->repo, NULL, mtip, migrate_collect, &m, r->err);
	if (rc > 0 || (rc < 0 && !r->err->code))
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
	if (rc < 0)
		goto cleanup;
	for (i = 0; i < m.nsteps; i++) {
		m.stage = i;
		if (m.steps[i].finish && (rc = m.steps[i].finish(&m, m.state[i])) < 0)
			goto cleanup;
	}
	res->files = m.out.n;
	res->left_out = m.left_out;
	sync_format_file(&ff, fbuf, res->to);
	if ((rc = repo_tree_add(tree, r->repo, NULL, m.out.items, m.out.n, r->err)) < 0 ||
	    (rc = repo_tree_add(tree, r->repo, tree, &ff, 1, r->err)) < 0) {
		hw_error_prefix(r->err, "building main in format %d", res->to);
		goto cleanup;
	}
	bulk = 0;
	if ((rc = repo_bulk_end(r->repo, 1, r->err)) < 0)
		goto cleanup;
	if (dry)
		goto cleanup;

	hw_buf_printf(&msg, "Migrate the repository from format %d to %d\n", from, res->to);
	for (i = 0; i < m.nsteps; i++)
		hw_buf_printf(&msg, "\n%d to %d: %s", m.steps[i].from, m.steps[i].from + 1,
			      m.steps[i].what);
	hw_buf_printf(&msg, "\n");
	email = sync_fmt("%s@devices.homeward.invalid", r->device);
	if (!email || hw_buf_oom(&msg)) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	co.author_name = *ws_author(r->ws) ? ws_author(r->ws) : r->device;
	co.author_email = email;
	co.message = msg.ptr;
	if (r->signed_mode) {
		/* main is signed by a supervisor, commit by commit. */
		co.sign = sync_sign_commit;
		co.sign_payload = r;
	}
	if ((rc = repo_commit_create(commit, r->repo, MAIN_REF, tree, mtip, &co, r->err)) < 0)
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
	res->migrated = 1;
	memcpy(res->main_tip, commit, sizeof(commit));

cleanup:
	if (bulk)
		repo_bulk_end(r->repo, 0, NULL);
	for (i = 0; m.state && i < m.nsteps; i++)
		if (m.steps[i].free)
			m.steps[i].free(m.state[i]);
	free(m.state);
	sync_list_free(&m.out);
	hw_buf_free(&msg);
	free(message);
	free(email);
	return rc;
}

int migrate_repository(hw_ws *ws, const sync_opts *opts, int dry_run, migrate_result *out)
{
	migrate_result res;
	run r;
	int rc, attempt, max;

	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	hw_error_clear(ws_err(ws));
	if ((rc = sync_require_supervisor(ws, "migrating the repository")) < 0)
		goto cleanup;
	if ((rc = sync_run_open(&r, ws, opts)) < 0)
		goto cleanup;
	max = r.opts->max_retries > 0 ? r.opts->max_retries : 5;
	for (attempt = 0;; attempt++) {
		if ((rc = sync_step_fetch(&r, 0, 0)) < 0)
			goto cleanup;
		rc = migrate_once(&r, dry_run, &res);
		if (rc != REPO_ENONFASTFORWARD || attempt >= max)
			break;
		/* Another supervisor pushed main first: migrate theirs. */
		res.retries = attempt + 1;
		hw_error_clear(r.err);
	}
	if (rc == REPO_ENONFASTFORWARD) {
		r.err->code = rc = HW_ECONFLICT;
		hw_error_prefix(r.err, "main kept moving while migrating (%d attempts): try again later",
				attempt + 1);
	}
	if (rc < 0 || dry_run || (rc = sync_stop_here(&r, SYNC_STEP_PUSH)) < 0)
		goto cleanup;
	/* This workspace follows main like every device: its branch moves, then it imports. */
	if ((rc = sync_step_follow(&r, &res.sync)) < 0)
		goto cleanup;
	rc = sync_step_import(&r, &res.sync);

cleanup:
	sync_run_close(&r);
	if (out)
		*out = res;
	return rc;
}
