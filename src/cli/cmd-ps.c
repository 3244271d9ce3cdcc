/* runsc ps: the processes of a container, as `ps -ef` rows (or other ps options) or a JSON array of pids. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/state.h"
#include "sentry/control.h"

/* The container's pids from its Sentry (an empty list once it has stopped). */
static GArray *
container_pids (StateDir *d, const RunscState *st, GError **error)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *arr;
  guint i;

  if (!runsc_process_alive (st->sandbox_pid, st->sandbox_start_time))
    return pids;
  reply = control_call_id (d->dirfd, "ps", st->id, error);
  if (reply == NULL)
    {
      g_array_unref (pids);
      return NULL;
    }
  arr = json_object_get_array_member (reply, "pids");
  for (i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      int pid = (int) json_array_get_int_element (arr, i);
      g_array_append_val (pids, pid);
    }
  return pids;
}

static gboolean
print_table (GArray *pids, char **ps_args, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  int wstatus, pid_col = -1, i;
  guint j;

  g_ptr_array_add (argv, (char *) "ps");
  if (ps_args == NULL || ps_args[0] == NULL)
    g_ptr_array_add (argv, (char *) "-ef");
  else
    for (i = 0; ps_args[i] != NULL; i++)
      g_ptr_array_add (argv, ps_args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wstatus,
                     error))
    return runsc_error_prefix (error, "run ps");
  if (!g_spawn_check_wait_status (wstatus, NULL))
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "ps failed: %s", err != NULL ? g_strstrip (err) : "");
  lines = g_strsplit (out, "\n", -1);
  if (lines[0] == NULL)
    return TRUE;
  {
    g_auto (GStrv) head = g_strsplit_set (lines[0], " \t", -1);
    int col = 0;
    for (i = 0; head[i] != NULL; i++)
      {
        if (*head[i] == '\0')
          continue;
        if (strcmp (head[i], "PID") == 0)
          pid_col = col;
        col++;
      }
  }
  if (pid_col < 0)
    return runsc_error_set (error, RUNSC_ERROR_FAILED, "ps output has no PID column");
  printf ("%s\n", lines[0]);
  for (i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
      int col = 0, k, pid = -1;
      for (k = 0; fields[k] != NULL; k++)
        {
          if (*fields[k] == '\0')
            continue;
          if (col++ == pid_col)
            {
              pid = atoi (fields[k]);
              break;
            }
        }
      for (j = 0; j < pids->len; j++)
        if (g_array_index (pids, int, j) == pid)
          {
            printf ("%s\n", lines[i]);
            break;
          }
    }
  return TRUE;
}

int
cmd_ps (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  const RunscFlag flags[] = {
    { "format", RUNSC_FLAG_STRING, &format, "FORMAT", "table (default) or json" },
    { "f", RUNSC_FLAG_STRING, &format, "FORMAT", "same as --format" },
    { "", 0, NULL, NULL, NULL },
  };
  g_autoptr (StateDir) d = NULL;
  g_autoptr (RunscState) st = NULL;
  g_autoptr (GArray) pids = NULL;
  gboolean done;
  guint i;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 1, -1, "ps [--format table|json] ID [ps options]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (format != NULL && strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --format %s: expected table or json", format);
      return -1;
    }
  cli_set_id (g, argv[idx]);
  if (!cli_load_container (g, argv[idx], FALSE, &d, &st, error))
    return -1;
  pids = container_pids (d, st, error);
  if (pids == NULL)
    return -1;
  if (g_strcmp0 (format, "json") == 0)
    {
      printf ("[");
      for (i = 0; i < pids->len; i++)
        printf ("%s%d", i > 0 ? "," : "", g_array_index (pids, int, i));
      printf ("]\n");
      return 0;
    }
  return print_table (pids, argv + idx + 1, error) ? 0 : -1;
}
