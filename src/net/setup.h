/* The sandbox's network set-up (src/net/setup.c): what runsc's --network and --net-raw flags do to the spec,
 * and the loopback of a network namespace the sandbox makes itself. Called by the Sentry as it boots
 * (src/sentry/boot.c) and for each container it adds. */
#pragma once

#include <glib.h>

#include "oci/spec.h"

/* --network: host shares the caller's network namespace (the spec's network namespace entry removed); none gets
 * a fresh one (loopback only: the entry's path cleared, or an entry added); sandbox (or NULL) keeps the spec's
 * (a path to join, or a new one). Any other value: FALSE with RUNSC_ERROR_INVALID naming it. */
gboolean net_apply_mode (OciSpec *spec, const char *network, GError **error);

/* Without --net-raw (net_raw FALSE), the spec's process loses CAP_NET_RAW (gVisor's rule: raw and packet
 * sockets need the flag). */
void net_apply_raw (OciSpec *spec, gboolean net_raw);

/* Bring up "lo" in the caller's network namespace when the spec asks for a new one (a network namespace entry
 * without a path): "none" means loopback only, not nothing, as in gVisor. Call after entering the sandbox's
 * namespaces. A failure is logged as a warning, not returned. */
void net_bring_up_loopback (const OciSpec *spec);
