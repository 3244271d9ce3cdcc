/* The shim's process model (see process.h). */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc-stat.h"
#include "common/util.h"
#include "events.pb-c.h"
#include "shim/console.h"
#include "shim/events.h"
#include "shim/process.h"
#include "shim/reaper.h"
#include "shim/rootfs.h"

#define CONSOLE_TIMEOUT_MS 10000
#define OUTPUT_FLUSH_TIMEOUT_MS 2000

static void process_exited (Process *p, int status);

void
shim_timestamp_set (Google__Protobuf__Timestamp *ts, gint64 us)
{
  ts->seconds = us / G_USEC_PER_SEC;
  ts->nanos = (us % G_USEC_PER_SEC) * 1000;
}

RunscCtx
shim_container_ctx (Container *c)
{
  RunscCtx ctx = { c->opts, c->id, c->bundle };
  return ctx;
}

const char *
shim_process_id (Process *p)
{
  return p->exec_id ? p->exec_id : p->c->id;
}

void
shim_process_free (Process *p)
{
  if (p == NULL)
    return;
  if (p->waiters)
    {
      for (guint i = 0; i < p->waiters->len; i++)
        ttrpc_call_error (g_ptr_array_index (p->waiters, i), GRPC_NOT_FOUND, "process %s deleted: not found",
                          shim_process_id (p));
      g_ptr_array_unref (p->waiters);
    }
  if (p->pid > 0)
    reaper_unwatch (p->pid, p); /* also after a forced delete: the exit may still come */
  if (p->wait_source)
    g_source_remove (p->wait_source);
  if (p->wait_fd >= 0)
    close (p->wait_fd);
  if (p->wait_pid > 0)
    {
      reaper_unwatch (p->wait_pid, p);
      kill (p->wait_pid, SIGKILL);
    }
  if (p->wait_out)
    g_string_free (p->wait_out, TRUE);
  shim_io_free (p->io);
  if (p->spec_path)
    {
      unlink (p->spec_path);
      g_free (p->spec_path);
    }
  g_free (p->exec_id);
  g_free (p->stdin_uri);
  g_free (p->stdout_uri);
  g_free (p->stderr_uri);
  g_free (p);
}

Process *
shim_process_new (Container *c, const char *exec_id, const char *in, const char *out, const char *err,
                  gboolean terminal)
{
  Process *p = g_new0 (Process, 1);
  p->c = c;
  p->exec_id = g_strdup (exec_id);
  p->status = PROC_CREATED;
  p->stdin_uri = g_strdup (in);
  p->stdout_uri = g_strdup (out);
  p->stderr_uri = g_strdup (err);
  p->terminal = terminal;
  p->waiters = g_ptr_array_new ();
  p->wait_fd = -1;
  return p;
}

void
shim_container_unmount_rootfs (Container *c)
{
  if (!c->rootfs_mounted)
    return;
  shim_rootfs_unmount (c->bundle);
  c->rootfs_mounted = FALSE;
}

Container *
shim_container_new (const char *ns, const char *id, const char *bundle)
{
  Container *c = g_new0 (Container, 1);
  c->ns = ns;
  c->id = g_strdup (id);
  c->bundle = g_strdup (bundle);
  c->execs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) shim_process_free);
  c->opts = shim_options_new (ns);
  return c;
}

void
shim_container_free (Container *c)
{
  if (c == NULL)
    return;
  shim_oom_watch_free (c->oom);
  g_hash_table_unref (c->execs);
  shim_process_free (c->init);
  shim_container_unmount_rootfs (c);
  shim_options_free (c->opts);
  g_free (c->id);
  g_free (c->bundle);
  g_free (c);
}

/* ---- exits ---- */

static void
publish_exit (Process *p)
{
  Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

  shim_timestamp_set (&ts, p->exited_at);
  ev.container_id = p->c->id;
  ev.id = (char *) shim_process_id (p);
  ev.pid = p->pid;
  ev.exit_status = p->exit_status;
  ev.exited_at = &ts;
  shim_events_publish (TOPIC_TASK_EXIT, &ev.base);
}

void
shim_process_reply_wait (TtrpcCall *call, Process *p)
{
  Containerd__Task__V2__WaitResponse r = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  shim_timestamp_set (&ts, p->exited_at);
  r.exit_status = p->exit_status;
  r.exited_at = &ts;
  ttrpc_call_reply (call, &r.base);
}

static void
on_oom (gpointer data)
{
  Container *c = data;
  Containerd__Events__TaskOOM ev = CONTAINERD__EVENTS__TASK_OOM__INIT;
  ev.container_id = c->id;
  shim_events_publish (TOPIC_TASK_OOM, &ev.base);
}

