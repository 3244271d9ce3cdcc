/* The task's root filesystem (see rootfs.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "common/error.h"
#include "common/util.h"
#include "shim/rootfs.h"

static const struct
{
  const char *name;
  gboolean clear;
  unsigned long flag;
} mount_flags[] = {
  { "ro", FALSE, MS_RDONLY },
  { "rw", TRUE, MS_RDONLY },
  { "nosuid", FALSE, MS_NOSUID },
  { "suid", TRUE, MS_NOSUID },
  { "nodev", FALSE, MS_NODEV },
  { "dev", TRUE, MS_NODEV },
  { "noexec", FALSE, MS_NOEXEC },
  { "exec", TRUE, MS_NOEXEC },
  { "sync", FALSE, MS_SYNCHRONOUS },
  { "async", TRUE, MS_SYNCHRONOUS },
  { "noatime", FALSE, MS_NOATIME },
  { "atime", TRUE, MS_NOATIME },
  { "nodiratime", FALSE, MS_NODIRATIME },
  { "relatime", FALSE, MS_RELATIME },
  { "bind", FALSE, MS_BIND },
  { "rbind", FALSE, MS_BIND | MS_REC },
  { "remount", FALSE, MS_REMOUNT },
  { "defaults", FALSE, 0 },
};

static gboolean
mount_one (const Containerd__Task__V2__Mount *m, const char *target, GError **error)
{
  unsigned long flags = 0;
  g_autoptr (GString) data = g_string_new (NULL);

  for (size_t i = 0; i < m->n_options; i++)
    {
      gboolean known = FALSE;
      for (size_t j = 0; j < G_N_ELEMENTS (mount_flags); j++)
        if (strcmp (m->options[i], mount_flags[j].name) == 0)
          {
            if (mount_flags[j].clear)
              flags &= ~mount_flags[j].flag;
            else
              flags |= mount_flags[j].flag;
            known = TRUE;
            break;
          }
      if (!known)
        {
          if (data->len)
            g_string_append_c (data, ',');
          g_string_append (data, m->options[i]);
        }
    }
  if (mount (m->source, target, m->type, flags, data->len ? data->str : NULL) < 0)
    return runsc_error_errno (error, errno, "mount %s (%s) on %s", m->source, m->type, target);
  if ((flags & MS_BIND) && (flags & MS_RDONLY)
      && mount (NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    return runsc_error_errno (error, errno, "remount %s read-only", target);
  return TRUE;
}

void
shim_rootfs_unmount (const char *bundle)
{
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);

  for (int i = 0; i < 32; i++)
    if (umount2 (rootfs, MNT_DETACH) < 0)
      break;
}

gboolean
shim_rootfs_mount (const char *bundle, Containerd__Task__V2__Mount *const *mounts, size_t n, gboolean *mounted,
                   GError **error)
{
  g_autofree char *rootfs = g_build_filename (bundle, "rootfs", NULL);

  *mounted = FALSE;
  if (n == 0)
    return TRUE;
  if (!runsc_mkdir_p (rootfs, 0711, error))
    return FALSE;
  for (size_t i = 0; i < n; i++)
    {
      if (!mount_one (mounts[i], rootfs, error))
        {
          if (*mounted)
            shim_rootfs_unmount (bundle);
          *mounted = FALSE;
          return FALSE;
        }
      *mounted = TRUE;
    }
  return TRUE;
}
