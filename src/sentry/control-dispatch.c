/* The Sentry's control commands (src/sentry/control.h): one handler per command, found in a table by name, the
 * same handler for the root container and the pod's members (see sandbox.h). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "sentry/control.h"
#include "sentry/sandbox.h"
#include "sentry/test-hook.h"
#include "sentry/user-log.h"

#define CONTROL_MAX_FDS 16

typedef struct
{
  const char *cmd;
  JsonObject *req;
  int conn;
  int *fds; /* the descriptors that came with it (-1 when none); a handler that takes one sets it to -1 */
} ControlRequest;

/* Which containers a command is for. */
typedef enum
{
  FOR_ANY,     /* the root container or a member (the one the request's id names; no id: the root one) */
  FOR_ROOT,    /* the sandbox as a whole, through its root container */
  FOR_MEMBER,  /* a pod member only */
  FOR_SANDBOX, /* no existing container: the request's id is a new one's */
} ControlScope;

/* A handler answers the request; it returns FALSE when it kept the connection (a wait) or handed it on. */
typedef gboolean (*ControlHandler) (Sandbox *sb, SandboxContainer *c, ControlRequest *r);

typedef struct
{
  const char *name;
  ControlScope scope;
  gboolean takes_fds; /* the others' descriptors are closed before the handler runs */
  ControlHandler handler;
} ControlCommand;

static gboolean
reply_error (ControlRequest *r, GError *error)
{
  control_reply_error (r->conn, error->message);
  return TRUE;
}

static gboolean
cmd_create_subcontainer (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) result = json_object_new ();
  pid_t pid = -1;

  (void) c;
  if (!sandbox_member_create (sb, r->req, r->fds, &pid, &error))
    return reply_error (r, error);
  json_object_set_int_member (result, "init_pid", pid);
  control_reply_ok (r->conn, result);
  return TRUE;
}

static gboolean
cmd_state (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (JsonObject) result = json_object_new ();

  (void) sb;
  json_object_set_string_member (result, "status", sandbox_container_status (c));
  json_object_set_int_member (result, "init_pid", c->init.pid);
  if (c->exited)
    json_object_set_int_member (result, "exit_status", c->exit_status);
  control_reply_ok (r->conn, result);
  return TRUE;
}

static gboolean
cmd_start (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (GError) error = NULL;

  (void) sb;
  if (c->exited)
    control_reply_error (r->conn, "cannot start a container that has stopped");
  else if (c->started)
    control_reply_error (r->conn, "cannot start an already running container");
  else if (!container_start (&c->init, &error))
    {
      log_error ("start container %s: %s", c->id, error->message);
      control_reply_error (r->conn, error->message);
    }
  else
    {
      c->started = TRUE;
      user_log_info ("container %s: started", c->id);
      control_reply_ok (r->conn, NULL);
    }
  return TRUE;
}

/* The signal was sent. Frozen (v1) processes sleep through SIGKILL: a SIGKILL to a paused container thaws it so
 * that it is delivered (as runc does). A thaw that fails is the answer (and a warning): the processes sleep
 * through the signal until thawed. */
static void
reply_after_kill_thaw (SandboxContainer *c, int conn, int sig)
{
  g_autoptr (GError) error = NULL;

  if (sig == SIGKILL && c->paused && !sandbox_container_freeze (c, FALSE, &error))
    {
      g_autofree char *msg = g_strdup_printf ("signal %d sent, but the paused container could not be thawed to "
                                              "receive it: %s",
                                              sig, error->message);
      log_warning ("container %s: %s", c->id, msg);
      control_reply_error (conn, msg);
      return;
    }
  control_reply_ok (conn, NULL);
}

