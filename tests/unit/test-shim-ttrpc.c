/* Unit tests for the shim's ttrpc framing and server (reference/containerd-shim-v2.md section 1). */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib-unix.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/ttrpc.h"
#include "task.pb-c.h"
#include "ttrpc.pb-c.h"

static GByteArray *
hex (const char *s)
{
  GByteArray *b = g_byte_array_new ();
  while (*s)
    {
      if (*s == ' ' || *s == '|')
        {
          s++;
          continue;
        }
      guint8 v = g_ascii_xdigit_value (s[0]) * 16 + g_ascii_xdigit_value (s[1]);
      g_byte_array_append (b, &v, 1);
      s += 2;
    }
  return b;
}

static void
append_str (GByteArray *b, const char *s)
{
  g_byte_array_append (b, (const guint8 *) s, strlen (s));
}

static void
assert_bytes (GByteArray *got, GByteArray *want)
{
  g_assert_cmpmem (got->data, got->len, want->data, want->len);
}

/* The worked example of the reference, byte for byte. */
static void
test_worked_example (void)
{
  Containerd__Task__V2__ConnectRequest req = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
  Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
  g_autoptr (GByteArray) want = hex ("00 00 00 50 | 00 00 00 01 | 01 | 00 | 0a 17");
  g_autoptr (GByteArray) payload = NULL, frame = NULL, want_resp = NULL, want_err = NULL;
  guint8 b;

  append_str (want, "containerd.task.v2.Task");
  b = 0x12; g_byte_array_append (want, &b, 1);
  b = 0x07; g_byte_array_append (want, &b, 1);
  append_str (want, "Connect");
  g_byte_array_append (want, (const guint8 *) "\x1a\x05\x0a\x03" "abc", 7);
  g_byte_array_append (want, (const guint8 *) "\x2a\x25\x0a\x1a", 4);
  append_str (want, "containerd-namespace-ttrpc");
  g_byte_array_append (want, (const guint8 *) "\x12\x07", 2);
  append_str (want, "default");

  req.id = (char *) "abc";
  payload = ttrpc_request_pack ("containerd.task.v2.Task", "Connect", &req.base, "default", 0);
  frame = ttrpc_frame_encode (1, TTRPC_TYPE_REQUEST, payload->data, payload->len);
  assert_bytes (frame, want);

  resp.shim_pid = 1234;
  resp.task_pid = 5678;
  g_byte_array_unref (payload);
  g_byte_array_unref (frame);
  payload = ttrpc_response_pack (GRPC_OK, NULL, &resp.base);
  frame = ttrpc_frame_encode (1, TTRPC_TYPE_RESPONSE, payload->data, payload->len);
  want_resp = hex ("00 00 00 08 00 00 00 01 02 00 12 06 08 d2 09 10 ae 2c");
  assert_bytes (frame, want_resp);

  g_byte_array_unref (payload);
  g_byte_array_unref (frame);
  payload = ttrpc_response_pack (GRPC_NOT_FOUND, "container not created: not found", NULL);
  frame = ttrpc_frame_encode (3, TTRPC_TYPE_RESPONSE, payload->data, payload->len);
  want_err = hex ("00 00 00 26 00 00 00 03 02 00 0a 24 08 05 12 20");
  append_str (want_err, "container not created: not found");
  assert_bytes (frame, want_err);
}

static void
test_empty_reply (void)
{
  /* A successful Empty reply is a bare 10-byte header. */
  g_autoptr (GByteArray) payload = ttrpc_response_pack (GRPC_OK, NULL, NULL);
  g_autoptr (GByteArray) frame = ttrpc_frame_encode (5, TTRPC_TYPE_RESPONSE, payload->data, payload->len);
  g_autoptr (GByteArray) want = hex ("00 00 00 00 00 00 00 05 02 00");
  assert_bytes (frame, want);
}

