/* Whether a sandbox's containers run in a user namespace that is not the host's: the one fact that lets the
 * syscall table widen privileged calls (mount, umount2, network configuration ioctls) for them. */
#pragma once

#include <glib.h>

#include "oci/spec.h"

/* TRUE when the spec gives the container a user namespace other than the one this process (the Sentry, in the
 * host's user namespace) is in: a new one, or one named by path whose namespace differs from ours. FALSE for no
 * user namespace, a path naming our own, or a path that cannot be read (fail closed: the narrow table). Decided
 * once, at boot, from what the container will be in, not from how the namespace was chosen. */
gboolean sentry_spec_own_userns (const OciSpec *spec);

typedef struct SentryKernel SentryKernel;

/* The decision the sandbox's filter was built with (sentry_spec_own_userns of the root container's spec). */
gboolean sentry_kernel_own_userns (const SentryKernel *k);
