/*
 * cli_work.c: case work on the command line (docs/case-work.md): decide,
 * depart, arrive, assign, close and reopen a case; record and withdraw
 * consent; send, update and list referrals; list providers; read a
 * submission back.  A missing option is a usage error (status 2, before the
 * workspace opens); a wrong value is a one-line error naming the field and
 * the value (status 1) and records nothing.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cli.h"
#include "forms.h"
#include "i18n.h"
#include "providers.h"
#include "workspace.h"

/* Open the workspace and resolve a case id (prefix); prints the error. */
static int open_case(hw_ws **ws, const cli_globals *g, const char *prefix, char id[HW_UUID_LEN + 1])
{
	int st;

	if ((st = cli_open_workspace(ws, g, 0)) != 0)
		return st;
	if (case_resolve_id(*ws, prefix, id) < 0) {
		st = cli_fail(ws_error(*ws));
		ws_free(*ws);
		*ws = NULL;
		return st;
	}
	return 0;
}

/* Finish a recording command: the error or nothing (status). */
static int finish(hw_ws *ws, int rc)
{
	int st = rc < 0 ? cli_fail(ws_error(ws)) : 0;

	ws_free(ws);
	return st;
}

enum { FMT_TABLE, FMT_TSV, FMT_JSON, FMT_TEXT, FMT_XML };

static int parse_format(const char *s, int *fmt, int text)
{
	if (!text && !strcmp(s, "table")) *fmt = FMT_TABLE;
	else if (!text && !strcmp(s, "tsv")) *fmt = FMT_TSV;
	else if (!strcmp(s, "json")) *fmt = FMT_JSON;
	else if (text && !strcmp(s, "text")) *fmt = FMT_TEXT;
	else if (text && !strcmp(s, "xml")) *fmt = FMT_XML;
	else {
		cli_error(text ? _("format \"%s\" is not one of: text, json, xml")
			       : _("format \"%s\" is not one of: table, tsv, json"), s);
		return 1;
	}
	return 0;
}

