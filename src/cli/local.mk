bin_PROGRAMS += runsc
runsc_SOURCES = \
	src/cli/cli.h \
	src/cli/main.c
runsc_LDADD = $(RUNTIME_LIBS)
