/* The OCI spec model: config.json parsed with json-glib into the typed structures of spec.h (freeing and lookups:
 * spec-model.c; the checks runsc needs before it can run a spec: spec-validate.c).
 *
 * Every error names the JSON path of the offending value ("linux.namespaces[2].type: expected a string"), so a
 * user can find it in the file. JSON null counts as absent, as it does for the Go runtimes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/host-fs.h"
#include "common/util.h"
#include "oci/spec.h"

/* ---- typed access to JSON members, with the path in errors ----------------------------------------------- */

static char *
path_join (const char *parent, const char *name)
{
  return *parent != '\0' ? g_strdup_printf ("%s.%s", parent, name) : g_strdup (name);
}

static gboolean
err_missing (GError **error, const char *parent, const char *name)
{
  g_autofree char *p = path_join (parent, name);
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: missing", p);
}

static gboolean
err_type (GError **error, const char *path, const char *expected)
{
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: expected %s", path, expected);
}

/* The member, or NULL when it is absent or JSON null. */
static JsonNode *
member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return n;
}

static gboolean
node_is (JsonNode *n, GType type)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == type;
}

typedef enum
{
  K_STRING, /* char ** */
  K_BOOL,   /* gboolean * */
  K_INT,    /* int *, 32-bit signed */
  K_INT64,  /* gint64 * */
  K_UINT16, /* guint16 * */
  K_UINT32, /* guint32 * */
  K_UINT64, /* guint64 * */
  K_STRV,   /* char *** */
} Kind;

static const char *const kind_names[] = {
  [K_STRING] = "a string",
  [K_BOOL] = "a boolean",
  [K_INT] = "a 32-bit integer",
  [K_INT64] = "an integer",
  [K_UINT16] = "an unsigned 16-bit integer",
  [K_UINT32] = "an unsigned 32-bit integer",
  [K_UINT64] = "an unsigned integer",
  [K_STRV] = "an array of strings",
};

/* Convert one node of the given kind into *out. FALSE if its type does not fit. */
static gboolean
node_convert (JsonNode *n, Kind kind, void *out)
{
  gint64 v;

  switch (kind)
    {
    case K_STRING:
      if (!node_is (n, G_TYPE_STRING))
        return FALSE;
      g_free (*(char **) out);
      *(char **) out = g_strdup (json_node_get_string (n));
      return TRUE;
    case K_BOOL:
      if (!node_is (n, G_TYPE_BOOLEAN))
        return FALSE;
      *(gboolean *) out = json_node_get_boolean (n);
      return TRUE;
    case K_STRV:
      {
        JsonArray *a;
        guint i, len;
        char **v_out;

        if (!JSON_NODE_HOLDS_ARRAY (n))
          return FALSE;
        a = json_node_get_array (n);
        len = json_array_get_length (a);
        for (i = 0; i < len; i++)
          if (!node_is (json_array_get_element (a, i), G_TYPE_STRING))
            return FALSE;
        v_out = g_new0 (char *, len + 1);
        for (i = 0; i < len; i++)
          v_out[i] = g_strdup (json_array_get_string_element (a, i));
        g_strfreev (*(char ***) out);
        *(char ***) out = v_out;
        return TRUE;
      }
    default:
      break;
    }

  /* Numbers. json-glib 1.6 reads every integer literal as a gint64, wrapping those above G_MAXINT64, so an
   * unsigned 64-bit field takes the bits as they are: 18446744073709551615 (RLIM_INFINITY, as podman writes it)
   * arrives as -1 and is UINT64_MAX again here. Fractions are refused, as Go's decoder refuses them. */
  if (!node_is (n, G_TYPE_INT64))
    return FALSE;
  v = json_node_get_int (n);
  switch (kind)
    {
    case K_INT:
      if (v < G_MININT32 || v > G_MAXINT32)
        return FALSE;
      *(int *) out = (int) v;
      return TRUE;
    case K_INT64:
      *(gint64 *) out = v;
      return TRUE;
    case K_UINT16:
      if (v < 0 || v > G_MAXUINT16)
        return FALSE;
      *(guint16 *) out = (guint16) v;
      return TRUE;
    case K_UINT32:
      if (v < 0 || v > G_MAXUINT32)
        return FALSE;
      *(guint32 *) out = (guint32) v;
      return TRUE;
    case K_UINT64:
      *(guint64 *) out = (guint64) v;
      return TRUE;
    default:
      return FALSE;
    }
}

