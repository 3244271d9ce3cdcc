/* The pool of host id ranges for sandboxes' user namespaces: see userns-pool.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/userns-pool.h"


/* A directory stream of dfd's directory, leaving dfd open; NULL with errno set (EMFILE included). */
static DIR *
dir_of (int dfd)
{
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;

  if (fd < 0)
    return NULL;
  d = fdopendir (fd);
  if (d == NULL)
    {
      int e = errno;
      close (fd);
      errno = e;
    }
  return d;
}

gboolean
userns_pool_parse (const char *text, const char *what, UsernsPool *pool, GError **error)
{
  const char *colon;
  char *end = NULL;
  guint64 base, count;

  if (text == NULL || (colon = strchr (text, ':')) == NULL)
    goto bad;
  errno = 0;
  base = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end != colon || end == text || !g_ascii_isdigit (text[0]))
    goto bad;
  count = g_ascii_strtoull (colon + 1, &end, 10);
  if (errno != 0 || *end != '\0' || end == colon + 1 || !g_ascii_isdigit (colon[1]))
    goto bad;
  if (base < USERNS_RANGE_SIZE)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "invalid %s \"%s\": the base %" G_GUINT64_FORMAT
                            " overlaps the host's own ids 0-65535 (it must be at least 65536)",
                            what, text, base);
  if (count == 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid %s \"%s\": the pool has no range (COUNT is 0)",
                            what, text);
  if (base + count * USERNS_RANGE_SIZE > G_MAXUINT32)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "invalid %s \"%s\": BASE + COUNT * 65536 must not exceed 4294967295", what, text);
  pool->base = (uint32_t) base;
  pool->count = (uint32_t) count;
  return TRUE;
bad:
  return runsc_error_set (error, RUNSC_ERROR_INVALID,
                          "invalid %s \"%s\": expected BASE:COUNT (first host id, number of 65536-id ranges), "
                          "for example %s",
                          what, text != NULL ? text : "", USERNS_POOL_DEFAULT);
}

/* Open the pool directory (made when missing) and take its lock. Returns the directory fd; *lock_fd the lock. */
static int
pool_lock (int *lock_fd, GError **error)
{
  const char *dir = userns_pool_dir ();
  autofd int dfd = -1;
  autofd int lfd = -1;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    return runsc_error_errno (error, errno, "create the user namespace pool directory %s", dir), -1;
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return runsc_error_errno (error, errno, "open %s", dir), -1;
  lfd = openat (dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0)
    return runsc_error_errno (error, errno, "open %s/lock", dir), -1;
  while (flock (lfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return runsc_error_errno (error, errno, "lock %s/lock", dir), -1;
  *lock_fd = steal_fd (&lfd);
  return steal_fd (&dfd);
}

/* The sandbox ID a record names, or NULL when it cannot be read. */
static char *
record_owner (int dfd, const char *name)
{
  char buf[1100];
  autofd int fd = openat (dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  ssize_t n;

  if (fd < 0)
    return NULL;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  g_strchomp (buf);
  return g_strdup (buf);
}

static gboolean
record_name (const char *name, guint64 *base)
{
  char *end = NULL;

  if (!g_ascii_isdigit (name[0]))
    return FALSE;
  *base = g_ascii_strtoull (name, &end, 10);
  return *end == '\0';
}

const char *
userns_pool_dir (void)
{
  const char *env = g_getenv ("RUNSC_USERNS_POOL_DIR");
  return env != NULL && *env == '/' ? env : USERNS_POOL_DIR;
}

gboolean
userns_pool_allocate (const char *state_dir, const UsernsPool *pool, uint32_t *host_base, GError **error)
{
  const char *id = state_dir;
  autofd int lock = -1;
  autofd int dfd = pool_lock (&lock, error);
  g_autoptr (GArray) used = g_array_new (FALSE, FALSE, sizeof (guint64));
  DIR *dir;
  struct dirent *de;

  if (dfd < 0)
    return FALSE;
  dir = dir_of (dfd);
  if (dir == NULL)
    return runsc_error_errno (error, errno, "read %s", userns_pool_dir ());
  while ((de = readdir (dir)) != NULL)
    {
      guint64 base;
      g_autofree char *owner = NULL;

      if (!record_name (de->d_name, &base))
        continue;
      owner = record_owner (dfd, de->d_name);
      if (owner != NULL && owner[0] == '/')
        {
          if (!g_file_test (owner, G_FILE_TEST_IS_DIR))
            {
              /* Its sandbox's state is gone: a create or delete killed half-way. */
              log_debug ("user namespace range %" G_GUINT64_FORMAT " reclaimed: its sandbox's state %s is gone",
                        base, owner);
              unlinkat (dfd, de->d_name, 0);
              continue;
            }
        }
      /* An unreadable record keeps its range: never hand out ids someone may own. */
      g_array_append_val (used, base);
    }
  closedir (dir);

  for (guint64 i = 0; i < pool->count; i++)
    {
      guint64 cand = (guint64) pool->base + i * USERNS_RANGE_SIZE;
      gboolean clash = FALSE;
      char name[32], tmp[48];
      autofd int fd = -1;
      size_t len = strlen (id);

      for (guint j = 0; j < used->len && !clash; j++)
        {
          guint64 u = g_array_index (used, guint64, j);
          clash = u < cand + USERNS_RANGE_SIZE && cand < u + USERNS_RANGE_SIZE;
        }
      if (clash)
        continue;
      g_snprintf (name, sizeof name, "%" G_GUINT64_FORMAT, cand);
      g_snprintf (tmp, sizeof tmp, ".tmp-%d", (int) getpid ());
      fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0 || write (fd, id, len) != (ssize_t) len || write (fd, "\n", 1) != 1 || fsync (fd) < 0
          || renameat (dfd, tmp, dfd, name) < 0)
        {
          int e = errno;
          unlinkat (dfd, tmp, 0);
          return runsc_error_errno (error, e, "record user namespace range %s in %s", name, userns_pool_dir ());
        }
      *host_base = (uint32_t) cand;
      log_debug ("%s: user namespace range %s-%" G_GUINT64_FORMAT, id, name, cand + USERNS_RANGE_SIZE - 1);
      return TRUE;
    }
  return runsc_error_set (error, RUNSC_ERROR_FAILED,
                          "no free user namespace range: all %u ranges of the pool %u:%u are in use (see "
                          "--userns-pool in runsc(8))",
                          pool->count, pool->base, pool->count);
}

gboolean
userns_pool_release (const char *state_dir, GError **error)
{
  const char *dir_path = userns_pool_dir ();
  const char *id = state_dir;
  autofd int lock = -1;
  autofd int dfd = -1;
  DIR *dir;
  struct dirent *de;

  if (!g_file_test (dir_path, G_FILE_TEST_IS_DIR))
    return TRUE;
  dfd = pool_lock (&lock, error);
  if (dfd < 0)
    return FALSE;
  dir = dir_of (dfd);
  if (dir == NULL)
    return runsc_error_errno (error, errno, "read %s", dir_path);
  while ((de = readdir (dir)) != NULL)
    {
      guint64 base;
      g_autofree char *owner = NULL;

      if (!record_name (de->d_name, &base))
        continue;
      owner = record_owner (dfd, de->d_name);
      /* Quietly: runsc run's last lines are the container's (its delete comes after them). */
      if (g_strcmp0 (owner, id) == 0)
        unlinkat (dfd, de->d_name, 0);
    }
  closedir (dir);
  return TRUE;
}
