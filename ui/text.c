/*
 * text.c: UTF-8 decoding, column widths, truncation, word wrap and the
 * bidirectional layout of lines (fribidi).
 *
 * A paragraph goes through these steps: decode to code points; with
 * TEXT_BIDI resolve the embedding levels of the whole paragraph (so every
 * line of a wrapped paragraph agrees on its direction) and shape it
 * (mirrored brackets, Arabic joining); wrap in logical order by columns;
 * reorder each line to visual order.  Wrapping before reordering is what
 * the Unicode bidi algorithm asks for: the first words of an Arabic
 * sentence go on the first line, at its right end.
 */
#include "config.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <fribidi.h>

#define REPLACEMENT 0xFFFDu
#define ZWNBSP 0xFEFFu          /* what Arabic ligature shaping leaves behind */
#define ELLIPSIS "\xe2\x80\xa6"  /* U+2026, one column */

size_t text_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t len, i;

	if (n == 0 || s[0] == 0) {
		*cp = 0;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	if (len > n) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are not characters. */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = REPLACEMENT;
		return 1;
	}
	*cp = c;
	return len;
}

size_t text_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The length of a well-formed UTF-8 character at s (n bytes), 0 if malformed, -1 if cut short. */
static int utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < k; i++) {
		if (i >= n)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return (int)k;
}

char *text_sanitize(const char *str, size_t len, unsigned flags, size_t *used)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out = malloc(len * 3 + 1), *o = out;   /* a byte becomes at most 3 */
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < len) {
		uint32_t cp = 0;
		int k;
		size_t run = i;

		/* Printable ASCII, most of any output, is copied as it is. */
		while (run < len && s[run] >= 0x20 && s[run] < 0x7f)
			run++;
		if (run > i) {
			memcpy(o, s + i, run - i);
			o += run - i;
			i = run;
			continue;
		}
		k = utf8_len(s + i, len - i, &cp);

		if (k < 0 && (flags & TEXT_PARTIAL))
			break;   /* the rest of this character comes with the next call */
		if (k <= 0) {
			o += text_encode(0xfffd, o);
			i++;
			continue;
		}
		if ((cp == '\n' || cp == '\t') && (flags & TEXT_KEEP_LINES))
			*o++ = (char)cp;
		else if (cp < 0x20)
			o += text_encode(0x2400 + cp, o);
		else if (cp == 0x7f)
			o += text_encode(0x2421, o);
		else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
			 (cp >= 0x2066 && cp <= 0x2069))
			o += text_encode(0xfffd, o);
		else {
			memcpy(o, s + i, (size_t)k);
			o += k;
		}
		i += (size_t)k;
	}
	*o = '\0';
	if (used)
		*used = i;
	return out;
}

/* True if cp is drawn as itself (not replaced by '?'). */
static int printable(uint32_t cp)
{
	return cp == ZWNBSP || wcwidth((wchar_t)cp) >= 0;
}

int text_char_width(uint32_t cp)
{
	int w;

	if (cp == ZWNBSP)
		return 0;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int text_width(const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;
	int w = 0;

	while ((k = text_decode(s, n, &cp)) > 0) {
		w += text_char_width(cp);
		s += k, n -= k;
	}
	return w;
}

size_t text_fit(const char *s, int cols, int *width)
{
	size_t n = strlen(s), off = 0, k;
	uint32_t cp;
	int w = 0, cw;

	while ((k = text_decode(s + off, n - off, &cp)) > 0) {
		cw = text_char_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		off += k;
	}
	if (width)
		*width = w;
	return off;
}

char *text_truncate(const char *s, int cols)
{
	size_t keep;
	char *out;

	if (cols < 0)
		cols = 0;
	if (text_width(s) <= cols)
		return strdup(s);
	if (cols == 0)
		return strdup("");
	keep = text_fit(s, cols - 1, NULL);
	out = malloc(keep + sizeof ELLIPSIS);
	if (!out)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, ELLIPSIS, sizeof ELLIPSIS);
	return out;
}

