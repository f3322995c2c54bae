/*
 * test_seal.c: case keys, sealed bodies and wrap files.  Every byte that is
 * authenticated is changed in turn and must make opening fail; a key
 * wrapped for one device must not open with another's keys.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "seal.h"
#include "util.h"

#define CASE_A "3f2a9c01-1111-4222-8333-444455556666"
#define CASE_B "7e000000-1111-4222-8333-444455556666"
#define HEAD "homeward-envelope 1\nsigner dev-a\ncase " CASE_A "\nname 0a.json\nkey "
#define BODY "{\"data\":{\"given_name\":\"Amina\",\"family_name\":\"Example\"}}"

static seal_key *new_key(const char *case_id)
{
	hw_error err = { 0, "" };
	seal_key *k = NULL;

	cr_assert_eq(seal_key_new(&k, case_id, &err), 0, "%s", err.msg);
	return k;
}

static hw_keys *new_device(void)
{
	hw_error err = { 0, "" };
	hw_keys *d = NULL;

	cr_assert_eq(keys_generate(&d, &err), 0, "%s", err.msg);
	return d;
}

/* The associated data of an envelope sealed under k. */
static char *header_for(const seal_key *k)
{
	hw_buf b = HW_BUF_INIT;

	hw_buf_printf(&b, "%s%s\n", HEAD, seal_key_id(k));
	return hw_buf_detach(&b);
}

Test(seal, round_trip)
{
	hw_error err = { 0, "" };
	seal_key *k = new_key(CASE_A);
	char *ad = header_for(k), *sealed = NULL, *plain = NULL;
	size_t slen = 0, plen = 0;

	cr_assert(seal_key_id_valid(seal_key_id(k)));
	cr_assert_eq(seal_body(&sealed, &slen, k, ad, strlen(ad), BODY, strlen(BODY), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(slen, strlen(BODY) + SEAL_BODY_OVERHEAD);
	/* The body's text is nowhere in what is stored. */
	cr_assert_null(memmem(sealed, slen, "Amina", 5));
	cr_assert_eq(seal_open_body(&plain, &plen, k, ad, strlen(ad), sealed, slen, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(plen, strlen(BODY));
	cr_assert_str_eq(plain, BODY);
	free(plain);
	free(sealed);
	free(ad);
	seal_key_free(k);
}

Test(seal, two_keys_have_different_ids_and_nonces)
{
	hw_error err = { 0, "" };
	seal_key *a = new_key(CASE_A), *b = new_key(CASE_A);
	char *s1 = NULL, *s2 = NULL;
	size_t l1 = 0, l2 = 0;

	cr_assert_str_neq(seal_key_id(a), seal_key_id(b));
	cr_assert_eq(seal_body(&s1, &l1, a, "x", 1, BODY, strlen(BODY), &err), 0);
	cr_assert_eq(seal_body(&s2, &l2, a, "x", 1, BODY, strlen(BODY), &err), 0);
	cr_assert_eq(l1, l2);
	cr_assert_neq(memcmp(s1, s2, l1), 0, "the same body sealed twice must differ (random nonce)");
	free(s1);
	free(s2);
	seal_key_free(a);
	seal_key_free(b);
}

Test(seal, every_byte_of_header_and_body_is_authenticated)
{
	hw_error err = { 0, "" };
	seal_key *k = new_key(CASE_A);
	char *ad = header_for(k), *sealed = NULL, *plain = NULL;
	size_t slen = 0, plen = 0, adlen = strlen(ad), i;

	cr_assert_eq(seal_body(&sealed, &slen, k, ad, adlen, BODY, strlen(BODY), &err), 0);
	/* Each byte of every header field: signer, case, name, key id. */
	for (i = 0; i < adlen; i++) {
		ad[i] ^= 0x01;
		cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen, sealed, slen, &err),
			     HW_EINVALID, "header byte %zu changed and the body still opened", i);
		cr_assert_null(plain);
		ad[i] ^= 0x01;
	}
	/* A header cut short or grown by a byte. */
	cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen - 1, sealed, slen, &err), HW_EINVALID);
	/* Each byte of the nonce, the ciphertext and the tag. */
	for (i = 0; i < slen; i++) {
		sealed[i] ^= 0x80;
		cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen, sealed, slen, &err),
			     HW_EINVALID, "body byte %zu changed and it still opened", i);
		sealed[i] ^= 0x80;
	}
	cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen, sealed, slen - 1, &err), HW_EINVALID);
	cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen, sealed, 3, &err), HW_EINVALID);
	/* Unchanged, it opens. */
	cr_assert_eq(seal_open_body(&plain, &plen, k, ad, adlen, sealed, slen, &err), 0);
	free(plain);
	free(sealed);
	free(ad);
	seal_key_free(k);
}

