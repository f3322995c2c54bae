#!/bin/sh
# Screen test: the layout follows the terminal's size: the status line stays
# on the last row and the columns widen, at 80x24 and after resizing.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Leila --family-name Resize \
	--birth-date 1985-06-15 --nationality IR --return-country IR --language fa >/dev/null

# The number of the row (1-based) that holds TEXT.
row_of() { screen | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }
# The column (1-based) where TEXT starts on its row.
col_of() { screen | grep -F -- "$1" | head -n 1 | awk -v t="$1" '{ print index($0, t) }'; }
# row_is TEXT N: TEXT is on row N now.
row_is() { test "$(row_of "$1")" = "$2"; }
test_wider() { test "$(col_of 'Age')" -gt "$1"; }
col_is() { test "$(col_of 'Age')" = "$1"; }

start
wait_for "Leila Resize"
check "at 80x24 the status line is the last row" row_is 'Tester (counsellor)' 24
check "at 80x24 the key hints are above it" row_is 'F1 Help' 23
age80=$(col_of "Age")

T resize-window -x 120 -y 40
check "after growing to 120x40 the status line is the last row" poll row_is 'Tester (counsellor)' 40
check "after growing the name column is wider" poll test_wider "$age80"
check "after growing the case is still listed" wait_for "Leila Resize"

T resize-window -x 80 -y 24
check "back at 80x24 the status line is the last row again" poll row_is 'Tester (counsellor)' 24
check "back at 80x24 the columns are as before" poll col_is "$age80"

# Too small to be useful, but it must not break; then back to normal.
T resize-window -x 30 -y 6
check "at a tiny size the status line is still the last row" poll row_is 'waits for sync' 6
T resize-window -x 80 -y 24
check "after a tiny size the screen is drawn again" poll row_is 'Leila Resize' 4

# A resize while filling in a form.
keys Enter
wait_for "Fill in a form"
keys Enter Down Enter
wait_for "Question 1 of"
T resize-window -x 100 -y 30
progress_at() { test "$(printf '%s' "$(line_with 'Question 1 of' | sed 's/ *$//')" | wc -m)" -eq "$1"; }
check "a form survives a resize, its progress at the new right edge" poll progress_at 99
keys F10
check "the program quits" gone
finish
