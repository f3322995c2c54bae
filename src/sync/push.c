/*
 * push.c: a push whose cost follows the work.
 *
 * libgit2 1.5's git_remote_push hides every ref the server advertises and
 * then marks the tree of each hidden commit uninteresting, which reads
 * every tree of the archive at every push: 83 % of a one-case sync at 100k
 * cases.  Here the objects to send are worked out from the history itself:
 * the commits the server lacks (a walk from our tip that hides what the
 * server advertised) and, for each of them, the trees and files that are
 * not the same object at the same path in one of its parents.  A parent is
 * either on the server (it is reachable from an advertised ref, and a git
 * server holds everything its refs reach) or sent in the same pack, so the
 * pack is complete; the server checks that anyway and refuses a push that
 * misses an object.
 *
 * The protocol (receive-pack, pkt-lines, report-status, side-band-64k) is
 * spoken here over libgit2's own subtransports (git, ssh, http), so that
 * connections, credentials, host keys and certificates stay libgit2's.
 * Everything the server sends is read through bounded pkt-line readers:
 * lengths are checked before anything is read, and advertisement and
 * report have caps on their size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/transport.h>

#include "sync/push.h"
#include "sync/repo.h"
#include "util.h"

/* ---- reading pkt-lines ---------------------------------------------------- */

typedef int (*src_read_fn)(void *ctx, char *buf, size_t size, size_t *got);

/* A buffered source of bytes from the server, with a cap on what it may send. */
struct pkt_src {
	src_read_fn read;
	void *ctx;
	char buf[16384];
	size_t pos, len;
	size_t total;        /* bytes taken so far */
	size_t cap;          /* at most this many */
	const char *what;    /* "list of references" or "report", for messages */
};

static void src_init(struct pkt_src *s, src_read_fn read, void *ctx, size_t cap, const char *what)
{
	s->read = read;
	s->ctx = ctx;
	s->pos = s->len = s->total = 0;
	s->cap = cap;
	s->what = what;
}

/* Copy n bytes from the source into out; a source that ends first is a cut connection. */
static int src_take(struct pkt_src *s, char *out, size_t n)
{
	if (s->total + n > s->cap) {
		git_error_set(GIT_ERROR_NET, "the central repository sent a %s of more than %zu bytes; "
			      "nothing more was read", s->what, s->cap);
		return -1;
	}
	s->total += n;
	while (n) {
		size_t take;

		if (s->pos == s->len) {
			size_t got = 0;
			int rc;

			s->pos = s->len = 0;
			if ((rc = s->read(s->ctx, s->buf, sizeof(s->buf), &got)) < 0)
				return rc;
			if (got == 0 || got > sizeof(s->buf)) {
				git_error_set(GIT_ERROR_NET, "the connection was cut in the middle of the "
					      "central repository's %s", s->what);
				return -1;
			}
			s->len = got;
		}
		take = s->len - s->pos < n ? s->len - s->pos : n;
		memcpy(out, s->buf + s->pos, take);
		s->pos += take;
		out += take;
		n -= take;
	}
	return 0;
}

