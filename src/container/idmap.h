/* Idmapped mounts (mount_setattr with MOUNT_ATTR_IDMAP): the root filesystem and the bind mounts of a container
 * in the sandbox's default user namespace (userns.h) show the owners they have on the host, mapped through the
 * sandbox's range: a file owned by host uid 0 is owned by container root (host uid base) through the mount, and
 * what container root creates is owned by host uid 0 on disk. Ids outside 0-65535 on disk show as the overflow
 * id (65534) and give container root no privilege over the file.
 *
 * Made by the Sentry before the container's init forks (the caller needs CAP_SYS_ADMIN over the filesystem's
 * user namespace); the init attaches them with move_mount inside its own mount namespace. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* The host id of container id id through the spec's mappings (uidMappings or gidMappings); FALSE when unmapped. */
gboolean idmap_host_id (const OciIdMapping *maps, gsize n_maps, guint32 id, guint32 *host_id);

/* A detached copy of the mount at path (with its submounts when recursive), idmapped with userns_fd. Returns a
 * close-on-exec descriptor for move_mount, or -1 with an error naming what (the mount) and the reason. */
int idmap_tree (const char *path, gboolean recursive, int userns_fd, const char *what, GError **error);

/* Fill plan->root_idmap_fd and plan->mount_idmap_fds (one per bind mount) from the planned root and mounts. */
gboolean idmap_plan (ContainerPlan *plan, int userns_fd, GError **error);
