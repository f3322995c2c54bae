#!/bin/sh
# Every string of the interface is translated, in every language of
# locales/LINGUAS: nothing untranslated, nothing fuzzy, nothing missing from
# the catalogues, and every source file with strings is in POTFILES.in.  Each
# catalogue names its own language (the screen decides right-to-left layout
# by it) and the build compiles it for the uninstalled program.
src=${top_srcdir:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-po.XXXXXX")
trap 'rm -rf "$T"' EXIT
langs=$(sed 's/#.*//' "$src/locales/LINGUAS")
n=0
echo "1..$(( $(echo $langs | wc -w) * 4 + 1 ))"

# Source files using _() or N_() that POTFILES.in does not list.
missing=$(cd "$src" && grep -lE '\b(N?_|P_)\("' ui/*.c 2>/dev/null | while read -r f; do
	grep -qx "$f" locales/POTFILES.in || echo "$f"; done)
n=$((n + 1))
if [ -z "$missing" ]; then echo "ok $n - every file with interface strings is in POTFILES.in"
else echo "not ok $n - files missing from POTFILES.in:"; echo "$missing" | sed 's/^/# /'; fi

# A fresh template from the sources, to compare each catalogue against.
(cd "$src" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 \
	-o "$T/fresh.pot" -f locales/POTFILES.in) 2>/dev/null
for l in $langs; do
	po="$src/locales/$l.po"
	stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
	n=$((n + 1))
	case "$stats" in
	*fuzzy*|*untranslated*) echo "not ok $n - $l: $stats";;
	*) echo "ok $n - $l: $stats";;
	esac
	# msgids the sources use that the catalogue lacks.
	lack=$(msgcmp --use-untranslated "$po" "$T/fresh.pot" 2>&1 | grep -c "used but not defined")
	n=$((n + 1))
	if [ "$lack" -eq 0 ]; then echo "ok $n - $l has every string of the sources"
	else echo "not ok $n - $l lacks $lack strings of the sources (run make -C locales update-po)"; fi
	code=$(sed -n '/^msgid "ui-language-code"$/{n;s/^msgstr "\(.*\)"$/\1/p;}' "$po")
	n=$((n + 1))
	if [ "$code" = "$l" ]; then echo "ok $n - $l.po says it is $l (ui-language-code)"
	else echo "not ok $n - $l.po translates ui-language-code as '$code', not '$l'"; fi
	n=$((n + 1))
	if grep -q "^share/locale/$l/LC_MESSAGES/homeward.mo:" "$src/ui/ui.mk"; then
		echo "ok $n - ui/ui.mk compiles $l for the uninstalled program"
	else echo "not ok $n - ui/ui.mk has no rule for share/locale/$l/LC_MESSAGES/homeward.mo"; fi
done
