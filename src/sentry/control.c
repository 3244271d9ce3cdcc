/* The Sentry's control socket: transport and message framing (the protocol is described in control.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/control.h"

static gboolean
socket_address (int dirfd, struct sockaddr_un *addr, GError **error)
{
  int n;

  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  n = snprintf (addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", dirfd, STATE_SOCKET_FILE);
  if (n < 0 || (size_t) n >= sizeof addr->sun_path)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "control socket path too long");
  return TRUE;
}

int
control_listen (int dirfd, GError **error)
{
  struct sockaddr_un addr;
  autofd int fd = -1;

  if (!socket_address (dirfd, &addr, error))
    return -1;
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      runsc_error_errno (error, errno, "create control socket");
      return -1;
    }
  unlinkat (dirfd, STATE_SOCKET_FILE, 0);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      runsc_error_errno (error, errno, "bind control socket %s", STATE_SOCKET_FILE);
      return -1;
    }
  if (fchmodat (dirfd, STATE_SOCKET_FILE, 0600, 0) < 0 || listen (fd, 64) < 0)
    {
      runsc_error_errno (error, errno, "listen on control socket");
      return -1;
    }
  return steal_fd (&fd);
}

int
control_connect (int dirfd, GError **error)
{
  struct sockaddr_un addr;
  autofd int fd = -1;

  if (!socket_address (dirfd, &addr, error))
    return -1;
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      runsc_error_errno (error, errno, "create control socket");
      return -1;
    }
  while (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      if (errno == EINTR)
        continue;
      runsc_error_errno (error, errno, "connect to the sandbox's control socket");
      return -1;
    }
  return steal_fd (&fd);
}

static gboolean
send_object (int conn, JsonObject *obj, const int *fds, size_t n_fds, GError **error)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  size_t len;
  int r;

  json_node_set_object (node, obj);
  text = json_to_string (node, FALSE);
  len = strlen (text);
  if (len > CONTROL_MSG_MAX)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "control message too large (%zu bytes)", len);
  r = runsc_send_fds (conn, text, len, fds, n_fds);
  if (r < 0)
    return runsc_error_errno (error, -r, "send control message");
  return TRUE;
}

JsonObject *
control_recv (int conn, int *fds, size_t max_fds, GError **error)
{
  g_autofree char *buf = g_malloc (CONTROL_MSG_MAX + 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  int dummy[1];
  JsonNode *root;
  ssize_t n;

  n = runsc_recv_fds (conn, buf, CONTROL_MSG_MAX, fds != NULL ? fds : dummy, fds != NULL ? max_fds : 0);
  if (n < 0)
    {
      runsc_error_errno (error, (int) -n, "receive control message");
      return NULL;
    }
  if (n == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "control connection closed by the sandbox");
      return NULL;
    }
  buf[n] = '\0';
  if (!runsc_json_depth_check (buf, n, RUNSC_JSON_MAX_DEPTH, error) || !json_parser_load_from_data (parser, buf, n, error))
    {
      runsc_error_prefix (error, "bad control message");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "bad control message: not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

typedef enum
{
  MEMBER_STRING,
  MEMBER_BOOLEAN,
  MEMBER_INT,
  MEMBER_OBJECT,
} MemberType;

static const struct
{
  const char *name;
  MemberType type;
  gint64 max; /* MEMBER_INT: 0..max */
} request_members[] = {
  { "cmd", MEMBER_STRING, 0 },         { "id", MEMBER_STRING, 0 },          { "bundle", MEMBER_STRING, 0 },
  { "config", MEMBER_STRING, 0 },      { "all", MEMBER_BOOLEAN, 0 },        { "console", MEMBER_BOOLEAN, 0 },
  { "ignore_paused", MEMBER_BOOLEAN, 0 }, { "signal", MEMBER_INT, 64 },     { "pid", MEMBER_INT, G_MAXINT },
  { "preserve_fds", MEMBER_INT, G_MAXINT }, { "nr", MEMBER_INT, G_MAXINT }, { "process", MEMBER_OBJECT, 0 },
};

