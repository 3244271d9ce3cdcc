/* Stats: runc's `events --stats` JSON (which runsc prints in the same shape) turned into containerd's
 * io.containerd.cgroups.v1.Metrics, the Any type ctr and the CRI plugin decode. */
#pragma once

#include <glib.h>

#define SHIM_METRICS_V1_TYPE_URL "io.containerd.cgroups.v1.Metrics"

/* json: the output of `runsc events --stats ID` (one JSON object). Returns the packed Metrics. */
GByteArray *shim_stats_from_json (const char *json, GError **error);
