/*
 * bench_atrest.c: what encrypting the database costs, at 100k cases: the
 * case list, a search, opening a case and the durable write of one answer,
 * on the same data encrypted (the sealing file layer) and plain, in one run.
 *
 *   bench/bench_atrest [DIR] [CASES]     (default: a temp dir; 100000)
 *
 * The cases are made through the core library in an encrypted workspace
 * (reused when DIR holds one), then copied whole twice with VACUUM INTO: a
 * compact encrypted file and a compact plain one, so both have the same
 * pages in the same order.  Each figure is the median of ROUNDS runs, each
 * on a fresh connection (as every command opens one): the open of the
 * store and the operation, with a cold SQLite cache (the OS cache warm).
 * Deriving the key from the passphrase (Argon2id, once per command) is
 * measured apart: it is the same whatever the database holds.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "crypto.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "../tests/testkey.h"

#define BATCH 2000
#define ROUNDS 9
#define WRITES 25

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
	qsort(t, (size_t)n, sizeof t[0], cmp_double);
	return t[n / 2];
}

static int fail(const char *what, const hw_error *err)
{
	fprintf(stderr, "bench_atrest: %s: %s\n", what, err->msg);
	exit(1);
}

static int generate(hw_ws *ws, size_t have, size_t ncases)
{
	static const char *const given[] = { "Amina", "Yusuf", "Layla", "Karim", "Elene", "Omar" };
	static const char *const family[] = { "Okafor", "Haddad", "Rahimi", "Bello", "Sample", "Nour", "Tahir" };
	static const char *const country[] = { "NG", "IQ", "AF", "MA", "GE", "SY" };
	char id[HW_UUID_LEN + 1], birth[11];
	size_t i;

	for (i = have; i < ncases; i++) {
		case_fields f = CASE_FIELDS_INIT;

		if (i % BATCH == 0 && i > have && store_commit(ws_store(ws), ws_err(ws)) < 0)
			return fail("committing", ws_error(ws));
		if ((i == have || i % BATCH == 0) && store_begin(ws_store(ws), ws_err(ws)) < 0)
			return fail("beginning", ws_error(ws));
		snprintf(birth, sizeof birth, "%04zu-%02zu-%02zu", 1950 + i % 60, 1 + i % 12, 1 + i % 28);
		f.given_name = given[i % 6];
		f.family_name = family[i % 7];
		f.birth_date = birth;
		f.sex = i % 2 ? "female" : "male";
		f.nationality = f.return_country = country[i % 6];
		f.language = "ar";
		if (case_open(ws, &f, id) < 0)
			return fail("opening a case", ws_error(ws));
	}
	if (ncases > have && store_commit(ws_store(ws), ws_err(ws)) < 0)
		return fail("committing", ws_error(ws));
	return 0;
}

static int count_row(const store_case_row *r, void *payload)
{
	(void)r;
	(*(size_t *)payload)++;
	return 0;
}

static int keep_id(const store_case_row *r, void *payload)
{
	snprintf(payload, HW_UUID_LEN + 1, "%s", r->id);
	return 1;
}

static int count_json(const char *json, void *payload)
{
	(void)json;
	(*(size_t *)payload)++;
	return 0;
}

static int count_sub(const store_submission *s, void *payload)
{
	(void)s;
	(*(size_t *)payload)++;
	return 0;
}

enum { OP_LIST, OP_LIST_PAGE, OP_SEARCH, OP_OPEN_CASE, OP_WRITE, NOPS };
static const char *const op_names[NOPS] = {
	"case list, all cases", "case list, first 50 (the screen)", "search \"rahimi 1967\"",
	"open a case (row, events, work, submissions)", "durable write of one answer",
};

/* Seconds for one operation on a fresh connection to path (key NULL: plain). */
static double run(const char *path, const hw_secret *key, int op, const char *case_id,
		  int round, size_t *rows)
{
	hw_error err = { 0, "" };
	hw_store *st = NULL;
	store_case_query q = STORE_CASE_QUERY_INIT;
	store_case_row row;
	store_case_work w;
	double t0 = now();
	char value[32];

	memset(&row, 0, sizeof row);
	memset(&w, 0, sizeof w);
	*rows = 0;
	if (store_open(&st, path, op == OP_WRITE ? 0 : STORE_READONLY, key, &err) < 0)
		fail("opening", &err);
	switch (op) {
	case OP_LIST:
	case OP_LIST_PAGE:
	case OP_SEARCH:
		q.limit = op == OP_LIST_PAGE ? 50 : 0;
		q.search = op == OP_SEARCH ? "rahimi 1967" : NULL;
		if (store_case_query_each(st, &q, count_row, rows, &err) < 0)
			fail("listing", &err);
		break;
	case OP_OPEN_CASE:
		if (store_case_get(st, case_id, &row, &err) < 0 ||
		    store_case_events(st, case_id, count_json, rows, &err) < 0 ||
		    store_case_work_get(st, case_id, &w, &err) < 0 ||
		    store_case_submissions(st, case_id, count_sub, rows, &err) < 0)
			fail("opening a case", &err);
		store_case_row_clear(&row);
		store_case_work_clear(&w);
		break;
	case OP_WRITE:
		snprintf(value, sizeof value, "answer %d", round);
		if (store_draft_op(st, "bench-draft", "answer", "/data/summary", value, &err) < 0)
			fail("writing", &err);
		*rows = 1;
		break;
	}
	store_free(st);
	return now() - t0;
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/homeward-bench-atrest-XXXXXX";
	const char *base = argc > 1 ? argv[1] : NULL;
	size_t ncases = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000, have = 0, rows[2];
	char *dir, *enc, *plain, *sql, case_id[HW_UUID_LEN + 1] = "";
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	hw_store *st = NULL;
	hw_secret *pass = NULL, *key = NULL;
	store_case_query q = STORE_CASE_QUERY_INIT;
	double t[2][ROUNDS > WRITES ? ROUNDS : WRITES], med[2], t0, kdf[ROUNDS];

	sqlite3_config(SQLITE_CONFIG_URI, 1);
	if (!base && !(base = mkdtemp(tmpl)))
		return 1;
	dir = hw_path_join(base, "ws");
	enc = hw_path_join(base, "encrypted.db");
	plain = hw_path_join(base, "plain.db");
	if (!dir || !enc || !plain)
		return 1;
	if (ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err) < 0)
		fail("creating the workspace", &err);
	if (!ws_is_initialised(ws) && ws_init(ws, "bench", "Bench", "counsellor", NULL) < 0)
		fail("initialising", ws_error(ws));
	if (case_search(ws, NULL, 0, count_row, &have) < 0)
		fail("counting", ws_error(ws));
	if (have < ncases)
		fprintf(stderr, "bench_atrest: making %zu cases in %s\n", ncases - have, dir);
	generate(ws, have, ncases);
	/* One case with a draft, for the write. */
	q.limit = 1;
	q.sort = STORE_SORT_NAME;
	if (case_query(ws, &q, keep_id, case_id) < 0 && !case_id[0])
		fail("finding a case", ws_error(ws));
	store_draft_delete(ws_store(ws), "bench-draft", NULL);
	if (store_draft_create(ws_store(ws), "bench-draft", case_id, "needs-assessment", "en", ws_err(ws)) < 0)
		fail("making a draft", ws_error(ws));
	/* Two compact copies of the same pages: one sealed, one plain. */
	unlink(enc);
	unlink(plain);
	if (!(sql = sqlite3_mprintf("VACUUM INTO %Q; VACUUM INTO 'file:%q?vfs=unix'", enc, plain)) ||
	    sqlite3_exec(store_connection(ws_store(ws)), sql, NULL, NULL, NULL) != SQLITE_OK)
		fail("copying", ws_error(ws));
	sqlite3_free(sql);
	ws_free(ws);
	/*
	 * The copies open as stores of their own (a plain one with no key),
	 * once to write: that checks them and leaves the marker that lets
	 * later opens skip the check, as for a workspace closed cleanly.
	 */
	if (store_open(&st, plain, 0, NULL, &err) < 0)
		fail("opening the plain copy", &err);
	store_free(st);
	if (store_open(&st, enc, 0, test_key(), &err) < 0)
		fail("opening the encrypted copy", &err);
	store_free(st);

	printf("Encrypted vs plain database, %zu cases (median of %d runs, each a fresh connection)\n\n",
	       ncases, ROUNDS);
	printf("| operation | plain | encrypted | ratio |\n|---|---:|---:|---:|\n");
	for (int op = 0; op < NOPS; op++) {
		int n = op == OP_WRITE ? WRITES : ROUNDS;

		/* Alternate the two, so that a busy moment of the machine hits both alike. */
		for (int r = 0; r < n + 1; r++) {
			for (int e = 0; e < 2; e++) {
				double s = run(e ? enc : plain, e ? test_key() : NULL, op, case_id, r, &rows[e]);

				if (r > 0)     /* the first run warms the OS cache */
					t[e][r - 1] = s;
			}
		}
		if (rows[0] != rows[1]) {
			fprintf(stderr, "bench_atrest: %s: %zu rows plain, %zu encrypted\n", op_names[op], rows[0], rows[1]);
			return 1;
		}
		med[0] = median(t[0], n);
		med[1] = median(t[1], n);
		printf("| %s | %.1f ms | %.1f ms | %.2fx |\n", op_names[op], med[0] * 1e3, med[1] * 1e3,
		       med[1] / med[0]);
		fflush(stdout);
	}
	/* The key from the passphrase: once per command, whatever the size. */
	if (dbkey_generate(&key, &err) < 0 || secret_new(&pass, 64, &err) < 0)
		fail("making a key", &err);
	memcpy(secret_data(pass), "bench passphrase", 16);
	secret_set_len(pass, 16);
	{
		char *kf = hw_path_join(base, "database.key");
		hw_secret *back = NULL;

		unlink(kf);
		if (dbkey_save(key, kf, pass, NULL, &err) < 0)
			fail("saving the key", &err);
		for (int r = 0; r < ROUNDS; r++) {
			t0 = now();
			if (dbkey_load(&back, kf, pass, NULL, &err) < 0)
				fail("opening the key", &err);
			kdf[r] = now() - t0;
			secret_free(back);
		}
		free(kf);
	}
	printf("\nOpening the key from the passphrase (Argon2id, once per command): %.0f ms\n",
	       median(kdf, ROUNDS) * 1e3);
	secret_free(key);
	secret_free(pass);
	free(dir);
	free(enc);
	free(plain);
	return 0;
}
