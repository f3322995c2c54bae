/*
 * cli_doctor.c: homeward doctor, what protects this workspace and what
 * does not.  Every finding is a line; what needs attention is a warning.
 * The exit status says whether the checks ran (0), not what they found:
 * 1 only when they could not run (no workspace).  Output passes through
 * the program's one text gate (main.c), as every command's does.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "util.h"
#include "workspace.h"

/*
 * More than a repository keeps when its roll-ups work (REPO_ROLLUP_PACKS,
 * REPO_ROLLUP_LOOSE): the packs of more than REPO_ROLLUP_MAX_PACK objects
 * that stay for good come one per 100,000 objects written or so.
 */
#define DOCTOR_MAX_PACKS 64
#define DOCTOR_MAX_LOOSE (10 * REPO_ROLLUP_LOOSE)

/* One finding: a label, and what was found; a warning says so in front. */
static void line(const char *label, int warning, const char *what)
{
	/* TRANSLATORS: the label column of homeward doctor is 14 columns wide. */
	printf("%-14s %s%s\n", label, warning ? _("warning: ") : "", what);
}

int cli_doctor(int argc, char **argv, const cli_globals *g)
{
	hw_ws *ws = NULL;
	hw_error err = { 0, "" };
	char *remote = NULL, *last = NULL, shown[1024], buf[2048];
	char user[256], token[1024];
	int st, enc = 0, pending = 0, warnings = 0, rc;

	(void)argv;
	if (argc != 1)
		return cli_usage(_("usage: homeward doctor"));
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY | WS_OPEN_EXPOSED_OK)) != 0)
		return st;
	line(_("Workspace"), 0, ws_dir(ws));

	/* Database encryption. */
	if (ws_db_encrypted(ws, &enc) < 0) {
		line(_("Database"), 1, _("could not tell whether it is encrypted"));
		warnings++;
	} else if (enc) {
		line(_("Database"), 0, _("encrypted at rest"));
	} else {
		line(_("Database"), 1, _("not encrypted: anyone who gets this disk can read the cases"));
		warnings++;
	}

	/* Permissions. */
	if (ws_check_private(ws_dir(ws), &err) < 0) {
		char text[2 * PATH_MAX + 256];

		line(_("Permissions"), 1, cli_exposed_text(ws_dir(ws), text, sizeof text) == 0
		     ? text : err.msg);
		warnings++;
	} else {
		line(_("Permissions"), 0, _("private to this user"));
	}

	/* The disk. */
	rc = ws_disk_encrypted(ws_dir(ws), NULL, &enc, &err);
	if (rc < 0) {
		line(_("Disk"), 1, _("could not tell whether the disk is encrypted"));
		warnings++;
	} else if (enc) {
		line(_("Disk"), 0, _("on an encrypted device (dm-crypt)"));
	} else {
		line(_("Disk"), 1, _("not on an encrypted device: use full-disk encryption"));
		warnings++;
	}

	/* The remote, never with its userinfo. */
	if (ws_get(ws, WS_REMOTE, &remote) < 0 || !remote || !*remote) {
		line(_("Remote"), 1, _("none set: this device's work is not sent anywhere"));
		warnings++;
	} else {
		hw_url_shown(remote, shown, sizeof(shown));
		if (ws_credentials_load(ws, user, sizeof(user), token, sizeof(token)) == 0)
			snprintf(buf, sizeof(buf), _("%s (a token is stored in the credentials file)"),
				 shown);
		else
			snprintf(buf, sizeof(buf), "%s", shown);
		explicit_bzero(token, sizeof(token));
		line(_("Remote"), 0, buf);
	}

	/* Pending work and the last sync. */
	if (ws_pending_count(ws, &pending) < 0) {
		line(_("Pending"), 1, _("could not count what waits to be sent"));
		warnings++;
	} else {
		snprintf(buf, sizeof(buf), P_("%d item waits to be sent", "%d items wait to be sent",
					      pending), pending);
		line(_("Pending"), 0, buf);
	}
	if (ws_get(ws, SYNC_LAST_OK, &last) < 0 || !last || !*last) {
		line(_("Last sync"), 1, _("never"));
		warnings++;
	} else {
		line(_("Last sync"), 0, last);
	}
	/*
	 * The copy of the central repository: every sync and merge rolls its
	 * small packs and loose objects up, so many of them mean the tidying
	 * fails (each sync says why on stderr).
	 */
	if (!hw_exists(ws_repo_dir(ws))) {
		line(_("Repository"), 0, _("none yet: the first sync makes it"));
	} else {
		size_t packs = 0, loose = 0;

		if (repo_stats(ws_repo_dir(ws), &packs, &loose, &err) < 0) {
			line(_("Repository"), 1, err.msg);
			warnings++;
		} else if (packs > DOCTOR_MAX_PACKS || loose > DOCTOR_MAX_LOOSE) {
			snprintf(buf, sizeof(buf), _("packs: %zu, loose objects: %zu; more than the tidying "
						     "after each sync leaves, which must be failing (sync "
						     "says why)"), packs, loose);
			line(_("Repository"), 1, buf);
			warnings++;
		} else {
			snprintf(buf, sizeof(buf), _("packs: %zu, loose objects: %zu"), packs, loose);
			line(_("Repository"), 0, buf);
		}
	}
	if (warnings)
		printf(P_("%d warning\n", "%d warnings\n", warnings), warnings);
	else
		printf("%s\n", _("no warnings"));
	free(remote);
	free(last);
	ws_free(ws);
	return 0;
}
