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

start
wait_for "Leila Resize"
check "at 80x24 the status line is the last row" test "$(row_of 'Tester (counsellor)')" -eq 24
check "at 80x24 the key hints are above it" test "$(row_of 'F1 Help')" -eq 23
age80=$(col_of "Age")

T resize-window -x 120 -y 40
sleep 0.5
check "after growing to 120x40 the status line is the last row" test "$(row_of 'Tester (counsellor)')" -eq 40
check "after growing the name column is wider" test "$(col_of 'Age')" -gt "$age80"
check "after growing the case is still listed" wait_for "Leila Resize"

T resize-window -x 80 -y 24
sleep 0.5
check "back at 80x24 the status line is the last row again" test "$(row_of 'Tester (counsellor)')" -eq 24
check "back at 80x24 the columns are as before" test "$(col_of 'Age')" -eq "$age80"

# Too small to be useful, but it must not break; then back to normal.
T resize-window -x 30 -y 6
sleep 0.5
T resize-window -x 80 -y 24
sleep 0.5
check "after a tiny size the screen is drawn again" wait_for "Leila Resize"

# A resize while filling in a form.
keys Enter
wait_for "Fill in a form"
keys Enter Down Enter
wait_for "Question 1 of"
T resize-window -x 100 -y 30
sleep 0.5
check "a form survives a resize" wait_for "Question 1 of"
check "its progress is at the right edge" \
	test "$(printf '%s' "$(line_with 'Question 1 of' | sed 's/ *$//')" | wc -m)" -eq 99
keys F10
check "the program quits" gone
finish
