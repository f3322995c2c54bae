/*
 * store.c: the SQLite database of a workspace.
 *
 * Durability first: WAL with synchronous=FULL, so a call that returned 0
 * survives a power cut; every write is a transaction.  A damaged file is
 * reported (HW_ECORRUPT) before anything is written to it.
 */
#include "config.h"
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "fold.h"
#include "store_vfs.h"
#include "util.h"

#define STMT_CACHE 64

struct hw_store {
	sqlite3 *db;
	hw_secret *key;                  /* the database key (a copy), NULL: a plain file */
	store_vfs *vfs;                  /* the sealing file layer, with key */
	char *path;
	unsigned flags;                  /* STORE_* */
	int checked;                     /* quick_check ran when this handle opened */
	time_t checked_at;               /* when the last quick_check passed */
	int in_tx;                       /* nesting depth of store_begin */
	int failed;                      /* an inner level rolled back */
	struct {
		const char *sql;         /* static string: compared by address */
		sqlite3_stmt *stmt;
	} cache[STMT_CACHE];
};

/*
 * The text of the first element <tag>...</tag> of the XML text x, or NULL
 * (an empty <tag/> included), as SQL: what step 6 -> 7 copies of a
 * follow-up form.
 */
#define XML_TEXT(x, tag) \
	"(CASE WHEN instr(" x ", '<" tag ">') > 0 AND instr(" x ", '</" tag ">') > instr(" x ", '<" tag ">')" \
	" THEN substr(" x ", instr(" x ", '<" tag ">') + length('<" tag ">')," \
	" instr(" x ", '</" tag ">') - instr(" x ", '<" tag ">') - length('<" tag ">')) END)"
#define FOLLOW_UP_VALUES(x) \
	XML_TEXT(x, "visit_round") ", " XML_TEXT(x, "deprecatedID") ", " XML_TEXT(x, "economic_score") ", " \
	XML_TEXT(x, "social_score") ", " XML_TEXT(x, "psychosocial_score") ", " XML_TEXT(x, "composite_score")

/*
 * Forward migrations: migrations[i] takes user_version i to i + 1.  Never
 * edit a released step; add a new one.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  case_id TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  device TEXT NOT NULL,"
	"  json TEXT NOT NULL,"
	"  state INTEGER NOT NULL);"
	"CREATE INDEX events_case ON events (case_id, seq);"
	"CREATE INDEX events_pending ON events (state) WHERE state < 2;"
	"CREATE TABLE cases ("
	"  id TEXT PRIMARY KEY,"
	"  given_name TEXT, family_name TEXT, birth_date TEXT, birth_year INTEGER,"
	"  sex TEXT, nationality TEXT, return_country TEXT, language TEXT,"
	"  minor INTEGER NOT NULL DEFAULT 0, vulnerability TEXT,"
	"  status TEXT NOT NULL DEFAULT 'open', assigned_to TEXT,"
	"  conflicts INTEGER NOT NULL DEFAULT 0,"
	"  opened_at TEXT, updated_at TEXT, nevents INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX cases_updated ON cases (updated_at);"
	"CREATE VIRTUAL TABLE case_fts USING fts5 (id UNINDEXED, body,"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TABLE submissions ("
	"  instance_id TEXT PRIMARY KEY,"
	"  case_id TEXT NOT NULL, form_id TEXT NOT NULL, form_version TEXT,"
	"  created_at TEXT NOT NULL, sha256 TEXT NOT NULL,"
	"  xml BLOB NOT NULL, state INTEGER NOT NULL);"
	"CREATE INDEX submissions_case ON submissions (case_id);"
	"CREATE INDEX submissions_pending ON submissions (state) WHERE state < 2;"
	"CREATE TABLE drafts ("
	"  id TEXT PRIMARY KEY,"
	"  case_id TEXT NOT NULL REFERENCES cases (id),"
	"  form_id TEXT NOT NULL, lang TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX drafts_case ON drafts (case_id, form_id);"
	"CREATE TABLE draft_ops ("
	"  draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL, op TEXT NOT NULL, path TEXT NOT NULL, value TEXT,"
	"  PRIMARY KEY (draft_id, seq));",
	/*
	 * 1 -> 2: sync asks for items by a state given as a parameter, which a
	 * partial index (WHERE state < 2) cannot serve: full indexes keep a sync
	 * proportional to what is pending, not to the archive.
	 */
	"DROP INDEX events_pending;"
	"DROP INDEX submissions_pending;"
	"CREATE INDEX events_state ON events (state, seq);"
	"CREATE INDEX submissions_state ON submissions (state);",
	/*
	 * 2 -> 3: case work (docs/case-work.md).  What the fold derives from
	 * the case-work events lives beside the case row.  Cases folded before
	 * get what their events already say: a submitted form means
	 * counselling, the one who opened a case is its counsellor.
	 */
	"CREATE TABLE case_work ("
	"  case_id TEXT PRIMARY KEY, stage TEXT NOT NULL,"
	"  decision TEXT, decision_date TEXT, departure_planned TEXT, departed_on TEXT,"
	"  return_type TEXT, assistance TEXT, assistance_granted INTEGER NOT NULL DEFAULT 0,"
	"  arrived_on TEXT, arrival_confirmed_by TEXT, follow_up_on TEXT, follow_up_round TEXT,"
	"  closed_on TEXT, close_reason TEXT, close_note TEXT, reopened_on TEXT);"
	"CREATE INDEX case_work_stage ON case_work (stage);"
	"CREATE TABLE case_assignees ("
	"  case_id TEXT NOT NULL, person TEXT NOT NULL, role TEXT NOT NULL,"
	"  organisation TEXT, since TEXT, note TEXT, PRIMARY KEY (case_id, person));"
	"CREATE INDEX case_assignees_person ON case_assignees (person);"
	"CREATE TABLE case_consents ("
	"  case_id TEXT NOT NULL, purpose TEXT NOT NULL, recipient TEXT NOT NULL,"
	"  granted INTEGER NOT NULL, date TEXT, present TEXT, language TEXT,"
	"  override_reason TEXT, recorded_by TEXT, withdrawn_on TEXT,"
	"  PRIMARY KEY (case_id, purpose, recipient));"
	"CREATE TABLE case_decisions ("
	"  case_id TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL,"
	"  decision TEXT NOT NULL, date TEXT, author TEXT, at TEXT, PRIMARY KEY (case_id, seq));"
	"CREATE TABLE referrals ("
	"  id TEXT PRIMARY KEY, case_id TEXT NOT NULL, provider TEXT NOT NULL, kinds TEXT,"
	"  submissions TEXT, urgency TEXT, note TEXT, sent_at TEXT, sent_by TEXT,"
	"  status TEXT NOT NULL, status_at TEXT, status_note TEXT, status_by TEXT);"
	"CREATE INDEX referrals_case ON referrals (case_id);"
	"CREATE INDEX referrals_status ON referrals (status, status_at);"
	"INSERT INTO case_work (case_id, stage) SELECT id, CASE"
	"  WHEN status = 'closed' THEN 'closed'"
	"  WHEN EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.type = 'form.submitted')"
	"  THEN 'counselling' ELSE 'identified' END FROM cases;"
	"INSERT OR IGNORE INTO case_assignees (case_id, person, role, since)"
	"  SELECT case_id, device, 'counsellor', substr(at, 1, 10) FROM events WHERE type = 'case.opened';",
	/*
	 * 3 -> 4: search that ignores case and diacritics and finds text inside
	 * words, with an index one case can be updated in without a scan.  The
	 * cases table gets an INTEGER PRIMARY KEY (n), a rowid that VACUUM never
	 * renumbers, which keys an external-content trigram index; search holds
	 * the folded text it indexes (src/fold.c), sort_name the folded name the
	 * list is sorted by.  Triggers keep the index in step, deleting a case's
	 * old entry by its key.  The fold is C: hw_case_search() and
	 * hw_case_name() are registered on every connection (store_open).
	 */
	"CREATE TABLE cases_v4 ("
	"  n INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL UNIQUE,"
	"  given_name TEXT, family_name TEXT, birth_date TEXT, birth_year INTEGER,"
	"  sex TEXT, nationality TEXT, return_country TEXT, language TEXT,"
	"  minor INTEGER NOT NULL DEFAULT 0, vulnerability TEXT,"
	"  status TEXT NOT NULL DEFAULT 'open', assigned_to TEXT,"
	"  conflicts INTEGER NOT NULL DEFAULT 0,"
	"  opened_at TEXT, updated_at TEXT, nevents INTEGER NOT NULL DEFAULT 0,"
	"  search TEXT NOT NULL DEFAULT '', sort_name TEXT NOT NULL DEFAULT '');"
	"INSERT INTO cases_v4 (id, given_name, family_name, birth_date, birth_year, sex,"
	"  nationality, return_country, language, minor, vulnerability, status, assigned_to,"
	"  conflicts, opened_at, updated_at, nevents, search, sort_name)"
	"  SELECT id, given_name, family_name, birth_date, birth_year, sex,"
	"  nationality, return_country, language, minor, vulnerability, status, assigned_to,"
	"  conflicts, opened_at, updated_at, nevents,"
	"  hw_case_search(id, given_name, family_name, nationality, return_country,"
	"                 birth_date, vulnerability),"
	"  hw_case_name(given_name, family_name)"
	"  FROM cases ORDER BY opened_at, id;"
	"DROP TABLE cases;"
	"ALTER TABLE cases_v4 RENAME TO cases;"
	"CREATE INDEX cases_updated ON cases (updated_at);"
	"CREATE INDEX cases_name ON cases (sort_name);"
	"DROP TABLE case_fts;"
	"CREATE VIRTUAL TABLE case_fts USING fts5 (search, content = 'cases',"
	"  content_rowid = 'n', tokenize = 'trigram');"
	"INSERT INTO case_fts (case_fts) VALUES ('rebuild');"
	"CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN"
	"  INSERT INTO case_fts (rowid, search) VALUES (new.n, new.search);"
	"END;"
	"CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN"
	"  INSERT INTO case_fts (case_fts, rowid, search) VALUES ('delete', old.n, old.search);"
	"END;"
	"CREATE TRIGGER cases_search_update AFTER UPDATE OF search ON cases"
	"  WHEN old.search IS NOT new.search BEGIN"
	"  INSERT INTO case_fts (case_fts, rowid, search) VALUES ('delete', old.n, old.search);"
	"  INSERT INTO case_fts (rowid, search) VALUES (new.n, new.search);"
	"END;",
	/*
	 * 4 -> 5: the agenda and return files (docs/agenda.md).  Appointments
	 * and family links are folded from their events like the rest of the
	 * case work.  due marks what the agenda lists (planned, on an open
	 * case), so that its first screen is read from an index in date order
	 * however many appointments there are.  No event of these types could
	 * be recorded before: nothing to fill in.
	 */
	"CREATE TABLE appointments ("
	"  id TEXT PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  date TEXT NOT NULL, time TEXT, channel TEXT NOT NULL, place TEXT, assigned TEXT,"
	"  purpose TEXT, round TEXT, form TEXT, status TEXT NOT NULL, status_date TEXT,"
	"  status_note TEXT, status_by TEXT, set_at TEXT, set_by TEXT,"
	"  due INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX appointments_case ON appointments (case_id, seq);"
	"CREATE INDEX appointments_due ON appointments (due, date, time, id);"
	"CREATE INDEX appointments_assigned ON appointments (assigned, due, date, time, id);"
	"CREATE INDEX appointments_date ON appointments (date, time, id);"
	"CREATE TABLE case_family ("
	"  case_id TEXT NOT NULL, member TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  relation TEXT NOT NULL, since TEXT, linked_by TEXT, note TEXT,"
	"  PRIMARY KEY (case_id, member));"
	"CREATE INDEX case_family_member ON case_family (member);",
	/*
	 * 5 -> 6: the agenda grouped by assignee (everyone's planned
	 * appointments, by person then date) read in index order: with
	 * (assigned, due, ...) alone SQLite sorted each person's rows.
	 */
	"CREATE INDEX appointments_due_assigned ON appointments (due, assigned, date, time, id);",
	/*
	 * 6 -> 7: the case list's order (last change first, then the id) read
	 * from an index as it is: with (updated_at) alone SQLite sorted every
	 * run of cases changed in the same second, which an import makes by
	 * the thousand.
	 */
	"CREATE INDEX cases_changed ON cases (updated_at DESC, id);"
	"DROP INDEX cases_updated;",
	/*
	 * 7 -> 8: what the reports read (docs/reports.md) without going
	 * through every event or form.  Events by type (referrals read their
	 * updates).  The round and scores of each follow-up form, copied from
	 * its instance when it is stored (the values the form computed, as
	 * submitted; corrections name what they correct), by a trigger, so
	 * every way a submission comes in fills it; those stored before are
	 * copied now.  Text as found: the report checks the values.
	 */
	"CREATE INDEX events_type ON events (type, seq);"
	"CREATE TABLE follow_up_scores ("
	"  instance_id TEXT PRIMARY KEY, case_id TEXT, submitted_at TEXT, round TEXT,"
	"  deprecated_id TEXT, economic TEXT, social TEXT, psychosocial TEXT, composite TEXT);"
	"CREATE TRIGGER follow_up_scores_put AFTER INSERT ON submissions"
	"  WHEN new.form_id = 'reintegration-follow-up' BEGIN"
	"  INSERT OR REPLACE INTO follow_up_scores VALUES (new.instance_id, new.case_id, new.created_at, "
	FOLLOW_UP_VALUES("CAST(new.xml AS TEXT)") "); END;"
	"INSERT OR REPLACE INTO follow_up_scores SELECT instance_id, case_id, created_at, "
	FOLLOW_UP_VALUES("CAST(xml AS TEXT)")
	" FROM submissions WHERE form_id = 'reintegration-follow-up';",
	/*
	 * 8 -> 9: when each referral was first accepted, kept with the
	 * referral by the fold, so the referrals report reads the referrals
	 * alone instead of every referral.updated event (at 100k cases, nine
	 * tenths of its time was fetching those events, one page each).  Those
	 * folded before are filled from their events now, once.
	 */
	"ALTER TABLE referrals ADD COLUMN accepted_at TEXT;"
	"UPDATE referrals SET accepted_at = a.at FROM"
	" (SELECT json_extract(json, '$.data.referral') AS referral, min(at) AS at FROM events"
	"  WHERE type = 'referral.updated' AND json_extract(json, '$.data.status') = 'accepted'"
	"  GROUP BY 1) AS a"
	" WHERE a.referral = referrals.id;",
	/*
	 * 9 -> 10: each case's stage kept in its row, so the case list reads
	 * one table: joining the case work cost a third of listing 100,000
	 * cases (two more B-tree lookups per row, and their pages to open).
	 * The case work stays where the stage is written; triggers copy it,
	 * whichever of the two rows comes first, and clear it with its row.
	 */
	"ALTER TABLE cases ADD COLUMN stage TEXT;"
	"UPDATE cases SET stage = (SELECT stage FROM case_work WHERE case_id = cases.id);"
	"CREATE TRIGGER case_work_stage_insert AFTER INSERT ON case_work BEGIN"
	"  UPDATE cases SET stage = new.stage WHERE id = new.case_id; END;"
	"CREATE TRIGGER case_work_stage_update AFTER UPDATE OF stage, case_id ON case_work BEGIN"
	"  UPDATE cases SET stage = NULL WHERE id = old.case_id;"
	"  UPDATE cases SET stage = new.stage WHERE id = new.case_id; END;"
	"CREATE TRIGGER case_work_stage_delete AFTER DELETE ON case_work BEGIN"
	"  UPDATE cases SET stage = NULL WHERE id = old.case_id; END;"
	"CREATE TRIGGER cases_stage_insert AFTER INSERT ON cases"
	"  WHEN EXISTS (SELECT 1 FROM case_work WHERE case_id = new.id) BEGIN"
	"  UPDATE cases SET stage = (SELECT stage FROM case_work WHERE case_id = new.id)"
	"  WHERE n = new.n; END;",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static void sql_case_search(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void sql_case_name(sqlite3_context *ctx, int argc, sqlite3_value **argv);

/* Map an SQLite result code to ours, copying its message into err. */
static int db_fail(hw_store *st, hw_error *err, int src, const char *what)
{
	int code;

	if (src == SQLITE_IOERR_DATA)
		return hw_error_set(err, HW_ECORRUPT, "%s: a page of the database failed its "
				    "integrity check (changed on disk, or sealed with another key); "
				    "the file was left untouched", what);
	switch (src & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = HW_EBUSY;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = HW_ECORRUPT;
		break;
	case SQLITE_FULL:
		code = HW_ENOSPACE;
		break;
	case SQLITE_CONSTRAINT:
		code = HW_EEXISTS;
		break;
	default:
		code = HW_ERROR;
	}
	return hw_error_set(err, code, "%s: %s", what,
			    st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src));
}

