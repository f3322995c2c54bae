/*
 * main.c: the program's entry point.  Without a command it opens the TUI on
 * the workspace; with one it runs that command (the same core calls).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "text.h"
#include "tui.h"
#include "util.h"
#include "workspace.h"

static void usage(FILE *out)
{
	fprintf(out, "%s", _(
"Usage: homeward [--workspace DIR] [--demo]            the terminal interface\n"
"       homeward --version | --help\n"
"       homeward [--workspace DIR] COMMAND ...\n"
"\n"
"Commands:\n"
"  init --device-id ID --name NAME --role counsellor|field_officer|supervisor\n"
"       [--remote URL] [--team-key FINGERPRINT]\n"
"                          set up a workspace for this device\n"
"  case add --given-name G --family-name F --birth-date YYYY-MM-DD\n"
"           --nationality CC --return-country CC --language CODE\n"
"                          open a case; prints its id\n"
"  case list [--format table|tsv|json] [--search TEXT] [--stage STAGE]\n"
"            [--assigned PERSON|me] [--return-country CC]\n"
"            [--sort name|age|stage|changed]\n"
"  case show ID            details, stage and milestones, decision, assignees,\n"
"                          consents, referrals, conflicts, events, submissions\n"
"  case update ID FIELD VALUE [FIELD VALUE]...\n"
"                          change fields (given_name, return_country, ...)\n"
"                          together, in one event\n"
"  case resolve ID FIELD VALUE\n"
"                          decide a conflict between concurrent edits\n"
"                          (FIELD may be stage or decision)\n"
"  case decide ID DECISION [--date D] [--note TEXT]\n"
"                          return, stay_in_procedure, undecided or withdrawn\n"
"  case depart ID --date D --type TYPE [--assistance KIND,...]\n"
"                          assisted_voluntary, independent_voluntary or forced\n"
"  case arrive ID --date D\n"
"  case assign ID PERSON --role ROLE [--org ORG] [--note TEXT] [--unassign PERSON]\n"
"                          counsellor, field_officer or supervisor; a transfer\n"
"                          assigns and unassigns in one step\n"
"  case close ID --reason REASON [--note TEXT]\n"
"  case reopen ID --reason TEXT\n"
"  consent record ID --purpose P --granted|--refused [--recipient ORG]\n"
"                 [--present WHO,...] [--language CODE] [--override REASON]\n"
"  consent withdraw ID --purpose P [--recipient ORG]\n"
"  referral send ID --provider ORG --kinds KIND,... [--submission INSTANCE,...]\n"
"                [--urgent] [--note TEXT]   prints the referral id\n"
"  referral update REFERRAL_ID --status STATUS [--note TEXT]\n"
"  referral list [--status STATUS] [--format table|tsv|json]\n"
"                          waiting longest first\n"
"  provider list [--country CC] [--format table|tsv|json]\n"
"  submission show INSTANCE_ID [--lang CODE] [--format text|json|xml]\n"
"                          a submitted form, question by question\n"
"  form list               installed forms\n"
"  form submit CASE_ID FORM_ID ANSWERS [--corrects INSTANCE]\n"
"                          fill a form from a file of `answer PATH VALUE` lines\n"
"                          and finalise it; prints the instance id\n"
"  form check FORM...      report problems in XForms (FILE:LINE: error: ...)\n"
"  form scenario FORM STEPS\n"
"                          run a scenario file against a form\n"
"  form i18n extract|merge|coverage ...\n"
"                          translate forms with gettext catalogues\n"
"  form publish FORM [--remote URL]\n"
"                          (supervisor) publish a form and its CSV/XML files\n"
"                          on main; devices install it when they sync\n"
"  sync                    send this device's work, receive the others'\n"
"  merge                   (supervisor) merge what devices sent into main\n"
"  config get|set KEY [VALUE]\n"));
	fprintf(out, "%s", _(
"  migrate repository [--dry-run]\n"
"                          (supervisor) bring main to the newest repository\n"
"                          format; devices follow on their next sync\n"));
	fprintf(out, "%s", _(
"  report caseload|returns|timeliness|referrals|follow-up\n"
"                 [--from D] [--to D]\n"
"                 [--country CC] [--team|--assigned PERSON]\n"
"                 [--format table|csv|json|html]\n"
"                          figures for supervisors; counts under\n"
"                          report.min_count (5) are shown as <5\n"
"  report audit [--from D] [--to D] [--format table|csv|json]\n"
"                          every export: what, how many, when, who\n"
"  export cases --format csv|json [--out FILE]\n"
"                          case fields, stage and milestone dates\n"));
	fprintf(out, "%s", _(
"  agenda [--from D] [--to D] [--assigned PERSON|me] [--overdue] [--all]\n"
"         [--format table|tsv|json|ics] [--with-names]\n"
"                          appointments in date order (ics: for a calendar,\n"
"                          without names unless --with-names)\n"
"  appointment set CASE_ID --date D [--time HH:MM] [--channel in_person|phone|video]\n"
"                  [--place TEXT] [--purpose TEXT] [--assigned PERSON|me]\n"
"                  [--replaces APPOINTMENT_ID]   prints the appointment id\n"
"  appointment done|missed APPOINTMENT_ID [--date D] [--note TEXT]\n"
"  case link ID OTHER_ID --relation parent|child|spouse|sibling|guardian|other\n"
"                          OTHER_ID is the RELATION of ID, in one return file\n"
"  case unlink ID OTHER_ID\n"
"  case list --family ID   the cases of ID's return file\n"));
	fprintf(out, "%s", _(
"  export submissions FORM_ID [--version V] --format csv|xlsx|json\n"
"                 [--out FILE] [--labels LANG]\n"
"                          one row a submission, each repeat a table linked\n"
"                          by KEY and PARENT_KEY (CSV: a zip of tables)\n"
"  export cases --format xlsx [--out FILE]\n"
"                          the cases as a workbook\n"));
	fprintf(out, "%s", _(
"  export riat --out FILE [--map FILE]\n"
"                          the key moments of the reintegration assistance\n"
"                          tool, as Homeward reads them (not an official format)\n"));
	fprintf(out, "%s", _(
"\n"
"homeward doctor: what protects this workspace (database and disk encryption,\n"
"permissions, the remote, pending work, the last sync), as warnings; it exits\n"
"0 when it could check, 1 when it could not.\n"));
	/* The team's commands, kept apart so that the list above need not change. */
	fprintf(out, "%s", _(
"\n"
"The team (docs/security.md): a supervisor's init without --team-key founds\n"
"a team; every other device joins it and is added by a supervisor.\n"
"  team fingerprint        this team's trust root, as hex groups\n"
"  team request [--out FILE]\n"
"                          this device's enrolment request\n"
"  team join FINGERPRINT   pin the trust root, for a workspace made without it\n"
"  team add FILE --role counsellor|field_officer|supervisor [--org ORG]\n"
"                          (supervisor) add the member of a request\n"
"  team remove DEVICE_ID   (supervisor) end a membership\n"
"  team list [--format table|tsv|json]\n"
"                          the roster: who is who, with role and organisation\n"
"  verify-push --team-key FINGERPRINT\n"
"                          in a server's pre-receive hook: refuse a main that\n"
"                          no supervisor of the team signed\n"));
	/* The team's settings, apart so that the team's list above need not change. */
	fprintf(out, "%s", _(
"  team set agenda.follow_up_months|report.min_count|report.wait_days VALUE\n"
"                          (supervisor) a programme rule for every device of\n"
"                          the team; config get says where a value comes from\n"));
	/* Kept apart from the list of commands, which grows with every feature. */
	fprintf(out, "%s", _(
"\n"
"The workspace's database is encrypted: every command, the screen included,\n"
"reads the passphrase from --passphrase-fd N (before the command) or\n"
"$HOMEWARD_PASSPHRASE_FD=N, the first line of file descriptor N, or else\n"
"asks for it on the terminal.\n"
"  migrate workspace       encrypt a workspace made before encryption (once;\n"
"                          a backup is kept until the encrypted one opens)\n"));
	fprintf(out, "%s", _(
"  passphrase change       seal the keys under a new passphrase (asks the\n"
"                          current one, then the new one twice; or two lines\n"
"                          of --passphrase-fd: the current one, the new one)\n"));
	/* Last, after every command: where the workspace is. */
	fprintf(out, "%s", _(
"\n"
"The workspace is --workspace DIR, else $HOMEWARD_WORKSPACE, else\n"
"$XDG_DATA_HOME/homeward (~/.local/share/homeward).\n"
"--demo opens the interface on a fresh demo workspace with fictional cases.\n"));
}

