# tests: unit tests (GLib test framework, TAP) and integration tests (bats).
# The test command is tests/run (see its header); the integration suites are tests/integration/*.bats and
# run against the built binaries: RUNSC=$(builddir)/runsc, SHIM=$(builddir)/containerd-shim-runsc-v1.

# Under ./configure --enable-sanitizers: every report ends the test program (see configure.ac); leaks are
# reported too, except GLib's own deliberate ones (tests/lsan.supp).
if SANITIZERS
AM_TESTS_ENVIRONMENT = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; \
	LSAN_OPTIONS=suppressions=$(abs_top_srcdir)/tests/lsan.supp:print_suppressions=0; \
	G_SLICE=always-malloc; \
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS G_SLICE;
endif
EXTRA_DIST += tests/lsan.supp

# The receiving end of --console-socket for the TTY tests (built by `make check`, not installed).
check_PROGRAMS += tests/lib/recvtty
tests_lib_recvtty_SOURCES = tests/lib/recvtty.c
tests_lib_recvtty_CFLAGS = $(WARN_CFLAGS) $(HARDEN_CFLAGS)

EXTRA_DIST += \
	tests/run \
	tests/packages.txt \
	tests/lib/bundle.bash \
	tests/lib/daemon.bash \
	tests/lib/mkbundle \
	tests/integration/helpers.bash \
	tests/integration/devices.bats \
	tests/integration/docker.bats \
	tests/integration/exec.bats \
	tests/integration/podman.bats \
	tests/integration/registration.bats \
	tests/integration/resources.bats \
	tests/lib/containerd-versions.bash \
	tests/integration/lifecycle.bats \
	tests/integration/lifecycle-exec.bats \
	tests/integration/k8s.bats \
	tests/integration/do.bats \
	tests/integration/metrics.bats \
	tests/integration/faults.bats \
	tests/integration/faults-shim.bats \
	tests/integration/concurrency.bats \
	tests/integration/bad-input.bats \
	tests/integration/leak-cycles.bats \
	tests/lib/faults.bash \
	tests/lib/promtext.py \
	tests/cri/cri-subset.proto \
	tests/cri/cri.py \
	tests/cri/oci-image.py \
	tests/cri/pause.c \
	tests/cri/k8s-helpers.bash \
	tests/lib/recvtty.c

# `make integration`: the bats suites against this build (as root; the full test command is tests/run).
.PHONY: integration
integration: runsc$(EXEEXT) $(check_PROGRAMS)
	RUNSC=$(abs_builddir)/runsc SHIM=$(abs_builddir)/containerd-shim-runsc-v1 \
	RECVTTY=$(abs_builddir)/tests/lib/recvtty \
	bats --tap $(srcdir)/tests/integration/*.bats

# `make faults`: the fault-injection suite with FAULT_TRIALS seeded trials through the CLI (kill -9 of runsc and
# of the Sentry during create, start, exec and delete; tests/lib/faults.bash), seeds FAULT_SEED.. (as root).
# Each trial's line is appended to faults.log as it ends.
FAULT_TRIALS = 120
FAULT_SEED = 1000
.PHONY: faults
faults: runsc$(EXEEXT) $(check_PROGRAMS)
	RUNSC=$(abs_builddir)/runsc SHIM=$(abs_builddir)/containerd-shim-runsc-v1 \
	FAULT_TRIALS=$(FAULT_TRIALS) FAULT_SEED=$(FAULT_SEED) FAULT_LOG=$(abs_builddir)/faults.log \
	bats --tap $(srcdir)/tests/integration/faults.bats
