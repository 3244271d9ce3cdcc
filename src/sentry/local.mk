# The Sentry: boot.c and control.c (the sandbox process and its control socket) are the lifecycle's; the
# syscall table, filter, notification loop and the virtual kernel's files are the syscall layer's.
libruntime_a_SOURCES += \
	src/sentry/sentry.h \
	src/sentry/boot.c src/sentry/boot.h \
	src/sentry/exec.c src/sentry/exec.h \
	src/sentry/control.c src/sentry/control.h \
	src/sentry/user-log.c src/sentry/user-log.h

# The syscall layer (sentry-core): the table, the filter, the notification loop, the virtual kernel, uts, syslog.
libruntime_a_SOURCES += \
	src/sentry/syscall-table.c src/sentry/syscall-table.h \
	src/sentry/syscall-check.c \
	src/sentry/syscall-print.c \
	src/sentry/filter.c \
	src/sentry/notify.c src/sentry/notify.h \
	src/sentry/serve.c \
	src/sentry/refuse.c \
	src/sentry/kernel.c src/sentry/kernel.h src/sentry/kernel-private.h \
	src/sentry/klog.c \
	src/sentry/uts.c src/sentry/uts.h \
	src/sentry/syslog.c src/sentry/syslog.h \
	src/sentry/sched.c src/sentry/sched.h

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
EXTRA_DIST += tests/integration/sentry-core.bats
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

# The limits behind the virtual /proc files, on fake cgroup v1 and v2 trees.
check_PROGRAMS += tests/unit/test-sentry-proc
TESTS += tests/unit/test-sentry-proc
tests_unit_test_sentry_proc_SOURCES = tests/unit/test-sentry-proc.c
tests_unit_test_sentry_proc_LDADD = $(RUNTIME_LIBS)

# The sandbox filter built in the background is the same program as a build on the calling thread.
check_PROGRAMS += tests/unit/test-sentry-filter-async
TESTS += tests/unit/test-sentry-filter-async
tests_unit_test_sentry_filter_async_SOURCES = tests/unit/test-sentry-filter-async.c
tests_unit_test_sentry_filter_async_LDADD = $(RUNTIME_LIBS)
