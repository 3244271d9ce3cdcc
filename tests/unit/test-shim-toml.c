/* Unit tests for the shim's TOML subset parser and runsc.toml options. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "common/error.h"
#include "shim/options.h"
#include "shim/toml.h"

static void
test_runsc_toml (void)
{
  const char *text = "# runsc.toml\n"
                     "binary_name = \"/usr/local/bin/runsc\"\n"
                     "root = '/run/containerd/runsc'   # literal string\n"
                     "log_path = \"/var/log/runsc/%ID%/shim.log\"\n"
                     "log_level = \"debug\"\n"
                     "grouping = false\n"
                     "io_uid = 1_000\n"
                     "\n"
                     "[runsc_config]\n"
                     "  platform = \"systrap\"\n"
                     "  overlay2 = \"root:memory\"\n"
                     "  \"net-raw\" = true\n"
                     "  num-network-channels = 4\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (TomlDoc) doc = toml_parse (text, -1, "runsc.toml", &error);
  g_autoptr (ShimOptions) o = shim_options_new ("k8s.io");
  g_autofree char *log = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (doc);
  g_assert_true (shim_options_apply_toml (o, doc, "k8s.io", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (o->binary_name, ==, "/usr/local/bin/runsc");
  g_assert_cmpstr (o->root, ==, "/run/containerd/runsc/k8s.io");
  g_assert_false (o->grouping);
  g_assert_cmpuint (o->io_uid, ==, 1000);
  log = shim_options_log_path (o, "abc");
  g_assert_cmpstr (log, ==, "/var/log/runsc/abc/shim.log");
  g_assert_cmpuint (o->runsc_flags->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (o->runsc_flags, 0), ==, "--platform=systrap");
  g_assert_cmpstr (g_ptr_array_index (o->runsc_flags, 1), ==, "--overlay2=root:memory");
  g_assert_cmpstr (g_ptr_array_index (o->runsc_flags, 2), ==, "--net-raw=true");
  g_assert_cmpstr (g_ptr_array_index (o->runsc_flags, 3), ==, "--num-network-channels=4");
}

static void
test_defaults (void)
{
  g_autoptr (ShimOptions) o = shim_options_new ("default");
  g_assert_cmpstr (o->binary_name, ==, "runsc");
  g_assert_cmpstr (o->root, ==, "/run/containerd/runsc/default");
  g_assert_true (o->grouping);
  g_assert_null (shim_options_log_path (o, "x"));
}

static void
test_values (void)
{
  const char *text = "a = \"tab\\there \\u00e9 \\\"q\\\"\"\n"
                     "b = -42\n"
                     "c = 0x1F\n"
                     "d = 3.5\n"
                     "e = [ \"x\", 'y',\n  \"z\", ] # trailing comma, two lines\n"
                     "f.g = true\n"
                     "[t.u]\n"
                     "k = 1\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (TomlDoc) doc = toml_parse (text, -1, "t", &error);
  const TomlValue *v;
  g_autofree char *arr = NULL;
  gint64 i;
  gboolean b;

  g_assert_no_error (error);
  v = toml_get (doc, "", "a");
  g_assert_cmpstr (v->string, ==, "tab\there \xc3\xa9 \"q\"");
  g_assert_true (toml_get_int (doc, "", "b", &i, NULL));
  g_assert_cmpint (i, ==, -42);
  g_assert_true (toml_get_int (doc, "", "c", &i, NULL));
  g_assert_cmpint (i, ==, 31);
  v = toml_get (doc, "", "d");
  g_assert_cmpint (v->type, ==, TOML_FLOAT);
  v = toml_get (doc, "", "e");
  g_assert_cmpint (v->type, ==, TOML_ARRAY);
  arr = toml_value_to_string (v);
  g_assert_cmpstr (arr, ==, "x,y,z");
  g_assert_cmpint (v->line, ==, 5);
  g_assert_true (toml_get_bool (doc, "f", "g", &b, NULL));
  g_assert_true (b);
  g_assert_true (toml_get_int (doc, "t.u", "k", &i, NULL));
  g_assert_cmpint (i, ==, 1);
  g_assert_null (toml_get (doc, "", "missing"));
}

typedef struct
{
  const char *text;
  const char *error; /* expected message */
} BadCase;