static void
test_decoder (void)
{
  g_autoptr (GByteArray) f1 = ttrpc_frame_encode (1, TTRPC_TYPE_REQUEST, (const guint8 *) "hello", 5);
  g_autoptr (GByteArray) f2 = ttrpc_frame_encode (3, TTRPC_TYPE_REQUEST, NULL, 0);
  TtrpcDecoder *d = ttrpc_decoder_new ();
  TtrpcHeader h;
  const guint8 *data;
  guint8 big[TTRPC_HEADER_SIZE];
  TtrpcHeader bigh = { TTRPC_MAX_DATA + 1, 7, TTRPC_TYPE_REQUEST, 0 };
  g_autofree guint8 *junk = g_malloc0 (TTRPC_MAX_DATA + 1);

  /* One byte at a time. */
  for (guint i = 0; i < f1->len; i++)
    {
      g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_NEED_MORE);
      ttrpc_decoder_feed (d, f1->data + i, 1);
    }
  g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_FRAME);
  g_assert_cmpuint (h.stream_id, ==, 1);
  g_assert_cmpuint (h.length, ==, 5);
  g_assert_cmpmem (data, 5, "hello", 5);
  /* An oversized frame is skipped, then the next frame decodes. */
  ttrpc_header_encode (&bigh, big);
  ttrpc_decoder_feed (d, big, sizeof big);
  ttrpc_decoder_feed (d, junk, 1000);
  g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_TOO_LARGE);
  g_assert_cmpuint (h.stream_id, ==, 7);
  g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_NEED_MORE);
  ttrpc_decoder_feed (d, junk, TTRPC_MAX_DATA + 1 - 1000);
  ttrpc_decoder_feed (d, f2->data, f2->len);
  g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_FRAME);
  g_assert_cmpuint (h.stream_id, ==, 3);
  g_assert_cmpuint (h.length, ==, 0);
  g_assert_cmpint (ttrpc_decoder_next (d, &h, &data), ==, TTRPC_DECODE_NEED_MORE);
  ttrpc_decoder_free (d);
}

/* ---- the server on a socketpair ---- */

static TtrpcCall *blocked;

static void
handle_block (TtrpcCall *call, const guint8 *payload, gsize len, gpointer user_data)
{
  blocked = call; /* answered later, like Wait */
}

static void
handle_echo (TtrpcCall *call, const guint8 *payload, gsize len, gpointer user_data)
{
  Containerd__Task__V2__ConnectRequest *req = containerd__task__v2__connect_request__unpack (NULL, len, payload);
  Containerd__Task__V2__ConnectResponse resp = CONTAINERD__TASK__V2__CONNECT_RESPONSE__INIT;
  g_assert_nonnull (req);
  g_assert_cmpstr (ttrpc_call_namespace (call), ==, "default");
  resp.version = req->id;
  ttrpc_call_reply (call, &resp.base);
  containerd__task__v2__connect_request__free_unpacked (req, NULL);
}

static void
send_request (int fd, guint32 stream, const char *service, const char *method, const char *id)
{
  Containerd__Task__V2__ConnectRequest req = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
  g_autoptr (GByteArray) payload = NULL, frame = NULL;
  req.id = (char *) id;
  payload = ttrpc_request_pack (service, method, &req.base, "default", 0);
  frame = ttrpc_frame_encode (stream, TTRPC_TYPE_REQUEST, payload->data, payload->len);
  g_assert_cmpint (write (fd, frame->data, frame->len), ==, (gssize) frame->len);
}

/* Run the main context until a response frame arrives on fd; return its stream and decoded Response. */
static Ttrpc__Response *
read_response (int fd, TtrpcDecoder *d, guint32 *stream)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;)
    {
      TtrpcHeader h;
      const guint8 *data;
      struct pollfd p = { fd, POLLIN, 0 };
      guint8 buf[4096];

      if (ttrpc_decoder_next (d, &h, &data) == TTRPC_DECODE_FRAME)
        {
          g_assert_cmpint (h.type, ==, TTRPC_TYPE_RESPONSE);
          *stream = h.stream_id;
          return ttrpc__response__unpack (NULL, h.length, data);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (poll (&p, 1, 10) == 1)
        {
          ssize_t n = read (fd, buf, sizeof buf);
          g_assert_cmpint (n, >, 0);
          ttrpc_decoder_feed (d, buf, n);
        }
    }
}

