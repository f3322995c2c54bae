#!/bin/sh
# Timeliness and referrals reports against a fixture whose figures are worked
# out by hand below (days between steps, medians, 90th percentiles, cases
# waiting, acceptance times, decline reasons), with the period, country and
# threshold, and the rule that counts under report.min_count are <5 and the
# days of so few cases are not shown.  CSV is read back with python3's csv
# module, JSON with json.tool.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-time.XXXXXX")
printf 'timeliness test passphrase\n' >"$T/passphrase"
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
add() { # add COUNTRY
	$W case add --given-name "Case" --family-name "$1" --birth-date 1990-01-01 --nationality "$1" \
		--return-country "$1" --language en
}
csv() { python3 -c 'import csv,signal,sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
for row in csv.reader(open(sys.argv[1], newline="", encoding="utf-8")): print("|".join(row))' "$1"; }
fu() { # fu ARRIVAL_DATE: a follow-up form's answers
	cat <<EOF
answer /data/visit/visit_round m3
answer /data/visit/arrival_date $1
answer /data/visit/visit_date 2026-03-01
answer /data/visit/visit_mode phone
answer /data/visit/reached no
answer /data/visit/not_reached other
answer /data/support/assistance_received none
EOF
}

echo "1..23"

# The fixture.  NG: A1..A6 opened 2026-01-05.  IQ: C1..C6 opened
# 2026-01-20, nothing decided; C6 closed on 2026-03-10.
at 2026-01-05
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
A1=$(add NG); A2=$(add NG); A3=$(add NG); A4=$(add NG); A5=$(add NG); A6=$(add NG)
at 2026-01-20
C1=$(add IQ); for i in 2 3 4 5; do add IQ >/dev/null; done; C6=$(add IQ)

at 2026-03-10
#             decided     departed    arrived
# A1          01-10 (5)   01-20 (10)  01-22 (2)   follow-up 03-01 (38)
# A2          01-15 (10)  01-26 (11)  01-29 (3)
# A3          01-20 (15)  02-08 (19)  -
# A4          01-25 (20)  02-04 (10)  02-05 (1)
# A5          02-04 (30)  -
# A6          -
dec() { $W case decide "$1" return --date "$2" >/dev/null; }
dep() { $W case depart "$1" --date "$2" --type assisted_voluntary >/dev/null; }
arr() { $W case arrive "$1" --date "$2" >/dev/null; }
dec "$A1" 2026-01-10; dec "$A2" 2026-01-15; dec "$A3" 2026-01-20; dec "$A4" 2026-01-25; dec "$A5" 2026-02-04
dep "$A1" 2026-01-20; dep "$A2" 2026-01-26; dep "$A3" 2026-02-08; dep "$A4" 2026-02-04
arr "$A1" 2026-01-22; arr "$A2" 2026-01-29; arr "$A4" 2026-02-05
$W case close "$C6" --reason lost_contact >/dev/null
at 2026-03-01
fu 2026-01-22 >"$T/fu"
$W form submit "$A1" reintegration-follow-up "$T/fu" >/dev/null

# Worked out by hand, on 2026-03-10 with the default threshold of 30 days:
# contact -> decision: 5, 10, 15, 20, 30: median 15, 90th percentile the
#   5th of 5 = 30; waiting: A6 (64 days) and C1..C5 (49 days) = 6 (C6 is
#   closed).
# decision -> departure: 10, 10, 11, 19 (4 cases: <5, days not shown);
#   waiting: A5 (34 days) = 1.
# departure -> arrival: 1, 2, 3 (<5); waiting: A3 left 30 days ago, not
#   longer than 30: 0.
# arrival -> follow-up: 38 (<5); waiting: A2 (40 days), A4 (33 days) = 2.
at 2026-03-10
cat >"$T/want.csv" <<'EOF'
from|to|cases|median_days|p90_days|waiting|wait_days
contact|decision|5|15|30|6|30
decision|departure|<5|||<5|30
departure|arrival|<5|||0|30
arrival|follow_up|<5|||<5|30
EOF
$W report timeliness --format csv >"$T/out" 2>"$T/err"; st=$?
ok "timeliness csv: the hand-worked figures, <5 and no days for fewer than 5, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && csv "$T/out" | diff - "$T/want.csv" >&2'

$W report timeliness --format json >"$T/out" 2>"$T/err"; st=$?
ok "timeliness json: valid; hidden counts are \"<5\", withheld days null, others numbers" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && python3 -m json.tool "$T/out" >/dev/null && python3 -c "import json,sys
rows = json.load(open(sys.argv[1]))
assert rows[0] == {\"from\": \"contact\", \"to\": \"decision\", \"cases\": 5, \"median_days\": 15,
                   \"p90_days\": 30, \"waiting\": 6, \"wait_days\": 30}, rows[0]
assert rows[1][\"cases\"] == \"<5\" and rows[1][\"median_days\"] is None and rows[1][\"waiting\"] == \"<5\", rows[1]
assert rows[2][\"waiting\"] == 0
" "$T/out"'

$W report timeliness >"$T/out" 2>"$T/err"; st=$?
ok "timeliness table: translated step names, - for days not shown, the rules said" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "^From  *To  *Cases  *Median days  *90th percentile days  *Waiting longer  *Threshold days$" "$T/out" &&
	 grep -q "^first contact  *decision  *5  *15  *30  *6  *30$" "$T/out" &&
	 grep -q "^decision  *departure  *<5  *-  *-  *<5  *30$" "$T/out" &&
	 grep -q "^arrival  *first follow-up " "$T/out" && grep -q "shown as <5" "$T/out" && grep -q "fewer than 5 cases" "$T/out"'

$W team set report.min_count 1
# Every figure exact: decision -> departure 10, 10, 11, 19: median (10 +
# 11) / 2 = 10.5, 90th percentile the 4th of 4 = 19; departure -> arrival
# 1, 2, 3: median 2, 90th the 3rd = 3; arrival -> follow-up 38.
cat >"$T/want.csv" <<'EOF'
from|to|cases|median_days|p90_days|waiting|wait_days
contact|decision|5|15|30|6|30
decision|departure|4|10.5|19|1|30
departure|arrival|3|2|3|0|30
arrival|follow_up|1|38|38|2|30
EOF
$W report timeliness --format csv >"$T/out" 2>"$T/err"
ok "report.min_count 1: every median and percentile, an even count's median halfway" \
	'csv "$T/out" | diff - "$T/want.csv" >&2'

# The period: steps reached from 2026-01-12 to 2026-02-05.  Decisions in it:
# 10, 15, 20, 30 days: median 17.5, 90th the 4th = 30.  On 2026-02-05 only A6
# had waited longer than 30 days for a decision (31); A5 was decided the day
# before.  Departures in it: A1 10, A2 11, A4 10 (A3 left after): median 10.
$W report timeliness --from 2026-01-12 --to 2026-02-05 --format csv >"$T/out" 2>"$T/err"
ok "--from/--to: the steps reached in the period, waiting on its last day" \
	'csv "$T/out" | grep -qx "contact|decision|4|17.5|30|1|30" && csv "$T/out" | grep -qx "decision|departure|3|10|11|0|30"'
$W report timeliness --country IQ --format csv >"$T/out" 2>"$T/err"
ok "--country IQ: no steps reached, five waiting for a decision" \
	'csv "$T/out" | grep -qx "contact|decision|0|||5|30" && csv "$T/out" | grep -qx "arrival|follow_up|0|||0|30"'
$W team set report.wait_days 40
$W report timeliness --format csv >"$T/out" 2>"$T/err"
ok "report.wait_days 40: A2 and A4 waited 40 and 33 days, not longer; the threshold in every row" \
	'csv "$T/out" | grep -qx "arrival|follow_up|1|38|38|0|40" && csv "$T/out" | grep -qx "contact|decision|5|15|30|6|40"'
ok "report.wait_days refuses what is not 1 to 3650" \
	'! $W team set report.wait_days 0 2>"$T/err" && ! $W team set report.wait_days 3651 2>>"$T/err" &&
	 ! $W team set report.wait_days 1d 2>>"$T/err" && [ $(grep -c "1 to 3650" "$T/err") -eq 3 ]'
$W team set report.wait_days 30
$W team set report.min_count 5

# Referrals.  Consent to share with both NG providers for A1..A6; seven
# referrals to Lagos sent on 2026-02-01 (A1 twice), one to Benin City.
at 2026-01-31
for c in "$A1" "$A2" "$A3" "$A4" "$A5" "$A6"; do
	$W consent record "$c" --purpose share_with_provider --granted --recipient ng-lagos-reintegration --present interpreter
	$W consent record "$c" --purpose share_with_provider --granted --recipient ng-benin-city-shelter --present interpreter
done
at 2026-02-01
send() { $W referral send "$1" --provider "$2" --kinds cash; }
R1=$(send "$A1" ng-lagos-reintegration); R2=$(send "$A2" ng-lagos-reintegration)
R3=$(send "$A3" ng-lagos-reintegration); R4=$(send "$A4" ng-lagos-reintegration)
R5=$(send "$A5" ng-lagos-reintegration); R6=$(send "$A6" ng-lagos-reintegration)
R7=$(send "$A1" ng-lagos-reintegration); B1=$(send "$A2" ng-benin-city-shelter)
upd() { at "$1"; shift; $W referral update "$@" >/dev/null; }
# Accepted after 2, 4, 5, 10, 1 and 7 days; R4 then in progress; R6 and
# B1 declined.
upd 2026-02-02 "$R5" --status accepted
upd 2026-02-03 "$R1" --status accepted
upd 2026-02-03 "$B1" --status declined --note "outside our area"
upd 2026-02-04 "$R6" --status declined --note "no capacity"
upd 2026-02-05 "$R2" --status accepted
upd 2026-02-06 "$R3" --status accepted
upd 2026-02-08 "$R7" --status accepted
upd 2026-02-11 "$R4" --status accepted
upd 2026-02-20 "$R4" --status in_progress
# R1 goes back to in progress and is accepted again: its time to
# acceptance stays that of the first acceptance (2 days).
upd 2026-02-25 "$R1" --status in_progress
upd 2026-02-27 "$R1" --status accepted
at 2026-03-10
# Lagos: accepted now 5 (R1 R2 R3 R5 R7), in progress 1, declined 1;
# accepted ever 6: 1 2 4 5 7 10 days, median (4 + 5) / 2 = 4.5, 90th
# percentile the 6th of 6 = 10.  Benin City: one declined.
cat >"$T/want.csv" <<'EOF'
provider|measure|value|count|median_days|p90_days
ng-benin-city-shelter|status|sent|0||
ng-benin-city-shelter|status|accepted|0||
ng-benin-city-shelter|status|declined|<5||
ng-benin-city-shelter|status|in_progress|0||
ng-benin-city-shelter|status|service_delivered|0||
ng-benin-city-shelter|status|closed|0||
ng-benin-city-shelter|declined|outside our area|<5||
ng-lagos-reintegration|status|sent|0||
ng-lagos-reintegration|status|accepted|5||
ng-lagos-reintegration|status|declined|<5||
ng-lagos-reintegration|status|in_progress|<5||
ng-lagos-reintegration|status|service_delivered|0||
ng-lagos-reintegration|status|closed|0||
ng-lagos-reintegration|accepted||6|4.5|10
ng-lagos-reintegration|declined|no capacity|<5||
EOF
$W report referrals --format csv >"$T/out" 2>"$T/err"; st=$?
ok "referrals csv: by provider and status, time to acceptance, reasons; nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && csv "$T/out" | diff - "$T/want.csv" >&2'
$W report referrals --format json >"$T/out" 2>"$T/err"; st=$?
ok "referrals json: valid, acceptance days as numbers" \
	'[ $st -eq 0 ] && python3 -m json.tool "$T/out" >/dev/null && python3 -c "import json,sys
rows = json.load(open(sys.argv[1]))
acc = [r for r in rows if r[\"measure\"] == \"accepted\"]
assert acc == [{\"provider\": \"ng-lagos-reintegration\", \"measure\": \"accepted\", \"value\": \"\",
                \"count\": 6, \"median_days\": 4.5, \"p90_days\": 10}], acc
" "$T/out"'
$W report referrals >"$T/out" 2>"$T/err"; st=$?
ok "referrals table: the provider said once, reasons under Declined" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && [ $(grep -c "ng-lagos-reintegration" "$T/out") -eq 1 ] &&
	 grep -q "^  *Accepted  *6  *4.5  *10$" "$T/out" && grep -q "Declined, reason  *no capacity  *<5" "$T/out"'
ok "referrals table: statuses in words, like the Referrals and Reports screens" \
	'grep -q "^ng-benin-city-shelter  *Status  *Sent  *0 *$" "$T/out" && grep -q "^  *In progress  *<5 *$" "$T/out" &&
	 grep -q "^  *Service delivered  *0 *$" "$T/out" && grep -q "^  *Closed  *" "$T/out" &&
	 ! grep -qE "^ +(sent|accepted|declined|in_progress|service_delivered|closed) " "$T/out"'
LANGUAGE=fr $W report referrals >"$T/out" 2>"$T/err"
ok "referrals table in French: statuses in French" \
	'grep -q "^  *En cours  *<5 *$" "$T/out" && grep -q "^  *Service fourni  *0 *$" "$T/out" &&
	 ! grep -qE "in_progress|service_delivered" "$T/out"'
# "Closed" is one English word for a case and a referral; French says
# "Clôturé" of a case and "Clôturée" of a referral (a context tells them apart).
ok "referrals table in French: a closed referral is Clôturée, feminine like the other statuses" \
	'grep -q "^  *Clôturée  *" "$T/out" && ! grep -q "Clôturé  " "$T/out"'
ok "referrals json keeps the statuses' codes in French" \
	'LANGUAGE=fr $W report referrals --format json | python3 -c "import json,sys
rows = json.load(sys.stdin)
got = [r[\"value\"] for r in rows if r[\"measure\"] == \"status\"]
assert got == [\"sent\", \"accepted\", \"declined\", \"in_progress\", \"service_delivered\", \"closed\"] * 2, got
"'
$W report referrals --format html >"$T/out" 2>"$T/err"
ok "referrals html: statuses in words in the chart and the table" \
	'grep -q ">ng-lagos-reintegration: In progress</text>" "$T/out" && grep -q "<td>Service delivered</td>" "$T/out" &&
	 ! grep -qE "in_progress|service_delivered" "$T/out"'
$W report referrals --from 2026-02-02 --format csv >"$T/out" 2>"$T/err"
ok "referrals --from after they were sent: none" \
	'[ $(csv "$T/out" | wc -l) -eq 1 ] && $W report referrals --from 2026-02-02 | grep -q "No referrals in this period"'
$W report referrals --country IQ --format csv >"$T/out" 2>"$T/err"
ok "referrals --country IQ: none of these cases return there" '[ $(csv "$T/out" | wc -l) -eq 1 ]'
$W report referrals --country ng --format csv >"$T/out" 2>"$T/err"
ok "referrals --country ng: all of them" 'csv "$T/out" | diff - "$T/want.csv" >&2'

# HTML: one page, nothing outside it.
$W report timeliness --format html >"$T/t.html" 2>"$T/err"; st=$?
ok "timeliness html: a page with a chart and the table, nothing on stderr" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "^<!DOCTYPE html>" "$T/t.html" && grep -q "<svg" "$T/t.html" &&
	 grep -q "<td>first contact</td><td>decision</td><td class=\"num\">5</td><td class=\"num\">15</td>" "$T/t.html"'
ok "html: no script, no link, no file or address it would fetch" \
	'! grep -Eiq "<script|src=|href=|url\(|@import|<link" "$T/t.html"'
ok "html: <5 in the table and the chart, no bar for a hidden count" \
	'grep -q "<td class=\"num\">&lt;5</td>" "$T/t.html" && ! grep -Eq "class=\"num\">[1-4]<" "$T/t.html"'
# A reason typed on another device cannot become markup.
at 2026-03-10
B2=$(send "$A3" ng-benin-city-shelter)
$W referral update "$B2" --status declined --note '<script>alert(1)</script> & "x"' >/dev/null
$W report referrals --format html >"$T/r.html" 2>"$T/err"
ok "html: a decline reason with markup is shown as text" \
	'! grep -q "<script" "$T/r.html" && grep -q "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" "$T/r.html"'
