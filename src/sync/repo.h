/*
 * repo.h: the bare git repository of a workspace, and the only module that
 * includes git2.h.  It knows files, trees, commits, refs and remotes; it
 * knows nothing of cases or SQLite.
 *
 * Commits are built from blobs with tree builders on top of a parent's
 * tree: only the folders on the path of a new file are rewritten, so the
 * cost of a commit grows with the number of new files, not with the size of
 * the archive.  Object ids travel as 40-character lower-case hex strings.
 *
 * Every function that can fail returns 0 or a negative HW_* code (or
 * REPO_ENONFASTFORWARD) and writes the detail, including libgit2's own
 * message when there is one, into err (which may be NULL).
 */
#ifndef HW_REPO_H
#define HW_REPO_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "util.h"

#define REPO_OID_HEX 40

/*
 * A push whose remote ref has moved on (someone else pushed first): fetch,
 * redo the work on the new tip and push again.  Kept apart from
 * HW_EREJECTED, which is a server that refuses.
 */
enum { REPO_ENONFASTFORWARD = -20 };

typedef struct hw_repo hw_repo;

/*
 * Limits on what is read from a repository, enforced before reading (see
 * docs/sync.md).  Our own layout needs a depth of 7 and paths of about 120
 * bytes; files are events and submissions of a few kilobytes.
 */
#define REPO_MAX_DEPTH 32                        /* folders in a path */
#define REPO_MAX_PATH 1024                       /* bytes of a path */
#define REPO_MAX_FILE_SIZE (16u * 1024 * 1024)   /* bytes of one file */
#define REPO_MAX_WALK 100000                     /* commits of one branch walk */

/*
 * Open the bare repository at path; with create, make it (and its parent
 * folders) first when missing, bare, with HEAD on "main".  The first call
 * also initialises libgit2 and turns on fsync of the git folder.  On success
 * *out is a new handle (free with repo_free).  A NULL path opens the
 * repository a git hook runs in, as git's environment describes it
 * (objects a push brings are still in quarantine there).
 */
int repo_open(hw_repo **out, const char *path, int create, hw_error *err);

/*
 * Whether libgit2 fsyncs what it writes, for the whole process.  On by
 * default (set by the first repo_open); only data generators and
 * benchmarks that build throw-away archives turn it off.
 */
void repo_set_fsync(int on);

/*
 * How libgit2 maps pack files, for the whole process: windows of window
 * bytes, at most mapped bytes at once, least recently used unmapped first;
 * 0 for the program's own (REPO_PACK_WINDOW, REPO_PACK_MAPPED, set by the
 * first repo_open).  Windows already mapped stay as they are until they
 * are unmapped.
 */
#define REPO_PACK_WINDOW (4u << 20)
#define REPO_PACK_MAPPED (32u << 20)
/* Packs libgit2 keeps open at most (fewer under a low limit on open files). */
#define REPO_PACKS_OPEN 128

/*
 * For a long read of the archive (an import), on: libgit2 keeps 1 MiB of
 * objects (counted as stored, about 8 MiB parsed) instead of 4 MiB, and
 * maps half of REPO_PACK_MAPPED; off: back to those.  For the whole process.
 */
void repo_read_lean(int on);
void repo_pack_windows(size_t window, size_t mapped);

/* Close the repository; NULL is fine. */
void repo_free(hw_repo *r);

/* The folder of the repository (borrowed). */
const char *repo_path(const hw_repo *r);

/* The commit a ref points to, into out; HW_ENOTFOUND when the ref does not exist. */
int repo_ref_get(char out[REPO_OID_HEX + 1], hw_repo *r, const char *refname, hw_error *err);

/* Point refname at commit (created or moved, unconditionally). */
int repo_ref_set(hw_repo *r, const char *refname, const char *commit, hw_error *err);

/*
 * Call cb(refname, commit, payload) for every ref whose full name matches
 * the glob ("refs/remotes/central/devices/ *" without the space), in name
 * order.  A non-zero return from cb stops the walk and is returned.
 */
