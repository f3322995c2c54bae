/*
 * seal_sync.c: what sync, merge and migration seal and open (see seal.h and
 * docs/security.md).
 *
 * A commit seals each new event and submission of a case under a case key
 * that reaches nobody outside the case's recipients, making a new key
 * (a rotation) when the case's keys reach someone who should no longer
 * read it, and wraps the key for every recipient that lacks it.  An
 * import or a merge opens a file with the key wrapped for this device,
 * found in the tree of the commit the file came with.  Keys opened once are
 * kept for the run in a sorted ring.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "envelope.h"
#include "seal.h"
#include "store.h"
#include "sync/repo.h"
#include "sync_int.h"
#include "util.h"
#include "workspace.h"

/* Bounds on a case's keys folder, checked before it is read. */
#define MAX_CASE_KEYS 1000          /* key ids of one case */
#define MAX_KEY_WRAPS 10000         /* wrap files of one key */
/*
 * Opened keys kept at once.  Each is locked, guarded memory (three
 * mappings): a ring of every key of a 100,000-case archive ran out of
 * mappings ("out of memory for a secret") after about 20,000 cases, and
 * inserting into it in order grew quadratic.  The files of one case come
 * together, so a full ring is emptied and filled again.
 */
#define RING_MAX 1024

/* A key id this device cannot open (no wrap for it, or a wrap that does not open). */
typedef struct no_key {
	char case_id[HW_UUID_LEN + 1];
	char id[SEAL_KEY_ID_LEN + 1];
	char where[REPO_OID_HEX + 1];   /* the first commit looked in: another may have it */
} no_key;

struct sync_sealer {
	run *r;
	const hw_keys *keys;
	seal_roster_fn roster;
	void *roster_payload;
	seal_key **ring;            /* opened keys, sorted by case then id */
	size_t nring, capring;
	no_key *none;               /* keys known not to open here */
	size_t nnone, capnone;
};

int sync_sealer_new(sync_sealer **out, run *r, seal_roster_fn roster, void *roster_payload)
{
	sync_sealer *s;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	s->r = r;
	s->keys = ws_keys(r->ws);
	s->roster = roster;
	s->roster_payload = roster_payload;
	*out = s;
	return 0;
}

int sync_sealer_active(const sync_sealer *s)
{
	return s && s->keys && s->roster;
}

void sync_sealer_free(sync_sealer *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nring; i++)
		seal_key_free(s->ring[i]);
	free(s->ring);
	free(s->none);
	free(s);
}

/* Order of the ring: case id, then key id. */
static int ring_cmp(const seal_key *k, const char *case_id, const char *id)
{
	int c = strcmp(seal_key_case(k), case_id);

	return c ? c : strcmp(seal_key_id(k), id);
}

