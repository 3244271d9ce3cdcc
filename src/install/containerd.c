/* Registering runsc with containerd (see containerd.h). */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/util.h"
#include "install/config-file.h"
#include "install/containerd.h"
#include "install/toml-scan.h"

#define BEGIN_MARK "# BEGIN runsc registration "
#define END_MARK "# END runsc registration "
#define REPLACED_MARK "# runsc-replaced: "

/* The CRI runtime table's plugin for each config version. */
static const char *
cri_plugin (int version)
{
  switch (version)
    {
    case 1: return "cri";
    case 2: return "io.containerd.grpc.v1.cri";
    case 3: return "io.containerd.cri.v1.runtime";
    default: return NULL;
    }
}

/* plugins.<plugin>.containerd.runtimes.<name> as a path, and as a TOML table name. */
static void
runtime_path (const char *plugin, const char *name, const char *out[6])
{
  out[0] = "plugins";
  out[1] = plugin;
  out[2] = "containerd";
  out[3] = "runtimes";
  out[4] = name;
  out[5] = NULL;
}

static void
append_table_name (GString *out, const char *const *path)
{
  for (int i = 0; path[i]; i++)
    {
      gboolean bare = *path[i] != '\0';
      for (const char *c = path[i]; *c; c++)
        if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-')
          bare = FALSE;
      if (i > 0)
        g_string_append_c (out, '.');
      if (bare)
        g_string_append (out, path[i]);
      else
        {
          g_autofree char *q = toml_quote (path[i]);
          g_string_append (out, q);
        }
    }
}

static void
append_kv (GString *out, const char *key, const char *value)
{
  g_autofree char *q = toml_quote (value);
  g_string_append_printf (out, "  %s = %s\n", key, q);
}

static void
append_begin (GString *out, const char *runtime, gboolean sep, gboolean eol, gboolean created)
{
  g_autoptr (GPtrArray) flags = g_ptr_array_new ();
  g_autofree char *joined = NULL;

  if (sep)
    g_ptr_array_add (flags, "sep");
  if (eol)
    g_ptr_array_add (flags, "eol");
  if (created)
    g_ptr_array_add (flags, "created");
  g_ptr_array_add (flags, NULL);
  joined = g_strjoinv (",", (char **) flags->pdata);
  g_string_append_printf (out,
                          BEGIN_MARK "runtime=%s flags=%s (added by \"runsc install --containerd\"; "
                                     "\"runsc uninstall --containerd\" removes it)\n",
                          runtime, *joined ? joined : "none");
}

static void
append_end (GString *out, const char *runtime)
{
  g_string_append_printf (out, END_MARK "runtime=%s\n", runtime);
}

/* Offset of the line that starts with prefix, at or after from; -1 if none. */
static gssize
find_line (const char *text, gsize from, const char *prefix)
{
  gsize len = strlen (prefix);

  for (const char *p = text + from; *p;)
    {
      if (strncmp (p, prefix, len) == 0)
        return p - text;
      p = strchr (p, '\n');
      if (p == NULL)
        break;
      p++;
    }
  return -1;
}

static gssize
find_begin (const char *text, gsize from, const char *runtime)
{
  g_autofree char *prefix = g_strdup_printf (BEGIN_MARK "runtime=%s ", runtime);
  return find_line (text, from, prefix);
}

/* Does the drop-in define runtimes.<runtime> in the CRI plugin of its own version? Returns that version, or 0. */
static int
dropin_version_for (const char *dropin_text, const char *runtime)
{
  g_autoptr (TomlScan) scan = NULL;
  const char *path[6];
  const char *plugin;

  if (dropin_text == NULL || (scan = toml_scan (dropin_text, NULL)) == NULL)
    return 0;
  plugin = cri_plugin (scan->version ? scan->version : 1);
  if (plugin == NULL)
    return 0;
  runtime_path (plugin, runtime, path);
  return toml_scan_defines (scan, path) ? (scan->version ? scan->version : 1) : 0;
}

