/* The Sentry's syscall layer and virtual kernel, as the sandbox process (boot.c) uses them. */
#pragma once

#include <glib.h>
#include <linux/filter.h>
#include <sys/types.h>

#include "oci/spec.h"

typedef struct
{
  const char *release;  /* uname release; default "4.4.0" (flag --kernel-release, annotation dev.gvisor.kernel-release) */
  gboolean strace;      /* --strace */
  char **strace_syscalls; /* --strace-syscalls, NULL for all */
  gboolean net_raw;     /* --net-raw: allow packet and raw sockets */
} SentryOptions;

typedef struct SentryKernel SentryKernel;

/* The sandbox's virtual kernel: boot time, kernel log, identity, limits. Created once per sandbox, before any
 * container is spawned. */
SentryKernel *sentry_kernel_new (const SentryOptions *opts, const OciSpec *root_spec, GError **error);
void sentry_kernel_free (SentryKernel *k);

/* Wait for the seccomp program that sentry_kernel_new builds in the background; FALSE (with the build's error)
 * if it could not be built. Call before the first sentry_kernel_filter, to fail with that error. */
gboolean sentry_kernel_filter_wait (SentryKernel *k, GError **error);

/* The seccomp program generated from the syscall table, for container_spawn's sandbox_filter (waits for the
 * build). Never NULL: if the build failed, a program that kills the process at its next system call, so that
 * nothing runs without the sandbox filter. */
const struct sock_fprog *sentry_kernel_filter (SentryKernel *k);

/* Serve a container's seccomp listener fd (from container_spawn) on the Sentry's notification thread(s).
 * init_pid is the container's init (its /proc/PID/root is the root that mediated opens resolve in). Takes
 * ownership of notify_fd. */
gboolean sentry_kernel_serve (SentryKernel *k, int notify_fd, pid_t init_pid, const char *container_id,
                              GError **error);

/* Append a line to the sandbox kernel log (OOM kills, ...). */
void sentry_kernel_log (SentryKernel *k, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
