/* Unit tests for the flag parser (src/cli/flags.c): every accepted form, where parsing stops, and each error. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"

typedef struct
{
  gboolean debug;
  gboolean detach;
  char *bundle;
  char *pid_file;
  char *log_format;
  int interval;
  GPtrArray *env;
  RunscFlag table[9];
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  memset (f, 0, sizeof *f);
  f->env = g_ptr_array_new_with_free_func (g_free);
  f->interval = 5;
  f->table[0] = (RunscFlag){ "debug", RUNSC_FLAG_BOOL, &f->debug, NULL, "log debug messages" };
  f->table[1] = (RunscFlag){ "detach", RUNSC_FLAG_BOOL, &f->detach, NULL, "detach from the container" };
  f->table[2] = (RunscFlag){ "bundle", RUNSC_FLAG_STRING, &f->bundle, "DIR", "path to the bundle" };
  f->table[3] = (RunscFlag){ "pid-file", RUNSC_FLAG_STRING, &f->pid_file, "FILE", "write the pid here" };
  f->table[4] = (RunscFlag){ "log_format", RUNSC_FLAG_STRING, &f->log_format, "FORMAT", "text or json" };
  f->table[5] = (RunscFlag){ "interval", RUNSC_FLAG_INT, &f->interval, "SECONDS", "stats interval" };
  f->table[6] = (RunscFlag){ "env", RUNSC_FLAG_STRV, f->env, "NAME=VALUE", "set a variable (repeatable)" };
  f->table[7] = (RunscFlag){ "", 0, NULL, NULL, NULL };
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_free (f->bundle);
  g_free (f->pid_file);
  g_free (f->log_format);
  g_ptr_array_unref (f->env);
}

/* Parse a NULL-terminated word list (argv[0] being the command name). */
static int
parse (Fixture *f, GError **error, const char *first, ...)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  va_list ap;
  const char *w;

  g_ptr_array_add (words, (char *) "create");
  va_start (ap, first);
  for (w = first; w != NULL; w = va_arg (ap, const char *))
    g_ptr_array_add (words, (char *) w);
  va_end (ap);
  g_ptr_array_add (words, NULL);
  return runsc_flags_parse (f->table, (int) words->len - 1, (char **) words->pdata, error);
}

static void
test_no_flags (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, NULL), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (parse (f, &error, "myid", NULL), ==, 1);
  g_assert_no_error (error);
  g_assert_false (f->debug);
  g_assert_null (f->bundle);
  g_assert_cmpint (f->interval, ==, 5);
}

static void
test_string_forms (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--bundle", "/b1", "id", NULL), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpstr (f->bundle, ==, "/b1");
  g_assert_cmpint (parse (f, &error, "--bundle=/b2", "id", NULL), ==, 2);
  g_assert_cmpstr (f->bundle, ==, "/b2");
  g_assert_cmpint (parse (f, &error, "-bundle", "/b3", NULL), ==, 3);
  g_assert_cmpstr (f->bundle, ==, "/b3");
  g_assert_cmpint (parse (f, &error, "-bundle=/b4", NULL), ==, 2);
  g_assert_cmpstr (f->bundle, ==, "/b4");
  /* The value after '=' may contain '=' and may be empty. */
  g_assert_cmpint (parse (f, &error, "--bundle=a=b", NULL), ==, 2);
  g_assert_cmpstr (f->bundle, ==, "a=b");
  g_assert_cmpint (parse (f, &error, "--bundle=", NULL), ==, 2);
  g_assert_cmpstr (f->bundle, ==, "");
  /* A separate value is taken whatever it looks like, as Go's flag package does. */
  g_assert_cmpint (parse (f, &error, "--pid-file", "--debug", NULL), ==, 3);
  g_assert_cmpstr (f->pid_file, ==, "--debug");
  g_assert_false (f->debug);
  g_assert_no_error (error);
}

