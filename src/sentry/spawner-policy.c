/* What the spawner accepts from the Sentry (spawner-policy.h). */
#include "config.h"

#include <string.h>

#include "common/error.h"
#include "common/proc-stat.h"
#include "oci/state.h"
#include "sentry/spawner-policy.h"

#define EXEC_MAX_ARGS 4096
#define EXEC_MAX_ENV 4096
#define EXEC_MAX_STRING (128 * 1024)
#define EXEC_MAX_TOTAL (1024 * 1024)

typedef struct
{
  pid_t pid;
  guint64 start;
} Pinned;

static char *state_root;
static char *root_id;
static pid_t sentry_pid;
static gboolean set_up;
static Pinned root_init = { -1, 0 };
static GHashTable *members; /* id -> Pinned * */

void
spawner_policy_init (const char *state_dir, const char *id, pid_t sentry)
{
  g_free (state_root);
  g_free (root_id);
  state_root = g_path_get_dirname (state_dir);
  root_id = g_strdup (id);
  sentry_pid = sentry;
  set_up = FALSE;
  root_init = (Pinned) { -1, 0 };
  g_clear_pointer (&members, g_hash_table_unref);
  members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static gboolean
start_time_of (pid_t pid, guint64 *start, pid_t *ppid)
{
  char buf[RUNSC_PROC_STAT_BUF];
  RunscProcStat st;

  if (pid <= 0 || !runsc_proc_stat_read (pid, buf, sizeof buf, &st) || st.state == 'Z')
    return FALSE;
  *start = st.start_time;
  *ppid = st.ppid;
  return TRUE;
}

char *
spawner_policy_member_config (const char *id)
{
  return g_build_filename (state_root, id, STATE_CONFIG_FILE, NULL);
}

/* A string member no longer than max, or absent (NULL). */
static gboolean
string_ok (JsonNode *node, const char *what, gsize *total, GError **error)
{
  const char *s;
  gsize len;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: %s is not a string", what);
  s = json_node_get_string (node);
  len = strlen (s);
  if (len > EXEC_MAX_STRING)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: %s is %zu bytes (at most %d)", what, len,
                            EXEC_MAX_STRING);
  *total += len + 1;
  return TRUE;
}

static gboolean
strings_ok (JsonObject *process, const char *name, guint min, guint max, gboolean need_eq, gsize *total,
            GError **error)
{
  JsonNode *node = json_object_get_member (process, name);
  JsonArray *arr;
  guint n;

  if (node == NULL && min == 0)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: process.%s is not an array", name);
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n < min || n > max)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: process.%s has %u entries (%u to %u)", name,
                            n, min, max);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *what = g_strdup_printf ("process.%s[%u]", name, i);
      if (!string_ok (json_array_get_element (arr, i), what, total, error))
        return FALSE;
      if (need_eq && strchr (json_array_get_string_element (arr, i), '=') == NULL)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: %s \"%s\" is not NAME=value", what,
                                json_array_get_string_element (arr, i));
    }
  return TRUE;
}

/* The exec'd process within limits. */
static gboolean
exec_process_ok (JsonObject *req, GError **error)
{
  JsonObject *exec = json_object_has_member (req, "exec") ? json_object_get_object_member (req, "exec") : NULL;
  JsonObject *process = exec != NULL && json_object_has_member (exec, "process")
                            ? json_object_get_object_member (exec, "process")
                            : NULL;
  gsize total = 0;
  const char *cwd;

  if (process == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: exec without a process");
  if (!strings_ok (process, "args", 1, EXEC_MAX_ARGS, FALSE, &total, error)
      || !strings_ok (process, "env", 0, EXEC_MAX_ENV, TRUE, &total, error))
    return FALSE;
  if (json_object_has_member (process, "cwd"))
    {
      if (!string_ok (json_object_get_member (process, "cwd"), "process.cwd", &total, error))
        return FALSE;
      cwd = json_object_get_string_member (process, "cwd");
      if (cwd[0] != '/')
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: process.cwd \"%s\" is not absolute",
                                cwd);
    }
  if (total > EXEC_MAX_TOTAL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "spawner: refused: the process's strings are %zu bytes (at most %d)", total,
                            EXEC_MAX_TOTAL);
  return TRUE;
}

