/*
 * workspace.h: the folder that holds everything a device has, and the
 * handle that owns its database, settings and last error.
 *
 *   homeward.db   SQLite (cases, drafts, events, sync bookkeeping, settings)
 *   repo.git/     bare git repository of events and submissions
 *   forms/        installed forms
 *   keys          this device's key pairs, private halves sealed under the
 *                 person's passphrase (docs/security.md)
 */
#ifndef HW_WORKSPACE_H
#define HW_WORKSPACE_H

#include "crypto.h"
#include "error.h"

typedef struct hw_ws hw_ws;
typedef struct hw_store hw_store;

/* Settings keys. */
#define WS_DEVICE_ID "device.id"
#define WS_NAME "counsellor.name"
#define WS_ROLE "counsellor.role"     /* counsellor | supervisor */
#define WS_REMOTE "sync.remote"
#define WS_CA_FILE "sync.ca_file"      /* https: PEM file of the authorities to trust */
#define WS_SYNC_TIMEOUT "sync.timeout"  /* how long one wait on the server may last: 120, 90s, 5m */
#define WS_SYNC_TIMEOUT_DEFAULT 120       /* seconds (the repository module's default too) */
#define WS_SYNC_TIMEOUT_MAX 86400
#define WS_UI_LANGUAGE "ui.language"
#define WS_BIDI "ui.bidi"             /* on | off (terminal does its own bidi) */
#define WS_LOCK_AFTER "screen.lock_after" /* idle time before the screen locks: 300, 30s, 10m, 0 = never */
#define WS_LOCK_AFTER_DEFAULT 300         /* seconds */

enum {
	WS_OPEN_CREATE = 1 << 0,   /* create the folder and database if missing */
	WS_OPEN_READONLY = 1 << 1, /* only read: works on files the user cannot write;
				      every call that would write fails */
	WS_OPEN_EXPOSED_OK = 1 << 2, /* open even when others can read it (homeward doctor) */
	WS_OPEN_LOCKED = 1 << 3,   /* open the handle locked: the database is opened by
				      ws_unlock_store (the screen asks for the passphrase) */
};

/* The database key, sealed under the passphrase (docs/security.md). */
#define WS_DBKEY_FILE "database.key"
/* The plain database a migration to encryption keeps until the new one opens. */
#define WS_PLAIN_BACKUP "homeward.db.plain-backup"

/*
 * Open (and with WS_OPEN_CREATE create) the workspace at dir.  Runs the
 * database migrations and, when the database may be damaged, an integrity
 * check (store_open says when): a damaged database is HW_ECORRUPT and is
 * left untouched.  Whatever the umask, what it creates is private: the
 * folder 0700 (when this call makes it or finds it empty), files 0600; a
 * workspace others can read is refused (HW_EEXPOSED, ws_check_private).
 * On failure *out is NULL and err says why.
 *
 * The database is encrypted (docs/security.md): it opens with the
 * passphrase (ws_options.passphrase), which opens the database key in
 * WS_DBKEY_FILE, or with the database key itself (key: tests and
 * benchmarks, which skip the slow derivation; a workspace made that way has
 * no key file, so only that key opens it).  Without either it is HW_EAUTH;
 * a wrong passphrase is HW_EAUTH and changes nothing.  A plain database (a
 * workspace of a Homeward before encryption) is HW_EINVALID, saying to run
 * `homeward migrate workspace`.
 */
int ws_open(hw_ws **out, const char *dir, unsigned flags, const hw_secret *key, hw_error *err);

/* How to open a workspace, beyond its folder: what a front end sets up once. */
typedef struct ws_options {
	unsigned flags;          /* WS_OPEN_* */
	long max_db_growth;      /* pages the database may grow by (tests fill the disk); < 0: no cap */
	const char *datadir;     /* where ws_init finds the shipped forms; NULL: ws_data_dir() */
	const hw_secret *passphrase;  /* opens (or for a new workspace, seals) the database key */
	const hw_secret *key;    /* or the database key itself (CRYPTO_KEY_BYTES) */
} ws_options;

