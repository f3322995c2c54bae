#!/bin/sh
# sync-timeout.sh: a server that goes silent ends a sync or merge, with a
# message, after the setting sync.timeout; a slow server that keeps sending
# does not.
#
# A counsellor and a supervisor in one team sync through git:// (a git
# daemon on 127.0.0.1) behind the loopback proxy of the fault tests
# (tests/cut-proxy.py), which can freeze a connection: pass some bytes, then
# nothing either way while the connection stays open, as a hung server or a
# link that died without a reset does.  Every run is guarded by an outer
# timeout so that a hang fails the test instead of holding it.  Prints TAP.

HOMEWARD=$(cd "$(dirname "${HOMEWARD:-./homeward}")" && pwd)/$(basename "${HOMEWARD:-./homeward}")
GIT_BIN=${GIT_BIN:-git}
PYTHON=${PYTHON:-python3}
srcdir=${srcdir:-.}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

PLAN=12
echo "1..$PLAN"
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
skip_rest() { while [ $n -lt $PLAN ]; do n=$((n + 1)); echo "ok $n # SKIP $1"; done; exit 0; }

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin timeout
command -v "$PYTHON" >/dev/null 2>&1 || skip_rest "no python3 for the proxy"
command -v timeout >/dev/null 2>&1 || skip_rest "no timeout(1) to guard the runs"

mkdir -p "$tmp/srv"
"$GIT_BIN" init -q --bare "$tmp/srv/central.git"
. "${top_srcdir:-.}/tests/daemon-lib.sh"
daemon_start "$tmp/srv"
[ -n "$daemon_port" ] || skip_rest "git daemon could not start"
: >"$tmp/ctl"
. "${top_srcdir:-.}/tests/proxy-lib.sh"
proxy_start "$daemon_port" "$tmp/ctl" || { sed 's/^/# /' "$tmp/proxy.err"; skip_rest "the proxy could not start"; }
pport=$proxy_port
remote="git://127.0.0.1:$pport/central.git"

hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null
hw D init --device-id dev-d --name "Dina" --role counsellor --remote "$remote" >/dev/null
. "${top_srcdir:-.}/tests/team-lib.sh"
team_enrol "$tmp/S" "$tmp/D" supervisor || skip_rest "the team could not be set up"

add_case() {
	hw D case add --given-name Amina --family-name "$1" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en >/dev/null
}

# run NAME WS COMMAND: runs it guarded (a hang shows as status 124), noting
# status, seconds and stderr in $tmp/NAME.*.
run() {
	_name=$1
	shift
	_t0=$(date +%s)
	timeout 90 "$HOMEWARD" --workspace "$tmp/$1" "$2" >"$tmp/$_name.out" 2>"$tmp/$_name.err"
	echo $? >"$tmp/$_name.st"
	echo $(( $(date +%s) - _t0 )) >"$tmp/$_name.secs"
}
# failed_silent NAME: exit 1 (not a hang, not a signal) with the message
# naming the silence and the setting.
failed_silent() {
	[ "$(cat "$tmp/$1.st")" = 1 ] &&
	grep -q "sent nothing for 4 seconds" "$tmp/$1.err" &&
	grep -q "sync.timeout" "$tmp/$1.err"
}
show() { sed 's/^/# /' "$tmp/$1.err"; echo "# status $(cat "$tmp/$1.st") after $(cat "$tmp/$1.secs") s"; }

# --- the setting ---
hw D config set sync.timeout 0 2>"$tmp/set0.err"
st0=$?
hw D config set sync.timeout soon 2>/dev/null
st1=$?
hw D config set sync.timeout 4 && hw S config set sync.timeout 4 &&
	[ "$(hw D config get sync.timeout)" = 4 ]
st2=$?
[ $st0 = 1 ] && [ $st1 = 1 ] && [ $st2 = 0 ] && grep -q "1 second to 24 hours" "$tmp/set0.err"
check $? "sync.timeout takes 1 s to 24 h and refuses 0 (a sync never waits for ever)"

# --- a server that never says a word: git://, https://, ssh:// ---
add_case First
echo "freeze 0" >"$tmp/ctl"
run silent D sync
failed_silent silent || show silent
check $? "a sync to a silent git:// server ends with status 1 after sync.timeout, naming it"
[ "$(cat "$tmp/silent.secs")" -ge 3 ] && [ "$(cat "$tmp/silent.secs")" -le 30 ]
check $? "it waited about the limit ($(cat "$tmp/silent.secs") s for a limit of 4 s)"

hw D config set sync.remote "https://localhost:$pport/central.git"
run https D sync
failed_silent https || show https
check $? "a sync to a silent https:// server (no TLS handshake) ends the same way"
hw D config set sync.remote "ssh://git@127.0.0.1:$pport/central.git"
run ssh D sync
failed_silent ssh || show ssh
check $? "a sync to a silent ssh:// server (no banner) ends the same way"
hw D config set sync.remote "$remote"

run msilent S merge
failed_silent msilent || show msilent
check $? "a merge from a silent server ends with status 1, naming the limit"

# --- a connection that goes silent halfway ---
# The advertisement of a git:// push is a few hundred bytes: 1,500 is in the pack.
echo "freeze 1500" >"$tmp/ctl"
run midpush D sync
failed_silent midpush || show midpush
check $? "a sync whose connection freezes while sending ends with status 1, naming the limit"

: >"$tmp/ctl"
run again D sync
[ "$(cat "$tmp/again.st")" = 0 ] || show again
check $? "the next sync through a live connection succeeds"

echo "freeze 3000" >"$tmp/ctl"
run midmerge S merge
failed_silent midmerge || show midmerge
check $? "a merge whose connection freezes while receiving ends with status 1, naming the limit"

# --- a slow link that keeps moving is never cut ---
add_case Second
echo "trickle" >"$tmp/ctl"
run slowsync D sync
[ "$(cat "$tmp/slowsync.st")" = 0 ] || show slowsync
check $? "a sync through a link delivering 64 bytes every 50 ms succeeds ($(cat "$tmp/slowsync.secs") s)"
run slowmerge S merge
[ "$(cat "$tmp/slowmerge.st")" = 0 ] && [ "$(cat "$tmp/slowmerge.secs")" -gt 4 ] || show slowmerge
check $? "a merge taking $(cat "$tmp/slowmerge.secs") s through it, longer than the limit, succeeds: only silence counts"

# --- nothing lost, nothing twice ---
: >"$tmp/ctl"
hw S merge >/dev/null 2>&1
[ "$(hw S case list | grep -c .)" = 2 ] && [ "$(hw D case list | grep -c .)" = 2 ]
check $? "after the silences both cases are at the supervisor's and the counsellor's, once each"
