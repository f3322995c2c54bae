#!/bin/sh
# export submissions (docs/exports.md), read back as an analyst's tools
# would: CSV with python3's csv module, the zip of tables with zipfile and
# the keys that link them, JSON with json.tool, XLSX unzipped and its sheet
# XML parsed.  Hostile values from other devices (spreadsheet formulas,
# line breaks, quotes, right-to-left text, a control character, a value
# longer than a spreadsheet cell, XML that does not read) are exported
# harmless or said.  Every export is in the audit log.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
SQL="${top_builddir:-.}/tests/ws_sql"
FORM="${top_srcdir:-.}/tests/forms/export-visit.xml"
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-expsub.XXXXXX")
printf 'export submissions test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
trap 'rm -rf "$T"' EXIT
n=0
ok() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$T/err" "$T/out" 2>/dev/null | head -40; fi
}
W="$HW --workspace $T/ws"
HOMEWARD_NOW=2026-11-29T10:00:00Z; export HOMEWARD_NOW
py() { python3 -c "import csv, io, json, sys, zipfile, xml.etree.ElementTree as ET
$1" "$2"; }

echo "1..26"
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
cp "$FORM" "$T/ws/forms/export-visit.xml"
A=$($W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 \
	--nationality NG --return-country NG --language en)
cat >"$T/a1" <<'EOF'
answer /visit/respondent/name "Yusuf, Jr."
answer /visit/respondent/needs "cash housing"
add-repeat /visit/member
answer /visit/member[1]/mname Aisha
answer /visit/member[1]/msex f
add-repeat /visit/member[1]/need
answer /visit/member[1]/need[1]/kind school
add-repeat /visit/member[1]/need
answer /visit/member[1]/need[2]/kind "=cmd|' /C calc'!A0"
add-repeat /visit/member
answer /visit/member[2]/mname "ليلى"
answer /visit/member[2]/msex m
answer /visit/comment COMMENT
EOF
cat >"$T/a2" <<'EOF'
answer /visit/respondent/name Bilal
answer /visit/comment "@SUM(1)"
EOF
S1=$($W form submit "$A" visit "$T/a1")
HOMEWARD_NOW=2026-11-30T10:00:00Z
S2=$($W form submit "$A" visit "$T/a2")
# What another device could send: a comment with a line break, quotes,
# commas, a right-to-left override and a tab.
"$SQL" "$T/ws" "UPDATE submissions SET xml = replace(xml, '<comment>COMMENT</comment>',
	'<comment>+1 line one' || char(10) || 'he said \"no\", then ' || char(8238) || 'ليلى' || char(9) || 'end</comment>')
	WHERE instance_id = '$S1'" >/dev/null
# A submission whose XML does not read, one of another form's root, and
# one of an older version.
"$SQL" "$T/ws" "INSERT INTO submissions (instance_id, case_id, form_id, form_version, created_at, sha256, xml, state)
	VALUES ('uuid:00000000-0000-4000-8000-000000000001', '$A', 'visit', '3', '2026-12-01T10:00:00Z', 'x', '<visit><comment>half', 2),
	       ('uuid:00000000-0000-4000-8000-000000000002', '$A', 'visit', '3', '2026-12-01T11:00:00Z', 'x', '<other><comment>x</comment></other>', 2),
	       ('uuid:00000000-0000-4000-8000-000000000003', '$A', 'visit', '2', '2026-12-01T12:00:00Z', 'x',
	        '<visit id=\"visit\" version=\"2\"><respondent><name>Old</name></respondent><member jr:template=\"\" xmlns:jr=\"http://openrosa.org/javarosa\"><mname>template</mname></member><meta><instanceID>uuid:00000000-0000-4000-8000-000000000003</instanceID></meta></visit>', 2)" >/dev/null

# CSV: the form has repeats, so a zip of tables.
$W export submissions visit --format csv --out "$T/v.zip" >"$T/out" 2>"$T/err"; st=$?
ok "csv with repeats: written, says how many, the unreadable ones said on stderr, status 1" \
	'[ $st -eq 1 ] && grep -q "Exported 3 submissions to" "$T/out" && grep -q "2 submissions could not be read" "$T/err" &&
	 [ "$(stat -c %a "$T/v.zip")" = 600 ]'
ok "the zip holds <form id>.csv and <form id>-<repeat>.csv" \
	'[ "$(py "print(\" \".join(zipfile.ZipFile(sys.argv[1]).namelist()))" "$T/v.zip")" = "visit.csv visit-member.csv visit-need.csv" ]'
