#!/bin/sh
# Screen test: the screen asks for the passphrase when it starts without
# one, locks after screen.lock_after without a key press and at once on
# F12, shows nothing of the workspace while locked, and makes one wait
# after five wrong passphrases.
. "${top_srcdir:-.}/tests/tui-lib.sh"

pass='screen test passphrase'
make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Lockname --family-name Example \
	--birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
"$HOMEWARD" --workspace "$ws" config set screen.lock_after 2s

# Started on a terminal without --passphrase-fd: the lock screen asks first.
T new-session -d -x 80 -y 24 "exec '$HOMEWARD' --workspace '$ws'"
check "without a passphrase given, the screen starts locked" wait_for "Homeward is locked"
check "... showing nothing of the workspace" not_on_screen "Lockname"
type_text "$pass"
check "what is typed does not show" not_on_screen "$pass"
keys Enter
check "the passphrase opens the list" wait_for "Lockname"
# What was typed at the lock screen is in no memory a core dump would hold
# (as UTF-8, UTF-16 or UTF-32: typed text may be kept as wide characters).
typed_in_core() {
	pid=$(T display -p '#{pane_pid}') && gcore -o "$work/core" "$pid" >/dev/null 2>&1 &&
		[ -s "$work/core.$pid" ] || return 2
	python3 - "$work/core.$pid" "$pass" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
p = sys.argv[2]
sys.exit(0 if any(p.encode(e) in data for e in ("utf-8", "utf-16-le", "utf-32-le")) else 1)
PY
	st=$?; rm -f "$work"/core.*; return $st
}
if command -v gcore >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
	check "a core dump of the unlocked screen does not hold the typed passphrase" \
		eval 'typed_in_core; [ $? -eq 1 ]'
fi
# No key for the time set (2 s here): the screen locks by itself.
check "idle for screen.lock_after, the screen locks" wait_for "Homeward is locked"
check "... and clears what it showed" not_on_screen "Lockname"
# While locked the database is closed: the command line can change a setting.
"$HOMEWARD" --workspace "$ws" config set screen.lock_after 0
type_text "$pass"; keys Enter
check "the passphrase unlocks it" wait_for "Lockname"
keys F12
check "F12 locks at once" wait_for "Homeward is locked"
check "... clearing the screen" not_on_screen "Lockname"
type_text "not it"; keys Enter
check "a wrong passphrase says so and stays locked" wait_for "Wrong passphrase."
for i in 2 3 4 5; do type_text "not it $i"; keys Enter; done
check "after five wrong passphrases the lock screen makes one wait" wait_for "Too many wrong passphrases"
# Typed during the wait: dropped, not tried.
type_text "$pass"; keys Enter
check "the wait ends" wait_gone "Too many wrong passphrases"
check "what was typed during it was not tried" on_screen "Homeward is locked"
type_text "$pass"; keys Enter
check "after the wait the right passphrase unlocks" wait_for "Lockname"
keys F12
check "locked again" wait_for "Homeward is locked"
keys F10
check "F10 on the lock screen quits" gone

# The passphrase typed at unlock opens the device keys too: the screen's
# sync does not ask for it again (it used to, on the terminal).
"${GIT_BIN:-git}" init -q --bare "$work/central.git"
"$HOMEWARD" --workspace "$ws" config set sync.remote "$work/central.git"
# A device syncs once it belongs to a team, where the program has teams.
if [ -f "${top_srcdir:-.}/tests/team-lib.sh" ]; then
	. "${top_srcdir:-.}/tests/team-lib.sh"
	"$HOMEWARD" --workspace "$work/sup" init --device-id sup --name Sam --role supervisor \
		--remote "$work/central.git" >/dev/null 2>&1
	team_enrol "$work/sup" "$ws" counsellor >/dev/null 2>&1
fi
T new-session -d -x 80 -y 24 "exec '$HOMEWARD' --workspace '$ws'"
wait_for "Homeward is locked"
type_text "$pass"; keys Enter
wait_for "Lockname"
keys F5
check "after unlock, F5 syncs without asking for the passphrase again" wait_for "Sync done"
check "... no passphrase question was shown" not_on_screen "to sign what is sent"
check "the central repository has this device's branch" \
	"${GIT_BIN:-git}" --git-dir="$work/central.git" rev-parse --verify -q refs/heads/devices/t1
keys F10
gone
finish
