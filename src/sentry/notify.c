/* Helpers for the Sentry's handlers: the caller's memory, ADDFD, id validity (notify.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sentry/notify.h"
#include "sentry/strace-format.h"

int
sentry_read_mem (const SentryCall *call, uint64_t addr, void *buf, size_t len)
{
  struct iovec local = { buf, len };
  struct iovec remote = { (void *) (uintptr_t) addr, len };
  ssize_t n;

  if (len == 0)
    return 0;
  n = process_vm_readv (sentry_call_pid (call), &local, 1, &remote, 1, 0);
  if (n < 0)
    return -errno;
  return (size_t) n == len ? 0 : -EFAULT;
}

int
sentry_write_mem (const SentryCall *call, uint64_t addr, const void *buf, size_t len)
{
  struct iovec local = { (void *) buf, len };
  struct iovec remote = { (void *) (uintptr_t) addr, len };
  ssize_t n;

  if (len == 0)
    return 0;
  n = process_vm_writev (sentry_call_pid (call), &local, 1, &remote, 1, 0);
  if (n < 0)
    return -errno;
  return (size_t) n == len ? 0 : -EFAULT;
}

static int
read_view (void *ctx, uint64_t addr, void *buf, size_t len)
{
  return sentry_read_mem (ctx, addr, buf, len);
}

ssize_t
sentry_read_string (const SentryCall *call, uint64_t addr, char *buf, size_t size)
{
  SentryCallView view = { (const uint64_t *) call->req->data.args, read_view, (void *) call, sentry_call_pid (call) };

  return sentry_view_read_string (&view, addr, buf, size);
}

int
sentry_call_valid (const SentryCall *call)
{
  uint64_t id = call->req->id;
  if (ioctl (call->notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
    return -errno;
  return 0;
}