/* Where (case_id, id) is in the ring, or where it would go. */
static size_t ring_pos(const sync_sealer *s, const char *case_id, const char *id, int *found)
{
	size_t lo = 0, hi = s->nring;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ring_cmp(s->ring[mid], case_id, id);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Keep k in the ring (taken over; freed on failure).  A full ring is
 * emptied first: keys borrowed from it before are freed (callers hold a
 * borrowed key only until their next call here).
 */
static int ring_add(sync_sealer *s, seal_key *k)
{
	int found;
	size_t at = ring_pos(s, seal_key_case(k), seal_key_id(k), &found);

	if (found) {
		seal_key_free(k);
		return 0;
	}
	if (s->nring >= RING_MAX) {
		for (size_t i = 0; i < s->nring; i++)
			seal_key_free(s->ring[i]);
		s->nring = 0;
		at = 0;
	}
	if (s->nring == s->capring) {
		size_t cap = s->capring ? s->capring * 2 : 64;
		seal_key **grown = realloc(s->ring, cap * sizeof(*grown));

		if (!grown) {
			seal_key_free(k);
			return hw_error_set(s->r->err, HW_ERROR, "out of memory");
		}
		s->ring = grown;
		s->capring = cap;
	}
	memmove(&s->ring[at + 1], &s->ring[at], (s->nring - at) * sizeof(*s->ring));
	s->ring[at] = k;
	s->nring++;
	return 0;
}

/* True when (case_id, id) is known not to open here. */
static int none_has(const sync_sealer *s, const char *case_id, const char *id,
		    const char *where)
{
	size_t i = s->nnone;

	/* Newest first: the files of a case come together. */
	while (i-- > 0)
		if (strcmp(s->none[i].id, id) == 0 && strcmp(s->none[i].case_id, case_id) == 0 &&
		    strcmp(s->none[i].where, where) == 0)
			return 1;
	return 0;
}

static int none_add(sync_sealer *s, const char *case_id, const char *id, const char *where)
{
	/* A cache like the ring, and as bounded: a miss scans all of it. */
	if (s->nnone >= RING_MAX)
		s->nnone = 0;
	if (s->nnone == s->capnone) {
		size_t cap = s->capnone ? s->capnone * 2 : 32;
		no_key *grown = realloc(s->none, cap * sizeof(*grown));

		if (!grown)
			return hw_error_set(s->r->err, HW_ERROR, "out of memory");
		s->none = grown;
		s->capnone = cap;
	}
	snprintf(s->none[s->nnone].case_id, sizeof(s->none->case_id), "%s", case_id);
	snprintf(s->none[s->nnone].id, sizeof(s->none->id), "%s", id);
	snprintf(s->none[s->nnone].where, sizeof(s->none->where), "%s", where);
	s->nnone++;
	return 0;
}

/*
 * The key (case_id, id) as this device opens it, from the ring or from a
 * wrap file for this device in the tree of one of commits (n of them,
 * "" entries ignored).  Borrowed into *out; HW_ENOTFOUND when this device
 * has no wrap that opens.
 */
static int open_key(sync_sealer *s, int format, const char *const *commits, size_t n,
		    const char *case_id, const char *id, const seal_key **out)
{
	char blob[REPO_OID_HEX + 1], *dir = NULL, *path = NULL, *data = NULL;
	seal_key *k = NULL;
	size_t i, len = 0;
	int found, rc = HW_ENOTFOUND;
	hw_error e = { 0, "" };

	*out = NULL;
	i = ring_pos(s, case_id, id, &found);
	if (found) {
		*out = s->ring[i];
		return 0;
	}
	if (!s->keys || !seal_key_id_valid(id) ||
	    none_has(s, case_id, id, n && commits[0] ? commits[0] : ""))
		return HW_ENOTFOUND;
	if (!(dir = sync_case_dir(format, case_id)) ||
	    !(path = sync_fmt("%s/keys/%s/%s", dir, id, s->r->device))) {
		rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n && rc == HW_ENOTFOUND; i++) {
		size_t size = 0;

		if (!commits[i] || !commits[i][0])
			continue;
		if (repo_path_blob(blob, s->r->repo, commits[i], path, &e) < 0)
			continue;
		/* A wrap file is small: anything larger is not read. */
		if (repo_blob_size(&size, s->r->repo, blob, &e) < 0 || size > SEAL_WRAP_FILE_MAX)
			continue;
		free(data);
		data = NULL;
		if (repo_blob_read(&data, &len, s->r->repo, blob, &e) < 0)
			continue;
		if (seal_unwrap(&k, s->keys, case_id, id, data, len, &e) == 0)
			rc = 0;
	}
	if (rc == 0) {
		if ((rc = ring_add(s, k)) == 0) {
			i = ring_pos(s, case_id, id, &found);
			*out = s->ring[i];
		}
	} else if (none_add(s, case_id, id, n && commits[0] ? commits[0] : "") < 0) {
		rc = HW_ERROR;
	}
cleanup:
	free(dir);
	free(path);
	free(data);
	return rc;
}

int sync_seal_open(sync_sealer *s, int format, const char *const *commits, size_t n,
		   const char *case_id, const char *name, const char *data, size_t len,
		   char **plain, size_t *plen, int *sealed)
{
	envelope e;
	const seal_key *k = NULL;
	hw_error err = { 0, "" };
	int rc;

	*plain = NULL;
	*plen = 0;
	*sealed = 0;
	if ((rc = envelope_parse(&e, data, len, &err)) < 0)
		return hw_error_set(s->r->err, HW_EINVALID, "%s", err.msg);
	if (strcmp(e.f.case_id, case_id) != 0 || strcmp(e.f.name, name) != 0)
		return hw_error_set(s->r->err, HW_EINVALID,
				    "the envelope names another file (case %s, name %s)",
				    e.f.case_id, e.f.name);
	if (strcmp(e.f.key, ENVELOPE_KEY_CLEAR) == 0) {
		/* In clear: the caller decides whether that is allowed. */
		if (!(*plain = malloc(e.body_len + 1)))
			return hw_error_set(s->r->err, HW_ERROR, "out of memory");
		memcpy(*plain, e.body, e.body_len);
		(*plain)[e.body_len] = '\0';
		*plen = e.body_len;
		return 0;
	}
	*sealed = 1;
	if ((rc = open_key(s, format, commits, n, case_id, e.f.key, &k)) == HW_ENOTFOUND)
		return HW_ENOTFOUND;   /* not for this device: no detail, nothing read */
	if (rc < 0)
		return rc;
	if (seal_open_body(plain, plen, k, e.head, e.head_len, e.body, e.body_len, &err) < 0)
		return hw_error_set(s->r->err, HW_EINVALID, "the sealed body does not open: %s",
				    err.msg);
	return 0;
}

/* --- Sealing a commit's files of one case ------------------------------------ */

/* A key of the case as the trees show it. */
typedef struct key_seen {
	char id[SEAL_KEY_ID_LEN + 1];
	char **devices;             /* wrap files' device names */
	size_t ndevices;
} key_seen;

typedef struct case_keys {
	key_seen *keys;
	size_t n;
	run *r;
	key_seen *current;          /* the key whose folder is being listed */
} case_keys;

static void case_keys_free(case_keys *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->keys[i].ndevices; j++)
			free(c->keys[i].devices[j]);
		free(c->keys[i].devices);
	}
	free(c->keys);
	c->keys = NULL;
	c->n = 0;
}

