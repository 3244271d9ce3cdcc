/* /dev inside the container: the default devices, the spec's linux.devices and the standard links. */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Fill plan->devices: the defaults (null zero full random urandom tty) with the spec's devices replacing or adding
 * entries. */
gboolean devices_plan (ContainerPlan *plan, const OciSpec *spec, GError **error);

/* In the init, after the mounts: create the devices (mknod, or a bind of the host's device inside a user
 * namespace), /dev/ptmx -> pts/ptmx, fd/stdin/stdout/stderr/core links, /dev/pts and /dev/shm. */
int devices_apply (const ContainerPlan *p, int rootfd, InitError *err);
