/*
 * repo.c: the bare repository, built on libgit2.
 *
 * With push.c (the push to servers), the only file that includes git2.h.  Trees are written with tree builders
 * starting from the parent's trees, and compared by walking both trees
 * together and skipping any folder whose id is the same on both sides; both
 * stay proportional to what changes, whatever the size of the archive.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

#include "sync/netwatch.h"
#include "sync/push.h"
#include "sync/repo.h"
#include "util.h"

struct hw_repo {
	git_repository *git;        /* the repository, or during a bulk write its bulk handle */
	git_repository *disk;       /* during a bulk write: the repository itself, else NULL */
	git_odb_backend *mempack;   /* during a bulk write: where new objects go */
	int bulk_depth;             /* nested repo_bulk_begin calls */
	git_oid *bulk_oids;         /* during a bulk write: the objects written, for the pack */
	size_t nbulk, capbulk;
	int bulk_oom;               /* a note could not be kept: the pack would miss it */
	char *path;
};

/* During a bulk write, remember an object written, to pack it at the end. */
static void bulk_note(hw_repo *r, const git_oid *oid)
{
	if (!r->disk)
		return;
	if (r->nbulk == r->capbulk) {
		size_t cap = r->capbulk ? r->capbulk * 2 : 1024;
		git_oid *grown = realloc(r->bulk_oids, cap * sizeof(*grown));

		if (!grown) {
			r->bulk_oom = 1;
			return;
		}
		r->bulk_oids = grown;
		r->capbulk = cap;
	}
	git_oid_cpy(&r->bulk_oids[r->nbulk++], oid);
}

/* libgit2's object cache and pack mappings, for ordinary work or a long read (on). */
static void set_read_lean(int on)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE,
			 on ? (ssize_t)1024 * 1024 : (ssize_t)4 * 1024 * 1024);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT,
			 (size_t)(on ? REPO_PACK_MAPPED / 2 : REPO_PACK_MAPPED));
}

/*
 * libgit2 keeps a descriptor open for every pack it has read from, and by
 * default never closes one.  A central repository in a folder gathers a
 * pack for each push; past the process's limit on open files (1,024 by
 * default) a fetch from it failed with "object not found".  At most
 * REPO_PACKS_OPEN packs stay open, or a quarter of that limit when it is
 * lower, the least recently used closed first.
 */
static void repo_pack_files_limit(void)
{
	struct rlimit rl;
	size_t most = REPO_PACKS_OPEN;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < most)
		most = rl.rlim_cur / 4 > 4 ? (size_t)(rl.rlim_cur / 4) : 4;
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, most);
}

static pthread_once_t repo_once = PTHREAD_ONCE_INIT;
static int repo_init_status;

/* Initialise libgit2 once per process and make it fsync what it writes. */
static void repo_global_init(void)
{
	if (git_libgit2_init() < 0) {
		repo_init_status = -1;
		return;
	}
	/*
	 * libgit2 does not fsync by default: a power cut right after a sync
	 * could leave a ref pointing at objects that never reached the disk.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/*
	 * libgit2 keeps every tree and commit it reads, up to 256 MiB by
	 * default: a merge over a large archive grew by what it read each
	 * round.  The limit counts the objects' stored size, and a parsed
	 * tree takes about eight times that in memory: at 32 MiB an import
	 * of 100,000 cases kept every one of its 400,000 trees, 270 MB.
	 * 4 MiB still holds the folders of the layout a lookup walks through.
	 */
	set_read_lean(0);
	/*
	 * Pack files are read through mappings of up to 1 GiB each, 8 GiB in
	 * all on 64-bit: every page of the archive's pack that an import or a
	 * merge touched stayed in the process's memory (160 MB for an import
	 * of 100,000 cases).  Windows of 4 MiB, at most 32 MiB at once, least
	 * recently used unmapped first.  They are set for the whole process:
	 * a window mapped stays until it is unmapped, so windows made small
	 * only around the reading would leave the large ones a fetch mapped.
	 */
	repo_pack_windows(0, 0);
	repo_pack_files_limit();
	repo_init_status = 0;
}

/* The message of libgit2's last error, or a fallback when there is none. */
static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* Record a failed local libgit2 call in err with our code; returns that code. */
static int repo_fail(hw_error *err, int gitcode, const char *what)
{
	int code = HW_ERROR;

	if (gitcode == GIT_ENOTFOUND)
		code = HW_ENOTFOUND;
	else if (gitcode == GIT_EEXISTS)
		code = HW_EEXISTS;
	else if (gitcode == GIT_EINVALIDSPEC || gitcode == GIT_EINVALID)
		code = HW_EINVALID;
	return hw_error_set(err, code, "%s: %s", what, git_msg());
}

/* Parse a hex object id; HW_EINVALID when it is not one. */
static int oid_parse(git_oid *out, const char *hex, hw_error *err)
{
	if (!hex || strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(out, hex) < 0)
		return hw_error_set(err, HW_EINVALID, "not an object id: %s", hex ? hex : "(null)");
	return 0;
}

/* Format an oid as NUL-terminated hex. */
static void oid_hex(char out[REPO_OID_HEX + 1], const git_oid *oid)
{
	git_oid_tostr(out, REPO_OID_HEX + 1, oid);
}

int repo_open(hw_repo **out, const char *path, int create, hw_error *err)
{
	hw_repo *r = NULL;
	git_repository *git = NULL;
	int rc;

	*out = NULL;
	pthread_once(&repo_once, repo_global_init);
	if (repo_init_status < 0)
		return hw_error_set(err, HW_ERROR, "initialising libgit2: %s", git_msg());

	if (!path) {
		/*
		 * The repository git runs a hook in, as git describes it to the
		 * hook (GIT_DIR, and the quarantine of objects being received).
		 */
		rc = git_repository_open_ext(&git, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
		if (rc < 0)
			return hw_error_set(err, HW_ENOTFOUND, "opening the repository of this hook: %s",
					    git_msg());
		path = git_repository_path(git);
	} else {
		rc = git_repository_open_bare(&git, path);
	}
	if (rc == GIT_ENOTFOUND && create) {
		git_repository_init_options o;

		git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH |
			  GIT_REPOSITORY_INIT_MKDIR;
		o.initial_head = "main";
		rc = git_repository_init_ext(&git, path, &o);
		if (rc < 0)
			return repo_fail(err, rc, "creating the repository");
		/* Only this user reaches what is inside, whatever the umask. */
		if (chmod(path, 0700) < 0) {
			git_repository_free(git);
			return hw_error_set(err, HW_ERROR, "protecting %s: %s", path, strerror(errno));
		}
	} else if (rc < 0) {
		return hw_error_set(err, rc == GIT_ENOTFOUND ? HW_ENOTFOUND : HW_ECORRUPT,
				    "opening the repository %s: %s", path, git_msg());
	}

	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = hw_strdup(path))) {
		free(r);
		git_repository_free(git);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	r->git = git;
	*out = r;
	return 0;
}

void repo_set_fsync(int on)
{
	pthread_once(&repo_once, repo_global_init);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, on ? 1 : 0);
}

void repo_read_lean(int on)
{
	pthread_once(&repo_once, repo_global_init);
	set_read_lean(on);
}

void repo_pack_windows(size_t window, size_t mapped)
{
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window ? window : REPO_PACK_WINDOW);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped ? mapped : REPO_PACK_MAPPED);
}

void repo_free(hw_repo *r)
{
	if (!r)
		return;
	if (r->disk) {
		r->bulk_depth = 1;
		repo_bulk_end(r, 0, NULL);
	}
	git_repository_free(r->git);
	free(r->path);
	free(r);
}

const char *repo_path(const hw_repo *r)
{
	return r->path;
}

int repo_ref_get(char out[REPO_OID_HEX + 1], hw_repo *r, const char *refname, hw_error *err)
{
	git_oid oid;
	int rc;

	out[0] = '\0';
	rc = git_reference_name_to_id(&oid, r->git, refname);
	if (rc == GIT_ENOTFOUND)
		return hw_error_set(err, HW_ENOTFOUND, "no ref %s", refname);
	if (rc < 0)
		return repo_fail(err, rc, "reading a ref");
	oid_hex(out, &oid);
	return 0;
}

int repo_ref_set(hw_repo *r, const char *refname, const char *commit, hw_error *err)
{
	git_reference *ref = NULL;
	git_oid oid;
	int rc;

	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	rc = git_reference_create(&ref, r->git, refname, &oid, 1, "homeward: update");
	git_reference_free(ref);
	if (rc < 0)
		return repo_fail(err, rc, "updating a ref");
	return 0;
}

/* qsort comparator for an array of C strings. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int repo_ref_each(hw_repo *r, const char *glob,
		  int (*cb)(const char *refname, const char *commit, void *payload),
		  void *payload, hw_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	/* Collect and sort the names first so callers see a stable order. */
	rc = git_reference_iterator_glob_new(&it, r->git, glob);
	if (rc < 0) {
		rc = repo_fail(err, rc, "listing refs");
		goto cleanup;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		char **grown = realloc(names, (n + 1) * sizeof(*names));

		if (grown)
			names = grown;
		if (!grown || !(names[n] = hw_strdup(git_reference_name(ref)))) {
			git_reference_free(ref);
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		n++;
		git_reference_free(ref);
	}
	if (rc != GIT_ITEROVER) {
		rc = repo_fail(err, rc, "listing refs");
		goto cleanup;
	}
	rc = 0;
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char hex[REPO_OID_HEX + 1];

		if ((rc = repo_ref_get(hex, r, names[i], err)) < 0)
			goto cleanup;
		if ((rc = cb(names[i], hex, payload)) != 0)
			goto cleanup;
	}

cleanup:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	git_reference_iterator_free(it);
	return rc;
}

int repo_commit_tree(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, hw_error *err)
{
	git_commit *c = NULL;
	git_oid oid;
	int rc;

	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	out[0] = '\0';
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_fail(err, rc, "reading a commit");
	oid_hex(out, git_commit_tree_id(c));
	git_commit_free(c);
	return 0;
}

int repo_commit_meta(hw_repo *r, const char *commit, char when[HW_TIME_LEN + 1], char **author,
		     hw_error *err)
{
	git_commit *c = NULL;
	const git_signature *sig;
	git_oid oid;
	int rc;

	when[0] = '\0';
	*author = NULL;
	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_fail(err, rc, "reading a commit");
	hw_time_iso((time_t)git_commit_time(c), when);
	sig = git_commit_author(c);
	*author = hw_strdup(sig && sig->name ? sig->name : "");
	git_commit_free(c);
	if (!*author)
		return hw_error_set(err, HW_ERROR, "out of memory");
	return 0;
}

int repo_file_get(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, const char *path,
		  hw_error *err)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	git_oid oid;
	int rc;

	out[0] = '\0';
	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0 ||
	    (rc = git_commit_tree(&t, c)) < 0) {
		rc = repo_fail(err, rc, "reading a commit");
		goto cleanup;
	}
	rc = git_tree_entry_bypath(&e, t, path);
	if (rc == GIT_ENOTFOUND) {
		rc = hw_error_set(err, HW_ENOTFOUND, "%s: not in the tree", path);
		goto cleanup;
	}
	if (rc < 0) {
		rc = repo_fail(err, rc, path);
		goto cleanup;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		rc = hw_error_set(err, HW_ENOTFOUND, "%s: not a file", path);
		goto cleanup;
	}
	oid_hex(out, git_tree_entry_id(e));
cleanup:
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int repo_folder_files(hw_repo *r, const char *commit, const char *folder, size_t max,
		      int (*cb)(const char *path, const char *blob, void *payload), void *payload,
		      hw_error *err)
{
	git_commit *c = NULL;
	git_tree *t = NULL, *top = NULL;
	git_tree_entry *e = NULL;
	size_t seen = 0, i, j;
	git_oid oid;
	int rc;

	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0 ||
	    (rc = git_commit_tree(&t, c)) < 0) {
		rc = repo_fail(err, rc, "reading a commit");
		goto cleanup;
	}
	rc = git_tree_entry_bypath(&e, t, folder);
	if (rc == GIT_ENOTFOUND || (rc == 0 && git_tree_entry_type(e) != GIT_OBJECT_TREE)) {
		git_error_clear();
		rc = 0;   /* no such folder: no files */
		goto cleanup;
	}
	if (rc < 0 || (rc = git_tree_lookup(&top, r->git, git_tree_entry_id(e))) < 0) {
		rc = repo_fail(err, rc, folder);
		goto cleanup;
	}
	/* Two levels: folder/<sub>/<file>; anything else is not looked at. */
	for (i = 0; i < git_tree_entrycount(top) && rc == 0; i++) {
		const git_tree_entry *se = git_tree_entry_byindex(top, i);
		git_tree *sub = NULL;

		if (git_tree_entry_type(se) != GIT_OBJECT_TREE)
			continue;
		if ((rc = git_tree_lookup(&sub, r->git, git_tree_entry_id(se))) < 0) {
			rc = repo_fail(err, rc, folder);
			break;
		}
		for (j = 0; j < git_tree_entrycount(sub) && rc == 0; j++) {
			const git_tree_entry *fe = git_tree_entry_byindex(sub, j);
			char path[REPO_MAX_PATH + 1], blob[REPO_OID_HEX + 1];

			if (git_tree_entry_type(fe) != GIT_OBJECT_BLOB ||
			    git_tree_entry_filemode(fe) != GIT_FILEMODE_BLOB)
				continue;
			if (++seen > max) {
				rc = hw_error_set(err, HW_EINVALID, "%s holds more than %zu files", folder, max);
				break;
			}
			if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", folder, git_tree_entry_name(se),
					     git_tree_entry_name(fe)) >= sizeof(path))
				continue;
			oid_hex(blob, git_tree_entry_id(fe));
			rc = cb(path, blob, payload);
		}
		git_tree_free(sub);
	}
