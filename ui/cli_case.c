/* cli_case.c: `init`, `case ...` and `config ...` commands. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agenda.h"
#include "agenda_text.h"
#include "cases.h"
#include "event.h"
#include "providers.h"
#include "report.h"
#include "cli.h"
#include "forms.h"
#include "i18n.h"
#include "text.h"
#include "team.h"
#include "workspace.h"

int cli_init(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "device-id", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "remote", required_argument, NULL, 'R' },
		{ "team-key", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = _("usage: homeward init --device-id ID --name NAME --role counsellor|field_officer|supervisor [--remote URL] [--team-key FINGERPRINT]");
	const char *device = NULL, *name = NULL, *role = "counsellor", *remote = NULL, *team_key = NULL;
	unsigned char root[KEYS_SIGN_PUBLIC];
	char fp[KEYS_FINGERPRINT_TEXT];
	hw_secret *pass = NULL;
	hw_ws *ws = NULL;
	int c, st, rc, founded = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'n': name = optarg; break;
		case 'r': role = optarg; break;
		case 'R': remote = optarg; break;
		case 'T': team_key = optarg; break;
		default: return cli_usage(usage);
		}
	}
	if (!device || !name || optind != argc)
		return cli_usage(usage);
	if (!team_role_valid(role))
		return cli_usage(_("the role must be counsellor, field_officer or supervisor"));
	/* A mistyped fingerprint is refused before anything is made. */
	if (team_key && keys_fingerprint_parse(team_key, root) < 0)
		return cli_usage(_("the fingerprint must be 64 hex digits, as homeward team fingerprint prints it (quote it as one argument)"));
	/* The passphrase first: without one, nothing is created. */
	if ((st = cli_passphrase(g, 1, &pass)) != 0)
		return st;
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_CREATE)) != 0)
		goto done;
	/* Keys are never replaced: an init again must open them. */
	if (ws_has_keys(ws) && (rc = ws_unlock(ws, pass)) < 0) {
		st = rc == HW_EAUTH ? cli_error("%s", _("wrong passphrase; nothing was changed"))
				    : cli_fail(ws_error(ws));
		goto done;
	}
	if (ws_init(ws, device, name, role, remote) < 0 ||
	    (!ws_has_keys(ws) && ws_make_keys(ws, pass) < 0)) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	/*
	 * The trust root: the one given, or for a supervisor without one, a new
	 * team of its own (its key is the root).  Others work locally until
	 * they join.
	 */
	if (team_key) {
		rc = team_pin(ws, team_key);
	} else if (!strcmp(role, "supervisor") && team_root(ws, root) == HW_ENOTFOUND) {
		hw_error_clear(ws_err(ws));
		rc = team_found(ws, name);
		founded = rc == 0;
	} else {
		rc = 0;
		hw_error_clear(ws_err(ws));
	}
	if (rc < 0) {
		st = cli_fail(ws_error(ws));
		goto done;
	}
	printf(_("Workspace %s ready for %s (%s, device %s).\n"), ws_dir(ws), name, role, device);
	if (founded) {
		keys_fingerprint(keys_sign_public(ws_keys(ws)), fp);
		printf("%s\n%s\n", _("A new team was founded, with this device as its first supervisor. Its fingerprint, for homeward init --team-key on every other device:"), fp);
	} else if (team_root(ws, root) < 0) {
		hw_error_clear(ws_err(ws));
		printf("%s\n", _("This device works locally until it joins a team: homeward team join FINGERPRINT."));
	}
	st = 0;
done:
	secret_free(pass);
	ws_free(ws);
	return st;
}

int cli_case_add(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "given-name", required_argument, NULL, 'g' },
		{ "family-name", required_argument, NULL, 'f' },
		{ "birth-date", required_argument, NULL, 'b' },
		{ "birth-year", required_argument, NULL, 'y' },
		{ "sex", required_argument, NULL, 's' },
		{ "nationality", required_argument, NULL, 'n' },
		{ "return-country", required_argument, NULL, 'r' },
		{ "language", required_argument, NULL, 'l' },
		{ "vulnerability", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	case_fields f = CASE_FIELDS_INIT;
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g': f.given_name = optarg; break;
		case 'f': f.family_name = optarg; break;
		case 'b': f.birth_date = optarg; break;
		case 'y': f.birth_year = optarg; break;
		case 's': f.sex = optarg; break;
		case 'n': f.nationality = optarg; break;
		case 'r': f.return_country = optarg; break;
		case 'l': f.language = optarg; break;
		case 'v': f.vulnerability = optarg; break;
		default:
			return cli_usage(_("usage: homeward case add --given-name G --family-name F --birth-date YYYY-MM-DD --nationality CC --return-country CC --language CODE"));
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(_("usage: homeward case add --given-name G --family-name F --birth-date YYYY-MM-DD --nationality CC --return-country CC --language CODE"));
	}
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	if (case_open(ws, &f, id) < 0) {
		st = cli_fail(ws_error(ws));
	} else {
		printf("%s\n", id);
		st = 0;
	}
	ws_free(ws);
	return st;
}

