/* pause: the pod sandbox ("infra") container of the Kubernetes tests, the project's own (built -static by
 * tests/integration/k8s.bats into a one-file OCI image). It holds the pod's namespaces: it sleeps until
 * SIGINT or SIGTERM (exit 0), reaping any child that ends (it is pid 1 of the pod's pid namespace).
 *
 *   pause            sleep
 *   pause -v         print "pause" and exit 0 (a check that the binary runs) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
on_stop (int sig)
{
  (void) sig;
  _exit (0);
}

static void
on_child (int sig)
{
  int saved = errno;
  (void) sig;
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
  errno = saved;
}

int
main (int argc, char **argv)
{
  struct sigaction sa;

  if (argc > 1 && strcmp (argv[1], "-v") == 0)
    {
      puts ("pause");
      return 0;
    }
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  if (sigaction (SIGINT, &sa, NULL) < 0 || sigaction (SIGTERM, &sa, NULL) < 0)
    {
      perror ("pause: sigaction");
      return 1;
    }
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  if (sigaction (SIGCHLD, &sa, NULL) < 0)
    {
      perror ("pause: sigaction");
      return 1;
    }
  for (;;)
    pause ();
}
