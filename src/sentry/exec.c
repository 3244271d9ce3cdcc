/* runsc exec on the Sentry's side (see exec.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "common/proc-stat.h"
#include "common/util.h"
#include "container/container.h"
#include "sentry/control.h"
#include "sentry/exec.h"
#include "sentry/spawner.h"

/* Exit statuses kept for "wait-pid" after the process is gone. */
#define KEEP_EXITED 256

typedef struct
{
  char *id;        /* the container */
  pid_t pid;       /* host pid */
  pid_t ns_pid;    /* pid in the container's pid namespace */
  int conn;        /* the exec request's connection, -1 once answered or gone */
  GArray *waiters; /* "wait-pid" connections (int) */
  gboolean exited;
  int exit_status;
} ExecProc;

struct SentryExecs
{
  GPtrArray *procs; /* ExecProc *, oldest first */
  SentrySpawner *spawner; /* once the Sentry is confined: who forks the processes (spawner.h) */
};

static void
exec_proc_free (ExecProc *p)
{
  guint i;

  if (p->conn >= 0)
    close (p->conn);
  for (i = 0; i < p->waiters->len; i++)
    close (g_array_index (p->waiters, int, i));
  g_array_unref (p->waiters);
  g_free (p->id);
  g_free (p);
}

SentryExecs *
sentry_execs_new (void)
{
  SentryExecs *x = g_new0 (SentryExecs, 1);

  x->procs = g_ptr_array_new_with_free_func ((GDestroyNotify) exec_proc_free);
  return x;
}

OciSpec *
sentry_exec_process_parse (JsonObject *process, GError **error)
{
  g_autoptr (JsonObject) doc = json_object_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (OciSpec) spec = NULL;
  g_autofree char *text = NULL;
  JsonObject *root = json_object_new ();

  /* The process alone, as the one process of a minimal spec: the spec parser checks every field of it. */
  json_object_set_string_member (doc, "ociVersion", "1.0.2");
  json_object_set_string_member (root, "path", "/");
  json_object_set_object_member (doc, "root", root);
  json_object_set_object_member (doc, "process", json_object_ref (process));
  json_node_set_object (node, doc);
  text = json_to_string (node, FALSE);
  spec = oci_spec_parse (text, -1, error);
  if (spec == NULL || !oci_spec_validate (spec, error))
    {
      runsc_error_prefix (error, "exec process");
      return NULL;
    }
  return g_steal_pointer (&spec);
}

static gboolean
exec_prepare (pid_t pid, void *user_data, GError **error)
{
  const SentryExecTarget *t = user_data;

  /* Every cgroup of its container (a pod member's own are not the Sentry's, which it was forked in), then the
   * freeze cgroup. */
  return t->cgroup == NULL || cgroup_enter_process (t->cgroup, pid, error);
}

/* The process's sandbox filter is installed: serve it at once (its privilege drop goes through the Sentry). */
static gboolean
exec_serve (int notify_fd, pid_t pid, void *user_data, GError **error)
{
  const SentryExecTarget *t = user_data;

  (void) pid;
  return sentry_kernel_serve (t->kernel, notify_fd, t->init_pid, t->id, error);
}

/* The last NSpid of /proc/PID/status: the pid in the innermost pid namespace. */
static pid_t
innermost_pid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line;
  pid_t last = pid;

  if (!runsc_host_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nNSpid:")) == NULL)
    return pid;
  line += strlen ("\nNSpid:");
  while (*line != '\0' && *line != '\n')
    {
      char *end;
      long v = strtol (line, &end, 10);
      if (end == line)
        break;
      last = (pid_t) v;
      line = end;
    }
  return last;
}

static ExecProc *
find_proc (SentryExecs *x, pid_t pid, gboolean live_only)
{
  guint i;

  for (i = x->procs->len; i > 0; i--)
    {
      ExecProc *p = x->procs->pdata[i - 1];
      if (p->pid == pid && (!live_only || !p->exited))
        return p;
    }
  return NULL;
}

static void
prune (SentryExecs *x)
{
  guint exited = 0, i;

  for (i = 0; i < x->procs->len; i++)
    if (((ExecProc *) x->procs->pdata[i])->exited)
      exited++;
  for (i = 0; i < x->procs->len && exited > KEEP_EXITED;)
    {
      ExecProc *p = x->procs->pdata[i];
      if (p->exited && p->waiters->len == 0)
        {
          g_ptr_array_remove_index (x->procs, i);
          exited--;
        }
      else
        i++;
    }
}

