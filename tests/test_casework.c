/* test_casework.c: case work: event schemas, the stage fold, consent and referrals. */
#include "config.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "event.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "testkey.h"

/* Fix the library's clock, as the program does for $HOMEWARD_NOW. */
static void fix_clock(const char *iso)
{
	time_t t;

	cr_assert_eq(hw_time_parse(iso, &t), 0, "%s", iso);
	hw_clock_fix(t);
}

static char *tmpdir(void)
{
	const char *base = getenv("HOMEWARD_TEST_TMP");
	char *p = hw_path_join(base && *base ? base : "/tmp", "cwXXXXXX");

	cr_assert_not_null(mkdtemp(p));
	return p;
}

/* A new workspace with one illustrative provider per test country. */
static hw_ws *new_ws(const char *device)
{
	static const char providers[] =
		"id,name,country,services,contact\n"
		"ng-lagos,Lagos Partner (example),NG,reception cash,lagos@provider.example\n"
		"ng-benin,\"Benin City Shelter, Counselling (example)\",NG,housing,x@provider.example\n";
	hw_error err = { 0, "" };
	char *dir = tmpdir(), *wsdir = hw_path_join(dir, "ws"), *csv;
	hw_ws *ws = NULL;

	cr_assert_eq(ws_open(&ws, wsdir, WS_OPEN_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(ws_init(ws, device, "Tester", "counsellor", NULL), 0, "%s", ws_error(ws)->msg);
	csv = hw_path_join(ws_forms_dir(ws), "providers.csv");
	cr_assert_eq(hw_write_file_atomic(csv, providers, strlen(providers), NULL), 0);
	free(csv);
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
	f.nationality = "NG";
	f.return_country = "NG";
	f.language = "en";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
}

/* The stage the fold stored for the case. */
static char *stage_of(hw_ws *ws, const char *id)
{
	store_case_work w;
	char *s;

	cr_assert_eq(case_work_get(ws, id, &w), 0, "%s", ws_error(ws)->msg);
	s = strdup(w.stage);
	store_case_work_clear(&w);
	return s;
}

#define ASSERT_STAGE(ws, id, want) do { \
	char *st_ = stage_of(ws, id); \
	cr_assert_str_eq(st_, want); \
	free(st_); \
} while (0)

#define OK(call, ws) cr_assert_eq((call), 0, "%s", ws_error(ws)->msg)

/* A form.submitted as a finalised form records it (extra: more members, "" for none). */
static void submitted(hw_ws *ws, const char *id, const char *extra)
{
	char data[600], inst[HW_UUID_LEN + 1];

	hw_uuid(inst);
	snprintf(data, sizeof(data), "{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"uuid:%s\","
		 "\"sha256\":\"00\"%s}", inst, extra);
	OK(case_record(ws, id, EV_FORM_SUBMITTED, data, NULL), ws);
}

typedef struct copy_ctx { hw_ws *to; char **jsons; size_t n; } copy_ctx;

static int copy_event(const char *json, void *payload)
{
	copy_ctx *c = payload;
	int imported;

	cr_assert_eq(case_import_event(c->to, json, strlen(json), &imported), 0, "%s",
		     ws_error(c->to)->msg);
	return 0;
}

static int keep_event(const char *json, void *payload)
{
	copy_ctx *c = payload;

	c->jsons = realloc(c->jsons, (c->n + 1) * sizeof(char *));
	c->jsons[c->n++] = strdup(json);
	return 0;
}

static void sync_case(hw_ws *from, hw_ws *to, const char *id)
{
	copy_ctx c = { to, NULL, 0 };

	store_case_events(ws_store(from), id, copy_event, &c, NULL);
}

TestSuite(casework, .init = NULL);

Test(casework, every_stage_transition_from_events)
{
	hw_ws *ws = new_ws("dev-a");
	char id[HW_UUID_LEN + 1];
	store_case_row r;
	store_case_work w;

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "1990-01-01");
	ASSERT_STAGE(ws, id, "identified");
	submitted(ws, id, "");
	ASSERT_STAGE(ws, id, "counselling");
	OK(case_decide(ws, id, "return", "2026-11-01", NULL), ws);
	ASSERT_STAGE(ws, id, "decided");
	submitted(ws, id, ",\"milestone\":\"pre_departure\",\"departure_date\":\"2026-12-20\"");
	ASSERT_STAGE(ws, id, "pre-departure");
	OK(case_depart(ws, id, "2026-11-10", "assisted_voluntary", "cash,travel"), ws);
	ASSERT_STAGE(ws, id, "departed");
	OK(case_arrive(ws, id, "2026-11-11"), ws);
	ASSERT_STAGE(ws, id, "arrived");
	submitted(ws, id, ",\"milestone\":\"follow_up\",\"follow_up_round\":\"3_months\"");
	ASSERT_STAGE(ws, id, "follow-up");
	OK(case_close_with_reason(ws, id, "reintegration_completed", NULL), ws);
	ASSERT_STAGE(ws, id, "closed");
	OK(case_get(ws, id, &r), ws);
	cr_assert_str_eq(r.status, "closed");
	cr_assert_str_eq(r.assigned_to, "dev-a");
	store_case_row_clear(&r);
	OK(case_reopen(ws, id, "new needs after the visit"), ws);
	ASSERT_STAGE(ws, id, "reopened");
	OK(case_work_get(ws, id, &w), ws);
	cr_assert_str_eq(w.decision, "return");
	cr_assert_str_eq(w.decision_date, "2026-11-01");
	cr_assert_str_eq(w.departure_planned, "2026-12-20");
	cr_assert_str_eq(w.departed_on, "2026-11-10");
	cr_assert_str_eq(w.return_type, "assisted_voluntary");
	cr_assert_str_eq(w.assistance, "cash travel");
	cr_assert_eq(w.assistance_granted, 1);
	cr_assert_str_eq(w.arrived_on, "2026-11-11");
	cr_assert_str_eq(w.arrival_confirmed_by, "dev-a");
	cr_assert_str_eq(w.follow_up_round, "3_months");
	cr_assert_str_eq(w.close_reason, "reintegration_completed");
	cr_assert_eq(w.nassignees, 1);
	cr_assert_str_eq(w.assignees[0].role, "counsellor");
	store_case_work_clear(&w);
	hw_clock_fix(0);
	ws_free(ws);
}

