/*
 * cli_sync.c: `homeward sync`, `homeward merge` and `homeward form
 * publish`: progress lines while they run, a one-line summary at the end,
 * the forms a run installed, and credentials for ssh and https remotes from
 * the environment, the ssh agent or the terminal.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"
#include "i18n.h"
#include "progress.h"
#include "text.h"
#include "sync/repo.h"
#include "sync/sync.h"
#include "team.h"
#include "workspace.h"

/* What the progress printer needs. */
typedef struct cli_progress {
	const char *remote;
	int quiet;
	const sync_secrets *secrets;  /* the front end's, for the default credentials */
	int tty;                      /* stdout is a terminal: counts update one line */
	int line_open;                /* a counts line is on the terminal, without its newline */
	int step;                     /* the step the counts belong to */
	double step_start;            /* when it began (seconds) */
	double last_shown;            /* when counts were last shown */
	char server[4096];            /* the server's lines, shown once at the end */
	size_t server_len;
	size_t server_more;           /* lines that did not fit */
	repo_auth_note auth;          /* why the credentials failed, from the run */
} cli_progress;

#define CLI_PROGRESS_INIT { NULL, 0, NULL, 0, 0, 0, 0, 0, "", 0, 0 }

/* End the counts line on the terminal, so that what follows starts a line of its own. */
static void progress_close(cli_progress *c)
{
	if (c->line_open) {
		fflush(stdout);
		if (write(STDOUT_FILENO, "\n", 1) < 0) {
			/* Nothing to do: the terminal is gone. */
		}
		c->line_open = 0;
	}
}

/*
 * Counts within a step: on a terminal, one line that updates in place (at
 * most ten times a second); otherwise a line at most once a second, so a
 * log of a long import stays readable.
 */
static void show_counts(cli_progress *c, const sync_progress *p)
{
	double now = ui_progress_now();
	char line[512], eta[128];
	const char *what;
	int pct;

	if (!p->total || p->current > p->total)
		return;
	if (p->step != c->step) {
		c->step = p->step;
		c->step_start = now;
		c->last_shown = 0;
	}
	if (c->tty ? now - c->last_shown < 0.1 && p->current < p->total
		   : now - c->last_shown < 1.0)
		return;
	switch (p->step) {
	case SYNC_STEP_PUSH: what = _("Sending"); break;
	case SYNC_STEP_FETCH: what = _("Receiving"); break;
	case SYNC_STEP_IMPORT: what = _("Importing"); break;
	default: return;
	}
	/* A first line only once the step is worth watching. */
	if (!c->tty && !c->last_shown && now - c->step_start < 1.0)
		return;
	c->last_shown = now;
	pct = (int)(100.0 * (double)p->current / (double)p->total);
	ui_progress_estimate(eta, sizeof(eta), now - c->step_start, p->current, p->total);
	if (eta[0])
		/* TRANSLATORS: "Importing: 1200 of 5000 (24%), about 40 seconds left". */
		snprintf(line, sizeof(line), _("%s: %zu of %zu (%d%%), %s"), what, p->current, p->total,
			 pct, eta);
	else
		/* TRANSLATORS: "Importing: 1200 of 5000 (24%)". */
		snprintf(line, sizeof(line), _("%s: %zu of %zu (%d%%)"), what, p->current, p->total, pct);
	if (!c->tty) {
		printf("%s\n", line);
		fflush(stdout);
		return;
	}
	{
		/* Written past stdout's filter, which would show \r as a symbol: sanitise here. */
		char *clean = text_sanitize(line, strlen(line), 0, NULL);
		hw_buf b = HW_BUF_INIT;

		fflush(stdout);
		hw_buf_puts(&b, "\r");
		hw_buf_puts(&b, clean ? clean : "");
		hw_buf_puts(&b, "\033[K");
		if (!hw_buf_oom(&b) && write(STDOUT_FILENO, b.ptr, b.len) == (ssize_t)b.len)
			c->line_open = 1;
		hw_buf_free(&b);
		free(clean);
	}
}

