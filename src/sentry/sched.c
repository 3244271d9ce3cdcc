/* sched_getaffinity(2) sized to the sandbox's CPU limit (see sched.h). Runs on the syscall path: no allocation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "sentry/kernel.h"
#include "sentry/proc.h"
#include "sentry/sched.h"

#define MASK_LONGS 128 /* 8192 CPUs */
#define LONG_BITS (8 * sizeof (unsigned long))

/* Set the bits of a CPU list ("0-3,6") in mask. */
static void
mask_from_list (const char *p, unsigned long *mask, size_t longs)
{
  while (*p != '\0' && *p != '\n')
    {
      char *end;
      long a = strtol (p, &end, 10), b;

      if (end == p)
        break;
      b = a;
      p = end;
      if (*p == '-')
        {
          b = strtol (p + 1, &end, 10);
          p = end;
        }
      for (long c = a; c <= b && c >= 0 && (size_t) c < longs * LONG_BITS; c++)
        mask[c / LONG_BITS] |= 1UL << (c % LONG_BITS);
      if (*p == ',')
        p++;
    }
}

/* The affinity of pid as the caller's pid namespace names it, from the caller's /proc. */
static int
other_thread_mask (pid_t caller, pid_t pid, unsigned long *mask, size_t longs)
{
  char path[64], buf[4096];
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  const char *p;
  ssize_t n;
  int root, fd;

  snprintf (path, sizeof path, "/proc/%d/root", (int) caller);
  root = runsc_host_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (root < 0)
    return -ESRCH;
  snprintf (path, sizeof path, "proc/%d/status", (int) pid);
  fd = (int) syscall (SYS_openat2, root, path, &how, sizeof how);
  close (root);
  if (fd < 0)
    return -ESRCH;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -ESRCH;
  buf[n] = '\0';
  p = strstr (buf, "Cpus_allowed_list:");
  if (p == NULL)
    return -ESRCH;
  p += strlen ("Cpus_allowed_list:");
  while (*p == ' ' || *p == '\t')
    p++;
  memset (mask, 0, longs * sizeof (unsigned long));
  mask_from_list (p, mask, longs);
  return 0;
}

long
sentry_sys_sched_getaffinity (SentryCall *call)
{
  pid_t who = (pid_t) sentry_call_arg (call, 0);
  uint64_t len = sentry_call_arg (call, 1);
  uint64_t addr = sentry_call_arg (call, 2);
  pid_t caller = sentry_call_pid (call);
  unsigned long mask[MASK_LONGS];
  SentryProcLimits lim;
  long size;
  int kept = 0, r;

  /* The kernel's mask size (bytes) comes with the caller's own affinity. */
  memset (mask, 0, sizeof mask);
  size = syscall (SYS_sched_getaffinity, caller, sizeof mask, mask);
  if (size < 0)
    return -errno;
  if ((len & (sizeof (unsigned long) - 1)) != 0 || len < (uint64_t) size)
    return -EINVAL;
  if (who < 0)
    return -ESRCH;
  if (who != 0)
    {
      r = other_thread_mask (caller, who, mask, (size_t) size / sizeof (unsigned long));
      if (r < 0)
        return r;
    }

  /* As many CPUs as the limits allow, the lowest first. */
  sentry_proc_limits (caller, 0, &lim);
  for (size_t i = 0; i < (size_t) size / sizeof (unsigned long); i++)
    for (size_t b = 0; b < LONG_BITS; b++)
      if (mask[i] & (1UL << b))
        {
          if (kept < lim.ncpus)
            kept++;
          else
            mask[i] &= ~(1UL << b);
        }

  r = sentry_call_valid (call);
  if (r < 0)
    return r;
  r = sentry_write_mem (call, addr, mask, (size_t) size);
  if (r < 0)
    return r;
  return size;
}