/* A cached prepared statement for a static SQL string, reset and unbound. */
static sqlite3_stmt *stmt(hw_store *st, const char *sql, hw_error *err)
{
	int i, free_slot = -1, rc;
	sqlite3_stmt *s;

	for (i = 0; i < STMT_CACHE; i++) {
		if (st->cache[i].sql == sql) {
			sqlite3_reset(st->cache[i].stmt);
			sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
		if (!st->cache[i].sql && free_slot < 0)
			free_slot = i;
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		db_fail(st, err, rc, "preparing a query");
		return NULL;
	}
	if (free_slot >= 0) {
		st->cache[free_slot].sql = sql;
		st->cache[free_slot].stmt = s;
	}
	/* A full cache cannot happen with our fixed set of queries. */
	return s;
}

/* Bind text or NULL. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* A column as a new string (NULL stays NULL). */
/* A copy of column i, NULL for SQL NULL (and when out of memory: see col_copy). */
static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/*
 * Copy column i into *out (NULL for SQL NULL).  Returns 0, or HW_ERROR when
 * out of memory: a value is never read as NULL because it could not be copied.
 */
static int col_copy(sqlite3_stmt *s, int i, char **out)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	*out = t ? strdup((const char *)t) : NULL;
	return t && !*out ? HW_ERROR : 0;
}

/* Run a statement that returns no rows. */
static int step_done(hw_store *st, sqlite3_stmt *s, hw_error *err, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, rc, what);
	return 0;
}

static int exec(hw_store *st, const char *sql, hw_error *err, const char *what)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(st, err, rc, what);
}

int store_page_cache(hw_store *st, int kib, hw_error *err)
{
	char pragma[64];

	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%d", kib > 0 ? kib : STORE_PAGE_CACHE_KIB);
	return exec(st, pragma, err, "setting the page cache");
}

int store_begin(hw_store *st, hw_error *err)
{
	int rc;

	/* Nested calls join the outer transaction; only the outermost commits. */
	if (st->in_tx) {
		st->in_tx++;
		return 0;
	}
	/* IMMEDIATE takes the write lock now, so a busy workspace fails early. */
	rc = exec(st, "BEGIN IMMEDIATE", err, "starting a transaction");
	if (rc == 0) {
		st->in_tx = 1;
		st->failed = 0;
	}
	return rc;
}

int store_commit(hw_store *st, hw_error *err)
{
	int rc;

	if (st->in_tx > 1) {
		st->in_tx--;
		return 0;
	}
	if (st->failed) {
		store_rollback(st);
		return hw_error_set(err, HW_ERROR, "an earlier step failed; nothing was saved");
	}
	rc = exec(st, "COMMIT", err, "saving");
	if (rc == 0)
		st->in_tx = 0;
	else
		store_rollback(st);
	return rc;
}

void store_rollback(hw_store *st)
{
	if (st->in_tx > 1) {
		/* Inner failure: the outermost level rolls everything back. */
		st->in_tx--;
		st->failed = 1;
		return;
	}
	if (st->in_tx) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_tx = 0;
		st->failed = 0;
	}
}

/* Begin a transaction (joining the caller's if any). */
static int tx_begin(hw_store *st, int *own, hw_error *err)
{
	*own = 1;
	return store_begin(st, err);
}

static int tx_end(hw_store *st, int own, int rc, hw_error *err)
{
	if (!own)
		return rc;
	if (rc < 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

/* Apply pending migrations in one transaction. */
static int migrate(hw_store *st, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int version = 0, rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_fail(st, err, rc, "reading the schema version");
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > SCHEMA_VERSION)
		return hw_error_set(err, HW_EINVALID,
				    "the database was made by a newer Homeward (schema %d, this one knows %d)",
				    version, SCHEMA_VERSION);
	if (version == SCHEMA_VERSION)
		return 0;
	if ((rc = store_begin(st, err)) < 0)
		return rc;
	for (; version < SCHEMA_VERSION; version++) {
		char pragma[64];

		if ((rc = exec(st, migrations[version], err, "upgrading the database")) < 0)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version + 1);
		if ((rc = exec(st, pragma, err, "upgrading the database")) < 0)
			goto fail;
	}
	rc = sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		rc = db_fail(st, err, rc, "upgrading the database");
		goto fail;
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		rc = rc == SQLITE_ROW
			? hw_error_set(err, HW_ECORRUPT, "upgrading the database would break references "
				       "between its tables; it was left as it was")
			: db_fail(st, err, rc, "upgrading the database");
		goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

/*
 * What stops a check that is not damage: a full disk, a read-only file
 * system, no permission (the system's errno says).  0 when it may be damage.
 */
static int not_damage(hw_store *st, int rc, const char *path, hw_error *err)
{
	int e = st->db ? sqlite3_system_errno(st->db) : 0;

	if ((rc & 0xff) == SQLITE_FULL || e == ENOSPC || e == EDQUOT)
		return hw_error_set(err, HW_ENOSPACE, "%s cannot be opened: the disk is full (%s)",
				    path, sqlite3_errmsg(st->db));
	if (e == EROFS || e == EACCES || e == EPERM)
		return hw_error_set(err, HW_ERROR, "%s cannot be opened: %s (%s)", path, strerror(e),
				    sqlite3_errmsg(st->db));
	return 0;
}

/* PRAGMA quick_check: anything but "ok" means the file is damaged. */
static int integrity_check(hw_store *st, const char *path, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL);
	const char *res;

	if (rc != SQLITE_OK) {
		int code = not_damage(st, rc, path, err);

		sqlite3_finalize(s);
		if (code < 0)
			return code;
		db_fail(st, err, rc, "checking the database");
		return hw_error_set(err, err && err->code == HW_EBUSY ? HW_EBUSY : HW_ECORRUPT,
				    "%s is damaged or not a Homeward database (%s); it was left untouched",
				    path, sqlite3_errmsg(st->db));
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN ||
				 (rc & 0xff) == SQLITE_PERM)) {
		/* Not damage: this process may not read (or share) the file. */
		hw_error_set(err, HW_ERROR, "cannot read %s (%s)", path, sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return HW_ERROR;
	}
	if (rc != SQLITE_ROW) {
		int code = not_damage(st, rc, path, err);

		if (code < 0) {
			sqlite3_finalize(s);
			return code;
		}
	}
	if (rc != SQLITE_ROW) {
		int code = (rc & 0xff) == SQLITE_BUSY ? HW_EBUSY : HW_ECORRUPT;

		hw_error_set(err, code, code == HW_EBUSY
			     ? "%s is in use by another Homeward process (%s)"
			     : "%s is damaged or not a Homeward database (%s); it was left untouched",
			     path, rc == SQLITE_IOERR_DATA
			     ? "a page failed its integrity check: changed on disk, or sealed with another key"
			     : sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return code;
	}
	res = (const char *)sqlite3_column_text(s, 0);
	if (!res || strcmp(res, "ok") != 0) {
		hw_error_set(err, HW_ECORRUPT,
			     "%s is damaged (%s); it was left untouched: restore it from a backup or sync a fresh workspace",
			     path, res ? res : "unknown problem");
		/* The check's report may span lines: the message is one. */
		for (char *p = err ? err->msg : NULL; p && *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		sqlite3_finalize(s);
		return HW_ECORRUPT;
	}
	sqlite3_finalize(s);
	return 0;
}

/* The database's size in pages. */
static long page_count(hw_store *st)
{
	sqlite3_stmt *s = NULL;
	long n = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA page_count", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * The integrity check costs time in proportion to the database, so it does
 * not run on every open.  A marker beside the file (DB-check), written when
 * the last connection closes cleanly and removed by every read-write open,
 * holds when the check last passed and the file's identity (inode, size,
 * modification and change times) at that close.  The check runs when:
 *
 *   - there is no marker: the last session did not close (a crash, a power
 *     cut, or another process has the database open right now);
 *   - a -wal file with content exists: the same, seen from SQLite's side;
 *   - the file is not the one that was closed: something else wrote it;
 *   - the last check is a day old or more.
 *
 * So a damaged file is still found before anything writes to it, and a
 * clean, unchanged file opens without reading every page.
 */
#define CHECK_EVERY (24 * 60 * 60)

typedef struct check_mark {
	long long checked_at, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
} check_mark;

static char *sibling(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);
	char *p = malloc(n + m + 1);

	if (p) {
		memcpy(p, path, n);
		memcpy(p + n, suffix, m + 1);
	}
	return p;
}

static int mark_of_file(const char *path, check_mark *m)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return -1;
	m->ino = (long long)sb.st_ino;
	m->size = (long long)sb.st_size;
	m->mtime_s = (long long)sb.st_mtim.tv_sec;
	m->mtime_ns = (long long)sb.st_mtim.tv_nsec;
	m->ctime_s = (long long)sb.st_ctim.tv_sec;
	m->ctime_ns = (long long)sb.st_ctim.tv_nsec;
	return 0;
}

