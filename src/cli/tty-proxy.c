/* The foreground terminal of `runsc run` (see tty-proxy.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cli/tty-proxy.h"
#include "common/error.h"
#include "common/util.h"

struct TtyProxy
{
  int sock;   /* our end of the console socket */
  int master; /* the container's pty master */
  gboolean raw;
  gboolean in_closed; /* our stdin is at its end (tty_proxy_pump) */
  struct termios saved;
};

static volatile sig_atomic_t winch_pending;

static void
on_winch (int sig)
{
  winch_pending = 1;
}

TtyProxy *
tty_proxy_new (int *child_end, GError **error)
{
  int sv[2];
  TtyProxy *p;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      runsc_error_errno (error, errno, "create the console socket pair");
      return NULL;
    }
  p = g_new0 (TtyProxy, 1);
  p->sock = sv[0];
  p->master = -1;
  *child_end = sv[1];
  return p;
}

static void
copy_size (TtyProxy *p)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (p->master, TIOCSWINSZ, &ws);
}

gboolean
tty_proxy_receive (TtyProxy *p, GError **error)
{
  char name[256];
  int fds[1];
  struct pollfd pfd = { .fd = p->sock, .events = POLLIN };
  ssize_t n;

  if (poll (&pfd, 1, 5000) <= 0)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "the container did not send its terminal");
  n = runsc_recv_fds (p->sock, name, sizeof name, fds, 1);
  if (n < 0)
    return runsc_error_errno (error, (int) -n, "receive the container's terminal");
  if (fds[0] < 0)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "receive the container's terminal: no descriptor");
  p->master = fds[0];
  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &p->saved) == 0)
    {
      struct termios raw = p->saved;
      struct sigaction sa;

      cfmakeraw (&raw);
      if (tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0)
        p->raw = TRUE;
      copy_size (p);
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_winch;
      sigemptyset (&sa.sa_mask);
      sigaction (SIGWINCH, &sa, NULL);
    }
  return TRUE;
}

static gboolean
write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= (size_t) n;
    }
  return TRUE;
}

int
tty_proxy_run (TtyProxy *p, pid_t sentry)
{
  gboolean in_open = TRUE, out_open = TRUE;
  int wstatus = 0;
  gboolean exited = FALSE;
  char buf[8192];

  while (out_open)
    {
      struct pollfd pfd[2] = {
        { .fd = p->master, .events = POLLIN },
        { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
      };
      int r;

      if (winch_pending)
        {
          winch_pending = 0;
          copy_size (p);
        }
      r = poll (pfd, 2, exited ? 100 : 250);
      if (r < 0 && errno != EINTR)
        break;
      if (r > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          ssize_t n = read (p->master, buf, sizeof buf);
          if (n > 0)
            write_all (STDOUT_FILENO, buf, (size_t) n);
          else if (n == 0 || errno != EINTR)
            out_open = FALSE; /* EIO: every holder of the slave is gone */
        }
      if (r > 0 && in_open && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          ssize_t n = read (STDIN_FILENO, buf, sizeof buf);
          if (n > 0)
            write_all (p->master, buf, (size_t) n);
          else if (n == 0 || errno != EINTR)
            in_open = FALSE;
        }
      if (!exited && waitpid (sentry, &wstatus, WNOHANG) == sentry)
        exited = TRUE;
      else if (exited && r == 0)
        break; /* the sandbox is gone and nothing more comes */
    }
  if (!exited)
    while (waitpid (sentry, &wstatus, 0) < 0 && errno == EINTR)
      ;
  return wstatus;
}

void
tty_proxy_poll_fds (TtyProxy *p, struct pollfd fds[2])
{
  fds[0] = (struct pollfd) { .fd = p->master, .events = POLLIN };
  fds[1] = (struct pollfd) { .fd = p->in_closed ? -1 : STDIN_FILENO, .events = POLLIN };
}

gboolean
tty_proxy_pump (TtyProxy *p, const struct pollfd fds[2])
{
  char buf[8192];
  ssize_t n;

  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    {
      n = read (p->master, buf, sizeof buf);
      if (n > 0)
        write_all (STDOUT_FILENO, buf, (size_t) n);
      else if (n == 0 || errno != EINTR)
        return FALSE; /* EIO: every holder of the slave is gone */
    }
  if (!p->in_closed && fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
    {
      n = read (STDIN_FILENO, buf, sizeof buf);
      if (n > 0)
        write_all (p->master, buf, (size_t) n);
      else if (n == 0 || errno != EINTR)
        p->in_closed = TRUE;
    }
  return TRUE;
}

void
tty_proxy_drain (TtyProxy *p)
{
  char buf[8192];

  for (;;)
    {
      struct pollfd pfd = { .fd = p->master, .events = POLLIN };
      ssize_t n;

      if (poll (&pfd, 1, 100) <= 0)
        return;
      n = read (p->master, buf, sizeof buf);
      if (n > 0)
        write_all (STDOUT_FILENO, buf, (size_t) n);
      else if (n == 0 || errno != EINTR)
        return;
    }
}

void
tty_proxy_resize (TtyProxy *p)
{
  copy_size (p);
}

void
tty_proxy_free (TtyProxy *p)
{
  if (p == NULL)
    return;
  if (p->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &p->saved);
  if (p->master >= 0)
    close (p->master);
  if (p->sock >= 0)
    close (p->sock);
  g_free (p);
}
