#!/bin/sh
# Reports against a fixture whose figures are counted by hand below: stages,
# countries, minors, returns by month, country, type and assistance, the
# period and country filters, and the rule that counts under the threshold
# are written as <5 in every format.  CSV is read back with python3's csv
# module and JSON with json.tool.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-rep.XXXXXX")
printf 'reports test passphrase\n' >"$T/passphrase"
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
add() { # add COUNTRY BIRTH [FLAGS]
	$W case add --given-name "Case" --family-name "$1" --birth-date "$2" --nationality "$1" \
		--return-country "$1" --language en ${3:+--vulnerability "$3"}
}
# csv FILE: the rows as "a|b|c" lines, parsed by python3's csv module.
csv() { python3 -c 'import csv,signal,sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")): print("|".join(row))' "$1"; }

echo "1..35"

# The fixture.  NG: seven adults opened 2026-03-10; six decide to return,
# five leave in October with assistance (all cash, two also medical).
# AF: opened 2026-06-01, an unaccompanied minor, a minor, and an adult
# returned by force in November.  IQ: two adults opened 2026-09-15, one
# closed on 2026-10-01.
at 2026-03-10
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
NG=""
for i in 1 2 3 4 5 6 7; do NG="$NG $(add NG 1990-01-0$i)"; done
at 2026-06-01
add AF 2014-05-01 "minor unaccompanied_minor" >/dev/null
add AF 2012-05-01 "minor" >/dev/null
AF3=$(add AF 1985-05-01)
at 2026-09-15
IQ1=$(add IQ 1980-01-01)
add IQ 1981-01-01 >/dev/null
at 2026-10-01
$W case close "$IQ1" --reason lost_contact >/dev/null
at 2026-11-29
i=0
for c in $NG; do
	i=$((i + 1))
	[ $i -le 6 ] && $W case decide "$c" return --date 2026-09-01 >/dev/null
	case $i in
	1|2) $W case depart "$c" --date 2026-10-0$i --type assisted_voluntary --assistance cash,medical >/dev/null;;
	3|4|5) $W case depart "$c" --date 2026-10-1$i --type assisted_voluntary --assistance cash >/dev/null;;
	esac
done
$W case depart "$AF3" --date 2026-11-02 --type forced >/dev/null

# Counted by hand: 12 cases; identified 1 NG + 2 AF + 1 IQ = 4, decided 1,
# departed 5 NG + 1 AF = 6, closed 1; NG 7, AF 3, IQ 2; minors 2, one of
# them unaccompanied.
cat >"$T/caseload.csv" <<'EOF'
measure|value|count
total||12
stage|identified|<5
stage|counselling|0
stage|decided|<5
stage|pre-departure|0
stage|departed|6
stage|arrived|0
stage|follow-up|0
stage|closed|<5
stage|reopened|0
assignee|laptop-1|12
country|AF|<5
country|IQ|<5
country|NG|7
vulnerability|minor|<5
vulnerability|unaccompanied_minor|<5
minors|all|<5
minors|unaccompanied|<5
EOF
$W report caseload --format csv >"$T/out" 2>"$T/err"; st=$?
ok "caseload csv: the hand-counted figures, small ones as <5, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && csv "$T/out" | diff - "$T/caseload.csv" >&2'
ok "caseload csv: no count from 1 to 4 anywhere" \
	'! csv "$T/out" | grep -qE "\|[1-4]$"'

$W report caseload --format json >"$T/out" 2>"$T/err"; st=$?
ok "caseload json: valid, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && python3 -m json.tool "$T/out" >/dev/null'
ok "caseload json: the same figures, <5 as a string" \
	'python3 -c "import json,sys
