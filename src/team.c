/*
 * team.c: the roster, its entries and requests, and the checks that rest
 * on it (team.h).  Entries and requests are envelopes (envelope.h) whose
 * body is a few "key value" lines.
 */
#include "config.h"
#include "team.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agenda.h"
#include "envelope.h"
#include "report.h"

#define ENTRY_MAGIC "homeward-member 1"
#define SETTING_MAGIC "homeward-setting 1"
#define REQUEST_MAGIC "homeward-request 1"
#define REQUEST_NAME "request"
#define TEAM_DIR "team"

static const char *const roles[] = { "counsellor", "field_officer", "supervisor", NULL };

int team_role_valid(const char *role)
{
	for (size_t i = 0; role && roles[i]; i++)
		if (strcmp(role, roles[i]) == 0)
			return 1;
	return 0;
}

/* True for a device id: letters, digits, '.', '_', '-', not starting with '.' or '-', 1..200. */
static int device_ok(const char *s, size_t n)
{
	if (n == 0 || n > TEAM_TEXT_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The "key value" lines of a body, each key at most once. */
#define MAX_LINES 12
typedef struct kv {
	char buf[TEAM_ENTRY_MAX + 1];
	const char *key[MAX_LINES], *val[MAX_LINES];
	size_t n;
} kv;

/* Split body (first line magic) into lines; -1 when it is not such a body. */
static int kv_parse(kv *k, const char *body, size_t len, const char *magic)
{
	char *p, *end;

	memset(k, 0, sizeof(*k));
	if (len > TEAM_ENTRY_MAX || memchr(body, '\0', len))
		return -1;
	memcpy(k->buf, body, len);
	k->buf[len] = '\0';
	p = k->buf;
	if (strncmp(p, magic, strlen(magic)) != 0 || p[strlen(magic)] != '\n')
		return -1;
	p += strlen(magic) + 1;
	while (*p) {
		char *sp;

		if (!(end = strchr(p, '\n')) || k->n == MAX_LINES)
			return -1;
		*end = '\0';
		if (!(sp = strchr(p, ' ')))
			return -1;
		*sp = '\0';
		for (size_t i = 0; i < k->n; i++)
			if (strcmp(k->key[i], p) == 0)
				return -1;
		k->key[k->n] = p;
		k->val[k->n++] = sp + 1;
		p = end + 1;
	}
	return 0;
}

/* The value of key, or NULL. */
static const char *kv_get(const kv *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->key[i], key) == 0)
			return k->val[i];
	return NULL;
}

/* Copy a text value (a name, an organisation) into dst after checking it. */
static int text_take(char *dst, const char *v, int may_be_empty)
{
	size_t n = v ? strlen(v) : 0;

	if (!v || n > TEAM_TEXT_MAX || (!may_be_empty && n == 0) || (n && hw_text_problem(v)))
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

/* Hex of a public key into pk. */
static int key_take(unsigned char pk[KEYS_SIGN_PUBLIC], const char *v)
{
	return v && strlen(v) == 2 * KEYS_SIGN_PUBLIC && keys_fingerprint_parse(v, pk) == 0 ? 0 : -1;
}

/* One parsed entry. */
typedef struct entry {
	envelope env;
	const char *file;           /* its file name (for ordering) */
	int remove;
	team_member m;              /* for add: the member; for remove: device, by, at */
} entry;

/* True when a parsed envelope of the roster folder holds a team setting. */
static int is_setting(const envelope *e)
{
	size_t n = strlen(SETTING_MAGIC "\n");

	return e->body_len >= n && memcmp(e->body, SETTING_MAGIC "\n", n) == 0;
}

/*
 * Parse one roster file into e; -1 when it is not a good entry, 1 when it
 * is a team setting (not a member entry: team_setting_file_check reads it).
 */
static int entry_parse(entry *e, const team_file *f)
{
	kv k;
	const char *action, *at, *by, *device, *slash, *name;
	hw_error err = { 0, "" };
	time_t t;

	memset(e, 0, sizeof(*e));
	if (!team_path_ok(f->path) || f->len > TEAM_ENTRY_MAX ||
	    envelope_parse(&e->env, f->data, f->len, &err) < 0)
		return -1;
	if (is_setting(&e->env))
		return 1;
	slash = strchr(f->path + strlen(TEAM_DIR "/"), '/');
	name = slash + 1;
	device = f->path + strlen(TEAM_DIR "/");
	if (strcmp(e->env.f.case_id, TEAM_CASE) != 0 || strcmp(e->env.f.name, name) != 0 ||
	    strcmp(e->env.f.key, ENVELOPE_KEY_CLEAR) != 0 ||
	    kv_parse(&k, e->env.body, e->env.body_len, ENTRY_MAGIC) < 0)
		return -1;
	e->file = name;
	action = kv_get(&k, "action");
	at = kv_get(&k, "at");
	by = kv_get(&k, "by");
	if (!action || !at || !by || hw_time_parse(at, &t) < 0 || strlen(at) != HW_TIME_LEN ||
	    !device_ok(by, strlen(by)) || strcmp(by, e->env.f.signer) != 0 ||
	    text_take(e->m.device, kv_get(&k, "device"), 0) < 0 ||
	    !device_ok(e->m.device, strlen(e->m.device)) ||
	    strncmp(e->m.device, device, (size_t)(slash - device)) != 0 ||
	    strlen(e->m.device) != (size_t)(slash - device))
		return -1;
	if (strcmp(action, "remove") == 0) {
		if (k.n != 4)
			return -1;
		e->remove = 1;
		memcpy(e->m.removed_by, by, strlen(by) + 1);
		memcpy(e->m.removed_at, at, HW_TIME_LEN + 1);
		return 0;
	}
	if (strcmp(action, "add") != 0 || k.n != 9 ||
	    text_take(e->m.name, kv_get(&k, "name"), 0) < 0 ||
	    text_take(e->m.org, kv_get(&k, "org"), 1) < 0 ||
	    !team_role_valid(kv_get(&k, "role")) ||
	    key_take(e->m.sign_pk, kv_get(&k, "sign-public")) < 0 ||
	    key_take(e->m.box_pk, kv_get(&k, "box-public")) < 0)
		return -1;
	snprintf(e->m.role, sizeof(e->m.role), "%s", kv_get(&k, "role"));
	memcpy(e->m.added_by, by, strlen(by) + 1);
	memcpy(e->m.added_at, at, HW_TIME_LEN + 1);
	return 0;
}

/* Entries in time order, then by file name: every device builds the same roster. */
static int entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	const char *ax = x->remove ? x->m.removed_at : x->m.added_at;
	const char *ay = y->remove ? y->m.removed_at : y->m.added_at;
	int c = strcmp(ax, ay);

	return c ? c : strcmp(x->file, y->file);
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const team_member *)a)->device, ((const team_member *)b)->device);
}

