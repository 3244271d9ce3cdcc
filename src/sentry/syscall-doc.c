/* Prints the syscall table in a format (table, json, csv, markdown): `make update-syscall-doc` writes
 * docs/syscalls.md with it; `syscall-doc readme` prints README.md's compatibility section (`make update-readme`). `syscall-doc check` checks the table instead (sentry_syscall_table_check): `make`
 * runs it, so that a table the Sentry would refuse to build a filter from (an emulated row without a handler,
 * a number twice, ...) is a build failure. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sentry/syscall-readme.h"
#include "sentry/syscall-table.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  if (argc > 1 && strcmp (argv[1], "check") == 0)
    {
      if (!sentry_syscall_table_check (TRUE, &error))
        {
          fprintf (stderr, "syscall-doc: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (argc > 1 && strcmp (argv[1], "readme") == 0)
    {
      g_autofree char *text = sentry_syscalls_readme ();
      fputs (text, stdout);
      return 0;
    }
  if (!sentry_syscalls_print (argc > 1 ? argv[1] : "markdown", stdout, &error))
    {
      fprintf (stderr, "syscall-doc: %s\n", error->message);
      return 1;
    }
  return 0;
}
