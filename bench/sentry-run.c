/* sentry-run: run a program under the Sentry's filter, served by this process, without the rest of the runtime
 * (no namespaces, no rootfs): isolates the cost of the syscall layer for bench/syscalls.sh.
 *
 *   sentry-run [--strace] PROGRAM [ARG...] */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "sentry/sentry.h"

int
main (int argc, char **argv)
{
  SentryOptions opts = { 0 };
  g_autoptr (GError) error = NULL;
  SentryKernel *k;
  int sv[2], status, arg = 1;
  pid_t pid;

  if (argc > 1 && strcmp (argv[1], "--strace") == 0)
    {
      opts.strace = TRUE;
      arg++;
    }
  if (arg >= argc)
    {
      fprintf (stderr, "usage: sentry-run [--strace] PROGRAM [ARG...]\n");
      return 2;
    }
  k = sentry_kernel_new (&opts, NULL, &error);
  if (k == NULL || !sentry_kernel_filter_wait (k, &error)) /* built in the background: wait before the fork */
    {
      fprintf (stderr, "sentry-run: %s\n", error->message);
      return 1;
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return 1;
  pid = fork ();
  if (pid == 0)
    {
      int fd;
      char go;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (126);
      fd = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                    sentry_kernel_filter (k));
      if (fd < 0 || runsc_send_fds (sv[1], "L", 1, &fd, 1) < 0 || read (sv[1], &go, 1) != 1)
        _exit (126);
      close (fd);
      execv (argv[arg], argv + arg);
      _exit (127);
    }
  close (sv[1]);
  char b;
  int fd = -1;
  if (runsc_recv_fds (sv[0], &b, 1, &fd, 1) != 1 || fd < 0)
    {
      fprintf (stderr, "sentry-run: no listener from the child\n");
      return 1;
    }
  if (!sentry_kernel_serve (k, fd, pid, "bench", &error))
    {
      fprintf (stderr, "sentry-run: %s\n", error->message);
      return 1;
    }
  if (write (sv[0], "g", 1) != 1)
    return 1;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  sentry_kernel_free (k);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
