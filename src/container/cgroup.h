/* cgroups: the sandbox's cgroup on cgroup v1, v2 or a hybrid host; limits, freezing, stats and OOM counts.
 *
 * One cgroup per sandbox. runsc create makes it (cgroup_setup_for_sandbox) from linux.cgroupsPath and
 * linux.resources before it starts the Sentry, records it in the container's state directory
 * (cgroup_handle_save: <state dir>/cgroup.json) and the Sentry joins it between fork and execve
 * (cgroup_join_fds), so that the Sentry and every process of the sandbox are accounted to it. The commands that
 * act on a running sandbox (events, pause, resume, update, delete) load the record (cgroup_handle_load).
 *
 * Version: a host with any v1 hierarchy for memory, cpu or pids is driven as v1 (a hybrid host's cgroup2 mount
 * only gets the cgroup created in it, as runc does); a host with only cgroup2 is driven as v2.
 *
 * Freezing (pause) must not stop the Sentry, which answers the control socket: the container's processes are in
 * a freeze cgroup that the Sentry is not in. On v1 that is the sandbox cgroup of the freezer hierarchy (the
 * Sentry keeps the freezer cgroup it started in); on v2 it is the child "container" of the sandbox cgroup (the
 * Sentry is in its sibling "sentry", see Memory (v2) below). The Sentry puts the container's init there
 * (cgroup_enter_container) before it runs anything of the container.
 *
 * Memory (v1): the workload's OOM must never pick the Sentry, whose death ends the whole sandbox. The memory
 * limit therefore sits on a child "container" of the sandbox's memory cgroup, which holds the container's
 * processes and is what v1["memory"] names (limits, stats, OOM events, update all act on it, as on runc's
 * container cgroup); the Sentry joins the sandbox's memory cgroup itself (sentry_memory), which has no limit of
 * its own, so it is charged to the enclosing cgroup (a Kubernetes pod's) but is never in the OOM-killed one. A
 * negative oom_score_adj would need CAP_SYS_RESOURCE, which callers such as containerd do not always have.
 * A pod member's cgroup, which the Sentry never joins, has no such child.
 *
 * Memory (v2): the same protection with two leaves, since v2 lets no process live in a cgroup that enables
 * controllers for its children: the Sentry (and every helper it forks) joins the child "sentry" of the sandbox's
 * cgroup (sentry_memory), the container's processes its child "container" (the freeze cgroup), and the sandbox's
 * cgroup enables its controllers for both and holds no process. The memory settings (and linux.resources.unified's
 * memory.* files) go on "container", which is what limits, stats, OOM events and update act on; cpu, pids, io and
 * hugetlb stay on the sandbox's cgroup and cover both. With --systemd-cgroup the scope holds systemd's holder
 * process, so the Sentry stays in the sandbox's cgroup as before (no sentry leaf, one memory cgroup for both).
 *
 * Paths: cgroupsPath "/a/b" is under each hierarchy's root; "a/b" is under the cgroup runsc itself is in (per
 * hierarchy), as runc does; absent, it is "<id>" relative. With --systemd-cgroup it is "slice:prefix:name" and
 * names the scope prefix-name.scope in that slice (/a.slice/a-b.slice/prefix-name.scope), which systemd
 * starts (StartTransientUnit over D-Bus, Delegate=yes) before the limits are written to it as with cgroupfs;
 * that needs systemd as the init system, and a host without it gets a clear error. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/spec.h"

#define CGROUP_RECORD_FILE "cgroup.json"
/* The directories a create has made before cgroup.json is saved, one a line (cgroup.c). */
#define CGROUP_JOURNAL_FILE "cgroup.journal"
#define CGROUP_CONTAINER_CHILD "container"
#define CGROUP_SENTRY_CHILD "sentry"

typedef enum
{
  CGROUP_V1 = 1,
  CGROUP_V2 = 2,
} CgroupVersion;

typedef struct
{
  CgroupVersion version;
  char *path;          /* the resolved cgroup path, for messages ("/runsc/abc" or "/process_api/x/abc") */
  char *unified;       /* the cgroup's directory in the cgroup2 hierarchy (v2: where everything is), or NULL */
  GHashTable *v1;      /* v1 controller name ("memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio",
                        * "devices", "hugetlb", "net_cls", "name=systemd", ...) -> the cgroup's directory */
  char *freeze_dir;    /* where the container's processes go and what pause freezes (see above), or NULL */
  char **created;      /* directories this runtime created (removed by cgroup_destroy), parents first */
  char *systemd_unit;  /* the systemd scope (--systemd-cgroup), or NULL */
  char *sentry_memory; /* v1: the memory cgroup the Sentry joins, the parent of v1["memory"]; v2: the Sentry's leaf
                        * beside freeze_dir (see above); or NULL */
} CgroupHandle;

