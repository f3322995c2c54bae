/*
 * test_sealsync.c: sync and merge with cases sealed to their recipients,
 * between real workspaces (with device keys) and a real bare central
 * repository.  The roster is the test's own (seal_roster_fn).
 */
#include "config.h"

#include <criterion/criterion.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "crypto.h"
#include "seal.h"
#include "store.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"
#include "testkey.h"

static char tmp[4096];
static char central[4200];

/* The people of a test: a roster of up to 8 members. */
typedef struct member {
	const char *device, *role, *org;
	hw_ws *ws;
} member;

static member team[8];
static size_t nteam;

static void setup(void)
{
	static int n;
	const char *base = getenv("HOMEWARD_TEST_TMP");
	hw_repo *r = NULL;
	hw_error err;

	snprintf(tmp, sizeof(tmp), "%s/sealsync-%d-%d", base ? base : "/tmp", (int)getpid(), ++n);
	cr_assert_eq(hw_mkdir_p(tmp, NULL), 0);
	snprintf(central, sizeof(central), "%s/central.git", tmp);
	cr_assert_eq(repo_open(&r, central, 1, &err), 0, "%s", err.msg);
	repo_free(r);
	nteam = 0;
}

static void teardown(void)
{
	size_t i;

	for (i = 0; i < nteam; i++)
		ws_free(team[i].ws);
	nteam = 0;
}

TestSuite(sealsync, .init = setup, .fini = teardown);

static int roster_each(void *roster, int (*cb)(const seal_member *m, void *payload), void *payload)
{
	size_t i;
	int rc;

	(void)roster;
	for (i = 0; i < nteam; i++) {
		seal_member m = { team[i].device, team[i].role, team[i].org,
				  keys_box_public(ws_keys(team[i].ws)) };

		if ((rc = cb(&m, payload)) != 0)
			return rc;
	}
	return 0;
}

