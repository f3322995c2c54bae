/* workspace.c: the workspace folder and its handle. */
#include "config.h"
#include "workspace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

struct hw_ws {
	char *dir;
	char *repo_dir;
	char *forms_dir;
	hw_store *store;
	char *device_id;      /* cached settings, "" until init */
	char *author;
	char *datadir;        /* the front end's, or NULL */
	char *keys_path;
	hw_keys *keys;        /* unlocked device keys, or NULL */
	hw_kdf *kdf;          /* the key derived from the passphrase, for this handle's life */
	char *db_path;
	char *dbkey_path;     /* the database key, sealed under the passphrase */
	unsigned flags;       /* WS_OPEN_* it was opened with (for reopening) */
	char *fault;          /* a step of a change of passphrase to die at (tests), or NULL */
	long max_db_growth;
	hw_error err;
};

/* fsync a folder, so that a rename in it lasts. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Re-read the cached settings. */
static void load_identity(hw_ws *ws)
{
	char *v = NULL;

	free(ws->device_id);
	free(ws->author);
	ws->device_id = store_setting_get(ws->store, WS_DEVICE_ID, &v, NULL) == 0 ? v : strdup("");
	v = NULL;
	ws->author = store_setting_get(ws->store, WS_NAME, &v, NULL) == 0 ? v : strdup("");
}

/* True if the folder holds nothing (or cannot be read: then it is not ours to change). */
static int folder_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = d != NULL;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			empty = 0;
			break;
		}
	if (d)
		closedir(d);
	return empty;
}

int ws_exposed_entry(const char *dir, char **path, unsigned *mode, int *is_dir)
{
	DIR *d;
	struct dirent *e;
	struct stat sb;
	char *p = NULL;
	int rc = HW_ENOTFOUND;

	*path = NULL;
	*mode = 0;
	*is_dir = 0;
	/* The folder keeps everyone else out; its entries are checked too, in case it opens. */
	if (!(p = strdup(dir)))
		return HW_ERROR;
	if (stat(p, &sb) == 0 && (sb.st_mode & 077))
		goto found;
	free(p);
	p = NULL;
	if (!(d = opendir(dir)))
		return HW_ENOTFOUND;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!(p = hw_path_join(dir, e->d_name))) {
			rc = HW_ERROR;
			break;
		}
		if (stat(p, &sb) == 0 && (sb.st_mode & 077))
			break;
		free(p);
		p = NULL;
	}
	closedir(d);
	if (!p)
		return rc;
found:
	*path = p;
	*mode = (unsigned)(sb.st_mode & 07777);
	*is_dir = S_ISDIR(sb.st_mode);
	return 0;
}

int ws_check_private(const char *dir, hw_error *err)
{
	char *path = NULL;
	unsigned mode;
	int is_dir, rc = ws_exposed_entry(dir, &path, &mode, &is_dir);

	if (rc == HW_ERROR)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (rc < 0)
		return 0;
	rc = hw_error_set(err, HW_EEXPOSED,
			  "%s can be %s by other users of this computer (mode %04o); "
			  "make it private with: chmod %s %s",
			  path, is_dir ? "entered" : "read", mode, is_dir ? "700" : "600", path);
	free(path);
	return rc;
}

