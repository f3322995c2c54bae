#!/bin/sh
# Screen test of the README's first command, `homeward --demo`: it starts on
# a fresh demo workspace, shows the demo cases and the DEMO marker, quits
# cleanly with F10 (status 0), and says where the workspace was kept.
. "${top_srcdir:-.}/tests/tui-lib.sh"

T new-session -d -x 80 -y 24 \
	"TMPDIR='$work' '$HOMEWARD' --demo 2>'$work/err'; echo \$? >'$work/status'"
check "the demo starts" wait_for "Homeward"
check "the top bar says it is a demo" wait_line "Homeward" "DEMO"
check "the demo cases are listed" wait_for "Amina Example"
for name in "Yusuf Sample" "Layla Demo" "Karim Fictional" "Elene Placeholder"; do
	check "and $name" on_screen "$name"
done
keys F10
check "F10 quits" gone
check "with status 0" poll test -s "$work/status"
check "status 0, and nothing else on stderr but where the workspace is" \
	sh -c '[ "$(cat "$1/status")" = 0 ] && [ $(wc -l <"$1/err") -eq 1 ] && grep -q "$1/homeward-demo-" "$1/err"' sh "$work"
demo=$(sed -n "s|.* \($work/homeward-demo-[^ ]*/workspace\).*|\1|p" "$work/err")
check "the kept workspace holds the five demo cases" \
	sh -c '[ -n "$2" ] && [ $(echo demo | "$1" --workspace "$2" --passphrase-fd 0 case list --format tsv | wc -l) -eq 6 ]' sh "$HOMEWARD" "$demo"
finish