/* Printable ASCII of p[0..len) (others as '?'), at most max bytes, into out. */
static void shown(char *out, size_t size, const char *p, size_t len)
{
	size_t i, n = len < size - 1 ? len : size - 1;

	for (i = 0; i < n; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	out[n] = '\0';
}

/*
 * One pkt-line into line (PUSH_MAX_PKT bytes at least), its length into
 * *len: 1 for data, 0 for a flush, or a negative code with the error set.
 * The length is checked before anything else is read.
 */
static int pkt_read(struct pkt_src *s, char *line, size_t *len)
{
	char hdr[4], text[8];
	unsigned n = 0;
	int i, rc;

	if ((rc = src_take(s, hdr, 4)) < 0)
		return rc;
	for (i = 0; i < 4; i++) {
		char c = hdr[i];
		unsigned v;

		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = (unsigned)(c - 'A' + 10);
		else {
			shown(text, sizeof(text), hdr, 4);
			git_error_set(GIT_ERROR_NET, "the central repository does not speak git's protocol "
				      "(its %s starts a packet with \"%s\", not a length)", s->what, text);
			return -1;
		}
		n = n * 16 + v;
	}
	if (n == 0)
		return 0;
	if (n < 4 || n > PUSH_MAX_PKT) {
		git_error_set(GIT_ERROR_NET, "the central repository sent a packet of %u bytes in its %s "
			      "(git's packets are 4 to %u bytes)", n, s->what, (unsigned)PUSH_MAX_PKT);
		return -1;
	}
	*len = n - 4;
	if ((rc = src_take(s, line, n - 4)) < 0)
		return rc;
	return 1;
}

/* A source over bytes in memory. */
struct mem_src {
	const char *data;
	size_t len, pos;
};

static int mem_read(void *ctx, char *buf, size_t size, size_t *got)
{
	struct mem_src *m = ctx;
	size_t n = m->len - m->pos < size ? m->len - m->pos : size;

	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return 0;
}

/* A source over a subtransport stream. */
static int stream_read(void *ctx, char *buf, size_t size, size_t *got)
{
	git_smart_subtransport_stream *s = ctx;

	*got = 0;
	return s->read(s, buf, size, got);
}

/* ---- the advertisement ---------------------------------------------------- */

void push_advert_free(push_advert *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nrefs; i++)
		free(a->refs[i].name);
	free(a->refs);
	memset(a, 0, sizeof(*a));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 40 lower-case hex digits at p into oid; -1 when they are not. */
static int parse_oid(git_oid *oid, const char *p, size_t len)
{
	size_t i;

	if (len < GIT_OID_HEXSZ)
		return -1;
	for (i = 0; i < GIT_OID_HEXSZ; i++)
		if (hexval(p[i]) < 0)
			return -1;
	return git_oid_fromstrn(oid, p, GIT_OID_HEXSZ) < 0 ? -1 : 0;
}

/* Whether the space-separated list caps holds the word cap. */
static int has_cap(const char *caps, size_t len, const char *cap)
{
	size_t n = strlen(cap), i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && caps[j] != ' ')
			j++;
		if (j - i == n && memcmp(caps + i, cap, n) == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

static int bad_advert(const char *line, size_t len, const char *why)
{
	char text[80];

	shown(text, sizeof(text), line, len);
	git_error_set(GIT_ERROR_NET, "the central repository sent a list of references that is not "
		      "git's (%s: \"%s\")", why, text);
	return -1;
}

/* Read an advertisement from s into out (emptied first). */
static int read_advert(struct pkt_src *s, int rpc, push_advert *out)
{
	char *line = NULL;
	size_t len, cap = 0;
	int rc, first = 1;

	memset(out, 0, sizeof(*out));
	if (!(line = malloc(PUSH_MAX_PKT + 1))) {
		git_error_set_oom();
		return -1;
	}
	if (rpc) {
		static const char service[] = "# service=git-receive-pack";

		if ((rc = pkt_read(s, line, &len)) < 0)
			goto cleanup;
		if (rc == 0 || len < sizeof(service) - 1 || memcmp(line, service, sizeof(service) - 1)) {
			rc = bad_advert(line, rc ? len : 0, "no service line");
			goto cleanup;
		}
		if ((rc = pkt_read(s, line, &len)) < 0)
			goto cleanup;
		if (rc != 0) {
			rc = bad_advert(line, len, "no flush after the service line");
			goto cleanup;
		}
	}
	for (;;) {
		const char *name, *nul;
		size_t name_len;
		git_oid oid;

		if ((rc = pkt_read(s, line, &len)) < 0)
			goto cleanup;
		if (rc == 0)
			break;
		if (len && line[len - 1] == '\n')
			len--;
		if (first && len >= 8 && memcmp(line, "version ", 8) == 0)
			continue;
		if (len >= 4 && memcmp(line, "ERR ", 4) == 0) {
			char text[300];

			shown(text, sizeof(text), line + 4, len - 4);
			git_error_set(GIT_ERROR_NET, "the central repository refused: %s", text);
			rc = -1;
			goto cleanup;
		}
		if (len < GIT_OID_HEXSZ + 2 || parse_oid(&oid, line, len) < 0 ||
		    line[GIT_OID_HEXSZ] != ' ') {
			rc = bad_advert(line, len, "not an object id and a name");
			goto cleanup;
		}
		name = line + GIT_OID_HEXSZ + 1;
		nul = memchr(name, '\0', len - GIT_OID_HEXSZ - 1);
		name_len = nul ? (size_t)(nul - name) : len - GIT_OID_HEXSZ - 1;
		if (first && nul) {
			const char *caps = nul + 1;
			size_t caps_len = len - (size_t)(caps - line);

			out->report_status = has_cap(caps, caps_len, "report-status");
			out->side_band_64k = has_cap(caps, caps_len, "side-band-64k");
			out->side_band = has_cap(caps, caps_len, "side-band");
			out->quiet = has_cap(caps, caps_len, "quiet");
			out->ofs_delta = has_cap(caps, caps_len, "ofs-delta");
		} else if (nul) {
			rc = bad_advert(line, len, "capabilities after the first line");
			goto cleanup;
		}
		first = 0;
		if (name_len == 0 || name_len > REPO_MAX_PATH) {
			rc = bad_advert(line, len, "a reference name of no or too many bytes");
			goto cleanup;
		}
		for (size_t i = 0; i < name_len; i++)
			if ((unsigned char)name[i] <= 0x20 || name[i] == 0x7f) {
				rc = bad_advert(line, len, "a reference name with a space or control character");
				goto cleanup;
			}
		if (name_len == 15 && memcmp(name, "capabilities^{}", 15) == 0)
			continue;
		if (out->nrefs == PUSH_MAX_REFS) {
			git_error_set(GIT_ERROR_NET, "the central repository lists more than %d references; "
				      "nothing more was read", PUSH_MAX_REFS);
			rc = -1;
			goto cleanup;
		}
		if (out->nrefs == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			push_ref *grown = realloc(out->refs, ncap * sizeof(*grown));

			if (!grown) {
				git_error_set_oom();
				rc = -1;
				goto cleanup;
			}
			out->refs = grown;
			cap = ncap;
		}
		git_oid_cpy(&out->refs[out->nrefs].oid, &oid);
		out->refs[out->nrefs].name = NULL;
		if (!(name_len == 5 && memcmp(name, ".have", 5) == 0) &&
		    !(out->refs[out->nrefs].name = strndup(name, name_len))) {
			git_error_set_oom();
			rc = -1;
			goto cleanup;
		}
		out->nrefs++;
	}
	rc = 0;

cleanup:
	free(line);
	if (rc < 0)
		push_advert_free(out);
	return rc;
}

int push_parse_advert(const char *data, size_t len, int rpc, push_advert *out)
{
	struct mem_src m = { data, len, 0 };
	struct pkt_src *s = malloc(sizeof(*s));
	int rc;

	if (!s) {
		memset(out, 0, sizeof(*out));
		git_error_set_oom();
		return -1;
	}
	src_init(s, mem_read, &m, PUSH_MAX_ADVERT, "list of references");
	rc = read_advert(s, rpc, out);
	free(s);
	return rc;
}

/* ---- the report ----------------------------------------------------------- */

void push_report_free(push_report *r)
{
	size_t i;

	if (!r)
		return;
	free(r->unpack);
	for (i = 0; i < r->nrefs; i++) {
		free(r->refs[i].ref);
		free(r->refs[i].why);
	}
	free(r->refs);
	memset(r, 0, sizeof(*r));
}

/*
 * Side-band: the report travels in band 1 as pkt-lines of its own, the
 * server's messages in band 2, a fatal error in band 3.  This source gives
 * band 1's bytes and passes band 2 on; a flush of the outer stream ends it.
 */
struct demux {
	struct pkt_src *outer;
	char *pkt;            /* PUSH_MAX_PKT bytes */
	size_t len, pos;      /* band-1 bytes of the last packet not given yet */
	int ended;
	push_message_cb msg;
	void *payload;
};

static int demux_read(void *ctx, char *buf, size_t size, size_t *got)
{
	struct demux *d = ctx;
	size_t n;
	int rc;

	*got = 0;
	while (d->pos == d->len) {
		if (d->ended)
			return 0;
		if ((rc = pkt_read(d->outer, d->pkt, &n)) < 0)
			return rc;
		if (rc == 0) {
			d->ended = 1;
			return 0;
		}
		if (n == 0)
			continue;
		if (d->pkt[0] == 1) {
			d->pos = 1;
			d->len = n;
		} else if (d->pkt[0] == 2) {
			if (d->msg && d->msg(d->pkt + 1, n - 1, d->payload) != 0) {
				git_error_set(GIT_ERROR_NET, "cancelled");
				return GIT_EUSER;
			}
		} else if (d->pkt[0] == 3) {
			char text[300];

			shown(text, sizeof(text), d->pkt + 1, n - 1);
			while (strlen(text) && (text[strlen(text) - 1] == '?' || text[strlen(text) - 1] == ' '))
				text[strlen(text) - 1] = '\0';
			git_error_set(GIT_ERROR_NET, "the central repository stopped with an error: %s", text);
			return -1;
		} else {
			git_error_set(GIT_ERROR_NET, "the central repository sent a packet on side-band %d, "
				      "which git does not have", (unsigned char)d->pkt[0]);
			return -1;
		}
	}
	n = d->len - d->pos < size ? d->len - d->pos : size;
	memcpy(buf, d->pkt + d->pos, n);
	d->pos += n;
	*got = n;
	return 0;
}

static int bad_report(const char *line, size_t len)
{
	char text[120];

	shown(text, sizeof(text), line, len);
	git_error_set(GIT_ERROR_NET, "the central repository's answer to the push is not git's "
		      "(\"%s\")", text);
	return -1;
}

/* Read a report-status from s into out (emptied first). */
static int read_report(struct pkt_src *s, push_report *out)
{
	char *line = malloc(PUSH_MAX_PKT + 1);
	size_t len, cap = 0, lines = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!line) {
		git_error_set_oom();
		return -1;
	}
	if ((rc = pkt_read(s, line, &len)) < 0)
		goto cleanup;
	if (rc == 0 || len < 7 || memcmp(line, "unpack ", 7) != 0) {
		rc = bad_report(line, rc ? len : 0);
		goto cleanup;
	}
	if (line[len - 1] == '\n')
		len--;
	if (!(len == 9 && memcmp(line + 7, "ok", 2) == 0)) {
		char text[300];

		shown(text, sizeof(text), line + 7, len - 7);
		if (!(out->unpack = strdup(text))) {
			git_error_set_oom();
			rc = -1;
			goto cleanup;
		}
	}
	for (;;) {
		const char *ref, *sp;
		int ok;

		if ((rc = pkt_read(s, line, &len)) < 0)
			goto cleanup;
		if (rc == 0)
			break;
		if (++lines > PUSH_MAX_REPORT_LINES) {
			git_error_set(GIT_ERROR_NET, "the central repository's answer to the push has more "
				      "than %d lines; nothing more was read", PUSH_MAX_REPORT_LINES);
			rc = -1;
			goto cleanup;
		}
		if (len && line[len - 1] == '\n')
			len--;
		if (len > 3 && memcmp(line, "ok ", 3) == 0)
			ok = 1;
		else if (len > 3 && memcmp(line, "ng ", 3) == 0)
			ok = 0;
		else {
			rc = bad_report(line, len);
			goto cleanup;
		}
		ref = line + 3;
		sp = ok ? NULL : memchr(ref, ' ', len - 3);
		if (out->nrefs == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			push_status *grown = realloc(out->refs, ncap * sizeof(*grown));

			if (!grown) {
				git_error_set_oom();
				rc = -1;
				goto cleanup;
			}
			out->refs = grown;
			cap = ncap;
		}
		{
			char text[300];
			size_t rlen = sp ? (size_t)(sp - ref) : len - 3;
			push_status *st = &out->refs[out->nrefs];

			shown(text, sizeof(text), ref, rlen);
			st->why = NULL;
			if (!(st->ref = strdup(text))) {
				git_error_set_oom();
				rc = -1;
				goto cleanup;
			}
			out->nrefs++;
			if (!ok) {
				if (sp)
					shown(text, sizeof(text), sp + 1, len - (size_t)(sp + 1 - line));
				else
					snprintf(text, sizeof(text), "refused");
				if (!(st->why = strdup(text))) {
					git_error_set_oom();
					rc = -1;
					goto cleanup;
				}
			}
		}
	}
	rc = 0;

cleanup:
	free(line);
	if (rc < 0)
		push_report_free(out);
	return rc;
}

/* Read a report from the source src, demultiplexed when sideband. */
static int read_report_from(struct pkt_src *src, int sideband, push_message_cb msg, void *payload,
			    push_report *out)
{
	struct demux d = { src, NULL, 0, 0, 0, msg, payload };
	struct pkt_src *inner = NULL;
	int rc;

	if (!sideband)
		return read_report(src, out);
	memset(out, 0, sizeof(*out));
	if (!(d.pkt = malloc(PUSH_MAX_PKT)) || !(inner = malloc(sizeof(*inner)))) {
		free(d.pkt);
		git_error_set_oom();
		return -1;
	}
	src_init(inner, demux_read, &d, PUSH_MAX_REPORT, "report");
	rc = read_report(inner, out);
	/*
	 * What the server's post-receive hook prints comes after the report,
	 * up to the last flush: pass it on too (the outer cap still holds).
	 */
	while (rc == 0 && !d.ended) {
		char rest[256];
		size_t got;

		if ((rc = demux_read(&d, rest, sizeof(rest), &got)) < 0)
			push_report_free(out);
	}
	free(inner);
	free(d.pkt);
	return rc;
}

int push_parse_report(const char *data, size_t len, int sideband, push_message_cb msg,
		      void *payload, push_report *out)
{
	struct mem_src m = { data, len, 0 };
	struct pkt_src *s = malloc(sizeof(*s));
	int rc;

	if (!s) {
		memset(out, 0, sizeof(*out));
		git_error_set_oom();
		return -1;
	}
	src_init(s, mem_read, &m, PUSH_MAX_REPORT, "report");
	rc = read_report_from(s, sideband, msg, payload, out);
	free(s);
	return rc;
}

/* ---- what to send --------------------------------------------------------- */

/* A folder being compared: the new tree and the trees at its path in the parents. */
struct frame {
	git_tree *tree;
	git_tree **par;      /* np entries, NULL where a parent has no folder there */
	size_t i;            /* next entry of tree */
};

#define PUSH_MAX_DEPTH 64   /* folders in a path; deeper is left to git_remote_push */
#define PUSH_MAX_PARENTS 64 /* parents compared (more are only not used to skip) */

static void frame_free(struct frame *f, size_t np)
{
	size_t k;

	git_tree_free(f->tree);
	if (f->par)
		for (k = 0; k < np; k++)
			git_tree_free(f->par[k]);
	free(f->par);
	f->tree = NULL;
	f->par = NULL;
}

/*
 * Insert into pb the trees and files of tree (itself inserted by the caller)
 * that are not the same object at the same path in one of the np parent
 * trees par (which the frame takes).  Iterative: at most PUSH_MAX_DEPTH
 * folders deep (deeper is PUSH_FALLBACK).
 */
static int add_tree(git_packbuilder *pb, git_repository *repo, git_tree *tree, git_tree **par,
		    size_t np)
{
	struct frame stack[PUSH_MAX_DEPTH];
	size_t depth = 1, k;
	int rc = 0;

	stack[0].tree = tree;
	stack[0].par = par;
	stack[0].i = 0;
	while (depth) {
		struct frame *f = &stack[depth - 1];
		const git_tree_entry *e;
		const git_oid *id;
		const char *name;
		git_object_t type;
		int same = 0;

		if (f->i >= git_tree_entrycount(f->tree)) {
			frame_free(f, np);
			depth--;
			continue;
		}
		e = git_tree_entry_byindex(f->tree, f->i++);
		id = git_tree_entry_id(e);
		name = git_tree_entry_name(e);
		type = git_tree_entry_type(e);
		if (type != GIT_OBJECT_BLOB && type != GIT_OBJECT_TREE)
			continue;   /* a gitlink: its commit is not ours to send */
		for (k = 0; k < np && !same; k++) {
			const git_tree_entry *pe = f->par[k] ? git_tree_entry_byname(f->par[k], name) : NULL;

			same = pe && git_oid_equal(git_tree_entry_id(pe), id);
		}
		if (same)
			continue;
		if ((rc = git_packbuilder_insert(pb, id, name)) < 0)
			goto cleanup;
		if (type == GIT_OBJECT_TREE) {
			struct frame *c;

			if (depth == PUSH_MAX_DEPTH) {
				rc = PUSH_FALLBACK;
				goto cleanup;
			}
			c = &stack[depth];
			c->i = 0;
			c->tree = NULL;
			if (!(c->par = calloc(np ? np : 1, sizeof(*c->par)))) {
				git_error_set_oom();
				rc = -1;
				goto cleanup;
			}
			depth++;
			if ((rc = git_tree_lookup(&c->tree, repo, id)) < 0)
				goto cleanup;
			for (k = 0; k < np; k++) {
				const git_tree_entry *pe = f->par[k] ? git_tree_entry_byname(f->par[k], name)
								     : NULL;

				if (pe && git_tree_entry_type(pe) == GIT_OBJECT_TREE &&
				    (rc = git_tree_lookup(&c->par[k], repo, git_tree_entry_id(pe))) < 0)
					goto cleanup;
			}
		}
	}

cleanup:
	while (depth)
		frame_free(&stack[--depth], np);
	return rc;
}

/* Insert a commit, and what its tree has that none of its parents has at the same path. */
static int add_commit(git_packbuilder *pb, git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	git_tree *tree = NULL, **par = NULL;
	size_t np = 0, k;
	int rc, same = 0;

	if ((rc = git_commit_lookup(&c, repo, id)) < 0 ||
	    (rc = git_packbuilder_insert(pb, id, NULL)) < 0 ||
	    (rc = git_commit_tree(&tree, c)) < 0)
		goto cleanup;
	np = git_commit_parentcount(c);
	if (np > PUSH_MAX_PARENTS)
		np = PUSH_MAX_PARENTS;
	if (!(par = calloc(np ? np : 1, sizeof(*par)))) {
		git_error_set_oom();
		rc = -1;
		goto cleanup;
	}
	for (k = 0; k < np; k++) {
		git_commit *p = NULL;

		if ((rc = git_commit_parent(&p, c, (unsigned)k)) < 0)
			goto cleanup;
		rc = git_commit_tree(&par[k], p);
		git_commit_free(p);
		if (rc < 0)
			goto cleanup;
		same |= git_oid_equal(git_tree_id(par[k]), git_tree_id(tree));
	}
	if (same)
		goto cleanup;
	if ((rc = git_packbuilder_insert(pb, git_tree_id(tree), NULL)) < 0)
		goto cleanup;
	rc = add_tree(pb, repo, tree, par, np);
	tree = NULL;
	par = NULL;   /* add_tree took them */

cleanup:
	if (par)
		for (k = 0; k < np; k++)
			git_tree_free(par[k]);
	free(par);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/*
 * The pack of what the server lacks to take tip: every commit reachable
 * from tip and from no object the server advertised that this repository
 * has, with their new trees and files, in a packbuilder (*out, the
 * caller's) that writes it as it is sent.  *count gets the number of
 * objects.
 */
static int build_pack(git_packbuilder **out, size_t *count, git_repository *repo,
		      const git_oid *tip, const push_advert *adv)
{
	git_revwalk *w = NULL;
	git_packbuilder *pb = NULL;
	git_odb *odb = NULL;
	git_oid id;
	size_t i, n = 0;
	int rc;

	if ((rc = git_repository_odb(&odb, repo)) < 0 ||
	    (rc = git_revwalk_new(&w, repo)) < 0 ||
	    (rc = git_packbuilder_new(&pb, repo)) < 0)
		goto cleanup;
	git_packbuilder_set_threads(pb, 1);
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if ((rc = git_revwalk_push(w, tip)) < 0)
		goto cleanup;
	for (i = 0; i < adv->nrefs; i++) {
		git_object_t type;
		size_t size;

		/* Only commits we have can be hidden; hiding less only sends more. */
		if (git_odb_read_header(&size, &type, odb, &adv->refs[i].oid) == 0 &&
		    type == GIT_OBJECT_COMMIT && git_revwalk_hide(w, &adv->refs[i].oid) < 0)
			git_error_clear();
	}
	while ((rc = git_revwalk_next(&id, w)) == 0) {
		if (++n > REPO_MAX_WALK) {
			rc = PUSH_FALLBACK;
			goto cleanup;
		}
		if ((rc = add_commit(pb, repo, &id)) != 0)
			goto cleanup;
	}
	if (rc != GIT_ITEROVER)
		goto cleanup;
	*count = git_packbuilder_object_count(pb);
	*out = pb;
	pb = NULL;
	rc = 0;

cleanup:
	git_packbuilder_free(pb);
	git_revwalk_free(w);
	git_odb_free(odb);
	return rc;
}

/* ---- the transport -------------------------------------------------------- */

/*
 * libgit2's smart transport owns the subtransport and holds the connect
 * options (credentials, certificate check) that the subtransports ask it
 * for; it takes them only when it connects.  So it connects through a thin
 * wrapper of the real subtransport: the wrapper opens the real stream,
 * reads the advertisement itself (bounded) and hands the smart transport an
 * empty one; the push then goes over the real subtransport directly.
 */
struct push_state {
	int kind;                                /* 'g' git://, 's' ssh, 'h' http(s) */
	push_advert adv;
	git_smart_subtransport *real;
	git_smart_subtransport_stream *ls;       /* the real stream of the advertisement */
};

struct wrap_sub {
	git_smart_subtransport parent;
	git_smart_subtransport *real;
	struct push_state *st;
};

struct wrap_stream {
	git_smart_subtransport_stream parent;
	git_smart_subtransport_stream *real;
	const char *fake;
	size_t len, pos;
};

static int wrap_stream_read(git_smart_subtransport_stream *stream, char *buf, size_t size,
			    size_t *got)
{
	struct wrap_stream *w = (struct wrap_stream *)stream;
	size_t n = w->len - w->pos < size ? w->len - w->pos : size;

	memcpy(buf, w->fake + w->pos, n);
	w->pos += n;
	*got = n;
	return 0;
}

static int wrap_stream_write(git_smart_subtransport_stream *stream, const char *buf, size_t len)
{
	(void)stream;
	(void)buf;
	(void)len;
	git_error_set(GIT_ERROR_NET, "the push writes on its own stream");
	return -1;
}

static void wrap_stream_free(git_smart_subtransport_stream *stream)
{
	struct wrap_stream *w = (struct wrap_stream *)stream;

	if (w->real)
		w->real->free(w->real);
	free(w);
}

static int wrap_action(git_smart_subtransport_stream **out, git_smart_subtransport *sub,
		       const char *url, git_smart_service_t action)
{
	/* What the smart transport reads: no references (after http's service line). */
	static const char empty_rpc[] = "001f# service=git-receive-pack\n00000000";
	static const char empty[] = "0000";
	struct wrap_sub *w = (struct wrap_sub *)sub;
	struct wrap_stream *ws = NULL;
	git_smart_subtransport_stream *rs = NULL;
	struct pkt_src *src = NULL;
	int rc;

	/* Anything else (the goodbye of a closing smart transport) is not its to do. */
	if (action != GIT_SERVICE_RECEIVEPACK_LS)
		return -1;
	if ((rc = w->real->action(&rs, w->real, url, action)) < 0)
		return rc;
	if (!(ws = calloc(1, sizeof(*ws))) || !(src = malloc(sizeof(*src)))) {
		git_error_set_oom();
		rc = -1;
		goto cleanup;
	}
	src_init(src, stream_read, rs, PUSH_MAX_ADVERT, "list of references");
	if ((rc = read_advert(src, w->st->kind == 'h', &w->st->adv)) < 0)
		goto cleanup;
	ws->parent.subtransport = sub;
	ws->parent.read = wrap_stream_read;
	ws->parent.write = wrap_stream_write;
	ws->parent.free = wrap_stream_free;
	ws->real = rs;
	ws->fake = w->st->kind == 'h' ? empty_rpc : empty;
	ws->len = strlen(ws->fake);
	w->st->ls = rs;
	*out = &ws->parent;
	ws = NULL;
	rs = NULL;

cleanup:
	free(src);
	free(ws);
	if (rs)
		rs->free(rs);
	return rc;
}

static int wrap_close(git_smart_subtransport *sub)
{
	struct wrap_sub *w = (struct wrap_sub *)sub;

	return w->real->close(w->real);
}

static void wrap_free(git_smart_subtransport *sub)
{
	struct wrap_sub *w = (struct wrap_sub *)sub;

	w->real->free(w->real);
	free(w);
}

static int wrap_new(git_smart_subtransport **out, git_transport *owner, void *param)
{
	struct push_state *st = param;
	struct wrap_sub *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		git_error_set_oom();
		return -1;
	}
	/* Every wait on the server is watched (fetch.c, netwatch.c). */
	if ((rc = net_subtransport(&w->real, owner, st->kind)) < 0) {
		free(w);
		return rc;
	}
	w->parent.action = wrap_action;
	w->parent.close = wrap_close;
	w->parent.free = wrap_free;
	w->st = st;
	st->real = w->real;
	*out = &w->parent;
	return 0;
}

int push_url_kind(const char *url)
{
	if (!strncmp(url, "git://", 6))
		return 'g';
	if (!strncmp(url, "ssh://", 6) || !strncmp(url, "ssh+git://", 10) ||
	    !strncmp(url, "git+ssh://", 10))
		return 's';
	if (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))
		return 'h';
	return 0;
}