gboolean
control_request_check (JsonObject *req, GError **error)
{
  JsonNode *cmd = json_object_get_member (req, "cmd");

  if (cmd == NULL || JSON_NODE_HOLDS_NULL (cmd))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "bad control message: no \"cmd\"");
  for (gsize i = 0; i < G_N_ELEMENTS (request_members); i++)
    {
      JsonNode *node = json_object_get_member (req, request_members[i].name);
      const char *name = request_members[i].name;
      GType vt;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      vt = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
      switch (request_members[i].type)
        {
        case MEMBER_STRING:
          if (vt != G_TYPE_STRING)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "bad control message: \"%s\" must be a string", name);
          break;
        case MEMBER_BOOLEAN:
          if (vt != G_TYPE_BOOLEAN)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "bad control message: \"%s\" must be true or false",
                                    name);
          break;
        case MEMBER_INT:
          if (vt != G_TYPE_INT64 || json_node_get_int (node) < 0 || json_node_get_int (node) > request_members[i].max)
            return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                    "bad control message: \"%s\" must be an integer from 0 to %" G_GINT64_FORMAT, name,
                                    request_members[i].max);
          break;
        case MEMBER_OBJECT:
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "bad control message: \"%s\" must be an object", name);
          break;
        }
    }
  return TRUE;
}

int
control_send_request (int dirfd, JsonObject *request, const int *fds, size_t n_fds, GError **error)
{
  autofd int conn = control_connect (dirfd, error);

  if (conn < 0)
    return -1;
  if (!send_object (conn, request, fds, n_fds, error))
    return -1;
  return steal_fd (&conn);
}

/* A reply's "ok": true only as the boolean true (a reply of another shape is a failure). */
static gboolean
reply_ok (JsonObject *reply)
{
  JsonNode *ok = json_object_get_member (reply, "ok");

  return ok != NULL && JSON_NODE_HOLDS_VALUE (ok) && json_node_get_value_type (ok) == G_TYPE_BOOLEAN
         && json_node_get_boolean (ok);
}

JsonObject *
control_read_reply (int conn, int *fds, size_t max_fds, GError **error)
{
  g_autoptr (JsonObject) reply = control_recv (conn, fds, max_fds, error);

  if (reply == NULL)
    return NULL;
  if (!reply_ok (reply))
    {
      JsonNode *text = json_object_get_member (reply, "error");
      const char *msg = text != NULL && JSON_NODE_HOLDS_VALUE (text) && json_node_get_value_type (text) == G_TYPE_STRING
                          ? json_node_get_string (text)
                          : "the sandbox answered without an error message";
      runsc_error_set (error, RUNSC_ERROR_FAILED, "%s", msg);
      for (size_t i = 0; fds != NULL && i < max_fds; i++)
        if (fds[i] >= 0)
          {
            close (fds[i]);
            fds[i] = -1;
          }
      return NULL;
    }
  return g_steal_pointer (&reply);
}

JsonObject *
control_call (int dirfd, JsonObject *request, const int *fds, size_t n_fds, GError **error)
{
  autofd int conn = control_send_request (dirfd, request, fds, n_fds, error);

  if (conn < 0)
    return NULL;
  return control_read_reply (conn, NULL, 0, error);
}

JsonObject *
control_call_within (int dirfd, JsonObject *request, int timeout_ms, GError **error)
{
  autofd int conn = control_send_request (dirfd, request, NULL, 0, error);
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

JsonObject *
control_call_simple (int dirfd, const char *cmd, GError **error)
{
  g_autoptr (JsonObject) req = json_object_new ();

  json_object_set_string_member (req, "cmd", cmd);
  return control_call (dirfd, req, NULL, 0, error);
}

gboolean
control_reply_ok (int conn, JsonObject *result)
{
  return control_reply_ok_fds (conn, result, NULL, 0);
}

gboolean
control_reply_ok_fds (int conn, JsonObject *result, const int *fds, size_t n_fds)
{
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (GError) error = NULL;

  json_object_set_boolean_member (reply, "ok", TRUE);
  if (result != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, result);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (reply, name, json_node_copy (value));
    }
  return send_object (conn, reply, fds, n_fds, &error);
}

gboolean
control_reply_error (int conn, const char *message)
{
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (GError) error = NULL;

  json_object_set_boolean_member (reply, "ok", FALSE);
  json_object_set_string_member (reply, "error", message);
  return send_object (conn, reply, NULL, 0, &error);
}

JsonObject *
control_request_new (const char *cmd, const char *id)
{
  JsonObject *req = json_object_new ();

  json_object_set_string_member (req, "cmd", cmd);
  if (id != NULL)
    json_object_set_string_member (req, "id", id);
  return req;
}

JsonObject *
control_call_id (int dirfd, const char *cmd, const char *id, GError **error)
{
  g_autoptr (JsonObject) req = control_request_new (cmd, id);

  return control_call (dirfd, req, NULL, 0, error);
}
