/* runsc kill: send a signal to the container's init, or with --all to every process of the container. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/control.h"

int
cmd_kill (RunscGlobal *g, int argc, char **argv, GError **error)
{
  gboolean all = FALSE;
  const RunscFlag flags[] = {
    { "all", RUNSC_FLAG_BOOL, &all, NULL, "signal every process of the container" },
    { "a", RUNSC_FLAG_BOOL, &all, NULL, "same as --all" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (JsonObject) req = NULL;
  g_autoptr (JsonObject) reply = NULL;
  gboolean done;
  const char *status;
  int idx, sig = SIGTERM;

  idx = cli_parse (g, flags, argc, argv, 1, 2, "kill [--all] ID [SIGNAL]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  if (idx + 1 < argc)
    {
      sig = runsc_parse_signal (argv[idx + 1], error);
      if (sig < 0)
        return -1;
    }
  if (!cli_load_container (g, argv[idx], TRUE, &d, &st, error))
    return -1;
  status = state_status (d, st, NULL);
  if (strcmp (status, "stopped") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "container not running");
      return -1;
    }
  req = json_object_new ();
  json_object_set_string_member (req, "cmd", "signal");
  json_object_set_string_member (req, "id", st->id);
  json_object_set_int_member (req, "signal", sig);
  json_object_set_boolean_member (req, "all", all);
  reply = control_call (d->dirfd, req, NULL, 0, error);
  return reply != NULL ? 0 : -1;
}