Test(casework, later_decisions_supersede_and_history_keeps_all)
{
	hw_ws *ws = new_ws("dev-a");
	char id[HW_UUID_LEN + 1];
	store_case_work w;

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "1990-01-01");
	OK(case_decide(ws, id, "return", "2026-11-01", NULL), ws);
	submitted(ws, id, ",\"milestone\":\"pre_departure\"");
	ASSERT_STAGE(ws, id, "pre-departure");
	OK(case_decide(ws, id, "stay_in_procedure", "2026-11-20", "appeal lodged"), ws);
	ASSERT_STAGE(ws, id, "decided");
	OK(case_work_get(ws, id, &w), ws);
	cr_assert_str_eq(w.decision, "stay_in_procedure");
	cr_assert_str_eq(w.decision_date, "2026-11-20");
	cr_assert_eq(w.ndecisions, 2);
	cr_assert_str_eq(w.decisions[0].decision, "return");
	cr_assert_str_eq(w.decisions[1].decision, "stay_in_procedure");
	store_case_work_clear(&w);
	/* A departure needs a decision to return. */
	cr_assert_eq(case_depart(ws, id, "2026-11-25", "assisted_voluntary", NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "stay_in_procedure"), "%s", ws_error(ws)->msg);
	hw_clock_fix(0);
	ws_free(ws);
}

