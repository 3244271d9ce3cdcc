/* The root filesystem inside the init: safe resolution, the root mount, pivot_root, masks. Plain C after fork. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "container/rootfs-layers.h"
#include "container/rootfs.h"
#include "container/sync.h"

static int
openat2_in_root (int rootfd, const char *path, int flags)
{
  struct open_how how = { 0 };

  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  how.flags = (unsigned long long) (flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;)
    {
      int fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        return fd;
    }
}

int
rootfs_open_in_root (int rootfd, const char *path, int extra_flags)
{
  return openat2_in_root (rootfd, path, O_PATH | extra_flags);
}

const char *
rootfs_fd_path (char *buf, size_t size, int fd)
{
  snprintf (buf, size, "/proc/self/fd/%d", fd);
  return buf;
}

int
rootfs_parent_in_root (int rootfd, const char *path, const char **name, InitError *err)
{
  char parent[PATH_MAX];
  const char *slash;
  size_t len;
  int fd;

  while (*path == '/')
    path++;
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len == 0 || len >= sizeof parent)
    return init_error (err, EINVAL, "resolve %s in the container's root", path);
  memcpy (parent, path, len);
  parent[len] = '\0';
  slash = strrchr (parent, '/');
  if (slash == NULL)
    {
      *name = path;
      fd = openat2_in_root (rootfd, ".", O_PATH | O_DIRECTORY);
      if (fd < 0)
        return init_error (err, errno, "open the container's root");
      return fd;
    }
  *name = path + (slash - parent) + 1;
  parent[slash - parent] = '\0';
  fd = rootfs_mkdir_in_root (rootfd, parent, false, err);
  return fd;
}

/* Copy path into buf without leading and trailing slashes. */
static int
normalize (char *buf, size_t size, const char *path)
{
  size_t len;

  while (*path == '/')
    path++;
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len >= size)
    return -1;
  memcpy (buf, path, len);
  buf[len] = '\0';
  return 0;
}

