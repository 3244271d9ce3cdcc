/* The Sentry's handler interface: what an emulated system call's handler gets, and the helpers it may use.
 *
 * The notification threads (notify.c) receive a seccomp user notification, look the syscall up in the table
 * (syscall-table.c) and call the row's handler with a SentryCall. The handler returns the syscall's result, and
 * the thread answers the notification with it (SECCOMP_IOCTL_NOTIF_SEND):
 *
 *   >= 0                the syscall's return value
 *   < 0                 -errno: the syscall fails with that errno
 *   SENTRY_ANSWERED     the handler has answered already (sentry_addfd () answers with the new fd)
 *   SENTRY_CONTINUE     the kernel runs the call itself (observed calls only, see below)
 *
 * Handlers run on the syscall path: no GLib, no malloc, no stdio. Use stack buffers, the helpers below and
 * log_*() (allocation-free). Several notification threads serve one container, so handlers must be reentrant.
 *
 * Rules (DESIGN.md §3):
 *   - read each pointer argument once (sentry_read_mem / sentry_read_string), decide, act, write results back
 *     (sentry_write_mem);
 *   - check that the notification is still valid (sentry_call_valid) after reading the app's memory and before
 *     acting on what was read or writing into the app (the pid in the request could otherwise have been reused);
 *   - never answer a security decision with "continue" (SENTRY_CONTINUE is for calls the Sentry only observes);
 *   - a descriptor the app gets is opened by the Sentry and installed with sentry_addfd ().
 *
 * The handlers live with their families: uts.c (uname, sethostname, setdomainname), syslog.c, files.c (open,
 * openat, openat2, creat), proc.c (sysinfo). A row of syscall-table.c names its handler; a new handler is
 * declared in its family's header and added to its row. */
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

/* Returned by a handler that only observes the call and lets the kernel run it (SECCOMP_USER_NOTIF_FLAG_CONTINUE):
 * a call after which the Sentry must not trust something it cached (chroot: the listener's cached root; setuid,
 * capset, execve and the other credential calls: the cached credentials, creds.h). Never for a security decision:
 * the kernel reads the arguments again from memory the app can change. */
#define SENTRY_CONTINUE ((long) INT64_MIN + 1)

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

/* Install fd (a descriptor of the Sentry's) into the caller as the result of the call, atomically
 * (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND). newfd_flags is 0 or O_CLOEXEC. On success the call is
 * answered with the new descriptor number: return SENTRY_ANSWERED. Returns the app's fd number (>= 0) or -errno
 * (then the call is not answered; return the error). The caller still owns fd and closes it. */
long sentry_addfd (const SentryCall *call, int fd, unsigned newfd_flags);

/* Call before a wait that may last (an open of a FIFO waiting for its peer, syslog(2) READ waiting for a line):
 * another thread takes over receiving the container's calls, so that they do not wait behind this one. Cheap;
 * may be called more than once. Without it the container's calls are served by one thread at a time. */
void sentry_call_may_block (SentryCall *call);

/* TRUE once the Sentry is shutting this container's listener down (sentry_kernel_free): a handler that waits
 * should stop waiting and return an error (-EINTR), or the shutdown waits for it. */
int sentry_call_stopping (const SentryCall *call);

/* The container's root directory cached for this listener (every process behind one seccomp listener has the same
 * root until one of them calls chroot): a borrowed O_PATH descriptor, valid until the listener ends, or -1 when
 * there is none (yet, or any more after a chroot). */
int sentry_call_cached_root (const SentryCall *call);

/* Offer root (the caller's /proc/TID/root, opened before a successful sentry_call_valid) as the listener's cached
 * root; the listener keeps a duplicate if it has none. */
void sentry_call_offer_root (const SentryCall *call, int root);

/* A process behind this listener changes its root (chroot): stop using and offering the cached root. */
void sentry_call_forget_root (const SentryCall *call);

/* The name of syscall nr from the table ("openat"), or NULL if the table does not know it. */
const char *sentry_syscall_name (int nr);
