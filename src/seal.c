/*
 * seal.c: case keys, sealed bodies and wrap files (see seal.h and
 * docs/security.md).  Every primitive is libsodium's, called through
 * crypto.h.
 */
#include "config.h"
#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct seal_key {
	char id[SEAL_KEY_ID_LEN + 1];
	char case_id[HW_UUID_LEN + 1];
	hw_secret *key;            /* SECRET_KEY_BYTES */
};

#define WRAP_MAGIC "homeward-wrap 1\n"
/* What a wrap seals: a tag, the case id, the key id, the key. */
#define WRAP_TAG "hwk1"
#define WRAP_PLAIN (4 + HW_UUID_LEN + SEAL_KEY_ID_LEN + SECRET_KEY_BYTES)
#define WRAP_SEALED (WRAP_PLAIN + KEYS_WRAP_OVERHEAD)

_Static_assert(sizeof(WRAP_MAGIC) - 1 + 2 * WRAP_SEALED + 1 <= SEAL_WRAP_FILE_MAX,
	       "a wrap file fits its bound");

/* An empty key for case_id, its secret not filled yet. */
static int key_alloc(seal_key **out, const char *case_id, hw_error *err)
{
	seal_key *k;
	int rc;

	*out = NULL;
	if (!case_id || !hw_uuid_valid(case_id))
		return hw_error_set(err, HW_EINVALID, "not a case id");
	if (!(k = calloc(1, sizeof(*k))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if ((rc = secret_new(&k->key, SECRET_KEY_BYTES, err)) < 0) {
		free(k);
		return rc;
	}
	memcpy(k->case_id, case_id, HW_UUID_LEN + 1);
	*out = k;
	return 0;
}

int seal_key_new(seal_key **out, const char *case_id, hw_error *err)
{
	unsigned char raw[SEAL_KEY_ID_LEN / 2];
	seal_key *k = NULL;
	int rc;

	*out = NULL;
	if ((rc = key_alloc(&k, case_id, err)) < 0)
		return rc;
	if ((rc = secret_random_key(k->key, err)) < 0) {
		seal_key_free(k);
		return rc;
	}
	/* A random id: it says nothing about the key, the case or the time. */
	crypto_fill_random(raw, sizeof(raw));
	crypto_hex(raw, sizeof(raw), k->id);
	*out = k;
	return 0;
}

void seal_key_free(seal_key *k)
{
	if (!k)
		return;
	secret_free(k->key);
	free(k);
}

const char *seal_key_id(const seal_key *k) { return k->id; }
const char *seal_key_case(const seal_key *k) { return k->case_id; }

int seal_key_id_valid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != SEAL_KEY_ID_LEN)
		return 0;
	for (i = 0; i < SEAL_KEY_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int seal_body(char **out, size_t *outlen, const seal_key *k, const char *ad, size_t adlen,
	      const char *body, size_t len, hw_error *err)
{
	return secret_encrypt((unsigned char **)out, outlen, k->key, ad, adlen, body, len, err);
}

int seal_open_body(char **out, size_t *outlen, const seal_key *k, const char *ad,
		   size_t adlen, const char *sealed, size_t len, hw_error *err)
{
	return secret_decrypt(out, outlen, k->key, ad, adlen, sealed, len, err);
}

int seal_wrap(char **out, size_t *outlen, const seal_key *k,
	      const unsigned char pk[KEYS_BOX_PUBLIC], hw_error *err)
{
	hw_secret *plain = NULL;
	unsigned char *sealed = NULL;
	size_t slen = 0, magic = strlen(WRAP_MAGIC);
	char *file = NULL, *p;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = secret_new(&plain, WRAP_PLAIN, err)) < 0)
		return rc;
	p = secret_data(plain);
	memcpy(p, WRAP_TAG, 4);
	memcpy(p + 4, k->case_id, HW_UUID_LEN);
	memcpy(p + 4 + HW_UUID_LEN, k->id, SEAL_KEY_ID_LEN);
	memcpy(p + 4 + HW_UUID_LEN + SEAL_KEY_ID_LEN, secret_cdata(k->key), SECRET_KEY_BYTES);
	secret_set_len(plain, WRAP_PLAIN);
	if ((rc = keys_wrap(&sealed, &slen, pk, secret_cdata(plain), WRAP_PLAIN, err)) < 0)
		goto cleanup;
	if (!(file = malloc(magic + 2 * slen + 2))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	memcpy(file, WRAP_MAGIC, magic);
	crypto_hex(sealed, slen, file + magic);
	file[magic + 2 * slen] = '\n';
	file[magic + 2 * slen + 1] = '\0';
	*out = file;
	*outlen = magic + 2 * slen + 1;
	file = NULL;
cleanup:
	secret_free(plain);
	free(sealed);
	free(file);
	return rc;
}

/* The value of one hex digit, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int seal_unwrap(seal_key **out, const hw_keys *dev, const char *case_id, const char *key_id,
		const char *data, size_t len, hw_error *err)
{
	unsigned char sealed[WRAP_SEALED];
	size_t magic = strlen(WRAP_MAGIC), i;
	hw_secret *plain = NULL;
	seal_key *k = NULL;
	const char *p;
	int rc;

	*out = NULL;
	if (!seal_key_id_valid(key_id))
		return hw_error_set(err, HW_EINVALID, "not a key id");
	/* Exactly the magic line, the hex of one sealed box and a newline. */
	if (len != magic + 2 * WRAP_SEALED + 1 || memcmp(data, WRAP_MAGIC, magic) != 0 ||
	    data[len - 1] != '\n')
		return hw_error_set(err, HW_EINVALID, "not a wrap file");
	for (i = 0; i < WRAP_SEALED; i++) {
		int hi = hexval(data[magic + 2 * i]), lo = hexval(data[magic + 2 * i + 1]);

		if (hi < 0 || lo < 0)
			return hw_error_set(err, HW_EINVALID, "not a wrap file");
		sealed[i] = (unsigned char)(hi << 4 | lo);
	}
	if ((rc = secret_new(&plain, WRAP_PLAIN, err)) < 0)
		return rc;
	if ((rc = keys_unwrap(plain, dev, sealed, sizeof(sealed), err)) < 0)
		goto cleanup;
	p = secret_cdata(plain);
	if (secret_len(plain) != WRAP_PLAIN || memcmp(p, WRAP_TAG, 4) != 0 ||
	    memcmp(p + 4, case_id, HW_UUID_LEN) != 0 ||
	    memcmp(p + 4 + HW_UUID_LEN, key_id, SEAL_KEY_ID_LEN) != 0) {
		rc = hw_error_set(err, HW_EINVALID,
				  "the wrapped key is for another case or key id than its file says");
		goto cleanup;
	}
	if ((rc = key_alloc(&k, case_id, err)) < 0)
		goto cleanup;
	memcpy(k->id, key_id, SEAL_KEY_ID_LEN + 1);
	memcpy(secret_data(k->key), p + 4 + HW_UUID_LEN + SEAL_KEY_ID_LEN, SECRET_KEY_BYTES);
	secret_set_len(k->key, SECRET_KEY_BYTES);
	*out = k;
	k = NULL;
cleanup:
	secret_free(plain);
	seal_key_free(k);
	return rc;
}