Test(seal, another_key_does_not_open)
{
	hw_error err = { 0, "" };
	seal_key *k = new_key(CASE_A), *other = new_key(CASE_A);
	char *sealed = NULL, *plain = NULL;
	size_t slen = 0, plen = 0;

	cr_assert_eq(seal_body(&sealed, &slen, k, "h", 1, BODY, strlen(BODY), &err), 0);
	cr_assert_eq(seal_open_body(&plain, &plen, other, "h", 1, sealed, slen, &err), HW_EINVALID);
	cr_assert_null(plain);
	free(sealed);
	seal_key_free(k);
	seal_key_free(other);
}

Test(seal, wrap_round_trip_and_wrong_recipient)
{
	hw_error err = { 0, "" };
	hw_keys *alice = new_device(), *bob = new_device();
	seal_key *k = new_key(CASE_A), *got = NULL;
	char *wrap = NULL, *sealed = NULL, *plain = NULL;
	size_t wlen = 0, slen = 0, plen = 0;

	cr_assert_eq(seal_wrap(&wrap, &wlen, k, keys_box_public(alice), &err), 0, "%s", err.msg);
	cr_assert_leq(wlen, SEAL_WRAP_FILE_MAX);
	cr_assert_eq(strncmp(wrap, "homeward-wrap 1\n", 16), 0);
	/* Bob is not the recipient. */
	cr_assert_eq(seal_unwrap(&got, bob, CASE_A, seal_key_id(k), wrap, wlen, &err), HW_EINVALID);
	cr_assert_null(got);
	/* Alice is, and her copy of the key opens what k sealed. */
	cr_assert_eq(seal_unwrap(&got, alice, CASE_A, seal_key_id(k), wrap, wlen, &err), 0,
		     "%s", err.msg);
	cr_assert_str_eq(seal_key_id(got), seal_key_id(k));
	cr_assert_str_eq(seal_key_case(got), CASE_A);
	cr_assert_eq(seal_body(&sealed, &slen, k, "h", 1, BODY, strlen(BODY), &err), 0);
	cr_assert_eq(seal_open_body(&plain, &plen, got, "h", 1, sealed, slen, &err), 0);
	cr_assert_str_eq(plain, BODY);
	free(plain);
	free(sealed);
	free(wrap);
	seal_key_free(got);
	seal_key_free(k);
	keys_free(alice);
	keys_free(bob);
}

Test(seal, every_byte_of_a_wrap_file_is_checked)
{
	hw_error err = { 0, "" };
	hw_keys *alice = new_device();
	seal_key *k = new_key(CASE_A), *got = NULL, *other = new_key(CASE_A);
	char *wrap = NULL;
	size_t wlen = 0, i;

	cr_assert_eq(seal_wrap(&wrap, &wlen, k, keys_box_public(alice), &err), 0);
	for (i = 0; i < wlen; i++) {
		char was = wrap[i];

		/* A hex digit stays a hex digit; other bytes change too. */
		wrap[i] = was == '0' ? '1' : was == '\n' ? ' ' : (char)(was ^ 0x01);
		cr_assert_eq(seal_unwrap(&got, alice, CASE_A, seal_key_id(k), wrap, wlen, &err),
			     HW_EINVALID, "wrap byte %zu changed and it still opened", i);
		cr_assert_null(got);
		wrap[i] = was;
	}
	/* Moved to another case, or under another key id: refused. */
	cr_assert_eq(seal_unwrap(&got, alice, CASE_B, seal_key_id(k), wrap, wlen, &err), HW_EINVALID);
	cr_assert_eq(seal_unwrap(&got, alice, CASE_A, seal_key_id(other), wrap, wlen, &err),
		     HW_EINVALID);
	cr_assert_eq(seal_unwrap(&got, alice, CASE_A, "not-a-key-id", wrap, wlen, &err), HW_EINVALID);
	cr_assert_eq(seal_unwrap(&got, alice, CASE_A, seal_key_id(k), wrap, wlen - 1, &err),
		     HW_EINVALID);
	cr_assert_eq(seal_unwrap(&got, alice, CASE_A, seal_key_id(k), wrap, wlen, &err), 0);
	seal_key_free(got);
	free(wrap);
	seal_key_free(k);
	seal_key_free(other);
	keys_free(alice);
}

