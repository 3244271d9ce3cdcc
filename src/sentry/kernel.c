/* The SentryKernel: the sandbox's virtual kernel (identity, boot time, limits, log) and the entry points boot.c
 * uses (sentry.h). */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "sentry/filter-prebuilt.h"
#include "sentry/kernel-private.h"
#include "sentry/userns-own.h"

static void *
filter_thread_main (void *data)
{
  SentryKernel *k = data;

  if (!sentry_filter_build (k, &k->filter_error))
    k->filter_failed = TRUE;
  return NULL;
}

/* The call a new process makes between installing the sandbox filter and handing its listener to the Sentry
 * (sync_send: sendmsg with SCM_RIGHTS). Were it notified, the process would wait for an answer from a listener
 * only it holds: the container would never start. So it is never traced, even when named. */
static const int strace_untraceable[] = { __NR_sendmsg };

static gboolean
set_strace (SentryKernel *k, const SentryOptions *opts, GError **error)
{
  gboolean named = FALSE;

  k->strace = opts->strace;
  if (!opts->strace)
    return TRUE;
  if (opts->strace_syscalls == NULL || opts->strace_syscalls[0] == NULL)
    {
      memset (k->traced, 0xff, sizeof k->traced);
      k->trace_unknown = TRUE;
    }
  else
    for (char **s = opts->strace_syscalls; *s != NULL; s++)
      {
        const SentrySyscall *row;
        if (**s == '\0')
          continue;
        row = sentry_syscall_by_name (*s);
        if (row == NULL)
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "--strace-syscalls: unknown syscall %s", *s);
        k->traced[row->nr / 64] |= 1ull << (row->nr % 64);
      }
  for (gsize i = 0; i < G_N_ELEMENTS (strace_untraceable); i++)
    {
      int nr = strace_untraceable[i];
      if (!sentry_is_traced (k, nr))
        continue;
      k->traced[nr / 64] &= ~(1ull << (nr % 64));
      if (opts->strace_syscalls != NULL && opts->strace_syscalls[0] != NULL)
        named = TRUE;
    }
  if (named)
    log_warning ("--strace: sendmsg is not traced (a sandboxed process hands its seccomp listener to the Sentry "
              "with it)");
  return TRUE;
}

static gboolean
valid_release (const char *r)
{
  if (r == NULL || *r == '\0' || strlen (r) > 64)
    return FALSE;
  for (const char *p = r; *p; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

SentryKernel *
sentry_kernel_new (const SentryOptions *opts, const OciSpec *root_spec, GError **error)
{
  SentryOptions defaults = { 0 };
  SentryKernel *k;
  const char *release;

  if (opts == NULL)
    opts = &defaults;
  /* The annotation (per pod) wins over the flag (usually set for every sandbox in runsc.toml). */
  release = root_spec != NULL ? oci_spec_annotation (root_spec, "dev.gvisor.kernel-release") : NULL;
  if (release == NULL || *release == '\0')
    release = opts->release;
  if (release == NULL || *release == '\0')
    release = SENTRY_DEFAULT_RELEASE;
  if (!valid_release (release))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "kernel release \"%s\": expected 1 to 64 printable characters without spaces", release);
      return NULL;
    }

  k = g_new0 (SentryKernel, 1);
  g_strlcpy (k->release, release, sizeof k->release);
  g_strlcpy (k->version, SENTRY_VERSION, sizeof k->version);
  pthread_mutex_init (&k->uts_lock, NULL);
  pthread_mutex_init (&k->listeners_lock, NULL);
  pthread_mutex_init (&k->filter_lock, NULL);
  if (root_spec != NULL && root_spec->hostname != NULL)
    g_strlcpy (k->hostname, root_spec->hostname, sizeof k->hostname);
  else
    {
      /* No hostname in the spec: the one the sandbox's UTS namespace was created with, as runc leaves it. */
      struct utsname u;
      if (uname (&u) == 0)
        g_strlcpy (k->hostname, u.nodename, sizeof k->hostname);
    }
  if (root_spec != NULL && root_spec->domainname != NULL)
    g_strlcpy (k->domainname, root_spec->domainname, sizeof k->domainname);
  else
    g_strlcpy (k->domainname, "(none)", sizeof k->domainname);
  clock_gettime (CLOCK_BOOTTIME, &k->boot);
  if (root_spec != NULL && root_spec->linux_cfg != NULL && root_spec->linux_cfg->resources != NULL
      && root_spec->linux_cfg->resources->has_memory_limit && root_spec->linux_cfg->resources->memory_limit > 0)
    k->memory_limit = (uint64_t) root_spec->linux_cfg->resources->memory_limit;

  k->rule_ctx.net_raw = opts->net_raw;
  k->rule_ctx.own_pidns = root_spec == NULL || oci_spec_namespace (root_spec, "pid") != NULL;
  k->rule_ctx.own_userns = sentry_spec_own_userns (root_spec);

  sentry_klog_init (k);
  /* The boot log's lines are stamped up to about two seconds after boot: date the boot that much (plus a
   * moment) in the past, so that uptime is never behind the log's last line. */
  {
    uint64_t back_ns = (k->klog.last_usec + 50000) * 1000;
    int64_t ns = (int64_t) k->boot.tv_nsec - (int64_t) (back_ns % 1000000000);
    k->boot.tv_sec -= back_ns / 1000000000;
    if (ns < 0)
      {
        ns += 1000000000;
        k->boot.tv_sec--;
      }
    k->boot.tv_nsec = ns;
  }

  if (!set_strace (k, opts, error))
    {
      sentry_kernel_free (k);
      return NULL;
    }
  k->filter_owner = getpid ();
  /* Without --strace the program was compiled at build time (filter-prebuilt.h). */
  if (!k->strace)
    {
      const SentryPrebuiltFilter *pre = sentry_filter_prebuilt (&k->rule_ctx);
      if (pre != NULL)
        {
          k->filter.len = pre->len;
          k->filter.filter = g_memdup2 (pre->insns, pre->len * sizeof *pre->insns);
          return k;
        }
    }
  /* Else the build (libseccomp, about 2-3 ms of CPU) overlaps the rest of the sandbox's set-up; everything it
   * reads (the table, rule_ctx, the strace set) is final from here on. */
  {
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_SETMASK, &all, &old);
    k->filter_pending = pthread_create (&k->filter_thread, NULL, filter_thread_main, k) == 0;
    pthread_sigmask (SIG_SETMASK, &old, NULL);
  }
  if (!k->filter_pending && !sentry_filter_build (k, &k->filter_error))
    k->filter_failed = TRUE;
  return k;
}

