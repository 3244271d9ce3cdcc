/* The containers of the sandbox, root and pod members alike (see sandbox.h). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-devices.h"
#include "container/userns-pool.h"
#include "container/userns.h"
#include "net/setup.h"
#include "oci/state.h"
#include "sentry/control.h"
#include "sentry/process-tree.h"
#include "sentry/sandbox.h"
#include "sentry/user-log.h"
#include "sentry/userns-own.h"

SandboxContainer *
sandbox_container_new (Sandbox *sb, gboolean root, const char *id, const char *bundle)
{
  SandboxContainer *c = g_new0 (SandboxContainer, 1);

  c->sb = sb;
  c->root = root;
  c->id = g_strdup (id);
  c->bundle = g_strdup (bundle);
  c->waiters = g_array_new (FALSE, FALSE, sizeof (int));
  c->init.pid = -1;
  c->init.notify_fd = -1;
  c->init.sync_fd = -1;
  return c;
}

void
sandbox_container_free (SandboxContainer *c)
{
  guint i;

  for (i = 0; i < c->waiters->len; i++)
    close (g_array_index (c->waiters, int, i));
  g_array_unref (c->waiters);
  if (c->init.sync_fd >= 0)
    close (c->init.sync_fd);
  cgroup_oom_watch_stop (c->oom);
  g_clear_pointer (&c->cgroup, cgroup_handle_free);
  g_clear_pointer (&c->spec, oci_spec_free);
  cgroup_devices_unregister (c->id);
  g_free (c->id);
  g_free (c->bundle);
  g_free (c->rootfs);
  g_free (c);
}

SandboxContainer *
sandbox_find (Sandbox *sb, const char *id)
{
  guint i;

  for (i = 0; sb->containers != NULL && i < sb->containers->len; i++)
    {
      SandboxContainer *c = sb->containers->pdata[i];
      if (strcmp (c->id, id) == 0)
        return c;
    }
  return NULL;
}

void
sandbox_add (Sandbox *sb, SandboxContainer *c)
{
  if (sb->containers == NULL)
    sb->containers = g_ptr_array_new ();
  g_ptr_array_add (sb->containers, c);
}

void
sandbox_remove (Sandbox *sb, SandboxContainer *c)
{
  g_ptr_array_remove (sb->containers, c);
  sandbox_container_free (c);
}

char *
sandbox_container_hook_state (pid_t init_pid, const char *status, void *user_data)
{
  SandboxContainer *c = user_data;
  return state_hook_json (c->id, status, init_pid, c->bundle, c->spec->annotations);
}

/* With a small pids.limit the notification threads get the room first, the optional OOM watcher what is left. */
gboolean
sandbox_container_serve (int notify_fd, pid_t init_pid, void *user_data, GError **error)
{
  SandboxContainer *c = user_data;
  return sentry_kernel_serve (c->sb->kernel, notify_fd, init_pid, c->id, error);
}

/* An OOM kill in the container's memory cgroup: the sandbox kernel logs it, as Linux does. */
static void
on_oom (guint64 oom_kills, void *user_data)
{
  SandboxContainer *c = user_data;
  guint64 limit = cgroup_memory_limit (c->cgroup);

  sentry_kernel_log (c->sb->kernel,
                     "Memory cgroup out of memory: Killed process in container %s (limit %" G_GUINT64_FORMAT
                     " kB, oom_kill %" G_GUINT64_FORMAT ")",
                     c->id, limit / 1024, oom_kills);
  user_log_info ("container %s: out of memory: the memory cgroup's limit (%" G_GUINT64_FORMAT " kB) killed a process "
                 "(%" G_GUINT64_FORMAT " OOM kills so far)",
                 c->id, limit / 1024, oom_kills);
}

void
sandbox_container_watch_oom (SandboxContainer *c)
{
  g_autoptr (GError) local = NULL;

  if (c->cgroup == NULL)
    return;
  c->oom = cgroup_oom_watch_start (c->cgroup, on_oom, c, &local);
  if (c->oom == NULL)
    log_warning ("container %s: OOM kills will not be logged: %s", c->id, local->message);
}

/* The host id that container id 0 maps to (0 without a mapping for it). */
static guint32
host_root_id (const OciIdMapping *maps, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (maps[i].container_id == 0 && maps[i].size > 0)
      return maps[i].host_id;
  return 0;
}

void
sandbox_vfs_owner (const OciSpec *spec, uid_t *uid, gid_t *gid)
{
  const OciLinux *l = spec->linux_cfg;
  gboolean userns = FALSE;

  for (gsize i = 0; l != NULL && i < l->n_namespaces; i++)
    userns |= strcmp (l->namespaces[i].type, "user") == 0;
  *uid = userns ? host_root_id (l->uid_mappings, l->n_uid_mappings) : 0;
  *gid = userns ? host_root_id (l->gid_mappings, l->n_gid_mappings) : 0;
}

