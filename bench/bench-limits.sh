#!/bin/sh
# bench-limits.sh: the limits of docs/sync.md ("Limits") at their real size,
# through the real program and a real `git daemon` on 127.0.0.1:
#
#  1. a first push of EVENTS events (200,000): a counsellor records that many
#     cases with bench/gen-cases (one event each), syncs, the supervisor
#     merges them all into main, a second supervisor imports them;
#  2. files added by one commit: a device branch whose one commit adds
#     SYNC_MAX_COMMIT_FILES files is walked to the end (its files are
#     refused one by one: they are not signed events), one with a file more
#     is refused whole naming the limit; an honest device merges each time;
#  3. commits of one branch walk: REPO_MAX_WALK new commits are walked, one
#     more is refused whole naming the limit; an honest device merges;
#  4. one case of 2,000 and one of 10,000 events (CASE_SIZES), the program's own
#     (gen-cases --events), synced, merged and imported on a second device.
#
# Every workspace belongs to a team (a supervisor founds it, the others are
# enrolled from their signed requests), so every case is sealed and signed.
# For each step: wall time, processor time (user + system), peak memory,
# and whether the outcome is the expected one.  Exits 1 when any is not.
# PARTS="1 2 3 4" to choose; EVENTS, CASE_SIZES to try smaller sizes.
HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
GIT_BIN=${GIT_BIN:-git}
SRCDIR=${SRCDIR:-.}
PARTS=${PARTS:-1 2 3 4}
EVENTS=${EVENTS:-200000}
CASE_SIZES=${CASE_SIZES:-2000 10000}
LC_ALL=C.UTF-8; export LC_ALL

# The limits as the code has them, not as this script remembers them.
limit() { sed -n "s/^#define $1 \([0-9]*\).*/\1/p" "$SRCDIR/$2"; }
# (FILES_LIMIT=, WALK_LIMIT= below them try the script quickly: the rows
# "+ 1" are then WRONG, as nothing is refused.)
FILES_LIMIT=${FILES_LIMIT:-$(limit SYNC_MAX_COMMIT_FILES src/sync/sync.h)}
WALK_LIMIT=${WALK_LIMIT:-$(limit REPO_MAX_WALK src/sync/repo.h)}
LISTED=$(limit MAX_REPORTED src/sync/merge.c)   # offending files a merge names, per branch
[ -n "$FILES_LIMIT" ] && [ -n "$WALK_LIMIT" ] && [ -n "$LISTED" ] ||
	{ echo "bench-limits: cannot read the limits from $SRCDIR/src/sync" >&2; exit 1; }

for t in /usr/bin/time awk; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench-limits: needs $t" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-limits.XXXXXX") || exit 1
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
printf 'bench passphrase\n' >"$tmp/pass"
exec 9<"$tmp/pass"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
step() { echo "bench-limits: $(date +%H:%M:%S) $*" >&2; }
die() { echo "bench-limits: $*" >&2; [ -f "$tmp/out" ] && sed 's/^/  /' "$tmp/out" | tail -n 20 >&2; exit 1; }
wrong=0

# Run a command, its output to $tmp/out; wall seconds, processor seconds and
# peak MB into $secs, $cpu, $mb, its exit status into $status.
measure() {
	if [ "$1" = hw ]; then
		shift; ws=$1; shift
		set -- "$HOMEWARD" --workspace "$tmp/$ws" "$@"
	fi
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$tmp/out" 2>&1
	status=$?
	tail -n 1 "$tmp/time" >"$tmp/time1"
	read -r secs u s kb <"$tmp/time1"
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	mb=$((kb / 1024))
}
# One row of the table: what, size, the measures of the last run, whether
# its outcome is right (a shell test given as arguments) and a note.
row() {
	what=$1 size=$2 note=$3; shift 3
	if "$@"; then ok=ok; else ok=WRONG; wrong=1; fi
	[ "$secs" = - ] || secs=${secs}s cpu=${cpu}s mb=${mb}MB
	printf '%-36s %9s %9s %10s %7s %-6s %s\n' "$what" "$size" "$secs" "$cpu" "$mb" "$ok" "$note"
	if [ "$ok" = WRONG ]; then
		echo "bench-limits: wrong outcome for $what:" >&2
		sed 's/^/  /' "$tmp/out" | tail -n 20 >&2
	fi
}
has() { grep -q -- "$1" "$tmp/out"; }
hasnt() { ! grep -q -- "$1" "$tmp/out"; }

