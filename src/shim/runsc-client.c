/* Running runsc (see runsc-client.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "shim/reaper.h"
#include "shim/runsc-client.h"

extern char **environ;

/* How long one runsc command may take before the shim gives up on it (and kills it). */
#define RUNSC_TIMEOUT_S 60

/* In the child: plain C only. Returns only on failure. */
static void
child_setup_and_exec (const char *path, char *const *argv, char *const *env, const int fds[3],
                      const int *extra_fds, int n_extra, const char *cwd, gboolean new_pgrp, int errpipe)
{
  int target[3 + 16];
  int n = 3 + n_extra;
  int devnull = -1;
  int err;

  reaper_child_reset_signals ();
  signal (SIGPIPE, SIG_DFL);
  if (new_pgrp)
    setpgid (0, 0);
  for (int i = 0; i < 3; i++)
    {
      if (fds[i] >= 0)
        target[i] = fds[i];
      else
        {
          if (devnull < 0)
            devnull = open ("/dev/null", O_RDWR);
          target[i] = devnull;
        }
    }
  for (int i = 0; i < n_extra; i++)
    target[3 + i] = extra_fds[i];
  /* The error pipe goes above the targets too (a dup2 below must not overwrite it), and must survive the
   * close_range below: it is how the parent learns that execve failed (it closes on exec, by O_CLOEXEC). */
  {
    int moved = fcntl (errpipe, F_DUPFD_CLOEXEC, 64);
    if (moved < 0)
      goto fail;
    errpipe = moved;
  }
  /* Move every source fd above the targets first, so that dup2 cannot clobber one still needed. */
  for (int i = 0; i < n; i++)
    {
      if (target[i] < 0)
        continue;
      int moved = fcntl (target[i], F_DUPFD, 64);
      if (moved < 0)
        goto fail;
      target[i] = moved;
    }
  for (int i = 0; i < n; i++)
    {
      if (target[i] < 0)
        continue;
      if (dup2 (target[i], i) < 0)
        goto fail;
    }
  /* Close everything else but the error pipe. */
  if (errpipe > n)
    syscall (SYS_close_range, (unsigned) n, (unsigned) errpipe - 1, 0);
  syscall (SYS_close_range, (unsigned) errpipe + 1, ~0u, 0);
  if (cwd && chdir (cwd) < 0)
    goto fail;
  execve (path, argv, env ? env : environ);
fail:
  err = errno;
  (void) !write (errpipe, &err, sizeof err);
  _exit (127);
}

pid_t
shim_spawn (const char *const *argv, const char *const *env, const int fds[3], const int *extra_fds, int n_extra,
            const char *cwd, gboolean new_pgrp, GError **error)
{
  g_autofree char *path = NULL;
  int errpipe[2];
  int child_err = 0;
  ssize_t n;
  pid_t pid;

  if (n_extra > 16)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "too many fds for %s", argv[0]);
      return -1;
    }
  path = strchr (argv[0], '/') ? g_strdup (argv[0]) : g_find_program_in_path (argv[0]);
  if (path == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "%s: executable file not found in $PATH", argv[0]);
      return -1;
    }
  if (pipe2 (errpipe, O_CLOEXEC) < 0)
    {
      runsc_error_errno (error, errno, "pipe");
      return -1;
    }
  pid = fork ();
  if (pid < 0)
    {
      runsc_error_errno (error, errno, "fork %s", argv[0]);
      close (errpipe[0]);
      close (errpipe[1]);
      return -1;
    }
  if (pid == 0)
    {
      close (errpipe[0]);
      child_setup_and_exec (path, (char *const *) argv, (char *const *) env, fds, extra_fds, n_extra, cwd, new_pgrp,
                            errpipe[1]);
    }
  close (errpipe[1]);
  do
    n = read (errpipe[0], &child_err, sizeof child_err);
  while (n < 0 && errno == EINTR);
  close (errpipe[0]);
  if (n == sizeof child_err)
    {
      reaper_wait_sync (pid);
      runsc_error_errno (error, child_err, "exec %s", path);
      return -1;
    }
  return pid;
}

int
runsc_wait_deadline (pid_t pid, gint64 deadline)
{
  autofd int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd >= 0)
    {
      for (;;)
        {
          struct pollfd p = { pidfd, POLLIN, 0 };
          gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
          int r = left > 0 ? poll (&p, 1, (int) MIN (left, G_MAXINT)) : 0;
          if (r < 0 && errno == EINTR)
            continue;
          if (r == 0)
            {
              kill (pid, SIGKILL);
              reaper_wait_sync (pid);
              return -2;
            }
          break;
        }
    }
  return reaper_wait_sync (pid);
}

GPtrArray *
runsc_build_argv (const RunscCtx *ctx, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (ctx->opts->binary_name));
  g_ptr_array_add (argv, g_strdup ("--root"));
  g_ptr_array_add (argv, g_strdup (ctx->opts->root));
  if (ctx->bundle)
    {
      g_ptr_array_add (argv, g_strdup ("--log"));
      g_ptr_array_add (argv, g_build_filename (ctx->bundle, "log.json", NULL));
      g_ptr_array_add (argv, g_strdup ("--log-format"));
      g_ptr_array_add (argv, g_strdup ("json"));
    }
  for (guint i = 0; i < ctx->opts->runsc_flags->len; i++)
    g_ptr_array_add (argv, g_strdup (g_ptr_array_index (ctx->opts->runsc_flags, i)));
  for (; *args; args++)
    g_ptr_array_add (argv, g_strdup (*args));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* The last error-level message runsc wrote to log.json since offset. */
