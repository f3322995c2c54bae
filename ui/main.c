/* main.c: command-line entry point; dispatches to the TUI or a command. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("homeward: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_fail(const hw_error *err)
{
	return cli_error("%s", err->msg[0] ? err->msg : hw_error_name(err->code));
}

int main(int argc, char **argv)
{
	ui_i18n_init();
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("homeward %s\n", PACKAGE_VERSION);
		return 0;
	}
	return 0;
}
