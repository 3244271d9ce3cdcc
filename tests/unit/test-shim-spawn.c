/* Unit tests for shim_spawn: an exec that fails is reported as an error, never as a pid. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/runsc-client.h"

static char *tmpdir;

/* A file that exists but is not executable (binary_name pointing at the wrong file): EACCES. */
static void
test_not_executable (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "not-executable", NULL);
  const char *argv[] = { path, "--version", NULL };
  const int fds[3] = { -1, -1, -1 };
  pid_t pid;

  g_assert_true (g_file_set_contents (path, "#!/bin/sh\nexit 0\n", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  pid = shim_spawn (argv, NULL, fds, NULL, 0, NULL, FALSE, &error);
  g_assert_cmpint (pid, ==, -1);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
}

/* The same with extra fds mapped onto 3, 4: the error pipe must survive the remapping too. */
static void
test_not_executable_extra_fds (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "not-executable-2", NULL);
  const char *argv[] = { path, NULL };
  const int fds[3] = { -1, -1, -1 };
  int extra[2];
  pid_t pid;

  g_assert_true (g_file_set_contents (path, "", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  g_assert_cmpint (pipe (extra), ==, 0);
  pid = shim_spawn (argv, NULL, fds, extra, 2, NULL, TRUE, &error);
  g_assert_cmpint (pid, ==, -1);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
  close (extra[0]);
  close (extra[1]);
}

/* A working directory that does not exist fails before execve: also an error, not a pid. */
static void
test_missing_cwd (void)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "/bin/true", NULL };
  const int fds[3] = { -1, -1, -1 };
  g_autofree char *cwd = g_build_filename (tmpdir, "no-such-dir", NULL);

  g_assert_cmpint (shim_spawn (argv, NULL, fds, NULL, 0, cwd, FALSE, &error), ==, -1);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
}

/* And a program that runs is a pid whose exit status is its own. */
static void
test_success (void)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "/bin/sh", "-c", "exit 7", NULL };
  const int fds[3] = { -1, -1, -1 };
  pid_t pid = shim_spawn (argv, NULL, fds, NULL, 0, "/", FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (runsc_wait_deadline (pid, g_get_monotonic_time () + 10 * G_USEC_PER_SEC), ==, 7);
}

int
main (int argc, char **argv)
{
  int r;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-shim-spawn-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/shim/spawn/not-executable", test_not_executable);
  g_test_add_func ("/shim/spawn/not-executable-extra-fds", test_not_executable_extra_fds);
  g_test_add_func ("/shim/spawn/missing-cwd", test_missing_cwd);
  g_test_add_func ("/shim/spawn/success", test_success);
  r = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
  (void) !system (cmd);
  return r;
}
