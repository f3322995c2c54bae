#!/bin/sh
# Form translations: every shipped catalogue is complete (no missing or fuzzy
# entry in nl, fr, ar, fa), templates match their forms, child forms have
# child wording, the built forms hold every language, and the coverage check
# does fail on a fuzzy or missing translation.  The translated data files
# (the assistance inventory) are checked the same way, and their built copy
# has a translated column for every language.  Prints TAP and the coverage
# table.
: "${top_srcdir:?}" "${top_builddir:?}" "${HOMEWARD:?}"
# Forms have data/forms/ID.xml, translated data files data/forms/ID.csv.
forms=${HW_FORMS:-$(cd "$top_srcdir/locales/forms" && for f in *; do
	[ -f "$top_srcdir/data/forms/$f.xml" ] && echo "$f"; done)}
csvs=${HW_FORM_CSVS:-$(cd "$top_srcdir/locales/forms" && for f in *; do
	[ -f "$top_srcdir/data/forms/$f.csv" ] && echo "$f"; done)}
child_forms=$(echo ${HW_CHILD_FORMS:-} | tr ' ' ',')
langs=$(echo ${HW_FORM_LANGS:-nl fr ar fa} | tr ' ' ',')
datadir=${HOMEWARD_DATADIR:-$top_builddir/share}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/homeward-i18n.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out" 2>/dev/null; }
comment() { sed 's/^/# /' "$1"; }

# True if two templates have the same entries (contexts and English), in order.
same_entries() {
	if command -v msgcat >/dev/null 2>&1; then
		msgcat --no-wrap "$1" 2>/dev/null | grep -E '^(msgctxt|msgid) ' >"$tmp/a"
		msgcat --no-wrap "$2" 2>/dev/null | grep -E '^(msgctxt|msgid) ' >"$tmp/b"
		[ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"
	else
		cmp -s "$1" "$2"
	fi
}

dirs=
for f in $forms; do dirs="$dirs $top_srcdir/locales/forms/$f"; done

# 1. Coverage over every shipped form, every language required.
if "$HOMEWARD" form i18n coverage --require "$langs" ${child_forms:+--child-forms "$child_forms"} \
	$dirs >"$tmp/out" 2>&1; then
	ok "all shipped forms fully translated into $langs"
	comment "$tmp/out"
else
	not_ok "shipped forms have missing or fuzzy translations"
fi

for f in $forms; do
	# 2. The template is what the form gives today.
	if (cd "$top_srcdir" && "$HOMEWARD" form i18n extract "data/forms/$f.xml") >"$tmp/pot" 2>"$tmp/out" \
		&& same_entries "$tmp/pot" "$top_srcdir/locales/forms/$f/$f.pot"; then
		ok "$f: template up to date"
	else
		diff -u "$top_srcdir/locales/forms/$f/$f.pot" "$tmp/pot" | head -20 >>"$tmp/out"
		echo "run 'make update-form-po'" >>"$tmp/out"
		not_ok "$f: template out of date"
	fi
	# 3. The catalogues are valid for GNU msgfmt too.
	if command -v msgfmt >/dev/null 2>&1; then
		st=0
		: >"$tmp/out"
		for l in $(echo "$langs" | tr ',' ' '); do
			msgfmt --check -o /dev/null "$top_srcdir/locales/forms/$f/$l.po" >>"$tmp/out" 2>&1 || st=1
		done
		if [ $st = 0 ]; then ok "$f: msgfmt --check"; else not_ok "$f: msgfmt --check"; fi
	fi
	# 4. The built form has en and every language, each with its child variant.
	built=$datadir/forms/$f.xml
	want="English (en)|English, for children (en-x-child)"
	for l in $(echo "$langs" | tr ',' ' '); do want="$want|($l)|($l-x-child)"; done
	missing=
	old_ifs=$IFS; IFS='|'
	for w in $want; do
		grep -qF "$w\"" "$built" 2>/dev/null || missing="$missing $w"
	done
	IFS=$old_ifs
	if [ -z "$missing" ]; then
		ok "$f: built form has all translations"
	else
		echo "$built lacks:$missing" >"$tmp/out"
		not_ok "$f: built form incomplete"
	fi
done

# Lines of file $1 that hold text $2 at least twice.
twice() { awk -v t="$2" '{ if (gsub(t, t) >= 2) n++ } END { print n + 0 }' "$1"; }

# 5. Translated data files: complete, templates current, valid, built with
# a column per translated column and language, and a missing translation
# falls back to English in the built file.
for f in $csvs; do
	if "$HOMEWARD" form i18n coverage --require "$langs" "$top_srcdir/locales/forms/$f" >"$tmp/out" 2>&1; then
		ok "$f.csv fully translated into $langs"
		comment "$tmp/out"
	else
		not_ok "$f.csv has missing or fuzzy translations"
	fi
	if (cd "$top_srcdir" && "$HOMEWARD" form i18n extract "data/forms/$f.csv") >"$tmp/pot" 2>"$tmp/out" \
		&& same_entries "$tmp/pot" "$top_srcdir/locales/forms/$f/$f.pot"; then
		ok "$f.csv: template up to date"
	else
		diff -u "$top_srcdir/locales/forms/$f/$f.pot" "$tmp/pot" | head -20 >>"$tmp/out"
		echo "run 'make update-form-po'" >>"$tmp/out"
		not_ok "$f.csv: template out of date"
	fi
	if command -v msgfmt >/dev/null 2>&1; then
		st=0
		: >"$tmp/out"
		for l in $(echo "$langs" | tr ',' ' '); do
			msgfmt --check -o /dev/null "$top_srcdir/locales/forms/$f/$l.po" >>"$tmp/out" 2>&1 || st=1
		done
		if [ $st = 0 ]; then ok "$f.csv: msgfmt --check"; else not_ok "$f.csv: msgfmt --check"; fi
	fi
	head=$(head -n 1 "$datadir/forms/$f.csv" 2>/dev/null)
	missing=
	for l in $(echo "$langs" | tr ',' ' '); do
		case ",$head," in *",label_$l,"*) ;; *) missing="$missing label_$l" ;; esac
	done
	if [ -n "$head" ] && [ -z "$missing" ]; then
		ok "$f.csv: built file has a label column for every language"
	else
		echo "$datadir/forms/$f.csv header: $head; lacks:$missing" >"$tmp/out"
		not_ok "$f.csv: built file lacks translated columns"
	fi
	# Without the French catalogue, French falls back to English and says so.
	mkdir -p "$tmp/csv/$f"
	cp "$top_srcdir/locales/forms/$f/"*.po "$tmp/csv/$f/"
	rm -f "$tmp/csv/$f/fr.po"
	if "$HOMEWARD" form i18n merge "$top_srcdir/data/forms/$f.csv" "$tmp/csv/$f" --langs "$langs" \
		-o "$tmp/csv/out.csv" >"$tmp/out" 2>&1 && grep -q "$f: fr:" "$tmp/out" \
		&& [ "$(twice "$tmp/csv/out.csv" "Reintegration cash grant")" -gt 0 ] \
		&& [ "$(twice "$tmp/csv/out.csv" "Financiële re-integratiesteun")" -eq 0 ] \
		&& grep -q "Financiële re-integratiesteun" "$tmp/csv/out.csv"; then
		ok "$f.csv: a missing catalogue falls back to English, with a warning"
	else
		not_ok "$f.csv: merge without a French catalogue"
	fi
