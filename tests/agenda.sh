#!/bin/sh
# The follow-up agenda on the command line (docs/agenda.md), with a fixed
# clock: rounds scheduled on arrival, overdue, done and missed, the filters,
# the formats (the calendar checked by tests/ics-check.py), and bad input
# refused with one line naming the field, status 1, nothing recorded.
# Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
src=${top_srcdir:-.}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-agenda.XXXXXX")
printf 'agenda test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
trap 'rm -rf "$T"' EXIT
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW
n=0
failed=0
ok() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$T/err" 2>/dev/null; fi
}
W="$HW --workspace $T/ws"
ICS="python3 $src/tests/ics-check.py"
events() { $W case show "$1" | grep -c '^  20[0-9-]*T[0-9:]*Z  [a-z]*\.[a-z]*  '; }
# bad DESC EXPECTED COMMAND... -- refused: status 1, one line naming it, no new event, nothing on stdout
bad() {
	desc=$1 expect=$2; shift 2
	before=$(events "$ID")
	"$@" >"$T/out" 2>"$T/err"; st=$?
	after=$(events "$ID")
	ok "$desc" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q -- "$expect" "$T/err" && [ "$before" = "$after" ] && [ ! -s "$T/out" ]'
}
# rows of the agenda as "date<TAB>round<TAB>status" for one case
rows() { $W agenda --all --format tsv | awk -F'\t' -v c="$1" '$1 == c { print $3 "\t" $9 "\t" $11 }'; }

echo "1..55"
$W init --device-id laptop-1 --name "Amina K." --role counsellor >/dev/null
ID=$($W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality NG --return-country NG --language en)
$W case decide $ID return --date 2026-01-20
$W case depart $ID --date 2026-01-30 --type assisted_voluntary

# --- follow-up rounds scheduled on arrival ---
ok "an empty agenda says so" '[ "$($W agenda)" = "No appointments." ]'
$W case arrive $ID --date 2026-01-31
ok "the arrival schedules rounds 3, 6 and 12 months later, the end of a shorter month kept" '[ "$(rows $ID)" = "$(printf "2026-04-30\tm3\tplanned\n2026-07-31\tm6\tplanned\n2027-01-31\tm12\tplanned")" ]'
ok "the rounds are for the person who recorded the arrival, with the follow-up form" '[ "$($W agenda --format tsv | awk -F"\t" "NR > 1 { print \$7, \$10 }" | sort -u)" = "laptop-1 reintegration-follow-up" ]'
ok "the rounds are events of the case (they travel with it)" '[ $($W case show $ID | grep -c "appointment.set") -eq 3 ]'
ok "the table says how overdue each one is" '$W agenda >"$T/out" && grep -q "^2026-04-30 .*213 days overdue .*Yusuf Example .*Follow-up, 3 months  " "$T/out" && grep -q "^2026-07-31 .*121 days overdue" "$T/out" && grep -q "^2027-01-31 .*in 63 days" "$T/out"'
ok "--overdue lists only what is past due" '[ $($W agenda --overdue --format tsv | tail -n +2 | wc -l) -eq 2 ]'
ok "overdue is counted against today's date when shown, not when recorded" '[ $(HOMEWARD_NOW=2027-02-01T08:00:00Z $W agenda --overdue --format tsv | tail -n +2 | wc -l) -eq 3 ] && [ $(HOMEWARD_NOW=2026-03-01T08:00:00Z $W agenda --overdue --format tsv | tail -n +2 | wc -l) -eq 0 ]'
$W config set agenda.follow_up_months 1,2 2>"$T/err"
ID2=$($W case add --given-name Lina --family-name Demo --birth-date 1985-06-01 --nationality AF --return-country AF --language fa)
$W case decide $ID2 return --date 2026-11-01 && $W case depart $ID2 --date 2026-11-02 --type assisted_voluntary && $W case arrive $ID2 --date 2026-11-03
ok "the rounds follow the setting agenda.follow_up_months" '[ "$(rows $ID2 | cut -f1,2 | tr "\t\n" " ;")" = "2026-12-03 m1;2027-01-03 m2;" ]'
$W config set agenda.follow_up_months 3,1 >"$T/out" 2>"$T/err"; st=$?
ok "a setting that is not increasing month counts is refused" '[ $st -eq 1 ] && grep -q "agenda.follow_up_months" "$T/err" && [ "$($W config get agenda.follow_up_months)" = "1,2" ]'

