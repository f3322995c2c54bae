#!/bin/sh
# passphrase.sh: `homeward passphrase change` seals the device keys and the
# database key under a new passphrase, all or nothing: killed between any
# two of its steps (HOMEWARD_FAULT names the step; the program kills
# itself there as a power cut would), the old passphrase still opens the
# workspace, and after the last step the new one does.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-passphrase.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi; }
echo "1..23"

ws="$T/ws"
# pw NAME TEXT...: a passphrase file of one line per TEXT.
pw() { f="$T/$1"; shift; printf '%s\n' "$@" >"$f"; }
hw() { f=$1; shift; "$HW" --workspace "$ws" --passphrase-fd 3 "$@" 3<"$T/$f"; }
state() { (cd "$ws" && find . -type f | LC_ALL=C sort | xargs sha256sum); }
# No file a change leaves while it runs.
clean() { [ -z "$(cd "$ws" && ls -a | grep -E '^passphrase\.change$|\.(prev|next)$')" ]; }
lists() { hw "$1" case list --format tsv 2>/dev/null | grep -q Passchange; }

pw a 'first passphrase'
pw b 'second passphrase'
pw c 'third passphrase'
pw ab 'first passphrase' 'second passphrase'
pw bc 'second passphrase' 'third passphrase'
pw cb 'third passphrase' 'second passphrase'
pw wrong 'not it' 'fourth passphrase'
pw empty 'second passphrase' ''
hw a init --device-id p1 --name Pat --role counsellor >/dev/null 2>&1
hw a case add --given-name Ana --family-name Passchange --birth-date 1990-01-01 --nationality IQ \
	--return-country IQ --language ar >/dev/null 2>&1
ok "a workspace with a case opens with its passphrase" 'lists a'

hw ab passphrase change >"$T/out" 2>"$T/err"; st=$?
ok "passphrase change reads the current and the new one from --passphrase-fd" \
	'[ $st -eq 0 ] && grep -q "The passphrase is changed" "$T/out"'
ok "the new passphrase opens the workspace, its case there" 'lists b'
ok "the old one no longer does" \
	'! hw a case list >/dev/null 2>"$T/err" && grep -q "wrong passphrase" "$T/err"'
ok "the new passphrase opens the device keys (init again must open them)" \
	'hw b init --device-id p1 --name Pat --role counsellor >/dev/null 2>&1'
ok "the keys and the database key share a new salt" \
	'[ "$(grep "^salt " "$ws/keys")" = "$(grep "^salt " "$ws/database.key")" ]'
ok "both files stay 0600, and nothing of the change is left" \
	'[ "$(stat -c %a "$ws/keys")" = 600 ] && [ "$(stat -c %a "$ws/database.key")" = 600 ] && clean'

before=$(state)
hw wrong passphrase change >/dev/null 2>"$T/err"; st=$?
ok "a wrong current passphrase fails, saying so" \
	'[ $st -eq 1 ] && grep -q "wrong passphrase; nothing was changed" "$T/err"'
ok "... and changes nothing" '[ "$(state)" = "$before" ]'
hw empty passphrase change >/dev/null 2>"$T/err"; st=$?
ok "an empty new passphrase is refused and changes nothing" \
	'[ $st -eq 1 ] && grep -q "empty" "$T/err" && [ "$(state)" = "$before" ]'

# Killed between the steps: the old passphrase (b) still opens everything.
for step in passphrase-written passphrase-kept passphrase-half passphrase-renamed; do
	HOMEWARD_FAULT=$step hw bc passphrase change >/dev/null 2>&1; st=$?
	ok "killed at $step: the old passphrase opens the workspace, the new one does not" \
		'[ $st -ne 0 ] && [ $st -ne 1 ] && lists b && ! lists c && clean'
done
ok "... and the device keys too" 'hw b init --device-id p1 --name Pat --role counsellor >/dev/null 2>&1'
# Killed after the commit point: the new one opens, the old files are cleaned up.
HOMEWARD_FAULT=passphrase-done hw bc passphrase change >/dev/null 2>&1; st=$?
ok "killed after its last step: the new passphrase opens the workspace" \
	'[ $st -ne 0 ] && lists c && ! lists b'
ok "... the old files it kept are gone at the next open" 'clean'
ok "... and the device keys open with the new one" \
	'hw c init --device-id p1 --name Pat --role counsellor >/dev/null 2>&1'

# A change that was killed leaves nothing in the way of the next.
HOMEWARD_FAULT=passphrase-half hw cb passphrase change >/dev/null 2>&1
ok "after a killed change, a change runs to its end" \
	'hw cb passphrase change >/dev/null 2>&1 && lists b && ! lists c && clean'
# Another change holds its marker (and its lock): a second one says so.
(umask 077; : >"$ws/passphrase.change")
exec 5<"$ws/passphrase.change"
flock -x 5
hw bc passphrase change >/dev/null 2>"$T/err"; st=$?
ok "while another change runs, a change says so and does nothing" \
	'[ $st -eq 1 ] && grep -q "being changed" "$T/err" && [ -f "$ws/passphrase.change" ]'
exec 5<&-
ok "once it is gone, its marker is cleared and the workspace opens" 'lists b && clean'

setsid "$HW" --workspace "$ws" passphrase change </dev/null >/dev/null 2>"$T/err"; st=$?
ok "without a terminal nor --passphrase-fd, it says how to give them" \
	'[ $st -eq 1 ] && grep -q -- "--passphrase-fd" "$T/err"'
ok "a passphrase is in no file of the workspace" \
	'! grep -rqF "second passphrase" "$ws" && ! grep -rqF "third passphrase" "$ws"'
exit $failed
