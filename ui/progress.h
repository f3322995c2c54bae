/*
 * progress.h: what the command line and the screen say while a sync, a
 * merge or a review runs: an estimate of the time left from the counts of
 * the step under way.
 */
#ifndef HW_UI_PROGRESS_H
#define HW_UI_PROGRESS_H

#include <stddef.h>

/* Seconds on a clock that only goes forward. */
double ui_progress_now(void);

/*
 * "about 3 minutes left" (translated) into buf, from the seconds a step
 * has run and its counts; "" while there is nothing to estimate from
 * (under a second, no count yet, or done).  Returns buf.
 */
const char *ui_progress_estimate(char *buf, size_t size, double elapsed, size_t current,
				 size_t total);

#endif
