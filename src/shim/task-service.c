/* The task service (see task-service.h): a table of the Task methods, what every call shares (decoding the
 * request, finding the container or process it names, answering), and one handler per method. The containers
 * and processes themselves, and their exits, are the process model's (process.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "events.pb-c.h"
#include "shim/bundle.h"
#include "shim/console.h"
#include "shim/events.h"
#include "shim/io.h"
#include "shim/options.h"
#include "shim/process.h"
#include "shim/rootfs.h"
#include "shim/runsc-client.h"
#include "shim/stats.h"
#include "shim/task-service.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

#define TASK_SERVICE_V2 "containerd.task.v2.Task"
#define TASK_SERVICE_V3 "containerd.task.v3.Task"
#define PROCESS_DETAILS_TYPE_URL "containerd.runc.v1.ProcessDetails"

typedef struct TaskBinding TaskBinding;

struct ShimService
{
  char *ns;
  gboolean log_configured; /* log_path/log_level applied (from the first container that names them) */
  GHashTable *containers;  /* id -> Container */
  GSourceFunc on_shutdown;
  gpointer on_shutdown_data;
  TaskBinding *bindings; /* one per method: what the ttrpc server hands back to dispatch() */
};

/* One call being handled. */
typedef struct
{
  ShimService *svc;
  TtrpcCall *call;
  void *req;         /* the decoded request; NULL for a method whose request is not read */
  Container *c;      /* the container the request's id names (LOOKUP_CONTAINER, _LIVE, _PROCESS) */
  Process *p;        /* the process its id and exec_id name (LOOKUP_PROCESS) */
  gboolean answered; /* the handler answered the call, or keeps it to answer later */
} TaskCall;

/* A method's handler. TRUE: handled; the call is answered with Empty unless the handler answered it
 * (task_reply) or kept it (answered = TRUE). FALSE: the call is answered with error, whose RunscErrorCode gives
 * the gRPC code (NOT_FOUND, STATE: FAILED_PRECONDITION, EXISTS, INVALID, UNSUPPORTED, FAILED: UNKNOWN). */
typedef gboolean (*TaskHandler) (TaskCall *t, GError **error);

typedef enum
{
  LOOKUP_NONE,      /* the handler finds what it needs */
  LOOKUP_CONTAINER, /* the request's id names a container (else NOT_FOUND) */
  LOOKUP_LIVE,      /* ... whose init has not exited (else FAILED_PRECONDITION) */
  LOOKUP_PROCESS,   /* its id and exec_id ("": the init) name a process (else NOT_FOUND) */
} TaskLookup;

typedef struct
{
  const char *name;
  const ProtobufCMessageDescriptor *request; /* NULL: the request is not read */
  TaskLookup lookup;
  TaskHandler handler;
} TaskMethod;

struct TaskBinding
{
  ShimService *svc;
  const TaskMethod *method;
};

/* Answer t with msg (NULL: Empty). */
static void
task_reply (TaskCall *t, const ProtobufCMessage *msg)
{
  ttrpc_call_reply (t->call, msg);
  t->answered = TRUE;
}

/* Whether c's init is still there to take a request. */
static gboolean
container_live (Container *c, GError **error)
{
  if (!c->init->exited)
    return TRUE;
  return runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is stopped", c->id);
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

static gboolean
handle_create (TaskCall *t, GError **error)
{
  ShimService *svc = t->svc;
  Containerd__Task__V2__CreateTaskRequest *req = t->req;
  Containerd__Task__V2__CreateTaskResponse resp = CONTAINERD__TASK__V2__CREATE_TASK_RESPONSE__INIT;
  Containerd__Events__TaskCreate ev = CONTAINERD__EVENTS__TASK_CREATE__INIT;
  Containerd__Events__TaskIO evio = CONTAINERD__EVENTS__TASK_IO__INIT;
  g_autoptr (GError) local = NULL;
  g_autofree char *pid_file = NULL;
  Container *c;

  if (g_hash_table_contains (svc->containers, req->id))
    return runsc_error_set (error, RUNSC_ERROR_EXISTS, "container %s: already exists", req->id);
  if (req->checkpoint && *req->checkpoint)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "restore from checkpoint is not supported by runsc");
  c = shim_container_new (svc->ns, req->id, req->bundle);
  if (req->options
      && !shim_options_apply_any_parts (c->opts, req->options->type_url, req->options->value.data,
                                        req->options->value.len, svc->ns, &local))
    {
      shim_container_free (c);
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "runtime options: %s", local->message);
    }
  apply_log_options (svc, c);
  c->init = shim_process_new (c, NULL, req->stdin, req->stdout, req->stderr, req->terminal);
  pid_file = g_build_filename (c->bundle, "init.pid", NULL);
  if (!shim_rootfs_mount (c->bundle, req->rootfs, req->n_rootfs, &c->rootfs_mounted, error)
      || !shim_options_save (c->opts, c->bundle, error) || !runsc_mkdir_p (c->opts->root, 0711, error))
    {
      shim_container_free (c);
      return FALSE;
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
    if (!shim_process_launch (c->init, (const char *const *) args->pdata, pid_file, error)
        || !shim_process_watch (c->init, error))
      {
        RunscCtx ctx = shim_container_ctx (c);
        const char *del[] = { "delete", "--force", c->id, NULL };
        runsc_run (&ctx, del, NULL, NULL, NULL);
        shim_container_free (c);
        return FALSE;
      }
  }
  shim_container_watch_oom (c);
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
  task_reply (t, &resp.base);
  return TRUE;
}

