/* shim-update: send one containerd.task.v2.Task/Update to a shim, as containerd does for
 * UpdateContainerResources (ctr 1.6 has no command for it).  For tests/integration/shim.bats.
 *
 * Usage: shim-update ADDRESS NAMESPACE ID RESOURCES.json
 * The service is containerd.task.v2.Task, or $SHIM_TASK_SERVICE (containerd 2.x's containerd.task.v3.Task).
 * RESOURCES.json is an OCI LinuxResources object; it is sent as the Any containerd sends
 * (types.containerd.io/opencontainers/runtime-spec/1/LinuxResources, JSON value).
 * Exit status 0 on success; otherwise the shim's error is printed and the status is 1. */
#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "shim/ttrpc.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

int
main (int argc, char **argv)
{
  Containerd__Task__V2__UpdateTaskRequest req = CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
  Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
  g_autoptr (GError) error = NULL;
  g_autoptr (TtrpcClient) client = NULL;
  g_autofree char *json = NULL;
  const char *service = g_getenv ("SHIM_TASK_SERVICE");
  gsize len;

  if (argc != 5)
    {
      fprintf (stderr, "usage: shim-update ADDRESS NAMESPACE ID RESOURCES.json\n");
      return 2;
    }
  if (!g_file_get_contents (argv[4], &json, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  client = ttrpc_client_connect (argv[1], &error);
  if (client == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  any.type_url = (char *) "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
  any.value.data = (guint8 *) json;
  any.value.len = len;
  req.id = argv[3];
  req.resources = &any;
  if (service == NULL || *service == '\0')
    service = "containerd.task.v2.Task";
  if (!ttrpc_client_call (client, service, "Update", &req.base, argv[2], 10000, NULL, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}
