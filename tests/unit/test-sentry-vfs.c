/* Unit tests for the sandbox kernel's files (src/sentry/proc.c renders them, src/sentry/vfs.c serves them over
 * FUSE). The FUSE tests mount the real filesystem (as root, in a mount namespace of the test's own) and read it
 * as a container would: whole and in pieces, from many threads, /dev/kmsg record by record and following new
 * records. Without root or /dev/fuse they are skipped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/mount.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "sentry/kernel.h"
#include "sentry/proc.h"
#include "sentry/sentry.h"
#include "sentry/vfs.h"

static SentryKernel *kernel;
static SentryVfs *vfs;
static char *mnt_dir; /* the filesystem attached here, in the test's own mount namespace */

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
  n = sentry_proc_render (SENTRY_PROC_LOADAVG, &v, &lim, 77, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0.00 0.00 0.00 1/5 77\n");
}

/* The stream of /dev/kmsg: offsets that name records, one record at a time. */
static void
test_kmsg_stream (void)
{
  SentryLogRecord a, b;
  char line[320];
  uint64_t end = sentry_kernel_log_kmsg_end (kernel);
  size_t n;

  g_assert_cmpint (sentry_kernel_log_record_at (kernel, 0, &a), ==, 1);
  g_assert_cmpuint (a.seq, ==, 0);
  g_assert_cmpuint (a.kmsg_off, ==, 0);
  n = sentry_kernel_log_format_kmsg (&a, line, sizeof line);
  g_assert_true (g_str_has_prefix (line, "6,0,0,-;Starting runsc Sentry...\n"));
  g_assert_cmpint (sentry_kernel_log_record_at (kernel, n, &b), ==, 1);
  g_assert_cmpuint (b.seq, ==, 1);
  g_assert_cmpuint (b.kmsg_off, ==, n);
  /* An offset inside a record names the next one. */
  g_assert_cmpint (sentry_kernel_log_record_at (kernel, 1, &b), ==, 1);
  g_assert_cmpuint (b.seq, ==, 1);
  g_assert_cmpint (sentry_kernel_log_record_at (kernel, end, &b), ==, 0);
  sentry_kernel_log (kernel, "test record %d", 1);
  g_assert_cmpint (sentry_kernel_log_record_at (kernel, end, &b), ==, 1);
  g_assert_cmpuint (b.kmsg_off, ==, end);
  g_assert_cmpstr (b.text, ==, "test record 1");
  g_assert_cmpuint (sentry_kernel_log_kmsg_end (kernel), >, end);
}

static gboolean
fuse_ready (void)
{
  if (vfs != NULL)
    return TRUE;
  g_test_skip ("needs root and /dev/fuse");
  return FALSE;
}

static char *
path_of (const char *name)
{
  return g_build_filename (mnt_dir, name, NULL);
}

static char *
slurp (const char *name)
{
  g_autofree char *p = path_of (name);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (p, &text, NULL, &error));
  return text;
}

