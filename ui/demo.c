/*
 * demo.c: a fresh demo workspace, so a new user can try every screen at
 * once: a local bare "central" repository as the sync remote, a team of two
 * (a supervisor's workspace beside the counsellor's, which has enrolled the
 * counsellor's device, so that sync works as it does in the field), and a
 * handful of clearly fictional cases at different stages of their work, one
 * of them a child, with appointments due today, soon and overdue and a
 * referral waiting for an answer.  Dates are relative to today, so the
 * agenda has something to show whenever the demo starts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cli.h"
#include "i18n.h"
#include "agenda.h"
#include "crypto.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "team.h"
#include "tui.h"
#include "util.h"
#include "workspace.h"

/* Fictional people: the family names say so. */
static const case_fields demo_cases[] = {
	{ "Amina", "Example", "1991-04-12", NULL, "female", "NG", "NG", "en", NULL },
	{ "Yusuf", "Sample", "1984-09-30", NULL, "male", "IQ", "IQ", "ar", NULL },
	{ "Layla", "Demo", "2013-02-05", NULL, "female", "AF", "AF", "fa", "minor unaccompanied_minor" },
	{ "Karim", "Fictional", NULL, "1960", "male", "MA", "MA", "ar", "elderly medical" },
	{ "Elene", "Placeholder", "1997-11-21", NULL, "female", "GE", "GE", "en", "pregnant" },
};

/* today + days, as YYYY-MM-DD. */
static const char *demo_day(long days, char out[11])
{
	char today[11];

	agenda_today(today);
	if (agenda_add_days(today, days, out) < 0)
		memcpy(out, today, sizeof(today));
	return out;
}

/*
 * The work done on demo case i so far: each case shows another part of the
 * program (stages, the agenda, referrals, the follow-up rounds scheduled on
 * arrival).  Strings that a counsellor would type are translated.
 */
static int demo_work(hw_ws *ws, size_t i, const char *id)
{
	appointment_opts a = APPOINTMENT_OPTS_INIT;
	char d1[11], d2[11], d3[11];

	switch (i) {
	case 0:  /* Amina: returned four months ago; her first follow-up round is overdue */
		if (consent_record(ws, id, "counselling", 1, NULL, NULL, "en", NULL) < 0 ||
		    consent_record(ws, id, "data_processing", 1, NULL, NULL, "en", NULL) < 0 ||
		    consent_record(ws, id, "share_with_provider", 1, "ng-lagos-reintegration", NULL,
				   "en", NULL) < 0 ||
		    case_decide(ws, id, "return", demo_day(-150, d1), NULL) < 0 ||
		    case_depart(ws, id, demo_day(-110, d2), "assisted_voluntary",
				"reception,cash,business") < 0 ||
		    case_arrive(ws, id, demo_day(-108, d3)) < 0)
			return -1;
		return referral_send(ws, id, "ng-lagos-reintegration", "business,psychosocial", NULL,
				     NULL, _("Wants to reopen her tailoring shop."), NULL);
	case 1:  /* Yusuf: decided to return; the pre-departure briefing is in two days */
		if (consent_record(ws, id, "counselling", 1, NULL, NULL, "ar", NULL) < 0 ||
		    case_decide(ws, id, "return", demo_day(-10, d1), NULL) < 0)
			return -1;
		a.date = demo_day(2, d2);
		a.time = "10:00";
		a.place = _("Room 2, with an Arabic interpreter");
		a.purpose = _("Pre-departure briefing");
		return appointment_set(ws, id, &a, NULL);
	case 2:  /* Layla: a child; her best-interests assessment is today */
		a.date = demo_day(0, d1);
		a.time = "14:30";
		a.place = _("Family room");
		a.purpose = _("Best-interests assessment, with her guardian");
		return appointment_set(ws, id, &a, NULL);
	case 3:  /* Karim: a phone call tomorrow */
		a.date = demo_day(1, d1);
		a.channel = "phone";
		a.purpose = _("Medical needs before travel");
		return appointment_set(ws, id, &a, NULL);
	default:
		return 0;
	}
}

/*
 * The demo team: a supervisor's workspace (base/supervisor, the same demo
 * passphrase) founds it, the counsellor's device joins with its
 * fingerprint and sends its request, and the supervisor adds it and
 * merges, which publishes the roster on the central repository.
 */
