bin_PROGRAMS += runsc
runsc_SOURCES = \
	src/cli/cli.h \
	src/cli/main.c \
	src/cli/common.c \
	src/cli/lifecycle.c src/cli/lifecycle.h \
	src/cli/sandbox-status.c src/cli/sandbox-status.h \
	src/cli/tty-proxy.c src/cli/tty-proxy.h \
	src/cli/flags.c \
	src/cli/cmd-boot.c src/cli/boot-fork.c \
	src/cli/cmd-create.c \
	src/cli/cmd-delete.c \
	src/cli/cmd-do.c \
	src/cli/cmd-events.c \
	src/cli/cmd-exec.c \
	src/cli/cmd-help.c \
	src/cli/cmd-install.c \
	src/cli/cmd-kill.c \
	src/cli/cmd-list.c \
	src/cli/cmd-metric-server.c \
	src/cli/metrics.c src/cli/metrics.h \
	src/cli/cmd-pause.c \
	src/cli/cmd-ps.c \
	src/cli/cmd-resume.c \
	src/cli/cmd-run.c \
	src/cli/cmd-spec.c \
	src/cli/cmd-start.c \
	src/cli/cmd-state.c \
	src/cli/cmd-uninstall.c \
	src/cli/cmd-update.c \
	src/cli/cmd-wait.c
nodist_runsc_SOURCES = src/sentry/sandbox-filters.c
runsc_LDADD = $(RUNTIME_LIBS)

# Unit tests of the state store.
check_PROGRAMS += tests/unit/test-state
TESTS += tests/unit/test-state
tests_unit_test_state_SOURCES = tests/unit/test-state.c src/cli/sandbox-status.c src/cli/sandbox-status.h
tests_unit_test_state_LDADD = $(RUNTIME_LIBS)

# runsc's own CLI suite (tests/run runs every tests/integration/*.bats).
EXTRA_DIST += tests/integration/runsc-cli.bats

# Unit tests of the control socket transport.
check_PROGRAMS += tests/unit/test-control
TESTS += tests/unit/test-control
tests_unit_test_control_SOURCES = tests/unit/test-control.c
tests_unit_test_control_LDADD = $(RUNTIME_LIBS)

# The user log (--user-log; src/sentry/user-log.c) and pod members' cgroups.
check_PROGRAMS += tests/unit/test-user-log
TESTS += tests/unit/test-user-log
tests_unit_test_user_log_SOURCES = tests/unit/test-user-log.c
tests_unit_test_user_log_LDADD = $(RUNTIME_LIBS)
EXTRA_DIST += tests/integration/userlog.bats tests/integration/pod-cgroup.bats
EXTRA_DIST += tests/integration/compat.bats
