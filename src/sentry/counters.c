/* The Sentry's per-syscall counters: every notification it receives, the emulated ones among them (the refused
 * ones are counted by refuse.c), and their report for the control socket's "metrics" request (runsc
 * metric-server). Counting is two relaxed atomic additions on the syscall path; reading is not. */
#include "config.h"

#include "sentry/kernel-private.h"

void
sentry_count_call (SentryKernel *k, int nr, const SentrySyscall *row)
{
  int i = nr >= 0 && nr < SENTRY_MAX_NR ? nr : SENTRY_MAX_NR;

  __atomic_fetch_add (&k->notified_count[i], 1, __ATOMIC_RELAXED);
  if (row != NULL && sentry_syscall_disposition (row) == SENTRY_EMULATED)
    __atomic_fetch_add (&k->emulated_count[i], 1, __ATOMIC_RELAXED);
}

JsonArray *
sentry_kernel_syscall_counts (SentryKernel *k)
{
  JsonArray *a = json_array_new ();

  for (int nr = 0; nr <= SENTRY_MAX_NR; nr++)
    {
      uint64_t notified = __atomic_load_n (&k->notified_count[nr], __ATOMIC_RELAXED);
      uint64_t emulated = __atomic_load_n (&k->emulated_count[nr], __ATOMIC_RELAXED);
      uint64_t refused = sentry_kernel_refused_count (k, nr);
      const char *name = nr < SENTRY_MAX_NR ? sentry_syscall_name (nr) : NULL;
      g_autofree char *unnamed = NULL;
      JsonObject *o;

      if (notified == 0 && emulated == 0 && refused == 0)
        continue;
      o = json_object_new ();
      /* Numbers the table does not name: "unknown_460"; every number beyond it: "unknown". */
      if (name == NULL)
        name = unnamed = nr < SENTRY_MAX_NR ? g_strdup_printf ("unknown_%d", nr) : g_strdup ("unknown");
      json_object_set_string_member (o, "name", name);
      json_object_set_int_member (o, "nr", nr < SENTRY_MAX_NR ? nr : -1);
      json_object_set_int_member (o, "notified", (gint64) MIN (notified, (uint64_t) G_MAXINT64));
      json_object_set_int_member (o, "emulated", (gint64) MIN (emulated, (uint64_t) G_MAXINT64));
      json_object_set_int_member (o, "refused", (gint64) MIN (refused, (uint64_t) G_MAXINT64));
      json_array_add_object_element (a, o);
    }
  return a;
}