/* The member of device in the roster being built (linear: a team is small). */
static team_member *find(team_roster *r, const char *device)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->members[i].device, device) == 0)
			return &r->members[i];
	return NULL;
}

int team_roster_build(team_roster **out, const unsigned char root[KEYS_SIGN_PUBLIC],
		      const team_file *files, size_t n, hw_error *err)
{
	team_roster *r = NULL;
	entry *e = NULL;
	size_t ne = 0, i;
	int rc = 0;

	*out = NULL;
	if (n > TEAM_MAX_ENTRIES)
		return hw_error_set(err, HW_EINVALID, "the roster has more than %d entries", TEAM_MAX_ENTRIES);
	if (!(r = calloc(1, sizeof(*r))) || (n && !(e = calloc(n, sizeof(*e)))) ||
	    (n && !(r->members = calloc(n, sizeof(*r->members))))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	memcpy(r->root, root, KEYS_SIGN_PUBLIC);
	for (i = 0; i < n; i++) {
		int p = entry_parse(&e[ne], &files[i]);

		if (p == 0)
			ne++;
		else if (p < 0)
			r->untrusted++;
	}
	qsort(e, ne, sizeof(*e), entry_cmp);
	for (i = 0; i < ne; i++) {
		const char *at = e[i].remove ? e[i].m.removed_at : e[i].m.added_at;
		team_member *signer = find(r, e[i].env.f.signer), *m;
		int ok = 0;

		/* A supervisor at the entry's time, or the trust root itself. */
		if (signer && !signer->removed && strcmp(signer->role, "supervisor") == 0 &&
		    strcmp(signer->added_at, at) <= 0)
			ok = envelope_verify(&e[i].env, signer->sign_pk, NULL) == 0;
		if (!ok)
			ok = envelope_verify(&e[i].env, root, NULL) == 0;
		if (!ok) {
			r->untrusted++;
			continue;
		}
		m = find(r, e[i].m.device);
		if (e[i].remove) {
			if (m && !m->removed) {
				m->removed = 1;
				memcpy(m->removed_by, e[i].m.removed_by, sizeof(m->removed_by));
				memcpy(m->removed_at, e[i].m.removed_at, sizeof(m->removed_at));
			}
			continue;
		}
		if (!m)
			m = &r->members[r->n++];
		*m = e[i].m;
	}
	if (r->n > 1)
		qsort(r->members, r->n, sizeof(*r->members), member_cmp);
	*out = r;
	r = NULL;
cleanup:
	free(e);
	team_roster_free(r);
	return rc;
}

void team_roster_free(team_roster *r)
{
	if (!r)
		return;
	free(r->members);
	free(r);
}

const team_member *team_member_get(const team_roster *r, const char *device)
{
	return r && device ? find((team_roster *)r, device) : NULL;
}

const team_member *team_member_active(const team_roster *r, const char *device)
{
	const team_member *m = team_member_get(r, device);

	return m && !m->removed ? m : NULL;
}

size_t team_members_with_role(const team_roster *r, const char *role, const team_member **out,
			      size_t max)
{
	size_t count = 0;

	for (size_t i = 0; r && i < r->n; i++) {
		if (r->members[i].removed || (role && strcmp(r->members[i].role, role) != 0))
			continue;
		if (count < max && out)
			out[count] = &r->members[i];
		count++;
	}
	return count;
}

int team_member_at(const team_member *m, const char *at)
{
	if (!m)
		return 0;
	if (!at)
		return !m->removed;
	if (!*at)
		return 1;
	/* Work recorded before enrolment counts: only a removal ends what a member may sign. */
	return !m->removed || strcmp(at, m->removed_at) < 0;
}

int team_root(hw_ws *ws, unsigned char root[KEYS_SIGN_PUBLIC])
{
	char *v = NULL;
	int rc = ws_get(ws, WS_TEAM_ROOT, &v);

	if (rc == 0 && keys_fingerprint_parse(v, root) < 0)
		rc = hw_error_set(ws_err(ws), HW_ECORRUPT, "the setting %s is not a key", WS_TEAM_ROOT);
	else if (rc == HW_ENOTFOUND)
		hw_error_set(ws_err(ws), HW_ENOTFOUND, "this device has not joined a team yet");
	free(v);
	return rc;
}

int team_pin(hw_ws *ws, const char *fingerprint)
{
	unsigned char pk[KEYS_SIGN_PUBLIC], old[KEYS_SIGN_PUBLIC];
	char hex[2 * KEYS_SIGN_PUBLIC + 1];
	int rc;

	if (!fingerprint || keys_fingerprint_parse(fingerprint, pk) < 0)
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "\"%s\" is not a team fingerprint (64 hex digits, in groups or not)",
				    fingerprint ? fingerprint : "");
	rc = team_root(ws, old);
	if (rc == 0) {
		if (memcmp(old, pk, sizeof(pk)) == 0)
			return 0;
		return hw_error_set(ws_err(ws), HW_EEXISTS,
				    "this device belongs to another team already (homeward team "
				    "fingerprint shows which): a device belongs to one team, and "
				    "nothing was changed; another team needs a workspace of its own");
	}
	if (rc != HW_ENOTFOUND)
		return rc;
	hw_error_clear(ws_err(ws));
	crypto_hex(pk, sizeof(pk), hex);
	return ws_set(ws, WS_TEAM_ROOT, hex);
}

