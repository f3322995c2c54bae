#!/bin/sh
# Screen test: what cannot be read is said, not silently left out.  The
# case screen lists the forms, drafts, submissions and history of a case;
# when one of them cannot be read, the case is still shown and a message
# says what failed.
. "${top_srcdir:-.}/tests/tui-lib.sh"

make_workspace
"$HOMEWARD" --workspace "$ws" case add --given-name Amina --family-name Unread \
	--birth-date 1990-01-01 --nationality SY --return-country SY --language ar >/dev/null
# The forms folder cannot be read: a file stands where the folder was.
rm -rf "$ws/forms"
echo "not a folder" >"$ws/forms"; chmod 600 "$ws/forms"

start
check "the case is listed" wait_for "Amina Unread"
keys Enter
check "the case screen opens" wait_for "History"
check "and says the forms could not be read" wait_for "cannot read the folder"
keys F10
check "F10 quits" gone
finish
