/* The Sentry's model of its sandbox (private to src/sentry): one container type for the root container and the
 * pod's members alike, the root one flagged.
 *
 * The files that share it, one concern each:
 *   boot.c               boot the sandbox, the spawner's requests, sentry_boot (boot.h)
 *   sandbox-container.c  the containers: load, spawn (pod members), exit, freeze, status, exec targets
 *   supervise.c          the poll loop, reaping, signal forwarding, the end of the sandbox
 *   control-dispatch.c   the control commands (control.h), a table of name -> handler
 *   process-tree.c       host processes: a container's pids, the Sentry's descendants (process-tree.h) */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/types.h>

#include "container/cgroup.h"
#include "container/container.h"
#include "oci/spec.h"
#include "sentry/boot.h"
#include "sentry/exec.h"
#include "sentry/kernel.h"
#include "sentry/spawner.h"
#include "sentry/vfs.h"

typedef struct Sandbox Sandbox;

/* A container of the sandbox. The root one is the one runsc create booted the sandbox for: its exit ends the
 * sandbox and takes the others along. The others joined it later (create-subcontainer): their exits do not. */
typedef struct
{
  Sandbox *sb;
  gboolean root;
  char *id;
  char *bundle;
  OciSpec *spec;
  char *rootfs;
  ContainerInit init;
  gboolean spawned; /* its init exists (a member is only recorded once it does) */
  gboolean started;
  gboolean exited;
  int exit_status;
  GArray *waiters; /* connections waiting for its exit (int) */
  /* The root's: the sandbox's cgroup (src/container/cgroup.h), or NULL. A member's: its own
   * (cgroup_member_prepare), or NULL: its processes are in the sandbox's. */
  CgroupHandle *cgroup;
  CgroupOomWatch *oom;
  /* The root's: the whole sandbox is paused. A member's: its own cgroup is frozen (runsc pause of this container,
   * or of the sandbox's). */
  gboolean paused;
  gboolean idmap; /* a member that joins the sandbox's user namespace: its mounts are idmapped (userns.h) */
} SandboxContainer;

struct Sandbox
{
  const SentryBootArgs *args;
  SentryKernel *kernel;
  int sigfd;
  SandboxContainer *root;
  GPtrArray *containers;  /* SandboxContainer *: the root one first, then the pod's members */
  SentryExecs *execs;     /* runsc exec'd processes (src/sentry/exec.h) */
  SentryVfs *vfs;         /* the sandbox kernel's files (src/sentry/vfs.h) */
  SentrySpawner *spawner; /* once confined: who forks the pod's members and exec'd processes (spawner.h) */
  int userns_fd;          /* the sandbox's default user namespace (src/container/userns.h), or -1 */
  pid_t sentry_pid;       /* the Sentry's (its spawner's copy of this struct keeps it) */
};

/* sandbox-container.c */

/* A container with nothing loaded yet (no spec, no init), recorded in sb->containers only by sandbox_add. */
SandboxContainer *sandbox_container_new (Sandbox *sb, gboolean root, const char *id, const char *bundle);
void sandbox_container_free (SandboxContainer *c);
/* The container of that id (the root one's included), or NULL. */
SandboxContainer *sandbox_find (Sandbox *sb, const char *id);
void sandbox_add (Sandbox *sb, SandboxContainer *c);
void sandbox_remove (Sandbox *sb, SandboxContainer *c);

/* container_spawn's callbacks (user_data: the container): the state given to hooks, and the serving of the
 * init's sandbox filter (its privilege drop goes through the Sentry). */
char *sandbox_container_hook_state (pid_t init_pid, const char *status, void *user_data);
gboolean sandbox_container_serve (int notify_fd, pid_t init_pid, void *user_data, GError **error);
/* Log the OOM kills of the container's memory cgroup (nothing without a cgroup of its own). */
void sandbox_container_watch_oom (SandboxContainer *c);
/* The host ids that own a container's sandbox kernel files: its root's. */
void sandbox_vfs_owner (const OciSpec *spec, uid_t *uid, gid_t *gid);

/* Its init was reaped with status code (128+N for signal N). A member's status is written and its waiters
 * answered now; the root's when the sandbox ends (supervise.c). */
void sandbox_container_exited (SandboxContainer *c, int code);
/* Answer the connections waiting for its exit with its exit status, and close them. */
void sandbox_container_answer_waiters (SandboxContainer *c);
/* Freeze or thaw it: the root's is the whole sandbox (its cgroup and the members' own ones, all or nothing), a
 * member's its own cgroup (nothing to do without one). Sets c->paused. */
gboolean sandbox_container_freeze (SandboxContainer *c, gboolean freeze, GError **error);
/* "created", "running", "paused" or "stopped". */
const char *sandbox_container_status (SandboxContainer *c);
/* Its host pids, init first, runsc exec'd processes included (an empty array once it has exited). */
GArray *sandbox_container_pids (SandboxContainer *c);
/* What an exec in it needs (src/sentry/exec.h). */
void sandbox_exec_target (SandboxContainer *c, SentryExecTarget *t);

/* A new pod member's spec, root, device rules and cgroup record (create-subcontainer {id, bundle, config}), read
 * alike by the Sentry and by its spawner. NULL and error on a bad one. */
SandboxContainer *sandbox_member_load (Sandbox *sb, JsonObject *req, GError **error);
/* Fork a member's init up to the point where it waits for start (the Sentry's before it is confined, the
 * spawner's after). fds: stdin, stdout, stderr; console_socket or -1; vfs_mount_fd: the detached mount of its
 * sandbox kernel files (taken over). */
gboolean sandbox_member_spawn (SandboxContainer *c, const int *fds, int console_socket, int vfs_mount_fd,
                               gboolean (*on_listener) (int, pid_t, void *, GError **), GError **error);
/* create-subcontainer {id, bundle, config, console: bool}, fds: stdin, stdout, stderr, /dev/fuse[, console
 * socket] (the ones it takes over are set to -1). */
gboolean sandbox_member_create (Sandbox *sb, JsonObject *req, int *fds, pid_t *init_pid, GError **error);

/* supervise.c */

/* The signals the Sentry blocks and reads from its signalfd. */
void sandbox_handled_sigset (sigset_t *set);
/* Until the root container exits; then kill what is left, answer the waiters, and return its exit status. */
int sandbox_supervise (Sandbox *sb);

/* control-dispatch.c */

/* Receive one request on conn (accepted on the control socket), answer it and close conn, unless a handler keeps
 * it (a wait). */
void sandbox_handle_request (Sandbox *sb, int conn);
