#!/bin/sh
# The follow-up report against a fixture worked out by hand below: rounds
# due, done, missed and overdue from the appointments an arrival schedules
# (docs/agenda.md), and the reintegration scores of the follow-up forms by
# dimension and round, as the form computes them; the <5 rule and means not
# shown for fewer cases.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-fu.XXXXXX")
printf 'follow-up test passphrase\n' >"$T/passphrase"
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
csv() { python3 -c 'import csv,signal,sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")): print("|".join(row))' "$1"; }
# answers ROUND VISIT_DATE SAFETY: a follow-up visit with the answers of
# tests/scenarios/forms/reintegration-follow-up-6-months.steps, whose
# scores are worked out there: economic 0.65, social 0.8, and with safety
# "yes" psychosocial 0.58 and overall 0.67, with "no" 0.42 and 0.63.
answers() {
	cat <<EOF
answer /data/visit/visit_round $1
answer /data/visit/arrival_date 2026-01-10
answer /data/visit/visit_date $2
answer /data/visit/visit_mode in_person
answer /data/visit/reached yes
answer /data/economic/e_satisfaction satisfied
answer /data/economic/e_food sometimes
answer /data/economic/e_income irregular
answer /data/economic/e_debt manageable
answer /data/economic/e_borrow yes
answer /data/economic/e_assets declined
answer /data/social/s_housing basic
answer /data/social/s_health_care always
answer /data/social/s_documents all
answer /data/social/s_school not_applicable
answer /data/social/s_water yes
answer /data/social/s_justice partly
answer /data/psychosocial/p_belonging yes
answer /data/psychosocial/p_support partly
answer /data/psychosocial/p_excluded sometimes
answer /data/psychosocial/p_safety $3
answer /data/psychosocial/p_distress often
answer /data/psychosocial/p_future unsure
answer /data/support/psy_referral accepted
answer /data/support/assistance_received "cash business"
answer /data/support/assistance_useful very
EOF
}
visit() { # visit CASE ROUND DAY SAFETY
	at "$3"
	answers "$2" "$3" "$4" >"$T/answers"
	$W form submit "$1" reintegration-follow-up "$T/answers" >/dev/null
}

echo "1..8"

# Six NG cases arrived on 2026-01-10: rounds m3 on 2026-04-10, m6 on
# 2026-07-10 and m12 on 2027-01-10 are scheduled for each.
at 2026-01-05
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
F=""
for i in 1 2 3 4 5 6; do
	F="$F $($W case add --given-name Case --family-name NG --birth-date 1990-01-01 --nationality NG \
		--return-country NG --language en)"
done
set -- $F
at 2026-01-10
for c in "$@"; do
	$W case decide "$c" return --date 2026-01-06 >/dev/null
	$W case depart "$c" --date 2026-01-09 --type assisted_voluntary >/dev/null
	$W case arrive "$c" --date 2026-01-10 >/dev/null
done
# m3: five visits, the first three with safety "yes", two with "no"; the
# sixth case's m3 is missed.  m6: the first case only.
visit "$1" m3 2026-04-10 yes; visit "$2" m3 2026-04-11 yes; visit "$3" m3 2026-04-12 yes
visit "$4" m3 2026-04-14 no; visit "$5" m3 2026-04-15 no
at 2026-04-20
APP=$($W agenda --all --format tsv | awk -F'\t' -v c="$6" '$1 == c && $9 == "m3" { print $2 }')
$W appointment missed "$APP" --date 2026-04-10 --note "no answer" >/dev/null
visit "$1" m6 2026-07-10 yes

