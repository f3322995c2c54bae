/*
 * crypto.h: the one door to cryptography (libsodium's high-level calls:
 * nothing here is a primitive of our own).  See docs/security.md.
 *
 * Secrets (a passphrase, private keys, derived keys) live in memory that is
 * locked against swapping and wiped when freed.
 */
#ifndef HW_CRYPTO_H
#define HW_CRYPTO_H

#include <stddef.h>

#include "error.h"

#define KEYS_SIGN_PUBLIC 32     /* Ed25519 public key, bytes */
#define KEYS_BOX_PUBLIC 32      /* X25519 public key, bytes */
#define KEYS_SIGNATURE 64       /* Ed25519 detached signature, bytes */
/* A fingerprint as text: 16 groups of 4 hex digits, spaces between, NUL. */
#define KEYS_FINGERPRINT_TEXT (16 * 5)

/* Make the library ready; every other call does it too.  0 or HW_ERROR. */
int crypto_ready(hw_error *err);

/* A buffer for a secret: locked, guarded, wiped when freed. */
typedef struct hw_secret hw_secret;

/* A new empty secret of capacity cap bytes; caller frees with secret_free. */
int secret_new(hw_secret **out, size_t cap, hw_error *err);
/* Wipe and free; NULL is fine. */
void secret_free(hw_secret *s);
/* Its bytes (writable up to secret_cap) and its length. */
char *secret_data(hw_secret *s);
const char *secret_cdata(const hw_secret *s);
size_t secret_len(const hw_secret *s);
size_t secret_cap(const hw_secret *s);
/* Set the length (at most the capacity); the bytes beyond are wiped. */
void secret_set_len(hw_secret *s, size_t len);
/* True when both hold the same bytes (compared in constant time). */
int secret_equal(const hw_secret *a, const hw_secret *b);

/* A device's key pairs: Ed25519 to sign, X25519 to receive encrypted keys. */
typedef struct hw_keys hw_keys;

/* Make new key pairs; caller frees with keys_free. */
int keys_generate(hw_keys **out, hw_error *err);
/* Wipe and free; NULL is fine. */
void keys_free(hw_keys *k);

/*
 * The key sealing a passphrase-sealed file (the device keys, the database
 * key) is derived from the passphrase with Argon2id, which is slow on
 * purpose (about 0.3 s and 64 MiB).  An hw_kdf keeps the last key derived,
 * with its salt and limits, in locked memory (never on disk), so that the
 * files of a workspace, which share one salt, cost one derivation per
 * command.  Pass NULL where nothing is to be kept.
 */
typedef struct hw_kdf hw_kdf;

/* A new empty cache; caller frees with kdf_free. */
int kdf_new(hw_kdf **out, hw_error *err);
/* Wipe what it holds (sodium_memzero); NULL is fine. */
void kdf_forget(hw_kdf *c);
/* Wipe and free; NULL is fine. */
void kdf_free(hw_kdf *c);
/* True when it holds a key. */
int kdf_holds(const hw_kdf *c);
/* Make dst hold what src holds (src NULL or empty: nothing). */
void kdf_copy(hw_kdf *dst, const hw_kdf *src);
/* True when both hold a key for the same salt and limits. */
int kdf_same(const hw_kdf *a, const hw_kdf *b);
/* Argon2id derivations run by this process so far (tests count them). */
unsigned long crypto_derivations(void);

/*
 * Write the keys to path (mode 0600, durably, never over an existing file:
 * HW_EEXISTS), the private halves sealed under a key derived from pass with
 * Argon2id: with the salt of the key kdf holds when kdf was filled from the
 * same passphrase (no new derivation), else a new salt, whose key kdf then
 * keeps (kdf may be NULL).  The file format is in docs/security.md.
 */
int keys_save(const hw_keys *k, const char *path, const hw_secret *pass, hw_kdf *kdf,
	      hw_error *err);

/*
 * Read and open the key file at path with pass (through kdf as keys_save;
 * pass NULL: only with the key kdf holds, else HW_EAUTH).  A wrong
 * passphrase, or a file changed in any byte, is HW_EAUTH ("wrong
 * passphrase"); a file that is not a key file is HW_ECORRUPT; no file is
 * HW_ENOTFOUND.
 */
int keys_load(hw_keys **out, const char *path, const hw_secret *pass, hw_kdf *kdf,
	      hw_error *err);

/* The public halves (borrowed, valid while k lives). */
const unsigned char *keys_sign_public(const hw_keys *k);
const unsigned char *keys_box_public(const hw_keys *k);

/* Sign msg (Ed25519, detached). */
int keys_sign(const hw_keys *k, const void *msg, size_t len, unsigned char sig[KEYS_SIGNATURE]);

/* 0 when sig is pk's signature of msg, else HW_EINVALID (no detail set). */
int keys_verify(const unsigned char pk[KEYS_SIGN_PUBLIC], const void *msg, size_t len,
		const unsigned char sig[KEYS_SIGNATURE]);

/*
 * A signing public key as a fingerprint to read aloud: the whole key in 16
 * groups of 4 hex digits ("3f2a 9c01 ..."), so that pinning it pins the
 * key itself, with nothing shortened.
 */
