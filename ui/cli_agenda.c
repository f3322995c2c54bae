/*
 * cli_agenda.c: the agenda and return files on the command line
 * (docs/agenda.md): `agenda`, `appointment set|done|missed`, `case
 * link|unlink`.  A missing option is a usage error (status 2, before the
 * workspace opens); a wrong value is a one-line error naming the field and
 * the value (status 1) and records nothing.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agenda.h"
#include "agenda_text.h"
#include "cases.h"
#include "cli.h"
#include "i18n.h"
#include "text.h"
#include "util.h"
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

/* Finish a command: the error or nothing (status). */
static int finish(hw_ws *ws, int rc)
{
	int st = rc < 0 ? cli_fail(ws_error(ws)) : 0;

	ws_free(ws);
	return st;
}

/* --- appointment set | done | missed ----------------------------------------- */

int cli_appointment_set(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },
		{ "channel", required_argument, NULL, 'c' },
		{ "place", required_argument, NULL, 'p' },
		{ "purpose", required_argument, NULL, 'P' },
		{ "assigned", required_argument, NULL, 'a' },
		{ "replaces", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	appointment_opts o = APPOINTMENT_OPTS_INIT;
	char id[HW_UUID_LEN + 1], out[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0, rc;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.date = optarg; break;
		case 't': o.time = optarg; break;
		case 'c': o.channel = optarg; break;
		case 'p': o.place = optarg; break;
		case 'P': o.purpose = optarg; break;
		case 'a': o.assigned = optarg; break;
		case 'r': o.replaces = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !o.date || argc - optind != 1)
		return cli_usage(_("usage: homeward appointment set CASE_ID --date YYYY-MM-DD [--time HH:MM] [--channel in_person|phone|video] [--place TEXT] [--purpose TEXT] [--assigned PERSON|me] [--replaces APPOINTMENT_ID]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	if (o.assigned && !strcmp(o.assigned, "me"))
		o.assigned = ws_device_id(ws);
	if ((rc = appointment_set(ws, id, &o, out)) == 0)
		printf("%s\n", out);
	return finish(ws, rc);
}

/* `appointment done|missed APPOINTMENT_ID [--date D] [--note TEXT]`. */
static int appointment_close_cmd(int argc, char **argv, const cli_globals *g, int done)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *date = NULL, *note = NULL;
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
	if (bad || argc - optind != 1)
		return cli_usage(done ? _("usage: homeward appointment done APPOINTMENT_ID [--date YYYY-MM-DD] [--note TEXT]")
				      : _("usage: homeward appointment missed APPOINTMENT_ID [--date YYYY-MM-DD] [--note TEXT]"));
	if ((st = cli_open_workspace(&ws, g, 0)) != 0)
		return st;
	return finish(ws, done ? appointment_done(ws, argv[optind], date, note)
			       : appointment_missed(ws, argv[optind], date, note));
}

int cli_appointment_done(int argc, char **argv, const cli_globals *g)
{
	return appointment_close_cmd(argc, argv, g, 1);
}

int cli_appointment_missed(int argc, char **argv, const cli_globals *g)
{
	return appointment_close_cmd(argc, argv, g, 0);
}

/* --- agenda ---------------------------------------------------------------------- */

enum { FMT_TABLE, FMT_TSV, FMT_JSON, FMT_ICS };

typedef struct agenda_out {
	int fmt, names, n;
	char today[11];
	char stamp[17];          /* DTSTAMP: YYYYMMDDTHHMMSSZ */
	hw_buf ics;              /* the calendar, written at the end (ics_write) */
} agenda_out;

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

/* The case's name, "given family" (may be empty). */
static void case_name(const store_appointment *a, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", a->given_name ? a->given_name : "",
		 a->given_name && a->family_name ? " " : "", a->family_name ? a->family_name : "");
}

/* Days overdue of a planned appointment (0 when not overdue or not planned). */
static long overdue_days(const store_appointment *a, const char *today)
{
	long d = agenda_days_between(a->date, today);

	return a->status && !strcmp(a->status, "planned") && d > 0 ? d : 0;
}

/*
 * One content line of iCalendar (RFC 5545 3.1) appended to out: CRLF ends
 * it, and a line longer than 75 octets is folded (CRLF and a space), never
 * inside a UTF-8 character.
 */
