/* The Sentry serving real system calls: a child installs the sandbox filter (SECCOMP_FILTER_FLAG_NEW_LISTENER
 * after PR_SET_NO_NEW_PRIVS), hands the listener to this process, which serves it with sentry_kernel_serve, and
 * then runs the in-sandbox probe (tests/sandbox/probe.c) or makes calls itself. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "common/error.h"
#include "oci/spec.h"
#include "container/seccomp-oci.h"
#include "sentry/kernel.h"
#include "sentry/sentry.h"
#include "sentry/syscall-table.h"

typedef void (*ChildFn) (void *data);

/* Run fn in a child under the kernel's filter (after an optional OCI-like filter); returns its wait status and
 * its stdout in *out. */
static int
run_sandboxed_with (SentryKernel *k, ChildFn fn, void *data, scmp_filter_ctx oci, const struct sock_fprog *oci_prog,
                    char **out)
{
  int sv[2], outp[2];
  pid_t pid;
  int status = 0;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_cmpint (pipe2 (outp, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      const struct sock_fprog *prog = sentry_kernel_filter (k);
      char ok;
      int fd;
      close (sv[0]);
      close (outp[0]);
      dup2 (outp[1], 1);
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (100);
      if (oci != NULL && seccomp_load (oci) < 0)
        _exit (101);
      if (oci_prog != NULL && syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, oci_prog) < 0)
        _exit (101);
      fd = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
      if (fd < 0)
        _exit (102);
      if (runsc_send_fds (sv[1], "L", 1, &fd, 1) < 0)
        _exit (103);
      close (fd);
      if (read (sv[1], &ok, 1) != 1) /* served */
        _exit (104);
      fn (data);
      _exit (0);
    }
  close (sv[1]);
  close (outp[1]);

  char b;
  int fd = -1;
  g_assert_cmpint (runsc_recv_fds (sv[0], &b, 1, &fd, 1), ==, 1);
  g_assert_cmpint (fd, >=, 0);
  g_autoptr (GError) error = NULL;
  g_assert_true (sentry_kernel_serve (k, fd, pid, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (write (sv[0], "g", 1), ==, 1);
  close (sv[0]);

  GString *s = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read (outp[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (s, buf, n);
  close (outp[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (out != NULL)
    *out = g_string_free (s, FALSE);
  else
    g_string_free (s, TRUE);
  return status;
}

static int
run_sandboxed (SentryKernel *k, ChildFn fn, void *data, scmp_filter_ctx oci, char **out)
{
  return run_sandboxed_with (k, fn, data, oci, NULL, out);
}

static SentryKernel *
new_kernel (const char *spec_json, const SentryOptions *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = NULL;
  SentryOptions defaults = { 0 };

  if (spec_json != NULL)
    {
      spec = oci_spec_parse (spec_json, -1, &error);
      g_assert_no_error (error);
    }
  SentryKernel *k = sentry_kernel_new (opts ? opts : &defaults, spec, &error);
  g_assert_no_error (error);
  g_assert_true (sentry_kernel_filter_wait (k, NULL)); /* built in the background: before run_sandboxed forks */
  return k;
}

#define SPEC_HEAD "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"

static void
exec_probe (void *data)
{
  char **argv = data;
  execv (PROBE, argv);
  _exit (127);
}

static void
expect_probe_passes (SentryKernel *k, char **argv)
{
  g_autofree char *out = NULL;
  int status = run_sandboxed (k, exec_probe, argv, NULL, &out);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("probe failed (status %#x):\n%s", status, out);
  g_assert_nonnull (strstr (out, " 0 failed"));
  g_test_message ("%s", out);
}

/* The row of sentry_kernel_syscall_counts named name, or NULL. */
static JsonObject *
count_row (JsonArray *counts, const char *name)
{
  for (guint i = 0; i < json_array_get_length (counts); i++)
    {
      JsonObject *o = json_array_get_object_element (counts, i);
      if (g_strcmp0 (json_object_get_string_member (o, "name"), name) == 0)
        return o;
    }
  return NULL;
}

static void
test_probe (void)
{
  SentryKernel *k = new_kernel (SPEC_HEAD "\"hostname\":\"sandbox-host\",\"domainname\":\"example.org\","
                                          "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"uts\"}]}}",
                                NULL);
  char host_before[256], host_after[256];
  gethostname (host_before, sizeof host_before);
  char *argv[] = { PROBE, "--quiet", "--hostname=sandbox-host", "--domainname=example.org",
                   geteuid () == 0 ? "--sethostname" : "--quiet", NULL };

  expect_probe_passes (k, argv);

  /* The refusals went through the Sentry (counted), and the host's hostname is untouched. */
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_mount), ==, 1);
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_socket), >=, 3);
  g_assert_cmpuint (sentry_kernel_refused_count (k, 460), ==, 1);
  g_assert_cmpuint (sentry_kernel_refused_count (k, 1000), ==, 1);
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_getpid), ==, 0);
  /* The metrics report (counters.c) agrees, and counts the emulated uname and every notification. */
  {
    g_autoptr (JsonArray) counts = sentry_kernel_syscall_counts (k);
    JsonObject *mount_row = count_row (counts, "mount"), *uname_row = count_row (counts, "uname");
    g_assert_nonnull (mount_row);
    g_assert_cmpint (json_object_get_int_member (mount_row, "refused"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (mount_row, "emulated"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (mount_row, "notified"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (mount_row, "nr"), ==, __NR_mount);
    g_assert_nonnull (uname_row);
    g_assert_cmpint (json_object_get_int_member (uname_row, "emulated"), >=, 1);
    g_assert_cmpint (json_object_get_int_member (uname_row, "notified"), >=,
                     json_object_get_int_member (uname_row, "emulated"));
    g_assert_null (count_row (counts, "getpid")); /* native: never reaches the Sentry */
    g_assert_nonnull (count_row (counts, "unknown"));     /* 1000, beyond the table */
    g_assert_nonnull (count_row (counts, "unknown_460")); /* a number the table does not name */
  }
  gethostname (host_after, sizeof host_after);
  g_assert_cmpstr (host_before, ==, host_after);
  if (geteuid () == 0)
    {
      char name[80];
      sentry_kernel_hostname (k, name, sizeof name);
      g_assert_cmpstr (name, ==, "probe-host");
    }
  sentry_kernel_free (k);
}

static void
test_release_flag_and_annotation (void)
{
  /* The flag alone. */
  SentryOptions opts = { .release = "5.15.0-flag" };
  SentryKernel *k = new_kernel (SPEC_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}", &opts);
  char *argv[] = { PROBE, "--quiet", "--release=5.15.0-flag", NULL };
  expect_probe_passes (k, argv);
  sentry_kernel_free (k);

  /* The annotation wins over the flag. */
  k = new_kernel (SPEC_HEAD "\"annotations\":{\"dev.gvisor.kernel-release\":\"6.1.0-anno\"},"
                            "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
                  &opts);
  char *argv2[] = { PROBE, "--quiet", "--release=6.1.0-anno", NULL };
  expect_probe_passes (k, argv2);
  sentry_kernel_free (k);

  g_autoptr (GError) error = NULL;
  SentryOptions bad = { .release = "has space" };
  g_assert_null (sentry_kernel_new (&bad, NULL, &error));
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
}

static void
test_no_pidns (void)
{
  SentryKernel *k = new_kernel (SPEC_HEAD "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}", NULL);
  char *argv[] = { PROBE, "--quiet", "--no-pidns", NULL };
  expect_probe_passes (k, argv);
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_ptrace), ==, 1);
  sentry_kernel_free (k);
}

/* The OCI profile runs first and its stricter answer wins. */
static void
stacked_child (void *data)
{
  struct utsname u;
  int r = uname (&u);
  if (!(r < 0 && errno == EACCES))
    _exit (10);
  if (klogctl (10, NULL, 0) <= 0) /* still served by the Sentry */
    _exit (11);
  if (syscall (SYS_mount, "a", "/nonexistent", "b", 0, NULL) >= 0 || errno != EPERM)
    _exit (12);
  if (getpid () <= 0)
    _exit (13);
}

static void
test_oci_profile_stacks (void)
{
  SentryKernel *k = new_kernel (NULL, NULL);
  scmp_filter_ctx oci = seccomp_init (SCMP_ACT_ALLOW);
  g_assert_nonnull (oci);
  g_assert_cmpint (seccomp_rule_add (oci, SCMP_ACT_ERRNO (EACCES), SCMP_SYS (uname), 0), ==, 0);
  g_assert_cmpint (seccomp_attr_set (oci, SCMP_FLTATR_CTL_NNP, 0), ==, 0);
  int status = run_sandboxed (k, stacked_child, NULL, oci, NULL);
  seccomp_release (oci);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_mount), ==, 1);
  sentry_kernel_free (k);
}

