# Building a container (container.h). cgroups are in cgroup.mk.
libruntime_a_SOURCES += \
	src/container/container.h
