/* The container plan: everything the init needs, prepared by container_spawn in the parent before fork.
 *
 * Between fork and execve the child reads this structure and allocates nothing: every string, mask, mount flag,
 * BPF program and argument vector is computed here first. */
#pragma once

#include <glib.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container/container.h"

/* Errors inside the child: a fixed buffer, filled with "what: strerror". */
typedef struct
{
  char msg[2048];
} InitError;

typedef enum
{
  MOUNT_KIND_FS,     /* mount (type, source, data) */
  MOUNT_KIND_BIND,   /* bind or rbind of a host path */
  MOUNT_KIND_CGROUP, /* the container's view of the host cgroup hierarchies */
} MountKind;

typedef struct
{
  MountKind kind;
  const char *source;        /* absolute host path for binds; the fs source otherwise */
  const char *destination;   /* absolute, inside the container */
  const char *type;          /* NULL for binds */
  unsigned long flags;       /* MS_* without propagation and without MS_BIND/MS_REC */
  unsigned long clear_flags; /* flags the options turn off (rw, suid, dev, exec ...) */
  unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, maybe | MS_REC; 0 for none */
  bool recursive;            /* rbind */
  bool defer_readonly;       /* a read-only non-bind mount made writable until the root is complete */
  const char *data;          /* options the kernel filesystem parses, or NULL */
} MountPlan;

typedef struct
{
  const char *path; /* absolute, inside the container */
  mode_t mode;      /* S_IFCHR/S_IFBLK/S_IFIFO | permissions */
  dev_t dev;
  uid_t uid;
  gid_t gid;
  int node_fd; /* in the sandbox's user namespace: a detached mount of the node, made by the Sentry
                  (devices_make_nodes), or -1 */
} DevicePlan;

typedef struct
{
  const char *path;
  char *const *argv; /* argv[0] is the path when the spec gives no args */
  char *const *envp; /* never NULL */
  int timeout;       /* seconds; 0 for none */
} HookPlan;

typedef struct
{
  int resource;
  const char *name;
  uint64_t soft;
  uint64_t hard;
} RlimitPlan;

typedef struct
{
  const char *controllers; /* "cpu,cpuacct", "name=systemd", "" for the unified hierarchy */
  const char *mountpoint;  /* host mount point, e.g. /sys/fs/cgroup/cpu,cpuacct */
  const char *root;        /* the mount's root inside the hierarchy (mountinfo field 4) */
  const char *name;        /* the directory name in the container: basename of the mount point */
} CgroupHierarchyPlan;

enum
{
  NS_USER,
  NS_MNT,
  NS_PID,
  NS_CGROUP,
  NS_TIME,
  NS_N_SPAWN,
};

typedef struct
{
  bool wanted;      /* in the spec */
  const char *path; /* join this one; NULL: create */
  int clone_flag;
} NamespacePlan;

typedef struct
{
  /* namespaces made or joined at spawn, in order user, mnt, pid, cgroup, time */
  NamespacePlan ns[NS_N_SPAWN];
  bool userns;    /* the container runs in a user namespace (new or joined) */
  /* The sandbox's own user namespace (userns.h), joined by path: stage 1 enters its parent, whose ids are the
   * host's, as the host ids of container root (root_host_uid, root_host_gid); the init mounts everything there
   * and only then enters the container's user namespace with a mount namespace of its own, a copy in which the
   * kernel locks every mount (init.c). */
  bool userns_nested;
  uid_t root_host_uid;
  gid_t root_host_gid;
  bool exec_mode; /* container_exec_spawn: join a running container, build nothing */

  /* root filesystem */
  const char *rootfs;
  bool root_readonly;
  bool rootfs_overlay;
  char **rootfs_layers; /* the in-memory overlay's lower layers when rootfs is an image overlay (rootfs-layers.h) */
  unsigned long rootfs_propagation; /* for the new root after pivot_root; 0 for none */
  unsigned long host_propagation;   /* for "/" before anything is mounted */
  MountPlan *mounts;
  gsize n_mounts;
  int root_idmap_fd;     /* the root, idmapped for the sandbox's user namespace (idmap.h), or -1 */
  bool root_idmap_readonly; /* that root cannot be written (an overlay mounted again from its layers): the
                               in-memory layer goes on top even for a read-only root, for the mount points */
  int *mount_idmap_fds;  /* per mount: a bind's idmapped tree, or -1; NULL when nothing is idmapped */
  CgroupHierarchyPlan *cgroups;
  gsize n_cgroups;
  DevicePlan *devices;
  gsize n_devices;
  bool dev_is_mounted; /* the spec mounts something on /dev */
  bool dev_is_tmpfs;   /* ... and it is a tmpfs */
  int vfs_fd;          /* the sandbox kernel's files: a detached mount (vfs-bind.h), or -1 */
  const ContainerVfsFile *vfs_files;
  gsize n_vfs_files;
  char **masked_paths;
  char **readonly_paths;

  /* process */
  char **argv;
  char **envp;
  const char *exec_name; /* argv[0] */
  const char *path_env;  /* PATH from process.env, or a default */
  const char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  gsize n_groups;
  mode_t umask;
  bool has_caps;
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  int cap_last;
  RlimitPlan *rlimits;
  gsize n_rlimits;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
  bool terminal;
  bool has_console_size;
  unsigned short console_rows, console_cols;
  int console_socket;
  int stdio[3];
  int *preserve_fds; /* exec only: become fds 3.. of the process (kept open through execve) */
  gsize n_preserve_fds;

  /* seccomp */
  struct sock_fprog oci_filter; /* len 0: none */
  unsigned int oci_filter_flags;
  const struct sock_fprog *sandbox_filter;

  /* hooks run by the init */
  HookPlan *create_container_hooks;
  gsize n_create_container_hooks;
  HookPlan *start_container_hooks;
  gsize n_start_container_hooks;

  /* plumbing */
  int sync_fd;     /* the child's end of the sync socket */
  int sentry_pidfd; /* the Sentry, to fail closed if it is already gone */
  pid_t sentry_pid;
  int cgroup_fds[2]; /* stage 1 enters these cgroups first (join fds, cgroup-join.h): the freeze cgroup and the */
  int n_cgroup_fds;  /* v1 memory leaf, as the handle has them */

  /* storage owned by the plan */
  GPtrArray *strings;
  GPtrArray *vectors;
  GPtrArray *blocks;
} ContainerPlan;

/* Build the plan from the spawn arguments (parent side). */
ContainerPlan *container_plan_new (const ContainerSpawnArgs *args, GError **error);

/* The plan of a process joining a running container (container_exec_spawn). */
ContainerPlan *container_plan_new_exec (const ContainerExecArgs *args, GError **error);
/* An empty plan (no descriptors): what the two above fill. */
ContainerPlan *container_plan_alloc (void);
/* Closes the descriptors the plan holds (cgroup join fds, vfs_fd, the idmapped trees) and frees it. */
void container_plan_free (ContainerPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ContainerPlan, container_plan_free)

/* Keep a string/vector/block for the plan's lifetime and return it. */
const char *container_plan_str (ContainerPlan *plan, char *owned);
char **container_plan_strv (ContainerPlan *plan, char **owned);
gpointer container_plan_block (ContainerPlan *plan, gpointer owned);
