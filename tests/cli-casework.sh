#!/bin/sh
# Case work on the command line: every command, and every kind of bad input
# refused with one line naming the field and the value, status 1, nothing
# recorded.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-cw.XXXXXX")
printf 'casework test passphrase\n' >"$T/passphrase"
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
events() { $W case show "$1" | grep -c '^  20[0-9-]*T[0-9:]*Z  [a-z]*\.[a-z]*  '; }
# bad DESC WORDS EXPECTED -- the command refuses: status 1, one line naming it, no new event
bad() {
	desc=$1 expect=$2; shift 2
	before=$(events "$ID")
	"$@" >"$T/out" 2>"$T/err"; st=$?
	after=$(events "$ID")
	ok "$desc" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q -- "$expect" "$T/err" && [ "$before" = "$after" ] && [ ! -s "$T/out" ]'
}

echo "1..66"
$W init --device-id laptop-1 --name "Amina K." --role counsellor >/dev/null
ID=$($W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality NG --return-country NG --language en)
CHILD=$($W case add --given-name Lina --family-name Demo --birth-date 2014-06-01 --nationality AF --return-country AF --language fa)

ok "--help lists the case-work commands" '$HW --help | grep -q "case decide" && $HW --help | grep -q "referral send" && $HW --help | grep -q "submission show"'
ok "a new case is identified and assigned to whoever opened it" '$W case show $ID >"$T/show" && grep -q "^Stage  *identified" "$T/show" && grep -q "^  laptop-1  *counsellor" "$T/show"'

# --- providers ---
$W provider list --format tsv >"$T/tsv"
ok "provider list tsv: header, then the provider id first" 'head -1 "$T/tsv" | grep -q "^provider	name	country	" && grep -q "^ng-lagos-reintegration	" "$T/tsv"'
ok "every country of the assistance inventory has a provider" 'for c in AF AL DZ GE IQ MA NG PK SN TN; do $W provider list --country $c --format tsv | tail -n +2 | grep -q . || exit 1; done'
ok "provider list --country filters" '[ $($W provider list --country af --format tsv | tail -n +2 | cut -f3 | sort -u) = AF ]'
ok "provider list json is one array" '$W provider list --format json | head -c1 | grep -q "\["'
$W provider list --format yaml >"$T/out" 2>"$T/err"; st=$?
ok "an unknown format is status 1 naming it" '[ $st -eq 1 ] && grep -q "yaml" "$T/err"'

# --- decide ---
bad "an unknown decision names the field and the value" 'decision "maybe"' $W case decide $ID maybe
bad "a decision date in the future is refused" 'decision date 2026-12-24 is in the future' $W case decide $ID return --date 2026-12-24
bad "an impossible date is refused" 'decision date "2026-02-30"' $W case decide $ID return --date 2026-02-30
$W case decide $ID >/dev/null 2>"$T/err"; st=$?
ok "a missing decision is a usage error (status 2)" '[ $st -eq 2 ] && grep -q "usage: homeward case decide" "$T/err"'
bad "a departure before any decision is refused" 'not recorded yet' $W case depart $ID --date 2026-11-20 --type assisted_voluntary
ok "case decide records the decision" '$W case decide $ID stay_in_procedure --date 2026-11-02 && $W case show $ID | grep -q "^Decision  *stay_in_procedure (2026-11-02)"'
ok "a later decision supersedes, the earlier one stays in history" '$W case decide $ID return --date 2026-11-10 --note "appeal rejected" && $W case show $ID >"$T/show" && grep -q "^Decision  *return (2026-11-10)" "$T/show" && grep -q "earlier: stay_in_procedure (2026-11-02" "$T/show" && grep -q "^Stage  *decided" "$T/show"'

# --- depart ---
bad "an unknown type of return names it" 'type of return "by_boat"' $W case depart $ID --date 2026-11-20 --type by_boat
bad "an unknown kind of assistance names it" 'assistance "gold"' $W case depart $ID --date 2026-11-20 --type assisted_voluntary --assistance cash,gold
bad "a departure before the decision is refused" 'departure date 2026-11-01 is before the decision on 2026-11-10' $W case depart $ID --date 2026-11-01 --type assisted_voluntary
bad "a departure in the future is refused" 'in the future' $W case depart $ID --date 2027-01-01 --type assisted_voluntary
$W case depart $ID --type assisted_voluntary >/dev/null 2>"$T/err"; st=$?
ok "a departure without --date is a usage error" '[ $st -eq 2 ]'
bad "an arrival before any departure is refused" 'no departure recorded' $W case arrive $ID --date 2026-11-21
ok "case depart records the departure and the stage follows" '$W case depart $ID --date 2026-11-20 --type assisted_voluntary --assistance cash,travel && $W case show $ID >"$T/show" && grep -q "^Stage  *departed" "$T/show" && grep -q "^Departed  *2026-11-20 (assisted_voluntary)" "$T/show" && grep -q "assistance granted: cash travel" "$T/show"'
bad "a decision after the departure is refused" 'after the departure' $W case decide $ID withdrawn --date 2026-11-25

