/*
 * test_keys.c: the passphrase-sealed files of a workspace (its device keys
 * and its database key).  They share one salt, so a command that opens
 * both (sync, merge) derives the key from the passphrase once: counted
 * through crypto_derivations(), each test fails if a second derivation
 * creeps back in.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "util.h"
#include "workspace.h"

/* A fresh folder for one test. */
static char *tmpdir(void)
{
	const char *base = getenv("HOMEWARD_TEST_TMP");
	char *p = hw_path_join(base && *base ? base : "/tmp", "wsXXXXXX");

	cr_assert_not_null(p);
	cr_assert_not_null(mkdtemp(p));
	return p;
}

/* A passphrase in a secret. */
static hw_secret *passphrase(const char *text)
{
	hw_secret *s = NULL;

	cr_assert_eq(secret_new(&s, 64, NULL), 0);
	memcpy(secret_data(s), text, strlen(text));
	secret_set_len(s, strlen(text));
	return s;
}

/* The line "salt ..." of a sealed file, into out. */
static void salt_of(const char *path, char *out, size_t size)
{
	char line[256];
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	out[0] = '\0';
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "salt ", 5) == 0)
			snprintf(out, size, "%s", line);
	fclose(f);
	cr_assert(out[0], "no salt line in %s", path);
}

/* Open the workspace at dir with pass, as every command does. */
static hw_ws *open_with(const char *dir, const hw_secret *pass, unsigned flags)
{
	ws_options o = WS_OPTIONS_INIT;
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;

	o.flags = flags;
	o.passphrase = pass;
	cr_assert_eq(ws_open_ext(&ws, dir, &o, &err), 0, "%s", err.msg);
	return ws;
}

