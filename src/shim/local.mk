# src/shim: containerd-shim-runsc-v1, containerd's runtime-v2 shim for runsc (DESIGN.md section 6).
#
# The protobuf-c code is generated at build time from proto/*.proto into $(builddir)/proto/.

# Listed one by one: automake must see each generated .c to name its object.
SHIM_PB_C = proto/wellknown.pb-c.c proto/ttrpc.pb-c.c proto/task.pb-c.c proto/events.pb-c.c \
	proto/runtimeoptions.pb-c.c proto/metrics.pb-c.c
SHIM_PB_H = proto/wellknown.pb-c.h proto/ttrpc.pb-c.h proto/task.pb-c.h proto/events.pb-c.h \
	proto/runtimeoptions.pb-c.h proto/metrics.pb-c.h

EXTRA_DIST += proto/wellknown.proto proto/ttrpc.proto proto/task.proto proto/events.proto \
	proto/runtimeoptions.proto proto/metrics.proto
BUILT_SOURCES += $(SHIM_PB_H) $(SHIM_PB_C)
CLEANFILES += $(SHIM_PB_H) $(SHIM_PB_C)

proto/%.pb-c.c proto/%.pb-c.h: $(top_srcdir)/proto/%.proto
	$(AM_V_GEN)$(MKDIR_P) proto && $(PROTOC_C) -I$(top_srcdir)/proto --c_out=proto $<

SHIM_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/proto $(PROTOBUFC_CFLAGS)

# Everything but main.c, in a library so that the unit tests link the same code.
noinst_LIBRARIES += libshim.a
libshim_a_CPPFLAGS = $(SHIM_CPPFLAGS)
libshim_a_SOURCES = \
	src/shim/toml.c src/shim/toml.h \
	src/shim/bundle.c src/shim/bundle.h \
	src/shim/options.c src/shim/options.h \
	src/shim/ttrpc.c src/shim/ttrpc.h \
	src/shim/reaper.c src/shim/reaper.h \
	src/shim/runsc-client.c src/shim/runsc-client.h \
	src/shim/io.c src/shim/io.h \
	src/shim/console.c src/shim/console.h \
	src/shim/events.c src/shim/events.h \
	src/shim/oom.c src/shim/oom.h \
	src/shim/stats.c src/shim/stats.h \
	src/shim/rootfs.c src/shim/rootfs.h \
	src/shim/process.c src/shim/process.h \
	src/shim/task-service.c src/shim/task-service.h
nodist_libshim_a_SOURCES = $(SHIM_PB_C) $(SHIM_PB_H)

SHIM_LIBS = libshim.a $(RUNTIME_LIBS) $(PROTOBUFC_LIBS) -lpthread

bin_PROGRAMS += containerd-shim-runsc-v1
containerd_shim_runsc_v1_CPPFLAGS = $(SHIM_CPPFLAGS)
containerd_shim_runsc_v1_SOURCES = src/shim/main.c src/shim/main.h
containerd_shim_runsc_v1_LDADD = $(SHIM_LIBS)

check_PROGRAMS += tests/unit/test-shim-toml tests/unit/test-shim-ttrpc tests/unit/test-shim-stats \
	tests/unit/test-shim-spawn
TESTS += tests/unit/test-shim-toml tests/unit/test-shim-ttrpc tests/unit/test-shim-stats \
	tests/unit/test-shim-spawn
tests_unit_test_shim_toml_CPPFLAGS = $(SHIM_CPPFLAGS) -DTOP_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_shim_toml_SOURCES = tests/unit/test-shim-toml.c
tests_unit_test_shim_toml_LDADD = $(SHIM_LIBS)
tests_unit_test_shim_ttrpc_CPPFLAGS = $(SHIM_CPPFLAGS)
tests_unit_test_shim_ttrpc_SOURCES = tests/unit/test-shim-ttrpc.c
tests_unit_test_shim_ttrpc_LDADD = $(SHIM_LIBS)
tests_unit_test_shim_stats_CPPFLAGS = $(SHIM_CPPFLAGS)
tests_unit_test_shim_stats_SOURCES = tests/unit/test-shim-stats.c
tests_unit_test_shim_stats_LDADD = $(SHIM_LIBS)
tests_unit_test_shim_spawn_CPPFLAGS = $(SHIM_CPPFLAGS)
tests_unit_test_shim_spawn_SOURCES = tests/unit/test-shim-spawn.c
tests_unit_test_shim_spawn_LDADD = $(SHIM_LIBS)

# shim-update: one Task/Update RPC from the command line (ctr 1.6 has none), for shim.bats.
check_PROGRAMS += tests/lib/shim-update
tests_lib_shim_update_CPPFLAGS = $(SHIM_CPPFLAGS)
tests_lib_shim_update_SOURCES = tests/lib/shim-update.c
tests_lib_shim_update_LDADD = $(SHIM_LIBS)

EXTRA_DIST += tests/integration/shim.bats tests/integration/shim-helpers.bash

# The generated headers must exist before any shim object compiles (BUILT_SOURCES covers only `make all/check`).
$(libshim_a_OBJECTS) $(containerd_shim_runsc_v1_OBJECTS) $(tests_unit_test_shim_toml_OBJECTS) \
	$(tests_unit_test_shim_ttrpc_OBJECTS) $(tests_unit_test_shim_stats_OBJECTS) $(tests_unit_test_shim_spawn_OBJECTS) \
	$(tests_lib_shim_update_OBJECTS): $(SHIM_PB_H)