/* signal {signal, all}: to the init, or to every process of the container. */
static gboolean
cmd_signal (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  int sig = (int) json_object_get_int_member_with_default (r->req, "signal", SIGTERM);
  gboolean all = json_object_get_boolean_member_with_default (r->req, "all", FALSE);

  (void) sb;
  if (c->exited)
    control_reply_error (r->conn, "container not running");
  else if (all)
    {
      g_autoptr (GArray) pids = sandbox_container_pids (c);
      for (guint i = 0; i < pids->len; i++)
        kill (g_array_index (pids, int, i), sig);
      reply_after_kill_thaw (c, r->conn, sig);
    }
  else if (kill (c->init.pid, sig) < 0)
    {
      g_autofree char *msg = g_strdup_printf ("signal %d to %d: %s", sig, (int) c->init.pid, g_strerror (errno));
      control_reply_error (r->conn, msg);
    }
  else
    reply_after_kill_thaw (c, r->conn, sig);
  return TRUE;
}

/* Answered at once for a container that has exited, else when it does (the root one's by the end of the
 * sandbox, supervise.c). */
static gboolean
cmd_wait (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (JsonObject) result = json_object_new ();

  (void) sb;
  if (!c->exited)
    {
      g_array_append_val (c->waiters, r->conn);
      return FALSE;
    }
  json_object_set_int_member (result, "exit_status", c->exit_status);
  control_reply_ok (r->conn, result);
  return TRUE;
}

static gboolean
cmd_ps (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (JsonObject) result = json_object_new ();
  g_autoptr (GArray) pids = sandbox_container_pids (c);
  JsonArray *arr = json_array_new ();

  (void) sb;
  for (guint i = 0; i < pids->len; i++)
    json_array_add_int_element (arr, g_array_index (pids, int, i));
  json_object_set_array_member (result, "pids", arr);
  control_reply_ok (r->conn, result);
  return TRUE;
}

/* pause and resume: the root container's freeze the whole sandbox, a member's its own cgroup. */
static gboolean
cmd_pause_resume (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (GError) error = NULL;
  gboolean pause = strcmp (r->cmd, "pause") == 0;

  if (c->cgroup == NULL)
    control_reply_error (r->conn, c->root ? "the sandbox has no cgroup to freeze"
                                          : "the container has no cgroup of its own to freeze (pause its "
                                            "sandbox's container)");
  else if (!c->root && sb->root->paused)
    control_reply_error (r->conn, "the pod's sandbox is paused: resume the sandbox's container");
  else if (c->exited || !c->started)
    control_reply_error (r->conn, "container is not running");
  else if (pause == c->paused)
    control_reply_error (r->conn, pause ? "container is already paused" : "container is not paused");
  else if (!sandbox_container_freeze (c, pause, &error))
    control_reply_error (r->conn, error->message);
  else
    {
      user_log_info ("container %s: %s", c->id, pause ? "paused" : "resumed");
      control_reply_ok (r->conn, NULL);
    }
  return TRUE;
}

/* A member that has exited is forgotten (runsc delete); the root one goes with the sandbox. */
static gboolean
cmd_destroy (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  if (!c->exited)
    control_reply_error (r->conn, "container is not stopped");
  else
    {
      sandbox_remove (sb, c);
      control_reply_ok (r->conn, NULL);
    }
  return TRUE;
}

static gboolean
cmd_metrics (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  g_autoptr (JsonObject) result = json_object_new ();

  (void) c;
  json_object_set_array_member (result, "syscalls", sentry_kernel_syscall_counts (sb->kernel));
  control_reply_ok (r->conn, result);
  return TRUE;
}

/* exec (src/sentry/exec.h): the connection and the descriptors go to the exec'd process. */
static gboolean
cmd_exec (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  SentryExecTarget t;

  sandbox_exec_target (c, &t);
  log_debug ("control: exec in %s", t.id);
  sentry_execs_handle_exec (sb->execs, &t, r->req, r->conn, r->fds, CONTROL_MAX_FDS);
  return FALSE;
}

