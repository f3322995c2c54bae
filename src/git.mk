## src/git.mk: the repository module (the only user of libgit2), sync and
## merge, their command-line front end, tests and benchmark.
src_libhomeward_a_SOURCES += \
	src/repo.c src/repo.h

check_PROGRAMS += tests/test_repo
TESTS += tests/test_repo
tests_test_repo_CFLAGS = $(TEST_CFLAGS)
tests_test_repo_LDADD = $(TEST_LIBS)

src_libhomeward_a_SOURCES += \
	src/sync.c src/sync.h src/sync_int.h \
	src/merge.c src/publish.c

check_PROGRAMS += tests/test_sync
TESTS += tests/test_sync
tests_test_sync_CFLAGS = $(TEST_CFLAGS)
tests_test_sync_LDADD = $(TEST_LIBS)

homeward_SOURCES += ui/cli_sync.c

# The real program through a folder remote and a git daemon on 127.0.0.1.
TESTS += tests/sync-roundtrip.sh
EXTRA_DIST += tests/sync-roundtrip.sh

# Benchmark (built, never run by make check): `make bench-sync`.
noinst_PROGRAMS += bench/bench_sync
bench_bench_sync_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_sync_LDADD = src/libhomeward.a $(CORE_LIBS)

bench-sync: bench/bench_sync
	./bench/bench_sync
.PHONY: bench-sync

EXTRA_DIST += docs/sync.md
