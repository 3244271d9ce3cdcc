/* credprobe: checks, from inside a container, that an open is always decided with the caller's credentials of
 * the moment, whatever the Sentry cached from earlier opens (tests/integration/sentry-creds.bats).
 *
 * Run as root with CAP_SETUID, CAP_SETGID and CAP_DAC_OVERRIDE (and no ambient capabilities), with /secret a
 * root-owned 0600 file and /tmp writable. Each case runs in a child of its own, first opening /secret a few
 * times as root (so that the Sentry has the caller's credentials cached), then changing credentials in some way,
 * then opening again. Prints "NAME ok" or "NAME FAIL: why" per case; exits 1 if any case failed.
 *
 * Static, so that it runs in a busybox root filesystem. Build: cc -static -O2 -pthread -o credprobe credprobe.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "/secret"

static const char *self_path = "/credprobe";
static char failure[512];

static int __attribute__ ((format (printf, 1, 2)))
FAILF (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (failure, sizeof failure, fmt, ap);
  va_end (ap);
  return -1;
}

/* 0 if the open succeeded, else errno. */
static int
try_open (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}

/* Open /secret n times; every open must succeed. */
static int
open_ok (int n, const char *who)
{
  for (int i = 0; i < n; i++)
    {
      int e = try_open (SECRET);
      if (e != 0)
        return FAILF ("%s: open %s (try %d): %s, expected success", who, SECRET, i + 1, strerror (e));
    }
  return 0;
}

static int
open_denied (const char *who)
{
  int e = try_open (SECRET);
  if (e != EACCES)
    return FAILF ("%s: open %s: %s, expected EACCES", who, SECRET, e == 0 ? "success" : strerror (e));
  return 0;
}

/* One thread, raw setresuid: its own credentials change. */
static int
case_setuid (void)
{
  if (open_ok (3, "as root") < 0)
    return -1;
  if (syscall (SYS_setresuid, 1000, 1000, 1000) < 0)
    return FAILF ("setresuid 1000: %s", strerror (errno));
  return open_denied ("after setresuid 1000");
}

/* setgroups and setfsuid: the supplementary groups and the fs uid the check uses. */
static int
case_fsuid (void)
{
  if (open_ok (3, "as root") < 0)
    return -1;
  syscall (SYS_setfsuid, 1000);
  if (syscall (SYS_setfsuid, -1) != 1000)
    return FAILF ("setfsuid 1000 did not take");
  if (open_denied ("after setfsuid 1000") < 0)
    return -1;
  syscall (SYS_setfsuid, 0);
  return open_ok (2, "after setfsuid 0");
}

/* capset: dropping CAP_DAC_OVERRIDE from the effective set, as root, must deny the 0600 file of another user.
 * /secret is root's own, so use a file owned by 1000 instead. */
