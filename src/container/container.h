/* Building a container: the init process of one container, from clone to execve.
 *
 * The Sentry (runsc-sandbox) calls these. It has already entered the sandbox's network, IPC and UTS namespaces
 * (container_enter_sandbox_namespaces); container_spawn creates or joins the others (user, mount, pid, cgroup,
 * time) as the spec says, builds the root filesystem, pivots into it, applies the process settings, installs the
 * OCI seccomp profile and then the sandbox filter, hands the filter's listener fd back, and waits for "start"
 * before execve.
 *
 * Between fork and execve the child allocates nothing (no GLib, no malloc): everything it needs is prepared by
 * container_spawn in the parent first. */
#pragma once

#include <glib.h>
#include <linux/filter.h>
#include <sys/types.h>

#include "container/cgroup.h"
#include "oci/spec.h"

/* A file of the sandbox kernel's filesystem (sentry/vfs.h) and the path it is bound over in a container. */
typedef struct
{
  const char *name;   /* in the filesystem's root */
  const char *target; /* absolute, inside the container */
  gboolean create;    /* made (an empty file) when missing and /dev is the container's own tmpfs; else skipped */
} ContainerVfsFile;

typedef struct
{
  const OciSpec *spec;
  const char *id;
  const char *bundle;    /* absolute */
  const char *rootfs;    /* absolute: oci_spec_rootfs () */
  int console_socket;    /* connected console socket for process.terminal, or -1 */
  int stdio[3];          /* the process's stdin, stdout, stderr; -1 keeps the caller's */
  gboolean rootfs_overlay; /* --overlay2=root:memory: writes go to an in-memory layer, never to the image */
  /* The sandbox's default user namespace (userns.h): idmap the root and the bind mounts with idmap_userns_fd
   * (idmap.h). A mount that cannot be idmapped fails the spawn. */
  gboolean idmap;
  int idmap_userns_fd;
  const struct sock_fprog *sandbox_filter; /* installed last with SECCOMP_FILTER_FLAG_NEW_LISTENER; NULL for none */
  /* Called in the parent to produce the OCI state JSON given to hooks on stdin ("creating", "created", ...). */
  char *(*hook_state) (pid_t init_pid, const char *status, void *user_data);
  void *user_data;
  /* Optional (NULL for none). Called in the parent once the init exists (its host pid known, its user, mount and
   * pid namespaces made) and before it creates its cgroup namespace, runs any hook or touches the root: the place
   * to put it into its cgroup (runc applies cgroups at the same point). An error fails the spawn. */
  gboolean (*prepare) (pid_t init_pid, void *user_data, GError **error);
  /* Optional (NULL: the listener comes back in ContainerInit.notify_fd). Called in the parent as soon as the
   * sandbox filter is installed, with its listener (the callback owns notify_fd, even when it fails): the
   * place to start serving it, because the init's next calls (setgroups, setresuid, capset, execve) are
   * mediated by the Sentry and wait for an answer. Then the init drops its privileges and gets ready. */
  gboolean (*on_listener) (int notify_fd, pid_t init_pid, void *user_data, GError **error);
  /* Optional (NULL for none): the sandbox's cgroup. Stage 1 enters its freeze cgroup (cgroup.h) itself, before
   * anything else, so the init starts there: unlike a move by pid in prepare, that costs no RCU grace period
   * (5-30 ms, cgroup-join.h). */
  const CgroupHandle *cgroup;
  /* Optional (n_vfs_files 0 for none): a detached mount of the sandbox kernel's filesystem (sentry/vfs.h). The
   * init attaches it in its mount namespace and binds each of vfs_files over its target, after the spec's mounts
   * and devices and before pivot_root; container_spawn owns the descriptor (it is closed whatever happens). */
  int vfs_mount_fd;
  const ContainerVfsFile *vfs_files;
  gsize n_vfs_files;
} ContainerSpawnArgs;

