/* Real containers from a busybox root filesystem (src/container/): each case writes a spec, enters the sandbox
 * namespaces in a forked helper that plays the Sentry, spawns and starts the init, and checks what the program in
 * the container printed. Needs root; skipped otherwise. After each case no process and no mount is left. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "container/container.h"
#include "container/plan.h"
#include "oci/spec.h"

static char *tmpdir;  /* everything the tests make */
static char *bundle;  /* tmpdir/bundle */
static char *rootfs;  /* tmpdir/bundle/rootfs */
static gboolean have_root;

/* ---- specs ---- */

typedef struct
{
  const char *args;        /* JSON array */
  const char *env;         /* extra JSON strings, with a leading comma */
  const char *cwd;
  const char *user;        /* JSON object */
  const char *process;     /* extra process members, with a leading comma */
  gboolean readonly;
  const char *mounts;      /* extra mounts, with a leading comma */
  const char *namespaces;  /* extra namespaces, with a leading comma */
  const char *linux_extra; /* extra linux members, with a leading comma */
  const char *top;         /* extra top-level members, with a leading comma */
} SpecParts;

static char *
spec_json (const SpecParts *s)
{
  return g_strdup_printf (
      "{\"ociVersion\": \"1.0.2\",\n"
      " \"process\": {\"terminal\": false, \"user\": %s, \"args\": %s,\n"
      "   \"env\": [\"PATH=/bin:/sbin\", \"HOME=/\"%s], \"cwd\": \"%s\"%s},\n"
      " \"root\": {\"path\": \"rootfs\", \"readonly\": %s},\n"
      " \"hostname\": \"ctest\",\n"
      " \"mounts\": [\n"
      "   {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
      "   {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
      "    \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
      "   {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
      "    \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},\n"
      "   {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
      "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
      "   {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
      "    \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
      "   {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
      "    \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}%s],\n"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},\n"
      "   {\"type\": \"uts\"}, {\"type\": \"mount\"}%s]%s}%s}\n",
      s->user ? s->user : "{\"uid\": 0, \"gid\": 0}", s->args, s->env ? s->env : "", s->cwd ? s->cwd : "/",
      s->process ? s->process : "", s->readonly ? "true" : "false", s->mounts ? s->mounts : "",
      s->namespaces ? s->namespaces : "", s->linux_extra ? s->linux_extra : "", s->top ? s->top : "");
}

/* ---- running a case ---- */

typedef struct
{
  gboolean overlay;
  const struct sock_fprog *filter;
  gboolean answer_notifications; /* the helper answers every notification with 4242 */
  gboolean console;
  gboolean die_after_spawn; /* the helper reports the init's pid and exits without starting it */
  const OciSpec *exec_spec;   /* after starting the init, exec this spec's process in the container */
  gboolean (*prepare) (pid_t init_pid, void *user_data, GError **error);
} RunOptions;

typedef struct
{
  char *error;     /* spawn or start error, or NULL */
  int status;      /* exit code, or 128 + signal */
  char *out;       /* the program's stdout */
  char *err;       /* the program's stderr */
  char *console;   /* what came through the pty master */
  gboolean got_notify_fd;
  pid_t orphan; /* die_after_spawn: the init's pid */
} RunResult;

static void
run_result_clear (RunResult *r)
{
  g_free (r->error);
  g_free (r->out);
  g_free (r->err);
  g_free (r->console);
  memset (r, 0, sizeof *r);
}

static char *
read_all (int fd)
{
  GString *s = g_string_new (NULL);
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (s, buf, n);
    }
  return g_string_free (s, FALSE);
}

static void
answer_notifications (int notify_fd, pid_t init)
{
  int status;

  for (;;)
    {
      struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
      int r = poll (&pfd, 1, 100);

      if (r > 0 && (pfd.revents & POLLIN))
        {
          struct seccomp_notif req;
          struct seccomp_notif_resp resp;
          memset (&req, 0, sizeof req);
          if (ioctl (notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0)
            {
              memset (&resp, 0, sizeof resp);
              resp.id = req.id;
              resp.val = 4242;
              ioctl (notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
            }
        }
      if (waitpid (init, &status, WNOHANG) == init)
        {
          /* put it back for the caller: exit with the same status */
          int code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
          _exit (code);
        }
    }
}

/* The helper plays the Sentry: sandbox namespaces, spawn, start, wait. It reports errors on report_fd as text and
 * exits 200; otherwise it exits with the container's status. */
static void
helper_main (const OciSpec *spec, const RunOptions *opt, int stdio[3], int console_fd, int report_fd)
{
  g_autoptr (GError) error = NULL;
  ContainerSpawnArgs args = { 0 };
  ContainerInit init;
  g_autofree char *root = g_build_filename (bundle, "rootfs", NULL);
  int status;

  /* A descriptor without close-on-exec, like a Sentry's inherited control socket: it must reach neither a hook
   * nor the program. */
  if (dup2 (report_fd, 77) < 0)
    _exit (204);
  if (!container_enter_sandbox_namespaces (spec, &error))
    goto fail;
  args.spec = spec;
  args.id = "test";
  args.bundle = bundle;
  args.rootfs = root;
  /* with an exec, the console is the exec'd process's */
  args.console_socket = opt->exec_spec != NULL ? -1 : console_fd;
  for (int i = 0; i < 3; i++)
    args.stdio[i] = stdio[i];
  args.rootfs_overlay = opt->overlay;
  args.sandbox_filter = opt->filter;
  args.prepare = opt->prepare;
  args.user_data = (void *) opt;
  if (!container_spawn (&args, &init, &error))
    goto fail;
  if (opt->die_after_spawn)
    {
      g_autofree char *msg = g_strdup_printf ("P%d", (int) init.pid);
      if (write (report_fd, msg, strlen (msg)) < 0)
        _exit (201);
      _exit (0);
    }
  if (init.notify_fd >= 0)
    {
      if (write (report_fd, "N", 1) != 1)
        _exit (201);
    }
  if (!container_start (&init, &error))
    {
      waitpid (init.pid, NULL, 0);
      goto fail;
    }
  if (opt->exec_spec != NULL)
    {
      ContainerExecArgs ea = { .spec = spec, .process = opt->exec_spec->process, .init_pid = init.pid,
                               .console_socket = console_fd, .sandbox_filter = opt->filter };
      ContainerInit ex;
      for (int i = 0; i < 3; i++)
        ea.stdio[i] = stdio[i];
      if (!container_exec_spawn (&ea, &ex, &error))
        {
          kill (init.pid, SIGKILL);
          waitpid (init.pid, NULL, 0);
          goto fail;
        }
      if (!container_start (&ex, &error))
        {
          waitpid (ex.pid, NULL, 0);
          kill (init.pid, SIGKILL);
          waitpid (init.pid, NULL, 0);
          goto fail;
        }
      if (opt->answer_notifications && ex.notify_fd >= 0)
        {
          /* the init's listener is not served: it only sleeps */
          kill (init.pid, SIGKILL);
          waitpid (init.pid, NULL, 0);
          answer_notifications (ex.notify_fd, ex.pid);
        }
      while (waitpid (ex.pid, &status, 0) < 0)
        if (errno != EINTR)
          _exit (202);
      kill (init.pid, SIGKILL);
      waitpid (init.pid, NULL, 0);
      _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
    }
  if (opt->answer_notifications && init.notify_fd >= 0)
    answer_notifications (init.notify_fd, init.pid);
  while (waitpid (init.pid, &status, 0) < 0)
    if (errno != EINTR)
      _exit (202);
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
fail:
  {
    g_autofree char *msg = g_strdup_printf ("E%s", error->message);
    if (write (report_fd, msg, strlen (msg)) < 0)
      _exit (203);
  }
  _exit (200);
}

/* Mounts at or under tmpdir (what a test could leave behind). Not every mount of the namespace: other programs
 * on the machine mount and unmount elsewhere while the tests run. */
static int
count_mounts (void)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  size_t len = strlen (tmpdir);
  int n = 0;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, " ", 6);
      if (g_strv_length (f) >= 5 && strncmp (f[4], tmpdir, len) == 0 && (f[4][len] == '\0' || f[4][len] == '/'))
        n++;
    }
  return n;
}