static gboolean
handle_start (TaskCall *t, GError **error)
{
  Containerd__Task__V2__StartResponse resp = CONTAINERD__TASK__V2__START_RESPONSE__INIT;
  Container *c = t->c;
  Process *p = t->p;

  if (p->status != PROC_CREATED || p->exited)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "process %s: cannot start a %s process", shim_process_id (p),
                            p->exited ? "stopped" : "running");
  if (p->exec_id == NULL)
    {
      RunscCtx ctx = shim_container_ctx (c);
      const char *args[] = { "start", c->id, NULL };
      Containerd__Events__TaskStart ev = CONTAINERD__EVENTS__TASK_START__INIT;
      if (!runsc_run (&ctx, args, NULL, NULL, error))
        return FALSE;
      p->status = PROC_RUNNING;
      ev.container_id = c->id;
      ev.pid = p->pid;
      shim_events_publish (TOPIC_TASK_START, &ev.base);
    }
  else
    {
      g_autofree char *pid_file = g_build_filename (c->bundle, "exec-pids", p->exec_id, NULL);
      g_autofree char *dir = g_path_get_dirname (pid_file);
      const char *args[] = {
        "exec", "--detach", "--pid-file", pid_file, "--process", p->spec_path, "--", c->id, NULL
      };
      Containerd__Events__TaskExecStarted ev = CONTAINERD__EVENTS__TASK_EXEC_STARTED__INIT;

      if (!container_live (c, error))
        return FALSE;
      if (!runsc_mkdir_p (dir, 0700, error) || !shim_process_launch (p, args, pid_file, error)
          || !shim_process_watch (p, error))
        {
          /* Close the client's FIFOs so that it sees the end of the output, as after an exit. */
          shim_io_free (p->io);
          p->io = NULL;
          return FALSE;
        }
      unlink (pid_file);
      p->status = PROC_RUNNING;
      ev.container_id = c->id;
      ev.exec_id = p->exec_id;
      ev.pid = p->pid;
      shim_events_publish (TOPIC_TASK_EXEC_STARTED, &ev.base);
    }
  resp.pid = p->pid;
  task_reply (t, &resp.base);
  return TRUE;
}

/* Delete the init's container with runsc and publish TaskDelete. */
static gboolean
delete_container (Container *c, Process *p, GError **error)
{
  RunscCtx ctx = shim_container_ctx (c);
  const char *args[] = { "delete", c->id, NULL };
  const char *args_force[] = { "delete", "--force", c->id, NULL };
  Containerd__Events__TaskDelete ev = CONTAINERD__EVENTS__TASK_DELETE__INIT;
  Google__Protobuf__Timestamp evts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  g_autoptr (GError) local = NULL;
  gboolean ok;

  /* As runc's shim: a plain delete once the task has exited, --force for one that never started (or when the
   * plain one is refused). */
  ok = runsc_run (&ctx, p->exited ? args : args_force, NULL, NULL, &local);
  if (!ok && p->exited && !g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
    {
      log_debug ("%s; retrying with --force", local->message);
      g_clear_error (&local);
      ok = runsc_run (&ctx, args_force, NULL, NULL, &local);
    }
  if (!ok && !g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!p->exited)
    {
      /* A created task that never ran: runc's shim reports it as killed. */
      shim_process_mark_stopped (p, 128 + SIGKILL, g_get_real_time ());
      shim_process_answer_waiters (p);
    }
  shim_container_unmount_rootfs (c);
  shim_timestamp_set (&evts, p->exited_at);
  ev.container_id = c->id;
  ev.pid = p->pid;
  ev.exit_status = p->exit_status;
  ev.exited_at = &evts;
  shim_events_publish (TOPIC_TASK_DELETE, &ev.base);
  return TRUE;
}

static gboolean
handle_delete (TaskCall *t, GError **error)
{
  Containerd__Task__V2__DeleteResponse resp = CONTAINERD__TASK__V2__DELETE_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  Container *c = t->c;
  Process *p = t->p;

  if (!p->exited && p->status != PROC_CREATED)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "process %s: cannot delete a running process",
                            shim_process_id (p));
  if (p->exec_id == NULL && !delete_container (c, p, error))
    return FALSE;
  shim_timestamp_set (&ts, p->exited_at ? p->exited_at : g_get_real_time ());
  resp.pid = p->pid;
  resp.exit_status = p->exit_status;
  resp.exited_at = &ts;
  task_reply (t, &resp.base);
  if (p->exec_id)
    g_hash_table_remove (c->execs, p->exec_id);
  else
    {
      g_hash_table_steal (t->svc->containers, c->id);
      shim_container_free (c);
    }
  return TRUE;
}