void
sandbox_container_answer_waiters (SandboxContainer *c)
{
  g_autoptr (JsonObject) result = json_object_new ();
  guint i;

  json_object_set_int_member (result, "exit_status", c->exit_status);
  for (i = 0; i < c->waiters->len; i++)
    {
      int conn = g_array_index (c->waiters, int, i);
      control_reply_ok (conn, result);
      close (conn);
    }
  g_array_set_size (c->waiters, 0);
}

/* A member's state directory (a sibling of the sandbox's) keeps its status for runsc wait after the sandbox. */
static void
member_exited (SandboxContainer *c, int code)
{
  g_autofree char *root = g_path_get_dirname (c->sb->args->state_dir);
  g_autofree char *path = g_build_filename (root, c->id, STATE_EXIT_FILE, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", code);
  g_autoptr (GError) error = NULL;

  if (!runsc_write_file_atomic (path, text, -1, 0644, &error))
    log_debug ("%s", error->message);
  if (c->init.sync_fd >= 0)
    {
      close (c->init.sync_fd);
      c->init.sync_fd = -1;
    }
  sandbox_container_answer_waiters (c);
}

void
sandbox_container_exited (SandboxContainer *c, int code)
{
  c->exited = TRUE;
  c->exit_status = code;
  if (c->root)
    {
      cgroup_oom_watch_check (c->oom); /* an OOM kill is reported before the exit it caused */
      user_log_info ("container %s: exited with status %d (init pid %d)", c->id, code, (int) c->init.pid);
      return;
    }
  /* An OOM kill is reported before the exit it caused; the watch has nothing left to do. */
  cgroup_oom_watch_stop (c->oom);
  c->oom = NULL;
  user_log_info ("container %s: exited with status %d (init pid %d)", c->id, code, (int) c->init.pid);
  member_exited (c, code);
}

/* Freeze or thaw a member's own cgroup (nothing to do without one: its processes are in the sandbox's). */
static gboolean
member_freeze (SandboxContainer *c, gboolean freeze, GError **error)
{
  if (c->cgroup == NULL || c->exited || c->paused == freeze)
    return TRUE;
  if (!cgroup_freeze (c->cgroup, freeze, error))
    return FALSE;
  c->paused = freeze;
  return TRUE;
}

/* Pause or resume the whole sandbox: the root container's cgroup and the pod members' own ones (a member paused on
 * its own is resumed with the sandbox). All or nothing. */
static gboolean
sandbox_freeze (Sandbox *sb, gboolean freeze, GError **error)
{
  g_autoptr (GError) local = NULL;
  guint i, done;

  for (done = 1; done < sb->containers->len; done++)
    if (!member_freeze (sb->containers->pdata[done], freeze, error))
      goto undo;
  if (cgroup_freeze (sb->root->cgroup, freeze, error))
    {
      sb->root->paused = freeze;
      return TRUE;
    }
undo:
  for (i = 1; i < done; i++)
    if (!member_freeze (sb->containers->pdata[i], !freeze, &local))
      {
        log_warning ("%s", local->message);
        g_clear_error (&local);
      }
  return FALSE;
}

gboolean
sandbox_container_freeze (SandboxContainer *c, gboolean freeze, GError **error)
{
  return c->root ? sandbox_freeze (c->sb, freeze, error) : member_freeze (c, freeze, error);
}

const char *
sandbox_container_status (SandboxContainer *c)
{
  if (c->exited)
    return "stopped";
  if (c->paused || c->sb->root->paused)
    return "paused";
  return c->started ? "running" : "created";
}

GArray *
sandbox_container_pids (SandboxContainer *c)
{
  GArray *pids;

  if (c->exited)
    return g_array_new (FALSE, FALSE, sizeof (int));
  pids = sentry_ptree_container_pids (c->init.pid);
  sentry_execs_add_pids (c->sb->execs, c->id, pids); /* runsc exec'd ones outside the init's tree */
  return pids;
}

void
sandbox_exec_target (SandboxContainer *c, SentryExecTarget *t)
{
  Sandbox *sb = c->sb;

  memset (t, 0, sizeof *t);
  t->kernel = sb->kernel;
  t->net_raw = sb->args->options.net_raw;
  t->id = c->id;
  t->spec = c->spec;
  t->init_pid = c->init.pid;
  t->exited = c->exited || !c->spawned;
  t->cgroup = c->cgroup != NULL ? c->cgroup : sb->root->cgroup;
  t->paused = sb->root->paused || c->paused;
}

/* A member's init: out of the Sentry's cgroup (which it was forked in), into its own, or else into the one that
 * pausing the sandbox freezes (the Sentry is not in it), before it runs anything. */
static gboolean
member_prepare (pid_t init_pid, void *user_data, GError **error)
{
  SandboxContainer *c = user_data;
  CgroupHandle *sandbox_cgroup = c->sb->root->cgroup;

  if (c->cgroup != NULL)
    return cgroup_enter_process (c->cgroup, init_pid, error);
  return sandbox_cgroup == NULL || cgroup_enter_container (sandbox_cgroup, init_pid, error);
}

/* A pod member's spec names the pod's namespaces as /proc/<pod pid>/ns/..., and the pod's pid is the Sentry's.
 * The network, IPC and UTS namespaces are the Sentry's own, but its pid, mount, user, cgroup and time namespaces
 * are the host's: those must be the root container's (its init's), never the Sentry's. */
static void
redirect_sandbox_namespaces (Sandbox *sb, OciSpec *spec)
{
  /* The Sentry's pid, also in its spawner (which runs this too). */
  g_autofree char *prefix = g_strdup_printf ("/proc/%d/ns/", (int) sb->sentry_pid);
  gsize i;

  for (i = 0; i < spec->linux_cfg->n_namespaces; i++)
    {
      OciNamespace *ns = &spec->linux_cfg->namespaces[i];
      if (ns->path == NULL || !g_str_has_prefix (ns->path, prefix) || strcmp (ns->type, "network") == 0
          || strcmp (ns->type, "ipc") == 0 || strcmp (ns->type, "uts") == 0)
        continue;
      {
        char *path = g_strdup_printf ("/proc/%d/ns/%s", (int) sb->root->init.pid, ns->path + strlen (prefix));
        log_info ("container namespace %s: %s is the sandbox's root container's, %s", ns->type, ns->path, path);
        g_free (ns->path);
        ns->path = path;
      }
    }
}

SandboxContainer *
sandbox_member_load (Sandbox *sb, JsonObject *req, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  const char *bundle = json_object_get_string_member_with_default (req, "bundle", "");
  const char *config = json_object_get_string_member_with_default (req, "config", "");
  SandboxContainer *c = sandbox_container_new (sb, FALSE, id, bundle);

  c->spec = oci_spec_load_file (config, error);
  if (c->spec == NULL)
    goto fail;
  net_apply_raw (c->spec, sb->args->options.net_raw);
  /* The sandbox's user namespace, unless the container brings its own. */
  c->idmap = userns_apply_to_spec (c->spec, sb->userns_fd, sb->args->userns_base, USERNS_RANGE_SIZE);
  redirect_sandbox_namespaces (sb, c->spec);
  /* The sandbox's filter lets privileged calls through when its root container has a user namespace of its
   * own (runsc(8), PRIVILEGED CONTAINERS): a member in the host's would get them with the host's privileges. */
  if (sentry_kernel_own_userns (sb->kernel) && !sentry_spec_own_userns (c->spec))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "container %s: linux.namespaces: no user namespace of its own, but its sandbox's root "
                       "container has one (a sandbox's containers all have one, or none)",
                       id);
      goto fail;
    }
  c->rootfs = oci_spec_rootfs (c->spec, bundle);
  if (!cgroup_devices_register (c->id, c->spec->linux_cfg != NULL ? c->spec->linux_cfg->resources : NULL, error))
    goto fail;
  /* The cgroup runsc create made for it, recorded in its state directory (a sibling of the sandbox's). */
  {
    g_autofree char *root = g_path_get_dirname (sb->args->state_dir);
    g_autofree char *dir = g_build_filename (root, id, NULL);
    g_autoptr (GError) local = NULL;
    c->cgroup = cgroup_handle_load (dir, &local);
    if (c->cgroup == NULL)
      log_debug ("container %s: no cgroup of its own: %s", id, local->message);
  }
  return c;

