/* Reading and replacing another program's configuration file (see config-file.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "install/config-file.h"

ConfigFile *
config_file_read (const char *path, GError **error)
{
  g_autoptr (ConfigFile) f = g_new0 (ConfigFile, 1);
  g_autoptr (GError) local = NULL;
  g_autofree char *real = realpath (path, NULL);
  struct stat st;

  /* A dangling symlink or a missing file: write to the path itself (or the symlink's target). */
  if (real == NULL)
    {
      char buf[4096];
      ssize_t n = readlink (path, buf, sizeof buf - 1);
      if (n > 0)
        {
          g_autofree char *dir = g_path_get_dirname (path);
          buf[n] = '\0';
          real = g_path_is_absolute (buf) ? g_strdup (buf) : g_build_filename (dir, buf, NULL);
        }
      else
        real = g_strdup (path);
    }
  f->path = g_steal_pointer (&real);
  f->mode = 0644;
  f->uid = 0;
  f->gid = 0;
  if (stat (f->path, &st) < 0)
    {
      if (errno != ENOENT)
        return runsc_error_errno (error, errno, "stat %s", f->path), NULL;
      f->contents = g_strdup ("");
      return g_steal_pointer (&f);
    }
  if (!S_ISREG (st.st_mode))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: not a regular file", f->path), NULL;
  if (!g_file_get_contents (f->path, &f->contents, &f->length, &local))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "read %s: %s", f->path, local->message), NULL;
  if (strlen (f->contents) != f->length)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: contains a NUL byte", f->path), NULL;
  f->exists = TRUE;
  f->mode = st.st_mode & 07777;
  f->uid = st.st_uid;
  f->gid = st.st_gid;
  return g_steal_pointer (&f);
}

void
config_file_free (ConfigFile *f)
{
  if (f == NULL)
    return;
  g_free (f->path);
  g_free (f->contents);
  g_free (f);
}

static gboolean
write_like (const char *path, const ConfigFile *like, const char *data, gsize len, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.runsc-%d", dir, base, (int) getpid ());
  autofd int fd = -1;
  gsize done = 0;

  if (!runsc_mkdir_p (dir, 0755, error))
    return FALSE;
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return runsc_error_errno (error, errno, "create %s", tmp);
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += (gsize) n;
    }
  /* Owner first: fchown clears set-id bits, fchmod then restores the whole mode. */
  if (like->exists && fchown (fd, like->uid, like->gid) < 0 && errno != EPERM)
    goto fail;
  if (fchmod (fd, like->mode) < 0 || fsync (fd) < 0)
    goto fail;
  if (rename (tmp, path) < 0)
    goto fail;
  return TRUE;

fail:
  {
    int e = errno;
    unlink (tmp);
    return runsc_error_errno (error, e, "write %s", path);
  }
}

gboolean
config_file_replace (const ConfigFile *f, const char *data, gsize len, GError **error)
{
  return write_like (f->path, f, data, len, error);
}

gboolean
config_file_backup (const ConfigFile *f, const char *backup_path, GError **error)
{
  return write_like (backup_path, f, f->contents, f->length, error);
}

char *
config_file_containerd_dump (const char *containerd, const char *config_path, GError **error)
{
  const char *argv[] = { containerd, "--config", config_path, "config", "dump", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) local = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &local))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "run %s config dump: %s", containerd, local->message), NULL;
  if (!g_spawn_check_wait_status (status, &local))
    {
      g_strstrip (err);
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s --config %s config dump failed: %s", containerd,
                              config_path, *err ? err : local->message),
             NULL;
    }
  return g_steal_pointer (&out);
}
