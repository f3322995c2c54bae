#!/bin/sh
# sync-roundtrip.sh: the real program syncing through a central repository,
# once over a folder remote and once over git:// served by `git daemon` on
# 127.0.0.1, with a cut sync, a tampered device branch, a form published by
# the supervisor and a server that refuses a push.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin sync
check() { desc=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }
git_c() { "$GIT_BIN" -c user.name=test -c user.email=test@example.invalid "$@"; }
. "${top_srcdir:-.}/tests/team-lib.sh"
. "${top_srcdir:-.}/tests/daemon-lib.sh"

echo "1..20"

# Forms travel as submissions.  A workspace without the shipped forms is a
# regression (of init or of the build), so what needs them fails, never skips.
forms=no
if "$HOMEWARD" --workspace "$tmp/probe" init --device-id probe --name P --role counsellor >/dev/null 2>&1 &&
   "$HOMEWARD" --workspace "$tmp/probe" form list 2>/dev/null | grep -q first-contact; then
	forms=yes
fi
cat >"$tmp/answers" <<'EOF'
answer /data/session_date 2026-11-29
answer /data/interpreter_present no
answer /data/preferred_language en
answer /data/age_asked 30
answer /data/consent_counselling no
EOF

new_case() { # WS FAMILY -> prints the case id
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}

# One round trip A -> supervisor -> B through REMOTE; names are suffixed by TAG.
round_trip() {
	remote=$1 tag=$2 label=$3
	a=A$tag s=S$tag b=B$tag
	case_id=
	instance=
	# The supervisor founds the team; every device joins it and is added.
	hw "$s" init --device-id "sup$tag" --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
	# Cases are sealed for their recipients: A assigns its case to B as well.
	hw "$b" init --device-id "dev-b$tag" --name Bo --role counsellor --remote "$remote" >/dev/null 2>&1
	team_enrol "$tmp/$s" "$tmp/$b" counsellor
	if hw "$a" init --device-id "dev-a$tag" --name Amina --role counsellor --remote "$remote" >"$tmp/out" 2>&1 &&
	   team_enrol "$tmp/$s" "$tmp/$a" counsellor 2>>"$tmp/out" &&
	   hw "$a" sync >>"$tmp/out" 2>&1 &&
	   case_id=$(new_case "$a" Okafor 2>>"$tmp/out") && [ -n "$case_id" ] &&
	   hw "$a" case assign "$case_id" "dev-b$tag" --role counsellor >>"$tmp/out" 2>&1 &&
	   hw "$a" sync >"$tmp/out" 2>&1 && grep -q "sent 2 events" "$tmp/out"; then
		ok "$label: a counsellor records a case and syncs"
	else
		not_ok "$label: a counsellor records a case and syncs"
	fi
	if [ "$forms" = yes ]; then
		if instance=$(hw "$a" form submit "$case_id" first-contact "$tmp/answers" 2>"$tmp/out") &&
		   hw "$a" sync >"$tmp/out" 2>&1 && grep -q "1 submission" "$tmp/out"; then
			ok "$label: a submitted form is synced"
		else
			not_ok "$label: a submitted form is synced"
		fi
	else
		not_ok "$label: a submitted form is synced (init installed no first-contact form)"
	fi
	check "$label: the supervisor merges" sh -c '
		"$1" --workspace "$2" merge | tee /dev/stderr | grep -q "merged 1 of 1 devices"' \
		sh "$HOMEWARD" "$tmp/$s" "$tag" "$remote"
	check "$label: another counsellor receives the case" sh -c '
		"$1" --workspace "$2" sync && "$1" --workspace "$2" case list --format tsv | tee /dev/stderr |
		cut -f1 | grep -qx "$5"' sh "$HOMEWARD" "$tmp/$b" "$tag" "$remote" "$case_id"
	if [ "$forms" = yes ]; then
		check "$label: and its submission" sh -c '"$1" --workspace "$2" case show "$3" | grep -q "${4#uuid:}"' \
			sh "$HOMEWARD" "$tmp/$b" "$case_id" "$instance"
	else
		not_ok "$label: and its submission (init installed no first-contact form)"
	fi
}

