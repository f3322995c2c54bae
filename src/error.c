/* error.c: the last-error slot. */
#include "config.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

int hw_error_vset(hw_error *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return code;
}

int hw_error_set(hw_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hw_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void hw_error_prefix(hw_error *err, const char *fmt, ...)
{
	char prefix[HW_ERROR_MAX];
	size_t plen, mlen;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	/* "prefix: detail", cut at the slot's size (the detail's end goes first). */
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	plen += 2;
	mlen = strlen(err->msg);
	if (plen + mlen >= sizeof(err->msg))
		mlen = sizeof(err->msg) - plen - 1;
	memmove(err->msg + plen, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + mlen] = '\0';
}

void hw_error_clear(hw_error *err)
{
	if (err) {
		err->code = HW_OK;
		err->msg[0] = '\0';
	}
}

/* Marks a string for the interface's catalogue; the front end translates it. */
#define N_(s) s

/*
 * The one table of what each code means: a short English name for details
 * and logs, and the sentence a user reads (translated by the front end, so
 * the command line and the screen say the same thing).
 */
static const struct {
	int code;
	const char *name;
	const char *text;
} codes[] = {
	{ HW_OK, "ok", N_("done") },
	{ HW_ENOTFOUND, "not found", N_("not found") },
	{ HW_EEXISTS, "already exists", N_("already exists") },
	{ HW_ECONFLICT, "conflict", N_("conflicting changes need a decision") },
	{ HW_EBUSY, "in use", N_("the workspace is in use by another Homeward; try again in a moment") },
	{ HW_EINVALID, "invalid input", N_("invalid input") },
	{ HW_ECORRUPT, "damaged data", N_("damaged data (left untouched)") },
	{ HW_ENOSPACE, "disk full", N_("the disk is full; nothing was lost, free some space and try again") },
	{ HW_EREJECTED, "rejected by the remote", N_("the central repository refused the change") },
	{ HW_ENETWORK, "network error", N_("cannot reach the central repository; your work is kept and will be sent next time") },
	{ HW_EAUTH, "authentication failed", N_("the central repository did not accept the credentials") },
	{ HW_EEXPOSED, "readable by others", N_("other users of this computer could read the workspace; nothing was done") },
	{ HW_EUNTRUSTED, "identity not verified", N_("the identity of the central repository could not be verified; nothing was exchanged with it") },
	{ HW_ELOCKED, "central repository locked", N_("the central repository is locked; your work is kept and will be sent next time") },
	{ HW_ESILENT, "central repository silent", N_("the central repository stopped answering; your work is kept and will be sent next time") },
	{ HW_ERROR, "error", N_("error") },
};

/* The row of code; unknown codes get the generic one (the last). */
static size_t row(int code)
{
	size_t i, n = sizeof(codes) / sizeof(codes[0]);

	for (i = 0; i < n - 1 && codes[i].code != code; i++)
		;
	return i;
}

const char *hw_error_name(int code)
{
	return codes[row(code)].name;
}

const char *hw_error_text(int code)
{
	return codes[row(code)].text;
}
