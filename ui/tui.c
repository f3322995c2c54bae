/*
 * tui.c: the terminal's life cycle, the main loop, the screen layout and
 * the drawing helpers the views share.
 *
 * The terminal must be left sane whatever happens: endwin() runs from an
 * atexit handler, from the handler of fatal signals (before re-raising
 * them), and on the normal way out.  SIGINT, SIGTERM and SIGHUP only set a
 * flag that the loop checks; the loop then lets every open view keep what
 * was typed and not yet saved (its keep operation) before it ends, exactly
 * as F10 does, so quitting at any key press loses nothing.
 */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agenda.h"
#include "cli.h"
#include "colors.h"
#include "curses.h"
#include "i18n.h"
#include "text.h"
#include "view.h"

#define MSG_MAX 1536
#define HINTS_MAX 16
#define MSG_ROWS_MAX 4       /* a long message wraps over at most this many rows */
#define ESC_WAIT_MS 500      /* Esc then a digit within this time is a function key */
#define SEQ_WAIT_MS 50       /* the bytes of one key sequence arrive together */
#define WRONG_FREE 4         /* wrong passphrases before the lock screen makes one wait */
#define WAIT_MAX_S 300       /* the longest wait after wrong passphrases */
#define PASS_MAX 1024

struct tui {
	hw_ws *ws;
	tui_opts opts;
	ui_view *top;
	int rows, cols;          /* body size */
	unsigned text_flags;
	char title[256];
	char message[MSG_MAX];
	enum ui_role message_role;
	const ui_keymap *hint_map;
	ui_hint hints[HINTS_MAX];
	int nhints;
	char role[64];
	int cursor_y, cursor_x;  /* where a focused field wants the cursor; -1 none */
	int quit;
	int closing;             /* leaving: views below are not resumed */
	int pending_key;         /* a key read ahead after an Esc, 0 none */
	/* A question waiting for Enter (yes) or another key (no). */
	char question[MSG_MAX];
	void (*answered)(tui *t, int yes, void *payload);
	void *answered_payload;
	/* Locking: after lock_after seconds without a key (0: never), or on F12. */
	int lock_after;
	long long last_key_ms;
	int wrong;               /* wrong passphrases in a row */
	long long wait_until_ms; /* the lock screen takes no passphrase before this */
};

static volatile sig_atomic_t stop_requested;
static int curses_active;

/* Leave curses if it is on: safe to call twice, from atexit or a signal. */
static void restore_terminal(void)
{
	if (curses_active && !isendwin())
		endwin();
	curses_active = 0;
}

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* A crash: give the terminal back before the default action (core dump). */
static void on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read returns so the loop sees the flag. */
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

const struct sync_secrets *tui_secrets(tui *t)
{
	return t->opts.secrets;
}

hw_ws *tui_ws(tui *t)
{
	return t->ws;
}

int tui_rows(tui *t)
{
	return t->rows;
}

int tui_cols(tui *t)
{
	return t->cols;
}

unsigned tui_text_flags(tui *t)
{
	return t->text_flags;
}

void tui_set_title(tui *t, const char *title)
{
	snprintf(t->title, sizeof t->title, "%s", title ? title : "");
}

void tui_message(tui *t, enum ui_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->message_role = role;
}

void tui_confirm(tui *t, const char *question,
		 void (*answered)(tui *t, int yes, void *payload), void *payload)
{
	snprintf(t->question, sizeof t->question, "%s", question);
	t->answered = answered;
	t->answered_payload = payload;
	t->message[0] = 0;
}

const char *tui_error_text(int code)
{
	/* The same words as the command line: one table, src/error.c. */
	return _(hw_error_text(code));
}

void tui_error(tui *t, int code)
{
	const hw_error *e = ws_error(t->ws);

	if (e && e->msg[0])
		tui_message(t, ROLE_ERROR, "%s (%s)", tui_error_text(code), e->msg);
	else
		tui_message(t, ROLE_ERROR, "%s", tui_error_text(code));
}

void tui_set_hints(tui *t, const ui_keymap *km, const ui_hint *hints)
{
	int n = 0;

	t->hint_map = km;
	while (hints && hints[n].action != ACT_NONE && n < HINTS_MAX) {
		t->hints[n] = hints[n];
		n++;
	}
	t->nhints = n;
}

/* Read the settings that change how text is drawn. */
static void read_settings(tui *t)
{
	char *v = NULL;

	t->text_flags = TEXT_BIDI | TEXT_SHAPE;
	if (ws_get(t->ws, WS_BIDI, &v) == 0 && v && strcmp(v, "off") == 0)
		t->text_flags = 0;
	free(v);
	v = NULL;
	t->role[0] = 0;
	if (ws_get(t->ws, WS_ROLE, &v) == 0 && v)
		snprintf(t->role, sizeof t->role, "%s", v);
	free(v);
	t->lock_after = ws_lock_after(t->ws);
}

