/*
 * zip.h: writing a zip archive as a stream (the one module that includes
 * zlib).  Entries are deflated and written one after another with a data
 * descriptor after each, so the archive never needs seeking: it can go to
 * a pipe.  No zip64: an entry or an archive past 4 GiB, or more than 65,535
 * entries, is refused.
 */
#ifndef HW_ZIP_H
#define HW_ZIP_H

#include <stddef.h>
#include <time.h>

#include "error.h"

typedef struct hw_zip hw_zip;

/* Where the archive's bytes go: 0, or a negative code (detail in err). */
typedef int (*hw_zip_write_fn)(const void *data, size_t len, void *payload);

/* A new archive whose entries carry the time t (UTC). */
int hw_zip_new(hw_zip **out, time_t t, hw_zip_write_fn write, void *payload, hw_error *err);

/* Start an entry named name (UTF-8, "/" between folders). */
int hw_zip_begin(hw_zip *z, const char *name);
/* Add bytes to the entry begun last. */
int hw_zip_write(hw_zip *z, const void *data, size_t len);
/* End the entry begun last. */
int hw_zip_end(hw_zip *z);
/* Write the central directory: the archive is complete. */
int hw_zip_finish(hw_zip *z);
/* Free z (NULL is fine); an unfinished archive is left as it is. */
void hw_zip_free(hw_zip *z);

#endif
