/* The sandbox's cgroup: host layout, paths, creation, joining, freezing, removal (see cgroup.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/log.h"
#include "common/util.h"
#include "container/cgroup-devices.h"
#include "container/cgroup-internal.h"
#include "container/cgroup-join.h"
#include "container/cgroup.h"

#define FREEZE_WAIT_MS 5000
#define DESTROY_WAIT_MS 5000

/* ---- the host's hierarchies ---- */

typedef struct
{
  char *mountpoint;
  char *root;         /* the mount's root inside the hierarchy ("/" unless bind-mounted or namespaced) */
  char **controllers; /* v1: "memory", "cpu", "name=systemd"...; v2: NULL */
  char *current;      /* the cgroup this process is in (from /proc/self/cgroup), or NULL */
} Hierarchy;

typedef struct
{
  GPtrArray *v1;   /* Hierarchy * */
  Hierarchy *v2;   /* the cgroup2 mount, or NULL */
} Layout;

static void
hierarchy_free (Hierarchy *h)
{
  if (h == NULL)
    return;
  g_free (h->mountpoint);
  g_free (h->root);
  g_strfreev (h->controllers);
  g_free (h->current);
  g_free (h);
}

static void
layout_clear (Layout *l)
{
  if (l->v1 != NULL)
    g_ptr_array_unref (l->v1);
  hierarchy_free (l->v2);
  l->v1 = NULL;
  l->v2 = NULL;
}

static const char *const known_controllers[] = {
  "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio", "perf_event", "net_prio",
  "hugetlb", "pids", "rdma", "misc", NULL,
};

