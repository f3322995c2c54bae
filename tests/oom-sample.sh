#!/bin/sh
# A short sample of make check-oom (docs/testing.md): the unit tests of the
# form engine, of drafts and of form translations with every Nth allocation
# failing, for a few N; none may crash or hang.
set -u
b=${top_builddir:-.}
echo "1..1"
if out=$(OOM_JOBS=4 "${SHELL:-sh}" "${top_srcdir:-.}/tests/check-oom.sh" 23 26 \
		"$b/tests/test_xform" "$b/tests/test_fill" "$b/tests/test_formi18n" 2>&1); then
	echo "ok 1 - no crash with allocations failing ($(echo "$out" | tail -1 | sed 's/^check-oom: //'))"
else
	echo "not ok 1 - a crash or a hang with allocations failing"
	echo "$out" | sed 's/^/# /'
	exit 1
fi
