/* progress.c: the time left of a step, from its counts (progress.h). */
#include "config.h"
#include "progress.h"

#include <stdio.h>
#include <time.h>

#include "i18n.h"

double ui_progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *ui_progress_estimate(char *buf, size_t size, double elapsed, size_t current,
				 size_t total)
{
	double left;
	long n;

	buf[0] = '\0';
	if (elapsed < 1 || current == 0 || current >= total)
		return buf;
	left = elapsed * (double)(total - current) / (double)current;
	if (left < 90) {
		n = (long)(left + 0.5);
		snprintf(buf, size, P_("about %ld second left", "about %ld seconds left", n), n);
	} else {
		n = (long)(left / 60 + 0.5);
		snprintf(buf, size, P_("about %ld minute left", "about %ld minutes left", n), n);
	}
	return buf;
}
