/* The OCI spec model: config.json parsed with json-glib into the typed structures of spec.h, and the checks
 * runsc needs before it can run a spec.
 *
 * Every error names the JSON path of the offending value ("linux.namespaces[2].type: expected a string"), so a
 * user can find it in the file. JSON null counts as absent, as it does for the Go runtimes. */
#include "config.h"

#include <cap-ng.h>
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

/* ---- freeing ---------------------------------------------------------------------------------------------- */

static void
hooks_free (OciHook *hooks, gsize n)
{
  gsize i;

  for (i = 0; hooks != NULL && i < n; i++)
    {
      g_free (hooks[i].path);
      g_strfreev (hooks[i].args);
      g_strfreev (hooks[i].env);
    }
  g_free (hooks);
}

static void
capabilities_free (OciCapabilities *caps)
{
  if (caps == NULL)
    return;
  g_strfreev (caps->bounding);
  g_strfreev (caps->effective);
  g_strfreev (caps->inheritable);
  g_strfreev (caps->permitted);
  g_strfreev (caps->ambient);
  g_free (caps);
}

static void
process_free (OciProcess *p)
{
  gsize i;

  if (p == NULL)
    return;
  g_free (p->additional_gids);
  g_strfreev (p->args);
  g_strfreev (p->env);
  g_free (p->cwd);
  capabilities_free (p->capabilities);
  for (i = 0; p->rlimits != NULL && i < p->n_rlimits; i++)
    g_free (p->rlimits[i].type);
  g_free (p->rlimits);
  g_free (p->apparmor_profile);
  g_free (p->selinux_label);
  g_free (p);
}

static void
resources_free (OciResources *r)
{
  gsize i;

  if (r == NULL)
    return;
  g_free (r->cpu_cpus);
  g_free (r->cpu_mems);
  for (i = 0; r->devices != NULL && i < r->n_devices; i++)
    g_free (r->devices[i].access);
  g_free (r->devices);
  for (i = 0; r->hugepage_limits != NULL && i < r->n_hugepage_limits; i++)
    g_free (r->hugepage_limits[i].page_size);
  g_free (r->hugepage_limits);
  if (r->unified != NULL)
    g_hash_table_unref (r->unified);
  g_free (r);
}

static void
seccomp_free (OciSeccomp *s)
{
  gsize i, j;

  if (s == NULL)
    return;
  g_free (s->default_action);
  g_strfreev (s->architectures);
  g_strfreev (s->flags);
  g_free (s->listener_path);
  for (i = 0; s->syscalls != NULL && i < s->n_syscalls; i++)
    {
      OciSeccompSyscall *sc = &s->syscalls[i];
      g_strfreev (sc->names);
      g_free (sc->action);
      for (j = 0; sc->args != NULL && j < sc->n_args; j++)
        g_free (sc->args[j].op);
      g_free (sc->args);
    }
  g_free (s->syscalls);
  g_free (s);
}

static void
linux_free (OciLinux *l)
{
  gsize i;

  if (l == NULL)
    return;
  for (i = 0; l->namespaces != NULL && i < l->n_namespaces; i++)
    {
      g_free (l->namespaces[i].type);
      g_free (l->namespaces[i].path);
    }
  g_free (l->namespaces);
  g_free (l->uid_mappings);
  g_free (l->gid_mappings);
  if (l->sysctl != NULL)
    g_hash_table_unref (l->sysctl);
  resources_free (l->resources);
  g_free (l->cgroups_path);
  for (i = 0; l->devices != NULL && i < l->n_devices; i++)
    g_free (l->devices[i].path);
  g_free (l->devices);
  g_strfreev (l->masked_paths);
  g_strfreev (l->readonly_paths);
  g_free (l->rootfs_propagation);
  g_free (l->mount_label);
  seccomp_free (l->seccomp);
  g_free (l);
}

void
oci_spec_free (OciSpec *spec)
{
  gsize i;

  if (spec == NULL)
    return;
  g_free (spec->oci_version);
  process_free (spec->process);
  g_free (spec->root_path);
  g_free (spec->hostname);
  g_free (spec->domainname);
  for (i = 0; spec->mounts != NULL && i < spec->n_mounts; i++)
    {
      g_free (spec->mounts[i].destination);
      g_free (spec->mounts[i].type);
      g_free (spec->mounts[i].source);
      g_strfreev (spec->mounts[i].options);
    }
  g_free (spec->mounts);
  hooks_free (spec->hooks.prestart, spec->hooks.n_prestart);
  hooks_free (spec->hooks.create_runtime, spec->hooks.n_create_runtime);
  hooks_free (spec->hooks.create_container, spec->hooks.n_create_container);
  hooks_free (spec->hooks.start_container, spec->hooks.n_start_container);
  hooks_free (spec->hooks.poststart, spec->hooks.n_poststart);
  hooks_free (spec->hooks.poststop, spec->hooks.n_poststop);
  if (spec->annotations != NULL)
    g_hash_table_unref (spec->annotations);
  linux_free (spec->linux_cfg);
  if (spec->json != NULL)
    json_node_unref (spec->json);
  g_free (spec);
}

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

