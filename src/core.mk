## src/core.mk
src_libhomeward_a_SOURCES += \
	src/error.c src/error.h \
	src/util.c src/util.h
