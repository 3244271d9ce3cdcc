/* ttrpc: containerd's RPC protocol over unix sockets (reference/containerd-shim-v2.md section 1).
 *
 * A frame is a 10-byte big-endian header (data length, stream id, type, flags) and at most 4 MiB of data. The
 * server runs on the GLib main context: each request is dispatched as it arrives and may be answered later (a
 * pending Wait does not hold up the requests behind it), and responses go out in any order on the request's
 * stream id. The client is synchronous and used to publish events to containerd. */
#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#define TTRPC_HEADER_SIZE 10
#define TTRPC_MAX_DATA (4u << 20)

enum
{
  TTRPC_TYPE_REQUEST = 1,
  TTRPC_TYPE_RESPONSE = 2,
  TTRPC_TYPE_DATA = 3,
};

/* gRPC status codes. */
enum
{
  GRPC_OK = 0,
  GRPC_CANCELLED = 1,
  GRPC_UNKNOWN = 2,
  GRPC_INVALID_ARGUMENT = 3,
  GRPC_DEADLINE_EXCEEDED = 4,
  GRPC_NOT_FOUND = 5,
  GRPC_ALREADY_EXISTS = 6,
  GRPC_PERMISSION_DENIED = 7,
  GRPC_RESOURCE_EXHAUSTED = 8,
  GRPC_FAILED_PRECONDITION = 9,
  GRPC_ABORTED = 10,
  GRPC_OUT_OF_RANGE = 11,
  GRPC_UNIMPLEMENTED = 12,
  GRPC_INTERNAL = 13,
  GRPC_UNAVAILABLE = 14,
};

#define TTRPC_NAMESPACE_KEY "containerd-namespace-ttrpc"

typedef struct
{
  guint32 length;
  guint32 stream_id;
  guint8 type;
  guint8 flags;
} TtrpcHeader;

void ttrpc_header_encode (const TtrpcHeader *h, guint8 out[TTRPC_HEADER_SIZE]);
void ttrpc_header_decode (const guint8 in[TTRPC_HEADER_SIZE], TtrpcHeader *h);

/* A whole frame (header + data) in a new GByteArray. */
GByteArray *ttrpc_frame_encode (guint32 stream_id, guint8 type, const guint8 *data, gsize len);

/* Incremental frame decoder. Feed it bytes as they arrive; then take frames out one by one. */
typedef struct TtrpcDecoder TtrpcDecoder;

typedef enum
{
  TTRPC_DECODE_NEED_MORE, /* no complete frame buffered */
  TTRPC_DECODE_FRAME,     /* *header and *data (owned by the decoder until the next call) are set */
  TTRPC_DECODE_TOO_LARGE, /* header->length exceeds TTRPC_MAX_DATA: its data is being discarded; answer
                             RESOURCE_EXHAUSTED on header->stream_id */
} TtrpcDecodeResult;

TtrpcDecoder *ttrpc_decoder_new (void);
void ttrpc_decoder_free (TtrpcDecoder *d);
void ttrpc_decoder_feed (TtrpcDecoder *d, const guint8 *data, gsize len);
TtrpcDecodeResult ttrpc_decoder_next (TtrpcDecoder *d, TtrpcHeader *header, const guint8 **data);

/* ttrpc.Request / ttrpc.Response payloads (the data of a frame). ns may be NULL. */
GByteArray *ttrpc_request_pack (const char *service, const char *method, const ProtobufCMessage *msg,
                                const char *ns, gint64 timeout_nano);
/* code 0: success with msg (NULL for google.protobuf.Empty); otherwise an error with message. */
GByteArray *ttrpc_response_pack (int code, const char *message, const ProtobufCMessage *msg);

/* Map a GError (RUNSC_ERROR domain) to a gRPC code. */
int ttrpc_code_from_error (const GError *error);

/* ---- server ---- */
typedef struct TtrpcServer TtrpcServer;
typedef struct TtrpcCall TtrpcCall;

/* A handler must eventually answer call exactly once (ttrpc_call_reply / _error), now or later. */
typedef void (*TtrpcHandler) (TtrpcCall *call, const guint8 *payload, gsize len, gpointer user_data);

TtrpcServer *ttrpc_server_new (void);
void ttrpc_server_register (TtrpcServer *server, const char *service, const char *method, TtrpcHandler handler,
                            gpointer user_data);
/* Accept connections on listen_fd (owned by the server from now on). */
void ttrpc_server_listen (TtrpcServer *server, int listen_fd);
/* Serve one already-connected socket (used by the unit tests with a socketpair). */
void ttrpc_server_add_connection (TtrpcServer *server, int fd);
guint ttrpc_server_n_connections (TtrpcServer *server);
/* Stop accepting and close every connection; pending calls are dropped. */
void ttrpc_server_close (TtrpcServer *server);
/* ttrpc_server_close, then free the server and its method table. */
void ttrpc_server_free (TtrpcServer *server);

const char *ttrpc_call_method (TtrpcCall *call);
/* The containerd namespace from the request metadata, or NULL. */
const char *ttrpc_call_namespace (TtrpcCall *call);
/* Answer and free the call. msg NULL means google.protobuf.Empty. If the connection is gone, nothing is sent. */
void ttrpc_call_reply (TtrpcCall *call, const ProtobufCMessage *msg);
void ttrpc_call_error (TtrpcCall *call, int code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
void ttrpc_call_reply_error (TtrpcCall *call, const GError *error);

/* ---- client ---- */
typedef struct TtrpcClient TtrpcClient;

/* address: "unix:///path" or a filesystem path. */
TtrpcClient *ttrpc_client_connect (const char *address, GError **error);
void ttrpc_client_free (TtrpcClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtrpcClient, ttrpc_client_free)
/* One unary call; waits at most timeout_ms for the answer. On success *reply (may be empty) is the response
 * payload. A non-OK status becomes an error whose message is the status message. */
gboolean ttrpc_client_call (TtrpcClient *c, const char *service, const char *method, const ProtobufCMessage *msg,
                            const char *ns, int timeout_ms, GByteArray **reply, GError **error);
