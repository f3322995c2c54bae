#!/bin/sh
# Screen test: the Reports screen (Ctrl-R on the case list) draws the
# caseload, timeliness, returns and referrals as bar charts, range bars of
# days and a sparkline with block characters, and the follow-up rounds and
# mean scores; a count under the threshold is "<5" with no bar until F3
# shows it exactly, on the screen only, and the other bars are scaled on the
# figures shown; a month of the sparkline under the threshold is a shade,
# never a height, and a legend says so; vulnerability flags and countries are named in words, in
# the reader's language; in Arabic the charts are
# mirrored (labels on the right, bars growing leftwards, time running
# right to left); in a locale that is not UTF-8 they are plain ASCII.
#
# The fixture, counted by hand: 8 cases; 6 NG cases departed (5 in October
# 2026 with assisted voluntary return and cash, 1 in December, forced),
# 2 IQ cases identified.  Stages: departed 6, identified 2 (<5).
# Vulnerability: medical NG1-6 (6), trafficking NG1-5 (5), unfit to travel
# IQ1 (<5).  Countries of return: Nigeria 6, Iraq 2 (<5).
# Returns per month: 2026-10 5, 2026-11 none, 2026-12 1 (<5).
# Timeliness (cases opened 2026-09-01, today 2026-12-20): first contact to
# decision 9 days for NG1-5 (median and 90th percentile 9); decision to
# departure 31 to 35 days (median 33, 90th percentile the 5th of 5: 35);
# waiting over 30 days: for a decision IQ1, IQ2 and NG6 (<5), for an
# arrival NG1-5 (NG6 left 18 days ago).
# Referrals to Lagos sent 2026-09-05: NG1-5 accepted after 1, 2, 3, 4 and
# 10 days (median 3, 90th percentile 10), NG6 declined, "no capacity".
. "${top_srcdir:-.}/tests/tui-lib.sh"

hw() { "$HOMEWARD" --workspace "$ws" "$@"; }
add() {
	hw case add --given-name Case --family-name "$1" --birth-date 1990-01-01 \
		--nationality "$1" --return-country "$1" --language en
}
{
	HOMEWARD_NOW=2026-09-01T10:00:00Z; export HOMEWARD_NOW
	hw init --device-id sup --name Sam --role supervisor &&
	for i in 1 2 3 4 5 6; do add NG >"$work/ng$i" || exit 1; done &&
	add IQ >"$work/iq1" && add IQ >/dev/null &&
	for i in 1 2 3 4 5; do
		hw case update "$(cat "$work/ng$i")" vulnerability "medical trafficking" || exit 1
	done &&
	hw case update "$(cat "$work/ng6")" vulnerability medical &&
	hw case update "$(cat "$work/iq1")" vulnerability unfit_to_travel &&
	HOMEWARD_NOW=2026-12-20T10:00:00Z &&
	for i in 1 2 3 4 5; do
		hw case decide "$(cat "$work/ng$i")" return --date 2026-09-10 &&
		hw case depart "$(cat "$work/ng$i")" --date 2026-10-1$i --type assisted_voluntary \
			--assistance cash || exit 1
	done &&
	hw case depart "$(cat "$work/ng6")" --date 2026-12-02 --type forced &&
	HOMEWARD_NOW=2026-09-05T10:00:00Z &&
	for i in 1 2 3 4 5 6; do
		hw consent record "$(cat "$work/ng$i")" --purpose share_with_provider --granted \
			--recipient ng-lagos-reintegration --present interpreter &&
		hw referral send "$(cat "$work/ng$i")" --provider ng-lagos-reintegration \
			--kinds cash >"$work/ref$i" || exit 1
	done &&
	for i in 1 2 3 4 5; do
		HOMEWARD_NOW=2026-09-0$((5 + i))T10:00:00Z
		[ $i = 5 ] && HOMEWARD_NOW=2026-09-15T10:00:00Z
		hw referral update "$(cat "$work/ref$i")" --status accepted || exit 1
	done &&
	hw referral update "$(cat "$work/ref6")" --status declined --note "no capacity" &&
	HOMEWARD_NOW=2026-12-20T10:00:00Z
} >"$work/setup.log" 2>&1
check "the fixture is recorded" test $? = 0

