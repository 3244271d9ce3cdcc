/* A small TOML reader for containerd's config.toml (see toml-scan.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/toml-lex.h"
#include "install/toml-scan.h"

typedef struct
{
  const char *text;
  TomlLexer lx;
  GError **error;
} Scanner;

static int
line_of (const Scanner *s)
{
  int line = 1;
  for (const char *q = s->text; q < s->lx.p; q++)
    if (*q == '\n')
      line++;
  return line;
}

static gboolean
fail (Scanner *s, const char *what)
{
  return runsc_error_set (s->error, RUNSC_ERROR_INVALID, "line %d: %s", line_of (s), what);
}

/* An error of the lexer's, with the line it happened on. */
static gboolean
lex_failed (Scanner *s)
{
  g_prefix_error (s->error, "line %d: ", line_of (s));
  return FALSE;
}

/* A string, single- or multi-line, basic or literal; p is at its first quote. out may be NULL. */
static gboolean
read_string (Scanner *s, GString *out)
{
  return toml_lex_string (&s->lx, TOML_LEX_MULTILINE, out, s->error) || lex_failed (s);
}

/* A dotted key: a.b."c.d".'e'; appends the parts to out. */
static gboolean
read_key (Scanner *s, GPtrArray *out)
{
  return toml_lex_key (&s->lx, 0, out, s->error) || lex_failed (s);
}

/* Skip a value up to and including the newline that ends it (arrays and inline tables may span lines). Strings
 * met on the way are added to strings when it is not NULL. */
static gboolean
skip_value (Scanner *s, GPtrArray *strings)
{
  int depth = 0;

  toml_lex_skip_blank (&s->lx);
  if (*s->lx.p == '\n' || *s->lx.p == '\0' || *s->lx.p == '#')
    return fail (s, "expected a value after =");
  for (;;)
    {
      char c = *s->lx.p;
      if (c == '\0')
        {
          if (depth > 0)
            return fail (s, "unterminated array or inline table");
          return TRUE;
        }
      if (c == '"' || c == '\'')
        {
          g_autoptr (GString) str = g_string_new (NULL);
          if (!read_string (s, str))
            return FALSE;
          if (strings)
            g_ptr_array_add (strings, g_string_free (g_steal_pointer (&str), FALSE));
          continue;
        }
      if (c == '#')
        {
          toml_lex_skip_comment (&s->lx);
          continue;
        }
      if (c == '[' || c == '{')
        depth++;
      else if (c == ']' || c == '}')
        {
          if (--depth < 0)
            return fail (s, "unbalanced ] or }");
        }
      else if (c == '\n' && depth == 0)
        {
          s->lx.p++;
          return TRUE;
        }
      s->lx.p++;
    }
}

static void
add_path (TomlScan *scan, GPtrArray *table, GPtrArray *key, gboolean is_value)
{
  GStrvBuilder *b = g_strv_builder_new ();
  gboolean v = is_value;

  for (guint i = 0; i < table->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (table, i));
  for (guint i = 0; key && i < key->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (key, i));
  g_ptr_array_add (scan->paths, g_strv_builder_end (b));
  g_array_append_val (scan->is_value, v);
  g_strv_builder_unref (b);
}