void tui_set_language(tui *t, const char *code)
{
	ui_i18n_set_language(code);
	if (ws_set(t->ws, WS_UI_LANGUAGE, code ? code : "") < 0)
		tui_error(t, ws_error(t->ws)->code);
}

/* ------------------------------------------------------------ views */

int tui_push(tui *t, const ui_view_ops *ops, void *arg)
{
	ui_view *v = calloc(1, sizeof *v);
	int rc;

	if (!v)
		return HW_ERROR;
	v->ops = ops;
	v->below = t->top;
	t->top = v;
	rc = ops->open ? ops->open(v, t, arg) : 0;
	if (rc < 0) {
		t->top = v->below;
		free(v);
		return rc;
	}
	if (ops->resize)
		ops->resize(v, t, t->rows, t->cols);
	return 0;
}

void tui_pop(tui *t)
{
	ui_view *v = t->top;

	if (!v)
		return;
	t->top = v->below;
	if (v->ops->close)
		v->ops->close(v, t);
	free(v);
	if (t->top && !t->closing && t->top->ops->resume)
		t->top->ops->resume(t->top, t);
}

/* ------------------------------------------------------------ drawing */

void ui_blank(int y, int x, int width, enum ui_role role)
{
	if (width <= 0)
		return;
	attrset(ui_attr(role));
	mvhline(y, x, ' ', width);
	attrset(A_NORMAL);
}

/* Write a visual-order string at (y, x); never past the last column. */
static void put_raw(int y, int x, const char *s, int attr)
{
	attrset(attr);
	mvaddstr(y, x, s);
	attrset(A_NORMAL);
}

void ui_put(tui *t, int y, int x, int width, const char *s, enum ui_role role, int align_rtl)
{
	char *cell, *clean;

	if (width <= 0 || y < 0 || y >= LINES)
		return;
	if (x + width > COLS)
		width = COLS - x;
	/* Text from cases and other devices: nothing reaches the terminal unfiltered. */
	clean = text_sanitize(s ? s : "", s ? strlen(s) : 0, 0, NULL);
	cell = clean ? text_cell(clean, width, t->text_flags, align_rtl) : NULL;
	if (cell) {
		put_raw(y, x, cell, ui_attr(role));
		free(cell);
	}
	free(clean);
}

int ui_put_block(tui *t, int y, int x, int width, int max_rows, const char *s,
		 enum ui_role role, int skip)
{
	text_block b = TEXT_BLOCK_INIT;
	size_t i;
	int used = 0;

	char *clean;
	int rc;

	if (width <= 0)
		return 0;
	if (!(clean = text_sanitize(s ? s : "", s ? strlen(s) : 0, TEXT_KEEP_LINES, NULL)))
		return 0;
	rc = text_layout(&b, clean, width, t->text_flags);
	free(clean);
	if (rc < 0)
		return 0;
	for (i = 0; i < b.count; i++) {
		if (max_rows > 0 && used >= max_rows)
			break;
		if (!skip && y + used < LINES)
			put_raw(y + used, x + b.lines[i].x, b.lines[i].text, ui_attr(role));
		used++;
	}
	text_block_free(&b);
	return used;
}

void ui_put_field(tui *t, int y, int x, int width, const text_edit *e, int focused)
{
	char *vis = NULL;
	int col = 0;

	ui_blank(y, x, width, focused ? ROLE_SELECTED : ROLE_INPUT);
	if (text_edit_view(e, width, t->text_flags, &vis, &col) == 0) {
		char *clean = text_sanitize(vis, strlen(vis), 0, NULL);

		if (clean)
			put_raw(y, x, clean, ui_attr(focused ? ROLE_SELECTED : ROLE_INPUT));
		free(clean);
		free(vis);
	}
	if (focused) {
		t->cursor_y = y;
		t->cursor_x = x + (col < width ? col : width - 1);
	}
}

