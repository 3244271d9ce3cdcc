/* The virtual kernel's /proc files and sysinfo(2).
 *
 * /proc/{version,cmdline,uptime,meminfo,cpuinfo,stat,loadavg} and /proc/sys/kernel/{osrelease,ostype,version,
 * hostname,domainname} are the Sentry's: their text comes from the sandbox kernel (release, version string,
 * boot time, uts names) and from the limits of the calling app's cgroups (memory, cpu), as LXCFS does, so that
 * they agree with uname(2), sysinfo(2) and with each other. vfs.c serves the text rendered here over FUSE.
 *
 * Rendering is allocation-free (stack buffers, the Sentry's own descriptors to /proc and /sys/fs/cgroup): sysinfo(2)
 * runs it on the syscall path. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/types.h>

#include "sentry/notify.h"

typedef enum
{
  SENTRY_PROC_NONE = 0,
  SENTRY_PROC_VERSION,
  SENTRY_PROC_CMDLINE,
  SENTRY_PROC_UPTIME,
  SENTRY_PROC_MEMINFO,
  SENTRY_PROC_CPUINFO,
  SENTRY_PROC_STAT,
  SENTRY_PROC_LOADAVG,
  SENTRY_PROC_KMSG,          /* /proc/kmsg: served by kmsg.c */
  SENTRY_PROC_SYS_OSRELEASE, /* /proc/sys/kernel/... */
  SENTRY_PROC_SYS_OSTYPE,
  SENTRY_PROC_SYS_VERSION,
  SENTRY_PROC_SYS_HOSTNAME,
  SENTRY_PROC_SYS_DOMAINNAME,
  SENTRY_PROC_N_FILES
} SentryProcFile;

/* What the renderers need from the virtual kernel, copied out once per call (tests fill it by hand). */
typedef struct
{
  const char *release;
  const char *version;
  char hostname[65];
  char domainname[65];
  uint64_t uptime_ns;       /* since the sandbox booted */
  uint64_t spec_mem_limit;  /* bytes, 0 = none */
} SentryProcView;

/* Limits and usage of one app's cgroups (v1 or v2), read at call time. 0 / -1 mean unknown. */
typedef struct
{
  uint64_t mem_limit;   /* the cgroup limits up the hierarchy (the spec's without a cgroup), 0 = none */
  int64_t mem_usage;    /* bytes, -1 unknown */
  int64_t mem_cache;    /* page cache bytes, -1 unknown */
  int ncpus;            /* online CPUs the app may use (affinity, cpu quota), >= 1 */
  int64_t cpu_user_ns;  /* cgroup CPU time, -1 unknown */
  int64_t cpu_sys_ns;
  int64_t tasks;        /* threads in the app's cgroup, -1 unknown */
} SentryProcLimits;

/* Fill *view from the kernel's accessors (kernel.h). */
void sentry_proc_view_from_kernel (SentryKernel *k, SentryProcView *view);

/* Read the limits of app thread tid (its /proc/TID/cgroup, /proc/TID/status Cpus_allowed_list, the cgroup
 * files under /sys/fs/cgroup); the spec's memory limit counts only when the app has no memory cgroup (see below).
 * Never fails: unknown values stay unknown. */
void sentry_proc_limits (pid_t tid, uint64_t spec_mem_limit, SentryProcLimits *out);

/* The same with the /proc and cgroup root directories given (tests use fake trees). cgroup_fd is what
 * /sys/fs/cgroup is: a v1 or hybrid layout (one directory per hierarchy: memory/, cpu/, cpuacct/, pids/, and
 * unified/ for cgroup2), or the cgroup2 hierarchy itself (it has cgroup.controllers). Memory: the smallest limit
 * of the app's cgroup and its ancestors (v1 memory.limit_in_bytes, else v2 memory.max); when the app has such a
 * cgroup, that live value is the limit even if the spec's differs (runsc update changes the cgroup), and
 * spec_mem_limit counts only when it has none. CPUs: affinity, and the CFS quota (v1 cpu.cfs_quota_us, v2
 * cpu.max) of the cgroup and its ancestors. */
void sentry_proc_limits_at (int proc_fd, int cgroup_fd, pid_t tid, uint64_t spec_mem_limit, SentryProcLimits *out);

/* Render file f into buf (size bytes). Returns the length, or -ENOSPC/-errno. Pure given its inputs, except
 * for cpuinfo and an unlimited meminfo, which start from the host's files. */
ssize_t sentry_proc_render (SentryProcFile f, const SentryProcView *view, const SentryProcLimits *lim,
                            pid_t caller_ns_tid, char *buf, size_t size);

/* sysinfo(2) of the sandbox, consistent with meminfo/uptime. */
void sentry_proc_sysinfo (const SentryProcView *view, const SentryProcLimits *lim, struct sysinfo *out);

/* The file's name for logs and memfd names ("version", "sys/kernel/osrelease"). */
const char *sentry_proc_file_name (SentryProcFile f);

/* The Sentry's own host /proc, opened once (O_PATH directory, close-on-exec); -1 on failure. */
int sentry_host_proc_fd (void);

/* Table handler for sysinfo(2). */
long sentry_sys_sysinfo (SentryCall *call);
