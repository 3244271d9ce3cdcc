/* container_spawn and container_start: the Sentry's side of making a container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-join.h"
#include "container/container.h"
#include "container/hooks.h"
#include "container/init.h"
#include "container/plan.h"
#include "container/sync.h"

/* container_spawn_as_sentry_child: the caller is the Sentry's spawner, whose parent is the Sentry. */
static gboolean as_sentry_child;

void
container_spawn_as_sentry_child (gboolean on)
{
  as_sentry_child = on;
}

static gboolean
write_id_map (pid_t pid, const char *file, const OciIdMapping *maps, gsize n, GError **error)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, file);
  autofd int fd = -1;

  for (gsize i = 0; i < n; i++)
    g_string_append_printf (text, "%u %u %u\n", maps[i].container_id, maps[i].host_id, maps[i].size);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return runsc_error_errno (error, errno, "open %s", path);
  if (write (fd, text->str, text->len) != (ssize_t) text->len)
    return runsc_error_errno (error, errno, "write %s (linux.%s)", path,
                              strcmp (file, "uid_map") == 0 ? "uidMappings" : "gidMappings");
  return TRUE;
}

static char *
state_json (const ContainerSpawnArgs *args, pid_t pid, const char *status)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonGenerator) gen = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (args->hook_state != NULL)
    return args->hook_state (pid, status, args->user_data);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersion");
  json_builder_add_string_value (b, args->spec->oci_version != NULL ? args->spec->oci_version : "1.0.2");
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, args->id != NULL ? args->id : "");
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, pid);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, args->bundle != NULL ? args->bundle : "");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
kill_and_reap (pid_t *pid)
{
  if (*pid <= 0)
    return;
  kill (*pid, SIGKILL);
  if (!as_sentry_child) /* else not ours to reap: the Sentry's */
    while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
      ;
  *pid = -1;
}

static gboolean
run_parent_hooks (const ContainerSpawnArgs *args, pid_t init_pid, int sync_fd, GError **error)
{
  const OciHooks *h = &args->spec->hooks;
  int fds[2] = { -1, -1 };
  size_t n_fds = 0;
  int r;

  if (h->n_prestart > 0 || h->n_create_runtime > 0)
    {
      g_autofree char *state = state_json (args, init_pid, "creating");
      if (!container_run_hooks (h->prestart, h->n_prestart, state, "prestart", error)
          || !container_run_hooks (h->create_runtime, h->n_create_runtime, state, "createRuntime", error))
        return FALSE;
    }
  if (h->n_create_container > 0 || h->n_start_container > 0)
    {
      g_autofree char *creating = state_json (args, init_pid, "creating");
      g_autofree char *created = state_json (args, init_pid, "created");
      fds[0] = hooks_state_fd (creating, strlen (creating));
      fds[1] = hooks_state_fd (created, strlen (created));
      if (fds[0] < 0 || fds[1] < 0)
        {
          int e = fds[0] < 0 ? -fds[0] : -fds[1];
          if (fds[0] >= 0)
            close (fds[0]);
          if (fds[1] >= 0)
            close (fds[1]);
          return runsc_error_errno (error, e, "memfd for the hooks' state");
        }
      n_fds = 2;
    }
  r = sync_send (sync_fd, SYNC_ACK, 0, NULL, fds, n_fds);
  for (size_t i = 0; i < n_fds; i++)
    close (fds[i]);
  if (r < 0)
    return runsc_error_errno (error, -r, "container init: sync");
  return TRUE;
}

/* Start stage 1 with the plan and follow the protocol up to "ready". args is NULL for exec (no user namespace
 * to map, no hooks). */
