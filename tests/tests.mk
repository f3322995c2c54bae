## tests/tests.mk
EXTRA_DIST += tests/criterion-tap

# Core: store, events, the case fold, drafts.
check_PROGRAMS += tests/test_core
TESTS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LIBS) $(SQLITE_LIBS)
tests_test_core_LDFLAGS = $(WRAP_ALLOC)

# Case work: event schemas, the stage fold, consent and referrals.
check_PROGRAMS += tests/test_casework
TESTS += tests/test_casework
tests_test_casework_SOURCES = tests/test_casework.c
tests_test_casework_CFLAGS = $(TEST_CFLAGS)
tests_test_casework_LDADD = $(TEST_LIBS)

# Case keys, sealed bodies and wrap files: every authenticated byte.
check_PROGRAMS += tests/test_seal
TESTS += tests/test_seal
tests_test_seal_SOURCES = tests/test_seal.c
tests_test_seal_CFLAGS = $(TEST_CFLAGS)
tests_test_seal_LDADD = $(TEST_LIBS)

# Passphrase-sealed files: one derivation per command, one salt per workspace.
check_PROGRAMS += tests/test_keys
TESTS += tests/test_keys
tests_test_keys_SOURCES = tests/test_keys.c
tests_test_keys_CFLAGS = $(TEST_CFLAGS)
tests_test_keys_LDADD = $(TEST_LIBS)

# Changing the passphrase: all or nothing, killed between any two steps.
TESTS += tests/passphrase.sh
EXTRA_DIST += tests/passphrase.sh

# Folding text for search: every class of the table.
check_PROGRAMS += tests/test_fold
TESTS += tests/test_fold
tests_test_fold_SOURCES = tests/test_fold.c
tests_test_fold_CFLAGS = $(TEST_CFLAGS)
tests_test_fold_LDADD = $(TEST_LIBS)

# Module boundaries (the core knows no screen; one module per library).
TESTS += tests/boundaries.sh
EXTRA_DIST += tests/boundaries.sh

# Filling forms: drafts, kill -9, finalising.
check_PROGRAMS += tests/test_fill
TESTS += tests/test_fill
tests_test_fill_SOURCES = tests/test_fill.c
tests_test_fill_CFLAGS = $(TEST_CFLAGS)
tests_test_fill_LDADD = $(TEST_LIBS)
tests_test_fill_LDFLAGS = $(WRAP_ALLOC)
EXTRA_DIST += tests/fill/intake.xml

# The command line as scripts use it.
TESTS += tests/cli.sh

# External CSV instances: refused beyond 16 MiB or 100,000 rows, quickly.
TESTS += tests/form-limits.sh
EXTRA_DIST += tests/form-limits.sh

# A full disk at open is said as such, not as damage.
TESTS += tests/full-disk.sh
EXTRA_DIST += tests/full-disk.sh

# homeward doctor: warnings, and exit 1 only when it cannot check.
TESTS += tests/doctor.sh
EXTRA_DIST += tests/doctor.sh

# A token in a remote URL: kept apart, offered, never shown.
TESTS += tests/credentials.sh
EXTRA_DIST += tests/credentials.sh

# The passphrase: never an argument, in the environment, a log or a core dump.
TESTS += tests/secrets.sh
EXTRA_DIST += tests/secrets.sh

# Who may read a workspace: private whatever the umask, refused when open.
TESTS += tests/permissions.sh
EXTRA_DIST += tests/permissions.sh

# Hostile text and damaged workspaces through the real program.
TESTS += tests/hostile-cli.sh
EXTRA_DIST += tests/hostile-cli.sh

# A file too big for memory on a folder remote's branch: named, with the way out.
TESTS += tests/hostile-memory.sh
EXTRA_DIST += tests/hostile-memory.sh
EXTRA_DIST += tests/cli.sh

# Search: folding, words inside words, short words, hostile query text.
TESTS += tests/search.sh
EXTRA_DIST += tests/search.sh

# Case work on the command line: every command and every refusal.
TESTS += tests/cli-casework.sh
EXTRA_DIST += tests/cli-casework.sh

# The follow-up agenda and return files on the command line, with a fixed
# clock; the calendar export checked by a small iCalendar structure checker.
TESTS += tests/agenda.sh
EXTRA_DIST += tests/agenda.sh tests/ics-check.py
# A return file and an appointment travelling between devices over git.
TESTS += tests/family-roundtrip.sh
EXTRA_DIST += tests/family-roundtrip.sh

