/* Fuzz target: runsc install's editing of Docker's /etc/docker/daemon.json (src/install/docker.c), a file written
 * by hand or by other tools. Beyond not crashing, the promises of runsc install are checked: what install writes
 * is JSON it reads back, installing again changes nothing, and uninstall takes the runtime out again. */
#include "config.h"

#include "install/docker.h"
#include "tests/fuzz/fuzz.h"

static char *
install (const char *text, gboolean *changed, GError **error)
{
  char *args[] = { (char *) "--debug-log=/tmp/runsc/", (char *) "--strace", NULL };
  DockerInstall o = { .config_file = "/etc/docker/daemon.json", .runtime = "runsc", .path = "/usr/bin/runsc",
                      .runtime_args = args, .clobber = TRUE };
  g_autoptr (GString) messages = g_string_new (NULL);

  return docker_config_install (text, &o, changed, messages, error);
}

static char *
uninstall (const char *text, const char *only_path, gboolean *changed, GError **error)
{
  g_autoptr (GString) messages = g_string_new (NULL);

  return docker_config_uninstall (text, "runsc", only_path, changed, messages, error);
}

/* FALSE if text has a bare word other than true, false and null outside its strings: json-glib writes an
 * infinite number as "inf.0", which json-glib reads back but dockerd (and every other JSON reader) does not. */
static gboolean
only_json_words (const char *text)
{
  gboolean in_string = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (g_ascii_isalpha (*p) && (p == text || !g_ascii_isalnum (p[-1])) && *p != 'e' && *p != 'E')
        {
          if (!g_str_has_prefix (p, "true") && !g_str_has_prefix (p, "false") && !g_str_has_prefix (p, "null"))
            return FALSE;
        }
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size); /* read up to its first NUL, as the installer */
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL, *again = NULL, *back = NULL, *redone = NULL, *gone = NULL;
  gboolean changed = FALSE;

  /* Uninstall of the file as it is, with and without a path to match. */
  gone = uninstall (text, NULL, &changed, &error);
  if ((gone == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  g_clear_pointer (&gone, g_free);
  gone = uninstall (text, "/usr/bin/runsc", &changed, &error);
  g_clear_error (&error);

  done = install (text, &changed, &error);
  if ((done == NULL) == (error == NULL))
    __builtin_trap ();
  if (done == NULL)
    return 0;
  if (!docker_json_equal (done, done) || !only_json_words (done))
    __builtin_trap (); /* install wrote something that is not JSON */
  again = install (done, &changed, &error);
  if (again == NULL || changed)
    __builtin_trap ();
  back = uninstall (done, "/usr/bin/runsc", &changed, &error);
  if (back == NULL || !changed || !docker_json_equal (back, back))
    __builtin_trap ();
  redone = install (back, &changed, &error);
  if (redone == NULL || !docker_json_equal (redone, done))
    __builtin_trap ();
  return 0;
}
