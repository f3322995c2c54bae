#!/bin/sh
# The database at rest (docs/security.md): no name, birth date or answer in
# clear in homeward.db, its -wal or -journal, drafts included; a changed
# page is reported as damage and the file left as it was; a workspace made
# before encryption is refused until `homeward migrate workspace` encrypts
# it, keeping the plain file until the encrypted one opens.
set -u
HW=${HOMEWARD:-./homeward}
SQL="${top_builddir:-.}/tests/ws_sql"
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-atrest.XXXXXX")
trap 'rm -rf "$T"' EXIT
printf 'at rest test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
echo "1..16"
ws="$T/ws"
W="$HW --workspace $ws"
# Strings found nowhere else, so that any hit is a leak.
GIVEN=Qirvantolemb FAMILY=Zupertallix BORN=1983-07-29 ANSWER=Vestrokalumnia DRAFT=Plorminthecary
# Each known string (and the name as UTF-16, as SQLite may store text) in any of the files given.
leaks() {
	for s in "$GIVEN" "$FAMILY" "$BORN" "$ANSWER" "$DRAFT"; do
		for f in "$@"; do
			[ -f "$f" ] && grep -c -a -F "$s" "$f" >/dev/null && echo "$s in $(basename "$f")"
		done
	done
	return 0
}
$W init --device-id rest-1 --name "Amina K." --role counsellor >/dev/null
ID=$($W case add --given-name $GIVEN --family-name $FAMILY --birth-date $BORN --nationality IQ --return-country IQ --language ar)
printf 'answer /data/age_asked 35\nanswer /data/return_country_fix IQ\nanswer /data/summary "%s"\n' "$ANSWER" >"$T/answers"
INST=$($W form submit "$ID" needs-assessment "$T/answers" 2>"$T/err")
# A draft with a typed answer, as the screen keeps one.
"$SQL" "$ws" "INSERT INTO drafts VALUES ('d1', '$ID', 'needs-assessment', 'en', '2026-11-29T10:00:00Z', '2026-11-29T10:00:00Z'); INSERT INTO draft_ops VALUES ('d1', 1, 'set', '/data/summary', '$DRAFT')"
ok "the case, its answer and a draft are in the workspace" \
	'$W case show $ID | grep -q "$GIVEN" && $W submission show ${INST#uuid:} | grep -q "$ANSWER" && [ "$("$SQL" "$ws" "SELECT value FROM draft_ops")" = "$DRAFT" ]'
ok "no name, birth date, answer or draft text in clear in homeward.db" '[ -z "$(leaks "$ws/homeward.db")" ]'
ok "homeward.db is not an SQLite file anyone can open" '[ "$(head -c 15 "$ws/homeward.db")" != "SQLite format 3" ]'

