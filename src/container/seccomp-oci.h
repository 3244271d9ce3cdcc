/* linux.seccomp: the OCI profile compiled with libseccomp in the parent, installed with seccomp(2) in the init. */
#pragma once

#include <glib.h>
#include <linux/filter.h>

#include "container/plan.h"
#include "oci/spec.h"

/* Compile the profile into a BPF program (out->filter is g_malloc'ed) and the seccomp(2) flags it asks for.
 *
 * answered: the (x86-64) numbers of the calls the sandbox's Sentry answers itself (its emulated rows), when the
 * sandbox filter is installed after this one; NULL (n_answered 0) otherwise. Such a call that the profile does
 * not name in any rule is ALLOWed by this program whatever the profile's defaultAction, so that the sandbox
 * filter hands it to the Sentry; one the profile names is decided by the profile as written. Every other call
 * is decided by the profile exactly as written. */
gboolean seccomp_oci_compile (const OciSeccomp *profile, const int *answered, gsize n_answered,
                              struct sock_fprog *out, unsigned int *flags, GError **error);

/* In the init: install a BPF program. With listener, the filter is installed with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER and the listener fd is returned. Returns 0 (or the fd) or -1. */
int seccomp_install (const struct sock_fprog *prog, unsigned int flags, bool listener, const char *what,
                     InitError *err);