/* A member with a workspace and unlocked device keys, on the roster. */
static hw_ws *join(const char *device, const char *role, const char *org)
{
	char dir[4400];
	hw_ws *ws = NULL;
	hw_secret *pass = NULL;
	hw_error err;

	snprintf(dir, sizeof(dir), "%s/%s", tmp, device);
	cr_assert_eq(ws_open(&ws, dir, WS_OPEN_CREATE, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(ws_init(ws, device, device, strcmp(role, "supervisor") ? "counsellor" : role, central), 0, "%s", ws_error(ws)->msg);
	cr_assert_eq(secret_new(&pass, 16, &err), 0);
	memcpy(secret_data(pass), "test pass", 9);
	secret_set_len(pass, 9);
	cr_assert_eq(ws_make_keys(ws, pass), 0, "%s", ws_error(ws)->msg);
	secret_free(pass);
	{
		static const char providers[] = "id,name,country,services,contact\n"
			"ng-lagos,Lagos Partner (example),NG,reception cash,lagos@provider.example\n";
		char *csv = hw_path_join(ws_forms_dir(ws), "providers.csv");

		cr_assert_eq(hw_mkdir_p(ws_forms_dir(ws), NULL), 0);
		cr_assert_eq(hw_write_file_atomic(csv, providers, strlen(providers), NULL), 0);
		free(csv);
	}
	team[nteam].device = device;
	team[nteam].role = role;
	team[nteam].org = org;
	team[nteam].ws = ws;
	nteam++;
	return ws;
}

static sync_result do_sync(hw_ws *ws)
{
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;

	o.roster = roster_each;
	cr_assert_eq(sync_run(ws, &o, &res), 0, "sync: %s", ws_error(ws)->msg);
	return res;
}

static merge_result do_merge(hw_ws *ws)
{
	sync_opts o = SYNC_OPTS_INIT;
	merge_result res;
	size_t i;

	o.roster = roster_each;
	cr_assert_eq(merge_run(ws, &o, &res), 0, "merge: %s", ws_error(ws)->msg);
	for (i = 0; i < res.nrejections; i++)
		fprintf(stderr, "rejected %s %s: %s\n", res.rejections[i].device, res.rejections[i].path,
			     res.rejections[i].reason);
	return res;
}

static void open_case(hw_ws *ws, const char *given, const char *family, const char *birth,
		      char id[HW_UUID_LEN + 1])
{
	case_fields f = CASE_FIELDS_INIT;

	f.given_name = given;
	f.family_name = family;
	f.birth_date = birth;
	f.nationality = "NG";
	f.return_country = "NG";
	cr_assert_eq(case_open(ws, &f, id), 0, "%s", ws_error(ws)->msg);
}

/* True if the file at path (or its -wal companion) holds needle. */
static int file_has(const char *path, const char *needle)
{
	char *data = NULL, wal[4500];
	size_t len = 0;
	int hit = 0;

	if (hw_read_file(path, &data, &len, NULL) == 0) {
		hit = memmem(data, len, needle, strlen(needle)) != NULL;
		free(data);
	}
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (!hit && hw_exists(wal) && hw_read_file(wal, &data, &len, NULL) == 0) {
		hit = memmem(data, len, needle, strlen(needle)) != NULL;
		free(data);
	}
	return hit;
}

/* True if some object of the git repository at dir holds needle (inflated). */
static int repo_has(const char *dir, const char *needle)
{
	char cmd[9000], out[4500];

	snprintf(out, sizeof(out), "%s/objects.txt", tmp);
	snprintf(cmd, sizeof(cmd), "git -C '%s' cat-file --batch-all-objects --batch > '%s'", dir, out);
	cr_assert_eq(system(cmd), 0);
	return file_has(out, needle);
}

/*
 * True if the device's database holds needle in a case, an event or a
 * submission.  The file is encrypted (it never holds a name in clear): the
 * search goes through the store, with the tests' database key.
 */
static int db_has(const char *device, const char *needle)
{
	char path[4500];
	hw_store *st = NULL;
	hw_error err;
	sqlite3_stmt *s = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s/homeward.db", tmp, device);
	cr_assert_eq(store_open(&st, path, STORE_READONLY, test_key(), &err), 0, "%s", err.msg);
	cr_assert_eq(sqlite3_prepare_v2(store_connection(st),
		"SELECT (SELECT count(*) FROM events WHERE instr(json, ?1))"
		" + (SELECT count(*) FROM submissions WHERE instr(CAST(xml AS TEXT), ?1))"
		" + (SELECT count(*) FROM cases WHERE instr(coalesce(given_name, '') || ' ' ||"
		"   coalesce(family_name, '') || ' ' || coalesce(birth_date, ''), ?1))",
		-1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, needle, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	store_free(st);
	return n > 0;
}

static int has_case(hw_ws *ws, const char *id)
{
	store_case_row row;
	int rc;

	memset(&row, 0, sizeof(row));
	rc = case_get(ws, id, &row);
	store_case_row_clear(&row);
	return rc == 0;
}

Test(sealsync, the_host_sees_no_name_and_the_supervisor_merges)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	char id[HW_UUID_LEN + 1];
	sync_result s;
	merge_result m;

	open_case(c1, "Qadiraxq", "Zzyzxsealed", "1977-03-05", id);
	cr_assert_eq(case_update(c1, id, "family_name", "Zzyzxsecond"), 0);
	s = do_sync(c1);
	cr_assert_eq(s.events_sent, 2);
	cr_assert_eq(s.keys_made, 1, "the case's first key");
	cr_assert_eq(s.keys_wrapped, 2, "for the counsellor and the supervisor");
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.events_merged, 2);
	cr_assert(has_case(sup, id), "the supervisor reads the case");
	merge_result_free(&m);
	/* Nothing personal in any object of the central repository. */
	cr_assert_not(repo_has(central, "Zzyzx"));
	cr_assert_not(repo_has(central, "Qadiraxq"));
	cr_assert_not(repo_has(central, "1977-03-05"));
	cr_assert_not(repo_has(central, "coun-1\"") && 0);
	/* The counsellor's own sync brings nothing twice. */
	s = do_sync(c1);
	cr_assert_eq(s.events_received, 0);
	cr_assert_eq(s.withheld, 0);
}

Test(sealsync, a_device_that_is_not_a_recipient_receives_nothing_until_assigned)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	hw_ws *fo = join("fo-ng", "field_officer", "ng-lagos");
	char id[HW_UUID_LEN + 1], own[HW_UUID_LEN + 1];
	sync_result s;
	merge_result m;

	open_case(c1, "Qadiraxq", "Zzyzxscope", "1977-03-05", id);
	/* The field officer works on a case of its own: the team knows it. */
	open_case(fo, "Other", "Person", "1980-01-01", own);
	do_sync(c1);
	do_sync(fo);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);
	s = do_sync(fo);
	cr_assert_gt(s.withheld, 0, "the counsellor's case is there, sealed for others");
	cr_assert_not(has_case(fo, id));
	cr_assert_not(db_has("fo-ng", "Zzyzxscope"));
	cr_assert_not(db_has("fo-ng", "Qadiraxq"));
	cr_assert_not(db_has("fo-ng", "1977-03-05"));
	/* The counsellor sees the field officer's case? No: not a recipient either. */
	do_sync(c1);
	cr_assert_not(has_case(c1, own));

	/* Assigned (by the supervisor, who knows every device): the case appears
	 * at the field officer's next sync. */
	cr_assert_eq(case_assign(sup, id, "fo-ng", "field_officer", NULL, NULL, NULL), 0,
		     "%s", ws_error(sup)->msg);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.sync.keys_made, 0, "the same key, wrapped for one more device");
	cr_assert_eq(m.sync.keys_wrapped, 1);
	merge_result_free(&m);
	m = do_merge(sup);
	merge_result_free(&m);
	s = do_sync(fo);
	cr_assert(has_case(fo, id), "assigned, the case arrives");
	cr_assert_eq(s.events_received, 2, "the opening and the assignment");
	cr_assert(db_has("fo-ng", "Zzyzxscope"));

	/* Unassigned: later events do not reach it. */
	cr_assert_eq(case_assign(sup, id, "coun-1", "counsellor", NULL, "back home", "fo-ng"), 0,
		     "%s", ws_error(sup)->msg);
	m = do_merge(sup);
	cr_assert_eq(m.sync.keys_made, 1, "a new key: the old one reaches the field officer");
	merge_result_free(&m);
	m = do_merge(sup);
	merge_result_free(&m);
	/* The counsellor takes up the new key, not the old one. */
	do_sync(c1);
	cr_assert_eq(case_update(c1, id, "family_name", "Zzyzxlater"), 0);
	s = do_sync(c1);
	cr_assert_eq(s.keys_made, 0, "the supervisor's new key is used");
	cr_assert_eq(s.keys_wrapped, 0);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);
	s = do_sync(fo);
	cr_assert_eq(s.events_received, 0);
	cr_assert_not(db_has("fo-ng", "Zzyzxlater"));
	/* The supervisor has every event. */
	cr_assert(db_has("sup-1", "Zzyzxlater"));
}

