/* linux.cgroupsPath as a cgroup path, for the cgroupfs and the systemd drivers (see cgroup.h). */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
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

/* ---- the systemd driver: a transient scope unit through systemd's D-Bus API ---- */

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_OBJECT "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_TIMEOUT_MS 10000

gboolean
cgroup_systemd_start_scope (const char *unit, const char *slice, pid_t pid, const char *description, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local);
  g_autoptr (GVariant) reply = NULL;
  GVariantBuilder props;
  guint32 pid32 = (guint32) pid;

  if (bus == NULL)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "--systemd-cgroup: connect to the system bus: %s",
                            local->message);
  g_variant_builder_init (&props, G_VARIANT_TYPE ("a(sv)"));
  g_variant_builder_add (&props, "(sv)", "Description", g_variant_new_string (description));
  g_variant_builder_add (&props, "(sv)", "Slice", g_variant_new_string (slice));
  g_variant_builder_add (&props, "(sv)", "Delegate", g_variant_new_boolean (TRUE));
  g_variant_builder_add (&props, "(sv)", "DefaultDependencies", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&props, "(sv)", "PIDs",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &pid32, 1, sizeof (guint32)));
  reply = g_dbus_connection_call_sync (
      bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT, SYSTEMD_MANAGER, "StartTransientUnit",
      g_variant_new ("(ssa(sv)@a(sa(sv)))", unit, "replace", &props,
                     g_variant_new_array (G_VARIANT_TYPE ("(sa(sv))"), NULL, 0)),
      G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, SYSTEMD_TIMEOUT_MS, NULL, &local);
  if (reply == NULL)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "--systemd-cgroup: start %s in %s: %s", unit, slice,
                            local->message);
  log_debug ("systemd: started %s in %s", unit, slice);
  return TRUE;
}

void
cgroup_systemd_stop_scope (const char *unit)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &local);
  g_autoptr (GVariant) reply = NULL;

  if (bus != NULL)
    reply = g_dbus_connection_call_sync (bus, SYSTEMD_BUS_NAME, SYSTEMD_OBJECT, SYSTEMD_MANAGER, "StopUnit",
                                         g_variant_new ("(ss)", unit, "replace"), G_VARIANT_TYPE ("(o)"),
                                         G_DBUS_CALL_FLAGS_NONE, SYSTEMD_TIMEOUT_MS, NULL, &local);
  /* A scope whose processes are gone has been collected already: that is the usual case. */
  if (reply == NULL)
    log_debug ("systemd: stop %s: %s", unit, local->message);
}
