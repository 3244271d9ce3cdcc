/* /dev inside the container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "container/devices.h"
#include "container/mount-order.h"
#include "container/rootfs.h"
#include "container/sync.h"

static const struct
{
  const char *path;
  unsigned int major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

gboolean
devices_plan (ContainerPlan *plan, const OciSpec *spec, GError **error)
{
  const OciLinux *l = spec->linux_cfg;
  gsize n_spec = l != NULL ? l->n_devices : 0;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (DevicePlan));

  for (gsize i = 0; i < G_N_ELEMENTS (default_devices); i++)
    {
      DevicePlan d = { .path = default_devices[i].path,
                       .mode = S_IFCHR | 0666,
                       .dev = makedev (default_devices[i].major, default_devices[i].minor),
                       .node_fd = -1 };
      g_array_append_val (out, d);
    }
  for (gsize i = 0; i < n_spec; i++)
    {
      const OciDevice *od = &l->devices[i];
      DevicePlan d = { .node_fd = -1 };
      gboolean replaced = FALSE;

      if (od->path == NULL || od->path[0] != '/')
        {
          g_array_free (out, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.devices: path %s is not absolute",
                                  od->path != NULL ? od->path : "(null)");
        }
      switch (od->type)
        {
        case 'c':
        case 'u':
          d.mode = S_IFCHR;
          break;
        case 'b':
          d.mode = S_IFBLK;
          break;
        case 'p':
          d.mode = S_IFIFO;
          break;
        default:
          g_array_free (out, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.devices %s: unknown type %c", od->path,
                                  od->type);
        }
      d.path = od->path;
      d.mode |= od->has_file_mode ? (od->file_mode & 07777) : 0666;
      d.dev = od->type == 'p' ? 0 : makedev ((unsigned) od->major, (unsigned) od->minor);
      d.uid = od->has_uid ? od->uid : 0;
      d.gid = od->has_gid ? od->gid : 0;
      for (guint k = 0; k < out->len; k++)
        if (strcmp (g_array_index (out, DevicePlan, k).path, d.path) == 0)
          {
            g_array_index (out, DevicePlan, k) = d;
            replaced = TRUE;
          }
      if (!replaced)
        g_array_append_val (out, d);
    }
  plan->n_devices = out->len;
  plan->devices = container_plan_block (plan, g_array_free (out, FALSE));
  return TRUE;
}

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

gboolean
devices_make_nodes (ContainerPlan *plan, const OciSpec *spec, int userns_fd, GError **error)
{
  const OciLinux *l = spec->linux_cfg;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (guint64) userns_fd };
  autofd int fs = -1;
  autofd int mnt = -1;

  if (l == NULL || l->n_devices == 0)
    return TRUE;
  /* A tmpfs of the host's user namespace (so its nodes open, unlike one made inside the container's), mounted
   * nowhere: it goes away with the last of its nodes' mounts. */
  fs = (int) syscall (SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0 || syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return runsc_error_errno (error, errno, "linux.devices: make a tmpfs for the device nodes");
  mnt = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (mnt < 0)
    return runsc_error_errno (error, errno, "linux.devices: mount a tmpfs for the device nodes");
  for (gsize i = 0; i < plan->n_devices; i++)
    {
      DevicePlan *d = &plan->devices[i];
      gboolean in_spec = FALSE;
      char name[32];

      for (gsize k = 0; k < l->n_devices && !in_spec; k++)
        in_spec = g_strcmp0 (l->devices[k].path, d->path) == 0;
      if (!in_spec)
        continue;
      snprintf (name, sizeof name, "%zu", i);
      /* The owner is the container's id: the idmapped mount shows it as that id inside. */
      if (mknodat (mnt, name, d->mode, d->dev) < 0)
        return runsc_error_errno (error, errno, "linux.devices %s: mknod", d->path);
      if (fchmodat (mnt, name, d->mode & 07777, 0) < 0 || fchownat (mnt, name, d->uid, d->gid, 0) < 0)
        return runsc_error_errno (error, errno, "linux.devices %s: set its mode and owner", d->path);
      d->node_fd = (int) syscall (SYS_open_tree, mnt, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (d->node_fd < 0)
        return runsc_error_errno (error, errno,
                                  "linux.devices %s: clone the mount of its node (open_tree of a detached "
                                  "tmpfs, which older kernels refuse; or use --userns=host)",
                                  d->path);
      if (syscall (SYS_mount_setattr, d->node_fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
        return runsc_error_errno (error, errno,
                                  "linux.devices %s: idmap its node for the sandbox's user namespace (tmpfs "
                                  "is idmapped from Linux 6.3; or use --userns=host)",
                                  d->path);
    }
  return TRUE;
}

static int
create_device (const ContainerPlan *p, const DevicePlan *d, int rootfd, InitError *err)
{
  const char *name;
  int pfd;

  if (p->userns)
    {
      /* mknod is not allowed in a user namespace: attach the Sentry's node, or bind the host's. */
      char proc[64];
      int fd = rootfs_mkdir_in_root (rootfd, d->path, true, err);
      if (fd < 0)
        return init_error_prefix (err, "create device %s", d->path);
      if (d->node_fd >= 0)
        {
          int r = (int) syscall (SYS_move_mount, d->node_fd, "", fd, "",
                                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
          int e = errno;
          close (fd);
          if (r < 0)
            return init_error (err, e, "create device %s: attach its node", d->path);
          /* Made before / and the spec's mounts: listed after them, as a node made now would be. */
          return mount_order_refresh (rootfd, d->path, false, err);
        }
      if (mount (d->path, rootfs_fd_path (proc, sizeof proc, fd), NULL, MS_BIND, NULL) < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "bind device %s", d->path);
        }
      close (fd);
      return 0;
    }
  pfd = rootfs_parent_in_root (rootfd, d->path, &name, err);
  if (pfd < 0)
    return init_error_prefix (err, "create device %s", d->path);
  /* O_PATH directory fds are good dirfds for the *at calls. */
  if (unlinkat (pfd, name, 0) < 0 && errno != ENOENT)
    {
      int e = errno;
      close (pfd);
      return init_error (err, e, "create device %s: remove the old one", d->path);
    }
  if (mknodat (pfd, name, d->mode, d->dev) < 0)
    {
      int e = errno;
      close (pfd);
      return init_error (err, e, "mknod %s", d->path);
    }
  if (fchownat (pfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    {
      int e = errno;
      close (pfd);
      return init_error (err, e, "chown %s", d->path);
    }
  close (pfd);
  return 0;
}

static int
make_link (int rootfd, const char *target, const char *path, bool replace, InitError *err)
{
  const char *name;
  int pfd = rootfs_parent_in_root (rootfd, path, &name, err);

  if (pfd < 0)
    return -1;
  if (replace)
    unlinkat (pfd, name, 0);
  if (symlinkat (target, pfd, name) < 0 && errno != EEXIST)
    {
      int e = errno;
      close (pfd);
      return init_error (err, e, "symlink %s -> %s", path, target);
    }
  close (pfd);
  return 0;
}

int
devices_apply (const ContainerPlan *p, int rootfd, InitError *err)
{
  static const char *const dirs[] = { "/dev/pts", "/dev/shm" };
  static const struct
  {
    const char *target, *path;
  } links[] = {
    { "/proc/self/fd", "/dev/fd" },     { "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
    { "/proc/self/fd/2", "/dev/stderr" }, { "/proc/kcore", "/dev/core" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      int fd = rootfs_mkdir_in_root (rootfd, dirs[i], false, err);
      if (fd < 0)
        return -1;
      close (fd);
    }
  for (gsize i = 0; i < p->n_devices; i++)
    if (create_device (p, &p->devices[i], rootfd, err) < 0)
      return -1;
  /* The pty multiplexer of the container's own devpts instance. */
  {
    const char *name;
    int pfd = rootfs_parent_in_root (rootfd, "/dev/ptmx", &name, err);
    struct stat st;
    if (pfd < 0)
      return -1;
    if (fstatat (pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK (st.st_mode))
      {
        if (S_ISDIR (st.st_mode) || unlinkat (pfd, name, 0) < 0)
          {
            /* A bind mount of the host's ptmx: leave it. */
          }
      }
    close (pfd);
  }
  if (make_link (rootfd, "pts/ptmx", "/dev/ptmx", false, err) < 0)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    if (make_link (rootfd, links[i].target, links[i].path, false, err) < 0)
      return -1;
  return 0;
}