/*
 * The list is written a row at a time: each row is put together in a
 * buffer and written with one call (a write per byte cost more than
 * reading the row).
 */

/* Append s with tabs and line ends replaced by spaces, for one TSV cell. */
static void tsv_cell(hw_buf *b, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, "\t\n\r");

		hw_buf_add(b, s, n);
		s += n;
		if (*s) {
			hw_buf_add(b, " ", 1);
			s++;
		}
	}
}

/* Append s as a JSON string. */
static void json_str(hw_buf *b, const char *s)
{
	hw_buf_add(b, "\"", 1);
	while (s && *s) {
		size_t n = 0;
		unsigned char c;

		while ((c = (unsigned char)s[n]) && c >= 0x20 && c != '"' && c != '\\')
			n++;
		hw_buf_add(b, s, n);
		s += n;
		if (!(c = (unsigned char)*s))
			break;
		if (c == '"' || c == '\\')
			hw_buf_printf(b, "\\%c", c);
		else
			hw_buf_printf(b, "\\u%04x", c);
		s++;
	}
	hw_buf_add(b, "\"", 1);
}

enum { FMT_TABLE, FMT_TSV, FMT_JSON };

typedef struct list_ctx {
	int fmt;
	int n;
	hw_ws *ws;
	const char *stage, *assigned, *country;   /* filters, NULL for any */
	const char *vulnerability;                /* a flag the case must have, NULL for any */
	int minor_cols;                           /* columns of the translated "minor" */
	char **members;                           /* --family: the return file's cases, or NULL */
	size_t nmembers;
	hw_buf row;                               /* the row being written (tsv, json) */
} list_ctx;

/* Columns of the name in the table (names longer are cut, with "…"). */
#define NAME_COLS 28

/* True if the space-separated list holds word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static int list_row(const store_case_row *r, void *payload)
{
	list_ctx *c = payload;
	char name[256];
	const char *stage = r->stage;
	hw_buf *b = &c->row;
	size_t m;

	for (m = 0; c->members && m < c->nmembers && strcmp(c->members[m], r->id); m++)
		;
	if (c->members && m == c->nmembers)
		return 0;
	if (c->country && (!r->return_country || strcasecmp(r->return_country, c->country)))
		return 0;
	if (c->assigned && !has_word(r->assigned_to, c->assigned))
		return 0;
	if (c->vulnerability && !has_word(r->vulnerability, c->vulnerability))
		return 0;
	if (c->stage && (!stage || strcmp(stage, c->stage)))
		return 0;

	switch (c->fmt) {
	case FMT_TSV:
		hw_buf_truncate(b, 0);
		hw_buf_puts(b, r->id); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->given_name); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->family_name); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->birth_date); hw_buf_add(b, "\t", 1);
		hw_buf_printf(b, "%d\t", r->minor);
		tsv_cell(b, r->nationality); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->return_country); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->language); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->vulnerability); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->status); hw_buf_add(b, "\t", 1);
		hw_buf_printf(b, "%d\t", r->conflicts);
		tsv_cell(b, r->updated_at); hw_buf_add(b, "\t", 1);
		tsv_cell(b, stage); hw_buf_add(b, "\t", 1);
		tsv_cell(b, r->assigned_to); hw_buf_add(b, "\n", 1);
		if (hw_buf_oom(b))
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		fwrite(b->ptr, 1, b->len, stdout);
		break;
	case FMT_JSON:
		hw_buf_truncate(b, 0);
		hw_buf_puts(b, c->n ? ",\n {\"id\":" : "{\"id\":");
		json_str(b, r->id);
		hw_buf_puts(b, ",\"given_name\":"); json_str(b, r->given_name);
		hw_buf_puts(b, ",\"family_name\":"); json_str(b, r->family_name);
		hw_buf_puts(b, ",\"birth_date\":"); json_str(b, r->birth_date);
		hw_buf_puts(b, r->minor ? ",\"minor\":true" : ",\"minor\":false");
		hw_buf_puts(b, ",\"nationality\":"); json_str(b, r->nationality);
		hw_buf_puts(b, ",\"return_country\":"); json_str(b, r->return_country);
		hw_buf_puts(b, ",\"language\":"); json_str(b, r->language);
		hw_buf_puts(b, ",\"vulnerability\":"); json_str(b, r->vulnerability);
		hw_buf_puts(b, ",\"status\":"); json_str(b, r->status);
		hw_buf_printf(b, ",\"conflicts\":%d", r->conflicts);
		hw_buf_puts(b, ",\"updated_at\":"); json_str(b, r->updated_at);
		hw_buf_puts(b, ",\"stage\":"); json_str(b, stage);
		hw_buf_puts(b, ",\"assigned_to\":"); json_str(b, r->assigned_to);
		hw_buf_add(b, "}", 1);
		if (hw_buf_oom(b))
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
		fwrite(b->ptr, 1, b->len, stdout);
		break;
	default: {
		/* Padded by columns, not bytes: Arabic and accented names align. */
		char *cname, *cminor, *cstage;

		snprintf(name, sizeof(name), "%s %s", r->given_name ? r->given_name : "",
			 r->family_name ? r->family_name : "");
		cname = text_pad(name, NAME_COLS);
		/* TRANSLATORS: marks a minor in `case list`. */
		cminor = text_pad(r->minor ? _("minor") : "", c->minor_cols);
		cstage = text_pad(stage ? stage : "", 13);
		if (cname && cminor && cstage)
			printf("%.8s  %s %-10s %s %2s -> %-2s  %s%s\n", r->id, cname,
			       r->birth_date ? r->birth_date : "", cminor,
			       r->nationality ? r->nationality : "",
			       r->return_country ? r->return_country : "", cstage,
			       r->conflicts ? _("  CONFLICT") : "");
		free(cname);
		free(cminor);
		free(cstage);
		if (!cname || !cminor || !cstage)
			return hw_error_set(ws_err(c->ws), HW_ERROR, "out of memory");
	}
	}
	c->n++;
	return 0;
}

