/* Unit tests for src/common/proc-stat.c: the /proc/PID/stat parser, on texts with awkward command names and on
 * real processes that gave themselves such names. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc-stat.h"

/* The fields after the name, from a real process (fields 3 to 22 and a few after). */
#define TAIL " S 41 42 43 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 8728576 205 18446744073709551615\n"

static void
check_text (const char *text, const char *comm)
{
  RunscProcStat st;

  g_test_message ("%s", text);
  g_assert_true (runsc_proc_stat_parse (text, strlen (text), &st));
  g_assert_cmpint (st.pid, ==, 7);
  g_assert_cmpmem (st.comm, st.comm_len, comm, strlen (comm));
  g_assert_cmpint (st.state, ==, 'S');
  g_assert_cmpint (st.ppid, ==, 41);
  g_assert_cmpint (st.pgrp, ==, 42);
  g_assert_cmpint (st.session, ==, 43);
  g_assert_cmpuint (st.start_time, ==, 987654);
}

static void
test_names (void)
{
  check_text ("7 (sleep)" TAIL, "sleep");
  check_text ("7 (a b c)" TAIL, "a b c");
  check_text ("7 ())" TAIL, ")");
  check_text ("7 (()" TAIL, "(");
  check_text ("7 ()" TAIL, "");
  /* A name that looks like the fields that follow it: only the last ')' ends it. */
  check_text ("7 (x) R 1 1 1 (y)" TAIL, "x) R 1 1 1 (y");
  check_text ("7 () Z 9 )" TAIL, ") Z 9 ");
  check_text ("7 (new\nline)" TAIL, "new\nline");
}

static void
test_not_stat (void)
{
  static const char *const bad[] = {
    "",
    "7",
    "7 sleep" TAIL,                                                                /* no parentheses */
    "x (sleep)" TAIL,                                                              /* the pid not a number */
    "7 (sleep" TAIL,                                                               /* no ')' */
    "7 (sleep)",                                                                   /* nothing after the name */
    "7 (sleep) S",                                                                 /* cut after the state */
    "7 (sleep) S 41 42 43 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 98",             /* cut inside the start time */
    "7 (sleep) S x 42 43 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 987654 1\n",      /* ppid not a number */
    "7 (sleep) S 41 42 43 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 -5 1\n",         /* start time negative */
    "7 (sleep) S 99999999999 42 43 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 5 1\n", /* ppid too large */
  };
  RunscProcStat st;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("bad: %s", bad[i]);
      g_assert_false (runsc_proc_stat_parse (bad[i], strlen (bad[i]), &st));
    }
}

/* The length given is the text: a NUL-free buffer cut before the start time is refused, not read past. */
static void
test_length (void)
{
  const char *text = "7 (sleep)" TAIL;
  size_t cut = (size_t) (strstr (text, "987654") - text) + 3;
  RunscProcStat st;

  g_assert_false (runsc_proc_stat_parse (text, cut, &st));
  g_assert_true (runsc_proc_stat_parse (text, strlen (text), &st));
}

static void
test_read_self (void)
{
  char buf[RUNSC_PROC_STAT_BUF];
  RunscProcStat st;

  g_assert_true (runsc_proc_stat_read (getpid (), buf, sizeof buf, &st));
  g_assert_cmpint (st.pid, ==, getpid ());
  g_assert_cmpint (st.ppid, ==, getppid ());
  g_assert_cmpint (st.pgrp, ==, getpgrp ());
  g_assert_cmpint (st.session, ==, getsid (0));
  g_assert_cmpint (st.state, ==, 'R');
  g_assert_cmpuint (st.start_time, >, 0);
}

/* A real process names itself with spaces and parentheses (prctl takes any bytes); its fields still read right,
 * running and as a zombie. */
static void
test_read_awkward_child (void)
{
  static const char name[] = ") S 1 1 (";
  char buf[RUNSC_PROC_STAT_BUF];
  RunscProcStat st, zombie;
  int ready[2], status;
  pid_t pid;
  char c;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* no orphan holding the TAP pipe if an assertion fails */
      prctl (PR_SET_NAME, name, 0, 0, 0);
      if (write (ready[1], "x", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);
  close (ready[0]);

  /* Running until it reaches pause (), then sleeping. */
  for (int i = 0; i < 500; i++)
    {
      g_assert_true (runsc_proc_stat_read (pid, buf, sizeof buf, &st));
      if (st.state != 'R')
        break;
      g_usleep (10000);
    }
  g_assert_cmpint (st.pid, ==, pid);
  g_assert_cmpmem (st.comm, st.comm_len, name, strlen (name));
  g_assert_cmpint (st.ppid, ==, getpid ());
  g_assert_cmpint (st.state, ==, 'S');
  g_assert_cmpuint (st.start_time, >, 0);

  kill (pid, SIGKILL);
  /* Wait for the zombie without reaping it. */
  {
    siginfo_t si;
    g_assert_cmpint (waitid (P_PID, pid, &si, WEXITED | WNOWAIT), ==, 0);
  }
  g_assert_true (runsc_proc_stat_read (pid, buf, sizeof buf, &zombie));
  g_assert_cmpint (zombie.state, ==, 'Z');
  g_assert_cmpuint (zombie.start_time, ==, st.start_time);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  errno = 0;
  g_assert_false (runsc_proc_stat_read (pid, buf, sizeof buf, &st));
  g_assert_true (errno == ENOENT || errno == ESRCH);
}

/* A buffer too small for the start time: refused (EINVAL), not misread. */
static void
test_read_small_buffer (void)
{
  char buf[16];
  RunscProcStat st;

  errno = 0;
  g_assert_false (runsc_proc_stat_read (getpid (), buf, sizeof buf, &st));
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_false (runsc_proc_stat_read (0, buf, sizeof buf, &st));
  g_assert_cmpint (errno, ==, EINVAL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proc-stat/names", test_names);
  g_test_add_func ("/proc-stat/not-stat", test_not_stat);
  g_test_add_func ("/proc-stat/length", test_length);
  g_test_add_func ("/proc-stat/read-self", test_read_self);
  g_test_add_func ("/proc-stat/read-awkward-child", test_read_awkward_child);
  g_test_add_func ("/proc-stat/read-small-buffer", test_read_small_buffer);
  return g_test_run ();
}
