/* `runsc run` in the foreground with process.terminal and no --console-socket: runsc receives the container's
 * pty master itself and copies between it and its own stdio (raw mode when stdin is a terminal), as runc does. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct TtyProxy TtyProxy;

/* A socket pair: *child_end goes to the Sentry as the console socket; the proxy keeps the other end. */
TtyProxy *tty_proxy_new (int *child_end, GError **error);

/* Receive the master (sent while the container was created) and size it like our terminal. */
gboolean tty_proxy_receive (TtyProxy *p, GError **error);

/* Copy until the container's side is closed and the process sentry has exited; returns its wait status. */
int tty_proxy_run (TtyProxy *p, pid_t sentry);

/* Restore the terminal mode and close everything. */
void tty_proxy_free (TtyProxy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtyProxy, tty_proxy_free)