int cli_case_list(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "search", required_argument, NULL, 's' },
		{ "stage", required_argument, NULL, 'S' },
		{ "assigned", required_argument, NULL, 'a' },
		{ "return-country", required_argument, NULL, 'r' },
		{ "vulnerability", required_argument, NULL, 'v' },
		{ "sort", required_argument, NULL, 'o' },
		{ "family", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct { const char *name; int sort; } sorts[] = {
		{ "changed", STORE_SORT_CHANGED }, { "name", STORE_SORT_NAME },
		{ "age", STORE_SORT_AGE }, { "stage", STORE_SORT_STAGE },
	};
	list_ctx ctx = { FMT_TABLE, 0, NULL, NULL, NULL, NULL, NULL, 5, NULL, 0, HW_BUF_INIT };
	store_case_query q = STORE_CASE_QUERY_INIT;
	const char *search = NULL, *family = NULL;
	char family_id[HW_UUID_LEN + 1];
	char **members = NULL;
	size_t nmembers = 0;
	hw_ws *ws = NULL;
	int c, st, rc = 0;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "table")) ctx.fmt = FMT_TABLE;
			else if (!strcmp(optarg, "tsv")) ctx.fmt = FMT_TSV;
			else if (!strcmp(optarg, "json")) ctx.fmt = FMT_JSON;
			else return cli_error(_("unknown format \"%s\" (table, tsv or json)"), optarg);
			break;
		case 's': search = optarg; break;
		case 'S':
			ctx.stage = optarg;
			if (!event_word_in(optarg, case_stages))
				return cli_error(_("stage \"%s\" is not one of: identified, counselling, decided, pre-departure, departed, arrived, follow-up, closed, reopened"), optarg);
			break;
		case 'a': ctx.assigned = optarg; break;
		case 'v': ctx.vulnerability = optarg; break;
		case 'r':
			ctx.country = optarg;
			if (strlen(optarg) != 2)
				return cli_error(_("country \"%s\" is not a two-letter country code (ISO 3166, e.g. NG)"), optarg);
			break;
		case 'o':
			for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
				if (!strcmp(optarg, sorts[i].name))
					break;
			if (i == sizeof(sorts) / sizeof(sorts[0]))
				return cli_error(_("unknown order \"%s\" (name, age, stage or changed)"), optarg);
			q.sort = sorts[i].sort;
			break;
		case 'F': family = optarg; break;
		default: return cli_usage(_("usage: homeward case list [--format table|tsv|json] [--search TEXT] [--stage STAGE] [--assigned PERSON|me] [--return-country CC] [--vulnerability FLAG] [--sort name|age|stage|changed] [--family ID]"));
		}
	}
	if (optind != argc) {
		cli_error(_("unexpected argument: %s"), argv[optind]);
		return cli_usage(_("usage: homeward case list [--format table|tsv|json] [--search TEXT] [--stage STAGE] [--assigned PERSON|me] [--return-country CC] [--vulnerability FLAG] [--sort name|age|stage|changed] [--family ID]"));
	}
	q.search = search;
	if (text_width(_("minor")) > ctx.minor_cols)
		ctx.minor_cols = text_width(_("minor"));
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	ctx.ws = ws;
	if (ctx.assigned && !strcmp(ctx.assigned, "me"))
		ctx.assigned = ws_device_id(ws);
	if (ctx.fmt == FMT_TSV)
		puts("id\tgiven_name\tfamily_name\tbirth_date\tminor\tnationality\treturn_country\tlanguage\tvulnerability\tstatus\tconflicts\tupdated_at\tstage\tassigned_to");
	if (ctx.fmt == FMT_JSON)
		putchar('[');
	if (family) {
		/* The return file: the case first, then its members (other filters still apply). */
		rc = case_resolve_id(ws, family, family_id);
		if (rc == 0)
			rc = family_file(ws, family_id, &members, &nmembers);
		ctx.members = members;
		ctx.nmembers = nmembers;
	}
	if (family && rc == 0 && search && *search) {
		/* Words to match as well: the list's own search, kept to the file's cases. */
		rc = case_query(ws, &q, list_row, &ctx);
	} else if (family) {
		for (i = 0; rc == 0 && i < nmembers; i++) {
			store_case_row r;

			if ((rc = case_get(ws, members[i], &r)) == HW_ENOTFOUND) {
				rc = 0;   /* a member whose case has not reached this device yet */
				continue;
			}
			if (rc == 0)
				rc = list_row(&r, &ctx);
			store_case_row_clear(&r);
		}
	} else {
		rc = case_query(ws, &q, list_row, &ctx);
	}
	family_ids_free(members, nmembers);
	hw_buf_free(&ctx.row);
	if (rc < 0) {
		st = cli_fail(ws_error(ws));
	} else {
		if (ctx.fmt == FMT_JSON)
			puts("]");
		else if (ctx.fmt == FMT_TABLE && ctx.n == 0)
			puts(search || ctx.stage || ctx.assigned || ctx.country || ctx.vulnerability || family
			     ? _("No case matches.")
								   : _("No cases yet."));
		st = 0;
	}
	ws_free(ws);
	return st;
}

