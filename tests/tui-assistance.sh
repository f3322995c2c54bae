#!/bin/sh
# Screen test: from a case, the key a lists the assistance of the case's
# country of return (and only that country), in the language of the
# program, with the selected item's description, children-only items
# marked, a filter by kind, and scrolling; a case without a country of
# return says so.  The texts come from the shipped inventory
# (data/forms/assistance.csv) and its catalogues (locales/forms/assistance/).
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Omar --family-name Testcase \
	--birth-date 1990-01-01 --nationality AF --return-country AF --language fa >/dev/null
start LANGUAGE=en
check "the case list shows the case" wait_for "Omar Testcase"
keys Enter
check "the case screen opens" wait_for "Return to"
check "the key bar offers the assistance" wait_for "a Assistance"

keys a
check "a opens the assistance of the country of return" wait_for "Assistance in AF"
check "the list shows Afghanistan's items" wait_for "Reintegration cash grant"
check "each item shows its kind" wait_line "Reintegration cash grant" "Cash"
check "and its amount ceiling" line_has "Reintegration cash grant" "600"
check "children-only items are marked" wait_line "School enrolment and school costs" "child"
check "other items are not" sh -c '! printf "%s\n" "$1" | grep "Reintegration cash grant" | grep -q child' - "$(screen)"
check "the selected item's description is shown" wait_for "Tickets and travel costs to the final destination"
check "another country's items are not listed" not_on_screen "Agribusiness starter kit"

keys End
check "the list scrolls to the country's own item" wait_for "Winter support for households"
check "and shows its description" wait_for "fuel and warm clothing"

keys k
check "k offers the kinds" wait_for "Show which kind of assistance?"
keys Down Enter
check "the filter is shown" wait_for "Kind: Cash"
check "the filter keeps the cash items" wait_for "Winter support for households"
check "and only those" wait_gone "Journey to the final destination"
keys k Home Enter
check "All kinds brings every item back" wait_for "Journey to the final destination"

keys F1
check "the help lists the filter key" wait_for "Show one kind of assistance only"
keys Escape
keys Escape
check "Esc goes back to the case" wait_for "Return to"
keys F1
check "the case screen's help lists the key" wait_for "Show the assistance offered"
keys Escape
keys F10
check "the program quits" gone

# The same list in French, from the catalogues.
start LANGUAGE=fr
keys Enter
keys a
check "in French the title is French" wait_for "Aide disponible : AF"
check "the labels are French" wait_for "Aide financière à la réintégration"
check "the kinds are French" wait_line "Aide financière à la réintégration" "Argent"
check "the description is French" wait_for "Billets et frais de voyage jusqu’à la destination finale"
keys F10
check "the program quits again" gone

# In Persian, right to left: "کمک نقدی ادغام مجدد" in visual order, joined,
# with its kind "نقدی" on the same line.
start LANGUAGE=fa
keys Enter
keys a
check "in Persian the labels are Persian" wait_for "ﺩﺪﺠﻣ ﻡﺎﻏﺩﺍ ﯼﺪﻘﻧ ﮏﻤﮐ"
check "and the kinds too" wait_line "ﺩﺪﺠﻣ ﻡﺎﻏﺩﺍ ﯼﺪﻘﻧ ﮏﻤﮐ" "ﯼﺪﻘﻧ"
keys F10
check "the program quits in Persian" gone

# A case without a country of return cannot show any.
"$HOMEWARD" --workspace "$ws" case add --given-name Zara --family-name Nowhere \
	--birth-date 1985-01-01 --nationality IQ --language ar >/dev/null
start LANGUAGE=en
check "the second case is listed" wait_for "Zara Nowhere"
type_text "Zara"
keys Enter
check "its case screen opens" wait_for "Return to"
keys a
check "a says the country of return is missing" wait_for "no country of return yet"
keys F10
check "the program quits at last" gone
finish
