#!/bin/sh
# Screen test: a repeat (household members): its page offers to add an
# entry, adding one leads to the entry's question, and every entry's
# answer is listed in the review.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
cat > "$ws/forms/zz-members.xml" <<'XML'
<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
  <h:head>
    <h:title>Members test</h:title>
    <model>
      <instance>
        <r id="members-test" version="1">
          <who/>
          <member jr:template=""><mname/></member>
          <meta><instanceID/></meta>
        </r>
      </instance>
      <bind nodeset="/r/who" type="string"/>
      <bind nodeset="/r/member/mname" type="string" required="true()"/>
      <bind nodeset="/r/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/r/who"><label>Who answers</label></input>
    <repeat nodeset="/r/member"><label>Household members</label>
      <input ref="/r/member/mname"><label>Name of the member</label></input>
    </repeat>
  </h:body>
</h:html>
XML
"$HOMEWARD" --workspace "$ws" case add --given-name Rana --family-name Repeat \
	--birth-date 1980-02-02 --nationality IQ --return-country IQ --language en >/dev/null

start
wait_for "Rana Repeat"
keys Enter
wait_for "Fill in a form"
keys Enter
wait_for "Members test"
# The form by its title: the picker finds what is typed.
type_text "Members test"
keys Enter
check "the form opens" wait_for "Who answers"
type_text "Rana"; keys PgDn
check "the repeat has a page of its own" wait_for "Household members"
check "it starts with no entries" wait_for "0 entries so far"
keys F5
check "adding an entry leads to its question" wait_for "Name of the member"
type_text "Ali"; keys PgDn
check "back on the repeat page, one entry" wait_for "1 entry so far"
keys F5
type_text "Sara"; keys PgDn
check "two entries" wait_for "2 entries so far"
keys F8
check "the review lists the first entry" line_has "Name of the member" "Ali"
check "the review lists the second entry" line_has "Name of the member" "Sara"
keys F2
check "finalising asks first" wait_for "Finalise this form now?"
check "the key bar stays under the question" line_has "F2 Finalise" "Esc Close"
keys Escape
check "any other key than Enter does not finalise" wait_for "Not finalised: the answers can still be changed"
check "and the review stays" wait_for "Review: check every answer"
keys F2
wait_for "Finalise this form now?"
keys Enter
check "Enter finalises the complete form" wait_for "Form finalised and saved"
check "the case lists the submission" wait_for "Members test  uuid:"
keys F10
check "the program quits" gone
finish