#define WS_OPTIONS_INIT { 0, -1, NULL, NULL, NULL }

/*
 * Lock: close the database and wipe its key and the device keys from
 * memory.  Until ws_unlock_store, no other call may be made on ws.
 */
void ws_lock(hw_ws *ws);
int ws_is_locked(const hw_ws *ws);
/* Open the database again with pass; a wrong one is HW_EAUTH.  0 when not locked. */
int ws_unlock_store(hw_ws *ws, const hw_secret *pass);

/*
 * A duration as screen.lock_after takes it: seconds, or a number followed
 * by s, m or h; 0 means never.  0 and *seconds, or HW_EINVALID.
 */
int ws_parse_duration(const char *text, int *seconds);

/* The idle time after which the screen locks, in seconds (0: never), from the setting. */
int ws_lock_after(hw_ws *ws);

/*
 * The setting sync.timeout in seconds: how long a sync or merge waits on a
 * silent server before it closes the connection and fails.  The default
 * when unset or not valid.
 */
int ws_sync_timeout(hw_ws *ws);

/* 0 if text is a valid sync.timeout (a duration of 1 s to 24 h), else HW_EINVALID. */
int ws_sync_timeout_check(const char *text);

/* True if the database file at path is plain (not encrypted). */
int ws_db_is_plain(const char *path);

/*
 * Encrypt the plain database of the workspace at dir (made by a Homeward
 * before encryption) under a new database key sealed with pass.  The plain
 * file is kept as WS_PLAIN_BACKUP until the encrypted workspace has opened
 * with pass, then removed; a run that was interrupted is finished by the
 * next.  *done is 1 when something was done; an encrypted workspace with
 * no backup left is HW_EEXISTS.
 */
int ws_encrypt(const char *dir, const hw_secret *pass, int *done, hw_error *err);

/*
 * HW_EEXPOSED, naming the chmod that fixes it, when other users of this
 * computer can use the workspace folder dir or any of its entries (any
 * group or other permission bit).  ws_open refuses such a workspace.
 */
int ws_check_private(const char *dir, hw_error *err);

/*
 * The first of dir and its entries that other users can use: *path (caller
 * frees), its permission bits and whether it is a folder, for a front end
 * to say in its own words what ws_check_private says.  0, HW_ENOTFOUND when
 * all are private, HW_ERROR when out of memory.
 */
int ws_exposed_entry(const char *dir, char **path, unsigned *mode, int *is_dir);

/*
 * Whether path lies on an encrypted block device (dm-crypt, directly or
 * under LVM and the like): the mount holding it from
 * root/proc/self/mountinfo, then root/sys/dev/block/MAJ:MIN/dm/uuid
 * starting with "CRYPT-", on it or on the devices it is made of.  root is
 * "" (or NULL) for this machine; tests give a fake tree.  HW_ENOTFOUND
 * when it cannot tell.
 */
int ws_disk_encrypted(const char *path, const char *root, int *out, hw_error *err);

/* ws_open with options (opts may be NULL: the defaults). */
int ws_open_ext(hw_ws **out, const char *dir, const ws_options *opts, hw_error *err);

/* Close and free; NULL is fine. */
void ws_free(hw_ws *ws);

/* The last error of any call on this workspace (borrowed). */
const hw_error *ws_error(const hw_ws *ws);
hw_error *ws_err(hw_ws *ws);

/* Paths inside the workspace (borrowed, valid while ws lives). */
const char *ws_dir(const hw_ws *ws);
const char *ws_repo_dir(const hw_ws *ws);
const char *ws_forms_dir(const hw_ws *ws);

/* The store (borrowed). */
hw_store *ws_store(hw_ws *ws);

/*
 * Initialise settings: device id, counsellor name, role and optional remote
 * (may be NULL), and install the shipped forms from the datadir the
 * workspace was opened with (ws_options; else ws_data_dir()).
 */
int ws_init(hw_ws *ws, const char *device_id, const char *name,
	    const char *role, const char *remote);

