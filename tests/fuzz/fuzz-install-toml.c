/* Fuzz target: runsc install --containerd's editing of containerd's config.toml (src/install/containerd.c, which
 * reads the file with src/install/toml-scan.c), for containerd 1.x (the runtime's tables written into the file)
 * and 2.x (an import of the packaged drop-in). Beyond not crashing, the installer's promises are checked as
 * tests/unit/test-install.c checks them: what register writes is TOML the scanner reads, registering again
 * changes nothing, and unregister gives back the original text byte for byte. */
#include "config.h"

#include <string.h>

#include "install/containerd.h"
#include "install/toml-scan.h"
#include "tests/fuzz/fuzz.h"

static const char dropin_v2[] = "version = 2\n"
                                "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runsc]\n"
                                "  runtime_type = \"io.containerd.runsc.v1\"\n"
                                "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runsc.options]\n"
                                "  TypeUrl = \"io.containerd.runsc.v1.options\"\n"
                                "  ConfigPath = \"/etc/containerd/runsc.toml\"\n";

static void
round_trip (const char *orig, int major)
{
  ContainerdInstall o = {
    .config_file = "/etc/containerd/config.toml",
    .runtime = "runsc",
    .runtime_type = "io.containerd.runsc.v1",
    .options_type = "io.containerd.runsc.v1.options",
    .shim_config = "/etc/containerd/runsc.toml",
    .dropin = "/etc/containerd/conf.d/runsc.toml",
    .containerd_major = major,
  };
  g_autoptr (GString) msg = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *again = NULL, *back = NULL;
  gboolean changed = FALSE, again_changed = FALSE, remove_file = FALSE, was_registered;

  /* Unregister of the file as it is. */
  back = containerd_config_unregister (orig, o.runtime, &was_registered, &remove_file, msg, &error);
  if ((back == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  g_clear_pointer (&back, g_free);

  text = containerd_config_register (orig, TRUE, &o, major >= 2 ? dropin_v2 : NULL, &changed, msg, &error);
  if ((text == NULL) == (error == NULL))
    __builtin_trap ();
  if (text == NULL || !changed || was_registered)
    return;
  {
    g_autoptr (TomlScan) scan = toml_scan (text, &error);
    if (scan == NULL)
      __builtin_trap (); /* register wrote a file its own scanner cannot read */
  }
  again = containerd_config_register (text, TRUE, &o, major >= 2 ? dropin_v2 : NULL, &again_changed, msg, &error);
  if (again == NULL || again_changed || strcmp (again, text) != 0)
    __builtin_trap (); /* registering twice changed the file */
  back = containerd_config_unregister (text, o.runtime, &changed, &remove_file, msg, &error);
  if (back == NULL || !changed || strcmp (back, orig) != 0)
    __builtin_trap (); /* unregister did not give the file back as it was */
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size); /* read up to its first NUL, as the installer */

  round_trip (text, 1);
  round_trip (text, 2);
  return 0;
}
