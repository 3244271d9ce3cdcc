/* ttrpc framing, server and client (see ttrpc.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "shim/ttrpc.h"
#include "ttrpc.pb-c.h"

/* ---- framing ---- */

void
ttrpc_header_encode (const TtrpcHeader *h, guint8 out[TTRPC_HEADER_SIZE])
{
  out[0] = h->length >> 24;
  out[1] = h->length >> 16;
  out[2] = h->length >> 8;
  out[3] = h->length;
  out[4] = h->stream_id >> 24;
  out[5] = h->stream_id >> 16;
  out[6] = h->stream_id >> 8;
  out[7] = h->stream_id;
  out[8] = h->type;
  out[9] = h->flags;
}

void
ttrpc_header_decode (const guint8 in[TTRPC_HEADER_SIZE], TtrpcHeader *h)
{
  h->length = (guint32) in[0] << 24 | (guint32) in[1] << 16 | (guint32) in[2] << 8 | in[3];
  h->stream_id = (guint32) in[4] << 24 | (guint32) in[5] << 16 | (guint32) in[6] << 8 | in[7];
  h->type = in[8];
  h->flags = in[9];
}

GByteArray *
ttrpc_frame_encode (guint32 stream_id, guint8 type, const guint8 *data, gsize len)
{
  TtrpcHeader h = { (guint32) len, stream_id, type, 0 };
  guint8 hdr[TTRPC_HEADER_SIZE];
  GByteArray *out = g_byte_array_sized_new (TTRPC_HEADER_SIZE + len);

  ttrpc_header_encode (&h, hdr);
  g_byte_array_append (out, hdr, TTRPC_HEADER_SIZE);
  if (len)
    g_byte_array_append (out, data, len);
  return out;
}

struct TtrpcDecoder
{
  GByteArray *buf;
  gsize consumed; /* bytes at the front of buf already handed out */
  guint64 discard; /* bytes of an oversized frame still to drop */
};

TtrpcDecoder *
ttrpc_decoder_new (void)
{
  TtrpcDecoder *d = g_new0 (TtrpcDecoder, 1);
  d->buf = g_byte_array_new ();
  return d;
}

void
ttrpc_decoder_free (TtrpcDecoder *d)
{
  if (d == NULL)
    return;
  g_byte_array_unref (d->buf);
  g_free (d);
}

static void
decoder_compact (TtrpcDecoder *d)
{
  if (d->consumed > 0)
    {
      g_byte_array_remove_range (d->buf, 0, d->consumed);
      d->consumed = 0;
    }
}

void
ttrpc_decoder_feed (TtrpcDecoder *d, const guint8 *data, gsize len)
{
  decoder_compact (d);
  if (d->discard > 0)
    {
      gsize drop = MIN ((guint64) len, d->discard);
      d->discard -= drop;
      data += drop;
      len -= drop;
    }
  if (len)
    g_byte_array_append (d->buf, data, len);
}

TtrpcDecodeResult
ttrpc_decoder_next (TtrpcDecoder *d, TtrpcHeader *header, const guint8 **data)
{
  gsize avail;

  decoder_compact (d);
  if (d->discard > 0)
    {
      gsize drop = MIN ((guint64) d->buf->len, d->discard);
      g_byte_array_remove_range (d->buf, 0, drop);
      d->discard -= drop;
      if (d->discard > 0)
        return TTRPC_DECODE_NEED_MORE;
    }
  avail = d->buf->len;
  if (avail < TTRPC_HEADER_SIZE)
    return TTRPC_DECODE_NEED_MORE;
  ttrpc_header_decode (d->buf->data, header);
  if (header->length > TTRPC_MAX_DATA)
    {
      d->consumed = TTRPC_HEADER_SIZE;
      d->discard = header->length;
      return TTRPC_DECODE_TOO_LARGE;
    }
  if (avail < TTRPC_HEADER_SIZE + (gsize) header->length)
    return TTRPC_DECODE_NEED_MORE;
  *data = d->buf->data + TTRPC_HEADER_SIZE;
  d->consumed = TTRPC_HEADER_SIZE + header->length;
  return TTRPC_DECODE_FRAME;
}

