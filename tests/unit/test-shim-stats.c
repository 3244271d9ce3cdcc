/* Unit tests for Stats: runc's `events --stats` JSON into io.containerd.cgroups.v1.Metrics. */
#include "config.h"

#include <glib.h>

#include "metrics.pb-c.h"
#include "shim/stats.h"

/* The shape runc 1.1 prints (trimmed). */
static const char *runc_json
    = "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
      "\"cpu\":{\"usage\":{\"total\":8143180,\"percpu\":[7086908,1056272],\"kernel\":5000000,\"user\":3000000},"
      "\"throttling\":{\"periods\":3,\"throttled_periods\":1,\"throttled_time\":42}},"
      "\"memory\":{\"usage\":{\"limit\":33554432,\"usage\":585728,\"max\":1048576,\"failcnt\":2},"
      "\"swap\":{\"limit\":0,\"usage\":0},\"kernel\":{},\"kernelTCP\":{},"
      "\"raw\":{\"cache\":4096,\"rss\":8192,\"total_rss\":16384,\"total_inactive_file\":512,\"pgfault\":7,"
      "\"total_pgmajfault\":1}},"
      "\"pids\":{\"current\":3,\"limit\":100},"
      "\"blkio\":{}}}";

static void
test_runc_shape (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) packed = shim_stats_from_json (runc_json, &error);
  Io__Containerd__Cgroups__V1__Metrics *m;

  g_assert_no_error (error);
  m = io__containerd__cgroups__v1__metrics__unpack (NULL, packed->len, packed->data);
  g_assert_nonnull (m);
  g_assert_nonnull (m->cpu);
  g_assert_cmpuint (m->cpu->usage->total, ==, 8143180);
  g_assert_cmpuint (m->cpu->usage->kernel, ==, 5000000);
  g_assert_cmpuint (m->cpu->usage->user, ==, 3000000);
  g_assert_cmpuint (m->cpu->usage->n_per_cpu, ==, 2);
  g_assert_cmpuint (m->cpu->usage->per_cpu[1], ==, 1056272);
  g_assert_cmpuint (m->cpu->throttling->throttled_time, ==, 42);
  g_assert_cmpuint (m->memory->usage->limit, ==, 33554432);
  g_assert_cmpuint (m->memory->usage->usage, ==, 585728);
  g_assert_cmpuint (m->memory->usage->max, ==, 1048576);
  g_assert_cmpuint (m->memory->usage->failcnt, ==, 2);
  g_assert_cmpuint (m->memory->cache, ==, 4096);
  g_assert_cmpuint (m->memory->total_rss, ==, 16384);
  g_assert_cmpuint (m->memory->total_inactive_file, ==, 512);
  g_assert_cmpuint (m->memory->pg_fault, ==, 7);
  g_assert_cmpuint (m->memory->total_pg_maj_fault, ==, 1);
  g_assert_cmpuint (m->pids->current, ==, 3);
  g_assert_cmpuint (m->pids->limit, ==, 100);
  io__containerd__cgroups__v1__metrics__free_unpacked (m, NULL);
}

static void
test_field_numbers (void)
{
  /* pids (field 2) {current (1) = 3}: 12 02 08 03, the bytes containerd's decoder expects. */
  g_autoptr (GByteArray) packed = shim_stats_from_json ("{\"data\":{\"pids\":{\"current\":3}}}", NULL);
  static const guint8 want[] = { 0x12, 0x02, 0x08, 0x03 };
  g_assert_cmpmem (packed->data, packed->len, want, sizeof want);
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (shim_stats_from_json ("not json", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (shim_stats_from_json ("[1,2]", &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shim/stats/runc-shape", test_runc_shape);
  g_test_add_func ("/shim/stats/field-numbers", test_field_numbers);
  g_test_add_func ("/shim/stats/errors", test_errors);
  return g_test_run ();
}
