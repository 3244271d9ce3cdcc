/* The shim's runtime options: runsc.toml (named by runtimeoptions.v1.Options.config_path, or given inline as
 * config_body by containerd 2.x), with defaults. See man/runsc.toml.5. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "shim/toml.h"

#define SHIM_DEFAULT_BINARY "runsc"
#define SHIM_DEFAULT_ROOT "/run/containerd/runsc"
#define SHIM_OPTIONS_TYPE_URL "runtimeoptions.v1.Options"
#define SHIM_STATE_FILE "runsc-shim.toml" /* in the bundle: what `delete` needs after the server is gone */

typedef struct
{
  char *binary_name;   /* runsc binary (name looked up on PATH, or absolute) */
  char *root;          /* runsc --root, with the containerd namespace appended */
  char *log_path;      /* the shim's own log file (gVisor's meaning), %ID% substituted; NULL for none */
  char *log_level;     /* the shim's log level: "debug" (or "trace") logs debug lines too */
  gboolean grouping;   /* one shim per pod (io.kubernetes.cri.sandbox-id); default TRUE */
  char *shim_cgroup;   /* cgroup the shim moves itself into; NULL for none */
  guint32 io_uid;      /* owner of the stdio pipes (0: root) */
  guint32 io_gid;
  GPtrArray *runsc_flags; /* "--key=value" from [runsc_config], in file order */
  char *config_path;   /* where the options were read from (for messages) */
} ShimOptions;

/* Defaults for containerd namespace ns. */
ShimOptions *shim_options_new (const char *ns);
void shim_options_free (ShimOptions *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShimOptions, shim_options_free)

/* Apply a parsed runsc.toml (its root-level keys and [runsc_config]). Unknown root keys are ignored with a log
 * line, as containerd passes its own keys (TypeUrl, ConfigPath) through config_body. */
gboolean shim_options_apply_toml (ShimOptions *o, const TomlDoc *doc, const char *ns, GError **error);

/* Apply the serialized google.protobuf.Any containerd sends (start's stdin, CreateTaskRequest.options). An empty
 * buffer means no options. runtimeoptions.v1.Options is understood; other types are ignored with a warning. */
gboolean shim_options_apply_any (ShimOptions *o, const uint8_t *data, size_t len, const char *ns, GError **error);
/* The same with type_url and value already split. */
gboolean shim_options_apply_any_parts (ShimOptions *o, const char *type_url, const uint8_t *value, size_t len,
                                       const char *ns, GError **error);

/* The log path for container id (%ID% substituted), or NULL. */
char *shim_options_log_path (const ShimOptions *o, const char *id);

/* Save the options into bundle/SHIM_STATE_FILE (a runsc.toml), and read them back. */
gboolean shim_options_save (const ShimOptions *o, const char *bundle, GError **error);
ShimOptions *shim_options_load_saved (const char *bundle, const char *ns, GError **error);
