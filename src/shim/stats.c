/* Stats conversion (see stats.h). */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "common/error.h"
#include "metrics.pb-c.h"
#include "shim/stats.h"

static guint64
u64 (JsonObject *o, const char *member)
{
  JsonNode *n;
  if (o == NULL || !json_object_has_member (o, member))
    return 0;
  n = json_object_get_member (o, member);
  if (!JSON_NODE_HOLDS_VALUE (n))
    return 0;
  return (guint64) json_node_get_int (n);
}

static JsonObject *
obj (JsonObject *o, const char *member)
{
  JsonNode *n;
  if (o == NULL || !json_object_has_member (o, member))
    return NULL;
  n = json_object_get_member (o, member);
  return JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static void
fill_entry (Io__Containerd__Cgroups__V1__MemoryEntry *e, JsonObject *o)
{
  e->limit = u64 (o, "limit");
  e->usage = u64 (o, "usage");
  e->max = u64 (o, "max");
  e->failcnt = u64 (o, "failcnt");
}

GByteArray *
shim_stats_from_json (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  Io__Containerd__Cgroups__V1__Metrics m = IO__CONTAINERD__CGROUPS__V1__METRICS__INIT;
  Io__Containerd__Cgroups__V1__PidsStat pids = IO__CONTAINERD__CGROUPS__V1__PIDS_STAT__INIT;
  Io__Containerd__Cgroups__V1__CPUStat cpu = IO__CONTAINERD__CGROUPS__V1__CPUSTAT__INIT;
  Io__Containerd__Cgroups__V1__CPUUsage usage = IO__CONTAINERD__CGROUPS__V1__CPUUSAGE__INIT;
  Io__Containerd__Cgroups__V1__Throttle thr = IO__CONTAINERD__CGROUPS__V1__THROTTLE__INIT;
  Io__Containerd__Cgroups__V1__MemoryStat mem = IO__CONTAINERD__CGROUPS__V1__MEMORY_STAT__INIT;
  Io__Containerd__Cgroups__V1__MemoryEntry mu = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
  Io__Containerd__Cgroups__V1__MemoryEntry ms = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
  Io__Containerd__Cgroups__V1__MemoryEntry mk = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
  Io__Containerd__Cgroups__V1__MemoryEntry mt = IO__CONTAINERD__CGROUPS__V1__MEMORY_ENTRY__INIT;
  g_autofree guint64 *percpu = NULL;
  JsonObject *root, *data, *c, *me, *raw, *p;
  GByteArray *out;
  size_t n;

  if (!json_parser_load_from_data (parser, json, -1, &local) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "parse stats: %s", local ? local->message : "not a JSON object");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  data = obj (root, "data");
  if (data == NULL)
    data = root;

  if ((p = obj (data, "pids")) != NULL)
    {
      pids.current = u64 (p, "current");
      pids.limit = u64 (p, "limit");
      m.pids = &pids;
    }
  if ((c = obj (data, "cpu")) != NULL)
    {
      JsonObject *u = obj (c, "usage");
      JsonObject *t = obj (c, "throttling");
      usage.total = u64 (u, "total");
      usage.kernel = u64 (u, "kernel");
      usage.user = u64 (u, "user");
      if (u && json_object_has_member (u, "percpu")
          && JSON_NODE_HOLDS_ARRAY (json_object_get_member (u, "percpu")))
        {
          JsonArray *a = json_object_get_array_member (u, "percpu");
          usage.n_per_cpu = json_array_get_length (a);
          percpu = g_new0 (guint64, usage.n_per_cpu + 1);
          for (guint i = 0; i < usage.n_per_cpu; i++)
            percpu[i] = (guint64) json_array_get_int_element (a, i);
          usage.per_cpu = percpu;
        }
      thr.periods = u64 (t, "periods");
      thr.throttled_periods = u64 (t, "throttled_periods");
      thr.throttled_time = u64 (t, "throttled_time");
      cpu.usage = &usage;
      cpu.throttling = &thr;
      m.cpu = &cpu;
    }
  if ((me = obj (data, "memory")) != NULL)
    {
      raw = obj (me, "raw");
      fill_entry (&mu, obj (me, "usage"));
      fill_entry (&ms, obj (me, "swap"));
      fill_entry (&mk, obj (me, "kernel"));
      fill_entry (&mt, obj (me, "kernelTCP"));
      mem.usage = &mu;
      mem.swap = &ms;
      mem.kernel = &mk;
      mem.kernel_tcp = &mt;
      mem.cache = u64 (raw, "cache");
      mem.rss = u64 (raw, "rss");
      mem.rss_huge = u64 (raw, "rss_huge");
      mem.mapped_file = u64 (raw, "mapped_file");
      mem.dirty = u64 (raw, "dirty");
      mem.writeback = u64 (raw, "writeback");
      mem.pg_pg_in = u64 (raw, "pgpgin");
      mem.pg_pg_out = u64 (raw, "pgpgout");
      mem.pg_fault = u64 (raw, "pgfault");
      mem.pg_maj_fault = u64 (raw, "pgmajfault");
      mem.inactive_anon = u64 (raw, "inactive_anon");
      mem.active_anon = u64 (raw, "active_anon");
      mem.inactive_file = u64 (raw, "inactive_file");
      mem.active_file = u64 (raw, "active_file");
      mem.unevictable = u64 (raw, "unevictable");
      mem.hierarchical_memory_limit = u64 (raw, "hierarchical_memory_limit");
      mem.hierarchical_swap_limit = u64 (raw, "hierarchical_memsw_limit");
      mem.total_cache = u64 (raw, "total_cache");
      mem.total_rss = u64 (raw, "total_rss");
      mem.total_rss_huge = u64 (raw, "total_rss_huge");
      mem.total_mapped_file = u64 (raw, "total_mapped_file");
      mem.total_dirty = u64 (raw, "total_dirty");
      mem.total_writeback = u64 (raw, "total_writeback");
      mem.total_pg_pg_in = u64 (raw, "total_pgpgin");
      mem.total_pg_pg_out = u64 (raw, "total_pgpgout");
      mem.total_pg_fault = u64 (raw, "total_pgfault");
      mem.total_pg_maj_fault = u64 (raw, "total_pgmajfault");
      mem.total_inactive_anon = u64 (raw, "total_inactive_anon");
      mem.total_active_anon = u64 (raw, "total_active_anon");
      mem.total_inactive_file = u64 (raw, "total_inactive_file");
      mem.total_active_file = u64 (raw, "total_active_file");
      mem.total_unevictable = u64 (raw, "total_unevictable");
      m.memory = &mem;
    }
  n = protobuf_c_message_get_packed_size (&m.base);
  out = g_byte_array_sized_new (n);
  g_byte_array_set_size (out, n);
  protobuf_c_message_pack (&m.base, out->data);
  return out;
}
