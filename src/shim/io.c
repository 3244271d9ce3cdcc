/* Process IO (see io.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "shim/io.h"
#include "shim/reaper.h"
#include "shim/runsc-client.h"

#define LOGGER_KILL_TIMEOUT_S 12
#define LOGGER_READY_TIMEOUT_MS 10000

typedef struct
{
  ShimIO *io;
  int src;
  int dst;
  int dst_extra;       /* a held read handle on an output FIFO, closed with dst */
  gboolean owns_src;
  gboolean owns_dst;
  gboolean output;     /* counts for shim_io_wait_output */
  gboolean close_dst_on_eof;
  const char *name;
  GThread *thread;
} Copier;

struct ShimIO
{
  char *id;
  gboolean terminal;
  int cancel_fd;         /* eventfd: wakes the copiers to stop */
  /* process ends, handed to runsc */
  int proc_stdin, proc_stdout, proc_stderr;
  /* shim ends */
  int stdin_src;         /* client stdin FIFO, read side */
  int stdin_holder;      /* our write handle on the stdin FIFO (closed by CloseIO) */
  int pipe_stdin_w;      /* write end of the process's stdin pipe */
  int pipe_stdout_r, pipe_stderr_r;
  int out_dst, out_hold; /* stdout sink (and held read handle of a FIFO) */
  int err_dst, err_hold;
  int master;
  pid_t logger_pid;
  guint64 logger_start;
  GPtrArray *copiers;    /* Copier * */
  GMutex lock;
  GCond cond;
  int outputs_running;
};

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* Wait until fd is ready for events or the io is cancelled. FALSE on cancel. */
static gboolean
wait_fd (ShimIO *io, int fd, short events)
{
  struct pollfd p[2] = { { fd, events, 0 }, { io->cancel_fd, POLLIN, 0 } };
  for (;;)
    {
      int r = poll (p, 2, -1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return FALSE;
      if (p[1].revents)
        return FALSE;
      return TRUE;
    }
}

static gboolean
write_all_cancellable (ShimIO *io, int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          if (!wait_fd (io, fd, POLLOUT))
            return FALSE;
          continue;
        }
      if (n < 0)
        return FALSE;
      buf += n;
      len -= n;
    }
  return TRUE;
}

static gpointer
copier_main (gpointer data)
{
  Copier *c = data;
  ShimIO *io = c->io;
  char buf[32768];

  for (;;)
    {
      ssize_t n = read (c->src, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          if (!wait_fd (io, c->src, POLLIN))
            break;
          continue;
        }
      if (n <= 0) /* EOF, or EIO on a pty master whose slave is closed */
        break;
      if (c->dst >= 0 && !write_all_cancellable (io, c->dst, buf, n))
        {
          if (errno != 0 && errno != EPIPE)
            log_debug ("io %s: %s: write: %s", io->id, c->name, g_strerror (errno));
          if (c->output)
            continue; /* keep draining so the process never blocks on a dead client */
          break;
        }
    }
  if (c->owns_src)
    close_fd (&c->src);
  if (c->close_dst_on_eof)
    {
      close_fd (&c->dst);
      close_fd (&c->dst_extra);
    }
  if (c->output)
    {
      g_mutex_lock (&io->lock);
      io->outputs_running--;
      g_cond_broadcast (&io->cond);
      g_mutex_unlock (&io->lock);
    }
  return NULL;
}

static void
start_copier (ShimIO *io, const char *name, int src, int dst, int dst_extra, gboolean output, gboolean owns_src,
              gboolean close_dst)
{
  Copier *c = g_new0 (Copier, 1);
  c->io = io;
  c->name = name;
  c->src = src;
  c->dst = dst;
  c->dst_extra = dst_extra;
  c->output = output;
  c->owns_src = owns_src;
  c->close_dst_on_eof = close_dst;
  g_unix_set_fd_nonblocking (src, TRUE, NULL);
  if (dst >= 0)
    g_unix_set_fd_nonblocking (dst, TRUE, NULL);
  if (output)
    {
      g_mutex_lock (&io->lock);
      io->outputs_running++;
      g_mutex_unlock (&io->lock);
    }
  g_ptr_array_add (io->copiers, c);
  c->thread = g_thread_new (name, copier_main, c);
}

