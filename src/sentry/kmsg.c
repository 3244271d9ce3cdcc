/* /dev/kmsg and /proc/kmsg (see kmsg.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sentry/kernel.h"
#include "sentry/kmsg.h"

#define HELD_MAX 64

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static int held[HELD_MAX];
static unsigned held_next; /* ring position of the oldest when full */
static int held_n;

/* Drop writers whose reader is gone; then keep fd, closing the oldest if the table is full. */
static void
hold_writer (int fd)
{
  struct pollfd pfd[HELD_MAX];
  int j = 0;

  pthread_mutex_lock (&held_lock);
  for (int i = 0; i < held_n; i++)
    {
      pfd[i].fd = held[i];
      pfd[i].events = 0;
      pfd[i].revents = 0;
    }
  if (held_n > 0)
    poll (pfd, (nfds_t) held_n, 0);
  for (int i = 0; i < held_n; i++)
    {
      if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))
        close (held[i]);
      else
        held[j++] = held[i];
    }
  held_n = j;
  if (held_n == HELD_MAX)
    {
      unsigned oldest = held_next % HELD_MAX;
      close (held[oldest]);
      held[oldest] = fd;
      held_next++;
    }
  else
    held[held_n++] = fd;
  pthread_mutex_unlock (&held_lock);
}

int
sentry_kmsg_held (void)
{
  int n;

  pthread_mutex_lock (&held_lock);
  n = held_n;
  pthread_mutex_unlock (&held_lock);
  return n;
}

static int
finish (int reader, int writer, int app_flags)
{
  if ((app_flags & O_NONBLOCK) && fcntl (reader, F_SETFL, O_NONBLOCK) < 0)
    {
      int e = errno;
      close (reader);
      close (writer);
      return -e;
    }
  hold_writer (writer);
  return reader;
}

int
sentry_kmsg_open_dev (SentryKernel *k, int app_flags)
{
  int sv[2];
  SentryLogRecord rec;
  uint64_t seq = 0;
  int sndbuf = 1 << 20;

  if ((app_flags & O_ACCMODE) != O_RDONLY)
    return -EACCES;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return -errno;
  setsockopt (sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  shutdown (sv[0], SHUT_WR);
  fcntl (sv[1], F_SETFL, O_NONBLOCK);
  while (sentry_kernel_log_record (k, seq, &rec) == 1)
    {
      char line[300];
      int n = snprintf (line, sizeof line, "%d,%" PRIu64 ",%" PRIu64 ",-;%s\n", rec.level, rec.seq, rec.usec,
                        rec.text);
      if (n < 0)
        break;
      if ((size_t) n >= sizeof line)
        n = sizeof line - 1;
      if (send (sv[1], line, (size_t) n, MSG_NOSIGNAL) < 0)
        break; /* full: the rest is dropped, as a slow reader of the real /dev/kmsg loses records */
      seq = rec.seq + 1;
    }
  return finish (sv[0], sv[1], app_flags);
}

int
sentry_kmsg_open_proc (SentryKernel *k, int app_flags)
{
  int p[2];
  char buf[4096];
  size_t off = 0;
  size_t n;

  if ((app_flags & O_ACCMODE) != O_RDONLY)
    return -EACCES;
  if (pipe2 (p, O_CLOEXEC) < 0)
    return -errno;
  fcntl (p[1], F_SETFL, O_NONBLOCK);
  while ((n = sentry_kernel_log_text (k, off, buf, sizeof buf)) > 0)
    {
      ssize_t w = write (p[1], buf, n);
      if (w <= 0)
        break;
      off += (size_t) w;
    }
  return finish (p[0], p[1], app_flags);
}
