#!/bin/sh
# Screen test: F5 syncs with a folder remote (a bare repository, as on a
# USB stick): what was recorded here is sent and what another device sent
# arrives in the list.  A remote folder that is not there (a USB stick not
# mounted) is named as such, in a message that wraps instead of being cut,
# with the key bar still shown.
. "${top_srcdir:-.}/tests/tui-lib.sh"
: "${GIT_BIN:=git}"

hw() { w=$1; shift; "$HOMEWARD" --workspace "$w" "$@"; }

remote="$work/usb/homeward.git"
mkdir -p "$work/usb"
"$GIT_BIN" init -q --bare "$remote"
other="$work/other"
. "${top_srcdir:-.}/tests/team-lib.sh"
{
	hw "$work/sup" init --device-id sup --name Sam --role supervisor --remote "$remote" &&
	hw "$ws" init --device-id here --name Tester --role counsellor --remote "$remote" &&
	team_enrol "$work/sup" "$ws" counsellor &&
	hw "$ws" case add --given-name Samir --family-name Sent --birth-date 1988-08-08 \
		--nationality TN --return-country TN --language ar &&
	hw "$other" init --device-id there --name Other --role counsellor --remote "$remote" &&
	team_enrol "$work/sup" "$other" counsellor &&
	hw "$other" sync &&
	rima=$(hw "$other" case add --given-name Rima --family-name Received --birth-date 1990-09-09 \
		--nationality TN --return-country TN --language ar) &&
	# Cases are sealed for their recipients: this device receives Rima's case
	# because it is assigned to it too (two events: opened and assigned).
	hw "$other" case assign "$rima" here --role counsellor &&
	hw "$other" sync &&
	hw "$work/sup" merge
} >"$work/setup.log" 2>&1
check "the other device's case is on main" test $? = 0

start
wait_for "Samir Sent"
check "the case made here waits for sync" wait_for "1 change waits for sync"
check "the other device's case is not here yet" not_on_screen "Rima Received"
keys F5
check "F5 syncs: one sent, two received" wait_for "Sync done: 1 sent, 2 received."
# A counsellor's list starts with their own cases: the received one was
# assigned here (else it would not have been received), so it is among them.
check "my cases are shown first" wait_for "assigned to me"
check "the received case, assigned here, is among my cases" wait_for "Rima Received"
keys F3
check "F3 shows every case: the received one is listed" wait_for "Rima Received"
check "the list no longer says it shows only mine" wait_gone "assigned to me"
check "nothing waits for sync any more" wait_for "all sent"
check "the remote has this device's branch" \
	"$GIT_BIN" --git-dir="$remote" rev-parse --verify -q refs/heads/devices/here
keys F10
gone

# The USB stick is not mounted: its folder is gone.
hw "$ws" config set sync.remote "$work/usb-not-mounted/a-long-folder-name-for-the-central-repository/homeward.git" >/dev/null
start
wait_for "Samir Sent"
keys F5
check "a missing folder is named as such" wait_for "does not exist (is the USB"
check "the message wraps instead of being cut" wait_for "stick mounted?)"
check "it is not libgit2's wording" not_on_screen "unsupported URL protocol"
check "the key bar is still shown" line_has "F10 Quit" "F5 Sync"
# The message's lines joined again (each starts one column in).
joined() { screen | sed 's/^ //; s/ *$//' | tr -d '\n'; }
check "the folder is named in full" \
	sh -c 'printf "%s" "$1" | grep -qF "a-long-folder-name-for-the-central-repository/homeward.git does not exist"' - "$(joined)"
keys F10
gone

# A server that asks for credentials none were given for: said in the
# person's language, from what the core found (python3 serves it).
if command -v python3 >/dev/null 2>&1; then
	cat >"$work/srv.py" <<'PY'
import http.server, sys, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_port))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
	python3 "$work/srv.py" "$work/port" & srv=$!
	i=0; while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	hw "$ws" config set sync.remote "http://127.0.0.1:$(cat "$work/port")/central.git" >/dev/null
	start LANG=C.UTF-8 LANGUAGE=fr
	wait_for "Samir Sent"
	keys F5
	# The message wraps: compare without spaces and line ends.
	flat_has() { screen | tr -d ' \n' | grep -qF -- "$(printf '%s' "$1" | tr -d ' ')"; }
	check "a refusal of credentials is said in the person's language" \
		poll flat_has "le serveur demande des identifiants et aucun n'a été fourni"
	check "... naming what the program was doing, in that language too" \
		flat_has "lors de la récupération depuis http://127.0.0.1:$(cat "$work/port")/central.git"
	check "... and not in English" not_on_screen "the server asks for credentials"
	keys F10
	gone
	kill "$srv" 2>/dev/null

	# A server that takes the connection and never answers: the sync ends
	# after sync.timeout with a message, and the screen goes on.
	cat >"$work/silent.py" <<'PY'
import socket, sys, os, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
end = time.time() + 300
s.settimeout(1)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
PY
	python3 "$work/silent.py" "$work/silent-port" & silent=$!
	i=0; while [ ! -s "$work/silent-port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	hw "$ws" config set sync.remote "git://127.0.0.1:$(cat "$work/silent-port")/central.git" >/dev/null
	hw "$ws" config set sync.timeout 2 >/dev/null
	start
	wait_for "Samir Sent"
	keys F5
	check "a silent server ends the sync after sync.timeout, saying so" \
		wait_for "stopped answering"
	check "... that the work is kept" wait_for "your work is kept"
	check "... with the key bar still shown" line_has "F10 Quit" "F5 Sync"
	keys F10
	check "and the screen still answers: F10 quits" gone
	kill "$silent" 2>/dev/null
fi
finish
