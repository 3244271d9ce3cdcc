/* The sandbox process: boot the Sentry, spawn the root container, supervise it (see boot.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "common/proc-stat.h"
#include "common/util.h"
#include "container/cgroup.h"
#include "container/cgroup-devices.h"
#include "container/container.h"
#include "container/userns-pool.h"
#include "container/userns.h"
#include "net/setup.h"
#include "oci/state.h"
#include "sentry/boot.h"
#include "sentry/confine.h"
#include "sentry/control.h"
#include "sentry/exec.h"
#include "sentry/kernel.h"
#include "sentry/userns-own.h"
#include "sentry/spawner-policy.h"
#include "sentry/spawner.h"
#include "sentry/test-hook.h"
#include "sentry/user-log.h"
#include "sentry/vfs.h"

#define KILL_WAIT_MS 5000
#define KILL_ROUND_MS 10 /* the longest wait for killed processes before they are looked for again */
#define EXEC_POLL_MAX 1024

typedef struct
{
  const SentryBootArgs *args;
  OciSpec *spec;
  SentryKernel *kernel;
  char *rootfs;
  int dirfd;
  int sigfd;
  ContainerInit init;
  gboolean spawned;
  gboolean started;
  gboolean exited;
  int exit_status;
  GArray *waiters; /* connections waiting for the exit (int) */
  CgroupHandle *cgroup; /* the sandbox's cgroup (src/container/cgroup.h), or NULL */
  CgroupOomWatch *oom;
  gboolean paused;
  GPtrArray *subs; /* SubContainer *: the other containers of the pod in this sandbox */
  SentryExecs *execs; /* runsc exec'd processes (src/sentry/exec.h) */
  SentryVfs *vfs;     /* the sandbox kernel's files (src/sentry/vfs.h) */
  SentrySpawner *spawner; /* once confined: who forks the pod's members and exec'd processes (spawner.h) */
  int userns_fd;      /* the sandbox's default user namespace (src/container/userns.h), or -1 */
  pid_t sentry_pid;   /* the Sentry's (its spawner's copy of this struct keeps it) */
} Sandbox;

/* A container that joined the sandbox after the root one (create-subcontainer). Its exit does not end the
 * sandbox; the root container's does, and takes the subcontainers with it. */
typedef struct
{
  Sandbox *sb;
  char *id;
  char *bundle;
  OciSpec *spec;
  char *rootfs;
  ContainerInit init;
  gboolean started;
  gboolean exited;
  int exit_status;
  GArray *waiters; /* connections waiting for its exit (int) */
  CgroupHandle *cgroup; /* its own cgroup (src/container/cgroup.h: cgroup_member_prepare), or NULL: the sandbox's */
  CgroupOomWatch *oom;
  gboolean paused;      /* its own cgroup is frozen (runsc pause of this container, or of the sandbox's) */
  gboolean idmap;       /* it joins the sandbox's user namespace: its mounts are idmapped (userns.h) */
} SubContainer;

/* The signals the Sentry reads from its signalfd: SIGCHLD for reaping, the rest forwarded to the root init. */
static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

static void
handled_sigset (sigset_t *set)
{
  gsize i;

  sigemptyset (set);
  sigaddset (set, SIGCHLD);
  sigaddset (set, SIGPIPE);
  for (i = 0; i < G_N_ELEMENTS (forwarded_signals); i++)
    sigaddset (set, forwarded_signals[i]);
}

static int
status_to_code (int wstatus)
{
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  return 255;
}

static char *
hook_state (pid_t init_pid, const char *status, void *user_data)
{
  Sandbox *sb = user_data;
  return state_hook_json (sb->args->id, status, init_pid, sb->args->bundle, sb->spec->annotations);
}

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

/* The init goes to the cgroup that pause freezes (the Sentry is not in it), before it runs anything. */
static gboolean
prepare_init (pid_t init_pid, void *user_data, GError **error)
{
  Sandbox *sb = user_data;
  return sb->cgroup == NULL || cgroup_enter_container (sb->cgroup, init_pid, error);
}

/* The init's sandbox filter is installed: serve it at once (its privilege drop goes through the Sentry). With a
 * small pids.limit the notification threads get the room first, the optional OOM watcher what is left. */
static gboolean
serve_init (int notify_fd, pid_t init_pid, void *user_data, GError **error)
{
  Sandbox *sb = user_data;
  return sentry_kernel_serve (sb->kernel, notify_fd, init_pid, sb->args->id, error);
}

/* An OOM kill in the sandbox's memory cgroup: the sandbox kernel logs it, as Linux does. */
static void
on_oom (guint64 oom_kills, void *user_data)
{
  Sandbox *sb = user_data;
  guint64 limit = cgroup_memory_limit (sb->cgroup);

  sentry_kernel_log (sb->kernel, "Memory cgroup out of memory: Killed process in container %s (limit %" G_GUINT64_FORMAT
                     " kB, oom_kill %" G_GUINT64_FORMAT ")", sb->args->id, limit / 1024, oom_kills);
  user_log_info ("container %s: out of memory: the memory cgroup's limit (%" G_GUINT64_FORMAT " kB) killed a process "
                 "(%" G_GUINT64_FORMAT " OOM kills so far)", sb->args->id, limit / 1024, oom_kills);
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

/* A FUSE connection of the sandbox kernel's files for one container (src/sentry/vfs.h) on fuse_dev (taken over),
 * its files owned by the container's root. */
static gboolean
spawn_vfs (Sandbox *sb, const OciSpec *spec, int fuse_dev, ContainerSpawnArgs *spawn, GError **error)
{
  const OciLinux *l = spec->linux_cfg;
  gboolean userns = FALSE;

  for (gsize i = 0; l != NULL && i < l->n_namespaces; i++)
    userns |= strcmp (l->namespaces[i].type, "user") == 0;
  spawn->vfs_mount_fd = sentry_vfs_mount (sb->vfs, fuse_dev,
                                          userns ? host_root_id (l->uid_mappings, l->n_uid_mappings) : 0,
                                          userns ? host_root_id (l->gid_mappings, l->n_gid_mappings) : 0, error);
  if (spawn->vfs_mount_fd < 0)
    return runsc_error_prefix (error, "serve the sandbox kernel's files");
  spawn->vfs_files = sentry_vfs_files (&spawn->n_vfs_files);
  return TRUE;
}

/* Wait up to timeout_ms for the processes pids (just sent SIGKILL) to end, returning as soon as they have: each
 * one's pidfd is readable once it exits. A process whose pidfd cannot be had (gone already) is not waited for;
 * past the first PIDFD_WAIT_MAX the rest of the round's time is slept. */
#define PIDFD_WAIT_MAX 64
static void
wait_killed (GArray *pids, int timeout_ms)
{
  struct pollfd pfd[PIDFD_WAIT_MAX];
  guint n = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (guint i = 0; i < pids->len && n < PIDFD_WAIT_MAX; i++)
    {
      int fd = (int) syscall (SYS_pidfd_open, g_array_index (pids, int, i), 0);
      if (fd >= 0)
        pfd[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left > 0)
        while (poll (&pfd[i], 1, (int) ((left + 999) / 1000)) < 0 && errno == EINTR)
          ;
      close (pfd[i].fd);
    }
  if (pids->len > PIDFD_WAIT_MAX)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left > 0)
        g_usleep ((gulong) left);
    }
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

