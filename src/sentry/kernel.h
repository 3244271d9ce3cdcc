/* The sandbox's virtual kernel: read-only views for the Sentry's handlers (/proc/version, /proc/uptime,
 * /proc/sys/kernel/..., /dev/kmsg, syslog(2)).
 *
 * Everything here may be called on the syscall path from any notification thread: no allocation, no GLib. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-glib/json-glib.h>

#include "sentry/sentry.h"

#define SENTRY_SYSNAME "Linux"
#define SENTRY_MACHINE "x86_64"
#define SENTRY_DEFAULT_RELEASE "4.4.0"
/* The fixed version string of the sandbox kernel (uname -v, /proc/sys/kernel/version). */
#define SENTRY_VERSION "#1 SMP Sun Jan 10 15:06:54 PST 2016"
/* The name in the first kernel log line, "Starting runsc Sentry...". */
#define SENTRY_KERNEL_NAME "runsc Sentry"

/* uname fields (NUL-terminated, at most 64 bytes). */
const char *sentry_kernel_release (const SentryKernel *k);
const char *sentry_kernel_version (const SentryKernel *k);

/* Copy the current hostname / domainname (sethostname inside the sandbox changes them) into buf (size >= 65).
 * Returns the length. */
size_t sentry_kernel_hostname (SentryKernel *k, char *buf, size_t size);
size_t sentry_kernel_domainname (SentryKernel *k, char *buf, size_t size);

/* Seconds since the sandbox booted (CLOCK_BOOTTIME since sentry_kernel_new), as a double, and in nanoseconds. */
double sentry_kernel_uptime (const SentryKernel *k);
uint64_t sentry_kernel_uptime_ns (const SentryKernel *k);

/* spec linux.resources.memory.limit in bytes, or 0 when the spec sets none (or -1). */
uint64_t sentry_kernel_memory_limit (const SentryKernel *k);

/* The kernel log as syslog(2) returns it: "<6>[%11.6f] text\n" lines, oldest first. Copies at most size bytes of
 * the log starting at byte offset into buf; returns the number of bytes copied (0 at the end). */
size_t sentry_kernel_log_text (SentryKernel *k, size_t offset, char *buf, size_t size);

/* Total length of the log text in bytes. */
size_t sentry_kernel_log_size (SentryKernel *k);

/* One record of the log, for /dev/kmsg ("PRI,SEQ,USEC,-;TEXT\n"). seq counts from 0; records that were dropped
 * when the buffer filled up are gone. */
typedef struct
{
  uint64_t seq;
  uint64_t usec;     /* time since boot */
  uint64_t kmsg_off; /* where the record starts in the /dev/kmsg stream (below) */
  int level;         /* syslog priority (6 = info) */
  char text[200];
} SentryLogRecord;

/* Fill *out with the first record whose seq >= seq. Returns 1, or 0 when there is none (yet). */
int sentry_kernel_log_record (SentryKernel *k, uint64_t seq, SentryLogRecord *out);

/* The /dev/kmsg stream: every record ever appended, back to back, each as sentry_kernel_log_format_kmsg writes it.
 * Offsets only grow (records dropped from the ring leave the start of the stream unreadable), so an offset names
 * one record for the sandbox's whole life: a reader's file position is all the state it needs.
 *
 * Fill *out with the first record still held whose kmsg_off >= off. Returns 1, or 0 when there is none (yet). */
int sentry_kernel_log_record_at (SentryKernel *k, uint64_t off, SentryLogRecord *out);
/* The stream's length: the offset of the next record to be appended. */
uint64_t sentry_kernel_log_kmsg_end (SentryKernel *k);
/* Format r as /dev/kmsg gives it, "PRI,SEQ,USEC,-;TEXT\n", into buf (size >= 256); returns its length. */
size_t sentry_kernel_log_format_kmsg (const SentryLogRecord *r, char *buf, size_t size);
/* Have every append write 1 to eventfd fd (-1: none), for readers that wait for new records elsewhere than on
 * the log's condition variable. */
void sentry_kernel_log_set_wake_fd (SentryKernel *k, int fd);

/* How many calls of number nr were refused (numbers beyond the table share one counter). */
uint64_t sentry_kernel_refused_count (SentryKernel *k, int nr);

/* The calls that reached the Sentry, per syscall: [{"name" (the table's, else "unknown_NR", or "unknown" for
 * numbers beyond the table), "nr" (-1: beyond), "notified", "emulated", "refused"}], numbers never seen left out (counters.c; the control socket's "metrics" request). */
JsonArray *sentry_kernel_syscall_counts (SentryKernel *k);
