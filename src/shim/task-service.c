/* The task service (see task-service.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "events.pb-c.h"
#include "shim/bundle.h"
#include "shim/console.h"
#include "shim/events.h"
#include "shim/io.h"
#include "shim/oom.h"
#include "shim/options.h"
#include "shim/reaper.h"
#include "shim/runsc-client.h"
#include "shim/stats.h"
#include "shim/task-service.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

#define TASK_SERVICE_V2 "containerd.task.v2.Task"
#define TASK_SERVICE_V3 "containerd.task.v3.Task"
#define PROCESS_DETAILS_TYPE_URL "containerd.runc.v1.ProcessDetails"
#define CONSOLE_TIMEOUT_MS 10000
#define OUTPUT_FLUSH_TIMEOUT_MS 2000

typedef enum
{
  PROC_CREATED = CONTAINERD__TASK__V2__STATUS__CREATED,
  PROC_RUNNING = CONTAINERD__TASK__V2__STATUS__RUNNING,
  PROC_STOPPED = CONTAINERD__TASK__V2__STATUS__STOPPED,
  PROC_PAUSED = CONTAINERD__TASK__V2__STATUS__PAUSED,
} ProcStatus;

typedef struct Container Container;

typedef struct
{
  Container *c;
  char *exec_id; /* NULL for the init process */
  pid_t pid;
  guint64 start_time;
  ProcStatus status;
  gboolean exited;
  int exit_status;
  gint64 exited_at; /* µs since the epoch */
  char *stdin_uri, *stdout_uri, *stderr_uri;
  gboolean terminal;
  gboolean stdin_closed; /* CloseIO came before the process had its IO */
  ShimIO *io;
  char *spec_path; /* exec: the process JSON */
  GPtrArray *waiters; /* TtrpcCall * */
  /* `runsc wait` for a process that is not our descendant */
  pid_t wait_pid;
  int wait_fd;
  guint wait_source;
  GString *wait_out;
} Process;

struct Container
{
  ShimService *svc;
  char *id;
  char *bundle;
  ShimOptions *opts;
  Process *init;
  GHashTable *execs; /* exec id -> Process */
  gboolean rootfs_mounted;
  ShimOomWatch *oom;
};

struct ShimService
{
  char *ns;
  gboolean log_configured; /* log_path/log_level applied (from the first container that names them) */
  GHashTable *containers; /* id -> Container */
  GSourceFunc on_shutdown;
  gpointer on_shutdown_data;
};

static void process_exited (Process *p, int status);

/* ---- helpers ---- */

static void
set_timestamp (Google__Protobuf__Timestamp *ts, gint64 us)
{
  ts->seconds = us / G_USEC_PER_SEC;
  ts->nanos = (us % G_USEC_PER_SEC) * 1000;
}

static RunscCtx
ctx_for (Container *c)
{
  RunscCtx ctx = { c->opts, c->id, c->bundle };
  return ctx;
}

static const char *
proc_id (Process *p)
{
  return p->exec_id ? p->exec_id : p->c->id;
}

