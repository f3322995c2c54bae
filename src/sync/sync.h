/*
 * sync.h: moving events and submissions between a workspace and the central
 * repository.
 *
 * A device (sync_run) commits what it recorded to its own branch
 * refs/heads/devices/<device id>, pushes that branch, fetches main and
 * imports what others recorded.  A supervisor (merge_run) validates the new
 * files of every device branch, unions the good ones into main, pushes main
 * and imports the result.  Each step records how far it got, in the same
 * transaction as its effect, so a run cut anywhere is finished by the next
 * run: nothing is lost and nothing is recorded twice.  See docs/sync.md.
 */
#ifndef HW_SYNC_H
#define HW_SYNC_H

#include <stddef.h>

#include "error.h"
#include "seal.h"
#include "sync/repo.h"
#include "workspace.h"

/* Steps of a run, in order (for progress and for stop_after). */
enum {
	SYNC_STEP_COMMIT = 1,   /* pending events and submissions become a commit */
	SYNC_STEP_PUSH = 2,     /* the device branch goes to the remote */
	SYNC_STEP_FETCH = 3,    /* main (and for merge, the device branches) come back */
	SYNC_STEP_MERGE = 4,    /* merge only: device branches validated and unioned into main */
	SYNC_STEP_IMPORT = 5,   /* new files of main go into the database */
	SYNC_STEP_MESSAGE = 6,  /* progress only: a line the server printed */
	SYNC_STEP_TIDY = 7,     /* progress only: small packs rolled up (total: objects; name: the
				 * central repository's folder, NULL for repo.git) */
};

/* Settings kept by sync (in the workspace's settings table). */
#define SYNC_DEVICE_TIP "sync.device_tip"       /* last commit of the device branch */
#define SYNC_IMPORTED_MAIN "sync.imported_main" /* last commit of main imported */
#define SYNC_LAST_OK "sync.last_ok"             /* when a sync or merge last finished (UTC ISO) */

/* Local names of what the remote has. */
#define SYNC_REMOTE_MAIN "refs/remotes/central/main"
#define SYNC_REMOTE_DEVICES "refs/remotes/central/devices/"

/* What a progress callback is told. */
typedef struct sync_progress {
	int step;               /* SYNC_STEP_* */
	int starting;           /* 1 when the step begins, 0 for counts within it */
	size_t current, total;  /* items or objects, 0 when unknown */
	const char *text;       /* SYNC_STEP_MESSAGE: the server's text (not NUL-terminated);
				   SYNC_STEP_MERGE: the device being merged; else NULL */
	size_t text_len;
} sync_progress;

/* Called during a run; a non-zero return cancels it (HW_ERROR). */
typedef int (*sync_progress_cb)(const sync_progress *p, void *payload);

/* Options of sync_run and merge_run. */
/*
 * What sync_credentials_default can offer without asking anyone; the front
 * end fills it (from its environment, a settings file, ...).  Every field
 * may be NULL.
 */
typedef struct sync_secrets {
	const char *username;        /* https: user name (else the URL's, else "git") */
	const char *token;           /* https: password or token */
	const char *ssh_key;         /* ssh: private key file (else ~/.ssh/id_ed25519) */
	const char *ssh_passphrase;  /* ssh: the key's passphrase */
	const char *home;            /* the home folder, for ~/.ssh */
	int ssh_agent;               /* an ssh agent runs (SSH_AUTH_SOCK is set) */
} sync_secrets;

#define SYNC_SECRETS_INIT { NULL, NULL, NULL, NULL, NULL, 0 }

typedef struct sync_opts {
	const char *remote;            /* NULL: the workspace's sync.remote setting */
	sync_progress_cb progress;     /* may be NULL */
	repo_cred_cb credentials;      /* may be NULL: sync_credentials_default */
	void *payload;                 /* for both callbacks */
	int max_retries;               /* merge: pushes of main retried at most (0: 5) */
	int stop_after;                /* testing: stop with HW_ERROR right after this
					  SYNC_STEP_*, as if the run had been cut there */
	const sync_secrets *secrets;   /* for the default credentials; may be NULL */
	/*
	 * Who the team is, for sealing cases to their recipients
	 * (docs/security.md): with the device keys unlocked and a roster,
	 * every event and submission goes into git sealed, and only what is
	 * sealed for this device is imported.  NULL: the team's roster.
	 */
	seal_roster_fn roster;
	void *roster_payload;
	/*
	 * Out, may be NULL: when the central repository's credentials fail
	 * (HW_EAUTH), what was offered and why, for the front end to say in
	 * the person's language (repo_auth_note); cleared otherwise.
	 */
	repo_auth_note *auth;
	size_t commit_files;           /* testing: files one commit of the device branch
					  adds at most (0: SYNC_COMMIT_FILES) */
	size_t import_batch;           /* testing: files an import takes at a time (0: 5,000) */
} sync_opts;

