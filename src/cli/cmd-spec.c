/* runsc spec: placeholder until its owner lands it. */
#include "config.h"

#include "cli/cli.h"
#include "common/error.h"

int
cmd_spec (RunscGlobal *g, int argc, char **argv, GError **error)
{
  runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "runsc spec: not implemented yet");
  return -1;
}