static void ics_line(hw_buf *out, const char *line)
{
	size_t len = strlen(line), col = 0, i = 0;

	while (i < len) {
		size_t clen = 1;
		unsigned char c = (unsigned char)line[i];

		if (c >= 0xf0) clen = 4;
		else if (c >= 0xe0) clen = 3;
		else if (c >= 0xc0) clen = 2;
		if (i + clen > len)
			clen = len - i;
		if (col + clen > 75) {
			hw_buf_puts(out, "\r\n ");
			col = 1;
		}
		hw_buf_add(out, line + i, clen);
		col += clen;
		i += clen;
	}
	hw_buf_puts(out, "\r\n");
}

/*
 * Append text as an iCalendar TEXT value: what a terminal would act on made
 * visible first (the file may well be shown on one), then backslash,
 * semicolon, comma and newline escaped.
 */
static void ics_text(hw_buf *b, const char *text)
{
	char *clean = text ? text_sanitize(text, strlen(text), TEXT_KEEP_LINES, NULL) : NULL;

	if (text && !clean) {
		hw_buf_add(b, NULL, (size_t)-1);   /* out of memory: make it stick */
		return;
	}
	for (const char *s = clean; s && *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			hw_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			hw_buf_puts(b, "\\n");
		else if (*s == '\t')
			hw_buf_puts(b, " ");
		else
			hw_buf_add(b, s, 1);
	}
	free(clean);
}

/* A property NAME:VALUE with an escaped text value, as a folded line. */
static void ics_prop(agenda_out *o, const char *name, const char *text)
{
	hw_buf line = HW_BUF_INIT;

	hw_buf_printf(&line, "%s:", name);
	ics_text(&line, text);
	if (!hw_buf_oom(&line))
		ics_line(&o->ics, line.ptr);
	else
		hw_buf_add(&o->ics, NULL, (size_t)-1);
	hw_buf_free(&line);
}

static void ics_event(agenda_out *o, const store_appointment *a)
{
	char line[160], day[9], next[11], nday[9], name[420], *what = agenda_purpose_text(a);
	hw_buf b = HW_BUF_INIT;

	ics_line(&o->ics, "BEGIN:VEVENT");
	snprintf(line, sizeof(line), "UID:%s@homeward", a->id);
	ics_line(&o->ics, line);
	snprintf(line, sizeof(line), "DTSTAMP:%s", o->stamp);
	ics_line(&o->ics, line);
	snprintf(day, sizeof(day), "%.4s%.2s%.2s", a->date, a->date + 5, a->date + 8);
	if (a->time) {
		/* A floating time: the wall clock where the meeting is. */
		snprintf(line, sizeof(line), "DTSTART:%sT%.2s%.2s00", day, a->time, a->time + 3);
		ics_line(&o->ics, line);
		ics_line(&o->ics, "DURATION:PT1H");
	} else {
		snprintf(line, sizeof(line), "DTSTART;VALUE=DATE:%s", day);
		ics_line(&o->ics, line);
		agenda_add_days(a->date, 1, next);
		snprintf(nday, sizeof(nday), "%.4s%.2s%.2s", next, next + 5, next + 8);
		snprintf(line, sizeof(line), "DTEND;VALUE=DATE:%s", nday);
		ics_line(&o->ics, line);
	}
	/* Names only when asked: a phone's calendar syncs to places a case file must not go. */
	case_name(a, name, sizeof(name));
	if (o->names && *name)
		hw_buf_printf(&b, "%s: %s", name, what ? what : "");
	else
		hw_buf_printf(&b, _("%s (case %.8s)"), what ? what : "", a->case_id);
	if (!hw_buf_oom(&b))
		ics_prop(o, "SUMMARY", b.ptr);
	if (a->place && *a->place)
		ics_prop(o, "LOCATION", a->place);
	hw_buf_free(&b);
	hw_buf_printf(&b, _("Channel: %s\nCase: %s\nAppointment: %s"), agenda_channel_text(a->channel),
		      a->case_id, a->id);
	if (!hw_buf_oom(&b))
		ics_prop(o, "DESCRIPTION", b.ptr);
	ics_line(&o->ics, !strcmp(a->status, "planned") || !strcmp(a->status, "done")
			  ? "STATUS:CONFIRMED" : "STATUS:CANCELLED");
	ics_line(&o->ics, "END:VEVENT");
	hw_buf_free(&b);
	free(what);
}

/*
 * Write the calendar as it is: the standard output of commands passes
 * through text_sanitize, which would show the CRLF line ends iCalendar
 * requires as control pictures.  Its text values were made safe on the way
 * in (ics_text).  0, or prints why not and returns 1.
 */
