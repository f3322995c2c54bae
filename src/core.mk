## src/core.mk
src_libhomeward_a_SOURCES += \
	src/error.c src/error.h \
	src/util.c src/util.h
src_libhomeward_a_SOURCES += \
	src/event.c src/event.h \
	src/store.c src/store.h \
	src/workspace.c src/workspace.h \
	src/cases.c src/cases.h
