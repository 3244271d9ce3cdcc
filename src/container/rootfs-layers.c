/* The layers under a root that is itself an overlayfs mount (see rootfs-layers.h). */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "container/mountinfo.h"
#include "container/rootfs-layers.h"

/* Overlay options whose meaning does not depend on the layers being mounted together with that upper layer.
 * Anything else (metacopy=on, userxattr, verity, data-only layers, options of later kernels) keeps the nested
 * overlay, which is always right. */
static gboolean
option_known (const char *opt)
{
  static const char *const exact[] = { "rw", "ro", "metacopy=off", "default_permissions", "volatile", NULL };
  static const char *const prefixes[] = { "lowerdir=", "upperdir=", "workdir=", "index=", "xino=",
                                          "redirect_dir=", "uuid=", "nfs_export=", NULL };

  if (g_strv_contains (exact, opt))
    return TRUE;
  for (int i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (opt, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* A layer path the option string can carry as it is: absolute, no escapes (mountinfo writes '\ooo' or '\:'
 * for the separators), an existing directory. */
static gboolean
layer_usable (const char *path)
{
  struct stat st;

  return path[0] == '/' && strpbrk (path, "\\,:") == NULL && stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static gboolean
dir_is_empty (const char *path)
{
  DIR *d = opendir (path);
  struct dirent *e;
  gboolean empty = TRUE;

  if (d == NULL)
    return FALSE;
  while (empty && (e = readdir (d)) != NULL)
    empty = strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0;
  closedir (d);
  return empty;
}

char **
rootfs_overlay_layers (const char *rootfs, const char *mountinfo_path)
{
  g_autofree char *real = realpath (rootfs, NULL);
  g_autofree char *options = NULL;
  g_auto (GStrv) opts = NULL;
  g_autoptr (GPtrArray) layers = g_ptr_array_new_with_free_func (g_free);
  const char *lowerdir = NULL, *upperdir = NULL;

  if (real == NULL || strpbrk (real, " \t\n\\") != NULL)
    return NULL;
  options = mountinfo_overlay_options (mountinfo_path, real);
  if (options == NULL)
    return NULL;
  opts = g_strsplit (options, ",", -1);
  for (int i = 0; opts[i] != NULL; i++)
    {
      if (!option_known (opts[i]))
        {
          log_debug ("root %s: overlay option %s: the in-memory layer goes over the image's overlay", real, opts[i]);
          return NULL;
        }
      if (g_str_has_prefix (opts[i], "lowerdir="))
        lowerdir = opts[i] + strlen ("lowerdir=");
      else if (g_str_has_prefix (opts[i], "upperdir="))
        upperdir = opts[i] + strlen ("upperdir=");
    }
  if (lowerdir == NULL)
    return NULL;
  if (upperdir != NULL && !(layer_usable (upperdir) && dir_is_empty (upperdir)))
    {
      log_debug ("root %s: the image overlay's upper layer %s is not empty (or not usable): the in-memory layer "
                 "goes over the image's overlay",
                 real, upperdir);
      return NULL;
    }
  {
    g_auto (GStrv) lowers = g_strsplit (lowerdir, ":", -1);
    for (int i = 0; lowers[i] != NULL; i++)
      {
        if (!layer_usable (lowers[i]) || layers->len >= ROOTFS_MAX_LAYERS)
          {
            log_debug ("root %s: lower layer %s cannot be named in an overlay's options: the in-memory layer goes "
                       "over the image's overlay",
                       real, lowers[i]);
            return NULL;
          }
        g_ptr_array_add (layers, g_strdup (lowers[i]));
      }
  }
  g_ptr_array_add (layers, NULL);
  log_debug ("root %s: the in-memory layer goes over the image overlay's %u lower layers", real, layers->len - 1);
  return (char **) g_ptr_array_free (g_steal_pointer (&layers), FALSE);
}
