/* runsc exec: run a new process in a running container, served by the container's Sentry.
 *
 * runsc builds the OCI process (--process FILE, or the container's own process with the command line's args and
 * flags), sends it to the Sentry with its stdio (and console socket) over the control socket, and gets back the
 * process's pids and a pidfd. The connection stays open: the Sentry answers on it again with the exit status,
 * and kills the process if the connection goes away first. So the runsc process that holds it lives exactly as
 * long as the exec'd process:
 *   - in the foreground, runsc exec itself: it forwards the signals it gets and exits with the status (128+N
 *     for signal N);
 *   - with --detach, a child of runsc exec (the waiter) that does the same once runsc exec has returned; its pid
 *     is what --pid-file gets, so that a caller that is a subreaper (containerd's shims, conmon) can wait for it
 *     as for its own child, as with gVisor's runsc.
 * --internal-pid-file gets the process's pid inside the container's pid namespace. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/tty-proxy.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/userdb.h"
#include "oci/state.h"
#include "sentry/control.h"
#include "sentry/exec.h"

typedef struct
{
  char *cwd;
  GPtrArray *env;
  char *user;
  GPtrArray *additional_gids;
  GPtrArray *caps;
  gboolean tty;
  char *process_label;
  char *apparmor;
  gboolean no_new_privs;
  gboolean no_new_privs_set;
} ExecOptions;

/* The exec'd process, for the signal handler. */
static volatile int forward_pidfd = -1;

static void
forward_signal (int sig)
{
  int saved = errno;

  if (forward_pidfd >= 0)
    syscall (SYS_pidfd_send_signal, forward_pidfd, sig, NULL, 0);
  errno = saved;
}

/* Forward every signal a caller may send to the process (not the synchronous ones, not SIGCHLD, and not
 * SIGWINCH when our terminal's size is copied instead). */
static void
forward_signals (int pidfd, gboolean keep_winch)
{
  static const int skip[] = { SIGKILL, SIGSTOP, SIGCHLD, SIGURG, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
                              SIGTRAP, SIGABRT, SIGSYS, SIGPIPE, SIGTTIN, SIGTTOU };
  struct sigaction sa;
  int sig;

  forward_pidfd = pidfd;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = forward_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset (&sa.sa_mask);
  for (sig = 1; sig < 32; sig++)
    {
      gboolean skipped = keep_winch && sig == SIGWINCH;
      gsize i;
      for (i = 0; i < G_N_ELEMENTS (skip) && !skipped; i++)
        skipped = skip[i] == sig;
      if (!skipped)
        sigaction (sig, &sa, NULL);
    }
}

/* Block until the Sentry reports the exit; a sandbox that went away first killed the process. */
static int
wait_exit (int conn)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = control_read_reply (conn, NULL, 0, &error);

  if (reply == NULL)
    {
      log_warning ("exec: %s: the sandbox is gone, and the process with it", error->message);
      return 128 + SIGKILL;
    }
  return (int) json_object_get_int_member_with_default (reply, "exit_status", 128 + SIGKILL);
}

static JsonObject *
load_json_object (const char *path, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, error))
    {
      runsc_error_prefix (error, "read %s %s", what, path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "%s %s: expected a JSON object", what, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gboolean
parse_id (const char *s, guint32 *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;
  *out = (guint32) v;
  return TRUE;
}

/* "NET_RAW", "cap_net_raw" -> "CAP_NET_RAW". */
static char *
cap_name (const char *s)
{
  g_autofree char *up = g_ascii_strup (s, -1);

  return g_str_has_prefix (up, "CAP_") ? g_steal_pointer (&up) : g_strconcat ("CAP_", up, NULL);
}

static void
array_add_unique (JsonObject *o, const char *member, const char *value)
{
  JsonArray *a;
  guint i;

  if (!json_object_has_member (o, member) || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, member)))
    json_object_set_array_member (o, member, json_array_new ());
  a = json_object_get_array_member (o, member);
  for (i = 0; i < json_array_get_length (a); i++)
    if (g_strcmp0 (json_array_get_string_element (a, i), value) == 0)
      return;
  json_array_add_string_element (a, value);
}

