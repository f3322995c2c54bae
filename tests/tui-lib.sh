# tui-lib.sh: helpers for the screen tests, sourced by tests/tui-*.sh.
#
# Each test drives the real program in its own tmux server (a socket name
# of its own, killed at the end), at a fixed size, and reads the screen
# back with capture-pane.  Results are printed as TAP.
set -u
: "${HOMEWARD:?HOMEWARD must name the program}"
: "${TMUX_BIN:=tmux}"

if ! command -v "$TMUX_BIN" >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

sock="hw-$(basename "$0" .sh)-$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/homeward-tui.XXXXXX")
ws="$work/ws"
# The passphrase of the device keys, read by every command from descriptor 9.
printf 'screen test passphrase\n' >"$work/passphrase"
exec 9<"$work/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
failed=0

# The screen's programs get the passphrase only where start() gives it.
T() { env -u HOMEWARD_PASSPHRASE_FD "$TMUX_BIN" -L "$sock" "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The screen as text.
screen() { T capture-pane -p 2>/dev/null; }

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=1
	echo "not ok $n - $1"
	screen | sed 's/^/# |/'
}
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# A workspace made with the command line.
make_workspace() {
	"$HOMEWARD" --workspace "$ws" init --device-id t1 --name Tester --role counsellor >/dev/null
}

# start [ENV=VALUE...]: run the program on the workspace at 80x24.
start() {
	T new-session -d -x "${COLS:-80}" -y "${ROWS:-24}" \
		"exec env HOMEWARD_PASSPHRASE_FD=9 $* '$HOMEWARD' --workspace '$ws' 9<'$work/passphrase'"
	wait_for "Homeward"
}

# Keys go to the program at once; tests then wait for what they do.  No
# fixed sleeps: every wait polls the screen until a deadline, generous
# because the machine may be busy with parallel builds.
keys() { T send-keys "$@"; }
type_text() { T send-keys -l "$1"; }

# poll COMMAND...: run COMMAND until it succeeds, for at most $deadline
# seconds (20 unless set); false when it never did.
deadline=${TUI_DEADLINE:-20}
poll() {
	_end=$(( $(date +%s) + deadline ))
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# on_screen TEXT: TEXT (a fixed string) is on the screen now.
on_screen() { screen | grep -qF -- "$1"; }

# not_on_screen TEXT: TEXT is nowhere on the screen now.
not_on_screen() { ! on_screen "$1"; }

# wait_for TEXT: until TEXT is on the screen.
wait_for() { poll on_screen "$1"; }

# wait_gone TEXT: until TEXT has left the screen.
wait_gone() { poll not_on_screen "$1"; }

# line_has A B: a line of the screen holds both A and B (now).
line_has() { screen | grep -F -- "$1" | grep -qF -- "$2"; }

# wait_line A B: until a line of the screen holds both A and B.
wait_line() { poll line_has "$1" "$2"; }

# gone: until the program has ended (its tmux session closed).
no_session() { ! T has-session 2>/dev/null; }
gone() { poll no_session; }

# The line of the screen that contains TEXT.
line_with() { screen | grep -F -- "$1" | head -n 1; }

# The pid of the program in the pane.
program_pid() { T list-panes -F '#{pane_pid}'; }

finish() {
	echo "1..$n"
	exit $failed
}
