/* The sandbox filter compiled at build time.
 *
 * The sandbox's seccomp program depends only on the syscall table and three choices (--net-raw, whether the
 * sandbox has a pid namespace of its own, and whether its user namespace is not the host's), unless --strace names calls to trace. src/sentry/filter-gen runs
 * libseccomp once per combination at build time and writes the programs into sandbox-filters.c, which runsc
 * links; a create then copies the program instead of running libseccomp (2-3 ms of CPU). A program that does not
 * link sandbox-filters.c (the generator itself, some tests) builds with libseccomp as before; test-sentry-filter-
 * async checks that both give the same program. */
#pragma once

#include <glib.h>
#include <linux/filter.h>

#include "sentry/syscall-table.h"

typedef struct
{
  gboolean net_raw;
  gboolean own_pidns;
  gboolean own_userns;
  const struct sock_filter *insns;
  unsigned short len;
} SentryPrebuiltFilter;

/* In sandbox-filters.c when it is linked (weak: NULL otherwise). */
extern const SentryPrebuiltFilter sentry_prebuilt_filters[] __attribute__ ((weak));
extern const gsize sentry_prebuilt_filters_len __attribute__ ((weak));

/* The program for these choices, or NULL when none was linked. */
const SentryPrebuiltFilter *sentry_filter_prebuilt (const SentryRuleContext *rc);
