# src/install: what runsc install and runsc uninstall edit (Docker's daemon.json, containerd's config.toml).
libruntime_a_SOURCES += \
	src/install/defaults.h \
	src/install/config-file.c src/install/config-file.h \
	src/install/toml-scan.c src/install/toml-scan.h \
	src/install/docker.c src/install/docker.h \
	src/install/containerd.c src/install/containerd.h

check_PROGRAMS += tests/unit/test-install
TESTS += tests/unit/test-install
tests_unit_test_install_SOURCES = tests/unit/test-install.c
tests_unit_test_install_LDADD = $(RUNTIME_LIBS)
