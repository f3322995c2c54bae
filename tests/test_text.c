/* test_text.c: column widths, truncation, wrapping and bidi layout (ui/text.c). */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ui/text.h"

/* Arabic "marhaban" (hello): meem, reh, hah, beh, alef. */
#define AR_HELLO "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7"
/* The same letters in the opposite order: alef, beh, hah, reh, meem. */
#define AR_HELLO_REV "\xd8\xa7\xd8\xa8\xd8\xad\xd8\xb1\xd9\x85"
/* Arabic "salam": seen, lam, alef, meem, and reversed. */
#define AR_SALAM "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85"
#define AR_SALAM_REV "\xd9\x85\xd8\xa7\xd9\x84\xd8\xb3"

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"), "C.UTF-8 locale needed");
}

TestSuite(text, .init = utf8_locale);

Test(text, decode_utf8_and_malformed_bytes)
{
	uint32_t cp;

	cr_expect_eq(text_decode("\xe6\x97\xa5", 3, &cp), 3);
	cr_expect_eq(cp, 0x65e5);
	cr_expect_eq(text_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	cr_expect_eq(cp, 0x1f600);
	/* A lone continuation byte, an overlong '/', a cut sequence. */
	cr_expect_eq(text_decode("\x80z", 2, &cp), 1);
	cr_expect_eq(cp, 0xfffd);
	cr_expect_eq(text_decode("\xc0\xaf", 2, &cp), 1);
	cr_expect_eq(cp, 0xfffd);
	cr_expect_eq(text_decode("\xe6\x97", 2, &cp), 1);
	cr_expect_eq(cp, 0xfffd);
	cr_expect_eq(text_decode("", 1, &cp), 0);
}

Test(text, widths_of_cjk_combining_and_arabic)
{
	cr_expect_eq(text_width("abc"), 3);
	cr_expect_eq(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);          /* two CJK ideographs */
	cr_expect_eq(text_width("e\xcc\x81"), 1);                         /* e + combining acute */
	cr_expect_eq(text_width(AR_HELLO), 5);
	cr_expect_eq(text_width("\xd9\x85\xd9\x8e"), 1);                  /* meem + fatha */
	cr_expect_eq(text_width(""), 0);
}

Test(text, fit_never_splits_a_character)
{
	int w;

	/* Three CJK characters in 3 columns: only one fits (the second would need 4). */
	cr_expect_eq(text_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3, &w), 3);
	cr_expect_eq(w, 2);
	/* A combining mark stays with its base. */
	cr_expect_eq(text_fit("e\xcc\x81x", 1, &w), 3);
	cr_expect_eq(w, 1);
	cr_expect_eq(text_fit("abc", 0, &w), 0);
}

Test(text, truncate_marks_the_cut)
{
	char *t;

	t = text_truncate("Amina Haddad", 8);
	cr_expect_str_eq(t, "Amina H\xe2\x80\xa6");
	cr_expect_eq(text_width(t), 8);
	free(t);
	t = text_truncate("short", 8);
	cr_expect_str_eq(t, "short");
	free(t);
	/* Wide characters: 5 columns hold two of them plus the ellipsis. */
	t = text_truncate("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5);
	cr_expect_str_eq(t, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6");
	free(t);
	t = text_truncate("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4);
	cr_expect_eq(text_width(t), 3);
	free(t);
}

Test(text, pad_to_exact_columns)
{
	char *t = text_pad("\xe6\x97\xa5x", 6);

	cr_expect_str_eq(t, "\xe6\x97\xa5x   ");
	cr_expect_eq(text_width(t), 6);
	free(t);
	t = text_pad("abcdefgh", 4);
	cr_expect_eq(text_width(t), 4);
	free(t);
}

Test(text, wrap_at_spaces_and_cut_long_words)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, "Do you have somewhere to stay on arrival?", 16, 0), 0);
	cr_assert_eq(b.count, 3);
	cr_expect_str_eq(b.lines[0].text, "Do you have");
	cr_expect_str_eq(b.lines[1].text, "somewhere to");
	cr_expect_str_eq(b.lines[2].text, "stay on arrival?");
	cr_expect_eq(b.lines[2].width, 16);
	text_block_free(&b);

	cr_assert_eq(text_layout(&b, "abcdefghij\n\nxy", 4, 0), 0);
	cr_assert_eq(b.count, 5);
	cr_expect_str_eq(b.lines[0].text, "abcd");
	cr_expect_str_eq(b.lines[2].text, "ij");
	cr_expect_str_eq(b.lines[3].text, "");
	cr_expect_str_eq(b.lines[4].text, "xy");
	text_block_free(&b);
}

