/* Publishing task events to containerd: ttrpc containerd.services.events.ttrpc.v1.Events/Forward on
 * $TTRPC_ADDRESS, an Envelope with timestamp, namespace, topic and the event as an Any whose type URL is the bare
 * message name (containerd.events.TaskExit). Events are sent in order; when containerd is unreachable (being
 * restarted) they wait in a queue and are retried, a few times, then dropped with a log line. */
#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>

#define TOPIC_TASK_CREATE "/tasks/create"
#define TOPIC_TASK_START "/tasks/start"
#define TOPIC_TASK_OOM "/tasks/oom"
#define TOPIC_TASK_EXIT "/tasks/exit"
#define TOPIC_TASK_DELETE "/tasks/delete"
#define TOPIC_TASK_EXEC_ADDED "/tasks/exec-added"
#define TOPIC_TASK_EXEC_STARTED "/tasks/exec-started"
#define TOPIC_TASK_PAUSED "/tasks/paused"
#define TOPIC_TASK_RESUMED "/tasks/resumed"

/* address: $TTRPC_ADDRESS (NULL or empty: events are logged and dropped). */
void shim_events_init (const char *address, const char *ns);
/* Queue event for topic and send what can be sent now. */
void shim_events_publish (const char *topic, const ProtobufCMessage *event);
/* Try to send the queue for at most timeout_ms (at shutdown). */
void shim_events_flush (int timeout_ms);
