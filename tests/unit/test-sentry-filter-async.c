/* The sandbox filter comes from the programs compiled at build time (filter-prebuilt.h, linked here as in runsc)
 * or, under --strace, is built on a thread of its own (sentry_kernel_new): what sentry_kernel_filter gives must
 * be byte for byte the program a libseccomp build on the calling thread makes from the same options, for every
 * option that changes it (--net-raw, a pid namespace, --strace), and the wait must be idempotent. */
#include "config.h"

#include <linux/filter.h>
#include <string.h>

#include "common/error.h"
#include "oci/spec.h"
#include "sentry/filter-prebuilt.h"
#include "sentry/kernel-private.h"
#include "sentry/sentry.h"

static OciSpec *
spec_with (gboolean pidns)
{
  g_autoptr (GError) error = NULL;
  OciSpec *spec = oci_spec_parse (
      pidns ? "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
              "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}"
            : "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
              "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
      -1, &error);
  g_assert_no_error (error);
  return spec;
}

static void
check_identical (gboolean net_raw, gboolean pidns, gboolean strace)
{
  char *list[] = { "getpid", "openat", NULL };
  SentryOptions opts = { .net_raw = net_raw, .strace = strace, .strace_syscalls = strace ? list : NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = spec_with (pidns);
  SentryKernel *k = sentry_kernel_new (&opts, spec, &error);
  SentryKernel *ref;
  const struct sock_fprog *prog;
  struct sock_fprog threaded;

  g_assert_no_error (error);
  g_assert_true (sentry_kernel_filter_wait (k, &error));
  g_assert_no_error (error);
  g_assert_true (sentry_kernel_filter_wait (k, &error)); /* joined once, then answered from the result */
  prog = sentry_kernel_filter (k);
  g_assert_true (prog == &k->filter);
  g_assert_cmpuint (prog->len, >, 0);

  /* The reference: the same options, the program rebuilt on this thread. */
  ref = sentry_kernel_new (&opts, spec, &error);
  g_assert_no_error (error);
  g_assert_true (sentry_kernel_filter_wait (ref, NULL));
  threaded = ref->filter;
  memset (&ref->filter, 0, sizeof ref->filter);
  g_assert_true (sentry_filter_build (ref, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ref->filter.len, ==, prog->len);
  g_assert_cmpmem (ref->filter.filter, ref->filter.len * sizeof (struct sock_filter), prog->filter,
                   prog->len * sizeof (struct sock_filter));
  g_assert_cmpmem (threaded.filter, threaded.len * sizeof (struct sock_filter), prog->filter,
                   prog->len * sizeof (struct sock_filter));
  g_free (threaded.filter);
  sentry_kernel_free (ref);
  sentry_kernel_free (k);
}

static void
test_prebuilt_linked (void)
{
  for (int bits = 0; bits < 8; bits++)
    {
      SentryRuleContext rc = { bits & 1, (bits & 2) != 0, (bits & 4) != 0 };
      const SentryPrebuiltFilter *pre = sentry_filter_prebuilt (&rc);
      g_assert_nonnull (pre);
      g_assert_cmpint (!pre->net_raw, ==, !rc.net_raw);
      g_assert_cmpint (!pre->own_pidns, ==, !rc.own_pidns);
      g_assert_cmpint (!pre->own_userns, ==, !rc.own_userns);
    }
}

static void
test_identical (void)
{
  for (int bits = 0; bits < 8; bits++)
    check_identical (bits & 1, (bits & 2) != 0, (bits & 4) != 0);
}

/* The options change the program (else the comparison above proves little). */
static void
test_options_matter (void)
{
  SentryOptions plain = { 0 }, raw = { .net_raw = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (OciSpec) spec = spec_with (TRUE);
  SentryKernel *a = sentry_kernel_new (&plain, spec, &error);
  SentryKernel *b = sentry_kernel_new (&raw, spec, &error);
  const struct sock_fprog *pa, *pb;

  g_assert_no_error (error);
  pa = sentry_kernel_filter (a);
  pb = sentry_kernel_filter (b);
  g_assert_true (pa->len != pb->len
                 || memcmp (pa->filter, pb->filter, pa->len * sizeof (struct sock_filter)) != 0);
  sentry_kernel_free (a);
  sentry_kernel_free (b);
}

/* A kernel freed without anyone asking for its filter waits for the build thread. */
static void
test_free_before_wait (void)
{
  SentryOptions opts = { 0 };
  g_autoptr (GError) error = NULL;
  for (int i = 0; i < 20; i++)
    {
      SentryKernel *k = sentry_kernel_new (&opts, NULL, &error);
      g_assert_no_error (error);
      sentry_kernel_free (k);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sentry/filter-async/prebuilt-linked", test_prebuilt_linked);
  g_test_add_func ("/sentry/filter-async/identical", test_identical);
  g_test_add_func ("/sentry/filter-async/options-matter", test_options_matter);
  g_test_add_func ("/sentry/filter-async/free-before-wait", test_free_before_wait);
  return g_test_run ();
}