/* A pkt-line of text (len bytes) onto out. */
static int pkt_put(hw_buf *out, const char *text, size_t len)
{
	char hdr[5];

	snprintf(hdr, sizeof(hdr), "%04x", (unsigned)(len + 4));
	if (hw_buf_add(out, hdr, 4) < 0 || hw_buf_add(out, text, len) < 0) {
		git_error_set_oom();
		return -1;
	}
	return 0;
}

static int on_message(const char *text, size_t len, void *payload)
{
	const git_remote_callbacks *cbs = payload;

	if (!cbs->sideband_progress || len > (size_t)0x7fffffff)
		return 0;
	return cbs->sideband_progress(text, (int)len, cbs->payload);
}

/*
 * The commands and the pack go out as the packbuilder writes it, in pieces
 * of SEND_PIECE bytes: never the whole pack in memory (a first push of
 * 200,000 events is a pack of hundreds of megabytes), and never a short
 * write of its own (the commands travel with the pack's first bytes; a
 * lone short write would wait for the server's delayed acknowledgement).
 */
#define SEND_PIECE 65536

struct sender {
	git_smart_subtransport_stream *s;
	hw_buf out;                        /* not yet written */
	git_packbuilder *pb;
	size_t objects, sent;
	const git_remote_callbacks *cbs;
};

