/* The Sentry's handler interface: what an emulated system call's handler gets, and the helpers it may use.
 *
 * The notification threads (notify.c) receive a seccomp user notification, look the syscall up in the table
 * (syscall-table.c) and call the row's handler with a SentryCall. The handler returns the syscall's result, and
 * the thread answers the notification with it (SECCOMP_IOCTL_NOTIF_SEND):
 *
 *   >= 0                the syscall's return value
 *   < 0                 -errno: the syscall fails with that errno
 *   SENTRY_ANSWERED     the handler has answered already
 *
 * Handlers run on the syscall path: no GLib, no malloc, no stdio. Use stack buffers, the helpers below and
 * log_*() (allocation-free). Several notification threads serve one container, so handlers must be reentrant.
 *
 * Rules (DESIGN.md §3):
 *   - read each pointer argument once (sentry_read_mem / sentry_read_string), decide, act, write results back
 *     (sentry_write_mem);
 *   - check that the notification is still valid (sentry_call_valid) after reading the app's memory and before
 *     acting on what was read or writing into the app (the pid in the request could otherwise have been reused);
 *   - never answer a decision with "continue" (SECCOMP_USER_NOTIF_FLAG_CONTINUE lets the kernel read the arguments
 *     again from memory the app can change): a handler performs the call or fails it;
 *   - a descriptor the app gets is installed with SECCOMP_IOCTL_NOTIF_ADDFD (SECCOMP_ADDFD_FLAG_SEND), never by a
 *     path the app could change after the check. No handler hands out descriptors today: opens are native, and the
 *     sandbox kernel's files are served over FUSE (vfs.h).
 *
 * The handlers live with their families: uts.c (uname, sethostname, setdomainname), syslog.c, proc.c (sysinfo),
 * sched.c (sched_getaffinity). A row of syscall-table.c names its handler; a new handler is declared in its
 * family's header and added to its row. */
#pragma once

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct SentryKernel SentryKernel;
struct SentryListener;

/* One intercepted call, valid for the duration of the handler. */
typedef struct
{
  SentryKernel *kernel;
  const struct seccomp_notif *req; /* req->id, req->pid (host tid of the caller), req->data.nr, req->data.args[] */
  int notify_fd;                   /* the container's listener */
  pid_t init_pid;                  /* host pid of the container's init: /proc/INIT/root is the container's root */
  const char *container_id;
  /* Private to the dispatcher (serve.c). */
  struct SentryListener *listener;
  int released;
} SentryCall;

/* The handler of an emulated row. Returns the result as described above. */
typedef long (*SentryHandler) (SentryCall *call);

/* Returned by a handler that answered the notification itself. */
#define SENTRY_ANSWERED ((long) INT64_MIN)

static inline uint64_t
sentry_call_arg (const SentryCall *call, unsigned i)
{
  return call->req->data.args[i];
}

static inline pid_t
sentry_call_pid (const SentryCall *call)
{
  return (pid_t) call->req->pid;
}

/* Read len bytes at addr in the caller's memory into buf. Returns 0, or -EFAULT if any of it is unreadable
 * (process_vm_readv; a short read counts as a fault), or -errno (-ESRCH when the caller is gone). */
int sentry_read_mem (const SentryCall *call, uint64_t addr, void *buf, size_t len);

/* Write len bytes of buf to addr in the caller's memory. Returns 0, -EFAULT, or -errno. */
int sentry_write_mem (const SentryCall *call, uint64_t addr, const void *buf, size_t len);

/* Read a NUL-terminated string at addr into buf (size bytes, NUL included), page by page so that a string that
 * ends just before an unmapped page reads correctly. Returns the length without the NUL, -EFAULT, or
 * -ENAMETOOLONG when no NUL is found in size bytes. */
ssize_t sentry_read_string (const SentryCall *call, uint64_t addr, char *buf, size_t size);

/* 0 if the notification is still pending (the caller is still blocked in the call), else -ENOENT (or -errno).
 * SECCOMP_IOCTL_NOTIF_ID_VALID. */
int sentry_call_valid (const SentryCall *call);

/* Call before a wait that may last (syslog(2) READ waiting for a line):
 * another thread takes over receiving the container's calls, so that they do not wait behind this one. Cheap;
 * may be called more than once. Without it the container's calls are served by one thread at a time. */
void sentry_call_may_block (SentryCall *call);

/* TRUE once the Sentry is shutting this container's listener down (sentry_kernel_free): a handler that waits
 * should stop waiting and return an error (-EINTR), or the shutdown waits for it. */
int sentry_call_stopping (const SentryCall *call);

/* The name of syscall nr from the table ("openat"), or NULL if the table does not know it. */
const char *sentry_syscall_name (int nr);
