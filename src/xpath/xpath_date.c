/*
 * xpath_date.c: dates, times and the clock for the XPath functions.
 *
 * ODK stores a date as "YYYY-MM-DD", a dateTime as
 * "YYYY-MM-DDTHH:MM:SS.sss+hh:mm" and a time as "HH:MM:SS.sss+hh:mm".
 * Used as numbers they are days since 1970-01-01 (fractional for a
 * dateTime, counted in UTC).  Calendar arithmetic uses the proleptic
 * Gregorian day count, so no libc time zone state is involved and results
 * do not depend on the machine's TZ; the local offset comes from the
 * environment's now() callback (or the system clock).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "util.h"
#include "xpath_internal.h"

#define MS_PER_DAY 86400000.0

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil algorithm). */
int64_t xp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The calendar date of day z since 1970-01-01. */
void xp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Read exactly n digits at s[*i]; -1 if not there. */
static long digits(const char *s, size_t len, size_t *i, int n)
{
	long v = 0;
	int k;

	if (*i + (size_t)n > len)
		return -1;
	for (k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)n;
	return v;
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* "HH:MM[:SS[.fff]][Z|+hh:mm|+hhmm]" from s[*i] to the end. */
static int parse_time(xp_time *t, const char *s, size_t len, size_t *i)
{
	long hh, mi, ss = 0;
	double frac = 0;

	hh = digits(s, len, i, 2);
	if (hh < 0 || hh > 24 || *i >= len || s[(*i)++] != ':')
		return -1;
	mi = digits(s, len, i, 2);
	if (mi < 0 || mi > 59)
		return -1;
	if (*i < len && s[*i] == ':') {
		(*i)++;
		ss = digits(s, len, i, 2);
		if (ss < 0 || ss > 60)
			return -1;
		if (*i < len && (s[*i] == '.' || s[*i] == ',')) {
			double scale = 0.1;
			(*i)++;
			if (*i >= len || s[*i] < '0' || s[*i] > '9')
				return -1;
			while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
				frac += (s[*i] - '0') * scale;
				scale /= 10;
				(*i)++;
			}
		}
	}
	t->has_time = 1;
	t->ms = ((double)hh * 3600 + (double)mi * 60 + (double)ss + frac) * 1000.0;
	if (*i < len && s[*i] == 'Z') {
		(*i)++;
		t->has_tz = 1;
		t->tz_minutes = 0;
	} else if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		int sign = s[*i] == '-' ? -1 : 1;
		long oh, om = 0;
		(*i)++;
		oh = digits(s, len, i, 2);
		if (oh < 0 || oh > 14)
			return -1;
		if (*i < len && s[*i] == ':')
			(*i)++;
		if (*i < len) {
			om = digits(s, len, i, 2);
			if (om < 0 || om > 59)
				return -1;
		}
		t->has_tz = 1;
		t->tz_minutes = sign * (int)(oh * 60 + om);
	}
	return 0;
}

/* Read one or two digits at s[*i]; -1 if none. */
static long digits_1_2(const char *s, size_t len, size_t *i)
{
	long v = digits(s, len, i, 2);

	return v >= 0 ? v : digits(s, len, i, 1);
}

/* A date, dateTime or time; loose: month and day may have one digit. */
static int time_parse(xp_time *t, const char *s, size_t len, int loose)
{
	size_t i = 0;
	long y, m, d;

	memset(t, 0, sizeof(*t));
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (len - i >= 5 && s[i + 2] == ':') {
		if (parse_time(t, s, len, &i) < 0 || i != len)
			return -1;
		return 0;
	}
	y = digits(s, len, &i, 4);
	if (y < 0 || i >= len || s[i++] != '-')
		return -1;
	m = loose ? digits_1_2(s, len, &i) : digits(s, len, &i, 2);
	if (m < 1 || m > 12 || i >= len || s[i++] != '-')
		return -1;
	d = loose ? digits_1_2(s, len, &i) : digits(s, len, &i, 2);
	if (d < 1 || (unsigned)d > month_days(y, (unsigned)m))
		return -1;
	t->has_date = 1;
	t->days = xp_days_from_civil(y, (unsigned)m, (unsigned)d);
	if (i == len)
		return 0;
	if (s[i] != 'T' && s[i] != ' ')
		return -1;
	i++;
	if (parse_time(t, s, len, &i) < 0 || i != len)
		return -1;
	return 0;
}