static gboolean
boot_sandbox (Sandbox *sb, GError **error)
{
  const SentryBootArgs *a = sb->args;
  g_autofree char *config = g_build_filename (a->state_dir, STATE_CONFIG_FILE, NULL);
  SentryOptions opts = a->options;
  ContainerSpawnArgs spawn = { 0 };
  sigset_t handled, old;
  gboolean ok;
  /* The sandbox's new network, IPC and UTS namespaces, made with its user namespace (userns.h), until joined. */
  __attribute__ ((cleanup (close_made_ns))) int made_ns[USERNS_N_OWNED] = { -1, -1, -1 };

  sb->spec = oci_spec_load_file (config, error);
  if (sb->spec == NULL)
    return FALSE;
  if (!net_apply_mode (sb->spec, a->network, error))
    return FALSE;
  net_apply_raw (sb->spec, opts.net_raw);
  sb->rootfs = oci_spec_rootfs (sb->spec, a->bundle);
  /* The device rules the Sentry's opens of device nodes are held to (cgroup-devices.h). */
  if (!cgroup_devices_register (a->id, sb->spec->linux_cfg != NULL ? sb->spec->linux_cfg->resources : NULL, error))
    return FALSE;

  if (a->userns)
    {
      /* The sandbox's own user namespace; its network, IPC and UTS namespaces are made inside it. Before the
       * sandbox kernel: its filter widens for containers in a user namespace of their own (userns-own.h). */
      sb->userns_fd = userns_new (a->userns_base, USERNS_RANGE_SIZE, container_sandbox_namespaces_new (sb->spec),
                                  made_ns, error);
      if (sb->userns_fd < 0)
        return FALSE;
      spawn.idmap = userns_apply_to_spec (sb->spec, sb->userns_fd, a->userns_base, USERNS_RANGE_SIZE);
      spawn.idmap_userns_fd = sb->userns_fd;
      log_debug ("sandbox user namespace: container ids 0-65535 are host ids %u-%u", a->userns_base,
                 a->userns_base + USERNS_RANGE_SIZE - 1);
    }
  /* The release: the annotation dev.gvisor.kernel-release, else --kernel-release, else the default
   * (sentry_kernel_new decides). */
  sb->kernel = sentry_kernel_new (&opts, sb->spec, error);
  if (sb->kernel == NULL)
    return runsc_error_prefix (error, "start the sandbox kernel");
  sb->vfs = sentry_vfs_new (sb->kernel, error);
  if (sb->vfs == NULL)
    return runsc_error_prefix (error, "start the sandbox kernel");

  ok = container_enter_sandbox_namespaces_made (sb->spec, made_ns, error);
  close_made_ns (&made_ns);
  if (!ok)
    return FALSE;
  net_bring_up_loopback (sb->spec);

  spawn.spec = sb->spec;
  spawn.id = a->id;
  spawn.bundle = a->bundle;
  spawn.rootfs = sb->rootfs;
  spawn.console_socket = a->console_fd;
  spawn.stdio[0] = spawn.stdio[1] = spawn.stdio[2] = -1;
  spawn.rootfs_overlay = a->rootfs_overlay;
  /* Built in the background since sentry_kernel_new: the init never starts without it. */
  if (!sentry_kernel_filter_wait (sb->kernel, error))
    return runsc_error_prefix (error, "start the sandbox kernel");
  spawn.sandbox_filter = sentry_kernel_filter (sb->kernel);
  spawn.hook_state = hook_state;
  spawn.user_data = sb;
  {
    /* No record: a container created without cgroups. A record that cannot be read is an error: without it
     * pause and OOM events would silently not work. */
    g_autoptr (GError) local = NULL;
    sb->cgroup = cgroup_handle_load (a->state_dir, &local);
    if (sb->cgroup == NULL && !g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
      {
        g_propagate_prefixed_error (error, g_steal_pointer (&local), "load the sandbox's cgroup record: ");
        return FALSE;
      }
  }
  /* The init starts in the freeze cgroup (the pause target), entered by stage 1 itself: no move by pid. */
  spawn.cgroup = sb->cgroup;
  spawn.on_listener = serve_init;
  if (!spawn_vfs (sb, sb->spec, a->fuse_fd, &spawn, error))
    return FALSE;
  /* The spawner (spawner.h) before the init: the notification threads' share of a pids limit then counts it. */
  sb->spawner = sentry_spawner_start (spawner_handle, spawner_in_child, sb, error);
  if (sb->spawner == NULL)
    return FALSE;

  /* The init (and the hooks) must start with an empty signal mask: unblock around the fork, then collect what
   * arrived meanwhile with a reaping pass. */
  handled_sigset (&handled);
  sigprocmask (SIG_UNBLOCK, &handled, &old);
  ok = container_spawn (&spawn, &sb->init, error);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  if (!ok)
    return FALSE;
  sb->spawned = TRUE;
  if (sb->cgroup != NULL)
    {
      g_autoptr (GError) local = NULL;
      sb->oom = cgroup_oom_watch_start (sb->cgroup, on_oom, sb, &local);
      if (sb->oom == NULL)
        log_warning ("OOM kills will not be logged: %s", local->message);
    }
  return TRUE;
}

/* Host pids of the container: descendants of the init, plus (when it has its own pid namespace) every process
 * of that namespace. Init first. */
static GArray *
container_pids_of (pid_t init_pid, gboolean exited)
{
  g_autoptr (GHashTable) parent = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  char nspath[64], link[128], own[128];
  ssize_t n;
  gboolean own_pidns = FALSE;
  DIR *proc;
  struct dirent *de;
  guint i;

  if (init_pid <= 0 || exited)
    return pids;
  snprintf (nspath, sizeof nspath, "/proc/%d/ns/pid", (int) init_pid);
  n = runsc_host_readlink (nspath, link, sizeof link - 1);
  if (n > 0)
    {
      link[n] = '\0';
      n = runsc_host_readlink ("/proc/self/ns/pid", own, sizeof own - 1);
      if (n > 0)
        {
          own[n] = '\0';
          own_pidns = strcmp (own, link) != 0;
        }
    }

  proc = runsc_host_opendir ("/proc");
  if (proc == NULL)
    return pids;
  while ((de = readdir (proc)) != NULL)
    {
      char path[64], buf[RUNSC_PROC_STAT_BUF], ns[128];
      RunscProcStat st;
      int pid;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      pid = atoi (de->d_name);
      if (!runsc_proc_stat_read (pid, buf, sizeof buf, &st) || st.state == 'Z')
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (pid), GINT_TO_POINTER (st.ppid));
      if (own_pidns && pid != init_pid)
        {
          snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
          n = runsc_host_readlink (path, ns, sizeof ns - 1);
          if (n > 0)
            {
              ns[n] = '\0';
              if (strcmp (ns, link) == 0)
                g_array_append_val (pids, pid);
            }
        }
    }
  closedir (proc);
  if (g_hash_table_contains (parent, GINT_TO_POINTER (init_pid)))
    {
      GHashTableIter iter;
      gpointer k, v;
      int init = init_pid;

      g_array_prepend_val (pids, init);
      /* Descendants by walking each process's parent chain up to the init. */
      g_hash_table_iter_init (&iter, parent);
      while (g_hash_table_iter_next (&iter, &k, &v))
        {
          int pid = GPOINTER_TO_INT (k), up = GPOINTER_TO_INT (v), depth = 0;
          gboolean dup = FALSE;
          if (pid == init)
            continue;
          while (up > 1 && up != init && depth++ < 4096)
            up = GPOINTER_TO_INT (g_hash_table_lookup (parent, GINT_TO_POINTER (up)));
          if (up != init)
            continue;
          for (i = 0; i < pids->len && !dup; i++)
            dup = g_array_index (pids, int, i) == pid;
          if (!dup)
            g_array_append_val (pids, pid);
        }
    }
  return pids;
}

