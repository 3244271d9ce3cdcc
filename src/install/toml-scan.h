/* A small TOML reader for containerd's config.toml: enough to find the top-level version and imports, the
 * lines where tables begin, and every key path the file defines, without rewriting the file.
 *
 * runsc install edits config.toml as text (so that the admin's comments, order and spacing stay as they are);
 * this scanner tells it where it may insert and what is already defined. */
#pragma once

#include <glib.h>

typedef struct
{
  /* Key paths (GStrv, unescaped) the file defines: one per table header and one per key = value line (table
   * path + dotted key). */
  GPtrArray *paths;
  /* Which of paths are values (key = value), not tables: same length as paths. */
  GArray *is_value;

  int version;               /* top-level version = N, 0 when absent */
  gsize version_line_end;    /* offset just past the version line's newline (0 when absent) */

  gboolean has_imports;      /* top-level imports = [...] */
  gsize imports_start;       /* offset of the first byte of the imports line */
  gsize imports_end;         /* offset just past the newline ending the imports value */
  GPtrArray *imports;        /* its strings, unescaped */

  gsize first_table;         /* offset of the first table header's line, or the text's length */
} TomlScan;

/* Scan text (NUL-terminated). Fails with a message naming line and problem on input it cannot follow. */
TomlScan *toml_scan (const char *text, GError **error);
void toml_scan_free (TomlScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TomlScan, toml_scan_free)

/* TRUE if the file defines path itself or anything below it (path is a prefix of a defined key path). */
gboolean toml_scan_defines (const TomlScan *scan, const char *const *path);

/* TRUE if a key = value (not a table) is defined at a proper prefix of path or at path: then path cannot be
 * added as a table. */
gboolean toml_scan_value_blocks (const TomlScan *scan, const char *const *path);

/* Quote s as a TOML basic string ("..." with escapes). */
char *toml_quote (const char *s);
