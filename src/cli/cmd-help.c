/* runsc help: the command list; `help COMMAND` its usage; `help syscalls` the Sentry's syscall table. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"

#if defined(__has_include)
#if __has_include("sentry/syscall-table.h")
#include "sentry/syscall-table.h"
#include "sentry/sentry-table.h"
#define HAVE_SYSCALL_TABLE 1
#endif
#endif

static int
help_syscalls (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *format = NULL;
  gboolean sentry = FALSE;
  const RunscFlag flags[] = {
    { "format", RUNSC_FLAG_STRING, &format, "FORMAT", "table (default), json or csv" },
    { "sentry", RUNSC_FLAG_BOOL, &sentry, NULL, "the Sentry's own allowlist (the second table), not the sandbox's" },
    { "", 0, NULL, NULL, NULL },
  };
  gboolean done;
  int idx;

  idx = cli_parse (g, flags, argc, argv, 0, 0, "help syscalls [--sentry] [--format table|json|csv]", &done, error);
  if (idx < 0 || done)
    return idx < 0 ? -1 : 0;
  if (format == NULL)
    format = g_strdup ("table");
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0 && strcmp (format, "csv") != 0)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --format %s: expected table, json or csv", format);
      return -1;
    }
#ifdef HAVE_SYSCALL_TABLE
  if (sentry)
    return sentry_self_print (format, stdout, error) ? 0 : -1;
  return sentry_syscalls_print (format, stdout, error) ? 0 : -1;
#else
  runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "help syscalls: the syscall table is not built in yet");
  return -1;
#endif
}

int
cmd_help (RunscGlobal *g, int argc, char **argv, GError **error)
{
  const RunscCommand *c;

  if (argc >= 2 && strcmp (argv[1], "syscalls") == 0)
    return help_syscalls (g, argc - 1, argv + 1, error);
  if (argc >= 2)
    {
      char *sub[] = { argv[1], (char *) "--help", NULL };
      c = runsc_find_command (argv[1]);
      if (c == NULL || c->fn == cmd_help)
        {
          runsc_error_set (error, RUNSC_ERROR_INVALID, "no help topic for \"%s\"", argv[1]);
          return -1;
        }
      return c->fn (g, 2, sub, error);
    }
  printf ("Usage: runsc [global flags] COMMAND [flags] [arguments]\n\nCommands:\n");
  for (c = runsc_commands; c->name != NULL; c++)
    if (!c->internal)
      printf ("  %-10s %s\n", c->name, c->summary);
  printf ("\nHelp topics:\n  %-10s %s\n", "syscalls", "the Sentry's system call table (--format table|json|csv; --sentry: its own allowlist)");
  printf ("\nRun 'runsc help COMMAND' for a command's flags, 'runsc --help' for the global flags.\n");
  return 0;
}