static int show_event(const char *json, void *payload)
{
	hw_event *ev;

	(void)payload;
	if (event_parse(&ev, json, strlen(json), NULL) < 0)
		return 0;
	printf("  %s  %-18s %-16s %s\n", ev->at, ev->type, ev->author, ev->data);
	event_free(ev);
	return 0;
}

/* What the form.submitted events say about the submissions: author and corrections. */
typedef struct sub_info {
	char *instance, *author, *deprecates;
} sub_info;

typedef struct show_ctx {
	hw_ws *ws;
	sub_info *subs;
	size_t nsubs;
} show_ctx;

static int collect_submitted(const char *json, void *payload)
{
	show_ctx *c = payload;
	hw_event *ev = NULL;
	sub_info *p;

	if (event_parse(&ev, json, strlen(json), NULL) < 0)
		return 0;
	if (!strcmp(ev->type, EV_FORM_SUBMITTED) &&
	    (p = realloc(c->subs, (c->nsubs + 1) * sizeof(*p))) != NULL) {
		c->subs = p;
		p = &c->subs[c->nsubs++];
		memset(p, 0, sizeof(*p));
		event_data_get(&p->instance, ev->data, "instance_id");
		event_data_get(&p->deprecates, ev->data, "deprecated_id");
		p->author = strdup(ev->author);
	}
	event_free(ev);
	return 0;
}

static int show_submission(const store_submission *s, void *payload)
{
	show_ctx *c = payload;
	const char *author = "", *corrected_by = NULL;
	char *title = forms_title(c->ws, s->form_id);

	for (size_t i = 0; i < c->nsubs; i++) {
		if (c->subs[i].instance && !strcmp(c->subs[i].instance, s->instance_id))
			author = c->subs[i].author;
		if (c->subs[i].deprecates && !strcmp(c->subs[i].deprecates, s->instance_id))
			corrected_by = c->subs[i].instance;
	}
	printf("  %.10s  %-32.32s %-16.16s %s\n", s->created_at, title ? title : s->form_id, author,
	       s->instance_id);
	if (corrected_by)
		printf(_("            (corrected by %s)\n"), corrected_by);
	free(title);
	return 0;
}

/* The case's appointments (every status) and its return file. */
static void show_agenda(hw_ws *ws, const store_case_work *w)
{
	char today[11];

	agenda_today(today);
	printf("\n%s\n", _("Appointments:"));
	for (size_t i = 0; i < w->nappointments; i++) {
		const store_appointment *a = &w->appointments[i];
		char *what = agenda_purpose_text(a), *due = agenda_due_text(a, today);

		printf("  %.8s  %s %-5s  %-20s %s  %s%s%s  @%s\n", a->id, a->date, a->time ? a->time : "",
		       due ? due : "", what ? what : "", agenda_channel_text(a->channel),
		       a->place ? ", " : "", a->place ? a->place : "", a->assigned ? a->assigned : "");
		free(what);
		free(due);
	}
	printf("\n%s\n", _("Family (return file):"));
	for (size_t i = 0; i < w->nfamily; i++) {
		const store_family_link *f = &w->family[i];
		store_case_row m;
		int known = case_get(ws, f->member, &m) == 0;

		printf("  %.8s  %-16s %s%s%s\n", f->member, agenda_relation_text(f->relation),
		       known && m.given_name ? m.given_name : "", known && m.given_name && m.family_name ? " " : "",
		       known && m.family_name ? m.family_name : known ? "" : _("(case not on this device)"));
		if (known)
			store_case_row_clear(&m);
	}
}