static gboolean
run_plan (ContainerPlan *plan, const ContainerSpawnArgs *args, gboolean (*prepare) (pid_t, void *, GError **),
          gboolean (*on_listener) (int, pid_t, void *, GError **), void *user_data, const char *what,
          ContainerInit *out, GError **error)
{
  autofd int parent_fd = -1;
  autofd int pidfd = -1;
  int sv[2];
  pid_t stage1 = -1, init_pid = -1;
  int notify_fd = -1;
  gboolean listener_seen = FALSE;

  out->pid = -1;
  out->notify_fd = -1;
  out->sync_fd = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return runsc_error_errno (error, errno, "socketpair for the %s", what);
  parent_fd = sv[0];
  /* The process whose death kills the container, and whose child its processes are: the Sentry (our parent when
   * we are its spawner; stage 1 is then forked as its child too, and it reaps it). */
  plan->sentry_pid = as_sentry_child ? getppid () : getpid ();
  pidfd = (int) syscall (SYS_pidfd_open, plan->sentry_pid, 0);
  plan->sentry_pidfd = pidfd;
  plan->sync_fd = sv[1];

  stage1 = cgroup_fork_into (plan->cgroup_fds, plan->n_cgroup_fds, as_sentry_child ? CLONE_PARENT : 0);
  if (stage1 < 0)
    {
      int e = errno;
      close (sv[1]);
      return runsc_error_errno (error, e, "fork the %s", what);
    }
  if (stage1 == 0)
    {
      close (sv[0]);
      container_stage1_main (plan);
    }
  close (sv[1]);

  for (;;)
    {
      SyncMsg msg;
      int fds[2];
      int r = sync_recv (parent_fd, &msg, fds, 2);

      if (r < 0)
        {
          runsc_error_errno (error, -r, "%s: sync", what);
          goto fail;
        }
      if (r == 0)
        {
          runsc_error_set (error, RUNSC_ERROR_FAILED, "%s exited before it was ready", what);
          goto fail;
        }
      switch (msg.type)
        {
        case SYNC_USERNS:
          if (args == NULL)
            goto unexpected;
          if (!write_id_map (stage1, "uid_map", args->spec->linux_cfg->uid_mappings,
                             args->spec->linux_cfg->n_uid_mappings, error)
              || !write_id_map (stage1, "gid_map", args->spec->linux_cfg->gid_mappings,
                                args->spec->linux_cfg->n_gid_mappings, error))
            goto fail;
          r = sync_send (parent_fd, SYNC_ACK, 0, NULL, NULL, 0);
          if (r < 0)
            {
              runsc_error_errno (error, -r, "%s: sync", what);
              goto fail;
            }
          break;
        case SYNC_PID:
          init_pid = msg.value;
          if (!as_sentry_child) /* else the Sentry, its parent, reaps it */
            while (waitpid (stage1, NULL, 0) < 0 && errno == EINTR)
              ;
          stage1 = -1;
          if (prepare != NULL && !prepare (init_pid, user_data, error))
            goto fail;
          r = sync_send (parent_fd, SYNC_ACK, 0, NULL, NULL, 0);
          if (r < 0)
            {
              runsc_error_errno (error, -r, "%s: sync", what);
              goto fail;
            }
          break;
        case SYNC_HOOKS:
          if (args == NULL)
            goto unexpected;
          if (!run_parent_hooks (args, init_pid, parent_fd, error))
            goto fail;
          break;
        case SYNC_LISTENER:
          if (fds[0] < 0 || notify_fd >= 0 || listener_seen)
            {
              runsc_error_set (error, RUNSC_ERROR_FAILED, "%s: no seccomp listener fd came back", what);
              goto fail_fds;
            }
          listener_seen = TRUE;
          if (on_listener != NULL)
            {
              int fd = fds[0];
              fds[0] = -1;
              if (!on_listener (fd, init_pid, user_data, error))
                goto fail_fds;
            }
          else
            {
              notify_fd = fds[0];
              fds[0] = -1;
            }
          r = sync_send (parent_fd, SYNC_ACK, 0, NULL, NULL, 0);
          if (r < 0)
            {
              runsc_error_errno (error, -r, "%s: sync", what);
              goto fail_fds;
            }
          break;
        case SYNC_READY:
          for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
              close (fds[i]);
          if (plan->sandbox_filter != NULL && !listener_seen)
            {
              runsc_error_set (error, RUNSC_ERROR_FAILED, "%s: no seccomp listener fd came back", what);
              goto fail;
            }
          out->pid = init_pid;
          out->notify_fd = notify_fd;
          out->sync_fd = steal_fd (&parent_fd);
          log_debug ("%s %d ready", what, (int) init_pid);
          return TRUE;
        case SYNC_ERROR:
          runsc_error_set (error, RUNSC_ERROR_FAILED, "%s", msg.text);
          goto fail;
        default:
        unexpected:
          runsc_error_set (error, RUNSC_ERROR_FAILED, "%s: unexpected message %u", what, msg.type);
          goto fail;
        }
      for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
          close (fds[i]);
      continue;
    fail_fds:
      for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
          close (fds[i]);
      goto fail;
    }
fail:
  if (notify_fd >= 0)
    close (notify_fd);
  kill_and_reap (&stage1);
  kill_and_reap (&init_pid);
  return FALSE;
}

gboolean
container_spawn (const ContainerSpawnArgs *args, ContainerInit *out, GError **error)
{
  g_autoptr (ContainerPlan) plan = container_plan_new (args, error);

  if (plan == NULL)
    return FALSE;
  return run_plan (plan, args, args->prepare, args->on_listener, args->user_data, "container init", out, error);
}

gboolean
container_exec_spawn (const ContainerExecArgs *args, ContainerInit *out, GError **error)
{
  g_autoptr (ContainerPlan) plan = container_plan_new_exec (args, error);

  if (plan == NULL)
    return FALSE;
  return run_plan (plan, NULL, args->prepare, args->on_listener, args->user_data, "exec process", out, error);
}

gboolean
container_start (ContainerInit *init, GError **error)
{
  autofd int fd = steal_fd (&init->sync_fd);
  SyncMsg msg;
  int r;

  if (fd < 0)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "container init: already started");
  r = sync_send (fd, SYNC_START, 0, NULL, NULL, 0);
  if (r < 0)
    return runsc_error_errno (error, -r, "container init: send start");
  r = sync_recv (fd, &msg, NULL, 0);
  if (r == 0)
    return TRUE; /* the sync socket is close-on-exec: execve succeeded */
  if (r < 0)
    return runsc_error_errno (error, -r, "container init: wait for execve");
  if (msg.type == SYNC_ERROR)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s", msg.text);
  return runsc_error_set (error, RUNSC_ERROR_FAILED, "container init: unexpected message %u", msg.type);
}