/* TRUE if one of the imports (globs, relative to the config's directory) names the file. */
static gboolean
imports_cover (const TomlScan *scan, const char *config_file, const char *file)
{
  g_autofree char *dir = g_path_get_dirname (config_file);

  for (guint i = 0; i < scan->imports->len; i++)
    {
      const char *imp = g_ptr_array_index (scan->imports, i);
      g_autofree char *abs = g_path_is_absolute (imp) ? g_strdup (imp) : g_build_filename (dir, imp, NULL);
      if (fnmatch (abs, file, FNM_PATHNAME) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
register_import (const char *t, gboolean exists, const TomlScan *scan, const ContainerdInstall *opts,
                 int dropin_version, gboolean eol, GString *messages)
{
  g_autofree char *dir = g_path_get_dirname (opts->dropin);
  g_autofree char *glob = g_build_filename (dir, "*.toml", NULL);
  g_autofree char *qglob = toml_quote (glob);
  GString *out = g_string_new (NULL);

  if (!exists)
    {
      append_begin (out, opts->runtime, FALSE, FALSE, TRUE);
      g_string_append_printf (out, "version = %d\nimports = [%s]\n", dropin_version, qglob);
      append_end (out, opts->runtime);
      g_string_append_printf (messages, "created %s importing %s (containerd 2.x merges it)\n", opts->config_file,
                              glob);
      return g_string_free (out, FALSE);
    }
  if (scan->has_imports)
    {
      /* Keep the admin's line, commented, so that uninstall can put it back as it was. */
      const char *p = t + scan->imports_start;
      const char *end = t + scan->imports_end;

      g_string_append_len (out, t, scan->imports_start);
      append_begin (out, opts->runtime, FALSE, eol, FALSE);
      while (p < end)
        {
          const char *nl = memchr (p, '\n', end - p);
          const char *stop = nl ? nl + 1 : end;
          g_string_append (out, REPLACED_MARK);
          g_string_append_len (out, p, stop - p);
          p = stop;
        }
      g_string_append (out, "imports = [");
      for (guint i = 0; i < scan->imports->len; i++)
        {
          g_autofree char *q = toml_quote (g_ptr_array_index (scan->imports, i));
          g_string_append_printf (out, "%s, ", q);
        }
      g_string_append_printf (out, "%s]\n", qglob);
      append_end (out, opts->runtime);
      g_string_append (out, end);
    }
  else
    {
      gsize at = scan->version_line_end;
      g_string_append_len (out, t, at);
      append_begin (out, opts->runtime, FALSE, eol, FALSE);
      g_string_append_printf (out, "imports = [%s]\n", qglob);
      append_end (out, opts->runtime);
      g_string_append (out, t + at);
    }
  g_string_append_printf (messages, "made %s import %s (containerd 2.x merges it)\n", opts->config_file, glob);
  return g_string_free (out, FALSE);
}

static void
append_runtime_tables (GString *out, const char *plugin, const ContainerdInstall *opts, gboolean add_runc)
{
  const char *path[6];
  const char *opts_path[7];

  runtime_path (plugin, opts->runtime, path);
  memcpy (opts_path, path, sizeof path);
  opts_path[5] = "options";
  opts_path[6] = NULL;
  g_string_append_c (out, '[');
  append_table_name (out, path);
  g_string_append (out, "]\n");
  append_kv (out, "runtime_type", opts->runtime_type);
  g_string_append_c (out, '[');
  append_table_name (out, opts_path);
  g_string_append (out, "]\n");
  append_kv (out, "TypeUrl", opts->options_type);
  append_kv (out, "ConfigPath", opts->shim_config);
  if (add_runc)
    {
      runtime_path (plugin, "runc", path);
      g_string_append (out, "# Defining a runtime removes containerd's default runc one: define it here too.\n[");
      append_table_name (out, path);
      g_string_append (out, "]\n");
      append_kv (out, "runtime_type", "io.containerd.runc.v2");
    }
}

static char *
register_inline (const char *t, gboolean exists, const TomlScan *scan, const ContainerdInstall *opts,
                 gboolean eol, gboolean *changed, GString *messages, GError **error)
{
  int version = exists ? (scan->version ? scan->version : 1) : (opts->containerd_major >= 2 ? 3 : 2);
  const char *plugin = cri_plugin (version);
  const char *path[6], *runc[6];
  gboolean add_runc;
  GString *out;

  if (plugin == NULL)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "%s: config version %d is not supported",
                            opts->config_file, version),
           NULL;
  runtime_path (plugin, opts->runtime, path);
  runtime_path (plugin, "runc", runc);
  if (toml_scan_defines (scan, path))
    {
      g_string_append_printf (messages,
                              "%s already defines runtime \"%s\" (not written by runsc install): left as it is\n",
                              opts->config_file, opts->runtime);
      *changed = FALSE;
      return g_strdup (t);
    }
  if (toml_scan_value_blocks (scan, path))
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "%s sets the CRI runtimes with an inline value: add runtime \"%s\" by hand",
                            opts->config_file, opts->runtime),
           NULL;
  add_runc = !toml_scan_defines (scan, runc) && strcmp (opts->runtime, "runc") != 0;

  out = g_string_new (t);
  if (!exists)
    {
      append_begin (out, opts->runtime, FALSE, FALSE, TRUE);
      g_string_append_printf (out, "version = %d\n", version);
    }
  else
    {
      gboolean sep = out->len > 0;
      if (sep)
        g_string_append_c (out, '\n');
      append_begin (out, opts->runtime, sep, eol, FALSE);
    }
  append_runtime_tables (out, plugin, opts, add_runc);
  append_end (out, opts->runtime);
  *changed = TRUE;
  g_string_append_printf (messages, "%s runtime \"%s\" (runtime_type %s)%s to %s\n", exists ? "added" : "wrote",
                          opts->runtime, opts->runtime_type, add_runc ? " and runtime \"runc\"" : "",
                          opts->config_file);
  return g_string_free (out, FALSE);
}

char *
containerd_config_register (const char *text, gboolean exists, const ContainerdInstall *opts,
                            const char *dropin_text, gboolean *changed, GString *messages, GError **error)
{
  g_autofree char *t = NULL;
  g_autoptr (TomlScan) scan = NULL;
  gboolean eol = FALSE;
  int dropin_version;
  char *result;

  *changed = FALSE;
  text = text ? text : "";
  if (find_begin (text, 0, opts->runtime) >= 0)
    {
      /* Registered before: make sure the block is what this version and these options write (an upgrade may
       * change it), by taking it out and registering again. */
      g_autoptr (GString) ignored = g_string_new (NULL);
      g_autofree char *base = NULL;
      g_autofree char *again = NULL;
      gboolean removed = FALSE, gone = FALSE, added = FALSE;

      base = containerd_config_unregister (text, opts->runtime, &removed, &gone, ignored, error);
      if (base == NULL)
        return runsc_error_prefix (error, "%s", opts->config_file), NULL;
      again = containerd_config_register (base, exists && !gone, opts, dropin_text, &added, ignored, error);
      if (again == NULL)
        return NULL;
      if (strcmp (again, text) == 0)
        {
          g_string_append_printf (messages, "runtime \"%s\" is already registered in %s\n", opts->runtime,
                                  opts->config_file);
          return g_strdup (text);
        }
      g_string_append_printf (messages, "updated the registration of runtime \"%s\" in %s\n", opts->runtime,
                              opts->config_file);
      *changed = TRUE;
      return g_steal_pointer (&again);
    }
  eol = *text && !g_str_has_suffix (text, "\n");
  t = eol ? g_strconcat (text, "\n", NULL) : g_strdup (text);
  scan = toml_scan (t, error);
  if (scan == NULL)
    return runsc_error_prefix (error, "%s", opts->config_file), NULL;

  dropin_version = dropin_version_for (dropin_text, opts->runtime);
  if (opts->containerd_major >= 2 && dropin_version >= 2
      && (!exists || dropin_version == (scan->version ? scan->version : 1)))
    {
      if (exists && imports_cover (scan, opts->config_file, opts->dropin))
        {
          g_string_append_printf (messages, "%s already imports %s\n", opts->config_file, opts->dropin);
          return g_strdup (text);
        }
      result = register_import (t, exists, scan, opts, dropin_version, eol, messages);
    }
  else
    {
      if (opts->containerd_major >= 2 && dropin_text != NULL && dropin_version != 0)
        g_string_append_printf (messages,
                                "%s has version %d but %s has version %d: adding the runtime to %s instead\n",
                                opts->dropin, dropin_version, opts->config_file, scan->version,
                                opts->config_file);
      result = register_inline (t, exists, scan, opts, eol, changed, messages, error);
      if (result == NULL)
        return NULL;
      if (!*changed)
        {
          g_free (result);
          return g_strdup (text);
        }
    }
  *changed = TRUE;
  return result;
}

/* Parse "runtime=NAME flags=a,b" on a BEGIN line. */
static gboolean
has_flag (const char *line, const char *flag)
{
  const char *f = strstr (line, " flags=");
  g_autofree char *list = NULL;
  g_auto (GStrv) parts = NULL;

  if (f == NULL)
    return FALSE;
  f += strlen (" flags=");
  list = g_strndup (f, strcspn (f, " \n"));
  parts = g_strsplit (list, ",", -1);
  return g_strv_contains ((const char *const *) parts, flag);
}

char *
containerd_config_unregister (const char *text, const char *runtime, gboolean *changed, gboolean *remove_file,
                              GString *messages, GError **error)
{
  GString *out = g_string_new (text ? text : "");
  g_autofree char *end_line = g_strdup_printf (END_MARK "runtime=%s", runtime);
  gboolean eol = FALSE, created = FALSE;
  gssize begin;

  *changed = FALSE;
  *remove_file = FALSE;
  while ((begin = find_begin (out->str, 0, runtime)) >= 0)
    {
      const char *line = out->str + begin;
      gssize end = find_line (out->str, begin, end_line);
      g_autoptr (GString) restored = g_string_new (NULL);
      gsize start = begin, stop;
      const char *p;

      if (end < 0)
        {
          g_string_free (out, TRUE);
          return runsc_error_set (error, RUNSC_ERROR_INVALID,
                                  "the runsc block has no \"%s\" line: restore the file from its .runsc~ backup "
                                  "or remove the block by hand",
                                  end_line),
                 NULL;
        }
      p = strchr (out->str + end, '\n');
      stop = p ? (gsize) (p + 1 - out->str) : out->len;
      if (has_flag (line, "sep") && start >= 2 && out->str[start - 1] == '\n' && out->str[start - 2] == '\n')
        start--;
      eol |= has_flag (line, "eol");
      created |= has_flag (line, "created");
      /* Lines the block replaced come back as they were. */
      for (p = out->str + begin; p < out->str + end;)
        {
          const char *nl = strchr (p, '\n');
          const char *next = nl ? nl + 1 : out->str + end;
          if (g_str_has_prefix (p, REPLACED_MARK))
            g_string_append_len (restored, p + strlen (REPLACED_MARK), next - p - strlen (REPLACED_MARK));
          p = next;
        }
      g_string_erase (out, start, stop - start);
      g_string_insert_len (out, start, restored->str, restored->len);
      *changed = TRUE;
    }
  if (!*changed)
    g_string_append_printf (messages, "no runtime \"%s\" registered by runsc install: nothing to remove\n", runtime);
  else
    g_string_append_printf (messages, "removed the registration of runtime \"%s\"\n", runtime);
  if (eol && out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  if (created && out->len == 0)
    *remove_file = TRUE;
  return g_string_free (out, FALSE);
}

int
containerd_parse_major (const char *version_output)
{
  g_auto (GStrv) words = NULL;

  if (version_output == NULL)
    return 0;
  words = g_strsplit_set (version_output, " \t\n", -1);
  /* "containerd <module> <version> <revision>": the first word after the name that starts with a digit, or v and
   * a digit. */
  for (int i = 1; words[i]; i++)
    {
      const char *w = words[i];
      if (*w == 'v')
        w++;
      if (g_ascii_isdigit (*w) && strchr (w, '.'))
        return atoi (w);
    }
  return 0;
}

int
containerd_version_major (const char *version)
{
  if (version == NULL || *version == '\0')
    return 0;
  if (*version == 'v')
    version++;
  return g_ascii_isdigit (*version) ? atoi (version) : -1;
}

static char *
find_containerd (const ContainerdInstall *opts)
{
  static const char *const dirs[] = { "/usr/bin", "/usr/local/bin", "/usr/sbin", "/usr/local/sbin", NULL };
  char *found;

  if (opts->containerd)
    return g_find_program_in_path (opts->containerd);
  found = g_find_program_in_path ("containerd");
  for (int i = 0; found == NULL && dirs[i]; i++)
    {
      g_autofree char *p = g_build_filename (dirs[i], "containerd", NULL);
      if (g_file_test (p, G_FILE_TEST_IS_EXECUTABLE))
        found = g_steal_pointer (&p);
    }
  return found;
}

static int
detect_major (const char *containerd)
{
  const char *argv[] = { containerd, "--version", NULL };
  g_autofree char *out = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                     NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return 0;
  return containerd_parse_major (out);
}

/* Run containerd config dump on text as if it were the config file; check that it names the runtime. */
static gboolean
verify (const char *containerd, const ConfigFile *f, const char *text, const char *runtime, gboolean registered,
        GError **error)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *base = g_path_get_basename (f->path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.runsc-check-%d", dir, base, (int) getpid ());
  g_autofree char *dump = NULL;
  g_autofree char *table = g_strdup_printf (".containerd.runtimes.%s]", runtime);
  g_autoptr (GError) local = NULL;

  if (!runsc_mkdir_p (dir, 0755, error))
    return FALSE;
  if (!g_file_set_contents_full (tmp, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, &local))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "write %s: %s", tmp, local->message);
  dump = config_file_containerd_dump (containerd, tmp, error);
  unlink (tmp);
  if (dump == NULL)
    return FALSE;
  if (registered && (strstr (dump, table) == NULL || strstr (dump, ".containerd.runtimes.runc]") == NULL))
    return runsc_error_set (error, RUNSC_ERROR_FAILED,
                            "containerd config dump of the new %s does not show runtimes \"%s\" and \"runc\"",
                            f->path, runtime);
  return TRUE;
}

static char *
backup_path (const ConfigFile *f)
{
  return g_strconcat (f->path, ".runsc~", NULL);
}

gboolean
containerd_install (const ContainerdInstall *opts, GString *messages, GError **error)
{
  g_autofree char *containerd = find_containerd (opts);
  g_autoptr (ConfigFile) f = config_file_read (opts->config_file, error);
  g_autoptr (ConfigFile) dropin = NULL;
  g_autofree char *text = NULL;
  g_autofree char *backup = NULL;
  ContainerdInstall o = *opts;
  gboolean changed = FALSE;

  if (f == NULL)
    return FALSE;
  if (containerd == NULL && !f->exists)
    {
      g_string_append_printf (messages,
                              "containerd is not installed (no containerd command, no %s): skipped; run "
                              "\"runsc install --containerd\" once it is\n",
                              opts->config_file);
      return TRUE;
    }
  if (o.containerd_major == 0 && containerd != NULL)
    o.containerd_major = detect_major (containerd);
  dropin = config_file_read (opts->dropin, NULL);
  text = containerd_config_register (f->contents, f->exists, &o, dropin && dropin->exists ? dropin->contents : NULL,
                                     &changed, messages, error);
  if (text == NULL)
    return FALSE;
  if (!changed)
    return TRUE;
  if (containerd != NULL && !o.no_verify)
    {
      if (!verify (containerd, f, text, o.runtime, TRUE, error))
        return runsc_error_prefix (error, "%s left unchanged", f->path);
      g_string_append_printf (messages, "checked with %s config dump\n", containerd);
    }
  backup = backup_path (f);
  /* Keep the backup of the file as it was before any registration when only our block changes. */
  if (f->exists && (find_begin (f->contents, 0, o.runtime) < 0 || !g_file_test (backup, G_FILE_TEST_EXISTS)))
    {
      if (!config_file_backup (f, backup, error))
        return FALSE;
      g_string_append_printf (messages, "saved the previous %s as %s\n", f->path, backup);
    }
  if (!config_file_replace (f, text, strlen (text), error))
    return FALSE;
  g_string_append (messages, "restart containerd to use it\n");
  return TRUE;
}

gboolean
containerd_uninstall (const ContainerdInstall *opts, GString *messages, GError **error)
{
  g_autofree char *containerd = find_containerd (opts);
  g_autoptr (ConfigFile) f = config_file_read (opts->config_file, error);
  g_autoptr (ConfigFile) old = NULL;
  g_autofree char *text = NULL;
  g_autofree char *backup = NULL;
  gboolean changed = FALSE, remove_file = FALSE;

  if (f == NULL)
    return FALSE;
  if (!f->exists)
    {
      g_string_append_printf (messages, "%s does not exist: nothing to remove\n", f->path);
      return TRUE;
    }
  text = containerd_config_unregister (f->contents, opts->runtime, &changed, &remove_file, messages, error);
  if (text == NULL)
    return runsc_error_prefix (error, "%s", f->path);
  if (!changed)
    return TRUE;
  backup = backup_path (f);
  if (remove_file)
    {
      if (unlink (f->path) < 0)
        return runsc_error_errno (error, errno, "remove %s", f->path);
      g_string_append_printf (messages, "removed %s (runsc install had created it)\n", f->path);
    }
  else
    {
      g_autoptr (GError) check = NULL;
      if (containerd != NULL && !opts->no_verify && !verify (containerd, f, text, opts->runtime, FALSE, &check))
        g_string_append_printf (messages, "warning: %s\n", check->message);
      old = config_file_read (backup, NULL);
      if (old != NULL && old->exists && strcmp (old->contents, text) == 0)
        {
          /* Back to the bytes saved at install: the backup has done its job. */
          if (!config_file_replace (f, text, strlen (text), error))
            return FALSE;
          unlink (backup);
          g_string_append_printf (messages, "%s is as it was before runsc install\n", f->path);
        }
      else
        {
          if (!config_file_backup (f, backup, error) || !config_file_replace (f, text, strlen (text), error))
            return FALSE;
          g_string_append_printf (messages, "saved the previous %s as %s\n", f->path, backup);
        }
    }
  g_string_append (messages, "restart containerd to apply the change\n");
  return TRUE;
}
