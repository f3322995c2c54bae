/*
 * gen-cases.c: add N fictional cases to an initialised workspace through
 * the core library (case_open: the program's own events, checks, folding
 * and index), in batches of one transaction each, so that every scale
 * measure uses the program's own data path.
 *
 *   bench/gen-cases WORKSPACE N [--work] [--events K]
 *
 * With --events K each case gets K events: its opening, then K - 1
 * changes of its family name, each after the one before (a chain, as a
 * counsellor correcting a record makes); bench-limits uses it for one case
 * of 10,000 events.  They are the program's events (event_new, stored as
 * pending, the author the roster's name), the case folded once at the
 * end: case_update folds the whole case at each change, which at 10,000
 * events would take most of an hour.
 *
 * With --work each case also gets the work of a return programme, on days
 * spread over 2025 (the clock is fixed for each step, so the events carry
 * those days): most are decided, then depart, arrive (which schedules the
 * follow-up rounds) and have a follow-up; most of those that arrive are
 * referred to a provider of their country, whose referrals move on from
 * sent; and each gets five submissions, one of each of five forms (a
 * minimal instance: meta/instanceID), the last one the follow-up form (with
 * its round and scores when the case arrived).  The reports' benchmark
 * (bench/bench_reports) reads such a workspace.
 *
 * The workspace is opened, and its device keys unlocked, as every command
 * does: the passphrase is the first line of the descriptor
 * $HOMEWARD_PASSPHRASE_FD.  Prints the number
 * of cases added and the rate on stderr.  The names are drawn from short
 * fictional lists; the cases are LOCAL, ready for `homeward sync`.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "event.h"
#include "crypto.h"
#include "store.h"
#include "team.h"
#include "util.h"
#include "workspace.h"

#define BATCH 10000    /* cases per transaction */

/* The forms of the five submissions --work gives each case (the follow-up form last). */
static const char *const work_forms[] = {
	"first-contact", "vulnerability-screening", "needs-assessment", "pre-departure",
	"reintegration-follow-up"
};

/* Fix the clock at 10:00 UTC on day (days since 1970-01-01). */
static void clock_day(long day)
{
	hw_clock_fix((time_t)day * 86400 + 36000);
}

/* day as YYYY-MM-DD. */
static void day_text(long day, char out[11])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A minimal submission of form to the case, recorded as the program does (stored, then the event). */
static int add_submission(hw_ws *ws, const char *case_id, const char *form, const char *round)
{
	char uuid[HW_UUID_LEN + 1], inst[HW_UUID_LEN + 6], sha[HW_SHA256_HEX + 1], xml[1024], body[512] = "";
	char now[HW_TIME_LEN + 1], *data;
	const char *kv[16];
	store_submission sub;
	size_t k = 0;
	int rc, len;

	if (hw_uuid(uuid) < 0)
		return HW_ERROR;
	snprintf(inst, sizeof(inst), "uuid:%s", uuid);
	if (round) {
		/* A follow-up's round and the scores the form computes, as its instance holds them. */
		unsigned r = (unsigned)uuid[0] * 31u + (unsigned)uuid[1] * 7u + (unsigned)uuid[2];

		snprintf(body, sizeof(body), "<visit_round>%s</visit_round><scores><economic_score>0.%02u"
			 "</economic_score><social_score>0.%02u</social_score><psychosocial_score>0.%02u"
			 "</psychosocial_score><composite_score>0.%02u</composite_score></scores>",
			 round, r % 100, (r / 3) % 100, (r / 7) % 100, (r / 11) % 100);
	}
	len = snprintf(xml, sizeof(xml), "<data id=\"%s\" version=\"1\">%s<meta><instanceID>%s</instanceID>"
		       "</meta></data>", form, body, inst);
	hw_sha256_hex(xml, (size_t)len, sha);
	hw_now_iso(now);
	sub.instance_id = inst;
	sub.case_id = (char *)case_id;
	sub.form_id = (char *)form;
	sub.form_version = "1";
	sub.created_at = now;
	sub.sha256 = sha;
	kv[k++] = "form_id"; kv[k++] = form;
	kv[k++] = "form_version"; kv[k++] = "1";
	kv[k++] = "instance_id"; kv[k++] = inst;
	kv[k++] = "sha256"; kv[k++] = sha;
	if (round) {
		kv[k++] = "milestone"; kv[k++] = "follow_up";
		kv[k++] = "follow_up_round"; kv[k++] = round;
	}
	kv[k] = NULL;
	if (!(data = event_data_build(kv)))
		return HW_ERROR;
	if ((rc = store_submission_put(ws_store(ws), &sub, xml, (size_t)len, STORE_LOCAL, NULL,
				       ws_err(ws))) == 0)
		rc = case_record(ws, case_id, EV_FORM_SUBMITTED, data, NULL);
	free(data);
	return rc;
}

