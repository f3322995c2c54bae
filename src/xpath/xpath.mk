## src/xpath/xpath.mk: the ODK XPath parser and evaluator and the instance
## tree it walks, as an internal library of its own.  It depends on util and
## error only; its public face is xpath.h and xnode.h, and xpath_internal.h
## stays inside this folder (tests/boundaries.sh checks it).
noinst_LIBRARIES += src/xpath/libxpath.a
XPATH_C = src/xpath/xnode.c \
	src/xpath/xpath_parse.c src/xpath/xpath_eval.c src/xpath/xpath_func.c \
	src/xpath/xpath_date.c src/xpath/xpath_refs.c src/xpath/xpath_port.c \
	src/xpath/xpath_geo.c
XPATH_H = src/xpath/xnode.h src/xpath/xpath.h src/xpath/xpath_internal.h
src_xpath_libxpath_a_SOURCES = $(XPATH_C) $(XPATH_H)
src_xpath_libxpath_a_CFLAGS = $(AM_CFLAGS) $(PCRE2_CFLAGS)

check_PROGRAMS += tests/test_xpath
TESTS += tests/test_xpath
tests_test_xpath_SOURCES = tests/test_xpath.c
tests_test_xpath_CFLAGS = $(TEST_CFLAGS)
tests_test_xpath_LDADD = $(TEST_LIBS)
tests_test_xpath_LDFLAGS = $(WRAP_ALLOC)

# Fuzzing the XPath engine (not part of make check): needs clang.
# The engine's sources come from the libraries' own lists, so a file added
# there is picked up here too (paths relative to the source tree).
XPATH_FUZZ_SRC = fuzz/fuzz_xpath.c $(XPATH_C) $(HWUTIL_C)
EXTRA_DIST += fuzz/fuzz_xpath.c
CLEANFILES += fuzz/fuzz_xpath
FUZZ_CC = clang
.PHONY: fuzz-xpath
fuzz-xpath: fuzz/fuzz_xpath
fuzz/fuzz_xpath: $(XPATH_FUZZ_SRC) $(XPATH_H)
	@mkdir -p fuzz
	cd $(srcdir) && $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I$(abs_top_srcdir)/src -I$(abs_top_builddir) \
		$(PCRE2_CFLAGS) -o $(abs_top_builddir)/$@ $(XPATH_FUZZ_SRC) $(PCRE2_LIBS) -lm
