/* The state store: one locked directory per container under --root (see state.h for the layout). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "oci/state.h"

#define ID_MAX 1024

RunscState *
runsc_state_new (void)
{
  RunscState *st = g_new0 (RunscState, 1);
  st->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return st;
}

void
runsc_state_free (RunscState *st)
{
  if (st == NULL)
    return;
  g_free (st->id);
  g_free (st->bundle);
  g_free (st->rootfs);
  g_free (st->created);
  g_free (st->owner);
  g_clear_pointer (&st->annotations, g_hash_table_unref);
  g_free (st->sandbox_id);
  g_free (st->config_path);
  g_free (st);
}

void
state_dir_free (StateDir *d)
{
  if (d == NULL)
    return;
  if (d->dirfd >= 0)
    close (d->dirfd); /* releases the flock */
  g_free (d->root);
  g_free (d->id);
  g_free (d->path);
  g_free (d);
}

gboolean
state_validate_id (const char *id, GError **error)
{
  const char *p;

  if (id == NULL || *id == '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid container ID: empty");
  if (strlen (id) > ID_MAX)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid container ID: longer than %d bytes", ID_MAX);
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid container ID \"%s\"", id);
  for (p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '+' && *p != '-' && *p != '.')
      return runsc_error_set (error, RUNSC_ERROR_INVALID,
                              "invalid container ID \"%s\": only letters, digits and _ + - . are allowed", id);
  return TRUE;
}

static StateDir *
dir_open (const char *root, const char *id, gboolean lock, GError **error)
{
  g_autoptr (StateDir) d = g_new0 (StateDir, 1);
  struct stat st;

  d->dirfd = -1;
  if (!state_validate_id (id, error))
    return NULL;
  d->root = g_strdup (root);
  d->id = g_strdup (id);
  d->path = g_build_filename (root, id, NULL);
  d->dirfd = open (d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d->dirfd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "container %s does not exist", id);
      else
        runsc_error_errno (error, errno, "open state directory %s", d->path);
      return NULL;
    }
  if (lock)
    while (flock (d->dirfd, LOCK_EX) < 0)
      if (errno != EINTR)
        {
          runsc_error_errno (error, errno, "lock state directory %s", d->path);
          return NULL;
        }
  /* A concurrent delete may have removed it while we waited for the lock. */
  if (fstat (d->dirfd, &st) < 0 || st.st_nlink == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "container %s does not exist", id);
      return NULL;
    }
  return g_steal_pointer (&d);
}

StateDir *
state_dir_open (const char *root, const char *id, GError **error)
{
  return dir_open (root, id, TRUE, error);
}

StateDir *
state_dir_open_unlocked (const char *root, const char *id, GError **error)
{
  return dir_open (root, id, FALSE, error);
}

gboolean
state_dir_busy (StateDir *d)
{
  /* flock belongs to the open file description: a description of our own conflicts with any other holder. */
  autofd int fd = openat (d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean busy;

  if (fd < 0)
    return FALSE;
  busy = flock (fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
  return busy;
}

StateDir *
state_dir_create (const char *root, const char *id, GError **error)
{
  g_autofree char *path = NULL;
  StateDir *d;

  if (!state_validate_id (id, error))
    return NULL;
  if (!runsc_mkdir_p (root, 0711, error))
    return NULL;
  path = g_build_filename (root, id, NULL);
  if (mkdir (path, 0711) < 0)
    {
      if (errno == EEXIST)
        runsc_error_set (error, RUNSC_ERROR_EXISTS, "container with id %s already exists", id);
      else
        runsc_error_errno (error, errno, "create state directory %s", path);
      return NULL;
    }
  /* mkdir honours the umask; the mode is part of the contract. */
  chmod (path, 0711);
  d = state_dir_open (root, id, error);
  /* Out of descriptors (EMFILE), say: the directory we just made must not stay behind, half-made. */
  if (d == NULL)
    rmdir (path);
  return d;
}

gboolean
state_dir_remove (StateDir *d, GError **error)
{
  DIR *dir;
  struct dirent *de;
  int fd;

  fd = openat (d->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return runsc_error_errno (error, errno, "open state directory %s", d->path);
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return runsc_error_errno (error, errno, "read state directory %s", d->path);
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (d->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
        {
          int e = errno;
          closedir (dir);
          return runsc_error_errno (error, e, "remove %s/%s", d->path, de->d_name);
        }
    }
  closedir (dir);
  if (rmdir (d->path) < 0 && errno != ENOENT)
    return runsc_error_errno (error, errno, "remove state directory %s", d->path);
  return TRUE;
}

gboolean
state_save (StateDir *d, const RunscState *st, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (d->path, STATE_FILE, NULL);
  GHashTableIter iter;
  gpointer k, v;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, st->id);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, st->bundle);
  json_builder_set_member_name (b, "rootfs");
  json_builder_add_string_value (b, st->rootfs);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, st->created);
  json_builder_set_member_name (b, "owner");
  json_builder_add_string_value (b, st->owner != NULL ? st->owner : "");
  json_builder_set_member_name (b, "annotations");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, st->annotations);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      json_builder_set_member_name (b, k);
      json_builder_add_string_value (b, v);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "sandbox_id");
  json_builder_add_string_value (b, st->sandbox_id);
  json_builder_set_member_name (b, "sandbox_pid");
  json_builder_add_int_value (b, st->sandbox_pid);
  json_builder_set_member_name (b, "sandbox_start_time");
  json_builder_add_int_value (b, (gint64) st->sandbox_start_time);
  json_builder_set_member_name (b, "init_pid");
  json_builder_add_int_value (b, st->init_pid);
  json_builder_set_member_name (b, "config");
  json_builder_add_string_value (b, st->config_path);
  if (st->start_latency_us != 0)
    {
      json_builder_set_member_name (b, "start_latency_us");
      json_builder_add_int_value (b, (gint64) st->start_latency_us);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return runsc_write_file_atomic (path, text, -1, 0600, error);
}

