/* runsc list: the containers under --root, as a table (runc's columns), JSON, or IDs only. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "oci/state.h"

typedef struct
{
  RunscState *st;
  const char *status;
} Row;

int
cmd_list (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE;
  const RunscFlag flags[] = {
    { "format", RUNSC_FLAG_STRING, &format, "FORMAT", "text (default) or json" },
    { "f", RUNSC_FLAG_STRING, &format, "FORMAT", "same as --format" },
    { "quiet", RUNSC_FLAG_BOOL, &quiet, NULL, "print the IDs only" },
    { "q", RUNSC_FLAG_BOOL, &quiet, NULL, "same as --quiet" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (Row));
  gboolean done, json;
  guint i;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 0, 0, "list [--format text|json] [--quiet]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (format != NULL && strcmp (format, "text") != 0 && strcmp (format, "table") != 0
      && strcmp (format, "json") != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --format %s: expected text or json", format);
      return -1;
    }
  json = g_strcmp0 (format, "json") == 0;
  ids = state_list_ids (g->root, error);
  if (ids == NULL)
    return -1;
  for (i = 0; i < ids->len; i++)
    {
      g_autoptr (StateDir) d = state_dir_open_unlocked (g->root, ids->pdata[i], NULL);
      Row r;
      if (d == NULL)
        continue;
      r.st = state_load (d, NULL);
      if (r.st == NULL)
        continue; /* being created */
      r.status = state_status (d, r.st, NULL);
      g_array_append_val (rows, r);
    }

  if (quiet)
    for (i = 0; i < rows->len; i++)
      printf ("%s\n", g_array_index (rows, Row, i).st->id);
  else if (json)
    {
      printf ("[");
      for (i = 0; i < rows->len; i++)
        {
          Row *r = &g_array_index (rows, Row, i);
          g_autofree char *obj = state_oci_json (r->st, r->status, FALSE);
          printf ("%s%s", i > 0 ? "," : "", obj);
        }
      printf ("]\n");
    }
  else
    {
      /* Columns as runc's tabwriter pads them: at least 12 wide, 3 spaces after the longest cell. */
      const char *head[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
      g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
      gsize width[6], c;

      for (c = 0; c < 6; c++)
        g_ptr_array_add (cells, g_strdup (head[c]));
      for (i = 0; i < rows->len; i++)
        {
          Row *r = &g_array_index (rows, Row, i);
          g_ptr_array_add (cells, g_strdup (r->st->id));
          g_ptr_array_add (cells, g_strdup_printf ("%d", (int) state_pid (r->st, r->status)));
          g_ptr_array_add (cells, g_strdup (r->status));
          g_ptr_array_add (cells, g_strdup (r->st->bundle));
          g_ptr_array_add (cells, g_strdup (r->st->created));
          g_ptr_array_add (cells, g_strdup (r->st->owner));
        }
      for (c = 0; c < 6; c++)
        {
          width[c] = 12;
          for (i = 0; i < cells->len / 6; i++)
            width[c] = MAX (width[c], strlen (cells->pdata[i * 6 + c]) + 3);
        }
      for (i = 0; i < cells->len / 6; i++)
        {
          for (c = 0; c < 6; c++)
            {
              const char *cell = cells->pdata[i * 6 + c];
              if (c == 5)
                printf ("%s\n", cell);
              else
                printf ("%-*s", (int) width[c], cell);
            }
        }
    }
  for (i = 0; i < rows->len; i++)
    runsc_state_free (g_array_index (rows, Row, i).st);
  return 0;
}
