/*
 * test_sync.c: sync and merge between real workspaces and a real bare
 * central repository in a temporary folder.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases.h"
#include "forms.h"
#include "sync/repo.h"
#include "store.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"
#include "testkey.h"

static char tmp[4096];
static char central[4200];

/* A fresh folder and an empty central repository per test. */
static void setup(void)
{
	static int n;
	const char *base = getenv("HOMEWARD_TEST_TMP");
	hw_repo *r = NULL;
	hw_error err;

	snprintf(tmp, sizeof(tmp), "%s/sync-%d-%d", base ? base : "/tmp", (int)getpid(), ++n);
	cr_assert_eq(hw_mkdir_p(tmp, NULL), 0);
	snprintf(central, sizeof(central), "%s/central.git", tmp);
	cr_assert_eq(repo_open(&r, central, 1, &err), 0, "%s", err.msg);
	repo_free(r);
}

TestSuite(sync, .init = setup);

/* An initialised workspace in the test folder. */
static hw_ws *workspace(const char *device, const char *role, const char *remote)
{
	char dir[4400];
	hw_ws *ws = NULL;
	hw_error err;

	snprintf(dir, sizeof(dir), "%s/%s", tmp, device);
	cr_assert_eq(ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(ws_init(ws, device, device, role, remote), 0, "%s", ws_error(ws)->msg);
	return ws;
}

/* Open a case with a family name; the id goes into id. */
static void open_case(hw_ws *ws, const char *family, char id[HW_UUID_LEN + 1])
{
	case_fields f = CASE_FIELDS_INIT;

	f.given_name = "Amina";
	f.family_name = family;
	f.birth_date = "1990-04-01";
	f.nationality = "NG";
	f.return_country = "NG";
	f.language = "en";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
}

/* Sync and expect success. */
static sync_result do_sync(hw_ws *ws)
{
	sync_result res;

	cr_assert_eq(sync_run(ws, NULL, &res), 0, "sync: %s", ws_error(ws)->msg);
	return res;
}

/* Counts events of a case. */
static int count_cb(const char *json, void *payload)
{
	(*(int *)payload)++;
	return 0;
}

static int case_event_count(hw_ws *ws, const char *id)
{
	int n = 0;

	cr_assert_eq(store_case_events(ws_store(ws), id, count_cb, &n, NULL), 0);
	return n;
}

/* Counts files of a diff (events, submissions and forms: not the format file). */
static int count_file(int kind, const char *path, const char *blob, void *payload)
{
	if (strcmp(path, SYNC_FORMAT_FILE) != 0)
		(*(int *)payload)++;
	return 0;
}

/* Number of files on a ref of the central repository (-1 when the ref is missing). */
static int central_files(const char *ref)
{
	hw_repo *r = NULL;
	hw_error err;
	char tip[41];
	int n = 0;

	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	if (repo_ref_get(tip, r, ref, &err) < 0) {
		repo_free(r);
		return -1;
	}
	cr_assert_eq(repo_diff(r, NULL, tip, count_file, &n, &err), 0);
	repo_free(r);
	return n;
}

/* Number of commits from a ref of the central repository back to the root, first parents only. */
static int central_tip(const char *ref, char out[41])
{
	hw_repo *r = NULL;
	hw_error err;
	int rc;

	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	rc = repo_ref_get(out, r, ref, &err);
	repo_free(r);
	return rc;
}

Test(sync, no_remote_is_a_clear_error)
{
	hw_ws *a = workspace("dev-a", "counsellor", NULL);
	sync_result res;

	cr_assert_eq(sync_run(a, NULL, &res), HW_EINVALID);
	cr_assert(strstr(ws_error(a)->msg, "no remote"), "%s", ws_error(a)->msg);
	ws_free(a);
}

Test(sync, round_trip_between_two_devices_and_a_supervisor)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *b = workspace("dev-b", "counsellor", central);
	char id[HW_UUID_LEN + 1];
	store_case_row row;
	merge_result m;
	sync_result res;

	open_case(a, "Okafor", id);
	cr_assert_eq(case_update(a, id, "language", "ha"), 0);
	res = do_sync(a);
	cr_assert_eq(res.events_sent, 2);
	cr_assert_eq(central_files("refs/heads/devices/dev-a"), 2);

	/* A counsellor cannot merge. */
	cr_assert_eq(merge_run(a, NULL, &m), HW_EINVALID);
	merge_result_free(&m);

	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices_merged, 1);
	cr_assert_eq(m.events_merged, 2);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.sync.events_received, 2);
	merge_result_free(&m);
	cr_assert_eq(case_get(s, id, &row), 0);
	cr_assert_str_eq(row.family_name, "Okafor");
	store_case_row_clear(&row);

	/* Nothing new: a second merge changes nothing. */
	{
		char before[41], after[41];

		cr_assert_eq(central_tip("refs/heads/main", before), 0);
		cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
		cr_assert_eq(m.devices, 0);
		merge_result_free(&m);
		cr_assert_eq(central_tip("refs/heads/main", after), 0);
		cr_assert_str_eq(before, after);
	}

	res = do_sync(b);
	cr_assert_eq(res.events_received, 2);
	cr_assert_eq(case_get(b, id, &row), 0);
	cr_assert_str_eq(row.language, "ha");
	store_case_row_clear(&row);

	/* A's own events come back through main: nothing is duplicated. */
	res = do_sync(a);
	cr_assert_eq(res.events_sent, 0);
	cr_assert_eq(res.events_received, 0);
	cr_assert_eq(case_event_count(a, id), 2);

	/* B adds to the case; it reaches A through the supervisor. */
	cr_assert_eq(case_update(b, id, "return_country", "GH"), 0);
	do_sync(b);
	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices_merged, 1);
	cr_assert_eq(m.events_merged, 1);
	merge_result_free(&m);
	res = do_sync(a);
	cr_assert_eq(res.events_received, 1);
	cr_assert_eq(case_event_count(a, id), 3);
	cr_assert_eq(central_files("refs/heads/main"), 3);

	ws_free(a);
	ws_free(b);
	ws_free(s);
}