Test(casework, dates_are_checked_against_milestones_and_today)
{
	hw_ws *ws = new_ws("dev-a");
	char id[HW_UUID_LEN + 1];
	int before;

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "1990-01-01");
	cr_assert_eq(case_decide(ws, id, "maybe", NULL, NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "decision \"maybe\""), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_decide(ws, id, "return", "2026-12-01", NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "in the future"), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_decide(ws, id, "return", "2026-02-30", NULL), HW_EINVALID);
	/* Not checked against the day the case was entered: decided before it. */
	OK(case_decide(ws, id, "return", "2025-06-01", NULL), ws);
	cr_assert_eq(case_depart(ws, id, "2025-05-01", "assisted_voluntary", NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "before the decision"), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_depart(ws, id, "2026-11-01", "by_boat", NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "type of return \"by_boat\""), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_depart(ws, id, "2026-11-01", "forced", "cash,gold"), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "\"gold\""), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_arrive(ws, id, "2026-11-02"), HW_EINVALID);
	OK(case_depart(ws, id, "2026-11-01", "assisted_voluntary", NULL), ws);
	cr_assert_eq(case_arrive(ws, id, "2026-10-30"), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "before the departure"), "%s", ws_error(ws)->msg);
	cr_assert_eq(case_decide(ws, id, "return", "2026-11-05", NULL), HW_EINVALID);
	/* Refused input records nothing. */
	{
		store_case_row r;
		OK(case_get(ws, id, &r), ws);
		before = r.nevents;
		store_case_row_clear(&r);
		cr_assert_eq(before, 3);
	}
	cr_assert_eq(case_close_with_reason(ws, id, "bored", NULL), HW_EINVALID);
	cr_assert_eq(case_close_with_reason(ws, id, "other", NULL), HW_EINVALID);
	cr_assert_eq(case_reopen(ws, id, "why"), HW_EINVALID);
	hw_clock_fix(0);
	ws_free(ws);
}

Test(casework, concurrent_close_and_arrival_are_a_conflict_a_person_decides)
{
	hw_ws *a = new_ws("dev-a"), *b = new_ws("dev-b");
	char id[HW_UUID_LEN + 1];
	case_conflict *cf = NULL;
	size_t n = 0;
	store_case_row ra, rb;
	char *sa, *sb;

	fix_clock("2026-11-20T10:00:00Z");
	open_case(a, id, "1990-01-01");
	OK(case_decide(a, id, "return", "2026-11-01", NULL), a);
	OK(case_depart(a, id, "2026-11-10", "assisted_voluntary", NULL), a);
	sync_case(a, b, id);
	/* A closes (lost contact) while B, unaware, records the arrival. */
	fix_clock("2026-11-21T10:00:00Z");
	OK(case_close_with_reason(a, id, "lost_contact", NULL), a);
	fix_clock("2026-11-22T10:00:00Z");
	OK(case_arrive(b, id, "2026-11-11"), b);
	sync_case(a, b, id);
	sync_case(b, a, id);
	OK(case_get(a, id, &ra), a);
	OK(case_get(b, id, &rb), b);
	cr_assert_eq(ra.conflicts, 1);
	cr_assert_eq(rb.conflicts, 1);
	store_case_row_clear(&ra);
	store_case_row_clear(&rb);
	sa = stage_of(a, id);
	sb = stage_of(b, id);
	cr_assert_str_eq(sa, sb);
	cr_assert_str_eq(sa, "arrived");  /* the later one, provisionally */
	free(sa);
	free(sb);
	OK(case_conflicts(a, id, &cf, &n), a);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(cf[0].field, "stage");
	cr_assert_eq(cf[0].nvalues, 2);
	cr_assert_str_eq(cf[0].values[0], "closed");
	cr_assert_str_eq(cf[0].values[1], "arrived");
	case_conflicts_free(cf, n);
	/* Milestones wait for the decision. */
	cr_assert_eq(case_decide(a, id, "return", "2026-11-01", NULL), HW_ECONFLICT);
	/* A person decides: it arrived after all. */
	OK(case_resolve(a, id, "stage", "arrived"), a);
	sync_case(a, b, id);
	OK(case_get(b, id, &rb), b);
	cr_assert_eq(rb.conflicts, 0);
	store_case_row_clear(&rb);
	ASSERT_STAGE(b, id, "arrived");
	cr_assert_eq(case_resolve(a, id, "stage", "gone"), HW_EINVALID);
	hw_clock_fix(0);
	ws_free(a);
	ws_free(b);
}

