/* runsc do: run a host command in a fresh sandbox, as gVisor's `runsc do` does.
 *
 * The sandbox's root is the host's root filesystem (or --root DIR) as a read-only lower layer under an in-memory
 * upper layer (--overlay2=root:memory), so that nothing the command writes reaches the host; the current
 * directory, the caller's uid, gids and environment are kept; the network is none (loopback only) unless
 * --network=host. The spec is generated into a temporary bundle, the container is created, started and waited
 * for through the same code as runsc run (lifecycle.h), and removed afterwards: state directory, cgroups and
 * the bundle. The host's root is bound into the bundle in a mount namespace of runsc do's own, so no host mount
 * outlives it.
 *
 * Signals: SIGINT, SIGTERM, SIGHUP and SIGQUIT go to every process of the command; if it has not exited
 * DO_GRACE_MS later (a pid-namespace init without a handler ignores them), or on a second such signal, it is
 * killed. The other forwardable signals go to the command's first process.
 *
 * When our stdin is a terminal the command gets one (process.terminal): its pty master comes back to us as to
 * runsc run in the foreground (tty-proxy.h), our terminal is put in raw mode and copied to and from it in the
 * same poll loop as the signals, and SIGWINCH gives it our window size before it is passed on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lifecycle.h"
#include "cli/tty-proxy.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "oci/spec.h"
#include "sentry/control.h"

#define DO_GRACE_MS 3000

extern char **environ;

static int signal_pipe[2] = { -1, -1 };

static void
on_signal (int sig)
{
  unsigned char b = (unsigned char) sig;
  int saved = errno;

  if (write (signal_pipe[1], &b, 1) < 0)
    {
      /* The pipe is full: the signals already queued will do. */
    }
  errno = saved;
}

