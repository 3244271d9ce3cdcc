/* The sandbox's seccomp program, generated from the syscall table with libseccomp.
 *
 * Default action USER_NOTIF: emulated and refused rows, native rows whose argument rules do not match, traced
 * rows and numbers the table does not know all go to the Sentry. Native rows are ALLOWed (with their rules as
 * argument comparisons). Calls through another ABI (i386 int 0x80, x32) fail with ENOSYS. */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "sentry/filter-prebuilt.h"
#include "sentry/kernel-private.h"

static int
add_row (scmp_filter_ctx ctx, const SentrySyscall *row, const SentryRuleContext *rc)
{
  if (row->rules == NULL)
    return seccomp_rule_add (ctx, SCMP_ACT_ALLOW, row->nr, 0);
  for (guint i = 0; i < row->n_rules; i++)
    {
      const SentryArgRule *rule = &row->rules[i];
      struct scmp_arg_cmp cmp[G_N_ELEMENTS (rule->cmp)];
      int r;

      if (!sentry_rule_usable (rule, rc))
        continue;
      for (guint c = 0; c < rule->n_cmp; c++)
        {
          const SentryArgCmp *a = &rule->cmp[c];
          if (a->op == SENTRY_CMP_MASKED_EQ)
            cmp[c] = (struct scmp_arg_cmp) { a->arg, SCMP_CMP_MASKED_EQ, a->mask, a->value };
          else
            cmp[c] = (struct scmp_arg_cmp) { a->arg, SCMP_CMP_EQ, a->value, 0 };
        }
      r = seccomp_rule_add_array (ctx, SCMP_ACT_ALLOW, row->nr, rule->n_cmp, cmp);
      if (r < 0)
        return r;
    }
  return 0;
}

gboolean
sentry_filter_build (SentryKernel *k, GError **error)
{
  scmp_filter_ctx ctx;
  autofd int mfd = -1;
  off_t size;
  int r;

  /* The build checked the table already (syscall-doc check); a filter is never built from a table that fails
   * the check, so that no row can turn native by accident (the sandbox then gets the killing program). */
  if (!sentry_syscall_table_check (FALSE, error))
    return runsc_error_prefix (error, "seccomp filter");

  ctx = seccomp_init (SCMP_ACT_NOTIFY);
  if (ctx == NULL)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "seccomp filter: libseccomp cannot make a USER_NOTIF filter");

  r = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO (ENOSYS));
  if (r == 0)
    r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* binary search on the syscall number */
  if (r < 0)
    goto fail;

  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    {
      const SentrySyscall *row = &sentry_syscall_table[i];
      if (sentry_syscall_disposition (row) != SENTRY_NATIVE)
        continue;
      if (k->strace && sentry_is_traced (k, row->nr))
        continue; /* notified, logged, then continued (serve.c) */
      r = add_row (ctx, row, &k->rule_ctx);
      if (r < 0)
        {
          seccomp_release (ctx);
          return runsc_error_errno (error, -r, "seccomp filter: add rule for %s", row->name);
        }
    }

  mfd = memfd_create ("sentry-filter", MFD_CLOEXEC);
  if (mfd < 0)
    {
      seccomp_release (ctx);
      return runsc_error_errno (error, errno, "seccomp filter: memfd_create");
    }
  r = seccomp_export_bpf (ctx, mfd);
  if (r < 0)
    goto fail;
  seccomp_release (ctx);

  size = lseek (mfd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0 || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "seccomp filter: bad program size %lld", (long long) size);
  /* k->filter is set only once the whole program is read: a partial program is never installed. */
  {
    g_autofree struct sock_filter *insns = g_malloc (size);
    if (pread (mfd, insns, size, 0) != size)
      return runsc_error_errno (error, errno, "seccomp filter: read program");
    k->filter.len = size / sizeof (struct sock_filter);
    k->filter.filter = g_steal_pointer (&insns);
  }
  return TRUE;

fail:
  seccomp_release (ctx);
  return runsc_error_errno (error, -r, "seccomp filter: build");
}

const SentryPrebuiltFilter *
sentry_filter_prebuilt (const SentryRuleContext *rc)
{
  if (&sentry_prebuilt_filters_len == NULL || sentry_prebuilt_filters == NULL)
    return NULL;
  for (gsize i = 0; i < sentry_prebuilt_filters_len; i++)
    if (!sentry_prebuilt_filters[i].net_raw == !rc->net_raw && !sentry_prebuilt_filters[i].own_pidns == !rc->own_pidns
        && !sentry_prebuilt_filters[i].own_userns == !rc->own_userns)
      return &sentry_prebuilt_filters[i];
  return NULL;
}
