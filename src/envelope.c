/*
 * envelope.c: the signed-file envelope (envelope.h).  The cryptography is
 * crypto.c's; this file only lays out bytes and checks them.
 */
#include "config.h"
#include "envelope.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The lines of a head, in order (the magic line comes first). */
static const char *const FIELD_NAMES[] = { "signer", "case", "name", "key" };
#define NFIELDS 4

/* True for a character of a value's alphabet; colon only in names. */
static int value_char_ok(char c, int colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || (colon && c == ':');
}

/* NULL when s (n bytes) is a good value of field i; else what is wrong with it. */
static const char *value_problem(int i, const char *s, size_t n)
{
	if (n == 0)
		return "is empty";
	if (n > ENVELOPE_FIELD_MAX)
		return "is too long";
	if (i == 3 && n == 1 && s[0] == '-')
		return NULL;
	if (s[0] == '.' || s[0] == '-')
		return "starts with '.' or '-'";
	for (size_t j = 0; j < n; j++)
		if (!value_char_ok(s[j], i == 2))
			return "has a character that is not allowed";
	return NULL;
}

/* The field's value as a string. */
static char *field_slot(envelope_fields *f, int i)
{
	switch (i) {
	case 0: return f->signer;
	case 1: return f->case_id;
	case 2: return f->name;
	default: return f->key;
	}
}

static const char *field_cslot(const envelope_fields *f, int i)
{
	return field_slot((envelope_fields *)f, i);
}

int envelope_is(const void *data, size_t len)
{
	size_t m = strlen(ENVELOPE_MAGIC);

	return data && len >= m && memcmp(data, ENVELOPE_MAGIC, m) == 0;
}

int envelope_fields_set(envelope_fields *f, const char *signer, const char *case_id,
			const char *name, const char *key, hw_error *err)
{
	const char *v[NFIELDS] = { signer, case_id, name, key ? key : ENVELOPE_KEY_CLEAR };

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < NFIELDS; i++) {
		const char *why = value_problem(i, v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);

		if (why)
			return hw_error_set(err, HW_EINVALID, "the envelope's %s %s", FIELD_NAMES[i], why);
		memcpy(field_slot(f, i), v[i], strlen(v[i]) + 1);
	}
	return 0;
}

/* Append the head of f to b, checking every value. */
static int head_build(const envelope_fields *f, hw_buf *b, hw_error *err)
{
	hw_buf_puts(b, ENVELOPE_MAGIC);
	for (int i = 0; i < NFIELDS; i++) {
		const char *v = field_cslot(f, i);
		const char *why = value_problem(i, v, strnlen(v, ENVELOPE_FIELD_MAX + 1));

		if (why)
			return hw_error_set(err, HW_EINVALID, "the envelope's %s %s", FIELD_NAMES[i], why);
		hw_buf_printf(b, "%s %s\n", FIELD_NAMES[i], v);
	}
	return hw_buf_check(b, err);
}