void cgroup_handle_free (CgroupHandle *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgroupHandle, cgroup_handle_free)

/* Which version drives the limits on this host (see above); 0 when no cgroup filesystem is mounted. */
CgroupVersion cgroup_host_version (void);

/* linux.cgroupsPath (may be NULL) for container id as a cgroup path: absolute ("/a/b"), or relative ("a/b": under
 * the caller's cgroup). With systemd, path must be "slice:prefix:name" (empty parts take the defaults
 * system.slice, runsc and id): *unit is set to the scope name and the result is absolute. */
char *cgroup_resolve_path (const char *cgroups_path, const char *id, gboolean systemd, char **unit, GError **error);

/* "a-b.slice" -> "/a.slice/a-b.slice" (systemd's slice nesting); "-.slice" -> "". */
char *cgroup_systemd_slice_path (const char *slice, GError **error);

/* The systemd driver: start a transient scope unit (Delegate=yes) in slice holding pid, through systemd's D-Bus
 * API (StartTransientUnit); stop it (StopUnit; a scope whose processes are gone is already collected). */
gboolean cgroup_systemd_start_scope (const char *unit, const char *slice, pid_t pid, const char *description,
                                     GError **error);
void cgroup_systemd_stop_scope (const char *unit);

/* Create the sandbox's cgroup from the spec (linux.cgroupsPath, linux.resources) and apply the limits. On
 * failure nothing is left. */
CgroupHandle *cgroup_setup_for_sandbox (const OciSpec *spec, const char *id, gboolean systemd, GError **error);

/* Record / load the handle in a state directory (<dir>/cgroup.json). Load: NULL with RUNSC_ERROR_NOT_FOUND when
 * there is no record (a container created without cgroups). */
gboolean cgroup_handle_save (const CgroupHandle *h, const char *state_dir, GError **error);
CgroupHandle *cgroup_handle_load (const char *state_dir, GError **error);

/* Open the cgroup.procs files the Sentry joins (every directory except the freeze cgroup of v1). Returns the
 * number of descriptors put in fds (O_CLOEXEC; at most max), or -1 with error. */
int cgroup_open_join_fds (const CgroupHandle *h, int *fds, int max, GError **error);

/* Move the calling process into the cgroups opened by cgroup_open_join_fds. Async-signal-safe (between fork and
 * execve). Returns 0 or -errno; on failure, when report_fd >= 0, writes "error join the sandbox's cgroup: errno N\n"
 * there (the Sentry's sync pipe protocol). */
int cgroup_join_fds (const int *fds, int n, int report_fd);

/* What runsc create does before it starts the Sentry: cgroup_setup_for_sandbox, cgroup_handle_save in state_dir
 * and cgroup_open_join_fds into fds (*n_fds set). A host where the cgroup cannot be made is an error only when the
 * spec asks for limits or a cgroupsPath (or --systemd-cgroup); otherwise the sandbox runs without one (a warning,
 * *n_fds = 0). */
gboolean cgroup_sandbox_prepare (const OciSpec *spec, const char *id, gboolean systemd, const char *state_dir,
                                 int *fds, int max, int *n_fds, GError **error);

/* Move pid (the container's init, before it runs anything) into the freeze cgroup. */
gboolean cgroup_enter_container (const CgroupHandle *h, pid_t pid, GError **error);

/* A pod member (a container that joins a running sandbox) has a cgroup of its own, as the kubelet gives each
 * container one under the pod's: runsc create makes it from the member's spec as the sandbox's is made
 * (linux.cgroupsPath, else "<id>" under runsc's own cgroup, which is where a sandbox without a cgroupsPath is too;
 * linux.resources applied) and records it in the member's state_dir; the Sentry moves the member's processes into
 * it (cgroup_enter_process); stats, update, pause and delete then act on it. A cgroupsPath naming the sandbox's
 * cgroup (sandbox_state_dir's record) or an ancestor of it gets no cgroup (a warning): the member's limits must not
 * land on the sandbox, nor its removal kill the Sentry. A host where the cgroup cannot be made is an error only when
 * the spec asks for limits or a cgroupsPath, as for a sandbox. */
