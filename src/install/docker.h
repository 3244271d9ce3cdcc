/* Registering runsc as a Docker runtime in /etc/docker/daemon.json, as gVisor's `runsc install` does:
 * runtimes.<name> = { "path": ..., "runtimeArgs": [...] }; every other member is kept, in its order. */
#pragma once

#include <glib.h>

typedef struct
{
  const char *config_file;  /* daemon.json */
  const char *runtime;      /* runtimes.<runtime> */
  const char *path;         /* the runsc binary */
  char **runtime_args;      /* NULL or a NULL-terminated list */
  gboolean clobber;         /* replace an existing runtimes.<runtime> */
  gboolean experimental;    /* set "experimental": true */
} DockerInstall;

/* Pure transformations on the file's text ("" or NULL for a missing file). Each returns the new text (JSON with
 * 4-space indent and a final newline), or NULL with an error; *changed tells whether it differs in meaning from
 * the input. messages gets one line per thing done or skipped. */
char *docker_config_install (const char *text, const DockerInstall *opts, gboolean *changed, GString *messages,
                             GError **error);
/* only_path: remove the runtime only when its "path" is this (NULL: whatever it is). */
char *docker_config_uninstall (const char *text, const char *runtime, const char *only_path, gboolean *changed,
                               GString *messages, GError **error);

/* TRUE if a and b are both valid JSON with equal values (member order ignored). */
gboolean docker_json_equal (const char *a, const char *b);

/* The file operations: read, transform, back up to FILE~, replace. Uninstall restores the install-time backup's
 * exact bytes (and removes it) when it has the same content as the result. */
gboolean docker_install (const DockerInstall *opts, GString *messages, GError **error);
gboolean docker_uninstall (const char *config_file, const char *runtime, const char *only_path, GString *messages,
                           GError **error);