int envelope_head(const envelope_fields *f, char **out, size_t *len, hw_error *err)
{
	hw_buf b = HW_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = head_build(f, &b, err)) < 0) {
		hw_buf_free(&b);
		return rc;
	}
	if (len)
		*len = b.len;
	if (!(*out = hw_buf_detach(&b)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}

/* head + body in one new buffer: the message a signature covers. */
static unsigned char *signed_message(const char *head, size_t head_len, const void *body,
				     size_t body_len)
{
	unsigned char *m = malloc(head_len + body_len + 1);

	if (!m)
		return NULL;
	memcpy(m, head, head_len);
	if (body_len)
		memcpy(m + head_len, body, body_len);
	return m;
}

int envelope_sign(const envelope_fields *f, const void *body, size_t body_len,
		  const hw_keys *keys, char **out, size_t *len, hw_error *err)
{
	unsigned char sig[KEYS_SIGNATURE], *msg = NULL;
	char hex[2 * KEYS_SIGNATURE + 1];
	hw_buf b = HW_BUF_INIT;
	size_t head_len;
	int rc;

	*out = NULL;
	if (len)
		*len = 0;
	if (body_len > ENVELOPE_BODY_MAX)
		return hw_error_set(err, HW_EINVALID, "a file of %zu bytes is too large to sign", body_len);
	if (!keys)
		return hw_error_set(err, HW_EINVALID, "the device keys are locked");
	if ((rc = head_build(f, &b, err)) < 0)
		goto cleanup;
	head_len = b.len;
	if (!(msg = signed_message(b.ptr, head_len, body, body_len))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (keys_sign(keys, msg, head_len + body_len, sig) < 0) {
		rc = hw_error_set(err, HW_ERROR, "cannot sign");
		goto cleanup;
	}
	crypto_hex(sig, sizeof(sig), hex);
	hw_buf_printf(&b, "sig %s\n\n", hex);
	if (body_len)
		hw_buf_add(&b, body, body_len);
	if ((rc = hw_buf_check(&b, err)) < 0)
		goto cleanup;
	if (len)
		*len = b.len;
	if (!(*out = hw_buf_detach(&b)))
		rc = hw_error_set(err, HW_ERROR, "out of memory");
cleanup:
	free(msg);
	hw_buf_free(&b);
	return rc;
}

/* The value of hex digit c, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;   /* upper case is refused: one spelling per envelope */
}

int envelope_parse(envelope *out, const void *data, size_t len, hw_error *err)
{
	const char *p = data, *end, *limit;
	size_t headroom;

	memset(out, 0, sizeof(*out));
	if (!data)
		return hw_error_set(err, HW_EINVALID, "not a signed file");
	if (len > ENVELOPE_HEAD_MAX + 2 * KEYS_SIGNATURE + 8 + ENVELOPE_BODY_MAX)
		return hw_error_set(err, HW_EINVALID, "a signed file of %zu bytes is too large", len);
	if (!envelope_is(data, len))
		return hw_error_set(err, HW_EINVALID, "not a signed file (no envelope header)");
	/* Every line of the head is looked for within this bound only. */
	headroom = len < ENVELOPE_HEAD_MAX ? len : ENVELOPE_HEAD_MAX;
	limit = p + headroom;
	p += strlen(ENVELOPE_MAGIC);
	for (int i = 0; i < NFIELDS; i++) {
		size_t nl = strlen(FIELD_NAMES[i]);
		const char *why;

		if ((size_t)(limit - p) <= nl || memcmp(p, FIELD_NAMES[i], nl) != 0 || p[nl] != ' ')
			return hw_error_set(err, HW_EINVALID, "the envelope has no %s line where it should",
					    FIELD_NAMES[i]);
		p += nl + 1;
		if (!(end = memchr(p, '\n', (size_t)(limit - p))))
			return hw_error_set(err, HW_EINVALID, "the envelope's %s line does not end",
					    FIELD_NAMES[i]);
		if ((why = value_problem(i, p, (size_t)(end - p))))
			return hw_error_set(err, HW_EINVALID, "the envelope's %s %s", FIELD_NAMES[i], why);
		memcpy(field_slot(&out->f, i), p, (size_t)(end - p));
		p = end + 1;
	}
	out->head = data;
	out->head_len = (size_t)(p - (const char *)data);
	/* "sig " + 128 hex digits + "\n\n", all within the file. */
	if ((size_t)((const char *)data + len - p) < 4 + 2 * KEYS_SIGNATURE + 2 ||
	    memcmp(p, "sig ", 4) != 0)
		return hw_error_set(err, HW_EINVALID, "the envelope has no sig line where it should");
	p += 4;
	for (size_t j = 0; j < KEYS_SIGNATURE; j++) {
		int hi = hexval(p[2 * j]), lo = hexval(p[2 * j + 1]);

		if (hi < 0 || lo < 0)
			return hw_error_set(err, HW_EINVALID, "the envelope's signature is not %d hex digits",
					    2 * KEYS_SIGNATURE);
		out->sig[j] = (unsigned char)(hi << 4 | lo);
	}
	p += 2 * KEYS_SIGNATURE;
	if (p[0] != '\n' || p[1] != '\n')
		return hw_error_set(err, HW_EINVALID, "the envelope's signature line is not followed by an empty line");
	p += 2;
	out->body = p;
	out->body_len = len - (size_t)(p - (const char *)data);
	if (out->body_len > ENVELOPE_BODY_MAX)
		return hw_error_set(err, HW_EINVALID, "the body of %zu bytes is too large", out->body_len);
	return 0;
}

int envelope_verify(const envelope *e, const unsigned char pk[KEYS_SIGN_PUBLIC], hw_error *err)
{
	unsigned char *msg;
	int rc;

	if (!e->head || !pk)
		return hw_error_set(err, HW_EINVALID, "nothing to verify");
	if (!(msg = signed_message(e->head, e->head_len, e->body, e->body_len)))
		return hw_error_set(err, HW_ERROR, "out of memory");
	rc = keys_verify(pk, msg, e->head_len + e->body_len, e->sig);
	free(msg);
	if (rc == HW_EINVALID)
		return hw_error_set(err, HW_EINVALID, "the signature does not match (signer %s)", e->f.signer);
	if (rc < 0)
		return hw_error_set(err, HW_ERROR, "the cryptography library cannot start");
	return 0;
}