/* Read a small file of root + path into buf, without its line break; -1 when it cannot. */
static int read_small(const char *root, const char *path, char *buf, size_t size)
{
	char full[PATH_MAX];
	FILE *f;
	size_t n;

	if (snprintf(full, sizeof(full), "%s%s", root, path) >= (int)sizeof(full) ||
	    !(f = fopen(full, "r")))
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* 1 if the block device MAJ:MIN is dm-crypt or lies on one (its slaves, depth levels down). */
static int dev_on_crypt(const char *root, const char *majmin, int depth)
{
	char path[PATH_MAX], buf[256];
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (depth > 8)
		return 0;
	snprintf(path, sizeof(path), "/sys/dev/block/%s/dm/uuid", majmin);
	if (read_small(root, path, buf, sizeof(buf)) == 0 && strncmp(buf, "CRYPT-", 6) == 0)
		return 1;
	/* LVM on LUKS and the like: the devices this one is made of. */
	snprintf(path, sizeof(path), "%s/sys/dev/block/%s/slaves", root, majmin);
	if (!(d = opendir(path)))
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		char dev[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(dev, sizeof(dev), "/sys/class/block/%s/dev", e->d_name);
		if (read_small(root, dev, buf, sizeof(buf)) == 0)
			found = dev_on_crypt(root, buf, depth + 1);
	}
	closedir(d);
	return found;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_mount(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int ws_disk_encrypted(const char *path, const char *root, int *out, hw_error *err)
{
	char real[PATH_MAX], full[PATH_MAX], line[4096], best_dev[64] = "", best_src[PATH_MAX] = "";
	size_t best = 0;
	FILE *f;
	struct stat sb;

	*out = 0;
	if (!root)
		root = "";
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	snprintf(full, sizeof(full), "%s/proc/self/mountinfo", root);
	if (!(f = fopen(full, "r")))
		return hw_error_set(err, HW_ENOTFOUND, "cannot read %s: %s", full, strerror(errno));
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	while (fgets(line, sizeof(line), f)) {
		char dev[64], mnt[PATH_MAX], *dash = strstr(line, " - "), src[PATH_MAX] = "";
		size_t n;

		if (sscanf(line, "%*s %*s %63s %*s %4095s", dev, mnt) != 2)
			continue;
		unescape_mount(mnt);
		n = strlen(mnt);
		if (!(strncmp(real, mnt, n) == 0 && (real[n] == '/' || real[n] == '\0' ||
						       (n == 1 && mnt[0] == '/'))) || n < best)
			continue;
		if (dash && sscanf(dash + 3, "%*s %4095s", src) == 1)
			unescape_mount(src);
		best = n;
		snprintf(best_dev, sizeof(best_dev), "%s", dev);
		snprintf(best_src, sizeof(best_src), "%s", src);
	}
	fclose(f);
	if (!best_dev[0])
		return hw_error_set(err, HW_ENOTFOUND, "no mount holds %s", real);
	*out = dev_on_crypt(root, best_dev, 0);
	/* Some file systems (btrfs) show an anonymous device: ask the source's. */
	if (!*out && strncmp(best_src, "/dev/", 5) == 0) {
		snprintf(full, sizeof(full), "%s%s", root, best_src);
		if (stat(full, &sb) == 0 && S_ISBLK(sb.st_mode)) {
			snprintf(best_dev, sizeof(best_dev), "%u:%u", major(sb.st_rdev), minor(sb.st_rdev));
			*out = dev_on_crypt(root, best_dev, 0);
		}
	}
	return 0;
}

int ws_open(hw_ws **out, const char *dir, unsigned flags, const hw_secret *key, hw_error *err)
{
	ws_options o = WS_OPTIONS_INIT;

	o.flags = flags;
	o.key = key;
	return ws_open_ext(out, dir, &o, err);
}

/*
 * The database key: from the key file opened with pass, or the raw key.  A
 * new workspace (no database yet) gets a new key, and with pass its file.
 */
static int database_key(hw_ws *ws, const hw_secret *pass, const hw_secret *raw,
			int create, hw_secret **out, hw_error *err)
{
	struct stat sb;
	int db_exists = stat(ws->db_path, &sb) == 0;
	int rc;

	*out = NULL;
	if (db_exists && store_file_is_plain(ws->db_path))
		return hw_error_set(err, HW_EINVALID, "%s is not encrypted: encrypt it once with: "
				    "homeward migrate workspace (it keeps a backup until the encrypted "
				    "one opens)", ws->db_path);
	if (!pass && !raw)
		return hw_error_set(err, HW_EAUTH, "the workspace is locked: its passphrase is needed");
	if (raw) {
		if ((rc = secret_new(out, secret_len(raw), err)) < 0)
			return rc;
		memcpy(secret_data(*out), secret_cdata(raw), secret_len(raw));
		secret_set_len(*out, secret_len(raw));
		return 0;
	}
	if (!db_exists) {
		if (!create)
			return hw_error_set(err, HW_ENOTFOUND, "no database at %s", ws->db_path);
		/* A key file without a database (an interrupted init) protects nothing. */
		unlink(ws->dbkey_path);
		if ((rc = dbkey_generate(out, err)) < 0)
			return rc;
		if ((rc = dbkey_save(*out, ws->dbkey_path, pass, ws->kdf, err)) < 0) {
			secret_free(*out);
			*out = NULL;
		}
		return rc;
	}
	if (!hw_exists(ws->dbkey_path))
		return hw_error_set(err, HW_ECORRUPT, "the database key %s is missing: without it "
				    "%s cannot be read; restore the file from a backup", ws->dbkey_path,
				    ws->db_path);
	return dbkey_load(out, ws->dbkey_path, pass, ws->kdf, err);
}

/* Open the database with its key. */
static int open_store(hw_ws *ws, const hw_secret *pass, const hw_secret *raw, hw_error *err)
{
	hw_secret *key = NULL;
	int rc;

	if ((rc = database_key(ws, pass, raw, (ws->flags & WS_OPEN_CREATE) != 0, &key, err)) < 0)
		return rc;
	rc = store_open(&ws->store, ws->db_path, ((ws->flags & WS_OPEN_CREATE) ? STORE_CREATE : 0) |
			((ws->flags & WS_OPEN_READONLY) ? STORE_READONLY : 0), key, err);
	secret_free(key);
	if (rc == 0 && !(ws->flags & WS_OPEN_READONLY) &&
	    (rc = store_cap_growth(ws->store, ws->max_db_growth, err)) < 0) {
		store_free(ws->store);
		ws->store = NULL;
	}
	return rc;
}

static int passphrase_recover(hw_ws *ws, hw_error *err);

int ws_open_ext(hw_ws **out, const char *dir, const ws_options *opts, hw_error *err)
{
	static const ws_options defaults = WS_OPTIONS_INIT;
	hw_ws *ws = calloc(1, sizeof(*ws));
	unsigned flags;
	char *db = NULL;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	flags = opts->flags;
	if (!ws)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (opts->datadir && !(ws->datadir = strdup(opts->datadir))) {
		free(ws);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	ws->dir = strdup(dir);
	ws->repo_dir = hw_path_join(dir, "repo.git");
	ws->forms_dir = hw_path_join(dir, "forms");
	ws->keys_path = hw_path_join(dir, "keys");
	ws->dbkey_path = hw_path_join(dir, WS_DBKEY_FILE);
	ws->db_path = db = hw_path_join(dir, "homeward.db");
	ws->flags = flags;
	ws->max_db_growth = opts->max_db_growth;
	if (!ws->dir || !ws->repo_dir || !ws->forms_dir || !ws->keys_path || !db || !ws->dbkey_path) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto fail;
	}
	if ((rc = kdf_new(&ws->kdf, err)) < 0)
		goto fail;
	if (!hw_exists(dir)) {
		if (!(flags & WS_OPEN_CREATE)) {
			rc = hw_error_set(err, HW_ENOTFOUND,
					  "no workspace at %s (create one with: homeward init)", dir);
			goto fail;
		}
		if ((rc = hw_mkdir_p(dir, err)) < 0)
			goto fail;
	}
	/*
	 * A folder this call makes a workspace of becomes private; one that
	 * holds anything already is never changed, only refused if it is open.
	 */
	if ((flags & WS_OPEN_CREATE) && !(flags & WS_OPEN_READONLY) && folder_empty(dir) &&
	    chmod(dir, 0700) < 0) {
		rc = hw_error_set(err, HW_ERROR, "cannot protect %s: %s", dir, strerror(errno));
		goto fail;
	}
	if ((flags & WS_OPEN_READONLY) && (flags & WS_OPEN_CREATE)) {
		rc = hw_error_set(err, HW_EINVALID, "a workspace cannot be created read-only");
		goto fail;
	}
	{
		struct stat sb;

		/* An emptied database is a loss to report, never a new workspace to write over. */
		if (stat(db, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
			rc = hw_error_set(err, HW_ECORRUPT,
					  "%s is empty (0 bytes): restore it from a backup, or move it "
					  "away to start a new workspace", db);
			goto fail;
		}
	}
	if (!(flags & WS_OPEN_EXPOSED_OK) && (rc = ws_check_private(dir, err)) < 0)
		goto fail;
	/*
	 * A change of passphrase that did not finish is undone before any key
	 * is read; a read-only open too, where the files can be written (else
	 * the keys it reads may be half old, half new).
	 */
	if ((rc = passphrase_recover(ws, err)) < 0) {
		if (!(flags & WS_OPEN_READONLY) || rc == HW_EBUSY)
			goto fail;
		hw_error_clear(err);
	}
	if ((flags & WS_OPEN_CREATE) && (rc = hw_mkdir_p(ws->forms_dir, err)) < 0)
		goto fail;
	if (flags & WS_OPEN_LOCKED) {
		/* Nothing is read until the passphrase comes: only what is there is checked. */
		if (!hw_exists(db))
			rc = hw_error_set(err, HW_ENOTFOUND, "no database at %s", db);
		else if (store_file_is_plain(db))
			rc = hw_error_set(err, HW_EINVALID, "%s is not encrypted: encrypt it once with: "
					  "homeward migrate workspace (it keeps a backup until the "
					  "encrypted one opens)", db);
		else if (!(ws->device_id = strdup("")) || !(ws->author = strdup("")))
			rc = hw_error_set(err, HW_ERROR, "out of memory");
		else
			rc = 0;
	} else {
		rc = open_store(ws, opts->passphrase, opts->key, err);
	}
	if (rc == HW_ENOTFOUND)
		hw_error_set(err, HW_ENOTFOUND,
			     "%s is not a Homeward workspace (create one with: homeward init)", dir);
	if (rc < 0)
		goto fail;
	if (ws->store)
		load_identity(ws);
	*out = ws;
	return 0;
fail:
	ws_free(ws);
	return rc;
}

int ws_parse_duration(const char *text, int *seconds)
{
	char *end;
	long n;

	*seconds = 0;
	if (!text || !*text || *text < '0' || *text > '9')
		return HW_EINVALID;
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || n < 0)
		return HW_EINVALID;
	if (*end == 'm')
		n *= 60, end++;
	else if (*end == 'h')
		n *= 3600, end++;
	else if (*end == 's')
		end++;
	if (*end || n > 7 * 24 * 3600)
		return HW_EINVALID;
	*seconds = (int)n;
	return 0;
}

int ws_lock_after(hw_ws *ws)
{
	char *v = NULL;
	int s = WS_LOCK_AFTER_DEFAULT;

	if (ws->store && store_setting_get(ws->store, WS_LOCK_AFTER, &v, NULL) == 0 &&
	    ws_parse_duration(v, &s) < 0)
		s = WS_LOCK_AFTER_DEFAULT;
	free(v);
	return s;
}

int ws_sync_timeout_check(const char *text)
{
	int s;

	if (ws_parse_duration(text, &s) < 0 || s < 1 || s > WS_SYNC_TIMEOUT_MAX)
		return HW_EINVALID;
	return 0;
}

int ws_sync_timeout(hw_ws *ws)
{
	char *v = NULL;
	int s = WS_SYNC_TIMEOUT_DEFAULT;

	if (ws->store && store_setting_get(ws->store, WS_SYNC_TIMEOUT, &v, NULL) == 0 &&
	    (ws_sync_timeout_check(v) < 0 || ws_parse_duration(v, &s) < 0))
		s = WS_SYNC_TIMEOUT_DEFAULT;
	free(v);
	return s;
}

int ws_db_is_plain(const char *path)
{
	return store_file_is_plain(path);
}

void ws_lock(hw_ws *ws)
{
	store_free(ws->store);
	ws->store = NULL;
	keys_free(ws->keys);
	ws->keys = NULL;
	kdf_forget(ws->kdf);
}

int ws_is_locked(const hw_ws *ws)
{
	return ws->store == NULL;
}

int ws_unlock_store(hw_ws *ws, const hw_secret *pass)
{
	int rc;

	if (ws->store)
		return 0;
	/* A new database is never made here: it was there when the workspace opened. */
	ws->flags &= ~(unsigned)(WS_OPEN_CREATE | WS_OPEN_LOCKED);
	if (!pass || secret_len(pass) == 0)
		return hw_error_set(&ws->err, HW_EAUTH, "no passphrase");
	if ((rc = open_store(ws, pass, NULL, &ws->err)) < 0)
		return rc;
	load_identity(ws);
	return 0;
}

void ws_free(hw_ws *ws)
{
	if (!ws)
		return;
	store_free(ws->store);
	free(ws->dir);
	free(ws->repo_dir);
	free(ws->forms_dir);
	free(ws->datadir);
	free(ws->device_id);
	free(ws->author);
	free(ws->keys_path);
	free(ws->db_path);
	free(ws->dbkey_path);
	keys_free(ws->keys);
	kdf_free(ws->kdf);
	free(ws->fault);
	free(ws);
}

const hw_error *ws_error(const hw_ws *ws) { return &ws->err; }
hw_error *ws_err(hw_ws *ws) { return &ws->err; }
const char *ws_dir(const hw_ws *ws) { return ws->dir; }
const char *ws_repo_dir(const hw_ws *ws) { return ws->repo_dir; }
const char *ws_forms_dir(const hw_ws *ws) { return ws->forms_dir; }
hw_store *ws_store(hw_ws *ws) { return ws->store; }
const char *ws_device_id(hw_ws *ws) { return ws->device_id; }
const char *ws_author(hw_ws *ws) { return ws->author; }

int ws_get(hw_ws *ws, const char *key, char **out)
{
	return store_setting_get(ws->store, key, out, &ws->err);
}

int ws_db_encrypted(hw_ws *ws, int *out)
{
	return store_is_encrypted(ws->store, out, &ws->err);
}

int ws_pending_count(hw_ws *ws, int *out)
{
	return store_pending_count(ws->store, out, &ws->err);
}

int ws_set(hw_ws *ws, const char *key, const char *value)
{
	int rc = strcmp(key, WS_REMOTE) == 0 ? ws_set_remote(ws, value)
					    : store_setting_set(ws->store, key, value, &ws->err);

	if (rc == 0 && (strcmp(key, WS_DEVICE_ID) == 0 || strcmp(key, WS_NAME) == 0))
		load_identity(ws);
	return rc;
}

int ws_is_initialised(hw_ws *ws)
{
	return ws->device_id && *ws->device_id;
}

int ws_has_keys(hw_ws *ws)
{
	return hw_exists(ws->keys_path);
}

int ws_make_keys(hw_ws *ws, const hw_secret *pass)
{
	hw_keys *k = NULL;
	int rc;

	if (ws_has_keys(ws))
		return hw_error_set(&ws->err, HW_EEXISTS, "this workspace has its device keys already");
	if (!pass || secret_len(pass) == 0)
		return hw_error_set(&ws->err, HW_EINVALID, "the passphrase is empty");
	/* Nobody else on this machine reads the workspace. */
	if (chmod(ws->dir, 0700) < 0)
		return hw_error_set(&ws->err, HW_ERROR, "cannot protect %s", ws->dir);
	if ((rc = keys_generate(&k, &ws->err)) < 0)
		return rc;
	if ((rc = keys_save(k, ws->keys_path, pass, ws->kdf, &ws->err)) < 0) {
		keys_free(k);
		return rc;
	}
	keys_free(ws->keys);
	ws->keys = k;
	return 0;
}

/*
 * Changing the passphrase seals the device keys and the database key again
 * (never the database itself).  Two files cannot be renamed at once, so
 * the change is made recoverable by a marker file that is also its lock:
 *
 *   1. create CHANGE_MARKER (O_EXCL) and hold an flock on it;
 *   2. write keys.next and database.key.next under the new passphrase;
 *   3. link keys to keys.prev and database.key to database.key.prev;
 *   4. rename database.key.next, then keys.next, over the old files;
 *   5. remove CHANGE_MARKER: the change is done (the commit point);
 *   6. remove the .prev files.
 *
 * A run that stops before 5 (kill -9, a power cut) leaves the marker with
 * no process holding its lock: the next open puts the .prev files back and
 * removes the .next files, so the old passphrase opens the workspace as
 * before.  After 5 the new one does, and the next open removes what 6 left.
 */
#define CHANGE_MARKER "passphrase.change"

/* The sealed files a change rewrites, relative to the workspace folder. */
static const char *const sealed_files[] = { "keys", WS_DBKEY_FILE };

/* dir/name + suffix, or NULL. */
static char *ws_file(const hw_ws *ws, const char *name, const char *suffix)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s", ws->dir, name, suffix) < 0)
		return NULL;
	return p;
}

/* True while a change of passphrase has its marker in the workspace. */
static int change_under_way(const hw_ws *ws)
{
	char *m = ws_file(ws, CHANGE_MARKER, "");
	int there = !m || hw_exists(m);

	free(m);
	return there;
}

/*
 * Stop here, as a crash would, when ws_set_fault named this step of a
 * change of passphrase (tests kill the change between its steps this way).
 */
static void fault_point(const hw_ws *ws, const char *step)
{
	if (ws->fault && strcmp(ws->fault, step) == 0)
		kill(getpid(), SIGKILL);
}

int ws_set_fault(hw_ws *ws, const char *step)
{
	free(ws->fault);
	ws->fault = NULL;
	if (step && !(ws->fault = strdup(step)))
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	return 0;
}

/* Remove dir/name+suffix; 0, or -1 when it is there and stays. */
static int remove_file(const hw_ws *ws, const char *name, const char *suffix)
{
	char *p = ws_file(ws, name, suffix);
	int rc = p && (unlink(p) == 0 || errno == ENOENT) ? 0 : -1;

	free(p);
	return rc;
}

/* Undo a change of passphrase that stopped before its end, or finish the cleanup of one that ended. */
static int passphrase_recover(hw_ws *ws, hw_error *err)
{
	char *marker = ws_file(ws, CHANGE_MARKER, ""), *prev = NULL, *cur = NULL;
	struct stat sb;
	int fd = -1, rc = 0;
	size_t i;

	if (!marker)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if (!hw_exists(marker)) {
		/* Done, or never begun: what step 6 may have left goes. */
		for (i = 0; i < sizeof(sealed_files) / sizeof(*sealed_files); i++) {
			char *p = ws_file(ws, sealed_files[i], ".prev");

			if (p && hw_exists(p))
				remove_file(ws, sealed_files[i], ".prev");
			free(p);
		}
		goto cleanup;
	}
	if ((fd = open(marker, O_RDONLY | O_CLOEXEC)) < 0)
		goto cleanup;   /* removed meanwhile: the change ended */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = hw_error_set(err, HW_EBUSY, "the passphrase of this workspace is being changed "
				  "by another Homeward process; try again in a moment");
		goto cleanup;
	}
	if (fstat(fd, &sb) < 0 || sb.st_nlink == 0)
		goto cleanup;   /* the change ended while we waited */
	for (i = 0; i < sizeof(sealed_files) / sizeof(*sealed_files); i++) {
		prev = ws_file(ws, sealed_files[i], ".prev");
		cur = ws_file(ws, sealed_files[i], "");
		if (!prev || !cur) {
			rc = hw_error_set(err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		if (hw_exists(prev) && rename(prev, cur) < 0) {
			rc = hw_error_set(err, HW_ERROR, "cannot put back %s after an interrupted change "
					  "of passphrase: %s", cur, strerror(errno));
			goto cleanup;
		}
		remove_file(ws, sealed_files[i], ".next");
		free(prev);
		free(cur);
		prev = cur = NULL;
	}
	sync_dir(ws->dir);
	unlink(marker);
	sync_dir(ws->dir);
cleanup:
	if (fd >= 0)
		close(fd);
	free(prev);
	free(cur);
	free(marker);
	return rc;
}

int ws_change_passphrase(hw_ws *ws, const hw_secret *old, const hw_secret *pass)
{
	char *marker = ws_file(ws, CHANGE_MARKER, ""), *path = NULL, *next = NULL, *prev = NULL;
	hw_secret *dbkey = NULL;
	hw_keys *keys = NULL;
	hw_kdf *kdf = NULL;
	struct stat sb;
	int fd = -1, rc, has_keys = ws_has_keys(ws), began = 0;
	size_t i;

	if (!marker)
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	if (!old || !pass || secret_len(pass) == 0) {
		rc = hw_error_set(&ws->err, HW_EINVALID, "the new passphrase is empty");
		goto cleanup;
	}
	if (!hw_exists(ws->dbkey_path)) {
		rc = hw_error_set(&ws->err, HW_EINVALID, "this workspace has no passphrase: it was "
				  "made with its database key alone");
		goto cleanup;
	}
	/* The old passphrase opens both (one derivation: the one the workspace opened with). */
	if ((rc = dbkey_load(&dbkey, ws->dbkey_path, old, ws->kdf, &ws->err)) < 0 ||
	    (has_keys && (rc = keys_load(&keys, ws->keys_path, old, ws->kdf, &ws->err)) < 0))
		goto cleanup;
	if ((rc = kdf_new(&kdf, &ws->err)) < 0)
		goto cleanup;
	/* 1: the marker, locked. */
	if ((fd = open(marker, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno == EEXIST
			? hw_error_set(&ws->err, HW_EBUSY, "another change of passphrase is under way "
				       "in %s", ws->dir)
			: hw_error_set(&ws->err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
				       "cannot create %s: %s", marker, strerror(errno));
		goto cleanup;
	}
	/* Another process may have taken it for a left-over between open and flock. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &sb) < 0 || sb.st_nlink == 0) {
		rc = hw_error_set(&ws->err, HW_EBUSY, "another Homeward process is using %s; "
				  "try again in a moment", ws->dir);
		goto cleanup;
	}
	began = 1;
	sync_dir(ws->dir);
	/* 2: the new files, under one new salt (one derivation). */
	for (i = 0; i < sizeof(sealed_files) / sizeof(*sealed_files); i++)
		remove_file(ws, sealed_files[i], ".next");
	if (!(next = ws_file(ws, WS_DBKEY_FILE, ".next"))) {
		rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = dbkey_save(dbkey, next, pass, kdf, &ws->err)) < 0)
		goto cleanup;
	free(next);
	if (!(next = ws_file(ws, "keys", ".next"))) {
		rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (keys && (rc = keys_save(keys, next, pass, kdf, &ws->err)) < 0)
		goto cleanup;
	free(next);
	next = NULL;
	fault_point(ws, "passphrase-written");
	/* 3: the old files kept under a second name. */
	for (i = 0; i < sizeof(sealed_files) / sizeof(*sealed_files); i++) {
		if (!(path = ws_file(ws, sealed_files[i], "")) ||
		    !(prev = ws_file(ws, sealed_files[i], ".prev"))) {
			rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		unlink(prev);
		if (hw_exists(path) && link(path, prev) < 0) {
			rc = hw_error_set(&ws->err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
					  "cannot keep %s: %s", path, strerror(errno));
			goto cleanup;
		}
		free(path);
		free(prev);
		path = prev = NULL;
	}
	sync_dir(ws->dir);
	fault_point(ws, "passphrase-kept");
	/* 4: the new files take the names, the database key first. */
	for (i = sizeof(sealed_files) / sizeof(*sealed_files); i-- > 0;) {
		if (!(path = ws_file(ws, sealed_files[i], "")) ||
		    !(next = ws_file(ws, sealed_files[i], ".next"))) {
			rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
			goto cleanup;
		}
		if (hw_exists(next) && rename(next, path) < 0) {
			rc = hw_error_set(&ws->err, HW_ERROR, "cannot put %s in place: %s", path,
					  strerror(errno));
			goto cleanup;
		}
		free(path);
		free(next);
		path = next = NULL;
		if (i == 1)
			fault_point(ws, "passphrase-half");
	}
	sync_dir(ws->dir);
	fault_point(ws, "passphrase-renamed");
	/* 5: done. */
	if (unlink(marker) < 0) {
		rc = hw_error_set(&ws->err, HW_ERROR, "cannot remove %s: %s", marker, strerror(errno));
		goto cleanup;
	}
	began = 0;
	sync_dir(ws->dir);
	fault_point(ws, "passphrase-done");
	/* 6: the old files go. */
	for (i = 0; i < sizeof(sealed_files) / sizeof(*sealed_files); i++)
		remove_file(ws, sealed_files[i], ".prev");
	sync_dir(ws->dir);
	/* The handle goes on with the new passphrase's key. */
	kdf_copy(ws->kdf, kdf);
	rc = 0;
cleanup:
	/* A failure before the end leaves the old passphrase: undo at once. */
	if (began && rc < 0) {
		hw_error saved = ws->err;

		close(fd);
		fd = -1;
		if (passphrase_recover(ws, &ws->err) < 0)
			hw_error_prefix(&ws->err, "%s; and ", saved.msg);
		else
			ws->err = saved;
	}
	if (fd >= 0)
		close(fd);
	secret_free(dbkey);
	keys_free(keys);
	kdf_free(kdf);
	free(marker);
	free(path);
	free(next);
	free(prev);
	return rc;
}

/*
 * Seal the device keys k again, under the salt of the key ws->kdf holds:
 * a new file, then renamed over the old one (a crash leaves one or the
 * other, both opening with the same passphrase).
 */
static int reseal_keys(hw_ws *ws, const hw_keys *k, const hw_secret *pass)
{
	char *next = NULL;
	int rc;

	if (asprintf(&next, "%s.next-%ld", ws->keys_path, (long)getpid()) < 0)
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	if (change_under_way(ws)) {
		free(next);
		return 0;
	}
	unlink(next);
	if ((rc = keys_save(k, next, pass, ws->kdf, &ws->err)) == 0 && rename(next, ws->keys_path) < 0)
		rc = hw_error_set(&ws->err, HW_ERROR, "cannot replace %s: %s", ws->keys_path,
				  strerror(errno));
	if (rc == 0)
		sync_dir(ws->dir);
	unlink(next);
	free(next);
	return rc;
}

int ws_unlock(hw_ws *ws, const hw_secret *pass)
{
	hw_keys *k = NULL;
	hw_kdf *mine = NULL;
	int rc;

	if (!pass && !kdf_holds(ws->kdf))
		return hw_error_set(&ws->err, HW_EAUTH, "no passphrase");
	/* Through a copy: the key the database opened with stays in ws->kdf. */
	if ((rc = kdf_new(&mine, &ws->err)) < 0)
		return rc;
	kdf_copy(mine, ws->kdf);
	if ((rc = keys_load(&k, ws->keys_path, pass, mine, &ws->err)) < 0)
		goto cleanup;
	if (!kdf_holds(ws->kdf)) {
		kdf_copy(ws->kdf, mine);
	} else if (!kdf_same(mine, ws->kdf) && pass && !(ws->flags & WS_OPEN_READONLY)) {
		/*
		 * The keys and the database key were sealed with two salts (by
		 * a Homeward before they shared one): each command derived the
		 * key twice.  Sealed again under the database key's salt, the
		 * next commands derive once.  Failing that changes nothing.
		 */
		if (reseal_keys(ws, k, pass) < 0)
			hw_error_clear(&ws->err);
	}
	keys_free(ws->keys);
	ws->keys = k;
	k = NULL;
cleanup:
	keys_free(k);
	kdf_free(mine);
	return rc;
}

const hw_keys *ws_keys(hw_ws *ws)
{
	return ws->keys;
}

/* A device id: letters, digits, '-', '_', '.'; it names a git branch. */
static int device_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64 || id[0] == '.' || id[0] == '-' || strstr(id, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return id[n - 1] != '.';
}

/* The value of a hex digit, or -1. */
static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode s[0..n) into out (size bytes); -1 if it does not fit or holds a control. */
static int url_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || k + 1 >= size)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return 0;
}

int ws_set_remote(hw_ws *ws, const char *url)
{
	const char *host = url ? strstr(url, "://") : NULL, *at = NULL, *end, *colon;
	char *bare = NULL, user[256], token[1024];
	int rc;

	if (!url)
		return hw_error_set(&ws->err, HW_EINVALID, "no remote given");
	if (host) {
		host += 3;
		end = host + strcspn(host, "/?#");
		for (const char *p = host; p < end; p++)
			if (*p == '@')
				at = p;   /* the last '@' ends the userinfo (tokens may hold '@') */
	}
	colon = at ? memchr(host, ':', (size_t)(at - host)) : NULL;
	if (!colon)   /* no password: a user name (ssh://git@...) is not a secret */
		return store_setting_set(ws->store, WS_REMOTE, url, &ws->err);
	if (url_decode(host, (size_t)(colon - host), user, sizeof(user)) < 0 ||
	    url_decode(colon + 1, (size_t)(at - colon - 1), token, sizeof(token)) < 0) {
		rc = hw_error_set(&ws->err, HW_EINVALID,
				  "the user name or token in the remote URL is too long or holds a control character");
		goto cleanup;
	}
	if (!(bare = malloc(strlen(url) + 1))) {
		rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	hw_url_shown(url, bare, strlen(url) + 1);
	if ((rc = ws_credentials_save(ws, user, token)) == 0)
		rc = store_setting_set(ws->store, WS_REMOTE, bare, &ws->err);
cleanup:
	explicit_bzero(token, sizeof(token));
	free(bare);
	return rc;
}

int ws_credentials_save(hw_ws *ws, const char *user, const char *token)
{
	char *path = hw_path_join(ws->dir, "credentials"), *text = NULL;
	size_t n;
	int rc;

	if (!path)
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	if (strchr(user, '\n') || strchr(token, '\n')) {
		rc = hw_error_set(&ws->err, HW_EINVALID, "a line break in a user name or token");
		goto cleanup;
	}
	n = strlen(user) + strlen(token) + 64;
	if (!(text = malloc(n))) {
		rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	snprintf(text, n, "homeward-credentials 1\nusername %s\ntoken %s\n", user, token);
	/* hw_write_file_atomic writes 0600 (mkstemp). */
	rc = hw_write_file_atomic(path, text, strlen(text), &ws->err);
cleanup:
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	free(path);
	return rc;
}

int ws_credentials_load(hw_ws *ws, char *user, size_t usize, char *token, size_t tsize)
{
	char *path = hw_path_join(ws->dir, "credentials"), *text = NULL, *u, *t, *nl;
	size_t len = 0;
	int rc;

	user[0] = token[0] = '\0';
	if (!path)
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	if (!hw_exists(path)) {
		free(path);
		return HW_ENOTFOUND;
	}
	if ((rc = hw_read_file(path, &text, &len, &ws->err)) < 0)
		goto cleanup;
	if (strncmp(text, "homeward-credentials 1\nusername ", 32) != 0 ||
	    !(u = text + 32) || !(nl = strchr(u, '\n')) || strncmp(nl + 1, "token ", 6) != 0) {
		rc = hw_error_set(&ws->err, HW_ECORRUPT, "%s is not a credentials file", path);
		goto cleanup;
	}
	*nl = '\0';
	t = nl + 7;
	if ((nl = strchr(t, '\n')))
		*nl = '\0';
	if (strlen(u) >= usize || strlen(t) >= tsize) {
		rc = hw_error_set(&ws->err, HW_EINVALID, "%s holds too long a user name or token", path);
		goto cleanup;
	}
	strcpy(user, u);
	strcpy(token, t);
cleanup:
	if (text)
		explicit_bzero(text, len);
	free(text);
	free(path);
	return rc;
}

int ws_init(hw_ws *ws, const char *device_id, const char *name,
	    const char *role, const char *remote)
{
	hw_store *st = ws->store;
	char *datadir;
	int rc;

	if (!device_id_valid(device_id))
		return hw_error_set(&ws->err, HW_EINVALID,
				    "device id \"%s\" may only contain letters, digits, '-', '_' and '.'",
				    device_id);
	if (!name || !*name)
		return hw_error_set(&ws->err, HW_EINVALID, "the counsellor name is empty");
	/* The name signs every event: what events refuse is refused here, at once. */
	if (strlen(name) > 200)
		return hw_error_set(&ws->err, HW_EINVALID, "the counsellor name is too long");
	if (hw_text_problem(name))
		return hw_error_set(&ws->err, HW_EINVALID, "the counsellor name %s",
				    hw_text_problem(name));
	if (strcmp(role, "counsellor") != 0 && strcmp(role, "field_officer") != 0 &&
	    strcmp(role, "supervisor") != 0)
		return hw_error_set(&ws->err, HW_EINVALID,
				    "role must be counsellor, field_officer or supervisor, not \"%s\"", role);
	if (ws_is_initialised(ws) && strcmp(ws->device_id, device_id) != 0)
		return hw_error_set(&ws->err, HW_EEXISTS,
				    "this workspace already belongs to device %s", ws->device_id);
	if ((rc = store_begin(st, &ws->err)) < 0)
		return rc;
	if ((rc = store_setting_set(st, WS_DEVICE_ID, device_id, &ws->err)) < 0 ||
	    (rc = store_setting_set(st, WS_NAME, name, &ws->err)) < 0 ||
	    (rc = store_setting_set(st, WS_ROLE, role, &ws->err)) < 0 ||
	    (remote && (rc = ws_set_remote(ws, remote)) < 0)) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_commit(st, &ws->err)) < 0)
		return rc;
	load_identity(ws);
	if (!(datadir = ws->datadir ? strdup(ws->datadir) : ws_data_dir()))
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	rc = ws_install_forms(ws, datadir);
	free(datadir);
	return rc;
}

char *ws_data_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	/* Run from a build tree: share/ beside the program holds the built forms. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	if (n > 0) {
		char *slash, *cand, *forms;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			cand = hw_path_join(exe, "share");
			forms = cand ? hw_path_join(cand, "forms") : NULL;
			if (forms && hw_exists(forms)) {
				free(forms);
				return cand;
			}
			free(forms);
			free(cand);
		}
	}
	return strdup(PKGDATADIR);
}

/* True if name ends with suffix. */
static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

int ws_install_forms(hw_ws *ws, const char *datadir)
{
	char *src = hw_path_join(datadir, "forms");
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (!src)
		return hw_error_set(&ws->err, HW_ERROR, "out of memory");
	if ((rc = hw_mkdir_p(ws->forms_dir, &ws->err)) < 0) {
		free(src);
		return rc;
	}
	d = opendir(src);
	if (!d) {
		/* No shipped forms (a bare build): nothing to install. */
		free(src);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		char *from, *to, *data = NULL;
		size_t len;

		if (e->d_name[0] == '.' || !(ends_with(e->d_name, ".xml") || ends_with(e->d_name, ".csv")))
			continue;
		from = hw_path_join(src, e->d_name);
		to = hw_path_join(ws->forms_dir, e->d_name);
		if (!from || !to)
			rc = hw_error_set(&ws->err, HW_ERROR, "out of memory");
		else if ((rc = hw_read_file(from, &data, &len, &ws->err)) == 0)
			rc = hw_write_file_atomic(to, data, len, &ws->err);
		free(data);
		free(from);
		free(to);
		if (rc < 0)
			break;
	}
	closedir(d);
	free(src);
	return rc;
}



int ws_encrypt(const char *dir, const hw_secret *pass, int *done, hw_error *err)
{
	char *db = hw_path_join(dir, "homeward.db");
	char *keyf = hw_path_join(dir, WS_DBKEY_FILE);
	char *backup = hw_path_join(dir, WS_PLAIN_BACKUP);
	char *tmp = hw_path_join(dir, "homeward.db.encrypting");
	char *check = hw_path_join(dir, "homeward.db-check");
	char *wal = hw_path_join(dir, "homeward.db-wal");
	hw_secret *key = NULL;
	hw_kdf *kdf = NULL;
	hw_ws *ws = NULL;
	ws_options o = WS_OPTIONS_INIT;
	int rc;

	*done = 0;
	if (!db || !keyf || !backup || !tmp || !check || !wal || kdf_new(&kdf, err) < 0) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!pass || secret_len(pass) == 0) {
		rc = hw_error_set(err, HW_EINVALID, "the passphrase is empty");
		goto cleanup;
	}
	if (!hw_exists(db)) {
		rc = hw_error_set(err, HW_ENOTFOUND, "no workspace at %s", dir);
		goto cleanup;
	}
	if (store_file_is_plain(db)) {
		char *keys_path = hw_path_join(dir, "keys");
		hw_keys *k = NULL;

		/* One passphrase for the person: the device keys' one, where there are keys. */
		rc = keys_path && hw_exists(keys_path) ? keys_load(&k, keys_path, pass, kdf, err) : 0;
		keys_free(k);
		free(keys_path);
		if (rc < 0)
			goto cleanup;
		/* The key: the one an interrupted run made, else a new one. */
		if (hw_exists(keyf))
			rc = dbkey_load(&key, keyf, pass, kdf, err);
		else
			rc = dbkey_generate(&key, err);
		if (rc < 0)
			goto cleanup;
		unlink(tmp);
		if ((rc = store_encrypt_copy(db, tmp, key, err)) < 0) {
			unlink(tmp);
			goto cleanup;
		}
		if (hw_exists(wal)) {
			/* Some process has the plain database open: never replace it under it. */
			unlink(tmp);
			rc = hw_error_set(err, HW_EBUSY, "%s is in use by another Homeward process; "
					  "nothing was changed", db);
			goto cleanup;
		}
		if (!hw_exists(keyf) && (rc = dbkey_save(key, keyf, pass, kdf, err)) < 0) {
			unlink(tmp);
			goto cleanup;
		}
		/* The plain file stays as the backup (a second name), then the new one takes its name. */
		unlink(backup);
		if (link(db, backup) < 0) {
			rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
					  "cannot keep a backup at %s: %s", backup, strerror(errno));
			unlink(tmp);
			goto cleanup;
		}
		unlink(check);
		if (rename(tmp, db) < 0) {
			rc = hw_error_set(err, HW_ERROR, "cannot put %s in place: %s", db, strerror(errno));
			goto cleanup;
		}
		sync_dir(dir);
		*done = 1;
	} else if (!hw_exists(backup)) {
		rc = hw_error_set(err, HW_EEXISTS, "%s is encrypted already", db);
		goto cleanup;
	}
	/* The backup goes only once the encrypted workspace opens with the passphrase. */
	o.passphrase = pass;
	if ((rc = ws_open_ext(&ws, dir, &o, err)) < 0) {
		hw_error_prefix(err, "the plain database is kept in %s; ", backup);
		goto cleanup;
	}
	ws_free(ws);
	unlink(backup);
	sync_dir(dir);
	*done = 1;
	rc = 0;
cleanup:
	secret_free(key);
	kdf_free(kdf);
	free(db);
	free(keyf);
	free(backup);
	free(tmp);
	free(check);
	free(wal);
	return rc;
}