/*
 * Most cases that arrived in a country with a provider in providers.csv
 * are referred to it the week after arriving (with the consent to share
 * recorded first, as the program requires), and the provider moves the
 * referral on: some stay sent, others are accepted, in progress or
 * delivered a few days to weeks later.  So the referrals report at scale
 * reads referrals in every status.
 */
static int add_referral(hw_ws *ws, const char *id, const char *country, long arrived, unsigned r)
{
	static const struct { const char *country, *provider; } providers[] = {
		{ "NG", "ng-lagos-reintegration" }, { "IQ", "iq-erbil-return-support" },
		{ "AF", "af-kabul-reintegration" }, { "MA", "ma-casablanca-insertion" },
		{ "GE", "ge-tbilisi-reintegration" }, { "SN", "sn-dakar-reinsertion" },
	};
	static const char *const statuses[] = { "accepted", "in_progress", "service_delivered" };
	const char *provider = NULL;
	char ref[HW_UUID_LEN + 1];
	unsigned steps = (r >> 26) % 4;
	long day = arrived + 2 + (long)((r >> 3) % 6);
	int rc;

	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (!strcmp(providers[i].country, country))
			provider = providers[i].provider;
	if (!provider || (r >> 9) % 10 >= 8)
		return 0;
	clock_day(day);
	/* A child's consent is given with a guardian present. */
	rc = consent_record(ws, id, "share_with_provider", 1, provider, "interpreter", NULL, NULL);
	if (rc == HW_EINVALID)
		rc = consent_record(ws, id, "share_with_provider", 1, provider, "guardian,interpreter", NULL, NULL);
	if (rc < 0 || (rc = referral_send(ws, id, provider, "reception,cash", NULL, NULL, NULL, ref)) < 0)
		return rc;
	/* One in eight is declined instead (a decline needs its reason). */
	if (steps == 1 && (r >> 30) & 1) {
		clock_day(day + 4);
		return referral_update(ws, ref, "declined", "no capacity this month");
	}
	for (unsigned k = 0; k < steps && rc == 0; k++) {
		day += 3 + (long)((r >> (k * 4)) % 20);
		clock_day(day);
		rc = referral_update(ws, ref, statuses[k], NULL);
	}
	return rc;
}

/*
 * The work of one case opened on day open (r: its random bits): about 85%
 * decided to return after 3 to 60 days, 70% departed 7 to 45 days later,
 * 60% arrived 1 to 3 days after, and those followed up 80 to 120 days after
 * arriving; five submissions.
 */
static int add_work(hw_ws *ws, const char *id, const char *country, long open, unsigned r)
{
	static const char *const types[] = { "assisted_voluntary", "independent_voluntary", "forced" };
	long decided = open + 3 + (long)(r % 58), departed = decided + 7 + (long)((r >> 6) % 39);
	long arrived = departed + 1 + (long)((r >> 12) % 3), followed = arrived + 80 + (long)((r >> 14) % 41);
	unsigned pct = (r >> 20) % 100;
	char date[11];
	int rc = 0;

	for (int i = 0; i < 4 && rc == 0; i++)
		rc = add_submission(ws, id, work_forms[i], NULL);
	if (rc < 0 || pct >= 85)
		return rc < 0 ? rc : add_submission(ws, id, work_forms[4], NULL);
	clock_day(decided);
	day_text(decided, date);
	if ((rc = case_decide(ws, id, "return", date, NULL)) < 0 || pct >= 70)
		return rc < 0 ? rc : add_submission(ws, id, work_forms[4], NULL);
	clock_day(departed);
	day_text(departed, date);
	if ((rc = case_depart(ws, id, date, types[(r >> 24) % 3], pct < 40 ? "cash" : NULL)) < 0 ||
	    pct >= 60)
		return rc < 0 ? rc : add_submission(ws, id, work_forms[4], NULL);
	clock_day(arrived);
	day_text(arrived, date);
	if ((rc = case_arrive(ws, id, date)) < 0 || (rc = add_referral(ws, id, country, arrived, r)) < 0)
		return rc;
	clock_day(followed);
	return add_submission(ws, id, work_forms[4], "m3");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "gen-cases: %s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	return 1;
}

