/* runsc metric-server's metrics: what each running sandbox under --root reports, read at scrape time.
 *
 * Per sandbox (label sandbox="ID"): the system calls that reached its Sentry, by name (the control socket's
 * "metrics" request: src/sentry/counters.c), the Sentry's resident memory and thread count (/proc/PID/status),
 * its creation time and start latency (state.json). Per container (labels sandbox and container="ID"): CPU
 * time, memory use and OOM kills from its cgroup (src/container/cgroup-stats.c). Families are written once,
 * each with its HELP and TYPE lines, samples sorted by sandbox and container. */
#include "config.h"

#include <dirent.h>
#include <string.h>

#include "cli/metrics.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup.h"
#include "oci/state.h"
#include "sentry/control.h"

typedef enum
{
  M_SANDBOXES,
  M_RUNNING,
  M_CREATED,
  M_START_LATENCY,
  M_SENTRY_RSS,
  M_SENTRY_THREADS,
  M_NOTIFIED,
  M_EMULATED,
  M_REFUSED,
  M_CPU,
  M_MEMORY,
  M_OOM,
  M_COUNT
} MetricId;

static const struct
{
  const char *name, *type, *help;
} families[M_COUNT] = {
  [M_SANDBOXES] = { "sandboxes_running", "gauge", "Number of running sandboxes under the runsc root." },
  [M_RUNNING] = { "sandbox_running", "gauge", "1 for each running sandbox." },
  [M_CREATED] = { "sandbox_creation_time_seconds", "gauge", "When the sandbox was created, as a unix timestamp." },
  [M_START_LATENCY] = { "sandbox_start_latency_seconds", "gauge",
                        "Time from runsc create's start until the sandbox reported its container created." },
  [M_SENTRY_RSS] = { "sentry_resident_memory_bytes", "gauge", "Resident memory of the sandbox's Sentry process." },
  [M_SENTRY_THREADS] = { "sentry_threads", "gauge", "Threads of the sandbox's Sentry process." },
  [M_NOTIFIED] = { "syscalls_notified_total", "counter",
                   "System calls that reached the Sentry (seccomp user notifications), by name." },
  [M_EMULATED] = { "syscalls_emulated_total", "counter", "System calls the Sentry emulated, by name." },
  [M_REFUSED] = { "syscalls_refused_total", "counter", "System calls the Sentry refused, by name." },
  [M_CPU] = { "container_cpu_usage_seconds_total", "counter", "CPU time used by the container's cgroup." },
  [M_MEMORY] = { "container_memory_usage_bytes", "gauge", "Memory used by the container's cgroup." },
  [M_OOM] = { "container_oom_kills_total", "counter", "Processes of the container killed by the OOM killer." },
};

typedef struct
{
  GString *samples[M_COUNT];
  const char *prefix;
} Output;

char *
metrics_escape_label (const char *value)
{
  GString *s = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (s, "\\\\");
      else if (*p == '"')
        g_string_append (s, "\\\"");
      else if (*p == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/* One sample: labels are name/value pairs ending with NULL. value is already formatted. */
static void
sample (Output *out, MetricId id, const char *value, ...)
{
  GString *s = out->samples[id];
  gboolean first = TRUE;
  const char *name;
  va_list ap;

  g_string_append_printf (s, "%s%s", out->prefix, families[id].name);
  va_start (ap, value);
  while ((name = va_arg (ap, const char *)) != NULL)
    {
      g_autofree char *v = metrics_escape_label (va_arg (ap, const char *));
      g_string_append_printf (s, "%s%s=\"%s\"", first ? "{" : ",", name, v);
      first = FALSE;
    }
  va_end (ap);
  g_string_append_printf (s, "%s %s\n", first ? "" : "}", value);
}

static char *
u64 (guint64 v)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, v);
}

static char *
seconds (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6f", v));
}

/* "Name:  value ..." of /proc/PID/status as a number (the first word after the colon). */
static gboolean
proc_status_field (const char *status, const char *field, guint64 *out)
{
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *p = strstr (status, key);

  if (p == NULL)
    return FALSE;
  p += strlen (key);
  while (*p == ' ' || *p == '\t')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  *out = g_ascii_strtoull (p, NULL, 10);
  return TRUE;
}

static guint64
json_path_u64 (JsonObject *o, const char *a, const char *b, const char *c)
{
  JsonObject *x = o != NULL && json_object_has_member (o, a) ? json_object_get_object_member (o, a) : NULL;
  JsonObject *y = x != NULL && json_object_has_member (x, b) ? json_object_get_object_member (x, b) : NULL;
  gint64 v = y != NULL ? json_object_get_int_member_with_default (y, c, 0) : 0;
  return v > 0 ? (guint64) v : 0;
}