/* args[0] of an exec request's process, for the log ("" when it has none). */
static const char *
first_arg (JsonObject *process)
{
  JsonNode *args = process != NULL ? json_object_get_member (process, "args") : NULL;
  JsonArray *a = args != NULL && JSON_NODE_HOLDS_ARRAY (args) ? json_node_get_array (args) : NULL;
  JsonNode *first = a != NULL && json_array_get_length (a) > 0 ? json_array_get_element (a, 0) : NULL;

  return first != NULL && JSON_NODE_HOLDS_VALUE (first) && json_node_get_value_type (first) == G_TYPE_STRING
           ? json_node_get_string (first) : "";
}

/* Check the request and fork the process up to the point where it waits for start (in the spawner once the Sentry
 * is confined, else in the Sentry). */
static gboolean
spawn_process (const SentryExecTarget *t, JsonObject *req, int *fds, size_t n_fds,
               gboolean (*on_listener) (int, pid_t, void *, GError **), ContainerInit *init, GError **error)
{
  JsonObject *process = json_object_get_object_member (req, "process");
  gboolean console = json_object_get_boolean_member_with_default (req, "console", FALSE);
  gint64 n_preserve = json_object_get_int_member_with_default (req, "preserve_fds", 0);
  size_t first_extra = console ? 4 : 3;
  g_autoptr (OciSpec) pspec = NULL;
  ContainerExecArgs a = { 0 };
  size_t i;

  if (process == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: the request has no process");
  pspec = sentry_exec_process_parse (process, error);
  if (pspec == NULL)
    return FALSE;
  for (i = 0; i < 3; i++)
    if (i >= n_fds || fds[i] < 0)
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: stdio descriptors missing");
  if (pspec->process->terminal && (!console || n_fds < 4 || fds[3] < 0))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: process.terminal is set but no console socket came");
  if (n_preserve < 0 || first_extra + (size_t) n_preserve > n_fds)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: %" G_GINT64_FORMAT " preserved descriptors: too many",
                            n_preserve);
  for (i = 0; i < (size_t) n_preserve; i++)
    if (fds[first_extra + i] < 0)
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec: preserved descriptor %zu missing", 3 + i);
  /* Without --net-raw no process of the sandbox has CAP_NET_RAW (as for the init). */
  if (!t->net_raw)
    oci_capabilities_drop (pspec->process->capabilities, "CAP_NET_RAW");

  a.spec = t->spec;
  a.process = pspec->process;
  a.init_pid = t->init_pid;
  a.console_socket = pspec->process->terminal ? fds[3] : -1;
  a.stdio[0] = fds[0];
  a.stdio[1] = fds[1];
  a.stdio[2] = fds[2];
  a.preserve_fds = fds + first_extra;
  a.n_preserve_fds = (gsize) n_preserve;
  a.sandbox_filter = sentry_kernel_filter (t->kernel);
  a.prepare = exec_prepare;
  a.on_listener = on_listener;
  a.user_data = (void *) t;
  /* From the main thread: the process's PR_SET_PDEATHSIG follows the forking thread. */
  if (!container_exec_spawn (&a, init, error))
    return runsc_error_prefix (error, "exec in container %s", t->id);
  return TRUE;
}

gboolean
sentry_exec_spawn_in_spawner (const SentryExecTarget *t, JsonObject *req, int *fds, size_t n_fds, pid_t *pid,
                              int *sync_fd, GError **error)
{
  ContainerInit init = { .pid = -1, .notify_fd = -1, .sync_fd = -1 };

  if (!spawn_process (t, req, fds, n_fds, sentry_spawner_relay_listener, &init, error))
    return FALSE;
  *pid = init.pid;
  *sync_fd = init.sync_fd;
  return TRUE;
}

void
sentry_execs_set_spawner (SentryExecs *x, SentrySpawner *spawner)
{
  x->spawner = spawner;
}