Test(sync, a_cut_after_any_step_loses_and_duplicates_nothing)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char id[HW_UUID_LEN + 1], tip1[41], tip2[41];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;
	int pending, step;

	open_case(a, "Mensah", id);
	for (step = SYNC_STEP_COMMIT; step <= SYNC_STEP_FETCH; step++) {
		cr_assert_eq(case_update(a, id, "language", step == 1 ? "fr" : step == 2 ? "en" : "tw"), 0);
		o.stop_after = step;
		cr_assert_eq(sync_run(a, &o, &res), HW_ERROR, "step %d", step);
		cr_assert(strstr(ws_error(a)->msg, "stopped"), "%s", ws_error(a)->msg);
	}
	/* Everything recorded is in the device branch once. */
	res = do_sync(a);
	cr_assert_eq(central_files("refs/heads/devices/dev-a"), 4);
	cr_assert_eq(store_pending_count(ws_store(a), &pending, NULL), 0);
	cr_assert_eq(pending, 0);

	/* Running again makes no new commit. */
	cr_assert_eq(central_tip("refs/heads/devices/dev-a", tip1), 0);
	res = do_sync(a);
	cr_assert_eq(res.events_sent, 0);
	cr_assert_eq(central_tip("refs/heads/devices/dev-a", tip2), 0);
	cr_assert_str_eq(tip1, tip2);
	ws_free(a);
}

Test(sync, a_crash_between_git_and_the_database_commits_nothing_twice)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char id[HW_UUID_LEN + 1], local1[41], local2[41];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;
	hw_repo *r = NULL;
	hw_error err;

	open_case(a, "Boateng", id);
	o.stop_after = SYNC_STEP_COMMIT;
	cr_assert_eq(sync_run(a, &o, &res), HW_ERROR);
	/* As if the database transaction had not happened: the items are pending again. */
	cr_assert_eq(store_events_set_state(ws_store(a), STORE_COMMITTED, STORE_LOCAL, NULL), 0);
	cr_assert_eq(repo_open(&r, ws_repo_dir(a), 0, &err), 0);
	cr_assert_eq(repo_ref_get(local1, r, "refs/heads/devices/dev-a", &err), 0);

	res = do_sync(a);
	cr_assert_eq(res.events_sent, 1);
	cr_assert_eq(repo_ref_get(local2, r, "refs/heads/devices/dev-a", &err), 0);
	cr_assert_str_eq(local1, local2, "no second commit for the same events");
	cr_assert_eq(central_files("refs/heads/devices/dev-a"), 1);
	repo_free(r);
	ws_free(a);
}

Test(sync, an_unreachable_remote_keeps_everything_for_later)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char id[HW_UUID_LEN + 1], bad[4400];
	sync_result res;
	int pending;

	open_case(a, "Asante", id);
	/* A folder that is not there (a USB stick not mounted) is named as such. */
	snprintf(bad, sizeof(bad), "%s/not-there.git", tmp);
	cr_assert_eq(ws_set(a, WS_REMOTE, bad), 0);
	cr_assert_eq(sync_run(a, NULL, &res), HW_ENOTFOUND, "%s", ws_error(a)->msg);
	cr_assert(strstr(ws_error(a)->msg, "the folder ") && strstr(ws_error(a)->msg, "not-there.git does not exist"),
		  "%s", ws_error(a)->msg);
	cr_assert_eq(store_pending_count(ws_store(a), &pending, NULL), 0);
	cr_assert_eq(pending, 1);

	/* The first sync did nothing; now commit, then lose the repository before the push. */
	cr_assert_eq(ws_set(a, WS_REMOTE, central), 0);
	do_sync(a);
	cr_assert_eq(case_update(a, id, "language", "tw"), 0);
	snprintf(bad, sizeof(bad), "%s/emptied.git", tmp);
	cr_assert_eq(mkdir(bad, 0700), 0);
	cr_assert_eq(ws_set(a, WS_REMOTE, bad), 0);
	cr_assert_eq(sync_run(a, NULL, &res), HW_ENETWORK, "%s", ws_error(a)->msg);
	cr_assert_eq(store_pending_count(ws_store(a), &pending, NULL), 0);
	cr_assert_eq(pending, 1);
	cr_assert_eq(central_files("refs/heads/devices/dev-a"), 1);

	cr_assert_eq(ws_set(a, WS_REMOTE, central), 0);
	res = do_sync(a);
	cr_assert_eq(res.events_sent, 1);
	cr_assert_eq(central_files("refs/heads/devices/dev-a"), 2);
	ws_free(a);
}

/* Collects the files of a tree as repo_files, replacing one path's content. */
typedef struct tamper_ctx {
	repo_file files[64];
	char *paths[64];
	char *blobs[64];
	size_t n;
	const char *target;
	const char *content;
} tamper_ctx;

static int tamper_collect(int kind, const char *path, const char *blob, void *payload)
{
	tamper_ctx *t = payload;

	cr_assert_lt(t->n, 64);
	t->paths[t->n] = strdup(path);
	t->blobs[t->n] = strdup(blob);
	t->files[t->n].path = t->paths[t->n];
	if (t->target && strcmp(path, t->target) == 0) {
		t->files[t->n].data = t->content;
		t->files[t->n].len = strlen(t->content);
	} else {
		t->files[t->n].blob = t->blobs[t->n];
	}
	t->n++;
	return 0;
}

/* First event file of a device branch in central. */
static int first_event(int kind, const char *path, const char *blob, void *payload)
{
	char **out = payload;

	if (!*out && strstr(path, "/events/"))
		*out = strdup(path);
	return 0;
}

