#!/bin/sh
# team.sh: the team roster and signed files through the real program over
# real bare repositories: founding a team, joining it by fingerprint,
# enrolment requests, roles and authors from the roster, a branch waiting
# for enrolment, and forgeries (an event signed by another device, an
# unsigned event, an event by a removed member, a re-signed changed event,
# a main commit pushed by a counsellor), each rejected with a report naming
# the file while the good branches still merge.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
SQL="${top_builddir:-.}/tests/ws_sql"
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-team.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'team test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
. "${top_srcdir:-.}/tests/team-lib.sh"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
# t DESCRIPTION SHELL-CONDITION
t() { if eval "$2" >>"$tmp/out" 2>&1; then ok "$1"; else not_ok "$1"; fi; rm -f "$tmp/out"; }
hw() { w=$1; shift; "$HOMEWARD" --workspace "$tmp/$w" "$@"; }
git_c() { "$GIT_BIN" -c user.name=test -c user.email=test@example.invalid "$@"; }
new_case() { # WS FAMILY -> the case id
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}
in_list() { hw "$1" case list --format tsv | cut -f1 | grep -qx "$2"; }

echo "1..23"
remote=$tmp/central.git
"$GIT_BIN" init -q --bare "$remote"

# --- founding and joining ---
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >"$tmp/init.out" 2>&1
fp=$(hw S team fingerprint 2>/dev/null | tail -n 1)
t "a supervisor's init founds a team and shows its fingerprint, which team fingerprint prints alone on its last line" \
	'echo "$fp" | grep -Eqx "([0-9a-f]{4} ){15}[0-9a-f]{4}" && grep -qx "$fp" "$tmp/init.out"'
t "init --team-key takes the fingerprint as printed, before the remote holds anything" \
	'[ -z "$("$GIT_BIN" --git-dir="$remote" for-each-ref)" ] &&
	 hw A init --device-id dev-a --name Amina --role counsellor --remote "$remote" --team-key "$fp" &&
	 [ "$(hw A team fingerprint | tail -n 1)" = "$fp" ]'
t "a mistyped fingerprint is refused and nothing is made" \
	'! hw Z init --device-id dev-z --name Zed --role counsellor --team-key "${fp%?}" 2>"$tmp/err" &&
	 grep -q "64 hex digits" "$tmp/err" && [ ! -e "$tmp/Z" ]'
t "init --role field_officer is accepted" \
	'hw F init --device-id dev-f --name Femi --role field_officer --remote "$remote" --team-key "$fp"'
hw B init --device-id dev-b --name Bola --role counsellor --remote "$remote" --team-key "$fp" >/dev/null 2>&1
hw C init --device-id dev-c --name Chidi --role counsellor --remote "$remote" --team-key "$fp" >/dev/null 2>&1
hw D init --device-id dev-d --name Dayo --role counsellor --remote "$remote" --team-key "$fp" >/dev/null 2>&1

# A counsellor without a team works locally; its sync says to join first.
hw L init --device-id dev-l --name Lone --role counsellor --remote "$remote" >"$tmp/l.out" 2>&1
t "a counsellor without --team-key works locally, its sync says it must join a team first, and team join pins the team" \
	'new_case L Local >/dev/null && ! hw L sync 2>"$tmp/err" && grep -q "team join FINGERPRINT" "$tmp/err" &&
	 hw L team join "$fp" >/dev/null && [ "$(hw L team fingerprint | tail -n 1)" = "$fp" ]'

# --- enrolment ---
for w in A B C D F; do hw $w team request --out "$tmp/$w.request" 2>/dev/null; done
t "a request is signed: one changed byte and team add refuses it" \
	'sed "s/^name Amina/name Amino/" "$tmp/A.request" >"$tmp/bad.request" &&
	 ! hw S team add "$tmp/bad.request" --role counsellor 2>"$tmp/err" && grep -q "signature" "$tmp/err"'
hw S team add "$tmp/A.request" --role counsellor --org "IOM Lagos" >/dev/null &&
hw S team add "$tmp/B.request" --role counsellor >/dev/null &&
hw S team add "$tmp/C.request" --role counsellor >/dev/null &&
hw S team add "$tmp/D.request" --role counsellor >/dev/null
# The supervisor's merge publishes the roster: devices seal for the supervisors on it.
hw S merge >/dev/null 2>&1
a1=$(new_case A Okafor)
hw A sync >/dev/null 2>&1
f1=$(new_case F Field)
hw F sync >/dev/null 2>&1
hw S merge >"$tmp/m1.out" 2>"$tmp/m1.err"; st=$?
t "an unenrolled device's branch waits for enrolment; the enrolled one merges" \
	'[ $st = 0 ] && grep -q "device dev-f is waiting for enrolment" "$tmp/m1.err" &&
	 grep -q "merged 1 of 1 devices" "$tmp/m1.out" && in_list S "$a1" && ! in_list S "$f1"'