# --- over a folder (a bare repository, as on a USB stick) ---
"$GIT_BIN" init -q --bare "$tmp/central.git"
round_trip "$tmp/central.git" "" folder

# --- a remote folder that is not there (a USB stick not mounted) ---
hw A config set sync.remote "$tmp/not-mounted/central.git" >/dev/null
if hw A sync >"$tmp/out" 2>&1; then
	not_ok "a sync to a folder that is not there fails"
else
	grep -q "the folder $tmp/not-mounted/central.git does not exist" "$tmp/out" &&
		ok "a sync to a folder that is not there fails and names the folder" ||
		not_ok "a sync to a folder that is not there fails and names the folder"
fi

# --- a sync cut after the commit: the repository is gone when it pushes ---
second=$(new_case A Mensah)
hw A case assign "$second" dev-b --role counsellor >/dev/null
mkdir -p "$tmp/gone.git"
hw A config set sync.remote "$tmp/gone.git" >/dev/null
if hw A sync >"$tmp/out" 2>&1; then
	not_ok "a sync that cannot reach the remote fails"
else
	grep -q "your work is kept" "$tmp/out" && ok "a sync that cannot reach the remote fails" ||
		not_ok "a sync that cannot reach the remote fails"
fi
hw A config set sync.remote "$tmp/central.git" >/dev/null
if hw A sync >"$tmp/out" 2>&1 && grep -q "sent 2 events," "$tmp/out" &&
   hw A sync >"$tmp/out" 2>&1 && grep -q "sent 0 events" "$tmp/out" &&
   hw S merge >"$tmp/out" 2>&1 && hw B sync >"$tmp/out" 2>&1 &&
   [ "$(hw B case show "$second" | grep -c case.opened)" = 1 ] &&
   [ "$(hw B case list --format tsv | cut -f1 | grep -cx "$second")" = 1 ]; then
	ok "the rerun sends it once and it arrives once"
else
	not_ok "the rerun sends it once and it arrives once"
fi

# --- a tampered device branch: a merged event rewritten on the server ---
git_c clone -q "$tmp/central.git" "$tmp/work" 2>"$tmp/out"
(
	cd "$tmp/work" &&
	git_c checkout -q -b t origin/devices/dev-a &&
	f=$(git_c ls-files -- 'cases/*/events/*.json' | head -n 1) &&
	[ -n "$f" ] && echo "$f" >"$tmp/tampered" &&
	echo Forged >>"$f" &&
	git_c commit -qam "rewrite history" &&
	git_c push -q origin t:refs/heads/devices/dev-a
) >>"$tmp/out" 2>&1
third=$(new_case B Darko)
hw B sync >/dev/null 2>&1
hw S merge >"$tmp/merge.out" 2>"$tmp/merge.err"
status=$?
cat "$tmp/merge.out" "$tmp/merge.err" >"$tmp/out"
sed 's/^/# /' "$tmp/merge.err"
if [ $status = 3 ] && [ -s "$tmp/tampered" ] &&
   grep -q "rejected device dev-a: $(cat "$tmp/tampered"): an existing file was changed" "$tmp/merge.err" &&
   grep -q "merged 1 of 2 devices" "$tmp/merge.out" &&
   hw S case list --format tsv | cut -f1 | grep -qx "$third" &&
   hw S case list --format tsv | grep -q Okafor && ! hw S case list --format tsv | grep -q Forged; then
	ok "a tampered branch is rejected with a report and another device's branch merges"
else
	not_ok "a tampered branch is rejected with a report and another device's branch merges"
fi

