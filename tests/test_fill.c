/*
 * test_fill.c: filling a form for a case: every answer survives kill -9,
 * drafts resume, finalising is one atomic step.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "failalloc.h"
#include "forms.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "testkey.h"

#define FORM TOP_SRCDIR "/tests/fill/intake.xml"

static char *new_workspace(char case_id[HW_UUID_LEN + 1], const char *birth)
{
	const char *base = getenv("HOMEWARD_TEST_TMP");
	char *dir = hw_path_join(base && *base ? base : "/tmp", "fillXXXXXX"), *ws_dir, *to, *data;
	case_fields f = CASE_FIELDS_INIT;
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	size_t len;

	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir));
	ws_dir = hw_path_join(dir, "ws");
	cr_assert_not_null(ws_dir);
	cr_assert_eq(ws_open(&ws, ws_dir, WS_OPEN_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(ws_init(ws, "dev1", "Tester", "counsellor", NULL), 0);
	cr_assert_eq(hw_read_file(FORM, &data, &len, NULL), 0);
	to = hw_path_join(ws_forms_dir(ws), "intake.xml");
	cr_assert_not_null(to);
	cr_assert_eq(hw_write_file_atomic(to, data, len, NULL), 0);
	f.given_name = "Test";
	f.family_name = "Person";
	f.birth_date = birth;
	cr_assert_eq(case_open(ws, &f, case_id), 0, "%s", ws_error(ws)->msg);
	ws_free(ws);
	free(to);
	free(data);
	free(dir);
	return ws_dir;
}

static hw_ws *open_ws(const char *dir)
{
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;

	cr_assert_eq(ws_open(&ws, dir, 0, test_key(), &err), 0, "%s", err.msg);
	return ws;
}

static const char *value(hw_fill *f, const char *path)
{
	const char *v = NULL;

	cr_assert_eq(xform_value(&v, fill_session(f), path, NULL), 0, "no node %s", path);
	return v;
}

Test(fill, answers_are_kept_as_a_draft_and_resumed)
{
	char id[HW_UUID_LEN + 1];
	char *dir = new_workspace(id, "1990-05-05");
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;

	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	cr_assert_not(fill_resumed(f));
	cr_assert_eq(fill_answer(f, "/intake/name", "Amina"), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_answer(f, "/intake/consent", "no"), 0);
	cr_assert_eq(fill_answer(f, "/intake/why", "needs time to think"), 0);
	/* A value the form refuses is not saved and changes nothing. */
	cr_assert_eq(fill_answer(f, "/intake/age", "forty"), HW_EINVALID);
	cr_assert_eq(fill_answer(f, "/intake/age", "41"), 0);
	fill_free(f);
	ws_free(ws);

	ws = open_ws(dir);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert(fill_resumed(f));
	cr_assert_str_eq(value(f, "/intake/name"), "Amina");
	cr_assert_str_eq(value(f, "/intake/consent"), "no");
	cr_assert_str_eq(value(f, "/intake/why"), "needs time to think");
	cr_assert_str_eq(value(f, "/intake/age"), "41");
	fill_free(f);
	ws_free(ws);
	free(dir);
}

Test(fill, text_typed_but_refused_is_kept_until_an_answer_replaces_it)
{
	char id[HW_UUID_LEN + 1];
	char *dir = new_workspace(id, "1990-05-05");
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;

	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_answer(f, "/intake/age", "41"), 0);
	cr_assert_null(fill_typed(f, "/intake/age"));
	cr_assert_eq(fill_keep_typed(f, "/intake/age", "forty"), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_keep_typed(f, "/intake/age", "forty two"), 0);
	cr_assert_str_eq(fill_typed(f, "/intake/age"), "forty two");
	fill_free(f);
	ws_free(ws);

	/* Resumed: the answer before stands, the typed text comes back beside it. */
	ws = open_ws(dir);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert(fill_resumed(f));
	cr_assert_str_eq(value(f, "/intake/age"), "41");
	cr_assert_not_null(fill_typed(f, "/intake/age"));
	cr_assert_str_eq(fill_typed(f, "/intake/age"), "forty two");
	cr_assert_null(fill_typed(f, "/intake/name"));
	/* An answer replaces it, now and after resuming. */
	cr_assert_eq(fill_answer(f, "/intake/age", "42"), 0);
	cr_assert_null(fill_typed(f, "/intake/age"));
	fill_free(f);
	ws_free(ws);

	ws = open_ws(dir);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert_str_eq(value(f, "/intake/age"), "42");
	cr_assert_null(fill_typed(f, "/intake/age"));
	fill_free(f);
	ws_free(ws);
	free(dir);
}

