/* OOM watching (see oom.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/log.h"
#include "shim/oom.h"

struct ShimOomWatch
{
  char *counter_file; /* memory.oom_control (v1) or memory.events (v2) */
  int notify_fd;      /* eventfd (v1) or inotify (v2) */
  int control_fd;     /* v1: the open memory.oom_control */
  guint source;
  guint64 last;
  ShimOomFunc func;
  gpointer user_data;
};

static guint64
read_oom_kills (const char *file)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return 0;
  p = strstr (text, "oom_kill ");
  return p ? g_ascii_strtoull (p + strlen ("oom_kill "), NULL, 10) : 0;
}

void
shim_oom_watch_check (ShimOomWatch *w)
{
  guint64 now;
  if (w == NULL)
    return;
  now = read_oom_kills (w->counter_file);
  if (now > w->last)
    {
      w->last = now;
      log_info ("oom kill in %s", w->counter_file);
      w->func (w->user_data);
    }
}

static gboolean
on_notify (int fd, GIOCondition cond, gpointer data)
{
  ShimOomWatch *w = data;
  char buf[4096];

  while (read (fd, buf, sizeof buf) > 0)
    ;
  shim_oom_watch_check (w);
  if (access (w->counter_file, F_OK) != 0)
    {
      w->source = 0;
      return G_SOURCE_REMOVE; /* the cgroup is gone */
    }
  return G_SOURCE_CONTINUE;
}

/* The memory cgroup of pid: v1 "N:memory:/path" or v2 "0::/path". */
static char *
memory_cgroup_dir (pid_t pid, gboolean *v2)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  char *unified = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 3);
      if (g_strv_length (f) != 3)
        continue;
      if (*f[1] == '\0' && unified == NULL)
        unified = g_strdup (f[2]);
      else
        {
          g_auto (GStrv) ctrls = g_strsplit (f[1], ",", -1);
          if (g_strv_contains ((const char *const *) ctrls, "memory"))
            {
              char *dir = g_build_filename ("/sys/fs/cgroup/memory", f[2], NULL);
              /* A runsc sandbox (pid is its Sentry's) keeps its container's processes and their memory limit in
               * the child "container" (src/container/cgroup.h): the OOMs happen, and are notified, there. */
              g_autofree char *child = g_build_filename (dir, "container", "memory.oom_control", NULL);
              g_free (unified);
              *v2 = FALSE;
              if (access (child, F_OK) == 0)
                {
                  char *leaf = g_build_filename (dir, "container", NULL);
                  g_free (dir);
                  return leaf;
                }
              return dir;
            }
        }
    }
  if (unified)
    {
      char *dir = g_build_filename ("/sys/fs/cgroup", unified, NULL);
      g_autofree char *events = g_build_filename (dir, "memory.events", NULL);
      g_free (unified);
      *v2 = TRUE;
      if (access (events, F_OK) == 0)
        return dir;
      g_free (dir);
    }
  return NULL;
}

ShimOomWatch *
shim_oom_watch_new (pid_t pid, ShimOomFunc func, gpointer user_data)
{
  gboolean v2 = FALSE;
  g_autofree char *dir = memory_cgroup_dir (pid, &v2);
  ShimOomWatch *w;

  if (dir == NULL)
    {
      log_debug ("oom: no memory cgroup for pid %d", (int) pid);
      return NULL;
    }
  w = g_new0 (ShimOomWatch, 1);
  w->func = func;
  w->user_data = user_data;
  w->control_fd = -1;
  w->notify_fd = -1;
  if (!v2)
    {
      g_autofree char *ctl = g_build_filename (dir, "cgroup.event_control", NULL);
      g_autofree char *line = NULL;
      int cfd;

      w->counter_file = g_build_filename (dir, "memory.oom_control", NULL);
      w->control_fd = open (w->counter_file, O_RDONLY | O_CLOEXEC);
      w->notify_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      cfd = open (ctl, O_WRONLY | O_CLOEXEC);
      line = g_strdup_printf ("%d %d", w->notify_fd, w->control_fd);
      if (w->control_fd < 0 || w->notify_fd < 0 || cfd < 0 || write (cfd, line, strlen (line)) < 0)
        {
          log_debug ("oom: cannot watch %s: %s", dir, g_strerror (errno));
          if (cfd >= 0)
            close (cfd);
          shim_oom_watch_free (w);
          return NULL;
        }
      close (cfd);
    }
  else
    {
      w->counter_file = g_build_filename (dir, "memory.events", NULL);
      w->notify_fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
      if (w->notify_fd < 0 || inotify_add_watch (w->notify_fd, w->counter_file, IN_MODIFY) < 0)
        {
          log_debug ("oom: cannot watch %s: %s", w->counter_file, g_strerror (errno));
          shim_oom_watch_free (w);
          return NULL;
        }
    }
  w->last = read_oom_kills (w->counter_file);
  w->source = g_unix_fd_add (w->notify_fd, G_IO_IN, on_notify, w);
  log_debug ("oom: watching %s", w->counter_file);
  return w;
}

void
shim_oom_watch_free (ShimOomWatch *w)
{
  if (w == NULL)
    return;
  if (w->source)
    g_source_remove (w->source);
  if (w->notify_fd >= 0)
    close (w->notify_fd);
  if (w->control_fd >= 0)
    close (w->control_fd);
  g_free (w->counter_file);
  g_free (w);
}
