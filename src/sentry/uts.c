/* uname, sethostname, setdomainname. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "sentry/kernel-private.h"
#include "sentry/uts.h"

long
sentry_sys_uname (SentryCall *call)
{
  SentryKernel *k = call->kernel;
  struct utsname u;
  int r;

  memset (&u, 0, sizeof u);
  g_strlcpy (u.sysname, SENTRY_SYSNAME, sizeof u.sysname);
  g_strlcpy (u.release, k->release, sizeof u.release);
  g_strlcpy (u.version, k->version, sizeof u.version);
  g_strlcpy (u.machine, SENTRY_MACHINE, sizeof u.machine);
  sentry_kernel_hostname (k, u.nodename, sizeof u.nodename);
  sentry_kernel_domainname (k, u.domainname, sizeof u.domainname);

  r = sentry_call_valid (call);
  if (r < 0)
    return r;
  r = sentry_write_mem (call, sentry_call_arg (call, 0), &u, sizeof u);
  return r < 0 ? r : 0;
}

int
sentry_call_has_cap (const SentryCall *call, int cap)
{
  char path[64], buf[4096];
  const char *p;
  unsigned long long eff;
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/%d/status", (int) sentry_call_pid (call));
  fd = runsc_host_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  p = strstr (buf, "\nCapEff:");
  if (p == NULL)
    return 0;
  p += 8;
  while (*p == '\t' || *p == ' ')
    p++;
  eff = 0;
  for (; g_ascii_isxdigit (*p); p++)
    eff = (eff << 4) | (unsigned) g_ascii_xdigit_value (*p);
  return (eff >> cap) & 1;
}

static long
set_name (SentryCall *call, char *dest)
{
  SentryKernel *k = call->kernel;
  uint64_t addr = sentry_call_arg (call, 0);
  int len = (int) sentry_call_arg (call, 1);
  char name[65];
  int r;

  if (len < 0 || len > 64)
    return -EINVAL;
  if (!sentry_call_has_cap (call, CAP_SYS_ADMIN))
    return -EPERM;
  r = sentry_read_mem (call, addr, name, len);
  if (r < 0)
    return r;
  name[len] = '\0';
  r = sentry_call_valid (call);
  if (r < 0)
    return r;
  pthread_mutex_lock (&k->uts_lock);
  memcpy (dest, name, len + 1);
  pthread_mutex_unlock (&k->uts_lock);
  return 0;
}

long
sentry_sys_sethostname (SentryCall *call)
{
  return set_name (call, call->kernel->hostname);
}

long
sentry_sys_setdomainname (SentryCall *call)
{
  return set_name (call, call->kernel->domainname);
}
