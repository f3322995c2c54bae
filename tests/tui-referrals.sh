#!/bin/sh
# Screen test: consent, referral and its update on the case screen; the
# referral list of the caseload; the case list's filters by stage and
# vulnerability.  A referral is refused without the consent it needs, and
# a declined referral without its reason, each saying so on the form.
. "${top_srcdir:-.}/tests/tui-lib.sh"

HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW
W() { "$HOMEWARD" --workspace "$ws" "$@"; }
count_events() { W case show "$1" | grep -c "  $2  "; }

make_workspace
ID=$(W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
printf 'answer /data/age_asked 35\nanswer /data/return_country_fix NG\n' >"$work/na"
W form submit "$ID" needs-assessment "$work/na" >/dev/null
W case add --given-name Omar --family-name Other --birth-date 1985-02-01 \
	--nationality AF --return-country AF --language fa >/dev/null
W case add --given-name Vera --family-name Fragile --birth-date 1980-01-01 \
	--nationality NG --return-country NG --language en --vulnerability "medical_needs single_parent" >/dev/null

start HOMEWARD_NOW=$HOMEWARD_NOW
check "three cases are listed" wait_for "Vera Fragile"

# --- filters -------------------------------------------------------------
keys F4
check "F4 offers the filters" wait_for "Vulnerability..."
keys Enter
check "the stages are offered" wait_for "pre-departure"
keys Down Down Enter
check "filtered by stage: the case in counselling stays" wait_for "stage: counselling"
check "the other cases are left out" wait_gone "Vera Fragile"
check "the case in counselling is listed" on_screen "Yusuf Example"
keys F4
wait_for "Vulnerability..."
keys End Enter
check "no filters: every case again" wait_for "Omar Other"
keys F4
wait_for "Vulnerability..."
keys Down Down Down Enter
check "the vulnerability flags the cases hold are offered" wait_for "single_parent"
keys Down Enter
check "filtered by a flag: the case with it stays" wait_for "vulnerability: medical_needs"
check "the cases without it are left out" wait_gone "Yusuf Example"
check "the case with the flag is listed" on_screen "Vera Fragile"
keys F4
wait_for "Vulnerability..."
keys End Enter
wait_for "Omar Other"

# --- a referral without consent is refused -------------------------------
type_text "Yusuf"
wait_gone "Omar Other"
keys Enter
check "the case screen opens" wait_for "Stage: counselling"
keys R
check "R opens the referral form" wait_for "Refer to a provider"
check "the providers of the country of return are offered" wait_for "Lagos Reintegration Partner"
check "providers of other countries are not" not_on_screen "Kabul"
keys Right Tab Space F2 Enter
check "without consent the referral is refused on the form" wait_for "needs a granted"
check "nothing is recorded" test "$(count_events "$ID" referral.sent)" -eq 0
keys Escape
wait_for "Left without recording"

# --- consent to share with the provider, then the referral ---------------
keys C
check "C opens the consent form" wait_for "Record a consent"
keys Right Right Right Tab Tab Right Tab Right Space F2
check "the confirmation names the purpose" wait_for "Purpose: Share with a provider; Answer: granted"
check "the confirmation names the recipient" wait_for "Lagos Reintegration Partner (example) (ng-lagos-reintegration); Present"
check "the confirmation names who was present" wait_for "Interpreter. Record this?"
keys Enter
check "the consent is recorded" wait_for "Recorded: Record a consent"
check "the case shows the consent" wait_line "Share with a provider" "granted"
keys R
wait_for "Refer to a provider"
# Provider: Lagos; kinds: cash and medical; the needs assessment; urgent.
keys Right Tab Space Right Right Right Right Right Right Right Space Tab Space Tab Right F2
check "the confirmation lists the kinds and the form sent with it" wait_for "Cash, Medical"
keys Enter
check "the referral is recorded" wait_for "Recorded: Refer to a provider"
check "the case shows the referral, sent today" wait_line "Sent 2026-11-29 (sent today)" "Lagos Reintegration Partner"
check "one referral.sent event" test "$(count_events "$ID" referral.sent)" -eq 1

# --- the referral's update: declined needs its reason --------------------
# Fill, the case-work header, the assignee, the consents, the consent, the referrals, the referral.
keys Down Down Down Down Down Down
check "the referral line can be selected" wait_for "Sent 2026-11-29 (sent today)"
keys Enter
check "Enter on the referral opens its update" wait_for "Update a referral"
check "the referral is chosen" wait_for "(Sent, 2026-11-29)"
keys Tab Right Right F2 Enter
check "declined without a reason is refused, naming the note" wait_for "note is required"
check "no update is recorded" test "$(count_events "$ID" referral.updated)" -eq 0
keys Tab
type_text "No places until March"
keys F2 Enter
check "the update is recorded" wait_for "Recorded: Update a referral"
check "the case shows the new status" wait_line "Declined 2026-11-29" "Lagos Reintegration Partner"

# --- the referral list of the caseload -----------------------------------
keys Escape
check "back on the case list" wait_for "Search:"
keys F7
check "F7 lists the referrals" wait_for "Case and provider"
check "the referral is listed with its case, provider and status" \
	wait_line "Yusuf Example" "Declined"
check "with how long it has waited" line_has "Yusuf Example" "0 days"
keys Enter
check "Enter opens the case" wait_for "Stage: counselling"
keys Escape
check "back on the referral list" wait_for "Case and provider"
keys F10
check "the program quits" gone
finish
