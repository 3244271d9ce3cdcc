/* Fuzz target: the Sentry's control-socket messages (src/sentry/control.h). Each input is one datagram, sent on
 * a SOCK_SEQPACKET pair and read back by the Sentry's side (control_recv), checked as the Sentry checks a request
 * before it acts on it (control_request_check), and, for an "exec" request, its OCI process object parsed as the
 * Sentry parses it (sentry_exec_process_parse). The same datagram is then read as a reply by runsc's side
 * (control_read_reply). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "oci/spec.h"
#include "sentry/control.h"
#include "sentry/exec.h"
#include "tests/fuzz/fuzz.h"

static int pair[2] = { -1, -1 };

static gboolean
send_datagram (const uint8_t *data, size_t size)
{
  if (pair[0] < 0 && socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    abort ();
  return send (pair[0], data, size, MSG_NOSIGNAL) == (ssize_t) size;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  JsonObject *req;
  int fds[4];

  if (size > CONTROL_MSG_MAX || !send_datagram (data, size))
    return 0;
  req = control_recv (pair[1], fds, G_N_ELEMENTS (fds), &error);
  if ((req == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  if (req != NULL)
    {
      gboolean ok = control_request_check (req, &error);

      if (ok == (error != NULL))
        __builtin_trap ();
      g_clear_error (&error);
      if (ok)
        {
          /* What the Sentry reads from a request that passed. */
          const char *cmd = json_object_get_string_member_with_default (req, "cmd", "");
          const char *id = json_object_get_string_member_with_default (req, "id", NULL);
          JsonNode *process = json_object_get_member (req, "process");

          if (cmd == NULL || (json_object_has_member (req, "id") && id == NULL
                              && !JSON_NODE_HOLDS_NULL (json_object_get_member (req, "id"))))
            __builtin_trap ();
          (void) json_object_get_int_member_with_default (req, "signal", 15);
          (void) json_object_get_int_member_with_default (req, "pid", 0);
          (void) json_object_get_int_member_with_default (req, "preserve_fds", 0);
          (void) json_object_get_boolean_member_with_default (req, "all", FALSE);
          (void) json_object_get_boolean_member_with_default (req, "console", FALSE);
          (void) json_object_get_string_member_with_default (req, "bundle", "");
          (void) json_object_get_string_member_with_default (req, "config", "");
          if (strcmp (cmd, "exec") == 0 && process != NULL && JSON_NODE_HOLDS_OBJECT (process))
            {
              OciSpec *spec = sentry_exec_process_parse (json_node_get_object (process), &error);

              if ((spec == NULL) == (error == NULL))
                __builtin_trap ();
              if (spec != NULL)
                oci_spec_free (spec);
              g_clear_error (&error);
            }
        }
      json_object_unref (req);
    }

  /* runsc's side: the same datagram as the Sentry's reply. */
  if (!send_datagram (data, size))
    return 0;
  req = control_read_reply (pair[1], fds, G_N_ELEMENTS (fds), &error);
  if ((req == NULL) == (error == NULL))
    __builtin_trap ();
  if (req != NULL)
    json_object_unref (req);
  g_clear_error (&error);
  return 0;
}
