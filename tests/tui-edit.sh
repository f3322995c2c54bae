#!/bin/sh
# Screen test: correct a case's details on the case view (one event with the
# changed fields, nothing on a refusal or on Esc), then decide a conflict made
# by two devices syncing through a bare repository, and see the decision
# reach the other device.
. "${top_srcdir:-.}/tests/tui-lib.sh"
: "${GIT_BIN:=git}"

hw() { w=$1; shift; "$HOMEWARD" --workspace "$w" "$@"; }
# The number of case.updated events of a case.
updated() { hw "$1" case show "$2" | grep -c ' case\.updated '; }
# A field of `case show` ("Country of return").
shown() { hw "$1" case show "$2" | sed -n "s/^$3  *//p" | head -n 1; }
no_conflict() { ! hw "$1" case show "$2" | grep -q '^Conflicts'; }

# ------------------------------------------------------------ correcting
make_workspace
id=$(hw "$ws" case add --given-name Amina --family-name Okafor --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
start
keys Enter
check "the case opens" wait_for "Return to: Nigeria (NG)"
check "the case view offers editing" line_has "e Edit" "F3"
keys d
check "d on a case without conflicts says so" wait_for "no conflict to decide"

keys e
check "e opens the edit screen" wait_for "Country of return (code)"
check "the fields hold the case's values" line_has "Country of return (code)" "NG"
check "the names are filled in too" line_has "Given name" "Amina"
type_text "Z"
keys Escape
check "Esc goes back to the case" wait_for "Return to: Nigeria (NG)"
check "Esc records nothing" test "$(updated "$ws" "$id")" = 0

# Two changes, one of them invalid: refused inline, and neither is recorded.
keys e
wait_for "Country of return (code)"
keys Tab End
type_text " Bello"
keys Tab Tab Tab Tab Tab BSpace BSpace
type_text "Syria"
keys F2
check "an invalid country is refused under the field" wait_for "two-letter country code"
check "the refusal keeps the edit screen open" line_has "Family name" "Okafor Bello"
check "a refused save records nothing, not even the valid change" \
	test "$(updated "$ws" "$id")" = 0
keys Escape

# The country of return alone.
keys e
wait_for "Country of return (code)"
keys Tab Tab Tab Tab Tab Tab BSpace BSpace
type_text "sy"
keys F2
check "saving says one change is recorded" wait_for "1 change recorded"
check "the case view shows the new country" wait_for "Return to: Syrian Arab Republic"
check "case show prints the new country of return" test "$(shown "$ws" "$id" "Country of return")" = SY
check "exactly one case.updated event is added" test "$(updated "$ws" "$id")" = 1
check "it holds the country of return only" \
	sh -c "'$HOMEWARD' --workspace '$ws' case show '$id' | grep ' case\.updated ' | grep -qF '{\"return_country\":\"SY\"}'"
check "the family name typed before was not kept" test "$(shown "$ws" "$id" "Family name")" = Okafor

keys e
wait_for "Country of return (code)"
keys F2
check "saving without changes says so" wait_for "Nothing was changed"
check "and records nothing" test "$(updated "$ws" "$id")" = 1
keys F10
check "F10 quits" gone

# ------------------------------------------------------------ a conflict
# Counsellors A and B and supervisor S sync through a bare repository.
remote="$work/remote.git"
"$GIT_BIN" init -q --bare "$remote"
A="$work/A" B="$work/B" S="$work/S"
. "${top_srcdir:-.}/tests/team-lib.sh"
{
	# One team; A and B are its supervisors, so that each receives the case.
	hw "$S" init --device-id sup --name Sam --role supervisor --remote "$remote" &&
	hw "$A" init --device-id dev-a --name Ann --role counsellor --remote "$remote" &&
	team_enrol "$S" "$A" supervisor &&
	hw "$B" init --device-id dev-b --name Ben --role counsellor --remote "$remote" &&
	team_enrol "$S" "$B" supervisor &&
	cid=$(hw "$A" case add --given-name Omar --family-name Haddad --birth-date 1985-02-03 \
		--nationality SY --return-country SY --language ar) &&
	hw "$A" sync &&
	hw "$S" init --device-id sup --name Sam --role supervisor --remote "$remote" &&
	hw "$S" merge &&
	hw "$B" init --device-id dev-b --name Ben --role counsellor --remote "$remote" &&
	hw "$B" sync &&
	hw "$A" case update "$cid" return_country IQ &&
	hw "$B" case update "$cid" return_country JO &&
	hw "$A" sync && hw "$B" sync && hw "$S" merge && hw "$A" sync
} >"$work/setup.log" 2>&1
check "two devices' edits of the country of return conflict" \
	sh -c "'$HOMEWARD' --workspace '$A' case show '$cid' | grep -q 'return_country: '"
# The screen lists the values in the order case show prints them; decide
# for the one not shown provisionally, so the decision is visible.
conflict=$(hw "$A" case show "$cid" | grep 'return_country: ')
prov=$(echo "$conflict" | sed 's/.*(shown: "\(..\)").*/\1/')
first=$(echo "$conflict" | sed 's/^ *return_country: "\(..\)".*/\1/')
if [ "$first" = "$prov" ]; then
	want=$(echo "$conflict" | sed 's/^ *return_country: "[A-Z]*" "\([A-Z]*\)".*/\1/')
	down=Down
else
	want=$first
	down=
fi
check "the two values are read from case show" \
	test "${#prov}" = 2 -a "${#want}" = 2 -a "$prov" != "$want"

ws=$A
start
keys Enter
check "the case view shows the conflict by the field's name" wait_for "CONFLICT in Country of return"
check "the hints offer deciding it" line_has "d Decide conflict" "e Edit"
keys d
check "d opens the decision for that field" wait_for "Country of return: which value is right?"
check "it says the decision is recorded and synced" wait_for "after the next sync"
check "the provisional value is marked" line_has "$prov" "(shown for now)"
check "the other value is listed" wait_for "$want"
keys Escape
check "Esc leaves the conflict open" wait_for "Not decided"
check "Esc records nothing" sh -c "! '$HOMEWARD' --workspace '$A' case show '$cid' | grep -q 'conflict\.resolved'"
keys d
wait_for "which value is right?"
[ -n "$down" ] && keys $down
keys Enter
check "the decision is confirmed" wait_for "Decided: Country of return is $want"
check "the case view shows no conflict any more" not_on_screen "CONFLICT"
check "the case view shows the decided value" wait_for "($want)"
keys F10
check "F10 quits after deciding" gone
check "case show reports no conflict afterwards" no_conflict "$A" "$cid"
check "case show prints the decided value" test "$(shown "$A" "$cid" "Country of return")" = "$want"

# The decision reaches the other counsellor through the supervisor.
{ hw "$A" sync && hw "$S" merge && hw "$B" sync; } >>"$work/setup.log" 2>&1
check "after syncing, the other device has no conflict either" no_conflict "$B" "$cid"
check "and the same value" test "$(shown "$B" "$cid" "Country of return")" = "$want"
finish
