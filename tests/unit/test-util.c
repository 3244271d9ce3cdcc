/* Unit tests for src/common/util.c: signal names, atomic writes, descriptor passing, process liveness, RFC 3339
 * time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"

static void
test_signal_names (void)
{
  static const struct
  {
    const char *name;
    int number;
  } good[] = {
    { "KILL", SIGKILL }, { "SIGKILL", SIGKILL }, { "9", 9 },          { "sigterm", SIGTERM }, { "term", SIGTERM },
    { "HUP", SIGHUP },   { "SIGUSR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "WINCH", SIGWINCH }, { "CHLD", SIGCHLD },
    { "IOT", SIGABRT },  { "POLL", SIGIO },      { "1", 1 },          { "64", 64 },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("signal %s", good[i].name);
      g_assert_cmpint (runsc_parse_signal (good[i].name, &error), ==, good[i].number);
      g_assert_no_error (error);
    }
}

static void
test_signal_realtime (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (runsc_parse_signal ("RTMIN", &error), ==, SIGRTMIN);
  g_assert_cmpint (runsc_parse_signal ("SIGRTMIN", &error), ==, SIGRTMIN);
  g_assert_cmpint (runsc_parse_signal ("RTMIN+1", &error), ==, SIGRTMIN + 1);
  g_assert_cmpint (runsc_parse_signal ("SIGRTMIN+3", &error), ==, SIGRTMIN + 3);
  g_assert_cmpint (runsc_parse_signal ("RTMAX", &error), ==, SIGRTMAX);
  g_assert_cmpint (runsc_parse_signal ("RTMAX-1", &error), ==, SIGRTMAX - 1);
  g_assert_no_error (error);
}

static void
test_signal_bad (void)
{
  static const char *const bad[] = { "FOO", "SIGFOO", "0", "65", "-9", "9x", "RTMIN+100", "RTMIN-1", "RTMAX+1",
                                     "RTMINx" };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("invalid signal: %s", bad[i]);

      g_test_message ("signal %s", bad[i]);
      g_assert_cmpint (runsc_parse_signal (bad[i], &error), ==, -1);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, expected);
    }
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (runsc_parse_signal ("", &error), ==, -1);
    g_assert_cmpstr (error->message, ==, "invalid signal: empty");
  }
}

static void
test_write_file_atomic (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("runsc-util-XXXXXX", &error);
  g_autofree char *path = NULL, *contents = NULL;
  g_autoptr (GDir) d = NULL;
  struct stat st;
  mode_t old_umask = umask (022);
  gsize len;

  g_assert_no_error (error);
  path = g_build_filename (dir, "state.json", NULL);

  g_assert_true (runsc_write_file_atomic (path, "{\"a\":1}", -1, 0640, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpstr (contents, ==, "{\"a\":1}");
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_clear_pointer (&contents, g_free);

  /* Replacing: the new contents, with an explicit length that cuts the data and keeps NUL bytes. */
  g_assert_true (runsc_write_file_atomic (path, "xy\0zTAIL", 4, 0600, &error));
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_cmpuint (len, ==, 4);
  g_assert_cmpmem (contents, 4, "xy\0z", 4);

  /* No temporary file is left behind. */
  d = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (d), ==, "state.json");
  g_assert_null (g_dir_read_name (d));

  /* A missing directory is an error naming the file being created. */
  {
    g_autoptr (GError) e2 = NULL;
    g_autofree char *missing = g_build_filename (dir, "no", "such", NULL);
    g_assert_false (runsc_write_file_atomic (missing, "x", -1, 0600, &e2));
    g_assert_error (e2, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND);
    g_assert_true (g_str_has_prefix (e2->message, "create "));
    g_assert_true (strstr (e2->message, "/no/such") != NULL);
    g_assert_true (g_str_has_suffix (e2->message, ": No such file or directory"));
  }

  umask (old_umask);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_mkdir_p (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("runsc-util-XXXXXX", &error);
  g_autofree char *deep = g_build_filename (dir, "a", "b", "c", NULL);
  g_autofree char *b = g_build_filename (dir, "a", "b", NULL);
  g_autofree char *a = g_build_filename (dir, "a", NULL);
  g_autofree char *file = g_build_filename (dir, "f", NULL);
  g_autofree char *under_file = g_build_filename (dir, "f", "x", NULL);

  g_assert_true (runsc_mkdir_p (deep, 0711, &error));
  g_assert_true (g_file_test (deep, G_FILE_TEST_IS_DIR));
  g_assert_true (runsc_mkdir_p (deep, 0711, &error)); /* again: fine */
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, "", 0, &error));
  g_assert_false (runsc_mkdir_p (under_file, 0711, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "mkdir "));
  g_assert_cmpint (g_rmdir (deep), ==, 0);
  g_assert_cmpint (g_rmdir (b), ==, 0);
  g_assert_cmpint (g_rmdir (a), ==, 0);
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_send_recv_fds (void)
{
  int sv[2], p1[2], p2[2];
  int got[4];
  char buf[64];
  ssize_t n;
  int flags;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  g_assert_cmpint (pipe2 (p1, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (p2, O_CLOEXEC), ==, 0);

  /* Two descriptors with a message; received ones work, are new numbers, and are close-on-exec. */
  {
    int fds[2] = { p1[1], p2[1] };
    g_assert_cmpint (runsc_send_fds (sv[0], "hello", 5, fds, 2), ==, 0);
  }
  n = runsc_recv_fds (sv[1], buf, sizeof buf, got, 4);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpmem (buf, 5, "hello", 5);
  g_assert_cmpint (got[0], >=, 0);
  g_assert_cmpint (got[1], >=, 0);
  g_assert_cmpint (got[0], !=, p1[1]);
  g_assert_cmpint (got[2], ==, -1);
  g_assert_cmpint (got[3], ==, -1);
  flags = fcntl (got[0], F_GETFD);
  g_assert_true (flags & FD_CLOEXEC);
  g_assert_cmpint (write (got[0], "A", 1), ==, 1);
  g_assert_cmpint (write (got[1], "B", 1), ==, 1);
  g_assert_cmpint (read (p1[0], buf, 1), ==, 1);
  g_assert_cmpint (buf[0], ==, 'A');
  g_assert_cmpint (read (p2[0], buf, 1), ==, 1);
  g_assert_cmpint (buf[0], ==, 'B');
  close (got[0]);
  close (got[1]);

  /* More descriptors than the receiver takes: the extra one is closed, not leaked. */
  {
    int fds[2] = { p1[1], p2[1] };
    g_assert_cmpint (runsc_send_fds (sv[0], "x", 1, fds, 2), ==, 0);
  }
  n = runsc_recv_fds (sv[1], buf, sizeof buf, got, 1);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (got[0], >=, 0);
  close (got[0]);
  /* Every write end is now closed but the originals: closing those gives EOF on p2, proving no copy is left. */
  close (p2[1]);
  g_assert_cmpint (read (p2[0], buf, 1), ==, 0);

  /* No data and no descriptors: one byte still goes (a stream socket cannot carry an empty message). */
  g_assert_cmpint (runsc_send_fds (sv[0], NULL, 0, NULL, 0), ==, 0);
  n = runsc_recv_fds (sv[1], buf, sizeof buf, got, 2);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (got[0], ==, -1);

  /* Too many to send. */
  {
    int many[17] = { 0 };
    g_assert_cmpint (runsc_send_fds (sv[0], "x", 1, many, 17), ==, -EINVAL);
  }

  /* End of stream. */
  close (sv[0]);
  n = runsc_recv_fds (sv[1], buf, sizeof buf, got, 2);
  g_assert_cmpint (n, ==, 0);
  /* A peer that is gone is an error, not SIGPIPE. */
  {
    int sv2[2];
    g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv2), ==, 0);
    close (sv2[1]);
    g_assert_cmpint (runsc_send_fds (sv2[0], "x", 1, NULL, 0), ==, -EPIPE);
    close (sv2[0]);
  }

  close (sv[1]);
  close (p1[0]);
  close (p1[1]);
  close (p2[0]);
}