Test(sync, a_tampered_branch_is_rejected_and_the_others_merge)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *c = workspace("dev-c", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	char ida[HW_UUID_LEN + 1], idc[HW_UUID_LEN + 1], tip[41], tree[41], forged[41];
	char *target = NULL, *json = NULL;
	tamper_ctx t;
	store_case_row row;
	merge_result m;
	hw_repo *r = NULL;
	hw_error err;
	size_t i;

	open_case(a, "Owusu", ida);
	do_sync(a);
	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	merge_result_free(&m);

	/* Someone rewrites dev-a's merged event on the server, and adds a new one. */
	memset(&t, 0, sizeof(t));
	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	cr_assert_eq(repo_ref_get(tip, r, "refs/heads/devices/dev-a", &err), 0);
	cr_assert_eq(repo_diff(r, NULL, tip, first_event, &target, &err), 0);
	cr_assert_not_null(target);
	{
		char blob[41];
		size_t len;

		cr_assert_eq(repo_diff(r, NULL, tip, tamper_collect, &t, &err), 0);
		for (i = 0; i < t.n; i++)
			if (strcmp(t.paths[i], target) == 0)
				strcpy(blob, t.blobs[i]);
		cr_assert_eq(repo_blob_read(&json, &len, r, blob, &err), 0);
		/* Same event, another family name. */
		{
			char *p = strstr(json, "Owusu");

			cr_assert_not_null(p);
			memcpy(p, "Forge", 5);
		}
		t.target = target;
		t.content = json;
		memset(t.files, 0, sizeof(t.files));
		for (i = 0; i < t.n; i++) {
			t.files[i].path = t.paths[i];
			if (strcmp(t.paths[i], target) == 0) {
				t.files[i].data = json;
				t.files[i].len = strlen(json);
			} else {
				t.files[i].blob = t.blobs[i];
			}
		}
	}
	cr_assert_eq(repo_tree_add(tree, r, NULL, t.files, t.n, &err), 0, "%s", err.msg);
	cr_assert_eq(repo_commit_create(forged, r, "refs/heads/devices/dev-a", tree, tip, NULL, &err), 0);
	repo_free(r);

	/* Meanwhile dev-c records a case of its own. */
	open_case(c, "Darko", idc);
	do_sync(c);

	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices, 2);
	cr_assert_eq(m.devices_merged, 1);
	cr_assert_eq(m.nrejections, 1);
	cr_assert_str_eq(m.rejections[0].device, "dev-a");
	cr_assert_str_eq(m.rejections[0].path, target);
	cr_assert(strstr(m.rejections[0].reason, "changed"), "%s", m.rejections[0].reason);
	merge_result_free(&m);

	/* The supervisor has dev-c's case and the original dev-a case. */
	cr_assert_eq(case_get(s, idc, &row), 0);
	store_case_row_clear(&row);
	cr_assert_eq(case_get(s, ida, &row), 0);
	cr_assert_str_eq(row.family_name, "Owusu");
	store_case_row_clear(&row);

	for (i = 0; i < t.n; i++) {
		free(t.paths[i]);
		free(t.blobs[i]);
	}
	free(target);
	free(json);
	ws_free(a);
	ws_free(c);
	ws_free(s);
}

Test(sync, forged_files_are_rejected_with_reasons)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	char id[HW_UUID_LEN + 1], tip[41], forged[41], path[300];
	char json[600], evid[HW_UUID_LEN + 1];
	repo_file f[3];
	merge_result m;
	hw_repo *r = NULL;
	hw_error err;
	int created;
	size_t i;
	int saw_device = 0, saw_layout = 0, saw_json = 0;

	open_case(a, "Nkrumah", id);
	do_sync(a);
	cr_assert_eq(hw_uuid(evid), 0);
	snprintf(json, sizeof(json),
		 "{\"at\":\"2026-11-29T10:42:07Z\",\"author\":\"x\",\"case\":\"%s\",\"data\":{},"
		 "\"device\":\"dev-z\",\"id\":\"%s\",\"parents\":[],\"type\":\"case.updated\"}",
		 id, evid);
	snprintf(path, sizeof(path), "cases/%c/%c/%c/%s/events/%s.json", id[0], id[1], id[2], id, evid);
	memset(f, 0, sizeof(f));
	f[0].path = path;
	f[0].data = json;
	f[0].len = strlen(json);
	f[1].path = "README";
	f[1].data = "hello";
	f[1].len = 5;
	{
		static char p2[300];
		char e2[HW_UUID_LEN + 1];

		cr_assert_eq(hw_uuid(e2), 0);
		snprintf(p2, sizeof(p2), "cases/%c/%c/%c/%s/events/%s.json", id[0], id[1], id[2], id,
			 e2);
		f[2].path = p2;
		f[2].data = "{not json";
		f[2].len = 9;
	}
	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	cr_assert_eq(repo_ref_get(tip, r, "refs/heads/devices/dev-a", &err), 0);
	cr_assert_eq(repo_commit_files(forged, &created, r, "refs/heads/devices/dev-a", tip, f, 3,
				       NULL, &err), 0, "%s", err.msg);
	repo_free(r);

	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices_merged, 0);
	cr_assert_eq(m.nrejections, 3);
	for (i = 0; i < m.nrejections; i++) {
		cr_assert_str_eq(m.rejections[i].device, "dev-a");
		if (strstr(m.rejections[i].reason, "dev-z"))
			saw_device = 1;
		if (strcmp(m.rejections[i].path, "README") == 0)
			saw_layout = 1;
		if (strstr(m.rejections[i].reason, "not a valid event"))
			saw_json = 1;
	}
	cr_assert(saw_device && saw_layout && saw_json);
	merge_result_free(&m);
	cr_assert_eq(central_files("refs/heads/main"), -1, "nothing was merged");
	ws_free(a);
	ws_free(s);
}