hw S team add "$tmp/F.request" --role field_officer --org "Lagos Return Office" >/dev/null
hw S merge >"$tmp/m2.out" 2>"$tmp/m2.err"
t "once added, its branch merges at the next merge" \
	'grep -q "merged 1 of 1 devices" "$tmp/m2.out" && in_list S "$f1"'
hw A sync >/dev/null 2>&1
t "the roster travels on main: team list on a counsellor shows every member, role and organisation" \
	'hw A team list --format tsv >"$tmp/list" &&
	 grep -q "^dev-a	Amina	counsellor	IOM Lagos	member	sup	" "$tmp/list" &&
	 grep -q "^dev-f	Femi	field_officer	Lagos Return Office	member	sup	" "$tmp/list" &&
	 grep -q "^sup	Sam	supervisor		member	sup	" "$tmp/list"'
t "team list --format json is JSON" \
	'hw A team list --format json | python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d) == 6, d"'

# --- roles and authors come from the roster ---
t "a counsellor whose role setting says supervisor still cannot merge nor add members" \
	'hw A config set counsellor.role supervisor && ! hw A merge 2>"$tmp/err" &&
	 grep -q "for supervisors" "$tmp/err" && ! hw A team add "$tmp/D.request" --role supervisor 2>"$tmp/err"'
hw A config set counsellor.name "Somebody Else" >/dev/null
a2=$(new_case A Mensah)
t "a counsellor that renames itself still records under the roster's name" \
	'hw A case show "$a2" | grep "case.opened" | grep -q Amina && ! hw A case show "$a2" | grep -q "Somebody Else"'
hw A sync >/dev/null 2>&1

# --- forgeries on device branches ---
new_case B Bola >/dev/null
hw B sync >/dev/null 2>&1
hw C sync >/dev/null 2>&1
hw S team remove dev-c >/dev/null
c1=$(new_case C Removed)
hw C sync >/dev/null 2>&1
d1=$(new_case D Good)
hw D sync >/dev/null 2>&1
git_c clone -q "$remote" "$tmp/work" 2>/dev/null
ev_a=$(cd "$tmp/work" && git_c ls-tree -r --name-only origin/devices/dev-a | grep "$a2/events/" | head -n 1)
ev_unsigned=$(dirname "$ev_a")/0ffcbe7b-82d7-4896-ab8e-cbb001dfc396.json
(
	cd "$tmp/work" && git_c checkout -q -b b origin/devices/dev-b &&
	# A's signed event, copied into B's branch as if B had sent it.
	mkdir -p "$(dirname "$ev_a")" && git_c show "origin/devices/dev-a:$ev_a" >"$ev_a" &&
	# An event with no signature at all.
	printf '{"at":"2026-11-29T10:00:00Z","author":"Bola","case":"%s","data":{},"device":"dev-b","id":"0ffcbe7b-82d7-4896-ab8e-cbb001dfc396","parents":[],"type":"case.reopened"}' "$a2" >"$ev_unsigned" &&
	git_c add -A && git_c commit -qm "forged" && git_c push -q origin b:refs/heads/devices/dev-b
) >/dev/null 2>&1
# A re-signed event with changed content: A's event, its family name
# changed, recorded as E's own, so that E's sync signs it with E's key.
# (A new id, so that it is a new file: the same path would keep main's file.)
orig=$("$SQL" "$tmp/A" "select id from events where case_id = '$a2' and type = 'case.opened'")
resigned=$(cat /proc/sys/kernel/random/uuid)
json=$("$SQL" "$tmp/A" "select json from events where id = '$orig'" | sed -e 's/Mensah/Forged/' -e "s/$orig/$resigned/")
hw E init --device-id dev-e --name Ebi --role counsellor --remote "$remote" --team-key "$fp" >/dev/null 2>&1
hw E team request --out "$tmp/E.request" 2>/dev/null
hw S team add "$tmp/E.request" --role counsellor >/dev/null
hw S merge >/dev/null 2>&1
new_case E Carrier >/dev/null
q=$(printf '%s' "$json" | sed "s/'/''/g")
"$SQL" "$tmp/E" "update events set json = '$q', id = '$resigned', case_id = '$a2' where seq = (select max(seq) from events)"
hw E sync >/dev/null 2>"$tmp/e.err"
hw S merge >"$tmp/m3.out" 2>"$tmp/m3.err"; st=$?
cat "$tmp/m3.err" | sed 's/^/# /'
t "an event signed by another device is rejected, naming the file" \
	'grep -q "rejected device dev-b: $ev_a: the file is signed by device dev-a, not by this branch'"'"'s device dev-b" "$tmp/m3.err"'
