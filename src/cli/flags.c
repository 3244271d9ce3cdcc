/* The flag parser for runsc's global and per-command flags, with the rules of Go's flag package that gVisor's
 * runsc and runc callers rely on: one or two dashes, `--f v` or `--f=v`, booleans that never take the next word,
 * and parsing that stops at the first positional argument or after `--`. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"

static const RunscFlag *
find_flag (const RunscFlag *flags, const char *name, gsize len)
{
  const RunscFlag *f;

  for (f = flags; f->name != NULL && f->name[0] != '\0'; f++)
    if (strlen (f->name) == len && strncmp (f->name, name, len) == 0)
      return f;
  return NULL;
}

/* Go's strconv.ParseBool spellings. */
static gboolean
parse_bool (const char *s, gboolean *out)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };
  static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (yes); i++)
    if (strcmp (s, yes[i]) == 0)
      {
        *out = TRUE;
        return TRUE;
      }
  for (i = 0; i < G_N_ELEMENTS (no); i++)
    if (strcmp (s, no[i]) == 0)
      {
        *out = FALSE;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_int (const char *s, int *out)
{
  char *end = NULL;
  long long v;

  if (*s == '\0' || g_ascii_isspace (*s))
    return FALSE;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

int
runsc_flags_parse (const RunscFlag *flags, int argc, char **argv, GError **error)
{
  int i = 1;

  while (i < argc)
    {
      const char *arg = argv[i];
      const char *name, *eq, *value = NULL;
      const RunscFlag *f;
      gsize len;

      /* "-" alone is a positional argument (conventionally stdin), as in Go. */
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      if (strcmp (arg, "--") == 0)
        return i + 1;
      name = arg + (arg[1] == '-' ? 2 : 1);
      if (name[0] == '-' || name[0] == '=')
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "bad flag syntax: %s", arg);
          return -1;
        }
      eq = strchr (name, '=');
      len = eq != NULL ? (gsize) (eq - name) : strlen (name);
      if (eq != NULL)
        value = eq + 1;
      f = find_flag (flags, name, len);
      if (f == NULL)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "unknown flag: --%.*s", (int) len, name);
          return -1;
        }
      i++;

      if (f->type == RUNSC_FLAG_BOOL)
        {
          gboolean b = TRUE;

          if (value != NULL && !parse_bool (value, &b))
            {
              runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid value \"%s\" for flag --%s", value, f->name);
              return -1;
            }
          *(gboolean *) f->target = b;
          continue;
        }

      /* Every other type takes a value: after '=' or the next word, whatever it looks like. */
      if (value == NULL)
        {
          if (i >= argc)
            {
              runsc_error_set (error, RUNSC_ERROR_INVALID, "flag needs an argument: --%s", f->name);
              return -1;
            }
          value = argv[i++];
        }
      switch (f->type)
        {
        case RUNSC_FLAG_STRING:
          g_free (*(char **) f->target);
          *(char **) f->target = g_strdup (value);
          break;
        case RUNSC_FLAG_INT:
          if (!parse_int (value, (int *) f->target))
            {
              runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid value \"%s\" for flag --%s", value, f->name);
              return -1;
            }
          break;
        case RUNSC_FLAG_STRV:
          g_ptr_array_add ((GPtrArray *) f->target, g_strdup (value));
          break;
        case RUNSC_FLAG_BOOL:
        default:
          g_assert_not_reached ();
        }
    }
  return i;
}

void
runsc_flags_print (const RunscFlag *flags, FILE *out)
{
  const RunscFlag *f;
  int width = 0;

  for (f = flags; f->name != NULL && f->name[0] != '\0'; f++)
    {
      int w = 2 + (int) strlen (f->name);
      if (f->type != RUNSC_FLAG_BOOL && f->arg_name != NULL)
        w += 1 + (int) strlen (f->arg_name);
      width = MAX (width, w);
    }
  for (f = flags; f->name != NULL && f->name[0] != '\0'; f++)
    {
      g_autofree char *left = NULL;

      if (f->type != RUNSC_FLAG_BOOL && f->arg_name != NULL)
        left = g_strdup_printf ("--%s %s", f->name, f->arg_name);
      else
        left = g_strdup_printf ("--%s", f->name);
      if (f->help != NULL && f->help[0] != '\0')
        fprintf (out, "  %-*s   %s\n", width, left, f->help);
      else
        fprintf (out, "  %s\n", left);
    }
}