/* Read the marker of path; -1 if there is none or it does not parse. */
static int mark_read(const char *path, check_mark *m)
{
	char *name = sibling(path, "-check"), line[256];
	FILE *f = name ? fopen(name, "r") : NULL;
	int ok = 0;

	if (f) {
		ok = fgets(line, sizeof line, f) &&
		     sscanf(line, "homeward-check 1 %lld %lld %lld %lld %lld %lld %lld",
			    &m->checked_at, &m->ino, &m->size, &m->mtime_s, &m->mtime_ns,
			    &m->ctime_s, &m->ctime_ns) == 7;
		fclose(f);
	}
	free(name);
	return ok ? 0 : -1;
}

/*
 * Write the marker after a clean close.  Not synced: a marker lost in a
 * crash only makes the next open check, which is the safe side.
 */
static void mark_write(const char *path, time_t checked_at)
{
	char *name = sibling(path, "-check"), *tmp = sibling(path, "-check.tmp");
	check_mark m;
	FILE *f;
	int fd = -1;

	/* Private like the database it describes, whatever the umask. */
	if (name && tmp && mark_of_file(path, &m) == 0 &&
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0 &&
	    (f = fdopen(fd, "w"))) {
		int ok;

		fd = -1;
		ok = fprintf(f, "homeward-check 1 %lld %lld %lld %lld %lld %lld %lld\n",
				 (long long)checked_at, m.ino, m.size, m.mtime_s, m.mtime_ns,
				 m.ctime_s, m.ctime_ns) > 0;

		if (fclose(f) == 0 && ok)
			rename(tmp, name);
		else
			unlink(tmp);
	}
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(name);
	free(tmp);
}

/* True if path must be checked before use; *last gets when it was last checked. */
static int needs_check(const char *path, time_t *last)
{
	char *wal = sibling(path, "-wal");
	check_mark was, now;
	struct stat sb;
	/*
	 * An empty -wal is left by read-only sessions (they cannot remove it)
	 * and by readers: no write went through it.
	 */
	int wal_exists = wal && stat(wal, &sb) == 0 && sb.st_size > 0;

	free(wal);
	*last = 0;
	if (!wal || wal_exists || mark_read(path, &was) < 0 || mark_of_file(path, &now) < 0)
		return 1;
	*last = (time_t)was.checked_at;
	return was.ino != now.ino || was.size != now.size || was.mtime_s != now.mtime_s ||
	       was.mtime_ns != now.mtime_ns || was.ctime_s != now.ctime_s ||
	       was.ctime_ns != now.ctime_ns || hw_clock_now() - *last >= CHECK_EVERY ||
	       hw_clock_now() < *last;
}

/* The database is in use from here on: a crash now must lead to a check. */
static void mark_remove(const char *path)
{
	char *name = sibling(path, "-check");

	if (name)
		unlink(name);
	free(name);
}

/*
 * True if a read-only connection to path could not set up WAL sharing: no
 * -shm file, a folder this process cannot write, and no pending write.
 */
static int cannot_share(const char *path)
{
	char *shm = sibling(path, "-shm"), *wal = sibling(path, "-wal"), *dir = strdup(path), *slash;
	struct stat sb;
	int r = 0;

	if (shm && wal && dir && access(shm, F_OK) != 0 &&
	    !(stat(wal, &sb) == 0 && sb.st_size > 0)) {
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		r = access(slash ? dir : ".", W_OK) != 0;
	}
	free(shm);
	free(wal);
	free(dir);
	return r;
}

/* The newest schema's database can be read by this program without writing. */
static int schema_current(hw_store *st, int *older, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL), version;

	*older = 0;
	if (rc != SQLITE_OK || (rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_fail(st, err, rc, "reading the schema version");
	}
	version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	*older = version < SCHEMA_VERSION;
	if (version != SCHEMA_VERSION)
		return hw_error_set(err, HW_EINVALID,
				    "the database has schema %d, this Homeward needs %d: open it once with write access to upgrade it",
				    version, SCHEMA_VERSION);
	return 0;
}

