/*
 * bench_seal.c: what sealing cases to their recipients costs, in process
 * (keys unlocked once, as a command or the screen does), against the same
 * work in clear:
 *
 *   - importing EVENTS events (default 10,000, in cases of 10) that a
 *     counsellor synced and a supervisor merged, into a second
 *     supervisor's new workspace;
 *   - one sync of a device that recorded one new event, with that archive
 *     on main (commit, push, fetch, import).
 *
 *   bench/bench_seal [DIR] [EVENTS]     (default: a temp dir; 10000)
 *
 * fsync is off for the whole run: the disk is not what is compared.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "crypto.h"
#include "seal.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"
#include "../tests/testkey.h"

#define PER_CASE 10
#define ROUNDS 7

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The team of one run. */
static hw_ws *members[3];
static const char *const names[3] = { "coun-1", "sup-1", "sup-2" };
static const char *const roles[3] = { "counsellor", "supervisor", "supervisor" };

static int roster_each(void *roster, int (*cb)(const seal_member *m, void *payload), void *payload)
{
	int i, rc;

	(void)roster;
	for (i = 0; i < 3; i++) {
		seal_member m = { names[i], roles[i], "", keys_box_public(ws_keys(members[i])) };

		if ((rc = cb(&m, payload)) != 0)
			return rc;
	}
	return 0;
}

static void die(const char *what, hw_ws *ws)
{
	fprintf(stderr, "bench_seal: %s: %s\n", what, ws ? ws_error(ws)->msg : "");
	exit(1);
}

static hw_ws *member(const char *dir, int i, const char *central)
{
	char path[8400];
	hw_ws *ws = NULL;
	hw_secret *pass = NULL;
	hw_error err = { 0, "" };

	snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
	if (ws_open(&ws, path, WS_OPEN_CREATE, test_key(), &err) < 0 ||
	    ws_init(ws, names[i], names[i], roles[i], central) < 0 ||
	    secret_new(&pass, 8, &err) < 0)
		die("workspace", ws);
	memcpy(secret_data(pass), "bench", 5);
	secret_set_len(pass, 5);
	if (ws_make_keys(ws, pass) < 0)
		die("keys", ws);
	secret_free(pass);
	return ws;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One configuration (sealed or clear): the import time and the one-event sync median. */
static void run(const char *base, int sealed, int events, double *import_s, double *sync_s)
{
	char dir[4300], central[4400];
	sync_opts o = SYNC_OPTS_INIT;
	sync_result s;
	merge_result m;
	hw_repo *r = NULL;
	hw_error err = { 0, "" };
	char id[HW_UUID_LEN + 1];
	double t, times[ROUNDS];
	int i, j;

	snprintf(dir, sizeof(dir), "%s/%s", base, sealed ? "sealed" : "clear");
	snprintf(central, sizeof(central), "%s/central.git", dir);
	if (hw_mkdir_p(dir, NULL) < 0 || repo_open(&r, central, 1, &err) < 0)
		die(err.msg, NULL);
	repo_free(r);
	for (i = 0; i < 3; i++)
		members[i] = member(dir, i, central);
	if (sealed)
		o.roster = roster_each;

	for (i = 0; i < events / PER_CASE; i++) {
		case_fields f = CASE_FIELDS_INIT;

		f.given_name = "Amina";
		f.family_name = "Example";
		f.birth_date = "1990-04-01";
		f.return_country = "NG";
		if (case_open(members[0], &f, id) < 0)
			die("case", members[0]);
		for (j = 1; j < PER_CASE; j++)
			if (case_update(members[0], id, "given_name", j % 2 ? "Aminata" : "Amina") < 0)
				die("update", members[0]);
	}
	if (sync_run(members[0], &o, &s) < 0)
		die("sync", members[0]);
	if (merge_run(members[1], &o, &m) < 0 || m.nrejections)
		die("merge", members[1]);
	merge_result_free(&m);

	/* A new supervisor's first sync imports every event. */
	t = now();
	if (sync_run(members[2], &o, &s) < 0)
		die("import", members[2]);
	*import_s = now() - t;
	if (s.events_received != (size_t)events) {
		fprintf(stderr, "bench_seal: imported %zu of %d\n", s.events_received, events);
		exit(1);
	}

	/* One new event, synced. */
	for (i = 0; i < ROUNDS; i++) {
		if (case_update(members[0], id, "family_name", i % 2 ? "Example" : "Exemple") < 0)
			die("update", members[0]);
		t = now();
		if (sync_run(members[0], &o, &s) < 0)
			die("sync", members[0]);
		times[i] = now() - t;
	}
	qsort(times, ROUNDS, sizeof(*times), cmp_double);
	*sync_s = times[ROUNDS / 2];
	for (i = 0; i < 3; i++)
		ws_free(members[i]);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/bench-seal-XXXXXX";
	const char *base = argc > 1 ? argv[1] : mkdtemp(tmpl);
	int events = argc > 2 ? atoi(argv[2]) : 10000;
	double ic, sc, is, ss;

	if (!base || events < PER_CASE)
		return 1;
	repo_set_fsync(0);
	run(base, 0, events, &ic, &sc);
	run(base, 1, events, &is, &ss);
	printf("%-34s %10s %10s %7s\n", "", "clear", "sealed", "ratio");
	printf("%-34s %9.3fs %9.3fs %6.2fx\n", "import of events (first sync)", ic, is, is / ic);
	printf("%-34s %8.1fms %8.1fms %6.2fx\n", "one-event sync (median)", sc * 1e3, ss * 1e3,
	       ss / sc);
	printf("(%d events in %d cases; in %s)\n", events, events / PER_CASE, base);
	return 0;
}
