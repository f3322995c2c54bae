/*
 * error.h: return codes and the "last error" slot shared by every module.
 *
 * Functions that can fail return 0 or one of the negative codes below; the
 * detail (an English sentence, possibly with a library's own message) goes
 * into an hw_error owned by the caller's handle.  The core never prints:
 * front ends turn the code into a translated message and show the detail.
 */
#ifndef HW_ERROR_H
#define HW_ERROR_H

#include <stdarg.h>

enum {
	HW_OK = 0,
	HW_ERROR = -1,      /* generic failure */
	HW_ENOTFOUND = -3,  /* no such case, form, setting, ... */
	HW_EEXISTS = -4,    /* already there */
	HW_ECONFLICT = -5,  /* concurrent edits that need a decision */
	HW_EBUSY = -6,      /* workspace in use by another process */
	HW_EINVALID = -7,   /* bad input from the user or a file */
	HW_ECORRUPT = -8,   /* damaged database, repository or bundle */
	HW_ENOSPACE = -9,   /* disk full */
	HW_EREJECTED = -10, /* the remote refused a push */
	HW_ENETWORK = -11,  /* remote unreachable */
	HW_EAUTH = -12,     /* credentials refused */
	HW_EEXPOSED = -13,  /* other users of the machine can read the workspace */
	HW_EUNTRUSTED = -14, /* the remote's host key or certificate did not check out */
	HW_ELOCKED = -15,   /* the central repository is locked by a lock file */
	HW_ESILENT = -16,   /* the remote stopped answering for longer than sync.timeout */
};

#define HW_ERROR_MAX 1024

typedef struct hw_error {
	int code;                 /* last code set, HW_OK when clear */
	char msg[HW_ERROR_MAX];   /* English detail, "" when clear */
} hw_error;

/* Record code and a printf-style detail in err (which may be NULL); returns code. */
int hw_error_set(hw_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same with a va_list. */
int hw_error_vset(hw_error *err, int code, const char *fmt, va_list ap);

/* Prefix the existing detail with a printf-style context ("opening x: ..."). */
void hw_error_prefix(hw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear the slot. */
void hw_error_clear(hw_error *err);

/* A short English name for a code ("not found"), never NULL. */
const char *hw_error_name(int code);

/*
 * The sentence a user reads for a code, in English, never NULL; front ends
 * pass it through gettext (src/error.c is in the interface's catalogue).
 */
const char *hw_error_text(int code);

#endif
