#!/bin/sh
# Screen test: text typed and not yet saved survives every way of leaving:
# F10, Ctrl-C, kill -TERM, kill -HUP and Esc.  A text the form refuses is
# kept as typed and comes back with a word that it is not the answer yet; a
# half-filled new case comes back the next time a new case is opened.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
cat > "$ws/forms/zz-keep.xml" <<'XML'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>Keep test</h:title>
    <model>
      <instance>
        <r id="keep-test" version="1">
          <where/><count/>
          <meta><instanceID/></meta>
        </r>
      </instance>
      <bind nodeset="/r/where" type="string"/>
      <bind nodeset="/r/count" type="int"/>
      <bind nodeset="/r/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/r/where"><label>Where does the family live</label></input>
    <input ref="/r/count"><label>How many children</label></input>
  </h:body>
</h:html>
XML
id=$("$HOMEWARD" --workspace "$ws" case add --given-name Karim --family-name Keep \
	--birth-date 1979-07-07 --nationality DZ --return-country DZ --language en)

# open_form: from the case list into the first question of the form.
open_form() {
	wait_for "Karim Keep"
	keys Enter
	wait_for "Fill in a form"
	keys f
	wait_for "Keep test"
	# The form by its title: the picker finds what is typed.
	type_text "Keep test"
	keys Enter
	wait_for "Where does the family live"
}
# resume: from the case list into the draft, at its first question.
resume() {
	wait_for "Karim Keep"
	keys Enter
	wait_for "Draft: Keep test"
	keys r
	wait_for "Draft resumed"
	keys PgUp
	wait_for "Question 1 of 2"
}
# second: from the first question to the second.
second() {
	keys PgDn
	wait_for "How many children"
}

start
open_form
type_text "Oran, near the port"
wait_for "Oran, near the port"
keys F10
check "F10 quits with the text typed but not entered" gone
start
resume
check "the text typed before F10 is there" wait_for "Oran, near the port"
check "it was saved as the answer" not_on_screen "not saved as the answer yet"

keys C-k
wait_gone "Oran, near the port"
type_text "Tlemcen"
wait_for "Tlemcen"
kill -TERM "$(program_pid)"
check "kill -TERM ends the program" gone
start
resume
check "the text typed before SIGTERM is there" wait_for "Tlemcen"

keys End
type_text " centre"
wait_for "Tlemcen centre"
kill -HUP "$(program_pid)"
check "kill -HUP ends the program" gone
start
resume
check "the text typed before SIGHUP is there" wait_for "Tlemcen centre"

# Ctrl-C on the terminal is SIGINT.
second
type_text "3"
wait_for "> 3"
keys C-c
check "Ctrl-C ends the program" gone
start
resume
second
check "the number typed before Ctrl-C is there" wait_for "> 3"
check "and was taken as the answer" not_on_screen "not saved as the answer yet"

# A text the form refuses is kept as typed, and said to be so.
keys C-k
wait_for "Saved."
type_text "three"
wait_for "three"
keys F10
gone
start
wait_for "Karim Keep"
keys Enter
wait_for "Draft: Keep test"
keys r
# The question without an answer is where the draft resumes.
check "a refused text typed before F10 comes back" wait_for "> three"
check "it says the text is not the answer yet" wait_for "not saved as the answer yet"
keys Escape
check "Esc leaves the form, keeping the draft" wait_for "The draft is kept"
keys r
check "the refused text is still kept after Esc" wait_for "> three"
keys C-k
type_text "4"
wait_for "> 4"
keys Enter
check "a correct answer replaces the kept text" wait_for "All questions seen"
keys F10
gone
start
resume
second
check "the correct answer is what comes back" wait_for "> 4"
check "the refused text is gone" not_on_screen "three"
keys F10
gone

# ------------------------------------------------------------ a new case
start
wait_for "Karim Keep"
keys F2
wait_for "Family name"
type_text "Half"; keys Tab
type_text "Filled"
wait_for "Filled"
kill -TERM "$(program_pid)"
gone
start
wait_for "Karim Keep"
keys F2
check "a half-filled new case comes back" wait_line "Given name" "Half"
check "with every field typed" wait_line "Family name" "Filled"
check "and says so" wait_for "save it with F2"
keys Escape
check "Esc on a half-filled new case asks first" wait_for "Leave without saving this new case?"
keys x
check "another key than Enter stays on the new case" wait_gone "Leave without saving"
check "the fields are still there" line_has "Given name" "Half"
keys Escape
wait_for "Leave without saving this new case?"
keys Enter
check "Enter leaves without saving" wait_for "The new case was not saved."
check "no case was opened" test "$("$HOMEWARD" --workspace "$ws" case list --format tsv | grep -c Filled)" = 0
keys F2
wait_for "Family name"
check "a new case left on purpose does not come back" not_on_screen "Half"
keys F10
gone
finish