static int sender_flush(struct sender *w)
{
	int rc;

	if (hw_buf_oom(&w->out)) {
		git_error_set_oom();
		return -1;
	}
	if (!w->out.len)
		return 0;
	if ((rc = w->s->write(w->s, w->out.ptr, w->out.len)) < 0)
		return rc;
	w->sent += w->out.len;
	hw_buf_truncate(&w->out, 0);
	if (w->cbs->push_transfer_progress &&
	    w->cbs->push_transfer_progress((unsigned)git_packbuilder_written(w->pb),
					   (unsigned)w->objects, w->sent, w->cbs->payload) != 0) {
		git_error_set(GIT_ERROR_NET, "cancelled");
		return GIT_EUSER;
	}
	return 0;
}

static int send_piece(void *buf, size_t size, void *payload)
{
	struct sender *w = payload;

	while (size) {
		size_t room = SEND_PIECE - w->out.len, n = size < room ? size : room;
		int rc;

		if (hw_buf_add(&w->out, buf, n) < 0) {
			git_error_set_oom();
			return -1;
		}
		buf = (char *)buf + n;
		size -= n;
		if (w->out.len >= SEND_PIECE && (rc = sender_flush(w)) < 0)
			return rc;
	}
	return 0;
}

int push_smart(git_repository *repo, git_remote *remote, const char *url,
	       const char *const *refspecs, size_t n, const git_remote_callbacks *cbs,
	       struct push_peek *peek)
{
	git_smart_subtransport_definition def;
	git_remote_connect_options co;
	git_transport *t = NULL;
	git_smart_subtransport_stream *ps = NULL;
	struct push_state st;
	struct pkt_src *src = NULL;
	push_report report;
	git_packbuilder *pb = NULL;
	hw_buf cmd = HW_BUF_INIT;
	git_oid tip, old;
	const char *spec, *colon, *dst;
	char src_ref[REPO_MAX_PATH + 1], hex_old[GIT_OID_HEXSZ + 1], hex_new[GIT_OID_HEXSZ + 1];
	size_t i, count = 0;
	int rc, force, sideband = 0, found = 0;

