#!/bin/sh
# sync-prune.sh: a device branch that an administrator removes from the
# central repository (git update-ref -d refs/heads/devices/X) goes from the
# supervisor's workspace at the next merge: that merge succeeds, the copy
# in repo.git is gone, nothing merged before is lost, and a branch merge
# refused is not refused and reported again.  Once over a folder remote and
# once over git:// served by `git daemon` on 127.0.0.1.  Prints TAP.

HOMEWARD=${HOMEWARD:-./homeward}
GIT_BIN=${GIT_BIN:-git}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE

. "${top_srcdir:-.}/tests/tap-lib.sh"
tap_begin prune
git_c() { "$GIT_BIN" -c user.name=test -c user.email=test@example.invalid "$@"; }
. "${top_srcdir:-.}/tests/team-lib.sh"
. "${top_srcdir:-.}/tests/daemon-lib.sh"

PER=7
echo "1..$((PER * 2))"

new_case() { # WS FAMILY -> prints the case id
	hw "$1" case add --given-name Amina --family-name "$2" --birth-date 1990-04-01 \
		--nationality NG --return-country NG --language en
}

# prune_set NAME REMOTE CENTRAL: the whole story against one central repository.
prune_set() {
	k=$1 remote=$2 central=$3
	S=$k-S A=$k-A
	cg() { "$GIT_BIN" --git-dir="$central" "$@"; }
	sg() { "$GIT_BIN" --git-dir="$tmp/$S/repo.git" "$@"; }

	# A counsellor sends a case and the supervisor merges it.
	hw "$S" init --device-id sup --name Sam --role supervisor --remote "$remote" >/dev/null 2>&1
	hw "$A" init --device-id dev-a --name Ana --role counsellor --remote "$remote" >/dev/null 2>&1
	if team_enrol "$tmp/$S" "$tmp/$A" counsellor >"$tmp/out" 2>&1 &&
	   id=$(new_case "$A" Okafor 2>>"$tmp/out") && hw "$A" sync >>"$tmp/out" 2>&1 &&
	   hw "$S" merge >>"$tmp/out" 2>&1 && hw "$S" case list --format tsv | cut -f1 | grep -qx "$id" &&
	   sg rev-parse -q --verify refs/remotes/central/devices/dev-a >/dev/null; then
		ok "$k: a counsellor's case is merged, and the supervisor keeps a copy of its branch"
	else
		not_ok "$k: a counsellor's case is merged, and the supervisor keeps a copy of its branch"
	fi

	# A branch merge refuses (its name is not a device id), with a commit
	# main does not have: refused, and reported, at every merge until ...
	cg update-ref refs/heads/devices/v-nested/sub \
		"$(git_c --git-dir="$central" commit-tree -p refs/heads/main -m intruder "refs/heads/main^{tree}")"
	hw "$S" merge >"$tmp/out" 2>&1
	st=$?
	if [ $st -eq 3 ] && grep -q "rejected device v-nested/sub" "$tmp/out" &&
	   hw "$S" merge >"$tmp/out" 2>&1; [ $? -eq 3 ] && grep -q "rejected device v-nested/sub" "$tmp/out"; then
		ok "$k: a refused branch is refused and reported at every merge"
	else
		not_ok "$k: a refused branch is refused and reported at every merge (status $st)"
	fi

	# ... an administrator removes it from the central repository.
	cg update-ref -d refs/heads/devices/v-nested/sub
	if hw "$S" merge >"$tmp/out" 2>&1 && ! grep -q "rejected" "$tmp/out" &&
	   ! sg rev-parse -q --verify refs/remotes/central/devices/v-nested/sub >/dev/null &&
	   grep -q "device v-nested/sub: its branch was removed from the central repository with work that was never merged" "$tmp/out"; then
		ok "$k: once removed there, it is dropped here, said once, and no longer refused"
	else
		not_ok "$k: once removed there, it is dropped here, said once, and no longer refused"
	fi
	if hw "$S" merge >"$tmp/out" 2>&1 && ! grep -q "v-nested" "$tmp/out"; then
		ok "$k: the next merge does not mention it at all"
	else
		not_ok "$k: the next merge does not mention it at all"
	fi

	# The counsellor's branch, merged, removed by hand on the server.
	main_before=$(cg rev-parse refs/heads/main)
	cg update-ref -d refs/heads/devices/dev-a
	if hw "$S" merge >"$tmp/out" 2>&1 &&
	   grep -q "device dev-a: its branch was removed from the central repository; everything it sent is on main" "$tmp/out" &&
	   ! sg rev-parse -q --verify refs/remotes/central/devices/dev-a >/dev/null &&
	   sg rev-parse -q --verify refs/remotes/central/main >/dev/null &&
	   [ "$(cg rev-parse refs/heads/main)" = "$main_before" ] &&
	   [ "$(sg rev-parse refs/remotes/central/main)" = "$main_before" ]; then
		ok "$k: a merged branch removed on the server: the merge succeeds, its copy here is gone, main unchanged"
	else
		not_ok "$k: a merged branch removed on the server: the merge succeeds, its copy here is gone, main unchanged"
	fi
	if hw "$S" case list --format tsv >"$tmp/out" 2>&1 && cut -f1 "$tmp/out" | grep -qx "$id" &&
	   cg ls-tree -r --name-only refs/heads/main | grep -q "/$id/events/"; then
		ok "$k: what was merged from it is still there (the case is listed, its events on main)"
	else
		not_ok "$k: what was merged from it is still there (the case is listed, its events on main)"
	fi

	# The counsellor syncs again: its branch comes back and its new case merges.
	if id2=$(new_case "$A" Mensah 2>"$tmp/out") && hw "$A" sync >>"$tmp/out" 2>&1 &&
	   cg rev-parse -q --verify refs/heads/devices/dev-a >/dev/null &&
	   hw "$S" merge >>"$tmp/out" 2>&1 && grep -q "merged 1 of 1 devices" "$tmp/out" &&
	   hw "$S" case list --format tsv | cut -f1 | grep -qx "$id2"; then
		ok "$k: the counsellor's next sync sends its branch again, and it merges"
	else
		not_ok "$k: the counsellor's next sync sends its branch again, and it merges"
	fi
}

mkdir -p "$tmp/srv"
"$GIT_BIN" init -q --bare "$tmp/folder.git"
prune_set folder "$tmp/folder.git" "$tmp/folder.git"

"$GIT_BIN" init -q --bare "$tmp/srv/central.git"
daemon_start "$tmp/srv"
if [ -n "$daemon_port" ]; then
	prune_set git "git://127.0.0.1:$daemon_port/central.git" "$tmp/srv/central.git"
else
	i=0
	while [ $i -lt $PER ]; do skip "git daemon could not start"; i=$((i + 1)); done
fi
exit $failed
