/* Mediated opens, credentials, the virtual /proc files and /dev/kmsg (src/sentry/{files,creds,proc,kmsg}.c).
 *
 * Two kinds of test, both with real processes (run as root):
 *   - the resolver: an "app" process lives in a root directory of its own (its own mount and pid namespaces,
 *     procfs mounted at /proc, chrooted, cwd /data, some descriptors open), as a container's process would; the
 *     test calls sentry_files_open () for it, as the Sentry does on its behalf, and checks what was opened;
 *   - the whole path: a child installs the Sentry's real seccomp filter (sentry_kernel_filter) with a listener
 *     that the real notification loop (sentry_kernel_serve) serves, then makes ordinary open(2) calls, including
 *     a thread that rewrites the path buffer while another opens in a loop (the open must never yield the file
 *     the app may not read). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "sentry/creds.h"
#include "sentry/files.h"
#include "sentry/kernel.h"
#include "sentry/kmsg.h"
#include "sentry/proc.h"
#include "sentry/sentry.h"

static char *root_dir;
static SentryKernel *kernel;
static pid_t app_root;    /* uid 0, all capabilities */
static pid_t app_user;    /* uid 1000, umask 077 */
static pid_t app_helpers[2];
static int app_cmd[2] = { -1, -1 }; /* the test's end of each app's command socket */

/* A request to the app: open this itself (natively) and say what it got. */
typedef struct
{
  int dirfd;
  int flags;
  char path[256];
} AppReq;

typedef struct
{
  int err;
  dev_t dev;
  ino_t ino;
} AppRes;
static int app_stdout_r;  /* read end of the root app's stdout pipe */

static void
write_file (const char *rel, const char *text, mode_t mode, uid_t uid)
{
  g_autofree char *p = g_build_filename (root_dir, rel, NULL);
  g_assert_true (g_file_set_contents (p, text, -1, NULL));
  g_assert_cmpint (chmod (p, mode), ==, 0);
  g_assert_cmpint (chown (p, uid, uid), ==, 0);
}

static void
make_link (const char *target, const char *rel)
{
  g_autofree char *p = g_build_filename (root_dir, rel, NULL);
  g_assert_cmpint (symlink (target, p), ==, 0);
}

static void
make_root (void)
{
  const char *dirs[] = { "data", "etc", "proc", "dev", "tmp", "home", "dev/pts", NULL };

  root_dir = g_dir_make_tmp ("sentry-files-XXXXXX", NULL);
  g_assert_nonnull (root_dir);
  chmod (root_dir, 0755);
  for (int i = 0; dirs[i]; i++)
    {
      g_autofree char *p = g_build_filename (root_dir, dirs[i], NULL);
      g_assert_cmpint (mkdir (p, 0755), ==, 0);
    }
  {
    g_autofree char *t = g_build_filename (root_dir, "tmp", NULL);
    chmod (t, 01777);
    g_autofree char *f = g_build_filename (root_dir, "data", "fifo", NULL);
    g_assert_cmpint (mkfifo (f, 0666), ==, 0);
  }
  {
    g_autofree char *t = g_build_filename (root_dir, "dev", "tty", NULL);
    g_assert_cmpint (mknod (t, S_IFCHR | 0666, makedev (5, 0)), ==, 0);
  }
  write_file ("data/file", "inside\n", 0644, 0);
  write_file ("data/secret", "secret\n", 0600, 0);
  write_file ("data/mine", "mine\n", 0600, 1000);
  write_file ("etc/passwd", "fake passwd\n", 0644, 0);
  make_link ("/etc/passwd", "data/escape");
  make_link ("../../../../../../../etc/passwd", "data/rel-escape");
  make_link ("/proc/version", "data/v");
  make_link ("loop", "data/loop");
  make_link ("/proc/self/fd/1", "data/stdout");
  make_link ("../proc/self", "data/me");
}