/* Stage, milestones, decisions, assignees, consents and referrals. */
static void show_work(hw_ws *ws, const char *id)
{
	store_case_work w;
	hw_provider_list *pl = NULL;

	if (case_work_get(ws, id, &w) < 0)
		return;
	providers_load(ws, &pl);
#define ROW(label, v) printf("%-22s %s\n", label, (v) ? (v) : "")
	ROW(_("Stage"), w.stage);
	if (w.decision) {
		printf("%-22s %s (%s)\n", _("Decision"), w.decision, w.decision_date ? w.decision_date : "");
		for (size_t i = 0; w.ndecisions > 1 && i + 1 < w.ndecisions; i++)
			printf(_("%-22s earlier: %s (%s, by %s)\n"), "", w.decisions[i].decision,
			       w.decisions[i].date ? w.decisions[i].date : "", w.decisions[i].author);
	}
	if (w.departure_planned && !w.departed_on)
		ROW(_("Departure planned"), w.departure_planned);
	if (w.departed_on) {
		printf("%-22s %s (%s)\n", _("Departed"), w.departed_on, w.return_type ? w.return_type : "");
		if (w.assistance_granted)
			printf(_("%-22s assistance granted: %s\n"), "", w.assistance ? w.assistance : "");
	}
	if (w.arrived_on)
		printf(_("%-22s %s (confirmed by %s)\n"), _("Arrived"), w.arrived_on,
		       w.arrival_confirmed_by ? w.arrival_confirmed_by : "");
	if (w.follow_up_on)
		printf(_("%-22s %s (round %s)\n"), _("First follow-up"), w.follow_up_on,
		       w.follow_up_round ? w.follow_up_round : "");
	if (w.closed_on)
		printf("%-22s %s (%s%s%s)\n", _("Closed"), w.closed_on, w.close_reason ? w.close_reason : "",
		       w.close_note ? ": " : "", w.close_note ? w.close_note : "");
	if (w.reopened_on)
		ROW(_("Reopened"), w.reopened_on);
#undef ROW
	printf("\n%s\n", _("Assigned to:"));
	for (size_t i = 0; i < w.nassignees; i++)
		printf("  %-20s %-14s %s%s%s\n", w.assignees[i].person, w.assignees[i].role,
		       w.assignees[i].organisation ? w.assignees[i].organisation : "",
		       w.assignees[i].note ? "  " : "", w.assignees[i].note ? w.assignees[i].note : "");
	printf("\n%s\n", _("Consents:"));
	for (size_t i = 0; i < w.nconsents; i++) {
		const store_consent *c = &w.consents[i];

		printf("  %-20s %-24s %-8s %s%s%s\n", c->purpose, c->recipient,
		       c->withdrawn_on ? _("withdrawn") : c->granted ? _("granted") : _("refused"),
		       c->withdrawn_on ? c->withdrawn_on : c->date ? c->date : "",
		       c->present ? "  " : "", c->present ? c->present : "");
	}
	printf("\n%s\n", _("Referrals:"));
	for (size_t i = 0; i < w.nreferrals; i++) {
		const store_referral *r = &w.referrals[i];
		const hw_provider *p = providers_find(pl, r->provider);

		printf("  %.8s  %s (%s)  %s %.10s  %s\n", r->id, p ? p->name : r->provider, r->provider,
		       r->status, r->status_at ? r->status_at : "", r->kinds ? r->kinds : "");
		if (r->status_note)
			printf("            %s\n", r->status_note);
	}
	show_agenda(ws, &w);
	providers_free(pl);
	store_case_work_clear(&w);
}

static int show_draft(const char *id, const char *form_id, const char *updated_at, void *payload)
{
	(void)payload;
	(void)id;
	printf(_("  %s  %s (in progress)\n"), updated_at, form_id);
	return 0;
}

