#!/bin/sh
# Screen test of the README's first command, `homeward --demo`: it starts on
# a fresh demo workspace, shows the demo cases and the DEMO marker, has work
# to show (stages, today's appointment, an overdue round), syncs (the demo
# device belongs to the demo team), quits cleanly with F10 (status 0), and
# says where the workspace was kept.
. "${top_srcdir:-.}/tests/tui-lib.sh"

T new-session -d -x 80 -y 24 \
	"TMPDIR='$work' '$HOMEWARD' --demo 2>'$work/err'; echo \$? >'$work/status'"
check "the demo starts" wait_for "Homeward"
check "the top bar says it is a demo" wait_line "Homeward" "DEMO"
check "the demo cases are listed" wait_for "Amina Example"
for name in "Yusuf Sample" "Layla Demo" "Karim Fictional" "Elene Placeholder"; do
	check "and $name" on_screen "$name"
done
check "the cases are at different stages" wait_line "Amina Example" "arrived"
check "Amina's first follow-up round is overdue" wait_for "| 1 overdue"
keys F8
check "the agenda has today's appointment" wait_line "Best-interests assessment" "today"
check "and the overdue round first" wait_line "Amina Example" "overdue"
keys Escape
wait_for "Elene Placeholder"
keys F5
check "sync works: the demo device is a member of the demo team" wait_for "Sync done"
check "everything was sent" wait_for "all sent"
keys F10
check "F10 quits" gone
check "with status 0" poll test -s "$work/status"
check "status 0, and nothing else on stderr but where the workspace is" \
	sh -c '[ "$(cat "$1/status")" = 0 ] && [ $(wc -l <"$1/err") -eq 1 ] && grep -q "$1/homeward-demo-" "$1/err"' sh "$work"
demo=$(sed -n "s|.* \($work/homeward-demo-[^ ]*/workspace\).*|\1|p" "$work/err")
check "the kept workspace holds the five demo cases" \
	sh -c '[ -n "$2" ] && [ $(echo demo | "$1" --workspace "$2" --passphrase-fd 0 case list --format tsv | wc -l) -eq 6 ]' sh "$HOMEWARD" "$demo"
check "the central repository holds the demo device's branch and the team's main" \
	sh -c 'git --git-dir="$1/../central.git" rev-parse -q --verify refs/heads/devices/demo-laptop >/dev/null &&
		git --git-dir="$1/../central.git" rev-parse -q --verify refs/heads/main >/dev/null' sh "$demo"
check "nothing of the cases is readable there: Amina's name is in no object" \
	sh -c '! git --git-dir="$1/../central.git" cat-file --batch-all-objects --batch | grep -a -q "Amina"' sh "$demo"
finish
