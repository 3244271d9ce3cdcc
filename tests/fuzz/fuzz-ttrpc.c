/* Fuzz target: ttrpc frames as the shim reads them from containerd's connection, and the protobuf messages in
 * them (the ttrpc request, then its payload as the task requests the shim decodes). The first byte chooses the
 * chunk size, so that frames split across reads are exercised too. */
#include "config.h"

#include "shim/ttrpc.h"
#include "task.pb-c.h"
#include "tests/fuzz/fuzz.h"
#include "ttrpc.pb-c.h"

static void
decode_payload (const uint8_t *data, size_t len)
{
  Containerd__Task__V2__CreateTaskRequest *create;
  Containerd__Task__V2__ExecProcessRequest *exec;
  Containerd__Task__V2__KillRequest *kill;
  Containerd__Task__V2__UpdateTaskRequest *update;

  create = containerd__task__v2__create_task_request__unpack (NULL, len, data);
  if (create != NULL)
    containerd__task__v2__create_task_request__free_unpacked (create, NULL);
  exec = containerd__task__v2__exec_process_request__unpack (NULL, len, data);
  if (exec != NULL)
    containerd__task__v2__exec_process_request__free_unpacked (exec, NULL);
  kill = containerd__task__v2__kill_request__unpack (NULL, len, data);
  if (kill != NULL)
    containerd__task__v2__kill_request__free_unpacked (kill, NULL);
  update = containerd__task__v2__update_task_request__unpack (NULL, len, data);
  if (update != NULL)
    containerd__task__v2__update_task_request__free_unpacked (update, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  TtrpcDecoder *d;
  size_t chunk, off;

  if (size == 0)
    return 0;
  chunk = (size_t) data[0] + 1;
  data++;
  size--;
  d = ttrpc_decoder_new ();
  for (off = 0; off < size; off += chunk)
    {
      TtrpcHeader h;
      const guint8 *frame;
      TtrpcDecodeResult r;

      ttrpc_decoder_feed (d, data + off, MIN (chunk, size - off));
      while ((r = ttrpc_decoder_next (d, &h, &frame)) != TTRPC_DECODE_NEED_MORE)
        {
          Ttrpc__Request *req;

          if (r != TTRPC_DECODE_FRAME)
            continue;
          if (h.length > TTRPC_MAX_DATA)
            __builtin_trap ();
          req = ttrpc__request__unpack (NULL, h.length, frame);
          if (req != NULL)
            {
              decode_payload (req->payload.data, req->payload.len);
              ttrpc__request__free_unpacked (req, NULL);
            }
        }
    }
  ttrpc_decoder_free (d);
  return 0;
}
