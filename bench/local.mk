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

# bench/startup: create+start+exit (`run` of /bin/true) for runsc, runc and crun, interleaved; medians and
# runsc's ratios.  As root.  N=30 by default (`make bench-startup N=100`).
EXTRA_DIST += bench/startup
.PHONY: bench bench-startup
bench-startup: runsc$(EXEEXT)
	RUNSC=$(abs_builddir)/runsc $(SHELL) $(srcdir)/bench/startup $(N)

# `make bench`: every benchmark (never part of `make check` or tests/run).
bench: bench-startup bench-syscalls

# bench/workloads: nginx under wrk, a cp/rm loop, a python import loop and a gcc loop in a Debian root
# (debootstrap, cached in /var/cache/runsc-bench) under runc, crun and runsc, interleaved; medians of REPS
# (default 3) and runsc's ratio to runc against issue 10's goals.  As root.
EXTRA_DIST += bench/workloads
.PHONY: bench-workloads
bench-workloads: runsc$(EXEEXT)
	REPS=$(REPS) RUNSC=$(abs_builddir)/runsc $(SHELL) $(srcdir)/bench/workloads
bench: bench-workloads

# bench/containerd: `ctr run --rm` of /bin/true through a private containerd with our shim (driving runsc, and
# runc for the shim's own cost) and containerd's runc shim (runc, crun).  As root.  N=20 by default.
EXTRA_DIST += bench/containerd
.PHONY: bench-containerd
bench-containerd: containerd-shim-runsc-v1$(EXEEXT) runsc$(EXEEXT)
	SHIM=$(abs_builddir)/containerd-shim-runsc-v1 RUNSC=$(abs_builddir)/runsc $(SHELL) $(srcdir)/bench/containerd $(N)
bench: bench-containerd

# bench/sentry-memory: the Sentry's PSS with its FUSE filesystem, alone, under runsc run, and N at once.  As root.
EXTRA_DIST += bench/sentry-memory
.PHONY: bench-sentry-memory
bench-sentry-memory: runsc$(EXEEXT)
	RUNSC=$(abs_builddir)/runsc $(SHELL) $(srcdir)/bench/sentry-memory $(N)
bench: bench-sentry-memory

# bench/leak-cycles: create/start/exec/delete cycles through the CLI and through containerd (one pod, one shim),
# counting descriptors, mounts, cgroups, processes, FUSE connections and the shim's RSS before and after; any
# growth fails.  As root.  The full counts (tests/integration/leak-cycles.bats runs small ones).
EXTRA_DIST += bench/leak-cycles
LEAK_CLI_CYCLES = 500
LEAK_CTR_CYCLES = 200
.PHONY: leak-cycles
leak-cycles: runsc$(EXEEXT) containerd-shim-runsc-v1$(EXEEXT)
	RUNSC=$(abs_builddir)/runsc SHIM=$(abs_builddir)/containerd-shim-runsc-v1 \
	  $(SHELL) $(srcdir)/bench/leak-cycles cli $(LEAK_CLI_CYCLES)
	RUNSC=$(abs_builddir)/runsc SHIM=$(abs_builddir)/containerd-shim-runsc-v1 \
	  $(SHELL) $(srcdir)/bench/leak-cycles containerd $(LEAK_CTR_CYCLES)