/* A roster of four members for the recipient tests. */
typedef struct test_roster {
	seal_member m[5];
	size_t n;
} test_roster;

static int roster_each(void *roster, int (*cb)(const seal_member *m, void *payload), void *payload)
{
	test_roster *t = roster;
	size_t i;
	int rc;

	for (i = 0; i < t->n; i++)
		if ((rc = cb(&t->m[i], payload)) != 0)
			return rc;
	return 0;
}

static const unsigned char PK[KEYS_BOX_PUBLIC] = { 1 };

Test(seal, recipients_are_supervisors_assignees_and_consented_providers)
{
	hw_error err = { 0, "" };
	test_roster t = { {
		{ "sup-1", "supervisor", "", PK },
		{ "coun-1", "counsellor", "", PK },
		{ "coun-2", "counsellor", "", PK },
		{ "fo-ng", "field_officer", "ng-lagos", PK },
		{ "fo-iq", "field_officer", "iq-erbil", PK },
	}, 5 };
	const char *assignees[] = { "coun-1", "not-on-roster" };
	const char *providers[] = { "ng-lagos" };
	seal_case_people people = { assignees, 2, providers, 1 };
	seal_recipients r = SEAL_RECIPIENTS_INIT;

	cr_assert_eq(seal_case_recipients(&r, roster_each, &t, &people, "coun-9", PK, &err), 0);
	cr_assert_eq(r.n, 4);
	cr_assert_not_null(seal_recipients_find(&r, "sup-1"));
	cr_assert_not_null(seal_recipients_find(&r, "coun-1"));
	cr_assert_not_null(seal_recipients_find(&r, "fo-ng"));
	cr_assert_not_null(seal_recipients_find(&r, "coun-9"), "the writing device");
	cr_assert_null(seal_recipients_find(&r, "coun-2"));
	cr_assert_null(seal_recipients_find(&r, "fo-iq"), "a provider without consent");
	cr_assert_null(seal_recipients_find(&r, "not-on-roster"), "no public key: cannot receive");
	seal_recipients_free(&r);
}

Test(seal, choose_key_rotates_when_a_recipient_is_removed)
{
	seal_recipients want = SEAL_RECIPIENTS_INIT;
	const char *old_set[] = { "coun-1", "fo-ng", "sup-1" };
	const char *new_set[] = { "coun-1", "sup-1" };
	seal_key_info keys[2];

	seal_recipients_add(&want, "sup-1", PK);
	seal_recipients_add(&want, "coun-1", PK);
	seal_recipients_add(&want, "fo-ng", PK);
	memset(keys, 0, sizeof(keys));
	snprintf(keys[0].id, sizeof(keys[0].id), "%032d", 1);
	keys[0].wrapped_for = old_set;
	keys[0].nwrapped = 3;
	keys[0].openable = 1;
	/* No key yet: make one. */
	cr_assert_eq(seal_choose_key(keys, 0, &want), -1);
	/* The key is wrapped for everyone wanted: keep it. */
	cr_assert_eq(seal_choose_key(keys, 1, &want), 0);
	/* fo-ng is taken off the case: the old key reaches it, so a new key. */
	seal_recipients_free(&want);
	seal_recipients_add(&want, "sup-1", PK);
	seal_recipients_add(&want, "coun-1", PK);
	cr_assert_eq(seal_choose_key(keys, 1, &want), -1);
	/* Once rotated, the new key is kept. */
	snprintf(keys[1].id, sizeof(keys[1].id), "%032d", 2);
	keys[1].wrapped_for = new_set;
	keys[1].nwrapped = 2;
	keys[1].openable = 1;
	cr_assert_eq(seal_choose_key(keys, 2, &want), 1);
	/* A key this device cannot open is never chosen. */
	keys[1].openable = 0;
	cr_assert_eq(seal_choose_key(keys, 2, &want), -1);
	seal_recipients_free(&want);
}
