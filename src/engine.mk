## src/engine.mk: the XForms engine (loader, model and dependency graph,
## texts, navigation, submission, scenario runner), its CLI commands, tests,
## benchmark and fuzz target.
src_libhomeward_a_SOURCES += \
	src/xform.h src/xform_int.h \
	src/xform_load.c src/xform_graph.c src/xform_session.c \
	src/xform_text.c src/xform_nav.c src/xform_submit.c \
	src/xform_scenario.c src/xform_csv.c

homeward_SOURCES += ui/cli_form.c

check_PROGRAMS += tests/test_xform
TESTS += tests/test_xform tests/test_corpus.sh tests/test_scenarios.sh
tests_test_xform_SOURCES = tests/test_xform.c
tests_test_xform_CFLAGS = $(TEST_CFLAGS)
tests_test_xform_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/test_corpus.sh tests/test_scenarios.sh \
	tests/forms tests/scenarios fuzz/fuzz_xform.c fuzz/corpus

# Benchmarks print figures; they are not timed tests.
EXTRA_PROGRAMS = bench/bench_forms
CLEANFILES += bench/bench_forms
bench_bench_forms_SOURCES = bench/bench_forms.c
bench_bench_forms_CFLAGS = $(AM_CFLAGS) $(CORE_CFLAGS)
bench_bench_forms_LDADD = src/libhomeward.a $(CORE_LIBS)

BENCH_CORPUS = $(abs_top_srcdir)/../shared/corpus/xforms

.PHONY: bench fuzz-xform valgrind-corpus
bench: bench/bench_forms
	./bench/bench_forms $(BENCH_CORPUS)/javarosa__whova_form.xml \
		$(BENCH_CORPUS)/javarosa__eIMCI-by-D-Tree.xml $(BENCH_CORPUS)/web-forms__bench9.xml

# The loader under libFuzzer with AddressSanitizer (clang); not part of make check.
# FUZZ_TIME seconds (default 600); new inputs go to fuzz/corpus.
FUZZ_TIME = 600
# The XPath engine's own sources come from its fragment's list (without its
# fuzz driver), so a file added there is picked up here too.
FUZZ_SRCS = $(srcdir)/src/xform_load.c $(srcdir)/src/xform_graph.c \
	$(srcdir)/src/xform_session.c $(srcdir)/src/xform_text.c $(srcdir)/src/xform_nav.c \
	$(srcdir)/src/xform_submit.c $(srcdir)/src/xform_csv.c
fuzz/fuzz_xform: $(srcdir)/fuzz/fuzz_xform.c $(FUZZ_SRCS) $(XPATH_FUZZ_SRC)
	@mkdir -p fuzz
	set --; for f in $(XPATH_FUZZ_SRC); do case $$f in */fuzz_xpath.c) ;; *) set -- "$$@" $$f;; esac; done; \
	clang -g -O1 -fsanitize=fuzzer,address,undefined -I$(srcdir)/src -I$(top_builddir) \
		$(LIBXML2_CFLAGS) $(PCRE2_CFLAGS) -o $@ $(srcdir)/fuzz/fuzz_xform.c $(FUZZ_SRCS) "$$@" \
		$(LIBXML2_LIBS) $(PCRE2_LIBS) -lm
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