cleanup:
	git_tree_entry_free(e);
	git_tree_free(top);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int repo_merge_base(char out[REPO_OID_HEX + 1], hw_repo *r, const char *a, const char *b,
		    hw_error *err)
{
	git_oid oa, ob, base;
	int rc;

	if ((rc = oid_parse(&oa, a, err)) < 0 || (rc = oid_parse(&ob, b, err)) < 0)
		return rc;
	out[0] = '\0';
	rc = git_merge_base(&base, r->git, &oa, &ob);
	if (rc == GIT_ENOTFOUND)
		return hw_error_set(err, HW_ENOTFOUND, "no common history");
	if (rc < 0)
		return repo_fail(err, rc, "finding the merge base");
	oid_hex(out, &base);
	return 0;
}

int repo_blob_write(char out[REPO_OID_HEX + 1], hw_repo *r, const void *data, size_t len,
		    hw_error *err)
{
	git_oid oid;
	int rc;

	out[0] = '\0';
	rc = git_blob_create_from_buffer(&oid, r->git, data ? data : "", len);
	if (rc < 0)
		return repo_fail(err, rc, "writing a blob");
	bulk_note(r, &oid);
	oid_hex(out, &oid);
	return 0;
}

int repo_blob_read(char **out, size_t *len, hw_repo *r, const char *blob, hw_error *err)
{
	git_blob *b = NULL;
	git_oid oid;
	size_t size;
	char *copy;
	int rc;

	*out = NULL;
	if (len)
		*len = 0;
	if ((rc = oid_parse(&oid, blob, err)) < 0)
		return rc;
	/* The size from the object's header, before a byte of it is inflated. */
	if ((rc = repo_blob_size(&size, r, blob, err)) < 0)
		return rc;
	if (size > REPO_MAX_FILE_SIZE)
		return hw_error_set(err, HW_EINVALID, "the file is larger than %u bytes (%zu)",
				    REPO_MAX_FILE_SIZE, size);
	if ((rc = git_blob_lookup(&b, r->git, &oid)) < 0)
		return repo_fail(err, rc, "reading a blob");
	size = (size_t)git_blob_rawsize(b);
	copy = malloc(size + 1);
	if (!copy) {
		git_blob_free(b);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	memcpy(copy, git_blob_rawcontent(b), size);
	copy[size] = '\0';
	git_blob_free(b);
	*out = copy;
	if (len)
		*len = size;
	return 0;
}

/* The tree entry at path in commit's tree (caller frees), or a code. */
static int entry_at(git_tree_entry **out, hw_repo *r, const char *commit, const char *path,
		    hw_error *err)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_oid oid;
	int rc;

	*out = NULL;
	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	if (strlen(path) > REPO_MAX_PATH)
		return hw_error_set(err, HW_EINVALID, "a path longer than %d bytes", REPO_MAX_PATH);
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_fail(err, rc, "reading a commit");
	if ((rc = git_commit_tree(&t, c)) < 0) {
		rc = repo_fail(err, rc, "reading a commit's tree");
		goto cleanup;
	}
	rc = git_tree_entry_bypath(out, t, path);
	if (rc == GIT_ENOTFOUND)
		rc = hw_error_set(err, HW_ENOTFOUND, "%s is not there", path);
	else if (rc < 0)
		rc = repo_fail(err, rc, "reading a tree");
cleanup:
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int repo_path_blob(char out[REPO_OID_HEX + 1], hw_repo *r, const char *commit, const char *path,
		   hw_error *err)
{
	git_tree_entry *e = NULL;
	int rc;

	out[0] = '\0';
	if ((rc = entry_at(&e, r, commit, path, err)) < 0)
		return rc;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB)
		rc = hw_error_set(err, HW_ENOTFOUND, "%s is not a plain file", path);
	else
		oid_hex(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return rc;
}

/* The folder dir of commit's tree into out; *has 0 when there is no such folder. */
static int dir_tree(git_oid *out, int *has, hw_repo *r, const char *commit, const char *dir,
		    hw_error *err)
{
	git_tree_entry *e = NULL;
	int rc;

	*has = 0;
	rc = entry_at(&e, r, commit, dir, err);
	if (rc == HW_ENOTFOUND) {
		hw_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		git_oid_cpy(out, git_tree_entry_id(e));
		*has = 1;
	}
	git_tree_entry_free(e);
	return 0;
}

int repo_dir_each(hw_repo *r, const char *commit, const char *dir, size_t max,
		  repo_dir_cb cb, void *payload, hw_error *err)
{
	git_tree *t = NULL;
	git_oid tid;
	size_t i, n;
	int rc, has;

	/* No such folder, or a file where a folder is expected: nothing in it. */
	if ((rc = dir_tree(&tid, &has, r, commit, dir, err)) < 0 || !has)
		return rc;
	if ((rc = git_tree_lookup(&t, r->git, &tid)) < 0)
		return repo_fail(err, rc, "reading a tree");
	n = git_tree_entrycount(t);
	if (n > max) {
		rc = hw_error_set(err, HW_EINVALID, "%s holds more than %zu entries", dir, max);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const git_tree_entry *c = git_tree_entry_byindex(t, i);
		char id[REPO_OID_HEX + 1];
		int kind = git_tree_entry_filemode(c) == GIT_FILEMODE_BLOB ? REPO_ENTRY_FILE :
			   git_tree_entry_type(c) == GIT_OBJECT_TREE ? REPO_ENTRY_DIR : REPO_ENTRY_OTHER;

		oid_hex(id, git_tree_entry_id(c));
		if ((rc = cb(git_tree_entry_name(c), kind, id, payload)) != 0)
			goto cleanup;
	}
cleanup:
	git_tree_free(t);
	return rc;
}

/* A file to insert, its blob already written. */
struct tree_ent {
	const char *path;
	git_oid blob;
};

/* qsort comparator: by path, so that files of one folder are contiguous. */
static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct tree_ent *)a)->path, ((const struct tree_ent *)b)->path);
}