static GArray *
container_pids (Sandbox *sb)
{
  GArray *pids = container_pids_of (sb->init.pid, sb->exited);

  if (!sb->exited)
    sentry_execs_add_pids (sb->execs, sb->args->id, pids); /* runsc exec'd ones outside the init's tree */
  return pids;
}

static GArray *sandbox_descendants_scan (void);

/* Append the children of pid (of all its threads: /proc/PID/task/TID/children) to out. FALSE when the kernel has no
 * children files (CONFIG_PROC_CHILDREN). */
static gboolean
append_children (int pid, GArray *out)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%d/task", pid);
  DIR *tasks = runsc_host_opendir (dir);
  struct dirent *de;
  struct stat st;

  if (tasks == NULL)
    return TRUE; /* gone meanwhile */
  while ((de = readdir (tasks)) != NULL)
    {
      g_autofree char *file = NULL;
      g_autofree char *text = NULL;
      g_auto (GStrv) words = NULL;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      file = g_strdup_printf ("%s/%s/children", dir, de->d_name);
      if (!runsc_host_get_contents (file, &text, NULL, NULL))
        {
          if (runsc_host_access (file, F_OK) < 0 && runsc_host_stat (dir, &st) == 0
              && runsc_host_access ("/proc/thread-self/children", F_OK) < 0)
            {
              closedir (tasks);
              return FALSE;
            }
          continue; /* the thread is gone */
        }
      words = g_strsplit_set (g_strstrip (text), " ", -1);
      for (int i = 0; words[i] != NULL; i++)
        {
          int child = atoi (words[i]);
          if (child > 0)
            g_array_append_val (out, child);
        }
    }
  closedir (tasks);
  return TRUE;
}

/* Every descendant of the Sentry, by walking the children files down from the Sentry (orphans come back to it: it is
 * a subreaper): a few reads when nothing is left, where scanning /proc reads every process of the host (about
 * 15 us each). NULL when the kernel has no children files. */
static GArray *
sandbox_descendants_walk (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  int self = getpid ();

  if (!append_children (self, pids))
    {
      g_array_unref (pids);
      return NULL;
    }
  for (guint i = 0; i < pids->len && i < 65536; i++)
    {
      int pid = g_array_index (pids, int, i);
      if (pid == self || !g_hash_table_add (seen, GINT_TO_POINTER (pid)))
        continue;
      append_children (pid, pids);
    }
  /* Without duplicates (a pid read twice while it moved). */
  g_hash_table_remove (seen, GINT_TO_POINTER (self));
  g_array_set_size (pids, 0);
  {
    GHashTableIter iter;
    gpointer k;
    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &k, NULL))
      {
        int pid = GPOINTER_TO_INT (k);
        g_array_append_val (pids, pid);
      }
  }
  return pids;
}

/* Every descendant of the Sentry (what is left of the sandbox once the init is gone). */
static GArray *
sandbox_descendants (void)
{
  GArray *walked = sandbox_descendants_walk ();

  if (walked != NULL)
    return walked;
  return sandbox_descendants_scan ();
}

/* The same by scanning /proc (every process's parent), for kernels without children files. */
static GArray *
sandbox_descendants_scan (void)
{
  g_autoptr (GHashTable) parent = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  int self = getpid ();
  DIR *proc = runsc_host_opendir ("/proc");
  struct dirent *de;
  GHashTableIter iter;
  gpointer k, v;

  if (proc == NULL)
    return pids;
  while ((de = readdir (proc)) != NULL)
    {
      char buf[RUNSC_PROC_STAT_BUF];
      RunscProcStat st;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      if (!runsc_proc_stat_read (atoi (de->d_name), buf, sizeof buf, &st))
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (atoi (de->d_name)), GINT_TO_POINTER (st.ppid));
    }
  closedir (proc);
  g_hash_table_iter_init (&iter, parent);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      int pid = GPOINTER_TO_INT (k), up = GPOINTER_TO_INT (v), depth = 0;
      while (up > 1 && up != self && depth++ < 4096)
        up = GPOINTER_TO_INT (g_hash_table_lookup (parent, GINT_TO_POINTER (up)));
      if (up == self && pid != self)
        g_array_append_val (pids, pid);
    }
  return pids;
}

static void
reply_waiters (GArray *waiters, int exit_status)
{
  g_autoptr (JsonObject) result = json_object_new ();
  guint i;

  json_object_set_int_member (result, "exit_status", exit_status);
  for (i = 0; i < waiters->len; i++)
    {
      int conn = g_array_index (waiters, int, i);
      control_reply_ok (conn, result);
      close (conn);
    }
  g_array_set_size (waiters, 0);
}

