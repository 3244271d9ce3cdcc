/* A small TOML reader for containerd's config.toml (see toml-scan.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "install/toml-scan.h"

typedef struct
{
  const char *text;
  const char *p;
  GError **error;
} Scanner;

static int
line_of (const Scanner *s)
{
  int line = 1;
  for (const char *q = s->text; q < s->p; q++)
    if (*q == '\n')
      line++;
  return line;
}

static gboolean
fail (Scanner *s, const char *what)
{
  return runsc_error_set (s->error, RUNSC_ERROR_INVALID, "line %d: %s", line_of (s), what);
}

static void
skip_blank (Scanner *s)
{
  while (*s->p == ' ' || *s->p == '\t')
    s->p++;
}

static void
skip_to_eol (Scanner *s)
{
  while (*s->p && *s->p != '\n')
    s->p++;
}

static void
append_utf8 (GString *out, gunichar c)
{
  char buf[8];
  int n = g_unichar_to_utf8 (c, buf);
  g_string_append_len (out, buf, n);
}

/* A basic string "..." (single-line) or """...""" (multi-line); p is at the first quote. out may be NULL. */
static gboolean
read_basic_string (Scanner *s, GString *out)
{
  gboolean multi = strncmp (s->p, "\"\"\"", 3) == 0;

  s->p += multi ? 3 : 1;
  for (;;)
    {
      char c = *s->p;
      if (c == '\0' || (c == '\n' && !multi))
        return fail (s, "unterminated string");
      if (multi ? strncmp (s->p, "\"\"\"", 3) == 0 : c == '"')
        {
          s->p += multi ? 3 : 1;
          /* """ may be followed by up to two more quotes that belong to the string. */
          while (multi && *s->p == '"')
            {
              if (out)
                g_string_append_c (out, '"');
              s->p++;
            }
          return TRUE;
        }
      if (c == '\\')
        {
          char e = s->p[1];
          s->p += 2;
          switch (e)
            {
            case 'b': c = '\b'; break;
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'f': c = '\f'; break;
            case 'r': c = '\r'; break;
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case 'u':
            case 'U':
              {
                int len = e == 'u' ? 4 : 8;
                char hex[9] = { 0 };
                for (int i = 0; i < len; i++)
                  {
                    if (!g_ascii_isxdigit (s->p[i]))
                      return fail (s, "bad \\u escape in string");
                    hex[i] = s->p[i];
                  }
                s->p += len;
                if (out)
                  append_utf8 (out, (gunichar) strtoul (hex, NULL, 16));
                continue;
              }
            default:
              if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r'))
                {
                  /* Line-ending backslash: trims the newline and the whitespace after it. */
                  s->p--;
                  while (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n')
                    s->p++;
                  continue;
                }
              return fail (s, "bad escape in string");
            }
          if (out)
            g_string_append_c (out, c);
          continue;
        }
      if (out)
        g_string_append_c (out, c);
      s->p++;
    }
}

/* A literal string '...' or '''...'''; p is at the first quote. */
static gboolean
read_literal_string (Scanner *s, GString *out)
{
  gboolean multi = strncmp (s->p, "'''", 3) == 0;

  s->p += multi ? 3 : 1;
  for (;;)
    {
      char c = *s->p;
      if (c == '\0' || (c == '\n' && !multi))
        return fail (s, "unterminated string");
      if (multi ? strncmp (s->p, "'''", 3) == 0 : c == '\'')
        {
          s->p += multi ? 3 : 1;
          while (multi && *s->p == '\'')
            {
              if (out)
                g_string_append_c (out, '\'');
              s->p++;
            }
          return TRUE;
        }
      if (out)
        g_string_append_c (out, c);
      s->p++;
    }
}

static gboolean
is_bare_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/* A dotted key: a.b."c.d".'e'; appends the parts to out. */
static gboolean
read_key (Scanner *s, GPtrArray *out)
{
  for (;;)
    {
      g_autoptr (GString) part = g_string_new (NULL);

      skip_blank (s);
      if (*s->p == '"')
        {
          if (strncmp (s->p, "\"\"\"", 3) == 0)
            return fail (s, "multi-line string used as a key");
          if (!read_basic_string (s, part))
            return FALSE;
        }
      else if (*s->p == '\'')
        {
          if (strncmp (s->p, "'''", 3) == 0)
            return fail (s, "multi-line string used as a key");
          if (!read_literal_string (s, part))
            return FALSE;
        }
      else if (is_bare_key_char (*s->p))
        {
          while (is_bare_key_char (*s->p))
            g_string_append_c (part, *s->p++);
        }
      else
        return fail (s, "expected a key");
      g_ptr_array_add (out, g_string_free (g_steal_pointer (&part), FALSE));
      skip_blank (s);
      if (*s->p != '.')
        return TRUE;
      s->p++;
    }
}

/* Skip a value up to and including the newline that ends it (arrays and inline tables may span lines). Strings
 * met on the way are added to strings when it is not NULL. */
static gboolean
skip_value (Scanner *s, GPtrArray *strings)
{
  int depth = 0;

  skip_blank (s);
  if (*s->p == '\n' || *s->p == '\0' || *s->p == '#')
    return fail (s, "expected a value after =");
  for (;;)
    {
      char c = *s->p;
      if (c == '\0')
        {
          if (depth > 0)
            return fail (s, "unterminated array or inline table");
          return TRUE;
        }
      if (c == '"' || c == '\'')
        {
          g_autoptr (GString) str = g_string_new (NULL);
          if (!(c == '"' ? read_basic_string (s, str) : read_literal_string (s, str)))
            return FALSE;
          if (strings)
            g_ptr_array_add (strings, g_string_free (g_steal_pointer (&str), FALSE));
          continue;
        }
      if (c == '#')
        {
          skip_to_eol (s);
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
          s->p++;
          return TRUE;
        }
      s->p++;
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
  Scanner s = { .text = text, .p = text, .error = error };
  gboolean in_table = FALSE;

  scan->paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  scan->is_value = g_array_new (FALSE, FALSE, sizeof (gboolean));
  scan->imports = g_ptr_array_new_with_free_func (g_free);
  scan->first_table = strlen (text);

  while (*s.p)
    {
      const char *line_start = s.p;

      skip_blank (&s);
      if (*s.p == '\n' || *s.p == '\r')
        {
          s.p++;
          continue;
        }
      if (*s.p == '#')
        {
          skip_to_eol (&s);
          continue;
        }
      if (*s.p == '[')
        {
          gboolean array = s.p[1] == '[';
          s.p += array ? 2 : 1;
          if (!in_table)
            scan->first_table = line_start - text;
          in_table = TRUE;
          g_ptr_array_set_size (table, 0);
          if (!read_key (&s, table))
            return NULL;
          if (*s.p != ']' || (array && s.p[1] != ']'))
            {
              fail (&s, "expected ] after a table name");
              return NULL;
            }
          s.p += array ? 2 : 1;
          add_path (scan, table, NULL, FALSE);
          skip_blank (&s);
          if (*s.p == '#')
            skip_to_eol (&s);
          if (*s.p == '\r')
            s.p++;
          if (*s.p != '\n' && *s.p != '\0')
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
        if (*s.p != '=')
          {
            fail (&s, "expected = after a key");
            return NULL;
          }
        s.p++;
        is_version = !in_table && key->len == 1 && strcmp (g_ptr_array_index (key, 0), "version") == 0;
        is_imports = !in_table && key->len == 1 && strcmp (g_ptr_array_index (key, 0), "imports") == 0;
        if (is_version)
          {
            skip_blank (&s);
            scan->version = (int) strtol (s.p, NULL, 10);
          }
        if (is_imports)
          {
            scan->has_imports = TRUE;
            scan->imports_start = line_start - text;
          }
        if (!skip_value (&s, is_imports ? scan->imports : NULL))
          return NULL;
        if (is_version)
          scan->version_line_end = s.p - text;
        if (is_imports)
          scan->imports_end = s.p - text;
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
