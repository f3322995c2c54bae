#!/bin/sh
# check-oom.sh: run the Criterion unit tests with every Nth allocation of the
# core's code failing (tests/failalloc.h), for each N from FIRST to LAST, and
# fail if a test crashes or hangs.
#
#   tests/check-oom.sh [-v] FIRST LAST [PROGRAM...]
#
# Under this the tests are expected to fail (their own assertions see the
# errors).  What they must not do is crash (a signal: a NULL pointer used, a
# double free, an abort) or hang.  With -v, the failed assertions that show
# no error (neither an "out of memory" detail, nor a call that returned an
# error code or NULL) are listed too: a result made wrong without an error
# looks like that, and deserves a look.  OOM_JOBS runs that many at once.
set -u
# One run: program $1 with every $2th allocation failing.
if [ "${OOM_ONE:-}" = 1 ]; then
	p=$1 n=$2 dir="$3/$(basename "$1").$2"
	mkdir -p "$dir"
	# A test that hangs past Criterion's own timeout still ends the run.
	HOMEWARD_TEST_FAILALLOC=$n HOMEWARD_TEST_TMP="$dir" \
		timeout 900 "$p" -j1 --timeout 60 --ascii --always-succeed >"$dir/out" 2>&1 ||
		echo "the run timed out" >>"$dir/out"
	exit 0
fi

verbose=0
[ "${1:-}" = "-v" ] && { verbose=1; shift; }
first=${1:?first N}; last=${2:?last N}; shift 2
progs=${*:-"tests/test_core tests/test_fill tests/test_xform tests/test_xpath tests/test_formi18n tests/test_repo tests/test_sync"}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-oom.XXXXXX")
trap 'rm -rf "$tmp"' EXIT


for p in $progs; do
	n=$first
	while [ "$n" -le "$last" ]; do
		echo "$p $n $tmp"
		n=$((n + 1))
	done
done | OOM_ONE=1 xargs -P "${OOM_JOBS:-4}" -n 3 sh "$0"

runs=0 crashes=0 suspects=0
for out in "$tmp"/*/out; do
	[ -f "$out" ] || continue
	runs=$((runs + 1))
	run=$(basename "$(dirname "$out")")
	if grep -E 'CRASH|Timed out|Unexpected signal|timed out' "$out" >"$out.bad"; then
		crashes=$((crashes + 1))
		echo "CRASH ${run%.*} N=${run##*.}:"
		sed 's/^/    /' "$out.bad" | head -6
	fi
	awk '/Assertion Failed/ { getline; getline; print }' "$out" |
		grep -viE 'out of memory|memory|^\[----\] *$|== \(0\) is false|is null\.$' >"$out.odd" || true
	if [ -s "$out.odd" ]; then
		suspects=$((suspects + 1))
		if [ "$verbose" = 1 ]; then
			echo "NO ERROR SHOWN ${run%.*} N=${run##*.}:"
			sort -u "$out.odd" | head -4 | sed 's/^/    /'
		fi
	fi
done
echo "check-oom: $runs runs (N=$first..$last), $crashes with a crash or a hang, $suspects with a failure naming no error"
[ "$runs" -gt 0 ] && [ "$crashes" -eq 0 ]