/* The app: own mount and pid namespaces, procfs, chroot, cwd, fds 5 (a file) and 6 (O_PATH /data). */
static pid_t
spawn_app (uid_t uid, mode_t mask, int stdout_fd, int idx, int with_tty)
{
  int ready[2], pidp[2], cmd[2];
  pid_t helper, app = 0;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cmd), ==, 0);

  g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (pidp, O_CLOEXEC), ==, 0);
  helper = fork ();
  g_assert_cmpint (helper, >=, 0);
  if (helper == 0)
    {
      pid_t pid;
      int devnull = open ("/dev/null", O_RDWR);
      /* Never outlive the test, and never hold its output open (a TAP reader would wait for us). */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () == 1)
        _exit (1);
      dup2 (devnull, 0);
      dup2 (devnull, 1);
      dup2 (devnull, 2);
      if (unshare (CLONE_NEWNS | CLONE_NEWPID) < 0)
        _exit (1);
      pid = fork ();
      if (pid < 0)
        _exit (1);
      if (pid == 0)
        {
          char p[4096];
          int fd;
          prctl (PR_SET_PDEATHSIG, SIGKILL);
          ready[1] = fcntl (ready[1], F_DUPFD_CLOEXEC, 100);
          cmd[1] = fcntl (cmd[1], F_DUPFD_CLOEXEC, 101);
          close (cmd[0]);
          close (ready[0]);
          close (pidp[0]);
          close (pidp[1]);
          if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            _exit (2);
          snprintf (p, sizeof p, "%s/proc", root_dir);
          if (mount ("proc", p, "proc", 0, NULL) < 0)
            _exit (3);
          if (with_tty)
            {
              /* A pty of its own as controlling terminal, on fd 0. */
              int m = posix_openpt (O_RDWR | O_NOCTTY), sl;
              if (m < 0 || grantpt (m) < 0 || unlockpt (m) < 0 || setsid () < 0)
                _exit (10);
              sl = open (ptsname (m), O_RDWR);
              if (sl < 0 || ioctl (sl, TIOCSCTTY, 0) < 0)
                _exit (11);
              dup2 (sl, 0);
              dup2 (m, 9); /* keep the master open */
            }
          if (chroot (root_dir) < 0 || chdir ("/data") < 0)
            _exit (4);
          if (stdout_fd >= 0)
            dup2 (stdout_fd, 1);
          fd = open ("/data/file", O_RDONLY);
          if (fd != 5 && (dup2 (fd, 5) < 0 || close (fd) < 0))
            _exit (8);
          fd = open ("/data", O_PATH);
          if (fd != 6 && (dup2 (fd, 6) < 0 || close (fd) < 0))
            _exit (8);
          umask (mask);
          if (uid != 0 && (setgroups (0, NULL) < 0 || setresgid (uid, uid, uid) < 0 || setresuid (uid, uid, uid) < 0))
            _exit (5);
          /* Credential changes clear the parent-death signal: set it last. */
          prctl (PR_SET_PDEATHSIG, SIGKILL);
          if (write (ready[1], "k", 1) != 1)
            _exit (6);
          /* Serve the test's requests: the same opens, done by the kernel for this process. */
          for (;;)
            {
              AppReq rq;
              AppRes rs = { 0, 0, 0 };
              struct stat st;
              if (read (cmd[1], &rq, sizeof rq) != sizeof rq)
                _exit (0);
              fd = openat (rq.dirfd, rq.path, rq.flags | O_CLOEXEC, 0644);
              if (fd < 0)
                rs.err = errno;
              else
                {
                  if (fstat (fd, &st) == 0)
                    {
                      rs.dev = st.st_dev;
                      rs.ino = st.st_ino;
                    }
                  close (fd);
                }
              if (write (cmd[1], &rs, sizeof rs) != sizeof rs)
                _exit (0);
            }
        }
      if (write (pidp[1], &pid, sizeof pid) != sizeof pid)
        _exit (7);
      waitpid (pid, NULL, 0);
      _exit (0);
    }
  close (ready[1]);
  close (pidp[1]);
  close (cmd[1]);
  app_cmd[idx] = cmd[0];
  g_assert_cmpint (read (pidp[0], &app, sizeof app), ==, sizeof app);
  close (pidp[0]);
  {
    char c;
    g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  }
  close (ready[0]);
  app_helpers[idx] = helper;
  return app;
}

/* Read the whole content of fd (from its current offset). */
static char *
slurp (int fd)
{
  GString *s = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (s, buf, n);
  return g_string_free (s, FALSE);
}

static char *
open_read (pid_t app, int dirfd, const char *path, int flags, int *err)
{
  int fd = sentry_files_open (kernel, app, dirfd, path, flags | O_LARGEFILE, 0, 0, NULL);
  char *s;

  *err = fd < 0 ? -fd : 0;
  if (fd < 0)
    return NULL;
  s = slurp (fd);
  close (fd);
  return s;
}

static void
assert_content (pid_t app, int dirfd, const char *path, const char *expected)
{
  int err;
  g_autofree char *s = open_read (app, dirfd, path, O_RDONLY, &err);
  if (s == NULL)
    g_error ("open %s: %s", path, g_strerror (err));
  g_assert_cmpstr (s, ==, expected);
}

static void
assert_errno (pid_t app, int dirfd, const char *path, int flags, int expected)
{
  int fd = sentry_files_open (kernel, app, dirfd, path, flags, 0, 0, NULL);
  if (fd >= 0)
    close (fd);
  if (fd != -expected)
    g_error ("open %s: expected %s, got %s", path, g_strerror (expected), fd >= 0 ? "success" : g_strerror (-fd));
}

static void
test_inside_root (void)
{
  assert_content (app_root, AT_FDCWD, "/data/file", "inside\n");
  assert_content (app_root, AT_FDCWD, "file", "inside\n");
  assert_content (app_root, AT_FDCWD, "./../data/./file", "inside\n");
  /* Out of the root by "..", by an absolute symlink, by a relative one: each stays inside. */
  assert_content (app_root, AT_FDCWD, "../../../../../etc/passwd", "fake passwd\n");
  assert_content (app_root, AT_FDCWD, "/../../etc/passwd", "fake passwd\n");
  assert_content (app_root, AT_FDCWD, "/data/escape", "fake passwd\n");
  assert_content (app_root, AT_FDCWD, "rel-escape", "fake passwd\n");
  assert_errno (app_root, AT_FDCWD, "/data/nothere", O_RDONLY, ENOENT);
  assert_errno (app_root, AT_FDCWD, "", O_RDONLY, ENOENT);
  assert_errno (app_root, AT_FDCWD, "/data/file/", O_RDONLY, ENOTDIR);
  assert_errno (app_root, AT_FDCWD, "/data/file/x", O_RDONLY, ENOTDIR);
}

static void
test_dirfd (void)
{
  assert_content (app_root, 6, "file", "inside\n");
  assert_content (app_root, 6, "/etc/passwd", "fake passwd\n");
  assert_content (app_root, 5, "/data/file", "inside\n"); /* absolute: dirfd ignored */
  assert_errno (app_root, 5, "x", O_RDONLY, ENOTDIR);
  assert_errno (app_root, 99, "x", O_RDONLY, EBADF);
}