/* The workspace's team/ folder (caller frees). */
static char *team_dir(hw_ws *ws)
{
	return hw_path_join(ws_dir(ws), TEAM_DIR);
}

int team_path_ok(const char *path)
{
	const char *p, *slash;
	size_t n;

	if (!path || strncmp(path, TEAM_DIR "/", strlen(TEAM_DIR "/")) != 0)
		return 0;
	p = path + strlen(TEAM_DIR "/");
	if (!(slash = strchr(p, '/')) || !device_ok(p, (size_t)(slash - p)))
		return 0;
	p = slash + 1;
	n = strlen(p);
	if (n != HW_UUID_LEN + 6 || strcmp(p + HW_UUID_LEN, ".entry") != 0)
		return 0;
	{
		char id[HW_UUID_LEN + 1];

		memcpy(id, p, HW_UUID_LEN);
		id[HW_UUID_LEN] = '\0';
		return hw_uuid_valid(id);
	}
}

int team_file_store(hw_ws *ws, const char *path, const char *data, size_t len)
{
	envelope e;
	char *full = NULL, *dir = NULL, *old = NULL, *slash;
	size_t oldlen = 0;
	int rc;

	if (!team_path_ok(path) || len > TEAM_ENTRY_MAX || envelope_parse(&e, data, len, NULL) < 0 ||
	    strcmp(e.f.name, strrchr(path, '/') + 1) != 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "not a roster entry");
	if (!(full = hw_path_join(ws_dir(ws), path)) || !(dir = strdup(full))) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (hw_exists(full)) {
		if ((rc = hw_read_file(full, &old, &oldlen, ws_err(ws))) < 0)
			goto cleanup;
		rc = oldlen == len && memcmp(old, data, len) == 0 ? 0 :
		     hw_error_set(ws_err(ws), HW_ECONFLICT, "another roster entry %s is kept here", path);
		goto cleanup;
	}
	slash = strrchr(dir, '/');
	*slash = '\0';
	if ((rc = hw_mkdir_p(dir, ws_err(ws))) < 0)
		goto cleanup;
	rc = hw_write_file_atomic(full, data, len, ws_err(ws));
cleanup:
	free(full);
	free(dir);
	free(old);
	return rc;
}

void team_files_free(team_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free((char *)f[i].path);
		free((char *)f[i].data);
	}
	free(f);
}