/* The string value of node, or NULL when it is anything else (state.json is read back from disk: a member of
 * the wrong type reads as absent, without a GLib critical). */
static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static char *
dup_member (JsonObject *o, const char *name)
{
  const char *s = node_string (json_object_get_member (o, name));
  return g_strdup (s != NULL ? s : "");
}

static gint64
int_member (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

RunscState *
state_parse (const char *data, gssize len, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (RunscState) st = NULL;
  JsonNode *root;
  JsonObject *o;

  if (!runsc_json_depth_check (data, len, RUNSC_JSON_MAX_DEPTH, error)
      || !json_parser_load_from_data (parser, data, len, error))
    {
      runsc_error_prefix (error, "read %s", what);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "read %s: not a JSON object", what);
      return NULL;
    }
  o = json_node_get_object (root);
  st = runsc_state_new ();
  st->id = dup_member (o, "id");
  st->bundle = dup_member (o, "bundle");
  st->rootfs = dup_member (o, "rootfs");
  st->created = dup_member (o, "created");
  st->owner = dup_member (o, "owner");
  st->sandbox_id = dup_member (o, "sandbox_id");
  st->config_path = dup_member (o, "config");
  st->sandbox_pid = (pid_t) int_member (o, "sandbox_pid");
  st->sandbox_start_time = (guint64) int_member (o, "sandbox_start_time");
  st->init_pid = (pid_t) int_member (o, "init_pid");
  st->start_latency_us = (guint64) MAX (int_member (o, "start_latency_us"), 0);
  {
    JsonNode *an = json_object_get_member (o, "annotations");
    JsonObject *a = an != NULL && JSON_NODE_HOLDS_OBJECT (an) ? json_node_get_object (an) : NULL;
    g_autoptr (GList) names = a != NULL ? json_object_get_members (a) : NULL;

    for (GList *l = names; l != NULL; l = l->next)
      {
        const char *v = node_string (json_object_get_member (a, l->data));
        g_hash_table_insert (st->annotations, g_strdup (l->data), g_strdup (v != NULL ? v : ""));
      }
  }
  return g_steal_pointer (&st);
}

RunscState *
state_load (StateDir *d, GError **error)
{
  g_autofree char *path = g_build_filename (d->path, STATE_FILE, NULL);
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "container %s does not exist (no state yet)", d->id);
      return NULL;
    }
  return state_parse (data, (gssize) len, path, error);
}