/* mountinfo escapes spaces and the like as \ooo. */
static char *
unescape_mount_field (const char *s)
{
  GString *out = g_string_new (NULL);

  while (*s != '\0')
    {
      if (s[0] == '\\' && g_ascii_isdigit (s[1]) && g_ascii_isdigit (s[2]) && g_ascii_isdigit (s[3]))
        {
          g_string_append_c (out, (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
          s += 4;
        }
      else
        g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

static gboolean
hierarchy_has (const Hierarchy *h, const char *controller)
{
  return h->controllers != NULL && g_strv_contains ((const char *const *) h->controllers, controller);
}

static gboolean
layout_load (Layout *l, GError **error)
{
  g_autofree char *mountinfo = NULL, *self = NULL;
  g_auto (GStrv) lines = NULL;
  guint i, j;

  l->v1 = g_ptr_array_new_with_free_func ((GDestroyNotify) hierarchy_free);
  l->v2 = NULL;
  if (!g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    return runsc_error_errno (error, errno, "read /proc/self/mountinfo");
  lines = g_strsplit (mountinfo, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      guint n = g_strv_length (f), sep;
      const char *fstype;
      Hierarchy *h;

      if (n < 10)
        continue;
      for (sep = 6; sep < n && strcmp (f[sep], "-") != 0; sep++)
        ;
      if (sep + 3 >= n)
        continue;
      fstype = f[sep + 1];
      if (strcmp (fstype, "cgroup2") == 0)
        {
          if (l->v2 != NULL)
            continue;
          h = g_new0 (Hierarchy, 1);
          h->mountpoint = unescape_mount_field (f[4]);
          h->root = unescape_mount_field (f[3]);
          l->v2 = h;
        }
      else if (strcmp (fstype, "cgroup") == 0)
        {
          g_auto (GStrv) opts = g_strsplit (f[sep + 3], ",", -1);
          GPtrArray *ctrls = g_ptr_array_new ();
          gboolean dup = FALSE;

          for (j = 0; opts[j] != NULL; j++)
            if (g_strv_contains (known_controllers, opts[j]) || g_str_has_prefix (opts[j], "name="))
              g_ptr_array_add (ctrls, g_strdup (opts[j]));
          g_ptr_array_add (ctrls, NULL);
          h = g_new0 (Hierarchy, 1);
          h->controllers = (char **) g_ptr_array_free (ctrls, FALSE);
          h->mountpoint = unescape_mount_field (f[4]);
          h->root = unescape_mount_field (f[3]);
          /* The same hierarchy mounted twice: keep the first. */
          for (j = 0; j < l->v1->len && !dup; j++)
            {
              Hierarchy *o = g_ptr_array_index (l->v1, j);
              dup = h->controllers[0] != NULL && hierarchy_has (o, h->controllers[0]);
            }
          if (dup || h->controllers[0] == NULL)
            hierarchy_free (h);
          else
            g_ptr_array_add (l->v1, h);
        }
    }

  /* Where we are in each hierarchy. */
  if (g_file_get_contents ("/proc/self/cgroup", &self, NULL, NULL))
    {
      g_auto (GStrv) cl = g_strsplit (self, "\n", -1);
      for (i = 0; cl[i] != NULL; i++)
        {
          g_auto (GStrv) p = g_strsplit (cl[i], ":", 3);
          if (g_strv_length (p) != 3)
            continue;
          if (p[1][0] == '\0')
            {
              if (l->v2 != NULL && strcmp (p[0], "0") == 0)
                l->v2->current = g_strdup (p[2]);
              continue;
            }
          {
            g_auto (GStrv) names = g_strsplit (p[1], ",", -1);
            for (j = 0; j < l->v1->len; j++)
              {
                Hierarchy *h = g_ptr_array_index (l->v1, j);
                if (names[0] != NULL && hierarchy_has (h, names[0]) && h->current == NULL)
                  h->current = g_strdup (p[2]);
              }
          }
        }
    }
  return TRUE;
}

static gboolean
layout_is_v1 (const Layout *l)
{
  guint i;

  for (i = 0; i < l->v1->len; i++)
    {
      Hierarchy *h = g_ptr_array_index (l->v1, i);
      if (hierarchy_has (h, "memory") || hierarchy_has (h, "cpu") || hierarchy_has (h, "pids"))
        return TRUE;
    }
  return FALSE;
}

CgroupVersion
cgroup_host_version (void)
{
  Layout l = { 0 };
  CgroupVersion v = 0;

  if (layout_load (&l, NULL))
    v = layout_is_v1 (&l) ? CGROUP_V1 : (l.v2 != NULL ? CGROUP_V2 : 0);
  layout_clear (&l);
  return v;
}

/* The directory of cgroup path (absolute in the hierarchy, or relative to our own cgroup) in hierarchy h. */
static char *
hierarchy_dir (const Hierarchy *h, const char *path)
{
  g_autofree char *full = NULL;
  const char *rel;

  if (path[0] == '/')
    full = g_strdup (path);
  else
    full = g_build_filename (h->current != NULL ? h->current : "/", path, NULL);
  /* Paths in /proc/self/cgroup are relative to our cgroup namespace; the mount's root is in the same terms. */
  rel = full;
  if (h->root != NULL && strcmp (h->root, "/") != 0 && g_str_has_prefix (full, h->root))
    rel = full + strlen (h->root);
  return g_build_filename (h->mountpoint, rel, NULL);
}

/* ---- handles ---- */

void
cgroup_handle_free (CgroupHandle *h)
{
  if (h == NULL)
    return;
  g_free (h->path);
  g_free (h->unified);
  if (h->v1 != NULL)
    g_hash_table_unref (h->v1);
  g_free (h->freeze_dir);
  g_strfreev (h->created);
  g_free (h->systemd_unit);
  g_free (h->sentry_memory);
  g_free (h);
}

static CgroupHandle *
handle_new (void)
{
  CgroupHandle *h = g_new0 (CgroupHandle, 1);
  h->v1 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return h;
}

/* Every distinct directory of the handle: v1 directories (sorted, so the order is stable), then unified. */
static GPtrArray *
handle_dirs (const CgroupHandle *h)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GList) values = g_hash_table_get_values (h->v1);
  GList *v;

  values = g_list_sort (values, (GCompareFunc) strcmp);
  for (v = values; v != NULL; v = v->next)
    {
      gboolean dup = FALSE;
      guint i;
      for (i = 0; i < dirs->len && !dup; i++)
        dup = strcmp (g_ptr_array_index (dirs, i), v->data) == 0;
      if (!dup)
        g_ptr_array_add (dirs, g_strdup (v->data));
    }
  if (h->unified != NULL)
    g_ptr_array_add (dirs, g_strdup (h->unified));
  return dirs;
}

static const char *
v1_dir (const CgroupHandle *h, const char *controller)
{
  return h->v1 != NULL ? g_hash_table_lookup (h->v1, controller) : NULL;
}

/* The journal of the directories a create is making (CGROUP_JOURNAL_FILE in its state directory), open while
 * setup() runs for cgroup_sandbox_prepare or cgroup_member_prepare: a runsc create killed after a mkdir and
 * before the record is saved leaves its directories named there, and cgroup_destroy_recorded removes them. Each
 * line is written right after its mkdir succeeds. */
static int journal_fd = -1;

static void
journal_open (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, CGROUP_JOURNAL_FILE, NULL);
  journal_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (journal_fd < 0)
    log_debug ("open %s: %s", path, g_strerror (errno));
}

/* The record is saved (or the set-up failed and cleaned up after itself): the journal has served. */
static void
journal_close (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, CGROUP_JOURNAL_FILE, NULL);
  if (journal_fd >= 0)
    close (journal_fd);
  journal_fd = -1;
  unlink (path);
}

static void
journal_add (const char *dir)
{
  g_autofree char *line = NULL;
  if (journal_fd < 0)
    return;
  line = g_strconcat (dir, "\n", NULL);
  if (write (journal_fd, line, strlen (line)) < 0)
    log_debug ("cgroup journal: %s", g_strerror (errno));
}

/* Remove the directories a journal names, deepest (last made) first. They hold no process: the Sentry is forked
 * only after the record is saved. */
static gboolean
journal_undo (const char *state_dir, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, CGROUP_JOURNAL_FILE, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local = NULL;
  guint i;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      return runsc_error_set (error, RUNSC_ERROR_FAILED, "read %s: %s", path, local->message);
    }
  lines = g_strsplit (text, "\n", -1);
  for (i = g_strv_length (lines); i > 0; i--)
    {
      const char *dir = lines[i - 1];
      if (dir[0] != '/')
        continue;
      if (rmdir (dir) < 0 && errno != ENOENT)
        return runsc_error_errno (error, errno, "remove cgroup %s (named in %s)", dir, path);
    }
  unlink (path);
  return TRUE;
}