/* A workspace made as `homeward init` makes one, in a fresh folder. */
static char *new_workspace(const hw_secret *pass, unsigned long *derived)
{
	char *base = tmpdir(), *dir = hw_path_join(base, "ws");
	unsigned long before = crypto_derivations();
	hw_ws *ws = open_with(dir, pass, WS_OPEN_CREATE);

	cr_assert_eq(ws_init(ws, "dev1", "Tester", "counsellor", NULL), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(ws_make_keys(ws, pass), 0, "%s", ws_error(ws)->msg);
	if (derived)
		*derived = crypto_derivations() - before;
	ws_free(ws);
	free(base);
	return dir;
}

Test(keys, init_derives_once_and_both_files_share_the_salt)
{
	hw_secret *pass = passphrase("orchard kestrel");
	unsigned long derived = 0;
	char *dir = new_workspace(pass, &derived);
	char *keys = hw_path_join(dir, "keys"), *dbkey = hw_path_join(dir, WS_DBKEY_FILE);
	char s1[256], s2[256];

	cr_expect_eq(derived, 1, "init derived the key %lu times", derived);
	salt_of(keys, s1, sizeof s1);
	salt_of(dbkey, s2, sizeof s2);
	cr_expect_str_eq(s1, s2);
	secret_free(pass);
	free(keys);
	free(dbkey);
	free(dir);
}

/* What sync and merge do: open the workspace, then unlock the device keys. */
Test(keys, opening_and_unlocking_derive_once)
{
	hw_secret *pass = passphrase("orchard kestrel"), *wrong = passphrase("orchard kestreL");
	char *dir = new_workspace(pass, NULL);
	unsigned long before = crypto_derivations();
	hw_ws *ws = open_with(dir, pass, 0);

	cr_assert_eq(ws_unlock(ws, pass), 0, "%s", ws_error(ws)->msg);
	cr_expect_not_null(ws_keys(ws));
	cr_expect_eq(crypto_derivations() - before, 1, "derived %lu times",
		     crypto_derivations() - before);
	ws_free(ws);

	/* The key kept for the database never opens the keys for another passphrase. */
	ws = open_with(dir, pass, 0);
	cr_expect_eq(ws_unlock(ws, wrong), HW_EAUTH);
	cr_expect_null(ws_keys(ws));
	/* Without a passphrase: with the key the database opened with. */
	before = crypto_derivations();
	cr_expect_eq(ws_unlock(ws, NULL), 0, "%s", ws_error(ws)->msg);
	cr_expect_not_null(ws_keys(ws));
	cr_expect_eq(crypto_derivations(), before);
	/* Locked, the kept key is gone: nothing opens without the passphrase. */
	ws_lock(ws);
	cr_expect_eq(ws_unlock_store(ws, wrong), HW_EAUTH);
	cr_expect_eq(ws_unlock_store(ws, pass), 0, "%s", ws_error(ws)->msg);
	before = crypto_derivations();
	cr_expect_eq(ws_unlock(ws, NULL), 0, "%s", ws_error(ws)->msg);
	cr_expect_eq(crypto_derivations(), before);
	ws_free(ws);

	/* A handle opened with the raw key holds no derived key. */
	secret_free(wrong);
	secret_free(pass);
	free(dir);
}

/*
 * A workspace made before the files shared a salt derives twice, once;
 * its keys are sealed again under the database key's salt (the same keys),
 * and from then on it derives once.
 */
Test(keys, keys_under_another_salt_are_sealed_again_once)
{
	hw_secret *pass = passphrase("orchard kestrel");
	char *dir = new_workspace(pass, NULL);
	char *keys = hw_path_join(dir, "keys"), *dbkey = hw_path_join(dir, WS_DBKEY_FILE);
	unsigned char pk[KEYS_SIGN_PUBLIC];
	char s1[256], s2[256];
	unsigned long before;
	hw_error err = { 0, "" };
	hw_keys *k = NULL;
	hw_ws *ws;

	cr_assert_eq(keys_load(&k, keys, pass, NULL, &err), 0, "%s", err.msg);
	memcpy(pk, keys_sign_public(k), sizeof pk);
	cr_assert_eq(unlink(keys), 0);
	cr_assert_eq(keys_save(k, keys, pass, NULL, &err), 0, "%s", err.msg);
	keys_free(k);
	salt_of(keys, s1, sizeof s1);
	salt_of(dbkey, s2, sizeof s2);
	cr_assert_str_neq(s1, s2);

	before = crypto_derivations();
	ws = open_with(dir, pass, 0);
	cr_assert_eq(ws_unlock(ws, pass), 0, "%s", ws_error(ws)->msg);
	cr_expect_eq(crypto_derivations() - before, 2);
	cr_expect_eq(memcmp(keys_sign_public(ws_keys(ws)), pk, sizeof pk), 0, "other keys");
	ws_free(ws);
	salt_of(keys, s1, sizeof s1);
	cr_expect_str_eq(s1, s2);

	before = crypto_derivations();
	ws = open_with(dir, pass, 0);
	cr_assert_eq(ws_unlock(ws, pass), 0, "%s", ws_error(ws)->msg);
	cr_expect_eq(crypto_derivations() - before, 1);
	cr_expect_eq(memcmp(keys_sign_public(ws_keys(ws)), pk, sizeof pk), 0, "other keys");
	ws_free(ws);
	secret_free(pass);
	free(keys);
	free(dbkey);
	free(dir);
}

/* The two kinds of file are one format with another first line: neither opens as the other. */
Test(keys, a_file_of_one_kind_is_not_read_as_the_other)
{
	hw_secret *pass = passphrase("orchard kestrel"), *db = NULL;
	char *dir = new_workspace(pass, NULL);
	char *keys = hw_path_join(dir, "keys"), *dbkey = hw_path_join(dir, WS_DBKEY_FILE);
	hw_error err = { 0, "" };
	hw_keys *k = NULL;

	cr_expect_eq(keys_load(&k, dbkey, pass, NULL, &err), HW_ECORRUPT, "%s", err.msg);
	cr_expect_eq(dbkey_load(&db, keys, pass, NULL, &err), HW_ECORRUPT, "%s", err.msg);
	cr_expect_eq(dbkey_load(&db, dbkey, pass, NULL, &err), 0, "%s", err.msg);
	cr_expect_eq(secret_len(db), CRYPTO_KEY_BYTES);
	secret_free(db);
	secret_free(pass);
	free(keys);
	free(dbkey);
	free(dir);
}
