#!/bin/sh
# sync-connections.sh: what a sync asks of the server, through `git daemon`
# on 127.0.0.1 with an access hook that writes down every request.  A sync
# fetches main (the roster it seals for), pushes, and fetches main again
# only when the push saw the server's main somewhere else: one connection
# fewer on every sync of a quiet day, and nothing missed on a busy one
# (the hook moves main between the first fetch and the push).  A merge
# fetches once: the roster on main and the devices' branches in one
# connection.  A merge's fetch of the devices' work asks for a pack
# complete in itself (no thin-pack), a device's fetch of main keeps thin
# packs.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin conn
. "${top_srcdir:-.}/tests/team-lib.sh"
. "${top_srcdir:-.}/tests/daemon-lib.sh"

echo "1..8"

# The hook runs before the daemon serves each request: it notes the
# service, and on a push it may first move main to the commit in move-main.
mkdir -p "$tmp/srv"
"$GIT_BIN" init -q --bare "$tmp/srv/central.git"
cat >"$tmp/hook" <<EOF
#!/bin/sh
echo "\$1" >>"$tmp/requests"
if [ "\$1" = receive-pack ] && [ -f "$tmp/move-main" ]; then
	"$GIT_BIN" --git-dir="$tmp/srv/central.git" update-ref refs/heads/main "\$(cat "$tmp/move-main")"
	rm -f "$tmp/move-main"
fi
exit 0
EOF
chmod +x "$tmp/hook"

DAEMON_TRACE="$tmp/packets"
daemon_start "$tmp/srv" --access-hook="$tmp/hook"
port=$daemon_port
if [ -z "$port" ]; then
	for i in 1 2 3 4 5 6 7 8; do skip "git daemon could not start"; done
	exit 0
fi
remote="git://127.0.0.1:$port/central.git"

# requests: what the server was asked since the last call, on one line.
requests() { tr '\n' ' ' <"$tmp/requests" | sed 's/ $//'; : >"$tmp/requests"; }
new_case() { # WS FAMILY -> prints the case id
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}

hw S init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
hw A init --device-id dev-a --name Ana --role counsellor --remote "$remote" >/dev/null 2>&1
hw B init --device-id dev-b --name Bo --role counsellor --remote "$remote" >/dev/null 2>&1
if team_enrol "$tmp/S" "$tmp/A" counsellor >"$tmp/out" 2>&1 &&
   team_enrol "$tmp/S" "$tmp/B" counsellor >>"$tmp/out" 2>&1 &&
   hw A sync >>"$tmp/out" 2>&1 && hw B sync >>"$tmp/out" 2>&1; then
	ok "a supervisor and two counsellors join a team over git://"
else
	not_ok "a supervisor and two counsellors join a team over git://"
fi

# A quiet day: main does not move while A syncs one case.
: >"$tmp/requests"
if first=$(new_case A Okafor 2>"$tmp/out") && hw A case assign "$first" dev-b --role counsellor >>"$tmp/out" 2>&1 &&
   hw A sync >"$tmp/out" 2>&1 && grep -q "sent 2 events" "$tmp/out" &&
   got=$(requests) && echo "requests: $got" >>"$tmp/out" &&
   [ "$got" = "upload-pack receive-pack" ]; then
	ok "a sync while main stays put fetches once and pushes once"
else
	not_ok "a sync while main stays put fetches once and pushes once"
fi

# A busy day: the supervisor merges A's case, then main is put back, and
# the hook moves it forward again when B's push connects: after B's first
# fetch, before B's push reads the server's refs.
if hw S merge >"$tmp/out" 2>&1 &&
   merged=$("$GIT_BIN" --git-dir="$tmp/srv/central.git" rev-parse refs/heads/main) &&
   "$GIT_BIN" --git-dir="$tmp/srv/central.git" update-ref refs/heads/main "$merged~1" &&
   echo "$merged" >"$tmp/move-main" &&
   second=$(new_case B Mensah 2>>"$tmp/out") && : >"$tmp/requests" &&
   hw B sync >>"$tmp/out" 2>&1 && got=$(requests) && echo "requests: $got" >>"$tmp/out" &&
   [ "$got" = "upload-pack receive-pack upload-pack" ]; then
	ok "a sync whose push sees main moved fetches main again"
