## src/xform/xform.mk: the XForms engine (loader, model and dependency graph,
## texts, navigation, submission, scenario runner) as an internal library,
## its CLI commands, tests, benchmark and fuzz target.  It depends on the
## XPath library, util and error only; the rest of the program reaches it
## through xform.h, and xform_int.h stays inside this folder.
noinst_LIBRARIES += src/xform/libxform.a
XFORM_C = src/xform/xform_load.c src/xform/xform_graph.c src/xform/xform_session.c \
	src/xform/xform_text.c src/xform/xform_nav.c src/xform/xform_submit.c \
	src/xform/xform_scenario.c src/xform/xform_csv.c \
	src/xform/xform_entity.c src/xform/xform_table.c
src_xform_libxform_a_SOURCES = $(XFORM_C) src/xform/xform.h src/xform/xform_int.h
src_xform_libxform_a_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS) $(PCRE2_CFLAGS)

homeward_SOURCES += ui/cli_form.c

check_PROGRAMS += tests/test_xform
TESTS += tests/test_xform tests/test_corpus.sh tests/test_scenarios.sh
check_PROGRAMS += tests/test_entity
TESTS += tests/test_entity
tests_test_entity_SOURCES = tests/test_entity.c
tests_test_entity_CFLAGS = $(TEST_CFLAGS)
tests_test_entity_LDADD = $(TEST_LIBS)
tests_test_xform_SOURCES = tests/test_xform.c
tests_test_xform_CFLAGS = $(TEST_CFLAGS)
tests_test_xform_LDADD = $(TEST_LIBS)
tests_test_xform_LDFLAGS = $(WRAP_ALLOC)

EXTRA_DIST += tests/test_corpus.sh tests/test_scenarios.sh \
	tests/forms tests/scenarios fuzz/fuzz_xform.c fuzz/corpus

# Benchmarks print figures; they are not timed tests.
EXTRA_PROGRAMS += bench/bench_forms
CLEANFILES += bench/bench_forms
bench_bench_forms_SOURCES = bench/bench_forms.c
bench_bench_forms_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_forms_LDADD = $(HW_LIBS) $(CORE_LIBS)

BENCH_CORPUS = $(abs_top_srcdir)/../shared/corpus/xforms

.PHONY: bench fuzz-xform valgrind-corpus
bench: bench/bench_forms bench/bench_caseform
	./bench/bench_forms $(BENCH_CORPUS)/javarosa__whova_form.xml \
		$(BENCH_CORPUS)/javarosa__eIMCI-by-D-Tree.xml $(BENCH_CORPUS)/web-forms__bench9.xml
	./bench/bench_caseform share

# Opening a form with instance('case') against without (docs/form-entities.md).
EXTRA_PROGRAMS += bench/bench_caseform
CLEANFILES += bench/bench_caseform
bench_bench_caseform_SOURCES = bench/bench_caseform.c
bench_bench_caseform_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_caseform_LDADD = $(HW_LIBS) $(CORE_LIBS)

# The loader under libFuzzer with AddressSanitizer (clang); not part of make check.
# FUZZ_TIME seconds (default 600); new inputs go to fuzz/corpus.
FUZZ_TIME = 600
# The engine's sources come from the libraries' own lists, so a file added
# there is picked up here too.
FUZZ_SRCS = fuzz/fuzz_xform.c $(XFORM_C) $(XPATH_C) $(HWUTIL_C)
fuzz/fuzz_xform: $(FUZZ_SRCS)
	@mkdir -p fuzz
	cd $(srcdir) && $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(abs_top_srcdir)/src -I$(abs_top_builddir) $(LIBXML2_CFLAGS) $(PCRE2_CFLAGS) \
		-o $(abs_top_builddir)/$@ $(FUZZ_SRCS) $(LIBXML2_LIBS) $(PCRE2_LIBS) -lm
fuzz-xform: fuzz/fuzz_xform
	mkdir -p fuzz/corpus-run
	c=$(abs_top_srcdir)/../shared/corpus/xforms; [ -d $$c ] || c=; \
	./fuzz/fuzz_xform -max_total_time=$(FUZZ_TIME) -max_len=20000 -timeout=10 \
		-rss_limit_mb=2048 fuzz/corpus-run $(srcdir)/fuzz/corpus $$c
CLEANFILES += fuzz/fuzz_xform

# Every corpus scenario under valgrind: fails on a leak or an invalid access.
valgrind-corpus: homeward
	@set -e; c=$(abs_top_srcdir)/../shared/corpus; fail=0; \
	for st in $$c/scenarios/*.steps $(abs_top_srcdir)/tests/scenarios/*.steps; do \
		n=$$(basename $$st .steps); d=$$(dirname $$st)/../xforms; \
		case $$st in $(abs_top_srcdir)/*) d=$(abs_top_srcdir)/tests/forms;; esac; \
		f=$$d/$$n.xml; [ -f $$f ] || f=$$d/$$(echo $$n | sed 's/-[0-9]*$$//').xml; \
		if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			./homeward form scenario $$f $$st >/dev/null 2>valgrind.log; then :; \
		else st2=$$?; if [ $$st2 -eq 99 ]; then echo "valgrind: $$n"; cat valgrind.log; fail=1; fi; fi; \
	done; rm -f valgrind.log; test $$fail = 0 && echo "valgrind-corpus: clean"
