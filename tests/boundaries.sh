#!/bin/sh
# The module boundaries of docs/architecture.md, checked: the core knows no
# screen, and each library is included by the one module that wraps it.
src=${top_srcdir:-.}
n=0; failed=0
check() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "$2" | sed 's/^/# /'
		failed=1
	fi
}
# Files (relative to the top) including the quoted header $1, other than those matching $2.
quoted() {
	(cd "$src" && grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"($1)\"" \
		src/*.[ch] src/*/*.[ch] ui/*.[ch] tests/*.c bench/*.c fuzz/*.c 2>/dev/null) |
		grep -vxE "$2" || true
}
# Files (relative to the top) including a header matching $1, other than those allowed in $2.
includers() {
	(cd "$src" && grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($1)" src/*.[ch] src/*/*.[ch] ui/*.[ch] 2>/dev/null) |
		grep -vxE "$2" || true
}
echo "1..19"
check "src/ never includes curses" "$(cd "$src" && grep -rlE '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/)' src 2>/dev/null)"
check "src/ never reads the environment" "$(cd "$src" && grep -nE '\b(secure_)?getenv[[:space:]]*\(' src/*.c src/*/*.c 2>/dev/null)"
check "src/ never prints or exits" "$(cd "$src" && grep -nE '\b(printf|puts|putchar|perror|exit)[[:space:]]*\(|fprintf[[:space:]]*\((stdout|stderr)' src/*.c src/*/*.c | grep -v '^src/[a-z_/]*\.c:[0-9]*:[[:space:]]*/\?\*' )"
check "only the store includes sqlite3.h" "$(includers 'sqlite3\.h' 'src/store\.c|src/store_vfs\.c|src/store_agenda\.c|src/store_int\.h')"
check "only the repository module includes git2.h" "$(includers 'git2' 'src/sync/repo\.c|src/sync/push\.[ch]|src/sync/fetch\.c')"
check "only the crypto module includes sodium.h" "$(includers 'sodium' 'src/crypto\.c')"
check "only the event codec includes jansson.h" "$(includers 'jansson\.h' 'src/event\.c')"
check "only the zip writer includes zlib.h" "$(includers 'zlib\.h' 'src/zip\.c')"
check "only the workbook writer includes xlsxwriter.h" "$(includers 'xlsxwriter' 'src/xlsx\.c')"
check "curses is included from exactly one header" "$(includers '(n?curses|ncursesw/|term\\.h)' 'ui/curses\.h')"
check "only the text layout module includes fribidi" "$(includers 'fribidi' 'ui/text\.c|ui/text\.h')"
check "only the XPath function library includes pcre2.h" "$(includers 'pcre2' 'src/xpath/xpath_[a-z]*\.c')"
check "the XPath engine's internal header stays in src/xpath/" "$(quoted '([a-z]*/)?xpath_internal\.h' 'src/xpath/[a-z_]*\.[ch]')"
check "the form engine's internal header stays in src/xform/" "$(quoted '([a-z]*/)?xform_int\.h' 'src/xform/[a-z_]*\.[ch]')"
check "sync's internal header stays in src/sync/" "$(quoted '([a-z]*/)?sync_int\.h' 'src/sync/[a-z_]*\.[ch]')"
check "the push's header stays in the repository module (and its fuzz target and test)" "$(quoted '([a-z]*/)?push\.h' 'src/sync/repo\.c|src/sync/push\.c|src/sync/fetch\.c|fuzz/fuzz_push\.c|tests/test_push\.c')"
# The core reaches the engine through xform.h only (tests and fuzzers may go deeper).
check "outside the engine, src/ uses no XPath header" "$(quoted 'xpath/[a-z_]*\.h' 'src/xpath/[a-z_]*\.[ch]|src/xform/[a-z_]*\.[ch]|tests/[a-z_]*\.c|fuzz/[a-z_]*\.c')"
# Front ends reach the database through cases.h, forms.h and workspace.h.
check "no ui/ file includes store.h" "$(quoted '(\.\./src/)?store\.h' 'src/.*|tests/.*|bench/.*|fuzz/.*')"
check "ui/ never takes the store handle" "$(cd "$src" && grep -nE '\bws_store[[:space:]]*\(' ui/*.[ch] 2>/dev/null)"
exit 0
