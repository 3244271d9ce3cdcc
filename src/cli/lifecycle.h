/* The container lifecycle as runsc's commands drive it: create (start the Sentry), start, stop and destroy.
 * create, run, start and delete are thin wrappers over these. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "oci/state.h"

typedef struct
{
  const char *id;
  const char *bundle;         /* may be relative; NULL: the current directory */
  const char *pid_file;       /* may be NULL */
  const char *console_socket; /* may be NULL */
  int console_fd;             /* instead of console_socket: a connected socket of ours (-1: none) */
  gboolean foreground;        /* run without --detach: the Sentry stays in our process group */
  const char *user_log;       /* --user-log: the sandbox's user log (src/sentry/user-log.h), or NULL */
  gboolean die_with_parent;   /* the Sentry gets SIGKILL when the creating runsc dies (runsc do: fail closed) */
} CreateOptions;

/* Create the container: state directory, control socket, the Sentry (runsc-sandbox boot), wait until its init
 * is ready, write state.json and the pid file. On failure nothing is left (Sentry killed, directory removed).
 * Returns the Sentry's pid, or -1. */
pid_t lifecycle_create (RunscGlobal *g, const CreateOptions *opts, GError **error);

/* Start a created container and run its poststart hooks. */
gboolean lifecycle_start (RunscGlobal *g, const char *id, GError **error);

/* Kill what runs (SIGKILL to every process, then the Sentry if it lingers), wait for the Sentry to be gone, run
 * the poststop hooks and remove the state. The directory must be locked (d). */
gboolean lifecycle_destroy (RunscGlobal *g, StateDir *d, const RunscState *st, GError **error);

/* Wait until the Sentry has exited (it is not our child) for at most timeout_ms. */
gboolean lifecycle_wait_sentry_gone (const RunscState *st, int timeout_ms);

/* lifecycle_destroy of container id (locking its directory), a warning when that fails: what run and do do once
 * the container has exited. */
void lifecycle_remove (RunscGlobal *g, const char *id);
