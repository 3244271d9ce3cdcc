/* The devices cgroup: linux.resources.devices on cgroup v1 (devices.deny / devices.allow) and cgroup v2 (an eBPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE), and the same rules for the Sentry's mediated opens.
 *
 * The rules: the spec's linux.resources.devices in order, then runc's default allow-list (mknod of any char or
 * block device; rwm on null, zero, full, random, urandom, tty, ptmx and /dev/pts/N), evaluated last match wins,
 * denied when nothing matches. As in runc, the defaults come last, so a spec rule cannot deny them; a device
 * passed in linux.devices needs an allow rule of its own.
 *
 * Where: the sandbox's cgroup (its v1 devices directory; else its cgroup2 directory, a program attached with
 * BPF_F_ALLOW_MULTI, required on v2, best effort on a hybrid host without v1 devices), and each pod
 * member's own cgroup. The Sentry is in the sandbox's cgroup, so on the host its own opens are held to the
 * sandbox container's rules too; its opens for a pod member are checked against the member's rules by
 * cgroup_devices_check (the kernel's check applies to the Sentry's cgroup, not the member's). */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "container/cgroup.h"
#include "oci/spec.h"

#define CGROUP_DEV_MKNOD 1u /* BPF_DEVCG_ACC_MKNOD */
#define CGROUP_DEV_READ 2u  /* BPF_DEVCG_ACC_READ */
#define CGROUP_DEV_WRITE 4u /* BPF_DEVCG_ACC_WRITE */
#define CGROUP_DEV_RWM (CGROUP_DEV_MKNOD | CGROUP_DEV_READ | CGROUP_DEV_WRITE)

typedef struct
{
  gboolean allow;
  char type;    /* 'a', 'c', 'b' */
  gint64 major; /* -1: any */
  gint64 minor; /* -1: any */
  guint access; /* CGROUP_DEV_* bits */
} CgroupDeviceRule;

/* The effective rules for resources r (may be NULL): the spec's, then the defaults. *n set. Invalid access
 * letters or types are an error. */
CgroupDeviceRule *cgroup_devices_rules (const OciResources *r, gsize *n, GError **error);

/* Last match wins; FALSE when nothing matches. type 'c' or 'b', access CGROUP_DEV_* bits. An allow rule matches
 * when it grants every bit asked for, a deny rule when it denies any of them (so "deny w" after "allow rw" leaves
 * r, as the v1 kernel does). Allocation-free. */
gboolean cgroup_devices_allowed (const CgroupDeviceRule *rules, gsize n, char type, guint32 major, guint32 minor,
                                 guint access);

/* The v1 writes, in order: "deny a *:* rwm" (to devices.deny) first, then one "allow LINE" / "deny LINE" per rule,
 * LINE as the kernel takes it ("c 1:3 rwm", "b *:* m"). NULL-terminated. */
char **cgroup_devices_v1_lines (const CgroupDeviceRule *rules, gsize n);

/* Apply to one v1 devices directory / attach a program to one cgroup2 directory. */
gboolean cgroup_devices_apply_v1 (const char *dir, const CgroupDeviceRule *rules, gsize n, GError **error);
gboolean cgroup_devices_apply_v2 (const char *dir, const CgroupDeviceRule *rules, gsize n, GError **error);

/* Load the program for rules (BPF_PROG_LOAD); the descriptor, or -1 with error. */
int cgroup_devices_bpf_load (const CgroupDeviceRule *rules, gsize n, GError **error);

/* Apply r's rules to the cgroup: its v1 devices directory when there is one (as runc, a hybrid host uses v1),
 * else its cgroup2 directory. */
gboolean cgroup_devices_apply (const CgroupHandle *h, const OciResources *r, GError **error);

/* The Sentry's registry of each container's rules, by container id. Register when a container joins the sandbox
 * (replaces an earlier entry), unregister when it is gone. */
gboolean cgroup_devices_register (const char *id, const OciResources *r, GError **error);
void cgroup_devices_unregister (const char *id);

/* For the Sentry's open of a device node on behalf of container id: 0 when the container's rules allow mode
 * (S_IFCHR / S_IFBLK; anything else is allowed) and rdev for the open's flags (O_RDONLY: r, O_WRONLY: w, O_RDWR:
 * rw, O_PATH: nothing), -EPERM when they deny it, 0 for a container with no registered rules. Allocation-free
 * (the syscall path). */
int cgroup_devices_check (const char *id, mode_t mode, dev_t rdev, int open_flags);