Test(sync, submissions_travel_with_their_event)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *b = workspace("dev-b", "counsellor", central);
	char id[HW_UUID_LEN + 1], inst[HW_UUID_LEN + 6], uuid[HW_UUID_LEN + 1];
	char sha[HW_SHA256_HEX + 1], xml[300], *got = NULL, *data;
	store_submission sub;
	merge_result m;
	sync_result res;
	size_t len;

	open_case(a, "Appiah", id);
	cr_assert_eq(hw_uuid(uuid), 0);
	snprintf(inst, sizeof(inst), "uuid:%s", uuid);
	snprintf(xml, sizeof(xml),
		 "<data id=\"first-contact\" version=\"1\"><meta><instanceID>%s</instanceID></meta></data>",
		 inst);
	hw_sha256_hex(xml, strlen(xml), sha);
	memset(&sub, 0, sizeof(sub));
	sub.instance_id = inst;
	sub.case_id = id;
	sub.form_id = "first-contact";
	sub.form_version = "1";
	sub.created_at = "2026-11-29T10:42:07Z";
	sub.sha256 = sha;
	{
		const char *kv[] = { "form_id", "first-contact", "form_version", "1",
				     "instance_id", inst, "sha256", sha, NULL };

		data = event_data_build(kv);
	}
	cr_assert_eq(store_submission_put(ws_store(a), &sub, xml, strlen(xml), STORE_LOCAL, NULL, NULL), 0);
	cr_assert_eq(case_record(a, id, EV_FORM_SUBMITTED, data, NULL), 0, "%s", ws_error(a)->msg);
	free(data);

	res = do_sync(a);
	cr_assert_eq(res.submissions_sent, 1);
	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.submissions_merged, 1);
	merge_result_free(&m);
	res = do_sync(b);
	cr_assert_eq(res.submissions_received, 1);
	cr_assert_eq(store_submission_get_xml(ws_store(b), inst, &got, &len, NULL), 0);
	cr_assert_str_eq(got, xml);
	free(got);
	ws_free(a);
	ws_free(b);
	ws_free(s);
}

/* Makes a second supervisor merge first, once, just before the first pushes main. */
typedef struct race_ctx {
	hw_ws *other;
	int done;
} race_ctx;

static int race(const sync_progress *p, void *payload)
{
	race_ctx *rc = payload;
	merge_result m;

	if (p->step == SYNC_STEP_PUSH && p->starting && !rc->done) {
		rc->done = 1;
		cr_assert_eq(merge_run(rc->other, NULL, &m), 0, "%s", ws_error(rc->other)->msg);
		cr_assert_eq(m.devices_merged, 1);
		merge_result_free(&m);
	}
	return 0;
}

Test(sync, merge_retries_when_main_moves)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s1 = workspace("sup-1", "supervisor", central);
	hw_ws *s2 = workspace("sup-2", "supervisor", central);
	char id[HW_UUID_LEN + 1];
	sync_opts o = SYNC_OPTS_INIT;
	race_ctx rc = { s2, 0 };
	merge_result m;

	open_case(a, "Quaye", id);
	do_sync(a);
	o.progress = race;
	o.payload = &rc;
	cr_assert_eq(merge_run(s1, &o, &m), 0, "%s", ws_error(s1)->msg);
	cr_assert_eq(rc.done, 1);
	cr_assert_eq(m.retries, 1);
	cr_assert_eq(m.sync.events_received, 1);
	merge_result_free(&m);
	cr_assert_eq(central_files("refs/heads/main"), 1);
	ws_free(a);
	ws_free(s1);
	ws_free(s2);
}

Test(sync, default_credentials_come_from_the_front_end_and_give_up)
{
	sync_secrets sec = SYNC_SECRETS_INIT;
	repo_cred c;

	memset(&c, 0, sizeof(c));
	/* The environment is the front end's business, never the core's. */
	setenv("HOMEWARD_GIT_TOKEN", "from-the-environment", 1);
	cr_assert_eq(sync_credentials_default(&c, "https://h/r.git", NULL, REPO_CRED_USERPASS, 1, &sec), -1,
		     "without a token there is nothing to offer");
	unsetenv("HOMEWARD_GIT_TOKEN");
	sec.token = "s3cret";
	sec.username = "field7";
	cr_assert_eq(sync_credentials_default(&c, "https://h/r.git", NULL, REPO_CRED_USERPASS, 1, &sec), 0);
	cr_assert_eq(c.kind, REPO_CRED_USERPASS);
	cr_assert_str_eq(c.username, "field7");
	cr_assert_str_eq(c.secret, "s3cret");
	cr_assert_eq(sync_credentials_default(&c, "https://h/r.git", NULL, REPO_CRED_USERPASS, 2, &sec), -1,
		     "a refused token is not offered again");
	memset(&c, 0, sizeof(c));
	sec.home = "/home/field";
	/* No agent runs: asking one fails outright in libgit2, so the key file comes first. */
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 1, &sec), 0);
	cr_assert_eq(c.kind, REPO_CRED_SSH_KEY);
	cr_assert_str_eq(c.private_key, "/home/field/.ssh/id_ed25519");
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 2, &sec), -1);
	/* An agent runs: its keys first, then the key file. */
	sec.ssh_agent = 1;
	memset(&c, 0, sizeof(c));
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 1, &sec), 0);
	cr_assert_eq(c.kind, REPO_CRED_SSH_AGENT);
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 2, &sec), 0);
	cr_assert_eq(c.kind, REPO_CRED_SSH_KEY);
	cr_assert_str_eq(c.private_key, "/home/field/.ssh/id_ed25519");
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 3, &sec), -1);
	/* A key the user names is the one: no agent, and nothing after it. */
	sec.ssh_key = "/media/usb/key";
	sec.ssh_passphrase = "words";
	memset(&c, 0, sizeof(c));
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 1, &sec), 0);
	cr_assert_eq(c.kind, REPO_CRED_SSH_KEY);
	cr_assert_str_eq(c.private_key, "/media/usb/key");
	cr_assert_str_eq(c.secret, "words");
	cr_assert_eq(sync_credentials_default(&c, "ssh://h/r.git", "git", REPO_CRED_SSH_KEY, 2, &sec), -1);
}

/* ------------------------------------------------------------ published forms */

