/* The sandbox kernel log: generated once at boot, appended to by the Sentry, read by syslog(2) and /dev/kmsg.
 *
 * A ring of fixed-size records in the SentryKernel, so reading and appending allocate nothing. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sentry/kernel-private.h"

/* The boot log's middle: ten of these, picked at random without repeats. This project's own lines. */
static const char *const boot_chatter[] = {
  "Counting the sheep in /dev/random...",
  "Polishing the syscall table until it shines...",
  "Teaching the scheduler to take turns...",
  "Untangling the page tables...",
  "Asking the timer interrupts to please arrive on time...",
  "Settling the argument between tabs and spaces...",
  "Feeding the OOM killer a light snack...",
  "Folding the socket buffers neatly...",
  "Watering the inode trees...",
  "Walking zombie processes back to their parents...",
  "Warming up the futexes...",
  "Dusting off the file descriptor table...",
  "Rehearsing this boot log one more time...",
  "Asking the entropy pool for a little more chaos...",
  "Aligning the bits, then the bytes...",
  "Checking that zero is still zero...",
  "Telling the clock there is no hurry...",
  "Sorting the signals by urgency...",
  "Ironing the wrinkles out of virtual memory...",
  "Counting to 2^64, skipping the boring parts...",
  "Labelling the pipes so nothing leaks...",
  "Handing every process its own bucket and spade...",
  "Rounding up stray interrupts...",
  "Tuning the cache lines to concert pitch...",
  "Looking under the mount table for dragons...",
  "Sweeping the cobwebs out of /proc...",
  "Raking the sandbox smooth...",
  "Brewing coffee for the worker threads...",
  "Reminding root to stay humble...",
  "Bribing the page cache with more pages...",
  "Looking for the any key...",
  "Convincing the load average to relax...",
};

#define BOOT_CHATTER_LINES 10

static uint64_t
now_usec (const SentryKernel *k)
{
  return sentry_kernel_uptime_ns (k) / 1000;
}

static void
append_at (SentryKernel *k, int level, uint64_t usec, const char *text)
{
  SentryKlog *l = &k->klog;
  SentryLogRecord *r = &l->records[l->next_seq % SENTRY_KLOG_RECORDS];

  if (usec < l->last_usec)
    usec = l->last_usec;
  l->last_usec = usec;
  r->seq = l->next_seq++;
  r->usec = usec;
  r->level = level;
  snprintf (r->text, sizeof r->text, "%s", text);
  {
    char line[320];
    r->kmsg_off = l->kmsg_end;
    l->kmsg_end += sentry_kernel_log_format_kmsg (r, line, sizeof line);
  }
  if (l->next_seq - l->first_seq > SENTRY_KLOG_RECORDS)
    l->first_seq = l->next_seq - SENTRY_KLOG_RECORDS;
  if (l->read_seq < l->first_seq)
    l->read_seq = l->first_seq;
}

void
sentry_klog_init (SentryKernel *k)
{
  SentryKlog *l = &k->klog;
  guint idx[G_N_ELEMENTS (boot_chatter)];
  uint64_t usec;

  pthread_mutex_init (&l->lock, NULL);
  pthread_cond_init (&l->changed, NULL);
  l->first_seq = l->next_seq = l->read_seq = l->last_usec = l->kmsg_end = 0;
  l->wake_fd = -1;

  append_at (k, 6, 0, "Starting " SENTRY_KERNEL_NAME "...");
  for (guint i = 0; i < G_N_ELEMENTS (boot_chatter); i++)
    idx[i] = i;
  /* Partial Fisher-Yates: the first BOOT_CHATTER_LINES entries are a random pick without repeats. */
  usec = 100000 + g_random_int_range (0, 50000);
  for (guint i = 0; i < BOOT_CHATTER_LINES; i++)
    {
      guint j = g_random_int_range (i, G_N_ELEMENTS (boot_chatter));
      guint t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      append_at (k, 6, usec, boot_chatter[idx[i]]);
      usec += g_random_int_range (0, 500000);
    }
  append_at (k, 6, usec, "Ready!");
}

void
sentry_klog_destroy (SentryKernel *k)
{
  pthread_mutex_destroy (&k->klog.lock);
  pthread_cond_destroy (&k->klog.changed);
}

