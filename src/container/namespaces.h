/* Namespaces: the sandbox's network, IPC and UTS namespaces (entered by the Sentry) and the names and clone flags
 * of every namespace type. */
#pragma once

#include <glib.h>

#include "oci/spec.h"

/* CLONE_NEW* for an OCI namespace type ("network", "mount", ...), or 0 if unknown. */
int namespace_clone_flag (const char *type);

/* The spec's entry of that type, or NULL. */
const OciNamespace *namespace_find (const OciSpec *spec, const char *type);

/* Is key a sysctl that belongs to a namespace (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*,
 * kernel.hostname, kernel.domainname)? Sets *ns_type to the namespace that owns it ("network", "ipc", "uts"). */
gboolean namespace_sysctl_owner (const char *key, const char **ns_type);
