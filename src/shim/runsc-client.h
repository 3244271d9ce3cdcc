/* Running the runsc binary (binary_name in runsc.toml) for each lifecycle step, as containerd's runc shim runs
 * runc: global flags (--root, --log <bundle>/log.json --log-format json, the [runsc_config] flags) then the
 * subcommand. When a command fails, the error is the last error runsc wrote to its JSON log (or
 * its stderr), so that runsc's own message reaches containerd's. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "shim/options.h"

/* Fork and exec argv[0] (looked up on PATH) with stdio from fds (-1: /dev/null), extra_fds mapped onto 3, 4, ...
 * (n_extra of them), cwd (NULL: unchanged) and, if env is not NULL, that environment. Returns the pid, or -1 with
 * error set. Safe to call while other threads run: the child uses only async-signal-safe calls. */
pid_t shim_spawn (const char *const *argv, const char *const *env, const int fds[3], const int *extra_fds,
                  int n_extra, const char *cwd, gboolean new_pgrp, GError **error);

typedef struct
{
  const ShimOptions *opts;
  const char *id;     /* container id (for %ID% in log_path) */
  const char *bundle; /* where log.json goes; NULL for none */
} RunscCtx;

/* Run `runsc <global flags> args...` and wait for it. stdio: the command's stdin/stdout/stderr (NULL: stdin
 * /dev/null, stdout and stderr captured). If out is not NULL, it receives the captured stdout. */
gboolean runsc_run (const RunscCtx *ctx, const char *const *args, const int *stdio, char **out, GError **error);

/* Start `runsc <global flags> args...` in the background with stdout captured into a pipe whose read end is
 * returned in *stdout_fd. Returns the pid or -1. */
pid_t runsc_start_async (const RunscCtx *ctx, const char *const *args, int *stdout_fd, GError **error);

/* The full argv for args (for tests and logging). */
GPtrArray *runsc_build_argv (const RunscCtx *ctx, const char *const *args);

/* Wait for our child pid until deadline (monotonic µs); past it, kill it and return -2. Otherwise its exit
 * status (128+signal for a signal), or -1. */
int runsc_wait_deadline (pid_t pid, gint64 deadline);

/* Read a pid file written by runsc (a decimal number). */
pid_t runsc_read_pid_file (const char *path, GError **error);
