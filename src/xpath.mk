## src/xpath.mk: the ODK XPath parser and evaluator
src_libhomeward_a_SOURCES += \
	src/xnode.c src/xnode.h \
	src/xpath.h src/xpath_internal.h \
	src/xpath_parse.c src/xpath_eval.c src/xpath_func.c \
	src/xpath_date.c src/xpath_refs.c

check_PROGRAMS += tests/test_xpath
TESTS += tests/test_xpath
tests_test_xpath_SOURCES = tests/test_xpath.c
tests_test_xpath_CFLAGS = $(TEST_CFLAGS)
tests_test_xpath_LDADD = $(TEST_LIBS)
