/* The container lifecycle on runsc's side: create starts the Sentry and waits for its report; start, destroy. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/lifecycle.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-join.h"
#include "container/cgroup.h"
#include "container/container.h"
#include "container/namespaces.h"
#include "container/userns-pool.h"
#include "oci/spec.h"
#include "sentry/control.h"
#include "sentry/user-log.h"
#include "sentry/vfs.h"

#define SENTRY_EXIT_WAIT_MS 10000

static char *
owner_name (void)
{
  struct passwd *pw = getpwuid (geteuid ());
  return g_strdup (pw != NULL ? pw->pw_name : "");
}

gboolean
lifecycle_wait_sentry_gone (const RunscState *st, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  autofd int pidfd = (int) syscall (SYS_pidfd_open, st->sandbox_pid, 0);

  /* A pidfd becomes readable the moment the Sentry exits (a zombie counts as gone, as for
   * runsc_process_alive): no polling interval. Opened before the start-time check, so that it names the Sentry
   * and not a process that reused its pid. */
  if (pidfd >= 0)
    {
      while (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
        {
          gint64 left = deadline - g_get_monotonic_time ();
          struct pollfd p = { pidfd, POLLIN, 0 };
          int r;

          if (left <= 0)
            return FALSE;
          r = poll (&p, 1, (int) MIN (left / 1000 + 1, 100));
          if (r < 0 && errno != EINTR)
            break;
          if (r > 0)
            {
              /* If it is our child (run in the foreground), reap it so that it stops being a process at all. */
              waitpid (st->sandbox_pid, NULL, WNOHANG);
              return TRUE;
            }
        }
      if (!runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
        {
          waitpid (st->sandbox_pid, NULL, WNOHANG);
          return TRUE;
        }
    }
  while (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* If it is our child (run in the foreground), reap it so that it stops being a process at all. */
      waitpid (st->sandbox_pid, NULL, WNOHANG);
      g_usleep (5000);
    }
  return TRUE;
}

static volatile sig_atomic_t create_interrupted;

static void
on_create_signal (int sig)
{
  create_interrupted = sig;
}

/* The signals that end a create while it waits for the Sentry (a user's ^C, timeout(1)'s SIGTERM, a closed
 * terminal): caught, so that the create fails through its clean-up (sandbox killed, cgroups and state directory
 * removed) instead of leaving them behind. */
static const int create_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Wait until fd is readable or one of create_signals arrives. Returns 0, or the signal. */
static int
wait_readable (int fd)
{
  struct sigaction sa, old[G_N_ELEMENTS (create_signals)];
  sigset_t block, orig;
  struct pollfd p = { fd, POLLIN, 0 };
  int sig;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_create_signal; /* no SA_RESTART: ppoll returns EINTR */
  sigemptyset (&sa.sa_mask);
  sigemptyset (&block);
  for (gsize i = 0; i < G_N_ELEMENTS (create_signals); i++)
    sigaddset (&block, create_signals[i]);
  /* Blocked outside ppoll, so that a signal cannot slip in between the check and the wait. */
  sigprocmask (SIG_BLOCK, &block, &orig);
  create_interrupted = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (create_signals); i++)
    sigaction (create_signals[i], &sa, &old[i]);
  while (create_interrupted == 0 && ppoll (&p, 1, NULL, &orig) < 0 && errno == EINTR)
    ;
  sig = create_interrupted;
  for (gsize i = 0; i < G_N_ELEMENTS (create_signals); i++)
    sigaction (create_signals[i], &old[i], NULL);
  sigprocmask (SIG_SETMASK, &orig, NULL);
  return sig;
}

/* Read the Sentry's report from the sync pipe: "created <pid>" or "error <message>". */
static gboolean
read_sync (int fd, pid_t sentry, pid_t *init_pid, GError **error)
{
  GString *buf = g_string_new (NULL);
  g_autofree char *text = NULL;
  char chunk[4096];
  char *nl;

  for (;;)
    {
      ssize_t n;
      int sig = wait_readable (fd);
      if (sig != 0)
        {
          g_string_free (buf, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "interrupted by signal %d (%s) while the sandbox was "
                                  "starting", sig, strsignal (sig));
        }
      n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (buf, chunk, n);
      /* One line; the init may still hold a copy of the write end until it execs. */
      if (memchr (chunk, '\n', (size_t) n) != NULL)
        break;
    }
  text = g_string_free (buf, FALSE);
  nl = strchr (text, '\n');
  if (nl != NULL)
    *nl = '\0';
  if (g_str_has_prefix (text, "created "))
    {
      *init_pid = (pid_t) g_ascii_strtoll (text + 8, NULL, 10);
      return TRUE;
    }
  if (g_str_has_prefix (text, "error "))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s", text + 6);
  {
    int wstatus = 0;
    if (waitpid (sentry, &wstatus, 0) == sentry)
      {
        if (WIFSIGNALED (wstatus))
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "sandbox process killed by signal %d while starting",
                                  WTERMSIG (wstatus));
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "sandbox process exited with status %d while starting",
                                WEXITSTATUS (wstatus));
      }
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "sandbox process failed while starting");
  }
}