int
rootfs_mkdir_in_root (int rootfd, const char *path, bool file, InitError *err)
{
  char buf[PATH_MAX], next[PATH_MAX], link[PATH_MAX];
  int restarts = 0;
  size_t len, i;
  int fd;

  if (normalize (buf, sizeof buf, path) < 0)
    return init_error (err, ENAMETOOLONG, "create %s in the container's root", path);
restart:
  len = strlen (buf);
  fd = openat2_in_root (rootfd, buf, O_PATH);
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return init_error (err, errno, "open /%s in the container's root", buf);

  for (i = 0; i <= len; i++)
    {
      bool last = i == len;
      char saved;
      int pfd;
      const char *comp;
      char *slash;
      ssize_t n;

      if (!last && buf[i] != '/')
        continue;
      if (i == 0 || buf[i - 1] == '/')
        continue;
      saved = buf[i];
      buf[i] = '\0';
      fd = openat2_in_root (rootfd, buf, O_PATH);
      if (fd >= 0)
        {
          if (last)
            return fd;
          close (fd);
          buf[i] = saved;
          continue;
        }
      if (errno != ENOENT)
        return init_error (err, errno, "open /%s in the container's root", buf);
      slash = strrchr (buf, '/');
      if (slash != NULL)
        {
          *slash = '\0';
          pfd = openat2_in_root (rootfd, buf, O_PATH | O_DIRECTORY);
          *slash = '/';
          comp = slash + 1;
        }
      else
        {
          pfd = openat2_in_root (rootfd, ".", O_PATH | O_DIRECTORY);
          comp = buf;
        }
      if (pfd < 0)
        return init_error (err, errno, "open the parent of /%s in the container's root", buf);

      /* A dangling symlink: create its target, resolved inside the root, instead. */
      n = readlinkat (pfd, comp, link, sizeof link - 1);
      if (n >= 0)
        {
          const char *rest = last ? "" : buf + i + 1;
          int w;

          close (pfd);
          link[n] = '\0';
          if (++restarts > 40)
            return init_error (err, ELOOP, "create /%s in the container's root", buf);
          if (slash != NULL)
            *slash = '\0';
          w = snprintf (next, sizeof next, "%s/%s%s%s", link[0] == '/' || slash == NULL ? "" : buf, link,
                        *rest != '\0' ? "/" : "", rest);
          if (w < 0 || (size_t) w >= sizeof next || normalize (buf, sizeof buf, next) < 0)
            return init_error (err, ENAMETOOLONG, "create %s in the container's root", path);
          goto restart;
        }

      if (last && file)
        {
          int f = openat (pfd, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (f < 0 && errno != EEXIST)
            {
              int e = errno;
              close (pfd);
              return init_error (err, e, "create /%s in the container's root", buf);
            }
          if (f >= 0)
            close (f);
        }
      else if (mkdirat (pfd, comp, 0755) < 0 && errno != EEXIST)
        {
          int e = errno;
          close (pfd);
          return init_error (err, e, "mkdir /%s in the container's root", buf);
        }
      close (pfd);
      if (last)
        break;
      buf[i] = saved;
    }
  fd = openat2_in_root (rootfd, buf, O_PATH);
  if (fd < 0)
    return init_error (err, errno, "open /%s in the container's root", buf);
  return fd;
}

unsigned long
rootfs_mount_flags (int fd)
{
  struct statfs st;
  unsigned long flags = 0;

  if (fstatfs (fd, &st) < 0)
    return 0;
  if (st.f_flags & ST_RDONLY)
    flags |= MS_RDONLY;
  if (st.f_flags & ST_NOSUID)
    flags |= MS_NOSUID;
  if (st.f_flags & ST_NODEV)
    flags |= MS_NODEV;
  if (st.f_flags & ST_NOEXEC)
    flags |= MS_NOEXEC;
  if (st.f_flags & ST_NOATIME)
    flags |= MS_NOATIME;
  if (st.f_flags & ST_NODIRATIME)
    flags |= MS_NODIRATIME;
  if (st.f_flags & ST_RELATIME)
    flags |= MS_RELATIME;
  return flags;
}

/* "lowerdir=" and the layers as /proc/self/fd/N of descriptors opened here (closed by close_layers): the image
 * overlay's lower layers when the plan found them (rootfs-layers.h), else the root itself. */
static int
open_lower_layers (const ContainerPlan *p, int *fds, size_t max, char *data, size_t size, InitError *err)
{
  size_t n = 0, pos;

  pos = (size_t) snprintf (data, size, "lowerdir=");
  if (p->rootfs_layers == NULL)
    {
      fds[n] = open (p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fds[n] < 0)
        return init_error (err, errno, "open root %s", p->rootfs);
      pos += (size_t) snprintf (data + pos, size - pos, "/proc/self/fd/%d", fds[n]);
      return 1;
    }
  for (; p->rootfs_layers[n] != NULL && n < max; n++)
    {
      fds[n] = open (p->rootfs_layers[n], O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fds[n] < 0)
        {
          const char *layer = p->rootfs_layers[n];
          int e = errno;
          while (n > 0)
            close (fds[--n]);
          return init_error (err, e, "open the root's image layer %s", layer);
        }
      pos += (size_t) snprintf (data + pos, pos < size ? size - pos : 0, "%s/proc/self/fd/%d", n > 0 ? ":" : "",
                                fds[n]);
    }
  return (int) n;
}

/* The root's writable layer: a detached tmpfs with upper/ and work/. */
static int
upper_layer (InitError *err)
{
  int fs, mnt;

  fs = (int) syscall (SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return init_error (err, errno, "fsopen tmpfs for the root's writable layer");
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int e = errno;
      close (fs);
      return init_error (err, e, "create tmpfs for the root's writable layer");
    }
  mnt = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  close (fs);
  if (mnt < 0)
    return init_error (err, errno, "fsmount tmpfs for the root's writable layer");
  if (mkdirat (mnt, "upper", 0755) < 0 || mkdirat (mnt, "work", 0755) < 0)
    {
      int e = errno;
      close (mnt);
      return init_error (err, e, "mkdir in the root's writable layer");
    }
  return mnt;
}

static int
mount_overlay (const ContainerPlan *p, InitError *err)
{
  char data[4096];
  int mnt, lower[ROOTFS_MAX_LAYERS], n_lower, i, rc = 0;
  size_t pos;

  mnt = upper_layer (err);
  if (mnt < 0)
    return -1;
  n_lower = open_lower_layers (p, lower, ROOTFS_MAX_LAYERS, data, sizeof data, err);
  if (n_lower < 0)
    {
      close (mnt);
      return -1;
    }
  /* Paths through /proc/self/fd: a root path with ',' or ':' would break the option string. */
  pos = strlen (data);
  if ((size_t) snprintf (data + pos, sizeof data - pos, ",upperdir=/proc/self/fd/%d/upper,workdir=/proc/self/fd/%d/work",
                         mnt, mnt)
      >= sizeof data - pos)
    rc = init_error (err, E2BIG, "the root's overlay options (%d layers)", n_lower);
  else if (mount ("overlay", p->rootfs, "overlay", 0, data) < 0)
    rc = init_error (err, errno, "mount overlay (tmpfs upper layer, %d lower) on %s", n_lower, p->rootfs);
  /* The overlay holds its own references to the layers. */
  close (mnt);
  for (i = 0; i < n_lower; i++)
    close (lower[i]);
  return rc;
}

/* The root in the sandbox's user namespace (idmap.h): the image's idmapped mount, attached on the rootfs
 * directory, with the in-memory overlay on top unless the root is read-only or --overlay2=none. All through
 * descriptors and the working directory, which stage 1 set to the rootfs directory before it entered the user
 * namespace (unshare carries it into the new mount namespace): container root may not search the host
 * directories the bundle is in. Returns the root's fd. */
static int
idmapped_root (const ContainerPlan *p, InitError *err)
{
  char data[64];
  int fs, mnt, ovl;

  if (syscall (SYS_move_mount, p->root_idmap_fd, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return init_error (err, errno, "attach the idmapped root %s", p->rootfs);
  if ((!p->rootfs_overlay || p->root_readonly) && !p->root_idmap_readonly)
    {
      int fd = fcntl (p->root_idmap_fd, F_DUPFD_CLOEXEC, 3);
      if (fd < 0)
        return init_error (err, errno, "open root %s", p->rootfs);
      return fd;
    }
  mnt = upper_layer (err);
  if (mnt < 0)
    return -1;
  /* The lower layer is the idmapped mount, now attached in our namespace (overlayfs takes no layer from a
   * detached mount of another user namespace). */
  fs = (int) syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    {
      int e = errno;
      close (mnt);
      return init_error (err, e, "fsopen overlay for the root %s", p->rootfs);
    }
  snprintf (data, sizeof data, "/proc/self/fd/%d", p->root_idmap_fd);
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir", data, 0) < 0)
    goto fail;
  snprintf (data, sizeof data, "/proc/self/fd/%d/upper", mnt);
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", data, 0) < 0)
    goto fail;
  snprintf (data, sizeof data, "/proc/self/fd/%d/work", mnt);
  if (syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", data, 0) < 0
      || syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    goto fail;
  ovl = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
  if (ovl < 0)
    goto fail;
  close (fs);
  close (mnt);
  if (syscall (SYS_move_mount, ovl, "", p->root_idmap_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    {
      int e = errno;
      close (ovl);
      return init_error (err, e, "attach the overlay (tmpfs upper layer) on %s", p->rootfs);
    }
  return ovl;
fail:
  {
    int e = errno;
    close (fs);
    close (mnt);
    return init_error (err, e, "mount overlay (tmpfs upper layer, idmapped lower layer) on %s", p->rootfs);
  }
}

int
rootfs_prepare (const ContainerPlan *p, InitError *err)
{
  int fd;

  if (mount (NULL, "/", NULL, MS_REC | p->host_propagation, NULL) < 0)
    return init_error (err, errno, "make / %s", p->host_propagation == MS_PRIVATE ? "rprivate" : "rslave");
  if (p->root_idmap_fd >= 0)
    return idmapped_root (p, err);
  if (p->rootfs_overlay && !p->root_readonly)
    {
      if (mount_overlay (p, err) < 0)
        return -1;
    }
  else if (mount (p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return init_error (err, errno, "bind root %s onto itself", p->rootfs);
  fd = open (p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return init_error (err, errno, "open root %s", p->rootfs);
  return fd;
}

int
rootfs_pivot (int rootfd, InitError *err)
{
  if (fchdir (rootfd) < 0)
    return init_error (err, errno, "chdir to the container's root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return init_error (err, errno, "pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return init_error (err, errno, "unmount the old root");
  if (chdir ("/") < 0)
    return init_error (err, errno, "chdir /");
  return 0;
}

static int
remount_bind (const char *path, unsigned long flags, InitError *err)
{
  int fd = open (path, O_PATH | O_CLOEXEC);
  unsigned long keep = 0;

  if (fd >= 0)
    {
      keep = rootfs_mount_flags (fd);
      close (fd);
    }
  if (mount (NULL, path, NULL, MS_BIND | MS_REMOUNT | keep | flags, NULL) < 0)
    return init_error (err, errno, "remount %s read-only", path);
  return 0;
}

static int
mask_path (const char *path, InitError *err)
{
  struct stat st;

  if (stat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return init_error (err, errno, "mask %s: stat", path);
    }
  if (S_ISDIR (st.st_mode))
    {
      if (mount ("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555") < 0)
        return init_error (err, errno, "mask %s: mount tmpfs", path);
    }
  else if (mount ("/dev/null", path, NULL, MS_BIND, NULL) < 0)
    return init_error (err, errno, "mask %s: bind /dev/null", path);
  return 0;
}

static int
readonly_path (const char *path, InitError *err)
{
  if (mount (path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return init_error (err, errno, "bind read-only path %s", path);
    }
  return remount_bind (path, MS_RDONLY, err);
}

int
rootfs_finalize (const ContainerPlan *p, InitError *err)
{
  for (char **m = p->masked_paths; m != NULL && *m != NULL; m++)
    if (mask_path (*m, err) < 0)
      return -1;
  for (char **r = p->readonly_paths; r != NULL && *r != NULL; r++)
    if (readonly_path (*r, err) < 0)
      return -1;
  for (gsize i = 0; i < p->n_mounts; i++)
    {
      const MountPlan *m = &p->mounts[i];
      if (m->defer_readonly && mount (NULL, m->destination, NULL, MS_REMOUNT | MS_RDONLY | m->flags, m->data) < 0)
        return init_error (err, errno, "remount %s read-only", m->destination);
    }
  if (p->root_readonly && remount_bind ("/", MS_RDONLY, err) < 0)
    return -1;
  return 0;
}

int
rootfs_propagate (const ContainerPlan *p, InitError *err)
{
  if (p->rootfs_propagation != 0 && mount (NULL, "/", NULL, p->rootfs_propagation, NULL) < 0)
    return init_error (err, errno, "set the propagation of /");
  return 0;
}
