/*
 * testkey.h: the database key unit tests, benchmarks and fuzzers open their
 * workspaces with.  They pass the key itself (ws_options.key), as the
 * store allows, because deriving one from a passphrase takes a fifth of a
 * second; the command line always derives it from the passphrase.
 */
#ifndef HW_TESTKEY_H
#define HW_TESTKEY_H

#include <string.h>

#include "crypto.h"

/* The fixed test key (made once; NULL only when memory ran out). */
static inline const hw_secret *test_key(void)
{
	static hw_secret *k;

	if (!k && secret_new(&k, CRYPTO_KEY_BYTES, NULL) == 0) {
		memset(secret_data(k), 0x5a, CRYPTO_KEY_BYTES);
		secret_set_len(k, CRYPTO_KEY_BYTES);
	}
	return k;
}

#endif