int store_open(hw_store **out, const char *path, unsigned oflags, const hw_secret *key,
	       hw_error *err)
{
	hw_store *st = calloc(1, sizeof(*st));
	int rc, flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, create = (oflags & STORE_CREATE) != 0;
	int readonly = (oflags & STORE_READONLY) != 0;
	int exists = access(path, F_OK) == 0, check = 0;
	const char *vfs = NULL;
	time_t last = 0;

	*out = NULL;
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	st->flags = oflags;
	if (!exists && (!create || readonly)) {
		store_free(st);
		return hw_error_set(err, HW_ENOTFOUND, "no database at %s", path);
	}
	if (key) {
		/* The store keeps its own copy, in locked memory, wiped when it closes. */
		if ((rc = secret_new(&st->key, secret_len(key), err)) < 0)
			goto fail;
		memcpy(secret_data(st->key), secret_cdata(key), secret_len(key));
		secret_set_len(st->key, secret_len(key));
		if ((rc = store_vfs_new(&st->vfs, st->key, err)) < 0)
			goto fail;
		vfs = store_vfs_name(st->vfs);
		if (exists && store_vfs_is_plain(path)) {
			rc = hw_error_set(err, HW_EINVALID, "%s is not encrypted: encrypt it once with: "
					  "homeward migrate workspace (it keeps a backup until the "
					  "encrypted one opens)", path);
			goto fail;
		}
	} else if (exists && !store_vfs_is_plain(path)) {
		struct stat sb;

		if (stat(path, &sb) == 0 && sb.st_size > 0) {
			rc = hw_error_set(err, HW_EAUTH, "%s is encrypted: its key is needed", path);
			goto fail;
		}
	}
	flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (!exists)
		flags |= SQLITE_OPEN_CREATE;
	if (exists)
		check = needs_check(path, &last);
	if (exists && !readonly && access(path, W_OK) != 0) {
		rc = hw_error_set(err, HW_ERROR, "%s cannot be written (%s)", path, strerror(errno));
		goto fail;
	}
	if (readonly && exists && cannot_share(path)) {
		/*
		 * Reading a WAL database needs a -shm file beside it.  Where
		 * this process can create none, and no write is pending in a
		 * -wal, nobody can be changing the file: read it as immutable.
		 */
		char *uri = sqlite3_mprintf("file:%s?immutable=1", path);

		rc = uri ? sqlite3_open_v2(uri, &st->db, flags | SQLITE_OPEN_URI, vfs) : SQLITE_NOMEM;
		sqlite3_free(uri);
	} else {
		/*
		 * A new database is made private before SQLite writes to it,
		 * whatever the umask; its -wal and -shm take its mode.
		 */
		if (!exists) {
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

			if (fd < 0) {
				rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR,
						  "cannot create %s: %s", path, strerror(errno));
				goto fail;
			}
			close(fd);
		}
		rc = sqlite3_open_v2(path, &st->db, flags, vfs);
	}
	if (rc != SQLITE_OK) {
		rc = db_fail(st, err, rc, path);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* Sorts and statement journals stay in memory, never in a file in clear. */
	if ((rc = exec(st, "PRAGMA temp_store=MEMORY", err, "setting up the database")) < 0)
		goto fail;
	if (key && !exists) {
		/* Room in every page for its nonce and tag, before the first page is written. */
		int reserve = STORE_VFS_RESERVE;

		_Static_assert(STORE_VFS_PAGE == 4096, "the page size below is the sealed page size");

		if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve) != SQLITE_OK ||
		    (rc = exec(st, "PRAGMA page_size=4096", err,
			       "setting up the database")) < 0) {
			rc = hw_error_set(err, HW_ERROR, "cannot set up the encryption of %s", path);
			goto fail;
		}
	}
	/* Check before any write, so a damaged file stays exactly as it was. */
	if (check) {
		if ((rc = integrity_check(st, path, err)) < 0)
			goto fail;
		st->checked = 1;
		last = hw_clock_now();
	} else if (!exists) {
		last = hw_clock_now();
	}
	st->checked_at = last;
	if (readonly) {
		int older;

		/* Nothing to set up that would write: the file must be current. */
		if ((rc = schema_current(st, &older, err)) < 0) {
			hw_store *rw = NULL;

			/*
			 * The first command after an upgrade of the program is
			 * often a read (case list): where the user may write the
			 * file, upgrade it once, then read it as asked.
			 */
			if (!older || access(path, W_OK) != 0)
				goto fail;
			st->flags |= STORE_READONLY;
			store_free(st);
			if ((rc = store_open(&rw, path, oflags & ~STORE_READONLY, key, err)) < 0)
				return rc;
			store_free(rw);
			return store_open(out, path, oflags, key, err);
		}
	} else {
		mark_remove(path);
		if ((rc = exec(st, "PRAGMA journal_mode=WAL", err, "setting up the database")) < 0 ||
		    (rc = exec(st, "PRAGMA synchronous=FULL", err, "setting up the database")) < 0)
			goto fail;
	}
	/*
	 * A page cache of up to 32 MiB (allocated as used): a batch of new cases
	 * touches a page of each index at random places (ids are random), and
	 * with the default 2 MiB a 100k-case database spilled pages to the
	 * journal in the middle of every batch.
	 */
	if ((rc = store_page_cache(st, 0, err)) < 0)
		goto fail;
	/* The fold, for migrations that rebuild the search index. */
	if ((rc = sqlite3_create_function(st->db, "hw_case_search", 7,
					  SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					  sql_case_search, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_create_function(st->db, "hw_case_name", 2,
					  SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
					  sql_case_name, NULL, NULL)) != SQLITE_OK) {
		rc = db_fail(st, err, rc, "setting up the database");
		goto fail;
	}
	/*
	 * Migrations run before foreign keys are on: a step that rebuilds a
	 * table (drop, rename) would otherwise trip them; migrate() checks the
	 * keys itself before it commits.
	 */
	if ((!readonly && (rc = migrate(st, err)) < 0) ||
	    (rc = exec(st, "PRAGMA foreign_keys=ON", err, "setting up the database")) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	/* A file that failed its check is left exactly as it was, marker and all. */
	st->flags |= STORE_READONLY;
	store_free(st);
	return rc;
}

/* name as a file: URI (the characters a URI gives a meaning escaped). */
static char *file_uri(const char *name, const char *vfs)
{
	size_t n = strlen(name);
	char *enc = malloc(3 * n + 1), *uri, *o = enc;

	if (!enc)
		return NULL;
	for (const char *p = name; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%' || *p == '&' || *p == '=') {
			sprintf(o, "%%%02X", (unsigned char)*p);
			o += 3;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	uri = sqlite3_mprintf("file:%s?vfs=%s", enc, vfs);
	free(enc);
	return uri;
}

int store_encrypt_copy(const char *plain, const char *out, const hw_secret *key, hw_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	store_vfs *vfs = NULL;
	char *uri = NULL;
	int rc, reserve = STORE_VFS_RESERVE, fd;
	hw_store view;

	memset(&view, 0, sizeof(view));

	if (!store_vfs_is_plain(plain))
		return hw_error_set(err, HW_EINVALID, "%s is not a plain SQLite database", plain);
	rc = sqlite3_open_v2(plain, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			     NULL);
	view.db = db;
	if (rc != SQLITE_OK) {
		rc = db_fail(&view, err, rc, plain);
		goto cleanup;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	/*
	 * Back to a rollback journal: the log is copied into the file and
	 * removed, so the copy and the backup are whole on their own.
	 */
	if ((rc = exec(&view, "PRAGMA journal_mode=DELETE", err, "reading the plain database")) < 0 ||
	    (rc = integrity_check(&view, plain, err)) < 0 ||
	    (rc = exec(&view, "PRAGMA temp_store=MEMORY", err, "reading the plain database")) < 0 ||
	    (rc = exec(&view, "PRAGMA page_size=4096", err, "reading the plain database")) < 0)
		goto cleanup;
	/* The copy is private from its first byte, whatever the umask. */
	if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = hw_error_set(err, errno == ENOSPC ? HW_ENOSPACE : HW_ERROR, "cannot create %s: %s",
				  out, strerror(errno));
		goto cleanup;
	}
	close(fd);
	/* The copy gets the page size and the reserved bytes asked of its source. */
	sqlite3_file_control(db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	if ((rc = store_vfs_new(&vfs, key, err)) < 0)
		goto cleanup;
	if (!(uri = file_uri(out, store_vfs_name(vfs)))) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if ((rc = sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &s, NULL)) != SQLITE_OK) {
		rc = db_fail(&view, err, rc, "encrypting the database");
		goto cleanup;
	}
	sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE) {
		rc = db_fail(&view, err, rc, "encrypting the database");
		goto cleanup;
	}
	/* Durably on disk before anything replaces the plain file with it. */
	if ((fd = open(out, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
		rc = hw_error_set(err, HW_ERROR, "cannot write %s: %s", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto cleanup;
	}
	close(fd);
	rc = 0;
cleanup:
	sqlite3_finalize(s);
	sqlite3_free(uri);
	if (sqlite3_close(db) == SQLITE_OK)
		store_vfs_free(vfs);
	return rc;
}

struct sqlite3 *store_connection(hw_store *st)
{
	return st->db;
}

int store_file_is_plain(const char *path)
{
	return store_vfs_is_plain(path);
}

int store_checked_on_open(const hw_store *st)
{
	return st->checked;
}

int store_cap_growth(hw_store *st, long pages, hw_error *err)
{
	char pragma[96];

	if (pages < 0)
		return 0;
	snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count = %ld", page_count(st) + pages);
	return exec(st, pragma, err, "capping the database's growth");
}

void store_free(hw_store *st)
{
	char *wal;
	int closed;

	if (!st)
		return;
	for (int i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	/*
	 * The last connection to close checkpoints and removes the -wal file:
	 * then the close was clean and nobody else has the file open, and the
	 * marker lets the next open skip the check.
	 */
	closed = sqlite3_close(st->db) == SQLITE_OK;
	if (closed && st->db && !(st->flags & STORE_READONLY) &&
	    (wal = sibling(st->path, "-wal"))) {
		if (access(wal, F_OK) != 0)
			mark_write(st->path, st->checked_at);
		free(wal);
	}
	/* A connection that would not close still reads through the layer: keep it then. */
	if (closed)
		store_vfs_free(st->vfs);
	secret_free(st->key);
	free(st->path);
	free(st);
}

int store_setting_get(hw_store *st, const char *key, char **out, hw_error *err)
{
	static const char sql[] = "SELECT value FROM settings WHERE key = ?";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	*out = NULL;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = col_copy(s, 0, out);
		sqlite3_reset(s);
		return rc < 0 ? hw_error_set(err, rc, "out of memory") : 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return hw_error_set(err, HW_ENOTFOUND, "setting %s is not set", key);
	return db_fail(st, err, rc, "reading a setting");
}

int store_setting_set(hw_store *st, const char *key, const char *value, hw_error *err)
{
	static const char ins[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
				  "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	static const char del[] = "DELETE FROM settings WHERE key = ?";
	sqlite3_stmt *s = stmt(st, value ? ins : del, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, key);
	if (value)
		bind_text(s, 2, value);
	return step_done(st, s, err, "saving a setting");
}

/*
 * Run a query with one text parameter and call row() for each result row,
 * stopping at the first non-zero return.  Statements here are not cached:
 * row callbacks may call back into the store.
 */
typedef int (*row_fn)(sqlite3_stmt *s, void *ctx);

static int each_row(hw_store *st, const char *sql, const char *arg, row_fn row, void *ctx,
		    hw_error *err, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc, i, cached = 0, free_slot = -1;

	/*
	 * The cached statement when there is one and it is not in use (a row
	 * callback may run the same query again); preparing anew for every call
	 * cost a sixth of the time of recording a case.
	 */
	for (i = 0; i < STMT_CACHE; i++) {
		if (st->cache[i].sql == sql && !sqlite3_stmt_busy(st->cache[i].stmt)) {
			s = st->cache[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			cached = 1;
			break;
		}
		if (!st->cache[i].sql && free_slot < 0)
			free_slot = i;
	}
	if (!s) {
		rc = sqlite3_prepare_v3(st->db, sql, -1, free_slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0,
					&s, NULL);
		if (rc != SQLITE_OK)
			return db_fail(st, err, rc, what);
		if (free_slot >= 0) {
			st->cache[free_slot].sql = sql;
			st->cache[free_slot].stmt = s;
			cached = 1;
		}
	}
	bind_text(s, 1, arg);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int r = row(s, ctx);
		if (r) {
			if (cached)
				sqlite3_reset(s);
			else
				sqlite3_finalize(s);
			return r;
		}
	}
	if (cached)
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, rc, what);
}

/* A user callback and its payload, for the row adapters below. */
typedef struct user_cb {
	union {
		int (*json)(const char *json, void *payload);
		store_item_cb item;
		int (*submission)(const store_submission *s, void *payload);
		int (*op)(const char *op, const char *path, const char *value, void *payload);
		int (*draft)(const char *draft_id, const char *form_id, const char *updated_at,
			     void *payload);
	} fn;
	void *payload;
} user_cb;

#define TEXT(s, i) ((const char *)sqlite3_column_text((s), (i)))

int store_event_put(hw_store *st, const hw_event *ev, const char *json,
		    int state, int *inserted, hw_error *err)
{
	static const char sql[] = "INSERT INTO events (id, case_id, type, at, device, json, state) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	if (inserted)
		*inserted = 0;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, ev->id);
	bind_text(s, 2, ev->case_id);
	bind_text(s, 3, ev->type);
	bind_text(s, 4, ev->at);
	bind_text(s, 5, ev->device);
	bind_text(s, 6, json);
	sqlite3_bind_int(s, 7, state);
	if ((rc = step_done(st, s, err, "saving an event")) < 0)
		return rc;
	if (inserted)
		*inserted = sqlite3_changes(st->db) > 0;
	return 0;
}

int store_event_exists(hw_store *st, const char *id)
{
	static const char sql[] = "SELECT 1 FROM events WHERE id = ?";
	sqlite3_stmt *s = stmt(st, sql, NULL);
	int found;

	if (!s)
		return 0;
	bind_text(s, 1, id);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

int store_event_json(hw_store *st, const char *id, char **json, hw_error *err)
{
	static const char sql[] = "SELECT json FROM events WHERE id = ?";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc = 0;

	*json = NULL;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, id);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		if (!(*json = hw_strdup((const char *)sqlite3_column_text(s, 0))))
			rc = hw_error_set(err, HW_ERROR, "out of memory");
		break;
	case SQLITE_DONE:
		rc = hw_error_set(err, HW_ENOTFOUND, "no event %s", id);
		break;
	default:
		rc = hw_error_set(err, HW_ERROR, "reading an event: %s", sqlite3_errmsg(st->db));
		break;
	}
	sqlite3_reset(s);
	return rc;
}

static int event_row(sqlite3_stmt *s, void *ctx)
{
	user_cb *u = ctx;

	return u->fn.json(TEXT(s, 0), u->payload);
}

int store_case_events(hw_store *st, const char *case_id,
		      int (*cb)(const char *json, void *payload), void *payload,
		      hw_error *err)
{
	user_cb u = { .fn.json = cb, .payload = payload };

	return each_row(st, "SELECT json FROM events WHERE case_id = ? ORDER BY seq", case_id,
			event_row, &u, err, "reading events");
}

/* Run a query over (id, case_id, content) rows into cb. */
static int item_row(sqlite3_stmt *s, void *ctx)
{
	user_cb *u = ctx;

	return u->fn.item(TEXT(s, 0), TEXT(s, 1), sqlite3_column_blob(s, 2),
			  (size_t)sqlite3_column_bytes(s, 2), u->payload);
}

/* Run a query over (id, case_id, content) rows with a given state into cb. */
static int items_query(hw_store *st, const char *sql, int state, store_item_cb cb,
		       void *payload, hw_error *err)
{
	user_cb u = { .fn.item = cb, .payload = payload };
	char arg[16];

	snprintf(arg, sizeof(arg), "%d", state);
	return each_row(st, sql, arg, item_row, &u, err, "reading pending items");
}

int store_events_with_state(hw_store *st, int state, store_item_cb cb, void *payload, hw_error *err)
{
	return items_query(st, "SELECT id, case_id, json FROM events WHERE state = CAST(?1 AS INTEGER) ORDER BY seq",
			   state, cb, payload, err);
}

int store_submissions_with_state(hw_store *st, int state, store_item_cb cb, void *payload, hw_error *err)
{
	return items_query(st, "SELECT instance_id, case_id, xml FROM submissions WHERE state = CAST(? AS INTEGER) "
			   "ORDER BY created_at, instance_id", state, cb, payload, err);
}

int store_events_set_state(hw_store *st, int from, int to, hw_error *err)
{
	static const char sql[] = "UPDATE events SET state = ? WHERE state = ?";
	sqlite3_stmt *s = stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	sqlite3_bind_int(s, 1, to);
	sqlite3_bind_int(s, 2, from);
	return step_done(st, s, err, "updating sync state");
}

int store_submissions_set_state(hw_store *st, int from, int to, hw_error *err)
{
	static const char sql[] = "UPDATE submissions SET state = ? WHERE state = ?";
	sqlite3_stmt *s = stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	sqlite3_bind_int(s, 1, to);
	sqlite3_bind_int(s, 2, from);
	return step_done(st, s, err, "updating sync state");
}

/* Set the state of the row of table whose key column is id. */
static int set_state_id(hw_store *st, const char *sql, const char *id, int to, hw_error *err)
{
	sqlite3_stmt *s = stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	sqlite3_bind_int(s, 1, to);
	sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	return step_done(st, s, err, "updating sync state");
}

int store_event_set_state_id(hw_store *st, const char *id, int to, hw_error *err)
{
	return set_state_id(st, "UPDATE events SET state = ? WHERE id = ?", id, to, err);
}

int store_submission_set_state_id(hw_store *st, const char *instance_id, int to, hw_error *err)
{
	return set_state_id(st, "UPDATE submissions SET state = ? WHERE instance_id = ?",
			    instance_id, to, err);
}

int store_pending_count(hw_store *st, int *out, hw_error *err)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM events WHERE state < 2) + "
		"(SELECT count(*) FROM submissions WHERE state < 2)";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	*out = 0;
	if (!s)
		return err ? err->code : HW_ERROR;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, err, rc, "counting pending items");
}

