/* Usage of the sandbox's cgroup in the shape runc's `events --stats` prints (types.Stats). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "container/cgroup-internal.h"
#include "container/cgroup.h"

#define NS_PER_USEC 1000

static void
set_u64 (JsonObject *o, const char *name, guint64 v)
{
  json_object_set_int_member (o, name, v > G_MAXINT64 ? G_MAXINT64 : (gint64) v);
}

static void
set_if (JsonObject *o, const char *name, guint64 v)
{
  if (v != 0)
    set_u64 (o, name, v);
}

static guint64
read_u64 (const char *dir, const char *name)
{
  gint64 v = 0;
  if (dir == NULL || !cgroup_read_i64 (dir, name, &v) || v < 0)
    return 0;
  return (guint64) v;
}

/* "key value" lines as an object of numbers. */
static JsonObject *
keyed_object (const char *text)
{
  JsonObject *o = json_object_new ();
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      char *sp = strchr (lines[i], ' ');
      if (sp == NULL || sp == lines[i])
        continue;
      *sp = '\0';
      set_u64 (o, lines[i], g_ascii_strtoull (sp + 1, NULL, 10));
    }
  return o;
}

static JsonArray *
number_list (const char *text)
{
  JsonArray *a = json_array_new ();
  g_auto (GStrv) words = g_strsplit_set (text != NULL ? text : "", " \n", -1);
  guint i;

  for (i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      json_array_add_int_element (a, (gint64) g_ascii_strtoull (words[i], NULL, 10));
  return a;
}

/* cpuacct.usage_all: "cpu user system" rows. */
static void
percpu_split (const char *text, JsonObject *usage)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  JsonArray *user = json_array_new (), *sys = json_array_new ();
  guint i;

  for (i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit_set (lines[i], " \t", -1);
      if (g_strv_length (f) < 3)
        continue;
      json_array_add_int_element (user, (gint64) g_ascii_strtoull (f[1], NULL, 10));
      json_array_add_int_element (sys, (gint64) g_ascii_strtoull (f[2], NULL, 10));
    }
  json_object_set_array_member (usage, "percpu_kernel", sys);
  json_object_set_array_member (usage, "percpu_user", user);
}

static JsonObject *
memory_entry_v1 (const char *dir, const char *prefix)
{
  JsonObject *e = json_object_new ();
  g_autofree char *limit = g_strdup_printf ("%s.limit_in_bytes", prefix);
  g_autofree char *usage = g_strdup_printf ("%s.usage_in_bytes", prefix);
  g_autofree char *max = g_strdup_printf ("%s.max_usage_in_bytes", prefix);
  g_autofree char *failcnt = g_strdup_printf ("%s.failcnt", prefix);

  set_u64 (e, "limit", read_u64 (dir, limit));
  set_if (e, "usage", read_u64 (dir, usage));
  set_if (e, "max", read_u64 (dir, max));
  set_u64 (e, "failcnt", read_u64 (dir, failcnt));
  return e;
}

/* One entry of runc's blkio lists: {"major", "minor", "op", "value"}. */
static JsonObject *
blkio_entry (guint64 major, guint64 minor, const char *op, guint64 value)
{
  JsonObject *e = json_object_new ();

  set_u64 (e, "major", major);
  set_u64 (e, "minor", minor);
  json_object_set_string_member (e, "op", op);
  set_u64 (e, "value", value);
  return e;
}

