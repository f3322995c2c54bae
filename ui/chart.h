/*
 * chart.h: bar charts and sparklines drawn with characters, for the
 * screens.  Pure (no terminal): each call returns a string to draw.
 *
 * Bars are full blocks (U+2588) with a half block at the end for half a
 * cell, growing from the start of a line: in a right-to-left layout the
 * bar is drawn from the right, so its half block is the right half
 * (U+2590).  Sparklines use the eight lower blocks U+2581..U+2588, and a
 * light shade for a value withheld.  With CHART_ASCII (a terminal whose
 * locale is not UTF-8) bars are '#' and sparklines the levels "_.:-=+*#",
 * and '?' withheld.
 */
#ifndef HW_UI_CHART_H
#define HW_UI_CHART_H

#include <stddef.h>

enum {
	CHART_ASCII = 1 << 0,   /* plain ASCII characters only */
	CHART_RTL = 1 << 1,     /* laid out right to left: bars end on the left, time runs leftwards */
	CHART_VAGUE = 1 << 2,   /* chart_bar: a count shown as "<N": a light shade of the threshold's length */
};

/*
 * A bar of value out of max, at most width columns, as a string of exactly
 * its own columns (no padding; "" for 0).  With CHART_VAGUE the bar has
 * the length of value (pass the threshold) in a light shade (U+2591, ASCII
 * ':'), so its length tells no more than "<N" does.  With CHART_RTL a
 * trailing half block is U+2590 and comes first.  Caller frees; NULL when
 * out of memory.
 */
char *chart_bar(long value, long max, int width, unsigned flags);

/*
 * A bar from 0 to hi out of max, at most width columns, solid up to lo and
 * shaded from lo to hi (a median and a 90th percentile): whole columns,
 * each part rounded to the nearest, a part above 0 at least one column.
 * With CHART_RTL the shaded part comes first.  Caller frees.
 */
char *chart_range(double lo, double hi, double max, int width, unsigned flags);

/*
 * A sparkline of n values, one column each: 0 is a blank, the largest the
 * full block, the others scaled over the eight levels (a value above 0
 * never below the first).  vague[i] (vague may be NULL) marks a value
 * shown as "<N": it is drawn as chart_withheld_mark(), never as a level,
 * and the others are scaled without it.  With CHART_RTL the first value is
 * the last character.  Caller frees.
 */
char *chart_sparkline(const long *values, const int *vague, size_t n, unsigned flags);

/*
 * The one-column mark of a sparkline's withheld value, for a legend: a
 * light shade (U+2591), '?' with CHART_ASCII.  Static.
 */
const char *chart_withheld_mark(unsigned flags);

/* True when the terminal's locale speaks UTF-8 (else charts use CHART_ASCII). */
int chart_utf8_locale(void);

#endif
