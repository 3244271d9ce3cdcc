/* The Sentry confines itself: capabilities, no_new_privs, its own seccomp allowlist, in every thread (confine.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "sentry/confine.h"
#include "sentry/sentry-table.h"

#define CONFINE_WAIT_MS 2000

/* What every thread applies to itself: set up before the threads are signalled. */
static struct __user_cap_data_struct cap_data[2];
static guint64 keep_mask;
static volatile gint threads_done;
static volatile gint threads_failed;
/* The Sentry's own mount namespace, whose root is the empty one: each thread joins it (empty_root). */
static int root_ns_fd = -1;

/* The host directories the Sentry still reads and writes once its root is empty, held under their paths
 * (common/host-fs.h), and why. The state root (the parent of the sandbox's state directory) is added to them. */
static const char *const held_dirs[] = {
  "/proc",                   /* the sandbox's processes (ps, kill -a, exec), its own threads and cgroup */
  "/sys/fs/cgroup",          /* freezing, OOM counts and limits, the limits /proc/meminfo and friends are sized to */
  "/sys/devices/system/cpu", /* the online CPUs (/proc/cpuinfo, /proc/stat, sysinfo) */
};

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

/* This thread into the Sentry's mount namespace, rooted at its empty root: a file system context of its own first
 * (setns refuses a shared one; the threads share the old root until then). */
static int
join_root (void)
{
  if (root_ns_fd < 0)
    return 0;
  if (unshare (CLONE_FS) < 0 || setns (root_ns_fd, CLONE_NEWNS) < 0 || chdir ("/") < 0)
    return -1;
  return 0;
}

static void
drop_handler (int sig)
{
  int saved = errno;

  (void) sig;
  if (join_root () < 0 || drop_self () < 0)
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

/* Every thread: CapEff and CapPrm exactly the kept set, CapBnd within it, NoNewPrivs 1, Seccomp 2, its root the
 * empty one and its mount namespace the Sentry's own. */
static gboolean
verify_threads (GError **error)
{
  DIR *dir = runsc_host_opendir ("/proc/self/task");
  struct dirent *de;
  struct stat root, ns;
  guint n = 0;

  if (dir == NULL)
    return runsc_error_errno (error, errno, "confine: check the threads: open /proc/self/task");
  if (stat ("/", &root) < 0 || fstat (root_ns_fd, &ns) < 0)
    {
      int e = errno;
      closedir (dir);
      return runsc_error_errno (error, e, "confine: check the threads: stat the empty root");
    }
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL, *rpath = NULL, *npath = NULL;
      g_autofree char *text = NULL;
      guint64 eff, prm, bnd, nnp, mode;
      struct stat troot, tns;
      const char *tid = de->d_name;

      if (!g_ascii_isdigit (tid[0]))
        continue;
      path = g_strdup_printf ("/proc/self/task/%s/status", tid);
      rpath = g_strdup_printf ("/proc/self/task/%s/root", tid);
      npath = g_strdup_printf ("/proc/self/task/%s/ns/mnt", tid);
      if (!runsc_host_get_contents (path, &text, NULL, NULL) || runsc_host_stat (rpath, &troot) < 0
          || runsc_host_stat (npath, &tns) < 0)
        continue; /* the thread ended */
      if (troot.st_dev != root.st_dev || troot.st_ino != root.st_ino || tns.st_ino != ns.st_ino
          || tns.st_dev != ns.st_dev)
        {
          closedir (dir);
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "confine: thread %s is not in the empty root", tid);
        }
      if (!status_field (text, "CapEff", 16, &eff) || !status_field (text, "CapPrm", 16, &prm)
          || !status_field (text, "CapBnd", 16, &bnd) || !status_field (text, "NoNewPrivs", 10, &nnp)
          || !status_field (text, "Seccomp", 10, &mode))
        {
          closedir (dir);
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "confine: %s lacks a field", path);
        }
      if (eff != keep_mask || prm != keep_mask || (bnd & ~keep_mask) != 0 || nnp != 1 || mode != 2)
        {
          closedir (dir);
          return runsc_error_set (error, RUNSC_ERROR_FAILED,
                                  "confine: thread %s is not confined (CapEff %" G_GINT64_MODIFIER "x, CapPrm %"
                                  G_GINT64_MODIFIER "x, CapBnd %" G_GINT64_MODIFIER "x, NoNewPrivs %"
                                  G_GUINT64_FORMAT ", Seccomp %" G_GUINT64_FORMAT ")", tid, eff, prm, bnd, nnp, mode);
        }
      n++;
    }
  closedir (dir);
  log_debug ("confine: %u threads confined", n);
  return TRUE;
}

