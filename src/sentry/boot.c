/* The sandbox process: boot the Sentry, spawn the root container, then supervise it (see boot.h; the sandbox's
 * model and the other concerns of the Sentry process: sandbox.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-devices.h"
#include "container/userns-pool.h"
#include "container/userns.h"
#include "net/setup.h"
#include "oci/state.h"
#include "sentry/confine.h"
#include "sentry/sandbox.h"
#include "sentry/spawner-policy.h"
#include "sentry/test-hook.h"
#include "sentry/user-log.h"

/* FALSE when runsc create is gone (EPIPE: SIGPIPE is blocked here). */
static gboolean
sync_write (int fd, const char *text)
{
  size_t len = strlen (text), done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, text + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (size_t) n;
    }
  return TRUE;
}

/* A FUSE connection of the sandbox kernel's files for one container (src/sentry/vfs.h) on fuse_dev (taken over),
 * its files owned by the container's root. */
static gboolean
spawn_vfs (Sandbox *sb, const OciSpec *spec, int fuse_dev, ContainerSpawnArgs *spawn, GError **error)
{
  uid_t uid;
  gid_t gid;

  sandbox_vfs_owner (spec, &uid, &gid);
  spawn->vfs_mount_fd = sentry_vfs_mount (sb->vfs, fuse_dev, uid, gid, error);
  if (spawn->vfs_mount_fd < 0)
    return runsc_error_prefix (error, "serve the sandbox kernel's files");
  spawn->vfs_files = sentry_vfs_files (&spawn->n_vfs_files);
  return TRUE;
}

static void
close_made_ns (int (*fds)[USERNS_N_OWNED])
{
  for (int i = 0; i < USERNS_N_OWNED; i++)
    runsc_close_fd_ptr (&(*fds)[i]);
}

static gboolean spawner_handle (const char *kind, JsonObject *req, int *fds, size_t n_fds, void *data, pid_t *pid,
                                int *fd, GError **error);
static void spawner_in_child (void *data);

/* The root container's spec, with --network and --net-raw applied, its root and its device rules. */
static gboolean
load_root_spec (Sandbox *sb, GError **error)
{
  const SentryBootArgs *a = sb->args;
  SandboxContainer *root = sb->root;
  g_autofree char *config = g_build_filename (a->state_dir, STATE_CONFIG_FILE, NULL);

  root->spec = oci_spec_load_file (config, error);
  if (root->spec == NULL)
    return FALSE;
  if (!net_apply_mode (root->spec, a->network, error))
    return FALSE;
  net_apply_raw (root->spec, a->options.net_raw);
  root->rootfs = oci_spec_rootfs (root->spec, a->bundle);
  /* The device rules the Sentry's opens of device nodes are held to (cgroup-devices.h). */
  return cgroup_devices_register (a->id, root->spec->linux_cfg != NULL ? root->spec->linux_cfg->resources : NULL,
                                  error);
}

/* The sandbox kernel and its files, in the sandbox's namespaces (with --userns-base, in its own user namespace, which
 * the others are made inside). */