/* Keep a line of the server's, to be shown once when the run ends. */
static void keep_server_line(cli_progress *c, const char *text, size_t len)
{
	if (c->server_len + len + 2 > sizeof(c->server)) {
		c->server_more++;
		return;
	}
	memcpy(c->server + c->server_len, text, len);
	c->server_len += len;
	c->server[c->server_len++] = '\n';
	c->server[c->server_len] = '\0';
}

/*
 * The server's lines ("remote: ..."), once, when the run is over.  When the
 * run failed and its message quotes the server already, they are not
 * repeated.
 */
static void print_server_lines(cli_progress *c, const hw_error *failed)
{
	const char *p = c->server, *nl;

	progress_close(c);
	if (failed && strstr(failed->msg, "(server said: "))
		return;
	while ((nl = strchr(p, '\n')) != NULL) {
		printf(_("remote: %.*s\n"), (int)(nl - p), p);
		p = nl + 1;
	}
	if (c->server_more)
		printf(P_("remote: (%zu more line)\n", "remote: (%zu more lines)\n", c->server_more),
		       c->server_more);
	fflush(stdout);
}

/* One progress line when a step begins, counts within it; the server's lines are kept. */
static int on_progress(const sync_progress *p, void *payload)
{
	cli_progress *c = payload;
	char shown[1024];

	if (p->step == SYNC_STEP_MESSAGE) {
		keep_server_line(c, p->text, p->text_len);
		return 0;
	}
	if (c->quiet)
		return 0;
	if (!p->starting) {
		show_counts(c, p);
		return 0;
	}
	progress_close(c);
	switch (p->step) {
	case SYNC_STEP_COMMIT:
		printf(P_("Recording %zu change for sending\n", "Recording %zu changes for sending\n",
			  p->total), p->total);
		break;
	case SYNC_STEP_PUSH:
		printf(_("Sending to %s\n"), hw_url_shown(c->remote, shown, sizeof(shown)));
		break;
	case SYNC_STEP_FETCH:
		printf(_("Receiving from %s\n"), hw_url_shown(c->remote, shown, sizeof(shown)));
		break;
	case SYNC_STEP_MERGE:
		printf(_("Checking what device %.*s sent\n"), (int)p->text_len, p->text);
		break;
	case SYNC_STEP_IMPORT:
		printf(P_("Importing %zu new file\n", "Importing %zu new files\n", p->total), p->total);
		break;
	case SYNC_STEP_TIDY:
		if (p->text)
			printf(P_("Tidying the central repository in %s: %zu object\n",
				  "Tidying the central repository in %s: %zu objects\n", p->total),
			       hw_url_shown(c->remote, shown, sizeof(shown)), p->total);
		else
			printf(P_("Tidying the local copy of the central repository: %zu object\n",
				  "Tidying the local copy of the central repository: %zu objects\n",
				  p->total), p->total);
		break;
	}
	fflush(stdout);
	return 0;
}

/* Read a line from the terminal, without echo when secret; 0 on success. */
static int ask_tty(const char *prompt, char *out, size_t size, int secret)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int restore = 0, ok;
	size_t n;

	if (!tty)
		return -1;
	fputs(prompt, tty);
	fflush(tty);
	if (secret && tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
	}
	ok = fgets(out, (int)size, tty) != NULL;
	if (restore) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	if (!ok)
		return -1;
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

