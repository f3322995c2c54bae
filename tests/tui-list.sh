#!/bin/sh
# Screen test: the case list counts the cases (and the matches of a search)
# in its title, and F6 (or Ctrl-O) sorts it by name, age, stage and last
# change, saying which in the title.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
# One a minute, so the order of the last changes is known.
minute=0
add() {
	minute=$((minute + 1))
	HOMEWARD_NOW="2026-12-01T10:0$minute:00Z" "$HOMEWARD" --workspace "$ws" case add \
		--given-name "$1" --family-name "$2" ${3:+--birth-date "$3"} >/dev/null
}
add Zainab "Ølund" 2010-03-01
add ahmad Nilsen 1980-01-01
add "Émile" Aalto
add Nadia "الأحمد" 2001-12-31

# The given names on the screen, top to bottom.
order() { screen | grep -oE "ahmad|Émile|Nadia|Zainab" | tr '\n' ' '; }
# order_is EXPECTED: the rows are in this order (waiting for the redraw).
order_is() {
	i=0
	while [ $i -lt 30 ]; do
		[ "$(order)" = "$1" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# order: $(order)"
	return 1
}

start HOMEWARD_NOW=2026-12-03T12:00:00Z
check "the title counts the cases" wait_for "4 cases"
check "and says the order and the key that changes it" wait_for "sorted by last change (F6)"
type_text "n"
check "a search counts what it finds of all the cases" wait_for "2 of 4 match"
check "a one-letter search finds the names that start with it" order_is "Nadia ahmad "
keys BSpace
type_text "olund"
check "one match is counted as such" wait_for "1 of 4 matches"
keys Escape
check "clearing the search counts all the cases again" wait_for "4 cases"

keys F6
check "F6 sorts by name" wait_for "sorted by name (F6)"
check "by name: case and accents do not count" order_is "ahmad Émile Nadia Zainab "
keys F6
check "F6 again sorts by age" wait_for "sorted by age (F6)"
check "by age: the youngest first, no birth date last" order_is "Zainab Nadia ahmad Émile "
keys C-o
check "Ctrl-O does the same as F6: by stage" wait_for "sorted by stage (F6)"
# All four are at the same stage: the last change decides.
check "by stage: one stage, the latest change first" order_is "Nadia Émile ahmad Zainab "
keys F6
check "and back to the last change" wait_for "sorted by last change (F6)"
check "by last change: the latest first" order_is "Nadia Émile ahmad Zainab "
type_text "nilsen"
check "a sorted search still counts" wait_for "1 of 4 matches"
keys F10
check "F10 quits" gone
finish
