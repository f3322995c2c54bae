/*
 * sync.c: device sync, on top of the repository module and the store, and
 * the run machinery it shares with supervisor merge (merge.c) and form
 * publishing (publish.c), declared in sync_int.h.
 *
 * Restartability rests on three facts.  A commit of pending items and the
 * change of their state to STORE_COMMITTED happen in one database
 * transaction; if the program dies after git wrote the commit but before
 * the transaction, the next run finds every file already in the branch,
 * makes no new commit and only records the state.  Items become
 * STORE_PUSHED only after the remote accepted the branch, and pushing an
 * unchanged branch again is harmless.  Importing is idempotent by id and
 * the last imported commit of main is recorded in the transaction that
 * imports its files.
 */
#include "config.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "envelope.h"
#include "event.h"
#include "forms.h"
#include "sync/repo.h"
#include "store.h"
#include "sync/sync.h"
#include "sync_int.h"
#include "team.h"
#include "util.h"
#include "workspace.h"
#include "xform/xform.h"

/*
 * Files imported per transaction.  Case ids are random, so a batch writes
 * about one page of each index per case until batches are large enough
 * for cases to share pages: at 100,000 cases, batches of 500 spent a third
 * of an import writing and checkpointing pages.
 */
#define IMPORT_BATCH 5000
#define IMPORT_PROGRESS 500                 /* files between two progress reports */
#define IMPORT_PAGE_CACHE_KIB 8192          /* the database's page cache while importing */

/* Keep s to be freed with the list; returns s (NULL on failure, s freed). */
static char *list_own(file_list *l, char *s)
{
	if (!s)
		return NULL;
	if (l->nowned == l->capowned) {
		size_t cap = l->capowned ? l->capowned * 2 : 32;
		char **grown = realloc(l->owned, cap * sizeof(*grown));

		if (!grown) {
			free(s);
			return NULL;
		}
		l->owned = grown;
		l->capowned = cap;
	}
	l->owned[l->nowned++] = s;
	return s;
}

/* Append a file (path and content or blob are taken over by the list). */
int sync_list_add(file_list *l, char *path, char *data, size_t len, char *blob)
{
	repo_file *f;

	if (!list_own(l, path) || (data && !list_own(l, data)) || (blob && !list_own(l, blob)))
		return HW_ERROR;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		repo_file *grown = realloc(l->items, cap * sizeof(*grown));

		if (!grown)
			return HW_ERROR;
		l->items = grown;
		l->cap = cap;
	}
	f = &l->items[l->n++];
	f->path = path;
	f->data = data;
	f->len = len;
	f->blob = blob;
	return 0;
}

/* Free a file list's contents. */
void sync_list_free(file_list *l)
{
	size_t i;

	for (i = 0; i < l->nowned; i++)
		free(l->owned[i]);
	free(l->owned);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* A new string of printf output (NULL when out of memory). */
char *sync_fmt(const char *f, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* Tell the front end; a non-zero answer cancels the run. */
int sync_report_progress(run *r, int step, int starting, size_t current, size_t total,
			 const char *text, size_t text_len)
{
	sync_progress p = { step, starting, current, total, text, text_len };

	if (r->opts->progress && r->opts->progress(&p, r->opts->payload) != 0)
		return hw_error_set(r->err, HW_ERROR, "cancelled");
	return 0;
}

/* Transfer progress from the repository module, passed on as the current step. */
static int on_transfer(const repo_progress *p, void *payload)
{
	run *r = payload;
	sync_progress sp = { r->step, 0, p->current, p->total, NULL, 0 };

	if (p->stage == REPO_PROGRESS_MESSAGE) {
		sp.step = SYNC_STEP_MESSAGE;
		sp.text = p->message;
		sp.text_len = p->message_len;
		sp.current = sp.total = 0;
	}
	return r->opts->progress ? r->opts->progress(&sp, r->opts->payload) : 0;
}

/* Copy src into a fixed buffer; 0 when it fits. */
static int copy_str(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

int sync_credentials_default(repo_cred *out, const char *url, const char *user,
			     unsigned allowed, int attempt, void *payload)
{
	static const sync_secrets none = SYNC_SECRETS_INIT;
	const sync_secrets *sec = payload ? payload : &none;

	(void)url;
	if (allowed & REPO_CRED_USERPASS) {
		const char *name = sec->username;
		const char *token = sec->token;

		/* A token refused once will be refused again: give up. */
		if (attempt > 1 || !token || !*token)
			return -1;
		out->kind = REPO_CRED_USERPASS;
		if (copy_str(out->username, sizeof(out->username),
			     name && *name ? name : user ? user : "git") < 0 ||
		    copy_str(out->secret, sizeof(out->secret), token) < 0)
			return -1;
		return 0;
	}
	if (allowed & REPO_CRED_SSH_KEY) {
		const char *key = sec->ssh_key;
		const char *home = sec->home;
		const char *pass = sec->ssh_passphrase;
		int agent_first = sec->ssh_agent && !(key && *key);

		if (user)
			copy_str(out->username, sizeof(out->username), user);
		/*
		 * A key named by the user is the one to use; else the agent, but
		 * only when one runs: libgit2 fails outright, without asking again,
		 * when there is no agent to ask.
		 */
		if (attempt == 1 && agent_first) {
			out->kind = REPO_CRED_SSH_AGENT;
			return 0;
		}
		if (attempt > 1 + agent_first)
			return -1;
		out->kind = REPO_CRED_SSH_KEY;
		if (key && *key) {
			if (copy_str(out->private_key, sizeof(out->private_key), key) < 0)
				return -1;
		} else if (!home || snprintf(out->private_key, sizeof(out->private_key),
					     "%s/.ssh/id_ed25519", home) >= (int)sizeof(out->private_key)) {
			return -1;
		}
		if (pass)
			copy_str(out->secret, sizeof(out->secret), pass);
		return 0;
	}
	return -1;
}

/* Credentials asked by the repository module: the front end's, else the default. */
static int on_credentials(repo_cred *out, const char *url, const char *user, unsigned allowed,
			  int attempt, void *payload)
{
	run *r = payload;
	const char *given = r->opts->secrets ? r->opts->secrets->token : NULL;

	/* The workspace's stored token first, once, unless one was given for this run. */
	if ((allowed & REPO_CRED_USERPASS) && attempt == 1 && !(given && *given) &&
	    ws_credentials_load(r->ws, out->username, sizeof(out->username), out->secret,
				sizeof(out->secret)) == 0) {
		out->kind = REPO_CRED_USERPASS;
		return 0;
	}
	if (!r->opts->credentials)
		return sync_credentials_default(out, url, user, allowed, attempt,
						(void *)r->opts->secrets);
	return r->opts->credentials(out, url, user, allowed, attempt, r->opts->payload);
}

/* The test hook: behave as if the run had been cut right after step. */
int sync_stop_here(run *r, int step)
{
	if (r->opts->stop_after == step)
		return hw_error_set(r->err, HW_ERROR, "stopped after step %d (testing)", step);
	return 0;
}

/* True if id can name a branch: letters, digits, '.', '_', '-', not starting with '.'. */
int sync_device_id_ok(const char *id)
{
	const char *p;

	if (!*id || *id == '.' || strlen(id) > 200 || strstr(id, ".."))
		return 0;
	for (p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return p[-1] != '.';
}

/* The folder of a folder remote (a path or file://), or NULL for a network one. */
static const char *folder_of(const char *remote)
{
	if (remote[0] == '/' || !strncmp(remote, "./", 2) || !strncmp(remote, "../", 3))
		return remote;
	if (!strncmp(remote, "file://", 7))
		return remote + 7;
	return NULL;
}

/*
 * A remote that is a folder (a USB stick, a shared drive) and is not
 * there: HW_ENOTFOUND naming the folder, instead of what libgit2 says about
 * a path it cannot open ("unsupported URL protocol").  One that holds a
 * FIFO or a device where git reads: HW_ECORRUPT naming it, instead of a
 * sync that waits for ever (repo_folder_check).
 */
static int check_folder_remote(run *r)
{
	const char *path = folder_of(r->remote);
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return repo_folder_check(path, r->err);
	return hw_error_set(r->err, HW_ENOTFOUND, "the folder %s does not exist", path);
}

/* The members of the team's roster, for sealing (a seal_roster_fn; roster is the run). */
static int run_roster(void *roster, int (*cb)(const seal_member *m, void *payload), void *payload)
{
	run *r = roster;
	size_t i;
	int rc = 0;

	for (i = 0; r->roster && i < r->roster->n && rc == 0; i++) {
		const team_member *t = &r->roster->members[i];
		seal_member m;

		if (t->removed)
			continue;
		m.device = t->device;
		m.role = t->role;
		m.organisation = t->org;
		m.box_public = t->box_pk;
		rc = cb(&m, payload);
	}
	return rc;
}

/* Prepare a run: the remote, the device id and the repository. */
int sync_run_open(run *r, hw_ws *ws, const sync_opts *opts)
{
	static const sync_opts defaults = SYNC_OPTS_INIT;
	repo_remote_opts ro = REPO_REMOTE_OPTS_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
	r->main_peeked = -1;
	r->ws = ws;
	r->st = ws_store(ws);
	r->err = ws_err(ws);
	r->opts = opts ? opts : &defaults;
	hw_error_clear(r->err);

	r->device = ws_device_id(ws);
	if (!r->device || !*r->device)
		return hw_error_set(r->err, HW_EINVALID,
				    "this workspace has no device id yet: run `homeward init` first");
	if (!sync_device_id_ok(r->device))
		return hw_error_set(r->err, HW_EINVALID,
				    "the device id \"%s\" cannot name a branch: use letters, digits, '.', '_' and '-'",
				    r->device);
	if (r->opts->remote && *r->opts->remote) {
		r->remote = hw_strdup(r->opts->remote);
	} else {
		rc = ws_get(ws, WS_REMOTE, &r->remote);
		if (rc == HW_ENOTFOUND || (rc == 0 && (!r->remote || !*r->remote)))
			return hw_error_set(r->err, HW_EINVALID,
					    "no remote configured: set one with `homeward config set %s URL`",
					    WS_REMOTE);
		if (rc < 0)
			return rc;
	}
	if (!r->remote)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	if ((rc = check_folder_remote(r)) < 0)
		return rc;
	snprintf(r->device_ref, sizeof(r->device_ref), "%s%s", DEVICE_REF_PREFIX, r->device);
	snprintf(r->tracking_ref, sizeof(r->tracking_ref), "%s%s", SYNC_REMOTE_DEVICES, r->device);

	/*
	 * One run at a time on a workspace; holding the lock, whatever lock
	 * files repo.git holds were left by a run that died.
	 */
	if ((rc = sync_lock_take(r)) < 0)
		return rc;
	sync_clear_stale_locks(r);

	/*
	 * A workspace of a team (device keys and a pinned trust root: the
	 * program syncs no other) signs what it writes and checks what it reads
	 * against its team's roster, with its keys unlocked.  Without them
	 * (workspaces made through the library alone), or with a roster of the
	 * caller's own (opts->roster: tests of sealing), no signature is checked.
	 */
	if (sync_team_mode(ws) && !r->opts->roster) {
		r->signed_mode = 1;
		if (!ws_keys(ws))
			return hw_error_set(r->err, HW_EINVALID,
					    "the device keys are locked: unlock them with the passphrase first");
		if ((rc = sync_roster(r)) < 0)
			return rc;
	}

	/*
	 * Sealing needs this device's keys and a roster to know the
	 * recipients; without them nothing is sealed (see docs/security.md).
	 * A team's workspace seals for the members of its own roster.
	 */
	if ((rc = sync_sealer_new(&r->sealer, r, r->opts->roster ? r->opts->roster
						 : r->signed_mode ? run_roster : NULL,
				  r->opts->roster ? r->opts->roster_payload : r)) < 0)
		return rc;

	rc = ws_get(ws, WS_CA_FILE, &r->ca_file);
	if (rc < 0 && rc != HW_ENOTFOUND)
		return rc;
	hw_error_clear(r->err);
	ro.progress = on_transfer;
	ro.credentials = on_credentials;
	ro.ca_file = r->ca_file && *r->ca_file ? r->ca_file : NULL;
	ro.timeout = (unsigned)ws_sync_timeout(ws);
	ro.payload = r;
	ro.auth = r->opts->auth;
	if (ro.auth)
		memset(ro.auth, 0, sizeof(*ro.auth));
	r->ropts = ro;
	return repo_open(&r->repo, ws_repo_dir(ws), 1, r->err);
}

int sync_team_mode(hw_ws *ws)
{
	unsigned char root[KEYS_SIGN_PUBLIC];

	if (!ws_has_keys(ws) || team_root(ws, root) < 0) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	return 1;
}

/* Roster files of main, read into memory (see sync_refresh_roster). */
typedef struct roster_take {
	run *r;
	team_file *files;
	size_t n, cap;
} roster_take;

static int take_roster_file(const char *path, const char *blob, void *payload)
{
	roster_take *t = payload;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!team_path_ok(path))
		return 0;
	if ((rc = repo_blob_size(&len, t->r->repo, blob, t->r->err)) < 0)
		return rc;
	if (len > TEAM_ENTRY_MAX)
		return 0;   /* never an entry: not read, and the import reports it */
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		team_file *g = realloc(t->files, cap * sizeof(*g));

		if (!g)
			return hw_error_set(t->r->err, HW_ERROR, "out of memory");
		t->files = g;
		t->cap = cap;
	}
	if ((rc = repo_blob_read(&data, &len, t->r->repo, blob, t->r->err)) < 0)
		return rc;
	if (!(t->files[t->n].path = hw_strdup(path))) {
		free(data);
		return hw_error_set(t->r->err, HW_ERROR, "out of memory");
	}
	t->files[t->n].data = data;
	t->files[t->n].len = len;
	t->n++;
	return 0;
}

/*
 * HW_EINVALID when main's roster is another team's: it has entries and
 * this team's trust root vouches for none of them (a wrong sync.remote, a
 * swapped USB stick).  Checked before anything is kept or sent.
 */
static int check_same_team(run *r, const team_file *files, size_t n)
{
	unsigned char root[KEYS_SIGN_PUBLIC];
	team_roster *main_roster = NULL;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = team_root(r->ws, root)) < 0 ||
	    (rc = team_roster_build(&main_roster, root, files, n, r->err)) < 0)
		return rc;
	if (main_roster->n == 0 && main_roster->untrusted > 0)
		rc = hw_error_set(r->err, HW_EINVALID,
				  "the central repository %s belongs to another team: no entry of its team "
				  "roster is signed by this team's trust root (homeward team fingerprint). "
				  "Nothing was received or sent; check the setting sync.remote",
				  r->remote ? r->remote : "");
	team_roster_free(main_roster);
	return rc;
}