/* A new string of s followed (or preceded, when left is set) by n spaces. */
static char *pad_with(const char *s, int n, int left)
{
	size_t len = strlen(s);
	char *out;

	if (n < 0)
		n = 0;
	out = malloc(len + (size_t)n + 1);
	if (!out)
		return NULL;
	if (left) {
		memset(out, ' ', (size_t)n);
		memcpy(out + n, s, len + 1);
	} else {
		memcpy(out, s, len);
		memset(out + len, ' ', (size_t)n);
		out[len + (size_t)n] = 0;
	}
	return out;
}

char *text_pad(const char *s, int cols)
{
	char *t = text_truncate(s, cols), *out;

	if (!t)
		return NULL;
	out = pad_with(t, cols - text_width(t), 0);
	free(t);
	return out;
}

/* ------------------------------------------------------------ paragraphs */

/* A paragraph as code points with their widths and bidi data. */
typedef struct para {
	FriBidiChar *cp;
	int *w;
	FriBidiCharType *types;
	FriBidiLevel *levels;
	FriBidiParType dir;
	size_t n;
} para;

static void para_free(para *p)
{
	free(p->cp);
	free(p->w);
	free(p->types);
	free(p->levels);
	memset(p, 0, sizeof *p);
}

/* Decode len bytes of s into p; with TEXT_BIDI resolve levels and shape. */
static int para_init(para *p, const char *s, size_t len, unsigned flags)
{
	size_t k, i;
	uint32_t c;

	memset(p, 0, sizeof *p);
	p->dir = FRIBIDI_PAR_LTR;
	p->cp = malloc((len + 1) * sizeof *p->cp);
	p->w = malloc((len + 1) * sizeof *p->w);
	if (!p->cp || !p->w)
		goto fail;
	while ((k = text_decode(s, len, &c)) > 0) {
		p->cp[p->n++] = c;
		s += k, len -= k;
	}
	if ((flags & TEXT_BIDI) && p->n > 0) {
		FriBidiBracketType *brackets = malloc(p->n * sizeof *brackets);
		FriBidiFlags shape = FRIBIDI_FLAG_SHAPE_MIRRORING;

		p->types = malloc(p->n * sizeof *p->types);
		p->levels = malloc(p->n * sizeof *p->levels);
		if (!brackets || !p->types || !p->levels) {
			free(brackets);
			goto fail;
		}
		fribidi_get_bidi_types(p->cp, (FriBidiStrIndex)p->n, p->types);
		fribidi_get_bracket_types(p->cp, (FriBidiStrIndex)p->n, p->types, brackets);
		p->dir = FRIBIDI_PAR_ON;
		if (!fribidi_get_par_embedding_levels_ex(p->types, brackets,
				(FriBidiStrIndex)p->n, &p->dir, p->levels)) {
			free(brackets);
			goto fail;
		}
		free(brackets);
		if (flags & TEXT_SHAPE) {
			FriBidiArabicProp *ar = malloc(p->n * sizeof *ar);

			if (!ar)
				goto fail;
			fribidi_get_joining_types(p->cp, (FriBidiStrIndex)p->n, ar);
			fribidi_join_arabic(p->types, (FriBidiStrIndex)p->n, p->levels, ar);
			fribidi_shape(shape | FRIBIDI_FLAGS_ARABIC, p->levels,
				      (FriBidiStrIndex)p->n, ar, p->cp);
			free(ar);
		} else {
			fribidi_shape(shape, p->levels, (FriBidiStrIndex)p->n, NULL, p->cp);
		}
	} else if (p->n > 0) {
		/* Without reordering the direction still decides alignment for callers. */
		FriBidiCharType t;

		for (i = 0; i < p->n; i++) {
			t = fribidi_get_bidi_type(p->cp[i]);
			if (FRIBIDI_IS_LETTER(t)) {
				p->dir = FRIBIDI_IS_RTL(t) ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
				break;
			}
		}
	}
	for (i = 0; i < p->n; i++)
		p->w[i] = text_char_width(p->cp[i]);
	return 0;
fail:
	para_free(p);
	return -1;
}

/* Append cp to buf as UTF-8, '?' for what the terminal cannot show. */
static size_t put_cp(char *buf, uint32_t cp)
{
	if (cp == ZWNBSP)
		return 0;
	if (!printable(cp))
		cp = '?';
	return text_encode(cp, buf);
}

