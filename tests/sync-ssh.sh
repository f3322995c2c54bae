#!/bin/sh
# sync-ssh.sh: the real program syncing over ssh:// with OpenSSH's sshd,
# started here on 127.0.0.1 at a free port with its own host key, config
# and authorised ed25519 key in a temporary folder.  An unknown host key is
# refused with its fingerprint and the line that accepts it; accepted, a
# counsellor, a supervisor and a second counsellor make a round trip; a
# wrong key and a changed host key are refused.  Prints TAP.
#
# libgit2 reads $HOME/.ssh/known_hosts, so HOME is a folder of the test.

HOMEWARD=$(cd "$(dirname "${HOMEWARD:-./homeward}")" && pwd)/$(basename "${HOMEWARD:-./homeward}")
GIT_BIN=${GIT_BIN:-git}
SSHD=${SSHD:-/usr/sbin/sshd}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE SSH_AUTH_SOCK HOMEWARD_SSH_KEY HOMEWARD_SSH_PASSPHRASE

echo "1..11"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/out" ] && sed 's/^/# /' "$tmp/out"; }
skip_rest() { while [ $n -lt 11 ]; do n=$((n + 1)); echo "ok $n # SKIP $1"; done; exit 0; }
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-ssh.XXXXXX") || exit 1
sshd_pid=
proxy_pid=
cleanup() {
	# Only the sshd (and proxy) this test started, by their pids.
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null
		wait "$proxy_pid" 2>/dev/null
	fi
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null
		wait "$sshd_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

[ -x "$SSHD" ] || skip_rest "no sshd (install openssh-server)"
command -v ssh-keygen >/dev/null 2>&1 || skip_rest "no ssh-keygen (install openssh-client)"
# sshd run as root wants its privilege-separation folder.
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd 2>/dev/null || skip_rest "cannot make /run/sshd"
fi

printf 'ssh test passphrase\n' >"$tmp/passphrase"
exec 9<"$tmp/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
HOME=$tmp/home; export HOME
mkdir -p "$HOME/.ssh" "$tmp/srv"
chmod 700 "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C host -f "$tmp/host_key" &&
ssh-keygen -q -t ed25519 -N '' -C other -f "$tmp/other_host_key" &&
ssh-keygen -q -t ed25519 -N '' -C counsellor -f "$HOME/.ssh/id_ed25519" &&
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$tmp/stranger_key" || skip_rest "ssh-keygen failed"
cp "$HOME/.ssh/id_ed25519.pub" "$tmp/authorized_keys"
chmod 600 "$tmp/authorized_keys"
"$GIT_BIN" init -q --bare "$tmp/srv/central.git"

# sshd on a free port: try a few, and wait until it answers.
port=
for try in 1 2 3 4 5 6 7 8 9 10; do
	p=$(awk -v seed="$$$try" 'BEGIN { srand(seed); print int(20000 + rand() * 30000) }')
	cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $p
HostKey $tmp/host_key
PidFile none
AuthorizedKeysFile $tmp/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
LogLevel VERBOSE
EOF
	"$SSHD" -D -e -f "$tmp/sshd_config" >"$tmp/sshd.log" 2>&1 &
	sshd_pid=$!
	i=0
	while [ $i -lt 50 ]; do
		kill -0 "$sshd_pid" 2>/dev/null || break
		if grep -q "Server listening" "$tmp/sshd.log"; then port=$p; break; fi
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$port" ] && break
	kill "$sshd_pid" 2>/dev/null
	wait "$sshd_pid" 2>/dev/null
	sshd_pid=
done
if [ -z "$port" ]; then
	sed 's/^/# /' "$tmp/sshd.log"
	skip_rest "sshd could not start"
fi
remote="ssh://$(id -un)@127.0.0.1:$port$tmp/srv/central.git"
hw() { ws=$1; shift; "$HOMEWARD" --workspace "$tmp/$ws" "$@"; }
new_case() {
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}
cat >"$tmp/answers" <<'EOF'
answer /data/session_date 2026-11-29
answer /data/interpreter_present no
answer /data/preferred_language en
answer /data/age_asked 30
answer /data/consent_counselling no
EOF

# --- an unknown host: refused, with the fingerprint and the line that accepts it ---
fingerprint=$(ssh-keygen -lf "$tmp/host_key.pub" | awk '{ print $2 }')
# The team: the supervisor founds it and A and B join it (B as a supervisor,
# so that it receives A's case); the supervisor's first merge publishes it.
. "${top_srcdir:-.}/tests/team-lib.sh"
hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
hw A init --device-id dev-a --name Amina --role counsellor --remote "$remote" >/dev/null 2>&1
hw B init --device-id dev-b --name Bo --role counsellor --remote "$remote" >/dev/null 2>&1
fp=$(hw S team fingerprint | tail -n 1)
for w in A B; do
	hw $w team join "$fp" >/dev/null 2>&1
	hw $w team request --out "$tmp/$w.request" 2>/dev/null
done
hw S team add "$tmp/A.request" --role counsellor >/dev/null 2>&1
hw S team add "$tmp/B.request" --role supervisor >/dev/null 2>&1
case_id=$(new_case A Okafor 2>/dev/null)
hw A sync >"$tmp/out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "not in ~/.ssh/known_hosts" "$tmp/out" && grep -qF "$fingerprint" "$tmp/out" &&
   [ -z "$("$GIT_BIN" --git-dir="$tmp/srv/central.git" for-each-ref)" ]; then
	ok "an unknown host key is refused, showing its fingerprint ($fingerprint), and nothing is sent"
else
	not_ok "an unknown host key is refused, showing its fingerprint ($fingerprint), and nothing is sent (status $st)"
fi

# The user checks the fingerprint and adds the line the message shows.
sed -n 's/.*add.* this line to ~\/.ssh\/known_hosts: \(\[127.0.0.1\]:[0-9]* ssh-ed25519 [A-Za-z0-9+\/=]*\).*/\1/p' \
	"$tmp/out" >"$HOME/.ssh/known_hosts"
if [ -s "$HOME/.ssh/known_hosts" ] && [ "$(ssh-keygen -lf "$HOME/.ssh/known_hosts" | awk '{ print $2 }')" = "$fingerprint" ]; then
	ok "the line the message gives is the host's key, for known_hosts"
else
	not_ok "the line the message gives is the host's key, for known_hosts"
fi

# --- the round trip over ssh:// ---
instance=
hw S merge >/dev/null 2>&1    # publishes the team's roster
if hw A sync >"$tmp/out" 2>&1 && grep -q "sent 1 event" "$tmp/out" &&
   instance=$(hw A form submit "$case_id" first-contact "$tmp/answers" 2>"$tmp/out") &&
   hw A sync >"$tmp/out" 2>&1 && grep -q "1 submission;" "$tmp/out"; then
	ok "once accepted, a counsellor sends a case and a form over ssh"
else
	not_ok "once accepted, a counsellor sends a case and a form over ssh"
fi
check "the supervisor merges over ssh" sh -c '
	"$1" --workspace "$2" init --device-id sup --name Sam --role supervisor --remote "$3" >/dev/null &&
	"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices (.* events*, 1 submission)"' \
	sh "$HOMEWARD" "$tmp/S" "$remote"
check "another counsellor receives the case and its form over ssh" sh -c '
	"$1" --workspace "$2" init --device-id dev-b --name Bo --role counsellor --remote "$3" >/dev/null &&
	"$1" --workspace "$2" sync | tee /dev/stderr | grep -q "received .* events*, 1 submission" &&
	"$1" --workspace "$2" case list --format tsv | cut -f1 | grep -qx "$4" &&
	"$1" --workspace "$2" case show "$4" | grep -q "${5#uuid:}"' \
	sh "$HOMEWARD" "$tmp/B" "$remote" "$case_id" "$instance"

# --- a key the server does not know ---
new_case B Mensah >/dev/null 2>&1
HOMEWARD_SSH_KEY=$tmp/stranger_key hw B sync >"$tmp/out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "did not accept the ssh key $tmp/stranger_key" "$tmp/out" &&
   grep -q "did not accept the credentials" "$tmp/out"; then
	ok "a key the server does not know is refused, naming the key"
else
	not_ok "a key the server does not know is refused, naming the key (status $st)"
fi
HOMEWARD_SSH_KEY=$tmp/no-such-key hw B sync >"$tmp/out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "the ssh key $tmp/no-such-key cannot be read" "$tmp/out"; then
	ok "a key file that is not there is named"
else
	not_ok "a key file that is not there is named (status $st)"
fi

# --- the host key changed (another server answers at that address) ---
cp "$HOME/.ssh/known_hosts" "$tmp/known_hosts.good"
sed "s|^\(\[127.0.0.1\]:$port\) .*|\1 $(cut -d' ' -f1,2 "$tmp/other_host_key.pub")|" \
	"$tmp/known_hosts.good" >"$HOME/.ssh/known_hosts"
hw B sync >"$tmp/out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "is not the one recorded there" "$tmp/out" && grep -qF "$fingerprint" "$tmp/out" &&
   grep -q "could not be verified" "$tmp/out"; then
	ok "a host key other than the recorded one is refused"
else
	not_ok "a host key other than the recorded one is refused (status $st)"
fi
cp "$tmp/known_hosts.good" "$HOME/.ssh/known_hosts"
check "with the right key and host, what was refused is sent" sh -c \
	'"$1" --workspace "$2" sync | grep -q "sent 1 event,"' sh "$HOMEWARD" "$tmp/B"

# --- a connection that goes silent halfway ---
# A proxy in front of sshd: one sync through it whole tells how many bytes
# a connection carries; the next is frozen two thirds of the way, inside
# the encrypted ssh connection, and must end after sync.timeout with a message.
. "${top_srcdir:-.}/tests/proxy-lib.sh"
: >"$tmp/ctl"
if command -v "${PYTHON:-python3}" >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1 &&
   proxy_start "$port" "$tmp/ctl"; then
	echo "[127.0.0.1]:$proxy_port $(cut -d' ' -f1,2 "$tmp/host_key.pub")" >>"$HOME/.ssh/known_hosts"
	hw B config set sync.remote "ssh://$(id -un)@127.0.0.1:$proxy_port$tmp/srv/central.git"
	hw B config set sync.timeout 4
	new_case B Whole >/dev/null 2>&1
	hw B sync >"$tmp/out" 2>&1
	most=$(proxy_most_bytes)
	new_case B Frozen >/dev/null 2>&1
	echo "freeze $(( ${most:-0} * 2 / 3 ))" >"$tmp/ctl"
	timeout 90 "$HOMEWARD" --workspace "$tmp/B" sync >"$tmp/out" 2>&1
	st=$?
	if [ $st = 1 ] && grep -q "sent nothing for 4 seconds" "$tmp/out" && grep -q "stopped answering" "$tmp/out"; then
		ok "an ssh connection frozen after $(( ${most:-0} * 2 / 3 )) of $most bytes ends the sync after sync.timeout"
	else
		not_ok "an ssh connection frozen after $(( ${most:-0} * 2 / 3 )) of $most bytes ends the sync after sync.timeout (status $st)"
	fi
	: >"$tmp/ctl"
	check "the next sync over ssh sends what the frozen one could not" sh -c \
		'"$1" --workspace "$2" sync | grep -q "sent 1 event,"' sh "$HOMEWARD" "$tmp/B"
else
	n=$((n + 2))
	echo "ok $((n - 1)) # SKIP no proxy for the frozen connection"
	echo "ok $n # SKIP no proxy for the frozen connection"
fi

exit $failed
