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

#include "common/log.h"
#include "sentry/kernel.h"
#include "sentry/proc.h"

#define USER_HZ 100

/* ---- small allocation-free helpers ---- */

/* Where rendered text goes: a caller's buffer, or (fd >= 0) a buffer flushed to fd whenever it fills. */
typedef struct
{
  char *buf;
  size_t size;
  size_t len;
  int overflow; /* buffer mode: the text did not fit; fd mode: a write failed */
  int fd;
  size_t flushed;
} Out;

static void
out_flush (Out *o)
{
  size_t off = 0;

  if (o->fd < 0 || o->overflow)
    return;
  while (off < o->len)
    {
      ssize_t w = write (o->fd, o->buf + off, o->len - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        {
          o->overflow = 1;
          return;
        }
      off += (size_t) w;
    }
  o->flushed += o->len;
  o->len = 0;
}

static void out_printf (Out *o, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
out_printf (Out *o, const char *fmt, ...)
{
  va_list ap;
  int n;

  for (int attempt = 0; attempt < 2 && !o->overflow; attempt++)
    {
      va_start (ap, fmt);
      n = vsnprintf (o->buf + o->len, o->size - o->len, fmt, ap);
      va_end (ap);
      if (n >= 0 && (size_t) n < o->size - o->len)
        {
          o->len += (size_t) n;
          return;
        }
      if (o->fd < 0 || o->len == 0)
        break;
      out_flush (o);
    }
  o->overflow = 1;
}

static void
out_mem (Out *o, const char *data, size_t len)
{
  while (len > 0 && !o->overflow)
    {
      size_t room = o->size - o->len;
      size_t chunk = len < room ? len : room;
      if (chunk == 0 || (o->fd < 0 && len >= room))
        {
          if (o->fd < 0)
            {
              o->overflow = 1;
              return;
            }
          out_flush (o);
          continue;
        }
      memcpy (o->buf + o->len, data, chunk);
      o->len += chunk;
      data += chunk;
      len -= chunk;
    }
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

/* Inode numbers of the top-level procfs files: procfs gives each of its fixed entries one inode number for every
 * mount of it, so the Sentry's own /proc tells what the container's procfs calls them. */
static ino_t proc_ino[SENTRY_PROC_N_FILES];

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
  struct stat st;

  host_proc = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  host_cgroup = open ("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_proc < 0)
    {
      log_error ("sentry: open /proc: %s", strerror (errno));
      return;
    }
  for (int f = SENTRY_PROC_VERSION; f <= SENTRY_PROC_KMSG; f++)
    if (fstatat (host_proc, file_names[f], &st, AT_SYMLINK_NOFOLLOW) == 0)
      proc_ino[f] = st.st_ino;
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

SentryProcFile
sentry_proc_identify (int fd, const struct stat *st)
{
  struct statfs sfs;
  char link[64];
  char path[512];
  ssize_t n;

  SentryProcFile top = SENTRY_PROC_NONE;

  /* Cheap filters first: procfs is on an anonymous device; its fixed top-level files have well-known inode
   * numbers, and /proc/sys files report size 0. Only then ask the filesystem type. */
  if (!S_ISREG (st->st_mode) || major (st->st_dev) != 0)
    return SENTRY_PROC_NONE;
  pthread_once (&host_once, host_init);
  for (int f = SENTRY_PROC_VERSION; f <= SENTRY_PROC_KMSG; f++)
    if (proc_ino[f] != 0 && st->st_ino == proc_ino[f])
      top = (SentryProcFile) f;
  if (top == SENTRY_PROC_NONE && st->st_size != 0)
    return SENTRY_PROC_NONE;
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    return SENTRY_PROC_NONE;
  if (top != SENTRY_PROC_NONE)
    return top;

  /* /proc/sys entries get fresh inode numbers: go by the path, which is unique inside procfs. */
  snprintf (link, sizeof link, "thread-self/fd/%d", fd);
  n = readlinkat (host_proc, link, path, sizeof path - 1);
  if (n <= 0)
    return SENTRY_PROC_NONE;
  path[n] = '\0';
  for (int f = SENTRY_PROC_SYS_OSRELEASE; f < SENTRY_PROC_N_FILES; f++)
    {
      size_t fl = strlen (file_names[f]);
      if ((size_t) n > fl && path[n - fl - 1] == '/' && strcmp (path + n - fl, file_names[f]) == 0)
        return (SentryProcFile) f;
    }
  return SENTRY_PROC_NONE;
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

void
sentry_proc_limits (pid_t tid, uint64_t spec_mem_limit, SentryProcLimits *out)
{
  char buf[4096];
  char path[600];
  char mem_path[512] = "";
  char cpu_path[512] = "";
  char pids_path[512] = "";
  char v2_path[512] = "";
  int have_v1_mem = 0;
  ssize_t n;
  const char *p;

  pthread_once (&host_once, host_init);
  out->mem_limit = spec_mem_limit;
  out->mem_usage = -1;
  out->mem_cache = -1;
  out->ncpus = get_nprocs ();
  out->cpu_user_ns = -1;
  out->cpu_sys_ns = -1;
  out->tasks = -1;
  if (out->ncpus < 1)
    out->ncpus = 1;
  if (host_proc < 0)
    return;

  /* CPUs: the app's affinity. */
  snprintf (path, sizeof path, "%d/status", (int) tid);
  if (read_small (host_proc, path, buf, sizeof buf) > 0 && (p = strstr (buf, "Cpus_allowed_list:")) != NULL)
    {
      int c;
      p += strlen ("Cpus_allowed_list:");
      while (*p == ' ' || *p == '\t')
        p++;
      c = count_cpu_list (p);
      if (c >= 1 && c < out->ncpus)
        out->ncpus = c;
    }

  /* The app's cgroups, as paths in the Sentry's cgroup namespace. */
  snprintf (path, sizeof path, "%d/cgroup", (int) tid);
  n = read_small (host_proc, path, buf, sizeof buf);
  if (n <= 0 || host_cgroup < 0)
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
            snprintf (v2_path, sizeof v2_path, "%s", cg);
          else
            {
              char list[128];
              snprintf (list, sizeof list, ",%.*s,", (int) cl, ctrls);
              if (strstr (list, ",memory,"))
                snprintf (mem_path, sizeof mem_path, "memory%s", cg), have_v1_mem = 1;
              if (strstr (list, ",cpuacct,"))
                snprintf (cpu_path, sizeof cpu_path, "cpuacct%s", cg);
              else if (strstr (list, ",cpu,") && cpu_path[0] == '\0')
                snprintf (cpu_path, sizeof cpu_path, "cpu%s", cg);
              if (strstr (list, ",pids,") && strcmp (cg, "/") != 0)
                snprintf (pids_path, sizeof pids_path, "pids%s", cg);
            }
        }
      line = next;
    }

  if (have_v1_mem)
    {
      /* The limit of the cgroup and of every ancestor applies. */
      char walk[512];
      snprintf (walk, sizeof walk, "%s", mem_path);
      for (;;)
        {
          int64_t l;
          char *slash;
          snprintf (path, sizeof path, "%s/memory.limit_in_bytes", walk);
          l = read_u64_file (host_cgroup, path);
          /* v1 says "no limit" with a huge page-aligned number. */
          if (l > 0 && l < (INT64_MAX / 2) && (out->mem_limit == 0 || (uint64_t) l < out->mem_limit))
            out->mem_limit = (uint64_t) l;
          slash = strrchr (walk, '/');
          if (slash == NULL)
            break;
          *slash = '\0';
        }
      snprintf (path, sizeof path, "%s/memory.usage_in_bytes", mem_path);
      if (strcmp (mem_path, "memory/") != 0)
        out->mem_usage = read_u64_file (host_cgroup, path);
      snprintf (path, sizeof path, "%s/memory.stat", mem_path);
      if (out->mem_usage >= 0 && read_small (host_cgroup, path, buf, sizeof buf) > 0)
        out->mem_cache = stat_value (buf, "total_cache");
    }
  else if (v2_path[0] && strcmp (v2_path, "/") != 0)
    {
      for (int i = 0; i < 2 && out->mem_usage < 0; i++)
        {
          const char *base = i == 0 ? "" : "unified";
          int64_t l;
          snprintf (path, sizeof path, "%s%s/memory.max", base, v2_path);
          l = read_u64_file (host_cgroup, path);
          if (l > 0 && l != INT64_MAX && (out->mem_limit == 0 || (uint64_t) l < out->mem_limit))
            out->mem_limit = (uint64_t) l;
          snprintf (path, sizeof path, "%s%s/memory.current", base, v2_path);
          out->mem_usage = read_u64_file (host_cgroup, path);
          snprintf (path, sizeof path, "%s%s/memory.stat", base, v2_path);
          if (out->mem_usage >= 0 && read_small (host_cgroup, path, buf, sizeof buf) > 0)
            out->mem_cache = stat_value (buf, "file");
        }
    }

  /* CPU: quota (v1 cfs) limits the CPU count; usage from cpuacct. Not for the root cgroup (the host's). */
  if (cpu_path[0] && strchr (cpu_path, '/') && strcmp (strchr (cpu_path, '/'), "/") != 0)
    {
      char cpu_dir[520];
      int64_t quota, period;
      snprintf (cpu_dir, sizeof cpu_dir, "cpu%s", strchr (cpu_path, '/'));
      snprintf (path, sizeof path, "%s/cpu.cfs_quota_us", cpu_dir);
      quota = read_u64_file (host_cgroup, path);
      snprintf (path, sizeof path, "%s/cpu.cfs_period_us", cpu_dir);
      period = read_u64_file (host_cgroup, path);
      if (quota > 0 && period > 0)
        {
          int c = (int) ((quota + period - 1) / period);
          if (c >= 1 && c < out->ncpus)
            out->ncpus = c;
        }
      snprintf (path, sizeof path, "%s/cpuacct.stat", cpu_path);
      if (read_small (host_cgroup, path, buf, sizeof buf) > 0)
        {
          int64_t u = stat_value (buf, "user"), s = stat_value (buf, "system");
          if (u >= 0 && s >= 0)
            {
              out->cpu_user_ns = u * (1000000000 / USER_HZ);
              out->cpu_sys_ns = s * (1000000000 / USER_HZ);
            }
        }
    }
  if (pids_path[0])
    {
      snprintf (path, sizeof path, "%s/pids.current", pids_path);
      out->tasks = read_u64_file (host_cgroup, path);
    }
  else if (have_v1_mem && strcmp (mem_path, "memory/") != 0)
    {
      /* Count the threads in the memory cgroup's task list. */
      int fd;
      snprintf (path, sizeof path, "%s/tasks", mem_path);
      fd = openat (host_cgroup, path, O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          int64_t lines = 0;
          while ((n = read (fd, buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; i++)
              lines += buf[i] == '\n';
          close (fd);
          out->tasks = lines;
        }
    }
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
  Out o = { buf, size, 0, 0, -1, 0 };
  int r = render (&o, f, view, lim, caller_ns_tid);

  if (r < 0)
    return r;
  if (o.overflow)
    return -ENOSPC;
  return (ssize_t) o.len;
}

ssize_t
sentry_proc_render_fd (SentryProcFile f, const SentryProcView *view, const SentryProcLimits *lim,
                       pid_t caller_ns_tid, int fd)
{
  char buf[16384];
  Out o = { buf, sizeof buf, 0, 0, fd, 0 };
  int r = render (&o, f, view, lim, caller_ns_tid);

  if (r < 0)
    return r;
  out_flush (&o);
  if (o.overflow)
    return -EIO;
  return (ssize_t) o.flushed;
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