static void
sub_exited (SubContainer *c, int code)
{
  g_autofree char *root = g_path_get_dirname (c->sb->args->state_dir);
  g_autofree char *path = g_build_filename (root, c->id, STATE_EXIT_FILE, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", code);
  g_autoptr (GError) error = NULL;

  c->exited = TRUE;
  c->exit_status = code;
  /* An OOM kill is reported before the exit it caused; the watch has nothing left to do. */
  cgroup_oom_watch_stop (c->oom);
  c->oom = NULL;
  user_log_info ("container %s: exited with status %d (init pid %d)", c->id, code, (int) c->init.pid);
  /* Its state directory (a sibling of the sandbox's) keeps the status for runsc wait after the sandbox. */
  if (!runsc_write_file_atomic (path, text, -1, 0644, &error))
    log_debug ("%s", error->message);
  if (c->init.sync_fd >= 0)
    {
      close (c->init.sync_fd);
      c->init.sync_fd = -1;
    }
  reply_waiters (c->waiters, code);
}

static void
sub_free (SubContainer *c)
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

static char *
sub_hook_state (pid_t init_pid, const char *status, void *user_data)
{
  SubContainer *c = user_data;
  return state_hook_json (c->id, status, init_pid, c->bundle, c->spec->annotations);
}

static gboolean
sub_prepare (pid_t init_pid, void *user_data, GError **error)
{
  SubContainer *c = user_data;

  /* Its own cgroup: out of the Sentry's (which it was forked in), into the member's. */
  if (c->cgroup != NULL)
    return cgroup_enter_process (c->cgroup, init_pid, error);
  return prepare_init (init_pid, c->sb, error);
}

/* An OOM kill in a pod member's own memory cgroup. */
static void
on_sub_oom (guint64 oom_kills, void *user_data)
{
  SubContainer *c = user_data;
  guint64 limit = cgroup_memory_limit (c->cgroup);

  sentry_kernel_log (c->sb->kernel, "Memory cgroup out of memory: Killed process in container %s (limit %"
                     G_GUINT64_FORMAT " kB, oom_kill %" G_GUINT64_FORMAT ")", c->id, limit / 1024, oom_kills);
  user_log_info ("container %s: out of memory: the memory cgroup's limit (%" G_GUINT64_FORMAT " kB) killed a process "
                 "(%" G_GUINT64_FORMAT " OOM kills so far)", c->id, limit / 1024, oom_kills);
}

/* Freeze or thaw a member's own cgroup (nothing to do without one: its processes are in the sandbox's). */
static gboolean
sub_freeze (SubContainer *c, gboolean freeze, GError **error)
{
  if (c->cgroup == NULL || c->exited || c->paused == freeze)
    return TRUE;
  if (!cgroup_freeze (c->cgroup, freeze, error))
    return FALSE;
  c->paused = freeze;
  return TRUE;
}

static gboolean
sub_serve (int notify_fd, pid_t init_pid, void *user_data, GError **error)
{
  SubContainer *c = user_data;
  return sentry_kernel_serve (c->sb->kernel, notify_fd, init_pid, c->id, error);
}

static SubContainer *
find_sub (Sandbox *sb, const char *id)
{
  guint i;

  for (i = 0; sb->subs != NULL && i < sb->subs->len; i++)
    {
      SubContainer *c = sb->subs->pdata[i];
      if (strcmp (c->id, id) == 0)
        return c;
    }
  return NULL;
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
        char *path = g_strdup_printf ("/proc/%d/ns/%s", (int) sb->init.pid, ns->path + strlen (prefix));
        log_info ("container namespace %s: %s is the sandbox's root container's, %s", ns->type, ns->path, path);
        g_free (ns->path);
        ns->path = path;
      }
    }
}

/* The spec, root, device rules and cgroup record of a new pod member (create-subcontainer {id, bundle, config}),
 * read alike by the Sentry and by its spawner (which forks the member's init once the Sentry is confined). */
static SubContainer *
sub_load (Sandbox *sb, JsonObject *req, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  const char *bundle = json_object_get_string_member_with_default (req, "bundle", "");
  const char *config = json_object_get_string_member_with_default (req, "config", "");
  SubContainer *c;

  c = g_new0 (SubContainer, 1);
  c->sb = sb;
  c->id = g_strdup (id);
  c->bundle = g_strdup (bundle);
  c->waiters = g_array_new (FALSE, FALSE, sizeof (int));
  c->init.pid = -1;
  c->init.notify_fd = -1;
  c->init.sync_fd = -1;
  c->spec = oci_spec_load_file (config, error);
  if (c->spec == NULL)
    {
      sub_free (c);
      return NULL;
    }
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
                       "container has one (a sandbox's containers all have one, or none)", id);
      sub_free (c);
      return NULL;
    }
  c->rootfs = oci_spec_rootfs (c->spec, bundle);
  if (!cgroup_devices_register (c->id, c->spec->linux_cfg != NULL ? c->spec->linux_cfg->resources : NULL, error))
    {
      sub_free (c);
      return NULL;
    }
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
}

/* Fork a member's init up to the point where it waits for start (the privileged part of create-subcontainer:
 * the Sentry's before it is confined, the spawner's after). fds: stdin, stdout, stderr; console_socket or -1;
 * vfs_mount_fd: the detached mount of its sandbox kernel files (taken over). */
static gboolean
sub_spawn (Sandbox *sb, SubContainer *c, const int *fds, int console_socket, int vfs_mount_fd,
           gboolean (*on_listener) (int, pid_t, void *, GError **), GError **error)
{
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
  spawn.hook_state = sub_hook_state;
  spawn.prepare = sub_prepare;
  spawn.on_listener = on_listener;
  spawn.user_data = c;
  spawn.vfs_mount_fd = vfs_mount_fd;
  spawn.vfs_files = sentry_vfs_files (&spawn.n_vfs_files);
  spawn.idmap = c->idmap;
  spawn.idmap_userns_fd = sb->userns_fd;

  handled_sigset (&handled);
  sigprocmask (SIG_UNBLOCK, &handled, NULL);
  ok = container_spawn (&spawn, &c->init, error);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  return ok;
}

/* The host ids that own a container's sandbox kernel files: its root's. */
static void
vfs_owner (const OciSpec *spec, uid_t *uid, gid_t *gid)
{
  const OciLinux *l = spec->linux_cfg;
  gboolean userns = FALSE;

  for (gsize i = 0; l != NULL && i < l->n_namespaces; i++)
    userns |= strcmp (l->namespaces[i].type, "user") == 0;
  *uid = userns ? host_root_id (l->uid_mappings, l->n_uid_mappings) : 0;
  *gid = userns ? host_root_id (l->gid_mappings, l->n_gid_mappings) : 0;
}

