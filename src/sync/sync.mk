## src/sync/sync.mk: the repository module (repo.c, push.c and fetch.c, the only users of libgit2), sync,
## merge and publish as an internal library, their command-line front end,
## tests and benchmark.  sync_int.h stays inside this folder.
noinst_LIBRARIES += src/sync/libsync.a
SYNC_SRCS = \
	src/sync/repo.c src/sync/repo.h src/sync/push.c src/sync/push.h src/sync/fetch.c \
	src/sync/netwatch.c src/sync/netwatch.h \
	src/sync/sync.c src/sync/sync.h src/sync/sync_int.h \
	src/sync/merge.c src/sync/publish.c src/sync/migrate.c src/sync/seal_sync.c \
	src/sync/locks.c \
	src/sync/verify.c
src_sync_libsync_a_SOURCES = $(SYNC_SRCS)
src_sync_libsync_a_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)

check_PROGRAMS += tests/test_repo
TESTS += tests/test_repo
tests_test_repo_CFLAGS = $(TEST_CFLAGS)
tests_test_repo_LDADD = $(TEST_LIBS)
tests_test_repo_LDFLAGS = $(WRAP_ALLOC)

# The push to a server: a real git daemon, and a hostile fake server.
check_PROGRAMS += tests/test_push
TESTS += tests/test_push
tests_test_push_CFLAGS = $(TEST_CFLAGS)
tests_test_push_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fake-receive-pack.py

# The watch on waits for a server, over real TCP connections.
check_PROGRAMS += tests/test_netwatch
TESTS += tests/test_netwatch
tests_test_netwatch_CFLAGS = $(TEST_CFLAGS)
tests_test_netwatch_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_sync
TESTS += tests/test_sync
tests_test_sync_CFLAGS = $(TEST_CFLAGS)
tests_test_sync_LDADD = $(TEST_LIBS)
tests_test_sync_LDFLAGS = $(WRAP_ALLOC)

homeward_SOURCES += ui/cli_sync.c

# The real program through a folder remote and a git daemon on 127.0.0.1.
TESTS += tests/sync-roundtrip.sh tests/sync-connections.sh
EXTRA_DIST += tests/sync-roundtrip.sh tests/sync-connections.sh

# A server gone silent ends a sync or merge after sync.timeout (tests/cut-proxy.py freezes it).
TESTS += tests/sync-timeout.sh
EXTRA_DIST += tests/sync-timeout.sh

# A device branch removed from the central repository by hand is dropped
# by the supervisor's next merge, folder remote and git://.
TESTS += tests/sync-prune.sh
EXTRA_DIST += tests/sync-prune.sh

# What merges and syncs leave in repo.git: one pack per merge, small packs
# rolled up (bench/gen-cases makes the devices' cases).
TESTS += tests/sync-packs.sh
EXTRA_DIST += tests/sync-packs.sh

# `homeward migrate repository` on a central repository of format 1.
TESTS += tests/sync-migrate.sh
EXTRA_DIST += tests/sync-migrate.sh

# Real servers started by the tests on 127.0.0.1: OpenSSH's sshd, and
# lighttpd with TLS in front of git http-backend (skipped when missing).
TESTS += tests/sync-ssh.sh tests/sync-https.sh
EXTRA_DIST += tests/sync-ssh.sh tests/sync-https.sh

# Syncs and merges through cut connections (a loopback proxy) and kill -9,
# N of each (20 in make check; `make check-faults N=200` for more).
TESTS += tests/sync-faults.sh
EXTRA_DIST += tests/sync-faults.sh tests/cut-proxy.py tests/proxy-lib.sh tests/daemon-lib.sh
N = 200
check-faults: homeward
	FAULTS_N=$(N) srcdir=$(srcdir) HOMEWARD=./homeward $(SHELL) $(srcdir)/tests/sync-faults.sh
.PHONY: check-faults

# Benchmark (built, never run by make check): `make bench-sync`.
noinst_PROGRAMS += bench/bench_sync
bench_bench_sync_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_sync_LDADD = $(HW_LIBS) $(CORE_LIBS)

bench-sync: bench/bench_sync
	./bench/bench_sync
.PHONY: bench-sync

# What sealing costs against the same work in clear: `make bench-seal`.
EXTRA_PROGRAMS += bench/bench_seal
CLEANFILES += bench/bench_seal
bench_bench_seal_SOURCES = bench/bench_seal.c
bench_bench_seal_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_seal_LDADD = $(HW_LIBS) $(CORE_LIBS)
bench-seal: bench/bench_seal
	./bench/bench_seal
.PHONY: bench-seal

EXTRA_DIST += docs/sync.md

# Hostile device branches and a hostile main, built as an attacker would.
check_PROGRAMS += tests/test_hostile
TESTS += tests/test_hostile
tests_test_hostile_CFLAGS = $(TEST_CFLAGS)
tests_test_hostile_LDADD = $(TEST_LIBS)