typedef struct command {
	const char *group;       /* "case", "form" or NULL for a one-word command */
	const char *name;
	cli_command_fn fn;
} command;

static const command commands[] = {
	{ NULL, "init", cli_init },
	{ "case", "add", cli_case_add },
	{ "case", "list", cli_case_list },
	{ "case", "show", cli_case_show },
	{ "case", "update", cli_case_update },
	{ "case", "resolve", cli_case_resolve },
	{ "case", "decide", cli_case_decide },
	{ "case", "depart", cli_case_depart },
	{ "case", "arrive", cli_case_arrive },
	{ "case", "assign", cli_case_assign },
	{ "case", "close", cli_case_close },
	{ "case", "reopen", cli_case_reopen },
	{ "consent", "record", cli_consent_record },
	{ "consent", "withdraw", cli_consent_withdraw },
	{ "referral", "send", cli_referral_send },
	{ "referral", "update", cli_referral_update },
	{ "referral", "list", cli_referral_list },
	{ "provider", "list", cli_provider_list },
	{ "submission", "show", cli_submission_show },
	{ "form", "list", cli_form_list },
	{ "form", "submit", cli_form_submit },
	{ "form", "check", cli_form_check },
	{ "form", "scenario", cli_form_scenario },
	{ "form", "i18n", cli_form_i18n },
	{ "form", "publish", cli_form_publish },
	{ NULL, "sync", cli_sync },
	{ NULL, "merge", cli_merge },
	{ "migrate", "repository", cli_migrate_repository },
	{ NULL, "config", cli_config },
	{ NULL, "doctor", cli_doctor },
	{ "migrate", "workspace", cli_migrate_workspace },
	{ "passphrase", "change", cli_passphrase_change },
	{ "report", "caseload", cli_report_caseload },
	{ "report", "returns", cli_report_returns },
	{ "report", "timeliness", cli_report_timeliness },
	{ "report", "referrals", cli_report_referrals },
	{ "report", "follow-up", cli_report_followup },
	{ "report", "audit", cli_report_audit },
	{ "export", "cases", cli_export_cases },
	{ NULL, "agenda", cli_agenda },
	{ "appointment", "set", cli_appointment_set },
	{ "appointment", "done", cli_appointment_done },
	{ "appointment", "missed", cli_appointment_missed },
	{ "case", "link", cli_case_link },
	{ "case", "unlink", cli_case_unlink },
	{ NULL, "team", cli_team },
	{ NULL, "verify-push", cli_verify_push },
	{ "export", "submissions", cli_export_submissions },
	{ "export", "riat", cli_export_riat },
};