/* The pod sandbox a container annotated as a pod member joins: its ID when that sandbox runs here, else NULL
 * (the container then gets a sandbox of its own). */
static char *
pod_sandbox_of (RunscGlobal *g, const OciSpec *spec, const char *id, RunscState **sandbox_state)
{
  const char *type = oci_spec_annotation (spec, "io.kubernetes.cri.container-type");
  const char *sandbox = oci_spec_annotation (spec, "io.kubernetes.cri.sandbox-id");
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;

  if (type == NULL)
    {
      type = oci_spec_annotation (spec, "io.kubernetes.cri-o.ContainerType");
      sandbox = oci_spec_annotation (spec, "io.kubernetes.cri-o.SandboxID");
    }
  if (g_strcmp0 (type, "container") != 0 || sandbox == NULL || strcmp (sandbox, id) == 0)
    return NULL;
  d = state_dir_open_unlocked (g->root, sandbox, NULL);
  if (d != NULL)
    st = state_load (d, NULL);
  if (st == NULL || g_strcmp0 (st->sandbox_id, st->id) != 0
      || !runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      log_info ("container %s: pod sandbox %s is not running here; the container gets a sandbox of its own", id,
                sandbox);
      return NULL;
    }
  *sandbox_state = g_steal_pointer (&st);
  return g_strdup (sandbox);
}

/* Create a subcontainer in the running sandbox sbst (the state directory d is made and locked). */
static pid_t
create_subcontainer (RunscGlobal *g, const CreateOptions *o, StateDir *d, const RunscState *sbst,
                     const char *bundle, const char *config_copy, int fuse, int console, pid_t *init_pid,
                     GError **error)
{
  g_autofree char *link = g_build_filename ("..", sbst->id, STATE_SOCKET_FILE, NULL);
  g_autoptr (JsonObject) req = control_request_new ("create-subcontainer", o->id);
  g_autoptr (JsonObject) reply = NULL;
  int fds[5] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, fuse, console };

  if (symlinkat (link, d->dirfd, STATE_SOCKET_FILE) < 0)
    {
      runsc_error_errno (error, errno, "link %s to the sandbox's control socket", d->path);
      return -1;
    }
  json_object_set_string_member (req, "bundle", bundle);
  json_object_set_string_member (req, "config", config_copy);
  json_object_set_boolean_member (req, "console", console >= 0);
  reply = control_call (d->dirfd, req, fds, console >= 0 ? 5 : 4, error);
  if (reply == NULL)
    return -1;
  *init_pid = (pid_t) json_object_get_int_member_with_default (reply, "init_pid", -1);
  return sbst->sandbox_pid;
}

/* Kill a subcontainer's processes, wait for its init and make its sandbox forget it. */
static gboolean
destroy_subcontainer (StateDir *d, const char *id, GError **error)
{
  g_autoptr (JsonObject) req = control_request_new ("signal", id);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) local = NULL;

  json_object_set_int_member (req, "signal", SIGKILL);
  json_object_set_boolean_member (req, "all", TRUE);
  reply = control_call (d->dirfd, req, NULL, 0, &local);
  if (reply == NULL)
    log_debug ("container %s: kill: %s", id, local->message); /* already stopped */
  g_clear_pointer (&reply, json_object_unref);
  g_clear_error (&local);
  reply = control_call_id (d->dirfd, "wait", id, error);
  if (reply == NULL)
    return FALSE;
  g_clear_pointer (&reply, json_object_unref);
  reply = control_call_id (d->dirfd, "destroy", id, error);
  return reply != NULL;
}