/*
 * The child answers one question at a time and reports each answer once the
 * call returned; the parent kills it with SIGKILL at a chosen point.
 */
static const char *answers[][2] = {
	{ "/intake/name", "Yusuf" }, { "/intake/age", "34" }, { "/intake/consent", "no" },
	{ "/intake/why", "worried about debts" }, { "/intake/next_date", "2026-12-03" },
};
#define NANSWERS (sizeof(answers) / sizeof(answers[0]))

static void child_fill(const char *dir, const char *id, int fd)
{
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	hw_fill *f = NULL;

	if (ws_open(&ws, dir, 0, test_key(), &err) < 0 || fill_open(&f, ws, id, "intake", NULL) < 0)
		_exit(3);
	for (;;) {
		for (size_t i = 0; i < NANSWERS; i++) {
			if (fill_answer(f, answers[i][0], answers[i][1]) < 0)
				_exit(4);
			if (write(fd, "x", 1) != 1)
				_exit(5);
		}
	}
}

Test(fill, kill_9_while_answering_loses_no_given_answer)
{
	char id[HW_UUID_LEN + 1];
	char *dir = new_workspace(id, "1990-05-05");

	for (size_t kill_after = 0; kill_after <= NANSWERS; kill_after++) {
		int fds[2], status;
		size_t acked = 0;
		char c;
		pid_t pid;
		hw_ws *ws;
		hw_fill *f = NULL;

		cr_assert_eq(pipe(fds), 0);
		pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0) {
			close(fds[0]);
			child_fill(dir, id, fds[1]);
		}
		close(fds[1]);
		while (acked < kill_after && read(fds[0], &c, 1) == 1)
			acked++;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		/* Answers acknowledged after we stopped reading count too. */
		while (read(fds[0], &c, 1) == 1)
			acked++;
		close(fds[0]);
		cr_assert(WIFSIGNALED(status), "the child ended by itself (status %d)", status);

		ws = open_ws(dir);
		cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
		/* In the first pass, every acknowledged answer is there. */
		for (size_t i = 0; i < acked && i < NANSWERS; i++)
			cr_assert_str_eq(value(f, answers[i][0]), answers[i][1],
					 "answer %zu lost after kill -9 at %zu", i, kill_after);
		fill_free(f);
		ws_free(ws);
	}
	free(dir);
}

static int count_sub(const store_submission *s, void *payload)
{
	(void)s;
	(*(int *)payload)++;
	return 0;
}

static int no_draft(const char *d, const char *form, const char *at, void *payload)
{
	(void)d; (void)form; (void)at;
	(*(int *)payload)++;
	return 0;
}

