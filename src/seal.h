/*
 * seal.h: end-to-end encryption of cases (docs/security.md).
 *
 * Every case has random case keys, each named by a random key id.  The
 * body of every event and submission of the case is encrypted under one of
 * them (XChaCha20-Poly1305) with the envelope's header lines as associated
 * data, so a body cannot be moved to another file, case, signer or key id.
 * A case key reaches a device only wrapped for it (crypto_box_seal to the
 * device's X25519 key): one small wrap file per recipient and key id, under
 * the case's folder.  When a recipient must stop receiving a case, later
 * events go under a new key that is not wrapped for it; what it received
 * before stays readable to it.
 *
 * All cryptography goes through crypto.h; this module decides what is
 * sealed, for whom, and how it is laid out.
 */
#ifndef HW_SEAL_H
#define HW_SEAL_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"

#define SEAL_KEY_ID_LEN 32          /* hex characters of a key id (16 random bytes) */
#define SEAL_DEVICE_MAX 200         /* bytes of a device id */

/* A case key: its id and its secret bytes (locked memory, wiped when freed). */
typedef struct seal_key seal_key;

/* A new random key for case_id; caller frees with seal_key_free. */
int seal_key_new(seal_key **out, const char *case_id, hw_error *err);

/* Wipe and free; NULL is fine. */
void seal_key_free(seal_key *k);

/* The key's id (borrowed: SEAL_KEY_ID_LEN lower-case hex digits). */
const char *seal_key_id(const seal_key *k);

/* The case the key belongs to (borrowed). */
const char *seal_key_case(const seal_key *k);

/* True if s is a key id as seal_key_new makes them. */
int seal_key_id_valid(const char *s);

/*
 * Encrypt a body under k, binding ad (the envelope's header lines before
 * its signature) to it.  *out (caller frees) is the nonce then the
 * ciphertext and tag: len + SEAL_BODY_OVERHEAD bytes.
 */
#define SEAL_BODY_OVERHEAD SECRET_OVERHEAD
int seal_body(char **out, size_t *outlen, const seal_key *k, const char *ad, size_t adlen,
	      const char *body, size_t len, hw_error *err);

/*
 * Decrypt what seal_body made with the same ad.  *out (caller frees) is
 * NUL-terminated.  Any changed byte (of ad, nonce, ciphertext or tag), or
 * another key, is HW_EINVALID.
 */
int seal_open_body(char **out, size_t *outlen, const seal_key *k, const char *ad,
		   size_t adlen, const char *sealed, size_t len, hw_error *err);

/*
 * The content of a wrap file: k sealed for the device whose X25519 public
 * key is pk, with the case id and key id inside the box (a wrap file moved
 * to another case or key id does not open).  Text: a first line
 * "homeward-wrap 1" and a line of hex.  Caller frees *out.
 */
int seal_wrap(char **out, size_t *outlen, const seal_key *k,
	      const unsigned char pk[KEYS_BOX_PUBLIC], hw_error *err);

/* Bytes of a wrap file (a bound, checked before a wrap file is read). */
#define SEAL_WRAP_FILE_MAX 400

/*
 * Open a wrap file for case_id and key_id (what its path says) with this
 * device's keys.  A file for another device, changed in any byte, or whose
 * sealed case or key id is not case_id and key_id, is HW_EINVALID.
 */
int seal_unwrap(seal_key **out, const hw_keys *dev, const char *case_id, const char *key_id,
		const char *data, size_t len, hw_error *err);

/* --- Recipients ----------------------------------------------------------- */

/* A member of the team as the roster knows it (all borrowed). */
typedef struct seal_member {
	const char *device;                 /* device id */
	const char *role;                   /* counsellor | field_officer | supervisor */
	const char *organisation;           /* "" or NULL when none */
	const unsigned char *box_public;    /* X25519 public key, KEYS_BOX_PUBLIC bytes */
} seal_member;

/*
 * Where the members come from: cb is called for each current member (not
 * those removed); a non-zero return from cb stops and is returned.  The
 * roster module provides one; tests provide their own.
 */
typedef int (*seal_roster_fn)(void *roster, int (*cb)(const seal_member *m, void *payload),
			      void *payload);

/* Who a case's keys are wrapped for: device ids and public keys, sorted by device, distinct. */
typedef struct seal_recipient {
	char device[SEAL_DEVICE_MAX + 1];
	unsigned char box_public[KEYS_BOX_PUBLIC];
} seal_recipient;

typedef struct seal_recipients {
	seal_recipient *items;
	size_t n, cap;
} seal_recipients;

#define SEAL_RECIPIENTS_INIT { NULL, 0, 0 }

void seal_recipients_free(seal_recipients *r);

/* Add a recipient (a repeat of a device is ignored); keeps the list sorted. */
int seal_recipients_add(seal_recipients *r, const char *device,
			const unsigned char pk[KEYS_BOX_PUBLIC]);

/* The recipient for device, or NULL. */
const seal_recipient *seal_recipients_find(const seal_recipients *r, const char *device);

/* What a case's work says about who works on it (all borrowed). */
typedef struct seal_case_people {
	const char *const *assignees;       /* device ids the case is assigned to */
	size_t nassignees;
	const char *const *providers;       /* providers the case is referred to with a granted,
					       standing share_with_provider consent */
	size_t nproviders;
} seal_case_people;

/*
 * The recipients of a case: every supervisor of the roster, the members
 * the case is assigned to, the members whose organisation is a provider
 * of people->providers, and self (the writing device, which holds the
 * case already).  Members not on the roster cannot receive anything: they
 * have no public key here.
 */
int seal_case_recipients(seal_recipients *out, seal_roster_fn roster, void *roster_payload,
			 const seal_case_people *people, const char *self_device,
			 const unsigned char self_pk[KEYS_BOX_PUBLIC], hw_error *err);

/* --- Choosing the key a commit seals with ------------------------------------ */

/* A key of a case as the repository shows it: who it is wrapped for. */
typedef struct seal_key_info {
	char id[SEAL_KEY_ID_LEN + 1];
	const char *const *wrapped_for;     /* device ids with a wrap file (borrowed) */
	size_t nwrapped;
	int openable;                       /* this device can unwrap it */
} seal_key_info;

/*
 * Which key a new event of the case is sealed with: the index in keys of a
 * key this device can open that is wrapped for nobody outside want (so no
 * removed recipient reads it), preferring the one wrapped for the most
 * devices, ties by key id, so that devices choose alike; or -1 when none
 * is, and a new key must be made (a rotation, or the case's first key).
 */
long seal_choose_key(const seal_key_info *keys, size_t n, const seal_recipients *want);

#endif