rows = json.load(open(sys.argv[1]))
got = {(r[\"measure\"], r[\"value\"]): r[\"count\"] for r in rows}
assert got[(\"total\", \"\")] == 12, got
assert got[(\"stage\", \"departed\")] == 6
assert got[(\"stage\", \"decided\")] == \"<5\"
assert got[(\"stage\", \"counselling\")] == 0
assert got[(\"country\", \"NG\")] == 7
assert got[(\"minors\", \"unaccompanied\")] == \"<5\"
assert all(not (isinstance(c, int) and 0 < c < 5) for c in got.values())
" "$T/out"'

$W report caseload >"$T/out" 2>"$T/err"; st=$?
ok "caseload table: headings, stages in order, <5, the rule said, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && head -1 "$T/out" | grep -q "^Measure  *Value  *Count$" &&
	 grep -q "^All cases  *12$" "$T/out" && grep -q "^Stage  *identified  *<5$" "$T/out" &&
	 grep -q "^  *departed  *6$" "$T/out" && grep -q "shown as <5" "$T/out" &&
	 [ "$(grep -n "identified\|follow-up" "$T/out" | cut -d: -f1 | tr "\n" " ")" = "3 9 " ]'
ok "caseload table: vulnerability flags by their names, not their codes" \
	'grep -q "^Vulnerability  *Minor  *<5$" "$T/out" && grep -q "^  *Unaccompanied minor  *<5$" "$T/out" &&
	 ! grep -q "unaccompanied_minor" "$T/out"'
ok "caseload table: the rows of minors named like the screen's, not all and unaccompanied" \
	'grep -q "^Minors  *All minors  *<5$" "$T/out" && grep -q "^  *Unaccompanied minors  *<5$" "$T/out" &&
	 ! grep -qE "^ +(all|unaccompanied) " "$T/out"'
LANGUAGE=fr $W report caseload >"$T/out" 2>"$T/err"
ok "caseload table in French: the flags' names translated" \
	'grep -q "^  *Mineur non accompagné  *<5$" "$T/out" && ! grep -q "unaccompanied_minor" "$T/out"'
ok "caseload table in French: the stages and the rows of minors in French" \
	'grep -q "^Étape  *identifié  *<5$" "$T/out" && grep -q "^  *avant départ  *0$" "$T/out" &&
	 grep -q "^  *parti  *6$" "$T/out" && grep -q "^Mineurs  *Tous les mineurs  *<5$" "$T/out" &&
	 grep -q "^  *Mineurs non accompagnés  *<5$" "$T/out" &&
	 ! grep -qE "^ +(identified|pre-departure|departed|follow-up|all|unaccompanied) " "$T/out"'
LANGUAGE=ar $W report caseload >"$T/out" 2>"$T/err"
ok "caseload table in Arabic: no stage or row of minors left in English" \
	'grep -q "ما قبل المغادرة  *0$" "$T/out" && grep -q "جميع القاصرين  *<5$" "$T/out" &&
	 ! grep -qE "identified|pre-departure|departed|All minors|unaccompanied" "$T/out"'
$W report caseload --format csv >"$T/out" 2>"$T/err"
ok "caseload csv and json keep the flags' codes, also in French" \
	'csv "$T/out" | grep -qx "vulnerability|unaccompanied_minor|<5" &&
	 LANGUAGE=fr $W report caseload --format csv | cmp -s - "$T/out" &&
	 LANGUAGE=fr $W report caseload --format json | grep -q "\"value\":\"unaccompanied_minor\""'
ok "caseload json keeps the codes of stages and minors in French" \
	'LANGUAGE=fr $W report caseload --format json | python3 -c "import json,sys
rows = json.load(sys.stdin)
got = {(r[\"measure\"], r[\"value\"]) for r in rows}
assert (\"stage\", \"identified\") in got and (\"stage\", \"pre-departure\") in got, got
assert (\"minors\", \"all\") in got and (\"minors\", \"unaccompanied\") in got, got
"'
$W report caseload --format html >"$T/out" 2>"$T/err"
ok "caseload html: the table names the flags like the terminal's" \
	'grep -q "<td>Unaccompanied minor</td>" "$T/out" && ! grep -q "unaccompanied_minor" "$T/out"'
ok "caseload html: the rows of minors named like the terminal's" \
	'grep -q "<td>All minors</td>" "$T/out" && grep -q "<td>Unaccompanied minors</td>" "$T/out" &&
	 ! grep -q "<td>unaccompanied</td>" "$T/out"'
LANGUAGE=fr $W report caseload --format html >"$T/out" 2>"$T/err"
ok "caseload html in French: stages in French in the table and the chart" \
	'grep -q "<td>identifié</td>" "$T/out" && grep -q ">avant départ</text>" "$T/out" &&
	 grep -q "<td>Tous les mineurs</td>" "$T/out" && ! grep -qE ">(identified|pre-departure|all)<" "$T/out"'

# Filters.
$W report caseload --country ng --format csv >"$T/out" 2>"$T/err"
ok "--country keeps the cases returning there (any case of letters)" \
	'csv "$T/out" | grep -qx "total||7" && ! csv "$T/out" | grep -q "^country|AF"'
$W report caseload --to 2026-05-31 --format csv >"$T/out" 2>"$T/err"
ok "--to leaves out cases opened after it" 'csv "$T/out" | grep -qx "total||7"'
$W report caseload --from 2026-10-02 --format csv >"$T/out" 2>"$T/err"
ok "--from leaves out a case closed before it" \
	'csv "$T/out" | grep -qx "total||11" && csv "$T/out" | grep -qx "stage|closed|0"'
$W report caseload --assigned me --format csv >"$T/out" 2>"$T/err"
ok "--assigned me is this device's person" 'csv "$T/out" | grep -qx "total||12"'
$W report caseload --assigned someone-else --format csv >"$T/out" 2>"$T/err"
ok "--assigned someone with no cases: zero everywhere, never <5" \
	'csv "$T/out" | grep -qx "total||0" && ! csv "$T/out" | grep -q "<5"'

# Returns: October NG, 5 assisted voluntary returns, all with cash, two with
# medical care; November AF, one forced return without assistance.
cat >"$T/returns.csv" <<'EOF'
month|country|type_of_return|assistance_kind|count
2026-10|NG|assisted_voluntary||5
2026-10|NG|assisted_voluntary|cash|5
2026-10|NG|assisted_voluntary|medical|<5
2026-11|AF|forced||<5
EOF
$W report returns --format csv >"$T/out" 2>"$T/err"; st=$?
ok "returns csv: exactly the columns and the hand-counted rows, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && csv "$T/out" | diff - "$T/returns.csv" >&2'
$W report returns --format json >"$T/out" 2>"$T/err"; st=$?
ok "returns json: valid, the same columns, the row of all kinds has an empty kind" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && python3 -m json.tool "$T/out" >/dev/null && python3 -c "import json,sys
rows = json.load(open(sys.argv[1]))
assert [list(r) for r in rows] == [[\"month\", \"country\", \"type_of_return\", \"assistance_kind\", \"count\"]] * 4, rows
assert rows[0][\"assistance_kind\"] == \"\" and rows[0][\"count\"] == 5
assert rows[3] == {\"month\": \"2026-11\", \"country\": \"AF\", \"type_of_return\": \"forced\", \"assistance_kind\": \"\", \"count\": \"<5\"}
" "$T/out"'
$W report returns --from 2026-11-01 --format csv >"$T/out" 2>"$T/err"
ok "returns --from counts departures from that day" \
	'[ "$(csv "$T/out" | tail -n +2)" = "2026-11|AF|forced||<5" ]'
$W report returns >"$T/out" 2>"$T/err"; st=$?
ok "returns table: headings, the row of all kinds named, types and kinds in words" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "^Month  *Country  *Type of return  *Assistance  *Count$" "$T/out" &&
	 grep -q "^2026-10  *NG  *Assisted voluntary  *(all kinds)  *5$" "$T/out" &&
	 grep -q "^2026-10  *NG  *Assisted voluntary  *Cash  *5$" "$T/out" && ! grep -q "assisted_voluntary" "$T/out"'
$W report returns --format html >"$T/out" 2>"$T/err"
ok "returns html: the chart names the types of return like the table" \
	'grep -q ">2026-10 NG Assisted voluntary</text>" "$T/out" && grep -q ">2026-11 AF Forced</text>" "$T/out" &&
	 ! grep -qE "assisted_voluntary|>2026-11 AF forced<" "$T/out"'
$W report returns --country IQ >"$T/out" 2>"$T/err"
ok "no returns: said in words" 'grep -q "No returns in this period" "$T/out" && [ ! -s "$T/err" ]'

# The threshold is a setting.
ok "report.min_count refuses what is not 1 to 1000" \
	'! $W team set report.min_count 0 2>"$T/err" && ! $W team set report.min_count 5x 2>>"$T/err" &&
	 ! $W team set report.min_count 1001 2>>"$T/err" && [ $(grep -c "1 to 1000" "$T/err") -eq 3 ]'
$W team set report.min_count 1
$W report caseload --format csv >"$T/out" 2>"$T/err"
ok "report.min_count 1 shows every count exactly" \
	'csv "$T/out" | grep -qx "stage|identified|4" && csv "$T/out" | grep -qx "country|AF|3" && ! grep -q "<" "$T/out"'
$W team set report.min_count 8
$W report returns --format csv >"$T/out" 2>"$T/err"
ok "report.min_count 8: five returns become <8" \
	'csv "$T/out" | grep -qx "2026-10|NG|assisted_voluntary||<8"'
$W team set report.min_count 5

# Refusals: status, one line, nothing on stdout.
$W report caseload --from 2026-02-30 >"$T/out" 2>"$T/err"; st=$?
ok "an impossible date is refused naming the option" \
	'[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q -- "--from \"2026-02-30\"" "$T/err" && [ ! -s "$T/out" ]'
$W report returns --from 2026-11-01 --to 2026-10-01 >"$T/out" 2>"$T/err"; st=$?
ok "a period that ends before it starts is refused" '[ $st -eq 1 ] && grep -q "after --to" "$T/err" && [ ! -s "$T/out" ]'
$W report caseload --country Nigeria >"$T/out" 2>"$T/err"; st=$?
ok "a country that is not two letters is refused" '[ $st -eq 1 ] && grep -q "two-letter" "$T/err" && [ ! -s "$T/out" ]'
$W report caseload --format xml >"$T/out" 2>"$T/err"; st=$?
ok "an unknown format is refused naming it" '[ $st -eq 1 ] && grep -q "xml" "$T/err" && [ ! -s "$T/out" ]'
$W report caseload --team --assigned me >"$T/out" 2>"$T/err"; st=$?
ok "--team and --assigned together is a usage error" '[ $st -eq 2 ] && [ ! -s "$T/out" ]'

# Values from other devices cannot become spreadsheet formulas or break rows.
at 2026-11-29
add NG 1990-02-02 '=HYPERLINK("http://x",1),x' >/dev/null
$W report caseload --format csv >"$T/out" 2>"$T/err"
ok "csv: a flag starting with = stays text, a comma stays in its cell" \
	'csv "$T/out" | grep -qx "vulnerability|'"'"'=HYPERLINK(\"http://x\",1),x|<5" && [ $(csv "$T/out" | awk -F"|" "NF != 3" | wc -l) -eq 0 ]'
