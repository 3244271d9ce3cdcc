/* Mediated opens: open(2), openat(2), openat2(2) and creat(2) performed by the Sentry for the app.
 *
 * The app never resolves a path itself. The Sentry copies the path out of the app once, resolves it the way the
 * kernel would for that app thread (its root, its cwd or dirfd, its fsuid/fsgid/groups/capabilities/umask, read
 * from /proc/TID/status at call time), opens the result, and installs the descriptor into the app with
 * SECCOMP_IOCTL_NOTIF_ADDFD. The app thus gets exactly what it would have got, never more, and a second app
 * thread rewriting the path buffer during the call cannot change what is opened.
 *
 * How a path is resolved:
 *   - Fast path (no symbolic link on the way): one openat2() with RESOLVE_NO_SYMLINKS, relative to the app's
 *     root with RESOLVE_IN_ROOT for absolute paths, or to the app's directory for relative ones (inside a
 *     chroot to the app's root when the path has "..", so that ".." stops where it stops for the app).
 *   - Slow path (a symlink, /proc/self, /proc/thread-self, /dev/tty, /dev/kmsg, ...): a component-by-component
 *     walk on a Sentry thread chrooted into the app's root (unshare(CLONE_FS) once per thread): symlinks are
 *     read and followed by the walker, /proc/self and /proc/thread-self become the app's own ids in its pid
 *     namespace (NStgid/NSpid), procfs magic links (/proc/PID/fd/N, cwd, root, exe) are left to the kernel to
 *     follow under the app's credentials, the openat2 RESOLVE_* flags the app asked for are honoured.
 *   - What the path resolved to decides whether it is one of the virtual kernel's files (proc.h: compared by
 *     procfs inode and path, so /proc/./version, /proc/../proc/version and a symlink to /proc/version all
 *     count): then the app gets a sealed memfd with the sandbox's text, or for /dev/kmsg and /proc/kmsg a
 *     stream of the sandbox's log (kmsg.h). Opening those for writing fails with EACCES.
 *   - /dev/tty opens the app's controlling terminal (not the Sentry's); FIFOs are opened without blocking the
 *     Sentry thread unless the app's open has to wait for a peer.
 *
 * Allocation-free: stack buffers and descriptors only. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "sentry/notify.h"

/* Open path as app thread tid (a host tid) would with openat2(dirfd, path, {flags, mode, resolve}).
 * k may be NULL (then the virtual files other than the /proc ones derived from the host fail with ENOENT...
 * only tests pass NULL). Returns a descriptor of the Sentry's (close-on-exec) or -errno. flags must already be
 * what the kernel would use (see sentry_files_open_flags). *served_virtual (may be NULL) is set to 1 when the
 * result is one of the virtual kernel's files. */
int sentry_files_open (SentryKernel *k, pid_t tid, int dirfd, const char *path, int flags, mode_t mode,
                       uint64_t resolve, int *served_virtual);

/* open(2)/openat(2)/creat(2)'s view of flags and mode: unknown bits dropped, O_LARGEFILE forced, mode kept only
 * with O_CREAT or O_TMPFILE. */
void sentry_files_open_flags (int *flags, mode_t *mode);

/* Table handlers. */
long sentry_sys_open (SentryCall *call);
long sentry_sys_openat (SentryCall *call);
long sentry_sys_openat2 (SentryCall *call);
long sentry_sys_creat (SentryCall *call);
/* chroot(2): the kernel runs it; the listener stops using its cached root (sentry_call_forget_root). */
long sentry_sys_chroot (SentryCall *call);

/* Counters for tests and benchmarks: how many opens took the fast path, the walk, and how many were virtual. */
typedef struct
{
  uint64_t fast;
  uint64_t walk;
  uint64_t virt;
} SentryFilesStats;
void sentry_files_stats (SentryFilesStats *out);