/* A small form with an external CSV instance, written to <tmp>/src/FILE; returns its path. */
static const char *write_form(const char *file, const char *id, const char *version,
			      const char *title, const char *csv)
{
	static char path[4400];
	char dir[4300], csv_path[4400], xml[2000];

	snprintf(dir, sizeof(dir), "%s/src", tmp);
	cr_assert_eq(hw_mkdir_p(dir, NULL), 0);
	snprintf(xml, sizeof(xml),
		 "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
		 "<h:head><h:title>%s</h:title><model>\n"
		 "<instance><data id=\"%s\" version=\"%s\"><kind/></data></instance>\n"
		 "<instance id=\"kinds\" src=\"jr://file/kinds-%s.csv\"/>\n"
		 "</model></h:head><h:body><select1 ref=\"/data/kind\"><label>Kind</label>"
		 "<itemset nodeset=\"instance('kinds')/root/item\"><value ref=\"name\"/>"
		 "<label ref=\"label\"/></itemset></select1></h:body></h:html>\n",
		 title, id, version, id);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cr_assert_eq(hw_write_file_atomic(path, xml, strlen(xml), NULL), 0);
	snprintf(csv_path, sizeof(csv_path), "%s/kinds-%s.csv", dir, id);
	cr_assert_eq(hw_write_file_atomic(csv_path, csv, strlen(csv), NULL), 0);
	return path;
}

/* Publish and expect success. */
static sync_publish_result publish(hw_ws *ws, const char *path)
{
	sync_publish_result res;

	cr_assert_eq(sync_publish_form(ws, path, NULL, &res), 0, "publish: %s", ws_error(ws)->msg);
	return res;
}

/* Version and title of the installed form with this id ("" and "" when none). */
static void installed(hw_ws *ws, const char *id, char version[64], char title[128])
{
	char *path = NULL;
	xform *f = NULL;
	hw_error err;

	version[0] = title[0] = '\0';
	if (forms_find(ws, id, &path) < 0)
		return;
	cr_assert_eq(xform_load(&f, path, &err), 0, "%s", err.msg);
	snprintf(version, 64, "%s", xform_version(f));
	snprintf(title, 128, "%s", xform_title(f));
	xform_free(f);
	free(path);
}

/* A file of the workspace's forms folder (caller frees; NULL when missing). */
static char *installed_file(hw_ws *ws, const char *name)
{
	char *path = hw_path_join(ws_forms_dir(ws), name), *data = NULL;

	hw_read_file(path, &data, NULL, NULL);
	free(path);
	return data;
}

#define KINDS_1 "name,label\ncash,Cash\n"
#define KINDS_2 "name,label\ncash,Cash\nin_kind,In kind\n"

Test(sync, a_published_form_and_its_csv_are_installed_on_every_device)
{
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char version[64], title[128], *csv;
	sync_publish_result p;
	sync_result res;

	p = publish(s, write_form("visit.xml", "hw-visit", "2026112901", "Home visit", KINDS_1));
	cr_assert_eq(p.published, 1);
	cr_assert_str_eq(p.form_id, "hw-visit");
	cr_assert_str_eq(p.version, "2026112901");
	cr_assert_eq(p.files, 2, "the form and the CSV it references");
	cr_assert_eq(central_files("refs/heads/main"), 2);
	/* The supervisor's own workspace has it at once. */
	cr_assert_eq(p.sync.forms_installed, 1);
	installed(s, "hw-visit", version, title);
	cr_assert_str_eq(version, "2026112901");

	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "", "not there before the sync");
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);
	cr_assert_eq(res.forms_broken, 0);
	cr_assert_eq(res.nforms, 1);
	cr_assert_str_eq(res.forms[0].id, "hw-visit");
	cr_assert_str_eq(res.forms[0].version, "2026112901");
	cr_assert_str_eq(res.forms[0].problem, "");
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "2026112901");
	cr_assert_str_eq(title, "Home visit");
	csv = installed_file(a, "hw-visit/2026112901/kinds-hw-visit.csv");
	cr_assert_not_null(csv, "the CSV is installed in the folder of the form and version");
	cr_assert_str_eq(csv, KINDS_1);
	free(csv);
	{
		char *xml = installed_file(a, "hw-visit.xml");

		cr_assert_not_null(xml, "installed as <id>.xml");
		free(xml);
	}

	/* Syncing again installs nothing again. */
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 0);
	cr_assert_eq(res.nforms, 0);
	ws_free(a);
	ws_free(s);
}

Test(sync, a_newer_version_replaces_the_installed_form_and_an_older_one_does_not)
{
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *b;
	char version[64], title[128], *csv;
	sync_result res;

	publish(s, write_form("visit.xml", "hw-visit", "9", "Visit nine", KINDS_1));
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);

	/* 10 is newer than 9: versions of digits compare as numbers. */
	publish(s, write_form("visit.xml", "hw-visit", "10", "Visit ten", KINDS_2));
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);
	cr_assert_str_eq(res.forms[0].version, "10");
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "10");
	cr_assert_str_eq(title, "Visit ten");
	csv = installed_file(a, "hw-visit/10/kinds-hw-visit.csv");
	cr_assert_str_eq(csv, KINDS_2, "the new version's CSV comes with it");
	free(csv);

	/* An older version published later is not installed. */
	publish(s, write_form("visit.xml", "hw-visit", "8", "Visit eight", KINDS_1));
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 0);
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "10");
	cr_assert_str_eq(title, "Visit ten");
	csv = installed_file(a, "hw-visit/10/kinds-hw-visit.csv");
	cr_assert_str_eq(csv, KINDS_2);
	free(csv);

	/* A new device receives 9, 10 and 8 at once and installs only 10. */
	b = workspace("dev-b", "counsellor", central);
	res = do_sync(b);
	cr_assert_eq(res.forms_installed, 1);
	cr_assert_eq(res.nforms, 1);
	cr_assert_str_eq(res.forms[0].version, "10");
	installed(b, "hw-visit", version, title);
	cr_assert_str_eq(title, "Visit ten");
	ws_free(a);
	ws_free(b);
	ws_free(s);
}

