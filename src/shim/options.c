/* runsc.toml and runtimeoptions.v1.Options (see options.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "runtimeoptions.pb-c.h"
#include "shim/options.h"
#include "wellknown.pb-c.h"

ShimOptions *
shim_options_new (const char *ns)
{
  ShimOptions *o = g_new0 (ShimOptions, 1);
  o->binary_name = g_strdup (SHIM_DEFAULT_BINARY);
  o->root = g_build_filename (SHIM_DEFAULT_ROOT, ns && *ns ? ns : "default", NULL);
  o->grouping = TRUE;
  o->runsc_flags = g_ptr_array_new_with_free_func (g_free);
  return o;
}

void
shim_options_free (ShimOptions *o)
{
  if (o == NULL)
    return;
  g_free (o->binary_name);
  g_free (o->root);
  g_free (o->log_path);
  g_free (o->log_level);
  g_free (o->shim_cgroup);
  g_free (o->config_path);
  g_ptr_array_unref (o->runsc_flags);
  g_free (o);
}

static gboolean
set_string (const TomlDoc *doc, const char *key, char **out, GError **error)
{
  const char *s = NULL;
  GError *local = NULL;

  if (!toml_get_string (doc, "", key, &s, &local))
    {
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      return TRUE;
    }
  g_free (*out);
  *out = *s ? g_strdup (s) : NULL;
  return TRUE;
}

static gboolean
set_uint32 (const TomlDoc *doc, const char *key, guint32 *out, GError **error)
{
  gint64 v;
  GError *local = NULL;

  if (!toml_get_int (doc, "", key, &v, &local))
    {
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      return TRUE;
    }
  if (v < 0 || v > G_MAXUINT32)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "line %d: %s out of range", toml_get (doc, "", key)->line,
                            key);
  *out = (guint32) v;
  return TRUE;
}

static gboolean
is_known_key (const char *key)
{
  static const char *const known[] = { "binary_name", "root", "log_path", "log_level", "grouping", "shim_cgroup",
                                       "io_uid", "io_gid", "root_full", "TypeUrl", "ConfigPath",
                                       "ConfigBody", NULL };
  return g_strv_contains (known, key);
}

gboolean
shim_options_apply_toml (ShimOptions *o, const TomlDoc *doc, const char *ns, GError **error)
{
  g_autofree char *root = NULL;
  const GPtrArray *keys;
  GError *local = NULL;
  gboolean b;

  if (!set_string (doc, "binary_name", &o->binary_name, error) || !set_string (doc, "root", &root, error)
      || !set_string (doc, "log_path", &o->log_path, error) || !set_string (doc, "log_level", &o->log_level, error)
      || !set_string (doc, "shim_cgroup", &o->shim_cgroup, error) || !set_uint32 (doc, "io_uid", &o->io_uid, error)
      || !set_uint32 (doc, "io_gid", &o->io_gid, error))
    return FALSE;
  if (o->binary_name == NULL)
    o->binary_name = g_strdup (SHIM_DEFAULT_BINARY);
  if (root != NULL)
    {
      g_free (o->root);
      o->root = g_build_filename (root, ns && *ns ? ns : "default", NULL);
    }
  if (toml_get_bool (doc, "", "grouping", &b, &local))
    o->grouping = b;
  else if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }

  keys = toml_table_keys (doc, "");
  for (guint i = 0; keys && i < keys->len; i++)
    if (!is_known_key (g_ptr_array_index (keys, i)))
      log_warning ("runsc.toml: ignoring unknown option %s", (const char *) g_ptr_array_index (keys, i));

  keys = toml_table_keys (doc, "runsc_config");
  if (keys != NULL)
    {
      g_ptr_array_set_size (o->runsc_flags, 0);
      for (guint i = 0; i < keys->len; i++)
        {
          const char *key = g_ptr_array_index (keys, i);
          const TomlValue *v = toml_get (doc, "runsc_config", key);
          g_autofree char *value = toml_value_to_string (v);
          if (*key == '\0' || key[0] == '-' || strchr (key, '='))
            return runsc_error_set (error, RUNSC_ERROR_INVALID, "line %d: invalid runsc_config key \"%s\"", v->line,
                                    key);
          g_ptr_array_add (o->runsc_flags, g_strdup_printf ("--%s=%s", key, value));
        }
    }
  return TRUE;
}

gboolean
shim_options_apply_any_parts (ShimOptions *o, const char *type_url, const uint8_t *value, size_t len,
                              const char *ns, GError **error)
{
  Runtimeoptions__V1__Options *ro;
  gboolean ok = TRUE;

  if (type_url == NULL || *type_url == '\0')
    return TRUE;
  if (!g_str_has_suffix (type_url, SHIM_OPTIONS_TYPE_URL) && strcmp (type_url, "io.containerd.runsc.v1.options") != 0)
    {
      log_warning ("ignoring runtime options of type %s (expected %s)", type_url, SHIM_OPTIONS_TYPE_URL);
      return TRUE;
    }
  ro = runtimeoptions__v1__options__unpack (NULL, len, value);
  if (ro == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "decode %s: malformed message", type_url);
  if (ro->config_path && *ro->config_path)
    {
      g_autoptr (TomlDoc) doc = toml_parse_file (ro->config_path, error);
      ok = doc != NULL && shim_options_apply_toml (o, doc, ns, error);
      if (ok)
        {
          g_free (o->config_path);
          o->config_path = g_strdup (ro->config_path);
        }
    }
  else if (ro->config_body.len > 0)
    {
      g_autoptr (TomlDoc) doc = toml_parse ((const char *) ro->config_body.data, ro->config_body.len,
                                            "runtime options config_body", error);
      ok = doc != NULL && shim_options_apply_toml (o, doc, ns, error);
    }
  runtimeoptions__v1__options__free_unpacked (ro, NULL);
  return ok;
}

gboolean
shim_options_apply_any (ShimOptions *o, const uint8_t *data, size_t len, const char *ns, GError **error)
{
  Google__Protobuf__Any *any;
  gboolean ok;

  if (len == 0)
    return TRUE;
  any = google__protobuf__any__unpack (NULL, len, data);
  if (any == NULL)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "decode runtime options: malformed google.protobuf.Any");
  ok = shim_options_apply_any_parts (o, any->type_url, any->value.data, any->value.len, ns, error);
  google__protobuf__any__free_unpacked (any, NULL);
  return ok;
}

char *
shim_options_log_path (const ShimOptions *o, const char *id)
{
  g_auto (GStrv) parts = NULL;

  if (o->log_path == NULL || *o->log_path == '\0')
    return NULL;
  parts = g_strsplit (o->log_path, "%ID%", -1);
  return g_strjoinv (id, parts);
}

static void
append_toml_string (GString *s, const char *v)
{
  g_string_append_c (s, '"');
  for (; *v; v++)
    {
      unsigned char c = (unsigned char) *v;
      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, c);
    }
  g_string_append_c (s, '"');
}

static void
append_kv (GString *s, const char *key, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (s, "%s = ", key);
  append_toml_string (s, value);
  g_string_append_c (s, '\n');
}

gboolean
shim_options_save (const ShimOptions *o, const char *bundle, GError **error)
{
  g_autoptr (GString) s = g_string_new ("# Written by containerd-shim-runsc-v1 for its delete command.\n");
  g_autofree char *path = g_build_filename (bundle, SHIM_STATE_FILE, NULL);

  append_kv (s, "binary_name", o->binary_name);
  append_kv (s, "root_full", o->root);
  append_kv (s, "log_path", o->log_path);
  append_kv (s, "log_level", o->log_level);
  g_string_append (s, "[runsc_config]\n");
  for (guint i = 0; i < o->runsc_flags->len; i++)
    {
      const char *flag = g_ptr_array_index (o->runsc_flags, i);
      const char *eq = strchr (flag, '=');
      g_autofree char *key = g_strndup (flag + 2, eq - flag - 2);
      append_toml_string (s, key);
      g_string_append (s, " = ");
      append_toml_string (s, eq + 1);
      g_string_append_c (s, '\n');
    }
  return runsc_write_file_atomic (path, s->str, s->len, 0600, error);
}

ShimOptions *
shim_options_load_saved (const char *bundle, const char *ns, GError **error)
{
  g_autofree char *path = g_build_filename (bundle, SHIM_STATE_FILE, NULL);
  g_autoptr (TomlDoc) doc = toml_parse_file (path, error);
  g_autoptr (ShimOptions) o = shim_options_new (ns);
  const char *root = NULL;

  if (doc == NULL || !shim_options_apply_toml (o, doc, ns, error))
    return NULL;
  if (toml_get_string (doc, "", "root_full", &root, NULL))
    {
      g_free (o->root);
      o->root = g_strdup (root);
    }
  return g_steal_pointer (&o);
}