# git daemon on a free port.
mkdir -p "$tmp/srv"
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
	p=$(awk -v seed="$$$try" 'BEGIN { srand(seed); print int(20000 + rand() * 30000) }')
	"$GIT_BIN" daemon --reuseaddr --base-path="$tmp/srv" --export-all --enable=receive-pack \
		--listen=127.0.0.1 --port="$p" >"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	sleep 0.3
	if kill -0 "$daemon_pid" 2>/dev/null; then port=$p; break; fi
	daemon_pid=
done
[ -n "$port" ] || die "git daemon did not start"

# team P: a central repository srv/P.git, the supervisor S$P founding the
# team; then `member P NAME ROLE` for each other device, and `publish P`
# (the supervisor's merge publishes the roster, each member syncs it).
team() {
	"$GIT_BIN" init -q --bare "$tmp/srv/$1.git"
	hw "S$1" init --device-id "sup-$1" --name "S $1" --role supervisor \
		--remote "git://127.0.0.1:$port/$1.git" >"$tmp/out" 2>&1 || die "init S$1"
	fp=$(hw "S$1" team fingerprint | tail -n 1)
}
member() {
	hw "$2$1" init --device-id "$(echo "$2" | tr 'A-Z' 'a-z')-$1" --name "$2 $1" --role "$3" \
		--remote "git://127.0.0.1:$port/$1.git" --team-key "$fp" >"$tmp/out" 2>&1 &&
	hw "$2$1" team request --out "$tmp/$2$1.request" >"$tmp/out" 2>&1 &&
	hw "S$1" team add "$tmp/$2$1.request" --role "$3" >"$tmp/out" 2>&1 || die "enrolling $2$1"
}
publish() {
	p=$1; shift
	hw "S$p" merge >"$tmp/out" 2>&1 || die "publishing the roster of $p"
	for m in "$@"; do hw "$m$p" sync >"$tmp/out" 2>&1 || die "first sync of $m$p"; done
}
# An honest case from device W of team P, sent: merged by the next merge.
honest() {
	hw "$1" case add --given-name Honest --family-name "Device$2" --birth-date 1990-01-01 \
		--nationality NG --return-country NG --language en >"$tmp/out" 2>&1 &&
	hw "$1" sync >"$tmp/out" 2>&1 || die "the honest device $1 could not send"
}
tip() { "$GIT_BIN" --git-dir="$tmp/srv/$1.git" rev-parse "$2"; }

# Crafted device branches, as git fast-import streams written by awk.
# Paths are case folders of main's layout, 50 events a case
# (cases/a/b/c/<case id>/events/<event id>.json), with ids that look like
# uuids; every file holds the same small blob.  File i of a stream:
CRAFT_PATH='
	function path(i,   k, h) {
		k = int(i / 50)
		h = sprintf("%08x", (k * 2654435761) % 4294967296)
		return sprintf("cases/%s/%s/%s/%s-0000-4000-8000-%012x/events/%08x-1111-4111-8111-%012x.json",
			substr(h, 1, 1), substr(h, 2, 1), substr(h, 3, 1), h, k,
			(i * 2246822519) % 4294967296, i)
	}'
# files_stream REF FROM N: one commit adding N files.
files_stream() {
	awk -v ref="$1" -v from="$2" -v n="$3" "$CRAFT_PATH"'
	BEGIN {
		printf "blob\nmark :1\ndata 3\n{}\n"
		printf "commit %s\ncommitter x <x@devices.homeward.invalid> 1700000000 +0000\n", ref
		printf "data 5\nmany\n\nfrom %s\n", from
		for (i = 0; i < n; i++)
			printf "M 100644 :1 %s\n", path(i)
	}'
}
# walk_stream REF FROM N [FIRST]: N commits, each adding one file (the
# files numbered from FIRST, 0 by default).
walk_stream() {
	awk -v ref="$1" -v from="$2" -v n="$3" -v first="${4:-0}" "$CRAFT_PATH"'
	BEGIN {
		printf "blob\nmark :1\ndata 3\n{}\n"
		for (i = first; i < first + n; i++) {
			printf "commit %s\ncommitter x <x@devices.homeward.invalid> %d +0000\ndata 4\none\n",
				ref, 1700000000 + i
			if (i == first)
				printf "from %s\n", from
			printf "M 100644 :1 %s\n\n", path(i)
		}
	}'
}
# forget P DEVICE: the branch of DEVICE deleted on the server, as an
# administrator removes a hostile branch; the supervisor's next merge drops
# its copy by itself (docs/sync.md), which the next part checks.
forget() {
	"$GIT_BIN" --git-dir="$tmp/srv/$1.git" update-ref -d "refs/heads/devices/$2" ||
		die "removing the branch of $2 failed"
}
# adds P REF N: the tip of REF adds N files to main.
adds() {
	[ "$("$GIT_BIN" --git-dir="$tmp/srv/$1.git" diff-tree -r --name-only refs/heads/main "$2" |
		wc -l)" = "$3" ] || die "the crafted commit of $2 does not add $3 files"
}
# crafted P STREAM...: a stream function and its arguments, into srv/P.git.
crafted() {
	p=$1; shift
	"$@" >"$tmp/stream" || die "writing the stream failed"
	"$GIT_BIN" --git-dir="$tmp/srv/$p.git" fast-import --quiet <"$tmp/stream" >"$tmp/out" 2>&1 ||
		die "fast-import into $p failed"
	rm -f "$tmp/stream"
}

