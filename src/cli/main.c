/* runsc: global flags and subcommand dispatch. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

int
main (int argc, char **argv)
{
  fprintf (stderr, "runsc: not built yet\n");
  return 1;
}