/* Copy src into a fixed buffer; 0 when it fits. */
static int copy_str(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/*
 * Credentials: what sync_credentials_default offers (a token from the
 * environment, the ssh agent, a key file), and for https without a token,
 * a prompt on the terminal, once.
 */
static int on_credentials(repo_cred *out, const char *url, const char *user, unsigned allowed,
			  int attempt, void *payload)
{
	const cli_progress *cp = payload;
	const char *token = cp->secrets ? cp->secrets->token : NULL;
	char shown[1024];

	if (!(allowed & REPO_CRED_USERPASS) || (token && *token))
		return sync_credentials_default(out, url, user, allowed, attempt, (void *)cp->secrets);
	if (attempt > 2)
		return -1;
	out->kind = REPO_CRED_USERPASS;
	if (user && *user)
		copy_str(out->username, sizeof(out->username), user);
	else if (ask_tty(_("User name: "), out->username, sizeof(out->username), 0) < 0)
		return -1;
	fprintf(stderr, _("Password or token for %s: "), hw_url_shown(url, shown, sizeof(shown)));
	if (ask_tty("", out->secret, sizeof(out->secret), 1) < 0)
		return -1;
	return 0;
}

int cli_auth_text(const repo_auth_note *n, char *buf, size_t size)
{
	char offered[1400], where[1200];

	if (!n || n->what == REPO_AUTH_NONE)
		return -1;
	/* TRANSLATORS: %s is the central repository's address; what follows says what went wrong. */
	snprintf(where, sizeof where, n->pushing ? _("pushing to %s") : _("fetching from %s"), n->url);
	switch (n->what) {
	case REPO_AUTH_NOTHING_GIVEN:
		/* TRANSLATORS: %s is "pushing to URL" or "fetching from URL". */
		snprintf(buf, size, _("%s: the server asks for credentials and none were given (a token, or an ssh key)"),
			 where);
		return 0;
	case REPO_AUTH_KEY_UNREADABLE:
		/* TRANSLATORS: "pushing to URL: the ssh key FILE cannot be read: REASON". */
		snprintf(buf, size, _("%s: the ssh key %s cannot be read: %s"), where, n->key,
			 strerror(n->errnum));
		return 0;
	case REPO_AUTH_REFUSED:
		if (n->kind == REPO_CRED_USERPASS)
			/* TRANSLATORS: what the server did not accept. */
			snprintf(offered, sizeof offered, _("the user name %s and its password or token"), n->user);
		else if (n->kind == REPO_CRED_SSH_KEY)
			/* TRANSLATORS: what the server did not accept: a key file, then a user name. */
			snprintf(offered, sizeof offered, _("the ssh key %s for the user %s"), n->key, n->user);
		else
			/* TRANSLATORS: what the server did not accept. */
			snprintf(offered, sizeof offered, _("the keys of the ssh agent for the user %s"), n->user);
		if (n->detail[0])
			/* TRANSLATORS: "pushing to URL: the server did not accept WHAT (the git library's words)". */
			snprintf(buf, size, _("%s: the server did not accept %s (%s)"), where, offered, n->detail);
		else
			/* TRANSLATORS: "pushing to URL: the server did not accept WHAT". */
			snprintf(buf, size, _("%s: the server did not accept %s"), where, offered);
		return 0;
	default:
		return -1;
	}
}

/* A failed run: credentials in the person's language, else the core's detail. */
static int sync_fail(hw_ws *ws, int rc, const cli_progress *cp)
{
	char text[4096];

	if (rc == HW_EAUTH && cli_auth_text(&cp->auth, text, sizeof text) == 0)
		return cli_error("%s (%s)", text, _(hw_error_text(HW_EAUTH)));
	return cli_fail(ws_error(ws));
}

/* "3 events, 1 submission" into buf. */
static const char *counts(char *buf, size_t size, size_t events, size_t submissions)
{
	char ev[64], sub[64];

	snprintf(ev, sizeof(ev), P_("%zu event", "%zu events", events), events);
	snprintf(sub, sizeof(sub), P_("%zu submission", "%zu submissions", submissions), submissions);
	/* TRANSLATORS: "3 events, 1 submission". */
	snprintf(buf, size, _("%s, %s"), ev, sub);
	return buf;
}

/* Parse the options shared by sync and merge; returns 0, or an exit status. */
static int parse_opts(int argc, char **argv, const char **remote, int *quiet, const char *usage)
{
	static const struct option opts[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qr:", opts, NULL)) != -1) {
		switch (c) {
		case 'r': *remote = optarg; break;
		case 'q': *quiet = 1; break;
		default:
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	return 0;
}

/* The remote a run will use, for progress lines (caller frees). */
static char *remote_name(hw_ws *ws, const char *given)
{
	char *r = NULL;

	if (given)
		return strdup(given);
	if (ws_get(ws, WS_REMOTE, &r) < 0)
		return NULL;
	return r;
}

/* The forms an import installed (stdout) and the published ones it left out (stderr). */
static void print_forms(const sync_result *res)
{
	size_t i, more = res->forms_installed + res->forms_broken - res->nforms;

	for (i = 0; i < res->nforms; i++) {
		const sync_form_note *f = &res->forms[i];

		if (!f->problem[0])
			printf(_("installed form %s version %s\n"), f->id, f->version);
		else
			fprintf(stderr, _("homeward: form %s version %s on the central repository does not load and was not installed: %s\n"),
				f->id, f->version, f->problem);
	}
	if (more)
		printf(P_("and %zu more form\n", "and %zu more forms\n", more), more);
}

/* The lock files a run that died had left, removed by this one (stderr). */
static void print_locks(const sync_result *res)
{
	if (!res->locks_removed)
		return;
	fprintf(stderr, P_("homeward: removed %zu lock file left by a run that was cut (%s)\n",
			   "homeward: removed %zu lock files left by a run that was cut (%s, ...)\n",
			   res->locks_removed), res->locks_removed, res->lock_note);
}

/*
 * Tidying repo.git after the run failed (stderr): the run's work stands,
 * but a disk that is full or a folder that cannot be written is worth
 * knowing about before it stops a sync.
 */
static void print_rollup(const sync_result *res)
{
	if (res->rollup_problem[0])
		fprintf(stderr, _("homeward: tidying the workspace's copy of the central repository "
				  "failed (%s); nothing is lost and the next sync tries again\n"),
			res->rollup_problem);
	if (res->central_rollup_problem[0])
		fprintf(stderr, _("homeward: tidying the central repository failed (%s); nothing is "
				  "lost and the next sync tries again\n"), res->central_rollup_problem);
	if (res->central_temp_removed)
		fprintf(stderr, P_("homeward: removed %zu unfinished pack that a cut sync left in the "
				   "central repository a day or more ago\n",
				   "homeward: removed %zu unfinished packs that cut syncs left in the "
				   "central repository a day or more ago\n", res->central_temp_removed),
			res->central_temp_removed);
}

/* The files of main an import left out: how many, then which and why (stderr). */
static void print_skips(const sync_result *res)
{
	size_t i;

	if (!res->skipped)
		return;
	fprintf(stderr, P_("homeward: %zu file on the central repository is damaged or was changed, and was left out\n",
			   "homeward: %zu files on the central repository are damaged or were changed, and were left out\n",
			   res->skipped), res->skipped);
	for (i = 0; i < res->nskips; i++)
		/* TRANSLATORS: a file of the central repository, and why it was not imported. */
		fprintf(stderr, _("homeward: left out %s: %s\n"), res->skips[i].path,
			res->skips[i].reason);
}

/*
 * Open the workspace and set up the options of a run against remote (NULL:
 * the configured one): progress and credentials on this terminal.  *shown
 * gets the remote's name for messages (caller frees).  Returns an exit status.
 */
static int open_for_remote(hw_ws **ws, sync_opts *o, cli_progress *cp, char **shown,
			   const cli_globals *g, const char *remote)
{
	unsigned char root[KEYS_SIGN_PUBLIC];
	int st = cli_open_workspace(ws, g, 0);

	if (st != 0)
		return st;
	/* Nothing travels outside a team: the roster says who signs what. */
	if (team_root(*ws, root) < 0) {
		ws_free(*ws);
		*ws = NULL;
		return cli_error("%s", _("this device has not joined a team yet: join one first with homeward team join FINGERPRINT (the fingerprint your supervisor reads out from homeward team fingerprint)"));
	}
	/* What goes into git is signed with the device keys. */
	if ((st = cli_unlock(*ws, g)) != 0) {
		ws_free(*ws);
		*ws = NULL;
		return st;
	}
	*shown = remote_name(*ws, remote);
	cp->remote = *shown ? *shown : "";
	cp->tty = isatty(STDOUT_FILENO);
	o->remote = remote;
	o->progress = on_progress;
	o->credentials = on_credentials;
	o->secrets = &g->secrets;
	o->payload = cp;
	o->auth = &cp->auth;
	cp->secrets = &g->secrets;
	return 0;
}

int cli_sync(int argc, char **argv, const cli_globals *g)
{
	sync_opts o = SYNC_OPTS_INIT;
	sync_result res;
	cli_progress cp = CLI_PROGRESS_INIT;
	const char *remote = NULL;
	char *shown = NULL, sent[160], received[160];
	hw_ws *ws = NULL;
	int st, rc;

	if ((st = parse_opts(argc, argv, &remote, &cp.quiet,
			     _("Usage: homeward sync [--remote URL] [--quiet]"))) != 0)
		return st;
	if ((st = open_for_remote(&ws, &o, &cp, &shown, g, remote)) != 0)
		return st;
	rc = sync_run(ws, &o, &res);
	print_server_lines(&cp, rc < 0 ? ws_error(ws) : NULL);
	print_locks(&res);
	print_rollup(&res);
	if (rc < 0) {
		st = sync_fail(ws, rc, &cp);
	} else {
		/* TRANSLATORS: "sent 3 events, 1 submission; received 5 events, 0 submissions". */
		printf(_("sent %s; received %s\n"),
		       counts(sent, sizeof(sent), res.events_sent, res.submissions_sent),
		       counts(received, sizeof(received), res.events_received,
			      res.submissions_received));
		print_forms(&res);
		print_skips(&res);
		st = 0;
	}
	free(shown);
	ws_free(ws);
	return st;
}

int cli_merge(int argc, char **argv, const cli_globals *g)
{
	sync_opts o = SYNC_OPTS_INIT;
	merge_result res;
	cli_progress cp = CLI_PROGRESS_INIT;
	const char *remote = NULL;
	char *shown = NULL, merged[160], received[160];
	hw_ws *ws = NULL;
	size_t i;
	int st, rc;

	if ((st = parse_opts(argc, argv, &remote, &cp.quiet,
			     _("Usage: homeward merge [--remote URL] [--quiet]"))) != 0)
		return st;
	if ((st = open_for_remote(&ws, &o, &cp, &shown, g, remote)) != 0)
		return st;
	rc = merge_run(ws, &o, &res);
	print_server_lines(&cp, rc < 0 ? ws_error(ws) : NULL);
	print_locks(&res.sync);
	print_rollup(&res.sync);
	/* Rejections are reported even when a later step failed. */
	for (i = 0; i < res.nrejections; i++) {
		const merge_rejection *m = &res.rejections[i];

		if (*m->path)
			fprintf(stderr, _("homeward: rejected device %s: %s: %s\n"), m->device, m->path,
				m->reason);
		else
			fprintf(stderr, _("homeward: rejected device %s: %s\n"), m->device, m->reason);
	}
	for (i = 0; i < res.nwaiting; i++)
		fprintf(stderr, _("homeward: device %s is waiting for enrolment: its branch is merged once a supervisor adds it (homeward team add)\n"),
			res.waiting[i]);
	/* A branch removed from the central repository: said once, by the run that drops it. */
	for (i = 0; i < res.npruned; i++) {
		if (res.pruned[i].merged)
			printf(_("device %s: its branch was removed from the central repository; everything it sent is on main\n"),
			       res.pruned[i].device);
		else
			fprintf(stderr, _("homeward: device %s: its branch was removed from the central repository with work that was never merged; it is merged if its device sends it again\n"),
				res.pruned[i].device);
	}
	if (rc < 0) {
		st = sync_fail(ws, rc, &cp);
	} else {
		/* TRANSLATORS: "merged 2 of 3 devices (5 events, 1 submission); received ...". */
		printf(_("merged %zu of %zu devices (%s); received %s\n"), res.devices_merged,
		       res.devices,
		       counts(merged, sizeof(merged), res.events_merged, res.submissions_merged),
		       counts(received, sizeof(received), res.sync.events_received,
			      res.sync.submissions_received));
		print_forms(&res.sync);
		print_skips(&res.sync);
		if (res.devices_behind)
			printf(P_("%zu device is still in an older repository format: it moves to main's "
				  "on its next sync\n",
				  "%zu devices are still in an older repository format: they move to main's "
				  "on their next sync\n", res.devices_behind), res.devices_behind);
		if (res.retries)
			printf(P_("(main moved during the merge; redone %d time)\n",
				  "(main moved during the merge; redone %d times)\n", res.retries),
			       res.retries);
		/* Merged, but not everything: scripts can tell. */
		st = res.nrejections ? 3 : 0;
	}
	merge_result_free(&res);
	free(shown);
	ws_free(ws);
	return st;
}

/* `migrate repository [--dry-run] [--remote URL] [--quiet]` (supervisors). */
int cli_migrate_repository(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("Usage: homeward migrate repository [--dry-run] [--remote URL] [--quiet]");
	sync_opts o = SYNC_OPTS_INIT;
	migrate_result res;
	cli_progress cp = { NULL, 0, NULL };
	const char *remote = NULL, *what;
	char *shown = NULL;
	hw_ws *ws = NULL;
	int c, st, rc, dry = 0, f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "nqr:", opts, NULL)) != -1) {
		switch (c) {
		case 'r': remote = optarg; break;
		case 'q': cp.quiet = 1; break;
		case 'n': dry = 1; break;
		default:
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	if ((st = open_for_remote(&ws, &o, &cp, &shown, g, remote)) != 0)
		return st;
	rc = migrate_repository(ws, &o, dry, &res);
	if (rc < 0) {
		st = sync_fail(ws, rc, &cp);
	} else if (res.from == res.to) {
		printf(_("main is in repository format %d, the newest: nothing to do\n"), res.to);
		st = 0;
	} else {
		for (f = res.from; f < res.to; f++)
			if ((what = sync_format_step(f)))
				/* TRANSLATORS: a step of the migration; the description stays in English. */
				printf(_("format %d to %d: %s\n"), f, f + 1, what);
		if (res.left_out)
			printf(P_("%zu entry of main is not a file (a link or a submodule) and is left out\n",
				  "%zu entries of main are not files (links or submodules) and are left out\n",
				  res.left_out), res.left_out);
		if (dry)
			printf(P_("would move main from repository format %d to %d in one commit of %zu file; "
				  "nothing was changed\n",
				  "would move main from repository format %d to %d in one commit of %zu files; "
				  "nothing was changed\n", res.files), res.from, res.to, res.files);
		else
			printf(P_("moved main from repository format %d to %d (%zu file); devices follow "
				  "on their next sync\n",
				  "moved main from repository format %d to %d (%zu files); devices follow "
				  "on their next sync\n", res.files), res.from, res.to, res.files);
		st = 0;
	}
	free(shown);
	ws_free(ws);
	return st;
}

/* `form publish FORM.xml [--remote URL] [--quiet]` (supervisors). */
int cli_form_publish(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "remote", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("Usage: homeward form publish FORM.xml [--remote URL] [--quiet]");
	sync_opts o = SYNC_OPTS_INIT;
	sync_publish_result res;
	cli_progress cp = CLI_PROGRESS_INIT;
	const char *remote = NULL;
	char *shown = NULL;
	hw_ws *ws = NULL;
	int c, st, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qr:", opts, NULL)) != -1) {
		switch (c) {
		case 'r': remote = optarg; break;
		case 'q': cp.quiet = 1; break;
		default:
			fprintf(stderr, "%s\n", usage);
			return 2;
		}
	}
	if (argc - optind != 1) {
		if (argc - optind > 1)
			cli_error(_("unexpected argument: %s"), argv[optind + 1]);
		fprintf(stderr, "%s\n", usage);
		return 2;
	}
	if ((st = open_for_remote(&ws, &o, &cp, &shown, g, remote)) != 0)
		return st;
	rc = sync_publish_form(ws, argv[optind], &o, &res);
	print_server_lines(&cp, rc < 0 ? ws_error(ws) : NULL);
	print_locks(&res.sync);
	print_rollup(&res.sync);
	if (rc < 0) {
		st = sync_fail(ws, rc, &cp);
	} else {
		if (res.published)
			printf(_("published %s version %s\n"), res.form_id, res.version);
		else
			printf(_("%s version %s is already published with this content; nothing changed\n"),
			       res.form_id, res.version);
		print_forms(&res.sync);
		st = 0;
	}
	free(shown);
	ws_free(ws);
	return st;
}