void
shim_container_watch_oom (Container *c)
{
  c->oom = shim_oom_watch_new (c->init->pid, on_oom, c);
}

void
shim_process_mark_stopped (Process *p, int status, gint64 at)
{
  p->exited = TRUE;
  p->exit_status = status;
  p->exited_at = at;
  p->status = PROC_STOPPED;
}

void
shim_process_answer_waiters (Process *p)
{
  for (guint i = 0; i < p->waiters->len; i++)
    shim_process_reply_wait (g_ptr_array_index (p->waiters, i), p);
  g_ptr_array_set_size (p->waiters, 0);
}

static void
process_exited (Process *p, int status)
{
  if (p->exited)
    return;
  if (p->exec_id == NULL)
    shim_oom_watch_check (p->c->oom); /* TaskOOM goes out before TaskExit */
  shim_process_mark_stopped (p, status < 0 ? 255 : status, g_get_real_time ());
  log_info ("%s %s (pid %d) exited with status %d", p->exec_id ? "exec" : "container", shim_process_id (p),
            (int) p->pid, p->exit_status);
  if (p->io && !shim_io_wait_output (p->io, OUTPUT_FLUSH_TIMEOUT_MS))
    log_warning ("%s: output still open %d ms after exit", shim_process_id (p), OUTPUT_FLUSH_TIMEOUT_MS);
  publish_exit (p);
  shim_process_answer_waiters (p);

  /* With runc the container's other processes die with its init; mark execs whose pid is gone. */
  if (p->exec_id == NULL)
    {
      GHashTableIter it;
      Process *e;
      g_hash_table_iter_init (&it, p->c->execs);
      while (g_hash_table_iter_next (&it, NULL, (gpointer *) &e))
        if (!e->exited && e->status == PROC_CREATED)
          shim_process_mark_stopped (e, 255, p->exited_at);
    }
}

static void
on_child_exit (pid_t pid, int status, gpointer data)
{
  process_exited (data, status);
}

/* Parse `runsc wait` output: {"id":..,"exitStatus":N} (gVisor's shape), or a bare number. */
static gboolean
parse_wait_output (const char *text, int *status)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  char *end;
  long v;

  if (json_parser_load_from_data (parser, text, -1, NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      if (json_object_has_member (o, "exitStatus"))
        {
          *status = (int) json_object_get_int_member (o, "exitStatus");
          return TRUE;
        }
      return FALSE;
    }
  v = strtol (text, &end, 10);
  if (end != text && *end == '\0')
    {
      *status = (int) v;
      return TRUE;
    }
  return FALSE;
}

static gboolean
on_pidfd_exit (int fd, GIOCondition cond, gpointer data)
{
  Process *p = data;
  p->wait_source = 0;
  close (p->wait_fd);
  p->wait_fd = -1;
  log_warning ("%s %s (pid %d) exited; its status is unknown to the shim", p->exec_id ? "exec" : "container",
               shim_process_id (p), (int) p->pid);
  process_exited (p, 255);
  return G_SOURCE_REMOVE;
}

static void
drain_wait_fd (Process *p)
{
  char buf[4096];
  ssize_t n;
  while ((n = read (p->wait_fd, buf, sizeof buf)) > 0)
    g_string_append_len (p->wait_out, buf, n);
}