static int ics_write(const hw_buf *b)
{
	size_t done = 0;

	fflush(stdout);
	while (done < b->len) {
		ssize_t w = write(STDOUT_FILENO, b->ptr + done, b->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			return 0;
		if (w <= 0)
			return cli_error(_("cannot write the output: %s"), strerror(w < 0 ? errno : EIO));
		done += (size_t)w;
	}
	return 0;
}

static int agenda_row(const store_appointment *a, void *payload)
{
	agenda_out *o = payload;
	char name[420], *what = agenda_purpose_text(a), *due = agenda_due_text(a, o->today);
	long late = overdue_days(a, o->today);

	if (!what || !due) {
		free(what);
		free(due);
		return HW_ERROR;
	}
	case_name(a, name, sizeof(name));
	switch (o->fmt) {
	case FMT_TSV:
		printf("%s\t%s\t%s\t", a->case_id, a->id, a->date);
		tsv(a->time); putchar('\t');
		tsv(a->channel); putchar('\t');
		tsv(a->place); putchar('\t');
		tsv(a->assigned); putchar('\t');
		tsv(a->purpose); putchar('\t');
		tsv(a->round); putchar('\t');
		tsv(a->form); putchar('\t');
		tsv(a->status); putchar('\t');
		printf("%ld\t", late);
		tsv(a->given_name); putchar('\t');
		tsv(a->family_name); putchar('\n');
		break;
	case FMT_JSON:
		printf("%s{\"case\":", o->n ? ",\n " : "");
		json_s(a->case_id);
		printf(",\"appointment\":"); json_s(a->id);
		printf(",\"date\":"); json_s(a->date);
		printf(",\"time\":"); json_s(a->time);
		printf(",\"channel\":"); json_s(a->channel);
		printf(",\"place\":"); json_s(a->place);
		printf(",\"assigned\":"); json_s(a->assigned);
		printf(",\"purpose\":"); json_s(a->purpose);
		printf(",\"round\":"); json_s(a->round);
		printf(",\"form\":"); json_s(a->form);
		printf(",\"status\":"); json_s(a->status);
		printf(",\"overdue_days\":%ld", late);
		printf(",\"given_name\":"); json_s(a->given_name);
		printf(",\"family_name\":"); json_s(a->family_name);
		putchar('}');
		break;
	case FMT_ICS:
		ics_event(o, a);
		break;
	default: {
		/* Padded by columns, not bytes: Arabic and accented names align. */
		char *cname = text_pad(name, 24), *cwhat = text_pad(what, 34), *cdue = text_pad(due, 18);

		if (cname && cwhat && cdue)
			printf("%s %-5s  %s  %.8s %s %s %s%s%s\n", a->date, a->time ? a->time : "", cdue,
			       a->case_id, cname, cwhat, a->place ? a->place : agenda_channel_text(a->channel),
			       a->assigned ? "  @" : "", a->assigned ? a->assigned : "");
		free(cname);
		free(cwhat);
		free(cdue);
	}
	}
	free(what);
	free(due);
	o->n++;
	return 0;
}

int cli_agenda(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "assigned", required_argument, NULL, 'a' },
		{ "overdue", no_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'A' },
		{ "format", required_argument, NULL, 'F' },
		{ "with-names", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	store_agenda_query q = STORE_AGENDA_QUERY_INIT;
	agenda_out o;
	char now[HW_TIME_LEN + 1];
	hw_ws *ws = NULL;
	int c, st, bad = 0, overdue = 0, rc;

	memset(&o, 0, sizeof(o));
	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': q.from = optarg; break;
		case 't': q.to = optarg; break;
		case 'a': q.assigned = optarg; break;
		case 'o': overdue = 1; break;
		case 'A': q.all = 1; break;
		case 'n': o.names = 1; break;
		case 'F':
			if (!strcmp(optarg, "table")) o.fmt = FMT_TABLE;
			else if (!strcmp(optarg, "tsv")) o.fmt = FMT_TSV;
			else if (!strcmp(optarg, "json")) o.fmt = FMT_JSON;
			else if (!strcmp(optarg, "ics")) o.fmt = FMT_ICS;
			else return cli_error(_("format \"%s\" is not one of: table, tsv, json, ics"), optarg);
			break;
		default: bad = 1;
		}
	}
	if (bad || optind != argc)
		return cli_usage(_("usage: homeward agenda [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--assigned PERSON|me] [--overdue] [--all] [--format table|tsv|json|ics] [--with-names]"));
	if (q.from && !event_date_valid(q.from))
		return cli_error(_("--from \"%s\" is not a date (YYYY-MM-DD)"), q.from);
	if (q.to && !event_date_valid(q.to))
		return cli_error(_("--to \"%s\" is not a date (YYYY-MM-DD)"), q.to);
	if ((st = cli_open_workspace(&ws, g, WS_OPEN_READONLY)) != 0)
		return st;
	agenda_today(o.today);
	hw_now_iso(now);
	snprintf(o.stamp, sizeof(o.stamp), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", now, now + 5, now + 8,
		 now + 11, now + 14, now + 17);
	if (q.assigned && !strcmp(q.assigned, "me"))
		q.assigned = ws_device_id(ws);
	if (overdue)
		q.before = o.today;
	if (o.fmt == FMT_TSV)
		puts("case\tappointment\tdate\ttime\tchannel\tplace\tassigned\tpurpose\tround\tform\tstatus\toverdue_days\tgiven_name\tfamily_name");
	else if (o.fmt == FMT_JSON)
		putchar('[');
	else if (o.fmt == FMT_ICS) {
		ics_line(&o.ics, "BEGIN:VCALENDAR");
		ics_line(&o.ics, "VERSION:2.0");
		ics_line(&o.ics, "PRODID:-//Homeward//Agenda//EN");
		ics_line(&o.ics, "CALSCALE:GREGORIAN");
		ics_line(&o.ics, "METHOD:PUBLISH");
	}
	rc = agenda_list(ws, &q, agenda_row, &o);
	if (o.fmt == FMT_ICS && rc == 0) {
		ics_line(&o.ics, "END:VCALENDAR");
		if (hw_buf_oom(&o.ics))
			rc = hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
		else if (ics_write(&o.ics) != 0) {
			hw_buf_free(&o.ics);
			ws_free(ws);
			return 1;
		}
	}
	if (o.fmt == FMT_JSON)
		puts("]");
	else if (o.fmt == FMT_TABLE && rc == 0 && o.n == 0)
		puts(overdue ? _("Nothing is overdue.") : _("No appointments."));
	if (rc == HW_ERROR && !ws_error(ws)->code)
		hw_error_set(ws_err(ws), HW_ERROR, "out of memory");
	hw_buf_free(&o.ics);
	return finish(ws, rc);
}