/* A process the current test started on purpose (not counted as left behind), or -1. */
static pid_t expected_child = -1;

/* Children of this process other than expected_child, from /proc (PPid). */
static int
count_children (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  int n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autofree char *want = g_strdup_printf ("\nPPid:\t%d\n", (int) getpid ());
      if (!g_ascii_isdigit (name[0]) || atoi (name) == expected_child)
        continue;
      path = g_strdup_printf ("/proc/%s/status", name);
      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, want) != NULL)
        {
          g_printerr ("left behind: pid %s\n", name);
          n++;
        }
    }
  return n;
}

static void
run_spec (const char *json, const RunOptions *opt, RunResult *res)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = NULL;
  int out[2], err[2], rep[2], con[2] = { -1, -1 };
  int stdio[3];
  int null_fd, status, mounts_before = count_mounts ();
  pid_t helper;
  g_autofree char *report = NULL;

  memset (res, 0, sizeof *res);
  spec = oci_spec_parse (json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (pipe2 (out, O_CLOEXEC) == 0 && pipe2 (err, O_CLOEXEC) == 0 && pipe2 (rep, O_CLOEXEC) == 0);
  if (opt->console)
    g_assert_true (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) == 0);
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (null_fd, >=, 0);
  stdio[0] = null_fd;
  stdio[1] = out[1];
  stdio[2] = err[1];

  helper = fork ();
  g_assert_cmpint (helper, >=, 0);
  if (helper == 0)
    {
      close (out[0]);
      close (err[0]);
      close (rep[0]);
      if (con[0] >= 0)
        close (con[0]);
      helper_main (spec, opt, stdio, con[1], rep[1]);
    }
  close (null_fd);
  close (out[1]);
  close (err[1]);
  close (rep[1]);
  if (opt->console)
    {
      int master = -1;
      char name[64];
      ssize_t n;

      close (con[1]);
      n = runsc_recv_fds (con[0], name, sizeof name - 1, &master, 1);
      close (con[0]);
      if (n > 0 && master >= 0)
        {
          GString *s = g_string_new (NULL);
          name[n] = '\0';
          g_assert_true (g_str_has_prefix (name, "/dev/pts/"));
          for (;;)
            {
              char buf[1024];
              struct pollfd pfd = { .fd = master, .events = POLLIN };
              ssize_t k;
              if (poll (&pfd, 1, 10000) <= 0)
                break;
              k = read (master, buf, sizeof buf);
              if (k <= 0)
                break; /* EIO once the slave side is closed */
              g_string_append_len (s, buf, k);
            }
          close (master);
          res->console = g_string_free (s, FALSE);
        }
    }
  res->out = read_all (out[0]);
  res->err = read_all (err[0]);
  report = read_all (rep[0]);
  close (out[0]);
  close (err[0]);
  close (rep[0]);
  g_assert_cmpint (waitpid (helper, &status, 0), ==, helper);

  if (report[0] == 'N')
    {
      res->got_notify_fd = TRUE;
      memmove (report, report + 1, strlen (report));
    }
  if (report[0] == 'E')
    res->error = g_strdup (report + 1);
  if (report[0] == 'P')
    res->orphan = atoi (report + 1);
  g_assert_true (WIFEXITED (status));
  res->status = WEXITSTATUS (status);
  if (res->error == NULL)
    g_assert_cmpint (res->status, !=, 200);

  /* Nothing left behind: no child (but a test's own helper), no mount. */
  g_assert_cmpint (count_children (), ==, 0);
  g_assert_cmpint (count_mounts (), ==, mounts_before);
  if (g_test_verbose ())
    g_printerr ("error=%s status=%d\nstdout=%s\nstderr=%s\n", res->error ? res->error : "(none)", res->status,
                res->out, res->err);
}

