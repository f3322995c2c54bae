#!/bin/sh
# Run every scenario of the outside corpus through `homeward form scenario`,
# one TAP line a file.  The corpus lives beside the project and is not ours
# to copy; without it the test is skipped.
corpus="${top_srcdir:-.}/../shared/corpus"
bin="${HOMEWARD:-./homeward}"

if [ ! -d "$corpus/scenarios" ]; then
	echo "1..0 # SKIP corpus not found at $corpus"
	exit 0
fi

set -- "$corpus"/scenarios/*.steps
echo "1..$#"
n=0 passed=0 failed=0
for steps in "$@"; do
	n=$((n + 1))
	name=$(basename "$steps" .steps)
	form="$corpus/xforms/$name.xml"
	# NAME-2.steps runs against NAME.xml unless NAME-2.xml exists.
	if [ ! -f "$form" ]; then
		form="$corpus/xforms/$(echo "$name" | sed 's/-[0-9][0-9]*$//').xml"
	fi
	out=$("$bin" form scenario "$form" "$steps" 2>&1)
	st=$?
	last=$(printf '%s\n' "$out" | tail -n 1)
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $st -eq 0 ]; then
		echo "ok $n - $name ($last)"
	else
		echo "not ok $n - $name"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
echo "# corpus: $n files, $passed expectations passed, $failed failed"
