#!/bin/sh
# The command line as scripts use it: exact forms, exit statuses, one-line errors.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
# The passphrase of the device keys, read by every command from descriptor 9.
printf 'cli test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
echo "1..56"

W="$HW --workspace $T/ws"
ok "--version prints the version" '$HW --version | grep -q "^homeward [0-9]"'
ok "--help lists the commands" '$HW --help | grep -q "case add"'
$HW frobnicate >/dev/null 2>"$T/err"; st=$?
ok "an unknown command is a usage error (status 2)" '[ $st -eq 2 ] && grep -q "unknown command" "$T/err"'
$W case list >/dev/null 2>"$T/err"; st=$?
ok "a missing workspace says how to create one" '[ $st -ne 0 ] && grep -q "homeward init" "$T/err"'
ok "init sets up the workspace" '$W init --device-id laptop-1 --name "Amina K." --role counsellor >/dev/null'
ok "a second init for another device is refused" '! $W init --device-id laptop-2 --name X --role counsellor 2>/dev/null'
ID=$($W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality iq --return-country IQ --language ar)
ok "case add prints the new id" 'echo "$ID" | grep -Eq "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"'
$W case add --given-name X --birth-date 1990-02-30 --nationality IQ --return-country IQ --language ar >"$T/out" 2>"$T/err"; st=$?
ok "an impossible birth date is refused, naming the field" '[ $st -ne 0 ] && [ ! -s "$T/out" ] && grep -q "birth date" "$T/err" && [ $(wc -l <"$T/err") -eq 1 ]'
$W case add --given-name X --birth-date 1990-02-03 --nationality Iraq --return-country IQ --language ar >/dev/null 2>"$T/err"; st=$?
ok "a country that is not a code is refused" '[ $st -ne 0 ] && grep -q "nationality" "$T/err"'
$W case add --given-name Lina --family-name Demo --birth-date 2014-06-01 --nationality AF --return-country AF --language fa >/dev/null
$W case list --format tsv >"$T/tsv"
ok "tsv: a header line, then the id first" 'head -1 "$T/tsv" | grep -q "^id	given_name	" && grep -q "^$ID	Yusuf	Example	1990-04-01	0	IQ	IQ	ar" "$T/tsv"'
ok "tsv: the minor is marked" 'grep -q "	Lina	Demo	2014-06-01	1	" "$T/tsv"'
ok "search finds by the start of a name, any case" '[ $($W case list --format tsv --search yus | wc -l) -eq 2 ]'
ok "search with no match lists nothing" '[ $($W case list --format tsv --search nobody | wc -l) -eq 1 ]'
$W case list --format json >"$T/json"
ok "json output is one array of the cases" '[ "$(head -c1 "$T/json")" = "[" ] && [ "$(tail -c2 "$T/json")" = "]" ] && [ $(grep -o "\"id\":" "$T/json" | wc -l) -eq 2 ]'
ok "case show accepts a unique prefix" '$W case show $(echo $ID | cut -c1-6) | grep -q "Yusuf"'
ok "case update records a change" '$W case update $ID return_country tn && $W case show $ID | grep -q "Country of return *TN"'
ok "every change is an event" '[ $($W case show $ID | grep -c "case\.\(opened\|updated\)") -eq 2 ]'
$W case update $ID family_name Sample language fa return_country iq >/dev/null 2>"$T/err"; st=$?
ok "case update changes several fields in one event" '[ $st -eq 0 ] && [ $($W case show $ID | grep -c "case\.updated") -eq 2 ] && $W case show $ID | grep -q "\"family_name\":\"Sample\".*\"return_country\":\"IQ\"" && $W case show $ID | grep -q "Family name *Sample"'
$W case update $ID family_name Other birth_date 1990-02-30 >/dev/null 2>"$T/err"; st=$?
ok "one refused value records none of the others, naming the field" '[ $st -eq 1 ] && grep -q "birth date" "$T/err" && [ $(wc -l <"$T/err") -eq 1 ] && $W case show $ID | grep -q "Family name *Sample" && [ $($W case show $ID | grep -c "case\.updated") -eq 2 ]'
$W case update $ID given_name "" family_name "" >/dev/null 2>"$T/err"; st=$?
ok "a case keeps one of its names" '[ $st -eq 1 ] && grep -q "given name or a family name" "$T/err" && $W case show $ID | grep -q "Given name *Yusuf"'
ok "config set and get a setting" '$W config set sync.remote /media/usb/central.git && [ "$($W config get sync.remote)" = /media/usb/central.git ]'
ok "config refuses settings that are not settable" '! $W config set device.id other 2>/dev/null'
ok "HOMEWARD_WORKSPACE picks the workspace" '[ "$(HOMEWARD_WORKSPACE=$T/ws $HW config get counsellor.name)" = "Amina K." ]'

