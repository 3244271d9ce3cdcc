/* Registering runsc with containerd's CRI plugin (a Kubernetes RuntimeClass handler) by editing
 * /etc/containerd/config.toml as text, inside a marked block that runsc uninstall --containerd removes again,
 * leaving the file byte for byte as it was.
 *
 * containerd 2.x deep-merges imported files, so there the main config is made to import the drop-in directory
 * (/etc/containerd/conf.d/\*.toml) that holds the packaged runsc.toml. containerd 1.6/1.7 replace a whole plugin
 * table with an imported one (the drop-in would wipe the CRI settings of config.toml), so there the runtime's
 * tables go into config.toml itself, together with a runc table when the file defines none: defining any runtime
 * drops containerd's default runc one. */
#pragma once

#include <glib.h>

typedef struct
{
  const char *config_file;  /* containerd's main config */
  const char *runtime;      /* the CRI handler name: runtimes.<runtime> */
  const char *runtime_type; /* io.containerd.runsc.v1 */
  const char *options_type; /* options.TypeUrl */
  const char *shim_config;  /* options.ConfigPath: the shim's runsc.toml */
  const char *dropin;       /* the packaged drop-in (conf.d/runsc.toml) */
  const char *containerd;   /* the containerd binary, or NULL: look it up in PATH */
  int containerd_major;     /* 1, 2, ...; 0: ask containerd --version */
  gboolean no_verify;       /* do not run containerd config dump */
} ContainerdInstall;

/* Pure transformations of config.toml's text.
 * register: exists says whether the file exists; dropin_text is the drop-in's text or NULL when it is missing.
 * Returns the new text; *changed is FALSE when runsc is already registered (the text is returned as is).
 * unregister: removes every block for runtime; *remove_file is set when install created the file and nothing
 * else was added to it since. */
char *containerd_config_register (const char *text, gboolean exists, const ContainerdInstall *opts,
                                  const char *dropin_text, gboolean *changed, GString *messages, GError **error);
char *containerd_config_unregister (const char *text, const char *runtime, gboolean *changed,
                                    gboolean *remove_file, GString *messages, GError **error);

/* "containerd github.com/containerd/containerd v2.0.0 ..." or Debian's "... 1.6.20~ds1 ..." -> 2 or 1; 0 when
 * unknown. */
int containerd_parse_major (const char *version_output);

/* A --containerd-version value ("2", "2.0.1", "v1.6.20") -> its major number; 0 for NULL or "", -1 when it is
 * not a version. */
int containerd_version_major (const char *version);

/* The whole job on the real files: detect containerd, transform, check with `containerd config dump`, back up to
 * FILE.runsc~, replace. A machine without containerd is not an error: messages says what was skipped. */
gboolean containerd_install (const ContainerdInstall *opts, GString *messages, GError **error);
gboolean containerd_uninstall (const ContainerdInstall *opts, GString *messages, GError **error);
