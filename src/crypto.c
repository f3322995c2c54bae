/*
 * crypto.c: libsodium behind one module.  Only high-level calls:
 * crypto_sign (Ed25519), crypto_box key pairs (X25519), crypto_pwhash
 * (Argon2id), crypto_aead_xchacha20poly1305_ietf, crypto_box_seal, and
 * sodium_malloc for secrets.
 */
#include "config.h"
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct hw_secret {
	unsigned char *data;   /* sodium_malloc'd (locked, guarded), or a slot of a pool chunk */
	size_t len, cap;
	struct secret_chunk *chunk;   /* the chunk of a small secret, NULL otherwise */
};

/*
 * Small secrets (case keys, the wraps they come in) share locked, guarded
 * chunks instead of taking a locked, guarded mapping each: a sodium_malloc
 * is three mappings, and mapping and unmapping them costs the whole
 * machine a flush of its address translations.  An import opens a case
 * key per case, so at 100,000 cases that was most of its processor time.
 * A chunk is returned to the system when its last secret is freed; a
 * freed slot is wiped first.  The chunks hold no secret in memory that is
 * not locked, and one small secret running past its end can only reach
 * another in the same chunk, never unguarded memory.
 */
#define SLOT_BYTES 128
#define CHUNK_SLOTS 256

typedef struct secret_chunk {
	unsigned char *mem;                  /* sodium_malloc'd: CHUNK_SLOTS slots */
	uint64_t used[CHUNK_SLOTS / 64];     /* a bit per slot in use */
	size_t nused;
	struct secret_chunk *next;
} secret_chunk;

static secret_chunk *chunks;             /* the chunks with secrets in use */
static pthread_mutex_t chunks_lock = PTHREAD_MUTEX_INITIALIZER;

/* A free slot of a chunk, with its chunk; NULL when out of memory. */
static unsigned char *slot_take(secret_chunk **from)
{
	secret_chunk *c;
	unsigned char *slot = NULL;
	size_t w, b;

	pthread_mutex_lock(&chunks_lock);
	for (c = chunks; c && c->nused == CHUNK_SLOTS; c = c->next)
		;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c))) || !(c->mem = sodium_malloc(SLOT_BYTES * CHUNK_SLOTS))) {
			free(c);
			goto done;
		}
		c->next = chunks;
		chunks = c;
	}
	for (w = 0; c->used[w] == UINT64_MAX; w++)
		;
	for (b = 0; c->used[w] & (UINT64_C(1) << b); b++)
		;
	c->used[w] |= UINT64_C(1) << b;
	c->nused++;
	slot = c->mem + (w * 64 + b) * SLOT_BYTES;
	*from = c;
done:
	pthread_mutex_unlock(&chunks_lock);
	return slot;
}

/* Wipe a slot and give it back; a chunk left empty goes back to the system. */
static void slot_give(secret_chunk *c, unsigned char *slot)
{
	size_t i = (size_t)(slot - c->mem) / SLOT_BYTES;
	secret_chunk **p;

	sodium_memzero(slot, SLOT_BYTES);
	pthread_mutex_lock(&chunks_lock);
	c->used[i / 64] &= ~(UINT64_C(1) << (i % 64));
	if (--c->nused == 0) {
		for (p = &chunks; *p != c; p = &(*p)->next)
			;
		*p = c->next;
		sodium_free(c->mem);
		free(c);
	}
	pthread_mutex_unlock(&chunks_lock);
}

struct hw_keys {
	unsigned char sign_pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char box_pk[crypto_box_PUBLICKEYBYTES];
	unsigned char *sk;     /* sodium_malloc'd: sign secret key, then box secret key */
};

