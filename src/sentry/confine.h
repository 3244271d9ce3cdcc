/* The Sentry confines itself (DESIGN.md §8 layer 3), once the sandbox is set up and its spawner forked (spawner.h).
 *
 * First, in the main thread, while it still may: the host directories it keeps reaching are opened and held
 * (common/host-fs.h: /proc, /sys/fs/cgroup, /sys/devices/system/cpu, the state root), and it moves into a mount
 * namespace of its own whose root is an empty, read-only tmpfs (pivot_root over the sandbox's state directory,
 * the old root detached). From then on it reaches host files only through those descriptors.
 *
 * Then in every thread of the Sentry (the notification and FUSE threads already run: each one is made to apply
 * the same steps to itself from a signal handler, since credentials and the file system context are per thread):
 *   0. (the other threads) a file system context of its own and setns into the empty root's mount namespace;
 *   1. the capability bounding set and the ambient set are emptied but for the kept capabilities, the permitted
 *      and effective sets become exactly the kept ones, the inheritable set empty;
 *   2. no_new_privs;
 *   3. the Sentry's own seccomp allowlist (sentry-table.h), installed with SECCOMP_FILTER_FLAG_TSYNC.
 * Then every thread's /proc/self/task/TID/status, root and mount namespace are read back: a thread whose CapEff,
 * CapPrm, CapBnd, NoNewPrivs, Seccomp, root or mount namespace is not what was asked fails the confinement (and
 * so the sandbox's creation): nothing is reported confined that is not.
 *
 * The kept capabilities: none when the containers run in a user namespace (the Sentry's euid 0 owns that
 * namespace, which gives it every capability inside it: what process_vm_readv, pidfd_getfd and kill(2) on the
 * application need). With --userns=host, or a spec without a user namespace, the application's processes are
 * host processes with host credentials, so the Sentry keeps CAP_SYS_PTRACE (to read and write the memory of an
 * application process that changed its uid or holds capabilities the Sentry does not, and to take its descriptors)
 * and CAP_KILL (to signal one running under another uid). runsc(8) lists them.
 *
 * The held directories are the host's: ".." leads out of them, and the Sentry's uid is still 0 (runsc(8) says so).
 * The empty root takes away every path it did not open on purpose. */
#pragma once

#include <glib.h>
#include <signal.h>

/* The signal each thread confines itself on: threads that block every other signal leave this one open. */
#define SENTRY_CONFINE_SIGNAL (SIGRTMIN + 6)

/* Confine the calling process (all its threads). host_userns: the containers share the host's user namespace (keep
 * CAP_SYS_PTRACE and CAP_KILL). state_dir: the sandbox's state directory (its parent is held; the empty root is
 * mounted over it, in the Sentry's namespace only). FALSE with an error naming the step when any step fails or does not hold. */
gboolean sentry_confine (gboolean host_userns, const char *state_dir, GError **error);
