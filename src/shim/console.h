/* Terminals: the console socket runsc sends the pty master on (runc's --console-socket contract), and window
 * size changes (ResizePty). */
#pragma once

#include <glib.h>

typedef struct ShimConsoleSocket ShimConsoleSocket;

/* A listening unix socket in a new private temporary directory. */
ShimConsoleSocket *shim_console_socket_new (GError **error);
const char *shim_console_socket_path (ShimConsoleSocket *s);
/* Accept runsc's connection and receive the master fd (waits at most timeout_ms). */
int shim_console_socket_receive (ShimConsoleSocket *s, int timeout_ms, GError **error);
/* Close and remove the socket and its directory. */
void shim_console_socket_free (ShimConsoleSocket *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShimConsoleSocket, shim_console_socket_free)

/* TIOCSWINSZ: width in columns, height in rows. */
gboolean shim_console_resize (int master, guint32 width, guint32 height, GError **error);
