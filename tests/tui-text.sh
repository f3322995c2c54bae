#!/bin/sh
# Screen test: long texts and two languages.  A multiline question gets an
# editor with word wrap (Enter starts a line, Up and Down move between
# lines); the review wraps instead of cutting; in the bilingual view the
# counsellor's language (French here) shows beside the returnee's (English)
# for labels, hints, constraint messages, choices ("Food / Nourriture") and
# the review; a multiple-choice question is answered with numbered digits.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
cat > "$ws/forms/zz-story.xml" <<'XML'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>Story test</h:title>
    <model>
      <itext>
        <translation lang="English (en)" default="true()">
          <text id="story"><value>Tell the story of the return</value></text>
          <text id="story:hint"><value>Take your time</value></text>
          <text id="needs"><value>What is needed first</value></text>
          <text id="food"><value>Food</value></text>
          <text id="shelter"><value>Shelter</value></text>
          <text id="work"><value>Work</value></text>
          <text id="children"><value>How many children</value></text>
          <text id="children:c"><value>Fewer than twenty, please</value></text>
        </translation>
        <translation lang="Français (fr)">
          <text id="story"><value>Racontez le retour</value></text>
          <text id="story:hint"><value>Prenez votre temps</value></text>
          <text id="needs"><value>Ce qui manque d'abord</value></text>
          <text id="food"><value>Nourriture</value></text>
          <text id="shelter"><value>Logement</value></text>
          <text id="work"><value>Travail</value></text>
          <text id="children"><value>Combien d'enfants</value></text>
          <text id="children:c"><value>Moins de vingt, s'il vous plaît</value></text>
        </translation>
      </itext>
      <instance>
        <r id="story-test" version="1">
          <story/><needs/><children/>
          <meta><instanceID/></meta>
        </r>
      </instance>
      <bind nodeset="/r/story" type="string"/>
      <bind nodeset="/r/needs" type="select"/>
      <bind nodeset="/r/children" type="int" constraint=". &lt; 20"
            jr:constraintMsg="jr:itext('children:c')"/>
      <bind nodeset="/r/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/r/story" appearance="multiline">
      <label ref="jr:itext('story')"/><hint ref="jr:itext('story:hint')"/>
    </input>
    <select ref="/r/needs"><label ref="jr:itext('needs')"/>
      <item><label ref="jr:itext('food')"/><value>food</value></item>
      <item><label ref="jr:itext('shelter')"/><value>shelter</value></item>
      <item><label ref="jr:itext('work')"/><value>work</value></item>
    </select>
    <input ref="/r/children"><label ref="jr:itext('children')"/></input>
  </h:body>
</h:html>
XML
"$HOMEWARD" --workspace "$ws" case add --given-name Layla --family-name Long \
	--birth-date 1984-04-04 --nationality LY --return-country LY --language en >/dev/null

long="The house was damaged and the children have not found a school yet, which worries the whole family a lot."

start LANGUAGE=fr
wait_for "Layla Long"
keys Enter
wait_for "Story test"
keys f
wait_for "Story test"
# The form by its title: the picker finds what is typed.
type_text "Story test"
keys Enter
check "the form opens in the returnee's language" wait_for "Tell the story of the return"
check "the label shows in the counsellor's language too" wait_for "Racontez le retour"
check "the hint in the returnee's language" wait_for "Take your time"
check "the hint in the counsellor's language too" wait_for "Prenez votre temps"

type_text "We came back in March."
keys Enter
type_text "Line two."
check "Enter starts a new line in a multiline answer" wait_line ">" "We came back in March."
check "the second line is on a row of its own" poll sh -c "'$TMUX_BIN' -L '$sock' capture-pane -p | grep -q '^   Line two\\.'"
keys Up
type_text "X"
check "Up moves to the line above at the same column" wait_for "We came bXack in March."
keys BSpace End Enter
type_text "$long"
check "a long line wraps in the editor" wait_for "worries the whole family a lot."
check "nothing is cut at the edge" wait_for "The house was damaged and the children have not found"
check "the question stays open while typing" wait_for "Question 1 sur 3"
keys Tab
check "Tab saves the text and goes on" wait_for "What is needed first"
check "the multi-select label in French too" wait_for "Ce qui manque d'abord"

# ------------------------------------------------------------ multiple choice
check "choices show both languages" wait_for "Food / Nourriture"
check "choices are numbered" line_has "1" "[ ] Food / Nourriture"
check "the third is numbered 3" line_has "3" "[ ] Work / Travail"
keys 1
check "a digit ticks its choice" wait_line "[x]" "Food / Nourriture"
keys 3
check "another digit ticks another" wait_line "[x]" "Work / Travail"
check "the first stays ticked" line_has "[x]" "Food / Nourriture"
keys Up Space
check "Space on a highlighted choice ticks it" wait_line "[x]" "Shelter / Logement"
keys 2
check "a digit again unticks" wait_line "[ ]" "Shelter / Logement"

keys PgDn
check "the next question" wait_for "How many children"
type_text "25"
keys Enter
check "a broken constraint gives the form's message" wait_for "Fewer than twenty, please"
check "and the same in the counsellor's language" wait_for "Moins de vingt, s'il vous plaît"
keys C-k
type_text "3"
wait_for "> 3"
keys Enter
check "all questions seen" wait_for "Relecture"

# ------------------------------------------------------------ the review
check "the review wraps the long answer instead of cutting it" wait_for "lot."
check "the review shows the counsellor's label beneath" wait_for "Racontez le retour"
check "the review shows chosen labels in both languages" wait_for "Food / Nourriture, Work / Travail"
check "a multi-select answer lists both choices" line_has "What is needed first" "Food / Nourriture"
keys F10
gone

# The text with its line breaks is kept in the draft.
start LANGUAGE=fr
wait_for "Layla Long"
keys Enter
wait_for "Brouillon"
keys r
wait_for "Relecture"
keys Home Enter
check "the saved text comes back with its line breaks" \
	poll sh -c "'$TMUX_BIN' -L '$sock' capture-pane -p | grep -q '^   Line two\\.'"
# A right-to-left line of the editor starts at the box's right edge (column
# 77), in visual order and joined: "salam" typed as seen, lam-alef, meem.
keys C-k
wait_gone "Line two."
type_text "سلام"
rtl_at_right() { test "$(printf '%s' "$(line_with "ﻡﻼﺳ" | sed 's/ *$//')" | wc -m)" -eq 77; }
check "a right-to-left line is right-aligned in the editor" poll rtl_at_right
keys F10
gone
finish
