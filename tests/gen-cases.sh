#!/bin/sh
# gen-cases.sh: bench/gen-cases adds fictional cases through the core
# library that the program lists, searches and syncs like its own, and
# unlocks the device keys as every command does; a second supervisor
# receives them all, sealed for it (more cases than the keys sync keeps
# open at once).  Prints TAP.
HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
LC_ALL=C.UTF-8; export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-gen.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
printf 'gen test passphrase\n' >"$tmp/pass"
printf 'not the passphrase\n' >"$tmp/wrong"
# The database is encrypted: every command reads the passphrase from descriptor 9.
exec 9<"$tmp/pass"
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
echo "1..6"
git init -q --bare "$tmp/central.git"
HOMEWARD_PASSPHRASE_FD=9 "$HOMEWARD" --workspace "$tmp/ws" init --device-id dev-g --name G \
	--role supervisor --remote "$tmp/central.git" 9<"$tmp/pass" >"$tmp/out" 2>&1
# A second supervisor joins the team first (the cases are sealed to the roster).
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
. "${top_srcdir:-.}/tests/team-lib.sh"
"$HOMEWARD" --workspace "$tmp/ws2" init --device-id dev-i --name I --role supervisor \
	--remote "$tmp/central.git" --team-key "$(team_fingerprint "$tmp/ws")" >"$tmp/out" 2>&1 &&
	team_enrol "$tmp/ws" "$tmp/ws2" supervisor && "$HOMEWARD" --workspace "$tmp/ws2" sync >"$tmp/out" 2>&1
unset HOMEWARD_PASSPHRASE_FD
if HOMEWARD_PASSPHRASE_FD=9 "$GEN" "$tmp/ws" 2500 9<"$tmp/pass" >"$tmp/out" 2>&1 &&
   [ "$(HOMEWARD_PASSPHRASE_FD=9 "$HOMEWARD" --workspace "$tmp/ws" case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = 2500 ]; then
	ok "2500 cases are added and listed"
else
	not_ok "2500 cases are added and listed"
fi
if HOMEWARD_PASSPHRASE_FD=9 "$HOMEWARD" --workspace "$tmp/ws" case list --search okafor --format tsv >"$tmp/list" 2>"$tmp/out" &&
   tail -n +2 "$tmp/list" >"$tmp/rows" && [ "$(grep -c Okafor "$tmp/rows")" -gt 0 ] &&
   ! grep -qv Okafor "$tmp/rows"; then
	ok "they are found by name"
else
	not_ok "they are found by name"
fi
if HOMEWARD_PASSPHRASE_FD=9 "$HOMEWARD" --workspace "$tmp/ws" sync 9<"$tmp/pass" >"$tmp/out" 2>&1 &&
   grep -q "sent 2500 events" "$tmp/out"; then
	ok "they are sent by sync like the program's own"
else
	not_ok "they are sent by sync like the program's own"
fi
# A second supervisor of the team: every case was sealed for it too.
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
if "$HOMEWARD" --workspace "$tmp/ws" merge >"$tmp/out" 2>&1 &&
   "$HOMEWARD" --workspace "$tmp/ws2" merge >"$tmp/out" 2>&1 &&
   [ "$("$HOMEWARD" --workspace "$tmp/ws2" case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = 2500 ]; then
	ok "a second supervisor receives the 2500 cases, each sealed for it"
else
	not_ok "a second supervisor receives the 2500 cases, each sealed for it"
fi
unset HOMEWARD_PASSPHRASE_FD
# One descriptor opened once serves every program of a script, as for the commands.
exec 8<"$tmp/pass"
if HOMEWARD_PASSPHRASE_FD=8 "$GEN" "$tmp/ws" 10 >"$tmp/out" 2>&1 &&
   HOMEWARD_PASSPHRASE_FD=8 "$GEN" "$tmp/ws" 10 >>"$tmp/out" 2>&1 &&
   [ "$(HOMEWARD_PASSPHRASE_FD=8 "$HOMEWARD" --workspace "$tmp/ws" case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = 2520 ]; then
	ok "one passphrase descriptor serves two runs"
else
	not_ok "one passphrase descriptor serves two runs"
fi
exec 8<&-
if ! HOMEWARD_PASSPHRASE_FD=9 "$GEN" "$tmp/ws" 10 9<"$tmp/wrong" >"$tmp/out" 2>&1 &&
   grep -q "wrong passphrase" "$tmp/out" &&
   [ "$(HOMEWARD_PASSPHRASE_FD=9 "$HOMEWARD" --workspace "$tmp/ws" case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = 2520 ]; then
	ok "a wrong passphrase adds nothing"
else
	not_ok "a wrong passphrase adds nothing"
fi
exit $failed