# --- consent and referral ---
bad "a referral without consent is refused" 'needs a granted consent share_with_provider for ng-lagos-reintegration (none is recorded)' $W referral send $ID --provider ng-lagos-reintegration --kinds cash
bad "a referral to an unknown provider names it" 'provider "acme"' $W referral send $ID --provider acme --kinds cash
bad "a referral with an unknown kind names it" 'kinds "gold"' $W referral send $ID --provider ng-lagos-reintegration --kinds gold
bad "a referral with an unknown instance names it" 'submission "0ffcbe7b-82d7-4896-ab8e-cbb001dfc396"' $W referral send $ID --provider ng-lagos-reintegration --kinds cash --submission 0ffcbe7b-82d7-4896-ab8e-cbb001dfc396
bad "an unknown purpose names it" 'purpose "gossip"' $W consent record $ID --purpose gossip --granted
bad "sharing needs a recipient" 'needs the recipient' $W consent record $ID --purpose share_with_provider --granted
bad "a recipient that is not a provider is refused" 'recipient "acme"' $W consent record $ID --purpose share_with_provider --granted --recipient acme
bad "an unknown person present is refused" 'present "neighbour"' $W consent record $ID --purpose counselling --granted --present neighbour
$W consent record $ID --purpose counselling --granted --refused >/dev/null 2>"$T/err"; st=$?
ok "--granted with --refused is a usage error" '[ $st -eq 2 ]'
ok "a refused consent is recorded" '$W consent record $ID --purpose share_with_provider --refused --recipient ng-lagos-reintegration && $W case show $ID | grep -q "^  share_with_provider  *ng-lagos-reintegration  *refused"'
bad "a referral after a refusal is refused" 'it was refused' $W referral send $ID --provider ng-lagos-reintegration --kinds cash
ok "a consent for another provider does not count" '$W consent record $ID --purpose share_with_provider --granted --recipient ng-benin-city-shelter --present interpreter && ! $W referral send $ID --provider ng-lagos-reintegration --kinds cash 2>/dev/null'
ok "a withdrawn consent is shown as withdrawn" '$W consent record $ID --purpose share_with_provider --granted --recipient ng-lagos-reintegration && $W consent withdraw $ID --purpose share_with_provider --recipient ng-lagos-reintegration && $W case show $ID | grep -q "^  share_with_provider  *ng-lagos-reintegration  *withdrawn"'
bad "a referral after a withdrawal is refused" 'it was withdrawn' $W referral send $ID --provider ng-lagos-reintegration --kinds cash
bad "withdrawing what is not granted is refused" 'no granted consent to withdraw' $W consent withdraw $ID --purpose health_data
bad "a minor's consent without a guardian is refused" 'guardian' $W consent record $CHILD --purpose share_with_provider --granted --recipient af-kabul-reintegration --present interpreter
ok "a minor's consent with an override reason is recorded" '$W consent record $CHILD --purpose share_with_provider --granted --recipient af-kabul-reintegration --override "guardian unreachable; reception is in the child'"'"'s best interests"'
$W consent record $ID --purpose share_with_provider --granted --recipient ng-lagos-reintegration
REF=$($W referral send $ID --provider ng-lagos-reintegration --kinds cash,medical --urgent 2>"$T/err")
ok "referral send prints the referral id" 'echo "$REF" | grep -Eq "^[0-9a-f]{8}-[0-9a-f]{4}-"'
$W referral list --format tsv >"$T/tsv"
ok "referral list tsv: header, then the referral id first" 'head -1 "$T/tsv" | grep -q "^referral	case	provider	" && grep -q "^$REF	$ID	ng-lagos-reintegration	cash medical	sent	" "$T/tsv"'
bad "an unknown referral status names it" 'status "lost"' $W referral update $REF --status lost
bad "a declined referral needs the reason" 'note is required' $W referral update $REF --status declined
bad "an unknown referral id is refused" 'no referral' $W referral update 0000dead --status accepted
ok "referral update by a prefix records the status" '$W referral update $(echo $REF | cut -c1-8) --status accepted --note "first meeting on 2 December" && $W case show $ID | grep -q "Lagos Reintegration Partner (example) (ng-lagos-reintegration)  accepted"'
ok "referral list --status filters" '[ $($W referral list --status accepted --format tsv | wc -l) -eq 2 ] && [ $($W referral list --status declined --format tsv | wc -l) -eq 1 ]'

