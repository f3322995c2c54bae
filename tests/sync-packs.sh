#!/bin/sh
# sync-packs.sh: what merges and syncs leave in a workspace's repo.git.
# A merge of several device branches writes one pack of the trees it made
# (it wrote one per branch, with copies of trees the devices had sent), and
# the packs every sync and merge add are rolled up once there are 16
# (REPO_ROLLUP_PACKS), so their number stays small however long a
# workspace is used; git finds every object whole afterwards.  Over a
# folder remote.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-packs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
printf 'packs test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
. "${top_srcdir:-.}/tests/team-lib.sh"

# packs WS: how many packs its repo.git holds.
packs() { ls "$tmp/$1/repo.git/objects/pack" | grep -c '\.pack$'; }
# objects WS: "<objects in all packs> <distinct objects>" of its repo.git.
objects() {
	for i in "$tmp/$1/repo.git/objects/pack"/*.idx; do
		"$GIT_BIN" show-index <"$i"
	done | awk '{ print $2 }' | sort | uniq -c | awk '{ all += $1; one++ } END { print all + 0, one + 0 }'
}
# whole WS: git reads every object of repo.git, and every ref reaches whole.
whole() { "$GIT_BIN" --git-dir="$tmp/$1/repo.git" fsck --full --no-dangling >"$tmp/fsck" 2>&1; }

echo "1..6"
"$GIT_BIN" init -q --bare "$tmp/central.git"
remote=$tmp/central.git
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
for d in A B C; do
	hw "$d" init --device-id "dev-$d" --name "$d" --role counsellor --remote "$remote" >/dev/null 2>&1 &&
	team_enrol "$tmp/S" "$tmp/$d" counsellor >"$tmp/out" 2>&1 || { not_ok "team"; exit 1; }
done
hw S merge >/dev/null 2>&1
for d in A B C; do hw "$d" sync >/dev/null 2>&1; done

# Three devices send 30 cases each: 120 files a branch, which merge used
# to pack branch by branch.
: >"$tmp/out"
for d in A B C; do
	"$GEN" "$tmp/$d" 30 >>"$tmp/out" 2>&1 && hw "$d" sync >>"$tmp/out" 2>&1 || break
done
before=$(packs S)
hw S merge >>"$tmp/out" 2>&1
st=$?
after=$(packs S)
if [ $st -eq 0 ] && [ "$(hw S case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = 90 ]; then
	ok "a merge of three devices' 90 cases goes through"
else
	not_ok "a merge of three devices' 90 cases goes through (status $st)"
fi
# The fetch of the branches and the merge's own trees: two packs.
if [ $((after - before)) -le 2 ]; then
	ok "the merge adds one pack besides the fetch's ($before -> $after)"
else
	echo "$before -> $after" >"$tmp/out"
	not_ok "the merge adds one pack besides the fetch's ($before -> $after)"
fi
set -- $(objects S)
if [ "$1" = "$2" ] && whole S; then
	ok "no object is in two packs, and git finds repo.git whole ($1 objects)"
else
	cp "$tmp/fsck" "$tmp/out"
	not_ok "no object is in two packs, and git finds repo.git whole ($1 objects, $2 distinct)"
fi

# Day after day: each device sends a case, the supervisor merges.  The
# packs never pile up past the roll-up's threshold, on any workspace.
most=0 rolled=no rounds=12
: >"$tmp/out"
for day in $(seq $rounds); do
	for d in A B C; do
		hw "$d" case add --given-name Day --family-name "Round$day" --birth-date 1990-01-01 \
			--nationality NG --return-country NG --language en >/dev/null 2>>"$tmp/out" &&
		hw "$d" sync >>"$tmp/out" 2>&1 || break 2
	done
	was=$(packs S)
	hw S merge >>"$tmp/out" 2>&1 || break
	now=$(packs S)
	[ "$now" -lt "$was" ] && rolled=yes
	[ "$now" -gt "$most" ] && most=$now
	echo "day $day: $was -> $now packs" >>"$tmp/out"
done
if [ "$day" = $rounds ] && [ $rolled = yes ] && [ "$most" -le 17 ]; then
	ok "over $rounds merges the supervisor's packs are rolled up (at most $most)"
else
	not_ok "over $rounds merges the supervisor's packs are rolled up (at most $most, rolled: $rolled)"
fi
bad=
for w in S A B C; do
	[ "$(packs $w)" -le 17 ] && whole $w || bad="$bad $w"
done
if [ -z "$bad" ]; then
	ok "every workspace keeps few packs, and git finds each repo.git whole"
else
	cp "$tmp/fsck" "$tmp/out"
	not_ok "every workspace keeps few packs, and git finds each repo.git whole (not:$bad)"
fi
# Everything every device sent is on the supervisor's list; a device keeps
# its own (the others' cases are sealed for their writers and supervisors).
got_s=$(hw S case list --format tsv | grep -c '^[0-9a-f]\{8\}-')
hw A sync >"$tmp/out" 2>&1
got_a=$(hw A case list --format tsv | grep -c '^[0-9a-f]\{8\}-')
if [ "$got_s" = $((90 + 3 * rounds)) ] && [ "$got_a" = $((30 + rounds)) ]; then
	ok "every case is on the supervisor's list, and a device keeps its own"
else
	not_ok "every case is on the supervisor's list, and a device keeps its own ($got_s, $got_a)"
fi
exit $failed