static gboolean
on_wait_output (int fd, GIOCondition cond, gpointer data)
{
  Process *p = data;
  drain_wait_fd (p);
  if (cond & (G_IO_HUP | G_IO_ERR))
    {
      p->wait_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_runsc_wait_exit (pid_t pid, int status, gpointer data)
{
  Process *p = data;
  int exit_status;
  int pidfd;

  p->wait_pid = 0;
  drain_wait_fd (p);
  if (p->wait_source)
    g_source_remove (p->wait_source);
  p->wait_source = 0;
  close (p->wait_fd);
  p->wait_fd = -1;
  g_strstrip (p->wait_out->str);
  log_debug ("runsc wait %s: exit %d, output \"%s\"", shim_process_id (p), status, p->wait_out->str);
  if (parse_wait_output (p->wait_out->str, &exit_status))
    {
      process_exited (p, exit_status);
      return;
    }
  /* runsc could not wait for it: at least notice the exit (with an unknown status) instead of never. */
  log_warning ("runsc wait for %s failed (exit %d): %s", shim_process_id (p), status, p->wait_out->str);
  pidfd = (int) syscall (SYS_pidfd_open, p->pid, 0);
  if (pidfd < 0 || !runsc_process_alive (p->pid, p->start_time))
    {
      if (pidfd >= 0)
        close (pidfd);
      process_exited (p, 255);
      return;
    }
  p->wait_fd = pidfd;
  p->wait_source = g_unix_fd_add (pidfd, G_IO_IN, on_pidfd_exit, p);
}

/* The pid of host process pid in its innermost pid namespace (NSpid's last field), or pid. */
static pid_t
innermost_pid (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line, *last;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nNSpid:")) == NULL)
    return pid;
  line += strlen ("\nNSpid:");
  last = line;
  for (const char *q = line; *q && *q != '\n'; q++)
    if ((*q == ' ' || *q == '\t') && q[1] != ' ' && q[1] != '\t' && q[1] != '\n')
      last = q + 1;
  return (pid_t) atoi (last);
}

static gboolean
is_our_child (pid_t pid)
{
  char buf[RUNSC_PROC_STAT_BUF];
  RunscProcStat st;

  return runsc_proc_stat_read (pid, buf, sizeof buf, &st) && st.ppid == getpid ();
}

/* Arrange to learn when p exits: the reaper if it is our child (runsc-sandbox, or with runc the container
 * init), `runsc wait` otherwise (a container inside another container's sandbox). */
gboolean
shim_process_watch (Process *p, GError **error)
{
  int status;

  p->start_time = runsc_process_start_time (p->pid);
  if (reaper_take_exit (p->pid, &status))
    {
      reaper_watch (p->pid, on_child_exit, p); /* delivered from idle */
      return TRUE;
    }
  if (is_our_child (p->pid))
    {
      reaper_watch (p->pid, on_child_exit, p);
      return TRUE;
    }
  {
    /* A process of a container that lives in another container's sandbox, or an exec'd process (the
     * Sentry's child): runsc wait ID, or runsc wait --pid PID ID with the pid in the container's namespace
     * (gVisor's flag), answers with its status. */
    RunscCtx ctx = shim_container_ctx (p->c);
    g_autofree char *nspid = g_strdup_printf ("%d", (int) innermost_pid (p->pid));
    const char *args_init[] = { "wait", p->c->id, NULL };
    const char *args_exec[] = { "wait", "--pid", nspid, p->c->id, NULL };
    p->wait_pid = runsc_start_async (&ctx, p->exec_id ? args_exec : args_init, &p->wait_fd, error);
    if (p->wait_pid < 0)
      return FALSE;
    g_unix_set_fd_nonblocking (p->wait_fd, TRUE, NULL);
    p->wait_out = g_string_new (NULL);
    p->wait_source = g_unix_fd_add (p->wait_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_wait_output, p);
    reaper_watch (p->wait_pid, on_runsc_wait_exit, p);
    log_debug ("%s: pid %d is not the shim's child, using runsc wait", shim_process_id (p), (int) p->pid);
  }
  return TRUE;
}

gboolean
shim_process_launch (Process *p, const char *const *args_in, const char *pid_file, GError **error)
{
  Container *c = p->c;
  RunscCtx ctx = shim_container_ctx (c);
  ShimIOConfig iocfg = { c->id,         c->ns,       p->stdin_uri,    p->stdout_uri,
                         p->stderr_uri, p->terminal, c->opts->io_uid, c->opts->io_gid };
  g_autoptr (ShimConsoleSocket) console = NULL;
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  int fds[3];

  p->io = shim_io_new (&iocfg, error);
  if (p->io == NULL)
    return FALSE;
  if (p->stdin_closed)
    shim_io_close_stdin (p->io);
  for (const char *const *a = args_in; *a; a++)
    {
      if (strcmp (*a, "--") == 0 && p->terminal)
        {
          console = shim_console_socket_new (error);
          if (console == NULL)
            return FALSE;
          g_ptr_array_add (args, (gpointer) "--console-socket");
          g_ptr_array_add (args, (gpointer) shim_console_socket_path (console));
          continue;
        }
      if (strcmp (*a, "--") != 0)
        g_ptr_array_add (args, (gpointer) *a);
    }
  g_ptr_array_add (args, NULL);
  shim_io_process_fds (p->io, fds);
  unlink (pid_file);
  if (!runsc_run (&ctx, (const char *const *) args->pdata, fds, NULL, error))
    return FALSE;
  if (console)
    {
      int master = shim_console_socket_receive (console, CONSOLE_TIMEOUT_MS, error);
      if (master < 0 || !shim_io_start_console (p->io, master, error))
        return FALSE;
    }
  shim_io_start (p->io, NULL);
  p->pid = runsc_read_pid_file (pid_file, error);
  return p->pid > 0;
}

gboolean
shim_exec_id_valid (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 128 || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return FALSE;
  for (const char *s = id; *s; s++)
    if (!g_ascii_isalnum (*s) && !strchr ("-_.+", *s))
      return FALSE;
  return TRUE;
}
