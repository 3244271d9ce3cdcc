/* The metrics runsc metric-server serves: every running sandbox under --root, in Prometheus' text exposition
 * format (version 0.0.4). The metric names are listed in runsc-metric-server(8). */
#pragma once

#include <glib.h>

/* The Content-Type of what metrics_render returns. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Collect the metrics of every sandbox under root (a missing root has none) and render them, each name prefixed
 * with prefix ("runsc_" by default). Never fails: a sandbox that cannot be read is left out (and logged at
 * debug level). */
char *metrics_render (const char *root, const char *prefix);

/* A label value escaped for the text format (backslash, double quote, newline). */
char *metrics_escape_label (const char *value);
