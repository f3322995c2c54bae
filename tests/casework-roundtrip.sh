#!/bin/sh
# casework-roundtrip.sh: case work travelling between devices through a
# central repository in a folder.  Counsellor A records the decision, the
# departure, the consent and a referral with the needs assessment; the
# supervisor merges; field officer B receives the case, reads the needs
# assessment, records the arrival and the provider's answer; A sees the
# new stage and the referral's status.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-cwsync.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
# The passphrase of every device's keys, read by each command from descriptor 9.
printf 'casework sync test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }

echo "1..14"
"$GIT_BIN" init -q --bare "$tmp/central.git"
remote=$tmp/central.git
cat >"$tmp/needs" <<'EOF'
answer /data/age_asked 34
answer /data/return_country_fix NG
answer /data/assistance_kinds "cash medical"
answer /data/summary "Needs a small business grant and follow-up for diabetes."
EOF

# --- the supervisor founds the team; A and B join it and are added ---
. "${top_srcdir:-.}/tests/team-lib.sh"
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
# B works for the provider the case is referred to: a recipient once consent is granted.
hw B init --device-id dev-b --name Bola --role field_officer --remote "$remote" >/dev/null 2>&1
team_enrol "$tmp/S" "$tmp/B" field_officer ng-lagos-reintegration

# --- counsellor A ---
case_id= instance= ref=
if hw A init --device-id dev-a --name Amina --role counsellor --remote "$remote" >"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/A" counsellor 2>>"$tmp/out" &&
   case_id=$(hw A case add --given-name Chinedu --family-name Example --birth-date 1992-05-01 \
	--nationality NG --return-country NG --language en 2>>"$tmp/out") &&
   instance=$(hw A form submit "$case_id" needs-assessment "$tmp/needs" 2>>"$tmp/out") &&
   hw A case decide "$case_id" return --date 2026-11-20 >>"$tmp/out" 2>&1 &&
   hw A case depart "$case_id" --date 2026-11-27 --type assisted_voluntary --assistance cash,travel >>"$tmp/out" 2>&1 &&
   hw A consent record "$case_id" --purpose share_with_provider --granted \
	--recipient ng-lagos-reintegration --present interpreter >>"$tmp/out" 2>&1 &&
   ref=$(hw A referral send "$case_id" --provider ng-lagos-reintegration --kinds business,medical \
	--submission "$instance" 2>>"$tmp/out") && [ -n "$ref" ]; then
	ok "counsellor A records decision, departure, consent and a referral with the needs assessment"
else
	not_ok "counsellor A records decision, departure, consent and a referral with the needs assessment"
fi
check "A syncs" sh -c '"$1" --workspace "$2" sync | tee /dev/stderr | grep -q "sent 6 events, 1 submission"' \
	sh "$HOMEWARD" "$tmp/A"

# --- supervisor ---
check "the supervisor merges" sh -c '
	"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices"' \
	sh "$HOMEWARD" "$tmp/S" "$remote"

# --- field officer B ---
check "field officer B receives the case in its stage" sh -c '
	"$1" --workspace "$2" sync &&
	"$1" --workspace "$2" case list --format tsv --stage departed | tee /dev/stderr | cut -f1 | grep -qx "$4"' \
	sh "$HOMEWARD" "$tmp/B" "$remote" "$case_id"
check "B sees the referral waiting, with its provider" sh -c '
	"$1" --workspace "$2" referral list --format tsv | tee /dev/stderr |
	grep -q "^$3	$4	ng-lagos-reintegration	business medical	sent	"' sh "$HOMEWARD" "$tmp/B" "$ref" "$case_id"
check "B reads the needs assessment with submission show" sh -c '
	"$1" --workspace "$2" submission show "${3#uuid:}" | tee /dev/stderr >"$4" &&
	grep -q "^Return to: Nigeria (from the case)" "$4" && ! grep -q "^How old are you?" "$4" &&
	grep -q "business grant and follow-up for diabetes" "$4"' sh "$HOMEWARD" "$tmp/B" "$instance" "$tmp/show"
check "and in French, by the id with its uuid: prefix" sh -c '
	"$1" --workspace "$2" submission show "$3" --lang fr | grep -q "^Pays de retour : Nigeria"' \
	sh "$HOMEWARD" "$tmp/B" "$instance"
