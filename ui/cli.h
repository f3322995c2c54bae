/*
 * cli.h: the command-line front end.  Each command is a function taking
 * its own argv (argv[0] is the command's last word) and the global options,
 * returning the process exit status.  Commands print results on stdout and
 * one-line errors on stderr, through cli_error().
 */
#ifndef HW_UI_CLI_H
#define HW_UI_CLI_H

#include <time.h>

#include "error.h"
#include "sync/sync.h"

/*
 * Options given before the command, and what the environment says: main.c
 * reads both once, before any command runs (the core reads no environment).
 */
typedef struct cli_globals {
	const char *workspace;   /* --workspace DIR, else $HOMEWARD_WORKSPACE, or NULL */
	int demo;                /* --demo */
	const char *data_home;   /* $XDG_DATA_HOME, or NULL */
	const char *home;        /* $HOME, or NULL */
	const char *datadir;     /* $HOMEWARD_DATADIR: the shipped forms, or NULL */
	time_t now;              /* $HOMEWARD_NOW: a fixed clock, or 0 */
	long max_db_growth;      /* $HOMEWARD_MAX_DB_GROWTH: pages, or -1: no cap */
	sync_secrets secrets;    /* $HOMEWARD_GIT_USERNAME, _TOKEN, _SSH_KEY, _SSH_PASSPHRASE */
	int passphrase_fd;       /* --passphrase-fd N, else $HOMEWARD_PASSPHRASE_FD, else -1 */
	const char *fault;       /* $HOMEWARD_FAULT: a step of a change of passphrase to die at (tests) */
} cli_globals;

#define CLI_GLOBALS_INIT { NULL, 0, NULL, NULL, NULL, 0, -1, SYNC_SECRETS_INIT, -1, NULL }

typedef int (*cli_command_fn)(int argc, char **argv, const cli_globals *g);

/* What every command shares (ui/cli.c). */

/* Print "homeward: MESSAGE" on stderr (printf-style); returns 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "homeward: MESSAGE" for a command used the wrong way; returns 2. */
int cli_usage(const char *message);

/* Print a translated message for a core error code plus its detail; returns 1. */
int cli_fail(const hw_error *err);

/*
 * The workspace folder the global options name: --workspace or
 * $HOMEWARD_WORKSPACE, else $XDG_DATA_HOME/homeward, else
 * ~/.local/share/homeward.  Caller frees; NULL when out of memory.
 */
char *cli_workspace_dir(const cli_globals *g);

/*
 * Open the workspace named by the global options (or the default one), with
 * the options they carry.  Without WS_OPEN_CREATE it must exist and be
 * initialised.  Prints the error and returns 1 on failure, else 0.
 */
struct hw_ws;
int cli_open_workspace(struct hw_ws **out, const cli_globals *g, unsigned flags);

/*
 * What ws_check_private refuses, in the interface's language: the first
 * entry of dir others can use and the chmod that fixes it, into buf.  0, or
 * -1 when nothing is exposed (or out of memory).
 */
int cli_exposed_text(const char *dir, char *buf, size_t size);

/*
 * Why the central repository did not accept the credentials (what a sync,
 * merge or publish noted in sync_opts.auth), in the interface's language,
 * into buf.  0, or -1 when the note says nothing.
 */
struct repo_auth_note;
int cli_auth_text(const struct repo_auth_note *n, char *buf, size_t size);

/*
 * The person's passphrase: the first line of the --passphrase-fd file
 * descriptor (a regular file is read from its start, so one descriptor
 * serves several commands), else asked on the terminal without echo, twice
 * when confirm.  It is never echoed nor printed.  Prints the error and
 * returns 1 on failure; else 0 and *out (caller frees with secret_free).
 */
struct hw_secret;
int cli_passphrase(const cli_globals *g, int confirm, struct hw_secret **out);

/* Hold a copy of pass as the one this run was given (the demo's); 0, or prints and returns 1. */
int cli_hold_passphrase(const struct hw_secret *pass);

/* Ask the passphrase and unlock the workspace's device keys; 0, or prints and returns 1. */
int cli_unlock(struct hw_ws *ws, const cli_globals *g);

/* Ask on the terminal without echo, into s; 0, or -1 when there is no terminal. */
int cli_ask_secret_tty(const char *prompt, struct hw_secret *s);

/* Read the first line of fd into s (without its newline); 0, or -1 with errno-like failure. */
int cli_read_secret_fd(int fd, struct hw_secret *s);

/* The longest passphrase read, in bytes. */
#define CLI_PASSPHRASE_MAX 1024

/* The first two lines of fd into first and second (as cli_read_secret_fd); 0 or -1. */
int cli_read_secret_lines(int fd, struct hw_secret *first, struct hw_secret *second);

/* Fill o with flags and the workspace options g carries (database growth, datadir). */
struct ws_options;
void cli_ws_options(struct ws_options *o, const cli_globals *g, unsigned flags);

