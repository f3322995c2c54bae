/* test_core.c: the store, events, the case fold and drafts, on real SQLite files. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <sqlite3.h>

#include "cases.h"
#include "failalloc.h"
#include "forms.h"
#include "event.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "testkey.h"

/* A fresh folder for one test. */
static char *tmpdir(void)
{
	const char *base = getenv("HOMEWARD_TEST_TMP");
	char *p = hw_path_join(base && *base ? base : "/tmp", "wsXXXXXX");

	cr_assert_not_null(p);
	cr_assert_not_null(mkdtemp(p));
	return p;
}

/* A new initialised workspace in a fresh folder. */
static hw_ws *new_ws(const char *device, char **dir_out)
{
	hw_error err = { 0, "" };
	char *dir = tmpdir(), *wsdir = hw_path_join(dir, "ws");
	hw_ws *ws = NULL;

	cr_assert_not_null(wsdir);
	cr_assert_eq(ws_open(&ws, wsdir, WS_OPEN_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(ws_init(ws, device, "Tester", "counsellor", NULL), 0, "%s", ws_error(ws)->msg);
	if (dir_out)
		*dir_out = wsdir;
	else
		free(wsdir);
	free(dir);
	return ws;
}

static void open_case(hw_ws *ws, char id[HW_UUID_LEN + 1], const char *birth)
{
	case_fields f = CASE_FIELDS_INIT;

	f.given_name = "Amina";
	f.family_name = "Example";
	f.birth_date = birth;
	f.nationality = "ng";
	f.return_country = "NG";
	f.language = "en";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
}

Test(util, sha256_known_vectors)
{
	char out[HW_SHA256_HEX + 1];
	char big[1000];

	hw_sha256_hex("", 0, out);
	cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hw_sha256_hex("abc", 3, out);
	cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	memset(big, 'a', sizeof(big));
	hw_sha256_hex(big, 56, out); /* padding spills into a second block */
	cr_assert_str_eq(out, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

Test(util, uuid_is_v4_and_valid)
{
	char a[HW_UUID_LEN + 1], b[HW_UUID_LEN + 1];

	cr_assert_eq(hw_uuid(a), 0);
	cr_assert_eq(hw_uuid(b), 0);
	cr_assert(hw_uuid_valid(a));
	cr_assert_eq(a[14], '4');
	cr_assert_str_neq(a, b);
	cr_assert_not(hw_uuid_valid("0ffcbe7b-82d7-4896-ab8e-CBB001dfc396"));
	cr_assert_not(hw_uuid_valid("0ffcbe7b-82d7-4896-ab8e"));
}

/*
 * Out of memory in a growable string is sticky: once an append fails, later
 * appends fail too and the one check at the end (hw_buf_check, or detach's
 * NULL) catches it.  The buffer never comes back holding the text around a
 * hole.
 */
Test(util, buf_out_of_memory_is_sticky_and_caught_at_the_end)
{
	hw_buf b = HW_BUF_INIT;
	hw_error err = { 0, "" };
	char big[200];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_eq(hw_buf_puts(&b, "head "), 0);
	failalloc_fail_nth(1);
	cr_expect_lt(hw_buf_puts(&b, big), 0, "the append that needed memory failed");
	failalloc_fail_nth(0);
	cr_expect_lt(hw_buf_puts(&b, " tail"), 0, "a later append must fail too");
	cr_expect_lt(hw_buf_printf(&b, "%d", 42), 0);
	cr_expect(hw_buf_oom(&b));
	cr_expect_eq(hw_buf_check(&b, &err), HW_ERROR);
	cr_expect_str_eq(err.msg, "out of memory");
	cr_expect_str_eq(b.ptr, "", "readers see nothing, not the text around the hole");
	cr_expect_null(hw_buf_detach(&b), "detach says the text is not whole");
	/* Detached (or freed), the buffer starts afresh. */
	cr_assert_eq(hw_buf_puts(&b, "again"), 0);
	cr_expect_eq(hw_buf_check(&b, &err), 0);
	{
		char *s = hw_buf_detach(&b);

		cr_assert_not_null(s);
		cr_expect_str_eq(s, "again");
		free(s);
	}
	/* A printf longer than the small stack buffer fails the same way. */
	failalloc_fail_nth(1);
	cr_expect_lt(hw_buf_printf(&b, "%s", big), 0);
	failalloc_fail_nth(0);
	cr_expect_lt(hw_buf_puts(&b, "x"), 0);
	hw_buf_free(&b);
	cr_expect(!hw_buf_oom(&b), "freeing forgets the failure");
}

/* An event's values are read whole or not at all: no array member dropped. */
Test(event, data_values_are_whole_or_an_error)
{
	const char *json = "{\"languages\":[\"fa\",\"ps\",\"en\"],\"name\":\"Amina\"}";
	unsigned long n;

	for (n = 1; n < 40; n++) {
		char *v = NULL;
		int rc;

		failalloc_fail_nth(n);
		rc = event_data_get(&v, json, "languages");
		failalloc_fail_nth(0);
		if (rc == 0)
			cr_expect_str_eq(v ? v : "(null)", "fa ps en", "allocation %lu", n);
		else
			cr_expect_null(v);
		free(v);
	}
}

Test(util, a_fixed_clock_is_parsed_strictly_and_used_everywhere)
{
	char iso[HW_TIME_LEN + 1];
	time_t t = 1;

	cr_assert_eq(hw_time_parse("2026-11-29T10:00:00Z", &t), 0);
	cr_assert_eq(t, 1795946400);
	cr_assert_eq(hw_time_parse("2026-02-31T10:00:00Z", &t), HW_EINVALID, "no 31 February");
	cr_assert_eq(hw_time_parse("2026-11-29", &t), HW_EINVALID);
	cr_assert_eq(hw_time_parse("2026-11-29T10:00:00+01:00", &t), HW_EINVALID);
	cr_assert_eq(hw_time_parse("2026-11-29T10:00:00Zx", &t), HW_EINVALID);
	cr_assert_eq(hw_time_parse("", &t), HW_EINVALID);
	hw_clock_fix(1795946400);
	hw_now_iso(iso);
	cr_assert_str_eq(iso, "2026-11-29T10:00:00Z");
	hw_clock_fix(0);
	hw_now_iso(iso);
	cr_assert_str_neq(iso, "2026-11-29T10:00:00Z");
}

Test(event, canonical_json_sorted_and_round_trips)
{
	hw_event *ev = NULL, *back = NULL;
	char *json = NULL, *again = NULL;
	const char *parents[] = { "0ffcbe7b-82d7-4896-ab8e-cbb001dfc396" };

	cr_assert_eq(event_new(&ev, "a5d67457-789b-433d-9b81-c83000befa28", EV_CASE_UPDATED,
			       "Amina", "dev1", parents, 1, "{\"z\": 1, \"a\": \"é\"}", NULL), 0);
	cr_assert_eq(event_to_json(&json, ev, NULL), 0);
	cr_assert(strstr(json, "\"data\":{\"a\":\"é\",\"z\":1}") != NULL, "%s", json);
	cr_assert(strncmp(json, "{\"at\":", 6) == 0, "keys sorted: %s", json);
	cr_assert_eq(event_parse(&back, json, strlen(json), NULL), 0);
	cr_assert_eq(event_to_json(&again, back, NULL), 0);
	cr_assert_str_eq(json, again);
	free(json);
	free(again);
	event_free(ev);
	event_free(back);
}

Test(event, rejects_malformed_events_with_a_reason)
{
	hw_event *ev = NULL;
	hw_error err = { 0, "" };
	const char *bad[] = {
		"not json",
		"[]",
		"{\"id\":\"x\",\"case\":\"x\",\"type\":\"case.opened\",\"at\":\"x\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],\"data\":{}}",
		"{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"type\":\"case.exploded\",\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],\"data\":{}}",
		"{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"type\":\"case.opened\",\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],\"data\":[]}",
		"{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"type\":\"case.opened\",\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],\"data\":{},\"extra\":1}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		cr_assert_eq(event_parse(&ev, bad[i], strlen(bad[i]), &err), HW_EINVALID, "case %zu", i);
		cr_assert_null(ev);
		cr_assert_neq(err.msg[0], '\0');
	}
}

Test(store, creates_schema_and_migrates_once)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db");
	hw_store *st = NULL;
	hw_error err = { 0, "" };
	char *v = NULL;

	cr_assert_eq(store_open(&st, db, 1, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_setting_set(st, "k", "v1", &err), 0);
	store_free(st);
	/* Reopening runs no migration again and keeps the data. */
	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_setting_get(st, "k", &v, &err), 0);
	cr_assert_str_eq(v, "v1");
	free(v);
	cr_assert_eq(store_setting_get(st, "missing", &v, &err), HW_ENOTFOUND);
	store_free(st);
	free(db);
	free(dir);
}

Test(store, missing_database_is_not_created_without_asking)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "none.db");
	hw_store *st = NULL;
	hw_error err = { 0, "" };

	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), HW_ENOTFOUND);
	cr_assert_not(hw_exists(db));
	free(db);
	free(dir);
}

