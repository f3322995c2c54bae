#!/bin/sh
# Hostile text and damaged workspaces, through the real program: names with
# escape sequences print as visible text, bad names are refused at the door,
# an emptied database is reported and left as it is.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-hostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
# The passphrase of the device keys, read by every command from descriptor 9.
printf 'hostile cli test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
echo "1..13"
ESC=$(printf '\033'); BEL=$(printf '\007')
W="$HW --workspace $T/ws"
$W init --device-id laptop-1 --name "Amina K." --role counsellor >/dev/null
ID=$($W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar)

# Names a terminal would act on never get in.
$W case add --given-name "$(printf 'Am\377ina')" --family-name X >"$T/out" 2>"$T/err"; st=$?
ok "invalid UTF-8 in --given-name is refused, not dropped" '[ $st -ne 0 ] && [ ! -s "$T/out" ] && grep -q "UTF-8" "$T/err"'
ok "DEL in a name is refused" '! $W case add --given-name "$(printf "A\177b")" --family-name X >/dev/null 2>&1'
ok "a C1 control in a name is refused" '! $W case add --given-name "$(printf "A\302\205b")" --family-name X >/dev/null 2>&1'
ok "U+202E in a name is refused" '! $W case add --given-name "$(printf "A\342\200\256b")" --family-name X >/dev/null 2>&1'
$HW --workspace "$T/tab" init --device-id laptop-2 --name "$(printf 'Amina\tK.')" --role counsellor >/dev/null 2>"$T/err"; st=$?
ok "init refuses a name with a tab (every event would be refused later)" '[ $st -ne 0 ] && grep -q "control" "$T/err"'

# Data that got in before (an older version, a hand-edited database) prints inert,
# in every output that shows it: lists, the case, the agenda, exports (XML
# keeps no control character: an answer loses them when it is submitted).
today=$(date -u +%Y-%m-%d)
$W case decide "$ID" return >/dev/null 2>&1
$W case depart "$ID" --date "$today" --type assisted_voluntary >/dev/null 2>&1
$W case arrive "$ID" --date "$today" >/dev/null 2>&1
printf 'answer /data/age_asked 40\nanswer /data/summary "clear \033[2J\033]2;pwned\007 then end"\n' >"$T/answers"
$W form submit "$ID" needs-assessment "$T/answers" >/dev/null 2>&1
"${top_builddir:-.}/tests/ws_sql" "$T/ws" "UPDATE cases SET given_name = 'Yu' || char(27) || ']0;owned' || char(7) || char(27) || '[2J' || char(8238) || 'suf' WHERE id = '$ID'"
$W case list >"$T/list" 2>&1
$W case show "$ID" >"$T/show" 2>&1
ok "case list prints no escape character" '! grep -q "$ESC" "$T/list" && ! grep -q "$BEL" "$T/list"'
ok "case list shows the sequence as visible text" 'grep -q "Yu␛\]0;owned␇␛\[2J�suf" "$T/list"'
ok "case show prints no escape character" '! grep -q "$ESC" "$T/show" && grep -q "Yu␛" "$T/show"'
: >"$T/all"
for f in table tsv json; do
	$W agenda --with-names --all --format $f >>"$T/all" 2>&1
	$W case list --format $f >>"$T/all" 2>&1
done
$W export submissions needs-assessment --format csv >>"$T/all" 2>&1
$W export submissions needs-assessment --format json >>"$T/all" 2>&1
ok "the agenda with names and the lists in every format print no escape character" \
	'grep -q "Yu␛" "$T/all" && grep -q "Follow-up, 3 months" "$T/all" && ! grep -q "$ESC" "$T/all" && ! grep -q "$BEL" "$T/all"'
ok "an answer typed with escape sequences reaches an export written to the terminal without them" \
	'grep -q "pwned then end" "$T/all" && ! grep -q "$ESC" "$T/all"'

# An emptied database is not a new workspace.
mkdir "$T/empty"; : >"$T/empty/homeward.db"
$HW --workspace "$T/empty" case list >/dev/null 2>"$T/err"; st=$?
ok "a zero-length homeward.db is refused, saying so" '[ $st -ne 0 ] && grep -q "empty (0 bytes)" "$T/err"'
$HW --workspace "$T/empty" init --device-id x --name X --role counsellor >/dev/null 2>&1
ok "and nothing is written to it, not even by init" '[ ! -s "$T/empty/homeward.db" ]'
ok "the first workspace still works" '$W case list --format tsv | grep -q Example'
