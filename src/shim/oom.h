/* OOM notification for a container's memory cgroup: cgroup v1 memory.oom_control through cgroup.event_control
 * (an eventfd), cgroup v2 memory.events through inotify. The callback runs once per new oom_kill, on the main
 * context; shim_oom_watch_check lets the exit path report a pending OOM before it publishes TaskExit. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct ShimOomWatch ShimOomWatch;
typedef void (*ShimOomFunc) (gpointer user_data);

/* Watch the memory cgroup pid is in (for a runsc sandbox on cgroup v1, its child "container", where the limit
 * is). NULL (and a debug log line) if it has none or it cannot be watched. */
ShimOomWatch *shim_oom_watch_new (pid_t pid, ShimOomFunc func, gpointer user_data);
/* Report any OOM kill not yet reported. */
void shim_oom_watch_check (ShimOomWatch *w);
void shim_oom_watch_free (ShimOomWatch *w);