Test(fill, finalise_refuses_an_incomplete_form_then_stores_everything_at_once)
{
	char id[HW_UUID_LEN + 1], *instance = NULL, *xml = NULL;
	char *dir = new_workspace(id, "2012-01-01");
	hw_ws *ws = open_ws(dir);
	xform_failure_list *fails = NULL;
	hw_fill *f = NULL;
	store_case_row r;
	int subs = 0, drafts = 0, pending = 0;
	size_t len;

	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert_eq(fill_answer(f, "/intake/next_date", "2030-01-01"), 0);
	cr_assert_eq(fill_finalise(f, &instance, &fails), HW_EINVALID);
	cr_assert_not_null(fails);
	cr_assert_geq(fails->count, 2);
	cr_assert_str_eq(fails->items[0].path, "/intake/name");
	xform_failure_list_free(fails);
	fails = NULL;
	cr_assert_eq(fill_answer(f, "/intake/name", "Lina"), 0);
	cr_assert_eq(fill_answer(f, "/intake/consent", "yes"), 0);
	cr_assert_eq(fill_finalise(f, &instance, &fails), 0, "%s", ws_error(ws)->msg);
	cr_assert(strncmp(instance, "uuid:", 5) == 0, "%s", instance);
	cr_assert_eq(store_submission_get_xml(ws_store(ws), instance, &xml, &len, NULL), 0);
	cr_assert(strstr(xml, "<name>Lina</name>") != NULL, "%s", xml);
	cr_assert(strstr(xml, "<why") == NULL, "a non-relevant answer was submitted: %s", xml);
	store_case_submissions(ws_store(ws), id, count_sub, &subs, NULL);
	store_drafts_of_case(ws_store(ws), id, no_draft, &drafts, NULL);
	cr_assert_eq(subs, 1);
	cr_assert_eq(drafts, 0);
	/* The screening result became the case's flags, through saveto. */
	cr_assert_eq(case_get(ws, id, &r), 0);
	cr_assert_str_eq(r.vulnerability, "minor");
	cr_assert_eq(r.nevents, 3);  /* opened, updated, form.submitted */
	store_case_row_clear(&r);
	cr_assert_eq(store_pending_count(ws_store(ws), &pending, NULL), 0);
	cr_assert_eq(pending, 4);   /* 3 events + 1 submission wait for sync */
	free(instance);
	free(xml);
	fill_free(f);
	ws_free(ws);
	free(dir);
}

Test(fill, a_minor_gets_child_wording_and_the_case_language_is_used)
{
	char id[HW_UUID_LEN + 1], *label = NULL;
	char *dir = new_workspace(id, "2014-03-03");
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;

	cr_assert_eq(fill_open(&f, ws, id, "intake", "en"), 0);
	cr_assert_eq(xform_label(&label, fill_session(f), "/intake/name", NULL), 0);
	cr_assert_str_eq(label, "What is your name? You can tell me your nickname.");
	free(label);
	cr_assert_eq(fill_set_language(f, "fr"), 0);
	cr_assert_eq(xform_label(&label, fill_session(f), "/intake/name", NULL), 0);
	cr_assert_str_eq(label, "Comment vous appelez-vous ?");
	free(label);
	fill_free(f);
	ws_free(ws);
	free(dir);
}

Test(fill, what_the_case_knows_is_read_from_it_and_not_asked)
{
	char id[HW_UUID_LEN + 1];
	char *dir;
	hw_ws *ws;
	hw_fill *f = NULL;
	xform_node_state st;

	time_t now;

	cr_assert_eq(hw_time_parse("2026-11-29T10:00:00Z", &now), 0);
	hw_clock_fix(now);
	dir = new_workspace(id, "1990-11-30");
	ws = open_ws(dir);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert_str_eq(value(f, "/intake/case_age"), "35");  /* 36 tomorrow */
	cr_assert_eq(xform_state(&st, fill_session(f), "/intake/age", NULL), 0);
	cr_assert_eq(st.relevant, 0, "the age is asked although the case knows it");
	/* The form's today() runs on the same fixed clock as the case's age. */
	cr_assert_str_eq(value(f, "/intake/opened_on"), "2026-11-29");
	fill_free(f);
	ws_free(ws);
	free(dir);
	hw_clock_fix(0);
}

/* Open the intake form for id, answer what it requires and the pairs given, finalise. */
static void fill_and_finalise(hw_ws *ws, const char *id, const char *path, const char *value)
{
	hw_fill *f = NULL;
	char *instance = NULL;

	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_answer(f, "/intake/name", "Lina"), 0);
	cr_assert_eq(fill_answer(f, "/intake/consent", "yes"), 0);
	if (path)
		cr_assert_eq(fill_answer(f, path, value), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_finalise(f, &instance, NULL), 0, "%s", ws_error(ws)->msg);
	free(instance);
	fill_free(f);
}