static const int terminating[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int passed_on[] = { SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

static gboolean
is_terminating (int sig)
{
  for (gsize i = 0; i < G_N_ELEMENTS (terminating); i++)
    if (terminating[i] == sig)
      return TRUE;
  return FALSE;
}

static gboolean
catch_signals (GError **error)
{
  struct sigaction sa;

  if (pipe2 (signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    return runsc_error_errno (error, errno, "create a pipe for signals");
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (terminating); i++)
    sigaction (terminating[i], &sa, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (passed_on); i++)
    sigaction (passed_on[i], &sa, NULL);
  return TRUE;
}

/* An absolute, clean path that exists. */
static char *
resolve (const char *flag, const char *path, GError **error)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);

  if (access (abs, F_OK) < 0)
    {
      runsc_error_errno (error, errno, "--%s %s", flag, path);
      return NULL;
    }
  return g_steal_pointer (&abs);
}

static JsonArray *
string_array (char **strv)
{
  JsonArray *a = json_array_new ();

  for (; strv != NULL && *strv != NULL; strv++)
    json_array_add_string_element (a, *strv);
  return a;
}

/* The spec: runsc spec's default (mounts, masked paths, namespaces, runc's capability set for root) with the
 * command, the caller's identity, environment and directory, the given root (writable: the overlay applies), the
 * host's name, and a terminal when ours is one. */
static char *
make_spec (char **args, const char *rootfs, const char *cwd, gboolean terminal, GError **error)
{
  g_autofree char *json = oci_spec_default_json ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonObject *root, *process, *user, *rootobj;
  JsonArray *gids;
  gid_t groups[256];
  int n_groups, i;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  process = json_object_get_object_member (root, "process");
  json_object_set_boolean_member (process, "terminal", terminal);
  json_object_set_array_member (process, "args", string_array (args));
  json_object_set_array_member (process, "env", string_array (environ));
  json_object_set_string_member (process, "cwd", cwd);
  /* The caller's limits, not runc's default 1024 open files. */
  json_object_remove_member (process, "rlimits");
  user = json_object_new ();
  json_object_set_int_member (user, "uid", getuid ());
  json_object_set_int_member (user, "gid", getgid ());
  gids = json_array_new ();
  n_groups = getgroups (G_N_ELEMENTS (groups), groups);
  for (i = 0; i < n_groups; i++)
    json_array_add_int_element (gids, groups[i]);
  json_object_set_array_member (user, "additionalGids", gids);
  json_object_set_object_member (process, "user", user);
  rootobj = json_object_new ();
  json_object_set_string_member (rootobj, "path", rootfs);
  json_object_set_boolean_member (rootobj, "readonly", FALSE);
  json_object_set_object_member (root, "root", rootobj);
  json_object_set_string_member (root, "hostname", g_get_host_name ());

  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* The host's root filesystem (alone, without the mounts under it) at target, in a mount namespace of our own
 * that the Sentry inherits: nothing of it is left on the host when runsc do and its sandbox are gone. */
static gboolean
bind_host_root (const char *target, GError **error)
{
  if (unshare (CLONE_NEWNS) < 0)
    return runsc_error_errno (error, errno, "unshare the mount namespace");
  if (mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return runsc_error_errno (error, errno, "make / rslave in runsc do's mount namespace");
  if (mount ("/", target, NULL, MS_BIND, NULL) < 0)
    return runsc_error_errno (error, errno, "bind the host's root filesystem on %s", target);
  return TRUE;
}

/* The bundle, and (bound: bind_host_root succeeded) the host's root bound in it. */
static void
remove_bundle (const char *bundle, gboolean bound)
{
  g_autofree char *config = g_build_filename (bundle, "config.json", NULL);
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);

  unlink (config);
  if (bound && umount2 (rootfs, MNT_DETACH) < 0)
    log_warning ("unmount %s: %s", rootfs, g_strerror (errno));
  rmdir (rootfs);
  if (rmdir (bundle) < 0 && errno != ENOENT)
    log_warning ("remove %s: %s", bundle, g_strerror (errno));
}

static void
signal_container (RunscGlobal *g, const char *id, int sig, gboolean all)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StateDir) d = state_dir_open_unlocked (g->root, id, &error);
  g_autoptr (JsonObject) req = control_request_new ("signal", NULL);
  g_autoptr (JsonObject) reply = NULL;

  json_object_set_int_member (req, "signal", sig);
  json_object_set_boolean_member (req, "all", all);
  if (d != NULL)
    reply = control_call (d->dirfd, req, NULL, 0, &error);
  if (reply == NULL)
    log_debug ("container %s: signal %d: %s", id, sig, error->message);
}

/* Wait for the Sentry (our child) to exit, passing signals on. Returns its wait status, or -1 with error. */
static int
wait_sandbox (RunscGlobal *g, const char *id, pid_t sentry, TtyProxy *tty, GError **error)
{
  autofd int pidfd = (int) syscall (SYS_pidfd_open, sentry, 0);
  gint64 deadline = -1;
  int terminations = 0, wstatus;
  gboolean tty_open = tty != NULL;

  if (pidfd < 0)
    {
      runsc_error_errno (error, errno, "pidfd_open of the sandbox process %d", (int) sentry);
      return -1;
    }
  for (;;)
    {
      /* The sandbox, our signals, and with a terminal its master and our stdin. */
      struct pollfd p[4] = { { pidfd, POLLIN, 0 }, { signal_pipe[0], POLLIN, 0 } };
      int timeout = -1, r;
      unsigned char sig;

      if (deadline >= 0)
        timeout = (int) MAX ((deadline - g_get_monotonic_time ()) / 1000, 0);
      if (tty_open)
        tty_proxy_poll_fds (tty, p + 2);
      r = poll (p, tty_open ? 4 : 2, timeout);
      if (r < 0 && errno != EINTR)
        {
          runsc_error_errno (error, errno, "wait for the sandbox process %d", (int) sentry);
          return -1;
        }
      if (r == 0 && deadline >= 0)
        {
          log_info ("runsc do: the command did not exit %d ms after the signal: killing it", DO_GRACE_MS);
          signal_container (g, id, SIGKILL, TRUE);
          deadline = -1;
          continue;
        }
      if (r > 0 && (p[0].revents & POLLIN))
        {
          if (tty_open)
            tty_proxy_drain (tty);
          break;
        }
      if (r > 0 && tty_open && !tty_proxy_pump (tty, p + 2))
        tty_open = FALSE;
      while (r > 0 && (p[1].revents & POLLIN) && read (signal_pipe[0], &sig, 1) == 1)
        {
          if (sig == SIGWINCH && tty != NULL)
            tty_proxy_resize (tty);
          if (!is_terminating (sig))
            signal_container (g, id, sig, FALSE);
          else if (terminations++ == 0)
            {
              signal_container (g, id, sig, TRUE);
              deadline = g_get_monotonic_time () + (gint64) DO_GRACE_MS * 1000;
            }
          else
            {
              signal_container (g, id, SIGKILL, TRUE);
              deadline = -1;
            }
        }
    }
  while (waitpid (sentry, &wstatus, 0) < 0)
    if (errno != EINTR)
      {
        runsc_error_errno (error, errno, "wait for the sandbox process %d", (int) sentry);
        return -1;
      }
  return wstatus;
}

