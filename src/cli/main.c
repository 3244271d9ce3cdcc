/* runsc: global flags and subcommand dispatch.
 *
 * `runsc [global flags] COMMAND [command flags] [arguments]`. Global flags come before the command (runc's
 * rule); an unknown one is an error naming it. A command returns the process exit status; a failure exits 1 with
 * the message on stderr and in the --log file (JSON lines with --log-format json, where containerd's runc shim
 * reads the last error). The Sentry is this same binary started as `runsc-sandbox ... boot`. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sandbox-status.h"
#include "container/userns-pool.h"
#include "common/error.h"
#include "common/log.h"

const RunscCommand runsc_commands[] = {
  { "boot", cmd_boot, "start the sandbox process (internal)", TRUE },
  { "create", cmd_create, "create a container", FALSE },
  { "do", cmd_do, "run a host command in a sandbox over the host's root filesystem, writes kept in memory", FALSE },
  { "delete", cmd_delete, "delete a container and the resources it holds", FALSE },
  { "events", cmd_events, "display container events and statistics", FALSE },
  { "exec", cmd_exec, "execute a new process inside a container", FALSE },
  { "help", cmd_help, "list the commands, or describe one (help syscalls: the syscall table)", FALSE },
  { "install", cmd_install, "register runsc with Docker, or with containerd (--containerd)", FALSE },
  { "kill", cmd_kill, "send a signal to a container's init (or all its processes)", FALSE },
  { "list", cmd_list, "list the containers under --root", FALSE },
  { "metric-server", cmd_metric_server, "serve the sandboxes' metrics in Prometheus format (foreground)", FALSE },
  { "pause", cmd_pause, "pause every process of a container", FALSE },
  { "ps", cmd_ps, "list the processes of a container", FALSE },
  { "resume", cmd_resume, "resume a paused container", FALSE },
  { "run", cmd_run, "create and start a container (and wait for it unless --detach)", FALSE },
  { "spec", cmd_spec, "write a default config.json", FALSE },
  { "start", cmd_start, "start a created container", FALSE },
  { "state", cmd_state, "print the state of a container as JSON", FALSE },
  { "uninstall", cmd_uninstall, "undo runsc install (Docker, or containerd with --containerd)", FALSE },
  { "update", cmd_update, "update a container's resource limits", FALSE },
  { "wait", cmd_wait, "wait for a container to exit and print its exit status", FALSE },
  { NULL, NULL, NULL, FALSE },
};

const RunscCommand *
runsc_find_command (const char *name)
{
  const RunscCommand *c;

  for (c = runsc_commands; c->name != NULL; c++)
    if (strcmp (c->name, name) == 0)
      return c;
  return NULL;
}

static void
print_version (void)
{
  printf ("runsc version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION, GIT_COMMIT, OCI_SPEC_VERSION);
}

static RunscGlobal global;
static gboolean show_version, show_help;

/* gVisor's global flags that callers configured for gVisor pass (containerd's runsc.toml [runsc_config], Docker's
 * runtimeArgs). They select things this runtime has one way of doing; runsc(8) says what each one means here.
 * Accepted with the values gVisor accepts and otherwise ignored, except where ignoring a value would give the
 * caller something it did not ask for: that value is an error (check_gvisor_flags). */
static struct
{
  char *platform, *panic_log, *debug_log_format, *file_access, *file_access_mounts, *host_uds, *host_fifo;
  char *watchdog_action, *debug_command;
  gboolean alsologtostderr, directfs, oci_seccomp, ignore_cgroups, nvproxy, tpuproxy, gso, software_gso;
  gboolean profile, cpu_num_from_quota, vfs2, fuse;
  int num_network_channels, panic_signal;
} gv;