void ui_put_editor(tui *t, int y, int x, int width, int rows, const text_edit *e,
		   int *top, int focused)
{
	const char *s = text_edit_str(e);
	enum ui_role role = focused ? ROLE_SELECTED : ROLE_INPUT;
	text_span *lines = NULL;
	size_t count = 0, cur, i;
	int r;

	if (width < 2 || rows < 1)
		return;
	for (r = 0; r < rows; r++)
		ui_blank(y + r, x, width, role);
	/* One column stays free for the cursor after the last character. */
	if (text_wrap(s, width - 1, &lines, &count) < 0)
		return;
	cur = text_wrap_line(lines, count, e->cursor);
	if (*top > (int)cur)
		*top = (int)cur;
	if ((int)cur >= *top + rows)
		*top = (int)cur - rows + 1;
	if (*top < 0)
		*top = 0;
	for (i = (size_t)*top, r = 0; i < count && r < rows; i++, r++) {
		text_edit line = TEXT_EDIT_INIT;
		char *piece = strndup(s + lines[i].start, lines[i].end - lines[i].start);
		char *vis = NULL;
		int col = 0;

		if (!piece || text_edit_set(&line, piece) < 0) {
			free(piece);
			break;
		}
		if (i == cur)
			line.cursor = e->cursor - lines[i].start < line.len
				      ? e->cursor - lines[i].start : line.len;
		if (text_edit_view(&line, width, t->text_flags, &vis, &col) == 0) {
			/* A right-to-left line starts at the right edge of the box. */
			int shift = (t->text_flags & TEXT_BIDI) && text_is_rtl(piece)
				    ? width - text_width(vis) : 0;

			if (shift < 0)
				shift = 0;
			put_raw(y + r, x + shift, vis, ui_attr(role));
			col += shift;
			free(vis);
		}
		if (focused && i == cur) {
			t->cursor_y = y + r;
			t->cursor_x = x + (col < width ? col : width - 1);
		}
		text_edit_free(&line);
		free(piece);
	}
	free(lines);
}

void ui_list_clamp(int *sel, int *top, int count, int rows)
{
	if (rows < 1)
		rows = 1;
	if (*sel >= count)
		*sel = count - 1;
	if (*sel < 0)
		*sel = 0;
	if (*top > *sel)
		*top = *sel;
	if (*sel >= *top + rows)
		*top = *sel - rows + 1;
	if (*top > count - rows)
		*top = count - rows;
	if (*top < 0)
		*top = 0;
}

int ui_list_nav(int *sel, int *top, int count, int rows, enum ui_action act)
{
	int page = rows > 1 ? rows - 1 : 1;

	switch (act) {
	case ACT_UP: (*sel)--; break;
	case ACT_DOWN: (*sel)++; break;
	case ACT_PAGE_UP: *sel -= page; break;
	case ACT_PAGE_DOWN: *sel += page; break;
	case ACT_FIRST: *sel = 0; break;
	case ACT_LAST: *sel = count - 1; break;
	default: return 0;
	}
	ui_list_clamp(sel, top, count, rows);
	return 1;
}

int ui_edit_key(text_edit *e, int key)
{
	if (key == UI_KEY_FN(KEY_BACKSPACE) || key == 127 || key == 8)
		text_edit_backspace(e);
	else if (key == UI_KEY_FN(KEY_DC))
		text_edit_delete(e);
	else if (key == UI_KEY_FN(KEY_LEFT))
		return text_edit_left(e), 1;
	else if (key == UI_KEY_FN(KEY_RIGHT))
		return text_edit_right(e), 1;
	else if (key == UI_KEY_FN(KEY_HOME))
		return text_edit_home(e), 1;
	else if (key == UI_KEY_FN(KEY_END))
		return text_edit_end(e), 1;
	else if (!UI_KEY_IS_FN(key) && key >= 32 && key != 127)
		text_edit_insert(e, (uint32_t)key);
	else
		return 0;
	return 2;
}

const char *ui_key_of(const ui_keymap *km, enum ui_action action)
{
	int key = ui_key_for_action(km, action);

	return key ? ui_key_name(key) : "";
}

/* True when the UI speaks a right-to-left language. */
static int ui_is_rtl(void)
{
	static const char *const rtl[] = { "ar", "fa", "he", "ps", "ur", "ckb", NULL };
	const char *code = ui_i18n_language();
	int i;

	for (i = 0; rtl[i]; i++)
		if (strncmp(code, rtl[i], strlen(rtl[i])) == 0 &&
		    (code[strlen(rtl[i])] == 0 || code[strlen(rtl[i])] == '_' ||
		     code[strlen(rtl[i])] == '-'))
			return 1;
	return 0;
}

int tui_is_rtl(tui *t)
{
	return ui_is_rtl() && (t->text_flags & TEXT_BIDI);
}

/*
 * The top bar: program name, the screen's title, the demo marker.  In a
 * right-to-left UI language the title starts at the right edge.
 */
static void draw_title(tui *t)
{
	char buf[400];
	/* TRANSLATORS: shown at the right of the top bar on a demo workspace;
	 * at most 12 columns. */
	const char *demo = _("DEMO");
	int dw = t->opts.demo ? text_width(demo) + 2 : 0;
	int rtl = ui_is_rtl() && (t->text_flags & TEXT_BIDI);

	ui_blank(0, 0, COLS, ROLE_TITLE);
	if (rtl) {
		ui_put(t, 0, 1, 9, "Homeward", ROLE_TITLE, 0);
		ui_put(t, 0, 11, COLS - 12 - dw, t->title, ROLE_TITLE, 1);
	} else {
		snprintf(buf, sizeof buf, "Homeward  %s", t->title);
		ui_put(t, 0, 1, COLS - 2 - dw, buf, ROLE_TITLE, 0);
	}
	if (t->opts.demo) {
		snprintf(buf, sizeof buf, " %s ", demo);
		ui_put(t, 0, COLS - dw, dw, buf, ROLE_DEMO, 0);
	}
}