static int demo_team(const cli_globals *g, const char *base, const char *central,
		     const hw_secret *pass, hw_ws *ws, hw_error *err)
{
	hw_ws *sup = NULL;
	ws_options o;
	team_request_info req;
	merge_result mr;
	char fp[KEYS_FINGERPRINT_TEXT];
	char *dir = hw_path_join(base, "supervisor"), *data = NULL;
	size_t len = 0;
	int rc = -1, merged = 0;

	memset(&mr, 0, sizeof(mr));
	cli_ws_options(&o, g, WS_OPEN_CREATE);
	o.passphrase = pass;
	if (!dir) {
		hw_error_set(err, HW_ERROR, "out of memory");
		goto done;
	}
	if (ws_open_ext(&sup, dir, &o, err) < 0)
		goto done;
	if (ws_init(sup, "demo-hq", _("Demo Supervisor"), "supervisor", central) < 0 ||
	    ws_make_keys(sup, pass) < 0 || team_found(sup, _("Demo Supervisor")) < 0) {
		*err = *ws_error(sup);
		goto done;
	}
	keys_fingerprint(keys_sign_public(ws_keys(sup)), fp);
	if (team_pin(ws, fp) < 0 || team_request(ws, &data, &len) < 0) {
		*err = *ws_error(ws);
		goto done;
	}
	if (team_request_parse(&req, data, len, err) < 0)
		goto done;
	if (team_add(sup, &req, "counsellor", _("Return counselling service")) < 0) {
		*err = *ws_error(sup);
		goto done;
	}
	merged = 1;
	if (merge_run(sup, NULL, &mr) < 0) {
		*err = *ws_error(sup);
		goto done;
	}
	rc = 0;
done:
	if (merged)
		merge_result_free(&mr);
	ws_free(sup);
	free(data);
	free(dir);
	return rc;
}

int cli_demo_passphrase(hw_secret **out)
{
	hw_error err = { 0, "" };

	if (secret_new(out, 64, &err) < 0)
		return cli_fail(&err);
	memcpy(secret_data(*out), TUI_DEMO_PASSPHRASE, strlen(TUI_DEMO_PASSPHRASE));
	secret_set_len(*out, strlen(TUI_DEMO_PASSPHRASE));
	return 0;
}

int cli_demo_prepare(const cli_globals *g, char **out_dir)
{
	const char *tmp = getenv("TMPDIR");
	char *base = NULL, *ws_dir = NULL, *central = NULL;
	hw_error err = { 0, "" };
	hw_repo *repo = NULL;
	hw_ws *ws = NULL;
	hw_secret *pass = NULL;
	ws_options o;
	char id[HW_UUID_LEN + 1];
	int st = 1;

	*out_dir = NULL;
	base = hw_path_join(tmp && *tmp ? tmp : "/tmp", "homeward-demo-XXXXXX");
	if (!base || !mkdtemp(base)) {
		st = cli_error("%s", _("cannot create a folder for the demo workspace"));
		goto done;
	}
	central = hw_path_join(base, "central.git");
	ws_dir = hw_path_join(base, "workspace");
	if (repo_open(&repo, central, 1, &err) < 0) {
		st = cli_fail(&err);
		goto done;
	}
	/* The demo's keys and database are under a fixed passphrase, used without asking. */
	if ((st = cli_demo_passphrase(&pass)) != 0)
		goto done;
	st = 1;
	cli_ws_options(&o, g, WS_OPEN_CREATE);
	o.passphrase = pass;
	if (ws_open_ext(&ws, ws_dir, &o, &err) < 0) {
		st = cli_fail(&err);
		goto done;
	}
	if (ws_init(ws, "demo-laptop", _("Demo Counsellor"), "counsellor", central) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (ws_make_keys(ws, pass) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (demo_team(g, base, central, pass, ws, &err) < 0) {
		st = cli_fail(&err);
		goto done;
	}
	for (size_t i = 0; i < sizeof(demo_cases) / sizeof(demo_cases[0]); i++) {
		if (case_open(ws, &demo_cases[i], id) < 0 || demo_work(ws, i, id) < 0) {
			st = cli_fail(ws_error(ws));
			goto done;
		}
	}
	*out_dir = ws_dir;
	ws_dir = NULL;
	st = 0;
done:
	secret_free(pass);
	repo_free(repo);
	ws_free(ws);
	free(base);
	free(central);
	free(ws_dir);
	return st;
}