static void
test_bool_forms (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  static const char *const truthy[] = { "true", "1", "t", "T", "TRUE", "True" };
  static const char *const falsy[] = { "false", "0", "f", "F", "FALSE", "False" };
  gsize i;

  g_assert_cmpint (parse (f, &error, "--debug", NULL), ==, 2);
  g_assert_true (f->debug);
  g_assert_cmpint (parse (f, &error, "--debug=false", NULL), ==, 2);
  g_assert_false (f->debug);
  g_assert_cmpint (parse (f, &error, "-debug", NULL), ==, 2);
  g_assert_true (f->debug);
  for (i = 0; i < G_N_ELEMENTS (falsy); i++)
    {
      g_autofree char *w = g_strdup_printf ("--debug=%s", falsy[i]);
      f->debug = TRUE;
      g_assert_cmpint (parse (f, &error, w, NULL), ==, 2);
      g_assert_false (f->debug);
    }
  for (i = 0; i < G_N_ELEMENTS (truthy); i++)
    {
      g_autofree char *w = g_strdup_printf ("--debug=%s", truthy[i]);
      f->debug = FALSE;
      g_assert_cmpint (parse (f, &error, w, NULL), ==, 2);
      g_assert_true (f->debug);
    }
  g_assert_no_error (error);
}

/* A boolean never takes the next word, even one that reads as a boolean value. */
static void
test_bool_never_consumes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--debug", "false", NULL), ==, 2);
  g_assert_true (f->debug);
  g_assert_cmpint (parse (f, &error, "--detach", "id", "arg", NULL), ==, 2);
  g_assert_true (f->detach);
  g_assert_no_error (error);
}

static void
test_int_forms (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--interval", "10", NULL), ==, 3);
  g_assert_cmpint (f->interval, ==, 10);
  g_assert_cmpint (parse (f, &error, "--interval=-3", NULL), ==, 2);
  g_assert_cmpint (f->interval, ==, -3);
  g_assert_cmpint (parse (f, &error, "-interval", "2147483647", NULL), ==, 3);
  g_assert_cmpint (f->interval, ==, G_MAXINT);
  g_assert_no_error (error);
}

static void
test_strv (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--env", "A=1", "--env=B=2", "-env", "C=", "id", NULL), ==, 6);
  g_assert_no_error (error);
  g_assert_cmpuint (f->env->len, ==, 3);
  g_assert_cmpstr (f->env->pdata[0], ==, "A=1");
  g_assert_cmpstr (f->env->pdata[1], ==, "B=2");
  g_assert_cmpstr (f->env->pdata[2], ==, "C=");
}

/* Setting a string twice keeps the last (and frees the first: valgrind/ASan would see a leak otherwise). */
static void
test_last_wins (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--bundle", "one", "--bundle=two", NULL), ==, 4);
  g_assert_cmpstr (f->bundle, ==, "two");
  g_assert_cmpint (parse (f, &error, "--debug", "--debug=0", NULL), ==, 3);
  g_assert_false (f->debug);
}

static void
test_stop (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* At the first word not starting with '-': later flags are positional arguments. */
  g_assert_cmpint (parse (f, &error, "--debug", "id", "--bundle", "x", NULL), ==, 2);
  g_assert_true (f->debug);
  g_assert_null (f->bundle);
  /* "--" is skipped and ends the flags. */
  g_assert_cmpint (parse (f, &error, "--detach", "--", "--bundle", "x", NULL), ==, 3);
  g_assert_true (f->detach);
  g_assert_null (f->bundle);
  g_assert_cmpint (parse (f, &error, "--", NULL), ==, 2);
  /* "-" alone is a positional argument. */
  g_assert_cmpint (parse (f, &error, "-", "--debug", NULL), ==, 1);
  g_assert_no_error (error);
}