static gboolean
handle_exec (TaskCall *t, GError **error)
{
  Containerd__Task__V2__ExecProcessRequest *req = t->req;
  Containerd__Events__TaskExecAdded ev = CONTAINERD__EVENTS__TASK_EXEC_ADDED__INIT;
  Container *c = t->c;
  Process *p;

  if (!shim_exec_id_valid (req->exec_id))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid exec id \"%s\"", req->exec_id);
  if (g_hash_table_contains (c->execs, req->exec_id))
    return runsc_error_set (error, RUNSC_ERROR_EXISTS, "id %s: already exists", req->exec_id);
  if (!container_live (c, error))
    return FALSE;
  if (req->spec == NULL || req->spec->value.len == 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "exec %s: no process spec", req->exec_id);
  p = shim_process_new (c, req->exec_id, req->stdin, req->stdout, req->stderr, req->terminal);
  p->spec_path = g_strdup_printf ("%s/exec-%s.json", c->bundle, req->exec_id);
  if (!runsc_write_file_atomic (p->spec_path, (const char *) req->spec->value.data, req->spec->value.len, 0600, error))
    {
      shim_process_free (p);
      return FALSE;
    }
  g_hash_table_insert (c->execs, p->exec_id, p);
  ev.container_id = c->id;
  ev.exec_id = p->exec_id;
  shim_events_publish (TOPIC_TASK_EXEC_ADDED, &ev.base);
  return TRUE;
}

static gboolean
handle_resize_pty (TaskCall *t, GError **error)
{
  Containerd__Task__V2__ResizePtyRequest *req = t->req;
  Process *p = t->p;

  return p->io == NULL || shim_io_console (p->io) < 0
         || shim_console_resize (shim_io_console (p->io), req->width, req->height, error);
}

static gboolean
handle_state (TaskCall *t, GError **error)
{
  Containerd__Task__V2__StateResponse resp = CONTAINERD__TASK__V2__STATE_RESPONSE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  Process *p = t->p;

  resp.id = (char *) shim_process_id (p);
  resp.bundle = t->c->bundle;
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
      shim_timestamp_set (&ts, p->exited_at);
      resp.exited_at = &ts;
    }
  task_reply (t, &resp.base);
  return TRUE;
}

static gboolean
pause_resume (TaskCall *t, gboolean pause, GError **error)
{
  Container *c = t->c;
  RunscCtx ctx = shim_container_ctx (c);
  const char *args[] = { pause ? "pause" : "resume", c->id, NULL };

  if (!runsc_run (&ctx, args, NULL, NULL, error))
    return FALSE;
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
  return TRUE;
}

static gboolean
handle_pause (TaskCall *t, GError **error)
{
  return pause_resume (t, TRUE, error);
}

static gboolean
handle_resume (TaskCall *t, GError **error)
{
  return pause_resume (t, FALSE, error);
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

static gboolean
handle_kill (TaskCall *t, GError **error)
{
  Containerd__Task__V2__KillRequest *req = t->req;
  Container *c = t->c;
  Process *p = t->p;

  if (p->exited)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "process already finished: not found");
  if (p->exec_id == NULL)
    {
      RunscCtx ctx = shim_container_ctx (c);
      g_autofree char *sig = g_strdup_printf ("%u", req->signal);
      const char *args_all[] = { "kill", "--all", c->id, sig, NULL };
      const char *args[] = { "kill", c->id, sig, NULL };
      g_autoptr (GError) local = NULL;

      if (!runsc_run (&ctx, req->all ? args_all : args, NULL, NULL, &local))
        {
          if (p->exited || kill_missed_exit (p, local))
            return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "process already finished: not found");
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  if (p->pid <= 0)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "process %s not started", p->exec_id);
  if (!runsc_process_alive (p->pid, p->start_time) || kill (p->pid, (int) req->signal) < 0)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "process already finished: not found");
  return TRUE;
}