/* Read member `name` of o (at path parent) into out. Absent: error if required, else *has (when given) is FALSE
 * and out is left alone. */
static gboolean
field (JsonObject *o, const char *parent, const char *name, Kind kind, gboolean required, void *out,
       gboolean *has, GError **error)
{
  JsonNode *n = member (o, name);

  if (has != NULL)
    *has = FALSE;
  if (n == NULL)
    return required ? err_missing (error, parent, name) : TRUE;
  if (!node_convert (n, kind, out))
    {
      g_autofree char *p = path_join (parent, name);
      return err_type (error, p, kind_names[kind]);
    }
  if (has != NULL)
    *has = TRUE;
  return TRUE;
}

/* An object member: *out is NULL when absent (or an error if required). *path_out gets its path. */
static gboolean
object_field (JsonObject *o, const char *parent, const char *name, gboolean required, JsonObject **out,
              char **path_out, GError **error)
{
  JsonNode *n = member (o, name);

  *out = NULL;
  *path_out = path_join (parent, name);
  if (n == NULL)
    return required ? runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: missing", *path_out) : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return err_type (error, *path_out, "an object");
  *out = json_node_get_object (n);
  return TRUE;
}

/* An array of objects: *out is NULL when absent; each element is checked to be an object. */
static gboolean
object_array_field (JsonObject *o, const char *parent, const char *name, JsonArray **out, char **path_out,
                    GError **error)
{
  JsonNode *n = member (o, name);
  guint i, len;

  *out = NULL;
  *path_out = path_join (parent, name);
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return err_type (error, *path_out, "an array");
  *out = json_node_get_array (n);
  len = json_array_get_length (*out);
  for (i = 0; i < len; i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (*out, i)))
      {
        g_autofree char *p = g_strdup_printf ("%s[%u]", *path_out, i);
        return err_type (error, p, "an object");
      }
  return TRUE;
}

/* An object of string values (annotations, sysctl, unified): always returns a table when successful. */
static gboolean
string_map_field (JsonObject *o, const char *parent, const char *name, GHashTable **out, GError **error)
{
  g_autofree char *path = NULL;
  JsonObject *m;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!object_field (o, parent, name, FALSE, &m, &path, error))
    return FALSE;
  if (m == NULL)
    return TRUE;
  json_object_iter_init (&iter, m);
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (!node_is (value, G_TYPE_STRING))
        {
          g_autofree char *p = g_strdup_printf ("%s[\"%s\"]", path, key);
          return err_type (error, p, "a string");
        }
      g_hash_table_replace (*out, g_strdup (key), g_strdup (json_node_get_string (value)));
    }
  return TRUE;
}

static char **
empty_strv (void)
{
  return g_new0 (char *, 1);
}

/* Parses JSON object o (at path) into the structure at out. */
typedef gboolean (*ParseFn) (JsonObject *o, const char *path, gpointer out, GError **error);

/* An optional object member parsed into a new zeroed structure of size bytes: *out stays NULL when absent. */
static gboolean
struct_field (JsonObject *o, const char *parent, const char *name, gsize size, ParseFn parse, gpointer *out,
              GError **error)
{
  g_autofree char *path = NULL;
  JsonObject *m;

  if (!object_field (o, parent, name, FALSE, &m, &path, error))
    return FALSE;
  if (m == NULL)
    return TRUE;
  *out = g_malloc0 (size);
  return parse (m, path, *out, error);
}

/* An array of objects parsed into a new zeroed array of *n_out structures of size bytes, element i at
 * "path[i]": *out stays NULL when absent. */
