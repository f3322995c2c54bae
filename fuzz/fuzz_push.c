/*
 * fuzz_push.c: libFuzzer target for what a server answers a push
 * (src/sync/push.c): the advertisement of its references and the report
 * on the push, as pkt-lines, with http's service header and with the
 * side-band the report travels in.
 *
 * The first byte of an input says how the rest is read: bit 0, as http's
 * advertisement (a "# service" line first); bit 1, the report demultiplexed
 * from side-band-64k.  The rest is given to both parsers, and to the
 * fetch's rewrite of the capabilities line (src/sync/fetch.c), which must
 * never grow a line nor leave "thin-pack" among its capabilities.
 *
 * Build and run: make fuzz-push (FUZZ_PUSH_TIME seconds, default 600).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "sync/push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_message(const char *text, size_t len, void *payload)
{
	size_t *n = payload;

	/* Read every byte the parser hands on, so a bad length shows up. */
	for (size_t i = 0; i < len; i++)
		*n += (unsigned char)text[i] == 0xff;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	push_advert adv;
	push_report rep;
	size_t seen = 0;

	if (!ready) {
		git_libgit2_init();
		ready = 1;
	}
	if (size < 1)
		return 0;
	if (push_parse_advert((const char *)data + 1, size - 1, data[0] & 1, &adv) == 0) {
		for (size_t i = 0; i < adv.nrefs; i++)
			if (adv.refs[i].name && strlen(adv.refs[i].name) > 1024)
				abort();
		push_advert_free(&adv);
	}
	if (push_parse_report((const char *)data + 1, size - 1, data[0] & 2, on_message, &seen,
			      &rep) == 0) {
		for (size_t i = 0; i < rep.nrefs; i++)
			if (!rep.refs[i].ref)
				abort();
		push_report_free(&rep);
	}
	if (size - 1 <= 65520) {
		char *line = malloc(size - 1 ? size - 1 : 1);
		size_t n;

		if (!line)
			return 0;
		memcpy(line, data + 1, size - 1);
		n = fetch_drop_thin_pack(line, size - 1);
		if (n > size - 1)
			abort();
		{
			/* After the length digits, what comes before the capabilities is never touched. */
			const uint8_t *was = size - 1 > 4 ? memchr(data + 5, '\0', size - 5) : NULL;
			const char *is = n > 4 ? memchr(line + 4, '\0', n - 4) : NULL;

			if (!was != !is || (was && (was - (data + 1) != is - line ||
						    memcmp(line + 4, data + 5, (size_t)(is - line) - 4))))
				abort();
		}
		{
			const char *nul = n > 4 ? memchr(line + 4, '\0', n - 4) : NULL;

			for (const char *p = nul ? nul + 1 : line + n; p + 9 <= line + n; p++)
				if (!memcmp(p, "thin-pack", 9) && (p == nul + 1 || p[-1] == ' ') &&
				    (p + 9 == line + n || p[9] == ' ' || p[9] == '\n'))
					abort();
		}
		free(line);
	}
	return 0;
}
