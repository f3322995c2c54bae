/*
 * gen-submissions.c: add N fictional cases, each with one submission of an
 * installed form, to an initialised workspace through the core library
 * (case_open, the submission store and case_record's form.submitted
 * event), in batches of one transaction each: the data `make bench-export`
 * exports.
 *
 *   bench/gen-submissions WORKSPACE FORM_ID N
 *
 * Every question of the form gets an answer once, through the form engine
 * (text, numbers, dates, the first choices of a select); each case's
 * submission is that instance with its own instance id.  The passphrase is
 * the first line of the descriptor $HOMEWARD_PASSPHRASE_FD, as for
 * bench/gen-cases.  Prints the count and the rate on stderr.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cases.h"
#include "crypto.h"
#include "forms.h"
#include "store.h"
#include "util.h"
#include "workspace.h"
#include "xform/xform.h"

#define BATCH 10000    /* cases per transaction */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "gen-submissions: %s%s%s\n", what, msg ? ": " : "", msg ? msg : "");
	return 1;
}

/* The first line of descriptor fd into s, read from a regular file's start without moving its offset. */
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
	if (len && buf[len - 1] == '\r')
		len--;
	secret_set_len(s, len);
	return 0;
}

static int read_passphrase(hw_secret **out)
{
	const char *v = getenv("HOMEWARD_PASSPHRASE_FD");
	hw_error err;
	char *end;
	long fd;

	*out = NULL;
	if (!v || !*v)
		return fail("the workspace is encrypted: give its passphrase on a descriptor, "
			    "HOMEWARD_PASSPHRASE_FD=N", NULL);
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd > 1000000)
		return fail("HOMEWARD_PASSPHRASE_FD is not a descriptor number", v);
	if (secret_new(out, 1024, &err) < 0)
		return fail("out of memory", NULL);
	if (read_line_fd((int)fd, *out) < 0) {
		secret_free(*out);
		*out = NULL;
		return fail("cannot read the passphrase from the descriptor", v);
	}
	return 0;
}

/* A filled instance of the form: every question answered once. */
static int template_xml(hw_ws *ws, const char *form_id, char **xml, char **version, char **iid)
{
	xform_session_options so = XFORM_SESSION_OPTIONS_INIT;
	xform_session *s = NULL;
	xform *form = NULL;
	xform_nav *nav = NULL;
	char *path = NULL;
	int rc;

	if ((rc = forms_find(ws, form_id, &path)) < 0 || (rc = xform_load(&form, path, ws_err(ws))) < 0 ||
	    (rc = xform_session_new(&s, form, &so, ws_err(ws))) < 0 ||
	    (rc = xform_nav_build(&nav, s, ws_err(ws))) < 0)
		goto cleanup;
	for (size_t i = 0; i < nav->count; i++) {
		const xform_nav_item *it = &nav->items[i];
		char v[128] = "";

		if (it->readonly)
			continue;
		switch (it->kind) {
		case XFORM_SELECT1:
			if (it->choices.count)
				snprintf(v, sizeof v, "%s", it->choices.items[0].value);
			break;
		case XFORM_SELECT:
			if (it->choices.count > 1)
				snprintf(v, sizeof v, "%s %s", it->choices.items[0].value,
					 it->choices.items[it->choices.count - 1].value);
			break;
		case XFORM_INPUT:
			switch (it->type) {
			case XFORM_T_INT: strcpy(v, "3"); break;
			case XFORM_T_DECIMAL: strcpy(v, "2.5"); break;
			case XFORM_T_DATE: strcpy(v, "2026-10-02"); break;
			case XFORM_T_TIME: strcpy(v, "10:30"); break;
			case XFORM_T_DATETIME: strcpy(v, "2026-10-02T10:30:00Z"); break;
			default: strcpy(v, "Lives with her sister, \"no income\", wants to study"); break;
			}
			break;
		default:
			break;
		}
		if (*v)
			xform_answer(s, it->path, v, NULL);   /* refused answers are left out */
	}
	if ((rc = xform_submission(xml, NULL, s, ws_err(ws))) < 0)
		goto cleanup;
	*version = strdup(xform_version(form));
	*iid = strdup(xform_instance_id(s));
	rc = *version && *iid ? 0 : HW_ERROR;
cleanup:
	xform_nav_free(nav);
	xform_session_free(s);
	xform_free(form);
	free(path);
	return rc;
}

/* xml with every occurrence of from replaced by to, into b. */
static void replace_all(hw_buf *b, const char *xml, const char *from, const char *to)
{
	size_t fl = strlen(from);

	hw_buf_truncate(b, 0);
	for (const char *p = xml, *q; *p; p = q + fl) {
		if (!(q = strstr(p, from))) {
			hw_buf_puts(b, p);
			break;
		}
		hw_buf_add(b, p, (size_t)(q - p));
		hw_buf_puts(b, to);
	}
}