static void
process_free (Process *p)
{
  if (p == NULL)
    return;
  if (p->waiters)
    {
      for (guint i = 0; i < p->waiters->len; i++)
        ttrpc_call_error (g_ptr_array_index (p->waiters, i), GRPC_NOT_FOUND, "process %s deleted: not found",
                          proc_id (p));
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

static Process *
process_new (Container *c, const char *exec_id, const char *in, const char *out, const char *err, gboolean terminal)
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

static void
unmount_rootfs (Container *c)
{
  g_autofree char *rootfs = g_build_filename (c->bundle, "rootfs", NULL);
  if (!c->rootfs_mounted)
    return;
  for (int i = 0; i < 32; i++)
    if (umount2 (rootfs, MNT_DETACH) < 0)
      break;
  c->rootfs_mounted = FALSE;
}

static void
container_free (Container *c)
{
  if (c == NULL)
    return;
  shim_oom_watch_free (c->oom);
  g_hash_table_unref (c->execs);
  process_free (c->init);
  unmount_rootfs (c);
  shim_options_free (c->opts);
  g_free (c->id);
  g_free (c->bundle);
  g_free (c);
}

/* Look up container id; on failure answer call with NOT_FOUND and return NULL. */
static Container *
find_container (ShimService *svc, TtrpcCall *call, const char *id)
{
  Container *c = g_hash_table_lookup (svc->containers, id);

  if (c == NULL)
    ttrpc_call_error (call, GRPC_NOT_FOUND, "container %s: container not created: not found", id);
  return c;
}

/* Whether c's init is still there to take a request; if not, answer call with FAILED_PRECONDITION. */
static gboolean
container_not_stopped (TtrpcCall *call, Container *c)
{
  if (!c->init->exited)
    return TRUE;
  ttrpc_call_error (call, GRPC_FAILED_PRECONDITION, "container %s is stopped", c->id);
  return FALSE;
}

/* Look up id/exec_id; on failure answer call with NOT_FOUND and return NULL. */
static Process *
lookup (ShimService *svc, TtrpcCall *call, const char *id, const char *exec_id, Container **out)
{
  Container *c = find_container (svc, call, id);
  Process *p;

  if (c == NULL)
    return NULL;
  if (out)
    *out = c;
  if (exec_id == NULL || *exec_id == '\0')
    return c->init;
  p = g_hash_table_lookup (c->execs, exec_id);
  if (p == NULL)
    ttrpc_call_error (call, GRPC_NOT_FOUND, "process %s does not exist: not found", exec_id);
  return p;
}

/* Decode a request; on failure answer call with INTERNAL and return NULL. */
static void *
unpack_request (TtrpcCall *call, const ProtobufCMessageDescriptor *desc, const guint8 *data, gsize len)
{
  ProtobufCMessage *m = protobuf_c_message_unpack (desc, NULL, len, data);

  if (m == NULL)
    ttrpc_call_error (call, GRPC_INTERNAL, "%s: unable to decode request", ttrpc_call_method (call));
  return m;
}

static void
free_request (void *pp)
{
  ProtobufCMessage **m = pp;

  if (*m != NULL)
    protobuf_c_message_free_unpacked (*m, NULL);
}

/* A request from unpack_request, freed when the handler returns. */
#define autoreq __attribute__ ((cleanup (free_request)))

/* ---- rootfs ---- */

static const struct
{
  const char *name;
  gboolean clear;
  unsigned long flag;
} mount_flags[] = {
  { "ro", FALSE, MS_RDONLY },       { "rw", TRUE, MS_RDONLY },        { "nosuid", FALSE, MS_NOSUID },
  { "suid", TRUE, MS_NOSUID },      { "nodev", FALSE, MS_NODEV },     { "dev", TRUE, MS_NODEV },
  { "noexec", FALSE, MS_NOEXEC },   { "exec", TRUE, MS_NOEXEC },      { "sync", FALSE, MS_SYNCHRONOUS },
  { "async", TRUE, MS_SYNCHRONOUS }, { "noatime", FALSE, MS_NOATIME }, { "atime", TRUE, MS_NOATIME },
  { "nodiratime", FALSE, MS_NODIRATIME }, { "relatime", FALSE, MS_RELATIME }, { "bind", FALSE, MS_BIND },
  { "rbind", FALSE, MS_BIND | MS_REC }, { "remount", FALSE, MS_REMOUNT }, { "defaults", FALSE, 0 },
};

static gboolean
mount_one (const Containerd__Task__V2__Mount *m, const char *target, GError **error)
{
  unsigned long flags = 0;
  g_autoptr (GString) data = g_string_new (NULL);

  for (size_t i = 0; i < m->n_options; i++)
    {
      gboolean known = FALSE;
      for (size_t j = 0; j < G_N_ELEMENTS (mount_flags); j++)
        if (strcmp (m->options[i], mount_flags[j].name) == 0)
          {
            if (mount_flags[j].clear)
              flags &= ~mount_flags[j].flag;
            else
              flags |= mount_flags[j].flag;
            known = TRUE;
            break;
          }
      if (!known)
        {
          if (data->len)
            g_string_append_c (data, ',');
          g_string_append (data, m->options[i]);
        }
    }
  if (mount (m->source, target, m->type, flags, data->len ? data->str : NULL) < 0)
    return runsc_error_errno (error, errno, "mount %s (%s) on %s", m->source, m->type, target);
  if ((flags & MS_BIND) && (flags & MS_RDONLY)
      && mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    return runsc_error_errno (error, errno, "remount %s read-only", target);
  return TRUE;
}

static gboolean
mount_rootfs (Container *c, Containerd__Task__V2__Mount **mounts, size_t n, GError **error)
{
  g_autofree char *rootfs = g_build_filename (c->bundle, "rootfs", NULL);

  if (n == 0)
    return TRUE;
  if (!runsc_mkdir_p (rootfs, 0711, error))
    return FALSE;
  for (size_t i = 0; i < n; i++)
    {
      if (!mount_one (mounts[i], rootfs, error))
        {
          unmount_rootfs (c);
          return FALSE;
        }
      c->rootfs_mounted = TRUE;
    }
  return TRUE;
}

/* ---- exits ---- */

static void
publish_exit (Process *p)
{
  Containerd__Events__TaskExit ev = CONTAINERD__EVENTS__TASK_EXIT__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

  set_timestamp (&ts, p->exited_at);
  ev.container_id = p->c->id;
  ev.id = (char *) proc_id (p);
  ev.pid = p->pid;
  ev.exit_status = p->exit_status;
  ev.exited_at = &ts;
  shim_events_publish (TOPIC_TASK_EXIT, &ev.base);
}

static void
reply_wait (TtrpcCall *call, Process *p)
{
  Containerd__Task__V2__WaitResponse r = CONTAINERD__TASK__V2__WAIT_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  set_timestamp (&ts, p->exited_at);
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

/* Record that p has stopped with status at time at. */
static void
mark_stopped (Process *p, int status, gint64 at)
{
  p->exited = TRUE;
  p->exit_status = status;
  p->exited_at = at;
  p->status = PROC_STOPPED;
}

/* Answer the Wait calls waiting for p (stopped). */
static void
answer_waiters (Process *p)
{
  for (guint i = 0; i < p->waiters->len; i++)
    reply_wait (g_ptr_array_index (p->waiters, i), p);
  g_ptr_array_set_size (p->waiters, 0);
}

static void
process_exited (Process *p, int status)
{
  if (p->exited)
    return;
  if (p->exec_id == NULL)
    shim_oom_watch_check (p->c->oom); /* TaskOOM goes out before TaskExit */
  mark_stopped (p, status < 0 ? 255 : status, g_get_real_time ());
  log_info ("%s %s (pid %d) exited with status %d", p->exec_id ? "exec" : "container", proc_id (p), (int) p->pid,
            p->exit_status);
  if (p->io && !shim_io_wait_output (p->io, OUTPUT_FLUSH_TIMEOUT_MS))
    log_warning ("%s: output still open %d ms after exit", proc_id (p), OUTPUT_FLUSH_TIMEOUT_MS);
  publish_exit (p);
  answer_waiters (p);

  /* With runc the container's other processes die with its init; mark execs whose pid is gone. */
  if (p->exec_id == NULL)
    {
      GHashTableIter it;
      Process *e;
      g_hash_table_iter_init (&it, p->c->execs);
      while (g_hash_table_iter_next (&it, NULL, (gpointer *) &e))
        if (!e->exited && e->status == PROC_CREATED)
          mark_stopped (e, 255, p->exited_at);
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
               proc_id (p), (int) p->pid);
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
  log_debug ("runsc wait %s: exit %d, output \"%s\"", proc_id (p), status, p->wait_out->str);
  if (parse_wait_output (p->wait_out->str, &exit_status))
    {
      process_exited (p, exit_status);
      return;
    }
  /* runsc could not wait for it: at least notice the exit (with an unknown status) instead of never. */
  log_warning ("runsc wait for %s failed (exit %d): %s", proc_id (p), status, p->wait_out->str);
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
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *rp;
  int ppid = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  rp = strrchr (text, ')');
  if (rp == NULL || sscanf (rp + 1, " %*c %d", &ppid) != 1)
    return FALSE;
  return ppid == getpid ();
}

/* Arrange to learn when p exits: the reaper if it is our child (runsc-sandbox, or with runc the container
 * init), `runsc wait` otherwise (a container inside another container's sandbox). */
static gboolean
watch_process (Process *p, GError **error)
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
    RunscCtx ctx = ctx_for (p->c);
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
    log_debug ("%s: pid %d is not the shim's child, using runsc wait", proc_id (p), (int) p->pid);
  }
  return TRUE;
}

/* Run runsc create/exec for p with its IO and console; on success p->pid is set. In args_in, "--" marks where
 * --console-socket goes when the process has a terminal (it is dropped otherwise). */
static gboolean
launch (Process *p, const char *const *args_in, const char *pid_file, GError **error)
{
  Container *c = p->c;
  RunscCtx ctx = ctx_for (c);
  ShimIOConfig iocfg = { c->id, c->svc->ns, p->stdin_uri, p->stdout_uri, p->stderr_uri, p->terminal,
                         c->opts->io_uid, c->opts->io_gid };
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

/* gVisor's convention: a CRI pod sandbox with a log directory gets runsc's user log there as gvisor.log
 * (runsc create --user-log). Only for a runsc binary: runc has no such flag. */
static char *
user_log_for (Container *c)
{
  g_autofree char *base = g_path_get_basename (c->opts->binary_name);
  g_autofree char *type = NULL;
  g_autofree char *dir = NULL;

  if (!g_str_has_prefix (base, "runsc"))
    return NULL;
  type = shim_bundle_annotation (c->bundle, "io.kubernetes.cri.container-type");
  if (type != NULL && strcmp (type, "sandbox") != 0)
    return NULL;
  dir = shim_bundle_annotation (c->bundle, "io.kubernetes.cri.sandbox-log-directory");
  if (dir == NULL || *dir == '\0')
    return NULL;
  return g_build_filename (dir, "gvisor.log", NULL);
}

/* gVisor's log_path and log_level are the shim's own: the first container whose options name them sets them
 * (one shim serves a pod; %ID% is that container's id). The lines still go to containerd's log FIFO too. */
static void
apply_log_options (ShimService *svc, Container *c)
{
  g_autofree char *path = shim_options_log_path (c->opts, c->id);
  gboolean debug = g_strcmp0 (c->opts->log_level, "debug") == 0 || g_strcmp0 (c->opts->log_level, "trace") == 0;

  if (svc->log_configured || (path == NULL && c->opts->log_level == NULL))
    return;
  svc->log_configured = TRUE;
  if (debug)
    runsc_log_init (NULL, RUNSC_LOG_FORMAT_TEXT, TRUE, NULL);
  if (path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autoptr (GError) error = NULL;
      int fd;

      if (!runsc_mkdir_p (dir, 0755, &error))
        {
          log_warning ("shim log %s: %s", path, error->message);
          return;
        }
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0)
        {
          log_warning ("open shim log %s: %s", path, g_strerror (errno));
          return;
        }
      runsc_log_set_debug_fd (fd);
      log_info ("shim log for %s in %s", c->id, path);
    }
}

/* ---- handlers ---- */

static void
handle_create (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__CreateTaskRequest *req
      = unpack_request (call, &containerd__task__v2__create_task_request__descriptor, data, len);
  Containerd__Task__V2__CreateTaskResponse resp = CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
  Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
  Containerd__Events__TaskIO evio = CONTAINERD__EVENTS__TASK_IO__INIT;
  g_autoptr (GError) error = NULL;
  g_autofree char *pid_file = NULL;
  Container *c;

  if (req == NULL)
    return;
  if (g_hash_table_contains (svc->containers, req->id))
    {
      ttrpc_call_error (call, GRPC_ALREADY_EXISTS, "container %s: already exists", req->id);
      return;
    }
  if (req->checkpoint && *req->checkpoint)
    {
      ttrpc_call_error (call, GRPC_UNIMPLEMENTED, "restore from checkpoint is not supported by runsc");
      return;
    }
  c = g_new0 (Container, 1);
  c->svc = svc;
  c->id = g_strdup (req->id);
  c->bundle = g_strdup (req->bundle);
  c->execs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) process_free);
  c->opts = shim_options_new (svc->ns);
  if (req->options
      && !shim_options_apply_any_parts (c->opts, req->options->type_url, req->options->value.data,
                                        req->options->value.len, svc->ns, &error))
    {
      ttrpc_call_error (call, GRPC_INVALID_ARGUMENT, "runtime options: %s", error->message);
      container_free (c);
      return;
    }
  apply_log_options (svc, c);
  c->init = process_new (c, NULL, req->stdin, req->stdout, req->stderr, req->terminal);
  pid_file = g_build_filename (c->bundle, "init.pid", NULL);
  if (!mount_rootfs (c, req->rootfs, req->n_rootfs, &error) || !shim_options_save (c->opts, c->bundle, &error)
      || !runsc_mkdir_p (c->opts->root, 0711, &error))
    {
      ttrpc_call_reply_error (call, error);
      container_free (c);
      return;
    }
  {
    g_autofree char *user_log = user_log_for (c);
    g_autoptr (GPtrArray) args = g_ptr_array_new ();
    const char *fixed[] = { "create", "--bundle", c->bundle, "--pid-file", pid_file, "--" /* console */, NULL };

    for (const char **a = fixed; *a; a++)
      g_ptr_array_add (args, (gpointer) *a);
    if (user_log)
      {
        g_ptr_array_add (args, (gpointer) "--user-log");
        g_ptr_array_add (args, user_log);
      }
    g_ptr_array_add (args, c->id);
    g_ptr_array_add (args, NULL);
    if (!launch (c->init, (const char *const *) args->pdata, pid_file, &error) || !watch_process (c->init, &error))
      {
        RunscCtx ctx = ctx_for (c);
        const char *del[] = { "delete", "--force", c->id, NULL };
        runsc_run (&ctx, del, NULL, NULL, NULL);
        ttrpc_call_reply_error (call, error);
        container_free (c);
        return;
      }
  }
  c->oom = shim_oom_watch_new (c->init->pid, on_oom, c);
  g_hash_table_insert (svc->containers, c->id, c);

  ev.container_id = c->id;
  ev.bundle = c->bundle;
  ev.n_rootfs = req->n_rootfs;
  ev.rootfs = req->rootfs;
  evio.stdin = req->stdin;
  evio.stdout = req->stdout;
  evio.stderr = req->stderr;
  evio.terminal = req->terminal;
  ev.io = &evio;
  ev.checkpoint = req->checkpoint;
  ev.pid = c->init->pid;
  shim_events_publish (TOPIC_TASK_CREATE, &ev.base);

  resp.pid = c->init->pid;
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_start (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__StartRequest *req
      = unpack_request (call, &containerd__task__v2__start_request__descriptor, data, len);
  Containerd__Task__V2__StartResponse resp = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
  g_autoptr (GError) error = NULL;
  Container *c = NULL;
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, &c);
  if (p == NULL)
    return;
  if (p->status != PROC_CREATED || p->exited)
    {
      ttrpc_call_error (call, GRPC_FAILED_PRECONDITION, "process %s: cannot start a %s process", proc_id (p),
                        p->exited ? "stopped" : "running");
      return;
    }
  if (p->exec_id == NULL)
    {
      RunscCtx ctx = ctx_for (c);
      const char *args[] = { "start", c->id, NULL };
      Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
      if (!runsc_run (&ctx, args, NULL, NULL, &error))
        {
          ttrpc_call_reply_error (call, error);
          return;
        }
      p->status = PROC_RUNNING;
      ev.container_id = c->id;
      ev.pid = p->pid;
      shim_events_publish (TOPIC_TASK_START, &ev.base);
    }
  else
    {
      g_autofree char *pid_file = g_build_filename (c->bundle, "exec-pids", p->exec_id, NULL);
      g_autofree char *dir = g_path_get_dirname (pid_file);
      const char *args[] = { "exec", "--detach", "--pid-file", pid_file, "--process", p->spec_path, "--", c->id, NULL };
      Containerd__Events__TaskExecStarted ev = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;

      if (!container_not_stopped (call, c))
        return;
      if (!runsc_mkdir_p (dir, 0700, &error) || !launch (p, args, pid_file, &error) || !watch_process (p, &error))
        {
          /* Close the client's FIFOs so that it sees the end of the output, as after an exit. */
          shim_io_free (p->io);
          p->io = NULL;
          ttrpc_call_reply_error (call, error);
          return;
        }
      unlink (pid_file);
      p->status = PROC_RUNNING;
      ev.container_id = c->id;
      ev.exec_id = p->exec_id;
      ev.pid = p->pid;
      shim_events_publish (TOPIC_TASK_EXEC_STARTED, &ev.base);
    }
  resp.pid = p->pid;
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_delete (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__DeleteRequest *req
      = unpack_request (call, &containerd__task__v2__delete_request__descriptor, data, len);
  Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  g_autoptr (GError) error = NULL;
  Container *c = NULL;
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, &c);
  if (p == NULL)
    return;
  if (!p->exited && p->status != PROC_CREATED)
    {
      ttrpc_call_error (call, GRPC_FAILED_PRECONDITION, "process %s: cannot delete a running process",
                        proc_id (p));
      return;
    }
  if (p->exec_id == NULL)
    {
      RunscCtx ctx = ctx_for (c);
      const char *args[] = { "delete", c->id, NULL };
      const char *args_force[] = { "delete", "--force", c->id, NULL };
      Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
      Google__Protobuf__Timestamp evts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
      gboolean ok;

      /* As runc's shim: a plain delete once the task has exited, --force for one that never started (or
       * when the plain one is refused). */
      ok = runsc_run (&ctx, p->exited ? args : args_force, NULL, NULL, &error);
      if (!ok && p->exited && !g_error_matches (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
        {
          log_debug ("%s; retrying with --force", error->message);
          g_clear_error (&error);
          ok = runsc_run (&ctx, args_force, NULL, NULL, &error);
        }
      if (!ok && !g_error_matches (error, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
        {
          ttrpc_call_reply_error (call, error);
          return;
        }
      if (!p->exited)
        {
          /* A created task that never ran: runc's shim reports it as killed. */
          mark_stopped (p, 128 + SIGKILL, g_get_real_time ());
          answer_waiters (p);
        }
      unmount_rootfs (c);
      set_timestamp (&evts, p->exited_at);
      ev.container_id = c->id;
      ev.pid = p->pid;
      ev.exit_status = p->exit_status;
      ev.exited_at = &evts;
      shim_events_publish (TOPIC_TASK_DELETE, &ev.base);
    }
  set_timestamp (&ts, p->exited_at ? p->exited_at : g_get_real_time ());
  resp.pid = p->pid;
  resp.exit_status = p->exit_status;
  resp.exited_at = &ts;
  ttrpc_call_reply (call, &resp.base);
  if (p->exec_id)
    g_hash_table_remove (c->execs, p->exec_id);
  else
    {
      g_hash_table_steal (svc->containers, c->id);
      container_free (c);
    }
}

static gboolean
valid_exec_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 128 || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return FALSE;
  for (const char *s = id; *s; s++)
    if (!g_ascii_isalnum (*s) && !strchr ("-_.+", *s))
      return FALSE;
  return TRUE;
}

static void
handle_exec (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__ExecProcessRequest *req
      = unpack_request (call, &containerd__task__v2__exec_process_request__descriptor, data, len);
  Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
  g_autoptr (GError) error = NULL;
  Container *c;
  Process *p;

  if (req == NULL)
    return;
  c = find_container (svc, call, req->id);
  if (c == NULL)
    return;
  if (!valid_exec_id (req->exec_id))
    {
      ttrpc_call_error (call, GRPC_INVALID_ARGUMENT, "invalid exec id \"%s\"", req->exec_id);
      return;
    }
  if (g_hash_table_contains (c->execs, req->exec_id))
    {
      ttrpc_call_error (call, GRPC_ALREADY_EXISTS, "id %s: already exists", req->exec_id);
      return;
    }
  if (!container_not_stopped (call, c))
    return;
  if (req->spec == NULL || req->spec->value.len == 0)
    {
      ttrpc_call_error (call, GRPC_INVALID_ARGUMENT, "exec %s: no process spec", req->exec_id);
      return;
    }
  p = process_new (c, req->exec_id, req->stdin, req->stdout, req->stderr, req->terminal);
  p->spec_path = g_strdup_printf ("%s/exec-%s.json", c->bundle, req->exec_id);
  if (!runsc_write_file_atomic (p->spec_path, (const char *) req->spec->value.data, req->spec->value.len, 0600,
                                &error))
    {
      ttrpc_call_reply_error (call, error);
      process_free (p);
      return;
    }
  g_hash_table_insert (c->execs, p->exec_id, p);
  ev.container_id = c->id;
  ev.exec_id = p->exec_id;
  shim_events_publish (TOPIC_TASK_EXEC_ADDED, &ev.base);
  ttrpc_call_reply (call, NULL);
}

static void
handle_resize_pty (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__ResizePtyRequest *req
      = unpack_request (call, &containerd__task__v2__resize_pty_request__descriptor, data, len);
  g_autoptr (GError) error = NULL;
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, NULL);
  if (p == NULL)
    return;
  if (p->io && shim_io_console (p->io) >= 0
      && !shim_console_resize (shim_io_console (p->io), req->width, req->height, &error))
    ttrpc_call_reply_error (call, error);
  else
    ttrpc_call_reply (call, NULL);
}

static void
handle_state (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__StateRequest *req
      = unpack_request (call, &containerd__task__v2__state_request__descriptor, data, len);
  Containerd__Task__V2__StateResponse resp = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  Container *c = NULL;
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, &c);
  if (p == NULL)
    return;
  resp.id = (char *) proc_id (p);
  resp.bundle = c->bundle;
  resp.pid = p->pid;
  resp.status = (Containerd__Task__V2__Status) p->status;
  resp.stdin = p->stdin_uri ? p->stdin_uri : (char *) "";
  resp.stdout = p->stdout_uri ? p->stdout_uri : (char *) "";
  resp.stderr = p->stderr_uri ? p->stderr_uri : (char *) "";
  resp.terminal = p->terminal;
  resp.exec_id = p->exec_id ? p->exec_id : (char *) "";
  if (p->exited)
    {
      resp.exit_status = p->exit_status;
      set_timestamp (&ts, p->exited_at);
      resp.exited_at = &ts;
    }
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_pause_resume (TtrpcCall *call, const char *id, ShimService *svc, gboolean pause)
{
  g_autoptr (GError) error = NULL;
  Container *c = find_container (svc, call, id);
  RunscCtx ctx;
  const char *args[] = { pause ? "pause" : "resume", id, NULL };

  if (c == NULL || !container_not_stopped (call, c))
    return;
  ctx = ctx_for (c);
  if (!runsc_run (&ctx, args, NULL, NULL, &error))
    {
      ttrpc_call_reply_error (call, error);
      return;
    }
  c->init->status = pause ? PROC_PAUSED : PROC_RUNNING;
  if (pause)
    {
      Containerd__Events__TaskPaused ev = CONTAINERD__EVENTS__TASK_PAUSED__INIT;
      ev.container_id = c->id;
      shim_events_publish (TOPIC_TASK_PAUSED, &ev.base);
    }
  else
    {
      Containerd__Events__TaskResumed ev = CONTAINERD__EVENTS__TASK_RESUMED__INIT;
      ev.container_id = c->id;
      shim_events_publish (TOPIC_TASK_RESUMED, &ev.base);
    }
  ttrpc_call_reply (call, NULL);
}

static void
handle_pause (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  autoreq Containerd__Task__V2__PauseRequest *req
      = unpack_request (call, &containerd__task__v2__pause_request__descriptor, data, len);
  if (req == NULL)
    return;
  handle_pause_resume (call, req->id, user_data, TRUE);
}

static void
handle_resume (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  autoreq Containerd__Task__V2__ResumeRequest *req
      = unpack_request (call, &containerd__task__v2__resume_request__descriptor, data, len);
  if (req == NULL)
    return;
  handle_pause_resume (call, req->id, user_data, FALSE);
}

/* A kill the runtime refused because the process had exited a moment before, while its exit is not reaped yet
 * (the reaper runs on the main loop, which this synchronous call holds): containerd must get NotFound, as from
 * runc's shim, which recognises the same answers. */
static gboolean
kill_missed_exit (const Process *p, const GError *error)
{
  static const char *const gone[] = { "container not running", "not running", "no such process",
                                      "process already finished", "does not exist" };

  if (p->pid > 0 && !runsc_process_alive (p->pid, p->start_time))
    return TRUE;
  for (gsize i = 0; error != NULL && i < G_N_ELEMENTS (gone); i++)
    if (strstr (error->message, gone[i]) != NULL)
      return TRUE;
  return FALSE;
}

static void
handle_kill (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__KillRequest *req
      = unpack_request (call, &containerd__task__v2__kill_request__descriptor, data, len);
  g_autoptr (GError) error = NULL;
  Container *c = NULL;
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, &c);
  if (p == NULL)
    return;
  if (p->exited)
    {
      ttrpc_call_error (call, GRPC_NOT_FOUND, "process already finished: not found");
      return;
    }
  if (p->exec_id == NULL)
    {
      RunscCtx ctx = ctx_for (c);
      g_autofree char *sig = g_strdup_printf ("%u", req->signal);
      const char *args_all[] = { "kill", "--all", c->id, sig, NULL };
      const char *args[] = { "kill", c->id, sig, NULL };
      if (!runsc_run (&ctx, req->all ? args_all : args, NULL, NULL, &error))
        {
          if (p->exited || kill_missed_exit (p, error))
            ttrpc_call_error (call, GRPC_NOT_FOUND, "process already finished: not found");
          else
            ttrpc_call_reply_error (call, error);
          return;
        }
    }
  else
    {
      if (p->pid <= 0)
        {
          ttrpc_call_error (call, GRPC_FAILED_PRECONDITION, "process %s not started", p->exec_id);
          return;
        }
      if (!runsc_process_alive (p->pid, p->start_time) || kill (p->pid, (int) req->signal) < 0)
        {
          ttrpc_call_error (call, GRPC_NOT_FOUND, "process already finished: not found");
          return;
        }
    }
  ttrpc_call_reply (call, NULL);
}

static void
handle_pids (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__PidsRequest *req
      = unpack_request (call, &containerd__task__v2__pids_request__descriptor, data, len);
  Containerd__Task__V2__PidsResponse resp = CONTAINERD__TASK__V2__PIDS_RESPONSE__INIT;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) anys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) packed = g_ptr_array_new_with_free_func (g_free);
  Container *c;
  RunscCtx ctx;
  JsonArray *a;

  if (req == NULL)
    return;
  c = find_container (svc, call, req->id);
  if (c == NULL)
    return;
  ctx = ctx_for (c);
  {
    const char *args[] = { "ps", "--format", "json", c->id, NULL };
    if (!runsc_run (&ctx, args, NULL, &out, &error))
      {
        ttrpc_call_reply_error (call, error);
        return;
      }
  }
  if (!json_parser_load_from_data (parser, out, -1, NULL) || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      ttrpc_call_error (call, GRPC_UNKNOWN, "runsc ps: output is not a JSON array");
      return;
    }
  a = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      Containerd__Task__V2__ProcessInfo *info = g_new0 (Containerd__Task__V2__ProcessInfo, 1);
      GHashTableIter it;
      Process *e;

      containerd__task__v2__process_info__init (info);
      info->pid = (uint32_t) json_array_get_int_element (a, i);
      g_hash_table_iter_init (&it, c->execs);
      while (g_hash_table_iter_next (&it, NULL, (gpointer *) &e))
        if (e->pid > 0 && (uint32_t) e->pid == info->pid)
          {
            Containerd__Task__V2__ProcessDetails d = CONTAINERD__TASK__V2__PROCESS_DETAILS__INIT;
            Google__Protobuf__Any *any = g_new0 (Google__Protobuf__Any, 1);
            size_t n;
            guint8 *buf;

            google__protobuf__any__init (any);
            d.exec_id = e->exec_id;
            n = protobuf_c_message_get_packed_size (&d.base);
            buf = g_malloc (n + 1);
            protobuf_c_message_pack (&d.base, buf);
            any->type_url = (char *) PROCESS_DETAILS_TYPE_URL;
            any->value.data = buf;
            any->value.len = n;
            info->info = any;
            g_ptr_array_add (anys, any);
            g_ptr_array_add (packed, buf);
            break;
          }
      g_ptr_array_add (infos, info);
    }
  resp.n_processes = infos->len;
  resp.processes = (Containerd__Task__V2__ProcessInfo **) infos->pdata;
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_close_io (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__CloseIORequest *req
      = unpack_request (call, &containerd__task__v2__close_iorequest__descriptor, data, len);
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, NULL);
  if (p == NULL)
    return;
  if (req->stdin)
    {
      p->stdin_closed = TRUE;
      if (p->io)
        shim_io_close_stdin (p->io);
    }
  ttrpc_call_reply (call, NULL);
}

