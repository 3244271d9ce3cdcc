# Building a container (container.h). cgroups are in cgroup.mk.
libruntime_a_SOURCES += \
	src/container/container.h \
	src/container/plan.c src/container/plan.h \
	src/container/sync.c src/container/sync.h \
	src/container/namespaces.c src/container/namespaces.h \
	src/container/rootfs.c src/container/rootfs.h \
	src/container/rootfs-layers.c src/container/rootfs-layers.h \
	src/container/vfs-bind.c src/container/vfs-bind.h \
	src/container/mounts.c src/container/mounts.h \
	src/container/mount-order.c src/container/mount-order.h \
	src/container/mountinfo.c src/container/mountinfo.h \
	src/container/devices.c src/container/devices.h \
	src/container/capabilities.c src/container/capabilities.h \
	src/container/process.c src/container/process.h \
	src/container/console.c src/container/console.h \
	src/container/seccomp-oci.c src/container/seccomp-oci.h \
	src/container/hooks.c src/container/hooks.h \
	src/container/init.c src/container/init.h \
	src/container/spawn.c \
	src/container/cgroup-join.c src/container/cgroup-join.h \
	src/container/userdb.c src/container/userdb.h \
	src/container/userns.c src/container/userns.h \
	src/container/userns-pool.c src/container/userns-pool.h \
	src/container/idmap.c src/container/idmap.h

# linux.seccomp composed with the Sentry's table, in real containers beside runc (and under dockerd).
EXTRA_DIST += tests/integration/seccomp-profile.bats

# The sandbox's user namespace by default: ranges, idmapped mounts, --userns=host (beside runc).
EXTRA_DIST += tests/integration/userns.bats

# Real containers from a busybox root (as root; skipped otherwise).
check_PROGRAMS += tests/unit/test-container
TESTS += tests/unit/test-container
tests_unit_test_container_SOURCES = tests/unit/test-container.c
tests_unit_test_container_LDADD = $(RUNTIME_LIBS)

# The overlay a mount point shows, from mountinfo.
check_PROGRAMS += tests/unit/test-mountinfo
TESTS += tests/unit/test-mountinfo
tests_unit_test_mountinfo_SOURCES = tests/unit/test-mountinfo.c
tests_unit_test_mountinfo_LDADD = $(RUNTIME_LIBS)

# Entering cgroups without an RCU grace period (as root on the host's cgroups; skipped otherwise).
check_PROGRAMS += tests/unit/test-cgroup-join
TESTS += tests/unit/test-cgroup-join
tests_unit_test_cgroup_join_SOURCES = tests/unit/test-cgroup-join.c
tests_unit_test_cgroup_join_LDADD = $(RUNTIME_LIBS)

# A container's users and groups from its own /etc/passwd and /etc/group (HOME, runsc exec --user NAME).
check_PROGRAMS += tests/unit/test-userdb
TESTS += tests/unit/test-userdb
tests_unit_test_userdb_SOURCES = tests/unit/test-userdb.c
tests_unit_test_userdb_LDADD = $(RUNTIME_LIBS)

# The pool of host id ranges for sandboxes' user namespaces: flag values, allocation, release, reclaim.
check_PROGRAMS += tests/unit/test-userns-pool
TESTS += tests/unit/test-userns-pool
tests_unit_test_userns_pool_SOURCES = tests/unit/test-userns-pool.c
tests_unit_test_userns_pool_LDADD = $(RUNTIME_LIBS)