/* blkio.throttle.io_service_bytes_recursive lines: "8:0 Read 4096" (and a "Total" line). */
static JsonArray *
blkio_entries (const char *text)
{
  JsonArray *a = json_array_new ();
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint i;

  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      char *colon;
      if (g_strv_length (f) != 3 || (colon = strchr (f[0], ':')) == NULL)
        continue;
      *colon = '\0';
      json_array_add_object_element (a, blkio_entry (g_ascii_strtoull (f[0], NULL, 10),
                                                     g_ascii_strtoull (colon + 1, NULL, 10), f[1],
                                                     g_ascii_strtoull (f[2], NULL, 10)));
    }
  return a;
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." as runc's v1-shaped entries. */
static void
io_stat_v2 (const char *text, JsonObject *blkio)
{
  JsonArray *bytes = json_array_new (), *ios = json_array_new ();
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  guint i, j;

  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      char *colon;
      guint64 major, minor;
      if (f[0] == NULL || (colon = strchr (f[0], ':')) == NULL)
        continue;
      *colon = '\0';
      major = g_ascii_strtoull (f[0], NULL, 10);
      minor = g_ascii_strtoull (colon + 1, NULL, 10);
      for (j = 1; f[j] != NULL; j++)
        {
          static const struct { const char *key; const char *op; gboolean is_bytes; } map[] = {
            { "rbytes=", "Read", TRUE }, { "wbytes=", "Write", TRUE },
            { "rios=", "Read", FALSE }, { "wios=", "Write", FALSE },
          };
          gsize m;
          for (m = 0; m < G_N_ELEMENTS (map); m++)
            if (g_str_has_prefix (f[j], map[m].key))
              json_array_add_object_element (
                  map[m].is_bytes ? bytes : ios,
                  blkio_entry (major, minor, map[m].op, g_ascii_strtoull (f[j] + strlen (map[m].key), NULL, 10)));
        }
    }
  json_object_set_array_member (blkio, "ioServiceBytesRecursive", bytes);
  json_object_set_array_member (blkio, "ioServicedRecursive", ios);
}

/* hugetlb.<size>.* files in dir: one object per page size. */
static JsonObject *
hugetlb_stats (const char *dir, gboolean v2)
{
  JsonObject *o = json_object_new ();
  GDir *d = dir != NULL ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  if (d == NULL)
    return o;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      const char *suffix = v2 ? ".current" : ".usage_in_bytes";
      g_autofree char *size = NULL;
      JsonObject *e;

      if (!g_str_has_prefix (name, "hugetlb.") || !g_str_has_suffix (name, suffix)
          || strstr (name, ".rsvd.") != NULL)
        continue;
      size = g_strndup (name + strlen ("hugetlb."), strlen (name) - strlen ("hugetlb.") - strlen (suffix));
      e = json_object_new ();
      set_if (e, "usage", read_u64 (dir, name));
      if (v2)
        {
          g_autofree char *events_file = g_strdup_printf ("hugetlb.%s.events", size);
          g_autofree char *events = cgroup_read (dir, events_file, NULL);
          guint64 max = 0;
          if (events != NULL)
            cgroup_keyed_value (events, "max", &max);
          set_u64 (e, "failcnt", max);
        }
      else
        {
          g_autofree char *max = g_strdup_printf ("hugetlb.%s.max_usage_in_bytes", size);
          g_autofree char *failcnt = g_strdup_printf ("hugetlb.%s.failcnt", size);
          set_if (e, "max", read_u64 (dir, max));
          set_u64 (e, "failcnt", read_u64 (dir, failcnt));
        }
      json_object_set_object_member (o, size, e);
    }
  g_dir_close (d);
  return o;
}

/* The throttling counters of a cpu.stat (v1 or v2), its time (time_key) in units of ns_per_unit ns. */
static void
throttling_stats (JsonObject *thr, const char *stat, const char *time_key, guint64 ns_per_unit)
{
  guint64 v;

  if (cgroup_keyed_value (stat, "nr_periods", &v))
    set_if (thr, "periods", v);
  if (cgroup_keyed_value (stat, "nr_throttled", &v))
    set_if (thr, "throttled_periods", v);
  if (cgroup_keyed_value (stat, time_key, &v))
    set_if (thr, "throttled_time", v * ns_per_unit);
}

static void
pids_stats (JsonObject *data, const char *dir)
{
  JsonObject *p = json_object_new ();
  gint64 limit = 0;

  set_if (p, "current", read_u64 (dir, "pids.current"));
  if (dir != NULL && cgroup_read_i64 (dir, "pids.max", &limit) && limit != G_MAXINT64 && limit > 0)
    set_u64 (p, "limit", (guint64) limit);
  json_object_set_object_member (data, "pids", p);
}