static void tsv(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void json_s(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
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

/* --- case decide | depart | arrive | assign | close | reopen ------------ */

int cli_case_decide(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *date = NULL, *note = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': date = optarg; break;
		case 'n': note = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || argc - optind != 2)
		return cli_usage(_("usage: homeward case decide ID DECISION [--date YYYY-MM-DD] [--note TEXT]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_decide(ws, id, argv[optind + 1], date, note));
}

int cli_case_depart(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "assistance", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *date = NULL, *type = NULL, *assistance = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': date = optarg; break;
		case 't': type = optarg; break;
		case 'a': assistance = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !date || !type || argc - optind != 1)
		return cli_usage(_("usage: homeward case depart ID --date YYYY-MM-DD --type TYPE [--assistance KIND,...]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_depart(ws, id, date, type, assistance));
}

int cli_case_arrive(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *date = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			date = optarg;
		else
			bad = 1;
	}
	if (bad || !date || argc - optind != 1)
		return cli_usage(_("usage: homeward case arrive ID --date YYYY-MM-DD"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_arrive(ws, id, date));
}

int cli_case_assign(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "org", required_argument, NULL, 'o' },
		{ "note", required_argument, NULL, 'n' },
		{ "unassign", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role = NULL, *org = NULL, *note = NULL, *unassign = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'o': org = optarg; break;
		case 'n': note = optarg; break;
		case 'u': unassign = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !role || argc - optind != 2)
		return cli_usage(_("usage: homeward case assign ID PERSON --role ROLE [--org ORG] [--note TEXT] [--unassign PERSON]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_assign(ws, id, argv[optind + 1], role, org, note, unassign));
}

int cli_case_close(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *note = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		case 'n': note = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !reason || argc - optind != 1)
		return cli_usage(_("usage: homeward case close ID --reason REASON [--note TEXT]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_close_with_reason(ws, id, reason, note));
}

int cli_case_reopen(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			reason = optarg;
		else
			bad = 1;
	}
	if (bad || !reason || argc - optind != 1)
		return cli_usage(_("usage: homeward case reopen ID --reason TEXT"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, case_reopen(ws, id, reason));
}

/* --- consent record | withdraw ------------------------------------------ */

int cli_consent_record(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, 'p' },
		{ "granted", no_argument, NULL, 'g' },
		{ "refused", no_argument, NULL, 'R' },
		{ "recipient", required_argument, NULL, 'r' },
		{ "present", required_argument, NULL, 'P' },
		{ "language", required_argument, NULL, 'l' },
		{ "override", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *purpose = NULL, *recipient = NULL, *present = NULL, *lang = NULL, *override = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0, granted = -1;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': purpose = optarg; break;
		case 'g': bad |= granted == 0; granted = 1; break;
		case 'R': bad |= granted == 1; granted = 0; break;
		case 'r': recipient = optarg; break;
		case 'P': present = optarg; break;
		case 'l': lang = optarg; break;
		case 'o': override = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !purpose || granted < 0 || argc - optind != 1)
		return cli_usage(_("usage: homeward consent record ID --purpose P --granted|--refused [--recipient ORG] [--present WHO,...] [--language CODE] [--override REASON]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, consent_record(ws, id, purpose, granted, recipient, present, lang, override));
}

int cli_consent_withdraw(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "purpose", required_argument, NULL, 'p' },
		{ "recipient", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *purpose = NULL, *recipient = NULL;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': purpose = optarg; break;
		case 'r': recipient = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !purpose || argc - optind != 1)
		return cli_usage(_("usage: homeward consent withdraw ID --purpose P [--recipient ORG]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	return finish(ws, consent_withdraw(ws, id, purpose, recipient));
}

/* --- referral send | update | list -------------------------------------- */

int cli_referral_send(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "provider", required_argument, NULL, 'p' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "submission", required_argument, NULL, 's' },
		{ "urgent", no_argument, NULL, 'u' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *provider = NULL, *kinds = NULL, *subs = NULL, *note = NULL;
	char id[HW_UUID_LEN + 1], ref[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0, urgent = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': provider = optarg; break;
		case 'k': kinds = optarg; break;
		case 's': subs = optarg; break;
		case 'u': urgent = 1; break;
		case 'n': note = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !provider || !kinds || argc - optind != 1)
		return cli_usage(_("usage: homeward referral send ID --provider ORG --kinds KIND,... [--submission INSTANCE,...] [--urgent] [--note TEXT]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	if (referral_send(ws, id, provider, kinds, subs, urgent ? "urgent" : NULL, note, ref) < 0)
		return finish(ws, -1);
	printf("%s\n", ref);
	return finish(ws, 0);
}

int cli_referral_update(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *status = NULL, *note = NULL;
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': status = optarg; break;
		case 'n': note = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !status || argc - optind != 1)
		return cli_usage(_("usage: homeward referral update REFERRAL_ID --status STATUS [--note TEXT]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	return finish(ws, referral_update(ws, argv[optind], status, note));
}

/* The provider's name, from a loaded list ("" when unknown). */
static const char *provider_name(const hw_provider_list *l, const char *id)
{
	const hw_provider *p = providers_find(l, id);

	return p ? p->name : "";
}

typedef struct ref_list {
	int fmt, n;
	const hw_provider_list *providers;
} ref_list;

static int referral_row(const store_referral *r, void *payload)
{
	ref_list *c = payload;

	switch (c->fmt) {
	case FMT_TSV:
		printf("%s\t%s\t", r->id, r->case_id);
		tsv(r->provider); putchar('\t');
		tsv(r->kinds); putchar('\t');
		tsv(r->status); putchar('\t');
		tsv(r->status_at); putchar('\t');
		tsv(r->sent_at); putchar('\t');
		tsv(r->urgency); putchar('\t');
		tsv(r->status_note); putchar('\n');
		break;
	case FMT_JSON:
		printf("%s{\"id\":", c->n ? ",\n " : "");
		json_s(r->id);
		printf(",\"case\":"); json_s(r->case_id);
		printf(",\"provider\":"); json_s(r->provider);
		printf(",\"kinds\":"); json_s(r->kinds);
		printf(",\"status\":"); json_s(r->status);
		printf(",\"status_at\":"); json_s(r->status_at);
		printf(",\"sent_at\":"); json_s(r->sent_at);
		printf(",\"urgency\":"); json_s(r->urgency);
		printf(",\"note\":"); json_s(r->status_note);
		putchar('}');
		break;
	default:
		printf("%.8s  %.8s  %-28.28s %-18s %.10s  %s%s\n", r->id, r->case_id,
		       *provider_name(c->providers, r->provider) ? provider_name(c->providers, r->provider)
								  : r->provider,
		       r->status, r->status_at ? r->status_at : "", r->kinds ? r->kinds : "",
		       r->urgency && !strcmp(r->urgency, "urgent") ? _("  URGENT") : "");
	}
	c->n++;
	return 0;
}

int cli_referral_list(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	ref_list ctx = { FMT_TABLE, 0, NULL };
	hw_provider_list *pl = NULL;
	const char *status = NULL;
	hw_ws *ws = NULL;
	int c, st, bad = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': status = optarg; break;
		case 'f':
			if (parse_format(optarg, &ctx.fmt, 0))
				return 1;
			break;
		default: bad = 1;
		}
	}
	if (bad || optind != argc)
		return cli_usage(_("usage: homeward referral list [--status STATUS] [--format table|tsv|json]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	providers_load(ws, &pl);
	ctx.providers = pl;
	if (ctx.fmt == FMT_TSV)
		puts("referral\tcase\tprovider\tkinds\tstatus\tstatus_at\tsent_at\turgency\tnote");
	if (ctx.fmt == FMT_JSON)
		putchar('[');
	if (case_referrals(ws, status, referral_row, &ctx) < 0) {
		if (ctx.fmt == FMT_JSON)
			puts("]");
		providers_free(pl);
		return finish(ws, -1);
	}
	if (ctx.fmt == FMT_JSON)
		puts("]");
	else if (ctx.fmt == FMT_TABLE && ctx.n == 0)
		puts(_("No referrals."));
	providers_free(pl);
	return finish(ws, 0);
}

/* --- provider list ------------------------------------------------------ */

int cli_provider_list(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "country", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	hw_provider_list *pl = NULL;
	const char *country = NULL;
	hw_ws *ws = NULL;
	int c, st, bad = 0, fmt = FMT_TABLE, n = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': country = optarg; break;
		case 'f':
			if (parse_format(optarg, &fmt, 0))
				return 1;
			break;
		default: bad = 1;
		}
	}
	if (bad || optind != argc)
		return cli_usage(_("usage: homeward provider list [--country CC] [--format table|tsv|json]"));
	if (country && (strlen(country) != 2 || strspn(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != 2))
		return cli_error(_("country \"%s\" is not a two-letter country code (ISO 3166, e.g. NG)"), country);
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (providers_load(ws, &pl) < 0)
		return finish(ws, -1);
	if (fmt == FMT_TSV)
		puts("provider\tname\tcountry\tservices\tcontact");
	if (fmt == FMT_JSON)
		putchar('[');
	for (size_t i = 0; i < pl->count; i++) {
		const hw_provider *p = &pl->items[i];

		if (country && strcasecmp(country, p->country))
			continue;
		if (fmt == FMT_TSV) {
			tsv(p->id); putchar('\t');
			tsv(p->name); putchar('\t');
			tsv(p->country); putchar('\t');
			tsv(p->services); putchar('\t');
			tsv(p->contact); putchar('\n');
		} else if (fmt == FMT_JSON) {
			printf("%s{\"id\":", n ? ",\n " : "");
			json_s(p->id);
			printf(",\"name\":"); json_s(p->name);
			printf(",\"country\":"); json_s(p->country);
			printf(",\"services\":"); json_s(p->services);
			printf(",\"contact\":"); json_s(p->contact);
			putchar('}');
		} else {
			printf("%-30s %-2s  %s\n%-33s %s\n", p->id, p->country, p->name, "", p->services);
		}
		n++;
	}
	if (fmt == FMT_JSON)
		puts("]");
	else if (fmt == FMT_TABLE && n == 0)
		puts(_("No providers."));
	providers_free(pl);
	return finish(ws, 0);
}

/* --- submission show ---------------------------------------------------- */

/* Print text indented, continuation lines aligned. */
static void print_indented(int indent, const char *text)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			printf("%*s", indent, "");
	}
}

int cli_submission_show(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *lang = NULL;
	submission_view *v = NULL;
	hw_ws *ws = NULL;
	int c, st, bad = 0, fmt = FMT_TEXT, n = 0;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lang = optarg; break;
		case 'f':
			if (parse_format(optarg, &fmt, 1))
				return 1;
			break;
		default: bad = 1;
		}
	}
	if (bad || argc - optind != 1)
		return cli_usage(_("usage: homeward submission show INSTANCE_ID [--lang CODE] [--format text|json|xml]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (submission_read(ws, argv[optind], lang, &v) < 0)
		return finish(ws, -1);
	if (fmt == FMT_XML) {
		fwrite(v->xml, 1, v->xml_len, stdout);
		if (v->xml_len && v->xml[v->xml_len - 1] != '\n')
			putchar('\n');
	} else if (fmt == FMT_JSON) {
		printf("{\"instance_id\":"); json_s(v->instance_id);
		printf(",\"case\":"); json_s(v->case_id);
		printf(",\"form_id\":"); json_s(v->form_id);
		printf(",\"form_version\":"); json_s(v->form_version);
		printf(",\"form_title\":"); json_s(v->form_title);
		printf(",\"created_at\":"); json_s(v->created_at);
		printf(",\"language\":"); json_s(v->language);
		printf(",\"items\":[");
		for (size_t i = 0; i < v->count; i++) {
			const submission_item *it = &v->items[i];

			printf("%s{\"path\":", n++ ? ",\n " : "\n ");
			json_s(it->path);
			printf(",\"kind\":\"%s\"", it->kind == XFORM_GROUP ? "group" :
			       it->kind == XFORM_REPEAT ? "repeat" : "question");
			printf(",\"depth\":%d", it->depth);
			if (it->repeat_index)
				printf(",\"repeat_index\":%d", it->repeat_index);
			printf(",\"label\":"); json_s(it->label);
			if (it->kind != XFORM_GROUP && it->kind != XFORM_REPEAT) {
				printf(",\"value\":"); json_s(it->value);
				printf(",\"answer\":"); json_s(it->display);
			}
			putchar('}');
		}
		puts("]}");
	} else {
		printf("%s (%s %s)\n", v->form_title ? v->form_title : v->form_id, v->form_id,
		       v->form_version ? v->form_version : "");
		printf(_("Submission %s, case %s, %s\n"), v->instance_id, v->case_id, v->created_at);
		for (size_t i = 0; i < v->count; i++) {
			const submission_item *it = &v->items[i];
			int indent = 2 * it->depth;

			if (it->kind == XFORM_GROUP) {
				printf("\n%*s%s\n", indent, "", it->label);
			} else if (it->kind == XFORM_REPEAT) {
				printf("\n%*s", indent, "");
				if (*it->label)
					printf("%d. %s\n", it->repeat_index, it->label);
				else
					/* TRANSLATORS: the heading of an entry of a repeat without a label. */
					printf(_("Entry %d"), it->repeat_index), putchar('\n');
			} else {
				printf("%*s", indent, "");
				print_indented(indent, it->label);
				printf("\n%*s  ", indent, "");
				print_indented(indent + 2, *it->display ? it->display : _("(no answer)"));
				putchar('\n');
			}
		}
	}
	submission_view_free(v);
	return finish(ws, 0);
}