static char *
last_log_error (const char *log_path, goffset offset)
{
  g_autofree char *text = NULL;
  gsize len;
  g_auto (GStrv) lines = NULL;
  char *found = NULL;

  if (log_path == NULL || !g_file_get_contents (log_path, &text, &len, NULL) || (gsize) offset > len)
    return NULL;
  lines = g_strsplit (text + offset, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonObject *o;
      const char *level, *msg;

      if (**l != '{' || !json_parser_load_from_data (p, *l, -1, NULL))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
        continue;
      o = json_node_get_object (json_parser_get_root (p));
      level = json_object_get_string_member_with_default (o, "level", "");
      msg = json_object_get_string_member_with_default (o, "msg", NULL);
      if (msg && (strcmp (level, "error") == 0 || strcmp (level, "fatal") == 0))
        {
          g_free (found);
          found = g_strdup (msg);
        }
    }
  return found;
}

/* Read both pipes to EOF, or until the deadline (monotonic µs). */
static void
drain (int out_fd, int err_fd, GString *out, GString *err, gint64 deadline)
{
  struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
  char buf[8192];

  while (p[0].fd >= 0 || p[1].fd >= 0)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      int r;
      if (left <= 0)
        break;
      r = poll (p, 2, (int) MIN (left, G_MAXINT));
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (r == 0)
        break;
      for (int i = 0; i < 2; i++)
        {
          ssize_t n;
          if (p[i].fd < 0 || p[i].revents == 0)
            continue;
          n = read (p[i].fd, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              p[i].fd = -1;
              continue;
            }
          g_string_append_len (i == 0 ? out : err, buf, n);
        }
    }
}

gboolean
runsc_run (const RunscCtx *ctx, const char *const *args, const int *stdio, char **out, GError **error)
{
  g_autoptr (GPtrArray) argv = runsc_build_argv (ctx, args);
  g_autofree char *log_path = ctx->bundle ? g_build_filename (ctx->bundle, "log.json", NULL) : NULL;
  g_autoptr (GString) sout = g_string_new (NULL);
  g_autoptr (GString) serr = g_string_new (NULL);
  struct stat st;
  goffset offset = 0;
  int fds[3] = { -1, -1, -1 };
  int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 };
  pid_t pid;
  int status;
  gint64 t0 = g_get_monotonic_time ();
  gint64 deadline = t0 + (gint64) RUNSC_TIMEOUT_S * G_USEC_PER_SEC;

  if (log_path && stat (log_path, &st) == 0)
    offset = st.st_size;
  if (stdio)
    memcpy (fds, stdio, sizeof fds);
  else
    {
      if (pipe2 (opipe, O_CLOEXEC) < 0 || pipe2 (epipe, O_CLOEXEC) < 0)
        return runsc_error_errno (error, errno, "pipe");
      fds[1] = opipe[1];
      fds[2] = epipe[1];
    }
  pid = shim_spawn ((const char *const *) argv->pdata, NULL, fds, NULL, 0, NULL, FALSE, error);
  if (!stdio)
    {
      close (opipe[1]);
      close (epipe[1]);
      if (pid > 0)
        drain (opipe[0], epipe[0], sout, serr, deadline);
      close (opipe[0]);
      close (epipe[0]);
    }
  if (pid < 0)
    return FALSE;
  status = runsc_wait_deadline (pid, deadline);
  if (status == -2)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "OCI runtime %s failed: %s did not finish in %d s (killed)",
                            args[0], ctx->opts->binary_name, RUNSC_TIMEOUT_S);
  log_debug ("runsc %s: exit %d in %.1f ms", args[0], status, (g_get_monotonic_time () - t0) / 1000.0);
  if (status != 0)
    {
      g_autofree char *msg = last_log_error (log_path, offset);
      g_strstrip (serr->str);
      if (msg == NULL && serr->len > 0)
        msg = g_strdup (serr->str);
      if (msg == NULL)
        msg = g_strdup_printf ("%s did not terminate successfully: exit status %d", ctx->opts->binary_name, status);
      return runsc_error_set (error, strstr (msg, "does not exist") || strstr (msg, "not found")
                                         ? RUNSC_ERROR_NOT_FOUND
                                         : RUNSC_ERROR_FAILED,
                              "OCI runtime %s failed: %s", args[0], msg);
    }
  if (out)
    *out = g_string_free (g_steal_pointer (&sout), FALSE);
  return TRUE;
}

pid_t
runsc_start_async (const RunscCtx *ctx, const char *const *args, int *stdout_fd, GError **error)
{
  g_autoptr (GPtrArray) argv = runsc_build_argv (ctx, args);
  int opipe[2];
  int fds[3] = { -1, -1, -1 };
  pid_t pid;

  if (pipe2 (opipe, O_CLOEXEC) < 0)
    {
      runsc_error_errno (error, errno, "pipe");
      return -1;
    }
  fds[1] = opipe[1];
  pid = shim_spawn ((const char *const *) argv->pdata, NULL, fds, NULL, 0, NULL, FALSE, error);
  close (opipe[1]);
  if (pid < 0)
    {
      close (opipe[0]);
      return -1;
    }
  *stdout_fd = opipe[0];
  return pid;
}

pid_t
runsc_read_pid_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  GError *local = NULL;
  char *end;
  long v;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "read pid file: %s", local->message);
      g_error_free (local);
      return -1;
    }
  g_strstrip (text);
  v = strtol (text, &end, 10);
  if (*text == '\0' || *end != '\0' || v <= 0 || v > G_MAXINT)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "pid file %s: invalid pid \"%s\"", path, text);
      return -1;
    }
  return (pid_t) v;
}
