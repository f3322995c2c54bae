/*
 * test_chart.c: bars and sparklines as the screens draw them (ui/chart.c):
 * lengths, half blocks on the side a bar ends, the shade of a count shown
 * as "<5", the order of a right-to-left sparkline, the mark of a withheld
 * month, the ASCII fallback.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "chart.h"

static void is(char *got, const char *want)
{
	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
}

Test(chart, a_bar_is_scaled_to_the_largest_in_half_cells)
{
	is(chart_bar(10, 10, 4, 0), "████");
	is(chart_bar(5, 10, 4, 0), "██");
	is(chart_bar(3, 10, 4, 0), "█");          /* 1.2 cells: 2 halves */
	is(chart_bar(5, 10, 3, 0), "█▌");         /* 1.5 cells */
	is(chart_bar(0, 10, 4, 0), "");
	is(chart_bar(1, 1000, 4, 0), "▌");        /* above 0 always shows */
}

Test(chart, right_to_left_the_half_block_is_the_right_half_and_comes_first)
{
	is(chart_bar(5, 10, 3, CHART_RTL), "▐█");
}

Test(chart, a_hidden_count_is_shaded_whole_cells)
{
	is(chart_bar(5, 10, 4, CHART_VAGUE), "░░");
	is(chart_bar(5, 10, 3, CHART_VAGUE), "░░");   /* 1.5 cells rounds up, never a half */
	is(chart_bar(5, 10, 4, CHART_VAGUE | CHART_ASCII), "::");
}

Test(chart, ascii_bars)
{
	is(chart_bar(10, 10, 3, CHART_ASCII), "###");
	is(chart_bar(5, 10, 3, CHART_ASCII), "##");
}

Test(chart, a_sparkline_has_a_column_per_value)
{
	long v[] = { 7, 0, 1, 3 };
	int vague[] = { 0, 0, 1, 0 };

	is(chart_sparkline(v, NULL, 4, 0), "█ ▂▄");
	is(chart_sparkline(v, vague, 4, 0), "█ ░▄");
	is(chart_sparkline(v, vague, 4, CHART_RTL), "▄░ █");
	is(chart_sparkline(v, vague, 4, CHART_ASCII), "# ?-");
}

/*
 * A month whose count is "<5" is not a height: neither the lowest block
 * (which reads as "a few", below a month of 5) nor a blank (which reads as
 * none).  It gets a mark of its own, the legend's, and the months shown are
 * scaled without it.
 */
Test(chart, a_withheld_value_is_its_own_mark_never_a_level)
{
	long v[] = { 4, 0, 1, 40 };
	int vague[] = { 1, 0, 1, 0 };

	is(chart_sparkline(v, vague, 4, 0), "░ ░█");
	is(chart_sparkline(v, vague, 4, CHART_ASCII), "? ?#");
	cr_assert_str_eq(chart_withheld_mark(0), "░");
	cr_assert_str_eq(chart_withheld_mark(CHART_ASCII), "?");
	/* Every value withheld: marks only, nothing to scale on. */
	is(chart_sparkline((long[]){ 4, 2, 1, 3 }, (int[]){ 1, 1, 1, 1 }, 4, 0), "░░░░");
}

Test(chart, a_range_is_solid_to_its_low_end_and_shaded_to_its_high_end)
{
	is(chart_range(2, 6, 8, 8, 0), "██░░░░");
	is(chart_range(2, 6, 8, 8, CHART_RTL), "░░░░██");
	is(chart_range(2, 2, 8, 8, 0), "██");
	is(chart_range(0, 8, 8, 4, CHART_ASCII), "::::");
}
