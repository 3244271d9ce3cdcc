/* The test suite's control command (test-hook.h): compiled in only with RUNSC_TEST_HOOKS. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/control.h"
#include "sentry/spawner.h"
#include "sentry/test-hook.h"

static SentrySpawner *test_spawner;

void
sentry_test_hook_set_spawner (SentrySpawner *spawner)
{
  test_spawner = spawner;
}

#ifdef RUNSC_TEST_HOOKS
/* "test-spawner": the request goes to the spawner unchecked, as a compromised Sentry would send it. */
static void
test_spawner_call (JsonObject *req, int conn)
{
  const char *kind = json_object_get_string_member_with_default (req, "kind", "");
  JsonObject *sreq = json_object_has_member (req, "req") ? json_object_get_object_member (req, "req") : NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) result = json_object_new ();
  int fds[4];
  pid_t pid = -1;
  int fd = -1;

  if (test_spawner == NULL || sreq == NULL)
    {
      control_reply_error (conn, "test-spawner: no spawner, or no req");
      return;
    }
  for (int i = 0; i < 4; i++)
    fds[i] = fcntl (conn, F_DUPFD_CLOEXEC, 0);
  if (!sentry_spawner_call (test_spawner, kind, sreq, fds, 4, NULL, NULL, &pid, &fd, &error))
    control_reply_error (conn, error->message);
  else
    {
      json_object_set_int_member (result, "pid", pid);
      control_reply_ok (conn, result);
    }
  for (int i = 0; i < 4; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  if (fd >= 0)
    close (fd);
}
#endif

gboolean
sentry_test_hook (const char *cmd, JsonObject *req, int conn)
{
#ifdef RUNSC_TEST_HOOKS
  g_autoptr (JsonObject) result = NULL;
  gint64 nr;
  long r;

  if (strcmp (cmd, "test-spawner") == 0)
    {
      test_spawner_call (req, conn);
      return TRUE;
    }
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