/* Read a whole file for comparison. */
static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;

	cr_assert_eq(hw_read_file(path, &data, len, NULL), 0);
	return data;
}

/* Open the workspace at dir and say whether the open ran the integrity check. */
static int open_checks(const char *dir)
{
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	int checked;

	cr_assert_eq(ws_open(&ws, dir, 0, test_key(), &err), 0, "%s", err.msg);
	checked = store_checked_on_open(ws_store(ws));
	ws_free(ws);
	return checked;
}

Test(store, the_integrity_check_runs_after_an_unclean_shutdown_or_a_day)
{
	char *wsdir = NULL, *db;
	hw_ws *ws = new_ws("dev1", &wsdir);
	char id[HW_UUID_LEN + 1];
	pid_t pid;
	int status;

	open_case(ws, id, "1990-01-01");
	ws_free(ws);
	cr_assert_not(open_checks(wsdir), "a clean close, a check today: no check");
	cr_assert_not(open_checks(wsdir), "still none on the next open");

	/* A process that records a case and dies without closing anything. */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		hw_error err = { 0, "" };
		hw_ws *w = NULL;

		case_fields cf = CASE_FIELDS_INIT;

		/* No assertions in the child: only the test's own process may report. */
		if (ws_open(&w, wsdir, 0, test_key(), &err) < 0)
			_exit(2);
		cf.given_name = "Amina";
		cf.family_name = "Example";
		cf.birth_date = "1991-01-01";
		cf.nationality = "ng";
		cf.return_country = "NG";
		cf.language = "en";
		_exit(case_open(w, &cf, id) < 0 ? 3 : 0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert(open_checks(wsdir), "the first open after an unclean shutdown checks");
	cr_assert_not(open_checks(wsdir), "and, closed cleanly again, the next does not");

	/* Something else writes the file (same size): checked. */
	db = hw_path_join(wsdir, "homeward.db");
	cr_assert_eq(utime(db, NULL), 0);
	cr_assert(open_checks(wsdir), "a file changed since the clean close is checked");

	/* A day later it is checked anyway, once. */
	hw_clock_fix(hw_clock_now() + 25 * 60 * 60);
	cr_assert(open_checks(wsdir), "a check a day old runs again");
	cr_assert_not(open_checks(wsdir));
	hw_clock_fix(0);
	free(db);
	free(wsdir);
}

Test(store, damaged_database_is_reported_and_left_untouched)
{
	char *dir = tmpdir(), *wsdir = NULL, *db, *before, *after;
	hw_ws *ws = new_ws("dev1", &wsdir);
	char id[HW_UUID_LEN + 1];
	size_t n1, n2;
	hw_error err = { 0, "" };
	FILE *f;

	open_case(ws, id, "1990-01-01");
	ws_free(ws);
	db = hw_path_join(wsdir, "homeward.db");
	/* Overwrite a page in the middle with garbage, as a failing disk would. */
	f = fopen(db, "r+b");
	cr_assert_not_null(f);
	fseek(f, 4096, SEEK_SET);
	for (int i = 0; i < 3 * 4096; i++)
		fputc(0xA5, f);
	fclose(f);
	before = slurp(db, &n1);
	ws = NULL;
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), HW_ECORRUPT, "got %d: %s", err.code, err.msg);
	cr_assert_null(ws);
	cr_assert(strstr(err.msg, "untouched") != NULL, "%s", err.msg);
	after = slurp(db, &n2);
	cr_assert_eq(n1, n2);
	cr_assert(memcmp(before, after, n1) == 0, "the damaged file was modified");
	free(before);
	free(after);
	free(db);
	free(wsdir);
	free(dir);
}

Test(store, a_file_that_is_not_a_database_is_refused)
{
	char *dir = tmpdir(), *wsdir = hw_path_join(dir, "ws"), *db = hw_path_join(wsdir, "homeward.db");
	hw_ws *ws = NULL;
	hw_error err = { 0, "" };

	cr_assert_not_null(db);
	hw_mkdir_p(wsdir, NULL);
	cr_assert_eq(hw_write_file_atomic(db, "hello, this is text\n", 20, NULL), 0);
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), HW_ECORRUPT, "%d %s", err.code, err.msg);
	free(db);
	free(wsdir);
	free(dir);
}

Test(cases, open_validates_fields_and_names_the_bad_one)
{
	hw_ws *ws = new_ws("dev1", NULL);
	case_fields f = CASE_FIELDS_INIT;
	char id[HW_UUID_LEN + 1];

	f.given_name = "A";
	f.birth_date = "2001-02-30";
	cr_assert_eq(case_open(ws, &f, id), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "birth date") != NULL);
	f.birth_date = "2001-02-28";
	f.return_country = "Nigeria";
	cr_assert_eq(case_open(ws, &f, id), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "country of return") != NULL, "%s", ws_error(ws)->msg);
	f.return_country = "ng";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
	ws_free(ws);
}

Test(cases, minor_is_derived_from_the_birth_date)
{
	cr_assert(case_is_minor("2010-06-01", 0, "2026-11-29"));
	cr_assert_not(case_is_minor("2008-11-29", 0, "2026-11-29"));   /* 18 today */
	cr_assert(case_is_minor("2008-11-30", 0, "2026-11-29"));       /* 18 tomorrow */
	cr_assert(case_is_minor(NULL, 2010, "2026-11-29"));
	cr_assert_not(case_is_minor(NULL, 0, "2026-11-29"));
}

