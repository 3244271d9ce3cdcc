/* Keeping /proc/self/mountinfo in the spec's order (mount-order.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/mount-order.h"
#include "container/rootfs.h"

int
mount_order_refresh (int rootfd, const char *destination, bool recursive, InitError *err)
{
  char proc[64];
  int top, clone, below;
  int e;

  /* Clone the mount (a new mount, made now; with its submounts when recursive), detach the first one, then put
   * the clone where it was: the path resolves to the mount point below once the first mount is gone. */
  top = rootfs_open_in_root (rootfd, destination, 0);
  if (top < 0)
    return init_error (err, errno, "open mount point %s", destination);
  clone = (int) syscall (SYS_open_tree, top, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH
                                      | (recursive ? AT_RECURSIVE : 0));
  if (clone < 0)
    {
      e = errno;
      close (top);
      return init_error (err, e, "clone the mount on %s", destination);
    }
  if (umount2 (rootfs_fd_path (proc, sizeof proc, top), MNT_DETACH) < 0)
    {
      e = errno;
      close (top);
      close (clone);
      return init_error (err, e, "detach the first mount on %s", destination);
    }
  close (top);
  below = rootfs_open_in_root (rootfd, destination, 0);
  if (below < 0)
    {
      e = errno;
      close (clone);
      return init_error (err, e, "open mount point %s", destination);
    }
  if (syscall (SYS_move_mount, clone, "", below, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    {
      e = errno;
      close (below);
      close (clone);
      return init_error (err, e, "mount the clone on %s (move_mount)", destination);
    }
  close (below);
  close (clone);
  return 0;
}