static void
sandbox_metrics (Output *out, StateDir *d, const RunscState *st)
{
  g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) st->sandbox_pid);
  g_autofree char *status = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) reply = NULL;
  const char *id = st->id;
  guint64 v;

  sample (out, M_RUNNING, "1", "sandbox", id, NULL);
  {
    g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (st->created, NULL);
    if (t != NULL)
      {
        g_autofree char *s = seconds ((double) g_date_time_to_unix (t) + g_date_time_get_microsecond (t) / 1e6);
        sample (out, M_CREATED, s, "sandbox", id, NULL);
      }
  }
  if (st->start_latency_us != 0)
    {
      g_autofree char *s = seconds (st->start_latency_us / 1e6);
      sample (out, M_START_LATENCY, s, "sandbox", id, NULL);
    }
  /* Read with the Sentry's start time checked after: the pid could have been reused in between. */
  if (g_file_get_contents (status_path, &status, NULL, NULL)
      && runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      if (proc_status_field (status, "VmRSS", &v))
        {
          g_autofree char *s = u64 (v * 1024);
          sample (out, M_SENTRY_RSS, s, "sandbox", id, NULL);
        }
      if (proc_status_field (status, "Threads", &v))
        {
          g_autofree char *s = u64 (v);
          sample (out, M_SENTRY_THREADS, s, "sandbox", id, NULL);
        }
    }

  reply = control_call_simple (d->dirfd, "metrics", &error);
  if (reply == NULL)
    {
      log_debug ("metrics: sandbox %s: %s", id, error->message);
      return;
    }
  if (json_object_has_member (reply, "syscalls"))
    {
      JsonArray *calls = json_object_get_array_member (reply, "syscalls");
      for (guint i = 0; calls != NULL && i < json_array_get_length (calls); i++)
        {
          JsonObject *c = json_array_get_object_element (calls, i);
          const char *name = json_object_get_string_member_with_default (c, "name", "unknown");
          g_autofree char *n = u64 ((guint64) MAX (json_object_get_int_member_with_default (c, "notified", 0), 0));
          g_autofree char *e = u64 ((guint64) MAX (json_object_get_int_member_with_default (c, "emulated", 0), 0));
          g_autofree char *r = u64 ((guint64) MAX (json_object_get_int_member_with_default (c, "refused", 0), 0));

          sample (out, M_NOTIFIED, n, "sandbox", id, "syscall", name, NULL);
          sample (out, M_EMULATED, e, "sandbox", id, "syscall", name, NULL);
          sample (out, M_REFUSED, r, "sandbox", id, "syscall", name, NULL);
        }
    }
}

static void
container_metrics (Output *out, StateDir *d, const RunscState *st)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CgroupHandle) h = cgroup_handle_load (d->path, &error);
  g_autoptr (JsonObject) stats = NULL;
  g_autofree char *cpu = NULL, *mem = NULL, *oom = NULL;

  if (h == NULL)
    {
      log_debug ("metrics: container %s: %s", st->id, error != NULL ? error->message : "no cgroup");
      return;
    }
  stats = cgroup_stats (h, &error);
  if (stats == NULL)
    {
      log_debug ("metrics: container %s: %s", st->id, error->message);
      return;
    }
  cpu = seconds (json_path_u64 (stats, "cpu", "usage", "total") / 1e9);
  mem = u64 (json_path_u64 (stats, "memory", "usage", "usage"));
  oom = u64 (cgroup_oom_kill_count (h));
  sample (out, M_CPU, cpu, "sandbox", st->sandbox_id, "container", st->id, NULL);
  sample (out, M_MEMORY, mem, "sandbox", st->sandbox_id, "container", st->id, NULL);
  sample (out, M_OOM, oom, "sandbox", st->sandbox_id, "container", st->id, NULL);
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
container_ids (const char *root)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (state_validate_id (name, NULL))
      g_ptr_array_add (ids, g_strdup (name));
  g_ptr_array_sort (ids, compare_ids);
  return ids;
}

char *
metrics_render (const char *root, const char *prefix)
{
  g_autoptr (GPtrArray) ids = container_ids (root);
  GString *text = g_string_new (NULL);
  Output out = { .prefix = prefix };
  guint running = 0;

  for (int i = 0; i < M_COUNT; i++)
    out.samples[i] = g_string_new (NULL);

  /* Sandboxes first, then every container (a pod's members too), so that both come out sorted by id. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr (StateDir) d = state_dir_open_unlocked (root, ids->pdata[i], NULL);
        g_autoptr (RunscState) st = d != NULL ? state_load (d, NULL) : NULL;
        gboolean is_sandbox;

        if (st == NULL || !runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
          continue;
        is_sandbox = g_strcmp0 (st->sandbox_id, st->id) == 0;
        if (pass == 0 && is_sandbox)
          {
            running++;
            sandbox_metrics (&out, d, st);
          }
        else if (pass == 1)
          container_metrics (&out, d, st);
      }
  {
    g_autofree char *n = u64 (running);
    sample (&out, M_SANDBOXES, n, NULL);
  }

  for (int i = 0; i < M_COUNT; i++)
    {
      g_string_append_printf (text, "# HELP %s%s %s\n# TYPE %s%s %s\n", prefix, families[i].name, families[i].help,
                              prefix, families[i].name, families[i].type);
      g_string_append_len (text, out.samples[i]->str, out.samples[i]->len);
      g_string_free (out.samples[i], TRUE);
    }
  return g_string_free (text, FALSE);
}