	memset(&st, 0, sizeof(st));
	memset(&report, 0, sizeof(report));
	if (!(st.kind = push_url_kind(url)) || n != 1)
		return PUSH_FALLBACK;
	spec = refspecs[0];
	force = *spec == '+';
	spec += force;
	colon = strchr(spec, ':');
	if (!colon || (size_t)(colon - spec) > REPO_MAX_PATH || strncmp(spec, "refs/", 5) ||
	    strncmp(colon + 1, "refs/", 5) || strlen(colon + 1) > REPO_MAX_PATH)
		return PUSH_FALLBACK;
	memcpy(src_ref, spec, (size_t)(colon - spec));
	src_ref[colon - spec] = '\0';
	dst = colon + 1;
	if ((rc = git_reference_name_to_id(&tip, repo, src_ref)) < 0)
		return rc;

	def.callback = wrap_new;
	def.rpc = st.kind == 'h';
	def.param = &st;
	if ((rc = git_transport_smart(&t, remote, &def)) < 0)
		goto cleanup;
	if ((rc = git_remote_connect_options_init(&co, GIT_REMOTE_CONNECT_OPTIONS_VERSION)) < 0)
		goto cleanup;
	co.callbacks = *cbs;
	if ((rc = t->connect(t, url, GIT_DIRECTION_PUSH, &co)) < 0)
		goto cleanup;