Test(text, wrap_keeps_every_line_within_the_box)
{
	text_block b = TEXT_BLOCK_INIT;
	size_t i;

	cr_assert_eq(text_layout(&b, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5 ab", 3, 0), 0);
	for (i = 0; i < b.count; i++)
		cr_expect_leq(b.lines[i].width, 3, "line %zu is %d wide", i, b.lines[i].width);
	cr_expect_str_eq(b.lines[0].text, "\xe6\x97\xa5");
	text_block_free(&b);
}

Test(text, bidi_reorders_arabic_inside_a_latin_line)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, "Say " AR_HELLO " to her", 40, TEXT_BIDI), 0);
	cr_assert_eq(b.count, 1);
	cr_expect_str_eq(b.lines[0].text, "Say " AR_HELLO_REV " to her");
	cr_expect_eq(b.lines[0].x, 0, "a left-to-right paragraph starts at the left");
	cr_expect_eq(b.lines[0].rtl, 0);
	text_block_free(&b);
}

Test(text, bidi_rtl_paragraph_with_latin_is_right_aligned)
{
	text_block b = TEXT_BLOCK_INIT;

	/* Arabic first: a right-to-left paragraph; the Latin word keeps its order. */
	cr_assert_eq(text_layout(&b, AR_HELLO " UNHCR " AR_SALAM, 30, TEXT_BIDI), 0);
	cr_assert_eq(b.count, 1);
	cr_expect_str_eq(b.lines[0].text, AR_SALAM_REV " UNHCR " AR_HELLO_REV);
	cr_expect_eq(b.lines[0].rtl, 1);
	cr_expect_eq(b.lines[0].width, 16);
	cr_expect_eq(b.lines[0].x, 14, "right-aligned in 30 columns");
	text_block_free(&b);
}

Test(text, bidi_off_keeps_logical_order)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, AR_HELLO " abc", 30, 0), 0);
	cr_expect_str_eq(b.lines[0].text, AR_HELLO " abc");
	cr_expect_eq(b.lines[0].x, 0);
	text_block_free(&b);
}

Test(text, bidi_wrap_puts_first_words_on_the_first_line)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, AR_HELLO " " AR_SALAM, 6, TEXT_BIDI), 0);
	cr_assert_eq(b.count, 2);
	cr_expect_str_eq(b.lines[0].text, AR_HELLO_REV);
	cr_expect_eq(b.lines[0].x, 1);
	cr_expect_str_eq(b.lines[1].text, AR_SALAM_REV);
	cr_expect_eq(b.lines[1].x, 2);
	text_block_free(&b);
}

Test(text, bidi_mirrors_brackets_in_rtl)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, AR_SALAM " (" AR_HELLO ")", 30, TEXT_BIDI), 0);
	cr_expect_str_eq(b.lines[0].text, "(" AR_HELLO_REV ") " AR_SALAM_REV);
	text_block_free(&b);
}

Test(text, shaping_joins_arabic_letters)
{
	text_block b = TEXT_BLOCK_INIT;
	uint32_t cp;

	cr_assert_eq(text_layout(&b, AR_HELLO, 30, TEXT_BIDI | TEXT_SHAPE), 0);
	/* Visually first is the final form of alef (U+FE8E), width unchanged. */
	text_decode(b.lines[0].text, strlen(b.lines[0].text), &cp);
	cr_expect_eq(cp, 0xfe8e, "got U+%04X", (unsigned)cp);
	cr_expect_eq(b.lines[0].width, 5);
	text_block_free(&b);
}