/* A wrap file of the key being listed: note its device once. */
static int seen_device(const char *name, int kind, const char *id, void *payload)
{
	case_keys *c = payload;
	key_seen *k = c->current;
	char **grown;
	size_t i;

	(void)id;
	if (kind != REPO_ENTRY_FILE || !sync_device_id_ok(name))
		return 0;
	for (i = 0; i < k->ndevices; i++)
		if (strcmp(k->devices[i], name) == 0)
			return 0;
	if (!(grown = realloc(k->devices, (k->ndevices + 1) * sizeof(*grown))))
		return HW_ERROR;
	k->devices = grown;
	if (!(k->devices[k->ndevices] = hw_strdup(name)))
		return HW_ERROR;
	k->ndevices++;
	return 0;
}

/* A key folder of the case: note the key once. */
static int seen_key(const char *name, int kind, const char *id, void *payload)
{
	case_keys *c = payload;
	key_seen *grown;
	size_t i;

	(void)id;
	if (kind != REPO_ENTRY_DIR || !seal_key_id_valid(name))
		return 0;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->keys[i].id, name) == 0)
			return 0;
	if (!(grown = realloc(c->keys, (c->n + 1) * sizeof(*grown))))
		return HW_ERROR;
	c->keys = grown;
	memset(&c->keys[c->n], 0, sizeof(*c->keys));
	memcpy(c->keys[c->n].id, name, SEAL_KEY_ID_LEN + 1);
	c->n++;
	return 0;
}

/* Every key of the case and whom each is wrapped for, in the trees of commits. */
static int list_case_keys(run *r, const char *const *commits, size_t n, const char *dir,
			  case_keys *c)
{
	char *kdir = sync_fmt("%s/keys", dir), *sub = NULL;
	size_t i, j;
	int rc = 0;

	if (!kdir)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	for (i = 0; i < n && rc == 0; i++)
		if (commits[i] && commits[i][0])
			rc = repo_dir_each(r->repo, commits[i], kdir, MAX_CASE_KEYS, seen_key, c,
					   r->err);
	for (j = 0; j < c->n && rc == 0; j++) {
		free(sub);
		if (!(sub = sync_fmt("%s/%s", kdir, c->keys[j].id))) {
			rc = HW_ERROR;
			break;
		}
		c->current = &c->keys[j];
		for (i = 0; i < n && rc == 0; i++)
			if (commits[i] && commits[i][0])
				rc = repo_dir_each(r->repo, commits[i], sub, MAX_KEY_WRAPS,
						   seen_device, c, r->err);
	}
	if (rc > 0 || (rc < 0 && !r->err->code))
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
	free(kdir);
	free(sub);
	return rc;
}