# --- setting appointments ---
A=$($W appointment set $ID --date 2026-11-30 --time 09:15 --channel phone --purpose "Rent, housing; and school" --place "Ikeja office")
ok "appointment set prints the id of the new appointment" 'echo "$A" | grep -qE "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"'
ok "the agenda is in date order, the new appointment between the rounds" '[ "$($W agenda --format tsv | tail -n +2 | cut -f3 | tr "\n" " ")" = "2026-04-30 2026-07-31 2026-11-30 2026-12-03 2027-01-03 2027-01-31 " ]'
ok "tsv: a header, then the case id first" '$W agenda --format tsv >"$T/tsv" && head -1 "$T/tsv" | grep -q "^case	appointment	date	time	channel	place	assigned	purpose" && grep -q "^$ID	$A	2026-11-30	09:15	phone	Ikeja office	laptop-1	Rent, housing; and school	" "$T/tsv"'
ok "json is one valid array with every appointment" '$W agenda --format json >"$T/json" && python3 -c "import json,sys; a=json.load(open(sys.argv[1])); assert len(a)==6 and a[2][\"appointment\"]==sys.argv[2] and a[2][\"overdue_days\"]==0" "$T/json" "$A"'
ok "--from and --to keep the days between, both included" '[ "$($W agenda --from 2026-11-30 --to 2026-12-03 --format tsv | tail -n +2 | cut -f3 | tr "\n" " ")" = "2026-11-30 2026-12-03 " ]'
bad "a date that is not one names the field" 'appointment date "2026-02-30"' $W appointment set $ID --date 2026-02-30
bad "a time that is not HH:MM names it" 'appointment time "25:00"' $W appointment set $ID --date 2026-12-01 --time 25:00
bad "an unknown channel names it and the choices" 'channel "pigeon" is not one of: in_person, phone, video' $W appointment set $ID --date 2026-12-01 --channel pigeon
bad "an unknown person names them" 'assigned "nobody-9" is not known here' $W appointment set $ID --date 2026-12-01 --assigned nobody-9
bad "a place with a control character is refused" 'place contains control characters' $W appointment set $ID --date 2026-12-01 --place "$(printf 'a\033[2Jb')"
$W appointment set $ID --time 10:00 >"$T/out" 2>"$T/err"; st=$?
ok "appointment set without --date is a usage error (status 2)" '[ $st -eq 2 ] && grep -q "usage: homeward appointment set" "$T/err"'
bad "--from that is not a date is refused naming it" '--from "tomorrow"' $W agenda --from tomorrow
bad "an unknown format names it" 'format "yaml"' $W agenda --format yaml

# --- done, missed, rescheduled ---
M3=$($W agenda --format tsv | awk -F'\t' '$9 == "m3" { print $2 }')
ok "appointment done takes an id prefix and the appointment leaves the agenda" '$W appointment done $(echo $A | cut -c1-8) && ! $W agenda --format tsv | grep -q "$A" && $W agenda --all --format tsv | grep "$A" | cut -f11 | grep -qx done'
bad "an appointment already done is not done again" "appointment $(echo $A | cut -c1-8) is already done on 2026-11-29" $W appointment missed $A
bad "a done date in the future is refused" 'date 2026-12-01 is in the future' $W appointment missed $M3 --date 2026-12-01
bad "an unknown appointment names it" 'no appointment 0000' $W appointment done 0000
ok "appointment missed records it with a note; the case screen lists it" '$W appointment missed $M3 --note "no answer on the phone" && $W case show $ID >"$T/show" && grep -q "^Appointments:" "$T/show" && grep -q "missed 2026-11-29 *Follow-up, 3 months" "$T/show"'
R=$($W appointment set $ID --date 2026-12-10 --purpose "Business plan" --replaces $(rows $ID >/dev/null; $W agenda --format tsv | awk -F'\t' '$9 == "m6" { print $2 }'))
ok "rescheduling: the replaced appointment is no longer planned, the new one is" '[ "$(rows $ID | grep 2026-07-31 | cut -f2,3)" = "$(printf "m6\trescheduled")" ] && $W agenda --format tsv | grep -q "	2026-12-10	.*Business plan"'
ok "a round moved is still that round" '[ "$(rows $ID | grep 2026-12-10 | cut -f2,3)" = "$(printf "m6\tplanned")" ]'
ok "a follow-up form for a round does that round's appointment" 'printf "answer /data/return_country_fix NG\nanswer /data/visit/visit_round m12\nanswer /data/visit/arrival_date 2026-01-31\nanswer /data/visit/visit_date 2026-11-29\nanswer /data/visit/visit_mode phone\nanswer /data/visit/reached no\nanswer /data/visit/not_reached other\nanswer /data/support/assistance_received none\n" >"$T/fu" && $W form submit $ID reintegration-follow-up "$T/fu" >/dev/null && [ "$(rows $ID | grep m12 | cut -f3)" = done ]'