# Usage errors: status 2, found before any workspace is opened (this one does not exist).
for cmd in "case show" "case list extra" "case add extra" "case update $ID family_name" \
	   "case resolve $ID x" "form list extra" "form submit $ID" "form check" "config get" "init"; do
	$HW --workspace "$T/none" $cmd >/dev/null 2>"$T/err"; st=$?
	ok "usage error: $cmd exits 2 before opening a workspace" \
		'[ $st -eq 2 ] && grep -q "usage" "$T/err" && ! grep -q "workspace" "$T/err" && [ ! -e "$T/none" ]'
done
# Runtime errors: status 1, one line, no usage text.
$HW --workspace "$T/none" case list >"$T/out" 2>"$T/err"; st=$?
ok "a missing workspace is a runtime error: status 1, one line" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && ! grep -qi "usage" "$T/err"'
$W case list --format xml >"$T/out" 2>"$T/err"; st=$?
ok "a wrong value for a known option: status 1, one line, no usage" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && ! grep -qi "usage" "$T/err" && grep -q xml "$T/err"'
HOMEWARD_NOW=yesterday $W case list >"$T/out" 2>"$T/err"; st=$?
ok "a malformed HOMEWARD_NOW is a runtime error naming it" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q "HOMEWARD_NOW" "$T/err" && [ ! -s "$T/out" ]'
HOMEWARD_NOW=2026-02-31T10:00:00Z $W case list >/dev/null 2>"$T/err"; st=$?
ok "HOMEWARD_NOW on a day that does not exist is refused too" '[ $st -eq 1 ] && grep -q "HOMEWARD_NOW" "$T/err"'
HOMEWARD_MAX_DB_GROWTH=lots $W case list >"$T/out" 2>"$T/err"; st=$?
ok "a malformed HOMEWARD_MAX_DB_GROWTH is a runtime error naming it" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q "HOMEWARD_MAX_DB_GROWTH" "$T/err"'
NID=$(HOMEWARD_NOW=2026-11-29T10:00:00Z $W case add --given-name Now --family-name Fixed --birth-date 2008-11-30 --nationality NG --return-country NG --language en)
ok "HOMEWARD_NOW fixes the time of what is recorded" '$W case show $NID | grep -q "^Opened *2026-11-29T10:00:00Z"'
ok "and the day a minor is counted on (17 until 30 November 2026)" 'HOMEWARD_NOW=2026-11-29T10:00:00Z $W case list --format tsv | grep -q "	Now	Fixed	2008-11-30	1	"'
# An empty value is the same as none.
ok "an empty HOMEWARD_NOW is no fixed clock" 'HOMEWARD_NOW= $W case list >/dev/null'

# Reading needs no write access: on a workspace whose files the user cannot
# write (as root, a copy owned by nobody, run as nobody), listing and
# showing work; changing fails.  The workspace stays private to its owner.
cp -R "$T/ws" "$T/ro"
chmod -R go-rwx,a-w "$T/ro"; chmod a+rx "$T"
if [ "$(id -u)" = 0 ]; then chown -R 65534 "$T/ro"; R="setpriv --reuid=65534 --regid=65534 --clear-groups $HW --workspace $T/ro"
else R="$HW --workspace $T/ro"; fi
ok "case list works on a read-only workspace" '$R case list --format tsv 2>"$T/err" | grep -q "	Yusuf	"'
ok "case show works on a read-only workspace" '$R case show $ID 2>"$T/err" | grep -q "Given name *Yusuf"'
ok "form list works on a read-only workspace" '$R form list 2>"$T/err" | grep -q "first-contact"'
ok "config get works on a read-only workspace" '[ "$($R config get counsellor.name 2>"$T/err")" = "Amina K." ]'
$R case update $ID given_name Other >/dev/null 2>"$T/err"; st=$?
ok "a change on a read-only workspace fails in one line, naming the file" '[ $st -eq 1 ] && [ $(wc -l <"$T/err") -eq 1 ] && grep -q "homeward.db" "$T/err"'
chmod -R u+w "$T/ro"

