/* The TOML subset parser (see toml.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
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
  const char *p;
  const char *end;
  int line;
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
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "%s:%d: %s", ps->name, ps->line, msg);
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

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
    ps->p++;
}

static void
skip_comment (Parser *ps)
{
  if (ps->p < ps->end && *ps->p == '#')
    while (ps->p < ps->end && *ps->p != '\n')
      ps->p++;
}

/* Whitespace, newlines and comments (inside arrays). */
static void
skip_ws_nl (Parser *ps)
{
  for (;;)
    {
      skip_ws (ps);
      skip_comment (ps);
      if (ps->p < ps->end && (*ps->p == '\n' || *ps->p == '\r'))
        {
          if (*ps->p == '\n')
            ps->line++;
          ps->p++;
          continue;
        }
      break;
    }
}

/* At the end of a line: optional whitespace and comment, then newline or end of input. */
static gboolean
expect_eol (Parser *ps, GError **error)
{
  skip_ws (ps);
  skip_comment (ps);
  if (ps->p < ps->end && *ps->p == '\r')
    ps->p++;
  if (ps->p >= ps->end)
    return TRUE;
  if (*ps->p != '\n')
    return PERR (ps, error, "unexpected '%c' after value", *ps->p);
  ps->p++;
  ps->line++;
  return TRUE;
}