_Static_assert(SECRET_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(SECRET_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert(SECRET_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");
_Static_assert(KEYS_WRAP_OVERHEAD == crypto_box_SEALBYTES, "sealed box size");
_Static_assert(KEYS_BOX_PUBLIC == crypto_box_PUBLICKEYBYTES, "box key size");

#define SIGN_SK crypto_sign_SECRETKEYBYTES
#define BOX_SK crypto_box_SECRETKEYBYTES
#define SK_LEN (SIGN_SK + BOX_SK)
#define KEY_FILE_MAGIC "homeward-keys 1\n"
#define KEY_FILE_MAX 4096
/* Bounds on the Argon2id limits a key file may ask for: a hostile file must
 * not make opening it take minutes or gigabytes. */
#define OPS_MAX 16ULL
#define MEM_MAX (1024ULL * 1024 * 1024)

int crypto_ready(hw_error *err)
{
	if (sodium_init() < 0)
		return hw_error_set(err, HW_ERROR, "the cryptography library cannot start");
	return 0;
}

int secret_new(hw_secret **out, size_t cap, hw_error *err)
{
	hw_secret *s;

	*out = NULL;
	if (crypto_ready(err) < 0)
		return HW_ERROR;
	if (!(s = calloc(1, sizeof(*s))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (cap <= SLOT_BYTES)
		s->data = slot_take(&s->chunk);
	else
		s->data = sodium_malloc(cap);
	if (!s->data) {
		free(s);
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	}
	sodium_memzero(s->data, cap ? cap : 1);
	s->cap = cap;
	*out = s;
	return 0;
}

void secret_free(hw_secret *s)
{
	if (!s)
		return;
	if (s->chunk)
		slot_give(s->chunk, s->data);   /* wipes before giving back */
	else
		sodium_free(s->data);   /* wipes before freeing */
	free(s);
}

char *secret_data(hw_secret *s) { return (char *)s->data; }
const char *secret_cdata(const hw_secret *s) { return (const char *)s->data; }
size_t secret_len(const hw_secret *s) { return s->len; }
size_t secret_cap(const hw_secret *s) { return s->cap; }

void secret_set_len(hw_secret *s, size_t len)
{
	if (len > s->cap)
		len = s->cap;
	if (len < s->cap)
		sodium_memzero(s->data + len, s->cap - len);
	s->len = len;
}

int secret_equal(const hw_secret *a, const hw_secret *b)
{
	return a->len == b->len && sodium_memcmp(a->data, b->data, a->len) == 0;
}

int keys_generate(hw_keys **out, hw_error *err)
{
	hw_keys *k;

	*out = NULL;
	if (crypto_ready(err) < 0)
		return HW_ERROR;
	if (!(k = calloc(1, sizeof(*k))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!(k->sk = sodium_malloc(SK_LEN))) {
		free(k);
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	}
	if (crypto_sign_keypair(k->sign_pk, k->sk) != 0 ||
	    crypto_box_keypair(k->box_pk, k->sk + SIGN_SK) != 0) {
		keys_free(k);
		return hw_error_set(err, HW_ERROR, "cannot make key pairs");
	}
	*out = k;
	return 0;
}

void keys_free(hw_keys *k)
{
	if (!k)
		return;
	sodium_free(k->sk);
	free(k);
}

const unsigned char *keys_sign_public(const hw_keys *k) { return k->sign_pk; }
const unsigned char *keys_box_public(const hw_keys *k) { return k->box_pk; }

int keys_sign(const hw_keys *k, const void *msg, size_t len, unsigned char sig[KEYS_SIGNATURE])
{
	return crypto_sign_detached(sig, NULL, msg, len, k->sk) == 0 ? 0 : HW_ERROR;
}

int keys_verify(const unsigned char pk[KEYS_SIGN_PUBLIC], const void *msg, size_t len,
		const unsigned char sig[KEYS_SIGNATURE])
{
	if (sodium_init() < 0)
		return HW_ERROR;
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : HW_EINVALID;
}

void crypto_hex(const unsigned char *bytes, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bytes, n);
}

void keys_fingerprint(const unsigned char pk[KEYS_SIGN_PUBLIC], char out[KEYS_FINGERPRINT_TEXT])
{
	char hex[2 * KEYS_SIGN_PUBLIC + 1];
	size_t o = 0;

	crypto_hex(pk, KEYS_SIGN_PUBLIC, hex);
	for (size_t i = 0; i < 2 * KEYS_SIGN_PUBLIC; i++) {
		if (i && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

int keys_fingerprint_parse(const char *text, unsigned char pk[KEYS_SIGN_PUBLIC])
{
	size_t len = 0;

	if (sodium_init() < 0)
		return HW_ERROR;
	if (sodium_hex2bin(pk, KEYS_SIGN_PUBLIC, text, strlen(text), " :-\t", &len, NULL) != 0 ||
	    len != KEYS_SIGN_PUBLIC)
		return HW_EINVALID;
	return 0;
}

/* Write data to path with mode 0600, durably, never replacing a file. */
static int write_new_private(const char *path, const char *data, size_t len, hw_error *err)
{
	char *tmp = NULL, *slash, *dir = NULL;
	int fd = -1, rc = 0;
	size_t done = 0;

	if (asprintf(&tmp, "%s.new-%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
				  "cannot create %s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
					  "cannot write %s: %s", tmp, strerror(errno));
			goto cleanup;
		}
		done += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
				  "cannot write %s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	fd = -1;
	/* link() refuses an existing name: keys are never replaced. */
	if (link(tmp, path) < 0) {
		rc = errno == EEXIST ? hw_error_set(err, HW_EEXISTS, "%s already exists", path)
				     : hw_error_set(err, HW_ERROR, "cannot write %s: %s", path,
						    strerror(errno));
		goto cleanup;
	}
	if ((dir = strdup(path)) && (slash = strrchr(dir, '/'))) {
		int dfd;

		*slash = '\0';
		if ((dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
cleanup:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	return rc;
}

/*
 * The key derived from a passphrase for one salt and one set of limits,
 * kept so that a command derives it once however many files it opens.  It
 * never leaves memory: the key and the passphrase's tag live in
 * sodium_malloc'd memory (locked, wiped when forgotten or freed).
 */
#define KDF_TAG_BYTES crypto_generichash_BYTES
struct hw_kdf {
	unsigned char *mem;    /* sodium_malloc'd: key, tag of the passphrase, tag key */
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned long long ops;
	size_t memlimit;
	int valid;             /* mem holds a key for salt, ops and memlimit */
};
#define KDF_KEY(c) ((c)->mem)
#define KDF_TAG(c) ((c)->mem + SECRET_KEY_BYTES)
#define KDF_TAG_KEY(c) ((c)->mem + SECRET_KEY_BYTES + KDF_TAG_BYTES)
#define KDF_MEM_BYTES (SECRET_KEY_BYTES + KDF_TAG_BYTES + crypto_generichash_KEYBYTES)

/* Argon2id runs in this process (a counter for tests: a command derives once). */
static unsigned long derivations;

unsigned long crypto_derivations(void)
{
	return derivations;
}

int kdf_new(hw_kdf **out, hw_error *err)
{
	hw_kdf *c;

	*out = NULL;
	if (crypto_ready(err) < 0)
		return HW_ERROR;
	if (!(c = calloc(1, sizeof(*c))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!(c->mem = sodium_malloc(KDF_MEM_BYTES))) {
		free(c);
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	}
	sodium_memzero(c->mem, KDF_MEM_BYTES);
	*out = c;
	return 0;
}

void kdf_forget(hw_kdf *c)
{
	if (!c)
		return;
	sodium_memzero(c->mem, KDF_MEM_BYTES);
	sodium_memzero(c->salt, sizeof(c->salt));
	c->valid = 0;
}

void kdf_free(hw_kdf *c)
{
	if (!c)
		return;
	sodium_free(c->mem);   /* wipes before freeing */
	free(c);
}

int kdf_holds(const hw_kdf *c)
{
	return c && c->valid;
}

void kdf_copy(hw_kdf *dst, const hw_kdf *src)
{
	if (!dst || dst == src)
		return;
	kdf_forget(dst);
	if (!src || !src->valid)
		return;
	memcpy(dst->mem, src->mem, KDF_MEM_BYTES);
	memcpy(dst->salt, src->salt, sizeof(dst->salt));
	dst->ops = src->ops;
	dst->memlimit = src->memlimit;
	dst->valid = 1;
}

int kdf_same(const hw_kdf *a, const hw_kdf *b)
{
	return kdf_holds(a) && kdf_holds(b) && a->ops == b->ops && a->memlimit == b->memlimit &&
	       sodium_memcmp(a->salt, b->salt, sizeof(a->salt)) == 0;
}

/* The passphrase's tag under the cache's tag key (to tell it again without keeping it). */
static void kdf_tag(const hw_kdf *c, const hw_secret *pass, unsigned char tag[KDF_TAG_BYTES])
{
	crypto_generichash(tag, KDF_TAG_BYTES, (const unsigned char *)secret_cdata(pass),
			   secret_len(pass), KDF_TAG_KEY(c), crypto_generichash_KEYBYTES);
}

/* True when c holds a key derived from pass (NULL: from whatever passphrase opened it). */
static int kdf_is_for(const hw_kdf *c, const hw_secret *pass)
{
	unsigned char tag[KDF_TAG_BYTES];
	int same;

	if (!c || !c->valid)
		return 0;
	if (!pass)
		return 1;
	kdf_tag(c, pass, tag);
	same = sodium_memcmp(tag, KDF_TAG(c), KDF_TAG_BYTES) == 0;
	sodium_memzero(tag, sizeof(tag));
	return same;
}

/*
 * The key that seals a file (Argon2id of pass with salt, ops and mem) into
 * key: the one c holds when it was derived from the same passphrase with the
 * same salt and limits, else derived now and kept in c (which may be NULL).
 * Without pass only c can give it: HW_EAUTH when c holds another.
 */
static int sealing_key(unsigned char *key, const hw_secret *pass, const unsigned char *salt,
		       unsigned long long ops, size_t mem, hw_kdf *c, hw_error *err)
{
	if (kdf_is_for(c, pass) && c->ops == ops && c->memlimit == mem &&
	    sodium_memcmp(c->salt, salt, sizeof(c->salt)) == 0) {
		memcpy(key, KDF_KEY(c), SECRET_KEY_BYTES);
		return 0;
	}
	if (!pass)
		return hw_error_set(err, HW_EAUTH, "the passphrase is needed");
	derivations++;
	if (crypto_pwhash(key, SECRET_KEY_BYTES, secret_cdata(pass), secret_len(pass), salt, ops,
			  mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return hw_error_set(err, HW_ERROR, "not enough memory to derive the key from the passphrase");
	if (c) {
		kdf_forget(c);
		randombytes_buf(KDF_TAG_KEY(c), crypto_generichash_KEYBYTES);
		kdf_tag(c, pass, KDF_TAG(c));
		memcpy(KDF_KEY(c), key, SECRET_KEY_BYTES);
		memcpy(c->salt, salt, sizeof(c->salt));
		c->ops = ops;
		c->memlimit = mem;
		c->valid = 1;
	}
	return 0;
}

/* The hex after "name " on the line at *p, into out (n bytes); moves *p past the line. */
static int take_hex(const char **p, const char *name, unsigned char *out, size_t n)
{
	size_t nl = strlen(name), len = 0;
	const char *end;

	if (strncmp(*p, name, nl) != 0 || (*p)[nl] != ' ')
		return -1;
	*p += nl + 1;
	if (!(end = strchr(*p, '\n')))
		return -1;
	if (sodium_hex2bin(out, n, *p, (size_t)(end - *p), NULL, &len, NULL) != 0 || len != n)
		return -1;
	*p = end + 1;
	return 0;
}

/*
 * A passphrase-sealed file: the device keys and the database key are both
 * one, differing in their first line, the public lines they carry and the
 * length of their secret (docs/security.md):
 *
 *   MAGIC
 *   kdf argon2id13 OPS MEM
 *   salt HEX
 *   nonce HEX
 *   NAME HEX            (public lines, per kind)
 *   sealed HEX          (the secret, XChaCha20-Poly1305, all lines above as
 *                        associated data: change a byte and it no longer opens)
 */
typedef struct sealed_kind {
	const char *magic;     /* the first line, with its newline */
	const char *noun;      /* what it holds, for messages: "device keys" */
	size_t secret;         /* bytes of the sealed secret */
	const char *pub[2];    /* names of the public lines, NULL after the last */
	size_t pub_len[2];
} sealed_kind;

/* Bytes of public lines a kind may have, and of a sealed secret. */
#define SEALED_PUB_MAX 32
#define SEALED_SECRET_MAX 128

/*
 * Write secret (kind->secret bytes) and the public lines pub[] to path,
 * sealed under pass: with the salt and key c holds when they come from pass
 * (so that the files of a workspace share one derivation), else with a new
 * salt whose key c then keeps.  Mode 0600, durably, never over a file.
 */
static int sealed_save(const sealed_kind *kind, const char *path,
		       const unsigned char pub[][SEALED_PUB_MAX], const unsigned char *secret,
		       const hw_secret *pass, hw_kdf *c, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[SEALED_SECRET_MAX + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char *key = NULL;
	char salt_hex[sizeof(salt) * 2 + 1], nonce_hex[sizeof(nonce) * 2 + 1];
	char sealed_hex[sizeof(sealed) * 2 + 1], pub_hex[SEALED_PUB_MAX * 2 + 1];
	char *head = NULL, *more = NULL, *file = NULL;
	unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE, slen = kind->secret + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	int rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!pass || secret_len(pass) == 0)
		return hw_error_set(err, HW_EINVALID, "the passphrase is empty");
	if (!(key = sodium_malloc(SECRET_KEY_BYTES)))
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	if (kdf_is_for(c, pass)) {
		memcpy(salt, c->salt, sizeof(salt));
		ops = c->ops;
		mem = c->memlimit;
	} else {
		randombytes_buf(salt, sizeof(salt));
	}
	randombytes_buf(nonce, sizeof(nonce));
	crypto_hex(salt, sizeof(salt), salt_hex);
	crypto_hex(nonce, sizeof(nonce), nonce_hex);
	if (asprintf(&head, "%skdf argon2id13 %llu %zu\nsalt %s\nnonce %s\n", kind->magic, ops, mem,
		     salt_hex, nonce_hex) < 0) {
		head = NULL;
		goto oom;
	}
	for (int i = 0; i < 2 && kind->pub[i]; i++) {
		crypto_hex(pub[i], kind->pub_len[i], pub_hex);
		if (asprintf(&more, "%s%s %s\n", head, kind->pub[i], pub_hex) < 0) {
			more = NULL;
			goto oom;
		}
		free(head);
		head = more;
		more = NULL;
	}
	if ((rc = sealing_key(key, pass, salt, ops, mem, c, err)) < 0)
		goto cleanup;
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, secret, kind->secret,
						   (const unsigned char *)head, strlen(head),
						   NULL, nonce, key);
	crypto_hex(sealed, slen, sealed_hex);
	if (asprintf(&file, "%ssealed %s\n", head, sealed_hex) < 0) {
		file = NULL;
		goto oom;
	}
	rc = write_new_private(path, file, strlen(file), err);
	goto cleanup;
oom:
	rc = hw_error_set(err, HW_ERROR, "out of memory");
cleanup:
	sodium_free(key);
	sodium_memzero(sealed, sizeof(sealed));
	free(head);
	free(more);
	free(file);
	return rc;
}

/*
 * Read the file of this kind at path and open its secret (kind->secret
 * bytes, into secret) with pass, through c (see sealing_key); its public
 * lines go to pub[].  No file is HW_ENOTFOUND, not a file of this kind
 * HW_ECORRUPT, a wrong passphrase or a changed byte HW_EAUTH.
 */
static int sealed_load(const sealed_kind *kind, const char *path,
		       unsigned char pub[][SEALED_PUB_MAX], unsigned char *secret,
		       const hw_secret *pass, hw_kdf *c, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[SEALED_SECRET_MAX + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char *key = NULL;
	char *data = NULL;
	const char *p, *head_end;
	unsigned long long ops;
	size_t mem, len, slen = kind->secret + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	int consumed = 0, rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!hw_exists(path))
		return hw_error_set(err, HW_ENOTFOUND, "no %s in %s", kind->noun, path);
	if ((rc = hw_read_file(path, &data, &len, err)) < 0)
		return rc;
	rc = hw_error_set(err, HW_ECORRUPT, "%s is not a Homeward file of %s", path, kind->noun);
	if (len > KEY_FILE_MAX || strlen(data) != len || strncmp(data, kind->magic, strlen(kind->magic)))
		goto cleanup;
	p = data + strlen(kind->magic);
	if (sscanf(p, "kdf argon2id13 %llu %zu\n%n", &ops, &mem, &consumed) != 2 || !consumed ||
	    ops < crypto_pwhash_OPSLIMIT_MIN || ops > OPS_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > MEM_MAX)
		goto cleanup;
	p += consumed;
	if (take_hex(&p, "salt", salt, sizeof(salt)) < 0 ||
	    take_hex(&p, "nonce", nonce, sizeof(nonce)) < 0)
		goto cleanup;
	for (int i = 0; i < 2 && kind->pub[i]; i++)
		if (take_hex(&p, kind->pub[i], pub[i], kind->pub_len[i]) < 0)
			goto cleanup;
	head_end = p;
	if (take_hex(&p, "sealed", sealed, slen) < 0 || *p)
		goto cleanup;
	if (!(key = sodium_malloc(SECRET_KEY_BYTES))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory for a secret");
		goto cleanup;
	}
	if ((rc = sealing_key(key, pass, salt, ops, mem, c, err)) < 0)
		goto cleanup;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret, NULL, NULL, sealed, slen,
						       (const unsigned char *)data,
						       (size_t)(head_end - data), nonce, key) != 0) {
		rc = hw_error_set(err, HW_EAUTH, "wrong passphrase (or the key file %s was changed)", path);
		goto cleanup;
	}
	rc = 0;
	hw_error_clear(err);
cleanup:
	sodium_free(key);
	free(data);
	return rc;
}

static const sealed_kind device_keys = {
	KEY_FILE_MAGIC, "device keys", SK_LEN,
	{ "sign-public", "box-public" }, { KEYS_SIGN_PUBLIC, KEYS_BOX_PUBLIC },
};

int keys_save(const hw_keys *k, const char *path, const hw_secret *pass, hw_kdf *kdf,
	      hw_error *err)
{
	unsigned char pub[2][SEALED_PUB_MAX];

	memcpy(pub[0], k->sign_pk, KEYS_SIGN_PUBLIC);
	memcpy(pub[1], k->box_pk, KEYS_BOX_PUBLIC);
	return sealed_save(&device_keys, path, (const unsigned char (*)[SEALED_PUB_MAX])pub,
			   k->sk, pass, kdf, err);
}

int keys_load(hw_keys **out, const char *path, const hw_secret *pass, hw_kdf *kdf,
	      hw_error *err)
{
	unsigned char pub[2][SEALED_PUB_MAX];
	unsigned char check[crypto_box_PUBLICKEYBYTES];
	hw_keys *k = NULL;
	int rc;

	*out = NULL;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!(k = calloc(1, sizeof(*k))) || !(k->sk = sodium_malloc(SK_LEN))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory for a secret");
		goto cleanup;
	}
	if ((rc = sealed_load(&device_keys, path, pub, k->sk, pass, kdf, err)) < 0)
		goto cleanup;
	memcpy(k->sign_pk, pub[0], KEYS_SIGN_PUBLIC);
	memcpy(k->box_pk, pub[1], KEYS_BOX_PUBLIC);
	/* The public halves must be those of the private ones. */
	if (memcmp(k->sk + SIGN_SK - KEYS_SIGN_PUBLIC, k->sign_pk, KEYS_SIGN_PUBLIC) != 0 ||
	    crypto_scalarmult_base(check, k->sk + SIGN_SK) != 0 ||
	    memcmp(check, k->box_pk, sizeof(check)) != 0) {
		rc = hw_error_set(err, HW_ECORRUPT, "the key file %s does not hold matching keys", path);
		goto cleanup;
	}
	*out = k;
	k = NULL;
cleanup:
	keys_free(k);
	return rc;
}

void crypto_fill_random(void *buf, size_t n)
{
	if (sodium_init() >= 0)
		randombytes_buf(buf, n);
}

int secret_random_key(hw_secret *key, hw_error *err)
{
	int rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (secret_cap(key) < SECRET_KEY_BYTES)
		return hw_error_set(err, HW_ERROR, "a key needs %d bytes", SECRET_KEY_BYTES);
	crypto_aead_xchacha20poly1305_ietf_keygen(key->data);
	secret_set_len(key, SECRET_KEY_BYTES);
	return 0;
}

int secret_encrypt(unsigned char **out, size_t *outlen, const hw_secret *key,
		   const void *ad, size_t adlen, const void *msg, size_t len, hw_error *err)
{
	unsigned char *buf;
	unsigned long long clen = 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (secret_len(key) != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
		return hw_error_set(err, HW_ERROR, "the key is not %d bytes", SECRET_KEY_BYTES);
	if (len > SIZE_MAX - SECRET_OVERHEAD - 1)
		return hw_error_set(err, HW_EINVALID, "the message is too large to encrypt");
	if (!(buf = malloc(len + SECRET_OVERHEAD + 1)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	randombytes_buf(buf, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						   &clen, msg, len, ad, adlen, NULL, buf, key->data);
	*out = buf;
	*outlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
	return 0;
}

int secret_decrypt(char **out, size_t *outlen, const hw_secret *key, const void *ad,
		   size_t adlen, const void *sealed, size_t len, hw_error *err)
{
	const unsigned char *in = sealed;
	unsigned char *buf;
	unsigned long long mlen = 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (secret_len(key) != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
		return hw_error_set(err, HW_ERROR, "the key is not %d bytes", SECRET_KEY_BYTES);
	if (len < SECRET_OVERHEAD)
		return hw_error_set(err, HW_EINVALID, "the ciphertext is too short");
	if (!(buf = malloc(len - SECRET_OVERHEAD + 1)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL,
						       in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						       len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
						       ad, adlen, in, key->data) != 0) {
		free(buf);
		return hw_error_set(err, HW_EINVALID,
				    "the ciphertext does not open with this key (changed, or another key)");
	}
	buf[mlen] = '\0';
	*out = (char *)buf;
	*outlen = (size_t)mlen;
	return 0;
}

int keys_wrap(unsigned char **out, size_t *outlen, const unsigned char pk[KEYS_BOX_PUBLIC],
	      const void *msg, size_t len, hw_error *err)
{
	unsigned char *buf;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (len > 4096)
		return hw_error_set(err, HW_EINVALID, "too much to wrap");
	if (!(buf = malloc(len + crypto_box_SEALBYTES)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (crypto_box_seal(buf, msg, len, pk) != 0) {
		free(buf);
		return hw_error_set(err, HW_EINVALID, "cannot seal for this public key");
	}
	*out = buf;
	*outlen = len + crypto_box_SEALBYTES;
	return 0;
}

int keys_unwrap(hw_secret *out, const hw_keys *k, const void *sealed, size_t len,
		hw_error *err)
{
	int rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (len < crypto_box_SEALBYTES || len - crypto_box_SEALBYTES > secret_cap(out))
		return hw_error_set(err, HW_EINVALID, "a wrapped key of the wrong size");
	if (crypto_box_seal_open(out->data, sealed, len, k->box_pk, k->sk + SIGN_SK) != 0) {
		secret_set_len(out, 0);
		return hw_error_set(err, HW_EINVALID,
				    "the wrapped key does not open with this device's keys");
	}
	secret_set_len(out, len - crypto_box_SEALBYTES);
	return 0;
}

/* The database key (docs/security.md, "The database at rest"). */
#define DBKEY_MAGIC "homeward-database-key 1\n"

int dbkey_generate(hw_secret **out, hw_error *err)
{
	int rc;

	if ((rc = secret_new(out, CRYPTO_KEY_BYTES, err)) < 0)
		return rc;
	crypto_aead_xchacha20poly1305_ietf_keygen((*out)->data);
	secret_set_len(*out, CRYPTO_KEY_BYTES);
	return 0;
}

static const sealed_kind database_key = {
	DBKEY_MAGIC, "database key", CRYPTO_KEY_BYTES, { NULL, NULL }, { 0, 0 },
};

int dbkey_save(const hw_secret *dbkey, const char *path, const hw_secret *pass, hw_kdf *kdf,
	       hw_error *err)
{
	if (secret_len(dbkey) != CRYPTO_KEY_BYTES)
		return hw_error_set(err, HW_EINVALID, "a database key is %d bytes", CRYPTO_KEY_BYTES);
	return sealed_save(&database_key, path, NULL, dbkey->data, pass, kdf, err);
}

int dbkey_load(hw_secret **out, const char *path, const hw_secret *pass, hw_kdf *kdf,
	       hw_error *err)
{
	hw_secret *k = NULL;
	int rc;

	*out = NULL;
	if ((rc = secret_new(&k, CRYPTO_KEY_BYTES, err)) < 0)
		return rc;
	if ((rc = sealed_load(&database_key, path, NULL, k->data, pass, kdf, err)) < 0) {
		secret_free(k);
		return rc;
	}
	secret_set_len(k, CRYPTO_KEY_BYTES);
	*out = k;
	return 0;
}

void crypto_page_seal(const hw_secret *key, unsigned char *text, size_t len,
		      const unsigned char *ad, size_t adlen, unsigned char extra[CRYPTO_PAGE_EXTRA])
{
	randombytes_buf(extra, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		text, extra + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, text, len,
		ad, adlen, NULL, extra, key->data);
}

int crypto_page_open(const hw_secret *key, unsigned char *text, size_t len,
		     const unsigned char *ad, size_t adlen, const unsigned char extra[CRYPTO_PAGE_EXTRA])
{
	return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
		text, NULL, text, len, extra + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		ad, adlen, extra, key->data) == 0 ? 0 : -1;
}

void crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