int repo_ref_each(hw_repo *r, const char *glob,
		  int (*cb)(const char *refname, const char *commit, void *payload),
		  void *payload, hw_error *err);

/* The tree of a commit, into out. */
int repo_commit_tree(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, hw_error *err);

/*
 * The blob at path in the tree of commit, into out; HW_ENOTFOUND when
 * there is no file there.
 */
/*
 * When commit was made (its committer time, UTC, as hw_time_iso writes it)
 * and its author's name (caller frees; "" when none).
 */
int repo_commit_meta(hw_repo *r, const char *commit, char when[HW_TIME_LEN + 1], char **author,
		     hw_error *err);

int repo_file_get(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, const char *path,
		  hw_error *err);

/*
 * Call cb(path, blob, payload) for every plain file two levels under folder
 * in commit's tree (folder/<sub>/<file>: the roster's layout), at most max
 * of them (more is HW_EINVALID).  No such folder is no file.  A non-zero
 * return from cb stops and is returned.
 */
int repo_folder_files(hw_repo *r, const char *commit, const char *folder, size_t max,
		      int (*cb)(const char *path, const char *blob, void *payload), void *payload,
		      hw_error *err);

/*
 * The best common ancestor of two commits, into out; HW_ENOTFOUND when
 * their histories share nothing.
 */
int repo_merge_base(char out[REPO_OID_HEX + 1], hw_repo *r, const char *a, const char *b,
		    hw_error *err);

/* Store data as a blob; its id goes into out. */
int repo_blob_write(char out[REPO_OID_HEX + 1], hw_repo *r, const void *data, size_t len,
		    hw_error *err);

/*
 * Read a blob: *out is a NUL-terminated copy (caller frees), *len its size
 * (may be NULL).  A blob larger than REPO_MAX_FILE_SIZE is HW_EINVALID,
 * found from the object's header before its content is read.
 */
int repo_blob_read(char **out, size_t *len, hw_repo *r, const char *blob, hw_error *err);

/* The size of a blob from its header, without reading its content. */
int repo_blob_size(size_t *out, hw_repo *r, const char *blob, hw_error *err);

/*
 * The blob at path in the tree of commit, into out; HW_ENOTFOUND when
 * there is no plain file there.
 */
int repo_path_blob(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, const char *path,
		   hw_error *err);

/* Kinds of the entries repo_dir_each reports. */
enum { REPO_ENTRY_FILE = 1, REPO_ENTRY_DIR = 2, REPO_ENTRY_OTHER = 3 };

/*
 * Call cb(name, kind, id, payload) for each entry of the folder dir in the
 * tree of commit, in name order (none when the folder is not there).  A
 * folder of more than max entries is HW_EINVALID, found before any is
 * reported.  A non-zero return from cb stops and is returned.
 */
typedef int (*repo_dir_cb)(const char *name, int kind, const char *id, void *payload);
int repo_dir_each(hw_repo *r, const char *commit, const char *dir, size_t max,
		  repo_dir_cb cb, void *payload, hw_error *err);

/*
 * Bulk writing: between repo_bulk_begin and repo_bulk_end, new objects are
 * kept in memory and written as one pack at the end (keep), or dropped (not
 * keep), instead of one fsynced file per object.  repo_tree_add does it by
 * itself from REPO_PACK_FILES files on; a migration wraps a whole rewrite.
 * Nested calls are fine (the outermost writes the pack).  Objects written
 * meanwhile are readable through the handle.
 */
#define REPO_PACK_FILES 64
int repo_bulk_begin(hw_repo *r, hw_error *err);
int repo_bulk_end(hw_repo *r, int keep, hw_error *err);
/*
 * The end of a bulk write whose result is the tree root (hex): of the
 * objects written since repo_bulk_begin, only those root reaches are
 * packed (a merge rewrites the top of the tree once per branch; the
 * versions it replaced are dropped).  Commits written meanwhile are not
 * kept: make them after this.
 */
int repo_bulk_end_tree(hw_repo *r, const char *root, hw_error *err);

