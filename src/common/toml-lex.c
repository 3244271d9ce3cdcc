/* The shared TOML lexer (see toml-lex.h). */
#include "config.h"

#include <string.h>

#include "common/error.h"
#include "common/toml-lex.h"

void
toml_lex_init (TomlLexer *lx, const char *text, gsize len)
{
  lx->p = text;
  lx->end = text + len;
  lx->line = 1;
}

void
toml_lex_skip_blank (TomlLexer *lx)
{
  while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
    lx->p++;
}

void
toml_lex_skip_comment (TomlLexer *lx)
{
  if (lx->p < lx->end && *lx->p == '#')
    while (lx->p < lx->end && *lx->p != '\n')
      lx->p++;
}

gboolean
toml_lex_is_bare (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

/* TRUE if p starts three quote characters. */
static gboolean
at_triple (const TomlLexer *lx, char quote)
{
  return lx->end - lx->p >= 3 && lx->p[0] == quote && lx->p[1] == quote && lx->p[2] == quote;
}

static void
append (GString *out, char c)
{
  if (out)
    g_string_append_c (out, c);
}

/* \uXXXX or \UXXXXXXXX; p is past the u or U. */
static gboolean
read_unicode (TomlLexer *lx, TomlLexFlags flags, int ndigits, GString *out, GError **error)
{
  gunichar c = 0;

  for (int i = 0; i < ndigits; i++)
    {
      if (lx->p >= lx->end || !g_ascii_isxdigit (*lx->p))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid \\%c escape: expected %d hex digits",
                                ndigits == 4 ? 'u' : 'U', ndigits);
      c = c * 16 + g_ascii_xdigit_value (*lx->p++);
    }
  if ((flags & TOML_LEX_STRICT) && !g_unichar_validate (c))
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid unicode code point U+%04X", c);
  if (out)
    g_string_append_unichar (out, c);
  return TRUE;
}

/* One escape of a basic string; p is at the backslash. */
static gboolean
read_escape (TomlLexer *lx, TomlLexFlags flags, gboolean multi, GString *out, GError **error)
{
  char e;

  lx->p++;
  if (lx->p >= lx->end)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "unterminated string");
  e = *lx->p++;
  switch (e)
    {
    case 'b':
      append (out, '\b');
      return TRUE;
    case 't':
      append (out, '\t');
      return TRUE;
    case 'n':
      append (out, '\n');
      return TRUE;
    case 'f':
      append (out, '\f');
      return TRUE;
    case 'r':
      append (out, '\r');
      return TRUE;
    case '"':
      append (out, '"');
      return TRUE;
    case '\\':
      append (out, '\\');
      return TRUE;
    case 'u':
      return read_unicode (lx, flags, 4, out, error);
    case 'U':
      return read_unicode (lx, flags, 8, out, error);
    default:
      break;
    }
  if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r'))
    {
      /* A line-ending backslash trims the newline and the whitespace after it. */
      lx->p--;
      while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' || *lx->p == '\n'))
        {
          if (*lx->p == '\n')
            lx->line++;
          lx->p++;
        }
      return TRUE;
    }
  return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid escape \\%c in string", e);
}

gboolean
toml_lex_string (TomlLexer *lx, TomlLexFlags flags, GString *out, GError **error)
{
  char quote = *lx->p;
  gboolean multi = at_triple (lx, quote);

  if (multi && !(flags & TOML_LEX_MULTILINE))
    {
      lx->p++;
      return runsc_error_set (error, RUNSC_ERROR_INVALID, "multi-line strings are not supported");
    }
  lx->p += multi ? 3 : 1;
  for (;;)
    {
      char c;

      if (lx->p >= lx->end || (*lx->p == '\n' && !multi))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "unterminated string");
      if (multi ? at_triple (lx, quote) : *lx->p == quote)
        {
          lx->p += multi ? 3 : 1;
          /* """ may be followed by more quotes that belong to the string. */
          while (multi && lx->p < lx->end && *lx->p == quote)
            append (out, *lx->p++);
          return TRUE;
        }
      c = *lx->p;
      if (c == '\\' && quote == '"')
        {
          if (!read_escape (lx, flags, multi, out, error))
            return FALSE;
          continue;
        }
      if ((flags & TOML_LEX_STRICT) && (unsigned char) c < 0x20 && c != '\t' && !(multi && (c == '\n' || c == '\r')))
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "control character in string");
      if (c == '\n')
        lx->line++;
      append (out, c);
      lx->p++;
    }
}

gboolean
toml_lex_key (TomlLexer *lx, TomlLexFlags flags, GPtrArray *parts, GError **error)
{
  for (;;)
    {
      char c;

      toml_lex_skip_blank (lx);
      c = toml_lex_peek (lx);
      if (c == '"' || c == '\'')
        {
          g_autoptr (GString) part = g_string_new (NULL);
          if (!toml_lex_string (lx, flags & ~TOML_LEX_MULTILINE, part, error))
            return FALSE;
          g_ptr_array_add (parts, g_string_free (g_steal_pointer (&part), FALSE));
        }
      else if (toml_lex_is_bare (c))
        {
          const char *start = lx->p;
          while (lx->p < lx->end && toml_lex_is_bare (*lx->p))
            lx->p++;
          g_ptr_array_add (parts, g_strndup (start, lx->p - start));
        }
      else if (c != '\0' && c != '\n')
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid character '%c' in key", c);
      else
        return runsc_error_set (error, RUNSC_ERROR_INVALID, "missing key");
      toml_lex_skip_blank (lx);
      if (toml_lex_peek (lx) != '.')
        return TRUE;
      lx->p++;
    }
}