int sync_refresh_roster(run *r, int devices)
{
	char tip[REPO_OID_HEX + 1];
	roster_take t = { r, NULL, 0, 0 };
	size_t i;
	int rc, own;

	/*
	 * A device that never committed takes its branch's remote copy along
	 * (sync_send_pending).  A merge takes every device branch in the same
	 * fetch: what follows here reads main only, and the branches are
	 * checked against the roster only once it is kept (merge.c).
	 */
	own = repo_ref_get(tip, r->repo, r->device_ref, r->err) == HW_ENOTFOUND;
	hw_error_clear(r->err);
	if ((rc = sync_step_fetch(r, devices, own)) < 0)
		return rc;
	rc = repo_ref_get(tip, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		return 0;
	}
	/* Entries are signed: each one counts only when the root or a supervisor signed it. */
	if (rc < 0 || (rc = repo_folder_files(r->repo, tip, "team", TEAM_MAX_ENTRIES, take_roster_file,
					      &t, r->err)) < 0 ||
	    (rc = check_same_team(r, t.files, t.n)) < 0)
		goto cleanup;
	for (i = 0; i < t.n && rc == 0; i++) {
		rc = team_file_store(r->ws, t.files[i].path, t.files[i].data, t.files[i].len);
		if (rc == HW_EINVALID || rc == HW_ECONFLICT) {
			hw_error_clear(r->err);
			rc = 0;   /* reported by the import */
		}
	}
	if (rc == 0)
		rc = sync_roster(r);
cleanup:
	team_files_free(t.files, t.n);
	return rc;
}

int sync_roster(run *r)
{
	team_roster *fresh = NULL;
	int rc = team_load(r->ws, &fresh);

	if (rc < 0)
		return rc;
	team_roster_free(r->roster);
	r->roster = fresh;
	return 0;
}

int sync_sign_commit(char **out, const char *data, size_t len, void *payload)
{
	run *r = payload;

	return team_commit_sign(r->ws, data, len, out);
}

/* Whose roll-up begins: the run, and the folder of the central repository (NULL: repo.git). */
typedef struct tidy_ctx {
	run *r;
	const char *folder;
} tidy_ctx;

/* A roll-up begins: a line for the front end (it cannot cancel housekeeping). */
static void rollup_starting(size_t objects, void *payload)
{
	tidy_ctx *t = payload;
	sync_progress p = { SYNC_STEP_TIDY, 1, 0, objects, t->folder,
			    t->folder ? strlen(t->folder) : 0 };

	if (t->r->opts->progress)
		(void)t->r->opts->progress(&p, t->r->opts->payload);
}

/*
 * The small packs of repo.git rolled into one (repo_rollup), and those of
 * a central repository in a folder.  A server's git runs `gc --auto` after
 * every push it receives; libgit2's folder transport runs nothing, so a
 * USB stick or a shared drive gathered a pack for every push of every
 * device, and each fetch from it opened them all.  Rolling a repository
 * others may be reading up is safe as git's own is: the new pack is
 * written and synced before an old one goes, and a reader that misses an
 * object in a removed pack lists the packs again (git and libgit2 both).
 * Two devices rolling the same folder at once at worst leave two packs of
 * the same objects, or one of them fails before removing anything.
 * Temporary packs a cut push or roll-up left there go once a day old.
 * Housekeeping: a failure is noted in res, not returned; the next run
 * tries again.
 */
static void sync_rollup(run *r, sync_result *res)
{
	hw_error e = { 0, "" };
	tidy_ctx t = { r, NULL };
	hw_repo *central = NULL;
	size_t loose;

	if (repo_rollup(r->repo, &res->packs_rolled, &loose, rollup_starting, &t, &e) < 0)
		sync_copy_cut(res->rollup_problem, sizeof(res->rollup_problem), e.msg);
	if (!(t.folder = folder_of(r->remote)))
		return;
	hw_error_clear(&e);
	if (repo_open(&central, t.folder, 0, &e) < 0 ||
	    repo_rollup(central, &res->central_packs_rolled, &loose, rollup_starting, &t, &e) < 0)
		sync_copy_cut(res->central_rollup_problem, sizeof(res->central_rollup_problem), e.msg);
	repo_free(central);
	res->central_temp_removed = repo_remove_temp_packs(t.folder, REPO_TEMP_PACK_AGE);
}

int sync_finished(run *r, sync_result *res)
{
	char now[HW_TIME_LEN + 1];
	int rc;

	/* For homeward doctor: when this workspace last synced all the way. */
	hw_now_iso(now);
	if ((rc = store_setting_set(r->st, SYNC_LAST_OK, now, r->err)) == 0)
		sync_rollup(r, res);
	return rc;
}

/* Release what a run holds. */
void sync_run_close(run *r)
{
	sync_sealer_free(r->sealer);
	r->sealer = NULL;
	repo_free(r->repo);
	free(r->remote);
	free(r->ca_file);
	sync_lock_release(r);
	team_roster_free(r->roster);
	sync_pruned_free(r->pruned, r->npruned);
	r->repo = NULL;
	r->remote = NULL;
	r->ca_file = NULL;
	r->roster = NULL;
	r->pruned = NULL;
	r->npruned = 0;
}

/*
 * Add one pending item to the commit as <case folder>/<folder>/<id><ext>;
 * *count counts what was added.
 */
static int collect_item(file_list *l, const char *id, const char *case_id, const char *content,
			size_t len, const char *folder, const char *ext, size_t *count)
{
	char *dir = sync_case_dir(l->format, case_id), *path, *data;
	int rc;

	if (!dir)
		return HW_EINVALID;
	path = sync_fmt("%s/%s/%s%s", dir, folder, id, ext);
	free(dir);
	data = malloc(len + 1);
	if (!path || !data) {
		free(path);
		free(data);
		return HW_ERROR;
	}
	memcpy(data, content, len);
	data[len] = '\0';
	if ((rc = sync_list_add(l, path, data, len, NULL)) == 0)
		(*count)++;
	return rc;
}

/* Collect a pending event as a file of the commit. */
static int collect_event(const char *id, const char *case_id, const char *content, size_t len,
			 void *payload)
{
	file_list *l = payload;

	return collect_item(l, id, case_id, content, len, "events", ".json", &l->nevents);
}

/* Collect a pending submission as a file of the commit. */
static int collect_submission(const char *id, const char *case_id, const char *content,
			      size_t len, void *payload)
{
	file_list *l = payload;

	return collect_item(l, id, case_id, content, len, "submissions", ".xml", &l->nsubmissions);
}

/*
 * The end of the commit that starts at item start: at most per items,
 * unless one case alone has more; a case's files are never split (they
 * are next to each other, as sealing leaves them).
 */
static size_t commit_end(const file_list *l, size_t start, size_t per)
{
	char id[HW_UUID_LEN + 1], prev[HW_UUID_LEN + 1] = "";
	size_t i, cut = start;

	for (i = start; i < l->n; i++) {
		if (!sync_case_split(l->format, l->items[i].path, id))
			id[0] = '\0';
		if (i > start && strcmp(id, prev) != 0)
			cut = i;   /* a case begins at i */
		if (i - start >= per) {
			if (cut > start)
				return cut;
			/* One case alone has more than per files: all of it. */
			for (; i < l->n; i++) {
				if (!sync_case_split(l->format, l->items[i].path, id))
					id[0] = '\0';
				if (strcmp(id, prev) != 0)
					break;
			}
			return i;
		}
		memcpy(prev, id, sizeof(prev));
	}
	return i;
}

/* The events and submissions among items start..end of l. */
static void count_kinds(const file_list *l, size_t start, size_t end, size_t *events,
			size_t *submissions)
{
	char id[HW_UUID_LEN + 1];
	const char *rest;
	size_t i;

	for (i = start; i < end; i++) {
		if (!(rest = sync_case_split(l->format, l->items[i].path, id)))
			continue;
		if (strncmp(rest, "events/", 7) == 0)
			(*events)++;
		else if (strncmp(rest, "submissions/", 12) == 0)
			(*submissions)++;
	}
}

/*
 * Step (a): pending items become commits on the device branch, and are
 * marked STORE_COMMITTED with the new tip recorded, in one transaction.
 */