typedef enum
{
  URI_NONE,
  URI_FIFO,
  URI_FILE,
  URI_BINARY,
} UriKind;

static UriKind
parse_uri (const char *uri, char **path, char **query)
{
  const char *q;
  *path = NULL;
  *query = NULL;
  if (uri == NULL || *uri == '\0')
    return URI_NONE;
  if (g_str_has_prefix (uri, "file://"))
    {
      *path = g_uri_unescape_string (uri + strlen ("file://"), NULL);
      return URI_FILE;
    }
  if (g_str_has_prefix (uri, "binary://"))
    {
      const char *p = uri + strlen ("binary://");
      q = strchr (p, '?');
      *path = q ? g_uri_unescape_segment (p, q, NULL) : g_uri_unescape_string (p, NULL);
      *query = q ? g_strdup (q + 1) : NULL;
      return URI_BINARY;
    }
  if (g_str_has_prefix (uri, "fifo://"))
    uri += strlen ("fifo://");
  *path = g_strdup (uri);
  return URI_FIFO;
}

/* An output sink: a FIFO (with a held read handle) or a regular file opened for append. */
static gboolean
open_output (const char *path, int *dst, int *hold, GError **error)
{
  struct stat st;
  if (stat (path, &st) == 0 && !S_ISFIFO (st.st_mode))
    {
      *dst = open (path, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (*dst < 0)
        return runsc_error_errno (error, errno, "open %s", path);
      return TRUE;
    }
  *hold = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*hold < 0)
    return runsc_error_errno (error, errno, "open fifo %s", path);
  *dst = open (path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (*dst < 0)
    return runsc_error_errno (error, errno, "open fifo %s for writing", path);
  return TRUE;
}

static gboolean
start_logger (ShimIO *io, const ShimIOConfig *cfg, const char *path, const char *query, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *env_id = g_strdup_printf ("CONTAINER_ID=%s", cfg->id);
  g_autofree char *env_ns = g_strdup_printf ("CONTAINER_NAMESPACE=%s", cfg->ns ? cfg->ns : "");
  const char *env[] = { env_id, env_ns, NULL };
  int outp[2], errp[2], ready[2];
  int extra[3];
  struct pollfd p;
  char b;

  g_ptr_array_add (argv, g_strdup (path));
  if (query && *query)
    {
      g_auto (GStrv) pairs = g_strsplit (query, "&", -1);
      for (char **kv = pairs; *kv; kv++)
        {
          char *eq = strchr (*kv, '=');
          if (**kv == '\0')
            continue;
          if (eq)
            *eq = '\0';
          g_ptr_array_add (argv, g_uri_unescape_string (*kv, NULL));
          if (eq)
            g_ptr_array_add (argv, g_uri_unescape_string (eq + 1, NULL));
        }
    }
  g_ptr_array_add (argv, NULL);
  if (pipe2 (outp, O_CLOEXEC) < 0 || pipe2 (errp, O_CLOEXEC) < 0 || pipe2 (ready, O_CLOEXEC) < 0)
    return runsc_error_errno (error, errno, "pipe");
  extra[0] = outp[0];
  extra[1] = errp[0];
  extra[2] = ready[1];
  io->logger_pid = shim_spawn ((const char *const *) argv->pdata, env, (int[]) { -1, -1, -1 }, extra, 3, NULL,
                               TRUE, error);
  close (outp[0]);
  close (errp[0]);
  close (ready[1]);
  if (io->logger_pid < 0)
    {
      close (outp[1]);
      close (errp[1]);
      close (ready[0]);
      return runsc_error_prefix (error, "start logging binary %s", path);
    }
  io->logger_start = runsc_process_start_time (io->logger_pid);
  io->proc_stdout = outp[1];
  io->proc_stderr = errp[1];
  p.fd = ready[0];
  p.events = POLLIN;
  if (poll (&p, 1, LOGGER_READY_TIMEOUT_MS) <= 0)
    log_warning ("logging binary %s did not signal readiness", path);
  else
    (void) !read (ready[0], &b, 1);
  close (ready[0]);
  return TRUE;
}

/* A pipe (close-on-exec): its read end in *r, its write end in *w. */
static gboolean
new_pipe (int *r, int *w, GError **error)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return runsc_error_errno (error, errno, "pipe");
  *r = p[0];
  *w = p[1];
  return TRUE;
}

