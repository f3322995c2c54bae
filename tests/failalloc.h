/*
 * failalloc.h: a failing allocator for the unit tests (never linked into
 * the program).  The test programs are linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
 * so that every allocation made by the core's code (the static libraries and
 * the test itself, not SQLite, libgit2, libxml2 or Criterion) goes through
 * here.  Two ways to make allocations fail:
 *
 *  - HOMEWARD_TEST_FAILALLOC=N in the environment: every Nth allocation
 *    fails, counted from the start of each test (make check-oom runs every
 *    unit test this way for a range of N);
 *  - failalloc_fail_nth(n) from a test: the nth allocation from now fails,
 *    once, so a test can walk n = 1, 2, ... through a whole operation.
 *
 * HOMEWARD_TEST_FAILALLOC_TRACE=1 prints a backtrace of each failed
 * allocation on stderr (addr2line -f -e PROGRAM ADDRESS names the lines).
 */
#ifndef HW_TEST_FAILALLOC_H
#define HW_TEST_FAILALLOC_H

/* Restart counting; the nth allocation from now fails once (0: none fails). */
void failalloc_fail_nth(unsigned long n);

/* Allocations seen since the last failalloc_fail_nth() (or the start). */
unsigned long failalloc_count(void);

/* Allocations made to fail since the last failalloc_fail_nth() (or the start). */
unsigned long failalloc_failures(void);

#endif