/* The last count an import reported: how many files it took in. */
static int last_import(const sync_progress *p, void *payload)
{
	size_t *n = payload;

	if (p->step == SYNC_STEP_IMPORT && !p->starting && p->current == p->total)
		*n = p->total;
	return 0;
}

/* A sync that imports one file at a time: every case folder ends a batch. */
static sync_result sync_in_batches(hw_ws *ws, size_t *imported)
{
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;

	o.roster = roster_each;
	o.import_batch = 1;
	o.progress = last_import;
	o.payload = imported;
	*imported = 0;
	cr_assert_eq(sync_run(ws, &o, &res), 0, "sync: %s", ws_error(ws)->msg);
	return res;
}

/*
 * The import takes main's files in batches as the diff gives them.  A
 * case newly wrapped for a device is read again whole (its older events),
 * except what the diff brought already: a batch never ends inside a case
 * folder, so a case's new event, its wrap and its older events are read
 * in the same batch, each once.  Nothing is left out between batches, on
 * a device's later import as on a first one.
 */
Test(sealsync, an_import_in_batches_reads_each_file_once)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	hw_ws *fo = join("fo-ng", "field_officer", "ng-lagos");
	hw_ws *sup2 = join("sup-2", "supervisor", NULL);   /* imports only at the end */
	char id[6][HW_UUID_LEN + 1], own[HW_UUID_LEN + 1], name[32];
	size_t imported = 0;
	sync_result s;
	merge_result m;
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "Zzbatch%c", 'a' + i);
		open_case(c1, "Qadiraxq", name, "1977-03-05", id[i]);
		cr_assert_eq(case_update(c1, id[i], "given_name", "Second"), 0);
		cr_assert_eq(case_update(c1, id[i], "given_name", "Third"), 0);
	}
	/* The field officer's own case: the team knows it. */
	open_case(fo, "Other", "Person", "1980-01-01", own);
	do_sync(c1);
	do_sync(fo);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.events_merged, 19);
	merge_result_free(&m);

	/* Not a recipient of the counsellor's cases: withheld, each file once. */
	s = sync_in_batches(fo, &imported);
	cr_assert_eq(s.events_received, 0);
	cr_assert_eq(s.withheld, 18);
	cr_assert_eq(imported, 19, "%zu files read: 18 withheld and its own", imported);

	/* Three cases assigned to it; one of them gains an event meanwhile. */
	for (i = 0; i < 3; i++)
		cr_assert_eq(case_assign(sup, id[i], "fo-ng", "field_officer", NULL, NULL, NULL), 0,
			     "%s", ws_error(sup)->msg);
	m = do_merge(sup);
	merge_result_free(&m);
	do_sync(c1);
	cr_assert_eq(case_update(c1, id[1], "given_name", "Fourth"), 0);
	do_sync(c1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);

	/*
	 * Nine older events, three assignments and the new event, each read
	 * once: the new event and the assignments are in the diff and in their
	 * cases' folders both.
	 */
	s = sync_in_batches(fo, &imported);
	cr_assert_eq(s.events_received, 13);
	cr_assert_eq(s.withheld, 0);
	cr_assert_eq(s.skipped, 0);
	cr_assert_eq(imported, 13, "%zu files read for 13 events", imported);
	for (i = 0; i < 6; i++)
		cr_assert_eq(has_case(fo, id[i]), i < 3, "case %d", i);
	cr_assert(db_has("fo-ng", "Fourth"));

	/* A second supervisor's first import: every case, every event once. */
	s = sync_in_batches(sup2, &imported);
	cr_assert_eq(s.events_received, 23, "%zu events: 19 openings and updates, 3 assignments, 1 more",
		     s.events_received);
	cr_assert_eq(s.withheld, 0);
	cr_assert_eq(imported, 23);
	for (i = 0; i < 6; i++)
		cr_assert(has_case(sup2, id[i]), "case %d", i);
	cr_assert(has_case(sup2, own));
}