/*
 * The characters [off, off + len) of p as a UTF-8 string in visual order
 * (logical when not reordering), followed by suffix (in logical order after
 * the line, e.g. an ellipsis).  map, when not NULL, receives for each
 * visual position the logical index it shows (len entries).
 */
static char *para_line(para *p, size_t off, size_t len, unsigned flags, FriBidiStrIndex *map)
{
	FriBidiChar *vis = NULL;
	char *out, *o;
	size_t i;

	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	if ((flags & TEXT_BIDI) && p->types && len > 0) {
		FriBidiLevel *lv = malloc(p->n * sizeof *lv);
		FriBidiStrIndex *m = malloc(p->n * sizeof *m);

		vis = malloc(p->n * sizeof *vis);
		if (!lv || !m || !vis) {
			free(lv), free(m), free(vis), free(out);
			return NULL;
		}
		/* reorder_line changes the levels it is given: work on copies. */
		memcpy(lv, p->levels, p->n * sizeof *lv);
		memcpy(vis, p->cp, p->n * sizeof *vis);
		for (i = 0; i < p->n; i++)
			m[i] = (FriBidiStrIndex)i;
		if (!fribidi_reorder_line(FRIBIDI_FLAGS_DEFAULT, p->types,
				(FriBidiStrIndex)len, (FriBidiStrIndex)off, p->dir,
				lv, vis, m)) {
			free(lv), free(m), free(vis), free(out);
			return NULL;
		}
		if (map)
			for (i = 0; i < len; i++)
				map[i] = m[off + i] - (FriBidiStrIndex)off;
		free(lv);
		free(m);
	} else if (map) {
		for (i = 0; i < len; i++)
			map[i] = (FriBidiStrIndex)i;
	}
	o = out;
	for (i = 0; i < len; i++)
		o += put_cp(o, vis ? vis[off + i] : p->cp[off + i]);
	*o = 0;
	free(vis);
	return out;
}

/* Append a line to the block. */
static int block_add(text_block *b, char *text, int width, int box, int rtl, unsigned flags)
{
	text_line *l = realloc(b->lines, (b->count + 1) * sizeof *l);

	if (!l) {
		free(text);
		return -1;
	}
	b->lines = l;
	l += b->count++;
	l->text = text;
	l->width = width;
	l->rtl = rtl;
	l->x = (rtl && (flags & TEXT_BIDI) && width < box) ? box - width : 0;
	return 0;
}

/* Sum of the widths of p's characters [a, b). */
static int span_width(const para *p, size_t a, size_t b)
{
	int w = 0;

	for (; a < b; a++)
		w += p->w[a];
	return w;
}

/* Lay out one paragraph (no newlines) into b. */
static int layout_para(text_block *b, const char *s, size_t len, int width, unsigned flags)
{
	para p;
	size_t pos = 0, i, brk, end;
	int col, rtl, rc = 0;
	char *line;

	if (para_init(&p, s, len, flags) < 0)
		return -1;
	rtl = p.dir == FRIBIDI_PAR_RTL;
	if (p.n == 0) {
		rc = block_add(b, strdup(""), 0, width, rtl, flags);
		goto out;
	}
	if (flags & TEXT_NOWRAP) {
		int total = span_width(&p, 0, p.n);

		if (total <= width) {
			line = para_line(&p, 0, p.n, flags, NULL);
			rc = line ? block_add(b, line, total, width, rtl, flags) : -1;
		} else {
			/* Keep what fits in width - 1 columns, then the ellipsis. */
			char *cut, *withdots;

			for (i = 0, col = 0; i < p.n && col + p.w[i] <= width - 1; i++)
				col += p.w[i];
			cut = para_line(&p, 0, i, flags, NULL);
			if (!cut)
				goto fail;
			withdots = malloc(strlen(cut) + sizeof ELLIPSIS);
			if (!withdots) {
				free(cut);
				goto fail;
			}
			/* The ellipsis goes where the text continues: left of RTL text. */
			if (rtl && (flags & TEXT_BIDI))
				strcat(strcpy(withdots, ELLIPSIS), cut);
			else
				strcat(strcpy(withdots, cut), ELLIPSIS);
			free(cut);
			rc = block_add(b, withdots, col + (width > 0), width, rtl, flags);
		}
		goto out;
	}
	while (pos < p.n) {
		/* Greedy: take characters while they fit, remember the last space. */
		col = 0;
		brk = (size_t)-1;
		for (i = pos; i < p.n; i++) {
			if (col + p.w[i] > width)
				break;
			col += p.w[i];
			if (p.cp[i] == ' ')
				brk = i;
		}
		if (i == p.n) {
			end = p.n;
		} else if (p.cp[i] == ' ') {
			end = i;
		} else if (brk != (size_t)-1 && brk > pos) {
			end = brk;
		} else {
			end = i > pos ? i : pos + 1;  /* a character wider than the box */
			while (end < p.n && p.w[end] == 0)
				end++;
		}
		/* Spaces at the break belong to no line. */
		i = end;
		while (end > pos && p.cp[end - 1] == ' ')
			end--;
		line = para_line(&p, pos, end - pos, flags, NULL);
		if (!line || block_add(b, line, span_width(&p, pos, end), width, rtl, flags) < 0)
			goto fail;
		pos = i;
		while (pos < p.n && p.cp[pos] == ' ')
			pos++;
	}
	goto out;
fail:
	rc = -1;
out:
	para_free(&p);
	return rc;
}