/* wait-pid {pid}: of a runsc exec'd process, or of the container's init (a plain wait). */
static gboolean
cmd_wait_pid (Sandbox *sb, SandboxContainer *c, ControlRequest *r)
{
  pid_t pid = (pid_t) json_object_get_int_member_with_default (r->req, "pid", 0);
  g_autofree char *msg = NULL;

  if (sentry_execs_handle_wait (sb->execs, c->id, pid, r->conn))
    return FALSE;
  if (pid > 0 && (pid == c->init.pid || (pid == 1 && oci_spec_namespace (c->spec, "pid") != NULL)))
    return cmd_wait (sb, c, r);
  msg = g_strdup_printf ("container %s has no process %d started by runsc exec", c->id, (int) pid);
  control_reply_error (r->conn, msg);
  return TRUE;
}

static const ControlCommand commands[] = {
  { "create-subcontainer", FOR_SANDBOX, TRUE, cmd_create_subcontainer },
  { "state", FOR_ANY, FALSE, cmd_state },
  { "start", FOR_ANY, FALSE, cmd_start },
  { "signal", FOR_ANY, FALSE, cmd_signal },
  { "wait", FOR_ANY, FALSE, cmd_wait },
  { "ps", FOR_ANY, FALSE, cmd_ps },
  { "pause", FOR_ANY, FALSE, cmd_pause_resume },
  { "resume", FOR_ANY, FALSE, cmd_pause_resume },
  { "exec", FOR_ANY, TRUE, cmd_exec },
  { "wait-pid", FOR_ANY, FALSE, cmd_wait_pid },
  { "destroy", FOR_MEMBER, FALSE, cmd_destroy },
  { "metrics", FOR_ROOT, FALSE, cmd_metrics },
};

static const ControlCommand *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void
close_fds (int *fds)
{
  for (gsize i = 0; i < CONTROL_MAX_FDS; i++)
    runsc_close_fd_ptr (&fds[i]);
}

/* A command this container does not take: the test suite's hooks (test-hook.h) for the root one, else an error. */
static void
reply_unsupported (SandboxContainer *c, ControlRequest *r)
{
  g_autofree char *msg = NULL;

  if (c->root && sentry_test_hook (r->cmd, r->req, r->conn))
    return;
  if (c->root)
    msg = g_strdup_printf ("unsupported control command \"%s\"", r->cmd);
  else
    msg = g_strdup_printf ("unsupported control command \"%s\" for a subcontainer", r->cmd);
  control_reply_error (r->conn, msg);
}

/* Run the command's handler for the container the request names; FALSE when the handler kept the connection. The
 * descriptors that came with the request are closed, unless the handler took them. */
static gboolean
dispatch (Sandbox *sb, const ControlCommand *command, ControlRequest *r)
{
  const char *target = json_object_get_string_member_with_default (r->req, "id", NULL);
  SandboxContainer *c;

  if (command != NULL && command->scope == FOR_SANDBOX)
    {
      gboolean done = command->handler (sb, NULL, r);
      close_fds (r->fds);
      return done;
    }
  if (command == NULL || !command->takes_fds)
    close_fds (r->fds); /* no other command takes descriptors */
  c = target != NULL ? sandbox_find (sb, target) : sb->root;
  if (c == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("container %s does not exist in sandbox %s", target, sb->args->id);
      close_fds (r->fds);
      control_reply_error (r->conn, msg);
      return TRUE;
    }
  log_debug ("control: %s %s", r->cmd, c->id);
  if (command == NULL || (command->scope == FOR_ROOT && !c->root) || (command->scope == FOR_MEMBER && c->root))
    {
      reply_unsupported (c, r);
      return TRUE;
    }
  return command->handler (sb, c, r);
}

void
sandbox_handle_request (Sandbox *sb, int conn)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) req = NULL;
  int fds[CONTROL_MAX_FDS];
  ControlRequest r;

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
      close_fds (fds);
      control_reply_error (conn, error->message);
      close (conn);
      return;
    }
  r.cmd = json_object_get_string_member_with_default (req, "cmd", "");
  r.req = req;
  r.conn = conn;
  r.fds = fds;
  if (dispatch (sb, find_command (r.cmd), &r))
    close (conn);
}
