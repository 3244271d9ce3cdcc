/* The virtual kernel's /proc files and sysinfo(2) (see proc.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "common/log.h"
#include "sentry/kernel.h"
#include "sentry/proc.h"

#define USER_HZ 100

/* ---- small allocation-free helpers ---- */

/* Where rendered text goes: a caller's buffer. */
typedef struct
{
  char *buf;
  size_t size;
  size_t len;
  int overflow; /* the text did not fit */
} Out;

static void out_printf (Out *o, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
out_printf (Out *o, const char *fmt, ...)
{
  va_list ap;
  int n;

  if (o->overflow)
    return;
  va_start (ap, fmt);
  n = vsnprintf (o->buf + o->len, o->size - o->len, fmt, ap);
  va_end (ap);
  if (n >= 0 && (size_t) n < o->size - o->len)
    o->len += (size_t) n;
  else
    o->overflow = 1;
}

static void
out_mem (Out *o, const char *data, size_t len)
{
  if (o->overflow || len >= o->size - o->len)
    {
      o->overflow = 1;
      return;
    }
  memcpy (o->buf + o->len, data, len);
  o->len += len;
}

/* Read a whole small file at dirfd/path into buf (NUL-terminated). Returns the length or -errno. */
static ssize_t
read_small (int dirfd, const char *path, char *buf, size_t size)
{
  int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  size_t len = 0;

  if (fd < 0)
    return -errno;
  while (len < size - 1)
    {
      ssize_t n = read (fd, buf + len, size - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          close (fd);
          return -e;
        }
      if (n == 0)
        break;
      len += (size_t) n;
    }
  close (fd);
  buf[len] = '\0';
  return (ssize_t) len;
}

static int64_t
read_u64_file (int dirfd, const char *path)
{
  char buf[64];
  char *end;
  unsigned long long v;

  if (read_small (dirfd, path, buf, sizeof buf) <= 0)
    return -1;
  if (strncmp (buf, "max", 3) == 0)
    return INT64_MAX;
  errno = 0;
  v = strtoull (buf, &end, 10);
  if (errno != 0 || end == buf)
    return -1;
  return v > INT64_MAX ? INT64_MAX : (int64_t) v;
}

/* "key value" lines (memory.stat, cpu.stat, cpuacct.stat): the value of key, or -1. */
static int64_t
stat_value (const char *text, const char *key)
{
  size_t kl = strlen (key);
  const char *p = text;

  while (p && *p)
    {
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        return (int64_t) strtoull (p + kl + 1, NULL, 10);
      p = strchr (p, '\n');
      if (p)
        p++;
    }
  return -1;
}

static int host_proc = -1;
static int host_cgroup = -1;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static const char *const file_names[SENTRY_PROC_N_FILES] = {
  [SENTRY_PROC_VERSION] = "version",
  [SENTRY_PROC_CMDLINE] = "cmdline",
  [SENTRY_PROC_UPTIME] = "uptime",
  [SENTRY_PROC_MEMINFO] = "meminfo",
  [SENTRY_PROC_CPUINFO] = "cpuinfo",
  [SENTRY_PROC_STAT] = "stat",
  [SENTRY_PROC_LOADAVG] = "loadavg",
  [SENTRY_PROC_KMSG] = "kmsg",
  [SENTRY_PROC_SYS_OSRELEASE] = "sys/kernel/osrelease",
  [SENTRY_PROC_SYS_OSTYPE] = "sys/kernel/ostype",
  [SENTRY_PROC_SYS_VERSION] = "sys/kernel/version",
  [SENTRY_PROC_SYS_HOSTNAME] = "sys/kernel/hostname",
  [SENTRY_PROC_SYS_DOMAINNAME] = "sys/kernel/domainname",
};

static void
host_init (void)
{
  /* Through the held directories once the Sentry's root is empty (common/host-fs.h). */
  host_proc = runsc_host_open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  host_cgroup = runsc_host_open ("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (host_proc < 0)
    log_error ("sentry: open /proc: %s", strerror (errno));
}

/* The host's online CPUs, as get_nprocs counts them, but read through the held /sys/devices/system/cpu
 * (common/host-fs.h): glibc's get_nprocs opens the absolute path, which the confined Sentry's empty root lacks.
 * get_nprocs when the file cannot be read. */
static int
online_cpus (void)
{
  char buf[1024];
  const char *p = buf;
  ssize_t n;
  int fd = runsc_host_open ("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC, 0), count = 0;

  if (fd < 0)
    return get_nprocs ();
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return get_nprocs ();
  buf[n] = '\0';
  /* "0-3,6,8-9\n" */
  while (*p >= '0' && *p <= '9')
    {
      char *end;
      long lo = strtol (p, &end, 10), hi = lo;
      if (*end == '-')
        hi = strtol (end + 1, &end, 10);
      if (hi >= lo)
        count += (int) (hi - lo + 1);
      p = *end == ',' ? end + 1 : end;
    }
  return count > 0 ? count : get_nprocs ();
}

int
sentry_host_proc_fd (void)
{
  pthread_once (&host_once, host_init);
  return host_proc;
}

const char *
sentry_proc_file_name (SentryProcFile f)
{
  if (f <= SENTRY_PROC_NONE || f >= SENTRY_PROC_N_FILES)
    return "";
  return file_names[f];
}

void
sentry_proc_view_from_kernel (SentryKernel *k, SentryProcView *view)
{
  view->release = sentry_kernel_release (k);
  view->version = sentry_kernel_version (k);
  sentry_kernel_hostname (k, view->hostname, sizeof view->hostname);
  sentry_kernel_domainname (k, view->domainname, sizeof view->domainname);
  view->uptime_ns = sentry_kernel_uptime_ns (k);
  view->spec_mem_limit = sentry_kernel_memory_limit (k);
}

/* ---- limits ---- */

/* Count the CPUs in a list like "0-3,6". */
static int
count_cpu_list (const char *p)
{
  int n = 0;

  while (*p && *p != '\n')
    {
      long a, b;
      char *end;

      a = strtol (p, &end, 10);
      if (end == p)
        break;
      b = a;
      p = end;
      if (*p == '-')
        {
          b = strtol (p + 1, &end, 10);
          p = end;
        }
      if (b >= a)
        n += (int) (b - a + 1);
      if (*p == ',')
        p++;
    }
  return n;
}

/* A cgroup directory relative to the Sentry's cgroup root, walked up to its hierarchy's root: dir is
 * "<hierarchy>/<path>" ("memory/pod/sb", "unified/pod/sb/container", or "./pod/sb" when /sys/fs/cgroup is the
 * cgroup2 hierarchy itself); root_len is the length of "<hierarchy>". */
typedef struct
{
  char dir[520];
  size_t root_len;
} CgDir;

static int
cg_dir_set (CgDir *d, const char *hierarchy, const char *path)
{
  int n;

  while (*path == '/')
    path++;
  n = snprintf (d->dir, sizeof d->dir, "%s%s%s", hierarchy, *path ? "/" : "", path);
  if (n < 0 || (size_t) n >= sizeof d->dir)
    {
      d->dir[0] = '\0';
      return 0;
    }
  while (n > 0 && d->dir[n - 1] == '/' && (size_t) n > strlen (hierarchy))
    d->dir[--n] = '\0';
  d->root_len = strlen (hierarchy);
  return 1;
}

static int
cg_dir_is_root (const CgDir *d)
{
  return strlen (d->dir) <= d->root_len;
}

/* Up one level; 0 when d was the hierarchy's root. */
static int
cg_dir_up (CgDir *d)
{
  char *slash;

  if (cg_dir_is_root (d))
    return 0;
  slash = strrchr (d->dir, '/');
  if (slash == NULL || (size_t) (slash - d->dir) < d->root_len)
    return 0;
  *slash = '\0';
  return 1;
}

static int64_t
cg_read_u64 (int cgfd, const CgDir *d, const char *file)
{
  char path[600];

  snprintf (path, sizeof path, "%s/%s", d->dir, file);
  return read_u64_file (cgfd, path);
}

static ssize_t
cg_read_text (int cgfd, const CgDir *d, const char *file, char *buf, size_t size)
{
  char path[600];

  snprintf (path, sizeof path, "%s/%s", d->dir, file);
  return read_small (cgfd, path, buf, size);
}

/* v2 cpu.max "QUOTA PERIOD" (or "max PERIOD"): the CPUs it allows, or 0 for no limit / no file. */
static int
cg_v2_cpu_max (int cgfd, const CgDir *d)
{
  char buf[64], *end;
  long long quota, period;

  if (cg_read_text (cgfd, d, "cpu.max", buf, sizeof buf) <= 0 || buf[0] < '0' || buf[0] > '9')
    return 0;
  quota = strtoll (buf, &end, 10);
  period = *end == ' ' ? strtoll (end + 1, NULL, 10) : 100000;
  if (quota <= 0 || period <= 0)
    return 0;
  return (int) ((quota + period - 1) / period);
}

static void
lower_ncpus (SentryProcLimits *out, int c)
{
  if (c >= 1 && c < out->ncpus)
    out->ncpus = c;
}

/* The memory limit of d and its ancestors (the smallest; 0 for none) into *limit. Returns 1 when the cgroup is
 * known: some level below the hierarchy's root has the limit file. */
static int
cg_memory_limit (int cgfd, CgDir d, const char *file, int v1, uint64_t *limit)
{
  int known = 0;

  *limit = 0;
  do
    {
      int64_t l = cg_read_u64 (cgfd, &d, file);
      if (l < 0)
        continue;
      if (!cg_dir_is_root (&d))
        known = 1;
      /* v1 says "no limit" with a huge page-aligned number, v2 with "max". */
      if (l > 0 && (v1 ? l < INT64_MAX / 2 : l != INT64_MAX) && (*limit == 0 || (uint64_t) l < *limit))
        *limit = (uint64_t) l;
    }
  while (cg_dir_up (&d));
  return known;
}

/* The first level from d up (below the hierarchy's root) that has file: 1 and *d set to it, or 0. */
static int
cg_find_up (int cgfd, CgDir *d, const char *file)
{
  char path[600];

  do
    {
      if (cg_dir_is_root (d))
        return 0;
      snprintf (path, sizeof path, "%s/%s", d->dir, file);
      if (faccessat (cgfd, path, R_OK, 0) == 0)
        return 1;
    }
  while (cg_dir_up (d));
  return 0;
}

/* Count the lines of file in d (v1 tasks, v2 cgroup.threads), or -1. */
static int64_t
cg_count_lines (int cgfd, const CgDir *d, const char *file)
{
  char path[600], buf[4096];
  int64_t lines = 0;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "%s/%s", d->dir, file);
  fd = openat (cgfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < n; i++)
      lines += buf[i] == '\n';
  close (fd);
  return lines;
}

void
sentry_proc_limits_at (int proc_fd, int cgroup_fd, pid_t tid, uint64_t spec_mem_limit, SentryProcLimits *out)
{
  char buf[4096];
  char path[64];
  char mem_cg[512] = "", cpu_cg[512] = "", cpuacct_cg[512] = "", pids_cg[512] = "", v2_cg[512] = "";
  int have_mem = 0, have_cpu = 0, have_cpuacct = 0, have_pids = 0, have_v2 = 0;
  int mem_known = 0;
  uint64_t cg_limit = 0;
  const char *v2_base = NULL;
  CgDir d;
  ssize_t n;
  const char *p;

  out->mem_limit = spec_mem_limit;
  out->mem_usage = -1;
  out->mem_cache = -1;
  out->ncpus = online_cpus ();
  out->cpu_user_ns = -1;
  out->cpu_sys_ns = -1;
  out->tasks = -1;
  if (out->ncpus < 1)
    out->ncpus = 1;
  if (proc_fd < 0)
    return;

  /* CPUs: the app's affinity. */
  snprintf (path, sizeof path, "%d/status", (int) tid);
  if (read_small (proc_fd, path, buf, sizeof buf) > 0 && (p = strstr (buf, "Cpus_allowed_list:")) != NULL)
    {
      p += strlen ("Cpus_allowed_list:");
      while (*p == ' ' || *p == '\t')
        p++;
      lower_ncpus (out, count_cpu_list (p));
    }

  /* The app's cgroups, as paths in the Sentry's cgroup namespace. */
  snprintf (path, sizeof path, "%d/cgroup", (int) tid);
  n = read_small (proc_fd, path, buf, sizeof buf);
  if (n <= 0 || cgroup_fd < 0)
    return;
  for (char *line = buf; line && *line; )
    {
      char *next = strchr (line, '\n');
      char *c1, *c2;

      if (next)
        *next++ = '\0';
      c1 = strchr (line, ':');
      c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2)
        {
          const char *ctrls = c1 + 1;
          const char *cg = c2 + 1;
          size_t cl = (size_t) (c2 - ctrls);
          if (cl == 0)
            have_v2 = snprintf (v2_cg, sizeof v2_cg, "%s", cg) > 0;
          else
            {
              char list[128];
              snprintf (list, sizeof list, ",%.*s,", (int) cl, ctrls);
              if (strstr (list, ",memory,"))
                have_mem = snprintf (mem_cg, sizeof mem_cg, "%s", cg) > 0;
              if (strstr (list, ",cpu,"))
                have_cpu = snprintf (cpu_cg, sizeof cpu_cg, "%s", cg) > 0;
              if (strstr (list, ",cpuacct,"))
                have_cpuacct = snprintf (cpuacct_cg, sizeof cpuacct_cg, "%s", cg) > 0;
              if (strstr (list, ",pids,"))
                have_pids = snprintf (pids_cg, sizeof pids_cg, "%s", cg) > 0;
            }
        }
      line = next;
    }

  /* Where the cgroup2 hierarchy is: /sys/fs/cgroup itself on a v2 host (or in a mount namespace that sees only
   * cgroup2), /sys/fs/cgroup/unified on a hybrid one. A v1 line whose hierarchy is not mounted does not count. */
  if (have_v2)
    {
      if (faccessat (cgroup_fd, "cgroup.controllers", F_OK, 0) == 0)
        v2_base = ".";
      else if (faccessat (cgroup_fd, "unified/cgroup.controllers", F_OK, 0) == 0)
        v2_base = "unified";
    }
  have_mem = have_mem && faccessat (cgroup_fd, "memory/memory.limit_in_bytes", F_OK, 0) == 0;
  have_cpu = have_cpu && faccessat (cgroup_fd, "cpu/cpu.cfs_quota_us", F_OK, 0) == 0;
  have_cpuacct = have_cpuacct && faccessat (cgroup_fd, "cpuacct/cpuacct.stat", F_OK, 0) == 0;
  have_pids = have_pids && faccessat (cgroup_fd, "pids", F_OK, 0) == 0;

  /* Memory: the limits of the app's cgroup and of every ancestor apply; the live values win over the spec's
   * (runsc update may have raised or lowered the limit), which is only for a sandbox without a cgroup. */
  if (have_mem && cg_dir_set (&d, "memory", mem_cg))
    {
      mem_known = cg_memory_limit (cgroup_fd, d, "memory.limit_in_bytes", 1, &cg_limit);
      if (mem_known && !cg_dir_is_root (&d))
        {
          out->mem_usage = cg_read_u64 (cgroup_fd, &d, "memory.usage_in_bytes");
          if (out->mem_usage >= 0 && cg_read_text (cgroup_fd, &d, "memory.stat", buf, sizeof buf) > 0)
            out->mem_cache = stat_value (buf, "total_cache");
        }
    }
  if (!mem_known && v2_base && cg_dir_set (&d, v2_base, v2_cg))
    {
      mem_known = cg_memory_limit (cgroup_fd, d, "memory.max", 0, &cg_limit);
      /* The app's own cgroup may have no memory controller (the sandbox cgroup enables none for its child):
       * usage is the nearest ancestor's. */
      if (mem_known && cg_find_up (cgroup_fd, &d, "memory.current"))
        {
          out->mem_usage = cg_read_u64 (cgroup_fd, &d, "memory.current");
          if (out->mem_usage >= 0 && cg_read_text (cgroup_fd, &d, "memory.stat", buf, sizeof buf) > 0)
            out->mem_cache = stat_value (buf, "file");
        }
    }
  if (mem_known)
    out->mem_limit = cg_limit;

  /* CPU: a CFS quota on the cgroup or any ancestor limits the CPU count; usage from cpuacct (v1) or cpu.stat
   * (v2). Not for the root cgroup (the host's). */
  if (have_cpu && cg_dir_set (&d, "cpu", cpu_cg))
    do
      {
        int64_t quota = cg_read_u64 (cgroup_fd, &d, "cpu.cfs_quota_us");
        int64_t period = cg_read_u64 (cgroup_fd, &d, "cpu.cfs_period_us");
        if (quota > 0 && quota != INT64_MAX && period > 0)
          lower_ncpus (out, (int) ((quota + period - 1) / period));
      }
    while (cg_dir_up (&d));
  if (have_cpuacct && cg_dir_set (&d, "cpuacct", cpuacct_cg) && !cg_dir_is_root (&d)
      && cg_read_text (cgroup_fd, &d, "cpuacct.stat", buf, sizeof buf) > 0)
    {
      int64_t u = stat_value (buf, "user"), s = stat_value (buf, "system");
      if (u >= 0 && s >= 0)
        {
          out->cpu_user_ns = u * (1000000000 / USER_HZ);
          out->cpu_sys_ns = s * (1000000000 / USER_HZ);
        }
    }
  if (v2_base && cg_dir_set (&d, v2_base, v2_cg))
    {
      if (!have_cpu)
        {
          CgDir up = d;
          do
            lower_ncpus (out, cg_v2_cpu_max (cgroup_fd, &up));
          while (cg_dir_up (&up));
        }
      if (out->cpu_user_ns < 0 && !cg_dir_is_root (&d) && cg_read_text (cgroup_fd, &d, "cpu.stat", buf, sizeof buf) > 0)
        {
          int64_t u = stat_value (buf, "user_usec"), s = stat_value (buf, "system_usec");
          if (u >= 0 && s >= 0)
            {
              out->cpu_user_ns = u * 1000;
              out->cpu_sys_ns = s * 1000;
            }
        }
    }

  /* Tasks: pids.current of the pids cgroup (v1, or v2 from the app's cgroup up), else the lines of the app's
   * cgroup's thread list. */
  if (have_pids && cg_dir_set (&d, "pids", pids_cg) && !cg_dir_is_root (&d))
    out->tasks = cg_read_u64 (cgroup_fd, &d, "pids.current");
  if (out->tasks < 0 && v2_base && cg_dir_set (&d, v2_base, v2_cg) && !cg_dir_is_root (&d))
    {
      CgDir up = d;
      if (cg_find_up (cgroup_fd, &up, "pids.current"))
        out->tasks = cg_read_u64 (cgroup_fd, &up, "pids.current");
      else
        out->tasks = cg_count_lines (cgroup_fd, &d, "cgroup.threads");
    }
  if (out->tasks < 0 && have_mem && cg_dir_set (&d, "memory", mem_cg) && !cg_dir_is_root (&d))
    out->tasks = cg_count_lines (cgroup_fd, &d, "tasks");
}

void
sentry_proc_limits (pid_t tid, uint64_t spec_mem_limit, SentryProcLimits *out)
{
  pthread_once (&host_once, host_init);
  sentry_proc_limits_at (host_proc, host_cgroup, tid, spec_mem_limit, out);
}

/* ---- renderers ---- */

static uint64_t
mem_total (const SentryProcLimits *lim)
{
  struct sysinfo si;

  if (lim->mem_limit)
    {
      uint64_t host;
      sysinfo (&si);
      host = (uint64_t) si.totalram * si.mem_unit;
      return lim->mem_limit < host ? lim->mem_limit : host;
    }
  sysinfo (&si);
  return (uint64_t) si.totalram * si.mem_unit;
}

static void
mem_free (const SentryProcLimits *lim, uint64_t total, uint64_t *free_out, uint64_t *cache_out)
{
  uint64_t used = lim->mem_usage > 0 ? (uint64_t) lim->mem_usage : 0;
  uint64_t cache = lim->mem_cache > 0 ? (uint64_t) lim->mem_cache : 0;

  /* A cgroup shared with others (or a limit only in the spec) can use more than the sandbox's total. */
  if (used > total)
    used = total;
  if (cache > used)
    cache = used;
  *free_out = used < total ? total - used : 0;
  *cache_out = cache;
}

static void
meminfo_line (Out *o, const char *name, uint64_t bytes)
{
  char label[32];

  snprintf (label, sizeof label, "%s:", name);
  out_printf (o, "%-16s%8" PRIu64 " kB\n", label, bytes / 1024);
}

static void
render_meminfo (Out *o, const SentryProcLimits *lim)
{
  uint64_t total, freeb, cache;

  if (lim->mem_limit == 0)
    {
      /* No limit: the host's numbers are the sandbox's. */
      char buf[8192];
      ssize_t n = read_small (host_proc, "meminfo", buf, sizeof buf);
      if (n > 0)
        {
          out_mem (o, buf, (size_t) n);
          return;
        }
    }
  total = mem_total (lim);
  if (lim->mem_usage >= 0)
    mem_free (lim, total, &freeb, &cache);
  else
    {
      struct sysinfo si;
      sysinfo (&si);
      freeb = (uint64_t) si.freeram * si.mem_unit;
      if (freeb > total)
        freeb = total;
      cache = 0;
    }
  meminfo_line (o, "MemTotal", total);
  meminfo_line (o, "MemFree", freeb);
  meminfo_line (o, "MemAvailable", freeb + cache);
  meminfo_line (o, "Buffers", 0);
  meminfo_line (o, "Cached", cache);
  meminfo_line (o, "SwapCached", 0);
  meminfo_line (o, "Active", total - freeb - cache);
  meminfo_line (o, "Inactive", cache);
  meminfo_line (o, "Active(anon)", total - freeb - cache);
  meminfo_line (o, "Inactive(anon)", 0);
  meminfo_line (o, "Active(file)", 0);
  meminfo_line (o, "Inactive(file)", cache);
  meminfo_line (o, "Unevictable", 0);
  meminfo_line (o, "Mlocked", 0);
  meminfo_line (o, "SwapTotal", 0);
  meminfo_line (o, "SwapFree", 0);
  meminfo_line (o, "Dirty", 0);
  meminfo_line (o, "Writeback", 0);
  meminfo_line (o, "AnonPages", total - freeb - cache);
  meminfo_line (o, "Mapped", 0);
  meminfo_line (o, "Shmem", 0);
  meminfo_line (o, "KReclaimable", 0);
  meminfo_line (o, "Slab", 0);
  meminfo_line (o, "SReclaimable", 0);
  meminfo_line (o, "SUnreclaim", 0);
  meminfo_line (o, "KernelStack", 0);
  meminfo_line (o, "PageTables", 0);
  meminfo_line (o, "CommitLimit", total);
  meminfo_line (o, "Committed_AS", total - freeb);
  meminfo_line (o, "VmallocTotal", 0);
  meminfo_line (o, "VmallocUsed", 0);
  meminfo_line (o, "VmallocChunk", 0);
}

/* The host's cpuinfo, cut to the first ncpus processors. */
static void
render_cpuinfo (Out *o, const SentryProcLimits *lim)
{
  static char buf[1 << 21]; /* the host's whole cpuinfo (about 1.5 kB per CPU) */
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  ssize_t n;
  int seen = 0;
  const char *p, *end;

  pthread_mutex_lock (&lock);
  n = read_small (host_proc, "cpuinfo", buf, sizeof buf);
  if (n <= 0)
    {
      pthread_mutex_unlock (&lock);
      return;
    }
  end = buf + n;
  for (p = buf; p < end; )
    {
      /* A processor's block ends with an empty line. */
      const char *blk_end = strstr (p, "\n\n");
      blk_end = blk_end ? blk_end + 2 : end;
      if (strncmp (p, "processor", 9) == 0)
        {
          if (seen >= lim->ncpus)
            break;
          seen++;
        }
      out_mem (o, p, (size_t) (blk_end - p));
      p = blk_end;
    }
  pthread_mutex_unlock (&lock);
}

static uint64_t
cpu_used_ns (const SentryProcLimits *lim)
{
  uint64_t u = lim->cpu_user_ns > 0 ? (uint64_t) lim->cpu_user_ns : 0;
  uint64_t s = lim->cpu_sys_ns > 0 ? (uint64_t) lim->cpu_sys_ns : 0;
  return u + s;
}

static uint64_t
idle_ns (const SentryProcView *view, const SentryProcLimits *lim)
{
  uint64_t all = view->uptime_ns * (uint64_t) lim->ncpus;
  uint64_t used = cpu_used_ns (lim);
  return used < all ? all - used : 0;
}

static void
render_stat (Out *o, const SentryProcView *view, const SentryProcLimits *lim)
{
  uint64_t tick = 1000000000 / USER_HZ;
  uint64_t user = (lim->cpu_user_ns > 0 ? (uint64_t) lim->cpu_user_ns : 0) / tick;
  uint64_t sys = (lim->cpu_sys_ns > 0 ? (uint64_t) lim->cpu_sys_ns : 0) / tick;
  uint64_t idle = idle_ns (view, lim) / tick;
  struct timespec now;
  int64_t btime;
  int n = lim->ncpus;

  clock_gettime (CLOCK_REALTIME, &now);
  btime = (int64_t) now.tv_sec - (int64_t) (view->uptime_ns / 1000000000);
  out_printf (o, "cpu  %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", user, sys, idle);
  for (int i = 0; i < n; i++)
    out_printf (o, "cpu%d %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", i, user / (uint64_t) n,
                sys / (uint64_t) n, idle / (uint64_t) n);
  out_printf (o, "intr 0\nctxt 0\nbtime %" PRId64 "\nprocesses %" PRId64 "\nprocs_running 1\nprocs_blocked 0\n"
              "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
              btime, lim->tasks > 0 ? lim->tasks : 1);
}

static int
render (Out *out, SentryProcFile f, const SentryProcView *view, const SentryProcLimits *lim, pid_t caller_ns_tid)
{
  uint64_t up = view->uptime_ns;

  pthread_once (&host_once, host_init);
  switch (f)
    {
    case SENTRY_PROC_VERSION:
      out_printf (out, "Linux version %s %s\n", view->release, view->version);
      break;
    case SENTRY_PROC_CMDLINE:
      out_printf (out, "BOOT_IMAGE=/boot/vmlinuz-%s-runsc ro quiet\n", view->release);
      break;
    case SENTRY_PROC_UPTIME:
      {
        uint64_t idle = idle_ns (view, lim);
        out_printf (out, "%" PRIu64 ".%02" PRIu64 " %" PRIu64 ".%02" PRIu64 "\n", up / 1000000000,
                    (up % 1000000000) / 10000000, idle / 1000000000, (idle % 1000000000) / 10000000);
      }
      break;
    case SENTRY_PROC_MEMINFO:
      render_meminfo (out, lim);
      break;
    case SENTRY_PROC_CPUINFO:
      render_cpuinfo (out, lim);
      break;
    case SENTRY_PROC_STAT:
      render_stat (out, view, lim);
      break;
    case SENTRY_PROC_LOADAVG:
      out_printf (out, "0.00 0.00 0.00 1/%" PRId64 " %d\n", lim->tasks > 0 ? lim->tasks : 1, (int) caller_ns_tid);
      break;
    case SENTRY_PROC_SYS_OSRELEASE:
      out_printf (out, "%s\n", view->release);
      break;
    case SENTRY_PROC_SYS_OSTYPE:
      out_printf (out, "%s\n", SENTRY_SYSNAME);
      break;
    case SENTRY_PROC_SYS_VERSION:
      out_printf (out, "%s\n", view->version);
      break;
    case SENTRY_PROC_SYS_HOSTNAME:
      out_printf (out, "%s\n", view->hostname);
      break;
    case SENTRY_PROC_SYS_DOMAINNAME:
      out_printf (out, "%s\n", view->domainname[0] ? view->domainname : "(none)");
      break;
    default:
      return -EINVAL;
    }
  return 0;
}

ssize_t
sentry_proc_render (SentryProcFile f, const SentryProcView *view, const SentryProcLimits *lim, pid_t caller_ns_tid,
                    char *buf, size_t size)
{
  Out o = { buf, size, 0, 0 };
  int r = render (&o, f, view, lim, caller_ns_tid);

  if (r < 0)
    return r;
  if (o.overflow)
    return -ENOSPC;
  return (ssize_t) o.len;
}

void
sentry_proc_sysinfo (const SentryProcView *view, const SentryProcLimits *lim, struct sysinfo *out)
{
  struct sysinfo host;
  uint64_t total, freeb, cache;

  sysinfo (&host);
  memset (out, 0, sizeof *out);
  out->uptime = (long) (view->uptime_ns / 1000000000);
  out->loads[0] = out->loads[1] = out->loads[2] = 0;
  out->mem_unit = 1;
  if (lim->mem_limit)
    {
      total = mem_total (lim);
      if (lim->mem_usage >= 0)
        mem_free (lim, total, &freeb, &cache);
      else
        {
          freeb = (uint64_t) host.freeram * host.mem_unit;
          if (freeb > total)
            freeb = total;
          cache = 0;
        }
      out->totalram = total;
      out->freeram = freeb;
      out->sharedram = 0;
      out->bufferram = 0;
      out->totalswap = 0;
      out->freeswap = 0;
    }
  else
    {
      out->totalram = (uint64_t) host.totalram * host.mem_unit;
      out->freeram = (uint64_t) host.freeram * host.mem_unit;
      out->sharedram = (uint64_t) host.sharedram * host.mem_unit;
      out->bufferram = (uint64_t) host.bufferram * host.mem_unit;
      out->totalswap = (uint64_t) host.totalswap * host.mem_unit;
      out->freeswap = (uint64_t) host.freeswap * host.mem_unit;
    }
  out->totalhigh = 0;
  out->freehigh = 0;
  out->procs = (unsigned short) (lim->tasks > 0 ? (lim->tasks > 65535 ? 65535 : lim->tasks) : 1);
}

long
sentry_sys_sysinfo (SentryCall *call)
{
  SentryProcView view;
  SentryProcLimits lim;
  struct sysinfo si;
  int r;

  sentry_proc_view_from_kernel (call->kernel, &view);
  sentry_proc_limits (sentry_call_pid (call), view.spec_mem_limit, &lim);
  sentry_proc_sysinfo (&view, &lim, &si);
  r = sentry_call_valid (call);
  if (r < 0)
    return r;
  r = sentry_write_mem (call, sentry_call_arg (call, 0), &si, sizeof si);
  if (r < 0)
    return r;
  return 0;
}
