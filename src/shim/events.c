/* The event publisher (see events.h). */
#include "config.h"

#include <string.h>

#include "common/log.h"
#include "events.pb-c.h"
#include "shim/events.h"
#include "shim/ttrpc.h"
#include "wellknown.pb-c.h"

#define FORWARD_SERVICE "containerd.services.events.ttrpc.v1.Events"
#define FORWARD_METHOD "Forward"
#define CALL_TIMEOUT_MS 5000
#define MAX_ATTEMPTS 6

typedef struct
{
  char *topic;
  GByteArray *request; /* packed ForwardRequest */
  int attempts;
} Pending;

static char *address;
static char *ns;
static TtrpcClient *client;
static GQueue queue = G_QUEUE_INIT;
static guint retry_source;

static void
pending_free (Pending *p)
{
  g_free (p->topic);
  g_byte_array_unref (p->request);
  g_free (p);
}

void
shim_events_init (const char *addr, const char *namespace)
{
  address = addr && *addr ? g_strdup (addr) : NULL;
  ns = g_strdup (namespace ? namespace : "default");
}

/* A message holding already-packed bytes, so that the ttrpc client can send a stored request. */
static size_t
raw_packed_size (const GByteArray *b)
{
  return b->len;
}

static gboolean
send_one (Pending *p)
{
  g_autoptr (GError) error = NULL;
  Containerd__Events__ForwardRequest *req;
  gboolean ok;

  if (client == NULL)
    {
      client = ttrpc_client_connect (address, &error);
      if (client == NULL)
        {
          log_debug ("events: %s", error->message);
          return FALSE;
        }
    }
  req = containerd__events__forward_request__unpack (NULL, raw_packed_size (p->request), p->request->data);
  ok = ttrpc_client_call (client, FORWARD_SERVICE, FORWARD_METHOD, &req->base, ns, CALL_TIMEOUT_MS, NULL, &error);
  containerd__events__forward_request__free_unpacked (req, NULL);
  if (!ok)
    {
      log_warning ("publish %s: %s", p->topic, error->message);
      ttrpc_client_free (client);
      client = NULL;
    }
  return ok;
}

static gboolean on_retry (gpointer data);

static void
pump (void)
{
  while (!g_queue_is_empty (&queue))
    {
      Pending *p = g_queue_peek_head (&queue);
      if (send_one (p))
        {
          g_queue_pop_head (&queue);
          pending_free (p);
          continue;
        }
      if (++p->attempts >= MAX_ATTEMPTS)
        {
          log_error ("dropping event %s after %d attempts", p->topic, p->attempts);
          g_queue_pop_head (&queue);
          pending_free (p);
          continue;
        }
      if (retry_source == 0)
        retry_source = g_timeout_add_seconds (p->attempts, on_retry, NULL);
      return;
    }
}

static gboolean
on_retry (gpointer data)
{
  retry_source = 0;
  pump ();
  return G_SOURCE_REMOVE;
}

void
shim_events_publish (const char *topic, const ProtobufCMessage *event)
{
  Containerd__Events__ForwardRequest req = CONTAINERD__EVENTS__FORWARD_REQUEST__INIT;
  Containerd__Events__Envelope env = CONTAINERD__EVENTS__ENVELOPE__INIT;
  Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
  g_autofree guint8 *value = NULL;
  gint64 now = g_get_real_time ();
  Pending *p;
  size_t n;

  log_debug ("event %s (%s)", topic, event->descriptor->name);
  if (address == NULL)
    return;
  n = protobuf_c_message_get_packed_size (event);
  value = g_malloc (n ? n : 1);
  protobuf_c_message_pack (event, value);
  any.type_url = (char *) event->descriptor->name; /* bare name: containerd.events.TaskExit */
  any.value.data = value;
  any.value.len = n;
  ts.seconds = now / G_USEC_PER_SEC;
  ts.nanos = (now % G_USEC_PER_SEC) * 1000;
  env.timestamp = &ts;
  env.namespace_ = ns;
  env.topic = (char *) topic;
  env.event = &any;
  req.envelope = &env;

  p = g_new0 (Pending, 1);
  p->topic = g_strdup (topic);
  n = protobuf_c_message_get_packed_size (&req.base);
  p->request = g_byte_array_sized_new (n);
  g_byte_array_set_size (p->request, n);
  protobuf_c_message_pack (&req.base, p->request->data);
  g_queue_push_tail (&queue, p);
  if (retry_source == 0)
    pump ();
}

void
shim_events_flush (int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!g_queue_is_empty (&queue) && g_get_monotonic_time () < end)
    {
      Pending *p = g_queue_peek_head (&queue);
      if (!send_one (p))
        {
          g_usleep (100000);
          continue;
        }
      g_queue_pop_head (&queue);
      pending_free (p);
    }
}