int store_submission_put(hw_store *st, const store_submission *sub, const char *xml,
			 size_t len, int state, int *inserted, hw_error *err)
{
	static const char sql[] =
		"INSERT INTO submissions (instance_id, case_id, form_id, form_version, created_at, "
		"sha256, xml, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO NOTHING";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	if (inserted)
		*inserted = 0;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, sub->instance_id);
	bind_text(s, 2, sub->case_id);
	bind_text(s, 3, sub->form_id);
	bind_text(s, 4, sub->form_version);
	bind_text(s, 5, sub->created_at);
	bind_text(s, 6, sub->sha256);
	sqlite3_bind_blob(s, 7, xml, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 8, state);
	if ((rc = step_done(st, s, err, "saving a submission")) < 0)
		return rc;
	if (inserted)
		*inserted = sqlite3_changes(st->db) > 0;
	return 0;
}

int store_submission_get_xml(hw_store *st, const char *instance_id, char **xml,
			     size_t *len, hw_error *err)
{
	static const char sql[] = "SELECT xml FROM submissions WHERE instance_id = ?";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc, n;

	*xml = NULL;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, instance_id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE
			? hw_error_set(err, HW_ENOTFOUND, "no submission %s", instance_id)
			: db_fail(st, err, rc, "reading a submission");
	}
	n = sqlite3_column_bytes(s, 0);
	*xml = malloc((size_t)n + 1);
	if (!*xml) {
		sqlite3_reset(s);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	memcpy(*xml, sqlite3_column_blob(s, 0), (size_t)n);
	(*xml)[n] = '\0';
	if (len)
		*len = (size_t)n;
	sqlite3_reset(s);
	return 0;
}

static int submission_row(sqlite3_stmt *s, void *ctx)
{
	user_cb *u = ctx;
	store_submission sub = {
		(char *)TEXT(s, 0), (char *)TEXT(s, 1), (char *)TEXT(s, 2),
		(char *)TEXT(s, 3), (char *)TEXT(s, 4), (char *)TEXT(s, 5),
	};

	return u->fn.submission(&sub, u->payload);
}

int store_case_submissions(hw_store *st, const char *case_id,
			   int (*cb)(const store_submission *s, void *payload),
			   void *payload, hw_error *err)
{
	user_cb u = { .fn.submission = cb, .payload = payload };

	return each_row(st, "SELECT instance_id, case_id, form_id, form_version, created_at, sha256 "
			"FROM submissions WHERE case_id = ? ORDER BY created_at, instance_id",
			case_id, submission_row, &u, err, "reading submissions");
}

void store_case_row_clear(store_case_row *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->given_name);
	free(r->family_name);
	free(r->birth_date);
	free(r->sex);
	free(r->nationality);
	free(r->return_country);
	free(r->language);
	free(r->vulnerability);
	free(r->status);
	free(r->assigned_to);
	free(r->opened_at);
	free(r->updated_at);
	free(r->stage);
	memset(r, 0, sizeof(*r));
}

#define CASE_COLUMNS "c.id, c.given_name, c.family_name, c.birth_date, c.birth_year, c.sex, " \
	"c.nationality, c.return_country, c.language, c.minor, c.vulnerability, c.status, " \
	"c.assigned_to, c.conflicts, c.opened_at, c.updated_at, c.nevents, " \
	"coalesce(c.stage, 'identified')"

/* A text column, borrowed or copied; a copy that failed makes *bad true. */
static char *case_text(sqlite3_stmt *s, int i, int borrow, int *bad)
{
	char *v;

	if (borrow)
		return (char *)sqlite3_column_text(s, i);
	*bad |= col_copy(s, i, &v) < 0;
	return v;
}

/*
 * Fill r from a row of CASE_COLUMNS (strings borrowed when borrow is set),
 * with minor and age as of today (YYYY-MM-DD).  Returns 0, or HW_ERROR when
 * a copy failed (r then holds what it holds: clear it with
 * store_case_row_clear).
 */
static int case_from_row(sqlite3_stmt *s, store_case_row *r, int borrow, const char *today)
{
	int bad = 0;

#define TXT(i) case_text(s, i, borrow, &bad)
	r->id = TXT(0);
	r->given_name = TXT(1);
	r->family_name = TXT(2);
	r->birth_date = TXT(3);
	r->birth_year = sqlite3_column_int(s, 4);
	r->sex = TXT(5);
	r->nationality = TXT(6);
	r->return_country = TXT(7);
	r->language = TXT(8);
	/* Against today, at every read: a case born in 2010 is no minor in 2035. */
	r->minor = hw_minor_on(r->birth_date, r->birth_year, today);
	r->age = hw_age_on(r->birth_date, r->birth_year, today);
	r->vulnerability = TXT(10);
	r->status = TXT(11);
	r->assigned_to = TXT(12);
	r->conflicts = sqlite3_column_int(s, 13);
	r->opened_at = TXT(14);
	r->updated_at = TXT(15);
	r->nevents = sqlite3_column_int(s, 16);
	r->stage = TXT(17);
#undef TXT
	return bad ? HW_ERROR : 0;
}

/*
 * What the search index holds for a case, folded (src/fold.c): the first
 * group of its id (as the command line shows it), the names, the countries,
 * the birth date and the vulnerability flags.  Caller frees; NULL when out
 * of memory.
 */
static char *case_search_text(const char *id, const char *given, const char *family,
			      const char *nationality, const char *return_country,
			      const char *birth_date, const char *vulnerability)
{
	hw_buf b = HW_BUF_INIT;
	char *folded = NULL;

#define S(v) ((v) ? (v) : "")
	if (hw_buf_printf(&b, "%.*s %s %s %s %s %s %s", (int)strcspn(S(id), "-"), S(id),
			  S(given), S(family), S(nationality), S(return_country), S(birth_date),
			  S(vulnerability)) == 0)
		folded = fold_text(b.ptr);
	hw_buf_free(&b);
	return folded;
}

/* The folded name the list sorts by: given name, then family name. */
static char *case_sort_name(const char *given, const char *family)
{
	hw_buf b = HW_BUF_INIT;
	char *folded = NULL;

	if (hw_buf_printf(&b, "%s %s", S(given), S(family)) == 0)
		folded = fold_text(b.ptr);
	hw_buf_free(&b);
	return folded;
#undef S
}

/* SQL hw_case_search(id, given, family, nationality, return, birth, flags). */
static void sql_case_search(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *a[7] = { NULL };
	char *t;

	for (int i = 0; i < argc && i < 7; i++)
		a[i] = (const char *)sqlite3_value_text(argv[i]);
	if (!(t = case_search_text(a[0], a[1], a[2], a[3], a[4], a[5], a[6])))
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, t, -1, free);
}

/* SQL hw_case_name(given, family). */
static void sql_case_name(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *t;

	(void)argc;
	t = case_sort_name((const char *)sqlite3_value_text(argv[0]),
			   (const char *)sqlite3_value_text(argv[1]));
	if (!t)
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, t, -1, free);
}

int store_case_put(hw_store *st, const store_case_row *r, hw_error *err)
{
	/*
	 * The triggers of the cases table (schema 3) replace the case's entry
	 * in the search index, by its key, when search changes.
	 */
	static const char up[] =
		"INSERT INTO cases (id, given_name, family_name, birth_date, birth_year, sex, "
		"nationality, return_country, language, minor, vulnerability, status, assigned_to, "
		"conflicts, opened_at, updated_at, nevents, search, sort_name) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
		"?18, ?19) "
		"ON CONFLICT (id) DO UPDATE SET given_name = ?2, family_name = ?3, birth_date = ?4, "
		"birth_year = ?5, sex = ?6, nationality = ?7, return_country = ?8, language = ?9, "
		"minor = ?10, vulnerability = ?11, status = ?12, assigned_to = ?13, conflicts = ?14, "
		"opened_at = ?15, updated_at = ?16, nevents = ?17, search = ?18, sort_name = ?19";
	char *search = case_search_text(r->id, r->given_name, r->family_name, r->nationality,
					r->return_country, r->birth_date, r->vulnerability);
	char *name = case_sort_name(r->given_name, r->family_name);
	sqlite3_stmt *s;
	int rc;

	if (!search || !name) {
		rc = hw_error_set(err, HW_ERROR, "out of memory");
		goto cleanup;
	}
	if (!(s = stmt(st, up, err))) {
		rc = err ? err->code : HW_ERROR;
		goto cleanup;
	}
	bind_text(s, 1, r->id);
	bind_text(s, 2, r->given_name);
	bind_text(s, 3, r->family_name);
	bind_text(s, 4, r->birth_date);
	sqlite3_bind_int(s, 5, r->birth_year);
	bind_text(s, 6, r->sex);
	bind_text(s, 7, r->nationality);
	bind_text(s, 8, r->return_country);
	bind_text(s, 9, r->language);
	sqlite3_bind_int(s, 10, r->minor);
	bind_text(s, 11, r->vulnerability);
	bind_text(s, 12, r->status ? r->status : "open");
	bind_text(s, 13, r->assigned_to);
	sqlite3_bind_int(s, 14, r->conflicts);
	bind_text(s, 15, r->opened_at);
	bind_text(s, 16, r->updated_at);
	sqlite3_bind_int(s, 17, r->nevents);
	bind_text(s, 18, search);
	bind_text(s, 19, name);
	/* One statement (with its triggers) is atomic: no transaction of its own. */
	rc = step_done(st, s, err, "saving a case");
cleanup:
	free(search);
	free(name);
	return rc;
}

int store_case_get(hw_store *st, const char *id, store_case_row *out, hw_error *err)
{
	static const char sql[] = "SELECT " CASE_COLUMNS " FROM cases c WHERE c.id = ?";
	char today[HW_TIME_LEN + 1];
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		hw_now_iso(today);
		today[10] = '\0';
		rc = case_from_row(s, out, 0, today);
		sqlite3_reset(s);
		if (rc < 0) {
			store_case_row_clear(out);
			return hw_error_set(err, rc, "out of memory");
		}
		return 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? hw_error_set(err, HW_ENOTFOUND, "no case %s", id)
				 : db_fail(st, err, rc, "reading a case");
}