printf '%-36s %9s %9s %10s %7s %-6s %s\n' case size wall processor memory result note

# 1. A first push of EVENTS events.
part1() {
	team p1
	member p1 A counsellor
	member p1 I supervisor
	publish p1 A I
	step "1: recording $EVENTS cases"
	measure "$GEN" "$tmp/Ap1" "$EVENTS"
	row "record (gen-cases)" "$EVENTS" "one event a case" [ "$status" = 0 ]
	step "1: first sync of $EVENTS events"
	measure hw Ap1 sync
	cp "$tmp/out" "$tmp/sync.out"
	commits=$("$GIT_BIN" --git-dir="$tmp/srv/p1.git" rev-list --count refs/heads/devices/a-p1 \
		--not refs/heads/main 2>/dev/null)
	files=$("$GIT_BIN" --git-dir="$tmp/srv/p1.git" diff-tree -r --name-only refs/heads/main \
		refs/heads/devices/a-p1 2>/dev/null | wc -l)
	cp "$tmp/sync.out" "$tmp/out"
	row "first push (sync, git://)" "$EVENTS" "$(grep '^sent' "$tmp/out" | cut -d';' -f1); $files files in $commits commits" \
		sh -c '[ "$1" = 0 ] && grep -q "^sent $2 events" "$3"' sh "$status" "$EVENTS" "$tmp/out"
	step "1: the supervisor's merge"
	measure hw Sp1 merge
	row "merge into main" "$EVENTS" "$(grep '^merged' "$tmp/out")" \
		sh -c '[ "$1" = 0 ] && grep -q "^merged 1 of 1 devices ($2 events" "$3" &&
			! grep -q "rejected\|left out" "$3"' sh "$status" "$EVENTS" "$tmp/out"
	step "1: import by a second supervisor"
	measure hw Ip1 sync
	row "import (second supervisor's sync)" "$EVENTS" "$(grep '^sent' "$tmp/out")" \
		sh -c '[ "$1" = 0 ] && grep -q "received $2 events" "$3" && ! grep -q "left out" "$3"' \
		sh "$status" "$EVENTS" "$tmp/out"
	got=$(hw Ip1 case list --format tsv | tail -n +2 | wc -l)
	secs=- cpu=- mb=-
	row "cases the importer lists" "$got" "of $EVENTS" [ "$got" = "$EVENTS" ]
	rm -rf "$tmp/Ap1" "$tmp/Sp1" "$tmp/Ip1" "$tmp/srv/p1.git"
}

# 2. Files added by one commit.
part2() {
	team p2
	member p2 H counsellor
	member p2 X counsellor
	member p2 Y counsellor
	publish p2 H
	step "2: a commit of $FILES_LIMIT files"
	crafted p2 files_stream refs/heads/devices/x-p2 "$(tip p2 main)" "$FILES_LIMIT"
	adds p2 refs/heads/devices/x-p2 "$FILES_LIMIT"
	honest Hp2 1
	measure hw Sp2 merge
	more=$((FILES_LIMIT - LISTED))
	row "commit of the limit's files" "$FILES_LIMIT" "walked: $more more left out; honest merged" \
		sh -c '[ "$1" = 3 ] && grep -q "^merged 1 of 2 devices (1 event" "$2" &&
			grep -q "rejected device x-p2: and $3 more offending files" "$2" &&
			! grep -q "more than .* files" "$2"' sh "$status" "$tmp/out" "$more"
	forget p2 x-p2
	step "2: a commit of $((FILES_LIMIT + 1)) files"
	crafted p2 files_stream refs/heads/devices/y-p2 "$(tip p2 main)" $((FILES_LIMIT + 1))
	adds p2 refs/heads/devices/y-p2 $((FILES_LIMIT + 1))
	honest Hp2 2
	measure hw Sp2 merge
	row "commit of the limit's files + 1" $((FILES_LIMIT + 1)) "refused whole; honest merged" \
		sh -c '[ "$1" = 3 ] && grep -q "^merged 1 of 2 devices (1 event" "$2" &&
			grep -q "rejected device y-p2: a commit adds more than $3 files, the limit" "$2"' \
		sh "$status" "$tmp/out" "$FILES_LIMIT"
	rm -rf "$tmp/Hp2" "$tmp/Sp2" "$tmp/Xp2" "$tmp/Yp2" "$tmp/srv/p2.git"
}