static void
test_symlinks (void)
{
  int fd;
  struct stat st;

  assert_errno (app_root, AT_FDCWD, "/data/loop", O_RDONLY, ELOOP);
  assert_errno (app_root, AT_FDCWD, "/data/escape", O_PATH | O_DIRECTORY, ENOTDIR);
  assert_errno (app_root, AT_FDCWD, "/data/escape/", O_RDONLY, ENOTDIR);
  assert_errno (app_root, AT_FDCWD, "/data/nothere/", O_CREAT | O_WRONLY, EISDIR);
  assert_content (app_root, AT_FDCWD, "/data/./escape", "fake passwd\n");
  assert_errno (app_root, AT_FDCWD, "/data/escape", O_RDONLY | O_NOFOLLOW, ELOOP);
  assert_errno (app_root, AT_FDCWD, "/data/escape", O_RDONLY | O_CREAT | O_EXCL, EEXIST);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/escape", O_PATH | O_NOFOLLOW, 0, 0, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstatat (fd, "", &st, AT_EMPTY_PATH), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  close (fd);
}

static void
test_permissions (void)
{
  int fd;
  struct stat st;
  g_autofree char *host_path = NULL;

  /* 0600 root: refused to uid 1000, the app's own 0600 file is fine; root reads both. */
  assert_errno (app_user, AT_FDCWD, "/data/secret", O_RDONLY, EACCES);
  assert_content (app_user, AT_FDCWD, "/data/mine", "mine\n");
  assert_content (app_root, AT_FDCWD, "/data/secret", "secret\n");
  assert_errno (app_user, AT_FDCWD, "/data/file", O_WRONLY, EACCES);
  /* Refused through a symlink and through the walk as well. */
  {
    g_autofree char *l = g_build_filename (root_dir, "tmp", "to-secret", NULL);
    g_assert_cmpint (symlink ("/data/secret", l), ==, 0);
  }
  assert_errno (app_user, AT_FDCWD, "/tmp/to-secret", O_RDONLY, EACCES);

  /* Creation takes the app's fsuid and umask; a directory it may not write refuses. */
  fd = sentry_files_open (kernel, app_user, AT_FDCWD, "/tmp/created", O_CREAT | O_WRONLY | O_EXCL, 0666, 0, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, 1000);
  g_assert_cmpuint (st.st_gid, ==, 1000);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  close (fd);
  assert_errno (app_user, AT_FDCWD, "/data/created", O_CREAT | O_WRONLY, 0666 ? EACCES : 0);
  host_path = g_build_filename (root_dir, "data", "created", NULL);
  g_assert_false (g_file_test (host_path, G_FILE_TEST_EXISTS));

  /* The Sentry thread is itself again afterwards. */
  g_assert_cmpint ((int) syscall (SYS_setfsuid, -1), ==, 0);
  g_assert_cmpint ((int) syscall (SYS_setfsgid, -1), ==, 0);
}

static void
test_proc_self (void)
{
  int err;
  g_autofree char *status = open_read (app_root, AT_FDCWD, "/proc/self/status", O_RDONLY, &err);
  g_autofree char *tstatus = open_read (app_root, AT_FDCWD, "/proc/thread-self/status", O_RDONLY, &err);
  g_autofree char *mstatus = open_read (app_root, AT_FDCWD, "me/status", O_RDONLY, &err);

  /* The app is pid 1 of its pid namespace: /proc/self is it, not the Sentry (which has no pid there). */
  g_assert_nonnull (status);
  g_assert_nonnull (strstr (status, "\nPid:\t1\n"));
  g_assert_nonnull (tstatus);
  g_assert_nonnull (strstr (tstatus, "\nPid:\t1\n"));
  g_assert_nonnull (mstatus);
  g_assert_nonnull (strstr (mstatus, "\nPid:\t1\n"));
  /* fd magic links reopen the app's own files. */
  assert_content (app_root, AT_FDCWD, "/proc/self/fd/5", "inside\n");
  assert_content (app_root, AT_FDCWD, "/proc/1/fd/5", "inside\n");
  /* "echo hi > /dev/stdout": the app's stdout is a pipe whose other end the test holds. */
  {
    int fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/stdout", O_WRONLY | O_LARGEFILE, 0, 0, NULL);
    char buf[16] = "";
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, "hi\n", 3), ==, 3);
    close (fd);
    g_assert_cmpint (read (app_stdout_r, buf, sizeof buf), ==, 3);
    g_assert_cmpstr (buf, ==, "hi\n");
  }
}