static char
proc_state (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  p = strrchr (text, ')');
  return p != NULL ? p[2] : 0;
}

static void
test_process_alive (void)
{
  guint64 self_start = runsc_process_start_time (getpid ());
  pid_t child;
  int status, i;

  g_assert_cmpuint (self_start, >, 0);
  g_assert_true (runsc_process_alive (getpid (), 0));
  g_assert_true (runsc_process_alive (getpid (), self_start));
  /* Same pid, another start time: a reused pid is not our process. */
  g_assert_false (runsc_process_alive (getpid (), self_start + 1));
  g_assert_false (runsc_process_alive (0, 0));
  g_assert_false (runsc_process_alive (-1, 0));
  g_assert_cmpuint (runsc_process_start_time (0), ==, 0);

  /* A zombie is not alive. */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    _exit (0);
  for (i = 0; i < 500 && proc_state (child) != 'Z'; i++)
    g_usleep (10000);
  g_assert_cmpint (proc_state (child), ==, 'Z');
  g_assert_cmpuint (runsc_process_start_time (child), >, 0);
  g_assert_false (runsc_process_alive (child, 0));

  /* Reaped: it does not exist any more. */
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_false (runsc_process_alive (child, 0));
  g_assert_cmpuint (runsc_process_start_time (child), ==, 0);

  /* A running child is alive until it is killed. */
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  g_assert_true (runsc_process_alive (child, runsc_process_start_time (child)));
  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_false (runsc_process_alive (child, 0));
}

static void
test_rfc3339 (void)
{
  g_autofree char *now = runsc_rfc3339_now ();
  g_autoptr (GDateTime) parsed = NULL;
  g_autoptr (GDateTime) real_now = g_date_time_new_now_utc ();
  GTimeSpan diff;

  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$", now, 0, 0));
  parsed = g_date_time_new_from_iso8601 (now, NULL);
  g_assert_nonnull (parsed);
  diff = g_date_time_difference (real_now, parsed);
  g_assert_cmpint (ABS (diff), <, 5 * G_TIME_SPAN_SECOND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/util/signal/names", test_signal_names);
  g_test_add_func ("/util/signal/realtime", test_signal_realtime);
  g_test_add_func ("/util/signal/bad", test_signal_bad);
  g_test_add_func ("/util/write-file-atomic", test_write_file_atomic);
  g_test_add_func ("/util/mkdir-p", test_mkdir_p);
  g_test_add_func ("/util/send-recv-fds", test_send_recv_fds);
  g_test_add_func ("/util/process-alive", test_process_alive);
  g_test_add_func ("/util/rfc3339", test_rfc3339);
  return g_test_run ();
}
