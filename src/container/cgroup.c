/* The sandbox's cgroup: the handle and its record, joining, freezing, removal (see cgroup.h; making one:
 * cgroup-setup.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

CgroupHandle *
cgroup_handle_new (void)
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

const char *
cgroup_v1_dir (const CgroupHandle *h, const char *controller)
{
  return h->v1 != NULL ? g_hash_table_lookup (h->v1, controller) : NULL;
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
  g_autoptr (CgroupHandle) h = cgroup_handle_new ();
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
      /* The Sentry stays out of the container's memory cgroup (cgroup.h): v1's parent of the memory leaf, v2's
       * leaf of its own. */
      if (h->sentry_memory != NULL && (g_strcmp0 (dir, cgroup_v1_dir (h, "memory")) == 0 || (v2 && h->version == CGROUP_V2)))
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

/* The recorded directories that were found gone, each warned about once per process (the Sentry lives long). */
G_LOCK_DEFINE_STATIC (vanished);
static GHashTable *vanished;

/* Move pid into dir, one of the directories recorded at create. A directory that no longer exists is not an
 * error: its hierarchy was unmounted since (a v1 hugetlb hierarchy mounted for crun and taken away again, or any
 * mount that another program makes and removes), and no process can be put in a hierarchy that cannot be
 * reached. The process stays where it was forked in that hierarchy (the Sentry's cgroup), and a warning says so,
 * once per directory. A hierarchy mounted after create is not in the record and is never joined. */
static gboolean
enter_recorded (const char *dir, pid_t pid, GError **error)
{
  char buf[32];
  int err;
  gboolean first;

  snprintf (buf, sizeof buf, "%d", (int) pid);
  err = cgroup_write_errno (dir, "cgroup.procs", buf);
  if (err == 0)
    return TRUE;
  if (err != ENOENT || g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *procs = g_build_filename (dir, "cgroup.procs", NULL);
      return runsc_error_errno (error, err, "write %s to %s", buf, procs);
    }
  G_LOCK (vanished);
  if (vanished == NULL)
    vanished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  first = g_hash_table_add (vanished, g_strdup (dir));
  G_UNLOCK (vanished);
  if (first)
    log_warning ("cgroup %s recorded at create is gone (its hierarchy was unmounted since?): the container's "
                 "processes are not put in it", dir);
  return TRUE;
}

static gboolean pid_in (const char *dir, pid_t pid);

gboolean
cgroup_enter_container (const CgroupHandle *h, pid_t pid, GError **error)
{
  const char *mem = h->sentry_memory != NULL ? cgroup_v1_dir (h, "memory") : NULL;

  /* The memory leaf only where the process is not yet (it joins it itself, by its join fd, when it can). */
  if (mem != NULL && !pid_in (mem, pid) && !enter_recorded (mem, pid, error))
    return FALSE;
  if (h->freeze_dir == NULL)
    return TRUE;
  return enter_recorded (h->freeze_dir, pid, error);
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
      /* v2 with the Sentry's leaf: the sandbox's cgroup is an inner node; the process goes to the container's
       * leaf below (cgroup_enter_container). */
      if (h->version == CGROUP_V2 && h->sentry_memory != NULL && g_strcmp0 (dir, h->unified) == 0)
        continue;
      if (!pid_in (dir, pid) && !enter_recorded (dir, pid, error))
        return FALSE;
    }
  return cgroup_enter_container (h, pid, error);
}

/* ---- freezing ---- */

static gboolean
freeze_is_v1 (const CgroupHandle *h)
{
  const char *f = cgroup_v1_dir (h, "freezer");
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
  const char *base = cgroup_memory_dir (h);
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

/* FALSE when the directory that held dir (removed now, or never reachable) is not on a cgroup filesystem: the
 * hierarchy dir was in has been unmounted since create (enter_recorded). */
static gboolean
on_cgroup_fs (const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  struct statfs st;

  return statfs (parent, &st) == 0 && (st.f_type == CGROUP_SUPER_MAGIC || st.f_type == CGROUP2_SUPER_MAGIC);
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
          else if (!on_cgroup_fs (dir))
            log_warning ("cgroup %s: its hierarchy is no longer mounted here, so it cannot be removed; it stays in "
                         "the hierarchy until that is mounted again and the directory removed", dir);
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
        return cgroup_journal_undo (state_dir, error);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!cgroup_destroy (h, error))
    return FALSE;
  unlink (path);
  return TRUE;
}
