/* The host's files through held directories (host-fs.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "common/util.h"

typedef struct
{
  char prefix[256];
  size_t len;
  int fd;
} HostDir;

static HostDir held[RUNSC_HOST_FS_MAX];
static gint n_held;

gboolean
runsc_host_fs_hold (const char *prefix, int dirfd)
{
  gint n = g_atomic_int_get (&n_held);
  size_t len = strlen (prefix);

  while (len > 1 && prefix[len - 1] == '/')
    len--;
  if (n >= RUNSC_HOST_FS_MAX || prefix[0] != '/' || len < 2 || len >= sizeof held[0].prefix || dirfd < 0)
    return FALSE;
  memcpy (held[n].prefix, prefix, len);
  held[n].prefix[len] = '\0';
  held[n].len = len;
  held[n].fd = dirfd;
  g_atomic_int_set (&n_held, n + 1); /* published once filled in */
  return TRUE;
}

gboolean
runsc_host_fs_active (void)
{
  return g_atomic_int_get (&n_held) > 0;
}

int
runsc_host_at (const char *path, const char **rel)
{
  gint n = g_atomic_int_get (&n_held);
  int best = -1;

  *rel = path;
  if (path == NULL || path[0] != '/')
    return AT_FDCWD;
  /* The longest held prefix that path is, or is under. */
  for (int i = 0; i < n; i++)
    if (strncmp (path, held[i].prefix, held[i].len) == 0 && (path[held[i].len] == '\0' || path[held[i].len] == '/')
        && (best < 0 || held[i].len > held[best].len))
      best = i;
  if (best < 0)
    return AT_FDCWD;
  path += held[best].len;
  while (*path == '/')
    path++;
  *rel = *path != '\0' ? path : ".";
  return held[best].fd;
}

int
runsc_host_open (const char *path, int flags, mode_t mode)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel);

  return openat (dirfd, rel, flags, mode);
}

DIR *
runsc_host_opendir (const char *path)
{
  int fd = runsc_host_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  DIR *d;

  if (fd < 0)
    return NULL;
  d = fdopendir (fd);
  if (d == NULL)
    runsc_close_fd_ptr (&fd);
  return d;
}

ssize_t
runsc_host_readlink (const char *path, char *buf, size_t size)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel);

  return readlinkat (dirfd, rel, buf, size);
}

int
runsc_host_stat (const char *path, struct stat *st)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel);

  return fstatat (dirfd, rel, st, 0);
}

int
runsc_host_access (const char *path, int mode)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel);

  return faccessat (dirfd, rel, mode, 0);
}

int
runsc_host_rename (const char *from, const char *to)
{
  const char *rfrom, *rto;
  int dfrom = runsc_host_at (from, &rfrom), dto = runsc_host_at (to, &rto);

  return renameat (dfrom, rfrom, dto, rto);
}

int
runsc_host_unlink (const char *path)
{
  const char *rel;
  int dirfd = runsc_host_at (path, &rel);

  return unlinkat (dirfd, rel, 0);
}

gboolean
runsc_host_get_contents (const char *path, char **contents, gsize *length, GError **error)
{
  autofd int fd = -1;
  GString *text;
  char buf[4096];

  if (!runsc_host_fs_active ())
    return g_file_get_contents (path, contents, length, error);
  fd = runsc_host_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "Failed to open file “%s”: %s", path,
                   g_strerror (e));
      return FALSE;
    }
  text = g_string_new (NULL);
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          g_string_free (text, TRUE);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "Failed to read from file “%s”: %s", path,
                       g_strerror (e));
          return FALSE;
        }
      if (n == 0)
        break;
      g_string_append_len (text, buf, n);
    }
  if (length != NULL)
    *length = text->len;
  *contents = g_string_free (text, FALSE);
  return TRUE;
}
