/*
 * merge.c: supervisor merge.  Every device branch is validated (only
 * additions of well-formed events and submissions in the layout's places),
 * the good ones are unioned into main, main is pushed and the result
 * imported, with the run machinery of sync.c (sync_int.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "envelope.h"
#include "event.h"
#include "seal.h"
#include "store.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "sync_int.h"
#include "team.h"
#include "util.h"
#include "workspace.h"

#define MAX_REPORTED 20                     /* offending files listed per branch */

/*
 * A table of UUID keys (event ids, case ids), each with a blob id or a
 * count: open addressing, grown at half full.
 */
typedef struct id_slot {
	char key[HW_UUID_LEN + 1];    /* "" when free */
	char blob[REPO_OID_HEX + 1];
	size_t count;
} id_slot;

typedef struct id_table {
	id_slot *slots;
	size_t cap, n;
} id_table;

static void id_table_free(id_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* FNV-1a of a key. */
static size_t id_hash(const char *k)
{
	size_t h = 1469598103934665603u;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return h;
}

/* The slot of key: the one holding it, or the free one where it would go. */
static id_slot *id_find(const id_table *t, const char *key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = id_hash(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
		if (!t->slots[i].key[0] || strcmp(t->slots[i].key, key) == 0)
			return &t->slots[i];
}

/* The entry of key, NULL when absent. */
static id_slot *id_get(const id_table *t, const char *key)
{
	id_slot *s = id_find(t, key);

	return s && s->key[0] ? s : NULL;
}

/* The entry of key, added (count 0, no blob) when absent; NULL when out of memory. */
static id_slot *id_put(id_table *t, const char *key)
{
	id_slot *s;

	if (2 * (t->n + 1) > t->cap) {
		id_table bigger = { NULL, t->cap ? t->cap * 2 : 256, 0 };
		size_t i;

		if (!(bigger.slots = calloc(bigger.cap, sizeof(id_slot))))
			return NULL;
		for (i = 0; i < t->cap; i++)
			if (t->slots[i].key[0]) {
				*id_find(&bigger, t->slots[i].key) = t->slots[i];
				bigger.n++;
			}
		free(t->slots);
		*t = bigger;
	}
	s = id_find(t, key);
	if (!s->key[0]) {
		memset(s, 0, sizeof(*s));
		snprintf(s->key, sizeof(s->key), "%s", key);
		t->n++;
	}
	return s;
}

/* A device branch under validation. */
typedef struct branch_ctx {
	run *r;
	merge_result *res;
	const char *device;
	file_list accepted;
	int bad;                /* offending files found */
	id_table *merged;       /* event ids added to main by this merge: blob */
	id_table ids;           /* event ids of this branch: blob */
	id_table per_case;      /* events of this branch per case: count */
	size_t files;           /* files of the commit being read */
	int format;             /* main's format: the layout of the paths */
	const char *commit;     /* the commit being read */
	const char *main;       /* central main ("" when none) */
	size_t nkeys;           /* wrap files accepted */
} branch_ctx;

/* Record why a branch is refused (path may be ""). */
static int reject(merge_result *res, const char *device, const char *path, const char *reason)
{
	merge_rejection *grown = realloc(res->rejections,
					 (res->nrejections + 1) * sizeof(*grown));
	merge_rejection *m;

	if (!grown)
		return HW_ERROR;
	res->rejections = grown;
	m = &grown[res->nrejections];
	m->device = hw_strdup(device);
	m->path = hw_strdup(path);
	m->reason = hw_strdup(reason);
	if (!m->device || !m->path || !m->reason) {
		free(m->device);
		free(m->path);
		free(m->reason);
		return HW_ERROR;
	}
	res->nrejections++;
	return 0;
}

/* True if s, of n characters, is a lower-case canonical UUID. */
static int uuid_n(const char *s, size_t n)
{
	char tmp[HW_UUID_LEN + 1];

	if (n != HW_UUID_LEN)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return hw_uuid_valid(tmp);
}

/*
 * Whether an event id is free for this content: not known to main (as
 * imported into this workspace), to an earlier branch of this merge or to
 * this branch with other content.  NULL or why not (caller frees).
 */
static char *check_event_id(branch_ctx *b, const hw_event *ev, const char *blob)
{
	id_slot *s = id_get(b->merged, ev->id);
	char *stored = NULL, *canon = NULL, *why = NULL;
	hw_error e = { 0, "" };
	int rc;

	if (!s)
		s = id_get(&b->ids, ev->id);
	if (s && strcmp(s->blob, blob) != 0)
		return sync_fmt("the event id %s is already used by another file", ev->id);
	rc = store_event_json(ws_store(b->r->ws), ev->id, &stored, &e);
	if (rc == HW_ENOTFOUND)
		return NULL;
	if (rc < 0)
		return sync_fmt("the event id %s could not be checked: %s", ev->id, e.msg);
	if (event_to_json(&canon, ev, &e) < 0 || strcmp(canon, stored) != 0)
		why = sync_fmt("the event id %s is already used by another event on main", ev->id);
	free(stored);
	free(canon);
	return why;
}

/* Check an event file of a device branch; returns NULL or why not (caller frees). */
static char *check_event(branch_ctx *b, const char *case_id, const char *name,
			 const char *json, size_t len, const char *blob)
{
	hw_event *ev = NULL;
	hw_error e = { 0, "" };
	char *why = NULL;
	id_slot *count;

	if (event_parse(&ev, json, len, &e) < 0 || case_check_event(ev, &e) < 0) {
		event_free(ev);
		return sync_fmt("not a valid event: %s", e.msg);
	}
	if (strncmp(ev->id, name, HW_UUID_LEN) != 0)
		why = sync_fmt("the event's id %s is not its file name", ev->id);
	else if (strcmp(ev->case_id, case_id) != 0)
		why = sync_fmt("the event's case %s is not its folder", ev->case_id);
	else if (!ev->device || strcmp(ev->device, b->device) != 0)
		why = sync_fmt("the event was made on device \"%s\", not on this branch's device",
			       ev->device ? ev->device : "");
	else if (b->r->signed_mode && team_member_get(b->r->roster, b->device) &&
		 strcmp(ev->author ? ev->author : "", team_member_get(b->r->roster, b->device)->name) != 0)
		/* The author is the roster's name for the device, never a local setting. */
		why = sync_fmt("the event's author \"%s\" is not the team roster's name for device %s",
			       ev->author ? ev->author : "", b->device);
	else
		why = check_event_id(b, ev, blob);
	if (!why) {
		id_slot *s = id_put(&b->ids, ev->id);

		if (!(count = id_put(&b->per_case, case_id)) || !s)
			why = sync_fmt("out of memory");
		else if (++count->count > SYNC_MAX_CASE_EVENTS)
			why = sync_fmt("more than %d new events in one case, the limit of one merge",
				       SYNC_MAX_CASE_EVENTS);
		else
			snprintf(s->blob, sizeof(s->blob), "%s", blob);
	}
	event_free(ev);
	return why;
}

/* Check a submission file: XML whose text names its instance id. */
static char *check_submission(const char *instance, size_t ilen, const char *xml, size_t len)
{
	const char *p = xml, *end = xml + len;

	if (memchr(xml, '\0', len))
		return sync_fmt("a submission must be text, this has NUL bytes");
	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf)
		p += 3;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t'))
		end--;
	if (p == end || *p != '<' || end[-1] != '>')
		return sync_fmt("a submission must be an XML document");
	{
		char *id = strndup(instance, ilen);
		int found = id && strstr(xml, id) != NULL;

		free(id);
		if (!found)
			return sync_fmt("the submission does not carry its instance id %.*s", (int)ilen, instance);
	}
	return NULL;
}

/*
 * Check a wrap file of a device branch, rest being "<key id>/<device>":
 * the names and the size of a wrap, its first line.  What it seals cannot
 * be checked (it is for its recipient); a wrap that does not open only
 * fails its recipient.  NULL or why not (caller frees).
 */
static char *check_wrap(branch_ctx *b, const char *rest, const char *blob)
{
	char id[SEAL_KEY_ID_LEN + 1], *data = NULL, *why = NULL;
	const char *slash = strchr(rest, '/');
	size_t len = 0;

	if (!slash || slash - rest != SEAL_KEY_ID_LEN || !sync_device_id_ok(slash + 1))
		return sync_fmt("a key file must be keys/<key id>/<device id>");
	memcpy(id, rest, SEAL_KEY_ID_LEN);
	id[SEAL_KEY_ID_LEN] = '\0';
	if (!seal_key_id_valid(id))
		return sync_fmt("a key file must be keys/<key id>/<device id>");
	if (repo_blob_size(&len, b->r->repo, blob, b->r->err) < 0 || len > SEAL_WRAP_FILE_MAX)
		return sync_fmt("a key file larger than %d bytes", SEAL_WRAP_FILE_MAX);
	if (repo_blob_read(&data, &len, b->r->repo, blob, b->r->err) < 0)
		return sync_fmt("a key file that cannot be read");
	if (len < 17 || strncmp(data, "homeward-wrap 1\n", 16) != 0)
		why = sync_fmt("not a wrapped case key");
	free(data);
	hw_error_clear(b->r->err);
	return why;
}

/*
 * A branch's event or submission in clear, for the checks: the body of its
 * envelope, opened with the key wrapped for this supervisor.  Once commits
 * are sealed, a file in clear or sealed for others is refused (*why).
 */
static int open_branch_file(branch_ctx *b, const char *case_id, const char *name,
			    char **content, size_t *len, char **why)
{
	const char *commits[2] = { b->commit, b->main };
	char *plain = NULL;
	size_t plen = 0;
	int sealed = 0, rc;

	*why = NULL;
	if (!envelope_is(*content, *len)) {
		if (sync_sealer_active(b->r->sealer))
			*why = sync_fmt("the file is not sealed: every event and submission must be");
		return *why || !sync_sealer_active(b->r->sealer) ? 0 : HW_ERROR;
	}
	rc = sync_seal_open(b->r->sealer, b->format, commits, 2, case_id, name, *content, *len, &plain,
			    &plen, &sealed);
	if (rc == HW_ENOTFOUND)
		*why = sync_fmt("sealed with a case key that is not wrapped for this supervisor");
	else if (rc == HW_EINVALID)
		*why = sync_fmt("%s", b->r->err->msg);
	else if (rc < 0)
		return rc;
	else if (!sealed && sync_sealer_active(b->r->sealer))
		*why = sync_fmt("the file is in clear: every event and submission must be sealed");
	hw_error_clear(b->r->err);
	if (rc == 0) {
		free(*content);
		*content = plain;
		*len = plen;
	} else if (!*why) {
		return hw_error_set(b->r->err, HW_ERROR, "out of memory");
	}
	return 0;
}

/*
 * Validate one change of a device branch.  Only additions of events and
 * submissions in the layout's places are accepted.
 */
static int branch_collect(int kind, const char *path, const char *blob, void *payload)
{
	branch_ctx *b = payload;
	char case_id[HW_UUID_LEN + 1], *why = NULL, *content = NULL;
	const char *p, *name;
	size_t len = 0, nlen;
	int is_event, rc = 0;

	if (++b->files > SYNC_MAX_COMMIT_FILES) {
		/* Stop reading this commit: the branch is refused whole. */
		why = sync_fmt("a commit adds more than %d files, the limit", SYNC_MAX_COMMIT_FILES);
		rc = why ? reject(b->res, b->device, "", why) : HW_ERROR;
		free(why);
		b->bad++;
		return rc < 0 ? hw_error_set(b->r->err, HW_ERROR, "out of memory") : 1;
	}
	if (kind == REPO_BAD_ENTRY)
		why = sync_fmt("%s", blob);
	else if (kind == REPO_MODIFIED)
		why = sync_fmt("an existing file was changed: only additions are accepted");
	else if (kind == REPO_DELETED)
		why = sync_fmt("a file was deleted: only additions are accepted");
	if (why)
		goto refuse;

	/* <case folder of the layout>/(events|submissions)/<name> */
	if (kind == REPO_ADDED && strcmp(path, SYNC_FORMAT_FILE) == 0)
		return 0;   /* a branch started with no main says its format: main's, checked */
	if (strncmp(path, "forms/", 6) == 0) {
		why = sync_fmt("devices may not publish forms: only a supervisor adds files under forms/, "
			       "with `homeward form publish`");
		goto refuse;
	}
	if (strncmp(path, "cases/", 6) != 0) {
		why = sync_fmt("devices may only add files under cases/");
		goto refuse;
	}
	if (!(p = sync_case_split(b->format, path, case_id))) {
		why = sync_fmt("not a case folder of the layout %s", sync_case_layout(b->format));
		goto refuse;
	}
	if (strncmp(p, "keys/", 5) == 0) {
		why = check_wrap(b, p + 5, blob);
		if (why)
			goto refuse;
		if (sync_list_add(&b->accepted, hw_strdup(path), NULL, 0, hw_strdup(blob)) < 0)
			return hw_error_set(b->r->err, HW_ERROR, "out of memory");
		b->nkeys++;
		return 0;
	}
	if (strncmp(p, "events/", 7) == 0) {
		is_event = 1;
		name = p + 7;
	} else if (strncmp(p, "submissions/", 12) == 0) {
		is_event = 0;
		name = p + 12;
	} else {
		why = sync_fmt("only events/, submissions/ and keys/ may be added to a case");
		goto refuse;
	}
	nlen = strlen(name);
	if (strchr(name, '/') ||
	    (is_event && (nlen != HW_UUID_LEN + 5 || strcmp(name + HW_UUID_LEN, ".json") != 0 ||
			  !uuid_n(name, HW_UUID_LEN))) ||
	    (!is_event && (nlen != HW_UUID_LEN + 9 || strncmp(name, "uuid:", 5) != 0 ||
			   strcmp(name + 5 + HW_UUID_LEN, ".xml") != 0 ||
			   !uuid_n(name + 5, HW_UUID_LEN)))) {
		why = sync_fmt(is_event ? "an event file must be named <event id>.json"
					: "a submission file must be named uuid:<instance id>.xml");
		goto refuse;
	}
	/* The size from the object's header: a huge file is never read. */
	if ((rc = repo_blob_size(&len, b->r->repo, blob, b->r->err)) < 0)
		return rc;
	if (len > REPO_MAX_FILE_SIZE) {
		why = sync_fmt("the file is larger than %u bytes", REPO_MAX_FILE_SIZE);
		goto refuse;
	}
	if ((rc = repo_blob_read(&content, &len, b->r->repo, blob, b->r->err)) < 0)
		return rc;
	if (b->r->signed_mode) {
		hw_error e = { 0, "" };

		/* Signed by this branch's device, a present member, for this very file. */
		if (team_check_file(b->r->roster, content, len, case_id, name, b->device, NULL, NULL,
				    NULL, NULL, &e) < 0) {
			why = sync_fmt("%s", e.msg);
			free(content);
			goto refuse;
		}
	}
	if ((rc = open_branch_file(b, case_id, name, &content, &len, &why)) < 0) {
		free(content);
		return rc;
	}
	if (why) {
		free(content);
		goto refuse;
	}
	if (is_event)
		why = check_event(b, case_id, name, content, len, blob);
	else
		why = check_submission(name, nlen - 4, content, len);
	free(content);
	if (why)
		goto refuse;
	rc = sync_list_add(&b->accepted, hw_strdup(path), NULL, 0, hw_strdup(blob));
	if (rc == 0) {
		if (is_event)
			b->accepted.nevents++;
		else
			b->accepted.nsubmissions++;
	}
	return rc < 0 ? hw_error_set(b->r->err, HW_ERROR, "out of memory") : 0;

refuse:
	if (!why)
		return hw_error_set(b->r->err, HW_ERROR, "out of memory");
	b->bad++;
	if (b->bad <= MAX_REPORTED)
		rc = reject(b->res, b->device, path, why);
	free(why);
	return rc < 0 ? hw_error_set(b->r->err, HW_ERROR, "out of memory") : 0;
}

/*
 * Validate one commit of a device branch against its parent: device
 * branches are linear, so a commit with several parents is refused; every
 * commit is read, so a file added and deleted again is seen.
 */
static int branch_commit(const char *commit, const char *parent, unsigned nparents,
			 void *payload)
{
	branch_ctx *b = payload;
	char *why;
	int rc;

	if (nparents > 1) {
		why = sync_fmt("commit %.12s has %u parents: a device branch has no merge commits",
			       commit, nparents);
		rc = why ? reject(b->res, b->device, "", why) : HW_ERROR;
		free(why);
		b->bad++;
		return rc < 0 ? hw_error_set(b->r->err, HW_ERROR, "out of memory") : 0;
	}
	b->files = 0;
	b->commit = commit;
	rc = repo_diff(b->r->repo, parent, commit, branch_collect, b, b->r->err);
	return rc > 0 ? 0 : rc;
}

/* The state of one merge attempt. */
typedef struct merge_ctx {
	run *r;
	merge_result *res;
	id_table merged;                /* event ids added by this attempt: blob */
	char main[REPO_OID_HEX + 1];    /* central main, "" when there is none */
	char tree[REPO_OID_HEX + 1];    /* main's tree with the accepted files, "" when empty */
	int format;                     /* main's format (the newest when there is no main) */
	char **parents;                 /* device tips merged */
	size_t nparents;
	hw_buf names;                   /* "dev-a, dev-b" for the message */
	int review;                     /* only check: no commit, no push */
	size_t nrefs, iref;             /* device branches, and the one being checked */
} merge_ctx;

/*
 * Note a device branch in res->branches (state MERGE_BRANCH_MERGED until
 * told otherwise): its tip, and when and by whom that commit was made.
 * Returns its index, or HW_ERROR (out of memory, in r->err).
 */
static int branch_note(run *r, merge_result *res, const char *device, const char *tip)
{
	merge_branch_info *grown = realloc(res->branches, (res->nbranches + 1) * sizeof(*grown));
	merge_branch_info *x;

	if (!grown)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	res->branches = grown;
	x = &grown[res->nbranches];
	memset(x, 0, sizeof(*x));
	snprintf(x->tip, sizeof(x->tip), "%s", tip);
	if (repo_commit_meta(r->repo, tip, x->committed_at, &x->author, r->err) < 0) {
		/* Only for the screen: a commit that cannot be read is refused later anyway. */
		hw_error_clear(r->err);
		x->committed_at[0] = '\0';
	}
	if (r->signed_mode && team_member_get(r->roster, device)) {
		/* In a team the owner is who the roster says, not what a commit claims. */
		free(x->author);
		x->author = hw_strdup(team_member_get(r->roster, device)->name);
	}
	if (!x->author)
		x->author = hw_strdup("");
	if (!(x->device = hw_strdup(device)) || !x->author) {
		free(x->device);
		free(x->author);
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	}
	return (int)res->nbranches++;
}

/* Counts device branches, for progress. */
static int count_ref(const char *refname, const char *tip, void *payload)
{
	(void)refname;
	(void)tip;
	(*(size_t *)payload)++;
	return 0;
}
static int merge_wait(merge_result *res, const char *device);

/* Validate one device branch and, when it is good, add its new files to the tree. */
static int merge_branch(const char *refname, const char *tip, void *payload)
{
	merge_ctx *m = payload;
	run *r = m->r;
	branch_ctx b;
	char base[REPO_OID_HEX + 1] = "", tree[REPO_OID_HEX + 1];
	merge_branch_info *note;
	int rc, at;

	memset(&b, 0, sizeof(b));
	b.r = r;
	b.res = m->res;
	b.device = refname + strlen(SYNC_REMOTE_DEVICES);
	b.merged = &m->merged;
	b.main = m->main;
	if ((rc = sync_report_progress(r, SYNC_STEP_MERGE, 0, m->iref++, m->nrefs, NULL, 0)) < 0 ||
	    (at = branch_note(r, m->res, b.device, tip)) < 0)
		return rc < 0 ? rc : at;
/* The note of this branch (res->branches moves as it grows). */
#define NOTE (&m->res->branches[at])
	if (!sync_device_id_ok(b.device)) {
		/* Never a branch of ours: refs/heads/devices/a/b and the like. */
		m->res->devices++;
		NOTE->state = MERGE_BRANCH_REJECTED;
		NOTE->offending = 1;
		rc = reject(m->res, b.device, "", "not a device branch: a device id has no '/' "
			    "and is letters, digits, '.', '_' and '-'");
		return rc < 0 ? hw_error_set(r->err, HW_ERROR, "out of memory") : 0;
	}

	/* What is new: everything since the branch last met main. */
	if (r->signed_mode && !team_member_get(r->roster, b.device)) {
		/* Not on the roster yet: kept for when a supervisor adds the device. */
		if (m->main[0]) {
			rc = repo_merge_base(base, r->repo, m->main, tip, r->err);
			if (rc == 0 && strcmp(base, tip) == 0)
				return 0;
			hw_error_clear(r->err);
		}
		NOTE->state = MERGE_BRANCH_WAITING;
		return merge_wait(m->res, b.device) < 0 ? hw_error_set(r->err, HW_ERROR, "out of memory") : 0;
	}
	if (m->main[0]) {
		rc = repo_merge_base(base, r->repo, m->main, tip, r->err);
		if (rc == HW_ENOTFOUND) {
			base[0] = '\0';
			hw_error_clear(r->err);
		} else if (rc < 0) {
			return rc;
		}
		if (strcmp(base, tip) == 0)
			return 0;   /* already merged */
	}
	{
		int format;

		/*
		 * A branch in another format than main: its device has not synced
		 * since main was migrated.  It moves its branch to main by itself
		 * on its next sync; until then it waits, and nothing is refused.
		 */
		if ((rc = sync_format_of(r, tip, &format)) < 0)
			return rc;
		if (format != m->format) {
			m->res->devices_behind++;
			NOTE->state = MERGE_BRANCH_BEHIND;
			return 0;
		}
	}
	b.format = m->format;
	m->res->devices++;
	if ((rc = sync_report_progress(r, SYNC_STEP_MERGE, 1, m->iref - 1, m->nrefs, b.device,
				       strlen(b.device))) < 0)
		return rc;
	/* Every commit that main does not have, not only the tip's tree. */
	rc = repo_walk(r->repo, tip, m->main[0] ? m->main : NULL, REPO_MAX_WALK, branch_commit,
		       &b, r->err);
	if (rc == HW_EINVALID) {
		rc = reject(m->res, b.device, "", r->err->msg);
		hw_error_clear(r->err);
		if (rc < 0)
			goto cleanup;
		b.bad++;
		rc = 0;
	}
	if (rc < 0)
		goto cleanup;
	note = NOTE;
	note->events = b.accepted.nevents;
	note->submissions = b.accepted.nsubmissions;
	note->keys = b.nkeys;
	note->cases = b.per_case.n;
	if (b.bad) {
		note->state = MERGE_BRANCH_REJECTED;
		note->offending = (size_t)b.bad;
		if (b.bad > MAX_REPORTED) {
			char *more = sync_fmt("and %d more offending files", b.bad - MAX_REPORTED);

			rc = more ? reject(m->res, b.device, "", more) : HW_ERROR;
			free(more);
			if (rc < 0)
				goto cleanup;
		}
		rc = 0;
		goto cleanup;
	}
	if (b.accepted.n == 0)
		goto cleanup;
	rc = repo_tree_add(tree, r->repo, m->tree[0] ? m->tree : NULL, b.accepted.items,
			   b.accepted.n, r->err);
	if (rc == HW_ECONFLICT) {
		/* A file main already has with other content: a forged or damaged bundle. */
		NOTE->state = MERGE_BRANCH_REJECTED;
		NOTE->offending = 1;
		rc = reject(m->res, b.device, "", r->err->msg);
		hw_error_clear(r->err);
		goto cleanup;
	}
	if (rc < 0)
		goto cleanup;
	{
		char **grown = realloc(m->parents, (m->nparents + 1) * sizeof(*grown));

		if (!grown || !(grown[m->nparents] = hw_strdup(tip))) {
			if (grown)
				m->parents = grown;
			rc = hw_error_set(r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		m->parents = grown;
		m->nparents++;
	}
	memcpy(m->tree, tree, sizeof(tree));
	{
		size_t i;

		for (i = 0; i < b.ids.cap; i++) {
			id_slot *s;

			if (!b.ids.slots[i].key[0])
				continue;
			if (!(s = id_put(&m->merged, b.ids.slots[i].key))) {
				rc = hw_error_set(r->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			memcpy(s->blob, b.ids.slots[i].blob, sizeof(s->blob));
		}
	}
	hw_buf_printf(&m->names, "%s%s", m->names.len ? ", " : "", b.device);
	NOTE->state = MERGE_BRANCH_GOOD;
	m->res->devices_merged++;
	m->res->events_merged += b.accepted.nevents;
	m->res->submissions_merged += b.accepted.nsubmissions;

cleanup:
#undef NOTE
	sync_list_free(&b.accepted);
	id_table_free(&b.ids);
	id_table_free(&b.per_case);
	return rc;
}

/* Note a device branch that waits for its device to be enrolled. */
static int merge_wait(merge_result *res, const char *device)
{
	char **grown = realloc(res->waiting, (res->nwaiting + 1) * sizeof(*grown));

	if (!grown)
		return HW_ERROR;
	res->waiting = grown;
	if (!(grown[res->nwaiting] = hw_strdup(device)))
		return HW_ERROR;
	res->nwaiting++;
	return 0;
}

/*
 * Add the roster entries this workspace holds and main lacks (a
 * supervisor's team add and remove) to the tree being merged; *changed
 * when there were some.
 */
static int add_roster(run *r, merge_ctx *m, int *changed)
{
	team_file *tf = NULL;
	repo_file *files = NULL;
	char tree[REPO_OID_HEX + 1];
	size_t n = 0, i;
	int rc;

	*changed = 0;
	if ((rc = team_files_local(r->ws, &tf, &n)) < 0 || n == 0)
		goto cleanup;
	if (!(files = calloc(n, sizeof(*files)))) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		files[i].path = tf[i].path;
		files[i].data = tf[i].data;
		files[i].len = tf[i].len;
	}
	if ((rc = repo_tree_add(tree, r->repo, m->tree[0] ? m->tree : NULL, files, n, r->err)) < 0)
		goto cleanup;
	if (strcmp(tree, m->tree) != 0) {
		memcpy(m->tree, tree, sizeof(tree));
		*changed = 1;
	}
cleanup:
	free(files);
	team_files_free(tf, n);
	return rc;
}

/* Forget the outcome of a merge attempt before redoing it. */
static void merge_reset(merge_result *res)
{
	sync_result keep = res->sync;

	merge_result_free(res);
	memset(res, 0, sizeof(*res));
	res->sync = keep;
}

/*
 * One merge attempt: validate every device branch against central main as
 * fetched, commit the union on main and push it.  REPO_ENONFASTFORWARD
 * when main moved on meanwhile.
 */
static int merge_once(run *r, merge_result *res, int review)
{
	merge_ctx m;
	char commit[REPO_OID_HEX + 1];
	char *message = NULL, *email = NULL;
	repo_commit_opts co = REPO_COMMIT_OPTS_INIT;
	const char *spec[1] = { MAIN_REF ":" MAIN_REF };
	size_t i;
	int rc, team_changed = 0, repair = 0, bulk = 0;

	memset(&m, 0, sizeof(m));
	m.r = r;
	m.res = res;
	m.review = review;
	r->step = SYNC_STEP_MERGE;
	rc = repo_ref_get(m.main, r->repo, SYNC_REMOTE_MAIN, r->err);
	if (rc == 0 && r->signed_mode && r->main_forged) {
		/*
		 * main has commits no supervisor signed (the import named their
		 * files): build on the last signed one, and replace main with it.
		 */
		repair = 1;
		spec[0] = "+" MAIN_REF ":" MAIN_REF;
		memcpy(m.main, r->main_trusted, sizeof(m.main));
		if (!m.main[0])
			rc = HW_ENOTFOUND;
	}
	if (rc == HW_ENOTFOUND) {
		/* The first main says its format. */
		repo_file ff;
		char fbuf[16];

		m.main[0] = '\0';
		hw_error_clear(r->err);
		m.format = sync_format_new(r);
		sync_format_file(&ff, fbuf, m.format);
		if ((rc = repo_tree_add(m.tree, r->repo, NULL, &ff, 1, r->err)) < 0)
			return rc;
	} else if (rc < 0) {
		return rc;
	} else if ((rc = repo_commit_tree(m.tree, r->repo, m.main, r->err)) < 0 ||
		   (rc = sync_format_of(r, m.main, &m.format)) < 0 ||
		   (rc = sync_format_check(r, m.format)) < 0) {
		return rc;
	}
	if ((rc = repo_ref_each(r->repo, SYNC_REMOTE_DEVICES "*", count_ref, &m.nrefs, r->err)) < 0)
		goto cleanup;
	/*
	 * One pack for the whole merge, of the trees the final tree uses:
	 * each branch would otherwise write a pack of its own (twenty packs
	 * for twenty devices, each read by every later lookup until rolled
	 * up), with the top of the tree rewritten once per branch in each.
	 */
	if (!review) {
		if ((rc = repo_bulk_begin(r->repo, r->err)) < 0)
			goto cleanup;
		bulk = 1;
	}
	rc = repo_ref_each(r->repo, SYNC_REMOTE_DEVICES "*", merge_branch, &m, r->err);
	if (rc == 0 && m.nrefs)
		rc = sync_report_progress(r, SYNC_STEP_MERGE, 0, m.nrefs, m.nrefs, NULL, 0);
	if (rc < 0 || review)
		goto cleanup;
	if (r->signed_mode && (rc = add_roster(r, &m, &team_changed)) < 0)
		goto cleanup;
	if (m.nparents == 0 && !team_changed && !repair)
		goto cleanup;

	/*
	 * A merge commit: main first, then every merged device tip.  The tips
	 * being ancestors of main is what tells the next merge where each
	 * branch was last merged (their merge base), with no state to keep.
	 */
	message = m.nparents ? sync_fmt("Merge %zu device branch%s: %s", m.nparents,
					m.nparents == 1 ? "" : "es", m.names.ptr)
			     : sync_fmt("Update the team roster");
	if (!m.tree[0] && (rc = repo_tree_add(m.tree, r->repo, NULL, NULL, 0, r->err)) < 0)
		goto cleanup;
	/* The tree is final: its new objects go to disk before the commits that name it. */
	bulk = 0;
	if ((rc = repo_bulk_end_tree(r->repo, m.tree, r->err)) < 0)
		goto cleanup;
	email = sync_fmt("%s@devices.homeward.invalid", r->device);
	co.author_name = *ws_author(r->ws) ? ws_author(r->ws) : r->device;
	co.author_email = email;
	co.message = message;
	co.parents = (const char *const *)m.parents;
	co.nparents = m.nparents;
	if (!message || !email || hw_buf_oom(&m.names)) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!m.main[0] && !r->signed_mode) {
		/* No main yet: the first device tip is the first parent. */
		co.parents = (const char *const *)m.parents + 1;
		co.nparents = m.nparents - 1;
	}
	if (r->signed_mode) {
		/*
		 * Main is signed by a supervisor, commit by commit along its first
		 * parents; a first main is a root commit of its own, so that line
		 * never runs into a device's commits.
		 */
		co.sign = sync_sign_commit;
		co.sign_payload = r;
	}
	if (!m.main[0] && r->signed_mode) {
		/* A signed root for a first main: its first-parent line is the supervisors' own. */
		repo_commit_opts ro = co;
		char empty[REPO_OID_HEX + 1];

		ro.message = "Start main";
		ro.parents = NULL;
		ro.nparents = 0;
		if ((rc = repo_tree_add(empty, r->repo, NULL, NULL, 0, r->err)) < 0 ||
		    (rc = repo_commit_create(m.main, r->repo, NULL, empty, NULL, &ro, r->err)) < 0)
			goto cleanup;
	}
	rc = repo_commit_create(commit, r->repo, MAIN_REF, m.tree,
				m.main[0] ? m.main : m.parents[0], &co, r->err);
	if (rc < 0)
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
	rc = repo_ref_set(r->repo, SYNC_REMOTE_MAIN, commit, r->err);

cleanup:
	if (bulk)
		repo_bulk_end(r->repo, 0, NULL);   /* nothing to commit: what was written goes */
	for (i = 0; i < m.nparents; i++)
		free(m.parents[i]);
	free(m.parents);
	hw_buf_free(&m.names);
	id_table_free(&m.merged);
	free(message);
	free(email);
	return rc;
}

/*
 * Hand the device branches the fetches dropped to the result, each with
 * whether main has all of it (main as this run left it).
 */
static void note_pruned(run *r, merge_result *res)
{
	char mtip[REPO_OID_HEX + 1], base[REPO_OID_HEX + 1];
	hw_error quiet;
	size_t i;
	int have_main;

	if (!r->repo)
		return;
	sync_take_pruned(r, &res->pruned, &res->npruned);
	/* A failed look here must not replace the run's own error. */
	memset(&quiet, 0, sizeof(quiet));
	have_main = repo_ref_get(mtip, r->repo, SYNC_REMOTE_MAIN, &quiet) == 0;
	for (i = 0; i < res->npruned; i++)
		res->pruned[i].merged = have_main &&
					repo_merge_base(base, r->repo, mtip, res->pruned[i].tip, &quiet) == 0 &&
					strcmp(base, res->pruned[i].tip) == 0;
}

int merge_run(hw_ws *ws, const sync_opts *opts, merge_result *out)
{
	merge_result res;
	run r;
	int rc, attempt, max;

	memset(&res, 0, sizeof(res));
	rc = sync_run_open(&r, ws, opts);
	sync_note_locks(&r, &res.sync);
	if (rc < 0)
		goto cleanup;
	if ((rc = sync_require_supervisor(ws, "merging")) < 0)
		goto cleanup;
	/*
	 * One fetch brings the roster (on main) and the device branches:
	 * nothing reads a device branch before merge_once, which checks them
	 * against the roster kept by then.  The supervisor's own push comes
	 * between; a main that moves meanwhile makes the push of main a
	 * non-fast-forward, and the merge is redone on a fresh fetch.
	 */
	if (r.signed_mode && (rc = sync_refresh_roster(&r, 1)) < 0)
		goto cleanup;
	/* The supervisor's own records travel like any device's. */
	if ((rc = sync_send_pending(&r, &res.sync)) < 0)
		goto cleanup;

	max = r.opts->max_retries > 0 ? r.opts->max_retries : 5;
	for (attempt = 0;; attempt++) {
		if ((attempt > 0 || !r.signed_mode) && (rc = sync_step_fetch(&r, 1, 0)) < 0)
			goto cleanup;
		if (attempt == 0 && (rc = sync_stop_here(&r, SYNC_STEP_FETCH)) < 0)
			goto cleanup;
		/* main in a new format: the supervisor's own branch follows it first. */
		if ((rc = sync_step_follow(&r, &res.sync)) < 0)
			goto cleanup;
		/*
		 * Import main first: an event id is unique in the whole
		 * repository, and this workspace's store is what knows main's ids.
		 */
		if ((rc = sync_step_import(&r, &res.sync)) < 0)
			goto cleanup;
		rc = merge_once(&r, &res, 0);
		if (rc != REPO_ENONFASTFORWARD || attempt >= max)
			break;
		/* Another supervisor pushed main first: start again from theirs. */
		merge_reset(&res);
		res.retries = attempt + 1;
		hw_error_clear(r.err);
	}
	if (rc == REPO_ENONFASTFORWARD) {
		r.err->code = rc = HW_ECONFLICT;
		hw_error_prefix(r.err, "main kept moving while merging (%d attempts): try again later",
				attempt + 1);
	}
	if (rc < 0 || (rc = sync_stop_here(&r, SYNC_STEP_MERGE)) < 0)
		goto cleanup;
	/* A merge sends and receives all the way too. */
	if ((rc = sync_step_import(&r, &res.sync)) == 0)
		rc = sync_finished(&r, &res.sync);

cleanup:
	note_pruned(&r, &res);
	sync_run_close(&r);
	if (out)
		*out = res;
	else
		merge_result_free(&res);
	return rc;
}

int merge_review(hw_ws *ws, const sync_opts *opts, merge_result *out)
{
	merge_result res;
	run r;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = sync_run_open(&r, ws, opts);
	sync_note_locks(&r, &res.sync);
	if (rc < 0)
		goto cleanup;
	if ((rc = sync_require_supervisor(ws, "reviewing the device branches")) < 0)
		goto cleanup;
	/* The roster and the device branches in one fetch, as merge_run. */
	if (r.signed_mode && (rc = sync_refresh_roster(&r, 1)) < 0)
		goto cleanup;
	if (!r.signed_mode && (rc = sync_step_fetch(&r, 1, 0)) < 0)
		goto cleanup;
	rc = merge_once(&r, &res, 1);

cleanup:
	note_pruned(&r, &res);
	sync_run_close(&r);
	if (out)
		*out = res;
	else
		merge_result_free(&res);
	return rc;
}

void merge_result_free(merge_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nbranches; i++) {
		free(r->branches[i].device);
		free(r->branches[i].author);
	}
	free(r->branches);
	r->branches = NULL;
	r->nbranches = 0;
	for (i = 0; i < r->nrejections; i++) {
		free(r->rejections[i].device);
		free(r->rejections[i].path);
		free(r->rejections[i].reason);
	}
	free(r->rejections);
	r->rejections = NULL;
	r->nrejections = 0;
	for (i = 0; i < r->nwaiting; i++)
		free(r->waiting[i]);
	free(r->waiting);
	r->waiting = NULL;
	r->nwaiting = 0;
	sync_pruned_free(r->pruned, r->npruned);
	r->pruned = NULL;
	r->npruned = 0;
}
