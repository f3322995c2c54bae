#!/bin/sh
# homeward doctor: what protects a workspace, as warnings; exit 0 when its
# checks ran, 1 when they could not.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-doctor.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'doctor test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
echo "1..17"
W="$HW --workspace $T/ws"
$W doctor >"$T/out" 2>"$T/err"; st=$?
ok "without a workspace doctor cannot check: exit 1, saying so" '[ $st -eq 1 ] && grep -q "no workspace" "$T/err"'
# A supervisor founds its own team: a device syncs only within a team.
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
$W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
$W doctor >"$T/out" 2>"$T/err"; st=$?
ok "on a fresh workspace its checks run: exit 0 despite warnings" '[ $st -eq 0 ] && grep -q "^[0-9]* warnings$" "$T/out"'
ok "the database: encrypted at rest" 'grep -q "^Database  *encrypted at rest" "$T/out"'
ok "permissions: private" 'grep -q "^Permissions  *private to this user" "$T/out"'
ok "the disk: encrypted or not, one line" '[ $(grep -c "^Disk  *" "$T/out") -eq 1 ]'
ok "no remote is a warning" 'grep -q "^Remote  *warning: none set" "$T/out"'
ok "pending work is counted" 'grep -q "^Pending  *1 item waits to be sent" "$T/out"'
ok "never synced is a warning" 'grep -q "^Last sync  *warning: never" "$T/out"'
ok "no copy of the central repository yet: said, not a warning" 'grep -q "^Repository  *none yet: the first sync makes it" "$T/out"'
# A remote with a token, then a sync: shown without the token, and when.
git init -q --bare "$T/central.git"
$W config set sync.remote "$T/central.git" >/dev/null
$W sync >/dev/null 2>&1
$W doctor >"$T/out" 2>&1; st=$?
ok "after a sync: the remote, nothing pending, the time of the sync" '[ $st -eq 0 ] && grep -q "^Remote  *$T/central.git" "$T/out" && grep -q "^Pending  *0 items" "$T/out" && grep -q "^Last sync  *20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T" "$T/out"'
ok "after a sync: its packs and loose objects are counted" 'grep -q "^Repository  *packs: [0-9]*, loose objects: [0-9]*$" "$T/out"'
# Seventy packs (git fast-import, one blob each): more than the tidying
# after a sync leaves, so something is wrong; the next sync rolls them up.
for i in $(seq 70); do
	printf 'blob\ndata 9\njunk %03d\n\n' "$i" |
		git -c fastimport.unpackLimit=0 --git-dir="$T/ws/repo.git" fast-import --quiet
done
$W doctor >"$T/out" 2>&1
ok "seventy packs are a warning" 'grep -q "^Repository  *warning: packs: 7[0-9], loose objects: [0-9]*; more than" "$T/out"'
$W sync >"$T/sync.out" 2>&1; st=$?
$W doctor >"$T/out" 2>&1
ok "the next sync rolls them up, saying so: no warning" '[ $st -eq 0 ] && grep -q "^Tidying the local copy of the central repository: 7[0-9] objects$" "$T/sync.out" && grep -q "^Repository  *packs: [0-9], loose objects" "$T/out" && git --git-dir="$T/ws/repo.git" fsck --no-dangling >/dev/null 2>&1'
# A supervisor who only merges has synced too.
$HW --workspace "$T/ws2" init --device-id desk-2 --name "Bo" --role supervisor --remote "$T/central2.git" >/dev/null 2>&1
git init -q --bare "$T/central2.git"
$HW --workspace "$T/ws2" merge >/dev/null 2>&1
$HW --workspace "$T/ws2" doctor >"$T/out" 2>&1
ok "a merge counts as the last sync" 'grep -q "^Last sync  *20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T" "$T/out"'
$W config set sync.remote "https://amina:s3cretTOKEN@example.invalid/c.git" >/dev/null
$W doctor >"$T/out" 2>&1
ok "a remote with a token is shown without it, saying a token is stored" '! grep -q s3cretTOKEN "$T/out" && grep -q "^Remote  *https://example.invalid/c.git (a token is stored" "$T/out"'
# A workspace others can read: doctor still runs, and says how to fix it.
chmod 755 "$T/ws"
$W doctor >"$T/out" 2>&1; st=$?
ok "a 0755 workspace: exit 0, a warning with the chmod that fixes it" '[ $st -eq 0 ] && grep -q "^Permissions  *warning: .*chmod 700 $T/ws" "$T/out"'
chmod 700 "$T/ws"
ok "--help tells of doctor" '$HW --help | grep -q "^homeward doctor: "'