static void
run_parts (const SpecParts *parts, const RunOptions *opt, RunResult *res)
{
  g_autofree char *json = spec_json (parts);
  static const RunOptions none = { 0 };

  run_spec (json, opt != NULL ? opt : &none, res);
}

#define REQUIRE_ROOT()                                                                                               \
  do                                                                                                                 \
    {                                                                                                                \
      if (!have_root)                                                                                                \
        {                                                                                                            \
          g_test_skip ("needs root");                                                                                \
          return;                                                                                                    \
        }                                                                                                            \
    }                                                                                                                \
  while (0)

#define ASSERT_RAN(r)                                                                                                \
  do                                                                                                                 \
    {                                                                                                                \
      if ((r)->error != NULL)                                                                                        \
        g_error ("container failed: %s", (r)->error);                                                                \
    }                                                                                                                \
  while (0)

/* ---- cases ---- */

static void
test_exit_code (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo out; echo err >&2; exit 3\"]" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.out, ==, "out\n");
  g_assert_cmpstr (r.err, ==, "err\n");
  run_result_clear (&r);
}

static void
test_identity (void)
{
  /* hostname, env, cwd created when missing, pid 1, a namespaced sysctl, the devices */
  SpecParts s = { .args = "[\"sh\", \"-c\", \"hostname; echo $FOO; pwd; echo $$; cat /proc/sys/net/ipv4/ip_forward;"
                          " test -c /dev/null && test -c /dev/urandom && test -L /dev/ptmx && test -L /dev/fd"
                          " && echo x > /dev/null && echo devices-ok\"]",
                  .env = ", \"FOO=bar baz\"",
                  .cwd = "/work/sub",
                  .linux_extra = ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "ctest\nbar baz\n/work/sub\n1\n1\ndevices-ok\n");
  run_result_clear (&r);
}

static void
test_sysctl_not_namespaced (void)
{
  SpecParts s = { .args = "[\"true\"]", .linux_extra = ", \"sysctl\": {\"kernel.printk\": \"4\"}" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_nonnull (r.error);
  g_assert_nonnull (strstr (r.error, "kernel.printk"));
  run_result_clear (&r);
}

static void
test_capabilities (void)
{
  SpecParts s = {
    .args = "[\"sh\", \"-c\", \"grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status\"]",
    .process = ", \"noNewPrivileges\": true, \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"],"
               " \"effective\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"permitted\": [\"CAP_CHOWN\", \"CAP_KILL\"]}"
  };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  /* root's execve: permitted = bounding here */
  g_assert_cmpstr (r.out, ==,
                   "CapInh:\t0000000000000000\nCapPrm:\t0000000000000021\nCapEff:\t0000000000000021\n"
                   "CapBnd:\t0000000000000021\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n");
  run_result_clear (&r);
}

static void
test_user (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"grep -E '^(Uid|Gid|Groups|CapEff|CapAmb)' /proc/self/status; umask\"]",
                  .user = "{\"uid\": 1000, \"gid\": 1001, \"additionalGids\": [10, 20], \"umask\": 63}",
                  .process = ", \"capabilities\": {\"bounding\": [\"CAP_NET_BIND_SERVICE\"],"
                             " \"effective\": [\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_NET_BIND_SERVICE\"],"
                             " \"inheritable\": [\"CAP_NET_BIND_SERVICE\"], \"ambient\": [\"CAP_NET_BIND_SERVICE\"]}" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==,
                   "Uid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\nGroups:\t10 20 \n"
                   "CapEff:\t0000000000000400\nCapAmb:\t0000000000000400\n0077\n");
  run_result_clear (&r);
}

static void
test_readonly_root_and_tmpfs (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"touch /x 2>/dev/null && echo wrote || echo refused;"
                          " echo t > /tmp/f && cat /tmp/f; grep ' /tmp ' /proc/mounts | cut -d' ' -f1,3,4\"]",
                  .readonly = TRUE,
                  .mounts = ", {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
                            " \"options\": [\"nosuid\", \"nodev\", \"mode=1777\", \"size=1m\"]}" };
  RunResult r;
  g_autofree char *x = g_build_filename (rootfs, "x", NULL);

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "refused\nt\ntmpfs tmpfs rw,nosuid,nodev,relatime,size=1024k\n");
  g_assert_false (g_file_test (x, G_FILE_TEST_EXISTS));
  run_result_clear (&r);
}

static void
test_bind_mounts (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "bind-src", NULL);
  g_autofree char *file = g_build_filename (dir, "hello", NULL);
  g_autofree char *mounts = NULL;
  SpecParts s = { .args = "[\"sh\", \"-c\", \"cat /mnt/data/hello; cat /etc/one; touch /mnt/data/new 2>/dev/null"
                          " && echo wrote || echo ro; grep ' /mnt/data ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1-4;"
                          " touch /mnt/data/sub/new 2>/dev/null && echo sub-wrote || echo sub-ro\"]" };
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  RunResult r;

  REQUIRE_ROOT ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, "hello from the host\n", -1, NULL));
  mounts = g_strdup_printf (", {\"destination\": \"/mnt/data\", \"type\": \"bind\", \"source\": \"%s\","
                            " \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\", \"rprivate\"]},"
                            " {\"destination\": \"/etc/one\", \"source\": \"%s\", \"options\": [\"bind\"]}",
                            dir, file);
  s.mounts = mounts;
  /* a writable submount of the volume must be read-only in the container too */
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (mount ("tmpfs", sub, "tmpfs", 0, "size=1m"), ==, 0);
  run_parts (&s, NULL, &r);
  g_assert_cmpint (umount (sub), ==, 0);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "hello from the host\nhello from the host\nro\nro,nosuid,nodev,relatime\nsub-ro\n");
  {
    g_autofree char *created = g_build_filename (dir, "new", NULL);
    g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));
  }
  run_result_clear (&r);
}

