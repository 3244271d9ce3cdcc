# cgroups v1 and v2 (owned by the resources engineer)
libruntime_a_SOURCES += \
	src/container/cgroup.c src/container/cgroup.h \
	src/container/cgroup-internal.h \
	src/container/cgroup-utils.c \
	src/container/cgroup-path.c \
	src/container/cgroup-resources.c \
	src/container/cgroup-oom.c \
	src/container/cgroup-stats.c
