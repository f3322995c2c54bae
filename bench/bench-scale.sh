#!/bin/sh
# bench-scale.sh: the program at 1k, 10k and 100k cases (SIZES="1000 10000"
# to choose), through a real `git daemon` on 127.0.0.1 behind a byte-counting
# proxy (bench/byteproxy).  For each size: a supervisor importing every case
# into a fresh workspace (`merge`), a one-case sync and its bytes on the wire,
# the same commit and push with the git CLI, a merge of 20 devices x 50 new
# cases, `case list`, `case list --search`, `case show`, the start of the
# screen, and the peak memory of each.  Timings are medians of RUNS (3) runs
# where cheap enough; the sync and the merge also give their processor time
# (the program's own work; the rest is the network and the server).  The
# merge of 20 x 50 is repeated ROUNDS (3) times,
# each round's time and peak memory printed (memory must stay flat).
# SKIP_READ=1 leaves out the list, search, show and screen measures.
# KEEP=1 keeps the workspaces and central repositories of every size (their
# folder is printed at the end) for profiling by hand.
# Every workspace belongs to one team (a supervisor founds it, the others
# are enrolled from their signed requests), so every case goes through the
# real data path: sealed to its recipients, signed, checked by merge.
# Prints a table, and progress on stderr; run by `make bench-scale`.
HOMEWARD=${HOMEWARD:-./homeward}
GEN=${GEN:-./bench/gen-cases}
PROXY=${PROXY:-./bench/byteproxy}
GIT_BIN=${GIT_BIN:-git}
SIZES=${SIZES:-1000 10000 100000}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-3}
LC_ALL=C.UTF-8; export LC_ALL

for t in /usr/bin/time tmux; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench-scale: needs $t" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-scale.XXXXXX") || exit 1
daemon_pid= proxy_pid= tmux_sock=$tmp/tmux
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	tmux -S "$tmux_sock" kill-server 2>/dev/null
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "bench-scale: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
printf 'bench passphrase\n' >"$tmp/pass"
exec 9<"$tmp/pass"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
git_c() { "$GIT_BIN" -c user.name=bench -c user.email=bench@example.invalid "$@"; }

# Seconds, peak KB and processor seconds (user + sys) of a command into
# $secs, $kb and $cpu (its output to $tmp/out).  The processor time is the
# program's own work: what a server or the network costs is wall time only.
measure() {
	if [ "$1" = hw ]; then
		shift; ws=$1; shift
		set -- "$HOMEWARD" --workspace "$tmp/$ws" "$@"
	fi
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || {
		echo "bench-scale: failed: $*" >&2; sed 's/^/  /' "$tmp/out" >&2; exit 1; }
	secs=$(cut -d' ' -f1 "$tmp/time"); kb=$(cut -d' ' -f2 "$tmp/time")
	cpu=$(awk '{ printf "%.2f", $3 + $4 }' "$tmp/time")
	[ "$kb" -gt "${peak:-0}" ] && peak=$kb
	return 0
}
# enrol SUPERVISOR ROLE DEVICE: the device (initialised, its team pinned)
# sends its signed request and the supervisor adds it with ROLE; the next
# merge of the supervisor publishes the roster.
enrol() {
	hw "$3" team request --out "$tmp/$3.request" 2>"$tmp/out" &&
	hw "$1" team add "$tmp/$3.request" --role "$2" >"$tmp/out" 2>&1 ||
		{ echo "bench-scale: enrolling $3 failed" >&2; cat "$tmp/out" >&2; exit 1; }
}
# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Bytes through the proxy so far (up + down).
wire() { awk '{ print $1 + $2 }' "$tmp/count"; }
now_ms() { date +%s%3N; }
# A line on stderr saying where the run is (a run at 100k takes a while).
step() { echo "bench-scale: $(date +%H:%M:%S) $*" >&2; }

# git daemon on a free port, the proxy in front of it.
mkdir -p "$tmp/srv"
for try in 1 2 3 4 5 6 7 8 9 10; do
	p=$(awk -v seed="$$$try" 'BEGIN { srand(seed); print int(20000 + rand() * 30000) }')
	"$GIT_BIN" daemon --reuseaddr --base-path="$tmp/srv" --export-all --enable=receive-pack \
		--listen=127.0.0.1 --port="$p" >"$tmp/daemon.log" 2>&1 &
	daemon_pid=$!
	sleep 0.3
	if kill -0 "$daemon_pid" 2>/dev/null; then port=$p; break; fi
	daemon_pid=