static void
test_mount_error (void)
{
  SpecParts s = { .args = "[\"true\"]",
                  .mounts = ", {\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"/nonexistent-src\","
                            " \"options\": [\"bind\"]}" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_cmpstr (r.error, ==,
                   "mount /nonexistent-src on /mnt: stat /nonexistent-src: No such file or directory");
  run_result_clear (&r);
}

static void
test_masked_and_readonly_paths (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo [$(cat /etc/secret)]; ls -A /secretdir | wc -l;"
                          " touch /rodir/x 2>/dev/null && echo wrote || echo ro; cat /rodir/keep\"]",
                  .linux_extra = ", \"maskedPaths\": [\"/etc/secret\", \"/secretdir\", \"/does/not/exist\"],"
                                 " \"readonlyPaths\": [\"/rodir\", \"/not/there\"]" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "[]\n0\nro\nkept\n");
  run_result_clear (&r);
}

static void
test_rlimits (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"ulimit -n; ulimit -Hn\"]",
                  .process = ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 512, \"hard\": 1024}]" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "512\n1024\n");
  run_result_clear (&r);
}

static const char userns_parts[] = ", {\"type\": \"user\"}";
static const char userns_maps[] = ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
                                  " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]";

static void
test_rlimit_error (void)
{
  /* In a user namespace a hard limit above the current one always needs CAP_SYS_RESOURCE of the host. */
  SpecParts s = { .args = "[\"true\"]",
                  .process = ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 4096, \"hard\": 1048576}]",
                  .namespaces = userns_parts,
                  .linux_extra = userns_maps };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_cmpstr (r.error, ==,
                   "setrlimit RLIMIT_NOFILE (soft 4096, hard 1048576): Operation not permitted: raising a hard limit "
                   "needs CAP_SYS_RESOURCE");
  run_result_clear (&r);
}

static void
test_user_namespace (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"cat /proc/self/uid_map /proc/self/gid_map; id -u; echo w > /w && cat /w;"
                          " ls /sys/class/net | tr '\\\\n' ' '; echo; grep -c '^mqueue /dev/mqueue mqueue' /proc/mounts;"
                          " test -c /dev/null && echo dev-ok\"]",
                  .namespaces = userns_parts,
                  .linux_extra = userns_maps };
  RunOptions opt = { .overlay = TRUE };
  RunResult r;
  g_auto (GStrv) lines = NULL;
  g_autofree char *w = g_build_filename (rootfs, "w", NULL);

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  for (int i = 0; i < 2; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      GPtrArray *words = g_ptr_array_new ();
      for (char **p = f; *p; p++)
        if (**p)
          g_ptr_array_add (words, *p);
      g_assert_cmpuint (words->len, ==, 3);
      g_assert_cmpstr (words->pdata[0], ==, "0");
      g_assert_cmpstr (words->pdata[1], ==, "100000");
      g_assert_cmpstr (words->pdata[2], ==, "65536");
      g_ptr_array_free (words, TRUE);
    }
  g_assert_cmpstr (lines[2], ==, "0");
  g_assert_cmpstr (lines[3], ==, "w");
  /* sysfs and mqueue are the sandbox's own (made before entering the user namespace): only its loopback */
  g_assert_cmpstr (lines[4], ==, "lo ");
  g_assert_cmpstr (lines[5], ==, "1");
  g_assert_cmpstr (lines[6], ==, "dev-ok");
  g_assert_false (g_file_test (w, G_FILE_TEST_EXISTS));
  run_result_clear (&r);
}

static void
test_console (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"tty; stty size; test -t 0 && echo is-a-tty\"]",
                  .process = ", \"terminal\": true, \"consoleSize\": {\"height\": 30, \"width\": 100}" };
  RunOptions opt = { .console = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (r.console);
  g_assert_cmpstr (r.console, ==, "/dev/pts/0\r\n30 100\r\nis-a-tty\r\n");
  run_result_clear (&r);
}

static void
test_hooks (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "hooks", NULL);
  g_autofree char *top = NULL;
  g_autofree char *prestart = NULL, *runtime = NULL, *container = NULL;
  g_autofree char *pf = g_build_filename (dir, "prestart", NULL);
  g_autofree char *rf = g_build_filename (dir, "createRuntime", NULL);
  g_autofree char *cf = g_build_filename (dir, "createContainer", NULL);
  SpecParts s = { .args = "[\"cat\", \"/tmp/started\"]" };
  RunOptions opt = { .overlay = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  top = g_strdup_printf (
      ", \"hooks\": {"
      "\"prestart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > %s; ls /proc/self/fd | wc -l >> %s; echo $HOOKVAR >> %s\"],"
      " \"env\": [\"HOOKVAR=from-env\"]}],"
      "\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > %s\"], \"timeout\": 5}],"
      "\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\","
      " \"cat > %s; ls /proc/self/fd | wc -l >> %s; readlink /proc/self/ns/mnt >> %s\"]}],"
      "\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat > /tmp/started\"]}]}",
      pf, pf, pf, rf, cf, cf, cf);
  s.top = top;
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  /* startContainer ran inside the container and got the state on stdin */
  g_assert_nonnull (strstr (r.out, "\"status\":\"created\""));
  g_assert_nonnull (strstr (r.out, "\"id\":\"test\""));
  g_assert_true (g_file_get_contents (pf, &prestart, NULL, NULL));
  g_assert_true (g_file_get_contents (rf, &runtime, NULL, NULL));
  g_assert_true (g_file_get_contents (cf, &container, NULL, NULL));
  g_assert_nonnull (strstr (prestart, "\"status\":\"creating\""));
  /* stdin, stdout, stderr and the directory ls reads: nothing of the Sentry's */
  g_assert_true (g_str_has_suffix (prestart, "}4\nfrom-env\n"));
  g_assert_nonnull (strstr (container, "}4\nmnt:["));
  g_assert_nonnull (strstr (runtime, "\"bundle\":"));
  g_assert_nonnull (strstr (container, "\"status\":\"creating\""));
  {
    /* createContainer ran in the container's mount namespace, not ours */
    g_autofree char *ours = g_file_read_link ("/proc/self/ns/mnt", NULL);
    g_assert_nonnull (strstr (container, "mnt:["));
    g_assert_null (strstr (container, ours));
  }
  run_result_clear (&r);
}

