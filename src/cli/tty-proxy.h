/* `runsc run` in the foreground with process.terminal and no --console-socket: runsc receives the container's
 * pty master itself and copies between it and its own stdio (raw mode when stdin is a terminal), as runc does. */
#pragma once

#include <glib.h>
#include <poll.h>
#include <sys/types.h>

typedef struct TtyProxy TtyProxy;

/* A socket pair: *child_end goes to the Sentry as the console socket; the proxy keeps the other end. */
TtyProxy *tty_proxy_new (int *child_end, GError **error);

/* Receive the master (sent while the container was created) and size it like our terminal. */
gboolean tty_proxy_receive (TtyProxy *p, GError **error);

/* Copy until the container's side is closed and the process sentry has exited; returns its wait status. */
int tty_proxy_run (TtyProxy *p, pid_t sentry);

/* For a caller with a poll loop of its own (runsc do): fill fds[0] (the master) and fds[1] (our stdin, fd -1
 * once it is at its end) to poll ... */
void tty_proxy_poll_fds (TtyProxy *p, struct pollfd fds[2]);

/* ... and copy what poll reported in them. FALSE once the master is closed (every holder of the slave gone). */
gboolean tty_proxy_pump (TtyProxy *p, const struct pollfd fds[2]);

/* Copy what is still on the master after the sandbox has exited, until it is closed or 100 ms pass quietly. */
void tty_proxy_drain (TtyProxy *p);

/* Give the container's terminal our terminal's size (on SIGWINCH). */
void tty_proxy_resize (TtyProxy *p);

/* Restore the terminal mode and close everything. */
void tty_proxy_free (TtyProxy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TtyProxy, tty_proxy_free)
