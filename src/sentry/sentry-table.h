/* The Sentry's own syscall table: the second table (DESIGN.md §8 layer 3).
 *
 * The first table (syscall-table.h) decides what the application's calls do. This one decides what the Sentry
 * itself may call once it is confined (confine.h): one row per allowed call, with argument checks where an
 * argument selects a kernel subsystem (ioctl requests, clone flags, mmap/mprotect protections, prctl options),
 * and a reason. Everything else fails with EPERM, except the rows listed as refused with another errno (clone3
 * gets ENOSYS, so that glibc falls back to clone(2), whose flags the filter can check).
 *
 * The seccomp program (confine.c) and `runsc help syscalls --sentry` (the formats of `runsc help syscalls`)
 * are generated from it; tests/unit/test-sentry-confine checks it.
 *
 * The program is the same for every sandbox (--userns=host changes the capabilities the Sentry keeps, not its
 * syscalls), so src/sentry/filter-gen compiles it with libseccomp at build time into sandbox-filters.c, beside
 * the sandbox filters (filter-prebuilt.h): a create copies it instead of running libseccomp. A program that does
 * not link sandbox-filters.c builds it as before; test-sentry-confine checks that the two are the same. */
#pragma once

#include <glib.h>
#include <linux/filter.h>
#include <stdio.h>

#include "sentry/syscall-table.h"

typedef struct
{
  int nr;
  const char *name;
  int err;                     /* 0: allowed (when a rule matches, if it has rules); else refused with this errno */
  const SentryArgRule *rules;  /* NULL: any arguments */
  guint n_rules;
  const char *reason;          /* why the confined Sentry needs it */
} SentrySelfSyscall;

extern const SentrySelfSyscall sentry_self_table[];
extern const gsize sentry_self_table_len;

/* The rows the allowlist has in ./configure --enable-sanitizers builds only (sentry-table.c): the sanitizer
 * runtime's own calls. Not counted against the Sentry's budget of 60. */
#ifdef __SANITIZE_ADDRESS__
#define SENTRY_SELF_SANITIZER_ROWS 6
#else
#define SENTRY_SELF_SANITIZER_ROWS 0
#endif

/* The number of allowed rows (the figure the project reports; the aim is at most 60). */
guint sentry_self_allowed_count (void);

/* Check the table: numbers in range and unique, names as libseccomp knows them, at most 3 comparisons on
 * arguments 0-5 per rule. FALSE with an error naming the row. */
gboolean sentry_self_table_check (GError **error);

/* Build the Sentry's seccomp program from the table (libseccomp). Default action: EPERM; another ABI: kill.
 * The caller frees prog->filter with g_free. */
gboolean sentry_self_filter_build (struct sock_fprog *prog, GError **error);

/* In sandbox-filters.c when it is linked (weak: NULL otherwise). */
extern const struct sock_filter sentry_self_prebuilt_insns[] __attribute__ ((weak));
extern const gsize sentry_self_prebuilt_len __attribute__ ((weak));

/* The program to install: a copy of the one compiled at build time when it is linked, else
 * sentry_self_filter_build's. The caller frees prog->filter with g_free. */
gboolean sentry_self_filter (struct sock_fprog *prog, GError **error);

/* Print the table as "table", "json" or "csv" (`runsc help syscalls --sentry`). */
gboolean sentry_self_print (const char *format, FILE *out, GError **error);
