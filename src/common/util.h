/* Small utilities shared by runsc, the Sentry and the shim. */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

/* A descriptor closed when it leaves scope: `autofd int fd = open (...);`. -1 is ignored. */
void runsc_close_fd_ptr (int *fd);
#define autofd __attribute__ ((cleanup (runsc_close_fd_ptr)))

/* Take ownership out of an autofd variable: `return steal_fd (&fd);`. */
static inline int
steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Write data to path atomically: a temp file in the same directory, renamed over path, so that readers see the old
 * or the new content, never a part. Not durable (no fsync, which costs 1-5 ms on a disk): for runtime state (state
 * directories, pid files, the shim's records), which a reboot makes meaningless anyway. */
gboolean runsc_write_file_atomic (const char *path, const char *data, gssize len, mode_t mode, GError **error);

/* The same, with the data fsync'ed before the rename: for files that must survive a crash (a user's files). */
gboolean runsc_write_file_durable (const char *path, const char *data, gssize len, mode_t mode, GError **error);

/* Send len bytes of data and up to 16 fds as one message on a unix socket (SCM_RIGHTS).
 * Plain C: safe after fork. Returns 0 or -errno. */
int runsc_send_fds (int sock, const void *data, size_t len, const int *fds, size_t n_fds);

/* Receive one message of at most size bytes and up to max_fds fds (received fds are O_CLOEXEC; missing ones are
 * set to -1). Returns the byte count (0 at EOF) or -errno. Plain C: safe after fork. */
ssize_t runsc_recv_fds (int sock, void *data, size_t size, int *fds, size_t max_fds);

/* The start time of pid in clock ticks since boot (field 22 of /proc/PID/stat), or 0 if it does not exist. */
guint64 runsc_process_start_time (pid_t pid);

/* TRUE if pid exists, is not a zombie, and (when start_time != 0) started at start_time: guards against pid
 * reuse. */
gboolean runsc_process_alive (pid_t pid, guint64 start_time);

/* Current time as RFC 3339 with nanoseconds, as runc writes "created". */
char *runsc_rfc3339_now (void);

/* Signal names and numbers: "KILL", "SIGKILL", "9" -> 9. Returns -1 (and sets error) if unknown. */
int runsc_parse_signal (const char *name, GError **error);

/* mkdir -p with mode. */
gboolean runsc_mkdir_p (const char *path, mode_t mode, GError **error);

/* The deepest nesting of arrays and objects any JSON text this project parses may have. json-glib's parser
 * recurses once per level, so a text nested a few hundred thousand deep (a "nesting bomb", a few hundred KB)
 * overflows the stack; no spec, state or message needs more than a dozen levels. runc's Go decoder stops at
 * 10000; the sanitizer builds' larger frames ask for less. */
#define RUNSC_JSON_MAX_DEPTH 1000

/* FALSE (and error: "JSON nested deeper than N levels at byte B") when the arrays and objects of the JSON
 * text data (len bytes, or NUL-terminated when len < 0) nest deeper than max; strings are skipped. Run before
 * json-glib's parser on untrusted text. */
gboolean runsc_json_depth_check (const char *data, gssize len, guint max, GError **error);