/* An environment variable, or NULL when it is unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* A file descriptor number that is open, or -1. */
static int open_fd(const char *text)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || *end || end == text || n < 0 || n > 1000000 || fcntl((int)n, F_GETFD) < 0)
		return -1;
	return (int)n;
}

/*
 * Read what the environment says into g, once, before any command runs: the
 * core never reads it.  A value that cannot be used is a runtime error: one
 * line, status 1.
 */
static int read_environment(cli_globals *g)
{
	const char *v;
	char *end;
	long n;

	if (!g->workspace)
		g->workspace = env("HOMEWARD_WORKSPACE");
	g->data_home = env("XDG_DATA_HOME");
	g->home = env("HOME");
	g->datadir = env("HOMEWARD_DATADIR");
	g->fault = env("HOMEWARD_FAULT");
	g->secrets.username = env("HOMEWARD_GIT_USERNAME");
	g->secrets.token = env("HOMEWARD_GIT_TOKEN");
	g->secrets.ssh_key = env("HOMEWARD_SSH_KEY");
	g->secrets.ssh_passphrase = env("HOMEWARD_SSH_PASSPHRASE");
	g->secrets.home = g->home;
	g->secrets.ssh_agent = env("SSH_AUTH_SOCK") != NULL;
	/* A fixed clock, so that tests and demonstrations replay a given moment. */
	if ((v = env("HOMEWARD_NOW")) && hw_time_parse(v, &g->now) < 0)
		return cli_error(_("HOMEWARD_NOW=%s is not a UTC time written like 2026-11-29T10:42:07Z"), v);
	/* A cap on the database's growth, so that tests can fill the disk. */
	if ((v = env("HOMEWARD_MAX_DB_GROWTH"))) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || n < 0)
			return cli_error(_("HOMEWARD_MAX_DB_GROWTH=%s is not a number of database pages"), v);
		g->max_db_growth = n;
	}
	/* The passphrase's file descriptor, when --passphrase-fd did not name one. */
	if (g->passphrase_fd < 0 && (v = env("HOMEWARD_PASSPHRASE_FD")) &&
	    (g->passphrase_fd = open_fd(v)) < 0)
		return cli_error(_("HOMEWARD_PASSPHRASE_FD=%s is not an open file descriptor"), v);
	hw_clock_fix(g->now);
	return 0;
}

/* Open the TUI on the workspace (a fresh demo one with --demo). */
static int run_tui(cli_globals *g)
{
	tui_opts opts = TUI_OPTS_INIT;
	char *demo_dir = NULL;
	hw_secret *pass = NULL;
	hw_ws *ws = NULL;
	int st;

	opts.secrets = &g->secrets;
	opts.passphrase_fd = g->passphrase_fd;
	if (g->demo) {
		if ((st = cli_demo_prepare(g, &demo_dir)) != 0)
			return st;
		g->workspace = demo_dir;
		opts.demo = 1;
		if ((st = cli_demo_passphrase(&pass)) != 0 || (st = cli_hold_passphrase(pass)) != 0) {
			secret_free(pass);
			free(demo_dir);
			return st;
		}
		secret_free(pass);
	}
	/* Without a passphrase given, the screen opens locked and asks for it itself. */
	st = cli_open_workspace(&ws, g, g->passphrase_fd < 0 && !g->demo ? WS_OPEN_LOCKED : 0);
	if (st == 0) {
		st = tui_run(ws, &opts);
		ws_free(ws);
	}
	if (demo_dir && st == 0)
		fprintf(stderr, _("The demo workspace is kept in %s\n"), demo_dir);
	free(demo_dir);
	return st;
}