static const RunscFlag global_flags[] = {
  { "root", RUNSC_FLAG_STRING, &global.root, "DIR",
    "state directory (default $XDG_RUNTIME_DIR/runsc when set, else /var/run/runsc)" },
  { "log", RUNSC_FLAG_STRING, &global.log, "FILE", "write runsc's log to FILE (default stderr)" },
  { "log-format", RUNSC_FLAG_STRING, &global.log_format, "FORMAT", "log format: text (default) or json" },
  { "debug", RUNSC_FLAG_BOOL, &global.debug, NULL, "log debug messages" },
  { "debug-log", RUNSC_FLAG_STRING, &global.debug_log, "PATH",
    "also write debug logs to PATH (%ID%, %COMMAND%, %TIMESTAMP% substituted; a directory ending in / gets one "
    "file per command)" },
  { "systemd-cgroup", RUNSC_FLAG_BOOL, &global.systemd_cgroup, NULL, "use systemd to manage cgroups" },
  { "rootless", RUNSC_FLAG_BOOL, &global.rootless, NULL, "rootless mode (not supported: only false is accepted)" },
  { "strace", RUNSC_FLAG_BOOL, &global.strace, NULL, "log the application's system calls" },
  { "strace-syscalls", RUNSC_FLAG_STRING, &global.strace_syscalls, "LIST",
    "comma-separated system calls to trace (default all)" },
  { "net-raw", RUNSC_FLAG_BOOL, &global.net_raw, NULL, "keep CAP_NET_RAW and allow raw and packet sockets" },
  { "network", RUNSC_FLAG_STRING, &global.network, "MODE", "network: sandbox (default), host or none" },
  { "overlay2", RUNSC_FLAG_STRING, &global.overlay2, "MODE",
    "root filesystem overlay: root:memory (default) or none" },
  { "userns", RUNSC_FLAG_STRING, &global.userns, "MODE",
    "auto (default): each sandbox gets a user namespace mapping its ids 0-65535 to a host range of its own, and "
    "idmapped mounts; host: none, container root is host root" },
  { "userns-pool", RUNSC_FLAG_STRING, &global.userns_pool, "BASE:COUNT",
    "host id ranges for --userns=auto: COUNT ranges of 65536 ids from BASE (default " USERNS_POOL_DEFAULT ")" },
  { "kernel-release", RUNSC_FLAG_STRING, &global.kernel_release, "RELEASE",
    "release the sandbox kernel reports (default 4.4.0; annotation dev.gvisor.kernel-release)" },
  { "metric-server", RUNSC_FLAG_STRING, &global.metric_server, "ADDR",
    "address runsc metric-server serves on: loopback HOST:PORT or unix:/PATH" },
  /* gVisor compatibility (see gv above). */
  { "platform", RUNSC_FLAG_STRING, &gv.platform, "NAME",
    "gVisor platform: systrap, ptrace or kvm accepted (interception is always seccomp user notification)" },
  { "panic-log", RUNSC_FLAG_STRING, &gv.panic_log, "PATH", "accepted, no effect (the Sentry does not panic)" },
  { "debug-log-format", RUNSC_FLAG_STRING, &gv.debug_log_format, "FORMAT",
    "text, json or json-k8s accepted; --debug-log is written in --log-format" },
  { "debug-command", RUNSC_FLAG_STRING, &gv.debug_command, "LIST", "accepted, no effect (every command logs)" },
  { "alsologtostderr", RUNSC_FLAG_BOOL, &gv.alsologtostderr, NULL, "accepted, no effect" },
  { "file-access", RUNSC_FLAG_STRING, &gv.file_access, "MODE", "exclusive or shared accepted, no effect" },
  { "file-access-mounts", RUNSC_FLAG_STRING, &gv.file_access_mounts, "MODE",
    "shared, exclusive or dentry accepted, no effect" },
  { "directfs", RUNSC_FLAG_BOOL, &gv.directfs, NULL, "accepted, no effect (the Sentry always opens files itself)" },
  { "host-uds", RUNSC_FLAG_STRING, &gv.host_uds, "MODE", "none, open, create or all accepted, no effect" },
  { "host-fifo", RUNSC_FLAG_STRING, &gv.host_fifo, "MODE", "none or open accepted, no effect" },
  { "oci-seccomp", RUNSC_FLAG_BOOL, &gv.oci_seccomp, NULL, "accepted, no effect (the OCI profile always applies)" },
  { "ignore-cgroups", RUNSC_FLAG_BOOL, &gv.ignore_cgroups, NULL, "not supported: only false is accepted" },
  { "nvproxy", RUNSC_FLAG_BOOL, &gv.nvproxy, NULL, "not supported: only false is accepted" },
  { "tpuproxy", RUNSC_FLAG_BOOL, &gv.tpuproxy, NULL, "not supported: only false is accepted" },
  { "gso", RUNSC_FLAG_BOOL, &gv.gso, NULL, "accepted, no effect" },
  { "software-gso", RUNSC_FLAG_BOOL, &gv.software_gso, NULL, "accepted, no effect" },
  { "num-network-channels", RUNSC_FLAG_INT, &gv.num_network_channels, "N", "accepted, no effect" },
  { "watchdog-action", RUNSC_FLAG_STRING, &gv.watchdog_action, "ACTION", "log or panic accepted, no effect" },
  { "panic-signal", RUNSC_FLAG_INT, &gv.panic_signal, "SIGNAL", "accepted, no effect" },
  { "profile", RUNSC_FLAG_BOOL, &gv.profile, NULL, "accepted, no effect" },
  { "cpu-num-from-quota", RUNSC_FLAG_BOOL, &gv.cpu_num_from_quota, NULL,
    "accepted, no effect (the CPU count always follows the cgroup limits)" },
  { "vfs2", RUNSC_FLAG_BOOL, &gv.vfs2, NULL, "accepted, no effect" },
  { "fuse", RUNSC_FLAG_BOOL, &gv.fuse, NULL, "accepted, no effect" },
  { "version", RUNSC_FLAG_BOOL, &show_version, NULL, "print the version" },
  { "help", RUNSC_FLAG_BOOL, &show_help, NULL, "print this help" },
  { "", 0, NULL, NULL, NULL },
};

