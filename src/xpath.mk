## src/xpath.mk: the ODK XPath parser and evaluator
src_libhomeward_a_SOURCES += \
	src/xnode.c src/xnode.h \
	src/xpath.h src/xpath_internal.h \
	src/xpath_parse.c src/xpath_eval.c src/xpath_func.c \
	src/xpath_date.c src/xpath_refs.c src/xpath_geo.c

check_PROGRAMS += tests/test_xpath
TESTS += tests/test_xpath
tests_test_xpath_SOURCES = tests/test_xpath.c
tests_test_xpath_CFLAGS = $(TEST_CFLAGS)
tests_test_xpath_LDADD = $(TEST_LIBS)

# Fuzzing the XPath engine (not part of make check): needs clang.
XPATH_FUZZ_SRC = $(srcdir)/fuzz/fuzz_xpath.c $(srcdir)/src/xnode.c \
	$(srcdir)/src/xpath_parse.c $(srcdir)/src/xpath_eval.c $(srcdir)/src/xpath_func.c \
	$(srcdir)/src/xpath_date.c $(srcdir)/src/xpath_refs.c \
	$(srcdir)/src/xpath_geo.c $(srcdir)/src/util.c $(srcdir)/src/error.c
EXTRA_DIST += fuzz/fuzz_xpath.c
CLEANFILES += fuzz/fuzz_xpath
FUZZ_CC = clang
.PHONY: fuzz-xpath
fuzz-xpath: fuzz/fuzz_xpath
fuzz/fuzz_xpath: $(XPATH_FUZZ_SRC) $(srcdir)/src/xpath_internal.h $(srcdir)/src/xpath.h $(srcdir)/src/xnode.h
	@mkdir -p fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I$(top_srcdir)/src -I$(top_builddir) $(PCRE2_CFLAGS) \
		-o $@ $(XPATH_FUZZ_SRC) $(PCRE2_LIBS) -lm
