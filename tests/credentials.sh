#!/bin/sh
# A token given in a remote URL is never kept in the settings nor shown: the
# URL is stored without it, the token goes to the workspace's credentials
# file (0600) and is offered to the central repository from there.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-cred.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
printf 'credentials test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
echo "1..14"
TOKEN=s3cretTOKEN
# Nothing but the credentials file may hold the token.
leaks() { grep -rla "$TOKEN" "$T/ws" | grep -v "^$T/ws/credentials$"; }

# A server that refuses every request, noting the credentials it was offered.
PORT=1
if command -v python3 >/dev/null 2>&1; then
	cat >"$T/srv.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        a = self.headers.get("Authorization")
        if a:
            with open(sys.argv[2], "a") as f:
                f.write(a + "\n")
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.server_port))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PY
	python3 "$T/srv.py" "$T/port" "$T/auth" & SRV=$!
	i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T/port" ] && PORT=$(cat "$T/port")
fi
URL="http://127.0.0.1:$PORT/central.git"
W="$HW --workspace $T/ws"
$W init --device-id laptop-1 --name "Amina K." --role supervisor --remote "http://amina:$TOKEN@127.0.0.1:$PORT/central.git" >"$T/out" 2>&1; st=$?
ok "init with a token in the remote URL works and does not print it" '[ $st -eq 0 ] && ! grep -q "$TOKEN" "$T/out"'
ok "the remote is stored without the user name and token" '[ "$($W config get sync.remote)" = "$URL" ]'
ok "the token is in the credentials file, mode 0600" '[ "$(stat -c %a "$T/ws/credentials")" = 600 ] && grep -q "^token $TOKEN$" "$T/ws/credentials" && grep -q "^username amina$" "$T/ws/credentials"'
ok "no other file of the workspace holds the token" '[ -z "$(leaks)" ]'
$W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
$W sync </dev/null >"$T/out" 2>&1; st=$?
ok "a refused sync shows no token" '[ $st -ne 0 ] && ! grep -q "$TOKEN" "$T/out" && grep -q "$URL" "$T/out"'
# What the server did not accept, from a server that answers (python3).
if [ -n "$SRV" ]; then
	ok "... and says what the server did not accept" 'grep -q "^homeward: fetching from $URL: the server did not accept the user name amina and its password or token (" "$T/out"'
	# The core says what was offered; the interface words it in the person's language.
	LANG=C.UTF-8 LANGUAGE=fr $W sync </dev/null >"$T/out" 2>&1; st=$?
	ok "... in the person's language, still without the token" \
		'[ $st -ne 0 ] && grep -q "lors de la récupération depuis $URL : le serveur n.a pas accepté le nom d.utilisateur amina et son mot de passe ou jeton" "$T/out" && ! grep -q "$TOKEN" "$T/out" && ! grep -q "did not accept" "$T/out"'
	mv "$T/ws/credentials" "$T/credentials.kept"
	LANG=C.UTF-8 LANGUAGE=nl $W sync </dev/null >"$T/out" 2>&1; st=$?
	ok "with nothing to offer, it says none were given, in the person's language" \
		'[ $st -ne 0 ] && grep -q "bij het ophalen van $URL: de server vraagt om inloggegevens en er zijn er geen gegeven" "$T/out"'
	mv "$T/credentials.kept" "$T/ws/credentials"
else
	for w in "says what the server did not accept" "in the person's language" "none were given"; do
		skip "$w" "no python3 for a test server"
	done
fi
if [ -n "$SRV" ]; then
	EXPECT=$(printf 'amina:%s' "$TOKEN" | base64)
	ok "the stored token is what the central repository was offered" 'grep -q "^Basic $EXPECT" "$T/auth"'
else
	skip "the stored token is what the central repository was offered" "no python3 for a test server"
fi
ok "neither the settings nor the git config of repo.git hold the token" '[ -z "$(leaks)" ] && [ -d "$T/ws/repo.git" ] && ! git config --file "$T/ws/repo.git/config" --list | grep -q "$TOKEN"'
# config set takes a URL with a token the same way; %-escapes are decoded.
$W config set sync.remote "https://bola:other%40tok@example.org/c.git" >"$T/out" 2>&1; st=$?
ok "config set stores the URL without its token and prints none" '[ $st -eq 0 ] && [ "$($W config get sync.remote)" = "https://example.org/c.git" ] && ! grep -q "tok" "$T/out"'
ok "and keeps the new token, decoded" 'grep -q "^token other@tok$" "$T/ws/credentials" && grep -q "^username bola$" "$T/ws/credentials"'
# A user name alone is no secret (ssh://git@host): it stays in the URL.
$W config set sync.remote "ssh://git@example.org/c.git" >/dev/null 2>&1
ok "a URL with only a user name is kept as it is" '[ "$($W config get sync.remote)" = "ssh://git@example.org/c.git" ]'
ok "and the credentials file is left alone" 'grep -q "^token other@tok$" "$T/ws/credentials"'
