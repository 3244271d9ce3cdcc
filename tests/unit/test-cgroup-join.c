/* Unit tests for src/container/cgroup-join.c, as root on this host's real cgroup filesystems (skipped otherwise):
 * a child forked by cgroup_fork_into and joined by cgroup_join_self is in a v1 cgroup (tasks) and in a cgroup2
 * one (CLONE_INTO_CGROUP) before it does anything else, and cgroup_open_enter_fd picks the right kind of fd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "container/cgroup-join.h"

/* A v1 hierarchy (pids, else freezer) and the cgroup2 mount, where present. */
static const char *
v1_mount (void)
{
  static const char *const candidates[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer" };

  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *tasks = g_build_filename (candidates[i], "tasks", NULL);
      if (access (tasks, W_OK) == 0)
        return candidates[i];
    }
  return NULL;
}

static const char *
v2_mount (void)
{
  static const char *const candidates[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };

  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *procs = g_build_filename (candidates[i], "cgroup.procs", NULL);
      g_autofree char *tasks = g_build_filename (candidates[i], "tasks", NULL);
      if (access (procs, W_OK) == 0 && access (tasks, F_OK) != 0)
        return candidates[i];
    }
  return NULL;
}

/* The child: join, then report through its exit status whether /proc/self/cgroup has needle ("/NAME\n") as the
 * path of every hierarchy that was asked (want_v1, want_v2). Async-signal-safe. */
static void
child_check (const int *fds, int n, const char *needle, gboolean want_v1, gboolean want_v2)
{
  char buf[8192];
  int fd, found_v1 = 0, found_v2 = 0;
  ssize_t len = 0, r;
  char *line;

  if (cgroup_join_self (fds, n) < 0)
    _exit (2);
  fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    _exit (3);
  while (len < (ssize_t) sizeof buf - 1 && (r = read (fd, buf + len, sizeof buf - 1 - len)) > 0)
    len += r;
  buf[len] = '\0';
  for (line = buf; *line != '\0';)
    {
      char *nl = strchr (line, '\n');
      char *path = strchr (line, ':');
      path = path != NULL ? strchr (path + 1, ':') : NULL;
      if (nl == NULL || path == NULL)
        break;
      if (strncmp (path + 1, needle, strlen (needle)) == 0)
        {
          if (strncmp (line, "0::", 3) == 0)
            found_v2 = 1;
          else
            found_v1 = 1;
        }
      line = nl + 1;
    }
  _exit ((!want_v1 || found_v1) && (!want_v2 || found_v2) ? 0 : 4);
}

static void
test_fork_and_join (void)
{
  const char *v1 = v1_mount (), *v2 = v2_mount ();
  g_autofree char *name = g_strdup_printf ("runsc-test-join-%d", (int) getpid ());
  g_autofree char *needle = g_strdup_printf ("/%s\n", name);
  g_autofree char *d1 = NULL, *d2 = NULL;
  int fds[2], n = 0, status = 0;
  gint64 t0;
  pid_t pid;

  if (geteuid () != 0 || (v1 == NULL && v2 == NULL))
    {
      g_test_skip ("needs root and a writable cgroup hierarchy");
      return;
    }
  if (v1 != NULL)
    {
      d1 = g_build_filename (v1, name, NULL);
      g_assert_cmpint (mkdir (d1, 0755), ==, 0);
      g_autofree char *tasks = g_build_filename (d1, "tasks", NULL);
      fds[n] = open (tasks, O_WRONLY | O_CLOEXEC);
      g_assert_cmpint (fds[n], >=, 0);
      n++;
    }
  if (v2 != NULL)
    {
      d2 = g_build_filename (v2, name, NULL);
      g_assert_cmpint (mkdir (d2, 0755), ==, 0);
      fds[n] = open (d2, O_PATH | O_DIRECTORY | O_CLOEXEC);
      g_assert_cmpint (fds[n], >=, 0);
      n++;
    }

  t0 = g_get_monotonic_time ();
  pid = cgroup_fork_into (fds, n, 0);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    child_check (fds, n, needle, v1 != NULL, v2 != NULL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_test_message ("fork, join %d cgroup(s), check, exit: %.3f ms", n, (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  for (int i = 0; i < n; i++)
    close (fds[i]);
  if (d1 != NULL)
    g_assert_cmpint (rmdir (d1), ==, 0);
  if (d2 != NULL)
    g_assert_cmpint (rmdir (d2), ==, 0);
}

static void
test_enter_fd_kind (void)
{
  const char *v1 = v1_mount (), *v2 = v2_mount ();
  CgroupHandle h = { 0 };
  g_autoptr (GError) error = NULL;
  struct stat st;
  int fd;

  /* No freeze cgroup: no fd, no error. */
  g_assert_cmpint (cgroup_open_enter_fd (&h, &error), ==, -1);
  g_assert_no_error (error);
  if (geteuid () != 0 || (v1 == NULL && v2 == NULL))
    {
      g_test_skip ("needs root and a cgroup hierarchy");
      return;
    }
  if (v1 != NULL)
    {
      h.freeze_dir = (char *) v1;
      fd = cgroup_open_enter_fd (&h, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      g_assert_true (S_ISREG (st.st_mode)); /* the tasks file */
      close (fd);
    }
  if (v2 != NULL)
    {
      h.freeze_dir = (char *) v2;
      fd = cgroup_open_enter_fd (&h, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      g_assert_true (S_ISDIR (st.st_mode));
      close (fd);
    }
  h.freeze_dir = (char *) "/nonexistent/cgroup";
  g_assert_cmpint (cgroup_open_enter_fd (&h, &error), ==, -1);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cgroup-join/fork-and-join", test_fork_and_join);
  g_test_add_func ("/cgroup-join/enter-fd-kind", test_enter_fd_kind);
  return g_test_run ();
}
