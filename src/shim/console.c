/* Console socket and pty resize (see console.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "shim/console.h"

struct ShimConsoleSocket
{
  char *dir;
  char *path;
  int fd;
};

ShimConsoleSocket *
shim_console_socket_new (GError **error)
{
  g_autoptr (ShimConsoleSocket) s = g_new0 (ShimConsoleSocket, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  GError *local = NULL;

  s->fd = -1;
  s->dir = g_dir_make_tmp ("runsc-pty-XXXXXX", &local);
  if (s->dir == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "create console socket directory: %s", local->message);
      g_error_free (local);
      return NULL;
    }
  s->path = g_build_filename (s->dir, "pty.sock", NULL);
  if (strlen (s->path) >= sizeof addr.sun_path)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "console socket path %s too long", s->path);
      return NULL;
    }
  strcpy (addr.sun_path, s->path);
  s->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->fd < 0 || bind (s->fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (s->fd, 1) < 0)
    {
      runsc_error_errno (error, errno, "listen on console socket %s", s->path);
      return NULL;
    }
  return g_steal_pointer (&s);
}

const char *
shim_console_socket_path (ShimConsoleSocket *s)
{
  return s->path;
}

int
shim_console_socket_receive (ShimConsoleSocket *s, int timeout_ms, GError **error)
{
  struct pollfd p = { s->fd, POLLIN, 0 };
  autofd int conn = -1;
  char name[4096];
  int fd = -1;
  ssize_t n;

  if (poll (&p, 1, timeout_ms) <= 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "console socket %s: no connection from the runtime", s->path);
      return -1;
    }
  conn = accept4 (s->fd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    {
      runsc_error_errno (error, errno, "accept on console socket %s", s->path);
      return -1;
    }
  p.fd = conn;
  if (poll (&p, 1, timeout_ms) <= 0)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "console socket %s: no pty received", s->path);
      return -1;
    }
  n = runsc_recv_fds (conn, name, sizeof name, &fd, 1);
  if (n < 0 || fd < 0)
    {
      if (fd >= 0)
        close (fd);
      runsc_error_errno (error, n < 0 ? (int) -n : EBADMSG, "receive pty master on %s", s->path);
      return -1;
    }
  return fd;
}

void
shim_console_socket_free (ShimConsoleSocket *s)
{
  if (s == NULL)
    return;
  if (s->fd >= 0)
    close (s->fd);
  if (s->path)
    unlink (s->path);
  if (s->dir)
    rmdir (s->dir);
  g_free (s->path);
  g_free (s->dir);
  g_free (s);
}

gboolean
shim_console_resize (int master, guint32 width, guint32 height, GError **error)
{
  struct winsize ws = { .ws_row = height, .ws_col = width };
  if (ioctl (master, TIOCSWINSZ, &ws) < 0)
    return runsc_error_errno (error, errno, "resize console");
  return TRUE;
}
