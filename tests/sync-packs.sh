#!/bin/sh
# sync-packs.sh: what merges and syncs leave in a workspace's repo.git.
# A merge of several device branches writes one pack of the trees it made
# (it wrote one per branch, with copies of trees the devices had sent), and
# the packs every sync and merge add are rolled up once there are 16
# (REPO_ROLLUP_PACKS), so their number stays small however long a
# workspace is used; git finds every object whole afterwards.  Over a
# folder remote, which is rolled up the same way (nothing else tidies it),
# and which a fetch reads even when it holds more packs than the process
# may open files, or ends at once when it holds a FIFO.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin packs
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

echo "1..12"
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
# The central repository in a folder gathered a pack for every push of
# every device (no git runs gc there after a push, as a server does).
central_packs() { ls "$tmp/central.git/objects/pack" | grep -c '\.pack$'; }
if [ "$(central_packs)" -le 17 ] &&
	"$GIT_BIN" --git-dir="$tmp/central.git" fsck --full --no-dangling >"$tmp/out" 2>&1; then
	ok "the central repository in a folder is rolled up too ($(central_packs) packs), and git finds it whole"
else
	not_ok "the central repository in a folder is rolled up too ($(central_packs) packs)"
fi

# A folder with hundreds of packs (a year of pushes before the roll-up
# came) and a low limit on open files: libgit2 kept every pack it read
# open, and the fetch of a new device failed with "object not found".
hw E init --device-id dev-E --name E --role counsellor --remote "$remote" >/dev/null 2>&1 &&
	team_enrol "$tmp/S" "$tmp/E" counsellor >"$tmp/out" 2>&1 || { not_ok "team"; exit 1; }
