#!/bin/sh
# An external CSV instance is read only within documented limits
# (docs/form-engine.md): a 1,000,000-row CSV makes `form check` refuse the
# form at once, naming the limit, instead of taking seconds and hundreds of
# megabytes; a CSV within the limits loads.
set -u
HW=${HOMEWARD:-./homeward}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-limits.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
echo "1..5"
form() {
	cat >"$T/$1.xml" <<FORM
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
<h:head><h:title>Places</h:title><model>
<instance><data id="$1" version="1"><place/></data></instance>
<instance id="places" src="jr://file/$2"/>
</model></h:head>
<h:body><select1 ref="/data/place"><label>Place</label>
<itemset nodeset="instance('places')/root/item"><value ref="name"/><label ref="label"/></itemset>
</select1></h:body></h:html>
FORM
}
ms() { echo $(($(date +%s%N) / 1000000)); }
# Short rows: a million of them is under the size limit, over the row limit.
awk 'BEGIN { print "name,label"; for (i = 0; i < 1000000; i++) printf "p%d,P\n", i }' >"$T/many.csv"
form many many.csv
t0=$(ms); $HW form check "$T/many.xml" >"$T/out" 2>&1; st=$?; t1=$(ms)
ok "a 1e6-row CSV is refused" '[ $st -ne 0 ]'
ok "the message names the file and the row limit" 'grep -q "many.csv" "$T/out" && grep -q "100000 rows" "$T/out"'
ok "quickly (under 5 s; it took $((t1 - t0)) ms)" '[ $((t1 - t0)) -lt 5000 ]'
# A file over the size limit is refused before it is read.
head -c 17000000 /dev/zero | tr '\0' 'a' >"$T/big.csv"
form big big.csv
$HW form check "$T/big.xml" >"$T/out" 2>&1; st=$?
ok "a CSV over 16 MiB is refused, naming the limit" '[ $st -ne 0 ] && grep -q "16 MiB" "$T/out"'
awk 'BEGIN { print "name,label"; for (i = 0; i < 5000; i++) printf "p%d,Place %d\n", i, i }' >"$T/fine.csv"
form fine fine.csv
ok "a 5,000-row CSV loads" '$HW form check "$T/fine.xml" >"$T/out" 2>&1'
