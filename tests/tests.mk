## tests/tests.mk
EXTRA_DIST += tests/criterion-tap