/*
 * Roll the small packs of the repository into one, once it has
 * REPO_ROLLUP_PACKS packs or more, and its loose objects with them once
 * there are REPO_ROLLUP_LOOSE: every fetch and every bulk write adds a
 * pack, every small commit loose objects, and nothing else removes either;
 * an object lookup that misses searches the index of every pack.  A pack
 * is kept when it holds at least twice as many objects as all smaller
 * ones together (git's geometric repacking), so the packs left are a
 * short progression; packs of more than REPO_ROLLUP_MAX_PACK objects (a
 * first import's) and packs with a .keep file are never read, and one
 * roll-up reads at most REPO_ROLLUP_MAX_OBJECTS objects (the packbuilder
 * holds them all).  A pack with an object that is missing or larger than
 * REPO_MAX_FILE_SIZE stays as it is, and so does such a loose object (a
 * folder remote is anyone's to write); a repository holding a FIFO or a
 * device where git reads is refused (repo_folder_check) before anything is
 * read.  The new pack is written and synced before the old
 * packs and files are removed, so a crash at any point loses no object.
 * *rolled gets the number of packs removed, *loose that of loose objects.
 * starting (may be NULL) is told how many objects are read, once, when a
 * roll-up begins (most runs have none to do).
 * Not inside a bulk write; r goes on with a fresh libgit2 handle that
 * lists the packs as they are now.
 */
#define REPO_ROLLUP_PACKS 16
#define REPO_ROLLUP_LOOSE 1000
#define REPO_ROLLUP_MAX_PACK 50000
#define REPO_ROLLUP_MAX_OBJECTS 100000
typedef void (*repo_rollup_cb)(size_t objects, void *payload);
int repo_rollup(hw_repo *r, size_t *rolled, size_t *loose, repo_rollup_cb starting,
		void *payload, hw_error *err);

/*
 * Whether the repository in the folder path holds only plain files and
 * folders where git reads (HEAD, config, packed-refs, shallow, refs/ and
 * objects/, links followed), and reads from no other folder
 * (objects/info/alternates, commondir): HW_ECORRUPT naming the first that
 * does not.  A central repository in a folder is anyone's to write, and
 * libgit2 opening a FIFO named like an index or a ref waits for ever.
 * Looks at REPO_FOLDER_CHECK_MAX entries, REPO_MAX_DEPTH folders deep, at
 * most; what lies beyond is not looked at.
 */
#define REPO_FOLDER_CHECK_MAX 100000
int repo_folder_check(const char *path, hw_error *err);

/*
 * Remove the temporary packs libgit2's indexer left in the repository at
 * path (objects/pack/pack_git2_*, up to a pack's size each: a fetch, push
 * or roll-up cut by kill -9 or a pulled USB stick) that nothing has
 * written to for age seconds (0: all of them, for a repository no other
 * process writes).  In a folder remote another device may be writing one
 * at this very moment: REPO_TEMP_PACK_AGE there (git gc waits two weeks
 * for its own).  Returns how many were removed.
 */
#define REPO_TEMP_PACK_AGE (24 * 60 * 60)
size_t repo_remove_temp_packs(const char *path, time_t age);

/*
 * How many packs and loose objects the repository at path holds (loose
 * objects counted up to REPO_STATS_MAX_LOOSE), for homeward doctor.  A
 * repository not made yet has none.
 */
#define REPO_STATS_MAX_LOOSE 1000000
int repo_stats(const char *path, size_t *packs, size_t *loose, hw_error *err);

/* A file to add: its path in the tree and either its content or an existing blob. */
typedef struct repo_file {
	const char *path;    /* "cases/ab/<case id>/events/<event id>.json", no leading '/' */
	const void *data;    /* content (ignored when blob is set) */
	size_t len;          /* bytes of data */
	const char *blob;    /* id of a blob already in the repository, or NULL */
} repo_file;

/*
 * Add files to the tree base (NULL: the empty tree) and write the new tree's
 * id into out.  Only the subtrees on the paths of the files are rebuilt;
 * everything else is reused as it is.  A file already there with the same
 * content is fine (nothing changes: out equals base); a path that exists
 * with other content, or where a folder/file is expected, is HW_ECONFLICT
 * naming the path: nothing is ever overwritten.  A malformed path is
 * HW_EINVALID.
 */
