/* runsc start: let a created container's init run its process. */
#include "config.h"

#include "cli/cli.h"
#include "cli/lifecycle.h"

int
cmd_start (RunscGlobal *g, int argc, char **argv, GError **error)
{
  gboolean done;
  int idx = cli_parse (g, NULL, argc, argv, 1, 1, "start ID", &done, error);

  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  return lifecycle_start (g, argv[idx], error) ? 0 : -1;
}