static int step_commit(run *r)
{
	file_list files = { 0 };
	char parent[REPO_OID_HEX + 1] = "", tip[REPO_OID_HEX + 1];
	char *message = NULL, *email = NULL, *format_text = NULL;
	repo_commit_opts co = REPO_COMMIT_OPTS_INIT;
	int rc, created = 0, in_tx = 0;

	r->step = SYNC_STEP_COMMIT;
	/* IMMEDIATE: nothing can be added between reading and marking. */
	if ((rc = store_begin(r->st, r->err)) < 0)
		return rc;
	in_tx = 1;

	/* The branch goes on from its tip; a new branch starts from central main. */
	rc = repo_ref_get(parent, r->repo, r->device_ref, r->err);
	if (rc == HW_ENOTFOUND)
		rc = repo_ref_get(parent, r->repo, r->tracking_ref, r->err);
	if (rc == HW_ENOTFOUND)
		rc = repo_ref_get(parent, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		parent[0] = '\0';
		rc = 0;
		hw_error_clear(r->err);
	}
	if (rc < 0)
		goto cleanup;
	/* The branch keeps the layout of the main it started from. */
	if ((rc = sync_format_of(r, parent, &files.format)) < 0 ||
	    (rc = sync_format_check(r, files.format)) < 0)
		goto cleanup;

	rc = store_events_with_state(r->st, STORE_LOCAL, collect_event, &files, r->err);
	if (rc == 0)
		rc = store_submissions_with_state(r->st, STORE_LOCAL, collect_submission, &files, r->err);
	if (rc != 0) {
		if (rc > 0 || !r->err->code)
			rc = hw_error_set(r->err, rc == HW_EINVALID ? HW_ECORRUPT : HW_ERROR,
					  "reading pending items: an item has a malformed case id or memory ran out");
		goto cleanup;
	}
	if (files.n == 0)
		goto done;
	if ((rc = sync_report_progress(r, SYNC_STEP_COMMIT, 1, files.n, files.n, NULL, 0)) < 0)
		goto cleanup;
	/* A branch with no main to start from says its format itself. */
	if (!parent[0] && (format_text = sync_fmt("%d\n", files.format)) != NULL)
		rc = sync_list_add(&files, hw_strdup(SYNC_FORMAT_FILE), format_text,
				   strlen(format_text), NULL);
	if (!parent[0] && (!format_text || rc < 0)) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}

	if (sync_sealer_active(r->sealer)) {
		file_list sealed = { 0 };

		if ((rc = sync_seal_commit(r->sealer, parent, &files, &sealed)) < 0) {
			sync_list_free(&sealed);
			goto cleanup;
		}
		sync_list_free(&files);
		files = sealed;
		r->keys_wrapped = files.nkeys;
		r->keys_made = files.rotations;
	}
	email = sync_fmt("%s@devices.homeward.invalid", r->device);
	if (!email) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	/* Sealed, the host learns no person's name from the commit either. */
	co.author_name = *ws_author(r->ws) && !sync_sealer_active(r->sealer) ? ws_author(r->ws)
									     : r->device;
	co.author_email = email;
	/*
	 * In commits of at most per files, whole cases each, so that no commit
	 * comes near the files a merge takes from one commit
	 * (SYNC_MAX_COMMIT_FILES): sealed, every case adds a wrap file per
	 * recipient besides its events.
	 */
	{
		size_t per = r->opts->commit_files ? r->opts->commit_files : SYNC_COMMIT_FILES;
		size_t start = 0, end, parts = 0, part = 0;

		for (start = 0; start < files.n; start = end, parts++)
			end = commit_end(&files, start, per);
		memcpy(tip, parent, sizeof(tip));
		for (start = 0; start < files.n; start = end) {
			size_t nev = 0, nsub = 0;
			char at[REPO_OID_HEX + 1];

			end = commit_end(&files, start, per);
			count_kinds(&files, start, end, &nev, &nsub);
			free(message);
			part++;
			message = parts > 1
				? sync_fmt("%s: %zu event%s, %zu submission%s (part %zu of %zu)", r->device,
					   nev, nev == 1 ? "" : "s", nsub, nsub == 1 ? "" : "s", part, parts)
				: sync_fmt("%s: %zu event%s, %zu submission%s", r->device,
					   nev, nev == 1 ? "" : "s", nsub, nsub == 1 ? "" : "s");
			if (!message) {
				rc = hw_error_set(r->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			co.message = message;
			memcpy(at, tip, sizeof(at));
			rc = repo_commit_files(tip, &created, r->repo, r->device_ref, at[0] ? at : NULL,
					       files.items + start, end - start, &co, r->err);
			if (rc < 0) {
				hw_error_prefix(r->err, "committing to %s", r->device_ref);
				goto cleanup;
			}
		}
	}
	/*
	 * Not created: an earlier run committed these files and was cut before
	 * recording it.  Make sure the branch points where they are.
	 */
	if (!created && (rc = repo_ref_set(r->repo, r->device_ref, tip, r->err)) < 0)
		goto cleanup;
	if ((rc = store_events_set_state(r->st, STORE_LOCAL, STORE_COMMITTED, r->err)) < 0 ||
	    (rc = store_submissions_set_state(r->st, STORE_LOCAL, STORE_COMMITTED, r->err)) < 0 ||
	    (rc = store_setting_set(r->st, SYNC_DEVICE_TIP, tip, r->err)) < 0)
		goto cleanup;

done:
	rc = store_commit(r->st, r->err);
	in_tx = 0;
cleanup:
	if (in_tx)
		store_rollback(r->st);
	free(message);
	free(email);
	sync_list_free(&files);
	return rc;
}

/* Counts items of a state. */
static int count_item(const char *id, const char *case_id, const char *content, size_t len,
		      void *payload)
{
	(*(size_t *)payload)++;
	return 0;
}

/*
 * Step (b): push the device branch; once the remote has it, what it holds
 * becomes STORE_PUSHED.
 */
static int step_push(run *r, sync_result *res)
{
	char tip[REPO_OID_HEX + 1], old[REPO_OID_HEX + 1], spec[700];
	const char *specs[1] = { spec };
	char *recorded = NULL;
	size_t nev = 0, nsub = 0;
	int rc, force = 0;

	r->step = SYNC_STEP_PUSH;
	rc = repo_ref_get(tip, r->repo, r->device_ref, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		return 0;   /* nothing was ever committed here */
	}
	if (rc < 0)
		return rc;
	memcpy(res->device_tip, tip, sizeof(tip));
	if ((rc = sync_report_progress(r, SYNC_STEP_PUSH, 1, 0, 0, NULL, 0)) < 0)
		return rc;
	/*
	 * A branch moved to a new format of main (sync_step_follow) replaces its
	 * old self on the remote: known by the remote's copy being in another
	 * format, so a run cut before this push still forces the next one.
	 */
	if (repo_ref_get(old, r->repo, r->tracking_ref, r->err) == 0) {
		int was, now;

		if ((rc = sync_format_of(r, old, &was)) < 0 || (rc = sync_format_of(r, tip, &now)) < 0)
			return rc;
		force = was != now;
	}
	hw_error_clear(r->err);
	snprintf(spec, sizeof(spec), "%s%s:%s", force ? "+" : "", r->device_ref, r->device_ref);
	rc = repo_push_peek(r->repo, r->remote, specs, 1, &r->ropts, MAIN_REF, r->main_peek,
			    &r->main_peeked, r->err);
	if (rc == REPO_ENONFASTFORWARD) {
		r->err->code = HW_ECONFLICT;
		hw_error_prefix(r->err, "the remote's branch devices/%s has commits this workspace "
				"does not have: is the device id \"%s\" used by another workspace?",
				r->device, r->device);
		return HW_ECONFLICT;
	}
	if (rc < 0)
		return rc;
	/* The remote has tip now: remember it as the remote's view too. */
	if ((rc = repo_ref_set(r->repo, r->tracking_ref, tip, r->err)) < 0)
		return rc;

	if ((rc = store_begin(r->st, r->err)) < 0)
		return rc;
	rc = store_setting_get(r->st, SYNC_DEVICE_TIP, &recorded, r->err);
	if (rc == 0 && strcmp(recorded, tip) == 0) {
		if ((rc = store_events_with_state(r->st, STORE_COMMITTED, count_item, &nev, r->err)) < 0 ||
		    (rc = store_submissions_with_state(r->st, STORE_COMMITTED, count_item, &nsub, r->err)) < 0 ||
		    (rc = store_events_set_state(r->st, STORE_COMMITTED, STORE_PUSHED, r->err)) < 0 ||
		    (rc = store_submissions_set_state(r->st, STORE_COMMITTED, STORE_PUSHED, r->err)) < 0)
			goto fail;
	} else if (rc == HW_ENOTFOUND) {
		rc = 0;
		hw_error_clear(r->err);
	} else if (rc < 0) {
		goto fail;
	}
	free(recorded);
	if ((rc = store_commit(r->st, r->err)) < 0)
		return rc;
	res->events_sent += nev;
	res->submissions_sent += nsub;
	return 0;
fail:
	free(recorded);
	store_rollback(r->st);
	return rc;
}

/* What the search for a file over the size limit shares. */
typedef struct big_search {
	hw_repo *remote;
	char ref[400];                   /* the branch that holds it ("" while none) */
	char commit[REPO_OID_HEX + 1];   /* the commit that added it */
	char parent[REPO_OID_HEX + 1];   /* its first parent ("" for none) */
	char path[REPO_MAX_PATH + 1];
	size_t size;
} big_search;

static int big_file_cb(int kind, const char *path, const char *blob, void *payload)
{
	big_search *b = payload;
	hw_error err;
	size_t size;

	if (kind != REPO_ADDED && kind != REPO_MODIFIED)
		return 0;
	if (repo_blob_size(&size, b->remote, blob, &err) < 0 || size <= REPO_MAX_FILE_SIZE)
		return 0;
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->size = size;
	return 1;
}

static int big_commit_cb(const char *commit, const char *parent, unsigned nparents, void *payload)
{
	big_search *b = payload;
	hw_error err;

	(void)nparents;
	if (repo_diff(b->remote, parent, commit, big_file_cb, b, &err) != 1)
		return 0;
	snprintf(b->commit, sizeof(b->commit), "%s", commit);
	snprintf(b->parent, sizeof(b->parent), "%s", parent ? parent : "");
	return 1;
}

/* Each branch of the remote: its commits this repository lacks, for a file over the limit. */
static int big_ref_cb(const char *refname, const char *commit, void *payload)
{
	big_search *b = ((void **)payload)[0];
	run *r = ((void **)payload)[1];
	char local[REPO_OID_HEX + 1], tracking[400];
	hw_error err;

	if (strcmp(refname, MAIN_REF) == 0)
		snprintf(tracking, sizeof(tracking), "%s", SYNC_REMOTE_MAIN);
	else if (!strncmp(refname, DEVICE_REF_PREFIX, strlen(DEVICE_REF_PREFIX)))
		snprintf(tracking, sizeof(tracking), "%s%s", SYNC_REMOTE_DEVICES,
			 refname + strlen(DEVICE_REF_PREFIX));
	else
		tracking[0] = '\0';
	if (!tracking[0] || repo_ref_get(local, r->repo, tracking, &err) < 0)
		local[0] = '\0';
	snprintf(b->ref, sizeof(b->ref), "%s", refname);
	/* What this side has is no longer to send; a tip the remote lost hides nothing. */
	if (repo_walk(b->remote, commit, local[0] ? local : NULL, REPO_MAX_WALK, big_commit_cb, b,
		      &err) == 1 ||
	    (local[0] && repo_walk(b->remote, commit, NULL, REPO_MAX_WALK, big_commit_cb, b, &err) == 1))
		return 1;
	b->ref[0] = '\0';
	return 0;
}

/*
 * A fetch from a folder remote failed on this side (out of memory).
 * libgit2 1.5's folder transport packs what every branch of the remote
 * holds, whatever was asked, and reads each file whole to do it: one file
 * far bigger than memory on a branch can stop every merge.
 * Look in the folder for a file over the size limit on what this side
 * lacks, and say which branch holds it and how to take it off.  The first
 * error stands when none is found.
 */
static void name_big_file(run *r)
{
	const char *folder = folder_of(r->remote);
	big_search b;
	void *both[2] = { &b, r };
	char shown[1024];
	hw_error err;

	memset(&b, 0, sizeof(b));
	if (!folder || repo_open(&b.remote, folder, 0, &err) < 0)
		return;
	if (repo_ref_each(b.remote, "refs/heads/*", big_ref_cb, both, &err) == 1 && b.ref[0]) {
		hw_url_shown(r->remote, shown, sizeof(shown));
		if (strcmp(b.ref, MAIN_REF) == 0 && b.parent[0])
			hw_error_set(r->err, HW_ERROR,
				     "fetching from %s: out of memory: main holds %s, a file of %zu bytes "
				     "(the limit is %u), added by commit %.12s; a folder remote packs "
				     "every branch whatever is asked, so nothing can be fetched from it "
				     "while that file is there. Put main back to the commit before it: "
				     "git --git-dir=%s update-ref %s %s",
				     shown, b.path, b.size, REPO_MAX_FILE_SIZE, b.commit, folder, MAIN_REF,
				     b.parent);
		else
			hw_error_set(r->err, HW_ERROR,
				     "fetching from %s: out of memory: the branch %s holds %s, a file of "
				     "%zu bytes (the limit is %u); a folder remote packs every branch "
				     "whatever is asked, so nothing can be fetched from it while that "
				     "file is there. Remove the branch: git --git-dir=%s update-ref -d %s",
				     shown, b.ref, b.path, b.size, REPO_MAX_FILE_SIZE, folder, b.ref);
	}
	repo_free(b.remote);
}

/*
 * A fetch of the device branches dropped the copy of one the server no
 * longer has: note it for the merge's result.
 */
static int on_pruned(const char *refname, const char *commit, void *payload)
{
	run *r = payload;
	merge_pruned *grown;

	if (strncmp(refname, SYNC_REMOTE_DEVICES, strlen(SYNC_REMOTE_DEVICES)) != 0)
		return 0;
	if (!(grown = realloc(r->pruned, (r->npruned + 1) * sizeof(*grown))))
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	r->pruned = grown;
	memset(&grown[r->npruned], 0, sizeof(*grown));
	if (!(grown[r->npruned].device = hw_strdup(refname + strlen(SYNC_REMOTE_DEVICES))))
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	sync_copy_cut(grown[r->npruned].tip, sizeof(grown[r->npruned].tip), commit);
	r->npruned++;
	return 0;
}

void sync_take_pruned(run *r, merge_pruned **out, size_t *n)
{
	*out = r->pruned;
	*n = r->npruned;
	r->pruned = NULL;
	r->npruned = 0;
}

void sync_pruned_free(merge_pruned *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++)
		free(p[i].device);
	free(p);
}

