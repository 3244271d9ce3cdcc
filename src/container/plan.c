/* The container plan: everything the init needs, computed in the parent. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "container/capabilities.h"
#include "container/cgroup-join.h"
#include "container/devices.h"
#include "container/hooks.h"
#include "container/idmap.h"
#include "container/mounts.h"
#include "container/namespaces.h"
#include "container/plan.h"
#include "container/process.h"
#include "container/rootfs-layers.h"
#include "container/seccomp-oci.h"
#include "container/userdb.h"
#include "sentry/syscall-table.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char *
container_plan_str (ContainerPlan *plan, char *owned)
{
  g_ptr_array_add (plan->strings, owned);
  return owned;
}

char **
container_plan_strv (ContainerPlan *plan, char **owned)
{
  g_ptr_array_add (plan->vectors, owned);
  return owned;
}

gpointer
container_plan_block (ContainerPlan *plan, gpointer owned)
{
  g_ptr_array_add (plan->blocks, owned);
  return owned;
}

void
container_plan_free (ContainerPlan *plan)
{
  if (plan == NULL)
    return;
  /* The descriptors first: mount_idmap_fds is one of the blocks. Read after the blocks were freed, it held the
   * allocator's bookkeeping, and its entries closed whatever descriptors of the Sentry had those numbers (its
   * signalfd: the init it no longer reaped kept StopPodSandbox waiting). */
  for (int i = 0; i < plan->n_cgroup_fds; i++)
    close (plan->cgroup_fds[i]);
  if (plan->vfs_fd >= 0)
    close (plan->vfs_fd);
  if (plan->root_idmap_fd >= 0)
    close (plan->root_idmap_fd);
  for (gsize i = 0; plan->mount_idmap_fds != NULL && i < plan->n_mounts; i++)
    if (plan->mount_idmap_fds[i] >= 0)
      close (plan->mount_idmap_fds[i]);
  for (gsize i = 0; plan->devices != NULL && i < plan->n_devices; i++)
    if (plan->devices[i].node_fd >= 0)
      close (plan->devices[i].node_fd);
  g_ptr_array_unref (plan->strings);
  g_ptr_array_unref (plan->vectors);
  g_ptr_array_unref (plan->blocks);
  g_free (plan->oci_filter.filter);
  g_free (plan);
}

/* The numbers of the calls the Sentry answers itself (its emulated rows): the OCI profile leaves those it does
 * not name to the Sentry (seccomp-oci.h). Only when the sandbox filter goes in after the profile: without it
 * nothing would hand them to the Sentry, and they would reach the host kernel. */
static gsize
sandbox_answered (int *nrs, gsize max)
{
  gsize n = 0;
  for (gsize i = 0; i < sentry_syscall_table_len && n < max; i++)
    if (sentry_syscall_disposition (&sentry_syscall_table[i]) == SENTRY_EMULATED)
      nrs[n++] = sentry_syscall_table[i].nr;
  return n;
}

