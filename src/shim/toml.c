/* The TOML subset parser (see toml.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/toml-lex.h"
#include "shim/toml.h"

typedef struct
{
  GPtrArray *keys;    /* char *, in order */
  GHashTable *values; /* key -> TomlValue * */
  int line;
  gboolean explicit;  /* defined by a [header] */
} TomlTable;

struct TomlDoc
{
  GHashTable *tables; /* "a.b" -> TomlTable * */
};

typedef struct
{
  TomlLexer lx;
  const char *name;
  TomlDoc *doc;
  GString *cur_table;
} Parser;

static void
toml_value_free (TomlValue *v)
{
  if (v == NULL)
    return;
  g_free (v->string);
  if (v->array)
    g_ptr_array_unref (v->array);
  g_free (v);
}

static void
toml_table_free (TomlTable *t)
{
  g_ptr_array_unref (t->keys);
  g_hash_table_unref (t->values);
  g_free (t);
}

void
toml_doc_free (TomlDoc *doc)
{
  if (doc == NULL)
    return;
  g_hash_table_unref (doc->tables);
  g_free (doc);
}

/* Set "<name>:<line>: <message>". Always returns FALSE. */
static gboolean G_GNUC_PRINTF (3, 4)
perr (Parser *ps, GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s:%d: %s", ps->name, ps->lx.line, msg);
}

#define PERR(ps, error, ...) perr ((ps), (error), __VA_ARGS__)

static TomlTable *
get_table (TomlDoc *doc, const char *name, gboolean create, int line)
{
  TomlTable *t = g_hash_table_lookup (doc->tables, name);
  if (t == NULL && create)
    {
      t = g_new0 (TomlTable, 1);
      t->keys = g_ptr_array_new_with_free_func (g_free);
      t->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) toml_value_free);
      t->line = line;
      g_hash_table_insert (doc->tables, g_strdup (name), t);
    }
  return t;
}

/* Whitespace, newlines and comments (inside arrays). */
static void
skip_ws_nl (Parser *ps)
{
  for (;;)
    {
      toml_lex_skip_blank (&ps->lx);
      toml_lex_skip_comment (&ps->lx);
      if (ps->lx.p < ps->lx.end && (*ps->lx.p == '\n' || *ps->lx.p == '\r'))
        {
          if (*ps->lx.p == '\n')
            ps->lx.line++;
          ps->lx.p++;
          continue;
        }
      break;
    }
}

/* At the end of a line: optional whitespace and comment, then newline or end of input. */
static gboolean
expect_eol (Parser *ps, GError **error)
{
  toml_lex_skip_blank (&ps->lx);
  toml_lex_skip_comment (&ps->lx);
  if (ps->lx.p < ps->lx.end && *ps->lx.p == '\r')
    ps->lx.p++;
  if (ps->lx.p >= ps->lx.end)
    return TRUE;
  if (*ps->lx.p != '\n')
    return PERR (ps, error, "unexpected '%c' after value", *ps->lx.p);
  ps->lx.p++;
  ps->lx.line++;
  return TRUE;
}

