/* Reading and replacing another program's configuration file (containerd's config.toml, Docker's daemon.json)
 * without changing its owner, mode or the file a symlink points to, with a backup beside it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct
{
  char *path;      /* the file written: a symlink's target, resolved */
  gboolean exists; /* FALSE if there is no such file (contents is then "") */
  char *contents;  /* NUL-terminated */
  gsize length;
  mode_t mode;     /* 0644 for a new file */
  uid_t uid;
  gid_t gid;
} ConfigFile;

/* Read path. A missing file is not an error (exists = FALSE). */
ConfigFile *config_file_read (const char *path, GError **error);
void config_file_free (ConfigFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfigFile, config_file_free)

/* Replace the file with data: a temporary file in the same directory with the old owner and mode, fsync, rename.
 * Creates missing parent directories (0755). */
gboolean config_file_replace (const ConfigFile *f, const char *data, gsize len, GError **error);

/* Write f's current contents to backup_path (same owner and mode), replacing any older backup. */
gboolean config_file_backup (const ConfigFile *f, const char *backup_path, GError **error);

/* Run `containerd --config PATH config dump`; returns its stdout, or NULL with an error quoting its stderr. */
char *config_file_containerd_dump (const char *containerd, const char *config_path, GError **error);