Test(cases, update_folds_into_the_case_and_search_finds_it)
{
	hw_ws *ws = new_ws("dev1", NULL);
	char id[HW_UUID_LEN + 1];
	store_case_row r;
	int found = 0;

	open_case(ws, id, "2012-01-01");
	cr_assert_eq(case_update(ws, id, "return_country", "gh"), 0);
	cr_assert_eq(case_get(ws, id, &r), 0);
	cr_assert_str_eq(r.return_country, "GH");
	cr_assert_str_eq(r.nationality, "NG");
	cr_assert_eq(r.minor, 1);
	cr_assert_eq(r.nevents, 2);
	cr_assert_eq(r.conflicts, 0);
	store_case_row_clear(&r);
	cr_assert_eq(case_update(ws, id, "status", "closed"), HW_EINVALID);
	cr_assert_eq(case_update(ws, id, "no_such_field", "x"), HW_EINVALID);
	{
		int count(const store_case_row *row, void *p) { (void)row; (*(int *)p)++; return 0; }
		cr_assert_eq(store_case_list(ws_store(ws), "amin", 0, count, &found, NULL), 0);
		cr_assert_eq(found, 1);
		found = 0;
		cr_assert_eq(store_case_list(ws_store(ws), "nobody", 0, count, &found, NULL), 0);
		cr_assert_eq(found, 0);
	}
	ws_free(ws);
}

/* Copy every event of one workspace's case into another (what sync does). */
typedef struct copy_ctx { hw_ws *to; } copy_ctx;
static int copy_event(const char *json, void *payload)
{
	copy_ctx *c = payload;
	int imported;

	cr_assert_eq(case_import_event(c->to, json, strlen(json), &imported), 0, "%s",
		     ws_error(c->to)->msg);
	return 0;
}

Test(cases, concurrent_edits_become_a_visible_conflict_then_resolve)
{
	hw_ws *a = new_ws("dev-a", NULL), *b = new_ws("dev-b", NULL);
	char id[HW_UUID_LEN + 1];
	copy_ctx to_b = { b }, to_a = { a };
	case_conflict *cf = NULL;
	size_t n = 0;
	store_case_row ra, rb;

	open_case(a, id, "1990-01-01");
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	/* Both devices change the country of return without seeing each other. */
	hw_clock_fix(1795946400);  /* 2026-11-29T10:00:00Z */
	cr_assert_eq(case_update(a, id, "return_country", "GH"), 0);
	hw_clock_fix(1795950000);  /* an hour later */
	cr_assert_eq(case_update(b, id, "return_country", "SN"), 0);
	hw_clock_fix(0);
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	store_case_events(ws_store(b), id, copy_event, &to_a, NULL);
	/* Both sides show the same provisional value, flagged. */
	cr_assert_eq(case_get(a, id, &ra), 0);
	cr_assert_eq(case_get(b, id, &rb), 0);
	cr_assert_eq(ra.conflicts, 1);
	cr_assert_eq(rb.conflicts, 1);
	cr_assert_str_eq(ra.return_country, "SN");
	cr_assert_str_eq(rb.return_country, "SN");
	store_case_row_clear(&ra);
	store_case_row_clear(&rb);
	cr_assert_eq(case_conflicts(a, id, &cf, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(cf[0].field, "return_country");
	cr_assert_eq(cf[0].nvalues, 2);
	case_conflicts_free(cf, n);
	/* A decision that has seen both sides settles it everywhere. */
	cr_assert_eq(case_resolve(a, id, "return_country", "GH"), 0);
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	cr_assert_eq(case_get(b, id, &rb), 0);
	cr_assert_eq(rb.conflicts, 0);
	cr_assert_str_eq(rb.return_country, "GH");
	store_case_row_clear(&rb);
	ws_free(a);
	ws_free(b);
}

Test(cases, importing_twice_duplicates_nothing)
{
	hw_ws *a = new_ws("dev-a", NULL), *b = new_ws("dev-b", NULL);
	char id[HW_UUID_LEN + 1];
	copy_ctx to_b = { b };
	store_case_row r;

	open_case(a, id, "1990-01-01");
	cr_assert_eq(case_update(a, id, "language", "fr"), 0);
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	cr_assert_eq(case_get(b, id, &r), 0);
	cr_assert_eq(r.nevents, 2);
	cr_assert_str_eq(r.language, "fr");
	store_case_row_clear(&r);
	ws_free(a);
	ws_free(b);
}

Test(cases, sequential_edits_on_two_devices_are_no_conflict)
{
	hw_ws *a = new_ws("dev-a", NULL), *b = new_ws("dev-b", NULL);
	char id[HW_UUID_LEN + 1];
	copy_ctx to_b = { b }, to_a = { a };
	store_case_row r;

	open_case(a, id, "1990-01-01");
	cr_assert_eq(case_update(a, id, "return_country", "GH"), 0);
	store_case_events(ws_store(a), id, copy_event, &to_b, NULL);
	/* B saw A's change, so its edit supersedes it. */
	cr_assert_eq(case_update(b, id, "return_country", "SN"), 0);
	store_case_events(ws_store(b), id, copy_event, &to_a, NULL);
	cr_assert_eq(case_get(a, id, &r), 0);
	cr_assert_eq(r.conflicts, 0);
	cr_assert_str_eq(r.return_country, "SN");
	store_case_row_clear(&r);
	ws_free(a);
	ws_free(b);
}

static int collect_ops(const char *op, const char *path, const char *value, void *payload)
{
	hw_buf *b = payload;

	hw_buf_printf(b, "%s %s %s;", op, path, value ? value : "-");
	return 0;
}

Test(store, draft_ops_keep_the_last_answer_per_path_and_survive_reopen)
{
	char *wsdir = NULL;
	hw_ws *ws = new_ws("dev1", &wsdir);
	char id[HW_UUID_LEN + 1];
	hw_buf b = HW_BUF_INIT;
	hw_error err = { 0, "" };

	open_case(ws, id, "1990-01-01");
	cr_assert_eq(store_draft_create(ws_store(ws), "d1", id, "first-contact", "en", NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), "d1", "answer", "/a", "1", NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), "d1", "answer", "/b", "x", NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), "d1", "answer", "/a", "2", NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), "d1", "add-repeat", "/r", NULL, NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), "d1", "answer", "/a", "3", NULL), 0);
	ws_free(ws);
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_draft_ops(ws_store(ws), "d1", collect_ops, &b, NULL), 0);
	/* /a=2 replaced /a=1; /a=3 came after a repeat change so both stay. */
	cr_assert_str_eq(b.ptr, "answer /b x;answer /a 2;add-repeat /r -;answer /a 3;");
	hw_buf_free(&b);
	ws_free(ws);
	free(wsdir);
}

Test(workspace, init_refuses_bad_device_ids_and_roles)
{
	hw_error err = { 0, "" };
	char *dir = tmpdir(), *wsdir = hw_path_join(dir, "ws");
	hw_ws *ws = NULL;

	cr_assert_eq(ws_open(&ws, wsdir, WS_OPEN_CREATE, test_key(), &err), 0);
	cr_assert_eq(ws_init(ws, "../evil", "N", "counsellor", NULL), HW_EINVALID);
	cr_assert_eq(ws_init(ws, "dev 1", "N", "counsellor", NULL), HW_EINVALID);
	cr_assert_eq(ws_init(ws, "dev1", "N", "boss", NULL), HW_EINVALID);
	cr_assert_eq(ws_init(ws, "dev1", "N", "supervisor", NULL), 0);
	cr_assert_eq(ws_init(ws, "dev2", "N", "supervisor", NULL), HW_EEXISTS);
	cr_assert_str_eq(ws_device_id(ws), "dev1");
	ws_free(ws);
	free(wsdir);
	free(dir);
}

