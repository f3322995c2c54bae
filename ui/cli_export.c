/*
 * cli_export.c: `export submissions` and `export riat` (docs/exports.md).
 * The core writes the files (src/export_table.c); this file reads the
 * options, says what was written and turns failures into one line.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "i18n.h"
#include "workspace.h"

/* Where tables wait before they are zipped when the export goes to standard output. */
static const char *temp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* A binary export (a zip or a workbook) is not written onto a terminal. */
static int binary_to_terminal(const export_options *o, int binary)
{
	return binary && !o->out && isatty(o->out_fd);
}

/* What the command says after a successful export. */
static void said(const export_options *o, const export_result *r)
{
	if (r->unreadable)
		fprintf(stderr, P_("homeward: %ld submission could not be read and was left out\n",
				   "homeward: %ld submissions could not be read and were left out\n",
				   (unsigned long)r->unreadable), r->unreadable);
	if (r->cut)
		fprintf(stderr, P_("homeward: %ld cell was cut to 32,767 characters, the most a "
				   "spreadsheet cell holds\n",
				   "homeward: %ld cells were cut to 32,767 characters, the most a "
				   "spreadsheet cell holds\n", (unsigned long)r->cut), r->cut);
	if (o->out)
		printf(P_("Exported %ld submission to %s.\n", "Exported %ld submissions to %s.\n",
			  (unsigned long)r->count), r->count, o->out);
}

/*
 * `export submissions FORM_ID [--version V] --format csv|xlsx|json
 * [--out FILE] [--labels LANG]`.
 */
int cli_export_submissions(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, 'v' },
		{ "labels", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward export submissions FORM_ID [--version V] "
			      "--format csv|xlsx|json [--out FILE] [--labels LANG]");
	export_options o = EXPORT_OPTIONS_INIT;
	export_result r;
	hw_ws *ws = NULL;
	int c, st, fmt = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "csv")) fmt = EXPORT_CSV;
			else if (!strcmp(optarg, "json")) fmt = EXPORT_JSON;
			else if (!strcmp(optarg, "xlsx")) fmt = EXPORT_XLSX;
			else return cli_error(_("unknown format \"%s\" (csv, xlsx or json)"), optarg);
			break;
		case 'o': o.out = optarg; break;
		case 'v': o.version = optarg; break;
		case 'l': o.labels = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (optind + 1 < argc) {
		cli_error(_("unexpected argument: %s"), argv[optind + 1]);
		return cli_usage(usage);
	}
	if (optind + 1 != argc || !fmt)
		return cli_usage(usage);
	o.format = fmt;
	o.tmpdir = o.out ? NULL : temp_dir();
	if (binary_to_terminal(&o, fmt == EXPORT_XLSX))
		return cli_error("%s", _("a workbook is not written to a terminal: give --out FILE"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	fflush(stdout);
	if (export_submissions(ws, argv[optind], &o, &r) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	said(&o, &r);
	st = r.unreadable ? 1 : 0;
done:
	ws_free(ws);
	return st;
}

int cli_export_cases_xlsx(const char *file, const cli_globals *g)
{
	export_options o = EXPORT_OPTIONS_INIT;
	export_result r;
	hw_ws *ws = NULL;
	int st;

	o.format = EXPORT_XLSX;
	o.out = file;
	o.tmpdir = file ? NULL : temp_dir();
	if (binary_to_terminal(&o, 1))
		return cli_error("%s", _("a workbook is not written to a terminal: give --out FILE"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	fflush(stdout);
	if (export_cases_xlsx(ws, &o, &r) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (r.cut)
		fprintf(stderr, P_("homeward: %ld cell was cut to 32,767 characters, the most a "
				   "spreadsheet cell holds\n",
				   "homeward: %ld cells were cut to 32,767 characters, the most a "
				   "spreadsheet cell holds\n", (unsigned long)r.cut), r.cut);
	if (file)
		printf(P_("Exported %ld case to %s.\n", "Exported %ld cases to %s.\n",
			  (unsigned long)r.count), r.count, file);
	st = 0;
done:
	ws_free(ws);
	return st;
}

/* `export riat --out FILE [--map FILE]`: the key moments of the reintegration assistance tool. */
int cli_export_riat(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "map", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward export riat --out FILE [--map FILE]");
	export_options o = EXPORT_OPTIONS_INIT;
	const char *map = NULL;
	char *dir = NULL, *shipped = NULL;
	export_result r;
	hw_ws *ws = NULL;
	int c, st;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'm': map = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(usage);
	}
	if (!o.out)
		return cli_usage(usage);
	if (!map) {
		/* The shipped map: in the data folder beside the shipped forms. */
		dir = g->datadir ? strdup(g->datadir) : ws_data_dir();
		if (!dir || !(shipped = malloc(strlen(dir) + sizeof("/exports/riat.map")))) {
			free(dir);
			return cli_error("%s", _("out of memory"));
		}
		sprintf(shipped, "%s/exports/riat.map", dir);
		free(dir);
		map = shipped;
	}
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		goto done;
	if (export_riat(ws, map, &o, &r) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	printf(P_("Exported %ld case to %s.\n", "Exported %ld cases to %s.\n",
		  (unsigned long)r.count), r.count, o.out);
	st = 0;
done:
	ws_free(ws);
	free(shipped);
	return st;
}