# 3. Commits of one branch walk.
part3() {
	team p3
	member p3 H counsellor
	member p3 X counsellor
	member p3 Y counsellor
	publish p3 H
	step "3: a branch of $WALK_LIMIT commits"
	crafted p3 walk_stream refs/heads/devices/x-p3 "$(tip p3 main)" "$WALK_LIMIT"
	honest Hp3 1
	measure hw Sp3 merge
	more=$((WALK_LIMIT - LISTED))
	row "walk of the limit's commits" "$WALK_LIMIT" "walked: $more more left out; honest merged" \
		sh -c '[ "$1" = 3 ] && grep -q "^merged 1 of 2 devices (1 event" "$2" &&
			grep -q "rejected device x-p3: and $3 more offending files" "$2" &&
			! grep -q "more than .* commits" "$2"' sh "$status" "$tmp/out" "$more"
	# The same commits and one more, on another device's branch.
	step "3: a branch of $((WALK_LIMIT + 1)) commits"
	crafted p3 walk_stream refs/heads/devices/y-p3 "$(tip p3 refs/heads/devices/x-p3)" 1 \
		"$WALK_LIMIT"
	forget p3 x-p3
	[ "$("$GIT_BIN" --git-dir="$tmp/srv/p3.git" rev-list --count refs/heads/devices/y-p3 \
		--not refs/heads/main)" = $((WALK_LIMIT + 1)) ] || die "the crafted branch is not $((WALK_LIMIT + 1)) new commits"
	honest Hp3 2
	measure hw Sp3 merge
	row "walk of the limit's commits + 1" $((WALK_LIMIT + 1)) "refused whole; honest merged" \
		sh -c '[ "$1" = 3 ] && grep -q "^merged 1 of 2 devices (1 event" "$2" &&
			grep -q "rejected device y-p3: .*more than $3 new commits" "$2"' \
		sh "$status" "$tmp/out" "$WALK_LIMIT"
	rm -rf "$tmp/Hp3" "$tmp/Sp3" "$tmp/Xp3" "$tmp/Yp3" "$tmp/srv/p3.git"
}

# 4. Events in one case: the program's own, chained.
part4() {
	for k in $CASE_SIZES; do
		p=p4-$k
		team "$p"
		member "$p" A counsellor
		member "$p" I supervisor
		publish "$p" A I
		step "4: one case of $k events"
		measure "$GEN" "$tmp/A$p" 1 --events "$k"
		row "one case: record (gen-cases)" "$k" "" [ "$status" = 0 ]
		measure hw "A$p" sync
		row "one case: sync" "$k" "$(grep '^sent' "$tmp/out")" \
			sh -c '[ "$1" = 0 ] && grep -q "^sent $2 events" "$3"' sh "$status" "$k" "$tmp/out"
		measure hw "S$p" merge
		row "one case: merge" "$k" "$(grep '^merged' "$tmp/out")" \
			sh -c '[ "$1" = 0 ] && grep -q "^merged 1 of 1 devices ($2 events" "$3" &&
				! grep -q "rejected\|left out" "$3"' sh "$status" "$k" "$tmp/out"
		measure hw "I$p" sync
		row "one case: import (sync)" "$k" "$(grep '^sent' "$tmp/out")" \
			sh -c '[ "$1" = 0 ] && grep -q "received $2 events" "$3" && ! grep -q "left out" "$3"' \
			sh "$status" "$k" "$tmp/out"
		# The importer holds the case as its writer left it: the last change.
		name=$(hw "I$p" case list --format tsv | awk -F '\t' 'NR == 2 { print $3 }')
		secs=- cpu=- mb=-
		row "one case: the importer's last name" "$k" "$name" \
			sh -c 'case $1 in *-"$2") exit 0 ;; *) exit 1 ;; esac' sh "$name" $((k - 1))
		rm -rf "$tmp/A$p" "$tmp/S$p" "$tmp/I$p" "$tmp/srv/$p.git"
	done
}

# The whole run is one command, read before it starts: sh reads a script
# as it goes, and an edit during a run of an hour would run other lines.
{
for part in $PARTS; do
	case $part in
	1) part1 ;;
	2) part2 ;;
	3) part3 ;;
	4) part4 ;;
	*) die "no part $part (1 to 4)" ;;
	esac
done
echo "$(date -u +%Y-%m-%d); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) processors"
[ "$wrong" = 0 ] || { echo "bench-limits: some outcome is wrong" >&2; exit 1; }
exit 0
}
