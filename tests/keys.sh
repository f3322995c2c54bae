#!/bin/sh
# keys.sh: the device keys and the passphrase, as docs/security.md claims
# them: made at init, sealed (0600, nothing in clear), a wrong passphrase
# changes nothing, a changed key file does not open, the passphrase is
# never shown nor stored.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-keys.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi; }
echo "1..21"

pass='Kestrel-orchard-1907 river'
printf '%s\n' "$pass" >"$T/pass"
printf 'not the passphrase\n' >"$T/wrong"
ws="$T/ws"
hw() { f=$1; shift; "$HW" --workspace "$ws" --passphrase-fd 3 "$@" 3<"$f"; }
# A digest of every file of the workspace, to tell that nothing changed.
state() { (cd "$ws" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

# A team's fingerprint as a supervisor reads it out (its supervisor plays no part here).
team="5f1c 0a9e 33b7 4d20 9c6e 1f08 a4d3 7b52 e019 64c8 2d7a f3b1 0e95 c846 71da 3b0f"
hw "$T/pass" init --device-id k1 --name Kim --role counsellor --team-key "$team" >"$T/out" 2>"$T/err"
ok "init with --passphrase-fd makes the workspace and its keys" '[ -f "$ws/keys" ]'
ok "the key file is readable by its owner only (0600)" '[ "$(stat -c %a "$ws/keys")" = 600 ]'
ok "the workspace folder is closed to others (0700)" '[ "$(stat -c %a "$ws")" = 700 ]'
ok "the key file holds the public keys and the sealed private keys" \
	'grep -q "^sign-public [0-9a-f]\{64\}$" "$ws/keys" && grep -q "^sealed [0-9a-f]\{224\}$" "$ws/keys"'
ok "the passphrase is in no file of the workspace, nor in the output" \
	'! grep -rqF "$pass" "$ws" "$T/out" "$T/err"'

before=$(state)
hw "$T/wrong" init --device-id k1 --name Someone --role supervisor >"$T/out" 2>"$T/err"; st=$?
ok "init again with a wrong passphrase fails, saying so" '[ $st -eq 1 ] && grep -q "wrong passphrase; nothing was changed" "$T/err"'
ok "... and changes nothing" '[ "$(state)" = "$before" ] && [ "$(hw "$T/pass" config get counsellor.name)" = Kim ]'
hw "$T/pass" config set sync.remote "$T/central.git" >/dev/null
git init -q --bare "$T/central.git"
before=$(state)
hw "$T/wrong" sync >"$T/out" 2>"$T/err"; st=$?
ok "sync with a wrong passphrase fails with a clear error and changes nothing" \
	'[ $st -eq 1 ] && [ "$(cat "$T/err")" = "homeward: wrong passphrase; nothing was changed" ] && [ "$(state)" = "$before" ]'
ok "sync with the passphrase works" 'hw "$T/pass" sync >"$T/out" 2>&1'

# The environment variable names the descriptor too, and a regular file is
# read from its start, so one descriptor serves several commands.
ok "HOMEWARD_PASSPHRASE_FD=N works like --passphrase-fd N, for several commands" \
	'( exec 4<"$T/pass"; HOMEWARD_PASSPHRASE_FD=4 "$HW" --workspace "$ws" sync && HOMEWARD_PASSPHRASE_FD=4 "$HW" --workspace "$ws" sync ) >/dev/null 2>&1'
# The database is encrypted: every command opens it with the passphrase.
setsid "$HW" --workspace "$ws" case list </dev/null >"$T/out" 2>"$T/err"; st=$?
ok "without the passphrase, even a case list fails and says how to give it" \
	'[ $st -eq 1 ] && grep -q -- "--passphrase-fd" "$T/err" && [ ! -s "$T/out" ]'
hw "$T/wrong" case list >"$T/out" 2>"$T/err"; st=$?
ok "a wrong passphrase reads nothing" \
	'[ $st -eq 1 ] && grep -q "wrong passphrase" "$T/err" && [ ! -s "$T/out" ]'
ok "recording a case with the passphrase works" \
	'hw "$T/pass" case add --given-name Ana --family-name Keys --birth-date 1990-01-01 --nationality IQ --return-country IQ --language ar </dev/null >/dev/null'
ok "the database key file is 0600 and holds only the sealed key" \
	'[ "$(stat -c %a "$ws/database.key")" = 600 ] && grep -q "^sealed [0-9a-f]\{96\}$" "$ws/database.key"'
ok "the keys and the database key share one salt (one derivation opens both)" \
	'[ "$(grep "^salt " "$ws/keys")" = "$(grep "^salt " "$ws/database.key")" ]'
setsid "$HW" --workspace "$ws" sync </dev/null >"$T/out" 2>"$T/err"; st=$?
ok "without a terminal nor --passphrase-fd, sync says how to give the passphrase" \
	'[ $st -eq 1 ] && grep -q -- "--passphrase-fd" "$T/err"'
printf '\n' >"$T/empty"
"$HW" --workspace "$T/ws2" --passphrase-fd 3 init --device-id k2 --name Lee --role counsellor 3<"$T/empty" 2>"$T/err"; st=$?
ok "an empty passphrase is refused and no workspace is made" '[ $st -eq 1 ] && grep -q "passphrase is empty" "$T/err" && [ ! -e "$T/ws2" ]'
"$HW" --workspace "$ws" --passphrase-fd 77 sync 2>"$T/err"; st=$?
ok "a descriptor that is not open is a usage error" '[ $st -eq 2 ] && grep -q "not an open file descriptor" "$T/err"'

# Every field of the key file is authenticated: change one character of
# each line (the header, the limits, salt, nonce, both public keys, the
# sealed keys) and the file no longer opens.
cp "$ws/keys" "$T/keys.good"
bad=0
for line in 1 2 3 4 5 6 7; do
	chmod 600 "$ws/keys"
	awk -v l="$line" 'NR == l { c = substr($0, length($0), 1); $0 = substr($0, 1, length($0) - 1) (c == "1" ? "2" : "1") } { print }' \
		"$T/keys.good" >"$ws/keys"
	# team request signs with the private key: it works only when the keys open.
	if hw "$T/pass" team request >/dev/null 2>"$T/err"; then
		bad=1; echo "# line $line changed, yet the keys opened"
	fi
done
cp "$T/keys.good" "$ws/keys"
ok "a key file changed in any field does not open" '[ $bad -eq 0 ]'
ok "the restored key file opens again" 'hw "$T/pass" team request >/dev/null 2>&1'
ok "a second init never replaces the keys" \
	'hw "$T/pass" init --device-id k1 --name Kim --role counsellor >/dev/null 2>&1 && cmp -s "$ws/keys" "$T/keys.good"'
exit $failed