/* The process, its capabilities, stdio, console and filters: shared by spawn and exec. */
static gboolean
plan_process (ContainerPlan *plan, const OciSpec *spec, const OciProcess *process, int console_socket,
              const int stdio[3], const struct sock_fprog *sandbox_filter, GError **error)
{
  const OciLinux *l = spec->linux_cfg;

  if (!process_plan (plan, process, error))
    return FALSE;
  if (!capabilities_plan (plan, process->capabilities, error))
    return FALSE;
  plan->console_socket = console_socket;
  for (int i = 0; i < 3; i++)
    plan->stdio[i] = stdio[i];
  if (plan->terminal && console_socket < 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.terminal is set: a console socket is required");
  if (l != NULL && l->seccomp != NULL)
    {
      int answered[512]; /* one per syscall number the table can hold */
      gsize n_answered = sandbox_filter != NULL ? sandbox_answered (answered, G_N_ELEMENTS (answered)) : 0;
      if (!seccomp_oci_compile (l->seccomp, n_answered > 0 ? answered : NULL, n_answered, &plan->oci_filter,
                                &plan->oci_filter_flags, error))
        return FALSE;
    }
  plan->sandbox_filter = sandbox_filter;
  return TRUE;
}

/* runc's HOME: when process.env has none, the home directory of the process's uid in the container's own
 * /etc/passwd under root (read inside it, never the host's NSS), or "/" without an entry. */
static void
plan_home (ContainerPlan *plan, const char *root)
{
  g_autofree char *home = NULL;
  char **env;
  gsize n = 0;

  for (char **e = plan->envp; *e != NULL; e++, n++)
    if (g_str_has_prefix (*e, "HOME="))
      return;
  home = userdb_home (root, plan->uid);
  env = g_new0 (char *, n + 2);
  for (gsize i = 0; i < n; i++)
    env[i] = g_strdup (plan->envp[i]);
  env[n] = g_strconcat ("HOME=", home, NULL);
  plan->envp = container_plan_strv (plan, env);
}

ContainerPlan *
container_plan_alloc (void)
{
  ContainerPlan *plan = g_new0 (ContainerPlan, 1);

  plan->strings = g_ptr_array_new_with_free_func (g_free);
  plan->vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  plan->blocks = g_ptr_array_new_with_free_func (g_free);
  plan->sync_fd = -1;
  plan->sentry_pidfd = -1;
  plan->n_cgroup_fds = 0;
  plan->vfs_fd = -1;
  plan->root_idmap_fd = -1;
  return plan;
}

static const char *const spawn_ns_types[NS_N_SPAWN] = { "user", "mount", "pid", "cgroup", "time" };

/* Is path the namespace of that type this process is in? (type as in the spec: /proc/self/ns names mount "mnt") */
static gboolean
namespace_is_own (const char *path, const char *type)
{
  g_autofree char *mine = g_strdup_printf ("/proc/self/ns/%s", strcmp (type, "mount") == 0 ? "mnt" : type);
  struct stat a, b;

  return stat (path, &a) == 0 && stat (mine, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

ContainerPlan *
container_plan_new (const ContainerSpawnArgs *args, GError **error)
{
  g_autoptr (ContainerPlan) plan = container_plan_alloc ();
  const OciSpec *spec = args->spec;
  const OciLinux *l = spec->linux_cfg;

  /* The plan owns the descriptor whatever happens next. */
  plan->vfs_fd = args->n_vfs_files > 0 ? args->vfs_mount_fd : -1;
  plan->vfs_files = args->vfs_files;
  plan->n_vfs_files = args->n_vfs_files;

  if (spec->process == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "the spec has no process");
      return NULL;
    }
  if (args->rootfs == NULL || args->rootfs[0] != '/')
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "root %s: not an absolute path",
                       args->rootfs != NULL ? args->rootfs : "(null)");
      return NULL;
    }

  for (int i = 0; i < NS_N_SPAWN; i++)
    {
      const OciNamespace *ns = namespace_find (spec, spawn_ns_types[i]);
      plan->ns[i].clone_flag = namespace_clone_flag (spawn_ns_types[i]);
      if (ns == NULL)
        continue;
      plan->ns[i].wanted = true;
      plan->ns[i].path = ns->path != NULL && ns->path[0] != '\0' ? ns->path : NULL;
      /* A pid, cgroup or time namespace named by path that is the one this process (the init's parent) is in
       * already: the init stays in it. Joining it by setns would need CAP_SYS_ADMIN over its owner, which the
       * init, in the sandbox's user namespace, lacks when the host owns it (a Kubernetes hostPID pod's members
       * are given the pod's pid namespace, the host's, by path). */
      if (plan->ns[i].path != NULL && (i == NS_PID || i == NS_CGROUP || i == NS_TIME)
          && namespace_is_own (plan->ns[i].path, spawn_ns_types[i]))
        {
          plan->ns[i].wanted = false;
          plan->ns[i].path = NULL;
        }
    }
  if (!plan->ns[NS_MNT].wanted)
    {
      /* Building a root needs a mount namespace of its own. runc runs such a container in the host's mount
       * namespace and root filesystem (when no maskedPaths or readonlyPaths need one); a sandbox cannot. */
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "linux.namespaces: no mount namespace: the container needs one of its own (its root "
                       "filesystem and the sandbox kernel's files are mounted there; without one it would see "
                       "and change the host's)");
      return NULL;
    }
  if (plan->ns[NS_MNT].path != NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "linux.namespaces: joining an existing mount namespace (%s) is not supported: the "
                       "container's root, mounts and the sandbox kernel's files are set up in a mount namespace "
                       "of its own",
                       plan->ns[NS_MNT].path);
      return NULL;
    }
  plan->userns = plan->ns[NS_USER].wanted;
  if (plan->ns[NS_USER].wanted && plan->ns[NS_USER].path == NULL && (l->n_uid_mappings == 0 || l->n_gid_mappings == 0))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "linux.uidMappings and linux.gidMappings are required for a new user namespace");
      return NULL;
    }

  if (args->idmap && plan->ns[NS_USER].path != NULL)
    {
      plan->userns_nested = true;
      if (!idmap_host_id (l->uid_mappings, l->n_uid_mappings, 0, &plan->root_host_uid)
          || !idmap_host_id (l->gid_mappings, l->n_gid_mappings, 0, &plan->root_host_gid))
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.uidMappings, linux.gidMappings: root is not mapped");
          return NULL;
        }
    }

  plan->rootfs = args->rootfs;
  plan->root_readonly = spec->root_readonly;
  plan->rootfs_overlay = args->rootfs_overlay;
  /* In the sandbox's user namespace the layers are idmapped instead (idmap.c). */
  if (plan->rootfs_overlay && !plan->root_readonly && !args->idmap)
    plan->rootfs_layers = container_plan_strv (plan, rootfs_overlay_layers (plan->rootfs, "/proc/self/mountinfo"));
  plan->host_propagation = MS_SLAVE;
  if (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0')
    {
      unsigned long prop;
      if (!mounts_parse_propagation (l->rootfs_propagation, &prop))
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.rootfsPropagation: unknown value %s",
                           l->rootfs_propagation);
          return NULL;
        }
      if (prop & MS_PRIVATE)
        plan->host_propagation = MS_PRIVATE;
      plan->rootfs_propagation = prop;
    }
  if (!mounts_plan (plan, spec, args->bundle != NULL ? args->bundle : "/", error))
    return NULL;
  if (!devices_plan (plan, spec, error))
    return NULL;
  if (args->idmap && !idmap_plan (plan, args->idmap_userns_fd, error))
    return NULL;
  if (args->idmap && !devices_make_nodes (plan, spec, args->idmap_userns_fd, error))
    return NULL;
  plan->masked_paths = l->masked_paths;
  plan->readonly_paths = l->readonly_paths;

  if (args->cgroup != NULL)
    {
      g_autoptr (GError) local = NULL;
      int fd = cgroup_open_enter_fd (args->cgroup, &local);
      if (fd >= 0)
        plan->cgroup_fds[plan->n_cgroup_fds++] = fd;
      if (local == NULL && (fd = cgroup_open_memory_fd (args->cgroup, &local)) >= 0)
        plan->cgroup_fds[plan->n_cgroup_fds++] = fd;
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  if (!plan_process (plan, spec, spec->process, args->console_socket, args->stdio, args->sandbox_filter, error))
    return NULL;
  plan_home (plan, plan->rootfs);

  plan->create_container_hooks = hooks_plan (plan, spec->hooks.create_container, spec->hooks.n_create_container);
  plan->n_create_container_hooks = spec->hooks.n_create_container;
  plan->start_container_hooks = hooks_plan (plan, spec->hooks.start_container, spec->hooks.n_start_container);
  plan->n_start_container_hooks = spec->hooks.n_start_container;
  return g_steal_pointer (&plan);
}

