#!/bin/sh
# export riat (docs/exports.md): the shipped map loads and gives a column a
# line; case fields and the case's latest answers fill the key moments; a
# formula stays text; a map naming what does not exist is refused naming
# its line and nothing is written; every export is in the audit log.
# Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
FORM="${top_srcdir:-.}/tests/forms/export-visit.xml"
MAP="${top_srcdir:-.}/data/exports/riat.map"
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-riat.XXXXXX")
printf 'export riat test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
trap 'rm -rf "$T"' EXIT
n=0
ok() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$T/err" "$T/out" 2>/dev/null | head -20; fi
}
W="$HW --workspace $T/ws"
HOMEWARD_NOW=2026-09-01T10:00:00Z; export HOMEWARD_NOW
py() { python3 -c "import csv, sys
$1" "$2"; }

echo "1..11"
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
cp "$FORM" "$T/ws/forms/export-visit.xml"
A=$($W case add --given-name Yusuf --family-name '=cmd|"/c calc"!A1' --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
HOMEWARD_NOW=2026-09-02T10:00:00Z
B=$($W case add --given-name "ليلى" --family-name Example --birth-year 1988 \
	--nationality AF --return-country AF --language fa --vulnerability "medical")
HOMEWARD_NOW=2026-10-04T10:00:00Z
$W case decide "$A" return --date 2026-09-10 >/dev/null
$W case depart "$A" --date 2026-10-02 --type assisted_voluntary --assistance cash,medical >/dev/null
$W case arrive "$A" --date 2026-10-03 >/dev/null
printf 'answer /visit/respondent/needs "cash"\n' >"$T/a1"
printf 'answer /visit/respondent/needs "housing medical"\n' >"$T/a2"
$W form submit "$A" visit "$T/a1" >/dev/null
HOMEWARD_NOW=2026-10-05T10:00:00Z
$W form submit "$A" visit "$T/a2" >/dev/null

# The shipped map.
$W export riat --out "$T/riat.csv" >"$T/out" 2>"$T/err"; st=$?
ok "the shipped map: written, private, says how many, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "Exported 2 cases to" "$T/out" && [ "$(stat -c %a "$T/riat.csv")" = 600 ]'
fields=$(grep -c '^[A-Za-z]' "$MAP")
ok "a column a line of the map, named KEY_MOMENT.FIELD" \
	'py "rows = list(csv.reader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert len(rows) == 3 and len(rows[0]) == $fields, (len(rows[0]), rows[0])
assert rows[0][0] == \"KM1.case_reference\" and \"KM1.country_of_return\" in rows[0]" "$T/riat.csv"'
ok "key moments from the case: return, type, departure, arrival, vulnerability" \
	'py "a, b = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert a[\"KM1.case_reference\"] == \"$A\" and b[\"KM1.case_reference\"] == \"$B\"
assert (a[\"KM1.country_of_return\"], a[\"KM1.type_of_return\"], a[\"KM1.date_of_departure\"]) == (\"NG\", \"assisted_voluntary\", \"2026-10-02\"), a
assert a[\"arrival.date_of_arrival\"] == \"2026-10-03\" and a[\"reintegration.assistance_granted\"] == \"cash medical\"
assert b[\"KM1.year_of_birth\"] == \"1988\" and b[\"KM1.specific_vulnerability\"] == \"medical\" and b[\"KM1.date_of_departure\"] == \"\"" "$T/riat.csv"'

# A programme's own map: form answers, alternatives, a formula.
cat >"$T/own.map" <<'EOF'
# a programme's own reading
KM1  case_reference   case.id
KM1  family_name      case.family_name
KM1  needs            form.visit.respondent-needs
KM1  needs_cash       form.visit.respondent-needs/cash
KM1  when             case.departed_on|case.decision_date|case.opened_at
EOF
$W export riat --map "$T/own.map" --out "$T/own.csv" >"$T/out" 2>"$T/err"; st=$?
ok "--map: the case's latest submission gives the answers" \
	'[ $st -eq 0 ] && py "a, b = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert a[\"KM1.needs\"] == \"housing medical\" and a[\"KM1.needs_cash\"] == \"0\", a
assert b[\"KM1.needs\"] == \"\" and b[\"KM1.needs_cash\"] == \"\", b" "$T/own.csv"'
ok "alternatives: the first one that is not empty" \
	'py "a, b = list(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert a[\"KM1.when\"] == \"2026-10-02\" and b[\"KM1.when\"] == \"2026-09-02T10:00:00Z\", (a, b)" "$T/own.csv"'
ok "a name that is a spreadsheet formula stays text" \
	'py "a = next(csv.DictReader(open(sys.argv[1], newline=\"\", encoding=\"utf-8\")))
assert a[\"KM1.family_name\"] == \"'"'"'=cmd|\\\"/c calc\\\"!A1\", a" "$T/own.csv"'

# Maps that name what does not exist.
printf 'KM1 x case.nope\n' >"$T/bad1.map"
$W export riat --map "$T/bad1.map" --out "$T/bad1.csv" >"$T/out" 2>"$T/err"; st=$?
ok "a column that export cases does not have: refused naming the line, nothing written" \
	'[ $st -eq 1 ] && grep -q "bad1.map:1:.*nope" "$T/err" && [ ! -e "$T/bad1.csv" ]'
printf '# ok\nKM1 a case.id\nKM1 b form.nope.x\n' >"$T/bad2.map"
$W export riat --map "$T/bad2.map" --out "$T/bad2.csv" >"$T/out" 2>"$T/err"; st=$?
ok "a form that is not installed: refused naming the line" \
	'[ $st -eq 1 ] && grep -q "bad2.map:3:.*nope" "$T/err" && [ ! -e "$T/bad2.csv" ]'
printf 'KM1 only-two-words\n' >"$T/bad3.map"
$W export riat --map "$T/bad3.map" --out "$T/bad3.csv" >"$T/out" 2>"$T/err"; st=$?
ok "a line that is not KEY_MOMENT FIELD SOURCE: refused" \
	'[ $st -eq 1 ] && grep -q "bad3.map:1:" "$T/err" && [ ! -e "$T/bad3.csv" ]'
$W export riat >"$T/out" 2>"$T/err"; st=$?
ok "without --out: a usage error" '[ $st -eq 2 ] && grep -q "usage: homeward export riat" "$T/err"'

$W report audit --format csv >"$T/out" 2>"$T/err"
ok "each export riat in the audit log (refused maps are not exports), nothing of the content" \
	'[ "$(grep -c ",export riat,csv,2$" "$T/out")" = 2 ] && [ "$(tail -n +2 "$T/out" | wc -l)" = 2 ] &&
	 ! grep -q "Yusuf\|ليلى\|cmd\|NG" "$T/ws/audit.log"'