Test(sync, a_published_version_never_changes)
{
	hw_ws *s = workspace("sup", "supervisor", central);
	char before[41], after[41];
	sync_publish_result p;

	publish(s, write_form("visit.xml", "hw-visit", "2026112901", "Home visit", KINDS_1));
	cr_assert_eq(central_tip("refs/heads/main", before), 0);

	/* The same again: nothing to do. */
	p = publish(s, write_form("visit.xml", "hw-visit", "2026112901", "Home visit", KINDS_1));
	cr_assert_eq(p.published, 0);
	cr_assert_eq(central_tip("refs/heads/main", after), 0);
	cr_assert_str_eq(before, after);

	/* Another title under the same version is refused. */
	cr_assert_eq(sync_publish_form(s, write_form("visit.xml", "hw-visit", "2026112901",
						     "Home visit (new)", KINDS_1), NULL, &p),
		     HW_EEXISTS);
	cr_assert(strstr(ws_error(s)->msg, "already published"), "%s", ws_error(s)->msg);
	cr_assert(strstr(ws_error(s)->msg, "higher version"), "%s", ws_error(s)->msg);

	/* So is another CSV under the same version. */
	cr_assert_eq(sync_publish_form(s, write_form("visit.xml", "hw-visit", "2026112901",
						     "Home visit", KINDS_2), NULL, &p),
		     HW_EEXISTS);
	cr_assert_eq(central_tip("refs/heads/main", after), 0);
	cr_assert_str_eq(before, after, "main did not change");
	cr_assert_eq(central_files("refs/heads/main"), 2);
	ws_free(s);
}

Test(sync, only_a_supervisor_publishes_and_only_forms_that_load)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	const char *good = write_form("visit.xml", "hw-visit", "1", "Home visit", KINDS_1);
	sync_publish_result p;
	char path[4400];

	cr_assert_eq(sync_publish_form(a, good, NULL, &p), HW_EINVALID);
	cr_assert(strstr(ws_error(a)->msg, "supervisors"), "%s", ws_error(a)->msg);
	cr_assert_eq(central_files("refs/heads/main"), -1, "nothing was published");

	/* A form that does not load: the loader's FILE:LINE message. */
	snprintf(path, sizeof(path), "%s/src/broken.xml", tmp);
	{
		const char *xml =
			"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
			"<h:head><h:title>B</h:title><model>\n"
			"<instance><data id=\"hw-broken\" version=\"1\"><a/></data></instance>\n"
			"<bind nodeset=\"/data/a\" calculate=\"nope()\"/>\n"
			"</model></h:head><h:body/></h:html>\n";

		cr_assert_eq(hw_write_file_atomic(path, xml, strlen(xml), NULL), 0);
	}
	cr_assert_eq(sync_publish_form(s, path, NULL, &p), HW_EINVALID);
	cr_assert(strstr(ws_error(s)->msg, "broken.xml:3:"), "%s", ws_error(s)->msg);
	cr_assert(strstr(ws_error(s)->msg, "nope"), "%s", ws_error(s)->msg);

	/* A form without a version. */
	{
		const char *xml =
			"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
			"<h:head><h:title>B</h:title><model>\n"
			"<instance><data id=\"hw-unversioned\"><a/></data></instance>\n"
			"</model></h:head><h:body/></h:html>\n";

		cr_assert_eq(hw_write_file_atomic(path, xml, strlen(xml), NULL), 0);
	}
	cr_assert_eq(sync_publish_form(s, path, NULL, &p), HW_EINVALID);
	cr_assert(strstr(ws_error(s)->msg, "no version"), "%s", ws_error(s)->msg);
	cr_assert_eq(central_files("refs/heads/main"), -1, "nothing was published");
	ws_free(a);
	ws_free(s);
}

/* Put files on central main directly, as a careless supervisor's git could. */
static void commit_on_main(const repo_file *files, size_t n)
{
	hw_repo *r = NULL;
	hw_error err;
	char tip[41], out[41];
	int created, has;

	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	has = repo_ref_get(tip, r, "refs/heads/main", &err) == 0;
	cr_assert_eq(repo_commit_files(out, &created, r, "refs/heads/main", has ? tip : NULL,
				       files, n, NULL, &err), 0, "%s", err.msg);
	repo_free(r);
}

/* Counts leftover folders whose name starts with ".form-check". */
static int leftovers(hw_ws *ws)
{
	char cmd[4600];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -a '%s' | grep -c '^\\.form-check'", ws_dir(ws));
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

Test(sync, a_broken_form_on_main_is_reported_and_not_installed)
{
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char version[64], title[128];
	const char *broken =
		"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
		"<h:head><h:title>Broken</h:title><model>\n"
		"<instance><data id=\"hw-visit\" version=\"3\"><a/></data></instance>\n"
		"<bind nodeset=\"/data/a\" calculate=\"nope()\"/>\n"
		"</model></h:head><h:body/></h:html>\n";
	const char *mislabelled =
		"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
		"<h:head><h:title>Other</h:title><model>\n"
		"<instance><data id=\"hw-visit\" version=\"1\"><a/></data></instance>\n"
		"</model></h:head><h:body/></h:html>\n";
	repo_file f[2];
	sync_result res;
	size_t i;
	int saw_broken = 0, saw_mislabelled = 0;

	publish(s, write_form("visit.xml", "hw-visit", "1", "Home visit", KINDS_1));
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);

	memset(f, 0, sizeof(f));
	f[0].path = "forms/hw-visit/3.xml";
	f[0].data = broken;
	f[0].len = strlen(broken);
	f[1].path = "forms/hw-visit/2.xml";
	f[1].data = mislabelled;   /* says version 1: not what its path says */
	f[1].len = strlen(mislabelled);
	commit_on_main(f, 2);

	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 0);
	cr_assert_eq(res.forms_broken, 2, "3 is tried first, then 2");
	cr_assert_eq(res.nforms, 2);
	for (i = 0; i < res.nforms; i++) {
		if (strcmp(res.forms[i].version, "3") == 0) {
			saw_broken = 1;
			cr_assert(strstr(res.forms[i].problem, "forms/hw-visit/3.xml:3:"), "%s",
				  res.forms[i].problem);
			cr_assert(strstr(res.forms[i].problem, "nope"), "%s", res.forms[i].problem);
		} else if (strcmp(res.forms[i].version, "2") == 0) {
			saw_mislabelled = 1;
			cr_assert(strstr(res.forms[i].problem, "not what its path says"), "%s",
				  res.forms[i].problem);
		}
	}
	cr_assert(saw_broken && saw_mislabelled);
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "1", "the working version stays");
	cr_assert_str_eq(title, "Home visit");
	cr_assert_eq(leftovers(a), 0, "the temporary copies are gone");

	/* Reported once: the next sync has nothing new. */
	res = do_sync(a);
	cr_assert_eq(res.forms_broken, 0);

	/* A fixed version 4 installs. */
	publish(s, write_form("visit.xml", "hw-visit", "4", "Home visit 4", KINDS_2));
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "4");
	ws_free(a);
	ws_free(s);
}

