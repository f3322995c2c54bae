#!/bin/sh
# The passphrase is never an argument, never in the environment, never in
# what a command prints, never in the log of a test run, and never in a
# core dump of a command that holds the unlocked keys: checked on the
# running program, its /proc entries and a core written by gcore while a
# sync waits on a central repository that does not answer.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-secrets.XXXXXX")
SRV= RUN=
trap '[ -n "$RUN" ] && kill "$RUN" 2>/dev/null; [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
PASS='secrets test passphrase 4b7e'
printf '%s\n' "$PASS" >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
echo "1..8"
# Whether FILE holds the passphrase, in UTF-8, UTF-16 or UTF-32 (a program
# may keep typed text as wide characters).
holds() {
	python3 - "$1" "$PASS" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
p = sys.argv[2]
sys.exit(0 if any(p.encode(e) in data for e in ("utf-8", "utf-16-le", "utf-32-le")) else 1)
PY
}

W="$HW --workspace $T/ws"
$W init --device-id sup-1 --name "Sam S." --role supervisor >"$T/out" 2>&1
$W case add --given-name Secretia --family-name Example --birth-date 1990-04-01 \
	--nationality IQ --return-country IQ --language ar >>"$T/out" 2>&1
$W team fingerprint >>"$T/out" 2>&1
$W case list >>"$T/out" 2>&1
$W sync --remote "$T/nowhere.git" >>"$T/out" 2>&1
ok "no output of the commands holds the passphrase" '! grep -qF "$PASS" "$T/out"'
ok "no file of the workspace holds it" '! grep -rqF "$PASS" "$T/ws"'

# A central repository that takes the connection and never answers: the
# sync waits there with its keys unlocked, long enough to look at it.
if ! command -v python3 >/dev/null 2>&1; then
	for w in "argv" "environment" "core of sync" "core holds keys"; do skip "$w" "no python3"; done
else
	cat >"$T/srv.py" <<'PY'
import socket, sys, os, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    with open(sys.argv[2], "w") as f:
        f.write("connected\n")
PY
	python3 "$T/srv.py" "$T/port" "$T/connected" & SRV=$!
	i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	$W config set sync.remote "http://127.0.0.1:$(cat "$T/port")/central.git" >/dev/null
	$W sync >"$T/sync.out" 2>&1 & RUN=$!
	i=0; while [ ! -s "$T/connected" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	ok "the waiting sync has no passphrase among its arguments" \
		'[ -s "$T/connected" ] && tr "\0" "\n" </proc/$RUN/cmdline >"$T/argv" && grep -q sync "$T/argv" && ! grep -qF "$PASS" "$T/argv"'
	ok "nor in its environment (only the number of the descriptor)" \
		'tr "\0" "\n" </proc/$RUN/environ >"$T/env" && grep -qx "HOMEWARD_PASSPHRASE_FD=9" "$T/env" && ! grep -qF "$PASS" "$T/env"'
	if command -v gcore >/dev/null 2>&1 && gcore -o "$T/core" "$RUN" >/dev/null 2>&1 && [ -s "$T/core.$RUN" ]; then
		ok "a core dump of the sync, its keys unlocked, does not hold the passphrase" '! holds "$T/core.$RUN"'
		# The dump shows what is in ordinary memory: the check above could fail.
		ok "(the same dump holds the address it connects to, so the check can fail)" \
			'grep -aqF "127.0.0.1:$(cat "$T/port")/central.git" "$T/core.$RUN"'
	else
		skip "a core dump of the sync does not hold the passphrase" "gcore cannot dump a process here"
		skip "the same dump holds the address it connects to" "gcore cannot dump a process here"
	fi
	kill "$RUN" 2>/dev/null; wait "$RUN" 2>/dev/null; RUN=
	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
fi

# The logs of the tests that ran before this one, and this one's outputs.
pw=$(sed -n "s/^printf '\\(.*passphrase\\)\\\\n' >.*/\\1/p" "${top_srcdir:-.}"/tests/*.sh | sort -u)
ok "the tests' passphrases are known to this check" '[ $(printf "%s\n" "$pw" | wc -l) -gt 10 ]'
printf '%s\n' "$pw" "$PASS" >"$T/passes"
logs=$(ls "${top_builddir:-.}"/tests/*.log 2>/dev/null | grep -v '/secrets\.log$')
ok "no test log holds a passphrase" '[ -z "$logs" ] || ! grep -lF -f "$T/passes" $logs >/dev/null 2>&1'