/* ---- checks beyond types ---------------------------------------------------------------------------------- */

static const char *const namespace_types[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };

static const char *const rlimit_names[] = {
  "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",    "RLIMIT_DATA",     "RLIMIT_FSIZE",      "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE",  "RLIMIT_NPROC",      "RLIMIT_RSS",
  "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

static const char *const propagations[] = { "private", "rprivate", "slave", "rslave", "shared", "rshared",
                                             "unbindable", "runbindable" };

static gboolean
in_list (const char *value, const char *const *list, gsize n)
{
  gsize i;

  for (i = 0; i < n; i++)
    if (strcmp (value, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
check_absolute (const char *path, const char *value, GError **error)
{
  if (value != NULL && value[0] == '/')
    return TRUE;
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: must be an absolute path, got \"%s\"", path,
                          value != NULL ? value : "");
}

static gboolean
check_absolute_list (const char *path, char **values, GError **error)
{
  gsize i;

  for (i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s[%zu]", path, i);
      if (!check_absolute (p, values[i], error))
        return FALSE;
    }
  return TRUE;
}

/* "CAP_SYS_ADMIN" and the like, as libcap-ng knows them (its names have no prefix and are case-blind, so the
 * upper-case form is required here, as the runtime spec writes it). */
static gboolean
capability_known (const char *name)
{
  const char *c;

  if (!g_str_has_prefix (name, "CAP_") || name[4] == '\0' || g_ascii_isdigit (name[4]))
    return FALSE;
  for (c = name + 4; *c != '\0'; c++)
    if (!(g_ascii_isupper (*c) || g_ascii_isdigit (*c) || *c == '_'))
      return FALSE;
  return capng_name_to_capability (name + 4) >= 0;
}

static gboolean
check_capability_set (const char *set, char **names, GError **error)
{
  gsize i;

  for (i = 0; names != NULL && names[i] != NULL; i++)
    if (!capability_known (names[i]))
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.capabilities.%s[%zu]: unknown capability \"%s\"",
                              set, i, names[i]);
  return TRUE;
}

static gboolean
validate_process (const OciProcess *p, GError **error)
{
  gsize i, j;

  if (p->args == NULL || p->args[0] == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.args: must not be empty");
  if (!check_absolute ("process.cwd", p->cwd, error))
    return FALSE;
  for (i = 0; p->env[i] != NULL; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.env[%zu]: expected NAME=VALUE, got \"%s\"", i,
                                p->env[i]);
    }
  if (p->capabilities != NULL
      && !(check_capability_set ("bounding", p->capabilities->bounding, error)
           && check_capability_set ("effective", p->capabilities->effective, error)
           && check_capability_set ("inheritable", p->capabilities->inheritable, error)
           && check_capability_set ("permitted", p->capabilities->permitted, error)
           && check_capability_set ("ambient", p->capabilities->ambient, error)))
    return FALSE;
  for (i = 0; i < p->n_rlimits; i++)
    {
      const OciRlimit *r = &p->rlimits[i];

      if (!in_list (r->type, rlimit_names, G_N_ELEMENTS (rlimit_names)))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i,
                                r->type);
      for (j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return runsc_error_set (error, RUNSC_ERROR_INVALID, "process.rlimits[%zu].type: duplicate rlimit \"%s\"",
                                  i, r->type);
      if (r->soft > r->hard)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "process.rlimits[%zu]: soft limit %" G_GUINT64_FORMAT
                                " is above hard limit %" G_GUINT64_FORMAT " for %s",
                                i, r->soft, r->hard, r->type);
    }
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return runsc_error_set (error, RUNSC_ERROR_INVALID,
                            "process.oomScoreAdj: must be between -1000 and 1000, got %d", p->oom_score_adj);
  return TRUE;
}

static gboolean
validate_hooks (const char *name, const OciHook *hooks, gsize n, GError **error)
{
  gsize i;

  for (i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("hooks.%s[%zu].path", name, i);

      if (!check_absolute (p, hooks[i].path, error))
        return FALSE;
      if (hooks[i].has_timeout && hooks[i].timeout <= 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "hooks.%s[%zu].timeout: must be positive, got %d",
                                name, i, hooks[i].timeout);
    }
  return TRUE;
}

static gboolean
validate_linux (const OciLinux *l, GError **error)
{
  const OciNamespace *userns = NULL;
  gsize i, j;

  for (i = 0; i < l->n_namespaces; i++)
    {
      const OciNamespace *ns = &l->namespaces[i];

      if (!in_list (ns->type, namespace_types, G_N_ELEMENTS (namespace_types)))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.namespaces[%zu].type: unknown namespace type \"%s\"",
                                i, ns->type);
      for (j = 0; j < i; j++)
        if (strcmp (l->namespaces[j].type, ns->type) == 0)
          return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                  "linux.namespaces[%zu].type: duplicate namespace \"%s\"", i, ns->type);
      if (ns->path != NULL)
        {
          g_autofree char *p = g_strdup_printf ("linux.namespaces[%zu].path", i);
          if (!check_absolute (p, ns->path, error))
            return FALSE;
        }
      if (strcmp (ns->type, "user") == 0)
        userns = ns;
    }
  if (userns != NULL && userns->path == NULL)
    {
      if (l->n_uid_mappings == 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "linux.uidMappings: missing (required for a new user namespace)");
      if (l->n_gid_mappings == 0)
        return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                "linux.gidMappings: missing (required for a new user namespace)");
    }
  if (userns == NULL && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.%s: set, but no user namespace is requested",
                            l->n_uid_mappings > 0 ? "uidMappings" : "gidMappings");

  for (i = 0; i < l->n_devices; i++)
    {
      g_autofree char *p = g_strdup_printf ("linux.devices[%zu].path", i);
      if (!check_absolute (p, l->devices[i].path, error))
        return FALSE;
    }
  if (!check_absolute_list ("linux.maskedPaths", l->masked_paths, error)
      || !check_absolute_list ("linux.readonlyPaths", l->readonly_paths, error))
    return FALSE;
  if (l->rootfs_propagation != NULL && l->rootfs_propagation[0] != '\0'
      && !in_list (l->rootfs_propagation, propagations, G_N_ELEMENTS (propagations)))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "linux.rootfsPropagation: unknown propagation \"%s\"",
                            l->rootfs_propagation);
  return TRUE;
}