static void
test_virtual (void)
{
  int virt = 0;
  int fd, err;
  g_autofree char *expected = g_strdup_printf ("Linux version %s %s\n", sentry_kernel_release (kernel),
                                               sentry_kernel_version (kernel));
  g_autofree char *osrelease = g_strdup_printf ("%s\n", sentry_kernel_release (kernel));

  g_assert_cmpstr (sentry_kernel_release (kernel), ==, "4.4.0");
  assert_content (app_root, AT_FDCWD, "/proc/version", expected);
  assert_content (app_root, AT_FDCWD, "/proc/./version", expected);
  assert_content (app_root, AT_FDCWD, "/proc/../proc/version", expected);
  assert_content (app_root, AT_FDCWD, "/data/v", expected);
  assert_content (app_user, AT_FDCWD, "../proc//version", expected);
  assert_content (app_root, AT_FDCWD, "/proc/sys/kernel/osrelease", osrelease);
  assert_content (app_root, AT_FDCWD, "/proc/sys/kernel/ostype", "Linux\n");
  assert_content (app_root, AT_FDCWD, "/proc/sys/../sys/kernel/version", SENTRY_VERSION "\n");
  assert_errno (app_root, AT_FDCWD, "/proc/version", O_WRONLY, EACCES);
  assert_errno (app_root, AT_FDCWD, "/proc/sys/kernel/hostname", O_RDWR, EACCES);

  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/proc/uptime", O_RDONLY, 0, 0, &virt);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (virt, ==, 1);
  {
    g_autofree char *s = slurp (fd);
    double up = g_ascii_strtod (s, NULL);
    g_assert_cmpfloat (up, >=, 0);
    g_assert_cmpfloat (up, <, 600); /* since this test's kernel booted, not the host */
    /* Read-only and sealed: the app cannot change it. */
    g_assert_cmpint (write (fd, "x", 1), ==, -1);
  }
  close (fd);
  /* Not virtual: the app's own process files. */
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/proc/1/stat", O_RDONLY, 0, 0, &virt);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (virt, ==, 0);
  close (fd);
  {
    g_autofree char *m = open_read (app_root, AT_FDCWD, "/proc/meminfo", O_RDONLY, &err);
    g_autofree char *c = open_read (app_root, AT_FDCWD, "/proc/cpuinfo", O_RDONLY, &err);
    g_autofree char *st = open_read (app_root, AT_FDCWD, "/proc/stat", O_RDONLY, &err);
    g_autofree char *la = open_read (app_root, AT_FDCWD, "/proc/loadavg", O_RDONLY, &err);
    g_autofree char *cl = open_read (app_root, AT_FDCWD, "/proc/cmdline", O_RDONLY, &err);
    g_assert_true (g_str_has_prefix (m, "MemTotal:"));
    g_assert_true (g_str_has_prefix (c, "processor"));
    g_assert_true (g_str_has_prefix (st, "cpu  "));
    g_assert_nonnull (strstr (st, "\nbtime "));
    g_assert_true (g_str_has_prefix (la, "0.00 0.00 0.00 "));
    g_test_message ("cmdline: %s", cl);
    g_assert_nonnull (strstr (cl, "4.4.0"));
  }
}

static void
test_kmsg (void)
{
  int fd;
  char rec[1024];
  ssize_t n;
  int virt;

  /* The app's /dev has no kmsg node: the Sentry's log is served all the same, one record per read. */
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/dev/kmsg", O_RDONLY | O_NONBLOCK, 0, 0, &virt);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (virt, ==, 1);
  n = read (fd, rec, sizeof rec - 1);
  g_assert_cmpint (n, >, 0);
  rec[n] = '\0';
  g_assert_true (g_str_has_prefix (rec, "6,0,0,-;Starting " SENTRY_KERNEL_NAME "..."));
  g_assert_nonnull (strchr (rec, '\n'));
  g_assert_cmpint ((int) (strchr (rec, '\n') - rec), ==, n - 1); /* exactly one record */
  while ((n = read (fd, rec, sizeof rec - 1)) > 0)
    rec[n] = '\0';
  g_assert_cmpint (n, ==, -1);
  g_assert_cmpint (errno, ==, EAGAIN);
  g_assert_true (strstr (rec, "Ready!") != NULL);
  close (fd);
  assert_errno (app_root, AT_FDCWD, "/dev/kmsg", O_WRONLY, EACCES);

  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/proc/kmsg", O_RDONLY | O_NONBLOCK, 0, 0, &virt);
  g_assert_cmpint (fd, >=, 0);
  n = read (fd, rec, sizeof rec - 1);
  g_assert_cmpint (n, >, 0);
  rec[n] = '\0';
  g_test_message ("proc/kmsg: %s", rec);
  g_assert_true (g_str_has_prefix (rec, "<6>[   0.000000] Starting " SENTRY_KERNEL_NAME "..."));
  close (fd);
  /* /proc/kmsg is 0400 root, as on Linux. */
  assert_errno (app_user, AT_FDCWD, "/proc/kmsg", O_RDONLY, EACCES);
  g_assert_cmpint (sentry_kmsg_held (), <=, 64);
}

static void *
fifo_writer (void *arg)
{
  g_autofree char *p = g_build_filename (root_dir, "data", "fifo", NULL);
  int fd;

  g_usleep (200 * 1000);
  fd = open (p, O_WRONLY);
  if (fd >= 0)
    {
      if (write (fd, "x", 1) != 1)
        g_warning ("fifo write failed");
      close (fd);
    }
  return NULL;
}

static void *
fifo_reader (void *arg)
{
  g_autofree char *p = g_build_filename (root_dir, "data", "fifo", NULL);
  char *out = arg;
  int fd;

  /* A reader that is itself mediated (as every reader in a sandbox is). */
  g_usleep (200 * 1000);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/fifo", O_RDONLY, 0, 0, NULL);
  if (fd >= 0)
    {
      if (read (fd, out, 1) != 1)
        out[0] = '?';
      close (fd);
    }
  return NULL;
}

static void
test_fifo (void)
{
  pthread_t t;
  gint64 start = g_get_monotonic_time ();
  char c = 0;
  int fd;

  /* A blocking reader waits for the writer, and the fd it gets is blocking again. */
  pthread_create (&t, NULL, fifo_writer, NULL);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/fifo", O_RDONLY, 0, 0, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_NONBLOCK, ==, 0);
  g_assert_cmpint (read (fd, &c, 1), ==, 1);
  g_assert_cmpint (c, ==, 'x');
  pthread_join (t, NULL);
  close (fd);

  /* A blocking writer waits for a reader. (Limitation: a writer waits for a reader that exists, and readers
   * opened through the Sentry always do; a reader outside the sandbox blocked in its own open(2) is not woken
   * by a writer that is still waiting.) */
  {
    char got[2] = "";
    start = g_get_monotonic_time ();
    pthread_create (&t, NULL, fifo_reader, got);
    fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/fifo", O_WRONLY, 0, 0, NULL);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
    g_assert_cmpint (write (fd, "y", 1), ==, 1);
    close (fd);
    pthread_join (t, NULL);
    g_assert_cmpint (got[0], ==, 'y');
  }
  /* O_NONBLOCK writer without a reader: ENXIO, as on Linux. */
  assert_errno (app_root, AT_FDCWD, "/data/fifo", O_WRONLY | O_NONBLOCK, ENXIO);
}