/* containerd's ProcessDetails for an exec'd process, as an Any (its buffer added to packed). */
static Google__Protobuf__Any *
process_details (const Process *e, GPtrArray *anys, GPtrArray *packed)
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
  g_ptr_array_add (anys, any);
  g_ptr_array_add (packed, buf);
  return any;
}

static gboolean
handle_pids (TaskCall *t, GError **error)
{
  Containerd__Task__V2__PidsResponse resp = CONTAINERD__TASK__V2__PIDS_RESPONSE__INIT;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) anys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) packed = g_ptr_array_new_with_free_func (g_free);
  Container *c = t->c;
  RunscCtx ctx = shim_container_ctx (c);
  const char *args[] = { "ps", "--format", "json", c->id, NULL };
  JsonArray *a;

  if (!runsc_run (&ctx, args, NULL, &out, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, out, -1, NULL) || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "runsc ps: output is not a JSON array");
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
            info->info = process_details (e, anys, packed);
            break;
          }
      g_ptr_array_add (infos, info);
    }
  resp.n_processes = infos->len;
  resp.processes = (Containerd__Task__V2__ProcessInfo **) infos->pdata;
  task_reply (t, &resp.base);
  return TRUE;
}

static gboolean
handle_close_io (TaskCall *t, GError **error)
{
  Containerd__Task__V2__CloseIORequest *req = t->req;
  Process *p = t->p;

  if (req->stdin)
    {
      p->stdin_closed = TRUE;
      if (p->io)
        shim_io_close_stdin (p->io);
    }
  return TRUE;
}

static gboolean
handle_checkpoint (TaskCall *t, GError **error)
{
  return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "checkpoint is not supported by runsc yet: not implemented");
}

static gboolean
handle_connect (TaskCall *t, GError **error)
{
  Containerd__Task__V2__ConnectRequest *req = t->req;
  Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
  Container *c = g_hash_table_lookup (t->svc->containers, req->id);

  resp.shim_pid = getpid ();
  resp.task_pid = c && c->init->pid > 0 ? c->init->pid : 0;
  resp.version = (char *) PACKAGE_VERSION;
  task_reply (t, &resp.base);
  return TRUE;
}

static gboolean
handle_shutdown (TaskCall *t, GError **error)
{
  ShimService *svc = t->svc;

  task_reply (t, NULL);
  if (g_hash_table_size (svc->containers) == 0 && svc->on_shutdown)
    g_idle_add (svc->on_shutdown, svc->on_shutdown_data);
  return TRUE;
}

static gboolean
handle_stats (TaskCall *t, GError **error)
{
  Containerd__Task__V2__StatsResponse resp = CONTAINERD__TASK__V2__STATS_RESPONSE__INIT;
  Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
  g_autofree char *out = NULL;
  g_autoptr (GByteArray) metrics = NULL;
  RunscCtx ctx = shim_container_ctx (t->c);
  const char *args[] = { "events", "--stats", t->c->id, NULL };

  if (!runsc_run (&ctx, args, NULL, &out, error) || (metrics = shim_stats_from_json (out, error)) == NULL)
    return FALSE;
  any.type_url = (char *) SHIM_METRICS_V1_TYPE_URL;
  any.value.data = metrics->data;
  any.value.len = metrics->len;
  resp.stats = &any;
  task_reply (t, &resp.base);
  return TRUE;
}

static gboolean
handle_update (TaskCall *t, GError **error)
{
  Containerd__Task__V2__UpdateTaskRequest *req = t->req;
  g_autofree char *path = NULL;
  RunscCtx ctx = shim_container_ctx (t->c);
  gboolean ok;

  if (req->resources == NULL || req->resources->value.len == 0)
    return TRUE;
  path = g_build_filename (t->c->bundle, "update-resources.json", NULL);
  {
    const char *args[] = { "update", "--resources", path, t->c->id, NULL };
    ok = runsc_write_file_atomic (path, (const char *) req->resources->value.data, req->resources->value.len, 0600,
                                  error)
         && runsc_run (&ctx, args, NULL, NULL, error);
  }
  unlink (path);
  return ok;
}

