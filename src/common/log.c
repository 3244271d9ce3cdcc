/* Logging as runc writes it: text (logfmt) or JSON lines with level, msg and time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"

#define LOG_LINE_MAX 4096

static int log_fd = -1; /* -1: stderr */
static int debug_fd = -1;
static RunscLogFormat log_format = RUNSC_LOG_FORMAT_TEXT;
static RunscLogLevel log_min = RUNSC_LOG_INFO;  /* lowest level written anywhere */
static RunscLogLevel main_min = RUNSC_LOG_INFO; /* lowest level written to the main log (--debug) */
static const char *log_component;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

gboolean
runsc_log_parse_format (const char *name, RunscLogFormat *out, GError **error)
{
  if (g_strcmp0 (name, "text") == 0)
    *out = RUNSC_LOG_FORMAT_TEXT;
  else if (g_strcmp0 (name, "json") == 0)
    *out = RUNSC_LOG_FORMAT_JSON;
  else
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --log-format %s: expected text or json", name);
  return TRUE;
}

gboolean
runsc_log_init (const char *path, RunscLogFormat format, gboolean debug, GError **error)
{
  int fd = -1;

  if (path != NULL && *path != '\0')
    {
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
      if (fd < 0)
        return runsc_error_errno (error, errno, "open log file %s", path);
    }
  if (log_fd >= 0)
    close (log_fd);
  log_fd = fd;
  log_format = format;
  main_min = debug ? RUNSC_LOG_DEBUG : RUNSC_LOG_INFO;
  log_min = debug_fd >= 0 ? RUNSC_LOG_DEBUG : main_min;
  return TRUE;
}

void
runsc_log_set_debug_fd (int fd)
{
  if (debug_fd >= 0)
    close (debug_fd);
  debug_fd = fd;
  if (fd >= 0)
    log_min = RUNSC_LOG_DEBUG;
}

void
runsc_log_forget_fds (void)
{
  log_fd = -1;
  debug_fd = -1;
}

void
runsc_log_set_component (const char *name)
{
  log_component = name;
}

/* Append s to buf at *pos, escaped for a JSON or logfmt string, never past size - 1. */
static void
append_escaped (char *buf, size_t size, size_t *pos, const char *s)
{
  for (; *s != '\0' && *pos + 7 < size; s++)
    {
      unsigned char c = (unsigned char) *s;
      if (c == '"' || c == '\\')
        {
          buf[(*pos)++] = '\\';
          buf[(*pos)++] = (char) c;
        }
      else if (c == '\n')
        {
          buf[(*pos)++] = '\\';
          buf[(*pos)++] = 'n';
        }
      else if (c < 0x20)
        *pos += (size_t) snprintf (buf + *pos, size - *pos, "\\u%04x", c);
      else
        buf[(*pos)++] = (char) c;
    }
  buf[*pos] = '\0';
}

static void
append_raw (char *buf, size_t size, size_t *pos, const char *s)
{
  int n = snprintf (buf + *pos, size - *pos, "%s", s);
  if (n > 0)
    *pos = MIN (size - 1, *pos + (size_t) n);
}

void
runsc_logv (RunscLogLevel level, const char *fmt, va_list ap)
{
  char msg[LOG_LINE_MAX / 2];
  char line[LOG_LINE_MAX];
  char stamp[64];
  size_t pos = 0;
  struct timeval tv;
  struct tm tm;
  int saved_errno = errno;

  if (level < log_min)
    return;
  vsnprintf (msg, sizeof msg, fmt, ap);
  gettimeofday (&tv, NULL);
  gmtime_r (&tv.tv_sec, &tm);
  pos = strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (stamp + pos, sizeof stamp - pos, ".%06ldZ", (long) tv.tv_usec);
  pos = 0;

  if (log_format == RUNSC_LOG_FORMAT_JSON)
    {
      append_raw (line, sizeof line, &pos, "{\"level\":\"");
      append_raw (line, sizeof line, &pos, level_names[level]);
      append_raw (line, sizeof line, &pos, "\",\"msg\":\"");
      append_escaped (line, sizeof line, &pos, msg);
      append_raw (line, sizeof line, &pos, "\",\"time\":\"");
      append_raw (line, sizeof line, &pos, stamp);
      if (log_component != NULL)
        {
          append_raw (line, sizeof line, &pos, "\",\"component\":\"");
          append_raw (line, sizeof line, &pos, log_component);
        }
      append_raw (line, sizeof line, &pos, "\"}\n");
    }
  else
    {
      append_raw (line, sizeof line, &pos, "time=\"");
      append_raw (line, sizeof line, &pos, stamp);
      append_raw (line, sizeof line, &pos, "\" level=");
      append_raw (line, sizeof line, &pos, level_names[level]);
      append_raw (line, sizeof line, &pos, " msg=\"");
      append_escaped (line, sizeof line, &pos, msg);
      append_raw (line, sizeof line, &pos, "\"");
      if (log_component != NULL)
        {
          append_raw (line, sizeof line, &pos, " component=");
          append_raw (line, sizeof line, &pos, log_component);
        }
      append_raw (line, sizeof line, &pos, "\n");
    }
  if (line[pos - 1] != '\n')
    line[pos - 1] = '\n';

  if (level >= main_min && write (log_fd >= 0 ? log_fd : STDERR_FILENO, line, pos) < 0)
    { /* nowhere left to report it */
    }
  if (debug_fd >= 0 && write (debug_fd, line, pos) < 0)
    {
    }
  errno = saved_errno;
}

void
runsc_log (RunscLogLevel level, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  runsc_logv (level, fmt, ap);
  va_end (ap);
}