static void
test_tty (void)
{
  struct stat app0, got;
  char p[64];
  int fd;
  pid_t sid_before = getsid (0);

  /* /dev/tty is the app's controlling terminal (its pty), never the Sentry's. */
  snprintf (p, sizeof p, "/proc/%d/fd/0", (int) app_root);
  g_assert_cmpint (stat (p, &app0), ==, 0);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/dev/tty", O_RDWR, 0, 0, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &got), ==, 0);
  g_assert_true (S_ISCHR (got.st_mode));
  g_assert_cmpuint (got.st_rdev, ==, app0.st_rdev);
  close (fd);
  /* An app without a controlling terminal gets ENXIO, as on Linux. */
  assert_errno (app_user, AT_FDCWD, "/dev/tty", O_RDWR, ENXIO);
  /* The Sentry did not take the terminal as its own. */
  g_assert_cmpint (getsid (0), ==, sid_before);
  fd = open ("/dev/tty", O_RDWR | O_NOCTTY);
  if (fd >= 0)
    {
      struct stat mine;
      g_assert_cmpint (fstat (fd, &mine), ==, 0);
      g_assert_cmpuint (mine.st_rdev, !=, app0.st_rdev);
      close (fd);
    }
}

/* The app opens natively what the Sentry opens for it: same file (device and inode) or same errno. */
static void
compare_with_kernel (int idx, pid_t app, int dirfd, const char *path, int flags)
{
  AppReq rq;
  AppRes rs;
  struct stat st;
  int fd;

  memset (&rq, 0, sizeof rq);
  rq.dirfd = dirfd;
  rq.flags = flags;
  g_strlcpy (rq.path, path, sizeof rq.path);
  g_assert_cmpint (write (app_cmd[idx], &rq, sizeof rq), ==, sizeof rq);
  g_assert_cmpint (read (app_cmd[idx], &rs, sizeof rs), ==, sizeof rs);
  fd = sentry_files_open (kernel, app, dirfd, path, flags | O_LARGEFILE, (flags & O_CREAT) ? 0644 : 0, 0, NULL);
  if (fd >= 0)
    {
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      close (fd);
    }
  if (rs.err != 0 || fd < 0)
    {
      if (rs.err != (fd < 0 ? -fd : 0))
        g_error ("%s (dirfd %d, flags %#x): the kernel says %s, the Sentry %s", path, dirfd, flags,
                 rs.err ? g_strerror (rs.err) : "success", fd < 0 ? g_strerror (-fd) : "success");
      return;
    }
  if (st.st_dev != rs.dev || st.st_ino != rs.ino)
    g_error ("%s (dirfd %d, flags %#x): a different file than the kernel's", path, dirfd, flags);
}

static void
test_same_as_kernel (void)
{
  const char *paths[] = { "/", ".", "..", "/data/../../..", "//data//file", "/data/file/.", "/data/escape/..",
                          "rel-escape", "../data/rel-escape", "/data/escape", "/data/loop", "/data/nothere",
                          "/data/nothere/x", "/data/file/x", "/proc/self/root/data/file", "/proc/self/cwd/file",
                          "/proc/1/root/etc/passwd", "/proc/1/cwd/../etc/passwd", "/proc/self/fd/5", "/data/me/status",
                          "/data/me/../1/status", "/proc/self/fd/6/file", "/proc/thread-self/fd/5", "/data/secret",
                          "/data/mine", "/tmp", "/tmp/", "/proc", "/proc/1", "/proc/self", "/proc/self/", "/dev",
                          "/data/fifo", "/proc/self/fd", "/proc/self/root/../../data", "/proc/1/fd", "/proc/1/fd/5", "/proc/1/fdinfo/5",
                          "/proc/1/task/1/fd/6/file", "/proc/self/fdinfo", "/proc/1/environ", "/proc/self/mem",
                          "/proc/1/map_files", "/proc/self/ns/mnt", "/proc/1/exe", NULL };
  const int flags[] = { O_RDONLY, O_RDONLY | O_DIRECTORY, O_RDONLY | O_NOFOLLOW, O_PATH | O_NOFOLLOW, O_PATH,
                        O_WRONLY | O_NONBLOCK, O_RDWR | O_NONBLOCK, -1 };

  for (int u = 0; u < 2; u++)
    for (int i = 0; paths[i]; i++)
      for (int f = 0; flags[f] != -1; f++)
        {
          pid_t app = u == 0 ? app_root : app_user;
          /* Blocking FIFO opens would wait for a peer; the fifo test covers them. */
          if (strcmp (paths[i], "/data/fifo") == 0 && !(flags[f] & (O_NONBLOCK | O_PATH)))
            continue;
          compare_with_kernel (u, app, AT_FDCWD, paths[i], flags[f]);
          compare_with_kernel (u, app, 6, paths[i], flags[f]);
        }

  /* Creating opens: the kernel's open (the app's) comes first, so the Sentry's finds what it made. */
  {
    g_autofree char *l = g_build_filename (root_dir, "tmp", "dangling", NULL);
    g_assert_cmpint (symlink ("/tmp/dangling-target", l), ==, 0);
  }
  const char *cpaths[] = { "/tmp/new-a", "/tmp/dangling", "/data/escape", "/data/new-b", "/tmp/new-c/", "/proc/new",
                           "/tmp", "/data/file", NULL };
  const int cflags[] = { O_CREAT | O_WRONLY, O_CREAT | O_RDWR | O_TRUNC, O_WRONLY | O_TRUNC, O_RDWR, O_WRONLY | O_DIRECTORY,
                         -1 };
  for (int u = 0; u < 2; u++)
    for (int i = 0; cpaths[i]; i++)
      for (int f = 0; cflags[f] != -1; f++)
        compare_with_kernel (u, u == 0 ? app_root : app_user, AT_FDCWD, cpaths[i], cflags[f]);
}