static gboolean
spawn_exec (SentryExecs *x, const SentryExecTarget *t, JsonObject *req, int conn, int *fds, size_t n_fds,
            GError **error)
{
  JsonObject *process = json_object_get_object_member (req, "process");
  g_autoptr (JsonObject) result = json_object_new ();
  ContainerInit init = { .pid = -1, .notify_fd = -1, .sync_fd = -1 };
  autofd int pidfd = -1;
  ExecProc *p;

  if (t->exited)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "cannot exec in a stopped container");
  if (t->paused)
    /* Its first steps would freeze in the container's cgroup before it could report back (even runc's
     * --ignore-paused only queues it): refuse rather than hang. */
    return runsc_error_set (error, RUNSC_ERROR_STATE, "cannot exec in a paused container: resume it first");
  if (x->spawner != NULL)
    {
      /* The Sentry is confined: the spawner forks it (as the Sentry's child), the listener comes back here. */
      g_autoptr (JsonObject) sreq = json_object_new ();
      json_object_set_string_member (sreq, "target", t->id); /* the spawner knows its init (spawner-policy.h) */
      json_object_set_member (sreq, "exec", json_node_init_object (json_node_alloc (), req));
      if (!sentry_spawner_call (x->spawner, "exec", sreq, fds, n_fds, exec_serve, (void *) t, &init.pid,
                                &init.sync_fd, error))
        return FALSE;
    }
  else if (!spawn_process (t, req, fds, n_fds, exec_serve, &init, error))
    return FALSE;
  pidfd = (int) syscall (SYS_pidfd_open, init.pid, 0);
  if (pidfd < 0)
    {
      runsc_error_errno (error, errno, "pidfd_open %d", (int) init.pid);
      goto kill;
    }
  if (!container_start (&init, error))
    {
      /* It reported the error and exits; reap_children collects it. */
      return FALSE;
    }

  p = g_new0 (ExecProc, 1);
  p->id = g_strdup (t->id);
  p->pid = init.pid;
  p->ns_pid = innermost_pid (init.pid);
  p->conn = conn;
  p->waiters = g_array_new (FALSE, FALSE, sizeof (int));
  g_ptr_array_add (x->procs, p);
  log_info ("container %s: exec'd process %d (pid %d in the container): %s", t->id, (int) p->pid, (int) p->ns_pid,
            first_arg (process));

  json_object_set_int_member (result, "pid", p->pid);
  json_object_set_int_member (result, "ns_pid", p->ns_pid);
  if (!control_reply_ok_fds (conn, result, &pidfd, 1))
    {
      /* The client is gone already: its process goes too (reaped and reported as usual). */
      log_info ("container %s: exec'd process %d: the client went away", t->id, (int) p->pid);
      kill (p->pid, SIGKILL);
      close (p->conn);
      p->conn = -1;
    }
  return TRUE;

kill:
  kill (init.pid, SIGKILL);
  if (init.sync_fd >= 0)
    close (init.sync_fd);
  return FALSE;
}

