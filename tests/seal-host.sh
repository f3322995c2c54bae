#!/bin/sh
# seal-host.sh: what the host of the central repository, a USB stick used
# as a remote, and a device that is not a case's recipient can read, through
# the real program.  A counsellor records a case and a needs assessment;
# the supervisor merges; after the round trip no given name, family name,
# birth date or answer text is in any object of the central repository (a
# folder, as on a USB stick) nor in the field officer's homeward.db and
# repo.git; assigned, the case reaches the field officer; unassigned, later
# events do not.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
SQL="${top_builddir:-.}/tests/ws_sql"
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-seal.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'seal host test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }

# The strings a returnee gave; none may reach the host or a non-recipient.
GIVEN=Zainabqx
FAMILY=Qorvexample
BIRTH=1987-06-15
ANSWER="Needs a loom for weaving and insulin every month"
LATER=Laterqorv

# every_object DIR: every object of the git repository DIR, inflated.
every_object() { "$GIT_BIN" -C "$1" cat-file --batch-all-objects --batch; }
# db_text WS: every row of every table of WS's database, read through its
# encryption with the passphrase (the file itself is ciphertext).
db_text() {
	"$SQL" "$1" "SELECT name FROM sqlite_master WHERE type = 'table'" | while read -r tbl; do
		"$SQL" "$1" "SELECT * FROM \"$tbl\""
	done
}
# holds_none FILE: FILE has none of the returnee's strings.
holds_none() {
	! grep -a -q -e "$GIVEN" -e "$FAMILY" -e "$BIRTH" -e "$ANSWER" -e "$LATER" "$@"
}

echo "1..8"
# The central repository is a folder: the same as a USB stick's.
remote=$tmp/stick/central.git
mkdir -p "$tmp/stick" && "$GIT_BIN" init -q --bare "$remote"
cat >"$tmp/needs" <<EOF
answer /data/assistance_kinds "cash medical"
answer /data/summary "$ANSWER"
EOF

. "${top_srcdir:-.}/tests/team-lib.sh"
case_id=
if hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >"$tmp/out" 2>&1 &&
   hw A init --device-id dev-a --name Amina --role counsellor --remote "$remote" >>"$tmp/out" 2>&1 &&
   hw F init --device-id dev-f --name Femi --role field_officer --remote "$remote" >>"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/A" counsellor >>"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/F" field_officer ng-benin-city-shelter >>"$tmp/out" 2>&1 &&
   case_id=$(hw A case add --given-name "$GIVEN" --family-name "$FAMILY" --birth-date "$BIRTH" \
	--nationality NG --return-country NG --language en 2>>"$tmp/out") &&
   hw A form submit "$case_id" needs-assessment "$tmp/needs" >>"$tmp/out" 2>&1 &&
   hw A sync >>"$tmp/out" 2>&1 && hw S merge >>"$tmp/out" 2>&1 && hw F sync >>"$tmp/out" 2>&1 &&
   hw S case show "$case_id" >"$tmp/show" 2>>"$tmp/out" && grep -q "$FAMILY" "$tmp/show"; then
	ok "a round trip: the supervisor reads the case"
else
	not_ok "a round trip: the supervisor reads the case"
fi

every_object "$remote" >"$tmp/central.objects" 2>"$tmp/out"
check "no name, birth date or answer in any object of the central repository (the stick)" \
	holds_none "$tmp/central.objects"
db_text "$tmp/F" >"$tmp/f.db" 2>"$tmp/out"
check "the field officer, no recipient, holds none of them in its database, read with its passphrase" \
	sh -c '[ -s "$1" ] && ! grep -a -q -e "$2" -e "$3" -e "$4" -e "$5" "$1"' \
	sh "$tmp/f.db" "$GIVEN" "$FAMILY" "$BIRTH" "$ANSWER"
every_object "$tmp/F/repo.git" >"$tmp/f.objects" 2>"$tmp/out"
check "nor in its repo.git" holds_none "$tmp/f.objects"
check "its case list does not have the case" \
	sh -c '! "$1" --workspace "$2" case list --format tsv | grep -q "^$3"' sh "$HOMEWARD" "$tmp/F" "$case_id"

# Assigned: the case appears at the field officer's next sync.
hw S case assign "$case_id" dev-f --role field_officer >"$tmp/out" 2>&1
hw S merge >>"$tmp/out" 2>&1
check "assigned, the case reaches the field officer at its next sync" sh -c '
	"$1" --workspace "$2" sync && "$1" --workspace "$2" case show "$3" | grep -q "$4"' \
	sh "$HOMEWARD" "$tmp/F" "$case_id" "$FAMILY"

# Unassigned: later events do not reach it.
hw S case assign "$case_id" dev-a --role counsellor --unassign dev-f >"$tmp/out" 2>&1
hw S case update "$case_id" family_name "$LATER" >>"$tmp/out" 2>&1
hw S merge >>"$tmp/out" 2>&1
hw F sync >>"$tmp/out" 2>&1
db_text "$tmp/F" >"$tmp/f.db" 2>"$tmp/out"
check "unassigned, the next change does not reach it" \
	sh -c 'grep -a -q "$3" "$1" && ! grep -a -q "$2" "$1"' sh "$tmp/f.db" "$LATER" "$FAMILY"
every_object "$remote" >"$tmp/central.objects" 2>"$tmp/out"
check "and the host still sees no name after the change" holds_none "$tmp/central.objects"

exit $failed