static gboolean
is_bare (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static gboolean
append_utf8 (Parser *ps, GString *out, int ndigits, GError **error)
{
  gunichar c = 0;
  for (int i = 0; i < ndigits; i++)
    {
      if (ps->p >= ps->end || !g_ascii_isxdigit (*ps->p))
        return PERR (ps, error, "invalid \\%c escape: expected %d hex digits", ndigits == 4 ? 'u' : 'U', ndigits);
      c = c * 16 + g_ascii_xdigit_value (*ps->p++);
    }
  if (!g_unichar_validate (c))
    return PERR (ps, error, "invalid unicode code point U+%04X", c);
  g_string_append_unichar (out, c);
  return TRUE;
}

/* A basic ("...") or literal ('...') one-line string; ps->p is at the opening quote. */
static char *
parse_string (Parser *ps, GError **error)
{
  char quote = *ps->p++;
  g_autoptr (GString) out = g_string_new (NULL);

  if (ps->end - ps->p >= 2 && ps->p[0] == quote && ps->p[1] == quote)
    {
      PERR (ps, error, "multi-line strings are not supported");
      return NULL;
    }
  for (;;)
    {
      char c;
      if (ps->p >= ps->end || *ps->p == '\n')
        {
          PERR (ps, error, "unterminated string");
          return NULL;
        }
      c = *ps->p++;
      if (c == quote)
        break;
      if (c == '\\' && quote == '"')
        {
          if (ps->p >= ps->end)
            {
              PERR (ps, error, "unterminated string");
              return NULL;
            }
          c = *ps->p++;
          switch (c)
            {
            case 'b': g_string_append_c (out, '\b'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'n': g_string_append_c (out, '\n'); break;
            case 'f': g_string_append_c (out, '\f'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case '"': g_string_append_c (out, '"'); break;
            case '\\': g_string_append_c (out, '\\'); break;
            case 'u':
              if (!append_utf8 (ps, out, 4, error))
                return NULL;
              break;
            case 'U':
              if (!append_utf8 (ps, out, 8, error))
                return NULL;
              break;
            default:
              PERR (ps, error, "invalid escape \\%c in string", c);
              return NULL;
            }
          continue;
        }
      if ((unsigned char) c < 0x20 && c != '\t')
        {
          PERR (ps, error, "control character in string");
          return NULL;
        }
      g_string_append_c (out, c);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* One key part: bare or quoted. */
static char *
parse_key_part (Parser *ps, GError **error)
{
  const char *start;

  skip_ws (ps);
  if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''))
    return parse_string (ps, error);
  start = ps->p;
  while (ps->p < ps->end && is_bare (*ps->p))
    ps->p++;
  if (ps->p == start)
    {
      if (ps->p < ps->end && *ps->p != '\n')
        PERR (ps, error, "invalid character '%c' in key", *ps->p);
      else
        PERR (ps, error, "missing key");
      return NULL;
    }
  return g_strndup (start, ps->p - start);
}

/* A dotted key: parts separated by '.', returned as a NULL-terminated vector. */
static char **
parse_key (Parser *ps, GError **error)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      char *part = parse_key_part (ps, error);
      if (part == NULL)
        return NULL;
      g_ptr_array_add (parts, part);
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == '.')
        {
          ps->p++;
          continue;
        }
      break;
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
  const char *start = ps->p;
  g_autofree char *word = NULL;
  g_autoptr (GString) digits = g_string_new (NULL);
  TomlValue *v;
  const char *q;
  int base = 10;
  gboolean is_float = FALSE;
  char *endp;

  while (ps->p < ps->end && (g_ascii_isalnum (*ps->p) || strchr ("+-_.:", *ps->p) != NULL))
    ps->p++;
  word = g_strndup (start, ps->p - start);
  if (*word == '\0')
    {
      if (ps->p >= ps->end || *ps->p == '\n')
        PERR (ps, error, "missing value");
      else if (*ps->p == '{')
        PERR (ps, error, "inline tables are not supported");
      else
        PERR (ps, error, "invalid value starting with '%c'", *ps->p);
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
  ps->p++; /* '[' */
  for (;;)
    {
      TomlValue *item;
      skip_ws_nl (ps);
      if (ps->p >= ps->end)
        {
          PERR (ps, error, "unterminated array");
          toml_value_free (v);
          return NULL;
        }
      if (*ps->p == ']')
        {
          ps->p++;
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
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->end && *ps->p == ']')
        {
          ps->p++;
          return v;
        }
      if (ps->p >= ps->end)
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
  int line = ps->line;
  TomlValue *v;

  skip_ws (ps);
  if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''))
    {
      char *s = parse_string (ps, error);
      if (s == NULL)
        return NULL;
      v = g_new0 (TomlValue, 1);
      v->type = TOML_STRING;
      v->string = s;
    }
  else if (ps->p < ps->end && *ps->p == '[')
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

  ps->p++; /* '[' */
  if (ps->p < ps->end && *ps->p == '[')
    return PERR (ps, error, "arrays of tables ([[...]]) are not supported");
  parts = parse_key (ps, error);
  if (parts == NULL)
    return FALSE;
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != ']')
    return PERR (ps, error, "expected ']' after table name");
  ps->p++;
  name = join_table ("", parts, g_strv_length (parts));
  t = get_table (ps->doc, name, FALSE, ps->line);
  if (t != NULL && t->explicit)
    return PERR (ps, error, "table [%s] defined twice (first on line %d)", name, t->line);
  /* A table that is a key of its parent cannot be reopened. */
  t = get_table (ps->doc, name, TRUE, ps->line);
  t->explicit = TRUE;
  t->line = ps->line;
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
  skip_ws (ps);
  if (ps->p >= ps->end || *ps->p != '=')
    return PERR (ps, error, "expected '=' after key %s", parts[n - 1]);
  ps->p++;
  table = join_table (ps->cur_table->str, parts, n - 1);
  key = parts[n - 1];
  t = get_table (ps->doc, table, TRUE, ps->line);
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
  ps.p = text;
  ps.end = text + len;
  ps.line = 1;
  ps.name = name ? name : "toml";
  ps.doc = doc;
  ps.cur_table = cur;

  if (memchr (text, '\0', len) != NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "%s: contains a NUL byte", ps.name);
      return NULL;
    }
  while (ps.p < ps.end)
    {
      skip_ws (&ps);
      if (ps.p >= ps.end)
        break;
      if (*ps.p == '#' || *ps.p == '\n' || *ps.p == '\r')
        {
          if (!expect_eol (&ps, error))
            return NULL;
          continue;
        }
      if (*ps.p == '[')
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
