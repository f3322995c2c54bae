#!/bin/sh
# Screen test: with LANGUAGE=ar the interface speaks Arabic, laid out right
# to left: lines right-aligned, words in visual order, letters joined; with
# the setting ui.bidi=off the text is left in logical order for terminals
# that reorder by themselves.
#
# The expected words come from locales/ar.po: the case list's empty message
# "No cases yet: press F2 to open the first one." is there
# "لا توجد ملفات بعد: اضغط F2 لفتح الملف الأول." and its title "Cases" is
# "الملفات".
. "${top_srcdir:-.}/tests/tui-lib.sh"

# In visual order (right to left, so reversed) and joined (presentation forms).
visual_press_f2="ﺢﺘﻔﻟ F2 ﻂﻐﺿﺍ"
visual_cases="ﺕﺎﻔﻠﻤﻟﺍ"
# The same words in logical order, as stored.
logical_press_f2="اضغط F2 لفتح"

make_workspace
start LANGUAGE=ar
check "the screen speaks Arabic" wait_for "$visual_press_f2"

line=$(line_with "$visual_press_f2")
# Right-aligned: the text ends two columns before the right edge (its box),
# and starts far from the left one.
trimmed=$(printf '%s' "$line" | sed 's/ *$//')
check "an Arabic line is right-aligned" test "$(printf '%s' "$trimmed" | wc -m)" -eq 78
check "an Arabic line does not start at the left" \
	sh -c 'case "$1" in "          "*) exit 0 ;; *) exit 1 ;; esac' - "$line"
check "the title is at the right of the top bar" \
	sh -c 'printf "%s\n" "$1" | sed "s/ *$//" | grep -q "$2\$"' - "$(screen | head -n 1)" "$visual_cases"
check "the logical order is not what is shown" not_on_screen "$logical_press_f2"

keys F1
check "the help is generated in Arabic" wait_for "ﺔﺷﺎﺸﻟﺍ ﻩﺬﻫ ﺢﻴﺗﺎﻔﻣ"
keys Escape
keys F10
check "the program quits" gone

"$HOMEWARD" --workspace "$ws" config set ui.bidi off >/dev/null
start LANGUAGE=ar
check "with ui.bidi=off the text stays in logical order" wait_for "$logical_press_f2"
check "with ui.bidi=off nothing is reordered" not_on_screen "$visual_press_f2"
keys F10
check "the program quits again" gone
finish