/* True once ws_init has been run. */
int ws_is_initialised(hw_ws *ws);

/* Get a setting (caller frees *out; HW_ENOTFOUND if unset) or set one (WS_REMOTE: ws_set_remote). */
int ws_get(hw_ws *ws, const char *key, char **out);
int ws_set(hw_ws *ws, const char *key, const char *value);

/*
 * Set the remote (sync.remote).  A URL with a password or token in it
 * (https://user:token@host/...) is stored without its userinfo; the user
 * name and token (percent-decoded) go to the workspace's credentials file
 * (0600, see ws_credentials_save).  A user name alone stays in the URL.
 */
int ws_set_remote(hw_ws *ws, const char *url);

/*
 * The credentials file of the workspace, "credentials" (mode 0600):
 *   homeward-credentials 1
 *   username USER
 *   token TOKEN
 * Save replaces it; load fills user and token (HW_ENOTFOUND when there is
 * none; the caller wipes token after use).
 */
int ws_credentials_save(hw_ws *ws, const char *user, const char *token);
int ws_credentials_load(hw_ws *ws, char *user, size_t usize, char *token, size_t tsize);

/* True when the workspace has its device keys (locked or not). */
int ws_has_keys(hw_ws *ws);

/*
 * Make this device's key pairs and store them sealed under pass (mode
 * 0600; the workspace folder becomes 0700).  HW_EEXISTS when it has keys
 * already: keys are never replaced.  The new keys stay unlocked.
 */
int ws_make_keys(hw_ws *ws, const hw_secret *pass);

/*
 * Open the device keys with pass, for this handle's lifetime.  A wrong
 * passphrase is HW_EAUTH and changes nothing; no keys is HW_ENOTFOUND.
 * The key derived from the passphrase when the database opened is reused
 * (the two files share a salt: one derivation per command); pass NULL
 * opens them with that key alone (HW_EAUTH when there is none, or the keys
 * were sealed with another salt).  Keys sealed with another salt than the
 * database key's (a workspace made before they shared one) are sealed
 * again under its salt, so that the next command derives once.
 */
int ws_unlock(hw_ws *ws, const hw_secret *pass);

/*
 * Seal the device keys and the database key again under pass, old being
 * the passphrase they open with now (the database itself is not
 * rewritten).  The change is all or nothing, whatever stops it (kill -9, a
 * power cut): until its last step the old passphrase opens the workspace,
 * and the next ws_open puts back what an interrupted change had begun (see
 * workspace.c).  A wrong old passphrase is HW_EAUTH; an empty new one
 * HW_EINVALID; a workspace made with its raw database key (no
 * WS_DBKEY_FILE) HW_EINVALID; another change under way HW_EBUSY.  The
 * handle goes on with the new passphrase.
 */
int ws_change_passphrase(hw_ws *ws, const hw_secret *old, const hw_secret *pass);

/*
 * For tests: make a change of passphrase on ws stop dead (SIGKILL, as a
 * power cut would) at the step named ("passphrase-written",
 * "passphrase-kept", "passphrase-half", "passphrase-renamed",
 * "passphrase-done"); NULL for none.
 */
int ws_set_fault(hw_ws *ws, const char *step);

/* The unlocked keys (borrowed), or NULL while locked. */
const hw_keys *ws_keys(hw_ws *ws);

/* Whether the database is encrypted at rest: *out 1 or 0. */
int ws_db_encrypted(hw_ws *ws, int *out);

/* How many events and submissions wait to be sent by the next sync. */
int ws_pending_count(hw_ws *ws, int *out);

/* Device id and counsellor name (borrowed, "" before init). */
const char *ws_device_id(hw_ws *ws);
const char *ws_author(hw_ws *ws);

/*
 * Where the shipped data (forms/) is when the front end names none: share/
 * beside the running program (a build tree), else the installed PKGDATADIR.
 * Returns a new string.
 */
char *ws_data_dir(void);

/* Copy the shipped forms (and their CSV files) into the workspace's forms/. */
int ws_install_forms(hw_ws *ws, const char *datadir);

#endif