int team_files_local(hw_ws *ws, team_file **out, size_t *n)
{
	char *top = team_dir(ws);
	DIR *d = NULL, *sub = NULL;
	struct dirent *de, *se;
	team_file *f = NULL;
	size_t nf = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!top)
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	if (!(d = opendir(top))) {
		free(top);
		return 0;   /* no roster here yet */
	}
	while ((de = readdir(d))) {
		char *subdir;

		if (!device_ok(de->d_name, strlen(de->d_name)))
			continue;
		if (!(subdir = hw_path_join(top, de->d_name))) {
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
			goto cleanup;
		}
		sub = opendir(subdir);
		while (sub && (se = readdir(sub))) {
			char *path = NULL, *full = NULL, *data = NULL;
			size_t len = 0;

			if (se->d_name[0] == '.')
				continue;
			if (asprintf(&path, TEAM_DIR "/%s/%s", de->d_name, se->d_name) < 0)
				path = NULL;
			if (!path || !team_path_ok(path)) {
				free(path);
				continue;
			}
			if (nf == TEAM_MAX_ENTRIES) {
				free(path);
				rc = hw_error_set(ws_err(ws), HW_EINVALID, "the roster has more than %d entries",
						  TEAM_MAX_ENTRIES);
				break;
			}
			full = hw_path_join(subdir, se->d_name);
			if (!full || hw_read_file(full, &data, &len, ws_err(ws)) < 0) {
				free(path);
				free(full);
				rc = full ? HW_ERROR : hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
				break;
			}
			free(full);
			if (nf == cap) {
				size_t nc = cap ? cap * 2 : 16;
				team_file *g = realloc(f, nc * sizeof(*g));

				if (!g) {
					free(path);
					free(data);
					rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
					break;
				}
				f = g;
				cap = nc;
			}
			f[nf].path = path;
			f[nf].data = data;
			f[nf].len = len;
			nf++;
		}
		if (sub)
			closedir(sub);
		sub = NULL;
		free(subdir);
		if (rc < 0)
			goto cleanup;
	}
cleanup:
	if (d)
		closedir(d);
	free(top);
	if (rc < 0) {
		team_files_free(f, nf);
		return rc;
	}
	*out = f;
	*n = nf;
	return 0;
}

int team_load(hw_ws *ws, team_roster **out)
{
	unsigned char root[KEYS_SIGN_PUBLIC];
	team_file *f = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = team_root(ws, root)) < 0)
		return rc;
	if ((rc = team_files_local(ws, &f, &n)) < 0)
		return rc;
	rc = team_roster_build(out, root, f, n, ws_err(ws));
	team_files_free(f, n);
	return rc;
}

/* Write a new roster file signed by this device: body lines after the magic. */
static int entry_write(hw_ws *ws, const char *device, const char *magic, const char *lines)
{
	char id[HW_UUID_LEN + 1], name[HW_UUID_LEN + 7], *path = NULL, *body = NULL, *file = NULL;
	size_t len = 0;
	int rc;

	if (!ws_keys(ws))
		return hw_error_set(ws_err(ws), HW_EINVALID, "the device keys are locked");
	if (hw_uuid(id) < 0)
		return hw_error_set(ws_err(ws), HW_ERROR, "no randomness for an id");
	snprintf(name, sizeof(name), "%s.entry", id);
	if (asprintf(&body, "%s\n%s", magic, lines) < 0)
		body = NULL;
	if (asprintf(&path, TEAM_DIR "/%s/%s", device, name) < 0)
		path = NULL;
	if (!body || !path) {
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = team_sign_file(ws, TEAM_CASE, name, body, strlen(body), &file, &len)) < 0)
		goto cleanup;
	rc = team_file_store(ws, path, file, len);
cleanup:
	free(path);
	free(body);
	free(file);
	return rc;
}

/* The body lines of an "add" entry. */
static char *add_lines(const char *device, const char *name, const char *role, const char *org,
		       const unsigned char *spk, const unsigned char *bpk, const char *by)
{
	char s[2 * KEYS_SIGN_PUBLIC + 1], b[2 * KEYS_BOX_PUBLIC + 1], at[HW_TIME_LEN + 1], *out;

	crypto_hex(spk, KEYS_SIGN_PUBLIC, s);
	crypto_hex(bpk, KEYS_BOX_PUBLIC, b);
	hw_now_iso(at);
	if (asprintf(&out, "action add\ndevice %s\nname %s\nrole %s\norg %s\nsign-public %s\n"
		     "box-public %s\nby %s\nat %s\n", device, name, role, org ? org : "", s, b, by,
		     at) < 0)
		return NULL;
	return out;
}

int team_found(hw_ws *ws, const char *name)
{
	const hw_keys *k = ws_keys(ws);
	char fp[KEYS_FINGERPRINT_TEXT], *lines;
	int rc;

	if (!k)
		return hw_error_set(ws_err(ws), HW_EINVALID, "the device keys are locked");
	keys_fingerprint(keys_sign_public(k), fp);
	if ((rc = team_pin(ws, fp)) < 0)
		return rc;
	if (!(lines = add_lines(ws_device_id(ws), name, "supervisor", NULL, keys_sign_public(k),
				keys_box_public(k), ws_device_id(ws))))
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	rc = entry_write(ws, ws_device_id(ws), ENTRY_MAGIC, lines);
	free(lines);
	return rc;
}