done

# 6. The check fails on a fuzzy entry and on a missing one, naming them.
first=$(echo $forms | cut -d' ' -f1)
mkdir -p "$tmp/fz/$first" "$tmp/ms/$first"
cp "$top_srcdir/locales/forms/$first/"* "$tmp/fz/$first/"
cp "$top_srcdir/locales/forms/$first/"* "$tmp/ms/$first/"
ctx=$(sed -n 's/^msgctxt "\(.*\)"$/\1/p' "$tmp/fz/$first/nl.po" | head -1)
awk -v c="msgctxt \"$ctx\"" '$0 == c { print "#, fuzzy" } { print }' \
	"$top_srcdir/locales/forms/$first/nl.po" >"$tmp/fz/$first/nl.po"
if "$HOMEWARD" form i18n coverage --require nl "$tmp/fz/$first" >"$tmp/out" 2>&1; then
	not_ok "coverage accepts a fuzzy translation"
elif grep -q "$ctx" "$tmp/out"; then
	ok "coverage fails on a fuzzy translation and names it"
else
	not_ok "coverage does not name the fuzzy entry $ctx"
fi
awk -v c="msgctxt \"$ctx\"" '$0 == c { hit = 1 } hit && /^msgstr / { print "msgstr \"\""; hit = 0; next } { print }' \
	"$top_srcdir/locales/forms/$first/fa.po" >"$tmp/ms/$first/fa.po"
rm -f "$tmp/ms/$first/ar.po"
if "$HOMEWARD" form i18n coverage --require fa,ar "$tmp/ms/$first" >"$tmp/out" 2>&1; then
	not_ok "coverage accepts a missing translation"
elif grep -q "$ctx" "$tmp/out" && grep -q " ar " "$tmp/out"; then
	ok "coverage fails on an empty msgstr and on an absent catalogue"
else
	not_ok "coverage does not report the missing entries"
fi
if "$HOMEWARD" form i18n coverage --require fa "$tmp/fz/$first" >"$tmp/out" 2>&1; then
	ok "coverage passes when only other languages are incomplete"
else
	not_ok "coverage fails on a language that is not required"
fi

echo "1..$n"
exit $fail
