/*
 * test_chart.c: bars and sparklines as the screens draw them (ui/chart.c):
 * lengths, half blocks on the side a bar ends, the shade of a count shown
 * as "<5", the order of a right-to-left sparkline, the ASCII fallback.
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
	is(chart_sparkline(v, vague, 4, 0), "█ ▁▄");
	is(chart_sparkline(v, vague, 4, CHART_RTL), "▄▁ █");
	is(chart_sparkline(v, vague, 4, CHART_ASCII), "# _-");
}

Test(chart, a_range_is_solid_to_its_low_end_and_shaded_to_its_high_end)
{
	is(chart_range(2, 6, 8, 8, 0), "██░░░░");
	is(chart_range(2, 6, 8, 8, CHART_RTL), "░░░░██");
	is(chart_range(2, 2, 8, 8, 0), "██");
	is(chart_range(0, 8, 8, 4, CHART_ASCII), "::::");
}