# A writer killed before it could checkpoint leaves its -wal: sealed as well, and nothing is lost.
$W case update "$ID" family_name "${FAMILY}x" >/dev/null
cat >"$T/hold.sh" <<HOLD
exec "$SQL" "$ws" "PRAGMA wal_autocheckpoint=0; INSERT INTO draft_ops VALUES ('d1', 2, 'set', '/data/other', '$DRAFT'); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
HOLD
sh "$T/hold.sh" 2>/dev/null &
pid=$!
i=0; while [ $i -lt 100 ] && ! [ -s "$ws/homeward.db-wal" ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
ok "a -wal left by a killed process holds the new page, sealed" \
	'[ -s "$ws/homeward.db-wal" ] && [ -z "$(leaks "$ws/homeward.db-wal" "$ws/homeward.db")" ]'
ok "after the kill, everything committed is there" \
	'$W case show $ID | grep -q "${FAMILY}x" && [ "$("$SQL" "$ws" "SELECT count(*) FROM draft_ops WHERE value = '"'$DRAFT'"'")" = 2 ]'
# A rollback journal (kept with journal_mode=PERSIST) holds old pages: sealed too.
"$SQL" "$ws" "PRAGMA journal_mode=PERSIST; UPDATE draft_ops SET value = 'x' WHERE draft_id = 'd1'; UPDATE cases SET family_name = 'y' WHERE id = '$ID'" >/dev/null
ok "a -journal holds old pages, sealed" '[ -s "$ws/homeward.db-journal" ] && [ -z "$(leaks "$ws/homeward.db-journal")" ]'
"$SQL" "$ws" "PRAGMA journal_mode=WAL" >/dev/null; rm -f "$ws/homeward.db-journal"
ok "nor in any file of the workspace but repo.git" \
	'[ -z "$(find "$ws" -path "$ws/repo.git" -prune -o -type f -print | while read -r f; do leaks "$f"; done)" ]'

# A byte changed in a page: reported as damage, the file left as it was.
cp "$ws/homeward.db" "$T/good.db"
# Page 2: the settings table, read by every command.
at=$((4096 + 200))
b=$(od -An -tu1 -j $at -N1 "$ws/homeward.db" | tr -d ' ')
printf "\\$(printf %03o $((b ^ 1)))" | dd of="$ws/homeward.db" bs=1 seek=$at conv=notrunc 2>/dev/null
cp "$ws/homeward.db" "$T/bad.db"
$W case list >"$T/out" 2>"$T/err"; st=$?
ok "a flipped byte in a page is reported as damage" '[ $st -eq 1 ] && grep -q "damaged\|integrity check" "$T/err" && [ $(wc -l <"$T/err") -eq 1 ]'
ok "... and the damaged file is left exactly as it was" 'cmp -s "$ws/homeward.db" "$T/bad.db"'
cp "$T/good.db" "$ws/homeward.db"; rm -f "$ws/homeward.db-check"
ok "the page restored, the workspace opens again" '$W case list | grep -q "$GIVEN"'

# A workspace from before encryption: the same data, in a plain file.
"$SQL" "$ws" "VACUUM INTO 'file:$T/plain.db?vfs=unix'"
mkdir "$T/old"; chmod 700 "$T/old"
cp -p "$ws/keys" "$T/old/keys"; cp -pr "$ws/forms" "$T/old/forms"; cp "$T/plain.db" "$T/old/homeward.db"; chmod 600 "$T/old/homeward.db"
O="$HW --workspace $T/old"
$O case list >"$T/out" 2>"$T/err"; st=$?
ok "a plain workspace is refused, saying to run homeward migrate workspace" \
	'[ $st -eq 1 ] && grep -q "not encrypted" "$T/err" && grep -q "homeward migrate workspace" "$T/err"'
printf 'not the passphrase\n' >"$T/wrong"
$HW --workspace "$T/old" --passphrase-fd 3 migrate workspace 3<"$T/wrong" >"$T/out" 2>"$T/err"; st=$?
ok "migrate with a wrong passphrase changes nothing" \
	'[ $st -eq 1 ] && grep -q "wrong passphrase" "$T/err" && cmp -s "$T/old/homeward.db" "$T/plain.db" && [ ! -e "$T/old/database.key" ]'
$O migrate workspace >"$T/out" 2>"$T/err"; st=$?
ok "migrate workspace encrypts it and removes the backup once the new one opens" \
	'[ $st -eq 0 ] && [ "$(head -c 15 "$T/old/homeward.db")" != "SQLite format 3" ] && [ ! -e "$T/old/homeward.db.plain-backup" ] && [ -f "$T/old/database.key" ]'
ok "the migrated workspace has every case and nothing in clear" \
	'$O case show $ID | grep -q "$GIVEN" && [ -z "$(leaks "$T/old/homeward.db")" ]'
$O migrate workspace >"$T/out" 2>&1; st=$?
ok "a second migrate has nothing to do" '[ $st -eq 0 ] && grep -q "encrypted already" "$T/out"'
# An interrupted run (the backup still there beside the encrypted file) is finished by the next.
cp "$T/plain.db" "$T/old/homeward.db.plain-backup"; chmod 600 "$T/old/homeward.db.plain-backup"
$O migrate workspace >"$T/out" 2>&1; st=$?
ok "a backup left by an interrupted run goes once the encrypted one opens" \
	'[ $st -eq 0 ] && [ ! -e "$T/old/homeward.db.plain-backup" ] && $O case list | grep -q "$GIVEN"'