/* A string; ps->lx.p is at its opening quote. */
static char *
parse_string (Parser *ps, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (!toml_lex_string (&ps->lx, TOML_LEX_STRICT, out, error))
    {
      g_prefix_error (error, "%s:%d: ", ps->name, ps->lx.line);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A dotted key, returned as a NULL-terminated vector. */
static char **
parse_key (Parser *ps, GError **error)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (!toml_lex_key (&ps->lx, TOML_LEX_STRICT, parts, error))
    {
      g_prefix_error (error, "%s:%d: ", ps->name, ps->lx.line);
      return NULL;
    }
  g_ptr_array_set_free_func (parts, NULL);
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

static char *
join_table (const char *base, char **parts, int n)
{
  GString *s = g_string_new (base);
  for (int i = 0; i < n; i++)
    {
      if (s->len > 0)
        g_string_append_c (s, '.');
      g_string_append (s, parts[i]);
    }
  return g_string_free (s, FALSE);
}

static TomlValue *parse_value (Parser *ps, GError **error);

static TomlValue *
parse_number_or_word (Parser *ps, GError **error)
{
  const char *start = ps->lx.p;
  g_autofree char *word = NULL;
  g_autoptr (GString) digits = g_string_new (NULL);
  TomlValue *v;
  const char *q;
  int base = 10;
  gboolean is_float = FALSE;
  char *endp;

  while (ps->lx.p < ps->lx.end && (g_ascii_isalnum (*ps->lx.p) || strchr ("+-_.:", *ps->lx.p) != NULL))
    ps->lx.p++;
  word = g_strndup (start, ps->lx.p - start);
  if (*word == '\0')
    {
      if (ps->lx.p >= ps->lx.end || *ps->lx.p == '\n')
        PERR (ps, error, "missing value");
      else if (*ps->lx.p == '{')
        PERR (ps, error, "inline tables are not supported");
      else
        PERR (ps, error, "invalid value starting with '%c'", *ps->lx.p);
      return NULL;
    }
  if (strcmp (word, "true") == 0 || strcmp (word, "false") == 0)
    {
      v = g_new0 (TomlValue, 1);
      v->type = TOML_BOOLEAN;
      v->boolean = word[0] == 't';
      return v;
    }
  q = word;
  if (*q == '+' || *q == '-')
    g_string_append_c (digits, *q++);
  if (q[0] == '0' && (q[1] == 'x' || q[1] == 'o' || q[1] == 'b') && digits->len == 0)
    {
      base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
      q += 2;
    }
  for (; *q; q++)
    {
      if (*q == '_')
        {
          if (q == word || !g_ascii_isalnum (q[-1]) || !g_ascii_isalnum (q[1]))
            goto invalid;
          continue;
        }
      if (base == 10 && (*q == '.' || *q == 'e' || *q == 'E' || ((*q == '+' || *q == '-') && (q[-1] == 'e' || q[-1] == 'E'))))
        is_float = TRUE;
      else if (base == 10 && !g_ascii_isdigit (*q))
        goto invalid;
      else if (base != 10 && g_ascii_xdigit_value (*q) < 0)
        goto invalid;
      g_string_append_c (digits, *q);
    }
  if (digits->len == 0 || (digits->len == 1 && (digits->str[0] == '+' || digits->str[0] == '-')))
    goto invalid;
  v = g_new0 (TomlValue, 1);
  if (is_float)
    {
      g_ascii_strtod (digits->str, &endp);
      if (*endp != '\0')
        {
          g_free (v);
          goto invalid;
        }
      v->type = TOML_FLOAT;
      v->string = g_strdup (digits->str);
      return v;
    }
  errno = 0;
  v->integer = g_ascii_strtoll (digits->str, &endp, base);
  if (*endp != '\0' || errno == ERANGE)
    {
      g_free (v);
      if (errno == ERANGE)
        {
          PERR (ps, error, "integer %s out of range", word);
          return NULL;
        }
      goto invalid;
    }
  v->type = TOML_INTEGER;
  return v;

invalid:
  if (strchr (word, ':') || (strlen (word) >= 10 && word[4] == '-' && word[7] == '-'))
    PERR (ps, error, "dates and times are not supported: %s", word);
  else
    PERR (ps, error, "invalid value %s (strings must be quoted)", word);
  return NULL;
}

static TomlValue *
parse_array (Parser *ps, GError **error)
{
  TomlValue *v = g_new0 (TomlValue, 1);
  v->type = TOML_ARRAY;
  v->array = g_ptr_array_new_with_free_func ((GDestroyNotify) toml_value_free);
  ps->lx.p++; /* '[' */
  for (;;)
    {
      TomlValue *item;
      skip_ws_nl (ps);
      if (ps->lx.p >= ps->lx.end)
        {
          PERR (ps, error, "unterminated array");
          toml_value_free (v);
          return NULL;
        }
      if (*ps->lx.p == ']')
        {
          ps->lx.p++;
          return v;
        }
      item = parse_value (ps, error);
      if (item == NULL)
        {
          toml_value_free (v);
          return NULL;
        }
      g_ptr_array_add (v->array, item);
      skip_ws_nl (ps);
      if (ps->lx.p < ps->lx.end && *ps->lx.p == ',')
        {
          ps->lx.p++;
          continue;
        }
      if (ps->lx.p < ps->lx.end && *ps->lx.p == ']')
        {
          ps->lx.p++;
          return v;
        }
      if (ps->lx.p >= ps->lx.end)
        PERR (ps, error, "unterminated array");
      else
        PERR (ps, error, "expected ',' or ']' in array");
      toml_value_free (v);
      return NULL;
    }
}

static TomlValue *
parse_value (Parser *ps, GError **error)
{
  int line = ps->lx.line;
  TomlValue *v;

  toml_lex_skip_blank (&ps->lx);
  if (ps->lx.p < ps->lx.end && (*ps->lx.p == '"' || *ps->lx.p == '\''))
    {
      char *s = parse_string (ps, error);
      if (s == NULL)
        return NULL;
      v = g_new0 (TomlValue, 1);
      v->type = TOML_STRING;
      v->string = s;
    }
  else if (ps->lx.p < ps->lx.end && *ps->lx.p == '[')
    v = parse_array (ps, error);
  else
    v = parse_number_or_word (ps, error);
  if (v)
    v->line = line;
  return v;
}

static gboolean
parse_header (Parser *ps, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autofree char *name = NULL;
  TomlTable *t;

  ps->lx.p++; /* '[' */
  if (ps->lx.p < ps->lx.end && *ps->lx.p == '[')
    return PERR (ps, error, "arrays of tables ([[...]]) are not supported");
  parts = parse_key (ps, error);
  if (parts == NULL)
    return FALSE;
  toml_lex_skip_blank (&ps->lx);
  if (ps->lx.p >= ps->lx.end || *ps->lx.p != ']')
    return PERR (ps, error, "expected ']' after table name");
  ps->lx.p++;
  name = join_table ("", parts, g_strv_length (parts));
  t = get_table (ps->doc, name, FALSE, ps->lx.line);
  if (t != NULL && t->explicit)
    return PERR (ps, error, "table [%s] defined twice (first on line %d)", name, t->line);
  /* A table that is a key of its parent cannot be reopened. */
  t = get_table (ps->doc, name, TRUE, ps->lx.line);
  t->explicit = TRUE;
  t->line = ps->lx.line;
  g_string_assign (ps->cur_table, name);
  return expect_eol (ps, error);
}

static gboolean
parse_keyval (Parser *ps, GError **error)
{
  g_auto (GStrv) parts = parse_key (ps, error);
  g_autofree char *table = NULL;
  guint n;
  TomlTable *t;
  TomlValue *v, *old;
  const char *key;

  if (parts == NULL)
    return FALSE;
  n = g_strv_length (parts);
  toml_lex_skip_blank (&ps->lx);
  if (ps->lx.p >= ps->lx.end || *ps->lx.p != '=')
    return PERR (ps, error, "expected '=' after key %s", parts[n - 1]);
  ps->lx.p++;
  table = join_table (ps->cur_table->str, parts, n - 1);
  key = parts[n - 1];
  t = get_table (ps->doc, table, TRUE, ps->lx.line);
  old = g_hash_table_lookup (t->values, key);
  if (old != NULL)
    return PERR (ps, error, "key %s defined twice (first on line %d)", key, old->line);
  {
    g_autofree char *sub = join_table (table, (char **) &key, 1);
    TomlTable *subt = get_table (ps->doc, sub, FALSE, 0);
    if (subt != NULL)
      return PERR (ps, error, "key %s is already a table (line %d)", key, subt->line);
  }
  v = parse_value (ps, error);
  if (v == NULL)
    return FALSE;
  g_ptr_array_add (t->keys, g_strdup (key));
  g_hash_table_insert (t->values, g_strdup (key), v);
  return expect_eol (ps, error);
}

TomlDoc *
toml_parse (const char *text, gssize len, const char *name, GError **error)
{
  g_autoptr (TomlDoc) doc = g_new0 (TomlDoc, 1);
  g_autoptr (GString) cur = g_string_new ("");
  Parser ps = { 0 };

  if (len < 0)
    len = strlen (text);
  doc->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) toml_table_free);
  get_table (doc, "", TRUE, 1)->explicit = TRUE;
  toml_lex_init (&ps.lx, text, len);
  ps.name = name ? name : "toml";
  ps.doc = doc;
  ps.cur_table = cur;

  if (memchr (text, '\0', len) != NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: contains a NUL byte", ps.name);
      return NULL;
    }
  while (ps.lx.p < ps.lx.end)
    {
      toml_lex_skip_blank (&ps.lx);
      if (ps.lx.p >= ps.lx.end)
        break;
      if (*ps.lx.p == '#' || *ps.lx.p == '\n' || *ps.lx.p == '\r')
        {
          if (!expect_eol (&ps, error))
            return NULL;
          continue;
        }
      if (*ps.lx.p == '[')
        {
          if (!parse_header (&ps, error))
            return NULL;
          continue;
        }
      if (!parse_keyval (&ps, error))
        return NULL;
    }
  return g_steal_pointer (&doc);
}

