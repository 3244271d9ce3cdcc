/* Unit tests of the user log's json-k8s lines (src/sentry/user-log.h): the fields, escaping, cutting a long
 * message, and the write to the descriptor. */
#include "config.h"

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/user-log.h"

/* Parse one line as JSON and return its object (the test fails if it is not exactly log, level and time). */
static JsonObject *
parse_line (const char *line)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *o;

  g_assert_true (g_str_has_suffix (line, "}\n"));
  g_assert_true (strchr (line, '\n') == line + strlen (line) - 1); /* one line */
  g_assert_true (json_parser_load_from_data (p, line, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)));
  o = json_node_get_object (json_parser_get_root (p));
  g_assert_cmpuint (json_object_get_size (o), ==, 3);
  g_assert_true (json_object_has_member (o, "log"));
  g_assert_true (json_object_has_member (o, "level"));
  g_assert_true (json_object_has_member (o, "time"));
  return json_object_ref (o);
}

static void
test_fields (void)
{
  char buf[4096];
  size_t n = user_log_format (buf, sizeof buf, RUNSC_LOG_INFO, "Unsupported syscall swapoff(0x1,0,0,0,0,0)",
                              1795478400, 5);
  g_autoptr (JsonObject) o = NULL;

  g_assert_cmpuint (n, ==, strlen (buf));
  o = parse_line (buf);
  g_assert_cmpstr (json_object_get_string_member (o, "log"), ==, "Unsupported syscall swapoff(0x1,0,0,0,0,0)");
  g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "info");
  g_assert_cmpstr (json_object_get_string_member (o, "time"), ==, "2026-11-24T00:00:00.000000005Z");
  g_assert_cmpstr (buf, ==,
                   "{\"log\":\"Unsupported syscall swapoff(0x1,0,0,0,0,0)\",\"level\":\"info\","
                   "\"time\":\"2026-11-24T00:00:00.000000005Z\"}\n");
  user_log_format (buf, sizeof buf, RUNSC_LOG_ERROR, "x", 0, 0);
  g_clear_pointer (&o, json_object_unref);
  o = parse_line (buf);
  g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "error");
}

static void
test_escaping (void)
{
  const char *msg = "quote \" backslash \\ newline \n tab \t bell \a del \x7f utf-8 \xc3\xa9";
  char buf[4096];
  g_autoptr (JsonObject) o = NULL;

  user_log_format (buf, sizeof buf, RUNSC_LOG_WARNING, msg, 0, 0);
  o = parse_line (buf);
  g_assert_cmpstr (json_object_get_string_member (o, "log"), ==, msg);
}

/* A message longer than the buffer is cut, never in the middle of an escape: still one valid line. */
static void
test_cut (void)
{
  g_autoptr (GString) msg = g_string_new (NULL);
  char buf[300];
  gsize i;

  for (i = 0; i < 400; i++)
    g_string_append (msg, i % 3 == 0 ? "\"" : i % 3 == 1 ? "\n" : "\x01");
  for (i = 200; i < sizeof buf; i++)
    {
      g_autoptr (JsonObject) o = NULL;
      size_t n = user_log_format (buf, i, RUNSC_LOG_INFO, msg->str, 0, 0);
      g_assert_cmpuint (n, <, i);
      o = parse_line (buf);
      g_assert_true (g_str_has_prefix (msg->str, json_object_get_string_member (o, "log")));
      g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "info");
    }
  /* Too small for even the frame: nothing. */
  g_assert_cmpuint (user_log_format (buf, 20, RUNSC_LOG_INFO, "x", 0, 0), ==, 0);
}

static void
test_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-user-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "gvisor.log", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  int fd;

  g_assert_true (g_file_set_contents (path, "earlier\n", -1, NULL));
  fd = user_log_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fcntl (fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);
  user_log_set_fd (fd);
  g_assert_cmpint (user_log_fd (), ==, fd);
  user_log_info ("sandbox %s: started", "abc");
  user_log_write_fd (fd, RUNSC_LOG_ERROR, "only here");
  user_log_set_fd (-1);
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1); /* closed */
  user_log_info ("nowhere");
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "earlier");
  g_assert_true (g_str_has_prefix (lines[1], "{\"log\":\"sandbox abc: started\",\"level\":\"info\",\"time\":\"20"));
  g_assert_true (g_str_has_prefix (lines[2], "{\"log\":\"only here\",\"level\":\"error\""));
  g_assert_cmpstr (lines[3], ==, "");

  /* A directory that does not exist yet is made (0755), with its parents. */
  {
    g_autofree char *deep = g_build_filename (dir, "new", "sub", "gvisor.log", NULL);
    g_autofree char *sub = g_path_get_dirname (deep);
    g_autofree char *top = g_path_get_dirname (sub);
    struct stat sb;
    mode_t old = umask (022);
    int lfd = user_log_open (deep, &error);

    umask (old);

    g_assert_no_error (error);
    g_assert_cmpint (lfd, >=, 0);
    close (lfd);
    g_assert_cmpint (stat (sub, &sb), ==, 0);
    g_assert_cmpint (sb.st_mode & 07777, ==, 0755);
    unlink (deep);
    rmdir (sub);
    rmdir (top);
  }
  /* One that cannot be made (its parent is a file): an error naming the directory and the log. */
  {
    g_autofree char *bad = g_build_filename (path, "sub", "gvisor.log", NULL);
    g_assert_cmpint (user_log_open (bad, &error), ==, -1);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, bad));
    g_clear_error (&error);
  }
  unlink (path);
  rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/user-log/fields", test_fields);
  g_test_add_func ("/user-log/escaping", test_escaping);
  g_test_add_func ("/user-log/cut", test_cut);
  g_test_add_func ("/user-log/write", test_write);
  return g_test_run ();
}
