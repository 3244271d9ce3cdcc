/* The task's root filesystem: containerd's Create passes the mounts (an overlay of the image's snapshots) that
 * the shim mounts on BUNDLE/rootfs before runsc create, and unmounts when the task is deleted. */
#pragma once

#include <glib.h>

#include "task.pb-c.h"

/* Mount each of mounts on bundle/rootfs in order (none: nothing to do). *mounted says whether anything stays
 * mounted; on failure what was mounted is undone. */
gboolean shim_rootfs_mount (const char *bundle, Containerd__Task__V2__Mount *const *mounts, size_t n,
                            gboolean *mounted, GError **error);
/* Detach every mount on bundle/rootfs. */
void shim_rootfs_unmount (const char *bundle);
