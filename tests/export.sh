#!/bin/sh
# export cases and the audit log: CSV read back with python3's csv module,
# JSON with json.tool, every export recorded (what, how many, when, who, no
# content), an export that cannot be recorded does not happen, and a
# damaged log is said, not silently shown.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-exp.XXXXXX")
printf 'export test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
trap 'rm -rf "$T"' EXIT
n=0
ok() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$T/err" "$T/out" 2>/dev/null; fi
}
W="$HW --workspace $T/ws"
at() { HOMEWARD_NOW=$1T10:00:00Z; export HOMEWARD_NOW; }
py() { python3 -c "import csv, json, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
$1" "$2"; }

echo "1..17"
at 2026-03-10
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
A=$($W case add --given-name Yusuf --family-name "Example, Jr." --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
at 2026-06-01
B=$($W case add --given-name "ليلى" --family-name '=cmd|"/c calc"!A1' --birth-date 2014-06-01 \
	--nationality AF --return-country AF --language fa --vulnerability "minor unaccompanied_minor")
at 2026-11-29
$W case decide "$A" return --date 2026-09-01 >/dev/null
$W case depart "$A" --date 2026-10-02 --type assisted_voluntary --assistance cash,medical >/dev/null

ok "no export yet: the audit log says so" \
	'$W report audit >"$T/out" 2>"$T/err" && grep -q "Nothing was exported" "$T/out" && [ ! -s "$T/err" ]'

$W export cases --format csv >"$T/out" 2>"$T/err"; st=$?
ok "export cases csv: status 0, nothing on stderr" '[ $st -eq 0 ] && [ ! -s "$T/err" ]'
ok "csv: a header and one row a case, oldest first, every row as wide as the header" \
	'[ "$(py "rows = list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert len(rows) == 3 and all(len(r) == len(rows[0]) for r in rows), rows
print(rows[1][0] + \" \" + rows[2][0])" "$T/out")" = "$A $B" ]'
ok "csv: stage, milestone dates, type of return and assistance of the departed case" \
	'py "r = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))[0]
assert r[\"family_name\"] == \"Example, Jr.\", r
assert (r[\"stage\"], r[\"decision\"], r[\"decision_date\"], r[\"departed_on\"]) == (\"departed\", \"return\", \"2026-09-01\", \"2026-10-02\"), r
assert (r[\"return_type\"], r[\"assistance_granted\"], r[\"assistance\"]) == (\"assisted_voluntary\", \"true\", \"cash medical\"), r
assert r[\"opened_at\"] == \"2026-03-10T10:00:00Z\" and r[\"arrived_on\"] == \"\"" "$T/out"'
ok "csv: Arabic kept, a name that is a spreadsheet formula stays text" \
	'py "r = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))[1]
assert r[\"given_name\"] == \"ليلى\" and r[\"family_name\"] == \"'"'"'=cmd|\\\"/c calc\\\"!A1\", r
assert r[\"minor\"] == \"true\" and r[\"stage\"] == \"identified\"" "$T/out"'

$W export cases --format json >"$T/out" 2>"$T/err"; st=$?
ok "export cases json: valid, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && python3 -m json.tool "$T/out" >/dev/null'
ok "json: typed values, null for what is not known" \
	'py "rows = json.load(open(sys.argv[1], encoding=\"utf-8\"))
assert len(rows) == 2
a, b = rows
assert a[\"minor\"] is False and b[\"minor\"] is True and a[\"conflicts\"] == 0
assert a[\"assistance_granted\"] is True and b[\"assistance_granted\"] is None
assert b[\"departed_on\"] is None and b[\"family_name\"] == \"=cmd|\\\"/c calc\\\"!A1\"" "$T/out"'

$W export cases --format csv --out "$T/cases.csv" >"$T/out" 2>"$T/err"; st=$?
ok "--out writes the file (private), says how many, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "Exported 2 cases to" "$T/out" &&
	 [ "$(stat -c %a "$T/cases.csv")" = 600 ] && [ $(py "print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=\"\"))))" "$T/cases.csv") -eq 3 ]'

$W report audit --format csv >"$T/out" 2>"$T/err"; st=$?
ok "report audit: the three exports, what, how many, when, who" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && py "rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
assert [(r[\"what\"], r[\"format\"], r[\"count\"]) for r in rows] == [(\"export cases\", \"csv\", \"2\"), (\"export cases\", \"json\", \"2\"), (\"export cases\", \"csv\", \"2\")], rows
assert all(r[\"at\"] == \"2026-11-29T10:00:00Z\" and r[\"device\"] == \"laptop-1\" and r[\"person\"] == \"Amina K.\" for r in rows)" "$T/out"'
ok "the audit log holds no content of the cases" \
	'! grep -q "Yusuf\|Example\|ليلى\|cmd" "$T/ws/audit.log" && [ "$(stat -c %a "$T/ws/audit.log")" = 600 ]'
ok "report audit json is valid" '$W report audit --format json | python3 -m json.tool >/dev/null'
ok "the audit log is not a case: not in the case list nor in an export of cases" \
	'[ $($W case list --format tsv | tail -n +2 | wc -l) -eq 2 ] && ! $W export cases --format csv | grep -q "export cases"'
at 2026-12-01
$W export cases --format json >/dev/null
ok "report audit --from keeps the exports from that day" \
	'[ "$($W report audit --from 2026-11-30 --format csv | tail -n +2 | cut -d, -f1,5,6)" = "2026-12-01T10:00:00Z,json,2" ]'

# An export that cannot be recorded does not happen.
# (A folder in its place: permissions would not stop a test run as root.)
mv "$T/ws/audit.log" "$T/audit.log"
mkdir -m 700 "$T/ws/audit.log"
$W export cases --format csv >"$T/out" 2>"$T/err"; st=$?
$W export cases --format csv --out "$T/refused.csv" >>"$T/out" 2>>"$T/err"; st2=$?
rmdir "$T/ws/audit.log"
mv "$T/audit.log" "$T/ws/audit.log"
ok "an export that cannot be recorded is refused: nothing written, status 1" \
	'[ $st -eq 1 ] && [ $st2 -eq 1 ] && [ ! -s "$T/out" ] && [ ! -e "$T/refused.csv" ] && grep -q "audit.log" "$T/err"'

# A damaged log: its good entries are shown, the rest counted and said.
printf 'garbage line\n2026-12-02T10:00:00Z\tx\ty\t\t\t\n\001\002\n' >>"$T/ws/audit.log"
$W report audit --format csv >"$T/out" 2>"$T/err"; st=$?
ok "a damaged audit log: good entries shown, the bad lines counted, status 1" \
	'[ $st -eq 1 ] && [ $(tail -n +2 "$T/out" | wc -l) -eq 5 ] && grep -q "3 lines of the audit log could not be read" "$T/err"'

# Refusals.
$W export cases --format ods >"$T/out" 2>"$T/err"; st=$?
ok "an unknown export format is refused naming it" '[ $st -eq 1 ] && grep -q ods "$T/err" && [ ! -s "$T/out" ]'
$W export cases >"$T/out" 2>"$T/err"; st=$?
ok "export cases without --format is a usage error" '[ $st -eq 2 ] && grep -q "usage: homeward export cases" "$T/err"'
