/* The SentryKernel structure, shared by the files of the syscall layer (kernel.c, klog.c, serve.c, refuse.c,
 * uts.c, syslog.c). Other parts use sentry.h and kernel.h. */
#pragma once

#include <linux/filter.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "sentry/kernel.h"
#include "sentry/syscall-table.h"

#define SENTRY_MAX_NR 512
#define SENTRY_KLOG_RECORDS 256
/* What syslog(SYSLOG_ACTION_SIZE_BUFFER) answers: more than SENTRY_KLOG_RECORDS lines can take. */
#define SENTRY_KLOG_BUFFER_SIZE 65536
#define SENTRY_DEDUP_SLOTS 1024

typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t changed;
  SentryLogRecord records[SENTRY_KLOG_RECORDS]; /* ring, indexed by seq % SENTRY_KLOG_RECORDS */
  uint64_t first_seq; /* oldest record still held */
  uint64_t next_seq;  /* seq of the next record appended */
  uint64_t read_seq;  /* SYSLOG_ACTION_READ's cursor */
  uint64_t last_usec;
  uint64_t kmsg_end;  /* length of the /dev/kmsg stream */
  int wake_fd;        /* eventfd written after each append, or -1 */
} SentryKlog;

typedef struct SentryListener SentryListener;

struct SentryKernel
{
  char release[65];
  char version[65];
  pthread_mutex_t uts_lock;
  char hostname[65];
  char domainname[65];
  struct timespec boot; /* CLOCK_BOOTTIME at sentry_kernel_new */
  uint64_t memory_limit;

  SentryRuleContext rule_ctx;
  gboolean strace;
  uint64_t traced[SENTRY_MAX_NR / 64]; /* bit per syscall number: notified and logged under --strace */
  gboolean trace_unknown;              /* --strace without a list: numbers beyond the table too */

  struct sock_fprog filter;
  /* The filter is built on a thread of its own while the Sentry enters its namespaces (sentry_kernel_new);
   * sentry_kernel_filter_wait joins it. Under filter_lock: */
  pthread_mutex_t filter_lock;
  pthread_t filter_thread;
  gboolean filter_pending; /* the thread runs or has not been joined */
  pid_t filter_owner;      /* the process that made the thread (a forked child cannot join it) */
  gboolean filter_failed;  /* the build failed: filter_error says why */
  GError *filter_error;

  SentryKlog klog;

  /* refusals: counts per number (index SENTRY_MAX_NR counts the numbers beyond), logged-once bits, and a set of
   * (number, command) keys for the multiplexers ioctl, prctl and fcntl. */
  uint64_t refused_count[SENTRY_MAX_NR + 1];
  uint64_t refused_logged[SENTRY_MAX_NR / 64];
  uint64_t dedup[SENTRY_DEDUP_SLOTS];

  /* counters.c: notifications received and emulated calls, per number (index SENTRY_MAX_NR: beyond). */
  uint64_t notified_count[SENTRY_MAX_NR + 1];
  uint64_t emulated_count[SENTRY_MAX_NR + 1];

  pthread_mutex_t listeners_lock;
  SentryListener *listeners;
};

/* klog.c */
void sentry_klog_init (SentryKernel *k);
void sentry_klog_destroy (SentryKernel *k);
void sentry_klog_append (SentryKernel *k, int level, const char *text);
/* Format one record as a syslog(2) line, "<6>[%11.6f] text\n" (seconds as %4llu.%06llu, which is the same
 * text without floating point), into buf (size >= 256); returns its length. */
size_t sentry_klog_format_line (const SentryLogRecord *r, char *buf, size_t size);

/* refuse.c: answer for a refused call (count, log once, errno). Returns -errno. */
long sentry_refuse (SentryCall *call, const SentrySyscall *row);
/* --strace: log a call and its result (result < 0 is -errno; SENTRY_ANSWERED or "native" when continued). */
void sentry_strace (SentryCall *call, const SentrySyscall *row, long result, gboolean continued);
static inline gboolean
sentry_is_traced (const SentryKernel *k, int nr)
{
  if (nr < 0 || nr >= SENTRY_MAX_NR)
    return k->trace_unknown;
  return (k->traced[nr / 64] >> (nr % 64)) & 1;
}

/* counters.c: count a notification of call nr (row: its table row, or NULL). */
void sentry_count_call (SentryKernel *k, int nr, const SentrySyscall *row);

/* filter.c: build k->filter from the table. */
gboolean sentry_filter_build (SentryKernel *k, GError **error);

/* serve.c */
gboolean sentry_serve_start (SentryKernel *k, int notify_fd, pid_t init_pid, const char *container_id,
                             GError **error);
void sentry_serve_stop_all (SentryKernel *k);