int repo_tree_add(char out[REPO_OID_HEX + 1], hw_repo *r, const char *base,
		  const repo_file *files, size_t nfiles, hw_error *err);

/*
 * Sign the bytes of a commit (len bytes at data): *out is a new one-line
 * text (caller frees) that goes into the commit's REPO_SIGNATURE_FIELD
 * header.  0 or a negative HW_* code.
 */
typedef int (*repo_sign_cb)(char **out, const char *data, size_t len, void *payload);

/* The commit header that carries a Homeward signature. */
#define REPO_SIGNATURE_FIELD "homeward-sig"

/* Who and why, for a commit. */
typedef struct repo_commit_opts {
	const char *author_name;     /* NULL: "homeward" */
	const char *author_email;    /* NULL: "homeward@localhost" */
	const char *message;         /* NULL: "Add events" */
	const char *const *parents;  /* extra parents after the first (merge commits) */
	size_t nparents;
	repo_sign_cb sign;           /* NULL: the commit is not signed */
	void *sign_payload;
} repo_commit_opts;

#define REPO_COMMIT_OPTS_INIT { NULL, NULL, NULL, NULL, 0, NULL, NULL }

/*
 * The signature of a commit (the text its REPO_SIGNATURE_FIELD header
 * holds) and the bytes it signs (the commit without that header): both
 * new (caller frees).  HW_ENOTFOUND when the commit is not signed.
 */
int repo_commit_signature(char **sig, char **data, size_t *len, hw_repo *r, const char *commit,
			  hw_error *err);

/*
 * A commit's first parent into out ("" for a root commit), its number of
 * parents into *nparents (may be NULL) and its committer time into *when
 * (may be NULL).
 */
int repo_commit_parent(char out[REPO_OID_HEX + 1], unsigned *nparents, long long *when,
		       hw_repo *r, const char *commit, hw_error *err);

/*
 * Write a commit of tree with parent first (NULL for a root commit) and the
 * extra parents of opts (may be NULL), into out; with refname, point that
 * ref at it.
 */
int repo_commit_create(char out[REPO_OID_HEX + 1], hw_repo *r, const char *refname,
		       const char *tree, const char *parent,
		       const repo_commit_opts *opts, hw_error *err);

/*
 * Add files on top of the commit parent (NULL: none) and commit them, then
 * point refname (may be NULL) at the new commit.  When every file is
 * already there, no commit is made: *created is 0 and out is parent (""
 * when parent is NULL).  Conflicts as for repo_tree_add.
 */
int repo_commit_files(char out[REPO_OID_HEX + 1], int *created, hw_repo *r,
		      const char *refname, const char *parent,
		      const repo_file *files, size_t nfiles,
		      const repo_commit_opts *opts, hw_error *err);

/* What happened to a file between two trees. */
enum {
	REPO_ADDED = 1,
	REPO_MODIFIED = 2,   /* other content, or a file became a folder or back */
	REPO_DELETED = 3,
	REPO_BAD_ENTRY = 4,  /* a gitlink, link or odd mode, or a path beyond the limits */
};

/*
 * Compare the trees of two commits (from NULL: the empty tree) and call
 * cb(kind, path, blob, payload) for each file that differs, blob being the
 * new content's id (the old one for REPO_DELETED).  Folders that are the
 * same object on both sides are skipped without being read, so the cost
 * follows what changed.  The walk is iterative: a folder deeper than
 * REPO_MAX_DEPTH or a path longer than REPO_MAX_PATH is not read but
 * reported as REPO_BAD_ENTRY, as are entries that are no plain file
 * (gitlinks, links); for REPO_BAD_ENTRY, path may be cut short and blob is
 * an English reason instead of an id.  A non-zero return from cb stops and
 * is returned.
 */
typedef int (*repo_diff_cb)(int kind, const char *path, const char *blob, void *payload);
int repo_diff(hw_repo *r, const char *from, const char *to, repo_diff_cb cb, void *payload,
	      hw_error *err);

