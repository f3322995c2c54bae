/*
 * team.h: the team roster, its trust root, and who is who.
 *
 * The roster is a set of signed entries (envelopes, envelope.h) under
 * team/<device id>/<entry id>.entry on main, copied into the workspace's
 * own team/ folder when a sync imports them (and written there first by a
 * supervisor's `team add`, until its next merge publishes them).  Each
 * entry adds or removes one member: device id, name, role, organisation,
 * public keys, who added them and when.  The trust root is the founding
 * supervisor's signing key, pinned in the workspace (setting team.root):
 * an entry counts when the root signed it, or a supervisor who was a
 * member at the entry's time.  Nothing else about roles and names is
 * trusted: counsellor.role and counsellor.name are what a person asked
 * for, the roster is what counts.  See docs/security.md.
 */
#ifndef HW_TEAM_H
#define HW_TEAM_H

#include <stddef.h>

#include "crypto.h"
#include "error.h"
#include "util.h"
#include "workspace.h"

#define WS_TEAM_ROOT "team.root"    /* setting: the trust root's signing key, hex */
#define TEAM_TEXT_MAX 200           /* bytes of a name or an organisation */
#define TEAM_ENTRY_MAX 4096         /* bytes of an entry or a request file */
#define TEAM_MAX_ENTRIES 10000      /* entries a roster is built from */
#define TEAM_CASE "team"            /* the envelope's case field of roster files */

/* One member as the roster says, after every entry about it. */
typedef struct team_member {
	char device[TEAM_TEXT_MAX + 1];
	char name[TEAM_TEXT_MAX + 1];
	char role[32];                         /* counsellor | field_officer | supervisor */
	char org[TEAM_TEXT_MAX + 1];           /* "" when none */
	unsigned char sign_pk[KEYS_SIGN_PUBLIC];
	unsigned char box_pk[KEYS_BOX_PUBLIC];
	char added_by[TEAM_TEXT_MAX + 1];
	char added_at[HW_TIME_LEN + 1];
	int removed;                           /* the membership ended */
	char removed_by[TEAM_TEXT_MAX + 1];
	char removed_at[HW_TIME_LEN + 1];
} team_member;

/* The roster: members in device id order. */
typedef struct team_roster {
	unsigned char root[KEYS_SIGN_PUBLIC];  /* the trust root it was checked against */
	team_member *members;
	size_t n;
	size_t untrusted;                      /* entries left out: bad signature or signer */
} team_roster;

/* A roster file: its path in git ("team/<device>/<id>.entry") and content. */
typedef struct team_file {
	const char *path;
	const char *data;
	size_t len;
} team_file;

/*
 * Build a roster from files (entries that do not parse, or whose signer
 * is not the root nor a supervisor at the entry's time, are left out and
 * counted).  Caller frees with team_roster_free.
 */
int team_roster_build(team_roster **out, const unsigned char root[KEYS_SIGN_PUBLIC],
		      const team_file *files, size_t n, hw_error *err);

/* Free; NULL is fine. */
void team_roster_free(team_roster *r);

/*
 * The roster of this workspace, from its team/ folder and its trust root.
 * HW_ENOTFOUND when no trust root is pinned (the device has not joined a
 * team).
 */
int team_load(hw_ws *ws, team_roster **out);

/* A member by device id, present or removed (borrowed), or NULL. */
const team_member *team_member_get(const team_roster *r, const char *device);

/* A member by device id whose membership holds, or NULL. */
const team_member *team_member_active(const team_roster *r, const char *device);

/*
 * The present members of a role (NULL: every role), up to max of them into
 * out (borrowed); returns how many there are (may be more than max).
 */
size_t team_members_with_role(const team_roster *r, const char *role, const team_member **out,
			      size_t max);

/*
 * True when what the member signed at time at (ISO UTC; NULL: now; "": any
 * time) counts: not removed before then.  Work recorded before enrolment
 * counts.
 */
int team_member_at(const team_member *m, const char *at);

/* The pinned trust root into root; HW_ENOTFOUND when none. */
int team_root(hw_ws *ws, unsigned char root[KEYS_SIGN_PUBLIC]);

/*
 * Pin the trust root (a fingerprint as keys_fingerprint prints it).
 * HW_EINVALID for a malformed one; HW_EEXISTS when another root is pinned
 * (a device belongs to one team).
 */
int team_pin(hw_ws *ws, const char *fingerprint);

/*
 * Found a team: pin this device's own signing key as the root and write
 * the founding entry (this device as supervisor) into team/.  The keys
 * must be unlocked.
 */
int team_found(hw_ws *ws, const char *name);

/* This device's enrolment request (a short signed file; caller frees). */
int team_request(hw_ws *ws, char **out, size_t *len);

/* What a request says, after its signature was checked. */
typedef struct team_request_info {
	char device[TEAM_TEXT_MAX + 1];
	char name[TEAM_TEXT_MAX + 1];
	char role[32];                         /* the role asked for */
	unsigned char sign_pk[KEYS_SIGN_PUBLIC];
	unsigned char box_pk[KEYS_BOX_PUBLIC];
} team_request_info;

/* Read a request file; HW_EINVALID when it is not one or its signature fails. */
int team_request_parse(team_request_info *out, const char *data, size_t len, hw_error *err);

/*
 * Add the member a request names with role and org (may be NULL), signed
 * by this device, which must be a present supervisor of the roster
 * (HW_EINVALID otherwise).  Written into team/; the next merge publishes it.
 */
