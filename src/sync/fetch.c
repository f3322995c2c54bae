/*
 * fetch.c: the transport of a fetch from a server, without thin packs.
 *
 * A server that offers `thin-pack` sends objects as deltas against objects
 * the fetching repository already has.  libgit2 1.5's indexer completes
 * such a pack at the end (git_indexer_commit): each pass over the deltas
 * that resolves none copies one missing base in from the repository,
 * unmaps the pack and starts over, so K missing bases among D deltas cost
 * K passes over D deltas.  A supervisor's merge of 20 devices x 50 cases
 * into 100,000 spent 45 % of its processor time there, and 20 x 500 would
 * take minutes.  Without the capability the server packs every object the
 * fetch needs whole or as a delta inside the same pack, and the indexer
 * works in one pass: the cost follows the objects received.  The price is
 * bytes: trees whole where they would have been deltas (docs/sync.md,
 * "Fetching without thin packs").
 *
 * libgit2 asks for what the server's first line of references offers; this
 * transport is libgit2's own smart transport over libgit2's own git, ssh
 * and http subtransports, with the first line's `thin-pack` taken out as
 * it is read.  Everything else passes through untouched.
 *
 * The same wrapper watches every connection of the repository module to a
 * server (every fetch's, and the push's in push.c): each connect, read and
 * write is a wait that netwatch.c may cut when the server stays silent
 * longer than the limit (sync.timeout).  One wrapper does both, so that
 * the stream identity libgit2 relies on (git:// and ssh go on on the
 * connection of the references) is kept in one place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/transport.h>

#include "sync/netwatch.h"
#include "sync/push.h"

/*
 * The stream of the references of a whole-pack fetch: its first lines are
 * read, mended and served.  It reads as libgit2 does, in large pieces
 * (libgit2's https client keeps nothing of what does not fit the reader's
 * buffer), into raw.
 */
#define RAW_SIZE (2 * 65536)

struct net_sub;

struct net_stream {
	git_smart_subtransport_stream parent;
	git_smart_subtransport_stream *real;
	struct net_sub *sub;
	int filtering;              /* still before the line with the capabilities */
	char *raw;                  /* read from the server, not yet looked at */
	size_t rlen;
	char *pend;                 /* bytes to serve before reading on */
	size_t plen, ppos;
};

struct net_sub {
	git_smart_subtransport parent;
	git_smart_subtransport *real;
	struct net_stream *current;   /* the last stream handed out, while alive */
	int whole;                    /* hide `thin-pack` from an upload-pack's references */
};

/* ---- the watch on every wait for a server --------------------------------- */

/* The error of a wait the watch cut. */
static int silent(unsigned seconds)
{
	git_error_set(GIT_ERROR_NET, "the server sent nothing for %u seconds and the connection was "
		      "closed (to wait longer: homeward config set sync.timeout SECONDS)", seconds);
	return -1;
}

/* A read of the real stream, watched. */
static int real_read(struct net_stream *f, char *buf, size_t size, size_t *got)
{
	unsigned cut;
	int rc;

	*got = 0;
	if ((cut = netwatch_enter()) != 0)
		return silent(cut);
	rc = f->real->read(f->real, buf, size, got);
	if ((cut = netwatch_leave()) != 0) {
		*got = 0;
		return silent(cut);
	}
	return rc;
}

/* ---- the first line of references, without thin-pack ----------------------- */