static void
test_fuse_texts (void)
{
  g_autofree char *version = NULL, *release = NULL, *meminfo = NULL, *loadavg = NULL;
  struct stat st;
  g_autofree char *p = NULL;

  if (!fuse_ready ())
    return;
  version = slurp ("version");
  g_assert_true (g_str_has_prefix (version, "Linux version 4.4.0 "));
  release = slurp ("osrelease");
  g_assert_cmpstr (release, ==, "4.4.0\n");
  meminfo = slurp ("meminfo");
  g_assert_true (g_str_has_prefix (meminfo, "MemTotal:"));
  /* The reader's own pid (this thread's, as its pid namespace names it) ends loadavg. */
  loadavg = slurp ("loadavg");
  {
    g_autofree char *tail = g_strdup_printf (" %d\n", (int) gettid ());
    g_assert_true (g_str_has_suffix (loadavg, tail));
  }
  p = path_of ("version");
  g_assert_cmpint (stat (p, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);
  g_assert_cmpint (st.st_size, ==, strlen (version)); /* the length of the text (procfs says 0) */
}

/* Small reads at every offset give the same text as one read; pread at 0 renders again (uptime moves). */
static void
test_fuse_pieces (void)
{
  g_autofree char *whole = NULL, *p = NULL;
  GString *pieces = g_string_new (NULL);
  char buf[7], a[64], b[64];
  ssize_t n;
  int fd;

  if (!fuse_ready ())
    return;
  whole = slurp ("cpuinfo");
  p = path_of ("cpuinfo");
  fd = open (p, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (pieces, buf, n);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpstr (pieces->str, ==, whole);
  g_assert_cmpint (pread (fd, buf, 3, 5), ==, 3);
  g_assert_cmpint (memcmp (buf, whole + 5, 3), ==, 0);
  close (fd);
  /* sendfile(2) goes through the page cache, which the filesystem refuses (vfs.c): callers fall back to read(2). */
  {
    int out = open ("/dev/null", O_WRONLY | O_CLOEXEC);
    fd = open (p, O_RDONLY | O_CLOEXEC);
    g_assert_cmpint (sendfile (out, fd, NULL, 4096), ==, -1);
    g_assert_cmpint (errno, ==, EINVAL);
    close (fd);
    close (out);
  }
  g_string_free (pieces, TRUE);

  g_free (p);
  p = path_of ("uptime");
  fd = open (p, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  n = pread (fd, a, sizeof a - 1, 0);
  g_assert_cmpint (n, >, 0);
  a[n] = '\0';
  g_usleep (30000);
  n = pread (fd, b, sizeof b - 1, 0);
  g_assert_cmpint (n, >, 0);
  b[n] = '\0';
  g_assert_cmpstr (a, !=, b);
  close (fd);
}

static void
test_fuse_readonly (void)
{
  g_autofree char *p = NULL;

  if (!fuse_ready ())
    return;
  p = path_of ("hostname");
  g_assert_cmpint (open (p, O_WRONLY | O_CLOEXEC), ==, -1);
  g_assert_true (errno == EROFS || errno == EACCES);
  g_assert_cmpint (open (p, O_RDWR | O_CLOEXEC), ==, -1);
  g_assert_cmpint (truncate (p, 0), ==, -1);
  g_assert_cmpint (chmod (p, 0666), ==, -1);
  g_free (p);
  p = path_of ("new-file");
  g_assert_cmpint (open (p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644), ==, -1);
  g_assert_cmpint (mkdir (p, 0755), ==, -1);
}

static gpointer
reader_thread (gpointer data)
{
  const char *expect = data;
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *t = slurp ("version");
      if (strcmp (t, expect) != 0)
        return GINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_fuse_concurrent (void)
{
  g_autofree char *expect = NULL;
  GThread *t[8];

  if (!fuse_ready ())
    return;
  expect = slurp ("version");
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("reader", reader_thread, expect);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_null (g_thread_join (t[i]));
}

static gpointer
append_later (gpointer data)
{
  g_usleep (200000);
  sentry_kernel_log (kernel, "%s", (const char *) data);
  return NULL;
}

static void
test_fuse_kmsg (void)
{
  g_autofree char *p = path_of ("dev-kmsg");
  char buf[512], small[8];
  struct pollfd pfd;
  GThread *t;
  ssize_t n;
  int fd;

  if (!fuse_ready ())
    return;
  fd = open (p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  /* One record per read, the first one first; a buffer too small for a record is EINVAL. */
  g_assert_cmpint (read (fd, small, sizeof small), ==, -1);
  g_assert_cmpint (errno, ==, EINVAL);
  n = read (fd, buf, sizeof buf);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "6,0,0,-;Starting runsc Sentry...\n"));
  n = read (fd, buf, sizeof buf);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "6,1,"));
  g_assert_cmpint ((int) (strchr (buf, '\n') - buf), ==, (int) n - 1);
  /* SEEK_END: nothing more until a record comes (EAGAIN without blocking); poll says so. */
  g_assert_cmpint (lseek (fd, 0, SEEK_END), ==, (off_t) sentry_kernel_log_kmsg_end (kernel));
  g_assert_cmpint (read (fd, buf, sizeof buf), ==, -1);
  g_assert_cmpint (errno, ==, EAGAIN);
  sentry_kernel_log (kernel, "after the end");
  n = read (fd, buf, sizeof buf);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_suffix (buf, ",-;after the end\n"));
  pfd.fd = fd;
  pfd.events = POLLIN;
  g_assert_cmpint (poll (&pfd, 1, 0), ==, 0);
  t = g_thread_new ("append", append_later, (gpointer) "polled record");
  g_assert_cmpint (poll (&pfd, 1, 5000), ==, 1);
  g_thread_join (t);
  n = read (fd, buf, sizeof buf);
  buf[n] = '\0';
  g_assert_true (g_str_has_suffix (buf, ",-;polled record\n"));
  /* SEEK_SET 0: from the first record again. */
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  n = read (fd, buf, sizeof buf);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "6,0,0,-;"));
  close (fd);

  /* A blocking reader at the end waits for the next record (dmesg -w). */
  fd = open (p, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (lseek (fd, 0, SEEK_END), >, 0);
  t = g_thread_new ("append", append_later, (gpointer) "followed record");
  n = read (fd, buf, sizeof buf);
  g_thread_join (t);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_suffix (buf, ",-;followed record\n"));
  close (fd);
}

