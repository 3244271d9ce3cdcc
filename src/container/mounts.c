/* The spec's mounts: option parsing (parent) and mounting (init, plain C). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "container/idmap.h"
#include "container/mount-order.h"
#include "container/mounts.h"
#include "container/rootfs.h"
#include "container/sync.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static const struct
{
  const char *name;
  gboolean clear;
  unsigned long flag;
} mount_flag_names[] = {
  { "ro", FALSE, MS_RDONLY },           { "rw", TRUE, MS_RDONLY },
  { "nosuid", FALSE, MS_NOSUID },       { "suid", TRUE, MS_NOSUID },
  { "nodev", FALSE, MS_NODEV },         { "dev", TRUE, MS_NODEV },
  { "noexec", FALSE, MS_NOEXEC },       { "exec", TRUE, MS_NOEXEC },
  { "sync", FALSE, MS_SYNCHRONOUS },    { "async", TRUE, MS_SYNCHRONOUS },
  { "dirsync", FALSE, MS_DIRSYNC },     { "mand", FALSE, MS_MANDLOCK },
  { "nomand", TRUE, MS_MANDLOCK },      { "noatime", FALSE, MS_NOATIME },
  { "atime", TRUE, MS_NOATIME },        { "nodiratime", FALSE, MS_NODIRATIME },
  { "diratime", TRUE, MS_NODIRATIME },  { "relatime", FALSE, MS_RELATIME },
  { "norelatime", TRUE, MS_RELATIME },  { "strictatime", FALSE, MS_STRICTATIME },
  { "nostrictatime", TRUE, MS_STRICTATIME }, { "nosymfollow", FALSE, MS_NOSYMFOLLOW },
  { "symfollow", TRUE, MS_NOSYMFOLLOW }, { "silent", FALSE, MS_SILENT },
  { "loud", TRUE, MS_SILENT },
};

static const struct
{
  const char *name;
  unsigned long flags;
} propagation_names[] = {
  { "private", MS_PRIVATE },          { "rprivate", MS_PRIVATE | MS_REC }, { "shared", MS_SHARED },
  { "rshared", MS_SHARED | MS_REC },  { "slave", MS_SLAVE },               { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE },    { "runbindable", MS_UNBINDABLE | MS_REC },
};

gboolean
mounts_parse_propagation (const char *name, unsigned long *flags)
{
  for (gsize i = 0; i < G_N_ELEMENTS (propagation_names); i++)
    if (g_strcmp0 (name, propagation_names[i].name) == 0)
      {
        *flags = propagation_names[i].flags;
        return TRUE;
      }
  return FALSE;
}

static const char *const cgroup_controllers[] = {
  "cpuset", "cpu", "cpuacct", "blkio", "memory", "devices", "freezer", "net_cls", "net_prio", "perf_event",
  "hugetlb", "pids", "rdma", "misc", "debug",
};

static gboolean
is_cgroup_controller (const char *opt)
{
  if (g_str_has_prefix (opt, "name="))
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (cgroup_controllers); i++)
    if (strcmp (opt, cgroup_controllers[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The host's cgroup hierarchies from the Sentry's mountinfo. */
static gboolean
plan_cgroups (ContainerPlan *plan, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) lines = NULL;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (CgroupHierarchyPlan));
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, &local))
    {
      g_array_free (out, TRUE);
      return runsc_error_set (error, RUNSC_ERROR_FAILED, "read /proc/self/mountinfo: %s", local->message);
    }
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, " ", -1);
      guint n = g_strv_length (f), sep;
      CgroupHierarchyPlan h = { 0 };
      g_autoptr (GString) ctrls = g_string_new (NULL);

      if (n < 10)
        continue;
      for (sep = 6; sep < n && strcmp (f[sep], "-") != 0; sep++)
        ;
      if (sep + 3 >= n + 1 || sep + 2 >= n)
        continue;
      if (strcmp (f[sep + 1], "cgroup") == 0)
        {
          g_auto (GStrv) opts = g_strsplit (f[sep + 3], ",", -1);
          for (char **o = opts; *o != NULL; o++)
            if (is_cgroup_controller (*o))
              {
                if (ctrls->len > 0)
                  g_string_append_c (ctrls, ',');
                g_string_append (ctrls, *o);
              }
          if (ctrls->len == 0)
            continue;
        }
      else if (strcmp (f[sep + 1], "cgroup2") != 0)
        continue;
      if (g_hash_table_contains (seen, ctrls->str))
        continue;
      g_hash_table_add (seen, g_strdup (ctrls->str));
      h.controllers = container_plan_str (plan, g_strdup (ctrls->str));
      h.root = container_plan_str (plan, g_strcompress (f[3]));
      h.mountpoint = container_plan_str (plan, g_strcompress (f[4]));
      h.name = container_plan_str (plan, g_path_get_basename (h.mountpoint));
      g_array_append_val (out, h);
    }
  plan->n_cgroups = out->len;
  plan->cgroups = container_plan_block (plan, g_array_free (out, FALSE));
  return TRUE;
}

