/* runsc delete: remove a stopped (or created) container; --force kills a running one first. */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/lifecycle.h"
#include "common/error.h"
#include "common/log.h"
#include "container/cgroup.h"

int
cmd_delete (RunscGlobal *g, int argc, char **argv, GError **error)
{
  gboolean force = FALSE;
  const RunscFlag flags[] = {
    { "force", RUNSC_FLAG_BOOL, &force, NULL, "kill the container first if it is running or paused" },
    { "f", RUNSC_FLAG_BOOL, &force, NULL, "same as --force" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (GError) local = NULL;
  gboolean done;
  const char *status;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 1, 1, "delete [--force] ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  d = state_dir_open (g->root, argv[idx], &local);
  if (d == NULL)
    {
      /* As runc: deleting a missing container with --force is not an error. */
      if (force && g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
        return 0;
      g_propagate_error (error, g_steal_pointer (&local));
      return -1;
    }
  st = state_load (d, &local);
  if (st == NULL)
    {
      /* A directory without state.json: a create that died half-way (killed before it recorded the state). Its
       * cgroups may be made and the Sentry may run in them: destroying the recorded cgroups kills what is left
       * in them and removes them; then the directory goes. */
      g_clear_error (&local);
      if (!cgroup_destroy_recorded (d->path, &local))
        log_warning ("container %s: %s", argv[idx], local->message);
      if (!state_dir_remove (d, error))
        return -1;
      return 0;
    }
  status = state_status (d, st, NULL);
  if (!force && strcmp (status, "stopped") != 0 && strcmp (status, "created") != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "cannot delete container %s that is not stopped: %s", st->id,
                       status);
      return -1;
    }
  return lifecycle_destroy (g, d, st, error) ? 0 : -1;
}