static void
test_resolve_flags (void)
{
  int fd;

  fd = sentry_files_open (kernel, app_root, 6, "../data/file", O_RDONLY, 0, RESOLVE_BENEATH, NULL);
  g_assert_cmpint (fd, ==, -EXDEV);
  fd = sentry_files_open (kernel, app_root, 6, "/file", O_RDONLY, 0, RESOLVE_IN_ROOT, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/escape", O_RDONLY, 0, RESOLVE_NO_SYMLINKS, NULL);
  g_assert_cmpint (fd, ==, -ELOOP);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/proc/self/fd/5", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS, NULL);
  g_assert_cmpint (fd, ==, -ELOOP);
  fd = sentry_files_open (kernel, app_root, AT_FDCWD, "/data/file", O_RDONLY, 0, 1ULL << 40, NULL);
  g_assert_cmpint (fd, ==, -EINVAL);
}

static void
test_creds_parse (void)
{
  const char *status = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t77\nNgid:\t0\nPid:\t78\n"
                       "PPid:\t1\nTracerPid:\t0\nUid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\n"
                       "FDSize:\t64\nGroups:\t4 24 27 \nNStgid:\t77\t3\nNSpid:\t78\t4\nNSpgid:\t77\t3\n"
                       "VmPeak:\t  1000 kB\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n"
                       "CapEff:\t00000000a80425fb\n";
  SentryCreds c;

  g_assert_cmpint (sentry_creds_parse_status (status, strlen (status), &c), ==, 0);
  g_assert_cmpuint (c.fsuid, ==, 1003);
  g_assert_cmpuint (c.euid, ==, 1001);
  g_assert_cmpuint (c.fsgid, ==, 53);
  g_assert_cmpint (c.n_groups, ==, 3);
  g_assert_cmpuint (c.groups[2], ==, 27);
  g_assert_cmpint (c.ns_tgid, ==, 3);
  g_assert_cmpint (c.ns_tid, ==, 4);
  g_assert_cmpuint (c.cap_eff, ==, 0xa80425fbULL);
  g_assert_cmpuint (c.umask, ==, 022);
  g_assert_cmpint (sentry_creds_parse_status ("Name:\tx\n", 8, &c), ==, -EINVAL);

  /* Kernels without NStgid/NSpid: Tgid and Pid (not PPid, TracerPid or Ngid); no newline at the end. */
  {
    const char *old_kernel = "Umask:\t0077\nTgid:\t90\nNgid:\t5\nPid:\t91\nPPid:\t1\nUid:\t0\t0\t0\t0\n"
                             "Gid:\t0\t0\t0\t0\nGroups:\t\nCapEff:\t000001ffffffffff";
    g_assert_cmpint (sentry_creds_parse_status (old_kernel, strlen (old_kernel), &c), ==, 0);
    g_assert_cmpint (c.ns_tgid, ==, 90);
    g_assert_cmpint (c.ns_tid, ==, 91);
    g_assert_cmpint (c.n_groups, ==, 0);
    g_assert_cmpuint (c.umask, ==, 077);
    g_assert_cmpuint (c.cap_eff, ==, 0x1ffffffffffULL);
  }
  /* More groups than SENTRY_CREDS_MAX_GROUPS. */
  {
    g_autoptr (GString) many = g_string_new ("Umask:\t0022\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t");
    for (int i = 0; i <= SENTRY_CREDS_MAX_GROUPS; i++)
      g_string_append_printf (many, "%d ", i + 100);
    g_string_append (many, "\nNStgid:\t1\nNSpid:\t1\nCapEff:\t0\n");
    g_assert_cmpint (sentry_creds_parse_status (many->str, many->len, &c), ==, -E2BIG);
  }
  /* The kernel's own text for this thread. */
  {
    g_autofree char *text = NULL;
    gsize len;
    g_assert_true (g_file_get_contents ("/proc/thread-self/status", &text, &len, NULL));
    g_assert_cmpint (sentry_creds_parse_status (text, len, &c), ==, 0);
    g_assert_cmpuint (c.euid, ==, geteuid ());
    g_assert_cmpuint (c.egid, ==, getegid ());
    g_assert_cmpint (c.host_tgid, ==, getpid ());
    g_assert_cmpint (c.n_groups, ==, getgroups (0, NULL));
  }
}

static void
test_proc_render (void)
{
  SentryProcView v = { "4.4.0", SENTRY_VERSION, "box", "(none)", 90ULL * 1000000000ULL + 250000000ULL, 0 };
  SentryProcLimits lim = { 256ULL << 20, 64ULL << 20, 16ULL << 20, 2, 3000000000LL, 1000000000LL, 5 };
  char buf[65536];
  ssize_t n;
  struct sysinfo si;

  n = sentry_proc_render (SENTRY_PROC_UPTIME, &v, &lim, 1, buf, sizeof buf);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (buf, "90.25 176.50\n")); /* idle = 2 cpus * 90.25 s - 4 s used */
  n = sentry_proc_render (SENTRY_PROC_MEMINFO, &v, &lim, 1, buf, sizeof buf);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (buf, "MemTotal:         262144 kB\nMemFree:          196608 kB\n"
                                        "MemAvailable:     212992 kB\n"));
  sentry_proc_sysinfo (&v, &lim, &si);
  g_assert_cmpuint (si.totalram * si.mem_unit, ==, 256ULL << 20);
  g_assert_cmpuint (si.freeram * si.mem_unit, ==, 192ULL << 20);
  g_assert_cmpint (si.uptime, ==, 90);
  g_assert_cmpint (si.procs, ==, 5);
  n = sentry_proc_render (SENTRY_PROC_STAT, &v, &lim, 1, buf, sizeof buf);
  g_assert_true (g_str_has_prefix (buf, "cpu  300 0 100 17650 0 0 0 0 0 0\ncpu0 150 0 50 8825 "));
  g_assert_nonnull (strstr (buf, "\ncpu1 "));
  g_assert_null (strstr (buf, "\ncpu2 "));
  n = sentry_proc_render (SENTRY_PROC_SYS_HOSTNAME, &v, &lim, 1, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "box\n");
  n = sentry_proc_render (SENTRY_PROC_VERSION, &v, &lim, 1, buf, 10);
  g_assert_cmpint (n, ==, -ENOSPC);
  /* Written to a file (as the Sentry serves it): the same text. */
  for (SentryProcFile f = SENTRY_PROC_VERSION; f < SENTRY_PROC_N_FILES; f++)
    {
      int mfd = memfd_create ("t", MFD_CLOEXEC);
      g_autofree char *got = NULL;
      if (f == SENTRY_PROC_KMSG)
        continue;
      n = sentry_proc_render (f, &v, &lim, 1, buf, sizeof buf);
      g_assert_cmpint (n, >, 0);
      g_assert_cmpint (sentry_proc_render_fd (f, &v, &lim, 1, mfd), >, 0);
      lseek (mfd, 0, SEEK_SET);
      got = slurp (mfd);
      close (mfd);
      if (f != SENTRY_PROC_STAT) /* btime may tick over between the two */
        g_assert_cmpstr (got, ==, buf);
    }
}

