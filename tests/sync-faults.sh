#!/bin/sh
# sync-faults.sh: syncs and merges through cut connections and kill -9.
#
# Three counsellors and a supervisor sync through git:// (a git daemon on
# 127.0.0.1) behind a loopback proxy written for this test
# (tests/cut-proxy.py).  First N syncs and merges run while the proxy cuts
# their connection at a random byte offset; then N syncs and merges are
# killed with SIGKILL at a random moment.  A run may fail, but only with
# exit status 1 and a message, never by a signal.  Afterwards the next sync
# of every device succeeds, every event recorded is on main exactly once
# and nothing else is, every device has every case, and every database
# passes integrity_check.  Prints TAP.
#
# FAULTS_N (default 20) sets N; FAULTS_SEED replays a run.  `make
# check-faults N=200` runs it with N of each.

HOMEWARD=$(cd "$(dirname "${HOMEWARD:-./homeward}")" && pwd)/$(basename "${HOMEWARD:-./homeward}")
GIT_BIN=${GIT_BIN:-git}
PYTHON=${PYTHON:-python3}
srcdir=${srcdir:-.}
N=${FAULTS_N:-20}
SEED=${FAULTS_SEED:-$(date +%s)}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

echo "1..12"
echo "# N=$N FAULTS_SEED=$SEED"
skip_rest() { while [ $n -lt 12 ]; do n=$((n + 1)); echo "ok $n # SKIP $1"; done; exit 0; }

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin faults
command -v "$PYTHON" >/dev/null 2>&1 || skip_rest "no python3 for the proxy"
command -v sqlite3 >/dev/null 2>&1 || skip_rest "no sqlite3 for integrity_check"

# A random number in [0, $1), from the seed and a counter: a run can be replayed.
draws=0
rnd() { draws=$((draws + 1)); awk -v s="$SEED" -v d="$draws" -v m="$1" 'BEGIN { srand(s + d * 7919); print int(rand() * m) }'; }

# --- git daemon on 127.0.0.1, and the proxy in front of it ---
mkdir -p "$tmp/srv"
"$GIT_BIN" init -q --bare "$tmp/srv/central.git"
. "${top_srcdir:-.}/tests/daemon-lib.sh"
daemon_start "$tmp/srv"
dport=$daemon_port
[ -n "$dport" ] || skip_rest "git daemon could not start"
: >"$tmp/cut"
. "${top_srcdir:-.}/tests/proxy-lib.sh"
proxy_start "$dport" "$tmp/cut" 1800 || { sed 's/^/# /' "$tmp/proxy.err"; skip_rest "the proxy could not start"; }
remote="git://127.0.0.1:$proxy_port/central.git"

devices="D1 D2 D3"
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null
# One team; every device is a supervisor of it, so that each receives every case.
. "${top_srcdir:-.}/tests/team-lib.sh"
for d in $devices; do
	hw "$d" init --device-id "dev-$d" --name "Counsellor $d" --role counsellor --remote "$remote" >/dev/null
	team_enrol "$tmp/S" "$tmp/$d" supervisor
done
: >"$tmp/expected"    # "case-id events" per case, as recorded