static void
on_alarm (int sig)
{
  (void) sig;
}

/* A reader blocked at the end of the log is freed by a signal, and the filesystem goes on. */
static void
test_fuse_kmsg_interrupt (void)
{
  g_autofree char *p = path_of ("dev-kmsg");
  struct sigaction sa = { 0 };
  char buf[512];
  int fd;

  if (!fuse_ready ())
    return;
  sa.sa_handler = on_alarm;
  sigaction (SIGALRM, &sa, NULL);
  fd = open (p, O_RDONLY | O_CLOEXEC);
  lseek (fd, 0, SEEK_END);
  alarm (1);
  g_assert_cmpint (read (fd, buf, sizeof buf), ==, -1);
  g_assert_cmpint (errno, ==, EINTR);
  close (fd);
  g_free (slurp ("version"));
}

static void
test_fuse_proc_kmsg (void)
{
  g_autofree char *p = path_of ("kmsg");
  char buf[4096];
  ssize_t n;
  int fd;

  if (!fuse_ready ())
    return;
  fd = open (p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  n = read (fd, buf, sizeof buf - 1);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "<6>[   0.000000] Starting runsc Sentry...\n"));
  close (fd);
}

/* A reader cannot make the Sentry hold without bound: past SENTRY_VFS_MAX_OPEN open files, ENFILE. */
static void
test_fuse_open_bound (void)
{
  g_autofree char *p = path_of ("version");
  g_autofree int *fds = g_new (int, SENTRY_VFS_MAX_OPEN);
  struct rlimit rl;
  int n = 0, fd;

  if (!fuse_ready ())
    return;
  getrlimit (RLIMIT_NOFILE, &rl);
  if (rl.rlim_max < SENTRY_VFS_MAX_OPEN + 64)
    {
      g_test_skip ("RLIMIT_NOFILE too low");
      return;
    }
  rl.rlim_cur = rl.rlim_max;
  setrlimit (RLIMIT_NOFILE, &rl);
  for (; n < SENTRY_VFS_MAX_OPEN; n++)
    {
      fds[n] = open (p, O_RDONLY | O_CLOEXEC);
      if (fds[n] < 0)
        break;
    }
  g_assert_cmpint (n, ==, SENTRY_VFS_MAX_OPEN);
  fd = open (p, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ENFILE);
  for (int i = 0; i < n; i++)
    close (fds[i]);
  /* Released (asynchronously by the kernel): opens work again. */
  for (int i = 0; i < 100 && (fd = open (p, O_RDONLY | O_CLOEXEC)) < 0; i++)
    g_usleep (10000);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
}

/* Unmounting the last mount ends the connection: nothing of it stays in the Sentry. */
static void
test_fuse_connection_ends (void)
{
  g_autofree char *dir = NULL;
  guint before;
  int mnt;

  if (!fuse_ready ())
    return;
  before = sentry_vfs_connections (vfs);
  mnt = sentry_vfs_mount (vfs, sentry_vfs_open_device (NULL), 0, 0, NULL);
  g_assert_cmpint (mnt, >=, 0);
  g_assert_cmpuint (sentry_vfs_connections (vfs), ==, before + 1);
  dir = g_dir_make_tmp ("vfs-end.XXXXXX", NULL);
  g_assert_cmpint (syscall (SYS_move_mount, mnt, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH), ==, 0);
  close (mnt);
  g_assert_cmpint (umount2 (dir, 0), ==, 0);
  for (int i = 0; i < 500 && sentry_vfs_connections (vfs) != before; i++)
    g_usleep (10000);
  g_assert_cmpuint (sentry_vfs_connections (vfs), ==, before);
  g_rmdir (dir);
}

