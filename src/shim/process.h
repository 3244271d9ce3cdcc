/* The shim's process model: the containers it manages, their init and exec'd processes, and how it learns that
 * one has exited (the reaper for its own children, `runsc wait` for the others) and tells containerd (TaskExit,
 * answered Wait calls). The RPCs that act on them are in task-service.c. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "shim/io.h"
#include "shim/oom.h"
#include "shim/options.h"
#include "shim/runsc-client.h"
#include "shim/ttrpc.h"
#include "task.pb-c.h"
#include "wellknown.pb-c.h"

typedef enum
{
  PROC_CREATED = CONTAINERD__TASK__V2__STATUS__CREATED,
  PROC_RUNNING = CONTAINERD__TASK__V2__STATUS__RUNNING,
  PROC_STOPPED = CONTAINERD__TASK__V2__STATUS__STOPPED,
  PROC_PAUSED = CONTAINERD__TASK__V2__STATUS__PAUSED,
} ProcStatus;

typedef struct Container Container;

typedef struct
{
  Container *c;
  char *exec_id; /* NULL for the init process */
  pid_t pid;
  guint64 start_time;
  ProcStatus status;
  gboolean exited;
  int exit_status;
  gint64 exited_at; /* µs since the epoch */
  char *stdin_uri, *stdout_uri, *stderr_uri;
  gboolean terminal;
  gboolean stdin_closed; /* CloseIO came before the process had its IO */
  ShimIO *io;
  char *spec_path;    /* exec: the process JSON */
  GPtrArray *waiters; /* TtrpcCall * */
  /* `runsc wait` for a process that is not our descendant */
  pid_t wait_pid;
  int wait_fd;
  guint wait_source;
  GString *wait_out;
} Process;

struct Container
{
  const char *ns; /* the containerd namespace (the service's) */
  char *id;
  char *bundle;
  ShimOptions *opts;
  Process *init;
  GHashTable *execs; /* exec id -> Process */
  gboolean rootfs_mounted;
  ShimOomWatch *oom;
};

/* A container with no init process yet and default options for namespace ns (not copied: it must outlive the
 * container). */
Container *shim_container_new (const char *ns, const char *id, const char *bundle);
/* Free c, its processes and its OOM watch, and unmount its rootfs. */
void shim_container_free (Container *c);
/* The runsc context (options, id, bundle) for commands on c. */
RunscCtx shim_container_ctx (Container *c);
void shim_container_unmount_rootfs (Container *c);
/* Start publishing TaskOOM for c's init (before its TaskExit). */
void shim_container_watch_oom (Container *c);

Process *shim_process_new (Container *c, const char *exec_id, const char *in, const char *out, const char *err,
                           gboolean terminal);
/* Free p; pending Wait calls are answered NOT_FOUND. */
void shim_process_free (Process *p);
/* An ExecProcessRequest's exec_id the shim accepts (it names the exec's spec file in the bundle): 1 to 128 of
 * [A-Za-z0-9-_.+], not "." or "..". */
gboolean shim_exec_id_valid (const char *id);
/* The id containerd knows p by: its exec id, or its container's. */
const char *shim_process_id (Process *p);

/* Run runsc create/exec for p with its IO and console; on success p->pid is set. In args_in, "--" marks where
 * --console-socket goes when the process has a terminal (it is dropped otherwise). */
gboolean shim_process_launch (Process *p, const char *const *args_in, const char *pid_file, GError **error);
/* Arrange to learn when p (launched) exits. */
gboolean shim_process_watch (Process *p, GError **error);

/* Record that p has stopped with status at time at. */
void shim_process_mark_stopped (Process *p, int status, gint64 at);
/* Answer the Wait calls waiting for p (stopped). */
void shim_process_answer_waiters (Process *p);
/* Answer one Wait call for p (stopped). */
void shim_process_reply_wait (TtrpcCall *call, Process *p);

void shim_timestamp_set (Google__Protobuf__Timestamp *ts, gint64 us);