/* mkdir -p under a mount point, recording what we made. */
static gboolean
make_dirs (const char *mountpoint, const char *dir, GPtrArray *created, GError **error)
{
  g_autofree char *rel = NULL;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) cur = g_string_new (mountpoint);
  guint i;

  if (!g_str_has_prefix (dir, mountpoint))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "cgroup %s is not under %s", dir, mountpoint);
  rel = g_strdup (dir + strlen (mountpoint));
  parts = g_strsplit (rel, "/", -1);
  for (i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "cgroup path %s: \"..\" is not allowed", dir);
      g_string_append_c (cur, '/');
      g_string_append (cur, parts[i]);
      if (mkdir (cur->str, 0755) == 0)
        {
          journal_add (cur->str);
          g_ptr_array_add (created, g_strdup (cur->str));
        }
      else if (errno != EEXIST)
        return runsc_error_errno (error, errno, "create cgroup %s", cur->str);
    }
  return TRUE;
}

/* A new v1 cpuset cgroup has no CPUs and no memory nodes: nothing could join it. Copy its parent's. */
static gboolean
cpuset_inherit (const char *dir, GError **error)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  g_autofree char *parent = g_path_get_dirname (dir);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *mine = cgroup_read (dir, files[i], NULL);
      g_autofree char *theirs = NULL;

      if (mine == NULL || g_strstrip (mine)[0] != '\0')
        continue;
      theirs = cgroup_read (parent, files[i], NULL);
      if (theirs == NULL || g_strstrip (theirs)[0] == '\0')
        {
          if (!cpuset_inherit (parent, error))
            return FALSE;
          g_free (theirs);
          theirs = cgroup_read (parent, files[i], NULL);
          if (theirs == NULL)
            continue;
          g_strstrip (theirs);
        }
      if (!cgroup_write (dir, files[i], theirs, error))
        return FALSE;
    }
  return TRUE;
}

/* v2: the controllers of the sandbox's cgroup are enabled in each ancestor's cgroup.subtree_control. */
static void
v2_enable_controllers (const char *mountpoint, const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *avail = NULL;
  g_auto (GStrv) names = NULL;
  guint i;

  if (strlen (parent) < strlen (mountpoint) || !g_str_has_prefix (parent, mountpoint))
    return;
  if (strcmp (parent, mountpoint) != 0)
    v2_enable_controllers (mountpoint, parent);
  avail = cgroup_read (parent, "cgroup.controllers", NULL);
  if (avail == NULL)
    return;
  names = g_strsplit_set (g_strstrip (avail), " \n", -1);
  for (i = 0; names[i] != NULL; i++)
    {
      g_autofree char *op = NULL;
      int err;
      if (names[i][0] == '\0')
        continue;
      op = g_strdup_printf ("+%s", names[i]);
      err = cgroup_write_errno (parent, "cgroup.subtree_control", op);
      if (err != 0)
        log_debug ("cgroup: enable %s in %s/cgroup.subtree_control: %s", names[i], parent, g_strerror (err));
    }
}

static gboolean
rmdir_wait (const char *dir, int timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return TRUE;
      if (errno != EBUSY || g_get_monotonic_time () > deadline)
        return runsc_error_errno (error, errno, "remove cgroup %s", dir);
      g_usleep (10000);
    }
}

static void
remove_created (GPtrArray *created)
{
  guint i;

  for (i = created->len; i > 0; i--)
    if (rmdir (g_ptr_array_index (created, i - 1)) < 0 && errno != ENOENT)
      log_debug ("cgroup: remove %s: %s", (char *) g_ptr_array_index (created, i - 1), g_strerror (errno));
}

/* systemd needs a process to put in a new scope, and collects a scope once it is empty. The holder is that
 * process: a child that waits until another process (the Sentry) is in the scope's cgroup, then exits (after 60 s
 * at most). After fork it only reads a file and sleeps: no allocation (the caller may have threads). */