# The merge validator and the importer under libFuzzer with AddressSanitizer
# and UBSan (clang); not part of make check.  FUZZ_IMPORT_TIME seconds
# (default 1200); new inputs go to fuzz/corpus-import-run.
FUZZ_IMPORT_TIME = 1200
# Every source of the core and its libraries (globbed, so a new file is picked up).
fuzz/fuzz_import: fuzz/fuzz_import.c $(HW_LIBS)
	@mkdir -p fuzz
	cd $(srcdir) && $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(abs_top_srcdir)/src -I$(abs_top_builddir) $(AM_CPPFLAGS) $(CORE_CFLAGS) \
		-o $(abs_top_builddir)/$@ fuzz/fuzz_import.c src/*.c src/sync/*.c \
		src/xform/*.c src/xpath/*.c $(CORE_LIBS)
fuzz-import: fuzz/fuzz_import
	mkdir -p fuzz/corpus-import-run
	ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$(srcdir)/fuzz/lsan.supp \
	./fuzz/fuzz_import -max_total_time=$(FUZZ_IMPORT_TIME) -max_len=8192 -timeout=300 \
		-rss_limit_mb=4096 fuzz/corpus-import-run $(srcdir)/fuzz/corpus-import
.PHONY: fuzz-import
CLEANFILES += fuzz/fuzz_import
EXTRA_DIST += fuzz/fuzz_import.c fuzz/corpus-import

# The roster, signatures and sealed keys other devices write (envelopes,
# enrolment requests, roster entries, signed files, commit signatures, wrap
# files) under libFuzzer with ASan and UBSan; FUZZ_TEAM_TIME seconds
# (default 1200), new inputs to fuzz/corpus-team-run.
FUZZ_TEAM_TIME = 1200
fuzz/fuzz_team: fuzz/fuzz_team.c $(HW_LIBS)
	@mkdir -p fuzz
	cd $(srcdir) && $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(abs_top_srcdir)/src -I$(abs_top_builddir) $(AM_CPPFLAGS) $(CORE_CFLAGS) \
		-o $(abs_top_builddir)/$@ fuzz/fuzz_team.c src/*.c src/sync/*.c \
		src/xform/*.c src/xpath/*.c $(CORE_LIBS)
fuzz-team: fuzz/fuzz_team
	mkdir -p fuzz/corpus-team-run
	ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$(srcdir)/fuzz/lsan.supp \
	./fuzz/fuzz_team -max_total_time=$(FUZZ_TEAM_TIME) -max_len=16384 -timeout=30 \
		-rss_limit_mb=2048 fuzz/corpus-team-run $(srcdir)/fuzz/corpus-team
.PHONY: fuzz-team
CLEANFILES += fuzz/fuzz_team
EXTRA_DIST += fuzz/fuzz_team.c fuzz/corpus-team fuzz/lsan.supp

# Cases sealed to their recipients: host, scope, rotation, merge (docs/security.md).
check_PROGRAMS += tests/test_sealsync
TESTS += tests/test_sealsync
tests_test_sealsync_CFLAGS = $(TEST_CFLAGS)
tests_test_sealsync_LDADD = $(TEST_LIBS)

# Scale: fictional cases through the core library (`bench/gen-cases WS N`),
# built by `make`; `make bench-scale` measures 1k, 10k and 100k cases
# (docs/performance.md has one run's figures).
noinst_PROGRAMS += bench/gen-cases
bench_gen_cases_SOURCES = bench/gen-cases.c
bench_gen_cases_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_gen_cases_LDADD = $(HW_LIBS) $(CORE_LIBS)
TESTS += tests/gen-cases.sh
EXTRA_DIST += tests/gen-cases.sh
EXTRA_PROGRAMS += bench/byteproxy
CLEANFILES += bench/byteproxy
bench_byteproxy_SOURCES = bench/byteproxy.c
EXTRA_DIST += bench/bench-scale.sh
bench-scale: homeward bench/gen-cases bench/byteproxy
	HOMEWARD=./homeward GEN=./bench/gen-cases PROXY=./bench/byteproxy \
		$(SHELL) $(srcdir)/bench/bench-scale.sh
.PHONY: bench-scale
# The limits of docs/sync.md at their size (a first push of 200,000 events,
# the files of one commit, the commits of one walk, one case of 10,000
# events): `make bench-limits` (PARTS, EVENTS, CASE_SIZES to choose).
EXTRA_DIST += bench/bench-limits.sh
bench-limits: homeward bench/gen-cases
	HOMEWARD=./homeward GEN=./bench/gen-cases SRCDIR=$(srcdir) \
		$(SHELL) $(srcdir)/bench/bench-limits.sh
.PHONY: bench-limits

# What a server answers a push (advertisement and report, pkt-lines and
# side-band) under libFuzzer with ASan and UBSan; FUZZ_PUSH_TIME seconds
# (default 600), new inputs to fuzz/corpus-push-run.
FUZZ_PUSH_TIME = 600
fuzz/fuzz_push: fuzz/fuzz_push.c $(HW_LIBS)
	@mkdir -p fuzz
	cd $(srcdir) && $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(abs_top_srcdir)/src -I$(abs_top_builddir) $(AM_CPPFLAGS) $(CORE_CFLAGS) \
		-o $(abs_top_builddir)/$@ fuzz/fuzz_push.c src/*.c src/sync/*.c \
		src/xform/*.c src/xpath/*.c $(CORE_LIBS)
fuzz-push: fuzz/fuzz_push
	mkdir -p fuzz/corpus-push-run
	ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$(srcdir)/fuzz/lsan.supp \
	./fuzz/fuzz_push -max_total_time=$(FUZZ_PUSH_TIME) -max_len=200000 -timeout=10 \
		-rss_limit_mb=1024 fuzz/corpus-push-run $(srcdir)/fuzz/corpus-push
.PHONY: fuzz-push
CLEANFILES += fuzz/fuzz_push
EXTRA_DIST += fuzz/fuzz_push.c fuzz/corpus-push

# The push to a server against libgit2's own, at 1k, 10k and 100k cases:
# `make bench-push` (built only then).
EXTRA_PROGRAMS += bench/bench_push
CLEANFILES += bench/bench_push
bench_bench_push_SOURCES = bench/bench_push.c
bench_bench_push_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_push_LDADD = $(HW_LIBS) $(CORE_LIBS)
bench-push: bench/bench_push
	./bench/bench_push
.PHONY: bench-push
