/*
 * zip.c: a streamed zip writer on zlib's raw deflate (APPNOTE.TXT 6.3:
 * local headers with bit 3 set, a data descriptor after each entry, the
 * central directory at the end).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"
#include "zip.h"

#define ZIP_MAX_ENTRIES 65535
#define ZIP_MAX_SIZE 0xffffffffUL

typedef struct zip_entry {
	char *name;
	uint32_t crc, csize, usize, offset;
} zip_entry;

struct hw_zip {
	hw_zip_write_fn write;
	void *payload;
	hw_error *err;
	uint16_t dos_time, dos_date;
	zip_entry *e;
	size_t n, cap;
	uint64_t offset;       /* bytes written so far */
	int open;              /* an entry is begun */
	uint64_t csize, usize; /* of the open entry */
	uLong crc;
	z_stream zs;
	unsigned char out[65536];
};

static void le16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static int put(hw_zip *z, const void *data, size_t len)
{
	int rc;

	if (z->offset + len > ZIP_MAX_SIZE)
		return hw_error_set(z->err, HW_EINVALID, "the zip archive would pass 4 GiB");
	if ((rc = z->write(data, len, z->payload)) < 0)
		return rc;
	z->offset += len;
	return 0;
}

int hw_zip_new(hw_zip **out, time_t t, hw_zip_write_fn write, void *payload, hw_error *err)
{
	hw_zip *z = calloc(1, sizeof(*z));
	struct tm tm;

	*out = NULL;
	if (!z)
		return hw_error_set(err, HW_ERROR, "out of memory");
	z->write = write;
	z->payload = payload;
	z->err = err;
	gmtime_r(&t, &tm);
	if (tm.tm_year < 80)
		tm.tm_year = 80, tm.tm_mon = 0, tm.tm_mday = 1;
	z->dos_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	z->dos_date = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
	*out = z;
	return 0;
}

int hw_zip_begin(hw_zip *z, const char *name)
{
	unsigned char h[30];
	size_t len = strlen(name);
	int rc;

	if (z->open || z->n >= ZIP_MAX_ENTRIES || len > 0xffff || !len)
		return hw_error_set(z->err, HW_EINVALID, "cannot add %s to the zip archive", name);
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 8;
		zip_entry *e = realloc(z->e, cap * sizeof(*e));

		if (!e)
			return hw_error_set(z->err, HW_ERROR, "out of memory");
		z->e = e;
		z->cap = cap;
	}
	memset(&z->e[z->n], 0, sizeof(z->e[z->n]));
	if (!(z->e[z->n].name = strdup(name)))
		return hw_error_set(z->err, HW_ERROR, "out of memory");
	z->e[z->n].offset = (uint32_t)z->offset;
	z->n++;
	le32(h, 0x04034b50);
	le16(h + 4, 20);           /* version needed: 2.0 (deflate) */
	le16(h + 6, 0x0808);       /* bit 3: sizes in a data descriptor; bit 11: UTF-8 names */
	le16(h + 8, 8);            /* deflate */
	le16(h + 10, z->dos_time);
	le16(h + 12, z->dos_date);
	le32(h + 14, 0);
	le32(h + 18, 0);
	le32(h + 22, 0);
	le16(h + 26, (unsigned)len);
	le16(h + 28, 0);
	if ((rc = put(z, h, sizeof(h))) < 0 || (rc = put(z, name, len)) < 0)
		return rc;
	memset(&z->zs, 0, sizeof(z->zs));
	if (deflateInit2(&z->zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return hw_error_set(z->err, HW_ERROR, "out of memory");
	z->open = 1;
	z->csize = z->usize = 0;
	z->crc = crc32(0L, Z_NULL, 0);
	return 0;
}

/* Deflate what is in zs's input; flush with Z_FINISH at the end. */
static int pump(hw_zip *z, int flush)
{
	int rc, zr;

	do {
		z->zs.next_out = z->out;
		z->zs.avail_out = sizeof(z->out);
		zr = deflate(&z->zs, flush);
		if (zr == Z_STREAM_ERROR)
			return hw_error_set(z->err, HW_ERROR, "compressing the zip archive failed");
		if (sizeof(z->out) - z->zs.avail_out) {
			size_t got = sizeof(z->out) - z->zs.avail_out;

			if ((rc = put(z, z->out, got)) < 0)
				return rc;
			z->csize += got;
		}
	} while (z->zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int hw_zip_write(hw_zip *z, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!z->open)
		return hw_error_set(z->err, HW_EINVALID, "no zip entry begun");
	while (len) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;
		int rc;

		if (z->usize + chunk > ZIP_MAX_SIZE)
			return hw_error_set(z->err, HW_EINVALID, "a zip entry would pass 4 GiB");
		z->crc = crc32(z->crc, p, chunk);
		z->usize += chunk;
		z->zs.next_in = (Bytef *)p;
		z->zs.avail_in = chunk;
		if ((rc = pump(z, Z_NO_FLUSH)) < 0)
			return rc;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int hw_zip_end(hw_zip *z)
{
	unsigned char d[16];
	zip_entry *e = &z->e[z->n - 1];
	int rc;

	if (!z->open)
		return hw_error_set(z->err, HW_EINVALID, "no zip entry begun");
	z->zs.next_in = NULL;
	z->zs.avail_in = 0;
	rc = pump(z, Z_FINISH);
	deflateEnd(&z->zs);
	z->open = 0;
	if (rc < 0)
		return rc;
	e->crc = (uint32_t)z->crc;
	e->csize = (uint32_t)z->csize;
	e->usize = (uint32_t)z->usize;
	le32(d, 0x08074b50);
	le32(d + 4, e->crc);
	le32(d + 8, e->csize);
	le32(d + 12, e->usize);
	return put(z, d, sizeof(d));
}

int hw_zip_finish(hw_zip *z)
{
	uint32_t start = (uint32_t)z->offset;
	unsigned char h[46], end[22];
	int rc;

	if (z->open)
		return hw_error_set(z->err, HW_EINVALID, "a zip entry is still open");
	for (size_t i = 0; i < z->n; i++) {
		size_t len = strlen(z->e[i].name);

		le32(h, 0x02014b50);
		le16(h + 4, 0x031e);   /* made by: Unix, 3.0 */
		le16(h + 6, 20);
		le16(h + 8, 0x0808);
		le16(h + 10, 8);
		le16(h + 12, z->dos_time);
		le16(h + 14, z->dos_date);
		le32(h + 16, z->e[i].crc);
		le32(h + 20, z->e[i].csize);
		le32(h + 24, z->e[i].usize);
		le16(h + 28, (unsigned)len);
		le16(h + 30, 0);
		le16(h + 32, 0);
		le16(h + 34, 0);
		le16(h + 36, 0);
		le32(h + 38, 0100600u << 16);   /* a regular file, rw for its owner */
		le32(h + 42, z->e[i].offset);
		if ((rc = put(z, h, sizeof(h))) < 0 || (rc = put(z, z->e[i].name, len)) < 0)
			return rc;
	}
	le32(end, 0x06054b50);
	le16(end + 4, 0);
	le16(end + 6, 0);
	le16(end + 8, (unsigned)z->n);
	le16(end + 10, (unsigned)z->n);
	le32(end + 12, (uint32_t)z->offset - start);
	le32(end + 16, start);
	le16(end + 20, 0);
	return put(z, end, sizeof(end));
}

void hw_zip_free(hw_zip *z)
{
	if (!z)
		return;
	if (z->open)
		deflateEnd(&z->zs);
	for (size_t i = 0; i < z->n; i++)
		free(z->e[i].name);
	free(z->e);
	free(z);
}
