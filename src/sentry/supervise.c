/* The Sentry's poll loop once the sandbox is booted: reaping, signal forwarding, the control socket, and the end
 * of the sandbox when its root container exits (see boot.h, sandbox.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/process-tree.h"
#include "sentry/sandbox.h"

#define KILL_WAIT_MS 5000
#define KILL_ROUND_MS 10 /* the longest wait for killed processes before they are looked for again */
#define EXEC_POLL_MAX 1024

/* The signals the Sentry reads from its signalfd: SIGCHLD for reaping, the rest forwarded to the root init. */
static const int forwarded_signals[] = {
  SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM
};

void
sandbox_handled_sigset (sigset_t *set)
{
  gsize i;

  sigemptyset (set);
  sigaddset (set, SIGCHLD);
  sigaddset (set, SIGPIPE);
  for (i = 0; i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaddset (set, forwarded_signals[i]);
}

static int
status_to_code (int wstatus)
{
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  return 255;
}

static void
reap_children (Sandbox *sb)
{
  for (;;)
    {
      int wstatus;
      pid_t pid = waitpid (-1, &wstatus, WNOHANG);
      gboolean found = FALSE;

      if (pid <= 0)
        return;
      if (sentry_execs_reaped (sb->execs, pid, status_to_code (wstatus)))
        continue;
      for (guint i = 0; i < sb->containers->len && !found; i++)
        {
          SandboxContainer *c = sb->containers->pdata[i];
          if (c->spawned && c->init.pid == pid && !c->exited)
            {
              found = TRUE;
              sandbox_container_exited (c, status_to_code (wstatus));
            }
        }
      if (!found)
        log_debug ("reaped %d (status 0x%x)", (int) pid, wstatus);
    }
}

/* The root container is gone: record it, kill what is left, answer the waiters. */
static void
finish (Sandbox *sb)
{
  SandboxContainer *root = sb->root;
  g_autofree char *path = g_build_filename (sb->args->state_dir, STATE_EXIT_FILE, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", root->exit_status);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + KILL_WAIT_MS * 1000;
  guint i;

  if (!runsc_write_file_atomic (path, text, -1, 0644, &error))
    log_warning ("%s", error->message);
  g_clear_error (&error);
  /* Frozen (v1) processes of a paused member would sleep through the SIGKILLs. */
  for (i = 1; i < sb->containers->len; i++)
    if (!sandbox_container_freeze (sb->containers->pdata[i], FALSE, &error))
      {
        log_warning ("%s", error->message);
        g_clear_error (&error);
      }

  for (;;)
    {
      g_autoptr (GArray) left = sentry_ptree_descendants ();
      if (left->len == 0 || g_get_monotonic_time () > deadline)
        break;
      for (i = 0; i < left->len; i++)
        kill (g_array_index (left, int, i), SIGKILL);
      sentry_ptree_wait_killed (left, KILL_ROUND_MS);
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
    }

  /* The exec'd processes and the members died with the sandbox. */
  sentry_execs_sandbox_exited (sb->execs);
  for (i = 1; i < sb->containers->len; i++)
    {
      SandboxContainer *c = sb->containers->pdata[i];
      if (!c->exited)
        sandbox_container_exited (c, 128 + SIGKILL);
    }
  sandbox_container_answer_waiters (root);
}

static void
forward_signal (Sandbox *sb, int sig)
{
  if (!sb->root->spawned || sb->root->exited)
    return;
  log_debug ("forwarding signal %d to %d", sig, (int) sb->root->init.pid);
  kill (sb->root->init.pid, sig);
}

static void
read_signals (Sandbox *sb)
{
  struct signalfd_siginfo si;

  while (read (sb->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGCHLD)
        reap_children (sb);
      else if (si.ssi_signo != SIGPIPE)
        forward_signal (sb, (int) si.ssi_signo);
    }
}

static void
accept_request (Sandbox *sb)
{
  int conn = accept4 (sb->args->control_fd, NULL, NULL, SOCK_CLOEXEC);

  if (conn >= 0)
    {
      /* A client that connects and says nothing must not stall the sandbox. */
      struct timeval tv = { .tv_sec = 5 };
      setsockopt (conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      sandbox_handle_request (sb, conn);
    }
}

int
sandbox_supervise (Sandbox *sb)
{
  while (!sb->root->exited)
    {
      /* The control socket, the signals, and the clients of exec'd processes (a client that hangs up takes its
       * process with it). */
      struct pollfd pfd[2 + EXEC_POLL_MAX] = {
        { .fd = sb->args->control_fd, .events = POLLIN },
        { .fd = sb->sigfd, .events = POLLIN },
      };
      gsize n_exec = sentry_execs_poll_fds (sb->execs, pfd + 2, EXEC_POLL_MAX);

      if (poll (pfd, 2 + n_exec, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          log_error ("poll: %s", g_strerror (errno));
          break;
        }
      /* First, while every polled descriptor is still the one polled. */
      sentry_execs_poll_done (sb->execs, pfd + 2, n_exec);
      if (pfd[1].revents & POLLIN)
        read_signals (sb);
      if (sb->root->exited)
        break;
      if (pfd[0].revents & POLLIN)
        accept_request (sb);
      /* A start may have raced with the init's exit. */
      reap_children (sb);
    }
  finish (sb);
  return sb->root->exit_status;
}