/* Under Docker's default profile (trimmed: what this child calls), composed with the table: syslog, which the
 * profile does not name, is answered by the Sentry; mkdir, which it denies by default, is still denied. */
static void
composed_child (void *data)
{
  (void) data;
  if (klogctl (10, NULL, 0) <= 0) /* SYSLOG_ACTION_SIZE_BUFFER, from the Sentry */
    _exit (10);
  if (syscall (SYS_mkdir, "/tmp/runsc-test-composed", 0700) >= 0 || errno != EPERM)
    _exit (11);
  if (syscall (SYS_getppid) >= 0 || errno != EPERM) /* native, not in the profile */
    _exit (12);
}

static void
test_oci_profile_composed (void)
{
#ifdef __SANITIZE_ADDRESS__
  /* The child runs under a profile that denies nearly everything, and ASan's runtime needs calls it denies
   * (sigaltstack on its first signal). */
  g_test_skip ("the profile denies calls AddressSanitizer's runtime makes");
  return;
#endif
  SentryKernel *k = new_kernel (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = oci_spec_parse (
      SPEC_HEAD "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
      "\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit\",\"exit_group\",\"getpid\",\"uname\","
      "\"rt_sigreturn\",\"brk\",\"mmap\",\"munmap\",\"seccomp\",\"sendmsg\",\"close\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}",
      -1, &error);
  struct sock_fprog prog = { 0 };
  unsigned int flags = 0;
  int answered[512];
  gsize n = 0;

  g_assert_no_error (error);
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    if (sentry_syscall_disposition (&sentry_syscall_table[i]) == SENTRY_EMULATED)
      answered[n++] = sentry_syscall_table[i].nr;
  g_assert_true (seccomp_oci_compile (spec->linux_cfg->seccomp, answered, n, &prog, &flags, &error));
  g_assert_no_error (error);
  int status = run_sandboxed_with (k, composed_child, NULL, NULL, &prog, NULL);
  g_free (prog.filter);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test ("/tmp/runsc-test-composed", G_FILE_TEST_EXISTS));
  sentry_kernel_free (k);
}