#define SYNC_OPTS_INIT { NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 }

/* Longest form id and version a sync or a publish handles (as file names). */
#define SYNC_FORM_NAME_MAX 200

/* A form that an import installed, or left out because it is broken. */
typedef struct sync_form_note {
	char id[SYNC_FORM_NAME_MAX + 1];
	char version[SYNC_FORM_NAME_MAX + 1];
	char problem[HW_ERROR_MAX];  /* "": installed; else why not ("forms/ID/VERSION.xml:LINE: ...") */
} sync_form_note;

/* Notes kept in a sync_result (the counts go on beyond it). */
#define SYNC_MAX_FORM_NOTES 8
#define SYNC_MAX_SKIP_NOTES 8

/*
 * Limits on what a merge takes from one device branch, besides those of
 * the repository module (depth, path length, file size, commits per walk):
 * see docs/sync.md.  A branch beyond them is refused whole.
 */
#define SYNC_MAX_COMMIT_FILES 500000   /* files added by one commit */
#define SYNC_MAX_CASE_EVENTS 20000     /* new events in one case */
/*
 * What a sync writes stays well within them: pending items sealed become
 * commits of at most this many files (events, submissions and the wrap
 * files of their cases), each case's files in one commit.  A first push
 * of 200,000 cases sealed to three recipients is 800,000 files.
 */
#define SYNC_COMMIT_FILES 100000

/* A file of main that an import left out, and why. */
typedef struct sync_skip_note {
	char path[300];               /* cut short when longer */
	char reason[300];             /* English sentence */
} sync_skip_note;

/* What a sync did. */
typedef struct sync_result {
	size_t events_sent;            /* pushed by this run */
	size_t submissions_sent;
	size_t events_received;        /* new to this workspace */
	size_t submissions_received;
	size_t skipped;                /* files on main that could not be imported */
	size_t withheld;               /* files on main sealed for other devices: not read */
	size_t keys_wrapped;           /* sent: case keys wrapped for a recipient */
	size_t keys_made;              /* sent: new case keys (a first key, or a rotation) */
	char device_tip[REPO_OID_HEX + 1];  /* the device branch after the run ("" if none) */
	char main_tip[REPO_OID_HEX + 1];    /* main as imported ("" if none) */
	size_t forms_installed;        /* published forms installed into forms/ */
	size_t forms_broken;           /* published forms that do not load: not installed */
	sync_form_note forms[SYNC_MAX_FORM_NOTES];  /* the first of both, in order */
	size_t nforms;                 /* notes in forms[] */
	sync_skip_note skips[SYNC_MAX_SKIP_NOTES];  /* the first files skipped, and why */
	size_t nskips;                 /* notes in skips[] */
	size_t locks_removed;          /* lock files a run that died left in repo.git, removed */
	char lock_note[300];           /* the first of them, its path inside repo.git */
	size_t packs_rolled;           /* small packs of repo.git rolled into one (repo_rollup) */
	char rollup_problem[300];      /* why that failed ("" when it did not): the run's work stands */
	size_t central_packs_rolled;   /* the same in a central repository that is a folder */
	char central_rollup_problem[300];  /* why that failed ("" when it did not) */
	size_t central_temp_removed;   /* temporary packs a day old removed from that folder */
} sync_result;

/*
 * Sync the workspace with its remote: commit pending events and submissions
 * to refs/heads/devices/<device id>, push it, fetch main and import what is
 * new.  Importing also installs the forms published on main since the last
 * import (forms/<id>/<version>.xml and the files beside it) into the
 * workspace's forms/ folder as <id>.xml, when the version is newer than the
 * installed one and the form loads; a published form that does not load is
 * listed in out->forms with the loader's message and not installed.  opts may be NULL, out may be NULL.  Errors (detail in ws_err):
 * HW_EINVALID when no remote is configured or the workspace has no device
 * id, HW_ENOTFOUND when the remote is a folder (a path or file:// URL) that
 * does not exist, HW_ENETWORK, HW_EAUTH, HW_EREJECTED (the server refused the push),
 * HW_ECONFLICT (the remote's device branch has commits this workspace does
 * not: the device id is used twice).  What was done before a failure stays
 * done; the next run carries on.
 */
