/*
 * curses.h: the one place that includes ncurses (wide-character build).
 * Every other file of the TUI includes this header, so the choice of
 * header and feature macros is made once.
 */
#ifndef HW_UI_CURSES_H
#define HW_UI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

#endif
