#!/bin/sh
# Screen test: the form picker offers the forms that apply to the case
# (homeward:applies-to): an adult is not offered the child form until the
# counsellor asks to see every form, and then it says why; a child is.
. "${top_srcdir:-.}/tests/tui-lib.sh"

W() { "$HOMEWARD" --workspace "$ws" "$@"; }
make_workspace
ADULT=$(W case add --given-name Omar --family-name Adult --birth-date 1984-03-10 \
	--nationality NG --return-country NG --language en)
W case add --given-name Lina --family-name Child --birth-date 2015-06-01 \
	--nationality AF --return-country AF --language en >/dev/null

start
check "the cases are listed" wait_for "Omar Adult"
type_text "Omar"
wait_gone "Lina Child"
keys Enter
check "the adult's case opens" wait_for "${ADULT%"${ADULT#????????}"}"
keys F3
check "F3 opens the form picker" wait_for "Which form?"
check "the picker offers the needs assessment" on_screen "Needs assessment for return and reintegration"
check "the child form is not offered for an adult" not_on_screen "Child best interests"
check "a row shows every form" on_screen "Show every form, also those that do not apply"
# No form title below that row: it is the last.
nothing_after() {
	! screen | sed -n '/Show every form/,$p' | tail -n +2 |
		grep -qE 'Needs assessment|First contact|Pre-departure|Vulnerability|follow-up'
}
check "the row to show every form is the last" nothing_after
type_text "zqx"
check "typing finds, and says when nothing holds it" wait_for "nothing holds this"
keys Escape
check "Esc clears what was typed, the picker stays" wait_gone "nothing holds this"
check "still the picker" on_screen "Which form?"
type_text "every form"
keys Enter
check "every form is shown on asking" wait_for "Which form? (all forms)"
check "the child form is there, saying why it does not apply" \
	line_has "Child best interests" "does not apply: for minors only"
no_note() { ! line_has "Needs assessment" "does not apply"; }
check "a form that applies has no such note" no_note
keys Escape
check "back on the case" wait_for "Fill in a form..."
keys Escape
check "back on the case list" wait_for "Search:"
keys BSpace BSpace BSpace BSpace
wait_for "Lina Child"
type_text "Lina"
wait_gone "Omar Adult"
check "the child is found" wait_for "Lina Child"
keys Enter
check "the child's case opens" wait_for "Lina Child"
keys F3
check "the picker opens for the child" wait_for "Which form?"
check "the child form is offered for a minor" wait_for "Child best interests"
check "nothing is hidden for a child" not_on_screen "Show every form"
type_text "child best"
keys Enter
check "the child form opens, found by its title" wait_for "Introduce yourself and the interpreter"
keys Escape
wait_for "Lina Child"
keys Escape
keys F10
check "the program quits" gone
finish