Test(workspace, a_second_process_can_work_on_the_same_workspace)
{
	char *wsdir = NULL;
	hw_ws *a = new_ws("dev1", &wsdir), *b = NULL;
	char id1[HW_UUID_LEN + 1], id2[HW_UUID_LEN + 1];
	hw_error err = { 0, "" };
	int n = 0;

	cr_assert_eq(ws_open(&b, wsdir, 0, test_key(), &err), 0, "%s", err.msg);
	open_case(a, id1, "1990-01-01");
	open_case(b, id2, "1991-01-01");
	{
		int count(const store_case_row *row, void *p) { (void)row; (*(int *)p)++; return 0; }
		store_case_list(ws_store(a), NULL, 0, count, &n, NULL);
	}
	cr_assert_eq(n, 2);
	ws_free(a);
	ws_free(b);
	free(wsdir);
}

/* One value from a query on a raw connection. */
/*
 * The connection under a store, to change a database below its schema as
 * another program would (it reads and writes through the encryption).
 */
static hw_store *raw_store;

/* SQL that takes a database of this schema back to schema 9 (no stage in the case row). */
#define BACK_TO_SCHEMA_9 \
	"DROP TRIGGER case_work_stage_insert; DROP TRIGGER case_work_stage_update;" \
	"DROP TRIGGER case_work_stage_delete; DROP TRIGGER cases_stage_insert;" \
	"ALTER TABLE cases DROP COLUMN stage;"

static sqlite3 *raw_open(const char *db)
{
	hw_error err = { 0, "" };

	cr_assert_eq(store_open(&raw_store, db, 0, test_key(), &err), 0, "%s", err.msg);
	/* As a plain connection would: no foreign keys. */
	cr_assert_eq(sqlite3_exec(store_connection(raw_store), "PRAGMA foreign_keys=OFF", NULL, NULL,
				  NULL), SQLITE_OK);
	return store_connection(raw_store);
}

static void raw_close(void)
{
	store_free(raw_store);
	raw_store = NULL;
}

static int raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

Test(store, an_older_database_is_migrated_forward_keeping_its_data)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db"), *v = NULL;
	hw_store *st = NULL;
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;

	cr_assert_eq(store_open(&st, db, 1, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_setting_set(st, "k", "kept", &err), 0);
	store_free(st);
	/* Turn it back into a schema 1 database, as the first release made them. */
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, BACK_TO_SCHEMA_9
		"DROP TABLE case_work; DROP TABLE case_assignees; DROP TABLE case_consents;"
		"DROP TABLE case_decisions; DROP TABLE referrals;"
		"DROP TABLE appointments; DROP TABLE case_family;"
		"DROP INDEX events_state; DROP INDEX submissions_state;"
		"DROP INDEX events_type; DROP TRIGGER follow_up_scores_put; DROP TABLE follow_up_scores;"
		"CREATE INDEX events_pending ON events (state) WHERE state < 2;"
		"CREATE INDEX submissions_pending ON submissions (state) WHERE state < 2;"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	raw_close();

	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_setting_get(st, "k", &v, &err), 0);
	cr_assert_str_eq(v, "kept");
	free(v);
	store_free(st);
	raw = raw_open(db);
	cr_assert_eq(raw_int(raw, "PRAGMA user_version"), 10);
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM sqlite_master WHERE name = 'case_work'"), 1);
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM sqlite_master WHERE name = 'appointments_due'"), 1);
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM sqlite_master WHERE name = 'events_state'"), 1);
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM sqlite_master WHERE name = 'events_pending'"), 0);
	raw_close();
	free(db);
	free(dir);
}

/* A follow-up form's round and scores, as its instance holds them. */
static void put_follow_up(hw_store *st, const char *id, const char *xml)
{
	store_submission sub = { (char *)id, "c1", "reintegration-follow-up", "1", "2026-05-01T10:00:00Z", "0" };
	hw_error err = { 0, "" };

	cr_assert_eq(store_submission_put(st, &sub, xml, strlen(xml), 0, NULL, &err), 0, "%s", err.msg);
}

static int count_follow_up(const store_follow_up *f, void *payload)
{
	char *out = payload;

	strcat(out, f->instance_id);
	for (int d = 0; d < 4; d++) {
		strcat(out, "|");
		strcat(out, f->score[d] ? f->score[d] : "-");
	}
	strcat(out, f->round ? f->round : "-");
	strcat(out, f->deprecated_id ? f->deprecated_id : "-");
	strcat(out, ";");
	return 0;
}

Test(store, follow_up_scores_are_kept_when_stored_and_copied_on_upgrade)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db"), got[512] = "";
	hw_store *st = NULL;
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;

	cr_assert_eq(store_open(&st, db, 1, test_key(), &err), 0, "%s", err.msg);
	put_follow_up(st, "uuid:a", "<data><visit_round>m3</visit_round><scores><economic_score>0.5"
		      "</economic_score><social_score/><psychosocial_score>x</psychosocial_score>"
		      "<composite_score>0.25</composite_score></scores></data>");
	cr_assert_eq(store_follow_ups(st, count_follow_up, got, &err), 0, "%s", err.msg);
	cr_assert_str_eq(got, "uuid:a|0.5|-|x|0.25m3-;");
	store_free(st);
	/* Back to schema 7: the form stored before the upgrade is copied by it. */
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, BACK_TO_SCHEMA_9 "DROP INDEX events_type; DROP TRIGGER follow_up_scores_put;"
				  "DROP TABLE follow_up_scores; ALTER TABLE referrals DROP COLUMN accepted_at;"
				  "PRAGMA user_version = 7;", NULL, NULL, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(raw));
	raw_close();
	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), 0, "%s", err.msg);
	put_follow_up(st, "uuid:b", "<data><meta><deprecatedID>uuid:a</deprecatedID></meta></data>");
	got[0] = '\0';
	cr_assert_eq(store_follow_ups(st, count_follow_up, got, &err), 0, "%s", err.msg);
	cr_assert_str_eq(got, "uuid:a|0.5|-|x|0.25m3-;uuid:b|-|-|-|--uuid:a;");
	store_free(st);
	free(db);
	free(dir);
}

/*
 * Schema 9 keeps when each referral was first accepted; a database of
 * schema 8 gets it from the referral.updated events once, when it is
 * opened: the earliest acceptance, whatever came after it.
 */