ok "zip: every table parses, every row as wide as its header" \
	'py "z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for name in z.namelist():
    rows = list(csv.reader(io.StringIO(z.read(name).decode(\"utf-8\"), newline=\"\")))
    assert all(len(r) == len(rows[0]) for r in rows), name" "$T/v.zip"'
cat >"$T/tables.py" <<'EOF'
def table(z, name):
    return list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8"), newline="")))
z = zipfile.ZipFile(sys.argv[1])
main, member, need = table(z, "visit.csv"), table(z, "visit-member.csv"), table(z, "visit-need.csv")
EOF
tables() { py "$(cat "$T/tables.py")
$1" "$T/v.zip"; }
ok "main table: one row a submission, oldest first, with its metadata" \
	'tables "assert [r[\"instance_id\"] for r in main] == [\"$S1\", \"$S2\", \"uuid:00000000-0000-4000-8000-000000000003\"], main
r = main[0]
assert (r[\"case_id\"], r[\"submitted_at\"], r[\"author\"], r[\"device\"]) == (\"$A\", \"2026-11-29T10:00:00Z\", \"Amina K.\", \"laptop-1\"), r
assert r[\"KEY\"] == \"$S1\" and r[\"meta-instanceID\"] == \"$S1\"
assert main[2][\"author\"] == \"\" and main[2][\"respondent-name\"] == \"Old\""'
ok "group paths joined with -, a select-multiple as one column and a 0/1 column a choice" \
	'tables "r = main[0]
assert r[\"respondent-name\"] == \"Yusuf, Jr.\"
assert r[\"respondent-needs\"] == \"cash housing\"
assert (r[\"respondent-needs/cash\"], r[\"respondent-needs/medical\"], r[\"respondent-needs/housing\"]) == (\"1\", \"0\", \"1\")
assert main[1][\"respondent-needs/cash\"] == \"\", main[1]"'
ok "repeats: each its own table, linked by PARENT_KEY and KEY as ODK Central does" \
	'tables "assert [m[\"mname\"] for m in member] == [\"Aisha\", \"ليلى\"], member
assert all(m[\"PARENT_KEY\"] == \"$S1\" for m in member)
assert member[0][\"KEY\"] == \"$S1/member[1]\"
assert [x[\"PARENT_KEY\"] for x in need] == [member[0][\"KEY\"]] * 2
assert need[0][\"KEY\"] == \"$S1/member[1]/need[1]\" and need[0][\"kind\"] == \"school\"
keys = {r[\"KEY\"] for r in main} | {m[\"KEY\"] for m in member}
assert all(x[\"PARENT_KEY\"] in keys for x in member + need)"'
ok "a repeat's jr:template sent in a submission is not a row" \
	'tables "assert not [m for m in member if m[\"mname\"] == \"template\"]"'
ok "csv: formulas stay text (a leading quote), line breaks, quotes, RTL text kept" \
	'tables "assert need[1][\"kind\"] == \"'"'"'=cmd|'"'"' /C calc'"'"'!A0\", need[1]
assert main[1][\"comment\"] == \"'"'"'@SUM(1)\"
c = main[0][\"comment\"]
assert c == \"'"'"'+1 line one\\nhe said \\\"no\\\", then \\u202eليلى\\tend\", repr(c)"'

# Standard output: the zip goes there when it is not a terminal.
$W export submissions visit --format csv >"$T/stdout.zip" 2>"$T/err"; st=$?
ok "without --out the zip goes to standard output" \
	'[ $st -eq 1 ] && [ "$(py "print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$T/stdout.zip")" = 3 ]'

$W export submissions visit --version 2 --format csv --out "$T/v2.zip" >"$T/out" 2>"$T/err"; st=$?
ok "--version keeps that version's submissions only" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "Exported 1 submission to" "$T/out" &&
	 [ "$(py "print(len(zipfile.ZipFile(sys.argv[1]).read(\"visit.csv\").decode().splitlines()))" "$T/v2.zip")" = 2 ]'

# Labels.
$W export submissions visit --format csv --labels ar --out "$T/ar.zip" >"$T/out" 2>"$T/err"
ok "--labels ar: select answers as the Arabic labels, column names unchanged" \
	'py "z = zipfile.ZipFile(sys.argv[1])
main = list(csv.DictReader(io.StringIO(z.read(\"visit.csv\").decode(), newline=\"\")))
member = list(csv.DictReader(io.StringIO(z.read(\"visit-member.csv\").decode(), newline=\"\")))
assert main[0][\"respondent-needs\"] == \"نقد; سكن\", main[0]
assert main[0][\"respondent-needs/cash\"] == \"1\"
assert [m[\"msex\"] for m in member] == [\"أنثى\", \"ذكر\"]" "$T/ar.zip"'
$W export submissions visit --format csv --labels xx --out "$T/xx.zip" >"$T/out" 2>"$T/err"; st=$?
ok "--labels with a language the form lacks is refused naming it, nothing written" \
	'[ $st -eq 1 ] && grep -q "xx" "$T/err" && [ ! -e "$T/xx.zip" ]'

# JSON: one array, repeats nested.
$W export submissions visit --format json >"$T/v.json" 2>"$T/err"; st=$?
ok "json: valid (json.tool), status 1 for the unreadable ones" \
	'[ $st -eq 1 ] && python3 -m json.tool "$T/v.json" >/dev/null'
ok "json: the repeats nested, 0/1 columns numbers, hostile text intact" \
	'py "d = json.load(open(sys.argv[1], encoding=\"utf-8\"))
assert len(d) == 3
a = d[0]
assert a[\"respondent-needs/cash\"] == 1 and a[\"respondent-needs/medical\"] == 0
assert d[1][\"respondent-needs/cash\"] is None and d[2][\"author\"] is None
assert [m[\"mname\"] for m in a[\"member\"]] == [\"Aisha\", \"ليلى\"]
assert a[\"member\"][0][\"need\"][1][\"kind\"] == \"=cmd|'"'"' /C calc'"'"'!A0\"
assert a[\"member\"][0][\"need\"][1][\"PARENT_KEY\"] == a[\"member\"][0][\"KEY\"]
assert a[\"comment\"].startswith(\"+1 line one\\nhe said \\\"no\\\"\")" "$T/v.json"'

# XLSX: one sheet a table.
$W export submissions visit --format xlsx --out "$T/v.xlsx" >"$T/out" 2>"$T/err"; st=$?
cat >"$T/sheets.py" <<'EOF'
z = zipfile.ZipFile(sys.argv[1])
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
wb = ET.fromstring(z.read("xl/workbook.xml"))
names = [s.get("name") for s in wb.find("m:sheets", NS)]
def sheet(i):
    root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % i))
    rows = []
    for row in root.iter("{%s}row" % NS["m"]):
        cells = {}
        for c in row.findall("m:c", NS):
            col = "".join(ch for ch in c.get("r") if ch.isalpha())
            assert c.find("m:f", NS) is None, "a formula"
            assert c.get("t") == "inlineStr", c.attrib
            cells[col] = "".join(t.text or "" for t in c.iter("{%s}t" % NS["m"]))
        rows.append(cells)
    head = rows[0]
    cols = sorted(head, key=lambda k: (len(k), k))
    return [{head[k]: r.get(k, "") for k in cols} for r in rows[1:]]
EOF
sheets() { py "$(cat "$T/sheets.py")
$1" "$T/v.xlsx"; }
ok "xlsx: written, one sheet a table" \
	'[ $st -eq 1 ] && grep -q "Exported 3 submissions" "$T/out" && sheets "assert names == [\"visit\", \"member\", \"need\"], names"'
ok "xlsx: the sheets read back (every cell text, no formula), keys linking them" \
	'sheets "main, member, need = sheet(1), sheet(2), sheet(3)
assert [r[\"instance_id\"] for r in main][:2] == [\"$S1\", \"$S2\"]
assert main[0][\"respondent-needs/housing\"] == \"1\"
assert [m[\"PARENT_KEY\"] for m in member] == [\"$S1\"] * 2
assert need[1][\"PARENT_KEY\"] == member[0][\"KEY\"]"'
ok "xlsx: a formula stays text with a leading quote; RTL and line breaks kept" \
	'sheets "main, need = sheet(1), sheet(3)
assert need[1][\"kind\"] == \"'"'"'=cmd|'"'"' /C calc'"'"'!A0\", need[1]
assert main[1][\"comment\"] == \"'"'"'@SUM(1)\"
assert \"\\u202eليلى\" in main[0][\"comment\"] and \"\\n\" in main[0][\"comment\"]"'

# A value longer than a spreadsheet cell holds: cut in XLSX (and said), whole in CSV.
"$SQL" "$T/ws" "UPDATE submissions SET xml = replace(xml, '<name>Bilal</name>', '<name>' || hex(zeroblob(20000)) || '</name>')
	WHERE instance_id = '$S2'" >/dev/null
$W export submissions visit --format xlsx --out "$T/big.xlsx" >"$T/out" 2>"$T/err"
ok "xlsx: a 40,000-character value is cut to 32,767 characters, and that is said" \
	'grep -q "1 cell was cut to 32,767 characters" "$T/err" &&
	 py "$(cat "$T/sheets.py")
assert len(sheet(1)[1][\"respondent-name\"]) == 32767" "$T/big.xlsx"'
$W export submissions visit --format csv --out "$T/big.zip" >/dev/null 2>&1
ok "csv: the same value whole" \
	'py "z = zipfile.ZipFile(sys.argv[1])
main = list(csv.DictReader(io.StringIO(z.read(\"visit.csv\").decode(), newline=\"\")))
assert len(main[1][\"respondent-name\"]) == 40000" "$T/big.zip"'

# A form without repeats: one CSV file, not a zip.
$W export submissions needs-assessment --format csv >"$T/out" 2>"$T/err"; st=$?
ok "a form without repeats (and no submissions yet): one CSV, the header only" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && py "rows = list(csv.reader(open(sys.argv[1], newline=\"\")))
assert len(rows) == 1 and rows[0][:5] == [\"instance_id\", \"case_id\", \"submitted_at\", \"author\", \"device\"] and rows[0][-1] == \"KEY\", rows" "$T/out"'

# Cases as a workbook.
$W case add --given-name "ليلى" --family-name '=HYPERLINK("http://x","y")' --birth-date 2014-06-01 \
	--nationality AF --return-country AF --language fa >/dev/null
$W export cases --format xlsx --out "$T/cases.xlsx" >"$T/out" 2>"$T/err"; st=$?
ok "export cases --format xlsx: written, says how many, private" \
	'[ $st -eq 0 ] && [ ! -s "$T/err" ] && grep -q "Exported 2 cases to" "$T/out" && [ "$(stat -c %a "$T/cases.xlsx")" = 600 ]'
ok "cases workbook: one sheet, the case columns, a formula name stays text" \
	'py "$(cat "$T/sheets.py")
assert names == [\"cases\"], names
rows = sheet(1)
assert [r[\"id\"] for r in rows][0] == \"$A\" and rows[0][\"given_name\"] == \"Yusuf\"
assert rows[1][\"family_name\"] == \"'"'"'=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\", rows[1]
assert rows[1][\"given_name\"] == \"ليلى\" and rows[1][\"stage\"] == \"identified\"" "$T/cases.xlsx"'

# Refusals.
$W export submissions nope --format csv --out "$T/nope.csv" >"$T/out" 2>"$T/err"; st=$?
ok "an unknown form is refused naming it, nothing written" \
	'[ $st -eq 1 ] && grep -q "nope" "$T/err" && [ ! -e "$T/nope.csv" ] && [ ! -s "$T/out" ]'
$W export submissions visit >"$T/out" 2>"$T/err"; st=$?
ok "without --format: a usage error" '[ $st -eq 2 ] && grep -q "usage: homeward export submissions" "$T/err"'

# The trail.
$W report audit --format csv >"$T/out" 2>"$T/err"
ok "every export is in the audit log: what, format, how many" \
	'py "rows = list(csv.DictReader(open(sys.argv[1], newline=\"\")))
got = [(r[\"what\"], r[\"format\"], r[\"count\"]) for r in rows]
assert got[:3] == [(\"export submissions visit\", \"csv\", \"5\")] * 2 + [(\"export submissions visit\", \"csv\", \"1\")], got
assert (\"export submissions visit\", \"json\", \"5\") in got and (\"export submissions visit\", \"xlsx\", \"5\") in got
assert (\"export submissions needs-assessment\", \"csv\", \"0\") in got
assert got[-1] == (\"export cases\", \"xlsx\", \"2\"), got
assert all(r[\"person\"] == \"Amina K.\" and r[\"device\"] == \"laptop-1\" for r in rows)" "$T/out"'
ok "the audit log holds nothing of the content" \
	'! grep -q "Yusuf\|Aisha\|ليلى\|cmd\|uuid" "$T/ws/audit.log"'