int store_case_id_prefix(hw_store *st, const char *prefix, char out[HW_UUID_LEN + 1],
			 int *count, hw_error *err)
{
	/* Ids are lower-case hex and '-', all below '~': a range of the id index. */
	static const char sql[] = "SELECT id FROM cases WHERE id >= ?1 AND id < ?1 || '~' "
				  "ORDER BY id LIMIT 2";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	*count = 0;
	out[0] = '\0';
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, prefix);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((*count)++ == 0)
			snprintf(out, HW_UUID_LEN + 1, "%s", TEXT(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, rc, "finding a case");
}

/*
 * The search as SQL: words of three characters or more go to the trigram
 * index (each a quoted FTS5 string, so nothing the user types is read as
 * query syntax); shorter ones, which a trigram index cannot look up, must
 * start a word of the folded text.
 */
typedef struct search_sql {
	char *match;          /* FTS5 query, or NULL */
	char **prefixes;      /* " " + word, for instr() on " " + search */
	size_t nprefixes;
} search_sql;

static void search_sql_free(search_sql *q)
{
	free(q->match);
	for (size_t i = 0; i < q->nprefixes; i++)
		free(q->prefixes[i]);
	free(q->prefixes);
	memset(q, 0, sizeof(*q));
}

/* Characters (not bytes) in the n bytes at s. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static int search_sql_build(search_sql *q, const char *search)
{
	char *folded = fold_text(search);
	hw_buf m = HW_BUF_INIT;
	const char *p;
	int rc = 0;

	memset(q, 0, sizeof(*q));
	if (!folded)
		return HW_ERROR;
	for (p = folded; *p; ) {
		size_t n = strcspn(p, " ");

		if (utf8_chars(p, n) >= 3) {
			/* A quoted string: its only special character is '"', doubled. */
			rc |= hw_buf_puts(&m, m.len ? " \"" : "\"");
			for (size_t i = 0; i < n; i++)
				rc |= hw_buf_add(&m, p[i] == '"' ? "\"\"" : p + i, p[i] == '"' ? 2 : 1);
			rc |= hw_buf_puts(&m, "\"");
		} else {
			char **grown = realloc(q->prefixes, (q->nprefixes + 1) * sizeof(*grown));
			char *w = grown ? malloc(n + 2) : NULL;

			if (grown)
				q->prefixes = grown;
			if (!w) {
				rc = HW_ERROR;
				break;
			}
			w[0] = ' ';
			memcpy(w + 1, p, n);
			w[n + 1] = '\0';
			q->prefixes[q->nprefixes++] = w;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	free(folded);
	if (rc == 0 && m.len && !(q->match = hw_buf_detach(&m)))
		rc = HW_ERROR;
	hw_buf_free(&m);
	if (rc < 0) {
		search_sql_free(q);
		return HW_ERROR;
	}
	return 0;
}

/* The orders of STORE_SORT_*: ties always end with the id, so lists are stable. */
static const char *const sort_sql[] = {
	[STORE_SORT_CHANGED] = "c.updated_at DESC, c.id",
	[STORE_SORT_NAME] = "c.sort_name = '', c.sort_name, c.id",
	/* Youngest first; an estimated year counts as the middle of the year. */
	[STORE_SORT_AGE] = "coalesce(c.birth_date, CASE WHEN c.birth_year > 0 THEN "
			   "c.birth_year || '-07-01' END) IS NULL, coalesce(c.birth_date, "
			   "CASE WHEN c.birth_year > 0 THEN c.birth_year || '-07-01' END) DESC, "
			   "c.sort_name, c.id",
	/* Along the way a case goes (docs/case-work.md); closed cases last. */
	[STORE_SORT_STAGE] = "CASE coalesce(c.stage, 'identified') WHEN 'identified' THEN 0 "
			     "WHEN 'counselling' THEN 1 WHEN 'decided' THEN 2 "
			     "WHEN 'pre-departure' THEN 3 WHEN 'departed' THEN 4 WHEN 'arrived' THEN 5 "
			     "WHEN 'follow-up' THEN 6 WHEN 'reopened' THEN 7 WHEN 'closed' THEN 9 "
			     "ELSE 8 END, c.updated_at DESC, c.id",
};

/*
 * Prepare "SELECT what FROM ... WHERE <search> [ORDER BY ...]" for q and
 * bind it; parameter ?1 is left for the caller (the limit).
 */
static int search_prepare(hw_store *st, const char *what, const search_sql *q, int sort,
			  sqlite3_stmt **out, hw_error *err)
{
	hw_buf sql = HW_BUF_INIT;
	int rc = 0, param = 2;

	*out = NULL;
	rc |= hw_buf_printf(&sql, "SELECT %s FROM ", what);
	rc |= hw_buf_puts(&sql, q->match ? "case_fts f JOIN cases c ON c.n = f.rowid" : "cases c");
	rc |= hw_buf_puts(&sql, q->match ? " WHERE case_fts MATCH ?2" : " WHERE 1");
	if (q->match)
		param++;
	for (size_t i = 0; i < q->nprefixes; i++)
		rc |= hw_buf_printf(&sql, " AND instr(' ' || c.search, ?%d) > 0", param++);
	if (sort >= 0)
		rc |= hw_buf_printf(&sql, " ORDER BY %s LIMIT ?1", sort_sql[sort]);
	if (rc < 0) {
		hw_buf_free(&sql);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	rc = sqlite3_prepare_v2(st->db, sql.ptr, -1, out, NULL);
	hw_buf_free(&sql);
	if (rc != SQLITE_OK)
		return db_fail(st, err, rc, "searching cases");
	param = 2;
	if (q->match)
		bind_text(*out, param++, q->match);
	for (size_t i = 0; i < q->nprefixes; i++)
		bind_text(*out, param++, q->prefixes[i]);
	return 0;
}

int store_case_query_each(hw_store *st, const store_case_query *query,
			  int (*cb)(const store_case_row *r, void *payload),
			  void *payload, hw_error *err)
{
	search_sql q;
	sqlite3_stmt *s = NULL;
	char today[HW_TIME_LEN + 1];
	int rc, sort = query->sort;

	if (sort < 0 || sort >= (int)(sizeof(sort_sql) / sizeof(sort_sql[0])))
		return hw_error_set(err, HW_EINVALID, "unknown order %d", sort);
	if (search_sql_build(&q, query->search) < 0)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if ((rc = search_prepare(st, CASE_COLUMNS, &q, sort, &s, err)) < 0)
		goto cleanup;
	sqlite3_bind_int(s, 1, query->limit > 0 ? query->limit : -1);
	hw_now_iso(today);
	today[10] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_case_row r;

		case_from_row(s, &r, 1, today);
		if ((rc = cb(&r, payload)) != 0)
			goto cleanup;
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(st, err, rc, "listing cases");
cleanup:
	sqlite3_finalize(s);
	search_sql_free(&q);
	return rc;
}

int store_case_list(hw_store *st, const char *search, int limit,
		    int (*cb)(const store_case_row *r, void *payload),
		    void *payload, hw_error *err)
{
	store_case_query q = STORE_CASE_QUERY_INIT;

	q.search = search;
	q.limit = limit;
	return store_case_query_each(st, &q, cb, payload, err);
}

int store_case_count(hw_store *st, const char *search, int *matches, int *total,
		     hw_error *err)
{
	search_sql q;
	sqlite3_stmt *s = NULL;
	int rc;

	*matches = *total = 0;
	if (search_sql_build(&q, search) < 0)
		return hw_error_set(err, HW_ERROR, "out of memory");
	if ((rc = search_prepare(st, "count(*), (SELECT count(*) FROM cases)", &q, -1, &s, err)) < 0)
		goto cleanup;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*matches = sqlite3_column_int(s, 0);
		*total = sqlite3_column_int(s, 1);
		rc = 0;
	} else {
		rc = db_fail(st, err, rc, "counting cases");
	}
cleanup:
	sqlite3_finalize(s);
	search_sql_free(&q);
	return rc;
}

int store_draft_find(hw_store *st, const char *case_id, const char *form_id,
		     char **draft_id, hw_error *err)
{
	static const char sql[] = "SELECT id FROM drafts WHERE case_id = ? AND form_id = ? "
				  "ORDER BY updated_at DESC LIMIT 1";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	*draft_id = NULL;
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, case_id);
	bind_text(s, 2, form_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && col_copy(s, 0, draft_id) < 0) {
		sqlite3_reset(s);
		return hw_error_set(err, HW_ERROR, "out of memory");
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? HW_ENOTFOUND : db_fail(st, err, rc, "reading drafts");
}

int store_draft_create(hw_store *st, const char *draft_id, const char *case_id,
		       const char *form_id, const char *lang, hw_error *err)
{
	static const char sql[] = "INSERT INTO drafts (id, case_id, form_id, lang, created_at, updated_at) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = stmt(st, sql, err);
	char now[HW_TIME_LEN + 1];

	if (!s)
		return err ? err->code : HW_ERROR;
	hw_now_iso(now);
	bind_text(s, 1, draft_id);
	bind_text(s, 2, case_id);
	bind_text(s, 3, form_id);
	bind_text(s, 4, lang);
	bind_text(s, 5, now);
	bind_text(s, 6, now);
	return step_done(st, s, err, "starting a draft");
}

int store_draft_op(hw_store *st, const char *draft_id, const char *op,
		   const char *path, const char *value, hw_error *err)
{
	/*
	 * An answer replaces earlier answers to the same path, as long as no
	 * repeat was added or removed since (that would shift the indices the
	 * earlier path means), so a draft stays as small as its answers.
	 */
	static const char compact[] =
		"DELETE FROM draft_ops WHERE draft_id = ?1 AND path = ?2 "
		"AND op IN ('answer', 'clear', 'typed') "
		"AND seq > (SELECT coalesce(max(seq), 0) FROM draft_ops WHERE draft_id = ?1 "
		"AND op IN ('add-repeat', 'remove-repeat'))";
	/* Typed text replaces earlier typed text only: the answer before it stands. */
	static const char compact_typed[] =
		"DELETE FROM draft_ops WHERE draft_id = ?1 AND path = ?2 AND op = 'typed' "
		"AND seq > (SELECT coalesce(max(seq), 0) FROM draft_ops WHERE draft_id = ?1 "
		"AND op IN ('add-repeat', 'remove-repeat'))";
	static const char ins[] =
		"INSERT INTO draft_ops (draft_id, seq, op, path, value) VALUES (?1, "
		"(SELECT coalesce(max(seq), 0) + 1 FROM draft_ops WHERE draft_id = ?1), ?2, ?3, ?4)";
	static const char touch[] = "UPDATE drafts SET updated_at = ? WHERE id = ?";
	sqlite3_stmt *s;
	char now[HW_TIME_LEN + 1];
	int rc, own;

	if ((rc = tx_begin(st, &own, err)) < 0)
		return rc;
	if (strcmp(op, "answer") == 0 || strcmp(op, "clear") == 0 || strcmp(op, "typed") == 0) {
		if (!(s = stmt(st, strcmp(op, "typed") == 0 ? compact_typed : compact, err))) {
			rc = err ? err->code : HW_ERROR;
			goto done;
		}
		bind_text(s, 1, draft_id);
		bind_text(s, 2, path);
		if ((rc = step_done(st, s, err, "saving an answer")) < 0)
			goto done;
	}
	if (!(s = stmt(st, ins, err))) {
		rc = err ? err->code : HW_ERROR;
		goto done;
	}
	bind_text(s, 1, draft_id);
	bind_text(s, 2, op);
	bind_text(s, 3, path);
	bind_text(s, 4, value);
	if ((rc = step_done(st, s, err, "saving an answer")) < 0)
		goto done;
	if (!(s = stmt(st, touch, err))) {
		rc = err ? err->code : HW_ERROR;
		goto done;
	}
	hw_now_iso(now);
	bind_text(s, 1, now);
	bind_text(s, 2, draft_id);
	rc = step_done(st, s, err, "saving an answer");
done:
	return tx_end(st, own, rc, err);
}

