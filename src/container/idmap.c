/* Idmapped mounts: see idmap.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/idmap.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

/* The filesystem's name, for the error (the common ones; else its magic number). */
static char *
fs_name (int fd)
{
  static const struct
  {
    long magic;
    const char *name;
  } names[] = {
    { PROC_SUPER_MAGIC, "proc" },       { SYSFS_MAGIC, "sysfs" },     { CGROUP_SUPER_MAGIC, "cgroup" },
    { CGROUP2_SUPER_MAGIC, "cgroup2" }, { DEVPTS_SUPER_MAGIC, "devpts" }, { TMPFS_MAGIC, "tmpfs" },
    { EXT4_SUPER_MAGIC, "ext4" },       { OVERLAYFS_SUPER_MAGIC, "overlay" }, { NFS_SUPER_MAGIC, "nfs" },
    { FUSE_SUPER_MAGIC, "fuse" },       { XFS_SUPER_MAGIC, "xfs" },   { BTRFS_SUPER_MAGIC, "btrfs" },
  };
  struct statfs st;

  if (fstatfs (fd, &st) < 0)
    return g_strdup ("unknown");
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if ((long) st.f_type == names[i].magic)
      return g_strdup (names[i].name);
  return g_strdup_printf ("magic 0x%lx", (unsigned long) st.f_type);
}

int
idmap_tree (const char *path, gboolean recursive, int userns_fd, const char *what, GError **error)
{
  struct mount_attr attr = { 0 };
  unsigned int rec = recursive ? AT_RECURSIVE : 0;
  autofd int fd = -1;

  fd = (int) syscall (SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (fd < 0)
    return runsc_error_errno (error, errno, "%s: open_tree %s", what, path), -1;
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (guint64) userns_fd;
  if (syscall (SYS_mount_setattr, fd, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0)
    {
      int e = errno;
      g_autofree char *fs = fs_name (fd);
      const char *why = e == EINVAL ? "the filesystem (or a mount under it) does not support idmapped mounts"
                        : e == ENOSYS ? "this kernel has no idmapped mounts (Linux 5.12 or later needed)"
                        : e == EPERM  ? "not permitted (an already idmapped mount, or one of another user namespace)"
                                      : g_strerror (e);
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "%s: cannot idmap %s (%s) for the sandbox's user namespace: %s (%s); use a filesystem that "
                       "supports idmapped mounts, or --userns=host", what, path, fs, why, g_strerror (e));
      return -1;
    }
  return steal_fd (&fd);
}

gboolean
idmap_plan (ContainerPlan *plan, int userns_fd, GError **error)
{
  plan->root_idmap_fd = idmap_tree (plan->rootfs, TRUE, userns_fd, "root filesystem", error);
  if (plan->root_idmap_fd < 0)
    return FALSE;

  plan->mount_idmap_fds = container_plan_block (plan, g_new (int, plan->n_mounts + 1));
  for (gsize i = 0; i < plan->n_mounts; i++)
    plan->mount_idmap_fds[i] = -1;
  for (gsize i = 0; i < plan->n_mounts; i++)
    {
      const MountPlan *m = &plan->mounts[i];
      g_autofree char *what = NULL;
      struct stat st;

      /* tmpfs, proc, mqueue and the rest are made by the init inside the user namespace: their files are the
       * namespace's own. The cgroup view is read-only and stays the host's (as under runc). */
      if (m->kind != MOUNT_KIND_BIND)
        continue;
      /* A device node is bound as it is, like linux.devices in a user namespace (devices.c): devtmpfs has no
       * idmapped mounts, and a node's owner gives no access to files. */
      if (stat (m->source, &st) == 0 && (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
        continue;
      what = g_strdup_printf ("mount %s on %s", m->source, m->destination);
      plan->mount_idmap_fds[i] = idmap_tree (m->source, m->recursive, userns_fd, what, error);
      if (plan->mount_idmap_fds[i] < 0)
        return FALSE;
    }
  return TRUE;
}