static void
test_hook_failures (void)
{
  SpecParts s = { .args = "[\"true\"]",
                  .top = ", \"hooks\": {\"createRuntime\": [{\"path\": \"/bin/sh\","
                         " \"args\": [\"sh\", \"-c\", \"echo boom >&2; exit 3\"]}]}" };
  SpecParts t = { .args = "[\"true\"]",
                  .top = ", \"hooks\": {\"createContainer\": [{\"path\": \"/bin/sleep\", \"args\": [\"sleep\", \"30\"],"
                         " \"timeout\": 1}]}" };
  RunResult r;
  gint64 start;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_cmpstr (r.error, ==, "createRuntime hook /bin/sh: exit status 3, stdout: , stderr: boom");
  run_result_clear (&r);

  start = g_get_monotonic_time ();
  run_parts (&t, NULL, &r);
  g_assert_cmpstr (r.error, ==, "createContainer hook /bin/sleep: timed out after 1 seconds (killed)");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  run_result_clear (&r);
}

static void
test_seccomp_oci (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"mkdir /tmp/x; echo rc=$?; test -d /tmp/x || echo absent\"]",
                  .linux_extra = ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\","
                                 " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"
                                 " \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\", \"no_such_call\"],"
                                 " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 95},"
                                 " {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                                 " \"args\": [{\"index\": 0, \"value\": 255, \"op\": \"SCMP_CMP_EQ\"}]}]}" };
  RunOptions opt = { .overlay = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "rc=1\nabsent\n");
  g_assert_nonnull (strstr (r.err, "Operation not supported"));
  run_result_clear (&r);
}

static void
test_overlay (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo hi > /newfile && cat /newfile && rm /bin/true && echo removed\"]" };
  RunOptions opt = { .overlay = TRUE };
  RunResult r;
  g_autofree char *newfile = g_build_filename (rootfs, "newfile", NULL);
  g_autofree char *truebin = g_build_filename (rootfs, "bin", "true", NULL);

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "hi\nremoved\n");
  g_assert_false (g_file_test (newfile, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (truebin, G_FILE_TEST_IS_SYMLINK));
  run_result_clear (&r);
}

static void
test_sandbox_filter (void)
{
  /* A trivial sandbox filter: getppid goes to the listener, everything else runs. */
  struct sock_filter insns[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = { .len = G_N_ELEMENTS (insns), .filter = insns };
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo $PPID\"]" };
  RunOptions opt = { .filter = &prog, .answer_notifications = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_true (r.got_notify_fd);
  g_assert_cmpstr (r.out, ==, "4242\n");
  run_result_clear (&r);

  /* With noNewPrivileges the filters go in after the switch to an unprivileged user. */
  {
    SpecParts t = { .args = "[\"sh\", \"-c\", \"echo $PPID; id -u; grep NoNewPrivs /proc/self/status\"]",
                    .user = "{\"uid\": 1000, \"gid\": 1000}",
                    .process = ", \"noNewPrivileges\": true" };
    run_parts (&t, &opt, &r);
    ASSERT_RAN (&r);
    g_assert_true (r.got_notify_fd);
    g_assert_cmpstr (r.out, ==, "4242\n1000\nNoNewPrivs:\t1\n");
    run_result_clear (&r);
  }
}

static void
test_exec_not_found (void)
{
  SpecParts s = { .args = "[\"nope\"]" };
  SpecParts t = { .args = "[\"/bin/nope\"]" };
  SpecParts u = { .args = "[\"/etc/secret\"]" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_cmpstr (r.error, ==, "exec: \"nope\": executable file not found in $PATH");
  run_result_clear (&r);
  run_parts (&t, NULL, &r);
  g_assert_cmpstr (r.error, ==, "exec: \"/bin/nope\": stat /bin/nope: no such file or directory");
  run_result_clear (&r);
  run_parts (&u, NULL, &r);
  g_assert_cmpstr (r.error, ==, "exec: \"/etc/secret\": permission denied");
  run_result_clear (&r);
}

static void
test_cgroup_mount (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"cat /proc/self/cgroup | grep -c :/$; ls /sys/fs/cgroup | grep -c .;"
                          " touch /sys/fs/cgroup/x 2>/dev/null && echo wrote || echo ro\"]",
                  .namespaces = ", {\"type\": \"cgroup\"}",
                  .mounts = ", {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
                            " \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}" };
  RunResult r;
  g_auto (GStrv) lines = NULL;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  /* in its own cgroup namespace every hierarchy shows "/" */
  g_assert_cmpint (atoi (lines[0]), >, 0);
  g_assert_cmpint (atoi (lines[1]), >, 0);
  g_assert_cmpstr (lines[2], ==, "ro");
  run_result_clear (&r);
}

static void
test_no_fd_leaks_and_devices (void)
{
  /* Only stdio reaches the program; linux.devices are made (mknod) with their mode. */
  SpecParts s = { .args = "[\"sh\", \"-c\", \"ls /proc/self/fd | wc -l; stat -c '%F %a %t:%T' /dev/mynull;"
                          " echo x > /dev/mynull && echo mynull-ok\"]",
                  .linux_extra = ", \"devices\": [{\"path\": \"/dev/mynull\", \"type\": \"c\", \"major\": 1,"
                                 " \"minor\": 3, \"fileMode\": 432, \"uid\": 0, \"gid\": 0}]" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  /* 0, 1, 2 and the directory ls reads */
  g_assert_cmpstr (r.out, ==, "4\ncharacter special file 660 1:3\nmynull-ok\n");
  run_result_clear (&r);
}

static gboolean
prepare_check_pid (pid_t init_pid, void *user_data, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) init_pid);
  g_autofree char *text = NULL;
  g_autofree char *want = g_strdup_printf ("\nNSpid:\t%d\t1\n", (int) init_pid);

  /* the init exists, is in its own pid namespace, and is pid 1 there */
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (strstr (text, want) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "prepare: no %s in %s", want, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_fail (pid_t init_pid, void *user_data, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cgroup for %d: refused by the test", (int) init_pid);
  return FALSE;
}

static void
test_prepare (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo $$\"]" };
  RunOptions ok = { .prepare = prepare_check_pid };
  RunOptions bad = { .prepare = prepare_fail };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, &ok, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "1\n");
  run_result_clear (&r);
  run_parts (&s, &bad, &r);
  g_assert_nonnull (r.error);
  g_assert_true (g_str_has_prefix (r.error, "cgroup for "));
  g_assert_true (g_str_has_suffix (r.error, ": refused by the test"));
  run_result_clear (&r);
}

