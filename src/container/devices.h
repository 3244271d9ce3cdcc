/* /dev inside the container: the default devices, the spec's linux.devices and the standard links. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Fill plan->devices: the defaults (null zero full random urandom tty) with the spec's devices replacing or adding
 * entries. */
gboolean devices_plan (ContainerPlan *plan, const OciSpec *spec, GError **error);

/* In the sandbox's default user namespace, where the init cannot mknod: make each of the spec's linux.devices
 * (not the defaults, which are the host's own) as runc would, with its type, numbers, mode and owner, on a
 * detached tmpfs of the Sentry's, idmapped for userns_fd; each DevicePlan's node_fd is then a detached mount of
 * its node for the init to attach. Needs a kernel that clones a path of a detached mount (open_tree) and
 * idmaps tmpfs (6.3 and later); the error says so otherwise. */
gboolean devices_make_nodes (ContainerPlan *plan, const OciSpec *spec, int userns_fd, GError **error);

/* In the init, after the mounts: create the devices (mknod; inside a user namespace, the Sentry's node or a bind of
 * the host's device), /dev/ptmx -> pts/ptmx, fd/stdin/stdout/stderr/core links, /dev/pts and /dev/shm. */
int devices_apply (const ContainerPlan *p, int rootfd, InitError *err);