static pid_t
scope_holder_start (const Layout *l, const char *path)
{
  g_autofree char *dir = NULL;
  g_autofree char *procs = NULL;
  guint i;
  pid_t pid;

  if (l->v2 != NULL && !layout_is_v1 (l))
    dir = hierarchy_dir (l->v2, path);
  for (i = 0; dir == NULL && i < l->v1->len; i++)
    {
      Hierarchy *hy = g_ptr_array_index (l->v1, i);
      if (hierarchy_has (hy, "name=systemd"))
        dir = hierarchy_dir (hy, path);
    }
  if (dir == NULL && l->v2 != NULL)
    dir = hierarchy_dir (l->v2, path);
  procs = g_build_filename (dir != NULL ? dir : "/nonexistent", "cgroup.procs", NULL);
  pid = fork ();
  if (pid != 0)
    return pid;
  for (i = 0; i < 6000; i++)
    {
      char buf[256];
      int fd = open (procs, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
      pid_t self = getpid ();
      char *p = buf;

      if (fd >= 0)
        close (fd);
      if (n > 0)
        {
          buf[n] = '\0';
          while (*p != '\0')
            {
              long v = strtol (p, &p, 10);
              if (v > 0 && v != self)
                _exit (0);
              while (*p == '\n')
                p++;
              if (v <= 0)
                break;
            }
        }
      usleep (10000);
    }
  _exit (0);
}

/* sentry_inside: the Sentry joins this cgroup (a sandbox's; a pod member's it never joins), so on v1 the
 * memory limit goes on a child it is not in (cgroup.h). */
static CgroupHandle *
setup (const OciSpec *spec, const char *id, gboolean systemd, gboolean sentry_inside, GError **error)
{
  g_autoptr (CgroupHandle) h = handle_new ();
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *unit = NULL;
  Layout l = { 0 };
  guint i, j;

  if (!layout_load (&l, error))
    goto fail;
  if (l.v1->len == 0 && l.v2 == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "no cgroup filesystem is mounted");
      goto fail;
    }
  h->path = cgroup_resolve_path (spec->linux_cfg != NULL ? spec->linux_cfg->cgroups_path : NULL, id, systemd, &unit,
                                 error);
  if (h->path == NULL)
    goto fail;
  h->systemd_unit = g_steal_pointer (&unit);
  h->version = layout_is_v1 (&l) ? CGROUP_V1 : CGROUP_V2;
  if (h->systemd_unit != NULL)
    {
      /* systemd makes the scope (with runsc create in it, until the Sentry is started and joins it); the limits
       * are then written to the delegated cgroup as with the cgroupfs driver. */
      g_autofree char *parent = g_path_get_dirname (h->path);
      g_autofree char *slice = g_path_get_basename (parent);
      g_autofree char *what = g_strdup_printf ("runsc sandbox %s", id);
      g_autoptr (GError) local = NULL;

      if (strcmp (parent, "/") == 0)
        {
          g_free (slice);
          slice = g_strdup ("-.slice");
        }
      pid_t holder = scope_holder_start (&l, h->path);

      if (holder < 0)
        {
          runsc_error_errno (error, errno, "fork");
          goto fail;
        }
      if (!cgroup_systemd_start_scope (h->systemd_unit, slice, holder, what, &local))
        {
          kill (holder, SIGKILL);
          waitpid (holder, NULL, 0);
          g_propagate_error (error, g_steal_pointer (&local));
          goto fail;
        }
    }

  if (h->version == CGROUP_V1)
    for (i = 0; i < l.v1->len; i++)
      {
        Hierarchy *hy = g_ptr_array_index (l.v1, i);
        g_autofree char *dir = hierarchy_dir (hy, h->path);

        if (!make_dirs (hy->mountpoint, dir, created, error))
          goto fail;
        for (j = 0; hy->controllers[j] != NULL; j++)
          g_hash_table_insert (h->v1, g_strdup (hy->controllers[j]), g_strdup (dir));
        if (hierarchy_has (hy, "cpuset") && !cpuset_inherit (dir, error))
          goto fail;
      }
  if (l.v2 != NULL)
    {
      g_autofree char *dir = hierarchy_dir (l.v2, h->path);
      g_autoptr (GError) local = NULL;

      if (make_dirs (l.v2->mountpoint, dir, created, h->version == CGROUP_V2 ? error : &local))
        {
          h->unified = g_steal_pointer (&dir);
          /* v2, or a hybrid host that has hugetlb on cgroup2 and hugepage limits to apply there. */
          if (h->version == CGROUP_V2
              || (spec->linux_cfg != NULL && spec->linux_cfg->resources != NULL
                  && spec->linux_cfg->resources->n_hugepage_limits > 0))
            v2_enable_controllers (l.v2->mountpoint, h->unified);
        }
      else if (h->version == CGROUP_V2)
        goto fail;
      else
        log_debug ("cgroup: hybrid host: %s", local->message);
    }

  /* v1: the container's memory cgroup, a child of the sandbox's that the Sentry is not in (cgroup.h). */
  if (sentry_inside && h->version == CGROUP_V1 && v1_dir (h, "memory") != NULL)
    {
      g_autofree char *parent = g_strdup (v1_dir (h, "memory"));
      g_autofree char *leaf = g_build_filename (parent, CGROUP_CONTAINER_CHILD, NULL);
      GHashTableIter iter;
      gpointer k, v;

      if (mkdir (leaf, 0755) == 0)
        g_ptr_array_add (created, g_strdup (leaf));
      else if (errno != EEXIST)
        {
          runsc_error_errno (error, errno, "create cgroup %s", leaf);
          goto fail;
        }
      /* Every controller of the memory hierarchy (co-mounted ones too) now names the leaf. */
      g_hash_table_iter_init (&iter, h->v1);
      while (g_hash_table_iter_next (&iter, &k, &v))
        if (strcmp (v, parent) == 0)
          g_hash_table_iter_replace (&iter, g_strdup (leaf));
      h->sentry_memory = g_steal_pointer (&parent);
    }

  /* The freeze cgroup: a child the Sentry is not in. */
  {
    const char *base = v1_dir (h, "freezer");
    if (base == NULL)
      base = h->unified;
    if (base != NULL)
      {
        g_autofree char *child = g_build_filename (base, CGROUP_CONTAINER_CHILD, NULL);
        if (mkdir (child, 0755) == 0)
          g_ptr_array_add (created, g_strdup (child));
        else if (errno != EEXIST)
          {
            runsc_error_errno (error, errno, "create cgroup %s", child);
            goto fail;
          }
        h->freeze_dir = g_steal_pointer (&child);
      }
  }

  if (spec->linux_cfg != NULL && spec->linux_cfg->resources != NULL
      && !cgroup_apply_resources (h, spec->linux_cfg->resources, error))
    goto fail;
  /* The device rules always apply (runc's defaults when the spec has none). */
  if (!cgroup_devices_apply (h, spec->linux_cfg != NULL ? spec->linux_cfg->resources : NULL, error))
    goto fail;

  g_ptr_array_add (created, NULL);
  h->created = (char **) g_ptr_array_free (g_steal_pointer (&created), FALSE);
  layout_clear (&l);
  log_debug ("cgroup: %s (v%d) for %s", h->path, (int) h->version, id);
  return g_steal_pointer (&h);

fail:
  if (created != NULL)
    remove_created (created);
  if (h != NULL && h->systemd_unit != NULL)
    cgroup_systemd_stop_scope (h->systemd_unit);
  layout_clear (&l);
  runsc_error_prefix (error, "cgroup of %s", id);
  return NULL;
}

