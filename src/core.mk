## src/core.mk: util and error (the base every library uses), and the core:
## events, store, workspace, cases, forms.
noinst_LIBRARIES += src/libhwutil.a
HWUTIL_C = src/error.c src/util.c
src_libhwutil_a_SOURCES = $(HWUTIL_C) src/error.h src/util.h
src_libhomeward_a_SOURCES += \
	src/event.c src/event.h \
	src/store.c src/store.h src/store_vfs.c src/store_vfs.h \
	src/workspace.c src/workspace.h \
	src/cases.c src/cases.h src/caseform.c src/caseform.h \
	src/agenda.c src/agenda.h src/store_agenda.c src/store_int.h \
	src/fold.c src/fold.h
src_libhomeward_a_SOURCES += src/forms.c src/forms.h
# ISO 3166-1 and ISO 639 codes (data/*.tsv), compiled in as tables: every
# check of a code works without files, on import as on entry.
src_libhomeward_a_SOURCES += src/iso.c src/iso.h src/iso_tables.h
nodist_src_libhomeward_a_SOURCES = src/iso_tables.c
BUILT_SOURCES += src/iso_tables.c
CLEANFILES += src/iso_tables.c
EXTRA_DIST += src/iso_tables.awk data/iso3166-1.tsv data/iso639.tsv
src/iso_tables.c: $(srcdir)/src/iso_tables.awk $(srcdir)/data/iso3166-1.tsv $(srcdir)/data/iso639.tsv
	$(AWK) -f $(srcdir)/src/iso_tables.awk $(srcdir)/data/iso3166-1.tsv $(srcdir)/data/iso639.tsv >$@.tmp && mv $@.tmp $@
src_libhomeward_a_SOURCES += src/csv.c src/csv.h src/assist.c src/assist.h
# Cryptography: libsodium behind one module (docs/security.md).
src_libhomeward_a_SOURCES += src/crypto.c src/crypto.h
# The signed-file envelope of events and submissions in git (docs/security.md).
src_libhomeward_a_SOURCES += src/envelope.c src/envelope.h
# End-to-end encryption of cases: case keys, sealed bodies, wrap files.
src_libhomeward_a_SOURCES += src/seal.c src/seal.h
# The team roster and its trust root (docs/security.md).
src_libhomeward_a_SOURCES += src/team.c src/team.h
# Case work: reintegration providers (docs/case-work.md).
src_libhomeward_a_SOURCES += src/providers.c src/providers.h
# Reports for supervisors (docs/reports.md).
src_libhomeward_a_SOURCES += src/report.c src/report.h src/store_report.c src/export.c src/export.h
homeward_SOURCES += ui/cli_report.c ui/report_html.c ui/report_html.h

# The command line written on top of the core (the TUI's files are in ui/ui.mk).
homeward_SOURCES += ui/cli_case.c ui/cli_fill.c ui/demo.c ui/cli_work.c
homeward_SOURCES += ui/cli_agenda.c ui/agenda_text.c ui/agenda_text.h

# Benchmark of opening a workspace (built on demand, never run by make check):
# `make bench-open` (100k cases; docs/architecture.md has the figures).
EXTRA_PROGRAMS += bench/bench_open
CLEANFILES += bench/bench_open
bench_bench_open_SOURCES = bench/bench_open.c
bench_bench_open_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_open_LDADD = $(HW_LIBS) $(CORE_LIBS)
bench-open: bench/bench_open
	./bench/bench_open
.PHONY: bench-open

# What encrypting the database costs, against the same data in clear
# (built on demand): `make bench-atrest` (100k cases; docs/performance.md).
EXTRA_PROGRAMS += bench/bench_atrest
CLEANFILES += bench/bench_atrest
bench_bench_atrest_SOURCES = bench/bench_atrest.c
bench_bench_atrest_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_atrest_LDADD = $(HW_LIBS) $(CORE_LIBS)
bench-atrest: bench/bench_atrest
	./bench/bench_atrest
.PHONY: bench-atrest

# The agenda's first screen at 100k cases and 300k appointments (goal: under
# 50 ms each); part of `make bench` (docs/agenda.md, docs/performance.md).
EXTRA_PROGRAMS += bench/bench_agenda
CLEANFILES += bench/bench_agenda
bench_bench_agenda_SOURCES = bench/bench_agenda.c
bench_bench_agenda_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_agenda_LDADD = $(HW_LIBS) $(CORE_LIBS)
bench-agenda: bench/bench_agenda
	./bench/bench_agenda
bench: bench-agenda
.PHONY: bench-agenda
# Exports of submissions and workbooks (docs/exports.md): zlib behind the
# zip writer, libxlsxwriter behind the workbook writer.
src_libhomeward_a_SOURCES += src/export_table.c src/zip.c src/zip.h src/xlsx.c src/xlsx.h
homeward_SOURCES += ui/cli_export.c

# The map of `export riat` (docs/exports.md): installed with the program's
# data, and copied beside the built forms for the uninstalled program.
riatdir = $(pkgdatadir)/exports
dist_riat_DATA = data/exports/riat.map
all-local: share/exports/riat.map
share/exports/riat.map: $(srcdir)/data/exports/riat.map
	$(AM_V_GEN)$(MKDIR_P) share/exports && cp $(srcdir)/data/exports/riat.map $@
CLEANFILES += share/exports/riat.map

# `make bench-export`: export 100,000 submissions of one form (CSV under
# 10 s and 100 MB), with the generator bench/gen-submissions.
noinst_PROGRAMS += bench/gen-submissions
bench_gen_submissions_SOURCES = bench/gen-submissions.c
bench_gen_submissions_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_gen_submissions_LDADD = $(HW_LIBS) $(CORE_LIBS)
EXTRA_DIST += bench/bench-export.sh
bench-export: homeward bench/gen-submissions
	HOMEWARD=./homeward GEN=./bench/gen-submissions $(SHELL) $(srcdir)/bench/bench-export.sh
.PHONY: bench-export
bench: bench-export

# The reports at 100k cases with five submissions each (docs/reports.md):
# `make bench-reports`, also run by `make bench`.  BENCH_CASES to change the size.
EXTRA_PROGRAMS += bench/bench_reports
CLEANFILES += bench/bench_reports
bench_bench_reports_SOURCES = bench/bench_reports.c
bench_bench_reports_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_reports_LDADD = $(HW_LIBS) $(CORE_LIBS)
EXTRA_DIST += bench/bench-reports.sh
BENCH_CASES = 100000
bench-reports: homeward bench/gen-cases bench/bench_reports
	BENCH_CASES=$(BENCH_CASES) $(SHELL) $(srcdir)/bench/bench-reports.sh
bench: bench-reports
.PHONY: bench-reports