TomlDoc *
toml_parse_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  GError *local = NULL;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      runsc_error_set (error, local->code == G_FILE_ERROR_NOENT ? RUNSC_ERROR_NOT_FOUND : RUNSC_ERROR_FAILED,
                       "read %s: %s", path, local->message);
      g_error_free (local);
      return NULL;
    }
  return toml_parse (text, len, path, error);
}

const TomlValue *
toml_get (const TomlDoc *doc, const char *table, const char *key)
{
  TomlTable *t = g_hash_table_lookup (doc->tables, table ? table : "");
  return t ? g_hash_table_lookup (t->values, key) : NULL;
}

const GPtrArray *
toml_table_keys (const TomlDoc *doc, const char *table)
{
  TomlTable *t = g_hash_table_lookup (doc->tables, table ? table : "");
  return t ? t->keys : NULL;
}

static const char *
type_name (TomlType t)
{
  switch (t)
    {
    case TOML_STRING: return "a string";
    case TOML_INTEGER: return "an integer";
    case TOML_FLOAT: return "a float";
    case TOML_BOOLEAN: return "a boolean";
    case TOML_ARRAY: return "an array";
    }
  return "?";
}

static const TomlValue *
get_typed (const TomlDoc *doc, const char *table, const char *key, TomlType want, const char *want_name,
           GError **error)
{
  const TomlValue *v = toml_get (doc, table, key);
  if (v == NULL)
    return NULL;
  if (v->type != want)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "line %d: %s%s%s must be %s, not %s", v->line,
                       table && *table ? table : "", table && *table ? "." : "", key, want_name, type_name (v->type));
      return NULL;
    }
  return v;
}

