## ui/ui.mk
homeward_SOURCES += \
	ui/main.c ui/cli.h \
	ui/i18n.c ui/i18n.h
