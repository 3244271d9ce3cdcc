/* The runsc command line: global options, the flag parser and the subcommand table. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "common/log.h"
#include "oci/state.h"

/* Global flags (runsc(8) GLOBAL OPTIONS). */
typedef struct
{
  char *root;          /* --root, resolved: $XDG_RUNTIME_DIR/runsc or /var/run/runsc when not given */
  char *log;           /* --log */
  char *log_format;    /* --log-format text|json */
  gboolean debug;      /* --debug */
  char *debug_log;     /* --debug-log, %ID% and %COMMAND% substituted; a trailing / means one file per command */
  gboolean systemd_cgroup; /* --systemd-cgroup */
  gboolean rootless;   /* --rootless */
  gboolean strace;     /* --strace */
  char *strace_syscalls; /* --strace-syscalls=a,b,c */
  gboolean net_raw;    /* --net-raw */
  char *network;       /* --network sandbox|host|none */
  char *overlay2;      /* --overlay2 root:memory|none */
  char *userns;        /* --userns auto|host: a user namespace of its own for every sandbox (default), or none */
  char *userns_pool;   /* --userns-pool BASE:COUNT: the host id ranges sandboxes' user namespaces map to */
  char *kernel_release; /* --kernel-release */
  char *metric_server;  /* --metric-server ADDR: where runsc metric-server serves (gVisor's global flag) */
  const char *command; /* the subcommand being run */
  /* Filled in by main and the commands (src/cli/common.c), not flags: */
  RunscLogFormat log_format_value;
  const char *id;            /* the container ID once the command knows it (for %ID% in --debug-log) */
  gboolean debug_log_opened; /* --debug-log has been opened (it waits for the ID when it names %ID%) */
  const char *argv0;         /* how runsc was invoked */
  char *argv_area;           /* the process's argument strings, contiguous (rewritten by src/cli/boot-fork.c) */
  size_t argv_area_len;
} RunscGlobal;

typedef enum
{
  RUNSC_FLAG_BOOL,   /* gboolean *: --f, --f=true, --f=false */
  RUNSC_FLAG_STRING, /* char **: --f v, --f=v (g_free'd when set again) */
  RUNSC_FLAG_INT,    /* int *: --f 5, --f=5 */
  RUNSC_FLAG_STRV,   /* GPtrArray * of char *: repeatable, --f a --f b */
} RunscFlagType;

typedef struct
{
  const char *name;     /* without dashes; "" ends the table */
  RunscFlagType type;
  void *target;
  const char *arg_name; /* for help: "FILE", NULL for booleans */
  const char *help;
} RunscFlag;

/* Parse the flags at the start of argv (argv[0] is the subcommand name), single or double dash, until the first
 * non-flag word or "--". Returns the index of the first positional argument, or -1 with error naming the flag. */
int runsc_flags_parse (const RunscFlag *flags, int argc, char **argv, GError **error);

/* Print "  --name ARG   help" lines for a flag table. */
void runsc_flags_print (const RunscFlag *flags, FILE *out);

/* A subcommand: returns the process exit status (>= 0), or -1 with error set (runsc exits 1 and reports it). */
typedef int (*RunscCommandFn) (RunscGlobal *global, int argc, char **argv, GError **error);

typedef struct
{
  const char *name;
  RunscCommandFn fn;
  const char *summary; /* one line for `runsc help` */
  gboolean internal;   /* not listed (boot) */
} RunscCommand;

/* What runsc create hands the sandbox process: the flags of `runsc boot`. */
typedef struct
{
  const char *id;
  const char *bundle;    /* absolute */
  const char *state_dir; /* <root>/<id> */
  int control_fd;        /* listening control socket */
  int sync_fd;           /* write end of the sync pipe to runsc create */
  int console_fd;        /* connected --console-socket, or -1 */
  int user_log_fd;       /* --user-log, opened for append, or -1 */
  int fuse_fd;           /* an open /dev/fuse */
  guint32 userns_base;   /* first host id of the sandbox's user namespace range, or 0: none (userns.h) */
} CliBootParams;

/* Be the sandbox process (src/cli/cmd-boot.c): returns its exit status. */
int cli_boot (RunscGlobal *g, const CliBootParams *p);

/* runsc create's child becomes the sandbox process without an execve (src/cli/boot-fork.c). */
gboolean cli_boot_can_fork (void);
G_GNUC_NORETURN void cli_boot_forked (RunscGlobal *g, const CliBootParams *p);

/* Every subcommand, one per src/cli/cmd-NAME.c. */
int cmd_boot (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_create (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_do (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_delete (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_events (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_exec (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_help (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_install (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_kill (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_list (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_metric_server (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_pause (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_ps (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_resume (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_run (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_spec (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_start (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_state (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_uninstall (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_update (RunscGlobal *g, int argc, char **argv, GError **error);
int cmd_wait (RunscGlobal *g, int argc, char **argv, GError **error);

extern const RunscCommand runsc_commands[];

/* Look a command up by name (NULL if unknown). */
const RunscCommand *runsc_find_command (const char *name);

/* Helpers shared by the commands (src/cli/common.c). */

/* Parse a command's flags (argv[0] is the command name); "--help"/"-h" prints usage and the flags and returns 0
 * with *done set. Checks the number of positional arguments (max -1: any). Returns the index of the first
 * positional argument, or -1 with error. */
int cli_parse (RunscGlobal *g, const RunscFlag *flags, int argc, char **argv, int min_args, int max_args,
               const char *usage, gboolean *done, GError **error);

/* The container ID is known: record it (and open --debug-log if it waited for %ID%). */
void cli_set_id (RunscGlobal *g, const char *id);

/* Open container id's state directory under --root (taking its lock when locked) and load its state. FALSE with
 * error when either fails (*d may be set then; the caller frees it). */
gboolean cli_load_container (const RunscGlobal *g, const char *id, gboolean locked, StateDir **d, RunscState **st,
                             GError **error);

/* Connect to the caller's console socket (a path of any length: through /proc/self/fd of its directory). Returns
 * the connected socket, or -1 with error. */
int cli_connect_console_socket (const char *path, GError **error);

/* Open --debug-log for g->command (and g->id when known). */
void cli_open_debug_log (RunscGlobal *g);

/* The global flags as arguments for a child runsc (the Sentry): NULL-terminated, appended to args. */
void cli_global_args (const RunscGlobal *g, GPtrArray *args);