pid_t
lifecycle_create (RunscGlobal *g, const CreateOptions *o, GError **error)
{
  g_autofree char *bundle = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_data = NULL;
  g_autofree char *config_copy = NULL;
  g_autoptr (OciSpec) spec = NULL;
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (GPtrArray) args = NULL;
  g_autoptr (GError) cleanup_error = NULL;
  autofd int console = -1;
  autofd int listener = -1;
  autofd int user_log = -1;
  autofd int fuse = -1;
  int sync_pipe[2] = { -1, -1 };
  int cgroup_fds[16];
  int n_cgroup_fds = 0, i;
  gsize config_len;
  pid_t sentry = -1, init_pid = -1, sub_sandbox_pid = -1, parent;
  gboolean forked_boot;
  g_autofree char *pod_sandbox = NULL;
  g_autoptr (RunscState) sandbox_state = NULL;
  gint64 began = g_get_monotonic_time ();
  uint32_t userns_base = 0;
  gboolean userns_allocated = FALSE;

  /* The user log first, so that it can say why anything after failed. A log for the user is never the reason a
   * workload does not run: without it, say so once, on our log. */
  if (o->user_log != NULL && *o->user_log != '\0')
    {
      g_autoptr (GError) local = NULL;
      user_log = user_log_open (o->user_log, &local);
      if (user_log < 0)
        log_warning ("container %s: %s; the sandbox runs without its user log (its events are in the runsc log "
                     "only)", o->id, local->message);
    }
  bundle = g_canonicalize_filename (o->bundle != NULL ? o->bundle : ".", NULL);
  config = g_build_filename (bundle, "config.json", NULL);
  {
    struct stat sb;
    /* Parsing 100 MB of spec takes a minute and 600 MB, and the state file repeats its annotations for every
     * `runsc state` to parse again: a spec that large is a mistake or an attack. */
    if (stat (config, &sb) == 0 && S_ISREG (sb.st_mode) && sb.st_size > OCI_SPEC_MAX_SIZE)
      {
        runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: %lld bytes, larger than the %d MiB a spec may have",
                         config, (long long) sb.st_size, OCI_SPEC_MAX_SIZE >> 20);
        goto fail_early;
      }
  }
  if (!g_file_get_contents (config, &config_data, &config_len, NULL))
    {
      runsc_error_errno (error, errno, "open %s", config);
      goto fail_early;
    }
  spec = oci_spec_parse (config_data, (gssize) config_len, error);
  if (spec == NULL)
    {
      runsc_error_prefix (error, "%s", config);
      goto fail_early;
    }
  if (!oci_spec_validate (spec, error))
    {
      runsc_error_prefix (error, "%s", config);
      goto fail_early;
    }
  {
    /* As runc ("invalid rootfs: not an absolute path, or a symlink"): a root that is a symlink could lead out of
     * the bundle to anywhere on the host. */
    g_autofree char *rootfs = spec->root_path == NULL ? NULL
                              : g_path_is_absolute (spec->root_path) ? g_strdup (spec->root_path)
                                                                     : g_build_filename (bundle, spec->root_path, NULL);
    struct stat sb;
    if (rootfs != NULL && lstat (rootfs, &sb) == 0 && S_ISLNK (sb.st_mode))
      {
        runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: root.path %s is a symlink: give the real directory",
                         config, rootfs);
        goto fail_early;
      }
  }
  pod_sandbox = pod_sandbox_of (g, spec, o->id, &sandbox_state);
  /* Opened here, outside the sandbox's device cgroup, which does not allow it (src/sentry/vfs.h). */
  fuse = sentry_vfs_open_device (error);
  if (fuse < 0)
    goto fail_early;

  d = state_dir_create (g->root, o->id, error);
  if (d == NULL)
    goto fail_early;

  config_copy = g_build_filename (d->path, STATE_CONFIG_FILE, NULL);
  if (!runsc_write_file_atomic (config_copy, config_data, (gssize) config_len, 0600, error))
    goto fail;
  if (o->console_fd >= 0)
    {
      console = fcntl (o->console_fd, F_DUPFD_CLOEXEC, 3);
      if (console < 0)
        {
          runsc_error_errno (error, errno, "duplicate the console socket");
          goto fail;
        }
    }
  else if (o->console_socket != NULL && *o->console_socket != '\0')
    {
      console = cli_connect_console_socket (o->console_socket, error);
      if (console < 0)
        goto fail;
    }
  if (pod_sandbox != NULL)
    {
      /* Another container of a pod whose sandbox runs here: it joins that Sentry, with a cgroup of its own, which
       * the Sentry puts its processes in (src/container/cgroup.h). */
      g_autofree char *root = g_path_get_dirname (d->path);
      g_autofree char *sandbox_dir = g_build_filename (root, pod_sandbox, NULL);

      if (!cgroup_member_prepare (spec, o->id, g->systemd_cgroup, d->path, sandbox_dir, error))
        goto fail;
      sub_sandbox_pid
          = create_subcontainer (g, o, d, sandbox_state, bundle, config_copy, fuse, console, &init_pid, error);
      if (sub_sandbox_pid < 0)
        goto fail;
      runsc_close_fd_ptr (&console);
      goto record;
    }
  /* A sandbox of its own gets a user namespace of its own, unless the spec brings one or --userns=host
   * (src/container/userns.h). Allocated after the state directory exists: a record whose state directory is
   * gone is reclaimed by the next allocation. */
  if (g_strcmp0 (g->userns, "host") != 0 && namespace_find (spec, "user") == NULL)
    {
      UsernsPool pool;
      if (!userns_pool_parse (g->userns_pool != NULL ? g->userns_pool : USERNS_POOL_DEFAULT, "--userns-pool", &pool,
                              error)
          || !userns_pool_allocate (d->path, &pool, &userns_base, error))
        goto fail;
      userns_allocated = TRUE;
    }
  listener = control_listen (d->dirfd, error);
  if (listener < 0)
    goto fail;
  if (pipe2 (sync_pipe, O_CLOEXEC) < 0)
    {
      runsc_error_errno (error, errno, "create sync pipe");
      goto fail;
    }
  /* The sandbox's cgroup, which the Sentry joins before it runs anything (src/container/cgroup.h). */
  if (!cgroup_sandbox_prepare (spec, o->id, g->systemd_cgroup, d->path, cgroup_fds, G_N_ELEMENTS (cgroup_fds),
                               &n_cgroup_fds, error))
    goto fail;

  /* runsc-sandbox [global flags] boot ... : everything prepared before fork. */
  args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("runsc-sandbox"));
  cli_global_args (g, args);
  g_ptr_array_add (args, g_strdup ("boot"));
  g_ptr_array_add (args, g_strdup_printf ("--id=%s", o->id));
  g_ptr_array_add (args, g_strdup_printf ("--bundle=%s", bundle));
  g_ptr_array_add (args, g_strdup_printf ("--state-dir=%s", d->path));
  g_ptr_array_add (args, g_strdup_printf ("--control-fd=%d", listener));
  g_ptr_array_add (args, g_strdup_printf ("--sync-fd=%d", sync_pipe[1]));
  g_ptr_array_add (args, g_strdup_printf ("--fuse-fd=%d", fuse));
  if (console >= 0)
    g_ptr_array_add (args, g_strdup_printf ("--console-fd=%d", console));
  if (user_log >= 0)
    g_ptr_array_add (args, g_strdup_printf ("--user-log-fd=%d", user_log));
  if (userns_allocated)
    g_ptr_array_add (args, g_strdup_printf ("--userns-base=%u", userns_base));
  g_ptr_array_add (args, NULL);

  /* Born in the cgroup2 cgroup (CLONE_INTO_CGROUP), then joins the v1 ones itself (cgroup-join.h): no RCU grace
   * period, where a move through cgroup.procs waits for one (5-30 ms). */
  parent = getpid ();
  forked_boot = cli_boot_can_fork (); /* src/cli/boot-fork.c; otherwise exec runsc-sandbox */
  sentry = cgroup_fork_into (cgroup_fds, n_cgroup_fds, 0);
  if (sentry < 0)
    {
      runsc_error_errno (error, errno, "fork the sandbox process");
      goto fail;
    }
  if (sentry == 0)
    {
      /* Child: no GLib from here to execve. */
      if (!o->foreground)
        setsid ();
      if (o->die_with_parent && (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent))
        _exit (1);
      fcntl (listener, F_SETFD, 0);
      fcntl (sync_pipe[1], F_SETFD, 0);
      fcntl (fuse, F_SETFD, 0);
      if (console >= 0)
        fcntl (console, F_SETFD, 0);
      if (user_log >= 0)
        fcntl (user_log, F_SETFD, 0);
      if (cgroup_join_fds (cgroup_fds, n_cgroup_fds, sync_pipe[1]) < 0)
        _exit (1);
      if (forked_boot)
        {
          const CliBootParams p = { o->id, bundle, d->path, listener, sync_pipe[1],
                                    console, user_log, fuse, userns_allocated ? userns_base : 0 };
          cli_boot_forked (g, &p);
        }
      execv ("/proc/self/exe", (char **) args->pdata);
      _exit (127);
    }
  close (sync_pipe[1]);
  sync_pipe[1] = -1;
  for (i = 0; i < n_cgroup_fds; i++)
    close (cgroup_fds[i]);
  n_cgroup_fds = 0;
  runsc_close_fd_ptr (&listener);
  runsc_close_fd_ptr (&console);
  runsc_close_fd_ptr (&fuse);

  if (!read_sync (sync_pipe[0], sentry, &init_pid, error))
    goto fail;
  close (sync_pipe[0]);
  sync_pipe[0] = -1;