int team_request(hw_ws *ws, char **out, size_t *len)
{
	const hw_keys *k = ws_keys(ws);
	char s[2 * KEYS_SIGN_PUBLIC + 1], b[2 * KEYS_BOX_PUBLIC + 1], *role = NULL, *body = NULL;
	int rc;

	*out = NULL;
	if (!k)
		return hw_error_set(ws_err(ws), HW_EINVALID, "the device keys are locked");
	crypto_hex(keys_sign_public(k), KEYS_SIGN_PUBLIC, s);
	crypto_hex(keys_box_public(k), KEYS_BOX_PUBLIC, b);
	if (ws_get(ws, WS_ROLE, &role) < 0) {
		hw_error_clear(ws_err(ws));
		role = NULL;
	}
	if (asprintf(&body, REQUEST_MAGIC "\ndevice %s\nname %s\nrole %s\nsign-public %s\nbox-public %s\n",
		     ws_device_id(ws), ws_author(ws), team_role_valid(role) ? role : "counsellor", s,
		     b) < 0) {
		body = NULL;
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	} else {
		rc = team_sign_file(ws, TEAM_CASE, REQUEST_NAME, body, strlen(body), out, len);
	}
	free(role);
	free(body);
	return rc;
}

int team_request_parse(team_request_info *out, const char *data, size_t len, hw_error *err)
{
	envelope e;
	kv k;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > TEAM_ENTRY_MAX)
		return hw_error_set(err, HW_EINVALID, "an enrolment request is a short file; this one has %zu bytes", len);
	if ((rc = envelope_parse(&e, data, len, err)) < 0)
		return rc;
	if (strcmp(e.f.case_id, TEAM_CASE) != 0 || strcmp(e.f.name, REQUEST_NAME) != 0 ||
	    kv_parse(&k, e.body, e.body_len, REQUEST_MAGIC) < 0 || k.n != 5 ||
	    text_take(out->device, kv_get(&k, "device"), 0) < 0 ||
	    !device_ok(out->device, strlen(out->device)) || strcmp(out->device, e.f.signer) != 0 ||
	    text_take(out->name, kv_get(&k, "name"), 0) < 0 || !team_role_valid(kv_get(&k, "role")) ||
	    key_take(out->sign_pk, kv_get(&k, "sign-public")) < 0 ||
	    key_take(out->box_pk, kv_get(&k, "box-public")) < 0)
		return hw_error_set(err, HW_EINVALID, "not an enrolment request of homeward team request");
	snprintf(out->role, sizeof(out->role), "%s", kv_get(&k, "role"));
	/* Signed by the key it carries: whoever made it holds that key. */
	if (envelope_verify(&e, out->sign_pk, err) < 0)
		return hw_error_set(err, HW_EINVALID, "the enrolment request's signature does not match its key");
	return 0;
}

/* The roster, and this device as a present supervisor of it holding its keys. */
static int as_supervisor(hw_ws *ws, team_roster **out, const char *what)
{
	const team_member *me;
	const hw_keys *k = ws_keys(ws);
	int rc;

	*out = NULL;
	if ((rc = team_load(ws, out)) < 0) {
		if (rc == HW_ENOTFOUND)
			return hw_error_set(ws_err(ws), HW_EINVALID,
					    "%s is for supervisors of a team: this device has not joined one", what);
		return rc;
	}
	me = team_member_active(*out, ws_device_id(ws));
	if (!me || strcmp(me->role, "supervisor") != 0 ||
	    (k && memcmp(me->sign_pk, keys_sign_public(k), KEYS_SIGN_PUBLIC) != 0)) {
		rc = hw_error_set(ws_err(ws), HW_EINVALID,
				  "%s is for supervisors: the team roster has device %s as %s", what,
				  ws_device_id(ws), me ? me->role : "no member");
		team_roster_free(*out);
		*out = NULL;
	}
	return rc;
}

void team_author(hw_ws *ws, char *out, size_t size)
{
	team_roster *r = NULL;
	const team_member *m;

	snprintf(out, size, "%s", ws_author(ws));
	if (team_load(ws, &r) < 0) {
		hw_error_clear(ws_err(ws));
		return;
	}
	if ((m = team_member_get(r, ws_device_id(ws))))
		snprintf(out, size, "%s", m->name);
	team_roster_free(r);
}

int team_knows(hw_ws *ws, const char *device)
{
	team_roster *r = NULL;
	int known;

	if (team_load(ws, &r) < 0) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	known = team_member_active(r, device) != NULL;
	team_roster_free(r);
	return known;
}

int team_require_supervisor(hw_ws *ws, const char *what)
{
	team_roster *r = NULL;
	int rc = as_supervisor(ws, &r, what);

	team_roster_free(r);
	return rc;
}