/* A filesystem option, as the kernel will read it: in the sandbox's nested user namespace (plan.h) the init
 * mounts with the ids of the outer namespace, the host's, so the container ids in uid= and gid= become host ids
 * (tmpfs's uid=1000 is still owned by container uid 1000). */
static gboolean
append_data_option (GString *data, const char *o, const ContainerPlan *plan, const OciSpec *spec,
                    const char *destination, GError **error)
{
  gboolean uid = g_str_has_prefix (o, "uid="), gid = g_str_has_prefix (o, "gid=");
  guint64 id;
  guint32 host;

  if (!plan->userns_nested || (!uid && !gid))
    {
      g_string_append (data, o);
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (o + 4, 10, 0, G_MAXUINT32, &id, NULL))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "mount %s: option %s: not a number", destination, o);
  if (!(uid ? idmap_host_id (spec->linux_cfg->uid_mappings, spec->linux_cfg->n_uid_mappings, (guint32) id, &host)
            : idmap_host_id (spec->linux_cfg->gid_mappings, spec->linux_cfg->n_gid_mappings, (guint32) id, &host)))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "mount %s: option %s: the id is not mapped in the user "
                            "namespace", destination, o);
  g_string_append_printf (data, "%.4s%u", o, host);
  return TRUE;
}