static int
case_capset (void)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  int fd = open ("/tmp/credprobe-capset", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

  if (fd < 0 || fchown (fd, 1000, 1000) < 0)
    return FAILF ("create /tmp/credprobe-capset owned by 1000: %s", strerror (errno));
  close (fd);
  for (int i = 0; i < 3; i++)
    if ((fd = try_open ("/tmp/credprobe-capset")) != 0)
      return FAILF ("as root with CAP_DAC_OVERRIDE: open /tmp/credprobe-capset: %s", strerror (fd));
  if (syscall (SYS_capget, &h, d) < 0)
    return FAILF ("capget: %s", strerror (errno));
  d[0].effective &= ~(1u << CAP_DAC_OVERRIDE);
  d[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
  if (syscall (SYS_capset, &h, d) < 0)
    return FAILF ("capset: %s", strerror (errno));
  fd = try_open ("/tmp/credprobe-capset");
  if (fd != EACCES)
    return FAILF ("after dropping CAP_DAC_OVERRIDE: open /tmp/credprobe-capset: %s, expected EACCES",
                  fd == 0 ? "success" : strerror (fd));
  return 0;
}

/* ---- other threads ---- */

static void *
thread_glibc_setuid (void *arg)
{
  (void) arg;
  if (open_ok (3, "second thread as root") < 0)
    return (void *) 1;
  /* glibc makes every thread of the process call setresuid itself (the main thread too). */
  if (setuid (1000) < 0)
    {
      FAILF ("setuid 1000: %s", strerror (errno));
      return (void *) 1;
    }
  if (open_denied ("second thread after setuid 1000") < 0)
    return (void *) 1;
  return NULL;
}

/* Another thread calls setuid (glibc's, for the whole process): the main thread's cached credentials are stale. */
static int
case_thread_setuid (void)
{
  pthread_t t;
  void *ret;

  if (open_ok (3, "main thread as root") < 0)
    return -1;
  if (pthread_create (&t, NULL, thread_glibc_setuid, NULL) != 0 || pthread_join (t, &ret) != 0)
    return FAILF ("thread: %s", strerror (errno));
  if (ret != NULL)
    return -1;
  if (getuid () != 1000)
    return FAILF ("main thread: uid %d after another thread's setuid", (int) getuid ());
  return open_denied ("main thread after the other thread's setuid");
}

static void *
thread_raw_setuid (void *arg)
{
  (void) arg;
  if (open_ok (3, "second thread as root") < 0)
    return (void *) 1;
  if (syscall (SYS_setresuid, 1000, 1000, 1000) < 0)
    {
      FAILF ("setresuid 1000 in the second thread: %s", strerror (errno));
      return (void *) 1;
    }
  if (open_denied ("second thread after its own setresuid 1000") < 0)
    return (void *) 1;
  return NULL;
}

/* A raw setresuid in one thread changes that thread only: the main thread stays root, and must still be allowed
 * (each thread's credentials are its own). */
static int
case_thread_own (void)
{
  pthread_t t;
  void *ret;

  if (open_ok (3, "main thread as root") < 0)
    return -1;
  if (pthread_create (&t, NULL, thread_raw_setuid, NULL) != 0 || pthread_join (t, &ret) != 0)
    return FAILF ("thread: %s", strerror (errno));
  if (ret != NULL)
    return -1;
  return open_ok (2, "main thread (still root) after the other thread's own setresuid");
}

static void *
thread_umask (void *arg)
{
  (void) arg;
  umask (077);
  return NULL;
}

static int
create_mode (const char *path, mode_t *mode)
{
  struct stat st;
  int fd;

  unlink (path);
  fd = open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    return FAILF ("create %s: %s", path, strerror (errno));
  if (fstat (fd, &st) < 0)
    return FAILF ("fstat %s: %s", path, strerror (errno));
  close (fd);
  *mode = st.st_mode & 07777;
  return 0;
}

/* The umask is shared by the threads of a process: another thread's umask call changes the main thread's. */
static int
case_thread_umask (void)
{
  pthread_t t;
  mode_t m;

  umask (022);
  if (open_ok (3, "main thread") < 0 || create_mode ("/tmp/credprobe-umask-a", &m) < 0)
    return -1;
  if (m != 0644)
    return FAILF ("created with umask 022: mode %04o, expected 0644", (unsigned) m);
  if (pthread_create (&t, NULL, thread_umask, NULL) != 0 || pthread_join (t, NULL) != 0)
    return FAILF ("thread: %s", strerror (errno));
  if (open_ok (2, "main thread after the other thread's umask") < 0
      || create_mode ("/tmp/credprobe-umask-b", &m) < 0)
    return -1;
  if (m != 0600)
    return FAILF ("created after another thread's umask 077: mode %04o, expected 0600", (unsigned) m);
  return 0;
}

/* ---- execve ---- */

/* uid 1000 keeping CAP_DAC_OVERRIDE (keepcaps, then raised again): /secret opens. */
static int
become_1000_with_override (void)
{
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];

  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return FAILF ("PR_SET_KEEPCAPS: %s", strerror (errno));
  if (syscall (SYS_setresuid, 1000, 1000, 1000) < 0)
    return FAILF ("setresuid 1000: %s", strerror (errno));
  if (syscall (SYS_capget, &h, d) < 0)
    return FAILF ("capget: %s", strerror (errno));
  d[0].effective = d[0].permitted;
  d[1].effective = d[1].permitted;
  if (syscall (SYS_capset, &h, d) < 0)
    return FAILF ("capset: %s", strerror (errno));
  return open_ok (3, "as 1000 with CAP_DAC_OVERRIDE");
}

static void
exec_after (void)
{
  char *argv[] = { (char *) self_path, (char *) "--after-exec", NULL };
  char *envp[] = { NULL };

  execve (self_path, argv, envp);
  FAILF ("execve %s: %s", self_path, strerror (errno));
}

/* The process execs itself: an unprivileged uid loses its capabilities at execve (no ambient set). */
static int
case_exec (void)
{
  if (become_1000_with_override () < 0)
    return -1;
  exec_after ();
  return -1;
}

static void *
thread_exec (void *arg)
{
  (void) arg;
  exec_after ();
  return (void *) 1;
}

/* A second thread execs: it takes over the thread group leader's tid, whose credentials the Sentry had seen. */
static int
case_thread_exec (void)
{
  pthread_t t;

  if (become_1000_with_override () < 0)
    return -1;
  if (pthread_create (&t, NULL, thread_exec, NULL) != 0)
    return FAILF ("thread: %s", strerror (errno));
  pthread_join (t, NULL);
  return -1;
}

static int
after_exec (void)
{
  if (open_denied ("after execve as 1000 (capabilities gone)") < 0)
    {
      fprintf (stderr, "%s\n", failure);
      return 1;
    }
  return 0;
}

static const struct
{
  const char *name;
  int (*fn) (void);
} cases[] = {
  { "setuid", case_setuid },
  { "fsuid", case_fsuid },
  { "capset", case_capset },
  { "thread-setuid", case_thread_setuid },
  { "thread-own", case_thread_own },
  { "thread-umask", case_thread_umask },
  { "exec", case_exec },
  { "thread-exec", case_thread_exec },
};

int
main (int argc, char **argv)
{
  int failed = 0;

  if (argc > 1 && strcmp (argv[1], "--after-exec") == 0)
    return after_exec ();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      int st;
      pid_t pid;

      if (argc > 1 && strcmp (argv[1], cases[i].name) != 0)
        continue;
      fflush (stdout);
      pid = fork ();
      if (pid < 0)
        {
          perror ("fork");
          return 1;
        }
      if (pid == 0)
        {
          if (cases[i].fn () < 0)
            {
              fprintf (stderr, "%s\n", failure);
              _exit (1);
            }
          _exit (0);
        }
      while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
        ;
      if (WIFEXITED (st) && WEXITSTATUS (st) == 0)
        printf ("%s ok\n", cases[i].name);
      else
        {
          printf ("%s FAIL (status %#x)\n", cases[i].name, st);
          failed = 1;
        }
    }
  fflush (stdout);
  return failed;
}