	git_oid_fromstrn(&old, "0000000000000000000000000000000000000000", GIT_OID_HEXSZ);
	for (i = 0; i < st.adv.nrefs; i++) {
		if (!st.adv.refs[i].name)
			continue;
		if (!strcmp(st.adv.refs[i].name, dst)) {
			git_oid_cpy(&old, &st.adv.refs[i].oid);
			found = 1;
		}
		if (peek && peek->ref && !strcmp(st.adv.refs[i].name, peek->ref)) {
			git_oid_cpy(&peek->oid, &st.adv.refs[i].oid);
			peek->seen = 1;
		}
	}
	if (peek)
		peek->known = 1;
	if (!st.adv.report_status) {
		rc = PUSH_FALLBACK;   /* without a report we could not tell what the server did */
		goto cleanup;
	}
	if (found && !force) {
		git_odb *odb = NULL;
		int has;

		if ((rc = git_repository_odb(&odb, repo)) < 0)
			goto cleanup;
		has = git_odb_exists(odb, &old);
		git_odb_free(odb);
		if (!has) {
			git_error_set(GIT_ERROR_REFERENCE, "cannot push because a reference that you are "
				      "trying to update on the remote contains commits that are not "
				      "present locally.");
			rc = GIT_ENONFASTFORWARD;
			goto cleanup;
		}
		if (!git_oid_equal(&old, &tip) && git_graph_descendant_of(repo, &tip, &old) != 1) {
			git_error_set(GIT_ERROR_REFERENCE, "cannot push non-fastforwardable reference");
			rc = GIT_ENONFASTFORWARD;
			goto cleanup;
		}
	}
	if (found && git_oid_equal(&old, &tip)) {
		/* Nothing to do: say goodbye (an empty list of commands) on a connection. */
		if (st.kind != 'h' && st.ls)
			st.ls->write(st.ls, "0000", 4);
		if (cbs->push_update_reference)
			cbs->push_update_reference(dst, NULL, cbs->payload);
		rc = 0;
		goto cleanup;
	}
	if ((rc = build_pack(&pb, &count, repo, &tip, &st.adv)) != 0)
		goto cleanup;
	if (cbs->push_transfer_progress &&
	    cbs->push_transfer_progress(0, (unsigned)count, 0, cbs->payload) != 0) {
		git_error_set(GIT_ERROR_NET, "cancelled");
		rc = GIT_EUSER;
		goto cleanup;
	}

