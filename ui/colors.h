/*
 * colors.h: colours by role.  Screens ask for the attribute of a role
 * (a title, the selected row, an error), never for a colour, so a
 * monochrome terminal or NO_COLOR gets a readable scheme of bold, reverse
 * and underline instead.
 */
#ifndef HW_UI_COLORS_H
#define HW_UI_COLORS_H

enum ui_role {
	ROLE_NORMAL = 0,
	ROLE_TITLE,       /* the top bar */
	ROLE_STATUS,      /* the bottom status line */
	ROLE_KEYS,        /* key hints */
	ROLE_HEADER,      /* column headers, section titles */
	ROLE_SELECTED,    /* the row or field with the cursor */
	ROLE_INPUT,       /* an input field */
	ROLE_ERROR,       /* error messages, invalid answers */
	ROLE_INFO,        /* confirmations ("saved") */
	ROLE_HINT,        /* guidance for the counsellor */
	ROLE_MINOR,       /* the minor marker */
	ROLE_CONFLICT,    /* conflicting values that need a decision */
	ROLE_DIM,         /* less important text, translations beneath */
	ROLE_DEMO,        /* the demo workspace marker */
	ROLE_COUNT
};

/*
 * Set up colour pairs after initscr(): colours when the terminal has them
 * and NO_COLOR is unset or empty, else the monochrome scheme.
 */
void ui_colors_init(void);

/* The curses attribute of a role. */
int ui_attr(enum ui_role role);

/* True if colours are in use (not monochrome). */
int ui_colors_on(void);

#endif