static gboolean
start_kernel (Sandbox *sb, ContainerSpawnArgs *spawn, GError **error)
{
  const SentryBootArgs *a = sb->args;
  OciSpec *spec = sb->root->spec;
  SentryOptions opts = a->options;
  gboolean ok;
  /* The sandbox's new network, IPC and UTS namespaces, made with its user namespace (userns.h), until joined. */
  __attribute__ ((cleanup (close_made_ns))) int made_ns[USERNS_N_OWNED] = { -1, -1, -1 };

  if (a->userns)
    {
      /* The sandbox's own user namespace; its network, IPC and UTS namespaces are made inside it. Before the
       * sandbox kernel: its filter widens for containers in a user namespace of their own (userns-own.h). */
      sb->userns_fd = userns_new (a->userns_base, USERNS_RANGE_SIZE, container_sandbox_namespaces_new (spec), made_ns,
                                  error);
      if (sb->userns_fd < 0)
        return FALSE;
      spawn->idmap = userns_apply_to_spec (spec, sb->userns_fd, a->userns_base, USERNS_RANGE_SIZE);
      spawn->idmap_userns_fd = sb->userns_fd;
      log_debug ("sandbox user namespace: container ids 0-65535 are host ids %u-%u", a->userns_base,
                 a->userns_base + USERNS_RANGE_SIZE - 1);
    }
  /* The release: the annotation dev.gvisor.kernel-release, else --kernel-release, else the default
   * (sentry_kernel_new decides). */
  sb->kernel = sentry_kernel_new (&opts, spec, error);
  if (sb->kernel == NULL)
    return runsc_error_prefix (error, "start the sandbox kernel");
  sb->vfs = sentry_vfs_new (sb->kernel, error);
  if (sb->vfs == NULL)
    return runsc_error_prefix (error, "start the sandbox kernel");

  ok = container_enter_sandbox_namespaces_made (spec, made_ns, error);
  close_made_ns (&made_ns);
  if (!ok)
    return FALSE;
  net_bring_up_loopback (spec);
  return TRUE;
}

/* No record: a container created without cgroups. A record that cannot be read is an error: without it pause and
 * OOM events would silently not work. */
