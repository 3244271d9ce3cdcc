/* Helpers shared by the runsc commands: argument checks, the debug log, passing global flags on. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"

int
cli_parse (RunscGlobal *g, const RunscFlag *flags, int argc, char **argv, int min_args, int max_args,
           const char *usage, gboolean *done, GError **error)
{
  int i, idx, n;

  *done = FALSE;
  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0 || argv[i][0] != '-')
        break;
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "-help") == 0)
        {
          printf ("Usage: runsc %s\n", usage);
          if (flags != NULL && flags[0].name[0] != '\0')
            {
              printf ("\nFlags:\n");
              runsc_flags_print (flags, stdout);
            }
          *done = TRUE;
          return 0;
        }
    }
  if (flags != NULL)
    {
      idx = runsc_flags_parse (flags, argc, argv, error);
      if (idx < 0)
        return runsc_error_prefix (error, "%s", argv[0]), -1;
    }
  else
    {
      idx = 1;
      if (idx < argc && strcmp (argv[idx], "--") == 0)
        idx++;
    }
  n = argc - idx;
  if (n < min_args || (max_args >= 0 && n > max_args))
    {
      if (min_args == max_args)
        runsc_error_set (error, RUNSC_ERROR_INVALID, "\"%s\" requires exactly %d argument(s); usage: runsc %s",
                         argv[0], min_args, usage);
      else if (n < min_args)
        runsc_error_set (error, RUNSC_ERROR_INVALID, "\"%s\" requires a minimum of %d argument(s); usage: runsc %s",
                         argv[0], min_args, usage);
      else
        runsc_error_set (error, RUNSC_ERROR_INVALID, "\"%s\" requires a maximum of %d argument(s); usage: runsc %s",
                         argv[0], max_args, usage);
      return -1;
    }
  return idx;
}

/* Replace every occurrence of var in *s with value. */
static void
substitute (char **s, const char *var, const char *value)
{
  g_auto (GStrv) parts = NULL;

  if (strstr (*s, var) == NULL)
    return;
  parts = g_strsplit (*s, var, -1);
  g_free (*s);
  *s = g_strjoinv (value, parts);
}

void
cli_open_debug_log (RunscGlobal *g)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  char stamp[64];
  struct timeval tv;
  struct tm tm;
  size_t n;
  int fd;

  if (g->debug_log == NULL || *g->debug_log == '\0' || g->debug_log_opened)
    return;
  /* Wait for the container ID when the path names it. */
  if (g->id == NULL && strstr (g->debug_log, "%ID%") != NULL)
    return;
  g->debug_log_opened = TRUE;

  gettimeofday (&tv, NULL);
  localtime_r (&tv.tv_sec, &tm);
  n = strftime (stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  snprintf (stamp + n, sizeof stamp - n, ".%06ld", (long) tv.tv_usec);

  if (g_str_has_suffix (g->debug_log, "/"))
    path = g_strconcat (g->debug_log, "runsc.log.%TIMESTAMP%.%COMMAND%.txt", NULL);
  else
    path = g_strdup (g->debug_log);
  substitute (&path, "%ID%", g->id != NULL ? g->id : "");
  substitute (&path, "%COMMAND%", g->command != NULL ? g->command : "");
  substitute (&path, "%TIMESTAMP%", stamp);

  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0755);
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      log_warning ("open debug log %s: %s", path, g_strerror (errno));
      return;
    }
  runsc_log_set_debug_fd (fd);
  log_debug ("runsc %s: debug log %s", g->command, path);
}

void
cli_set_id (RunscGlobal *g, const char *id)
{
  g->id = id;
  cli_open_debug_log (g);
}

gboolean
cli_load_container (const RunscGlobal *g, const char *id, gboolean locked, StateDir **d, RunscState **st,
                    GError **error)
{
  *d = locked ? state_dir_open (g->root, id, error) : state_dir_open_unlocked (g->root, id, error);
  if (*d == NULL)
    return FALSE;
  *st = state_load (*d, error);
  return *st != NULL;
}

int
cli_connect_console_socket (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  autofd int dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  autofd int fd = -1;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  if (dirfd < 0)
    {
      runsc_error_errno (error, errno, "open console socket %s", path);
      return -1;
    }
  if ((size_t) snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, base)
      >= sizeof addr.sun_path)
    {
      runsc_error_set (error, RUNSC_ERROR_INVALID, "console socket %s: name too long", path);
      return -1;
    }
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      runsc_error_errno (error, errno, "connect to console socket %s", path);
      return -1;
    }
  return steal_fd (&fd);
}

void
cli_global_args (const RunscGlobal *g, GPtrArray *args)
{
  g_ptr_array_add (args, g_strdup_printf ("--root=%s", g->root));
  if (g->log != NULL && *g->log != '\0')
    g_ptr_array_add (args, g_strdup_printf ("--log=%s", g->log));
  if (g->log_format != NULL)
    g_ptr_array_add (args, g_strdup_printf ("--log-format=%s", g->log_format));
  if (g->debug)
    g_ptr_array_add (args, g_strdup ("--debug=true"));
  if (g->debug_log != NULL && *g->debug_log != '\0')
    g_ptr_array_add (args, g_strdup_printf ("--debug-log=%s", g->debug_log));
  if (g->systemd_cgroup)
    g_ptr_array_add (args, g_strdup ("--systemd-cgroup=true"));
  if (g->strace)
    g_ptr_array_add (args, g_strdup ("--strace=true"));
  if (g->strace_syscalls != NULL && *g->strace_syscalls != '\0')
    g_ptr_array_add (args, g_strdup_printf ("--strace-syscalls=%s", g->strace_syscalls));
  if (g->net_raw)
    g_ptr_array_add (args, g_strdup ("--net-raw=true"));
  if (g->network != NULL)
    g_ptr_array_add (args, g_strdup_printf ("--network=%s", g->network));
  if (g->overlay2 != NULL)
    g_ptr_array_add (args, g_strdup_printf ("--overlay2=%s", g->overlay2));
  if (g->kernel_release != NULL && *g->kernel_release != '\0')
    g_ptr_array_add (args, g_strdup_printf ("--kernel-release=%s", g->kernel_release));
}