Test(casework, concurrent_progress_merges_without_a_conflict)
{
	hw_ws *a = new_ws("dev-a"), *b = new_ws("dev-b");
	char id[HW_UUID_LEN + 1];
	store_case_row r;

	fix_clock("2026-11-20T10:00:00Z");
	open_case(a, id, "1990-01-01");
	sync_case(a, b, id);
	OK(case_decide(a, id, "return", "2026-11-01", NULL), a);
	submitted(b, id, "");
	sync_case(a, b, id);
	sync_case(b, a, id);
	OK(case_get(a, id, &r), a);
	cr_assert_eq(r.conflicts, 0);
	store_case_row_clear(&r);
	ASSERT_STAGE(a, id, "decided");
	ASSERT_STAGE(b, id, "decided");
	hw_clock_fix(0);
	ws_free(a);
	ws_free(b);
}

Test(casework, the_same_stage_whatever_order_events_arrive_in)
{
	hw_ws *a = new_ws("dev-a"), *c = new_ws("dev-c"), *d = new_ws("dev-d");
	char id[HW_UUID_LEN + 1];
	copy_ctx keep = { NULL, NULL, 0 };
	store_case_work wc, wd;
	int imported;

	fix_clock("2026-11-20T10:00:00Z");
	open_case(a, id, "1990-01-01");
	submitted(a, id, "");
	OK(case_decide(a, id, "return", "2026-11-01", NULL), a);
	OK(case_decide(a, id, "withdrawn", "2026-11-02", NULL), a);
	OK(case_decide(a, id, "return", "2026-11-03", NULL), a);
	OK(case_depart(a, id, "2026-11-10", "independent_voluntary", NULL), a);
	OK(case_assign(a, id, "dev-a", "supervisor", "Example Org", NULL, NULL), a);
	OK(case_arrive(a, id, "2026-11-12"), a);
	store_case_events(ws_store(a), id, keep_event, &keep, NULL);
	for (size_t i = 0; i < keep.n; i++)
		OK(case_import_event(c, keep.jsons[i], strlen(keep.jsons[i]), &imported), c);
	for (size_t i = keep.n; i-- > 0;)
		OK(case_import_event(d, keep.jsons[i], strlen(keep.jsons[i]), &imported), d);
	OK(case_work_get(c, id, &wc), c);
	OK(case_work_get(d, id, &wd), d);
	cr_assert_str_eq(wc.stage, "arrived");
	cr_assert_str_eq(wd.stage, "arrived");
	cr_assert_str_eq(wd.decision, "return");
	cr_assert_str_eq(wd.decision_date, "2026-11-03");
	cr_assert_eq(wd.ndecisions, 3);
	cr_assert_str_eq(wd.decisions[1].decision, "withdrawn");
	cr_assert_str_eq(wd.return_type, "independent_voluntary");
	cr_assert_str_eq(wd.assignees[0].role, "supervisor");
	cr_assert_str_eq(wc.assignees[0].organisation, "Example Org");
	store_case_work_clear(&wc);
	store_case_work_clear(&wd);
	for (size_t i = 0; i < keep.n; i++)
		free(keep.jsons[i]);
	free(keep.jsons);
	hw_clock_fix(0);
	ws_free(a);
	ws_free(c);
	ws_free(d);
}

