#!/bin/sh
# bench-reports.sh: the reports at scale.  A fresh workspace gets
# BENCH_CASES cases (default 100,000) through bench/gen-cases --work
# (decisions, departures, arrivals with their follow-up rounds, five
# submissions a case), then bench/bench_reports times each report in the
# core and says whether each stays under its limit (docs/reports.md).
HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
BENCH=${BENCH:-./bench/bench_reports}
N=${BENCH_CASES:-100000}
LC_ALL=C.UTF-8; export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-bench-reports.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'bench passphrase\n' >"$tmp/pass"
exec 9<"$tmp/pass"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
"$HOMEWARD" --workspace "$tmp/ws" init --device-id bench-1 --name Bench --role supervisor >/dev/null || exit 1
echo "bench-reports: $N cases with their work and five submissions each (this takes a while)"
"$GEN" "$tmp/ws" "$N" --work || exit 1
"$BENCH" "$tmp/ws"
