libruntime_a_SOURCES += \
	src/common/error.c src/common/error.h \
	src/common/host-fs.c src/common/host-fs.h \
	src/common/log.c src/common/log.h \
	src/common/proc-stat.c src/common/proc-stat.h \
	src/common/toml-lex.c src/common/toml-lex.h \
	src/common/util.c src/common/util.h

# The /proc/PID/stat reader.
check_PROGRAMS += tests/unit/test-proc-stat
TESTS += tests/unit/test-proc-stat
tests_unit_test_proc_stat_SOURCES = tests/unit/test-proc-stat.c
tests_unit_test_proc_stat_LDADD = $(RUNTIME_LIBS)

# Host files through held directories (the confined Sentry's empty root).
check_PROGRAMS += tests/unit/test-host-fs
TESTS += tests/unit/test-host-fs
tests_unit_test_host_fs_SOURCES = tests/unit/test-host-fs.c
tests_unit_test_host_fs_LDADD = $(RUNTIME_LIBS)
