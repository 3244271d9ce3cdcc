/* runsc events: the container's events as JSON lines, runc's format: {"type": "stats", "id": ID, "data": {...}}
 * every --interval, and {"type": "oom", "id": ID} when the memory limit kills a process; the stream ends when
 * the container stops (a pending OOM is always printed first). With --stats, one stats event and exit. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup.h"
#include "net/link-stats.h"
#include "oci/state.h"

#define LIVENESS_POLL_MS 100

/* "5s", "500ms", "1m", "1.5s", "2" (seconds). */
static gboolean
parse_interval (const char *text, gint64 *ms, GError **error)
{
  static const struct { const char *unit; double ms; } units[] = {
    { "ns", 1e-6 }, { "us", 1e-3 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "", 1000 },
  };
  char *end;
  double v = g_ascii_strtod (text, &end);
  gsize i;

  if (end == text || v <= 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --interval \"%s\": expected a positive duration "
                            "such as 5s or 500ms", text);
  for (i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (end, units[i].unit) == 0)
      {
        *ms = (gint64) (v * units[i].ms);
        if (*ms < 1)
          *ms = 1;
        return TRUE;
      }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --interval \"%s\": unknown unit \"%s\"", text, end);
}

static void
print_event (const char *type, const char *id, JsonObject *data)
{
  g_autoptr (JsonObject) ev = json_object_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_object_set_string_member (ev, "type", type);
  json_object_set_string_member (ev, "id", id);
  if (data != NULL)
    json_object_set_object_member (ev, "data", json_object_ref (data));
  json_node_set_object (node, ev);
  text = json_to_string (node, FALSE);
  printf ("%s\n", text);
  fflush (stdout);
}

static JsonObject *
collect_stats (const CgroupHandle *h, const RunscState *st, GError **error)
{
  g_autoptr (GError) net_error = NULL;
  JsonObject *data = cgroup_stats (h, error);
  JsonArray *links;

  if (data == NULL)
    return NULL;
  links = net_link_stats (st->sandbox_pid, &net_error);
  if (links != NULL)
    json_object_set_array_member (data, "network_interfaces", links);
  else
    {
      log_debug ("events: network counters: %s", net_error->message);
      json_object_set_null_member (data, "network_interfaces");
    }
  return data;
}

static void
report_ooms (const CgroupHandle *h, const char *id, guint64 *seen)
{
  guint64 now = cgroup_oom_kill_count (h);

  for (; *seen < now; (*seen)++)
    print_event ("oom", id, NULL);
}

int
cmd_events (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *interval = NULL;
  gboolean stats_only = FALSE;
  const RunscFlag flags[] = {
    { "interval", RUNSC_FLAG_STRING, &interval, "DURATION", "time between stats events (default 5s)" },
    { "stats", RUNSC_FLAG_BOOL, &stats_only, NULL, "print the container's stats once and exit" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  g_autoptr (GError) local = NULL;
  autofd int oom_fd = -1;
  gint64 interval_ms = 5000, next;
  guint64 ooms;
  const char *status;
  gboolean done;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 1, 1, "events [--interval DURATION] [--stats] ID", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  cli_set_id (g, argv[idx]);
  if (interval != NULL && !parse_interval (interval, &interval_ms, error))
    return -1;
  if (!cli_load_container (g, argv[idx], FALSE, &d, &st, error))
    return -1;
  status = state_status (d, st, NULL);
  if (strcmp (status, "stopped") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is not running", st->id);
      return -1;
    }
  h = cgroup_handle_load (d->path, error);
  if (h == NULL)
    return -1;

  if (stats_only)
    {
      g_autoptr (JsonObject) data = collect_stats (h, st, error);
      if (data == NULL)
        return -1;
      print_event ("stats", st->id, data);
      return 0;
    }

  ooms = cgroup_oom_kill_count (h);
  oom_fd = cgroup_oom_fd_open (h, &local);
  if (oom_fd < 0)
    log_debug ("events: OOM kills are found by polling: %s", local->message);
  next = g_get_monotonic_time ();
  for (;;)
    {
      struct pollfd pfd = { .fd = oom_fd, .events = POLLIN };
      gint64 now = g_get_monotonic_time ();

      if (now >= next)
        {
          g_autoptr (JsonObject) data = collect_stats (h, st, &local);
          if (data != NULL)
            print_event ("stats", st->id, data);
          else
            {
              log_warning ("events: %s", local->message);
              g_clear_error (&local);
            }
          next = now + interval_ms * 1000;
        }
      if (poll (&pfd, oom_fd >= 0 ? 1 : 0, MIN (LIVENESS_POLL_MS, (next - now) / 1000 + 1)) < 0 && errno != EINTR)
        {
          runsc_error_errno (error, errno, "poll");
          return -1;
        }
      if (oom_fd >= 0 && (pfd.revents & POLLIN))
        cgroup_oom_fd_drain (oom_fd);
      report_ooms (h, st->id, &ooms);
      /* A pod member's stream ends with its init, not with the pod's sandbox. */
      if (!runsc_process_alive (st->sandbox_pid, st->sandbox_start_time)
          || (g_strcmp0 (st->sandbox_id, st->id) != 0 && !runsc_process_alive (st->init_pid, 0)))
        {
          /* The container is gone: what killed it is reported before the stream ends. */
          report_ooms (h, st->id, &ooms);
          return 0;
        }
    }
}