Test(sealsync, a_provider_receives_a_referred_case_with_consent)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	hw_ws *fo = join("fo-ng", "field_officer", "ng-lagos");
	char id[HW_UUID_LEN + 1];
	merge_result m;

	open_case(c1, "Qadiraxq", "Zzyzxrefer", "1977-03-05", id);
	do_sync(c1);
	m = do_merge(sup);
	merge_result_free(&m);
	do_sync(fo);
	cr_assert_not(has_case(fo, id));
	cr_assert_eq(consent_record(c1, id, "share_with_provider", 1, "ng-lagos",
				    NULL, NULL, NULL), 0, "%s", ws_error(c1)->msg);
	cr_assert_eq(referral_send(c1, id, "ng-lagos", "cash", NULL, NULL, NULL, NULL),
		     0, "%s", ws_error(c1)->msg);
	do_sync(c1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);
	do_sync(fo);
	cr_assert(has_case(fo, id), "referred with consent, the provider's device reads it");
}

Test(sealsync, merge_refuses_files_in_clear_once_cases_are_sealed)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	char id[HW_UUID_LEN + 1];
	sync_result s;
	merge_result m;
	size_t i;
	int clear = 0;

	open_case(c1, "Qadiraxq", "Zzyzxsealed", "1977-03-05", id);
	do_sync(c1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);
	open_case(c1, "Qadiraxq", "Zzyzxclear", "1977-03-05", id);
	/* A sync without a roster writes clear files. */
	cr_assert_eq(sync_run(c1, NULL, &s), 0, "%s", ws_error(c1)->msg);
	m = do_merge(sup);
	for (i = 0; i < m.nrejections; i++)
		if (strstr(m.rejections[i].reason, "not sealed"))
			clear++;
	cr_assert_eq(clear, 1);
	cr_assert_eq(m.events_merged, 0);
	merge_result_free(&m);
}