void keys_fingerprint(const unsigned char pk[KEYS_SIGN_PUBLIC], char out[KEYS_FINGERPRINT_TEXT]);

/*
 * Read a fingerprint back: hex digits in either case, spaces and ':' or '-'
 * between groups ignored.  0, or HW_EINVALID when it is not 64 hex digits.
 */
int keys_fingerprint_parse(const char *text, unsigned char pk[KEYS_SIGN_PUBLIC]);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void crypto_hex(const unsigned char *bytes, size_t n, char *out);

/* Fill buf with n random bytes from the system's generator. */
void crypto_fill_random(void *buf, size_t n);

/* --- Secret keys: authenticated encryption (XChaCha20-Poly1305) ---------- */

#define SECRET_KEY_BYTES 32     /* an XChaCha20-Poly1305 key */
#define SECRET_NONCE_BYTES 24   /* its random nonce */
#define SECRET_TAG_BYTES 16     /* its authentication tag */
/* What secret_encrypt adds to a message: the nonce in front, the tag after. */
#define SECRET_OVERHEAD (SECRET_NONCE_BYTES + SECRET_TAG_BYTES)

/* Fill key (capacity at least SECRET_KEY_BYTES) with a fresh random key. */
int secret_random_key(hw_secret *key, hw_error *err);

/*
 * Encrypt len bytes of msg under key (SECRET_KEY_BYTES long) with a random
 * nonce, binding the associated data ad (adlen bytes, may be 0) to it:
 * *out (caller frees) is the nonce then the ciphertext and its tag,
 * len + SECRET_OVERHEAD bytes.
 */
int secret_encrypt(unsigned char **out, size_t *outlen, const hw_secret *key,
		   const void *ad, size_t adlen, const void *msg, size_t len, hw_error *err);

/*
 * Open what secret_encrypt made: *out (caller frees, NUL-terminated for
 * convenience) is the message, *outlen its length.  A changed byte of the
 * ciphertext, of the nonce or of ad, or another key, is HW_EINVALID with no
 * part of the message given out.
 */
int secret_decrypt(char **out, size_t *outlen, const hw_secret *key, const void *ad,
		   size_t adlen, const void *sealed, size_t len, hw_error *err);

/* --- Wrapping a secret for a device (crypto_box_seal) -------------------- */

#define KEYS_WRAP_OVERHEAD 48   /* what a sealed box adds to its message */

/*
 * Seal msg for the holder of the X25519 public key pk (anonymous sender):
 * *out (caller frees) is len + KEYS_WRAP_OVERHEAD bytes that only the
 * holder of the matching private key can open.
 */
int keys_wrap(unsigned char **out, size_t *outlen, const unsigned char pk[KEYS_BOX_PUBLIC],
	      const void *msg, size_t len, hw_error *err);

/*
 * Open a sealed box with this device's keys into out (a secret whose
 * capacity must hold len - KEYS_WRAP_OVERHEAD bytes).  A box sealed for
 * another device, or changed in any byte, is HW_EINVALID.
 */
int keys_unwrap(hw_secret *out, const hw_keys *k, const void *sealed, size_t len,
		hw_error *err);

/*
 * Keys that encrypt the workspace's database (docs/security.md, "The
 * database at rest").  A database key is 32 random bytes in a secret; its
 * file holds it sealed under a key derived from the passphrase, so that a
 * new passphrase needs a new key file, never a rewrite of the database.
 */
#define CRYPTO_KEY_BYTES 32
/* Bytes a sealed page needs beside its text: a 24-byte nonce, a 16-byte tag. */
#define CRYPTO_PAGE_EXTRA 40

/* A new random database key (caller frees with secret_free). */
int dbkey_generate(hw_secret **out, hw_error *err);

/*
 * Write key to path sealed under pass, through kdf as keys_save (mode 0600,
 * durably, never over an existing file: HW_EEXISTS).  The same file format
 * as the device keys' (docs/security.md), with another first line.
 */
int dbkey_save(const hw_secret *key, const char *path, const hw_secret *pass, hw_kdf *kdf,
	       hw_error *err);

/*
 * Read the key at path with pass, through kdf as keys_load.  A wrong
 * passphrase or a changed file is HW_EAUTH; a file that is not a key file
 * HW_ECORRUPT; no file HW_ENOTFOUND.
 */
int dbkey_load(hw_secret **out, const char *path, const hw_secret *pass, hw_kdf *kdf,
	       hw_error *err);

/*
 * Seal len bytes of text in place (XChaCha20-Poly1305, a fresh random
 * nonce), binding ad; the nonce and tag go to extra.  Open reverses it and
 * is -1 (text unchanged... or partly changed: do not use it) when the text,
 * the extra bytes or ad were changed, or the key is another.
 */
void crypto_page_seal(const hw_secret *key, unsigned char *text, size_t len,
		      const unsigned char *ad, size_t adlen, unsigned char extra[CRYPTO_PAGE_EXTRA]);
int crypto_page_open(const hw_secret *key, unsigned char *text, size_t len,
		     const unsigned char *ad, size_t adlen, const unsigned char extra[CRYPTO_PAGE_EXTRA]);

/* Wipe n bytes (not optimised away). */
void crypto_wipe(void *p, size_t n);

#endif