record:
  st = runsc_state_new ();
  st->id = g_strdup (o->id);
  st->bundle = g_strdup (bundle);
  st->rootfs = oci_spec_rootfs (spec, bundle);
  st->created = runsc_rfc3339_now ();
  st->owner = owner_name ();
  {
    GHashTableIter iter;
    gpointer k, v;
    g_hash_table_iter_init (&iter, spec->annotations);
    while (g_hash_table_iter_next (&iter, &k, &v))
      g_hash_table_insert (st->annotations, g_strdup (k), g_strdup (v));
  }
  if (pod_sandbox != NULL)
    {
      st->sandbox_id = g_strdup (pod_sandbox);
      st->sandbox_pid = sub_sandbox_pid;
      st->sandbox_start_time = sandbox_state->sandbox_start_time;
    }
  else
    {
      st->sandbox_id = g_strdup (o->id);
      st->sandbox_pid = sentry;
      st->sandbox_start_time = runsc_process_start_time (sentry);
      st->start_latency_us = (guint64) MAX (g_get_monotonic_time () - began, 1);
    }
  st->init_pid = init_pid;
  st->config_path = g_strdup (config_copy);
  if (!state_save (d, st, error))
    goto fail;
  if (o->pid_file != NULL && *o->pid_file != '\0')
    {
      /* The sandbox's pid for a root container; a subcontainer's own init pid. */
      g_autofree char *text = g_strdup_printf ("%d", (int) (pod_sandbox != NULL ? init_pid : sentry));
      if (!runsc_write_file_atomic (o->pid_file, text, -1, 0644, error))
        {
          runsc_error_prefix (error, "write pid file");
          goto fail;
        }
    }
  log_debug ("container %s created: sandbox %s, pid %d, init pid %d", o->id, st->sandbox_id, (int) st->sandbox_pid,
             (int) init_pid);
  return pod_sandbox != NULL ? init_pid : sentry;

