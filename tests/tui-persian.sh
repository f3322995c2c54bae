#!/bin/sh
# Screen test: with LANGUAGE=fa the interface speaks Persian, laid out right
# to left like Arabic: lines right-aligned, words in visual order, letters
# joined, including the letters Arabic does not have (پ گ and the Persian
# forms of kaf and yeh), and a zero-width non-joiner keeps its break.  F9
# offers Persian by its own name.
#
# The expected words come from locales/fa.po: the case list's empty message
# "No cases yet: press F2 to open the first one." is there
# "هنوز پرونده‌ای نیست: برای باز کردن اولین پرونده F2 را فشار دهید." and its
# title "Cases" is "پرونده‌ها".
. "${top_srcdir:-.}/tests/tui-lib.sh"

zwnj=$(printf '\342\200\214')
# In visual order (right to left, so reversed) and joined (presentation
# forms): keheh and Persian yeh in their initial, medial and final forms.
visual_press_f2="ﺍﺭ F2 ﻩﺪﻧﻭﺮﭘ ﻦﯿﻟﻭﺍ ﻥﺩﺮﮐ"
# پرونده‌ها: the non-joiner leaves heh isolated and starts a new word part.
visual_cases="ﺎﻫ${zwnj}ﻩﺪﻧﻭﺮﭘ"
visual_help="ﻪﺤﻔﺻ ﻦﯾﺍ ﯼﺎﻫﺪﯿﻠﮐ"
visual_farsi="ﯽﺳﺭﺎﻓ"
# The same words in logical order, as stored.
logical_press_f2="اولین پرونده F2 را"

make_workspace
start LANGUAGE=fa
check "the screen speaks Persian" wait_for "$visual_press_f2"

# Right-aligned: the text ends two columns before the right edge (its box),
# and starts far from the left one.  The non-joiner takes no column.
line=$(line_with "$visual_press_f2")
trimmed=$(printf '%s' "$line" | sed "s/ *\$//; s/$zwnj//g")
check "a Persian line is right-aligned" test "$(printf '%s' "$trimmed" | wc -m)" -eq 78
check "a Persian line does not start at the left" \
	sh -c 'case "$1" in "          "*) exit 0 ;; *) exit 1 ;; esac' - "$line"
check "the title is at the right of the top bar" \
	sh -c 'printf "%s\n" "$1" | sed "s/ *$//" | grep -q "$2\$"' - "$(screen | head -n 1)" "$visual_cases"
check "the logical order is not what is shown" not_on_screen "$logical_press_f2"
check "the key bar speaks Persian and still ends with F10" \
	sh -c 'printf "%s\n" "$1" | grep -q "F10 ﺝﻭﺮﺧ"' - "$(screen | tail -n 2 | head -n 1)"

keys F1
check "the help is generated in Persian" wait_for "$visual_help"
keys Escape
keys F10
check "the program quits" gone

# From English, F9 offers Persian by its own name, and choosing it switches.
start LANGUAGE=en
check "the screen speaks English" wait_for "No cases yet"
keys F9
check "the language list offers Persian" wait_for "$visual_farsi"
keys End
keys Enter
check "choosing Persian switches the program to Persian" wait_for "$visual_press_f2"
keys F10
check "the program quits after the switch" gone
finish