/* ---- envelopes ---- */

static GByteArray *
pack_message (const ProtobufCMessage *msg)
{
  gsize n = protobuf_c_message_get_packed_size (msg);
  GByteArray *out = g_byte_array_sized_new (n ? n : 1);
  g_byte_array_set_size (out, n);
  if (n)
    protobuf_c_message_pack (msg, out->data);
  return out;
}

GByteArray *
ttrpc_request_pack (const char *service, const char *method, const ProtobufCMessage *msg, const char *ns,
                    gint64 timeout_nano)
{
  Ttrpc__Request req = TTRPC__REQUEST__INIT;
  Ttrpc__KeyValue kv = TTRPC__KEY_VALUE__INIT;
  Ttrpc__KeyValue *kvs[1] = { &kv };
  g_autoptr (GByteArray) payload = msg ? pack_message (msg) : g_byte_array_new ();

  req.service = (char *) service;
  req.method = (char *) method;
  req.payload.data = payload->data;
  req.payload.len = payload->len;
  req.timeout_nano = timeout_nano;
  if (ns != NULL)
    {
      kv.key = (char *) TTRPC_NAMESPACE_KEY;
      kv.value = (char *) ns;
      req.n_metadata = 1;
      req.metadata = kvs;
    }
  return pack_message (&req.base);
}

GByteArray *
ttrpc_response_pack (int code, const char *message, const ProtobufCMessage *msg)
{
  Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
  Ttrpc__Status status = TTRPC__STATUS__INIT;
  g_autoptr (GByteArray) payload = NULL;

  if (code != GRPC_OK)
    {
      status.code = code;
      status.message = (char *) (message ? message : "");
      resp.status = &status;
    }
  else if (msg != NULL)
    {
      payload = pack_message (msg);
      resp.payload.data = payload->data;
      resp.payload.len = payload->len;
    }
  return pack_message (&resp.base);
}

int
ttrpc_code_from_error (const GError *error)
{
  if (error == NULL)
    return GRPC_OK;
  if (error->domain != RUNSC_ERROR)
    return GRPC_UNKNOWN;
  switch ((RunscErrorCode) error->code)
    {
    case RUNSC_ERROR_INVALID: return GRPC_INVALID_ARGUMENT;
    case RUNSC_ERROR_NOT_FOUND: return GRPC_NOT_FOUND;
    case RUNSC_ERROR_EXISTS: return GRPC_ALREADY_EXISTS;
    case RUNSC_ERROR_STATE: return GRPC_FAILED_PRECONDITION;
    case RUNSC_ERROR_UNSUPPORTED: return GRPC_UNIMPLEMENTED;
    case RUNSC_ERROR_FAILED: break;
    }
  return GRPC_UNKNOWN;
}

/* Write everything, retrying on EINTR and waiting on EAGAIN. */
static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd p = { fd, POLLOUT, 0 };
          if (poll (&p, 1, 30000) <= 0)
            return FALSE;
          continue;
        }
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* ---- server ---- */

typedef struct
{
  TtrpcHandler handler;
  gpointer user_data;
} Method;

typedef struct
{
  gint ref;
  TtrpcServer *server;
  int fd;
  guint source;
  TtrpcDecoder *decoder;
  gboolean closed;
  guint32 last_stream;
} Connection;

struct TtrpcServer
{
  GHashTable *methods; /* "service/method" -> Method */
  GHashTable *services; /* service -> TRUE */
  int listen_fd;
  guint listen_source;
  GPtrArray *connections; /* Connection * */
};

struct TtrpcCall
{
  Connection *conn;
  guint32 stream_id;
  char *method;
  char *ns;
};

static Connection *
conn_ref (Connection *c)
{
  g_atomic_int_inc (&c->ref);
  return c;
}