# Record work on device $1: a new case, and now and then a change to one of its cases.
work() {
	id=$(hw "$1" case add --given-name "Amina" --family-name "F$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en 2>>"$tmp/work.err") || return 1
	echo "$id 1 $1" >>"$tmp/expected"
	if [ $(( $2 % 3 )) = 0 ]; then
		old=$(awk -v d="$1" '$3 == d { print $1 }' "$tmp/expected" | head -n 1)
		if hw "$1" case update "$old" family_name "G$2" >/dev/null 2>>"$tmp/work.err"; then
			awk -v id="$old" '$1 == id { $2 = $2 + 1 } { print }' "$tmp/expected" >"$tmp/expected.new" &&
				mv "$tmp/expected.new" "$tmp/expected"
		fi
	fi
}

# A run that failed must have said why, on stderr, and exited 1 (merge: 3 for refusals).
judge() { # STATUS ERRFILE WHAT
	if [ "$1" -gt 128 ]; then
		echo "# $3 died of signal $(( $1 - 128 ))" >>"$tmp/bad"
	elif [ "$1" != 0 ] && [ "$1" != 1 ]; then
		echo "# $3 exited $1" >>"$tmp/bad"
	elif [ "$1" = 1 ] && ! grep -q "^homeward: " "$2"; then
		echo "# $3 failed without a message" >>"$tmp/bad"
	fi
}

# --- N runs whose connection is cut at a random byte offset ---
: >"$tmp/bad"
cutfail=0
i=1
while [ $i -le "$N" ]; do
	d=D$(( $(rnd 3) + 1 ))
	work "$d" "$i"
	rnd 6000 >"$tmp/cut"
	if [ $(( i % 4 )) = 0 ]; then who=S; cmd=merge; else who=$d; cmd=sync; fi
	hw "$who" "$cmd" >"$tmp/run.out" 2>"$tmp/run.err"
	st=$?
	: >"$tmp/cut"
	judge $st "$tmp/run.err" "$cmd of $who cut after $(tail -n 1 "$tmp/proxy-port.log" 2>/dev/null)"
	[ $st = 1 ] && cutfail=$((cutfail + 1))
	i=$((i + 1))
done
echo "# $cutfail of $N runs through a cut connection failed; $(grep -c '^cut' "$tmp/proxy-port.log") connections were cut"
if [ ! -s "$tmp/bad" ]; then
	ok "$N syncs and merges through cut connections end with status 0 or 1 and a message, never a signal"
else
	not_ok "$N syncs and merges through cut connections end with status 0 or 1 and a message, never a signal"
	cat "$tmp/bad"
fi
if [ "$cutfail" -gt 0 ]; then
	ok "the proxy did cut runs short (the test can fail)"
else
	not_ok "the proxy did cut runs short (the test can fail)"
fi

# --- N runs killed with SIGKILL at a random moment ---
# The moments spread over the time a whole run takes here (unlocking the
# keys, sending, receiving, importing), measured first.
ms_now() { date +%s%3N; }
span_of() { # COMMAND WS: the time it takes, and a little more, in ms (at least 300)
	t0=$(ms_now)
	hw "$2" "$1" >/dev/null 2>&1
	t=$(( ($(ms_now) - t0) * 6 / 5 ))
	[ "$t" -ge 300 ] 2>/dev/null || t=300
	echo "$t"
}
span_merge=$(span_of merge S)
span_sync=$(span_of sync D1)
echo "# kills fall within $span_sync ms of a sync's start, $span_merge ms of a merge's"
: >"$tmp/bad"
killed=0
i=1
while [ $i -le "$N" ]; do
	d=D$(( $(rnd 3) + 1 ))
	work "$d" "$((1000 + i))"
	if [ $(( i % 4 )) = 0 ]; then who=S; cmd=merge; span=$span_merge; else who=$d; cmd=sync; span=$span_sync; fi
	"$HOMEWARD" --workspace "$tmp/$who" "$cmd" >"$tmp/run.out" 2>"$tmp/run.err" &
	pid=$!
	ms=$(rnd "$span")
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -9 "$pid" 2>/dev/null
	# (braces: the shell's own "Killed" goes to /dev/null too)
	{ wait "$pid"; } 2>/dev/null
	st=$?
	[ $st = 137 ] && killed=$((killed + 1))
	# The run after a kill must not be blocked by what the killed one left.
	hw "$who" "$cmd" >"$tmp/run.out" 2>"$tmp/run.err"
	st2=$?
	grep -h "lock file" "$tmp/run.err" >>"$tmp/lock-notes"
	if [ $st2 != 0 ] && [ $st2 != 3 ]; then
		echo "# $cmd of $who after a kill -9 at $ms ms (status $st): status $st2" >>"$tmp/bad"
		sed 's/^/#   /' "$tmp/run.err" >>"$tmp/bad"
	fi
	i=$((i + 1))
done
echo "# $killed of $N runs were killed before they ended; $(wc -l <"$tmp/lock-notes" 2>/dev/null || echo 0) of the runs after them removed lock files left behind"
if [ ! -s "$tmp/bad" ]; then
	ok "after each of $N kill -9 during sync and merge, the next run succeeds"
else
	not_ok "after each of $N kill -9 during sync and merge, the next run succeeds"
	cat "$tmp/bad"
fi

# --- afterwards ---
: >"$tmp/bad"
for d in $devices; do
	hw "$d" sync >"$tmp/run.out" 2>"$tmp/run.err" || { echo "# sync of $d:" >>"$tmp/bad"; sed 's/^/#   /' "$tmp/run.err" >>"$tmp/bad"; }
done
if [ ! -s "$tmp/bad" ]; then ok "the next sync of every device succeeds"; else not_ok "the next sync of every device succeeds"; cat "$tmp/bad"; fi
hw S merge >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
if [ $st = 0 ]; then ok "the supervisor's next merge succeeds"; else not_ok "the supervisor's next merge succeeds (status $st)"; sed 's/^/# /' "$tmp/run.err"; fi
for d in $devices; do hw "$d" sync >/dev/null 2>&1; done

# Every event recorded is on main exactly once, and nothing else is.
"$GIT_BIN" --git-dir="$tmp/srv/central.git" ls-tree -r --name-only refs/heads/main |
	grep '/events/' >"$tmp/main-events"
sed 's|.*/\([^/]*\)/events/.*|\1|' "$tmp/main-events" | sort | uniq -c | awk '{ print $2, $1 }' | sort >"$tmp/got"
awk '{ print $1, $2 }' "$tmp/expected" | sort >"$tmp/want"
dups=$(sed 's|.*/||' "$tmp/main-events" | sort | uniq -d | wc -l)
if cmp -s "$tmp/got" "$tmp/want" && [ "$dups" = 0 ] && [ -s "$tmp/want" ]; then
	ok "every event recorded ($(wc -l <"$tmp/main-events") in $(wc -l <"$tmp/want") cases) is on main exactly once, nothing else is"
else
	not_ok "every event recorded is on main exactly once, nothing else is ($dups ids twice)"
	diff "$tmp/want" "$tmp/got" | head -n 20 | sed 's/^/# /'
fi

# Every device has every case.
: >"$tmp/bad"
cut -d' ' -f1 "$tmp/expected" | sort >"$tmp/want-ids"
for d in $devices S; do
	hw "$d" case list --format tsv 2>/dev/null | tail -n +2 | cut -f1 | sort >"$tmp/have"
	cmp -s "$tmp/have" "$tmp/want-ids" || echo "# $d has $(wc -l <"$tmp/have") of $(wc -l <"$tmp/want-ids") cases" >>"$tmp/bad"
done
if [ ! -s "$tmp/bad" ]; then ok "every device and the supervisor have every case, once"; else not_ok "every device and the supervisor have every case, once"; cat "$tmp/bad"; fi

# Every database passes integrity_check; no lock file is left in any repo.git.
: >"$tmp/bad"
for d in $devices S; do
	if [ "$(head -c 15 "$tmp/$d/homeward.db")" = "SQLite format 3" ]; then
		r=$(sqlite3 "$tmp/$d/homeward.db" "PRAGMA integrity_check" 2>&1)
	else
		# A database encrypted at rest: only the program can read it, and it
		# refuses a damaged one when it opens it.
		r=$(hw "$d" case list --format tsv >/dev/null 2>&1 && echo ok)
	fi
	[ "$r" = ok ] || echo "# $d: $r" >>"$tmp/bad"
done
if [ ! -s "$tmp/bad" ]; then ok "every database passes integrity_check"; else not_ok "every database passes integrity_check"; cat "$tmp/bad"; fi
left=$(find "$tmp"/D? "$tmp/S" -path '*/repo.git/*' -name '*.lock' 2>/dev/null)
if [ -z "$left" ]; then ok "no lock file is left in any workspace's repo.git"; else not_ok "no lock file is left in any workspace's repo.git"; echo "$left" | sed 's/^/# /'; fi

# --- a lock file left in a workspace's repo.git: removed, with a note ---
work D1 1001
mkdir -p "$tmp/D1/repo.git/refs/heads/devices"
: >"$tmp/D1/repo.git/refs/heads/devices/dev-D1.lock"
: >"$tmp/D1/repo.git/packed-refs.lock"
# where libgit2's indexer writes a pack's index before renaming it
mkdir -p "$tmp/D1/repo.git/objects/pack"
: >"$tmp/D1/repo.git/objects/pack/pack-0123456789abcdef0123456789abcdef01234567.idx.lock"
hw D1 sync >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
if [ $st = 0 ] && grep -q "removed 3 lock files left by a run that was cut" "$tmp/run.err" &&
   grep -q "sent [1-9]" "$tmp/run.out" && [ ! -e "$tmp/D1/repo.git/packed-refs.lock" ] &&
   [ -z "$(find "$tmp/D1/repo.git" -name '*.lock')" ]; then
	ok "lock files a killed run left in repo.git are removed with a note, and the sync goes on"
else
	not_ok "lock files a killed run left in repo.git are removed with a note, and the sync goes on (status $st)"
	sed 's/^/# /' "$tmp/run.err"
fi

# --- a lock file on a folder remote: named, with its age and how to clear it ---
"$GIT_BIN" clone -q --bare "$tmp/srv/central.git" "$tmp/usb.git" 2>/dev/null
: >"$tmp/usb.git/refs/heads/main.lock"
touch -d '-10 minutes' "$tmp/usb.git/refs/heads/main.lock"
work D2 1002
hw D2 sync >/dev/null 2>&1
hw S merge --remote "$tmp/usb.git" >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
if [ $st = 1 ] && grep -q "locked by the file $tmp/usb.git/refs/heads/main.lock, made 10 minutes ago" "$tmp/run.err" &&
   grep -q "remove that file" "$tmp/run.err" && ! grep -q "cannot reach" "$tmp/run.err"; then
	ok "a lock file on a folder remote is reported with its age and how to clear it"
else
	not_ok "a lock file on a folder remote is reported with its age and how to clear it (status $st)"
	sed 's/^/# /' "$tmp/run.err"
fi

# --- one run at a time on a workspace ---
"$HOMEWARD" --workspace "$tmp/D3" sync >"$tmp/run1.out" 2>"$tmp/run1.err" &
pid=$!
hw D3 sync >"$tmp/run.out" 2>"$tmp/run.err"
st=$?
wait "$pid"
st1=$?
busy="another sync, merge or form publish is running on this workspace"
if { [ $st = 0 ] || { [ $st = 1 ] && grep -q "$busy" "$tmp/run.err"; }; } &&
   { [ $st1 = 0 ] || { [ $st1 = 1 ] && grep -q "$busy" "$tmp/run1.err"; }; } &&
   { [ $st = 0 ] || [ $st1 = 0 ]; }; then
	ok "two syncs at once on one workspace: the second waits its turn or says why"
else
	not_ok "two syncs at once on one workspace: the second waits its turn or says why ($st1, $st)"
	sed 's/^/# /' "$tmp/run.err" "$tmp/run1.err"
fi

exit $failed