static void
stats_v1 (const CgroupHandle *h, JsonObject *data)
{
  const char *cpuacct = g_hash_table_lookup (h->v1, "cpuacct");
  const char *cpu = g_hash_table_lookup (h->v1, "cpu");
  const char *mem = g_hash_table_lookup (h->v1, "memory");
  const char *blkio = g_hash_table_lookup (h->v1, "blkio");
  const char *hugetlb = g_hash_table_lookup (h->v1, "hugetlb");
  JsonObject *c = json_object_new (), *usage = json_object_new (), *thr = json_object_new ();
  JsonObject *m = json_object_new (), *b = json_object_new ();
  long hz = sysconf (_SC_CLK_TCK);

  /* cpu */
  if (cpuacct != NULL)
    {
      g_autofree char *percpu = cgroup_read (cpuacct, "cpuacct.usage_percpu", NULL);
      g_autofree char *all = cgroup_read (cpuacct, "cpuacct.usage_all", NULL);
      g_autofree char *stat = cgroup_read (cpuacct, "cpuacct.stat", NULL);
      guint64 user = 0, sys = 0;

      set_if (usage, "total", read_u64 (cpuacct, "cpuacct.usage"));
      if (percpu != NULL)
        json_object_set_array_member (usage, "percpu", number_list (percpu));
      if (all != NULL)
        percpu_split (all, usage);
      if (stat != NULL && hz > 0)
        {
          cgroup_keyed_value (stat, "user", &user);
          cgroup_keyed_value (stat, "system", &sys);
        }
      set_u64 (usage, "kernel", hz > 0 ? sys * (1000000000 / (guint64) hz) : 0);
      set_u64 (usage, "user", hz > 0 ? user * (1000000000 / (guint64) hz) : 0);
    }
  if (cpu != NULL)
    {
      g_autofree char *stat = cgroup_read (cpu, "cpu.stat", NULL);
      if (stat != NULL)
        throttling_stats (thr, stat, "throttled_time", 1);
    }
  json_object_set_object_member (c, "usage", usage);
  json_object_set_object_member (c, "throttling", thr);
  json_object_set_object_member (data, "cpu", c);

  /* memory */
  if (mem != NULL)
    {
      g_autofree char *stat = cgroup_read (mem, "memory.stat", NULL);
      JsonObject *raw = keyed_object (stat);
      guint64 cache = 0;

      if (stat != NULL && cgroup_keyed_value (stat, "cache", &cache))
        set_if (m, "cache", cache);
      json_object_set_object_member (m, "usage", memory_entry_v1 (mem, "memory"));
      json_object_set_object_member (m, "swap", memory_entry_v1 (mem, "memory.memsw"));
      json_object_set_object_member (m, "kernel", memory_entry_v1 (mem, "memory.kmem"));
      json_object_set_object_member (m, "kernelTCP", memory_entry_v1 (mem, "memory.kmem.tcp"));
      json_object_set_object_member (m, "raw", raw);
    }
  json_object_set_object_member (data, "memory", m);

  pids_stats (data, g_hash_table_lookup (h->v1, "pids"));

  if (blkio != NULL)
    {
      g_autofree char *bytes = cgroup_read (blkio, "blkio.throttle.io_service_bytes_recursive", NULL);
      g_autofree char *ios = cgroup_read (blkio, "blkio.throttle.io_serviced_recursive", NULL);
      json_object_set_array_member (b, "ioServiceBytesRecursive", blkio_entries (bytes));
      json_object_set_array_member (b, "ioServicedRecursive", blkio_entries (ios));
    }
  json_object_set_object_member (data, "blkio", b);

  /* hugetlb: a v1 hierarchy, or (hybrid hosts) the cgroup2 one. */
  if (hugetlb != NULL)
    json_object_set_object_member (data, "hugetlb", hugetlb_stats (hugetlb, FALSE));
  else
    json_object_set_object_member (data, "hugetlb", hugetlb_stats (h->unified, TRUE));
}

