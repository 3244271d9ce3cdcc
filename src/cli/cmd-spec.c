/* runsc spec: write a default config.json into the bundle directory (never over an existing one). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/spec.h"

/* Replace process.args (and cwd) in the default document. */
static char *
customise (const char *json, char **args, const char *cwd, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root, *process;
  int i;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  process = json_object_get_object_member (root, "process");
  if (process == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "default spec has no process");
      return NULL;
    }
  if (args != NULL && args[0] != NULL)
    {
      JsonArray *a = json_array_new ();
      for (i = 0; args[i] != NULL; i++)
        json_array_add_string_element (a, args[i]);
      json_object_set_array_member (process, "args", a);
    }
  if (cwd != NULL)
    json_object_set_string_member (process, "cwd", cwd);
  {
    g_autoptr (JsonGenerator) gen = json_generator_new ();
    json_generator_set_root (gen, json_parser_get_root (parser));
    json_generator_set_pretty (gen, TRUE);
    json_generator_set_indent (gen, 2);
    return json_generator_to_data (gen, NULL);
  }
}

int
cmd_spec (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *bundle = NULL, *cwd = NULL, *path = NULL, *json = NULL, *text = NULL;
  const RunscFlag flags[] = {
    { "bundle", RUNSC_FLAG_STRING, &bundle, "DIR", "directory to write config.json into (default .)" },
    { "b", RUNSC_FLAG_STRING, &bundle, "DIR", "same as --bundle" },
    { "cwd", RUNSC_FLAG_STRING, &cwd, "DIR", "working directory of the process (default /)" },
    { "", 0, NULL, NULL, NULL },
  };
  gboolean done;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 0, -1, "spec [--bundle DIR] [--cwd DIR] [-- COMMAND [ARG...]]", &done,
                   error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (cwd != NULL && !g_path_is_absolute (cwd))
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "--cwd %s: must be an absolute path", cwd);
      return -1;
    }
  path = g_build_filename (bundle != NULL ? bundle : ".", "config.json", NULL);
  if (access (path, F_OK) == 0)
    {
      runsc_error_set (error, RUNSC_ERROR_EXISTS, "File config.json exists. Remove it first");
      return -1;
    }
  json = oci_spec_default_json ();
  if (json == NULL)
    {
      runsc_error_set (error, RUNSC_ERROR_FAILED, "no default spec");
      return -1;
    }
  if (idx < argc || cwd != NULL)
    {
      text = customise (json, argv + idx, cwd, error);
      if (text == NULL)
        return -1;
    }
  if (!runsc_write_file_durable (path, text != NULL ? text : json, -1, 0644, error))
    return -1;
  return 0;
}
