/* process.terminal: the pty and the console socket. Plain C, in the init. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common/util.h"
#include "container/console.h"
#include "container/sync.h"

int
console_setup (const ContainerPlan *p, InitError *err)
{
  char name[64];
  int master, slave, unlock = 0, r;
  unsigned int ptn = 0;

  if (p->console_socket < 0)
    return init_error (err, 0, "process.terminal is set but no console socket was given (--console-socket)");
  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return init_error (err, errno, "open /dev/ptmx in the container");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0 || ioctl (master, TIOCGPTN, &ptn) < 0)
    {
      int e = errno;
      close (master);
      return init_error (err, e, "unlock the pty");
    }
  snprintf (name, sizeof name, "/dev/pts/%u", ptn);
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    slave = open (name, O_RDWR | O_NOCTTY);
  if (slave < 0)
    {
      int e = errno;
      close (master);
      return init_error (err, e, "open %s", name);
    }
  if (p->has_console_size)
    {
      struct winsize ws = { .ws_row = p->console_rows, .ws_col = p->console_cols };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        {
          int e = errno;
          close (master);
          close (slave);
          return init_error (err, e, "set the size of %s", name);
        }
    }
  if (fchown (slave, p->uid, p->gid) < 0 && errno != EINVAL)
    {
      int e = errno;
      close (master);
      close (slave);
      return init_error (err, e, "chown %s", name);
    }
  if (setsid () < 0 && errno != EPERM)
    {
      int e = errno;
      close (master);
      close (slave);
      return init_error (err, e, "setsid");
    }
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    {
      int e = errno;
      close (master);
      close (slave);
      return init_error (err, e, "make %s the controlling terminal", name);
    }
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      {
        int e = errno;
        close (master);
        close (slave);
        return init_error (err, e, "dup %s to fd %d", name, i);
      }
  if (slave > 2)
    close (slave);
  r = runsc_send_fds (p->console_socket, name, strlen (name), &master, 1);
  close (master);
  if (r < 0)
    return init_error (err, -r, "send the pty master over the console socket");
  return 0;
}
