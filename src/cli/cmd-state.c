/* runsc state: the container's state as runc prints it. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "common/error.h"
#include "oci/state.h"

int
cmd_state (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autofree char *json = NULL;
  gboolean done;
  int idx = cli_parse (g, NULL, argc, argv, 1, 1, "state ID", &done, error);

  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  /* Unlocked: state must answer while another command (a long start) holds the lock. */
  if (!cli_load_container (g, argv[idx], FALSE, &d, &st, error))
    {
      /* No state.json yet, and its lock held: a create in progress, which runc reports as "creating". */
      if (d == NULL || !g_error_matches (*error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND) || !state_dir_busy (d))
        return -1;
      g_clear_error (error);
      g_clear_pointer (&st, runsc_state_free);
      st = runsc_state_new ();
      st->id = g_strdup (argv[idx]);
      st->bundle = g_strdup ("");
      st->rootfs = g_strdup ("");
      st->created = g_strdup ("");
      json = state_oci_json (st, "creating", TRUE);
    }
  else
    json = state_oci_json (st, state_status (d, st, NULL), TRUE);
  printf ("%s\n", json);
  return 0;
}