Test(casework, assignment_and_transfer_in_one_event)
{
	hw_ws *a = new_ws("dev-a"), *b = new_ws("dev-b");
	char id[HW_UUID_LEN + 1], other[HW_UUID_LEN + 1];
	store_case_work w;
	store_case_row r;

	open_case(a, id, "1990-01-01");
	/* Nobody knows dev-b yet. */
	cr_assert_eq(case_assign(a, id, "dev-b", "field_officer", NULL, NULL, NULL), HW_EINVALID);
	cr_assert(strstr(ws_error(a)->msg, "dev-b"), "%s", ws_error(a)->msg);
	open_case(b, other, "1990-01-01");
	sync_case(b, a, other);
	cr_assert_eq(case_assign(a, id, "dev-b", "driver", NULL, NULL, NULL), HW_EINVALID);
	cr_assert_eq(case_assign(a, id, "dev-b", "field_officer", NULL, NULL, "dev-x"), HW_EINVALID);
	OK(case_assign(a, id, "dev-b", "field_officer", "Lagos Partner", "takes over", "dev-a"), a);
	OK(case_work_get(a, id, &w), a);
	cr_assert_eq(w.nassignees, 1);
	cr_assert_str_eq(w.assignees[0].person, "dev-b");
	cr_assert_str_eq(w.assignees[0].role, "field_officer");
	cr_assert_str_eq(w.assignees[0].note, "takes over");
	store_case_work_clear(&w);
	OK(case_get(a, id, &r), a);
	cr_assert_str_eq(r.assigned_to, "dev-b");
	store_case_row_clear(&r);
	ws_free(a);
	ws_free(b);
}

Test(casework, a_referral_needs_the_consent_for_that_provider)
{
	hw_ws *ws = new_ws("dev-a");
	char id[HW_UUID_LEN + 1], ref[HW_UUID_LEN + 1];
	store_case_work w;

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "1990-01-01");
	/* None recorded. */
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "cash", NULL, NULL, NULL, ref), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "none is recorded"), "%s", ws_error(ws)->msg);
	/* Unknown provider, bad kinds. */
	cr_assert_eq(referral_send(ws, id, "nowhere", "cash", NULL, NULL, NULL, ref), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "provider \"nowhere\""), "%s", ws_error(ws)->msg);
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "gold", NULL, NULL, NULL, ref), HW_EINVALID);
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "cash", "uuid:0ffcbe7b-82d7-4896-ab8e-cbb001dfc396",
				   NULL, NULL, ref), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "submission"), "%s", ws_error(ws)->msg);
	/* Refused. */
	OK(consent_record(ws, id, "share_with_provider", 0, "ng-lagos", NULL, NULL, NULL), ws);
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "cash", NULL, NULL, NULL, ref), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "refused"), "%s", ws_error(ws)->msg);
	/* Granted for another provider only. */
	OK(consent_record(ws, id, "share_with_provider", 1, "ng-benin", "interpreter", "ar", NULL), ws);
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "cash", NULL, NULL, NULL, ref), HW_EINVALID);
	/* Granted, then withdrawn. */
	OK(consent_record(ws, id, "share_with_provider", 1, "ng-lagos", NULL, NULL, NULL), ws);
	OK(consent_withdraw(ws, id, "share_with_provider", "ng-lagos"), ws);
	cr_assert_eq(referral_send(ws, id, "ng-lagos", "cash", NULL, NULL, NULL, ref), HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "withdrawn"), "%s", ws_error(ws)->msg);
	cr_assert_eq(consent_withdraw(ws, id, "share_with_provider", "ng-lagos"), HW_EINVALID);
	cr_assert_eq(consent_record(ws, id, "share_with_provider", 1, "nowhere", NULL, NULL, NULL), HW_EINVALID);
	cr_assert_eq(consent_record(ws, id, "share_with_provider", 1, NULL, NULL, NULL, NULL), HW_EINVALID);
	cr_assert_eq(consent_record(ws, id, "gossip", 1, NULL, NULL, NULL, NULL), HW_EINVALID);
	/* Granted again: the referral goes, and its status moves on. */
	OK(consent_record(ws, id, "share_with_provider", 1, "ng-lagos", NULL, NULL, NULL), ws);
	OK(referral_send(ws, id, "ng-lagos", "cash,reception", NULL, "urgent", NULL, ref), ws);
	cr_assert_eq(referral_update(ws, ref, "lost", NULL), HW_EINVALID);
	cr_assert_eq(referral_update(ws, ref, "declined", NULL), HW_EINVALID);
	OK(referral_update(ws, ref, "accepted", "first meeting on Monday"), ws);
	OK(case_work_get(ws, id, &w), ws);
	cr_assert_eq(w.nreferrals, 1);
	cr_assert_str_eq(w.referrals[0].id, ref);
	cr_assert_str_eq(w.referrals[0].status, "accepted");
	cr_assert_str_eq(w.referrals[0].kinds, "cash reception");
	cr_assert_str_eq(w.referrals[0].urgency, "urgent");
	cr_assert_eq(w.nconsents, 2);
	store_case_work_clear(&w);
	OK(referral_update(ws, ref, "closed", NULL), ws);
	cr_assert_eq(referral_update(ws, ref, "in_progress", NULL), HW_EINVALID);
	hw_clock_fix(0);
	ws_free(ws);
}