# --- a supervisor publishes a new version of a form; counsellors install it ---
datadir=${HOMEWARD_DATADIR:-share}
if [ "$forms" = yes ] && [ -f "$datadir/forms/first-contact.xml" ]; then
	old=$(hw S form list | awk '$1 == "first-contact" { print $2 }')
	new=$((old + 1))
	mkdir -p "$tmp/pub"
	sed -e "s/version=\"$old\"/version=\"$new\"/" \
	    -e 's|<h:title>[^<]*</h:title>|<h:title>First contact, revised</h:title>|' \
	    "$datadir/forms/first-contact.xml" >"$tmp/pub/first-contact.xml"
	check "a supervisor publishes a form with a new title and a higher version" sh -c \
		'"$1" --workspace "$2" form publish "$3" | tee /dev/stderr | grep -qx "published first-contact version $4"' \
		sh "$HOMEWARD" "$tmp/S" "$tmp/pub/first-contact.xml" "$new"
	check "a counsellor's sync installs it and form list shows the new title" sh -c \
		'"$1" --workspace "$2" sync | tee /dev/stderr | grep -qx "installed form first-contact version $3" &&
		 "$1" --workspace "$2" form list | tee /dev/stderr |
		 grep -q "^first-contact  *$3  *First contact, revised\$"' sh "$HOMEWARD" "$tmp/B" "$new"
	sed -i 's|First contact, revised|First contact, revised again|' "$tmp/pub/first-contact.xml"
	check "the same version with other content is refused" sh -c \
		'! "$1" --workspace "$2" form publish "$3" 2>"$4" && cat "$4" &&
		 grep -q "already published with other content" "$4"' \
		sh "$HOMEWARD" "$tmp/S" "$tmp/pub/first-contact.xml" "$tmp/err"
	check "a counsellor cannot publish" sh -c \
		'! "$1" --workspace "$2" form publish "$3" 2>"$4" && grep -q "for supervisors" "$4"' \
		sh "$HOMEWARD" "$tmp/B" "$tmp/pub/first-contact.xml" "$tmp/err"
else
	for i in 1 2 3 4; do not_ok "publishing a form: the shipped forms are not installed or not in $datadir/forms"; done
fi

# --- over git:// served by git daemon on 127.0.0.1 ---
mkdir -p "$tmp/srv"
"$GIT_BIN" init -q --bare "$tmp/srv/central.git"
daemon_start "$tmp/srv"
port=$daemon_port
if [ -z "$port" ]; then
	for i in 1 2 3 4 5 6 7; do skip "git daemon could not start"; done
	exit $failed
fi
remote="git://127.0.0.1:$port/central.git"
round_trip "$remote" -git git://

# --- the server refuses: a pre-receive hook that exits 1 ---
# (its words arrive in two pieces: what the user reads is one whole line, once)
cat >"$tmp/srv/central.git/hooks/pre-receive" <<'EOF'
#!/bin/sh
printf 'central is clo' >&2
sleep 0.3
printf 'sed for maintenance\n\033[2J\033]0;owned\007\n' >&2
exit 1
EOF
chmod +x "$tmp/srv/central.git/hooks/pre-receive"
new_case A-git Asante >/dev/null
if hw A-git sync >"$tmp/out" 2>&1; then
	not_ok "a push the server refuses is an error the user sees"
else
	grep -q "central is closed for maintenance" "$tmp/out" && grep -q "refused" "$tmp/out" &&
	[ "$(grep -o "central is closed for maintenance" "$tmp/out" | wc -l)" = 1 ] &&
	! grep -q "remote: central is clo$" "$tmp/out" && ! grep -q "$(printf '\033')" "$tmp/out" &&
		ok "a push the server refuses is an error the user sees, the server's line whole, once, its escapes harmless" ||
		not_ok "a push the server refuses is an error the user sees, the server's line whole, once, its escapes harmless"
fi
sed 's/^/# /' "$tmp/out"
rm -f "$tmp/srv/central.git/hooks/pre-receive"
cat >"$tmp/srv/central.git/hooks/post-receive" <<'EOF'
#!/bin/sh
printf 'thanks, ' >&2
sleep 0.3
printf 'received\n' >&2
EOF
chmod +x "$tmp/srv/central.git/hooks/post-receive"
check "once the server accepts again, the refused work is sent, and what the server says is shown once" sh -c \
	'"$1" --workspace "$2" sync >"$3" && cat "$3" && grep -q "sent 1 event," "$3" &&
	 [ "$(grep -c "^remote: thanks, received\$" "$3")" = 1 ]' sh "$HOMEWARD" "$tmp/A-git" "$tmp/sync.out"

exit $failed