fail:
  sandbox_container_free (c);
  return NULL;
}

gboolean
sandbox_member_spawn (SandboxContainer *c, const int *fds, int console_socket, int vfs_mount_fd,
                      gboolean (*on_listener) (int, pid_t, void *, GError **), GError **error)
{
  Sandbox *sb = c->sb;
  ContainerSpawnArgs spawn = { 0 };
  sigset_t handled;
  gboolean ok;

  spawn.spec = c->spec;
  spawn.id = c->id;
  spawn.bundle = c->bundle;
  spawn.rootfs = c->rootfs;
  spawn.console_socket = console_socket;
  spawn.stdio[0] = fds[0];
  spawn.stdio[1] = fds[1];
  spawn.stdio[2] = fds[2];
  spawn.rootfs_overlay = sb->args->rootfs_overlay;
  spawn.sandbox_filter = sentry_kernel_filter (sb->kernel);
  spawn.hook_state = sandbox_container_hook_state;
  spawn.prepare = member_prepare;
  spawn.on_listener = on_listener;
  spawn.user_data = c;
  spawn.vfs_mount_fd = vfs_mount_fd;
  spawn.vfs_files = sentry_vfs_files (&spawn.n_vfs_files);
  spawn.idmap = c->idmap;
  spawn.idmap_userns_fd = sb->userns_fd;

  sandbox_handled_sigset (&handled);
  sigprocmask (SIG_UNBLOCK, &handled, NULL);
  ok = container_spawn (&spawn, &c->init, error);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  return ok;
}

