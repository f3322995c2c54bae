#!/bin/sh
# Screen test: the Team screen (Ctrl-T on the case list) of a supervisor.
# Two devices synced: "good" brings a correction of a case, "bad" a branch
# that a hostile hand extended with a file too big and a file outside the
# case folders.  Opening the screen fetches and checks every branch, merging
# nothing: the good one is ready, the bad one rejected with each file and
# its reason in words.  A merge cancelled with Esc leaves central main and
# the workspace as they were; the merge run from the screen takes the good
# branch only, and the conflict it brings (the supervisor corrected the
# same field) is listed and opens the decision screen.
. "${top_srcdir:-.}/tests/tui-lib.sh"
: "${GIT_BIN:=git}"

hw() { w=$1; shift; "$HOMEWARD" --workspace "$w" "$@"; }
remote="$work/central.git"
"$GIT_BIN" init -q --bare "$remote"
G() { "$GIT_BIN" --git-dir="$remote" "$@"; }
good="$work/good"
bad="$work/bad"
# Every device that syncs belongs to the supervisor's team.
. "${top_srcdir:-.}/tests/team-lib.sh"
{
	hw "$ws" init --device-id sup --name "Sam Super" --role supervisor --remote "$remote" &&
	hw "$good" init --device-id good --name "Gina Good" --role counsellor --remote "$remote" &&
	hw "$bad" init --device-id bad --name "Bob Bad" --role counsellor --remote "$remote" &&
	team_enrol "$ws" "$good" counsellor && team_enrol "$ws" "$bad" counsellor &&
	id=$(hw "$good" case add --given-name Rima --family-name Before --birth-date 1990-09-09 \
		--nationality TN --return-country TN --language ar) &&
	hw "$good" sync &&
	hw "$ws" merge &&
	hw "$ws" case update "$id" family_name FromSup &&
	hw "$good" case update "$id" family_name FromGood &&
	hw "$good" sync &&
	hw "$bad" case add --given-name Omar --family-name Bad --birth-date 1980-01-01 \
		--nationality TN --return-country TN --language ar &&
	hw "$bad" sync
} >"$work/setup.log" 2>&1
check "two devices synced, the supervisor merged once" test $? = 0
# A device that joined the team and synced, but that no supervisor has
# added yet.
{
	hw "$work/new" init --device-id newcomer --name "Nia New" --role counsellor \
		--remote "$remote" &&
	hw "$work/new" team join "$(team_fingerprint "$ws")" &&
	hw "$work/new" case add --given-name Nia --family-name New --birth-date 1995-05-05 \
		--nationality TN --return-country TN --language ar &&
	hw "$work/new" sync
} >>"$work/setup.log" 2>&1
check "a device not on the roster synced" test $? = 0

# The hostile commit on the bad device's branch: a file of 17 MB in its
# case folder, and a file outside cases/.
tip=$(G rev-parse refs/heads/devices/bad)
event=$(G ls-tree -r --name-only "$tip" | grep '/events/' | head -n 1)
folder=${event%/events/*}
head -c 17000000 /dev/zero | tr '\0' ' ' >"$work/big"
big=$(G hash-object -w "$work/big")
small=$(printf 'hello\n' | G hash-object -w --stdin)
export GIT_INDEX_FILE="$work/index"
G read-tree "$tip"
G update-index --add --cacheinfo "100644,$big,$folder/events/0b8e5a9e-4b7c-4d2a-9c1e-3f6a7b8c9d0e.json"
G update-index --add --cacheinfo "100644,$small,notes.txt"
tree=$(G write-tree)
unset GIT_INDEX_FILE
commit=$(GIT_AUTHOR_NAME="Bob Bad" GIT_AUTHOR_EMAIL=b@x GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@x \
	G commit-tree "$tree" -p "$tip" -m more)
G update-ref refs/heads/devices/bad "$commit"
main_before=$(G rev-parse refs/heads/main)

start
wait_for "Rima"
keys C-t
check "Ctrl-T opens the Team screen" wait_for "Team: device branches"
check "the good branch is checked: valid, with what it brings" \
	wait_line "ready to merge" "1 event, 0 submissions in 1 case"
check "its owner as the team roster names them, and the device" line_has "Gina Good, Counsellor" "device good"
check "when it last synced" line_has "device good" "synced 20"
check "the bad branch is rejected whole" wait_line "REJECTED" "2 files refused"
check "the big file, with its reason in words" line_has "events/0b8e5a9e" "larger than 16777216 bytes"
# The message's lines joined again (each starts one column in).
joined() { screen | sed 's/^ //; s/ *$//' | tr -d '\n'; }
whole_path_shown() { joined | grep -qF "$folder/events/0b8e5a9e-4b7c-4d2a-9c1e-3f6a7b8c9d0e.json: the file is larger"; }
keys Down Down Down Enter
check "Enter on it shows its whole path" poll whole_path_shown
check "the file outside the case folders" line_has "notes.txt" "only add files under cases/"
check "checking merged nothing" test "$(G rev-parse refs/heads/main)" = "$main_before"
check "no conflict yet" on_screen "No conflicts"
check "a device not on the roster is named as such" \
	line_has "(not on the team roster)" "device newcomer"
check "its branch waits to be added" on_screen "waits: its device is not on the team roster"

# Esc typed as the merge starts: it stops at its first step.
keys F6
check "a merge asks first" wait_for "Merge the device branches into main now?"
keys Enter Escape
check "Esc cancels the merge" wait_for "Merge cancelled. Nothing is lost"
check "central main is as it was" test "$(G rev-parse refs/heads/main)" = "$main_before"
check "the workspace's database is whole" sh -c '"$1" --workspace "$2" case list | grep -q Rima' - "$HOMEWARD" "$ws"

keys F6
wait_for "Merge the device branches into main now?"
keys Enter
check "the merge runs and says what it did" \
	wait_for "Merged 2 of 3 device branches: 2 events, 0 submissions added to main."
check "the supervisor's own correction went with it" line_has "device sup" "synced"
check "the good branch is merged" line_has "merged:" "1 event"
check "the bad one stays rejected" line_has "REJECTED" "2 files refused"
check "central main moved" test "$(G rev-parse refs/heads/main)" != "$main_before"
check "nothing of the bad branch is on main" sh -c '! "$1" --git-dir="$2" ls-tree -r --name-only refs/heads/main | grep -q "0b8e5a9e\|notes.txt"' - "$GIT_BIN" "$remote"
check "the conflict the merge brought is listed" wait_line "Rima" "Family name: From"
check "with both values" sh -c 'printf "%s" "$1" | grep -q "FromSup / FromGood\|FromGood / FromSup"' - "$(line_with "Family name:")"
# Down to the conflict, Enter: the decision screen.
keys End
keys Enter
check "Enter opens the decision screen" wait_for "which value is right?"
keys Enter
check "deciding settles it" wait_for "No conflicts"
keys F10
gone
finish
