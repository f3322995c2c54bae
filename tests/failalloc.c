/*
 * failalloc.c: the failing allocator of the unit tests (see failalloc.h).
 * The environment variable is read here, by the tests, never by src/.
 */
#include "config.h"
#include "failalloc.h"

#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static unsigned long every;   /* HOMEWARD_TEST_FAILALLOC: every Nth fails; 0: off */
static unsigned long nth;     /* failalloc_fail_nth: this one fails, once */
static unsigned long count, failures;
static int trace;             /* HOMEWARD_TEST_FAILALLOC_TRACE: backtrace of each failure */

__attribute__((constructor)) static void failalloc_init(void)
{
	const char *s = getenv("HOMEWARD_TEST_FAILALLOC");

	if (s && *s)
		every = strtoul(s, NULL, 10);
	s = getenv("HOMEWARD_TEST_FAILALLOC_TRACE");
	trace = s && *s;
}

/* Where an allocation was made to fail, on stderr (addresses: see addr2line). */
static void trace_failure(void)
{
	void *frames[16];
	int n = backtrace(frames, 16);

	dprintf(2, "failalloc: allocation %lu fails\n", count);
	backtrace_symbols_fd(frames, n, 2);
}

/*
 * Criterion runs each test in a process forked from the runner, so the
 * counters start from the runner's values (no core code ran there): every
 * test sees the same sequence of failures on every run.
 */
static int fail_now(void)
{
	count++;
	if ((nth && count == nth) || (every && count % every == 0)) {
		failures++;
		if (trace)
			trace_failure();
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void failalloc_fail_nth(unsigned long n)
{
	nth = n;
	count = failures = 0;
}

unsigned long failalloc_count(void)
{
	return count;
}

unsigned long failalloc_failures(void)
{
	return failures;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}
