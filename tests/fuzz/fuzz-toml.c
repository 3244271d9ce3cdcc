/* Fuzz target: the two TOML readers, which share one lexer (src/common/toml-lex.c): the shim's parser
 * (runsc.toml, written by hand; containerd's runtime options) and runsc install's scanner of containerd's
 * config.toml (src/install/toml-scan.c), which reads the text up to its first NUL as the installer does. */
#include "config.h"

#include "install/toml-scan.h"
#include "shim/toml.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  TomlDoc *doc = toml_parse ((const char *) data, (gssize) size, "fuzz.toml", &error);

  if ((doc == NULL) == (error == NULL))
    __builtin_trap ();
  if (doc != NULL)
    {
      /* Read back what the shim reads: the root table's and [runsc_config]'s keys, as strings. */
      static const char *const tables[] = { "", "runsc_config" };
      for (gsize t = 0; t < G_N_ELEMENTS (tables); t++)
        {
          const GPtrArray *keys = toml_table_keys (doc, tables[t]);
          for (guint i = 0; keys != NULL && i < keys->len; i++)
            {
              const TomlValue *v = toml_get (doc, tables[t], g_ptr_array_index (keys, i));
              char *text = v != NULL ? toml_value_to_string (v) : NULL;
              g_free (text);
            }
        }
      toml_doc_free (doc);
    }
  g_clear_error (&error);

  {
    char *text = g_strndup ((const char *) data, size);
    TomlScan *scan = toml_scan (text, &error);

    if ((scan == NULL) == (error == NULL))
      __builtin_trap ();
    if (scan != NULL)
      {
        const char *const runsc[] = { "plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes", "runsc",
                                      NULL };
        (void) toml_scan_defines (scan, runsc);
        (void) toml_scan_value_blocks (scan, runsc);
        toml_scan_free (scan);
      }
    g_clear_error (&error);
    g_free (text);
  }
  return 0;
}