# --- assignees ---
$W --workspace "$T/ws" case assign $ID2 laptop-1 --role field_officer >/dev/null 2>&1
ok "--assigned me and --assigned PERSON filter by who meets the person" '[ $($W agenda --assigned me --format tsv | tail -n +2 | wc -l) -eq $($W agenda --format tsv | tail -n +2 | wc -l) ] && [ $($W agenda --assigned field-2 --format tsv | tail -n +2 | wc -l) -eq 0 ]'

# --- closed cases ---
ok "a closed case's appointments leave the agenda and come back when it reopens" '$W case close $ID2 --reason lost_contact && ! $W agenda --format tsv | grep -q "^$ID2" && $W case reopen $ID2 --reason "found again" && $W agenda --format tsv | grep -q "^$ID2"'
$W case close $ID --reason other --note moved
bad "no appointment is set on a closed case" 'is closed' $W appointment set $ID --date 2026-12-20
$W case reopen $ID --reason back

# --- the calendar ---
$W agenda --format ics >"$T/a.ics"
ok "ics: a calendar a phone can read (CRLF, folded lines, one UID, DTSTAMP and DTSTART each)" '$ICS "$T/a.ics" --events $($W agenda --format tsv | tail -n +2 | wc -l) >"$T/err"'
ok "ics: no names without --with-names, the case's short id instead" '$ICS "$T/a.ics" --forbid Yusuf --forbid Example --forbid Lina --forbid Demo >"$T/err" && grep -q "^SUMMARY:Business plan (case $(echo $ID | cut -c1-8))" "$T/a.ics"'
$W agenda --format ics --with-names >"$T/n.ics"
ok "ics --with-names names the person" '$ICS "$T/n.ics" >"$T/err" && grep -q "^SUMMARY:Yusuf Example: Business plan" "$T/n.ics"'
$W appointment set $ID --date 2026-12-11 --time 14:05 --place "Room 3, floor 2; east wing" --purpose "$(printf 'A very long purpose that goes on well past the seventy-five octets of a line, with ünïcödé\nand a second line')" >/dev/null
$W agenda --format ics >"$T/b.ics"
ok "ics: commas, semicolons and newlines escaped, long lines folded, a time as a local time" '$ICS "$T/b.ics" >"$T/err" && grep -q "^LOCATION:Room 3\\\\, floor 2\\\\; east wing" "$T/b.ics" && grep -q "^DTSTART:20261211T140500" "$T/b.ics" && grep -q "^ " "$T/b.ics"'
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTAMP:20261129T100000Z\r\nDTSTART:20261201\r\nSUMMARY:a, b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$T/bad.ics"
tr -d '\r' <"$T/a.ics" >"$T/lf.ics"
ok "the checker itself refuses broken calendars (no PRODID, no UID, a bad date, an unescaped comma, LF ends)" '! $ICS "$T/bad.ics" >"$T/out" && grep -q "PRODID" "$T/out" && grep -q "0 UID" "$T/out" && grep -q "not a DATE-TIME" "$T/out" && grep -q "unescaped" "$T/out" && $ICS "$T/lf.ics" | grep -q "CRLF"'


