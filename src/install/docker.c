/* Registering runsc as a Docker runtime in daemon.json (see docker.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "common/error.h"
#include "common/util.h"
#include "install/config-file.h"
#include "install/docker.h"

/* FALSE (with an error naming the member) for a number json-glib reads as infinite (1e400): it would be written
 * back as "inf", which is not JSON, and dockerd would not start. */
static gboolean
check_finite (JsonNode *node, const char *name, GError **error)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &member, &value))
        if (!check_finite (value, member, error))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (!check_finite (json_array_get_element (a, i), name, error))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE
           && !isfinite (json_node_get_double (node)))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "\"%s\": a number too large for a JSON number", name);
  return TRUE;
}

/* Parse text into an object node; empty text is an empty object. */
static JsonNode *
parse_object (const char *text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  JsonNode *root;

  if (*trimmed == '\0')
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
      return node;
    }
  if (!runsc_json_depth_check (trimmed, -1, RUNSC_JSON_MAX_DEPTH, &local)
      || !json_parser_load_from_data (parser, trimmed, -1, &local))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "not valid JSON: %s", local->message), NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "not a JSON object"), NULL;
  if (!check_finite (root, "(top level)", error))
    return NULL;
  return json_node_copy (root);
}

static char *
to_text (JsonNode *root)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 4);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return g_strconcat (text, "\n", NULL);
}

gboolean
docker_json_equal (const char *a, const char *b)
{
  g_autoptr (JsonNode) na = parse_object (a, NULL);
  g_autoptr (JsonNode) nb = parse_object (b, NULL);

  return na != NULL && nb != NULL && json_node_equal (na, nb);
}

char *
docker_config_install (const char *text, const DockerInstall *opts, gboolean *changed, GString *messages,
                       GError **error)
{
  g_autoptr (JsonNode) root = parse_object (text, error);
  g_autoptr (JsonNode) before = NULL;
  JsonObject *obj, *runtimes, *entry;
  JsonNode *node;

  if (root == NULL)
    return NULL;
  before = parse_object (text, error);
  obj = json_node_get_object (root);
  node = json_object_get_member (obj, "runtimes");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      json_object_set_object_member (obj, "runtimes", json_object_new ());
      node = json_object_get_member (obj, "runtimes");
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "\"runtimes\" is not a JSON object"), NULL;
  runtimes = json_node_get_object (node);

  if (json_object_has_member (runtimes, opts->runtime) && !opts->clobber)
    g_string_append_printf (messages, "runtime \"%s\" already exists: not overwriting it (--clobber=false)\n",
                            opts->runtime);
  else
    {
      gboolean existed = json_object_has_member (runtimes, opts->runtime);
      entry = json_object_new ();
      json_object_set_string_member (entry, "path", opts->path);
      if (opts->runtime_args && opts->runtime_args[0])
        {
          JsonArray *args = json_array_new ();
          for (char **a = opts->runtime_args; *a; a++)
            json_array_add_string_element (args, *a);
          json_object_set_array_member (entry, "runtimeArgs", args);
        }
      /* set_member keeps the member's place when it exists. */
      json_object_set_object_member (runtimes, opts->runtime, entry);
      g_string_append_printf (messages, "%s runtime \"%s\" (path %s)\n", existed ? "updated" : "added",
                              opts->runtime, opts->path);
    }
  if (opts->experimental)
    json_object_set_boolean_member (obj, "experimental", TRUE);

  *changed = !json_node_equal (before, root);
  return to_text (root);
}