/* create-subcontainer {id, bundle, config, console: bool}, fds: stdin, stdout, stderr, /dev/fuse[, console socket]. */
static gboolean
create_sub (Sandbox *sb, JsonObject *req, int *fds, pid_t *init_pid, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  gboolean console = json_object_get_boolean_member_with_default (req, "console", FALSE);
  SubContainer *c;
  uid_t uid;
  gid_t gid;
  int i;

  if (!state_validate_id (id, error))
    return FALSE;
  if (strcmp (id, sb->args->id) == 0 || find_sub (sb, id) != NULL)
    return runsc_error_set (error, RUNSC_ERROR_EXISTS, "container with id %s already exists", id);
  if (sb->exited)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "the sandbox's root container has stopped");
  for (i = 0; i < 4; i++)
    if (fds[i] < 0)
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "create-subcontainer: stdio or /dev/fuse descriptors missing");

  c = sub_load (sb, req, error);
  if (c == NULL)
    return FALSE;
  vfs_owner (c->spec, &uid, &gid);
  if (sb->spawner == NULL)
    {
      int mnt = sentry_vfs_mount (sb->vfs, fds[3], uid, gid, error);
      fds[3] = -1;
      if (mnt < 0)
        {
          runsc_error_prefix (error, "serve the sandbox kernel's files");
          sub_free (c);
          return FALSE;
        }
      if (!sub_spawn (sb, c, fds, console ? fds[4] : -1, mnt, sub_serve, error))
        {
          sub_free (c);
          return FALSE;
        }
    }
  else
    {
      /* Confined: the spawner mounts the member's FUSE filesystem, the Sentry serves it, the spawner forks the
       * init (the Sentry's child) and hands its listener here (spawner.h). */
      g_autoptr (JsonObject) mreq = json_object_new ();
      autofd int mnt = -1;
      pid_t none;
      int sfds[5];
      gboolean ok;

      json_object_set_int_member (mreq, "uid", uid);
      json_object_set_int_member (mreq, "gid", gid);
      if (!sentry_spawner_call (sb->spawner, "fsmount", mreq, &fds[3], 1, NULL, NULL, &none, &mnt, error)
          || mnt < 0)
        {
          if (error != NULL && *error == NULL)
            runsc_error_set (error, RUNSC_ERROR_FAILED, "no mount came back");
          runsc_error_prefix (error, "serve the sandbox kernel's files");
          sub_free (c);
          return FALSE;
        }
      ok = sentry_vfs_serve (sb->vfs, fds[3], uid, gid, error);
      fds[3] = -1;
      if (!ok)
        {
          runsc_error_prefix (error, "serve the sandbox kernel's files");
          sub_free (c);
          return FALSE;
        }
      sfds[0] = fds[0];
      sfds[1] = fds[1];
      sfds[2] = fds[2];
      sfds[3] = mnt;
      sfds[4] = console ? fds[4] : -1;
      /* The spawner knows the root container's init from set-up (confine_sentry), the spec file from the id
       * (spawner-policy.h). */
      if (!sentry_spawner_call (sb->spawner, "sub", req, sfds, console ? 5 : 4, sub_serve, c, &c->init.pid,
                                &c->init.sync_fd, error))
        {
          sub_free (c);
          return FALSE;
        }
    }
  if (c->cgroup != NULL)
    {
      g_autoptr (GError) local = NULL;
      c->oom = cgroup_oom_watch_start (c->cgroup, on_sub_oom, c, &local);
      if (c->oom == NULL)
        log_warning ("container %s: OOM kills will not be logged: %s", id, local->message);
    }
  if (sb->subs == NULL)
    sb->subs = g_ptr_array_new ();
  g_ptr_array_add (sb->subs, c);
  *init_pid = c->init.pid;
  user_log_info ("container %s: created in sandbox %s (init pid %d)", id, sb->args->id, (int) c->init.pid);
  return TRUE;
}

/* The requests about one subcontainer. Returns FALSE when the connection is kept (a wait). */
static gboolean
handle_sub_request (Sandbox *sb, SubContainer *c, const char *cmd, JsonObject *req, int conn)
{
  g_autoptr (JsonObject) result = json_object_new ();
  g_autoptr (GError) error = NULL;
  guint i;

  if (strcmp (cmd, "state") == 0)
    {
      json_object_set_string_member (result, "status",
                                     c->exited                   ? "stopped"
                                     : sb->paused || c->paused   ? "paused"
                                     : c->started                ? "running"
                                                                 : "created");
      json_object_set_int_member (result, "init_pid", c->init.pid);
      if (c->exited)
        json_object_set_int_member (result, "exit_status", c->exit_status);
      control_reply_ok (conn, result);
    }
  else if (strcmp (cmd, "start") == 0)
    {
      if (c->exited)
        control_reply_error (conn, "cannot start a container that has stopped");
      else if (c->started)
        control_reply_error (conn, "cannot start an already running container");
      else if (!container_start (&c->init, &error))
        control_reply_error (conn, error->message);
      else
        {
          c->started = TRUE;
          user_log_info ("container %s: started", c->id);
          control_reply_ok (conn, NULL);
        }
    }
  else if (strcmp (cmd, "signal") == 0)
    {
      int sig = (int) json_object_get_int_member_with_default (req, "signal", SIGTERM);
      gboolean all = json_object_get_boolean_member_with_default (req, "all", FALSE);

      if (c->exited)
        control_reply_error (conn, "container not running");
      else if (all)
        {
          g_autoptr (GArray) pids = container_pids_of (c->init.pid, c->exited);
          sentry_execs_add_pids (sb->execs, c->id, pids);
          for (i = 0; i < pids->len; i++)
            kill (g_array_index (pids, int, i), sig);
          /* Frozen (v1) processes sleep through SIGKILL: thaw them so that it is delivered. */
          if (sig == SIGKILL && c->paused && !sub_freeze (c, FALSE, &error))
            log_warning ("container %s: %s", c->id, error->message);
          control_reply_ok (conn, NULL);
        }
      else if (kill (c->init.pid, sig) < 0)
        control_reply_error (conn, g_strerror (errno));
      else
        {
          /* As runc does: a SIGKILL to a paused container thaws it, so that it is delivered. */
          if (sig == SIGKILL && c->paused && !sub_freeze (c, FALSE, &error))
            log_warning ("container %s: %s", c->id, error->message);
          control_reply_ok (conn, NULL);
        }
    }
  else if (strcmp (cmd, "wait") == 0)
    {
      if (!c->exited)
        {
          g_array_append_val (c->waiters, conn);
          return FALSE;
        }
      json_object_set_int_member (result, "exit_status", c->exit_status);
      control_reply_ok (conn, result);
    }
  else if (strcmp (cmd, "ps") == 0)
    {
      g_autoptr (GArray) pids = container_pids_of (c->init.pid, c->exited);
      JsonArray *arr = json_array_new ();
      if (!c->exited)
        sentry_execs_add_pids (sb->execs, c->id, pids);
      for (i = 0; i < pids->len; i++)
        json_array_add_int_element (arr, g_array_index (pids, int, i));
      json_object_set_array_member (result, "pids", arr);
      control_reply_ok (conn, result);
    }
  else if (strcmp (cmd, "pause") == 0 || strcmp (cmd, "resume") == 0)
    {
      gboolean pause = strcmp (cmd, "pause") == 0;
      if (c->cgroup == NULL)
        control_reply_error (conn, "the container has no cgroup of its own to freeze (pause its sandbox's container)");
      else if (sb->paused)
        control_reply_error (conn, "the pod's sandbox is paused: resume the sandbox's container");
      else if (c->exited || !c->started)
        control_reply_error (conn, "container is not running");
      else if (pause == c->paused)
        control_reply_error (conn, pause ? "container is already paused" : "container is not paused");
      else if (!sub_freeze (c, pause, &error))
        control_reply_error (conn, error->message);
      else
        {
          user_log_info ("container %s: %s", c->id, pause ? "paused" : "resumed");
          control_reply_ok (conn, NULL);
        }
    }
  else if (strcmp (cmd, "destroy") == 0)
    {
      if (!c->exited)
        control_reply_error (conn, "container is not stopped");
      else
        {
          g_ptr_array_remove (sb->subs, c);
          sub_free (c);
          control_reply_ok (conn, NULL);
        }
    }
  else
    {
      g_autofree char *msg = g_strdup_printf ("unsupported control command \"%s\" for a subcontainer", cmd);
      control_reply_error (conn, msg);
    }
  return TRUE;
}