static void
print_usage (FILE *out)
{
  const RunscCommand *c;

  fprintf (out, "Usage: runsc [global flags] COMMAND [flags] [arguments]\n\nCommands:\n");
  for (c = runsc_commands; c->name != NULL; c++)
    if (!c->internal)
      fprintf (out, "  %-13s %s\n", c->name, c->summary);
  fprintf (out, "\nGlobal flags:\n");
  runsc_flags_print (global_flags, out);
}

/* value is NULL (not given) or one of the NULL-terminated choices; else an error naming the flag. */
static gboolean
check_choice (const char *flag, const char *value, const char *const *choices, GError **error)
{
  g_autofree char *list = NULL;

  if (value == NULL || g_strv_contains (choices, value))
    return TRUE;
  list = g_strjoinv (", ", (char **) choices);
  return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "unsupported --%s %s: expected one of %s", flag, value,
                          list);
}

/* gVisor's flags: the values gVisor knows are accepted; the ones this runtime cannot honour are errors. */
static gboolean
check_gvisor_flags (GError **error)
{
  static const char *const platforms[] = { "systrap", "ptrace", "kvm", NULL };
  static const char *const log_formats[] = { "text", "json", "json-k8s", NULL };
  static const char *const file_access[] = { "exclusive", "shared", NULL };
  static const char *const file_access_mounts[] = { "shared", "exclusive", "dentry", NULL };
  static const char *const host_uds[] = { "none", "open", "create", "all", NULL };
  static const char *const host_fifo[] = { "none", "open", NULL };
  static const char *const watchdog[] = { "log", "panic", NULL };

  if (!check_choice ("platform", gv.platform, platforms, error)
      || !check_choice ("debug-log-format", gv.debug_log_format, log_formats, error)
      || !check_choice ("file-access", gv.file_access, file_access, error)
      || !check_choice ("file-access-mounts", gv.file_access_mounts, file_access_mounts, error)
      || !check_choice ("host-uds", gv.host_uds, host_uds, error)
      || !check_choice ("host-fifo", gv.host_fifo, host_fifo, error)
      || !check_choice ("watchdog-action", gv.watchdog_action, watchdog, error))
    return FALSE;
  if (gv.ignore_cgroups)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "--ignore-cgroups: not supported; the sandbox always runs in the spec's cgroups");
  if (gv.nvproxy || gv.tpuproxy)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED, "--%s: device proxies (GPU, TPU) are not supported",
                            gv.nvproxy ? "nvproxy" : "tpuproxy");
  return TRUE;
}