done
[ -n "$port" ] || { echo "bench-scale: git daemon did not start" >&2; exit 1; }
"$PROXY" "$port" "$tmp/count" 20000 >"$tmp/proxy.port" &
proxy_pid=$!
i=0
while [ ! -s "$tmp/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pport=$(cat "$tmp/proxy.port")

# The reading measures at size $n on the supervisor S$n (list, search, show, screen).
read_measures() {
	# Reading: the list, a search, one case.
	step "$n: reading"
	id=$(hw "S$n" case list --format tsv | sed -n 2p | cut -f1)
	: >"$tmp/l"; : >"$tmp/s"; : >"$tmp/o"
	for r in $(seq "$RUNS"); do
		measure hw "S$n" case list --format tsv; echo "$secs" >>"$tmp/l"
		measure hw "S$n" case list --search okafor --format tsv; echo "$secs" >>"$tmp/s"
		measure hw "S$n" case show "$id"; echo "$secs" >>"$tmp/o"
	done
	list=$(median <"$tmp/l")s search=$(median <"$tmp/s")s show=$(median <"$tmp/o")s

	# The screen: from start until the case list is drawn.
	: >"$tmp/sc"
	for r in $(seq "$RUNS"); do
		t0=$(now_ms)
		tmux -S "$tmux_sock" new-session -d -x 120 -y 40 \
			"HOMEWARD_PASSPHRASE_FD=8 \"$HOMEWARD\" --workspace \"$tmp/S$n\" 8<\"$tmp/pass\""
		i=0
		while [ $i -lt 3000 ]; do
			tmux -S "$tmux_sock" capture-pane -p 2>/dev/null | grep -q "Okafor\|Haddad\|Bench" && break
			i=$((i + 1))
		done
		echo $(( $(now_ms) - t0 )) >>"$tmp/sc"
		tmux -S "$tmux_sock" kill-server 2>/dev/null
	done
	screen=$(median <"$tmp/sc")ms
}

printf '%-8s %9s %9s %10s %9s %9s %9s %10s %10s %9s %9s %9s %9s %9s\n' cases import imp-MB \
	sync1 sync1-cpu bytes git-cli git-bytes merge20x50 merge-cpu list search show screen
for n in $SIZES; do
	peak=0
	"$GIT_BIN" init -q --bare "$tmp/srv/c$n.git"
	remote="git://127.0.0.1:$pport/c$n.git"
	# A team as people make one: the supervisor S founds it, a second
	# supervisor I (the importer below) and the counsellor A join it by its
	# fingerprint and are added from their signed requests, and S's merge
	# publishes the roster.  Every case is then sealed to its recipients
	# (both supervisors and its writer) and every file signed.
	step "$n: the team"
	hw "S$n" init --device-id "sup$n" --name S --role supervisor --remote "$remote" >/dev/null
	fp=$(hw "S$n" team fingerprint | tail -n 1)
	hw "I$n" init --device-id "imp$n" --name I --role supervisor --remote "$remote" \
		--team-key "$fp" >/dev/null
	hw "A$n" init --device-id "dev-a$n" --name A --role counsellor --remote "$remote" \
		--team-key "$fp" >/dev/null
	enrol "S$n" supervisor "I$n"
	enrol "S$n" counsellor "A$n"
	measure hw "S$n" merge
	# I takes the roster from main (no case yet): from now on it merges.
	measure hw "I$n" sync
	# A counsellor records n cases and sends them; the supervisor merges them.
	step "$n: recording $n cases"
	"$GEN" "$tmp/A$n" "$n" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
	measure hw "A$n" sync
	measure hw "S$n" merge
	# The cases on main are sealed: an event is an envelope, with wraps beside it.
	ev=$("$GIT_BIN" --git-dir="$tmp/srv/c$n.git" ls-tree -r --name-only main | grep -m1 '/events/')
	"$GIT_BIN" --git-dir="$tmp/srv/c$n.git" cat-file -p "main:$ev" | head -n 1 |
		grep -q '^homeward-envelope' &&
	"$GIT_BIN" --git-dir="$tmp/srv/c$n.git" ls-tree -r --name-only main | grep -q '/keys/' ||
		{ echo "bench-scale: the cases on main are not sealed ($ev)" >&2; exit 1; }
	# Import: the second supervisor, which holds no case yet, takes in all
	# of main.
	step "$n: import"
	measure hw "I$n" merge
	import=$secs import_mb=$((kb / 1024))
	# It can read them: each case was sealed for it too.
	got=$(hw "I$n" case list --format tsv | tail -n +2 | wc -l)
	[ "$got" -ge "$n" ] ||
		{ echo "bench-scale: the importer holds $got cases of $n" >&2; exit 1; }
	step "$n: import $import s, $import_mb MB"

	# One new case, synced: time and bytes on the wire.  A first sync, not
	# measured, takes in the supervisor's merge of the n cases (a catch-up
	# over the whole archive, once); the measured ones are what every
	# later sync costs.
	hw "A$n" sync >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
	: >"$tmp/t"; : >"$tmp/b"; : >"$tmp/tc"
	for r in $(seq "$RUNS"); do
		hw "A$n" case add --given-name Bench --family-name "Run$r" --birth-date 1990-01-01 \
			--nationality NG --return-country NG --language en >/dev/null
		before=$(wire)
		measure hw "A$n" sync
		echo "$secs" >>"$tmp/t"; echo "$cpu" >>"$tmp/tc"
		sleep 0.2
		echo $(( $(wire) - before )) >>"$tmp/b"
	done
	sync1=$(median <"$tmp/t") bytes=$(median <"$tmp/b") sync1cpu=$(median <"$tmp/tc")
	step "$n: one-case sync $sync1 s ($sync1cpu s of processor), $bytes bytes"

	# The git CLI doing the same: one file in the layout, add, commit, push,
	# on a branch that starts from main as a device's does (the server's
	# HEAD names no branch, so the clone checks nothing out by itself: a
	# branch made from that would be a commit of one file, not one more
	# file in the archive, and cost the server nothing to check).
	git_c clone -q --no-checkout "$remote" "$tmp/g$n" 2>/dev/null
	(cd "$tmp/g$n" && git_c checkout -q -b devices/git-cli origin/main) ||
		{ echo "bench-scale: the git CLI's clone has no main" >&2; exit 1; }
	: >"$tmp/t"; : >"$tmp/b"
	for r in $(seq "$RUNS"); do
		id=$(cat /proc/sys/kernel/random/uuid) ev=$(cat /proc/sys/kernel/random/uuid)
		d=$(echo "$id" | sed 's|^\(.\)\(.\)\(.\).*|\1/\2/\3|')
		mkdir -p "$tmp/g$n/cases/$d/$id/events"
		hw "A$n" case show "$(hw "A$n" case list --format tsv | sed -n 2p | cut -f1)" --format json \
			>"$tmp/g$n/cases/$d/$id/events/$ev.json" 2>/dev/null
		before=$(wire)
		measure sh -c 'cd "$1" && git -c user.name=b -c user.email=b@x.invalid add -A &&
			git -c user.name=b -c user.email=b@x.invalid commit -qm one &&
			git push -q origin devices/git-cli' sh "$tmp/g$n"
		echo "$secs" >>"$tmp/t"
		sleep 0.2
		echo $(( $(wire) - before )) >>"$tmp/b"
	done
	gitcli=$(median <"$tmp/t") gitbytes=$(median <"$tmp/b")
	"$GIT_BIN" --git-dir="$tmp/srv/c$n.git" update-ref -d refs/heads/devices/git-cli

	# 20 devices send 50 new cases each; the supervisor merges them, for
	# ROUNDS rounds, the peak memory of each merge noted: it must stay flat.
	# Each device starts as a copy of the counsellor's workspace, which has
	# every case of main already, with a device id and keys of its own: a
	# new device would spend minutes importing the archive first, which is
	# measured above (import), not here.
	step "$n: $((ROUNDS)) rounds of 20 devices x 50 cases"
	# Each is enrolled as a new device is: its request, added by the
	# supervisor; one merge then publishes the roster with all twenty.
	for d in $(seq 20); do
		cp -a "$tmp/A$n" "$tmp/D$n-$d"
		rm -f "$tmp/D$n-$d/keys"
		GEN_DEVICE_ID="dev-$n-$d" "$GEN" "$tmp/D$n-$d" 0 >"$tmp/out" 2>&1 &&
		hw "D$n-$d" init --device-id "dev-$n-$d" --name D --role counsellor >/dev/null &&
		enrol "S$n" counsellor "D$n-$d" || exit 1
	done
	hw "S$n" merge >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
	merges= merge_mb= merge_cpus=
	for round in $(seq "$ROUNDS"); do
		for d in $(seq 20); do
			"$GEN" "$tmp/D$n-$d" 50 >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
			hw "D$n-$d" sync >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
		done
		measure hw "S$n" merge
		merges="$merges ${secs}s" merge_mb="$merge_mb $((kb / 1024))MB" merge_cpus="$merge_cpus ${cpu}s"
		step "$n: merge round $round: $secs s ($cpu s of processor), $((kb / 1024)) MB"
		[ "$round" = 1 ] && merge=$secs mergecpu=$cpu
	done

	list=- search=- show=- screen=-
	[ -n "${SKIP_READ:-}" ] || read_measures

	printf '%-8s %8ss %9s %9ss %8ss %9s %8ss %9s %9ss %9ss %9s %9s %9s %9s\n' "$n" "$import" \
		"$import_mb" "$sync1" "$sync1cpu" "$bytes" "$gitcli" "$gitbytes" "$merge" "$mergecpu" \
		"$list" "$search" "$show" "$screen"
	echo "         peak memory of any measured run: $((peak / 1024)) MB"
	echo "         merge 20x50, round by round:$merges; processor:$merge_cpus; peak memory:$merge_mb"
	[ -n "${KEEP:-}" ] ||
		rm -rf "$tmp/A$n" "$tmp/S$n" "$tmp/I$n" "$tmp/D$n"-* "$tmp/g$n" "$tmp/srv/c$n.git"
done