/*
 * The message above the key bar: a question waiting for an answer, else
 * the pending message.  A long one wraps upwards over the bottom of the
 * body (at most MSG_ROWS_MAX rows) instead of being cut, and never covers
 * the key bar.
 */
static void draw_message(tui *t)
{
	const char *text = t->question[0] ? t->question : t->message;
	enum ui_role role = t->question[0] ? ROLE_HEADER : t->message_role;
	int rows, y, max = MSG_ROWS_MAX;

	if (max > LINES - 4)
		max = LINES - 4;
	if (max < 1)
		max = 1;
	if (LINES < 4)
		return;
	ui_blank(LINES - 3, 0, COLS, ROLE_NORMAL);
	if (!text[0])
		return;
	rows = ui_put_block(t, 0, 1, COLS - 2, max, text, role, 1);
	if (rows < 1)
		rows = 1;
	y = LINES - 2 - rows;
	if (y < 1)
		y = 1;
	for (int i = y; i < LINES - 2; i++)
		ui_blank(i, 0, COLS, ROLE_NORMAL);
	ui_put_block(t, y, 1, COLS - 2, max, text, role, 0);
}

/* A hint that stays on the key bar when the others do not fit: the ways out and help. */
static int hint_kept(enum ui_action a)
{
	return a == ACT_QUIT || a == ACT_HELP || a == ACT_BACK;
}

/*
 * The key bar: "F2 New case  F5 Sync ..." with the keys of the screen.  In
 * a language with long words the gaps shrink to one column, then hints are
 * left out from the end (screens list the least needed last), but never
 * Quit, Help or Back, so every language fits 80 columns with the way out
 * shown.
 */
static void draw_keys(tui *t)
{
	char keys[HINTS_MAX][32];
	const char *labels[HINTS_MAX];
	int w[HINTS_MAX], shown[HINTS_MAX];
	int y = LINES - 2, x = 0, i, total = 0, gap = 2, count = 0;

	if (y < 1)
		return;
	ui_blank(y, 0, COLS, ROLE_NORMAL);
	for (i = 0; i < t->nhints; i++) {
		snprintf(keys[i], sizeof keys[i], "%s", ui_key_of(t->hint_map, t->hints[i].action));
		labels[i] = _(t->hints[i].label);
		w[i] = text_width(keys[i]) + 1 + text_width(labels[i]);
		shown[i] = keys[i][0] != 0;
		if (shown[i]) {
			total += w[i];
			count++;
		}
	}
	if (total + gap * (count - 1) > COLS)
		gap = 1;
	for (i = t->nhints - 1; i >= 0 && count > 0 && total + gap * (count - 1) > COLS; i--) {
		if (!shown[i] || hint_kept(t->hints[i].action))
			continue;
		shown[i] = 0;
		total -= w[i];
		count--;
	}
	for (i = 0; i < t->nhints; i++) {
		int kw = text_width(keys[i]);

		if (!shown[i] || x >= COLS)
			continue;
		ui_put(t, y, x, kw, keys[i], ROLE_KEYS, 0);
		if (x + kw + 1 < COLS)
			ui_put(t, y, x + kw + 1, COLS - x - kw - 1 < w[i] - kw - 1 ? COLS - x - kw - 1
			       : w[i] - kw - 1, labels[i], ROLE_NORMAL, 0);
		x += w[i] + gap;
	}
}

/* The status line: what waits for sync, who works here, in what role. */
static void draw_status(tui *t)
{
	char buf[400], pending[128], overdue[64];
	long late = 0;
	int n = 0;

	if (ws_pending_count(t->ws, &n) < 0)
		snprintf(pending, sizeof pending, "%s", _("sync state unknown"));
	else if (n == 0)
		snprintf(pending, sizeof pending, "%s", _("all sent"));
	else
		snprintf(pending, sizeof pending,
			 P_("%d change waits for sync", "%d changes wait for sync", n), n);
	/* The signed-in person's overdue appointments: what the agenda (F8 on the list) shows first. */
	overdue[0] = 0;
	if (!ws_is_locked(t->ws)) {
		hw_error saved = *ws_error(t->ws);   /* the count's failure is no news: keep the slot */

		if (agenda_overdue_count(t->ws, ws_device_id(t->ws), &late) == 0 && late > 0)
			/* TRANSLATORS: on the status line: the person's appointments past their date. */
			snprintf(overdue, sizeof overdue, P_(" | %ld overdue", " | %ld overdue", late), late);
		*ws_err(t->ws) = saved;
	}
	snprintf(buf, sizeof buf, " %s%s | %s (%s) | %s", pending, overdue, ws_author(t->ws),
		 t->role[0] ? t->role : "-", ws_dir(t->ws));
	ui_blank(LINES - 1, 0, COLS, ROLE_STATUS);
	ui_put(t, LINES - 1, 0, COLS, buf, ROLE_STATUS, 0);
}

