#!/bin/sh
# family-roundtrip.sh: a return file and the agenda travelling between
# devices through a central repository in a folder.  Counsellor A opens a
# mother's and a child's case, links them and sets an appointment; the
# supervisor merges; field officer B receives both cases linked, each
# listing the other with the inverse relation, the whole return file with
# case list --family, and the appointment in the agenda; B unlinks them and
# records the appointment done, and A sees both.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-famsync.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'family sync test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }

echo "1..8"
"$GIT_BIN" init -q --bare "$tmp/central.git"
remote=$tmp/central.git

# --- the supervisor founds the team; A and B join it and are added ---
. "${top_srcdir:-.}/tests/team-lib.sh"
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
hw B init --device-id dev-b --name Bola --role field_officer --remote "$remote" >/dev/null 2>&1
team_enrol "$tmp/S" "$tmp/B" field_officer

MUM= KID= APP=
if hw A init --device-id dev-a --name Amina --role counsellor --remote "$remote" >"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/A" counsellor 2>>"$tmp/out" &&
   hw A sync >>"$tmp/out" 2>&1 &&
   MUM=$(hw A case add --given-name Hauwa --family-name Example --birth-date 1991-07-09 \
	--nationality NG --return-country NG --language en 2>>"$tmp/out") &&
   KID=$(hw A case add --given-name Musa --family-name Example --birth-date 2015-03-02 \
	--nationality NG --return-country NG --language en 2>>"$tmp/out") &&
   hw A case link "$KID" "$MUM" --relation parent >>"$tmp/out" 2>&1 &&
   hw A case assign "$KID" dev-b --role field_officer >>"$tmp/out" 2>&1 &&
   hw A case assign "$MUM" dev-b --role field_officer >>"$tmp/out" 2>&1 &&
   APP=$(hw A appointment set "$KID" --date 2026-12-03 --time 09:00 --purpose "School enrolment" 2>>"$tmp/out"); then
	ok "A links the child to the mother and sets an appointment"
else
	not_ok "A links the child to the mother and sets an appointment"
fi
check "A syncs both cases' events" sh -c '"$1" --workspace "$2" sync | tee /dev/stderr | grep -q "sent 7 events"' \
	sh "$HOMEWARD" "$tmp/A"
check "the supervisor merges" sh -c '
	"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices"' \
	sh "$HOMEWARD" "$tmp/S" "$remote"
check "B receives the link on both cases, each with the relation seen from it" sh -c '
	"$1" --workspace "$2" sync &&
	"$1" --workspace "$2" case show "$4" | tee /dev/stderr | grep -q "^  $(echo "$5" | cut -c1-8)  parent  *Hauwa Example" &&
	"$1" --workspace "$2" case show "$5" | grep -q "^  $(echo "$4" | cut -c1-8)  son or daughter  *Musa Example"' \
	sh "$HOMEWARD" "$tmp/B" "$remote" "$KID" "$MUM"
check "B lists the return file from either case" sh -c '
	[ "$("$1" --workspace "$2" case list --family "$3" --format tsv | tail -n +2 | cut -f1 | sort | tr "\n" " ")" = \
	  "$(printf "%s\n" "$3" "$4" | sort | tr "\n" " ")" ]' sh "$HOMEWARD" "$tmp/B" "$MUM" "$KID"
check "B has the appointment in the agenda" sh -c '
	"$1" --workspace "$2" agenda --format tsv | tee /dev/stderr | grep -q "^$3	$4	2026-12-03	09:00	"' \
	sh "$HOMEWARD" "$tmp/B" "$KID" "$APP"
check "B unlinks them and records the appointment done; the supervisor merges" sh -c '
	"$1" --workspace "$2" case unlink "$4" "$5" && "$1" --workspace "$2" appointment done "$6" &&
	"$1" --workspace "$2" sync && "$1" --workspace "$3" merge | grep -q "merged 1 of 1 devices"' \
	sh "$HOMEWARD" "$tmp/B" "$tmp/S" "$KID" "$MUM" "$APP"
check "A sees the cases unlinked and the appointment done" sh -c '
	"$1" --workspace "$2" sync &&
	[ $("$1" --workspace "$2" case list --family "$3" --format tsv | tail -n +2 | wc -l) -eq 1 ] &&
	"$1" --workspace "$2" agenda --all --format tsv | grep "^$3	$4	" | cut -f11 | grep -qx done' \
	sh "$HOMEWARD" "$tmp/A" "$KID" "$APP"
exit $failed
