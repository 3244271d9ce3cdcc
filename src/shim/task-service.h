/* containerd.task.v2.Task (and containerd.task.v3.Task, the same messages): the containers and processes this
 * shim manages, each RPC mapped onto runsc as containerd's runc shim maps it onto runc, and the exits that end
 * them (through the reaper, or `runsc wait` for a process that is not the shim's descendant). */
#pragma once

#include <glib.h>

#include "shim/ttrpc.h"

typedef struct ShimService ShimService;

/* ns: the containerd namespace (-namespace). on_shutdown runs (from the main loop) when Shutdown is accepted
 * with no container left. */
ShimService *shim_service_new (const char *ns, GSourceFunc on_shutdown, gpointer user_data);
/* Register every method under both service names. */
void shim_service_register (ShimService *svc, TtrpcServer *server);
/* Number of containers still managed. */
guint shim_service_n_containers (ShimService *svc);