void tui_progress(tui *t, const char *text)
{
	tui_message(t, ROLE_INFO, "%s", text);
	draw_message(t);
	refresh();
}

static void draw_all(tui *t)
{
	erase();
	t->cursor_y = t->cursor_x = -1;
	if (t->rows > 0 && t->top && t->top->ops->draw)
		t->top->ops->draw(t->top, t, 1, t->rows, t->cols);
	draw_title(t);
	draw_message(t);
	draw_keys(t);
	draw_status(t);
	if (t->cursor_y >= 0) {
		move(t->cursor_y, t->cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

/* The one place that reacts to a new terminal size. */
static void relayout(tui *t)
{
	ui_view *v;

	t->rows = LINES - 4;
	t->cols = COLS;
	if (t->rows < 0)
		t->rows = 0;
	for (v = t->top; v; v = v->below)
		if (v->ops->resize)
			v->ops->resize(v, t, t->rows, t->cols);
}

/*
 * One key from curses as a code point or UI_KEY_FN(code), waiting at most
 * wait_ms milliseconds (-1: until a key comes); 0 when none came.
 */
static int get_key(tui *t, int wait_ms)
{
	wint_t wc;
	int r, key;

	if (t->pending_key) {
		key = t->pending_key;
		t->pending_key = 0;
		return key;
	}
	timeout(wait_ms);
	r = get_wch(&wc);
	timeout(-1);
	if (r == KEY_CODE_YES)
		return UI_KEY_FN((int)wc);
	if (r == OK)
		return (int)wc;
	return 0;
}

int tui_poll_key(tui *t)
{
	if (stop_requested)
		return UI_KEY_ESC;
	return get_key(t, 0);
}

/* The function key n (1..12) as a key. */
static int fkey(int n)
{
	return UI_KEY_FN(KEY_F(n));
}

/*
 * The rest of an escape sequence the terminal's description does not know
 * (a terminal set up as vt100 that sends ESC [ 2 1 ~ for F10), after ESC
 * and intro ('[' or 'O').  Returns the key it stands for, or 0 to ignore
 * it: an unknown sequence must not arrive as Esc and a few typed letters.
 */
static int read_sequence(tui *t, int intro)
{
	/* ESC [ n ~ as sent by xterm, the Linux console and vt220s. */
	static const struct { int n, key; } tilde[] = {
		{ 1, KEY_HOME }, { 2, KEY_IC }, { 3, KEY_DC }, { 4, KEY_END },
		{ 5, KEY_PPAGE }, { 6, KEY_NPAGE }, { 7, KEY_HOME }, { 8, KEY_END },
		{ 11, KEY_F(1) }, { 12, KEY_F(2) }, { 13, KEY_F(3) }, { 14, KEY_F(4) },
		{ 15, KEY_F(5) }, { 17, KEY_F(6) }, { 18, KEY_F(7) }, { 19, KEY_F(8) },
		{ 20, KEY_F(9) }, { 21, KEY_F(10) }, { 23, KEY_F(11) }, { 24, KEY_F(12) },
	};
	/* The final letters of ESC O x and ESC [ x. */
	static const char letters[] = "PQRStuvlwxABCDHFZ";
	static const int letter_keys[] = {
		KEY_F(1), KEY_F(2), KEY_F(3), KEY_F(4), KEY_F(5), KEY_F(6), KEY_F(7),
		KEY_F(8), KEY_F(9), KEY_F(10), KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT,
		KEY_HOME, KEY_END, KEY_BTAB,
	};
	char params[16];
	int len = 0, c, n;
	const char *hit;
	size_t i;

	c = get_key(t, SEQ_WAIT_MS);
	if (c == 0) {
		/* Esc, then the key '[' or 'O' typed by hand. */
		t->pending_key = intro;
		return UI_KEY_ESC;
	}
	/* The Linux console: ESC [ [ A .. E for F1 .. F5. */
	if (intro == '[' && c == '[') {
		c = get_key(t, SEQ_WAIT_MS);
		return c >= 'A' && c <= 'E' ? fkey(c - 'A' + 1) : 0;
	}
	/* Parameters (digits and ';'), then one final character. */
	while (c >= '0' && c <= ';' && len < (int)sizeof params - 1) {
		params[len++] = (char)c;
		c = get_key(t, SEQ_WAIT_MS);
	}
	params[len] = 0;
	if (c == '~' && intro == '[') {
		n = atoi(params);
		for (i = 0; i < sizeof tilde / sizeof tilde[0]; i++)
			if (tilde[i].n == n)
				return UI_KEY_FN(tilde[i].key);
		return 0;
	}
	if (c > 0 && c < 128 && (hit = strchr(letters, c)) != NULL) {
		/* ESC [ x is a cursor key; ESC [ P .. S (with modifiers) and ESC O x are F-keys too. */
		if (intro == '[' && strchr("tuvlwx", c))
			return 0;
		return UI_KEY_FN(letter_keys[hit - letters]);
	}
	return 0;
}

/*
 * Read one key.  An Esc followed within ESC_WAIT_MS by a digit is a
 * function key (Esc 1 = F1 ... Esc 0 = F10), for terminals without them;
 * by '[' or 'O', a sequence curses did not recognise; by anything else,
 * Esc on its own, and the other key comes next.
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A key, waiting at most wait_ms for its first byte (-1: no limit); 0 when none came. */
static int read_key_wait(tui *t, int wait_ms)
{
	int key = get_key(t, wait_ms), next;

	if (key != UI_KEY_ESC)
		return key;
	next = get_key(t, ESC_WAIT_MS);
	if (next == 0)
		return UI_KEY_ESC;
	if (next >= '0' && next <= '9')
		return fkey(next == '0' ? 10 : next - '0');
	if (next == '[' || next == 'O')
		return read_sequence(t, next);
	t->pending_key = next;
	return UI_KEY_ESC;
}

/* The key the idle time turns into: lock now. */
#define KEY_IDLE_LOCK (-1)

/* The next key, or KEY_IDLE_LOCK once the screen has been idle for lock_after. */
static int read_key(tui *t)
{
	long long left;
	int key;

	if (t->lock_after <= 0)
		return read_key_wait(t, -1);
	left = t->last_key_ms + (long long)t->lock_after * 1000 - now_ms();
	if (left <= 0)
		return KEY_IDLE_LOCK;
	key = read_key_wait(t, left > 0x7fffffff ? 0x7fffffff : (int)left);
	if (key == 0 && t->last_key_ms + (long long)t->lock_after * 1000 <= now_ms())
		return KEY_IDLE_LOCK;
	return key;
}

/* Append the code point c to the passphrase s as UTF-8; -1 when it is full. */
static int secret_put(hw_secret *s, int c)
{
	unsigned char b[4];
	size_t n, len = secret_len(s);

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | c >> 18);
		b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (len + n >= secret_cap(s))
		return -1;
	memcpy(secret_data(s) + len, b, n);
	secret_set_len(s, len + n);
	return 0;
}

/* Remove the last character of the passphrase s. */
static void secret_unput(hw_secret *s)
{
	size_t len = secret_len(s);

	while (len > 0 && ((unsigned char)secret_data(s)[len - 1] & 0xc0) == 0x80)
		len--;
	secret_set_len(s, len ? len - 1 : 0);
}

/* One line of the lock screen at row y, cut to the width. */
static void lock_line(int y, const char *text)
{
	if (y < LINES)
		mvaddnstr(y, 2, text, COLS > 4 ? COLS - 4 : 0);
}

static void draw_lock(const char *note, int typed)
{
	int y = LINES / 2 - 3 > 0 ? LINES / 2 - 3 : 0;

	erase();
	attron(A_BOLD);
	lock_line(y, _("Homeward is locked"));
	attroff(A_BOLD);
	lock_line(y + 2, _("What it holds stays encrypted until you type your passphrase."));
	lock_line(y + 4, _("Passphrase: "));
	/* Nothing of what is typed shows, not even its length; only that something is. */
	if (typed)
		addstr("...");
	if (note && *note)
		lock_line(y + 6, note);
	lock_line(LINES - 1 > y + 8 ? LINES - 1 : y + 8, _("Enter: unlock   F10: quit"));
	refresh();
}

/*
 * The lock screen: ask for the passphrase until it opens the workspace.
 * From the fifth wrong one on, each makes it wait longer before the next
 * (2, 4, 8 s ... at most WAIT_MAX_S).  0 once unlocked; -1 to quit (F10,
 * a signal, or no memory for the passphrase).
 */
static int unlock_screen(tui *t)
{
	hw_error err = { 0, "" };
	hw_secret *pass = NULL;
	char note[MSG_MAX] = "";
	int rc = -1;

	if (secret_new(&pass, PASS_MAX, &err) < 0)
		return -1;
	curs_set(1);
	while (!stop_requested) {
		long long now = now_ms();
		int key;

		if (now < t->wait_until_ms) {
			int left = (int)((t->wait_until_ms - now + 999) / 1000);

			snprintf(note, sizeof note, _("Too many wrong passphrases: wait %d s."), left);
			draw_lock(note, 0);
			/* Keys typed meanwhile are dropped: they are not a try. */
			get_key(t, (int)(t->wait_until_ms - now < 1000 ? t->wait_until_ms - now : 1000));
			if (now_ms() >= t->wait_until_ms)
				snprintf(note, sizeof note, "%s", _("Wrong passphrase."));
			continue;
		}
		draw_lock(note, secret_len(pass) > 0);
		key = read_key_wait(t, -1);
		if (key == 0 || key == UI_KEY_FN(KEY_RESIZE))
			continue;
		if (key == fkey(10))
			break;
		if (key == '\r' || key == '\n' || key == UI_KEY_FN(KEY_ENTER)) {
			if (secret_len(pass) == 0)
				continue;
			rc = ws_unlock_store(t->ws, pass);
			secret_set_len(pass, 0);
			if (rc == 0) {
				t->wrong = 0;
				break;
			}
			rc = -1;
			if (ws_error(t->ws)->code == HW_EAUTH) {
				t->wrong++;
				snprintf(note, sizeof note, "%s", _("Wrong passphrase."));
				if (t->wrong > WRONG_FREE) {
					int shift = t->wrong - WRONG_FREE, wait = 2;

					while (shift-- > 0 && wait < WAIT_MAX_S)
						wait *= 2;
					t->wait_until_ms = now_ms() + 1000LL * (wait < WAIT_MAX_S ? wait : WAIT_MAX_S);
				}
			} else {
				snprintf(note, sizeof note, "%s", ws_error(t->ws)->msg);
			}
			continue;
		}
		if (key == UI_KEY_FN(KEY_BACKSPACE) || key == 127 || key == 8)
			secret_unput(pass);
		else if (key == UI_KEY_ESC || key == 21)   /* Esc, Ctrl-U: start again */
			secret_set_len(pass, 0);
		else if (key >= 32 && key != 127 && !UI_KEY_IS_FN(key) && secret_put(pass, key) < 0)
			snprintf(note, sizeof note, "%s", _("The passphrase is too long."));
	}
	secret_free(pass);
	erase();
	refresh();
	return rc;
}

/*
 * Lock now: keep what is typed (as quitting does), close every screen and
 * the database (its key is wiped), clear the terminal, and ask for the
 * passphrase again; then start again from the list.
 */
static void lock_now(tui *t)
{
	ui_view *v;

	t->closing = 1;
	for (v = t->top; v; v = v->below)
		if (v->ops->keep)
			v->ops->keep(v, t);
	while (t->top)
		tui_pop(t);
	t->closing = 0;
	t->question[0] = 0;
	t->answered = NULL;
	ws_lock(t->ws);
	clear();
	refresh();
	if (unlock_screen(t) < 0) {
		t->quit = 1;
		return;
	}
	read_settings(t);
	relayout(t);
	t->last_key_ms = now_ms();
	if (tui_push(t, &ui_screen_list, NULL) < 0)
		t->quit = 1;
}

/* Handle a key press: the view first, then what every screen knows. */
static void dispatch(tui *t, int key)
{
	ui_view *v = t->top;
	enum ui_action act;
	int r;

	if (key == UI_KEY_FN(KEY_ENTER) || key == '\n')
		key = '\r';
	act = ui_action_for_key(v->ops->keymap, key);
	r = v->ops->handle_key ? v->ops->handle_key(v, t, key, act) : UI_IGNORED;
	if (r & UI_QUIT) {
		t->quit = 1;
		return;
	}
	if (r & UI_CLOSE) {
		tui_pop(t);
		return;
	}
	if (r & UI_HANDLED)
		return;
	switch (act) {
	case ACT_QUIT:
		t->quit = 1;
		break;
	case ACT_HELP:
		tui_push(t, &ui_screen_help, (void *)v->ops->keymap);
		break;
	case ACT_UI_LANGUAGE:
		ui_pick_ui_language(t);
		break;
	case ACT_REDRAW:
		clear();
		break;
	case ACT_BACK:
		if (v->below)
			tui_pop(t);
		break;
	default:
		break;
	}
}

/* The answer to a pending question: Enter is yes, any other key no. */
static void answer(tui *t, int key)
{
	void (*answered)(tui *, int, void *) = t->answered;
	void *payload = t->answered_payload;

	t->question[0] = 0;
	t->answered = NULL;
	t->answered_payload = NULL;
	if (key == UI_KEY_FN(KEY_ENTER) || key == '\n')
		key = '\r';
	if (answered)
		answered(t, key == '\r', payload);
}

int tui_run(hw_ws *ws, const tui_opts *opts)
{
	tui t;
	char *lang = NULL;
	const char *env_lang;
	ui_view *v;
	int key;

	memset(&t, 0, sizeof t);
	t.ws = ws;
	if (opts)
		t.opts = *opts;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "homeward: %s\n", _("the screen needs a terminal; see homeward --help for commands"));
		return 1;
	}
	set_escdelay(25);
	atexit(restore_terminal);
	install_signals();
	if (!initscr()) {
		fprintf(stderr, "homeward: %s\n", _("cannot start the screen"));
		return 1;
	}
	curses_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	ui_colors_init();
	/* Opened locked: the passphrase first, on the lock screen. */
	if (ws_is_locked(ws)) {
		if (unlock_screen(&t) < 0) {
			restore_terminal();
			return 0;
		}
		if (!ws_is_initialised(ws)) {
			restore_terminal();
			fprintf(stderr, "homeward: %s\n", _("this workspace is not set up yet; run: homeward init"));
			return 1;
		}
	}
	read_settings(&t);
	/*
	 * A language chosen in the program wins over the environment's locale,
	 * but LANGUAGE given at start is a choice for this run and wins over
	 * it (F9 still changes and saves it).
	 */
	env_lang = getenv("LANGUAGE");
	if (!(env_lang && *env_lang) && ws_get(ws, WS_UI_LANGUAGE, &lang) == 0 && lang && *lang)
		ui_i18n_set_language(lang);
	free(lang);
	relayout(&t);
	t.last_key_ms = now_ms();

	if (tui_push(&t, &ui_screen_list, NULL) < 0) {
		restore_terminal();
		fprintf(stderr, "homeward: %s\n", tui_error_text(ws_error(ws)->code));
		return 1;
	}
	while (!t.quit && !stop_requested && t.top) {
		draw_all(&t);
		key = read_key(&t);
		if (stop_requested)
			break;
		if (key == KEY_IDLE_LOCK || key == fkey(12)) {
			lock_now(&t);
			continue;
		}
		if (key)
			t.last_key_ms = now_ms();
		if (key == UI_KEY_FN(KEY_RESIZE)) {
			relayout(&t);
			continue;
		}
		if (key == 0)
			continue;
		t.message[0] = 0;
		t.message_role = ROLE_NORMAL;
		if (t.question[0]) {
			answer(&t, key);
			continue;
		}
		dispatch(&t, key);
	}
	/* F10, Ctrl-C or a signal: what is typed and not saved is kept first. */
	t.closing = 1;
	t.message[0] = 0;
	for (v = t.top; v; v = v->below)
		if (v->ops->keep)
			v->ops->keep(v, &t);
	while (t.top)
		tui_pop(&t);
	restore_terminal();
	/* Keeping failed (a full disk): the screen is gone, so say it here. */
	if (t.message[0] && t.message_role == ROLE_ERROR) {
		fprintf(stderr, "homeward: %s\n", t.message);
		return 1;
	}
	return 0;
}

