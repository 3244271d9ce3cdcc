/* linux.resources written to cgroup v1 and v2 control files (create and update). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "container/cgroup-internal.h"
#include "container/cgroup.h"

guint64
cgroup_shares_to_weight (guint64 shares)
{
  /* cpu.shares 2..262144 onto cpu.weight 1..10000, as runc and crun map them. */
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

gint64
cgroup_swap_to_v2 (gint64 swap, gint64 limit)
{
  /* OCI's swap is memory+swap (v1 memsw); v2's memory.swap.max is the swap alone. */
  if (swap == -1)
    return -1;
  if (swap == 0)
    return -2;
  if (limit <= 0)
    return -2; /* no memory limit to subtract from: v1 would refuse memsw without a limit; leave it */
  return swap > limit ? swap - limit : 0;
}

static char *
num_or_max (gint64 v, const char *max)
{
  return v < 0 ? g_strdup (max) : g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

/* Optional file: absent is fine (a kernel without it), other errors are not. */
static gboolean
write_optional (const char *dir, const char *name, const char *value, GError **error)
{
  int err = cgroup_write_errno (dir, name, value);

  if (err == ENOENT)
    {
      log_debug ("cgroup: %s/%s does not exist: %s ignored", dir, name, value);
      return TRUE;
    }
  if (err != 0)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      return runsc_error_errno (error, err, "write %s to %s", value, path);
    }
  return TRUE;
}

/* Two files whose values constrain each other (memory and memory+swap, period and quota): if the first order
 * fails with EINVAL, the other order may work. */
static gboolean
write_pair (const char *dir, const char *a, const char *va, const char *b, const char *vb, GError **error)
{
  int err;

  if (va == NULL)
    return vb == NULL || cgroup_write (dir, b, vb, error);
  if (vb == NULL)
    return cgroup_write (dir, a, va, error);
  err = cgroup_write_errno (dir, a, va);
  if (err == 0)
    return cgroup_write (dir, b, vb, error);
  if (err != EINVAL && err != EBUSY)
    return cgroup_write (dir, a, va, error);
  return cgroup_write (dir, b, vb, error) && cgroup_write (dir, a, va, error);
}

/* "2MB" -> "2MB" (v1 and v2 both name the files with the page size as the kernel prints it). */
static gboolean
valid_page_size (const char *s)
{
  size_t n = strlen (s);
  return n >= 3 && g_ascii_isdigit (s[0]) && s[n - 1] == 'B' && strchr ("KMGkmg", s[n - 2]) != NULL;
}

