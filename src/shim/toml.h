/* A parser for the subset of TOML that runsc.toml and containerd's runtime options use.
 *
 * Debian has no C TOML library. Supported: comments, [table] and [a.b] headers (bare or quoted keys), key = value
 * with bare, quoted and dotted keys, basic and literal strings (one line; escapes \b \t \n \f \r \" \\ \uXXXX
 * \UXXXXXXXX), integers (decimal, 0x/0o/0b, underscores), floats (kept as text), booleans, and arrays of those
 * (which may span lines). Multi-line strings, inline tables, arrays of tables and dates are refused with an error
 * that gives the line number, as is anything malformed or a key defined twice. */
#pragma once

#include <glib.h>

typedef enum
{
  TOML_STRING,
  TOML_INTEGER,
  TOML_FLOAT,
  TOML_BOOLEAN,
  TOML_ARRAY,
} TomlType;

typedef struct TomlValue TomlValue;
struct TomlValue
{
  TomlType type;
  int line;          /* where it was defined */
  char *string;      /* TOML_STRING; for TOML_FLOAT the literal text */
  gint64 integer;    /* TOML_INTEGER */
  gboolean boolean;  /* TOML_BOOLEAN */
  GPtrArray *array;  /* TOML_ARRAY: TomlValue * */
};

typedef struct TomlDoc TomlDoc;

/* Parse text (len -1: NUL-terminated). name is used in error messages ("runsc.toml:3: ..."). */
TomlDoc *toml_parse (const char *text, gssize len, const char *name, GError **error);
/* Read and parse a file. */
TomlDoc *toml_parse_file (const char *path, GError **error);
void toml_doc_free (TomlDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TomlDoc, toml_doc_free)

/* The value of key in table ("" is the root table, "a.b" a nested one), or NULL. */
const TomlValue *toml_get (const TomlDoc *doc, const char *table, const char *key);
/* The keys of table in the order they appear (NULL if there is no such table). Owned by the doc. */
const GPtrArray *toml_table_keys (const TomlDoc *doc, const char *table);

/* Typed getters: TRUE and *out set if the key exists with that type; FALSE without error if it is absent; FALSE
 * with an error naming the line if it has another type. */
gboolean toml_get_string (const TomlDoc *doc, const char *table, const char *key, const char **out, GError **error);
gboolean toml_get_bool (const TomlDoc *doc, const char *table, const char *key, gboolean *out, GError **error);
gboolean toml_get_int (const TomlDoc *doc, const char *table, const char *key, gint64 *out, GError **error);

/* A scalar rendered as text for a command-line flag (strings as is, booleans true/false, numbers in decimal);
 * arrays are joined with commas. */
char *toml_value_to_string (const TomlValue *value);
