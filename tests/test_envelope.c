/* test_envelope.c: the signed-file envelope; every byte of it is authenticated. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "envelope.h"

#define BODY "{\"case\":\"3c9d1e5a-2b7f-4a61-9e0d-5f8a7b6c4d21\",\"type\":\"case.opened\"}"
#define CASE "3c9d1e5a-2b7f-4a61-9e0d-5f8a7b6c4d21"
#define NAME "7e1f0c2a-9b3d-4e5f-8a6b-1c2d3e4f5a6b.json"

static hw_keys *keys, *other;

static void setup(void)
{
	hw_error err = { 0, "" };

	cr_assert_eq(keys_generate(&keys, &err), 0, "%s", err.msg);
	cr_assert_eq(keys_generate(&other, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	keys_free(keys);
	keys_free(other);
}

TestSuite(envelope, .init = setup, .fini = teardown);

/* A signed envelope of BODY by keys, as device "v-one". */
static char *signed_file(const char *key, size_t *len)
{
	hw_error err = { 0, "" };
	envelope_fields f;
	char *out = NULL;

	cr_assert_eq(envelope_fields_set(&f, "v-one", CASE, NAME, key, &err), 0, "%s", err.msg);
	cr_assert_eq(envelope_sign(&f, BODY, strlen(BODY), keys, &out, len, &err), 0, "%s", err.msg);
	return out;
}

Test(envelope, round_trip_and_layout)
{
	hw_error err = { 0, "" };
	size_t len;
	char *file = signed_file(NULL, &len), *head = NULL;
	envelope e;
	envelope_fields f;
	size_t head_len;

	cr_assert_eq(strlen(file), len);
	cr_expect(strncmp(file, "homeward-envelope 1\nsigner v-one\ncase " CASE "\nname " NAME
			  "\nkey -\nsig ", strlen("homeward-envelope 1\nsigner v-one\ncase " CASE
						  "\nname " NAME "\nkey -\nsig ")) == 0, "%s", file);
	cr_assert(envelope_is(file, len));
	cr_assert_eq(envelope_parse(&e, file, len, &err), 0, "%s", err.msg);
	cr_expect_str_eq(e.f.signer, "v-one");
	cr_expect_str_eq(e.f.case_id, CASE);
	cr_expect_str_eq(e.f.name, NAME);
	cr_expect_str_eq(e.f.key, "-");
	cr_expect_eq(e.body_len, strlen(BODY));
	cr_expect(memcmp(e.body, BODY, e.body_len) == 0);
	cr_expect_eq(envelope_verify(&e, keys_sign_public(keys), &err), 0, "%s", err.msg);
	/* The head is what envelope_head makes of the same values. */
	cr_assert_eq(envelope_fields_set(&f, "v-one", CASE, NAME, "-", &err), 0);
	cr_assert_eq(envelope_head(&f, &head, &head_len, &err), 0);
	cr_expect_eq(head_len, e.head_len);
	cr_expect(memcmp(head, e.head, head_len) == 0);
	free(head);
	free(file);
}

Test(envelope, another_key_does_not_verify)
{
	hw_error err = { 0, "" };
	size_t len;
	char *file = signed_file("k1", &len);
	envelope e;

	cr_assert_eq(envelope_parse(&e, file, len, &err), 0, "%s", err.msg);
	cr_expect_str_eq(e.f.key, "k1");
	cr_expect_eq(envelope_verify(&e, keys_sign_public(other), &err), HW_EINVALID);
	cr_expect(strstr(err.msg, "signature") != NULL, "%s", err.msg);
	free(file);
}

