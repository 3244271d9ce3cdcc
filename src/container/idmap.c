/* Idmapped mounts: see idmap.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/idmap.h"
#include "container/mountinfo.h"

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

gboolean
idmap_host_id (const OciIdMapping *maps, gsize n_maps, guint32 id, guint32 *host_id)
{
  for (gsize i = 0; i < n_maps; i++)
    if (id >= maps[i].container_id && id - maps[i].container_id < maps[i].size)
      {
        *host_id = maps[i].host_id + (id - maps[i].container_id);
        return TRUE;
      }
  return FALSE;
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

static gboolean
fsconfig_string (int fs, const char *key, const char *value, const char *what, GError **error)
{
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) < 0)
    return runsc_error_errno (error, errno, "%s: overlay option %s=%s", what, key, value);
  return TRUE;
}

/* An overlay (containerd's snapshots) cannot be idmapped itself; its layers can (Linux 5.19): the same overlay
 * again, from idmapped copies of its layers, detached, read-only: its upper layer becomes its top lower layer.
 * The sandbox's in-memory layer goes on top of it (rootfs.c), so nothing is lost. Returns its fd, or -1. */
static int
idmap_overlay (const char *path, int userns_fd, const char *what, GError **error)
{
  g_autofree char *opts = mountinfo_overlay_options ("/proc/self/mountinfo", path);
  g_auto (GStrv) items = NULL;
  g_autoptr (GPtrArray) fds = g_ptr_array_new ();
  g_autoptr (GString) lower = g_string_new (NULL);
  const char *upper = NULL, *work = NULL;
  autofd int fs = -1;
  autofd int parent = -1;
  int mnt = -1;

  if (opts == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                       "%s: %s: not an overlay mounted from its root (mountinfo shows another mount there, or a bind "
                       "mount of part of an overlay)",
                       what, path);
      return -1;
    }
  items = g_strsplit (opts, ",", -1);
  fs = (int) syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return runsc_error_errno (error, errno, "%s: fsopen overlay", what), -1;
  for (char **it = items; *it != NULL; it++)
    {
      char *eq = strchr (*it, '=');
      const char *key = *it, *value = eq != NULL ? eq + 1 : NULL;

      if (eq != NULL)
        *eq = '\0';
      if (value != NULL)
        mountinfo_unescape ((char *) value);
      if (strcmp (key, "lowerdir") == 0 || strcmp (key, "lowerdir+") == 0)
        {
          g_auto (GStrv) dirs = g_strsplit (value, ":", -1);
          for (char **d = dirs; *d != NULL; d++)
            {
              g_autofree char *w = g_strdup_printf ("%s (lower layer %s)", what, *d);
              int fd;

              if (**d == '\0')
                continue;
              fd = idmap_tree (*d, FALSE, userns_fd, w, error);
              if (fd < 0)
                goto fail;
              g_ptr_array_add (fds, GINT_TO_POINTER (fd));
              g_string_append_printf (lower, "%s/proc/self/fd/%d", lower->len > 0 ? ":" : "", fd);
            }
        }
      else if (strcmp (key, "upperdir") == 0)
        upper = value;
      else if (strcmp (key, "workdir") == 0)
        work = value;
      else if (strcmp (key, "index") == 0 || strcmp (key, "redirect_dir") == 0 || strcmp (key, "metacopy") == 0
               || strcmp (key, "xino") == 0 || strcmp (key, "nfs_export") == 0 || strcmp (key, "uuid") == 0)
        {
          if (!fsconfig_string (fs, key, value, what, error))
            goto fail;
        }
      else if ((strcmp (key, "userxattr") == 0 || strcmp (key, "volatile") == 0)
               && syscall (SYS_fsconfig, fs, FSCONFIG_SET_FLAG, key, NULL, 0) < 0)
        {
          runsc_error_errno (error, errno, "%s: overlay option %s", what, key);
          goto fail;
        }
    }
  (void) work;
  if (upper != NULL)
    {
      /* The upper layer, read-only on top: writing it through an idmapped mount would need the mounter's
       * (our) ids mapped there. */
      g_autofree char *name = g_strdup_printf ("%s (upper layer %s)", what, upper);
      parent = idmap_tree (upper, FALSE, userns_fd, name, error);
      if (parent < 0)
        goto fail;
      g_string_prepend (lower, lower->len > 0 ? ":" : "");
      {
        g_autofree char *top = g_strdup_printf ("/proc/self/fd/%d", parent);
        g_string_prepend (lower, top);
      }
    }
  if (lower->len == 0 || !fsconfig_string (fs, "lowerdir", lower->str, what, error))
    {
      if (lower->len == 0)
        runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "%s: %s: an overlay without lower layers", what, path);
      goto fail;
    }
  if (syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      runsc_error_errno (error, errno, "%s: mount the overlay %s again from idmapped layers (Linux 5.19 or later "
                         "needed)", what, path);
      goto fail;
    }
  mnt = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0)
    runsc_error_errno (error, errno, "%s: fsmount the idmapped overlay of %s", what, path);
fail:
  for (guint i = 0; i < fds->len; i++)
    close (GPOINTER_TO_INT (g_ptr_array_index (fds, i)));
  return mnt;
}

gboolean
idmap_plan (ContainerPlan *plan, int userns_fd, GError **error)
{
  struct statfs sfs;

  if (statfs (plan->rootfs, &sfs) == 0 && (long) sfs.f_type == OVERLAYFS_SUPER_MAGIC)
    {
      if (!plan->rootfs_overlay && !plan->root_readonly)
        return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                                "root filesystem %s: an overlay (such as containerd's snapshot) cannot be idmapped "
                                "writable for the sandbox's user namespace: use --overlay2=root:memory (the "
                                "default), a read-only root, or --userns=host",
                                plan->rootfs);
      plan->root_idmap_fd = idmap_overlay (plan->rootfs, userns_fd, "root filesystem", error);
      plan->root_idmap_readonly = true;
    }
  else
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