static void
test_server (void)
{
  TtrpcServer *server = ttrpc_server_new ();
  TtrpcDecoder *d = ttrpc_decoder_new ();
  Containerd__Task__V2__ConnectResponse *cr;
  Ttrpc__Response *r;
  guint32 stream;
  int sv[2];
  guint8 big[TTRPC_HEADER_SIZE];
  TtrpcHeader bigh = { TTRPC_MAX_DATA + 10, 9, TTRPC_TYPE_REQUEST, 0 };
  g_autofree guint8 *junk = g_malloc0 (TTRPC_MAX_DATA + 10);

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  ttrpc_server_register (server, "containerd.task.v2.Task", "Wait", handle_block, NULL);
  ttrpc_server_register (server, "containerd.task.v2.Task", "Connect", handle_echo, NULL);
  ttrpc_server_add_connection (server, sv[1]);

  /* A pending call does not hold up the next one; answers come out of order. */
  send_request (sv[0], 1, "containerd.task.v2.Task", "Wait", "w");
  send_request (sv[0], 3, "containerd.task.v2.Task", "Connect", "first");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 3);
  g_assert_null (r->status);
  cr = containerd__task__v2__connect_response__unpack (NULL, r->payload.len, r->payload.data);
  g_assert_cmpstr (cr->version, ==, "first");
  containerd__task__v2__connect_response__free_unpacked (cr, NULL);
  ttrpc__response__free_unpacked (r, NULL);
  g_assert_nonnull (blocked);
  ttrpc_call_error (blocked, GRPC_NOT_FOUND, "late");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 1);
  g_assert_cmpint (r->status->code, ==, GRPC_NOT_FOUND);
  g_assert_cmpstr (r->status->message, ==, "late");
  ttrpc__response__free_unpacked (r, NULL);

  /* Unknown method and service. */
  send_request (sv[0], 5, "containerd.task.v2.Task", "Nope", "x");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 5);
  g_assert_cmpint (r->status->code, ==, GRPC_UNIMPLEMENTED);
  g_assert_cmpstr (r->status->message, ==, "method Nope");
  ttrpc__response__free_unpacked (r, NULL);
  send_request (sv[0], 7, "other.Service", "Connect", "x");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpstr (r->status->message, ==, "service other.Service");
  ttrpc__response__free_unpacked (r, NULL);

  /* Even stream ids are refused; the connection stays open. */
  send_request (sv[0], 8, "containerd.task.v2.Task", "Connect", "x");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 8);
  g_assert_cmpint (r->status->code, ==, GRPC_INVALID_ARGUMENT);
  ttrpc__response__free_unpacked (r, NULL);

  /* Over 4 MiB: RESOURCE_EXHAUSTED, and the connection still serves. */
  ttrpc_header_encode (&bigh, big);
  g_assert_cmpint (write (sv[0], big, sizeof big), ==, sizeof big);
  {
    gsize off = 0;
    g_unix_set_fd_nonblocking (sv[0], TRUE, NULL);
    while (off < bigh.length)
      {
        ssize_t n = write (sv[0], junk + off, bigh.length - off);
        if (n > 0)
          off += n;
        while (g_main_context_iteration (NULL, FALSE))
          ;
      }
    g_unix_set_fd_nonblocking (sv[0], FALSE, NULL);
  }
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 9);
  g_assert_cmpint (r->status->code, ==, GRPC_RESOURCE_EXHAUSTED);
  ttrpc__response__free_unpacked (r, NULL);
  send_request (sv[0], 11, "containerd.task.v3.Task", "Connect", "x");
  r = read_response (sv[0], d, &stream);
  g_assert_cmpuint (stream, ==, 11);
  g_assert_cmpint (r->status->code, ==, GRPC_UNIMPLEMENTED); /* v3 not registered in this test */
  ttrpc__response__free_unpacked (r, NULL);

  g_assert_cmpuint (ttrpc_server_n_connections (server), ==, 1);
  close (sv[0]);
  {
    gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
    while (ttrpc_server_n_connections (server) > 0 && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (ttrpc_server_n_connections (server), ==, 0);
  ttrpc_decoder_free (d);
  ttrpc_server_free (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shim/ttrpc/worked-example", test_worked_example);
  g_test_add_func ("/shim/ttrpc/empty-reply", test_empty_reply);
  g_test_add_func ("/shim/ttrpc/decoder", test_decoder);
  g_test_add_func ("/shim/ttrpc/server", test_server);
  return g_test_run ();
}
