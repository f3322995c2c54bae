/*
 * store_vfs.c: an SQLite file layer that seals every page it writes and
 * opens every page it reads (see store_vfs.h and docs/security.md).
 *
 * Where the pages are, by file:
 *   database  page n at (n - 1) * PAGE, sealed with the page number as
 *             associated data;
 *   -wal      a 32-byte header in clear, then frames: a 24-byte frame
 *             header in clear (page number, checksums, salts), then the
 *             page, sealed with its page number (from the frame header);
 *   -journal  records of a 4-byte page number, the page, a 4-byte checksum,
 *             after headers in clear; a page is a write or read of exactly
 *             PAGE bytes at an offset 4 past a multiple of 8.
 * SQLite writes and reads a page as a whole; only the database header is
 * read in parts, which opens the whole first page.
 *
 * A page that does not open (changed on disk, or sealed under another key)
 * is SQLITE_IOERR_DATA, which the store reports as damage, with one
 * exception: while SQLite reads whole frames of a -wal to recover it after
 * a crash, a frame that does not open reads as zeros, which its checksum
 * refuses, so the log ends there as at a torn write.
 *
 * The reserved bytes of every page read back are zeros: SQLite never
 * writes them, and the -wal checksums it computed over its own copy of the
 * page must match what it reads again.
 */
#include "config.h"
#include "store_vfs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE STORE_VFS_PAGE
#define TEXT (PAGE - STORE_VFS_RESERVE)
#define WAL_HEADER 32
#define FRAME_HEADER 24
#define FRAME (FRAME_HEADER + PAGE)

struct store_vfs {
	sqlite3_vfs base;
	sqlite3_vfs *real;
	const hw_secret *key;
	char name[48];
};

enum { KIND_DB, KIND_WAL, KIND_JOURNAL, KIND_PLAIN, KIND_MEMORY };

typedef struct crypt_file {
	sqlite3_file base;
	store_vfs *vfs;
	int kind;
	unsigned char *page;        /* one page of scratch */
	unsigned char *mem;         /* KIND_MEMORY: the content */
	sqlite3_int64 mem_len, mem_cap;
	sqlite3_file *real;         /* follows this struct; NULL for KIND_MEMORY */
} crypt_file;