ShimIO *
shim_io_new (const ShimIOConfig *cfg, GError **error)
{
  ShimIO *io = g_new0 (ShimIO, 1);
  g_autofree char *out_path = NULL, *out_query = NULL, *err_path = NULL, *err_query = NULL, *in_path = NULL;
  g_autofree char *in_query = NULL;
  UriKind out_kind, err_kind, in_kind;

  io->id = g_strdup (cfg->id);
  io->terminal = cfg->terminal;
  io->proc_stdin = io->proc_stdout = io->proc_stderr = -1;
  io->stdin_src = io->stdin_holder = io->pipe_stdin_w = -1;
  io->pipe_stdout_r = io->pipe_stderr_r = -1;
  io->out_dst = io->out_hold = io->err_dst = io->err_hold = -1;
  io->master = -1;
  io->logger_pid = -1;
  io->copiers = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&io->lock);
  g_cond_init (&io->cond);
  io->cancel_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);

  in_kind = parse_uri (cfg->stdin_uri, &in_path, &in_query);
  out_kind = parse_uri (cfg->stdout_uri, &out_path, &out_query);
  err_kind = parse_uri (cfg->stderr_uri, &err_path, &err_query);

  if (in_kind != URI_NONE)
    {
      io->stdin_src = open (in_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (io->stdin_src < 0)
        {
          runsc_error_errno (error, errno, "open stdin fifo %s", in_path);
          goto fail;
        }
      io->stdin_holder = open (in_path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (!cfg->terminal && !new_pipe (&io->proc_stdin, &io->pipe_stdin_w, error))
        goto fail;
    }

  if (out_kind == URI_BINARY)
    {
      if (!start_logger (io, cfg, out_path, out_query, error))
        goto fail;
      return io;
    }
  if (out_kind == URI_FILE)
    {
      g_autofree char *dir = g_path_get_dirname (out_path);
      if (!runsc_mkdir_p (dir, 0755, error))
        goto fail;
      io->out_dst = open (out_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (io->out_dst < 0)
        {
          runsc_error_errno (error, errno, "open %s", out_path);
          goto fail;
        }
    }
  else if (out_kind == URI_FIFO && !open_output (out_path, &io->out_dst, &io->out_hold, error))
    goto fail;

  if (!cfg->terminal)
    {
      if (err_kind == URI_FILE || (err_kind == URI_FIFO && out_kind == URI_FIFO && strcmp (err_path, out_path) == 0))
        {
          io->err_dst = dup (io->out_dst >= 0 ? io->out_dst : -1);
        }
      else if (err_kind == URI_FIFO && !open_output (err_path, &io->err_dst, &io->err_hold, error))
        goto fail;
      if ((io->out_dst >= 0 && !new_pipe (&io->pipe_stdout_r, &io->proc_stdout, error))
          || (io->err_dst >= 0 && !new_pipe (&io->pipe_stderr_r, &io->proc_stderr, error)))
        goto fail;
    }
  if (cfg->uid || cfg->gid)
    {
      int fds[3] = { io->proc_stdin, io->proc_stdout, io->proc_stderr };
      for (int i = 0; i < 3; i++)
        if (fds[i] >= 0 && fchown (fds[i], cfg->uid, cfg->gid) < 0)
          log_warning ("io %s: chown stdio pipe: %s", cfg->id, g_strerror (errno));
    }
  return io;

fail:
  shim_io_free (io);
  return NULL;
}

void
shim_io_process_fds (ShimIO *io, int fds[3])
{
  fds[0] = io->proc_stdin;
  fds[1] = io->proc_stdout;
  fds[2] = io->proc_stderr;
}

gboolean
shim_io_start (ShimIO *io, GError **error)
{
  close_fd (&io->proc_stdin);
  close_fd (&io->proc_stdout);
  close_fd (&io->proc_stderr);
  if (io->stdin_src >= 0 && io->pipe_stdin_w >= 0)
    {
      start_copier (io, "shim-stdin", io->stdin_src, io->pipe_stdin_w, -1, FALSE, TRUE, TRUE);
      io->stdin_src = io->pipe_stdin_w = -1;
    }
  if (io->pipe_stdout_r >= 0)
    {
      start_copier (io, "shim-stdout", io->pipe_stdout_r, io->out_dst, io->out_hold, TRUE, TRUE, TRUE);
      io->pipe_stdout_r = io->out_dst = io->out_hold = -1;
    }
  if (io->pipe_stderr_r >= 0)
    {
      start_copier (io, "shim-stderr", io->pipe_stderr_r, io->err_dst, io->err_hold, TRUE, TRUE, TRUE);
      io->pipe_stderr_r = io->err_dst = io->err_hold = -1;
    }
  return TRUE;
}

gboolean
shim_io_start_console (ShimIO *io, int master, GError **error)
{
  io->master = master;
  if (io->stdin_src >= 0)
    {
      start_copier (io, "shim-console-in", io->stdin_src, master, -1, FALSE, TRUE, FALSE);
      io->stdin_src = -1;
    }
  start_copier (io, "shim-console-out", master, io->out_dst, io->out_hold, TRUE, FALSE, TRUE);
  io->out_dst = io->out_hold = -1;
  return TRUE;
}

int
shim_io_console (ShimIO *io)
{
  return io->master;
}

void
shim_io_close_stdin (ShimIO *io)
{
  close_fd (&io->stdin_holder);
}

gboolean
shim_io_wait_output (ShimIO *io, int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean done;

  g_mutex_lock (&io->lock);
  while (io->outputs_running > 0)
    if (!g_cond_wait_until (&io->cond, &io->lock, end))
      break;
  done = io->outputs_running == 0;
  g_mutex_unlock (&io->lock);
  return done;
}

typedef struct
{
  pid_t pid;
  guint64 start;
} LoggerRef;

static gboolean
kill_logger (gpointer data)
{
  LoggerRef *l = data;
  if (runsc_process_alive (l->pid, l->start))
    kill (l->pid, SIGKILL);
  return G_SOURCE_REMOVE;
}

void
shim_io_free (ShimIO *io)
{
  guint64 one = 1;

  if (io == NULL)
    return;
  if (io->cancel_fd >= 0)
    (void) !write (io->cancel_fd, &one, sizeof one);
  for (guint i = 0; i < io->copiers->len; i++)
    {
      Copier *c = g_ptr_array_index (io->copiers, i);
      g_thread_join (c->thread);
      if (c->owns_src)
        close_fd (&c->src);
      if (c->close_dst_on_eof)
        {
          close_fd (&c->dst);
          close_fd (&c->dst_extra);
        }
    }
  g_ptr_array_unref (io->copiers);
  close_fd (&io->proc_stdin);
  close_fd (&io->proc_stdout);
  close_fd (&io->proc_stderr);
  close_fd (&io->stdin_src);
  close_fd (&io->stdin_holder);
  close_fd (&io->pipe_stdin_w);
  close_fd (&io->pipe_stdout_r);
  close_fd (&io->pipe_stderr_r);
  close_fd (&io->out_dst);
  close_fd (&io->out_hold);
  close_fd (&io->err_dst);
  close_fd (&io->err_hold);
  close_fd (&io->master);
  close_fd (&io->cancel_fd);
  if (io->logger_pid > 0 && runsc_process_alive (io->logger_pid, io->logger_start))
    {
      kill (io->logger_pid, SIGTERM);
      LoggerRef *l = g_new0 (LoggerRef, 1);
      l->pid = io->logger_pid;
      l->start = io->logger_start;
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, LOGGER_KILL_TIMEOUT_S, kill_logger, l, g_free);
    }
  g_mutex_clear (&io->lock);
  g_cond_clear (&io->cond);
  g_free (io->id);
  g_free (io);
}