int sync_run(hw_ws *ws, const sync_opts *opts, sync_result *out);

/* Why one device branch was left out of a merge. */
typedef struct merge_rejection {
	char *device;   /* device id */
	char *path;     /* the offending file ("" when it is the branch as a whole) */
	char *reason;   /* English sentence */
} merge_rejection;

/* Where a device branch stands, as a review or a merge found it. */
enum merge_branch_state {
	MERGE_BRANCH_MERGED = 0,   /* nothing new since it was last merged */
	MERGE_BRANCH_GOOD,         /* new files, all of them valid: merged (or would be) */
	MERGE_BRANCH_REJECTED,     /* new files, some offending: the branch is left out whole */
	MERGE_BRANCH_BEHIND,       /* in an older repository format: waits for its device's sync */
	MERGE_BRANCH_WAITING,      /* its device is not on the team roster: waits to be added */
};

/* One device branch of the central repository. */
typedef struct merge_branch_info {
	char *device;                        /* device id (as the branch names it) */
	char tip[REPO_OID_HEX + 1];          /* its last commit */
	char committed_at[HW_TIME_LEN + 1];  /* when the device made that commit (its last sync), UTC */
	char *author;                        /* the commit's author name, as the device wrote it */
	int state;                           /* MERGE_BRANCH_* */
	size_t events, submissions, keys;    /* new files that passed the checks */
	size_t cases;                        /* cases those events are of */
	size_t offending;                    /* files refused (out->rejections has the first ones) */
} merge_branch_info;

/*
 * A device branch the central repository no longer has (an administrator
 * removed it): its copy in this workspace was dropped by the fetch.
 */
typedef struct merge_pruned {
	char *device;                        /* device id (as the branch named it) */
	char tip[REPO_OID_HEX + 1];          /* the commit the copy held */
	int merged;                          /* 1: that commit is on main, so nothing of the
						branch was left unmerged; 0: it had work main lacks */
} merge_pruned;

/* What a merge did. */
typedef struct merge_result {
	sync_result sync;              /* the supervisor's own sync and the import */
	size_t devices;                /* device branches with something new */
	size_t devices_merged;
	size_t events_merged;          /* files added to main */
	size_t submissions_merged;
	int retries;                   /* pushes of main redone after a race */
	size_t devices_behind;         /* branches still in an older format than main: they
					  move to main's on their device's next sync */
	merge_rejection *rejections;   /* one per offending file, owned */
	size_t nrejections;
	merge_branch_info *branches;        /* every device branch, in ref order, owned */
	size_t nbranches;
	char **waiting;                /* devices whose branch waits for enrolment (not on the roster), owned */
	size_t nwaiting;
	merge_pruned *pruned;          /* device branches gone from the central repository, whose
					  copy here this run dropped, owned */
	size_t npruned;
} merge_result;

/*
 * Merge the device branches into main (supervisors only): fetch main and
 * every refs/heads/devices/ *, take what each branch added since it was last
 * merged, validate it (only additions, paths of the layout, events that
 * parse and match their file and folder names, submissions named by their
 * instance id), insert the accepted files into main, push main (redone on a
 * race with another supervisor), then import into this workspace.  A bad
 * branch is listed in out->rejections and the others still merge.  A
 * device branch the central repository no longer has is dropped here too
 * (it is neither merged nor reported again) and listed in out->pruned.  Errors
 * as sync_run, and HW_EINVALID when the workspace is not a supervisor's.
 * Free out with merge_result_free.
 */
int merge_run(hw_ws *ws, const sync_opts *opts, merge_result *out);

/*
 * What a merge would do, without doing it (supervisors only): fetch main
 * and every device branch, and check what each branch added since it was
 * last merged exactly as merge_run does, against central main as fetched.
 * out->branches lists every branch with what is new and where it stands,
 * out->rejections the offending files with their reasons.  Nothing is
 * committed, pushed or imported; event ids are checked against what this
 * workspace has imported of main.  Progress: SYNC_STEP_FETCH, then
 * SYNC_STEP_MERGE for each branch (current of total branches).  Errors as
 * merge_run.  Free out with merge_result_free.
 */
int merge_review(hw_ws *ws, const sync_opts *opts, merge_result *out);

/* Free what a merge_result owns (the struct itself is the caller's). */
void merge_result_free(merge_result *r);