/* Before the Sentry is confined: it mounts the member's FUSE filesystem and forks the init itself. */
static gboolean
member_create_here (SandboxContainer *c, int *fds, gboolean console, uid_t uid, gid_t gid, GError **error)
{
  int mnt = sentry_vfs_mount (c->sb->vfs, fds[3], uid, gid, error);

  fds[3] = -1;
  if (mnt < 0)
    return runsc_error_prefix (error, "serve the sandbox kernel's files");
  return sandbox_member_spawn (c, fds, console ? fds[4] : -1, mnt, sandbox_container_serve, error);
}

/* Confined: the spawner mounts the member's FUSE filesystem, the Sentry serves it, the spawner forks the init (the
 * Sentry's child) and hands its listener here (spawner.h). */
static gboolean
member_create_by_spawner (SandboxContainer *c, JsonObject *req, int *fds, gboolean console, uid_t uid, gid_t gid,
                          GError **error)
{
  Sandbox *sb = c->sb;
  g_autoptr (JsonObject) mreq = json_object_new ();
  autofd int mnt = -1;
  pid_t none;
  int sfds[5];
  gboolean ok;

  json_object_set_int_member (mreq, "uid", uid);
  json_object_set_int_member (mreq, "gid", gid);
  if (!sentry_spawner_call (sb->spawner, "fsmount", mreq, &fds[3], 1, NULL, NULL, &none, &mnt, error) || mnt < 0)
    {
      if (error != NULL && *error == NULL)
        runsc_error_set (error, RUNSC_ERROR_FAILED, "no mount came back");
      return runsc_error_prefix (error, "serve the sandbox kernel's files");
    }
  ok = sentry_vfs_serve (sb->vfs, fds[3], uid, gid, error);
  fds[3] = -1;
  if (!ok)
    return runsc_error_prefix (error, "serve the sandbox kernel's files");
  sfds[0] = fds[0];
  sfds[1] = fds[1];
  sfds[2] = fds[2];
  sfds[3] = mnt;
  sfds[4] = console ? fds[4] : -1;
  /* The spawner knows the root container's init from set-up (confine_sentry), the spec file from the id
   * (spawner-policy.h). */
  return sentry_spawner_call (sb->spawner, "sub", req, sfds, console ? 5 : 4, sandbox_container_serve, c, &c->init.pid,
                              &c->init.sync_fd, error);
}

gboolean
sandbox_member_create (Sandbox *sb, JsonObject *req, int *fds, pid_t *init_pid, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  gboolean console = json_object_get_boolean_member_with_default (req, "console", FALSE);
  SandboxContainer *c;
  uid_t uid;
  gid_t gid;
  gboolean ok;
  int i;

  if (!state_validate_id (id, error))
    return FALSE;
  if (sandbox_find (sb, id) != NULL)
    return runsc_error_set (error, RUNSC_ERROR_EXISTS, "container with id %s already exists", id);
  if (sb->root->exited)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "the sandbox's root container has stopped");
  for (i = 0; i < 4; i++)
    if (fds[i] < 0)
      return runsc_error_set (error, RUNSC_ERROR_INVALID,
                              "create-subcontainer: stdio or /dev/fuse descriptors missing");

  c = sandbox_member_load (sb, req, error);
  if (c == NULL)
    return FALSE;
  sandbox_vfs_owner (c->spec, &uid, &gid);
  if (sb->spawner == NULL)
    ok = member_create_here (c, fds, console, uid, gid, error);
  else
    ok = member_create_by_spawner (c, req, fds, console, uid, gid, error);
  if (!ok)
    {
      sandbox_container_free (c);
      return FALSE;
    }
  c->spawned = TRUE;
  sandbox_container_watch_oom (c);
  sandbox_add (sb, c);
  *init_pid = c->init.pid;
  user_log_info ("container %s: created in sandbox %s (init pid %d)", id, sb->args->id, (int) c->init.pid);
  return TRUE;
}
