/* The Sentry's spawner: the one process of a sandbox that keeps privilege after the Sentry confines itself.
 *
 * Why a process and not the runsc command: the containers' processes must be the Sentry's children (it reaps them,
 * and their parent-death signal is what makes the sandbox fail closed when the Sentry dies), which a process
 * started by `runsc exec` cannot arrange; and why not the Sentry itself: a seccomp filter, no_new_privs and dropped
 * capabilities are inherited by every process the Sentry forks, so a confined Sentry cannot start an application
 * process that is not confined the same way.
 *
 * So sentry_boot forks the spawner from its main thread just before the root container's init (so that the
 * notification threads' share of a pids limit counts it; the Sentry names that init's pid in each "exec" request),
 * and confines itself (confine.h) once the init exists. The spawner is a copy of the Sentry at that moment: it runs
 * no thread, serves nothing, holds
 * neither the control socket nor the signalfd, and dies with the Sentry (PR_SET_PDEATHSIG). It does, on request
 * over a socketpair and nothing else, the steps that need privilege:
 *   "setup"    once, before the Sentry confines itself: the root container's init, which the spawner pins;
 *   "fsmount"  the FUSE mount of the sandbox kernel's files for a new container (the Sentry serves the connection);
 *   "sub"      a pod member's init (create-subcontainer): namespaces, mounts, id maps, cgroup moves, hooks;
 *   "exec"     a `runsc exec` process: setns into the container, its cgroup.
 * Both forks use CLONE_PARENT (container_spawn_as_sentry_child): the processes are the Sentry's children. The
 * listener of each new process's sandbox filter is passed back to the Sentry as soon as it exists (the process's
 * next calls wait for the Sentry), and the reply carries the process's pid and the sync socket the Sentry starts
 * it with (container_start needs no privilege).
 *
 * The spawner does not trust its requests' contents: it holds what it can know itself (the state root, the root
 * container's init from "setup", the members' inits it forked) and checks every request against it before acting
 * (spawner-policy.h lists what it accepts and what it refuses: no spec file but a member's copy in the state root,
 * no namespaces but those of an init it knows, exec'd processes within limits). It never reads application
 * memory, which is where an attack on the Sentry starts. The wire: SOCK_SEQPACKET, one JSON object per datagram with up to 16 descriptors (SCM_RIGHTS):
 *   Sentry -> spawner:  {"kind": K, "req": {...}} + fds
 *   spawner -> Sentry:  {"type": "listener", "pid": N} + the listener   (the Sentry answers {"ok": bool, "error"})
 *                       {"type": "done", "pid": N} [+ one fd]   or   {"type": "error", "error": "..."} */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

typedef struct SentrySpawner SentrySpawner;

/* In the spawner: do one request of kind with the descriptors it came with (the handler closes what it does not
 * keep; they are closed after it anyway). On success *pid is the new process (-1 if none) and *fd the descriptor to
 * send back (-1 if none; closed after sending). */
typedef gboolean (*SentrySpawnerHandler) (const char *kind, JsonObject *req, int *fds, size_t n_fds, void *data,
                                          pid_t *pid, int *fd, GError **error);

/* Fork the spawner (from the main thread, before the Sentry confines itself). in_child runs once in it first (to
 * close what only the Sentry must hold). */
SentrySpawner *sentry_spawner_start (SentrySpawnerHandler handler, void (*in_child) (void *data), void *data,
                                     GError **error);

/* In the spawner: the on_listener callback to give container_spawn / container_exec_spawn (user_data unused):
 * hands the listener to the Sentry and waits until it serves it. */
gboolean sentry_spawner_relay_listener (int notify_fd, pid_t pid, void *user_data, GError **error);

/* In the Sentry: run a request in the spawner. Listeners that come back on the way are given to on_listener (which
 * owns the fd). *pid and *fd as the handler set them (fd may be NULL when none is expected). */
gboolean sentry_spawner_call (SentrySpawner *s, const char *kind, JsonObject *req, const int *fds, size_t n_fds,
                              gboolean (*on_listener) (int notify_fd, pid_t pid, void *data, GError **error),
                              void *data, pid_t *pid, int *fd, GError **error);

/* The spawner's pid (the Sentry reaps it like its other children). */
pid_t sentry_spawner_pid (const SentrySpawner *s);
