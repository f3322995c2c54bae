/*
 * push.h: the push to a server (git://, ssh, https), inside the repository
 * module.  Included by repo.c, push.c and the fuzz target only: it speaks
 * libgit2's types.
 *
 * libgit2's own push hides every ref the server advertises and reads every
 * tree of the archive to find what the server lacks.  This push packs only
 * the new commits and, for each, the trees and files that differ from the
 * same path in its parents, and speaks receive-pack itself over libgit2's
 * transports (docs/sync.md, "The push").
 */
#ifndef HW_PUSH_H
#define HW_PUSH_H

#include <stddef.h>

#include <git2.h>
#include <git2/sys/transport.h>

/* push_smart: this remote or these refspecs are for git_remote_push. */
#define PUSH_FALLBACK 1

/*
 * Push refspecs ("[+]refs/heads/x:refs/heads/x") to url with the callbacks
 * of cbs (credentials, certificate check, server messages, progress, and
 * the verdict on each ref through push_update_reference, as
 * git_remote_push calls them).  0 when the server answered for every ref,
 * PUSH_FALLBACK when the remote is a folder or the push is one this code
 * leaves to git_remote_push, or a negative libgit2 code with libgit2's
 * error set (GIT_ENONFASTFORWARD when the remote ref is not an ancestor).
 * peek (may be NULL) asks for one more ref of the advertisement: once the
 * server's list of refs has been read, peek->known is 1, and peek->seen is
 * 1 with peek->oid set when the server has peek->ref.
 */
struct push_peek {
	const char *ref;
	git_oid oid;
	int known, seen;
};

int push_smart(git_repository *repo, git_remote *remote, const char *url,
	       const char *const *refspecs, size_t n, const git_remote_callbacks *cbs,
	       struct push_peek *peek);

/* 'g' (git://), 's' (ssh://) or 'h' (http(s)://) for a server's URL, 0 for the others (folders). */
int push_url_kind(const char *url);

/*
 * A git_transport_cb for git_remote_fetch (src/sync/fetch.c): libgit2's
 * smart transport to a server, with the server's `thin-pack` capability
 * hidden so that what arrives is a pack complete in itself; libgit2's
 * own transport for folders.  param is unused.  Its waits on the server are
 * watched (net_subtransport).
 */
int fetch_transport(git_transport **out, git_remote *owner, void *param);

/*
 * The same without hiding anything: libgit2's smart transport over watched
 * subtransports, for every other fetch and push of libgit2's to a server;
 * libgit2's own transport for folders.  param is unused.
 */
int net_transport(git_transport **out, git_remote *owner, void *param);

/*
 * libgit2's subtransport of a kind ('g', 's', 'h': push_url_kind) with every
 * connect, read and write of its streams watched by netwatch.c: a wait
 * longer than the armed limit is cut and fails, naming the limit.  The
 * same underlying stream is handed out as the same wrapper (git:// and ssh
 * go on on one connection).
 */
int net_subtransport(git_smart_subtransport **out, git_transport *owner, int kind);

/*
 * A pkt-line of references (len bytes, its four length digits included)
 * with the word "thin-pack" taken out of the capabilities after its NUL,
 * in place, its length digits rewritten: the new length.  A line without
 * a NUL is left as it is.
 */
size_t fetch_drop_thin_pack(char *line, size_t len);

/* Limits on what a server may send (checked before it is kept). */
#define PUSH_MAX_PKT 65520             /* bytes of one pkt-line, its length included */
#define PUSH_MAX_REFS 20000            /* refs in an advertisement */
#define PUSH_MAX_ADVERT (8u << 20)     /* bytes of an advertisement */
#define PUSH_MAX_REPORT_LINES 1000     /* lines of a report */
#define PUSH_MAX_REPORT (1u << 20)     /* bytes of a report, side-band included */

/* What a server advertised: its refs, and what it can do. */
typedef struct push_ref {
	git_oid oid;
	char *name;          /* NULL for a ".have" line: an object it has, under no name */
} push_ref;

typedef struct push_advert {
	push_ref *refs;
	size_t nrefs;
	int report_status, side_band_64k, side_band, quiet, ofs_delta;
} push_advert;

void push_advert_free(push_advert *a);

/* The server's verdict on one ref. */
typedef struct push_status {
	char *ref;
	char *why;           /* NULL: accepted; else the server's reason */
} push_status;

typedef struct push_report {
	char *unpack;        /* NULL: "unpack ok"; else the server's words */
	push_status *refs;
	size_t nrefs;
} push_report;

void push_report_free(push_report *r);

/* Where server messages go (side-band 2), a chunk at a time; non-zero stops. */
typedef int (*push_message_cb)(const char *text, size_t len, void *payload);

/*
 * The parsers, on bytes already received (for the fuzz target): an
 * advertisement (rpc: with http's "# service" header), and a report
 * (sideband: demultiplexed).  0, or -1 with libgit2's error set.
 */
int push_parse_advert(const char *data, size_t len, int rpc, push_advert *out);
int push_parse_report(const char *data, size_t len, int sideband, push_message_cb msg,
		      void *payload, push_report *out);

#endif
