# Fuzz targets (tests/fuzz/README.md): each tests/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput for one parser
# of untrusted or hand-written input. `make check` builds each with the plain-C driver replay.c and replays its
# seed corpus (tests/fuzz/corpus/NAME/); `make fuzz` builds them with clang's libFuzzer (and ASan + UBSan) and
# runs each for FUZZ_TIME seconds (tests/fuzz/run-fuzz.sh).

FUZZ_REPLAYS = tests/fuzz/replay-spec tests/fuzz/replay-state tests/fuzz/replay-toml tests/fuzz/replay-ttrpc \
	tests/fuzz/replay-control tests/fuzz/replay-strace tests/fuzz/replay-daemon-json \
	tests/fuzz/replay-install-toml tests/fuzz/replay-task
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)
FUZZ_CPPFLAGS = -I$(top_srcdir) -DFUZZ_CORPUS=\"$(abs_top_srcdir)/tests/fuzz/corpus/$(1)\"

tests_fuzz_replay_spec_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-spec.c tests/fuzz/fuzz.h
tests_fuzz_replay_spec_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,spec)
tests_fuzz_replay_spec_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_state_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-state.c tests/fuzz/fuzz.h
tests_fuzz_replay_state_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,state)
tests_fuzz_replay_state_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_toml_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-toml.c tests/fuzz/fuzz.h
tests_fuzz_replay_toml_CPPFLAGS = $(SHIM_CPPFLAGS) $(call FUZZ_CPPFLAGS,toml)
tests_fuzz_replay_toml_LDADD = $(SHIM_LIBS)
tests_fuzz_replay_ttrpc_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-ttrpc.c tests/fuzz/fuzz.h
tests_fuzz_replay_ttrpc_CPPFLAGS = $(SHIM_CPPFLAGS) $(call FUZZ_CPPFLAGS,ttrpc)
tests_fuzz_replay_ttrpc_LDADD = $(SHIM_LIBS)
tests_fuzz_replay_control_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-control.c tests/fuzz/fuzz.h
tests_fuzz_replay_control_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,control)
tests_fuzz_replay_control_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_strace_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-strace.c tests/fuzz/fuzz.h
tests_fuzz_replay_strace_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,strace)
tests_fuzz_replay_strace_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_daemon_json_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-daemon-json.c tests/fuzz/fuzz.h
tests_fuzz_replay_daemon_json_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,daemon-json)
tests_fuzz_replay_daemon_json_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_install_toml_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-install-toml.c tests/fuzz/fuzz.h
tests_fuzz_replay_install_toml_CPPFLAGS = $(AM_CPPFLAGS) $(call FUZZ_CPPFLAGS,install-toml)
tests_fuzz_replay_install_toml_LDADD = $(RUNTIME_LIBS)
tests_fuzz_replay_task_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-task.c tests/fuzz/fuzz.h
tests_fuzz_replay_task_CPPFLAGS = $(SHIM_CPPFLAGS) $(call FUZZ_CPPFLAGS,task)
tests_fuzz_replay_task_LDADD = $(SHIM_LIBS)
$(tests_fuzz_replay_toml_OBJECTS) $(tests_fuzz_replay_ttrpc_OBJECTS) $(tests_fuzz_replay_task_OBJECTS): $(SHIM_PB_H)

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/run-fuzz.sh tests/fuzz/corpus

# make fuzz [FUZZ_TIME=seconds per target] [FUZZ_TARGETS="spec toml"]: libFuzzer runs, in $(builddir)/fuzz/.
FUZZ_TIME = 60
FUZZ_TARGETS = spec state toml ttrpc control strace daemon-json install-toml task
FUZZ_CC = clang
.PHONY: fuzz
fuzz: $(SHIM_PB_H) $(SHIM_PB_C)
	FUZZ_CC='$(FUZZ_CC)' FUZZ_TIME='$(FUZZ_TIME)' FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	FUZZ_SRCDIR='$(abs_top_srcdir)' FUZZ_BUILDDIR='$(abs_top_builddir)' \
	FUZZ_RUNTIME_SOURCES='$(filter %.c,$(libruntime_a_SOURCES))' \
	FUZZ_SHIM_SOURCES='$(filter %.c,$(libshim_a_SOURCES))' FUZZ_SHIM_GENERATED='$(SHIM_PB_C)' \
	FUZZ_CPPFLAGS='$(AM_CPPFLAGS) -I$(abs_top_builddir) -I$(abs_top_builddir)/proto -I$(abs_top_srcdir) \
	  $(GLIB_CFLAGS) $(JSONGLIB_CFLAGS) $(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(LIBNL_CFLAGS) $(FUSE_CFLAGS) $(PROTOBUFC_CFLAGS)' \
	FUZZ_LIBS='$(GLIB_LIBS) $(JSONGLIB_LIBS) $(SECCOMP_LIBS) $(CAPNG_LIBS) $(LIBNL_LIBS) $(FUSE_LIBS) $(PROTOBUFC_LIBS) -lpthread' \
	  $(SHELL) $(top_srcdir)/tests/fuzz/run-fuzz.sh

# The generator of corpus/task (built on demand: make tests/fuzz/gen-task && tests/fuzz/gen-task DIR) and the
# one of corpus/strace (tests/fuzz/gen-strace.py DIR).
EXTRA_PROGRAMS += tests/fuzz/gen-task
tests_fuzz_gen_task_SOURCES = tests/fuzz/gen-task.c
tests_fuzz_gen_task_CPPFLAGS = $(SHIM_CPPFLAGS)
tests_fuzz_gen_task_LDADD = $(SHIM_LIBS)
$(tests_fuzz_gen_task_OBJECTS): $(SHIM_PB_H)
EXTRA_DIST += tests/fuzz/gen-strace.py