int team_add(hw_ws *ws, const team_request_info *req, const char *role, const char *org)
{
	team_roster *r = NULL;
	char *lines = NULL;
	int rc;

	if (!team_role_valid(role))
		return hw_error_set(ws_err(ws), HW_EINVALID,
				    "the role must be counsellor, field_officer or supervisor, not \"%s\"",
				    role ? role : "");
	if (org && (strlen(org) > TEAM_TEXT_MAX || (*org && hw_text_problem(org))))
		return hw_error_set(ws_err(ws), HW_EINVALID, "the organisation %s",
				    strlen(org) > TEAM_TEXT_MAX ? "is too long" : hw_text_problem(org));
	if ((rc = as_supervisor(ws, &r, "adding members")) < 0)
		return rc;
	if (!(lines = add_lines(req->device, req->name, role, org, req->sign_pk, req->box_pk,
				ws_device_id(ws))))
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	else
		rc = entry_write(ws, req->device, ENTRY_MAGIC, lines);
	free(lines);
	team_roster_free(r);
	return rc;
}

int team_remove(hw_ws *ws, const char *device)
{
	team_roster *r = NULL;
	char at[HW_TIME_LEN + 1], *lines = NULL;
	int rc;

	if ((rc = as_supervisor(ws, &r, "removing members")) < 0)
		return rc;
	if (!team_member_active(r, device)) {
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "device %s is not a member of the team", device);
		goto cleanup;
	}
	hw_now_iso(at);
	if (asprintf(&lines, "action remove\ndevice %s\nby %s\nat %s\n", device, ws_device_id(ws), at) < 0) {
		lines = NULL;
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		goto cleanup;
	}
	rc = entry_write(ws, device, ENTRY_MAGIC, lines);
cleanup:
	free(lines);
	team_roster_free(r);
	return rc;
}

int team_check_file(const team_roster *r, const char *data, size_t len, const char *case_id,
		    const char *name, const char *signer_expected, const char *at,
		    const char **body, size_t *body_len, char signer[TEAM_TEXT_MAX + 1],
		    hw_error *err)
{
	envelope e;
	const team_member *m;
	int rc;

	if (body)
		*body = NULL;
	if (!envelope_is(data, len))
		return hw_error_set(err, HW_EINVALID, "the file is not signed");
	if ((rc = envelope_parse(&e, data, len, err)) < 0)
		return rc;
	if (strcmp(e.f.case_id, case_id) != 0 || strcmp(e.f.name, name) != 0)
		return hw_error_set(err, HW_EINVALID, "the file's signature is for another file (%s of case %s)",
				    e.f.name, e.f.case_id);
	if (signer_expected && strcmp(e.f.signer, signer_expected) != 0)
		return hw_error_set(err, HW_EINVALID, "the file is signed by device %s, not by this branch's device %s",
				    e.f.signer, signer_expected);
	if (!(m = team_member_get(r, e.f.signer)))
		return hw_error_set(err, HW_EINVALID, "the file is signed by device %s, which is not in the team roster",
				    e.f.signer);
	if (!team_member_at(m, at))
		return hw_error_set(err, HW_EINVALID, "the file is signed by device %s, removed from the team at %s",
				    e.f.signer, m->removed_at);
	if (envelope_verify(&e, m->sign_pk, NULL) < 0)
		return hw_error_set(err, HW_EINVALID, "the file's signature is not device %s's key: "
				    "forged or changed after signing", e.f.signer);
	if (body) {
		*body = e.body;
		*body_len = e.body_len;
	}
	if (signer)
		memcpy(signer, e.f.signer, strlen(e.f.signer) + 1);
	return 0;
}

int team_sign_file(hw_ws *ws, const char *case_id, const char *name, const char *body,
		   size_t body_len, char **out, size_t *len)
{
	envelope_fields f;
	int rc;

	*out = NULL;
	if (!ws_keys(ws))
		return hw_error_set(ws_err(ws), HW_EINVALID, "the device keys are locked: nothing can be signed");
	if ((rc = envelope_fields_set(&f, ws_device_id(ws), case_id, name, NULL, ws_err(ws))) < 0)
		return rc;
	return envelope_sign(&f, body, body_len, ws_keys(ws), out, len, ws_err(ws));
}

#define COMMIT_SIG_PREFIX "ed25519 "

int team_commit_sign(hw_ws *ws, const char *data, size_t len, char **out)
{
	unsigned char sig[KEYS_SIGNATURE];
	char hex[2 * KEYS_SIGNATURE + 1];

	*out = NULL;
	if (!ws_keys(ws) || keys_sign(ws_keys(ws), data, len, sig) < 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "the device keys are locked: nothing can be signed");
	crypto_hex(sig, sizeof(sig), hex);
	if (asprintf(out, COMMIT_SIG_PREFIX "%s %s", ws_device_id(ws), hex) < 0) {
		*out = NULL;
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	}
	return 0;
}

