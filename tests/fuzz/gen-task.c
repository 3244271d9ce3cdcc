/* Writes the seed corpus of tests/fuzz/fuzz-task.c into DIR: the task API requests containerd sends the shim, as
 * containerd fills them for a CRI pod's container (ids, bundle under /run/containerd, overlay rootfs, stdio fifos,
 * runtime options), packed with protobuf-c, each preceded by the byte that picks its type in fuzz-task.c.
 * Build and run: make tests/fuzz/gen-task && tests/fuzz/gen-task ../tests/fuzz/corpus/task */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "runtimeoptions.pb-c.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

/* The type bytes of fuzz-task.c's table. */
enum
{
  T_STATE, T_CREATE, T_START, T_DELETE, T_PIDS, T_PAUSE, T_RESUME, T_KILL, T_EXEC, T_RESIZE, T_CLOSEIO, T_UPDATE,
  T_WAIT, T_STATS, T_CONNECT, T_START_OPTIONS,
};

#define ID "3f5c1e0b9a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"
#define BUNDLE "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID
#define FIFO "/run/containerd/io.containerd.grpc.v1.cri/containers/" ID "/io/2960485263/" ID

static const char *dir;

static void
write_seed (const char *name, int type, const ProtobufCMessage *m)
{
  size_t len = protobuf_c_message_get_packed_size (m);
  guint8 *buf = g_malloc (len + 1);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  buf[0] = (guint8) type;
  protobuf_c_message_pack (m, buf + 1);
  if (!g_file_set_contents (path, (const char *) buf, (gssize) len + 1, &error))
    {
      fprintf (stderr, "gen-task: %s\n", error->message);
      exit (1);
    }
  g_free (buf);
}

/* An Any holding runtimeoptions.v1.Options (config_path or config_body), packed into *any. */
static void
options_any (Google__Protobuf__Any *any, const char *config_path, const char *config_body)
{
  Runtimeoptions__V1__Options ro = RUNTIMEOPTIONS__V1__OPTIONS__INIT;
  ro.type_url = (char *) "io.containerd.runsc.v1.options";
  if (config_path)
    ro.config_path = (char *) config_path;
  if (config_body)
    {
      ro.config_body.data = (guint8 *) config_body;
      ro.config_body.len = strlen (config_body);
    }
  any->type_url = (char *) "runtimeoptions.v1.Options";
  any->value.len = runtimeoptions__v1__options__get_packed_size (&ro);
  any->value.data = g_malloc (any->value.len);
  runtimeoptions__v1__options__pack (&ro, any->value.data);
}