/* Open what the Sentry keeps reaching (held_dirs, the state root) and hold it (common/host-fs.h). A directory the
 * host lacks (no cgroup file system) is skipped: its users already cope with its absence. */
static gboolean
hold_host_dirs (const char *state_dir, GError **error)
{
  g_autofree char *state_root = g_path_get_dirname (state_dir);

  for (gsize i = 0; i <= G_N_ELEMENTS (held_dirs); i++)
    {
      const char *path = i < G_N_ELEMENTS (held_dirs) ? held_dirs[i] : state_root, *rel;
      int fd;

      if (runsc_host_at (path, &rel) != AT_FDCWD && strcmp (rel, ".") == 0)
        continue; /* held already (a second sandbox in this process: the unit tests) */
      fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && i < G_N_ELEMENTS (held_dirs))
        continue;
      if (fd < 0)
        return runsc_error_errno (error, errno, "confine: open %s", path);
      if (!runsc_host_fs_hold (path, fd))
        {
          close (fd);
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "confine: hold %s: too many directories", path);
        }
    }
  return TRUE;
}

/* The calling thread into a mount namespace of its own whose root is an empty, read-only tmpfs (the old root
 * detached), and its descriptor kept for the other threads (join_root). mountpoint: any directory (the sandbox's
 * state directory), covered in the new namespace only. */
static gboolean
empty_root (const char *mountpoint, GError **error)
{
  const char *step;

  /* glibc reads the time zone once, for the log's timestamps: before there is none to read. */
  tzset ();
  step = "unshare a mount namespace";
  if (unshare (CLONE_NEWNS) < 0)
    goto fail;
  step = "make its mounts private";
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    goto fail;
  step = "mount the empty root";
  if (mount ("runsc-sentry-root", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
             "size=4k,nr_inodes=2,mode=0555") < 0)
    goto fail;
  step = "pivot_root into the empty root";
  if (chdir (mountpoint) < 0 || syscall (SYS_pivot_root, ".", ".") < 0)
    goto fail;
  step = "detach the old root";
  if (umount2 (".", MNT_DETACH) < 0 || chdir ("/") < 0)
    goto fail;
  step = "make the empty root read-only";
  if (mount (NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    goto fail;
  step = "open its mount namespace";
  root_ns_fd = runsc_host_open ("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC, 0);
  if (root_ns_fd < 0)
    goto fail;
  return TRUE;
fail:
  return runsc_error_errno (error, errno, "confine: %s (%s)", step, mountpoint);
}

gboolean
sentry_confine (gboolean host_userns, const char *state_dir, GError **error)
{
  struct sock_fprog prog = { 0 };
  struct sigaction sa, old;
  DIR *dir = NULL;
  struct dirent *de;
  pid_t self = getpid (), me = (pid_t) syscall (SYS_gettid);
  int sig = SENTRY_CONFINE_SIGNAL, signalled = 0, r;
  struct timespec start, now;

  /* The program first (built at build time, or by libseccomp now: sentry-table.h): after the drop, nothing may
   * fail half way for want of memory or a library. */
  if (!sentry_self_filter (&prog, error))
    return runsc_error_prefix (error, "confine");

  /* The directories it keeps, then the empty root (the other threads join it from their signal handler). */
  if (!hold_host_dirs (state_dir, error) || !empty_root (state_dir, error))
    {
      g_free (prog.filter);
      return FALSE;
    }

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
  dir = runsc_host_opendir ("/proc/self/task");
  if (dir == NULL)
    {
      g_free (prog.filter);
      return runsc_error_errno (error, errno, "confine: list the threads");
    }
  while ((de = readdir (dir)) != NULL)
    {
      pid_t tid = (pid_t) atoi (de->d_name);
      if (tid == me || tid <= 0)
        continue;
      if (syscall (SYS_tgkill, self, tid, sig) == 0)
        signalled++;
    }
  closedir (dir);
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