static void put32(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/*
 * The page region holding offset off of a file of kind: 1 with its start
 * and, where it is known from the offset alone, the page number; 0 when off
 * is in a part kept in clear.
 */
static int region(int kind, sqlite3_int64 off, sqlite3_int64 *start, unsigned *pgno)
{
	*pgno = 0;
	if (kind == KIND_DB) {
		*start = off / PAGE * PAGE;
		*pgno = (unsigned)(off / PAGE + 1);
		return 1;
	}
	if (kind == KIND_WAL) {
		sqlite3_int64 in;

		if (off < WAL_HEADER)
			return 0;
		in = (off - WAL_HEADER) % FRAME;
		if (in < FRAME_HEADER)
			return 0;
		*start = off - (in - FRAME_HEADER);
		return 1;
	}
	return 0;
}

/* The associated data of a page: the kind of file and the page number. */
static void page_ad(unsigned char ad[5], int kind, unsigned pgno)
{
	ad[0] = kind == KIND_DB ? 'd' : kind == KIND_WAL ? 'w' : 'j';
	put32(ad + 1, pgno);
}

static unsigned get32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* The page number stored in the 4 bytes before at (a -wal frame header, a journal record). */
static int pgno_before(crypt_file *f, sqlite3_int64 at, unsigned *pgno)
{
	unsigned char b[4];
	int rc = f->real->pMethods->xRead(f->real, b, 4, at);

	if (rc != SQLITE_OK)
		return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_DATA : rc;
	*pgno = get32(b);
	return SQLITE_OK;
}

/* Open the sealed page in buf (PAGE bytes) in place; its reserved bytes become zeros. */
static int open_page(crypt_file *f, unsigned char *buf, unsigned pgno)
{
	unsigned char ad[5], extra[STORE_VFS_RESERVE];

	page_ad(ad, f->kind, pgno);
	memcpy(extra, buf + TEXT, sizeof(extra));
	if (crypto_page_open(f->vfs->key, buf, TEXT, ad, sizeof(ad), extra) < 0) {
		crypto_wipe(buf, PAGE);
		return SQLITE_IOERR_DATA;
	}
	memset(buf + TEXT, 0, STORE_VFS_RESERVE);
	return SQLITE_OK;
}

/* Memory files: the temporary files of sorts and statement journals. */
static int mem_read(crypt_file *f, void *buf, int amt, sqlite3_int64 off)
{
	sqlite3_int64 have = off < f->mem_len ? f->mem_len - off : 0;

	if (have >= amt) {
		memcpy(buf, f->mem + off, (size_t)amt);
		return SQLITE_OK;
	}
	if (have > 0)
		memcpy(buf, f->mem + off, (size_t)have);
	memset((char *)buf + (have > 0 ? have : 0), 0, (size_t)(amt - (have > 0 ? have : 0)));
	return SQLITE_IOERR_SHORT_READ;
}

static int mem_write(crypt_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	sqlite3_int64 end = off + amt;

	if (end > f->mem_cap) {
		sqlite3_int64 cap = f->mem_cap ? f->mem_cap : 65536;
		unsigned char *m;

		while (cap < end)
			cap *= 2;
		if (!(m = realloc(f->mem, (size_t)cap)))
			return SQLITE_IOERR_NOMEM;
		memset(m + f->mem_cap, 0, (size_t)(cap - f->mem_cap));
		f->mem = m;
		f->mem_cap = cap;
	}
	memcpy(f->mem + off, buf, (size_t)amt);
	if (end > f->mem_len)
		f->mem_len = end;
	return SQLITE_OK;
}

static int x_close(sqlite3_file *file)
{
	crypt_file *f = (crypt_file *)file;
	int rc = SQLITE_OK;

	if (f->real && f->real->pMethods)
		rc = f->real->pMethods->xClose(f->real);
	if (f->mem) {
		crypto_wipe(f->mem, (size_t)f->mem_cap);
		free(f->mem);
	}
	if (f->page) {
		crypto_wipe(f->page, PAGE);
		free(f->page);
	}
	f->mem = f->page = NULL;
	return rc;
}

static int x_read(sqlite3_file *file, void *out, int amt, sqlite3_int64 off)
{
	crypt_file *f = (crypt_file *)file;
	unsigned char *dst = out;
	sqlite3_int64 at = off, end = off + amt, start;
	unsigned pgno;
	int rc, short_read = 0;

	if (f->kind == KIND_MEMORY)
		return mem_read(f, out, amt, off);
	if (f->kind == KIND_PLAIN)
		return f->real->pMethods->xRead(f->real, out, amt, off);
	if (f->kind == KIND_JOURNAL) {
		if (amt != PAGE || off % 8 != 4)
			return f->real->pMethods->xRead(f->real, out, amt, off);
		if ((rc = f->real->pMethods->xRead(f->real, out, amt, off)) != SQLITE_OK)
			return rc;
		if ((rc = pgno_before(f, off - 4, &pgno)) != SQLITE_OK)
			return rc;
		return open_page(f, out, pgno);
	}
	while (at < end) {
		if (!region(f->kind, at, &start, &pgno)) {
			/* A clear part: up to the next page region or the end. */
			sqlite3_int64 stop = end;

			if (f->kind == KIND_WAL) {
				sqlite3_int64 next = at < WAL_HEADER ? WAL_HEADER + FRAME_HEADER
					: at + (FRAME_HEADER - (at - WAL_HEADER) % FRAME);
				if (next < stop)
					stop = next;
			}
			rc = f->real->pMethods->xRead(f->real, dst + (at - off), (int)(stop - at), at);
			if (rc == SQLITE_IOERR_SHORT_READ)
				short_read = 1;
			else if (rc != SQLITE_OK)
				return rc;
			at = stop;
			continue;
		}
		if (f->kind == KIND_WAL) {
			/* The page number is in the frame header: in what was just read, or on disk. */
			if (start - FRAME_HEADER >= off)
				pgno = get32(dst + (start - FRAME_HEADER - off));
			else if ((rc = pgno_before(f, start - FRAME_HEADER, &pgno)) != SQLITE_OK)
				return rc;
		}
		rc = f->real->pMethods->xRead(f->real, f->page, PAGE, start);
		if (rc == SQLITE_IOERR_SHORT_READ) {
			/* Beyond the end of the file: zeros, as SQLite expects. */
			memset(f->page, 0, PAGE);
			short_read = 1;
		} else if (rc != SQLITE_OK) {
			return rc;
		} else if ((rc = open_page(f, f->page, pgno)) != SQLITE_OK) {
			/* A frame read whole while SQLite recovers the log: let its checksum refuse it. */
			if (!(f->kind == KIND_WAL && amt == FRAME && start - FRAME_HEADER == off))
				return rc;
			memset(f->page, 0, PAGE);
		}
		{
			sqlite3_int64 from = at, to = start + PAGE < end ? start + PAGE : end;

			memcpy(dst + (from - off), f->page + (from - start), (size_t)(to - from));
			at = to;
		}
	}
	return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

/* Seal a copy of the page in buf and write it at off. */
static int write_page(crypt_file *f, const void *buf, sqlite3_int64 off, unsigned pgno)
{
	unsigned char ad[5];

	memcpy(f->page, buf, PAGE);
	/*
	 * The first page says the page size and the reserved bytes: a page
	 * without room for its seal must never be written.
	 */
	if (pgno == 1 && (f->kind == KIND_DB || f->kind == KIND_WAL) &&
	    (f->page[16] != (PAGE >> 8 & 0xff) || f->page[17] != (PAGE & 0xff) ||
	     f->page[20] != STORE_VFS_RESERVE))
		return SQLITE_IOERR_WRITE;
	page_ad(ad, f->kind, pgno);
	crypto_page_seal(f->vfs->key, f->page, TEXT, ad, sizeof(ad), f->page + TEXT);
	return f->real->pMethods->xWrite(f->real, f->page, PAGE, off);
}

static int x_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	crypt_file *f = (crypt_file *)file;
	sqlite3_int64 start;
	unsigned pgno;
	int rc;

	if (f->kind == KIND_MEMORY)
		return mem_write(f, buf, amt, off);
	if (f->kind == KIND_PLAIN)
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	if (f->kind == KIND_JOURNAL) {
		if (amt != PAGE || off % 8 != 4)
			return f->real->pMethods->xWrite(f->real, buf, amt, off);
		if ((rc = pgno_before(f, off - 4, &pgno)) != SQLITE_OK)
			return rc;
		return write_page(f, buf, off, pgno);
	}
	if (!region(f->kind, off, &start, &pgno)) {
		/* A clear part must not reach into a page. */
		sqlite3_int64 s2;
		unsigned p2;

		if (amt > 0 && region(f->kind, off + amt - 1, &s2, &p2))
			return SQLITE_IOERR_WRITE;
		return f->real->pMethods->xWrite(f->real, buf, amt, off);
	}
	/* Pages are written whole. */
	if (start != off || amt != PAGE)
		return SQLITE_IOERR_WRITE;
	if (f->kind == KIND_WAL && (rc = pgno_before(f, start - FRAME_HEADER, &pgno)) != SQLITE_OK)
		return rc;
	return write_page(f, buf, off, pgno);
}

static int x_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	crypt_file *f = (crypt_file *)file;

	if (f->kind == KIND_MEMORY) {
		if (size < f->mem_len) {
			memset(f->mem + size, 0, (size_t)(f->mem_len - size));
			f->mem_len = size;
		}
		return SQLITE_OK;
	}
	return f->real->pMethods->xTruncate(f->real, size);
}