Test(fill, saveto_writes_the_case_and_a_change_since_opening_is_a_conflict)
{
	char id[HW_UUID_LEN + 1], *xml = NULL;
	char *dir = new_workspace(id, "1980-02-02");
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;
	case_conflict *c = NULL;
	size_t nc = 9;
	store_case_row r;

	/* Nobody else changed the case: the correction is the case's value. */
	fill_and_finalise(ws, id, "/intake/return_country_fix", "GH");
	cr_assert_eq(case_get(ws, id, &r), 0);
	cr_expect_str_eq(r.return_country, "GH");
	store_case_row_clear(&r);
	cr_assert_eq(case_conflicts(ws, id, &c, &nc), 0);
	cr_expect_eq(nc, 0);
	case_conflicts_free(c, nc);

	/* A form property comes back to the next form through instance('case'). */
	fill_and_finalise(ws, id, "/intake/score", "12");
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_expect_str_eq(value(f, "/intake/last_score"), "12");

	/* The form is open (a draft) when the case changes elsewhere. */
	cr_assert_eq(fill_answer(f, "/intake/name", "Lina"), 0);
	cr_assert_eq(fill_answer(f, "/intake/consent", "yes"), 0);
	cr_assert_eq(fill_answer(f, "/intake/return_country_fix", "NG"), 0);
	fill_free(f);
	cr_assert_eq(case_update(ws, id, "return_country", "SN"), 0);
	/* Resumed later: still compared with the case as it was when the draft began. */
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert_eq(xform_submission(&xml, NULL, fill_session(f), NULL), 0);
	cr_expect(strstr(xml, "baseVersion=\"4\"") != NULL, "%s", xml);
	free(xml);
	cr_assert_eq(fill_finalise(f, NULL, NULL), 0, "%s", ws_error(ws)->msg);
	fill_free(f);
	cr_assert_eq(case_conflicts(ws, id, &c, &nc), 0);
	cr_assert_eq(nc, 1, "a change made since the form opened was overwritten silently");
	cr_expect_str_eq(c[0].field, "return_country");
	cr_expect_eq(c[0].nvalues, 2);
	case_conflicts_free(c, nc);
	ws_free(ws);
	free(dir);
}