# --- return files ---
CH=$($W case add --given-name Musa --family-name Example --birth-date 2015-03-02 --nationality NG --return-country NG --language en)
SP=$($W case add --given-name Hauwa --family-name Example --birth-date 1991-07-09 --nationality NG --return-country NG --language en)
ok "case link records the link on both cases and says who is what" '$W case link $CH $ID --relation parent >"$T/out" && grep -q "Linked: Yusuf Example is the parent of Musa Example." "$T/out" && $W case show $CH | grep -q "^  $(echo $ID | cut -c1-8)  parent  *Yusuf Example" && $W case show $ID | grep -q "^  $(echo $CH | cut -c1-8)  son or daughter  *Musa Example"'
ok "case list --family lists the whole return file, through the links" '$W case link $ID $SP --relation spouse >/dev/null && [ "$($W case list --family $CH --format tsv | tail -n +2 | cut -f1 | sort | tr "\n" " ")" = "$(printf "%s\n" $ID $CH $SP | sort | tr "\n" " ")" ]'
bad "a case is not linked to itself" 'cannot be linked to itself' $W case link $ID $ID --relation sibling
bad "an unknown relation names it and the choices" 'relation "cousin" is not one of: parent, child' $W case link $ID $CH --relation cousin
ok "case unlink removes the link on both sides" '$W case unlink $ID $SP && [ $($W case list --family $SP --format tsv | tail -n +2 | wc -l) -eq 1 ] && ! $W case show $ID | grep -q "^  $(echo $SP | cut -c1-8)  "'
# Forms for whom they apply: form list --case, and --all with the reason.
ok "form list --case offers an adult no child form" '$W form list --case $ID >"$T/out" && grep -q "^needs-assessment " "$T/out" && ! grep -q "child-best-interests" "$T/out"'
ok "form list --case --all lists it, saying why it does not apply" '$W form list --case $ID --all | grep "^child-best-interests " | grep -q "does not apply: for minors only"'
ok "form list --case offers a child the child form" '$W form list --case $CH | grep "^child-best-interests " | grep -qv "does not apply"'
# The child's best-interests assessment shows the adults linked to the case.
printf 'answer /data/interview/interpreter no\nanswer /data/accompaniment/linked_adult[1]/adult_here yes\nanswer /data/accompaniment/accompanied parents\nanswer /data/views/views_heard fully\nanswer /data/safety/safety_risks none\n' >"$T/cbi"
ok "the child's assessment records the linked adult, with the relation and the answer" 'INST=$($W form submit $CH child-best-interests "$T/cbi" 2>"$T/err") && $W submission show $INST >"$T/out" 2>>"$T/err" && grep -A1 "Yusuf Example (parent): is this person with you here" "$T/out" | grep -q "Yes" && $W submission show $INST --format xml | grep -q "<adult_case>$ID</adult_case><adult_name>Yusuf Example</adult_name><adult_relation>parent</adult_relation>"'

# --- a form's next appointment ---
FC=$($W case add --given-name Ama --family-name Example --birth-date 1990-04-01 --nationality NG --return-country NG --language en)
printf 'answer /data/session_date 2026-11-29\nanswer /data/interpreter_present no\nanswer /data/preferred_language en\nanswer /data/consent_counselling yes\nanswer /data/consent_data yes\nanswer /data/next_appointment 2026-12-05\n' >"$T/fc"
ok "a first contact's next appointment goes on the agenda" '$W form submit $FC first-contact "$T/fc" >/dev/null && $W agenda --format tsv | grep -q "^$FC	[^	]*	2026-12-05	"'

# --- country and language codes of ISO 3166-1 and ISO 639 ---
bad "an unknown country code is refused naming the field" 'nationality "XX" is not a country code of ISO 3166-1' $W case add --given-name Bad --family-name Code --nationality XX
bad "so is an unknown country of return" 'country of return "ZZ" is not a country code of ISO 3166-1' $W case update $ID return_country ZZ
bad "and an unknown language" 'language "zz" is not a language code of ISO 639' $W case add --given-name Bad --family-name Code --language zz
ok "a three-letter language of ISO 639-3 is one (Dari, prs)" '$W case add --given-name Good --family-name Code --nationality AF --language prs >/dev/null'

# --- case data that stays true ---
KID=$($W case add --given-name Ada --family-name Example --birth-date 2010-01-01 --nationality NG --return-country NG --language en)
ok "a child is a minor today" '$W case list --format tsv | grep -q "^$KID	Ada	Example	2010-01-01	1	"'
ok "and no longer one in 2035, with no new event: minor is computed when read" '[ "$(HOMEWARD_NOW=2035-01-02T10:00:00Z $W case list --format tsv | grep "^$KID" | cut -f5)" = 0 ] && HOMEWARD_NOW=2035-01-02T10:00:00Z $W case show $KID | grep -q "^Minor  *no" && [ $(events $KID) -eq 1 ]'
ADU=$($W case add --given-name Adult --family-name Screened --birth-date 1990-01-01 --vulnerability "minor medical")
ok "case show states a flag the birth date contradicts, and the age" '$W case show $ADU >"$T/show" && grep -q "^Age  *36" "$T/show" && grep -q "^DISAGREEMENT .*the vulnerability says \"minor\", but the birth date makes the person 36" "$T/show"'
exit $failed
