/* Host processes of the sandbox, found through /proc: a container's (its init's tree and pid namespace) and every
 * descendant of the Sentry (what is left once the root container's init is gone). */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Host pids of a container: descendants of its init, plus (when it has its own pid namespace) every process of
 * that namespace. Init first; empty when init_pid <= 0 or the init is gone. */
GArray *sentry_ptree_container_pids (pid_t init_pid);
/* Every descendant of the calling process (the Sentry: a subreaper, so orphans come back to it). */
GArray *sentry_ptree_descendants (void);
/* Wait up to timeout_ms for the processes pids (just sent SIGKILL) to end, returning as soon as they have. */
void sentry_ptree_wait_killed (GArray *pids, int timeout_ms);