static int op_row(sqlite3_stmt *s, void *ctx)
{
	user_cb *u = ctx;

	return u->fn.op(TEXT(s, 0), TEXT(s, 1), TEXT(s, 2), u->payload);
}

int store_draft_ops(hw_store *st, const char *draft_id,
		    int (*cb)(const char *op, const char *path, const char *value, void *payload),
		    void *payload, hw_error *err)
{
	user_cb u = { .fn.op = cb, .payload = payload };

	return each_row(st, "SELECT op, path, value FROM draft_ops WHERE draft_id = ? ORDER BY seq",
			draft_id, op_row, &u, err, "reading a draft");
}

int store_draft_delete(hw_store *st, const char *draft_id, hw_error *err)
{
	static const char sql[] = "DELETE FROM drafts WHERE id = ?";
	sqlite3_stmt *s = stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, draft_id);
	return step_done(st, s, err, "removing a draft");
}

static int draft_row(sqlite3_stmt *s, void *ctx)
{
	user_cb *u = ctx;

	return u->fn.draft(TEXT(s, 0), TEXT(s, 1), TEXT(s, 2), u->payload);
}

int store_drafts_of_case(hw_store *st, const char *case_id,
			 int (*cb)(const char *draft_id, const char *form_id,
				   const char *updated_at, void *payload),
			 void *payload, hw_error *err)
{
	user_cb u = { .fn.draft = cb, .payload = payload };

	return each_row(st, "SELECT id, form_id, updated_at FROM drafts WHERE case_id = ? "
			"ORDER BY updated_at DESC", case_id, draft_row, &u, err, "reading drafts");
}

/* --- case work ------------------------------------------------------------ */

void store_referral_clear(store_referral *r)
{
	if (!r)
		return;
	free(r->id); free(r->case_id); free(r->provider); free(r->kinds); free(r->submissions);
	free(r->urgency); free(r->note); free(r->sent_at); free(r->sent_by); free(r->status);
	free(r->status_at); free(r->status_note); free(r->status_by); free(r->accepted_at);
	memset(r, 0, sizeof(*r));
}

void store_case_work_clear(store_case_work *w)
{
	if (!w)
		return;
	free(w->stage); free(w->decision); free(w->decision_date); free(w->departure_planned);
	free(w->departed_on); free(w->return_type); free(w->assistance); free(w->arrived_on);
	free(w->arrival_confirmed_by); free(w->follow_up_on); free(w->follow_up_round);
	free(w->closed_on); free(w->close_reason); free(w->close_note); free(w->reopened_on);
	for (size_t i = 0; i < w->nassignees; i++) {
		store_assignee *a = &w->assignees[i];
		free(a->person); free(a->role); free(a->organisation); free(a->since); free(a->note);
	}
	free(w->assignees);
	for (size_t i = 0; i < w->nconsents; i++) {
		store_consent *c = &w->consents[i];
		free(c->purpose); free(c->recipient); free(c->date); free(c->present); free(c->language);
		free(c->override_reason); free(c->recorded_by); free(c->withdrawn_on);
	}
	free(w->consents);
	for (size_t i = 0; i < w->nreferrals; i++)
		store_referral_clear(&w->referrals[i]);
	free(w->referrals);
	for (size_t i = 0; i < w->ndecisions; i++) {
		store_decision *d = &w->decisions[i];
		free(d->event_id); free(d->decision); free(d->date); free(d->author); free(d->at);
	}
	free(w->decisions);
	for (size_t i = 0; i < w->nappointments; i++)
		store_appointment_clear(&w->appointments[i]);
	free(w->appointments);
	for (size_t i = 0; i < w->nfamily; i++) {
		store_family_link *f = &w->family[i];
		free(f->member); free(f->relation); free(f->since); free(f->linked_by); free(f->note);
	}
	free(w->family);
	memset(w, 0, sizeof(*w));
}

/* Run a cached statement bound to case_id only. */
static int exec_case(hw_store *st, const char *sql, const char *case_id, hw_error *err)
{
	sqlite3_stmt *s = stmt(st, sql, err);

	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, case_id);
	return step_done(st, s, err, "saving case work");
}

int store_case_work_put(hw_store *st, const char *case_id, const store_case_work *w, hw_error *err)
{
	static const char del_work[] = "DELETE FROM case_work WHERE case_id = ?";
	static const char del_assignees[] = "DELETE FROM case_assignees WHERE case_id = ?";
	static const char del_consents[] = "DELETE FROM case_consents WHERE case_id = ?";
	static const char del_decisions[] = "DELETE FROM case_decisions WHERE case_id = ?";
	static const char del_referrals[] = "DELETE FROM referrals WHERE case_id = ?";
	static const char ins_work[] =
		"INSERT INTO case_work (case_id, stage, decision, decision_date, departure_planned, "
		"departed_on, return_type, assistance, assistance_granted, arrived_on, "
		"arrival_confirmed_by, follow_up_on, follow_up_round, closed_on, close_reason, "
		"close_note, reopened_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char ins_assignee[] =
		"INSERT OR REPLACE INTO case_assignees (case_id, person, role, organisation, since, note) "
		"VALUES (?, ?, ?, ?, ?, ?)";
	static const char ins_consent[] =
		"INSERT OR REPLACE INTO case_consents (case_id, purpose, recipient, granted, date, present, "
		"language, override_reason, recorded_by, withdrawn_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char ins_decision[] =
		"INSERT INTO case_decisions (case_id, seq, event_id, decision, date, author, at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?)";
	static const char ins_referral[] =
		"INSERT OR REPLACE INTO referrals (id, case_id, provider, kinds, submissions, urgency, note, "
		"sent_at, sent_by, status, status_at, status_note, status_by, accepted_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s;
	int rc, own;

	if ((rc = tx_begin(st, &own, err)) < 0)
		return rc;
	if ((rc = exec_case(st, del_work, case_id, err)) < 0 ||
	    (rc = exec_case(st, del_assignees, case_id, err)) < 0 ||
	    (rc = exec_case(st, del_consents, case_id, err)) < 0 ||
	    (rc = exec_case(st, del_decisions, case_id, err)) < 0 ||
	    (rc = exec_case(st, del_referrals, case_id, err)) < 0)
		goto done;
	if (!(s = stmt(st, ins_work, err))) {
		rc = err ? err->code : HW_ERROR;
		goto done;
	}
	bind_text(s, 1, case_id);
	bind_text(s, 2, w->stage ? w->stage : "identified");
	bind_text(s, 3, w->decision);
	bind_text(s, 4, w->decision_date);
	bind_text(s, 5, w->departure_planned);
	bind_text(s, 6, w->departed_on);
	bind_text(s, 7, w->return_type);
	bind_text(s, 8, w->assistance);
	sqlite3_bind_int(s, 9, w->assistance_granted);
	bind_text(s, 10, w->arrived_on);
	bind_text(s, 11, w->arrival_confirmed_by);
	bind_text(s, 12, w->follow_up_on);
	bind_text(s, 13, w->follow_up_round);
	bind_text(s, 14, w->closed_on);
	bind_text(s, 15, w->close_reason);
	bind_text(s, 16, w->close_note);
	bind_text(s, 17, w->reopened_on);
	if ((rc = step_done(st, s, err, "saving case work")) < 0)
		goto done;
	for (size_t i = 0; i < w->nassignees; i++) {
		const store_assignee *a = &w->assignees[i];

		if (!(s = stmt(st, ins_assignee, err))) {
			rc = err ? err->code : HW_ERROR;
			goto done;
		}
		bind_text(s, 1, case_id);
		bind_text(s, 2, a->person);
		bind_text(s, 3, a->role);
		bind_text(s, 4, a->organisation);
		bind_text(s, 5, a->since);
		bind_text(s, 6, a->note);
		if ((rc = step_done(st, s, err, "saving case work")) < 0)
			goto done;
	}
	for (size_t i = 0; i < w->nconsents; i++) {
		const store_consent *c = &w->consents[i];

		if (!(s = stmt(st, ins_consent, err))) {
			rc = err ? err->code : HW_ERROR;
			goto done;
		}
		bind_text(s, 1, case_id);
		bind_text(s, 2, c->purpose);
		bind_text(s, 3, c->recipient ? c->recipient : "");
		sqlite3_bind_int(s, 4, c->granted);
		bind_text(s, 5, c->date);
		bind_text(s, 6, c->present);
		bind_text(s, 7, c->language);
		bind_text(s, 8, c->override_reason);
		bind_text(s, 9, c->recorded_by);
		bind_text(s, 10, c->withdrawn_on);
		if ((rc = step_done(st, s, err, "saving case work")) < 0)
			goto done;
	}
	for (size_t i = 0; i < w->ndecisions; i++) {
		const store_decision *d = &w->decisions[i];

		if (!(s = stmt(st, ins_decision, err))) {
			rc = err ? err->code : HW_ERROR;
			goto done;
		}
		bind_text(s, 1, case_id);
		sqlite3_bind_int(s, 2, (int)i + 1);
		bind_text(s, 3, d->event_id);
		bind_text(s, 4, d->decision);
		bind_text(s, 5, d->date);
		bind_text(s, 6, d->author);
		bind_text(s, 7, d->at);
		if ((rc = step_done(st, s, err, "saving case work")) < 0)
			goto done;
	}
	for (size_t i = 0; i < w->nreferrals; i++) {
		const store_referral *r = &w->referrals[i];

		if (!(s = stmt(st, ins_referral, err))) {
			rc = err ? err->code : HW_ERROR;
			goto done;
		}
		bind_text(s, 1, r->id);
		bind_text(s, 2, case_id);
		bind_text(s, 3, r->provider);
		bind_text(s, 4, r->kinds);
		bind_text(s, 5, r->submissions);
		bind_text(s, 6, r->urgency);
		bind_text(s, 7, r->note);
		bind_text(s, 8, r->sent_at);
		bind_text(s, 9, r->sent_by);
		bind_text(s, 10, r->status);
		bind_text(s, 11, r->status_at);
		bind_text(s, 12, r->status_note);
		bind_text(s, 13, r->status_by);
		bind_text(s, 14, r->accepted_at);
		if ((rc = step_done(st, s, err, "saving case work")) < 0)
			goto done;
	}
	rc = store_agenda_work_put(st, case_id, w, err);
done:
	return tx_end(st, own, rc, err);
}

