/* Fuzz target: the shim's TOML parser (runsc.toml, written by hand; containerd's runtime options). */
#include "config.h"

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
  return 0;
}
