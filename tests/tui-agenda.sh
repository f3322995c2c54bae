#!/bin/sh
# Screen test of the agenda (docs/agenda.md): the status line counts the
# person's overdue appointments; F8 on the case list opens the agenda in
# date order with how overdue each is; F4 changes what it shows; Enter
# opens the case.  On the case screen, N sets an appointment, O records
# how one went and M moves one to another day; a child with no parent or guardian linked is flagged as
# possibly unaccompanied until L links one, and J goes to the next member.
. "${top_srcdir:-.}/tests/tui-lib.sh"

HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW
W() { "$HOMEWARD" --workspace "$ws" "$@"; }

make_workspace
ID=$(W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
W case decide "$ID" return --date 2026-06-01 && W case depart "$ID" --date 2026-06-10 --type assisted_voluntary
W case arrive "$ID" --date 2026-06-11
W appointment set "$ID" --date 2026-11-29 --time 10:30 --purpose "Check the housing" --place "Ikeja office" >/dev/null
CH=$(W case add --given-name Lina --family-name Example --birth-date 2014-06-01 \
	--nationality NG --return-country NG --language en)

start HOMEWARD_NOW=$HOMEWARD_NOW
check "the status line counts the person's overdue appointments" wait_for "| 1 overdue"
keys F8
check "F8 opens the agenda, this week first" wait_for "Agenda · this week and overdue"
check "what is overdue comes first in this week's view" wait_line "2026-09-11" "79 days overdue"
check "today's appointment is listed with the case, purpose and place" wait_line "Check the housing" "Yusuf Example"
check "it is due today" wait_line "Check the housing" "today"
check "a round in 12 days is not this week" not_on_screen "Follow-up, 6 months"
keys F4
check "F4: everything planned" wait_for "Agenda · everything planned"
check "in date order: the overdue round first" wait_line "2026-09-11" "79 days overdue"
check "the later rounds follow" wait_line "2027-06-11" "Follow-up, 12 months"
keys F4
check "F4 again: only what is overdue" wait_for "Agenda · overdue"
check "the overdue round is there" wait_for "Follow-up, 3 months"
check "what is not overdue is not" not_on_screen "Check the housing"
keys F4 F4
wait_for "Agenda · this week"
keys Down
wait_line "Check the housing" "today"
keys Enter
check "Enter opens the case" wait_for "Stage: arrived"
check "the case screen lists its appointments" wait_for "Appointments:"

# --- an appointment set from the case screen ------------------------------
keys N
check "N opens the appointment form" wait_for "Set an appointment"
keys Tab
type_text "14:00"
keys Tab Right Tab
type_text "Market stall"
keys Tab
type_text "Business plan"
keys F2
check "the confirmation names what will be recorded" wait_for "Business plan"
keys Enter
check "the appointment is recorded" wait_for "Recorded: Set an appointment"
check "the command line sees it a week from today, by phone" test "$(W agenda --format tsv | awk -F'\t' '$8 == "Business plan" { print $3, $4, $5 }')" = "2026-12-06 14:00 phone"

# --- how an appointment went ------------------------------------------------
keys O
check "O opens the outcome form" wait_for "Record how an appointment went"
keys F2
wait_for "Record this?"
keys Enter
check "the outcome is recorded" wait_for "Recorded: Record how an appointment went"
check "the first planned appointment is done" test "$(W agenda --all --format tsv | awk -F'\t' '$9 == "m3" { print $11 }')" = done
check "the status line has nothing overdue any more" wait_gone "overdue |"

# --- an appointment moved to another day ---------------------------------------
keys M
check "M opens the form to move an appointment" wait_for "Move an appointment to another day"
check "the next planned one is offered: the six-month round" wait_for "Follow-up, 6 months"
check "the new date is a week from today" on_screen "2026-12-06"
keys F2
wait_for "Record this?"
keys Enter
check "the move is recorded" wait_for "Recorded: Move an appointment to another day"
check "the round is on the new day, still the six-month round" test "$(W agenda --format tsv | awk -F'\t' '$9 == "m6" { print $3 }')" = 2026-12-06
check "the old day is marked rescheduled" test "$(W agenda --all --format tsv | awk -F'\t' '$9 == "m6" && $3 == "2026-12-11" { print $11 }')" = rescheduled
keys Escape
wait_for "Agenda · this week"
keys Escape
wait_for "Lina Example"

# --- a child's return file -----------------------------------------------
type_text "Lina"
wait_gone "Yusuf Example"
keys Enter
check "a child with no parent linked is flagged" wait_for "POSSIBLY UNACCOMPANIED"
keys L
check "L opens the family form" wait_for "Link a family member"
type_text "Yusuf Example"
keys Tab Right F2
check "the confirmation names the relation" wait_for "Who they are: parent"
keys Enter
check "the link is recorded" wait_for "Recorded: Link a family member"
check "the flag is gone once a parent is linked" wait_gone "POSSIBLY UNACCOMPANIED"
check "the case screen shows the parent" wait_for "parent: Yusuf Example"
keys J
check "J goes to the next member of the return file" wait_for "son or daughter: Lina Example"
check "the parent's case lists the child" on_screen "Stage: arrived"
keys F10
gone

# --- a form's flag that the birth date contradicts ---------------------------
AD=$(W case add --given-name Adult --family-name Screened --birth-date 1990-01-01 \
	--nationality NG --return-country NG --language en --vulnerability "minor medical")
start HOMEWARD_NOW=$HOMEWARD_NOW
wait_for "Adult Screened"
type_text "Adult"
keys Enter
check "an adult flagged as a minor shows the disagreement" wait_for "DISAGREEMENT"
check "it says the age the birth date gives" wait_for "36. Which holds? Press V."
keys V
check "V asks which holds" wait_for "disagree: which holds?"
keys Enter
check "the birth date holds: the flag is removed, the rest kept" wait_for "Recorded: the flag is removed"
check "the disagreement is gone" wait_gone "DISAGREEMENT"
check "the case keeps its other flags" test "$(W case show "$AD" | sed -n 's/^Vulnerabilities  *//p')" = medical
keys F10
gone

# --- countries and languages by their names, in the reader's language ------
W case add --given-name Karim --family-name Haddad --birth-date 1988-02-03 \
	--nationality IQ --return-country IQ --language ar >/dev/null
start HOMEWARD_NOW=$HOMEWARD_NOW LANGUAGE=fr
wait_for "Karim Haddad"
type_text "Karim"
keys Enter
check "the case screen names the country of return in French, with its code" wait_for "Retour vers: Irak (IQ)"
check "and the language" on_screen "arabe (ar)"
keys F10
gone
finish