/* Append one zeroed element to a growable array; NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t size)
{
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

static int work_row(sqlite3_stmt *s, void *ctx)
{
	store_case_work *w = ctx;

	free(w->stage);
	w->stage = col_dup(s, 0);
	w->decision = col_dup(s, 1);
	w->decision_date = col_dup(s, 2);
	w->departure_planned = col_dup(s, 3);
	w->departed_on = col_dup(s, 4);
	w->return_type = col_dup(s, 5);
	w->assistance = col_dup(s, 6);
	w->assistance_granted = sqlite3_column_int(s, 7);
	w->arrived_on = col_dup(s, 8);
	w->arrival_confirmed_by = col_dup(s, 9);
	w->follow_up_on = col_dup(s, 10);
	w->follow_up_round = col_dup(s, 11);
	w->closed_on = col_dup(s, 12);
	w->close_reason = col_dup(s, 13);
	w->close_note = col_dup(s, 14);
	w->reopened_on = col_dup(s, 15);
	return 0;
}

static int assignee_row(sqlite3_stmt *s, void *ctx)
{
	store_case_work *w = ctx;
	store_assignee *a = grow((void **)&w->assignees, &w->nassignees, sizeof(*a));

	if (!a)
		return HW_ERROR;
	a->person = col_dup(s, 0);
	a->role = col_dup(s, 1);
	a->organisation = col_dup(s, 2);
	a->since = col_dup(s, 3);
	a->note = col_dup(s, 4);
	return 0;
}

static int consent_row(sqlite3_stmt *s, void *ctx)
{
	store_case_work *w = ctx;
	store_consent *c = grow((void **)&w->consents, &w->nconsents, sizeof(*c));

	if (!c)
		return HW_ERROR;
	c->purpose = col_dup(s, 0);
	c->recipient = col_dup(s, 1);
	c->granted = sqlite3_column_int(s, 2);
	c->date = col_dup(s, 3);
	c->present = col_dup(s, 4);
	c->language = col_dup(s, 5);
	c->override_reason = col_dup(s, 6);
	c->recorded_by = col_dup(s, 7);
	c->withdrawn_on = col_dup(s, 8);
	return 0;
}

static int decision_row(sqlite3_stmt *s, void *ctx)
{
	store_case_work *w = ctx;
	store_decision *d = grow((void **)&w->decisions, &w->ndecisions, sizeof(*d));

	if (!d)
		return HW_ERROR;
	d->event_id = col_dup(s, 0);
	d->decision = col_dup(s, 1);
	d->date = col_dup(s, 2);
	d->author = col_dup(s, 3);
	d->at = col_dup(s, 4);
	return 0;
}

#define REFERRAL_COLUMNS "id, case_id, provider, kinds, submissions, urgency, note, sent_at, " \
	"sent_by, status, status_at, status_note, status_by, accepted_at"

/* Fill r from a row of REFERRAL_COLUMNS (strings borrowed when borrow is set). */
static void referral_from_row(sqlite3_stmt *s, store_referral *r, int borrow)
{
#define TXT(i) (borrow ? (char *)sqlite3_column_text(s, i) : col_dup(s, i))
	r->id = TXT(0);
	r->case_id = TXT(1);
	r->provider = TXT(2);
	r->kinds = TXT(3);
	r->submissions = TXT(4);
	r->urgency = TXT(5);
	r->note = TXT(6);
	r->sent_at = TXT(7);
	r->sent_by = TXT(8);
	r->status = TXT(9);
	r->status_at = TXT(10);
	r->status_note = TXT(11);
	r->status_by = TXT(12);
	r->accepted_at = TXT(13);
#undef TXT
}

static int referral_row(sqlite3_stmt *s, void *ctx)
{
	store_case_work *w = ctx;
	store_referral *r = grow((void **)&w->referrals, &w->nreferrals, sizeof(*r));

	if (!r)
		return HW_ERROR;
	referral_from_row(s, r, 0);
	return 0;
}

int store_case_work_get(hw_store *st, const char *case_id, store_case_work *w, hw_error *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	if ((rc = each_row(st, "SELECT stage, decision, decision_date, departure_planned, departed_on, "
			   "return_type, assistance, assistance_granted, arrived_on, arrival_confirmed_by, "
			   "follow_up_on, follow_up_round, closed_on, close_reason, close_note, reopened_on "
			   "FROM case_work WHERE case_id = ?", case_id, work_row, w, err,
			   "reading case work")) < 0 ||
	    (rc = each_row(st, "SELECT person, role, organisation, since, note FROM case_assignees "
			   "WHERE case_id = ? ORDER BY since, person", case_id, assignee_row, w, err,
			   "reading case work")) < 0 ||
	    (rc = each_row(st, "SELECT purpose, recipient, granted, date, present, language, "
			   "override_reason, recorded_by, withdrawn_on FROM case_consents "
			   "WHERE case_id = ? ORDER BY purpose, recipient", case_id, consent_row, w, err,
			   "reading case work")) < 0 ||
	    (rc = each_row(st, "SELECT event_id, decision, date, author, at FROM case_decisions "
			   "WHERE case_id = ? ORDER BY seq", case_id, decision_row, w, err,
			   "reading case work")) < 0 ||
	    (rc = each_row(st, "SELECT " REFERRAL_COLUMNS " FROM referrals WHERE case_id = ? "
			   "ORDER BY sent_at, id", case_id, referral_row, w, err, "reading case work")) < 0 ||
	    (rc = store_agenda_work_get(st, case_id, w, err)) < 0) {
		store_case_work_clear(w);
		return rc;
	}
	if (!w->stage)
		w->stage = strdup("identified");
	return 0;
}

int store_referrals(hw_store *st, const char *status,
		    int (*cb)(const store_referral *r, void *payload), void *payload, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db,
		"SELECT " REFERRAL_COLUMNS " FROM referrals WHERE ?1 IS NULL OR status = ?1 "
		"ORDER BY coalesce(status_at, sent_at), id", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return db_fail(st, err, rc, "listing referrals");
	bind_text(s, 1, status);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_referral r;
		int stop;

		referral_from_row(s, &r, 1);
		if ((stop = cb(&r, payload)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, err, rc, "listing referrals");
}

int store_referral_find(hw_store *st, const char *prefix, store_referral *out, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc, n = 0;

	memset(out, 0, sizeof(*out));
	if (strlen(prefix) < 4 || strspn(prefix, "0123456789abcdef-") != strlen(prefix))
		return hw_error_set(err, HW_ENOTFOUND, "no referral %s", prefix);
	rc = sqlite3_prepare_v2(st->db, "SELECT " REFERRAL_COLUMNS " FROM referrals "
				"WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, err, rc, "reading a referral");
	bind_text(s, 1, prefix);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0)
			referral_from_row(s, out, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_referral_clear(out);
		return db_fail(st, err, rc, "reading a referral");
	}
	if (n == 0)
		return hw_error_set(err, HW_ENOTFOUND, "no referral %s", prefix);
	if (n > 1) {
		store_referral_clear(out);
		return hw_error_set(err, HW_EINVALID, "referral id %s is ambiguous", prefix);
	}
	return 0;
}

int store_device_known(hw_store *st, const char *device)
{
	static const char sql[] = "SELECT 1 FROM events WHERE device = ? LIMIT 1";
	sqlite3_stmt *s = stmt(st, sql, NULL);
	int rc;

	if (!s)
		return 0;
	bind_text(s, 1, device);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW;
}

void store_submission_clear(store_submission *s)
{
	if (!s)
		return;
	free(s->instance_id); free(s->case_id); free(s->form_id); free(s->form_version);
	free(s->created_at); free(s->sha256);
	memset(s, 0, sizeof(*s));
}

int store_submission_get(hw_store *st, const char *instance_id, store_submission *out, hw_error *err)
{
	static const char sql[] = "SELECT instance_id, case_id, form_id, form_version, created_at, sha256 "
				  "FROM submissions WHERE instance_id = ?";
	sqlite3_stmt *s = stmt(st, sql, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return err ? err->code : HW_ERROR;
	bind_text(s, 1, instance_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->instance_id = col_dup(s, 0);
		out->case_id = col_dup(s, 1);
		out->form_id = col_dup(s, 2);
		out->form_version = col_dup(s, 3);
		out->created_at = col_dup(s, 4);
		out->sha256 = col_dup(s, 5);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? hw_error_set(err, HW_ENOTFOUND, "no submission %s", instance_id)
				 : db_fail(st, err, rc, "reading a submission");
}

int store_is_encrypted(hw_store *st, int *out, hw_error *err)
{
	(void)err;
	*out = st && st->key != NULL;
	return st ? 0 : HW_EINVALID;
}

/* --- what the store's other files share (store_int.h) -------------------- */

sqlite3_stmt *store_stmt(hw_store *st, const char *sql, hw_error *err)
{
	return stmt(st, sql, err);
}

void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	bind_text(s, i, v);
}

char *store_col_dup(sqlite3_stmt *s, int i)
{
	return col_dup(s, i);
}

int store_step_done(hw_store *st, sqlite3_stmt *s, hw_error *err, const char *what)
{
	return step_done(st, s, err, what);
}

int store_db_fail(hw_store *st, hw_error *err, int src, const char *what)
{
	return db_fail(st, err, src, what);
}

int store_tx_begin(hw_store *st, int *own, hw_error *err)
{
	return tx_begin(st, own, err);
}

int store_tx_end(hw_store *st, int own, int rc, hw_error *err)
{
	return tx_end(st, own, rc, err);
}

sqlite3 *store_db(hw_store *st)
{
	return st->db;
}

int store_form_submission_count(hw_store *st, const char *form_id, const char *version,
				long *out, hw_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*out = 0;
	rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM submissions WHERE form_id = ?1 "
				"AND (?2 IS NULL OR form_version = ?2)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, err, rc, "counting submissions");
	bind_text(s, 1, form_id);
	bind_text(s, 2, version);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, err, rc, "counting submissions");
}

int store_form_submissions(hw_store *st, const char *form_id, const char *version,
			   int (*cb)(const store_form_sub *s, void *payload), void *payload,
			   hw_error *err)
{
	/*
	 * The order is worked out on the small columns only (the XML of 100,000
	 * submissions would go through the sorter), then each XML is read by
	 * its rowid as the rows go by: submissions stored in time order are
	 * then read in the order of their pages, where lookups by instance id
	 * jumped around a file whose pages are each decrypted when read.  Who recorded a submission is on its
	 * form.submitted event, found among its case's events.
	 */
	static const char order_sql[] =
		"SELECT s.instance_id, s.case_id, s.form_version, s.created_at, "
		"  (SELECT e.device || char(9) || coalesce(json_extract(e.json, '$.author'), '') "
		"   FROM events e WHERE e.case_id = s.case_id AND e.type = 'form.submitted' "
		"   AND json_extract(e.json, '$.data.instance_id') = s.instance_id LIMIT 1), s.rowid "
		"FROM submissions s WHERE s.form_id = ?1 AND (?2 IS NULL OR s.form_version = ?2) "
		"ORDER BY s.created_at, s.rowid";
	sqlite3_stmt *o = NULL, *x = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, order_sql, -1, &o, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->db, "SELECT xml FROM submissions WHERE rowid = ?",
					-1, &x, NULL);
	if (rc != SQLITE_OK) {
		rc = db_fail(st, err, rc, "reading submissions");
		goto cleanup;
	}
	bind_text(o, 1, form_id);
	bind_text(o, 2, version);
	while ((rc = sqlite3_step(o)) == SQLITE_ROW) {
		const char *who = TEXT(o, 4);
		char device[256] = "", *tab;
		store_form_sub sub = { TEXT(o, 0), TEXT(o, 1), TEXT(o, 2), TEXT(o, 3),
				       NULL, NULL, NULL, 0 };

		if (who) {
			snprintf(device, sizeof(device), "%s", who);
			if ((tab = strchr(device, '\t'))) {
				*tab = '\0';
				sub.author = who + (tab - device) + 1;
			}
			sub.device = device;
		}
		sqlite3_reset(x);
		sqlite3_bind_int64(x, 1, sqlite3_column_int64(o, 5));
		if ((rc = sqlite3_step(x)) != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? hw_error_set(err, HW_ECORRUPT, "submission %s vanished "
							      "while it was read", sub.instance_id)
					       : db_fail(st, err, rc, "reading a submission");
			goto cleanup;
		}
		sub.xml = sqlite3_column_blob(x, 0);
		sub.xml_len = (size_t)sqlite3_column_bytes(x, 0);
		if (!sub.xml)
			sub.xml = "";
		if ((rc = cb(&sub, payload)) != 0)
			goto cleanup;
	}
	rc = rc == SQLITE_DONE ? 0 : db_fail(st, err, rc, "reading submissions");
cleanup:
	sqlite3_finalize(o);
	sqlite3_finalize(x);
	return rc;
}