/* A standard stream whose text passes through text_sanitize on its way to fd. */
typedef struct clean_stream {
	int fd;
	char pending[4];    /* the start of a character cut by the last write */
	size_t npending;
	int error;          /* errno of the first failed write, 0 while none failed */
} clean_stream;

/* The command's stdout and stderr once sanitize_output has run. */
static clean_stream clean_out = { STDOUT_FILENO, "", 0, 0 }, clean_err = { STDERR_FILENO, "", 0, 0 };

static ssize_t clean_write(void *cookie, const char *buf, size_t size)
{
	clean_stream *c = cookie;
	char *joined = malloc(c->npending + size + 1), *out = NULL;
	size_t n = c->npending + size, used = 0, done = 0, len;

	if (!joined)
		return -1;
	memcpy(joined, c->pending, c->npending);
	memcpy(joined + c->npending, buf, size);
	if (!(out = text_sanitize(joined, n, TEXT_KEEP_LINES | TEXT_PARTIAL, &used))) {
		free(joined);
		return -1;
	}
	len = strlen(out);
	while (done < len) {
		ssize_t w = write(c->fd, out + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!c->error)
				c->error = w < 0 ? errno : EIO;
			break;
		}
		done += (size_t)w;
	}
	c->npending = n - used < sizeof(c->pending) ? n - used : 0;
	memcpy(c->pending, joined + used, c->npending);
	free(out);
	free(joined);
	return done < len ? -1 : (ssize_t)size;
}

/*
 * Every line the commands print carries names and messages from cases,
 * other devices and the central repository: stdout and stderr pass through
 * text_sanitize, so an escape sequence in a name prints as text and does
 * nothing to the terminal.
 */
static void sanitize_output(void)
{
	cookie_io_functions_t io = { NULL, clean_write, NULL, NULL };
	FILE *o, *e;

	fflush(stdout);
	fflush(stderr);
	if ((o = fopencookie(&clean_out, "w", io)) != NULL) {
		setvbuf(o, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
		stdout = o;
	}
	if ((e = fopencookie(&clean_err, "w", io)) != NULL) {
		setvbuf(e, NULL, _IONBF, 0);
		stderr = e;
	}
}

/*
 * The exit status of a command, once its output is flushed.  A reader that
 * went away (`homeward case list | head -1`) is no failure of the command:
 * the rest of the output is dropped quietly.  Any other failure to write is
 * said on stderr and the status becomes 1, so a full disk under a
 * redirected output is never mistaken for success.
 */
static int output_done(int status)
{
	int e;

	fflush(stdout);
	e = clean_out.error;
	if (!e && ferror(stdout))
		e = EIO;
	if (!e || e == EPIPE)
		return status;
	cli_error(_("cannot write the output: %s"), strerror(e));
	return status ? status : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "demo", no_argument, NULL, 'D' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	cli_globals g = CLI_GLOBALS_INIT;
	int c;

	/*
	 * A connection cut while libgit2 writes to its socket, or a reader of
	 * our output that went away, must end in a message and an exit status,
	 * never in a silent death: writes fail with EPIPE instead.
	 */
	signal(SIGPIPE, SIG_IGN);
	/* Everything Homeward creates is for this user alone (docs/security.md). */
	umask(077);
	ui_i18n_init();
	/* "+": stop at the first command word; its own options follow it. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'w': g.workspace = optarg; break;
		case 'D': g.demo = 1; break;
		case 'P':
			if ((g.passphrase_fd = open_fd(optarg)) < 0) {
				cli_error(_("--passphrase-fd %s is not an open file descriptor"), optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("homeward %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (read_environment(&g) != 0)
		return 1;
	if (argc == 0)
		return run_tui(&g);
	sanitize_output();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const command *cmd = &commands[i];

		int hit = (!cmd->group && !strcmp(argv[0], cmd->name)) ||
			  (cmd->group && !strcmp(argv[0], cmd->group) && argc > 1 &&
			   !strcmp(argv[1], cmd->name));

		if (hit)
			return output_done(cmd->group ? cmd->fn(argc - 1, argv + 1, &g)
						      : cmd->fn(argc, argv, &g));
	}
	cli_error(_("unknown command: %s%s%s"), argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	usage(stderr);
	return 2;
}