gboolean
mounts_plan (ContainerPlan *plan, const OciSpec *spec, const char *bundle, GError **error)
{
  gboolean want_cgroups = FALSE;

  plan->n_mounts = spec->n_mounts;
  plan->mounts = container_plan_block (plan, g_new0 (MountPlan, spec->n_mounts + 1));
  for (gsize i = 0; i < spec->n_mounts; i++)
    {
      const OciMount *om = &spec->mounts[i];
      MountPlan *m = &plan->mounts[i];
      g_autoptr (GString) data = g_string_new (NULL);
      gboolean bind = g_strcmp0 (om->type, "bind") == 0;

      if (om->destination == NULL || om->destination[0] != '/')
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "mount %s: the destination must be an absolute path",
                                om->destination != NULL ? om->destination : "(null)");
      m->destination = om->destination;
      for (char **o = om->options; o != NULL && *o != NULL; o++)
        {
          gboolean known = FALSE;
          unsigned long prop;

          if (strcmp (*o, "bind") == 0 || strcmp (*o, "rbind") == 0)
            {
              bind = TRUE;
              m->recursive = m->recursive || strcmp (*o, "rbind") == 0;
              continue;
            }
          if (mounts_parse_propagation (*o, &prop))
            {
              m->propagation = prop;
              continue;
            }
          /* runc's extensions that this runtime accepts and ignores. */
          if (strcmp (*o, "tmpcopyup") == 0 || strcmp (*o, "defaults") == 0)
            continue;
          if (strcmp (*o, "idmap") == 0 || strcmp (*o, "ridmap") == 0)
            return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "mount %s: option %s is not supported",
                                    om->destination, *o);
          for (gsize k = 0; k < G_N_ELEMENTS (mount_flag_names); k++)
            if (strcmp (*o, mount_flag_names[k].name) == 0)
              {
                if (mount_flag_names[k].clear)
                  {
                    m->flags &= ~mount_flag_names[k].flag;
                    m->clear_flags |= mount_flag_names[k].flag;
                  }
                else
                  {
                    m->flags |= mount_flag_names[k].flag;
                    m->clear_flags &= ~mount_flag_names[k].flag;
                  }
                known = TRUE;
                break;
              }
          if (known)
            continue;
          if (data->len > 0)
            g_string_append_c (data, ',');
          if (!append_data_option (data, *o, plan, spec, om->destination, error))
            return FALSE;
        }

      if (bind)
        {
          if (om->source == NULL || om->source[0] == '\0')
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "mount %s: a bind mount needs a source",
                                    om->destination);
          m->kind = MOUNT_KIND_BIND;
          m->source = g_path_is_absolute (om->source)
                          ? om->source
                          : container_plan_str (plan, g_build_filename (bundle, om->source, NULL));
          m->type = NULL;
          m->data = NULL;
          continue;
        }
      if (om->type == NULL || om->type[0] == '\0')
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "mount %s: no type (and not a bind mount)",
                                om->destination);
      m->type = om->type;
      m->source = om->source != NULL ? om->source : om->type;
      if (strcmp (om->type, "cgroup") == 0 || strcmp (om->type, "cgroup2") == 0)
        {
          m->kind = MOUNT_KIND_CGROUP;
          want_cgroups = TRUE;
          continue;
        }
      m->kind = MOUNT_KIND_FS;
      if (strcmp (om->type, "devpts") == 0)
        {
          if (strstr (data->str, "newinstance") == NULL)
            g_string_append (data, data->len > 0 ? ",newinstance" : "newinstance");
          if (strstr (data->str, "ptmxmode=") == NULL)
            g_string_append (data, ",ptmxmode=0666");
        }
      if ((m->flags & MS_RDONLY) && strcmp (om->destination, "/dev") == 0)
        {
          /* Devices are created in /dev after it is mounted: make it read-only at the end, as runc does. */
          m->flags &= ~MS_RDONLY;
          m->defer_readonly = TRUE;
        }
      m->data = data->len > 0 ? container_plan_str (plan, g_strdup (data->str)) : NULL;
      if (strcmp (om->destination, "/dev") == 0)
        {
          plan->dev_is_mounted = TRUE;
          plan->dev_is_tmpfs = strcmp (om->type, "tmpfs") == 0;
        }
    }
  if (want_cgroups && !plan_cgroups (plan, error))
    return FALSE;
  return TRUE;
}

/* --- in stage 1 and the init --- */

#define MAX_PREMADE 64
static int premade_fd[MAX_PREMADE] = { [0 ... MAX_PREMADE - 1] = -1 };

static bool
wants_premade (const ContainerPlan *p, const MountPlan *m)
{
  return p->userns && m->kind == MOUNT_KIND_FS && (strcmp (m->type, "sysfs") == 0 || strcmp (m->type, "mqueue") == 0);
}