int main(int argc, char **argv)
{
	static const char *const given[] = { "Amina", "Yusuf", "Layla", "Karim", "Elene", "Omar" };
	static const char *const country[] = { "NG", "IQ", "AF", "MA", "GE", "SY", "GH", "SN" };
	char id[HW_UUID_LEN + 1], uuid[HW_UUID_LEN + 1], iid[HW_UUID_LEN + 6];
	char sha[HW_SHA256_HEX + 1], created[HW_TIME_LEN + 1], *end;
	char *xml = NULL, *version = NULL, *tiid = NULL;
	hw_buf b = HW_BUF_INIT, data = HW_BUF_INIT;
	hw_ws *ws = NULL;
	hw_secret *pass = NULL;
	ws_options o = WS_OPTIONS_INIT;
	hw_error err;
	unsigned long long n, i;
	double t0;
	int in_tx = 0, st = 1;

	if (argc != 4) {
		fprintf(stderr, "Usage: gen-submissions WORKSPACE FORM_ID N\n");
		return 2;
	}
	errno = 0;
	n = strtoull(argv[3], &end, 10);
	if (errno || *end || argv[3][0] == '-' || n > 10000000ULL) {
		fprintf(stderr, "gen-submissions: N must be a number of cases (at most 10000000)\n");
		return 2;
	}
	if (read_passphrase(&pass) != 0)
		return 1;
	o.passphrase = pass;
	if (ws_open_ext(&ws, argv[1], &o, &err) < 0) {
		secret_free(pass);
		return fail(argv[1], err.msg);
	}
	if (!ws_is_initialised(ws)) {
		fail(argv[1], "not an initialised workspace (homeward init first)");
		goto cleanup;
	}
	if (ws_has_keys(ws) && ws_unlock(ws, pass) < 0) {
		fail("unlocking the device keys", ws_error(ws)->msg);
		goto cleanup;
	}
	if (template_xml(ws, argv[2], &xml, &version, &tiid) < 0 || !*tiid) {
		fail(argv[2], *ws_error(ws)->msg ? ws_error(ws)->msg : "the form has no meta/instanceID");
		goto cleanup;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		case_fields f = CASE_FIELDS_INIT;
		store_submission sub;

		if (!in_tx) {
			if (store_begin(ws_store(ws), ws_err(ws)) < 0) {
				fail("beginning a transaction", ws_error(ws)->msg);
				goto cleanup;
			}
			in_tx = 1;
		}
		f.given_name = given[i % 6];
		f.family_name = "Sample";
		f.birth_date = "1990-04-01";
		f.nationality = f.return_country = country[(i / 6) % 8];
		f.language = "en";
		if (case_open(ws, &f, id) < 0) {
			fail("opening a case", ws_error(ws)->msg);
			goto cleanup;
		}
		hw_uuid(uuid);
		snprintf(iid, sizeof iid, "uuid:%s", uuid);
		replace_all(&b, xml, tiid, iid);
		if (hw_buf_oom(&b)) {
			fail("out of memory", NULL);
			goto cleanup;
		}
		hw_sha256_hex(b.ptr, b.len, sha);
		hw_now_iso(created);
		sub.instance_id = iid;
		sub.case_id = id;
		sub.form_id = argv[2];
		sub.form_version = version;
		sub.created_at = created;
		sub.sha256 = sha;
		hw_buf_truncate(&data, 0);
		hw_buf_printf(&data, "{\"form_id\":\"%s\",\"form_version\":\"%s\",\"instance_id\":\"%s\","
			      "\"sha256\":\"%s\"}", argv[2], version, iid, sha);
		if (store_submission_put(ws_store(ws), &sub, b.ptr, b.len, STORE_LOCAL, NULL, ws_err(ws)) < 0 ||
		    case_record(ws, id, "form.submitted", data.ptr, NULL) < 0) {
			fail("recording a submission", ws_error(ws)->msg);
			goto cleanup;
		}
		if ((i + 1) % 10000 == 0)
			fprintf(stderr, "gen-submissions: %llu (%.1f s)\n", i + 1, now() - t0);
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			in_tx = 0;
			if (store_commit(ws_store(ws), ws_err(ws)) < 0) {
				fail("committing", ws_error(ws)->msg);
				goto cleanup;
			}
		}
	}
	fprintf(stderr, "gen-submissions: %llu cases with a %s submission each in %.2f s, "
		"%zu bytes of XML each\n", n, argv[2], now() - t0, b.len);
	st = 0;
cleanup:
	if (in_tx)
		store_rollback(ws_store(ws));
	hw_buf_free(&b);
	hw_buf_free(&data);
	free(xml);
	free(version);
	free(tiid);
	ws_free(ws);
	secret_free(pass);
	return st;
}