t "an unsigned event is rejected, naming the file" \
	'grep -q "rejected device dev-b: $ev_unsigned: the file is not signed" "$tmp/m3.err"'
t "an event by a removed member is rejected, naming the file" \
	'grep -q "rejected device dev-c: cases/.*$c1/events/.*removed from the team" "$tmp/m3.err" && ! in_list S "$c1"'
t "a re-signed event with changed content is rejected, naming the file" \
	'grep -q "rejected device dev-e: cases/.*/$resigned.json: the event was made on device \"dev-a\"" "$tmp/m3.err" && ! hw S case list --format tsv | grep -q Forged'
t "the good branch still merges (exit status 3: some were refused)" \
	'[ $st = 3 ] && in_list S "$d1"'

# --- a main commit pushed by a counsellor key ---
forged=$(dirname "$("$GIT_BIN" --git-dir="$remote" ls-tree -r --name-only main | grep "$a1/events/" | head -n 1)")/1aa8c2f0-0c39-4f4b-9d61-3c0f3b3e6a55.json
(
	cd "$tmp/work" && git_c fetch -q origin && git_c checkout -q -b m origin/main &&
	mkdir -p "$(dirname "$forged")" &&
	printf 'homeward-envelope 1\nsigner dev-b\ncase %s\nname 1aa8c2f0-0c39-4f4b-9d61-3c0f3b3e6a55.json\nkey -\nsig %0128d\n\n{}' "$a1" 0 >"$forged" &&
	git_c add -A && tree=$(git_c write-tree) &&
	{ printf 'tree %s\nparent %s\nauthor B <b@x> 1796330000 +0000\ncommitter B <b@x> 1796330000 +0000\nhomeward-sig ed25519 dev-b %0128d\n\nforged\n' \
		"$tree" "$(git_c rev-parse origin/main)" 0; } >"$tmp/commit" &&
	c=$(git_c hash-object -t commit -w "$tmp/commit") && git_c push -q origin "$c:refs/heads/main"
) >"$tmp/push.out" 2>&1
hw A sync >"$tmp/a.out" 2>"$tmp/a.err"
t "a main commit pushed by a counsellor key: a device's sync leaves its files out, naming them" \
	'grep -q "left out $forged: added to main by commit .* which no supervisor of the team signed (signed by device dev-b, which is not a supervisor of the team)" "$tmp/a.err"'
t "... and the commit's files are not taken in" '! grep -q "sent 0 events, 0 submissions; received [1-9]" "$tmp/a.out"'
d2=$(new_case D Later)
hw D sync >/dev/null 2>&1
hw S merge >"$tmp/m4.out" 2>"$tmp/m4.err"
hw A sync >"$tmp/a2.out" 2>"$tmp/a2.err"
t "the supervisor's next merge drops the forged commit from main and the good branch merges" \
	'in_list S "$d2" && ! "$GIT_BIN" --git-dir="$remote" ls-tree -r main --name-only | grep -q "$forged" && ! grep -q "left out" "$tmp/a2.err"'

# --- the server's own check: verify-push in a pre-receive hook ---
main=$("$GIT_BIN" --git-dir="$remote" rev-parse main)
t "verify-push accepts main as supervisors signed it" \
	'echo "0000000000000000000000000000000000000000 $main refs/heads/main" |
	 "$HOMEWARD" verify-push --team-key "$fp" --repository "$remote"'
cp "${top_srcdir:-.}/contrib/pre-receive" "$remote/hooks/pre-receive" && chmod +x "$remote/hooks/pre-receive"
"$GIT_BIN" --git-dir="$remote" config homeward.teamkey "$fp"
"$GIT_BIN" --git-dir="$remote" config homeward.program "$HOMEWARD"
(
	cd "$tmp/work" && git_c fetch -q origin && git_c checkout -q -b m2 origin/main &&
	echo x >"$forged" && git_c add -A && git_c commit -qm "pushed straight to main" &&
	git_c push -q origin HEAD:refs/heads/main
) >"$tmp/push.out" 2>&1; st=$?
t "with the example hook, a counsellor cannot push to main even with the server's credentials" \
	'[ $st != 0 ] && grep -q "no supervisor of the team signed" "$tmp/push.out" &&
	 [ "$("$GIT_BIN" --git-dir="$remote" rev-parse main)" = "$main" ]'
new_case D Hooked >/dev/null && hw D sync >/dev/null 2>&1 && hw S merge >/dev/null 2>&1
t "... while a supervisor's merge moving main forward passes verify-push" \
	'after=$("$GIT_BIN" --git-dir="$remote" rev-parse main) && [ "$after" != "$main" ] &&
	 echo "$main $after refs/heads/main" | "$HOMEWARD" verify-push --team-key "$fp" --repository "$remote"'

exit $failed
