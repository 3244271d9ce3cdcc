/* The Sentry's own syscall table (src/sentry/sentry-table.h): consistent, at most 60 allowed calls, and the
 * program built from it, installed in a child process, refuses what the table leaves out and allows the rest.
 * The program compiled at build time (sandbox-filters.c, linked here as in runsc) is byte for byte what libseccomp
 * makes from the table now, and is what sentry_self_filter gives: the two cannot drift apart. */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include "sentry/sentry-table.h"

static void
test_table (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (sentry_self_table_check (&error));
  g_assert_no_error (error);
  g_assert_cmpuint (sentry_self_allowed_count (), <=, 60 + SENTRY_SELF_SANITIZER_ROWS);
  g_assert_cmpuint (sentry_self_allowed_count (), >, 20);
}

/* In a child: each check's result goes out as the exit status (0: all as expected, else the failing step). */
static int
child_checks (const struct sock_fprog *prog)
{
  void *p;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return 10;
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0)
    return 11;
  if (getpid () <= 0)
    return 1; /* allowed */
  errno = 0;
  if (socket (AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
    return 2; /* not in the table */
  errno = 0;
  if (syscall (SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
    return 3; /* refused with ENOSYS */
  errno = 0;
  if (mmap (NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != EPERM)
    return 4; /* argument check */
  p = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return 5;
  errno = 0;
  if (syscall (SYS_ioctl, 0, 0x5401 /* TCGETS */, p) != -1 || errno != EPERM)
    return 6; /* an ioctl request outside the list */
  errno = 0;
  if (syscall (SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL) != -1 || errno != EPERM)
    return 7; /* a process, not a thread */
  return 0;
}

static void
check_in_child (gboolean (*get) (struct sock_fprog *, GError **))
{
  g_autoptr (GError) error = NULL;
  struct sock_fprog prog = { 0 };
  pid_t pid;
  int status;

  g_assert_true (get (&prog, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (prog.len, >, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  /* exit_group by syscall(2), not _exit: under ASan a noreturn call first runs sigaltstack, which the filter
   * refuses. */
  if (pid == 0)
    syscall (SYS_exit_group, child_checks (&prog));
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_free (prog.filter);
}

static void
test_filter (void)
{
  check_in_child (sentry_self_filter_build);
}

/* The program runsc installs (the one compiled at build time) behaves as the table says, and is the one libseccomp
 * compiles from the table now. */
static void
test_prebuilt (void)
{
  g_autoptr (GError) error = NULL;
  struct sock_fprog built = { 0 }, used = { 0 };

  g_assert_nonnull (&sentry_self_prebuilt_len);
  g_assert_cmpuint (sentry_self_prebuilt_len, >, 0);
  g_assert_true (sentry_self_filter_build (&built, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (sentry_self_prebuilt_insns, sentry_self_prebuilt_len * sizeof (struct sock_filter), built.filter,
                   built.len * sizeof (struct sock_filter));
  g_assert_true (sentry_self_filter (&used, &error));
  g_assert_no_error (error);
  g_assert_true (used.filter != sentry_self_prebuilt_insns); /* a copy: confine frees it */
  g_assert_cmpmem (used.filter, used.len * sizeof (struct sock_filter), built.filter,
                   built.len * sizeof (struct sock_filter));
  g_free (built.filter);
  g_free (used.filter);
  check_in_child (sentry_self_filter);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sentry-confine/table", test_table);
  g_test_add_func ("/sentry-confine/filter", test_filter);
  g_test_add_func ("/sentry-confine/prebuilt", test_prebuilt);
  return g_test_run ();
}