int cli_case_show(int argc, char **argv, const cli_globals *g)
{
	char id[HW_UUID_LEN + 1];
	store_case_row r;
	case_conflict *cf = NULL;
	size_t ncf = 0;
	hw_ws *ws = NULL;
	show_ctx sc = { NULL, NULL, 0 };
	int st;

	if (argc != 2)
		return cli_usage(_("usage: homeward case show ID"));
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	if (case_resolve_id(ws, argv[1], id) < 0 || case_get(ws, id, &r) < 0) {
		st = cli_fail(ws_error(ws));
		ws_free(ws);
		return st;
	}
	sc.ws = ws;
#define ROW(label, v) printf("%-22s %s\n", label, (v) ? (v) : "")
	ROW(_("Case"), r.id);
	ROW(_("Given name"), r.given_name);
	ROW(_("Family name"), r.family_name);
	if (r.birth_date)
		ROW(_("Date of birth"), r.birth_date);
	else if (r.birth_year)
		printf("%-22s %d\n", _("Estimated birth year"), r.birth_year);
	ROW(_("Minor"), r.minor ? _("yes") : _("no"));
	ROW(_("Sex"), r.sex);
	ROW(_("Nationality"), r.nationality);
	ROW(_("Country of return"), r.return_country);
	ROW(_("Preferred language"), r.language);
	ROW(_("Vulnerabilities"), r.vulnerability);
	{
		int age;
		const char *flag = case_flag_disagreement(&r, &age);

		if (r.age >= 0)
			printf("%-22s %d\n", _("Age"), r.age);
		if (flag)
			/* TRANSLATORS: case show: a vulnerability flag the birth date contradicts. */
			printf(_("%-22s the vulnerability says \"%s\", but the birth date makes the person %d: which holds?\n"),
			       _("DISAGREEMENT"), flag, age);
	}
	ROW(_("Status"), r.status);
	ROW(_("Opened"), r.opened_at);
	ROW(_("Last change"), r.updated_at);
#undef ROW
	show_work(ws, id);
	/* Every list below is read whole or the command fails: never a silent gap. */
	if (case_conflicts(ws, id, &cf, &ncf) < 0)
		goto fail;
	if (ncf) {
		printf("\n%s\n", _("Conflicts (concurrent edits to decide):"));
		for (size_t i = 0; i < ncf; i++) {
			printf("  %s:", cf[i].field);
			for (size_t v = 0; v < cf[i].nvalues; v++)
				printf(" \"%s\"", cf[i].values[v]);
			printf(_(" (shown: \"%s\")\n"), cf[i].provisional ? cf[i].provisional : "");
		}
	}
	printf("\n%s\n", _("Events:"));
	if (case_events(ws, id, show_event, NULL) < 0)
		goto fail;
	printf("\n%s\n", _("Submissions:"));
	if (case_events(ws, id, collect_submitted, &sc) < 0 ||
	    case_submissions(ws, id, show_submission, &sc) < 0)
		goto fail;
	printf("\n%s\n", _("Drafts:"));
	if (forms_drafts_of_case(ws, id, show_draft, NULL) < 0)
		goto fail;
	st = 0;
	goto cleanup;
fail:
	fflush(stdout);
	st = cli_fail(ws_error(ws));
cleanup:
	for (size_t i = 0; i < sc.nsubs; i++) {
		free(sc.subs[i].instance);
		free(sc.subs[i].author);
		free(sc.subs[i].deprecates);
	}
	free(sc.subs);
	case_conflicts_free(cf, ncf);
	store_case_row_clear(&r);
	ws_free(ws);
	return st;
}

/* Settings a user may change, and what they mean. */
static const char *const settable[] = {
	WS_NAME, WS_ROLE, WS_REMOTE, WS_CA_FILE, WS_SYNC_TIMEOUT, WS_UI_LANGUAGE, WS_BIDI, WS_LOCK_AFTER, REPORT_MIN_COUNT,
	AGENDA_ROUNDS_SETTING, REPORT_WAIT_DAYS, NULL
};

/* True when the workspace has joined a team (its trust root is pinned). */
static int in_a_team(hw_ws *ws)
{
	unsigned char root[KEYS_SIGN_PUBLIC];

	if (team_root(ws, root) < 0) {
		hw_error_clear(ws_err(ws));
		return 0;
	}
	return 1;
}

/*
 * `config get KEY` of a setting a team sets: the value alone on stdout, as
 * for every setting, and on stderr where it comes from.
 */
static int config_get_team(hw_ws *ws, const char *key)
{
	team_setting s;
	char *v = NULL;
	int in_team = 0, rc = team_setting_get(ws, key, &s, &in_team);

	if (rc == 0) {
		printf("%s\n", s.value);
		/* TRANSLATORS: after the value of config get; %1$s a person's name, %2$s a device
		   id, %3$s a date and time (UTC), %4$s the setting's name. */
		fprintf(stderr, _("(a team setting, set by %1$s (%2$s) at %3$s; a supervisor changes it with homeward team set %4$s VALUE)\n"),
			*s.by_name ? s.by_name : s.by, s.by, s.at, key);
		return 0;
	}
	if (rc == HW_ENOTFOUND && in_team) {
		hw_error_clear(ws_err(ws));
		printf("%s\n", team_setting_default(key));
		fprintf(stderr, _("(a team setting the team has not set: the default; a supervisor sets it with homeward team set %s VALUE)\n"),
			key);
		return 0;
	}
	if (rc != HW_ENOTFOUND)
		return cli_fail(ws_error(ws));
	hw_error_clear(ws_err(ws));
	if (ws_get(ws, key, &v) < 0)
		return cli_fail(ws_error(ws));
	printf("%s\n", v);
	free(v);
	return 0;
}