gboolean
sentry_kernel_filter_wait (SentryKernel *k, GError **error)
{
  gboolean ok;

  if (getpid () != k->filter_owner)
    {
      /* A child forked from the Sentry: the build thread is not in this process (nor is anyone to unlock
       * filter_lock). Only a program finished before the fork counts. */
      ok = !k->filter_pending && !k->filter_failed && k->filter.filter != NULL && k->filter.len > 0;
      if (!ok && error != NULL)
        runsc_error_set (error, RUNSC_ERROR_FAILED, "seccomp filter: not built before the fork");
      return ok;
    }
  pthread_mutex_lock (&k->filter_lock);
  if (k->filter_pending)
    {
      pthread_join (k->filter_thread, NULL);
      k->filter_pending = FALSE;
      if (!k->filter_failed)
        log_debug ("sentry: kernel %s, %u-instruction seccomp filter", k->release, (unsigned) k->filter.len);
    }
  ok = !k->filter_failed && k->filter.filter != NULL && k->filter.len > 0;
  if (!ok && error != NULL)
    {
      if (k->filter_error != NULL)
        *error = g_error_copy (k->filter_error);
      else
        runsc_error_set (error, RUNSC_ERROR_FAILED, "seccomp filter: not built");
    }
  pthread_mutex_unlock (&k->filter_lock);
  return ok;
}

void
sentry_kernel_free (SentryKernel *k)
{
  if (k == NULL)
    return;
  sentry_kernel_filter_wait (k, NULL);
  g_clear_error (&k->filter_error);
  sentry_serve_stop_all (k);
  sentry_klog_destroy (k);
  pthread_mutex_destroy (&k->uts_lock);
  pthread_mutex_destroy (&k->listeners_lock);
  pthread_mutex_destroy (&k->filter_lock);
  g_free (k->filter.filter);
  g_free (k);
}

const struct sock_fprog *
sentry_kernel_filter (SentryKernel *k)
{
  static struct sock_filter kill_all[] = { BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS) };
  static const struct sock_fprog kill_prog = { G_N_ELEMENTS (kill_all), kill_all };

  if (!sentry_kernel_filter_wait (k, NULL))
    return &kill_prog;
  return &k->filter;
}

gboolean
sentry_kernel_serve (SentryKernel *k, int notify_fd, pid_t init_pid, const char *container_id, GError **error)
{
  return sentry_serve_start (k, notify_fd, init_pid, container_id, error);
}

const char *
sentry_kernel_release (const SentryKernel *k)
{
  return k->release;
}

const char *
sentry_kernel_version (const SentryKernel *k)
{
  return k->version;
}

static size_t
copy_locked (SentryKernel *k, const char *src, char *buf, size_t size)
{
  size_t n;

  if (size == 0)
    return 0;
  pthread_mutex_lock (&k->uts_lock);
  n = strnlen (src, 64);
  if (n >= size)
    n = size - 1;
  memcpy (buf, src, n);
  buf[n] = '\0';
  pthread_mutex_unlock (&k->uts_lock);
  return n;
}

size_t
sentry_kernel_hostname (SentryKernel *k, char *buf, size_t size)
{
  return copy_locked (k, k->hostname, buf, size);
}

size_t
sentry_kernel_domainname (SentryKernel *k, char *buf, size_t size)
{
  return copy_locked (k, k->domainname, buf, size);
}

uint64_t
sentry_kernel_uptime_ns (const SentryKernel *k)
{
  struct timespec now;
  int64_t ns;

  clock_gettime (CLOCK_BOOTTIME, &now);
  ns = (int64_t) (now.tv_sec - k->boot.tv_sec) * 1000000000 + (now.tv_nsec - k->boot.tv_nsec);
  return ns > 0 ? (uint64_t) ns : 0;
}

double
sentry_kernel_uptime (const SentryKernel *k)
{
  return sentry_kernel_uptime_ns (k) / 1e9;
}

uint64_t
sentry_kernel_memory_limit (const SentryKernel *k)
{
  return k->memory_limit;
}
