#!/bin/sh
# `form check` warns about what only Homeward evaluates: a form that uses a
# node-set union (or floor()) gets a warning naming the file, the line and
# the portable alternative, and still passes; the shipped forms, as written
# and as built with their translations, get no such warning.  Prints TAP.
: "${top_srcdir:?}" "${top_builddir:?}" "${HOMEWARD:?}"
datadir=${HOMEWARD_DATADIR:-$top_builddir/share}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }

# Line 9 holds the union, line 10 floor().
cat >"$tmp/union.xml" <<'FORM'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
<h:head><h:title>Union</h:title><model>
<instance><data id="union" version="1">
<a/><b/><total/><whole/>
<meta><instanceID/></meta>
</data></instance>
<bind nodeset="/data/a" type="int"/><bind nodeset="/data/b" type="int"/>
<bind nodeset="/data/total" type="int" calculate="sum(/data/a[. != ''] | /data/b[. != ''])"/>
<bind nodeset="/data/whole" type="int" calculate="floor(/data/a div 2)"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid" xmlns:jr="http://openrosa.org/javarosa"/>
</model></h:head>
<h:body><input ref="/data/a"><label>A</label></input><input ref="/data/b"><label>B</label></input></h:body>
</h:html>
FORM

if "$HOMEWARD" form check "$tmp/union.xml" >"$tmp/out" 2>&1; then
	ok "a form with a union still passes the check"
else
	not_ok "a form with a union still passes the check"
fi
if grep -q "^$tmp/union.xml:9: warning: calculate of /data/total: the node-set union '|' .*works only in Homeward, not in ODK Web Forms or JavaRosa.*; portable: a sum of if(x != '', number(x), 0) terms" "$tmp/out"; then
	ok "the union is named with its file, line, the engines and the portable form"
else
	not_ok "the union is named with its file, line, the engines and the portable form"
fi
if grep -q "^$tmp/union.xml:10: warning: calculate of /data/whole: floor() .*not in JavaRosa.*; portable: if(x = int(x) or x > 0, int(x), int(x) - 1)" "$tmp/out"; then
	ok "floor() is named with its line and the portable form"
else
	not_ok "floor() is named with its line and the portable form"
fi
if [ "$(grep -c 'works only in Homeward' "$tmp/out")" = 2 ]; then
	ok "one warning per construct"
else
	not_ok "one warning per construct"
fi

# The return file in instance('case'): family/member and its nodes are
# known; a node a member does not have is named, with its line (8).
cat >"$tmp/family.xml" <<'FORM'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
<h:head><h:title>Family</h:title><model>
<instance><data id="family" version="1"><n/><who/><bad/><meta><instanceID/></meta></data></instance>
<instance id="case" src="jr://file-csv/case.csv"/>
<bind nodeset="/data/n" type="int" calculate="count(instance('case')/root/item/family/member[minor != 'true'])"/>
<bind nodeset="/data/who" type="string" calculate="join(' ', instance('case')/root/item/family/member[relation = 'parent']/label)"/>
<bind nodeset="/data/bad" type="string" calculate="instance('case')/root/item/family/member/nickname"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid" xmlns:jr="http://openrosa.org/javarosa"/>
</model></h:head>
<h:body/>
</h:html>
FORM
"$HOMEWARD" form check "$tmp/family.xml" >"$tmp/out" 2>&1; st=$?
if [ $st = 1 ] && grep -q "family.xml:8: .*instance('case') has no node /root/item/family/member/nickname" "$tmp/out" &&
	[ "$(grep -c "instance('case')" "$tmp/out")" = 1 ]; then
	ok "a family member's nodes are known to the check; one it does not have is named"
else
	not_ok "a family member's nodes are known to the check; one it does not have is named"
fi

# A saveto to a case field that follows from events (status, age) is refused.
cat >"$tmp/saveto.xml" <<'FORM'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:entities="http://www.opendatakit.org/xforms/entities">
<h:head><h:title>Saveto</h:title><model>
<instance><data id="saveto" version="1"><st/><meta><instanceID/></meta></data></instance>
<instance id="case" src="jr://file-csv/case.csv"/>
<bind nodeset="/data/st" type="string" entities:saveto="age"/>
<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid" xmlns:jr="http://openrosa.org/javarosa"/>
</model></h:head>
<h:body><input ref="/data/st"><label>Age</label></input></h:body>
</h:html>
FORM
"$HOMEWARD" form check "$tmp/saveto.xml" >"$tmp/out" 2>&1; st=$?
if [ $st = 1 ] && grep -q 'saveto "age" of /data/st: that case field follows from the case' "$tmp/out"; then
	ok "a saveto to a case field that follows from events is refused"
else
	not_ok "a saveto to a case field that follows from events is refused"
fi

for f in "$top_srcdir"/data/forms/*.xml "$datadir"/forms/*.xml; do
	[ -f "$f" ] || continue
	name=$(basename "$(dirname "$(dirname "$f")")")/forms/$(basename "$f")
	if "$HOMEWARD" form check "$f" >"$tmp/out" 2>&1 && ! grep -q "works only in Homeward" "$tmp/out"; then
		ok "$name: no construct only Homeward evaluates"
	else
		not_ok "$name: no construct only Homeward evaluates"
	fi
done
echo "1..$n"
exit $fail