/* `config set KEY VALUE` of a team setting on a device in a team: refused, saying who sets it. */
static int config_set_team(hw_ws *ws, const char *key)
{
	team_roster *r = NULL;
	const team_member *sup[8];
	size_t n = 0;
	char names[512] = "";

	if (team_load(ws, &r) == 0)
		n = team_members_with_role(r, "supervisor", sup, 8);
	hw_error_clear(ws_err(ws));
	for (size_t i = 0; i < n && i < 8; i++) {
		size_t len = strlen(names);

		snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "", sup[i]->name);
	}
	team_roster_free(r);
	if (*names)
		/* TRANSLATORS: %1$s and %3$s are the setting's name, %2$s the supervisors' names. */
		return cli_error(_("%1$s is a team setting: the team's supervisors (%2$s) set it for every device with homeward team set %3$s VALUE"),
				 key, names, key);
	return cli_error(_("%1$s is a team setting: a supervisor of the team sets it for every device with homeward team set %2$s VALUE"),
			 key, key);
}

int cli_config(int argc, char **argv, const cli_globals *g)
{
	hw_ws *ws = NULL;
	char *v = NULL;
	int st, ok = 0, secs;

	if (argc < 3 || (strcmp(argv[1], "get") && strcmp(argv[1], "set")) ||
	    (!strcmp(argv[1], "get") && argc != 3) || (!strcmp(argv[1], "set") && argc != 4))
		return cli_usage(_("usage: homeward config get|set KEY [VALUE]"));
	if ((st = cli_open_workspace(&ws, g, strcmp(argv[1], "get") ? 0 : WS_OPEN_READONLY)) != 0)
		return st;
	if (!strcmp(argv[1], "get") && team_setting_known(argv[2])) {
		st = config_get_team(ws, argv[2]);
	} else if (!strcmp(argv[1], "get")) {
		if (ws_get(ws, argv[2], &v) < 0)
			st = cli_fail(ws_error(ws));
		else
			printf("%s\n", v);
		free(v);
	} else {
		for (size_t i = 0; settable[i]; i++)
			ok |= !strcmp(settable[i], argv[2]);
		if (ok && team_setting_known(argv[2]) && in_a_team(ws))
			st = config_set_team(ws, argv[2]);
		else if (!ok)
			st = cli_error(_("%s cannot be set (settable: counsellor.name, counsellor.role, sync.remote, sync.ca_file, sync.timeout, ui.language, ui.bidi, screen.lock_after, report.min_count, agenda.follow_up_months, report.wait_days)"), argv[2]);
		else if (!strcmp(argv[2], WS_ROLE) && strcmp(argv[3], "counsellor") && strcmp(argv[3], "supervisor"))
			st = cli_error("%s", _("role must be counsellor or supervisor"));
		else if (!strcmp(argv[2], WS_BIDI) && strcmp(argv[3], "on") && strcmp(argv[3], "off"))
			st = cli_error("%s", _("ui.bidi must be on or off"));
		else if (!strcmp(argv[2], WS_LOCK_AFTER) && ws_parse_duration(argv[3], &secs) < 0)
			st = cli_error("%s", _("screen.lock_after is a time: seconds, or a number and s, m or h (0: never)"));
		else if (!strcmp(argv[2], WS_SYNC_TIMEOUT) && ws_sync_timeout_check(argv[3]) < 0)
			st = cli_error("%s", _("sync.timeout is a time from 1 second to 24 hours: seconds, or a number and s, m or h"));
		else if (!strcmp(argv[2], REPORT_MIN_COUNT) && report_min_count_check(argv[3]) < 0)
			st = cli_error("%s", _("report.min_count must be a whole number from 1 to 1000"));
		else if (!strcmp(argv[2], AGENDA_ROUNDS_SETTING) && agenda_rounds_check(argv[3]) < 0)
			st = cli_error("%s", _("agenda.follow_up_months is a list of months after arrival, increasing, from 1 to 120 (e.g. 3,6,12)"));
		else if (!strcmp(argv[2], REPORT_WAIT_DAYS) && report_wait_days_check(argv[3]) < 0)
			st = cli_error("%s", _("report.wait_days must be a whole number of days from 1 to 3650"));
		else if (ws_set(ws, argv[2], argv[3]) < 0)
			st = cli_fail(ws_error(ws));
	}
	ws_free(ws);
	return st;
}

/* `case update ID FIELD VALUE [FIELD VALUE]...`: the changes go into one event. */
int cli_case_update(int argc, char **argv, const cli_globals *g)
{
	char id[HW_UUID_LEN + 1];
	case_change *ch = NULL;
	size_t n = (size_t)(argc - 2) / 2;
	hw_ws *ws = NULL;
	int st, rc;

	if (argc < 4 || argc % 2)
		return cli_usage(_("usage: homeward case update ID FIELD VALUE [FIELD VALUE]..."));
	if (!(ch = calloc(n, sizeof *ch)))
		return cli_error("%s", _("out of memory"));
	for (size_t i = 0; i < n; i++) {
		ch[i].field = argv[2 + 2 * i];
		ch[i].value = argv[3 + 2 * i];
	}
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		goto cleanup;
	rc = case_resolve_id(ws, argv[1], id);
	if (rc == 0)
		rc = case_update_fields(ws, id, ch, n, NULL);
	st = rc < 0 ? cli_fail(ws_error(ws)) : 0;
cleanup:
	ws_free(ws);
	free(ch);
	return st;
}

