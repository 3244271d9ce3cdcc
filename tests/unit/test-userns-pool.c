/* Unit tests for src/container/userns-pool.c: --userns-pool values, and allocation of disjoint ranges from a
 * pool directory of the test's own (RUNSC_USERNS_POOL_DIR): lowest free range first, a released range reused, a
 * record whose state directory is gone reclaimed, a full pool an error, a record of another pool's overlapping
 * range respected. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "container/userns-pool.h"

static void
test_parse (void)
{
  static const char *const bad[] = { "", "abc", "100:4", "65535:1", "1000000:0", "4294901760:2", "12:34:56",
                                     ":4", "65536:", "-65536:1", "65536:-1", " 65536:1", "65536:1x" };
  UsernsPool pool;

  g_assert_true (userns_pool_parse (USERNS_POOL_DEFAULT, "--userns-pool", &pool, NULL));
  g_assert_cmpuint (pool.base, ==, USERNS_POOL_DEFAULT_BASE);
  g_assert_cmpuint (pool.count, ==, USERNS_POOL_DEFAULT_COUNT);
  /* The default ends below systemd's reserved range at 0x7FFE0000. */
  g_assert_cmpuint ((guint64) pool.base + (guint64) pool.count * USERNS_RANGE_SIZE, <=, 0x7FFE0000u);
  g_assert_true (userns_pool_parse ("65536:1", "x", &pool, NULL));
  g_assert_true (userns_pool_parse ("4294836224:1", "x", &pool, NULL)); /* ends at 2^32 - 1, the invalid id */
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (userns_pool_parse (bad[i], "--userns-pool", &pool, &error));
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "--userns-pool"));
    }
}

static void
test_allocate (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-userns-pool-XXXXXX", &error);
  g_autofree char *pool_dir = g_build_filename (dir, "pool", NULL);
  g_autofree char *a = g_build_filename (dir, "a", NULL);
  g_autofree char *b = g_build_filename (dir, "b", NULL);
  g_autofree char *c = g_build_filename (dir, "c", NULL);
  g_autofree char *gone = g_build_filename (dir, "gone", NULL);
  g_autofree char *stale = NULL, *foreign = NULL;
  UsernsPool pool = { 1000000000u, 3 };
  uint32_t ra, rb, rc, rx;

  g_assert_no_error (error);
  g_setenv ("RUNSC_USERNS_POOL_DIR", pool_dir, TRUE);
  g_assert_cmpstr (userns_pool_dir (), ==, pool_dir);
  g_assert_cmpint (g_mkdir (a, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (b, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (c, 0700), ==, 0);

  g_assert_true (userns_pool_allocate (a, &pool, &ra, &error));
  g_assert_true (userns_pool_allocate (b, &pool, &rb, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ra, ==, 1000000000u);
  g_assert_cmpuint (rb, ==, 1000000000u + USERNS_RANGE_SIZE);
  /* A record of a range overlapping the pool's third (another pool's, half a range off) keeps it. */
  foreign = g_strdup_printf ("%s/%u", pool_dir, 1000000000u + 2 * USERNS_RANGE_SIZE - 100);
  g_assert_true (g_file_set_contents (foreign, a, -1, NULL));
  g_assert_false (userns_pool_allocate (c, &pool, &rc, &error));
  g_assert_nonnull (strstr (error->message, "no free user namespace range"));
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (foreign), ==, 0);
  /* A record whose state directory is gone is reclaimed. */
  stale = g_strdup_printf ("%s/%u", pool_dir, 1000000000u + 2 * USERNS_RANGE_SIZE);
  g_assert_true (g_file_set_contents (stale, gone, -1, NULL));
  g_assert_true (userns_pool_allocate (c, &pool, &rc, &error));
  g_assert_cmpuint (rc, ==, 1000000000u + 2 * USERNS_RANGE_SIZE);
  /* Full; then a release frees a's range for the next. */
  g_assert_false (userns_pool_allocate (gone, &pool, &rx, &error));
  g_clear_error (&error);
  g_assert_true (userns_pool_release (a, &error));
  g_assert_true (userns_pool_allocate (gone, &pool, &rx, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rx, ==, ra);
  g_assert_true (userns_pool_release (b, &error));
  g_assert_true (userns_pool_release (c, &error));
  g_assert_true (userns_pool_release (gone, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GDir) d = g_dir_open (pool_dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_cmpstr (name, ==, "lock");
  }
  g_unsetenv ("RUNSC_USERNS_POOL_DIR");
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/userns-pool/parse", test_parse);
  g_test_add_func ("/userns-pool/allocate", test_allocate);
  return g_test_run ();
}
