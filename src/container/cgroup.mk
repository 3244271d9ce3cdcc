# cgroups v1 and v2
libruntime_a_SOURCES += \
	src/container/cgroup.c src/container/cgroup.h \
	src/container/cgroup-setup.c \
	src/container/cgroup-internal.h \
	src/container/cgroup-utils.c \
	src/container/cgroup-path.c \
	src/container/cgroup-resources.c \
	src/container/cgroup-oom.c \
	src/container/cgroup-stats.c

check_PROGRAMS += tests/unit/test-cgroup
TESTS += tests/unit/test-cgroup
tests_unit_test_cgroup_SOURCES = tests/unit/test-cgroup.c
tests_unit_test_cgroup_LDADD = $(RUNTIME_LIBS)

# The devices cgroup and the v2 device filter
libruntime_a_SOURCES += src/container/cgroup-devices.c src/container/cgroup-devices.h
check_PROGRAMS += tests/unit/test-cgroup-devices
TESTS += tests/unit/test-cgroup-devices
tests_unit_test_cgroup_devices_SOURCES = tests/unit/test-cgroup-devices.c
tests_unit_test_cgroup_devices_LDADD = $(RUNTIME_LIBS)
