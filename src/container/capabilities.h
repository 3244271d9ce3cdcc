/* Capabilities and the process's user: masks computed in the parent (libcap-ng names), applied in the init with
 * prctl and capset (plain C). */
#pragma once

#include <glib.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Fill plan's capability masks from process.capabilities (unknown names and capabilities this kernel lacks are
 * ignored with a warning, as runc does). */
gboolean capabilities_plan (ContainerPlan *plan, const OciCapabilities *caps, GError **error);

/* In the init: drop the bounding set (needs CAP_SETPCAP, so before anything else is dropped). */
int capabilities_drop_bounding (const ContainerPlan *p, InitError *err);

/* In the init: setgroups, setresgid, setresuid keeping capabilities, then set the effective, permitted,
 * inheritable and ambient sets. */
int capabilities_change_user (const ContainerPlan *p, InitError *err);
