/* The Sentry's control socket: how runsc talks to a running sandbox.
 *
 * Transport: a SOCK_SEQPACKET unix socket bound at <state dir>/sandbox.sock (runsc create binds it and hands
 * the listening fd to the Sentry; clients connect through "/proc/self/fd/<dirfd>/sandbox.sock" so that long
 * --root paths do not hit the 108-byte sun_path limit). One connection carries one request and one reply.
 * Only the Sentry's owner may connect (the directory is 0711 and the socket 0600).
 *
 * Messages are single datagrams of UTF-8 JSON (at most CONTROL_MSG_MAX bytes), optionally with file
 * descriptors attached (SCM_RIGHTS, at most 16).
 *
 * Request:  {"cmd": NAME, "id": CONTAINER, ...arguments}   ("id" absent: the sandbox's root container)
 * Reply:    {"ok": true, ...results}   or   {"ok": false, "error": "message naming what failed"}
 *
 * Commands:
 *   "state"   -> {"status": "created"|"running"|"paused"|"stopped", "init_pid": N, "exit_status": N (stopped)}
 *   "start"   -> {}                 lets the root container's init execve; fails with the init's error text
 *   "signal"  {"signal": N, "all": bool}
 *             -> {}                 signal the init, or with all every process of the container
 *   "wait"    -> {"exit_status": N} the reply is sent when the root container has exited (N is 128+sig when
 *                                   killed by signal sig)
 *   "ps"      -> {"pids": [N...]}   host pids of the container's processes, init first
 *   "pause"   -> {}                 freeze the container's cgroup (the Sentry itself is not in it)
 *   "resume"  -> {}                 thaw it
 *   "create-subcontainer" {"id", "bundle", "config": path of the spec, "console": bool}, fds: stdin, stdout,
 *             stderr[, console socket] -> {"init_pid": N}   another container of the pod joins this sandbox
 *   "destroy" -> {}                 forget a stopped subcontainer
 * A subcontainer's state directory holds a symlink sandbox.sock -> ../<sandbox id>/sandbox.sock, so that every
 * client connects the same way; its requests carry its "id".
 *   "exec"    {"id", "process": an OCI process object, "console": bool, "preserve_fds": N, "ignore_paused":
 *             bool}, fds: stdin, stdout, stderr[, console socket], then N more that become the process's fds 3..
 *             -> {"pid": N (host), "ns_pid": N (in the container's pid
 *             namespace)} with a pidfd of the process attached; the connection then stays open and carries a
 *             second reply {"ok": true, "exit_status": N} when the process exits (128+sig for a signal). If the
 *             client closes the connection first, the process is killed (runsc exec's waiter lives exactly as
 *             long as the process). See src/sentry/exec.h.
 *   "wait-pid" {"id", "pid": N (host pid, or pid in the container's namespace)} -> {"exit_status": N} once that
 *             exec'd process (or the container's init) has exited
 *   "metrics" -> {"syscalls": [{"name", "nr", "notified", "emulated", "refused"}...]}   the sandbox's counts of
 *             the system calls that reached the Sentry (runsc metric-server); numbers never seen are left out
 * Statistics and OOM events are read from the cgroup by runsc itself (runsc events). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

#define CONTROL_MSG_MAX 65536

/* Create the listening socket at <dirfd>/sandbox.sock (mode 0600). Returns the fd (O_CLOEXEC) or -1. */
int control_listen (int dirfd, GError **error);

/* Connect to <dirfd>/sandbox.sock. Returns the fd or -1 (ENOENT/ECONNREFUSED: the Sentry is gone). */
int control_connect (int dirfd, GError **error);

/* Send request (with fds) and read the reply. Returns the reply object when "ok" is true, else NULL with the
 * Sentry's error text (or the transport error). */
JsonObject *control_call (int dirfd, JsonObject *request, const int *fds, size_t n_fds, GError **error);

/* The two halves of control_call, for requests answered more than once (exec): connect and send; then read one
 * reply (with up to max_fds descriptors, missing ones -1), NULL with the Sentry's error text unless "ok". */
int control_send_request (int dirfd, JsonObject *request, const int *fds, size_t n_fds, GError **error);
JsonObject *control_read_reply (int conn, int *fds, size_t max_fds, GError **error);

/* Send request (no fds) and wait at most timeout_ms for the answer. Returns the reply whether "ok" or not (an
 * answer), or NULL with error when there was none: no socket, refused, or "no answer from the sandbox in N ms"
 * (a Sentry that is stopped or stuck still queues connections on its listening socket). */
JsonObject *control_call_within (int dirfd, JsonObject *request, int timeout_ms, GError **error);

/* control_call with a request that is just {"cmd": cmd}. */
JsonObject *control_call_simple (int dirfd, const char *cmd, GError **error);

/* A request {"cmd": cmd, "id": id} (id may be NULL: the root container). */
JsonObject *control_request_new (const char *cmd, const char *id);

/* control_call of {"cmd": cmd, "id": id}. */
JsonObject *control_call_id (int dirfd, const char *cmd, const char *id, GError **error);

/* Server side: receive one request on an accepted connection. NULL with error on EOF or bad JSON. */
JsonObject *control_recv (int conn, int *fds, size_t max_fds, GError **error);

/* Server side: check the members of a request that the Sentry reads before it acts on any: "cmd" a string;
 * "id", "bundle", "config" strings; "all", "console", "ignore_paused" booleans; "signal" an integer 0..64; "pid",
 * "preserve_fds", "nr" integers 0..INT_MAX; "process" an object. A null member counts as absent, others are
 * ignored. FALSE with an error naming the member and what it must be. */
gboolean control_request_check (JsonObject *req, GError **error);

/* Server side: send {"ok": true} merged with the members of result (may be NULL). */
gboolean control_reply_ok (int conn, JsonObject *result);

/* control_reply_ok with descriptors attached (SCM_RIGHTS). */
gboolean control_reply_ok_fds (int conn, JsonObject *result, const int *fds, size_t n_fds);

/* Server side: send {"ok": false, "error": message}. */
gboolean control_reply_error (int conn, const char *message);
