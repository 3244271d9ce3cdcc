/* runsc wait: wait for the container to exit; print {"id": ID, "exitStatus": N} (N is 128+sig for a signal).
 * With --pid N (gVisor's flag), wait for that process instead: one started by runsc exec (N its pid in the
 * container's pid namespace or on the host), or the init. */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/control.h"

int
cmd_wait (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) local = NULL;
  gboolean done;
  int idx, status = -1, wait_pid = 0;
  const RunscFlag flags[] = {
    { "pid", RUNSC_FLAG_INT, &wait_pid, "PID", "wait for this process of the container (started by runsc exec)" },
    { "", 0, NULL, NULL, NULL },
  };

  idx = cli_parse (g, flags, argc, argv, 1, 1, "wait [--pid PID] ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  /* Not locked: waiting must not keep other commands (kill, delete) out. */
  if (!cli_load_container (g, argv[idx], FALSE, &d, &st, error))
    return -1;
  if (wait_pid > 0)
    {
      /* An exec'd process: the Sentry knows its status; a sandbox that is gone took it along (SIGKILL). */
      status = 128 + SIGKILL;
      if (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
        {
          g_autoptr (JsonObject) req = control_request_new ("wait-pid", st->id);
          json_object_set_int_member (req, "pid", wait_pid);
          reply = control_call (d->dirfd, req, NULL, 0, error);
          if (reply == NULL)
            return -1;
          status = (int) json_object_get_int_member_with_default (reply, "exit_status", 128 + SIGKILL);
        }
    }
  else if (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      g_autoptr (JsonObject) req = json_object_new ();
      json_object_set_string_member (req, "cmd", "wait");
      json_object_set_string_member (req, "id", st->id);
      reply = control_call (d->dirfd, req, NULL, 0, &local);
      if (reply != NULL)
        status = (int) json_object_get_int_member_with_default (reply, "exit_status", -1);
    }
  if (status < 0 && !state_read_exit_status (d, &status))
    {
      if (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
        {
          if (local != NULL)
            g_propagate_error (error, g_steal_pointer (&local));
          else
            runsc_error_set (error, RUNSC_ERROR_STATE, "container %s: its exit status is unknown", st->id);
          return -1;
        }
      /* The Sentry died without recording one: its death SIGKILLed the container (fail closed). */
      status = 128 + SIGKILL;
    }
  {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    g_autofree char *text = NULL;

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "id");
    json_builder_add_string_value (b, st->id);
    json_builder_set_member_name (b, "exitStatus");
    json_builder_add_int_value (b, status);
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    text = json_to_string (root, FALSE);
    printf ("%s\n", text);
  }
  return 0;
}