/* The process from the container's own (the spec runsc create saved) with runc's exec flags applied. */
static JsonObject *
process_from_flags (const RunscState *st, const ExecOptions *o, char **args, GError **error)
{
  g_autoptr (JsonObject) spec = load_json_object (st->config_path, "container spec", error);
  JsonObject *p;
  JsonArray *a;
  guint i;

  if (spec == NULL)
    return NULL;
  if (json_object_has_member (spec, "process") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (spec, "process")))
    p = json_node_get_object (json_node_copy (json_object_get_member (spec, "process")));
  else
    {
      p = json_object_new ();
      json_object_set_string_member (p, "cwd", "/");
    }
  /* Only the root container's init has these. */
  json_object_remove_member (p, "consoleSize");
  json_object_remove_member (p, "oomScoreAdj");

  a = json_array_new ();
  for (i = 0; args[i] != NULL; i++)
    json_array_add_string_element (a, args[i]);
  json_object_set_array_member (p, "args", a);
  if (o->cwd != NULL)
    json_object_set_string_member (p, "cwd", o->cwd);

  /* --env NAME=VALUE replaces NAME (the last one wins, as in runc's process environment). */
  if (o->env->len > 0)
    {
      JsonArray *old = json_object_has_member (p, "env") ? json_object_get_array_member (p, "env") : NULL;
      JsonArray *env = json_array_new ();
      for (i = 0; old != NULL && i < json_array_get_length (old); i++)
        {
          const char *e = json_array_get_string_element (old, i);
          const char *eq = e != NULL ? strchr (e, '=') : NULL;
          gboolean replaced = FALSE;
          for (guint j = 0; j < o->env->len && eq != NULL && !replaced; j++)
            {
              const char *n = o->env->pdata[j];
              replaced = strncmp (n, e, (size_t) (eq - e + 1)) == 0;
            }
          if (e != NULL && !replaced)
            json_array_add_string_element (env, e);
        }
      for (i = 0; i < o->env->len; i++)
        {
          const char *n = o->env->pdata[i];
          if (strchr (n, '=') == NULL || n[0] == '=')
            {
              json_array_unref (env);
              json_object_unref (p);
              runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --env %s: expected NAME=VALUE", n);
              return NULL;
            }
          json_array_add_string_element (env, n);
        }
      json_object_set_array_member (p, "env", env);
    }

  json_object_set_boolean_member (p, "terminal", o->tty);

  if (o->user != NULL || o->additional_gids->len > 0)
    {
      JsonObject *u;
      if (!json_object_has_member (p, "user"))
        json_object_set_object_member (p, "user", json_object_new ());
      u = json_object_get_object_member (p, "user");
      if (o->user != NULL)
        {
          g_auto (GStrv) parts = g_strsplit (o->user, ":", 2);
          guint32 uid = 0, gid = 0;
          if (parse_id (parts[0], &uid) && (parts[1] == NULL || parse_id (parts[1], &gid)))
            {
              /* Numbers: runc's UID[:GID], no lookup. */
              json_object_set_int_member (u, "uid", uid);
              if (parts[1] != NULL)
                json_object_set_int_member (u, "gid", gid);
              if (!json_object_has_member (u, "gid"))
                json_object_set_int_member (u, "gid", 0);
            }
          else
            {
              /* A name: the container's own /etc/passwd and /etc/group, seen through its init's root. */
              g_autofree char *root = g_strdup_printf ("/proc/%d/root", (int) st->init_pid);
              g_autofree gid_t *groups = NULL;
              gsize n_groups = 0;
              uid_t ruid;
              gid_t rgid;

              if (!userdb_resolve (root, o->user, &ruid, &rgid, &groups, &n_groups, error))
                {
                  json_object_unref (p);
                  runsc_error_prefix (error, "--user %s", o->user);
                  return NULL;
                }
              json_object_set_int_member (u, "uid", ruid);
              json_object_set_int_member (u, "gid", rgid);
              /* The user's groups replace the main process's; --additional-gids adds to them. */
              json_object_set_array_member (u, "additionalGids", json_array_new ());
              for (gsize k = 0; k < n_groups; k++)
                json_array_add_int_element (json_object_get_array_member (u, "additionalGids"), groups[k]);
            }
        }
      for (i = 0; i < o->additional_gids->len; i++)
        {
          g_auto (GStrv) gids = g_strsplit (o->additional_gids->pdata[i], ",", -1);
          for (guint j = 0; gids[j] != NULL; j++)
            {
              guint32 gid;
              if (!parse_id (gids[j], &gid))
                {
                  json_object_unref (p);
                  runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --additional-gids %s: expected numbers",
                                   (const char *) o->additional_gids->pdata[i]);
                  return NULL;
                }
              if (!json_object_has_member (u, "additionalGids"))
                json_object_set_array_member (u, "additionalGids", json_array_new ());
              json_array_add_int_element (json_object_get_array_member (u, "additionalGids"), gid);
            }
        }
    }

  if (o->caps->len > 0)
    {
      static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable", "ambient" };
      JsonObject *c;
      if (!json_object_has_member (p, "capabilities"))
        json_object_set_object_member (p, "capabilities", json_object_new ());
      c = json_object_get_object_member (p, "capabilities");
      for (i = 0; i < o->caps->len; i++)
        {
          g_autofree char *name = cap_name (o->caps->pdata[i]);
          for (gsize s = 0; s < G_N_ELEMENTS (sets); s++)
            array_add_unique (c, sets[s], name);
        }
    }
  if (o->no_new_privs_set)
    json_object_set_boolean_member (p, "noNewPrivileges", o->no_new_privs);
  if (o->apparmor != NULL)
    json_object_set_string_member (p, "apparmorProfile", o->apparmor);
  if (o->process_label != NULL)
    json_object_set_string_member (p, "selinuxLabel", o->process_label);
  return p;
}