CgroupHandle *
cgroup_setup_for_sandbox (const OciSpec *spec, const char *id, gboolean systemd, GError **error)
{
  return setup (spec, id, systemd, TRUE, error);
}

/* ---- record ---- */

gboolean
cgroup_handle_save (const CgroupHandle *h, const char *state_dir, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (state_dir, CGROUP_RECORD_FILE, NULL);
  GHashTableIter iter;
  gpointer k, v;
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, h->version);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, h->path);
  if (h->unified != NULL)
    {
      json_builder_set_member_name (b, "unified");
      json_builder_add_string_value (b, h->unified);
    }
  json_builder_set_member_name (b, "v1");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, h->v1);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      json_builder_set_member_name (b, k);
      json_builder_add_string_value (b, v);
    }
  json_builder_end_object (b);
  if (h->freeze_dir != NULL)
    {
      json_builder_set_member_name (b, "freeze");
      json_builder_add_string_value (b, h->freeze_dir);
    }
  json_builder_set_member_name (b, "created");
  json_builder_begin_array (b);
  for (i = 0; h->created != NULL && h->created[i] != NULL; i++)
    json_builder_add_string_value (b, h->created[i]);
  json_builder_end_array (b);
  if (h->systemd_unit != NULL)
    {
      json_builder_set_member_name (b, "systemdUnit");
      json_builder_add_string_value (b, h->systemd_unit);
    }
  if (h->sentry_memory != NULL)
    {
      json_builder_set_member_name (b, "sentryMemory");
      json_builder_add_string_value (b, h->sentry_memory);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return runsc_write_file_atomic (path, text, -1, 0600, error);
}

CgroupHandle *
cgroup_handle_load (const char *state_dir, GError **error)
{
  g_autofree char *path = g_build_filename (state_dir, CGROUP_RECORD_FILE, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupHandle) h = handle_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonObject *o, *v1;
  JsonArray *created;
  GList *members, *m;
  guint i;

  if (runsc_host_access (path, F_OK) < 0)
    {
      runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "%s: the container has no cgroup", path);
      return NULL;
    }
  if (!runsc_host_get_contents (path, &text, &len, &local)
      || !json_parser_load_from_data (parser, text, (gssize) len, &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "read %s: %s", path, local != NULL ? local->message : "not an object");
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  h->version = (CgroupVersion) json_object_get_int_member_with_default (o, "version", CGROUP_V1);
  h->path = g_strdup (json_object_get_string_member_with_default (o, "path", ""));
  if (json_object_has_member (o, "unified"))
    h->unified = g_strdup (json_object_get_string_member (o, "unified"));
  if (json_object_has_member (o, "freeze"))
    h->freeze_dir = g_strdup (json_object_get_string_member (o, "freeze"));
  if (json_object_has_member (o, "systemdUnit"))
    h->systemd_unit = g_strdup (json_object_get_string_member (o, "systemdUnit"));
  if (json_object_has_member (o, "sentryMemory"))
    h->sentry_memory = g_strdup (json_object_get_string_member (o, "sentryMemory"));
  v1 = json_object_get_object_member (o, "v1");
  members = v1 != NULL ? json_object_get_members (v1) : NULL;
  for (m = members; m != NULL; m = m->next)
    g_hash_table_insert (h->v1, g_strdup (m->data), g_strdup (json_object_get_string_member (v1, m->data)));
  g_list_free (members);
  created = json_object_has_member (o, "created") ? json_object_get_array_member (o, "created") : NULL;
  h->created = g_new0 (char *, (created != NULL ? json_array_get_length (created) : 0) + 1);
  for (i = 0; created != NULL && i < json_array_get_length (created); i++)
    h->created[i] = g_strdup (json_array_get_string_element (created, i));
  return g_steal_pointer (&h);
}