void
sentry_execs_handle_exec (SentryExecs *x, const SentryExecTarget *t, JsonObject *req, int conn, int *fds,
                          size_t n_fds)
{
  g_autoptr (GError) error = NULL;
  size_t i;

  if (!spawn_exec (x, t, req, conn, fds, n_fds, &error))
    {
      log_warning ("container %s: %s", t->id, error->message);
      control_reply_error (conn, error->message);
      close (conn);
    }
  for (i = 0; i < n_fds; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

static void
reply_status (int conn, int code)
{
  g_autoptr (JsonObject) result = json_object_new ();

  json_object_set_int_member (result, "exit_status", code);
  control_reply_ok (conn, result);
  close (conn);
}

gboolean
sentry_execs_handle_wait (SentryExecs *x, const char *id, pid_t pid, int conn)
{
  guint i;

  for (i = x->procs->len; i > 0; i--)
    {
      ExecProc *p = x->procs->pdata[i - 1];
      if (strcmp (p->id, id) != 0 || (p->pid != pid && p->ns_pid != pid))
        continue;
      if (p->exited)
        reply_status (conn, p->exit_status);
      else
        g_array_append_val (p->waiters, conn);
      return TRUE;
    }
  return FALSE;
}

static void
report_exit (ExecProc *p, int code)
{
  guint i;

  p->exited = TRUE;
  p->exit_status = code;
  if (p->conn >= 0)
    {
      reply_status (p->conn, code);
      p->conn = -1;
    }
  for (i = 0; i < p->waiters->len; i++)
    reply_status (g_array_index (p->waiters, int, i), code);
  g_array_set_size (p->waiters, 0);
}

gboolean
sentry_execs_reaped (SentryExecs *x, pid_t pid, int code)
{
  ExecProc *p = find_proc (x, pid, TRUE);

  if (p == NULL)
    return FALSE;
  log_info ("container %s: exec'd process %d exited with status %d", p->id, (int) pid, code);
  report_exit (p, code);
  prune (x);
  return TRUE;
}

void
sentry_execs_add_pids (SentryExecs *x, const char *id, GArray *pids)
{
  g_autoptr (GHashTable) roots = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GHashTable) parent = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GHashTable) have = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter iter;
  gpointer k, v;
  struct dirent *de;
  DIR *proc;
  guint i;

  for (i = 0; i < x->procs->len; i++)
    {
      ExecProc *p = x->procs->pdata[i];
      if (!p->exited && strcmp (p->id, id) == 0)
        g_hash_table_add (roots, GINT_TO_POINTER (p->pid));
    }
  if (g_hash_table_size (roots) == 0)
    return;
  for (i = 0; i < pids->len; i++)
    g_hash_table_add (have, GINT_TO_POINTER (g_array_index (pids, int, i)));

  proc = runsc_host_opendir ("/proc");
  if (proc == NULL)
    return;
  while ((de = readdir (proc)) != NULL)
    {
      char buf[RUNSC_PROC_STAT_BUF];
      RunscProcStat st;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      if (!runsc_proc_stat_read (atoi (de->d_name), buf, sizeof buf, &st) || st.state == 'Z')
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (atoi (de->d_name)), GINT_TO_POINTER (st.ppid));
    }
  closedir (proc);

  /* The exec'd processes first, then their descendants (found by walking each parent chain). */
  g_hash_table_iter_init (&iter, roots);
  while (g_hash_table_iter_next (&iter, &k, NULL))
    if (g_hash_table_contains (parent, k) && !g_hash_table_contains (have, k))
      {
        int pid = GPOINTER_TO_INT (k);
        g_array_append_val (pids, pid);
        g_hash_table_add (have, k);
      }
  g_hash_table_iter_init (&iter, parent);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      int pid = GPOINTER_TO_INT (k), up = GPOINTER_TO_INT (v), depth = 0;

      if (g_hash_table_contains (have, k))
        continue;
      while (up > 1 && !g_hash_table_contains (roots, GINT_TO_POINTER (up)) && depth++ < 4096)
        up = GPOINTER_TO_INT (g_hash_table_lookup (parent, GINT_TO_POINTER (up)));
      if (up > 1 && g_hash_table_contains (roots, GINT_TO_POINTER (up)))
        {
          g_array_append_val (pids, pid);
          g_hash_table_add (have, k);
        }
    }
}

gsize
sentry_execs_poll_fds (SentryExecs *x, struct pollfd *pfd, gsize max)
{
  gsize n = 0;
  guint i;

  for (i = 0; i < x->procs->len && n < max; i++)
    {
      ExecProc *p = x->procs->pdata[i];
      if (p->exited || p->conn < 0)
        continue;
      pfd[n].fd = p->conn;
      pfd[n].events = POLLIN | POLLRDHUP;
      pfd[n].revents = 0;
      n++;
    }
  return n;
}

void
sentry_execs_poll_done (SentryExecs *x, const struct pollfd *pfd, gsize n)
{
  gsize j;
  guint i;

  for (j = 0; j < n; j++)
    {
      if (pfd[j].revents == 0)
        continue;
      for (i = 0; i < x->procs->len; i++)
        {
          ExecProc *p = x->procs->pdata[i];
          if (p->exited || p->conn != pfd[j].fd)
            continue;
          /* The client sends nothing after its request: readable means it hung up. Its process goes with it. */
          log_info ("container %s: the client of exec'd process %d went away; killing it", p->id, (int) p->pid);
          kill (p->pid, SIGKILL);
          close (p->conn);
          p->conn = -1;
          break;
        }
    }
}

void
sentry_execs_sandbox_exited (SentryExecs *x)
{
  guint i;

  for (i = 0; i < x->procs->len; i++)
    {
      ExecProc *p = x->procs->pdata[i];
      if (!p->exited)
        report_exit (p, 128 + SIGKILL);
    }
}
