/*
 * cli.c: what every command shares: one-line errors, the translated
 * sentence for each core error code, and opening the workspace the global
 * options name.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "crypto.h"
#include "i18n.h"
#include "util.h"
#include "workspace.h"

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

/* A translated sentence for each error code (the one table, src/error.c). */
static const char *code_message(int code)
{
	return _(hw_error_text(code));
}

int cli_fail(const hw_error *err)
{
	if (!err->msg[0])
		return cli_error("%s", code_message(err->code));
	/* The detail already says what happened; the code adds what to do. */
	if (err->code == HW_EBUSY || err->code == HW_ENOSPACE || err->code == HW_ENETWORK ||
	    err->code == HW_ECORRUPT || err->code == HW_EREJECTED || err->code == HW_EAUTH ||
	    err->code == HW_EEXPOSED || err->code == HW_EUNTRUSTED || err->code == HW_ELOCKED ||
	    err->code == HW_ESILENT)
		return cli_error("%s (%s)", err->msg, code_message(err->code));
	return cli_error("%s", err->msg);
}

int cli_usage(const char *message)
{
	cli_error("%s", message);
	return 2;
}

char *cli_workspace_dir(const cli_globals *g)
{
	char *base, *p;

	if (g->workspace && *g->workspace)
		return strdup(g->workspace);
	if (g->data_home && *g->data_home)
		return hw_path_join(g->data_home, "homeward");
	base = hw_path_join(g->home && *g->home ? g->home : ".", ".local/share");
	if (!base)
		return NULL;
	p = hw_path_join(base, "homeward");
	free(base);
	return p;
}

void cli_ws_options(ws_options *o, const cli_globals *g, unsigned flags)
{
	ws_options init = WS_OPTIONS_INIT;

	*o = init;
	o->flags = flags;
	o->max_db_growth = g->max_db_growth;
	o->datadir = g->datadir;
}

/* True when dir holds a database that is encrypted (it needs the passphrase to open). */
static int needs_passphrase(const char *dir, unsigned flags)
{
	char *db = hw_path_join(dir, "homeward.db");
	int needs = 1;

	/* A missing or plain database fails to open with its own message: ask nothing first. */
	if (db && !(flags & WS_OPEN_CREATE) && (!hw_exists(db) || ws_db_is_plain(db)))
		needs = 0;
	/* Opened locked, the screen asks. */
	if (flags & WS_OPEN_LOCKED)
		needs = 0;
	free(db);
	return needs;
}

int cli_exposed_text(const char *dir, char *buf, size_t size)
{
	char *path = NULL;
	unsigned mode;
	int is_dir;

	if (ws_exposed_entry(dir, &path, &mode, &is_dir) != 0)
		return -1;
	if (is_dir)
		snprintf(buf, size, _("%s can be entered by other users of this computer (mode %04o); make it private with: chmod 700 %s"),
			 path, mode, path);
	else
		snprintf(buf, size, _("%s can be read by other users of this computer (mode %04o); make it private with: chmod 600 %s"),
			 path, mode, path);
	free(path);
	return 0;
}

int cli_open_workspace(hw_ws **out, const cli_globals *g, unsigned flags)
{
	hw_error err = { 0, "" };
	char *dir = cli_workspace_dir(g);
	hw_secret *pass = NULL;
	ws_options o;
	int rc, st;

	*out = NULL;
	if (!dir)
		return cli_error("%s", _("out of memory"));
	cli_ws_options(&o, g, flags);
	/* The database is encrypted: every command opens it with the passphrase. */
	if (needs_passphrase(dir, flags) && (st = cli_passphrase(g, 0, &pass)) != 0) {
		free(dir);
		return st;
	}
	o.passphrase = pass;
	rc = ws_open_ext(out, dir, &o, &err);
	secret_free(pass);
	if (rc == HW_ENOTFOUND) {
		cli_error(_("there is no workspace at %s; create one with: homeward init"), dir);
		free(dir);
		return 1;
	}
	if (rc == HW_EEXPOSED) {
		/* Said in the person's language, from what the core found. */
		char text[2 * PATH_MAX + 256];

		st = cli_exposed_text(dir, text, sizeof text) == 0
			? cli_error("%s (%s)", text, code_message(HW_EEXPOSED)) : cli_fail(&err);
		free(dir);
		return st;
	}
	free(dir);
	if (rc == HW_EAUTH)
		return cli_error("%s", _("wrong passphrase; nothing was changed"));
	if (rc < 0)
		return cli_fail(&err);
	if (!(flags & (WS_OPEN_CREATE | WS_OPEN_LOCKED)) && !ws_is_initialised(*out)) {
		ws_free(*out);
		*out = NULL;
		return cli_error("%s", _("this workspace is not set up yet; run: homeward init"));
	}
	return 0;
}