gboolean
cgroup_apply_resources_v1 (GHashTable *dirs, const OciResources *r, GError **error)
{
  const char *mem = g_hash_table_lookup (dirs, "memory");
  const char *cpu = g_hash_table_lookup (dirs, "cpu");
  const char *cpuset = g_hash_table_lookup (dirs, "cpuset");
  const char *pids = g_hash_table_lookup (dirs, "pids");
  const char *blkio = g_hash_table_lookup (dirs, "blkio");
  const char *hugetlb = g_hash_table_lookup (dirs, "hugetlb");
  gsize i;

  if (r->unified != NULL && g_hash_table_size (r->unified) > 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "linux.resources.unified needs cgroup v2; this host's limits are on cgroup v1");

  if (r->has_memory_limit || r->has_memory_swap || r->has_memory_reservation || r->has_memory_swappiness
      || r->disable_oom_killer)
    {
      g_autofree char *limit = NULL, *swap = NULL;

      if (mem == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "memory limits: no memory cgroup hierarchy");
      if (r->has_memory_limit)
        limit = num_or_max (r->memory_limit, "-1");
      if (r->has_memory_swap && r->memory_swap != 0)
        {
          g_autofree char *probe = g_build_filename (mem, "memory.memsw.limit_in_bytes", NULL);
          if (g_file_test (probe, G_FILE_TEST_EXISTS))
            swap = num_or_max (r->memory_swap, "-1");
          else if (r->memory_swap > 0)
            log_warning ("cgroup: memory.swap %" G_GINT64_FORMAT " ignored: the kernel does not account swap "
                         "(no memory.memsw.limit_in_bytes)", r->memory_swap);
        }
      if (r->has_memory_limit && r->has_memory_swap && r->memory_limit > 0 && r->memory_swap > 0
          && r->memory_swap < r->memory_limit)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "memory.swap (%" G_GINT64_FORMAT ") must be at least memory.limit (%" G_GINT64_FORMAT
                                "): it is memory plus swap",
                                r->memory_swap, r->memory_limit);
      if (!write_pair (mem, "memory.limit_in_bytes", limit, "memory.memsw.limit_in_bytes", swap, error))
        return FALSE;
      if (r->has_memory_reservation)
        {
          g_autofree char *v = num_or_max (r->memory_reservation, "-1");
          if (!cgroup_write (mem, "memory.soft_limit_in_bytes", v, error))
            return FALSE;
        }
      if (r->has_memory_swappiness && r->memory_swappiness <= 100)
        {
          g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, r->memory_swappiness);
          if (!write_optional (mem, "memory.swappiness", v, error))
            return FALSE;
        }
      if (r->disable_oom_killer && !cgroup_write (mem, "memory.oom_control", "1", error))
        return FALSE;
    }

  if (r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_realtime_runtime
      || r->has_cpu_realtime_period)
    {
      g_autofree char *period = NULL, *quota = NULL;

      if (cpu == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cpu limits: no cpu cgroup hierarchy");
      if (r->has_cpu_shares && r->cpu_shares > 0)
        {
          g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, r->cpu_shares);
          if (!cgroup_write (cpu, "cpu.shares", v, error))
            return FALSE;
        }
      if (r->has_cpu_period && r->cpu_period > 0)
        period = g_strdup_printf ("%" G_GUINT64_FORMAT, r->cpu_period);
      if (r->has_cpu_quota && r->cpu_quota != 0)
        quota = num_or_max (r->cpu_quota, "-1");
      if (!write_pair (cpu, "cpu.cfs_period_us", period, "cpu.cfs_quota_us", quota, error))
        return FALSE;
      if (r->has_cpu_realtime_period && r->cpu_realtime_period > 0)
        {
          g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, r->cpu_realtime_period);
          if (!write_optional (cpu, "cpu.rt_period_us", v, error))
            return FALSE;
        }
      if (r->has_cpu_realtime_runtime && r->cpu_realtime_runtime != 0)
        {
          g_autofree char *v = g_strdup_printf ("%" G_GINT64_FORMAT, r->cpu_realtime_runtime);
          if (!write_optional (cpu, "cpu.rt_runtime_us", v, error))
            return FALSE;
        }
    }

  if ((r->cpu_cpus != NULL && r->cpu_cpus[0] != '\0') || (r->cpu_mems != NULL && r->cpu_mems[0] != '\0'))
    {
      if (cpuset == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cpu.cpus/mems: no cpuset cgroup hierarchy");
      if (r->cpu_cpus != NULL && r->cpu_cpus[0] != '\0' && !cgroup_write (cpuset, "cpuset.cpus", r->cpu_cpus, error))
        return FALSE;
      if (r->cpu_mems != NULL && r->cpu_mems[0] != '\0' && !cgroup_write (cpuset, "cpuset.mems", r->cpu_mems, error))
        return FALSE;
    }

  if (r->has_pids_limit)
    {
      g_autofree char *v = num_or_max (r->pids_limit > 0 ? r->pids_limit : -1, "max");
      if (pids == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "pids.limit: no pids cgroup hierarchy");
      if (!cgroup_write (pids, "pids.max", v, error))
        return FALSE;
    }

  if (r->has_blkio_weight && r->blkio_weight > 0)
    {
      g_autofree char *v = g_strdup_printf ("%u", (unsigned) r->blkio_weight);
      g_autofree char *probe = NULL;
      if (blkio == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "blockIO.weight: no blkio cgroup hierarchy");
      probe = g_build_filename (blkio, "blkio.weight", NULL);
      if (!cgroup_write (blkio, g_file_test (probe, G_FILE_TEST_EXISTS) ? "blkio.weight" : "blkio.bfq.weight", v,
                         error))
        return FALSE;
    }

  for (i = 0; i < r->n_hugepage_limits; i++)
    {
      const OciHugepageLimit *hl = &r->hugepage_limits[i];
      g_autofree char *file = g_strdup_printf ("hugetlb.%s.limit_in_bytes", hl->page_size);
      g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, hl->limit);
      if (!valid_page_size (hl->page_size))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "hugepageLimits: invalid pageSize \"%s\"",
                                hl->page_size);
      if (hugetlb == NULL)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                                "hugepageLimits: no cgroup v1 hugetlb hierarchy on this host");
      if (!cgroup_write (hugetlb, file, v, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
cgroup_apply_resources_v2 (const char *dir, const OciResources *r, GError **error)
{
  gsize i;

  if (r->has_memory_limit || r->has_memory_swap || r->has_memory_reservation)
    {
      g_autofree char *limit = NULL, *swap = NULL;

      if (r->has_memory_limit)
        limit = num_or_max (r->memory_limit, "max");
      if (r->has_memory_swap)
        {
          gint64 limit_now = r->has_memory_limit ? r->memory_limit : 0;
          gint64 s;
          if (!r->has_memory_limit)
            cgroup_read_i64 (dir, "memory.max", &limit_now);
          if (r->memory_swap > 0 && limit_now > 0 && limit_now != G_MAXINT64 && r->memory_swap < limit_now)
            return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                    "memory.swap (%" G_GINT64_FORMAT ") must be at least memory.limit (%"
                                    G_GINT64_FORMAT "): it is memory plus swap",
                                    r->memory_swap, limit_now);
          s = cgroup_swap_to_v2 (r->memory_swap, limit_now == G_MAXINT64 ? 0 : limit_now);
          if (s != -2)
            swap = num_or_max (s, "max");
        }
      if (limit != NULL && !cgroup_write (dir, "memory.max", limit, error))
        return FALSE;
      if (swap != NULL && !write_optional (dir, "memory.swap.max", swap, error))
        return FALSE;
      if (r->has_memory_reservation)
        {
          g_autofree char *v = num_or_max (r->memory_reservation, "max");
          if (!cgroup_write (dir, "memory.low", v, error))
            return FALSE;
        }
    }
  if (r->disable_oom_killer)
    log_debug ("cgroup: memory.disableOOMKiller has no cgroup v2 equivalent: ignored");

  if (r->has_cpu_shares && r->cpu_shares > 0)
    {
      g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, cgroup_shares_to_weight (r->cpu_shares));
      if (!cgroup_write (dir, "cpu.weight", v, error))
        return FALSE;
    }
  if ((r->has_cpu_quota && r->cpu_quota != 0) || (r->has_cpu_period && r->cpu_period > 0))
    {
      g_autofree char *now = cgroup_read (dir, "cpu.max", NULL);
      g_autofree char *quota = NULL;
      g_autofree char *v = NULL;
      guint64 period = 100000;

      if (now != NULL)
        {
          const char *sp = strchr (now, ' ');
          g_strstrip (now);
          if (sp != NULL)
            period = g_ascii_strtoull (sp + 1, NULL, 10);
          quota = sp != NULL ? g_strndup (now, sp - now) : g_strdup (now);
        }
      if (r->has_cpu_period && r->cpu_period > 0)
        period = r->cpu_period;
      if (r->has_cpu_quota && r->cpu_quota != 0)
        {
          g_free (quota);
          quota = num_or_max (r->cpu_quota, "max");
        }
      v = g_strdup_printf ("%s %" G_GUINT64_FORMAT, quota != NULL ? quota : "max", period);
      if (!cgroup_write (dir, "cpu.max", v, error))
        return FALSE;
    }
  if (r->has_cpu_realtime_runtime || r->has_cpu_realtime_period)
    log_debug ("cgroup: realtime CPU limits have no cgroup v2 equivalent: ignored");
  if (r->cpu_cpus != NULL && r->cpu_cpus[0] != '\0' && !cgroup_write (dir, "cpuset.cpus", r->cpu_cpus, error))
    return FALSE;
  if (r->cpu_mems != NULL && r->cpu_mems[0] != '\0' && !cgroup_write (dir, "cpuset.mems", r->cpu_mems, error))
    return FALSE;

  if (r->has_pids_limit)
    {
      g_autofree char *v = num_or_max (r->pids_limit > 0 ? r->pids_limit : -1, "max");
      if (!cgroup_write (dir, "pids.max", v, error))
        return FALSE;
    }

  if (r->has_blkio_weight && r->blkio_weight > 0)
    {
      /* blkio.weight 10..1000 onto io.weight 1..10000. */
      guint64 w = 1 + ((guint64) (MAX (r->blkio_weight, 10) - 10) * 9999) / 990;
      g_autofree char *v = g_strdup_printf ("default %" G_GUINT64_FORMAT, w);
      g_autofree char *bfq = g_strdup_printf ("%u", (unsigned) r->blkio_weight);
      if (cgroup_write_errno (dir, "io.bfq.weight", bfq) != 0 && !cgroup_write (dir, "io.weight", v, error))
        return FALSE;
    }

  for (i = 0; i < r->n_hugepage_limits; i++)
    {
      const OciHugepageLimit *hl = &r->hugepage_limits[i];
      g_autofree char *file = g_strdup_printf ("hugetlb.%s.max", hl->page_size);
      g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, hl->limit);
      if (!valid_page_size (hl->page_size))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "hugepageLimits: invalid pageSize \"%s\"",
                                hl->page_size);
      if (!cgroup_write (dir, file, v, error))
        return FALSE;
    }

  if (r->unified != NULL)
    {
      GHashTableIter iter;
      gpointer k, v;
      g_hash_table_iter_init (&iter, r->unified);
      while (g_hash_table_iter_next (&iter, &k, &v))
        {
          if (strchr (k, '/') != NULL || ((const char *) k)[0] == '.')
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.resources.unified: invalid key \"%s\"",
                                    (const char *) k);
          if (!cgroup_write (dir, k, v, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
cgroup_apply_resources_v2_split (const char *dir, const char *memory_dir, const OciResources *r, GError **error)
{
  OciResources mem = { 0 };
  OciResources rest = *r;
  g_autoptr (GHashTable) mem_keys = NULL;
  g_autoptr (GHashTable) rest_keys = NULL;

  mem.has_memory_limit = r->has_memory_limit;
  mem.memory_limit = r->memory_limit;
  mem.has_memory_reservation = r->has_memory_reservation;
  mem.memory_reservation = r->memory_reservation;
  mem.has_memory_swap = r->has_memory_swap;
  mem.memory_swap = r->memory_swap;
  mem.has_memory_swappiness = r->has_memory_swappiness;
  mem.memory_swappiness = r->memory_swappiness;
  mem.disable_oom_killer = r->disable_oom_killer;
  rest.has_memory_limit = rest.has_memory_reservation = rest.has_memory_swap = FALSE;
  rest.has_memory_swappiness = rest.disable_oom_killer = FALSE;
  /* linux.resources.unified: the memory.* files are the container leaf's too. */
  if (r->unified != NULL)
    {
      GHashTableIter iter;
      gpointer k, v;

      mem_keys = g_hash_table_new (g_str_hash, g_str_equal);
      rest_keys = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_iter_init (&iter, r->unified);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_hash_table_insert (g_str_has_prefix (k, "memory.") ? mem_keys : rest_keys, k, v);
      mem.unified = mem_keys;
      rest.unified = rest_keys;
    }
  return cgroup_apply_resources_v2 (dir, &rest, error) && cgroup_apply_resources_v2 (memory_dir, &mem, error);
}

gboolean
cgroup_apply_resources (const CgroupHandle *h, const OciResources *r, GError **error)
{
  gboolean ok;

  if (h->version == CGROUP_V1 && r->n_hugepage_limits > 0 && g_hash_table_lookup (h->v1, "hugetlb") == NULL
      && h->unified != NULL)
    {
      /* A hybrid host whose hugetlb controller is on cgroup2: the hugepage limits go there. */
      OciResources rest = *r;
      OciResources huge = { 0 };

      huge.hugepage_limits = r->hugepage_limits;
      huge.n_hugepage_limits = r->n_hugepage_limits;
      rest.hugepage_limits = NULL;
      rest.n_hugepage_limits = 0;
      ok = cgroup_apply_resources_v1 (h->v1, &rest, error) && cgroup_apply_resources_v2 (h->unified, &huge, error);
    }
  else if (h->version == CGROUP_V1)
    ok = cgroup_apply_resources_v1 (h->v1, r, error);
  else if (h->unified != NULL && h->sentry_memory != NULL && h->freeze_dir != NULL)
    ok = cgroup_apply_resources_v2_split (h->unified, h->freeze_dir, r, error);
  else if (h->unified != NULL)
    ok = cgroup_apply_resources_v2 (h->unified, r, error);
  else
    ok = runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cgroup %s: no directory to apply limits to", h->path);
  if (!ok)
    runsc_error_prefix (error, "apply linux.resources to cgroup %s", h->path);
  return ok;
}
