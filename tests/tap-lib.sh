# tap-lib.sh: the start the shell tests that sync share (sourced); each
# prints TAP.  Needs $HOMEWARD.
#
# tap_begin NAME: $tmp, a fresh folder, removed at exit with the git daemon
# and the proxy that daemon-lib.sh and proxy-lib.sh started (only those,
# by their pids: daemon_pid, proxy_pid); the passphrase on descriptor 9 for
# every command; the counters n and failed.
tap_begin() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-$1.XXXXXX") || exit 1
	daemon_pid= proxy_pid=
	trap tap_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	printf '%s test passphrase\n' "$1" >"$tmp/passphrase"
	exec 9<"$tmp/passphrase"
	HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
	n=0
	failed=0
}

tap_cleanup() {
	for _p in $proxy_pid $daemon_pid; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	rm -rf "$tmp"
}

# A check passed; failed (with $tmp/out, when there is one, as comments); skipped.
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
# hw WS ARG...: the program on the workspace $tmp/WS.
hw() { _ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$_ws" "$@"; }
