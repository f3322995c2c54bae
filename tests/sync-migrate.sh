#!/bin/sh
# sync-migrate.sh: `homeward migrate repository` on a real central repository
# written in format 1 (the layout cases/<first 2 of id>/<id>/, no format
# file), with a counsellor whose work was sent but not merged before the
# migration and work recorded after it: nothing is lost, nothing is sent
# twice, and a main newer than the program is refused.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
SQL="${top_builddir:-.}/tests/ws_sql"
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin migrate
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
git_c() { "$GIT_BIN" -c user.name=test -c user.email=test@example.invalid "$@"; }
central=$tmp/central.git
new_case() { # WS FAMILY -> prints the case id
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}
# Every file path of a ref of the central repository.
paths() { git_c --git-dir="$central" ls-tree -r --name-only "$1"; }

echo "1..14"

# A main as the previous program wrote it: a real event in clear, in the
# old layout, committed without any signature (main's legacy beginning).
. "${top_srcdir:-.}/tests/team-lib.sh"
"$GIT_BIN" init -q --bare "$central"
if hw X init --device-id dev-x --name Xena --role counsellor >"$tmp/out" 2>&1 &&
   x_case=$(new_case X Old 2>>"$tmp/out") &&
   x_ev=$("$SQL" "$tmp/X" "select id from events where case_id = '$x_case'") &&
   git_c clone -q "$central" "$tmp/old" >>"$tmp/out" 2>&1 &&
   (cd "$tmp/old" && d="cases/$(echo "$x_case" | cut -c1-2)/$x_case/events" && mkdir -p "$d" &&
    "$SQL" "$tmp/X" "select json from events where id = '$x_ev'" | tr -d '\n' >"$d/$x_ev.json" &&
    git_c add -A && git_c commit -qm "an archive of format 1" && git_c push -q origin HEAD:refs/heads/main) >>"$tmp/out" 2>&1 &&
   paths main | grep -q "^cases/[0-9a-f][0-9a-f]/$x_case/events/" && ! paths main | grep -q homeward-format; then
	ok "a central repository in format 1"
else
	not_ok "a central repository in format 1"
fi

# Devices on a format-1 main keep writing format 1.  The team: a
# supervisor, a counsellor, and a second supervisor who joins at the end.
hw S init --device-id sup --name Sam --role supervisor --remote "$central" >/dev/null 2>&1
hw B init --device-id dev-b --name Bo --role counsellor --remote "$central" >/dev/null 2>&1
team_enrol "$tmp/S" "$tmp/B" supervisor
if hw A init --device-id dev-a --name Amina --role counsellor --remote "$central" >"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/A" counsellor >>"$tmp/out" 2>&1 &&
   c1=$(new_case A Okafor 2>>"$tmp/out") && hw A sync >>"$tmp/out" 2>&1 &&
   paths devices/dev-a | grep -q "^cases/[0-9a-f][0-9a-f]/$c1/events/" &&
   hw S merge >>"$tmp/out" 2>&1 && grep -q "merged 1 of 1 devices" "$tmp/out"; then
	ok "a counsellor syncs in format 1 and the supervisor merges it"
else
	not_ok "a counsellor syncs in format 1 and the supervisor merges it"
fi
# Sent, not merged before the migration.
c2=$(new_case A Mensah 2>"$tmp/out")
check "a second case is sent and not merged" sh -c '"$1" --workspace "$2" sync | grep -q "sent 1 event"' \
	sh "$HOMEWARD" "$tmp/A"

before=$("$GIT_BIN" --git-dir="$central" rev-parse main)
check "a dry run says what would change and changes nothing" sh -c '
	"$1" --workspace "$2" migrate repository --dry-run | tee /dev/stderr |
	grep -q "would move main from repository format 1 to 3 in one commit of [0-9]* files" &&
	[ "$("$3" --git-dir="$4" rev-parse main)" = "$5" ]' \
	sh "$HOMEWARD" "$tmp/S" "$GIT_BIN" "$central" "$before"
check "a counsellor cannot migrate" sh -c '! "$1" --workspace "$2" migrate repository' \
	sh "$HOMEWARD" "$tmp/A"

if hw S migrate repository >"$tmp/out" 2>&1 &&
   grep -q "moved main from repository format 1 to 3 ([0-9]* files)" "$tmp/out" &&
   [ "$(git_c --git-dir="$central" show main:homeward-format)" = 3 ] &&
   [ "$(paths main | grep -c '^cases/./././[0-9a-f-]*/events/[0-9a-f-]*\.json$')" = 2 ] &&
   ! paths main | grep -q "^cases/[0-9a-f][0-9a-f]/" &&
   [ "$(git_c --git-dir="$central" rev-parse main^)" = "$before" ]; then
	ok "the migration moves every case folder in one commit on top of main"
else
	not_ok "the migration moves every case folder in one commit on top of main"
fi
check "migrating again does nothing" sh -c '
	"$1" --workspace "$2" migrate repository | grep -q "format 3, the newest: nothing to do"' \
	sh "$HOMEWARD" "$tmp/S"
check "a branch still in format 1 waits, and is not refused" sh -c '
	"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "1 device is still in an older repository format"' \
	sh "$HOMEWARD" "$tmp/S"

# Recorded after the migration, on a device that has not seen it.
c3=$(new_case A Diallo 2>"$tmp/out")
if hw A sync >"$tmp/out" 2>&1 &&
   [ "$(git_c --git-dir="$central" show devices/dev-a:homeward-format)" = 3 ] &&
   [ "$(paths devices/dev-a | grep -c "^cases/./././\($c2\|$c3\)/events/")" = 2 ]; then
	ok "the counsellor's branch restarts from the new main with what main lacked"
else
	not_ok "the counsellor's branch restarts from the new main with what main lacked"
fi
check "the supervisor merges the restarted branch" sh -c '
	"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices (2 events, 0 submissions)"' \
	sh "$HOMEWARD" "$tmp/S"
check "nothing is sent twice" sh -c '"$1" --workspace "$2" sync | tee /dev/stderr | grep -q "sent 0 events"' \
	sh "$HOMEWARD" "$tmp/A"
if hw B sync >"$tmp/out" 2>&1 && hw B case list --format tsv >"$tmp/list" 2>>"$tmp/out" &&
   for c in "$x_case" "$c1" "$c2" "$c3"; do grep -q "^$c" "$tmp/list" || exit 1; done &&
   [ "$(wc -l <"$tmp/list")" -le 5 ]; then
	ok "a supervisor's device receives every case once"
else
	not_ok "a supervisor's device receives every case once"
fi
check "the supervisor's workspace has every case" sh -c '
	n=$("$1" --workspace "$2" case list --format tsv | grep -c "^[0-9a-f]\{8\}-"); [ "$n" = 4 ]' \
	sh "$HOMEWARD" "$tmp/S"

# A main written by a newer program is refused, with what to do.
(cd "$tmp/old" && git_c fetch -q "$central" main && git_c checkout -q FETCH_HEAD &&
 printf '9\n' >homeward-format && git_c add homeward-format && git_c commit -qm newer &&
 git_c push -q "$central" HEAD:refs/heads/main) >"$tmp/out" 2>&1
check "a main in a format newer than the program is refused with what to do" sh -c '
	! "$1" --workspace "$2" sync 2>"$3/err" && grep -q "format 9, newer than this program knows ([0-9]*): update Homeward" "$3/err"' \
	sh "$HOMEWARD" "$tmp/A" "$tmp"
exit $failed
