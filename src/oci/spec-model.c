/* The OCI spec model (spec.h): freeing it, and the lookups and edits the runtime makes on it. */
#include "config.h"

#include <string.h>

#include "common/host-fs.h"
#include "oci/spec.h"

/* ---- freeing ---------------------------------------------------------------------------------------------- */

static void
hooks_free (OciHook *hooks, gsize n)
{
  gsize i;

  for (i = 0; hooks != NULL && i < n; i++)
    {
      g_free (hooks[i].path);
      g_strfreev (hooks[i].args);
      g_strfreev (hooks[i].env);
    }
  g_free (hooks);
}

static void
capabilities_free (OciCapabilities *caps)
{
  if (caps == NULL)
    return;
  g_strfreev (caps->bounding);
  g_strfreev (caps->effective);
  g_strfreev (caps->inheritable);
  g_strfreev (caps->permitted);
  g_strfreev (caps->ambient);
  g_free (caps);
}

static void
process_free (OciProcess *p)
{
  gsize i;

  if (p == NULL)
    return;
  g_free (p->additional_gids);
  g_strfreev (p->args);
  g_strfreev (p->env);
  g_free (p->cwd);
  capabilities_free (p->capabilities);
  for (i = 0; p->rlimits != NULL && i < p->n_rlimits; i++)
    g_free (p->rlimits[i].type);
  g_free (p->rlimits);
  g_free (p->apparmor_profile);
  g_free (p->selinux_label);
  g_free (p);
}

static void
resources_free (OciResources *r)
{
  gsize i;

  if (r == NULL)
    return;
  g_free (r->cpu_cpus);
  g_free (r->cpu_mems);
  for (i = 0; r->devices != NULL && i < r->n_devices; i++)
    g_free (r->devices[i].access);
  g_free (r->devices);
  for (i = 0; r->hugepage_limits != NULL && i < r->n_hugepage_limits; i++)
    g_free (r->hugepage_limits[i].page_size);
  g_free (r->hugepage_limits);
  if (r->unified != NULL)
    g_hash_table_unref (r->unified);
  g_free (r);
}

static void
seccomp_free (OciSeccomp *s)
{
  gsize i, j;

  if (s == NULL)
    return;
  g_free (s->default_action);
  g_strfreev (s->architectures);
  g_strfreev (s->flags);
  g_free (s->listener_path);
  for (i = 0; s->syscalls != NULL && i < s->n_syscalls; i++)
    {
      OciSeccompSyscall *sc = &s->syscalls[i];
      g_strfreev (sc->names);
      g_free (sc->action);
      for (j = 0; sc->args != NULL && j < sc->n_args; j++)
        g_free (sc->args[j].op);
      g_free (sc->args);
    }
  g_free (s->syscalls);
  g_free (s);
}

static void
linux_free (OciLinux *l)
{
  gsize i;

  if (l == NULL)
    return;
  for (i = 0; l->namespaces != NULL && i < l->n_namespaces; i++)
    {
      g_free (l->namespaces[i].type);
      g_free (l->namespaces[i].path);
    }
  g_free (l->namespaces);
  g_free (l->uid_mappings);
  g_free (l->gid_mappings);
  if (l->sysctl != NULL)
    g_hash_table_unref (l->sysctl);
  resources_free (l->resources);
  g_free (l->cgroups_path);
  for (i = 0; l->devices != NULL && i < l->n_devices; i++)
    g_free (l->devices[i].path);
  g_free (l->devices);
  g_strfreev (l->masked_paths);
  g_strfreev (l->readonly_paths);
  g_free (l->rootfs_propagation);
  g_free (l->mount_label);
  seccomp_free (l->seccomp);
  g_free (l);
}

void
oci_spec_free (OciSpec *spec)
{
  gsize i;

  if (spec == NULL)
    return;
  g_free (spec->oci_version);
  process_free (spec->process);
  g_free (spec->root_path);
  g_free (spec->hostname);
  g_free (spec->domainname);
  for (i = 0; spec->mounts != NULL && i < spec->n_mounts; i++)
    {
      g_free (spec->mounts[i].destination);
      g_free (spec->mounts[i].type);
      g_free (spec->mounts[i].source);
      g_strfreev (spec->mounts[i].options);
    }
  g_free (spec->mounts);
  hooks_free (spec->hooks.prestart, spec->hooks.n_prestart);
  hooks_free (spec->hooks.create_runtime, spec->hooks.n_create_runtime);
  hooks_free (spec->hooks.create_container, spec->hooks.n_create_container);
  hooks_free (spec->hooks.start_container, spec->hooks.n_start_container);
  hooks_free (spec->hooks.poststart, spec->hooks.n_poststart);
  hooks_free (spec->hooks.poststop, spec->hooks.n_poststop);
  if (spec->annotations != NULL)
    g_hash_table_unref (spec->annotations);
  linux_free (spec->linux_cfg);
  if (spec->json != NULL)
    json_node_unref (spec->json);
  g_free (spec);
}

/* ---- lookups ---------------------------------------------------------------------------------------------- */

char *
oci_spec_rootfs (const OciSpec *spec, const char *bundle)
{
  g_autofree char *abs_bundle = NULL;
  g_autofree char *lexical = NULL;
  char *real;

  /* The bundle itself may be relative (runsc's --bundle defaults to the current directory). */
  abs_bundle = g_canonicalize_filename (bundle != NULL && bundle[0] != '\0' ? bundle : ".", NULL);
  lexical = g_canonicalize_filename (spec->root_path, abs_bundle);
  /* Symlinks resolved when the directory exists (runc refuses a symlinked rootfs path; resolving gives the
   * directory the container will really see); otherwise the lexically clean path. Not in a process that reaches
   * the host only through held directories (common/host-fs.h: the confined Sentry, which never uses it). */
  real = runsc_host_fs_active () ? NULL : realpath (lexical, NULL);
  if (real != NULL)
    {
      char *r = g_strdup (real);
      free (real);
      return r;
    }
  return g_steal_pointer (&lexical);
}

const OciNamespace *
oci_spec_namespace (const OciSpec *spec, const char *type)
{
  gsize i;

  for (i = 0; i < spec->linux_cfg->n_namespaces; i++)
    if (g_strcmp0 (spec->linux_cfg->namespaces[i].type, type) == 0)
      return &spec->linux_cfg->namespaces[i];
  return NULL;
}

const char *
oci_spec_annotation (const OciSpec *spec, const char *key)
{
  return g_hash_table_lookup (spec->annotations, key);
}

void
oci_resources_free (OciResources *r)
{
  resources_free (r);
}

static void
strv_remove_name (char **set, const char *name)
{
  gsize i, j;

  if (set == NULL)
    return;
  for (i = 0, j = 0; set[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (set[i], name) == 0)
        g_free (set[i]);
      else
        set[j++] = set[i];
    }
  set[j] = NULL;
}

void
oci_capabilities_drop (OciCapabilities *caps, const char *name)
{
  if (caps == NULL)
    return;
  strv_remove_name (caps->bounding, name);
  strv_remove_name (caps->effective, name);
  strv_remove_name (caps->inheritable, name);
  strv_remove_name (caps->permitted, name);
  strv_remove_name (caps->ambient, name);
}