Test(text, nowrap_truncates_in_logical_order)
{
	text_block b = TEXT_BLOCK_INIT;

	cr_assert_eq(text_layout(&b, AR_HELLO " " AR_SALAM, 7, TEXT_BIDI | TEXT_NOWRAP), 0);
	cr_assert_eq(b.count, 1);
	/* The first word and the space survive; the ellipsis is on the left,
	 * where the right-to-left text goes on. */
	cr_expect_str_eq(b.lines[0].text, "\xe2\x80\xa6 " AR_HELLO_REV);
	cr_expect_eq(b.lines[0].width, 7);
	text_block_free(&b);
}

Test(text, cell_pads_rtl_on_the_left)
{
	char *c = text_cell(AR_SALAM, 8, TEXT_BIDI, 1);

	cr_expect_str_eq(c, "    " AR_SALAM_REV);
	free(c);
	c = text_cell("Amina", 8, TEXT_BIDI, 1);
	cr_expect_str_eq(c, "Amina   ");
	free(c);
	cr_expect(text_is_rtl("  " AR_SALAM " abc"));
	cr_expect_not(text_is_rtl("123 abc " AR_SALAM));
}

Test(text, edit_moves_by_characters)
{
	text_edit e = TEXT_EDIT_INIT;

	cr_assert_eq(text_edit_set(&e, "e\xcc\x81t\xc3\xa9"), 0);   /* é (decomposed) t é */
	text_edit_left(&e);
	cr_expect_eq(e.cursor, 4);
	text_edit_left(&e);
	cr_expect_eq(e.cursor, 3);
	text_edit_left(&e);
	cr_expect_eq(e.cursor, 0, "the combining mark goes with its base");
	text_edit_delete(&e);
	cr_expect_str_eq(text_edit_str(&e), "t\xc3\xa9");
	text_edit_end(&e);
	text_edit_backspace(&e);
	cr_expect_str_eq(text_edit_str(&e), "t");
	cr_assert_eq(text_edit_insert(&e, 0x65e5), 0);
	cr_expect_str_eq(text_edit_str(&e), "t\xe6\x97\xa5");
	text_edit_free(&e);
}

Test(text, edit_view_scrolls_to_the_cursor)
{
	text_edit e = TEXT_EDIT_INIT;
	char *v;
	int col;

	text_edit_set(&e, "abcdefghijkl");
	cr_assert_eq(text_edit_view(&e, 5, 0, &v, &col), 0);
	cr_expect_str_eq(v, "ijkl");
	cr_expect_eq(col, 4);
	free(v);
	text_edit_home(&e);
	cr_assert_eq(text_edit_view(&e, 5, 0, &v, &col), 0);
	cr_expect_str_eq(v, "abcd");
	cr_expect_eq(col, 0);
	free(v);
	/* Right-to-left text: typed at the left end, the cursor left of it. */
	text_edit_set(&e, AR_SALAM);
	cr_assert_eq(text_edit_view(&e, 10, TEXT_BIDI, &v, &col), 0);
	cr_expect_str_eq(v, " " AR_SALAM_REV);
	cr_expect_eq(col, 0);
	free(v);
	text_edit_free(&e);
}

/* The text of line i of a wrapped string (static buffer). */
static const char *wline(const char *s, const text_span *l, size_t i)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "%.*s", (int)(l[i].end - l[i].start), s + l[i].start);
	return buf;
}

Test(text, wrap_spans_break_at_words_newlines_and_long_words)
{
	const char *s = "the family lives\n\nnear the harbour of Annaba-Seraidi-Mountains\n";
	text_span *l = NULL;
	size_t n = 0;

	cr_assert_eq(text_wrap(s, 10, &l, &n), 0);
	cr_assert_eq(n, 9, "%zu lines", n);
	cr_expect_str_eq(wline(s, l, 0), "the family");
	cr_expect_str_eq(wline(s, l, 1), "lives");
	cr_expect_str_eq(wline(s, l, 2), "");
	cr_expect_str_eq(wline(s, l, 3), "near the");
	cr_expect_str_eq(wline(s, l, 4), "harbour of");
	cr_expect_str_eq(wline(s, l, 5), "Annaba-Ser");
	cr_expect_str_eq(wline(s, l, 6), "aidi-Mount");
	cr_expect_str_eq(wline(s, l, 7), "ains");
	/* ... and after the final newline an empty line for the cursor. */
	cr_expect_eq(l[n - 1].start, strlen(s));
	cr_expect_eq(text_wrap_line(l, n, 0), 0);
	cr_expect_eq(text_wrap_line(l, n, 11), 1);   /* "lives" */
	cr_expect_eq(text_wrap_line(l, n, strlen(s)), n - 1);
	free(l);
}

