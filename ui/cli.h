/*
 * cli.h: the command-line front end.  Each command is a function taking
 * its own argv (argv[0] is the command's last word) and the global options,
 * returning the process exit status.  Commands print results on stdout and
 * one-line errors on stderr, through cli_error().
 */
#ifndef HW_UI_CLI_H
#define HW_UI_CLI_H

#include "error.h"

/* Options given before the command. */
typedef struct cli_globals {
	const char *workspace;   /* --workspace DIR, or NULL */
	int demo;                /* --demo */
} cli_globals;

typedef int (*cli_command_fn)(int argc, char **argv, const cli_globals *g);

/* What every command shares (ui/cli.c). */

/* Print "homeward: MESSAGE" on stderr (printf-style); returns 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a translated message for a core error code plus its detail; returns 1. */
int cli_fail(const hw_error *err);

/*
 * Open the workspace named by the global options (or the default one).  Without
 * WS_OPEN_CREATE it must exist and be initialised.  Prints the error and
 * returns 1 on failure, else 0.
 */
struct hw_ws;
int cli_open_workspace(struct hw_ws **out, const cli_globals *g, unsigned flags);

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

/* Cases and settings (ui/cli_case.c). */
int cli_init(int argc, char **argv, const cli_globals *g);
int cli_case_add(int argc, char **argv, const cli_globals *g);
int cli_case_list(int argc, char **argv, const cli_globals *g);
int cli_case_show(int argc, char **argv, const cli_globals *g);
int cli_config(int argc, char **argv, const cli_globals *g);
int cli_case_update(int argc, char **argv, const cli_globals *g);
int cli_case_resolve(int argc, char **argv, const cli_globals *g);

/* Filling forms from the command line (ui/cli_fill.c): `form list`, `form submit`. */
int cli_form_list(int argc, char **argv, const cli_globals *g);
int cli_form_submit(int argc, char **argv, const cli_globals *g);

/* The demo workspace (ui/demo.c): a fresh one with a central repository and cases. */
int cli_demo_prepare(char **out_dir);

#endif
