/* runsc update: change the limits of a running (or paused) container's cgroup, from a LinuxResources JSON file
 * (--resources FILE, or - for stdin) and/or runc's single-value flags (which win over the file). The sandbox
 * kernel's views (/proc/meminfo, sysinfo, the CPU count) read the cgroup, so the container sees the change. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "container/cgroup.h"
#include "oci/spec.h"
#include "oci/state.h"

typedef struct
{
  char *resources;
  char *blkio_weight, *cpu_period, *cpu_quota, *cpu_share, *cpu_rt_period, *cpu_rt_runtime;
  char *cpuset_cpus, *cpuset_mems, *kernel_memory, *kernel_memory_tcp;
  char *memory, *memory_reservation, *memory_swap, *pids_limit, *l3_cache_schema, *mem_bw_schema;
} UpdateFlags;

static void
update_flags_clear (UpdateFlags *f)
{
  char **all[] = { &f->resources, &f->blkio_weight, &f->cpu_period, &f->cpu_quota, &f->cpu_share,
                   &f->cpu_rt_period, &f->cpu_rt_runtime, &f->cpuset_cpus, &f->cpuset_mems, &f->kernel_memory,
                   &f->kernel_memory_tcp, &f->memory, &f->memory_reservation, &f->memory_swap, &f->pids_limit,
                   &f->l3_cache_schema, &f->mem_bw_schema };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (all); i++)
    g_clear_pointer (all[i], g_free);
}

static gboolean
parse_int (const char *flag, const char *text, gint64 *out, GError **error)
{
  char *end;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --%s \"%s\": expected an integer", flag, text);
  *out = v;
  return TRUE;
}

static gboolean
parse_uint (const char *flag, const char *text, guint64 *out, GError **error)
{
  gint64 v;

  if (!parse_int (flag, text, &v, error))
    return FALSE;
  if (v < 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --%s \"%s\": must not be negative", flag, text);
  *out = (guint64) v;
  return TRUE;
}

static gboolean
parse_size (const char *flag, const char *text, gint64 *out, GError **error)
{
  if (!cgroup_parse_size (text, out, error))
    return runsc_error_prefix (error, "--%s", flag);
  return TRUE;
}

static OciResources *
read_resources (const char *file, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  OciResources *r;

  if (strcmp (file, "-") == 0)
    {
      GString *buf = g_string_new (NULL);
      char chunk[4096];
      ssize_t n;
      while ((n = read (STDIN_FILENO, chunk, sizeof chunk)) != 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              g_string_free (buf, TRUE);
              runsc_error_errno (error, errno, "read the resources from stdin");
              return NULL;
            }
          g_string_append_len (buf, chunk, n);
        }
      len = buf->len;
      data = g_string_free (buf, FALSE);
    }
  else if (!g_file_get_contents (file, &data, &len, NULL))
    {
      runsc_error_errno (error, errno, "read %s", file);
      return NULL;
    }
  r = oci_resources_parse (data, (gssize) len, error);
  if (r == NULL)
    runsc_error_prefix (error, "%s", strcmp (file, "-") == 0 ? "stdin" : file);
  return r;
}

static gboolean
apply_flags (const UpdateFlags *f, OciResources *r, GError **error)
{
  if (f->memory != NULL)
    {
      if (!parse_size ("memory", f->memory, &r->memory_limit, error))
        return FALSE;
      r->has_memory_limit = TRUE;
    }
  if (f->memory_reservation != NULL)
    {
      if (!parse_size ("memory-reservation", f->memory_reservation, &r->memory_reservation, error))
        return FALSE;
      r->has_memory_reservation = TRUE;
    }
  if (f->memory_swap != NULL)
    {
      if (!parse_size ("memory-swap", f->memory_swap, &r->memory_swap, error))
        return FALSE;
      r->has_memory_swap = TRUE;
    }
  if (f->cpu_share != NULL)
    {
      if (!parse_uint ("cpu-share", f->cpu_share, &r->cpu_shares, error))
        return FALSE;
      r->has_cpu_shares = TRUE;
    }
  if (f->cpu_quota != NULL)
    {
      if (!parse_int ("cpu-quota", f->cpu_quota, &r->cpu_quota, error))
        return FALSE;
      r->has_cpu_quota = TRUE;
    }
  if (f->cpu_period != NULL)
    {
      if (!parse_uint ("cpu-period", f->cpu_period, &r->cpu_period, error))
        return FALSE;
      r->has_cpu_period = TRUE;
    }
  if (f->cpu_rt_period != NULL)
    {
      if (!parse_uint ("cpu-rt-period", f->cpu_rt_period, &r->cpu_realtime_period, error))
        return FALSE;
      r->has_cpu_realtime_period = TRUE;
    }
  if (f->cpu_rt_runtime != NULL)
    {
      if (!parse_int ("cpu-rt-runtime", f->cpu_rt_runtime, &r->cpu_realtime_runtime, error))
        return FALSE;
      r->has_cpu_realtime_runtime = TRUE;
    }
  if (f->cpuset_cpus != NULL)
    {
      g_free (r->cpu_cpus);
      r->cpu_cpus = g_strdup (f->cpuset_cpus);
    }
  if (f->cpuset_mems != NULL)
    {
      g_free (r->cpu_mems);
      r->cpu_mems = g_strdup (f->cpuset_mems);
    }
  if (f->pids_limit != NULL)
    {
      if (!parse_int ("pids-limit", f->pids_limit, &r->pids_limit, error))
        return FALSE;
      r->has_pids_limit = TRUE;
    }
  if (f->blkio_weight != NULL)
    {
      guint64 w = 0;
      if (!parse_uint ("blkio-weight", f->blkio_weight, &w, error))
        return FALSE;
      if (w != 0 && (w < 10 || w > 1000))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --blkio-weight %s: expected 10 to 1000",
                                f->blkio_weight);
      r->blkio_weight = (guint16) w;
      r->has_blkio_weight = TRUE;
    }
  if (f->kernel_memory != NULL || f->kernel_memory_tcp != NULL)
    log_warning ("--kernel-memory and --kernel-memory-tcp are deprecated (the kernel no longer limits kernel "
                 "memory separately): ignored");
  if (f->l3_cache_schema != NULL || f->mem_bw_schema != NULL)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "--l3-cache-schema and --mem-bw-schema (Intel RDT) are not supported");
  return TRUE;
}

int
cmd_update (RunscGlobal *g, int argc, char **argv, GError **error)
{
  UpdateFlags f = { 0 };
  const RunscFlag flags[] = {
    { "resources", RUNSC_FLAG_STRING, &f.resources, "FILE",
      "a LinuxResources JSON file to apply (- reads it from stdin)" },
    { "r", RUNSC_FLAG_STRING, &f.resources, "FILE", "same as --resources" },
    { "blkio-weight", RUNSC_FLAG_STRING, &f.blkio_weight, "N", "block IO weight (10 to 1000)" },
    { "cpu-period", RUNSC_FLAG_STRING, &f.cpu_period, "US", "CPU CFS period in microseconds" },
    { "cpu-quota", RUNSC_FLAG_STRING, &f.cpu_quota, "US", "CPU CFS quota in microseconds per period (-1: none)" },
    { "cpu-share", RUNSC_FLAG_STRING, &f.cpu_share, "N", "CPU shares (relative weight)" },
    { "cpu-rt-period", RUNSC_FLAG_STRING, &f.cpu_rt_period, "US", "realtime period in microseconds (cgroup v1)" },
    { "cpu-rt-runtime", RUNSC_FLAG_STRING, &f.cpu_rt_runtime, "US", "realtime runtime in microseconds (cgroup v1)" },
    { "cpuset-cpus", RUNSC_FLAG_STRING, &f.cpuset_cpus, "LIST", "CPUs to run on (0-3,5)" },
    { "cpuset-mems", RUNSC_FLAG_STRING, &f.cpuset_mems, "LIST", "memory nodes to allocate from" },
    { "kernel-memory", RUNSC_FLAG_STRING, &f.kernel_memory, "SIZE", "deprecated, ignored" },
    { "kernel-memory-tcp", RUNSC_FLAG_STRING, &f.kernel_memory_tcp, "SIZE", "deprecated, ignored" },
    { "memory", RUNSC_FLAG_STRING, &f.memory, "SIZE", "memory limit (512m, 1g; -1: none)" },
    { "memory-reservation", RUNSC_FLAG_STRING, &f.memory_reservation, "SIZE", "memory soft limit" },
    { "memory-swap", RUNSC_FLAG_STRING, &f.memory_swap, "SIZE", "memory plus swap limit (-1: unlimited swap)" },
    { "pids-limit", RUNSC_FLAG_STRING, &f.pids_limit, "N", "maximum number of tasks (0 or -1: none)" },
    { "l3-cache-schema", RUNSC_FLAG_STRING, &f.l3_cache_schema, "S", "Intel RDT (not supported)" },
    { "mem-bw-schema", RUNSC_FLAG_STRING, &f.mem_bw_schema, "S", "Intel RDT (not supported)" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  g_autoptr (OciResources) r = NULL;
  const char *status;
  gboolean done;
  int idx, ret = -1;

  idx = cli_parse (g, flags, argc, argv, 1, 1, "update [--resources FILE|-] [FLAGS] ID", &done, error);
  if (idx < 0 || done)
    {
      update_flags_clear (&f);
      return idx < 0 ? -1 : 0;
    }
  cli_set_id (g, argv[idx]);
  r = f.resources != NULL ? read_resources (f.resources, error) : g_new0 (OciResources, 1);
  if (r == NULL || !apply_flags (&f, r, error))
    goto out;
  d = state_dir_open (g->root, argv[idx], error);
  if (d == NULL)
    goto out;
  st = state_load (d, error);
  if (st == NULL)
    goto out;
  status = state_status (d, st, NULL);
  if (strcmp (status, "stopped") == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_STATE, "container %s is not running", st->id);
      goto out;
    }
  h = cgroup_handle_load (d->path, error);
  if (h == NULL || !cgroup_apply_resources (h, r, error))
    goto out;
  ret = 0;
out:
  update_flags_clear (&f);
  return ret;
}
