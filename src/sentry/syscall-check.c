/* The syscall table's consistency checks: fail closed at build time (`syscall-doc check`, run by `make`) and
 * again before the sandbox filter is built from the table (filter.c). */
#include "config.h"

#include <seccomp.h>
#include <string.h>

#include "common/error.h"
#include "sentry/kernel-private.h"

static gboolean
check_rules (const SentrySyscall *row, GError **error)
{
  if (row->rules == NULL && row->n_rules == 0)
    return TRUE;
  if (row->disposition != SENTRY_NATIVE)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): argument rules on a %s row",
                            row->name, row->nr, sentry_disposition_name (row->disposition));
  if (row->rules == NULL || row->n_rules == 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): %u rules at %p", row->name,
                            row->nr, row->n_rules, (const void *) row->rules);
  for (guint i = 0; i < row->n_rules; i++)
    {
      const SentryArgRule *rule = &row->rules[i];
      if (rule->n_cmp > G_N_ELEMENTS (rule->cmp))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): rule %u has %u comparisons (at most %u)",
                                row->name, row->nr, i, rule->n_cmp, (guint) G_N_ELEMENTS (rule->cmp));
      for (guint c = 0; c < rule->n_cmp; c++)
        {
          if (rule->cmp[c].arg > 5)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): rule %u compares argument %u",
                                    row->name, row->nr, i, rule->cmp[c].arg);
          if (rule->cmp[c].op != SENTRY_CMP_EQ && rule->cmp[c].op != SENTRY_CMP_MASKED_EQ)
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): rule %u has operator %u",
                                    row->name, row->nr, i, rule->cmp[c].op);
        }
    }
  return TRUE;
}

static gboolean
check_row (const SentrySyscall *row, gboolean names, GError **error)
{
  if (row->name == NULL || *row->name == '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: row %d has no name", row->nr);
  if (row->nr < 0 || row->nr >= SENTRY_MAX_NR)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s: number %d is outside 0-%d", row->name,
                            row->nr, SENTRY_MAX_NR - 1);
  if (sentry_syscall_lookup (row->nr) != row)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s: number %d has more than one row",
                            row->name, row->nr);
  switch (row->disposition)
    {
    case SENTRY_NATIVE:
      if (row->handler != NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): a native row with a handler",
                                row->name, row->nr);
      if (row->note == NULL || *row->note == '\0')
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "syscall table: %s (%d): a native row without its reason (the note)", row->name, row->nr);
      if (row->rules != NULL && row->err == 0 && row->refuse_errno == NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "syscall table: %s (%d): argument rules without the errno of a refused call",
                                row->name, row->nr);
      break;
    case SENTRY_EMULATED:
      if (row->handler == NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "syscall table: %s (%d): an emulated row without a handler (it would be refused)",
                                row->name, row->nr);
      break;
    case SENTRY_REFUSED:
      if (row->err <= 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): a refused row without an errno",
                                row->name, row->nr);
      if (row->handler != NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): a refused row with a handler",
                                row->name, row->nr);
      break;
    default:
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): unknown disposition %d", row->name,
                              row->nr, (int) row->disposition);
    }
  if (!check_rules (row, error))
    return FALSE;
  if (names)
    {
      int known;
      /* Names are for --strace-syscalls, the logs and the documents (the filter goes by number): checked at
       * build time only, the linear lookup makes this the slow part. */
      if (sentry_syscall_by_name (row->name) != row)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s (%d): the name has more than one row",
                                row->name, row->nr);
      known = seccomp_syscall_resolve_name_arch (SCMP_ARCH_X86_64, row->name);
      if (known != __NR_SCMP_ERROR && known != row->nr)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: %s has number %d, libseccomp says %d",
                                row->name, row->nr, known);
    }
  return TRUE;
}

gboolean
sentry_syscall_table_check (gboolean names, GError **error)
{
  if (sentry_syscall_table_len == 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "syscall table: empty");
  for (gsize i = 0; i < sentry_syscall_table_len; i++)
    if (!check_row (&sentry_syscall_table[i], names, error))
      return FALSE;
  return TRUE;
}