Test(store, referrals_get_their_first_acceptance_on_upgrade)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db");
	hw_store *st = NULL;
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;
	sqlite3_stmt *s = NULL;

	cr_assert_eq(store_open(&st, db, 1, test_key(), &err), 0, "%s", err.msg);
	store_free(st);
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, BACK_TO_SCHEMA_9
		"INSERT INTO referrals (id, case_id, provider, status) VALUES"
		"  ('r1', 'c1', 'p', 'accepted'), ('r2', 'c1', 'p', 'declined');"
		"INSERT INTO events (id, case_id, type, at, device, json, state) VALUES"
		"  ('e1', 'c1', 'referral.updated', '2026-02-05T10:00:00Z', 'd',"
		"   '{\"data\":{\"referral\":\"r1\",\"status\":\"accepted\"}}', 2),"
		"  ('e2', 'c1', 'referral.updated', '2026-02-03T10:00:00Z', 'd',"
		"   '{\"data\":{\"referral\":\"r1\",\"status\":\"accepted\"}}', 2),"
		"  ('e3', 'c1', 'referral.updated', '2026-02-04T10:00:00Z', 'd',"
		"   '{\"data\":{\"referral\":\"r1\",\"status\":\"in_progress\"}}', 2),"
		"  ('e4', 'c1', 'referral.updated', '2026-02-02T10:00:00Z', 'd',"
		"   '{\"data\":{\"referral\":\"r2\",\"status\":\"declined\"}}', 2);"
		"ALTER TABLE referrals DROP COLUMN accepted_at;"
		"PRAGMA user_version = 8;", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	raw_close();
	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), 0, "%s", err.msg);
	store_free(st);
	raw = raw_open(db);
	cr_assert_eq(raw_int(raw, "PRAGMA user_version"), 10);
	cr_assert_eq(sqlite3_prepare_v2(raw, "SELECT id, coalesce(accepted_at, '-') FROM referrals ORDER BY id",
					-1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 1), "2026-02-03T10:00:00Z");
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 1), "-");
	sqlite3_finalize(s);
	raw_close();
	free(db);
	free(dir);
}

/* The stage a case row holds (schema 10), as the list and case_get read it. */
static char *stage_of(hw_store *st, const char *id)
{
	store_case_row r;
	hw_error err = { 0, "" };
	char *stage;

	cr_assert_eq(store_case_get(st, id, &r, &err), 0, "%s", err.msg);
	stage = strdup(r.stage);
	store_case_row_clear(&r);
	return stage;
}

#define ASSERT_STAGE(st, id, want) do { \
		char *got_ = stage_of((st), (id)); \
		cr_assert_str_eq(got_, (want), "%s", (id)); \
		free(got_); \
	} while (0)

/*
 * Schema 10 keeps each case's stage in its row (the list reads one table):
 * an upgrade copies it from the case work, and triggers keep the copy in
 * step with every write of the case work, whichever row comes first.
 */
Test(store, the_stage_in_the_case_row_follows_the_case_work)
{
	char *wsdir = NULL, *db;
	char a[HW_UUID_LEN + 1], b[HW_UUID_LEN + 1];
	case_fields f = CASE_FIELDS_INIT;
	store_case_row late;
	hw_ws *ws = new_ws("dev1", &wsdir);
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;

	f.given_name = "Amal";
	cr_assert_eq(case_open(ws, &f, a), 0);
	f.given_name = "Bilal";
	cr_assert_eq(case_open(ws, &f, b), 0);
	cr_assert_eq(case_decide(ws, a, "return", NULL, NULL), 0, "%s", ws_error(ws)->msg);
	ASSERT_STAGE(ws_store(ws), a, "decided");
	ASSERT_STAGE(ws_store(ws), b, "identified");
	ws_free(ws);

	/* A schema 9 database whose case work says more than its rows. */
	db = hw_path_join(wsdir, "homeward.db");
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, BACK_TO_SCHEMA_9
		"UPDATE case_work SET stage = 'counselling' WHERE case_id = (SELECT id FROM cases"
		"  WHERE given_name = 'Bilal');"
		"PRAGMA user_version = 9;", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	raw_close();
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), 0, "%s", err.msg);
	ASSERT_STAGE(ws_store(ws), a, "decided");
	ASSERT_STAGE(ws_store(ws), b, "counselling");
	ws_free(ws);

	/* Every write of the case work, by SQL alone, reaches the row. */
	raw = raw_open(db);
	cr_assert_eq(raw_int(raw, "PRAGMA user_version"), 10);
	cr_assert_eq(sqlite3_exec(raw,
		"UPDATE case_work SET stage = 'closed' WHERE case_id = (SELECT id FROM cases"
		"  WHERE given_name = 'Amal');"
		"DELETE FROM case_work WHERE case_id = (SELECT id FROM cases WHERE given_name = 'Bilal');"
		"INSERT INTO case_work (case_id, stage) VALUES ('c-later', 'departed');",
		NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	raw_close();
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), 0, "%s", err.msg);
	ASSERT_STAGE(ws_store(ws), a, "closed");
	ASSERT_STAGE(ws_store(ws), b, "identified");
	/* The case work came first: the row takes its stage when it is made. */
	memset(&late, 0, sizeof(late));
	late.id = "c-later";
	late.given_name = "Later";
	late.opened_at = late.updated_at = "2026-01-01T00:00:00Z";
	cr_assert_eq(store_case_put(ws_store(ws), &late, &err), 0, "%s", err.msg);
	ASSERT_STAGE(ws_store(ws), "c-later", "departed");
	/* Saved again (an update, not an insert), it keeps it. */
	late.given_name = "Later2";
	cr_assert_eq(store_case_put(ws_store(ws), &late, &err), 0, "%s", err.msg);
	ASSERT_STAGE(ws_store(ws), "c-later", "departed");
	ws_free(ws);
	free(db);
	free(wsdir);
}

Test(store, a_database_from_a_newer_program_is_refused)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db");
	hw_store *st = NULL;
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;

	cr_assert_eq(store_open(&st, db, 1, test_key(), &err), 0);
	store_free(st);
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	raw_close();
	cr_assert_eq(store_open(&st, db, 0, test_key(), &err), HW_EINVALID);
	cr_assert(strstr(err.msg, "newer") != NULL, "%s", err.msg);
	free(db);
	free(dir);
}

static int count_row(const store_case_row *r, void *payload)
{
	(void)r;
	(*(int *)payload)++;
	return 0;
}

/* How many cases a search finds. */
static int found(hw_ws *ws, const char *search)
{
	store_case_query q = STORE_CASE_QUERY_INIT;
	int n = 0;

	q.search = search;
	cr_assert_eq(case_query(ws, &q, count_row, &n), 0, "%s", ws_error(ws)->msg);
	return n;
}

/*
 * A workspace made with schema 3 (a unicode61 index keyed
 * by an unindexed id column, which every update scanned) is upgraded: the
 * cases keep their data and drafts, and the new index finds them.
 */