"$GIT_BIN" --git-dir="$tmp/central.git" rev-list --objects --all | cut -d' ' -f1 >"$tmp/objects"
old=$(ls "$tmp/central.git/objects/pack"/*.pack)
split -l 3 "$tmp/objects" "$tmp/chunk."
for c in "$tmp"/chunk.*; do
	"$GIT_BIN" --git-dir="$tmp/central.git" pack-objects -q "$tmp/central.git/objects/pack/pack" \
		<"$c" >/dev/null || break
done
for p in $old; do rm -f "$p" "${p%.pack}.idx" "${p%.pack}.rev"; done
rm -f "$tmp"/chunk.*
many=$(central_packs)
(ulimit -n 64 && hw E sync) >"$tmp/out" 2>&1
st=$?
if [ $st -eq 0 ] && [ "$many" -gt 200 ] && [ "$(central_packs)" -le 17 ] &&
	"$GIT_BIN" --git-dir="$tmp/central.git" fsck --full --no-dangling >>"$tmp/out" 2>&1 &&
	grep -q "Tidying the central repository in" "$tmp/out"; then
	ok "a device syncs with a folder of $many packs under 64 open files, and rolls them up ($(central_packs) left)"
else
	not_ok "a device syncs with a folder of $many packs under 64 open files, and rolls them up (status $st, $(central_packs) left)"
fi

# A FIFO where git reads (named like an index, or like a device's branch):
# libgit2 opening it waited for ever.  The sync ends at once, naming it;
# once it is gone the next sync goes through.
: >"$tmp/out.$n"
for odd in objects/pack/pack-0123456789012345678901234567890123456789.idx refs/heads/devices/odd; do
	mkfifo "$tmp/central.git/$odd" || break
	timeout 60 "$HOMEWARD" --workspace "$tmp/E" sync >>"$tmp/out.$n" 2>&1
	echo "$odd: status $?" >>"$tmp/out.$n"
	rm -f "$tmp/central.git/$odd"
done
cat "$tmp/out.$n" >"$tmp/out"
if grep -q "objects/pack/pack-0123456789012345678901234567890123456789.idx, which is a FIFO" "$tmp/out" &&
	grep -q "refs/heads/devices/odd, which is a FIFO" "$tmp/out" &&
	[ "$(grep -c ': status 1$' "$tmp/out")" = 2 ] && hw E sync >"$tmp/out" 2>&1; then
	ok "a FIFO in the central repository's folder ends a sync at once, named; without it the sync goes through"
else
	not_ok "a FIFO in the central repository's folder ends a sync at once, named; without it the sync goes through"
fi

# A push or a roll-up into the folder cut by kill -9 (or a pulled stick)
# leaves libgit2's temporary pack behind; one a day old goes, one another
# device may be writing now stays.
stale=$tmp/central.git/objects/pack/pack_git2_0123456789abcdef
fresh=$tmp/central.git/objects/pack/pack_git2_fedcba9876543210
printf 'PACK' >"$stale" && touch -d '2 days ago' "$stale" && printf 'PACK' >"$fresh"
hw E sync >"$tmp/out" 2>&1
st=$?
if [ $st -eq 0 ] && [ ! -e "$stale" ] && [ -e "$fresh" ] &&
	grep -q "removed 1 unfinished pack that a cut sync left in the central repository" "$tmp/out"; then
	ok "a temporary pack a cut sync left in the folder a day ago is removed, and said; a fresh one stays"
else
	not_ok "a temporary pack a cut sync left in the folder a day ago is removed, and said; a fresh one stays (status $st)"
fi
rm -f "$fresh"

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

# kill -9 while packs are rolled up.  Sixteen packs of 2,000 objects each
# (git fast-import, unreachable, so that rolling them takes a while), then
# merges killed at points spread over an unkilled one's length: whatever
# the moment, every object main reaches is still there, and the next
# merge succeeds and rolls them up.
for k in $(seq 16); do
	python3 -c '
import os, sys
out = sys.stdout.buffer
for i in range(2000):
    d = os.urandom(300)
    out.write(b"blob\ndata %d\n" % len(d)); out.write(d); out.write(b"\n")
' | "$GIT_BIN" --git-dir="$tmp/S/repo.git" fast-import --quiet || break
done
cp -a "$tmp/S" "$tmp/K"
t0=$(date +%s%3N)
hw K merge >"$tmp/out" 2>&1
st=$? took=$(( $(date +%s%3N) - t0 ))
if [ $st -eq 0 ] && [ "$(packs K)" -lt "$(packs S)" ] && whole K; then
	ok "sixteen more packs are rolled up by the next merge ($(packs S) -> $(packs K) packs, $took ms)"
else
	not_ok "sixteen more packs are rolled up by the next merge ($(packs S) -> $(packs K) packs)"
fi
bad= between=0 other=0
for i in 1 2 3 4 5 6 7 8; do
	rm -rf "$tmp/K"
	cp -a "$tmp/S" "$tmp/K"
	"$HOMEWARD" --workspace "$tmp/K" merge >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v t="$took" -v i="$i" 'BEGIN { printf "%.3f", t * (i + 1) / 10 / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# Inside the roll-up: the indexer's temporary file is there, or some
	# old packs are gone and not yet all.
	k=$(packs K) other=$(ls "$tmp/K/repo.git/objects/pack" | grep -vc '^pack-')
	{ [ "$other" -gt 0 ] || { [ "$k" -ne "$(packs S)" ] && [ "$k" -gt 1 ]; }; } &&
		between=$((between + 1))
	"$GIT_BIN" --git-dir="$tmp/K/repo.git" fsck --connectivity-only --no-dangling >"$tmp/out" 2>&1 &&
	hw K merge >>"$tmp/out" 2>&1 && [ "$(packs K)" -le 17 ] && whole K &&
	[ "$(ls "$tmp/K/repo.git/objects/pack" | grep -vc '^pack-')" = 0 ] &&
	[ "$(hw K case list --format tsv | grep -c '^[0-9a-f]\{8\}-')" = "$got_s" ] ||
		{ bad="$bad $i"; cp "$tmp/out" "$tmp/out.$i"; }
done
echo "# $between of 8 kills fell inside the roll-up"
if [ -z "$bad" ]; then
	ok "after kill -9 at any point of a roll-up nothing main reaches is missing, and the next merge tidies up (the half-written pack too)"
else
	cat "$tmp"/out.* >"$tmp/out" 2>/dev/null
	not_ok "after kill -9 at any point of a roll-up nothing main reaches is missing, and the next merge tidies up (not:$bad)"
fi
exit $failed
