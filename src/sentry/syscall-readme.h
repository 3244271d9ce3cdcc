/* The README's compatibility section, generated from the syscall table (syscall-readme.c). */
#pragma once

#include <glib.h>

/* The section's Markdown, from its generated-by comment to its last line. */
char *sentry_syscalls_readme (void);
