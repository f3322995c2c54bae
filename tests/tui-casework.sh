#!/bin/sh
# Screen test: case work on the case screen.  A submitted form read back in
# Arabic with the returnee's English beneath; closing a case, cancelled
# (nothing recorded) then confirmed (case.closed, the stage shows closed);
# a departure refused before a decision to return, with the error line on
# the form and nothing recorded; a decision and a departure recorded.
. "${top_srcdir:-.}/tests/tui-lib.sh"

HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW
W() { "$HOMEWARD" --workspace "$ws" "$@"; }
# How many events of a type the case holds (from the command line).
count_events() { W case show "$1" | grep -c "  $2  "; }

make_workspace
ID=$(W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
printf 'answer /data/return_country_ok no\nanswer /data/return_country_fix NG\nanswer /data/return_place Lagos\nanswer /data/summary "Needs a small business grant."\n' >"$work/na"
W form submit "$ID" needs-assessment "$work/na" >/dev/null
# Logical order, so that the Arabic can be matched as stored.
W config set ui.bidi off >/dev/null

# --- reading a submission: Arabic labels, English beneath -----------------
start HOMEWARD_NOW=$HOMEWARD_NOW LANGUAGE=ar
check "the case is listed" wait_for "Yusuf Example"
keys Enter
check "the case screen opens" wait_for "${ID%"${ID#????????}"}"
# Fill, the case-work header, the assignee, the submissions header, the submission.
keys Down Down Down Down Enter
check "Enter on a submitted form opens it (title in Arabic)" wait_for "استمارة مُرسلة:"
# The country of return came from the case: the first question asks whether it is still right.
check "the question is labelled in the counsellor's language (Arabic)" wait_for "العودة إلى: نيجيريا (من الملف)"
below_arabic() { screen | grep -A1 -F "العودة إلى: نيجيريا" | tail -n 1 | grep -qF "Return to: Nigeria (from the case)"; }
check "the returnee's language (English) is beneath" poll below_arabic
check "the answer is shown" wait_for "Lagos"
check "a choice's answer is shown by its label" wait_for "Nigeria"
check "the reader says it is read-only" wait_for "(للقراءة فقط)"
keys F7
check "F7 hides the returnee's language" wait_gone "Return to: Nigeria (from the case)"
check "the Arabic label stays" on_screen "العودة إلى: نيجيريا"
keys PageDown PageDown PageDown PageDown PageDown PageDown
check "the reader scrolls to the long text at the end" wait_for "Needs a small business grant."
keys Escape
check "Esc goes back to the case" wait_for "Yusuf Example"
keys F10
check "the program quits" gone

# --- closing: the confirmation cancelled records nothing, confirmed closes -
W config set ui.bidi on >/dev/null
start HOMEWARD_NOW=$HOMEWARD_NOW
check "the case list shows the stage" wait_line "Yusuf Example" "counselling"
keys Enter
check "the case screen shows the stage" wait_for "Stage: counselling"
keys F1
check "F1 opens the help of the case screen" wait_for "Record a step of case work"
keys PageDown
check "F1 lists the close action" wait_for "Close the case, or reopen it when it is closed"
check "F1 lists the referral action" on_screen "Refer the case to a reintegration provider"
keys Escape
check "back from the help" wait_for "Stage: counselling"
keys X
check "X opens the close form" wait_for "Close the case"
check "the reasons are offered" wait_for "Lost contact"
keys Right Right F2
check "F2 asks before recording, saying what" wait_for "Reason: Lost contact"
keys n
check "another key than Enter cancels" wait_for "Not recorded"
check "the cancelled close recorded nothing" test "$(count_events "$ID" case.closed)" -eq 0
check "the form stays open after a cancel" on_screen "Declined assistance"
keys F2
check "F2 asks again" wait_for "Record this?"
keys Enter
check "Enter records it and says so" wait_for "Recorded: Close the case"
check "the stage shows closed" wait_line "Stage:" "closed  2026-11-29"
check "the case work lists the closing with its reason" wait_line "Closed" "Lost contact"
check "the history shows it" wait_for "case closed"
check "one case.closed event is recorded" test "$(count_events "$ID" case.closed)" -eq 1
check "the command line agrees: closed" sh -c "'$HOMEWARD' --workspace '$ws' case show $ID | grep -q '^Stage  *closed'"
keys F4
check "F4 offers reopening a closed case" wait_for "Reopen the case"
keys Escape
wait_gone "Reopen the case"
keys X
check "X on a closed case opens the reopen form" wait_for "Why the case is opened again"
keys F2 Enter
check "reopening needs a reason, said on the form" wait_for 'Reason "" is not accepted'
type_text "Contact again through the family"
keys F2
check "the confirmation quotes the reason" wait_for "Reason: Contact again through the family"
keys Enter
check "the case is reopened" wait_for "Stage: reopened  2026-11-29"
keys X
check "X closes it again" wait_for "Declined assistance"
keys Right Right F2 Enter
check "closed again" wait_for "Stage: closed  2026-11-29"
keys Escape
check "back on the list, the stage is closed" wait_line "Yusuf Example" "closed"
keys F10
check "the program quits again" gone

# --- a departure before a decision to return is refused ------------------
ID2=$(W case add --given-name Lina --family-name Demo --birth-date 1995-06-01 \
	--nationality AF --return-country AF --language fa)
start HOMEWARD_NOW=$HOMEWARD_NOW
check "the second case is listed" wait_for "Lina Demo"
type_text "Lina"
check "the search leaves the second case only" wait_gone "Yusuf Example"
keys Enter
check "its case screen opens" wait_for "Stage: identified"
keys P
check "P opens the departure form with today's date" wait_for "2026-11-29"
keys Tab Space F2 Enter
check "the refusal is an error line on the form" wait_for "Nothing was recorded: departure: the decision is not recorded yet"
check "the form stays open" on_screen "Type of return"
check "no departure is recorded" test "$(count_events "$ID2" case.departed)" -eq 0
# A date in the future is refused naming the field and the value.
keys BTab End BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
type_text "2027-01-01"
keys F2 Enter
check "a date in the future names the field and the value" wait_for 'Date "2027-01-01" is not accepted'
check "still nothing is recorded" test "$(count_events "$ID2" case.departed)" -eq 0
keys Escape
check "Esc leaves the form without recording" wait_for "Left without recording anything"

# The decision first, then the departure.
keys D
check "D opens the decision form" wait_for "Record the decision"
keys Space F2
check "the confirmation names the decision" wait_for "Decision: Return"
keys Enter
check "the decision is recorded" wait_for "Stage: decided  2026-11-29"
keys P
check "the departure form opens again" wait_for "Record the departure"
keys Tab Space Tab Space Right Space F2
check "the confirmation lists the assistance" wait_for "Assistance granted: Cash, In kind"
keys Enter
check "the departure is recorded and the stage follows" wait_for "Stage: departed  2026-11-29"
check "the milestone shows the type of return" wait_line "Departed" "Assisted voluntary"
check "one case.departed event" test "$(count_events "$ID2" case.departed)" -eq 1
keys A
check "A opens the arrival form" wait_for "Record the arrival"
keys F2 Enter
check "the arrival is recorded and the stage follows" wait_for "Stage: arrived  2026-11-29"
check "the arrival shows who confirmed it" wait_line "Arrived" "confirmed by t1"

# Assigning: a person nobody has seen is refused, naming the field and the value.
keys T
check "T opens the assignment form" wait_for "Assign or transfer the case"
type_text "field-9"
keys Tab Right Right F2 Enter
check "an unknown person is refused on the form" wait_for 'Person "field-9" is not accepted'
check "no assignment is recorded" test "$(count_events "$ID2" case.assigned)" -eq 0
keys BTab BSpace BSpace BSpace BSpace BSpace BSpace BSpace
type_text "t1"
keys Tab Tab
type_text "Example Return Office"
keys F2 Enter
check "the assignment is recorded" wait_for "Recorded: Assign or transfer the case"
check "the case shows the new role and organisation" wait_line "t1" "Field officer, Example Return Office"
keys F10
check "the program quits at the end" gone

# --- hostile answers: escape sequences and bidi overrides never reach the terminal
ID3=$(W case add --given-name Hana --family-name Hostile --birth-date 1990-01-01 \
	--nationality NG --return-country NG --language en)
printf 'answer /data/age_asked 40\nanswer /data/summary "clear \033[2J\033]2;pwned\007 then \342\200\256 reversed end"\n' >"$work/bad"
W form submit "$ID3" needs-assessment "$work/bad" >/dev/null
start HOMEWARD_NOW=$HOMEWARD_NOW
check "the hostile case is listed" wait_for "Hana Hostile"
type_text "Hana"
wait_gone "Lina Demo"
keys Enter
check "its case screen opens" wait_for "Stage: counselling"
keys Down Down Down Down Enter
check "the reader opens" wait_for "Return to: Nigeria (from the case)"
keys End
check "the hostile answer is shown as text" wait_line "clear" "reversed end"
check "its escape sequences did not clear the screen" on_screen "Submitted: Needs assessment"
check "nor set the terminal's title" sh -c "! '$TMUX_BIN' -L '$sock' display -p '#{pane_title}' | grep -q pwned"
check "the override did not reverse the text" line_has "then" "reversed end"
keys F10
check "the program quits after the hostile answer" gone
finish