/* Form tools (ui/cli_form.c): `form check FORM...`, `form scenario FORM STEPS`. */
int cli_form_check(int argc, char **argv, const cli_globals *g);
int cli_form_scenario(int argc, char **argv, const cli_globals *g);

/*
 * Form translation tools (ui/cli_i18n.c): `form i18n extract|merge|coverage ...`,
 * used by the build to merge locales/forms/ PO files into multilingual XForms.
 */
int cli_form_i18n(int argc, char **argv, const cli_globals *g);

/* Sync and merge (ui/cli_sync.c): `sync`, `merge`. */
int cli_sync(int argc, char **argv, const cli_globals *g);
int cli_merge(int argc, char **argv, const cli_globals *g);

/* Publishing a form on central main for every device (ui/cli_sync.c; supervisors). */
int cli_form_publish(int argc, char **argv, const cli_globals *g);
int cli_migrate_repository(int argc, char **argv, const cli_globals *g);

/* The team roster (ui/cli_team.c): `team fingerprint|request|join|add|remove|list`. */
int cli_team(int argc, char **argv, const cli_globals *g);
/* `verify-push`: the server's check of pushed refs, for a pre-receive hook (ui/cli_team.c). */
int cli_verify_push(int argc, char **argv, const cli_globals *g);

/* Cases and settings (ui/cli_case.c). */
int cli_init(int argc, char **argv, const cli_globals *g);
int cli_migrate_workspace(int argc, char **argv, const cli_globals *g);
int cli_passphrase_change(int argc, char **argv, const cli_globals *g);
/* The demo's fixed passphrase in a new secret; 0, or prints and returns 1. */
int cli_demo_passphrase(struct hw_secret **out);
int cli_case_add(int argc, char **argv, const cli_globals *g);
int cli_case_list(int argc, char **argv, const cli_globals *g);
int cli_case_show(int argc, char **argv, const cli_globals *g);
int cli_config(int argc, char **argv, const cli_globals *g);
int cli_doctor(int argc, char **argv, const cli_globals *g);
int cli_case_update(int argc, char **argv, const cli_globals *g);
int cli_case_resolve(int argc, char **argv, const cli_globals *g);

/* Case work (ui/cli_work.c, docs/case-work.md). */
int cli_case_decide(int argc, char **argv, const cli_globals *g);
int cli_case_depart(int argc, char **argv, const cli_globals *g);
int cli_case_arrive(int argc, char **argv, const cli_globals *g);
int cli_case_assign(int argc, char **argv, const cli_globals *g);
int cli_case_close(int argc, char **argv, const cli_globals *g);
int cli_case_reopen(int argc, char **argv, const cli_globals *g);
int cli_consent_record(int argc, char **argv, const cli_globals *g);
int cli_consent_withdraw(int argc, char **argv, const cli_globals *g);
int cli_referral_send(int argc, char **argv, const cli_globals *g);
int cli_referral_update(int argc, char **argv, const cli_globals *g);
int cli_referral_list(int argc, char **argv, const cli_globals *g);
int cli_provider_list(int argc, char **argv, const cli_globals *g);
int cli_submission_show(int argc, char **argv, const cli_globals *g);

/* The agenda and return files (ui/cli_agenda.c, docs/agenda.md). */
int cli_agenda(int argc, char **argv, const cli_globals *g);
int cli_appointment_set(int argc, char **argv, const cli_globals *g);
int cli_appointment_done(int argc, char **argv, const cli_globals *g);
int cli_appointment_missed(int argc, char **argv, const cli_globals *g);
int cli_case_link(int argc, char **argv, const cli_globals *g);
int cli_case_unlink(int argc, char **argv, const cli_globals *g);

/* Reports (ui/cli_report.c, docs/reports.md). */
int cli_report_caseload(int argc, char **argv, const cli_globals *g);
int cli_report_returns(int argc, char **argv, const cli_globals *g);
int cli_report_timeliness(int argc, char **argv, const cli_globals *g);
int cli_report_referrals(int argc, char **argv, const cli_globals *g);
int cli_report_followup(int argc, char **argv, const cli_globals *g);
int cli_report_audit(int argc, char **argv, const cli_globals *g);
int cli_export_cases(int argc, char **argv, const cli_globals *g);
/* cli_export.c */
int cli_export_submissions(int argc, char **argv, const cli_globals *g);
int cli_export_riat(int argc, char **argv, const cli_globals *g);
/* `export cases --format xlsx [--out FILE]` (file may be NULL: standard output). */
int cli_export_cases_xlsx(const char *file, const cli_globals *g);

/* Filling forms from the command line (ui/cli_fill.c): `form list`, `form submit`. */
int cli_form_list(int argc, char **argv, const cli_globals *g);
int cli_form_submit(int argc, char **argv, const cli_globals *g);

/* The demo workspace (ui/demo.c): a fresh one with a central repository and cases. */
int cli_demo_prepare(const cli_globals *g, char **out_dir);

#endif