static void
reap_children (Sandbox *sb)
{
  for (;;)
    {
      int wstatus;
      pid_t pid = waitpid (-1, &wstatus, WNOHANG);
      if (pid <= 0)
        return;
      if (sentry_execs_reaped (sb->execs, pid, status_to_code (wstatus)))
        continue;
      if (sb->spawned && pid == sb->init.pid && !sb->exited)
        {
          sb->exited = TRUE;
          sb->exit_status = status_to_code (wstatus);
          cgroup_oom_watch_check (sb->oom); /* an OOM kill is reported before the exit it caused */
          user_log_info ("container %s: exited with status %d (init pid %d)", sb->args->id, sb->exit_status, (int) pid);
        }
      else
        {
          guint i;
          gboolean found = FALSE;
          for (i = 0; sb->subs != NULL && i < sb->subs->len && !found; i++)
            {
              SubContainer *c = sb->subs->pdata[i];
              if (c->init.pid == pid && !c->exited)
                {
                  found = TRUE;
                  sub_exited (c, status_to_code (wstatus));
                }
            }
          if (!found)
            log_debug ("reaped %d (status 0x%x)", (int) pid, wstatus);
        }
    }
}

/* Pause or resume the whole sandbox: the root container's cgroup and the pod members' own ones (a member paused on
 * its own is resumed with the sandbox). All or nothing. */
static gboolean
freeze_sandbox (Sandbox *sb, gboolean freeze, GError **error)
{
  g_autoptr (GError) local = NULL;
  guint i, done;

  for (done = 0; sb->subs != NULL && done < sb->subs->len; done++)
    if (!sub_freeze (sb->subs->pdata[done], freeze, error))
      goto undo;
  if (cgroup_freeze (sb->cgroup, freeze, error))
    return TRUE;
undo:
  for (i = 0; i < done; i++)
    if (!sub_freeze (sb->subs->pdata[i], !freeze, &local))
      {
        log_warning ("%s", local->message);
        g_clear_error (&local);
      }
  return FALSE;
}

/* A SIGKILL to the paused root container was sent: thaw it so that it is delivered (as runc does), and answer.
 * A thaw that fails is the answer (and a warning): the processes sleep through the signal until thawed. */
static void
reply_after_kill_thaw (Sandbox *sb, int conn, int sig)
{
  g_autoptr (GError) error = NULL;

  if (sig == SIGKILL && sb->paused)
    {
      if (!freeze_sandbox (sb, FALSE, &error))
        {
          g_autofree char *msg = g_strdup_printf ("signal %d sent, but the paused container could not be thawed to "
                                                  "receive it: %s", sig, error->message);
          log_warning ("container %s: %s", sb->args->id, msg);
          control_reply_error (conn, msg);
          return;
        }
      sb->paused = FALSE;
    }
  control_reply_ok (conn, NULL);
}

