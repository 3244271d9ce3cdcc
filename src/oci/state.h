/* The state store: one directory per container under --root.
 *
 * Layout of <root>/<id>/ (mode 0711):
 *   state.json    our record of the container (RunscState below), written atomically (temp file + rename)
 *   config.json   the copy of the spec that create read (the Sentry loads this one)
 *   sandbox.sock  the Sentry's control socket (see src/sentry/control.h)
 *   exit-status   "N\n", written atomically by the Sentry when the root container's init exits, before the
 *                 Sentry itself exits (N is the exit code, 128+signal when killed by a signal)
 *
 * Locking: flock(LOCK_EX) on the directory's fd (O_CLOEXEC, so the Sentry never inherits it). Every command
 * that changes a container holds it; after acquiring it the directory is checked to still exist (st_nlink != 0),
 * so a command that waited for a concurrent delete fails with "container X does not exist". Readers (list, the
 * status query) may read state.json without the lock: it is only ever replaced by rename.
 *
 * Status is never trusted from disk: a container whose Sentry is dead (pid + start time, which guards against
 * pid reuse) is stopped; otherwise the Sentry is asked, through the status query the caller registers (runsc's
 * asks over the control socket: src/cli/sandbox-status.c), so that the store does not depend on the Sentry. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define STATE_SOCKET_FILE "sandbox.sock"
#define STATE_EXIT_FILE "exit-status"

typedef struct
{
  char *id;
  char *bundle;            /* absolute */
  char *rootfs;            /* absolute */
  char *created;           /* RFC 3339 */
  char *owner;             /* user name of the creator ("" when unknown) */
  GHashTable *annotations; /* char * -> char *, never NULL */
  char *sandbox_id;        /* the sandbox (Sentry) this container runs in; == id for a root container, else a
                            * subcontainer, whose sandbox.sock is a symlink to the sandbox's */
  pid_t sandbox_pid;       /* the Sentry's pid */
  guint64 sandbox_start_time; /* field 22 of /proc/PID/stat of the Sentry, guards pid reuse */
  pid_t init_pid;          /* host pid of the container's init */
  char *config_path;       /* <dir>/config.json */
  guint64 start_latency_us; /* root container: from runsc create's start to the Sentry's "created" (0: unknown) */
} RunscState;

RunscState *runsc_state_new (void);
void runsc_state_free (RunscState *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunscState, runsc_state_free)

/* A container's directory, opened and locked (while the struct lives). */
typedef struct
{
  char *root;
  char *id;
  char *path; /* <root>/<id> */
  int dirfd;  /* locked with flock(LOCK_EX) */
} StateDir;

void state_dir_free (StateDir *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StateDir, state_dir_free)

/* Container IDs: non-empty, at most 1024 bytes, letters, digits and _ + - . only, not "." or ".."
 * (runc's rule; this also rules out "/" and ".."). Error: "invalid container ID "x": ...". */
gboolean state_validate_id (const char *id, GError **error);

/* Create <root> (mode 0711, parents as needed) and <root>/<id> (0711), and lock it.
 * RUNSC_ERROR_EXISTS "container with id X already exists" if it is there. */
StateDir *state_dir_create (const char *root, const char *id, GError **error);

/* Open and lock an existing container's directory. RUNSC_ERROR_NOT_FOUND "container X does not exist". */
StateDir *state_dir_open (const char *root, const char *id, GError **error);

/* Like state_dir_open but without taking the lock (for readers: list, state of a busy container). */
StateDir *state_dir_open_unlocked (const char *root, const char *id, GError **error);

/* TRUE when another process holds d's lock (a create still in progress, when there is no state.json yet).
 * d may be unlocked (state_dir_open_unlocked); a locked d is its own holder and gives FALSE. */
gboolean state_dir_busy (StateDir *d);

/* Remove everything in the directory and the directory itself (the lock is kept until the struct is freed;
 * waiters then see st_nlink == 0). */
gboolean state_dir_remove (StateDir *d, GError **error);

/* Write state.json atomically. */
gboolean state_save (StateDir *d, const RunscState *st, GError **error);

/* Read state.json. RUNSC_ERROR_NOT_FOUND when it is not written yet (create in progress). */
RunscState *state_load (StateDir *d, GError **error);
/* Parse the text of a state.json (what names it in errors). Fields of the wrong type read as absent. */
RunscState *state_parse (const char *data, gssize len, const char *what, GError **error);

/* The exit status written by the Sentry; FALSE (no error) when there is none. */
gboolean state_read_exit_status (StateDir *d, int *status);

/* IDs of the containers under root, sorted (an empty array when root does not exist). */
GPtrArray *state_list_ids (const char *root, GError **error);

/* How long state_status waits for the Sentry's answer, and for an unanswering Sentry to exit. */
#define STATE_QUERY_TIMEOUT_MS 10000
#define STATE_EXIT_GRACE_MS 2000

/* How the store asks a live sandbox for container id's status: at most timeout_ms for an answer; then *status is
 * "created", "running", "paused" or "stopped" (static strings) and *exit_status the exit status when stopped and
 * known (else -1). FALSE with error when the sandbox gave no answer (no socket, refused, none in time). */
typedef gboolean (*StateStatusQuery) (StateDir *d, const char *id, int timeout_ms, const char **status,
                                      int *exit_status, GError **error);
/* Register the query (once, at start-up). Without one a live sandbox does not answer (see state_status). */
void state_set_status_query (StateStatusQuery query);

/* The container's status: "stopped" when its Sentry is dead (pid + start time), or ends within
 * STATE_EXIT_GRACE_MS of failing to answer (it was exiting), or answers stopped; else what the Sentry says
 * ("created", "running", "paused"). A Sentry that stays alive without answering within STATE_QUERY_TIMEOUT_MS
 * (busy, stopped, stuck) is "unknown" (with a warning): never "stopped", since its container may be running.
 * *exit_status (may be NULL) is set when stopped and known, else -1. */
const char *state_status (StateDir *d, const RunscState *st, int *exit_status);
/* The same with the answer awaited for at most timeout_ms (the grace is the smaller of the two). */
const char *state_status_timeout (StateDir *d, const RunscState *st, int *exit_status, int timeout_ms);

/* The pid runsc reports: the sandbox's for a root container, the init's for a subcontainer, 0 when stopped. */
pid_t state_pid (const RunscState *st, const char *status);

/* runc's state JSON (ociVersion, id, pid, status, bundle, rootfs, created, owner, annotations), pretty printed.
 * pid is the sandbox's for a root container, the init's for a subcontainer, 0 when stopped (as runc does). */
char *state_oci_json (const RunscState *st, const char *status, gboolean pretty);

/* The state object given to hooks on stdin (ociVersion, id, status, pid, bundle, annotations). */
char *state_hook_json (const char *id, const char *status, pid_t pid, const char *bundle, GHashTable *annotations);