static void
test_sentry_death (void)
{
  /* The helper (the Sentry) exits between spawn and start: its init must die with it. */
  SpecParts s = { .args = "[\"sleep\", \"1000\"]" };
  RunOptions opt = { .die_after_spawn = TRUE };
  RunResult r;
  int tries;

  REQUIRE_ROOT ();
  run_parts (&s, &opt, &r);
  g_assert_null (r.error);
  g_assert_cmpint (r.orphan, >, 1);
  for (tries = 0; tries < 100 && runsc_process_alive (r.orphan, 0); tries++)
    g_usleep (20000);
  g_assert_false (runsc_process_alive (r.orphan, 0));
  run_result_clear (&r);
}

static void
test_start_hook_failure (void)
{
  SpecParts s = { .args = "[\"true\"]",
                  .top = ", \"hooks\": {\"startContainer\": [{\"path\": \"/bin/sh\","
                         " \"args\": [\"sh\", \"-c\", \"echo no start >&2; exit 4\"]}]}" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  g_assert_cmpstr (r.error, ==, "startContainer hook /bin/sh: exit status 4, stdout: , stderr: no start");
  run_result_clear (&r);
}

static void
test_join_namespaces (void)
{
  /* A pid and a network namespace that already exist (a sleeping process's), joined by path; a new time
   * namespace. The init is not pid 1 of a joined pid namespace. */
  int ready[2];
  pid_t keeper, member = -1;
  char buf[32];
  ssize_t n;
  g_autofree char *namespaces = NULL;
  g_autofree char *keeper_net = NULL;
  g_autofree char *our_time = g_file_read_link ("/proc/self/ns/time", NULL);
  SpecParts s = { .args = "[\"sh\", \"-c\", \"echo $$; readlink /proc/self/ns/net; readlink /proc/self/ns/time;"
                          " ls /proc | grep -c '^[0-9]'\"]" };
  RunResult r;
  g_auto (GStrv) lines = NULL;

  REQUIRE_ROOT ();
  g_assert_true (pipe2 (ready, O_CLOEXEC) == 0);
  keeper = fork ();
  g_assert_cmpint (keeper, >=, 0);
  if (keeper == 0)
    {
      /* keeper: new pid and net namespaces; its child is pid 1 there and sleeps */
      pid_t child;
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || unshare (CLONE_NEWPID | CLONE_NEWNET) < 0)
        _exit (1);
      child = fork ();
      if (child == 0)
        {
          /* dies with the keeper, which dies with the test */
          prctl (PR_SET_PDEATHSIG, SIGKILL);
          pause ();
          _exit (0);
        }
      snprintf (buf, sizeof buf, "%d", (int) child);
      if (write (ready[1], buf, strlen (buf)) < 0)
        _exit (1);
      waitpid (child, NULL, 0);
      _exit (0);
    }
  expected_child = keeper;
  close (ready[1]);
  n = read (ready[0], buf, sizeof buf - 1);
  close (ready[0]);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  member = atoi (buf);
  keeper_net = g_strdup_printf ("/proc/%d/ns/net", (int) member);
  {
    g_autofree char *net_link = g_file_read_link (keeper_net, NULL);
    g_autofree char *top = NULL;
    g_autofree char *linux_ns = NULL;
    namespaces = g_strdup_printf (", {\"type\": \"time\"}");
    /* replace the default pid and network entries: a spec lists each type once */
    linux_ns = g_strdup_printf (
        "{\"ociVersion\": \"1.0.2\", \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": %s,"
        " \"env\": [\"PATH=/bin\"], \"cwd\": \"/\"}, \"root\": {\"path\": \"rootfs\"},"
        " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
        " \"linux\": {\"namespaces\": [{\"type\": \"pid\", \"path\": \"/proc/%d/ns/pid\"},"
        " {\"type\": \"network\", \"path\": \"%s\"}, {\"type\": \"mount\"}, {\"type\": \"time\"}]}}",
        s.args, (int) member, keeper_net);
    {
      RunOptions none = { 0 };
      run_spec (linux_ns, &none, &r);
    }
    kill (member, SIGKILL);
    waitpid (keeper, NULL, 0);
    expected_child = -1;
    ASSERT_RAN (&r);
    lines = g_strsplit (r.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 5);
    g_assert_cmpint (atoi (lines[0]), >, 1);
    g_assert_cmpstr (lines[1], ==, net_link);
    g_assert_true (g_str_has_prefix (lines[2], "time:["));
    g_assert_cmpstr (lines[2], !=, our_time);
    /* the pid namespace's pid 1 (the keeper's sleeper), the shell, and ls */
    g_assert_cmpint (atoi (lines[3]), >=, 2);
    (void) top;
  }
  run_result_clear (&r);
}

/* Does this process hold capability cap in its effective set? */
static gboolean
have_cap (int cap)
{
  g_autofree char *text = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/self/status", &text, NULL, NULL));
  p = strstr (text, "\nCapEff:\t");
  g_assert_nonnull (p);
  return (g_ascii_strtoull (p + 9, NULL, 16) >> cap) & 1;
}