/* --- Recipients ----------------------------------------------------------- */

void seal_recipients_free(seal_recipients *r)
{
	if (!r)
		return;
	free(r->items);
	r->items = NULL;
	r->n = r->cap = 0;
}

/* Index where device is, or where it would go (binary search). */
static size_t recipient_pos(const seal_recipients *r, const char *device, int *found)
{
	size_t lo = 0, hi = r->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->items[mid].device, device);

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

int seal_recipients_add(seal_recipients *r, const char *device,
			const unsigned char pk[KEYS_BOX_PUBLIC])
{
	size_t at;
	int found;

	if (!device || !*device || strlen(device) > SEAL_DEVICE_MAX)
		return HW_EINVALID;
	at = recipient_pos(r, device, &found);
	if (found)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		seal_recipient *grown = realloc(r->items, cap * sizeof(*grown));

		if (!grown)
			return HW_ERROR;
		r->items = grown;
		r->cap = cap;
	}
	memmove(&r->items[at + 1], &r->items[at], (r->n - at) * sizeof(*r->items));
	memset(&r->items[at], 0, sizeof(r->items[at]));
	memcpy(r->items[at].device, device, strlen(device) + 1);
	memcpy(r->items[at].box_public, pk, KEYS_BOX_PUBLIC);
	r->n++;
	return 0;
}

const seal_recipient *seal_recipients_find(const seal_recipients *r, const char *device)
{
	int found;
	size_t at = recipient_pos(r, device, &found);

	return found ? &r->items[at] : NULL;
}

/* Collecting the recipients of one case from the roster. */
typedef struct pick_ctx {
	seal_recipients *out;
	const seal_case_people *people;
} pick_ctx;

/* True if s is one of the n strings of list. */
static int among(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s && *s && i < n; i++)
		if (list[i] && strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* A member is a recipient as a supervisor, an assignee or a provider's device. */
static int pick_member(const seal_member *m, void *payload)
{
	pick_ctx *c = payload;
	const seal_case_people *p = c->people;
	int want;

	if (!m->device || !m->box_public)
		return 0;
	want = (m->role && strcmp(m->role, "supervisor") == 0) ||
	       among(m->device, p->assignees, p->nassignees) ||
	       among(m->organisation, p->providers, p->nproviders);
	return want ? seal_recipients_add(c->out, m->device, m->box_public) : 0;
}

int seal_case_recipients(seal_recipients *out, seal_roster_fn roster, void *roster_payload,
			 const seal_case_people *people, const char *self_device,
			 const unsigned char self_pk[KEYS_BOX_PUBLIC], hw_error *err)
{
	static const seal_case_people nobody = { NULL, 0, NULL, 0 };
	pick_ctx c = { out, people ? people : &nobody };
	int rc;

	if (roster && (rc = roster(roster_payload, pick_member, &c)) != 0)
		return rc < 0 && err && err->code ? rc
		       : hw_error_set(err, HW_ERROR, "reading the team's roster for a case's recipients");
	if (self_device && self_pk && (rc = seal_recipients_add(out, self_device, self_pk)) < 0)
		return hw_error_set(err, rc, "this device's id cannot receive keys");
	return 0;
}

long seal_choose_key(const seal_key_info *keys, size_t n, const seal_recipients *want)
{
	long best = -1;
	size_t i, j;

	for (i = 0; i < n; i++) {
		int ok = keys[i].openable;

		for (j = 0; ok && j < keys[i].nwrapped; j++)
			if (!seal_recipients_find(want, keys[i].wrapped_for[j]))
				ok = 0;
		if (!ok)
			continue;
		if (best < 0 || keys[i].nwrapped > keys[best].nwrapped ||
		    (keys[i].nwrapped == keys[best].nwrapped &&
		     strcmp(keys[i].id, keys[best].id) < 0))
			best = (long)i;
	}
	return best;
}