static void
conn_close (Connection *c)
{
  if (c->closed)
    return;
  c->closed = TRUE;
  if (c->source)
    g_source_remove (c->source);
  c->source = 0;
  close (c->fd);
  c->fd = -1;
  if (c->server)
    g_ptr_array_remove_fast (c->server->connections, c);
}

static void
conn_unref (Connection *c)
{
  if (!g_atomic_int_dec_and_test (&c->ref))
    return;
  ttrpc_decoder_free (c->decoder);
  g_free (c);
}

static void
conn_send (Connection *c, guint32 stream_id, GByteArray *payload)
{
  g_autoptr (GByteArray) frame = NULL;

  if (c->closed)
    return;
  frame = ttrpc_frame_encode (stream_id, TTRPC_TYPE_RESPONSE, payload->data, payload->len);
  if (!write_all (c->fd, frame->data, frame->len))
    {
      log_debug ("ttrpc: write response on stream %u: %s", stream_id, g_strerror (errno));
      conn_close (c);
      conn_unref (c); /* the reference held by the open connection */
    }
}

static void
send_status (Connection *c, guint32 stream_id, int code, const char *message)
{
  g_autoptr (GByteArray) payload = ttrpc_response_pack (code, message, NULL);
  conn_send (c, stream_id, payload);
}

static void
call_free (TtrpcCall *call)
{
  conn_unref (call->conn);
  g_free (call->method);
  g_free (call->ns);
  g_free (call);
}

const char *
ttrpc_call_method (TtrpcCall *call)
{
  return call->method;
}

const char *
ttrpc_call_namespace (TtrpcCall *call)
{
  return call->ns;
}

void
ttrpc_call_reply (TtrpcCall *call, const ProtobufCMessage *msg)
{
  g_autoptr (GByteArray) payload = ttrpc_response_pack (GRPC_OK, NULL, msg);
  conn_send (call->conn, call->stream_id, payload);
  call_free (call);
}

void
ttrpc_call_error (TtrpcCall *call, int code, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  log_debug ("%s: error %d: %s", call->method, code, msg);
  send_status (call->conn, call->stream_id, code, msg);
  call_free (call);
}

void
ttrpc_call_reply_error (TtrpcCall *call, const GError *error)
{
  ttrpc_call_error (call, ttrpc_code_from_error (error), "%s", error ? error->message : "unknown error");
}

static void
dispatch (Connection *c, const TtrpcHeader *h, const guint8 *data)
{
  Ttrpc__Request *req;
  Method *m;
  TtrpcCall *call;
  g_autofree char *key = NULL;

  if (h->type != TTRPC_TYPE_REQUEST)
    return; /* ttrpc 1.1 ignores other types "for future compat" */
  if (h->stream_id % 2 == 0)
    {
      send_status (c, h->stream_id, GRPC_INVALID_ARGUMENT, "StreamID must be odd for client initiated streams");
      return;
    }
  c->last_stream = h->stream_id;
  req = ttrpc__request__unpack (NULL, h->length, data);
  if (req == NULL)
    {
      send_status (c, h->stream_id, GRPC_INVALID_ARGUMENT, "unable to decode ttrpc request");
      return;
    }
  key = g_strdup_printf ("%s/%s", req->service, req->method);
  m = g_hash_table_lookup (c->server->methods, key);
  if (m == NULL)
    {
      g_autofree char *msg = g_hash_table_contains (c->server->services, req->service)
                                 ? g_strdup_printf ("method %s", req->method)
                                 : g_strdup_printf ("service %s", req->service);
      send_status (c, h->stream_id, GRPC_UNIMPLEMENTED, msg);
      ttrpc__request__free_unpacked (req, NULL);
      return;
    }
  call = g_new0 (TtrpcCall, 1);
  call->conn = conn_ref (c);
  call->stream_id = h->stream_id;
  call->method = g_strdup (req->method);
  for (size_t i = 0; i < req->n_metadata; i++)
    if (g_strcmp0 (req->metadata[i]->key, TTRPC_NAMESPACE_KEY) == 0 && call->ns == NULL)
      call->ns = g_strdup (req->metadata[i]->value);
  log_debug ("ttrpc: %s stream %u", key, h->stream_id);
  m->handler (call, req->payload.data, req->payload.len, m->user_data);
  ttrpc__request__free_unpacked (req, NULL);
}

