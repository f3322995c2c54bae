#!/bin/sh
# A workspace is for its user alone: what Homeward creates is private
# whatever the umask, and a workspace other users could read is refused
# with the command that makes it private.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-perm.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'permissions test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
mode() { stat -c %a "$1"; }
echo "1..12"
# The most open umask a user may have: Homeward must not rely on it.
umask 000
W="$HW --workspace $T/ws"
# A supervisor founds its own team: a device syncs only within a team.
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
$W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
R=$(mktemp -d "$T/remote.XXXXXX"); git init -q --bare "$R" 2>/dev/null
$W config set sync.remote "$R" >/dev/null; $W sync >/dev/null 2>&1; st=$?
ok "a sync made repo.git" '[ $st -eq 0 ] && [ -d "$T/ws/repo.git/objects" ]'
ok "the workspace folder is 0700 under umask 000" '[ "$(mode "$T/ws")" = 700 ]'
ok "homeward.db is 0600" '[ "$(mode "$T/ws/homeward.db")" = 600 ]'
ok "nothing in the workspace is open to others" '[ -z "$(find "$T/ws" -perm /077 -print)" ]'

# An empty folder made beforehand (mkdir under umask 022) is made private at init.
mkdir -m 755 "$T/made"
$HW --workspace "$T/made" init --device-id laptop-2 --name "Amina K." --role counsellor >/dev/null 2>"$T/err"; st=$?
ok "init on an empty 0755 folder makes it 0700" '[ $st -eq 0 ] && [ "$(mode "$T/made")" = 700 ]'

# A workspace others can enter or read is refused, saying how to fix it.
chmod 755 "$T/ws"
$W case list >"$T/out" 2>"$T/err"; st=$?
ok "a 0755 workspace is refused and nothing is listed" '[ $st -eq 1 ] && [ ! -s "$T/out" ]'
ok "the message says chmod 700 and the folder" 'grep -q "chmod 700 $T/ws" "$T/err"'
LANG=C.UTF-8 LANGUAGE=fr $W case list >"$T/out" 2>"$T/err"; st=$?
ok "... in the person's language" \
	'[ $st -eq 1 ] && grep -q "est accessible aux autres utilisateurs de cet ordinateur (mode 0755) ; rendez-le privé avec : chmod 700 $T/ws" "$T/err"'
chmod 700 "$T/ws"; chmod 644 "$T/ws/homeward.db"
$W case list >"$T/out" 2>"$T/err"; st=$?
ok "a 0644 homeward.db is refused" '[ $st -eq 1 ] && [ ! -s "$T/out" ] && grep -q "chmod 600 $T/ws/homeward.db" "$T/err"'
$W case add --given-name Other --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null 2>&1; st=$?
ok "and nothing is written to it" '[ $st -ne 0 ] && [ "$(mode "$T/ws/homeward.db")" = 644 ]'
chmod 600 "$T/ws/homeward.db"
ok "once private it opens again" '$W case list --format tsv | grep -q Yusuf'
# A folder with something in it is never changed by init, only refused.
mkdir -m 755 "$T/home"; : >"$T/home/notes.txt"
$HW --workspace "$T/home" init --device-id laptop-3 --name "Amina K." --role counsellor >/dev/null 2>&1; st=$?
ok "init refuses a 0755 folder that holds files, and leaves its mode" '[ $st -ne 0 ] && [ "$(mode "$T/home")" = 755 ] && [ ! -e "$T/home/homeward.db" ]'
