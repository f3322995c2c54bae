#!/bin/sh
# Screen test: open a case through the new-case form (with an invalid field
# first), see it, and find it again with the case list's search field.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
start
check "the case list starts empty" wait_for "No cases yet"

keys F2
check "F2 opens the new-case form" wait_for "Family name"
type_text "Amina"; keys Tab
type_text "Testcase"; keys Tab
type_text "2012-05-01"; keys Tab Tab Right Tab
type_text "Syria"; keys Tab
type_text "ne"; keys Tab
type_text "ar"
keys F2
check "an invalid nationality is refused inline" wait_for "two-letter country code"
check "the refusal keeps the form open" wait_for "Given name"

# Correct the field: the cursor is back on it.
keys BSpace BSpace BSpace BSpace BSpace
type_text "sy"
keys F2
check "the saved case is shown" wait_for "Amina Testcase"
check "a child is marked as such" wait_for "CHILD"
check "the history shows the opening" wait_for "case opened"
check "the status line counts what waits for sync" wait_for "1 change waits for sync"

keys Escape
check "back on the case list" wait_for "Search:"
check "the list shows nationality and country of return" line_has "Amina Testcase" "SY → NE"

# A second case, through the command line, so the search has something to leave out.
"$HOMEWARD" --workspace "$ws" case add --given-name Omar --family-name Other \
	--birth-date 1990-01-01 --nationality NG --return-country NG --language en >/dev/null
keys C-l
type_text "Omar"
check "the search finds the other case" wait_for "Omar Other"
check "the search leaves out what does not match" not_on_screen "Amina Testcase"
keys Escape
type_text "Testc"
check "the search finds the case made on the screen" wait_line "Search:" "Testc"
check "and only that one" wait_gone "Omar Other"
check "the case found is listed" wait_for "Amina Testcase"
type_text "zzz"
check "a search without matches says so" wait_for "No case matches"

keys Escape
keys F9
check "F9 offers the languages by their own names" wait_for "Nederlands"
keys Down Down Enter
check "the interface switches to French at once" wait_for "Langue changée"
check "the case list is in French" wait_for "Chercher"
keys F10
check "F10 quits" gone
check "the chosen language is kept in the settings" \
	test "$("$HOMEWARD" --workspace "$ws" config get ui.language)" = fr
start
check "the next start speaks French" wait_for "Chercher"
keys F10
check "F10 quits again" gone
finish