static void
test_oom_score_adj (void)
{
  SpecParts s = { .args = "[\"cat\", \"/proc/self/oom_score_adj\"]", .process = ", \"oomScoreAdj\": 500" };
  /* lowering it needs CAP_SYS_RESOURCE (and is done before the init enters its user namespace) */
  SpecParts t = { .args = "[\"cat\", \"/proc/self/oom_score_adj\"]", .process = ", \"oomScoreAdj\": -500",
                  .namespaces = userns_parts, .linux_extra = userns_maps };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "500\n");
  run_result_clear (&r);
  run_parts (&t, NULL, &r);
  if (have_cap (24 /* CAP_SYS_RESOURCE */))
    {
      ASSERT_RAN (&r);
      g_assert_cmpstr (r.out, ==, "-500\n");
    }
  else
    g_assert_cmpstr (r.error, ==,
                     "write /proc/self/oom_score_adj (-500): Permission denied: lowering the OOM score below its "
                     "current value needs CAP_SYS_RESOURCE");
  run_result_clear (&r);
}

static void
test_symlink_escape (void)
{
  /* /escape in the image points at a host directory: the mount point is made inside the root, never there. */
  g_autofree char *outside = g_build_filename (tmpdir, "outside", NULL);
  g_autofree char *link = g_build_filename (rootfs, "escape", NULL);
  g_autofree char *host_target = g_build_filename (outside, "mnt", NULL);
  g_autofree char *mounts = g_strdup_printf (", {\"destination\": \"/escape/mnt\", \"type\": \"tmpfs\","
                                             " \"source\": \"tmpfs\"}");
  g_autofree char *args = g_strdup_printf ("[\"sh\", \"-c\", \"grep -c ' %s/mnt tmpfs' /proc/mounts\"]", outside);
  SpecParts s = { .args = args, .mounts = mounts };
  RunOptions opt = { .overlay = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  run_parts (&s, &opt, &r);
  g_unlink (link);
  ASSERT_RAN (&r);
  /* inside, the link resolved against the container's root: the tmpfs is on <root><outside>/mnt */
  g_assert_cmpstr (r.out, ==, "1\n");
  g_assert_false (g_file_test (host_target, G_FILE_TEST_EXISTS));
  run_result_clear (&r);
}

static void
test_rootfs_propagation (void)
{
  SpecParts s = { .args = "[\"sh\", \"-c\", \"grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo | grep -o 'shared:[0-9]*' | cut -d: -f1\"]",
                  .linux_extra = ", \"rootfsPropagation\": \"rshared\"" };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&s, NULL, &r);
  ASSERT_RAN (&r);
  g_assert_cmpstr (r.out, ==, "shared\n");
  run_result_clear (&r);
}

static void
test_exec (void)
{
  /* A second process in a running container: same root, pid and user namespaces, its own user, env and cwd. */
  SpecParts init = { .args = "[\"sh\", \"-c\", \"echo marked > /dev/shm/mark; exec sleep 1000\"]",
                     .namespaces = userns_parts, .linux_extra = userns_maps };
  SpecParts ex = { .args = "[\"sh\", \"-c\", \"for i in $(seq 100); do test -f /dev/shm/mark && break; sleep 0.05; done;"
                           " cat /dev/shm/mark; echo $$; cat /proc/1/comm; id -u; pwd; echo $EX;"
                           " cat /proc/self/uid_map | wc -w; grep CapEff /proc/self/status\"]",
                   .user = "{\"uid\": 1000, \"gid\": 1000}", .cwd = "/tmp", .env = ", \"EX=exec-env\"",
                   .namespaces = userns_parts, .linux_extra = userns_maps };
  g_autofree char *ex_json = spec_json (&ex);
  g_autoptr (OciSpec) ex_spec = oci_spec_parse (ex_json, -1, NULL);
  RunOptions opt = { .overlay = TRUE, .exec_spec = ex_spec };
  RunResult r;

  REQUIRE_ROOT ();
  g_assert_nonnull (ex_spec);
  run_parts (&init, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "marked\n2\nsleep\n1000\n/tmp\nexec-env\n3\nCapEff:\t0000000000000000\n");
  run_result_clear (&r);
}

static void
test_exec_terminal (void)
{
  SpecParts init = { .args = "[\"sleep\", \"1000\"]" };
  SpecParts ex = { .args = "[\"sh\", \"-c\", \"tty; stty size; cat /proc/1/comm\"]",
                   .process = ", \"terminal\": true, \"consoleSize\": {\"height\": 40, \"width\": 120}" };
  g_autofree char *ex_json = spec_json (&ex);
  g_autoptr (OciSpec) ex_spec = oci_spec_parse (ex_json, -1, NULL);
  RunOptions opt = { .exec_spec = ex_spec, .console = TRUE };
  RunResult r;

  REQUIRE_ROOT ();
  g_assert_nonnull (ex_spec);
  run_parts (&init, &opt, &r);
  ASSERT_RAN (&r);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.console, ==, "/dev/pts/0\r\n40 120\r\nsleep\r\n");
  run_result_clear (&r);
}

static void
test_exec_errors (void)
{
  SpecParts init = { .args = "[\"sleep\", \"1000\"]" };
  SpecParts ex = { .args = "[\"nope\"]" };
  g_autofree char *ex_json = spec_json (&ex);
  g_autoptr (OciSpec) ex_spec = oci_spec_parse (ex_json, -1, NULL);
  RunOptions opt = { .exec_spec = ex_spec };
  RunResult r;

  REQUIRE_ROOT ();
  run_parts (&init, &opt, &r);
  g_assert_cmpstr (r.error, ==, "exec: \"nope\": executable file not found in $PATH");
  run_result_clear (&r);
}

/* ---- the root filesystem ---- */