/* What publishing a form did. */
typedef struct sync_publish_result {
	char form_id[SYNC_FORM_NAME_MAX + 1];
	char version[SYNC_FORM_NAME_MAX + 1];
	size_t files;                  /* the form and the CSV/XML files it references */
	int published;                 /* 1: main gained this version; 0: it was there already */
	int retries;                   /* pushes of main redone after a race */
	char main_tip[REPO_OID_HEX + 1];  /* main after publishing */
	sync_result sync;              /* the import into this workspace that follows */
} sync_publish_result;

/*
 * Publish the form at form_path on central main (supervisors only), for
 * every device to install on its next sync.  The form must load
 * (xform_load) and have an id and a version; it goes to
 * forms/<id>/<version>.xml and each file it references as jr://file/NAME
 * (or jr://file-csv/NAME) that lies beside it goes to
 * forms/<id>/<version>/NAME.  main is fetched, the files are added on top
 * of its tip, and main is pushed (redone on a race, at most
 * opts->max_retries times); then main is imported into this workspace as
 * sync_run does, which installs the form here too.  opts and out may be
 * NULL.  Errors (detail in ws_err): HW_EINVALID when the workspace is not a
 * supervisor's, or the form does not load (the loader's "FILE:LINE: ..."),
 * has no id or version, or names that cannot be file names; HW_EEXISTS when
 * this id and version are published with other content (a published
 * version never changes: raise the version); the errors of sync_run.
 * Publishing the same content again changes nothing (out->published 0).
 */
int sync_publish_form(hw_ws *ws, const char *form_path, const sync_opts *opts,
		      sync_publish_result *out);

/*
 * Credentials without asking anyone, for front ends that cannot prompt and
 * as the default; payload is a const sync_secrets * (or NULL: nothing).
 * https takes its username and token; ssh takes its ssh_key when one is
 * named, else the agent when one runs, then ~/.ssh/id_ed25519 under its
 * home (with its ssh_passphrase).  Returns 0 with *out filled, or -1 when it has nothing
 * (more) to offer.
 */
int sync_credentials_default(repo_cred *out, const char *url, const char *user,
			     unsigned allowed, int attempt, void *payload);

/*
 * The format of the central repository: a file at the root of main holding
 * its number and a newline (no file: format 1).  Each format has its
 * layout; a device writes its branch in the format of the main it started
 * from, and moves to a newer main by itself (see docs/sync.md).
 */
#define SYNC_FORMAT_FILE "homeward-format"

/* The newest format this program knows (and writes into a new main). */
int sync_format_current(void);

/* What the migration step from format `from` to from + 1 does (English), or NULL. */
const char *sync_format_step(int from);

/* Parse the content of the format file ("N\n"); HW_EINVALID when it is anything else. */
int sync_format_parse(const char *data, size_t len, int *format);

/* What a migration did. */
typedef struct migrate_result {
	int from, to;                  /* main's format before, and the newest */
	size_t files;                  /* files of main in the new format */
	size_t left_out;               /* entries of main that could not be carried (links...) */
	int migrated;                  /* 1: main was rewritten and pushed */
	int retries;                   /* pushes of main redone after a race */
	char main_tip[REPO_OID_HEX + 1];  /* main after the run */
	sync_result sync;              /* this workspace following main */
} migrate_result;

/*
 * Take central main to the newest format (supervisors only): fetch main,
 * run every pending step from its format on over all its files, write the
 * result as one commit on top of main with the new format file, and push
 * it (redone on a race, as merge does); then this workspace follows main
 * as every device does on its next sync.  With dry_run, everything is
 * worked out but nothing is committed or pushed.  Nothing to do when main
 * is in the newest format already (from == to).  Errors as sync_run, and
 * HW_EINVALID for a workspace that is not a supervisor's or a main newer
 * than this program.
 */
int migrate_repository(hw_ws *ws, const sync_opts *opts, int dry_run, migrate_result *out);

/*
 * The server's check of one pushed ref, as a pre-receive hook sees it
 * (old and new commit ids, all zeros for none): main must not be deleted,
 * must move forward from old, and every commit it gains along its first
 * parents must carry the signature of a supervisor of the roster that the
 * new main holds under team/, checked against the trust root.  Other refs
 * pass (device branches are checked file by file when merged).  repo_dir
 * NULL: the repository of the git hook this runs in.  0, or HW_EREJECTED
 * with the reason in err.
 */
int sync_verify_push(const char *repo_dir, const unsigned char root[KEYS_SIGN_PUBLIC],
		     const char *old, const char *new, const char *ref, hw_error *err);

#endif
