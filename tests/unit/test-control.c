/* Unit tests for the control socket transport (src/sentry/control.c): a request and its reply, an error reply,
 * descriptors passed along, a state directory deeper than sun_path allows, and a missing socket. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "sentry/control.h"

/* A directory whose path is longer than sun_path (108 bytes). */
static char *
make_deep_dir (int *dirfd)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("test-control-XXXXXX", &error);
  g_autofree char *seg = g_strnfill (60, 'd');
  char *deep = g_build_filename (base, seg, seg, seg, NULL);

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (deep, 0700), ==, 0);
  g_assert_cmpuint (strlen (deep), >, 108);
  *dirfd = open (deep, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (*dirfd, >=, 0);
  return deep;
}

static void
remove_tree (const char *deep)
{
  g_autofree char *d1 = g_path_get_dirname (deep);
  g_autofree char *d2 = g_path_get_dirname (d1);
  g_autofree char *top = g_path_get_dirname (d2);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", top);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* The server side, in a child: answers "echo" with its argument and the first line read from a passed fd,
 * anything else with an error. */
static void
serve (int listener, int n)
{
  int i;

  for (i = 0; i < n; i++)
    {
      g_autoptr (JsonObject) req = NULL;
      g_autoptr (JsonObject) result = json_object_new ();
      int fds[4];
      int conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);

      if (conn < 0)
        _exit (2);
      req = control_recv (conn, fds, G_N_ELEMENTS (fds), NULL);
      if (req == NULL)
        _exit (3);
      if (strcmp (json_object_get_string_member_with_default (req, "cmd", ""), "echo") == 0)
        {
          char buf[64] = "";
          if (fds[0] >= 0)
            {
              ssize_t r = read (fds[0], buf, sizeof buf - 1);
              buf[r > 0 ? r : 0] = '\0';
              close (fds[0]);
            }
          json_object_set_string_member (result, "said", json_object_get_string_member_with_default (req, "id", ""));
          json_object_set_string_member (result, "read", buf);
          control_reply_ok (conn, result);
        }
      else
        control_reply_error (conn, "no such command");
      close (conn);
    }
  _exit (0);
}

static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  int dirfd, listener, pipefd[2], wstatus;
  g_autofree char *deep = make_deep_dir (&dirfd);
  pid_t child;

  listener = control_listen (dirfd, &error);
  g_assert_no_error (error);
  g_assert_cmpint (listener, >=, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    serve (listener, 2);
  close (listener);

  {
    g_autoptr (JsonObject) req = control_request_new ("echo", "abc");
    g_autoptr (JsonObject) reply = NULL;

    g_assert_cmpint (pipe (pipefd), ==, 0);
    g_assert_cmpint (write (pipefd[1], "through-fd", 10), ==, 10);
    close (pipefd[1]);
    reply = control_call (dirfd, req, &pipefd[0], 1, &error);
    close (pipefd[0]);
    g_assert_no_error (error);
    g_assert_nonnull (reply);
    g_assert_true (json_object_get_boolean_member (reply, "ok"));
    g_assert_cmpstr (json_object_get_string_member (reply, "said"), ==, "abc");
    g_assert_cmpstr (json_object_get_string_member (reply, "read"), ==, "through-fd");
  }
  {
    g_autoptr (JsonObject) reply = control_call_id (dirfd, "bogus", NULL, &error);
    g_assert_null (reply);
    g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, "no such command");
    g_clear_error (&error);
  }
  g_assert_cmpint (waitpid (child, &wstatus, 0), ==, child);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);

  /* Nobody listens any more: the error says so, it does not hang. */
  g_assert_null (control_call_simple (dirfd, "state", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "connect to the sandbox's control socket"));
  close (dirfd);
  remove_tree (deep);
}

/* control_request_check: the requests runsc and the shim send pass; members of the wrong type or range fail,
 * naming the member (the Sentry would have read them as NULL, 0, or a wrapped pid). */
static void
test_request_check (void)
{
  static const char *const good[] = {
    "{\"cmd\":\"state\",\"id\":\"c1\"}",
    "{\"cmd\":\"signal\",\"id\":\"c1\",\"signal\":9,\"all\":false}",
    "{\"cmd\":\"wait-pid\",\"id\":\"c1\",\"pid\":2}",
    "{\"cmd\":\"exec\",\"id\":\"c1\",\"process\":{\"args\":[\"true\"]},\"console\":false,\"preserve_fds\":0}",
    "{\"cmd\":\"wait\",\"id\":null,\"future\":[1,2]}",
  };
  static const struct
  {
    const char *json, *member;
  } bad[] = {
    { "{\"id\":\"c1\"}", "\"cmd\"" },
    { "{\"cmd\":5}", "\"cmd\" must be a string" },
    { "{\"cmd\":{\"state\":1}}", "\"cmd\" must be a string" },
    { "{\"cmd\":\"state\",\"id\":7}", "\"id\" must be a string" },
    { "{\"cmd\":\"wait-pid\",\"pid\":4294967297}", "\"pid\" must be an integer from 0 to 2147483647" },
    { "{\"cmd\":\"signal\",\"signal\":-1}", "\"signal\" must be an integer from 0 to 64" },
    { "{\"cmd\":\"signal\",\"signal\":9.0}", "\"signal\" must be an integer" },
    { "{\"cmd\":\"signal\",\"all\":\"yes\"}", "\"all\" must be true or false" },
    { "{\"cmd\":\"exec\",\"process\":[\"true\"]}", "\"process\" must be an object" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good) + G_N_ELEMENTS (bad); i++)
    {
      gboolean is_good = i < G_N_ELEMENTS (good);
      const char *json = is_good ? good[i] : bad[i - G_N_ELEMENTS (good)].json;
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;

      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      if (is_good)
        {
          g_assert_true (control_request_check (json_node_get_object (json_parser_get_root (parser)), &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (control_request_check (json_node_get_object (json_parser_get_root (parser)), &error));
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error->message, bad[i - G_N_ELEMENTS (good)].member));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/control/round-trip", test_round_trip);
  g_test_add_func ("/control/request-check", test_request_check);
  return g_test_run ();
}