gboolean
oci_spec_validate (const OciSpec *spec, GError **error)
{
  gsize i;

  if (spec->root_path == NULL || spec->root_path[0] == '\0')
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "root.path: must not be empty");
  if (spec->process == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "process: missing");
  if (!validate_process (spec->process, error))
    return FALSE;
  for (i = 0; i < spec->n_mounts; i++)
    {
      g_autofree char *p = g_strdup_printf ("mounts[%zu].destination", i);
      if (!check_absolute (p, spec->mounts[i].destination, error))
        return FALSE;
    }
  return validate_hooks ("prestart", spec->hooks.prestart, spec->hooks.n_prestart, error)
         && validate_hooks ("createRuntime", spec->hooks.create_runtime, spec->hooks.n_create_runtime, error)
         && validate_hooks ("createContainer", spec->hooks.create_container, spec->hooks.n_create_container, error)
         && validate_hooks ("startContainer", spec->hooks.start_container, spec->hooks.n_start_container, error)
         && validate_hooks ("poststart", spec->hooks.poststart, spec->hooks.n_poststart, error)
         && validate_hooks ("poststop", spec->hooks.poststop, spec->hooks.n_poststop, error)
         && validate_linux (spec->linux_cfg, error);
}

/* ---- lookups ---------------------------------------------------------------------------------------------- */

char *
oci_spec_rootfs (const OciSpec *spec, const char *bundle)
{
  g_autofree char *abs_bundle = NULL;
  g_autofree char *lexical = NULL;
  char *real;

  /* The bundle itself may be relative (runsc's --bundle defaults to the current directory). */
  abs_bundle = g_canonicalize_filename (bundle != NULL && bundle[0] != '\0' ? bundle : ".", NULL);
  lexical = g_canonicalize_filename (spec->root_path, abs_bundle);
  /* Symlinks resolved when the directory exists (runc refuses a symlinked rootfs path; resolving gives the
   * directory the container will really see); otherwise the lexically clean path. Not in a process that reaches
   * the host only through held directories (common/host-fs.h: the confined Sentry, which never uses it). */
  real = runsc_host_fs_active () ? NULL : realpath (lexical, NULL);
  if (real != NULL)
    {
      char *r = g_strdup (real);
      free (real);
      return r;
    }
  return g_steal_pointer (&lexical);
}

const OciNamespace *
oci_spec_namespace (const OciSpec *spec, const char *type)
{
  gsize i;

  for (i = 0; i < spec->linux_cfg->n_namespaces; i++)
    if (g_strcmp0 (spec->linux_cfg->namespaces[i].type, type) == 0)
      return &spec->linux_cfg->namespaces[i];
  return NULL;
}

const char *
oci_spec_annotation (const OciSpec *spec, const char *key)
{
  return g_hash_table_lookup (spec->annotations, key);
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
      resources_free (r);
      return NULL;
    }
  return r;
}

void
oci_resources_free (OciResources *r)
{
  resources_free (r);
}

static void
strv_remove_name (char **set, const char *name)
{
  gsize i, j;

  if (set == NULL)
    return;
  for (i = 0, j = 0; set[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (set[i], name) == 0)
        g_free (set[i]);
      else
        set[j++] = set[i];
    }
  set[j] = NULL;
}

void
oci_capabilities_drop (OciCapabilities *caps, const char *name)
{
  if (caps == NULL)
    return;
  strv_remove_name (caps->bounding, name);
  strv_remove_name (caps->effective, name);
  strv_remove_name (caps->inheritable, name);
  strv_remove_name (caps->permitted, name);
  strv_remove_name (caps->ambient, name);
}