/* Every byte of the file, header, signature and body, changed one at a time: never accepted. */
Test(envelope, every_byte_is_authenticated)
{
	static const unsigned char flips[] = { 0x01, 0x20, 0x80 };
	size_t len;
	char *file = signed_file(NULL, &len);
	size_t tried = 0;

	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof(flips); k++) {
			hw_error err = { 0, "" };
			char *copy = malloc(len);
			envelope e;
			int ok;

			cr_assert_not_null(copy);
			memcpy(copy, file, len);
			copy[i] = (char)(copy[i] ^ flips[k]);
			ok = envelope_parse(&e, copy, len, &err) == 0 &&
			     envelope_verify(&e, keys_sign_public(keys), &err) == 0;
			cr_expect(!ok, "byte %zu ^ 0x%02x was accepted", i, flips[k]);
			free(copy);
			tried++;
		}
	}
	cr_expect_eq(tried, 3 * len);
	/* Cut short or lengthened: never accepted either. */
	for (size_t cut = 0; cut < len; cut++) {
		hw_error err = { 0, "" };
		envelope e;

		cr_expect(!(envelope_parse(&e, file, cut, &err) == 0 &&
			    envelope_verify(&e, keys_sign_public(keys), &err) == 0), "cut at %zu", cut);
	}
	{
		hw_error err = { 0, "" };
		char *more = malloc(len + 1);
		envelope e;

		memcpy(more, file, len);
		more[len] = ' ';
		cr_expect(!(envelope_parse(&e, more, len + 1, &err) == 0 &&
			    envelope_verify(&e, keys_sign_public(keys), &err) == 0));
		free(more);
	}
	free(file);
}

Test(envelope, bad_values_are_refused)
{
	hw_error err = { 0, "" };
	envelope_fields f;
	char longv[ENVELOPE_FIELD_MAX + 2];

	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	cr_expect_eq(envelope_fields_set(&f, "", CASE, NAME, NULL, &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, "v one", CASE, NAME, NULL, &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, "v-one", "a\nsig x", NAME, NULL, &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, "v-one", CASE, "../x", NULL, &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, "v-one", CASE, "a/b", NULL, &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, "v-one", CASE, NAME, "k:1", &err), HW_EINVALID);
	cr_expect_eq(envelope_fields_set(&f, longv, CASE, NAME, NULL, &err), HW_EINVALID);
	cr_expect(strstr(err.msg, "too long") != NULL, "%s", err.msg);
	cr_expect_eq(envelope_fields_set(&f, "v-one", CASE, "uuid:" CASE ".xml", NULL, &err), 0);
}

Test(envelope, hostile_files_are_refused_before_reading)
{
	hw_error err = { 0, "" };
	envelope e;
	char *big;
	size_t n = ENVELOPE_HEAD_MAX + 4096;

	/* Not an envelope at all: a plain legacy event. */
	cr_expect_eq(envelope_parse(&e, BODY, strlen(BODY), &err), HW_EINVALID);
	cr_expect(!envelope_is(BODY, strlen(BODY)));
	/* A head line that never ends within the head's limit. */
	big = malloc(n);
	cr_assert_not_null(big);
	memset(big, 'a', n);
	memcpy(big, ENVELOPE_MAGIC "signer ", strlen(ENVELOPE_MAGIC "signer "));
	cr_expect_eq(envelope_parse(&e, big, n, &err), HW_EINVALID);
	cr_expect(strstr(err.msg, "does not end") != NULL, "%s", err.msg);
	free(big);
	/* Too large as a whole: refused from the length alone. */
	cr_expect_eq(envelope_parse(&e, BODY, (size_t)ENVELOPE_BODY_MAX + 100000, &err), HW_EINVALID);
	cr_expect(strstr(err.msg, "too large") != NULL, "%s", err.msg);
	/* A body too large to sign. */
	{
		envelope_fields f;
		char *out = NULL;

		cr_assert_eq(envelope_fields_set(&f, "v-one", CASE, NAME, NULL, &err), 0);
		cr_expect_eq(envelope_sign(&f, BODY, (size_t)ENVELOPE_BODY_MAX + 1, keys, &out, NULL, &err),
			     HW_EINVALID);
		cr_expect_null(out);
	}
}

Test(envelope, upper_case_signature_is_refused)
{
	hw_error err = { 0, "" };
	size_t len;
	char *file = signed_file(NULL, &len), *sig = strstr(file, "\nsig ") + 5;
	envelope e;

	for (size_t j = 0; j < 2 * KEYS_SIGNATURE; j++)
		if (sig[j] >= 'a' && sig[j] <= 'f')
			sig[j] = (char)(sig[j] - 'a' + 'A');
	cr_expect_eq(envelope_parse(&e, file, len, &err), HW_EINVALID);
	free(file);
}