static unsigned int
mount_attrs (unsigned long flags)
{
  unsigned int a = 0;

  if (flags & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  if (flags & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  return a;
}

int
mounts_premake (const ContainerPlan *p, InitError *err)
{
  for (gsize i = 0; i < p->n_mounts && i < MAX_PREMADE; i++)
    {
      const MountPlan *m = &p->mounts[i];
      char data[1024];
      char *save = NULL;
      int fs;

      if (!wants_premade (p, m))
        continue;
      fs = (int) syscall (SYS_fsopen, m->type, FSOPEN_CLOEXEC);
      if (fs < 0)
        return init_error (err, errno, "fsopen %s for %s", m->type, m->destination);
      if (m->source != NULL && syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", m->source, 0) < 0)
        {
          int e = errno;
          close (fs);
          return init_error (err, e, "mount %s on %s: source %s", m->type, m->destination, m->source);
        }
      snprintf (data, sizeof data, "%s", m->data != NULL ? m->data : "");
      for (char *opt = strtok_r (data, ",", &save); opt != NULL; opt = strtok_r (NULL, ",", &save))
        {
          char *eq = strchr (opt, '=');
          long r;
          if (eq != NULL)
            {
              *eq = '\0';
              r = syscall (SYS_fsconfig, fs, FSCONFIG_SET_STRING, opt, eq + 1, 0);
            }
          else
            r = syscall (SYS_fsconfig, fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
          if (r < 0)
            {
              int e = errno;
              close (fs);
              return init_error (err, e, "mount %s on %s: option %s", m->type, m->destination, opt);
            }
        }
      if (syscall (SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        {
          int e = errno;
          close (fs);
          return init_error (err, e, "mount %s on %s", m->type, m->destination);
        }
      premade_fd[i] = (int) syscall (SYS_fsmount, fs, FSMOUNT_CLOEXEC, mount_attrs (m->flags));
      close (fs);
      if (premade_fd[i] < 0)
        return init_error (err, errno, "fsmount %s for %s", m->type, m->destination);
    }
  return 0;
}

/* --- in the init --- */

static int
apply_propagation (const MountPlan *m, int rootfd, InitError *err)
{
  char proc[64];
  int fd;

  if (m->propagation == 0)
    return 0;
  fd = rootfs_open_in_root (rootfd, m->destination, 0);
  if (fd < 0)
    return init_error (err, errno, "open mount point %s", m->destination);
  if (mount (NULL, rootfs_fd_path (proc, sizeof proc, fd), NULL, m->propagation, NULL) < 0)
    {
      int e = errno;
      close (fd);
      return init_error (err, e, "set the propagation of %s", m->destination);
    }
  close (fd);
  return 0;
}

/* Bind source onto the mount point, then remount with the options (a bind ignores them on the first call). */
static int
do_bind (const char *source, const char *destination, bool recursive, unsigned long flags, unsigned long clear,
         int rootfd, bool userns, int idmap_fd, InitError *err)
{
  char proc[64];
  struct stat st;
  int fd;

  /* The idmapped copy, not the path: container root may not search the host directories above the source. */
  if ((idmap_fd >= 0 ? fstat (idmap_fd, &st) : stat (source, &st)) < 0)
    return init_error (err, errno, "mount %s on %s: stat %s", source, destination, source);
  fd = rootfs_mkdir_in_root (rootfd, destination, !S_ISDIR (st.st_mode), err);
  if (fd < 0)
    return init_error_prefix (err, "mount %s on %s", source, destination);
  if (idmap_fd >= 0)
    {
      /* The source's idmapped copy, made by the Sentry (idmap.h). */
      if (syscall (SYS_move_mount, idmap_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "mount %s on %s: attach its idmapped mount", source, destination);
        }
      /* The copy was made before the mounts that come before it in the spec (and before /). */
      if (mount_order_refresh (rootfd, destination, recursive, err) < 0)
        {
          close (fd);
          return -1;
        }
    }
  else if (mount (source, rootfs_fd_path (proc, sizeof proc, fd), NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    {
      int e = errno;
      close (fd);
      return init_error (err, e, "mount %s on %s", source, destination);
    }
  close (fd);
  flags &= ~(unsigned long) (MS_BIND | MS_REC);
  if (flags == 0)
    return 0;
  fd = rootfs_open_in_root (rootfd, destination, 0);
  if (fd < 0)
    return init_error (err, errno, "open mount point %s", destination);
  {
    /* Flags the source mount has and the options do not turn off stay: in a user namespace they are locked. */
    unsigned long keep = rootfs_mount_flags (fd);
    if (!userns)
      keep &= ~clear;
    if ((flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) != 0)
      keep &= ~(unsigned long) (MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
    if (mount (NULL, rootfs_fd_path (proc, sizeof proc, fd), NULL, MS_BIND | MS_REMOUNT | flags | keep, NULL) < 0)
      {
        int e = errno;
        close (fd);
        return init_error (err, e, "remount %s with its options", destination);
      }
  }
  if (recursive && (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) != 0)
    {
      /* A remount changes only the top mount of an rbind: set ro, nosuid, nodev and noexec on every submount
       * too, or a read-only volume would have writable mounts inside. */
      struct mount_attr attr = { .attr_set = mount_attrs (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) };
      int nfd = rootfs_open_in_root (rootfd, destination, 0);

      if (nfd < 0 || syscall (SYS_mount_setattr, nfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
        {
          int e = errno;
          if (nfd >= 0)
            close (nfd);
          close (fd);
          return init_error (err, e, "set the options of %s and its submounts", destination);
        }
      close (nfd);
    }
  close (fd);
  return 0;
}

/* The line of /proc/self/cgroup for these controllers: copies its path into out. */
static bool
cgroup_path_for (const char *cgroup_file, const char *controllers, char *out, size_t size)
{
  const char *line = cgroup_file;
  size_t clen = strlen (controllers);

  while (line != NULL && *line != '\0')
    {
      const char *end = strchr (line, '\n');
      const char *c1 = strchr (line, ':');
      const char *c2 = c1 != NULL ? strchr (c1 + 1, ':') : NULL;
      size_t len = end != NULL ? (size_t) (end - line) : strlen (line);

      if (c2 != NULL && c2 < line + len && (size_t) (c2 - c1 - 1) == clen && strncmp (c1 + 1, controllers, clen) == 0)
        {
          size_t plen = (size_t) (line + len - (c2 + 1));
          if (plen >= size)
            return false;
          memcpy (out, c2 + 1, plen);
          out[plen] = '\0';
          return true;
        }
      line = end != NULL ? end + 1 : NULL;
    }
  return false;
}

static int
mount_cgroups (const ContainerPlan *p, const MountPlan *m, int rootfd, const char *cgroup_file, InitError *err)
{
  char proc[64], src[PATH_MAX], dest[PATH_MAX], path[PATH_MAX];
  unsigned long bind_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (m->flags & MS_RDONLY);
  bool unified_only = p->n_cgroups == 1 && p->cgroups[0].controllers[0] == '\0';
  int fd;

  fd = rootfs_mkdir_in_root (rootfd, m->destination, false, err);
  if (fd < 0)
    return init_error_prefix (err, "mount cgroup on %s", m->destination);
  if (unified_only && p->ns[NS_CGROUP].wanted)
    {
      /* cgroup v2 host with a cgroup namespace: a new cgroup2 mount shows the namespace's root. */
      if (mount ("cgroup2", rootfs_fd_path (proc, sizeof proc, fd), "cgroup2", m->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 NULL) < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "mount cgroup2 on %s", m->destination);
        }
      close (fd);
      return 0;
    }
  if (!unified_only)
    {
      if (mount ("tmpfs", rootfs_fd_path (proc, sizeof proc, fd), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "mode=0755") < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "mount tmpfs on %s", m->destination);
        }
    }
  close (fd);

  for (gsize i = 0; i < p->n_cgroups; i++)
    {
      const CgroupHierarchyPlan *h = &p->cgroups[i];
      const char *rel;
      size_t rootlen = strlen (h->root);

      if (!cgroup_path_for (cgroup_file, h->controllers, path, sizeof path))
        continue;
      /* The path is relative to the hierarchy's root; the mount shows h->root. */
      rel = path;
      if (strcmp (h->root, "/") != 0 && strncmp (path, h->root, rootlen) == 0)
        rel = path + rootlen;
      snprintf (src, sizeof src, "%s%s", h->mountpoint, rel);
      if (unified_only)
        snprintf (dest, sizeof dest, "%s", m->destination);
      else
        snprintf (dest, sizeof dest, "%s/%s", m->destination, h->name);
      if (do_bind (src, dest, false, bind_flags, 0, rootfd, p->userns, -1, err) < 0)
        return -1;
      /* Co-mounted controllers: cpu -> cpu,cpuacct, as on the host. */
      if (!unified_only && strchr (h->name, ',') != NULL)
        {
          const char *c = h->name;
          while (*c != '\0')
            {
              const char *e = strchr (c, ',');
              size_t n = e != NULL ? (size_t) (e - c) : strlen (c);
              char link[PATH_MAX];
              int pfd;
              const char *name;

              snprintf (link, sizeof link, "%s/%.*s", m->destination, (int) n, c);
              pfd = rootfs_parent_in_root (rootfd, link, &name, err);
              if (pfd < 0)
                return -1;
              if (symlinkat (h->name, pfd, name) < 0 && errno != EEXIST)
                {
                  int e2 = errno;
                  close (pfd);
                  return init_error (err, e2, "symlink %s", link);
                }
              close (pfd);
              c = e != NULL ? e + 1 : c + n;
            }
        }
    }
  if (!unified_only && (m->flags & MS_RDONLY))
    {
      fd = rootfs_open_in_root (rootfd, m->destination, 0);
      if (fd < 0)
        return init_error (err, errno, "open %s", m->destination);
      if (mount (NULL, rootfs_fd_path (proc, sizeof proc, fd), NULL,
                 MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "remount %s read-only", m->destination);
        }
      close (fd);
    }
  return 0;
}

static int
mount_fs (const ContainerPlan *p, const MountPlan *m, gsize index, int rootfd, InitError *err)
{
  char proc[64];
  int fd = rootfs_mkdir_in_root (rootfd, m->destination, false, err);
  int r;

  if (fd < 0)
    return init_error_prefix (err, "mount %s on %s", m->type, m->destination);
  if (index < MAX_PREMADE && premade_fd[index] >= 0)
    {
      r = (int) syscall (SYS_move_mount, premade_fd[index], "", fd, "",
                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
      if (r < 0)
        {
          int e = errno;
          close (fd);
          return init_error (err, e, "mount %s on %s (move_mount)", m->type, m->destination);
        }
      close (premade_fd[index]);
      premade_fd[index] = -1;
      close (fd);
      if (mount_order_refresh (rootfd, m->destination, false, err) < 0)
        return -1;
      return apply_propagation (m, rootfd, err);
    }
  r = mount (m->source, rootfs_fd_path (proc, sizeof proc, fd), m->type, m->flags, m->data);
  if (r < 0 && errno == EPERM && p->userns && strcmp (m->type, "sysfs") == 0)
    {
      /* A user namespace that does not own the network namespace may not mount sysfs: bind the host's, as runc
       * does. */
      close (fd);
      return do_bind ("/sys", m->destination, true, m->flags | MS_RDONLY, 0, rootfd, true, -1, err);
    }
  if (r < 0 && errno == EPERM && p->userns && !p->ns[NS_PID].wanted && strcmp (m->type, "proc") == 0)
    {
      /* The container shares the Sentry's pid namespace, which its user namespace does not own: proc may not be
       * mounted, but that namespace's /proc is what it would show. Bind it, as for sysfs. */
      close (fd);
      return do_bind ("/proc", m->destination, true, m->flags, 0, rootfd, true, -1, err);
    }
  if (r < 0 && errno == EPERM && p->userns && strcmp (m->type, "mqueue") == 0)
    {
      log_warning ("mount mqueue on %s: the sandbox's IPC namespace is not the container user namespace's; skipped",
                   m->destination);
      close (fd);
      return 0;
    }
  if (r < 0)
    {
      int e = errno;
      close (fd);
      return init_error (err, e, "mount %s on %s", m->type, m->destination);
    }
  close (fd);
  return apply_propagation (m, rootfd, err);
}

int
mounts_apply (const ContainerPlan *p, int rootfd, const char *cgroup_file, InitError *err)
{
  for (gsize i = 0; i < p->n_mounts; i++)
    {
      const MountPlan *m = &p->mounts[i];
      int r;

      switch (m->kind)
        {
        case MOUNT_KIND_BIND:
          r = do_bind (m->source, m->destination, m->recursive, m->flags, m->clear_flags, rootfd, p->userns,
                       p->mount_idmap_fds != NULL ? p->mount_idmap_fds[i] : -1, err);
          if (r == 0)
            r = apply_propagation (m, rootfd, err);
          break;
        case MOUNT_KIND_CGROUP:
          r = mount_cgroups (p, m, rootfd, cgroup_file, err);
          break;
        default:
          r = mount_fs (p, m, i, rootfd, err);
          break;
        }
      if (r < 0)
        return -1;
    }
  return 0;
}
