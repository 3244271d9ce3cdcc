/* runsc resume: thaw a paused container (see cmd-pause.c). */
#include "config.h"

#include "cli/cli.h"

int cli_pause_resume (RunscGlobal *g, int argc, char **argv, gboolean pause, GError **error);

int
cmd_resume (RunscGlobal *g, int argc, char **argv, GError **error)
{
  return cli_pause_resume (g, argc, argv, FALSE, error);
}
