/* What the Sentry's spawner (spawner.h) accepts from the Sentry once the Sentry is confined, and what it refuses.
 *
 * The spawner keeps root's privileges and the host's root; the Sentry is the process an attack on the sandbox
 * reaches first. So the spawner holds itself what it can know without the Sentry, and takes from the Sentry only
 * what the Sentry legitimately decides:
 *   held by the spawner: the sandbox's state root (from set-up: a pod member's spec is always
 *     <state root>/<id>/config.json, the copy runsc create made), the Sentry's pid, the root container's id and
 *     its init (pid and start time, told once by the "setup" request, which the Sentry sends before it confines
 *     itself, and never again), each pod member's init it forked itself (pid and start time), and the sandbox's
 *     user namespace, namespaces, filter and cgroup records (its copy of the Sentry's state at the fork);
 *   decided by the Sentry, validated here: which container ("exec" names one the spawner knows: the root one or a
 *     member it created, whose init is still that process and still the Sentry's child), a new member's id (a valid
 *     container id), its bundle (an absolute, clean path), and the exec'd process (args: 1 to 4096, env: up to 4096
 *     NAME=value entries, cwd: absolute, each string up to 128 KiB, 1 MiB in all).
 * Taken as the Sentry says: an exec'd process's user, capabilities and terminal (as `runsc exec` may ask for any,
 * runc's contract; the sandbox filter and the user namespace bound them), and the owner ids of a new
 * container's sandbox kernel files ("fsmount": the mount goes back to the Sentry, which serves it).
 * Refused, with an error naming the field and value: a "setup" after the first; an init pid in any other request
 * (namespaces are joined only through inits the spawner knows); a spec file other than the member's copy in the
 * state root (a host path outside the sandbox); an unknown or stopped target; an exec process outside the limits.
 *
 * What this does not stop: the confined Sentry holds the state root to write exit statuses (confine.h), so a
 * compromised one could rewrite a member's config.json copy before asking for it; runsc(8) says so. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

/* In the spawner, first: what it knows from set-up (state_dir: the root container's state directory). */
void spawner_policy_init (const char *state_dir, const char *root_id, pid_t sentry);

/* Check request kind before it is acted on: FALSE with an error saying what is refused. */
gboolean spawner_policy_check (const char *kind, JsonObject *req, GError **error);

/* "setup" {"root_init_pid": N}: accepted once; *root_init the pinned pid. */
gboolean spawner_policy_setup (JsonObject *req, pid_t *root_init, GError **error);

/* A member's init the spawner forked (pinned with its start time). */
void spawner_policy_member (const char *id, pid_t pid);

/* The init of target (the root container or a member the spawner forked), checked to still be that process and
 * the Sentry's child: FALSE with an error otherwise. */
gboolean spawner_policy_init_of (const char *target, pid_t *pid, GError **error);

/* The spec file a member's "sub" request must name: <state root>/<id>/config.json (newly allocated). */
char *spawner_policy_member_config (const char *id);
