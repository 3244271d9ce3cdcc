/* The sandbox's default user namespace (runsc --userns=auto, runsc(8)), made by the Sentry.
 *
 * runsc create allocates a host id range (userns-pool.h) and passes its base to the Sentry, which makes one user
 * namespace for the whole sandbox, mapping container ids 0-65535 to the range, and holds it by descriptor:
 *   - the sandbox's new network, IPC and UTS namespaces are made inside it (owned by it), so that container root
 *     has the capabilities over them that it has under runc (binding port 80, setting the hostname);
 *   - every container of the sandbox joins it (the spec gets a "user" namespace with that path and the mappings);
 *   - its descriptor is what the root filesystem and the bind mounts are idmapped with (idmap.h).
 * A spec that brings its own user namespace keeps it (and then none of this applies). */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "oci/spec.h"

/* Make a user namespace mapping container ids 0..size-1 to host_base.. (uid and gid), held by the returned
 * descriptor. The calling process stays where it is. */
int userns_new (uint32_t host_base, uint32_t size, GError **error);

/* Make the calling process enter a new namespace of type clone_flag (CLONE_NEWNET, CLONE_NEWIPC or CLONE_NEWUTS)
 * owned by the user namespace userns_fd, without entering that user namespace itself. */
gboolean userns_unshare_owned (int userns_fd, int clone_flag, GError **error);

/* Give spec the sandbox's user namespace: a "user" namespace joining /proc/<our pid>/fd/<userns_fd>, and the
 * mappings (container 0..size-1 -> host_base..). No-op (FALSE) when the spec has a user namespace of its own. */
gboolean userns_apply_to_spec (OciSpec *spec, int userns_fd, uint32_t host_base, uint32_t size);
