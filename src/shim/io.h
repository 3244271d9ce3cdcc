/* A process's standard IO as containerd describes it: three strings, each empty (null IO), a FIFO path (bare or
 * fifo://), file:///path (stdout and stderr appended to one file) or binary:///path?k=v (a logging program started
 * by the shim). Without a terminal the process gets pipes and the shim copies between them and the client's
 * ends; with a terminal the shim copies between the pty master (from runsc's console socket) and the client's
 * stdin and stdout, and stderr is unused. Copying runs in one thread per direction. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct ShimIO ShimIO;

typedef struct
{
  const char *id;
  const char *ns;
  const char *stdin_uri;
  const char *stdout_uri;
  const char *stderr_uri;
  gboolean terminal;
  uid_t uid; /* owner of the process's pipe ends */
  gid_t gid;
} ShimIOConfig;

/* Open the client's ends (and start a binary:// logger). */
ShimIO *shim_io_new (const ShimIOConfig *cfg, GError **error);
/* The fds to pass as the runsc command's stdin, stdout, stderr (-1: /dev/null). The process inherits them. */
void shim_io_process_fds (ShimIO *io, int fds[3]);
/* Once runsc has started the process: close the shim's copies of the process's ends and start copying. */
gboolean shim_io_start (ShimIO *io, GError **error);
/* Terminal: take the pty master (owned by io from now on) and start copying. */
gboolean shim_io_start_console (ShimIO *io, int master, GError **error);
/* The pty master, or -1. */
int shim_io_console (ShimIO *io);
/* CloseIO: drop the shim's own write handle on the stdin FIFO, so that the process sees EOF once the client
 * closes its end too. */
void shim_io_close_stdin (ShimIO *io);
/* Wait (at most timeout_ms) until the output copiers have seen EOF and flushed. TRUE if they have. */
gboolean shim_io_wait_output (ShimIO *io, int timeout_ms);
/* Stop copying, close everything, stop the logger. */
void shim_io_free (ShimIO *io);
