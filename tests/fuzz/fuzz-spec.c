/* Fuzz target: the OCI spec parser and validator (config.json, untrusted: any caller's bundle). */
#include "config.h"

#include "oci/spec.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  OciSpec *spec = oci_spec_parse ((const char *) data, (gssize) size, &error);

  /* Exactly one of the two: a spec, or an error that says why. */
  if ((spec == NULL) == (error == NULL))
    __builtin_trap ();
  if (spec != NULL)
    {
      g_autofree char *rootfs = oci_spec_rootfs (spec, "/bundle");
      (void) oci_spec_annotation (spec, "io.kubernetes.cri.container-type");
      (void) oci_spec_namespace (spec, "pid");
      oci_spec_free (spec);
    }
  g_clear_error (&error);
  return 0;
}