/* --- case link | unlink ------------------------------------------------------------ */

/* "Given Family" of a case, or its short id. */
static void name_of(hw_ws *ws, const char *id, char *out, size_t size)
{
	store_case_row r;

	if (case_get(ws, id, &r) == 0 && (r.given_name || r.family_name))
		snprintf(out, size, "%s%s%s", r.given_name ? r.given_name : "",
			 r.given_name && r.family_name ? " " : "", r.family_name ? r.family_name : "");
	else
		snprintf(out, size, "%.8s", id);
	store_case_row_clear(&r);
}

int cli_case_link(int argc, char **argv, const cli_globals *g)
{
	static const struct option opts[] = {
		{ "relation", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *relation = NULL, *note = NULL;
	char id[HW_UUID_LEN + 1], other[HW_UUID_LEN + 1], a[420], b[420];
	hw_ws *ws = NULL;
	int c, st, bad = 0, rc;

	optind = 0;   /* 0: glibc starts afresh (main parsed with "+") and permutes */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': relation = optarg; break;
		case 'n': note = optarg; break;
		default: bad = 1;
		}
	}
	if (bad || !relation || argc - optind != 2)
		return cli_usage(_("usage: homeward case link ID OTHER_ID --relation parent|child|spouse|sibling|guardian|other [--note TEXT]"));
	if ((st = open_case(&ws, g, argv[optind], id)) != 0)
		return st;
	if (case_resolve_id(ws, argv[optind + 1], other) < 0)
		return finish(ws, -1);
	if ((rc = family_link(ws, id, other, relation, note)) == 0) {
		name_of(ws, other, b, sizeof(b));
		name_of(ws, id, a, sizeof(a));
		/* TRANSLATORS: "Linked: Amina Example is the parent of Lina Demo." */
		printf(_("Linked: %s is the %s of %s.\n"), b, agenda_relation_text(relation), a);
	}
	return finish(ws, rc);
}

int cli_case_unlink(int argc, char **argv, const cli_globals *g)
{
	char id[HW_UUID_LEN + 1], other[HW_UUID_LEN + 1];
	hw_ws *ws = NULL;
	int st;

	if (argc != 3)
		return cli_usage(_("usage: homeward case unlink ID OTHER_ID"));
	if ((st = open_case(&ws, g, argv[1], id)) != 0)
		return st;
	if (case_resolve_id(ws, argv[2], other) < 0)
		return finish(ws, -1);
	return finish(ws, family_unlink(ws, id, other));
}
