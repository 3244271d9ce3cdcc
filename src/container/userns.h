/* The sandbox's default user namespace (runsc --userns=auto, runsc(8)), made by the Sentry.
 *
 * runsc create allocates a host id range (userns-pool.h) and passes its base to the Sentry, which makes one user
 * namespace for the whole sandbox, mapping container ids 0-65535 to the range, and holds it by descriptor. It is
 * nested: its parent, the outer user namespace, maps the range to itself, and each container's init does its
 * mounts there (as the range's first ids) before entering the sandbox's namespace with a copy of its mount
 * namespace, which the kernel locks (init.c, plan.h userns_nested). Besides:
 *   - the sandbox's new network, IPC and UTS namespaces are made inside it (owned by it), so that container root
 *     has the capabilities over them that it has under runc (binding port 80, setting the hostname);
 *   - every container of the sandbox joins it (the spec gets a "user" namespace with that path and the mappings);
 *   - its descriptor is what the root filesystem and the bind mounts are idmapped with (idmap.h).
 * A spec that brings its own user namespace keeps it (and then none of this applies). */
#pragma once

#include <glib.h>
#include <sched.h>
#include <stdint.h>

#include "oci/spec.h"

/* The namespaces userns_new can make owned by the new user namespace, in the order of its ns_fds. */
#define USERNS_N_OWNED 3
#define USERNS_OWNED_FLAGS (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* Make a user namespace mapping container ids 0..size-1 to host_base.. (uid and gid), held by the returned
 * descriptor, and with it new network, IPC and UTS namespaces owned by it, those of CLONE_NEWNET, CLONE_NEWIPC and
 * CLONE_NEWUTS that ns_flags has: ns_fds[0..2] get their descriptors (net, ipc, uts; -1 for one not asked), for
 * container_enter_sandbox_namespaces_made. Its parent (NS_GET_PARENT) is the outer user namespace, mapping
 * host_base..+size-1 to itself. Two short-lived helper processes make them (the outer one maps the inner one:
 * only a process in the parent namespace may). The calling process stays where it is. On error, -1 and no
 * descriptor is left open. */
int userns_new (uint32_t host_base, uint32_t size, int ns_flags, int ns_fds[USERNS_N_OWNED], GError **error);

/* Give spec the sandbox's user namespace: a "user" namespace joining /proc/<our pid>/fd/<userns_fd>, and the
 * mappings (container 0..size-1 -> host_base..). No-op (FALSE) when the spec has a user namespace of its own. */
gboolean userns_apply_to_spec (OciSpec *spec, int userns_fd, uint32_t host_base, uint32_t size);