int tui_unlock(tui *t)
{
	hw_error err = { 0, "" };
	hw_secret *pass = NULL;
	int rc = -1;

	if (ws_keys(t->ws))
		return 0;
	if (!ws_has_keys(t->ws)) {
		tui_message(t, ROLE_ERROR, "%s", _("This workspace has no device keys yet: run homeward init again (the same device id) to make them."));
		return -1;
	}
	/* The key the passphrase gave at unlock opens the device keys too: nothing to ask. */
	if (ws_unlock(t->ws, NULL) == 0)
		return 0;
	hw_error_clear(ws_err(t->ws));
	if (secret_new(&pass, 1024, &err) < 0) {
		tui_error(t, err.code);
		return -1;
	}
	if (t->opts.demo) {
		memcpy(secret_data(pass), TUI_DEMO_PASSPHRASE, strlen(TUI_DEMO_PASSPHRASE));
		secret_set_len(pass, strlen(TUI_DEMO_PASSPHRASE));
		rc = 0;
	} else if (t->opts.passphrase_fd >= 0) {
		rc = cli_read_secret_fd(t->opts.passphrase_fd, pass);
	} else {
		/* The screen steps aside for the question, then comes back whole. */
		def_prog_mode();
		endwin();
		rc = cli_ask_secret_tty(_("Passphrase (to sign what is sent): "), pass);
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
	if (rc < 0 || secret_len(pass) == 0) {
		tui_message(t, ROLE_ERROR, "%s", _("Sync needs the passphrase; nothing was sent."));
		rc = -1;
	} else if ((rc = ws_unlock(t->ws, pass)) == HW_EAUTH) {
		tui_message(t, ROLE_ERROR, "%s", _("Wrong passphrase; nothing was sent."));
		rc = -1;
	} else if (rc < 0) {
		tui_message(t, ROLE_ERROR, "%s", ws_error(t->ws)->msg);
		rc = -1;
	}
	secret_free(pass);
	return rc;
}
