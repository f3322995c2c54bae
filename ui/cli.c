/*
 * cli.c: what every command shares: one-line errors, the translated
 * sentence for each core error code, and opening the workspace the global
 * options name.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "util.h"
#include "workspace.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("homeward: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A translated sentence for each error code (the one table, src/error.c). */
static const char *code_message(int code)
{
	return _(hw_error_text(code));
}

int cli_fail(const hw_error *err)
{
	if (!err->msg[0])
		return cli_error("%s", code_message(err->code));
	/* The detail already says what happened; the code adds what to do. */
	if (err->code == HW_EBUSY || err->code == HW_ENOSPACE || err->code == HW_ENETWORK ||
	    err->code == HW_ECORRUPT || err->code == HW_EREJECTED || err->code == HW_EAUTH)
		return cli_error("%s (%s)", err->msg, code_message(err->code));
	return cli_error("%s", err->msg);
}

int cli_usage(const char *message)
{
	cli_error("%s", message);
	return 2;
}

char *cli_workspace_dir(const cli_globals *g)
{
	char *base, *p;

	if (g->workspace && *g->workspace)
		return strdup(g->workspace);
	if (g->data_home && *g->data_home)
		return hw_path_join(g->data_home, "homeward");
	base = hw_path_join(g->home && *g->home ? g->home : ".", ".local/share");
	if (!base)
		return NULL;
	p = hw_path_join(base, "homeward");
	free(base);
	return p;
}

void cli_ws_options(ws_options *o, const cli_globals *g, unsigned flags)
{
	ws_options init = WS_OPTIONS_INIT;

	*o = init;
	o->flags = flags;
	o->max_db_growth = g->max_db_growth;
	o->datadir = g->datadir;
}

int cli_open_workspace(hw_ws **out, const cli_globals *g, unsigned flags)
{
	hw_error err = { 0, "" };
	char *dir = cli_workspace_dir(g);
	ws_options o;
	int rc;

	*out = NULL;
	if (!dir)
		return cli_error("%s", _("out of memory"));
	cli_ws_options(&o, g, flags);
	rc = ws_open_ext(out, dir, &o, &err);
	if (rc == HW_ENOTFOUND) {
		cli_error(_("there is no workspace at %s; create one with: homeward init"), dir);
		free(dir);
		return 1;
	}
	free(dir);
	if (rc < 0)
		return cli_fail(&err);
	if (!(flags & WS_OPEN_CREATE) && !ws_is_initialised(*out)) {
		ws_free(*out);
		*out = NULL;
		return cli_error("%s", _("this workspace is not set up yet; run: homeward init"));
	}
	return 0;
}