/* Have at least n bytes in raw (fewer only at the end of the stream: *eof says). */
static int raw_want(struct net_stream *f, size_t n, int *eof)
{
	*eof = 0;
	while (f->rlen < n) {
		size_t g = 0;
		int rc = real_read(f, f->raw + f->rlen, RAW_SIZE - f->rlen, &g);

		if (rc < 0)
			return rc;
		if (g == 0 || g > RAW_SIZE - f->rlen) {
			*eof = 1;
			break;
		}
		f->rlen += g;
	}
	return 0;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

size_t fetch_drop_thin_pack(char *line, size_t len)
{
	static const char cap[] = "thin-pack";
	size_t capl = sizeof(cap) - 1;
	char *nul = len > 4 ? memchr(line + 4, '\0', len - 4) : NULL, *p, *end = line + len;

	if (!nul)
		return len;
	for (p = nul + 1; p < end;) {
		char *q = p;

		while (q < end && *q != ' ' && *q != '\n')
			q++;
		if ((size_t)(q - p) == capl && !memcmp(p, cap, capl)) {
			/* Take out the word and one space around it. */
			char *from = p, *to = q;

			if (to < end && *to == ' ')
				to++;
			else if (from > nul + 1 && from[-1] == ' ')
				from--;
			memmove(from, to, (size_t)(end - to));
			len -= (size_t)(to - from);
			end = line + len;
			p = from;
			continue;
		}
		p = q < end ? q + 1 : q;
	}
	{
		static const char digits[] = "0123456789abcdef";

		line[0] = digits[(len >> 12) & 15];
		line[1] = digits[(len >> 8) & 15];
		line[2] = digits[(len >> 4) & 15];
		line[3] = digits[len & 15];
	}
	return len;
}

/*
 * Move the first n bytes of raw to pend, and when filtering has ended,
 * everything else read so far after them.
 */
static int serve_raw(struct net_stream *f, size_t n)
{
	size_t take = f->filtering ? n : f->rlen;

	free(f->pend);
	f->plen = f->ppos = 0;
	if (!(f->pend = malloc(take ? take : 1))) {
		git_error_set_oom();
		return -1;
	}
	memcpy(f->pend, f->raw, take);
	f->plen = take;
	memmove(f->raw, f->raw + take, f->rlen - take);
	f->rlen -= take;
	return 0;
}

/*
 * Take the next pkt-line from the real stream and decide: a service line
 * or a flush (http) keeps filtering, the line with the capabilities is
 * mended and ends it, anything else ends it unchanged (libgit2 judges
 * what it is).
 */
static int fill(struct net_stream *f)
{
	int len, rc, eof;

	if ((rc = raw_want(f, 4, &eof)) < 0)
		return rc;
	len = eof ? -1 : hex4(f->raw);
	if (len < 0 || (len > 0 && len < 4) || len > PUSH_MAX_PKT) {
		/* Not a line this code reads: pass what came and stop looking. */
		f->filtering = 0;
		return serve_raw(f, f->rlen);
	}
	if (len == 0)
		return serve_raw(f, 4);   /* a flush: after http's service line, the references follow */
	if ((rc = raw_want(f, (size_t)len, &eof)) < 0)
		return rc;
	if (eof) {
		f->filtering = 0;
		return serve_raw(f, f->rlen);
	}
	if (len > 14 && !memcmp(f->raw + 4, "# service=", 10))
		return serve_raw(f, (size_t)len);
	{
		size_t now = fetch_drop_thin_pack(f->raw, (size_t)len);

		/* The line is shorter now: close the gap before serving it. */
		memmove(f->raw + now, f->raw + len, f->rlen - (size_t)len);
		f->rlen -= (size_t)len - now;
		f->filtering = 0;
		return serve_raw(f, now);
	}
}

static int net_stream_read(git_smart_subtransport_stream *stream, char *buf, size_t size,
			   size_t *got)
{
	struct net_stream *f = (struct net_stream *)stream;
	size_t n;
	int rc;

	if (f->ppos == f->plen && f->filtering && (rc = fill(f)) < 0)
		return rc;
	if (f->ppos == f->plen) {
		*got = 0;
		if (f->filtering)
			return 0;   /* the end of the stream, while still looking */
		return real_read(f, buf, size, got);
	}
	n = f->plen - f->ppos < size ? f->plen - f->ppos : size;
	memcpy(buf, f->pend + f->ppos, n);
	f->ppos += n;
	*got = n;
	return 0;
}

static int net_stream_write(git_smart_subtransport_stream *stream, const char *buf, size_t len)
{
	struct net_stream *f = (struct net_stream *)stream;
	unsigned cut;
	int rc;

	if ((cut = netwatch_enter()) != 0)
		return silent(cut);
	rc = f->real->write(f->real, buf, len);
	if ((cut = netwatch_leave()) != 0)
		return silent(cut);
	return rc;
}

static void net_stream_free(git_smart_subtransport_stream *stream)
{
	struct net_stream *f = (struct net_stream *)stream;

	if (f->sub && f->sub->current == f)
		f->sub->current = NULL;
	/* Freeing may say goodbye on the connection: a wait like any other. */
	netwatch_enter();
	f->real->free(f->real);
	netwatch_leave();
	free(f->raw);
	free(f->pend);
	free(f);
}

static int net_action(git_smart_subtransport_stream **out, git_smart_subtransport *sub,
		      const char *url, git_smart_service_t action)
{
	struct net_sub *s = (struct net_sub *)sub;
	git_smart_subtransport_stream *rs = NULL;
	struct net_stream *f;
	unsigned cut;
	int rc;

	/* Connecting, a host key or certificate, credentials: waits on the server. */
	if ((cut = netwatch_enter()) != 0)
		return silent(cut);
	rc = s->real->action(&rs, s->real, url, action);
	if ((cut = netwatch_leave()) != 0) {
		if (rc >= 0 && rs && !(s->current && rs == s->current->real))
			rs->free(rs);
		return silent(cut);
	}
	if (rc < 0)
		return rc;
	/* git:// and ssh go on on the same stream: keep serving it through its wrapper. */
	if (s->current && rs == s->current->real) {
		*out = &s->current->parent;
		return 0;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		rs->free(rs);
		git_error_set_oom();
		return -1;
	}
	if (s->whole && action == GIT_SERVICE_UPLOADPACK_LS) {
		if (!(f->raw = malloc(RAW_SIZE))) {
			free(f);
			rs->free(rs);
			git_error_set_oom();
			return -1;
		}
		f->filtering = 1;
	}
	f->parent.subtransport = sub;
	f->parent.read = net_stream_read;
	f->parent.write = net_stream_write;
	f->parent.free = net_stream_free;
	f->real = rs;
	f->sub = s;
	s->current = f;
	*out = &f->parent;
	return 0;
}

static int net_close(git_smart_subtransport *sub)
{
	struct net_sub *s = (struct net_sub *)sub;
	int rc;

	netwatch_enter();
	rc = s->real->close(s->real);
	netwatch_leave();
	return rc;
}

static void net_free(git_smart_subtransport *sub)
{
	struct net_sub *s = (struct net_sub *)sub;

	if (s->current)
		s->current->sub = NULL;
	netwatch_enter();
	s->real->free(s->real);
	netwatch_leave();
	free(s);
}

static int sub_new(git_smart_subtransport **out, git_transport *owner, int kind, int whole)
{
	struct net_sub *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		git_error_set_oom();
		return -1;
	}
	if (kind == 'g')
		rc = git_smart_subtransport_git(&s->real, owner, NULL);
	else if (kind == 's')
		rc = git_smart_subtransport_ssh(&s->real, owner, NULL);
	else
		rc = git_smart_subtransport_http(&s->real, owner, NULL);
	if (rc < 0) {
		free(s);
		return rc;
	}
	s->parent.action = net_action;
	s->parent.close = net_close;
	s->parent.free = net_free;
	s->whole = whole;
	*out = &s->parent;
	return 0;
}

int net_subtransport(git_smart_subtransport **out, git_transport *owner, int kind)
{
	return sub_new(out, owner, kind, 0);
}

/* def.param carries the kind, and 256 for a whole-pack fetch. */
static int sub_cb(git_smart_subtransport **out, git_transport *owner, void *param)
{
	int p = (int)(size_t)param;

	return sub_new(out, owner, p & 255, p >> 8);
}

static int transport_for(git_transport **out, git_remote *owner, int whole)
{
	git_smart_subtransport_definition def;
	const char *url = git_remote_url(owner);
	int kind = url ? push_url_kind(url) : 0;

	if (!kind)
		return git_transport_new(out, owner, url);
	def.callback = sub_cb;
	def.rpc = kind == 'h';
	def.param = (void *)(size_t)(kind | (whole ? 256 : 0));
	return git_transport_smart(out, owner, &def);
}

int fetch_transport(git_transport **out, git_remote *owner, void *param)
{
	(void)param;
	return transport_for(out, owner, 1);
}

int net_transport(git_transport **out, git_remote *owner, void *param)
{
	(void)param;
	return transport_for(out, owner, 0);
}
