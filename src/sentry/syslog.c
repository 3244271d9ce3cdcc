/* syslog(2) over the sandbox kernel log (klog.c). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/klog.h>

#include "sentry/kernel-private.h"
#include "sentry/syslog.h"

enum
{
  ACTION_CLOSE = 0,
  ACTION_OPEN = 1,
  ACTION_READ = 2,
  ACTION_READ_ALL = 3,
  ACTION_READ_CLEAR = 4,
  ACTION_CLEAR = 5,
  ACTION_CONSOLE_OFF = 6,
  ACTION_CONSOLE_ON = 7,
  ACTION_CONSOLE_LEVEL = 8,
  ACTION_SIZE_UNREAD = 9,
  ACTION_SIZE_BUFFER = 10,
};

/* Copies lines into the app's buffer through a stack buffer. */
typedef struct
{
  SentryCall *call;
  uint64_t addr;
  size_t done;
  size_t fill;
  char buf[4096];
} Writer;

static int
writer_flush (Writer *w)
{
  int r;
  if (w->fill == 0)
    return 0;
  r = sentry_write_mem (w->call, w->addr + w->done, w->buf, w->fill);
  if (r < 0)
    return r;
  w->done += w->fill;
  w->fill = 0;
  return 0;
}

static int
writer_put (Writer *w, const char *s, size_t n)
{
  if (w->fill + n > sizeof w->buf)
    {
      int r = writer_flush (w);
      if (r < 0)
        return r;
    }
  memcpy (w->buf + w->fill, s, n);
  w->fill += n;
  return 0;
}

/* Lines from seq first to the end, as many whole lines as fit in len (the newest when from_end). The log lock is
 * held: lines are formatted from the ring as they are copied. */
static long
copy_lines (SentryCall *call, SentryKlog *l, uint64_t first, uint64_t addr, size_t len, gboolean from_end,
            uint64_t *end_seq)
{
  Writer w = { .call = call, .addr = addr };
  char line[256];
  size_t n;
  int r;

  if (from_end)
    {
      /* Walk back from the newest line to find the oldest one that still lets everything after it fit. */
      size_t total = 0;
      uint64_t seq = l->next_seq;
      while (seq > first)
        {
          n = sentry_klog_format_line (&l->records[(seq - 1) % SENTRY_KLOG_RECORDS], line, sizeof line);
          if (total + n > len)
            break;
          total += n;
          seq--;
        }
      first = seq;
    }
  for (uint64_t seq = first; seq < l->next_seq; seq++)
    {
      n = sentry_klog_format_line (&l->records[seq % SENTRY_KLOG_RECORDS], line, sizeof line);
      if (w.done + w.fill + n > len)
        break;
      r = writer_put (&w, line, n);
      if (r < 0)
        return r;
      if (end_seq != NULL)
        *end_seq = seq + 1;
    }
  r = writer_flush (&w);
  if (r < 0)
    return r;
  return (long) w.done;
}

static size_t
bytes_from (SentryKlog *l, uint64_t first)
{
  char line[256];
  size_t total = 0;
  for (uint64_t seq = first; seq < l->next_seq; seq++)
    total += sentry_klog_format_line (&l->records[seq % SENTRY_KLOG_RECORDS], line, sizeof line);
  return total;
}

long
sentry_sys_syslog (SentryCall *call)
{
  SentryKlog *l = &call->kernel->klog;
  int action = (int) sentry_call_arg (call, 0);
  uint64_t addr = sentry_call_arg (call, 1);
  int len = (int) sentry_call_arg (call, 2);
  long ret;
  int r;

  switch (action)
    {
    case ACTION_CLOSE:
    case ACTION_OPEN:
      return 0;

    case ACTION_READ_CLEAR:
    case ACTION_CLEAR:
    case ACTION_CONSOLE_OFF:
    case ACTION_CONSOLE_ON:
    case ACTION_CONSOLE_LEVEL:
      return -EPERM;

    case ACTION_SIZE_BUFFER:
      return SENTRY_KLOG_BUFFER_SIZE;

    case ACTION_SIZE_UNREAD:
      pthread_mutex_lock (&l->lock);
      ret = (long) bytes_from (l, l->read_seq);
      pthread_mutex_unlock (&l->lock);
      return ret;

    case ACTION_READ_ALL:
      if (addr == 0 || len < 0)
        return -EINVAL;
      if (len == 0)
        return 0;
      r = sentry_call_valid (call);
      if (r < 0)
        return r;
      pthread_mutex_lock (&l->lock);
      ret = copy_lines (call, l, l->first_seq, addr, (size_t) len, TRUE, NULL);
      pthread_mutex_unlock (&l->lock);
      return ret;

    case ACTION_READ:
      if (addr == 0 || len < 0)
        return -EINVAL;
      if (len == 0)
        return 0;
      pthread_mutex_lock (&l->lock);
      /* Like Linux, wait for something unread; check once a second that the caller is still waiting. */
      if (l->read_seq >= l->next_seq)
        {
          pthread_mutex_unlock (&l->lock);
          sentry_call_may_block (call);
          pthread_mutex_lock (&l->lock);
        }
      while (l->read_seq >= l->next_seq)
        {
          struct timespec deadline;
          clock_gettime (CLOCK_REALTIME, &deadline);
          deadline.tv_sec += 1;
          pthread_cond_timedwait (&l->changed, &l->lock, &deadline);
          if (l->read_seq >= l->next_seq && (sentry_call_valid (call) < 0 || sentry_call_stopping (call)))
            {
              pthread_mutex_unlock (&l->lock);
              return -EINTR;
            }
        }
      r = sentry_call_valid (call);
      if (r < 0)
        {
          pthread_mutex_unlock (&l->lock);
          return r;
        }
      {
        uint64_t end = l->read_seq;
        ret = copy_lines (call, l, l->read_seq, addr, (size_t) len, FALSE, &end);
        if (ret > 0)
          l->read_seq = end;
      }
      pthread_mutex_unlock (&l->lock);
      return ret;

    default:
      return -EINVAL;
    }
}