static int x_sync(sqlite3_file *file, int flags)
{
	crypt_file *f = (crypt_file *)file;

	return f->kind == KIND_MEMORY ? SQLITE_OK : f->real->pMethods->xSync(f->real, flags);
}

static int x_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	crypt_file *f = (crypt_file *)file;

	if (f->kind == KIND_MEMORY) {
		*size = f->mem_len;
		return SQLITE_OK;
	}
	return f->real->pMethods->xFileSize(f->real, size);
}

static int x_lock(sqlite3_file *file, int lock)
{
	crypt_file *f = (crypt_file *)file;

	return f->kind == KIND_MEMORY ? SQLITE_OK : f->real->pMethods->xLock(f->real, lock);
}

static int x_unlock(sqlite3_file *file, int lock)
{
	crypt_file *f = (crypt_file *)file;

	return f->kind == KIND_MEMORY ? SQLITE_OK : f->real->pMethods->xUnlock(f->real, lock);
}

static int x_check_reserved(sqlite3_file *file, int *out)
{
	crypt_file *f = (crypt_file *)file;

	if (f->kind == KIND_MEMORY) {
		*out = 0;
		return SQLITE_OK;
	}
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int x_file_control(sqlite3_file *file, int op, void *arg)
{
	crypt_file *f = (crypt_file *)file;

	if (f->kind == KIND_MEMORY)
		return SQLITE_NOTFOUND;
	/* Never map the file: what is on disk is sealed. */
	if (op == SQLITE_FCNTL_MMAP_SIZE) {
		*(sqlite3_int64 *)arg = 0;
		return SQLITE_OK;
	}
	if (op == SQLITE_FCNTL_VFSNAME) {
		*(char **)arg = sqlite3_mprintf("%s", f->vfs->name);
		return SQLITE_OK;
	}
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int x_sector_size(sqlite3_file *file)
{
	crypt_file *f = (crypt_file *)file;

	return f->kind == KIND_MEMORY ? 4096 : f->real->pMethods->xSectorSize(f->real);
}

static int x_device(sqlite3_file *file)
{
	crypt_file *f = (crypt_file *)file;

	return f->kind == KIND_MEMORY ? 0 : f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int x_shm_map(sqlite3_file *file, int pg, int sz, int extend, void volatile **pp)
{
	crypt_file *f = (crypt_file *)file;

	return f->real->pMethods->xShmMap(f->real, pg, sz, extend, pp);
}

static int x_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	crypt_file *f = (crypt_file *)file;

	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *file)
{
	crypt_file *f = (crypt_file *)file;

	f->real->pMethods->xShmBarrier(f->real);
}

static int x_shm_unmap(sqlite3_file *file, int del)
{
	crypt_file *f = (crypt_file *)file;

	return f->real->pMethods->xShmUnmap(f->real, del);
}

static int x_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
	(void)file;
	(void)off;
	(void)amt;
	*pp = NULL;
	return SQLITE_OK;
}

static int x_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	(void)file;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods methods = {
	3, x_close, x_read, x_write, x_truncate, x_sync, x_file_size, x_lock, x_unlock,
	x_check_reserved, x_file_control, x_sector_size, x_device, x_shm_map, x_shm_lock,
	x_shm_barrier, x_shm_unmap, x_fetch, x_unfetch,
};

static int x_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	store_vfs *v = vfs->pAppData;
	crypt_file *f = (crypt_file *)file;
	int rc;

	memset(f, 0, sizeof(*f));
	f->vfs = v;
	if (!name || (flags & (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL |
			       SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_SUBJOURNAL))) {
		/* Temporary content never reaches the disk. */
		f->kind = KIND_MEMORY;
		f->base.pMethods = &methods;
		if (out_flags)
			*out_flags = flags;
		return SQLITE_OK;
	}
	f->kind = flags & SQLITE_OPEN_MAIN_DB ? KIND_DB : flags & SQLITE_OPEN_WAL ? KIND_WAL
		: flags & SQLITE_OPEN_MAIN_JOURNAL ? KIND_JOURNAL : KIND_PLAIN;
	f->real = (sqlite3_file *)(f + 1);
	if (!(f->page = malloc(PAGE)))
		return SQLITE_NOMEM;
	rc = v->real->xOpen(v->real, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		free(f->page);
		f->page = NULL;
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		return rc;
	}
	f->base.pMethods = &methods;
	return SQLITE_OK;
}

