/* The root filesystem inside the init (plain C, after fork): resolving paths inside the root, preparing the root
 * mount (bind or in-memory overlay), pivot_root, masked and read-only paths. */
#pragma once

#include <stdbool.h>

#include "container/plan.h"

/* Open path inside the root (openat2 RESOLVE_IN_ROOT, no magic links) as O_PATH. Returns the fd or -1 with errno. */
int rootfs_open_in_root (int rootfd, const char *path, int extra_flags);

/* Create path inside the root (every missing directory; the last component as an empty file when file is true)
 * without following a symlink out of the root, and return an O_PATH fd of it. */
int rootfs_mkdir_in_root (int rootfd, const char *path, bool file, InitError *err);

/* Open the parent directory of path inside the root (created if missing); *name points into path at the last
 * component. Returns an O_PATH fd or -1. */
int rootfs_parent_in_root (int rootfd, const char *path, const char **name, InitError *err);

/* "/proc/self/fd/N" into buf. */
const char *rootfs_fd_path (char *buf, size_t size, int fd);

/* The MS_* flags of the mount an fd is on that a bind remount must keep (ro, nosuid, nodev, noexec, atime). */
unsigned long rootfs_mount_flags (int fd);

/* Make the host's "/" slave (or private) in the new mount namespace, mount the root (a bind onto itself, or an
 * overlay with a tmpfs upper layer) and return an O_PATH fd of the new root mount. */
int rootfs_prepare (const ContainerPlan *p, InitError *err);

/* pivot_root into rootfd and detach the old root. */
int rootfs_pivot (int rootfd, InitError *err);

/* After pivot_root: masked paths, read-only paths, the deferred read-only mounts and a read-only root. */
int rootfs_finalize (const ContainerPlan *p, InitError *err);

/* The root's propagation (linux.rootfsPropagation), last: in the sandbox's nested user namespace after the init
 * has entered the container's, whose copy of the mount namespace turned shared mounts into slaves (init.c). */
int rootfs_propagate (const ContainerPlan *p, InitError *err);
