/* colors.c: the scheme table of roles, with its monochrome fallback. */
#include "config.h"
#include "colors.h"

#include <stdlib.h>

#include "curses.h"

/* One role: colours when we have them, attributes when we do not. */
typedef struct role_scheme {
	short fg, bg;      /* -1: the terminal's default */
	int color_attr;    /* added to the colour pair */
	int mono_attr;     /* used alone without colours */
} role_scheme;

static const role_scheme scheme[ROLE_COUNT] = {
	[ROLE_NORMAL]   = { -1, -1, 0, 0 },
	[ROLE_TITLE]    = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD },
	[ROLE_STATUS]   = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[ROLE_KEYS]     = { COLOR_CYAN, -1, 0, A_BOLD },
	[ROLE_HEADER]   = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_SELECTED] = { COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
	[ROLE_INPUT]    = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[ROLE_ERROR]    = { COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
	[ROLE_INFO]     = { COLOR_GREEN, -1, 0, A_BOLD },
	[ROLE_HINT]     = { COLOR_CYAN, -1, 0, 0 },
	[ROLE_MINOR]    = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[ROLE_CONFLICT] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_BLINK },
	[ROLE_DIM]      = { -1, -1, A_DIM, A_DIM },
	[ROLE_DEMO]     = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_BOLD | A_REVERSE },
};

static int attrs[ROLE_COUNT];
static int colors_on;

void ui_colors_init(void)
{
	const char *nc = getenv("NO_COLOR");
	int i;

	/* https://no-color.org: any non-empty value turns colours off. */
	colors_on = has_colors() && !(nc && *nc);
	if (colors_on && start_color() != OK)
		colors_on = 0;
	if (colors_on)
		use_default_colors();
	for (i = 0; i < ROLE_COUNT; i++) {
		if (colors_on && (scheme[i].fg != -1 || scheme[i].bg != -1) &&
		    i < COLOR_PAIRS) {
			init_pair((short)i, scheme[i].fg, scheme[i].bg);
			attrs[i] = (int)COLOR_PAIR(i) | scheme[i].color_attr;
		} else {
			attrs[i] = colors_on ? scheme[i].color_attr : scheme[i].mono_attr;
		}
	}
}

int ui_attr(enum ui_role role)
{
	return role >= 0 && role < ROLE_COUNT ? attrs[role] : 0;
}

int ui_colors_on(void)
{
	return colors_on;
}
