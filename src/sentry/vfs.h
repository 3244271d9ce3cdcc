/* The sandbox kernel's files, served by the Sentry over FUSE (libfuse3's low-level API).
 *
 * /proc/{version,cmdline,uptime,meminfo,cpuinfo,stat,loadavg,kmsg}, /proc/sys/kernel/{osrelease,ostype,version,
 * hostname,domainname} and /dev/kmsg are the Sentry's: their text is rendered by proc.c (and the kernel log,
 * klog.c) when they are read, for the reading process (its cgroup's limits), as LXCFS does. Opening every other
 * file is the host kernel's business: the container's mount namespace, device cgroup and credentials decide it.
 *
 * Each container gets a FUSE filesystem of its own (a connection on a /dev/fuse that `runsc create` opened, made
 * here in the Sentry, so that the kernel names callers by their pid in the Sentry's pid namespace): sentry_vfs_mount returns it as a detached
 * mount, read-only, nosuid, nodev, noexec, that the container's init binds file by file over the paths above in
 * its own mount namespace before its root is pivoted (container/vfs-bind.c). Nothing is mounted on the host; a
 * connection ends when the last of its container's mounts goes (the container's mount namespace dies) or with the
 * Sentry.
 *
 * One thread serves every connection of the sandbox, away from the syscall notification threads, with bounded
 * work per request (a render is at most a few pages, or the host's cpuinfo) and bounded memory (at most
 * SENTRY_VFS_MAX_OPEN open files and SENTRY_VFS_MAX_TEXT bytes of their text per connection; past either, an open
 * fails with ENFILE). A read of /dev/kmsg or /proc/kmsg at the end of the log does not hold the thread: the
 * request is parked and answered when a record is appended (or when the reader is interrupted by a signal).
 *
 * /dev/kmsg keeps the kernel's semantics: one record per read ("PRI,SEQ,USEC,-;TEXT\n"; EINVAL when the buffer is
 * too small), a blocking read waits for the next record (EAGAIN with O_NONBLOCK), poll(2) reports new records,
 * and lseek(fd, 0, SEEK_SET / SEEK_END) goes to the first / past the last record. The file's size is the length of
 * the record stream so far (kernel.h). */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "container/container.h"
#include "sentry/sentry.h"

#define SENTRY_VFS_MAX_OPEN 1024
#define SENTRY_VFS_MAX_TEXT (32u << 20) /* bytes of rendered text one connection's open files may hold */

typedef struct SentryVfs SentryVfs;

/* Start the serving thread. Fails if the thread cannot start. */
SentryVfs *sentry_vfs_new (SentryKernel *k, GError **error);

/* Open /dev/fuse (close-on-exec), or fail with an error naming /dev/fuse and the fuse kernel module. `runsc create`
 * opens it and hands it to the Sentry: the sandbox's device cgroup, which the Sentry lives in, does not allow it. */
int sentry_vfs_open_device (GError **error);

/* A new connection on dev (an open /dev/fuse; taken over, closed on failure too): a detached mount (close-on-exec
 * fd) of a fresh filesystem whose files are owned by uid:gid (host ids: the container's root), served from now on. */
int sentry_vfs_mount (SentryVfs *v, int dev, uid_t uid, gid_t gid, GError **error);

/* The two halves of sentry_vfs_mount, for a Sentry that has confined itself (spawner.h): the privileged one, run
 * by the spawner: a detached mount (close-on-exec fd) of a fresh filesystem on dev (an open /dev/fuse, not taken
 * over: the caller closes its copy), files owned by uid:gid; and the Sentry's: serve the connection on dev (taken
 * over, closed on failure too). The mount is made first (the kernel queues FUSE_INIT until the Sentry reads it). */
int sentry_vfs_fsmount (int dev, uid_t uid, gid_t gid, GError **error);
gboolean sentry_vfs_serve (SentryVfs *v, int dev, uid_t uid, gid_t gid, GError **error);

/* The files, by name in the filesystem's root, and where each goes in a container (for container_spawn). */
const ContainerVfsFile *sentry_vfs_files (gsize *n);

/* The number of live connections (for tests). */
guint sentry_vfs_connections (SentryVfs *v);

/* Stop the thread, end every connection. */
void sentry_vfs_free (SentryVfs *v);