/* ---- joining ---- */

int
cgroup_open_join_fds (const CgroupHandle *h, int *fds, int max, GError **error)
{
  g_autoptr (GPtrArray) dirs = handle_dirs (h);
  int n = 0;
  guint i;

  for (i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      gboolean v2 = h->unified != NULL && strcmp (dir, h->unified) == 0;
      /* The Sentry stays out of the container's memory cgroup (cgroup.h). */
      if (h->sentry_memory != NULL && g_strcmp0 (dir, v1_dir (h, "memory")) == 0)
        dir = h->sentry_memory;
      /* Join fds (cgroup-join.h): the v1 tasks file, the v2 directory; not cgroup.procs, whose move by pid waits
       * for an RCU grace period. */
      g_autofree char *path = v2 ? g_strdup (dir) : g_build_filename (dir, "tasks", NULL);
      int fd;

      if (n >= max)
        {
          runsc_error_set (error, RUNSC_ERROR_FAILED, "too many cgroup hierarchies");
          goto fail;
        }
      fd = v2 ? open (path, O_PATH | O_DIRECTORY | O_CLOEXEC) : open (path, O_WRONLY | O_CLOEXEC);
      if (fd < 0)
        {
          runsc_error_errno (error, errno, "open %s", path);
          goto fail;
        }
      fds[n++] = fd;
    }
  return n;

fail:
  while (n > 0)
    close (fds[--n]);
  return -1;
}

int
cgroup_join_fds (const int *fds, int n, int report_fd)
{
  int ret = cgroup_join_self (fds, n);

  if (ret < 0 && report_fd >= 0)
    {
      /* No stdio here: format the number by hand. */
      char msg[96] = "error join the sandbox's cgroup: errno ";
      char digits[12];
      size_t len = strlen (msg);
      int e = -ret, nd = 0;

      do
        digits[nd++] = (char) ('0' + e % 10);
      while ((e /= 10) > 0 && nd < (int) sizeof digits);
      while (nd > 0)
        msg[len++] = digits[--nd];
      msg[len++] = '\n';
      if (write (report_fd, msg, len) < 0)
        ret = -errno;
    }
  return ret;
}

gboolean
cgroup_sandbox_prepare (const OciSpec *spec, const char *id, gboolean systemd, const char *state_dir, int *fds,
                        int max, int *n_fds, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  gboolean required = systemd || (spec->linux_cfg != NULL && (spec->linux_cfg->resources != NULL
                                                               || (spec->linux_cfg->cgroups_path != NULL
                                                                   && spec->linux_cfg->cgroups_path[0] != '\0')));
  int n;

  *n_fds = 0;
  journal_open (state_dir);
  h = cgroup_setup_for_sandbox (spec, id, systemd, &local);
  if (h == NULL)
    {
      journal_close (state_dir);
      if (required)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      log_warning ("%s; the sandbox runs without a cgroup of its own", local->message);
      return TRUE;
    }
  if (!cgroup_handle_save (h, state_dir, error))
    {
      g_autoptr (GError) ignored = NULL;
      cgroup_destroy (h, &ignored);
      journal_close (state_dir);
      return FALSE;
    }
  journal_close (state_dir);
  n = cgroup_open_join_fds (h, fds, max, error);
  if (n < 0)
    {
      g_autoptr (GError) ignored = NULL;
      cgroup_destroy_recorded (state_dir, &ignored);
      return FALSE;
    }
  *n_fds = n;
  return TRUE;
}

