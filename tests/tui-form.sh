#!/bin/sh
# Screen test: fill in a form for a case, answer through the screen, check
# the answers are shown; kill the program with SIGKILL in the middle of the
# form, start it again, resume the draft and find every answer still there.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Omar --family-name Other \
	--birth-date 1990-01-01 --nationality NG --return-country NG --language en >/dev/null

start
wait_for "Omar Other"
keys Enter
check "the case opens" wait_for "Fill in a form"
keys Enter
check "the installed forms are offered" wait_for "First contact"
# The form by its title: the picker finds what is typed.
type_text "First contact"
keys Enter
check "the form opens at its first question" wait_for "Question 1 of"
check "a date question says how to write it" wait_for "YYYY-MM-DD"

keys PgDn
check "a required question cannot be skipped" wait_for "This question needs an answer"
type_text "29-11-2026"; keys Enter
check "a value of the wrong type is refused with the reason" wait_for "Not accepted"
keys C-k
type_text "2026-11-29"
wait_for "2026-11-29"
keys Enter
check "a valid answer is saved at once, and the next question follows" wait_for "Question 2 of"
check "saving says so" wait_for "Saved."
keys Enter Enter
check "a select question lists its choices" wait_for "( ) No"
keys Down Enter
check "choosing moves on to the next question" wait_for "Language: English (from the case)"
# Not the case's language: the list of languages, and another one typed.
keys Down Enter
wait_for "In which language"
i=0; while [ $i -lt 16 ]; do keys Down; i=$((i + 1)); done
keys Enter
wait_for "Which language?"
type_text "Hausa"
wait_for "> Hausa"
check "typing clears the last message" wait_gone "Saved."
keys Tab
check "typed text is saved when leaving the field" wait_for "Saved."

keys F8
check "the review shows the typed date" wait_for "2026-11-29"
check "the review shows the chosen label" line_has "interpreter" "No"
check "the review shows the typed text" wait_for "Hausa"

# Back to a question and answer something else, then die without warning.
keys Enter
wait_for "Question 1 of"
pid=$(program_pid)
kill -9 "$pid"
check "the program is gone after SIGKILL" gone

# Start again, this time with the interface in Dutch: the form stays in
# the returnee's language (English) with the counsellor's Dutch beneath.
start LANGUAGE=nl
wait_for "Omar Other"
keys Enter
check "the case lists the draft" wait_for "Concept: First contact"
keys r
check "resuming says the earlier answers are kept" wait_for "Concept hervat"
keys F8
check "after the crash the date is still there" wait_for "2026-11-29"
check "after the crash the choice is still there" line_has "interpreter" "No"
# The language typed is further down the review: go there, and back.
keys Down Down Down Down Down Down
check "after the crash the typed text is still there" wait_for "Hausa"
keys Up Up Up Up Up Up

keys Down Down Down Enter
check "the review leads back to a question" wait_for "Is an interpreter present?"
check "the bilingual view shows the Dutch text beneath" wait_for "Is er een tolk aanwezig?"
keys F7
check "the bilingual view can be turned off" wait_gone "Is er een tolk aanwezig?"
keys F7
wait_for "Is er een tolk aanwezig?"

keys F8 F2
check "finalising with required answers missing is refused" wait_for "Niet afgerond"
check "the missing answers are marked" wait_for "heeft een antwoord nodig"
keys Escape
check "closing the form keeps the draft" wait_for "Het concept blijft bewaard"
finish