typedef struct
{
  pid_t pid;     /* host pid of the container's init */
  int notify_fd; /* the sandbox filter's seccomp listener, or -1 (always -1 with an on_listener callback) */
  int sync_fd;   /* parent's end of the init's sync socket, used by container_start */
} ContainerInit;

/* Join or create the network, IPC and UTS namespaces of the spec in the calling process (the Sentry), then set
 * hostname, domainname and the namespaced sysctls. */
gboolean container_enter_sandbox_namespaces (const OciSpec *spec, GError **error);
/* The clone flags of the spec's network, IPC and UTS namespaces that are new (no path): what userns_new makes
 * owned by the sandbox's user namespace (src/container/userns.h). */
int container_sandbox_namespaces_new (const OciSpec *spec);
/* container_enter_sandbox_namespaces, but a new one (no path in the spec) whose descriptor made[i] (network, ipc,
 * uts: userns_new's ns_fds) is >= 0 is that namespace, joined, not made here. made may be NULL. */
gboolean container_enter_sandbox_namespaces_made (const OciSpec *spec, const int made[3], GError **error);

/* Create the init and run it up to the point where it waits for start. On error nothing is left behind (the child
 * is killed and reaped). createRuntime and createContainer hooks (and prestart) run here, as runc runs them. */
gboolean container_spawn (const ContainerSpawnArgs *args, ContainerInit *out, GError **error);

typedef struct
{
  const OciSpec *spec;       /* the container's spec: its seccomp profile and user namespace */
  const OciProcess *process; /* what to run (runsc exec --process FILE, or built from its flags) */
  pid_t init_pid;            /* the container's init: the process joins its user, mount, pid, cgroup and time
                                namespaces (those that differ from the caller's) */
  int console_socket;        /* for process->terminal, or -1 */
  int stdio[3];              /* -1 keeps the caller's */
  const int *preserve_fds;   /* runsc exec --preserve-fds: these become the process's fds 3, 4, ... */
  gsize n_preserve_fds;
  const struct sock_fprog *sandbox_filter; /* as for container_spawn; NULL for none */
  /* Optional: called once the process exists, before it does anything: the place to put it into the container's
   * cgroup (joining the cgroup namespace does not move it). */
  gboolean (*prepare) (pid_t pid, void *user_data, GError **error);
  /* As for container_spawn (pid is the new process's). */
  gboolean (*on_listener) (int notify_fd, pid_t pid, void *user_data, GError **error);
  void *user_data;
} ContainerExecArgs;

/* Create a new process in a running container (runsc exec) and run it up to the point where it waits for start;
 * then container_start execs it. out->pid is its host pid; the caller (the Sentry) is its parent. The process
 * gets the spec's OCI seccomp profile and the sandbox filter, and its own user, capabilities, rlimits, cwd, env,
 * noNewPrivileges and terminal. On error nothing is left behind. */
gboolean container_exec_spawn (const ContainerExecArgs *args, ContainerInit *out, GError **error);

/* The calling process is the Sentry's spawner (sentry/spawner.h), a child of the Sentry forked before the Sentry
 * confined itself: container_spawn and container_exec_spawn then fork stage 1 with CLONE_PARENT, so that the
 * container's processes are the Sentry's children (it reaps them, stage 1 included, and their parent-death
 * signal follows it), and watch the Sentry's pid, not the caller's. */
void container_spawn_as_sentry_child (gboolean on);

/* Let the init execve the process. Returns TRUE once execve succeeded, or FALSE with the init's error (for example
 * "exec /bin/nope: No such file or directory"). Closes out->sync_fd. */
gboolean container_start (ContainerInit *init, GError **error);

/* Run a list of hooks with state_json on stdin, honouring their timeouts. Stops at the first failure. */
gboolean container_run_hooks (const OciHook *hooks, gsize n_hooks, const char *state_json, const char *kind,
                              GError **error);
