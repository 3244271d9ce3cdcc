/* recvtty: the receiving end of an OCI runtime's --console-socket, for the integration tests.
 *
 * Usage: recvtty [--input TEXT] [--timeout SECONDS] --out FILE SOCKET
 *
 * Listens on the unix socket SOCKET (bound under a temporary name and renamed into place once listening, so
 * that the path existing means a runtime can connect), accepts one connection, receives exactly one file
 * descriptor (the pty master) with SCM_RIGHTS, writes TEXT to it (C escapes \n, \r, \t, \\ and \004 are
 * understood), then copies everything read from the master into FILE until the slave side is closed by
 * every process of the container (read fails with EIO, or returns 0).  It exits 0 then, 1 on an error, 2 on
 * a usage error and 3 when SECONDS (default 60) pass first.  Any message data sent with the fd (runc sends the
 * pty's name) is written to FILE.name.  */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
die (int status, const char *what)
{
  fprintf (stderr, "recvtty: %s: %s\n", what, strerror (errno));
  exit (status);
}

static void
usage (void)
{
  fputs ("usage: recvtty [--input TEXT] [--timeout SECONDS] --out FILE SOCKET\n", stderr);
  exit (2);
}

/* Decode the escapes of TEXT in place and return its new length.  */
static size_t
unescape (char *text)
{
  char *r = text, *w = text;

  while (*r)
    {
      if (*r != '\\' || r[1] == '\0')
        {
          *w++ = *r++;
          continue;
        }
      r++;
      switch (*r)
        {
        case 'n': *w++ = '\n'; r++; break;
        case 'r': *w++ = '\r'; r++; break;
        case 't': *w++ = '\t'; r++; break;
        case '\\': *w++ = '\\'; r++; break;
        case '0': case '1': case '2': case '3':
          {
            int v = 0, n = 0;
            while (n < 3 && *r >= '0' && *r <= '7')
              {
                v = v * 8 + (*r++ - '0');
                n++;
              }
            *w++ = (char) v;
          }
          break;
        default:
          *w++ = '\\';
          *w++ = *r++;
        }
    }
  *w = '\0';
  return (size_t) (w - text);
}

static int
listen_at (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char tmp[sizeof addr.sun_path];
  int fd;

  if (snprintf (tmp, sizeof tmp, "%s.%ld", path, (long) getpid ()) >= (int) sizeof tmp)
    {
      errno = ENAMETOOLONG;
      die (1, path);
    }
  memcpy (addr.sun_path, tmp, strlen (tmp) + 1);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    die (1, "socket");
  unlink (tmp);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    die (1, tmp);
  if (listen (fd, 1) < 0)
    die (1, "listen");
  if (rename (tmp, path) < 0)
    die (1, path);
  return fd;
}

/* Receive one message carrying exactly one fd; store its data (the pty's name) in NAME.  */
static int
receive_fd (int conn, char *name, size_t name_size)
{
  union
  {
    struct cmsghdr hdr;
    char buf[CMSG_SPACE (sizeof (int) * 4)];
  } control;
  struct iovec iov = { .iov_base = name, .iov_len = name_size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  struct cmsghdr *cmsg;
  ssize_t n;
  int fd = -1, count = 0;

  do
    n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    die (1, "recvmsg");
  name[n > 0 ? n : 0] = '\0';
  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
    if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
      {
        size_t len = cmsg->cmsg_len - CMSG_LEN (0);
        int fds[4];

        memcpy (fds, CMSG_DATA (cmsg), len);
        for (size_t i = 0; i < len / sizeof (int); i++)
          {
            if (fd < 0)
              fd = fds[i];
            else
              close (fds[i]);
            count++;
          }
      }
  if (msg.msg_flags & MSG_CTRUNC)
    {
      fprintf (stderr, "recvtty: control message truncated: more than 4 fds sent\n");
      exit (1);
    }
  if (count != 1)
    {
      fprintf (stderr, "recvtty: expected exactly one fd, received %d\n", count);
      exit (1);
    }
  return fd;
}

static void
write_all (int fd, const char *buf, size_t len, const char *what)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die (1, what);
      buf += n;
      len -= (size_t) n;
    }
}

static void
on_alarm (int sig)
{
  (void) sig;
  static const char msg[] = "recvtty: timed out\n";
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    _exit (3);
  _exit (3);
}

int
main (int argc, char **argv)
{
  const char *out_path = NULL, *socket_path = NULL;
  char *input = NULL;
  char name[4096], buf[8192], name_path[4096];
  unsigned timeout = 60;
  int listener, conn, master, out;
  size_t input_len = 0;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--input") == 0 && i + 1 < argc)
        input = argv[++i];
      else if (strcmp (argv[i], "--out") == 0 && i + 1 < argc)
        out_path = argv[++i];
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = (unsigned) strtoul (argv[++i], NULL, 10);
      else if (argv[i][0] == '-' || socket_path)
        usage ();
      else
        socket_path = argv[i];
    }
  if (!socket_path || !out_path)
    usage ();
  if (input)
    input_len = unescape (input);

  signal (SIGALRM, on_alarm);
  signal (SIGPIPE, SIG_IGN);
  alarm (timeout);

  out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0)
    die (1, out_path);
  listener = listen_at (socket_path);
  do
    conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    die (1, "accept");
  master = receive_fd (conn, name, sizeof name);
  close (conn);
  close (listener);
  unlink (socket_path);

  if (snprintf (name_path, sizeof name_path, "%s.name", out_path) < (int) sizeof name_path)
    {
      int nfd = open (name_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (nfd < 0)
        die (1, name_path);
      write_all (nfd, name, strlen (name), name_path);
      close (nfd);
    }

  if (input_len > 0)
    write_all (master, input, input_len, "write to the pty master");

  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0 || (n < 0 && errno == EIO))
        break;
      if (n < 0)
        die (1, "read from the pty master");
      write_all (out, buf, (size_t) n, out_path);
    }
  if (close (out) < 0)
    die (1, out_path);
  return 0;
}