static char *
read_file_text (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static guint
count_substr (const char *hay, const char *needle)
{
  guint n = 0;
  for (const char *p = strstr (hay, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
refusing_child (void *data)
{
  char c = 'x';
  for (int i = 0; i < 3; i++)
    syscall (SYS_mount, "a", "/nonexistent", "b", 0, NULL);
  syscall (SYS_ioctl, 0, 0x5412, &c); /* TIOCSTI */
  syscall (SYS_ioctl, 0, 0x5412, &c);
  syscall (SYS_ioctl, 0, 0x1234, 0);
  syscall (SYS_getppid);
  struct utsname u;
  uname (&u);
}

static void
test_refusals_logged_once_and_strace (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "test-sentry-log-XXXXXX", NULL);
  int fd = g_mkstemp (path);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_autoptr (GError) error = NULL;

  /* Info level: refusals once each (per command for ioctl). */
  g_assert_true (runsc_log_init (path, RUNSC_LOG_FORMAT_TEXT, FALSE, &error));
  SentryKernel *k = new_kernel (NULL, NULL);
  int status = run_sandboxed (k, refusing_child, NULL, NULL, NULL);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_mount), ==, 3);
  g_assert_cmpuint (sentry_kernel_refused_count (k, __NR_ioctl), ==, 3);
  sentry_kernel_free (k);
  g_autofree char *log1 = read_file_text (path);
  g_test_message ("%s", log1);
  g_assert_cmpuint (count_substr (log1, "Unsupported syscall mount(0x"), ==, 1);
  g_assert_cmpuint (count_substr (log1, "Unsupported syscall ioctl(0,0x5412,"), ==, 1);
  g_assert_cmpuint (count_substr (log1, "Unsupported syscall ioctl(0,0x1234,"), ==, 1);
  g_assert_nonnull (strstr (log1, "refused with EPERM"));
  g_assert_null (strstr (log1, "strace"));

  /* --strace --strace-syscalls=getppid,uname,mount: traced calls in the debug log, native ones included. */
  g_assert_true (runsc_log_init (path, RUNSC_LOG_FORMAT_TEXT, TRUE, &error));
  g_assert_cmpint (truncate (path, 0), ==, 0);
  char *list[] = { "getppid", "uname", "mount", NULL };
  SentryOptions opts = { .strace = TRUE, .strace_syscalls = list };
  k = new_kernel (NULL, &opts);
  status = run_sandboxed (k, refusing_child, NULL, NULL, NULL);
  g_assert_true (WIFEXITED (status));
  sentry_kernel_free (k);
  g_autofree char *log2 = read_file_text (path);
  g_test_message ("%s", log2);
  g_assert_cmpuint (count_substr (log2, "strace: test ["), ==, 5);
  g_assert_nonnull (strstr (log2, "] getppid("));
  g_assert_nonnull (strstr (log2, ") = (native)"));
  g_assert_nonnull (strstr (log2, "uname(0x"));
  g_assert_nonnull (strstr (log2, ") = 0 (0)"));
  g_assert_nonnull (strstr (log2, ") = -1 EPERM"));
  g_assert_nonnull (strstr (log2, " \\\"a\\\", ")); /* mount's source, read from the app (quoted in msg) */
  g_assert_null (strstr (log2, "ioctl(0, 0x5412"));

  g_assert_true (runsc_log_init (NULL, RUNSC_LOG_FORMAT_TEXT, FALSE, &error));
  unlink (path);
}

static guint
thread_count (void)
{
  g_autoptr (GDir) d = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
nothing_child (void *data)
{
  getpid ();
}

/* The notification threads leave and the listener is closed once the container's processes are gone. */
static void
test_threads_end_with_container (void)
{
  SentryKernel *k = new_kernel (NULL, NULL);
  guint before = thread_count ();
  int status = run_sandboxed (k, nothing_child, NULL, NULL, NULL);
  g_assert_true (WIFEXITED (status));
  for (int i = 0; i < 200 && thread_count () > before; i++)
    g_usleep (10000);
  g_assert_cmpuint (thread_count (), ==, before);
  sentry_kernel_free (k);
}

/* syslog(2) READ waits for new lines like Linux, and the container's other calls are served meanwhile. */
static void *
blocking_reader (void *data)
{
  static char buf[4096];
  int n = klogctl (2, buf, sizeof buf - 1); /* SYSLOG_ACTION_READ */
  buf[n > 0 ? n : 0] = '\0';
  return n > 0 && strstr (buf, "wake-up line") != NULL ? buf : NULL;
}

static void
reading_child (void *data)
{
  static char buf[65536];
  struct timespec t0, t1;
  pthread_t t;
  void *res;

  if (klogctl (2, buf, sizeof buf) <= 0) /* the whole boot log is unread */
    _exit (20);
  if (klogctl (9, NULL, 0) != 0) /* SIZE_UNREAD */
    _exit (21);
  if (pthread_create (&t, NULL, blocking_reader, NULL) != 0)
    _exit (22);
  usleep (50000);
  clock_gettime (CLOCK_MONOTONIC, &t0);
  struct utsname u;
  if (uname (&u) != 0 || strcmp (u.sysname, "Linux") != 0)
    _exit (23);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  if (t1.tv_sec - t0.tv_sec > 0 && (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > 300)
    _exit (24); /* uname waited for the blocked READ */
  if (pthread_join (t, &res) != 0 || res == NULL)
    _exit (25);
}

static gpointer
append_later (gpointer data)
{
  g_usleep (600000);
  sentry_kernel_log (data, "wake-up line");
  return NULL;
}

static void
test_syslog_read_blocks_alone (void)
{
  SentryKernel *k = new_kernel (NULL, NULL);
  GThread *t = g_thread_new ("append", append_later, k);
  int status = run_sandboxed (k, reading_child, NULL, NULL, NULL);
  g_thread_join (t);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  sentry_kernel_free (k);
}

/* Freeing the kernel (the Sentry shutting down) does not wait for an app blocked in syslog READ. */
static void
blocked_reader_child (void *data)
{
  static char buf[65536];
  if (klogctl (2, buf, sizeof buf) <= 0)
    _exit (30);
  int n = klogctl (2, buf, sizeof buf);
  _exit (n < 0 && errno == EINTR ? 0 : 31);
}

static gpointer
free_later (gpointer data)
{
  g_usleep (400000);
  gint64 t0 = g_get_monotonic_time ();
  sentry_kernel_free (data);
  return GINT_TO_POINTER ((int) ((g_get_monotonic_time () - t0) / 1000));
}

static void
test_free_with_blocked_reader (void)
{
  SentryKernel *k = new_kernel (NULL, NULL);
  GThread *t = g_thread_new ("free", free_later, k);
  int status = run_sandboxed (k, blocked_reader_child, NULL, NULL, NULL);
  int ms = GPOINTER_TO_INT (g_thread_join (t));
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (ms, <, 3000);
}

static void
test_kernel_log_api (void)
{
  SentryKernel *k = new_kernel (NULL, NULL);
  char buf[65536];
  size_t n = sentry_kernel_log_text (k, 0, buf, sizeof buf - 1);
  buf[n] = '\0';
  g_assert_cmpuint (n, ==, sentry_kernel_log_size (k));
  g_assert_true (g_str_has_prefix (buf, "<6>[   0.000000] Starting " SENTRY_KERNEL_NAME "...\n"));
  g_assert_true (g_str_has_suffix (buf, "] Ready!\n"));
  g_assert_cmpuint (count_substr (buf, "\n"), ==, 12);

  /* Reading at an offset continues where a short read stopped. */
  char part[20];
  size_t m = sentry_kernel_log_text (k, 10, part, sizeof part);
  g_assert_cmpuint (m, ==, sizeof part);
  g_assert_true (memcmp (part, buf + 10, sizeof part) == 0);

  sentry_kernel_log (k, "Memory cgroup out of memory: Killed process %d (%s)", 42, "hog");
  SentryLogRecord rec;
  g_assert_true (sentry_kernel_log_record (k, 12, &rec));
  g_assert_cmpuint (rec.seq, ==, 12);
  g_assert_cmpint (rec.level, ==, 6);
  g_assert_cmpstr (rec.text, ==, "Memory cgroup out of memory: Killed process 42 (hog)");
  g_assert_false (sentry_kernel_log_record (k, 13, &rec));
  g_assert_true (sentry_kernel_log_record (k, 0, &rec));
  g_assert_cmpuint (rec.usec, ==, 0);

  /* Two kernels have different boot logs (ten of ~30 lines, random order) but the same frame. */
  SentryKernel *k2 = new_kernel (NULL, NULL);
  char buf2[65536];
  size_t n2 = sentry_kernel_log_text (k2, 0, buf2, sizeof buf2 - 1);
  buf2[n2] = '\0';
  g_assert_true (n != n2 || memcmp (buf, buf2, n) != 0);

  /* The ring keeps the newest lines. */
  for (int i = 0; i < 300; i++)
    sentry_kernel_log (k, "line %d", i);
  g_assert_true (sentry_kernel_log_record (k, 0, &rec));
  g_assert_cmpuint (rec.seq, >, 0);
  g_assert_cmpuint (sentry_kernel_log_size (k), <, 65536);

  g_assert_cmpstr (sentry_kernel_release (k), ==, "4.4.0");
  g_assert_cmpstr (sentry_kernel_version (k), ==, SENTRY_VERSION);
  /* Uptime is never behind the boot log's last line (Ready!). */
  g_assert_true (sentry_kernel_log_record (k2, 11, &rec));
  g_assert_cmpstr (rec.text, ==, "Ready!");
  g_assert_cmpfloat (sentry_kernel_uptime (k2), >=, rec.usec / 1e6);
  g_assert_cmpfloat (sentry_kernel_uptime (k), <, 60);
  sentry_kernel_free (k);
  sentry_kernel_free (k2);

  k = new_kernel (SPEC_HEAD "\"linux\":{\"resources\":{\"memory\":{\"limit\":268435456}}}}", NULL);
  g_assert_cmpuint (sentry_kernel_memory_limit (k), ==, 268435456);
  sentry_kernel_free (k);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sentry/probe", test_probe);
  g_test_add_func ("/sentry/release-flag-and-annotation", test_release_flag_and_annotation);
  g_test_add_func ("/sentry/no-pidns", test_no_pidns);
  g_test_add_func ("/sentry/oci-profile-stacks", test_oci_profile_stacks);
  g_test_add_func ("/sentry/oci-profile-composed", test_oci_profile_composed);
  g_test_add_func ("/sentry/refusals-logged-once-and-strace", test_refusals_logged_once_and_strace);
  g_test_add_func ("/sentry/threads-end-with-container", test_threads_end_with_container);
  g_test_add_func ("/sentry/kernel-log-api", test_kernel_log_api);
  g_test_add_func ("/sentry/syslog-read-blocks-alone", test_syslog_read_blocks_alone);
  g_test_add_func ("/sentry/free-with-blocked-reader", test_free_with_blocked_reader);
  return g_test_run ();
}