TomlScan *
toml_scan (const char *text, GError **error)
{
  g_autoptr (TomlScan) scan = g_new0 (TomlScan, 1);
  g_autoptr (GPtrArray) table = g_ptr_array_new_with_free_func (g_free);
  Scanner s = { .text = text, .error = error };
  gboolean in_table = FALSE;

  scan->paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  scan->is_value = g_array_new (FALSE, FALSE, sizeof (gboolean));
  scan->imports = g_ptr_array_new_with_free_func (g_free);
  scan->first_table = strlen (text);
  toml_lex_init (&s.lx, text, scan->first_table);

  while (*s.lx.p)
    {
      const char *line_start = s.lx.p;

      toml_lex_skip_blank (&s.lx);
      if (*s.lx.p == '\n' || *s.lx.p == '\r')
        {
          s.lx.p++;
          continue;
        }
      if (*s.lx.p == '#')
        {
          toml_lex_skip_comment (&s.lx);
          continue;
        }
      if (*s.lx.p == '[')
        {
          gboolean array = s.lx.p[1] == '[';
          s.lx.p += array ? 2 : 1;
          if (!in_table)
            scan->first_table = line_start - text;
          in_table = TRUE;
          g_ptr_array_set_size (table, 0);
          if (!read_key (&s, table))
            return NULL;
          if (*s.lx.p != ']' || (array && s.lx.p[1] != ']'))
            {
              fail (&s, "expected ] after a table name");
              return NULL;
            }
          s.lx.p += array ? 2 : 1;
          add_path (scan, table, NULL, FALSE);
          toml_lex_skip_blank (&s.lx);
          if (*s.lx.p == '#')
            toml_lex_skip_comment (&s.lx);
          if (*s.lx.p == '\r')
            s.lx.p++;
          if (*s.lx.p != '\n' && *s.lx.p != '\0')
            {
              fail (&s, "unexpected text after a table name");
              return NULL;
            }
          continue;
        }
      /* key = value */
      {
        g_autoptr (GPtrArray) key = g_ptr_array_new_with_free_func (g_free);
        gboolean is_version, is_imports;

        if (!read_key (&s, key))
          return NULL;
        if (*s.lx.p != '=')
          {
            fail (&s, "expected = after a key");
            return NULL;
          }
        s.lx.p++;
        is_version = !in_table && key->len == 1 && strcmp (g_ptr_array_index (key, 0), "version") == 0;
        is_imports = !in_table && key->len == 1 && strcmp (g_ptr_array_index (key, 0), "imports") == 0;
        if (is_version)
          {
            toml_lex_skip_blank (&s.lx);
            scan->version = (int) strtol (s.lx.p, NULL, 10);
          }
        if (is_imports)
          {
            scan->has_imports = TRUE;
            scan->imports_start = line_start - text;
          }
        if (!skip_value (&s, is_imports ? scan->imports : NULL))
          return NULL;
        if (is_version)
          scan->version_line_end = s.lx.p - text;
        if (is_imports)
          scan->imports_end = s.lx.p - text;
        add_path (scan, table, key, TRUE);
      }
    }
  return g_steal_pointer (&scan);
}

void
toml_scan_free (TomlScan *scan)
{
  if (scan == NULL)
    return;
  g_ptr_array_unref (scan->paths);
  g_array_unref (scan->is_value);
  g_ptr_array_unref (scan->imports);
  g_free (scan);
}

/* TRUE if the first n parts of a and b are equal and both have at least n parts. */
static gboolean
prefix_equal (const char *const *a, const char *const *b, guint n)
{
  for (guint i = 0; i < n; i++)
    if (a[i] == NULL || b[i] == NULL || strcmp (a[i], b[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
toml_scan_defines (const TomlScan *scan, const char *const *path)
{
  guint n = g_strv_length ((char **) path);

  for (guint i = 0; i < scan->paths->len; i++)
    if (prefix_equal (g_ptr_array_index (scan->paths, i), path, n))
      return TRUE;
  return FALSE;
}

gboolean
toml_scan_value_blocks (const TomlScan *scan, const char *const *path)
{
  for (guint i = 0; i < scan->paths->len; i++)
    {
      const char *const *p = g_ptr_array_index (scan->paths, i);
      guint n = g_strv_length ((char **) p);
      if (g_array_index (scan->is_value, gboolean, i) && prefix_equal (p, path, n))
        return TRUE;
    }
  return FALSE;
}

char *
toml_quote (const char *s)
{
  GString *out = g_string_new ("\"");

  for (; *s; s++)
    {
      switch (*s)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if ((unsigned char) *s < 0x20)
            g_string_append_printf (out, "\\u%04x", (unsigned char) *s);
          else
            g_string_append_c (out, *s);
        }
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}
