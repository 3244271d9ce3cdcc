/* linux.seccomp: the OCI profile compiled with libseccomp in the parent, installed with seccomp(2) in the init. */
#pragma once

#include <glib.h>
#include <linux/filter.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Compile the profile into a BPF program (out->filter is g_malloc'ed) and the seccomp(2) flags it asks for. */
gboolean seccomp_oci_compile (const OciSeccomp *profile, struct sock_fprog *out, unsigned int *flags,
                              GError **error);

/* In the init: install a BPF program. With listener, the filter is installed with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER and the listener fd is returned. Returns 0 (or the fd) or -1. */
int seccomp_install (const struct sock_fprog *prog, unsigned int flags, bool listener, const char *what,
                     InitError *err);
