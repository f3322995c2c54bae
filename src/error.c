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

const char *hw_error_name(int code)
{
	switch (code) {
	case HW_OK: return "ok";
	case HW_ENOTFOUND: return "not found";
	case HW_EEXISTS: return "already exists";
	case HW_ECONFLICT: return "conflict";
	case HW_EBUSY: return "in use";
	case HW_EINVALID: return "invalid input";
	case HW_ECORRUPT: return "damaged data";
	case HW_ENOSPACE: return "disk full";
	case HW_EREJECTED: return "rejected by the remote";
	case HW_ENETWORK: return "network error";
	case HW_EAUTH: return "authentication failed";
	default: return "error";
	}
}
