/* Prints the syscall table in a format (table, json, csv, markdown): `make update-syscall-doc` writes
 * docs/syscalls.md with it. */
#include "config.h"

#include <stdio.h>

#include "sentry/syscall-table.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  if (!sentry_syscalls_print (argc > 1 ? argv[1] : "markdown", stdout, &error))
    {
      fprintf (stderr, "syscall-doc: %s\n", error->message);
      return 1;
    }
  return 0;
}
