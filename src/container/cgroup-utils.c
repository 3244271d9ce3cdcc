/* Reading and writing cgroup control files (cgroup-internal.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/util.h"
#include "container/cgroup-internal.h"
#include "container/cgroup.h"

char *
cgroup_read (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  g_autoptr (GError) local = NULL;

  if (!runsc_host_get_contents (path, &text, NULL, &local))
    {
      runsc_error_set (error, g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? RUNSC_ERROR_NOT_FOUND
                                                                                        : RUNSC_ERROR_FAILED,
                       "%s", local->message);
      return NULL;
    }
  return text;
}

gboolean
cgroup_read_i64 (const char *dir, const char *name, gint64 *out)
{
  g_autofree char *text = cgroup_read (dir, name, NULL);
  char *end;
  guint64 v;

  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  if (strcmp (text, "max") == 0)
    {
      *out = G_MAXINT64;
      return TRUE;
    }
  if (text[0] == '-')
    {
      *out = g_ascii_strtoll (text, &end, 10);
      return end != text;
    }
  v = g_ascii_strtoull (text, &end, 10);
  if (end == text)
    return FALSE;
  *out = v > G_MAXINT64 ? G_MAXINT64 : (gint64) v;
  return TRUE;
}

int
cgroup_write_errno (const char *dir, const char *name, const char *value)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  autofd int fd = runsc_host_open (path, O_WRONLY | O_CLOEXEC, 0);
  size_t len = strlen (value);
  ssize_t n;

  if (fd < 0)
    return errno;
  do
    n = write (fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return errno;
  return (size_t) n == len ? 0 : EIO;
}

gboolean
cgroup_write (const char *dir, const char *name, const char *value, GError **error)
{
  int err = cgroup_write_errno (dir, name, value);

  if (err != 0)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      return runsc_error_errno (error, err, "write %s to %s", value, path);
    }
  return TRUE;
}

gboolean
cgroup_keyed_value (const char *text, const char *key, guint64 *out)
{
  size_t kl = strlen (key);
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        {
          *out = g_ascii_strtoull (p + kl + 1, NULL, 10);
          return TRUE;
        }
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return FALSE;
}

gboolean
cgroup_parse_size (const char *text, gint64 *out, GError **error)
{
  char *end;
  double v;
  guint64 mult = 1;

  if (strcmp (text, "-1") == 0)
    {
      *out = -1;
      return TRUE;
    }
  v = g_ascii_strtod (text, &end);
  if (end == text || v < 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid size \"%s\"", text);
  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'b': mult = 1; end++; break;
    case 'k': mult = 1ULL << 10; end++; break;
    case 'm': mult = 1ULL << 20; end++; break;
    case 'g': mult = 1ULL << 30; end++; break;
    case 't': mult = 1ULL << 40; end++; break;
    case 'p': mult = 1ULL << 50; end++; break;
    default:
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid size \"%s\": unknown unit", text);
    }
  if (mult > 1 && (g_ascii_tolower (*end) == 'b'))
    end++;
  if (mult > 1 && g_ascii_tolower (end[0]) == 'i' && g_ascii_tolower (end[1]) == 'b')
    end += 2;
  if (*end != '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid size \"%s\"", text);
  if (v * (double) mult >= (double) G_MAXINT64)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid size \"%s\": too large", text);
  *out = (gint64) (v * (double) mult);
  return TRUE;
}

const char *
cgroup_memory_dir (const CgroupHandle *h)
{
  if (h->version == CGROUP_V1)
    return h->v1 != NULL ? g_hash_table_lookup (h->v1, "memory") : NULL;
  return h->sentry_memory != NULL && h->freeze_dir != NULL ? h->freeze_dir : h->unified;
}
