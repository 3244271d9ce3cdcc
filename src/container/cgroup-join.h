/* Entering a cgroup cheaply.
 *
 * Moving a process into a cgroup by writing its pid to cgroup.procs takes the kernel's global
 * cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period: 5 to 30 ms on the test machines, more
 * than everything else runsc create does. Two ways in cost no grace period, and these helpers use them:
 *   - cgroup v1: a single-threaded process writes "0" (itself) to the "tasks" file: moving the calling thread
 *     alone does not take the global lock, and a process with one thread is then wholly in the cgroup;
 *   - cgroup v2: the child is created in the cgroup, clone3 (CLONE_INTO_CGROUP) with the cgroup's directory.
 * A kernel without clone3 or CLONE_INTO_CGROUP (before 5.7) gets the child forked and moved by cgroup.procs.
 *
 * A "join fd" is either a v1 "tasks" file open for writing or a v2 cgroup directory (O_PATH). */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "container/cgroup.h"

/* The join fd of h's freeze cgroup (where the container's processes go, cgroup.h), O_CLOEXEC; -1 and no error
 * when h has none; -1 with error when it cannot be opened. */
int cgroup_open_enter_fd (const CgroupHandle *h, GError **error);

/* The join fd of h's v1 memory leaf (the container's memory cgroup, cgroup.h), O_CLOEXEC; -1 and no error when
 * h has none; -1 with error when it cannot be opened. */
int cgroup_open_memory_fd (const CgroupHandle *h, GError **error);

/* Fork (flags: extra clone flags, such as CLONE_PARENT) with the child already in the cgroup2 directory among
 * fds[0..n-1] if there is one (CLONE_INTO_CGROUP). Returns as fork does: the child's pid, 0 in the child, -1 with
 * errno. The child must keep to async-signal-safe calls until it execs or exits (no glibc fork handlers ran).
 * Async-signal-safe itself. */
pid_t cgroup_fork_into (const int *fds, int n, unsigned long flags);

/* In a single-threaded process (between fork and execve): enter the cgroup of each join fd (a directory that the
 * process was cloned into by cgroup_fork_into is skipped). Returns 0 or -errno. Async-signal-safe. */
int cgroup_join_self (const int *fds, int n);
