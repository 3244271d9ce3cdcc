/* linux.cgroupsPath as a cgroup path, for the cgroupfs and the systemd drivers (see cgroup.h). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "container/cgroup.h"

#define SYSTEMD_DEFAULT_SLICE "system.slice"
#define SYSTEMD_DEFAULT_PREFIX "runsc"

char *
cgroup_systemd_slice_path (const char *slice, GError **error)
{
  g_autoptr (GString) path = g_string_new (NULL);
  g_autofree char *body = NULL;
  g_auto (GStrv) parts = NULL;
  guint i;

  if (strcmp (slice, "-.slice") == 0)
    return g_strdup ("");
  if (!g_str_has_suffix (slice, ".slice") || strchr (slice, '/') != NULL || strlen (slice) <= strlen (".slice"))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid systemd slice \"%s\": expected NAME.slice", slice);
      return NULL;
    }
  body = g_strndup (slice, strlen (slice) - strlen (".slice"));
  if (body[0] == '-' || g_str_has_suffix (body, "-") || strstr (body, "--") != NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid systemd slice \"%s\": misplaced \"-\"", slice);
      return NULL;
    }
  /* a-b-c.slice lives in a-b.slice, which lives in a.slice. */
  parts = g_strsplit (body, "-", -1);
  for (i = 0; parts[i] != NULL; i++)
    {
      guint j;
      g_string_append_c (path, '/');
      for (j = 0; j <= i; j++)
        {
          if (j > 0)
            g_string_append_c (path, '-');
          g_string_append (path, parts[j]);
        }
      g_string_append (path, ".slice");
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

static gboolean
systemd_running (void)
{
  return access ("/run/systemd/system", F_OK) == 0;
}

char *
cgroup_resolve_path (const char *cgroups_path, const char *id, gboolean systemd, char **unit, GError **error)
{
  if (unit != NULL)
    *unit = NULL;
  if (!systemd)
    {
      if (cgroups_path == NULL || cgroups_path[0] == '\0')
        return g_strdup (id); /* relative: under our own cgroup, as runc does */
      if (strchr (cgroups_path, ':') != NULL)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID,
                           "cgroupsPath \"%s\" is a systemd path (slice:prefix:name): it needs --systemd-cgroup",
                           cgroups_path);
          return NULL;
        }
      return g_strdup (cgroups_path);
    }

  {
    g_auto (GStrv) parts = NULL;
    g_autofree char *slice_path = NULL;
    g_autofree char *scope = NULL;
    const char *slice, *prefix, *name;

    if (cgroups_path != NULL && cgroups_path[0] != '\0')
      {
        parts = g_strsplit (cgroups_path, ":", -1);
        if (g_strv_length (parts) != 3)
          {
            runsc_error_set (error, RUNSC_ERROR_INVALID,
                             "cgroupsPath \"%s\": with --systemd-cgroup it must be slice:prefix:name", cgroups_path);
            return NULL;
          }
      }
    slice = parts != NULL && parts[0][0] != '\0' ? parts[0] : SYSTEMD_DEFAULT_SLICE;
    prefix = parts != NULL && parts[1][0] != '\0' ? parts[1] : SYSTEMD_DEFAULT_PREFIX;
    name = parts != NULL && parts[2][0] != '\0' ? parts[2] : id;
    slice_path = cgroup_systemd_slice_path (slice, error);
    if (slice_path == NULL)
      return NULL;
    if (!systemd_running ())
      {
        runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                         "--systemd-cgroup: systemd is not the init system of this host (no /run/systemd/system); "
                         "run without --systemd-cgroup to use the cgroupfs driver");
        return NULL;
      }
    scope = g_strdup_printf ("%s-%s.scope", prefix, name);
    if (unit != NULL)
      *unit = g_strdup (scope);
    return g_strdup_printf ("%s/%s", slice_path, scope);
  }
}