/* Fetch main, and with devices every device branch, from the remote. */
int sync_step_fetch(run *r, int devices, int own)
{
	const char *specs[3];
	char own_spec[700];
	size_t n = 0;
	int rc;

	r->step = SYNC_STEP_FETCH;
	if ((rc = sync_report_progress(r, SYNC_STEP_FETCH, 1, 0, 0, NULL, 0)) < 0)
		return rc;
	specs[n++] = "+" MAIN_REF ":" SYNC_REMOTE_MAIN;
	if (devices) {
		specs[n++] = "+" DEVICE_REF_PREFIX "*:" SYNC_REMOTE_DEVICES "*";
	} else if (own) {
		snprintf(own_spec, sizeof(own_spec), "+%s:%s", r->device_ref, r->tracking_ref);
		specs[n++] = own_spec;
	}
	/*
	 * A merge's fetch of every device's new work asks for a pack complete
	 * in itself: completing a thin one costs libgit2 a pass over all its
	 * deltas per missing base (src/sync/fetch.c).  A device's fetch of main
	 * is mostly small, and keeps thin packs' fewer bytes.
	 */
	r->ropts.whole_pack = devices;
	/*
	 * A device branch an administrator removed from the central
	 * repository goes from here too; else every later merge would walk
	 * it again and, if it was refused, refuse and report it again.  Only
	 * the devices/ namespace of the glob is pruned, never main.  Nothing
	 * else needs to follow: what a merge took from a branch is known from
	 * main alone (its merged tips are parents there).
	 */
	r->ropts.prune = devices;
	r->ropts.pruned = on_pruned;
	rc = repo_fetch(r->repo, r->remote, specs, n, &r->ropts, r->err);
	r->ropts.whole_pack = 0;
	r->ropts.prune = 0;
	if (rc == HW_ERROR && strstr(r->err->msg, ": out of memory"))
		name_big_file(r);
	if (rc == 0 && (devices || own))
		r->own_fetched = 1;
	return rc;
}

/* Files added to main since the last import: events, submissions and forms. */
typedef struct import_ctx {
	file_list events;        /* path, blob */
	file_list submissions;
	file_list forms;         /* forms/<id>/<version>.xml */
	file_list form_files;    /* forms/<id>/<version>/<name> */
	file_list wraps;         /* case keys newly wrapped for this device */
	const char *device;      /* this device */
	int format;              /* main's format: the layout of its paths */
	file_list team;          /* team/<device>/<entry>.entry: the roster */
	size_t changed;          /* files of main modified or deleted: never imported */
	sync_result *res;        /* where skipped files are noted */
	int skip_team;           /* the roster's files were collected apart: only counted */
	int skip_wraps;          /* every file of main is in the diff: no case to read again */
} import_ctx;

/* Free what an import_ctx holds. */
static void import_ctx_free(import_ctx *c)
{
	sync_list_free(&c->events);
	sync_list_free(&c->submissions);
	sync_list_free(&c->forms);
	sync_list_free(&c->form_files);
	sync_list_free(&c->wraps);
	sync_list_free(&c->team);
}

/* What a path under forms/ is. */
enum { FORM_PATH_NONE = 0, FORM_PATH_FORM = 1, FORM_PATH_FILE = 2 };

/*
 * Split "forms/<id>/<version>.xml" (FORM_PATH_FORM) or
 * "forms/<id>/<version>/<name>" (FORM_PATH_FILE, the CSV and XML files a
 * form references) into its parts; FORM_PATH_NONE for anything else,
 * including names that cannot be file names.  name may be NULL.
 */
static int split_form_path(const char *path, char id[SYNC_FORM_NAME_MAX + 1],
			   char version[SYNC_FORM_NAME_MAX + 1], char name[SYNC_FORM_NAME_MAX + 1])
{
	const char *p, *slash;
	size_t n;
	int kind;

	if (strncmp(path, "forms/", 6) != 0)
		return FORM_PATH_NONE;
	p = path + 6;
	if (!(slash = strchr(p, '/')) || (size_t)(slash - p) > SYNC_FORM_NAME_MAX)
		return FORM_PATH_NONE;
	memcpy(id, p, (size_t)(slash - p));
	id[slash - p] = '\0';
	p = slash + 1;
	if (!(slash = strchr(p, '/'))) {
		n = strlen(p);
		if (n <= 4 || strcmp(p + n - 4, ".xml") != 0 || n - 4 > SYNC_FORM_NAME_MAX)
			return FORM_PATH_NONE;
		memcpy(version, p, n - 4);
		version[n - 4] = '\0';
		kind = FORM_PATH_FORM;
	} else {
		if ((size_t)(slash - p) > SYNC_FORM_NAME_MAX || strchr(slash + 1, '/') ||
		    strlen(slash + 1) > SYNC_FORM_NAME_MAX)
			return FORM_PATH_NONE;
		memcpy(version, p, (size_t)(slash - p));
		version[slash - p] = '\0';
		if (name)
			strcpy(name, slash + 1);
		if (!sync_device_id_ok(slash + 1))
			return FORM_PATH_NONE;
		kind = FORM_PATH_FILE;
	}
	/* The rule for branch names is a safe rule for file names too. */
	if (!sync_device_id_ok(id) || !sync_device_id_ok(version))
		return FORM_PATH_NONE;
	return kind;
}

/* Note a file of main left out, and why, in the sync result. */
static void note_skip(sync_result *res, const char *path, const char *reason)
{
	res->skipped++;
	if (res->nskips < SYNC_MAX_SKIP_NOTES) {
		sync_skip_note *n = &res->skips[res->nskips++];

		size_t lp = strnlen(path, sizeof(n->path) - 1);
		size_t lr = strnlen(reason, sizeof(n->reason) - 1);

		memcpy(n->path, path, lp);
		n->path[lp] = '\0';
		memcpy(n->reason, reason, lr);
		n->reason[lr] = '\0';
	}
}

/*
 * True if path is a wrap file for device in the layout of format
 * (<case folder>/keys/<key id>/<device>); the case id goes into case_id.
 */
static int is_wrap_for(int format, const char *path, const char *device,
		       char case_id[HW_UUID_LEN + 1])
{
	const char *rest = sync_case_split(format, path, case_id);

	if (!rest || strncmp(rest, "keys/", 5) != 0 || strlen(rest) < 5 + SEAL_KEY_ID_LEN + 2 ||
	    rest[5 + SEAL_KEY_ID_LEN] != '/')
		return 0;
	return strcmp(rest + 5 + SEAL_KEY_ID_LEN + 1, device) == 0;
}

/* Keep the added files of the layout; everything else is not ours to import. */
static int import_collect(int kind, const char *path, const char *blob, void *payload)
{
	import_ctx *c = payload;
	const char *ext = strrchr(path, '.');
	char id[SYNC_FORM_NAME_MAX + 1], version[SYNC_FORM_NAME_MAX + 1];
	char case_id[HW_UUID_LEN + 1];
	file_list *l;

	if (kind == REPO_BAD_ENTRY) {
		/* Never read: reported, and everything else still imports. */
		note_skip(c->res, path, blob);
		return 0;
	}
	if (strncmp(path, "forms/", 6) == 0) {
		int what = split_form_path(path, id, version, NULL);

		if (what == FORM_PATH_NONE)
			return 0;
		if (kind != REPO_ADDED) {
			/* A published version never changes; a changed one is not taken in. */
			c->changed++;
			return 0;
		}
		l = what == FORM_PATH_FORM ? &c->forms : &c->form_files;
		return sync_list_add(l, hw_strdup(path), NULL, 0, hw_strdup(blob)) < 0 ?
		       HW_ERROR : 0;
	}
	if (kind == REPO_ADDED && is_wrap_for(c->format, path, c->device, case_id))
		return c->skip_wraps ||
		       sync_list_add(&c->wraps, hw_strdup(case_id), NULL, 0, NULL) >= 0 ? 0 : HW_ERROR;
	if (strncmp(path, "team/", 5) == 0) {
		if (kind != REPO_ADDED) {
			c->changed++;   /* roster entries are only ever added */
			return 0;
		}
		if (!team_path_ok(path)) {
			note_skip(c->res, path, "not a roster entry of the layout team/<device id>/<id>.entry");
			return 0;
		}
		if (c->skip_team)
			return 0;
		return sync_list_add(&c->team, hw_strdup(path), NULL, 0, hw_strdup(blob)) < 0 ?
		       HW_ERROR : 0;
	}
	if (strncmp(path, "cases/", 6) != 0 || !ext)
		return 0;
	if (kind != REPO_ADDED) {
		/* Merge only ever adds; a changed record on main is not taken in. */
		c->changed++;
		return 0;
	}
	if (strstr(path, "/events/") && strcmp(ext, ".json") == 0)
		l = &c->events;
	else if (strstr(path, "/submissions/") && strcmp(ext, ".xml") == 0)
		l = &c->submissions;
	else
		return 0;
	return sync_list_add(l, hw_strdup(path), NULL, 0, hw_strdup(blob)) < 0 ? HW_ERROR : 0;
}

/* The roster's files main gained, for import_team before anything else is read. */
static int collect_team(int kind, const char *path, const char *blob, void *payload)
{
	import_ctx *c = payload;

	if (kind != REPO_ADDED || !team_path_ok(path))
		return 0;   /* counted and reported by the import's own pass */
	return sync_list_add(&c->team, hw_strdup(path), NULL, 0, hw_strdup(blob)) < 0 ? HW_ERROR : 0;
}

/* What the form.submitted event of a submission says about it. */
typedef struct sub_meta {
	const char *instance_id;
	char *form_id, *form_version, *sha256;
	char at[HW_TIME_LEN + 1];
	int found;
	hw_error *err;
} sub_meta;