static gboolean
write_pid_file (const char *path, pid_t pid, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d", (int) pid);

  if (path == NULL || *path == '\0')
    return TRUE;
  if (!runsc_write_file_atomic (path, text, -1, 0644, error))
    return runsc_error_prefix (error, "write pid file");
  return TRUE;
}

/* Our stdio for the process: a closed one becomes /dev/null. */
static void
stdio_fds (int fds[3], int opened[3])
{
  for (int i = 0; i < 3; i++)
    {
      opened[i] = -1;
      fds[i] = i;
      if (fcntl (i, F_GETFD) < 0)
        {
          opened[i] = open ("/dev/null", O_RDWR | O_CLOEXEC);
          fds[i] = opened[i];
        }
    }
}

static void
null_stdio (void)
{
  int fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return;
  for (int i = 0; i < 3; i++)
    dup2 (fd, i);
  close (fd);
}

int
cmd_exec (RunscGlobal *g, int argc, char **argv, GError **error)
{
  ExecOptions o = { 0 };
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) gids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) caps = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *process = NULL, *cwd = NULL, *user = NULL, *console_socket = NULL, *pid_file = NULL;
  g_autofree char *internal_pid_file = NULL, *process_label = NULL, *apparmor = NULL;
  gboolean tty = FALSE, detach = FALSE, no_new_privs = FALSE, ignore_paused = FALSE;
  int preserve_fds = 0;
  const RunscFlag flags[] = {
    { "process", RUNSC_FLAG_STRING, &process, "FILE", "the process to run, as an OCI process JSON object" },
    { "p", RUNSC_FLAG_STRING, &process, "FILE", "same as --process" },
    { "cwd", RUNSC_FLAG_STRING, &cwd, "DIR", "working directory of the process" },
    { "env", RUNSC_FLAG_STRV, env, "NAME=VALUE", "set an environment variable (repeatable)" },
    { "e", RUNSC_FLAG_STRV, env, "NAME=VALUE", "same as --env" },
    { "user", RUNSC_FLAG_STRING, &user, "USER[:GROUP]",
      "user (and group) to run as: numbers, or names from the container's /etc/passwd and /etc/group" },
    { "u", RUNSC_FLAG_STRING, &user, "USER[:GROUP]", "same as --user" },
    { "additional-gids", RUNSC_FLAG_STRV, gids, "GID", "an additional group (repeatable)" },
    { "g", RUNSC_FLAG_STRV, gids, "GID", "same as --additional-gids" },
    { "cap", RUNSC_FLAG_STRV, caps, "CAP", "add a capability (repeatable)" },
    { "c", RUNSC_FLAG_STRV, caps, "CAP", "same as --cap" },
    { "tty", RUNSC_FLAG_BOOL, &tty, NULL, "give the process a terminal" },
    { "t", RUNSC_FLAG_BOOL, &tty, NULL, "same as --tty" },
    { "console-socket", RUNSC_FLAG_STRING, &console_socket, "PATH", "unix socket to send the pty master to" },
    { "detach", RUNSC_FLAG_BOOL, &detach, NULL, "return once the process has started" },
    { "d", RUNSC_FLAG_BOOL, &detach, NULL, "same as --detach" },
    { "pid-file", RUNSC_FLAG_STRING, &pid_file, "FILE",
      "write the pid of the runsc process that lives as long as the exec'd one" },
    { "internal-pid-file", RUNSC_FLAG_STRING, &internal_pid_file, "FILE",
      "write the process's pid in the container's pid namespace" },
    { "process-label", RUNSC_FLAG_STRING, &process_label, "LABEL", "SELinux label (recorded, not applied)" },
    { "apparmor", RUNSC_FLAG_STRING, &apparmor, "PROFILE", "AppArmor profile (recorded, not applied)" },
    { "no-new-privs", RUNSC_FLAG_BOOL, &no_new_privs, NULL, "set no_new_privs for the process" },
    { "preserve-fds", RUNSC_FLAG_INT, &preserve_fds, "N", "pass our descriptors 3 to 3+N-1 on (N at most 12)" },
    { "ignore-paused", RUNSC_FLAG_BOOL, &ignore_paused, NULL, "accepted; a paused container still refuses exec" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (JsonObject) proc = NULL;
  g_autoptr (OciSpec) checked = NULL;
  g_autoptr (JsonObject) req = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (TtyProxy) proxy = NULL;
  autofd int console = -1;
  autofd int conn = -1;
  autofd int pidfd = -1;
  int fds[16], opened[3], rfds[1] = { -1 };
  size_t n_fds;
  gboolean done, terminal;
  const char *status;
  pid_t pid, ns_pid;
  int idx, i;

  /* Did the caller say --no-new-privs at all (runc keeps the spec's value otherwise)? A terminal only with
   * --tty, as in runc. */
  for (i = 1; i < argc && argv[i][0] == '-' && strcmp (argv[i], "--") != 0; i++)
    {
      const char *n = argv[i] + (argv[i][1] == '-' ? 2 : 1);
      if (g_str_has_prefix (n, "no-new-privs"))
        o.no_new_privs_set = TRUE;
    }
  idx = cli_parse (g, flags, argc, argv, 1, -1, "exec [flags] ID [COMMAND [ARG...]]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  o.env = env;
  o.additional_gids = gids;
  o.caps = caps;
  o.cwd = cwd;
  o.user = user;
  o.tty = tty;
  o.no_new_privs = no_new_privs;
  o.apparmor = apparmor;
  o.process_label = process_label;
  cli_set_id (g, argv[idx]);

  /* SCM_RIGHTS carries 16 descriptors: stdio, the console socket and at most 12 more. */
  if (preserve_fds < 0 || preserve_fds > 12)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "--preserve-fds %d: between 0 and 12 descriptors can be passed",
                       preserve_fds);
      return -1;
    }
  for (i = 0; i < preserve_fds; i++)
    if (fcntl (3 + i, F_GETFD) < 0)
      {
        runsc_error_errno (error, errno, "--preserve-fds %d: descriptor %d", preserve_fds, 3 + i);
        return -1;
      }
  if (!cli_load_container (g, argv[idx], FALSE, &d, &st, error))
    return -1;
  status = state_status (d, st, NULL);
  if (strcmp (status, "stopped") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "cannot exec in a stopped container");
      return -1;
    }
  if (strcmp (status, "paused") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "cannot exec in a paused container");
      return -1;
    }

  if (process != NULL)
    proc = load_json_object (process, "process", error);
  else if (argv[idx + 1] == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: no command given (COMMAND or --process FILE)");
      return -1;
    }
  else
    proc = process_from_flags (st, &o, argv + idx + 1, error);
  if (proc == NULL)
    return -1;
  checked = sentry_exec_process_parse (proc, error);
  if (checked == NULL)
    return -1;
  terminal = checked->process->terminal;
  if (terminal && detach && (console_socket == NULL || *console_socket == '\0'))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "cannot allocate a tty for a detached process without --console-socket");
      return -1;
    }
  if (!terminal && console_socket != NULL && *console_socket != '\0')
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "--console-socket needs a process with a terminal (--tty)");
      return -1;
    }
  if (terminal && console_socket != NULL && *console_socket != '\0')
    {
      console = cli_connect_console_socket (console_socket, error);
      if (console < 0)
        return -1;
    }
  else if (terminal)
    {
      /* In the foreground without a console socket: our own terminal, as runsc run does. */
      proxy = tty_proxy_new (&console, error);
      if (proxy == NULL)
        return -1;
    }

  req = control_request_new ("exec", st->id);
  json_object_set_object_member (req, "process", json_object_ref (proc));
  json_object_set_boolean_member (req, "console", console >= 0);
  json_object_set_boolean_member (req, "ignore_paused", ignore_paused);
  json_object_set_int_member (req, "preserve_fds", preserve_fds);
  stdio_fds (fds, opened);
  n_fds = 3;
  if (console >= 0)
    fds[n_fds++] = console;
  for (i = 0; i < preserve_fds; i++)
    fds[n_fds++] = 3 + i;
  conn = control_send_request (d->dirfd, req, fds, n_fds, error);
  for (i = 0; i < 3; i++)
    if (opened[i] >= 0)
      close (opened[i]);
  runsc_close_fd_ptr (&console);
  if (conn < 0)
    return -1;
  reply = control_read_reply (conn, rfds, 1, error);
  pidfd = rfds[0];
  if (reply == NULL)
    return -1;
  if (pidfd < 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "exec: the sandbox sent no pidfd for the process");
      return -1;
    }
  pid = (pid_t) json_object_get_int_member_with_default (reply, "pid", -1);
  ns_pid = (pid_t) json_object_get_int_member_with_default (reply, "ns_pid", pid);
  log_debug ("container %s: exec'd process %d (%d in the container)", st->id, (int) pid, (int) ns_pid);
  if (!write_pid_file (internal_pid_file, ns_pid, error))
    return -1;
  if (proxy != NULL && !tty_proxy_receive (proxy, error))
    return -1; /* our connection closes: the Sentry kills the process */

  if (detach || proxy != NULL)
    {
      /* The waiter: holds the connection and lives exactly as long as the process. */
      pid_t parent = getpid ();
      pid_t waiter = fork ();
      if (waiter < 0)
        {
          runsc_error_errno (error, errno, "fork");
          return -1;
        }
      if (waiter == 0)
        {
          if (proxy != NULL)
            {
              /* Ours in the foreground: it must not outlive us. */
              prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
              if (getppid () != parent)
                _exit (128 + SIGKILL);
            }
          else
            null_stdio (); /* the process has the caller's stdio; we keep none of it open */
          forward_signals (pidfd, FALSE);
          _exit (wait_exit (conn));
        }
      if (detach)
        return write_pid_file (pid_file, waiter, error) ? 0 : -1;
      {
        int wstatus;
        runsc_close_fd_ptr (&conn);
        if (!write_pid_file (pid_file, getpid (), error))
          {
            kill (waiter, SIGKILL);
            waitpid (waiter, NULL, 0);
            return -1;
          }
        forward_signals (pidfd, TRUE);
        wstatus = tty_proxy_run (proxy, waiter);
        forward_pidfd = -1;
        return WIFSIGNALED (wstatus) ? 128 + WTERMSIG (wstatus) : WEXITSTATUS (wstatus);
      }
    }

  /* In the foreground: we are the process's stand-in. */
  if (!write_pid_file (pid_file, getpid (), error))
    return -1;
  forward_signals (pidfd, FALSE);
  return wait_exit (conn);
}
