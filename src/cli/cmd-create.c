/* runsc create: create a container; its init waits for `runsc start`. */
#include "config.h"

#include "cli/cli.h"
#include "cli/lifecycle.h"
#include "common/error.h"

int
cmd_create (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *bundle = NULL, *pid_file = NULL, *console_socket = NULL, *user_log = NULL;
  const RunscFlag flags[] = {
    { "bundle", RUNSC_FLAG_STRING, &bundle, "DIR", "bundle directory (default: the current directory)" },
    { "b", RUNSC_FLAG_STRING, &bundle, "DIR", "same as --bundle" },
    { "pid-file", RUNSC_FLAG_STRING, &pid_file, "FILE", "write the sandbox process's pid to FILE" },
    { "console-socket", RUNSC_FLAG_STRING, &console_socket, "PATH",
      "unix socket to send the pty master to (process.terminal)" },
    { "user-log", RUNSC_FLAG_STRING, &user_log, "FILE",
      "append the sandbox's user-facing events to FILE (JSON lines, gVisor's json-k8s)" },
    { "", 0, NULL, NULL, NULL },
  };
  CreateOptions o = { 0 };
  gboolean done;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 1, 1, "create [flags] ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  o.id = argv[idx];
  o.bundle = bundle;
  o.pid_file = pid_file;
  o.console_socket = console_socket;
  o.console_fd = -1;
  o.user_log = user_log;
  o.foreground = FALSE;
  return lifecycle_create (g, &o, error) > 0 ? 0 : -1;
}