int team_add(hw_ws *ws, const team_request_info *req, const char *role, const char *org);

/* End a membership (supervisors); HW_ENOTFOUND when no such present member. */
int team_remove(hw_ws *ws, const char *device);

/*
 * The name events of this device are recorded under: the roster's name
 * for it once it is enrolled (counsellor.name is only what the person
 * asked for), else the workspace's name.  Into out (size bytes).
 */
void team_author(hw_ws *ws, char *out, size_t size);

/* True when device is a present member of this workspace's roster. */
int team_knows(hw_ws *ws, const char *device);

/* True when role is one a member may have. */
int team_role_valid(const char *role);

/*
 * 0 when this workspace's device is a present supervisor of its roster,
 * with the keys it holds; else HW_EINVALID saying what is for supervisors
 * (what: "merging").  The role setting plays no part.
 */
int team_require_supervisor(hw_ws *ws, const char *what);

/* Every file of the workspace's team/ folder (paths as in git); free with team_files_free. */
int team_files_local(hw_ws *ws, team_file **out, size_t *n);
void team_files_free(team_file *f, size_t n);

/* True when path is a roster file path: team/<device id>/<uuid>.entry. */
int team_path_ok(const char *path);

/*
 * Keep a roster file that main holds in the workspace's team/ folder (an
 * identical one already there is fine).  HW_EINVALID for a bad path or a
 * file that is not an envelope of the right name; HW_ECONFLICT when one is
 * there with other content.
 */
int team_file_store(hw_ws *ws, const char *path, const char *data, size_t len);

/*
 * Check a signed event or submission file of git: an envelope whose case
 * and name are case_id and name, signed by signer_expected (NULL: anyone)
 * who is in roster r with that signing key and was a member at time at
 * (NULL: present now; "": any time, for main, where a supervisor's merge
 * checked membership).  On success *body and *body_len point into data and
 * signer (may be NULL) holds the signing device.
 * HW_EINVALID with the reason in err otherwise.
 */
int team_check_file(const team_roster *r, const char *data, size_t len, const char *case_id,
		    const char *name, const char *signer_expected, const char *at,
		    const char **body, size_t *body_len, char signer[TEAM_TEXT_MAX + 1],
		    hw_error *err);

/* Sign body as this device's file case_id/name (key "-"); *out is new. */
int team_sign_file(hw_ws *ws, const char *case_id, const char *name, const char *body,
		   size_t body_len, char **out, size_t *len);

/*
 * Sign and check commits of main: the signature text of data by this
 * device ("ed25519 DEVICE HEX"), and whether a signature text is a present
 * supervisor's (at the time at, NULL: now) over data.
 */
int team_commit_sign(hw_ws *ws, const char *data, size_t len, char **out);
int team_commit_check(const team_roster *r, const char *sig, const char *data, size_t len,
		      const char *at, char *who, size_t who_size, hw_error *err);

/*
 * Team settings: programme rules a supervisor sets for every device of the
 * team (agenda.follow_up_months, report.min_count, report.wait_days).  Each
 * change is a signed file in the roster's folder, team/<supervisor's
 * device>/<id>.entry, whose body is "homeward-setting 1" then the lines
 * key, value, by and at; it travels with the roster.  A file counts when
 * the trust root or a supervisor who was a member at its time signed it;
 * of those, the latest (by time, then file name) holds.  Others are
 * refused: the value in force stays.  docs/security.md, docs/agenda.md.
 */
#define TEAM_SETTING_PATH_MAX 300

/* One setting file, checked. */
typedef struct team_setting {
	char key[64];
	char value[TEAM_TEXT_MAX + 1];
	char by[TEAM_TEXT_MAX + 1];            /* the signing device */
	char by_name[TEAM_TEXT_MAX + 1];       /* its name in the roster ("" when not there) */
	char at[HW_TIME_LEN + 1];
	char path[TEAM_SETTING_PATH_MAX];
} team_setting;

/* True when key is a setting the team sets (not each device). */
int team_setting_known(const char *key);

/* The value of a team setting while nobody has set it (static), or NULL for another key. */
const char *team_setting_default(const char *key);

/* 0 when value is a valid value of the team setting key, else HW_EINVALID. */
int team_setting_check_value(const char *key, const char *value);

/*
 * Check one file of the roster folder as a setting: 1 when it is not a
 * setting file at all (a member entry), 0 when it is one that counts
 * (filled into out, may be NULL), HW_EINVALID when it is refused, with
 * the reason in err (a bad signature, a signer who is not a supervisor of
 * r at its time, a key or value that is not one).
 */
int team_setting_file_check(const team_roster *r, const team_file *f, team_setting *out,
			    hw_error *err);

/*
 * The team's value of key in force on this workspace into out.
 * HW_ENOTFOUND when the workspace has joined no team, or the team has not
 * set key (*in_team says which; may be NULL).
 */
int team_setting_get(hw_ws *ws, const char *key, team_setting *out, int *in_team);

/*
 * The value of a setting that a team may set, as every reader should take
 * it: on a workspace in a team the team's value (HW_ENOTFOUND when the team
 * has not set it: the default holds, a local value plays no part); on a
 * workspace without a team, the local setting (ws_get).  *out is new.
 */
int team_setting_value(hw_ws *ws, const char *key, char **out);

/*
 * Set a team setting (supervisors): a new signed file in team/, published
 * by the next merge.  HW_EINVALID for an unknown key, a bad value, or a
 * device that is not a present supervisor.
 */
int team_setting_set(hw_ws *ws, const char *key, const char *value);

#endif