Test(casework, a_minor_needs_a_guardian_or_an_override)
{
	hw_ws *ws = new_ws("dev-a");
	char id[HW_UUID_LEN + 1], ref[HW_UUID_LEN + 1];

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "2012-03-01");
	cr_assert_eq(consent_record(ws, id, "share_with_provider", 1, "ng-lagos", "interpreter", NULL, NULL),
		     HW_EINVALID);
	cr_assert(strstr(ws_error(ws)->msg, "guardian"), "%s", ws_error(ws)->msg);
	/* A refusal needs no guardian to be recorded. */
	OK(consent_record(ws, id, "counselling", 0, NULL, NULL, NULL, NULL), ws);
	OK(consent_record(ws, id, "share_with_provider", 1, "ng-lagos", "guardian,interpreter", NULL, NULL), ws);
	OK(referral_send(ws, id, "ng-lagos", "cash", NULL, NULL, NULL, ref), ws);
	OK(consent_record(ws, id, "share_with_provider", 1, "ng-benin", NULL, NULL,
			  "no guardian reachable; shelter is in the child's best interests"), ws);
	OK(referral_send(ws, id, "ng-benin", "housing", NULL, NULL, NULL, ref), ws);
	hw_clock_fix(0);
	ws_free(ws);
}

Test(casework, events_with_bad_data_are_refused_on_import)
{
	hw_event *ev = NULL;
	hw_error err = { 0, "" };
	const char *head = "{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"a5d67457-789b-433d-9b81-c83000befa28\","
			   "\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],";
	const char *bad[] = {
		"\"type\":\"case.decided\",\"data\":{\"decision\":\"maybe\",\"date\":\"2026-11-01\"}}",
		"\"type\":\"case.decided\",\"data\":{\"decision\":\"return\"}}",
		"\"type\":\"case.decided\",\"data\":{\"decision\":\"return\",\"date\":\"2026-13-01\"}}",
		"\"type\":\"case.decided\",\"data\":{\"decision\":\"return\",\"date\":\"2026-11-01\",\"x\":1}}",
		"\"type\":\"case.departed\",\"data\":{\"date\":\"2026-11-01\",\"return_type\":\"forced\",\"assistance_granted\":\"yes\"}}",
		"\"type\":\"case.departed\",\"data\":{\"date\":\"2026-11-01\",\"return_type\":\"forced\",\"assistance_granted\":false,\"assistance\":[\"cash\"]}}",
		"\"type\":\"case.arrived\",\"data\":{\"date\":\"2026-11-01\"}}",
		"\"type\":\"case.closed\",\"data\":{\"reason\":\"other\"}}",
		"\"type\":\"case.assigned\",\"data\":{\"assignee\":\"b\",\"role\":\"boss\"}}",
		"\"type\":\"case.assigned\",\"data\":{\"assignee\":\"b\",\"role\":\"counsellor\",\"unassign\":[\"b\"]}}",
		"\"type\":\"consent.recorded\",\"data\":{\"purpose\":\"share_with_provider\",\"granted\":true,\"date\":\"2026-11-01\"}}",
		"\"type\":\"consent.recorded\",\"data\":{\"purpose\":\"counselling\",\"granted\":true,\"date\":\"2026-11-01\",\"present\":[\"guardian\",\"guardian\"]}}",
		"\"type\":\"referral.sent\",\"data\":{\"provider\":\"p\",\"kinds\":[]}}",
		"\"type\":\"referral.updated\",\"data\":{\"referral\":\"x\",\"status\":\"accepted\"}}",
		"\"type\":\"referral.updated\",\"data\":{\"referral\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"status\":\"declined\"}}",
		"\"type\":\"form.submitted\",\"data\":{\"form_id\":\"f\",\"form_version\":\"1\",\"instance_id\":\"i\",\"sha256\":\"0\",\"milestone\":\"party\"}}",
	};
	char json[1000];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "%s%s", head, bad[i]);
		err.msg[0] = '\0';
		cr_assert_eq(event_parse(&ev, json, strlen(json), &err), HW_EINVALID, "accepted: %s", bad[i]);
		cr_assert(err.msg[0], "no reason for %s", bad[i]);
	}
	snprintf(json, sizeof(json), "%s%s", head,
		 "\"type\":\"case.departed\",\"data\":{\"date\":\"2026-11-01\",\"return_type\":\"forced\",\"assistance_granted\":true,\"assistance\":[\"cash\",\"travel\"]}}");
	cr_assert_eq(event_parse(&ev, json, strlen(json), &err), 0, "%s", err.msg);
	event_free(ev);
}

