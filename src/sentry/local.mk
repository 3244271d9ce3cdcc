# The Sentry: the sandbox process and its control socket (boot.c, control.c), runsc exec's processes, the user log.
# The sandbox's model (sandbox.h): its containers, the supervise loop, the control commands, the process tree.
libruntime_a_SOURCES += \
	src/sentry/sentry.h \
	src/sentry/boot.c src/sentry/boot.h \
	src/sentry/sandbox.h \
	src/sentry/sandbox-container.c \
	src/sentry/supervise.c \
	src/sentry/control-dispatch.c \
	src/sentry/process-tree.c src/sentry/process-tree.h \
	src/sentry/exec.c src/sentry/exec.h \
	src/sentry/control.c src/sentry/control.h \
	src/sentry/user-log.c src/sentry/user-log.h

# The syscall layer: the table, the filter, the notification loop, the virtual kernel, uts, syslog.
libruntime_a_SOURCES += \
	src/sentry/syscall-table.c src/sentry/syscall-table.h \
	src/sentry/syscall-check.c \
	src/sentry/syscall-print.c \
	src/sentry/syscall-readme.c src/sentry/syscall-readme.h \
	src/sentry/filter.c src/sentry/filter-prebuilt.h \
	src/sentry/notify.c src/sentry/notify.h \
	src/sentry/serve.c \
	src/sentry/refuse.c \
	src/sentry/strace-format.c src/sentry/strace-format.h \
	src/sentry/counters.c \
	src/sentry/refuse-args.c src/sentry/refuse-args.h \
	src/sentry/kernel.c src/sentry/kernel.h src/sentry/kernel-private.h \
	src/sentry/klog.c \
	src/sentry/uts.c src/sentry/uts.h \
	src/sentry/syslog.c src/sentry/syslog.h \
	src/sentry/sched.c src/sentry/sched.h \
	src/sentry/userns-own.c src/sentry/userns-own.h

# The Sentry's own confinement: its syscall allowlist (the second table), built into a seccomp program.
libruntime_a_SOURCES += \
	src/sentry/sentry-table.c src/sentry/sentry-table.h \
	src/sentry/confine.c src/sentry/confine.h \
	src/sentry/spawner.c src/sentry/spawner.h \
	src/sentry/spawner-policy.c src/sentry/spawner-policy.h \
	src/sentry/test-hook.c src/sentry/test-hook.h

# runsc with the test suite's control command (test-hook.h): the same sources, and test-hook.c built with
# RUNSC_TEST_HOOKS, which the linker takes before the library's copy.
check_PROGRAMS += tests/sandbox/runsc-hooked
tests_sandbox_runsc_hooked_SOURCES = $(runsc_SOURCES) src/sentry/test-hook.c
nodist_tests_sandbox_runsc_hooked_SOURCES = src/sentry/sandbox-filters.c
tests_sandbox_runsc_hooked_CPPFLAGS = $(AM_CPPFLAGS) -DRUNSC_TEST_HOOKS
tests_sandbox_runsc_hooked_LDADD = $(RUNTIME_LIBS)

# docs/syscalls.md is generated from the table; tests/unit/test-syscall-table checks that it is current.
noinst_PROGRAMS += src/sentry/syscall-doc
src_sentry_syscall_doc_SOURCES = src/sentry/syscall-doc.c
src_sentry_syscall_doc_LDADD = $(RUNTIME_LIBS)
EXTRA_DIST += docs/syscalls.md

# Fail closed at build time: `make` checks the table (an emulated row without a handler, a number out of range
# or twice, a name libseccomp knows by another number, ...) and fails on a bad one.
all-local: src/sentry/syscall-table.checked
src/sentry/syscall-table.checked: src/sentry/syscall-doc$(EXEEXT)
	$(AM_V_GEN)./src/sentry/syscall-doc check && touch $@
CLEANFILES += src/sentry/syscall-table.checked

update-syscall-doc: src/sentry/syscall-doc$(EXEEXT)
	$(AM_V_GEN)./src/sentry/syscall-doc markdown > $(top_srcdir)/docs/syscalls.md.tmp && \
	mv $(top_srcdir)/docs/syscalls.md.tmp $(top_srcdir)/docs/syscalls.md
.PHONY: update-syscall-doc

# README.md's compatibility section is generated from the table too (from its generated-by line to the next
# second-level heading); test-syscall-table fails while it is stale.
update-readme: src/sentry/syscall-doc$(EXEEXT)
	$(AM_V_GEN)./src/sentry/syscall-doc readme > $(top_srcdir)/README.md.section && \
	awk -v sec=$(top_srcdir)/README.md.section ' \
	  skip && /^## / && $$0 != "## Compatibility" { skip = 0 } \
	  /^<!-- Generated from src\/sentry\/syscall-table.c by `make update-readme`/ { \
	    while ((getline l < sec) > 0) print l; skip = 1; next } \
	  !skip { print }' $(top_srcdir)/README.md > $(top_srcdir)/README.md.tmp && \
	mv $(top_srcdir)/README.md.tmp $(top_srcdir)/README.md && rm -f $(top_srcdir)/README.md.section
.PHONY: update-readme

# The sandbox kernel's files: their text (proc.c) and the FUSE filesystem that serves them (vfs.c).
libruntime_a_SOURCES += \
	src/sentry/proc.c src/sentry/proc.h \
	src/sentry/vfs.c src/sentry/vfs.h