static gboolean
on_conn_readable (int fd, GIOCondition cond, gpointer user_data)
{
  Connection *c = user_data;
  guint8 buf[65536];
  ssize_t n;
  TtrpcHeader h;
  const guint8 *data;
  TtrpcDecodeResult r;

  n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      log_debug ("ttrpc: connection closed");
      c->source = 0;
      conn_close (c);
      conn_unref (c);
      return G_SOURCE_REMOVE;
    }
  ttrpc_decoder_feed (c->decoder, buf, n);
  conn_ref (c);
  while (!c->closed && (r = ttrpc_decoder_next (c->decoder, &h, &data)) != TTRPC_DECODE_NEED_MORE)
    {
      if (r == TTRPC_DECODE_TOO_LARGE)
        {
          g_autofree char *msg = g_strdup_printf ("message length %u exceed maximum message size of %u",
                                                  h.length, TTRPC_MAX_DATA);
          send_status (c, h.stream_id, GRPC_RESOURCE_EXHAUSTED, msg);
          continue;
        }
      dispatch (c, &h, data);
    }
  {
    gboolean closed = c->closed;
    conn_unref (c);
    return closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
  }
}

void
ttrpc_server_add_connection (TtrpcServer *server, int fd)
{
  Connection *c = g_new0 (Connection, 1);
  c->ref = 1; /* held while open */
  c->server = server;
  c->fd = fd;
  c->decoder = ttrpc_decoder_new ();
  c->source = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_conn_readable, c);
  g_ptr_array_add (server->connections, c);
}

static gboolean
on_accept (int fd, GIOCondition cond, gpointer user_data)
{
  TtrpcServer *server = user_data;
  int cfd = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);
  struct ucred cred;
  socklen_t len = sizeof cred;

  if (cfd < 0)
    {
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
        log_warning ("ttrpc: accept: %s", g_strerror (errno));
      return G_SOURCE_CONTINUE;
    }
  /* containerd's UnixSocketRequireSameUser: only our own uid may talk to us. */
  if (getsockopt (cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid != geteuid ())
    {
      log_warning ("ttrpc: refusing connection from uid %u", (unsigned) cred.uid);
      close (cfd);
      return G_SOURCE_CONTINUE;
    }
  ttrpc_server_add_connection (server, cfd);
  return G_SOURCE_CONTINUE;
}

TtrpcServer *
ttrpc_server_new (void)
{
  TtrpcServer *s = g_new0 (TtrpcServer, 1);
  s->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->connections = g_ptr_array_new ();
  s->listen_fd = -1;
  return s;
}

void
ttrpc_server_register (TtrpcServer *server, const char *service, const char *method, TtrpcHandler handler,
                       gpointer user_data)
{
  Method *m = g_new0 (Method, 1);
  m->handler = handler;
  m->user_data = user_data;
  g_hash_table_replace (server->methods, g_strdup_printf ("%s/%s", service, method), m);
  g_hash_table_replace (server->services, g_strdup (service), GINT_TO_POINTER (1));
}

void
ttrpc_server_listen (TtrpcServer *server, int listen_fd)
{
  server->listen_fd = listen_fd;
  g_unix_set_fd_nonblocking (listen_fd, TRUE, NULL);
  server->listen_source = g_unix_fd_add (listen_fd, G_IO_IN, on_accept, server);
}

guint
ttrpc_server_n_connections (TtrpcServer *server)
{
  return server->connections->len;
}