int
main (int argc, char **argv)
{
  static const char body[] = "TypeUrl = \"io.containerd.runsc.v1.options\"\n"
                             "binary_name = \"/usr/bin/runsc\"\n"
                             "log_path = \"/var/log/runsc/%ID%/shim.log\"\n"
                             "log_level = \"debug\"\n"
                             "[runsc_config]\n"
                             "  debug = \"true\"\n"
                             "  debug-log = \"/var/log/runsc/%ID%/\"\n"
                             "  \"net-raw\" = \"true\"\n";

  if (argc != 2)
    {
      fprintf (stderr, "usage: gen-task DIR\n");
      return 2;
    }
  dir = argv[1];

  {
    Containerd__Task__V2__Mount m = CONTAINERD__TASK__V2__MOUNT__INIT, *ms[] = { &m };
    char *opts[] = { (char *) "index=off", (char *) "workdir=/var/lib/containerd/io.containerd.snapshotter.v1."
                                                    "overlayfs/snapshots/42/work",
                     (char *) "upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs",
                     (char *) "lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/7/fs" };
    Containerd__Task__V2__CreateTaskRequest r = CONTAINERD__TASK__V2__CREATE_TASK_REQUEST__INIT;
    Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;

    m.type = (char *) "overlay";
    m.source = (char *) "overlay";
    m.n_options = G_N_ELEMENTS (opts);
    m.options = opts;
    r.id = (char *) ID;
    r.bundle = (char *) BUNDLE;
    r.n_rootfs = 1;
    r.rootfs = ms;
    r.stdout = (char *) FIFO "-stdout";
    r.stderr = (char *) FIFO "-stderr";
    options_any (&any, "/etc/containerd/runsc.toml", NULL);
    r.options = &any;
    write_seed ("create-config-path", T_CREATE, &r.base);
    g_free (any.value.data);
    options_any (&any, NULL, body);
    write_seed ("create-config-body", T_CREATE, &r.base);
    write_seed ("start-options", T_START_OPTIONS, &any.base);
    g_free (any.value.data);
    r.options = NULL;
    r.terminal = TRUE;
    r.stdin = (char *) FIFO "-stdin";
    r.stderr = (char *) "";
    write_seed ("create-terminal-no-options", T_CREATE, &r.base);
  }
  {
    Containerd__Task__V2__ExecProcessRequest r = CONTAINERD__TASK__V2__EXEC_PROCESS_REQUEST__INIT;
    Google__Protobuf__Any spec = GOOGLE__PROTOBUF__ANY__INIT;
    static const char process[] = "{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH="
                                  "/usr/bin:/bin\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
                                  "\"noNewPrivileges\":true}";
    spec.type_url = (char *) "types.containerd.io/opencontainers/runtime-spec/1/Process";
    spec.value.data = (guint8 *) process;
    spec.value.len = strlen (process);
    r.id = (char *) ID;
    r.exec_id = (char *) "5a8d3e1f0b2c4d6e8f1a3b5c7d9e0f2a";
    r.stdout = (char *) FIFO "-exec-stdout";
    r.spec = &spec;
    write_seed ("exec", T_EXEC, &r.base);
    r.exec_id = (char *) "../escape";
    write_seed ("exec-bad-id", T_EXEC, &r.base);
  }
  {
    Containerd__Task__V2__KillRequest r = CONTAINERD__TASK__V2__KILL_REQUEST__INIT;
    r.id = (char *) ID;
    r.signal = 9;
    r.all = TRUE;
    write_seed ("kill-all", T_KILL, &r.base);
    r.exec_id = (char *) "5a8d3e1f0b2c4d6e8f1a3b5c7d9e0f2a";
    r.signal = 15;
    r.all = FALSE;
    write_seed ("kill-exec", T_KILL, &r.base);
  }
  {
    Containerd__Task__V2__StartRequest r = CONTAINERD__TASK__V2__START_REQUEST__INIT;
    Containerd__Task__V2__DeleteRequest d = CONTAINERD__TASK__V2__DELETE_REQUEST__INIT;
    Containerd__Task__V2__StateRequest s = CONTAINERD__TASK__V2__STATE_REQUEST__INIT;
    Containerd__Task__V2__WaitRequest w = CONTAINERD__TASK__V2__WAIT_REQUEST__INIT;
    r.id = d.id = s.id = w.id = (char *) ID;
    write_seed ("start", T_START, &r.base);
    write_seed ("delete", T_DELETE, &d.base);
    write_seed ("state", T_STATE, &s.base);
    write_seed ("wait", T_WAIT, &w.base);
    w.exec_id = (char *) "5a8d3e1f0b2c4d6e8f1a3b5c7d9e0f2a";
    write_seed ("wait-exec", T_WAIT, &w.base);
  }
  {
    Containerd__Task__V2__PidsRequest p = CONTAINERD__TASK__V2__PIDS_REQUEST__INIT;
    Containerd__Task__V2__PauseRequest pa = CONTAINERD__TASK__V2__PAUSE_REQUEST__INIT;
    Containerd__Task__V2__ResumeRequest re = CONTAINERD__TASK__V2__RESUME_REQUEST__INIT;
    Containerd__Task__V2__StatsRequest st = CONTAINERD__TASK__V2__STATS_REQUEST__INIT;
    Containerd__Task__V2__ConnectRequest c = CONTAINERD__TASK__V2__CONNECT_REQUEST__INIT;
    Containerd__Task__V2__CloseIORequest ci = CONTAINERD__TASK__V2__CLOSE_IOREQUEST__INIT;
    Containerd__Task__V2__ResizePtyRequest rp = CONTAINERD__TASK__V2__RESIZE_PTY_REQUEST__INIT;
    p.id = pa.id = re.id = st.id = c.id = ci.id = rp.id = (char *) ID;
    ci.stdin = TRUE;
    rp.width = 80;
    rp.height = 24;
    write_seed ("pids", T_PIDS, &p.base);
    write_seed ("pause", T_PAUSE, &pa.base);
    write_seed ("resume", T_RESUME, &re.base);
    write_seed ("stats", T_STATS, &st.base);
    write_seed ("connect", T_CONNECT, &c.base);
    write_seed ("close-io", T_CLOSEIO, &ci.base);
    write_seed ("resize-pty", T_RESIZE, &rp.base);
  }
  {
    Containerd__Task__V2__UpdateTaskRequest r = CONTAINERD__TASK__V2__UPDATE_TASK_REQUEST__INIT;
    Google__Protobuf__Any res = GOOGLE__PROTOBUF__ANY__INIT;
    static const char linux_res[] = "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},\"memory\":{\"limit\":"
                                    "268435456}}";
    res.type_url = (char *) "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
    res.value.data = (guint8 *) linux_res;
    res.value.len = strlen (linux_res);
    r.id = (char *) ID;
    r.resources = &res;
    write_seed ("update", T_UPDATE, &r.base);
  }
  return 0;
}