int text_layout(text_block *out, const char *s, int width, unsigned flags)
{
	const char *nl;

	if (width < 1)
		width = 1;
	for (;;) {
		nl = strchr(s, '\n');
		if (layout_para(out, s, nl ? (size_t)(nl - s) : strlen(s), width, flags) < 0)
			return -1;
		if (!nl)
			return 0;
		s = nl + 1;
	}
}

void text_block_free(text_block *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->count; i++)
		free(b->lines[i].text);
	free(b->lines);
	b->lines = NULL;
	b->count = 0;
}

char *text_cell(const char *s, int cols, unsigned flags, int align_rtl)
{
	text_block b = TEXT_BLOCK_INIT;
	const char *nl = strchr(s, '\n');
	char *one = NULL, *out = NULL;
	int left;

	if (cols <= 0)
		return strdup("");
	if (nl) {
		one = strndup(s, (size_t)(nl - s));
		if (!one)
			return NULL;
		s = one;
	}
	if (text_layout(&b, s, cols, flags | TEXT_NOWRAP) == 0 && b.count == 1) {
		left = align_rtl && b.lines[0].rtl && (flags & TEXT_BIDI);
		out = pad_with(b.lines[0].text, cols - b.lines[0].width, left);
	}
	text_block_free(&b);
	free(one);
	return out;
}

int text_is_rtl(const char *s)
{
	size_t n = strlen(s), k;
	uint32_t cp;
	FriBidiCharType t;

	while ((k = text_decode(s, n, &cp)) > 0) {
		t = fribidi_get_bidi_type(cp);
		if (FRIBIDI_IS_LETTER(t))
			return FRIBIDI_IS_RTL(t) ? 1 : 0;
		s += k, n -= k;
	}
	return 0;
}

/* ------------------------------------------------------------ editing */

static int edit_reserve(text_edit *e, size_t more)
{
	char *b;
	size_t cap;

	if (e->buf && e->len + more + 1 <= e->cap)
		return 0;
	cap = e->cap ? e->cap : 32;
	while (cap < e->len + more + 1)
		cap *= 2;
	b = realloc(e->buf, cap);
	if (!b)
		return -1;
	if (!e->buf)
		b[0] = 0;
	e->buf = b;
	e->cap = cap;
	return 0;
}

int text_edit_set(text_edit *e, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	e->len = 0;
	if (edit_reserve(e, n) < 0)
		return -1;
	if (n)
		memcpy(e->buf, s, n);
	e->buf[n] = 0;
	e->len = e->cursor = n;
	return 0;
}

int text_edit_insert(text_edit *e, uint32_t cp)
{
	char enc[4];
	size_t k = text_encode(cp, enc);

	if (edit_reserve(e, k) < 0)
		return -1;
	memmove(e->buf + e->cursor + k, e->buf + e->cursor, e->len - e->cursor + 1);
	memcpy(e->buf + e->cursor, enc, k);
	e->len += k;
	e->cursor += k;
	return 0;
}

/* The start of the character before byte offset off (0 at the start). */
static size_t prev_char(const char *s, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80)
		off--;
	return off;
}