/*
 * Appointment and family events from elsewhere are checked like every
 * other: an unknown channel, a time that is not one, a round that is not
 * m and months, an unknown relation or member, a link to nothing.  Each
 * is refused naming the member.
 */
Test(casework, appointment_and_family_events_with_bad_data_are_refused)
{
	hw_event *ev = NULL;
	hw_error err = { 0, "" };
	const char *head = "{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"a5d67457-789b-433d-9b81-c83000befa28\","
			   "\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],";
	const struct { const char *json, *names; } bad[] = {
		{ "\"type\":\"appointment.set\",\"data\":{}}", "date" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-02-30\"}}", "date" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"time\":\"24:00\"}}", "time" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"channel\":\"pigeon\"}}", "channel" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"round\":\"q3\"}}", "round" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"place\":\"a\\u001b[2Jb\"}}", "place" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"replaces\":\"x\"}}", "replaces" },
		{ "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"who\":\"x\"}}", "who" },
		{ "\"type\":\"appointment.done\",\"data\":{\"date\":\"2026-12-01\"}}", "appointment" },
		{ "\"type\":\"appointment.missed\",\"data\":{\"appointment\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\"}}", "date" },
		{ "\"type\":\"family.linked\",\"data\":{\"member\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"relation\":\"cousin\"}}", "relation" },
		{ "\"type\":\"family.linked\",\"data\":{\"member\":\"Musa\",\"relation\":\"child\"}}", "member" },
		{ "\"type\":\"family.linked\",\"data\":{\"relation\":\"child\"}}", "member" },
		{ "\"type\":\"family.unlinked\",\"data\":{}}", "member" },
	};
	char json[1000];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "%s%s", head, bad[i].json);
		err.msg[0] = '\0';
		cr_assert_eq(event_parse(&ev, json, strlen(json), &err), HW_EINVALID, "accepted: %s", bad[i].json);
		cr_assert(strstr(err.msg, bad[i].names) != NULL, "%s: the reason does not name %s: %s",
			  bad[i].json, bad[i].names, err.msg);
	}
	snprintf(json, sizeof(json), "%s%s", head,
		 "\"type\":\"appointment.set\",\"data\":{\"date\":\"2026-12-01\",\"time\":\"09:30\",\"channel\":\"video\",\"round\":\"m12\"}}");
	cr_assert_eq(event_parse(&ev, json, strlen(json), &err), 0, "%s", err.msg);
	event_free(ev);
}

