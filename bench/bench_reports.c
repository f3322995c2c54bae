/*
 * bench_reports.c: how long the caseload, timeliness, returns, referrals
 * and follow-up reports take on a workspace that bench/gen-cases filled
 * (`gen-cases WORKSPACE N --work`: cases with decisions, departures,
 * arrivals and five submissions each).  The core is timed, not the
 * command line around it (which also derives the database key from the
 * passphrase, a fixed cost of every command).
 *
 *   bench/bench_reports WORKSPACE     (passphrase on $HOMEWARD_PASSPHRASE_FD)
 *
 * Prints the median of ROUNDS runs of each report, in wall time and in
 * the CPU time of this process (the machine may be shared: the CPU time
 * says what the report itself costs), and whether it is under its limit of
 * docs/reports.md (caseload and timeliness 300 ms, referrals and follow-up
 * one second); exits 1 when one is not.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "report.h"
#include "util.h"
#include "workspace.h"

#define ROUNDS 5

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The first line of descriptor fd into s, read without moving its offset when it is a file. */
static int read_line_fd(int fd, hw_secret *s)
{
	struct stat sb;
	int regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	char *buf = secret_data(s);
	size_t len = 0;
	off_t at = 0;

	for (;;) {
		char c;
		ssize_t r = regular ? pread(fd, &c, 1, at) : read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		at++;
		if (len + 1 >= secret_cap(s))
			return -1;
		buf[len++] = c;
	}
	secret_set_len(s, len);
	return 0;
}

typedef int (*report_fn)(hw_ws *ws, const report_filter *f, report *out);

/* Median wall and CPU milliseconds of ROUNDS runs of fn over all cases; the rows of the last run in *rows. */
static int measure(hw_ws *ws, report_fn fn, double *ms, double *cpu, size_t *rows)
{
	report_filter f = REPORT_FILTER_INIT;
	double t[ROUNDS], c[ROUNDS];

	for (int i = 0; i < ROUNDS; i++) {
		report r = REPORT_INIT;
		double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

		if (fn(ws, &f, &r) < 0)
			return -1;
		t[i] = (clock_s(CLOCK_MONOTONIC) - t0) * 1000.0;
		c[i] = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1000.0;
		*rows = r.nrows;
		report_clear(&r);
	}
	qsort(t, ROUNDS, sizeof(t[0]), cmp_double);
	qsort(c, ROUNDS, sizeof(c[0]), cmp_double);
	*ms = t[ROUNDS / 2];
	*cpu = c[ROUNDS / 2];
	return 0;
}

int main(int argc, char **argv)
{
	/* The limits in milliseconds (0: none). */
	static const struct { const char *name; report_fn fn; double limit; } reports[] = {
		{ "caseload", report_caseload, 300 },
		{ "timeliness", report_timeliness, 300 },
		{ "returns", report_returns, 0 },
		{ "referrals", report_referrals, 1000 },
		{ "follow-up", report_followup, 1000 },
	};
	ws_options o = WS_OPTIONS_INIT;
	const char *fdtext = getenv("HOMEWARD_PASSPHRASE_FD");
	hw_secret *pass = NULL;
	hw_error err = { 0, "" };
	hw_ws *ws = NULL;
	int st = 1;

	if (argc != 2) {
		fprintf(stderr, "Usage: bench_reports WORKSPACE\n");
		return 2;
	}
	if (!fdtext || secret_new(&pass, 1024, &err) < 0 || read_line_fd(atoi(fdtext), pass) < 0) {
		fprintf(stderr, "bench_reports: give the passphrase on $HOMEWARD_PASSPHRASE_FD\n");
		goto cleanup;
	}
	o.flags = WS_OPEN_READONLY;
	o.passphrase = pass;
	if (ws_open_ext(&ws, argv[1], &o, &err) < 0) {
		fprintf(stderr, "bench_reports: %s: %s\n", argv[1], err.msg);
		goto cleanup;
	}
	st = 0;
	printf("%-12s %10s %8s %6s\n", "report", "median ms", "CPU ms", "rows");
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		double ms, cpu;
		size_t rows = 0;

		if (measure(ws, reports[i].fn, &ms, &cpu, &rows) < 0) {
			fprintf(stderr, "bench_reports: %s: %s\n", reports[i].name, ws_error(ws)->msg);
			st = 1;
			continue;
		}
		printf("%-12s %10.1f %8.1f %6zu", reports[i].name, ms, cpu, rows);
		if (reports[i].limit > 0)
			printf("  (under %.0f ms: %s)", reports[i].limit, ms < reports[i].limit ? "met" : "NOT MET");
		printf("\n");
		if (reports[i].limit > 0 && ms >= reports[i].limit)
			st = 1;
	}
cleanup:
	ws_free(ws);
	secret_free(pass);
	return st;
}
