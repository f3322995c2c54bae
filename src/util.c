/* util.c: identifiers, time, SHA-256, buffers and durable file writes. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libgen.h>

/*
 * Fill buf with random bytes from the kernel: getrandom(2), without a file
 * to open and close for every id (that was a fifteenth of the time of
 * recording a case); /dev/urandom where the call is missing.
 */
static int random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;
	int fd;

	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return 0;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
		return HW_ERROR;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			close(fd);
			return HW_ERROR;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

int hw_uuid(char out[HW_UUID_LEN + 1])
{
	unsigned char b[16];

	if (random_bytes(b, sizeof(b)) < 0)
		return HW_ERROR;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, HW_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int hw_uuid_valid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != HW_UUID_LEN)
		return 0;
	for (i = 0; i < HW_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

void hw_time_iso(time_t t, char out[HW_TIME_LEN + 1])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, HW_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int hw_time_parse(const char *s, time_t *out)
{
	char back[HW_TIME_LEN + 1];
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	if (!s || strlen(s) != HW_TIME_LEN || !(end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return HW_EINVALID;
	*out = timegm(&tm);
	/* strptime takes 2026-02-31 and single digits: only the exact form round-trips. */
	hw_time_iso(*out, back);
	return strcmp(back, s) == 0 ? 0 : HW_EINVALID;
}

/* Set by the front end at start, before any other thread exists. */
static time_t fixed_clock;

void hw_clock_fix(time_t t)
{
	fixed_clock = t;
}

time_t hw_clock_fixed(void)
{
	return fixed_clock;
}

time_t hw_clock_now(void)
{
	return fixed_clock ? fixed_clock : time(NULL);
}

void hw_now_iso(char out[HW_TIME_LEN + 1])
{
	hw_time_iso(hw_clock_now(), out);
}

/* SHA-256 as specified in FIPS 180-4. */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Process one 64-byte block into the state h. */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void hw_sha256_hex(const void *data, size_t len, char out[HW_SHA256_HEX + 1])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	unsigned char tail[128];
	size_t full = len / 64 * 64, rest = len - full, tlen;
	uint64_t bits = (uint64_t)len * 8;
	int i;

	for (size_t off = 0; off < full; off += 64)
		sha256_block(h, p + off);
	memset(tail, 0, sizeof(tail));
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tlen == 128)
		sha256_block(h, tail + 64);
	for (i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", h[i]);
}

/*
 * What a buffer points at after an append failed.  Every later append fails
 * at once and hw_buf_detach() returns NULL, so a caller may append many times
 * and check once at the end (hw_buf_oom, hw_buf_check or the detached
 * string): nothing built from a buffer can come out silently truncated.
 * Readers of ptr meanwhile see an empty string, never freed memory.
 */
static char buf_oom[1];

/* Drop the contents and make b sticky-failed; returns HW_ERROR. */
static int buf_fail(hw_buf *b)
{
	if (b->ptr != buf_oom)
		free(b->ptr);
	buf_oom[0] = '\0';
	b->ptr = buf_oom;
	b->len = b->cap = 0;
	return HW_ERROR;
}

int hw_buf_oom(const hw_buf *b)
{
	return b->ptr == buf_oom;
}

int hw_buf_check(const hw_buf *b, hw_error *err)
{
	return hw_buf_oom(b) ? hw_error_set(err, HW_ERROR, "out of memory") : 0;
}

int hw_buf_add(hw_buf *b, const void *data, size_t len)
{
	if (hw_buf_oom(b))
		return HW_ERROR;
	if (len > SIZE_MAX / 2 - b->len)
		return buf_fail(b);
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->ptr, cap);
		if (!p)
			return buf_fail(b);
		b->ptr = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int hw_buf_puts(hw_buf *b, const char *s)
{
	return hw_buf_add(b, s, strlen(s));
}

int hw_buf_printf(hw_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	char *big;
	int n, rc;

	if (hw_buf_oom(b))
		return HW_ERROR;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return buf_fail(b);
	if ((size_t)n < sizeof(small))
		return hw_buf_add(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return buf_fail(b);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = hw_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

void hw_buf_truncate(hw_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

char *hw_buf_detach(hw_buf *b)
{
	char *s;

	if (hw_buf_oom(b))
		s = NULL;
	else
		s = b->ptr ? b->ptr : strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return s;
}

void hw_buf_free(hw_buf *b)
{
	if (b->ptr != buf_oom)
		free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *hw_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int hw_mkdir_p(const char *path, hw_error *err)
{
	char *p = strdup(path), *s;

	if (!p)
		return hw_error_set(err, HW_ERROR, "out of memory");
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				int e = errno;
				hw_error_set(err, e == ENOSPC ? HW_ENOSPACE : HW_ERROR,
					     "cannot create folder %s: %s", p, strerror(e));
				free(p);
				return err ? err->code : HW_ERROR;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

int hw_write_file_atomic(const char *path, const void *data, size_t len, hw_error *err)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16), *dir = NULL;
	const char *p = data;
	int fd = -1, dfd, rc = HW_ERROR, e;
	size_t done = 0;

	if (!tmp)
		return hw_error_set(err, HW_ERROR, "out of memory");
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		hw_error_set(err, e == ENOSPC ? HW_ENOSPACE : HW_ERROR,
			     "cannot write %s: %s", path, strerror(e));
		goto cleanup;
	}
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto io_error;
		}
		done += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto io_error;
	if (close(fd) < 0) {
		fd = -1;
		goto io_error;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto io_error;
	dir = strdup(path);
	if (dir) {
		dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	rc = 0;
	goto cleanup;

io_error:
	e = errno;
	rc = hw_error_set(err, e == ENOSPC ? HW_ENOSPACE : HW_ERROR,
			  "cannot write %s: %s", path, strerror(e));
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
cleanup:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dir);
	return rc;
}

int hw_read_file(const char *path, char **out, size_t *len, hw_error *err)
{
	FILE *f = fopen(path, "rb");
	hw_buf b = HW_BUF_INIT;
	char chunk[65536];
	size_t n;

	*out = NULL;
	if (!f)
		return hw_error_set(err, errno == ENOENT ? HW_ENOTFOUND : HW_ERROR,
				    "cannot read %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (hw_buf_add(&b, chunk, n) < 0) {
			fclose(f);
			hw_buf_free(&b);
			return hw_error_set(err, HW_ERROR, "out of memory reading %s", path);
		}
	}
	if (ferror(f)) {
		fclose(f);
		hw_buf_free(&b);
		return hw_error_set(err, HW_ERROR, "cannot read %s", path);
	}
	fclose(f);
	if (len)
		*len = b.len;
	*out = hw_buf_detach(&b);
	return 0;
}

char *hw_path_join(const char *a, const char *b)
{
	size_t la, lb;
	char *p;

	if (!a || !b)   /* a part that could not be made: so can the whole */
		return NULL;
	la = strlen(a);
	lb = strlen(b);
	if (!(p = malloc(la + lb + 2)))
		return NULL;
	memcpy(p, a, la);
	if (la && a[la - 1] != '/')
		p[la++] = '/';
	memcpy(p + la, b, lb + 1);
	return p;
}

int hw_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * Check that v is well-formed UTF-8 holding no control character (C0, DEL,
 * C1) and no bidirectional override or isolate (U+202A-U+202E,
 * U+2066-U+2069), which could make a name print as something else.
 * Returns NULL or what is wrong.
 */
const char *hw_text_problem(const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		uint32_t cp;
		size_t n, i;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return "contains control characters";
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 2;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 3;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 4;
			cp = *p & 0x07;
		} else {
			return "is not valid UTF-8";
		}
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return "is not valid UTF-8";
		if (cp >= 0x80 && cp <= 0x9f)
			return "contains control characters";
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return "contains a text direction override";
		p += n;
	}
	return NULL;
}

char *hw_url_shown(const char *url, char *out, size_t n)
{
	const char *host = url ? strstr(url, "://") : NULL;
	const char *at, *end;
	size_t k;

	if (!n)
		return out;
	out[0] = '\0';
	if (!url)
		return out;
	if (host) {
		host += 3;
		end = host + strcspn(host, "/?#");
		at = memchr(host, '@', (size_t)(end - host));
		/* The last '@' before the path ends the userinfo (tokens may hold '@'). */
		while (at && memchr(at + 1, '@', (size_t)(end - at - 1)))
			at = memchr(at + 1, '@', (size_t)(end - at - 1));
		if (at) {
			k = (size_t)(host - url);
			snprintf(out, n, "%.*s%s", (int)k, url, at + 1);
			return out;
		}
	}
	snprintf(out, n, "%s", url);
	return out;
}

/* y, m, d of a strict YYYY-MM-DD (digits and dashes in place); 0, or -1. */
static int ymd(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	/* Digits checked above: read them as such (a list reads two dates a row). */
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

int hw_age_on(const char *birth_date, int birth_year, const char *day)
{
	int by, bm, bd, ty, tm, td;

	if (ymd(day, &ty, &tm, &td) < 0)
		return -1;
	if (birth_date && ymd(birth_date, &by, &bm, &bd) == 0)
		return ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
	if (birth_year > 0)
		return ty - birth_year;
	return -1;
}

int hw_minor_on(const char *birth_date, int birth_year, const char *day)
{
	int age = hw_age_on(birth_date, birth_year, day);

	return age >= 0 && age < 18;
}
