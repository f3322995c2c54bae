#!/bin/sh
# Screen test: keys on every terminal.  The key bar fits 80 columns in
# French with the quit key shown; a message does not hide it; on a
# terminal described as vt100 (whose F-keys differ from what the terminal
# sends) F10 still quits, and Esc then a digit works as an F-key; F1 tells
# about typing to search, Esc and Ctrl-C; LANGUAGE given at start wins over
# the language saved in the program for that run.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Nadia --family-name Keys \
	--birth-date 1991-03-03 --nationality MA --return-country MA --language fr >/dev/null

# The key bar is the row above the status line.
keybar() { screen | sed -n "$(( ${ROWS:-24} - 1 ))p"; }
keybar_has() { keybar | grep -qF -- "$1"; }

# ------------------------------------------------------------ French, 80 columns
start LANGUAGE=fr
check "the case list speaks French" wait_for "Chercher"
check "the French key bar shows the quit key" poll keybar_has "F10 Quitter"
check "and the help key" keybar_has "F1 Aide"
keys Enter
check "the case opens" wait_for "Nadia Keys"
check "the French case view's key bar shows the quit key" poll keybar_has "F10 Quitter"
keys f
wait_for "First contact"
keys Down Enter
check "a form opens" wait_for "Question 1 sur"
check "the form's key bar fits with its way out" poll keybar_has "Échap Fermer"
check "and the review" keybar_has "F8 Relire"
keys F5
check "a message is shown" wait_for "Les entrées s'ajoutent"
check "the message does not hide the key bar" keybar_has "Échap Fermer"
keys F10
check "F10 quits" gone

# Every language: the quit key on the case list and the case view, the way
# out of a form.
for lang in nl ar fa; do
	start LANGUAGE=$lang
	wait_for "Nadia"
	check "$lang: the case list's key bar shows F10" poll keybar_has "F10 "
	check "$lang: and F1" keybar_has "F1 "
	keys Enter
	check "$lang: the case view's key bar shows F10" poll keybar_has "F10 "
	keys f
	wait_for "First contact"
	keys Down Enter
	check "$lang: the form's key bar shows Esc" poll keybar_has "Esc "
	check "$lang: and F8" keybar_has "F8 "
	keys F10
	gone
done

# ------------------------------------------------------------ the language of a run
"$HOMEWARD" --workspace "$ws" config set ui.language ar >/dev/null
start LANGUAGE=fr
check "LANGUAGE=fr at start wins over the saved Arabic" wait_for "Chercher"
keys F10
gone
check "the saved choice is left as it was" \
	test "$("$HOMEWARD" --workspace "$ws" config get ui.language)" = ar
"$HOMEWARD" --workspace "$ws" config set ui.language en >/dev/null

# ------------------------------------------------------------ vt100
start TERM=vt100
check "the program runs on a vt100 terminal" wait_for "Nadia Keys"
keys Escape 1
check "Esc 1 opens the help" wait_for "Keys of this screen"
# The notes come after the keys: the last page of the help.
keys PageDown
check "the help says typing searches" poll line_has "Typing" "Search the cases"
check "the help names Esc" poll line_has "Esc" "Clear the search"
check "the help names Ctrl-C" poll line_has "Ctrl-C" "what is typed is kept"
check "the help names the Esc-digit keys" poll line_has "Esc 1 ... Esc 0" "Same as F1 ... F10"
keys Escape
check "Esc closes the help" wait_gone "Keys of this screen"
# F9 as this terminal sends it (ESC [ 2 0 ~), which vt100's description lacks.
keys F9
check "F9 works although the terminal description does not know it" wait_for "Nederlands"
keys Escape
wait_gone "Nederlands"
type_text "Nad"
check "typing after an Esc searches" wait_line "Search:" "Nad"
check "nothing of an unknown sequence was typed" not_on_screen "[20~"
keys Escape 0
check "Esc 0 quits" gone

start TERM=vt100
wait_for "Nadia Keys"
keys F10
check "F10 quits on a vt100 terminal" gone
finish
