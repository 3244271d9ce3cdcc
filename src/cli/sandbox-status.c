/* The status query of the state store, over the Sentry's control socket (see sandbox-status.h). */
#include "config.h"

#include <json-glib/json-glib.h>

#include "cli/sandbox-status.h"
#include "common/error.h"
#include "common/util.h"
#include "sentry/control.h"

gboolean
cli_sandbox_status_query (StateDir *d, const char *id, int timeout_ms, const char **status, int *exit_status,
                          GError **error)
{
  g_autoptr (JsonObject) req = control_request_new ("state", id);
  g_autoptr (JsonObject) reply = control_call_within (d->dirfd, req, timeout_ms, error);
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
