/*
 * text.h: text measured in terminal columns, wrapped and laid out for
 * display, with right-to-left scripts reordered into visual order.
 *
 * Everything here is pure (no terminal): strings in, strings out.  Strings
 * are UTF-8; a malformed byte counts as one U+FFFD.  Widths come from
 * wcwidth(), so the caller must have set an UTF-8 LC_CTYPE.  This is the
 * only module that includes fribidi.
 */
#ifndef HW_UI_TEXT_H
#define HW_UI_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the character at s (at most n bytes) into *cp; returns the number
 * of bytes used (1 for a malformed byte, which decodes to U+FFFD; 0 when
 * n is 0 or *s is NUL).
 */
size_t text_decode(const char *s, size_t n, uint32_t *cp);

/* Encode cp as UTF-8 into out (4 bytes room); returns the bytes written. */
size_t text_encode(uint32_t cp, char out[4]);

/* text_sanitize flags. */
enum {
	TEXT_KEEP_LINES = 1 << 0,   /* keep newline and tab (whole outputs, not single fields) */
};

/*
 * The one gate for text from cases, other devices and the central
 * repository on its way to a terminal: a copy of s (len bytes) in which
 * every character a terminal would act on is replaced by a visible
 * placeholder, so an escape sequence prints as text and does nothing.
 * Control characters C0 and DEL become their control pictures (ESC is
 * U+241B, BEL U+2407), C1 controls, bidirectional overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069) and invalid UTF-8 become U+FFFD.
 * *used (may be NULL) receives the bytes consumed: with TEXT_PARTIAL, an
 * incomplete character at the end is left for the next call.  Caller
 * frees; NULL when out of memory.
 */
char *text_sanitize(const char *s, size_t len, unsigned flags, size_t *used);

enum { TEXT_PARTIAL = 1 << 1 };

/* Columns of one character: 0 for combining marks, 2 for wide ones; a
 * control or unprintable character counts 1 (it is shown as '?'). */
int text_char_width(uint32_t cp);

/* Columns of a string (all of it). */
int text_width(const char *s);

/*
 * The number of bytes of the longest prefix of s that fits in cols columns,
 * never splitting a character and keeping combining marks with their base;
 * *width (may be NULL) receives its columns.
 */
size_t text_fit(const char *s, int cols, int *width);

/*
 * s cut to at most cols columns, ending with "…" when something was cut
 * (caller frees).
 */
char *text_truncate(const char *s, int cols);

/* s truncated as above and padded with spaces to exactly cols columns
 * (caller frees). */
char *text_pad(const char *s, int cols);

/* Layout flags. */
enum {
	TEXT_BIDI = 1 << 0,    /* reorder right-to-left runs into visual order */
	TEXT_SHAPE = 1 << 1,   /* with TEXT_BIDI: Arabic joining (presentation forms) */
	TEXT_NOWRAP = 1 << 2,  /* one line per paragraph, truncated with "…" */
};

/* One line ready to draw. */
typedef struct text_line {
	char *text;    /* visual order, UTF-8, owned */
	int width;     /* columns of text */
	int x;         /* column to start at inside the box (right-aligned RTL) */
	int rtl;       /* the paragraph it belongs to is right-to-left */
} text_line;

typedef struct text_block {
	size_t count;
	text_line *lines;
} text_block;

#define TEXT_BLOCK_INIT { 0, NULL }

/*
 * Lay out s in a box width columns wide: split at newlines into paragraphs,
 * word-wrap each (a word longer than the box is cut between characters),
 * and with TEXT_BIDI reorder each line to visual order and right-align the
 * lines of a right-to-left paragraph (its direction comes from its first
 * strong character).  Appends to out; returns 0 or -1 (out of memory).
 * Free with text_block_free().
 */
int text_layout(text_block *out, const char *s, int width, unsigned flags);

/* Free the lines of a block and reset it; NULL is fine. */
void text_block_free(text_block *b);

/*
 * One line of s for a table cell exactly cols columns wide: truncated,
 * reordered (with TEXT_BIDI) and padded; a right-to-left cell is padded on
 * the left when align_rtl is set.  Caller frees.
 */
char *text_cell(const char *s, int cols, unsigned flags, int align_rtl);

/* True if the first strong character of s is right-to-left. */
int text_is_rtl(const char *s);

/* ------------------------------------------------------------ editing */

/* A line of text being edited; cursor is a byte offset on a character boundary. */
typedef struct text_edit {
	char *buf;        /* NUL-terminated, owned */
	size_t len, cap;
	size_t cursor;
} text_edit;

#define TEXT_EDIT_INIT { NULL, 0, 0, 0 }

/* Replace the contents (cursor at the end); returns 0 or -1. */
int text_edit_set(text_edit *e, const char *s);
/* Insert the character cp at the cursor; returns 0 or -1. */
int text_edit_insert(text_edit *e, uint32_t cp);
/* Delete the character before / at the cursor (with its combining marks). */
void text_edit_backspace(text_edit *e);
void text_edit_delete(text_edit *e);
/* Move the cursor one character left / right (logical order), or to an end. */
void text_edit_left(text_edit *e);
void text_edit_right(text_edit *e);
void text_edit_home(text_edit *e);
void text_edit_end(text_edit *e);
/* The text ("" when empty; borrowed). */
const char *text_edit_str(const text_edit *e);
void text_edit_free(text_edit *e);

/* A line of wrapped text: the bytes [start, end) of the string. */
typedef struct text_span {
	size_t start, end;
} text_span;

/*
 * Split s into lines at most cols columns wide, in logical order: at each
 * newline, then between words (spaces at a break belong to no line; a word
 * longer than a line is cut between characters).  An empty paragraph, and
 * the end after a final newline, are empty lines, so every byte offset of s
 * has a line.  *out gets *count >= 1 spans (caller frees).  Returns 0 or -1.
 */
int text_wrap(const char *s, int cols, text_span **out, size_t *count);

/* The line of a wrapped text that holds byte offset off (where its cursor shows). */
size_t text_wrap_line(const text_span *lines, size_t count, size_t off);

/*
 * Move the cursor of a text wrapped as in a box cols wide to the line above
 * (dir < 0) or below, at the same column or the end of a shorter line.
 * Returns 1 if it moved, 0 when there is no such line (or no memory).
 */
int text_edit_vertical(text_edit *e, int cols, int dir);

/*
 * The visible part of an edited line in a box cols wide: *out gets the
 * visual-order text to draw (caller frees), *cursor_col the column of the
 * cursor within it.  The view scrolls so the cursor stays visible.
 */
int text_edit_view(const text_edit *e, int cols, unsigned flags, char **out, int *cursor_col);

#endif
