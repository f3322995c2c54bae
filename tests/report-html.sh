#!/bin/sh
# The HTML report as a browser shows it: headless Chromium (Debian package
# chromium; $CHROMIUM to name another) loads the page offline, the text it
# rendered is checked through --dump-dom, and a screenshot is checked for the
# bars of the charts, pixel by pixel: a count under the threshold draws no
# bar.  Skipped, saying why, where Chromium is not installed.  Prints TAP.
set -u
HW=${HOMEWARD:-./homeward}
LC_ALL=C.UTF-8; export LC_ALL
unset LANGUAGE
CHROMIUM=${CHROMIUM:-chromium}
PNG=${top_srcdir:-.}/tests/png-color.py
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	echo "1..0 # SKIP no headless Chromium here (install the Debian package chromium)"
	exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-html.XXXXXX")
printf 'html test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
trap 'rm -rf "$T"' EXIT
n=0
ok() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' "$T/err" 2>/dev/null; fi
}
W="$HW --workspace $T/ws"
at() { HOMEWARD_NOW=$1T10:00:00Z; export HOMEWARD_NOW; }
add() { $W case add --given-name "Case" --family-name "$1" --birth-date 1990-01-01 --nationality "$1" \
	--return-country "$1" --language en; }
# chrome ARGS... FILE: headless, offline, its profile in the test's folder.
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/profile" --hide-scrollbars --enable-logging=stderr --v=0 "$@" 2>>"$T/chrome.log"
}
BAR=2b6cb0   # the colour of a bar (ui/report_html.c)

echo "1..7"

# Six cases to NG and two to AF opened 2026-01-05; the six NG ones decided
# to return after 10 days.
at 2026-01-05
$W init --device-id laptop-1 --name "Amina K." --role supervisor >/dev/null
NG=""
for i in 1 2 3 4 5 6; do NG="$NG $(add NG)"; done
add AF >/dev/null; add AF >/dev/null
at 2026-01-20
for c in $NG; do $W case decide "$c" return --date 2026-01-15 >/dev/null; done

$W report caseload --format html >"$T/caseload.html" 2>"$T/err"
chrome --dump-dom "file://$T/caseload.html" >"$T/dom" 2>>"$T/err"
# The text Chromium rendered, without the markup.
python3 -c 'import html,re,sys
t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"<style.*?</style>", "", t, flags=re.S)
print(html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t))))' "$T/dom" >"$T/text"
ok "Chromium loads the caseload page: title, charts, table" \
	'grep -q "Caseload Period: all time" "$T/text" && grep -q "Cases by stage" "$T/text" &&
	 grep -q "Cases by country of return" "$T/text" && grep -q "All cases 8" "$T/text"'
ok "the rendered page says <5 for AF and the rule, never 2" \
	'grep -q "Country of return AF <5" "$T/text" && grep -q "Counts from 1 to 4 are shown as <5" "$T/text" &&
	 ! grep -q "AF 2" "$T/text"'

chrome --window-size=900,1400 --screenshot="$T/shot.png" "file://$T/caseload.html" >/dev/null
# Two full bars of 360 x 18 pixels: identified 8 and NG 6 (the longest of
# their charts); AF's <5 draws none.
ok "screenshot: the bars are drawn, none for a count under the threshold" \
	'[ -s "$T/shot.png" ] && [ "$(python3 "$PNG" "$T/shot.png" $BAR)" = 12960 ]'

# Timeliness: contact -> decision 10 days for six cases.
at 2026-01-20
$W report timeliness --format html >"$T/time.html" 2>"$T/err"
chrome --window-size=900,1400 --screenshot="$T/time.png" "file://$T/time.html" >/dev/null
chrome --dump-dom "file://$T/time.html" >"$T/dom" 2>>"$T/err"
ok "timeliness page: the median and 90th percentile in the chart and the table" \
	'grep -q "10 d (90%: 10 d)" "$T/dom" && grep -q "<td>first contact</td><td>decision</td><td class=\"num\">6</td><td class=\"num\">10</td><td class=\"num\">10</td>" "$T/dom"'
# One bar of median days (360 x 18); the 90th percentile, as long, hides
# behind it; nobody has waited 30 days yet, so the waiting chart has no bar.
ok "timeliness screenshot: one bar for the median, none for counts of 0" \
	'[ "$(python3 "$PNG" "$T/time.png" $BAR)" = 6480 ]'

# In Arabic the page is right to left and translated.
LANGUAGE=ar $W report caseload --format html >"$T/ar.html" 2>"$T/err"
chrome --dump-dom "file://$T/ar.html" >"$T/dom" 2>>"$T/err"
ok "Arabic: the page is right to left, in Arabic" \
	'grep -q "<html lang=\"ar\" dir=\"rtl\">" "$T/dom" && ! grep -q "Cases by stage" "$T/dom"'
# The page forbids fetching anything (Content-Security-Policy); Chromium logs
# any attempt.  A copy of the page with an image from outside shows the log
# would say so.
sed 's|<h1>|<img src="http://127.0.0.1:9/x.png"><h1>|' "$T/caseload.html" >"$T/fetching.html"
mv "$T/chrome.log" "$T/pages.log"
chrome --dump-dom "file://$T/fetching.html" >/dev/null
ok "nothing outside the pages was asked for (an image from outside would be logged)" \
	'! grep -q "Content Security Policy\|net::ERR" "$T/pages.log" &&
	 grep -q "Content Security Policy" "$T/chrome.log"'
