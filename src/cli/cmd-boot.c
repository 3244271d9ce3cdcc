/* runsc boot: the sandbox process (internal; runsc create starts it as runsc-sandbox). See src/sentry/boot.h. */
#include "config.h"

#include <fcntl.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "sentry/boot.h"
#include "sentry/user-log.h"

int
cmd_boot (RunscGlobal *g, int argc, char **argv, GError **error)
{
  g_autofree char *id = NULL, *bundle = NULL, *state_dir = NULL;
  int control_fd = -1, sync_fd = -1, console_fd = -1, user_log_fd = -1, fuse_fd = -1;
  g_autofree char *userns_base = NULL;
  const RunscFlag flags[] = {
    { "id", RUNSC_FLAG_STRING, &id, "ID", "container ID" },
    { "bundle", RUNSC_FLAG_STRING, &bundle, "DIR", "bundle directory (absolute)" },
    { "state-dir", RUNSC_FLAG_STRING, &state_dir, "DIR", "the container's state directory" },
    { "control-fd", RUNSC_FLAG_INT, &control_fd, "FD", "listening control socket" },
    { "sync-fd", RUNSC_FLAG_INT, &sync_fd, "FD", "pipe to report the result of the boot on" },
    { "console-fd", RUNSC_FLAG_INT, &console_fd, "FD", "connected console socket" },
    { "user-log-fd", RUNSC_FLAG_INT, &user_log_fd, "FD", "the user log (runsc create --user-log), opened for append" },
    { "fuse-fd", RUNSC_FLAG_INT, &fuse_fd, "FD", "an open /dev/fuse for the container's sandbox kernel files" },
    { "userns-base", RUNSC_FLAG_STRING, &userns_base, "ID",
      "first host id of the sandbox's user namespace range (runsc create allocates it; src/container/userns.h)" },
    { "", 0, NULL, NULL, NULL },
  };
  gboolean done;

  if (cli_parse (g, flags, argc, argv, 0, 0, "boot --id ID --bundle DIR --state-dir DIR --control-fd FD --sync-fd FD --fuse-fd FD",
                 &done, error)
      < 0)
    return -1;
  if (done)
    return 0;
  if (id == NULL || bundle == NULL || state_dir == NULL || control_fd < 0 || sync_fd < 0 || fuse_fd < 0)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID,
                       "boot is internal: it needs --id, --bundle, --state-dir, --control-fd, --sync-fd and --fuse-fd");
      return -1;
    }
  {
    CliBootParams p = { id, bundle, state_dir, control_fd, sync_fd, console_fd, user_log_fd, fuse_fd, 0 };
    if (userns_base != NULL)
      {
        char *end = NULL;
        guint64 v = g_ascii_strtoull (userns_base, &end, 10);
        if (*userns_base == '\0' || *end != '\0' || v == 0 || v > G_MAXUINT32)
          {
            runsc_error_set (error, RUNSC_ERROR_INVALID, "boot: invalid --userns-base %s", userns_base);
            return -1;
          }
        p.userns_base = (guint32) v;
      }
    return cli_boot (g, &p);
  }
}

int
cli_boot (RunscGlobal *g, const CliBootParams *p)
{
  g_auto (GStrv) strace_syscalls = NULL;
  SentryBootArgs args = { 0 };

  /* Our descriptors must not leak into the container's processes. */
  fcntl (p->control_fd, F_SETFD, FD_CLOEXEC);
  fcntl (p->sync_fd, F_SETFD, FD_CLOEXEC);
  fcntl (p->fuse_fd, F_SETFD, FD_CLOEXEC);
  if (p->console_fd >= 0)
    fcntl (p->console_fd, F_SETFD, FD_CLOEXEC);
  if (p->user_log_fd >= 0)
    {
      fcntl (p->user_log_fd, F_SETFD, FD_CLOEXEC);
      user_log_set_fd (p->user_log_fd);
    }
  /* The Sentry never writes to the stdio it was given (it is the container's): without --log, it logs only to
   * --debug-log. */
  if (g->log == NULL || *g->log == '\0')
    {
      g_autoptr (GError) local = NULL;
      if (!runsc_log_init ("/dev/null", g->log_format_value, g->debug, &local))
        return 1;
    }
  cli_set_id (g, p->id);
  if (g->strace_syscalls != NULL && *g->strace_syscalls != '\0')
    strace_syscalls = g_strsplit (g->strace_syscalls, ",", -1);

  args.id = p->id;
  args.bundle = p->bundle;
  args.state_dir = p->state_dir;
  args.control_fd = p->control_fd;
  args.sync_fd = p->sync_fd;
  args.console_fd = p->console_fd;
  args.fuse_fd = p->fuse_fd;
  args.options.release = g->kernel_release;
  args.options.strace = g->strace;
  args.options.strace_syscalls = strace_syscalls;
  args.options.net_raw = g->net_raw;
  args.rootfs_overlay = g_strcmp0 (g->overlay2, "none") != 0;
  args.network = g->network;
  if (p->userns_base != 0)
    {
      args.userns = TRUE;
      args.userns_base = p->userns_base;
    }
  return sentry_boot (&args);
}