int xp_time_parse(xp_time *t, const char *s, size_t len)
{
	return time_parse(t, s, len, 0);
}

int xp_time_parse_loose(xp_time *t, const char *s, size_t len)
{
	return time_parse(t, s, len, 1);
}

/* Days since the epoch in UTC; a dateTime without an offset is taken as UTC. */
double xp_time_days(const xp_time *t)
{
	double ms = t->has_time ? t->ms : 0;

	if (t->has_tz)
		ms -= t->tz_minutes * 60000.0;
	return (double)t->days + ms / MS_PER_DAY;
}

/*
 * The clock: the caller's (xpath_env.now, which is how a fixed clock comes
 * in; the engine reads no environment), else the system's.
 */
void xp_now(const xp_cx *cx, double *secs, int *offset_min)
{
	const xpath_env *env = cx->st->ctx->env;
	struct timeval tv;
	struct tm lt;
	time_t now;

	*offset_min = 0;
	if (env && env->now && env->now(secs, offset_min, env->payload) == 0)
		return;
	gettimeofday(&tv, NULL);
	*secs = (double)tv.tv_sec + tv.tv_usec / 1e6;
	now = tv.tv_sec;
	if (localtime_r(&now, &lt))
		*offset_min = (int)(lt.tm_gmtoff / 60);
}

/* Split local days into a calendar date and milliseconds into the day. */
static void split_local(double local_days, int64_t *day, double *ms)
{
	double fd = floor(local_days);

	*day = (int64_t)fd;
	*ms = round((local_days - fd) * MS_PER_DAY);
	if (*ms >= MS_PER_DAY) {
		(*day)++;
		*ms -= MS_PER_DAY;
	}
}

/* Format days_utc as a local date or dateTime. */
int xp_format_date(char **out, double days_utc, int offset_min, int with_time)
{
	char buf[64];
	int64_t day, y;
	unsigned m, d;
	double ms;
	long msi;
	int off = offset_min < 0 ? -offset_min : offset_min;

	*out = NULL;
	if (isnan(days_utc) || isinf(days_utc) || fabs(days_utc) > 1e8) {
		*out = strdup("");
		return *out ? 0 : HW_ERROR;
	}
	split_local(days_utc + (with_time ? offset_min / 1440.0 : 0), &day, &ms);
	xp_civil_from_days(day, &y, &m, &d);
	if (!with_time) {
		snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", (long long)y, m, d);
	} else {
		msi = (long)ms;
		snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02ld:%02ld:%02ld.%03ld%c%02d:%02d",
		         (long long)y, m, d, msi / 3600000, msi / 60000 % 60, msi / 1000 % 60, msi % 1000,
		         offset_min < 0 ? '-' : '+', off / 60, off % 60);
	}
	*out = strdup(buf);
	return *out ? 0 : HW_ERROR;
}

