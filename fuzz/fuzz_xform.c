/*
 * fuzz_xform.c: libFuzzer target for the form loader.  Each input is
 * written to a file and loaded; a form that loads gets a session, a
 * navigation list, a validation and a submission, so the whole path a
 * counsellor's screen takes is exercised.  Build and run: make fuzz-xform.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xform/xform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	hw_error err = { 0, "" };
	xform *f = NULL;
	xform_session *s = NULL;
	FILE *fp;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_xform_%d.xml", (int)getpid());
	if (!(fp = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	if (xform_load(&f, path, &err) == 0) {
		xform_session_options o = XFORM_SESSION_OPTIONS_INIT;

		o.now = 1764000000;
		if (xform_session_new(&s, f, &o, &err) == 0) {
			xform_nav *nav = NULL;
			xform_failure_list *fl = NULL;
			char *xml = NULL;
			size_t i;

			if (xform_nav_build(&nav, s, &err) == 0) {
				for (i = 0; i < nav->count && i < 20; i++)
					if (nav->items[i].kind == XFORM_INPUT)
						xform_answer(s, nav->items[i].path, "1", &err);
				xform_nav_free(nav);
			}
			if (xform_validate(&fl, s, &err) == 0)
				xform_failure_list_free(fl);
			if (xform_submission(&xml, NULL, s, &err) == 0)
				free(xml);
		}
	}
	xform_session_free(s);
	xform_free(f);
	return 0;
}