static gboolean
handle_wait (TaskCall *t, GError **error)
{
  if (t->p->exited)
    shim_process_reply_wait (t->call, t->p);
  else
    g_ptr_array_add (t->p->waiters, t->call); /* answered when it exits (process.c) */
  t->answered = TRUE;
  return TRUE;
}

/* ---- the method table ---- */

#define REQ(name) &containerd__task__v2__##name##__descriptor

static const TaskMethod methods[] = {
  { "State", REQ (state_request), LOOKUP_PROCESS, handle_state },
  { "Create", REQ (create_task_request), LOOKUP_NONE, handle_create },
  { "Start", REQ (start_request), LOOKUP_PROCESS, handle_start },
  { "Delete", REQ (delete_request), LOOKUP_PROCESS, handle_delete },
  { "Pids", REQ (pids_request), LOOKUP_CONTAINER, handle_pids },
  { "Pause", REQ (pause_request), LOOKUP_LIVE, handle_pause },
  { "Resume", REQ (resume_request), LOOKUP_LIVE, handle_resume },
  { "Checkpoint", NULL, LOOKUP_NONE, handle_checkpoint },
  { "Kill", REQ (kill_request), LOOKUP_PROCESS, handle_kill },
  { "Exec", REQ (exec_process_request), LOOKUP_CONTAINER, handle_exec },
  { "ResizePty", REQ (resize_pty_request), LOOKUP_PROCESS, handle_resize_pty },
  { "CloseIO", REQ (close_iorequest), LOOKUP_PROCESS, handle_close_io },
  { "Update", REQ (update_task_request), LOOKUP_CONTAINER, handle_update },
  { "Wait", REQ (wait_request), LOOKUP_PROCESS, handle_wait },
  { "Stats", REQ (stats_request), LOOKUP_CONTAINER, handle_stats },
  { "Connect", REQ (connect_request), LOOKUP_NONE, handle_connect },
  { "Shutdown", NULL, LOOKUP_NONE, handle_shutdown },
};

/* The string field name of a decoded request ("" when it has none). */
static const char *
request_string (const void *req, const char *name)
{
  const ProtobufCMessage *m = req;
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name (m->descriptor, name);

  if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING)
    return "";
  return *(const char *const *) ((const char *) m + f->offset);
}

/* Find what the request names, as the method's lookup says. */
static gboolean
find_target (TaskCall *t, TaskLookup lookup, GError **error)
{
  const char *id, *exec_id;

  if (lookup == LOOKUP_NONE)
    return TRUE;
  id = request_string (t->req, "id");
  t->c = g_hash_table_lookup (t->svc->containers, id);
  if (t->c == NULL)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "container %s: container not created: not found", id);
  if (lookup == LOOKUP_LIVE)
    return container_live (t->c, error);
  if (lookup != LOOKUP_PROCESS)
    return TRUE;
  exec_id = request_string (t->req, "exec_id");
  if (exec_id == NULL || *exec_id == '\0')
    {
      t->p = t->c->init;
      return TRUE;
    }
  t->p = g_hash_table_lookup (t->c->execs, exec_id);
  if (t->p == NULL)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "process %s does not exist: not found", exec_id);
  return TRUE;
}

/* Every method's ttrpc handler: decode, look up, run the method's handler, answer. */
static void
dispatch (TtrpcCall *call, const guint8 *data, gsize len, gpointer user_data)
{
  const TaskBinding *b = user_data;
  const TaskMethod *m = b->method;
  TaskCall t = { .svc = b->svc, .call = call };
  g_autoptr (GError) error = NULL;

  if (m->request != NULL)
    {
      t.req = protobuf_c_message_unpack (m->request, NULL, len, data);
      if (t.req == NULL)
        {
          ttrpc_call_error (call, GRPC_INTERNAL, "%s: unable to decode request", ttrpc_call_method (call));
          return;
        }
    }
  if (!find_target (&t, m->lookup, &error) || !m->handler (&t, &error))
    ttrpc_call_reply_error (call, error);
  else if (!t.answered)
    ttrpc_call_reply (call, NULL);
  if (t.req != NULL)
    protobuf_c_message_free_unpacked (t.req, NULL);
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
  svc->bindings = g_new0 (TaskBinding, G_N_ELEMENTS (methods));
  for (size_t i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      svc->bindings[i].svc = svc;
      svc->bindings[i].method = &methods[i];
    }
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
  for (size_t i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      ttrpc_server_register (server, TASK_SERVICE_V2, methods[i].name, dispatch, &svc->bindings[i]);
      ttrpc_server_register (server, TASK_SERVICE_V3, methods[i].name, dispatch, &svc->bindings[i]);
    }
}