/* Look for the form.submitted event naming meta->instance_id. */
static int find_submitted(const char *json, void *payload)
{
	sub_meta *m = payload;
	hw_event *ev = NULL;
	char *instance = NULL;
	int hit = 0;

	if ((hit = event_parse(&ev, json, strlen(json), NULL)) < 0)
		hit = hit == HW_EINVALID ? 0 : hit;   /* skip what is not an event */
	else if (strcmp(ev->type, EV_FORM_SUBMITTED) == 0 &&
	    (hit = event_data_get(&instance, ev->data, "instance_id")) == 0 && instance &&
	    strcmp(instance, m->instance_id) == 0) {
		/* All three, or an error: a missing sha256 would skip the file's check. */
		if ((hit = event_data_get(&m->form_id, ev->data, "form_id")) == 0 &&
		    (hit = event_data_get(&m->form_version, ev->data, "form_version")) == 0)
			hit = event_data_get(&m->sha256, ev->data, "sha256");
		if (hit == 0) {
			memcpy(m->at, ev->at, sizeof(m->at));
			m->found = hit = 1;
		}
	}
	if (hit < 0)
		hit = hw_error_set(m->err, hit, "reading the event of submission %s: %s",
				   m->instance_id, hit == HW_ERROR ? "out of memory" : "bad data");
	free(instance);
	event_free(ev);
	return hit;
}

/* Split a file of a case folder of main's layout into the case id and the file name. */
static int split_case_path(run *r, const char *path, char case_id[HW_UUID_LEN + 1],
			   const char **name)
{
	if (!sync_case_split(r->format, path, case_id))
		return 0;
	*name = strrchr(path, '/') + 1;
	return 1;
}

/* Import one submission file; *inserted tells whether it was new. */
static int import_submission(run *r, const char *path, const char *xml, size_t len, int *inserted)
{
	char case_id[HW_UUID_LEN + 1], sha[HW_SHA256_HEX + 1], *instance = NULL;
	const char *name;
	sub_meta m;
	store_submission s;
	int rc;

	*inserted = 0;
	memset(&m, 0, sizeof(m));
	if (!split_case_path(r, path, case_id, &name) || strlen(name) < 5)
		return HW_EINVALID;
	if (!(instance = strndup(name, strlen(name) - 4)))
		return HW_ERROR;
	m.instance_id = instance;
	m.err = r->err;
	rc = store_case_events(r->st, case_id, find_submitted, &m, r->err);
	if (rc < 0)
		goto cleanup;
	hw_sha256_hex(xml, len, sha);
	if (m.found && m.sha256 && strcmp(m.sha256, sha) != 0) {
		rc = HW_EINVALID;   /* not the file its event describes */
		goto cleanup;
	}
	if (!m.found)
		hw_now_iso(m.at);
	s.instance_id = instance;
	s.case_id = case_id;
	s.form_id = m.form_id ? m.form_id : (char *)"unknown";
	s.form_version = m.form_version;
	s.created_at = m.at;
	s.sha256 = sha;
	rc = store_submission_put(r->st, &s, xml, len, STORE_IMPORTED, inserted, r->err);

cleanup:
	free(instance);
	free(m.form_id);
	free(m.form_version);
	free(m.sha256);
	return rc;
}

/* True if s is one or more ASCII digits. */
static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Order two form versions as ODK does: as numbers when both are digits
 * (2026112902 after 2026112901, 10 after 9, of any length), else as
 * strings.  Negative, 0 or positive as for strcmp.
 */
