#!/bin/sh
# team-settings.sh: the programme rules a supervisor sets for the whole team
# (docs/agenda.md, docs/security.md "Team settings"), through the real program
# and a real bare repository.  The supervisor sets the follow-up rounds; the
# field officer's device applies them at its next sync and its arrival
# schedules the team's rounds; the officer cannot set them locally; a setting
# signed by a device of another team, or changed after signing, is refused,
# reported by sync, and the old value kept; a workspace without a team keeps
# its own setting.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-teamset.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'team settings test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; for f in out err; do [ -f "$tmp/$f" ] && sed 's/^/# /' "$tmp/$f"; done; }
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
# rounds WS CASE: the case's follow-up rounds on WS's agenda, "m3 m6 ..."
rounds() { hw "$1" agenda --all --format tsv | awk -F'\t' -v c="$2" '$1 == c { print $9 }' | tr '\n' ' '; }
# arrive WS: a new case on WS that returned and arrived; prints its id
arrive() {
	_id=$(hw "$1" case add --given-name Ada --family-name Example --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en) &&
	hw "$1" case decide "$_id" return --date 2026-11-01 >/dev/null &&
	hw "$1" case depart "$_id" --date 2026-11-02 --type assisted_voluntary >/dev/null &&
	hw "$1" case arrive "$_id" --date 2026-11-03 >/dev/null && echo "$_id"
}

echo "1..13"
remote=$tmp/central.git
"$GIT_BIN" init -q --bare "$remote"
. "${top_srcdir:-.}/tests/team-lib.sh"
if hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >"$tmp/out" 2>&1 &&
   hw F init --device-id dev-f --name Femi --role field_officer --remote "$remote" >>"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/F" field_officer >>"$tmp/out" 2>&1 &&
   hw F sync >>"$tmp/out" 2>&1; then
	ok "a supervisor and an enrolled field officer"
else
	not_ok "a supervisor and an enrolled field officer"
fi

hw F config get agenda.follow_up_months >"$tmp/out" 2>"$tmp/err"
if [ "$(cat "$tmp/out")" = "3,6,12" ] && grep -q "team has not set" "$tmp/err"; then
	ok "before the supervisor sets it, the device shows the default and says it is the team's to set"
else
	not_ok "before the supervisor sets it, the device shows the default and says it is the team's to set"
fi

hw F config set agenda.follow_up_months 1,2 >"$tmp/out" 2>"$tmp/err"; st=$?
if [ $st -eq 1 ] && grep -q "team setting" "$tmp/err" && grep -q "Sam" "$tmp/err" &&
   grep -q "homeward team set agenda.follow_up_months" "$tmp/err" &&
   [ "$(hw F config get agenda.follow_up_months 2>/dev/null)" = "3,6,12" ]; then
	ok "config set of a team setting on a device in a team is refused, naming who sets it"
else
	not_ok "config set of a team setting on a device in a team is refused, naming who sets it"
fi

hw F team set agenda.follow_up_months 1,2 >"$tmp/out" 2>"$tmp/err"; st=$?
if [ $st -eq 1 ] && grep -q "supervisor" "$tmp/err" && ! grep -rqs homeward-setting "$tmp/F/team"; then
	ok "a field officer cannot set a team setting"
else
	not_ok "a field officer cannot set a team setting"
fi

hw S team set agenda.follow_up_months 3,6,12,2x >"$tmp/out" 2>"$tmp/err"; st=$?
if [ $st -eq 1 ] && grep -q "agenda.follow_up_months is a list" "$tmp/err"; then
	ok "a value that is not month counts is refused"
else
	not_ok "a value that is not month counts is refused"
fi

# Before the supervisor's change: the officer's arrival has the default rounds.
c0=$(arrive F 2>"$tmp/err")
if [ -n "$c0" ] && [ "$(rounds F "$c0")" = "m3 m6 m12 " ]; then
	ok "an arrival before the change schedules the default rounds"
else
	not_ok "an arrival before the change schedules the default rounds"
fi

hw S team set agenda.follow_up_months 3,6,12,24 >"$tmp/out" 2>&1 &&
hw S team set report.min_count 10 >>"$tmp/out" 2>&1 &&
hw S merge >>"$tmp/out" 2>&1 && hw F sync >>"$tmp/out" 2>&1
hw F config get agenda.follow_up_months >"$tmp/out" 2>"$tmp/err"
if [ "$(cat "$tmp/out")" = "3,6,12,24" ] && grep -q "team setting, set by Sam (sup)" "$tmp/err" &&
   [ "$(hw F config get report.min_count 2>/dev/null)" = "10" ]; then
	ok "after the officer's next sync its device shows the team's value and where it comes from"