Test(text, wrap_spans_measure_columns_not_bytes)
{
	/* Four Arabic words of five letters: two a line in 11 columns. */
	const char *s = AR_HELLO " " AR_HELLO " " AR_HELLO " " AR_HELLO;
	text_span *l = NULL;
	size_t n = 0, i;

	cr_assert_eq(text_wrap(s, 11, &l, &n), 0);
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++)
		cr_expect_eq(text_width(wline(s, l, i)), 11);
	free(l);
}

Test(text, edit_moves_between_wrapped_lines_keeping_the_column)
{
	text_edit e = TEXT_EDIT_INIT;

	text_edit_set(&e, "first line\nab\nthird line");
	e.cursor = 8;                       /* "first li|ne" */
	cr_assert(text_edit_vertical(&e, 20, 1));
	cr_expect_eq(e.cursor, 13);         /* the end of the shorter "ab" */
	cr_assert(text_edit_vertical(&e, 20, 1));
	cr_expect_eq(e.cursor, 16);         /* column 2 of "third line" */
	cr_expect_not(text_edit_vertical(&e, 20, 1), "no line below the last");
	cr_assert(text_edit_vertical(&e, 20, -1));
	cr_assert(text_edit_vertical(&e, 20, -1));
	cr_expect_eq(e.cursor, 2);
	cr_expect_not(text_edit_vertical(&e, 20, -1), "no line above the first");
	text_edit_free(&e);
}

/* True if s holds a byte a terminal acts on: C0 but newline and tab, DEL, or ESC. */
static int has_raw_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

Test(text, sanitize_makes_escape_sequences_visible_and_inert)
{
	/* A window title (ESC ] 0 ; ... BEL) and a screen clear (ESC [ 2 J) in a name. */
	const char name[] = "Amina\x1b]0;owned\x07\x1b[2JK.";
	char *s = text_sanitize(name, strlen(name), 0, NULL);

	cr_assert_not_null(s);
	cr_assert(!has_raw_control(s), "%s", s);
	cr_assert_str_eq(s, "Amina\xe2\x90\x9b]0;owned\xe2\x90\x87\xe2\x90\x9b[2JK.");
	free(s);
}

Test(text, sanitize_replaces_c1_bidi_overrides_and_invalid_utf8)
{
	/* U+0085 (C1), U+202E (right-to-left override), U+2066 (isolate), a lone 0xff, an overlong '/'. */
	const char in[] = "a\xc2\x85" "b\xe2\x80\xae" "c\xe2\x81\xa6" "d\xff" "e\xc0\xaf" "f";
	char *s = text_sanitize(in, strlen(in), 0, NULL);

	cr_assert_not_null(s);
	cr_assert_str_eq(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd"
			    "e\xef\xbf\xbd\xef\xbf\xbd" "f");
	free(s);
	/* Ordinary text of every script passes untouched, newlines only when asked. */
	s = text_sanitize("Āmina أمينة\nx\ty", strlen("Āmina أمينة\nx\ty"), TEXT_KEEP_LINES, NULL);
	cr_assert_str_eq(s, "Āmina أمينة\nx\ty");
	free(s);
	s = text_sanitize("x\ny", 3, 0, NULL);
	cr_assert_str_eq(s, "x\xe2\x90\x8ay");
	free(s);
}

Test(text, sanitize_keeps_a_character_cut_between_two_writes)
{
	size_t used = 0;
	char *s = text_sanitize("ab\xd8", 3, TEXT_PARTIAL, &used);

	cr_assert_str_eq(s, "ab");
	cr_assert_eq(used, 2);
	free(s);
	s = text_sanitize("ab\xd8", 3, 0, &used);
	cr_assert_str_eq(s, "ab\xef\xbf\xbd");
	cr_assert_eq(used, 3);
	free(s);
}