/* The roster's members and the case's work, as seal_case_recipients wants them. */
static int case_recipients(sync_sealer *s, const char *case_id, seal_recipients *out)
{
	store_case_work w;
	const char **assignees = NULL, **providers = NULL;
	seal_case_people people = { NULL, 0, NULL, 0 };
	size_t i, j;
	int rc;

	memset(&w, 0, sizeof(w));
	rc = case_work_get(s->r->ws, case_id, &w);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(s->r->err);
		rc = 0;
	}
	if (rc < 0)
		goto cleanup;
	assignees = calloc(w.nassignees + 1, sizeof(*assignees));
	providers = calloc(w.nreferrals + 1, sizeof(*providers));
	if (!assignees || !providers) {
		rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < w.nassignees; i++)
		assignees[people.nassignees++] = w.assignees[i].person;
	/* A provider receives the case while a referral to it stands with a granted consent. */
	for (i = 0; i < w.nreferrals; i++) {
		const store_referral *ref = &w.referrals[i];
		int consent = 0;

		if (!ref->provider || (ref->status && strcmp(ref->status, "declined") == 0))
			continue;
		for (j = 0; j < w.nconsents; j++) {
			const store_consent *c = &w.consents[j];

			if (c->purpose && strcmp(c->purpose, "share_with_provider") == 0 &&
			    c->recipient && strcmp(c->recipient, ref->provider) == 0)
				consent = c->granted && !c->withdrawn_on;
		}
		if (consent)
			providers[people.nproviders++] = ref->provider;
	}
	people.assignees = assignees;
	people.providers = providers;
	rc = seal_case_recipients(out, s->roster, s->roster_payload, &people, s->r->device,
				  keys_box_public(s->keys), s->r->err);
cleanup:
	free(assignees);
	free(providers);
	store_case_work_clear(&w);
	return rc;
}

/* True if device is among the n names. */
static int has_device(char *const *devices, size_t n, const char *device)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(devices[i], device) == 0)
			return 1;
	return 0;
}

/* Add the wrap file of k for one recipient to the commit. */
static int add_wrap(sync_sealer *s, file_list *files, const char *dir, const seal_key *k,
		    const seal_recipient *to)
{
	char *path = sync_fmt("%s/keys/%s/%s", dir, seal_key_id(k), to->device), *data = NULL;
	size_t len = 0;
	int rc;

	if (!path)
		return hw_error_set(s->r->err, HW_ERROR, "out of memory");
	if ((rc = seal_wrap(&data, &len, k, to->box_public, s->r->err)) < 0) {
		free(path);
		return rc;
	}
	if (sync_list_add(files, path, data, len, NULL) < 0)
		return hw_error_set(s->r->err, HW_ERROR, "out of memory");
	files->nkeys++;
	return 0;
}

static int seal_case_in(sync_sealer *s, int format, const char *const *commits, size_t n,
			const char *case_id, const sync_plain_item *items, size_t nitems,
			file_list *files);

int sync_seal_case(sync_sealer *s, const char *const *commits, size_t n, const char *case_id,
		   const sync_plain_item *items, size_t nitems, file_list *files)
{
	return seal_case_in(s, files->format, commits, n, case_id, items, nitems, files);
}