else
	not_ok "after the officer's next sync its device shows the team's value and where it comes from"
fi

c1=$(arrive F 2>"$tmp/err")
if [ -n "$c1" ] && [ "$(rounds F "$c1")" = "m3 m6 m12 m24 " ] && [ "$(rounds F "$c0")" = "m3 m6 m12 " ]; then
	ok "the officer's arrival after the change schedules the team's rounds; earlier ones stay"
else
	rounds F "$c1" >"$tmp/out"
	not_ok "the officer's arrival after the change schedules the team's rounds; earlier ones stay"
fi

# A device of another team signs a setting; it reaches main in the supervisor's merge.
hw X init --device-id rogue --name Rex --role supervisor >"$tmp/out" 2>&1 &&
hw X team set agenda.follow_up_months 1 >>"$tmp/out" 2>&1 &&
mkdir -p "$tmp/S/team/rogue" && cp "$tmp"/X/team/rogue/*.entry "$tmp/S/team/rogue/" 2>>"$tmp/out"
rogue=$(cd "$tmp/X" && grep -l "homeward-setting" team/rogue/*.entry)
HOMEWARD_NOW=2026-11-30T10:00:00Z hw S merge >>"$tmp/out" 2>&1
HOMEWARD_NOW=2026-11-30T10:00:00Z hw F sync >"$tmp/out" 2>"$tmp/err"
if [ -n "$rogue" ] && "$GIT_BIN" -C "$remote" cat-file -e "main:$rogue" 2>/dev/null &&
   grep -q "$rogue.*not a supervisor of this team" "$tmp/err" &&
   [ "$(hw F config get agenda.follow_up_months 2>/dev/null)" = "3,6,12,24" ]; then
	ok "a setting signed by another team's device is refused, reported by sync, the old value kept"
else
	not_ok "a setting signed by another team's device is refused, reported by sync, the old value kept"
fi

# The supervisor's own file, changed after signing (new name, later time, other value).
good=$(cd "$tmp/S" && grep -l "value 3,6,12,24" team/sup/*.entry)
forged=team/sup/0badc0de-0000-4000-8000-000000000001.entry
sed -e "s/^name .*/name ${forged##*/}/" -e 's/^value 3,6,12,24$/value 1,2,3,4/' \
    -e 's/^at 2026-11-29/at 2026-12-01/' "$tmp/S/$good" >"$tmp/S/$forged"
HOMEWARD_NOW=2026-12-01T10:00:00Z hw S merge >"$tmp/out" 2>&1
HOMEWARD_NOW=2026-12-01T10:00:00Z hw F sync >"$tmp/out" 2>"$tmp/err"
if [ -n "$good" ] && grep -q "value 1,2,3,4" "$tmp/S/$forged" &&
   grep -q "${forged##*/}.*forged or changed after signing" "$tmp/err" &&
   [ "$(hw F config get agenda.follow_up_months 2>/dev/null)" = "3,6,12,24" ]; then
	ok "a setting changed after signing is refused, reported by sync, the old value kept"
else
	not_ok "a setting changed after signing is refused, reported by sync, the old value kept"
fi

c2=$(HOMEWARD_NOW=2026-12-01T10:00:00Z arrive F 2>"$tmp/err")
if [ -n "$c2" ] && [ "$(rounds F "$c2")" = "m3 m6 m12 m24 " ]; then
	ok "after the refused files, arrivals still follow the team's value"
else
	not_ok "after the refused files, arrivals still follow the team's value"
fi

# The supervisor's own reading is the same: forged files never count.
check "the supervisor's device also ignores the refused files" \
	sh -c '[ "$("$0" --workspace "$1" config get agenda.follow_up_months 2>/dev/null)" = "3,6,12,24" ]' "$HOMEWARD" "$tmp/S"

# A workspace without a team keeps its own setting.
hw L init --device-id solo --name Lone --role counsellor >"$tmp/out" 2>&1 &&
hw L config set agenda.follow_up_months 1,2 >>"$tmp/out" 2>&1
hw L config get agenda.follow_up_months >"$tmp/out" 2>"$tmp/err"
if [ "$(cat "$tmp/out")" = "1,2" ] && [ ! -s "$tmp/err" ]; then
	ok "a workspace without a team keeps its own setting"
else
	not_ok "a workspace without a team keeps its own setting"
fi
exit $failed