/* Is /proc/PID/ns/TYPE another namespace than ours? */
static gboolean
namespace_differs (pid_t pid, const char *type, char **path, GError **error)
{
  g_autofree char *mine = g_strdup_printf ("/proc/self/ns/%s", type);
  struct stat a, b;

  *path = g_strdup_printf ("/proc/%d/ns/%s", (int) pid, type);
  if (stat (*path, &a) < 0)
    return runsc_error_errno (error, errno, "stat %s", *path);
  if (stat (mine, &b) < 0)
    return runsc_error_errno (error, errno, "stat %s", mine);
  return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

ContainerPlan *
container_plan_new_exec (const ContainerExecArgs *args, GError **error)
{
  g_autoptr (ContainerPlan) plan = container_plan_alloc ();
  static const char *const proc_names[NS_N_SPAWN] = { "user", "mnt", "pid", "cgroup", "time" };

  plan->exec_mode = true;
  if (args->process == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: no process given");
      return NULL;
    }
  if (args->init_pid <= 0)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: no container init to join");
      return NULL;
    }
  for (int i = 0; i < NS_N_SPAWN; i++)
    {
      char *path = NULL;
      GError *local = NULL;
      gboolean differs = namespace_differs (args->init_pid, proc_names[i], &path, &local);

      container_plan_str (plan, path);
      plan->ns[i].clone_flag = namespace_clone_flag (spawn_ns_types[i]);
      if (local != NULL)
        {
          /* A kernel without time namespaces has no /proc/PID/ns/time: nothing to join. */
          if (i == NS_TIME && g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
            {
              g_error_free (local);
              continue;
            }
          g_propagate_error (error, local);
          runsc_error_prefix (error, "exec: the container's init %d", (int) args->init_pid);
          return NULL;
        }
      if (!differs)
        continue;
      plan->ns[i].wanted = true;
      plan->ns[i].path = path;
    }
  plan->userns = plan->ns[NS_USER].wanted;
  if (!plan_process (plan, args->spec, args->process, args->console_socket, args->stdio, args->sandbox_filter,
                     error))
    return NULL;
  {
    g_autofree char *root = g_strdup_printf ("/proc/%d/root", (int) args->init_pid);
    plan_home (plan, root);
  }
  if (args->n_preserve_fds > 0)
    {
      plan->preserve_fds = container_plan_block (plan, g_memdup2 (args->preserve_fds,
                                                                  args->n_preserve_fds * sizeof (int)));
      plan->n_preserve_fds = args->n_preserve_fds;
    }
  return g_steal_pointer (&plan);
}
