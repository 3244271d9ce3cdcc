/* runsc exec on the Sentry's side: the "exec" and "wait-pid" control requests (src/sentry/control.h) and the
 * processes they start.
 *
 * An exec'd process is spawned from the Sentry's main thread with container_exec_spawn (it joins the running
 * container's namespaces, goes into the container's cgroup, gets the spec's OCI seccomp profile and the sandbox
 * filter, whose listener the Sentry serves), then started. The request's connection is the process's lifeline:
 * the first reply carries its pids and a pidfd (for signals), the second its exit status; a client that goes
 * away first takes the process with it (SIGKILL). Exit statuses are kept for a later "wait-pid". */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <sys/types.h>

#include "container/cgroup.h"
#include "oci/spec.h"
#include "sentry/sentry.h"
#include "sentry/spawner.h"

typedef struct SentryExecs SentryExecs;

/* The container a request names. */
typedef struct
{
  const char *id;
  const OciSpec *spec;        /* its spec: OCI seccomp profile and user namespace */
  pid_t init_pid;             /* its init, whose namespaces the process joins */
  gboolean exited;            /* the init has exited (or never ran) */
  gboolean paused;            /* the sandbox's cgroup is frozen */
  SentryKernel *kernel;       /* sandbox filter and notification serving */
  const CgroupHandle *cgroup; /* the container's cgroup, or NULL */
  gboolean net_raw;           /* --net-raw: otherwise CAP_NET_RAW is removed, as for the init */
} SentryExecTarget;

SentryExecs *sentry_execs_new (void);

/* Once the Sentry has confined itself, exec'd processes are forked by its spawner (spawner.h). */
void sentry_execs_set_spawner (SentryExecs *x, SentrySpawner *spawner);

/* In the spawner: an "exec" request's process (req is the control request: process, console, preserve_fds; fds
 * as it came), forked as the Sentry's child up to the point where it waits for start; its listener goes to the
 * Sentry (sentry_spawner_relay_listener). *pid and *sync_fd as container_exec_spawn gives them. */
gboolean sentry_exec_spawn_in_spawner (const SentryExecTarget *t, JsonObject *req, int *fds, size_t n_fds,
                                       pid_t *pid, int *sync_fd, GError **error);

/* Parse an OCI process object (runsc exec --process, or the one runsc exec builds) into a spec holding only that
 * process, validated. The CLI uses it to check early; the Sentry to spawn. */
OciSpec *sentry_exec_process_parse (JsonObject *process, GError **error);

/* "exec": spawn and start the process and reply on conn, which is then kept until the process exits (or closed
 * at once after an error reply). fds: stdin, stdout, stderr[, console socket] (n_fds entries, -1 for none); all
 * are closed here (and set to -1). */
void sentry_execs_handle_exec (SentryExecs *x, const SentryExecTarget *t, JsonObject *req, int conn, int *fds,
                               size_t n_fds);

/* "wait-pid" for an exec'd process of container id (pid: host pid or pid in the container's namespace). Returns
 * FALSE (conn untouched) when pid is none of its exec'd processes; else conn is answered now or at its exit and
 * owned here. */
gboolean sentry_execs_handle_wait (SentryExecs *x, const char *id, pid_t pid, int conn);

/* A child was reaped: TRUE if it was an exec'd process (its status is then reported). code is 128+sig for a
 * signal. */
gboolean sentry_execs_reaped (SentryExecs *x, pid_t pid, int code);

/* Append the live exec'd processes of container id and their descendants to pids (no duplicates). */
void sentry_execs_add_pids (SentryExecs *x, const char *id, GArray *pids);

/* The connections to watch (clients that may go away): fills at most max entries, returns how many. */
gsize sentry_execs_poll_fds (SentryExecs *x, struct pollfd *pfd, gsize max);

/* After poll: a client that hung up has its process killed. */
void sentry_execs_poll_done (SentryExecs *x, const struct pollfd *pfd, gsize n);

/* The sandbox is ending and has killed everything: report 128+SIGKILL to every client still waiting. */
void sentry_execs_sandbox_exited (SentryExecs *x);
