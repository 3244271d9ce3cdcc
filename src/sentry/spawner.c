/* The Sentry's spawner: privileged steps on request, forked before the Sentry confines itself (spawner.h). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/container.h"
#include "sentry/spawner.h"

#define SPAWNER_MSG_MAX (1 << 17)
#define SPAWNER_MAX_FDS 16

struct SentrySpawner
{
  pid_t pid;
  int sock;
};

/* In the spawner: its end of the socketpair. */
static int spawner_sock = -1;

static gboolean
send_obj (int sock, JsonObject *obj, const int *fds, size_t n_fds, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  int r;

  json_node_set_object (node, obj);
  text = json_to_string (node, FALSE);
  if (strlen (text) > SPAWNER_MSG_MAX)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "spawner: message too large");
  r = runsc_send_fds (sock, text, strlen (text), fds, n_fds);
  if (r < 0)
    return runsc_error_errno (error, -r, "spawner: send");
  return TRUE;
}

/* One message; fds[] filled (-1 when missing). NULL with an error at EOF too. */
static JsonObject *
recv_obj (int sock, int *fds, size_t max_fds, GError **error)
{
  g_autofree char *buf = g_malloc (SPAWNER_MSG_MAX + 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  ssize_t n;

  do
    n = runsc_recv_fds (sock, buf, SPAWNER_MSG_MAX, fds, max_fds);
  while (n == -EINTR);
  if (n < 0)
    {
      runsc_error_errno (error, (int) -n, "spawner: receive");
      return NULL;
    }
  if (n == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "the sandbox's spawner process is gone");
      return NULL;
    }
  buf[n] = '\0';
  if (!json_parser_load_from_data (parser, buf, n, error) || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      for (size_t i = 0; i < max_fds; i++)
        if (fds[i] >= 0)
          close (fds[i]);
      g_clear_error (error);
      runsc_error_set (error, RUNSC_ERROR_FAILED, "spawner: bad message");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static void
close_fds (int *fds, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

G_GNUC_NORETURN static void
spawner_main (int sock, pid_t sentry, SentrySpawnerHandler handler, void *data)
{
  sigset_t none;

  spawner_sock = sock;
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid () != sentry)
    _exit (1);
  prctl (PR_SET_NAME, "runsc-spawner", 0, 0, 0);
  /* The Sentry's blocked signals are for its signalfd; here hooks and children are waited for by pid. */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_IGN);
  container_spawn_as_sentry_child (TRUE);
  runsc_log_set_component ("runsc-spawner");
  for (;;)
    {
      int fds[SPAWNER_MAX_FDS];
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) msg = recv_obj (sock, fds, SPAWNER_MAX_FDS, &error);
      g_autoptr (JsonObject) reply = json_object_new ();
      size_t n_fds = 0;
      pid_t pid = -1;
      int out = -1;
      JsonObject *req;
      const char *kind;

      if (msg == NULL)
        _exit (0); /* the Sentry is gone or closed its end */
      while (n_fds < SPAWNER_MAX_FDS && fds[n_fds] >= 0)
        n_fds++;
      kind = json_object_get_string_member_with_default (msg, "kind", "");
      req = json_object_has_member (msg, "req") ? json_object_get_object_member (msg, "req") : NULL;
      if (req == NULL)
        runsc_error_set (&error, RUNSC_ERROR_INVALID, "spawner: request %s has no arguments", kind);
      else
        handler (kind, req, fds, n_fds, data, &pid, &out, &error);
      close_fds (fds, SPAWNER_MAX_FDS);
      if (error != NULL)
        {
          json_object_set_string_member (reply, "type", "error");
          json_object_set_string_member (reply, "error", error->message);
          g_clear_error (&error);
          if (out >= 0)
            close (out);
          out = -1;
        }
      else
        {
          json_object_set_string_member (reply, "type", "done");
          json_object_set_int_member (reply, "pid", pid);
        }
      if (!send_obj (sock, reply, &out, out >= 0 ? 1 : 0, &error))
        _exit (1);
      if (out >= 0)
        close (out);
    }
}