Test(sync, a_sync_cut_before_recording_main_installs_the_form_once)
{
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *a = workspace("dev-a", "counsellor", central);
	char version[64], title[128];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;

	publish(s, write_form("visit.xml", "hw-visit", "5", "Home visit", KINDS_1));
	o.stop_after = SYNC_STEP_FETCH;
	cr_assert_eq(sync_run(a, &o, &res), HW_ERROR);
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "");
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 1);
	installed(a, "hw-visit", version, title);
	cr_assert_str_eq(version, "5");
	ws_free(a);
	ws_free(s);
}

Test(sync, a_device_branch_that_adds_a_form_is_rejected_by_merge)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	hw_ws *b = workspace("dev-b", "counsellor", central);
	char id[HW_UUID_LEN + 1], tip[41], forged[41], version[64], title[128];
	const char *xml =
		"<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\">"
		"<h:head><h:title>Sneaky</h:title><model>\n"
		"<instance><data id=\"hw-visit\" version=\"99\"><a/></data></instance>\n"
		"</model></h:head><h:body/></h:html>\n";
	repo_file f;
	merge_result m;
	sync_result res;
	hw_repo *r = NULL;
	hw_error err;
	int created;

	open_case(a, "Ofori", id);
	do_sync(a);
	memset(&f, 0, sizeof(f));
	f.path = "forms/hw-visit/99.xml";
	f.data = xml;
	f.len = strlen(xml);
	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	cr_assert_eq(repo_ref_get(tip, r, "refs/heads/devices/dev-a", &err), 0);
	cr_assert_eq(repo_commit_files(forged, &created, r, "refs/heads/devices/dev-a", tip, &f, 1,
				       NULL, &err), 0, "%s", err.msg);
	repo_free(r);

	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices, 1);
	cr_assert_eq(m.devices_merged, 0);
	cr_assert_eq(m.nrejections, 1);
	cr_assert_str_eq(m.rejections[0].device, "dev-a");
	cr_assert_str_eq(m.rejections[0].path, "forms/hw-visit/99.xml");
	cr_assert(strstr(m.rejections[0].reason, "may not publish forms"), "%s",
		  m.rejections[0].reason);
	cr_assert_eq(m.sync.forms_installed, 0);
	merge_result_free(&m);
	cr_assert_eq(central_files("refs/heads/main"), -1, "nothing was merged");

	res = do_sync(b);
	cr_assert_eq(res.forms_installed, 0);
	installed(b, "hw-visit", version, title);
	cr_assert_str_eq(version, "");
	ws_free(a);
	ws_free(b);
	ws_free(s);
}

/* Makes another supervisor publish a form first, once, just before the push. */
typedef struct publish_race {
	hw_ws *other;
	const char *path;
	int done;
} publish_race;

static int race_publish(const sync_progress *p, void *payload)
{
	publish_race *pr = payload;

	if (p->step == SYNC_STEP_PUSH && p->starting && !pr->done) {
		pr->done = 1;
		publish(pr->other, pr->path);
	}
	return 0;
}

Test(sync, publishing_retries_when_main_moves)
{
	hw_ws *s1 = workspace("sup-1", "supervisor", central);
	hw_ws *s2 = workspace("sup-2", "supervisor", central);
	hw_ws *a = workspace("dev-a", "counsellor", central);
	const char *first = write_form("other.xml", "hw-other", "1", "Other", KINDS_1);
	char first_copy[4400];
	publish_race pr = { s2, first_copy, 0 };
	sync_opts o = SYNC_OPTS_INIT;
	sync_publish_result p;
	sync_result res;

	snprintf(first_copy, sizeof(first_copy), "%s", first);
	o.progress = race_publish;
	o.payload = &pr;
	cr_assert_eq(sync_publish_form(s1, write_form("visit.xml", "hw-visit", "1", "Home visit",
						      KINDS_1), &o, &p), 0, "%s", ws_error(s1)->msg);
	cr_assert_eq(pr.done, 1);
	cr_assert_eq(p.retries, 1);
	cr_assert_eq(p.published, 1);
	cr_assert_eq(central_files("refs/heads/main"), 4, "both forms and their CSV files");
	res = do_sync(a);
	cr_assert_eq(res.forms_installed, 2);
	ws_free(a);
	ws_free(s1);
	ws_free(s2);
}

/* A progress callback that cancels the run at its n-th call (from the merge step on). */
typedef struct cancel_at {
	int n, calls;
	int from_merge;   /* count only from the first SYNC_STEP_MERGE call on */
	int merging;      /* that call was seen */
} cancel_at;

static int cancel_cb(const sync_progress *p, void *payload)
{
	cancel_at *c = payload;

	if (p->step == SYNC_STEP_MERGE)
		c->merging = 1;
	if (c->from_merge && !c->merging)
		return 0;
	return ++c->calls >= c->n;
}

/*
 * Cancelling a merge (Esc on the Team screen) at any progress call leaves
 * central main either as it was or with the whole merge, never a part of
 * it; the supervisor's database has every event it imported once; and the
 * next merge carries on to the same end as an uncut one.  Each cancelled
 * run leaves its work done, so the next goes less far: counting the calls
 * from the start cuts the first steps (sending, fetching), counting from
 * the merge step on cuts the last ones (pushing main, importing).
 */
