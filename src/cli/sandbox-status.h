/* The live status of a container, asked of its sandbox's Sentry over the control socket: the state store's
 * status query (state_set_status_query in src/oci/state.h), which runsc registers at start-up so that the store
 * itself knows nothing of the Sentry's protocol. */
#pragma once

#include "oci/state.h"

/* A StateStatusQuery: sends "state" for id on d's sandbox.sock and waits at most timeout_ms for the answer. */
gboolean cli_sandbox_status_query (StateDir *d, const char *id, int timeout_ms, const char **status, int *exit_status,
                                   GError **error);
