# bench: see the top-level Makefile.am

# bench/syscalls.sh: syscall cost on the host, in runc, under the Sentry's syscall layer and in runsc.
noinst_PROGRAMS += bench/syscalls bench/sentry-run
bench_syscalls_SOURCES = bench/syscalls.c
bench_syscalls_CFLAGS = $(WARN_CFLAGS) -O2
if CAN_STATIC
bench_syscalls_LDFLAGS = -static
else
bench_syscalls_LDFLAGS =
endif
bench_sentry_run_SOURCES = bench/sentry-run.c
bench_sentry_run_LDADD = $(RUNTIME_LIBS)
EXTRA_DIST += bench/syscalls.sh

.PHONY: bench-syscalls
bench-syscalls: bench/syscalls$(EXEEXT) bench/sentry-run$(EXEEXT) runsc$(EXEEXT)
	BUILDDIR=$(abs_builddir) SRCDIR=$(abs_top_srcdir) $(SHELL) $(srcdir)/bench/syscalls.sh
