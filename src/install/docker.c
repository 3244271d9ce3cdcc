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

/* FALSE (with an error quoting it) when text has an integer beyond 64 bits: json-glib reads
 * 12345678901234567890 as -6101065172474983726, and install would write that back. */
static gboolean
check_integers (const char *text, GError **error)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1] != '\0')
              p++;
          if (*p == '\0')
            break;
        }
      else if (g_ascii_isdigit (*p) || (*p == '-' && g_ascii_isdigit (p[1])))
        {
          const char *start = p;
          g_autofree char *number = NULL;

          for (p++; g_ascii_isdigit (*p); p++)
            ;
          if (*p == '.' || *p == 'e' || *p == 'E')
            {
              while (g_ascii_isalnum (*p) || *p == '.' || *p == '+' || *p == '-')
                p++;
            }
          else
            {
              number = g_strndup (start, p - start);
              if (!g_ascii_string_to_signed (number, 10, G_MININT64, G_MAXINT64, NULL, NULL))
                return runsc_error_set (error, RUNSC_ERROR_INVALID, "the integer %s is beyond 64 bits", number);
            }
          p--;
        }
    }
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
  if (!check_integers (trimmed, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "not a JSON object"), NULL;
  if (!check_finite (root, "(top level)", error))
    return NULL;
  return json_node_copy (root);
}

/* The JSON text of node, pretty-printed as json-glib prints it ("key" : value, indent 4), but written here:
 * json-glib 1.6 appends ".0" to every double without a '.', so 1e201 came out as 1e+201.0, which is not JSON. */
static void
append_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\t': g_string_append (out, "\\t"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as d (d is finite: check_finite), with a '.' or an exponent. */
static void
append_double (GString *out, double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 15; digits <= 17; digits++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, d);
      if (g_ascii_strtod (buf, NULL) == d)
        break;
    }
  g_string_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
append_node (GString *out, JsonNode *node, guint depth)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);
      GList *members = json_object_get_members (obj); /* in the file's order */
      gboolean first = TRUE;

      g_string_append_c (out, '{');
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_string_append (out, first ? "\n" : ",\n");
          first = FALSE;
          g_string_append_printf (out, "%*s", (int) (depth + 1) * 4, "");
          append_string (out, l->data);
          g_string_append (out, " : ");
          append_node (out, json_object_get_member (obj, l->data), depth + 1);
        }
      g_list_free (members);
      if (!first)
        g_string_append_printf (out, "\n%*s", (int) depth * 4, "");
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      guint n = json_array_get_length (a);

      g_string_append_c (out, '[');
      for (guint i = 0; i < n; i++)
        {
          g_string_append_printf (out, "%s%*s", i ? ",\n" : "\n", (int) (depth + 1) * 4, "");
          append_node (out, json_array_get_element (a, i), depth + 1);
        }
      if (n > 0)
        g_string_append_printf (out, "\n%*s", (int) depth * 4, "");
      g_string_append_c (out, ']');
    }
  else if (JSON_NODE_HOLDS_NULL (node))
    g_string_append (out, "null");
  else
    switch (json_node_get_value_type (node))
      {
      case G_TYPE_STRING:
        append_string (out, json_node_get_string (node));
        break;
      case G_TYPE_BOOLEAN:
        g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        break;
      case G_TYPE_DOUBLE:
        append_double (out, json_node_get_double (node));
        break;
      default:
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        break;
      }
}

static char *
to_text (JsonNode *root)
{
  GString *out = g_string_new (NULL);

  append_node (out, root, 0);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
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
