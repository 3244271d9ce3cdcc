/* runsc create's child becomes the sandbox process without an execve.
 *
 * Exec'ing /proc/self/exe as runsc-sandbox costs a fresh address space and the dynamic loading of twenty
 * libraries with every symbol bound at load (-z now): about a fifth of the CPU a `runsc run` of /bin/true uses
 * (bench/startup). The child of a single-threaded runsc already has all of it, so it calls the boot code
 * directly, after doing what an execve would have done for it: descriptors other than the boot's are closed,
 * caught signals go back to their default action (the mask is kept, as execve keeps it), and the command line
 * and the debug log are the sandbox's. A process with more than one thread (GDBus starts one for
 * --systemd-cgroup) execs as before: another thread may hold a lock the child would need. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/log.h"

gboolean
cli_boot_can_fork (void)
{
  struct stat st;

  /* procfs counts a task directory's links as 2 + the number of threads. */
  return stat ("/proc/self/task", &st) == 0 && st.st_nlink == 3;
}

static int
compare_fds (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

/* Close every descriptor but keep[0..n) (n small, entries may be -1 or repeated). */
static void
close_all_but (int *keep, size_t n)
{
  unsigned int next = 0;
  size_t i;

  qsort (keep, n, sizeof *keep, compare_fds);
  for (i = 0; i < n; i++)
    {
      if (keep[i] < 0 || (unsigned int) keep[i] < next)
        continue;
      if ((unsigned int) keep[i] > next)
        close_range (next, (unsigned int) keep[i] - 1, 0);
      next = (unsigned int) keep[i] + 1;
    }
  close_range (next, ~0U, 0);
}

/* What an execve resets: a handler is meaningless in the new program; ignored signals stay ignored. */
static void
reset_signal_handlers (void)
{
  int sig;

  for (sig = 1; sig < NSIG; sig++)
    {
      struct sigaction sa;
      if (sigaction (sig, NULL, &sa) < 0 || sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN)
        continue;
      sa.sa_handler = SIG_DFL;
      sa.sa_flags = 0;
      sigaction (sig, &sa, NULL);
    }
}

/* /proc/PID/cmdline (ps, pgrep -f) says runsc-sandbox boot --id=ID, as an exec'd sandbox's does, as far as it
 * fits in the original arguments' space (PR_SET_MM would need CAP_SYS_RESOURCE). */
static void
set_title (RunscGlobal *g, const char *id)
{
  g_autofree char *idarg = g_strconcat ("--id=", id, NULL);
  const char *words[] = { "runsc-sandbox", "boot", idarg };
  size_t pos = 0, i;

  if (g->argv_area == NULL || g->argv_area_len == 0)
    return;
  memset (g->argv_area, 0, g->argv_area_len);
  for (i = 0; i < G_N_ELEMENTS (words); i++)
    {
      size_t len = strlen (words[i]) + 1;
      if (pos + len > g->argv_area_len)
        break;
      memcpy (g->argv_area + pos, words[i], len);
      pos += len;
    }
}

void
cli_boot_forked (RunscGlobal *g, const CliBootParams *p)
{
  int keep[] = { 0, 1, 2, p->control_fd, p->sync_fd, p->console_fd, p->user_log_fd, p->fuse_fd };
  g_autoptr (GError) error = NULL;
  /* The strings may live in the argument area set_title overwrites. */
  g_autofree char *id = g_strdup (p->id), *bundle = g_strdup (p->bundle), *state_dir = g_strdup (p->state_dir);
  CliBootParams own = *p;

  own.id = id;
  own.bundle = bundle;
  own.state_dir = state_dir;
  g->argv0 = "runsc-sandbox";
  close_all_but (keep, G_N_ELEMENTS (keep));
  runsc_log_forget_fds ();
  reset_signal_handlers ();
  set_title (g, id);

  g->command = "boot";
  g->id = NULL;
  g->debug_log_opened = FALSE;
  if (!runsc_log_init (g->log, g->log_format_value, g->debug, &error))
    _exit (1); /* runsc create reads EOF on the sync pipe and reports the sandbox's exit */
  _exit (cli_boot (g, &own));
}
