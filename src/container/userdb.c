/* Users and groups of a container, read from its own root (see userdb.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/userdb.h"

#define USERDB_MAX_SIZE (16 * 1024 * 1024)

/* Read path (relative to root, resolved inside it) into a string. NULL with errno (ENOENT: no such file). */
static char *
read_in_root (const char *root, const char *path)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                          .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  autofd int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  autofd int fd = -1;
  GString *s;
  struct stat st;
  char buf[8192];
  ssize_t n;

  if (rootfd < 0)
    return NULL;
  fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  if (fd < 0)
    return NULL;
  /* A FIFO or a device planted as /etc/passwd would block or never end. */
  if (fstat (fd, &st) < 0)
    return NULL;
  if (!S_ISREG (st.st_mode))
    {
      errno = EINVAL;
      return NULL;
    }
  s = g_string_new (NULL);
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_string_free (s, TRUE);
          return NULL;
        }
      if (s->len + (gsize) n > USERDB_MAX_SIZE)
        {
          g_string_free (s, TRUE);
          errno = EFBIG;
          return NULL;
        }
      g_string_append_len (s, buf, n);
    }
  return g_string_free (s, FALSE);
}

/* A decimal id, all digits, below 2^32-1 (which means "no id"). */
static gboolean
parse_id (const char *s, guint32 *out)
{
  guint64 v;
  char *end;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0' || v >= G_MAXUINT32)
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* The fields of the line of a colon-separated file whose field key_field is name (when name != NULL) or whose
 * field id_field is id, with at least min_fields fields; NULL when none matches. */
static char **
find_entry (const char *text, const char *name, int key_field, guint32 id, int id_field, int min_fields)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = NULL;
      guint32 v;

      if ((*l)[0] == '\0' || (*l)[0] == '#' || (*l)[0] == '+' || (*l)[0] == '-')
        continue;
      f = g_strsplit (*l, ":", -1);
      if ((int) g_strv_length (f) < min_fields)
        continue;
      if (name != NULL ? strcmp (f[key_field], name) == 0 : parse_id (f[id_field], &v) && v == id)
        return g_steal_pointer (&f);
    }
  return NULL;
}

char *
userdb_home (const char *root, uid_t uid)
{
  g_autofree char *passwd = read_in_root (root, "/etc/passwd");
  g_auto (GStrv) pw = passwd != NULL ? find_entry (passwd, NULL, 0, uid, 2, 7) : NULL;

  return g_strdup (pw != NULL && pw[5][0] != '\0' ? pw[5] : "/");
}

gboolean
userdb_resolve (const char *root, const char *spec, uid_t *uid, gid_t *gid, gid_t **groups, gsize *n_groups,
                GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 2);
  const char *user = parts[0], *group = parts[1];
  g_autofree char *passwd = NULL, *grp = NULL;
  g_auto (GStrv) pw = NULL;
  guint32 u = 0, gr = 0;
  gboolean user_numeric = parse_id (user, &u);

  if (groups != NULL)
    {
      *groups = NULL;
      *n_groups = 0;
    }
  if (user[0] == '\0' || (group != NULL && group[0] == '\0'))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid user %s: expected USER[:GROUP]", spec);
  passwd = read_in_root (root, "/etc/passwd");
  if (passwd == NULL && errno != ENOENT && !user_numeric)
    return runsc_error_errno (error, errno, "read %s/etc/passwd", root);
  pw = find_entry (passwd, user_numeric ? NULL : user, 0, u, 2, 7);
  if (pw == NULL && !user_numeric)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "no user %s in the container's /etc/passwd", user);
  if (pw != NULL && (!parse_id (pw[2], &u) || !parse_id (pw[3], &gr)))
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "the container's /etc/passwd: the entry of %s has no valid uid and gid", user);
  if (group != NULL && !parse_id (group, &gr))
    {
      g_auto (GStrv) g = NULL;

      grp = read_in_root (root, "/etc/group");
      if (grp == NULL && errno != ENOENT)
        return runsc_error_errno (error, errno, "read %s/etc/group", root);
      g = find_entry (grp, group, 0, 0, 2, 3);
      if (g == NULL || !parse_id (g[2], &gr))
        return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "no group %s in the container's /etc/group",
                                group);
    }
  else if (group == NULL && pw != NULL && groups != NULL)
    {
      /* The groups that list the user as a member, as login and runc's exec user lookup give them. */
      g_auto (GStrv) lines = NULL;
      GArray *a = g_array_new (FALSE, FALSE, sizeof (gid_t));

      grp = read_in_root (root, "/etc/group");
      lines = g_strsplit (grp != NULL ? grp : "", "\n", -1);
      for (char **l = lines; *l != NULL; l++)
        {
          g_auto (GStrv) f = g_strsplit (*l, ":", -1);
          g_auto (GStrv) members = NULL;
          guint32 v;

          if (g_strv_length (f) < 4 || !parse_id (f[2], &v))
            continue;
          members = g_strsplit (f[3], ",", -1);
          if (g_strv_contains ((const char *const *) members, pw[0]))
            {
              gid_t x = v;
              g_array_append_val (a, x);
            }
        }
      *n_groups = a->len;
      *groups = (gid_t *) g_array_free (a, FALSE);
    }
  *uid = u;
  *gid = gr;
  return TRUE;
}
