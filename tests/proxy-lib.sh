# proxy-lib.sh: the loopback proxy of the fault tests (tests/cut-proxy.py)
# in front of a server on 127.0.0.1 (sourced).  Needs $tmp, and $PYTHON or
# python3.

# proxy_start TARGET_PORT CONTROL_FILE [LIFETIME]: a proxy to TARGET_PORT that
# reads CONTROL_FILE for each connection (a byte count to cut at, "freeze N",
# "trickle", or nothing).  Sets proxy_port and proxy_pid (the caller stops
# it, by that pid), or returns 1 when it did not start.  Each connection's
# fate is appended to $tmp/proxy-port.log ("whole after N bytes", ...).
proxy_start() {
	proxy_port=
	rm -f "$tmp/proxy-port"
	"${PYTHON:-python3}" "${srcdir:-.}/tests/cut-proxy.py" "$tmp/proxy-port" "$1" "$2" "${3:-600}" \
		2>"$tmp/proxy.err" &
	proxy_pid=$!
	_i=0
	while [ ! -s "$tmp/proxy-port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$tmp/proxy-port" ] || return 1
	proxy_port=$(cat "$tmp/proxy-port")
}

# proxy_most_bytes: the most bytes one connection through the proxy has
# passed so far (to freeze a later one part of the way).
proxy_most_bytes() {
	sed -n 's/.* after \([0-9]*\) bytes$/\1/p' "$tmp/proxy-port.log" 2>/dev/null | sort -n | tail -n 1
}