SentrySpawner *
sentry_spawner_start (SentrySpawnerHandler handler, void (*in_child) (void *data), void *data, GError **error)
{
  int sv[2];
  pid_t sentry = getpid ();
  pid_t pid;
  SentrySpawner *s;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      runsc_error_errno (error, errno, "socketpair for the spawner");
      return NULL;
    }
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (sv[0]);
      close (sv[1]);
      runsc_error_errno (error, e, "fork the spawner");
      return NULL;
    }
  if (pid == 0)
    {
      close (sv[0]);
      if (in_child != NULL)
        in_child (data);
      spawner_main (sv[1], sentry, handler, data);
    }
  close (sv[1]);
  s = g_new0 (SentrySpawner, 1);
  s->pid = pid;
  s->sock = sv[0];
  log_debug ("spawner: pid %d", (int) pid);
  return s;
}

gboolean
sentry_spawner_relay_listener (int notify_fd, pid_t pid, void *user_data, GError **error)
{
  g_autoptr (JsonObject) msg = json_object_new ();
  g_autoptr (JsonObject) answer = NULL;
  int fds[1] = { -1 };
  gboolean ok;

  (void) user_data;
  json_object_set_string_member (msg, "type", "listener");
  json_object_set_int_member (msg, "pid", pid);
  ok = send_obj (spawner_sock, msg, &notify_fd, 1, error);
  close (notify_fd);
  if (!ok)
    return FALSE;
  answer = recv_obj (spawner_sock, fds, 1, error);
  close_fds (fds, 1);
  if (answer == NULL)
    return FALSE;
  if (!json_object_get_boolean_member_with_default (answer, "ok", FALSE))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s",
                            json_object_get_string_member_with_default (answer, "error", "the Sentry refused"));
  return TRUE;
}

gboolean
sentry_spawner_call (SentrySpawner *s, const char *kind, JsonObject *req, const int *fds, size_t n_fds,
                     gboolean (*on_listener) (int notify_fd, pid_t pid, void *data, GError **error), void *data,
                     pid_t *pid, int *fd, GError **error)
{
  g_autoptr (JsonObject) msg = json_object_new ();

  *pid = -1;
  if (fd != NULL)
    *fd = -1;
  /* The descriptors up to the first missing one (a request's optional ones come last). */
  for (size_t i = 0; i < n_fds; i++)
    if (fds[i] < 0)
      {
        n_fds = i;
        break;
      }
  if (n_fds > SPAWNER_MAX_FDS)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: %zu descriptors: too many", n_fds);
  json_object_set_string_member (msg, "kind", kind);
  json_object_set_object_member (msg, "req", json_object_ref (req));
  if (!send_obj (s->sock, msg, fds, n_fds, error))
    return FALSE;
  for (;;)
    {
      int in[1] = { -1 };
      g_autoptr (JsonObject) m = recv_obj (s->sock, in, 1, error);
      const char *type;

      if (m == NULL)
        return FALSE;
      type = json_object_get_string_member_with_default (m, "type", "");
      if (strcmp (type, "listener") == 0)
        {
          g_autoptr (JsonObject) answer = json_object_new ();
          g_autoptr (GError) local = NULL;
          pid_t lpid = (pid_t) json_object_get_int_member_with_default (m, "pid", -1);
          gboolean ok;

          if (in[0] < 0)
            ok = runsc_error_set (&local, RUNSC_ERROR_FAILED, "spawner: a listener without its descriptor");
          else if (on_listener == NULL)
            {
              close (in[0]);
              ok = runsc_error_set (&local, RUNSC_ERROR_FAILED, "spawner: an unexpected listener");
            }
          else
            ok = on_listener (in[0], lpid, data, &local);
          json_object_set_boolean_member (answer, "ok", ok);
          if (!ok)
            json_object_set_string_member (answer, "error", local->message);
          if (!send_obj (s->sock, answer, NULL, 0, error))
            return FALSE;
          continue;
        }
      if (strcmp (type, "done") == 0)
        {
          *pid = (pid_t) json_object_get_int_member_with_default (m, "pid", -1);
          if (fd != NULL)
            *fd = in[0];
          else if (in[0] >= 0)
            close (in[0]);
          return TRUE;
        }
      close_fds (in, 1);
      if (strcmp (type, "error") == 0)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s",
                                json_object_get_string_member_with_default (m, "error", "spawner failed"));
      return runsc_error_set (error, RUNSC_ERROR_FAILED, "spawner: unexpected message %s", type);
    }
}

pid_t
sentry_spawner_pid (const SentrySpawner *s)
{
  return s != NULL ? s->pid : -1;
}
