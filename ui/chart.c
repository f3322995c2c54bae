/* chart.c: bars and sparklines as strings (chart.h). */
#include "config.h"
#include "chart.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#define FULL "\xe2\x96\x88"        /* U+2588 full block */
#define LEFT_HALF "\xe2\x96\x8c"   /* U+258C */
#define RIGHT_HALF "\xe2\x96\x90"  /* U+2590 */
#define SHADE "\xe2\x96\x91"       /* U+2591 light shade */

char *chart_bar(long value, long max, int width, unsigned flags)
{
	int ascii = flags & CHART_ASCII, halves, full, half, i;
	const char *cell = ascii ? "#" : FULL;
	char *out, *p;

	if (value < 0)
		value = 0;
	if (width < 0)
		width = 0;
	if (flags & CHART_VAGUE) {
		cell = ascii ? ":" : SHADE;
		if (max < value)
			max = value;
	}
	if (max <= 0 || value == 0) {
		halves = 0;
	} else {
		/* Half cells, rounded to nearest; anything above 0 shows. */
		halves = (int)(((double)value * 2 * width) / (double)max + 0.5);
		if (halves < 1)
			halves = 1;
		if (halves > 2 * width)
			halves = 2 * width;
	}
	full = halves / 2;
	half = halves % 2;
	if ((flags & CHART_VAGUE) && half) {
		/* A shade has no half: round a vague bar up. */
		full++;
		half = 0;
	}
	if (!(out = malloc((size_t)(full + 1) * 3 + 1)))
		return NULL;
	p = out;
	if (half && (flags & CHART_RTL)) {
		memcpy(p, ascii ? "#" : RIGHT_HALF, ascii ? 1 : 3);
		p += ascii ? 1 : 3;
	}
	for (i = 0; i < full; i++) {
		memcpy(p, cell, strlen(cell));
		p += strlen(cell);
	}
	if (half && !(flags & CHART_RTL)) {
		memcpy(p, ascii ? "#" : LEFT_HALF, ascii ? 1 : 3);
		p += ascii ? 1 : 3;
	}
	*p = '\0';
	return out;
}

/* Columns of value out of max in width, rounded; at least 1 for a value above 0. */
static int columns(double value, double max, int width)
{
	int n;

	if (value <= 0 || max <= 0)
		return 0;
	n = (int)(value * width / max + 0.5);
	if (n < 1)
		n = 1;
	return n > width ? width : n;
}

char *chart_range(double lo, double hi, double max, int width, unsigned flags)
{
	int ascii = flags & CHART_ASCII, solid, shade, i;
	const char *full = ascii ? "#" : FULL, *light = ascii ? ":" : SHADE;
	char *out, *p;

	if (width < 0)
		width = 0;
	if (hi < lo)
		hi = lo;
	solid = columns(lo, max, width);
	shade = columns(hi, max, width) - solid;
	if (shade < 0)
		shade = 0;
	if (!(out = malloc((size_t)(solid + shade) * 3 + 1)))
		return NULL;
	p = out;
	for (i = 0; i < solid + shade; i++) {
		int is_shade = flags & CHART_RTL ? i < shade : i >= solid;
		const char *c = is_shade ? light : full;

		memcpy(p, c, strlen(c));
		p += strlen(c);
	}
	*p = '\0';
	return out;
}

char *chart_sparkline(const long *values, const int *vague, size_t n, unsigned flags)
{
	static const char *const blocks[8] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	static const char ascii_levels[] = "_.:-=+*#";
	int ascii = flags & CHART_ASCII;
	long max = 0;
	size_t i;
	char *out, *p;

	for (i = 0; i < n; i++)
		if (values[i] > max && !(vague && vague[i]))
			max = values[i];
	if (!(out = malloc(n * 3 + 1)))
		return NULL;
	p = out;
	for (i = 0; i < n; i++) {
		size_t k = flags & CHART_RTL ? n - 1 - i : i;
		long v = values[k];
		int level;

		/*
		 * A withheld value has no height: the lowest block would read
		 * as "few" beside a blank that reads as "none", and any level
		 * says more than "<5".  Its own mark says "not shown".
		 */
		if (vague && vague[k]) {
			const char *mark = chart_withheld_mark(flags);

			memcpy(p, mark, strlen(mark));
			p += strlen(mark);
			continue;
		}
		if (v <= 0) {
			*p++ = ' ';
			continue;
		}
		if (max <= 0)
			level = 0;
		else
			level = (int)(((double)v * 7) / (double)max + 0.5);
		if (level < 0)
			level = 0;
		if (level > 7)
			level = 7;
		if (ascii) {
			*p++ = ascii_levels[level];
		} else {
			memcpy(p, blocks[level], 3);
			p += 3;
		}
	}
	*p = '\0';
	return out;
}

const char *chart_withheld_mark(unsigned flags)
{
	return flags & CHART_ASCII ? "?" : SHADE;
}

int chart_utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}