# The column (0-based) where TEXT starts on a line, or -1.
col() { python3 -c 'import sys; print(sys.argv[1].find(sys.argv[2]))' "$1" "$2"; }
# The columns a line takes up to its last character (combining marks take none).
width() { python3 -c 'import sys, unicodedata
print(sum(0 if unicodedata.combining(c) else 1 for c in sys.argv[1].rstrip()))' "$1"; }
# A line of the screen matches the extended regular expression.
somewhere() { screen | grep -qE -- "$1"; }
# Nothing on the screen matches the extended regular expression.
nowhere() { ! screen | grep -qE -- "$1"; }

start
wait_for "Case NG"
keys C-r
check "Ctrl-R opens the reports, caseload first" wait_for "Reports · Caseload"
check "the total is a number" wait_for "All cases: 8"
check "the stages are a bar chart" wait_line "departed" "6 ██████"
check "a small count is <5" line_has "identified" "<5"
# no_bar LABEL: LABEL is on the screen and its line has no bar.
no_bar() { _l=$(line_with "$1"); [ -n "$_l" ] && ! printf "%s" "$_l" | grep -qE "[█░▌▐#]"; }
check "a withheld count draws no bar" no_bar "identified"
# bars LABEL: the columns of block characters on LABEL's line.
bars() { line_with "$1" | python3 -c 'import sys; print(sum(c in "█▌▐" for c in sys.stdin.read()))'; }
# 80 columns: a label of 26, the count of 6, the bar of 44.
check "the largest figure shown has the whole width" test "$(bars departed)" -eq 44
check "countries of return by name" line_has "Nigeria" "6 █"
check "a country's withheld count has no bar" no_bar "Iraq"
check "no country shown as its code" nowhere "^ *(NG|IQ) "
keys End
check "vulnerability flags are words, not codes" wait_line "Medical needs" "6 █"
check "each flag in words" line_has "Signs of trafficking" "5 █"
check "no flag is shown as its code" nowhere "^ ?(medical|trafficking|unfit_to_travel) "
check "a bar is scaled on the figures shown: 5 of 6 (44 columns) is 37" \
	test "$(bars "Signs of trafficking")" -eq 37
check "a withheld flag: <5 and no bar, not a full-width shade" line_has "Unfit to travel" "<5"
check "... and no bar" no_bar "Unfit to travel"
keys F3
check "with exact counts, bars for all, scaled on them" wait_line "Unfit to travel" " 1 █"
check "... 1 of 6 is seven columns and a half" test "$(bars "Unfit to travel")" -eq 8
keys F3 Home
wait_line "Unfit to travel" "<5"
wait_for "identified"
check "the key to show exact counts is offered" line_has "F3" "Exact counts"
check "the exact small count is not shown" nowhere "identified +2 "
keys F3
check "F3 shows the exact count" wait_line "identified" " 2 █"
check "and says it is for this screen only" on_screen "on this screen only"
keys F3
check "F3 again hides it" wait_line "identified" "<5"
keys Tab
check "Tab goes to the timeliness" wait_for "Reports · Timeliness"
check "the days between steps, median and 90th percentile" \
	wait_for "Days between steps: the median, shaded to the 90th percentile"
check "first contact to decision: 5 cases, 9 days" line_has "First contact → Decision" "9 / 9 d"
check "decision to departure: median 33, 90th percentile 35" line_has "Decision → Departure" "33 / 35 d"
check "its bar is solid to the median, shaded to the 90th percentile" \
	sh -c 'printf "%s" "$1" | grep -qE "5 █+░+ +33 / 35 d"' - "$(line_with "Decision → Departure")"
check "no arrivals: a dash, no bar" somewhere "Departure → Arrival +0 +—$"
check "the waiting cases, with the threshold" on_screen "Waiting longer than 30 days for the next step"
waiting() { screen | sed -n '/Waiting longer/,$p' | grep -F -- "$1" | grep -qF -- "$2"; }
check "three waiting for a decision: <5" waiting "First contact → Decision" "<5"
waiting_bar() { screen | sed -n '/Waiting longer/,$p' | grep -F -- "$1" | grep -qE "[█░]"; }
check "... with no bar" eval '! waiting_bar "First contact → Decision"' 
check "none decided waits for a departure" waiting "Decision → Departure" " 0"
check "five waiting for an arrival" waiting "Departure → Arrival" "5 █"
keys Tab
check "Tab goes to the returns" wait_for "Reports · Returns"
check "the returns' total" wait_for "All returns: 6"
# October (5: the tallest), November (none: a blank), December (<5: not a
# height, the shade the legend explains).
check "the sparkline runs from October to December" on_screen "  █ ░"
check "a withheld month is not drawn as the lowest block" nowhere "▁"
check "its first month is named under it" on_screen "2026-10"
check "the legend says what the shade means" on_screen "░ a month of <5 returns: its height is not shown"
keys F3
check "with exact counts December is a height: 1 of 5" wait_for "  █ ▂"
check "... and the legend is gone" not_on_screen "a month of <5 returns"
keys F3
wait_for "  █ ░"
check "returns by type of return" line_has "Assisted voluntary" "5 █"
check "the forced return is <5" line_has "Forced" "<5"
check "returns by country, by name" line_has "Nigeria" "6 █"
check "kinds of assistance granted" line_has "Cash" "5 █"
keys Tab
check "Tab goes to the referrals" wait_for "Reports · Referrals"
check "the provider by its name" wait_for "Lagos Reintegration Partner (example)"
check "referrals accepted now" line_has "Accepted" "5 █"
check "the declined one is <5" line_has "Declined" "<5"
check "days to acceptance: median 3, 90th percentile 10" line_has "Days to acceptance" "3 / 10 d"
check "the reason of the declined one" line_has "Declined: no capacity" "<5"
keys Tab
check "Tab goes to the follow-up" wait_for "Reports · Follow-up"
check "no follow-up here: said in words" wait_for "No follow-up rounds in this period."
keys Tab
check "Tab comes back to the caseload" wait_for "Reports · Caseload"
keys Escape
check "Esc goes back to the list" wait_for "Case NG"
keys F10
gone

# Arabic: the same charts, mirrored.
start LANGUAGE=ar
wait_for "NG"
keys C-r
check "the reports open in Arabic" wait_for "<5"
line=$(line_with "<5")
check "the count is left of the label" \
	test "$(col "$line" "<5")" -gt 0
check "a withheld count has no bar in Arabic either" sh -c '! printf "%s" "$1" | grep -qE "[█░]"' - "$line"
check "the country by its name in Arabic, not its code" nowhere "█ 6 +NG$"
check "... in Arabic letters" somewhere "█ 6 +[^ -~]+$"
check "a vulnerability flag in Arabic, not its code" nowhere "(medical|trafficking) "
bar=$(screen | grep "█ 6 " | head -n 1)
check "a solid bar ends left of its count, the label after it" \
	sh -c 'printf "%s" "$1" | grep -qE "█ 6 +[^ ]"' - "$bar"
check "the label ends at the right edge" test "$(width "$bar")" -eq 79
check "a label in Latin letters is right-aligned too" somewhere "█ 8 +sup$"
keys Tab
# Read from the right: the median, then the 90th percentile.
check "the timeliness in Arabic" wait_for "35 / 33"
check "the days are left of the range bar, its shaded end first" \
	sh -c 'printf "%s" "$1" | grep -qE " 35 / 33 ░+█+ 5 "' - "$(line_with "35 / 33")"
keys Tab
check "the returns in Arabic: time runs right to left" wait_for "░ █"
check "not left to right" nowhere "█ ░"
# The legend's "<5" is mirrored with the text around it: "5>" on the screen.
legend=$(screen | grep "░" | grep -F "5>" | head -n 1)
check "the legend in Arabic, with the shade and <5, right-aligned under the sparkline" \
	eval '[ -n "$legend" ] && [ "$(width "$legend")" -eq 78 ]'
keys F10
gone

# The follow-up, on a workspace of its own: six cases arrived on
# 2026-01-10, so rounds m3 (2026-04-10), m6 (2026-07-10) and m12 are
# scheduled for each; five m3 visits with the answers of
# tests/scenarios/forms/reintegration-follow-up-6-months.steps (scores
# economic 0.65, social 0.8, psychosocial 0.58, overall 0.67).  On
# 2026-08-01: m3 due 6, done 5, overdue 1 (<5); m6 due 6, overdue 6.
ws="$work/fu"
visit() {
	HOMEWARD_NOW=2026-04-1${2}T10:00:00Z hw form submit "$1" reintegration-follow-up /dev/stdin <<EOF
answer /data/visit/visit_round m3
answer /data/visit/arrival_date 2026-01-10
answer /data/visit/visit_date 2026-04-1$2
answer /data/visit/visit_mode in_person
answer /data/visit/reached yes
answer /data/economic/e_satisfaction satisfied
answer /data/economic/e_food sometimes
answer /data/economic/e_income irregular
answer /data/economic/e_debt manageable
answer /data/economic/e_borrow yes
answer /data/economic/e_assets declined
answer /data/social/s_housing basic
answer /data/social/s_health_care always
answer /data/social/s_documents all
answer /data/social/s_school not_applicable
answer /data/social/s_water yes
answer /data/social/s_justice partly
answer /data/psychosocial/p_belonging yes
answer /data/psychosocial/p_support partly
answer /data/psychosocial/p_excluded sometimes
answer /data/psychosocial/p_safety yes
answer /data/psychosocial/p_distress often
answer /data/psychosocial/p_future unsure
answer /data/support/psy_referral accepted
answer /data/support/assistance_received "cash business"
answer /data/support/assistance_useful very
EOF
}
{
	HOMEWARD_NOW=2026-01-05T10:00:00Z
	hw init --device-id sup --name Sam --role supervisor &&
	for i in 1 2 3 4 5 6; do add NG >"$work/fu$i" || exit 1; done &&
	HOMEWARD_NOW=2026-01-10T10:00:00Z &&
	for i in 1 2 3 4 5 6; do
		c=$(cat "$work/fu$i")
		hw case decide "$c" return --date 2026-01-06 &&
		hw case depart "$c" --date 2026-01-09 --type assisted_voluntary &&
		hw case arrive "$c" --date 2026-01-10 || exit 1
	done &&
	for i in 1 2 3 4 5; do visit "$(cat "$work/fu$i")" "$i" || exit 1; done
	HOMEWARD_NOW=2026-08-01T10:00:00Z
} >"$work/setup-fu.log" 2>&1
check "the follow-up fixture is recorded" test $? = 0
ROWS=40 start
wait_for "Case NG"
keys C-r
wait_for "Reports · Caseload"
keys Tab Tab Tab Tab
check "the follow-up report: rounds" wait_for "Follow-up rounds: due, done, missed, overdue"
check "m3: five of six done" line_has "m3: Done" "5 █"
check "m3: the one overdue is <5, no bar" line_has "m3: Overdue" "<5"
check "... and no bar" no_bar "m3: Overdue"
check "m6: all six overdue" line_has "m6: Overdue" "6 █"
check "the mean scores, 0 to 1" on_screen "Mean reintegration score by round (0 to 1)"
check "m3 economic: 5 forms, 0.65" line_has "m3: Economic" "0.65"
check "m3 social 0.80 on a bar of the whole scale" \
	sh -c 'printf "%s" "$1" | grep -qE "5 █+ +0\.80"' - "$(line_with "m3: Social")"
check "m3 overall 0.67" line_has "m3: Overall" "0.67"
check "no m6 form: no m6 score" nowhere "m6: Economic"
keys F10
gone
ws="$work/ws"

# A locale that is not UTF-8: plain ASCII.
start LC_ALL=C LANG=C LANGUAGE=
wait_for "Case NG"
keys C-r
check "in ASCII the bars are #" wait_line "departed" "6 ######"
check "and a small count has no bar" no_bar "identified"
check "... not even in ASCII" sh -c '! printf "%s" "$1" | grep -qE "<5 *[#:]"' - "$(line_with identified)"
check "no block character is drawn" nowhere "[█░▁]"
keys Tab Tab
check "the ASCII sparkline: a withheld month is ?" wait_for "  # ?"
check "the ASCII legend" on_screen "? a month of <5 returns: its height is not shown"
keys F10
gone
finish