/* Format the local time t (date and/or time) with ODK's format-date pattern. */
int xp_format_pattern(char **out, const xp_time *t, const char *fmt)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	hw_buf b = HW_BUF_INIT;
	int64_t y = 1970;
	unsigned m = 1, d = 1;
	long ms = (long)t->ms;
	int rc = 0;
	const char *p;

	if (t->has_date)
		xp_civil_from_days(t->days, &y, &m, &d);
	if (hw_buf_puts(&b, "") < 0)
		return HW_ERROR;
	for (p = fmt; *p && rc == 0; p++) {
		if (*p != '%' || !p[1]) {
			rc = hw_buf_add(&b, p, 1);
			continue;
		}
		p++;
		switch (*p) {
		case 'Y': rc = hw_buf_printf(&b, "%04lld", (long long)y); break;
		case 'y': rc = hw_buf_printf(&b, "%02lld", (long long)(((y % 100) + 100) % 100)); break;
		case 'm': rc = hw_buf_printf(&b, "%02u", m); break;
		case 'n': rc = hw_buf_printf(&b, "%u", m); break;
		case 'b': rc = hw_buf_puts(&b, mn[m - 1]); break;
		case 'd': rc = hw_buf_printf(&b, "%02u", d); break;
		case 'e': rc = hw_buf_printf(&b, "%u", d); break;
		case 'a': rc = hw_buf_puts(&b, wd[((t->days % 7) + 7 + 4) % 7]); break;
		case 'H': rc = hw_buf_printf(&b, "%02ld", ms / 3600000); break;
		case 'h': rc = hw_buf_printf(&b, "%ld", ms / 3600000); break;
		case 'M': rc = hw_buf_printf(&b, "%02ld", ms / 60000 % 60); break;
		case 'S': rc = hw_buf_printf(&b, "%02ld", ms / 1000 % 60); break;
		case '3': rc = hw_buf_printf(&b, "%03ld", ms % 1000); break;
		case '%': rc = hw_buf_add(&b, "%", 1); break;
		default: rc = hw_buf_add(&b, p - 1, 2); break;
		}
	}
	if (rc < 0) {
		hw_buf_free(&b);
		return HW_ERROR;
	}
	*out = hw_buf_detach(&b);
	return *out ? 0 : HW_ERROR;
}


/* Out of memory during evaluation. */
static int oom(const xp_cx *cx)
{
	return hw_error_set(cx->st->err, HW_ERROR, "out of memory");
}

/* Evaluate argument i into v. */
static int arg(xpath_value *v, const xp_node *call, size_t i, const xp_cx *cx)
{
	return xp_eval_node(v, call->args[i], cx);
}

/* ---- the date functions ------------------------------------------------------------- */

int xp_fn_today(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	double secs;
	int off;
	char *s;

	xp_now(cx, &secs, &off);
	if (xp_format_date(&s, floor((secs + off * 60.0) / 86400.0), 0, 0) < 0)
		return oom(cx);
	xp_set_string_owned(out, s, strlen(s));
	return 0;
}

int xp_fn_now(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	double secs;
	int off;
	char *s;

	xp_now(cx, &secs, &off);
	if (xp_format_date(&s, secs / 86400.0, off, 1) < 0)
		return oom(cx);
	xp_set_string_owned(out, s, strlen(s));
	return 0;
}

/*
 * The argument as a time: a number is days since 1970 (UTC), a string a
 * date, dateTime or time.  Returns 0 and fills t, or 1 when the value is
 * empty or not a date (the functions then give "" or NaN, not an error:
 * an unanswered date question is normal).
 */
static int arg_time(xp_time *t, double *days_utc, const xp_node *call, size_t i, const xp_cx *cx, int *rc)
{
	xpath_value v = XPATH_VALUE_INIT;
	char buf[XPATH_NUMBER_MAX];
	const char *s = "";
	size_t len = 0;
	int res = 1;

	*rc = arg(&v, call, i, cx);
	if (*rc < 0)
		goto cleanup;
	memset(t, 0, sizeof(*t));
	if (v.type == XPATH_NUMBER || v.type == XPATH_BOOLEAN) {
		double d = xpath_value_number(&v);
		if (!isnan(d) && !isinf(d) && fabs(d) < 1e8) {
			*days_utc = d;
			t->has_date = 1;
			t->days = (int64_t)floor(d);
			t->ms = (d - floor(d)) * 86400000.0;
			t->has_time = t->ms != 0;
			t->from_number = 1;
			res = 0;
		}
		goto cleanup;
	}
	s = xp_value_view(&v, &len, buf);
	if (len && xp_time_parse_loose(t, s, len) == 0) {
		*days_utc = xp_time_days(t);
		res = 0;
	} else if (len) {
		/* A number written as a string ("18262") counts as days too. */
		double d = xp_parse_number(s, len);
		if (!isnan(d) && fabs(d) < 1e8) {
			*days_utc = d;
			t->has_date = 1;
			t->days = (int64_t)floor(d);
			t->ms = (d - floor(d)) * 86400000.0;
			t->has_time = t->ms != 0;
			t->from_number = 1;
			res = 0;
		}
	}
cleanup:
	xpath_value_free(&v);
	return res;
}