# On 2026-08-01: m3 due 6, done 5, missed 1, overdue 0; m6 due 6, done 1,
# overdue 5; m12 not due yet.  Scores at m3 (5 forms): economic 0.65,
# social 0.8, psychosocial (3 x 0.58 + 2 x 0.42) / 5 = 0.516 -> 0.52,
# overall (3 x 0.67 + 2 x 0.63) / 5 = 0.654 -> 0.65.  At m6 one form: <5,
# no mean.
at 2026-08-01
cat >"$T/want.csv" <<'EOF'
round|measure|dimension|count|mean_score
m3|due||6|
m3|done||5|
m3|missed||<5|
m3|overdue||0|
m3|score|economic|5|0.65
m3|score|social|5|0.80
m3|score|psychosocial|5|0.52
m3|score|composite|5|0.65
m6|due||6|
m6|done||<5|
m6|missed||0|
m6|overdue||5|
m6|score|economic|<5|
m6|score|social|<5|
m6|score|psychosocial|<5|
m6|score|composite|<5|
m12|due||0|
m12|done||0|
m12|missed||0|
m12|overdue||0|
EOF
$W report follow-up --format csv >"$T/out" 2>"$T/err"; st=$?
ok "follow-up csv: rounds and mean scores worked out by hand, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && csv "$T/out" | diff - "$T/want.csv" >&2'
$W report follow-up --format json >"$T/out" 2>"$T/err"; st=$?
ok "follow-up json: valid, means as numbers, withheld ones null" \
	'[ $st -eq 0 ] && python3 -m json.tool "$T/out" >/dev/null && python3 -c "import json,sys
rows = json.load(open(sys.argv[1]))
eco = [r for r in rows if r[\"dimension\"] == \"economic\"]
assert eco[0] == {\"round\": \"m3\", \"measure\": \"score\", \"dimension\": \"economic\", \"count\": 5, \"mean_score\": 0.65}, eco
assert eco[1][\"count\"] == \"<5\" and eco[1][\"mean_score\"] is None, eco
" "$T/out"'
$W report follow-up >"$T/out" 2>"$T/err"; st=$?
ok "follow-up table: the round said once, translated measures and dimensions" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && [ $(grep -c "^m3 " "$T/out") -eq 1 ] &&
	 grep -q "Reintegration score  *Economic  *5  *0.65$" "$T/out" && grep -q "  *Overall  *5  *0.65$" "$T/out" && grep -q "^  *Overdue  *5" "$T/out" &&
	 grep -q "^m3  *Due  *6 *$" "$T/out" && grep -q "^  *Done  *<5 *$" "$T/out"'
$W team set report.min_count 1
$W report follow-up --format csv >"$T/out" 2>"$T/err"
ok "report.min_count 1: the one m6 form's scores" \
	'csv "$T/out" | grep -qx "m6|score|psychosocial|1|0.58" && csv "$T/out" | grep -qx "m3|missed||1|"'
# The period chooses appointments by their day and forms by the day they
# were submitted: April only.
$W report follow-up --from 2026-04-01 --to 2026-04-30 --format csv >"$T/out" 2>"$T/err"
ok "--from/--to: April's round and forms, nothing of July" \
	'csv "$T/out" | grep -qx "m3|due||6|" && ! csv "$T/out" | grep -q "^m6" && csv "$T/out" | grep -qx "m3|score|economic|5|0.65"'
$W report follow-up --country IQ --format csv >"$T/out" 2>"$T/err"
ok "--country IQ: no rounds, no scores" '[ $(csv "$T/out" | wc -l) -eq 1 ]'
# A correction replaces what it corrects: the fifth visit corrected to safety "yes".
at 2026-08-01
INST=$($W case show "$5" | grep -o "uuid:[0-9a-f-]*" | tail -1)
answers m3 2026-04-15 yes >"$T/answers"
$W form submit "$5" reintegration-follow-up "$T/answers" --corrects "$INST" >/dev/null 2>"$T/err"
$W report follow-up --format csv >"$T/out" 2>"$T/err"
# psychosocial (4 x 0.58 + 0.42) / 5 = 0.548 -> 0.55
ok "a corrected form counts once, with its corrected answers" \
	'csv "$T/out" | grep -qx "m3|score|psychosocial|5|0.55"'
$W report follow-up --format html >"$T/f.html" 2>"$T/err"
ok "follow-up html: the charts and the table" \
	'grep -q "<svg" "$T/f.html" && grep -q "<td>m3</td><td>Reintegration score</td><td>Economic</td>" "$T/f.html" &&
	 grep -q "m3: Economic" "$T/f.html"'