fail:
  /* The clean-up below opens files: give back the descriptors it does not need first (a create that failed for
   * want of descriptors, EMFILE, must still leave nothing behind). */
  runsc_close_fd_ptr (&listener);
  runsc_close_fd_ptr (&fuse);
  runsc_close_fd_ptr (&console);
  if (pod_sandbox != NULL && init_pid > 0 && !destroy_subcontainer (d, o->id, &cleanup_error))
    {
      log_warning ("container %s: %s", o->id, cleanup_error->message);
      g_clear_error (&cleanup_error);
    }
  if (sync_pipe[0] >= 0)
    close (sync_pipe[0]);
  if (sync_pipe[1] >= 0)
    close (sync_pipe[1]);
  if (sentry > 0)
    {
      kill (sentry, SIGKILL);
      waitpid (sentry, NULL, 0);
    }
  for (i = 0; i < n_cgroup_fds; i++)
    close (cgroup_fds[i]);
  if (!cgroup_destroy_recorded (d->path, &cleanup_error))
    {
      log_warning ("%s", cleanup_error->message);
      g_clear_error (&cleanup_error);
    }
  if (!state_dir_remove (d, &cleanup_error))
    {
      log_warning ("%s", cleanup_error->message);
      g_clear_error (&cleanup_error);
    }
  if (userns_allocated && !userns_pool_release (d->path, &cleanup_error))
    log_warning ("container %s: %s", o->id, cleanup_error->message);
fail_early:
  if (user_log >= 0 && error != NULL && *error != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("create container %s: %s", o->id, (*error)->message);
      user_log_write_fd (user_log, RUNSC_LOG_ERROR, msg);
    }
  return -1;
}

static OciSpec *
load_saved_spec (const RunscState *st, GError **error)
{
  return oci_spec_load_file (st->config_path, error);
}

