/*
 * cli_team.c: `homeward team fingerprint|request|join|add|remove|list|set`:
 * the roster and its trust root on the command line (src/team.h,
 * docs/security.md).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sync/sync.h"
#include "i18n.h"
#include "team.h"
#include "text.h"
#include "util.h"
#include "workspace.h"

/* Open the workspace and its roster; prints and returns 1 when it has joined no team. */
static int open_roster(hw_ws **ws, team_roster **r, const cli_globals *g)
{
	int st = cli_open_workspace(ws, g, 0), rc;

	*r = NULL;
	if (st != 0)
		return st;
	rc = team_load(*ws, r);
	if (rc == HW_ENOTFOUND)
		st = cli_error("%s", _("this device has not joined a team yet: join one first with homeward team join FINGERPRINT (the fingerprint your supervisor reads out from homeward team fingerprint)"));
	else if (rc < 0)
		st = cli_fail(ws_error(*ws));
	if (st) {
		ws_free(*ws);
		*ws = NULL;
	}
	return st;
}

/* `team fingerprint`: the trust root, alone on the last line. */
static int team_fingerprint(int argc, char **argv, const cli_globals *g)
{
	unsigned char root[KEYS_SIGN_PUBLIC];
	char fp[KEYS_FINGERPRINT_TEXT];
	hw_ws *ws = NULL;
	int st;

	(void)argv;
	if (argc != 1)
		return cli_usage(_("usage: homeward team fingerprint"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (team_root(ws, root) < 0) {
		st = cli_error("%s", _("this device has not joined a team yet: join one first with homeward team join FINGERPRINT (the fingerprint your supervisor reads out from homeward team fingerprint)"));
	} else {
		keys_fingerprint(root, fp);
		printf("%s\n", _("The team's fingerprint (read it out to each new member, who types it at homeward init --team-key or homeward team join):"));
		printf("%s\n", fp);
	}
	ws_free(ws);
	return st;
}

/* `team request [--out FILE]`: this device's signed enrolment request. */
static int team_request_cmd(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char *req = NULL;
	size_t len = 0;
	hw_ws *ws = NULL;
	hw_error err = { 0, "" };
	int c, st;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'o')
			return cli_usage(_("usage: homeward team request [--out FILE]"));
		out = optarg;
	}
	if (optind != argc)
		return cli_usage(_("usage: homeward team request [--out FILE]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	/* The request is signed: whoever holds it holds the key it names. */
	if ((st = cli_unlock(ws, g)) != 0)
		goto done;
	if (team_request(ws, &req, &len) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	if (out) {
		if (hw_write_file_atomic(out, req, len, &err) < 0) {
			st = cli_fail(&err);
			goto done;
		}
		fprintf(stderr, _("Enrolment request of device %s written to %s: give it to your supervisor, who runs homeward team add FILE --role ROLE.\n"),
			ws_device_id(ws), out);
	} else {
		fwrite(req, 1, len, stdout);
	}
	st = 0;
done:
	free(req);
	ws_free(ws);
	return st;
}

/* `team join FINGERPRINT`: pin the trust root. */
static int team_join(int argc, char **argv, const cli_globals *g)
{
	unsigned char pk[KEYS_SIGN_PUBLIC];
	char fp[KEYS_FINGERPRINT_TEXT];
	hw_ws *ws = NULL;
	int st;

	if (argc != 2)
		return cli_usage(_("usage: homeward team join FINGERPRINT"));
	if (keys_fingerprint_parse(argv[1], pk) < 0)
		return cli_usage(_("the fingerprint must be 64 hex digits, as homeward team fingerprint prints it (quote it as one argument)"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (team_pin(ws, argv[1]) < 0) {
		st = cli_fail(ws_error(ws));
	} else {
		keys_fingerprint(pk, fp);
		printf(_("Joined the team %s. A supervisor adds this device to its roster with the file of homeward team request.\n"), fp);
	}
	ws_free(ws);
	return st;
}

/* `team add FILE --role ROLE [--org ORG]` (supervisors). */
static int team_add_cmd(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward team add FILE --role counsellor|field_officer|supervisor [--org ORG]");
	const char *role = NULL, *org = NULL;
	team_request_info req;
	hw_error err = { 0, "" };
	char *data = NULL;
	size_t len = 0;
	hw_ws *ws = NULL;
	team_roster *r = NULL;
	int c, st;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'o': org = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc - 1 || !role)
		return cli_usage(usage);
	if (!team_role_valid(role))
		return cli_usage(_("the role must be counsellor, field_officer or supervisor"));
	if (!hw_exists(argv[optind]))
		return cli_error(_("there is no file %s"), argv[optind]);
	if (hw_read_file(argv[optind], &data, &len, &err) < 0)
		return cli_fail(&err);
	if (team_request_parse(&req, data, len, &err) < 0) {
		st = cli_error(_("%s is not an enrolment request: %s"), argv[optind], err.msg);
		goto done;
	}
	if ((st = open_roster(&ws, &r, g)) != 0)
		goto done;
	if ((st = cli_unlock(ws, g)) != 0)
		goto done;
	if (team_add(ws, &req, role, org) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	printf(_("Added device %s (%s) as %s; your next homeward merge publishes it.\n"), req.device,
	       req.name, role);
	st = 0;
done:
	free(data);
	team_roster_free(r);
	ws_free(ws);
	return st;
}

/* `team remove DEVICE_ID` (supervisors). */
static int team_remove_cmd(int argc, char **argv, const cli_globals *g)
{
	hw_ws *ws = NULL;
	team_roster *r = NULL;
	int st;

	if (argc != 2)
		return cli_usage(_("usage: homeward team remove DEVICE_ID"));
	if ((st = open_roster(&ws, &r, g)) != 0)
		return st;
	if ((st = cli_unlock(ws, g)) != 0)
		goto done;
	if (team_remove(ws, argv[1]) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	printf(_("Removed device %s from the team; your next homeward merge publishes it.\n"), argv[1]);
done:
	team_roster_free(r);
	ws_free(ws);
	return st;
}

/* `team set KEY VALUE` (supervisors): a programme rule for every device of the team. */
static int team_set_cmd(int argc, char **argv, const cli_globals *g)
{
	hw_ws *ws = NULL;
	team_roster *r = NULL;
	int st;

	if (argc != 3)
		return cli_usage(_("usage: homeward team set agenda.follow_up_months|report.min_count|report.wait_days VALUE"));
	if (!team_setting_known(argv[1]))
		return cli_usage(_("the team sets agenda.follow_up_months, report.min_count and report.wait_days; each device sets the others with homeward config set"));
	if (team_setting_check_value(argv[1], argv[2]) < 0) {
		if (!strcmp(argv[1], "agenda.follow_up_months"))
			return cli_error("%s", _("agenda.follow_up_months is a list of months after arrival, increasing, from 1 to 120 (e.g. 3,6,12)"));
		if (!strcmp(argv[1], "report.min_count"))
			return cli_error("%s", _("report.min_count must be a whole number from 1 to 1000"));
		return cli_error("%s", _("report.wait_days must be a whole number of days from 1 to 3650"));
	}
	if ((st = open_roster(&ws, &r, g)) != 0)
		return st;
	if ((st = cli_unlock(ws, g)) != 0)
		goto done;
	if (team_setting_set(ws, argv[1], argv[2]) < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	/* TRANSLATORS: %1$s a setting's name, %2$s its new value. */
	printf(_("The team's %1$s is now %2$s; your next homeward merge publishes it, and each device applies it at its next sync.\n"),
	       argv[1], argv[2]);
done:
	team_roster_free(r);
	ws_free(ws);
	return st;
}

/* Print s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Print s as one TSV cell. */
static void tsv_cell(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Print s padded with spaces to width display columns. */
static void cell(const char *s, int width)
{
	int w = text_width(s);

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
}

/* `team list [--format table|tsv|json]`. */
static int team_list(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum { TABLE, TSV, JSON } fmt = TABLE;
	const char *usage = _("usage: homeward team list [--format table|tsv|json]");
	hw_ws *ws = NULL;
	team_roster *r = NULL;
	int c, st;
	size_t i;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'f')
			return cli_usage(usage);
		if (!strcmp(optarg, "table"))
			fmt = TABLE;
		else if (!strcmp(optarg, "tsv"))
			fmt = TSV;
		else if (!strcmp(optarg, "json"))
			fmt = JSON;
		else
			return cli_usage(usage);
	}
	if (optind != argc)
		return cli_usage(usage);
	if ((st = open_roster(&ws, &r, g)) != 0)
		return st;
	if (fmt == JSON)
		putchar('[');
	for (i = 0; i < r->n; i++) {
		const team_member *m = &r->members[i];
		char fp[KEYS_FINGERPRINT_TEXT];
		const char *name = m->name, *org = m->org;

		keys_fingerprint(m->sign_pk, fp);
		if (fmt == JSON) {
			printf("%s{\"device\":", i ? "," : "");
			json_str(m->device);
			printf(",\"name\":");
			json_str(m->name);
			printf(",\"role\":");
			json_str(m->role);
			printf(",\"org\":");
			json_str(m->org);
			printf(",\"status\":\"%s\",\"added_by\":", m->removed ? "removed" : "member");
			json_str(m->added_by);
			printf(",\"added_at\":\"%s\",\"removed_at\":", m->added_at);
			if (m->removed)
				printf("\"%s\"", m->removed_at);
			else
				printf("null");
			printf(",\"sign_key\":\"%s\"}", fp);
		} else if (fmt == TSV) {
			printf("%s\t", m->device);
			tsv_cell(name ? name : "");
			printf("\t%s\t", m->role);
			tsv_cell(org ? org : "");
			printf("\t%s\t%s\t%s\n", m->removed ? "removed" : "member", m->added_by,
			       m->added_at);
		} else {
			cell(m->device, 16);
			putchar(' ');
			cell(name ? name : "", 20);
			putchar(' ');
			cell(m->role, 14);
			putchar(' ');
			cell(org ? org : "", 12);
			putchar(' ');
			/* TRANSLATORS: the status column of team list. */
			printf("%s\n", m->removed ? _("removed") : _("member"));
		}
	}
	if (fmt == JSON)
		printf("]\n");
	if (fmt == TABLE && !team_member_get(r, ws_device_id(ws)))
		printf(_("(this device, %s, is not on the roster yet: its supervisor adds it with homeward team add)\n"),
		       ws_device_id(ws));
	team_roster_free(r);
	ws_free(ws);
	return 0;
}

int cli_team(int argc, char **argv, const cli_globals *g)
{
	const char *usage = _("usage: homeward team fingerprint|request|join|add|remove|list|set ...");

	if (argc < 2)
		return cli_usage(usage);
	if (!strcmp(argv[1], "fingerprint"))
		return team_fingerprint(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "request"))
		return team_request_cmd(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "join"))
		return team_join(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "add"))
		return team_add_cmd(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "remove"))
		return team_remove_cmd(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "list"))
		return team_list(argc - 1, argv + 1, g);
	if (!strcmp(argv[1], "set"))
		return team_set_cmd(argc - 1, argv + 1, g);
	return cli_usage(usage);
}

/* `verify-push --team-key FINGERPRINT [--repository DIR]`: the lines of a pre-receive hook. */
int cli_verify_push(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "team-key", required_argument, NULL, 'k' },
		{ "repository", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward verify-push --team-key FINGERPRINT [--repository DIR] < REF-UPDATES");
	const char *key = NULL, *dir = NULL;   /* NULL: the hook's repository */
	unsigned char root[KEYS_SIGN_PUBLIC];
	char line[600], old[64], new[64], ref[512];
	int c, refused = 0, lines = 0;

	(void)g;
	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'r': dir = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (!key || optind != argc)
		return cli_usage(usage);
	if (keys_fingerprint_parse(key, root) < 0)
		return cli_usage(_("the fingerprint must be 64 hex digits, as homeward team fingerprint prints it (quote it as one argument)"));
	/* "OLD NEW REF" per line, as git gives a pre-receive hook. */
	while (fgets(line, sizeof(line), stdin)) {
		hw_error err = { 0, "" };

		if (++lines > 10000 || sscanf(line, "%63s %63s %511s", old, new, ref) != 3) {
			cli_error("%s", _("verify-push reads lines of OLD NEW REF, as git gives a pre-receive hook"));
			return 1;
		}
		if (sync_verify_push(dir, root, old, new, ref, &err) < 0) {
			/* TRANSLATORS: a ref the server refuses, and why (English detail). */
			fprintf(stderr, _("homeward: refused %s: %s\n"), ref, err.msg);
			refused = 1;
		}
	}
	return refused;
}
