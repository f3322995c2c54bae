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
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct hw_secret {
	unsigned char *data;   /* sodium_malloc'd: locked, guarded */
	size_t len, cap;
};

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
	if (!(s->data = sodium_malloc(cap ? cap : 1))) {
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

/* Argon2id: the key that seals the private keys, from the passphrase. */
static int derive(unsigned char *key, const hw_secret *pass, const unsigned char *salt,
		  unsigned long long ops, size_t mem, hw_error *err)
{
	if (crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, secret_cdata(pass),
			  secret_len(pass), salt, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return hw_error_set(err, HW_ERROR, "not enough memory to derive the key from the passphrase");
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

int keys_save(const hw_keys *k, const char *path, const hw_secret *pass, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[SK_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char *key = NULL;
	char salt_hex[sizeof(salt) * 2 + 1], nonce_hex[sizeof(nonce) * 2 + 1];
	char spk[KEYS_SIGN_PUBLIC * 2 + 1], bpk[KEYS_BOX_PUBLIC * 2 + 1];
	char sealed_hex[sizeof(sealed) * 2 + 1];
	char *head = NULL, *file = NULL;
	unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	int rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!(key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)))
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	crypto_hex(salt, sizeof(salt), salt_hex);
	crypto_hex(nonce, sizeof(nonce), nonce_hex);
	crypto_hex(k->sign_pk, sizeof(k->sign_pk), spk);
	crypto_hex(k->box_pk, sizeof(k->box_pk), bpk);
	if (asprintf(&head, KEY_FILE_MAGIC "kdf argon2id13 %llu %zu\nsalt %s\nnonce %s\n"
		     "sign-public %s\nbox-public %s\n", ops, mem, salt_hex, nonce_hex, spk, bpk) < 0) {
		head = NULL;
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = derive(key, pass, salt, ops, mem, err)) < 0)
		goto cleanup;
	/* Everything above the sealed line is associated data: change a byte
	 * of it and the file no longer opens. */
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, k->sk, SK_LEN,
						   (const unsigned char *)head, strlen(head),
						   NULL, nonce, key);
	crypto_hex(sealed, sizeof(sealed), sealed_hex);
	if (asprintf(&file, "%ssealed %s\n", head, sealed_hex) < 0) {
		file = NULL;
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	rc = write_new_private(path, file, strlen(file), err);
cleanup:
	sodium_free(key);
	free(head);
	free(file);
	return rc;
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

int keys_load(hw_keys **out, const char *path, const hw_secret *pass, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[SK_LEN + crypto_aead_xchacha20poly1305_ietf_ABYTES];
	unsigned char check[crypto_box_PUBLICKEYBYTES];
	unsigned char *key = NULL;
	char *data = NULL;
	const char *p, *head_end;
	unsigned long long ops;
	size_t mem, len;
	int consumed = 0, rc;
	hw_keys *k = NULL;

	*out = NULL;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!hw_exists(path))
		return hw_error_set(err, HW_ENOTFOUND, "there are no device keys in %s", path);
	if ((rc = hw_read_file(path, &data, &len, err)) < 0)
		return rc;
	rc = hw_error_set(err, HW_ECORRUPT, "%s is not a Homeward key file", path);
	if (len > KEY_FILE_MAX || strlen(data) != len || strncmp(data, KEY_FILE_MAGIC, strlen(KEY_FILE_MAGIC)))
		goto cleanup;
	p = data + strlen(KEY_FILE_MAGIC);
	if (sscanf(p, "kdf argon2id13 %llu %zu\n%n", &ops, &mem, &consumed) != 2 || !consumed ||
	    ops < crypto_pwhash_OPSLIMIT_MIN || ops > OPS_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > MEM_MAX)
		goto cleanup;
	p += consumed;
	if (!(k = calloc(1, sizeof(*k))) || !(k->sk = sodium_malloc(SK_LEN)) ||
	    !(key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory for a secret");
		goto cleanup;
	}
	if (take_hex(&p, "salt", salt, sizeof(salt)) < 0 ||
	    take_hex(&p, "nonce", nonce, sizeof(nonce)) < 0 ||
	    take_hex(&p, "sign-public", k->sign_pk, sizeof(k->sign_pk)) < 0 ||
	    take_hex(&p, "box-public", k->box_pk, sizeof(k->box_pk)) < 0)
		goto cleanup;
	head_end = p;
	if (take_hex(&p, "sealed", sealed, sizeof(sealed)) < 0 || *p)
		goto cleanup;
	if ((rc = derive(key, pass, salt, ops, mem, err)) < 0)
		goto cleanup;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(k->sk, NULL, NULL, sealed, sizeof(sealed),
						       (const unsigned char *)data,
						       (size_t)(head_end - data), nonce, key) != 0) {
		rc = hw_error_set(err, HW_EAUTH, "wrong passphrase (or the key file %s was changed)", path);
		goto cleanup;
	}
	/* The public halves must be those of the private ones. */
	if (memcmp(k->sk + SIGN_SK - KEYS_SIGN_PUBLIC, k->sign_pk, KEYS_SIGN_PUBLIC) != 0 ||
	    crypto_scalarmult_base(check, k->sk + SIGN_SK) != 0 ||
	    memcmp(check, k->box_pk, sizeof(check)) != 0) {
		rc = hw_error_set(err, HW_ECORRUPT, "the key file %s does not hold matching keys", path);
		goto cleanup;
	}
	*out = k;
	k = NULL;
	rc = 0;
	hw_error_clear(err);
cleanup:
	keys_free(k);
	sodium_free(key);
	free(data);
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
#define DBKEY_SEALED (CRYPTO_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

int dbkey_generate(hw_secret **out, hw_error *err)
{
	int rc;

	if ((rc = secret_new(out, CRYPTO_KEY_BYTES, err)) < 0)
		return rc;
	crypto_aead_xchacha20poly1305_ietf_keygen((*out)->data);
	secret_set_len(*out, CRYPTO_KEY_BYTES);
	return 0;
}

int dbkey_save(const hw_secret *dbkey, const char *path, const hw_secret *pass, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[DBKEY_SEALED];
	unsigned char *key = NULL;
	char salt_hex[sizeof(salt) * 2 + 1], nonce_hex[sizeof(nonce) * 2 + 1];
	char sealed_hex[sizeof(sealed) * 2 + 1];
	char *head = NULL, *file = NULL;
	unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	int rc;

	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (secret_len(dbkey) != CRYPTO_KEY_BYTES)
		return hw_error_set(err, HW_EINVALID, "a database key is %d bytes", CRYPTO_KEY_BYTES);
	if (!(key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)))
		return hw_error_set(err, HW_ERROR, "out of memory for a secret");
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	crypto_hex(salt, sizeof(salt), salt_hex);
	crypto_hex(nonce, sizeof(nonce), nonce_hex);
	if (asprintf(&head, DBKEY_MAGIC "kdf argon2id13 %llu %zu\nsalt %s\nnonce %s\n",
		     ops, mem, salt_hex, nonce_hex) < 0) {
		head = NULL;
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = derive(key, pass, salt, ops, mem, err)) < 0)
		goto cleanup;
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, dbkey->data, CRYPTO_KEY_BYTES,
						   (const unsigned char *)head, strlen(head),
						   NULL, nonce, key);
	crypto_hex(sealed, sizeof(sealed), sealed_hex);
	if (asprintf(&file, "%ssealed %s\n", head, sealed_hex) < 0) {
		file = NULL;
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	rc = write_new_private(path, file, strlen(file), err);
cleanup:
	sodium_free(key);
	free(head);
	free(file);
	return rc;
}

