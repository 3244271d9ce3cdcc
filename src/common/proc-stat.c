/* The one reader of /proc/PID/stat (see proc-stat.h). Plain C on the caller's buffer: no allocation, no locale. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/host-fs.h"
#include "common/proc-stat.h"

/* A decimal number (optionally negative) at *p, followed by a space; *p is left after the space. */
static gboolean
take_number (const char **p, const char *end, gboolean *negative, guint64 *value)
{
  const char *q = *p;
  guint64 v = 0;

  *negative = q < end && *q == '-';
  if (*negative)
    q++;
  if (q >= end || *q < '0' || *q > '9')
    return FALSE;
  for (; q < end && *q >= '0' && *q <= '9'; q++)
    {
      if (v > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*q - '0');
    }
  /* A number the text cuts off is not the number: it must end at a space (no field this reads is the last). */
  if (q >= end || *q != ' ')
    return FALSE;
  *p = q + 1;
  *value = v;
  return TRUE;
}

static gboolean
take_int (const char **p, const char *end, int *out)
{
  gboolean negative;
  guint64 v;

  if (!take_number (p, end, &negative, &v) || v > G_MAXINT)
    return FALSE;
  *out = negative ? -(int) v : (int) v;
  return TRUE;
}

/* Skip one space-separated field. */
static gboolean
skip_field (const char **p, const char *end)
{
  const char *q = *p;

  while (q < end && *q != ' ')
    q++;
  if (q >= end)
    return FALSE;
  *p = q + 1;
  return TRUE;
}

gboolean
runsc_proc_stat_parse (const char *text, size_t len, RunscProcStat *st)
{
  const char *end = text + len, *p = text, *open, *close;
  gboolean negative;
  guint64 v;
  int field;

  memset (st, 0, sizeof *st);
  if (!take_int (&p, end, &st->pid) || p >= end || *p != '(')
    return FALSE;
  open = p;
  /* The last ')' ends the command name, whatever the name holds. */
  for (close = NULL, p = end; p > open; p--)
    if (p[-1] == ')')
      {
        close = p - 1;
        break;
      }
  if (close == NULL || end - close < 4 || close[1] != ' ' || close[3] != ' ')
    return FALSE;
  st->comm = open + 1;
  st->comm_len = (size_t) (close - open - 1);
  st->state = close[2];
  p = close + 4;
  if (!take_int (&p, end, &st->ppid) || !take_int (&p, end, &st->pgrp) || !take_int (&p, end, &st->session))
    return FALSE;
  for (field = 7; field < 22; field++)
    if (!skip_field (&p, end))
      return FALSE;
  if (!take_number (&p, end, &negative, &v) || negative)
    return FALSE;
  st->start_time = v;
  return TRUE;
}

gboolean
runsc_proc_stat_read (pid_t pid, char *buf, size_t size, RunscProcStat *st)
{
  char path[32];
  ssize_t n;
  int fd, saved;

  if (pid <= 0 || size == 0)
    {
      errno = EINVAL;
      return FALSE;
    }
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = runsc_host_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  do
    n = read (fd, buf, size);
  while (n < 0 && errno == EINTR);
  saved = errno;
  close (fd);
  if (n < 0)
    {
      errno = saved;
      return FALSE;
    }
  /* A process that exited between the open and the read gives an empty file (ESRCH from the kernel otherwise). */
  if (n == 0)
    {
      errno = ESRCH;
      return FALSE;
    }
  if (!runsc_proc_stat_parse (buf, (size_t) n, st))
    {
      errno = EINVAL;
      return FALSE;
    }
  return TRUE;
}
