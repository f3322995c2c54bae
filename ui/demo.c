/*
 * demo.c: a fresh demo workspace, so a new user can try every screen at
 * once: a local bare "central" repository as the sync remote, and a handful
 * of clearly fictional cases, one of them a child.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cli.h"
#include "i18n.h"
#include "sync/repo.h"
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
	for (size_t i = 0; i < sizeof(demo_cases) / sizeof(demo_cases[0]); i++) {
		if (case_open(ws, &demo_cases[i], id) < 0) {
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
