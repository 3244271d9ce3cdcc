/* The user log: what a user of a sandbox should see about it, in one file (runsc create --user-log FILE; for a
 * Kubernetes pod the shim names <pod log directory>/gvisor.log, as gVisor's shim does).
 *
 * Lines are gVisor's "json-k8s" format, one JSON object per line:
 *   {"log":"MESSAGE","level":"info","time":"2026-11-27T23:45:31.123456789Z"}
 * The events: the sandbox's start and exit; each container's creation, start and exit (status or signal); system
 * calls the sandbox refuses ("Unsupported syscall NAME(ARGS) ..."), once per call as the Sentry logs them; OOM
 * kills; pause and resume; and why runsc create failed.
 *
 * A user log is never the reason a workload does not run: a missing directory is made, and a file that still
 * cannot be opened is reported once as a warning on the runsc log, and the sandbox runs without it.
 *
 * runsc create opens the file (O_APPEND, created 0644) and hands the descriptor to the Sentry (boot
 * --user-log-fd), which writes it for the sandbox's lifetime: the pod's other containers' events go there too.
 * Every line is also written to the runsc log at the same level. Writing allocates nothing and is one write(2) of a
 * stack buffer, so the Sentry's notification threads may write it. */
#pragma once

#include <glib.h>

#include "common/log.h"

/* Open (create, append) the user log at path, making its missing parent directories (0755). Returns an
 * O_CLOEXEC descriptor, or -1 with error. */
int user_log_open (const char *path, GError **error);

/* Write the user log to fd (owned from now on; the previous one is closed), or -1 for none. */
void user_log_set_fd (int fd);

/* The descriptor (-1: none). */
int user_log_fd (void);

/* Log a user-facing event: to the user log (when there is one) and to the runsc log. */
void user_log (RunscLogLevel level, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Write one line of msg to the user log open as fd, and nowhere else (runsc create's own failure, which runsc
 * reports on its log itself). */
void user_log_write_fd (int fd, RunscLogLevel level, const char *msg);

/* Format one json-k8s line of msg at time ts (seconds, nanoseconds) into buf (always ended by "\n" and NUL, cut to
 * fit). Returns its length. For the tests. */
size_t user_log_format (char *buf, size_t size, RunscLogLevel level, const char *msg, gint64 sec, long nsec);

#define user_log_info(...) user_log (RUNSC_LOG_INFO, __VA_ARGS__)
#define user_log_warning(...) user_log (RUNSC_LOG_WARNING, __VA_ARGS__)
#define user_log_error(...) user_log (RUNSC_LOG_ERROR, __VA_ARGS__)
