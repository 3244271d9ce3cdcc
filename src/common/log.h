/* Logging as runc writes it: text (logfmt) or JSON lines with level, msg and time.
 *
 * Writing a line allocates nothing and is one write(2) of a stack buffer, so the Sentry's syscall path and a
 * child between fork and exec may log. */
#pragma once

#include <glib.h>

typedef enum
{
  RUNSC_LOG_DEBUG,
  RUNSC_LOG_INFO,
  RUNSC_LOG_WARNING,
  RUNSC_LOG_ERROR,
} RunscLogLevel;

typedef enum
{
  RUNSC_LOG_FORMAT_TEXT,
  RUNSC_LOG_FORMAT_JSON,
} RunscLogFormat;

/* Parse "text" or "json". */
gboolean runsc_log_parse_format (const char *name, RunscLogFormat *out, GError **error);

/* Open the log (path NULL or "" means stderr) and set the format and the lowest level written (debug when debug is
 * TRUE, else info). May be called again; the previous log fd is closed. */
gboolean runsc_log_init (const char *path, RunscLogFormat format, gboolean debug, GError **error);

/* Also write every line to this fd (for --debug-log), or -1 for none. The fd is owned by the logger. */
void runsc_log_set_debug_fd (int fd);

/* Forget the log descriptors without closing them: for a forked child that has closed them already. */
void runsc_log_forget_fds (void);

/* Name of this process in log lines ("runsc", "runsc-sandbox", "shim"), added as a field. NULL for none. */
void runsc_log_set_component (const char *name);

void runsc_log (RunscLogLevel level, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
void runsc_logv (RunscLogLevel level, const char *fmt, va_list ap) G_GNUC_PRINTF (2, 0);

#define log_debug(...) runsc_log (RUNSC_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) runsc_log (RUNSC_LOG_INFO, __VA_ARGS__)
#define log_warning(...) runsc_log (RUNSC_LOG_WARNING, __VA_ARGS__)
#define log_error(...) runsc_log (RUNSC_LOG_ERROR, __VA_ARGS__)
