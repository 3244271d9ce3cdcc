/* What the shim reads from a bundle's config.json (the spec itself is runsc's to validate). */
#pragma once

#include <json-glib/json-glib.h>

/* The spec's "annotations" object (a new reference), or NULL when config.json cannot be read or has none. */
JsonObject *shim_bundle_annotations (const char *bundle);

/* The string annotation key of the bundle's spec, or NULL. */
char *shim_bundle_annotation (const char *bundle, const char *key);
