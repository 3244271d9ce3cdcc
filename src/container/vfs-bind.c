/* Binding the sandbox kernel's files into a container (see vfs-bind.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/rootfs.h"
#include "container/sync.h"
#include "container/vfs-bind.h"

static int
bind_one (const ContainerPlan *p, const ContainerVfsFile *f, int rootfd, InitError *err)
{
  char from[64], to[64];
  int src, dst, r = 0;

  dst = rootfs_open_in_root (rootfd, f->target, 0);
  if (dst < 0 && errno == ENOENT && f->create && p->dev_is_tmpfs)
    {
      dst = rootfs_mkdir_in_root (rootfd, f->target, true, err);
      if (dst < 0)
        return -1;
    }
  if (dst < 0)
    return errno == ENOENT ? 0 : init_error (err, errno, "sandbox kernel file %s: open it in the container's root",
                                             f->target);
  src = openat (p->vfs_fd, f->name, O_PATH | O_CLOEXEC);
  if (src < 0)
    r = init_error (err, errno, "sandbox kernel file %s: open %s in the Sentry's filesystem", f->target, f->name);
  else if (mount (rootfs_fd_path (from, sizeof from, src), rootfs_fd_path (to, sizeof to, dst), NULL, MS_BIND, NULL)
           < 0)
    r = init_error (err, errno, "sandbox kernel file %s: bind it from the Sentry's filesystem", f->target);
  if (src >= 0)
    close (src);
  close (dst);
  return r;
}

int
vfs_bind_apply (const ContainerPlan *p, int rootfd, InitError *err)
{
  char self[64];
  int r = 0;

  if (p->vfs_fd < 0)
    return 0;
  /* Attached on top of the root: paths resolved from rootfd still walk the root below it. */
  if (syscall (SYS_move_mount, p->vfs_fd, "", rootfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    r = init_error (err, errno, "attach the Sentry's filesystem of sandbox kernel files");
  for (gsize i = 0; r == 0 && i < p->n_vfs_files; i++)
    r = bind_one (p, &p->vfs_files[i], rootfd, err);
  if (umount2 (rootfs_fd_path (self, sizeof self, p->vfs_fd), MNT_DETACH) < 0 && r == 0)
    r = init_error (err, errno, "detach the Sentry's filesystem of sandbox kernel files from the root");
  close (p->vfs_fd);
  return r;
}
