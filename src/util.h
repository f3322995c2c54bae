/*
 * util.h: small helpers shared by the core modules: identifiers, time,
 * hashing, growable strings and durable file writes.
 */
#ifndef HW_UTIL_H
#define HW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

#define HW_UUID_LEN 36     /* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */
#define HW_TIME_LEN 20     /* "2026-11-29T10:42:07Z" */
#define HW_SHA256_HEX 64

/* Write a fresh random (version 4) UUID into out (HW_UUID_LEN + 1 bytes). */
int hw_uuid(char out[HW_UUID_LEN + 1]);

/* True if s is a lower-case canonical UUID. */
int hw_uuid_valid(const char *s);

/* Format t as UTC ISO 8601 with seconds and "Z" into out (HW_TIME_LEN + 1). */
void hw_time_iso(time_t t, char out[HW_TIME_LEN + 1]);

/*
 * Parse a UTC time written as hw_time_iso writes it ("2026-11-29T10:42:07Z",
 * nothing else) into *out; HW_EINVALID if it is not one.
 */
int hw_time_parse(const char *s, time_t *out);

/*
 * The clock of the whole library: the system's, unless the front end fixed
 * it (tests and demonstrations replay a given moment).  The core reads no
 * environment; a front end that offers a fixed clock parses it once and
 * calls hw_clock_fix before anything else.  0 gives back the system clock.
 */
void hw_clock_fix(time_t t);

/* The fixed time, or 0 when the system clock runs. */
time_t hw_clock_fixed(void);

/* The current time: the fixed one, else the system's. */
time_t hw_clock_now(void);

/*
 * Age in whole years on day (YYYY-MM-DD) of a person born on birth_date
 * (YYYY-MM-DD, or NULL) or, without a date, in birth_year (0: unknown);
 * -1 when neither is known.  With only a year, the age the person reaches
 * that year.
 */
int hw_age_on(const char *birth_date, int birth_year, const char *day);

/*
 * True if the person is under 18 on day: by the birth date, or with only an
 * estimated year, while day's year minus it is under 18.
 */
int hw_minor_on(const char *birth_date, int birth_year, const char *day);

/* The current time (hw_clock_now) formatted as by hw_time_iso. */
void hw_now_iso(char out[HW_TIME_LEN + 1]);

/* SHA-256 of data as lower-case hex into out (HW_SHA256_HEX + 1 bytes). */
void hw_sha256_hex(const void *data, size_t len, char out[HW_SHA256_HEX + 1]);

/*
 * A growable NUL-terminated byte string.  Out of memory is sticky: once an
 * append fails, the contents are dropped, every later append fails too and
 * hw_buf_detach() returns NULL.  Append freely, then check once at the end,
 * where the result is used (hw_buf_check, hw_buf_oom, or detach's NULL).
 */
typedef struct hw_buf {
	char *ptr;    /* NUL-terminated once anything was added ("" after a failure); owned */
	size_t len;   /* bytes, without the NUL */
	size_t cap;
} hw_buf;

#define HW_BUF_INIT { NULL, 0, 0 }

/* Append len bytes / a string / printf output; return 0 or HW_ERROR (out of memory, sticky). */
int hw_buf_add(hw_buf *b, const void *data, size_t len);
int hw_buf_puts(hw_buf *b, const char *s);
int hw_buf_printf(hw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True if an append to b failed since it was last freed or detached. */
int hw_buf_oom(const hw_buf *b);

/* 0, or HW_ERROR with "out of memory" in err if an append to b failed. */
int hw_buf_check(const hw_buf *b, hw_error *err);

/* Shorten b to len bytes (no-op if it is not longer). */
void hw_buf_truncate(hw_buf *b, size_t len);

/*
 * Take the string out and reset b: caller frees; "" if nothing was added;
 * NULL if an append failed (or out of memory now).
 */
char *hw_buf_detach(hw_buf *b);

/* Free the contents (and forget a failure); b may be reused. */
void hw_buf_free(hw_buf *b);

/*
 * NULL when s is well-formed UTF-8 without control characters (C0, DEL,
 * C1) or bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069); else what is wrong ("is not valid UTF-8", ...), to
 * follow the name of the field in a message.
 */
const char *hw_text_problem(const char *s);

/* strdup that tolerates NULL. */
char *hw_strdup(const char *s);

/* Create dir and its parents (mode 0700 for new ones). */
int hw_mkdir_p(const char *path, hw_error *err);

/*
 * Write data to path durably: a temporary file in the same folder, fsync,
 * rename over path, fsync of the folder.  A crash leaves the old or the new
 * content, never a mix.  A full disk is HW_ENOSPACE.
 */
int hw_write_file_atomic(const char *path, const void *data, size_t len, hw_error *err);

/* Read a whole file; *out is NUL-terminated, caller frees; *len may be NULL. */
int hw_read_file(const char *path, char **out, size_t *len, hw_error *err);

/* Join two path parts with '/' into a new string (caller frees; NULL if a part is NULL). */
char *hw_path_join(const char *a, const char *b);

/*
 * Copy url into out (n bytes, truncated) without the user name and password
 * of "scheme://user:token@host/...", so that a URL can be shown or recorded
 * in a message without its credentials.  Returns out.
 */
char *hw_url_shown(const char *url, char *out, size_t n);

/* True if path exists. */
int hw_exists(const char *path);

#endif