/* `case resolve ID FIELD VALUE`. */
int cli_case_resolve(int argc, char **argv, const cli_globals *g)
{
	char id[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int st, rc;

	if (argc != 4)
		return cli_usage(_("usage: homeward case resolve ID FIELD VALUE"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	rc = case_resolve_id(ws, argv[1], id);
	if (rc == 0)
		rc = case_resolve(ws, id, argv[2], argv[3]);
	st = rc < 0 ? cli_fail(ws_error(ws)) : 0;
	ws_free(ws);
	return st;
}

int cli_migrate_workspace(int argc, char **argv, const cli_globals *g)
{
	hw_error err = { 0, "" };
	hw_secret *pass = NULL;
	char *dir = NULL;
	int st, rc, done = 0;

	if (argc != 1)
		return cli_usage(_("usage: homeward migrate workspace"));
	(void)argv;
	if (!(dir = cli_workspace_dir(g)))
		return cli_error("%s", _("out of memory"));
	if ((st = cli_passphrase(g, 0, &pass)) != 0)
		goto done;
	rc = ws_encrypt(dir, pass, &done, &err);
	if (rc == HW_EEXISTS) {
		printf(_("The workspace %s is encrypted already; nothing to do.\n"), dir);
		st = 0;
	} else if (rc == HW_EAUTH) {
		st = cli_error("%s", _("wrong passphrase; nothing was changed"));
	} else if (rc < 0) {
		st = cli_fail(&err);
	} else {
		printf(_("The workspace %s is encrypted; it opens with your passphrase.\n"), dir);
		st = 0;
	}
done:
	secret_free(pass);
	free(dir);
	return st;
}

/*
 * Read the current and the new passphrase: the first two lines of
 * --passphrase-fd, or asked on the terminal (the new one twice).  0, or
 * prints and returns 1.
 */
static int read_old_and_new(const cli_globals *g, hw_secret *old, hw_secret *pass)
{
	hw_error err = { 0, "" };
	hw_secret *again = NULL;
	int st = 1;

	if (g->passphrase_fd >= 0) {
		if (cli_read_secret_lines(g->passphrase_fd, old, pass) < 0)
			return cli_error(_("cannot read two passphrases from file descriptor %d (the current one, then the new one, a line each)"),
					 g->passphrase_fd);
	} else {
		if (secret_new(&again, secret_cap(pass), &err) < 0)
			return cli_fail(&err);
		if (cli_ask_secret_tty(_("Current passphrase: "), old) < 0 ||
		    cli_ask_secret_tty(_("New passphrase: "), pass) < 0 ||
		    cli_ask_secret_tty(_("The new passphrase again: "), again) < 0) {
			cli_error("%s", _("a passphrase is needed: there is no terminal to ask it on (use --passphrase-fd N)"));
			goto done;
		}
		if (!secret_equal(pass, again)) {
			cli_error("%s", _("the two new passphrases differ; nothing was changed"));
			goto done;
		}
	}
	if (secret_len(old) == 0 || secret_len(pass) == 0) {
		cli_error("%s", _("the passphrase is empty"));
		goto done;
	}
	st = 0;
done:
	secret_free(again);
	return st;
}

int cli_passphrase_change(int argc, char **argv, const cli_globals *g)
{
	hw_error err = { 0, "" };
	hw_secret *old = NULL, *pass = NULL;
	hw_ws *ws = NULL;
	int st, rc;

	if (argc != 1)
		return cli_usage(_("usage: homeward passphrase change"));
	(void)argv;
	if (secret_new(&old, CLI_PASSPHRASE_MAX, &err) < 0 ||
	    secret_new(&pass, CLI_PASSPHRASE_MAX, &err) < 0) {
		st = cli_fail(&err);
		goto done;
	}
	if ((st = read_old_and_new(g, old, pass)) != 0)
		goto done;
	/* The workspace opens with the current one (held: not asked again). */
	if ((st = cli_hold_passphrase(old)) != 0 || (st = cli_open_workspace(&ws, g, 0)) != 0)
		goto done;
	if (g->fault)
		ws_set_fault(ws, g->fault);
	rc = ws_change_passphrase(ws, old, pass);
	if (rc == HW_EAUTH) {
		st = cli_error("%s", _("wrong passphrase; nothing was changed"));
	} else if (rc < 0) {
		st = cli_fail(ws_error(ws));
	} else {
		printf("%s\n", _("The passphrase is changed: the device keys and the database key are sealed under the new one."));
		st = 0;
	}
done:
	secret_free(old);
	secret_free(pass);
	ws_free(ws);
	return st;
}