# form check on broken forms: status 1, and FILE:LINE: error: the problem.
form_head() { printf '%s\n' '<?xml version="1.0"?>' \
	'<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">' \
	'<h:head><h:title>Broken</h:title><model>' '<instance><data id="broken" version="1">' \
	'<a/><b/>' '</data></instance>'; }
form_tail() { printf '%s\n' '</model></h:head>' '<h:body><input ref="/data/a"><label>A</label></input></h:body>' '</h:html>'; }
{ form_head; echo '<bind nodeset="/data/a" type="int"/>'
  echo '<bind nodeset="/data/b" type="int" calculate="/data/a + * 2"/>'; form_tail; } >"$T/xpath.xml"
{ form_head; echo '<bind nodeset="/data/a" type="int" calculate="/data/b + 1"/>'
  echo '<bind nodeset="/data/b" type="int" calculate="/data/a + 1"/>'; form_tail; } >"$T/cycle.xml"
{ form_head; echo '<bind nodeset="/data/a" type="int"/>'; echo '</model></h:head>'
  echo '<h:body><input ref="/data/a"><label>A</label></input>'
  echo '<input ref="/data/gone"><label>B</label></input></h:body></h:html>'; } >"$T/ref.xml"
{ form_head; echo '<bind nodeset="/data/a" type="int"/>'; echo '</model></h:head>'
  echo '<h:body><input ref="/data/a"><label>A</label></input>'; echo '</h:html>'; } >"$T/xml.xml"
{ form_head; echo '<bind nodeset="/data/a" type="int"/>'; form_tail; } >"$T/good.xml"
fc() { $HW form check "$@" >"$T/out" 2>"$T/err"; st=$?; }
fc "$T/xpath.xml"
ok "form check: an XPath syntax error names file, line 8 and the expression" '[ $st -eq 1 ] && grep -q "^$T/xpath.xml:8: error: calculate of /data/b .*unexpected" "$T/out"'
fc "$T/cycle.xml"
ok "form check: a cycle of calculations is named with its path" '[ $st -eq 1 ] && grep -q "^$T/cycle.xml:[0-9]*: error: cycle: /data/[ab] -> /data/[ab] -> /data/[ab]" "$T/out"'
fc "$T/ref.xml"
ok "form check: a control bound to no node names it, on its line (10)" '[ $st -eq 1 ] && grep -q "^$T/ref.xml:10: error: .*/data/gone.*not in the instance" "$T/out"'
fc "$T/xml.xml"
ok "form check: XML that is not well-formed is an error with a line" '[ $st -eq 1 ] && grep -q "^$T/xml.xml:[1-9][0-9]*: error: XML" "$T/out"'
fc "$T/missing.xml"
ok "form check: a file that is not there is named" '[ $st -eq 1 ] && grep -q "^$T/missing.xml:0: error: .*No such file" "$T/out"'
fc "$T/good.xml"
ok "form check: a good form passes silently" '[ $st -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]'
fc "$T/good.xml" "$T/xpath.xml" "$T/cycle.xml"
ok "form check: every form is checked, the status says one failed" '[ $st -eq 1 ] && [ $(grep -c ": error: " "$T/out") -eq 2 ] && ! grep -q good.xml "$T/out"'

# A token in the remote URL is never shown: not in progress lines, not in errors.
$W config set sync.remote "http://hwuser:s3cretTOKEN@127.0.0.1:1/central.git"
$W team join "5f1c 0a9e 33b7 4d20 9c6e 1f08 a4d3 7b52 e019 64c8 2d7a f3b1 0e95 c846 71da 3b0f" >/dev/null
$W sync >"$T/out" 2>"$T/err"; st=$?
ok "a sync to a URL with a token fails without showing the token" '[ $st -ne 0 ] && ! grep -q s3cretTOKEN "$T/out" "$T/err" && grep -q "http://127.0.0.1:1/central.git" "$T/out" "$T/err"'

# A damaged database is reported and left exactly as it was.
cp "$T/ws/homeward.db" "$T/before.db"
dd if=/dev/urandom of="$T/ws/homeward.db" bs=4096 seek=1 count=3 conv=notrunc 2>/dev/null
cp "$T/ws/homeward.db" "$T/damaged.db"
$W case list >/dev/null 2>"$T/err"; st=$?
ok "a damaged database is an error that says so" '[ $st -ne 0 ] && grep -qi "damaged\|not a Homeward database" "$T/err"'
ok "and the damaged file is left untouched" 'cmp -s "$T/ws/homeward.db" "$T/damaged.db"'