static gboolean
load_sandbox_cgroup (Sandbox *sb, GError **error)
{
  g_autoptr (GError) local = NULL;

  sb->root->cgroup = cgroup_handle_load (sb->args->state_dir, &local);
  if (sb->root->cgroup == NULL && !g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "load the sandbox's cgroup record: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
boot_sandbox (Sandbox *sb, GError **error)
{
  const SentryBootArgs *a = sb->args;
  SandboxContainer *root = sb->root;
  ContainerSpawnArgs spawn = { 0 };
  sigset_t handled, old;
  gboolean ok;

  if (!load_root_spec (sb, error) || !start_kernel (sb, &spawn, error))
    return FALSE;

  spawn.spec = root->spec;
  spawn.id = a->id;
  spawn.bundle = a->bundle;
  spawn.rootfs = root->rootfs;
  spawn.console_socket = a->console_fd;
  spawn.stdio[0] = spawn.stdio[1] = spawn.stdio[2] = -1;
  spawn.rootfs_overlay = a->rootfs_overlay;
  /* Built in the background since sentry_kernel_new: the init never starts without it. */
  if (!sentry_kernel_filter_wait (sb->kernel, error))
    return runsc_error_prefix (error, "start the sandbox kernel");
  spawn.sandbox_filter = sentry_kernel_filter (sb->kernel);
  spawn.hook_state = sandbox_container_hook_state;
  spawn.user_data = root;
  if (!load_sandbox_cgroup (sb, error))
    return FALSE;
  /* The init starts in the freeze cgroup (the pause target), entered by stage 1 itself: no move by pid. */
  spawn.cgroup = root->cgroup;
  /* The init's sandbox filter is installed: serve it at once (its privilege drop goes through the Sentry). */
  spawn.on_listener = sandbox_container_serve;
  if (!spawn_vfs (sb, root->spec, a->fuse_fd, &spawn, error))
    return FALSE;
  /* The spawner (spawner.h) before the init: the notification threads' share of a pids limit then counts it. */
  sb->spawner = sentry_spawner_start (spawner_handle, spawner_in_child, sb, error);
  if (sb->spawner == NULL)
    return FALSE;

  /* The init (and the hooks) must start with an empty signal mask: unblock around the fork, then collect what
   * arrived meanwhile with a reaping pass. */
  sandbox_handled_sigset (&handled);
  sigprocmask (SIG_UNBLOCK, &handled, &old);
  ok = container_spawn (&spawn, &root->init, error);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  if (!ok)
    return FALSE;
  root->spawned = TRUE;
  sandbox_container_watch_oom (root);
  return TRUE;
}

/* /dev/null, opened before the Sentry empties its root (confine_sentry): detach_stdio runs after. */
static int null_fd = -1;

static void
detach_stdio (void)
{
  int fd = null_fd >= 0 ? null_fd : open ("/dev/null", O_RDWR | O_CLOEXEC);
  int i;

  if (fd < 0)
    return;
  for (i = 0; i < 3; i++)
    if (fd != i)
      dup2 (fd, i);
  if (fd > 2 && fd != null_fd)
    close (fd);
}

/* In the spawner: fork a pod member's init ("sub": create-subcontainer's privileged half). */
static gboolean
spawner_sub (Sandbox *sb, JsonObject *req, int *fds, size_t n_fds, pid_t *pid, int *fd, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  SandboxContainer *c, *old;
  int mnt;

  if (n_fds < 4)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: create-subcontainer descriptors missing");
  c = sandbox_member_load (sb, req, error);
  if (c == NULL)
    return FALSE;
  mnt = fds[3];
  fds[3] = -1; /* sandbox_member_spawn takes it over */
  if (!sandbox_member_spawn (c, fds, n_fds > 4 ? fds[4] : -1, mnt, sentry_spawner_relay_listener, error))
    {
      sandbox_container_free (c);
      return FALSE;
    }
  /* Kept for the exec requests that name it (a deleted member's id may come again). */
  if ((old = sandbox_find (sb, id)) != NULL && !old->root)
    sandbox_remove (sb, old);
  c->spawned = TRUE;
  sandbox_add (sb, c);
  spawner_policy_member (c->id, c->init.pid);
  *pid = c->init.pid;
  *fd = c->init.sync_fd;
  c->init.sync_fd = -1;
  return TRUE;
}

/* In the spawner (spawner.h): the privileged half of "create-subcontainer" and "exec", and the FUSE mounts. */
static gboolean
spawner_handle (const char *kind, JsonObject *req, int *fds, size_t n_fds, void *data, pid_t *pid, int *fd,
                GError **error)
{
  Sandbox *sb = data;

  if (!spawner_policy_check (kind, req, error))
    return FALSE;
  if (strcmp (kind, "setup") == 0)
    return spawner_policy_setup (req, &sb->root->init.pid, error);
  if (strcmp (kind, "fsmount") == 0)
    {
      if (n_fds < 1)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: fsmount without /dev/fuse");
      *fd = sentry_vfs_fsmount (fds[0], (uid_t) json_object_get_int_member_with_default (req, "uid", 0),
                                (gid_t) json_object_get_int_member_with_default (req, "gid", 0), error);
      return *fd >= 0;
    }
  if (strcmp (kind, "sub") == 0)
    return spawner_sub (sb, req, fds, n_fds, pid, fd, error);
  if (strcmp (kind, "exec") == 0)
    {
      const char *target = json_object_get_string_member_with_default (req, "target", "");
      JsonObject *exec = json_object_has_member (req, "exec") ? json_object_get_object_member (req, "exec") : NULL;
      SandboxContainer *c = sandbox_find (sb, target);
      SentryExecTarget t;

      if (exec == NULL || c == NULL)
        return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "spawner: refused: no container %s", target);
      sandbox_exec_target (c, &t);
      if (!spawner_policy_init_of (target, &t.init_pid, error))
        return FALSE;
      return sentry_exec_spawn_in_spawner (&t, exec, fds, n_fds, pid, fd, error);
    }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: unknown request %s", kind);
}

/* In the spawner, first: it holds none of the Sentry's channels (the control socket, the signalfd, the sync pipe to
 * runsc create, the container's stdio), so that nothing waits on it and it answers nobody but the Sentry. */
static void
spawner_in_child (void *data)
{
  Sandbox *sb = data;

  close (sb->args->control_fd);
  close (sb->sigfd);
  close (sb->args->sync_fd);
  if (sb->args->console_fd >= 0)
    close (sb->args->console_fd);
  if (sb->root->init.sync_fd >= 0)
    close (sb->root->init.sync_fd);
  detach_stdio ();
  spawner_policy_init (sb->args->state_dir, sb->args->id, sb->sentry_pid);
}

/* Confine the Sentry (confine.h); from now on the spawner forks. A failure fails the sandbox's creation. */
static gboolean
confine_sentry (Sandbox *sb, GError **error)
{
  gboolean host_userns = oci_spec_namespace (sb->root->spec, "user") == NULL;
  g_autoptr (JsonObject) setup = json_object_new ();
  pid_t none;

  /* The spawner pins the root container's init now, while the Sentry has run no application code. */
  json_object_set_int_member (setup, "root_init_pid", sb->root->init.pid);
  if (!sentry_spawner_call (sb->spawner, "setup", setup, NULL, 0, NULL, NULL, &none, NULL, error))
    return FALSE;
  sentry_execs_set_spawner (sb->execs, sb->spawner);
  sentry_test_hook_set_spawner (sb->spawner);
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  return sentry_confine (host_userns, sb->args->state_dir, error);
}

/* Booted: tell runsc create, then supervise until the root container exits. */
static int
report_and_supervise (Sandbox *sb)
{
  const SentryBootArgs *args = sb->args;
  pid_t init_pid = sb->root->init.pid;
  g_autofree char *msg = g_strdup_printf ("created %d\n", (int) init_pid);
  int status;

  user_log_info ("sandbox %s: started (runsc %s); container %s created (init pid %d)", args->id, PACKAGE_VERSION,
                 args->id, (int) init_pid);
  if (args->console_fd >= 0)
    close (args->console_fd);
  if (!sync_write (args->sync_fd, msg))
    {
      /* Nobody will record this sandbox: do not leave it running unmanaged. */
      log_error ("sandbox %s: runsc create went away before the container was recorded", args->id);
      kill (init_pid, SIGKILL);
      waitpid (init_pid, NULL, 0);
      return 1;
    }
  close (args->sync_fd);
  detach_stdio ();
  status = sandbox_supervise (sb);
  user_log_info ("sandbox %s: stopped (exit status %d)", args->id, status);
  return status;
}

int
sentry_boot (const SentryBootArgs *args)
{
  Sandbox sb = { 0 };
  g_autoptr (GError) error = NULL;
  sigset_t handled;

  sb.args = args;
  sb.sentry_pid = getpid ();
  sb.userns_fd = -1;
  sb.root = sandbox_container_new (&sb, TRUE, args->id, args->bundle);
  sandbox_add (&sb, sb.root);
  sb.execs = sentry_execs_new ();

  runsc_log_set_component ("runsc-sandbox");
  prctl (PR_SET_NAME, "runsc-sandbox", 0, 0, 0); /* ps and /proc/PID/comm name it, not "exe" */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    log_warning ("PR_SET_CHILD_SUBREAPER: %s", g_strerror (errno));
  sandbox_handled_sigset (&handled);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  sb.sigfd = signalfd (-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sb.sigfd < 0)
    runsc_error_errno (&error, errno, "signalfd");

  if (error == NULL && boot_sandbox (&sb, &error) && confine_sentry (&sb, &error))
    return report_and_supervise (&sb);

  {
    g_autofree char *msg = g_strdup_printf ("error %s\n", g_strdelimit (error->message, "\n", ' '));
    log_error ("sandbox %s: %s", args->id, error->message);
    sync_write (args->sync_fd, msg);
    close (args->sync_fd);
    if (sb.root->spawned && sb.root->init.pid > 0)
      {
        kill (sb.root->init.pid, SIGKILL);
        waitpid (sb.root->init.pid, NULL, 0);
      }
  }
  return 1;
}