static void cancel_everywhere(int from_merge)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *b = workspace("dev-b", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	char ida[HW_UUID_LEN + 1], idb[HW_UUID_LEN + 1], ids[HW_UUID_LEN + 1];
	sync_opts o = SYNC_OPTS_INIT;
	cancel_at c;
	merge_result m;
	int n, rc, files, cancelled = 0, after_push = 0;

	open_case(a, "Asante", ida);
	cr_assert_eq(case_update(a, ida, "language", "tw"), 0);
	open_case(b, "Bello", idb);
	do_sync(a);
	do_sync(b);
	/* The supervisor's own record travels with the merge. */
	open_case(s, "Sarpong", ids);
	o.progress = cancel_cb;
	o.payload = &c;
	for (n = 1;; n++) {
		memset(&c, 0, sizeof(c));
		c.n = n;
		c.from_merge = from_merge;
		memset(&m, 0, sizeof(m));
		rc = merge_run(s, &o, &m);
		merge_result_free(&m);
		files = central_files("refs/heads/main");
		if (rc == 0)
			break;
		cr_assert_eq(rc, HW_ERROR, "call %d: %s", n, ws_error(s)->msg);
		cr_assert(strstr(ws_error(s)->msg, "cancelled"), "call %d: %s", n, ws_error(s)->msg);
		cancelled++;
		/* All or nothing on main: 4 events (2 of a, 1 of b, 1 of the supervisor). */
		cr_assert(files == -1 || files == 4, "call %d: main has %d files", n, files);
		after_push += files == 4;
		/* Nothing twice in the database, whatever was imported. */
		cr_assert_leq(case_event_count(s, ida), 2, "call %d", n);
		cr_assert_leq(case_event_count(s, idb), 1, "call %d", n);
		cr_assert_eq(case_event_count(s, ids), 1, "call %d", n);
		cr_assert_lt(n, 500, "the merge never completed");
	}
	cr_assert_geq(cancelled, 3, "only %d progress calls to cancel at", cancelled);
	if (from_merge)
		cr_assert_gt(after_push, 0, "no cut after main was pushed");
	/* The run that was not cancelled finished the work once. */
	cr_assert_eq(central_files("refs/heads/main"), 4);
	cr_assert_eq(case_event_count(s, ida), 2);
	cr_assert_eq(case_event_count(s, idb), 1);
	cr_assert_eq(case_event_count(s, ids), 1);
	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.devices, 0, "nothing left to merge");
	merge_result_free(&m);
	/* A device gets everything once. */
	do_sync(b);
	cr_assert_eq(case_event_count(b, ida), 2);
	cr_assert_eq(case_event_count(b, ids), 1);
	ws_free(a);
	ws_free(b);
	ws_free(s);
}

Test(sync, a_merge_cancelled_early_loses_and_duplicates_nothing)
{
	cancel_everywhere(0);
}

Test(sync, a_merge_cancelled_late_loses_and_duplicates_nothing)
{
	cancel_everywhere(1);
}

/*
 * The Team screen's review: every device branch with what it brings and
 * where it stands, the offending files of a bad one, and nothing merged.
 */
Test(sync, a_review_checks_every_branch_and_merges_nothing)
{
	hw_ws *a = workspace("dev-a", "counsellor", central);
	hw_ws *b = workspace("dev-b", "counsellor", central);
	hw_ws *s = workspace("sup", "supervisor", central);
	char ida[HW_UUID_LEN + 1], idb[HW_UUID_LEN + 1], tip[41], out[41];
	repo_file f = { .path = "stray.txt", .data = "x\n", .len = 2, .blob = NULL };
	hw_repo *r = NULL;
	hw_error err;
	merge_result m;
	int created;
	size_t i;

	open_case(a, "Adjei", ida);
	cr_assert_eq(case_update(a, ida, "language", "tw"), 0);
	open_case(a, "Addo", ida);
	open_case(b, "Badu", idb);
	do_sync(a);
	do_sync(b);
	cr_assert_eq(repo_open(&r, central, 0, &err), 0);
	cr_assert_eq(repo_ref_get(tip, r, "refs/heads/devices/dev-b", &err), 0);
	cr_assert_eq(repo_commit_files(out, &created, r, "refs/heads/devices/dev-b", tip, &f, 1, NULL,
				       &err), 0, "%s", err.msg);
	repo_free(r);

	cr_assert_eq(merge_review(a, NULL, &m), HW_EINVALID, "only for supervisors");
	merge_result_free(&m);
	cr_assert_eq(merge_review(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	cr_assert_eq(m.nbranches, 2);
	for (i = 0; i < m.nbranches; i++) {
		const merge_branch_info *x = &m.branches[i];

		cr_assert_eq(strlen(x->committed_at), HW_TIME_LEN, "%s", x->committed_at);
		if (!strcmp(x->device, "dev-a")) {
			cr_assert_eq(x->state, MERGE_BRANCH_GOOD);
			cr_assert_eq(x->events, 3);
			cr_assert_eq(x->cases, 2);
			cr_assert_str_eq(x->author, "dev-a");
		} else {
			cr_assert_str_eq(x->device, "dev-b");
			cr_assert_eq(x->state, MERGE_BRANCH_REJECTED);
			cr_assert_eq(x->offending, 1);
		}
	}
	cr_assert_eq(m.nrejections, 1);
	cr_assert_str_eq(m.rejections[0].path, "stray.txt");
	merge_result_free(&m);
	cr_assert_eq(central_files("refs/heads/main"), -1, "a review merges nothing");

	/* After the merge, the good branch has nothing new. */
	cr_assert_eq(merge_run(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	merge_result_free(&m);
	cr_assert_eq(merge_review(s, NULL, &m), 0, "%s", ws_error(s)->msg);
	for (i = 0; i < m.nbranches; i++)
		if (!strcmp(m.branches[i].device, "dev-a"))
			cr_assert_eq(m.branches[i].state, MERGE_BRANCH_MERGED);
	merge_result_free(&m);
	ws_free(a);
	ws_free(b);
	ws_free(s);
}