/* True if path is relative, within the limits, has no empty, "." or ".." component. */
static int path_ok(const char *path)
{
	const char *p = path, *slash;
	size_t len, depth = 0;

	if (!*path || *path == '/' || strlen(path) > REPO_MAX_PATH)
		return 0;
	for (;;) {
		if (++depth > REPO_MAX_DEPTH)
			return 0;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
}

/*
 * Insert e[0..n) (paths relative to the folder at offset off of each path)
 * into the tree base (NULL: empty) and write the result into out.  Each
 * subfolder named by the files is rebuilt recursively from its old version;
 * every other entry is carried over by id, unread.
 */
static int tree_insert(git_oid *out, hw_repo *r, const git_oid *base,
		       struct tree_ent *e, size_t n, size_t off, hw_error *err)
{
	git_tree *base_tree = NULL;
	git_treebuilder *bld = NULL;
	char *name = NULL;
	size_t i = 0, j;
	int rc;

	if (base && (rc = git_tree_lookup(&base_tree, r->git, base)) < 0) {
		rc = repo_fail(err, rc, "reading a tree");
		goto cleanup;
	}
	if ((rc = git_treebuilder_new(&bld, r->git, base_tree)) < 0) {
		rc = repo_fail(err, rc, "building a tree");
		goto cleanup;
	}
	while (i < n) {
		const char *rest = e[i].path + off;
		const char *slash = strchr(rest, '/');
		const git_tree_entry *old;
		size_t nlen = slash ? (size_t)(slash - rest) : strlen(rest);

		free(name);
		if (!(name = strndup(rest, nlen))) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		old = git_treebuilder_get(bld, name);
		if (!slash) {
			/* A file: new, or already there with the same content. */
			if (old && git_tree_entry_type(old) == GIT_OBJECT_BLOB &&
			    git_oid_equal(git_tree_entry_id(old), &e[i].blob)) {
				i++;
				continue;
			}
			if (old) {
				rc = hw_error_set(err, HW_ECONFLICT,
						  "%s already exists with other content", e[i].path);
				goto cleanup;
			}
			rc = git_treebuilder_insert(NULL, bld, name, &e[i].blob, GIT_FILEMODE_BLOB);
			if (rc < 0) {
				rc = repo_fail(err, rc, e[i].path);
				goto cleanup;
			}
			i++;
			continue;
		}

		/* A folder: gather every file below it and rebuild it once. */
		for (j = i + 1; j < n; j++) {
			const char *other = e[j].path + off;

			if (strncmp(other, rest, nlen) != 0 || other[nlen] != '/')
				break;
		}
		{
			git_oid sub_base, sub_new;
			int had = 0;

			if (old) {
				if (git_tree_entry_type(old) != GIT_OBJECT_TREE) {
					rc = hw_error_set(err, HW_ECONFLICT,
							  "%.*s is a file, not a folder",
							  (int)(off + nlen), e[i].path);
					goto cleanup;
				}
				git_oid_cpy(&sub_base, git_tree_entry_id(old));
				had = 1;
			}
			rc = tree_insert(&sub_new, r, had ? &sub_base : NULL, e + i, j - i,
					 off + nlen + 1, err);
			if (rc < 0)
				goto cleanup;
			if (!had || !git_oid_equal(&sub_new, &sub_base)) {
				rc = git_treebuilder_insert(NULL, bld, name, &sub_new, GIT_FILEMODE_TREE);
				if (rc < 0) {
					rc = repo_fail(err, rc, e[i].path);
					goto cleanup;
				}
			}
		}
		i = j;
	}
	if ((rc = git_treebuilder_write(out, bld)) < 0)
		rc = repo_fail(err, rc, "writing a tree");
	else
		bulk_note(r, out);

cleanup:
	free(name);
	git_treebuilder_free(bld);
	git_tree_free(base_tree);
	return rc;
}

int repo_bulk_begin(hw_repo *r, hw_error *err)
{
	git_repository *bulk = NULL;
	git_odb *odb = NULL;
	git_odb_backend *mp = NULL;
	int rc;

	if (r->disk) {
		r->bulk_depth++;
		return 0;   /* already: the outermost writes the pack */
	}
	if ((rc = git_repository_open_bare(&bulk, r->path)) < 0 ||
	    (rc = git_repository_odb(&odb, bulk)) < 0 ||
	    (rc = git_mempack_new(&mp)) < 0) {
		rc = repo_fail(err, rc, "preparing to write many objects");
		goto fail;
	}
	if ((rc = git_odb_add_backend(odb, mp, 999)) < 0) {
		mp->free(mp);
		rc = repo_fail(err, rc, "preparing to write many objects");
		goto fail;
	}
	git_odb_free(odb);
	r->mempack = mp;
	r->disk = r->git;
	r->git = bulk;
	r->bulk_depth = 1;
	return 0;
fail:
	git_odb_free(odb);
	git_repository_free(bulk);
	return rc;
}

/* Bytes of a pack given to libgit2's indexer at a time, as a fetch gives them. */
#define INDEX_CHUNK (1024 * 1024)

/*
 * A pack goes into libgit2's indexer as the packbuilder writes it, in
 * pieces of INDEX_CHUNK bytes, as a fetch would give them: never the whole
 * pack in memory (a commit of 100,000 files is a pack of about 50 MB).
 *
 * The indexer's parser reads the pack it is writing through the mapped
 * windows, and when the bytes left at the end of a window give zlib no
 * output (the start of a compressed tree, whose first bytes are Huffman
 * tables), libgit2 1.5 takes it for data not yet received and waits for the
 * next append: given the pack in one piece, the rest was never parsed and
 * the commit failed with "unexpected data at the end of the pack" whenever
 * the pack crossed a window's end (windows of 4 MiB and a 100,000-case
 * commit).  So the pack goes in pieces, and once every byte is in, empty
 * appends let the parser resume where it stopped.
 */
struct pack_feed {
	git_odb_writepack *wp;      /* into the odb, or */
	git_indexer *idx;           /* into a pack folder (the roll-up, which needs the name) */
	git_indexer_progress stats;
	char *buf;                  /* INDEX_CHUNK bytes */
	size_t len;                 /* bytes in buf */
	size_t total;               /* bytes given to the indexer */
};

static int feed_flush(struct pack_feed *f)
{
	int rc;

	if (!f->len)
		return 0;
	if ((rc = f->idx ? git_indexer_append(f->idx, f->buf, f->len, &f->stats)
			 : f->wp->append(f->wp, f->buf, f->len, &f->stats)) < 0)
		return rc;
	f->total += f->len;
	f->len = 0;
	return 0;
}

static int feed_piece(void *data, size_t size, void *payload)
{
	struct pack_feed *f = payload;
	const char *p = data;

	while (size) {
		size_t n = size < INDEX_CHUNK - f->len ? size : INDEX_CHUNK - f->len;
		int rc;

		memcpy(f->buf + f->len, p, n);
		f->len += n;
		p += n;
		size -= n;
		if (f->len == INDEX_CHUNK && (rc = feed_flush(f)) < 0)
			return rc;
	}
	return 0;
}

/* After the last byte: the resumes, then the commit of the pack and its index. */
static int feed_end(struct pack_feed *f)
{
	size_t tries;
	int rc;

	if ((rc = feed_flush(f)) < 0)
		return rc;
	/* Each resume starts a fresh window, so it gets at least half a window further. */
	for (tries = 0; f->stats.received_objects < f->stats.total_objects &&
	     tries < f->total / 4096 + 16; tries++)
		if ((rc = f->idx ? git_indexer_append(f->idx, f->buf, 0, &f->stats)
			 : f->wp->append(f->wp, f->buf, 0, &f->stats)) < 0)
			return rc;
	return f->idx ? git_indexer_commit(f->idx, &f->stats) : f->wp->commit(f->wp, &f->stats);
}

/*
 * Whether an object of the bulk list is new: in the memory pack.  A tree
 * builder that writes a tree the repository already has (a merge writes
 * the trees of each new case, which came with the device's branch) gives
 * its id all the same, and the object is not written again.
 */
static int bulk_new(hw_repo *r, const git_oid *oid)
{
	return r->mempack->exists(r->mempack, oid) == 1;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/*
 * Keep in r's bulk list only the objects reachable from the tree root
 * through objects of the list (the ones written since repo_bulk_begin):
 * the trees a bulk write rewrote on the way and then replaced are left
 * out.  Iterative, with a stack of the trees still to read.
 */
static int bulk_keep_reachable(hw_repo *r, const git_oid *root, hw_error *err)
{
	unsigned char *mark = NULL;
	size_t n = 0, i, kept = 0, top = 0, cap = 64;
	git_oid *stack = NULL;
	git_oid *hit;
	int rc = 0;

	/* Each once, and only what is new (bulk_new). */
	if (r->nbulk) {
		qsort(r->bulk_oids, r->nbulk, sizeof(*r->bulk_oids), cmp_oid);
		for (i = 0; i < r->nbulk; i++)
			if ((n == 0 || git_oid_cmp(&r->bulk_oids[n - 1], &r->bulk_oids[i]) != 0) &&
			    bulk_new(r, &r->bulk_oids[i]))
				git_oid_cpy(&r->bulk_oids[n++], &r->bulk_oids[i]);
	}
	r->nbulk = n;
	hit = n ? bsearch(root, r->bulk_oids, n, sizeof(*r->bulk_oids), cmp_oid) : NULL;
	if (!hit) {
		r->nbulk = 0;   /* the tree was there before: nothing new is needed */
		return 0;
	}
	if (!(mark = calloc(n, 1)) || !(stack = malloc(cap * sizeof(*stack)))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto done;
	}
	mark[hit - r->bulk_oids] = 1;
	git_oid_cpy(&stack[top++], root);
	while (top && rc == 0) {
		git_tree *t = NULL;
		git_oid id;
		size_t k, count;

		git_oid_cpy(&id, &stack[--top]);
		if ((rc = git_tree_lookup(&t, r->git, &id)) < 0) {
			rc = repo_fail(err, rc, "reading a tree written before packing it");
			break;
		}
		count = git_tree_entrycount(t);
		for (k = 0; k < count && rc == 0; k++) {
			const git_tree_entry *e = git_tree_entry_byindex(t, k);
			git_oid *at = bsearch(git_tree_entry_id(e), r->bulk_oids, n, sizeof(*r->bulk_oids),
					      cmp_oid);

			if (!at || mark[at - r->bulk_oids])
				continue;
			mark[at - r->bulk_oids] = 1;
			if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
				continue;
			if (top == cap) {
				git_oid *grown = realloc(stack, (cap *= 2) * sizeof(*stack));

				if (!grown) {
					rc = hw_error_set(err, HW_ERROR, "out of memory");
					break;
				}
				stack = grown;
			}
			git_oid_cpy(&stack[top++], at);
		}
		git_tree_free(t);
	}
	if (rc == 0) {
		for (i = 0; i < n; i++)
			if (mark[i])
				git_oid_cpy(&r->bulk_oids[kept++], &r->bulk_oids[i]);
		r->nbulk = kept;
	}
done:
	free(mark);
	free(stack);
	return rc;
}

int repo_bulk_end_tree(hw_repo *r, const char *root, hw_error *err)
{
	git_oid oid;
	int rc;

	if (!r->disk)
		return 0;
	if (r->bulk_depth > 1) {
		r->bulk_depth--;
		return 0;
	}
	if (r->bulk_oom) {
		repo_bulk_end(r, 0, NULL);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	if ((rc = oid_parse(&oid, root, err)) < 0 || (rc = bulk_keep_reachable(r, &oid, err)) < 0) {
		repo_bulk_end(r, 0, NULL);
		return rc;
	}
	return repo_bulk_end(r, 1, err);
}

int repo_bulk_end(hw_repo *r, int keep, hw_error *err)
{
	struct pack_feed feed;
	git_packbuilder *pb = NULL;
	git_odb *odb = NULL;
	int rc = 0;

	memset(&feed, 0, sizeof(feed));
	if (!r->disk || --r->bulk_depth > 0)
		return 0;
	if (keep && r->bulk_oom) {
		/* An object whose id could not be noted would be missing from the pack. */
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto done;
	}
	/* One pack, written and fsynced once, instead of a file per object. */
	if (keep && r->nbulk) {
		size_t i;

		if ((rc = git_packbuilder_new(&pb, r->git)) < 0) {
			rc = repo_fail(err, rc, "packing new objects");
			goto done;
		}
		git_packbuilder_set_threads(pb, 1);
		for (i = 0; i < r->nbulk && rc >= 0; i++)
			if (bulk_new(r, &r->bulk_oids[i]))
				rc = git_packbuilder_insert(pb, &r->bulk_oids[i], NULL);
		if (rc < 0) {
			rc = repo_fail(err, rc, "packing new objects");
			goto done;
		}
		if (!(feed.buf = malloc(INDEX_CHUNK))) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto done;
		}
		if ((rc = git_repository_odb(&odb, r->disk)) < 0 ||
		    (rc = git_odb_write_pack(&feed.wp, odb, NULL, NULL)) < 0 ||
		    (rc = git_packbuilder_foreach(pb, feed_piece, &feed)) < 0 ||
		    (rc = feed_end(&feed)) < 0) {
			rc = repo_fail(err, rc, "writing a pack of new objects");
			goto done;
		}
		git_odb_refresh(odb);
	}
done:
	if (feed.wp)
		feed.wp->free(feed.wp);
	free(feed.buf);
	git_packbuilder_free(pb);
	git_odb_free(odb);
	git_repository_free(r->git);   /* with its odb and the memory pack */
	r->git = r->disk;
	r->disk = NULL;
	r->mempack = NULL;
	free(r->bulk_oids);
	r->bulk_oids = NULL;
	r->nbulk = r->capbulk = 0;
	r->bulk_oom = 0;
	return rc;
}

/*
 * Pack roll-up (repo_rollup).  A pack file of a repository is read in its
 * index: "\377tOc", version 2, 256 fan-out counts (the last is the number
 * of objects), then the object ids in order.  Our own repository's files,
 * still checked for size before anything is read.
 */
#define IDX_HEAD (8 + 256 * 4)

typedef struct pack_file {
	char *base;        /* ".../objects/pack/pack-<hex>", without extension */
	uint32_t count;    /* objects */
	int left;          /* chosen, but an object of it was missing or too large */
} pack_file;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read exactly n bytes at off; -1 on error or a short file. */
static int read_at(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;

	while (n) {
		ssize_t got = pread(fd, p, n, off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

/*
 * Open an index file for reading: a regular file only.  A central
 * repository in a folder is anyone's to write, and opening a FIFO named
 * like an index would wait for ever.
 */
static int idx_open(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0 && (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The number of objects the index at path lists; -1 when it is no index we read. */
static int idx_count(const char *path, uint32_t *count)
{
	unsigned char head[IDX_HEAD];
	struct stat sb;
	int fd = idx_open(path), ok;

	if (fd < 0)
		return -1;
	ok = fstat(fd, &sb) == 0 && read_at(fd, head, sizeof(head), 0) == 0 &&
	     memcmp(head, "\377tOc", 4) == 0 && be32(head + 4) == 2;
	if (ok) {
		*count = be32(head + IDX_HEAD - 4);
		/* Ids, checksums and offsets (28 bytes each) and the two trailing hashes. */
		ok = (unsigned long long)sb.st_size >= IDX_HEAD + (unsigned long long)*count * 28 + 40;
	}
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Insert every object the index at path lists into pb, once each of them
 * has been found in odb at no more than REPO_MAX_FILE_SIZE bytes: 1 when
 * one has not (none is inserted, and the pack stays as it is), -1 when the
 * index cannot be read.  An index in a folder remote may list objects its
 * pack does not hold, and a pack there may hold an object larger than
 * memory: the packbuilder reads each one whole.
 */
static int idx_insert(git_packbuilder *pb, git_odb *odb, const char *path, uint32_t count)
{
	unsigned char buf[20 * 1024];
	int fd = idx_open(path), rc = 0;

	if (fd < 0)
		return -1;
	for (int insert = 0; insert < 2 && rc == 0; insert++) {
		for (uint32_t done = 0; done < count && rc == 0;) {
			uint32_t n = count - done < 1024 ? count - done : 1024;

			if (read_at(fd, buf, (size_t)n * 20, IDX_HEAD + (off_t)done * 20) < 0) {
				rc = -1;
				break;
			}
			for (uint32_t i = 0; i < n && rc == 0; i++) {
				git_oid oid;
				git_object_t type;
				size_t size;

				git_oid_fromraw(&oid, buf + (size_t)i * 20);
				if (insert) {
					rc = git_packbuilder_insert(pb, &oid, NULL) < 0 ? -1 : 0;
				} else if (git_odb_read_header(&size, &type, odb, &oid) < 0 ||
					   size > REPO_MAX_FILE_SIZE) {
					git_error_clear();
					rc = 1;
				}
			}
			done += n;
		}
	}
	close(fd);
	return rc;
}

static int cmp_pack(const void *a, const void *b)
{
	const pack_file *x = a, *y = b;

	return x->count < y->count ? -1 : x->count > y->count;
}

/* The packs of the repository at path (no .keep, with their .pack), into *out. */
static int pack_list(const char *path, pack_file **out, size_t *n, size_t *total, hw_error *err)
{
	char *dir = hw_path_join(path, "objects/pack");
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	pack_file *v = NULL;
	size_t cap = 0;
	int rc = 0;

	*out = NULL;
	*n = *total = 0;
	if (!dir)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!d) {
		free(dir);
		return errno == ENOENT ? 0 : hw_error_set(err, HW_ERROR, "reading the packs of %s: %s",
							  path, strerror(errno));
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *base = NULL, *idx = NULL, *pack = NULL, *keep = NULL;
		struct stat sb;
		uint32_t count;

		if (len != 5 + REPO_OID_HEX + 4 || strncmp(e->d_name, "pack-", 5) != 0 ||
		    strcmp(e->d_name + len - 4, ".idx") != 0)
			continue;
		(*total)++;
		if (asprintf(&base, "%s/%.*s", dir, (int)(len - 4), e->d_name) < 0 ||
		    asprintf(&idx, "%s.idx", base) < 0 || asprintf(&pack, "%s.pack", base) < 0 ||
		    asprintf(&keep, "%s.keep", base) < 0) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
		} else if (stat(pack, &sb) == 0 && stat(keep, &sb) < 0 && idx_count(idx, &count) == 0) {
			if (*n == cap) {
				pack_file *grown = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

				if (!grown)
					rc = hw_error_set(err, HW_ERROR, "out of memory");
				else
					v = grown;
			}
			if (rc == 0) {
				v[*n].base = base;
				v[*n].left = 0;
				v[(*n)++].count = count;
				base = NULL;
			}
		}
		free(base);
		free(idx);
		free(pack);
		free(keep);
		if (rc < 0)
			break;
	}
	closedir(d);
	free(dir);
	*out = v;
	return rc;
}

static void pack_list_free(pack_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].base);
	free(v);
}

/*
 * How many of the packs (sorted by size, smallest first) to roll into
 * one, from the first, holding budget objects at most.  A pack stays when
 * it holds at least twice as many objects as all smaller ones together
 * (git's geometric repacking), so what is kept is a short progression and
 * what is rolled is small.
 */
static size_t rollup_choose(const pack_file *v, size_t n, size_t budget)
{
	unsigned long long below = 0, rolled = 0;
	size_t roll = 0;

	for (size_t i = 0; i < n && v[i].count <= REPO_ROLLUP_MAX_PACK; i++) {
		if (v[i].count < 2 * below)
			roll = i + 1;
		below += v[i].count;
	}
	/* Within what one roll-up may hold in memory: the smallest first. */
	for (size_t i = 0; i < roll; i++) {
		if (rolled + v[i].count > budget) {
			roll = i;
			break;
		}
		rolled += v[i].count;
	}
	return roll >= 2 ? roll : 0;
}

/*
 * The loose objects of the repository at path (objects/xx/<38 hex>), at
 * most max of them, into *out (*n of them); with out NULL only counted.
 */
static int loose_list(const char *path, size_t max, git_oid **out, size_t *n, hw_error *err)
{
	git_oid *v = NULL;
	size_t cap = 0;

	if (out)
		*out = NULL;
	*n = 0;
	for (int x = 0; x < 256 && *n < max; x++) {
		char *dir = NULL;
		struct dirent *e;
		DIR *d;

		if (asprintf(&dir, "%s/objects/%02x", path, x) < 0) {
			free(v);
			*n = 0;
			return hw_error_set(err, HW_ERROR, "out of memory");
		}
		d = opendir(dir);
		free(dir);
		while (d && (e = readdir(d)) && *n < max) {
			char hex[REPO_OID_HEX + 1];

			if (strlen(e->d_name) != REPO_OID_HEX - 2 ||
			    strspn(e->d_name, "0123456789abcdef") != REPO_OID_HEX - 2)
				continue;
			if (!out) {
				(*n)++;
				continue;
			}
			snprintf(hex, sizeof(hex), "%02x%s", x, e->d_name);
			if (*n == cap) {
				git_oid *grown = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

				if (!grown) {
					closedir(d);
					free(v);
					return hw_error_set(err, HW_ERROR, "out of memory");
				}
				v = grown;
			}
			if (git_oid_fromstr(&v[*n], hex) == 0)
				(*n)++;
		}
		if (d)
			closedir(d);
	}
	if (out)
		*out = v;
	return 0;
}

size_t repo_remove_temp_packs(const char *path, time_t age)
{
	char *dir = hw_path_join(path, "objects/pack"), full[4096];
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	struct stat sb;
	time_t now = time(NULL);
	size_t removed = 0;

	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "pack_git2_", 10) != 0 ||
		    snprintf(full, sizeof(full), "%s/%s", dir, e->d_name) >= (int)sizeof(full) ||
		    lstat(full, &sb) < 0 || !S_ISREG(sb.st_mode) ||
		    (age && now - sb.st_mtime < age))
			continue;
		if (unlink(full) == 0)
			removed++;
	}
	if (d)
		closedir(d);
	free(dir);
	return removed;
}

/* What a file that is neither a plain file nor a folder is, for the message. */
static const char *odd_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	       S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a plain file";
}