static int x_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xDelete(v->real, name, sync);
}

static int x_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xAccess(v->real, name, flags, out);
}

static int x_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xFullPathname(v->real, name, n, out);
}

static void *x_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	(void)name;
	return NULL;
}

static void x_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	if (n > 0)
		snprintf(out, (size_t)n, "no extensions");
}

static void (*x_dlsym(sqlite3_vfs *vfs, void *h, const char *name))(void)
{
	(void)vfs;
	(void)h;
	(void)name;
	return NULL;
}

static void x_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	(void)h;
}

static int x_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xRandomness(v->real, n, out);
}

static int x_sleep(sqlite3_vfs *vfs, int us)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xSleep(v->real, us);
}

static int x_current_time(sqlite3_vfs *vfs, double *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xCurrentTime(v->real, out);
}

static int x_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xGetLastError ? v->real->xGetLastError(v->real, n, out) : 0;
}

static int x_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	store_vfs *v = vfs->pAppData;

	return v->real->xCurrentTimeInt64(v->real, out);
}

int store_vfs_new(store_vfs **out, const hw_secret *key, hw_error *err)
{
	store_vfs *v;
	sqlite3_vfs *real;

	*out = NULL;
	if (!key || secret_len(key) != CRYPTO_KEY_BYTES)
		return hw_error_set(err, HW_EINVALID, "the database key is not %d bytes", CRYPTO_KEY_BYTES);
	if (sqlite3_initialize() != SQLITE_OK || !(real = sqlite3_vfs_find(NULL)))
		return hw_error_set(err, HW_ERROR, "the database library cannot start");
	if (!(v = calloc(1, sizeof(*v))))
		return hw_error_set(err, HW_ERROR, "out of memory");
	v->real = real;
	v->key = key;
	snprintf(v->name, sizeof(v->name), "homeward-sealed-%p", (void *)v);
	v->base.iVersion = 2;
	v->base.szOsFile = (int)sizeof(crypt_file) + real->szOsFile;
	v->base.mxPathname = real->mxPathname;
	v->base.zName = v->name;
	v->base.pAppData = v;
	v->base.xOpen = x_open;
	v->base.xDelete = x_delete;
	v->base.xAccess = x_access;
	v->base.xFullPathname = x_full_pathname;
	v->base.xDlOpen = x_dlopen;
	v->base.xDlError = x_dlerror;
	v->base.xDlSym = x_dlsym;
	v->base.xDlClose = x_dlclose;
	v->base.xRandomness = x_randomness;
	v->base.xSleep = x_sleep;
	v->base.xCurrentTime = x_current_time;
	v->base.xGetLastError = x_last_error;
	v->base.xCurrentTimeInt64 = x_current_time64;
	if (sqlite3_vfs_register(&v->base, 0) != SQLITE_OK) {
		free(v);
		return hw_error_set(err, HW_ERROR, "cannot set up the database's encryption");
	}
	*out = v;
	return 0;
}

const char *store_vfs_name(const store_vfs *v)
{
	return v->name;
}

void store_vfs_free(store_vfs *v)
{
	if (!v)
		return;
	sqlite3_vfs_unregister(&v->base);
	free(v);
}

int store_vfs_is_plain(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	FILE *f = fopen(path, "rb");
	int plain = 0;

	if (f) {
		plain = fread(head, 1, sizeof(head), f) == sizeof(head) &&
			memcmp(head, magic, sizeof(head)) == 0;
		fclose(f);
	}
	return plain;
}
