# daemon-lib.sh: a `git daemon` on 127.0.0.1 for tests that sync over
# git:// (sourced).  Needs $GIT_BIN and $tmp.

# daemon_start BASE [ARG...]: serve the bare repositories under BASE (with
# receive-pack), passing ARGs on to git daemon, at a free port tried at
# random; waits until BASE/central.git answers.  Sets daemon_port and
# daemon_pid (the caller stops it, by that pid), or returns 1 when no port
# worked.  With DAEMON_TRACE set, the daemon's processes write their
# packets there (GIT_TRACE_PACKET).  Its output goes to $tmp/daemon.log.
daemon_start() {
	_base=$1
	shift
	daemon_port=
	daemon_pid=
	for _try in 1 2 3 4 5 6 7 8 9 10; do
		_p=$(awk -v seed="$$$_try" 'BEGIN { srand(seed); print int(20000 + rand() * 30000) }')
		if [ -n "${DAEMON_TRACE:-}" ]; then
			GIT_TRACE_PACKET=$DAEMON_TRACE "$GIT_BIN" daemon --reuseaddr --base-path="$_base" \
				--export-all --enable=receive-pack --listen=127.0.0.1 --port="$_p" "$@" \
				>"$tmp/daemon.log" 2>&1 &
		else
			"$GIT_BIN" daemon --reuseaddr --base-path="$_base" --export-all --enable=receive-pack \
				--listen=127.0.0.1 --port="$_p" "$@" >"$tmp/daemon.log" 2>&1 &
		fi
		daemon_pid=$!
		_i=0
		while [ $_i -lt 50 ]; do
			kill -0 "$daemon_pid" 2>/dev/null || break
			if "$GIT_BIN" ls-remote "git://127.0.0.1:$_p/central.git" >/dev/null 2>&1; then
				daemon_port=$_p
				return 0
			fi
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
		daemon_pid=
	done
	return 1
}
