/* The syscall table: one row per x86-64 system call, the only place that decides what happens to a call.
 *
 * The seccomp program (filter.c), the notification dispatcher (serve.c), `runsc help syscalls` and
 * docs/syscalls.md are all generated from it. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "sentry/notify.h"

typedef enum
{
  SENTRY_NATIVE,   /* ALLOW in the filter (when its argument rules match) */
  SENTRY_EMULATED, /* USER_NOTIF, answered by the row's handler */
  SENTRY_REFUSED,  /* USER_NOTIF, answered with the row's errno by the refusal handler */
} SentryDisposition;

typedef enum
{
  SENTRY_CMP_EQ,        /* args[arg] == value */
  SENTRY_CMP_MASKED_EQ, /* (args[arg] & mask) == value */
} SentryCmpOp;

typedef struct
{
  guint8 arg;
  guint8 op; /* SentryCmpOp */
  guint64 mask;
  guint64 value;
} SentryArgCmp;

/* What a rule needs besides its comparisons. */
enum
{
  SENTRY_NEEDS_NET_RAW = 1 << 0, /* --net-raw */
  SENTRY_NEEDS_PIDNS = 1 << 1,   /* the sandbox has a pid namespace of its own */
  SENTRY_NEEDS_USERNS = 1 << 2,  /* the container's user namespace is not the host's (sentry/userns-own.h) */
};

/* What a refusal check sees of a call: its arguments, and the caller's memory through read (which returns 0,
 * or -EFAULT when any of the len bytes at addr is unreadable, or another -errno) and its descriptors. */
typedef struct
{
  const uint64_t *args;
  int (*read) (void *ctx, uint64_t addr, void *buf, size_t len);
  void *ctx;
  int pid; /* the caller's host thread id: its descriptors are /proc/PID/fd/N (0: none to look at) */
} SentryCallView;

/* One allowed shape of a native call: all comparisons hold (and the needs are met). */
typedef struct
{
  const char *desc; /* "AF_UNIX", "TIOCGWINSZ", ... for the documentation */
  guint8 needs;
  guint8 n_cmp;
  SentryArgCmp cmp[3];
} SentryArgRule;

typedef struct
{
  int nr;
  const char *name;
  SentryDisposition disposition;
  /* refused: the errno. native with rules: the errno when no rule matches (the call is then refused). */
  int err;
  /* emulated: the handler. Never NULL: the build fails on such a row (sentry_syscall_table_check). */
  SentryHandler handler;
  const char *handler_name;
  /* native: NULL for an unconditional ALLOW, else the call runs natively only when one rule matches. */
  const SentryArgRule *rules;
  guint n_rules;
  /* native with rules: picks the errno of a refused call from its arguments (NULL: err). */
  int (*refuse_errno) (const uint64_t *args);
  const char *note;
  /* refused: checks the arguments (and the memory they point to) in the order Linux does before its privilege
   * check, and returns the errno Linux gives for them, or 0 when they pass (the call then gets err). */
  int (*refuse_check) (const SentryCallView *call);
} SentrySyscall;

/* Filter-time choices that decide which rules apply. */
typedef struct
{
  gboolean net_raw;
  gboolean own_pidns;
  gboolean own_userns; /* the container's user namespace is not the host's: privileged calls stay in it */
} SentryRuleContext;

extern const SentrySyscall sentry_syscall_table[];
extern const gsize sentry_syscall_table_len;

/* The row of nr, or NULL when the table does not know the number. Safe on the syscall path. */
const SentrySyscall *sentry_syscall_lookup (int nr);

/* The row of a name, or NULL. */
const SentrySyscall *sentry_syscall_by_name (const char *name);

/* The disposition in effect (an emulated row without a handler, which the build refuses, would be refused). */
SentryDisposition sentry_syscall_disposition (const SentrySyscall *row);

/* TRUE if a rule of this native row is usable in ctx (its needs are met). */
gboolean sentry_rule_usable (const SentryArgRule *rule, const SentryRuleContext *ctx);

/* TRUE if the call with these arguments runs natively: an unconditional native row, or a usable rule matches.
 * The same comparisons the filter makes, evaluated in C (for --strace and the refusal path). */
gboolean sentry_syscall_allowed (const SentrySyscall *row, const uint64_t *args, const SentryRuleContext *ctx);

/* The errno a refused call of this row gets, from its arguments alone (a row's refusal check is not run). */
int sentry_syscall_refuse_errno (const SentrySyscall *row, const uint64_t *args);

/* The errno a refused call of this row gets, the row's refusal check reading the caller's memory through call. */
int sentry_syscall_refuse_errno_call (const SentrySyscall *row, const SentryCallView *call);

/* Check the table's consistency (fail closed: these are build failures, `syscall-doc check`, and the sandbox
 * filter is not built from a table that fails them): every emulated row has a handler; every number is in
 * 0..511 and appears once, and the lookup finds its row; argument rules have at most 3 comparisons on
 * arguments 0-5; a row with rules has some; refused rows have an errno. With names (the build's check), also
 * that names are unique and each is the number libseccomp knows it by (when libseccomp knows it). FALSE with an
 * error naming the row. */
gboolean sentry_syscall_table_check (gboolean names, GError **error);

/* "disposition" names: "native", "emulated", "refused". */
const char *sentry_disposition_name (SentryDisposition d);

/* Print the table as "table", "json", "csv" or "markdown" (docs/syscalls.md). Errors name the format. */
gboolean sentry_syscalls_print (const char *format, FILE *out, GError **error);

/* The same, into a string. */
char *sentry_syscalls_format (const char *format, GError **error);