/* Check the global flags' values once, so commands can rely on them. */
static gboolean
check_globals (RunscGlobal *g, GError **error)
{
  if (!runsc_log_parse_format (g->log_format != NULL ? g->log_format : "text", &g->log_format_value, error)
      || !check_gvisor_flags (error))
    return FALSE;
  if (g->rootless)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "--rootless: rootless mode is not supported; run runsc as root");
  if (g->network == NULL)
    g->network = g_strdup (strcmp (g->command, "do") == 0 ? "none" : "sandbox"); /* runsc-do(8) */
  if (strcmp (g->network, "sandbox") != 0 && strcmp (g->network, "host") != 0 && strcmp (g->network, "none") != 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --network %s: expected sandbox, host or none",
                            g->network);
  if (g->overlay2 == NULL)
    g->overlay2 = g_strdup ("root:memory");
  if (strcmp (g->overlay2, "root:memory") != 0 && strcmp (g->overlay2, "none") != 0)
    return runsc_error_set (error, RUNSC_ERROR_UNSUPPORTED,
                            "unsupported --overlay2 %s: expected root:memory or none", g->overlay2);
  if (g->userns == NULL)
    g->userns = g_strdup ("auto");
  if (strcmp (g->userns, "auto") != 0 && strcmp (g->userns, "host") != 0)
    return runsc_error_set (error, RUNSC_ERROR_INVALID, "invalid --userns %s: expected auto or host", g->userns);
  if (g->userns_pool == NULL)
    g->userns_pool = g_strdup (USERNS_POOL_DEFAULT);
  {
    UsernsPool pool;
    if (!userns_pool_parse (g->userns_pool, "--userns-pool", &pool, error))
      return FALSE;
  }
  if (g->root == NULL || *g->root == '\0')
    {
      const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
      g_free (g->root);
      g->root = xdg != NULL && *xdg != '\0' ? g_build_filename (xdg, "runsc", NULL) : g_strdup ("/var/run/runsc");
    }
  if (!g_path_is_absolute (g->root))
    {
      g_autofree char *rel = g->root;
      g->root = g_canonicalize_filename (rel, NULL);
    }
  return TRUE;
}

static int
report_error (RunscGlobal *g, GError *error)
{
  log_error ("%s", error->message);
  /* With --log the line went to the file; the caller's stderr gets it too. */
  if (g->log != NULL && *g->log != '\0')
    fprintf (stderr, "runsc: %s\n", error->message);
  return 1;
}

/* Descriptors 0-2 are open from here on (on /dev/null when the caller closed them): otherwise the first files
 * runsc opens would take their numbers, and the sandbox process, which points 0-2 at /dev/null once its container
 * has its own copies (src/sentry/boot.c), would close its signalfd or control socket with them. */
static void
open_stdio (void)
{
  int fd;

  while ((fd = open ("/dev/null", O_RDWR)) >= 0 && fd <= 2)
    ;
  if (fd > 2)
    close (fd);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const RunscCommand *cmd;
  int idx, rc;

  open_stdio ();
  global.argv0 = argv[0];
  state_set_status_query (cli_sandbox_status_query);
  global.argv_area = argv[0];
  global.argv_area_len = (size_t) (argv[argc - 1] + strlen (argv[argc - 1]) + 1 - argv[0]);
  idx = runsc_flags_parse (global_flags, argc, argv, &error);
  if (idx < 0)
    {
      fprintf (stderr, "runsc: %s\n", error->message);
      return 1;
    }
  if (show_version)
    {
      print_version ();
      return 0;
    }
  if (show_help)
    {
      print_usage (stdout);
      return 0;
    }
  if (idx >= argc)
    {
      print_usage (stderr);
      return 1;
    }
  cmd = runsc_find_command (argv[idx]);
  if (cmd == NULL)
    {
      fprintf (stderr, "runsc: unknown command \"%s\"; run 'runsc help' for the list\n", argv[idx]);
      return 1;
    }
  global.command = cmd->name;
  if (!check_globals (&global, &error))
    return report_error (&global, error);
  if (!runsc_log_init (global.log, global.log_format_value, global.debug, &error))
    {
      fprintf (stderr, "runsc: %s\n", error->message);
      return 1;
    }
  cli_open_debug_log (&global);
  log_debug ("runsc %s (argv[0] %s, root %s)", cmd->name, argv[0], global.root);

  rc = cmd->fn (&global, argc - idx, argv + idx, &error);
  if (rc < 0)
    {
      if (error == NULL)
        runsc_error_set (&error, RUNSC_ERROR_FAILED, "%s failed", cmd->name);
      return report_error (&global, error);
    }
  return rc;
}
