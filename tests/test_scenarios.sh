#!/bin/sh
# Run our own scenario files (tests/scenarios/NAME.steps against
# tests/forms/NAME.xml, or NAME without a -N suffix) through the binary.
dir="${top_srcdir:-.}/tests"
bin="${HOMEWARD:-./homeward}"
set -- "$dir"/scenarios/*.steps
echo "1..$#"
n=0
for steps in "$@"; do
	n=$((n + 1))
	name=$(basename "$steps" .steps)
	form="$dir/forms/$name.xml"
	[ -f "$form" ] || form="$dir/forms/$(echo "$name" | sed 's/-[0-9][0-9]*$//').xml"
	if out=$("$bin" form scenario "$form" "$steps" 2>&1); then
		echo "ok $n - $name ($(printf '%s\n' "$out" | tail -n 1))"
	else
		echo "not ok $n - $name"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
