/*
 * tui.h: the ncurses front end.  Everything it does goes through the same
 * core calls as the command line.
 */
#ifndef HW_UI_TUI_H
#define HW_UI_TUI_H

#include "workspace.h"

typedef struct tui_opts {
	int demo;          /* opened on a fresh demo workspace: say so in the title */
	const struct sync_secrets *secrets;  /* credentials a sync may use; may be NULL */
	int passphrase_fd;   /* where to read the passphrase, or -1: ask on the terminal */
} tui_opts;

/* The passphrase of the demo's keys, used without asking (docs/security.md). */
#define TUI_DEMO_PASSPHRASE "demo"

#define TUI_OPTS_INIT { 0, NULL, -1 }

/* Run the TUI on an open, initialised workspace; returns the exit status. */
int tui_run(hw_ws *ws, const tui_opts *opts);

#endif
