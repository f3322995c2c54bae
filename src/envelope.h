/*
 * envelope.h: the signed file that every event and submission becomes in
 * git (docs/security.md, "Signed files").
 *
 *   homeward-envelope 1
 *   signer DEVICE_ID
 *   case CASE_ID
 *   name FILE_NAME     the file's own name (not its folder path), so a
 *                      change of layout does not break signatures
 *   key KEY_ID | -     - : the body is in clear; else the id of the case
 *                      key the body is sealed with
 *   sig HEX            Ed25519 over every byte before this line, then
 *                      every byte of the body
 *   <empty line>
 *   BODY
 *
 * The lines before "sig" are the envelope's "head": the bytes signed
 * before the body, and the associated data of a sealed body.  Parsing is
 * strict (exactly these lines, in this order, each value of limited
 * length and alphabet), so a parsed envelope serialises back to the same
 * bytes and nothing outside the head and body can be changed unnoticed.
 * Sizes are checked before anything is read.
 */
#ifndef HW_ENVELOPE_H
#define HW_ENVELOPE_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"

#define ENVELOPE_MAGIC "homeward-envelope 1\n"
#define ENVELOPE_FIELD_MAX 200                    /* bytes of one header value */
#define ENVELOPE_HEAD_MAX 1024                    /* bytes before the empty line */
#define ENVELOPE_BODY_MAX (16u * 1024 * 1024)     /* bytes of a body */
#define ENVELOPE_KEY_CLEAR "-"                    /* key value of a body in clear */

/* The header values of an envelope (NUL-terminated, validated). */
typedef struct envelope_fields {
	char signer[ENVELOPE_FIELD_MAX + 1];   /* device id: letters, digits, '.', '_', '-' */
	char case_id[ENVELOPE_FIELD_MAX + 1];  /* same alphabet */
	char name[ENVELOPE_FIELD_MAX + 1];     /* same alphabet and ':' (uuid:... names) */
	char key[ENVELOPE_FIELD_MAX + 1];      /* "-" or a key id (letters, digits, '.', '_', '-') */
} envelope_fields;

/* A parsed envelope; the pointers borrow the parsed bytes. */
typedef struct envelope {
	envelope_fields f;
	unsigned char sig[KEYS_SIGNATURE];
	const char *head;        /* the head: every byte before the sig line */
	size_t head_len;
	const char *body;        /* the body (not NUL-terminated) */
	size_t body_len;
} envelope;

/* True when data starts as an envelope does (its first line); says nothing of the rest. */
int envelope_is(const void *data, size_t len);

/*
 * Fill f's four values (NULL key: "-"), checking each; HW_EINVALID with a
 * sentence in err when one is empty, too long or has a character outside
 * its alphabet.
 */
int envelope_fields_set(envelope_fields *f, const char *signer, const char *case_id,
			const char *name, const char *key, hw_error *err);

/*
 * The head of an envelope with these values (every line before "sig"),
 * as a new string in *out (caller frees) and its length: what a sealed
 * body takes as associated data.  HW_EINVALID for a bad value.
 */
int envelope_head(const envelope_fields *f, char **out, size_t *len, hw_error *err);

/*
 * The whole envelope: head, the signature by keys over head and body,
 * the empty line, the body.  *out is new (caller frees; NUL-terminated,
 * *len without the NUL).  HW_EINVALID for a bad value or a body over
 * ENVELOPE_BODY_MAX.
 */
int envelope_sign(const envelope_fields *f, const void *body, size_t body_len,
		  const hw_keys *keys, char **out, size_t *len, hw_error *err);

/*
 * Parse data (len bytes; borrowed by out, which points into it).  The
 * length is checked first, then the head is read within its limit, line
 * by line.  HW_EINVALID with a sentence in err when it is not an envelope
 * or breaks a rule.  The signature is not checked: envelope_verify.
 */
int envelope_parse(envelope *out, const void *data, size_t len, hw_error *err);

/*
 * 0 when e's signature is pk's over its head and body; HW_EINVALID with a
 * sentence in err otherwise (HW_ERROR when out of memory).
 */
int envelope_verify(const envelope *e, const unsigned char pk[KEYS_SIGN_PUBLIC], hw_error *err);

#endif
