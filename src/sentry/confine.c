/* The Sentry confines itself: capabilities, no_new_privs, its own seccomp allowlist, in every thread (confine.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "sentry/confine.h"
#include "sentry/sentry-table.h"

#define CONFINE_WAIT_MS 2000

/* What every thread applies to itself: set up before the threads are signalled. */
static struct __user_cap_data_struct cap_data[2];
static guint64 keep_mask;
static volatile gint threads_done;
static volatile gint threads_failed;

static int
drop_self (void)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };

  for (int cap = 0; cap <= 63; cap++)
    if (!(keep_mask & (1ull << cap)) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return -1;
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return -1;
  if (syscall (SYS_capset, &hdr, cap_data) < 0)
    return -1;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return -1;
  return 0;
}

static void
drop_handler (int sig)
{
  int saved = errno;

  (void) sig;
  if (drop_self () < 0)
    g_atomic_int_inc (&threads_failed);
  g_atomic_int_inc (&threads_done);
  errno = saved;
}

/* The value of "Name:\t..." in a status file, as an unsigned hex or decimal number per base. */
static gboolean
status_field (const char *text, const char *name, int base, guint64 *out)
{
  g_autofree char *key = g_strdup_printf ("\n%s:", name);
  const char *p = strstr (text, key);

  if (p == NULL)
    return FALSE;
  *out = g_ascii_strtoull (p + strlen (key), NULL, base);
  return TRUE;
}

/* Every thread: CapEff and CapPrm exactly the kept set, CapBnd within it, NoNewPrivs 1, Seccomp 2. */
static gboolean
verify_threads (GError **error)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, error);
  const char *tid;
  guint n = 0;

  if (dir == NULL)
    return runsc_error_prefix (error, "confine: check the threads");
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/status", tid);
      g_autofree char *text = NULL;
      guint64 eff, prm, bnd, nnp, mode;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue; /* the thread ended */
      if (!status_field (text, "CapEff", 16, &eff) || !status_field (text, "CapPrm", 16, &prm)
          || !status_field (text, "CapBnd", 16, &bnd) || !status_field (text, "NoNewPrivs", 10, &nnp)
          || !status_field (text, "Seccomp", 10, &mode))
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "confine: %s lacks a field", path);
      if (eff != keep_mask || prm != keep_mask || (bnd & ~keep_mask) != 0 || nnp != 1 || mode != 2)
        return runsc_error_set (error, RUNSC_ERROR_FAILED,
                                "confine: thread %s is not confined (CapEff %" G_GINT64_MODIFIER "x, CapPrm %"
                                G_GINT64_MODIFIER "x, CapBnd %" G_GINT64_MODIFIER "x, NoNewPrivs %" G_GUINT64_FORMAT
                                ", Seccomp %" G_GUINT64_FORMAT ")", tid, eff, prm, bnd, nnp, mode);
      n++;
    }
  log_debug ("confine: %u threads confined", n);
  return TRUE;
}

gboolean
sentry_confine (gboolean host_userns, GError **error)
{
  struct sock_fprog prog = { 0 };
  struct sigaction sa, old;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  pid_t self = getpid (), me = (pid_t) syscall (SYS_gettid);
  int sig = SENTRY_CONFINE_SIGNAL, signalled = 0, r;
  struct timespec start, now;

  /* The program first (built at build time, or by libseccomp now: sentry-table.h): after the drop, nothing may
   * fail half way for want of memory or a library. */
  if (!sentry_self_filter (&prog, error))
    return runsc_error_prefix (error, "confine");

  keep_mask = host_userns ? (1ull << CAP_SYS_PTRACE) | (1ull << CAP_KILL) : 0;
  memset (cap_data, 0, sizeof cap_data);
  cap_data[0].effective = cap_data[0].permitted = (guint32) keep_mask;
  cap_data[1].effective = cap_data[1].permitted = (guint32) (keep_mask >> 32);

  /* The other threads, each from a signal handler (restarting what it interrupts), then this one. */
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = drop_handler;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  sigaction (sig, &sa, &old);
  threads_done = threads_failed = 0;
  dir = g_dir_open ("/proc/self/task", 0, error);
  if (dir == NULL)
    {
      g_free (prog.filter);
      return runsc_error_prefix (error, "confine: list the threads");
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      pid_t tid = (pid_t) atoi (name);
      if (tid == me || tid <= 0)
        continue;
      if (syscall (SYS_tgkill, self, tid, sig) == 0)
        signalled++;
    }
  clock_gettime (CLOCK_MONOTONIC, &start);
  while (g_atomic_int_get (&threads_done) < signalled)
    {
      struct timespec pause = { 0, 1000000 };
      clock_gettime (CLOCK_MONOTONIC, &now);
      if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 > CONFINE_WAIT_MS)
        break;
      nanosleep (&pause, NULL);
    }
  sigaction (sig, &old, NULL);
  if (g_atomic_int_get (&threads_done) < signalled || g_atomic_int_get (&threads_failed) > 0)
    {
      g_free (prog.filter);
      return runsc_error_set (error, RUNSC_ERROR_FAILED,
                              "confine: %d of %d threads dropped their capabilities (%d failed)",
                              g_atomic_int_get (&threads_done), signalled, g_atomic_int_get (&threads_failed));
    }
  if (drop_self () < 0)
    {
      int e = errno;
      g_free (prog.filter);
      return runsc_error_errno (error, e, "confine: drop capabilities and set no_new_privs");
    }

  /* TSYNC: every thread gets the filter (and no_new_privs) at once; a thread that cannot fails the call. */
  r = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
  g_free (prog.filter);
  if (r != 0)
    return runsc_error_errno (error, r < 0 ? errno : EBUSY, "confine: install the Sentry's seccomp filter (thread %d)",
                              r > 0 ? r : 0);
  if (!verify_threads (error))
    return FALSE;
  log_info ("confined: %u syscalls allowed, capabilities kept: %s, no_new_privs", sentry_self_allowed_count (),
            host_userns ? "CAP_SYS_PTRACE CAP_KILL" : "none");
  return TRUE;
}
