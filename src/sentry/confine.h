/* The Sentry confines itself (DESIGN.md §8 layer 3), once the sandbox is set up and its spawner forked (spawner.h).
 *
 * In every thread of the Sentry (the notification and FUSE threads already run: each one is made to apply the
 * same steps to itself from a signal handler, since credentials are per thread):
 *   1. the capability bounding set and the ambient set are emptied but for the kept capabilities, the permitted
 *      and effective sets become exactly the kept ones, the inheritable set empty;
 *   2. no_new_privs;
 *   3. the Sentry's own seccomp allowlist (sentry-table.h), installed with SECCOMP_FILTER_FLAG_TSYNC.
 * Then every thread's /proc/self/task/TID/status is read back: a thread whose CapEff, CapPrm, CapBnd, NoNewPrivs
 * or Seccomp is not what was asked fails the confinement (and so the sandbox's creation): nothing is reported
 * confined that is not.
 *
 * The kept capabilities: none when the containers run in a user namespace (the Sentry's euid 0 owns that
 * namespace, which gives it every capability inside it: what process_vm_readv, pidfd_getfd and kill(2) on the
 * application need). With --userns=host, or a spec without a user namespace, the application's processes are
 * host processes with host credentials, so the Sentry keeps CAP_SYS_PTRACE (to read and write the memory of an
 * application process that changed its uid or holds capabilities the Sentry does not, and to take its descriptors)
 * and CAP_KILL (to signal one running under another uid). runsc(8) lists them.
 *
 * The empty root (pivot into an empty directory) is not done yet: the Sentry still opens /proc/PID files, cgroup
 * files and its state directory by path after set-up. */
#pragma once

#include <glib.h>
#include <signal.h>

/* The signal each thread confines itself on: threads that block every other signal leave this one open. */
#define SENTRY_CONFINE_SIGNAL (SIGRTMIN + 6)

/* Confine the calling process (all its threads). host_userns: the containers share the host's user namespace (keep
 * CAP_SYS_PTRACE and CAP_KILL). FALSE with an error naming the step when any step fails or does not hold. */
gboolean sentry_confine (gboolean host_userns, GError **error);