int
cmd_do (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *root_flag = NULL, *cwd_flag = NULL, *ip = NULL;
  g_autofree char *rootfs = NULL, *cwd = NULL, *bundle = NULL, *config = NULL, *spec = NULL, *lower = NULL;
  g_autofree char *id = NULL;
  gboolean quiet = FALSE, force_overlay = TRUE, bound = FALSE, done;
  const RunscFlag flags[] = {
    { "root", RUNSC_FLAG_STRING, &root_flag, "DIR", "root directory of the sandbox (default /, the host's)" },
    { "cwd", RUNSC_FLAG_STRING, &cwd_flag, "DIR", "working directory (default the current directory)" },
    { "ip", RUNSC_FLAG_STRING, &ip, "ADDR", "not supported: gVisor's sandbox network (a veth with NAT)" },
    { "quiet", RUNSC_FLAG_BOOL, &quiet, NULL, "print no warning of runsc do's own" },
    { "force-overlay", RUNSC_FLAG_BOOL, &force_overlay, NULL,
      "in-memory upper layer over the root (default true; false writes to the host's files)" },
    { "", 0, NULL, NULL, NULL },
  };
  CreateOptions o = { 0 };
  g_autoptr (TtyProxy) tty = NULL;
  int tty_child = -1;
  struct stat root_st, cwd_st;
  pid_t sentry;
  int idx, wstatus, attempt;

  idx = cli_parse (g, flags, argc, argv, 1, -1, "do [flags] COMMAND [ARG...]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (geteuid () != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "runsc do: run it as root (it makes a sandbox like runsc run; rootless mode is not "
                       "supported)");
      return -1;
    }
  if (strcmp (g->network, "sandbox") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "runsc do --network=sandbox: not supported (gVisor's veth with NAT to the host's default "
                       "interface); use --network=none (the default) or --network=host");
      return -1;
    }
  if (ip != NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "runsc do --ip %s: not supported: there is no sandbox network to address (only "
                       "--network=none or host)", ip);
      return -1;
    }

  rootfs = resolve ("root", root_flag != NULL ? root_flag : "/", error);
  if (rootfs == NULL)
    return -1;
  cwd = g_canonicalize_filename (cwd_flag != NULL ? cwd_flag : ".", NULL);
  if (strcmp (rootfs, "/") == 0)
    {
      /* Only the root filesystem is the lower layer: a directory on another mount would be empty inside. */
      if (stat ("/", &root_st) < 0 || stat (cwd, &cwd_st) < 0)
        {
          runsc_error_errno (error, errno, "working directory %s", cwd);
          return -1;
        }
      if (root_st.st_dev != cwd_st.st_dev)
        {
          runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                           "working directory %s is on another filesystem than / (a separate mount, which the "
                           "sandbox does not show); use --cwd with a directory of the root filesystem", cwd);
          return -1;
        }
    }
  else
    {
      g_autofree char *inside = g_build_filename (rootfs, cwd, NULL);
      if (!g_file_test (inside, G_FILE_TEST_IS_DIR))
        {
          runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "working directory %s does not exist in root %s", cwd,
                           rootfs);
          return -1;
        }
    }
  g_free (g->overlay2);
  g->overlay2 = g_strdup (force_overlay ? "root:memory" : "none");
  if (!force_overlay && !quiet)
    fprintf (stderr, "runsc do: *** --force-overlay=false: the command can write to %s on the host ***\n", rootfs);

  if (!catch_signals (error))
    return -1;
  bundle = g_build_filename (g_get_tmp_dir (), "runsc-do-XXXXXX", NULL);
  if (g_mkdtemp_full (bundle, 0700) == NULL)
    {
      runsc_error_errno (error, errno, "create a bundle directory in %s", g_get_tmp_dir ());
      return -1;
    }
  if (strcmp (rootfs, "/") == 0)
    {
      lower = g_build_filename (bundle, "rootfs", NULL);
      if (mkdir (lower, 0755) < 0)
        {
          runsc_error_errno (error, errno, "mkdir %s", lower);
          goto fail;
        }
      if (!bind_host_root (lower, error))
        goto fail;
      bound = TRUE;
    }
  /* A terminal for the command when our stdin is one, as gVisor's runsc do decides; not when we run in the
   * background of that terminal, where putting it in raw mode would stop us (SIGTTOU). */
  if (isatty (STDIN_FILENO) && tcgetpgrp (STDIN_FILENO) == getpgrp ())
    {
      tty = tty_proxy_new (&tty_child, error);
      if (tty == NULL)
        goto fail;
    }
  spec = make_spec (argv + idx, lower != NULL ? lower : rootfs, cwd, tty != NULL, error);
  if (spec == NULL)
    goto fail;
  config = g_build_filename (bundle, "config.json", NULL);
  if (!runsc_write_file_atomic (config, spec, -1, 0600, error))
    goto fail;

  o.bundle = bundle;
  o.console_fd = tty_child;
  o.foreground = FALSE; /* its own session: signals reach it through us only */
  o.die_with_parent = TRUE;
  for (attempt = 0;; attempt++)
    {
      g_free (id);
      id = g_strdup_printf ("runsc-%06d", g_random_int_range (0, 1000000));
      cli_set_id (g, id);
      o.id = id;
      sentry = lifecycle_create (g, &o, error);
      if (sentry >= 0 || attempt >= 10 || !g_error_matches (*error, RUNSC_ERROR, RUNSC_ERROR_EXISTS))
        break;
      g_clear_error (error);
    }
  runsc_close_fd_ptr (&tty_child);
  if (sentry < 0)
    goto fail;
  log_debug ("runsc do: container %s, bundle %s", id, bundle);
  if (tty != NULL)
    {
      struct sigaction sa;

      if (!tty_proxy_receive (tty, error))
        {
          lifecycle_remove (g, id);
          goto fail;
        }
      /* tty_proxy_receive took SIGWINCH for itself: it is ours again, to resize and pass on. */
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_signal;
      sa.sa_flags = SA_RESTART;
      sigemptyset (&sa.sa_mask);
      sigaction (SIGWINCH, &sa, NULL);
    }
  if (!lifecycle_start (g, id, error))
    {
      lifecycle_remove (g, id);
      goto fail;
    }
  wstatus = wait_sandbox (g, id, sentry, tty, error);
  lifecycle_remove (g, id);
  remove_bundle (bundle, bound);
  if (wstatus < 0)
    return -1;
  return WIFSIGNALED (wstatus) ? 128 + WTERMSIG (wstatus) : WEXITSTATUS (wstatus);

fail:
  runsc_close_fd_ptr (&tty_child);
  remove_bundle (bundle, bound);
  return -1;
}
