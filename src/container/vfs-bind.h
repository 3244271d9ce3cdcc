/* Binding the sandbox kernel's files into a container (plain C, in the init, after fork).
 *
 * The Sentry made the filesystem and handed it over as a detached mount (ContainerPlan.vfs_fd, sentry/vfs.h).
 * Here it is attached on top of the new root for a moment, each of its files is bound over its target inside the
 * root (resolved with RESOLVE_IN_ROOT, so a symlink in the image cannot send a bind elsewhere), and it is detached
 * again: what stays are the bind mounts, read-only like the filesystem, in this mount namespace only. */
#pragma once

#include "container/plan.h"

/* After the spec's mounts and devices, before pivot_root. A target that does not exist is skipped (the spec has no
 * /proc, say), except a file marked create when /dev is the container's own tmpfs. Closes p->vfs_fd. */
int vfs_bind_apply (const ContainerPlan *p, int rootfd, InitError *err);