/* ---- the whole path: the real filter and notification loop ---- */

#define TOCTOU_ROUNDS 3000

typedef struct
{
  volatile int stop;
  char *buf;
} Flipper;

static void *
flipper (void *arg)
{
  Flipper *f = arg;
  while (!f->stop)
    {
      memcpy (f->buf, "/tmp/sentry-toctou/BBBB", 24);
      memcpy (f->buf, "/tmp/sentry-toctou/AAAA", 24);
    }
  return NULL;
}

/* Runs in the filtered child (uid 65534): results as "key=value\n" lines on out. */
static void
filtered_child (int out)
{
  char line[512];
  char buf[256];
  int fd;
  ssize_t n;
  int allowed = 0, refused = 0, secret = 0, other = 0;
  static char path[64] = "/tmp/sentry-toctou/AAAA";
  Flipper f = { 0, path };
  pthread_t t;

#define REPORT(...) do { int l_ = snprintf (line, sizeof line, __VA_ARGS__); if (write (out, line, l_) < 0) _exit (9); } while (0)
  fd = open ("/proc/version", O_RDONLY);
  n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  buf[n > 0 ? n : 0] = '\0';
  REPORT ("version=%s", buf);
  if (fd >= 0)
    close (fd);
  fd = open ("/tmp/sentry-toctou/BBBB", O_RDONLY);
  REPORT ("secret_errno=%d\n", fd < 0 ? errno : 0);
  fd = open ("/tmp/sentry-toctou/AAAA", O_RDONLY);
  REPORT ("allowed_fd=%d\n", fd);
  if (fd >= 0)
    close (fd);
  fd = open ("/proc/self/status", O_RDONLY);
  n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  buf[n > 0 ? n : 0] = '\0';
  REPORT ("self_pid_ok=%d\n", strstr (buf, "\nPid:\t") != NULL && atoi (strstr (buf, "\nPid:\t") + 6) == getpid ());
  if (fd >= 0)
    close (fd);
  {
    struct sysinfo si;
    REPORT ("sysinfo=%d uptime=%ld\n", sysinfo (&si), si.uptime);
  }

  pthread_create (&t, NULL, flipper, &f);
  for (int i = 0; i < TOCTOU_ROUNDS; i++)
    {
      fd = open (path, O_RDONLY);
      if (fd < 0)
        {
          if (errno == EACCES)
            refused++;
          else
            other++;
          continue;
        }
      n = read (fd, buf, sizeof buf - 1);
      close (fd);
      buf[n > 0 ? n : 0] = '\0';
      if (strcmp (buf, "allowed\n") == 0)
        allowed++;
      else if (strcmp (buf, "SECRET\n") == 0)
        secret++;
      else
        other++;
    }
  f.stop = 1;
  pthread_join (t, NULL);
  REPORT ("toctou allowed=%d refused=%d secret=%d other=%d\n", allowed, refused, secret, other);
  _exit (0);
}