/*
 * The first line of descriptor fd into s; a regular file is read from its
 * start without moving its offset (pread), as the commands do, so that one
 * descriptor serves every program a script runs.
 */
static int read_line_fd(int fd, hw_secret *s)
{
	struct stat sb;
	int regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	char *buf = secret_data(s);
	size_t len = 0;
	off_t at = 0;

	for (;;) {
		char c;
		ssize_t r = regular ? pread(fd, &c, 1, at) : read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		at++;
		if (len + 1 >= secret_cap(s))
			return -1;
		buf[len++] = c;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	secret_set_len(s, len);
	return 0;
}

/* Unlock the device keys with the passphrase of $HOMEWARD_PASSPHRASE_FD, when there are keys. */
/* The passphrase from the descriptor $HOMEWARD_PASSPHRASE_FD: it opens the database and the keys. */
static int read_passphrase(hw_secret **out)
{
	const char *v = getenv("HOMEWARD_PASSPHRASE_FD");
	hw_error err;
	char *end;
	long fd;

	*out = NULL;
	if (!v || !*v)
		return fail("the workspace is encrypted: give its passphrase on a descriptor, "
			    "HOMEWARD_PASSPHRASE_FD=N", NULL);
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 1000000)
		return fail("HOMEWARD_PASSPHRASE_FD is not a descriptor number", v);
	if (secret_new(out, 1024, &err) < 0)
		return fail("out of memory", NULL);
	if (read_line_fd((int)fd, *out) < 0) {
		secret_free(*out);
		*out = NULL;
		return fail("cannot read the passphrase from the descriptor", v);
	}
	return 0;
}

static int unlock(hw_ws *ws, const hw_secret *pass)
{
	if (!ws_has_keys(ws))
		return 0;
	if (ws_unlock(ws, pass) < 0)
		return fail("unlocking the device keys", ws_error(ws)->msg);
	return 0;
}

/* The id of a case's latest event (the last one stored: gen-cases makes a chain). */
static int last_event(const char *json, void *payload)
{
	hw_event *ev = NULL;

	if (event_parse(&ev, json, strlen(json), NULL) == 0)
		snprintf(payload, HW_UUID_LEN + 1, "%s", ev->id);
	event_free(ev);
	return 0;
}

/* k - 1 changes of the family name of case id after its latest event, each the next one's parent. */
static int add_chain(hw_ws *ws, const char *id, const char *family, unsigned long long k)
{
	char prev[HW_UUID_LEN + 1] = "", author[512], name[64], *json = NULL, *data = NULL;
	const char *parents[1] = { prev };
	hw_event *ev = NULL;
	unsigned long long i;
	int rc = 0;

	if ((rc = store_case_events(ws_store(ws), id, last_event, prev, ws_err(ws))) < 0)
		return rc;
	if (!prev[0])
		return hw_error_set(ws_err(ws), HW_ENOTFOUND, "no case %s", id);
	team_author(ws, author, sizeof author);
	for (i = 1; i < k && rc == 0; i++) {
		const char *kv[] = { "family_name", name, NULL };

		snprintf(name, sizeof name, "%s-%llu", family, i);
		if (!(data = event_data_build(kv)))
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		else if ((rc = event_new(&ev, id, EV_CASE_UPDATED, author, ws_device_id(ws), parents, 1,
					 data, ws_err(ws))) == 0 &&
			 (rc = event_to_json(&json, ev, ws_err(ws))) == 0 &&
			 (rc = store_event_put(ws_store(ws), ev, json, STORE_LOCAL, NULL, ws_err(ws))) == 0)
			memcpy(prev, ev->id, sizeof prev);
		free(data);
		free(json);
		event_free(ev);
		data = json = NULL;
		ev = NULL;
	}
	return rc < 0 ? rc : case_refold(ws, id);
}

