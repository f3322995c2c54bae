#!/bin/sh
# Run every scenario file in tests/scenarios/forms/ against its built form
# (share/forms/<form-id>.xml; the form is the longest form id the file name
# starts with, followed by "-").  Prints TAP.
: "${top_srcdir:?}" "${top_builddir:?}" "${HOMEWARD:?}"
datadir=${HOMEWARD_DATADIR:-$top_builddir/share}
tmp=$(mktemp "${TMPDIR:-/tmp}/homeward-scenario.XXXXXX")
trap 'rm -f "$tmp"' EXIT

set -- "$top_srcdir"/tests/scenarios/forms/*.steps
if [ ! -f "$1" ]; then
	echo "1..0 # SKIP no scenario files"
	exit 0
fi
if "$HOMEWARD" form scenario 2>&1 | grep -q "not available"; then
	echo "1..0 # SKIP this build has no form engine"
	exit 0
fi

n=0
fail=0
for steps in "$@"; do
	n=$((n + 1))
	name=$(basename "$steps" .steps)
	form=
	for built in "$datadir"/forms/*.xml; do
		id=$(basename "$built" .xml)
		case "$name" in
		"$id"-*) [ ${#id} -gt ${#form} ] && form=$id ;;
		esac
	done
	if [ -z "$form" ]; then
		echo "not ok $n - $name: no built form for this file"
		fail=1
		continue
	fi
	if (cd "$datadir/forms" && "$HOMEWARD" form scenario "$form.xml" "$steps") >"$tmp" 2>&1; then
		echo "ok $n - $name ($(tail -n 1 "$tmp"))"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp"
		fail=1
	fi
done
echo "1..$n"
exit $fail