/*
 * repo_diff of the folder dir ("team") of both commits alone, paths given
 * from the root as repo_diff gives them; a side where dir is missing, or is
 * no folder, counts as empty.
 */
int repo_diff_dir(hw_repo *r, const char *from, const char *to, const char *dir,
		  repo_diff_cb cb, void *payload, hw_error *err);

/*
 * Call cb(commit, first parent or NULL, number of parents, payload) for
 * every commit reachable from tip and not from hide (NULL: none), oldest
 * first (parents before children).  More than max commits is HW_EINVALID,
 * found before any is reported.  A non-zero return from cb stops and is
 * returned.
 */
typedef int (*repo_walk_cb)(const char *commit, const char *parent, unsigned nparents,
			    void *payload);
int repo_walk(hw_repo *r, const char *tip, const char *hide, size_t max, repo_walk_cb cb,
	      void *payload, hw_error *err);

/* Progress of a transfer, for the progress callback. */
enum {
	REPO_PROGRESS_FETCH = 1,     /* objects received / indexed */
	REPO_PROGRESS_PUSH = 2,      /* objects sent */
	REPO_PROGRESS_MESSAGE = 3,   /* one whole line from the server, without its end */
};

typedef struct repo_progress {
	int stage;              /* REPO_PROGRESS_* */
	size_t current, total;  /* objects */
	size_t bytes;           /* bytes transferred so far */
	const char *message;    /* REPO_PROGRESS_MESSAGE: text, not NUL-terminated */
	size_t message_len;
} repo_progress;

/* Called during transfers; a non-zero return cancels (HW_ERROR, "cancelled"). */
typedef int (*repo_progress_cb)(const repo_progress *p, void *payload);

/* Kinds of credentials a remote may ask for (bit flags in "allowed"). */
enum {
	REPO_CRED_USERPASS = 1 << 0,   /* https: user name and password or token */
	REPO_CRED_SSH_KEY = 1 << 1,    /* ssh: key files and passphrase */
	REPO_CRED_SSH_AGENT = 1 << 2,  /* ssh: ask the running ssh-agent */
};

/* Credentials given by the front end; the strings are copied before use. */
typedef struct repo_cred {
	int kind;                  /* one REPO_CRED_* */
	char username[256];
	char secret[1024];         /* password, token or key passphrase ("" for none) */
	char public_key[4096];     /* path of the public key file ("" to derive) */
	char private_key[4096];    /* path of the private key file */
} repo_cred;

/*
 * Asked for credentials: fill *out for url (username_from_url may be NULL)
 * using one of the allowed kinds and return 0, or return non-zero to give
 * up.  attempt counts from 1; the call is repeated after each refusal.
 */
typedef int (*repo_cred_cb)(repo_cred *out, const char *url, const char *username_from_url,
			    unsigned allowed, int attempt, void *payload);

/*
 * Why the central repository's credentials failed (HW_EAUTH), as facts for
 * a front end to word in the person's language; the English detail of the
 * error says the same.
 */
enum {
	REPO_AUTH_NONE = 0,          /* nothing to tell (no failure of credentials) */
	REPO_AUTH_REFUSED,           /* the server did not accept what was offered (kind, user, key) */
	REPO_AUTH_NOTHING_GIVEN,     /* the server asks for credentials and none were given */
	REPO_AUTH_KEY_UNREADABLE,    /* the ssh key file offered cannot be read (key, errnum) */
};

typedef struct repo_auth_note {
	int what;                    /* REPO_AUTH_* */
	int pushing;                 /* 1: while pushing to url; 0: while fetching from it */
	int kind;                    /* REPO_AUTH_REFUSED: the REPO_CRED_* offered last */
	int errnum;                  /* REPO_AUTH_KEY_UNREADABLE: the errno of reading it */
	char url[1024];              /* the remote, without its user name and token */
	char user[256];              /* the user name offered */
	char key[1024];              /* the ssh key file offered */
	char detail[512];            /* the git library's own words when refused at once, else "" */
} repo_auth_note;

