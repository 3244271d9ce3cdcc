/* runsc run: create + start; in the foreground, wait and exit with the container's status (128+N for a
 * signal), forwarding signals to the sandbox, then delete the container. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/lifecycle.h"
#include "cli/tty-proxy.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "oci/spec.h"
#include "sentry/control.h"

static volatile pid_t run_sentry = -1;

static void
forward_to_sentry (int sig)
{
  if (run_sentry > 0)
    kill (run_sentry, sig);
}

int
cmd_run (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *bundle = NULL, *pid_file = NULL, *console_socket = NULL, *user_log = NULL;
  gboolean detach = FALSE;
  const RunscFlag flags[] = {
    { "bundle", RUNSC_FLAG_STRING, &bundle, "DIR", "bundle directory (default: the current directory)" },
    { "b", RUNSC_FLAG_STRING, &bundle, "DIR", "same as --bundle" },
    { "detach", RUNSC_FLAG_BOOL, &detach, NULL, "return once the container has started" },
    { "d", RUNSC_FLAG_BOOL, &detach, NULL, "same as --detach" },
    { "pid-file", RUNSC_FLAG_STRING, &pid_file, "FILE", "write the sandbox process's pid to FILE" },
    { "console-socket", RUNSC_FLAG_STRING, &console_socket, "PATH",
      "unix socket to send the pty master to (process.terminal)" },
    { "user-log", RUNSC_FLAG_STRING, &user_log, "FILE",
      "append the sandbox's user-facing events to FILE (JSON lines, gVisor's json-k8s)" },
    { "", 0, NULL, NULL, NULL },
  };
  static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };
  CreateOptions o = { 0 };
  g_autoptr (TtyProxy) tty = NULL;
  int tty_child = -1;
  gboolean done;
  pid_t sentry;
  int idx, wstatus, code;
  gsize i;

  idx = cli_parse (g, flags, argc, argv, 1, 1, "run [flags] ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  o.id = argv[idx];
  o.bundle = bundle;
  o.pid_file = pid_file;
  o.console_socket = console_socket;
  o.foreground = !detach;
  o.console_fd = -1;
  o.user_log = user_log;

  /* In the foreground, a terminal container without a console socket gets ours (runc does the same). */
  if (!detach && (console_socket == NULL || *console_socket == '\0'))
    {
      g_autofree char *config = g_build_filename (bundle != NULL ? bundle : ".", "config.json", NULL);
      g_autoptr (OciSpec) spec = oci_spec_load_file (config, NULL);
      if (spec != NULL && spec->process != NULL && spec->process->terminal)
        {
          tty = tty_proxy_new (&tty_child, error);
          if (tty == NULL)
            return -1;
          o.console_fd = tty_child;
        }
    }

  sentry = lifecycle_create (g, &o, error);
  runsc_close_fd_ptr (&tty_child);
  if (sentry < 0)
    return -1;
  if (tty != NULL && !tty_proxy_receive (tty, error))
    {
      lifecycle_remove (g, o.id);
      return -1;
    }
  if (!detach)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = forward_to_sentry;
      sa.sa_flags = SA_RESTART;
      sigemptyset (&sa.sa_mask);
      run_sentry = sentry;
      for (i = 0; i < G_N_ELEMENTS (forwarded); i++)
        sigaction (forwarded[i], &sa, NULL);
    }
  if (!lifecycle_start (g, o.id, error))
    {
      lifecycle_remove (g, o.id);
      return -1;
    }
  if (detach)
    return 0;

  if (tty != NULL)
    {
      wstatus = tty_proxy_run (tty, sentry);
      g_clear_pointer (&tty, tty_proxy_free);
    }
  else
    while (waitpid (sentry, &wstatus, 0) < 0)
      {
        if (errno == EINTR)
          continue;
        if (errno == ECHILD)
          {
            /* A pod member runs in its pod's sandbox, which is not our child: ask that sandbox. */
            g_autoptr (StateDir) d = state_dir_open_unlocked (g->root, o.id, error);
            g_autoptr (JsonObject) reply = d != NULL ? control_call_id (d->dirfd, "wait", o.id, error) : NULL;
            if (reply == NULL)
              return -1;
            code = (int) json_object_get_int_member_with_default (reply, "exit_status", 1);
            run_sentry = -1;
            lifecycle_remove (g, o.id);
            return code;
          }
        runsc_error_errno (error, errno, "wait for the sandbox process %d", (int) sentry);
        return -1;
      }
  run_sentry = -1;
  code = WIFSIGNALED (wstatus) ? 128 + WTERMSIG (wstatus) : WEXITSTATUS (wstatus);
  lifecycle_remove (g, o.id);
  return code;
}
