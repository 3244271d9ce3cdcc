/* runsc update: placeholder until its owner lands it. */
#include "config.h"

#include "cli/cli.h"
#include "common/error.h"

int
cmd_update (RunscGlobal *g, int argc, char **argv, GError **error)
{
  runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "runsc update: not implemented yet");
  return -1;
}