gboolean
state_read_exit_status (StateDir *d, int *status)
{
  char buf[32];
  ssize_t n;
  autofd int fd = openat (d->dirfd, STATE_EXIT_FILE, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  *status = (int) g_ascii_strtoll (buf, NULL, 10);
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
state_list_ids (const char *root, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  DIR *dir = opendir (root);
  struct dirent *de;

  if (dir == NULL)
    {
      if (errno == ENOENT)
        return g_steal_pointer (&ids);
      runsc_error_errno (error, errno, "read state root %s", root);
      return NULL;
    }
  while ((de = readdir (dir)) != NULL)
    {
      struct stat st;
      if (de->d_name[0] == '.')
        continue;
      if (fstatat (dirfd (dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
        continue;
      if (!state_validate_id (de->d_name, NULL))
        continue;
      g_ptr_array_add (ids, g_strdup (de->d_name));
    }
  closedir (dir);
  g_ptr_array_sort (ids, compare_strings);
  return g_steal_pointer (&ids);
}

static StateStatusQuery status_query;

void
state_set_status_query (StateStatusQuery query)
{
  status_query = query;
}

/* Wait up to ms for the sandbox process to end. TRUE when it has. */
static gboolean
sandbox_ends_within (const RunscState *st, int ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (10000);
    }
  return TRUE;
}

const char *
state_status_timeout (StateDir *d, const RunscState *st, int *exit_status, int timeout_ms)
{
  g_autoptr (GError) error = NULL;
  const char *status = NULL;
  int es = -1;
  gboolean answered;

  if (exit_status != NULL)
    *exit_status = -1;
  if (!runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    goto stopped;
  if (status_query != NULL)
    answered = status_query (d, st->id, timeout_ms, &status, &es, &error);
  else
    answered = runsc_error_set (&error, RUNSC_ERROR_UNSUPPORTED, "no status query registered");
  if (!answered)
    {
      /* No answer from a live sandbox. One that is exiting (its socket already closed) is gone a moment later:
       * stopped. One that stays (busy, stopped by a debugger, its control thread stuck) is not known to be
       * stopped, and must not be reported so: its container may well be running. */
      if (sandbox_ends_within (st, MIN (timeout_ms, STATE_EXIT_GRACE_MS)))
        goto stopped;
      log_warning ("container %s: the sandbox (pid %d) is alive but did not answer: %s", st->id,
                   (int) st->sandbox_pid, error->message);
      return "unknown";
    }
  if (exit_status != NULL)
    *exit_status = es;
  return status;

stopped:
  if (state_read_exit_status (d, &es) && exit_status != NULL)
    *exit_status = es;
  return "stopped";
}

const char *
state_status (StateDir *d, const RunscState *st, int *exit_status)
{
  return state_status_timeout (d, st, exit_status, STATE_QUERY_TIMEOUT_MS);
}

static void
add_annotations (JsonBuilder *b, GHashTable *annotations)
{
  g_autoptr (GList) keys = NULL;
  GList *l;

  json_builder_set_member_name (b, "annotations");
  json_builder_begin_object (b);
  if (annotations != NULL)
    {
      keys = g_list_sort (g_hash_table_get_keys (annotations), (GCompareFunc) strcmp);
      for (l = keys; l != NULL; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_string_value (b, g_hash_table_lookup (annotations, l->data));
        }
    }
  json_builder_end_object (b);
}

/* Pretty print as Go's json.MarshalIndent (runc's output): "key": value, two-space indent, {} when empty. */
static void
pretty_node (GString *out, JsonNode *node, int depth)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      g_autoptr (GList) members = json_object_get_members (o);
      GList *l;

      if (members == NULL)
        {
          g_string_append (out, "{}");
          return;
        }
      g_string_append (out, "{\n");
      for (l = members; l != NULL; l = l->next)
        {
          g_autoptr (JsonNode) key = json_node_init_string (json_node_alloc (), l->data);
          g_autofree char *k = json_to_string (key, FALSE);
          g_string_append_printf (out, "%*s%s: ", (depth + 1) * 2, "", k);
          pretty_node (out, json_object_get_member (o, l->data), depth + 1);
          g_string_append (out, l->next != NULL ? ",\n" : "\n");
        }
      g_string_append_printf (out, "%*s}", depth * 2, "");
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      guint i, n = json_array_get_length (a);

      if (n == 0)
        {
          g_string_append (out, "[]");
          return;
        }
      g_string_append (out, "[\n");
      for (i = 0; i < n; i++)
        {
          g_string_append_printf (out, "%*s", (depth + 1) * 2, "");
          pretty_node (out, json_array_get_element (a, i), depth + 1);
          g_string_append (out, i + 1 < n ? ",\n" : "\n");
        }
      g_string_append_printf (out, "%*s]", depth * 2, "");
    }
  else
    {
      g_autofree char *text = json_to_string (node, FALSE);
      g_string_append (out, text);
    }
}

static char *
builder_to_string (JsonBuilder *b, gboolean pretty)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  GString *out;

  if (!pretty)
    return json_to_string (root, FALSE);
  out = g_string_new (NULL);
  pretty_node (out, root, 0);
  return g_string_free (out, FALSE);
}

pid_t
state_pid (const RunscState *st, const char *status)
{
  if (g_strcmp0 (status, "stopped") == 0)
    return 0;
  return g_strcmp0 (st->sandbox_id, st->id) == 0 ? st->sandbox_pid : st->init_pid;
}

char *
state_oci_json (const RunscState *st, const char *status, gboolean pretty)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersion");
  json_builder_add_string_value (b, OCI_SPEC_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, st->id);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, state_pid (st, status));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, st->bundle);
  json_builder_set_member_name (b, "rootfs");
  json_builder_add_string_value (b, st->rootfs);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, st->created);
  json_builder_set_member_name (b, "owner");
  json_builder_add_string_value (b, st->owner != NULL ? st->owner : "");
  add_annotations (b, st->annotations);
  json_builder_end_object (b);
  return builder_to_string (b, pretty);
}

char *
state_hook_json (const char *id, const char *status, pid_t pid, const char *bundle, GHashTable *annotations)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ociVersion");
  json_builder_add_string_value (b, OCI_SPEC_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, status);
  if (pid > 0)
    {
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, pid);
    }
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, bundle);
  add_annotations (b, annotations);
  json_builder_end_object (b);
  return builder_to_string (b, FALSE);
}