/* The start of the user-visible character before off: a base with its marks. */
static size_t prev_cluster(const char *s, size_t len, size_t off)
{
	uint32_t cp;

	for (;;) {
		off = prev_char(s, off);
		if (off == 0)
			return 0;
		text_decode(s + off, len - off, &cp);
		if (text_char_width(cp) != 0)
			return off;
	}
}

/* The end of the user-visible character at off. */
static size_t next_cluster(const char *s, size_t len, size_t off)
{
	uint32_t cp;
	size_t k;

	if (off >= len)
		return len;
	off += text_decode(s + off, len - off, &cp);
	while (off < len && (k = text_decode(s + off, len - off, &cp)) > 0 &&
	       text_char_width(cp) == 0)
		off += k;
	return off;
}

void text_edit_backspace(text_edit *e)
{
	size_t from;

	if (!e->buf || e->cursor == 0)
		return;
	from = prev_cluster(e->buf, e->len, e->cursor);
	memmove(e->buf + from, e->buf + e->cursor, e->len - e->cursor + 1);
	e->len -= e->cursor - from;
	e->cursor = from;
}

void text_edit_delete(text_edit *e)
{
	size_t to;

	if (!e->buf || e->cursor >= e->len)
		return;
	to = next_cluster(e->buf, e->len, e->cursor);
	memmove(e->buf + e->cursor, e->buf + to, e->len - to + 1);
	e->len -= to - e->cursor;
}

void text_edit_left(text_edit *e)
{
	if (e->buf)
		e->cursor = prev_cluster(e->buf, e->len, e->cursor);
}

void text_edit_right(text_edit *e)
{
	if (e->buf)
		e->cursor = next_cluster(e->buf, e->len, e->cursor);
}

void text_edit_home(text_edit *e)
{
	e->cursor = 0;
}

void text_edit_end(text_edit *e)
{
	e->cursor = e->len;
}

const char *text_edit_str(const text_edit *e)
{
	return e->buf ? e->buf : "";
}

void text_edit_free(text_edit *e)
{
	free(e->buf);
	memset(e, 0, sizeof *e);
}

int text_edit_view(const text_edit *e, int cols, unsigned flags, char **out, int *cursor_col)
{
	const char *s = text_edit_str(e);
	size_t start = 0, end, i, cur;
	FriBidiStrIndex *map = NULL;
	para p;
	int w, col, rtl, room;
	char *line, *shifted;

	*out = NULL;
	*cursor_col = 0;
	if (cols < 2)
		cols = 2;
	/* Scroll: drop characters from the start until the cursor fits. */
	room = cols - 1;   /* one column for the cursor after the last character */
	while (start < e->cursor) {
		w = 0;
		for (i = start; i < e->cursor;) {
			uint32_t cp;

			i += text_decode(s + i, e->cursor - i, &cp);
			w += text_char_width(cp);
		}
		if (w <= room)
			break;
		start = next_cluster(s, e->len, start);
	}
	end = start + text_fit(s + start, room, NULL);
	if (end < e->cursor)
		end = e->cursor;
	if (para_init(&p, s + start, end - start, flags) < 0)
		return -1;
	/* The cursor as an index into p's code points. */
	for (i = start, cur = 0; i < e->cursor && cur < p.n; cur++) {
		uint32_t cp;

		i += text_decode(s + i, e->cursor - i, &cp);
	}
	map = malloc((p.n + 1) * sizeof *map);
	line = map ? para_line(&p, 0, p.n, flags, map) : NULL;
	if (!line) {
		free(map);
		para_free(&p);
		return -1;
	}
	rtl = (flags & TEXT_BIDI) && p.dir == FRIBIDI_PAR_RTL;
	col = 0;
	if (cur < p.n) {
		for (i = 0; i < p.n && (size_t)map[i] != cur; i++)
			col += p.w[map[i]];
	} else if (!rtl) {
		col = span_width(&p, 0, p.n);
	}
	if (rtl) {
		/* Right-to-left text grows to the left: keep a column there for the
		 * cursor at the end. */
		shifted = pad_with(line, 1, 1);
		free(line);
		line = shifted;
		if (cur < p.n)
			col++;
	}
	free(map);
	para_free(&p);
	if (!line)
		return -1;
	*out = line;
	*cursor_col = col;
	return 0;
}

