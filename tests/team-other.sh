#!/bin/sh
# team-other.sh: a device belongs to one team.  A device pinned to team A
# that is given team B's fingerprint (team join) is refused; a device of
# team A whose sync.remote is team B's central repository (its roster signed
# by B's root) is refused before anything is kept or sent: nothing of B is
# imported, nothing of A reaches B's repository.  The same for A's
# supervisor's merge.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-other.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'other team test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; for f in out err; do [ -f "$tmp/$f" ] && sed 's/^/# /' "$tmp/$f"; done; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
# refs REPO: every ref of a bare repository with its commit
refs() { "$GIT_BIN" -C "$1" for-each-ref --format='%(refname) %(objectname)' | sort; }

echo "1..9"
. "${top_srcdir:-.}/tests/team-lib.sh"
ra=$tmp/a.git
rb=$tmp/b.git
"$GIT_BIN" init -q --bare "$ra" && "$GIT_BIN" init -q --bare "$rb"
if hw SA init --device-id sup-a --name Sara --role supervisor --remote "$ra" >"$tmp/out" 2>&1 &&
   hw CA init --device-id dev-a --name Amina --role counsellor --remote "$ra" >>"$tmp/out" 2>&1 &&
   team_enrol "$tmp/SA" "$tmp/CA" counsellor >>"$tmp/out" 2>&1 &&
   hw SB init --device-id sup-b --name Bola --role supervisor --remote "$rb" >>"$tmp/out" 2>&1 &&
   hw CB init --device-id dev-b --name Bayo --role counsellor --remote "$rb" >>"$tmp/out" 2>&1 &&
   team_enrol "$tmp/SB" "$tmp/CB" counsellor >>"$tmp/out" 2>&1 &&
   hw CB case add --given-name Teamb --family-name Onlyb --birth-date 1990-01-01 \
	--nationality NG --return-country NG --language en >>"$tmp/out" 2>&1 &&
   hw CB sync >>"$tmp/out" 2>&1 && hw SB merge >>"$tmp/out" 2>&1 &&
   hw CA case add --given-name Teama --family-name Onlya --birth-date 1991-01-01 \
	--nationality NG --return-country NG --language en >>"$tmp/out" 2>&1 &&
   hw CA sync >>"$tmp/out" 2>&1 && hw SA merge >>"$tmp/out" 2>&1 &&
   hw SA case list >"$tmp/list" 2>>"$tmp/out" && grep -q Onlya "$tmp/list" &&
   hw SB case list >"$tmp/list" 2>>"$tmp/out" && grep -q Onlyb "$tmp/list"; then
	ok "two teams, each with a supervisor, a counsellor and a central repository"
else
	not_ok "two teams, each with a supervisor, a counsellor and a central repository"
fi
fpa=$(team_fingerprint "$tmp/SA")
fpb=$(team_fingerprint "$tmp/SB")

hw CA team join "$fpb" >"$tmp/out" 2>"$tmp/err"; st=$?
if [ $st -eq 1 ] && grep -q "another team" "$tmp/err" && [ "$(team_fingerprint "$tmp/CA")" = "$fpa" ]; then
	ok "team join with another team's fingerprint is refused; the device keeps its team"
else
	not_ok "team join with another team's fingerprint is refused; the device keeps its team"
fi

hw CA team join "$fpa" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then
	ok "joining its own team again is harmless"
else
	not_ok "joining its own team again is harmless"
fi

# A's counsellor pointed at B's central repository (a wrong URL, a swapped stick).
refs "$rb" >"$tmp/refs.before"
ls -R "$tmp/CA/team" >"$tmp/team.before"
hw CA case add --given-name Latera --family-name Onlya --birth-date 1992-01-01 \
	--nationality NG --return-country NG --language en >/dev/null 2>&1
hw CA config set sync.remote "$rb" >/dev/null 2>&1
hw CA sync >"$tmp/out" 2>"$tmp/err"; st=$?
if [ $st -ne 0 ] && grep -q "another team" "$tmp/err"; then
	ok "sync with another team's central repository is refused, saying so"
else
	not_ok "sync with another team's central repository is refused, saying so"
fi
hw CA case list >"$tmp/list" 2>"$tmp/err"
if ! grep -q Onlyb "$tmp/list" && grep -q Latera "$tmp/list"; then
	ok "nothing of the other team is imported; the device's own work is kept"
else
	not_ok "nothing of the other team is imported; the device's own work is kept"
fi
ls -R "$tmp/CA/team" >"$tmp/team.after"
if cmp -s "$tmp/team.before" "$tmp/team.after" && [ "$(hw CA team list --format tsv | cut -f1 | sort | tr '\n' ' ')" = "dev-a sup-a " ]; then
	ok "the other team's roster is not kept; the device's roster is its own team's"
else
	diff "$tmp/team.before" "$tmp/team.after" >"$tmp/out"
	not_ok "the other team's roster is not kept; the device's roster is its own team's"
fi
refs "$rb" >"$tmp/refs.after"
if cmp -s "$tmp/refs.before" "$tmp/refs.after"; then
	ok "nothing of this device reaches the other team's repository"
else
	diff "$tmp/refs.before" "$tmp/refs.after" >"$tmp/out"
	not_ok "nothing of this device reaches the other team's repository"
fi

# A's supervisor pointed at B's repository: merge is refused the same way.
hw SA config set sync.remote "$rb" >/dev/null 2>&1
hw SA merge >"$tmp/out" 2>"$tmp/err"; st=$?
refs "$rb" >"$tmp/refs.after"
if [ $st -ne 0 ] && grep -q "another team" "$tmp/err" && cmp -s "$tmp/refs.before" "$tmp/refs.after" &&
   ! hw SA case list 2>/dev/null | grep -q Onlyb; then
	ok "a supervisor's merge with another team's repository is refused, nothing merged or pushed"
else
	not_ok "a supervisor's merge with another team's repository is refused, nothing merged or pushed"
fi

# Back to its own team's repository: the work kept on the device goes out.
hw CA config set sync.remote "$ra" >/dev/null 2>&1
hw SA config set sync.remote "$ra" >/dev/null 2>&1
if hw CA sync >"$tmp/out" 2>&1 && hw SA merge >>"$tmp/out" 2>&1 &&
   hw SA case list 2>>"$tmp/out" | grep -q Latera && ! hw SA case list 2>/dev/null | grep -q Onlyb; then
	ok "with its own team's repository again, the work kept on the device reaches its supervisor"
else
	not_ok "with its own team's repository again, the work kept on the device reaches its supervisor"
fi
exit $failed