void
sentry_klog_append (SentryKernel *k, int level, const char *text)
{
  pthread_mutex_lock (&k->klog.lock);
  int wake;

  append_at (k, level, now_usec (k), text);
  pthread_cond_broadcast (&k->klog.changed);
  wake = k->klog.wake_fd;
  pthread_mutex_unlock (&k->klog.lock);
  if (wake >= 0)
    {
      uint64_t one = 1;
      if (write (wake, &one, sizeof one) < 0)
        {
          /* EAGAIN: the counter is full, the reader has a wake-up pending anyway. */
        }
    }
}

void
sentry_kernel_log_set_wake_fd (SentryKernel *k, int fd)
{
  pthread_mutex_lock (&k->klog.lock);
  k->klog.wake_fd = fd;
  pthread_mutex_unlock (&k->klog.lock);
}

size_t
sentry_kernel_log_format_kmsg (const SentryLogRecord *r, char *buf, size_t size)
{
  int n = snprintf (buf, size, "%d,%llu,%llu,-;%s\n", r->level, (unsigned long long) r->seq,
                    (unsigned long long) r->usec, r->text);
  if (n < 0)
    return 0;
  return (size_t) n < size ? (size_t) n : size - 1;
}

size_t
sentry_klog_format_line (const SentryLogRecord *r, char *buf, size_t size)
{
  int n = snprintf (buf, size, "<%d>[%4llu.%06llu] %s\n", r->level, (unsigned long long) (r->usec / 1000000),
                    (unsigned long long) (r->usec % 1000000), r->text);
  if (n < 0)
    return 0;
  return (size_t) n < size ? (size_t) n : size - 1;
}

void
sentry_kernel_log (SentryKernel *k, const char *fmt, ...)
{
  char text[sizeof ((SentryLogRecord *) 0)->text];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (text, sizeof text, fmt, ap);
  va_end (ap);
  sentry_klog_append (k, 6, text);
}

size_t
sentry_kernel_log_text (SentryKernel *k, size_t offset, char *buf, size_t size)
{
  SentryKlog *l = &k->klog;
  size_t pos = 0, copied = 0;
  char line[256];

  pthread_mutex_lock (&l->lock);
  for (uint64_t seq = l->first_seq; seq < l->next_seq && copied < size; seq++)
    {
      size_t n = sentry_klog_format_line (&l->records[seq % SENTRY_KLOG_RECORDS], line, sizeof line);
      if (pos + n > offset)
        {
          size_t from = offset > pos ? offset - pos : 0;
          size_t take = MIN (n - from, size - copied);
          memcpy (buf + copied, line + from, take);
          copied += take;
          offset += take;
        }
      pos += n;
    }
  pthread_mutex_unlock (&l->lock);
  return copied;
}

size_t
sentry_kernel_log_size (SentryKernel *k)
{
  SentryKlog *l = &k->klog;
  size_t total = 0;
  char line[256];

  pthread_mutex_lock (&l->lock);
  for (uint64_t seq = l->first_seq; seq < l->next_seq; seq++)
    total += sentry_klog_format_line (&l->records[seq % SENTRY_KLOG_RECORDS], line, sizeof line);
  pthread_mutex_unlock (&l->lock);
  return total;
}

int
sentry_kernel_log_record (SentryKernel *k, uint64_t seq, SentryLogRecord *out)
{
  SentryKlog *l = &k->klog;
  int found = 0;

  pthread_mutex_lock (&l->lock);
  if (seq < l->first_seq)
    seq = l->first_seq;
  if (seq < l->next_seq)
    {
      *out = l->records[seq % SENTRY_KLOG_RECORDS];
      found = 1;
    }
  pthread_mutex_unlock (&l->lock);
  return found;
}

int
sentry_kernel_log_record_at (SentryKernel *k, uint64_t off, SentryLogRecord *out)
{
  SentryKlog *l = &k->klog;
  int found = 0;

  pthread_mutex_lock (&l->lock);
  for (uint64_t seq = l->first_seq; seq < l->next_seq; seq++)
    {
      const SentryLogRecord *r = &l->records[seq % SENTRY_KLOG_RECORDS];
      if (r->kmsg_off >= off)
        {
          *out = *r;
          found = 1;
          break;
        }
    }
  pthread_mutex_unlock (&l->lock);
  return found;
}

uint64_t
sentry_kernel_log_kmsg_end (SentryKernel *k)
{
  uint64_t end;

  pthread_mutex_lock (&k->klog.lock);
  end = k->klog.kmsg_end;
  pthread_mutex_unlock (&k->klog.lock);
  return end;
}