# --- arrive, assign, close, reopen ---
bad "an arrival before the departure is refused" 'arrival date 2026-11-19 is before the departure on 2026-11-20' $W case arrive $ID --date 2026-11-19
ok "case arrive records the arrival" '$W case arrive $ID --date 2026-11-21 && $W case show $ID >"$T/show" && grep -q "^Stage  *arrived" "$T/show" && grep -q "^Arrived  *2026-11-21 (confirmed by laptop-1)" "$T/show"'
bad "an unknown role names it" 'role "driver"' $W case assign $ID laptop-1 --role driver
bad "a person nobody has seen is refused" 'person "field-9"' $W case assign $ID field-9 --role field_officer
bad "unassigning someone not assigned is refused" 'unassign: "field-9"' $W case assign $ID laptop-1 --role supervisor --unassign field-9
ok "case assign changes the role and organisation" '$W case assign $ID laptop-1 --role supervisor --org "Example Return Office" --note "covering" && $W case show $ID | grep -q "^  laptop-1  *supervisor  *Example Return Office"'
ok "case list filters by stage, assignee and country" '[ $($W case list --format tsv --stage arrived --assigned me --return-country NG | wc -l) -eq 2 ] && [ $($W case list --format tsv --stage closed | wc -l) -eq 1 ] && [ $($W case list --format tsv --return-country AF | cut -f1 | tail -1) = $CHILD ]'
bad "an unknown close reason names it" 'reason "bored"' $W case close $ID --reason bored
bad "closing for another reason needs a note" 'note is required' $W case close $ID --reason other
bad "reopening an open case is refused" 'is not closed' $W case reopen $ID --reason "new needs"
ok "case close closes the case" '$W case close $ID --reason lost_contact --note "phone off since December" && $W case show $ID >"$T/show" && grep -q "^Stage  *closed" "$T/show" && grep -q "^Status  *closed" "$T/show"'
bad "a closed case takes no milestone" 'is closed' $W case arrive $ID --date 2026-11-22
ok "case reopen reopens it" '$W case reopen $ID --reason "contact again through the family" && $W case show $ID | grep -q "^Stage  *reopened"'

# --- reading a submission back, and correcting it ---
printf 'answer /data/age_asked 35\nanswer /data/return_country_fix NG\nanswer /data/summary "First summary."\n' >"$T/na"
INST=$($W form submit $ID needs-assessment "$T/na" 2>"$T/err")
ok "submission show lists each question with its answer" '$W submission show ${INST#uuid:} >"$T/show" && grep -q "^Return to: Nigeria (from the case). Is this still right?$" "$T/show" && ! grep -q "^How old are you?" "$T/show" && grep -q "^  First summary.$" "$T/show"'
bad "submission show of an unknown instance names it" 'instance id "nothing-here"' $W submission show nothing-here
printf 'answer /data/summary "Corrected summary."\n' >"$T/fix"
FIX=$($W form submit $ID needs-assessment "$T/fix" --corrects $INST 2>"$T/err")
ok "a correction is a new instance naming the old one" '[ -n "$FIX" ] && [ "$FIX" != "$INST" ] && $W submission show $FIX --format xml | grep -q "<deprecatedID>$INST</deprecatedID>" && $W submission show $FIX | grep -q "^  Corrected summary.$" && $W submission show $FIX --format xml | grep -q "<age>36</age>"'
ok "the case keeps the older submission, marked as corrected" '$W case show $ID | grep -q "(corrected by $FIX)"'

# --- the form contract: consents and milestones recorded by finalised forms ---
FC=$($W case add --given-name Ama --family-name Example --birth-date 1990-04-01 --nationality NG --return-country NG --language en)
cat >"$T/fc" <<'EOF'
answer /data/session_date 2026-11-29
answer /data/interpreter_present yes
answer /data/interpreter_language ar
answer /data/preferred_language en
answer /data/age_asked 36
answer /data/consent_counselling yes
answer /data/consent_data no
answer /data/next_appointment 2026-12-05
EOF
ok "a first contact records its consents, with the interpreter present" '$W form submit $FC first-contact "$T/fc" >/dev/null && $W case show $FC >"$T/show" && grep -q "^  counselling  *granted  *2026-11-29  interpreter" "$T/show" && grep -q "^  data_processing  *refused" "$T/show" && grep -q "^Stage  *counselling" "$T/show"'
cat >"$T/fu" <<'EOF'
answer /data/return_country_fix NG
answer /data/visit/visit_round m3
answer /data/visit/arrival_date 2026-08-11
answer /data/visit/visit_date 2026-11-12
answer /data/visit/visit_mode phone
answer /data/visit/reached no
answer /data/visit/not_reached other
answer /data/support/assistance_received none
EOF
ok "a follow-up form gives the arrival date, the round and the follow-up stage" '$W case decide $FC return --date 2026-08-01 && $W case depart $FC --date 2026-08-10 --type assisted_voluntary && $W form submit $FC reintegration-follow-up "$T/fu" >/dev/null && $W case show $FC >"$T/show" && grep -q "^Stage  *follow-up" "$T/show" && grep -q "^Arrived  *2026-08-11 (confirmed by laptop-1)" "$T/show" && grep -q "(round m3)" "$T/show"'

VU=$($W case add --given-name Vera --family-name Example --birth-date 1980-01-01 --nationality NG --return-country NG --language en --vulnerability "medical_needs single_parent")
ok "case list filters by a vulnerability flag, a whole flag only" '[ "$($W case list --format tsv --vulnerability single_parent | tail -n +2 | cut -f1)" = "$VU" ] && [ $($W case list --format tsv --vulnerability single | wc -l) -eq 1 ]'
exit $failed