int dbkey_load(hw_secret **out, const char *path, const hw_secret *pass, hw_error *err)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
	unsigned char sealed[DBKEY_SEALED];
	unsigned char *key = NULL;
	char *data = NULL;
	const char *p, *head_end;
	unsigned long long ops;
	size_t mem, len;
	int consumed = 0, rc;
	hw_secret *k = NULL;

	*out = NULL;
	if ((rc = crypto_ready(err)) < 0)
		return rc;
	if (!hw_exists(path))
		return hw_error_set(err, HW_ENOTFOUND, "there is no database key in %s", path);
	if ((rc = hw_read_file(path, &data, &len, err)) < 0)
		return rc;
	rc = hw_error_set(err, HW_ECORRUPT, "%s is not a Homeward database key file", path);
	if (len > KEY_FILE_MAX || strlen(data) != len || strncmp(data, DBKEY_MAGIC, strlen(DBKEY_MAGIC)))
		goto cleanup;
	p = data + strlen(DBKEY_MAGIC);
	if (sscanf(p, "kdf argon2id13 %llu %zu\n%n", &ops, &mem, &consumed) != 2 || !consumed ||
	    ops < crypto_pwhash_OPSLIMIT_MIN || ops > OPS_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > MEM_MAX)
		goto cleanup;
	p += consumed;
	if (secret_new(&k, CRYPTO_KEY_BYTES, err) < 0 ||
	    !(key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory for a secret");
		goto cleanup;
	}
	if (take_hex(&p, "salt", salt, sizeof(salt)) < 0 ||
	    take_hex(&p, "nonce", nonce, sizeof(nonce)) < 0)
		goto cleanup;
	head_end = p;
	if (take_hex(&p, "sealed", sealed, sizeof(sealed)) < 0 || *p)
		goto cleanup;
	if ((rc = derive(key, pass, salt, ops, mem, err)) < 0)
		goto cleanup;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(k->data, NULL, NULL, sealed, sizeof(sealed),
						       (const unsigned char *)data,
						       (size_t)(head_end - data), nonce, key) != 0) {
		rc = hw_error_set(err, HW_EAUTH, "wrong passphrase (or the key file %s was changed)", path);
		goto cleanup;
	}
	secret_set_len(k, CRYPTO_KEY_BYTES);
	*out = k;
	k = NULL;
	rc = 0;
	hw_error_clear(err);
cleanup:
	secret_free(k);
	sodium_free(key);
	free(data);
	return rc;
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