void
ttrpc_server_close (TtrpcServer *server)
{
  if (server->listen_source)
    g_source_remove (server->listen_source);
  server->listen_source = 0;
  if (server->listen_fd >= 0)
    close (server->listen_fd);
  server->listen_fd = -1;
  while (server->connections->len > 0)
    {
      Connection *c = g_ptr_array_index (server->connections, 0);
      conn_close (c);
      conn_unref (c);
    }
}

void
ttrpc_server_free (TtrpcServer *server)
{
  if (server == NULL)
    return;
  ttrpc_server_close (server);
  g_ptr_array_unref (server->connections);
  g_hash_table_unref (server->methods);
  g_hash_table_unref (server->services);
  g_free (server);
}

/* ---- client ---- */

struct TtrpcClient
{
  int fd;
  guint32 next_stream;
  TtrpcDecoder *decoder;
};

TtrpcClient *
ttrpc_client_connect (const char *address, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *path = g_str_has_prefix (address, "unix://") ? address + strlen ("unix://") : address;
  autofd int fd = -1;
  TtrpcClient *c;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "socket path %s too long", path);
      return NULL;
    }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      runsc_error_errno (error, errno, "connect to %s", path);
      return NULL;
    }
  c = g_new0 (TtrpcClient, 1);
  c->fd = steal_fd (&fd);
  c->next_stream = 1;
  c->decoder = ttrpc_decoder_new ();
  return c;
}

void
ttrpc_client_free (TtrpcClient *c)
{
  if (c == NULL)
    return;
  close (c->fd);
  ttrpc_decoder_free (c->decoder);
  g_free (c);
}

gboolean
ttrpc_client_call (TtrpcClient *c, const char *service, const char *method, const ProtobufCMessage *msg,
                   const char *ns, int timeout_ms, GByteArray **reply, GError **error)
{
  g_autoptr (GByteArray) req = ttrpc_request_pack (service, method, msg, ns, (gint64) timeout_ms * 1000000);
  g_autoptr (GByteArray) frame = NULL;
  guint32 stream = c->next_stream;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  c->next_stream += 2;
  frame = ttrpc_frame_encode (stream, TTRPC_TYPE_REQUEST, req->data, req->len);
  if (!write_all (c->fd, frame->data, frame->len))
    return runsc_error_errno (error, errno ? errno : EPIPE, "send %s/%s", service, method);
  for (;;)
    {
      TtrpcHeader h;
      const guint8 *data;
      TtrpcDecodeResult r;
      guint8 buf[4096];
      ssize_t n;
      struct pollfd p = { c->fd, POLLIN, 0 };
      gint64 left;

      while ((r = ttrpc_decoder_next (c->decoder, &h, &data)) != TTRPC_DECODE_NEED_MORE)
        {
          Ttrpc__Response *resp;
          gboolean ok = TRUE;

          if (r != TTRPC_DECODE_FRAME || h.stream_id != stream || h.type != TTRPC_TYPE_RESPONSE)
            continue;
          resp = ttrpc__response__unpack (NULL, h.length, data);
          if (resp == NULL)
            return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s/%s: malformed response", service, method);
          if (resp->status && resp->status->code != GRPC_OK)
            ok = runsc_error_set (error, resp->status->code == GRPC_NOT_FOUND ? RUNSC_ERROR_NOT_FOUND
                                                                               : RUNSC_ERROR_FAILED,
                                  "%s/%s: %s (code %d)", service, method, resp->status->message,
                                  resp->status->code);
          else if (reply)
            {
              *reply = g_byte_array_new ();
              g_byte_array_append (*reply, resp->payload.data, resp->payload.len);
            }
          ttrpc__response__free_unpacked (resp, NULL);
          return ok;
        }
      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s/%s: timed out", service, method);
      n = poll (&p, 1, (int) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        continue;
      n = recv (c->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "%s/%s: connection closed", service, method);
      ttrpc_decoder_feed (c->decoder, buf, n);
    }
}