/* TRUE when dir is anc or one of its descendants. */
static gboolean
dir_within (const char *dir, const char *anc)
{
  size_t n = strlen (anc);
  return strncmp (dir, anc, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

/* TRUE when the cgroup that path names is the sandbox's cgroup or one of its ancestors, in any hierarchy. */
static gboolean
contains_sandbox (const Layout *l, const char *path, const CgroupHandle *sb)
{
  guint i, j;

  for (i = 0; i < l->v1->len; i++)
    {
      Hierarchy *hy = g_ptr_array_index (l->v1, i);
      g_autofree char *dir = hierarchy_dir (hy, path);
      for (j = 0; hy->controllers[j] != NULL; j++)
        {
          const char *theirs = v1_dir (sb, hy->controllers[j]);
          if (theirs != NULL && dir_within (theirs, dir))
            return TRUE;
        }
    }
  if (l->v2 != NULL && sb->unified != NULL)
    {
      g_autofree char *dir = hierarchy_dir (l->v2, path);
      if (dir_within (sb->unified, dir))
        return TRUE;
    }
  return FALSE;
}

gboolean
cgroup_member_prepare (const OciSpec *spec, const char *id, gboolean systemd, const char *state_dir,
                       const char *sandbox_state_dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupHandle) h = NULL;
  g_autoptr (CgroupHandle) sb = cgroup_handle_load (sandbox_state_dir, NULL);
  gboolean required = systemd || (spec->linux_cfg != NULL && (spec->linux_cfg->resources != NULL
                                                               || (spec->linux_cfg->cgroups_path != NULL
                                                                   && spec->linux_cfg->cgroups_path[0] != '\0')));

  if (sb != NULL)
    {
      g_autofree char *path = cgroup_resolve_path (spec->linux_cfg != NULL ? spec->linux_cfg->cgroups_path : NULL, id,
                                                   systemd, NULL, NULL);
      Layout l = { 0 };
      gboolean shared = FALSE;

      /* Its limits must not land on the sandbox's cgroup, nor its removal take the Sentry along. */
      if (path != NULL && layout_load (&l, NULL))
        shared = contains_sandbox (&l, path, sb);
      layout_clear (&l);
      if (shared)
        {
          log_warning ("container %s: cgroup %s is its sandbox's (%s) or contains it: the container has no cgroup of "
                       "its own", id, path, sb->path);
          return TRUE;
        }
    }
  journal_open (state_dir);
  h = setup (spec, id, systemd, FALSE, &local);
  if (h == NULL)
    {
      journal_close (state_dir);
      if (required)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      log_warning ("%s; the container's processes stay in its sandbox's cgroup", local->message);
      return TRUE;
    }
  if (!cgroup_handle_save (h, state_dir, error))
    {
      g_autoptr (GError) ignored = NULL;
      cgroup_destroy (h, &ignored);
      journal_close (state_dir);
      return FALSE;
    }
  journal_close (state_dir);
  return TRUE;
}

static gboolean
write_pid (const char *dir, pid_t pid, GError **error)
{
  char buf[32];

  snprintf (buf, sizeof buf, "%d", (int) pid);
  return cgroup_write (dir, "cgroup.procs", buf, error);
}

static gboolean pid_in (const char *dir, pid_t pid);

gboolean
cgroup_enter_container (const CgroupHandle *h, pid_t pid, GError **error)
{
  const char *mem = h->sentry_memory != NULL ? v1_dir (h, "memory") : NULL;

  /* The memory leaf only where the process is not yet (it joins it itself, by its join fd, when it can). */
  if (mem != NULL && !pid_in (mem, pid) && !write_pid (mem, pid, error))
    return FALSE;
  if (h->freeze_dir == NULL)
    return TRUE;
  return write_pid (h->freeze_dir, pid, error);
}

/* TRUE when pid is listed in dir/cgroup.procs. */
static gboolean
pid_in (const char *dir, pid_t pid)
{
  g_autofree char *text = cgroup_read (dir, "cgroup.procs", NULL);
  const char *p = text;

  while (p != NULL && *p != '\0')
    {
      if (atoi (p) == (int) pid)
        return TRUE;
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return FALSE;
}

gboolean
cgroup_enter_process (const CgroupHandle *h, pid_t pid, GError **error)
{
  g_autoptr (GPtrArray) dirs = handle_dirs (h);
  guint i;

  /* Only where it is not yet: a move by pid waits for an RCU grace period (cgroup-join.h), and a process the
   * Sentry forked for the sandbox's own container is in its cgroups already. */
  for (i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      if (!pid_in (dir, pid) && !write_pid (dir, pid, error))
        return FALSE;
    }
  return cgroup_enter_container (h, pid, error);
}

/* ---- freezing ---- */

static gboolean
freeze_is_v1 (const CgroupHandle *h)
{
  const char *f = v1_dir (h, "freezer");
  return f != NULL && h->freeze_dir != NULL && g_str_has_prefix (h->freeze_dir, f);
}


gboolean
cgroup_freeze (const CgroupHandle *h, gboolean freeze, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + FREEZE_WAIT_MS * 1000;
  gboolean v1 = freeze_is_v1 (h);
  const char *want = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");

  if (h->freeze_dir == NULL)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "cgroup %s: no freezer", h->path);
  for (;;)
    {
      g_autofree char *now = NULL;

      if (!cgroup_write (h->freeze_dir, v1 ? "freezer.state" : "cgroup.freeze", want, error))
        return FALSE;
      if (v1)
        {
          now = cgroup_read (h->freeze_dir, "freezer.state", NULL);
          if (now != NULL && g_str_has_prefix (now, want))
            return TRUE;
        }
      else
        {
          guint64 frozen = 2;
          now = cgroup_read (h->freeze_dir, "cgroup.events", NULL);
          if (now != NULL && cgroup_keyed_value (now, "frozen", &frozen) && frozen == (freeze ? 1 : 0))
            return TRUE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          if (freeze)
            {
              g_autoptr (GError) local = NULL;
              cgroup_write (h->freeze_dir, v1 ? "freezer.state" : "cgroup.freeze", v1 ? "THAWED" : "0", &local);
            }
          return runsc_error_set (error, RUNSC_ERROR_FAILED, "cgroup %s: %s did not take effect within %d ms",
                                  h->freeze_dir, freeze ? "freeze" : "thaw", FREEZE_WAIT_MS);
        }
      g_usleep (1000);
    }
}

/* ---- processes ---- */

static void
collect_pids (const char *dir, GArray *pids, int depth)
{
  g_autofree char *text = cgroup_read (dir, "cgroup.procs", NULL);
  GDir *d;
  const char *name;

  if (text != NULL)
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
      guint i, j;
      for (i = 0; lines[i] != NULL; i++)
        {
          int pid = atoi (lines[i]);
          gboolean dup = FALSE;
          if (pid <= 0)
            continue;
          for (j = 0; j < pids->len && !dup; j++)
            dup = g_array_index (pids, int, j) == pid;
          if (!dup)
            g_array_append_val (pids, pid);
        }
    }
  if (depth > 8 || (d = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *sub = g_build_filename (dir, name, NULL);
      if (g_file_test (sub, G_FILE_TEST_IS_DIR))
        collect_pids (sub, pids, depth + 1);
    }
  g_dir_close (d);
}

GArray *
cgroup_pids (const CgroupHandle *h)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GPtrArray) dirs = handle_dirs (h);
  guint i;

  for (i = 0; i < dirs->len; i++)
    collect_pids (g_ptr_array_index (dirs, i), pids, 0);
  return pids;
}