static int version_cmp(const char *a, const char *b)
{
	if (all_digits(a) && all_digits(b)) {
		size_t la, lb;

		while (*a == '0' && a[1])
			a++;
		while (*b == '0' && b[1])
			b++;
		la = strlen(a);
		lb = strlen(b);
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

/* Copy src into dst of size bytes, cut short if it must be. */
void sync_copy_cut(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* Note a form installed (problem NULL) or left out, in the sync result. */
static void note_form(sync_result *res, const char *id, const char *version, const char *problem)
{
	if (problem)
		res->forms_broken++;
	else
		res->forms_installed++;
	if (res->nforms < SYNC_MAX_FORM_NOTES) {
		sync_form_note *n = &res->forms[res->nforms++];

		sync_copy_cut(n->id, sizeof(n->id), id);
		sync_copy_cut(n->version, sizeof(n->version), version);
		sync_copy_cut(n->problem, sizeof(n->problem), problem ? problem : "");
	}
}

/* The version of the installed form with this id; "" when none loads (caller frees). */
static char *installed_version(run *r, const char *id)
{
	char *path = NULL, *version;
	xform *form = NULL;
	hw_error e = { 0, "" };

	if (forms_find(r->ws, id, &path) < 0) {
		hw_error_clear(r->err);
		return hw_strdup("");
	}
	version = hw_strdup(xform_load(&form, path, &e) == 0 ? xform_version(form) : "");
	xform_free(form);
	free(path);
	return version;
}

/* s with every from replaced by to (caller frees; NULL when out of memory). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	hw_buf b = HW_BUF_INIT;
	const char *p;
	size_t n = strlen(from);

	while ((p = strstr(s, from)) != NULL) {
		hw_buf_add(&b, s, (size_t)(p - s));
		hw_buf_puts(&b, to);
		s = p + n;
	}
	hw_buf_puts(&b, s);
	return hw_buf_detach(&b);   /* NULL if any append failed */
}

/* Make the folder path is in (a form's own folder). */
static int make_parent(const char *path, hw_error *err)
{
	char *dir = hw_strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	int rc = 0;

	if (!dir)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (slash && slash != dir) {
		*slash = '\0';
		rc = hw_mkdir_p(dir, err);
	}
	free(dir);
	return rc;
}

/*
 * Check one published version of a form and install it: its files are
 * written to a temporary folder of the workspace and the form is loaded
 * from there; only a form that loads, and says the id and version its path
 * says, is copied into forms/ (its CSV/XML files first, into
 * forms/<id>/<version>/, the form last, each durably).  Otherwise problem says why and nothing is installed.  Returns
 * 0 (installed or not) or an error of the workspace's files.
 */
static int install_version(run *r, const import_ctx *c, const char *id, const char *version,
			   const char *blob, char problem[HW_ERROR_MAX])
{
	char fid[SYNC_FORM_NAME_MAX + 1], fversion[SYNC_FORM_NAME_MAX + 1];
	char fname[SYNC_FORM_NAME_MAX + 1];
	char *tmpdir = NULL, *xml = NULL, *name = NULL, *dst = NULL;
	file_list files = { 0 };    /* path: file name; data: content */
	xform *form = NULL;
	hw_error e = { 0, "" };
	size_t xlen = 0, i, written = 0;
	int rc;

	problem[0] = '\0';
	if (!(tmpdir = sync_fmt("%s/.form-check-XXXXXX", ws_dir(r->ws))) ||
	    !(name = sync_fmt("%s.xml", id))) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!mkdtemp(tmpdir)) {
		rc = hw_error_set(r->err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
				  "making a folder to check a published form in %s: %s",
				  ws_dir(r->ws), strerror(errno));
		free(tmpdir);
		tmpdir = NULL;
		goto cleanup;
	}
	if ((rc = repo_blob_read(&xml, &xlen, r->repo, blob, r->err)) < 0)
		goto cleanup;
	for (i = 0; i < c->form_files.n; i++) {
		const repo_file *f = &c->form_files.items[i];
		char *data = NULL;
		size_t len = 0;

		if (split_form_path(f->path, fid, fversion, fname) != FORM_PATH_FILE ||
		    strcmp(fid, id) != 0 || strcmp(fversion, version) != 0)
			continue;
		if ((rc = repo_blob_read(&data, &len, r->repo, f->blob, r->err)) < 0)
			goto cleanup;
		/* In a folder of this form and version: no other form's file can be replaced. */
		if ((rc = sync_list_add(&files, sync_fmt("%s/%s/%s", id, version, fname), data, len,
					NULL)) < 0) {
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
	}
	if ((rc = sync_list_add(&files, hw_strdup(name), xml, xlen, NULL)) < 0) {
		xml = NULL;
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	xml = NULL;   /* the list owns it: the form is its last file */

	for (i = 0; i < files.n; i++, written++) {
		free(dst);
		if (!(dst = hw_path_join(tmpdir, files.items[i].path))) {
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		if ((rc = make_parent(dst, r->err)) < 0 ||
		    (rc = hw_write_file_atomic(dst, files.items[i].data, files.items[i].len,
					       r->err)) < 0)
			goto cleanup;
	}
	if (xform_load(&form, dst, &e) < 0) {
		/* Name the published files, not the temporary copies. */
		char *from = sync_fmt("%s/%s/%s/", tmpdir, id, version);
		char *to = sync_fmt("forms/%s/%s/", id, version);
		char *published = sync_fmt("forms/%s/%s.xml", id, version);
		char *step = published ? replace_all(e.msg, dst, published) : NULL;
		char *msg = step && from && to ? replace_all(step, from, to) : NULL;

		sync_copy_cut(problem, HW_ERROR_MAX, msg ? msg : e.msg);
		free(from);
		free(to);
		free(published);
		free(step);
		free(msg);
		goto cleanup;
	}
	if (strcmp(xform_id(form), id) != 0 || strcmp(xform_version(form), version) != 0) {
		snprintf(problem, HW_ERROR_MAX,
			 "forms/%s/%s.xml: the form says id \"%s\" version \"%s\", not what its path says",
			 id, version, xform_id(form), xform_version(form));
		goto cleanup;
	}

	/*
	 * It loads: install the referenced files in their folder, then the form
	 * itself under the name the installed form of this id has (else
	 * <id>.xml): the only file of forms/ a published form replaces.
	 */
	if ((rc = hw_mkdir_p(ws_forms_dir(r->ws), r->err)) < 0)
		goto cleanup;
	for (i = 0; i < files.n; i++) {
		free(dst);
		dst = NULL;
		if (i + 1 == files.n) {
			if (forms_find(r->ws, id, &dst) < 0) {
				hw_error_clear(r->err);
				dst = hw_path_join(ws_forms_dir(r->ws), name);
			}
		} else {
			dst = hw_path_join(ws_forms_dir(r->ws), files.items[i].path);
		}
		if (!dst) {
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		if ((rc = make_parent(dst, r->err)) < 0 ||
		    (rc = hw_write_file_atomic(dst, files.items[i].data, files.items[i].len,
					       r->err)) < 0) {
			hw_error_prefix(r->err, "installing form %s version %s", id, version);
			goto cleanup;
		}
	}

cleanup:
	xform_free(form);
	if (tmpdir) {
		char *sub = sync_fmt("%s/%s", tmpdir, id), *subv = sync_fmt("%s/%s/%s", tmpdir, id, version);

		for (i = 0; i < written; i++) {
			char *t = hw_path_join(tmpdir, files.items[i].path);

			if (t)
				unlink(t);
			free(t);
		}
		if (subv)
			rmdir(subv);
		if (sub)
			rmdir(sub);
		rmdir(tmpdir);
		free(sub);
		free(subv);
	}
	free(tmpdir);
	free(name);
	free(dst);
	free(xml);
	sync_list_free(&files);
	return rc;
}

/*
 * Install the forms main gained: for each form id, the newest published
 * version that is newer than the installed one and loads.  A version that
 * does not load is noted as broken, and the next newest is tried.
 */
static int install_forms(run *r, const import_ctx *c, sync_result *res)
{
	char id[SYNC_FORM_NAME_MAX + 1], version[SYNC_FORM_NAME_MAX + 1];
	char oid[SYNC_FORM_NAME_MAX + 1], oversion[SYNC_FORM_NAME_MAX + 1];
	char *tried = NULL, *installed = NULL, *problem = NULL;
	size_t i, j;
	int rc = 0;

	if (c->forms.n == 0)
		return 0;
	if (!(tried = calloc(c->forms.n, 1)) || !(problem = malloc(HW_ERROR_MAX))) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < c->forms.n; i++) {
		if (tried[i])
			continue;
		split_form_path(c->forms.items[i].path, id, version, NULL);
		free(installed);
		if (!(installed = installed_version(r, id))) {
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		for (;;) {
			size_t best = c->forms.n;
			char bversion[SYNC_FORM_NAME_MAX + 1] = "";

			/* The newest version of this id not tried yet. */
			for (j = i; j < c->forms.n; j++) {
				if (tried[j])
					continue;
				split_form_path(c->forms.items[j].path, oid, oversion, NULL);
				if (strcmp(oid, id) != 0)
					continue;
				if (best == c->forms.n || version_cmp(oversion, bversion) > 0) {
					best = j;
					memcpy(bversion, oversion, sizeof(bversion));
				}
			}
			if (best == c->forms.n || version_cmp(bversion, installed) <= 0)
				break;
			tried[best] = 1;
			rc = install_version(r, c, id, bversion, c->forms.items[best].blob, problem);
			if (rc < 0)
				goto cleanup;
			note_form(res, id, bversion, problem[0] ? problem : NULL);
			if (!problem[0])
				break;
		}
		/* Older versions of this id are not wanted any more. */
		for (j = i; j < c->forms.n; j++) {
			split_form_path(c->forms.items[j].path, oid, oversion, NULL);
			if (strcmp(oid, id) == 0)
				tried[j] = 1;
		}
	}

cleanup:
	free(tried);
	free(installed);
	free(problem);
	return rc;
}

/* The cases an import batch added events to, each folded once at the batch's end. */
typedef struct touched_cases {
	char (*ids)[HW_UUID_LEN + 1];
	size_t n, cap;
} touched_cases;

/* Note a case as touched (repeats are folded away in touched_fold). */
static int touched_add(touched_cases *t, const char *case_id)
{
	if (t->n && strcmp(t->ids[t->n - 1], case_id) == 0)
		return 0;   /* events of a case come together: the common repeat */
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char (*grown)[HW_UUID_LEN + 1] = realloc(t->ids, cap * sizeof(*grown));

		if (!grown)
			return HW_ERROR;
		t->ids = grown;
		t->cap = cap;
	}
	memcpy(t->ids[t->n++], case_id, HW_UUID_LEN + 1);
	return 0;
}

static int cmp_case_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Fold each touched case once, inside the batch's transaction, and forget them. */
static int touched_fold(run *r, touched_cases *t)
{
	size_t i;
	int rc;

	if (t->n > 1)
		qsort(t->ids, t->n, sizeof(*t->ids), cmp_case_id);
	for (i = 0; i < t->n; i++) {
		if (i > 0 && strcmp(t->ids[i], t->ids[i - 1]) == 0)
			continue;
		if ((rc = case_refold(r->ws, t->ids[i])) < 0)
			return rc;
	}
	t->n = 0;
	return 0;
}

/*
 * A file of main as an envelope: replace *content by its body in clear.
 * HW_ENOTFOUND when it is sealed for other devices; HW_EINVALID when it
 * does not open.  A file that is no envelope (written before envelopes)
 * stays as it is.
 */
static int open_envelope(run *r, const char *tip, const char *path, char **content, size_t *len)
{
	char case_id[HW_UUID_LEN + 1], *plain = NULL;
	const char *name, *commits[1] = { tip };
	size_t plen = 0;
	int sealed = 0, rc;

	if (!envelope_is(*content, *len))
		return 0;
	if (!split_case_path(r, path, case_id, &name))
		return hw_error_set(r->err, HW_EINVALID, "not a file of the layout");
	rc = sync_seal_open(r->sealer, r->format, commits, 1, case_id, name, *content, *len, &plain, &plen,
			    &sealed);
	if (rc < 0)
		return rc;
	free(*content);
	*content = plain;
	*len = plen;
	return 0;
}

/* The paths an import already holds: open addressing, grown at half full. */
typedef struct path_set {
	const char **slots;
	size_t cap, n;
} path_set;

/* FNV-1a of a path. */
static size_t path_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of path: the one holding it, or the free one where it would go. */
static const char **path_slot(const path_set *p, const char *path)
{
	size_t i = path_hash(path) & (p->cap - 1);

	while (p->slots[i] && strcmp(p->slots[i], path) != 0)
		i = (i + 1) & (p->cap - 1);
	return &p->slots[i];
}

/* Note every path of the lists (kept, not copied); HW_ERROR when out of memory. */
static int path_set_fill(path_set *p, const file_list *const *lists, size_t nlists)
{
	size_t need = 0, i, j;

	for (i = 0; i < nlists; i++)
		need += lists[i]->n;
	for (p->cap = 64; p->cap < 2 * need; p->cap *= 2)
		;
	if (!(p->slots = calloc(p->cap, sizeof(*p->slots))))
		return HW_ERROR;
	for (i = 0; i < nlists; i++)
		for (j = 0; j < lists[i]->n; j++) {
			const char **s = path_slot(p, lists[i]->items[j].path);

			if (!*s) {
				*s = lists[i]->items[j].path;
				p->n++;
			}
		}
	return 0;
}

/* Listing a case folder of main for rescan_wrapped_cases. */
typedef struct rescan_ctx {
	file_list *into;
	const char *dir;        /* "cases/ab/<id>/events" */
	const char *ext;
	const path_set *have;   /* files the import holds already: not listed twice */
} rescan_ctx;

static int rescan_file(const char *name, int kind, const char *id, void *payload)
{
	rescan_ctx *x = payload;
	size_t n = strlen(name), e = strlen(x->ext);
	char *path;

	if (kind != REPO_ENTRY_FILE || n <= e || strcmp(name + n - e, x->ext) != 0)
		return 0;
	if (!(path = sync_fmt("%s/%s", x->dir, name)))
		return HW_ERROR;
	if (*path_slot(x->have, path)) {
		/* Added since the last import too: in the list already, read once. */
		free(path);
		return 0;
	}
	return sync_list_add(x->into, path, NULL, 0, hw_strdup(id)) < 0 ? HW_ERROR : 0;
}

/*
 * A case key newly wrapped for this device (the case was assigned or
 * referred to it, or its key rotated) makes every file of that case on
 * main worth reading, not only those main gained since the last import:
 * the case's earlier events were sealed under keys this device may only
 * now hold.  Files already imported are skipped by id.
 */
static int rescan_wrapped_cases(run *r, const char *tip, import_ctx *c)
{
	char last[HW_UUID_LEN + 1] = "", case_id[HW_UUID_LEN + 1];
	char *dir = NULL, *sub = NULL;
	const file_list *lists[2] = { &c->events, &c->submissions };
	path_set have = { NULL, 0, 0 };
	size_t i;
	int rc = 0;

	/*
	 * A case new to main since the last import brings its wraps and its
	 * files together: the files are in the lists already, and listing them
	 * again would read, check and open each one twice.
	 */
	if (c->wraps.n && path_set_fill(&have, lists, 2) < 0)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	for (i = 0; i < c->wraps.n && rc == 0; i++) {
		rescan_ctx x;

		x.have = &have;

		snprintf(case_id, sizeof(case_id), "%s", c->wraps.items[i].path);
		if (strcmp(case_id, last) == 0)
			continue;
		memcpy(last, case_id, sizeof(last));
		free(dir);
		if (!(dir = sync_case_dir(r->format, case_id)))
			continue;
		free(sub);
		x.into = &c->events;
		x.ext = ".json";
		x.dir = sub = sync_fmt("%s/events", dir);
		if (!sub || (rc = repo_dir_each(r->repo, tip, sub, SYNC_MAX_CASE_EVENTS * 5,
						rescan_file, &x, r->err)) != 0)
			break;
		free(sub);
		x.into = &c->submissions;
		x.ext = ".xml";
		x.dir = sub = sync_fmt("%s/submissions", dir);
		if (!sub || (rc = repo_dir_each(r->repo, tip, sub, SYNC_MAX_CASE_EVENTS * 5,
						rescan_file, &x, r->err)) != 0)
			break;
	}
	if (rc == HW_EINVALID) {
		/* A case folder beyond the limits: reported, and the rest imports. */
		note_skip(c->res, dir ? dir : "cases/", r->err->msg);
		hw_error_clear(r->err);
		rc = 0;
	} else if (rc > 0 || (!sub && i < c->wraps.n) || (rc < 0 && !r->err->code)) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
	}
	free(dir);
	free(sub);
	free(have.slots);
	return rc;
}

/*
 * In signed mode, a file of main must be an envelope signed by a member of
 * the roster for this very file (its case and name); its signer goes into
 * signer.  Membership was checked by the supervisor's merge, and main's
 * commits are checked apart (check_main).  HW_EINVALID with the reason in
 * r->err.
 */
static int import_check_signed(run *r, const char *path, const char *content, size_t len,
			       char signer[TEAM_TEXT_MAX + 1])
{
	char case_id[HW_UUID_LEN + 1];
	const char *name;

	signer[0] = '\0';
	if (!r->signed_mode)
		return 0;
	if (!split_case_path(r, path, case_id, &name))
		return hw_error_set(r->err, HW_EINVALID, "not a file of the layout");
	/*
	 * A file with no envelope at all was written before files were signed:
	 * only main's legacy beginning or a supervisor's signed commit (a
	 * migration) can hold one, since merge takes none from devices.
	 */
	if (!envelope_is(content, len))
		return 0;
	return team_check_file(r->roster, content, len, case_id, name, NULL, "", NULL, NULL, signer,
			       r->err);
}

/* In signed mode, an event must have been made on the device that signed it. */
static int import_check_author(run *r, const char *json, size_t len, const char *signer)
{
	hw_event *ev = NULL;
	int rc = 0;

	if (!r->signed_mode || !signer[0])
		return 0;
	{
		/* A supervisor vouches for what it signs: a migration seals others' events. */
		const team_member *m = team_member_get(r->roster, signer);

		if (m && strcmp(m->role, "supervisor") == 0)
			return 0;
	}
	if (event_parse(&ev, json, len, NULL) == 0 && ev->device && strcmp(ev->device, signer) != 0)
		rc = hw_error_set(r->err, HW_EINVALID,
				  "the event was made on device \"%s\" but signed by device %s",
				  ev->device, signer);
	event_free(ev);
	return rc;
}

/* Keep the roster entries main gained in the workspace, then reload the roster. */
static int import_team(run *r, import_ctx *c, sync_result *res)
{
	size_t i;
	int rc;

	for (i = 0; i < c->team.n; i++) {
		char *content = NULL;
		size_t len = 0;

		rc = repo_blob_read(&content, &len, r->repo, c->team.items[i].blob, r->err);
		if (rc == 0)
			rc = team_file_store(r->ws, c->team.items[i].path, content, len);
		free(content);
		if (rc == HW_EINVALID || rc == HW_ECONFLICT) {
			note_skip(res, c->team.items[i].path, r->err->msg);
			hw_error_clear(r->err);
			rc = 0;
		}
		if (rc < 0)
			return rc;
	}
	if ((rc = sync_roster(r)) < 0)
		return rc;
	/* A team setting no supervisor signed is reported; the value in force stays. */
	for (i = 0; i < c->team.n && r->roster; i++) {
		team_file f = { c->team.items[i].path, NULL, 0 };
		char *content = NULL;
		hw_error e = { 0, "" };

		if (repo_blob_read(&content, &f.len, r->repo, c->team.items[i].blob, r->err) < 0) {
			hw_error_clear(r->err);
			continue;
		}
		f.data = content;
		if (team_setting_file_check(r->roster, &f, NULL, &e) < 0)
			note_skip(res, f.path, e.msg);
		free(content);
	}
	return 0;
}

/* Files main gained in commits no supervisor signed: each reported, none imported. */
typedef struct unsigned_ctx {
	sync_result *res;
	const char *reason;
} unsigned_ctx;

static int note_unsigned(int kind, const char *path, const char *blob, void *payload)
{
	unsigned_ctx *u = payload;

	(void)blob;
	if (kind != REPO_DELETED)
		note_skip(u->res, path, u->reason);
	return 0;
}

/* One commit of main's first-parent line, as check_main judges it. */
typedef struct main_commit {
	char id[REPO_OID_HEX + 1];
	char parent[REPO_OID_HEX + 1];
	int sig;                   /* 1: a supervisor's; 0: carries no signature; -1: a bad one */
	char why[300];
} main_commit;

/* Judge one commit: signed by a supervisor of the roster at its time, unsigned, or badly signed. */
static int judge_commit(run *r, main_commit *c)
{
	char *sig = NULL, *data = NULL, at[HW_TIME_LEN + 1];
	size_t len = 0;
	long long when = 0;
	hw_error e = { 0, "" };
	int rc;

	if ((rc = repo_commit_parent(c->parent, NULL, &when, r->repo, c->id, r->err)) < 0)
		return rc;
	rc = repo_commit_signature(&sig, &data, &len, r->repo, c->id, &e);
	hw_time_iso((time_t)when, at);
	if (rc == HW_ENOTFOUND) {
		c->sig = 0;
		snprintf(c->why, sizeof(c->why), "it carries no signature");
		rc = 0;
	} else if (rc == 0) {
		rc = team_commit_check(r->roster, sig, data, len, at, NULL, 0, &e);
		c->sig = rc == 0 ? 1 : -1;
		snprintf(c->why, sizeof(c->why), "%s", e.msg);
		if (rc == HW_EINVALID)
			rc = 0;
	} else if (rc == HW_EINVALID) {
		c->sig = -1;
		snprintf(c->why, sizeof(c->why), "%s", e.msg);
		rc = 0;
	}
	free(sig);
	free(data);
	return rc < 0 ? hw_error_set(r->err, rc, "%s", e.msg) : 0;
}

/*
 * Check main's first-parent line from tip back to last (or its root).
 * Every commit must be signed by a supervisor of the roster, except a
 * legacy beginning: commits without any signature that are older than
 * every signed one (main as written before its team signed anything).
 * An unsigned commit above a signed one, or a bad signature, is forged:
 * *target is the newest commit that can be trusted with everything below
 * it (tip when all are good; "" when none), and why says what was wrong.
 */
static int check_main(run *r, const char *last, const char *tip, char target[REPO_OID_HEX + 1],
		      char *why, size_t why_size)
{
	main_commit *line = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, signed_below = 0;
	char id[REPO_OID_HEX + 1];

	snprintf(target, REPO_OID_HEX + 1, "%s", tip);
	why[0] = '\0';
	snprintf(id, sizeof(id), "%s", tip);
	/* Newest first, down to last itself (whose signature says whether signing had begun). */
	while (id[0]) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			main_commit *g = realloc(line, nc * sizeof(*g));

			if (!g) {
				rc = hw_error_set(r->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			line = g;
			cap = nc;
		}
		if (n >= REPO_MAX_WALK) {
			rc = hw_error_set(r->err, HW_EINVALID, "main has more than %d new commits", REPO_MAX_WALK);
			goto cleanup;
		}
		memset(&line[n], 0, sizeof(line[n]));
		memcpy(line[n].id, id, sizeof(id));
		if ((rc = judge_commit(r, &line[n])) < 0)
			goto cleanup;
		memcpy(id, line[n].parent, sizeof(id));
		if (last && strcmp(line[n].id, last) == 0) {
			signed_below = line[n].sig == 1;
			n++;
			break;
		}
		n++;
	}
	/* Oldest to newest: once signing has begun, every later commit must be signed. */
	for (i = n; i-- > 0;) {
		const main_commit *c = &line[i];

		if (last && strcmp(c->id, last) == 0)
			continue;
		if (c->sig == 1) {
			signed_below = 1;
			continue;
		}
		if (c->sig == 0 && !signed_below)
			continue;   /* the legacy beginning */
		snprintf(why, why_size, "added to main by commit %.12s, which no supervisor of the team "
			 "signed (%s): main was written around the merge", c->id, c->why);
		memcpy(target, c->parent, REPO_OID_HEX + 1);
		break;
	}
cleanup:
	free(line);
	return rc;
}

/*
 * An import as main's diff goes: files are taken in batches of about
 * IMPORT_BATCH, each imported as soon as it is complete, so what is held
 * at once is a batch, never the list of everything main gained (100,000
 * cases: 30 MB of paths and ids).  A batch ends only where a case folder
 * ends: the diff gives a case's files together (events, then its wraps,
 * then submissions), so a newly wrapped case's files are all in the batch
 * its wrap is in, which is what lets the rescan skip them, and each event
 * comes before the submissions it describes.
 */
typedef struct import_run {
	import_ctx c;            /* the batch: events, submissions, wraps */
	run *r;
	const char *tip;         /* the commit of main being imported */
	char batch_case[HW_UUID_LEN + 1];   /* the case of the batch's last file */
	touched_cases touched;
	size_t seen;             /* events and submissions the diff gave so far */
	size_t rescanned;        /* files the rescans of wrapped cases added */
	size_t done;             /* files imported */
	size_t total;            /* all there are to import, or the estimate of it */
	size_t batch;            /* files of a batch and of a transaction */
	int started;             /* the step's first progress was reported */
	int in_tx;
} import_run;

/*
 * How far through cases/ the diff is, from 0 to 1, at case_id: ids are
 * random and case folders come in the order of their ids.  0 when the id
 * does not start with 8 hexadecimal digits.
 */
static double case_fraction(const char *case_id)
{
	unsigned long v = 0;
	int n = 0;

	for (; *case_id && n < 8; case_id++) {
		const char *hex = "0123456789abcdef", *d = strchr(hex, *case_id);

		if (*case_id == '-')
			continue;
		if (!d)
			return 0;
		v = v * 16 + (unsigned long)(d - hex);
		n++;
	}
	return n == 8 ? ((double)v + 1) / 4294967296.0 : 0;
}

/* Import one file of the batch (events first, then submissions). */
static int import_one(import_run *x, const repo_file *f, int is_event)
{
	run *r = x->r;
	sync_result *res = x->c.res;
	char *content = NULL, case_id[HW_UUID_LEN + 1], event_id[HW_UUID_LEN + 1];
	const char *name = NULL;
	char signer[TEAM_TEXT_MAX + 1];
	size_t len = 0;
	int rc, added = 0;

	if (is_event && (!split_case_path(r, f->path, case_id, &name) ||
			 strlen(name) != HW_UUID_LEN + 5)) {
		rc = hw_error_set(r->err, HW_EINVALID, "not an event file of the layout");
	} else if ((rc = repo_blob_read(&content, &len, r->repo, f->blob, r->err)) == 0 &&
		   (rc = import_check_signed(r, f->path, content, len, signer)) == 0 &&
		   (rc = open_envelope(r, x->tip, f->path, &content, &len)) == HW_ENOTFOUND) {
		/* Sealed for other devices: never read, never stored. */
		res->withheld++;
		rc = 0;
	} else if (rc == 0 && (!is_event || (rc = import_check_author(r, content, len, signer)) == 0)) {
		if (is_event) {
			memcpy(event_id, name, HW_UUID_LEN);
			event_id[HW_UUID_LEN] = '\0';
			rc = case_import_event_unfolded(r->ws, content, len, case_id, event_id,
							&added, case_id);
			if (rc == 0 && added && (rc = touched_add(&x->touched, case_id)) < 0)
				rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		} else {
			rc = import_submission(r, f->path, content, len, &added);
			if (rc == HW_EINVALID && !r->err->code)
				hw_error_set(r->err, HW_EINVALID,
					     "the submission is not the file its event describes");
		}
	}
	free(content);
	if (rc == HW_EINVALID || rc == HW_ECONFLICT) {
		/* Merge validates what goes on main; report what slipped through. */
		note_skip(res, f->path, r->err->msg);
		hw_error_clear(r->err);
		rc = 0;
	}
	if (rc < 0)
		return rc;
	if (added && is_event)
		res->events_received++;
	else if (added)
		res->submissions_received++;
	return 0;
}

/*
 * Import the batch collected so far (last: the diff is over), in
 * transactions of at most a batch's size, each case touched folded once per
 * transaction; then forget the batch.
 */
static int import_batch(import_run *x, int last)
{
	run *r = x->r;
	import_ctx *c = &x->c;
	size_t i, n, before = c->events.n + c->submissions.n;
	double part;
	int rc;

	if ((rc = rescan_wrapped_cases(r, x->tip, c)) < 0)
		return rc;
	x->rescanned += c->events.n + c->submissions.n - before;
	n = c->events.n + c->submissions.n;
	/*
	 * The count to come: exact once the diff is over; before, what the
	 * diff gave so far over how far through the cases it is.
	 */
	part = case_fraction(x->batch_case);
	if (last)
		x->total = x->done + n;
	else if (part > 0)
		x->total = (size_t)((double)x->seen / part) + x->rescanned;
	if (x->total < x->done + n)
		x->total = x->done + n;
	if (!x->started && x->total &&
	    (rc = sync_report_progress(r, SYNC_STEP_IMPORT, 1, x->done, x->total, NULL, 0)) < 0)
		return rc;
	x->started = x->started || x->total;
	for (i = 0; i < n; i++) {
		int is_event = i < c->events.n;

		if (!x->in_tx) {
			if ((rc = store_begin(r->st, r->err)) < 0)
				return rc;
			x->in_tx = 1;
		}
		rc = import_one(x, is_event ? &c->events.items[i] :
				   &c->submissions.items[i - c->events.n], is_event);
		if (rc < 0)
			return rc;
		if (++x->done % x->batch == 0 || i + 1 == n) {
			/* Each case touched is folded once, not once per event. */
			if ((rc = touched_fold(r, &x->touched)) < 0)
				return rc;
			x->in_tx = 0;
			if ((rc = store_commit(r->st, r->err)) < 0)
				return rc;
		}
		if (x->done % IMPORT_PROGRESS == 0 &&
		    (rc = sync_report_progress(r, SYNC_STEP_IMPORT, 0, x->done, x->total, NULL, 0)) < 0)
			return rc;
	}
	sync_list_free(&c->events);
	sync_list_free(&c->submissions);
	sync_list_free(&c->wraps);
	return 0;
}

/* A file of main's diff: into the batch, the batch imported first when full at a case's end. */
static int import_stream(int kind, const char *path, const char *blob, void *payload)
{
	import_run *x = payload;
	import_ctx *c = &x->c;
	char case_id[HW_UUID_LEN + 1];
	size_t before;
	int rc;

	if (strncmp(path, "cases/", 6) == 0 && sync_case_split(c->format, path, case_id) &&
	    strcmp(case_id, x->batch_case) != 0) {
		if (c->events.n + c->submissions.n >= x->batch && (rc = import_batch(x, 0)) < 0)
			return rc;
		memcpy(x->batch_case, case_id, sizeof(case_id));
	}
	before = c->events.n + c->submissions.n;
	if ((rc = import_collect(kind, path, blob, c)) != 0)
		return rc;
	x->seen += c->events.n + c->submissions.n - before;
	return 0;
}

/*
 * Step (c): import every event and submission that main gained since the
 * last import, and install the forms it gained, then record main's commit.
 */
int sync_step_import(run *r, sync_result *res)
{
	char tip[REPO_OID_HEX + 1], tree[REPO_OID_HEX + 1];
	char *last = NULL;
	import_run x;
	import_ctx *c = &x.c;
	int rc, lean = 0;

	memset(&x, 0, sizeof(x));
	c->res = res;
	c->device = r->device;
	r->step = SYNC_STEP_IMPORT;
	rc = repo_ref_get(tip, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		return 0;   /* the remote has no main yet */
	}
	if (rc < 0)
		return rc;
	rc = store_setting_get(r->st, SYNC_IMPORTED_MAIN, &last, r->err);
	if (rc == HW_ENOTFOUND) {
		rc = 0;
		hw_error_clear(r->err);
	}
	if (rc < 0)
		goto cleanup;
	if (last && strcmp(last, tip) == 0)
		goto done;
	/*
	 * Reading main's files, the import needs little of what made the
	 * ordinary caches pay: each folder is read once, each case written
	 * once.  An import of 100,000 cases held 32 MiB of database pages,
	 * about 32 MB of parsed folders and 32 MiB of mapped pack; with 8 MiB,
	 * about 8 MB and 16 MiB it takes the same time.  And what the fetch's
	 * indexer freed (about 100 bytes per object received, 80 MB for
	 * 100,000 cases) goes back to the system before the import reads.
	 */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	lean = 1;
	repo_read_lean(1);
	if ((rc = store_page_cache(r->st, IMPORT_PAGE_CACHE_KIB, r->err)) < 0)
		goto cleanup;
	if ((rc = sync_format_of(r, tip, &r->format)) < 0 ||
	    (rc = sync_format_check(r, r->format)) < 0)
		goto cleanup;
	if (last) {
		int was;

		/*
		 * main changed format since the last import (every file moved), or
		 * the last import is not in this repository (it was replaced):
		 * take them all.
		 */
		if (sync_format_of(r, last, &was) < 0 || was != r->format ||
		    repo_commit_tree(tree, r->repo, last, r->err) < 0) {
			hw_error_clear(r->err);
			free(last);
			last = NULL;
		}
	}
	c->format = r->format;
	if (r->signed_mode) {
		char target[REPO_OID_HEX + 1], why[600];

		/* The roster first: it says whose signatures count. */
		rc = repo_diff_dir(r->repo, last, tip, "team", collect_team, c, r->err);
		if (rc > 0 || (rc < 0 && !r->err->code))
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		if (rc < 0 || (rc = import_team(r, c, res)) < 0 ||
		    (rc = check_main(r, last, tip, target, why, sizeof(why))) < 0)
			goto cleanup;
		memcpy(r->main_trusted, target, sizeof(target));
		r->main_forged = strcmp(target, tip) != 0;
		if (strcmp(target, tip) != 0) {
			unsigned_ctx u = { res, why };

			/* Nothing of an unsigned commit or after it is taken in; each file is named. */
			if ((rc = repo_diff(r->repo, target[0] ? target : NULL, tip, note_unsigned, &u,
					    r->err)) < 0)
				goto cleanup;
			if (!target[0] || (last && strcmp(last, target) == 0))
				goto cleanup;
			memcpy(tip, target, sizeof(target));
		}
	}
	/* A first import has every file of main in its diff: no case to read again. */
	c->skip_team = 1;
	c->skip_wraps = !last;
	x.r = r;
	x.tip = tip;
	x.batch = r->opts->import_batch ? r->opts->import_batch : IMPORT_BATCH;
	rc = repo_diff(r->repo, last, tip, import_stream, &x, r->err);
	if (rc == 0)
		rc = import_batch(&x, 1);
	if (rc != 0) {
		if (rc > 0 || !r->err->code)
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	res->skipped += c->changed;
	/*
	 * Forms before the commit of main is recorded: an install cut short is
	 * redone by the next run (the version is still newer than the installed
	 * one), and one already done is not redone.
	 */
	if ((rc = install_forms(r, c, res)) < 0)
		goto cleanup;
	if ((rc = store_begin(r->st, r->err)) < 0)
		goto cleanup;
	x.in_tx = 1;
	if ((rc = store_setting_set(r->st, SYNC_IMPORTED_MAIN, tip, r->err)) < 0)
		goto cleanup;
	x.in_tx = 0;
	if ((rc = store_commit(r->st, r->err)) < 0)
		goto cleanup;
	if (x.started &&
	    (rc = sync_report_progress(r, SYNC_STEP_IMPORT, 0, x.done, x.done, NULL, 0)) < 0)
		goto cleanup;
done:
	memcpy(res->main_tip, tip, sizeof(tip));
cleanup:
	if (x.in_tx)
		store_rollback(r->st);
	if (lean) {
		hw_error e = { 0, "" };

		repo_read_lean(0);
		if (store_page_cache(r->st, 0, &e) < 0 && rc == 0)
			rc = hw_error_set(r->err, e.code, "%s", e.msg);
	}
	free(last);
	free(x.touched.ids);
	import_ctx_free(c);
	return rc;
}

/* Own items in a state, with the main they are looked for on. */
typedef struct own_items {
	run *r;
	const char *main;
	int submissions;
	size_t reopened;
	char **ids;                 /* ids main lacks */
	size_t n, cap;
} own_items;

/* Note an own item that main lacks. */
static int own_item(const char *id, const char *case_id, const char *content, size_t len,
		    void *payload)
{
	own_items *o = payload;
	char *dir, *path, blob[REPO_OID_HEX + 1];
	int rc;

	(void)content;
	(void)len;
	if (!(dir = sync_case_dir(o->r->format, case_id)))
		return 0;   /* never committed either: a malformed case id */
	path = sync_fmt("%s/%s/%s%s", dir, o->submissions ? "submissions" : "events", id,
			o->submissions ? ".xml" : ".json");
	free(dir);
	if (!path)
		return HW_ERROR;
	rc = repo_file_get(blob, o->r->repo, o->main, path, o->r->err);
	free(path);
	if (rc == 0)
		return 0;
	if (rc != HW_ENOTFOUND)
		return rc;
	hw_error_clear(o->r->err);
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		char **grown = realloc(o->ids, cap * sizeof(*grown));

		if (!grown)
			return HW_ERROR;
		o->ids = grown;
		o->cap = cap;
	}
	if (!(o->ids[o->n] = hw_strdup(id)))
		return HW_ERROR;
	o->n++;
	return 0;
}

/*
 * Make every own item of the given state that main lacks pending again;
 * the count goes to *reopened.
 */
static int reopen_missing(run *r, const char *main, int submissions, int state, size_t *reopened)
{
	own_items o;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	o.r = r;
	o.main = main;
	o.submissions = submissions;
	rc = submissions ? store_submissions_with_state(r->st, state, own_item, &o, r->err)
			 : store_events_with_state(r->st, state, own_item, &o, r->err);
	if (rc > 0 || (rc < 0 && !r->err->code))
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
	for (i = 0; rc == 0 && i < o.n; i++)
		rc = submissions ? store_submission_set_state_id(r->st, o.ids[i], STORE_LOCAL, r->err)
				 : store_event_set_state_id(r->st, o.ids[i], STORE_LOCAL, r->err);
	if (rc == 0)
		*reopened += o.n;
	for (i = 0; i < o.n; i++)
		free(o.ids[i]);
	free(o.ids);
	return rc;
}

int sync_step_follow(run *r, sync_result *res)
{
	char mtip[REPO_OID_HEX + 1], tip[REPO_OID_HEX + 1];
	int rc, mformat, bformat;
	size_t reopened = 0;

	rc = repo_ref_get(mtip, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		return 0;   /* no main: nothing to follow */
	}
	if (rc < 0)
		return rc;
	if ((rc = sync_format_of(r, mtip, &mformat)) < 0 || (rc = sync_format_check(r, mformat)) < 0)
		return rc;
	rc = repo_ref_get(tip, r->repo, r->device_ref, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		return 0;   /* no branch yet: the first commit starts from main */
	}
	if (rc < 0 || (rc = sync_format_of(r, tip, &bformat)) < 0)
		return rc;
	if (bformat == mformat)
		return 0;

	/*
	 * main moved to another format.  What main has of ours stays there;
	 * what it lacks (sent but not merged before the migration, or sent to
	 * the old branch since) becomes pending again, and the branch restarts
	 * at main, in one transaction with the items.
	 */
	r->format = mformat;
	if ((rc = store_begin(r->st, r->err)) < 0)
		return rc;
	if ((rc = reopen_missing(r, mtip, 0, STORE_COMMITTED, &reopened)) < 0 ||
	    (rc = reopen_missing(r, mtip, 0, STORE_PUSHED, &reopened)) < 0 ||
	    (rc = reopen_missing(r, mtip, 1, STORE_COMMITTED, &reopened)) < 0 ||
	    (rc = reopen_missing(r, mtip, 1, STORE_PUSHED, &reopened)) < 0 ||
	    (rc = store_events_set_state(r->st, STORE_COMMITTED, STORE_PUSHED, r->err)) < 0 ||
	    (rc = store_submissions_set_state(r->st, STORE_COMMITTED, STORE_PUSHED, r->err)) < 0 ||
	    (rc = repo_ref_set(r->repo, r->device_ref, mtip, r->err)) < 0 ||
	    (rc = store_setting_set(r->st, SYNC_DEVICE_TIP, mtip, r->err)) < 0) {
		store_rollback(r->st);
		return rc;
	}
	if ((rc = store_commit(r->st, r->err)) < 0)
		return rc;
	/* The items main has are marked sent; the branch is replaced on the remote. */
	return sync_send_pending(r, res);
}

/* Steps (a) and (b): commit pending items and push the device branch. */
int sync_send_pending(run *r, sync_result *res)
{
	char tip[REPO_OID_HEX + 1];
	int rc;

	/*
	 * A branch this workspace has never made starts from central main (or
	 * from the remote's copy of this device's branch, after a reinstall):
	 * fetch them first.
	 */
	rc = repo_ref_get(tip, r->repo, r->device_ref, r->err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(r->err);
		if (!r->own_fetched && (rc = sync_step_fetch(r, 0, 1)) < 0)
			return rc;
	} else if (rc < 0) {
		return rc;
	}
	r->keys_wrapped = r->keys_made = 0;
	if ((rc = step_commit(r)) < 0 || (rc = sync_stop_here(r, SYNC_STEP_COMMIT)) < 0)
		return rc;
	res->keys_wrapped += r->keys_wrapped;
	res->keys_made += r->keys_made;
	if ((rc = step_push(r, res)) < 0 || (rc = sync_stop_here(r, SYNC_STEP_PUSH)) < 0)
		return rc;
	return 0;
}

/*
 * True when the push has just seen the server's main where this workspace's
 * copy of it is: a fetch of main would bring nothing, and a sync makes one
 * connection fewer (docs/sync.md).  A merge landing on main after the push
 * began comes with the next sync, as one landing just after a fetch would.
 */
static int main_as_pushed(run *r)
{
	char local[REPO_OID_HEX + 1];
	int rc;

	if (r->main_peeked < 0)
		return 0;
	rc = repo_ref_get(local, r->repo, SYNC_REMOTE_MAIN, r->err);
	hw_error_clear(r->err);
	if (rc == HW_ENOTFOUND)
		return r->main_peeked == 0;
	return rc == 0 && r->main_peeked == 1 && strcmp(local, r->main_peek) == 0;
}

int sync_run(hw_ws *ws, const sync_opts *opts, sync_result *out)
{
	sync_result res;
	run r;
	int rc, pending = 0;

	memset(&res, 0, sizeof(res));
	rc = sync_run_open(&r, ws, opts);
	sync_note_locks(&r, &res);
	if (rc < 0)
		goto cleanup;
	if (r.signed_mode) {
		/* Sealed for the roster as main has it now: take its news first. */
		if ((rc = sync_refresh_roster(&r, 0)) < 0)
			goto cleanup;
		if (!team_members_with_role(r.roster, "supervisor", NULL, 0) &&
		    ws_pending_count(ws, &pending) == 0 && pending > 0) {
			/* Nothing could be sealed that a supervisor can read. */
			rc = hw_error_set(r.err, HW_EINVALID,
					  "the team's roster is not on the central repository yet, so nothing "
					  "can be sealed for its supervisors: your work is kept here until a "
					  "supervisor has merged once");
			goto cleanup;
		}
	}
	if ((rc = sync_send_pending(&r, &res)) < 0)
		goto cleanup;
	if ((!main_as_pushed(&r) && (rc = sync_step_fetch(&r, 0, 0)) < 0) ||
	    (rc = sync_stop_here(&r, SYNC_STEP_FETCH)) < 0)
		goto cleanup;
	if ((rc = sync_step_follow(&r, &res)) < 0)
		goto cleanup;
	if ((rc = sync_step_import(&r, &res)) == 0)
		rc = sync_finished(&r, &res);

cleanup:
	sync_run_close(&r);
	if (out)
		*out = res;
	return rc;
}

/*
 * HW_EINVALID, saying what is for supervisors, unless this device is a
 * supervisor: in the team roster when the workspace has device keys (the
 * role setting plays no part), else by its role setting.
 */
int sync_require_supervisor(hw_ws *ws, const char *what)
{
	char *role = NULL;
	int rc = 0;

	if (sync_team_mode(ws))
		return team_require_supervisor(ws, what);
	if (ws_get(ws, WS_ROLE, &role) < 0 || !role || strcmp(role, "supervisor") != 0)
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "%s is for supervisors: this workspace's role (%s) is %s", what,
				  WS_ROLE, role ? role : "not set");
	free(role);
	return rc;
}
