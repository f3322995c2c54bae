#!/bin/sh
# bench-export.sh: export N submissions of one form (default 100,000 of the
# shipped needs assessment) and print the time and the peak memory of the
# export command for CSV, JSON and XLSX.  The measure of docs/exports.md:
# CSV under 10 s and under 100 MB.  Run by `make bench-export`; not a test.
set -eu
HW=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-submissions}
N=${BENCH_N:-100000}
FORM=${BENCH_FORM:-needs-assessment}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-bench-export.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'bench export passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
W="$HW --workspace $T/ws"
$W init --device-id bench-1 --name "Bench Supervisor" --role supervisor >/dev/null
"$GEN" "$T/ws" "$FORM" "$N" 2>&1 | tail -1
# Seconds and the peak resident memory (MB) of one command.
measure() {
	python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("%.2f %.1f %d" % (dt, mb, r.returncode))' "$@"
}
fail=0
for fmt in csv json xlsx; do
	out="$T/export.$fmt"
	set -- $(measure $W export submissions "$FORM" --format $fmt --out "$out")
	size=$(( $(stat -c %s "$out") / 1024 / 1024 ))
	printf 'export submissions %s, %s submissions, %s: %s s, peak %s MB, file %s MB (status %s)\n' \
		"$FORM" "$N" "$fmt" "$1" "$2" "$size" "$3"
	if [ "$fmt" = csv ]; then
		rows=$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$out")
		verdict=$(python3 -c 'import sys; print("met" if float(sys.argv[1]) < 10 and float(sys.argv[2]) < 100 else "NOT met")' "$1" "$2")
		echo "  csv rows read back: $rows; the measure (under 10 s and 100 MB): $verdict"
		[ "$verdict" = met ] && [ "$rows" -eq "$N" ] || fail=1
	fi
done
exit $fail
