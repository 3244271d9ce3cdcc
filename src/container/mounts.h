/* The spec's mounts: options parsed in the parent into MountPlan entries, performed in the init in order. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Parse a propagation name ("rslave", "private", ...) into MS_* flags (with MS_REC for the r- forms). FALSE if
 * the name is not one. */
gboolean mounts_parse_propagation (const char *name, unsigned long *flags);

/* Fill plan->mounts (and plan->cgroups from the host's mountinfo when a cgroup mount is asked for). */
gboolean mounts_plan (ContainerPlan *plan, const OciSpec *spec, const char *bundle, GError **error);

/* In stage 1, before it enters the container's user namespace: make the sysfs and mqueue mounts of a user
 * namespace container as detached mounts (fsopen/fsmount) while still privileged over the sandbox's network and
 * IPC namespaces; mounts_apply attaches them with move_mount. Without this, a user namespace that does not own
 * those namespaces may not mount them. */
int mounts_premake (const ContainerPlan *p, InitError *err);

/* In the init, before pivot_root: perform every mount under rootfd. cgroup_file is the text of /proc/self/cgroup
 * read before the init made its cgroup namespace. */
int mounts_apply (const ContainerPlan *p, int rootfd, const char *cgroup_file, InitError *err);