gboolean
lifecycle_start (RunscGlobal *g, const char *id, GError **error)
{
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (OciSpec) spec = NULL;
  g_autoptr (GError) hook_error = NULL;
  const char *status;

  d = state_dir_open (g->root, id, error);
  if (d == NULL)
    return FALSE;
  st = state_load (d, error);
  if (st == NULL)
    return FALSE;
  status = state_status (d, st, NULL);
  if (strcmp (status, "stopped") == 0)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "cannot start a container that has stopped");
  if (strcmp (status, "running") == 0)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "cannot start an already running container");
  if (strcmp (status, "created") != 0)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "cannot start a container in the %s state", status);
  reply = control_call_id (d->dirfd, "start", id, error);
  if (reply == NULL)
    return FALSE;

  spec = load_saved_spec (st, &hook_error);
  if (spec != NULL && spec->hooks.n_poststart > 0)
    {
      g_autofree char *state_json
          = state_hook_json (st->id, "running", st->init_pid, st->bundle, spec->annotations);
      if (!container_run_hooks (spec->hooks.poststart, spec->hooks.n_poststart, state_json, "poststart",
                                &hook_error))
        log_warning ("container %s: %s", id, hook_error->message);
    }
  else if (spec == NULL)
    log_warning ("container %s: poststart hooks: %s", id, hook_error->message);
  return TRUE;
}

gboolean
lifecycle_destroy (RunscGlobal *g, StateDir *d, const RunscState *st, GError **error)
{
  g_autoptr (OciSpec) spec = NULL;
  g_autoptr (GError) local = NULL;

  if (g_strcmp0 (st->sandbox_id, st->id) != 0)
    {
      /* A subcontainer: its sandbox lives on (the pod's other containers). */
      if (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time)
          && !destroy_subcontainer (d, st->id, &local))
        {
          log_warning ("container %s: %s", st->id, local->message);
          g_clear_error (&local);
        }
    }
  else if (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      g_autoptr (JsonObject) req = json_object_new ();
      g_autoptr (JsonObject) reply = NULL;

      /* Ask the Sentry to kill every process of the container: it then exits, killing what is left. A Sentry
       * that does not answer (stopped, stuck) is killed below. */
      json_object_set_string_member (req, "cmd", "signal");
      json_object_set_int_member (req, "signal", SIGKILL);
      json_object_set_boolean_member (req, "all", TRUE);
      reply = control_call_within (d->dirfd, req, SENTRY_EXIT_WAIT_MS, &local);
      if (reply == NULL)
        log_debug ("container %s: kill through the sandbox: %s", st->id, local->message);
      g_clear_error (&local);
      if (!lifecycle_wait_sentry_gone (st, SENTRY_EXIT_WAIT_MS))
        {
          /* Fail closed: the init has PR_SET_PDEATHSIG(SIGKILL). */
          log_warning ("container %s: sandbox %d did not exit; killing it", st->id, (int) st->sandbox_pid);
          kill (st->sandbox_pid, SIGKILL);
          if (!lifecycle_wait_sentry_gone (st, SENTRY_EXIT_WAIT_MS))
            return runsc_error_set (error, RUNSC_ERROR_FAILED, "container %s: sandbox process %d does not exit",
                                    st->id, (int) st->sandbox_pid);
        }
    }

  spec = load_saved_spec (st, &local);
  if (spec != NULL && spec->hooks.n_poststop > 0)
    {
      g_autofree char *state_json = state_hook_json (st->id, "stopped", 0, st->bundle, spec->annotations);
      if (!container_run_hooks (spec->hooks.poststop, spec->hooks.n_poststop, state_json, "poststop", &local))
        log_warning ("container %s: %s", st->id, local->message);
    }
  g_clear_error (&local);
  if (!cgroup_destroy_recorded (d->path, &local))
    log_warning ("container %s: %s", st->id, local->message);
  g_clear_error (&local);
  {
    /* The sandbox's user namespace range (none for a subcontainer: it shares its sandbox's). */
    g_autofree char *state_dir = g_strdup (d->path);
    if (!state_dir_remove (d, error))
      return FALSE;
    if (g_strcmp0 (st->sandbox_id, st->id) == 0 && !userns_pool_release (state_dir, &local))
      log_warning ("container %s: %s", st->id, local->message);
  }
  return TRUE;
}

void
lifecycle_remove (RunscGlobal *g, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_open (g->root, id, &error);
  g_autoptr (RunscState) st = NULL;

  if (d != NULL)
    st = state_load (d, &error);
  if (st == NULL || !lifecycle_destroy (g, d, st, &error))
    log_warning ("delete container %s: %s", id, error->message);
}
