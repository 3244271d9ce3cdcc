/* The layers under a root that is itself an overlayfs mount (src/container/rootfs-layers.c).
 *
 * With the in-memory root (--overlay2=root:memory) the sandbox mounts an overlay whose upper layer is a tmpfs.
 * Under containerd, Docker or Podman the bundle's rootfs is already an overlay of the image's layers, and an
 * overlay stacked on an overlay pays two lookups and two opens for every path (bench/workloads: nginx at 0.90x
 * runc's requests/s, against 1.10x without the in-memory layer). When the image overlay's own upper layer is
 * empty, as a new container's is, the sandbox's overlay can take the image's lower layers directly: the same
 * files, one overlay deep, as runc's root. */
#pragma once

#include <glib.h>

/* More layers than this go through the nested overlay: each layer is one descriptor in the init, and the
 * overlay's option string has to fit in a page. */
#define ROOTFS_MAX_LAYERS 128

/* The lower layers (top first, absolute paths, a NULL-terminated array) of the overlayfs mounted at rootfs when
 * they can replace it as the in-memory overlay's lower layer: rootfs is the root of an overlayfs mount, whose
 * options are all known to mean the same in a mount of the layers alone, whose paths are absolute directories
 * without characters the overlay's option syntax would need escaped, and whose upper layer (if any) is empty.
 * NULL otherwise: the in-memory overlay then goes over rootfs as it is. Never an error: this is an
 * optimisation, and the reason it does not apply is logged at debug level. */
char **rootfs_overlay_layers (const char *rootfs, const char *mountinfo_path);
