/*
 * fuzz_team.c: libFuzzer target for every parser that reads the roster,
 * the signatures and the sealed keys another device wrote: envelopes,
 * enrolment requests, roster entries (raw, and signed by the trust root or
 * by a supervisor so that their content is applied), signed files checked
 * against the roster built from them, commit signatures and wrap files.
 *
 * An input is records separated by a NUL byte; the first byte of a record
 * says what the rest is:
 *   'E' an envelope: parsed, and checked against the trust root;
 *   'Q' an enrolment request file;
 *   'R' a roster file as it is: "PATH\nDATA";
 *   'S' a roster entry signed with the trust root's key:
 *       "SIGNER\nDEVICE\nBODY" (the body after the entry's first line);
 *   'F' a signed file for the roster: "CASE\nNAME\nSIGNER-OR-EMPTY\nDATA";
 *   'C' a commit signature: "SIGNATURE\nDATA";
 *   'W' a wrap file for this device: "CASE\nKEY-ID\nDATA".
 * Every 'R' and 'S' record goes into one roster, built after them all;
 * 'F' and 'C' records are checked against it.
 *
 * Build and run: make fuzz-team (FUZZ_TEAM_TIME seconds, default 1200).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "envelope.h"
#include "seal.h"
#include "team.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64

static hw_keys *root, *dev;

/* Split "A\nB\n...REST" into n fields (NUL-terminated copies) and the rest; -1 if fewer lines. */
static int fields(const char *rec, size_t len, char **f, int n, const char **rest, size_t *rest_len)
{
	const char *p = rec, *end = rec + len;

	for (int i = 0; i < n; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return -1;
		f[i] = strndup(p, (size_t)(nl - p));
		if (!f[i])
			abort();
		p = nl + 1;
	}
	*rest = p;
	*rest_len = (size_t)(end - p);
	return 0;
}

static void free_fields(char **f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i]);
		f[i] = NULL;
	}
}

/* An 'S' record as a signed roster file; 0, or -1 when its fields are not usable. */
static int signed_entry(team_file *out, const char *rec, size_t len, int index)
{
	char *f[2] = { NULL, NULL }, name[64], *body = NULL, *file = NULL, *path = NULL;
	const char *rest;
	size_t rest_len, flen = 0;
	envelope_fields ef;
	hw_error err;
	int rc = -1;

	if (fields(rec, len, f, 2, &rest, &rest_len) < 0)
		goto cleanup;
	snprintf(name, sizeof(name), "00000000-0000-4000-8000-%012d.entry", index);
	if (envelope_fields_set(&ef, f[0], TEAM_CASE, name, NULL, &err) < 0 ||
	    asprintf(&body, "homeward-member 1\n%.*s", (int)rest_len, rest) < 0)
		goto cleanup;
	if (envelope_sign(&ef, body, strlen(body), root, &file, &flen, &err) < 0 ||
	    asprintf(&path, "team/%s/%s", f[1], name) < 0)
		goto cleanup;
	out->path = path;
	out->data = file;
	out->len = flen;
	path = file = NULL;
	rc = 0;
cleanup:
	free(path);
	free(file);
	free(body);
	free_fields(f, 2);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *recs[MAX_RECORDS];
	size_t lens[MAX_RECORDS], nrec = 0, nfiles = 0, i;
	team_file files[MAX_RECORDS];
	team_roster *roster = NULL;
	hw_error err;

	if (!root) {
		if (keys_generate(&root, &err) < 0 || keys_generate(&dev, &err) < 0)
			abort();
	}
	while (p < end && nrec < MAX_RECORDS) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (len) {
			recs[nrec] = p;
			lens[nrec++] = len;
		}
		p += len + 1;
	}

	/* The roster files first: raw and signed. */
	for (i = 0; i < nrec; i++) {
		const char *r = recs[i] + 1;
		size_t len = lens[i] - 1;

		if (recs[i][0] == 'R') {
			const char *nl = memchr(r, '\n', len);
			char *path, *copy;

			if (!nl)
				continue;
			path = strndup(r, (size_t)(nl - r));
			copy = malloc(len - (size_t)(nl + 1 - r) + 1);
			if (!path || !copy)
				abort();
			memcpy(copy, nl + 1, len - (size_t)(nl + 1 - r));
			copy[len - (size_t)(nl + 1 - r)] = '\0';
			files[nfiles].path = path;
			files[nfiles].data = copy;
			files[nfiles++].len = len - (size_t)(nl + 1 - r);
		} else if (recs[i][0] == 'S') {
			if (signed_entry(&files[nfiles], r, len, (int)i) == 0)
				nfiles++;
		}
	}
	if (team_roster_build(&roster, keys_sign_public(root), files, nfiles, &err) < 0)
		roster = NULL;

	for (i = 0; i < nrec; i++) {
		const char *r = recs[i] + 1, *rest;
		size_t len = lens[i] - 1, rest_len;
		char *f[3] = { NULL, NULL, NULL }, *copy;

		/* Every parser gets bytes that end where the record ends (no NUL after them). */
		switch (recs[i][0]) {
		case 'E': {
			envelope e;

			if (!(copy = malloc(len ? len : 1)))
				abort();
			memcpy(copy, r, len);
			if (envelope_parse(&e, copy, len, &err) == 0)
				envelope_verify(&e, keys_sign_public(root), &err);
			free(copy);
			break;
		}
		case 'Q': {
			team_request_info q;

			if (!(copy = malloc(len ? len : 1)))
				abort();
			memcpy(copy, r, len);
			team_request_parse(&q, copy, len, &err);
			free(copy);
			break;
		}
		case 'F':
			if (roster && fields(r, len, f, 3, &rest, &rest_len) == 0) {
				const char *body;
				size_t body_len;
				char signer[TEAM_TEXT_MAX + 1];

				if (!(copy = malloc(rest_len ? rest_len : 1)))
					abort();
				memcpy(copy, rest, rest_len);
				team_check_file(roster, copy, rest_len, f[0], f[1], *f[2] ? f[2] : NULL, "",
						&body, &body_len, signer, &err);
				team_check_file(roster, copy, rest_len, f[0], f[1], NULL, NULL, &body,
						&body_len, signer, &err);
				free(copy);
			}
			free_fields(f, 3);
			break;
		case 'C':
			if (roster && fields(r, len, f, 1, &rest, &rest_len) == 0) {
				char who[TEAM_TEXT_MAX + 1];

				if (!(copy = malloc(rest_len ? rest_len : 1)))
					abort();
				memcpy(copy, rest, rest_len);
				team_commit_check(roster, f[0], copy, rest_len, NULL, who, sizeof(who), &err);
				team_commit_check(roster, f[0], copy, rest_len, "2026-01-01T00:00:00Z", who,
						  sizeof(who), &err);
				free(copy);
			}
			free_fields(f, 1);
			break;
		case 'W':
			if (fields(r, len, f, 2, &rest, &rest_len) == 0) {
				seal_key *k = NULL;

				if (!(copy = malloc(rest_len ? rest_len : 1)))
					abort();
				memcpy(copy, rest, rest_len);
				if (seal_unwrap(&k, dev, f[0], f[1], copy, rest_len, &err) == 0)
					seal_key_free(k);
				free(copy);
			}
			free_fields(f, 2);
			break;
		default:
			break;
		}
	}
	team_roster_free(roster);
	for (i = 0; i < nfiles; i++) {
		free((char *)files[i].path);
		free((char *)files[i].data);
	}
	return 0;
}