/* ------------------------------------------------------------ wrapped editing */

/* Append the span [start, end) to a growing list; 0 or -1. */
static int span_add(text_span **v, size_t *n, size_t *cap, size_t start, size_t end)
{
	text_span *grown;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(*v, *cap * sizeof *grown);
		if (!grown)
			return -1;
		*v = grown;
	}
	(*v)[*n].start = start;
	(*v)[*n].end = end;
	(*n)++;
	return 0;
}

int text_wrap(const char *s, int cols, text_span **out, size_t *count)
{
	size_t n = strlen(s), pos = 0, pend, i, k, end, next, brk, nlines = 0, cap = 0;
	text_span *v = NULL;
	uint32_t cp;
	int col, w;

	*out = NULL;
	*count = 0;
	if (cols < 1)
		cols = 1;
	for (;;) {
		const char *nl = memchr(s + pos, '\n', n - pos);

		pend = nl ? (size_t)(nl - s) : n;
		if (pos == pend && span_add(&v, &nlines, &cap, pos, pos) < 0)
			goto fail;
		while (pos < pend) {
			/* Greedy: take characters while they fit, remember the last space. */
			col = 0;
			brk = (size_t)-1;
			for (i = pos; i < pend; i += k) {
				k = text_decode(s + i, pend - i, &cp);
				w = text_char_width(cp);
				if (col + w > cols)
					break;
				col += w;
				if (cp == ' ')
					brk = i;
			}
			if (i >= pend) {
				end = next = pend;
			} else if (s[i] == ' ') {
				end = next = i;
			} else if (brk != (size_t)-1 && brk > pos) {
				end = next = brk;
			} else {
				/* A word longer than the line (or a character wider). */
				end = next = i > pos ? i : pos + text_decode(s + pos, pend - pos, &cp);
			}
			if (span_add(&v, &nlines, &cap, pos, end) < 0)
				goto fail;
			pos = next;
			while (pos < pend && s[pos] == ' ' && end < pend)
				pos++;
		}
		if (!nl)
			break;
		pos = pend + 1;
		/* The line after a final newline, where the cursor goes next. */
		if (pos == n) {
			if (span_add(&v, &nlines, &cap, n, n) < 0)
				goto fail;
			break;
		}
	}
	*out = v;
	*count = nlines;
	return 0;
fail:
	free(v);
	return -1;
}

size_t text_wrap_line(const text_span *lines, size_t count, size_t off)
{
	size_t i = 0;

	while (i + 1 < count && lines[i + 1].start <= off)
		i++;
	return i;
}

/* Columns of the bytes [a, b) of s. */
static int bytes_width(const char *s, size_t a, size_t b)
{
	uint32_t cp;
	size_t k;
	int w = 0;

	while (a < b && (k = text_decode(s + a, b - a, &cp)) > 0) {
		w += text_char_width(cp);
		a += k;
	}
	return w;
}

int text_edit_vertical(text_edit *e, int cols, int dir)
{
	const char *s = text_edit_str(e);
	text_span *lines = NULL;
	size_t count = 0, cur, to, len;
	char *piece;
	int col;

	if (text_wrap(s, cols, &lines, &count) < 0)
		return 0;
	cur = text_wrap_line(lines, count, e->cursor);
	if ((dir < 0 && cur == 0) || (dir > 0 && cur + 1 >= count)) {
		free(lines);
		return 0;
	}
	col = bytes_width(s, lines[cur].start,
			  e->cursor < lines[cur].end ? e->cursor : lines[cur].end);
	to = dir < 0 ? cur - 1 : cur + 1;
	len = lines[to].end - lines[to].start;
	piece = strndup(s + lines[to].start, len);
	if (!piece) {
		free(lines);
		return 0;
	}
	e->cursor = lines[to].start + text_fit(piece, col, NULL);
	/* Keep combining marks with their base. */
	if (e->cursor > lines[to].start && e->cursor < e->len)
		e->cursor = prev_cluster(e->buf, e->len, next_cluster(e->buf, e->len, e->cursor));
	free(piece);
	free(lines);
	return 1;
}