int team_commit_check(const team_roster *r, const char *sig, const char *data, size_t len,
		      const char *at, char *who, size_t who_size, hw_error *err)
{
	char device[TEAM_TEXT_MAX + 1];
	unsigned char s[KEYS_SIGNATURE];
	const char *p, *sp;
	const team_member *m;

	if (who && who_size)
		who[0] = '\0';
	if (!sig || strncmp(sig, COMMIT_SIG_PREFIX, strlen(COMMIT_SIG_PREFIX)) != 0)
		return hw_error_set(err, HW_EINVALID, "not signed by Homeward");
	p = sig + strlen(COMMIT_SIG_PREFIX);
	if (!(sp = strchr(p, ' ')) || !device_ok(p, (size_t)(sp - p)) ||
	    strlen(sp + 1) != 2 * KEYS_SIGNATURE)
		return hw_error_set(err, HW_EINVALID, "its signature is malformed");
	memcpy(device, p, (size_t)(sp - p));
	device[sp - p] = '\0';
	if (who && who_size)
		snprintf(who, who_size, "%s", device);
	{
		/* 128 hex digits: two fingerprint-sized halves. */
		char half[2 * KEYS_SIGN_PUBLIC + 1];

		memcpy(half, sp + 1, 2 * KEYS_SIGN_PUBLIC);
		half[2 * KEYS_SIGN_PUBLIC] = '\0';
		if (keys_fingerprint_parse(half, s) < 0 ||
		    keys_fingerprint_parse(sp + 1 + 2 * KEYS_SIGN_PUBLIC, s + KEYS_SIGN_PUBLIC) < 0)
			return hw_error_set(err, HW_EINVALID, "its signature is malformed");
	}
	if (!(m = team_member_get(r, device)) || strcmp(m->role, "supervisor") != 0)
		return hw_error_set(err, HW_EINVALID, "signed by device %s, which is not a supervisor of the team",
				    device);
	if (!team_member_at(m, at))
		return hw_error_set(err, HW_EINVALID, "signed by device %s, not a supervisor at that time", device);
	if (keys_verify(m->sign_pk, data, len, s) < 0)
		return hw_error_set(err, HW_EINVALID, "its signature is not supervisor %s's key", device);
	return 0;
}

/* The settings a team sets for all its devices, and the check of each value. */
static const struct {
	const char *key;
	int (*check)(const char *value);
	const char *fallback;    /* the value while the team has set none */
} team_keys[] = {
	{ AGENDA_ROUNDS_SETTING, agenda_rounds_check, AGENDA_ROUNDS_DEFAULT },
	{ REPORT_MIN_COUNT, report_min_count_check, "5" },
	{ REPORT_WAIT_DAYS, report_wait_days_check, "30" },
};

const char *team_setting_default(const char *key)
{
	for (size_t i = 0; key && i < sizeof(team_keys) / sizeof(team_keys[0]); i++)
		if (strcmp(key, team_keys[i].key) == 0)
			return team_keys[i].fallback;
	return NULL;
}

int team_setting_known(const char *key)
{
	for (size_t i = 0; key && i < sizeof(team_keys) / sizeof(team_keys[0]); i++)
		if (strcmp(key, team_keys[i].key) == 0)
			return 1;
	return 0;
}

int team_setting_check_value(const char *key, const char *value)
{
	for (size_t i = 0; key && value && i < sizeof(team_keys) / sizeof(team_keys[0]); i++)
		if (strcmp(key, team_keys[i].key) == 0)
			return strlen(value) <= TEAM_TEXT_MAX && team_keys[i].check(value) == 0 ? 0 : HW_EINVALID;
	return HW_EINVALID;
}