static void
handle_checkpoint (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ttrpc_call_error (call, GRPC_UNIMPLEMENTED, "checkpoint is not supported by runsc yet: not implemented");
}

static void
handle_connect (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__ConnectRequest *req
      = unpack_request (call, &containerd__task__v2__connect_request__descriptor, data, len);
  Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
  Container *c;

  if (req == NULL)
    return;
  c = g_hash_table_lookup (svc->containers, req->id);
  resp.shim_pid = getpid ();
  resp.task_pid = c && c->init->pid > 0 ? c->init->pid : 0;
  resp.version = (char *) PACKAGE_VERSION;
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_shutdown (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;

  ttrpc_call_reply (call, NULL);
  if (g_hash_table_size (svc->containers) == 0 && svc->on_shutdown)
    g_idle_add (svc->on_shutdown, svc->on_shutdown_data);
}

static void
handle_stats (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__StatsRequest *req
      = unpack_request (call, &containerd__task__v2__stats_request__descriptor, data, len);
  Containerd__Task__V2__StatsResponse resp = CONTAINERD__TASK__V2__STATS_RESPONSE__INIT;
  Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr (GByteArray) metrics = NULL;
  Container *c;
  RunscCtx ctx;

  if (req == NULL)
    return;
  c = find_container (svc, call, req->id);
  if (c == NULL)
    return;
  ctx = ctx_for (c);
  {
    const char *args[] = { "events", "--stats", c->id, NULL };
    if (!runsc_run (&ctx, args, NULL, &out, &error) || (metrics = shim_stats_from_json (out, &error)) == NULL)
      {
        ttrpc_call_reply_error (call, error);
        return;
      }
  }
  any.type_url = (char *) SHIM_METRICS_V1_TYPE_URL;
  any.value.data = metrics->data;
  any.value.len = metrics->len;
  resp.stats = &any;
  ttrpc_call_reply (call, &resp.base);
}

static void
handle_update (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__UpdateTaskRequest *req
      = unpack_request (call, &containerd__task__v2__update_task_request__descriptor, data, len);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  Container *c;
  RunscCtx ctx;

  if (req == NULL)
    return;
  c = find_container (svc, call, req->id);
  if (c == NULL)
    return;
  if (req->resources == NULL || req->resources->value.len == 0)
    {
      ttrpc_call_reply (call, NULL);
      return;
    }
  path = g_build_filename (c->bundle, "update-resources.json", NULL);
  ctx = ctx_for (c);
  {
    const char *args[] = { "update", "--resources", path, c->id, NULL };
    gboolean ok = runsc_write_file_atomic (path, (const char *) req->resources->value.data,
                                           req->resources->value.len, 0600, &error)
                  && runsc_run (&ctx, args, NULL, NULL, &error);
    unlink (path);
    if (!ok)
      {
        ttrpc_call_reply_error (call, error);
        return;
      }
  }
  ttrpc_call_reply (call, NULL);
}

static void
handle_wait (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  ShimService *svc = user_data;
  autoreq Containerd__Task__V2__WaitRequest *req
      = unpack_request (call, &containerd__task__v2__wait_request__descriptor, data, len);
  Process *p;

  if (req == NULL)
    return;
  p = lookup (svc, call, req->id, req->exec_id, NULL);
  if (p != NULL)
    {
      if (p->exited)
        reply_wait (call, p);
      else
        g_ptr_array_add (p->waiters, call); /* answered by process_exited */
    }
}

/* ---- service ---- */

ShimService *
shim_service_new (const char *ns, GSourceFunc on_shutdown, gpointer user_data)
{
  ShimService *svc = g_new0 (ShimService, 1);
  svc->ns = g_strdup (ns);
  svc->containers = g_hash_table_new (g_str_hash, g_str_equal);
  svc->on_shutdown = on_shutdown;
  svc->on_shutdown_data = user_data;
  return svc;
}

guint
shim_service_n_containers (ShimService *svc)
{
  return g_hash_table_size (svc->containers);
}

void
shim_service_register (ShimService *svc, TtrpcServer *server)
{
  static const struct
  {
    const char *name;
    TtrpcHandler handler;
  } methods[] = {
    { "State", handle_state },     { "Create", handle_create },   { "Start", handle_start },
    { "Delete", handle_delete },   { "Pids", handle_pids },       { "Pause", handle_pause },
    { "Resume", handle_resume },   { "Checkpoint", handle_checkpoint }, { "Kill", handle_kill },
    { "Exec", handle_exec },       { "ResizePty", handle_resize_pty }, { "CloseIO", handle_close_io },
    { "Update", handle_update },   { "Wait", handle_wait },       { "Stats", handle_stats },
    { "Connect", handle_connect }, { "Shutdown", handle_shutdown },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      ttrpc_server_register (server, TASK_SERVICE_V2, methods[i].name, methods[i].handler, svc);
      ttrpc_server_register (server, TASK_SERVICE_V3, methods[i].name, methods[i].handler, svc);
    }
}
