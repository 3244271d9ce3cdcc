/* The TOML lexer shared by the shim's runsc.toml parser (src/shim/toml.c) and the installer's config.toml scanner
 * (src/install/toml-scan.c): blanks, comments, strings and dotted keys.
 *
 * What lies above the tokens is each reader's own: the shim builds a document of typed values and refuses what it
 * does not support; the installer only finds where things are, so that it can edit the text in place. The two
 * differ in what strings they take, which the flags say. Errors name the problem only ("unterminated string");
 * the caller adds where (its file name and line). */
#pragma once

#include <glib.h>

typedef struct
{
  const char *p;   /* the next byte */
  const char *end; /* one past the last byte */
  int line;        /* 1-based; advanced by the newlines the lexer itself passes (in multi-line strings) */
} TomlLexer;

typedef enum
{
  TOML_LEX_MULTILINE = 1 << 0, /* read """...""" and '''...''' strings (without it they are refused) */
  TOML_LEX_STRICT = 1 << 1,    /* refuse control characters and \u escapes that are not Unicode scalar values */
} TomlLexFlags;

void toml_lex_init (TomlLexer *lx, const char *text, gsize len);

/* The byte at p, or '\0' at the end. */
static inline char
toml_lex_peek (const TomlLexer *lx)
{
  return lx->p < lx->end ? *lx->p : '\0';
}

/* Spaces and tabs. */
void toml_lex_skip_blank (TomlLexer *lx);
/* A # comment up to, not including, its newline (nothing if p is not at a '#'). */
void toml_lex_skip_comment (TomlLexer *lx);
/* A character of a bare key: A-Z a-z 0-9 _ -. */
gboolean toml_lex_is_bare (char c);

/* A string; p is at its opening quote (" or '). Its value is appended to out (NULL: the string is only skipped).
 * Basic strings take the escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX (and, multi-line, a line-ending
 * backslash); literal strings take none. */
gboolean toml_lex_string (TomlLexer *lx, TomlLexFlags flags, GString *out, GError **error);

/* A dotted key (a."b.c".'d'), with blanks around its parts skipped; each part (unescaped, g_free) is appended to
 * parts. Quoted parts are never multi-line. */
gboolean toml_lex_key (TomlLexer *lx, TomlLexFlags flags, GPtrArray *parts, GError **error);
