/* The sandbox process (runsc-sandbox, the Sentry): boot, then supervise the sandbox until its root container
 * exits.
 *
 * `runsc create` binds the control socket in the container's state directory, opens a sync pipe, and forks the
 * sandbox process, which is `runsc-sandbox [global flags] boot --id ID --bundle B --state-dir D --control-fd N
 * --sync-fd N --fuse-fd N [--console-fd N]`: the child calls the boot directly (src/cli/boot-fork.c), or execs
 * /proc/self/exe with those arguments when runsc has more than one thread. The stdio it inherits becomes the container's stdio; the Sentry
 * itself never writes to it (it logs to --log / --debug-log) and points its own 0-2 at /dev/null once the
 * container has its copies.
 *
 * Boot (sentry_boot):
 *   1. PR_SET_CHILD_SUBREAPER (orphans of the container are reaped here), signals blocked and read from a
 *      signalfd (except around the fork of the init, which must start with a clean mask).
 *   2. Load <state dir>/config.json; apply --network (host: no network namespace; none: a new one) and --net-raw
 *      (without it CAP_NET_RAW is removed from every capability set, as gVisor does).
 *   3. sentry_kernel_new (release: the annotation dev.gvisor.kernel-release, else --kernel-release),
 *      container_enter_sandbox_namespaces, container_spawn (sandbox filter = sentry_kernel_filter, rootfs overlay
 *      from --overlay2), sentry_kernel_serve on the listener it returns.
 *   4. Fork the spawner (spawner.h: from now on it does what needs privilege: FUSE mounts, pod members' inits,
 *      runsc exec's processes) and confine the Sentry (confine.h: capabilities, no_new_privs, its own allowlist
 *      from sentry-table.h, in every thread). A failure of either fails the creation.
 *   5. Report "created <init pid>\n" on the sync pipe, or "error <message>\n" and exit 1.
 * Supervise: a poll loop over the control socket and the signalfd.
 *   - SIGCHLD: waitpid(-1) until nothing is left to reap; when the root init exits, write <state dir>/exit-status
 *     atomically, SIGKILL every remaining process of the sandbox, answer pending "wait" requests, and exit with
 *     the container's status (128+N when killed by signal N).
 *   - SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM: forwarded to the root init.
 *   - Control requests (src/sentry/control.h): start, state, signal, wait, ps, pause, resume, the pod's
 *     subcontainers, and exec / wait-pid (src/sentry/exec.h: processes started in a running container, whose
 *     clients' connections are polled too, so that a client that goes away takes its process along).
 * The init is forked from the main thread only (PR_SET_PDEATHSIG follows the forking thread), so the Sentry's
 * death kills the sandbox (fail closed). */
#pragma once

#include <glib.h>

#include "sentry/sentry.h"

typedef struct
{
  const char *id;
  const char *bundle;    /* absolute */
  const char *state_dir; /* <root>/<id> */
  int control_fd;        /* listening control socket */
  int sync_fd;           /* write end of the sync pipe to runsc create */
  int console_fd;        /* connected --console-socket, or -1 */
  int fuse_fd;           /* an open /dev/fuse for the root container's sandbox kernel files (sentry/vfs.h) */
  SentryOptions options; /* release: --kernel-release or NULL (the annotation wins over it; default 4.4.0) */
  gboolean rootfs_overlay; /* --overlay2=root:memory */
  const char *network;     /* "sandbox", "host" or "none" */
  gboolean userns;         /* --userns-base given: the sandbox's own user namespace (src/container/userns.h) */
  guint32 userns_base;     /* its first host id */
} SentryBootArgs;

/* Boot and supervise; returns the process exit status (the root container's), or 1 on a boot failure (which
 * has been reported over the sync pipe and logged). */
int sentry_boot (const SentryBootArgs *args);