/* The root container is gone: record it, kill what is left, answer the waiters. */
static void
finish (Sandbox *sb)
{
  g_autofree char *path = g_build_filename (sb->args->state_dir, STATE_EXIT_FILE, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", sb->exit_status);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) result = json_object_new ();
  gint64 deadline = g_get_monotonic_time () + KILL_WAIT_MS * 1000;
  guint i;

  if (!runsc_write_file_atomic (path, text, -1, 0644, &error))
    log_warning ("%s", error->message);
  g_clear_error (&error);
  /* Frozen (v1) processes of a paused member would sleep through the SIGKILLs. */
  for (i = 0; sb->subs != NULL && i < sb->subs->len; i++)
    if (!sub_freeze (sb->subs->pdata[i], FALSE, &error))
      {
        log_warning ("%s", error->message);
        g_clear_error (&error);
      }

  for (;;)
    {
      g_autoptr (GArray) left = sandbox_descendants ();
      if (left->len == 0 || g_get_monotonic_time () > deadline)
        break;
      for (i = 0; i < left->len; i++)
        kill (g_array_index (left, int, i), SIGKILL);
      wait_killed (left, KILL_ROUND_MS);
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
    }

  /* The exec'd processes and the subcontainers died with the sandbox. */
  sentry_execs_sandbox_exited (sb->execs);
  for (i = 0; sb->subs != NULL && i < sb->subs->len; i++)
    {
      SubContainer *c = sb->subs->pdata[i];
      if (!c->exited)
        sub_exited (c, 128 + SIGKILL);
    }
  json_object_set_int_member (result, "exit_status", sb->exit_status);
  reply_waiters (sb->waiters, sb->exit_status);
}

static const char *
status_name (Sandbox *sb)
{
  if (sb->exited)
    return "stopped";
  if (sb->paused)
    return "paused";
  return sb->started ? "running" : "created";
}

/* The container an exec or wait-pid request names (NULL: the root one). FALSE if there is none such. */
static gboolean
exec_target (Sandbox *sb, const char *target, SentryExecTarget *t, pid_t *init_pid)
{
  memset (t, 0, sizeof *t);
  t->kernel = sb->kernel;
  t->cgroup = sb->cgroup;
  t->net_raw = sb->args->options.net_raw;
  t->paused = sb->paused;
  if (target == NULL || strcmp (target, sb->args->id) == 0)
    {
      t->id = sb->args->id;
      t->spec = sb->spec;
      t->init_pid = sb->init.pid;
      t->exited = sb->exited || !sb->spawned;
    }
  else
    {
      SubContainer *c = find_sub (sb, target);
      if (c == NULL)
        return FALSE;
      t->id = c->id;
      t->spec = c->spec;
      t->init_pid = c->init.pid;
      t->exited = c->exited;
      if (c->cgroup != NULL)
        t->cgroup = c->cgroup;
      t->paused = sb->paused || c->paused;
    }
  *init_pid = t->init_pid;
  return TRUE;
}

/* "exec" and "wait-pid" (src/sentry/exec.h). Returns TRUE when conn was taken care of; FALSE for a wait-pid of
 * the container's init, which is a plain "wait". */
static gboolean
handle_exec_request (Sandbox *sb, const char *cmd, const char *target, JsonObject *req, int conn, int *fds,
                     size_t n_fds)
{
  SentryExecTarget t;
  pid_t init_pid = -1;

  if (!exec_target (sb, target, &t, &init_pid))
    {
      g_autofree char *msg = g_strdup_printf ("container %s does not exist in sandbox %s", target, sb->args->id);
      control_reply_error (conn, msg);
      close (conn);
      return TRUE;
    }
  if (strcmp (cmd, "exec") == 0)
    {
      log_debug ("control: exec in %s", t.id);
      sentry_execs_handle_exec (sb->execs, &t, req, conn, fds, n_fds);
      return TRUE;
    }
  {
    pid_t pid = (pid_t) json_object_get_int_member_with_default (req, "pid", 0);
    g_autofree char *msg = NULL;

    if (sentry_execs_handle_wait (sb->execs, t.id, pid, conn))
      return TRUE;
    if (pid > 0 && (pid == init_pid || (pid == 1 && oci_spec_namespace (t.spec, "pid") != NULL)))
      return FALSE;
    msg = g_strdup_printf ("container %s has no process %d started by runsc exec", t.id, (int) pid);
    control_reply_error (conn, msg);
    close (conn);
    return TRUE;
  }
}

static void
handle_request (Sandbox *sb, int conn)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) req = NULL;
  g_autoptr (JsonObject) result = json_object_new ();
  int fds[16];
  const char *cmd, *target;
  gsize i;

  req = control_recv (conn, fds, G_N_ELEMENTS (fds), &error);
  if (req == NULL)
    {
      log_warning ("control: %s", error->message);
      close (conn);
      return;
    }
  if (!control_request_check (req, &error))
    {
      log_warning ("control: %s", error->message);
      for (i = 0; i < G_N_ELEMENTS (fds); i++)
        if (fds[i] >= 0)
          close (fds[i]);
      control_reply_error (conn, error->message);
      close (conn);
      return;
    }
  cmd = json_object_get_string_member_with_default (req, "cmd", "");
  target = json_object_get_string_member_with_default (req, "id", NULL);
  if (strcmp (cmd, "create-subcontainer") == 0)
    {
      pid_t pid = -1;
      if (!create_sub (sb, req, fds, &pid, &error))
        control_reply_error (conn, error->message);
      else
        {
          json_object_set_int_member (result, "init_pid", pid);
          control_reply_ok (conn, result);
        }
      for (i = 0; i < G_N_ELEMENTS (fds); i++)
        if (fds[i] >= 0)
          close (fds[i]);
      close (conn);
      return;
    }
  if (strcmp (cmd, "exec") == 0 || strcmp (cmd, "wait-pid") == 0)
    {
      if (handle_exec_request (sb, cmd, target, req, conn, fds, G_N_ELEMENTS (fds)))
        return;
      cmd = "wait"; /* wait-pid of the init */
    }
  for (i = 0; i < G_N_ELEMENTS (fds); i++)
    if (fds[i] >= 0)
      close (fds[i]); /* no other command takes descriptors */
  if (target != NULL && strcmp (target, sb->args->id) != 0)
    {
      SubContainer *c = find_sub (sb, target);
      if (c == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("container %s does not exist in sandbox %s", target, sb->args->id);
          control_reply_error (conn, msg);
        }
      else if (!handle_sub_request (sb, c, cmd, req, conn))
        return; /* kept for a wait */
      close (conn);
      return;
    }
  log_debug ("control: %s", cmd);

  if (strcmp (cmd, "state") == 0)
    {
      json_object_set_string_member (result, "status", status_name (sb));
      json_object_set_int_member (result, "init_pid", sb->init.pid);
      if (sb->exited)
        json_object_set_int_member (result, "exit_status", sb->exit_status);
      control_reply_ok (conn, result);
    }
  else if (strcmp (cmd, "start") == 0)
    {
      if (sb->exited)
        control_reply_error (conn, "cannot start a container that has stopped");
      else if (sb->started)
        control_reply_error (conn, "cannot start an already running container");
      else if (!container_start (&sb->init, &error))
        {
          log_error ("start container %s: %s", sb->args->id, error->message);
          control_reply_error (conn, error->message);
        }
      else
        {
          sb->started = TRUE;
          user_log_info ("container %s: started", sb->args->id);
          control_reply_ok (conn, NULL);
        }
    }
  else if (strcmp (cmd, "signal") == 0)
    {
      int sig = (int) json_object_get_int_member_with_default (req, "signal", SIGTERM);
      gboolean all = json_object_get_boolean_member_with_default (req, "all", FALSE);

      if (sb->exited)
        control_reply_error (conn, "container not running");
      else if (all)
        {
          g_autoptr (GArray) pids = container_pids (sb);
          for (i = 0; i < pids->len; i++)
            kill (g_array_index (pids, int, i), sig);
          /* Frozen (v1) processes sleep through SIGKILL: thaw them so that it is delivered. */
          reply_after_kill_thaw (sb, conn, sig);
        }
      else if (kill (sb->init.pid, sig) < 0)
        {
          g_autofree char *msg = g_strdup_printf ("signal %d to %d: %s", sig, (int) sb->init.pid, g_strerror (errno));
          control_reply_error (conn, msg);
        }
      else
        reply_after_kill_thaw (sb, conn, sig);
    }
  else if (strcmp (cmd, "wait") == 0)
    {
      if (sb->exited)
        {
          json_object_set_int_member (result, "exit_status", sb->exit_status);
          control_reply_ok (conn, result);
        }
      else
        {
          g_array_append_val (sb->waiters, conn);
          return; /* answered by finish () */
        }
    }
  else if (strcmp (cmd, "pause") == 0 || strcmp (cmd, "resume") == 0)
    {
      gboolean pause = strcmp (cmd, "pause") == 0;
      if (sb->cgroup == NULL)
        control_reply_error (conn, "the sandbox has no cgroup to freeze");
      else if (!sb->started || (pause && sb->paused))
        control_reply_error (conn, pause ? "container is not running" : "container is not paused");
      else if (!pause && !sb->paused)
        control_reply_error (conn, "container is not paused");
      else if (!freeze_sandbox (sb, pause, &error))
        control_reply_error (conn, error->message);
      else
        {
          sb->paused = pause;
          user_log_info ("container %s: %s", sb->args->id, pause ? "paused" : "resumed");
          control_reply_ok (conn, NULL);
        }
    }
  else if (strcmp (cmd, "ps") == 0)
    {
      g_autoptr (GArray) pids = container_pids (sb);
      JsonArray *arr = json_array_new ();
      for (i = 0; i < pids->len; i++)
        json_array_add_int_element (arr, g_array_index (pids, int, i));
      json_object_set_array_member (result, "pids", arr);
      control_reply_ok (conn, result);
    }
  else if (strcmp (cmd, "metrics") == 0)
    {
      json_object_set_array_member (result, "syscalls", sentry_kernel_syscall_counts (sb->kernel));
      control_reply_ok (conn, result);
    }
  else if (sentry_test_hook (cmd, req, conn))
    ;
  else
    {
      g_autofree char *msg = g_strdup_printf ("unsupported control command \"%s\"", cmd);
      control_reply_error (conn, msg);
    }
  close (conn);
}

static void
forward_signal (Sandbox *sb, int sig)
{
  if (!sb->spawned || sb->exited)
    return;
  log_debug ("forwarding signal %d to %d", sig, (int) sb->init.pid);
  kill (sb->init.pid, sig);
}