Test(store, a_schema_3_workspace_gets_the_folded_search_index)
{
	char *wsdir = NULL, *db, *draft = NULL;
	char a[HW_UUID_LEN + 1], b[HW_UUID_LEN + 1];
	case_fields f = CASE_FIELDS_INIT;
	hw_ws *ws = new_ws("dev1", &wsdir);
	hw_error err = { 0, "" };
	sqlite3 *raw = NULL;

	f.given_name = "Øster";
	f.family_name = "Berg";
	cr_assert_eq(case_open(ws, &f, a), 0);
	f.given_name = "Nadia";
	f.family_name = "الأحمد";
	cr_assert_eq(case_open(ws, &f, b), 0);
	cr_assert_eq(store_draft_create(ws_store(ws), "d1", b, "intake", "ar", NULL), 0);
	ws_free(ws);

	/* Back to schema 3, exactly as its migrations left a database. */
	db = hw_path_join(wsdir, "homeward.db");
	raw = raw_open(db);
	cr_assert_eq(sqlite3_exec(raw, BACK_TO_SCHEMA_9
		"DROP TABLE case_fts;"
		"CREATE TABLE cases_v2 ("
		"  id TEXT PRIMARY KEY,"
		"  given_name TEXT, family_name TEXT, birth_date TEXT, birth_year INTEGER,"
		"  sex TEXT, nationality TEXT, return_country TEXT, language TEXT,"
		"  minor INTEGER NOT NULL DEFAULT 0, vulnerability TEXT,"
		"  status TEXT NOT NULL DEFAULT 'open', assigned_to TEXT,"
		"  conflicts INTEGER NOT NULL DEFAULT 0,"
		"  opened_at TEXT, updated_at TEXT, nevents INTEGER NOT NULL DEFAULT 0);"
		"INSERT INTO cases_v2 SELECT id, given_name, family_name, birth_date, birth_year, sex,"
		"  nationality, return_country, language, minor, vulnerability, status, assigned_to,"
		"  conflicts, opened_at, updated_at, nevents FROM cases;"
		"DROP TABLE cases;"
		"ALTER TABLE cases_v2 RENAME TO cases;"
		"CREATE INDEX cases_updated ON cases (updated_at);"
		"CREATE VIRTUAL TABLE case_fts USING fts5 (id UNINDEXED, body,"
		"  tokenize = 'unicode61 remove_diacritics 2');"
		"INSERT INTO case_fts SELECT id, id || ' ' || coalesce(given_name, '') || ' ' ||"
		"  coalesce(family_name, '') FROM cases;"
		"DROP TABLE appointments; DROP TABLE case_family;"
		"DROP INDEX events_type; DROP TRIGGER follow_up_scores_put; DROP TABLE follow_up_scores;"
		"ALTER TABLE referrals DROP COLUMN accepted_at;"
		"PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	/* The old index cannot find either name the way a counsellor types it. */
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM case_fts WHERE case_fts MATCH '\"oster\"'"), 0);
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM case_fts WHERE case_fts MATCH "
			     "'\"\xd8\xa7\xd8\xad\xd9\x85\xd8\xaf\"'"), 0);
	raw_close();

	/* A read (the first command after an upgrade, often) upgrades it once. */
	cr_assert_eq(ws_open(&ws, wsdir, WS_OPEN_READONLY, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(found(ws, "oster"), 1);
	ws_free(ws);
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(found(ws, "oster"), 1);
	cr_assert_eq(found(ws, "احمد"), 1);
	cr_assert_eq(found(ws, NULL), 2);
	cr_assert_eq(store_draft_find(ws_store(ws), b, "intake", &draft, NULL), 0);
	cr_assert_str_eq(draft, "d1");
	free(draft);
	/* An update replaces the case's entry: the old name is no longer found. */
	cr_assert_eq(case_update(ws, a, "given_name", "Åse"), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(found(ws, "oster"), 0);
	cr_assert_eq(found(ws, "ase berg"), 1);
	ws_free(ws);

	raw = raw_open(db);
	cr_assert_eq(raw_int(raw, "PRAGMA user_version"), 10);
	cr_assert_eq(sqlite3_exec(raw, "INSERT INTO case_fts (case_fts) VALUES ('integrity-check')",
				  NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw));
	cr_assert_eq(raw_int(raw, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	raw_close();
	free(db);
	free(wsdir);
}

Test(store, search_words_are_text_never_query_syntax)
{
	hw_ws *ws = new_ws("dev1", NULL);
	char id[HW_UUID_LEN + 1];
	case_fields f = CASE_FIELDS_INIT;
	static const char *const hostile[] = {
		"\"", "\"\"", "a\"b", "AND", "x OR y", "NOT z", "NEAR(a b)", "ahm*", "^ahmad",
		"(ahmad", "ahmad)", "{given_name}: ahmad", "search:ahmad", "-ahmad", "+", "'",
		"%", "_", "\\", "a'b'c", "\xff\xfe", NULL,
	};

	f.given_name = "Ahmad";
	f.family_name = "Jensen";
	cr_assert_eq(case_open(ws, &f, id), 0);
	for (int i = 0; hostile[i]; i++) {
		store_case_query q = STORE_CASE_QUERY_INIT;
		int n = 0, m, t;

		q.search = hostile[i];
		cr_assert_eq(case_query(ws, &q, count_row, &n), 0,
			     "search %s: %s", hostile[i], ws_error(ws)->msg);
		cr_assert_eq(case_count(ws, hostile[i], &m, &t), 0, "count %s", hostile[i]);
		cr_assert_eq(m, n, "count %s", hostile[i]);
	}
	/* Operators and brackets are separators: the words around them still count. */
	cr_assert_eq(found(ws, "ahm*"), 1);
	cr_assert_eq(found(ws, "(ahmad)"), 1);
	cr_assert_eq(found(ws, "ahmad AND nobody"), 0);
	/* '%' and '_' are not wildcards: "n_" would match Jensen as a LIKE pattern. */
	cr_assert_eq(found(ws, "n_"), 0);
	cr_assert_eq(found(ws, "j%"), 1);
	ws_free(ws);
}

Test(store, counts_and_orders_of_the_case_list)
{
	hw_ws *ws = new_ws("dev1", NULL);
	static const char *const people[][3] = {
		{ "Zainab", "Ølund", "2010-03-01" },
		{ "ahmad", "Nilsen", "1980-01-01" },
		{ "Émile", "Aalto", NULL },
		{ "Bashir", "Noor", "2001-12-31" },
	};
	char ids[4][HW_UUID_LEN + 1], order[5] = "";
	store_case_query q = STORE_CASE_QUERY_INIT;
	int matches, total;

	for (int i = 0; i < 4; i++) {
		case_fields f = CASE_FIELDS_INIT;

		f.given_name = people[i][0];
		f.family_name = people[i][1];
		f.birth_date = people[i][2];
		cr_assert_eq(case_open(ws, &f, ids[i]), 0, "%s", ws_error(ws)->msg);
	}
	cr_assert_eq(case_count(ws, NULL, &matches, &total), 0);
	cr_assert_eq(matches, 4);
	cr_assert_eq(total, 4);
	/* Nilsen and Noor: words that start with n (ids, in hex, never do). */
	cr_assert_eq(case_count(ws, "n", &matches, &total), 0);
	cr_assert_eq(matches, 2);
	cr_assert_eq(total, 4);

	{
		int letter(const store_case_row *r, void *p)
		{
			char *o = p;
			size_t n = strlen(o);

			o[n] = (char)('0' + (strcmp(r->given_name, "Zainab") == 0 ? 0
				: strcmp(r->given_name, "ahmad") == 0 ? 1
				: strcmp(r->given_name, "Émile") == 0 ? 2 : 3));
			o[n + 1] = '\0';
			return 0;
		}
		q.sort = STORE_SORT_NAME;
		cr_assert_eq(case_query(ws, &q, letter, order), 0);
		cr_assert_str_eq(order, "1320");    /* ahmad, Bashir, Émile, Zainab: case and accents ignored */
		order[0] = '\0';
		q.sort = STORE_SORT_AGE;
		cr_assert_eq(case_query(ws, &q, letter, order), 0);
		cr_assert_str_eq(order, "0312");    /* youngest first, no birth date last */
		order[0] = '\0';
		q.sort = STORE_SORT_CHANGED;
		cr_assert_eq(case_query(ws, &q, letter, order), 0);
		cr_assert_eq(strlen(order), 4);
		/* By stage: a decided case after the identified ones, a closed case last. */
		cr_assert_eq(case_close_with_reason(ws, ids[1], "lost_contact", NULL), 0, "%s", ws_error(ws)->msg);
		cr_assert_eq(case_decide(ws, ids[3], "return", NULL, NULL), 0, "%s", ws_error(ws)->msg);
		order[0] = '\0';
		q.sort = STORE_SORT_STAGE;
		cr_assert_eq(case_query(ws, &q, letter, order), 0);
		cr_assert(order[2] == '3' && order[3] == '1', "%s", order);
		/* A search keeps the order. */
		order[0] = '\0';
		q.search = "n";
		cr_assert_eq(case_query(ws, &q, letter, order), 0);
		cr_assert_str_eq(order, "31");
		q.search = NULL;
		order[0] = '\0';
		q.sort = 99;
		cr_assert_eq(case_query(ws, &q, letter, order), HW_EINVALID);
	}
	ws_free(ws);
}

static int count_form(const forms_entry *f, void *payload)
{
	(void)f;
	(*(int *)payload)++;
	return 0;
}

/* A forms folder that cannot be read is an error, not an empty list. */
Test(forms, a_forms_folder_that_cannot_be_read_is_an_error)
{
	char *dir = NULL;
	hw_ws *ws = new_ws("dev1", &dir);
	int n = 0;
	FILE *f;

	cr_assert_eq(forms_list(ws, count_form, NULL, &n), 0, "%s", ws_error(ws)->msg);
	/* A file where the folder should be (as root, permissions would not stop the reading). */
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ws_forms_dir(ws));
		cr_assert_eq(system(cmd), 0);
	}
	cr_assert_not_null(f = fopen(ws_forms_dir(ws), "w"));
	fclose(f);
	n = 0;
	cr_expect_lt(forms_list(ws, count_form, NULL, &n), 0, "listed %d forms", n);
	cr_expect(strstr(ws_error(ws)->msg, "cannot read the folder") != NULL, "%s", ws_error(ws)->msg);
	{
		char *path = NULL;

		cr_expect_lt(forms_find(ws, "no-such-form", &path), 0);
		cr_expect(strstr(ws_error(ws)->msg, "cannot read the folder") != NULL,
			  "not \"no such form\": %s", ws_error(ws)->msg);
		free(path);
	}
	ws_free(ws);
	free(dir);
}

/* Run the program; its exit status, stderr in err (first line). */
static int run_program(const char *args, char *err, size_t errlen, int *errlines)
{
	const char *prog = getenv("HOMEWARD");
	const char *base = getenv("HOMEWARD_TEST_TMP");
	char cmd[8192], errfile[4096], line[1024];
	FILE *f;
	int st;

	snprintf(errfile, sizeof(errfile), "%s/stderr.txt", base && *base ? base : "/tmp");
	snprintf(cmd, sizeof(cmd), "'%s' %s >/dev/null 2>'%s'", prog ? prog : TOP_BUILDDIR "/homeward",
		 args, errfile);
	st = system(cmd);
	err[0] = '\0';
	*errlines = 0;
	cr_assert_not_null(f = fopen(errfile, "r"));
	while (fgets(line, sizeof(line), f)) {
		if (!*errlines)
			snprintf(err, errlen, "%s", line);
		(*errlines)++;
	}
	fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * case show reads the case, then its conflicts, events, submissions and
 * drafts; when one of those reads fails (here: a table is gone), the
 * command fails with one line on stderr instead of listing nothing.
 */
Test(cli, case_show_fails_when_a_later_read_fails)
{
	char id[HW_UUID_LEN + 1], *base = tmpdir(), *dir = hw_path_join(base, "ws"), *db;
	char *passfile = hw_path_join(base, "passphrase"), args[8192], err[1024];
	ws_options o = WS_OPTIONS_INIT;
	hw_error e = { 0, "" };
	hw_secret *pass = NULL;
	hw_ws *ws = NULL;
	sqlite3 *raw = NULL;
	int lines;

	/* Made as the command line makes one: its key sealed under a passphrase. */
	cr_assert_eq(secret_new(&pass, 16, NULL), 0);
	memcpy(secret_data(pass), "unit test", 9);
	secret_set_len(pass, 9);
	cr_assert_eq(hw_write_file_atomic(passfile, "unit test\n", 10, NULL), 0);
	o.flags = WS_OPEN_CREATE;
	o.passphrase = pass;
	cr_assert_eq(ws_open_ext(&ws, dir, &o, &e), 0, "%s", e.msg);
	cr_assert_eq(ws_init(ws, "dev1", "Tester", "counsellor", NULL), 0, "%s", ws_error(ws)->msg);
	open_case(ws, id, "1990-01-01");
	ws_free(ws);
	snprintf(args, sizeof(args), "--passphrase-fd 9 --workspace '%s' case show %s 9<'%s'",
		 dir, id, passfile);
	cr_assert_eq(run_program(args, err, sizeof(err), &lines), 0, "%s", err);
	db = hw_path_join(dir, "homeward.db");
	o.flags = 0;
	cr_assert_eq(ws_open_ext(&ws, dir, &o, &e), 0, "%s", e.msg);
	raw = store_connection(ws_store(ws));
	cr_assert_eq(sqlite3_exec(raw, "PRAGMA foreign_keys=OFF; DROP TABLE drafts", NULL, NULL, NULL),
		     SQLITE_OK, "%s", sqlite3_errmsg(raw));
	ws_free(ws);
	secret_free(pass);
	free(passfile);
	free(base);
	cr_expect_eq(run_program(args, err, sizeof(err), &lines), 1, "exit status");
	cr_expect_eq(lines, 1, "one line on stderr: %s", err);
	cr_expect(strstr(err, "drafts") != NULL, "%s", err);
	free(db);
	free(dir);
}

/* Write text to root/rel, making its folders. */
static void fake_file(const char *root, const char *rel, const char *text)
{
	char *p = hw_path_join(root, rel), *slash;

	cr_assert_not_null(p);
	slash = strrchr(p, '/');
	*slash = '\0';
	cr_assert_eq(hw_mkdir_p(p, NULL), 0);
	*slash = '/';
	cr_assert_eq(hw_write_file_atomic(p, text, strlen(text), NULL), 0);
	free(p);
}

Test(workspace, doctor_tells_a_folder_on_dm_crypt_through_lvm_and_a_plain_one)
{
	char *root = tmpdir(), *slave;
	int enc = -1;
	hw_error err = { 0, "" };

	/* / on a plain partition, /data on LVM over LUKS, /mnt/usb\040key on LUKS directly. */
	fake_file(root, "proc/self/mountinfo",
		  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		  "30 22 253:1 / /data rw,relatime shared:2 - ext4 /dev/mapper/vg-data rw\n"
		  "31 22 253:2 / /mnt/usb\\040key rw - ext4 /dev/mapper/usb rw\n");
	fake_file(root, "sys/dev/block/253:1/dm/uuid", "LVM-Qx1abc\n");
	slave = hw_path_join(root, "sys/dev/block/253:1/slaves/dm-0");
	cr_assert_eq(hw_mkdir_p(slave, NULL), 0);
	fake_file(root, "sys/class/block/dm-0/dev", "253:0\n");
	fake_file(root, "sys/dev/block/253:0/dm/uuid", "CRYPT-LUKS2-0123abcd-luks\n");
	fake_file(root, "sys/dev/block/253:2/dm/uuid", "CRYPT-LUKS2-4567-usb\n");

	cr_assert_eq(ws_disk_encrypted("/data/homeward", root, &enc, &err), 0, "%s", err.msg);
	cr_assert_eq(enc, 1, "LVM over dm-crypt is encrypted");
	cr_assert_eq(ws_disk_encrypted("/mnt/usb key/ws", root, &enc, &err), 0, "%s", err.msg);
	cr_assert_eq(enc, 1, "dm-crypt directly, with an escaped mount point");
	cr_assert_eq(ws_disk_encrypted("/home/amina/ws", root, &enc, &err), 0, "%s", err.msg);
	cr_assert_eq(enc, 0, "a plain partition is not");
	cr_assert_eq(ws_disk_encrypted("/database", root, &enc, &err), 0, "%s", err.msg);
	cr_assert_eq(enc, 0, "/database is not under /data");
	free(slave);
	free(root);
}

/* True if the n bytes at data hold text anywhere. */
static int holds(const char *data, size_t n, const char *text)
{
	size_t m = strlen(text);

	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(data + i, text, m) == 0)
			return 1;
	return 0;
}

/*
 * Every page is sealed: neither the database nor a -wal a live connection
 * has written holds a name in clear, and the same database opens with its
 * key only.
 */
Test(atrest, no_name_in_clear_in_the_database_nor_its_log)
{
	char *wsdir = NULL, *db, *wal, *data;
	hw_ws *ws = new_ws("dev1", &wsdir);
	case_fields f = CASE_FIELDS_INIT;
	char id[HW_UUID_LEN + 1];
	size_t n;

	f.given_name = "Qorvintalemba";
	f.family_name = "Zyxtrepolan";
	f.birth_date = "1979-03-14";
	f.nationality = "iq";
	f.return_country = "IQ";
	f.language = "ar";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
	db = hw_path_join(wsdir, "homeward.db");
	wal = hw_path_join(wsdir, "homeward.db-wal");
	/* Still open: what was just written is in the log. */
	data = slurp(wal, &n);
	cr_assert_gt(n, 4096, "the log holds the new pages");
	cr_expect_not(holds(data, n, "Qorvintalemba") || holds(data, n, "Zyxtrepolan") ||
		      holds(data, n, "1979-03-14"), "a name or birth date in clear in the -wal");
	free(data);
	ws_free(ws);
	data = slurp(db, &n);
	cr_expect_not(holds(data, n, "Qorvintalemba") || holds(data, n, "Zyxtrepolan") ||
		      holds(data, n, "1979-03-14"), "a name or birth date in clear in the database");
	cr_expect_not(holds(data, n, "SQLite format 3"), "the file says what it is");
	free(data);
	free(db);
	free(wal);
	free(wsdir);
}

Test(atrest, another_key_or_a_changed_page_is_damage_and_changes_nothing)
{
	char *dir = tmpdir(), *db = hw_path_join(dir, "h.db"), *before, *after;
	hw_store *st = NULL;
	hw_secret *other = NULL;
	hw_error err = { 0, "" };
	size_t n1, n2;
	FILE *f;
	int c;

	cr_assert_eq(store_open(&st, db, STORE_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(store_setting_set(st, "k", "kept", &err), 0);
	store_free(st);
	/* Another key: the first page does not open. */
	cr_assert_eq(dbkey_generate(&other, &err), 0);
	before = slurp(db, &n1);
	cr_expect_eq(store_open(&st, db, 0, other, &err), HW_ECORRUPT, "%d %s", err.code, err.msg);
	cr_expect(strstr(err.msg, "integrity check") != NULL, "%s", err.msg);
	secret_free(other);
	/* No key: an encrypted file is not read as a plain one. */
	cr_expect_eq(store_open(&st, db, 0, NULL, &err), HW_EAUTH, "%d %s", err.code, err.msg);
	/* One bit of the second page flipped. */
	cr_assert_not_null(f = fopen(db, "r+b"));
	fseek(f, 4096 + 300, SEEK_SET);
	c = fgetc(f);
	fseek(f, 4096 + 300, SEEK_SET);
	fputc(c ^ 1, f);
	fclose(f);
	free(before);
	before = slurp(db, &n1);
	{
		char *mark = hw_path_join(dir, "h.db-check");

		unlink(mark);
		free(mark);
	}
	cr_expect_eq(store_open(&st, db, 0, test_key(), &err), HW_ECORRUPT, "%d %s", err.code, err.msg);
	cr_expect(strstr(err.msg, "untouched") != NULL, "%s", err.msg);
	after = slurp(db, &n2);
	cr_expect(n1 == n2 && memcmp(before, after, n1) == 0, "the damaged file was changed");
	free(before);
	free(after);
	free(db);
	free(dir);
}

/* A plain database (a workspace from before encryption) is refused with the command that fixes it. */
Test(atrest, a_plain_workspace_says_to_migrate_and_migrates_once)
{
	char *wsdir = NULL, *db, *plain, *sql, *backup;
	hw_ws *ws = new_ws("dev1", &wsdir);
	char id[HW_UUID_LEN + 1];
	hw_secret *pass = NULL;
	hw_error err = { 0, "" };
	int done = 0;

	open_case(ws, id, "1990-01-01");
	db = hw_path_join(wsdir, "homeward.db");
	plain = hw_path_join(wsdir, "plain.db");
	backup = hw_path_join(wsdir, WS_PLAIN_BACKUP);
	sqlite3_config(SQLITE_CONFIG_URI, 1);
	cr_assert_not_null(sql = sqlite3_mprintf("VACUUM INTO 'file:%q?vfs=unix'", plain));
	cr_assert_eq(sqlite3_exec(store_connection(ws_store(ws)), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	ws_free(ws);
	cr_assert_eq(chmod(plain, 0600), 0);
	cr_assert_eq(rename(plain, db), 0);
	cr_assert(store_file_is_plain(db));
	cr_assert_eq(ws_open(&ws, wsdir, 0, test_key(), &err), HW_EINVALID);
	cr_expect(strstr(err.msg, "homeward migrate workspace") != NULL, "%s", err.msg);
	/* Migrated under a passphrase: the plain file goes once the new one opens. */
	cr_assert_eq(secret_new(&pass, 16, NULL), 0);
	memcpy(secret_data(pass), "migrate", 7);
	secret_set_len(pass, 7);
	cr_assert_eq(ws_encrypt(wsdir, pass, &done, &err), 0, "%s", err.msg);
	cr_expect(done);
	cr_expect_not(store_file_is_plain(db));
	cr_expect_not(hw_exists(backup), "the backup outlived a successful open");
	{
		ws_options o = WS_OPTIONS_INIT;
		store_case_row r;

		memset(&r, 0, sizeof r);
		o.passphrase = pass;
		cr_assert_eq(ws_open_ext(&ws, wsdir, &o, &err), 0, "%s", err.msg);
		cr_expect_eq(case_get(ws, id, &r), 0, "%s", ws_error(ws)->msg);
		store_case_row_clear(&r);
		ws_free(ws);
	}
	cr_expect_eq(ws_encrypt(wsdir, pass, &done, &err), HW_EEXISTS);
	secret_free(pass);
	free(db);
	free(plain);
	free(backup);
	free(wsdir);
}