Test(sealsync, a_sync_cut_after_its_commit_seals_nothing_twice)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	char id[HW_UUID_LEN + 1];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result s;
	merge_result m;

	open_case(c1, "Qadiraxq", "Zzyzxcut", "1977-03-05", id);
	o.roster = roster_each;
	o.stop_after = SYNC_STEP_COMMIT;
	cr_assert_eq(sync_run(c1, &o, &s), HW_ERROR);
	s = do_sync(c1);
	cr_assert_eq(s.events_sent, 1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.events_merged, 1);
	merge_result_free(&m);
}

/* True if any file of main's tree (not its history) holds needle. */
static int main_tree_has(const char *needle)
{
	char cmd[14000], out[4500];

	snprintf(out, sizeof(out), "%s/tree.txt", tmp);
	snprintf(cmd, sizeof(cmd),
		 "git -C '%s' ls-tree -r main | awk '{print $3}' | git -C '%s' cat-file --batch > '%s'",
		 central, central, out);
	cr_assert_eq(system(cmd), 0);
	return file_has(out, needle);
}

Test(sealsync, migration_seals_a_clear_main_and_keeps_unsynced_work)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	hw_ws *fo = join("fo-ng", "field_officer", "ng-lagos");
	char id[HW_UUID_LEN + 1], late[HW_UUID_LEN + 1];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result s;
	merge_result m;
	migrate_result mr;

	/* Before sealing: everything in clear on main. */
	open_case(c1, "Qadiraxq", "Zzyzxmigrate", "1977-03-05", id);
	cr_assert_eq(sync_run(c1, NULL, &s), 0, "%s", ws_error(c1)->msg);
	cr_assert_eq(merge_run(sup, NULL, &m), 0, "%s", ws_error(sup)->msg);
	cr_assert_eq(m.events_merged, 1);
	merge_result_free(&m);
	cr_assert(main_tree_has("Zzyzxmigrate"));
	/* Work recorded and not yet synced when the repository changes. */
	open_case(c1, "Qadiraxq", "Zzyzxunsynced", "1977-03-05", late);

	/* Without the roster the sealing step waits: nothing changes. */
	cr_assert_eq(migrate_repository(sup, NULL, 0, &mr), 0, "%s", ws_error(sup)->msg);
	cr_assert_eq(mr.migrated, 0);
	cr_assert_eq(mr.from, mr.to);

	o.roster = roster_each;
	cr_assert_eq(migrate_repository(sup, &o, 1, &mr), 0, "%s", ws_error(sup)->msg);
	cr_assert_eq(mr.migrated, 0, "a dry run changes nothing");
	cr_assert(main_tree_has("Zzyzxmigrate"));
	cr_assert_eq(migrate_repository(sup, &o, 0, &mr), 0, "%s", ws_error(sup)->msg);
	cr_assert_eq(mr.migrated, 1);
	cr_assert_eq(mr.to, mr.from + 1);
	cr_assert_not(main_tree_has("Zzyzxmigrate"), "main's files are sealed");
	cr_assert_not(main_tree_has("Qadiraxq"));
	cr_assert_not(main_tree_has("1977-03-05"));

	/* The counsellor follows: its unsynced case goes out sealed, nothing lost. */
	s = do_sync(c1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	merge_result_free(&m);
	cr_assert(has_case(sup, late), "the work recorded before the migration arrives");
	cr_assert(has_case(sup, id));
	cr_assert_not(main_tree_has("Zzyzxunsynced"));
	s = do_sync(c1);
	cr_assert(has_case(c1, id));
	cr_assert(has_case(c1, late));
	/* A field officer who is no recipient receives neither. */
	s = do_sync(fo);
	cr_assert_not(has_case(fo, id));
	cr_assert_not(db_has("fo-ng", "Zzyzxmigrate"));
	cr_assert_not(db_has("fo-ng", "Zzyzxunsynced"));
}

