/* runsc uninstall: undo runsc install (Docker's daemon.json, or with --containerd containerd's config). */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "install/defaults.h"
#include "common/error.h"
#include "install/containerd.h"
#include "install/docker.h"

int
cmd_uninstall (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *config_file = NULL;
  g_autofree char *runtime = g_strdup ("runsc");
  g_autofree char *path = NULL;
  g_autoptr (GString) messages = g_string_new (NULL);
  gboolean containerd = FALSE, help = FALSE, ok;
  const RunscFlag flags[] = {
    { "config_file", RUNSC_FLAG_STRING, &config_file, "FILE",
      "the file to edit (default " DOCKER_CONFIG ", or " CONTAINERD_CONFIG " with --containerd)" },
    { "runtime", RUNSC_FLAG_STRING, &runtime, "NAME", "the runtime's name (default runsc)" },
    { "path", RUNSC_FLAG_STRING, &path, "PATH",
      "remove the Docker runtime only when its path is PATH (the package uses /usr/bin/runsc)" },
    { "containerd", RUNSC_FLAG_BOOL, &containerd, NULL, "remove the containerd registration instead of Docker's" },
    { "help", RUNSC_FLAG_BOOL, &help, NULL, "show this help" },
    { "", 0, NULL, NULL, NULL },
  };
  int first = runsc_flags_parse (flags, argc, argv, error);

  if (first < 0)
    return -1;
  if (help)
    {
      printf ("Usage: runsc uninstall [--containerd] [OPTIONS]\n\n"
              "Remove what runsc install added to Docker's daemon.json or, with --containerd, to containerd's "
              "config.\n\nOptions:\n");
      runsc_flags_print (flags, stdout);
      return 0;
    }
  if (first < argc)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "uninstall: unexpected argument \"%s\"", argv[first]), -1;

  if (containerd)
    {
      ContainerdInstall opts = {
        .config_file = config_file ? config_file : CONTAINERD_CONFIG,
        .runtime = runtime,
      };
      ok = containerd_uninstall (&opts, messages, error);
    }
  else
    ok = docker_uninstall (config_file ? config_file : DOCKER_CONFIG, runtime, path, messages, error);
  fputs (messages->str, stdout);
  fflush (stdout);
  return ok ? 0 : -1;
}