static int
supervise (Sandbox *sb)
{
  while (!sb->exited)
    {
      /* The control socket, the signals, and the clients of exec'd processes (a client that hangs up takes its
       * process with it). */
      struct pollfd pfd[2 + EXEC_POLL_MAX] = {
        { .fd = sb->args->control_fd, .events = POLLIN },
        { .fd = sb->sigfd, .events = POLLIN },
      };
      gsize n_exec = sentry_execs_poll_fds (sb->execs, pfd + 2, EXEC_POLL_MAX);

      if (poll (pfd, 2 + n_exec, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          log_error ("poll: %s", g_strerror (errno));
          break;
        }
      /* First, while every polled descriptor is still the one polled. */
      sentry_execs_poll_done (sb->execs, pfd + 2, n_exec);
      if (pfd[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sb->sigfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGCHLD)
                reap_children (sb);
              else if (si.ssi_signo != SIGPIPE)
                forward_signal (sb, (int) si.ssi_signo);
            }
        }
      if (sb->exited)
        break;
      if (pfd[0].revents & POLLIN)
        {
          int conn = accept4 (sb->args->control_fd, NULL, NULL, SOCK_CLOEXEC);
          if (conn >= 0)
            {
              /* A client that connects and says nothing must not stall the sandbox. */
              struct timeval tv = { .tv_sec = 5 };
              setsockopt (conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
              handle_request (sb, conn);
            }
        }
      /* A start may have raced with the init's exit. */
      reap_children (sb);
    }
  finish (sb);
  return sb->exit_status;
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

/* In the spawner (spawner.h): the privileged half of "create-subcontainer" and "exec", and the FUSE mounts. */
static gboolean
spawner_handle (const char *kind, JsonObject *req, int *fds, size_t n_fds, void *data, pid_t *pid, int *fd,
                GError **error)
{
  Sandbox *sb = data;

  if (!spawner_policy_check (kind, req, error))
    return FALSE;
  if (strcmp (kind, "setup") == 0)
    return spawner_policy_setup (req, &sb->init.pid, error);
  if (strcmp (kind, "fsmount") == 0)
    {
      if (n_fds < 1)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: fsmount without /dev/fuse");
      *fd = sentry_vfs_fsmount (fds[0], (uid_t) json_object_get_int_member_with_default (req, "uid", 0),
                                (gid_t) json_object_get_int_member_with_default (req, "gid", 0), error);
      return *fd >= 0;
    }
  if (strcmp (kind, "sub") == 0)
    {
      const char *id = json_object_get_string_member_with_default (req, "id", "");
      SubContainer *c, *old;
      int mnt;

      if (n_fds < 4)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: create-subcontainer descriptors missing");
      c = sub_load (sb, req, error);
      if (c == NULL)
        return FALSE;
      mnt = fds[3];
      fds[3] = -1; /* sub_spawn takes it over */
      if (!sub_spawn (sb, c, fds, n_fds > 4 ? fds[4] : -1, mnt, sentry_spawner_relay_listener, error))
        {
          sub_free (c);
          return FALSE;
        }
      /* Kept for the exec requests that name it (a deleted member's id may come again). */
      if ((old = find_sub (sb, id)) != NULL)
        {
          g_ptr_array_remove (sb->subs, old);
          sub_free (old);
        }
      if (sb->subs == NULL)
        sb->subs = g_ptr_array_new ();
      g_ptr_array_add (sb->subs, c);
      spawner_policy_member (c->id, c->init.pid);
      *pid = c->init.pid;
      *fd = c->init.sync_fd;
      c->init.sync_fd = -1;
      return TRUE;
    }
  if (strcmp (kind, "exec") == 0)
    {
      const char *target = json_object_get_string_member_with_default (req, "target", "");
      JsonObject *exec = json_object_has_member (req, "exec") ? json_object_get_object_member (req, "exec") : NULL;
      SentryExecTarget t;
      pid_t init_pid;

      if (exec == NULL || !exec_target (sb, target, &t, &init_pid))
        return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "spawner: refused: no container %s", target);
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
  if (sb->init.sync_fd >= 0)
    close (sb->init.sync_fd);
  detach_stdio ();
  spawner_policy_init (sb->args->state_dir, sb->args->id, sb->sentry_pid);
}

/* Confine the Sentry (confine.h); from now on the spawner forks. A failure fails the sandbox's creation. */
static gboolean
confine_sentry (Sandbox *sb, GError **error)
{
  gboolean host_userns = oci_spec_namespace (sb->spec, "user") == NULL;
  g_autoptr (JsonObject) setup = json_object_new ();
  pid_t none;

  /* The spawner pins the root container's init now, while the Sentry has run no application code. */
  json_object_set_int_member (setup, "root_init_pid", sb->init.pid);
  if (!sentry_spawner_call (sb->spawner, "setup", setup, NULL, 0, NULL, NULL, &none, NULL, error))
    return FALSE;
  sentry_execs_set_spawner (sb->execs, sb->spawner);
  sentry_test_hook_set_spawner (sb->spawner);
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  return sentry_confine (host_userns, sb->args->state_dir, error);
}

int
sentry_boot (const SentryBootArgs *args)
{
  Sandbox sb = { 0 };
  g_autoptr (GError) error = NULL;
  sigset_t handled;
  int status;

  sb.args = args;
  sb.sentry_pid = getpid ();
  sb.dirfd = -1;
  sb.userns_fd = -1;
  sb.init.pid = -1;
  sb.init.notify_fd = -1;
  sb.init.sync_fd = -1;
  sb.waiters = g_array_new (FALSE, FALSE, sizeof (int));
  sb.execs = sentry_execs_new ();

  runsc_log_set_component ("runsc-sandbox");
  prctl (PR_SET_NAME, "runsc-sandbox", 0, 0, 0); /* ps and /proc/PID/comm name it, not "exe" */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    log_warning ("PR_SET_CHILD_SUBREAPER: %s", g_strerror (errno));
  handled_sigset (&handled);
  sigprocmask (SIG_BLOCK, &handled, NULL);
  sb.sigfd = signalfd (-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sb.sigfd < 0)
    runsc_error_errno (&error, errno, "signalfd");

  if (error == NULL && boot_sandbox (&sb, &error) && confine_sentry (&sb, &error))
    {
      g_autofree char *msg = g_strdup_printf ("created %d\n", (int) sb.init.pid);
      user_log_info ("sandbox %s: started (runsc %s); container %s created (init pid %d)", args->id, PACKAGE_VERSION,
                     args->id, (int) sb.init.pid);
      if (args->console_fd >= 0)
        close (args->console_fd);
      if (!sync_write (args->sync_fd, msg))
        {
          /* Nobody will record this sandbox: do not leave it running unmanaged. */
          log_error ("sandbox %s: runsc create went away before the container was recorded", args->id);
          kill (sb.init.pid, SIGKILL);
          waitpid (sb.init.pid, NULL, 0);
          return 1;
        }
      close (args->sync_fd);
      detach_stdio ();
      status = supervise (&sb);
      user_log_info ("sandbox %s: stopped (exit status %d)", args->id, status);
      return status;
    }

  {
    g_autofree char *msg = g_strdup_printf ("error %s\n", g_strdelimit (error->message, "\n", ' '));
    log_error ("sandbox %s: %s", args->id, error->message);
    sync_write (args->sync_fd, msg);
    close (args->sync_fd);
    if (sb.spawned && sb.init.pid > 0)
      {
        kill (sb.init.pid, SIGKILL);
        waitpid (sb.init.pid, NULL, 0);
      }
  }
  return 1;
}
