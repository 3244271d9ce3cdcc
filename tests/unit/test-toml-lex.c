/* The shared TOML lexer (src/common/toml-lex.c): strings of both kinds, escapes, multi-line strings where the
 * caller takes them, dotted keys, and the errors, with where the lexer stops. */
#include "config.h"

#include <string.h>

#include "common/error.h"
#include "common/toml-lex.h"

/* Lex one string from text; its value, or NULL with *error. *rest: what follows it. */
static char *
lex_string (const char *text, TomlLexFlags flags, const char **rest, GError **error)
{
  TomlLexer lx;
  g_autoptr (GString) out = g_string_new (NULL);

  toml_lex_init (&lx, text, strlen (text));
  if (!toml_lex_string (&lx, flags, out, error))
    return NULL;
  if (rest)
    *rest = lx.p;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_strings (void)
{
  static const struct
  {
    const char *text;
    TomlLexFlags flags;
    const char *value;
    const char *rest;
  } cases[] = {
    { "\"plain\" = 1", TOML_LEX_STRICT, "plain", " = 1" },
    { "\"\"", TOML_LEX_STRICT, "", "" },
    { "\"a\\tb\\n\\\"c\\\\\"x", TOML_LEX_STRICT, "a\tb\n\"c\\", "x" },
    { "\"\\u00e9\\U0001F600\"", TOML_LEX_STRICT, "\xc3\xa9\xf0\x9f\x98\x80", "" },
    { "'C:\\path\\n'", TOML_LEX_STRICT, "C:\\path\\n", "" },
    { "\"\"\"two\nlines\"\"\"]", TOML_LEX_MULTILINE, "two\nlines", "]" },
    { "\"\"\"trim \\\n    here\"\"\"", TOML_LEX_MULTILINE, "trim here", "" },
    { "\"\"\"quoted \"\"\"\"\"", TOML_LEX_MULTILINE, "quoted \"\"", "" },
    { "'''raw \\n\n'''", TOML_LEX_MULTILINE, "raw \\n\n", "" },
    /* Lenient (the installer): a control character and a surrogate pass. */
    { "\"a\x01\\ud800\"", 0, "a\x01\xed\xa0\x80", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      const char *rest = NULL;
      g_autofree char *v = lex_string (cases[i].text, cases[i].flags, &rest, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (v, ==, cases[i].value);
      g_assert_cmpstr (rest, ==, cases[i].rest);
    }
}

static void
test_string_errors (void)
{
  static const struct
  {
    const char *text;
    TomlLexFlags flags;
    const char *message;
  } cases[] = {
    { "\"open\nx\"", TOML_LEX_STRICT, "unterminated string" },
    { "\"open", 0, "unterminated string" },
    { "\"ends in \\", 0, "unterminated string" },
    { "'''never closed\n", TOML_LEX_MULTILINE, "unterminated string" },
    { "\"\"\"multi\"\"\"", TOML_LEX_STRICT, "multi-line strings are not supported" },
    { "\"bad \\q\"", 0, "invalid escape \\q in string" },
    { "\"\\u12\"", 0, "invalid \\u escape: expected 4 hex digits" },
    { "\"\\U0001F6\"", TOML_LEX_STRICT, "invalid \\U escape: expected 8 hex digits" },
    { "\"\\ud800\"", TOML_LEX_STRICT, "invalid unicode code point U+D800" },
    { "\"bell \x07\"", TOML_LEX_STRICT, "control character in string" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *v = lex_string (cases[i].text, cases[i].flags, NULL, &error);

      g_assert_null (v);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* A multi-line string's newlines advance the lexer's line. */
static void
test_lines (void)
{
  const char *text = "\"\"\"a\nb\\\n\n c\"\"\"";
  TomlLexer lx;

  toml_lex_init (&lx, text, strlen (text));
  g_assert_true (toml_lex_string (&lx, TOML_LEX_MULTILINE, NULL, NULL));
  g_assert_cmpint (lx.line, ==, 4);
  g_assert_true (lx.p == lx.end);
}

static void
test_keys (void)
{
  const char *text = "  plugins . \"io.containerd.grpc.v1.cri\".'x y' . a-b_9 = 1";
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  TomlLexer lx;

  toml_lex_init (&lx, text, strlen (text));
  g_assert_true (toml_lex_key (&lx, TOML_LEX_STRICT, parts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parts->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (parts, 0), ==, "plugins");
  g_assert_cmpstr (g_ptr_array_index (parts, 1), ==, "io.containerd.grpc.v1.cri");
  g_assert_cmpstr (g_ptr_array_index (parts, 2), ==, "x y");
  g_assert_cmpstr (g_ptr_array_index (parts, 3), ==, "a-b_9");
  g_assert_cmpstr (lx.p, ==, "= 1");

  {
    static const struct
    {
      const char *text;
      const char *message;
    } bad[] = {
      { "= 1", "invalid character '=' in key" },
      { "a.\n", "missing key" },
      { "", "missing key" },
      { "\"\"\"k\"\"\" = 1", "multi-line strings are not supported" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (GPtrArray) p = g_ptr_array_new_with_free_func (g_free);
        g_autoptr (GError) e = NULL;

        toml_lex_init (&lx, bad[i].text, strlen (bad[i].text));
        /* A multi-line key is refused even where multi-line values are read. */
        g_assert_false (toml_lex_key (&lx, TOML_LEX_MULTILINE, p, &e));
        g_assert_cmpstr (e->message, ==, bad[i].message);
      }
  }
}

static void
test_blanks_and_comments (void)
{
  const char *text = " \t# a comment\nnext";
  TomlLexer lx;

  toml_lex_init (&lx, text, strlen (text));
  toml_lex_skip_blank (&lx);
  g_assert_cmpint (toml_lex_peek (&lx), ==, '#');
  toml_lex_skip_comment (&lx);
  g_assert_cmpint (toml_lex_peek (&lx), ==, '\n');
  toml_lex_skip_comment (&lx); /* not at a comment: stays */
  g_assert_cmpint (toml_lex_peek (&lx), ==, '\n');
  lx.p = lx.end;
  g_assert_cmpint (toml_lex_peek (&lx), ==, '\0');
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/toml-lex/strings", test_strings);
  g_test_add_func ("/toml-lex/string-errors", test_string_errors);
  g_test_add_func ("/toml-lex/lines", test_lines);
  g_test_add_func ("/toml-lex/keys", test_keys);
  g_test_add_func ("/toml-lex/blanks-and-comments", test_blanks_and_comments);
  return g_test_run ();
}
