/* The checks of an OCI spec beyond its types (spec.h: oci_spec_validate), each error naming the JSON path of the
 * offending value. */
#include "config.h"

#include <cap-ng.h>
#include <string.h>

#include "common/error.h"
#include "oci/spec.h"

/* ---- checks beyond types ---------------------------------------------------------------------------------- */

static const char *const namespace_types[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };

static const char *const rlimit_names[] = {
  "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
  "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

static const char *const propagations[] = { "private", "rprivate", "slave",      "rslave",
                                            "shared",  "rshared",  "unbindable", "runbindable" };

static gboolean
in_list (const char *value, const char *const *list, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++)
    if (strcmp (value, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
check_absolute (const char *path, const char *value, GError **error)
{
  if (value != NULL && value[0] == '/')
    return TRUE;
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: must be an absolute path, got \"%s\"", path,
                          value != NULL ? value : "");
}

static gboolean
check_absolute_list (const char *path, char **values, GError **error)
{
  gsize i;

  for (i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%zu]", path, i);
      if (!check_absolute (p, values[i], error))
        return FALSE;
    }
  return TRUE;
}

/* "CAP_SYS_ADMIN" and the like, as libcap-ng knows them (its names have no prefix and are case-blind, so the
 * upper-case form is required here, as the runtime spec writes it). */
static gboolean
capability_known (const char *name)
{
  const char *c;

  if (!g_str_has_prefix (name, "CAP_") || name[4] == '\0' || g_ascii_isdigit (name[4]))
    return FALSE;
  for (c = name + 4; *c != '\0'; c++)
    if (!(g_ascii_isupper (*c) || g_ascii_isdigit (*c) || *c == '_'))
      return FALSE;
  return capng_name_to_capability (name + 4) >= 0;
}

static gboolean
check_capability_set (const char *set, char **names, GError **error)
{
  gsize i;

  for (i = 0; names != NULL && names[i] != NULL; i++)
    if (!capability_known (names[i]))
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                              set, i, names[i]);
  return TRUE;
}

static gboolean
validate_process (const OciProcess *p, GError **error)
{
  gsize i, j;

  if (p->args == NULL || p->args[0] == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.args: must not be empty");
  if (!check_absolute ("process.cwd", p->cwd, error))
    return FALSE;
  for (i = 0; p->env[i] != NULL; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.env[%zu]: expected NAME=VALUE, got \"%s\"", i,
                                p->env[i]);
    }
  if (p->capabilities != NULL
      && !(check_capability_set ("bounding", p->capabilities->bounding, error)
           && check_capability_set ("effective", p->capabilities->effective, error)
           && check_capability_set ("inheritable", p->capabilities->inheritable, error)
           && check_capability_set ("permitted", p->capabilities->permitted, error)
           && check_capability_set ("ambient", p->capabilities->ambient, error)))
    return FALSE;
  for (i = 0; i < p->n_rlimits; i++)
    {
      const OciRlimit *r = &p->rlimits[i];

      if (!in_list (r->type, rlimit_names, G_N_ELEMENTS (rlimit_names)))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i,
                                r->type);
      for (j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.rlimits[%zu].type: duplicate rlimit \"%s\"", i,
                                  r->type);
      if (r->soft > r->hard)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "process.rlimits[%zu]: soft limit %" G_GUINT64_FORMAT
                                " is above hard limit %" G_GUINT64_FORMAT " for %s",
                                i, r->soft, r->hard, r->type);
    }
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.oomScoreAdj: must be between -1000 and 1000, got %d",
                            p->oom_score_adj);
  return TRUE;
}

static gboolean
validate_hooks (const char *name, const OciHook *hooks, gsize n, GError **error)
{
  gsize i;

  for (i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("hooks.%s[%zu].path", name, i);

      if (!check_absolute (p, hooks[i].path, error))
        return FALSE;
      if (hooks[i].has_timeout && hooks[i].timeout <= 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "hooks.%s[%zu].timeout: must be positive, got %d", name, i,
                                hooks[i].timeout);
    }
  return TRUE;
}

static gboolean
validate_linux (const OciLinux *l, GError **error)
{
  const OciNamespace *userns = NULL;
  gsize i, j;

  for (i = 0; i < l->n_namespaces; i++)
    {
      const OciNamespace *ns = &l->namespaces[i];

      if (!in_list (ns->type, namespace_types, G_N_ELEMENTS (namespace_types)))
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "linux.namespaces[%zu].type: unknown namespace type \"%s\"", i, ns->type);
      for (j = 0; j < i; j++)
        if (strcmp (l->namespaces[j].type, ns->type) == 0)
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.namespaces[%zu].type: duplicate namespace \"%s\"",
                                  i, ns->type);
      if (ns->path != NULL)
        {
          g_autofree char *p = g_strdup_printf ("linux.namespaces[%zu].path", i);
          if (!check_absolute (p, ns->path, error))
            return FALSE;
        }
      if (strcmp (ns->type, "user") == 0)
        userns = ns;
    }
  if (userns != NULL && userns->path == NULL)
    {
      if (l->n_uid_mappings == 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "linux.uidMappings: missing (required for a new user namespace)");
      if (l->n_gid_mappings == 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "linux.gidMappings: missing (required for a new user namespace)");
    }
  if (userns == NULL && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.%s: set, but no user namespace is requested",
                            l->n_uid_mappings > 0 ? "uidMappings" : "gidMappings");

  for (i = 0; i < l->n_devices; i++)
    {
      g_autofree char *p = g_strdup_printf ("linux.devices[%zu].path", i);
      if (!check_absolute (p, l->devices[i].path, error))
        return FALSE;
    }
  if (!check_absolute_list ("linux.maskedPaths", l->masked_paths, error)
      || !check_absolute_list ("linux.readonlyPaths", l->readonly_paths, error))
    return FALSE;
  if (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0'
      && !in_list (l->rootfs_propagation, propagations, G_N_ELEMENTS (propagations)))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.rootfsPropagation: unknown propagation \"%s\"",
                            l->rootfs_propagation);
  return TRUE;
}

gboolean
oci_spec_validate (const OciSpec *spec, GError **error)
{
  gsize i;

  if (spec->root_path == NULL || spec->root_path[0] == '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "root.path: must not be empty");
  if (spec->process == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process: missing");
  if (!validate_process (spec->process, error))
    return FALSE;
  for (i = 0; i < spec->n_mounts; i++)
    {
      g_autofree char *p = g_strdup_printf ("mounts[%zu].destination", i);
      if (!check_absolute (p, spec->mounts[i].destination, error))
        return FALSE;
    }
  return validate_hooks ("prestart", spec->hooks.prestart, spec->hooks.n_prestart, error)
         && validate_hooks ("createRuntime", spec->hooks.create_runtime, spec->hooks.n_create_runtime, error)
         && validate_hooks ("createContainer", spec->hooks.create_container, spec->hooks.n_create_container, error)
         && validate_hooks ("startContainer", spec->hooks.start_container, spec->hooks.n_start_container, error)
         && validate_hooks ("poststart", spec->hooks.poststart, spec->hooks.n_poststart, error)
         && validate_hooks ("poststop", spec->hooks.poststop, spec->hooks.n_poststop, error)
         && validate_linux (spec->linux_cfg, error);
}