char *
docker_config_uninstall (const char *text, const char *runtime, const char *only_path, gboolean *changed,
                         GString *messages, GError **error)
{
  g_autoptr (JsonNode) root = parse_object (text, error);
  JsonObject *obj;
  JsonNode *node;

  if (root == NULL)
    return NULL;
  obj = json_node_get_object (root);
  node = json_object_get_member (obj, "runtimes");
  *changed = FALSE;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)
      || !json_object_has_member (json_node_get_object (node), runtime))
    {
      g_string_append_printf (messages, "runtime \"%s\" is not configured: nothing to remove\n", runtime);
      return g_strdup (text ? text : "");
    }
  if (only_path != NULL)
    {
      JsonNode *entry = json_object_get_member (json_node_get_object (node), runtime);
      const char *path = NULL;
      JsonNode *p = JSON_NODE_HOLDS_OBJECT (entry) ? json_object_get_member (json_node_get_object (entry), "path") : NULL;
      if (p != NULL && JSON_NODE_HOLDS_VALUE (p) && json_node_get_value_type (p) == G_TYPE_STRING)
        path = json_node_get_string (p);
      if (g_strcmp0 (path, only_path) != 0)
        {
          g_string_append_printf (messages, "runtime \"%s\" runs %s, not %s: left as it is\n", runtime,
                                  path ? path : "(no path)", only_path);
          return g_strdup (text);
        }
    }
  json_object_remove_member (json_node_get_object (node), runtime);
  g_string_append_printf (messages, "removed runtime \"%s\"\n", runtime);
  *changed = TRUE;
  return to_text (root);
}

static char *
backup_path (const ConfigFile *f)
{
  return g_strconcat (f->path, "~", NULL);
}

gboolean
docker_install (const DockerInstall *opts, GString *messages, GError **error)
{
  g_autoptr (ConfigFile) f = config_file_read (opts->config_file, error);
  g_autofree char *text = NULL;
  g_autofree char *backup = NULL;
  gboolean changed = FALSE;

  if (f == NULL)
    return FALSE;
  text = docker_config_install (f->contents, opts, &changed, messages, error);
  if (text == NULL)
    return runsc_error_prefix (error, "%s", f->path);
  if (!changed)
    {
      g_string_append_printf (messages, "%s already has this configuration: left unchanged\n", f->path);
      return TRUE;
    }
  backup = backup_path (f);
  if (f->exists)
    {
      if (!config_file_backup (f, backup, error))
        return FALSE;
      g_string_append_printf (messages, "saved the previous %s as %s\n", f->path, backup);
    }
  if (!config_file_replace (f, text, strlen (text), error))
    return FALSE;
  g_string_append_printf (messages, "updated %s; restart dockerd to use it\n", f->path);
  return TRUE;
}

gboolean
docker_uninstall (const char *config_file, const char *runtime, const char *only_path, GString *messages,
                  GError **error)
{
  g_autoptr (ConfigFile) f = config_file_read (config_file, error);
  g_autoptr (ConfigFile) old = NULL;
  g_autofree char *text = NULL;
  g_autofree char *backup = NULL;
  gboolean changed = FALSE;

  if (f == NULL)
    return FALSE;
  if (!f->exists)
    {
      g_string_append_printf (messages, "%s does not exist: nothing to remove\n", f->path);
      return TRUE;
    }
  text = docker_config_uninstall (f->contents, runtime, only_path, &changed, messages, error);
  if (text == NULL)
    return runsc_error_prefix (error, "%s", f->path);
  if (!changed)
    return TRUE;
  backup = backup_path (f);
  old = config_file_read (backup, NULL);
  if ((old == NULL || !old->exists)
      && (docker_json_equal (text, "{}") || docker_json_equal (text, "{\"runtimes\": {}}")))
    {
      /* runsc install created the file (there is no backup of an earlier one) and nothing else is left in it:
       * dockerd reads a missing daemon.json as an empty one. */
      if (unlink (f->path) < 0)
        return runsc_error_errno (error, errno, "remove %s", f->path);
      g_string_append_printf (messages, "removed %s (nothing but runsc was in it)\n", f->path);
    }
  else if (old != NULL && old->exists && docker_json_equal (old->contents, text))
    {
      /* The file is back to what it was before runsc install: restore its exact bytes. */
      if (!config_file_replace (f, old->contents, old->length, error))
        return FALSE;
      unlink (backup);
      g_string_append_printf (messages, "restored %s from %s\n", f->path, backup);
    }
  else
    {
      if (!config_file_backup (f, backup, error) || !config_file_replace (f, text, strlen (text), error))
        return FALSE;
      g_string_append_printf (messages, "updated %s (previous version saved as %s)\n", f->path, backup);
    }
  g_string_append (messages, "restart dockerd to apply the change\n");
  return TRUE;
}
