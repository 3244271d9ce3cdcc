/* SIGCHLD reaping (see reaper.h). */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "shim/reaper.h"

#define MAX_UNCLAIMED 4096

typedef struct
{
  ReaperExitFunc func;
  gpointer user_data;
} Watch;

static int sigfd = -1;
static sigset_t saved_mask;
static GHashTable *watches;   /* pid -> Watch */
static GHashTable *unclaimed; /* pid -> exit status + 1 */

int
reaper_exit_status (int wstatus)
{
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  return -1;
}

static void
deliver (pid_t pid, int status)
{
  Watch *w = g_hash_table_lookup (watches, GINT_TO_POINTER (pid));
  if (w != NULL)
    {
      Watch copy = *w;
      g_hash_table_remove (watches, GINT_TO_POINTER (pid));
      log_debug ("reaper: pid %d exited with status %d", (int) pid, status);
      copy.func (pid, status, copy.user_data);
      return;
    }
  if (g_hash_table_size (unclaimed) >= MAX_UNCLAIMED)
    g_hash_table_remove_all (unclaimed);
  g_hash_table_replace (unclaimed, GINT_TO_POINTER (pid), GINT_TO_POINTER (status + 1));
}

static gboolean
on_sigchld (int fd, GIOCondition cond, gpointer user_data)
{
  struct signalfd_siginfo si;
  int wstatus;
  pid_t pid;

  while (read (sigfd, &si, sizeof si) == sizeof si)
    ;
  while ((pid = waitpid (-1, &wstatus, WNOHANG)) > 0)
    deliver (pid, reaper_exit_status (wstatus));
  return G_SOURCE_CONTINUE;
}

gboolean
reaper_init (GError **error)
{
  sigset_t mask;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &mask, &saved_mask) < 0)
    return runsc_error_errno (error, errno, "block SIGCHLD");
  sigdelset (&saved_mask, SIGCHLD);
  sigfd = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sigfd < 0)
    return runsc_error_errno (error, errno, "signalfd");
  watches = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  unclaimed = g_hash_table_new (NULL, NULL);
  g_unix_fd_add (sigfd, G_IO_IN, on_sigchld, NULL);
  return TRUE;
}

void
reaper_child_reset_signals (void)
{
  sigset_t empty;
  sigemptyset (&empty);
  sigprocmask (SIG_SETMASK, &empty, NULL);
}

typedef struct
{
  pid_t pid;
  int status;
} Late;

static gboolean
deliver_late (gpointer data)
{
  Late *l = data;
  deliver (l->pid, l->status);
  return G_SOURCE_REMOVE;
}

void
reaper_watch (pid_t pid, ReaperExitFunc func, gpointer user_data)
{
  Watch *w = g_new0 (Watch, 1);
  gpointer v;

  w->func = func;
  w->user_data = user_data;
  g_hash_table_replace (watches, GINT_TO_POINTER (pid), w);
  if (g_hash_table_lookup_extended (unclaimed, GINT_TO_POINTER (pid), NULL, &v))
    {
      Late *l = g_new0 (Late, 1);
      l->pid = pid;
      l->status = GPOINTER_TO_INT (v) - 1;
      g_hash_table_remove (unclaimed, GINT_TO_POINTER (pid));
      g_idle_add_full (G_PRIORITY_DEFAULT, deliver_late, l, g_free);
    }
}

void
reaper_unwatch (pid_t pid, gpointer user_data)
{
  Watch *w;
  if (watches == NULL || (w = g_hash_table_lookup (watches, GINT_TO_POINTER (pid))) == NULL)
    return;
  if (user_data == NULL || w->user_data == user_data)
    g_hash_table_remove (watches, GINT_TO_POINTER (pid));
}

gboolean
reaper_take_exit (pid_t pid, int *exit_status)
{
  gpointer v;
  if (unclaimed == NULL || !g_hash_table_lookup_extended (unclaimed, GINT_TO_POINTER (pid), NULL, &v))
    return FALSE;
  *exit_status = GPOINTER_TO_INT (v) - 1;
  g_hash_table_remove (unclaimed, GINT_TO_POINTER (pid));
  return TRUE;
}

int
reaper_wait_sync (pid_t pid)
{
  int wstatus;
  pid_t r;

  do
    r = waitpid (pid, &wstatus, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  return reaper_exit_status (wstatus);
}
