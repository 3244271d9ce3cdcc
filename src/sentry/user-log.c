/* The user log: json-k8s lines of the events a user of the sandbox cares about (see user-log.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "sentry/user-log.h"

#define USER_LOG_LINE_MAX 4096

static int user_fd = -1;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

int
user_log_open (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0 && errno == ENOENT)
    {
      /* A pod's log directory the kubelet has not made yet: make it, as the kubelet would (0755). */
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0755) < 0)
        {
          runsc_error_errno (error, errno, "create the directory %s of user log %s", dir, path);
          return -1;
        }
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    }
  if (fd < 0)
    runsc_error_errno (error, errno, "open user log %s", path);
  return fd;
}

void
user_log_set_fd (int fd)
{
  int old = user_fd;

  user_fd = fd;
  if (old >= 0 && old != fd)
    close (old);
}

int
user_log_fd (void)
{
  return user_fd;
}

static void
put (char *buf, size_t size, size_t *pos, char c)
{
  if (*pos + 1 < size)
    buf[(*pos)++] = c;
}

static void
put_str (char *buf, size_t size, size_t *pos, const char *s)
{
  for (; *s != '\0'; s++)
    put (buf, size, pos, *s);
}

/* s as the inside of a JSON string; control characters as \uXXXX, bytes >= 0x80 as they are (UTF-8). Each
 * character's escape is written whole or not at all, so that a cut message is still a valid string. */
static void
put_escaped (char *buf, size_t size, size_t *pos, const char *s)
{
  static const char hex[] = "0123456789abcdef";

  for (; *s != '\0'; s++)
    {
      unsigned char c = (unsigned char) *s;
      char esc[8];
      size_t n = 0, i;

      if (c == '"' || c == '\\')
        {
          esc[n++] = '\\';
          esc[n++] = (char) c;
        }
      else if (c == '\n')
        {
          esc[n++] = '\\';
          esc[n++] = 'n';
        }
      else if (c == '\t')
        {
          esc[n++] = '\\';
          esc[n++] = 't';
        }
      else if (c < 0x20 || c == 0x7f)
        {
          memcpy (esc, "\\u00", 4);
          n = 4;
          esc[n++] = hex[c >> 4];
          esc[n++] = hex[c & 15];
        }
      else
        esc[n++] = (char) c;
      if (*pos + n >= size)
        return;
      for (i = 0; i < n; i++)
        buf[(*pos)++] = esc[i];
    }
}

size_t
user_log_format (char *buf, size_t size, RunscLogLevel level, const char *msg, gint64 sec, long nsec)
{
  static const char mid[] = "\",\"level\":\"";
  char stamp[64];
  time_t t = (time_t) sec;
  struct tm tm;
  size_t pos = 0, n, tail;

  gmtime_r (&t, &tm);
  n = strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (stamp + n, sizeof stamp - n, ".%09ldZ", nsec);
  /* Room is kept for the tail that closes the object (",\"level\":...}\n"): a long message is cut instead. */
  tail = strlen (mid) + strlen (level_names[level]) + strlen ("\",\"time\":\"") + strlen (stamp) + strlen ("\"}\n");
  if (size < tail + 16)
    {
      if (size > 0)
        buf[0] = '\0';
      return 0;
    }
  put_str (buf, size - tail, &pos, "{\"log\":\"");
  put_escaped (buf, size - tail, &pos, msg);
  put_str (buf, size, &pos, mid);
  put_str (buf, size, &pos, level_names[level]);
  put_str (buf, size, &pos, "\",\"time\":\"");
  put_str (buf, size, &pos, stamp);
  put_str (buf, size, &pos, "\"}\n");
  buf[pos] = '\0';
  return pos;
}

void
user_log_write_fd (int fd, RunscLogLevel level, const char *msg)
{
  char line[USER_LOG_LINE_MAX];
  struct timespec ts;
  size_t len;
  int saved_errno = errno;

  if (fd < 0)
    return;
  clock_gettime (CLOCK_REALTIME, &ts);
  len = user_log_format (line, sizeof line, level, msg, (gint64) ts.tv_sec, ts.tv_nsec);
  /* One write(2) of the whole line: O_APPEND keeps the lines of several writers whole. */
  if (len > 0 && write (fd, line, len) < 0)
    { /* nowhere left to report it */
    }
  errno = saved_errno;
}

void
user_log (RunscLogLevel level, const char *fmt, ...)
{
  char msg[USER_LOG_LINE_MAX / 2];
  va_list ap;
  int saved_errno = errno;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  runsc_log (level, "%s", msg);
  user_log_write_fd (user_fd, level, msg);
  errno = saved_errno;
}