gboolean
toml_get_string (const TomlDoc *doc, const char *table, const char *key, const char **out, GError **error)
{
  const TomlValue *v = get_typed (doc, table, key, TOML_STRING, "a string", error);
  if (v)
    *out = v->string;
  return v != NULL;
}

gboolean
toml_get_bool (const TomlDoc *doc, const char *table, const char *key, gboolean *out, GError **error)
{
  const TomlValue *v = get_typed (doc, table, key, TOML_BOOLEAN, "a boolean", error);
  if (v)
    *out = v->boolean;
  return v != NULL;
}

gboolean
toml_get_int (const TomlDoc *doc, const char *table, const char *key, gint64 *out, GError **error)
{
  const TomlValue *v = get_typed (doc, table, key, TOML_INTEGER, "an integer", error);
  if (v)
    *out = v->integer;
  return v != NULL;
}

char *
toml_value_to_string (const TomlValue *value)
{
  switch (value->type)
    {
    case TOML_STRING:
    case TOML_FLOAT:
      return g_strdup (value->string);
    case TOML_INTEGER:
      return g_strdup_printf ("%" G_GINT64_FORMAT, value->integer);
    case TOML_BOOLEAN:
      return g_strdup (value->boolean ? "true" : "false");
    case TOML_ARRAY:
      {
        GString *s = g_string_new (NULL);
        for (guint i = 0; i < value->array->len; i++)
          {
            g_autofree char *item = toml_value_to_string (g_ptr_array_index (value->array, i));
            if (i)
              g_string_append_c (s, ',');
            g_string_append (s, item);
          }
        return g_string_free (s, FALSE);
      }
    }
  return g_strdup ("");
}