/* date(x): the calendar date of x. */
int xp_fn_date(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	xp_time t;
	double days;
	int rc, off = 0;
	char *s;
	double secs;

	if (arg_time(&t, &days, call, 0, cx, &rc) != 0 || !t.has_date)
		return rc < 0 ? rc : xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
	if (t.has_time && t.has_tz) {
		/* A dateTime from elsewhere: its date here. */
		xp_now(cx, &secs, &off);
		days = floor(days + off / 1440.0);
	} else {
		days = (double)t.days;
	}
	if (xp_format_date(&s, days, 0, 0) < 0)
		return oom(cx);
	xp_set_string_owned(out, s, strlen(s));
	return 0;
}

/* date-time(x): x as a dateTime in local time. */
int xp_fn_date_time(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	xp_time t;
	double days, secs;
	int rc, off = 0;
	char *s;

	if (arg_time(&t, &days, call, 0, cx, &rc) != 0 || !t.has_date)
		return rc < 0 ? rc : xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
	xp_now(cx, &secs, &off);
	if (!t.has_tz && !t.from_number)
		off = 0;   /* no offset written: keep the wall-clock time as given */
	if (xp_format_date(&s, days, off, 1) < 0)
		return oom(cx);
	xp_set_string_owned(out, s, strlen(s));
	return 0;
}

int xp_fn_decimal_date_time(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	xp_time t;
	double days;
	int rc;

	if (arg_time(&t, &days, call, 0, cx, &rc) != 0 || !t.has_date)
		xp_set_number(out, NAN);
	else
		xp_set_number(out, days);
	return rc;
}

/* decimal-time(time): the fraction of the (local) day. */
int xp_fn_decimal_time(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	xp_time t;
	double days, secs, ms;
	int rc, off = 0;

	if (arg_time(&t, &days, call, 0, cx, &rc) != 0 || !t.has_time) {
		xp_set_number(out, NAN);
		return rc;
	}
	ms = t.ms;
	if (t.has_tz) {
		xp_now(cx, &secs, &off);
		ms += (off - t.tz_minutes) * 60000.0;
		ms = fmod(ms, 86400000.0);
		if (ms < 0)
			ms += 86400000.0;
	}
	xp_set_number(out, ms / 86400000.0);
	return rc;
}

/* format-date(x, pattern) and format-date-time(x, pattern). */
int xp_fn_format_date(xpath_value *out, const xp_node *call, const xp_cx *cx)
{
	xp_time t;
	double days, secs;
	char *fmt = NULL, *s = NULL;
	int rc, off = 0;

	if (arg_time(&t, &days, call, 0, cx, &rc) != 0 || !t.has_date)
		return rc < 0 ? rc : xp_set_string_copy(out, "", 0) < 0 ? oom(cx) : 0;
	if (t.has_time && t.has_tz) {
		double local;
		xp_now(cx, &secs, &off);
		local = days + off / 1440.0;
		t.days = (int64_t)floor(local);
		t.ms = round((local - floor(local)) * 86400000.0);
		if (t.ms >= 86400000.0) {
			t.days++;
			t.ms -= 86400000.0;
		}
	}
	rc = xp_arg_string(&fmt, call, 1, cx);
	if (rc == 0 && xp_format_pattern(&s, &t, fmt) < 0)
		rc = oom(cx);
	if (rc == 0)
		xp_set_string_owned(out, s, strlen(s));
	free(fmt);
	return rc;
}