/*
 * A local ref a fetch deleted because the server no longer has its source
 * (repo_remote_opts.prune), with the commit it held; non-zero stops the
 * pruning and the fetch (a negative HW_* code with err set is returned as
 * it is).
 */
typedef int (*repo_pruned_cb)(const char *refname, const char *commit, void *payload);

/* Options for talking to a remote. */
typedef struct repo_remote_opts {
	repo_progress_cb progress;  /* may be NULL */
	repo_cred_cb credentials;   /* may be NULL: the ssh agent is tried once */
	void *payload;              /* passed to every callback here */
	int max_auth_tries;         /* credentials asked at most this often (0: 3) */
	const char *ca_file;        /* https: a PEM file of the authorities to trust instead
				       of the system's (NULL: the system's); for the process */
	repo_auth_note *auth;       /* out, may be NULL: filled when credentials fail (HW_EAUTH),
				       cleared otherwise */
	int whole_pack;             /* fetch from a server: ask for a pack complete in itself,
				       not a thin one (src/sync/fetch.c: fewer bytes are not
				       worth the indexer's cost for a large fetch) */
	unsigned timeout;           /* seconds one wait on a server (a connect, a read, a
				       write) may last before the connection is closed and
				       the operation fails, naming it (src/sync/netwatch.c);
				       0: NETWATCH_DEFAULT_SECONDS */
	int prune;                  /* fetch: delete the local refs a glob refspec maps to
				       whose source the server no longer lists (the ref of a
				       named refspec, such as main, is never deleted) */
	repo_pruned_cb pruned;      /* fetch with prune: told each ref deleted; may be NULL */
} repo_remote_opts;

#define REPO_REMOTE_OPTS_INIT { NULL, NULL, NULL, 3, NULL, NULL, 0, 0, 0, NULL }

/*
 * Push refspecs ("refs/heads/x:refs/heads/x", fully qualified; a leading
 * '+' replaces the remote ref even when it is not an ancestor) to
 * url: a folder holding a bare repository, git://, ssh:// or https://.
 * Returns REPO_ENONFASTFORWARD when the remote ref moved on, HW_EREJECTED
 * with the server's words when the server refused a ref (a hook, a
 * protected branch), HW_EAUTH when credentials were refused or given up on
 * (naming what was offered), HW_EUNTRUSTED when the server's ssh host key is
 * not in $HOME/.ssh/known_hosts or its TLS certificate does not check out
 * (with the fingerprint and how to accept it), HW_ELOCKED when a folder
 * remote holds a lock file (named, with its age), HW_ENETWORK when the
 * remote cannot be reached.  The server's words reach opts->progress as
 * whole lines (REPO_PROGRESS_MESSAGE), each once.  opts may be NULL.
 */
int repo_push(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
	      const repo_remote_opts *opts, hw_error *err);

/*
 * repo_push, telling also what the server's ref peek_ref was when the push
 * began (from the list of refs a server sends first): *peeked is 1 with
 * its id in peek_oid, 0 when the server has no such ref, -1 when that is
 * not known (a folder remote, libgit2's push, a failed push).  A sync uses
 * it to skip a fetch of main that would bring nothing.
 */
int repo_push_peek(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
		   const repo_remote_opts *opts, const char *peek_ref, char peek_oid[REPO_OID_HEX + 1],
		   int *peeked, hw_error *err);

/*
 * For benchmarks that compare: push with libgit2's own push to every remote
 * (on), instead of the push that sends only what is new to servers (off,
 * the default; src/sync/push.c).  For the whole process.
 */
void repo_set_libgit2_push(int on);

/*
 * Fetch refspecs ("+refs/heads/main:refs/remotes/central/main", globs
 * allowed) from url into the given local refs.  A non-glob source the
 * remote does not have is no error: its local ref stays as it was.  With
 * opts->prune, the local refs of a glob refspec whose source the remote
 * no longer lists are deleted, each told to opts->pruned: first, from the
 * refs the remote lists as the connection opens, so that new refs under a
 * removed one's name (devices/x/y after devices/x) can be written.
 * Errors as for repo_push.
 */
int repo_fetch(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
	       const repo_remote_opts *opts, hw_error *err);

#endif