/* The names at the top of a repository that git reads, files or folders. */
static int git_reads(const char *name)
{
	static const char *const top[] = { "HEAD", "config", "packed-refs", "shallow", "refs",
					   "objects" };

	for (size_t t = 0; t < sizeof(top) / sizeof(top[0]); t++)
		if (!strcmp(name, top[t]))
			return 1;
	return 0;
}

int repo_folder_check(const char *path, hw_error *err)
{
	/* Folders still to read, relative to path ("" is path): an explicit stack, no recursion. */
	struct pending {
		char *rel;
		int depth;
	} *stack = malloc(16 * sizeof(*stack));
	static const char *const elsewhere[] = { "objects/info/alternates", "commondir" };
	size_t nstack = 0, cap = 16, seen = 0;
	char full[4096];
	struct stat sb;
	int rc = 0;

	/*
	 * A repository that reads objects or its whole self from another
	 * folder: that folder is on the machine that wrote the file (a USB
	 * stick's points nowhere on the next laptop), or anywhere at all.
	 */
	for (size_t i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]); i++)
		if (snprintf(full, sizeof(full), "%s/%s", path, elsewhere[i]) < (int)sizeof(full) &&
		    lstat(full, &sb) == 0) {
			free(stack);
			return hw_error_set(err, HW_ECORRUPT, "the central repository in %s reads from "
					    "another folder (%s): a central repository holds all it "
					    "has itself; nothing was read from it", path, elsewhere[i]);
		}
	if (!stack || !(stack[0].rel = hw_strdup(""))) {
		free(stack);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	stack[nstack++].depth = 0;
	while (rc == 0 && nstack > 0 && seen < REPO_FOLDER_CHECK_MAX) {
		struct pending dir = stack[--nstack];
		DIR *d;
		struct dirent *e;

		if (snprintf(full, sizeof(full), "%s/%s", path, dir.rel) >= (int)sizeof(full) ||
		    !(d = opendir(full))) {
			free(dir.rel);
			continue;
		}
		while (rc == 0 && (e = readdir(d)) && seen < REPO_FOLDER_CHECK_MAX) {
			const char *sep = dir.rel[0] ? "/" : "";
			char *rel;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			    (dir.depth == 0 && !git_reads(e->d_name)))
				continue;
			seen++;
			if (snprintf(full, sizeof(full), "%s/%s%s%s", path, dir.rel, sep, e->d_name) >=
				    (int)sizeof(full) ||
			    stat(full, &sb) < 0 || S_ISREG(sb.st_mode))
				continue;
			if (!S_ISDIR(sb.st_mode)) {
				rc = hw_error_set(err, HW_ECORRUPT, "the central repository in %s holds "
						  "%s%s%s, which is %s: nothing was read from it; remove it",
						  path, dir.rel, sep, e->d_name, odd_kind(sb.st_mode));
				break;
			}
			if (dir.depth >= REPO_MAX_DEPTH)
				continue;
			if (nstack == cap) {
				struct pending *grown = realloc(stack, (cap *= 2) * sizeof(*stack));

				if (!grown) {
					rc = hw_error_set(err, HW_ERROR, "out of memory");
					break;
				}
				stack = grown;
			}
			if (asprintf(&rel, "%s%s%s", dir.rel, sep, e->d_name) < 0) {
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				break;
			}
			stack[nstack].rel = rel;
			stack[nstack++].depth = dir.depth + 1;
		}
		closedir(d);
		free(dir.rel);
	}
	while (nstack > 0)
		free(stack[--nstack].rel);
	free(stack);
	return rc;
}

/* Remove the loose objects now in a pack, and the folders they leave empty. */
static void loose_remove(const char *path, const git_oid *v, size_t n)
{
	char hex[REPO_OID_HEX + 1], *file = NULL;

	for (size_t i = 0; i < n; i++) {
		git_oid_tostr(hex, sizeof(hex), &v[i]);
		if (asprintf(&file, "%s/objects/%.2s/%s", path, hex, hex + 2) < 0)
			return;
		unlink(file);
		*strrchr(file, '/') = '\0';
		rmdir(file);   /* fails while it holds anything else: as it should */
		free(file);
	}
}

int repo_stats(const char *path, size_t *packs, size_t *loose, hw_error *err)
{
	pack_file *v = NULL;
	size_t n = 0;
	int rc;

	*packs = *loose = 0;
	if ((rc = pack_list(path, &v, &n, packs, err)) == 0)
		rc = loose_list(path, REPO_STATS_MAX_LOOSE, NULL, loose, err);
	pack_list_free(v, n);
	return rc;
}

int repo_rollup(hw_repo *r, size_t *rolled, size_t *loose, repo_rollup_cb starting,
		void *payload, hw_error *err)
{
	pack_file *v = NULL;
	git_oid *lv = NULL;
	size_t n = 0, total = 0, roll = 0, nloose = 0, inserted = 0, kept, i;
	git_repository *git = NULL;
	git_packbuilder *pb = NULL;
	git_odb *odb = NULL;
	struct pack_feed feed;
	char *packdir = NULL;
	git_indexer_options o;
	const char *name;
	int rc;

	memset(&feed, 0, sizeof(feed));
	*rolled = *loose = 0;
	if (r->disk)
		return hw_error_set(err, HW_EINVALID, "rolling packs up in the middle of a bulk write");
	/* A FIFO among the packs would hold libgit2, and the roll-up, for ever. */
	if ((rc = repo_folder_check(r->path, err)) < 0 ||
	    (rc = pack_list(r->path, &v, &n, &total, err)) < 0 ||
	    (rc = loose_list(r->path, REPO_ROLLUP_MAX_OBJECTS / 2, &lv, &nloose, err)) < 0)
		goto done;
	if (nloose < REPO_ROLLUP_LOOSE)
		nloose = 0;   /* a few: left for a later roll-up */
	qsort(v, n, sizeof(*v), cmp_pack);
	if (total >= REPO_ROLLUP_PACKS)
		roll = rollup_choose(v, n, REPO_ROLLUP_MAX_OBJECTS - nloose);
	if (!roll && !nloose)
		goto done;
	if (starting) {
		size_t objects = nloose;

		for (i = 0; i < roll; i++)
			objects += v[i].count;
		starting(objects, payload);
	}
	/* A handle of its own: r's keeps the packs it has open until it is freed. */
	if ((rc = git_repository_open_bare(&git, r->path)) < 0 ||
	    (rc = git_packbuilder_new(&pb, git)) < 0) {
		rc = repo_fail(err, rc, "rolling packs up");
		goto done;
	}
	git_packbuilder_set_threads(pb, 1);
	if ((rc = git_repository_odb(&odb, git)) < 0) {
		rc = repo_fail(err, rc, "rolling packs up");
		goto done;
	}
	for (i = 0; i < roll; i++) {
		char *idx = NULL;

		if (asprintf(&idx, "%s.idx", v[i].base) < 0) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto done;
		}
		rc = idx_insert(pb, odb, idx, v[i].count);
		free(idx);
		if (rc < 0) {
			rc = hw_error_set(err, HW_ERROR, "rolling packs up: reading %s.idx: %s", v[i].base,
					  git_error_last() ? git_msg() : "cannot read it");
			goto done;
		}
		v[i].left = rc;
		inserted += rc ? 0 : v[i].count;
	}
	/* A loose object that is not one, or too large, stays as it is too. */
	for (i = 0, kept = 0; i < nloose; i++) {
		git_object_t type;
		size_t size;

		if (git_odb_read_header(&size, &type, odb, &lv[i]) < 0 || size > REPO_MAX_FILE_SIZE) {
			git_error_clear();
			continue;
		}
		git_oid_cpy(&lv[kept++], &lv[i]);
	}
	nloose = kept;
	for (i = 0; i < nloose; i++)
		if ((rc = git_packbuilder_insert(pb, &lv[i], NULL)) < 0) {
			rc = repo_fail(err, rc, "rolling loose objects up");
			goto done;
		}
	if (inserted + nloose == 0) {
		rc = 0;
		goto done;
	}
	git_indexer_options_init(&o, GIT_INDEXER_OPTIONS_VERSION);
	if (!(packdir = hw_path_join(r->path, "objects/pack")) || !(feed.buf = malloc(INDEX_CHUNK))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto done;
	}
	if ((rc = git_indexer_new(&feed.idx, packdir, 0, NULL, &o)) < 0 ||
	    (rc = git_packbuilder_foreach(pb, feed_piece, &feed)) < 0 ||
	    (rc = feed_end(&feed)) < 0) {
		rc = repo_fail(err, rc, "rolling packs up");
		goto done;
	}
	/*
	 * The new pack and its index are written and synced: only now do the
	 * old ones go, each pack before its index (an index without its pack is
	 * passed over by git and libgit2 alike; the reverse is an error).  A
	 * pack whose objects all came out the same has the new one's name.
	 */
	name = git_indexer_name(feed.idx);
	for (i = 0; i < roll; i++) {
		const char *slash = strrchr(v[i].base, '/');
		char *file = NULL;

		if (v[i].left || (name && slash && strcmp(slash + 1 + 5, name) == 0))
			continue;
		for (int x = 0; x < 3; x++) {
			static const char *const ext[] = { ".pack", ".idx", ".rev" };

			if (asprintf(&file, "%s%s", v[i].base, ext[x]) < 0) {
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto done;
			}
			if (unlink(file) < 0 && errno != ENOENT && x < 2) {
				rc = hw_error_set(err, HW_ERROR, "rolling packs up: removing %s: %s", file,
						  strerror(errno));
				free(file);
				goto done;
			}
			free(file);
		}
		(*rolled)++;
	}
	loose_remove(r->path, lv, nloose);
	*loose = nloose;
	/*
	 * r's handle may have found an object in a pack removed now and would
	 * fail to read it: r goes on with a fresh one, which lists the packs
	 * as they are.
	 */
	{
		git_repository *fresh = NULL;

		if ((rc = git_repository_open_bare(&fresh, r->path)) < 0) {
			rc = repo_fail(err, rc, "reopening the repository after rolling packs up");
			goto done;
		}
		git_repository_free(r->git);
		r->git = fresh;
	}
	rc = 0;
done:
	if (feed.idx)
		git_indexer_free(feed.idx);
	free(feed.buf);
	free(packdir);
	git_packbuilder_free(pb);
	git_odb_free(odb);
	git_repository_free(git);
	pack_list_free(v, n);
	free(lv);
	return rc;
}