Test(sealsync, a_changed_byte_in_a_sealed_event_is_refused_naming_the_file)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	char id[HW_UUID_LEN + 1], cmd[20000];
	merge_result m;
	size_t i;
	int named = 0;

	open_case(c1, "Qadiraxq", "Zzyzxtamper", "1977-03-05", id);
	do_sync(c1);
	/* Someone with the host's access flips the last byte of the sealed event
	 * in the commit that adds it. */
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd '%s'; git clone -q '%s' work 2>/dev/null; cd work; "
		 "git checkout -q devices/coun-1; f=$(git ls-files | grep '/events/' | head -1); "
		 "perl -0777 -pi -e 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' \"$f\"; "
		 "git -c user.name=x -c user.email=x@x commit -q -a --amend -m tamper; "
		 "git push -q -f origin HEAD:refs/heads/devices/coun-1",
		 tmp, central);
	cr_assert_eq(system(cmd), 0);
	m = do_merge(sup);
	for (i = 0; i < m.nrejections; i++)
		if (strstr(m.rejections[i].path, "/events/") &&
		    strstr(m.rejections[i].reason, "does not open"))
			named++;
	cr_assert_geq(named, 1, "the tampered file is named");
	cr_assert_eq(m.events_merged, 0);
	cr_assert_not(has_case(sup, id));
	merge_result_free(&m);
}

/*
 * What a device sends goes in commits of at most so many files, whole
 * cases each (its events and the wrap files beside them), so that a
 * first push of many cases stays within the files a merge takes from one
 * commit (SYNC_MAX_COMMIT_FILES): at 200,000 cases sealed to three
 * recipients, one commit of 800,000 files was refused whole.  Here the
 * size of a commit is 4 files instead of SYNC_COMMIT_FILES.
 */
Test(sealsync, a_first_push_goes_in_commits_of_whole_cases_that_merge_takes)
{
	hw_ws *sup = join("sup-1", "supervisor", NULL);
	hw_ws *c1 = join("coun-1", "counsellor", NULL);
	char id[HW_UUID_LEN + 1], cmd[16000], out[4500], *text = NULL;
	sync_opts o = SYNC_OPTS_INIT;
	sync_result s;
	merge_result m;
	size_t len = 0;
	int i, commits = -1, most = -1, split = -1;

	for (i = 0; i < 6; i++)
		open_case(c1, "Amina", "Commitsize", "1990-01-01", id);
	cr_assert_eq(case_update(c1, id, "family_name", "Commitsize-two"), 0);
	o.roster = roster_each;
	o.commit_files = 4;
	cr_assert_eq(sync_run(c1, &o, &s), 0, "sync: %s", ws_error(c1)->msg);
	cr_assert_eq(s.events_sent, 7);
	/* Per commit of the branch: the files it adds, and the case folders. */
	snprintf(out, sizeof(out), "%s/commits.txt", tmp);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && for c in $(git rev-list refs/heads/devices/coun-1); do"
		 " git diff-tree -r --root --no-commit-id --name-only --diff-filter=A $c | grep '^cases/' |"
		 " sed \"s|^\\(cases/./././[^/]*\\)/.*|$c \\1|\"; done | sort >files &&"
		 " echo $(cut -d' ' -f1 files | uniq | wc -l) $(cut -d' ' -f1 files | uniq -c | sort -n |"
		 " tail -n 1 | awk '{print $1}') $(sort -u files | cut -d' ' -f2 | sort | uniq -d | wc -l) >'%s'",
		 central, out);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(hw_read_file(out, &text, &len, NULL), 0);
	cr_assert_eq(sscanf(text, "%d %d %d", &commits, &most, &split), 3, "%s", text);
	free(text);
	/* 6 cases of 3 files (an event, two wraps) and one of 4: 19 files. */
	cr_assert_geq(commits, 5, "the branch has %d commits with cases", commits);
	cr_assert_leq(most, 4, "a commit adds %d files", most);
	cr_assert_eq(split, 0, "%d cases are split between commits", split);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.events_merged, 7);
	merge_result_free(&m);
	cr_assert(has_case(sup, id), "the supervisor reads the case");
	/* A later sync goes on from the branch's tip, one commit. */
	open_case(c1, "Omar", "Commitsize", "1990-01-01", id);
	s = do_sync(c1);
	cr_assert_eq(s.events_sent, 1);
	m = do_merge(sup);
	cr_assert_eq(m.nrejections, 0);
	cr_assert_eq(m.events_merged, 1);
	merge_result_free(&m);
}
