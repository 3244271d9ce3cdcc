/* The status query of the state store, over the Sentry's control socket (see sandbox-status.h). */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <string.h>

#include "cli/sandbox-status.h"
#include "common/error.h"
#include "common/util.h"
#include "sentry/control.h"

/* Ask the Sentry, waiting at most timeout_ms for its answer. Returns the reply (whether "ok" or not: an answer),
 * or NULL with error when there was none (no socket, refused, no reply in time). */
static JsonObject *
query_state (StateDir *d, const char *id, int timeout_ms, GError **error)
{
  g_autoptr (JsonObject) req = control_request_new ("state", id);
  autofd int conn = control_send_request (d->dirfd, req, NULL, 0, error);
  struct pollfd p;
  gint64 deadline;

  if (conn < 0)
    return NULL;
  p.fd = conn;
  p.events = POLLIN;
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int r = left > 0 ? poll (&p, 1, (int) left) : 0;
      if (r > 0)
        break;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          runsc_error_errno (error, errno, "wait for the sandbox's answer");
          return NULL;
        }
      runsc_error_set (error, RUNSC_ERROR_FAILED, "no answer from the sandbox in %d ms", timeout_ms);
      return NULL;
    }
  return control_recv (conn, NULL, 0, error);
}

gboolean
cli_sandbox_status_query (StateDir *d, const char *id, int timeout_ms, const char **status, int *exit_status,
                          GError **error)
{
  g_autoptr (JsonObject) reply = query_state (d, id, timeout_ms, error);
  const char *s;

  *exit_status = -1;
  if (reply == NULL)
    return FALSE;
  if (!json_object_get_boolean_member_with_default (reply, "ok", FALSE))
    {
      *status = "stopped"; /* the sandbox answered that it has no such running container */
      return TRUE;
    }
  s = json_object_get_string_member_with_default (reply, "status", "stopped");
  *exit_status = (int) json_object_get_int_member_with_default (reply, "exit_status", -1);
  if (g_strcmp0 (s, "created") == 0)
    *status = "created";
  else if (g_strcmp0 (s, "running") == 0)
    *status = "running";
  else if (g_strcmp0 (s, "paused") == 0)
    *status = "paused";
  else
    *status = "stopped";
  return TRUE;
}
