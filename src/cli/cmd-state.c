/* runsc state: the container's state as runc prints it. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
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
    return -1;
  json = state_oci_json (st, state_status (d, st, NULL), TRUE);
  printf ("%s\n", json);
  return 0;
}