# Unit tests of the syscall layer, and the in-sandbox probe (static, so that it also runs in a busybox root).
check_PROGRAMS += tests/unit/test-syscall-table tests/unit/test-sentry tests/sandbox/probe
TESTS += tests/unit/test-syscall-table tests/unit/test-sentry
tests_unit_test_syscall_table_LDADD = $(RUNTIME_LIBS)
tests_unit_test_syscall_table_CPPFLAGS = $(AM_CPPFLAGS) -DTOP_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_sentry_LDADD = $(RUNTIME_LIBS)
tests_unit_test_sentry_CPPFLAGS = $(AM_CPPFLAGS) -DPROBE=\"$(abs_builddir)/tests/sandbox/probe\"
EXTRA_DIST += tests/integration/sentry-core.bats tests/integration/sentry-confine.bats
tests_sandbox_probe_SOURCES = tests/sandbox/probe.c
tests_sandbox_probe_CFLAGS = $(WARN_CFLAGS) -O2
if CAN_STATIC
tests_sandbox_probe_LDFLAGS = -static
else
tests_sandbox_probe_LDFLAGS =
endif

# The sandbox kernel's files: their text, and the FUSE filesystem read for real (as root; skipped otherwise).
check_PROGRAMS += tests/unit/test-sentry-vfs
TESTS += tests/unit/test-sentry-vfs
tests_unit_test_sentry_vfs_SOURCES = tests/unit/test-sentry-vfs.c
tests_unit_test_sentry_vfs_LDADD = $(RUNTIME_LIBS)
EXTRA_DIST += tests/integration/sentry-files.bats

# The kernel's answers to bad arguments, run under runsc and runc side by side by
# tests/integration/compat-errno.bats (static, like the probe; the suite compiles it when it is not built here).
check_PROGRAMS += tests/sandbox/errnoprobe
tests_sandbox_errnoprobe_SOURCES = tests/sandbox/errnoprobe.c
tests_sandbox_errnoprobe_CFLAGS = $(WARN_CFLAGS) -O2
if CAN_STATIC
tests_sandbox_errnoprobe_LDFLAGS = -static
else
tests_sandbox_errnoprobe_LDFLAGS =
endif
EXTRA_DIST += tests/integration/compat-errno.bats tests/integration/compat-privileged.bats \
	tests/integration/compat-mounts.bats tests/integration/compat-namespaces.bats

# The escape battery, run under runsc and runc side by side by tests/integration/escape.bats (static; the suite
# compiles it when it is not built here).
check_PROGRAMS += tests/sandbox/escape
tests_sandbox_escape_SOURCES = tests/sandbox/escape.c
tests_sandbox_escape_CFLAGS = $(WARN_CFLAGS) -O2
if CAN_STATIC
tests_sandbox_escape_LDFLAGS = -static
else
tests_sandbox_escape_LDFLAGS =
endif
EXTRA_DIST += tests/integration/escape.bats

# The refusal errnos against the host kernel's answers for the same arguments.
check_PROGRAMS += tests/unit/test-refuse-args
TESTS += tests/unit/test-refuse-args
tests_unit_test_refuse_args_SOURCES = tests/unit/test-refuse-args.c
tests_unit_test_refuse_args_LDADD = $(RUNTIME_LIBS)

# The limits behind the virtual /proc files, on fake cgroup v1 and v2 trees.
check_PROGRAMS += tests/unit/test-sentry-proc
TESTS += tests/unit/test-sentry-proc
tests_unit_test_sentry_proc_SOURCES = tests/unit/test-sentry-proc.c
tests_unit_test_sentry_proc_LDADD = $(RUNTIME_LIBS)

# The sandbox filter built in the background is the same program as a build on the calling thread.
check_PROGRAMS += tests/unit/test-sentry-filter-async
TESTS += tests/unit/test-sentry-filter-async
tests_unit_test_sentry_filter_async_SOURCES = tests/unit/test-sentry-filter-async.c
nodist_tests_unit_test_sentry_filter_async_SOURCES = src/sentry/sandbox-filters.c
tests_unit_test_sentry_filter_async_LDADD = $(RUNTIME_LIBS)

# The sandbox filter compiled at build time for each --net-raw / pid namespace combination (filter-prebuilt.h):
# runsc links the generated file; the generator links the library without it.
noinst_PROGRAMS += src/sentry/filter-gen
src_sentry_filter_gen_SOURCES = src/sentry/filter-gen.c
src_sentry_filter_gen_LDADD = $(RUNTIME_LIBS)
src/sentry/sandbox-filters.c: src/sentry/filter-gen$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) src/sentry && ./src/sentry/filter-gen$(EXEEXT) > $@.tmp && mv $@.tmp $@
CLEANFILES += src/sentry/sandbox-filters.c

# The Sentry's own allowlist: the table's check, its size, the program refusing what it leaves out, and the copy
# compiled at build time (sandbox-filters.c) equal to what libseccomp makes from the table.
check_PROGRAMS += tests/unit/test-sentry-confine
TESTS += tests/unit/test-sentry-confine
tests_unit_test_sentry_confine_SOURCES = tests/unit/test-sentry-confine.c
nodist_tests_unit_test_sentry_confine_SOURCES = src/sentry/sandbox-filters.c
tests_unit_test_sentry_confine_LDADD = $(RUNTIME_LIBS)
