/* runsc pause and runsc resume: freeze and thaw every process of the container (cgroup v1 freezer, cgroup v2
 * cgroup.freeze), through the Sentry, which is not frozen itself and then reports the state "paused". */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "oci/state.h"
#include "sentry/control.h"

/* Shared by cmd-resume.c. */
int cli_pause_resume (RunscGlobal *g, int argc, char **argv, gboolean pause, GError **error);

int
cli_pause_resume (RunscGlobal *g, int argc, char **argv, gboolean pause, GError **error)
{
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (JsonObject) reply = NULL;
  const char *status;
  gboolean done;
  int idx;

  idx = cli_parse (g, NULL, argc, argv, 1, 1, pause ? "pause ID" : "resume ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  if (!cli_load_container (g, argv[idx], TRUE, &d, &st, error))
    return -1;
  status = state_status (d, st, NULL);
  if (pause && strcmp (status, "running") != 0)
    {
      if (strcmp (status, "paused") == 0)
        runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is already paused", st->id);
      else
        runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is not running (%s)", st->id, status);
      return -1;
    }
  if (!pause && strcmp (status, "paused") != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is not paused (%s)", st->id, status);
      return -1;
    }
  /* By id: a pod member's own cgroup, or the whole sandbox for its root container. */
  reply = control_call_id (d->dirfd, pause ? "pause" : "resume", st->id, error);
  if (reply == NULL)
    {
      runsc_error_prefix (error, "%s %s", pause ? "pause" : "resume", st->id);
      return -1;
    }
  return 0;
}

int
cmd_pause (RunscGlobal *g, int argc, char **argv, GError **error)
{
  return cli_pause_resume (g, argc, argv, TRUE, error);
}