int team_setting_file_check(const team_roster *r, const team_file *f, team_setting *out,
			    hw_error *err)
{
	envelope e;
	kv k;
	const char *name, *key, *value, *by, *at;
	const team_member *m;
	size_t dlen;
	time_t t;
	int ok = 0, was_supervisor;

	if (!team_path_ok(f->path) || f->len > TEAM_ENTRY_MAX ||
	    envelope_parse(&e, f->data, f->len, NULL) < 0 || !is_setting(&e))
		return 1;
	name = strrchr(f->path, '/') + 1;
	dlen = (size_t)(name - 1 - (f->path + strlen(TEAM_DIR "/")));
	if (strcmp(e.f.case_id, TEAM_CASE) != 0 || strcmp(e.f.name, name) != 0 ||
	    strcmp(e.f.key, ENVELOPE_KEY_CLEAR) != 0 ||
	    kv_parse(&k, e.body, e.body_len, SETTING_MAGIC) < 0 || k.n != 4 ||
	    !(key = kv_get(&k, "key")) || !(value = kv_get(&k, "value")) ||
	    !(by = kv_get(&k, "by")) || !(at = kv_get(&k, "at")) ||
	    strlen(at) != HW_TIME_LEN || hw_time_parse(at, &t) < 0 || strcmp(by, e.f.signer) != 0 ||
	    strlen(by) != dlen || strncmp(by, f->path + strlen(TEAM_DIR "/"), dlen) != 0)
		return hw_error_set(err, HW_EINVALID, "not a team setting file of the right form");
	if (!team_setting_known(key))
		return hw_error_set(err, HW_EINVALID, "%.60s is not a setting a team sets", key);
	if (team_setting_check_value(key, value) < 0)
		return hw_error_set(err, HW_EINVALID, "\"%.60s\" is not a value of %s", value, key);
	/* Counted like a roster entry: a supervisor at the file's time, or the trust root. */
	m = team_member_get(r, by);
	was_supervisor = m && strcmp(m->role, "supervisor") == 0 && strcmp(m->added_at, at) <= 0 &&
			 team_member_at(m, at);
	if (was_supervisor)
		ok = envelope_verify(&e, m->sign_pk, NULL) == 0;
	if (!ok)
		ok = envelope_verify(&e, r->root, NULL) == 0;
	if (!ok) {
		if (was_supervisor)
			return hw_error_set(err, HW_EINVALID, "the team setting's signature is not supervisor "
					    "%s's key: forged or changed after signing", by);
		return hw_error_set(err, HW_EINVALID, "the team setting is signed by device %s, which is "
				    "not a supervisor of this team", by);
	}
	if (out) {
		memset(out, 0, sizeof(*out));
		snprintf(out->key, sizeof(out->key), "%s", key);
		snprintf(out->value, sizeof(out->value), "%s", value);
		snprintf(out->by, sizeof(out->by), "%s", by);
		snprintf(out->by_name, sizeof(out->by_name), "%s", m ? m->name : "");
		snprintf(out->at, sizeof(out->at), "%s", at);
		snprintf(out->path, sizeof(out->path), "%s", f->path);
	}
	return 0;
}

int team_setting_get(hw_ws *ws, const char *key, team_setting *out, int *in_team)
{
	team_roster *r = NULL;
	team_file *f = NULL;
	size_t n = 0, i;
	int rc, found = 0;

	if (in_team)
		*in_team = 0;
	memset(out, 0, sizeof(*out));
	if ((rc = team_load(ws, &r)) < 0)
		return rc;
	if (in_team)
		*in_team = 1;
	if ((rc = team_files_local(ws, &f, &n)) < 0)
		goto cleanup;
	for (i = 0; i < n; i++) {
		team_setting s;
		hw_error e = { 0, "" };

		if (team_setting_file_check(r, &f[i], &s, &e) != 0 || strcmp(s.key, key) != 0)
			continue;
		/* The latest holds; the file name breaks ties, so every device takes the same. */
		if (!found || strcmp(s.at, out->at) > 0 ||
		    (strcmp(s.at, out->at) == 0 && strcmp(s.path, out->path) > 0)) {
			*out = s;
			found = 1;
		}
	}
	if (!found)
		rc = hw_error_set(ws_err(ws), HW_ENOTFOUND, "the team has not set %s", key);
cleanup:
	team_files_free(f, n);
	team_roster_free(r);
	return rc;
}

int team_setting_value(hw_ws *ws, const char *key, char **out)
{
	team_setting s;
	int in_team = 0, rc;

	*out = NULL;
	rc = team_setting_get(ws, key, &s, &in_team);
	if (rc == HW_ENOTFOUND && !in_team) {
		hw_error_clear(ws_err(ws));
		return ws_get(ws, key, out);
	}
	if (rc < 0)
		return rc;
	if (!(*out = strdup(s.value)))
		return hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	return 0;
}

int team_setting_set(hw_ws *ws, const char *key, const char *value)
{
	team_roster *r = NULL;
	char at[HW_TIME_LEN + 1], *lines = NULL;
	int rc;

	if (!team_setting_known(key))
		return hw_error_set(ws_err(ws), HW_EINVALID, "%s is not a team setting", key ? key : "");
	if (team_setting_check_value(key, value) < 0)
		return hw_error_set(ws_err(ws), HW_EINVALID, "\"%s\" is not a value of %s",
				    value ? value : "", key);
	if ((rc = as_supervisor(ws, &r, "setting the team's settings")) < 0)
		return rc;
	hw_now_iso(at);
	{
		/* Later than the value in force, so that it holds even when this clock is behind. */
		team_setting cur;
		time_t t;

		rc = team_setting_get(ws, key, &cur, NULL);
		if (rc == 0 && strcmp(at, cur.at) <= 0 && hw_time_parse(cur.at, &t) == 0)
			hw_time_iso(t + 1, at);
		if (rc == HW_ENOTFOUND)
			hw_error_clear(ws_err(ws));
		else if (rc < 0)
			goto cleanup;
	}
	if (asprintf(&lines, "key %s\nvalue %s\nby %s\nat %s\n", key, value, ws_device_id(ws), at) < 0) {
		lines = NULL;
		rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	} else {
		rc = entry_write(ws, ws_device_id(ws), SETTING_MAGIC, lines);
	}
cleanup:
	free(lines);
	team_roster_free(r);
	return rc;
}
