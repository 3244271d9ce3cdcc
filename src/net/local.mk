# src/net: the sandbox's network set-up (setup.c) and network inspection with libnl-3 (link-stats.c)
libruntime_a_SOURCES += \
	src/net/link-stats.c src/net/link-stats.h \
	src/net/setup.c src/net/setup.h

check_PROGRAMS += tests/unit/test-net-setup
TESTS += tests/unit/test-net-setup
tests_unit_test_net_setup_SOURCES = tests/unit/test-net-setup.c
tests_unit_test_net_setup_LDADD = $(RUNTIME_LIBS)