Test(fill, a_full_disk_refuses_the_next_answer_and_loses_none_already_given)
{
	char id[HW_UUID_LEN + 1], *big = malloc(64 * 1024), stamp[32];
	char *dir = new_workspace(id, "1990-05-05");
	hw_ws *ws;
	hw_fill *f = NULL;
	int saved = 0, rc = 0;
	const char *v;

	ws_options o = WS_OPTIONS_INIT;
	hw_error err = { 0, "" };

	/* The database may grow by a few pages only: the disk fills up. */
	o.max_db_growth = 8;
	o.key = test_key();
	cr_assert_eq(ws_open_ext(&ws, dir, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	/* Ever longer answers, so freed space cannot be reused for the next. */
	for (saved = 0; saved < 60; saved++) {
		size_t len = 1000 + 1000 * (size_t)saved;

		memset(big, 'x', len);
		big[len] = '\0';
		snprintf(stamp, sizeof(stamp), "answer %03d ", saved);
		memcpy(big, stamp, strlen(stamp));
		if ((rc = fill_answer(f, "/intake/why", big)) < 0)
			break;
	}
	cr_assert_eq(rc, HW_ENOSPACE, "expected a full disk, got %d: %s", rc, ws_error(ws)->msg);
	cr_assert_gt(saved, 0);
	/* The refused answer is not shown as if it were kept: the last saved one is. */
	cr_assert_eq(xform_value(&v, fill_session(f), "/intake/why", NULL), 0);
	snprintf(stamp, sizeof(stamp), "answer %03d ", saved - 1);
	cr_assert(strncmp(v, stamp, strlen(stamp)) == 0, "the screen shows %.12s, not the saved %s", v, stamp);
	fill_free(f);
	ws_free(ws);

	/* Space again: everything acknowledged before is there. */
	ws = open_ws(dir);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0);
	cr_assert(strncmp(value(f, "/intake/why"), stamp, strlen(stamp)) == 0,
		  "last saved answer lost: %.12s", value(f, "/intake/why"));
	cr_assert_eq(fill_answer(f, "/intake/name", "Amina"), 0, "%s", ws_error(ws)->msg);
	fill_free(f);
	ws_free(ws);
	free(big);
	free(dir);
}

static int count_op(const char *op, const char *path, const char *value, void *payload)
{
	(void)op;
	(void)path;
	(void)value;
	(*(int *)payload)++;
	return 0;
}

/* Give the draft of the intake form four answers; returns the draft's id (caller frees). */
static char *four_answers(const char *dir, const char *id)
{
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;
	char *draft = NULL;

	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_answer(f, "/intake/name", "Amina"), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(fill_answer(f, "/intake/consent", "no"), 0);
	cr_assert_eq(fill_answer(f, "/intake/why", "needs time to think"), 0);
	cr_assert_eq(fill_answer(f, "/intake/age", "41"), 0);
	fill_free(f);
	cr_assert_eq(store_draft_find(ws_store(ws), id, "intake", &draft, NULL), 0);
	ws_free(ws);
	return draft;
}

/*
 * An answer the form no longer takes (the form changed since) is skipped on
 * resume and kept in the draft; the others are all there.
 */
Test(fill, an_answer_the_form_no_longer_takes_is_skipped_on_resume_and_kept)
{
	char id[HW_UUID_LEN + 1];
	char *dir = new_workspace(id, "1990-05-05"), *draft = four_answers(dir, id);
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;
	int n = 0;

	cr_assert_eq(store_draft_op(ws_store(ws), draft, "answer", "/intake/removed", "x", NULL), 0);
	cr_assert_eq(store_draft_op(ws_store(ws), draft, "answer", "/intake/next_date", "soon", NULL), 0);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	cr_expect_str_eq(value(f, "/intake/name"), "Amina");
	cr_expect_str_eq(value(f, "/intake/why"), "needs time to think");
	cr_expect_str_eq(value(f, "/intake/age"), "41");
	cr_expect_str_eq(value(f, "/intake/next_date"), "");
	fill_free(f);
	cr_assert_eq(store_draft_ops(ws_store(ws), draft, count_op, &n, NULL), 0);
	cr_expect_eq(n, 7, "the skipped answers stay in the draft (%d operations, with the base version)", n);
	ws_free(ws);
	free(draft);
	free(dir);
}

/*
 * Resuming a draft when memory runs out at any single allocation: either
 * fill_open fails and says why, or every answer is back.  Never a session
 * silently missing an answer (which could then be finalised without it).
 */
Test(fill, a_draft_resumes_whole_or_fails_saying_why)
{
	char id[HW_UUID_LEN + 1];
	char *dir = new_workspace(id, "1990-05-05"), *draft = four_answers(dir, id);
	hw_ws *ws = open_ws(dir);
	hw_fill *f = NULL;
	unsigned long n, total, failed = 0;

	failalloc_fail_nth(0);
	cr_assert_eq(fill_open(&f, ws, id, "intake", NULL), 0, "%s", ws_error(ws)->msg);
	total = failalloc_count();
	fill_free(f);
	f = NULL;
	for (n = 1; n <= total; n++) {
		int rc;

		hw_error_clear(ws_err(ws));
		failalloc_fail_nth(n);
		rc = fill_open(&f, ws, id, "intake", NULL);
		failalloc_fail_nth(0);
		if (rc < 0) {
			cr_expect_null(f);
			cr_expect_neq(ws_error(ws)->msg[0], '\0', "allocation %lu: a failure without a reason", n);
			failed++;
			continue;
		}
		cr_expect_str_eq(value(f, "/intake/name"), "Amina", "allocation %lu", n);
		cr_expect_str_eq(value(f, "/intake/consent"), "no", "allocation %lu", n);
		cr_expect_str_eq(value(f, "/intake/why"), "needs time to think", "allocation %lu", n);
		cr_expect_str_eq(value(f, "/intake/age"), "41", "allocation %lu", n);
		fill_free(f);
		f = NULL;
	}
	cr_expect_gt(failed, total / 2, "only %lu of %lu failures were reported", failed, total);
	ws_free(ws);
	free(draft);
	free(dir);
}
