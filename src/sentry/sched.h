/* The scheduler family of emulated calls: what the sandbox says about CPUs. */
#pragma once

#include "sentry/notify.h"

/* sched_getaffinity(2): the thread's real affinity, cut down to as many CPUs as the sandbox's cgroup allows
 * (its CFS quota, rounded up; sentry_proc_limits), so that nproc, sysconf(_SC_NPROCESSORS_ONLN) users that ask
 * for the affinity, and /proc/cpuinfo agree with the CPU limit, as LXCFS makes them. pid 0 is the caller; another
 * pid is looked up in the caller's own /proc (its pid namespace). */
long sentry_sys_sched_getaffinity (SentryCall *call);