static void
test_through_filter (void)
{
  int sv[2], res[2];
  pid_t pid;
  int listener = -1;
  char dummy;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  SentryFilesStats before, after;
  int status;
  const struct sock_fprog *prog = sentry_kernel_filter (kernel);

  g_assert_nonnull (prog);
  g_mkdir_with_parents ("/tmp/sentry-toctou", 0755);
  g_assert_true (g_file_set_contents ("/tmp/sentry-toctou/AAAA", "allowed\n", -1, NULL));
  g_assert_true (g_file_set_contents ("/tmp/sentry-toctou/BBBB", "SECRET\n", -1, NULL));
  chmod ("/tmp/sentry-toctou/AAAA", 0644);
  chmod ("/tmp/sentry-toctou/BBBB", 0600);
  sentry_files_stats (&before);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_cmpint (pipe2 (res, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int lfd;
      close (sv[0]);
      close (res[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (setgroups (0, NULL) < 0 || setresgid (65534, 65534, 65534) < 0 || setresuid (65534, 65534, 65534) < 0)
        _exit (2);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (3);
      lfd = (int) syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
      if (lfd < 0)
        _exit (4);
      if (runsc_send_fds (sv[1], "L", 1, &lfd, 1) < 0)
        _exit (5);
      close (lfd);
      /* Wait until the Sentry serves the listener. */
      if (read (sv[1], &dummy, 1) != 1)
        _exit (6);
      filtered_child (res[1]);
    }
  close (sv[1]);
  close (res[1]);
  g_assert_cmpint (runsc_recv_fds (sv[0], &dummy, 1, &listener, 1), ==, 1);
  g_assert_cmpint (listener, >=, 0);
  g_assert_true (sentry_kernel_serve (kernel, listener, pid, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (sv[0], "g", 1), ==, 1);
  out = slurp (res[0]);
  close (res[0]);
  close (sv[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_test_message ("filtered child said:\n%s", out);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  sentry_files_stats (&after);

  g_assert_nonnull (strstr (out, "version=Linux version 4.4.0 " SENTRY_VERSION "\n"));
  g_assert_nonnull (strstr (out, "secret_errno=13\n"));
  g_assert_null (strstr (out, "allowed_fd=-1\n"));
  g_assert_nonnull (strstr (out, "self_pid_ok=1\n"));
  g_assert_nonnull (strstr (out, "sysinfo=0 uptime="));
  g_assert_nonnull (strstr (out, " secret=0 other=0\n"));
  {
    const char *a = strstr (out, "toctou allowed=");
    int allowed;
    g_assert_nonnull (a);
    allowed = atoi (a + strlen ("toctou allowed="));
    g_assert_cmpint (allowed, >, 0);
    /* The opens went through the Sentry: each successful one was counted there. */
    g_assert_cmpuint (after.fast + after.walk - before.fast - before.walk, >=, (guint64) allowed);
  }
  g_assert_cmpuint (after.virt, >, before.virt);
  unlink ("/tmp/sentry-toctou/AAAA");
  unlink ("/tmp/sentry-toctou/BBBB");
  rmdir ("/tmp/sentry-toctou");
}

static void
cleanup (void)
{
  for (int i = 0; i < 2; i++)
    if (app_helpers[i] > 0)
      {
        kill (app_helpers[i], SIGKILL);
        waitpid (app_helpers[i], NULL, 0);
      }
  if (app_root > 0)
    kill (app_root, SIGKILL);
  if (app_user > 0)
    kill (app_user, SIGKILL);
  app_helpers[0] = app_helpers[1] = app_root = app_user = 0;
  if (root_dir)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s' /tmp/sentry-toctou", root_dir);
      g_free (root_dir);
      root_dir = NULL;
      if (system (cmd) != 0)
        g_warning ("cleanup failed: %s", cmd);
    }
}

/* A failed assertion aborts (or traps): clean up all the same, then die of the signal. */
static void
on_fatal_signal (int sig)
{
  cleanup ();
  signal (sig, SIG_DFL);
  raise (sig);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int p[2];
  int r;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_skip ("needs root (namespaces, chroot, credentials)");
      g_test_add_func ("/sentry-files/skipped", test_creds_parse);
      return g_test_run ();
    }
  kernel = sentry_kernel_new (NULL, NULL, &error);
  g_assert_no_error (error);
  make_root ();
  signal (SIGABRT, on_fatal_signal);
  signal (SIGTRAP, on_fatal_signal);
  g_assert_cmpint (pipe2 (p, O_CLOEXEC), ==, 0);
  app_stdout_r = p[0];
  app_root = spawn_app (0, 022, p[1], 0, 1);
  close (p[1]);
  app_user = spawn_app (1000, 077, -1, 1, 0);

  g_test_add_func ("/sentry-files/creds-parse", test_creds_parse);
  g_test_add_func ("/sentry-files/proc-render", test_proc_render);
  g_test_add_func ("/sentry-files/inside-root", test_inside_root);
  g_test_add_func ("/sentry-files/dirfd", test_dirfd);
  g_test_add_func ("/sentry-files/symlinks", test_symlinks);
  g_test_add_func ("/sentry-files/permissions", test_permissions);
  g_test_add_func ("/sentry-files/proc-self", test_proc_self);
  g_test_add_func ("/sentry-files/virtual", test_virtual);
  g_test_add_func ("/sentry-files/kmsg", test_kmsg);
  g_test_add_func ("/sentry-files/fifo", test_fifo);
  g_test_add_func ("/sentry-files/tty", test_tty);
  g_test_add_func ("/sentry-files/same-as-kernel", test_same_as_kernel);
  g_test_add_func ("/sentry-files/resolve-flags", test_resolve_flags);
  g_test_add_func ("/sentry-files/through-filter", test_through_filter);
  r = g_test_run ();
  cleanup ();
  sentry_kernel_free (kernel);
  return r;
}