int repo_tree_add(char out[REPO_OID_HEX + 1], hw_repo *r, const char *base,
		  const repo_file *files, size_t nfiles, hw_error *err)
{
	struct tree_ent *e = NULL;
	git_oid base_oid, result;
	size_t i;
	int rc = 0, rc2, bulk = 0;

	/* out may be the same buffer as base: read base first. */
	if (base && (rc = oid_parse(&base_oid, base, err)) < 0)
		return rc;
	out[0] = '\0';
	if (nfiles && !(e = calloc(nfiles, sizeof(*e))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	/* Many files: their blobs and trees go into one pack. */
	if (nfiles >= REPO_PACK_FILES && !r->disk) {
		if ((rc = repo_bulk_begin(r, err)) < 0) {
			free(e);
			return rc;
		}
		bulk = 1;
	}
	for (i = 0; i < nfiles; i++) {
		e[i].path = files[i].path;
		if (!files[i].path || !path_ok(files[i].path)) {
			rc = hw_error_set(err, HW_EINVALID, "bad path in the repository: %s",
					  files[i].path ? files[i].path : "(null)");
			goto cleanup;
		}
		if (files[i].blob) {
			if ((rc = oid_parse(&e[i].blob, files[i].blob, err)) < 0)
				goto cleanup;
		} else {
			rc = git_blob_create_from_buffer(&e[i].blob, r->git,
							 files[i].data ? files[i].data : "",
							 files[i].len);
			if (rc < 0) {
				rc = repo_fail(err, rc, files[i].path);
				goto cleanup;
			}
			bulk_note(r, &e[i].blob);
		}
	}
	if (nfiles)
		qsort(e, nfiles, sizeof(*e), cmp_ent);
	rc = tree_insert(&result, r, base ? &base_oid : NULL, e, nfiles, 0, err);
	if (rc == 0)
		oid_hex(out, &result);

cleanup:
	if (bulk && (rc2 = repo_bulk_end(r, rc == 0, err)) < 0 && rc == 0)
		rc = rc2;
	free(e);
	return rc;
}

int repo_commit_create(char out[REPO_OID_HEX + 1], hw_repo *r, const char *refname,
		       const char *tree, const char *parent,
		       const repo_commit_opts *opts, hw_error *err)
{
	static const repo_commit_opts defaults = REPO_COMMIT_OPTS_INIT;
	git_signature *sig = NULL;
	git_tree *t = NULL;
	const git_commit **parents = NULL;
	size_t nparents = 0, i;
	git_oid oid;
	int rc;

	/* out is written last, so it may be the same buffer as tree or parent. */
	if (!opts)
		opts = &defaults;
	if ((rc = oid_parse(&oid, tree, err)) < 0)
		return rc;
	if ((rc = git_tree_lookup(&t, r->git, &oid)) < 0) {
		rc = repo_fail(err, rc, "reading a tree");
		goto cleanup;
	}
	parents = calloc(1 + opts->nparents, sizeof(*parents));
	if (!parents) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < 1 + opts->nparents; i++) {
		const char *hex = i == 0 ? parent : opts->parents[i - 1];
		git_commit *c = NULL;

		if (!hex)
			continue;
		if ((rc = oid_parse(&oid, hex, err)) < 0)
			goto cleanup;
		if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0) {
			rc = repo_fail(err, rc, "reading a parent commit");
			goto cleanup;
		}
		parents[nparents++] = c;
	}
	rc = git_signature_now(&sig, opts->author_name ? opts->author_name : "homeward",
			       opts->author_email ? opts->author_email : "homeward@localhost");
	if (rc < 0) {
		rc = repo_fail(err, rc, "making the commit signature");
		goto cleanup;
	}
	if (opts->sign) {
		/* The commit's bytes, signed, then written with the signature as a header. */
		git_buf buf = { NULL, 0, 0 };
		char *text = NULL;

		rc = git_commit_create_buffer(&buf, r->git, sig, sig, "UTF-8",
					      opts->message ? opts->message : "Add events", t,
					      nparents, parents);
		if (rc < 0) {
			rc = repo_fail(err, rc, "writing a commit");
			goto cleanup;
		}
		if ((rc = opts->sign(&text, buf.ptr, buf.size, opts->sign_payload)) < 0) {
			git_buf_dispose(&buf);
			rc = hw_error_set(err, rc, "cannot sign the commit");
			goto cleanup;
		}
		rc = git_commit_create_with_signature(&oid, r->git, buf.ptr, text, REPO_SIGNATURE_FIELD);
		git_buf_dispose(&buf);
		free(text);
	} else {
		rc = git_commit_create(&oid, r->git, NULL, sig, sig, "UTF-8",
				       opts->message ? opts->message : "Add events", t,
				       nparents, parents);
	}
	if (rc < 0) {
		rc = repo_fail(err, rc, "writing a commit");
		goto cleanup;
	}
	oid_hex(out, &oid);
	if (refname && (rc = repo_ref_set(r, refname, out, err)) < 0)
		goto cleanup;

cleanup:
	for (i = 0; parents && i < nparents; i++)
		git_commit_free((git_commit *)parents[i]);
	free(parents);
	git_signature_free(sig);
	git_tree_free(t);
	return rc;
}

int repo_commit_signature(char **sig, char **data, size_t *len, hw_repo *r, const char *commit,
			  hw_error *err)
{
	git_buf s = { NULL, 0, 0 }, d = { NULL, 0, 0 };
	git_oid oid;
	int rc;

	*sig = *data = NULL;
	if (len)
		*len = 0;
	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	rc = git_commit_extract_signature(&s, &d, r->git, &oid, REPO_SIGNATURE_FIELD);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return hw_error_set(err, HW_ENOTFOUND, "commit %.12s is not signed", commit);
	}
	if (rc < 0)
		return repo_fail(err, rc, "reading a commit's signature");
	/* A signature is one short line; anything else is not ours. */
	if (s.size > 1024 || !(*sig = strndup(s.ptr, s.size)) || !(*data = malloc(d.size + 1))) {
		rc = s.size > 1024 ? hw_error_set(err, HW_EINVALID, "commit %.12s has an odd signature", commit)
				   : hw_error_set(err, HW_ERROR, "out of memory");
		free(*sig);
		*sig = NULL;
		goto cleanup;
	}
	memcpy(*data, d.ptr, d.size);
	(*data)[d.size] = '\0';
	if (len)
		*len = d.size;
cleanup:
	git_buf_dispose(&s);
	git_buf_dispose(&d);
	return rc;
}

