/* runsc install: register runsc with Docker (daemon.json, as gVisor's runsc install does) or, with --containerd,
 * with containerd's CRI plugin. The package's maintainer scripts call it; so can an admin. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "install/defaults.h"
#include "common/error.h"
#include "install/containerd.h"
#include "install/docker.h"

/* The path of the running runsc binary, for daemon.json's runtimes.<name>.path. */
static char *
self_path (void)
{
  g_autofree char *p = g_file_read_link ("/proc/self/exe", NULL);
  return p ? g_steal_pointer (&p) : g_strdup ("/usr/bin/runsc");
}

static void
print_messages (GString *messages)
{
  fputs (messages->str, stdout);
  fflush (stdout);
}

int
cmd_install (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *config_file = NULL;
  g_autofree char *runtime = g_strdup ("runsc");
  g_autofree char *dropin = g_strdup (INSTALL_DROPIN);
  g_autofree char *shim_config = g_strdup (INSTALL_SHIM_CONFIG);
  g_autofree char *containerd_version = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GString) messages = g_string_new (NULL);
  gboolean clobber = TRUE, experimental = FALSE, containerd = FALSE, help = FALSE;
  const RunscFlag flags[] = {
    { "config_file", RUNSC_FLAG_STRING, &config_file, "FILE",
      "the file to edit (default " DOCKER_CONFIG ", or " CONTAINERD_CONFIG " with --containerd)" },
    { "runtime", RUNSC_FLAG_STRING, &runtime, "NAME", "the runtime's name (default runsc)" },
    { "clobber", RUNSC_FLAG_BOOL, &clobber, NULL, "replace an existing Docker runtime of that name (default true)" },
    { "experimental", RUNSC_FLAG_BOOL, &experimental, NULL, "also set \"experimental\": true in daemon.json" },
    { "containerd", RUNSC_FLAG_BOOL, &containerd, NULL, "register with containerd's CRI plugin instead of Docker" },
    { "dropin", RUNSC_FLAG_STRING, &dropin, "FILE", "the containerd drop-in (default " INSTALL_DROPIN ")" },
    { "shim-config", RUNSC_FLAG_STRING, &shim_config, "FILE",
      "the shim's config, options.ConfigPath (default " INSTALL_SHIM_CONFIG ")" },
    { "containerd-version", RUNSC_FLAG_STRING, &containerd_version, "VERSION",
      "containerd's version (default: containerd --version)" },
    { "help", RUNSC_FLAG_BOOL, &help, NULL, "show this help" },
    { "", 0, NULL, NULL, NULL },
  };
  int first = runsc_flags_parse (flags, argc, argv, error);

  if (first < 0)
    return -1;
  if (help)
    {
      printf ("Usage: runsc install [OPTIONS] [-- RUNTIME_ARGS...]\n"
              "       runsc install --containerd [OPTIONS]\n\n"
              "Add runsc to Docker's daemon.json, or with --containerd register it with containerd's CRI plugin.\n"
              "runsc uninstall undoes it.\n\nOptions:\n");
      runsc_flags_print (flags, stdout);
      return 0;
    }
  if (containerd)
    {
      ContainerdInstall opts = {
        .config_file = config_file ? config_file : CONTAINERD_CONFIG,
        .runtime = runtime,
        .runtime_type = INSTALL_RUNTIME_TYPE,
        .options_type = INSTALL_OPTIONS_TYPE,
        .shim_config = shim_config,
        .dropin = dropin,
        .containerd_major = containerd_version_major (containerd_version),
      };
      gboolean ok;

      if (first < argc)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "install --containerd: runtime arguments are not used (put runsc flags in %s)",
                                shim_config),
               -1;
      if (opts.containerd_major < 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "--containerd-version %s: not a version",
                                containerd_version),
               -1;
      ok = containerd_install (&opts, messages, error);
      print_messages (messages);
      return ok ? 0 : -1;
    }

  path = self_path ();
  {
    DockerInstall opts = {
      .config_file = config_file ? config_file : DOCKER_CONFIG,
      .runtime = runtime,
      .path = path,
      .runtime_args = argv + first,
      .clobber = clobber,
      .experimental = experimental,
    };
    gboolean ok = docker_install (&opts, messages, error);
    print_messages (messages);
    return ok ? 0 : -1;
  }
}