static void
build_rootfs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bin = g_build_filename (rootfs, "bin", NULL);
  g_autofree char *busybox = g_build_filename (bin, "busybox", NULL);
  g_autofree char *data = NULL;
  gsize len;
  int status;
  const char *dirs[] = { "proc", "sys", "dev", "tmp", "etc", "secretdir", "rodir", "sbin" };
  char *argv[] = { "/usr/sbin/chroot", rootfs, "/bin/busybox", "--install", "-s", "/bin", NULL };

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *d = g_build_filename (rootfs, dirs[i], NULL);
      g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
    }
  g_assert_true (g_file_get_contents ("/bin/busybox", &data, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents_full (busybox, data, (gssize) len, G_FILE_SET_CONTENTS_NONE, 0755, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  {
    g_autofree char *secret = g_build_filename (rootfs, "etc", "secret", NULL);
    g_autofree char *inner = g_build_filename (rootfs, "secretdir", "inner", NULL);
    g_autofree char *keep = g_build_filename (rootfs, "rodir", "keep", NULL);
    g_assert_true (g_file_set_contents (secret, "topsecret\n", -1, NULL));
    g_assert_true (g_file_set_contents (inner, "inner\n", -1, NULL));
    g_assert_true (g_file_set_contents (keep, "kept\n", -1, NULL));
  }
}

static void
remove_tree (const char *path)
{
  char *argv[] = { "/bin/rm", "-rf", (char *) path, NULL };
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Whether descriptor fd is open. */
static gboolean
fd_open (int fd)
{
  return fcntl (fd, F_GETFD) >= 0 || errno != EBADF;
}

static void
test_plan_free_closes_its_descriptors (void)
{
  /* The plan owns the idmapped trees' descriptors (the root's, one per bind mount): freeing it closes exactly
   * those. Their numbers were once read after the block holding them was freed: the allocator's words took
   * their place, so the trees stayed open and whatever descriptors had those numbers were closed instead (the
   * Sentry's signalfd, fd 5, under the shim: its init was never reaped). No root needed. */
  ContainerPlan *plan = container_plan_alloc ();
  gboolean before[200];
  int own[3];
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (devnull, >=, 0);
  for (int i = 0; i < 3; i++)
    {
      own[i] = fcntl (devnull, F_DUPFD_CLOEXEC, 200 + i);
      g_assert_cmpint (own[i], >=, 200);
    }
  for (int fd = 0; fd < 200; fd++)
    before[fd] = fd_open (fd);
  plan->root_idmap_fd = own[0];
  plan->n_mounts = 3;
  plan->mount_idmap_fds = container_plan_block (plan, g_new (int, plan->n_mounts + 1));
  plan->mount_idmap_fds[0] = own[1];
  plan->mount_idmap_fds[1] = -1; /* not a bind mount */
  plan->mount_idmap_fds[2] = own[2];
  container_plan_free (plan);
  for (int i = 0; i < 3; i++)
    if (fd_open (own[i]))
      g_error ("the plan's descriptor %d (%s) is still open after container_plan_free", own[i],
               i == 0 ? "root" : "a mount's");
  for (int fd = 0; fd < 200; fd++)
    if (before[fd] && !fd_open (fd))
      g_error ("container_plan_free closed descriptor %d, which is not the plan's", fd);
  close (devnull);
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  have_root = geteuid () == 0 && g_file_test ("/bin/busybox", G_FILE_TEST_EXISTS);
  if (have_root)
    {
      /* A mount namespace of our own, private, so that other programs mounting on the host meanwhile do not
       * change the mount count each case checks. */
      g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
      g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
      tmpdir = g_dir_make_tmp ("test-container-XXXXXX", NULL);
      g_assert_nonnull (tmpdir);
      /* Others must traverse it: a user namespace's root is not the host's. */
      g_assert_cmpint (chmod (tmpdir, 0755), ==, 0);
      bundle = g_build_filename (tmpdir, "bundle", NULL);
      rootfs = g_build_filename (bundle, "rootfs", NULL);
      build_rootfs ();
    }

  g_test_add_func ("/container/plan-free-closes-its-descriptors", test_plan_free_closes_its_descriptors);
  g_test_add_func ("/container/exit-code", test_exit_code);
  g_test_add_func ("/container/identity", test_identity);
  g_test_add_func ("/container/sysctl-not-namespaced", test_sysctl_not_namespaced);
  g_test_add_func ("/container/capabilities", test_capabilities);
  g_test_add_func ("/container/user", test_user);
  g_test_add_func ("/container/readonly-root-and-tmpfs", test_readonly_root_and_tmpfs);
  g_test_add_func ("/container/bind-mounts", test_bind_mounts);
  g_test_add_func ("/container/mount-error", test_mount_error);
  g_test_add_func ("/container/masked-and-readonly-paths", test_masked_and_readonly_paths);
  g_test_add_func ("/container/rlimits", test_rlimits);
  g_test_add_func ("/container/rlimit-error", test_rlimit_error);
  g_test_add_func ("/container/user-namespace", test_user_namespace);
  g_test_add_func ("/container/console", test_console);
  g_test_add_func ("/container/hooks", test_hooks);
  g_test_add_func ("/container/hook-failures", test_hook_failures);
  g_test_add_func ("/container/seccomp-oci", test_seccomp_oci);
  g_test_add_func ("/container/overlay", test_overlay);
  g_test_add_func ("/container/sandbox-filter", test_sandbox_filter);
  g_test_add_func ("/container/exec-not-found", test_exec_not_found);
  g_test_add_func ("/container/cgroup-mount", test_cgroup_mount);
  g_test_add_func ("/container/no-fd-leaks-and-devices", test_no_fd_leaks_and_devices);
  g_test_add_func ("/container/prepare", test_prepare);
  g_test_add_func ("/container/sentry-death", test_sentry_death);
  g_test_add_func ("/container/start-hook-failure", test_start_hook_failure);
  g_test_add_func ("/container/join-namespaces", test_join_namespaces);
  g_test_add_func ("/container/oom-score-adj", test_oom_score_adj);
  g_test_add_func ("/container/symlink-escape", test_symlink_escape);
  g_test_add_func ("/container/rootfs-propagation", test_rootfs_propagation);
  g_test_add_func ("/container/exec", test_exec);
  g_test_add_func ("/container/exec-errors", test_exec_errors);
  g_test_add_func ("/container/exec-terminal", test_exec_terminal);
  r = g_test_run ();
  if (tmpdir != NULL)
    remove_tree (tmpdir);
  return r;
}