/* A new member: a valid id, its spec the state root's copy, its bundle absolute and clean. */
static gboolean
member_ok (JsonObject *req, GError **error)
{
  const char *id = json_object_get_string_member_with_default (req, "id", "");
  const char *config = json_object_get_string_member_with_default (req, "config", "");
  const char *bundle = json_object_get_string_member_with_default (req, "bundle", "");
  g_autofree char *want = NULL, *clean = NULL;

  if (!state_validate_id (id, error))
    return runsc_error_prefix (error, "spawner: refused");
  if (strcmp (id, root_id) == 0)
    return runsc_error_set (error, RUNSC_ERROR_EXISTS, "spawner: refused: %s is the sandbox's root container", id);
  want = spawner_policy_member_config (id);
  if (strcmp (config, want) != 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "spawner: refused: config %s is not container %s's spec in the state directory (%s)",
                            config, id, want);
  clean = g_canonicalize_filename (bundle[0] != '\0' ? bundle : "/", "/");
  if (bundle[0] != '/' || strcmp (clean, bundle) != 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "spawner: refused: bundle \"%s\" is not an absolute, clean path", bundle);
  return TRUE;
}

gboolean
spawner_policy_check (const char *kind, JsonObject *req, GError **error)
{
  if (strcmp (kind, "setup") == 0)
    return set_up ? runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: setup again") : TRUE;
  if (!set_up)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "spawner: refused: %s before setup", kind);
  /* Which namespaces a process joins follows from the container it is for, never from a pid the Sentry names. */
  for (const char *const *f = (const char *const[]) { "init_pid", "root_init_pid", NULL }; *f != NULL; f++)
    if (json_object_has_member (req, *f))
      return runsc_error_set (error, RUNSC_ERROR_INVALID,
                              "spawner: refused: %s names an init pid (%" G_GINT64_FORMAT "): the spawner knows the "
                              "inits",
                              kind, json_object_get_int_member_with_default (req, *f, -1));
  if (strcmp (kind, "sub") == 0)
    return member_ok (req, error);
  if (strcmp (kind, "exec") == 0)
    return exec_process_ok (req, error);
  return TRUE;
}

gboolean
spawner_policy_setup (JsonObject *req, pid_t *root, GError **error)
{
  pid_t pid = (pid_t) json_object_get_int_member_with_default (req, "root_init_pid", -1);
  pid_t ppid;

  if (set_up)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: setup again");
  if (!start_time_of (pid, &root_init.start, &ppid) || ppid != sentry_pid)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "spawner: refused: root init %d is not the Sentry's child",
                            (int) pid);
  root_init.pid = pid;
  set_up = TRUE;
  *root = pid;
  return TRUE;
}

void
spawner_policy_member (const char *id, pid_t pid)
{
  Pinned *p = g_new0 (Pinned, 1);
  pid_t ppid;

  p->pid = pid;
  if (!start_time_of (pid, &p->start, &ppid))
    p->pid = -1; /* gone already: exec in it will be refused */
  g_hash_table_replace (members, g_strdup (id), p);
}

gboolean
spawner_policy_init_of (const char *target, pid_t *pid, GError **error)
{
  const Pinned *p = strcmp (target, root_id) == 0 ? &root_init : g_hash_table_lookup (members, target);
  guint64 start;
  pid_t ppid;

  if (p == NULL)
    return runsc_error_set (error, RUNSC_ERROR_NOT_FOUND, "spawner: refused: no container %s in this sandbox", target);
  if (!start_time_of (p->pid, &start, &ppid) || start != p->start || ppid != sentry_pid)
    return runsc_error_set (error, RUNSC_ERROR_STATE, "spawner: refused: container %s's init %d is gone", target,
                            (int) p->pid);
  *pid = p->pid;
  return TRUE;
}
