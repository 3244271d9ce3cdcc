/* Fuzz target: state.json as runsc reads it back (a file under --root that anything running as root may have
 * written, or a crash may have cut). */
#include "config.h"

#include "oci/state.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  RunscState *st = state_parse ((const char *) data, (gssize) size, "state.json", &error);

  if ((st == NULL) == (error == NULL))
    __builtin_trap ();
  if (st != NULL)
    {
      /* What runsc state prints from it. */
      char *json = state_oci_json (st, "stopped", TRUE);
      g_free (json);
      runsc_state_free (st);
    }
  g_clear_error (&error);
  return 0;
}