static void
stats_v2 (const CgroupHandle *h, JsonObject *data)
{
  const char *dir = h->unified;
  /* The container's memory (its leaf, when the Sentry has one of its own), as on v1. */
  const char *mdir = cgroup_memory_dir (h);
  g_autofree char *cpu_stat = cgroup_read (dir, "cpu.stat", NULL);
  g_autofree char *mem_stat = cgroup_read (mdir, "memory.stat", NULL);
  g_autofree char *mem_events = cgroup_read (mdir, "memory.events", NULL);
  g_autofree char *io = cgroup_read (dir, "io.stat", NULL);
  JsonObject *c = json_object_new (), *usage = json_object_new (), *thr = json_object_new ();
  JsonObject *m = json_object_new (), *b = json_object_new ();
  JsonObject *mu = json_object_new (), *ms = json_object_new ();
  guint64 v, current, swap_current, file = 0, max_events = 0;
  gint64 limit = 0, swap_limit = 0;

  if (cpu_stat != NULL)
    {
      if (cgroup_keyed_value (cpu_stat, "usage_usec", &v))
        set_u64 (usage, "total", v * NS_PER_USEC);
      if (cgroup_keyed_value (cpu_stat, "system_usec", &v))
        set_u64 (usage, "kernel", v * NS_PER_USEC);
      if (cgroup_keyed_value (cpu_stat, "user_usec", &v))
        set_u64 (usage, "user", v * NS_PER_USEC);
      throttling_stats (thr, cpu_stat, "throttled_usec", NS_PER_USEC);
    }
  json_object_set_object_member (c, "usage", usage);
  json_object_set_object_member (c, "throttling", thr);
  json_object_set_object_member (data, "cpu", c);

  current = read_u64 (mdir, "memory.current");
  swap_current = read_u64 (mdir, "memory.swap.current");
  cgroup_read_i64 (mdir, "memory.max", &limit);
  cgroup_read_i64 (mdir, "memory.swap.max", &swap_limit);
  if (mem_events != NULL)
    cgroup_keyed_value (mem_events, "max", &max_events);
  if (mem_stat != NULL && cgroup_keyed_value (mem_stat, "file", &file))
    set_if (m, "cache", file);
  set_u64 (mu, "limit", limit > 0 ? (guint64) limit : G_MAXINT64);
  set_if (mu, "usage", current);
  set_if (mu, "max", read_u64 (mdir, "memory.peak"));
  set_u64 (mu, "failcnt", max_events);
  /* As runc does on v2: "swap" is memory+swap, like v1's memsw. */
  set_u64 (ms, "limit", swap_limit > 0 && swap_limit != G_MAXINT64 && limit > 0 && limit != G_MAXINT64
                            ? (guint64) swap_limit + (guint64) limit
                            : G_MAXINT64);
  set_if (ms, "usage", current + swap_current);
  set_u64 (ms, "failcnt", 0);
  json_object_set_object_member (m, "usage", mu);
  json_object_set_object_member (m, "swap", ms);
  json_object_set_object_member (m, "raw", keyed_object (mem_stat));
  json_object_set_object_member (data, "memory", m);

  pids_stats (data, dir);
  io_stat_v2 (io, b);
  json_object_set_object_member (data, "blkio", b);
  json_object_set_object_member (data, "hugetlb", hugetlb_stats (dir, TRUE));
}

JsonObject *
cgroup_stats (const CgroupHandle *h, GError **error)
{
  JsonObject *data = json_object_new ();

  if (h->version == CGROUP_V1)
    stats_v1 (h, data);
  else if (h->unified != NULL)
    stats_v2 (h, data);
  else
    {
      json_object_unref (data);
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cgroup %s: nothing to read", h->path);
      return NULL;
    }
  return data;
}