/* One thread serves every connection of a sandbox, however many containers a pod has. */
static void
test_fuse_many_connections (void)
{
  enum { N = 80 };
  char *dirs[N];
  guint before;

  if (!fuse_ready ())
    return;
  before = sentry_vfs_connections (vfs);
  for (int i = 0; i < N; i++)
    {
      int mnt = sentry_vfs_mount (vfs, sentry_vfs_open_device (NULL), 0, 0, NULL);
      g_assert_cmpint (mnt, >=, 0);
      dirs[i] = g_dir_make_tmp ("vfs-many.XXXXXX", NULL);
      g_assert_cmpint (syscall (SYS_move_mount, mnt, "", AT_FDCWD, dirs[i], MOVE_MOUNT_F_EMPTY_PATH), ==, 0);
      close (mnt);
    }
  for (int i = N - 1; i >= 0; i -= 13)
    {
      g_autofree char *p = g_build_filename (dirs[i], "osrelease", NULL);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, "4.4.0\n");
    }
  for (int i = 0; i < N; i++)
    {
      g_assert_cmpint (umount2 (dirs[i], 0), ==, 0);
      g_rmdir (dirs[i]);
      g_free (dirs[i]);
    }
  for (int i = 0; i < 500 && sentry_vfs_connections (vfs) != before; i++)
    g_usleep (10000);
  g_assert_cmpuint (sentry_vfs_connections (vfs), ==, before);
}

static void
setup_fuse (void)
{
  int mnt;

  if (geteuid () != 0 || access ("/dev/fuse", R_OK | W_OK) != 0 || unshare (CLONE_NEWNS) != 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return;
  vfs = sentry_vfs_new (kernel, NULL);
  g_assert_nonnull (vfs);
  mnt = sentry_vfs_mount (vfs, sentry_vfs_open_device (NULL), 0, 0, NULL);
  g_assert_cmpint (mnt, >=, 0);
  mnt_dir = g_dir_make_tmp ("vfs.XXXXXX", NULL);
  g_assert_cmpint (syscall (SYS_move_mount, mnt, "", AT_FDCWD, mnt_dir, MOVE_MOUNT_F_EMPTY_PATH), ==, 0);
  close (mnt);
}

int
main (int argc, char **argv)
{
  SentryOptions opts = { 0 };
  int r;

  g_test_init (&argc, &argv, NULL);
  kernel = sentry_kernel_new (&opts, NULL, NULL);
  g_assert_nonnull (kernel);
  setup_fuse ();
  g_test_add_func ("/sentry-vfs/proc-render", test_proc_render);
  g_test_add_func ("/sentry-vfs/kmsg-stream", test_kmsg_stream);
  g_test_add_func ("/sentry-vfs/fuse/texts", test_fuse_texts);
  g_test_add_func ("/sentry-vfs/fuse/pieces", test_fuse_pieces);
  g_test_add_func ("/sentry-vfs/fuse/readonly", test_fuse_readonly);
  g_test_add_func ("/sentry-vfs/fuse/concurrent", test_fuse_concurrent);
  g_test_add_func ("/sentry-vfs/fuse/kmsg", test_fuse_kmsg);
  g_test_add_func ("/sentry-vfs/fuse/kmsg-interrupt", test_fuse_kmsg_interrupt);
  g_test_add_func ("/sentry-vfs/fuse/proc-kmsg", test_fuse_proc_kmsg);
  g_test_add_func ("/sentry-vfs/fuse/open-bound", test_fuse_open_bound);
  g_test_add_func ("/sentry-vfs/fuse/connection-ends", test_fuse_connection_ends);
  g_test_add_func ("/sentry-vfs/fuse/many-connections", test_fuse_many_connections);
  r = g_test_run ();
  if (mnt_dir != NULL)
    {
      umount2 (mnt_dir, MNT_DETACH);
      g_rmdir (mnt_dir);
    }
  sentry_vfs_free (vfs);
  sentry_kernel_free (kernel);
  return r;
}