	/* old new ref\0capabilities, a flush, the pack. */
	sideband = st.adv.side_band_64k;
	git_oid_tostr(hex_old, sizeof(hex_old), &old);
	git_oid_tostr(hex_new, sizeof(hex_new), &tip);
	{
		hw_buf line = HW_BUF_INIT;

		hw_buf_printf(&line, "%s %s %s", hex_old, hex_new, dst);
		hw_buf_add(&line, "", 1);
		hw_buf_puts(&line, "report-status");
		if (sideband)
			hw_buf_puts(&line, " side-band-64k");
		if (st.adv.quiet)
			hw_buf_puts(&line, " quiet");
		if (hw_buf_oom(&line)) {
			hw_buf_free(&line);
			git_error_set_oom();
			rc = -1;
			goto cleanup;
		}
		rc = pkt_put(&cmd, line.ptr, line.len);
		hw_buf_free(&line);
		if (rc < 0 || hw_buf_add(&cmd, "0000", 4) < 0) {
			git_error_set_oom();
			rc = -1;
			goto cleanup;
		}
	}
	if ((rc = st.real->action(&ps, st.real, url, GIT_SERVICE_RECEIVEPACK)) < 0) {
		ps = NULL;
		goto cleanup;
	}
	if (st.kind != 'h' && ps == st.ls)
		ps = NULL;   /* the connection of the advertisement, freed with the transport */
	{
		git_smart_subtransport_stream *s = ps ? ps : st.ls;
		struct sender w;

		/* The commands first in the buffer, then the pack as it is written. */
		w.s = s;
		w.out = cmd;
		w.pb = pb;
		w.objects = count;
		w.sent = 0;
		w.cbs = cbs;
		memset(&cmd, 0, sizeof(cmd));
		rc = git_packbuilder_foreach(pb, send_piece, &w);
		if (rc == 0)
			rc = sender_flush(&w);
		hw_buf_free(&w.out);
		if (rc < 0)
			goto cleanup;
		/* What the packbuilder held is not needed for the report. */
		git_packbuilder_free(pb);
		pb = NULL;
		if (!(src = malloc(sizeof(*src)))) {
			git_error_set_oom();
			rc = -1;
			goto cleanup;
		}
		src_init(src, stream_read, s, PUSH_MAX_REPORT, "report");
		if ((rc = read_report_from(src, sideband, on_message, (void *)cbs, &report)) < 0)
			goto cleanup;
	}
	if (report.unpack) {
		git_error_set(GIT_ERROR_NET, "the central repository could not unpack what was sent: %s",
			      report.unpack);
		rc = -1;
		goto cleanup;
	}
	found = 0;
	for (i = 0; i < report.nrefs; i++) {
		if (strcmp(report.refs[i].ref, dst) != 0)
			continue;
		found = 1;
		if (cbs->push_update_reference &&
		    (rc = cbs->push_update_reference(dst, report.refs[i].why, cbs->payload)) < 0)
			goto cleanup;
	}
	if (!found) {
		git_error_set(GIT_ERROR_NET, "the central repository did not say whether it took %s", dst);
		rc = -1;
		goto cleanup;
	}
	rc = 0;

cleanup:
	{
		/* Closing may overwrite libgit2's last error: keep the one that counts. */
		const git_error *e = rc < 0 ? git_error_last() : NULL;
		char *msg = e && e->message ? strdup(e->message) : NULL;
		int klass = e ? e->klass : GIT_ERROR_NET;

		if (ps)
			ps->free(ps);
		if (t)
			t->free(t);
		if (msg) {
			git_error_set_str(klass, msg);
			free(msg);
		}
	}
	free(src);
	hw_buf_free(&cmd);
	git_packbuilder_free(pb);
	push_report_free(&report);
	push_advert_free(&st.adv);
	return rc;
}