int repo_commit_parent(char out[REPO_OID_HEX + 1], unsigned *nparents, long long *when,
		       hw_repo *r, const char *commit, hw_error *err)
{
	git_commit *c = NULL;
	git_oid oid;
	int rc;

	out[0] = '\0';
	if ((rc = oid_parse(&oid, commit, err)) < 0)
		return rc;
	if ((rc = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_fail(err, rc, "reading a commit");
	if (nparents)
		*nparents = git_commit_parentcount(c);
	if (when)
		*when = (long long)git_commit_time(c);
	if (git_commit_parentcount(c) > 0)
		oid_hex(out, git_commit_parent_id(c, 0));
	git_commit_free(c);
	return 0;
}

int repo_commit_files(char out[REPO_OID_HEX + 1], int *created, hw_repo *r,
		      const char *refname, const char *parent,
		      const repo_file *files, size_t nfiles,
		      const repo_commit_opts *opts, hw_error *err)
{
	char base[REPO_OID_HEX + 1] = "", tree[REPO_OID_HEX + 1], copy[REPO_OID_HEX + 1];
	int rc;

	/* out may be the same buffer as parent: keep a copy. */
	if (parent) {
		snprintf(copy, sizeof(copy), "%s", parent);
		parent = copy;
	}
	out[0] = '\0';
	*created = 0;
	if (parent && (rc = repo_commit_tree(base, r, parent, err)) < 0)
		return rc;
	if ((rc = repo_tree_add(tree, r, parent ? base : NULL, files, nfiles, err)) < 0)
		return rc;
	if (parent && strcmp(tree, base) == 0) {
		memcpy(out, parent, REPO_OID_HEX + 1);
		return 0;
	}
	if (!parent && nfiles == 0)
		return 0;
	if ((rc = repo_commit_create(out, r, refname, tree, parent, opts, err)) < 0)
		return rc;
	*created = 1;
	return 0;
}

/*
 * One folder of an iterative tree comparison: the two trees (either may be
 * NULL), where the walk is in them, and the length of the folder's path.
 */
struct diff_frame {
	git_tree *a, *b;
	size_t i;          /* next entry: of b in phase 0, of a in phase 1 */
	int phase;
	size_t len;        /* bytes of this folder's path in diff_ctx.path */
};

/* State of one tree comparison: the path, the stack of folders, where to report. */
struct diff_ctx {
	git_repository *git;
	hw_buf path;
	struct diff_frame *stack;
	size_t depth, cap;
	repo_diff_cb cb;
	void *payload;
	hw_error *err;
};

/* Cut the path back to len bytes. */
static void path_cut(struct diff_ctx *d, size_t len)
{
	hw_buf_truncate(&d->path, len);
}

/*
 * Report an entry the layout can never hold (a gitlink, a link, an odd
 * mode, a path beyond the limits) under the current folder; the path shown
 * is cut to what is reasonable to print.
 */
static int diff_bad(struct diff_ctx *d, const char *name, const char *why)
{
	char shown[300];
	const char *dir = d->path.ptr ? d->path.ptr : "";

	if (d->path.len + 1 + strlen(name) >= sizeof(shown))
		snprintf(shown, sizeof(shown), "%.200s...", dir);
	else
		snprintf(shown, sizeof(shown), "%s%s%s", dir, d->path.len ? "/" : "", name);
	return d->cb(REPO_BAD_ENTRY, shown, why, d->payload);
}

/* Enter a folder pair: look both trees up and push a frame. */
static int diff_push(struct diff_ctx *d, const git_oid *from, const git_oid *to)
{
	struct diff_frame *f;
	int rc;

	if (d->depth == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diff_frame *grown = realloc(d->stack, cap * sizeof(*grown));

		if (!grown)
			return hw_error_set(d->err, HW_ERROR, "out of memory");
		d->stack = grown;
		d->cap = cap;
	}
	f = &d->stack[d->depth];
	memset(f, 0, sizeof(*f));
	f->len = d->path.len;
	if (from && (rc = git_tree_lookup(&f->a, d->git, from)) < 0)
		return repo_fail(d->err, rc, "reading a tree");
	if (to && (rc = git_tree_lookup(&f->b, d->git, to)) < 0) {
		git_tree_free(f->a);
		return repo_fail(d->err, rc, "reading a tree");
	}
	d->depth++;
	return 0;
}

/* Leave the innermost folder. */
static void diff_pop(struct diff_ctx *d)
{
	struct diff_frame *f = &d->stack[--d->depth];

	git_tree_free(f->a);
	git_tree_free(f->b);
	path_cut(d, f->len);
}

/* What an entry is to the layout: 't' folder, 'f' plain file, else why it is refused. */
static const char *entry_kind(const git_tree_entry *e)
{
	git_filemode_t mode = git_tree_entry_filemode(e);

	switch (git_tree_entry_type(e)) {
	case GIT_OBJECT_TREE:
		return "t";
	case GIT_OBJECT_BLOB:
		if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE)
			return "f";
		return "not a plain file (a symbolic link or an odd mode)";
	case GIT_OBJECT_COMMIT:
		return "a gitlink (submodule) entry, which the layout never holds";
	default:
		return "an entry of an unknown kind";
	}
}

/*
 * One entry of the current folder: only in b (REPO_ADDED), only in a
 * (REPO_DELETED) or in both with other ids (0).  Files are reported,
 * folders pushed, and anything else reported as REPO_BAD_ENTRY, all after
 * the limits are checked and before anything below is read.
 */
static int diff_entry(struct diff_ctx *d, const char *name, const git_tree_entry *ea,
		      const git_tree_entry *eb, int kind)
{
	const git_tree_entry *e = kind == REPO_DELETED ? ea : eb;
	const char *ka = ea ? entry_kind(ea) : "", *kb = eb ? entry_kind(eb) : "";
	const char *ke = kind == REPO_DELETED ? ka : kb;
	char hex[REPO_OID_HEX + 1];
	int folder;

	if (d->path.len + 1 + strlen(name) > REPO_MAX_PATH)
		return diff_bad(d, name, "the path is longer than the limit");
	if (strlen(ke) > 1)
		return diff_bad(d, name, ke);
	if (!kind && strlen(ka) > 1)
		return diff_bad(d, name, ka);
	folder = kind ? ke[0] == 't' : (ka[0] == 't' && kb[0] == 't');
	if (folder && d->depth >= REPO_MAX_DEPTH)
		return diff_bad(d, name, "the path is deeper than the limit");
	if ((d->path.len && hw_buf_puts(&d->path, "/") < 0) || hw_buf_puts(&d->path, name) < 0)
		return hw_error_set(d->err, HW_ERROR, "out of memory");
	if (folder) {
		if (kind == REPO_ADDED)
			return diff_push(d, NULL, git_tree_entry_id(eb));
		if (kind == REPO_DELETED)
			return diff_push(d, git_tree_entry_id(ea), NULL);
		return diff_push(d, git_tree_entry_id(ea), git_tree_entry_id(eb));
	}
	/* A file, or a file that became a folder or back. */
	oid_hex(hex, git_tree_entry_id(e));
	return d->cb(kind ? kind : REPO_MODIFIED, d->path.ptr, hex, d->payload);
}

/*
 * Compare two trees (either may be NULL) with an explicit stack, so a
 * hostile depth costs at most the limit and never the C stack.  Entries
 * with the same id on both sides are skipped without being opened.
 */
static int diff_trees(struct diff_ctx *d, const git_oid *from, const git_oid *to)
{
	int rc;

	if (hw_buf_puts(&d->path, "") < 0)
		return hw_error_set(d->err, HW_ERROR, "out of memory");
	if ((rc = diff_push(d, from, to)) < 0)
		return rc;
	while (d->depth > 0) {
		struct diff_frame *f = &d->stack[d->depth - 1];
		const git_tree_entry *ea, *eb;
		const char *name;

		path_cut(d, f->len);
		if (f->phase == 0 && f->i >= (f->b ? git_tree_entrycount(f->b) : 0)) {
			f->phase = 1;
			f->i = 0;
		}
		if (f->phase == 1 && f->i >= (f->a ? git_tree_entrycount(f->a) : 0)) {
			diff_pop(d);
			continue;
		}
		if (f->phase == 0) {
			eb = git_tree_entry_byindex(f->b, f->i++);
			name = git_tree_entry_name(eb);
			ea = f->a ? git_tree_entry_byname(f->a, name) : NULL;
			if (ea && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
			    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
				continue;
			rc = diff_entry(d, name, ea, eb, ea ? 0 : REPO_ADDED);
		} else {
			ea = git_tree_entry_byindex(f->a, f->i++);
			name = git_tree_entry_name(ea);
			if (f->b && git_tree_entry_byname(f->b, name))
				continue;
			rc = diff_entry(d, name, ea, NULL, REPO_DELETED);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int repo_diff(hw_repo *r, const char *from, const char *to, repo_diff_cb cb, void *payload,
	      hw_error *err)
{
	struct diff_ctx d = { r->git, HW_BUF_INIT, NULL, 0, 0, cb, payload, err };
	char ta[REPO_OID_HEX + 1], tb[REPO_OID_HEX + 1];
	git_oid oa, ob;
	int rc;

	if (from && (rc = repo_commit_tree(ta, r, from, err)) < 0)
		return rc;
	if ((rc = repo_commit_tree(tb, r, to, err)) < 0)
		return rc;
	if (from)
		git_oid_fromstr(&oa, ta);
	git_oid_fromstr(&ob, tb);
	if (from && git_oid_equal(&oa, &ob))
		return 0;
	rc = diff_trees(&d, from ? &oa : NULL, &ob);
	while (d.depth > 0)
		diff_pop(&d);
	free(d.stack);
	hw_buf_free(&d.path);
	return rc;
}

int repo_diff_dir(hw_repo *r, const char *from, const char *to, const char *dir,
		  repo_diff_cb cb, void *payload, hw_error *err)
{
	struct diff_ctx d = { r->git, HW_BUF_INIT, NULL, 0, 0, cb, payload, err };
	git_oid oa, ob;
	int rc, has_a = 0, has_b = 0;

	if (from && (rc = dir_tree(&oa, &has_a, r, from, dir, err)) < 0)
		return rc;
	if ((rc = dir_tree(&ob, &has_b, r, to, dir, err)) < 0)
		return rc;
	if ((!has_a && !has_b) || (has_a && has_b && git_oid_equal(&oa, &ob)))
		return 0;
	if (hw_buf_puts(&d.path, dir) < 0)
		return hw_error_set(err, HW_ERROR, "out of memory");
	rc = diff_trees(&d, has_a ? &oa : NULL, has_b ? &ob : NULL);
	while (d.depth > 0)
		diff_pop(&d);
	free(d.stack);
	hw_buf_free(&d.path);
	return rc;
}

int repo_walk(hw_repo *r, const char *tip, const char *hide, size_t max, repo_walk_cb cb,
	      void *payload, hw_error *err)
{
	git_revwalk *w = NULL;
	git_commit *c = NULL;
	git_oid oid, *ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	if ((rc = oid_parse(&oid, tip, err)) < 0)
		return rc;
	if ((rc = git_revwalk_new(&w, r->git)) < 0) {
		rc = repo_fail(err, rc, "walking the history");
		goto cleanup;
	}
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL);
	if ((rc = git_revwalk_push(w, &oid)) < 0) {
		rc = repo_fail(err, rc, "walking the history");
		goto cleanup;
	}
	if (hide) {
		git_oid h;

		if ((rc = oid_parse(&h, hide, err)) < 0)
			goto cleanup;
		if ((rc = git_revwalk_hide(w, &h)) < 0) {
			rc = repo_fail(err, rc, "walking the history");
			goto cleanup;
		}
	}
	/* Collect first (newest first), then report oldest first; stop at max. */
	while ((rc = git_revwalk_next(&oid, w)) == 0) {
		if (n == max) {
			rc = hw_error_set(err, HW_EINVALID,
					  "the branch has more than %zu new commits, the limit of one walk",
					  max);
			goto cleanup;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			git_oid *grown = realloc(ids, ncap * sizeof(*grown));

			if (!grown) {
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			ids = grown;
			cap = ncap;
		}
		git_oid_cpy(&ids[n++], &oid);
	}
	if (rc != GIT_ITEROVER) {
		rc = repo_fail(err, rc, "walking the history");
		goto cleanup;
	}
	rc = 0;
	for (i = n; i-- > 0;) {
		char hex[REPO_OID_HEX + 1], parent[REPO_OID_HEX + 1];
		unsigned np;

		if ((rc = git_commit_lookup(&c, r->git, &ids[i])) < 0) {
			rc = repo_fail(err, rc, "reading a commit");
			goto cleanup;
		}
		np = git_commit_parentcount(c);
		oid_hex(hex, &ids[i]);
		if (np)
			oid_hex(parent, git_commit_parent_id(c, 0));
		git_commit_free(c);
		c = NULL;
		if ((rc = cb(hex, np ? parent : NULL, np, payload)) != 0)
			goto cleanup;
	}

cleanup:
	git_commit_free(c);
	free(ids);
	git_revwalk_free(w);
	return rc;
}

int repo_blob_size(size_t *out, hw_repo *r, const char *blob, hw_error *err)
{
	git_odb *odb = NULL;
	git_object_t type;
	git_oid oid;
	size_t size;
	int rc;

	*out = 0;
	if ((rc = oid_parse(&oid, blob, err)) < 0)
		return rc;
	if ((rc = git_repository_odb(&odb, r->git)) < 0)
		return repo_fail(err, rc, "opening the object database");
	/* The header only: the size without inflating the content. */
	rc = git_odb_read_header(&size, &type, odb, &oid);
	git_odb_free(odb);
	if (rc < 0)
		return repo_fail(err, rc, "reading a blob's size");
	if (type != GIT_OBJECT_BLOB)
		return hw_error_set(err, HW_EINVALID, "%s is not a file's content", blob);
	*out = size;
	return 0;
}

/* What the remote callbacks share during one push or fetch. */
struct remote_ctx {
	const repo_remote_opts *opts;
	const char *url;       /* the remote, for messages */
	int auth_tries;        /* credentials asked so far */
	int auth_given_up;     /* we stopped asking: the failure is HW_EAUTH */
	int cancelled;         /* the progress callback asked to stop */
	int untrusted;         /* the server's host key or certificate did not check out */
	hw_buf trust;          /* what to tell the user about it (fingerprint, how to accept) */
	char offered[600];     /* the last credentials offered, for the message when refused */
	repo_auth_note note;   /* the same as facts (what, kind, user, key) */
	hw_buf rejected;       /* "ref: status" of each ref the server refused */
	hw_buf server;         /* the server's lines, "; " between, for error messages */
	hw_buf line;           /* a line of the server being reassembled */
	int line_cut;          /* the line grew past SERVER_LINE_MAX: the rest is dropped */
	size_t lines;          /* lines of the server passed on so far */
};

/* A line from the server longer than this is cut; more lines than this are dropped. */
#define SERVER_LINE_MAX 512
#define SERVER_LINES_MAX 200

/* True for git's own transfer counters, which arrive mixed with a hook's words. */
static int is_counter(const char *p, size_t len)
{
	static const char *const counters[] = {
		"Counting objects", "Compressing objects", "Enumerating objects",
		"Writing objects", "Resolving deltas", "Total ", NULL,
	};
	size_t i;

	for (i = 0; counters[i]; i++)
		if (len >= strlen(counters[i]) && strncmp(p, counters[i], strlen(counters[i])) == 0)
			return 1;
	return 0;
}

/*
 * One whole line from the server: kept for error messages and passed on
 * to the progress callback once.  Git's transfer counters are dropped, as
 * are lines beyond SERVER_LINES_MAX (a server could print without end).
 * Returns non-zero when the callback asks to stop.
 */
static int server_line(struct remote_ctx *c, const char *p, size_t len)
{
	repo_progress pr = { REPO_PROGRESS_MESSAGE, 0, 0, 0, p, len };

	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	pr.message_len = len;
	if (!len || is_counter(p, len) || c->lines >= SERVER_LINES_MAX)
		return 0;
	c->lines++;
	if (c->server.len < 4096) {
		if (c->server.len)
			hw_buf_puts(&c->server, "; ");
		hw_buf_add(&c->server, p, len);
	}
	if (c->opts->progress && c->opts->progress(&pr, c->opts->payload) != 0) {
		c->cancelled = 1;
		return -1;
	}
	return 0;
}

/* Pass on the line being reassembled, if any. */
static int server_flush(struct remote_ctx *c)
{
	int rc = 0;

	if (c->line.len && !hw_buf_oom(&c->line))
		rc = server_line(c, c->line.ptr, c->line.len);
	hw_buf_truncate(&c->line, 0);
	c->line_cut = 0;
	return rc;
}

/*
 * The server's words (a hook's output) arrive in packets that may end in
 * the middle of a line, or hold several lines.  Reassemble them into whole
 * lines (ended by a newline, or by a carriage return as git's counters
 * are) before anything is shown or kept.
 */
static int cb_sideband(const char *str, int len, void *data)
{
	struct remote_ctx *c = data;
	const char *p = str, *end = str + (len > 0 ? len : 0);

	while (p < end) {
		const char *q = p;

		while (q < end && *q != '\n' && *q != '\r')
			q++;
		if (!c->line_cut) {
			size_t room = SERVER_LINE_MAX - c->line.len, take = (size_t)(q - p);

			if (take > room) {
				take = room;
				c->line_cut = 1;
			}
			hw_buf_add(&c->line, p, take);
		}
		if (q == end)
			break;
		if (server_flush(c) != 0)
			return -1;
		p = q + 1;
	}
	return 0;
}

/* Base64 of data (standard alphabet, no padding, as OpenSSH shows fingerprints) into out. */
static void base64(char *out, size_t size, const unsigned char *data, size_t len, int pad)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < size; i += 3) {
		unsigned v = (unsigned)data[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (unsigned)data[i + 1] << 8;
		if (left > 2)
			v |= data[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		if (left > 1)
			out[o++] = abc[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (left > 2)
			out[o++] = abc[v & 63];
		else if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
}

/* The name OpenSSH gives a host key type, or NULL. */
static const char *hostkey_type(git_cert_ssh_raw_type_t t)
{
	switch (t) {
	case GIT_CERT_SSH_RAW_TYPE_RSA: return "ssh-rsa";
	case GIT_CERT_SSH_RAW_TYPE_DSS: return "ssh-dss";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
	case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return "ssh-ed25519";
	default: return NULL;
	}
}

/*
 * The host and port of an ssh URL (ssh://[user@]host[:port]/path or the
 * scp form [user@]host:path), as known_hosts names them: "host" for port
 * 22, "[host]:port" otherwise.  "" when url is not of that kind.
 */
static void known_hosts_name(const char *url, const char *host, char *out, size_t size)
{
	const char *p, *end, *at;
	long port = 22;

	if (!strncmp(url, "ssh://", 6)) {
		p = url + 6;
		end = p + strcspn(p, "/");
		at = memchr(p, '@', (size_t)(end - p));
		if (at)
			p = at + 1;
		if (*p == '[') {
			const char *close = memchr(p, ']', (size_t)(end - p));

			if (close && close + 1 < end && close[1] == ':')
				port = strtol(close + 2, NULL, 10);
		} else {
			const char *colon = memchr(p, ':', (size_t)(end - p));

			if (colon)
				port = strtol(colon + 1, NULL, 10);
		}
	}
	if (port <= 0 || port > 65535)
		port = 22;
	if (port == 22)
		snprintf(out, size, "%s", host);
	else
		snprintf(out, size, "[%s]:%ld", host, port);
}

/*
 * The server's identity, checked by libgit2: an ssh host key against
 * ~/.ssh/known_hosts (of $HOME), a TLS certificate against the trusted
 * authorities (sync.ca_file or the system's) and the host name.  A key or
 * certificate that does not check out is refused, and what the user needs
 * to decide is written down: the fingerprint, and how to accept it.
 */
static int cb_certificate(git_cert *cert, int valid, const char *host, void *data)
{
	struct remote_ctx *c = data;

	if (valid)
		return 0;
	c->untrusted = 1;
	hw_buf_truncate(&c->trust, 0);
	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
		const git_cert_hostkey *k = (const git_cert_hostkey *)cert;
		const char *type = k->type & GIT_CERT_SSH_RAW ? hostkey_type(k->raw_type) : NULL;
		char fp[128] = "", name[300], key[1400];

		if (k->type & GIT_CERT_SSH_SHA256) {
			memcpy(fp, "SHA256:", 7);
			base64(fp + 7, sizeof(fp) - 7, k->hash_sha256, sizeof(k->hash_sha256), 0);
		} else if (k->type & GIT_CERT_SSH_SHA1) {
			memcpy(fp, "SHA1:", 5);
			base64(fp + 5, sizeof(fp) - 5, k->hash_sha1, sizeof(k->hash_sha1), 0);
		}
		known_hosts_name(c->url, host, name, sizeof(name));
		hw_buf_printf(&c->trust, "the ssh host key of %s is not in ~/.ssh/known_hosts, or is not "
			      "the one recorded there (its fingerprint is %s); nothing was exchanged. "
			      "Ask the administrator of the central repository for its fingerprint; "
			      "if it is the same, accept the key by adding this line to "
			      "~/.ssh/known_hosts", name, fp[0] ? fp : "unknown");
		if (type && k->hostkey_len <= 600) {
			base64(key, sizeof(key), (const unsigned char *)k->hostkey, k->hostkey_len, 1);
			hw_buf_printf(&c->trust, ": %s %s %s", name, type, key);
		} else {
			hw_buf_printf(&c->trust, " (ssh-keyscan shows it)");
		}
	} else if (cert->cert_type == GIT_CERT_X509) {
		const git_cert_x509 *x = (const git_cert_x509 *)cert;
		char hex[HW_SHA256_HEX + 1], fp[3 * HW_SHA256_HEX / 2];
		size_t i;

		/* As `openssl x509 -fingerprint -sha256` shows it: AB:CD:... */
		hw_sha256_hex(x->data, x->len, hex);
		for (i = 0; i < HW_SHA256_HEX / 2; i++) {
			fp[3 * i] = (char)toupper((unsigned char)hex[2 * i]);
			fp[3 * i + 1] = (char)toupper((unsigned char)hex[2 * i + 1]);
			fp[3 * i + 2] = i + 1 < HW_SHA256_HEX / 2 ? ':' : '\0';
		}
		hw_buf_printf(&c->trust, "the TLS certificate of %s is not trusted (SHA-256 fingerprint "
			      "%s): it is not signed by an authority this device trusts, has expired, "
			      "or is not made out to %s; nothing was exchanged. If the central "
			      "repository uses its "
			      "own authority, give that authority's certificate (PEM): "
			      "homeward config set sync.ca_file FILE", host, fp, host);
	} else {
		hw_buf_printf(&c->trust, "the identity of %s could not be verified; nothing was exchanged",
			      host);
	}
	git_error_set_str(GIT_ERROR_NET, "the server's identity could not be verified");
	return GIT_ECERTIFICATE;
}

/* Report objects received. */
static int cb_transfer(const git_indexer_progress *stats, void *data)
{
	struct remote_ctx *c = data;
	repo_progress p = { REPO_PROGRESS_FETCH, stats->received_objects, stats->total_objects,
			    stats->received_bytes, NULL, 0 };

	if (c->opts->progress && c->opts->progress(&p, c->opts->payload) != 0) {
		c->cancelled = 1;
		return -1;
	}
	return 0;
}

/* Report objects sent. */
static int cb_push_transfer(unsigned int current, unsigned int total, size_t bytes, void *data)
{
	struct remote_ctx *c = data;
	repo_progress p = { REPO_PROGRESS_PUSH, current, total, bytes, NULL, 0 };

	if (c->opts->progress && c->opts->progress(&p, c->opts->payload) != 0) {
		c->cancelled = 1;
		return -1;
	}
	return 0;
}

/*
 * The server's verdict on each ref.  git_remote_push returns 0 even when
 * the server refused a ref: a non-NULL status here is the only signal.
 */
static int cb_update_ref(const char *refname, const char *status, void *data)
{
	struct remote_ctx *c = data;

	if (status) {
		if (c->rejected.len)
			hw_buf_puts(&c->rejected, "; ");
		hw_buf_printf(&c->rejected, "%s: %s", refname, status);
	}
	return 0;
}

/*
 * Give libgit2 credentials from the front end's callback, or the ssh agent
 * once when there is none.  libgit2 calls again after every refusal, so
 * count and give up after max_auth_tries.
 */
/*
 * The front end's callback may ask a person (a token typed at a prompt):
 * that time is not the server's silence (netwatch.h).
 */
static int held_credentials(struct remote_ctx *c, repo_cred *cred, const char *url,
			    const char *user, unsigned allowed)
{
	int rc;

	netwatch_hold();
	rc = c->opts->credentials(cred, url, user, allowed, c->auth_tries, c->opts->payload);
	netwatch_resume();
	return rc;
}

static int cb_credentials(git_credential **out, const char *url, const char *username_from_url,
			  unsigned int allowed_types, void *data)
{
	struct remote_ctx *c = data;
	int max = c->opts->max_auth_tries > 0 ? c->opts->max_auth_tries : 3;
	unsigned allowed = 0;
	repo_cred cred;
	int rc;

	if (++c->auth_tries > max) {
		c->auth_given_up = 1;
		git_error_set_str(GIT_ERROR_NET, "credentials refused; giving up");
		return GIT_EAUTH;
	}
	if (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT)
		allowed |= REPO_CRED_USERPASS;
	if (allowed_types & GIT_CREDENTIAL_SSH_KEY)
		allowed |= REPO_CRED_SSH_KEY | REPO_CRED_SSH_AGENT;

	memset(&cred, 0, sizeof(cred));
	if (!c->opts->credentials) {
		if (!(allowed & REPO_CRED_SSH_AGENT) || c->auth_tries > 1) {
			c->auth_given_up = 1;
			if (c->auth_tries == 1)
				c->note.what = REPO_AUTH_NOTHING_GIVEN;
			git_error_set_str(GIT_ERROR_NET, "the remote asks for credentials and none were given");
			return GIT_EAUTH;
		}
		cred.kind = REPO_CRED_SSH_AGENT;
	} else if (held_credentials(c, &cred, url, username_from_url, allowed) != 0) {
		c->auth_given_up = 1;
		if (c->auth_tries == 1) {
			/* Nothing was offered: say so rather than "refused". */
			c->offered[0] = '\0';
			c->note.what = REPO_AUTH_NOTHING_GIVEN;
		}
		git_error_set_str(GIT_ERROR_NET, c->auth_tries == 1
				  ? "the server asks for credentials and none were given (a token, or an ssh key)"
				  : "no credentials given");
		return GIT_EAUTH;
	}

	{
		const char *user = cred.username[0] ? cred.username
				   : username_from_url ? username_from_url : "git";

		c->note.what = REPO_AUTH_REFUSED;
		c->note.kind = cred.kind;
		snprintf(c->note.user, sizeof(c->note.user), "%s", user);
		c->note.key[0] = '\0';
		switch (cred.kind) {
		case REPO_CRED_USERPASS:
			snprintf(c->offered, sizeof(c->offered), "the user name %.200s and its password or token",
				 user);
			rc = git_credential_userpass_plaintext_new(out, user, cred.secret);
			break;
		case REPO_CRED_SSH_KEY:
			snprintf(c->offered, sizeof(c->offered), "the ssh key %.400s for the user %.100s",
				 cred.private_key, user);
			snprintf(c->note.key, sizeof(c->note.key), "%.1000s", cred.private_key);
			if (access(cred.private_key, R_OK) != 0) {
				/* libssh2 would say "Unable to extract public key": say which file. */
				c->auth_given_up = 1;
				c->note.what = REPO_AUTH_KEY_UNREADABLE;
				c->note.errnum = errno;
				git_error_set(GIT_ERROR_SSH, "the ssh key %s cannot be read: %s",
					      cred.private_key, strerror(errno));
				c->offered[0] = '\0';
				rc = GIT_EAUTH;
				break;
			}
			rc = git_credential_ssh_key_new(out, user,
							cred.public_key[0] ? cred.public_key : NULL,
							cred.private_key,
							cred.secret[0] ? cred.secret : NULL);
			break;
		case REPO_CRED_SSH_AGENT:
			snprintf(c->offered, sizeof(c->offered), "the keys of the ssh agent for the user %.100s",
				 user);
			rc = git_credential_ssh_key_from_agent(out, user);
			break;
		default:
			git_error_set_str(GIT_ERROR_NET, "unsupported kind of credentials");
			rc = GIT_EAUTH;
			break;
		}
	}
	/* The secret is copied into the credential: do not leave it around. */
	memset(cred.secret, 0, sizeof(cred.secret));
	return rc;
}

/* Fill libgit2 callbacks pointing at c. */
static void remote_callbacks(git_remote_callbacks *cbs, struct remote_ctx *c)
{
	cbs->sideband_progress = cb_sideband;
	cbs->transfer_progress = cb_transfer;
	cbs->push_transfer_progress = cb_push_transfer;
	cbs->push_update_reference = cb_update_ref;
	cbs->credentials = cb_credentials;
	cbs->certificate_check = cb_certificate;
	cbs->payload = c;
}

/*
 * A reference name from a libgit2 message ("... reference name 'NAME' is
 * not valid"), cut to 200 bytes with everything but printable ASCII shown
 * as '?', into out; 0 when the message is not about a bad name.
 */
static int bad_ref_name(const char *msg, char out[256])
{
	const char *p = strstr(msg, "reference name '"), *q;
	size_t n, i;

	if (!p || !strstr(msg, "is not valid"))
		return 0;
	p += strlen("reference name '");
	if (!(q = strstr(p, "' is not valid")))
		return 0;
	n = (size_t)(q - p) < 200 ? (size_t)(q - p) : 200;
	for (i = 0; i < n; i++)
		out[i] = p[i] > 0x20 && p[i] < 0x7f ? p[i] : '?';
	out[n] = '\0';
	return 1;
}

/* "3 minutes" for an age in seconds, into out. */
static void age_text(char *out, size_t size, double secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(out, size, "%.0f seconds", secs);
	else if (secs < 7200)
		snprintf(out, size, "%.0f minutes", secs / 60);
	else if (secs < 172800)
		snprintf(out, size, "%.0f hours", secs / 3600);
	else
		snprintf(out, size, "%.0f days", secs / 86400);
}

/*
 * A lock file named in a libgit2 message ("failed to lock file 'PATH' for
 * writing"), into out; 0 when the message names none.
 */
static int locked_file(const char *msg, char *out, size_t size)
{
	const char *p = strstr(msg, "lock file '"), *q;
	size_t n;

	if (!p)
		return 0;
	p += strlen("lock file '");
	if (!(q = strstr(p, ".lock'")))
		return 0;
	n = (size_t)(q - p) + 5;
	if (n >= size)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/*
 * When msg says a lock file stood in the way, HW_ELOCKED naming it with its
 * age and how to clear it; else 0.
 *
 * A folder remote is written in-process: a sync that was cut while it
 * updated a ref there left NAME.lock behind, and no later run can update
 * that ref until it is gone.  Nothing on this device can tell whether
 * another device is writing right now, so say how old the file is and
 * leave the decision to the user.
 */
static int lock_fail(const char *msg, const char *what, const char *url, hw_error *err)
{
	char lock[1024], age[64];
	struct stat st;

	if (!locked_file(msg, lock, sizeof(lock)))
		return 0;
	if (stat(lock, &st) != 0)
		return hw_error_set(err, HW_ELOCKED,
				    "%s %s: %s was there a moment ago: another sync was writing; try again",
				    what, url, lock);
	age_text(age, sizeof(age), difftime(time(NULL), st.st_mtime));
	return hw_error_set(err, HW_ELOCKED,
			    "%s %s: the central repository is locked by the file %s, made %s ago by "
			    "another sync that is still writing, or by one that was cut. If no one "
			    "else is syncing with it, remove that file and sync again",
			    what, url, lock, age);
}

/*
 * Hand the facts of a failure of credentials to the front end (code is
 * HW_EAUTH), or clear its note.
 */
static void auth_note_out(struct remote_ctx *c, int code, const char *what, const char *url,
			  const char *msg)
{
	repo_auth_note *n = c->opts->auth;

	if (!n)
		return;
	memset(n, 0, sizeof(*n));
	if (code != HW_EAUTH || c->note.what == REPO_AUTH_NONE)
		return;
	*n = c->note;
	n->pushing = strcmp(what, "pushing to") == 0;
	snprintf(n->url, sizeof(n->url), "%s", url);
	if (n->what == REPO_AUTH_REFUSED && !c->auth_given_up)
		snprintf(n->detail, sizeof(n->detail), "%s", msg);
}

/* Turn a failed remote operation into our code, with libgit2's words. */
static int remote_fail(struct remote_ctx *c, int gitcode, const char *what, const char *url,
		       hw_error *err)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown libgit2 error";
	char name[256], shown[1024];
	unsigned silence;
	int code;

	url = hw_url_shown(url, shown, sizeof(shown));

	if (bad_ref_name(msg, name))
		/*
		 * The remote was reached; one of its refs has a name git forbids
		 * (refs/heads/devices/../main in packed-refs), and the transport
		 * cannot list the refs while it is there.
		 */
		return hw_error_set(err, HW_ECORRUPT,
				    "%s %s: the central repository holds a reference whose name is "
				    "not valid, %s, and its refs cannot be listed while it is there; "
				    "remove it on the server: delete its line from the repository's "
				    "packed-refs file (or the file of that name under refs/)",
				    what, url, name);
	if (c->cancelled)
		return hw_error_set(err, HW_ERROR, "%s %s: cancelled", what, url);
	if ((silence = netwatch_cut()) != 0)
		/* Whatever libgit2 made of the closed connection, the cause is the silence. */
		return hw_error_set(err, HW_ESILENT, "%s %s: the server sent nothing for %u seconds and "
				    "the connection was closed (to wait longer: homeward config set "
				    "sync.timeout SECONDS)", what, url, silence);
	if (c->untrusted)
		return hw_error_set(err, HW_EUNTRUSTED, "%s %s: %s", what, url,
				    c->trust.len ? c->trust.ptr : "the server's identity could not be verified");
	if ((code = lock_fail(msg, what, url, err)) < 0)
		return code;
	if (e && e->klass == GIT_ERROR_NOMEMORY)
		/*
		 * The remote was reached: this machine ran out of memory on what
		 * it sent (libgit2 reads a file whole to pack it, from a folder
		 * remote too).  Not "cannot reach the central repository".
		 */
		return hw_error_set(err, HW_ERROR, "%s %s: out of memory (%s)", what, url, msg);
	code = HW_ENETWORK;
	if (gitcode == GIT_ENONFASTFORWARD)
		code = REPO_ENONFASTFORWARD;
	else if (gitcode == GIT_EAUTH || c->auth_given_up)
		code = HW_EAUTH;
	if (code == HW_EAUTH && c->note.what == REPO_AUTH_REFUSED && !c->offered[0])
		c->note.what = REPO_AUTH_NONE;
	auth_note_out(c, code, what, url, msg);
	if (code == HW_EAUTH && c->offered[0] && c->auth_given_up)
		/* Refused, and asked again until we gave up: libgit2's words add nothing. */
		return hw_error_set(err, code, "%s %s: the server did not accept %s", what, url,
				    c->offered);
	if (code == HW_EAUTH && c->offered[0])
		return hw_error_set(err, code, "%s %s: the server did not accept %s (%s)", what, url,
				    c->offered, msg);
	if (c->server.len)
		return hw_error_set(err, code, "%s %s: %s (server said: %s)", what, url, msg,
				    c->server.ptr);
	return hw_error_set(err, code, "%s %s: %s", what, url, msg);
}

/*
 * Make an anonymous remote for url with our callbacks; with the options'
 * ca_file, trust that authority's certificates for TLS.
 */
static int remote_begin(struct remote_ctx *c, git_remote **remote, git_remote_callbacks *cbs,
			hw_repo *r, const char *url, const repo_remote_opts *opts, hw_error *err)
{
	static const repo_remote_opts defaults = REPO_REMOTE_OPTS_INIT;
	char shown[1024];

	memset(c, 0, sizeof(*c));
	c->opts = opts ? opts : &defaults;
	c->url = url ? url : "";
	/*
	 * Only a server is waited on: a folder remote runs in this process.
	 * Disarmed by remote_end, which every caller reaches.
	 */
	if (url && push_url_kind(url))
		netwatch_arm(c->opts->timeout ? c->opts->timeout : NETWATCH_DEFAULT_SECONDS);
	if (c->opts->auth)
		memset(c->opts->auth, 0, sizeof(*c->opts->auth));
	*remote = NULL;
	if (!url || !*url)
		return hw_error_set(err, HW_EINVALID, "no remote given");
	if (c->opts->ca_file && *c->opts->ca_file) {
		if (access(c->opts->ca_file, R_OK) != 0)
			return hw_error_set(err, HW_EINVALID, "sync.ca_file: %s cannot be read: %s",
					    c->opts->ca_file, strerror(errno));
		if (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, c->opts->ca_file, NULL) < 0)
			return hw_error_set(err, HW_EINVALID,
					    "sync.ca_file: %s holds no certificate this program can use: %s",
					    c->opts->ca_file, git_msg());
	}
	if (git_remote_create_anonymous(remote, r->git, url) < 0)
		return hw_error_set(err, HW_EINVALID, "bad remote %s: %s",
				    hw_url_shown(url, shown, sizeof(shown)), git_msg());
	remote_callbacks(cbs, c);
	return 0;
}

/* Free what a remote operation held. */
static void remote_end(struct remote_ctx *c, git_remote *remote)
{
	netwatch_disarm();
	hw_buf_free(&c->rejected);
	hw_buf_free(&c->server);
	hw_buf_free(&c->line);
	hw_buf_free(&c->trust);
	git_remote_free(remote);
}

static int libgit2_push;

void repo_set_libgit2_push(int on)
{
	libgit2_push = on;
}

int repo_push(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
	      const repo_remote_opts *opts, hw_error *err)
{
	return repo_push_peek(r, url, refspecs, n, opts, NULL, NULL, NULL, err);
}

int repo_push_peek(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
		   const repo_remote_opts *opts, const char *peek_ref, char peek_oid[REPO_OID_HEX + 1],
		   int *peeked, hw_error *err)
{
	struct push_peek peek = { peek_ref, { { 0 } }, 0, 0 };
	struct remote_ctx c;
	git_push_options po;
	git_remote *remote = NULL;
	git_strarray specs = { (char **)refspecs, n };
	char shown[1024];
	int rc;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	if ((rc = remote_begin(&c, &remote, &po.callbacks, r, url, opts, err)) < 0)
		goto cleanup;
	/*
	 * Servers get a pack of what is new (push.c); folders, and what that
	 * push leaves aside, go through libgit2's own push.
	 */
	if (peeked)
		*peeked = -1;
	rc = libgit2_push ? PUSH_FALLBACK
			  : push_smart(r->git, remote, url, refspecs, n, &po.callbacks, &peek);
	if (rc == PUSH_FALLBACK) {
		peek.known = 0;
		po.callbacks.transport = net_transport;   /* waits on a server watched */
		rc = git_remote_push(remote, &specs, &po);
	}
	if (rc >= 0 && peeked && peek.known) {
		*peeked = peek.seen;
		if (peek.seen && peek_oid)
			git_oid_tostr(peek_oid, REPO_OID_HEX + 1, &peek.oid);
	}
	/* The server's last words may lack a newline. */
	if (server_flush(&c) != 0 && rc == 0)
		rc = -1;
	if (rc < 0) {
		rc = remote_fail(&c, rc, "pushing to", url, err);
		goto cleanup;
	}
	if (hw_buf_oom(&c.rejected)) {
		/* A refusal we could not write down is still a refusal. */
		rc = hw_error_set(err, HW_EREJECTED, "%s refused a reference (out of memory naming it)", hw_url_shown(url, shown, sizeof(shown)));
		goto cleanup;
	}
	if (c.rejected.len &&
	    (rc = lock_fail(c.rejected.ptr, "pushing to", hw_url_shown(url, shown, sizeof(shown)), err)) < 0)
		goto cleanup;
	if (c.rejected.len) {
		/* "pre-receive hook declined" is terse: add what the hook printed. */
		if (c.server.len)
			rc = hw_error_set(err, HW_EREJECTED, "%s refused %s (server said: %s)",
					  hw_url_shown(url, shown, sizeof(shown)), c.rejected.ptr, c.server.ptr);
		else
			rc = hw_error_set(err, HW_EREJECTED, "%s refused %s",
					  hw_url_shown(url, shown, sizeof(shown)), c.rejected.ptr);
		goto cleanup;
	}

cleanup:
	remote_end(&c, remote);
	return rc;
}

/* A ref prune deletes, and the commit it held. */
struct pruned_ref {
	char *name;
	char commit[REPO_OID_HEX + 1];
};

/*
 * Before a fetch, once connected: delete each local ref that a glob
 * refspec maps to and whose source the server does not list, so that a
 * branch removed on the server does not live on here.  Only globs: the
 * ref of a named refspec stays when the server lacks its source
 * (repo_fetch), even inside a glob's namespace.  Symbolic refs are left
 * alone.
 */
static int prune_refs(hw_repo *r, git_remote *remote, const char *const *refspecs, size_t n,
		      const repo_remote_opts *opts, hw_error *err)
{
	const git_remote_head **heads;
	const char **listed = NULL;
	struct pruned_ref *gone = NULL;
	size_t nheads = 0, ngone = 0, i, j;
	git_refspec *spec = NULL;
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	git_buf src = GIT_BUF_INIT;
	int rc;

	/* The refs the server listed as the connection opened, sorted. */
	if ((rc = git_remote_ls(&heads, &nheads, remote)) < 0)
		return repo_fail(err, rc, "listing the remote's refs");
	if (!(listed = malloc((nheads + 1) * sizeof(*listed))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	for (i = 0; i < nheads; i++)
		listed[i] = heads[i]->name;
	if (nheads)
		qsort(listed, nheads, sizeof(*listed), cmp_str);

	for (i = 0; i < n; i++) {
		if (!strchr(refspecs[i], '*'))
			continue;
		if ((rc = git_refspec_parse(&spec, refspecs[i], 1)) < 0 ||
		    (rc = git_reference_iterator_glob_new(&it, r->git, git_refspec_dst(spec))) < 0) {
			rc = repo_fail(err, rc, "pruning refs");
			goto cleanup;
		}
		while ((rc = git_reference_next(&ref, it)) == 0) {
			const char *name = git_reference_name(ref), *src_name;
			struct pruned_ref *grown;
			int named = 0;

			if (git_reference_type(ref) != GIT_REFERENCE_DIRECT ||
			    !git_refspec_dst_matches(spec, name))
				goto next;
			for (j = 0; j < n && !named; j++) {
				const char *dst = strchr(refspecs[j], ':');

				named = !strchr(refspecs[j], '*') && dst && strcmp(dst + 1, name) == 0;
			}
			if (named)
				goto next;
			git_buf_dispose(&src);
			if ((rc = git_refspec_rtransform(&src, spec, name)) < 0) {
				rc = repo_fail(err, rc, "pruning refs");
				goto cleanup;
			}
			src_name = src.ptr;
			if (nheads && bsearch(&src_name, listed, nheads, sizeof(*listed), cmp_str))
				goto next;
			if (!(grown = realloc(gone, (ngone + 1) * sizeof(*gone))) ||
			    !(grown[ngone].name = hw_strdup(name))) {
				if (grown)
					gone = grown;
				rc = hw_error_set(err, HW_ERROR, "out of memory");
				goto cleanup;
			}
			gone = grown;
			oid_hex(gone[ngone++].commit, git_reference_target(ref));
next:
			git_reference_free(ref);
			ref = NULL;
		}
		if (rc != GIT_ITEROVER) {
			rc = repo_fail(err, rc, "pruning refs");
			goto cleanup;
		}
		rc = 0;
		git_reference_iterator_free(it);
		it = NULL;
		git_refspec_free(spec);
		spec = NULL;
	}

	/* Deleted once the listing is done, never under an iterator. */
	for (i = 0; i < ngone; i++) {
		if ((rc = git_reference_remove(r->git, gone[i].name)) < 0 && rc != GIT_ENOTFOUND) {
			rc = repo_fail(err, rc, "deleting a ref the remote no longer has");
			goto cleanup;
		}
		rc = 0;
		if (opts->pruned && (rc = opts->pruned(gone[i].name, gone[i].commit, opts->payload)) != 0) {
			/* The callback may have said why (err); else it stopped us. */
			if (rc > 0 || !err->code)
				rc = hw_error_set(err, HW_ERROR, "pruning refs: stopped by the caller");
			goto cleanup;
		}
	}

cleanup:
	git_reference_free(ref);
	git_reference_iterator_free(it);
	git_refspec_free(spec);
	git_buf_dispose(&src);
	for (i = 0; i < ngone; i++)
		free(gone[i].name);
	free(gone);
	free(listed);
	return rc;
}

int repo_fetch(hw_repo *r, const char *url, const char *const *refspecs, size_t n,
	       const repo_remote_opts *opts, hw_error *err)
{
	struct remote_ctx c;
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_strarray specs = { (char **)refspecs, n };
	int rc;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	if ((rc = remote_begin(&c, &remote, &fo.callbacks, r, url, opts, err)) < 0)
		goto cleanup;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	/* Both watch every wait on a server (netwatch.h); folders go through libgit2's own. */
	fo.callbacks.transport = opts && opts->whole_pack ? fetch_transport : net_transport;
	fo.update_fetchhead = 0;
	if (opts && opts->prune) {
		/*
		 * Not libgit2's own prune (git_fetch_options.prune): it prunes by
		 * every refspec, and would delete main's copy when a server lost
		 * main; only the namespaces of globs are pruned here.  And first,
		 * from the refs the server lists as the connection opens, as git
		 * does: the copy of a removed devices/x would keep a new
		 * devices/x/y from being written.  The fetch goes on in the same
		 * connection.
		 */
		rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &fo.callbacks, &fo.proxy_opts,
					&fo.custom_headers);
		if (server_flush(&c) != 0 && rc == 0)
			rc = -1;
		if (rc < 0) {
			rc = remote_fail(&c, rc, "fetching from", url, err);
			goto cleanup;
		}
		if ((rc = prune_refs(r, remote, refspecs, n, opts, err)) < 0)
			goto cleanup;
	}
	rc = git_remote_fetch(remote, &specs, &fo, "homeward: fetch");
	if (server_flush(&c) != 0 && rc == 0)
		rc = -1;
	if (rc < 0)
		rc = remote_fail(&c, rc, "fetching from", url, err);

cleanup:
	remote_end(&c, remote);
	return rc;
}