/* sync_seal_case in the layout of format. */
static int seal_case_in(sync_sealer *s, int format, const char *const *commits, size_t n,
			const char *case_id, const sync_plain_item *items, size_t nitems,
			file_list *files)
{
	seal_recipients want = SEAL_RECIPIENTS_INIT;
	case_keys seen = { NULL, 0, s->r, NULL };
	seal_key_info *infos = NULL;
	const seal_key *k = NULL;
	seal_key *fresh = NULL;
	char *dir = NULL, *head = NULL, *body = NULL, *out = NULL;
	size_t i, hlen = 0, blen = 0, olen = 0;
	long pick;
	int rc;

	if (!s->keys)
		return hw_error_set(s->r->err, HW_EINVALID, "the device keys are locked");
	if (!(dir = sync_case_dir(format, case_id)))
		return hw_error_set(s->r->err, HW_ECORRUPT, "a pending item has a malformed case id");
	if ((rc = case_recipients(s, case_id, &want)) < 0 ||
	    (rc = list_case_keys(s->r, commits, n, dir, &seen)) < 0)
		goto cleanup;
	if (seen.n && !(infos = calloc(seen.n, sizeof(*infos)))) {
		rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < seen.n; i++) {
		const seal_key *tmp = NULL;

		memcpy(infos[i].id, seen.keys[i].id, sizeof(infos[i].id));
		infos[i].wrapped_for = (const char *const *)seen.keys[i].devices;
		infos[i].nwrapped = seen.keys[i].ndevices;
		if (has_device(seen.keys[i].devices, seen.keys[i].ndevices, s->r->device)) {
			rc = open_key(s, format, commits, n, case_id, seen.keys[i].id, &tmp);
			if (rc < 0 && rc != HW_ENOTFOUND)
				goto cleanup;
			infos[i].openable = rc == 0;
		}
	}
	pick = seal_choose_key(infos, seen.n, &want);
	if (pick >= 0) {
		key_seen *ks = &seen.keys[pick];

		if ((rc = open_key(s, format, commits, n, case_id, ks->id, &k)) < 0)
			goto cleanup;
		/* A new recipient (an assignment, a referral) gets the key it lacks. */
		for (i = 0; i < want.n; i++)
			if (!has_device(ks->devices, ks->ndevices, want.items[i].device) &&
			    (rc = add_wrap(s, files, dir, k, &want.items[i])) < 0)
				goto cleanup;
	} else {
		/* The case's first key, or a rotation: wrapped for every recipient. */
		if ((rc = seal_key_new(&fresh, case_id, s->r->err)) < 0)
			goto cleanup;
		for (i = 0; i < want.n; i++)
			if ((rc = add_wrap(s, files, dir, fresh, &want.items[i])) < 0)
				goto cleanup;
		if ((rc = ring_add(s, fresh)) < 0) {
			fresh = NULL;
			goto cleanup;
		}
		k = fresh;
		fresh = NULL;
		files->rotations++;
	}
	for (i = 0; i < nitems; i++) {
		envelope_fields f;
		hw_error e = { 0, "" };

		free(head);
		free(body);
		head = body = NULL;
		if (envelope_fields_set(&f, s->r->device, case_id, items[i].name, seal_key_id(k), &e) < 0 ||
		    envelope_head(&f, &head, &hlen, &e) < 0) {
			rc = hw_error_set(s->r->err, HW_EINVALID, "%s", e.msg);
			goto cleanup;
		}
		if ((rc = seal_body(&body, &blen, k, head, hlen, items[i].data, items[i].len,
				    s->r->err)) < 0)
			goto cleanup;
		if (envelope_sign(&f, body, blen, s->keys, &out, &olen, &e) < 0) {
			rc = hw_error_set(s->r->err, e.code ? e.code : HW_ERROR, "%s", e.msg);
			goto cleanup;
		}
		rc = sync_list_add(files, hw_strdup(items[i].path), out, olen, NULL);
		out = NULL;   /* the list's now, or freed with it */
		if (rc < 0) {
			rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		files->nsealed++;
	}
	rc = 0;
cleanup:
	seal_key_free(fresh);
	seal_recipients_free(&want);
	case_keys_free(&seen);
	free(infos);
	free(dir);
	free(head);
	free(body);
	free(out);
	return rc;
}

/* Order of indices into a file list: by path, so the files of a case come together. */
static const repo_file *sort_base;

static int cmp_by_path(const void *a, const void *b)
{
	return strcmp(sort_base[*(const size_t *)a].path, sort_base[*(const size_t *)b].path);
}

int sync_seal_commit(sync_sealer *s, const char *parent, const file_list *plain, file_list *out)
{
	char main_tip[REPO_OID_HEX + 1] = "", blob[REPO_OID_HEX + 1];
	const char *commits[2];
	sync_plain_item *group = NULL;
	size_t *order = NULL, i, ng = 0;
	char case_id[HW_UUID_LEN + 1] = "", next[HW_UUID_LEN + 1];
	hw_error e = { 0, "" };
	int rc = 0;

	if (repo_ref_get(main_tip, s->r->repo, SYNC_REMOTE_MAIN, &e) < 0)
		main_tip[0] = '\0';
	commits[0] = parent ? parent : "";
	commits[1] = main_tip;
	out->format = plain->format;
	if (plain->n == 0)
		return 0;
	if (!(order = malloc(plain->n * sizeof(*order))) ||
	    !(group = calloc(plain->n, sizeof(*group)))) {
		rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < plain->n; i++)
		order[i] = i;
	sort_base = plain->items;
	qsort(order, plain->n, sizeof(*order), cmp_by_path);
	for (i = 0; i <= plain->n; i++) {
		const repo_file *f = i < plain->n ? &plain->items[order[i]] : NULL;
		const char *name = f ? strrchr(f->path, '/') : NULL;

		if (f && !sync_case_split(plain->format, f->path, next)) {
			/* Not a file of a case (the format file of a new branch): as it is. */
			char *copy = f->data ? malloc(f->len + 1) : NULL;

			if (copy) {
				memcpy(copy, f->data, f->len);
				copy[f->len] = '\0';
			}
			if ((f->data && !copy) ||
			    sync_list_add(out, hw_strdup(f->path), copy, f->len, hw_strdup(f->blob)) < 0) {
				rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			continue;
		}
		/* The end of a case's files: seal them together. */
		if (ng && (!f || strcmp(next, case_id) != 0)) {
			if ((rc = sync_seal_case(s, commits, 2, case_id, group, ng, out)) < 0)
				goto cleanup;
			ng = 0;
		}
		if (!f)
			break;
		memcpy(case_id, next, sizeof(case_id));
		if (!name) {
			rc = hw_error_set(s->r->err, HW_ECORRUPT, "a pending item has a malformed path");
			goto cleanup;
		}
		/*
		 * Already on the branch: an earlier run committed it and was cut
		 * before recording so.  Sealing again would make other bytes
		 * (a new nonce) for the same path; the committed file stands.
		 */
		if (commits[0][0] && repo_path_blob(blob, s->r->repo, commits[0], f->path, &e) == 0) {
			if (sync_list_add(out, hw_strdup(f->path), NULL, 0, hw_strdup(blob)) < 0) {
				rc = hw_error_set(s->r->err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			continue;
		}
		group[ng].path = f->path;
		group[ng].name = name + 1;
		group[ng].data = f->data;
		group[ng].len = f->len;
		ng++;
	}
	out->format = plain->format;
	out->nevents = plain->nevents;
	out->nsubmissions = plain->nsubmissions;
cleanup:
	free(order);
	free(group);
	return rc;
}

/* --- The migration step that seals an existing main ---------------------- */

/* The files of one case waiting to be sealed together. */
typedef struct seal_migration {
	char case_id[HW_UUID_LEN + 1];    /* the case being gathered, "" when none */
	file_list clear;                  /* its clear files: path and content */
	char main[REPO_OID_HEX + 1];      /* main as fetched (keys already there) */
} seal_migration;

int sync_seal_migrate_ready(run *r)
{
	return sync_sealer_active(r->sealer);
}

int sync_seal_migrate_begin(migrate_ctx *m, void **state)
{
	run *r = migrate_run(m);
	seal_migration *sm;
	sync_result res;
	int rc;

	*state = NULL;
	if (!sync_sealer_active(r->sealer))
		return hw_error_set(r->err, HW_EINVALID,
				    "sealing the cases needs this device's keys and the team's roster");
	/*
	 * Recipients come from each case's work as this workspace folded it:
	 * take in what main holds first (files already known are skipped).
	 */
	memset(&res, 0, sizeof(res));
	if ((rc = sync_step_import(r, &res)) < 0)
		return rc;
	if (!(sm = calloc(1, sizeof(*sm))))
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	if (repo_ref_get(sm->main, r->repo, SYNC_REMOTE_MAIN, r->err) < 0) {
		sm->main[0] = '\0';
		hw_error_clear(r->err);
	}
	sm->clear.format = sync_format_current();
	*state = sm;
	return 0;
}

/* Seal what was gathered for one case and emit it (with its new wrap files). */
static int migrate_flush(migrate_ctx *m, seal_migration *sm)
{
	run *r = migrate_run(m);
	const char *commits[1] = { sm->main };
	sync_plain_item *items = NULL;
	file_list out = { 0 };
	size_t i;
	int rc = 0;

	if (!sm->case_id[0] || sm->clear.n == 0)
		goto cleanup;
	if (!(items = calloc(sm->clear.n, sizeof(*items)))) {
		rc = hw_error_set(r->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < sm->clear.n; i++) {
		items[i].path = sm->clear.items[i].path;
		items[i].name = strrchr(sm->clear.items[i].path, '/') + 1;
		items[i].data = sm->clear.items[i].data;
		items[i].len = sm->clear.items[i].len;
	}
	out.format = sm->clear.format;
	if ((rc = sync_seal_case(r->sealer, commits, 1, sm->case_id, items, sm->clear.n, &out)) < 0)
		goto cleanup;
	for (i = 0; i < out.n && rc == 0; i++)
		rc = migrate_emit(m, out.items[i].path, out.items[i].data, out.items[i].len);
cleanup:
	free(items);
	sync_list_free(&out);
	sync_list_free(&sm->clear);
	memset(&sm->clear, 0, sizeof(sm->clear));
	sm->clear.format = sync_format_current();
	sm->case_id[0] = '\0';
	return rc;
}

int sync_seal_migrate_file(migrate_ctx *m, const char *path, const char *blob, void *state)
{
	seal_migration *sm = state;
	run *r = migrate_run(m);
	char case_id[HW_UUID_LEN + 1], *data = NULL;
	const char *rest = sync_case_split(sync_format_current(), path, case_id);
	size_t len = 0;
	int rc;

	/* Only the events and submissions of a case are sealed; the rest stays as it is. */
	if (!rest || (strncmp(rest, "events/", 7) != 0 && strncmp(rest, "submissions/", 12) != 0) ||
	    strchr(strchr(rest, '/') + 1, '/'))
		return migrate_emit_blob(m, path, blob);
	if ((rc = migrate_read(m, blob, &data, &len)) < 0)
		return rc;
	if (envelope_is(data, len)) {
		envelope e;
		hw_error err = { 0, "" };

		if (envelope_parse(&e, data, len, &err) < 0 ||
		    strcmp(e.f.key, ENVELOPE_KEY_CLEAR) != 0) {
			/* Sealed already (or not ours to open): carried as it is. */
			free(data);
			return migrate_emit_blob(m, path, blob);
		}
		/* A signed file in clear: its body is what gets sealed. */
		memmove(data, e.body, e.body_len);
		len = e.body_len;
		data[len] = '\0';
	}
	/* The files of a case come together in the tree walk: seal them as one. */
	if (strcmp(case_id, sm->case_id) != 0 && (rc = migrate_flush(m, sm)) < 0) {
		free(data);
		return rc;
	}
	memcpy(sm->case_id, case_id, sizeof(case_id));
	if (sync_list_add(&sm->clear, hw_strdup(path), data, len, NULL) < 0)
		return hw_error_set(r->err, HW_ERROR, "out of memory");
	return 0;
}

int sync_seal_migrate_finish(migrate_ctx *m, void *state)
{
	return migrate_flush(m, state);
}

void sync_seal_migrate_free(void *state)
{
	seal_migration *sm = state;

	if (!sm)
		return;
	sync_list_free(&sm->clear);
	free(sm);
}