int main(int argc, char **argv)
{
	static const char *const given[] = { "Amina", "Yusuf", "Layla", "Karim", "Elene", "Omar",
					     "Nadia", "Tariq", "Mariam", "Samir", "Leyla" };
	static const char *const family[] = { "Okafor", "Haddad", "Rahimi", "Bello", "Sample",
					      "Mensah", "Diallo", "Karimi", "Nasser", "Adeyemi",
					      "Hakimi", "Farouk", "Osei" };
	static const char *const country[] = { "NG", "IQ", "AF", "MA", "GE", "SY", "GH", "SN" };
	static const char *const language[] = { "ar", "en", "fr", "fa" };
	char id[HW_UUID_LEN + 1], birth[11], *end;
	hw_ws *ws = NULL;
	hw_secret *pass = NULL;
	ws_options o = WS_OPTIONS_INIT;
	hw_error err;
	unsigned long long n, i, per_case = 1;
	unsigned seed;
	double t0;
	int in_tx = 0, st = 1, work = 0;

	while (argc > 3) {
		if (!strcmp(argv[argc - 1], "--work")) {
			work = 1, argc--;
		} else if (argc > 4 && !strcmp(argv[argc - 2], "--events")) {
			errno = 0;
			per_case = strtoull(argv[argc - 1], &end, 10);
			if (errno || *end || argv[argc - 1][0] == '-' || per_case < 1 || per_case > 1000000ULL) {
				fprintf(stderr, "gen-cases: --events K must be from 1 to 1000000\n");
				return 2;
			}
			argc -= 2;
		} else {
			break;
		}
	}
	if (argc != 3) {
		fprintf(stderr, "Usage: [GEN_DEVICE_ID=ID] gen-cases WORKSPACE N [--work] [--events K]\n");
		return 2;
	}
	errno = 0;
	n = strtoull(argv[2], &end, 10);
	if (errno || *end || argv[2][0] == '-' || n > 10000000ULL) {
		fprintf(stderr, "gen-cases: N must be a number of cases (at most 10000000)\n");
		return 2;
	}
	if (read_passphrase(&pass) != 0)
		return 1;
	o.passphrase = pass;
	if (ws_open_ext(&ws, argv[1], &o, &err) < 0) {
		secret_free(pass);
		return fail(argv[1], err.msg);
	}
	if (!ws_is_initialised(ws)) {
		fail(argv[1], "not an initialised workspace (homeward init first)");
		goto cleanup;
	}
	/* GEN_DEVICE_ID: a copied workspace becomes another device (bench-scale's devices). */
	if (getenv("GEN_DEVICE_ID") && *getenv("GEN_DEVICE_ID") &&
	    ws_set(ws, WS_DEVICE_ID, getenv("GEN_DEVICE_ID")) < 0) {
		fail("setting the device id", ws_error(ws)->msg);
		goto cleanup;
	}
	if (unlock(ws, pass) != 0)
		goto cleanup;
	seed = (unsigned)time(NULL);
	t0 = now();
	for (i = 0; i < n; i++) {
		case_fields f = CASE_FIELDS_INIT;
		unsigned r = seed + (unsigned)i * 2654435761u;

		if (!in_tx) {
			if (store_begin(ws_store(ws), ws_err(ws)) < 0) {
				fail("beginning a transaction", ws_error(ws)->msg);
				goto cleanup;
			}
			in_tx = 1;
		}
		snprintf(birth, sizeof birth, "%04u-%02u-%02u", 1950 + r % 60, 1 + (r >> 8) % 12,
			 1 + (r >> 12) % 28);
		f.given_name = given[(r >> 3) % 11];
		f.family_name = family[(r >> 7) % 13];
		f.birth_date = birth;
		f.sex = (r >> 16) % 2 ? "female" : "male";
		f.nationality = f.return_country = country[(r >> 17) % 8];
		f.language = language[(r >> 20) % 4];
		/* 2025-01-01 is day 20089: cases opened over that year. */
		if (work)
			clock_day(20089 + (long)((r >> 4) % 365));
		if (case_open(ws, &f, id) < 0) {
			fail("opening a case", ws_error(ws)->msg);
			goto cleanup;
		}
		if (per_case > 1 && add_chain(ws, id, f.family_name, per_case) < 0) {
			fail("changing a case", ws_error(ws)->msg);
			goto cleanup;
		}
		if (work && add_work(ws, id, f.return_country, 20089 + (long)((r >> 4) % 365), r * 2246822519u + 7) < 0) {
			fail("recording the work of a case", ws_error(ws)->msg);
			goto cleanup;
		}
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "gen-cases: %llu cases (%.1f s)\n", i + 1, now() - t0);
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			in_tx = 0;
			if (store_commit(ws_store(ws), ws_err(ws)) < 0) {
				fail("committing", ws_error(ws)->msg);
				goto cleanup;
			}
		}
	}
	{
		double dt = now() - t0;

		fprintf(stderr, "gen-cases: %llu cases in %.2f s (%.0f cases/s)\n", n, dt,
			dt > 0 ? (double)n / dt : 0.0);
	}
	st = 0;
cleanup:
	if (in_tx)
		store_rollback(ws_store(ws));
	ws_free(ws);
	secret_free(pass);
	return st;
}
