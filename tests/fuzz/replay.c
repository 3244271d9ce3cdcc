/* Replay driver for the fuzz targets, in plain C, so that `make check` builds every target with the normal
 * compiler and runs it over its seed corpus (tests/fuzz/corpus/NAME/, FUZZ_CORPUS) without libFuzzer: one TAP
 * line per input. Arguments, when given, are files or directories to replay instead (a crash reproducer).
 * A target that crashes, or trips a sanitizer in a --enable-sanitizers build, fails the test. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "tests/fuzz/fuzz.h"

static int n_done;

static void
replay_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      printf ("not ok %d %s: %s\n", ++n_done, path, error->message);
      return;
    }
  /* A copy of exactly len bytes: what is read past it is ASan's to catch. */
  {
    uint8_t *copy = g_malloc (len > 0 ? len : 1); /* never NULL, as libFuzzer's */
    memcpy (copy, data, len);
    LLVMFuzzerTestOneInput (copy, len);
    g_free (copy);
  }
  printf ("ok %d %s (%zu bytes)\n", ++n_done, path, len);
  fflush (stdout);
}

static void
collect (const char *path, GPtrArray *files)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (files, g_build_filename (path, name, NULL));
  g_dir_close (dir);
}

static int
compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  /* A GLib critical (a type confusion GLib only warns about) is a failure, as under `make fuzz`. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_FATAL_MASK);
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      collect (argv[i], files);
  else
    collect (FUZZ_CORPUS, files);
  g_ptr_array_sort (files, compare);
  printf ("1..%u\n", files->len);
  if (files->len == 0)
    {
      printf ("Bail out! no inputs in %s\n", argc > 1 ? argv[1] : FUZZ_CORPUS);
      return 1;
    }
  for (guint i = 0; i < files->len; i++)
    replay_file (g_ptr_array_index (files, i));
  return 0;
}