# Case work between devices: counsellor, supervisor, field officer over git.
TESTS += tests/casework-roundtrip.sh
EXTRA_DIST += tests/casework-roundtrip.sh

# The signed-file envelope: every byte authenticated, hostile files refused.
check_PROGRAMS += tests/test_envelope
TESTS += tests/test_envelope
tests_test_envelope_SOURCES = tests/test_envelope.c
tests_test_envelope_CFLAGS = $(TEST_CFLAGS)
tests_test_envelope_LDADD = $(TEST_LIBS)

# What the host, a USB stick and a device that is no recipient can read of a case.
TESTS += tests/seal-host.sh
EXTRA_DIST += tests/seal-host.sh

# Device keys and the passphrase (docs/security.md).
TESTS += tests/keys.sh
EXTRA_DIST += tests/keys.sh

# The interface is completely translated.
TESTS += tests/ui-translations.sh
EXTRA_DIST += tests/ui-translations.sh

# Correcting a case and deciding a conflict on the screen.
TESTS += tests/tui-edit.sh
EXTRA_DIST += tests/tui-edit.sh

# What cannot be read is said on the screen, not silently left out.
TESTS += tests/tui-errors.sh
EXTRA_DIST += tests/tui-errors.sh

# The unit tests with every Nth allocation failing (docs/testing.md).
OOM_FIRST = 2
OOM_LAST = 150
OOM_UNIT_TESTS = tests/test_core tests/test_fill tests/test_xform tests/test_xpath \
	tests/test_formi18n tests/test_repo tests/test_sync
.PHONY: check-oom
check-oom: $(OOM_UNIT_TESTS)
	$(SHELL) $(srcdir)/tests/check-oom.sh $(OOM_FIRST) $(OOM_LAST) $(OOM_UNIT_TESTS)
EXTRA_DIST += tests/check-oom.sh docs/testing.md

# A short sample of it in make check: it must not crash.
TESTS += tests/oom-sample.sh
EXTRA_DIST += tests/oom-sample.sh

# SQL on a workspace's database through its encryption, for shell tests.
check_PROGRAMS += tests/ws_sql
tests_ws_sql_SOURCES = tests/ws_sql.c
tests_ws_sql_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
tests_ws_sql_LDADD = $(HW_LIBS) $(CORE_LIBS) $(SQLITE_LIBS)

# The database at rest: nothing in clear, damage reported, a plain workspace migrated.
TESTS += tests/atrest.sh
EXTRA_DIST += tests/atrest.sh
# The screen locks and unlocks.
TESTS += tests/tui-lock.sh
EXTRA_DIST += tests/tui-lock.sh

# Reports: hand-counted figures, the <5 rule, CSV and JSON read back.
TESTS += tests/reports.sh
EXTRA_DIST += tests/reports.sh

# Timeliness and referrals: hand-worked days, medians and percentiles, <5.
TESTS += tests/report-timeliness.sh
EXTRA_DIST += tests/report-timeliness.sh
# The HTML report rendered by headless Chromium (skipped without it).
TESTS += tests/report-html.sh
EXTRA_DIST += tests/report-html.sh tests/png-color.py
# Follow-up rounds and reintegration scores, worked out by hand.
TESTS += tests/report-followup.sh
EXTRA_DIST += tests/report-followup.sh

# Exports of cases and the audit log: read back, recorded before written.
TESTS += tests/export.sh
EXTRA_DIST += tests/export.sh
EXTRA_DIST += tests/team-lib.sh tests/daemon-lib.sh tests/tap-lib.sh

# The team roster, signed files and signed main: forgeries refused (docs/security.md).
TESTS += tests/team.sh
EXTRA_DIST += tests/team.sh

# Team settings: a supervisor's programme rules reach every device, signed like the roster.
TESTS += tests/team-settings.sh
EXTRA_DIST += tests/team-settings.sh

# A device belongs to one team: another team's fingerprint or central repository is refused.
TESTS += tests/team-other.sh
EXTRA_DIST += tests/team-other.sh

# export submissions and workbooks, read back (docs/exports.md).
TESTS += tests/export-submissions.sh
EXTRA_DIST += tests/export-submissions.sh tests/forms/export-visit.xml
TESTS += tests/export-riat.sh
EXTRA_DIST += tests/export-riat.sh