static void
test_errors (void)
{
  static const BadCase cases[] = {
    { "a = 1\nb = \n", "t:2: missing value" },
    { "a = 1\na = 2\n", "t:2: key a defined twice (first on line 1)" },
    { "\n\nx = \"unterminated\n", "t:3: unterminated string" },
    { "[t]\nk = 1\n[t]\n", "t:3: table [t] defined twice (first on line 1)" },
    { "k = bare\n", "t:1: invalid value bare (strings must be quoted)" },
    { "k = 1 2\n", "t:1: unexpected '2' after value" },
    { "k = { a = 1 }\n", "t:1: inline tables are not supported" },
    { "[[a]]\n", "t:1: arrays of tables ([[...]]) are not supported" },
    { "k = \"\"\"multi\"\"\"\n", "t:1: multi-line strings are not supported" },
    { "k = 1979-05-27\n", "t:1: dates and times are not supported: 1979-05-27" },
    { "k = \"bad \\q\"\n", "t:1: invalid escape \\q in string" },
    { "k\n", "t:1: expected '=' after key k" },
    { "= 1\n", "t:1: invalid character '=' in key" },
    { "[t\n", "t:1: expected ']' after table name" },
    { "k = [1, 2\n", "t:2: unterminated array" },
    { "k = 99999999999999999999\n", "t:1: integer 99999999999999999999 out of range" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TomlDoc) doc = toml_parse (cases[i].text, -1, "t", &error);
      g_assert_null (doc);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].error);
    }
}

static void
test_type_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TomlDoc) doc = toml_parse ("\nbinary_name = 3\n", -1, "runsc.toml", &error);
  g_autoptr (ShimOptions) o = shim_options_new ("default");

  g_assert_no_error (error);
  g_assert_false (shim_options_apply_toml (o, doc, "default", &error));
  g_assert_cmpstr (error->message, ==, "line 2: binary_name must be a string, not an integer");
}

static void
test_save_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("shim-toml-XXXXXX", NULL);
  g_autoptr (TomlDoc) doc = toml_parse ("binary_name = \"runc\"\nroot = \"/tmp/r\"\n[runsc_config]\n"
                                        "debug-log = \"/tmp/a \\\"b\\\"\"\n",
                                        -1, "x", NULL);
  g_autoptr (ShimOptions) o = shim_options_new ("ns1");
  g_autoptr (ShimOptions) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;

  g_assert_true (shim_options_apply_toml (o, doc, "ns1", NULL));
  g_assert_true (shim_options_save (o, dir, &error));
  back = shim_options_load_saved (dir, "ns1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->binary_name, ==, "runc");
  g_assert_cmpstr (back->root, ==, "/tmp/r/ns1");
  g_assert_cmpuint (back->runsc_flags->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (back->runsc_flags, 0), ==, "--debug-log=/tmp/a \"b\"");
  file = g_build_filename (dir, SHIM_STATE_FILE, NULL);
  unlink (file);
  rmdir (dir);
}

static void
test_config_body (void)
{
  /* containerd 2.x: runtimeoptions.v1.Options{config_body} (field 3) inside an Any. */
  const char body[] = "TypeUrl = \"io.containerd.runsc.v1.options\"\nbinary_name = \"runc\"\n";
  g_autoptr (GByteArray) opts = g_byte_array_new ();
  g_autoptr (GByteArray) any = g_byte_array_new ();
  const char *url = "runtimeoptions.v1.Options";
  g_autoptr (ShimOptions) o = shim_options_new ("default");
  g_autoptr (GError) error = NULL;
  guint8 b;

  b = 0x1a; g_byte_array_append (opts, &b, 1);
  b = sizeof body - 1; g_byte_array_append (opts, &b, 1);
  g_byte_array_append (opts, (const guint8 *) body, sizeof body - 1);
  b = 0x0a; g_byte_array_append (any, &b, 1);
  b = strlen (url); g_byte_array_append (any, &b, 1);
  g_byte_array_append (any, (const guint8 *) url, strlen (url));
  b = 0x12; g_byte_array_append (any, &b, 1);
  b = opts->len; g_byte_array_append (any, &b, 1);
  g_byte_array_append (any, opts->data, opts->len);
  g_assert_true (shim_options_apply_any (o, any->data, any->len, "default", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (o->binary_name, ==, "runc");
}

/* The runsc.toml the packages install parses, and gives the defaults (everything in it is commented out). */
static void
test_shipped_file (void)
{
  g_autofree char *path = g_build_filename (TOP_SRCDIR, "data", "runsc.toml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TomlDoc) doc = toml_parse_file (path, &error);
  g_autoptr (ShimOptions) o = shim_options_new ("k8s.io");

  g_assert_no_error (error);
  g_assert_true (shim_options_apply_toml (o, doc, "k8s.io", &error));
  g_assert_cmpstr (o->binary_name, ==, "runsc");
  g_assert_cmpstr (o->root, ==, "/run/containerd/runsc/k8s.io");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shim/toml/runsc-toml", test_runsc_toml);
  g_test_add_func ("/shim/toml/defaults", test_defaults);
  g_test_add_func ("/shim/toml/values", test_values);
  g_test_add_func ("/shim/toml/errors", test_errors);
  g_test_add_func ("/shim/toml/type-errors", test_type_errors);
  g_test_add_func ("/shim/toml/save-load", test_save_load);
  g_test_add_func ("/shim/toml/config-body", test_config_body);
  g_test_add_func ("/shim/toml/shipped-file", test_shipped_file);
  return g_test_run ();
}
