## data/data.mk: the forms shipped with the program, their translations
## (gettext catalogues in locales/forms/), and the module, command and tests
## that turn them into the multilingual forms the program runs.
## Conventions for form authors and translators: docs/forms.md.

# The shipped forms, by id: each has data/forms/ID.xml and
# locales/forms/ID/{ID.pot,nl.po,fr.po,ar.po,fa.po}.  Add a form by appending
# its id here.
HW_FORMS = first-contact vulnerability-screening needs-assessment
HW_FORMS += child-best-interests pre-departure reintegration-follow-up

# Data files the forms read (data/forms/ID.csv) whose texts are translated
# like the forms: locales/forms/ID/{ID.pot,nl.po,...}.  The build adds a
# column per translated column and language (label_fr, description_fr, ...);
# see docs/assistance-inventory.md.
HW_FORM_CSVS = assistance

# Forms that speak to a child: they must have child wording (en-x-child).
HW_CHILD_FORMS = first-contact needs-assessment child-best-interests

# Languages translated in locales/forms/, in the order of the built forms.
HW_FORM_LANGS = nl fr ar fa

# Form translation: the core module and its command.
src_libhomeward_a_SOURCES += src/formi18n.c src/formi18n.h src/formi18n_csv.c
homeward_SOURCES += ui/cli_i18n.c

# Sources, catalogues and scenario files travel whole with the tarball.
EXTRA_DIST += data/forms locales/forms tests/scenarios/forms

# share/forms/ in the build tree holds the merged forms and the inventory
# files, where the uninstalled program and the tests find them.  One stamp
# for all forms keeps the list of forms in HW_FORMS alone; merging is fast.
# The prerequisites are globs (make expands them): "*.[cx][sm][vl]" is the
# forms and the CSV files, and never matches nothing, which would be an error.
HW_FORMS_STAMP = share/forms/.built
all-local: $(HW_FORMS_STAMP)
$(HW_FORMS_STAMP): homeward$(EXEEXT) $(srcdir)/data/forms/*.[cx][sm][vl] \
		$(srcdir)/locales/forms/*/*.po $(top_srcdir)/data/data.mk
	$(AM_V_GEN)$(MKDIR_P) share/forms && \
	langs=`echo $(HW_FORM_LANGS) | tr ' ' ','` && \
	for f in $(HW_FORMS); do \
	  ./homeward$(EXEEXT) form i18n merge $(srcdir)/data/forms/$$f.xml \
	    $(srcdir)/locales/forms/$$f --langs "$$langs" -o share/forms/$$f.xml || exit 1; \
	done && \
	for c in $(srcdir)/data/forms/*.csv; do \
	  test ! -f "$$c" || cp "$$c" share/forms/ || exit 1; \
	done && \
	for f in $(HW_FORM_CSVS); do \
	  ./homeward$(EXEEXT) form i18n merge $(srcdir)/data/forms/$$f.csv \
	    $(srcdir)/locales/forms/$$f --langs "$$langs" -o share/forms/$$f.csv || exit 1; \
	done && \
	touch $@

install-data-local: $(HW_FORMS_STAMP)
	$(MKDIR_P) '$(DESTDIR)$(pkgdatadir)/forms'
	for f in share/forms/*.xml share/forms/*.csv; do \
	  test ! -f "$$f" || $(INSTALL_DATA) "$$f" '$(DESTDIR)$(pkgdatadir)/forms/' || exit 1; \
	done

uninstall-local:
	for f in share/forms/*.xml share/forms/*.csv; do \
	  test ! -f "$$f" || rm -f '$(DESTDIR)$(pkgdatadir)/forms/'`basename "$$f"`; \
	done
	-rmdir '$(DESTDIR)$(pkgdatadir)/forms' 2>/dev/null

clean-local:
	-rm -rf share/forms

# Re-extract every template from its form and bring the catalogues up to
# date: changed English becomes fuzzy (with the previous msgid) until a
# translator checks it.  Writes to the source tree.
HW_MSGINIT = msginit
update-form-po: homeward$(EXEEXT)
	@for f in $(HW_FORMS) $(HW_FORM_CSVS); do \
	  d=$(srcdir)/locales/forms/$$f; \
	  src=data/forms/$$f.xml; test -f $(srcdir)/$$src || src=data/forms/$$f.csv; \
	  $(MKDIR_P) $$d || exit 1; \
	  (cd $(srcdir) && $(abs_top_builddir)/homeward$(EXEEXT) form i18n extract \
	    $$src -o locales/forms/$$f/$$f.pot) || exit 1; \
	  for l in $(HW_FORM_LANGS); do \
	    if test -f $$d/$$l.po; then \
	      echo "msgmerge $$d/$$l.po"; \
	      $(MSGMERGE) --quiet --update --backup=none --previous $$d/$$l.po $$d/$$f.pot || exit 1; \
	    else \
	      echo "msginit $$d/$$l.po"; \
	      $(HW_MSGINIT) --no-translator --locale=$$l --input=$$d/$$f.pot --output-file=$$d/$$l.po || exit 1; \
	    fi; \
	  done; \
	done
.PHONY: update-form-po

# Tests: the module; every shipped catalogue complete; every scenario file.
check_PROGRAMS += tests/test_formi18n
TESTS += tests/test_formi18n tests/form-translations.sh tests/form-scenarios.sh \
	tests/form-check.sh
tests_test_formi18n_SOURCES = tests/test_formi18n.c
tests_test_formi18n_CFLAGS = $(TEST_CFLAGS)
tests_test_formi18n_LDADD = $(TEST_LIBS)
tests_test_formi18n_LDFLAGS = $(WRAP_ALLOC)
check_PROGRAMS += tests/test_csv
TESTS += tests/test_csv
tests_test_csv_SOURCES = tests/test_csv.c
tests_test_csv_CFLAGS = $(TEST_CFLAGS)
tests_test_csv_LDADD = $(TEST_LIBS)
tests_test_csv_LDFLAGS = $(WRAP_ALLOC)
EXTRA_DIST += tests/form-translations.sh tests/form-scenarios.sh tests/form-check.sh
AM_TESTS_ENVIRONMENT += \
	HW_FORMS='$(HW_FORMS)'; export HW_FORMS; \
	HW_FORM_CSVS='$(HW_FORM_CSVS)'; export HW_FORM_CSVS; \
	HW_CHILD_FORMS='$(HW_CHILD_FORMS)'; export HW_CHILD_FORMS; \
	HW_FORM_LANGS='$(HW_FORM_LANGS)'; export HW_FORM_LANGS;
