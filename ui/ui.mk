## ui/ui.mk: the program's front ends (command line and TUI) and their tests.
homeward_SOURCES += \
	ui/main.c ui/cli.c ui/cli.h ui/cli_doctor.c ui/cli_team.c \
	ui/i18n.c ui/i18n.h \
	ui/text.c ui/text.h \
	ui/curses.h ui/colors.c ui/colors.h \
	ui/action.c ui/action.h ui/view.h ui/tui.c ui/tui.h \
	ui/screen_list.c ui/screen_newcase.c ui/screen_case.c \
	ui/screen_form.c ui/screen_pick.c ui/screen_help.c \
	ui/screen_edit.c ui/screen_decide.c ui/screen_assist.c \
	ui/screen_submission.c ui/screen_work.c ui/screen_referrals.c \
	ui/screen_reports.c ui/chart.c ui/chart.h \
	ui/progress.c ui/progress.h ui/run_progress.c ui/run_progress.h ui/screen_team.c \
	ui/screen_agenda.c \
	ui/work.c ui/work.h \
	ui/case_form.c ui/case_form.h

# The text layout module is pure: its unit test needs fribidi, not curses.
check_PROGRAMS += tests/test_text
TESTS += tests/test_text
tests_test_text_SOURCES = tests/test_text.c ui/text.c ui/text.h
tests_test_text_CFLAGS = $(TEST_CFLAGS) $(FRIBIDI_CFLAGS)
tests_test_text_LDADD = $(TEST_LIBS) $(FRIBIDI_LIBS)

# Charts are pure too: bars and sparklines as strings.
check_PROGRAMS += tests/test_chart
TESTS += tests/test_chart
tests_test_chart_SOURCES = tests/test_chart.c ui/chart.c ui/chart.h
tests_test_chart_CFLAGS = $(TEST_CFLAGS) -I$(srcdir)/ui
tests_test_chart_LDADD = $(TEST_LIBS)

# Screen tests: the real program driven through tmux.
TUI_TESTS = tests/tui-list.sh tests/tui-case.sh tests/tui-form.sh tests/tui-repeat.sh \
	tests/tui-arabic.sh tests/tui-persian.sh tests/tui-resize.sh \
	tests/tui-assistance.sh tests/tui-keys.sh \
	tests/tui-keep.sh tests/tui-sync.sh tests/tui-text.sh \
	tests/tui-demo.sh tests/tui-casework.sh tests/tui-referrals.sh \
	tests/tui-reports.sh tests/tui-team.sh
# The agenda, appointments and return files on the screen.
TUI_TESTS += tests/tui-agenda.sh tests/tui-forms-for.sh tests/tui-linked-adults.sh
TESTS += $(TUI_TESTS)
EXTRA_DIST += tests/tui-lib.sh $(TUI_TESTS)

# The uninstalled program finds its catalogues in share/locale beside it
# (ui/i18n.c), so the build tree speaks every language without installing.
# One explicit rule a language: pattern rules are not portable make.
UI_MO_FILES = \
	share/locale/nl/LC_MESSAGES/homeward.mo \
	share/locale/fr/LC_MESSAGES/homeward.mo \
	share/locale/ar/LC_MESSAGES/homeward.mo \
	share/locale/fa/LC_MESSAGES/homeward.mo
EXTRA_homeward_DEPENDENCIES = $(UI_MO_FILES)
CLEANFILES += $(UI_MO_FILES)

# Compiled straight from the catalogues into the build tree: locales/ keeps
# its .gmo files in the source tree, which is read-only in a distcheck.
share/locale/nl/LC_MESSAGES/homeward.mo: $(srcdir)/locales/nl.po
	$(AM_V_GEN)$(MKDIR_P) share/locale/nl/LC_MESSAGES && $(MSGFMT) -c -o $@ $(srcdir)/locales/nl.po
share/locale/fr/LC_MESSAGES/homeward.mo: $(srcdir)/locales/fr.po
	$(AM_V_GEN)$(MKDIR_P) share/locale/fr/LC_MESSAGES && $(MSGFMT) -c -o $@ $(srcdir)/locales/fr.po
share/locale/ar/LC_MESSAGES/homeward.mo: $(srcdir)/locales/ar.po
	$(AM_V_GEN)$(MKDIR_P) share/locale/ar/LC_MESSAGES && $(MSGFMT) -c -o $@ $(srcdir)/locales/ar.po
share/locale/fa/LC_MESSAGES/homeward.mo: $(srcdir)/locales/fa.po
	$(AM_V_GEN)$(MKDIR_P) share/locale/fa/LC_MESSAGES && $(MSGFMT) -c -o $@ $(srcdir)/locales/fa.po
