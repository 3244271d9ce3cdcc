/* The sync socket between container_spawn and the init; error text in the child. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "container/sync.h"

int
sync_send (int fd, SyncType type, int32_t value, const char *text, const int *fds, size_t n_fds)
{
  SyncMsg msg;
  size_t len = offsetof (SyncMsg, text);

  msg.type = type;
  msg.value = value;
  msg.text[0] = '\0';
  if (text != NULL)
    {
      size_t n = strnlen (text, sizeof msg.text - 1);
      memcpy (msg.text, text, n);
      msg.text[n] = '\0';
      len += n + 1;
    }
  return runsc_send_fds (fd, &msg, len, fds, n_fds);
}

int
sync_recv (int fd, SyncMsg *msg, int *fds, size_t max_fds)
{
  int dummy[2];
  ssize_t n;

  if (fds == NULL)
    {
      fds = dummy;
      max_fds = 2;
    }
  n = runsc_recv_fds (fd, msg, sizeof *msg, fds, max_fds);
  if (fds == dummy)
    {
      for (size_t i = 0; i < 2; i++)
        if (dummy[i] >= 0)
          close (dummy[i]);
    }
  if (n < 0)
    return (int) n;
  if (n == 0)
    return 0;
  if ((size_t) n < offsetof (SyncMsg, text))
    return -EBADMSG;
  if ((size_t) n == offsetof (SyncMsg, text))
    msg->text[0] = '\0';
  msg->text[sizeof msg->text - 1] = '\0';
  return 1;
}

const char *
init_strerror (int errnum)
{
  const char *s = strerrordesc_np (errnum);
  return s != NULL ? s : "Unknown error";
}

int
init_error (InitError *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  if (n < 0)
    n = 0;
  if (errnum != 0 && (size_t) n < sizeof err->msg)
    snprintf (err->msg + n, sizeof err->msg - (size_t) n, ": %s", init_strerror (errnum));
  return -1;
}

int
init_error_prefix (InitError *err, const char *fmt, ...)
{
  char prefix[512];
  size_t plen, mlen;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (prefix, sizeof prefix - 2, fmt, ap);
  va_end (ap);
  if (n < 0)
    return -1;
  plen = strlen (prefix);
  prefix[plen++] = ':';
  prefix[plen++] = ' ';
  mlen = strnlen (err->msg, sizeof err->msg - 1);
  if (plen + mlen >= sizeof err->msg)
    mlen = sizeof err->msg - 1 - plen;
  memmove (err->msg + plen, err->msg, mlen);
  memcpy (err->msg, prefix, plen);
  err->msg[plen + mlen] = '\0';
  return -1;
}

void
init_fail (int sync_fd, const InitError *err)
{
  sync_send (sync_fd, SYNC_ERROR, 0, err->msg, NULL, 0);
  _exit (1);
}

pid_t
raw_fork (unsigned long flags)
{
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}