else
	not_ok "a sync whose push sees main moved fetches main again"
fi
if [ -n "$first" ] && hw B case list --format tsv >"$tmp/out" 2>&1 && cut -f1 "$tmp/out" | grep -qx "$first" &&
   [ "$("$GIT_BIN" --git-dir="$tmp/B/repo.git" rev-parse refs/remotes/central/main)" = "$merged" ]; then
	ok "and takes in the merge that landed in between"
else
	not_ok "and takes in the merge that landed in between"
fi

# Nothing to send: the push still reads the server's refs, and no second fetch.
: >"$tmp/requests"
if hw B sync >"$tmp/out" 2>&1 && got=$(requests) && echo "requests: $got" >>"$tmp/out" &&
   [ "$got" = "upload-pack receive-pack" ] && hw B sync >"$tmp/out" 2>&1; then
	ok "a sync with nothing new makes no second fetch either"
else
	not_ok "a sync with nothing new makes no second fetch either"
fi
# The first want line of each fetch carries the capabilities it asks for.
want_caps() { grep -a 'upload-pack< want [0-9a-f]\{40\} ' "$tmp/packets" 2>/dev/null; }
: >"$tmp/packets"
if third=$(new_case A Diallo 2>"$tmp/out") && hw A case assign "$third" dev-b --role counsellor >>"$tmp/out" 2>&1 &&
   hw A sync >>"$tmp/out" 2>&1 && : >"$tmp/packets" && hw S merge >>"$tmp/out" 2>&1 &&
   want_caps >>"$tmp/out" && want_caps | grep -qv 'thin-pack'; then
	ok "a merge fetches the devices' work as a pack complete in itself (no thin-pack asked)"
else
	not_ok "a merge fetches the devices' work as a pack complete in itself (no thin-pack asked)"
fi
: >"$tmp/packets"
if hw B sync >"$tmp/out" 2>&1 && want_caps >>"$tmp/out" && [ -n "$(want_caps)" ] &&
   ! want_caps | grep -qv 'thin-pack' && hw B case list --format tsv | cut -f1 | grep -qx "$third"; then
	ok "a counsellor's fetch of main still asks for a thin pack, and gets the merged case"
else
	not_ok "a counsellor's fetch of main still asks for a thin pack, and gets the merged case"
fi

# A merge with everything to do: a new member for the roster it publishes,
# a case of the supervisor's own to push first, and a counsellor's case.
# The roster it refreshes first comes in the same fetch as the devices'
# branches: one upload-pack, whatever the pushes.
hw C init --device-id dev-c --name Cy --role counsellor --remote "$remote" >/dev/null 2>&1
if fp=$(team_fingerprint "$tmp/S") && hw C team join "$fp" >"$tmp/out" 2>&1 &&
   hw C team request --out "$tmp/C.request" >>"$tmp/out" 2>&1 &&
   hw S team add "$tmp/C.request" --role counsellor >>"$tmp/out" 2>&1 &&
   own=$(new_case S Sesay 2>>"$tmp/out") && fourth=$(new_case A Bah 2>>"$tmp/out") &&
   hw A sync >>"$tmp/out" 2>&1 && : >"$tmp/requests" && hw S merge >>"$tmp/out" 2>&1 &&
   got=$(requests) && echo "requests: $got" >>"$tmp/out" &&
   [ "$(echo "$got" | tr ' ' '\n' | grep -c '^upload-pack$')" -eq 1 ] &&
   grep -q "merged 2 of 2 devices" "$tmp/out" &&
   "$GIT_BIN" --git-dir="$tmp/srv/central.git" ls-tree -r --name-only refs/heads/main >"$tmp/tree" &&
   grep -q "^team/dev-c/" "$tmp/tree" && grep -q "/$fourth/events/" "$tmp/tree" &&
   grep -q "/$own/events/" "$tmp/tree"; then
	ok "a merge refreshing the roster fetches once: the roster and the devices' work in one connection"
else
	not_ok "a merge refreshing the roster fetches once: the roster and the devices' work in one connection"
fi
exit $failed