static gboolean
struct_array_field (JsonObject *o, const char *parent, const char *name, gsize size, ParseFn parse, gpointer *out,
                    gsize *n_out, GError **error)
{
  g_autofree char *path = NULL;
  JsonArray *a;
  guint i;

  if (!object_array_field (o, parent, name, &a, &path, error))
    return FALSE;
  if (a == NULL)
    return TRUE;
  *n_out = json_array_get_length (a);
  *out = g_malloc0_n (*n_out, size);
  for (i = 0; i < *n_out; i++)
    {
      g_autofree char *ep = g_strdup_printf ("%s[%u]", path, i);

      if (!parse (json_array_get_object_element (a, i), ep, (char *) *out + i * size, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- the parts of the spec ------------------------------------------------------------------------------- */

static gboolean
parse_capabilities (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciCapabilities *caps = out;

  return field (o, path, "bounding", K_STRV, FALSE, &caps->bounding, NULL, error)
         && field (o, path, "effective", K_STRV, FALSE, &caps->effective, NULL, error)
         && field (o, path, "inheritable", K_STRV, FALSE, &caps->inheritable, NULL, error)
         && field (o, path, "permitted", K_STRV, FALSE, &caps->permitted, NULL, error)
         && field (o, path, "ambient", K_STRV, FALSE, &caps->ambient, NULL, error);
}

static gboolean
parse_rlimit (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciRlimit *r = out;

  return field (o, path, "type", K_STRING, TRUE, &r->type, NULL, error)
         && field (o, path, "hard", K_UINT64, TRUE, &r->hard, NULL, error)
         && field (o, path, "soft", K_UINT64, TRUE, &r->soft, NULL, error);
}

static gboolean
parse_process (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciProcess *p = out;
  g_autofree char *user_path = NULL, *console_path = NULL;
  JsonObject *user, *console;
  guint i;

  if (!field (o, path, "terminal", K_BOOL, FALSE, &p->terminal, NULL, error)
      || !object_field (o, path, "consoleSize", FALSE, &console, &console_path, error))
    return FALSE;
  if (console != NULL)
    {
      if (!field (console, console_path, "height", K_UINT32, TRUE, &p->console_height, NULL, error)
          || !field (console, console_path, "width", K_UINT32, TRUE, &p->console_width, NULL, error))
        return FALSE;
      p->has_console_size = TRUE;
    }

  if (!object_field (o, path, "user", FALSE, &user, &user_path, error))
    return FALSE;
  if (user != NULL)
    {
      JsonNode *gids;

      if (!field (user, user_path, "uid", K_UINT32, FALSE, &p->uid, NULL, error)
          || !field (user, user_path, "gid", K_UINT32, FALSE, &p->gid, NULL, error)
          || !field (user, user_path, "umask", K_UINT32, FALSE, &p->umask, &p->has_umask, error))
        return FALSE;
      gids = member (user, "additionalGids");
      if (gids != NULL)
        {
          JsonArray *a;
          guint len;

          if (!JSON_NODE_HOLDS_ARRAY (gids))
            goto bad_gids;
          a = json_node_get_array (gids);
          len = json_array_get_length (a);
          p->additional_gids = g_new0 (guint32, len);
          for (i = 0; i < len; i++)
            if (!node_convert (json_array_get_element (a, i), K_UINT32, &p->additional_gids[i]))
              goto bad_gids;
          p->n_additional_gids = len;
        }
    }

  if (!field (o, path, "args", K_STRV, TRUE, &p->args, NULL, error)
      || !field (o, path, "env", K_STRV, FALSE, &p->env, NULL, error)
      || !field (o, path, "cwd", K_STRING, TRUE, &p->cwd, NULL, error))
    return FALSE;
  if (p->env == NULL)
    p->env = empty_strv ();

  return struct_field (o, path, "capabilities", sizeof (OciCapabilities), parse_capabilities,
                       (gpointer *) &p->capabilities, error)
         && struct_array_field (o, path, "rlimits", sizeof (OciRlimit), parse_rlimit, (gpointer *) &p->rlimits,
                                &p->n_rlimits, error)
         && field (o, path, "noNewPrivileges", K_BOOL, FALSE, &p->no_new_privileges, NULL, error)
         && field (o, path, "oomScoreAdj", K_INT, FALSE, &p->oom_score_adj, &p->has_oom_score_adj, error)
         && field (o, path, "apparmorProfile", K_STRING, FALSE, &p->apparmor_profile, NULL, error)
         && field (o, path, "selinuxLabel", K_STRING, FALSE, &p->selinux_label, NULL, error);

bad_gids:
  {
    g_autofree char *gp = path_join (user_path, "additionalGids");
    return err_type (error, gp, "an array of unsigned 32-bit integers");
  }
}

static gboolean
parse_mount (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciMount *mnt = out;

  if (!field (o, path, "destination", K_STRING, TRUE, &mnt->destination, NULL, error)
      || !field (o, path, "type", K_STRING, FALSE, &mnt->type, NULL, error)
      || !field (o, path, "source", K_STRING, FALSE, &mnt->source, NULL, error)
      || !field (o, path, "options", K_STRV, FALSE, &mnt->options, NULL, error))
    return FALSE;
  if (mnt->options == NULL)
    mnt->options = empty_strv ();
  return TRUE;
}

static gboolean
parse_hook (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciHook *hook = out;

  return field (o, path, "path", K_STRING, TRUE, &hook->path, NULL, error)
         && field (o, path, "args", K_STRV, FALSE, &hook->args, NULL, error)
         && field (o, path, "env", K_STRV, FALSE, &hook->env, NULL, error)
         && field (o, path, "timeout", K_INT, FALSE, &hook->timeout, &hook->has_timeout, error);
}

static gboolean
parse_hook_list (JsonObject *o, const char *parent, const char *name, OciHook **out, gsize *n_out,
                 GError **error)
{
  return struct_array_field (o, parent, name, sizeof (OciHook), parse_hook, (gpointer *) out, n_out, error);
}

static gboolean
parse_hooks (JsonObject *o, OciHooks *hooks, GError **error)
{
  g_autofree char *path = NULL;
  JsonObject *h;

  if (!object_field (o, "", "hooks", FALSE, &h, &path, error))
    return FALSE;
  if (h == NULL)
    return TRUE;
  return parse_hook_list (h, path, "prestart", &hooks->prestart, &hooks->n_prestart, error)
         && parse_hook_list (h, path, "createRuntime", &hooks->create_runtime, &hooks->n_create_runtime, error)
         && parse_hook_list (h, path, "createContainer", &hooks->create_container, &hooks->n_create_container,
                             error)
         && parse_hook_list (h, path, "startContainer", &hooks->start_container, &hooks->n_start_container,
                             error)
         && parse_hook_list (h, path, "poststart", &hooks->poststart, &hooks->n_poststart, error)
         && parse_hook_list (h, path, "poststop", &hooks->poststop, &hooks->n_poststop, error);
}

static gboolean
parse_id_mapping (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciIdMapping *m = out;

  return field (o, path, "containerID", K_UINT32, TRUE, &m->container_id, NULL, error)
         && field (o, path, "hostID", K_UINT32, TRUE, &m->host_id, NULL, error)
         && field (o, path, "size", K_UINT32, TRUE, &m->size, NULL, error);
}

/* A one-letter type such as a device's "c": FALSE with an error naming the allowed letters. */
static gboolean
type_letter (JsonObject *o, const char *parent, const char *name, gboolean required, const char *allowed,
             char *out, GError **error)
{
  g_autofree char *s = NULL;
  gboolean has;

  if (!field (o, parent, name, K_STRING, required, &s, &has, error))
    return FALSE;
  if (!has)
    return TRUE;
  if (strlen (s) != 1 || strchr (allowed, s[0]) == NULL)
    {
      g_autofree char *p = path_join (parent, name);
      GString *letters = g_string_new (NULL);
      const char *c;

      for (c = allowed; *c != '\0'; c++)
        g_string_append_printf (letters, "%s%c", c == allowed ? "" : ", ", *c);
      runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: unknown device type \"%s\" (expected one of %s)", p, s,
                       letters->str);
      g_string_free (letters, TRUE);
      return FALSE;
    }
  *out = s[0];
  return TRUE;
}

static gboolean
parse_device_rule (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciDeviceRule *rule = out;

  rule->type = 'a';
  rule->major = -1;
  rule->minor = -1;
  if (!field (o, path, "allow", K_BOOL, TRUE, &rule->allow, NULL, error)
      || !type_letter (o, path, "type", FALSE, "acb", &rule->type, error)
      || !field (o, path, "major", K_INT64, FALSE, &rule->major, NULL, error)
      || !field (o, path, "minor", K_INT64, FALSE, &rule->minor, NULL, error)
      || !field (o, path, "access", K_STRING, FALSE, &rule->access, NULL, error))
    return FALSE;
  if (rule->access == NULL)
    rule->access = g_strdup ("rwm");
  return TRUE;
}

static gboolean
parse_hugepage_limit (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciHugepageLimit *h = out;

  return field (o, path, "pageSize", K_STRING, TRUE, &h->page_size, NULL, error)
         && field (o, path, "limit", K_UINT64, TRUE, &h->limit, NULL, error);
}

static gboolean
parse_resources (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciResources *r = out;
  g_autofree char *mem_path = NULL, *cpu_path = NULL, *pids_path = NULL, *blkio_path = NULL;
  JsonObject *mem, *cpu, *pids, *blkio;

  if (!object_field (o, path, "memory", FALSE, &mem, &mem_path, error))
    return FALSE;
  if (mem != NULL
      && !(field (mem, mem_path, "limit", K_INT64, FALSE, &r->memory_limit, &r->has_memory_limit, error)
           && field (mem, mem_path, "reservation", K_INT64, FALSE, &r->memory_reservation,
                     &r->has_memory_reservation, error)
           && field (mem, mem_path, "swap", K_INT64, FALSE, &r->memory_swap, &r->has_memory_swap, error)
           && field (mem, mem_path, "swappiness", K_UINT64, FALSE, &r->memory_swappiness,
                     &r->has_memory_swappiness, error)
           && field (mem, mem_path, "disableOOMKiller", K_BOOL, FALSE, &r->disable_oom_killer, NULL, error)))
    return FALSE;

  if (!object_field (o, path, "cpu", FALSE, &cpu, &cpu_path, error))
    return FALSE;
  if (cpu != NULL
      && !(field (cpu, cpu_path, "shares", K_UINT64, FALSE, &r->cpu_shares, &r->has_cpu_shares, error)
           && field (cpu, cpu_path, "quota", K_INT64, FALSE, &r->cpu_quota, &r->has_cpu_quota, error)
           && field (cpu, cpu_path, "period", K_UINT64, FALSE, &r->cpu_period, &r->has_cpu_period, error)
           && field (cpu, cpu_path, "realtimeRuntime", K_INT64, FALSE, &r->cpu_realtime_runtime,
                     &r->has_cpu_realtime_runtime, error)
           && field (cpu, cpu_path, "realtimePeriod", K_UINT64, FALSE, &r->cpu_realtime_period,
                     &r->has_cpu_realtime_period, error)
           && field (cpu, cpu_path, "cpus", K_STRING, FALSE, &r->cpu_cpus, NULL, error)
           && field (cpu, cpu_path, "mems", K_STRING, FALSE, &r->cpu_mems, NULL, error)))
    return FALSE;

  if (!object_field (o, path, "pids", FALSE, &pids, &pids_path, error))
    return FALSE;
  if (pids != NULL && !field (pids, pids_path, "limit", K_INT64, TRUE, &r->pids_limit, &r->has_pids_limit, error))
    return FALSE;

  if (!object_field (o, path, "blockIO", FALSE, &blkio, &blkio_path, error))
    return FALSE;
  if (blkio != NULL
      && !field (blkio, blkio_path, "weight", K_UINT16, FALSE, &r->blkio_weight, &r->has_blkio_weight, error))
    return FALSE;

  if (!struct_array_field (o, path, "devices", sizeof (OciDeviceRule), parse_device_rule, (gpointer *) &r->devices,
                           &r->n_devices, error)
      || !struct_array_field (o, path, "hugepageLimits", sizeof (OciHugepageLimit), parse_hugepage_limit,
                              (gpointer *) &r->hugepage_limits, &r->n_hugepage_limits, error))
    return FALSE;

  if (member (o, "unified") != NULL)
    return string_map_field (o, path, "unified", &r->unified, error);
  return TRUE;
}

static gboolean
parse_seccomp_arg (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciSeccompArg *a = out;

  return field (o, path, "index", K_UINT32, TRUE, &a->index, NULL, error)
         && field (o, path, "value", K_UINT64, TRUE, &a->value, NULL, error)
         && field (o, path, "valueTwo", K_UINT64, FALSE, &a->value_two, NULL, error)
         && field (o, path, "op", K_STRING, TRUE, &a->op, NULL, error);
}

static gboolean
parse_seccomp_syscall (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciSeccompSyscall *sc = out;

  return field (o, path, "names", K_STRV, TRUE, &sc->names, NULL, error)
         && field (o, path, "action", K_STRING, TRUE, &sc->action, NULL, error)
         && field (o, path, "errnoRet", K_UINT32, FALSE, &sc->errno_ret, &sc->has_errno_ret, error)
         && struct_array_field (o, path, "args", sizeof (OciSeccompArg), parse_seccomp_arg, (gpointer *) &sc->args,
                                &sc->n_args, error);
}

static gboolean
parse_seccomp (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciSeccomp *s = out;

  return field (o, path, "defaultAction", K_STRING, TRUE, &s->default_action, NULL, error)
         && field (o, path, "defaultErrnoRet", K_UINT32, FALSE, &s->default_errno_ret, &s->has_default_errno_ret,
                   error)
         && field (o, path, "architectures", K_STRV, FALSE, &s->architectures, NULL, error)
         && field (o, path, "flags", K_STRV, FALSE, &s->flags, NULL, error)
         && field (o, path, "listenerPath", K_STRING, FALSE, &s->listener_path, NULL, error)
         && struct_array_field (o, path, "syscalls", sizeof (OciSeccompSyscall), parse_seccomp_syscall,
                                (gpointer *) &s->syscalls, &s->n_syscalls, error);
}

static gboolean
parse_namespace (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciNamespace *ns = out;

  if (!field (o, path, "type", K_STRING, TRUE, &ns->type, NULL, error)
      || !field (o, path, "path", K_STRING, FALSE, &ns->path, NULL, error))
    return FALSE;
  /* An empty path asks for a new namespace, as a missing one does. */
  if (ns->path != NULL && ns->path[0] == '\0')
    g_clear_pointer (&ns->path, g_free);
  return TRUE;
}

static gboolean
parse_device (JsonObject *o, const char *path, gpointer out, GError **error)
{
  OciDevice *dev = out;

  return field (o, path, "path", K_STRING, TRUE, &dev->path, NULL, error)
         && type_letter (o, path, "type", TRUE, "cbup", &dev->type, error)
         && field (o, path, "major", K_INT64, FALSE, &dev->major, NULL, error)
         && field (o, path, "minor", K_INT64, FALSE, &dev->minor, NULL, error)
         && field (o, path, "fileMode", K_UINT32, FALSE, &dev->file_mode, &dev->has_file_mode, error)
         && field (o, path, "uid", K_UINT32, FALSE, &dev->uid, &dev->has_uid, error)
         && field (o, path, "gid", K_UINT32, FALSE, &dev->gid, &dev->has_gid, error);
}

static gboolean
parse_id_mappings (JsonObject *o, const char *parent, const char *name, OciIdMapping **out, gsize *n_out,
                   GError **error)
{
  return struct_array_field (o, parent, name, sizeof (OciIdMapping), parse_id_mapping, (gpointer *) out, n_out,
                             error);
}

static gboolean
parse_linux (JsonObject *o, OciLinux *l, GError **error)
{
  const char *path = "linux";

  return struct_array_field (o, path, "namespaces", sizeof (OciNamespace), parse_namespace,
                             (gpointer *) &l->namespaces, &l->n_namespaces, error)
         && parse_id_mappings (o, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, error)
         && parse_id_mappings (o, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, error)
         && string_map_field (o, path, "sysctl", &l->sysctl, error)
         && struct_field (o, path, "resources", sizeof (OciResources), parse_resources, (gpointer *) &l->resources,
                          error)
         && field (o, path, "cgroupsPath", K_STRING, FALSE, &l->cgroups_path, NULL, error)
         && struct_array_field (o, path, "devices", sizeof (OciDevice), parse_device, (gpointer *) &l->devices,
                                &l->n_devices, error)
         && field (o, path, "maskedPaths", K_STRV, FALSE, &l->masked_paths, NULL, error)
         && field (o, path, "readonlyPaths", K_STRV, FALSE, &l->readonly_paths, NULL, error)
         && field (o, path, "rootfsPropagation", K_STRING, FALSE, &l->rootfs_propagation, NULL, error)
         && field (o, path, "mountLabel", K_STRING, FALSE, &l->mount_label, NULL, error)
         && struct_field (o, path, "seccomp", sizeof (OciSeccomp), parse_seccomp, (gpointer *) &l->seccomp, error);
}

static gboolean
parse_spec (JsonObject *o, OciSpec *spec, GError **error)
{
  g_autofree char *root_path = NULL, *linux_path = NULL;
  JsonObject *root, *lx;

  if (!field (o, "", "ociVersion", K_STRING, TRUE, &spec->oci_version, NULL, error)
      || !struct_field (o, "", "process", sizeof (OciProcess), parse_process, (gpointer *) &spec->process, error))
    return FALSE;

  if (!object_field (o, "", "root", TRUE, &root, &root_path, error)
      || !field (root, root_path, "path", K_STRING, TRUE, &spec->root_path, NULL, error)
      || !field (root, root_path, "readonly", K_BOOL, FALSE, &spec->root_readonly, NULL, error))
    return FALSE;

  if (!field (o, "", "hostname", K_STRING, FALSE, &spec->hostname, NULL, error)
      || !field (o, "", "domainname", K_STRING, FALSE, &spec->domainname, NULL, error)
      || !struct_array_field (o, "", "mounts", sizeof (OciMount), parse_mount, (gpointer *) &spec->mounts,
                              &spec->n_mounts, error)
      || !parse_hooks (o, &spec->hooks, error)
      || !string_map_field (o, "", "annotations", &spec->annotations, error))
    return FALSE;

  if (!object_field (o, "", "linux", FALSE, &lx, &linux_path, error))
    return FALSE;
  if (lx != NULL && !parse_linux (lx, spec->linux_cfg, error))
    return FALSE;
  if (spec->linux_cfg->sysctl == NULL)
    spec->linux_cfg->sysctl = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (spec->linux_cfg->masked_paths == NULL)
    spec->linux_cfg->masked_paths = empty_strv ();
  if (spec->linux_cfg->readonly_paths == NULL)
    spec->linux_cfg->readonly_paths = empty_strv ();
  return TRUE;
}

/* Parse JSON text whose top level must be an object (what names it in that error): the root node, owned by
 * parser, or NULL. */
static JsonNode *
load_object (JsonParser *parser, const char *data, gssize len, const char *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (!runsc_json_depth_check (data, len, RUNSC_JSON_MAX_DEPTH, &local))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid %s: %s", what, local->message);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &local))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid JSON: %s", local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid %s: expected a JSON object", what);
      return NULL;
    }
  return root;
}

OciSpec *
oci_spec_parse (const char *data, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (OciSpec) spec = NULL;
  JsonNode *root = load_object (parser, data, len, "spec", error);

  if (root == NULL)
    return NULL;
  spec = g_new0 (OciSpec, 1);
  spec->json = json_node_ref (root);
  spec->linux_cfg = g_new0 (OciLinux, 1);
  if (!parse_spec (json_node_get_object (root), spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

OciSpec *
oci_spec_load_file (const char *path, GError **error)
{
  g_autoptr (GString) data = g_string_new (NULL);
  autofd int fd = -1;
  char buf[16384];
  OciSpec *spec;

  fd = runsc_host_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      runsc_error_errno (error, errno, "open %s", path);
      return NULL;
    }
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          runsc_error_errno (error, errno, "read %s", path);
          return NULL;
        }
      if (n == 0)
        break;
      g_string_append_len (data, buf, n);
    }
  spec = oci_spec_parse (data->str, (gssize) data->len, error);
  if (spec == NULL)
    runsc_error_prefix (error, "%s", path);
  return spec;
}

OciResources *
oci_resources_parse (const char *data, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root = load_object (parser, data, len, "resources", error);
  OciResources *r;

  if (root == NULL)
    return NULL;
  r = g_new0 (OciResources, 1);
  if (!parse_resources (json_node_get_object (root), "resources", r, error))
    {
      oci_resources_free (r);
      return NULL;
    }
  return r;
}
