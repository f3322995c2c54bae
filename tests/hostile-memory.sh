#!/bin/sh
# One device branch of a folder remote (a USB stick) holding a file far
# bigger than the memory a command may use: libgit2 1.5's folder transport
# packs every branch whatever is asked, reading each file whole, so a
# merge's fetch from that folder runs out of memory.  It used to say "cannot reach the central repository"; it now
# names the branch, the file and its size, and the command that takes the
# branch off, after which everything goes through under the same limit.
set -u
HW=${HOMEWARD:-./homeward}
HOMEWARD=$HW
GIT_BIN=${GIT_BIN:-git}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-memory.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'memory test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$tmp/m.out"; fi; }
echo "1..5"
. "${top_srcdir:-.}/tests/team-lib.sh"
remote=$tmp/central.git
g() { "$GIT_BIN" --git-dir="$remote" "$@"; }
g init -q --bare
for d in sup:Sam:supervisor dev-a:Amina:counsellor dev-b:Bola:counsellor; do
	id=${d%%:*}; rest=${d#*:}
	$HW --workspace "$tmp/$id" init --device-id "$id" --name "${rest%%:*}" --role "${rest#*:}" \
		--remote "$remote" >/dev/null
done
team_enrol "$tmp/sup" "$tmp/dev-a" counsellor
team_enrol "$tmp/sup" "$tmp/dev-b" counsellor
for d in dev-a dev-b; do
	$HW --workspace "$tmp/$d" case add --given-name "Case-$d" --family-name Example \
		--birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
	$HW --workspace "$tmp/$d" sync >/dev/null 2>&1
done
# dev-b's branch gets a 400 MiB file at an event path (zeros: small on disk).
ev=$(g ls-tree -r --name-only refs/heads/devices/dev-b | grep /events/ | head -n 1)
big="$(dirname "$ev")/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9.json"
blob=$(head -c 400M /dev/zero | g hash-object -w --stdin)
GIT_INDEX_FILE=$tmp/index; export GIT_INDEX_FILE
g read-tree refs/heads/devices/dev-b
g update-index --add --cacheinfo "100644,$blob,$big"
c=$(echo "one big file" | g commit-tree "$(g write-tree)" -p refs/heads/devices/dev-b)
g update-ref refs/heads/devices/dev-b "$c"
unset GIT_INDEX_FILE

# 300 MB of address space: a merge needs well under half of it.
lim() { ( ulimit -v 300000; exec "$@" ) >"$tmp/m.out" 2>&1; }
lim $HW --workspace "$tmp/sup" merge; st=$?
ok "under a memory limit the merge says which branch holds which file, and its size" \
	'[ $st -ne 0 ] && grep -q "out of memory: the branch refs/heads/devices/dev-b holds $big, a file of 419430400 bytes (the limit is 16777216)" "$tmp/m.out"'
ok "... and how to remove that branch" \
	'grep -qF "Remove the branch: git --git-dir=$remote update-ref -d refs/heads/devices/dev-b" "$tmp/m.out"'
ok "it never says the central repository cannot be reached" '! grep -q "cannot reach" "$tmp/m.out"'
# Done as said, everything else goes through under the same limit.
g update-ref -d refs/heads/devices/dev-b
lim $HW --workspace "$tmp/sup" merge; st=$?
ok "with the branch removed as said, the merge takes the honest device" \
	'[ $st -eq 0 ] && [ "$(g ls-tree -r --name-only main | grep -c "/events/")" -eq 1 ] && ! g ls-tree -r --name-only main | grep -q 0b1c2d3e'
lim $HW --workspace "$tmp/dev-a" sync; st=$?
ok "and the honest device syncs" '[ $st -eq 0 ]'
