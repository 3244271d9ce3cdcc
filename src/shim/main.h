/* containerd-shim-runsc-v1: the command line containerd runs (start, delete, and the server with no
 * subcommand). */
#pragma once

#include <glib.h>

typedef struct
{
  char *namespace_;
  char *address;        /* containerd's GRPC address (-address) */
  char *publish_binary; /* ignored: events go over $TTRPC_ADDRESS */
  char *id;
  char *bundle;         /* -bundle, default the working directory */
  char *socket;         /* -socket: serve this socket instead of fd 3 */
  gboolean debug;
  gboolean version;
  gboolean info;        /* containerd 2.x -info: not supported */
  const char *command;  /* "start", "delete" or NULL (serve) */
} ShimFlags;

/* Parse Go flag-package style arguments (-name value, -name=value, --name value, boolean -debug). */
gboolean shim_parse_flags (int argc, char **argv, ShimFlags *flags, GError **error);

/* The socket address for a grouping key: unix:///run/containerd/s/<sha256(address/ns/key)>. */
char *shim_socket_address (const char *address, const char *ns, const char *key);