gboolean cgroup_member_prepare (const OciSpec *spec, const char *id, gboolean systemd, const char *state_dir,
                                const char *sandbox_state_dir, GError **error);

/* Move pid into every cgroup of h (for a process that is not in them yet: a pod member's, or one the Sentry
 * spawns), then into the freeze cgroup. */
gboolean cgroup_enter_process (const CgroupHandle *h, pid_t pid, GError **error);

/* Apply linux.resources to the cgroup (create and update). Fields that are not set are left alone. */
gboolean cgroup_apply_resources (const CgroupHandle *h, const OciResources *r, GError **error);

/* The same for one v1 controller directory map / one v2 directory (for tests with a fake hierarchy). */
gboolean cgroup_apply_resources_v1 (GHashTable *dirs, const OciResources *r, GError **error);
gboolean cgroup_apply_resources_v2 (const char *dir, const OciResources *r, GError **error);
/* v2 with the Sentry's leaf (cgroup.h): the memory settings (memory.* of linux.resources.unified too) on the
 * container's leaf memory_dir, the others on the sandbox's cgroup dir. */
gboolean cgroup_apply_resources_v2_split (const char *dir, const char *memory_dir, const OciResources *r,
                                          GError **error);

/* runc's conversions for cgroup v2. */
guint64 cgroup_shares_to_weight (guint64 shares);
gint64 cgroup_swap_to_v2 (gint64 swap, gint64 limit); /* memory.swap.max from memory+swap; -1 = max, -2 = leave */

/* Freeze (pause) or thaw (resume) the container's processes, and wait until the kernel says so. */
gboolean cgroup_freeze (const CgroupHandle *h, gboolean freeze, GError **error);

/* Pids of the processes in the sandbox's cgroup and its children (the Sentry included). */
GArray *cgroup_pids (const CgroupHandle *h);

/* The memory cgroup of the container's processes, where its limit, usage and OOM kills are: v1's memory
 * directory; v2's container leaf when the Sentry has a leaf of its own (sentry_memory), else the cgroup itself.
 * NULL when there is none. */
const char *cgroup_memory_dir (const CgroupHandle *h);

/* Effective memory limit in bytes (the smallest of the cgroup and its ancestors), 0 when unlimited. */
guint64 cgroup_memory_limit (const CgroupHandle *h);

/* How many processes the memory limit has killed (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
guint64 cgroup_oom_kill_count (const CgroupHandle *h);

/* A descriptor that becomes readable when the cgroup hits an OOM (v1: an eventfd registered on
 * memory.oom_control; v2: inotify on memory.events). Read it with cgroup_oom_fd_drain. -1 with error. */
int cgroup_oom_fd_open (const CgroupHandle *h, GError **error);
void cgroup_oom_fd_drain (int fd);

/* A thread in the caller that calls fn (from that thread) once per new OOM kill with the running count. */
typedef void (*CgroupOomFunc) (guint64 oom_kills, void *user_data);
typedef struct CgroupOomWatch CgroupOomWatch;
CgroupOomWatch *cgroup_oom_watch_start (const CgroupHandle *h, CgroupOomFunc fn, void *user_data, GError **error);
/* Report now, from the caller's thread, a kill the thread has not reported yet (a process that was OOM-killed has
 * been counted by the time its parent reaps it: check before reporting its exit). Stop does this last. */
void cgroup_oom_watch_check (CgroupOomWatch *w);
void cgroup_oom_watch_stop (CgroupOomWatch *w);

/* Usage in runc's `events --stats` shape (the "data" object): cpu, memory, pids, blkio, hugetlb. The caller adds
 * network_interfaces. */
JsonObject *cgroup_stats (const CgroupHandle *h, GError **error);

/* Kill what is left in the cgroup (thawing it first), and remove the directories this runtime created. */
gboolean cgroup_destroy (const CgroupHandle *h, GError **error);

/* cgroup_handle_load + cgroup_destroy + removing the record; without a record, the directories named in the
 * journal a killed create left (CGROUP_JOURNAL_FILE) are removed instead; TRUE when there is neither. */
gboolean cgroup_destroy_recorded (const char *state_dir, GError **error);

/* Parse a memory size as runc's flags take it: "1048576", "512k", "64m", "1g" (binary units, optional "b"),
 * "-1" for unlimited. */
gboolean cgroup_parse_size (const char *text, gint64 *out, GError **error);