/* The raw minor column the fold stored for a case. */
static int stored_minor(hw_ws *ws, const char *id)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	cr_assert_eq(sqlite3_prepare_v2(store_connection(ws_store(ws)),
					"SELECT minor FROM cases WHERE id = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * Age and "minor" are computed against today whenever a case is read, not
 * frozen when its events are folded: a child born in 2010 is no minor in
 * 2035 without any new event.  The fold itself never reads the clock: two
 * devices folding at different dates store the same case.
 */
Test(casework, age_and_minor_are_read_against_today_and_the_fold_never_reads_the_clock)
{
	hw_ws *ws = new_ws("dev1");
	char id[HW_UUID_LEN + 1], est[HW_UUID_LEN + 1];
	case_fields f = CASE_FIELDS_INIT;
	store_case_row r;

	fix_clock("2026-11-29T10:00:00Z");
	open_case(ws, id, "2010-01-01");
	f.given_name = "Estimated";
	f.birth_year = "2012";
	cr_assert_eq(case_open(ws, &f, est), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(case_get(ws, id, &r), 0);
	cr_assert_eq(r.minor, 1);
	cr_assert_eq(r.age, 16);
	store_case_row_clear(&r);
	cr_assert_eq(case_get(ws, est, &r), 0);
	cr_assert(r.minor && r.age == 14, "estimated 2012: minor %d, age %d", r.minor, r.age);
	store_case_row_clear(&r);
	cr_assert_eq(stored_minor(ws, id), 0, "the fold stored a clock-dependent minor");

	fix_clock("2035-01-02T10:00:00Z");
	cr_assert_eq(case_get(ws, id, &r), 0);
	cr_assert_eq(r.minor, 0, "born 2010, still a minor in 2035");
	cr_assert_eq(r.age, 25);
	store_case_row_clear(&r);
	cr_assert_eq(case_get(ws, est, &r), 0);
	cr_assert(!r.minor && r.age == 23, "estimated 2012 in 2035: minor %d, age %d", r.minor, r.age);
	store_case_row_clear(&r);
	/* Folding again later stores exactly what it stored before. */
	cr_assert_eq(case_refold(ws, id), 0);
	cr_assert_eq(stored_minor(ws, id), 0);
	hw_clock_fix(0);
	ws_free(ws);
}

/*
 * Codes that come from another device are checked against ISO 3166-1 and
 * ISO 639 as those typed here: an imported case with ZZ as its country of
 * return or zz as its language is refused, naming the field.
 */
Test(casework, unknown_country_and_language_codes_are_refused_on_import)
{
	hw_event *ev = NULL;
	hw_error err = { 0, "" };
	const char *head = "{\"id\":\"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396\",\"case\":\"a5d67457-789b-433d-9b81-c83000befa28\","
			   "\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"a\",\"device\":\"d\",\"parents\":[],";
	const struct { const char *json, *names; } bad[] = {
		{ "\"type\":\"case.opened\",\"data\":{\"given_name\":\"A\",\"return_country\":\"ZZ\"}}", "country of return \"ZZ\"" },
		{ "\"type\":\"case.opened\",\"data\":{\"given_name\":\"A\",\"nationality\":\"XX\"}}", "nationality \"XX\"" },
		{ "\"type\":\"case.updated\",\"data\":{\"language\":\"zz\"}}", "language \"zz\"" },
		{ "\"type\":\"consent.recorded\",\"data\":{\"purpose\":\"counselling\",\"granted\":true,\"date\":\"2026-11-01\",\"language\":\"qq\"}}", "language" },
	};
	char json[1000];

	fix_clock("2026-11-29T12:00:00Z");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		snprintf(json, sizeof(json), "%s%s", head, bad[i].json);
		err.msg[0] = '\0';
		rc = event_parse(&ev, json, strlen(json), &err);
		if (rc == 0) {
			rc = case_check_event(ev, &err);
			event_free(ev);
		}
		cr_assert_eq(rc, HW_EINVALID, "accepted: %s", bad[i].json);
		cr_assert(strstr(err.msg, bad[i].names) != NULL, "%s: %s", bad[i].json, err.msg);
	}
	hw_clock_fix(0);
}
