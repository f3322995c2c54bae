#!/bin/sh
# Screen test: a submitted child's best-interests assessment shows each
# entry of its repeat of linked adults by the person's name and relation
# ("1. Omar Adult (parent)"), in the reader's language, not as a bare
# number; and the same in `submission show`.
. "${top_srcdir:-.}/tests/tui-lib.sh"

W() { "$HOMEWARD" --workspace "$ws" "$@"; }
make_workspace
ADULT=$(W case add --given-name Omar --family-name Adult --birth-date 1984-03-10 \
	--nationality NG --return-country NG --language en)
GUARD=$(W case add --given-name Mariam --family-name Guardian --birth-date 1976-02-01 \
	--nationality NG --return-country NG --language en)
CHILD=$(W case add --given-name Lina --family-name Child --birth-date 2015-06-01 \
	--nationality NG --return-country NG --language en)
printf '%s\n' 'answer /data/interview/interpreter no' \
	'answer /data/accompaniment/linked_adult[1]/adult_here yes' \
	'answer /data/accompaniment/linked_adult[2]/adult_here no' \
	'answer /data/accompaniment/accompanied parents' \
	'answer /data/views/views_heard fully' \
	'answer /data/safety/safety_risks none' >"$work/answers"
W case link "$CHILD" "$ADULT" --relation parent >/dev/null &&
W case link "$CHILD" "$GUARD" --relation guardian >/dev/null &&
INST=$(W form submit "$CHILD" child-best-interests "$work/answers" 2>"$work/err")
check "a child's assessment with two linked adults is recorded" test -n "$INST"

W submission show "$INST" >"$work/show" 2>&1
shows() { grep -q "^ *$1\$" "$work/show"; }
check "submission show: each entry by name and relation" shows "1. Omar Adult (parent)"
check "... the second one too" shows "2. Mariam Guardian (guardian)"
check "... no entry is a bare number" sh -c '! grep -qE "^ *[0-9]+ *$" "$1"' - "$work/show"

# open_submission: from the case list to the child's submitted form.  The
# case screen's rows: fill, case work, assignee, family, its two members,
# the submitted forms, the submission.  $1: the heading of the submitted
# forms in the screen's language, to know the case screen is drawn.
open_submission() {
	wait_for "Lina Child"
	type_text "Lina"
	wait_gone "Omar Adult"
	keys Enter
	wait_for "$1"
	keys Down Down Down Down Down Down Down Enter
}
start
open_submission "Submitted forms"
check "the submitted form opens" wait_for "Child best interests"
check "the first linked adult's entry names the person and the relation" \
	wait_for "1. Omar Adult (parent)"
check "the second one too" on_screen "2. Mariam Guardian (guardian)"
check "the question under it still names the person" \
	on_screen "Omar Adult (parent): is this person with you here"
bare() { screen | grep -qE "^ *[0-9]+\.? *$"; }
check "no entry is shown as a bare number" eval '! bare'
keys Escape
wait_for "Lina Child"
keys Escape
keys F10
check "the program quits" gone

# In French the relation is named in French.
start LANGUAGE=fr
open_submission "Formulaires soumis"
wait_for "1. Omar Adult (parent)"
keys NPage
check "in French, the relation in French" wait_for "2. Mariam Guardian (tuteur ou tutrice)"
check "... with the person's language beneath" on_screen "2. Mariam Guardian (guardian)"
keys F10
gone
finish