#define PASSPHRASE_MAX CLI_PASSPHRASE_MAX

/* One line of fd into s; a regular file is read from *at (moved past the line). */
static int read_secret_line(int fd, int regular, off_t *at, hw_secret *s)
{
	char *buf = secret_data(s);
	size_t len = 0;

	for (;;) {
		char c;
		ssize_t r = regular ? pread(fd, &c, 1, *at) : read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			secret_set_len(s, 0);
			return -1;
		}
		if (r == 0)
			break;
		(*at)++;
		if (c == '\n')
			break;
		if (len + 1 >= secret_cap(s)) {
			secret_set_len(s, 0);
			errno = E2BIG;
			return -1;
		}
		buf[len++] = c;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	secret_set_len(s, len);
	return 0;
}

int cli_read_secret_fd(int fd, hw_secret *s)
{
	struct stat sb;
	off_t at = 0;

	return read_secret_line(fd, fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode), &at, s);
}

int cli_read_secret_lines(int fd, hw_secret *first, hw_secret *second)
{
	struct stat sb;
	int regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	off_t at = 0;

	return read_secret_line(fd, regular, &at, first) < 0 ||
	       read_secret_line(fd, regular, &at, second) < 0 ? -1 : 0;
}

int cli_ask_secret_tty(const char *prompt, hw_secret *s)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), restore = 0, rc;

	if (fd < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		return -1;
	}
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	rc = cli_read_secret_fd(fd, s);
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = -1;
	close(fd);
	return rc;
}

/*
 * The passphrase a command read, kept (locked, guarded) so that it is asked
 * once per command, however many times the command needs it; wiped at exit.
 */
static hw_secret *held;

static void forget_passphrase(void)
{
	secret_free(held);
	held = NULL;
}

/* A copy of s in a new secret, or NULL. */
static hw_secret *secret_copy(const hw_secret *s)
{
	hw_secret *c = NULL;

	if (secret_new(&c, secret_cap(s), NULL) < 0)
		return NULL;
	memcpy(secret_data(c), secret_cdata(s), secret_len(s));
	secret_set_len(c, secret_len(s));
	return c;
}

int cli_hold_passphrase(const hw_secret *pass)
{
	static int registered;

	if (!registered && atexit(forget_passphrase) == 0)
		registered = 1;
	forget_passphrase();
	if (!(held = secret_copy(pass)))
		return cli_error("%s", _("out of memory"));
	return 0;
}

int cli_passphrase(const cli_globals *g, int confirm, hw_secret **out)
{
	hw_error err = { 0, "" };
	hw_secret *s = NULL, *again = NULL;
	int st = 1;

	*out = NULL;
	if (held && !confirm) {
		if (!(*out = secret_copy(held)))
			return cli_error("%s", _("out of memory"));
		return 0;
	}
	if (secret_new(&s, PASSPHRASE_MAX, &err) < 0)
		return cli_fail(&err);
	if (g->passphrase_fd >= 0) {
		if (cli_read_secret_fd(g->passphrase_fd, s) < 0) {
			cli_error(_("cannot read the passphrase from file descriptor %d"), g->passphrase_fd);
			goto done;
		}
	} else {
		if (cli_ask_secret_tty(_("Passphrase: "), s) < 0) {
			cli_error("%s", _("a passphrase is needed: there is no terminal to ask it on (use --passphrase-fd N)"));
			goto done;
		}
		if (confirm) {
			if (secret_new(&again, PASSPHRASE_MAX, &err) < 0) {
				cli_fail(&err);
				goto done;
			}
			if (cli_ask_secret_tty(_("The same passphrase again: "), again) < 0 ||
			    !secret_equal(s, again)) {
				cli_error("%s", _("the two passphrases differ; nothing was changed"));
				goto done;
			}
		}
	}
	if (secret_len(s) == 0) {
		cli_error("%s", _("the passphrase is empty"));
		goto done;
	}
	if (!held && cli_hold_passphrase(s) != 0)
		goto done;
	*out = s;
	s = NULL;
	st = 0;
done:
	secret_free(s);
	secret_free(again);
	return st;
}

int cli_unlock(hw_ws *ws, const cli_globals *g)
{
	hw_secret *pass = NULL;
	int rc, st;

	if (ws_keys(ws))
		return 0;
	if (!ws_has_keys(ws))
		return cli_error("%s", _("this workspace has no device keys yet; make them with: homeward init (the same device id, name and role)"));
	if ((st = cli_passphrase(g, 0, &pass)) != 0)
		return st;
	rc = ws_unlock(ws, pass);
	secret_free(pass);
	if (rc == HW_EAUTH)
		return cli_error("%s", _("wrong passphrase; nothing was changed"));
	if (rc < 0)
		return cli_fail(ws_error(ws));
	return 0;
}