# The arrival schedules the three follow-up rounds for the field officer: six events.
check "B takes the case on, records the arrival and the provider's answer" sh -c '
	"$1" --workspace "$2" case assign "$3" dev-b --role field_officer --org "Lagos Return Office" &&
	"$1" --workspace "$2" case arrive "$3" --date 2026-11-28 &&
	"$1" --workspace "$2" referral update "$4" --status accepted --note "first meeting on 2 December" &&
	"$1" --workspace "$2" sync | tee /dev/stderr | grep -q "sent 6 events"' \
	sh "$HOMEWARD" "$tmp/B" "$case_id" "$(echo "$ref" | cut -c1-8)"
check "the supervisor merges B's work" sh -c '"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices (6 events"' \
	sh "$HOMEWARD" "$tmp/S"

# --- back on A ---
hw A sync >"$tmp/out" 2>&1
hw A case show "$case_id" >"$tmp/show" 2>&1
cp "$tmp/show" "$tmp/out"
if grep -q "^Stage  *arrived" "$tmp/show" && grep -q "^Arrived  *2026-11-28 (confirmed by dev-b)" "$tmp/show"; then
	ok "A sees the new stage and who confirmed the arrival"
else
	not_ok "A sees the new stage and who confirmed the arrival"
fi
if grep -q "Lagos Reintegration Partner (example) (ng-lagos-reintegration)  accepted" "$tmp/show" &&
   grep -q "first meeting on 2 December" "$tmp/show"; then
	ok "A sees the referral accepted, with the note"
else
	not_ok "A sees the referral accepted, with the note"
fi
if grep -q "^  dev-a  *counsellor" "$tmp/show" && grep -q "^  dev-b  *field_officer  *Lagos Return Office" "$tmp/show"; then
	ok "both the counsellor and the field officer are assigned"
else
	not_ok "both the counsellor and the field officer are assigned"
fi
hw A agenda --format tsv >"$tmp/out" 2>&1
if [ "$(cut -f3,7,9 "$tmp/out" | tail -n +2 | tr '\t\n' ' ;')" = "2027-02-28 dev-b m3;2027-05-28 dev-b m6;2027-11-28 dev-b m12;" ]; then
	ok "A's agenda has the follow-up rounds the arrival scheduled, for the field officer"
else
	not_ok "A's agenda has the follow-up rounds the arrival scheduled, for the field officer"
fi

# --- a device branch carrying an event that is not signed, and outside its schema, is refused ---
git_c() { "$GIT_BIN" -c user.name=test -c user.email=test@example.invalid "$@"; }
ev=0ffcbe7b-82d7-4896-ab8e-cbb001dfc396
# The case folder of the repository's layout: cases/<1st>/<2nd>/<3rd character>/<id>.
shard=$(echo "$case_id" | sed 's|^\(.\)\(.\)\(.\).*|\1/\2/\3|')
(
	git_c clone -q "$remote" "$tmp/work" && cd "$tmp/work" &&
	git_c checkout -q -b x origin/devices/dev-b &&
	mkdir -p "cases/$shard/$case_id/events" &&
	printf '{"at":"2026-11-29T10:00:00Z","author":"X","case":"%s","data":{"date":"2026-11-20","decision":"maybe"},"device":"dev-b","id":"%s","parents":[],"type":"case.decided"}' \
		"$case_id" "$ev" >"cases/$shard/$case_id/events/$ev.json" &&
	git_c add -A && git_c commit -qm "a decision nobody can make" &&
	git_c push -q origin x:refs/heads/devices/dev-b
) >"$tmp/out" 2>&1
hw S merge >"$tmp/merge.out" 2>"$tmp/merge.err"
status=$?
cat "$tmp/merge.out" "$tmp/merge.err" >>"$tmp/out"
if [ $status -ne 0 ] && grep -q "rejected device dev-b: cases/$shard/$case_id/events/$ev.json: the file is not signed" "$tmp/merge.err" &&
   hw S case show "$case_id" | grep -q "^Decision  *return"; then
	ok "a device branch with an unsigned event is rejected, naming the file"
else
	not_ok "a device branch with an unsigned event is rejected, naming the file"
fi

exit $failed