/* gVisor has flags of both spellings; the parser matches names exactly. */
static void
test_exact_names (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--log_format=json", NULL), ==, 2);
  g_assert_cmpstr (f->log_format, ==, "json");
  g_assert_cmpint (parse (f, &error, "--log-format=json", NULL), ==, -1);
  g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "unknown flag: --log-format");
  g_clear_error (&error);
  g_assert_cmpint (parse (f, &error, "--pid_file=x", NULL), ==, -1);
  g_assert_cmpstr (error->message, ==, "unknown flag: --pid_file");
  g_clear_error (&error);
  /* A prefix is not a match. */
  g_assert_cmpint (parse (f, &error, "--bund=x", NULL), ==, -1);
  g_assert_cmpstr (error->message, ==, "unknown flag: --bund");
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *words[3];
    const char *message;
  } cases[] = {
    { { "--foo", NULL }, "unknown flag: --foo" },
    { { "-foo=bar", NULL }, "unknown flag: --foo" },
    { { "--bundle", NULL }, "flag needs an argument: --bundle" },
    { { "-pid-file", NULL }, "flag needs an argument: --pid-file" },
    { { "--interval", NULL }, "flag needs an argument: --interval" },
    { { "--env", NULL }, "flag needs an argument: --env" },
    { { "--interval", "x" }, "invalid value \"x\" for flag --interval" },
    { { "--interval=10s", NULL }, "invalid value \"10s\" for flag --interval" },
    { { "--interval=", NULL }, "invalid value \"\" for flag --interval" },
    { { "--interval=99999999999", NULL }, "invalid value \"99999999999\" for flag --interval" },
    { { "--debug=yes", NULL }, "invalid value \"yes\" for flag --debug" },
    { { "--debug=", NULL }, "invalid value \"\" for flag --debug" },
    { { "---debug", NULL }, "bad flag syntax: ---debug" },
    { { "--=x", NULL }, "bad flag syntax: --=x" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("case %s %s", cases[i].words[0], cases[i].words[1] ? cases[i].words[1] : "");
      g_assert_cmpint (parse (f, &error, cases[i].words[0], cases[i].words[1], NULL), ==, -1);
      g_assert_error (error, RUNSC_ERROR, RUNSC_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Flags before an error keep their values; the caller exits anyway, but nothing may leak or crash. */
static void
test_error_after_flags (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (parse (f, &error, "--bundle", "/b", "--nope", NULL), ==, -1);
  g_assert_cmpstr (error->message, ==, "unknown flag: --nope");
  g_assert_cmpstr (f->bundle, ==, "/b");
}

static void
test_print (Fixture *f, gconstpointer data)
{
  g_autofree char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  g_auto (GStrv) lines = NULL;

  g_assert_nonnull (out);
  runsc_flags_print (f->table, out);
  fclose (out);
  lines = g_strsplit (buf, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8); /* seven lines and the empty tail */
  /* The widest left column is "--log_format FORMAT" (19); help starts three spaces after it. */
  g_assert_cmpstr (lines[0], ==, "  --debug               log debug messages");
  g_assert_cmpstr (lines[2], ==, "  --bundle DIR          path to the bundle");
  g_assert_cmpstr (lines[5], ==, "  --interval SECONDS    stats interval");
  g_assert_cmpstr (lines[6], ==, "  --env NAME=VALUE      set a variable (repeatable)");
  g_assert_cmpstr (lines[7], ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/flags/none", test_no_flags);
  ADD ("/flags/string", test_string_forms);
  ADD ("/flags/bool", test_bool_forms);
  ADD ("/flags/bool-never-consumes", test_bool_never_consumes);
  ADD ("/flags/int", test_int_forms);
  ADD ("/flags/strv", test_strv);
  ADD ("/flags/last-wins", test_last_wins);
  ADD ("/flags/stop", test_stop);
  ADD ("/flags/exact-names", test_exact_names);
  ADD ("/flags/errors", test_errors);
  ADD ("/flags/error-after-flags", test_error_after_flags);
  ADD ("/flags/print", test_print);
#undef ADD
  return g_test_run ();
}
