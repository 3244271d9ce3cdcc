/* The test suite's control command (test-hook.h): compiled in only with RUNSC_TEST_HOOKS. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/control.h"
#include "sentry/test-hook.h"

gboolean
sentry_test_hook (const char *cmd, JsonObject *req, int conn)
{
#ifdef RUNSC_TEST_HOOKS
  g_autoptr (JsonObject) result = NULL;
  gint64 nr;
  long r;

  if (strcmp (cmd, "test-syscall") != 0)
    return FALSE;
  nr = json_object_get_int_member_with_default (req, "nr", -1);
  /* Calls that are harmless with zero arguments: getpid (in the allowlist), socket and getppid (not in it). */
  if (nr != SYS_getpid && nr != SYS_socket && nr != SYS_getppid)
    {
      control_reply_error (conn, "test-syscall: only getpid, socket and getppid");
      return TRUE;
    }
  errno = 0;
  r = syscall (nr, 0, 0, 0, 0, 0, 0);
  result = json_object_new ();
  json_object_set_int_member (result, "ret", r);
  json_object_set_int_member (result, "errno", r < 0 ? errno : 0);
  control_reply_ok (conn, result);
  return TRUE;
#else
  (void) cmd;
  (void) req;
  (void) conn;
  return FALSE;
#endif
}
