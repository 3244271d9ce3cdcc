/* /dev inside the container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/error.h"
#include "container/devices.h"
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
                       .dev = makedev (default_devices[i].major, default_devices[i].minor) };
      g_array_append_val (out, d);
    }
  for (gsize i = 0; i < n_spec; i++)
    {
      const OciDevice *od = &l->devices[i];
      DevicePlan d = { 0 };
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

static int
create_device (const ContainerPlan *p, const DevicePlan *d, int rootfd, InitError *err)
{
  const char *name;
  int pfd;

  if (p->userns)
    {
      /* mknod is not allowed in a user namespace: bind the host's node. */
      char proc[64];
      int fd = rootfs_mkdir_in_root (rootfd, d->path, true, err);
      if (fd < 0)
        return init_error_prefix (err, "create device %s", d->path);
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