/* ---- limits as the sandbox sees them ---- */

guint64
cgroup_memory_limit (const CgroupHandle *h)
{
  const char *base = h->version == CGROUP_V1 ? v1_dir (h, "memory") : h->unified;
  const char *file = h->version == CGROUP_V1 ? "memory.limit_in_bytes" : "memory.max";
  g_autofree char *walk = NULL;
  guint64 best = 0;

  if (base == NULL)
    return 0;
  walk = g_strdup (base);
  /* Up to the hierarchy's root: the first directory without the file is above it. */
  for (;;)
    {
      gint64 v;
      char *slash;

      if (!cgroup_read_i64 (walk, file, &v))
        break;
      if (v > 0 && v < (G_MAXINT64 / 2) && (best == 0 || (guint64) v < best))
        best = (guint64) v;
      slash = strrchr (walk, '/');
      if (slash == NULL || slash == walk)
        break;
      *slash = '\0';
    }
  return best;
}

/* ---- removal ---- */

static void
kill_all (const CgroupHandle *h)
{
  g_autoptr (GArray) pids = cgroup_pids (h);
  guint i;

  for (i = 0; i < pids->len; i++)
    kill (g_array_index (pids, int, i), SIGKILL);
}

gboolean
cgroup_destroy (const CgroupHandle *h, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + DESTROY_WAIT_MS * 1000;
  gboolean ok = TRUE;
  guint i;

  /* What is left: kill it, and thaw it so that the kill is delivered (v1 frozen tasks sleep through SIGKILL). */
  for (;;)
    {
      g_autoptr (GArray) pids = cgroup_pids (h);
      if (pids->len == 0)
        break;
      /* Frozen, nothing can fork while it is being killed (a fork bomb); thawed, the kills are delivered. */
      if (h->freeze_dir != NULL)
        {
          g_autoptr (GError) local = NULL;
          if (!cgroup_freeze (h, TRUE, &local))
            log_debug ("%s", local->message);
        }
      kill_all (h);
      if (h->freeze_dir != NULL)
        {
          g_autoptr (GError) local = NULL;
          if (!cgroup_freeze (h, FALSE, &local))
            log_debug ("%s", local->message);
        }
      if (g_get_monotonic_time () > deadline)
        return runsc_error_set (error, RUNSC_ERROR_FAILED, "cgroup %s: %u processes do not exit", h->path,
                                pids->len);
      g_usleep (10000);
    }

  if (h->systemd_unit != NULL)
    cgroup_systemd_stop_scope (h->systemd_unit);
  if (h->created == NULL)
    return ok;
  for (i = g_strv_length (h->created); i > 0; i--)
    {
      const char *dir = h->created[i - 1];
      g_autoptr (GError) local = NULL;
      /* The sandbox's own directories must go; a parent we made may be shared with another sandbox by now. */
      gboolean leaf = h->freeze_dir != NULL && strcmp (dir, h->freeze_dir) == 0;
      GHashTableIter iter;
      gpointer k, v;

      if (h->unified != NULL && strcmp (dir, h->unified) == 0)
        leaf = TRUE;
      if (h->sentry_memory != NULL && strcmp (dir, h->sentry_memory) == 0)
        leaf = TRUE;
      g_hash_table_iter_init (&iter, h->v1);
      while (!leaf && g_hash_table_iter_next (&iter, &k, &v))
        leaf = strcmp (dir, v) == 0;
      if (leaf)
        {
          /* Best effort for the others: one busy directory does not keep the rest. */
          if (!rmdir_wait (dir, 1000, ok ? error : &local))
            ok = FALSE;
        }
      else if (rmdir (dir) < 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY)
        log_debug ("cgroup: remove %s: %s", dir, g_strerror (errno));
    }
  return ok;
}

gboolean
cgroup_destroy_recorded (const char *state_dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupHandle) h = cgroup_handle_load (state_dir, &local);
  g_autofree char *path = g_build_filename (state_dir, CGROUP_RECORD_FILE, NULL);

  if (h == NULL)
    {
      /* No record: a create killed while it made the cgroups may have left a journal of them. */
      if (g_error_matches (local, RUNSC_ERROR, RUNSC_ERROR_NOT_FOUND))
        return journal_undo (state_dir, error);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!cgroup_destroy (h, error))
    return FALSE;
  unlink (path);
  return TRUE;
}
